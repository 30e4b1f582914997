//! Running a search: ranking by bm25 on the index (one hit per story unless
//! every copy is asked for), filters and paging, a time limit, and the full
//! rows and snippets of the page shown.

use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::{Query, Snippet, snippet};
use crate::articles::{ArticleFilter, ArticleRef};
use crate::error::{Error, Result};

/// Filters and paging for [`search`].
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub filter: ArticleFilter,
    pub limit: usize,
    pub offset: usize,
    /// Show every copy of a story, not just the best-ranked one.
    pub all: bool,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub article: ArticleRef,
    pub url: Option<String>,
    pub score: f64,
    pub snippet: Snippet,
    /// The story this article belongs to, and how many other outlets carry it.
    pub story_id: i64,
    pub copies: i64,
    pub also_in_outlets: i64,
}

/// Title matches weigh this much more than body matches in bm25.
const TITLE_WEIGHT: f64 = 5.0;

/// Run `f` (a search) with a time limit on `conn`: past `timeout` SQLite
/// stops the statement, and the error says the query was too broad. SQLite
/// looks at the clock between its steps only, so one long step (FTS5 merging
/// the posting lists of a prefix when the query starts) is bounded by the
/// prefix rules of [`Query::parse`], not by this.
pub fn with_time_limit<T>(
    conn: &mut Connection,
    timeout: Duration,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    conn.progress_handler(1000, Some(move || Instant::now() > deadline))?;
    let out = f(conn);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    out.map_err(|e| match e {
        Error::Sql(rusqlite::Error::SqliteFailure(x, _))
            if x.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            Error::Input(format!(
                "search stopped after {} s: the query is too broad (it matches too much of the \
                 index); use longer prefixes or fewer OR terms, narrow it with --from/--to or \
                 --outlet, or raise --timeout",
                timeout.as_secs_f64()
            ))
        }
        e => e,
    })
}

/// Run a search. An empty or all-excluded query returns no hits.
///
/// Two steps: rank ids on the index and the small article columns only,
/// then read the full rows (body, origin) of the page that is shown.
pub fn search(conn: &Connection, q: &Query, f: &Filters) -> Result<Vec<Hit>> {
    if f.all {
        let ranked = rank(conn, q, f)?;
        return details(conn, q, ranked);
    }
    // One hit per story: rank more than a page, keep each story's best copy.
    let wide = Filters {
        offset: 0,
        limit: f
            .offset
            .saturating_add(f.limit)
            .saturating_mul(3)
            .saturating_add(20),
        ..f.clone()
    };
    let mut seen = std::collections::HashSet::new();
    let mut story = conn.prepare_cached("SELECT story_id FROM stories WHERE article_id = ?1")?;
    let mut page = Vec::new();
    for (id, score) in rank(conn, q, &wide)? {
        let sid: i64 = story
            .query_row([id], |r| r.get(0))
            .optional()?
            .unwrap_or(id);
        if seen.insert(sid) {
            page.push((id, score));
        }
    }
    let page = page.into_iter().skip(f.offset).take(f.limit).collect();
    details(conn, q, page)
}

/// Ranked (id, score) for a page of results, copies included.
fn rank(conn: &Connection, q: &Query, f: &Filters) -> Result<Vec<(i64, f64)>> {
    let exists = |t: &str| {
        conn.prepare_cached("SELECT 1 FROM articles_vocab WHERE term = ?1")
            .and_then(|mut st| st.exists([t]))
            .unwrap_or(true)
    };
    let Some(expr) = q.to_fts_pruned(&exists) else {
        return Ok(Vec::new());
    };
    if f.limit == 0 {
        return Ok(Vec::new());
    }
    if f.filter.is_empty()
        && let Some(ranked) = rank_unfiltered(conn, &expr, f)?
    {
        return Ok(ranked);
    }
    let mut sql = format!(
        "SELECT a.id, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) AS score
         FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
         WHERE articles_fts MATCH ?1"
    );
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(expr)];
    sql.push_str(&f.filter.sql(&mut args));
    args.push(SqlValue::Integer(sql_int(f.limit)));
    args.push(SqlValue::Integer(sql_int(f.offset)));
    sql.push_str(&format!(
        " ORDER BY score, a.published_at DESC, a.id DESC LIMIT ?{} OFFSET ?{}",
        args.len() - 1,
        args.len()
    ));
    let ranked: Vec<(i64, f64)> = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;

    Ok(ranked)
}

