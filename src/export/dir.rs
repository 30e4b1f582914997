//! The export directory's guards: one export at a time, and never into a
//! directory marsad did not write.

use std::path::Path;

use crate::error::{Error, Result};

/// One export at a time per directory: an advisory lock on
/// `DIR/marsad-export.json.lock`, which the system releases when the
/// process ends, however it ends. A second run is refused, not queued: a
/// nightly cron line that overlaps a manual run fails with this message
/// rather than piling up.
pub fn lock(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join(format!("{}.lock", super::manifest::MANIFEST));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Input(format!(
            "{}: another `marsad export` is writing this directory; run again when it has finished",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// A directory with no manifest must hold nothing but what a killed first
/// run left (table directories): marsad never removes files it did not write.
pub fn refuse_foreign(dir: &Path, names: &[&str]) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for e in entries {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().to_string();
        if !names.contains(&name.as_str()) && !name.starts_with(super::manifest::MANIFEST) {
            return Err(Error::Invalid(format!(
                "{}: not empty and not a marsad export (it holds {name}); \
                 export into an empty or new directory",
                dir.display()
            )));
        }
    }
    Ok(())
}
