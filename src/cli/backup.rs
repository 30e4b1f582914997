//! `marsad backup DEST`: a consistent copy, even while an ingest runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use marsad::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the copy (must not exist).
    dest: PathBuf,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = Store::open_read_only(db)?;
    marsad::store::backup(&store.conn, &a.dest, Duration::from_millis(20))?;
    // FTS5's integrity-check is written as an INSERT, so the copy is opened
    // writable for it (nothing is changed).
    let copy = rusqlite::Connection::open(&a.dest)?;
    let problems = marsad::check::run(&copy)?.problems;
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("problem in the copy: {p}");
        }
        anyhow::bail!(
            "{}: the copy does not pass `marsad check`",
            a.dest.display()
        );
    }
    println!(
        "backed up {} to {} (checked)",
        db.display(),
        a.dest.display()
    );
    Ok(0)
}
