//! A run killed mid-ingest leaves an archive that passes `check`, and the
//! next run completes it to exactly what one clean run produces.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::common::*;

/// Counts, content hashes, and the derived state (mentions, sentence index,
/// near-duplicate links and stories, named by content so that they compare
/// across archives).
#[derive(Debug, PartialEq)]
struct Snapshot {
    counts: Vec<i64>,
    hashes: String,
    links: Option<String>,
    stories: Option<String>,
}

fn snapshot(a: &Archive) -> Snapshot {
    let conn = a.conn();
    let text = |sql: &str| -> Option<String> { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    Snapshot {
        counts: [
            "SELECT count(*) FROM articles",
            "SELECT count(*) FROM sightings",
            "SELECT count(*) FROM articles_fts_docsize",
            "SELECT count(*) FROM mentions",
            "SELECT count(*) FROM sentences_fts",
            "SELECT count(*) FROM minhash",
        ]
        .iter()
        .map(|q| a.count(q))
        .collect(),
        hashes: text("SELECT group_concat(content_sha256, ',') FROM (SELECT content_sha256 FROM articles ORDER BY content_sha256)").unwrap_or_default(),
        links: text(
            "SELECT group_concat(p, ',') FROM (SELECT x.content_sha256 || '~' || y.content_sha256 AS p
             FROM near_duplicates d JOIN articles x ON x.id = d.a JOIN articles y ON y.id = d.b ORDER BY p)",
        ),
        stories: text(
            "SELECT group_concat(m, ';') FROM (SELECT group_concat(h, ',') AS m FROM
               (SELECT s.story_id, a.content_sha256 AS h FROM stories s JOIN articles a ON a.id = s.article_id
                WHERE s.story_id IN (SELECT story_id FROM stories GROUP BY story_id HAVING count(*) > 1)
                ORDER BY s.story_id, h)
             GROUP BY story_id ORDER BY m)",
        ),
    }
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
    // The corpus has near-copies, so comparing links and stories means something.
    assert!(want.links.is_some() && want.stories.is_some(), "{want:?}");

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
        // No process holds the archive: info does not call the killed run running.
        let info: serde_json::Value =
            serde_json::from_slice(&a.run(&["info", "--format", "json"]).stdout)
                .unwrap_or_default();
        assert_ne!(
            info["last_run"]["status"], "running",
            "after kill {round}: {info}"
        );
        // Every run, the killed ones too, counts exactly the articles it committed.
        let untrue = a.count(
            "SELECT count(*) FROM v_runs r
             WHERE r.new_articles != (SELECT count(*) FROM articles a WHERE a.run_id = r.run_id)",
        );
        assert_eq!(
            untrue, 0,
            "after kill {round}: runs whose counts are not what they committed"
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
