//! `marsad backup`: a checked copy that appears at DEST only once it passes
//! `marsad check`. It is written under a temporary name in DEST's folder
//! (so the final rename stays on one file system) and removed on any failure,
//! so a full disk or a bad copy never leaves a DEST that looks like a backup.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode};

use crate::error::{Error, Result, Side};

/// Files SQLite and marsad keep beside an archive: writing a copy there would
/// be taken for (or deleted as) the archive's own journal, WAL or lock.
const COMPANIONS: [&str; 4] = ["-wal", "-shm", "-journal", ".lock"];

fn err(side: Side, path: &Path, message: impl Into<String>) -> Error {
    Error::Backup {
        side,
        path: path.to_path_buf(),
        message: message.into(),
        sqlite_code: None,
    }
}

/// A copy step that SQLite failed, keeping SQLite's code with the message.
fn sql_err(side: Side, path: &Path, message: String, e: &rusqlite::Error) -> Error {
    Error::Backup {
        side,
        path: path.to_path_buf(),
        message,
        sqlite_code: e.sqlite_error_code(),
    }
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Refuse a DEST that is the source, one of its companion files, or exists.
/// Returns DEST's folder.
fn check_destination(source: &Path, dest: &Path) -> Result<PathBuf> {
    let src = source
        .canonicalize()
        .map_err(|e| err(Side::Source, source, e.to_string()))?;
    let dir = match dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .ok_or_else(|| err(Side::Destination, dest, "is not a file name"))?;
    let full = dir
        .canonicalize()
        .map_err(|e| err(Side::Destination, dest, format!("its folder: {e}")))?
        .join(name);
    if full == src {
        return Err(err(
            Side::Destination,
            dest,
            "is the archive itself; choose a new file",
        ));
    }
    if let Some(sfx) = COMPANIONS.iter().find(|s| full == with_suffix(&src, s)) {
        return Err(err(
            Side::Destination,
            dest,
            format!(
                "is the archive's own {sfx} file, which SQLite or marsad would overwrite or delete; choose another name"
            ),
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(dest) {
        use std::os::unix::fs::MetadataExt;
        let same =
            std::fs::metadata(&src).is_ok_and(|s| s.ino() == meta.ino() && s.dev() == meta.dev());
        return Err(err(
            Side::Destination,
            dest,
            if same {
                "is the archive itself (another name for the same file); choose a new file"
            } else {
                "already exists; choose a new file for the backup"
            },
        ));
    }
    Ok(dir)
}

/// An unused temporary name in `dir` for the copy of `dest`.
fn temporary(dir: &Path, dest: &Path) -> PathBuf {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    (0..)
        .map(|i| dir.join(format!(".{name}.backup-{}-{i}.tmp", std::process::id())))
        .find(|p| !p.exists() && !with_suffix(p, "-journal").exists())
        .expect("an unused name")
}

/// Which side a failed copy step is about: writing (a full disk, no
/// permission) is the destination; reading (a damaged or busy archive) the source.
fn side_of(e: &rusqlite::Error) -> Side {
    match e.sqlite_error_code() {
        Some(
            ErrorCode::DiskFull
            | ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::PermissionDenied
            | ErrorCode::SystemIoFailure,
        ) => Side::Destination,
        _ => Side::Source,
    }
}

/// Copy the archive open on `conn` (the file `source`) to `dest` with
/// SQLite's online backup, in steps so a running ingest is not blocked for
/// long; the copy is one consistent snapshot. `dest` must not exist; it
/// appears only after `verify` finds no problem in the copy (the caller
/// passes `marsad check`'s checks: the store knows no feature).
pub fn backup(
    conn: &Connection,
    source: &Path,
    dest: &Path,
    pause: Duration,
    verify: impl FnOnce(&Connection) -> Result<Vec<String>>,
) -> Result<()> {
    let dir = check_destination(source, dest)?;
    let tmp = temporary(&dir, dest);
    let cleanup = |tmp: &Path| {
        for sfx in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(tmp, sfx));
        }
    };
    let copied = copy_and_check(conn, source, dest, &tmp, pause, verify).and_then(|()| {
        // A hard link does not replace a DEST made meanwhile; a rename
        // where links are not supported.
        std::fs::hard_link(&tmp, dest)
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Err(e),
                _ if dest.exists() => Err(std::io::ErrorKind::AlreadyExists.into()),
                _ => std::fs::rename(&tmp, dest),
            })
            .map_err(|e| err(Side::Destination, dest, e.to_string()))
    });
    cleanup(&tmp);
    copied?;
    // The new name is durable once its folder is.
    let _ = std::fs::File::open(&dir).and_then(|d| d.sync_all());
    Ok(())
}

fn copy_and_check(
    conn: &Connection,
    source: &Path,
    dest: &Path,
    tmp: &Path,
    pause: Duration,
    verify: impl FnOnce(&Connection) -> Result<Vec<String>>,
) -> Result<()> {
    let dest_err = |e: rusqlite::Error| {
        sql_err(
            Side::Destination,
            dest,
            format!("{e} (writing {}; nothing is left behind)", tmp.display()),
            &e,
        )
    };
    let mut out = Connection::open(tmp).map_err(dest_err)?;
    {
        let on = |e: rusqlite::Error| match side_of(&e) {
            Side::Source => sql_err(Side::Source, source, e.to_string(), &e),
            Side::Destination => dest_err(e),
        };
        let b = rusqlite::backup::Backup::new(conn, &mut out).map_err(on)?;
        b.run_to_completion(256, pause, None).map_err(on)?;
    }
    // The copy is a single file, not WAL, so it can be moved as it is.
    let _: String = out
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(dest_err)?;
    // Open writable, so that integrity_check also verifies CHECK
    // constraints (SQLite skips them on a read-only connection).
    let problems = verify(&out).map_err(|e| match e {
        Error::Sql(e) => dest_err(e),
        e => e,
    })?;
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(5).map(String::as_str).collect();
        return Err(err(
            Side::Source,
            source,
            format!(
                "its copy does not pass `marsad check` ({} problems: {}); no backup was written. \
                 Run `marsad check` on the archive",
                problems.len(),
                shown.join("; ")
            ),
        ));
    }
    out.close().map_err(|(_, e)| dest_err(e))
}
