//! The archive file: opening it with the right pragmas, migrating it, keeping
//! derived state (the full-text index) in step with the analyser, the
//! one-ingest-at-a-time lock, and the summary queries behind `info`.

mod backup;
mod connect;
mod fts;
mod info;
mod lock;
pub mod meta;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::text;
pub use meta::Meta;

pub use backup::backup;
pub(crate) use connect::another_reader;
pub(crate) use connect::read_only_connection;
pub use connect::{Checks, Existing, check_path, checkpoint, integrity_connection};
use connect::{configure, no_checkpoint_on_close, refuse_foreign};
pub use fts::{FtsQueue, optimize as optimize_fts};
pub use info::{Info, RunStatus, RunSummary};
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
        // The look stays open until the writer is: the first connection to
        // a WAL file no process has open rebuilds its shared index, and a
        // stock `sqlite3` opening it meanwhile fails at once ("database is
        // locked"), so one such open is better than two.
        let mut look = None;
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            let conn = look.insert(read_only_connection(path, Checks::Skip)?);
            refuse_foreign(conn, path)?;
        }
        let store = Self::open_unmigrated(path);
        drop(look);
        store
    }

    /// Open an existing archive for writing, for the commands that edit it
    /// (the gazetteer, reextract, reindex, dedup). It must exist and have
    /// the current schema: only `ingest` and `migrate` create or migrate.
    pub fn open_existing(path: &Path) -> Result<Store> {
        check_path(path, Existing::Required)?;
        let look = read_only_connection(path, Checks::Skip)?;
        refuse_foreign(&look, path)?;
        let store = Self::open_unmigrated(path)?;
        drop(look);
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

/// The time now as the archive writes it: UTC, RFC 3339, whole seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
