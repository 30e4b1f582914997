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
    let rebuilt = archive::bring_up_to_date(&mut store)?;
    let schema = if before == after {
        format!("schema is at version {after}")
    } else {
        format!("migrated from version {before} to {after}")
    };
    let derived = if rebuilt.is_empty() {
        String::new()
    } else {
        format!("; rebuilt {}", rebuilt.join(", "))
    };
    let nothing = if before == after && rebuilt.is_empty() {
        ", nothing to do"
    } else {
        ""
    };
    outln!("{}: {schema}{derived}{nothing}", db.display());
    Ok(0)
}
