//! `marsad check`

use std::path::Path;
use super::output::outln;

use marsad::archive;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(db: &Path, _a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_check(db)?;
    let problems = marsad::check::run(&store.conn)?;
    if problems.is_empty() {
        outln!("ok: {} passes every check", db.display());
        Ok(0)
    } else {
        for p in &problems {
            outln!("problem: {p}");
        }
        eprintln!("{}: {} problems found", db.display(), problems.len());
        Ok(1)
    }
}
