//! `export --format parquet DIR` read back by DuckDB (and, under `make
//! test-spark`, by Spark): the views' answers and Arabic term searches equal
//! SQLite's and `marsad search`'s; incremental runs equal one full export,
//! also after an entity merge moved old articles' mentions; a killed export
//! leaves a readable directory that the next run completes. Python with
//! duckdb (and pyspark) comes from PyPI: `.ci/run` installs them into .venv;
//! set MARSAD_PYTHON to another venv's python. One file past 500 lines: the
//! tests share the archive, export and query helpers at its top.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Engine {
    DuckDb,
    Spark,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::DuckDb => "duckdb",
            Engine::Spark => "spark",
        }
    }

    fn module(self) -> &'static str {
        match self {
            Engine::DuckDb => "duckdb",
            Engine::Spark => "pyspark",
        }
    }
}

/// A Python that imports the engine's module: $MARSAD_PYTHON or .venv's.
/// Missing: fails under CI, skips elsewhere.
pub fn python(engine: Engine) -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let found = std::env::var_os("MARSAD_PYTHON")
        .map(PathBuf::from)
        .or(Some(local))
        .filter(|p| {
            Command::new(p)
                .args(["-c", &format!("import {}", engine.module())])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Python with {} is missing; .ci/run installs it into .venv (or set MARSAD_PYTHON)",
            engine.module()
        );
        eprintln!(
            "skipping: no Python with {} (python3 -m venv .venv && .venv/bin/pip install {})",
            engine.module(),
            engine.module()
        );
    }
    found
}

