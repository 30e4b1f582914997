//! `marsad export articles|mentions|entities`: stream rows as JSON Lines or CSV.

use std::path::Path;

use marsad::archive;
use marsad::export::{self, What};

use super::output::{Format, RowWriter};

/// The formats that stream (`marsad sql` gives tables and JSON arrays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StreamFormat {
    Jsonl,
    Csv,
    /// The gazetteer format `entities --import` reads (entities only).
    Tsv,
}

#[derive(clap::Args)]
pub struct Args {
    what: What,
    #[command(flatten)]
    articles: super::ArticleArgs,
    /// Export streams, so it writes only the streaming formats.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: StreamFormat,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let format = match a.format {
        StreamFormat::Jsonl => Format::Jsonl,
        StreamFormat::Csv => Format::Csv,
        StreamFormat::Tsv if a.what == What::Entities => {
            let store = archive::open_to_read(db)?;
            let defs = marsad::entities::store::definitions(&store.conn)?;
            super::output::outln!("{}", marsad::entities::to_tsv(&defs).trim_end());
            eprintln!(
                "exported {} entities (edit, then `marsad entities --import FILE --replace`)",
                defs.len()
            );
            return Ok(0);
        }
        StreamFormat::Tsv => {
            anyhow::bail!("--format tsv is the gazetteer format: use it with `export entities`")
        }
    };
    let store = archive::open_to_read(db)?;
    let f = a.articles.filter(&store.conn)?;
    let cols: Vec<String> = export::columns(a.what)
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut w = RowWriter::new(format, &cols)?;
    let n = export::export(&store.conn, a.what, &f, |row| {
        w.write(row).map_err(super::output::output_error)
    })?;
    w.finish()?;
    eprintln!("exported {n} rows");
    Ok(0)
}
