//! The library's one error type. Messages name the file or value at fault and
//! say what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),

    #[error("Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),

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
        "{path}: the archive is at schema version {found}, older than this marsad's \
         {known}; run `marsad migrate` first (it keeps everything). The archive was not \
         modified."
    )]
    NeedsMigration {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error(
        "{path}: {what} predates this marsad; run `marsad migrate` first to rebuild it \
         (it keeps everything). The archive was not modified."
    )]
    Outdated { path: PathBuf, what: String },

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
        /// SQLite's code for the failure, when SQLite reported it.
        sqlite_code: Option<rusqlite::ErrorCode>,
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

    /// Whether it failed for a full disk: SQLite's SQLITE_FULL or an I/O
    /// error of kind StorageFull, here or in what caused it.
    pub fn is_disk_full(&self) -> bool {
        if let Error::Backup { sqlite_code, .. } = self {
            return *sqlite_code == Some(rusqlite::ErrorCode::DiskFull);
        }
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cause {
            if disk_full(e) {
                return true;
            }
            cause = e.source();
        }
        false
    }
}

/// Whether `e` itself (not its cause) says the disk is full.
pub fn disk_full(e: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(e) = e.downcast_ref::<rusqlite::Error>() {
        return e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull);
    }
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::StorageFull)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_known_by_its_code_not_its_text() {
        let full = || {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("database or disk is full".into()),
            )
        };
        assert!(Error::Sql(full()).is_disk_full());
        let enospc = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(Error::io("/x", enospc).is_disk_full());
        let backup = |sqlite_code| Error::Backup {
            side: Side::Destination,
            path: "/x".into(),
            message: "database or disk is full".into(),
            sqlite_code,
        };
        assert!(backup(Some(rusqlite::ErrorCode::DiskFull)).is_disk_full());
        assert!(!backup(None).is_disk_full());
        assert!(!Error::Input("x.jsonl: the disk is full of news".into()).is_disk_full());
    }
}
