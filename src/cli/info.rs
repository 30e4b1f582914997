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
    output::print_object(a.out.format, &store.info()?)?;
    Ok(0)
}
