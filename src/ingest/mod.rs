//! Reading scraped news into the archive: finding inputs, decoding them,
//! parsing each format (one file per format in this folder), hashing, and
//! writing articles, sightings and errors.
//!
//! The pipeline: a producer thread lists inputs, skips unchanged ones, and
//! reads, decodes, parses, hashes and analyses them on rayon's worker
//! threads; this thread is the single writer, committing one batch per
//! transaction together with the input's resume point, so a run killed at
//! any instant loses at most the batch in flight and the next run redoes
//! exactly that.

mod boilerplate;
pub mod dates;
pub mod decode;
mod discover;
mod html;
mod jsonl;
mod read;
mod txt;
mod writer;

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Instant, UNIX_EPOCH};

use rayon::prelude::*;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::entities::{self, Extraction, Gazetteer};
use crate::error::Result;
use crate::identity::{content_sha256, hex, sha256_hex};
use crate::store::{RunStatus, Store};
use crate::text;

#[cfg(unix)]
pub use discover::name_path;
pub use discover::{Input, path_name};
use read::{read_error, vanished};

/// One article as parsed from an input, before it is stored.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub title: String,
    pub body: String,
    pub published_at: Option<String>,
    pub date_precision: Option<&'static str>,
    pub date_raw: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub external_id: Option<String>,
    /// Input fields marsad does not map, kept as they were.
    pub extra: Map<String, Value>,
    /// Boilerplate lines cut from the body.
    pub removed: Vec<String>,
}

/// Input formats. Adding one means a file in this folder and an arm in
/// [`parse_document`] / [`Format::from_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Auto,
    Txt,
    Jsonl,
    Html,
}

impl Format {
    /// Format from a file name (`.gz` looks at the name inside).
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.to_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "txt" | "text" | "md" => Some(Format::Txt),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            _ => None,
        }
    }

    /// Guess from the first bytes, for stdin and unknown extensions.
    fn sniff(text: &str) -> Format {
        let t = text.trim_start_matches('\u{feff}').trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            Format::Jsonl
        } else if t.starts_with('<') {
            Format::Html
        } else {
            Format::Txt
        }
    }
}

/// What `marsad ingest` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Outlet for articles whose input names none.
    pub outlet: Option<String>,
    /// The command line, recorded with the run.
    pub args: Vec<String>,
    pub progress: bool,
    /// Largest single article (a text or HTML file, or one JSON line).
    pub max_article_bytes: u64,
}

/// An input or record that was not stored: why, and whether it is an error.
#[derive(Debug, Clone, Serialize)]
pub struct InputError {
    pub input: String,
    pub line: Option<i64>,
    pub message: String,
    pub kind: Problem,
}

/// Errors are inputs that could not be read or parsed (exit code 3); a
/// record with no text is skipped, counted and recorded, and is no error:
/// real feeds hold some every night.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Problem {
    Error,
    Skipped,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Error => "error",
            Problem::Skipped => "skipped",
        }
    }
}

/// Why a parser did not make a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// The record holds no article text: skipped.
    Empty(String),
    /// It could not be parsed: an error.
    Invalid(String),
}

impl Rejected {
    fn message(&self) -> &str {
        match self {
            Rejected::Empty(m) | Rejected::Invalid(m) => m,
        }
    }

    fn map(self, f: impl FnOnce(String) -> String) -> Rejected {
        match self {
            Rejected::Empty(m) => Rejected::Empty(f(m)),
            Rejected::Invalid(m) => Rejected::Invalid(f(m)),
        }
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl From<String> for Rejected {
    fn from(m: String) -> Self {
        Rejected::Invalid(m)
    }
}

impl From<&str> for Rejected {
    fn from(m: &str) -> Self {
        Rejected::Invalid(m.to_string())
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.input, l, self.message),
            None => write!(f, "{}: {}", self.input, self.message),
        }
    }
}

/// Counts for one run, printed as the summary line or as JSON.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub run_id: i64,
    /// Input files (or stdin) read.
    pub inputs: u64,
    /// Inputs skipped because they had not changed since the last run.
    pub unchanged: u64,
    /// Articles (records) found in the inputs read.
    pub records: u64,
    pub new: u64,
    /// Records whose content was already archived: a sighting was added.
    pub duplicates: u64,
    /// Records already recorded from the same input line with the same bytes.
    pub seen: u64,
    pub errors: u64,
    /// Files in folders skipped for an extension marsad does not read.
    pub skipped: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub mb_per_s: f64,
}

/// What the archive last knew of an input file.
#[derive(Debug, Clone)]
struct InputState {
    size: i64,
    mtime_ns: i64,
    raw_sha256: String,
    done_bytes: i64,
    done_sha256: String,
}

