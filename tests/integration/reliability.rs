//! Unattended operation: readers during an ingest, two ingests at once,
//! backup while ingesting, a full disk, hostile arguments, and property
//! tests of the query parser and the normaliser.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The Jawhara corpus as plain JSON Lines (about 10k articles).
fn feed(a: &Archive) -> Option<std::path::PathBuf> {
    let gz = shared_corpus("ant-jawharafm-2013-2017.jsonl.gz")?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(gz).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let p = a.path("feed.jsonl");
    std::fs::write(&p, text).unwrap();
    Some(p)
}

fn spawn_ingest(a: &Archive, input: &std::path::Path, extra: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .arg("--db")
        .arg(&a.db)
        .arg("ingest")
        .args(extra)
        .arg(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn articles_so_far(a: &Archive) -> i64 {
    rusqlite::Connection::open(&a.db)
        .and_then(|c| c.query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0)))
        .unwrap_or(0)
}

/// Wait (bounded) until the ingest has written some articles.
fn wait_for_progress(a: &Archive, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while articles_so_far(a) < 200 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest ended before the test could act"
        );
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sqlite3_reader_sees_a_consistent_snapshot_during_ingest() {
    let Some(sqlite3) = sqlite3() else { return };
    let a = Archive::new();
    let Some(input) = feed(&a) else { return };
    let mut ingest = spawn_ingest(&a, &input, &["--quiet"]);
    wait_for_progress(&a, &mut ingest);
    // One read transaction, many queries: every count must be the same.
    let mut script = String::from(".bail on\nBEGIN;\n");
    for _ in 0..300 {
        script.push_str(
            "SELECT count(*) FROM articles; SELECT count(*) FROM articles_fts_docsize;\n",
        );
    }
    script.push_str("COMMIT;\n");
    let mut reader = Command::new(&sqlite3)
        .arg(&a.db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    reader
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = reader.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(counts.len(), 600);
    assert!(
        counts.iter().all(|c| *c == counts[0]),
        "the snapshot moved: {:?}",
        &counts[..4]
    );
    let status = ingest.wait().unwrap();
    assert!(
        matches!(status.code(), Some(0) | Some(3)),
        "ingest failed while being read"
    );
    assert!(a.run(&["check"]).status.success());
}

#[test]
fn a_second_ingest_waits_or_exits_with_its_own_code() {
    let a = Archive::new();
    let Some(input) = feed(&a) else { return };
    let mut first = spawn_ingest(&a, &input, &["--quiet"]);
    wait_for_progress(&a, &mut first);
    let out = a.run(&["ingest", "--wait", "0", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("another marsad ingest is running") && !err.contains("database is locked"),
        "{err}"
    );
    // With --wait it runs after the first one and finds nothing new.
    let second = spawn_ingest(&a, &input, &["--wait", "300", "--json"]);
    let first_status = first.wait().unwrap();
    let out = second.wait_with_output().unwrap();
    assert!(matches!(first_status.code(), Some(0) | Some(3)));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (s["new"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{s}"
    );
}

#[test]
fn backup_during_ingest_is_consistent() {
    let a = Archive::new();
    let Some(input) = feed(&a) else { return };
    let mut ingest = spawn_ingest(&a, &input, &["--quiet"]);
    wait_for_progress(&a, &mut ingest);
    let dest = a.path("backup.db");
    let out = a.run(&["backup", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    ingest.wait().unwrap();
    let copy = Archive {
        dir: tempfile::tempdir().unwrap(),
        db: dest,
    };
    assert!(copy.run(&["check"]).status.success());
    assert!(copy.count("SELECT count(*) FROM articles") >= 200);
    // A backup never overwrites.
    let again = a.run(&["backup", copy.db.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_archive_stays_sound() {
    // 10 MiB: the seeds fit in an archive of 32 KiB pages (2.5 MB, built
    // through a 6.4 MB write-ahead log of its migrations), the feed does not.
    let Some(dir) = small_disk("10m") else { return };
    let a = Archive {
        db: dir.path().join("marsad.db"),
        dir: tempfile::tempdir().unwrap(),
    };
    let (s, code, _) = a.ingest_json(&[&seeds_dir()]);
    assert_eq!((code, s["new"].as_u64()), (0, Some(5)));
    let Some(input) = feed(&a) else { return };
    let out = a.run(&["ingest", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("full") || err.contains("disk"),
        "unclear message: {err}"
    );
    assert!(
        err.contains("free some space and run again; everything already committed is kept"),
        "{err}"
    );
    let check = a.run(&["check"]);
    assert!(check.status.success(), "{}", stdout(&check));
    assert!(a.count("SELECT count(*) FROM articles") >= 5);
    // The failed run counts what it committed, not what it rolled back.
    assert_eq!(
        a.count(
            "SELECT count(*) FROM v_runs r
             WHERE r.new_articles != (SELECT count(*) FROM articles a WHERE a.run_id = r.run_id)"
        ),
        0
    );

    // The same file system made read-only: a clear refusal, nothing changed.
    assert!(
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    let before = std::fs::read(&a.db).unwrap();
    let out = a.run(&["ingest", seeds_dir().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the archive's folder is on a read-only file system"),
        "{}",
        stderr(&out)
    );
    assert_eq!(before, std::fs::read(&a.db).unwrap());
}

#[test]
fn hostile_arguments_never_leak_sqlite_errors_or_write() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let long = "ح".repeat(50_000);
    let inputs = [
        "\"",
        "'; DROP TABLE articles; --",
        "حفتر\u{202e}روسيا",
        "NEAR(a b)",
        "title:",
        "*",
        "%",
        "_",
        long.as_str(),
    ];
    for s in inputs {
        for args in [
            vec!["mentions", "--", s],
            vec!["entity", "--", s],
            vec!["cooccur", "--", s, "حفتر"],
            vec!["search", "--entity", s, "--", "حفتر"],
        ] {
            let out = a.run(&args);
            let err = stderr(&out);
            assert!(
                !err.contains("SQL") && !err.contains("fts5") && !err.contains("syntax"),
                "{args:?}: {err}"
            );
        }
        let out = a.run(&[
            "sql",
            "SELECT count(*) AS n FROM articles WHERE title = :t",
            "-p",
            &format!("t={s}"),
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(a.count("SELECT count(*) FROM articles"), 5);
}

mod properties {
    use marsad::search::Query;
    use marsad::text::{normalize, tokens};
    use proptest::prelude::*;

    fn fts() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE VIRTUAL TABLE f USING fts5(title, body); INSERT INTO f VALUES ('حفتر', 'روسيا');").unwrap();
        c
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

        #[test]
        fn any_query_is_valid_fts5(s in "[\\PC\"*:^(){}+\\-ا-يOR NEAR AND]{0,40}") {
            let c = fts();
            if let Some(expr) = Query::parse(&s).to_fts() {
                let r: rusqlite::Result<i64> = c.query_row("SELECT count(*) FROM f WHERE f MATCH ?1", [&expr], |r| r.get(0));
                prop_assert!(r.is_ok(), "{s:?} gave {expr:?}: {r:?}");
            }
        }

        #[test]
        fn normalise_is_idempotent_and_tokens_slice(s in "\\PC{0,60}") {
            let n = normalize(&s);
            prop_assert_eq!(normalize(&n), n.clone());
            for t in tokens(&s) {
                let sliced: String = s.chars().skip(t.start).take(t.end - t.start).collect();
                prop_assert_eq!(sliced, t.surface);
            }
        }
    }
}

/// The names in a folder, sorted.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn backup_refuses_the_archives_own_files_and_leaves_nothing_on_failure() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let db = a.db.to_str().unwrap().to_string();
    std::fs::hard_link(&a.db, a.path("same-inode.db")).unwrap();
    std::fs::write(a.path("taken.db"), "x").unwrap();
    let before = names(a.dir.path());
    let archive = std::fs::read(&a.db).unwrap();
    for dest in [
        db.clone(),
        format!("{db}-wal"),
        format!("{db}-shm"),
        format!("{db}-journal"),
        format!("{db}.lock"),
        a.path("same-inode.db").to_str().unwrap().into(),
        a.path("taken.db").to_str().unwrap().into(),
        a.path("no/such/folder.db").to_str().unwrap().into(),
    ] {
        let out = a.run(&["backup", &dest]);
        assert_eq!(out.status.code(), Some(1), "{dest} accepted");
        let err = stderr(&out);
        assert!(
            err.contains("destination") && err.contains(&dest),
            "{dest}: {err}"
        );
        assert!(!stdout(&out).contains("checked"));
        assert_eq!(names(a.dir.path()), before, "{dest}");
    }
    assert_eq!(std::fs::read(&a.db).unwrap(), archive);
    // The same through another spelling of the path.
    let out = a
        .cmd()
        .current_dir(a.dir.path())
        .args(["backup", "./marsad.db-wal"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    // A missing source says so.
    let none = Archive {
        dir: tempfile::tempdir().unwrap(),
        db: a.path("none.db"),
    };
    let out = none.run(&["backup", a.path("b.db").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("source"), "{}", stderr(&out));
    // A good backup leaves only DEST (and the source's own WAL files, as any reader does).
    let out = a.run(&["backup", a.path("good.db").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let wal = |n: &String| n != "marsad.db-wal" && n != "marsad.db-shm";
    let mut expected = before.clone();
    expected.push("good.db".into());
    expected.retain(wal);
    expected.sort();
    let mut now = names(a.dir.path());
    now.retain(wal);
    assert_eq!(now, expected);
}

#[test]
fn a_backup_onto_a_full_disk_leaves_no_dest_and_no_temporary() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let Some(dir) = small_disk("64k") else { return };
    let dest = dir.path().join("copy.db");
    for _ in 0..2 {
        // A rerun meets the same clear error, not "already exists".
        let out = a.run(&["backup", dest.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains("destination") && err.contains("full"), "{err}");
        assert!(
            err.ends_with("free some space there and run again\n"),
            "{err}"
        );
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }
}

#[test]
fn check_on_a_damaged_page_names_it_and_says_what_to_do() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let (page_size, root): (i64, i64) = {
        let c = a.conn();
        (
            c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
            c.query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'entity_aliases_normalized'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        )
    };
    let pages = std::fs::metadata(&a.db).unwrap().len() as i64 / page_size;
    assert!(
        root > 1 && root < pages,
        "a page in the middle: {root} of {pages}"
    );
    // Overwrite the page's cell pointers (after its 8-byte leaf header).
    let mut bytes = std::fs::read(&a.db).unwrap();
    let at = ((root - 1) * page_size + 8) as usize;
    bytes[at..at + 64].fill(0xff);
    std::fs::write(&a.db, bytes).unwrap();
    // The nightly check finds it too, table by table.
    for args in [&["check"][..], &["check", "--quick"]] {
        let out = a.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(o.contains(&format!("page {root}")), "{args:?}: {o}");
        assert!(o.contains("entity_aliases_normalized"), "{args:?}: {o}");
        assert!(o.lines().count() <= 22, "{args:?}: {o}");
        assert!(
            e.contains("marsad backup") && e.contains(".recover"),
            "{args:?}: {e}"
        );
        assert!(
            !e.contains("malformed") || o.contains("integrity_check") || o.contains("quick_check"),
            "{args:?}: {e}"
        );
    }
}
