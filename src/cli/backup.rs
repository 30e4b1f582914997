//! `marsad backup DEST`: a consistent copy, even while an ingest runs,
//! checked before it appears at DEST (see `marsad::store::backup`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use marsad::store::{Checks, Store};

use super::output::outln;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the copy (must not exist, nor be one of the archive's own files).
    dest: PathBuf,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    if !db.exists() {
        anyhow::bail!(
            "backup source {}: no archive here; give the archive with --db",
            db.display()
        );
    }
    let store = Store::open_read_only(db, Checks::Skip)?;
    marsad::store::backup(
        &store.conn,
        db,
        &a.dest,
        Duration::from_millis(20),
        |copy| marsad::check::run(copy).map(|r| r.problems),
    )?;
    outln!(
        "backed up {} to {} (checked)",
        db.display(),
        a.dest.display()
    );
    Ok(0)
}
