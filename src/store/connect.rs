//! Which files may be opened as an archive, and how each kind of
//! connection is set up: read-only readers that never checkpoint, the
//! integrity checker, and the writers' pragmas.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::PAGE_SIZE;
use crate::error::{Error, Result};

/// Whether a reading connection must see the schema's CHECK constraints
/// (only `marsad check` needs them; see [`read_only_connection`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    Skip,
    Constraints,
}

/// Whether a path must already hold an archive.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Required,
    MayBeMissing,
}

/// Refuse what cannot be an archive file before SQLite sees it: an
/// in-memory or URI name, a folder, a device or FIFO, a missing file when
/// one is required, and a file that is not SQLite.
pub fn check_path(path: &Path, existing: Existing) -> Result<()> {
    let name = path.to_string_lossy();
    if name.is_empty() || name == ":memory:" || name.starts_with("file:") {
        return Err(Error::Input(format!(
            "--db {name:?}: marsad keeps its archive in a file; give a file path (default marsad.db)"
        )));
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(dir) = parent.filter(|d| !d.is_dir()) {
                return Err(Error::NotFound(format!(
                    "{}: no such folder for the archive {}; check --db (or MARSAD_DB), or create the folder",
                    dir.display(),
                    path.display()
                )));
            }
            return match existing {
                Existing::MayBeMissing => Ok(()),
                Existing::Required => Err(Error::NotFound(format!(
                    "{}: no archive here; check --db (or MARSAD_DB), or run `marsad ingest` to create one",
                    path.display()
                ))),
            };
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    if meta.is_dir() {
        return Err(Error::Input(format!(
            "{}: is a folder; --db takes the archive's file, e.g. {}",
            path.display(),
            path.join("marsad.db").display()
        )));
    }
    if !meta.is_file() {
        return Err(Error::Input(format!(
            "{}: not a regular file (a device, FIFO or socket); --db takes the archive's file",
            path.display()
        )));
    }
    if meta.len() == 0 {
        return match existing {
            Existing::MayBeMissing => Ok(()),
            Existing::Required => Err(Error::NotFound(format!(
                "{}: empty file, not an archive; run `marsad ingest` to fill it",
                path.display()
            ))),
        };
    }
    // Opening and closing the file here drops every POSIX lock this process
    // holds on it, SQLite's included: so only before any connection to it
    // is open (a stock reader could then take the file for its own).
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| Error::io(path, e))?;
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(Error::Input(format!(
            "{}: not an SQLite file, so not a marsad archive; use a new path for the archive. The file was not changed.",
            path.display()
        )));
    }
    Ok(())
}

/// Refuse an SQLite file that holds tables but is not a marsad archive:
/// marsad would add its own tables beside another application's.
pub(super) fn refuse_foreign(conn: &Connection, path: &Path) -> Result<()> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())?;
    if tables.is_empty() || tables.iter().any(|t| t == "refinery_schema_history") {
        return Ok(());
    }
    let mut listed: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    if tables.len() > 5 {
        listed.push("…");
    }
    Err(Error::Input(format!(
        "not a marsad archive: {} has tables {}; use a new path for the archive. The file was not changed.",
        path.display(),
        listed.join(", ")
    )))
}

/// A plain read-only connection, for `marsad check` to report the damage
/// of a file that cannot be opened as an archive.
pub fn integrity_connection(path: &Path) -> Result<Connection> {
    read_only_connection(path, Checks::Skip)
}

/// A read-only connection to an existing archive.
///
/// Neither opening nor closing it takes an exclusive lock: closing does not
/// checkpoint (stock `sqlite3`, which waits 0 ms on a lock, would fail to
/// open the file while marsad held that lock for the checkpoint), and
/// `query_only` makes a write through it an error.
///
/// With `Checks::Constraints` the file is opened read-write (never created)
/// but still `query_only`: SQLite does not even parse the CHECK constraints
/// of a read-only file, so only such a connection lets `PRAGMA
/// integrity_check` verify them. It writes nothing and takes no write lock.
pub(crate) fn read_only_connection(path: &Path, checks: Checks) -> Result<Connection> {
    check_path(path, Existing::Required)?;
    let mode = match checks {
        Checks::Skip => OpenFlags::SQLITE_OPEN_READ_ONLY,
        Checks::Constraints => OpenFlags::SQLITE_OPEN_READ_WRITE,
    };
    let mut conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
        conn = on_read_only_medium(path, e)?;
    }
    no_checkpoint_on_close(&conn)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // SQLite's default 2 MB cache: a 64 MB one made small queries slower
    // (fresh memory for every page read) and no longer helps the profile.
    conn.execute_batch("PRAGMA query_only = ON")?;
    Ok(conn)
}

