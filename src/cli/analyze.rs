//! `marsad analyze TEXT`

use super::output::{self};

#[derive(clap::Args)]
pub struct Args {
    /// Text to analyse.
    text: String,
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let rows = marsad::text::analyze(&a.text);
    output::print_rows(
        a.out.format,
        &["token", "normalized", "stem", "query", "start", "end"],
        &rows,
    )?;
    Ok(0)
}
