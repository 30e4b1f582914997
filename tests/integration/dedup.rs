//! Near-duplicate detection measured on pairs built from the shared 2018
//! corpus: 200+ constructed copies (headline changed, paragraph dropped,
//! prefix added, 5% and 10% of words substituted) and 200+ same-topic
//! non-copies; plus the end-to-end behaviour on an archive.

use std::collections::HashSet;
use std::io::BufRead;

use rusqlite::OptionalExtension;

use crate::common::*;
use marsad::dedup::{self, band_keys, signature, similarity};

/// Deterministic pseudo-random numbers (no dependency, fixed seed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn corpus_articles() -> Option<Vec<(String, String)>> {
    let path = shared_corpus("ant-multisource-2018.jsonl.gz")?;
    let f = std::fs::File::open(path).unwrap();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(f)).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = v["text"].as_str().unwrap_or("").to_string();
        if text.split_whitespace().count() >= 150
            && text.matches('\n').count() >= 3
            && seen.insert(text.clone())
        {
            out.push((v["title"].as_str().unwrap_or("").to_string(), text));
        }
    }
    Some(out)
}

fn substitute(text: &str, share: f64, rng: &mut Lcg, vocab: &[&str]) -> String {
    text.split(' ')
        .map(|w| {
            if (rng.next() % 1000) as f64 / 1000.0 < share {
                vocab[(rng.next() as usize) % vocab.len()]
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn detected(a: &str, b: &str) -> (bool, f64) {
    let (Some(sa), Some(sb)) = (signature(a), signature(b)) else {
        return (false, 0.0);
    };
    let shared_band = band_keys(&sa)
        .iter()
        .zip(band_keys(&sb))
        .any(|(x, y)| *x == y);
    let s = similarity(&sa, &sb);
    (shared_band && s >= dedup::DEFAULT_THRESHOLD, s)
}

#[test]
fn precision_and_recall_on_constructed_pairs() {
    let Some(articles) = corpus_articles() else {
        eprintln!("skipping: shared corpus not present");
        return;
    };
    let mut rng = Lcg(42);
    let vocab: Vec<&str> = articles
        .iter()
        .take(300)
        .flat_map(|(_, t)| t.split_whitespace())
        .collect();
    let kinds = ["headline", "paragraph", "prefix", "sub5", "sub10"];
    let mut hits = [0usize; 5];
    let mut totals = [0usize; 5];
    let step = articles.len() / 250;
    for (n, (_, text)) in articles.iter().step_by(step).take(250).enumerate() {
        let k = n % kinds.len();
        let copy = match kinds[k] {
            "headline" => text.clone(),
            "paragraph" => {
                let mut ps: Vec<&str> = text.split('\n').collect();
                ps.pop();
                ps.join("\n")
            }
            "prefix" => format!("في تقرير لفرانس24 – {text}"),
            "sub5" => substitute(text, 0.05, &mut rng, &vocab),
            _ => substitute(text, 0.10, &mut rng, &vocab),
        };
        totals[k] += 1;
        if detected(text, &copy).0 {
            hits[k] += 1;
        }
    }
    // Same-topic non-copies: articles sharing a distinctive word.
    let mut negatives = 0;
    let mut false_pos = 0;
    for topic in [
        "حفتر",
        "خاشقجي",
        "إدلب",
        "الحديدة",
        "بريكست",
        "المونديال",
        "كوريا الشمالية",
        "الانتخابات العراقية",
    ] {
        let with: Vec<&(String, String)> = articles
            .iter()
            .filter(|(_, t)| t.contains(topic))
            .take(12)
            .collect();
        for i in 0..with.len() {
            for j in i + 1..with.len() {
                if with[i].0 == with[j].0 {
                    continue; // the same story filed twice is a real copy
                }
                negatives += 1;
                if detected(&with[i].1, &with[j].1).0 {
                    false_pos += 1;
                }
            }
        }
    }
    let tp: usize = hits.iter().sum();
    let pairs: usize = totals.iter().sum();
    let recall = tp as f64 / pairs as f64;
    let precision = tp as f64 / (tp + false_pos) as f64;
    let per_kind: Vec<String> = kinds
        .iter()
        .zip(hits.iter().zip(&totals))
        .map(|(k, (h, t))| format!("{k} {h}/{t}"))
        .collect();
    println!(
        "pairs {pairs}, non-pairs {negatives}: recall {recall:.3}, precision {precision:.3}, false positives {false_pos} ({})",
        per_kind.join(", ")
    );
    assert!(
        pairs >= 200 && negatives >= 200,
        "{pairs} pairs, {negatives} non-pairs"
    );
    assert!(recall >= 0.95, "recall {recall}: {per_kind:?}");
    assert!(
        precision >= 0.97,
        "precision {precision}, {false_pos} false positives"
    );
}

#[test]
fn stories_in_the_archive_and_search_shows_one_per_story() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    // A lightly edited copy of seed 003: a new headline and a dateline.
    let seed = std::fs::read_to_string(seeds_dir().join("003_2b9fa4ce4607d7a9.txt")).unwrap();
    let copy = seed.replacen(
        "في تقرير لفرانس24 – ما هي الدوافع لزيارة خليفة حفتر إلي موسكو",
        "حفتر في موسكو: ما الدوافع؟\n\nباريس – ",
        1,
    );
    let f = a.path("copy.txt");
    std::fs::write(&f, copy).unwrap();
    let (s, ..) = a.ingest_json(&[&f]);
    assert_eq!(s["new"], 1, "a near copy is a new article");
    let out = a.run(&["duplicates", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stories = v.as_array().unwrap();
    assert_eq!(stories.len(), 1, "{v}");
    let members = stories[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    for k in ["id", "external_id", "origin", "similarity"] {
        assert!(members[0].get(k).is_some(), "member JSON lacks {k}");
    }
    assert!(members[0]["similarity"].as_f64().unwrap() > 0.8);
    assert!(stories[0].get("story_id").is_some());

    let ids = |args: &[&str]| -> Vec<i64> {
        let out = a.run(args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&["search", "دميتري بيسكوف", "--format", "json"]).len(),
        1,
        "copies hidden by default"
    );
    assert_eq!(
        ids(&["search", "دميتري بيسكوف", "--all", "--format", "json"]).len(),
        2
    );
    let out = a.run(&["search", "دميتري بيسكوف"]);
    assert!(
        stdout(&out).contains("(also 1 other copy"),
        "{}",
        stdout(&out)
    );

    // The other seeds are different stories, though all about Haftar.
    assert_eq!(a.count("SELECT count(DISTINCT story_id) FROM stories"), 5);
    // Rebuilding gives the same stories.
    assert!(a.run(&["dedup", "--rebuild"]).status.success());
    assert_eq!(a.count("SELECT count(*) FROM near_duplicates"), 1);
    assert_eq!(a.count("SELECT count(*) FROM v_stories"), 2);
}

/// Articles of a shared corpus long enough to copy: (title, text).
fn corpus_texts(name: &str, min_words: usize) -> Option<Vec<(String, String)>> {
    let path = shared_corpus(name)?;
    let f = std::fs::File::open(path).unwrap();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(f)).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = v["text"].as_str().unwrap_or("").to_string();
        if text.split_whitespace().count() >= min_words && seen.insert(text.clone()) {
            out.push((v["title"].as_str().unwrap_or("").to_string(), text));
        }
    }
    Some(out)
}

fn write_jsonl(path: &std::path::Path, rows: &[(String, String, String)]) {
    let lines: Vec<String> = rows
        .iter()
        .map(|(id, title, text)| {
            serde_json::json!({"id": id, "title": title, "text": text}).to_string()
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Every story's members are near-duplicates of its canonical article (the
/// story's first, whose id is the story's) and agree with it on
/// particulars: no chains. Returns (stories with copies, largest).
pub fn assert_stories_are_copies(a: &Archive) -> (i64, i64) {
    let conn = a.conn();
    let t = dedup::threshold(&conn).unwrap();
    let orphans = a.count(
        "SELECT count(*) FROM stories s WHERE NOT EXISTS
           (SELECT 1 FROM stories c WHERE c.article_id = s.story_id AND c.story_id = s.story_id)",
    );
    assert_eq!(orphans, 0, "every story holds its canonical article");
    let mut st = conn
        .prepare(
            "SELECT article_id, story_id, similarity FROM stories WHERE article_id != story_id",
        )
        .unwrap();
    let members: Vec<(i64, i64, f64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, story, stored) in &members {
        let c = dedup::compare(&conn, *story, *id).unwrap();
        let s = c.similarity.expect("members have signatures");
        assert!(s >= t && c.copies, "#{id} in story {story}: {}", c.reason);
        assert_eq!(
            s, *stored,
            "#{id}: the stored similarity is to the canonical"
        );
    }
    let (stories, largest) = conn
        .query_row(
            "SELECT count(*), coalesce(max(n), 0) FROM (SELECT count(*) n FROM stories GROUP BY story_id HAVING n > 1)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(!members.is_empty() || stories == 0);
    (stories, largest)
}

/// The same text from the same template about another event: every entity
/// name the archive found in its body replaced by another entity's name of
/// the same type, every number by another number.
fn sibling(
    conn: &rusqlite::Connection,
    id: i64,
    pool: &std::collections::HashMap<String, Vec<(String, String)>>,
    rng: &mut Lcg,
) -> Option<String> {
    let body: String = conn
        .query_row("SELECT body FROM articles WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    let chars: Vec<char> = body.chars().collect();
    let mut st = conn
        .prepare(
            "SELECT m.start, m.end, m.entity_id, e.type FROM mentions m JOIN entities e ON e.id = m.entity_id
             WHERE m.article_id = ?1 AND m.field = 'body' AND m.how != 'discovered' ORDER BY m.start",
        )
        .unwrap();
    let mentions: Vec<(usize, usize, String, String)> = st
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)? as usize,
                r.get::<_, i64>(1)? as usize,
                r.get(2)?,
                r.get(3)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    if mentions.is_empty() {
        return None;
    }
    // One replacement per entity, the same wherever it is named.
    let mut chosen: std::collections::HashMap<String, String> = Default::default();
    let mut out = String::new();
    let mut at = 0;
    for (start, end, entity, kind) in mentions {
        if start < at {
            continue; // overlapping mentions
        }
        let others = pool.get(&kind)?;
        let name = chosen
            .entry(entity.clone())
            .or_insert_with(|| {
                loop {
                    let (e, n) = &others[(rng.next() as usize) % others.len()];
                    if *e != entity {
                        break n.clone();
                    }
                }
            })
            .clone();
        out.extend(&chars[at..start]);
        out.push_str(&name);
        at = end;
    }
    out.extend(&chars[at..]);
    // Every digit run becomes another number.
    let mut text = String::new();
    let mut run = String::new();
    for c in out.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() || ('\u{660}'..='\u{669}').contains(&c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            let n: u64 = run
                .chars()
                .map(|d| d.to_digit(10).unwrap_or((d as u32) - 0x660) as u64)
                .fold(0, |acc, d| acc.saturating_mul(10).saturating_add(d));
            text.push_str(&(n.saturating_add(1 + rng.next() % 9)).to_string());
            run.clear();
        }
        text.push(c);
    }
    text.pop();
    Some(text)
}

#[test]
fn copies_share_a_story_and_template_siblings_do_not() {
    let Some(a18) = corpus_articles() else {
        return;
    };
    let Some(jw) = corpus_texts("ant-jawharafm-2013-2017.jsonl.gz", 120) else {
        return;
    };
    let a = Archive::new();
    // The seed of the test above: the same copies of the same originals.
    let mut rng = Lcg(42);
    let vocab: Vec<&str> = a18
        .iter()
        .take(300)
        .flat_map(|(_, t)| t.split_whitespace())
        .collect();
    // Originals: 250 from each corpus, spread over it.
    let mut originals = Vec::new();
    for (tag, texts) in [("a18", &a18), ("jw", &jw)] {
        let step = texts.len() / 250;
        for (n, (title, text)) in texts.iter().step_by(step).take(250).enumerate() {
            originals.push((format!("{tag}-{n}"), title.clone(), text.clone()));
        }
    }
    let f = a.path("originals.jsonl");
    write_jsonl(&f, &originals);
    a.ingest_json(&[&f]);

    // Constructed copies of the 2018 originals, as in the test above.
    let kinds = ["headline", "paragraph", "prefix", "sub5", "sub10"];
    let mut copies = Vec::new();
    for (n, (id, title, text)) in originals
        .iter()
        .filter(|o| o.0.starts_with("a18"))
        .enumerate()
    {
        let kind = kinds[n % kinds.len()];
        let copy = match kind {
            "headline" => text.clone(),
            "paragraph" => {
                let mut ps: Vec<&str> = text.split('\n').collect();
                if ps.len() > 1 {
                    ps.pop();
                }
                ps.join("\n")
            }
            "prefix" => format!("في تقرير لفرانس24 – {text}"),
            "sub5" => substitute(text, 0.05, &mut rng, &vocab),
            _ => substitute(text, 0.10, &mut rng, &vocab),
        };
        copies.push((format!("copy-{kind}-{id}"), format!("نسخة: {title}"), copy));
    }
    let f = a.path("copies.jsonl");
    write_jsonl(&f, &copies);
    a.ingest_json(&[&f]);

    // Siblings: names and numbers of every original replaced.
    let conn = a.conn();
    let mut pool: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    {
        let mut st = conn
            .prepare(
                "SELECT DISTINCT e.type, m.entity_id, m.surface FROM mentions m JOIN entities e ON e.id = m.entity_id
                 WHERE m.how = 'name' AND e.status = 'accepted' ORDER BY 1, 2, 3",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        for r in rows {
            let (kind, e, s) = r.unwrap();
            pool.entry(kind).or_default().push((e, s));
        }
    }
    let mut siblings = Vec::new();
    let mut similar = 0;
    for (ext, title, text) in &originals {
        // None: stored as a sighting of an equal article.
        let Some(id) = conn
            .query_row(
                "SELECT id FROM articles WHERE external_id = ?1",
                [ext],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .unwrap()
        else {
            continue;
        };
        let Some(sib) = sibling(&conn, id, &pool, &mut rng) else {
            continue;
        };
        let (Some(x), Some(y)) = (signature(text), signature(&sib)) else {
            continue;
        };
        // Only siblings the shingles alone would call copies measure anything.
        if similarity(&x, &y) >= dedup::DEFAULT_THRESHOLD {
            similar += 1;
            siblings.push((format!("sib-{ext}"), title.clone(), sib));
        }
    }
    drop(conn);
    let f = a.path("siblings.jsonl");
    write_jsonl(&f, &siblings);
    a.ingest_json(&[&f]);

    // How many articles named PREFIX + the original's external id share a
    // story with that original.
    let together = |prefix: &str, of: &str| -> (i64, i64) {
        let pairs = format!(
            "FROM articles c JOIN stories sc ON sc.article_id = c.id
             JOIN articles o ON '{prefix}' || o.external_id = c.external_id
             JOIN stories so ON so.article_id = o.id
             WHERE o.external_id LIKE '{of}%'"
        );
        (
            a.count(&format!(
                "SELECT count(*) {pairs} AND sc.story_id = so.story_id"
            )),
            a.count(&format!("SELECT count(*) {pairs}")),
        )
    };
    let mut per_kind = Vec::new();
    let (mut found, mut total) = (0, 0);
    for kind in kinds {
        let (s, t) = together(&format!("copy-{kind}-"), "");
        per_kind.push(format!("{kind} {s}/{t}"));
        found += s;
        total += t;
    }
    let recall = found as f64 / total as f64;
    let (sib_same, sib_total) = together("sib-", "");
    let (jw_same, jw_total) = together("sib-", "jw-");
    println!(
        "copies in their original's story: {found}/{total} = {recall:.3} ({}); template siblings (similarity ≥ {}) in their original's story: {sib_same}/{sib_total} (2018 corpus {}/{}, Jawhara {jw_same}/{jw_total})",
        per_kind.join(", "),
        dedup::DEFAULT_THRESHOLD,
        sib_same - jw_same,
        sib_total - jw_total
    );
    assert_eq!(total, 250);
    assert!(recall >= 0.98, "recall {recall}: {per_kind:?}");
    assert!(
        sib_total >= 200 && sib_total == similar,
        "{sib_total} siblings"
    );
    assert!(
        sib_same as f64 <= 0.02 * sib_total as f64,
        "{sib_same} of {sib_total} template siblings share a story with their original"
    );
    assert_stories_are_copies(&a);

    // `duplicates --explain` says why a sibling is not its original's story.
    let conn = a.conn();
    let (o, s): (i64, i64) = conn
        .query_row(
            "SELECT o.id, c.id FROM articles c JOIN articles o ON 'sib-' || o.external_id = c.external_id
             JOIN stories sc ON sc.article_id = c.id JOIN stories so ON so.article_id = o.id
             WHERE sc.story_id != so.story_id ORDER BY c.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let out = a.run(&[
        "duplicates",
        "--explain",
        &o.to_string(),
        &s.to_string(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v[0];
    assert_eq!(v["same_story"], false, "{v}");
    assert_eq!(v["particulars_disagree"], true, "{v}");
    assert!(
        v["similarity"].as_f64().unwrap() >= dedup::DEFAULT_THRESHOLD,
        "{v}"
    );
    let out = a.run(&["duplicates", "--explain", &o.to_string(), &s.to_string()]);
    assert!(
        stdout(&out).contains("particulars differ"),
        "{}",
        stdout(&out)
    );

    // Rebuilding gives the stories the ingests made.
    let stories = |a: &Archive| -> Vec<(i64, i64, f64)> {
        let conn = a.conn();
        let mut st = conn
            .prepare("SELECT article_id, story_id, similarity FROM stories ORDER BY article_id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let before = stories(&a);
    assert!(a.run(&["dedup", "--rebuild"]).status.success());
    assert_eq!(stories(&a), before);
}
