//! One ingest at a time per archive: an advisory lock on `ARCHIVE.lock`.
//! The operating system releases it when the process dies, so a killed run
//! never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

pub struct IngestLock {
    _file: File,
}

impl IngestLock {
    /// Take the lock, waiting up to `wait` for another ingest to finish.
    pub fn acquire(db: &Path, wait: Duration) -> Result<IngestLock> {
        // Before making DB.lock: not beside a device, a folder or ":memory:".
        super::check_path(db, super::Existing::MayBeMissing)?;
        // Nor beside another application's SQLite file, which we would refuse.
        // (A file that cannot be opened here, on a read-only file system say,
        // is reported below or by the open that follows.)
        if std::fs::metadata(db).is_ok_and(|m| m.len() > 0)
            && let Ok(conn) = super::read_only_connection(db, super::Checks::Skip)
            && let Err(e @ Error::Input(_)) = super::refuse_foreign(&conn, db)
        {
            return Err(e);
        }
        let lock_path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::ReadOnlyFilesystem => Error::Input(format!(
                    "{}: the archive's folder is on a read-only file system; marsad needs to write there. Nothing was changed.",
                    db.display()
                )),
                _ => Error::io(&lock_path, e),
            })?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(IngestLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: db.to_path_buf(),
                        lock: lock_path,
                        waited: started.elapsed().as_secs(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
            }
        }
    }
}

/// Whether an ingest (or another writer that takes the lock) holds the
/// archive now. Only looks: a shared lock on the lock file, let go at once.
pub fn ingest_running(db: &Path) -> bool {
    let Ok(file) = File::open(lock_path(db)) else {
        return false;
    };
    matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock))
}

fn lock_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}
