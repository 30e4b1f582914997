//! `marsad info`

use std::path::Path;

use marsad::archive;

use super::output::{self};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_read(db)?;
    let mut info = store.info()?;
    // A run recorded as running that no process holds was killed: the
    // next ingest marks it so; say it now.
    if let Some(run) = &mut info.last_run
        && run.status == marsad::store::RunStatus::Running
        && !marsad::store::ingest_running(db)
    {
        run.status = marsad::store::RunStatus::Interrupted;
    }
    output::print_object(a.out.format, &info)?;
    Ok(0)
}