/// The resume point written with a batch.
#[derive(Debug, Clone)]
struct StateUpdate {
    path: String,
    size: i64,
    mtime_ns: i64,
    raw_sha256: String,
    done_bytes: i64,
    done_sha256: String,
}

/// One unit of work for the writer.
#[derive(Debug)]
enum Item {
    Article(Box<Prepared>),
    Error(InputError),
    /// Line already recorded from this input with the same bytes.
    Seen,
}

/// An article ready to store: parsed, hashed and analysed.
#[derive(Debug)]
struct Prepared {
    origin: String,
    line: i64,
    raw_sha256: String,
    content_sha256: String,
    fts_title: String,
    fts_body: String,
    extraction: Extraction,
    /// MinHash signature of the body (None when too short to compare).
    signature: Option<Vec<u32>>,
    /// `rec.extra` as the JSON stored in `articles.extra`, serialised here
    /// rather than on the writer thread.
    extra_json: Option<String>,
    rec: Record,
}

/// What the workers hand the writer at once. Batches are small so that the
/// writer starts soon and never waits long; it groups them into larger
/// transactions (see `writer::TX_RECORDS`).
#[derive(Debug, Default)]
struct Batch {
    items: Vec<Item>,
    states: Vec<StateUpdate>,
    inputs: u64,
    unchanged: u64,
    bytes: u64,
}

const FILES_PER_BATCH: usize = 128;
const LINES_PER_BATCH: usize = 512;
const FIRST_BATCH_LINES: usize = 64;
/// Bytes of JSON Lines read into one batch at most (about 1000 typical
/// articles), so that batches of long lines do not add up.
const BATCH_BYTES: u64 = 4 << 20;

/// Run an ingest. The caller holds the [`crate::store::IngestLock`].
/// `on_error` sees each failed input as it is recorded.
pub fn run(
    store: &mut Store,
    opts: &Options,
    on_error: impl FnMut(&InputError),
) -> Result<Summary> {
    run_listed(store, opts, list(&opts.paths), on_error)
}

/// Inputs found under some paths, with what could not be listed.
pub struct Listing {
    pub inputs: Vec<Input>,
    pub errors: Vec<InputError>,
    pub skipped: u64,
}

/// List the inputs under `paths` (see [`run`]).
pub fn list(paths: &[PathBuf]) -> Listing {
    let (inputs, errors, skipped) = discover::list(paths);
    Listing {
        inputs,
        errors,
        skipped,
    }
}

/// Ingest inputs already listed. Inputs that vanished or changed since
/// listing are reported like any other bad input.
pub fn run_listed(
    store: &mut Store,
    opts: &Options,
    listing: Listing,
    mut on_error: impl FnMut(&InputError),
) -> Result<Summary> {
    let started = Instant::now();
    let run_id = writer::start_run(&store.conn, &opts.args)?;
    let mut summary = Summary {
        run_id,
        ..Summary::default()
    };
    let Listing {
        inputs,
        errors: listing_errors,
        skipped,
    } = listing;
    summary.skipped = skipped;
    let total_bytes: u64 = inputs.iter().map(|i| i.size).sum();
    let states = load_states(&store.conn)?;
    let gazetteer = entities::store::load(&store.conn)?;
    // Articles are never deleted, so the largest id is the archive's size.
    let articles_before: i64 =
        store
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM articles", [], |r| {
                r.get(0)
            })?;
    let bar = opts.progress.then(|| progress_bar(total_bytes));

    // Room for a transaction's worth of batches, so that the workers go on
    // while the writer commits (most of a commit is FTS5 work).
    let (tx, rx) = mpsc::sync_channel::<Batch>(writer::TX_RECORDS / LINES_PER_BATCH);
    let producer_opts = opts.clone();
    let db_path = store.path.clone();
    let producer = std::thread::spawn(move || {
        let run = || {
            let known =
                Connection::open_with_flags(&db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .ok();
            let mut p = Producer {
                ctx: Ctx {
                    opts: &producer_opts,
                    states: &states,
                    gazetteer: &gazetteer,
                },
                known: known.as_ref(),
                tx: &tx,
                pending: Vec::new(),
            };
            if !listing_errors.is_empty() {
                let items = listing_errors.into_iter().map(Item::Error).collect();
                p.send(Batch {
                    items,
                    ..Batch::default()
                });
            }
            for input in inputs {
                p.add(input);
            }
            p.flush();
        };
        crate::workers::Workers::new().run(run)
    });

    let mut w = writer::Writer::new(&mut store.conn, run_id, opts.outlet.clone());
    let mut write_result = Ok(());
    for batch in rx {
        if let Some(b) = &bar {
            b.inc(batch.bytes);
        }
        summary.inputs += batch.inputs;
        summary.unchanged += batch.unchanged;
        summary.bytes += batch.bytes;
        if let Err(e) = w.write(batch, &mut summary, &mut on_error) {
            write_result = Err(e);
            break;
        }
    }
    if write_result.is_ok() {
        write_result = w.commit(&summary);
    }
    drop(w);
    // If the writer failed, dropping the receiver above ends the producer.
    let _ = producer.join();
    // A run that at least doubled the archive (a first import, a bulk load)
    // left most of the index in its own segments: merge them into one.
    if write_result.is_ok() && summary.new > 0 && summary.new as i64 >= articles_before {
        let _ = crate::store::optimize_fts(&store.conn, &["articles_fts", "sentences_fts"]);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary.mb_per_s = if summary.seconds > 0.0 {
        summary.bytes as f64 / 1e6 / summary.seconds
    } else {
        0.0
    };
    let status = match (&write_result, summary.errors) {
        (Err(_), _) => RunStatus::Failed,
        (Ok(()), 0) => RunStatus::Ok,
        (Ok(()), _) => RunStatus::Partial,
    };
    writer::finish_run(&store.conn, &summary, status)?;
    if write_result.is_ok() {
        crate::store::release_free_pages(&store.conn);
    }
    write_result.map(|()| summary)
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .expect("static template"),
    );
    bar
}

