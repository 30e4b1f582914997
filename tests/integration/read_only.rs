//! Readers never write: every command that only reads opens the archive
//! read-only, refuses what is not a marsad archive, and leaves the bytes of
//! any file it is given unchanged; and marsad never locks out stock sqlite3
//! readers (which wait 0 ms on a lock).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::common::*;
use sha2::{Digest, Sha256};

/// marsad with `--db db` (Archive::cmd names the archive's own path).
fn marsad_at(db: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("marsad").unwrap();
    c.arg("--db").arg(db).env_remove("MARSAD_DB");
    c
}

fn digest(p: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(p).unwrap()).to_vec()
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Every command that only reads, with arguments that make it succeed on
/// the seeds.
const READ_COMMANDS: &[&[&str]] = &[
    &["info"],
    &["search", "حفتر"],
    &["show", "1"],
    &["check"],
    &["entities", "--limit", "3"],
    &["entity", "حفتر"],
    &["mentions", "حفتر", "--limit", "3"],
    &["cooccur", "حفتر", "روسيا"],
    &["views"],
    &["sql", "SELECT count(*) FROM articles"],
    &["run", "who-met-whom"],
    &["export", "articles"],
    &["duplicates"],
];

#[test]
fn read_commands_leave_the_archive_unchanged_and_do_not_checkpoint() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let wal = sidecar(&a.db, "-wal");
    // The ingest checkpointed what it wrote and kept an empty WAL.
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).ok(), Some(0));
    let before = digest(&a.db);
    for args in READ_COMMANDS {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(digest(&a.db), before, "{args:?} changed the archive");
        // Closing as the last connection, SQLite would have taken an
        // exclusive lock to checkpoint and then deleted the WAL.
        assert!(wal.exists(), "{args:?} checkpointed and removed the WAL");
    }
}

