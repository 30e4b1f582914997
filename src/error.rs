//! The library's one error type. Messages name the file or value at fault and
//! say what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),

    #[error("migration failed: {0}")]
    Migration(#[from] refinery::Error),

    #[error(
        "{path}: the archive's schema is version {found}, newer than this marsad understands \
         (up to {known}); use a newer marsad. The archive was not modified."
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error(
        "{path}: the archive is at schema version {found} (or its index, gazetteer or \
         signatures predate this marsad, which uses version {known}); run `marsad migrate` \
         first (it keeps everything). The archive was not modified."
    )]
    NeedsMigration {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "{path}: another marsad ingest is running on this archive (lock {lock}); \
         waited {waited}s. Retry later or pass --wait SECONDS."
    )]
    Locked {
        path: PathBuf,
        lock: PathBuf,
        waited: u64,
    },

    #[error("{0}")]
    Input(String),

    #[error("backup {side} {}: {message}", path.display())]
    Backup {
        side: Side,
        path: PathBuf,
        message: String,
    },

    #[error("not found: {0}")]
    NotFound(String),

    /// A value the user gave that marsad cannot use; the message names it
    /// and says what to give instead.
    #[error("{0}")]
    Invalid(String),
}

/// Which side of a copy an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Destination,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Destination => "destination",
        })
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
