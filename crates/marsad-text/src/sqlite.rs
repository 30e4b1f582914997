//! The SQL functions on a rusqlite connection, for the `marsad` binary
//! (bundled SQLite) and the loadable extension alike:
//!
//! - `marsad_match(query)`: the FTS5 expression `marsad search` runs, for
//!   `... WHERE articles_fts MATCH marsad_match('الوزير الروسي')`; `""`
//!   (which matches no row) when the query asks for nothing;
//! - `marsad_analyze(text)`: `marsad analyze --format json`;
//! - `marsad_stem(text)`: each word's index term, space-separated;
//! - `marsad_normalize(text)`: the normalisation used for the index;
//! - `marsad_snippet(body, query[, open, close])`: the search snippet of
//!   the original text, matches marked (`[` `]` by default);
//! - `marsad_highlight(text, query[, open, close])`: the whole text marked.
//!
//! All are deterministic and innocuous (pure functions of their arguments);
//! NULL in gives NULL out; numbers are read as their text.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Result};

use crate::functions as f;

fn arg(ctx: &Context<'_>, i: usize) -> Option<String> {
    match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Register every function on `conn`.
pub fn register(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function(c"marsad_match", 1, flags, |ctx| {
        Ok(arg(ctx, 0).map(|q| f::match_sql(&q)))
    })?;
    conn.create_scalar_function(c"marsad_analyze", 1, flags, |ctx| {
        Ok(arg(ctx, 0).map(|t| f::analyze_json(&t)))
    })?;
    conn.create_scalar_function(c"marsad_stem", 1, flags, |ctx| {
        Ok(arg(ctx, 0).map(|t| f::stems(&t)))
    })?;
    conn.create_scalar_function(c"marsad_normalize", 1, flags, |ctx| {
        Ok(arg(ctx, 0).map(|t| crate::normalize(&t)))
    })?;
    type Mark = fn(&str, &str, &str, &str) -> String;
    for (name, mark) in [
        (c"marsad_snippet", f::marked_snippet as Mark),
        (c"marsad_highlight", f::marked_text as Mark),
    ] {
        conn.create_scalar_function(name, 2, flags, move |ctx| {
            Ok(match (arg(ctx, 0), arg(ctx, 1)) {
                (Some(t), Some(q)) => Some(mark(&t, &q, "[", "]")),
                _ => None,
            })
        })?;
        conn.create_scalar_function(name, 4, flags, move |ctx| {
            Ok(match (arg(ctx, 0), arg(ctx, 1)) {
                (Some(t), Some(q)) => {
                    let open = arg(ctx, 2).unwrap_or_default();
                    let close = arg(ctx, 3).unwrap_or_default();
                    Some(mark(&t, &q, &open, &close))
                }
                _ => None,
            })
        })?;
    }
    Ok(())
}
