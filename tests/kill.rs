//! A run killed mid-ingest leaves an archive that passes `check`, and the
//! next run completes it to exactly what one clean run produces.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::*;

fn snapshot(a: &Archive) -> (i64, i64, i64, String) {
    let conn = a.conn();
    let hashes: String = conn
        .query_row("SELECT group_concat(content_sha256, ',') FROM (SELECT content_sha256 FROM articles ORDER BY content_sha256)", [], |r| r.get(0))
        .unwrap();
    (
        a.count("SELECT count(*) FROM articles"),
        a.count("SELECT count(*) FROM sightings"),
        a.count("SELECT count(*) FROM articles_fts"),
        hashes,
    )
}

#[test]
fn killed_runs_resume_to_the_clean_result() {
    let Some(gz) = shared_corpus("ant-jawharafm-2013-2017.jsonl.gz") else {
        eprintln!("skipping: shared corpus not present");
        return;
    };
    let clean = Archive::new();
    let jsonl = clean.path("feed.jsonl");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    std::fs::write(&jsonl, &text).unwrap();
    clean.ingest_json(&[&jsonl]);
    let want = snapshot(&clean);

    let a = Archive::new();
    let mut kills = 0;
    // `make test` kills 20 times; `make soak` sets MARSAD_KILLS=200.
    let rounds: i64 = std::env::var("MARSAD_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    // Kill as soon as the archive shows progress beyond the last kill point:
    // a varying number of records, so kills land at different instants.
    let mut rng = 12345u64;
    for round in 0..rounds {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let step = 1 + (rng >> 33) as i64 % 400;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("marsad"))
            .arg("--db")
            .arg(&a.db)
            .args(["ingest", "--quiet"])
            .arg(&jsonl)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let before = sightings(&a);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let now = sightings(&a);
            if now > before + step || Instant::now() > deadline {
                child.kill().unwrap();
                kills += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.wait().unwrap();
        let check = a.run(&["check"]);
        assert!(
            check.status.success(),
            "after kill {round}: {}",
            stdout(&check)
        );
    }
    let (s, code, err) = a.ingest_json(&[&jsonl]);
    assert!(code == 3 || code == 0, "{err}");
    assert_eq!(
        snapshot(&a),
        want,
        "after {kills} kills and a final run ({s})"
    );
    assert!(kills >= 1, "no run was killed: the test proved nothing");
}

/// Sightings so far, or 0 while the archive is still being created.
fn sightings(a: &Archive) -> i64 {
    rusqlite::Connection::open(&a.db)
        .and_then(|c| c.query_row("SELECT count(*) FROM sightings", [], |r| r.get::<_, i64>(0)))
        .unwrap_or(0)
}
