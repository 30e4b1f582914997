//! Search through the real binary: ranking, ties, paging, filters, hostile
//! queries, highlighting.

use std::fs;

use crate::common::*;

fn ids(a: &Archive, args: &[&str]) -> Vec<i64> {
    let mut full = vec!["search"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    let out = a.run(&full);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn ties_and_paging_agree_with_the_filtered_query() {
    let a = Archive::new();
    let d = a.path("in");
    fs::create_dir(&d).unwrap();
    // 30 articles with equal scores for حفتر, on different days.
    for i in 0..30 {
        fs::write(
            d.join(format!("{i:02}.txt")),
            format!("---\ndate: 2024-01-{:02}\n---\nخبر رقم {i}\n\nالتقى حفتر وفدا روسيا في بنغازي اليوم رقم{i}.", i % 28 + 1),
        )
        .unwrap();
    }
    a.ingest_json(&[&d]);
    for (limit, offset) in [("5", "0"), ("5", "3"), ("7", "20"), ("40", "0")] {
        let fast = ids(&a, &["حفتر", "--limit", limit, "--offset", offset]);
        // A filter that keeps everything takes the other code path.
        let full = ids(
            &a,
            &[
                "حفتر", "--limit", limit, "--offset", offset, "--from", "2000",
            ],
        );
        assert_eq!(fast, full, "limit {limit} offset {offset}");
    }
    let all = ids(&a, &["حفتر", "--limit", "40"]);
    assert_eq!(all.len(), 30);
    // Newest first among equal scores.
    let conn = a.conn();
    let dates: Vec<String> = all
        .iter()
        .map(|id| {
            conn.query_row(
                "SELECT published_at FROM articles WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
        })
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(dates, sorted);
}

#[test]
fn query_language_on_the_seeds() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    assert_eq!(ids(&a, &["حفتر"]).len(), 5);
    assert_eq!(ids(&a, &["يفكيروف"]).len(), 3);
    assert_eq!(ids(&a, &["يفكيروف -بيلاوسوف"]).len(), 2);
    assert_eq!(ids(&a, &["\"يونس بك يفكيروف\""]).len(), 2);
    assert_eq!(ids(&a, &["بيلاوسوف OR شويغو"]).len(), 3);
    assert_eq!(ids(&a, &["title:بنغازي"]).len(), 1);
    assert_eq!(ids(&a, &["يفكير*"]).len(), 3);
    assert_eq!(ids(&a, &["لانغلي", "--from", "2024"]).len(), 0);
    assert_eq!(
        ids(&a, &["حفتر", "--from", "2024-01-01", "--to", "2024-12-31"]).len(),
        1
    );
    assert_eq!(ids(&a, &["حفتر", "--outlet", "إرم"]).len(), 1);
    // The title outweighs the body.
    assert_eq!(ids(&a, &["بنغازي"])[0], ids(&a, &["title:بنغازي"])[0]);
}

#[test]
fn hostile_queries_never_error() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let long = "حفتر ".repeat(11_000); // ~100 KB, under the 128 KB limit of one argument
    for q in [
        "\"unbalanced",
        "((",
        ")",
        "a:b",
        "^حفتر",
        "*",
        "**",
        "حفتر*روسيا",
        "NEAR(حفتر روسيا)",
        "AND",
        "OR OR",
        "NOT حفتر",
        "-",
        "--",
        "title:",
        "body:حفتر",
        "'; DROP TABLE articles; --",
        "\" OR 1=1 --",
        "حفتر\u{202e}روسيا",
        "{title}: حفتر",
        long.as_str(),
    ] {
        let out = a.run(&["search", "--format", "json", "--", q]);
        assert!(out.status.success(), "{q:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            !err.contains("fts5") && !err.contains("SQL"),
            "{q:?}: {err}"
        );
    }
    assert_eq!(a.count("SELECT count(*) FROM articles"), 5);
}

#[test]
fn snippets_show_the_published_text_and_highlight_marks_it() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let out = a.run(&["search", "صدام", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hit = v
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["snippet"]["text"].as_str().unwrap().contains("صدّام"))
        .expect("a snippet with the shadda kept");
    let text = hit["snippet"]["text"].as_str().unwrap();
    for m in hit["snippet"]["matches"].as_array().unwrap() {
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let word: String = text.chars().skip(s).take(e - s).collect();
        assert!(word.contains("صد"), "{word}");
    }
    let out = a.run(&["show", "3", "--highlight", "يفكيروف"]);
    assert!(stdout(&out).contains("[يفكيروف]"), "{}", stdout(&out));
}

/// `n` distinct dated articles that all mention حفتر.
fn many(a: &Archive, n: usize) {
    let d = a.path("in");
    fs::create_dir(&d).unwrap();
    let words = ["موسكو", "بنغازي", "طرابلس", "سرت", "درنة", "طبرق", "الكفرة"];
    for i in 0..n {
        fs::write(
            d.join(format!("{i:03}.txt")),
            format!(
                "---\ndate: 2024-02-{:02}\n---\nخبر {i}\n\nقال حفتر في {} إن العدد {i} يخص {} و{} اليوم.",
                i % 28 + 1,
                words[i % 7],
                words[(i / 7) % 7],
                "ح".repeat(i + 2)
            ),
        )
        .unwrap();
    }
    a.ingest_json(&[&d]);
}

#[test]
fn huge_limits_and_offsets_are_clamped_not_wrapped() {
    let a = Archive::new();
    // 70 distinct stories: more than a wrapped page size (17, or 63 with --all).
    many(&a, 70);
    let max = u64::MAX.to_string();
    let all = ids(&a, &["حفتر", "--limit", "1000"]);
    assert!(all.len() > 17, "{}", all.len());
    assert_eq!(ids(&a, &["حفتر", "--limit", &max]), all);
    assert_eq!(ids(&a, &["حفتر", "--limit", &max, "--from", "2000"]), all);
    assert_eq!(ids(&a, &["حفتر", "--limit", &max, "--all"]).len(), 70);
    assert_eq!(ids(&a, &["حفتر", "--offset", &max]).len(), 0);
    assert_eq!(
        ids(&a, &["حفتر", "--offset", &max, "--limit", &max]).len(),
        0
    );
}

#[test]
fn floods_of_terms_and_prefixes_answer_with_a_note() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    // 200 × ا*: one-letter prefixes are refused, by name.
    let out = a.run(&["search", &vec!["ا*"; 200].join(" OR ")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("ا*"), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 letters"), "{}", stderr(&out));
    // 5,000 one-letter prefixes, and 5,000 two-letter ones: capped.
    let letters: Vec<char> = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي".chars().collect();
    let one: Vec<String> = (0..5000).map(|i| format!("{}*", letters[i % 28])).collect();
    let out = a.run(&["search", &one.join(" OR ")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 letters"), "{}", stderr(&out));
    let two: Vec<String> = (0..5000)
        .map(|i| format!("{}{}*", letters[i % 28], letters[(i / 28) % 28]))
        .collect();
    let out = a.run(&["search", "--format", "json", &two.join(" OR ")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("ignored"), "{}", stderr(&out));
    // A repeated word is searched once: same hits as the word alone.
    let once = ids(&a, &["حفتر"]);
    assert_eq!(ids(&a, &[&vec!["حفتر"; 500].join(" OR ")]), once);
    assert_eq!(
        ids(&a, &[&vec!["يفكير*"; 500].join(" ")]),
        ids(&a, &["يفكير*"])
    );
}

#[test]
fn a_search_past_its_time_limit_says_the_query_is_too_broad() {
    let a = Archive::new();
    // Enough hits that ranking them takes more than one check of the clock
    // (every 1000 SQLite steps); a limit of 0 s has passed at the first.
    many(&a, 300);
    let out = a.run(&["search", "حفتر", "--timeout", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("too broad") && err.contains("--timeout"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

/// `show --highlight` marks the title too, and a phrase as one mark.
#[test]
fn show_highlight_marks_the_title_and_whole_phrases() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let out = stdout(&a.run(&["show", "3", "--highlight", "حفتر"]));
    let title = out.lines().next().unwrap();
    assert!(title.contains("[حفتر]"), "{title}");
    let out = stdout(&a.run(&["show", "4", "--highlight", "\"خليفة حفتر\""]));
    assert!(out.contains("[خليفة حفتر]"), "{out}");
    assert!(!out.contains("[خليفة] [حفتر]"), "{out}");
}
