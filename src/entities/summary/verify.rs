//! `marsad check`'s part: every summary recomputed from the mentions and
//! articles and compared row by row, or (for `check --quick`) their totals.

use rusqlite::Connection;

use super::{SUMMARY_VERSION, TABLES, Table, fill, is_current};
use crate::error::Result;

/// Recompute every summary from the mentions and articles and compare:
/// one line per table that differs, with the number of rows missing,
/// extra or different. The archive's connection only reads (it may be
/// `query_only`): the summaries are recomputed into a private scratch
/// database, and each table is compared with it in key order.
pub fn verify(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<Vec<String>> {
    if !is_current(conn)? {
        return Ok(vec![format!(
            "summaries: not built (meta summary_version is not {SUMMARY_VERSION}; run `marsad migrate`)"
        )]);
    }
    // An empty name: a temporary file SQLite deletes on close.
    let scratch = Connection::open("")?;
    scratch.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;",
    )?;
    for t in TABLES {
        let sql: String = conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t.name],
            |r| r.get(0),
        )?;
        scratch.execute_batch(&sql)?;
    }
    scratch.execute_batch("BEGIN")?;
    fill(conn, &scratch, progress)?;
    scratch.execute_batch("COMMIT")?;
    let mut problems = Vec::new();
    for t in TABLES {
        let (extra, missing, differ) = compare(conn, &scratch, t)?;
        if extra + missing + differ > 0 {
            problems.push(format!(
                "summary {}: {differ} rows differ from the mentions and articles they summarise, {missing} missing, {extra} extra (rebuild them with `marsad reextract`)",
                t.name
            ));
        }
    }
    Ok(problems)
}

/// Rows of `t` only in `have`, only in `want`, and in both with other
/// values: both read in key order and walked side by side.
fn compare(have: &Connection, want: &Connection, t: &Table) -> Result<(u64, u64, u64)> {
    use rusqlite::types::Value;
    use std::cmp::Ordering;
    let sql = format!(
        "SELECT {} FROM main.{} ORDER BY {}",
        t.columns().join(", "),
        t.name,
        t.keys.join(", ")
    );
    let n = t.columns().len();
    let k = t.keys.len();
    let read = |r: &rusqlite::Row| -> rusqlite::Result<Vec<Value>> {
        (0..n).map(|i| r.get::<_, Value>(i)).collect()
    };
    // SQLite's order of the key values (all text or integer, BINARY).
    let order = |x: &[Value], y: &[Value]| -> Ordering {
        for (a, b) in x.iter().zip(y) {
            let o = match (a, b) {
                (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
                (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
                (Value::Integer(_), _) => Ordering::Less,
                (_, Value::Integer(_)) => Ordering::Greater,
                _ => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    };
    let mut st_have = have.prepare(&sql)?;
    let mut st_want = want.prepare(&sql)?;
    let mut h = st_have.query([])?;
    let mut w = st_want.query([])?;
    let (mut extra, mut missing, mut differ) = (0u64, 0u64, 0u64);
    let mut hr = h.next()?.map(read).transpose()?;
    let mut wr = w.next()?.map(read).transpose()?;
    loop {
        match (&hr, &wr) {
            (None, None) => break,
            (Some(_), None) => {
                extra += 1;
                hr = h.next()?.map(read).transpose()?;
            }
            (None, Some(_)) => {
                missing += 1;
                wr = w.next()?.map(read).transpose()?;
            }
            (Some(a), Some(b)) => match order(&a[..k], &b[..k]) {
                Ordering::Less => {
                    extra += 1;
                    hr = h.next()?.map(read).transpose()?;
                }
                Ordering::Greater => {
                    missing += 1;
                    wr = w.next()?.map(read).transpose()?;
                }
                Ordering::Equal => {
                    if a != b {
                        differ += 1;
                    }
                    hr = h.next()?.map(read).transpose()?;
                    wr = w.next()?.map(read).transpose()?;
                }
            },
        }
    }
    Ok((extra, missing, differ))
}

/// The cheap part of [`verify`], for `check --quick`: each table's totals
/// against a count of what it summarises.
pub fn verify_totals(conn: &Connection) -> Result<Vec<String>> {
    if !is_current(conn)? {
        return Ok(vec![format!(
            "summaries: not built (meta summary_version is not {SUMMARY_VERSION}; run `marsad migrate`)"
        )]);
    }
    let mut problems = Vec::new();
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let mentions = count("SELECT count(*) FROM mentions")?;
    let articles = count("SELECT count(*) FROM articles")?;
    for (table, sql, expected) in [
        (
            "entity_totals",
            "SELECT coalesce(sum(mentions), 0) FROM entity_totals",
            mentions,
        ),
        (
            "entity_days",
            "SELECT coalesce(sum(mentions), 0) FROM entity_days",
            mentions,
        ),
        (
            "outlet_days",
            "SELECT coalesce(sum(articles), 0) FROM outlet_days",
            articles,
        ),
    ] {
        let found = count(sql)?;
        if found != expected {
            problems.push(format!(
                "summary {table}: counts {found} where the archive holds {expected} (rebuild: `marsad reextract`)"
            ));
        }
    }
    Ok(problems)
}
