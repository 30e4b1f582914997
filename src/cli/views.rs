//! `marsad views`: the saved views and what each one holds.

use super::output::outln;
use std::path::Path;

use marsad::archive;
use serde::Serialize;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: super::FormatArg,
}

#[derive(Serialize)]
struct View {
    name: String,
    description: String,
    example: String,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_read(db)?;
    let mut st = store
        .conn
        .prepare("SELECT name, description, example FROM view_docs ORDER BY name")?;
    let views: Vec<View> = st
        .query_map([], |r| {
            Ok(View {
                name: r.get(0)?,
                description: r.get(1)?,
                example: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if a.out.format == Format::Table {
        for v in &views {
            outln!(
                "{:<20} {}",
                super::output::term(&v.name),
                super::output::term(&v.description)
            );
        }
        return Ok(0);
    }
    output::print_rows(a.out.format, &["name", "description", "example"], &views)?;
    Ok(0)
}
