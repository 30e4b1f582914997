//! Opening the archive for a command: the layer above [`crate::store`] that
//! knows which derived state (full-text index, seed gazetteer, near-duplicate
//! signatures) must be current, and who may bring it up to date.
//!
//! Only `ingest` and `migrate` create, migrate or rebuild, and only under the
//! ingest lock; commands that edit require a current archive; commands that
//! read open it read-only and refuse one that needs `marsad migrate`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::store::meta::Meta;
use crate::store::{Checks, Store};
use crate::{dedup, entities, text};

/// For `ingest` and `migrate` (the caller holds the
/// [`crate::store::IngestLock`]): create the archive if missing, migrate it,
/// and fill what the migrations leave to marsad.
pub fn open_to_write(path: &Path) -> Result<Store> {
    let empty = std::fs::metadata(path).map_or(true, |m| m.is_file() && m.len() == 0);
    if empty {
        create(path)?;
    }
    let mut store = Store::open_to_create(path)?;
    store.migrate(None)?;
    bring_up_to_date(&mut store)?;
    Ok(store)
}

/// Build a new archive beside `path` and rename it into place, so that a
/// reader opening `path` meanwhile finds no file or a whole archive in WAL
/// mode, never one being switched to WAL or migrated (stock `sqlite3` waits
/// 0 ms on a lock), and a run killed here leaves no half-made archive. The
/// caller holds the ingest lock, so `PATH.new` is ours: one left by a
/// killed run is removed first.
fn create(path: &Path) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = std::path::PathBuf::from(tmp);
    let sidecars = |p: &Path| {
        ["-wal", "-shm", "-journal"].map(|s| {
            let mut f = p.as_os_str().to_owned();
            f.push(s);
            std::path::PathBuf::from(f)
        })
    };
    let cleanup = |p: &Path| {
        let _ = std::fs::remove_file(p);
        for f in sidecars(p) {
            let _ = std::fs::remove_file(f);
        }
    };
    cleanup(&tmp);
    let built = (|| -> Result<()> {
        let mut store = Store::open_to_create(&tmp)?;
        store.migrate(None)?;
        // Each migration is a transaction that rewrites the schema's pages:
        // the WAL of all of them and of the first fill would hold more than
        // the archive (it no longer fit on the 8 MiB disk of the full-disk
        // test once V18 came), so it goes into the file between the two.
        let _ = store
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        bring_up_to_date(&mut store)?;
        // No other connection: the whole WAL goes into the file, or we stop.
        let busy: i64 = store
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(Error::Input(format!(
                "{}: could not checkpoint the new archive; nothing was created",
                tmp.display()
            )));
        }
        Ok(())
    })();
    // Closed and checkpointed: everything is in the file itself.
    if let Err(e) = built.and_then(|()| {
        for f in sidecars(&tmp) {
            let _ = std::fs::remove_file(f);
        }
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }) {
        cleanup(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Fill what a migration may have left to marsad: the full-text index (after
/// an analyser change), the seed gazetteer, and near-duplicate signatures
/// and stories (after a signature change). Each is a no-op when current.
/// Returns what was out of date (see [`outdated`]).
pub fn bring_up_to_date(store: &mut Store) -> Result<Vec<String>> {
    let was = outdated(store)?;
    store.sync_index()?;
    entities::store::seed_if_empty(&mut store.conn)?;
    dedup::ensure_built(&mut store.conn)?;
    entities::summary::ensure_built(&mut store.conn)?;
    Ok(was)
}

/// The derived state this marsad would rebuild, each said for a user:
/// "the full-text index (analyzer 2; this marsad uses 3)".
pub fn outdated(store: &Store) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let version = |v: Option<String>| v.unwrap_or_else(|| "none".into());
    let analyzer = store.meta(Meta::AnalyzerVersion)?;
    if analyzer.as_deref() != Some(text::ANALYZER_VERSION) {
        out.push(format!(
            "the full-text index (analyzer {}; this marsad uses {})",
            version(analyzer),
            text::ANALYZER_VERSION
        ));
    }
    let dedup_version = store.meta(Meta::DedupVersion)?;
    if dedup_version.as_deref() != Some(dedup::DEDUP_VERSION) {
        out.push(format!(
            "the near-duplicate signatures and stories (version {}; this marsad uses {})",
            version(dedup_version),
            dedup::DEDUP_VERSION
        ));
    }
    if !entities::summary::is_current(&store.conn)? {
        out.push(format!(
            "the summaries of mentions and articles (version {}; this marsad uses {})",
            version(store.meta(Meta::SummaryVersion)?),
            entities::summary::SUMMARY_VERSION
        ));
    }
    if store.meta(Meta::GazetteerSeeded)?.is_none() {
        out.push("the gazetteer (never seeded)".into());
    }
    Ok(out)
}

/// For the commands that edit an existing, current archive.
pub fn open_to_edit(path: &Path) -> Result<Store> {
    let store = Store::open_existing(path)?;
    require_derived(&store)?;
    Ok(store)
}

/// For every command that only reads.
pub fn open_to_read(path: &Path) -> Result<Store> {
    let store = Store::open_read_only(path, Checks::Skip)?;
    require_derived(&store)?;
    Ok(store)
}

/// For `marsad check`: read-only too, but able to verify CHECK constraints.
pub fn open_to_check(path: &Path) -> Result<Store> {
    let store = Store::open_read_only(path, Checks::Constraints)?;
    require_derived(&store)?;
    Ok(store)
}

fn require_derived(store: &Store) -> Result<()> {
    let behind = outdated(store)?;
    if behind.is_empty() {
        return Ok(());
    }
    Err(Error::Outdated {
        path: store.path.clone(),
        what: behind.join(", "),
    })
}