/// One more read-only connection to the archive at `path`, which this
/// process has open already (`check`'s helpers): read as that reader reads
/// it, through its `-wal` or, where that cannot be, as it stands. The path
/// is not checked again: opening and closing the file outside SQLite would
/// drop the locks the open reader holds on it.
pub(crate) fn another_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
        Ok(()) => Ok(conn),
        Err(e) => on_read_only_medium(path, e),
    }
}

/// A WAL archive alone on a read-only medium (a mount, a share, a copied
/// file without its `-wal` and `-shm`): SQLite cannot create the `-wal` it
/// wants to read through, so the first read fails with "unable to open"
/// (or, in a folder it may not write though the file is writable, with
/// "attempt to write a readonly database"). With no `-wal` beside it, or an empty one (marsad's writers empty it as
/// they finish), every commit is in the file and no writer can be at work
/// (a writer needs to write there), so it is opened as immutable. With
/// commits still in the `-wal`, the message says what to do.
fn on_read_only_medium(path: &Path, err: rusqlite::Error) -> Result<Connection> {
    if !matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    ) {
        return Err(err.into());
    }
    let wal = {
        let mut s = path.as_os_str().to_owned();
        s.push("-wal");
        std::path::PathBuf::from(s)
    };
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(Error::Input(format!(
            "{}: cannot read the archive: its folder is read-only, and commits still in {} \
             cannot be read without a -shm file beside it; copy the archive with its -wal \
             file to a writable folder and read it there",
            path.display(),
            wal.display()
        )));
    }
    let conn = Connection::open_with_flags(
        immutable_uri(path)?,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
    Ok(conn)
}

/// `file:` URI of `path` with `immutable=1`, its bytes percent-encoded
/// where the URI syntax needs it.
fn immutable_uri(path: &Path) -> Result<String> {
    let abs = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let mut uri = String::from("file:");
    for &b in abs.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Ok(uri)
}

/// SQLite's last connection to a WAL file checkpoints and deletes the WAL
/// on close, under an exclusive lock that makes a reader opening the file
/// at that instant fail at once. marsad's connections never do: writers
/// checkpoint explicitly (see [`checkpoint`]), readers never need to.
pub(super) fn no_checkpoint_on_close(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    Ok(())
}

/// Copy the WAL into the file and empty it, at the end of a command that
/// wrote. Unlike the checkpoint SQLite runs when the last connection
/// closes, this one takes no exclusive lock on the file, so readers
/// opening it meanwhile are not refused. Best effort: it waits up to
/// [`CHECKPOINT_WAIT`] for readers still in the WAL (a stock `sqlite3`
/// query takes milliseconds), and with one in a long query (a Datasette
/// page, an open sqlite3 transaction) it leaves the WAL for the next
/// checkpoint rather than hold the command up. A WAL left full matters:
/// the next process to open the file first rebuilds its index from the
/// whole WAL, and stock readers opening meanwhile are refused (31 MB after
/// an ingest with a reader at work, when this did not wait).
pub fn checkpoint(conn: &Connection) {
    let _ = conn.busy_timeout(CHECKPOINT_WAIT);
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
}

/// How long a writer's last checkpoint waits for readers to leave the WAL.
const CHECKPOINT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // Both only take effect on a new, empty file (see PAGE_SIZE and
    // release_free_pages); setting auto_vacuum on an existing one would
    // write its header on every open.
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    if pages == 0 {
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    }
    // journal_mode returns a row, so it is read rather than executed.
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -65536;
         PRAGMA temp_store = MEMORY;",
    )?;
    // Plans that do not depend on bound values. Without this SQLite
    // re-prepares some statements on every step after a new binding (the
    // discovered-name lookup of ingest: a third of the writer's time on the
    // 2018 corpus with NER), for plans that are the same anyway.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}