fn load_states(conn: &Connection) -> Result<HashMap<String, InputState>> {
    let mut st = conn
        .prepare("SELECT path, size, mtime_ns, raw_sha256, done_bytes, done_sha256 FROM inputs")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            InputState {
                size: r.get(1)?,
                mtime_ns: r.get(2)?,
                raw_sha256: r.get(3)?,
                done_bytes: r.get(4)?,
                done_sha256: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn mtime_ns(m: &std::fs::Metadata) -> i64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Parse a whole-document input (text or HTML).
fn parse_document(format: Format, text: &str) -> std::result::Result<Record, Rejected> {
    match format {
        Format::Txt | Format::Auto => txt::parse(text),
        Format::Html => html::parse(text),
        Format::Jsonl => unreachable!("JSON inputs are parsed record by record"),
    }
}

/// Finish a parsed record: hash and analyse it (the costly part, run on
/// worker threads).
fn prepare(g: &Gazetteer, origin: &str, line: i64, raw_sha256: String, mut rec: Record) -> Item {
    // A blank url or id says nothing; a sighting stores '' for "none" (V12).
    rec.url = rec.url.filter(|u| !u.trim().is_empty());
    rec.external_id = rec.external_id.filter(|u| !u.trim().is_empty());
    let content_sha256 = content_sha256(&rec.title, &rec.body);
    // Tokenise and normalise once; index, entities and signature share it.
    let title_words = text::words(&rec.title);
    let body_words = text::words(&rec.body);
    let fts_title = text::index_text(&rec.title, &title_words);
    let fts_body = text::index_text(&rec.body, &body_words);
    let extraction = entities::extract_words(g, &rec.title, &title_words, &rec.body, &body_words);
    let signature = crate::dedup::signature_of(&body_words);
    let extra_json = (!rec.extra.is_empty())
        .then(|| serde_json::Value::Object(std::mem::take(&mut rec.extra)).to_string());
    Item::Article(Box::new(Prepared {
        origin: origin.to_string(),
        line,
        raw_sha256,
        content_sha256,
        fts_title,
        fts_body,
        extraction,
        signature,
        extra_json,
        rec,
    }))
}

fn err(input: &str, line: Option<i64>, why: impl Into<Rejected>) -> Item {
    let (kind, message) = match why.into() {
        Rejected::Empty(m) => (Problem::Skipped, m),
        Rejected::Invalid(m) => (Problem::Error, m),
    };
    Item::Error(InputError {
        input: input.to_string(),
        line,
        message,
        kind,
    })
}

/// What the worker threads share: read-only.
struct Ctx<'a> {
    opts: &'a Options,
    states: &'a HashMap<String, InputState>,
    gazetteer: &'a Gazetteer,
}

/// The reading side of the pipeline.
struct Producer<'a> {
    ctx: Ctx<'a>,
    /// Read connection, to skip JSON lines already recorded.
    known: Option<&'a Connection>,
    tx: &'a mpsc::SyncSender<Batch>,
    /// Whole-document inputs waiting to be processed together.
    pending: Vec<Input>,
}

