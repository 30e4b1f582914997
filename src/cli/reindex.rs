//! `marsad reindex`

use super::output::outln;
use std::path::Path;

use marsad::archive;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    wait: super::WaitArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let _lock = a.wait.lock(db)?;
    let mut store = archive::open_to_edit(db)?;
    let n = store.reindex()?;
    outln!("reindexed {n} articles");
    Ok(0)
}
