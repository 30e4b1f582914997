//! `marsad sql "SELECT ..." [-p name=value ...]`: read-only SQL.

use std::path::Path;
use std::time::Duration;

use super::output::{Format, RowWriter};

#[derive(clap::Args)]
pub struct Args {
    /// One SQL statement that only reads (SELECT, WITH, read-only PRAGMA).
    query: String,
    /// A named parameter, bound as a value (write :name in the SQL).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Stop the query after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

/// Run `sql` read-only and print it; shared with `marsad run`.
pub fn print_query(
    db: &Path,
    sql: &str,
    params: &[(String, rusqlite::types::Value)],
    timeout: u64,
    format: Format,
) -> anyhow::Result<u8> {
    let store = marsad::sql::open_read_only(db, Duration::from_secs(timeout))?;
    let mut writer: Option<RowWriter> = None;
    let err = super::output::output_error;
    marsad::sql::query_typed(&store.conn, sql, params, |cols, values| {
        match (values, &mut writer) {
            (None, _) => {
                writer = Some(RowWriter::new(format, cols).map_err(err)?);
                Ok(())
            }
            (Some(v), Some(w)) => w.write(cols.iter().cloned().zip(v).collect()).map_err(err),
            (Some(_), None) => unreachable!("the header comes first"),
        }
    })?;
    if let Some(w) = writer {
        w.finish()?;
    }
    Ok(0)
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let params = a
        .params
        .iter()
        .map(|p| marsad::sql::parse_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    let typed: Vec<(String, rusqlite::types::Value)> = params
        .into_iter()
        .map(|(k, v)| {
            let v = marsad::sql::bind_value(&v);
            (k, v)
        })
        .collect();
    print_query(db, &a.query, &typed, a.timeout, a.format)
}
