//! `make bench`: ingest and search speed on the shared 2018 corpus and on a
//! 300k-article corpus built from it. Prints a table and writes
//! BENCHMARKS.md. Not part of `make test`; timings are not asserted.
//!
//! Environment: `MARSAD_BENCH_SCALE` (default 10) is how many copies of the
//! corpus make the large archive; `MARSAD_BENCH_RUNS` (default 3) how many
//! ingest runs the medians are taken over (`MARSAD_BENCH_LARGE_RUNS` for the
//! large archive, the same by default). On the 2018 corpus each run is a
//! round of marsad, sqlite-utils and the raw FTS5 limit, one after the
//! other, and the ratios are the medians of the rounds' ratios.
//!
//! `make bench-1m` (`MARSAD_BENCH_1M=1`) instead builds a 1M-article corpus
//! from both shared corpora (`MARSAD_BENCH_1M_ARTICLES` to change the size),
//! ingests it once and measures the same analysis table. Each mode rewrites
//! only its own section of BENCHMARKS.md. `MARSAD_BENCH_ONLY=export` or
//! `=analysis` with `MARSAD_BENCH_DB=ARCHIVE` time only that, of an
//! existing archive, and only print.
//!
//! Past 500 lines on purpose: one function per measurement, in the order of
//! the table, read top to bottom; the analysis table is in support/.

use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use marsad::search::{self, Filters, Query};

#[path = "support/analysis.rs"]
mod analysis;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/ant-multisource-2018.jsonl.gz")
}

fn bin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/marsad")
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn p95(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64) * 0.95).ceil() as usize - 1]
}

/// Run `marsad ingest` under /usr/bin/time; returns (seconds, peak RSS KiB, summary JSON).
fn ingest(db: &Path, input: &Path) -> (f64, u64, serde_json::Value) {
    ingest_with(db, input, &[])
}

/// [`ingest`] with global options first (`--model none`: NER off).
fn ingest_with(db: &Path, input: &Path, opts: &[&str]) -> (f64, u64, serde_json::Value) {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("RSS %M")
        .arg(bin())
        .args(opts)
        .arg("--db")
        .arg(db)
        .args(["ingest", "--json", "--quiet"])
        .arg(input)
        .output()
        .or_else(|_| {
            Command::new(bin())
                .args(opts)
                .arg("--db")
                .arg(db)
                .args(["ingest", "--json", "--quiet"])
                .arg(input)
                .output()
        })
        .expect("run marsad");
    let secs = t.elapsed().as_secs_f64();
    let rss = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("RSS ").and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0);
    let summary = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (secs, rss, summary)
}

/// `runs` full ingests of `input` into a new `db`: median seconds, peak RSS
/// KiB over the runs, and the last run's summary.
fn full_ingest(db: &Path, input: &Path, runs: usize) -> (f64, u64, serde_json::Value) {
    let mut secs = Vec::new();
    let mut rss = 0;
    let mut summary = serde_json::Value::Null;
    for _ in 0..runs {
        remove_db(db);
        let (s, r, j) = ingest(db, input);
        secs.push(s);
        rss = rss.max(r);
        summary = j;
    }
    (median(&mut secs), rss, summary)
}

