//! `marsad sql "SELECT ..." [-p name=value ...]`: read-only SQL.

use std::path::Path;
use std::time::Duration;

use marsad::store::Store;

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
    #[command(flatten)]
    out: super::FormatArg,
}

/// Run `sql` on `store` (opened by `marsad::sql::open_read_only`) and print
/// it; shared with `marsad run`.
pub fn print_query(
    store: &Store,
    sql: &str,
    params: &[(String, rusqlite::types::Value)],
    format: Format,
) -> anyhow::Result<u8> {
    let mut writer: Option<RowWriter> = None;
    let err = super::output::output_error;
    marsad::sql::query(&store.conn, sql, params, |cols, values| {
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
    let store = marsad::sql::open_read_only(db, Duration::from_secs(a.timeout))?;
    print_query(&store, &a.query, &params, a.out.format)
}
