//! Helpers shared by the integration tests: run the real binary on a temp
//! archive, query it, build inputs.

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
    shared_file("corpus", name)
}

/// A file of the shared NER data (`../shared/ner`, or `$MARSAD_SHARED/ner`),
/// missing: as [`shared_corpus`].
pub fn shared_ner(name: &str) -> Option<PathBuf> {
    shared_file("ner", name)
}

fn shared_file(dir: &str, name: &str) -> Option<PathBuf> {
    let shared = std::env::var_os("MARSAD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let p = shared.join(dir).join(name);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: the shared data must sit at ../shared beside the checkout (or set MARSAD_SHARED)",
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

/// Writes a child's standard input, from its own thread.
pub type Feed = Box<dyn FnOnce(&mut dyn std::io::Write) + Send>;

/// What [`run_measured`] saw of one run of the binary.
pub struct Measured {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory of the child alone (wait4's ru_maxrss), bytes.
    pub peak_rss: u64,
}

/// Memory a run may use before [`run_measured`] kills it.
pub const RSS_CEILING: u64 = 300 << 20;

/// Run marsad with `args` on `a`'s archive to its end, feeding `stdin` to it
/// from a thread when given, and measure its peak resident memory. A
/// watchdog kills a child whose memory passes [`RSS_CEILING`], so a test of a
/// memory bound fails instead of filling the machine.
#[cfg(target_os = "linux")]
pub fn run_measured(a: &Archive, args: &[&std::ffi::OsStr], stdin: Option<Feed>) -> Measured {
    use std::process::Stdio;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let out_dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (out_dir.path().join("out"), out_dir.path().join("err"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_marsad"))
        .arg("--db")
        .arg(&a.db)
        .args(args)
        .env_remove("MARSAD_DB")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let feeder = stdin.map(|feed| {
        let mut pipe = child.stdin.take().unwrap();
        // The child may stop reading early (that is the point): a broken
        // pipe here is expected.
        std::thread::spawn(move || feed(&mut pipe))
    });
    // The peak is the kernel's high-water mark of the child's own memory
    // (VmHWM), sampled: rusage's ru_maxrss would also count the memory of
    // this test process, which the child inherits at spawn.
    let exited = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let exited = exited.clone();
        std::thread::spawn(move || {
            let status = format!("/proc/{pid}/status");
            let mut peak_kb = 0;
            while !exited.load(Ordering::SeqCst) {
                let field = |s: &str, name: &str| {
                    s.lines()
                        .find_map(|l| l.strip_prefix(name))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                };
                let s = std::fs::read_to_string(&status).unwrap_or_default();
                peak_kb = peak_kb.max(field(&s, "VmHWM:").unwrap_or(0));
                if field(&s, "VmRSS:").unwrap_or(0) * 1024 > RSS_CEILING {
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return peak_kb;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            peak_kb
        })
    };
    // Wait for the exit without reaping, so the pid cannot be reused while
    // the watchdog still looks at it; then reap it.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        assert_eq!(
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT
            ),
            0
        );
    }
    exited.store(true, Ordering::SeqCst);
    let peak_kb = watchdog.join().unwrap();
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    drop(child);
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Measured {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        peak_rss: peak_kb * 1024,
    }
}

/// A tmpfs of `size` (such as "8m") mounted on a new temporary folder and
/// unmounted when dropped: a full disk on demand.
pub struct SmallDisk {
    pub dir: tempfile::TempDir,
}

impl SmallDisk {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// Mount a [`SmallDisk`]; mounting needs root, and without it the test
/// cannot make a full disk: `None`, with a line on stderr.
pub fn small_disk(size: &str) -> Option<SmallDisk> {
    let dir = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipping: cannot mount a small tmpfs here (needs root)");
        return None;
    }
    Some(SmallDisk { dir })
}

/// The recall and precision oracles' own normalisation, written apart from
/// marsad's: harakat, tatweel and joiners out; alef forms, ى and ة folded.
pub fn oracle_norm(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{200C}' | '\u{200D}'
            )
        })
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            c => c,
        })
        .collect()
}

/// The oracles' words of a text: runs of letters (and harakat), each in
/// [`oracle_norm`]'s form.
pub fn oracle_tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphabetic() || ('\u{064B}'..='\u{065F}').contains(&c)))
        .map(oracle_norm)
}
