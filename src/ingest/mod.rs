//! Reading scraped news into the archive: finding inputs, decoding them,
//! parsing each format (one file per format in this folder), hashing, and
//! writing articles, sightings and errors.
//!
//! The pipeline ([`run`]): a producer thread lists inputs, skips unchanged
//! ones, and reads, decodes, parses, hashes and analyses them on rayon's
//! worker threads, handing them over in small batches. This thread is the
//! single writer: it groups the batches into transactions of a few thousand
//! records, each committed with the resume points of the inputs it holds, so
//! a run killed at any instant loses at most the transaction in flight and
//! the next run redoes exactly that.

mod batch;
mod boilerplate;
pub mod dates;
pub mod decode;
mod discover;
mod html;
mod jsonl;
mod jsonl_stream;
mod pipeline;
mod prepare;
mod produce;
mod read;
mod txt;
mod writer;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Map, Value};

#[cfg(unix)]
pub use discover::name_path;
pub use discover::{Input, Listing, list, path_name};
pub use pipeline::{run, run_listed};

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
/// `prepare::parse_document` and [`Format::from_name`].
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
    /// Largest single article (a text or HTML file, or one JSON line).
    pub max_article_bytes: u64,
    /// The named-entity model (`None`: NER off).
    pub tagger: Option<crate::ner::SharedTagger>,
}

/// How far a run has got, for a caller that shows it (the CLI draws a bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Reading begins: the listed inputs' size on disk.
    Started { total_bytes: u64 },
    /// Input bytes read so far (decompressed, so a `.gz` input counts more
    /// than its size), of the listed total.
    Read { done_bytes: u64, total_bytes: u64 },
    /// Every input is read and written; what is left is bookkeeping.
    Finished,
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
    /// A file in a folder that marsad does not read (its extension, or not
    /// a regular file): named, counted, not recorded, as it is no input.
    Ignored,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Error => "error",
            Problem::Skipped => "skipped",
            Problem::Ignored => "ignored",
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

impl From<decode::DecodeError> for Rejected {
    fn from(e: decode::DecodeError) -> Self {
        Rejected::Invalid(e.to_string())
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
    /// Records with no article text, recorded with their reason.
    pub skipped: u64,
    /// Files in folders not read (an extension marsad does not read, or not
    /// a regular file), each named on stderr.
    pub ignored: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub mb_per_s: f64,
}
