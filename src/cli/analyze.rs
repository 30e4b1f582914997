//! `marsad analyze TEXT`

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Text to analyse.
    text: String,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let rows = marsad::text::analyze(&a.text);
    output::print_rows(
        a.format,
        &["token", "normalized", "stem", "query", "start", "end"],
        &rows,
    )?;
    Ok(0)
}
