//! `marsad check`

use std::path::Path;

use marsad::{archive, check, store};

use super::output::outln;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(db: &Path, _a: Args) -> anyhow::Result<u8> {
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
        opened => check::run(&opened?.conn)?,
    };
    if report.is_ok() {
        outln!("ok: {} passes every check", db.display());
        return Ok(0);
    }
    for p in &report.problems {
        outln!("problem: {}", super::output::term(p));
    }
    eprintln!("{}: {} problems found", db.display(), report.problems.len());
    if report.damaged {
        eprintln!("{}", check::damaged_advice(db));
    }
    Ok(1)
}