/// Without filters, rank on the index alone, reading article rows only for
/// the page. Rows tied with the last one on the page are all fetched, so
/// the date tie-break is exact; `None` (a tie run too long to fetch) sends
/// the caller to the full query.
fn rank_unfiltered(conn: &Connection, expr: &str, f: &Filters) -> Result<Option<Vec<(i64, f64)>>> {
    let want = f.offset.saturating_add(f.limit);
    let mut st = conn.prepare_cached(&format!(
        "SELECT rowid, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) AS score FROM articles_fts
         WHERE articles_fts MATCH ?1 ORDER BY score LIMIT ?2"
    ))?;
    let mut fetch = want.saturating_add(64);
    let mut top: Vec<(i64, f64)> = Vec::new();
    for _ in 0..3 {
        top = st
            .query_map(
                rusqlite::params![expr, sql_int(fetch.saturating_add(1))],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        if top.len() <= want {
            break;
        }
        let boundary = top[want - 1].1;
        if top.len() <= fetch || top[fetch].1 != boundary {
            top.retain(|r| r.1 <= boundary);
            break;
        }
        fetch = fetch.saturating_mul(8);
        top.clear();
    }
    if top.is_empty() && fetch > want.saturating_add(64) {
        return Ok(None);
    }
    // Ties: newest first, as the full query orders them.
    let mut dated = conn.prepare_cached("SELECT published_at FROM articles WHERE id = ?1")?;
    let mut keyed: Vec<(i64, f64, Option<String>)> = Vec::with_capacity(top.len());
    for (id, score) in top {
        let date: Option<String> = dated.query_row([id], |r| r.get(0))?;
        keyed.push((id, score, date));
    }
    keyed.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then_with(|| b.2.cmp(&a.2))
            .then_with(|| b.0.cmp(&a.0))
    });
    Ok(Some(
        keyed
            .into_iter()
            .skip(f.offset)
            .take(f.limit)
            .map(|(id, s, _)| (id, s))
            .collect(),
    ))
}

/// A count from the command line as SQLite's integer: past i64::MAX it
/// means "all" (a wrapped conversion would be a negative or small number).
fn sql_int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Full rows and snippets for a ranked page of ids.
fn details(conn: &Connection, q: &Query, ranked: Vec<(i64, f64)>) -> Result<Vec<Hit>> {
    let mut detail = conn.prepare_cached(&format!(
        "SELECT {}, a.url, a.body,
                coalesce(st.story_id, a.id),
                (SELECT count(*) FROM stories x WHERE x.story_id = st.story_id),
                (SELECT count(DISTINCT y.outlet_id) FROM stories x JOIN articles y ON y.id = x.article_id
                  WHERE x.story_id = st.story_id AND y.outlet_id IS NOT a.outlet_id)
         FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id LEFT JOIN stories st ON st.article_id = a.id
         WHERE a.id = ?1",
        ArticleRef::COLUMNS
    ))?;
    let mut hits = Vec::with_capacity(ranked.len());
    for (id, score) in ranked {
        let (hit, body) = detail.query_row([id], |r| {
            Ok((
                Hit {
                    article: ArticleRef::from_row(r, 0)?,
                    url: r.get(6)?,
                    score,
                    snippet: Snippet {
                        text: String::new(),
                        start: 0,
                        matches: vec![],
                    },
                    story_id: r.get(8)?,
                    copies: r.get::<_, Option<i64>>(9)?.unwrap_or(1).max(1),
                    also_in_outlets: r.get::<_, Option<i64>>(10)?.unwrap_or(0),
                },
                r.get::<_, String>(7)?,
            ))
        })?;
        hits.push(Hit {
            snippet: snippet(&body, q),
            ..hit
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_time_limit_the_error_says_too_broad() {
        let mut conn = Connection::open_in_memory().unwrap();
        let slow = |c: &Connection| -> Result<i64> {
            Ok(c.query_row(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                 SELECT count(*) FROM n",
                [],
                |r| r.get(0),
            )?)
        };
        let e = with_time_limit(&mut conn, Duration::ZERO, slow).unwrap_err();
        assert!(e.to_string().contains("too broad"), "{e}");
        // The limit is lifted afterwards.
        assert_eq!(slow(&conn).unwrap(), 1_000_000);
    }
}
