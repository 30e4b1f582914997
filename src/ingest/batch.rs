//! What flows from the workers to the writer: prepared articles, errors
//! and resume points, in batches. Shared by the producer, the JSON Lines
//! stream, the pipeline and the writer, so it sits below all of them.

use super::{InputError, Record};
use crate::entities::Extraction;

/// An article ready to store: parsed, hashed and analysed.
#[derive(Debug)]
pub(super) struct Prepared {
    pub(super) origin: String,
    pub(super) line: i64,
    pub(super) raw_sha256: String,
    pub(super) content_sha256: String,
    pub(super) fts_title: String,
    pub(super) fts_body: String,
    pub(super) extraction: Extraction,
    /// MinHash signature of the body (None when too short to compare).
    pub(super) signature: Option<Vec<u32>>,
    /// `rec.extra` as the JSON stored in `articles.extra`, serialised here
    /// rather than on the writer thread.
    pub(super) extra_json: Option<String>,
    pub(super) rec: Record,
}

/// What the archive last knew of an input file.
#[derive(Debug, Clone)]
pub(super) struct InputState {
    pub(super) size: i64,
    pub(super) mtime_ns: i64,
    pub(super) raw_sha256: String,
    pub(super) done_bytes: i64,
    pub(super) done_sha256: String,
}

/// The resume point written with a batch: an input and what the archive will
/// know of it.
#[derive(Debug, Clone)]
pub(super) struct StateUpdate {
    pub(super) path: String,
    pub(super) state: InputState,
}

/// One unit of work for the writer.
#[derive(Debug)]
pub(super) enum Item {
    Article(Box<Prepared>),
    Error(InputError),
    /// Line already recorded from this input with the same bytes.
    Seen,
}

/// What the workers hand the writer at once. Batches are small so that the
/// writer starts soon and never waits long; it groups them into larger
/// transactions (see `writer::TX_RECORDS`).
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub(super) items: Vec<Item>,
    pub(super) states: Vec<StateUpdate>,
    pub(super) inputs: u64,
    pub(super) unchanged: u64,
    pub(super) bytes: u64,
}

/// JSON lines read into one batch (after a smaller first one).
pub(super) const LINES_PER_BATCH: usize = 512;
