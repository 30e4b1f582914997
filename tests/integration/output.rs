//! What an analyst reads: messages, column names, CSV shapes, grammar, and
//! `sql` output that streams in bounded memory whatever its format.

use std::ffi::OsStr;

use crate::common::*;

/// Two copies of one report (same body, other headline) and one undated
/// article naming Haftar.
fn archive_with_a_story() -> Archive {
    let a = Archive::new();
    let body = "قال المتحدث باسم الجيش الوطني الليبي إن المشير خليفة حفتر التقى في بنغازي وفدا روسيا \
                برئاسة نائب وزير الدفاع لبحث التعاون العسكري بين البلدين وتدريب القوات وصيانة المعدات \
                وأضاف أن الجانبين اتفقا على مواصلة المشاورات خلال الأشهر المقبلة في موسكو وبنغازي";
    let f = a.path("s.jsonl");
    let rec = |title: &str, date: Option<&str>| {
        let mut v = serde_json::json!({"title": title, "text": body, "source": "وكالة"});
        if let Some(d) = date {
            v["date"] = d.into();
        }
        v.to_string()
    };
    std::fs::write(
        &f,
        [
            rec("حفتر يلتقي وفدا روسيا", Some("2024-05-01")),
            rec("وفد روسي في بنغازي", Some("2024-05-02")),
            serde_json::json!({"title": "خبر بلا تاريخ عن حفتر", "text": "قال حفتر كلمة قصيرة."})
                .to_string(),
        ]
        .join("\n"),
    )
    .unwrap();
    let (s, code, err) = a.ingest_json(&[&f]);
    assert_eq!(code, 0, "{err} {s}");
    a
}

#[test]
fn search_csv_names_the_date_as_json_does_and_copies_are_counted_in_good_grammar() {
    let a = archive_with_a_story();
    let csv = stdout(&a.run(&["search", "حفتر", "--format", "csv"]));
    assert!(
        csv.starts_with("id,published_at,outlet,title,snippet\n"),
        "{csv}"
    );
    let table = stdout(&a.run(&["search", "وفد"]));
    // Both copies come from one outlet: no other outlet to name.
    assert!(table.contains("(also 1 other copy)"), "{table}");
    assert!(!table.contains("1 other copies"), "{table}");
}

#[test]
fn duplicates_csv_has_one_row_per_copy() {
    let a = archive_with_a_story();
    let csv = stdout(&a.run(&["duplicates", "--format", "csv"]));
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "story_id");
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert!(rows.len() >= 2, "{csv}");
    assert!(
        rows.iter()
            .all(|r| !r.iter().any(|c| c.starts_with('[') || c.starts_with('{')))
    );
}

#[test]
fn the_entity_header_shows_undated_articles_the_chart_leaves_out() {
    let a = archive_with_a_story();
    let out = stdout(&a.run(&["entity", "حفتر"]));
    assert!(out.contains("  2024-05  "), "{out}");
    assert!(out.contains("undated: 1"), "{out}");
}

#[test]
fn export_help_lists_only_the_formats_it_writes() {
    let a = Archive::new();
    let help = stdout(&a.run(&["export", "--help"]));
    for f in ["- jsonl", "- csv", "- tsv"] {
        assert!(help.contains(f), "{help}");
    }
    assert!(
        !help.contains("- table") && !help.contains("- json\n"),
        "{help}"
    );
    assert_eq!(
        a.run(&["export", "articles", "--format", "table"])
            .status
            .code(),
        Some(2)
    );
}

/// The aliases line lists other names, not the two shown in the header.
#[test]
fn the_entity_header_does_not_repeat_its_names_as_aliases() {
    let a = archive_with_a_story();
    let out = stdout(&a.run(&["entity", "khalifa-haftar"]));
    // The header says what the entity is, its status too.
    assert!(
        out.lines()
            .next()
            .unwrap_or("")
            .ends_with("(Khalifa Haftar, person, accepted)"),
        "{out}"
    );
    let aliases = out
        .lines()
        .find(|l| l.starts_with("aliases: "))
        .unwrap_or_else(|| panic!("no aliases line: {out}"));
    assert!(aliases.contains("حفتر"), "{aliases}");
    let names: Vec<&str> = aliases["aliases: ".len()..].split("، ").collect();
    assert!(!names.contains(&"خليفة حفتر"), "{aliases}");
    assert!(!names.contains(&"Khalifa Haftar"), "{aliases}");
}

