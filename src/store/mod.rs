//! The archive file: opening it with the right pragmas, migrating it, keeping
//! derived state (the full-text index) in step with the analyser, the
//! one-ingest-at-a-time lock, and the summary queries behind `info`.

mod backup;
mod fts;
mod lock;
pub mod meta;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::text;
pub use meta::Meta;

pub use backup::backup;
pub use fts::{FtsQueue, optimize as optimize_fts};
pub use lock::{IngestLock, ingest_running};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The newest schema version this binary knows.
pub fn latest_schema_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| m.version() as i64)
        .max()
        .unwrap_or(0)
}

/// An open archive.
pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
    writable: bool,
}

impl Drop for Store {
    /// A command that wrote leaves the WAL checkpointed (see [`checkpoint`]).
    fn drop(&mut self) {
        if self.writable {
            checkpoint(&self.conn);
        }
    }
}

impl Store {
    /// Open the archive at `path` for writing, creating it if it does not
    /// exist, without migrating it: for `ingest` and `migrate`, which then
    /// migrate it under the ingest lock (see [`crate::archive`]). Refuses a
    /// path that is not a file, and an SQLite file of another application.
    pub fn open_to_create(path: &Path) -> Result<Store> {
        check_path(path, Existing::MayBeMissing)?;
        // Looked at read-only first: opening to write switches it to WAL.
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            refuse_foreign(&read_only_connection(path, Checks::Skip)?, path)?;
        }
        Self::open_unmigrated(path)
    }

    /// Open an existing archive for writing, for the commands that edit it
    /// (the gazetteer, reextract, reindex, dedup). It must exist and have
    /// the current schema: only `ingest` and `migrate` create or migrate.
    pub fn open_existing(path: &Path) -> Result<Store> {
        check_path(path, Existing::Required)?;
        refuse_foreign(&read_only_connection(path, Checks::Skip)?, path)?;
        let store = Self::open_unmigrated(path)?;
        store.require_current()?;
        Ok(store)
    }

    /// Open without migrating; used by tests that build old archives.
    pub fn open_unmigrated(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            return Err(Error::Input(format!(
                "{}: folder {} does not exist; create it or choose another --db",
                path.display(),
                dir.display()
            )));
        }
        let read_only = |e: &rusqlite::Error| {
            matches!(e, rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly))
        };
        let refuse = || {
            Error::Input(format!(
                "{}: cannot open the archive for writing: the file or its folder is read-only \
                 (marsad writes a WAL journal beside it); it was not changed",
                path.display()
            ))
        };
        let conn =
            Connection::open(path).map_err(|e| if read_only(&e) { refuse() } else { e.into() })?;
        no_checkpoint_on_close(&conn)?;
        match configure(&conn) {
            Err(Error::Sql(e)) if read_only(&e) => return Err(refuse()),
            r => r?,
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            writable: true,
        })
    }

    /// Open an existing archive read-only, for every command that only
    /// reads: no migration, no write, no write lock; the file's bytes stay
    /// as they were. An archive that needs `marsad migrate` is refused.
    pub fn open_read_only(path: &Path, checks: Checks) -> Result<Store> {
        let store = Store {
            conn: read_only_connection(path, checks)?,
            path: path.to_path_buf(),
            writable: false,
        };
        refuse_foreign(&store.conn, path)?;
        store.require_current()?;
        Ok(store)
    }

    /// Refuse an archive whose schema this binary would have to migrate:
    /// that is `marsad migrate`'s job, under the ingest lock, never a
    /// reader's. (Derived state is checked a layer up, in [`crate::archive`].)
    pub fn require_current(&self) -> Result<()> {
        let found = self.schema_version()?;
        let known = latest_schema_version();
        if found == 0 {
            return Err(Error::NotFound(format!(
                "{}: empty, not yet an archive; run `marsad ingest` to fill it",
                self.path.display()
            )));
        }
        if found > known {
            return Err(Error::SchemaTooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        if found < known {
            return Err(Error::NeedsMigration {
                path: self.path.clone(),
                found,
                known,
            });
        }
        Ok(())
    }

    /// Applied schema version (0 for a new file).
    pub fn schema_version(&self) -> Result<i64> {
        let has_table: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'refinery_schema_history'",
            [],
            |r| r.get(0),
        )?;
        if !has_table {
            return Ok(0);
        }
        Ok(self.conn.query_row(
            "SELECT coalesce(max(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?)
    }

    /// Apply migrations up to `target` (all when `None`). An archive whose
    /// schema is newer than this binary is refused before anything is written.
    pub fn migrate(&mut self, target: Option<i64>) -> Result<i64> {
        let found = self.schema_version()?;
        let known = latest_schema_version();
        if found > known {
            return Err(Error::SchemaTooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        let mut runner = embedded::migrations::runner();
        if let Some(t) = target {
            runner = runner.set_target(refinery::Target::Version(t as i32));
        }
        runner.run(&mut self.conn)?;
        self.schema_version()
    }

    pub fn meta(&self, key: Meta) -> Result<Option<String>> {
        meta::get(&self.conn, key)
    }

    /// Rebuild the analysed full-text index when it was built by another
    /// analyser version (or never built, right after migration V2).
    pub fn sync_index(&mut self) -> Result<()> {
        if self.meta(Meta::AnalyzerVersion)?.as_deref() == Some(text::ANALYZER_VERSION) {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        // Not DELETE: on an external-content index that would re-tokenise
        // the published text to find what to remove.
        tx.execute(
            "INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')",
            [],
        )?;
        let mut fts = FtsQueue::default();
        crate::articles::for_each(
            &tx,
            |_, title, body| (text::index_terms(title), text::index_terms(body)),
            |id, (title, body)| {
                fts.article(id, title, body);
                fts.flush_if_full(&tx)
            },
        )?;
        fts.flush(&tx)?;
        meta::set(&tx, Meta::AnalyzerVersion, text::ANALYZER_VERSION)?;
        tx.commit()?;
        // Written anew, in as many segments as the queue flushed: one.
        let _ = optimize_fts(&self.conn, &["articles_fts"]);
        Ok(())
    }

    /// Rebuild the full-text index from the articles; returns their number.
    pub fn reindex(&mut self) -> Result<i64> {
        meta::clear(&self.conn, Meta::AnalyzerVersion)?;
        self.sync_index()?;
        release_free_pages(&self.conn);
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?)
    }

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
            .optional()?;
        Ok(Info {
            path: self.path.display().to_string(),
            schema_version: self.schema_version()?,
            analyzer_version: self.meta(Meta::AnalyzerVersion)?,
            articles: count("SELECT count(*) FROM articles")?,
            sightings: count("SELECT count(*) FROM sightings")?,
            outlets: count("SELECT count(*) FROM outlets")?,
            runs: count("SELECT count(*) FROM runs")?,
            errors: count("SELECT count(*) FROM ingest_errors")?,
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
        })
    }
}

/// Page size of new archives. Articles are a few KB a row, and a page that
/// cannot take the next row is left part empty: 32 KiB pages waste less of
/// the articles table than 16 KiB (64 KiB no less still), at the same
/// ingest speed.
const PAGE_SIZE: i64 = 32768;

/// Whether this connection checks the schema's CHECK constraints on write.
///
/// marsad's bulk writers (ingest, reextract) turn them off: their values
/// come from Rust enums, and SQLite evaluates a CHECK such as
/// `how IN ('name', 'alias', 'short', 'discovered')` by building a temporary
/// B-tree for the list on every INSERT, which was a tenth of the ingest
/// writer's work. The constraints stay in the schema for every other writer
/// (the sqlite3 shell included), and `marsad check` runs `integrity_check`,
/// which reports any row that breaks one.
pub fn check_constraints(conn: &Connection, on: bool) -> Result<()> {
    conn.pragma_update(None, "ignore_check_constraints", !on)?;
    Ok(())
}

/// Give the file's free pages back to the file system, after a command that
/// rewrote much of the archive (an ingest's index merges, a reindex, a
/// reextract). A no-op on archives made before marsad set `auto_vacuum`.
///
/// Free pages would be reused by the next write anyway; returning them makes
/// the file's size what the archive holds. Incremental auto-vacuum costs
/// nothing measurable on ingest and moves pages only here.
///
/// Best effort: if it cannot run (another writer holds the lock, the disk
/// is full) the pages stay free for reuse and nothing is lost. Only called
/// by commands that wrote, never on open: the vacuum takes the write lock,
/// which would make a search wait for a running ingest.
pub fn release_free_pages(conn: &Connection) {
    let free = |conn: &Connection| -> rusqlite::Result<i64> {
        conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))
    };
    let incremental = conn
        .query_row("PRAGMA auto_vacuum", [], |r| r.get::<_, i64>(0))
        .is_ok_and(|mode| mode == 2);
    if !incremental || free(conn).unwrap_or(0) == 0 {
        return;
    }
    // The pragma frees one page per step: step it to the end.
    let _ = conn
        .prepare("PRAGMA incremental_vacuum")
        .and_then(|mut st| {
            let mut rows = st.query([])?;
            while rows.next()?.is_some() {}
            Ok(())
        });
}

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
fn refuse_foreign(conn: &Connection, path: &Path) -> Result<()> {
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
    let conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    no_checkpoint_on_close(&conn)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA query_only = ON")?;
    Ok(conn)
}

/// SQLite's last connection to a WAL file checkpoints and deletes the WAL
/// on close, under an exclusive lock that makes a reader opening the file
/// at that instant fail at once. marsad's connections never do: writers
/// checkpoint explicitly (see [`checkpoint`]), readers never need to.
fn no_checkpoint_on_close(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    Ok(())
}

/// Copy the WAL into the file and empty it, at the end of a command that
/// wrote. Unlike the checkpoint SQLite runs when the last connection
/// closes, this one takes no exclusive lock on the file, so readers
/// opening it meanwhile are not refused. Best effort, and it never waits:
/// with a reader in a long query (a Datasette page, an open sqlite3
/// transaction) it copies what it can and leaves the rest for the next
/// checkpoint, instead of holding the command up to the busy timeout.
pub fn checkpoint(conn: &Connection) {
    let _ = conn.busy_timeout(std::time::Duration::ZERO);
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
}

fn configure(conn: &Connection) -> Result<()> {
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
    Ok(())
}

/// The time now as the archive writes it: UTC, RFC 3339, whole seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

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
    pub articles: i64,
    pub sightings: i64,
    pub outlets: i64,
    pub runs: i64,
    pub errors: i64,
    pub first_published: Option<String>,
    pub last_published: Option<String>,
    pub file_bytes: u64,
    pub last_run: Option<RunSummary>,
}
