//! Unattended nightly runs: records with no text are skipped and counted,
//! not errors; a --quiet log still gets the count whenever something was
//! skipped or failed; repeated errors of one kind are counted, not listed.

use crate::common::*;

fn feed(a: &Archive) -> std::path::PathBuf {
    let f = a.path("night.jsonl");
    let mut lines = vec![
        r#"{"title":"خبر","text":"نص الخبر عن حفتر في بنغازي."}"#.to_string(),
        r#"{"title":"بلا نص","text":""}"#.to_string(),
        r#"{"title":"بلا نص أيضا"}"#.to_string(),
    ];
    for _ in 0..12 {
        lines.push(r#"{"title":"فارغ","text":"   "}"#.to_string());
    }
    std::fs::write(&f, lines.join("\n")).unwrap();
    f
}

#[test]
fn records_without_text_are_skipped_counted_and_exit_zero() {
    let a = Archive::new();
    let f = feed(&a);
    let (s, code, err) = a.ingest_json(&[&f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (
            s["new"].as_u64(),
            s["errors"].as_u64(),
            s["skipped"].as_u64()
        ),
        (Some(1), Some(0), Some(14))
    );
    assert_eq!(a.count("SELECT skipped FROM v_runs"), 14);
    assert_eq!(a.count("SELECT errors FROM v_runs"), 0);
    assert_eq!(
        a.count("SELECT count(*) FROM v_runs WHERE error_messages IS NULL AND skipped_records LIKE '%:2: no article text%'"),
        1
    );
}

#[test]
fn a_quiet_run_logs_its_summary_when_something_was_skipped_or_failed() {
    let a = Archive::new();
    let f = feed(&a);
    let bad = a.path("bad.jsonl");
    std::fs::write(&bad, "{not json\n".repeat(9)).unwrap();
    let out = a.run(&[
        "ingest",
        "--quiet",
        f.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    // No skipped record is listed under --quiet; errors are, five of a kind.
    assert!(!err.contains("skipped:"), "{err}");
    assert_eq!(err.matches("error: ").count(), 6, "{err}");
    assert!(
        err.contains("error: 4 more like this: invalid JSON"),
        "{err}"
    );
    assert!(
        err.contains("1 new, 0 duplicates, 9 errors, 14 skipped"),
        "{err}"
    );
    // Nothing to say, nothing said.
    let out = a.run(&["ingest", "--quiet", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).is_empty() && stdout(&out).is_empty(),
        "{}",
        stderr(&out)
    );
}

/// A file in the folder that marsad does not read is named (once, on
/// stderr, unless --quiet) and counted as ignored: not a skipped record,
/// not recorded, and not a reason for a quiet run to log its summary.
#[test]
fn files_marsad_does_not_read_are_named_and_counted_apart() {
    let a = Archive::new();
    let inbox = a.path("inbox");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::copy(feed(&a), inbox.join("feed.jsonl")).unwrap();
    std::fs::write(inbox.join("notes.csv"), "a,b\n").unwrap();
    let (s, code, err) = a.ingest_json(&[&inbox]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (s["ignored"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(14))
    );
    assert_eq!(err.matches("notes.csv").count(), 1, "{err}");
    assert!(err.contains("ignored: "), "{err}");
    assert_eq!(
        a.count("SELECT count(*) FROM ingest_errors WHERE input LIKE '%notes.csv'"),
        0
    );
    assert_eq!(a.count("SELECT skipped FROM v_runs"), 14);
    let out = a.run(&["ingest", inbox.to_str().unwrap()]);
    assert!(stdout(&out).contains("1 files ignored"), "{}", stdout(&out));
    let quiet = a.run(&["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert!(quiet.status.success());
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
}

/// A file read again after it changed (not only grew): the lines earlier
/// runs recorded are said to be read before, neither new nor duplicates.
#[test]
fn a_reread_file_says_how_many_lines_were_read_before() {
    let a = Archive::new();
    let f = a.path("feed.jsonl");
    let line =
        |id: &str, text: &str| serde_json::json!({"id": id, "title": id, "text": text}).to_string();
    let b = line("b", "زار وزير الدفاع الروسي ليبيا.");
    std::fs::write(
        &f,
        format!("{}\n{b}\n", line("a", "التقى خليفة حفتر بوتين في موسكو.")),
    )
    .unwrap();
    assert!(a.run(&["ingest", f.to_str().unwrap()]).status.success());
    // The first line corrected: the file is read again from its start.
    std::fs::write(
        &f,
        format!("{}\n{b}\n", line("a", "التقى خليفة حفتر بوتين في سوتشي.")),
    )
    .unwrap();
    let out = a.run(&["ingest", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 records (1 read before), 1 new, 0 duplicates"),
        "{}",
        stdout(&out)
    );
}