/// A BLOB is written as SQL's hex() writes it, in every format: the bytes,
/// not a placeholder that loses them.
#[test]
fn sql_writes_blobs_as_hex() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let q = "SELECT x'00ff10' AS b, hex(x'00ff10') AS h";
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&a.run(&["sql", q, "--format", "json"]))).unwrap();
    assert_eq!(json[0]["b"], "00FF10");
    assert_eq!(json[0]["b"], json[0]["h"]);
    let csv = stdout(&a.run(&["sql", q, "--format", "csv"]));
    assert_eq!(csv.lines().nth(1), Some("00FF10,00FF10"), "{csv}");
}

#[test]
fn sql_messages_say_what_to_do_and_read_pragmas_are_allowed() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    for q in ["", "   ", "-- only a comment"] {
        let out = a.run(&["sql", "--", q]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains("no SQL statement"), "{q:?}: {err}");
        assert!(
            !err.contains("API misuse") && !err.contains("invalid value"),
            "{err}"
        );
    }
    for q in ["SELECT @a", "SELECT $a", "SELECT :a"] {
        let err = stderr(&a.run(&["sql", q]));
        assert!(err.contains("missing parameters: a"), "{q}: {err}");
    }
    let out = a.run(&["sql", "PRAGMA journal_mode"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("wal"));
    let err = stderr(&a.run(&["sql", "PRAGMA journal_mode = DELETE"]));
    assert!(err.contains("only reads"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn sql_streams_tables_and_json_in_bounded_memory() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let q = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 600000)
             SELECT i, 'row number ' || i AS label FROM c";
    for format in ["table", "json"] {
        let words = ["sql", q, "--format", format];
        let args: Vec<&OsStr> = words.iter().map(OsStr::new).collect();
        let m = run_measured(&a, &args, None);
        assert_eq!(m.code, Some(0), "{format}: {}", m.stderr);
        assert!(
            m.stdout.contains("row number 600000"),
            "{format}: the last row is missing"
        );
        assert!(
            m.peak_rss < 100 << 20,
            "{format}: {} MB for 600,000 rows",
            m.peak_rss >> 20
        );
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&m.stdout).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 600_000);
        }
    }
}

#[test]
fn positional_sql_parameters_and_unknown_types_are_refused() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    for args in [&["sql", "SELECT ?"][..], &["sql", "SELECT ?1", "-p", "1=x"]] {
        let out = a.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("write :name"), "{}", stderr(&out));
    }
    assert_eq!(
        a.run(&["entities", "--type", "bogus"]).status.code(),
        Some(2)
    );
    let out = a.run(&["cooccur", "حفتر", "روسيا", "--to", "2016"]);
    assert!(
        stderr(&out).contains("1 article mentions both"),
        "{}",
        stderr(&out)
    );
}

/// `cooccur --limit N` lists N articles but says how many there are.
#[test]
fn cooccur_says_how_many_articles_not_how_many_it_shows() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let both = a.count(
        "SELECT count(*) FROM (SELECT article_id FROM mentions WHERE entity_id = 'khalifa-haftar'
         INTERSECT SELECT article_id FROM mentions WHERE entity_id = 'vladimir-putin')",
    );
    assert!(both >= 2, "the seeds name both in {both} articles");
    let all = a.run(&["cooccur", "khalifa-haftar", "vladimir-putin"]);
    assert!(
        stderr(&all).contains(&format!("{both} articles mention both")),
        "{}",
        stderr(&all)
    );
    let one = a.run(&[
        "cooccur",
        "khalifa-haftar",
        "vladimir-putin",
        "--limit",
        "1",
    ]);
    assert_eq!(
        stdout(&one).lines().filter(|l| l.starts_with('#')).count(),
        1
    );
    assert!(
        stderr(&one).contains(&format!("{both} articles mention both"))
            && stderr(&one).contains("the first 1"),
        "{}",
        stderr(&one)
    );
}
