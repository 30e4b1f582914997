//! `marsad migrate`

use super::output::outln;
use std::path::Path;

use marsad::archive;
use marsad::store::Store;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    wait: super::WaitArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    // A mistyped --db must not become a new, empty archive: ingest makes those.
    marsad::store::check_path(db, marsad::store::Existing::Required)?;
    // Under the ingest lock, so no other writer sees a half-migrated archive.
    let _lock = a.wait.lock(db)?;
    let mut store = Store::open_to_create(db)?;
    let before = store.schema_version()?;
    let after = store.migrate(None)?;
    archive::bring_up_to_date(&mut store)?;
    if before == after {
        outln!(
            "{}: schema is at version {after}, nothing to do",
            db.display()
        );
    } else {
        outln!(
            "{}: migrated from version {before} to {after}",
            db.display()
        );
    }
    Ok(0)
}
