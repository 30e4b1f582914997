//! The producer: inputs to batches of items. Text and HTML documents (and
//! JSON read whole) are read, decoded, parsed and prepared here on the
//! workers; JSON Lines files stream through [`super::jsonl_stream`].

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use rusqlite::Connection;
use serde_json::Value;

use super::batch::{Batch, InputState, Item, StateUpdate};
use super::prepare::{err, parse_document, prepare};
use super::read::{self, read_error, vanished};
use super::{Format, Input, Options, decode, jsonl};
use crate::entities::Gazetteer;
use crate::identity::sha256_hex;

/// Text and HTML files read at once on the workers.
const FILES_PER_BATCH: usize = 128;

/// What the worker threads share: read-only.
pub(super) struct Ctx<'a> {
    pub(super) opts: &'a Options,
    pub(super) states: &'a HashMap<String, InputState>,
    pub(super) gazetteer: &'a Gazetteer,
    pub(super) tagger: Option<&'a dyn crate::ner::Tagger>,
}

/// The reading side of the pipeline.
pub(super) struct Producer<'a> {
    pub(super) ctx: Ctx<'a>,
    /// Read connection, to skip JSON lines already recorded.
    pub(super) known: Option<&'a Connection>,
    pub(super) tx: &'a mpsc::SyncSender<Batch>,
    /// Whole-document inputs waiting to be processed together.
    pub(super) pending: Vec<Input>,
}

/// The bytes of one input and what is known about them.
pub(super) struct Loaded {
    pub(super) bytes: Vec<u8>,
    pub(super) raw_sha256: String,
    pub(super) size: i64,
    pub(super) mtime_ns: i64,
}

/// What reading one input whole gives the writer.
pub(super) struct DocumentRead {
    pub(super) items: Vec<Item>,
    /// The input's new resume point, if it has one.
    pub(super) state: Option<StateUpdate>,
    /// Bytes read (of an input that could not be read, its listed size).
    pub(super) bytes: u64,
    /// Not read: unchanged since the last run.
    pub(super) unchanged: bool,
}

impl Ctx<'_> {
    pub(super) fn format_of(&self, input: &Input) -> Option<Format> {
        match self.opts.format {
            Format::Auto => Format::from_name(&input.display),
            f => Some(f),
        }
    }

    /// Read an input unless it is unchanged. `Ok(None)`: unchanged. What is
    /// read whole (a text or HTML document, a JSON array, standard input) is
    /// held to the article limit, counted in decompressed bytes and checked
    /// while reading, so a small `.gz` cannot expand without bound.
    pub(super) fn load(&self, input: &Input) -> std::result::Result<Option<Loaded>, String> {
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
    pub(super) fn document(&self, input: &Input) -> DocumentRead {
        match self.load(input) {
            Ok(Some(l)) => self.document_loaded(input, l),
            Ok(None) => DocumentRead {
                items: Vec::new(),
                state: self.touched_state(input),
                bytes: 0,
                unchanged: true,
            },
            Err(m) => DocumentRead {
                items: vec![err(&input.display, None, m)],
                state: None,
                bytes: input.size,
                unchanged: false,
            },
        }
    }

    /// A document already read: one article (or a JSON document's records).
    pub(super) fn document_loaded(&self, input: &Input, loaded: Loaded) -> DocumentRead {
        let name = &input.display;
        let state = self.final_state(input, &loaded);
        let bytes = loaded.bytes.len() as u64;
        let read = |items| DocumentRead {
            items,
            state,
            bytes,
            unchanged: false,
        };
        let item = match decode::decode(&loaded.bytes) {
            Err(m) => err(name, None, m),
            Ok((text, _)) => {
                let format = match self.format_of(input) {
                    Some(f) if f != Format::Auto => f,
                    _ => Format::sniff(&text),
                };
                if format == Format::Jsonl {
                    // A JSON document given as stdin or under another name.
                    return read(self.json_text(name, &text, &loaded.raw_sha256));
                }
                match parse_document(format, &text) {
                    Ok(rec) => {
                        prepare(self.gazetteer, self.tagger, name, 0, loaded.raw_sha256, rec)
                    }
                    Err(m) => err(name, None, m),
                }
            }
        };
        read(vec![item])
    }

    /// After an unchanged-content touch, record the new mtime so the next run
    /// skips the file on metadata alone.
    pub(super) fn touched_state(&self, input: &Input) -> Option<StateUpdate> {
        let path = input.path.as_ref()?;
        let s = self.states.get(&input.display)?;
        let m = std::fs::metadata(path).ok()?;
        if m.len() as i64 == s.size && mtime_ns(&m) == s.mtime_ns {
            return None;
        }
        Some(StateUpdate {
            path: input.display.clone(),
            state: InputState {
                size: m.len() as i64,
                mtime_ns: mtime_ns(&m),
                ..s.clone()
            },
        })
    }

    /// A `.json` document holding one object or an array of them.
    pub(super) fn json_text(&self, name: &str, text: &str, raw_sha256: &str) -> Vec<Item> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items
                .into_par_iter()
                .enumerate()
                .map(|(i, v)| {
                    let line = i as i64 + 1;
                    let raw = sha256_hex(v.to_string().as_bytes());
                    match jsonl::parse_value(v) {
                        Ok(rec) => prepare(self.gazetteer, self.tagger, name, line, raw, rec),
                        Err(m) => err(name, Some(line), m.map(|m| format!("item {line}: {m}"))),
                    }
                })
                .collect(),
            Ok(v @ Value::Object(_)) => vec![match jsonl::parse_value(v) {
                Ok(rec) => prepare(
                    self.gazetteer,
                    self.tagger,
                    name,
                    0,
                    raw_sha256.to_string(),
                    rec,
                ),
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
    pub(super) fn json_line(
        &self,
        name: &str,
        line: i64,
        raw: &[u8],
        known: Option<&HashSet<(i64, String)>>,
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
            Ok(rec) => prepare(self.gazetteer, self.tagger, name, line, sha, rec),
            Err(m) => err(name, Some(line), m),
        })
    }

    /// The resume point of an input read whole: done to its end. Standard
    /// input has none.
    pub(super) fn final_state(&self, input: &Input, loaded: &Loaded) -> Option<StateUpdate> {
        input.path.as_ref().map(|_| StateUpdate {
            path: input.display.clone(),
            state: InputState {
                size: loaded.size,
                mtime_ns: loaded.mtime_ns,
                raw_sha256: loaded.raw_sha256.clone(),
                done_bytes: loaded.size,
                done_sha256: loaded.raw_sha256.clone(),
            },
        })
    }
}

impl Producer<'_> {
    pub(super) fn send(&self, batch: Batch) {
        // A closed channel means the writer stopped; it reports why.
        let _ = self.tx.send(batch);
    }

    pub(super) fn add(&mut self, input: Input) {
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

    pub(super) fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let results: Vec<DocumentRead> = pending
            .par_iter()
            .map(|input| self.ctx.document(input))
            .collect();
        let mut batch = Batch::default();
        for read in results {
            if read.unchanged {
                batch.unchanged += 1;
            } else {
                batch.inputs += 1;
            }
            batch.bytes += read.bytes;
            batch.items.extend(read.items);
            batch.states.extend(read.state);
        }
        self.send(batch);
    }
}

pub(super) fn mtime_ns(m: &std::fs::Metadata) -> i64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

/// The message for input read whole that is over the article limit.
pub(super) fn over_limit(what: &str, limit: u64) -> String {
    format!(
        "{what} is over the single-article limit of {limit} bytes; stopped reading there \
         (raise it with --max-article-bytes; JSON Lines are held to it line by line)"
    )
}