fn query(py: &Path, engine: Engine, dir: &Path, args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parquet/query.py");
    let out = Command::new(py)
        .arg(script)
        .arg(engine.name())
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} on {}: {}",
        engine.name(),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn export(a: &Archive, dir: &Path) {
    let out = a
        .cmd()
        .args(["export", "--format", "parquet"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Rows of an SQLite query as JSON arrays.
fn rows(a: &Archive, sql: &str) -> Value {
    let conn = a.conn();
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    let out: Vec<Value> = st
        .query_map([], |r| {
            Ok(Value::Array(
                (0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(x) => json!(x),
                        rusqlite::types::ValueRef::Real(x) => json!(x),
                        rusqlite::types::ValueRef::Text(t) => {
                            json!(String::from_utf8_lossy(t))
                        }
                        rusqlite::types::ValueRef::Blob(_) => Value::Null,
                    })
                    .collect(),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    Value::Array(out)
}

/// Each query's words as the index terms `marsad analyze` gives (its
/// `query` column: the terms `marsad search` looks for).
fn analysed(a: &Archive, queries: &[&str]) -> Value {
    Value::Array(
        queries
            .iter()
            .map(|q| {
                let out = a.run(&["analyze", "--format", "json", q]);
                let words: Value = serde_json::from_slice(&out.stdout).unwrap();
                Value::Array(
                    words
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|w| json!(w["query"].as_str().unwrap().split(' ').collect::<Vec<_>>()))
                        .collect(),
                )
            })
            .collect(),
    )
}

fn search_ids(a: &Archive, q: &str) -> Vec<i64> {
    let out = a.run(&[
        "search", "--all", "--limit", "1000000", "--format", "json", q,
    ]);
    assert!(out.status.success(), "search {q}: {}", stderr(&out));
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<i64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

/// `v` (an array) sorted by each element's JSON text: engines order NULLs
/// differently.
fn sorted(v: &Value) -> Value {
    let mut items = v.as_array().cloned().unwrap_or_default();
    items.sort_by_key(|x| x.to_string());
    Value::Array(items)
}

/// The engine answers what the views and `marsad search` answer.
pub fn assert_same_answers(a: &Archive, engine: Engine, py: &Path, queries: &[&str]) {
    let dir = a.path("parquet");
    export(a, &dir);
    let searches = a.path("searches.json");
    std::fs::write(&searches, analysed(a, queries).to_string()).unwrap();
    let got = query(py, engine, &dir, &["checks", searches.to_str().unwrap()]);
    let want_stats = rows(
        a,
        "SELECT entity_id, articles, mentions, first_seen, last_seen FROM v_entity_stats ORDER BY entity_id",
    );
    assert!(want_stats.as_array().unwrap().len() > 10);
    assert_eq!(
        sorted(&got["entity_stats"]),
        sorted(&want_stats),
        "{}: v_entity_stats",
        engine.name()
    );
    let want_pairs = rows(
        a,
        "SELECT entity_a, entity_b, sentences_with_both, articles_with_both, first_date, last_date
         FROM v_cooccurrence ORDER BY entity_a, entity_b",
    );
    assert!(!want_pairs.as_array().unwrap().is_empty());
    assert_eq!(
        sorted(&got["cooccurrence"]),
        sorted(&want_pairs),
        "{}: v_cooccurrence",
        engine.name()
    );
    let want_months = rows(
        a,
        "SELECT outlet, month, articles FROM v_outlet_month ORDER BY outlet, month",
    );
    assert_eq!(
        sorted(&got["outlet_month"]),
        sorted(&want_months),
        "{}: v_outlet_month",
        engine.name()
    );
    for (i, q) in queries.iter().enumerate() {
        let want = search_ids(a, q);
        assert!(!want.is_empty(), "{q} finds nothing: a weak test");
        assert_eq!(
            got["search"][i],
            json!(want),
            "{}: search {q}",
            engine.name()
        );
    }
}

pub const SEED_QUERIES: &[&str] = &["حفتر", "وزير الدفاع", "روسيا", "بنغازي"];
pub const CORPUS_QUERIES: &[&str] = &[
    "ليبيا",
    "وزير الخارجية",
    "الانتخابات",
    "ترامب",
    "اللاجئين",
    "سوريا",
];

/// An archive of the seeds.
pub fn seeds_archive() -> Archive {
    let a = Archive::new();
    let out = a
        .cmd()
        .args(["ingest", "--quiet"])
        .arg(seeds_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    a
}

/// The first `n` lines of the 2018 corpus as a JSON Lines file in `a`'s
/// directory, cut in two halves.
pub fn corpus_sample(a: &Archive, n: usize) -> Option<(PathBuf, PathBuf)> {
    let gz = shared_corpus("ant-multisource-2018.jsonl.gz")?;
    let lines: Vec<String> = std::io::BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(gz).unwrap(),
    ))
    .lines()
    .take(n)
    .map(Result::unwrap)
    .collect();
    let write = |name: &str, part: &[String]| {
        let p = a.path(name);
        let mut f = std::fs::File::create(&p).unwrap();
        for l in part {
            writeln!(f, "{l}").unwrap();
        }
        p
    };
    Some((
        write("first.jsonl", &lines[..n / 2]),
        write("second.jsonl", &lines[n / 2..]),
    ))
}

fn ingest(a: &Archive, p: &Path) {
    let out = a.cmd().args(["ingest", "--quiet"]).arg(p).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn duckdb_reads_the_seeds_as_the_views_and_search_do() {
    let Some(py) = python(Engine::DuckDb) else {
        return;
    };
    let a = seeds_archive();
    assert_same_answers(&a, Engine::DuckDb, &py, SEED_QUERIES);
    // Offsets are code points into the body, as in the archive.
    let dir = a.path("parquet");
    let got = query(&py, Engine::DuckDb, &dir, &["digest"]);
    assert_eq!(
        got["mentions"][0],
        json!(a.count("SELECT count(*) FROM mentions"))
    );
    assert_eq!(got["articles"][0], json!(5));
}

#[test]
fn duckdb_reads_a_corpus_sample_as_the_views_and_search_do() {
    let Some(py) = python(Engine::DuckDb) else {
        return;
    };
    let a = Archive::new();
    let Some((first, second)) = corpus_sample(&a, 2000) else {
        return;
    };
    ingest(&a, &first);
    ingest(&a, &second);
    assert_same_answers(&a, Engine::DuckDb, &py, CORPUS_QUERIES);
}

#[test]
fn mention_offsets_are_code_points_into_the_body() {
    let Some(py) = python(Engine::DuckDb) else {
        return;
    };
    let a = seeds_archive();
    let dir = a.path("parquet");
    export(&a, &dir);
    let script = format!(
        "import duckdb, sys\n\
         c = duckdb.connect()\n\
         d = sys.argv[1]\n\
         bad = c.execute(f\"\"\"SELECT count(*) FROM read_parquet('{{d}}/mentions/*/*.parquet') m
           JOIN read_parquet('{{d}}/articles/*/*.parquet') a ON a.id = m.article_id
           WHERE substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start + 1, m.\"end\" - m.start) != m.surface\"\"\").fetchone()[0]\n\
         n = c.execute(f\"SELECT count(*) FROM read_parquet('{{d}}/mentions/*/*.parquet')\").fetchone()[0]\n\
         print(bad, n)\n"
    );
    let out = Command::new(&py)
        .args(["-c", &script])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let (bad, n) = text.trim().split_once(' ').unwrap();
    assert_eq!(bad, "0");
    assert!(n.parse::<i64>().unwrap() > 400, "{text}");
}

#[test]
fn incremental_runs_equal_one_full_export() {
    let Some(py) = python(Engine::DuckDb) else {
        return;
    };
    let a = Archive::new();
    let Some((first, second)) = corpus_sample(&a, 1200) else {
        return;
    };
    let inc = a.path("incremental");
    ingest(&a, &first);
    export(&a, &inc);
    ingest(&a, &second);
    export(&a, &inc);
    // Nothing new: a third run writes no part file.
    let files = |d: &Path| {
        let m: Value =
            serde_json::from_slice(&std::fs::read(d.join("marsad-export.json")).unwrap()).unwrap();
        m["tables"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|t| t["partitions"].as_object().unwrap().values())
            .map(|p| p["files"].as_array().unwrap().len())
            .sum::<usize>()
    };
    let before = files(&inc);
    export(&a, &inc);
    assert_eq!(files(&inc), before);
    let full = a.path("full");
    export(&a, &full);
    let want = query(&py, Engine::DuckDb, &full, &["digest"]);
    assert_eq!(query(&py, Engine::DuckDb, &inc, &["digest"]), want);
    assert_eq!(
        want["articles"][0],
        json!(a.count("SELECT count(*) FROM articles"))
    );

    // An entity merge moves old articles' mentions: the next run rewrites
    // those partitions, and again equals a full export.
    let top: String = a
        .conn()
        .query_row(
            "SELECT entity_id FROM v_entity_stats WHERE status = 'accepted' ORDER BY mentions DESC LIMIT 2 OFFSET 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let first_id: String = a
        .conn()
        .query_row(
            "SELECT entity_id FROM v_entity_stats WHERE status = 'accepted' ORDER BY mentions DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = a.run(&["entity", "merge", &top, &first_id]);
    assert!(out.status.success(), "{}", stderr(&out));
    export(&a, &inc);
    let full2 = a.path("full2");
    export(&a, &full2);
    let want2 = query(&py, Engine::DuckDb, &full2, &["digest"]);
    assert_ne!(
        want2["mentions"], want["mentions"],
        "the merge changed nothing"
    );
    assert_eq!(query(&py, Engine::DuckDb, &inc, &["digest"]), want2);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn count_parts(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(".parquet") {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn a_killed_export_leaves_a_readable_directory_that_the_next_run_completes() {
    let Some(py) = python(Engine::DuckDb) else {
        return;
    };
    let a = Archive::new();
    let Some((first, second)) = corpus_sample(&a, 1200) else {
        return;
    };
    ingest(&a, &first);
    let dir = a.path("killed");
    // A run that finishes before its kill leaves nothing for the next round to
    // resume, so the directory goes back to where its phase started: empty in
    // the first phase, one complete export of `first` in the second.
    let base = a.path("killed-base");
    let restore = |from: Option<&Path>| {
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(from) = from {
            copy_dir(from, &dir);
        }
    };
    let mut rng = 4242u64;
    let mut kills = 0;
    for phase in 0..2 {
        if phase == 1 {
            // The second phase's kills land in incremental runs over new articles.
            restore(None);
            export(&a, &dir);
            copy_dir(&dir, &base);
            ingest(&a, &second);
        }
        let mut phase_kills = 0;
        for _ in 0..12 {
            if phase_kills == 4 {
                break;
            }
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Kill once the directory shows this many more files (complete or
            // being written) than before the run.
            let step = 1 + (rng >> 33) as usize % 6;
            let before = count_parts(&dir);
            let mut child = Command::new(assert_cmd::cargo::cargo_bin("marsad"))
                .arg("--db")
                .arg(&a.db)
                .args(["export", "--format", "parquet"])
                .arg(&dir)
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut killed = false;
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if count_parts(&dir) >= before + step || Instant::now() > deadline {
                    child.kill().unwrap();
                    killed = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            child.wait().unwrap();
            if dir.join("marsad-export.json").exists() {
                // Once a run got as far as its first manifest, a killed run
                // leaves every table readable as it stands.
                query(&py, Engine::DuckDb, &dir, &["digest"]);
            }
            if killed {
                kills += 1;
                phase_kills += 1;
            } else {
                restore((phase == 1).then_some(base.as_path()));
            }
        }
    }
    eprintln!("{kills} of 8 kills landed");
    assert!(kills >= 6, "only {kills} of 8 kills landed");
    export(&a, &dir);
    let full = a.path("full");
    export(&a, &full);
    assert_eq!(
        query(&py, Engine::DuckDb, &dir, &["digest"]),
        query(&py, Engine::DuckDb, &full, &["digest"])
    );
}

/// `make test-spark` (MARSAD_SPARK=1): the same answers from Spark in local mode.
#[test]
fn spark_reads_the_export_as_the_views_and_search_do() {
    if std::env::var_os("MARSAD_SPARK").is_none() {
        eprintln!("skipping: Spark runs under `make test-spark` (MARSAD_SPARK=1)");
        return;
    }
    let Some(py) = python(Engine::Spark) else {
        return;
    };
    let a = seeds_archive();
    assert_same_answers(&a, Engine::Spark, &py, SEED_QUERIES);
    let b = Archive::new();
    let Some((first, second)) = corpus_sample(&b, 2000) else {
        return;
    };
    ingest(&b, &first);
    ingest(&b, &second);
    assert_same_answers(&b, Engine::Spark, &py, CORPUS_QUERIES);
    // Spark and DuckDB read the same rows.
    if let Some(duck) = python(Engine::DuckDb) {
        let dir = b.path("parquet");
        let s = query(&py, Engine::Spark, &dir, &["digest"]);
        let d = query(&duck, Engine::DuckDb, &dir, &["digest"]);
        for t in ["articles", "mentions", "entities", "stories"] {
            assert_eq!(s[t][0], d[t][0], "{t}");
        }
    }
}

/// marsad never writes into, or removes from, a directory that is not its
/// export, and a table name is not taken for a directory.
#[test]
fn export_refuses_a_foreign_directory_and_a_table_name() {
    let a = seeds_archive();
    let dir = a.path("mine");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "keep me").unwrap();
    let out = a
        .cmd()
        .args(["export", "--format", "parquet"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let out = a
        .cmd()
        .current_dir(a.dir.path())
        .args(["export", "articles", "--format", "parquet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!a.path("articles").exists());
    // The archive records the last export in meta.
    export(&a, &a.path("out"));
    let record: String = a
        .conn()
        .query_row(
            "SELECT value FROM meta WHERE key = 'last_export'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let record: Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["rows"]["articles"], json!(5));
    // and `info` shows it.
    let info: Value = serde_json::from_slice(&a.run(&["info", "--format", "json"]).stdout).unwrap();
    assert_eq!(info["last_export"]["generation"], record["generation"]);
    assert_eq!(info["last_export"]["dir"], record["dir"]);
}

#[test]
fn a_second_export_into_a_directory_being_written_is_refused() {
    let a = seeds_archive();
    let dir = a.path("pq");
    export(&a, &dir);
    let before = std::fs::read(dir.join("marsad-export.json")).unwrap();
    // Hold the lock as a running export does.
    let held = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join("marsad-export.json.lock"))
        .unwrap();
    held.lock().unwrap();
    let out = a
        .cmd()
        .args(["export", "--format", "parquet"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("another `marsad export` is writing"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.join("marsad-export.json")).unwrap(),
        before
    );
    held.unlock().unwrap();
    let file = a.path("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = a
        .cmd()
        .args(["export", "--format", "parquet"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
}
