//! `marsad reextract`: redo every article's mentions with the current gazetteer.

use super::output::outln;
use std::path::Path;
use std::time::{Duration, Instant};

use marsad::archive;
use marsad::store::IngestLock;

#[derive(clap::Args)]
pub struct Args {
    /// Seconds to wait for a running ingest to finish.
    #[arg(long, default_value_t = 0)]
    wait: u64,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let _lock = IngestLock::acquire(db, Duration::from_secs(a.wait))?;
    let mut store = archive::open_to_edit(db)?;
    let t = Instant::now();
    let (articles, mentions) = marsad::entities::store::reextract(&mut store.conn)?;
    outln!(
        "re-extracted {articles} articles: {mentions} mentions, {:.2} s",
        t.elapsed().as_secs_f64()
    );
    Ok(0)
}
