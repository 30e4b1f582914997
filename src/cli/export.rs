//! `marsad export articles|mentions|entities`: stream rows as JSON Lines or
//! CSV; `marsad export --format parquet DIR`: the archive as Parquet files.

use std::path::{Path, PathBuf};

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
    /// Every table as Parquet files in DIR, by publication month
    /// (`month=YYYY-MM/`); a second run adds only what changed
    /// (docs/parquet.md). Takes no filters.
    Parquet,
}

#[derive(clap::Args)]
pub struct Args {
    /// articles, mentions or entities; with --format parquet, the directory
    /// to write (created if missing; an earlier export there is updated).
    #[arg(value_name = "WHAT|DIR")]
    target: String,
    #[command(flatten)]
    articles: super::ArticleArgs,
    /// JSON Lines, CSV and TSV stream to stdout; Parquet writes a directory.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: StreamFormat,
    /// With --format parquet: print the run's report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    if a.format == StreamFormat::Parquet {
        return parquet(db, a);
    }
    let Ok(what) = <What as clap::ValueEnum>::from_str(&a.target, true) else {
        eprintln!(
            "marsad: export what? `{}` is not articles, mentions or entities \
             (a directory goes with --format parquet)",
            a.target
        );
        return Ok(2);
    };
    let format = match a.format {
        StreamFormat::Jsonl => Format::Jsonl,
        StreamFormat::Csv => Format::Csv,
        StreamFormat::Parquet => unreachable!("handled above"),
        StreamFormat::Tsv if what == What::Entities => {
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
    let cols: Vec<String> = export::columns(what)
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut w = RowWriter::new(format, &cols)?;
    let n = export::export(&store.conn, what, &f, |row| {
        w.write(row).map_err(super::output::output_error)
    })?;
    w.finish()?;
    eprintln!("exported {n} rows");
    Ok(0)
}

fn parquet(db: &Path, a: Args) -> anyhow::Result<u8> {
    let w = &a.articles;
    if w.window.from.is_some() || w.window.to.is_some() || w.outlet.is_some() || w.entity.is_some()
    {
        anyhow::bail!(
            "--format parquet exports the whole archive; filter in the engine that reads it \
             (--from, --to, --outlet and --entity go with jsonl and csv)"
        );
    }
    // `export articles --format parquet` means a table, not a directory
    // called articles: every table goes, into the directory given.
    if <What as clap::ValueEnum>::from_str(&a.target, true).is_ok() {
        eprintln!(
            "marsad: --format parquet exports every table into a directory: \
             `marsad export --format parquet DIR` (for a directory called {0}, give ./{0})",
            a.target
        );
        return Ok(2);
    }
    let dir = PathBuf::from(&a.target);
    let report = export::dataset::export_archive(db, &dir, |t| {
        eprintln!(
            "{:<16} {:>10} rows, {:>9} written in {} file{} ({:.1} MB, {:.1} s){}",
            t.table,
            t.rows,
            t.rows_written,
            t.files_written,
            if t.files_written == 1 { "" } else { "s" },
            t.bytes_written as f64 / 1e6,
            t.seconds,
            if t.partitions_rewritten > 0 {
                format!(", {} partitions rewritten", t.partitions_rewritten)
            } else {
                String::new()
            }
        );
    })?;
    if let Some(why) = &report.not_recorded {
        eprintln!("warning: the export is complete, but the archive could not record it: {why}");
    }
    eprintln!(
        "exported to {} (generation {}) in {:.1}s: {:.1} MB in the dataset",
        dir.display(),
        report.generation,
        report.seconds,
        report.dataset_bytes as f64 / 1e6
    );
    if a.json {
        super::output::outln!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(0)
}
