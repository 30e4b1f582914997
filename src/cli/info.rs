//! `marsad info`

use std::path::Path;

use marsad::archive;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_read(db)?;
    output::print_object(a.format, &store.info()?)?;
    Ok(0)
}
