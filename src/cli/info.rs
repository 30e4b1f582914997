//! `marsad info`

use std::path::Path;

use marsad::store::Store;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = Store::open(db)?;
    output::print_object(a.format, &store.info()?)?;
    Ok(0)
}
