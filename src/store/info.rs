//! What `marsad info` reports, and an ingest run's status as `runs` holds it.

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::{Meta, Store};
use crate::error::Result;

/// An ingest run's status, as `runs.status` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Ok,
    Partial,
    Failed,
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Ok => "ok",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

impl rusqlite::types::FromSql for RunStatus {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        match v.as_str()? {
            "running" => Ok(RunStatus::Running),
            "ok" => Ok(RunStatus::Ok),
            "partial" => Ok(RunStatus::Partial),
            "failed" => Ok(RunStatus::Failed),
            "interrupted" => Ok(RunStatus::Interrupted),
            _ => Err(rusqlite::types::FromSqlError::InvalidType),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: RunStatus,
    pub inputs: i64,
    pub new: i64,
    pub duplicates: i64,
    pub errors: i64,
}

#[derive(Debug, Serialize)]
pub struct Info {
    pub path: String,
    pub schema_version: i64,
    pub analyzer_version: Option<String>,
    /// The named-entity model of the last extraction (`off`: none).
    pub ner_model: Option<String>,
    pub articles: i64,
    pub sightings: i64,
    pub outlets: i64,
    pub runs: i64,
    /// Inputs and records that could not be read, over every run.
    pub errors: i64,
    /// Records read but with nothing to keep (no text), over every run.
    pub skipped: i64,
    pub first_published: Option<String>,
    pub last_published: Option<String>,
    pub file_bytes: u64,
    pub last_run: Option<RunSummary>,
    /// The last `export --format parquet`, as it recorded itself in `meta`.
    pub last_export: Option<ExportSummary>,
}

/// Where and when the archive was last exported as Parquet.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct ExportSummary {
    pub dir: String,
    pub at: String,
    pub generation: u64,
    pub bytes: u64,
}

impl RunStatus {
    /// The status of a run as `runs` records it, settled: a run recorded as
    /// running that no process holds (the archive's ingest lock is free) was
    /// killed, and the next ingest will mark it so; say it now.
    pub fn settled(self, archive: &std::path::Path) -> RunStatus {
        if self == RunStatus::Running && !super::ingest_running(archive) {
            RunStatus::Interrupted
        } else {
            self
        }
    }
}

impl Store {
    /// Counts and facts for `marsad info`.
    pub fn info(&self) -> Result<Info> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let last_run = self
            .conn
            .query_row(
                "SELECT id, started_at, finished_at, status, inputs, new_articles, duplicates, errors
                 FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(RunSummary {
                        id: r.get(0)?,
                        started_at: r.get(1)?,
                        finished_at: r.get(2)?,
                        status: r.get(3)?,
                        inputs: r.get(4)?,
                        new: r.get(5)?,
                        duplicates: r.get(6)?,
                        errors: r.get(7)?,
                    })
                },
            )
            .optional()?
            .map(|mut r: RunSummary| {
                r.status = r.status.settled(&self.path);
                r
            });
        Ok(Info {
            path: self.path.display().to_string(),
            schema_version: self.schema_version()?,
            analyzer_version: self.meta(Meta::AnalyzerVersion)?,
            ner_model: self.meta(Meta::NerModel)?,
            articles: count("SELECT count(*) FROM articles")?,
            sightings: count("SELECT count(*) FROM sightings")?,
            outlets: count("SELECT count(*) FROM outlets")?,
            runs: count("SELECT count(*) FROM runs")?,
            errors: count("SELECT count(*) FROM ingest_errors WHERE kind != 'skipped'")?,
            skipped: count("SELECT count(*) FROM ingest_errors WHERE kind = 'skipped'")?,
            first_published: self.conn.query_row(
                "SELECT min(published_at) FROM articles",
                [],
                |r| r.get(0),
            )?,
            last_published: self.conn.query_row(
                "SELECT max(published_at) FROM articles",
                [],
                |r| r.get(0),
            )?,
            file_bytes: std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0),
            last_run,
            // A record this marsad cannot read (another version's) is left out.
            last_export: self
                .meta(Meta::LastExport)?
                .and_then(|j| serde_json::from_str(&j).ok()),
        })
    }
}
