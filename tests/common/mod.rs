//! Helpers shared by the integration tests: run the real binary on a temp
//! archive, query it, build inputs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/articles")
}

/// A file of the shared corpora (`../shared/corpus`, or `$MARSAD_SHARED/corpus`).
/// Missing, it fails the test under CI (`.ci/run` sets CI) and skips it
/// elsewhere with a line on stderr.
pub fn shared_corpus(name: &str) -> Option<PathBuf> {
    let shared = std::env::var_os("MARSAD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let p = shared.join("corpus").join(name);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: the shared corpora must sit at ../shared beside the checkout (or set MARSAD_SHARED)",
        p.display()
    );
    eprintln!("skipping: {} not found", p.display());
    None
}

pub struct Archive {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Archive {
    pub fn new() -> Archive {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("marsad.db");
        Archive { dir, db }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("marsad").unwrap();
        c.arg("--db").arg(&self.db).env_remove("MARSAD_DB");
        c
    }

    /// Run marsad with `args`; returns the output (any exit code).
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    pub fn ingest_json(&self, paths: &[&Path]) -> (serde_json::Value, i32, String) {
        let mut c = self.cmd();
        c.arg("ingest").arg("--json");
        for p in paths {
            c.arg(p);
        }
        let out = c.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "summary is not JSON ({e}): {stdout} / {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (
            v,
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Debian's sqlite3, the shell analysts use.
pub fn sqlite3() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/sqlite3");
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "/usr/bin/sqlite3 is missing; .ci/run installs it (apt-get install sqlite3)"
    );
    eprintln!("skipping: /usr/bin/sqlite3 not installed");
    None
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// The `tokenize = "…"` argument of the archive's `articles_fts`, quotes
/// included, read from its schema: to build a probe table that tokenises
/// exactly as the index does.
pub fn articles_fts_tokenizer(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'articles_fts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let start = sql
        .find("tokenize = \"")
        .expect("articles_fts names its tokenizer")
        + 11;
    let end = start + 1 + sql[start + 1..].find('"').unwrap();
    sql[start..=end].to_string()
}

/// SQL that fills `probe(x)`, an FTS5 table with the index's tokenizer, with
/// one row per code point c (rowid c): 'a', c, 'a'. A row holds one token
/// when c is a token character, two when it separates.
pub fn code_point_probe_sql(tokenizer: &str) -> String {
    format!(
        "CREATE VIRTUAL TABLE temp.probe USING fts5(x, tokenize = {tokenizer});
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1114111)
         INSERT INTO probe(rowid, x) SELECT i, 'a' || char(i) || 'a' FROM c
         WHERE i NOT BETWEEN 55296 AND 57343;"
    )
}

/// The code points marsad treats as separators (1..=0x10FFFF, no surrogates).
pub fn marsad_separators() -> Vec<u32> {
    (1..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|&c| marsad::text::token_count(&format!("a{c}a")) != 1)
        .map(|c| c as u32)
        .collect()
}

/// Every article of `a` is indexed with exactly as many terms as SQLite
/// finds tokens in its published title and body (the index's positions are
/// the words' positions; see tests/unicode61.rs).
pub fn assert_one_term_per_token(a: &Archive) {
    let conn = a.conn();
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE temp.published USING fts5(title, body, tokenize = {});
         INSERT INTO published(rowid, title, body) SELECT id, title, body FROM articles;",
        articles_fts_tokenizer(&a.db)
    ))
    .unwrap();
    let (n, same): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(p.sz = d.sz) FROM articles a
             JOIN articles_fts_docsize d ON d.id = a.id
             JOIN temp.published_docsize p ON p.id = a.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(n, a.count("SELECT count(*) FROM articles"));
    assert_eq!(
        same, n,
        "articles whose index terms and tokens differ in number"
    );
}
