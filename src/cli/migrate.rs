//! `marsad migrate`

use std::path::Path;

use marsad::store::Store;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(db: &Path, _a: Args) -> anyhow::Result<u8> {
    let mut store = Store::open_unmigrated(db)?;
    let before = store.schema_version()?;
    let after = store.migrate(None)?;
    store.rebuild_derived()?;
    if before == after {
        println!(
            "{}: schema is at version {after}, nothing to do",
            db.display()
        );
    } else {
        println!(
            "{}: migrated from version {before} to {after}",
            db.display()
        );
    }
    Ok(0)
}
