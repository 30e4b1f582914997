//! Read-only SQL for analysts: one statement, on a connection opened
//! read-only with `query_only` on and an authorizer that allows reading
//! and nothing else, with named parameters bound (never interpolated) and
//! a time limit.

use std::cell::Cell;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, ErrorCode, types::ValueRef};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::store::Store;

/// Pragmas whose argument names what to read, not a value to set.
const READ_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
    "function_list",
    "pragma_list",
    "compile_options",
];

thread_local! {
    /// Set when the authorizer refuses an action: SQLite then fails the
    /// statement with SQLITE_AUTH, or with a plain SQLITE_ERROR for a
    /// function, and either is reported as a refusal.
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// Open the archive for reading only; queries on it stop `timeout` after
/// opening (one connection serves one command).
pub fn open_read_only(path: &Path, timeout: Duration) -> Result<Store> {
    let mut store = crate::archive::open_to_read(path)?;
    let conn = &mut store.conn;
    // marsad_match() and the other analysis functions, as the loadable
    // extension gives them to other SQLite programs: a saved query can search.
    marsad_text::sqlite::register(conn)?;
    conn.authorizer(Some(|ctx: AuthContext<'_>| match ctx.action {
        // Extensions are off, so it would fail when run; refused here, it is
        // reported as what it is: more than reading.
        AuthAction::Function { function_name }
            if function_name.eq_ignore_ascii_case("load_extension") =>
        {
            REFUSED.set(true);
            Authorization::Deny
        }
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive => Authorization::Allow,
        // Reading pragmas is fine; setting one is not.
        AuthAction::Pragma {
            pragma_value: None, ..
        } => Authorization::Allow,
        AuthAction::Pragma { pragma_name, .. }
            if READ_PRAGMAS.contains(&pragma_name.to_lowercase().as_str()) =>
        {
            Authorization::Allow
        }
        _ => {
            REFUSED.set(true);
            Authorization::Deny
        }
    }))?;
    let deadline = Instant::now() + timeout;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline))?;
    Ok(store)
}

/// A parameter value from the command line: integers and reals are bound as
/// numbers (so `-p limit=10` works with LIMIT), anything else as text.
pub fn bind_value(v: &str) -> rusqlite::types::Value {
    if let Ok(i) = v.parse::<i64>()
        && i.to_string() == v
    {
        return rusqlite::types::Value::Integer(i);
    }
    match v.parse::<f64>() {
        Ok(f) if v.contains('.') && f.is_finite() => rusqlite::types::Value::Real(f),
        _ => rusqlite::types::Value::Text(v.to_string()),
    }
}

fn to_json(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        // As SQL's hex() writes it: the bytes, not a placeholder.
        ValueRef::Blob(b) => b
            .iter()
            .fold(String::with_capacity(2 * b.len()), |mut s, x| {
                let _ = write!(s, "{x:02X}");
                s
            })
            .into(),
    }
}

/// The error for a statement SQLite would not prepare or run, by its code:
/// refused by the authorizer or the read-only connection, or not SQL.
fn refuse(sql: &str, e: rusqlite::Error) -> Error {
    if matches!(e, rusqlite::Error::MultipleStatement) {
        return Error::Invalid("only one SQL statement at a time".into());
    }
    let refused = REFUSED.take();
    match e.sqlite_error_code() {
        Some(ErrorCode::AuthorizationForStatementDenied | ErrorCode::ReadOnly) => writes(sql),
        _ if refused => writes(sql),
        Some(ErrorCode::ApiMisuse) => Error::Invalid(
            "no SQL statement in the query (only comments or spaces); write one, e.g. SELECT count(*) FROM articles"
                .into(),
        ),
        // Raised while running MATCH on a bound value: the value, not the
        // statement, is what to fix.
        _ if fts_syntax(&e) => Error::Invalid(format!(
            "full-text query error: {e}; a value given for a MATCH must be an FTS5 query \
             (words, \"phrases\", OR, prefix*; a lone \" is unterminated)"
        )),
        _ => Error::Invalid(format!(
            "SQL error: {e}; the views are listed by `marsad views`"
        )),
    }
}

