//! `marsad entities`: list entities (or candidates), or import a gazetteer.

use super::output::outln;
use std::path::{Path, PathBuf};

use marsad::archive;
use marsad::entities::{self, query};

use super::output::{self};

#[derive(clap::Args)]
pub struct Args {
    /// Only this type.
    #[arg(long = "type", value_enum)]
    etype: Option<entities::EntityType>,
    #[command(flatten)]
    window: super::Window,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// List discovered candidate names instead (accept, reject or merge them with `marsad entity`).
    #[arg(long)]
    candidates: bool,
    /// Import a gazetteer file (the format of seeds/entities.tsv); run `marsad reextract` after.
    #[arg(long, value_name = "FILE")]
    import: Option<PathBuf>,
    /// With --import: each listed entity's aliases, short names and not-near
    /// words become exactly the file's (as `export entities --format tsv` wrote them, edited).
    #[arg(long, requires = "import")]
    replace: bool,
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    if let Some(file) = &a.import {
        let mut store = archive::open_to_edit(db)?;
        let text = std::fs::read_to_string(file).map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot read the gazetteer file ({e}); `marsad export entities --format tsv > FILE` writes one to edit",
                file.display()
            )
        })?;
        let defs =
            entities::parse_tsv(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let mode = if a.replace {
            entities::store::ImportMode::Replace
        } else {
            entities::store::ImportMode::Add
        };
        for w in entities::store::import_warnings(&store.conn, &defs)? {
            eprintln!("warning: {}", super::output::term_text(&w));
        }
        let n = entities::store::import_with(&mut store.conn, &defs, mode)?;
        outln!(
            "imported {n} entities from {}; run `marsad reextract` to update mentions",
            file.display()
        );
        return Ok(0);
    }
    let store = archive::open_to_read(db)?;
    let f = query::ListFilter {
        etype: a.etype,
        from: a.window.from,
        to: a.window.to,
        candidates: a.candidates,
        limit: a.limit,
    };
    let rows = query::list(&store.conn, &f)?;
    output::print_rows(
        a.out.format,
        &[
            "id",
            "name_ar",
            "name_en",
            "type",
            "articles",
            "mentions",
            "first_seen",
            "last_seen",
        ],
        &rows,
    )?;
    Ok(0)
}
