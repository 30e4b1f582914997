//! `marsad check`

use std::path::Path;

use marsad::check;
use marsad::store::Store;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(db: &Path, _a: Args) -> anyhow::Result<u8> {
    let opened = Store::open(db);
    // Damage can stop the open itself (migrating reads the schema and
    // meta): then report what SQLite's integrity check finds, read-only.
    let report = match opened {
        Err(marsad::Error::Sql(e))
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) =>
        {
            let ro = Store::open_read_only(db)?;
            let mut problems = check::integrity(&ro.conn);
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
        println!("ok: {} passes every check", db.display());
        return Ok(0);
    }
    for p in &report.problems {
        println!("problem: {p}");
    }
    eprintln!("{}: {} problems found", db.display(), report.problems.len());
    if report.damaged {
        eprintln!("{}", check::damaged_advice(db));
    }
    Ok(1)
}
