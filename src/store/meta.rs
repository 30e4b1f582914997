//! The archive's `meta` table: its settings and the versions of its derived
//! state, read and written only here, by key.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// What `meta` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    /// The analyser that built the full-text index (`text::ANALYZER_VERSION`).
    AnalyzerVersion,
    /// The MinHash scheme that built signatures and stories.
    DedupVersion,
    /// The near-duplicate link threshold, when not the default.
    DedupThreshold,
    /// When the shipped gazetteer was imported (never again after).
    GazetteerSeeded,
    /// The named-entity model the mentions were extracted with (its id, or
    /// `off`), as of the last ingest or reextract.
    NerModel,
    /// The scheme of the summary tables (migration V18), once built.
    SummaryVersion,
    /// The last `export --format parquet`: a JSON object (directory, time,
    /// generation, rows per table), written after the export's manifest.
    LastExport,
    /// The FTS5 query of meeting words whose sentences the archive counts
    /// per pair of people (V21, `person_meeting_days`).
    MeetingQuery,
}

impl Meta {
    pub fn key(self) -> &'static str {
        match self {
            Meta::AnalyzerVersion => "analyzer_version",
            Meta::DedupVersion => "dedup_version",
            Meta::DedupThreshold => "dedup_threshold",
            Meta::GazetteerSeeded => "gazetteer_seeded",
            Meta::NerModel => "ner_model",
            Meta::SummaryVersion => "summary_version",
            Meta::LastExport => "last_export",
            Meta::MeetingQuery => "meeting_query",
        }
    }
}

pub fn get(conn: &Connection, key: Meta) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key.key()], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, key: Meta, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key.key(), value],
    )?;
    Ok(())
}

pub fn clear(conn: &Connection, key: Meta) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key.key()])?;
    Ok(())
}
