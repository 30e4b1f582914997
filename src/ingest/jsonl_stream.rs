//! JSON Lines inputs: files streamed line by line in batches, each batch
//! written with its resume point (bytes done and their hash), so that a
//! file that only grew is read on from where the last run stopped. Also
//! standard input, and JSON read whole (arrays, or input that may not be text).

use std::collections::HashSet;
use std::io::Read;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::batch::{Batch, InputState, Item, LINES_PER_BATCH, StateUpdate};
use super::decode::{self, DecodeError};
use super::prepare::err;
use super::produce::{Loaded, Producer, mtime_ns, over_limit};
use super::read::{self, read_error, vanished};
use super::{Format, Input};
use crate::identity::{hex, sha256_hex};

/// Lines in a stream's first batch (see [`Producer::stream_from`]).
const FIRST_BATCH_LINES: usize = 64;
/// Bytes of JSON Lines read into one batch at most (about 1000 typical
/// articles), so that batches of long lines do not add up.
const BATCH_BYTES: u64 = 4 << 20;

/// Where a stream of JSON Lines starts reading: after the lines already
/// ingested (none for a new stream), whose bytes' hash it continues.
#[derive(Default)]
struct ResumePoint {
    /// Lines before the first one to read.
    line: i64,
    /// Bytes of those lines, newlines included.
    done: u64,
    /// SHA-256 of those bytes so far.
    prefix: Sha256,
}

/// A streamed file, for its resume point once read to the end: the hash of
/// its raw bytes (fed as they are read), and its size and mtime when opened.
struct FileStamp {
    raw_hash: read::SharedHash,
    size: i64,
    mtime_ns: i64,
}

/// One line read for a batch.
struct LineRead {
    no: i64,
    /// The line, newline included, cut at the article limit.
    bytes: Vec<u8>,
    info: read::Line,
}

