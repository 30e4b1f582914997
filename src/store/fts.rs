//! Full-text rows held back until the end of a transaction's writes.
//!
//! FTS5 keeps new terms in memory and writes them out as a new on-disk
//! segment when the transaction commits, and also whenever SQLite opens a
//! statement savepoint: for any write that may have to be undone halfway,
//! such as an upsert or an `INSERT OR REPLACE`. Interleaving such writes
//! with FTS inserts, article by article, writes one tiny segment per article
//! and per FTS table, and FTS5 then spends most of the ingest merging them.
//! Writing the queued FTS rows together, after the ordinary rows, gives one
//! segment per transaction whatever the other statements are; writing them
//! batch by batch instead, with no savepoint between, cost more CPU.

use rusqlite::{Connection, params};

use crate::error::Result;

/// Pending rows for `articles_fts`, `sentences_fts` and `entities_fts`.
#[derive(Default)]
pub struct FtsQueue {
    articles: Vec<(i64, String, String)>,
    sentences: Vec<(i64, String)>,
    entities: Vec<(i64, String)>,
    /// Bytes of text held.
    bytes: usize,
}

/// Rows held before a caller that writes many articles in one transaction
/// flushes (see [`FtsQueue::flush_if_full`]), to bound memory.
const FULL: usize = 20_000;

impl FtsQueue {
    pub fn article(&mut self, rowid: i64, title: String, body: String) {
        self.bytes += title.len() + body.len();
        self.articles.push((rowid, title, body));
    }

    pub fn sentence(&mut self, rowid: i64, terms: String) {
        self.bytes += terms.len();
        self.sentences.push((rowid, terms));
    }

    /// A new row of `entities_fts` (an entity's analysed names).
    pub fn entity(&mut self, rowid: i64, names: String) {
        self.bytes += names.len();
        self.entities.push((rowid, names));
    }

    /// Bytes of text held, for callers that bound a transaction by memory.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// [`FtsQueue::flush`] once enough rows are held; for the whole-archive
    /// rebuilds, which write everything in one transaction.
    pub fn flush_if_full(&mut self, tx: &Connection) -> Result<()> {
        if self.articles.len() + self.sentences.len() + self.entities.len() >= FULL {
            self.flush(tx)?;
        }
        Ok(())
    }

    /// Write every queued row, one table after the other, and empty the queue.
    pub fn flush(&mut self, tx: &Connection) -> Result<()> {
        self.bytes = 0;
        if !self.articles.is_empty() {
            let mut st = tx.prepare_cached(
                "INSERT INTO articles_fts(rowid, title, body) VALUES (?1, ?2, ?3)",
            )?;
            for (id, title, body) in self.articles.drain(..) {
                st.execute(params![id, title, body])?;
            }
        }
        if !self.sentences.is_empty() {
            let mut st =
                tx.prepare_cached("INSERT INTO sentences_fts(rowid, text) VALUES (?1, ?2)")?;
            for (id, terms) in self.sentences.drain(..) {
                st.execute(params![id, terms])?;
            }
        }
        if !self.entities.is_empty() {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO entities_fts(rowid, names) VALUES (?1, ?2)",
            )?;
            for (id, names) in self.entities.drain(..) {
                st.execute(params![id, names])?;
            }
        }
        Ok(())
    }
}

/// Merge each of `indexes` (marsad's own FTS5 table names, never user
/// text) into a single segment: FTS5's 'optimize'. Worth it after writing
/// most of an index at once (a first import, a reindex, a reextract): one
/// segment makes every search faster (BENCHMARKS.md). After a small
/// nightly run FTS5's automerge keeps
/// the segments in check, and rewriting the whole index each time would
/// cost more than it saves.
///
/// Callers run it after their commit and ignore its failure (a full disk):
/// the index is complete either way, only in more segments.
pub fn optimize(conn: &Connection, indexes: &[&str]) -> Result<()> {
    for t in indexes {
        conn.execute(&format!("INSERT INTO {t}({t}) VALUES ('optimize')"), [])?;
    }
    Ok(())
}
