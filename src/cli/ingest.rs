//! `marsad ingest PATH...`

use std::io::IsTerminal;
use super::output::outln;
use std::path::{Path, PathBuf};
use std::time::Duration;

use marsad::ingest::{self, Format};
use marsad::archive;
use marsad::store::IngestLock;

use super::output;
use super::{EXIT_INPUT_ERRORS, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders (read recursively, hidden entries skipped) or - for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Input format; auto goes by file extension, or by content for stdin.
    #[arg(long, value_enum, default_value = "auto")]
    format: Format,
    /// Outlet for articles whose input does not name one.
    #[arg(long)]
    outlet: Option<String>,
    /// Print only errors.
    #[arg(long, short)]
    quiet: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for another ingest on the same archive to finish.
    #[arg(long, default_value_t = 0)]
    wait: u64,
    /// Largest single article accepted, in bytes.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    max_article_bytes: u64,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let _lock = IngestLock::acquire(db, Duration::from_secs(a.wait))?;
    let mut store = archive::open_to_write(db)?;
    let opts = ingest::Options {
        paths: a.paths,
        format: a.format,
        outlet: a.outlet,
        args: std::env::args().collect(),
        progress: !a.quiet && !a.json && std::io::stderr().is_terminal(),
        max_article_bytes: a.max_article_bytes,
    };
    let summary = ingest::run(&mut store, &opts, |e| {
        eprintln!("error: {}", output::term(&e.to_string()))
    })?;
    if a.json {
        outln!("{}", serde_json::to_string(&summary)?);
    } else if !a.quiet {
        outln!(
            "run {}: {} inputs read, {} unchanged, {} records, {} new, {} duplicates, {} errors, {:.2} s, {:.1} MB/s",
            summary.run_id,
            summary.inputs,
            summary.unchanged,
            summary.records,
            summary.new,
            summary.duplicates,
            summary.errors,
            summary.seconds,
            summary.mb_per_s
        );
    }
    Ok(if summary.errors > 0 {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    })
}
