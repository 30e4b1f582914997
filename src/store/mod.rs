//! The archive file: opening it with the right pragmas, migrating it, keeping
//! derived state (the full-text index) in step with the analyser, the
//! one-ingest-at-a-time lock, and the summary queries behind `info`.

mod backup;
mod fts;
mod lock;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::text;

pub use backup::backup;
pub use fts::{FtsQueue, optimize as optimize_fts};
pub use lock::IngestLock;

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
}

impl Store {
    /// Open (creating if needed) and migrate the archive at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let mut store = Self::open_unmigrated(path)?;
        store.migrate(None)?;
        store.rebuild_derived()?;
        Ok(store)
    }

    /// Fill what a migration may have left to marsad: the full-text index
    /// (after an analyser change), the seed gazetteer, and near-duplicate
    /// signatures and stories (after a signature change). Each is a no-op
    /// when already current.
    pub fn rebuild_derived(&mut self) -> Result<()> {
        self.sync_index()?;
        crate::entities::store::seed_if_empty(&mut self.conn)?;
        crate::dedup::ensure_built(&mut self.conn)
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
        match configure(&conn) {
            Err(Error::Sql(e)) if read_only(&e) => return Err(refuse()),
            r => r?,
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Open an existing archive read-only (no migration, no writes).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::NotFound(format!(
                "{}: no archive here; run `marsad ingest` first",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
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

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Rebuild the analysed full-text index when it was built by another
    /// analyser version (or never built, right after migration V2).
    pub fn sync_index(&mut self) -> Result<()> {
        if self.meta("analyzer_version")?.as_deref() == Some(text::ANALYZER_VERSION) {
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
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('analyzer_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [text::ANALYZER_VERSION],
        )?;
        tx.commit()?;
        // Written anew, in as many segments as the queue flushed: one.
        let _ = optimize_fts(&self.conn, &["articles_fts"]);
        Ok(())
    }

    /// Rebuild the full-text index from the articles; returns their number.
    pub fn reindex(&mut self) -> Result<i64> {
        self.conn
            .execute("DELETE FROM meta WHERE key = 'analyzer_version'", [])?;
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
            analyzer_version: self.meta("analyzer_version")?,
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

/// Page size of new archives. Articles average about 3.6 KB a row, and a
/// page that cannot take the next row is left part empty: on the 2018
/// corpus 16 KiB pages left 17 MB of the articles table unused; 32 KiB
/// pages make the archive 3% smaller (64 KiB no smaller still) at the same
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
/// the file's size what the archive holds (4.6 MB of 219 MB after the 2018
/// corpus). Incremental auto-vacuum costs nothing measurable on ingest and
/// moves pages only here, in about 30 ms.
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

#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
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