/// The bytes of one input and what is known about them.
struct Loaded {
    bytes: Vec<u8>,
    raw_sha256: String,
    size: i64,
    mtime_ns: i64,
}

impl Ctx<'_> {
    fn format_of(&self, input: &Input) -> Option<Format> {
        match self.opts.format {
            Format::Auto => Format::from_name(&input.display),
            f => Some(f),
        }
    }

    /// Read an input unless it is unchanged. `Ok(None)`: unchanged. What is
    /// read whole (a text or HTML document, a JSON array, standard input) is
    /// held to the article limit, counted in decompressed bytes and checked
    /// while reading, so a small `.gz` cannot expand without bound.
    fn load(&self, input: &Input) -> std::result::Result<Option<Loaded>, String> {
        let limit = self.opts.max_article_bytes;
        let Some(path) = &input.path else {
            unreachable!("standard input is read by Producer::stdin")
        };
        let before = std::fs::metadata(path).map_err(|e| vanished(&e))?;
        let (size, mtime) = (before.len() as i64, mtime_ns(&before));
        let state = self.states.get(&input.display);
        if state.is_some_and(|s| s.size == size && s.mtime_ns == mtime) {
            return Ok(None);
        }
        let gz = input.display.to_lowercase().ends_with(".gz");
        if !gz && size as u64 > limit {
            return Err(format!(
                "file is {size} bytes, over the single-article limit of {limit} bytes (raise it with --max-article-bytes)"
            ));
        }
        let mut opened = read::open(path, gz)?;
        let bytes = read::read_capped(&mut opened.reader, limit)
            .map_err(|e| read_error(&e))?
            .map_err(|_| over_limit("the decompressed text", limit))?;
        if gz {
            // The gzip stream ended; anything after it is still hashed.
            std::io::copy(&mut opened.reader, &mut std::io::sink()).map_err(|e| read_error(&e))?;
        }
        let after = std::fs::metadata(path).map_err(|e| vanished(&e))?;
        let raw_len = opened.raw_bytes.load(std::sync::atomic::Ordering::Relaxed) as i64;
        if after.len() as i64 != size || mtime_ns(&after) != mtime || raw_len != size {
            return Err(
                "file changed while it was being read; it will be read again on the next run"
                    .into(),
            );
        }
        let raw_sha256 = opened.raw_sha256();
        if state.is_some_and(|s| s.raw_sha256 == raw_sha256) {
            // Touched but not changed: only the stored mtime is refreshed.
            return Ok(None);
        }
        Ok(Some(Loaded {
            bytes,
            raw_sha256,
            size,
            mtime_ns: mtime,
        }))
    }

    /// A text or HTML file: one article.
    fn document(&self, input: &Input) -> (Vec<Item>, Option<StateUpdate>, u64, bool) {
        match self.load(input) {
            Ok(Some(l)) => self.document_loaded(input, l),
            Ok(None) => (Vec::new(), self.touched_state(input), 0, true),
            Err(m) => (vec![err(&input.display, None, m)], None, input.size, false),
        }
    }

    /// A document already read: one article (or a JSON document's records).
    fn document_loaded(
        &self,
        input: &Input,
        loaded: Loaded,
    ) -> (Vec<Item>, Option<StateUpdate>, u64, bool) {
        let name = &input.display;
        let state = input.path.as_ref().map(|_| StateUpdate {
            path: name.clone(),
            size: loaded.size,
            mtime_ns: loaded.mtime_ns,
            raw_sha256: loaded.raw_sha256.clone(),
            done_bytes: loaded.size,
            done_sha256: loaded.raw_sha256.clone(),
        });
        let bytes = loaded.bytes.len() as u64;
        let item = match decode::decode(&loaded.bytes) {
            Err(m) => err(name, None, m),
            Ok((text, _)) => {
                let format = match self.format_of(input) {
                    Some(f) if f != Format::Auto => f,
                    _ => Format::sniff(&text),
                };
                if format == Format::Jsonl {
                    // A JSON document given as stdin or under another name.
                    let items = self.json_text(name, &text, &loaded.raw_sha256);
                    return (items, state, bytes, false);
                }
                match parse_document(format, &text) {
                    Ok(rec) => prepare(self.gazetteer, name, 0, loaded.raw_sha256, rec),
                    Err(m) => err(name, None, m),
                }
            }
        };
        (vec![item], state, bytes, false)
    }

    /// After an unchanged-content touch, record the new mtime so the next run
    /// skips the file on metadata alone.
    fn touched_state(&self, input: &Input) -> Option<StateUpdate> {
        let path = input.path.as_ref()?;
        let s = self.states.get(&input.display)?;
        let m = std::fs::metadata(path).ok()?;
        if m.len() as i64 == s.size && mtime_ns(&m) == s.mtime_ns {
            return None;
        }
        Some(StateUpdate {
            path: input.display.clone(),
            size: m.len() as i64,
            mtime_ns: mtime_ns(&m),
            raw_sha256: s.raw_sha256.clone(),
            done_bytes: s.done_bytes,
            done_sha256: s.done_sha256.clone(),
        })
    }

    /// A `.json` document holding one object or an array of them.
    fn json_text(&self, name: &str, text: &str, raw_sha256: &str) -> Vec<Item> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items
                .into_par_iter()
                .enumerate()
                .map(|(i, v)| {
                    let line = i as i64 + 1;
                    let raw = sha256_hex(v.to_string().as_bytes());
                    match jsonl::parse_value(v) {
                        Ok(rec) => prepare(self.gazetteer, name, line, raw, rec),
                        Err(m) => err(name, Some(line), m.map(|m| format!("item {line}: {m}"))),
                    }
                })
                .collect(),
            Ok(v @ Value::Object(_)) => vec![match jsonl::parse_value(v) {
                Ok(rec) => prepare(self.gazetteer, name, 0, raw_sha256.to_string(), rec),
                Err(m) => err(name, None, m),
            }],
            // Not one document: read it as JSON Lines.
            _ => {
                let lines: Vec<(i64, &[u8])> = text
                    .as_bytes()
                    .split(|&b| b == b'\n')
                    .enumerate()
                    .map(|(i, l)| (i as i64 + 1, l))
                    .collect();
                lines
                    .par_iter()
                    .filter_map(|(n, l)| self.json_line(name, *n, l, None))
                    .collect()
            }
        }
    }

    /// One line of a JSON Lines input; `None` for a blank line.
    fn json_line(
        &self,
        name: &str,
        line: i64,
        raw: &[u8],
        known: Option<&std::collections::HashSet<(i64, String)>>,
    ) -> Option<Item> {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = if line == 1 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        if raw.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let sha = sha256_hex(raw);
        if known.is_some_and(|k| k.contains(&(line, sha.clone()))) {
            return Some(Item::Seen);
        }
        if raw.len() as u64 > self.opts.max_article_bytes {
            return Some(err(
                name,
                Some(line),
                format!(
                    "record is {} bytes, over the limit of {} (raise it with --max-article-bytes)",
                    raw.len(),
                    self.opts.max_article_bytes
                ),
            ));
        }
        let text = match std::str::from_utf8(raw) {
            Ok(t) => t,
            Err(e) => {
                return Some(err(
                    name,
                    Some(line),
                    format!(
                        "not valid UTF-8 (bad byte at column {})",
                        e.valid_up_to() + 1
                    ),
                ));
            }
        };
        if text.contains('\0') {
            return Some(err(name, Some(line), "contains NUL bytes"));
        }
        Some(match jsonl::parse_line(text) {
            Ok(rec) => prepare(self.gazetteer, name, line, sha, rec),
            Err(m) => err(name, Some(line), m),
        })
    }

    fn final_state(
        &self,
        input: &Input,
        loaded: &Loaded,
        done_bytes: i64,
        done_sha256: String,
    ) -> Option<StateUpdate> {
        input.path.as_ref().map(|_| StateUpdate {
            path: input.display.clone(),
            size: loaded.size,
            mtime_ns: loaded.mtime_ns,
            raw_sha256: loaded.raw_sha256.clone(),
            done_bytes,
            done_sha256,
        })
    }
}