#[test]
fn another_applications_sqlite_file_is_refused_and_unchanged() {
    let a = Archive::new();
    {
        let c = rusqlite::Connection::open(&a.db).unwrap();
        c.execute_batch(
            "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO customers(name) VALUES ('x');",
        )
        .unwrap();
    }
    let before = digest(&a.db);
    let seeds = seeds_dir();
    let mut all: Vec<Vec<&str>> = READ_COMMANDS.iter().map(|c| c.to_vec()).collect();
    all.push(vec!["ingest", seeds.to_str().unwrap()]);
    all.push(vec!["migrate"]);
    all.push(vec!["reindex"]);
    all.push(vec!["entity", "alias", "حفتر", "المشير"]);
    for args in &all {
        let out = a.run(args);
        assert!(!out.status.success(), "{args:?} accepted a foreign file");
        assert!(
            stderr(&out).contains("not a marsad archive") && stderr(&out).contains("customers"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(digest(&a.db), before, "{args:?} changed the file");
        assert!(!sidecar(&a.db, "-wal").exists(), "{args:?} made a WAL");
        assert!(
            !sidecar(&a.db, ".lock").exists(),
            "{args:?} made a lock file"
        );
    }
    // Not SQLite at all.
    let text = a.path("notes.db");
    std::fs::write(&text, "شكرا\n").unwrap();
    for args in [&["info"][..], &["ingest", seeds.to_str().unwrap()]] {
        let out = marsad_at(&text).args(args).output().unwrap();
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("not an SQLite file"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "شكرا\n");
}

#[test]
fn missing_paths_folders_devices_and_memory_are_refused() {
    let a = Archive::new();
    for args in READ_COMMANDS {
        let out = a.run(args);
        assert!(!out.status.success(), "{args:?} on a missing file");
        assert!(
            stderr(&out).contains("no archive here"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!a.db.exists(), "{args:?} created an archive");
    }
    // Nor does `migrate` make an archive of a mistyped path.
    let out = a.run(&["migrate"]);
    assert!(
        !out.status.success() && stderr(&out).contains("no archive here"),
        "{}",
        stderr(&out)
    );
    assert!(!a.db.exists());
    let seeds = seeds_dir();
    let seeds = seeds.to_str().unwrap();
    let folder = a.dir.path().to_str().unwrap().to_string();
    for (db, says) in [
        (":memory:", "keeps its archive in a file"),
        ("file:x.db?mode=memory", "keeps its archive in a file"),
        ("/dev/null", "not a regular file"),
        (folder.as_str(), "is a folder"),
    ] {
        for args in [&["info"][..], &["ingest", seeds], &["migrate"]] {
            let out = marsad_at(Path::new(db)).args(args).output().unwrap();
            assert!(!out.status.success(), "--db {db} {args:?} was accepted");
            assert!(stderr(&out).contains(says), "--db {db}: {}", stderr(&out));
        }
    }
    assert!(!Path::new("/dev/null-journal").exists());
    assert!(!Path::new("/dev/null-wal").exists());
}

#[test]
fn an_archive_that_needs_migrating_is_not_migrated_by_a_reader() {
    let a = Archive::new();
    {
        let mut s = marsad::store::Store::open_unmigrated(&a.db).unwrap();
        s.migrate(Some(11)).unwrap();
    }
    let before = digest(&a.db);
    for args in [&["info"][..], &["search", "حفتر"], &["check"]] {
        let out = a.run(args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("run `marsad migrate`"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(digest(&a.db), before, "{args:?} changed an old archive");
    }
    assert!(a.run(&["migrate"]).status.success());
    assert!(a.run(&["info"]).status.success());
    assert!(a.run(&["check"]).status.success());
}

/// Fresh stock sqlite3 readers, one after another, for as long as `busy`
/// holds; returns their "database is locked" failures.
fn stock_readers(sqlite3: PathBuf, db: PathBuf, busy: Arc<AtomicBool>) -> Vec<String> {
    let mut locked = Vec::new();
    let mut runs = 0;
    while busy.load(Ordering::SeqCst) || runs == 0 {
        runs += 1;
        let out = Command::new(&sqlite3)
            .arg(&db)
            .arg("SELECT count(*) FROM articles")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if err.contains("locked") || err.contains("busy") {
            locked.push(err);
        }
    }
    locked
}

#[test]
fn stock_sqlite3_readers_are_never_locked_out_by_ingests() {
    let sqlite3 = sqlite3().expect("stock sqlite3");
    let Some(gz) = shared_corpus("ant-jawharafm-2013-2017.jsonl.gz") else {
        return;
    };
    let a = Archive::new();
    // Five inputs of 1,500 articles: five ingests, the first creating the archive.
    let text = {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(gz).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let lines: Vec<&str> = text.lines().take(7500).collect();
    let failures = Arc::new(Mutex::new(Vec::new()));
    for (i, chunk) in lines.chunks(1500).enumerate() {
        let input = a.path(&format!("part{i}.jsonl"));
        std::fs::write(&input, chunk.join("\n")).unwrap();
        let busy = Arc::new(AtomicBool::new(true));
        let reader = {
            let (s, d, b) = (sqlite3.clone(), a.db.clone(), busy.clone());
            std::thread::spawn(move || stock_readers(s, d, b))
        };
        let out = a
            .cmd()
            .arg("ingest")
            .arg("--quiet")
            .arg(&input)
            .output()
            .unwrap();
        busy.store(false, Ordering::SeqCst);
        let locked = reader.join().unwrap();
        failures.lock().unwrap().extend(
            locked
                .into_iter()
                .map(|e| format!("during ingest {i}: {e}")),
        );
        assert!(
            matches!(out.status.code(), Some(0) | Some(3)),
            "ingest {i}: {}",
            stderr(&out)
        );
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} stock readers were locked out: {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert!(a.count("SELECT count(*) FROM articles") > 7000);
}

/// A new archive is built as ARCHIVE.new and renamed; what a killed
/// creation left there is cleared by the next ingest.
#[test]
fn a_killed_creation_leaves_nothing_in_the_way() {
    let a = Archive::new();
    let stale = sidecar(&a.db, ".new");
    std::fs::write(&stale, "half an archive").unwrap();
    std::fs::write(sidecar(&a.db, ".new-wal"), "junk").unwrap();
    let (s, code, err) = a.ingest_json(&[&seeds_dir()]);
    assert_eq!((code, s["new"].as_u64()), (0, Some(5)), "{err}");
    assert!(!stale.exists() && !sidecar(&a.db, ".new-wal").exists());
    assert!(a.run(&["check"]).status.success());
}

/// The bytes of the archive and its WAL, which a reader must leave alone.
fn archive_bytes(db: &Path) -> (Vec<u8>, Vec<u8>) {
    let wal = std::fs::read(sidecar(db, "-wal")).unwrap_or_default();
    (digest(db), Sha256::digest(wal).to_vec())
}

#[test]
fn read_commands_work_on_an_archive_an_ingest_holds() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    // An ingest from a feed that has not sent anything yet: it holds the
    // ingest lock and waits for its input.
    let mut ingest = std::process::Command::new(env!("CARGO_BIN_EXE_marsad"))
        .arg("--db")
        .arg(&a.db)
        .args(["ingest", "-", "--format", "jsonl"])
        .env_remove("MARSAD_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It has taken the lock once its run is recorded (probing the lock
    // itself could make the ingest find it taken).
    let conn =
        rusqlite::Connection::open_with_flags(&a.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let runs = || -> i64 {
        conn.query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .unwrap()
    };
    let started = std::time::Instant::now();
    while runs() < 2 {
        assert!(
            started.elapsed().as_secs() < 60,
            "the ingest never started its run"
        );
        if ingest.try_wait().unwrap().is_some() {
            let out = ingest.wait_with_output().unwrap();
            panic!("the ingest ended early: {}", stderr(&out));
        }
        std::thread::yield_now();
    }
    drop(conn);
    let before = archive_bytes(&a.db);
    for args in READ_COMMANDS {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(archive_bytes(&a.db), before, "{args:?} changed the archive");
    }
    // The ingest still holds its lock: a writer is refused and says why.
    let out = a.run(&["reindex"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("another marsad ingest is running"));
    let mut feed = ingest.stdin.take().unwrap();
    use std::io::Write;
    writeln!(
        feed,
        r#"{{"title": "خبر", "text": "وصل الوفد إلى بنغازي صباح اليوم."}}"#
    )
    .unwrap();
    drop(feed);
    let out = ingest.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Copy a file onto a disk that is to be remounted read-only, in a child
/// process: a file this (multi-threaded) test process opened there could be
/// inherited, still open for writing, by a child another test forks at that
/// instant, and the remount would find the disk busy.
fn copy_onto(from: &Path, to: &Path) {
    let copied = Command::new("cp").arg(from).arg(to).status().unwrap();
    assert!(copied.success(), "cp {} {}", from.display(), to.display());
}

#[cfg(target_os = "linux")]
fn remount_read_only(dir: &std::path::Path) {
    let remounted = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(remounted.success());
}

/// Every command of [`READ_COMMANDS`] succeeds on `db` and leaves its bytes.
fn every_reader_reads_and_changes_nothing(db: &std::path::Path) {
    let before = archive_bytes(db);
    for args in READ_COMMANDS {
        let out = marsad_at(db).args(*args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(archive_bytes(db), before, "{args:?}");
    }
}

/// The archive file alone on a read-only medium (copied without its -wal
/// and -shm): SQLite cannot create the -wal it reads through, and stock
/// sqlite3 fails there; marsad reads the file as it stands. Commits left in
/// a -wal it cannot share get a message saying what to do.
#[test]
fn an_archive_alone_on_a_read_only_medium_is_read() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let Some(disk) = small_disk("64m") else {
        return;
    };
    // Same bytes, in a folder whose name needs escaping in a file: URI.
    let folder = disk.path().join("نسخة ?#%");
    std::fs::create_dir(&folder).unwrap();
    let alone = folder.join("marsad.db");
    copy_onto(&a.db, &alone);
    // Commits still in a WAL, which the file alone does not hold (made
    // beside the archive, then copied without its -shm).
    let staged = a.path("pending.db");
    std::fs::copy(&a.db, &staged).unwrap();
    {
        let c = rusqlite::Connection::open(&staged).unwrap();
        c.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; UPDATE articles SET title = title || '.' WHERE id = 1;",
        )
        .unwrap();
    }
    assert!(std::fs::metadata(sidecar(&staged, "-wal")).unwrap().len() > 0);
    let pending = disk.path().join("pending.db");
    copy_onto(&staged, &pending);
    copy_onto(&sidecar(&staged, "-wal"), &sidecar(&pending, "-wal"));
    remount_read_only(disk.path());
    every_reader_reads_and_changes_nothing(&alone);
    let n = marsad_at(&alone)
        .args(["sql", "--format", "csv", "SELECT count(*) FROM articles"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&n).lines().last(),
        Some(
            a.count("SELECT count(*) FROM articles")
                .to_string()
                .as_str()
        )
    );
    let out = marsad_at(&pending).arg("info").output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("copy the archive with its -wal"),
        "{}",
        stderr(&out)
    );
}

/// The archive file alone in a folder its reader may not write (copied
/// there by someone else; the file itself writable or not): SQLite cannot
/// make the -shm it reads through and says "attempt to write a readonly
/// database"; marsad reads the file as it stands, as on a read-only medium.
/// Needs root, to read as another user.
#[cfg(target_os = "linux")]
#[test]
fn an_archive_alone_in_a_folder_its_reader_cannot_write_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let root = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&root.stdout).trim() != "0" {
        assert!(
            std::env::var_os("CI").is_none(),
            "this test reads as another user: run it as root"
        );
        eprintln!("skipping: not root");
        return;
    }
    let top = tempfile::tempdir().unwrap();
    std::fs::set_permissions(top.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("marsad");
    let expected = a.count("SELECT count(*) FROM articles").to_string();
    for file_mode in [0o644, 0o666] {
        let folder = top.path().join(format!("ro-{file_mode:o}"));
        std::fs::create_dir(&folder).unwrap();
        let db = folder.join("marsad.db");
        copy_onto(&a.db, &db);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(file_mode)).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
        let before = digest(&db);
        for args in [
            &["info"][..],
            &["check", "--quick"],
            &["entity", "khalifa-haftar"],
            &["sql", "--format", "csv", "SELECT count(*) FROM articles"],
        ] {
            let out = Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin)
                .arg("--db")
                .arg(&db)
                .args(args)
                .env_remove("MARSAD_DB")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{file_mode:o} {args:?}: {}",
                stderr(&out)
            );
            if args[0] == "sql" {
                assert_eq!(stdout(&out).lines().last(), Some(expected.as_str()));
            }
        }
        assert_eq!(digest(&db), before);
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn read_commands_work_on_a_read_only_file_system() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let Some(disk) = small_disk("64m") else {
        return;
    };
    for suffix in ["", "-wal", "-shm"] {
        let from = sidecar(&a.db, suffix);
        if from.exists() {
            copy_onto(&from, &sidecar(&disk.path().join("marsad.db"), suffix));
        }
    }
    remount_read_only(disk.path());
    let db = disk.path().join("marsad.db");
    let before = archive_bytes(&db);
    every_reader_reads_and_changes_nothing(&db);
    // Writers say where the trouble is and change nothing.
    let out = marsad_at(&db)
        .args(["ingest", &seeds_dir().to_string_lossy()])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("read-only file system"),
        "{}",
        stderr(&out)
    );
    assert_eq!(archive_bytes(&db), before);
}
