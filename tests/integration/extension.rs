//! marsad's SQL functions everywhere the archive is opened: the loadable
//! extension (target/release/libmarsad_ext.so, built by `make build` and
//! `make test`) in Debian's sqlite3 3.40 and in Python's sqlite3, the same
//! functions built into `marsad sql`, and Datasette with the extension and
//! plugin: for 30 queries on 2,000 articles of the 2018 corpus (every 15th,
//! so the whole year), each finds the articles `marsad search --all` finds.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::*;

/// The extension; `make test` builds it (`cargo build --release -p
/// marsad-sqlite-ext`), or MARSAD_EXTENSION names another build.
pub fn extension() -> PathBuf {
    let p = std::env::var_os("MARSAD_EXTENSION")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/libmarsad_ext.so")
        });
    assert!(
        p.exists(),
        "{} is missing: `make test` builds it (cargo build --release --locked -p marsad-sqlite-ext)",
        p.display()
    );
    p
}

/// Ids `marsad search QUERY --all` finds, sorted.
pub fn cli_ids(a: &Archive, query: &str) -> Vec<i64> {
    let out = a.run(&[
        "search", query, "--all", "--limit", "1000000", "--format", "json",
    ]);
    assert!(out.status.success(), "{query}: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Run `script` in Debian's sqlite3 on `db` after `.load`ing the extension.
fn sqlite3_with_extension(sqlite3: &Path, db: &Path, script: &str) -> String {
    let mut child = Command::new(sqlite3)
        .arg("-batch")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ext = extension();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, ".bail on\n.load {}\n{script}", ext.display()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "sqlite3: {}", stderr(&out));
    stdout(&out)
}

/// A Python whose sqlite3 module loads extensions, with the module's name:
/// Debian's python3 (its sqlite3 is built with extension loading), else the
/// venv's pysqlite3 (pysqlite3-binary, which `.ci/run` installs for Datasette).
fn python() -> Option<(PathBuf, &'static str)> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let from_datasette =
        std::env::var_os("MARSAD_DATASETTE").map(|d| PathBuf::from(d).with_file_name("python"));
    let candidates = [
        (PathBuf::from("/usr/bin/python3"), "sqlite3"),
        (PathBuf::from("python3"), "sqlite3"),
    ]
    .into_iter()
    .chain(
        [Some(venv), from_datasette]
            .into_iter()
            .flatten()
            .map(|p| (p, "pysqlite3")),
    );
    for (py, module) in candidates {
        let ok = Command::new(&py)
            .arg("-c")
            .arg(format!(
                "import {module} as s; s.connect(':memory:').enable_load_extension(True)"
            ))
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some((py, module));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "no Python whose sqlite3 loads extensions (Debian's python3 does; .ci/run installs pysqlite3-binary into .venv)"
    );
    eprintln!("skipping: no Python whose sqlite3 loads extensions");
    None
}

/// In Python: for each query (one per line on stdin), the sorted ids it
/// finds with `MATCH marsad_match(?)`, one line of JSON each.
const PYTHON_SEARCH: &str = r#"
import json, sys
import importlib
s = importlib.import_module(sys.argv[1])
c = s.connect(sys.argv[2])
c.enable_load_extension(True)
c.load_extension(sys.argv[3])
c.enable_load_extension(False)
for q in sys.stdin.read().split("\n")[:-1]:
    ids = [r[0] for r in c.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH marsad_match(?) ORDER BY rowid", [q])]
    print(json.dumps(ids))
"#;

/// The 30 queries: word forms, phrases, OR, exclusions, prefixes, title:.
const QUERIES: &[&str] = &[
    "الروسية",
    "الوزير",
    "خاشقجي",
    "وزير",
    "لروسيا",
    "روسيا",
    "والرئيس",
    "السعودية",
    "بالحكومة",
    "الأمريكي",
    "ترامب",
    "للصحة",
    "الانتخابات",
    "إيران",
    "والاقتصاد",
    "\"خليفة حفتر\"",
    "\"وزير الدفاع\"",
    "\"الأمم المتحدة\"",
    "\"ولي العهد\"",
    "\"البيت الأبيض\"",
    "روسيا OR إيران",
    "ترامب OR بوتين",
    "قطر OR الإمارات",
    "روسيا -سوريا",
    "الوزير -السعودية",
    "\"وزير الدفاع\" -الأمريكي",
    "روس*",
    "title:ترامب",
    "الوزير الروسي",
    "السعودية النفط",
];

#[test]
fn thirty_queries_find_the_same_articles_everywhere() {
    let Some(corpus) = shared_corpus("ant-multisource-2018.jsonl.gz") else {
        return;
    };
    let Some(sqlite3) = sqlite3() else { return };
    let datasette = crate::datasette::datasette();
    let python = python();
    assert_eq!(QUERIES.len(), 30);

    // 2,000 articles from the whole of 2018 (every 15th line of 31,525):
    // the first 2,000 are from the spring, before Khashoggi's death.
    let a = Archive::new();
    let sample = a.path("sample.jsonl");
    let mut out = std::fs::File::create(&sample).unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(corpus).unwrap());
    for line in std::io::BufReader::new(gz).lines().step_by(15).take(2000) {
        writeln!(out, "{}", line.unwrap()).unwrap();
    }
    drop(out);
    let (summary, code, err) = a.ingest_json(&[&sample]);
    assert_eq!(code, 0, "{summary} {err}");

    let cli: Vec<Vec<i64>> = QUERIES.iter().map(|q| cli_ids(&a, q)).collect();
    let found = cli.iter().filter(|ids| !ids.is_empty()).count();
    assert_eq!(found, 30, "a query finds nothing: {cli:?}");
    for (q, ids) in QUERIES.iter().zip(&cli) {
        println!("{:>5}  {q}", ids.len());
    }

    // sqlite3 3.40 with .load: one line of sorted ids per query.
    let script: String = QUERIES
        .iter()
        .map(|q| {
            format!(
                "SELECT '[' || coalesce(group_concat(rowid), '') || ']' FROM \
                 (SELECT rowid FROM articles_fts WHERE articles_fts MATCH marsad_match({}) ORDER BY rowid);\n",
                sql_string(q)
            )
        })
        .collect();
    let lines = sqlite3_with_extension(&sqlite3, &a.db, &script);
    let shell: Vec<Vec<i64>> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(shell.len(), 30, "{lines}");
    for ((q, want), got) in QUERIES.iter().zip(&cli).zip(&shell) {
        assert_eq!(got, want, "sqlite3: {q}");
    }

    // marsad sql, its functions built in.
    for (q, want) in QUERIES.iter().zip(&cli) {
        let out = a.run(&[
            "sql",
            "SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH marsad_match(:q) ORDER BY rowid",
            "-p",
            &format!("q={q}"),
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{q}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got: Vec<i64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(&got, want, "marsad sql: {q}");
    }

    // Python's sqlite3 with load_extension.
    if let Some((py, module)) = python {
        let mut child = Command::new(&py)
            .arg("-c")
            .arg(PYTHON_SEARCH)
            .arg(module)
            .arg(&a.db)
            .arg(extension())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        for q in QUERIES {
            writeln!(stdin, "{q}").unwrap();
        }
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "python: {}", stderr(&out));
        let got: Vec<Vec<i64>> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(got.len(), 30);
        for ((q, want), got) in QUERIES.iter().zip(&cli).zip(&got) {
            assert_eq!(got, want, "python {}: {q}", py.display());
        }
    }

    // Datasette's JSON API: the articles table's search box.
    if let Some(datasette) = datasette {
        let server = crate::datasette::serve(&datasette, &a);
        for (q, want) in QUERIES.iter().zip(&cli) {
            assert_eq!(
                &crate::datasette::search_ids(server.port, q),
                want,
                "Datasette: {q}"
            );
        }
    }
}

/// The extension in a database that is not an archive: analysis only, and
/// an FTS5 table of analysed terms searched with marsad_match. Its output
/// is the binary's (`marsad analyze --format json`).
#[test]
fn the_extension_works_in_any_database() {
    let Some(sqlite3) = sqlite3() else { return };
    let a = Archive::new();
    let db = a.path("plain.db");
    let text = "والوزير لروسيا بنغازي";
    let out = sqlite3_with_extension(
        &sqlite3,
        &db,
        &format!(
            "CREATE TABLE notes(body TEXT);
             INSERT INTO notes VALUES ('التقى وزير الدفاع الروسي بالمشير خليفة حفتر في بنغازي');
             CREATE VIRTUAL TABLE notes_fts USING fts5(body);
             INSERT INTO notes_fts(rowid, body) SELECT rowid, marsad_stem(body) FROM notes;
             SELECT marsad_normalize('أحمد إلى مدرسة');
             SELECT marsad_stem('والوزير لروسيا');
             SELECT count(*) FROM notes_fts WHERE notes_fts MATCH marsad_match('الوزير');
             SELECT count(*) FROM notes_fts WHERE notes_fts MATCH marsad_match('\"خليفة حفتر\"');
             SELECT count(*) FROM notes_fts WHERE notes_fts MATCH marsad_match('الوزير -حفتر');
             SELECT count(*) FROM notes_fts WHERE notes_fts MATCH marsad_match('-حفتر');
             SELECT marsad_snippet(body, 'الوزير الروسي') FROM notes;
             SELECT marsad_highlight(body, 'حفتر', '<b>', '</b>') FROM notes;
             SELECT marsad_match(NULL) IS NULL, marsad_stem(7);
             SELECT marsad_analyze({});",
            sql_string(text)
        ),
    );
    let mut lines = out.lines();
    let mut next = || lines.next().unwrap_or_default().to_string();
    assert_eq!(next(), "احمد الي مدرسه");
    assert_eq!(next(), "وزير روسيا");
    assert_eq!(next(), "1", "الوزير finds وزير");
    assert_eq!(next(), "1", "the phrase");
    assert_eq!(next(), "0", "the exclusion");
    assert_eq!(next(), "0", "only an exclusion finds nothing");
    assert_eq!(
        next(),
        "التقى [وزير] الدفاع [الروسي] بالمشير خليفة حفتر في بنغازي"
    );
    assert_eq!(
        next(),
        "التقى وزير الدفاع الروسي بالمشير خليفة <b>حفتر</b> في بنغازي"
    );
    assert_eq!(next(), "1|7");
    let analysed: String = lines.collect::<Vec<_>>().join("\n");
    let cli = a.run(&["analyze", text, "--format", "json"]);
    assert!(cli.status.success());
    assert_eq!(analysed.trim_end(), stdout(&cli).trim_end());
    // A database that never loaded it knows none of this: the archive does
    // not depend on it (tests/integration/sqlite3_compat.rs reads it all).
    let out = Command::new(&sqlite3)
        .arg(&db)
        .arg("SELECT marsad_stem('x')")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("no such function"),
        "{}",
        stderr(&out)
    );
}