impl Producer<'_> {
    /// Lines already recorded from this input, to skip them without parsing.
    fn known_lines(&self, origin: &str) -> HashSet<(i64, String)> {
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

    /// A JSON Lines input: streamed from disk in batches of lines, so memory
    /// does not grow with the file. A JSON array, stdin, or a file that is
    /// not text goes through [`Producer::jsonl_loaded`].
    pub(super) fn jsonl(&mut self, input: &Input) {
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
    pub(super) fn stdin(&mut self, input: &Input) {
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
                let start = ResumePoint::default();
                if let Err(m) = self.stream_from(input, Box::new(reader), start, None, &none) {
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
        let read = self.ctx.document_loaded(input, loaded);
        self.send(Batch {
            items: read.items,
            inputs: 1,
            bytes: read.bytes,
            ..Batch::default()
        });
    }

    /// A JSON Lines file in batches of lines, resuming where the archive
    /// knows the file was complete if it only grew since.
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
        let stamp = |opened: &read::Opened| FileStamp {
            raw_hash: opened.hash.clone(),
            size,
            mtime_ns: mtime,
        };
        let mut at = ResumePoint::default();
        // Resume after the part already ingested, if the file only grew.
        if let (Some(s), false) = (state, gz) {
            let target = s.done_bytes as u64;
            let mut buf = Vec::new();
            while at.done < target {
                let l = read::read_line(&mut opened.reader, &mut buf, limit, &mut at.prefix)
                    .map_err(|e| read_error(&e))?;
                if l.len == 0 || !l.newline {
                    break;
                }
                at.done += l.len;
                at.line += 1;
            }
            if at.done != target || hex(&at.prefix.clone().finalize()) != s.done_sha256 {
                // Not a file that only grew: read it all again (known lines are skipped).
                let opened = read::open(path, gz)?;
                let file = stamp(&opened);
                let start = ResumePoint::default();
                return self.stream_from(input, opened.reader, start, Some(file), &known);
            }
        }
        let file = stamp(&opened);
        self.stream_from(input, opened.reader, at, Some(file), &known)
    }

    /// Stream JSON Lines from `reader` in batches, each line held to the
    /// article limit (a longer one is an error for that line, skipped without
    /// being held). `at`: what was read before `reader`'s first byte. `file`:
    /// the file being read, for its resume points; standard input has none.
    fn stream_from(
        &mut self,
        input: &Input,
        mut reader: Box<dyn std::io::BufRead>,
        mut at: ResumePoint,
        file: Option<FileStamp>,
        known: &HashSet<(i64, String)>,
    ) -> std::result::Result<(), String> {
        let name = &input.display;
        let limit = self.ctx.opts.max_article_bytes;
        // A small first batch gets the writer going sooner; it would
        // otherwise wait for a whole batch to be analysed.
        let mut batch_lines = FIRST_BATCH_LINES;
        loop {
            let mut lines: Vec<LineRead> = Vec::new();
            let mut held = 0u64;
            let mut eof = false;
            // The prefix hash before the batch's last line, to resume before
            // that line if it turns out truncated.
            let mut before_last = at.prefix.clone();
            while lines.len() < batch_lines && held < BATCH_BYTES {
                let mut bytes = Vec::new();
                let snapshot = at.prefix.clone();
                let info = read::read_line(&mut *reader, &mut bytes, limit, &mut at.prefix)
                    .map_err(|e| read_error(&e))?;
                if info.len == 0 {
                    eof = true;
                    break;
                }
                before_last = snapshot;
                at.line += 1;
                held += bytes.len() as u64;
                lines.push(LineRead {
                    no: at.line,
                    bytes,
                    info,
                });
            }
            let mut items: Vec<Item> = lines
                .par_iter()
                .filter_map(|LineRead { no, bytes, info }| {
                    if info.over {
                        let len = info.len - u64::from(info.newline);
                        return Some(err(
                            name,
                            Some(*no),
                            format!(
                                "record is {len} bytes, over the limit of {limit} (raise it with --max-article-bytes)"
                            ),
                        ));
                    }
                    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
                    self.ctx.json_line(name, *no, body, Some(known))
                })
                .collect();
            let mut batch_bytes = 0u64;
            for (i, LineRead { no, info, .. }) in lines.iter().enumerate() {
                batch_bytes += info.len;
                // A last line without its newline that does not parse may still
                // be being written: report it, but resume before it next time.
                let unterminated = !info.newline && i + 1 == lines.len();
                if unterminated
                    && matches!(items.last(), Some(Item::Error(x)) if x.line == Some(*no))
                {
                    if let Some(Item::Error(x)) = items.last_mut() {
                        x.message =
                            format!("{} (the last line has no newline: truncated?)", x.message);
                    }
                    at.prefix = before_last.clone();
                    continue;
                }
                at.done += info.len;
            }
            let finished = eof;
            batch_lines = LINES_PER_BATCH;
            let state = match &file {
                None => None,
                Some(f) if finished => {
                    let after = std::fs::metadata(input.path.as_ref().expect("a file"))
                        .map_err(|e| vanished(&e))?;
                    let unchanged_meanwhile =
                        after.len() as i64 == f.size && mtime_ns(&after) == f.mtime_ns;
                    Some(StateUpdate {
                        path: name.clone(),
                        state: InputState {
                            // Grown while being read: resume from `done` next time.
                            size: if unchanged_meanwhile { f.size } else { -1 },
                            mtime_ns: f.mtime_ns,
                            raw_sha256: hex(&f.raw_hash.lock().expect("hash").clone().finalize()),
                            done_bytes: at.done as i64,
                            done_sha256: hex(&at.prefix.clone().finalize()),
                        },
                    })
                }
                Some(f) => Some(StateUpdate {
                    path: name.clone(),
                    state: InputState {
                        // Not complete yet: a size that never matches, so a run
                        // killed here reads the file again, from done_bytes.
                        size: -1,
                        mtime_ns: f.mtime_ns,
                        raw_sha256: String::new(),
                        done_bytes: at.done as i64,
                        done_sha256: hex(&at.prefix.clone().finalize()),
                    },
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
            .filter(DecodeError::is_not_text)
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
            let state = self.ctx.final_state(input, &loaded);
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
