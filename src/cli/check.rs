//! `marsad check`

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use marsad::{archive, check, store};

use super::output::outln;

#[derive(clap::Args)]
pub struct Args {
    /// Only the checks a nightly cron can afford (seconds): SQLite's
    /// quick_check of each table's pages and indexes (one table per core),
    /// the summaries' totals, and the last ingest's status. Without it,
    /// every check: SQLite's integrity_check (the freelist and each
    /// full-text index's own check too), each article's hash and index
    /// entry, the mentions' offsets, and every summary recomputed from the
    /// mentions.
    #[arg(long)]
    quick: bool,
}

/// A progress bar on stderr when it is a terminal: each step of the check
/// and how far it is.
fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::new(0);
    b.set_style(
        ProgressStyle::with_template("{msg:16} {bar:40} {pos}/{len} eta {eta}")
            .expect("static template"),
    );
    Some(b)
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let opened = archive::open_to_check(db);
    // Damage can stop the open itself (it reads the schema and meta): then
    // report what SQLite's integrity check finds on a plain read-only connection.
    let report = match opened {
        Err(marsad::Error::Sql(e))
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) =>
        {
            let conn = store::integrity_connection(db)?;
            let mut problems = check::integrity(&conn);
            if problems.is_empty() {
                problems.push(format!("integrity_check passed, but opening failed: {e}"));
            }
            check::Report {
                problems,
                damaged: true,
            }
        }
        opened => {
            let bar = progress_bar();
            let report = check::run_with(
                &opened?.conn,
                Some(db),
                a.quick,
                &mut |step, done, total| {
                    if let Some(b) = &bar {
                        b.set_message(step);
                        b.set_length(total);
                        b.set_position(done);
                    }
                },
            );
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            report?
        }
    };
    if report.is_ok() {
        outln!("ok: {} passes every check", db.display());
        return Ok(0);
    }
    for p in &report.problems {
        outln!("problem: {}", super::output::term_text(p));
    }
    eprintln!("{}: {} problems found", db.display(), report.problems.len());
    if report.damaged {
        eprintln!("{}", check::damaged_advice(db));
    }
    Ok(1)
}
