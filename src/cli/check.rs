//! `marsad check`

use std::path::Path;

use marsad::archive;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(db: &Path, _a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_check(db)?;
    let problems = marsad::check::run(&store.conn)?;
    if problems.is_empty() {
        println!("ok: {} passes every check", db.display());
        Ok(0)
    } else {
        for p in &problems {
            println!("problem: {p}");
        }
        eprintln!("{}: {} problems found", db.display(), problems.len());
        Ok(1)
    }
}