/// Whether SQLite's error is FTS5's about a query it could not parse.
fn fts_syntax(e: &rusqlite::Error) -> bool {
    let m = e.to_string();
    m.contains("fts5: syntax error") || m.contains("unterminated string")
}

/// The refusal of a statement that would do more than read.
fn writes(sql: &str) -> Error {
    Error::Invalid(format!(
        "refused: marsad sql only reads (no writes, ATTACH, or PRAGMA that sets a value): {}",
        sql.trim().chars().take(80).collect::<String>()
    ))
}

/// Run one read-only statement with named parameters (`:name`, `@name` or
/// `$name` in the SQL), their values already typed ([`parse_param`] for the
/// command line; a saved query's date parameter is text even when it reads
/// `2024`). `each` is called with the column names and `None` once before
/// any row, then with `Some(row)` for each row. Rows stream: nothing is
/// collected here.
pub fn query(
    conn: &Connection,
    sql: &str,
    params: &[(String, rusqlite::types::Value)],
    mut each: impl FnMut(&[String], Option<Vec<Value>>) -> Result<()>,
) -> Result<()> {
    if !sql.chars().any(char::is_alphanumeric) {
        return Err(Error::Invalid(
            "no SQL statement given; write one, e.g. marsad sql 'SELECT count(*) FROM articles'"
                .into(),
        ));
    }
    REFUSED.set(false);
    let mut st = conn.prepare(sql).map_err(|e| refuse(sql, e))?;
    // `PRAGMA journal_mode` reads, but SQLite cannot tell it from the form
    // that sets: the authorizer above refuses any PRAGMA with a value.
    let pragma_read = {
        let s = sql.trim_start().to_lowercase();
        s.starts_with("pragma") && !s.contains('=')
    };
    if !st.readonly() && !pragma_read {
        return Err(writes(sql));
    }
    // `?` and `?1` have no name to give with -p: refused rather than NULL.
    if (1..=st.parameter_count()).any(|i| st.parameter_name(i).is_none_or(|n| n.starts_with('?'))) {
        return Err(Error::Invalid(
            "the query has a ? parameter, which -p cannot name; write :name and give -p name=value"
                .into(),
        ));
    }
    for (name, value) in params {
        let idx = [":", "@", "$"]
            .iter()
            .find_map(|p| st.parameter_index(&format!("{p}{name}")).ok().flatten())
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "parameter {name:?} does not appear in the query (write it as :{name})"
                ))
            })?;
        st.raw_bind_parameter(idx, value)?;
    }
    let missing: Vec<String> = (1..=st.parameter_count())
        .filter_map(|i| {
            st.parameter_name(i)
                .map(|n| n.trim_start_matches([':', '@', '$']).to_string())
        })
        .filter(|n| !params.iter().any(|(p, _)| p == n))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Invalid(format!(
            "missing parameters: {} (give them as -p name=value)",
            missing.join(", ")
        )));
    }
    let columns: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
    each(&columns, None)?;
    let mut rows = st.raw_query();
    (|| -> Result<()> {
        while let Some(r) = rows.next().map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::OperationInterrupted => {
                Error::Invalid("query stopped: it ran past its time limit (raise --timeout)".into())
            }
            e => refuse(sql, e),
        })? {
            let values = (0..columns.len())
                .map(|i| r.get_ref(i).map(to_json))
                .collect::<rusqlite::Result<_>>()?;
            each(&columns, Some(values))?;
        }
        Ok(())
    })()
}

/// Parse `name=value`, the value typed by [`bind_value`].
pub fn parse_param(s: &str) -> Result<(String, rusqlite::types::Value)> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| Error::Invalid(format!("parameter {s:?} should be name=value")))?;
    let k = k.trim().trim_start_matches([':', '@', '$']);
    if k.is_empty() || !k.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(Error::Invalid(format!(
            "parameter name {k:?} should be letters, digits or _"
        )));
    }
    Ok((k.to_string(), bind_value(v)))
}