/// Run `marsad --db DB ARGS…`, which must succeed: (wall seconds, stdout).
fn marsad(db: &Path, args: &[&str]) -> (f64, String) {
    let t = Instant::now();
    let out = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run marsad");
    assert!(
        out.status.success(),
        "marsad {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        t.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn remove_db(db: &Path) {
    for ext in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
}

/// 1–3 word queries drawn from titles, deterministic.
fn queries(db: &Path, n: usize) -> Vec<String> {
    let store = marsad::archive::open_to_read(db).unwrap();
    let mut st = store
        .conn
        .prepare("SELECT title FROM articles WHERE id % 97 = 0 ORDER BY id")
        .unwrap();
    let titles: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for (i, t) in titles.iter().enumerate() {
        let words: Vec<&str> = t
            .split_whitespace()
            .filter(|w| w.chars().count() >= 4 && marsad::text::is_arabic_word(w))
            .collect();
        let k = 1 + i % 3;
        if words.len() >= k {
            out.push(words[..k].join(" "));
        }
        if out.len() == n {
            break;
        }
    }
    out
}

fn search_latency(db: &Path, qs: &[String]) -> (f64, f64) {
    let store = marsad::archive::open_to_read(db).unwrap();
    let f = Filters {
        limit: 20,
        ..Filters::default()
    };
    // Warm the page cache once.
    for q in qs.iter().take(5) {
        let _ = search::search(&store.conn, &Query::parse(q), &f);
    }
    let mut ms: Vec<f64> = qs
        .iter()
        .map(|q| {
            let t = Instant::now();
            let hits = search::search(&store.conn, &Query::parse(q), &f).unwrap();
            std::hint::black_box(hits);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    (median(&mut ms.clone()), p95(&mut ms))
}

/// The corpus `scale` times over, each copy with distinct ids and lightly
/// perturbed text (a copy number in the title and on every fourth word) so
/// that deduplication does not collapse it.
fn build_large(dir: &Path, scale: usize) -> PathBuf {
    let out_path = dir.join(format!("corpus-x{scale}-v2.jsonl"));
    let lines = corpus_lines(&[corpus()]);
    write_copies(&out_path, &lines, lines.len() * scale);
    out_path
}

/// Copy `copy` of one corpus line: copy 0 as it is, each later copy with
/// distinct ids and lightly perturbed text (a copy number in the title and
/// on every fourth word) so that deduplication does not collapse the copies.
fn perturbed(line: &str, copy: usize) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    if copy > 0 {
        let id = v["id"].as_str().unwrap_or("").to_string();
        v["id"] = format!("{id}-copy{copy}").into();
        let title = v["title"].as_str().unwrap_or("").to_string();
        v["title"] = format!("{title} ({copy})").into();
        let text = v["text"].as_str().unwrap_or("").to_string();
        // Every fourth word marked with the copy number: light for
        // search, but enough that near-duplicate detection (3-word
        // shingles, Jaccard >= 0.5) does not fold the copies together.
        let text: Vec<String> = text
            .split('\n')
            .map(|p| {
                p.split(' ')
                    .enumerate()
                    .map(|(i, w)| {
                        if (i + copy) % 4 == 0 {
                            format!("{w}{copy}")
                        } else {
                            w.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        v["text"] = text.join("\n").into();
    }
    v.to_string()
}

/// The copy number of the nightly batch: one no bench archive holds.
const NIGHTLY_COPY: usize = 1000;
/// Articles in the nightly batch.
const NIGHTLY_ARTICLES: usize = 3000;

/// A cron job's nightly import into `db`: 3,000 articles it does not hold
/// yet (the 2018 corpus's first lines as copy [`NIGHTLY_COPY`]), one run.
/// The summaries' rows land all over their tables, so this grows with the
/// archive where a first import does not.
fn nightly(db: &Path, dir: &Path) -> (String, String) {
    let input = dir.join(format!("nightly-copy{NIGHTLY_COPY}.jsonl"));
    if !input.exists() {
        let tmp = input.with_extension("tmp");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
        for line in corpus_lines(&[corpus()]).iter().take(NIGHTLY_ARTICLES) {
            writeln!(w, "{}", perturbed(line, NIGHTLY_COPY)).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        std::fs::rename(&tmp, &input).unwrap();
    }
    let before = marsad::archive::open_to_read(db)
        .unwrap()
        .conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let (s, rss, j) = ingest(db, &input);
    (
        format!("{before} articles: nightly import of {NIGHTLY_ARTICLES} new articles, one run"),
        format!(
            "{s:.1} s, peak RSS {:.0} MB ({} new)",
            rss as f64 / 1024.0,
            j["new"]
        ),
    )
}

/// Every line of the given gzipped JSON Lines files.
fn corpus_lines(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .flat_map(|f| {
            let f = std::fs::File::open(f).unwrap();
            std::io::BufReader::new(flate2::read::GzDecoder::new(f))
                .lines()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `records` records at `out_path` (kept if already there): the lines over
/// and over, as [`perturbed`] copies.
fn write_copies(out_path: &Path, lines: &[String], records: usize) {
    if out_path.exists() {
        return;
    }
    let tmp = out_path.with_extension("tmp");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    for (n, line) in lines.iter().cycle().take(records).enumerate() {
        writeln!(w, "{}", perturbed(line, n / lines.len())).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    std::fs::rename(&tmp, out_path).unwrap();
}

fn raw_text_bytes(db: &Path) -> i64 {
    let store = marsad::archive::open_to_read(db).unwrap();
    store
        .conn
        .query_row(
            "SELECT sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB))) FROM articles",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// sqlite-utils from PyPI in a virtualenv under target/bench; None (with the
/// reason printed) when it cannot be installed, e.g. offline.
fn sqlite_utils(dir: &Path) -> Option<PathBuf> {
    let venv = dir.join("venv");
    let exe = venv.join("bin/sqlite-utils");
    if exe.exists() {
        return Some(exe);
    }
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "sqlite-utils"])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "bench: could not install sqlite-utils from PyPI; the peer comparison is skipped"
        );
    }
    ok.then_some(exe)
}

/// The 31k corpus uncompressed (sqlite-utils reads plain JSON Lines).
fn plain_corpus(dir: &Path) -> PathBuf {
    let out = dir.join("c31k.jsonl");
    if !out.exists() {
        let f = std::fs::File::open(corpus()).unwrap();
        let mut r = flate2::read::GzDecoder::new(f);
        let mut w = std::fs::File::create(&out).unwrap();
        std::io::copy(&mut r, &mut w).unwrap();
    }
    out
}

/// The peer: `sqlite-utils insert --nl` then `enable-fts --fts5` on title
/// and text; wall seconds for both.
fn peer_ingest(exe: &Path, db: &Path, input: &Path) -> f64 {
    remove_db(db);
    let t = Instant::now();
    let ok = Command::new(exe)
        .arg("insert")
        .arg(db)
        .arg("articles")
        .arg(input)
        .arg("--nl")
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(exe)
            .arg("enable-fts")
            .arg(db)
            .args(["articles", "title", "text", "--fts5"])
            .status()
            .is_ok_and(|s| s.success());
    assert!(ok, "sqlite-utils failed on {}", input.display());
    t.elapsed().as_secs_f64()
}

/// The raw limit: the archive's analysed text, already normalised and
/// stemmed (computed before the clock starts), inserted into a bare FTS5
/// table in one transaction (seconds for the inserts and the commit only).
fn raw_fts(archive: &Path, dir: &Path) -> f64 {
    let rows: Vec<(i64, String, String)> = {
        let store = marsad::archive::open_to_read(archive).unwrap();
        let mut st = store
            .conn
            .prepare("SELECT id, title, body FROM articles ORDER BY id")
            .unwrap();
        st.query_map([], |r| {
            let (title, body): (String, String) = (r.get(1)?, r.get(2)?);
            Ok((
                r.get(0)?,
                marsad::text::index_terms(&title),
                marsad::text::index_terms(&body),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let db = dir.join("raw-fts.db");
    remove_db(&db);
    let mut conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');",
    )
    .unwrap();
    let t = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO t(rowid, title, body) VALUES (?1, ?2, ?3)")
            .unwrap();
        for (id, title, body) in &rows {
            ins.execute(rusqlite::params![id, title, body]).unwrap();
        }
    }
    tx.commit().unwrap();
    let secs = t.elapsed().as_secs_f64();
    drop(conn);
    remove_db(&db);
    secs
}

/// `marsad entity NAME` wall time in ms (whole process), median of 5, for
/// a few entities from frequent to rare.
fn entity_latency(db: &Path) -> String {
    ["russia", "khalifa-haftar", "yunus-bek-yevkurov"]
        .iter()
        .map(|e| {
            let mut ms: Vec<f64> = (0..5)
                .map(|_| marsad(db, &["entity", e]).0 * 1000.0)
                .collect();
            format!("{e} {:.0} ms", median(&mut ms))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tagging speed of the shipped model on one thread over the corpus's body
/// text (sentences split first, as ingest does), cold and warm word cache,
/// and the model's size in memory.
fn ner_rate() -> Vec<(String, String)> {
    use marsad::ner::{Model, Tagger, sentences};
    let Some(path) = marsad::ner::locate(None) else {
        return vec![("NER tagging".into(), "no model found; skipped".into())];
    };
    let m = Model::load(&path).expect("load the NER model");
    let file = std::fs::File::open(corpus()).unwrap();
    let texts: Vec<String> =
        std::io::BufRead::lines(std::io::BufReader::new(flate2::read::GzDecoder::new(file)))
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
                v["text"].as_str().unwrap_or_default().to_string()
            })
            .collect();
    let sents: Vec<Vec<&str>> = texts
        .iter()
        .flat_map(|t| {
            sentences(t)
                .into_iter()
                .map(|s| s.iter().map(|w| w.token.surface).collect())
        })
        .collect();
    let tokens: usize = sents.iter().map(Vec::len).sum();
    let mut rates = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        let names: usize = sents.iter().map(|s| m.tag(s).len()).sum();
        std::hint::black_box(names);
        rates.push(tokens as f64 / t.elapsed().as_secs_f64() / 1e6);
    }
    vec![
        (
            format!("NER tagging, one thread, {tokens} tokens of the 31k bodies"),
            format!(
                "{:.2} M tokens/s first pass, {:.2} M tokens/s second (word cache warm)",
                rates[0], rates[1]
            ),
        ),
        (
            "NER model in memory".into(),
            format!(
                "{:.1} MB ({} features; file {:.1} MB)",
                m.memory_bytes() as f64 / 1e6,
                m.features(),
                std::fs::metadata(&path).map_or(0, |md| md.len()) as f64 / 1e6
            ),
        ),
    ]
}

/// `export --format parquet` of the archive `db`: a full export into a new
/// directory, then an unchanged re-run. Rates are over the archive's file
/// size and the rows written.
fn export_rate(db: &Path, dir: &Path) -> Vec<(String, String)> {
    let out = dir.join("parquet");
    let _ = std::fs::remove_dir_all(&out);
    let run = || {
        let t = Instant::now();
        let o = Command::new(bin())
            .arg("--db")
            .arg(db)
            .args(["export", "--format", "parquet", "--json"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (t.elapsed().as_secs_f64(), r)
    };
    let (secs, r) = run();
    let rows: u64 = r["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rows_written"].as_u64().unwrap_or(0))
        .sum();
    let articles = r["tables"][0]["rows"].as_u64().unwrap_or(0);
    let archive = std::fs::metadata(db).unwrap().len() as f64 / 1e6;
    let dataset = r["dataset_bytes"].as_f64().unwrap_or(0.0) / 1e6;
    let (again, _) = run();
    vec![
        (
            format!("{articles} articles: export --format parquet, full"),
            format!(
                "{secs:.1} s; {:.1} MB/s of archive, {:.1} MB/s written, {:.0} rows/s ({rows} rows)",
                archive / secs,
                dataset / secs,
                rows as f64 / secs
            ),
        ),
        (
            format!("{articles} articles: Parquet dataset / archive"),
            format!(
                "{dataset:.0} MB / {archive:.0} MB = {:.2}×",
                dataset / archive
            ),
        ),
        (
            format!("{articles} articles: export re-run, nothing new"),
            format!("{again:.2} s ({:.0}% of full)", 100.0 * again / secs),
        ),
    ]
}

fn main() {
    // MARSAD_BENCH_ONLY=export: only the Parquet export, of the archive at
    // MARSAD_BENCH_DB (or of the 31k corpus, ingested first); prints, and
    // leaves BENCHMARKS.md alone.
    if std::env::var("MARSAD_BENCH_ONLY").as_deref() == Ok("export") {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
        std::fs::create_dir_all(&dir).unwrap();
        let db = std::env::var_os("MARSAD_BENCH_DB")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let db = dir.join("c31k.db");
                remove_db(&db);
                ingest(&db, &corpus());
                db
            });
        for (k, v) in export_rate(&db, &dir) {
            println!("{k:<70} {v}");
        }
        return;
    }
    // MARSAD_BENCH_ONLY=analysis: only the analysis table, of the archive at
    // MARSAD_BENCH_DB (after a `marsad migrate`, say); prints, and leaves
    // BENCHMARKS.md alone.
    if std::env::var("MARSAD_BENCH_ONLY").as_deref() == Ok("analysis") {
        let Some(db) = std::env::var_os("MARSAD_BENCH_DB").map(PathBuf::from) else {
            eprintln!(
                "bench: MARSAD_BENCH_ONLY=analysis needs MARSAD_BENCH_DB, the archive to time"
            );
            return;
        };
        for (k, v) in analysis::table(&db, &bin(), 5) {
            println!("| {k} | {v} |");
        }
        return;
    }
    // MARSAD_BENCH_ONLY=nightly: only the nightly import, into a copy of
    // the archive at MARSAD_BENCH_DB (the archive itself is left as it is);
    // prints, and leaves BENCHMARKS.md alone.
    if std::env::var("MARSAD_BENCH_ONLY").as_deref() == Ok("nightly") {
        let Some(src) = std::env::var_os("MARSAD_BENCH_DB").map(PathBuf::from) else {
            eprintln!(
                "bench: MARSAD_BENCH_ONLY=nightly needs MARSAD_BENCH_DB, the archive to copy"
            );
            return;
        };
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("nightly.db");
        remove_db(&db);
        // marsad's own consistent copy: the file alone may miss its WAL.
        let out = std::process::Command::new(bin())
            .arg("--db")
            .arg(&src)
            .arg("backup")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "backup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (k, v) = nightly(&db, &dir);
        println!("| {k} | {v} |");
        remove_db(&db);
        return;
    }
    if !corpus().exists() {
        eprintln!(
            "bench: {} not found; nothing to measure",
            corpus().display()
        );
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    if std::env::var_os("MARSAD_BENCH_1M").is_some() {
        return bench_1m(&dir);
    }
    let runs = env_usize("MARSAD_BENCH_RUNS", 3);
    let scale = env_usize("MARSAD_BENCH_SCALE", 10);
    let mut rows: Vec<(String, String)> = Vec::new();

    // 31k: marsad, the peer and the raw limit in turns, so that the
    // machine's drift (tens of percent from minute to minute here) falls on
    // all three alike. Each ratio is the median of the rounds' ratios.
    let db = dir.join("c31k.db");
    let plain = plain_corpus(&dir);
    let peer_exe = sqlite_utils(&dir);
    let peer_db = dir.join("peer.db");
    let (mut fulls, mut peers, mut raws) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rss, mut summary) = (0, serde_json::Value::Null);
    let (mut no_ner, mut no_ner_rss) = (Vec::new(), 0);
    for _ in 0..runs {
        remove_db(&db);
        let (secs, r, _) = ingest_with(&db, &corpus(), &["--model", "none"]);
        no_ner.push(secs);
        no_ner_rss = no_ner_rss.max(r);
        remove_db(&db);
        let (secs, r, s) = ingest(&db, &corpus());
        fulls.push(secs);
        rss = rss.max(r);
        summary = s;
        if let Some(exe) = &peer_exe {
            peers.push(peer_ingest(exe, &peer_db, &plain));
        }
        raws.push(raw_fts(&db, &dir));
    }
    // "median (lowest–highest)" of full / other, or of other / full.
    let ratios = |other: &[f64], invert: bool| -> String {
        let mut r: Vec<f64> = fulls
            .iter()
            .zip(other)
            .map(|(f, o)| if invert { o / f } else { f / o })
            .collect();
        let m = median(&mut r);
        format!(
            "{m:.2} (median of {} rounds; {:.2}–{:.2})",
            r.len(),
            r[0],
            r[r.len() - 1]
        )
    };
    let (peer_ratio, raw_ratio) = (ratios(&peers, false), ratios(&raws, true));
    let full = median(&mut fulls.clone());
    let text_mb = raw_text_bytes(&db) as f64 / 1e6;
    let records = summary["records"].as_f64().unwrap_or(0.0);
    rows.push((
        "31k: full ingest, median wall time".into(),
        format!("{full:.2} s ({runs} runs)"),
    ));
    rows.push((
        "31k: article text ingested".into(),
        format!("{text_mb:.1} MB, {:.1} MB/s", text_mb / full),
    ));
    rows.push(("31k: articles/s".into(), format!("{:.0}", records / full)));
    rows.push((
        "31k: peak RSS".into(),
        format!("{:.0} MB", rss as f64 / 1024.0),
    ));
    // The NER share: the same ingest with the model off, in the same rounds.
    let mut shares: Vec<f64> = fulls
        .iter()
        .zip(&no_ner)
        .map(|(f, n)| (f - n) / f)
        .collect();
    rows.push((
        "31k: NER share of ingest time (model on vs --model none, same rounds)".into(),
        format!(
            "{:.0}% (median of {} rounds; off: {:.2} s)",
            100.0 * median(&mut shares),
            shares.len(),
            median(&mut no_ner.clone())
        ),
    ));
    rows.push((
        "31k: NER share of peak RSS".into(),
        format!(
            "{:.0} MB of {:.0} MB ({:.0}%)",
            rss.saturating_sub(no_ner_rss) as f64 / 1024.0,
            rss as f64 / 1024.0,
            100.0 * rss.saturating_sub(no_ner_rss) as f64 / rss.max(1) as f64
        ),
    ));
    rows.extend(ner_rate());
    if !peers.is_empty() {
        rows.push((
            "31k: sqlite-utils insert --nl + enable-fts --fts5 (uncompressed file)".into(),
            format!(
                "{:.2} s; marsad / sqlite-utils = {peer_ratio}",
                median(&mut peers)
            ),
        ));
    }
    rows.push((
        "31k: raw limit, analysed text into a bare FTS5 table, one transaction".into(),
        format!(
            "{:.2} s; marsad rate / raw rate = {raw_ratio}",
            median(&mut raws)
        ),
    ));
    let (rerun, _, _) = ingest(&db, &corpus());
    rows.push((
        "31k: unchanged re-run".into(),
        format!("{:.3} s ({:.2}% of full)", rerun, 100.0 * rerun / full),
    ));
    let (reextract, _) = marsad(&db, &["reextract"]);
    rows.push((
        "31k: reextract entities (whole archive)".into(),
        format!("{reextract:.2} s"),
    ));
    let (dedup, said) = marsad(&db, &["dedup", "--rebuild"]);
    rows.push((
        "31k: dedup rebuild (signatures, LSH, links, stories)".into(),
        format!(
            "{dedup:.2} s, {:.0} µs/article; {}",
            dedup * 1e6 / records.max(1.0),
            said.trim()
        ),
    ));
    rows.extend(export_rate(&db, &dir));
    let (mentions, with_mention): (i64, i64) = marsad::archive::open_to_read(&db)
        .unwrap()
        .conn
        .query_row(
            "SELECT count(*), count(DISTINCT article_id) FROM mentions WHERE how != 'discovered'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    rows.push((
        "31k: gazetteer mentions / articles with one".into(),
        format!("{mentions} / {with_mention}"),
    ));
    let (found, discovered): (i64, i64) = marsad::archive::open_to_read(&db)
        .unwrap()
        .conn
        .query_row(
            "SELECT (SELECT count(*) FROM mentions WHERE how = 'discovered' OR entity_id IN
                        (SELECT id FROM entities WHERE status = 'candidate')),
                    (SELECT count(*) FROM entities WHERE status = 'candidate')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    rows.push((
        "31k: discovered entities (NER and titles) / their mentions".into(),
        format!("{discovered} / {found}"),
    ));
    let size = std::fs::metadata(&db).unwrap().len() as f64 / 1e6;
    rows.push((
        "31k: archive size / raw text".into(),
        format!("{size:.0} MB / {text_mb:.0} MB = {:.2}×", size / text_mb),
    ));
    let qs = queries(&db, 60);
    let (med, p) = search_latency(&db, &qs);
    rows.push((
        format!(
            "31k: search, {} queries of 1–3 words, 20 hits + snippets",
            qs.len()
        ),
        format!("median {med:.1} ms, p95 {p:.1} ms"),
    ));
    rows.push((
        "31k: `marsad entity` profile, whole process, median of 5".into(),
        entity_latency(&db),
    ));
    let analysis_31k = analysis::table(&db, &bin(), 5);

    // Large: the corpus `scale` times.
    let large_in = build_large(&dir, scale);
    let db = dir.join(format!("c{scale}x.db"));
    let large_runs = env_usize("MARSAD_BENCH_LARGE_RUNS", runs);
    let (s, rss, j) = full_ingest(&db, &large_in, large_runs);
    let n = j["new"].as_u64().unwrap_or(0);
    let text_mb = raw_text_bytes(&db) as f64 / 1e6;
    rows.push((
        format!("{n} articles: full ingest, median of {large_runs}"),
        format!(
            "{s:.1} s, {:.1} MB/s, peak RSS {:.0} MB",
            text_mb / s,
            rss as f64 / 1024.0
        ),
    ));
    let size = std::fs::metadata(&db).unwrap().len() as f64 / 1e6;
    rows.push((
        format!("{n} articles: archive size / raw text"),
        format!("{size:.0} MB / {text_mb:.0} MB = {:.2}×", size / text_mb),
    ));
    let (med, p) = search_latency(&db, &qs);
    rows.push((
        format!(
            "{n} articles: search, {} queries, 20 hits + snippets",
            qs.len()
        ),
        format!("median {med:.1} ms, p95 {p:.1} ms"),
    ));
    rows.push((
        format!("{n} articles: `marsad entity` profile, median of 5"),
        entity_latency(&db),
    ));

    let analysis_large = analysis::table(&db, &bin(), 5);
    // Last: it adds to the archive the rows above describe.
    rows.push(nightly(&db, &dir));

    let mut md = format!(
        "Corpus: shared/corpus/ant-multisource-2018.jsonl.gz (31,525 articles); the large corpus is it {scale}× over, with distinct ids and every fourth word of each copy marked with the copy number.\n\n"
    );
    md.push_str(&markdown(&rows));
    md.push_str(&format!(
        "\nAnalysis, whole process, warm, median of 5 (the full `check` once): 31k archive and the {n}-article one.\n\n| what | 31k | {n} |\n|---|---|---|\n"
    ));
    for ((k, a), (_, b)) in analysis_31k.iter().zip(&analysis_large) {
        let _ = writeln!(md, "| {k} | {a} | {b} |");
        println!("{k:<70} {a:>12} {b:>12}");
    }
    write_section("main", &md);
    println!("\nwrote BENCHMARKS.md");
}

/// The table's rows as markdown (and printed).
fn markdown(rows: &[(String, String)]) -> String {
    let mut md = String::from("| measure | result |\n|---|---|\n");
    for (k, v) in rows {
        let _ = writeln!(md, "| {k} | {v} |");
        println!("{k:<70} {v}");
    }
    md
}

/// Replace one mode's section of BENCHMARKS.md (`main` for `make bench`,
/// `1m` for `make bench-1m`), keeping the other's.
fn write_section(name: &str, body: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let title = match name {
        "main" => "`make bench`: the 2018 corpus and a 300k-article archive",
        _ => "`make bench-1m`: a 1M-article archive",
    };
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in old.lines() {
        if let Some(rest) = line.strip_prefix("<!-- section: ") {
            sections.extend(current.take());
            current = Some((rest.trim_end_matches(" -->").to_string(), String::new()));
        } else if let Some((_, text)) = &mut current {
            text.push_str(line);
            text.push('\n');
        }
    }
    sections.extend(current.take());
    let new = format!(
        "## {title}\n\nWritten on {}, {} cores.\n\n{body}\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    match sections.iter_mut().find(|(n, _)| n == name) {
        Some(s) => s.1 = new,
        None => sections.push((name.to_string(), new)),
    }
    sections.sort_by_key(|(n, _)| n != "main");
    let mut md = String::from(
        "# Benchmarks\n\nWritten by `make bench` and `make bench-1m` (benches/bench.rs); each rewrites its own section.\n\n",
    );
    for (n, text) in sections {
        let _ = write!(md, "<!-- section: {n} -->\n{text}");
    }
    std::fs::write(path, md).unwrap();
}

/// `make bench-1m`: both shared corpora over and over to a million
/// articles, one ingest, and the analysis table.
fn bench_1m(dir: &Path) {
    let articles = env_usize("MARSAD_BENCH_1M_ARTICLES", 1_000_000);
    let jawhara = corpus().with_file_name("ant-jawharafm-2013-2017.jsonl.gz");
    let input = dir.join(format!("corpus-{articles}.jsonl"));
    let lines = corpus_lines(&[corpus(), jawhara]);
    write_copies(&input, &lines, articles);
    let db = dir.join(format!("c{articles}.db"));
    let (s, rss, j) = full_ingest(&db, &input, 1);
    let n = j["new"].as_u64().unwrap_or(0);
    let text_mb = raw_text_bytes(&db) as f64 / 1e6;
    let size = std::fs::metadata(&db).unwrap().len() as f64 / 1e6;
    let qs = queries(&db, 60);
    let (med, p) = search_latency(&db, &qs);
    let rows = vec![
        (
            format!("{n} articles: full ingest, once"),
            format!(
                "{s:.0} s, {:.1} MB/s, {:.0} articles/s, peak RSS {:.0} MB",
                text_mb / s,
                n as f64 / s,
                rss as f64 / 1024.0
            ),
        ),
        (
            format!("{n} articles: archive size / raw text"),
            format!("{size:.0} MB / {text_mb:.0} MB = {:.2}×", size / text_mb),
        ),
        (
            format!(
                "{n} articles: search, {} queries, 20 hits + snippets",
                qs.len()
            ),
            format!("median {med:.1} ms, p95 {p:.1} ms"),
        ),
    ];
    let mut md = format!(
        "Corpus: both shared corpora (2018 and Jawhara) over and over to {articles} records, each copy with distinct ids and every fourth word marked with the copy number.\n\n"
    );
    let analysis = analysis::table(&db, &bin(), 5);
    let mut rows = rows;
    rows.push(nightly(&db, dir));
    md.push_str(&markdown(&rows));
    md.push_str("\nAnalysis, whole process, warm, median of 5 (the full `check` once):\n\n| what | time |\n|---|---|\n");
    for (k, v) in analysis {
        let _ = writeln!(md, "| {k} | {v} |");
        println!("{k:<70} {v}");
    }
    write_section("1m", &md);
    println!("\nwrote BENCHMARKS.md");
}
