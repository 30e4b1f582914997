//! Control characters in the data (ESC, OSC, BEL, C1) never reach a
//! terminal raw: the human formats show them escaped, JSON keeps them exact.

use crate::common::*;

#[test]
fn control_characters_are_escaped_in_listings_and_exact_in_json() {
    let a = Archive::new();
    let f = a.path("e.jsonl");
    std::fs::write(
        &f,
        r#"{"title":"عنوان \u001b]0;pwned\u0007 خبر","text":"نص فيه \u001b[2J حفتر في بنغازي اليوم. ثم \u009b31m شيء.","source":"out\u001b[31mlet"}"#,
    )
    .unwrap();
    let (s, code, err) = a.ingest_json(&[&f]);
    assert_eq!((s["new"].as_i64(), code), (Some(1), 0), "{err}");
    let raw = |b: &[u8]| {
        let t = String::from_utf8_lossy(b);
        t.contains('\u{1b}') || t.contains('\u{7}') || t.contains('\u{9b}')
    };
    for args in [
        &["search", "حفتر"][..],
        &["search", "حفتر", "--format", "csv"],
        &["show", "1", "--highlight", "حفتر"],
        &["sql", "SELECT title, body FROM articles"],
        &["mentions", "حفتر"],
        &["entity", "حفتر"],
    ] {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            !raw(&out.stdout),
            "{args:?} printed a raw control character"
        );
        assert!(stdout(&out).contains("\\x1B"), "{args:?}: {}", stdout(&out));
    }
    // JSON keeps the data exact, DEL and C1 as \u escapes (a raw CSI could drive a terminal).
    let out = a.run(&["search", "حفتر", "--format", "json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{9b}'));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\u009b"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["title"], "عنوان \u{1b}]0;pwned\u{7} خبر");
    assert_eq!(v[0]["outlet"], "out\u{1b}[31mlet");
    let snippet = v[0]["snippet"]["text"].as_str().unwrap();
    assert!(
        snippet.contains('\u{9b}') || !snippet.contains("31m"),
        "{snippet}"
    );
}

/// File names and query text quoted on stderr are escaped too.
#[test]
fn warnings_and_notes_escape_what_they_quote() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let dir = a.path("queries");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("bad\u{1b}]0;x\u{7}.sql"), "SELECT 1;\n").unwrap();
    for args in [
        &["queries"][..],
        &["run", "who-met-whom"],
        &["search", "ا\u{1b}[2J*"],
    ] {
        let out = a.run(args);
        let err = stderr(&out);
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{7}'),
            "{args:?}: {err:?}"
        );
    }
    assert!(stderr(&a.run(&["queries"])).contains("\\x1B"));
}

/// A line feed in a title (or an outlet, a name) is shown as `\x0A` in the
/// human formats, so that one hit stays one line for `head` and `grep`; a
/// body keeps its lines in `show`, and JSON keeps the data exact.
#[test]
fn a_line_feed_in_a_title_keeps_each_listing_on_its_lines() {
    let a = Archive::new();
    let f = a.path("lf.jsonl");
    std::fs::write(
        &f,
        r#"{"title":"سطر أول\nسطر ثان","text":"زار حفتر بنغازي اليوم.\n\nثم عاد إلى الرجمة.","source":"منفذ\nثان"}"#,
    )
    .unwrap();
    let (s, code, err) = a.ingest_json(&[&f]);
    assert_eq!((s["new"].as_i64(), code), (Some(1), 0), "{err}");
    for args in [
        &["search", "حفتر"][..],
        &["entity", "حفتر"],
        &["cooccur", "حفتر", "بنغازي"],
    ] {
        let out = stdout(&a.run(args));
        let line = out
            .lines()
            .find(|l| l.contains("سطر أول"))
            .unwrap_or_else(|| panic!("{args:?}: no title in {out}"));
        assert!(line.contains("سطر أول\\x0Aسطر ثان"), "{args:?}: {out}");
    }
    let out = stdout(&a.run(&["show", "1"]));
    assert!(out.contains("سطر أول\\x0Aسطر ثان"), "{out}");
    assert!(out.contains("اليوم.\n"), "the body keeps its lines: {out}");
    let v: serde_json::Value =
        serde_json::from_slice(&a.run(&["search", "حفتر", "--format", "json"]).stdout).unwrap();
    assert_eq!(v[0]["title"], "سطر أول\nسطر ثان");
}