impl Producer<'_> {
    fn send(&self, batch: Batch) {
        // A closed channel means the writer stopped; it reports why.
        let _ = self.tx.send(batch);
    }

    fn add(&mut self, input: Input) {
        if input.path.is_none() {
            self.flush();
            return self.stdin(&input);
        }
        if self.ctx.format_of(&input) == Some(Format::Jsonl) {
            self.flush();
            self.jsonl(&input);
        } else {
            self.pending.push(input);
            if self.pending.len() >= FILES_PER_BATCH {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let results: Vec<(Vec<Item>, Option<StateUpdate>, u64, bool)> = pending
            .par_iter()
            .map(|input| self.ctx.document(input))
            .collect();
        let mut batch = Batch::default();
        for (items, state, bytes, unchanged) in results {
            if unchanged {
                batch.unchanged += 1;
            } else {
                batch.inputs += 1;
            }
            batch.bytes += bytes;
            batch.items.extend(items);
            batch.states.extend(state);
        }
        self.send(batch);
    }

    /// Lines already recorded from this input, to skip them without parsing.
    fn known_lines(&self, origin: &str) -> std::collections::HashSet<(i64, String)> {
        let Some(conn) = self.known else {
            return Default::default();
        };
        // The view gives the hash as hex, as the table did before V12; SQLite
        // reads it through the origins and sighting_rows indexes alone.
        let Ok(mut st) =
            conn.prepare("SELECT line, raw_sha256 FROM sightings WHERE origin = ?1 AND line > 0")
        else {
            return Default::default();
        };
        st.query_map([origin], |r| Ok((r.get(0)?, r.get(1)?)))
            .map(|rows| rows.filter_map(|r| r.ok()).collect())
            .unwrap_or_default()
    }

    /// A JSON Lines input, in batches of lines, resuming where the archive
    /// knows the file was complete.
    /// A JSON Lines input: streamed from disk in batches of lines, so memory
    /// does not grow with the file. A JSON array, stdin, or a file that is
    /// not text goes through [`Producer::jsonl_loaded`].
    fn jsonl(&mut self, input: &Input) {
        let Some(path) = input.path.clone() else {
            return self.stdin(input);
        };
        let gz = input.display.to_lowercase().ends_with(".gz");
        let looks_like_lines = read::open(&path, gz).ok().and_then(|mut o| {
            let mut head = vec![0u8; 4096];
            let n = read::read_some(&mut o.reader, &mut head).ok()?;
            head.truncate(n);
            let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
            let first = text.iter().find(|b| !b.is_ascii_whitespace())?;
            (*first == b'{' && !head.contains(&0)).then_some(())
        });
        if looks_like_lines.is_none() {
            return self.jsonl_loaded(input);
        }
        let name = input.display.clone();
        if let Err(m) = self.jsonl_stream(input, &path, gz) {
            self.send(Batch {
                items: vec![err(&name, None, m)],
                inputs: 1,
                ..Batch::default()
            });
        }
    }

    /// Standard input: read whole up to the article limit and then handled
    /// as a file would be; past the limit, JSON Lines stream on (each line
    /// held to the limit) and anything else is refused.
    fn stdin(&mut self, input: &Input) {
        let name = &input.display;
        let limit = self.ctx.opts.max_article_bytes;
        let mut r = std::io::BufReader::with_capacity(1 << 20, std::io::stdin());
        let fail = |m: String| Batch {
            items: vec![err(name, None, m)],
            inputs: 1,
            ..Batch::default()
        };
        let head = match read::read_capped(&mut r, limit) {
            Ok(h) => h,
            Err(e) => return self.send(fail(format!("cannot read standard input: {e}"))),
        };
        let explicit = self.ctx.format_of(input);
        let bytes = match head {
            Ok(bytes) => bytes,
            Err(head) => {
                let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
                let first = text.iter().find(|b| !b.is_ascii_whitespace());
                let lines = matches!(explicit, None | Some(Format::Jsonl)) && first == Some(&b'{');
                if !lines {
                    return self.send(fail(over_limit("standard input", limit)));
                }
                let reader = std::io::BufReader::new(std::io::Cursor::new(head).chain(r));
                let none = Default::default();
                if let Err(m) =
                    self.stream_from(input, Box::new(reader), 0, 0, Sha256::new(), None, &none)
                {
                    self.send(fail(m));
                }
                return;
            }
        };
        let loaded = Loaded {
            raw_sha256: sha256_hex(&bytes),
            size: bytes.len() as i64,
            bytes,
            mtime_ns: 0,
        };
        if explicit == Some(Format::Jsonl) {
            return self.jsonl_bytes(input, loaded);
        }
        let (items, _, bytes, _) = self.ctx.document_loaded(input, loaded);
        self.send(Batch {
            items,
            inputs: 1,
            bytes,
            ..Batch::default()
        });
    }

    fn jsonl_stream(
        &mut self,
        input: &Input,
        path: &std::path::Path,
        gz: bool,
    ) -> std::result::Result<(), String> {
        let name = &input.display;
        let meta = std::fs::metadata(path).map_err(|e| vanished(&e))?;
        let (size, mtime) = (meta.len() as i64, mtime_ns(&meta));
        let state = self.ctx.states.get(name);
        if state.is_some_and(|s| s.size == size && s.mtime_ns == mtime) {
            self.send(Batch {
                unchanged: 1,
                ..Batch::default()
            });
            return Ok(());
        }
        if let Some(s) = state.filter(|s| s.size == size) {
            // Touched, maybe not changed: compare the bytes' hash first.
            let mut o = read::open(path, false)?;
            std::io::copy(&mut o.reader, &mut std::io::sink()).map_err(|e| read_error(&e))?;
            if o.raw_sha256() == s.raw_sha256 {
                self.send(Batch {
                    unchanged: 1,
                    states: self.ctx.touched_state(input).into_iter().collect(),
                    ..Batch::default()
                });
                return Ok(());
            }
        }
        let known = self.known_lines(name);
        let limit = self.ctx.opts.max_article_bytes;
        let mut opened = read::open(path, gz)?;
        let mut line_no = 0i64;
        let mut done = 0u64; // bytes of complete, processed lines
        let mut prefix = Sha256::new();
        // Resume after the part already ingested, if the file only grew.
        if let (Some(s), false) = (state, gz) {
            let target = s.done_bytes as u64;
            let mut buf = Vec::new();
            while done < target {
                let l = read::read_line(&mut opened.reader, &mut buf, limit, &mut prefix)
                    .map_err(|e| read_error(&e))?;
                if l.len == 0 || !l.newline {
                    break;
                }
                done += l.len;
                line_no += 1;
            }
            if done != target || hex(&prefix.clone().finalize()) != s.done_sha256 {
                // Not a file that only grew: read it all again (known lines are skipped).
                let opened = read::open(path, gz)?;
                return self.stream_from(
                    input,
                    opened.reader,
                    0,
                    0,
                    Sha256::new(),
                    Some((opened.hash, size, mtime)),
                    &known,
                );
            }
        }
        self.stream_from(
            input,
            opened.reader,
            line_no,
            done,
            prefix,
            Some((opened.hash, size, mtime)),
            &known,
        )
    }

    /// Stream JSON Lines from `reader` in batches, each line held to the
    /// article limit (a longer one is an error for that line, skipped without
    /// being held). `file`: the raw hash, size and mtime of a file input, for
    /// its resume point; standard input has none.
    #[allow(clippy::too_many_arguments)]
    fn stream_from(
        &mut self,
        input: &Input,
        mut reader: Box<dyn std::io::BufRead>,
        mut line_no: i64,
        mut done: u64,
        mut prefix: Sha256,
        file: Option<(read::SharedHash, i64, i64)>,
        known: &std::collections::HashSet<(i64, String)>,
    ) -> std::result::Result<(), String> {
        let name = &input.display;
        let limit = self.ctx.opts.max_article_bytes;
        // A small first batch gets the writer going sooner; it would
        // otherwise wait for a whole batch to be analysed.
        let mut batch_lines = FIRST_BATCH_LINES;
        loop {
            let mut lines: Vec<(i64, Vec<u8>, read::Line)> = Vec::new();
            let mut held = 0u64;
            let mut eof = false;
            // The prefix hash before the batch's last line, to resume before
            // that line if it turns out truncated.
            let mut before_last = prefix.clone();
            while lines.len() < batch_lines && held < BATCH_BYTES {
                let mut buf = Vec::new();
                let snapshot = prefix.clone();
                let l = read::read_line(&mut *reader, &mut buf, limit, &mut prefix)
                    .map_err(|e| read_error(&e))?;
                if l.len == 0 {
                    eof = true;
                    break;
                }
                before_last = snapshot;
                line_no += 1;
                held += buf.len() as u64;
                lines.push((line_no, buf, l));
            }
            let mut items: Vec<Item> = lines
                .par_iter()
                .filter_map(|(n, l, info)| {
                    if info.over {
                        let len = info.len - u64::from(info.newline);
                        return Some(err(
                            name,
                            Some(*n),
                            format!(
                                "record is {len} bytes, over the limit of {limit} (raise it with --max-article-bytes)"
                            ),
                        ));
                    }
                    let body = l.strip_suffix(b"\n").unwrap_or(l);
                    self.ctx.json_line(name, *n, body, Some(known))
                })
                .collect();
            let mut batch_bytes = 0u64;
            for (i, (n, _, info)) in lines.iter().enumerate() {
                batch_bytes += info.len;
                // A last line without its newline that does not parse may still
                // be being written: report it, but resume before it next time.
                let unterminated = !info.newline && i + 1 == lines.len();
                if unterminated
                    && matches!(items.last(), Some(Item::Error(x)) if x.line == Some(*n))
                {
                    if let Some(Item::Error(x)) = items.last_mut() {
                        x.message =
                            format!("{} (the last line has no newline: truncated?)", x.message);
                    }
                    prefix = before_last.clone();
                    continue;
                }
                done += info.len;
            }
            let finished = eof;
            batch_lines = LINES_PER_BATCH;
            let state = match &file {
                None => None,
                Some((raw_hash, size, mtime)) if finished => {
                    let after = std::fs::metadata(input.path.as_ref().expect("a file"))
                        .map_err(|e| vanished(&e))?;
                    let unchanged_meanwhile =
                        after.len() as i64 == *size && mtime_ns(&after) == *mtime;
                    Some(StateUpdate {
                        path: name.clone(),
                        // Grown while being read: resume from `done` next time.
                        size: if unchanged_meanwhile { *size } else { -1 },
                        mtime_ns: *mtime,
                        raw_sha256: hex(&raw_hash.lock().expect("hash").clone().finalize()),
                        done_bytes: done as i64,
                        done_sha256: hex(&prefix.clone().finalize()),
                    })
                }
                Some((_, _, mtime)) => Some(StateUpdate {
                    path: name.clone(),
                    // Not complete yet: a size that never matches, so a run
                    // killed here reads the file again, from done_bytes.
                    size: -1,
                    mtime_ns: *mtime,
                    raw_sha256: String::new(),
                    done_bytes: done as i64,
                    done_sha256: hex(&prefix.clone().finalize()),
                }),
            };
            self.send(Batch {
                items: std::mem::take(&mut items),
                states: state.into_iter().collect(),
                inputs: u64::from(finished),
                bytes: batch_bytes,
                unchanged: 0,
            });
            if finished {
                return Ok(());
            }
        }
    }

    /// A JSON input read whole: stdin, a JSON array, or a file that may not
    /// be text at all (so the decoder can say what it is).
    fn jsonl_loaded(&mut self, input: &Input) {
        let name = &input.display;
        match self.ctx.load(input) {
            Ok(Some(l)) => self.jsonl_bytes(input, l),
            Ok(None) => {
                self.send(Batch {
                    unchanged: 1,
                    states: self.ctx.touched_state(input).into_iter().collect(),
                    ..Batch::default()
                });
            }
            Err(m) => {
                self.send(Batch {
                    items: vec![err(name, None, m)],
                    inputs: 1,
                    bytes: input.size,
                    ..Batch::default()
                });
            }
        }
    }

    /// A JSON input's bytes, read whole.
    fn jsonl_bytes(&mut self, input: &Input, loaded: Loaded) {
        let name = &input.display;
        let bytes = &loaded.bytes;
        if let Some(kind) = decode::decode(&bytes[..bytes.len().min(4096)])
            .err()
            .filter(|m| {
                m.contains("binary")
                    || m.contains("NUL")
                    || m.contains("empty")
                    || m.contains("no text")
            })
        {
            self.send(Batch {
                items: vec![err(name, None, kind)],
                inputs: 1,
                bytes: bytes.len() as u64,
                ..Batch::default()
            });
            return;
        }
        if bytes.first().is_some_and(|b| *b == b'[') || (bytes.starts_with(b"\xEF\xBB\xBF[")) {
            // A JSON array in a .json file.
            let text = match decode::decode(bytes) {
                Ok((t, _)) => t,
                Err(m) => {
                    self.send(Batch {
                        items: vec![err(name, None, m)],
                        inputs: 1,
                        bytes: bytes.len() as u64,
                        ..Batch::default()
                    });
                    return;
                }
            };
            let items = self.ctx.json_text(name, &text, &loaded.raw_sha256);
            let state =
                self.ctx
                    .final_state(input, &loaded, loaded.size, loaded.raw_sha256.clone());
            self.send(Batch {
                items,
                states: state.into_iter().collect(),
                inputs: 1,
                bytes: bytes.len() as u64,
                ..Batch::default()
            });
            return;
        }

        // Not an array: JSON Lines. Files stream (and resume where the archive
        // knew them complete); stdin is parsed whole.
        if let Some(path) = input.path.clone() {
            let gz = name.to_lowercase().ends_with(".gz");
            let name = name.clone();
            if let Err(m) = self.jsonl_stream(input, &path, gz) {
                self.send(Batch {
                    items: vec![err(&name, None, m)],
                    inputs: 1,
                    ..Batch::default()
                });
            }
            return;
        }
        let items = match decode::decode(bytes) {
            Ok((text, _)) => self.ctx.json_text(name, &text, &loaded.raw_sha256),
            Err(m) => vec![err(name, None, m)],
        };
        self.send(Batch {
            items,
            inputs: 1,
            bytes: bytes.len() as u64,
            ..Batch::default()
        });
    }
}

/// The message for input read whole that is over the article limit.
fn over_limit(what: &str, limit: u64) -> String {
    format!(
        "{what} is over the single-article limit of {limit} bytes; stopped reading there \
         (raise it with --max-article-bytes; JSON Lines are held to it line by line)"
    )
}
