//! Reading entities and mentions back: listings, concordances,
//! co-occurrence; an entity's profile is in [`super::profile`].

use rusqlite::{Connection, params, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::{EntityType, Status};
pub use crate::articles::ArticleRef;
use crate::articles::{ArticleFilter, ORIGIN_SQL};
use crate::error::Result;

pub use super::profile::{Period, Profile, Related, profile};

/// An entity with its counts (JSON keys as documented).
#[derive(Debug, Serialize)]
pub struct EntityRow {
    pub id: String,
    pub name_ar: String,
    pub name_en: Option<String>,
    #[serde(rename = "type")]
    pub etype: EntityType,
    pub status: Status,
    pub articles: i64,
    pub mentions: i64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// An [`EntityRow`] from columns id, name_ar, name_en, type, status,
/// articles, mentions, first_seen, last_seen (in that order).
pub(super) fn entity_row(r: &rusqlite::Row) -> rusqlite::Result<EntityRow> {
    Ok(EntityRow {
        id: r.get(0)?,
        name_ar: r.get(1)?,
        name_en: r.get(2)?,
        etype: r.get(3)?,
        status: r.get(4)?,
        articles: r.get(5)?,
        mentions: r.get(6)?,
        first_seen: r.get(7)?,
        last_seen: r.get(8)?,
    })
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ListFilter {
    pub etype: Option<EntityType>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub candidates: bool,
    pub limit: usize,
}

pub fn list(conn: &Connection, f: &ListFilter) -> Result<Vec<EntityRow>> {
    crate::articles::check_window(f.from.as_deref(), f.to.as_deref())?;
    // From the summaries: per entity, or per entity and day within dates.
    let sql = "SELECT e.id, e.name_ar, e.name_en, e.type, e.status,
                coalesce(sum(d.articles), 0) AS n, coalesce(sum(d.mentions), 0) AS k, min(d.first_seen), max(d.last_seen)
         FROM entities e
         LEFT JOIN entity_days d ON d.entity_id = e.id
         WHERE e.status = ?1 AND e.merged_into IS NULL
           AND (?2 IS NULL OR e.type = ?2)
           AND (?3 IS NULL OR d.entity_id IS NULL OR (d.day != '' AND substr(d.day, 1, length(?3)) >= ?3))
           AND (?4 IS NULL OR d.entity_id IS NULL OR (d.day != '' AND substr(d.day, 1, length(?4)) <= ?4))
         GROUP BY e.id
         ORDER BY n DESC, k DESC, e.id
         LIMIT ?5";
    let sql = if f.from.is_none() && f.to.is_none() {
        "SELECT e.id, e.name_ar, e.name_en, e.type, e.status,
                coalesce(t.articles, 0) AS n, coalesce(t.mentions, 0) AS k, t.first_seen, t.last_seen
         FROM entities e
         LEFT JOIN entity_totals t ON t.entity_id = e.id
         WHERE e.status = ?1 AND e.merged_into IS NULL
           AND (?2 IS NULL OR e.type = ?2) AND ?3 IS NULL AND ?4 IS NULL
         ORDER BY n DESC, k DESC, e.id
         LIMIT ?5"
    } else {
        sql
    };
    let status = if f.candidates {
        Status::Candidate
    } else {
        Status::Accepted
    };
    if f.candidates && f.from.is_none() && f.to.is_none() {
        return top_candidates(conn, f);
    }
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map(
        params![status, f.etype, f.from, f.to, f.limit as i64],
        entity_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// [`list`] of candidates, all dates: there can be millions of them, so
/// the totals (one row per entity, V19) are read in the order of their rank
/// index until enough candidates are found.
fn top_candidates(conn: &Connection, f: &ListFilter) -> Result<Vec<EntityRow>> {
    let mut st = conn.prepare(
        "SELECT e.id, e.name_ar, e.name_en, e.type, e.status, t.articles, t.mentions,
                t.first_seen, t.last_seen
         FROM entity_totals t CROSS JOIN entities e ON e.id = t.entity_id
         WHERE e.status = 'candidate' AND e.merged_into IS NULL AND (?1 IS NULL OR e.type = ?1)
         ORDER BY t.articles DESC, t.mentions DESC, t.entity_id
         LIMIT ?2",
    )?;
    let rows = st.query_map(params![f.etype, f.limit as i64], entity_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// ` AND m.article_id IN (...)`: mentions `m` in articles published within
/// `w` (its dates only), values appended to `args`; empty without dates.
pub(super) fn window_sql(w: &ArticleFilter, args: &mut Vec<SqlValue>) -> String {
    if w.from.is_none() && w.to.is_none() {
        return String::new();
    }
    let dates = ArticleFilter {
        from: w.from.clone(),
        to: w.to.clone(),
        ..ArticleFilter::default()
    };
    format!(
        " AND m.article_id IN (SELECT a.id FROM articles a WHERE 1 = 1{})",
        dates.sql(args)
    )
}

/// ` AND …`: the summary rows within `w`'s dates (if any), `col` being the
/// date they are per (`d.day`, or `month` where no date is finer than a
/// month), cut from `published_at` as the articles' dates are compared.
pub(super) fn summary_window(w: &ArticleFilter, col: &str, args: &mut Vec<SqlValue>) -> String {
    let mut out = String::new();
    for (d, op) in [(&w.from, ">="), (&w.to, "<=")] {
        if let Some(d) = d {
            args.push(SqlValue::Text(d.clone()));
            let n = args.len();
            out.push_str(&format!(
                " AND {col} != '' AND substr({col}, 1, length(?{n})) {op} ?{n}"
            ));
        }
    }
    out
}

/// What [`newest_day`] counts.
#[derive(Debug, Clone, Copy)]
pub(super) enum DayCount {
    Articles,
    Mentions,
}

/// The newest day from which entity `id` has `n` dated articles or
/// mentions (in `w`'s dates), read from the per-day summaries: the newest
/// `n` are all published on it or after, so a query for them reads only
/// those (`a.published_at >= day`). `None` when it has fewer (undated ones
/// may then be listed) or `w` names an outlet or an entity.
pub(super) fn newest_day(
    conn: &Connection,
    id: &str,
    w: &ArticleFilter,
    count: DayCount,
    n: i64,
) -> Result<Option<String>> {
    if w.outlet.is_some() || w.entity.is_some() {
        return Ok(None);
    }
    let col = match count {
        DayCount::Articles => "d.articles",
        DayCount::Mentions => "d.mentions",
    };
    let mut args = vec![SqlValue::Text(id.to_string())];
    let window = summary_window(w, "d.day", &mut args);
    let mut st = conn.prepare(&format!(
        "SELECT d.day, sum({col}) FROM entity_days d WHERE d.entity_id = ?1 AND d.day != ''{window}
         GROUP BY d.day ORDER BY d.day DESC"
    ))?;
    let mut rows = st.query(params_from_iter(&args))?;
    let mut total = 0;
    while let Some(r) = rows.next()? {
        total += r.get::<_, i64>(1)?;
        if total >= n {
            return Ok(Some(r.get(0)?));
        }
    }
    Ok(None)
}

pub fn article_refs(
    conn: &Connection,
    where_sql: &str,
    args: &[&dyn rusqlite::ToSql],
    limit: usize,
) -> Result<Vec<ArticleRef>> {
    let sql = format!(
        "SELECT {} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE {where_sql}
         ORDER BY a.published_at DESC, a.id DESC LIMIT {limit}",
        ArticleRef::COLUMNS
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(args, |r| ArticleRef::from_row(r, 0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One mention in context (JSON keys as documented).
#[derive(Debug, Serialize)]
pub struct MentionRow {
    pub article_id: i64,
    pub external_id: Option<String>,
    pub origin: Option<String>,
    pub published_at: Option<String>,
    pub entity_id: String,
    pub field: String,
    pub surface: String,
    pub start: i64,
    pub end: i64,
    pub sentence: String,
    /// Where the mention starts in `sentence`, in code points (a sentence
    /// may hold the same name twice: this one is the mention).
    #[serde(skip)]
    pub in_sentence: usize,
}

/// SQL for the text of mention `m`'s sentence.
const SENTENCE_SQL: &str = "(SELECT substr(CASE s.field WHEN 'title' THEN a.title ELSE a.body END, s.start + 1, s.end - s.start)
     FROM sentences s WHERE s.article_id = m.article_id AND s.field = m.field AND s.idx = m.sentence)";

/// Every mention of `id` (optionally only in sentences that also mention `with`).
pub fn mentions(
    conn: &Connection,
    id: &str,
    with: Option<&str>,
    w: &ArticleFilter,
    limit: usize,
) -> Result<Vec<MentionRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut args = vec![
        SqlValue::Text(id.to_string()),
        with.map_or(SqlValue::Null, |x| SqlValue::Text(x.to_string())),
        SqlValue::Integer(limit),
    ];
    let mut window = window_sql(w, &mut args);
    // The newest `limit` mentions are on the days from the cutoff on: only
    // those are sorted (each sorted row reads its sentence's text).
    if with.is_none()
        && let Some(day) = newest_day(conn, id, w, DayCount::Mentions, limit)?
    {
        args.push(SqlValue::Text(day));
        // As a list of articles, so that the plan reads the few articles
        // from the cutoff on, not every article that names the entity.
        window.push_str(&format!(
            " AND m.article_id IN (SELECT c.id FROM articles c WHERE c.published_at >= ?{})",
            args.len()
        ));
    }
    let sql = format!(
        "SELECT m.article_id, a.external_id, {ORIGIN_SQL}, a.published_at, m.entity_id, m.field, m.surface, m.start, m.end,
                {SENTENCE_SQL},
                m.start - (SELECT s.start FROM sentences s
                           WHERE s.article_id = m.article_id AND s.field = m.field AND s.idx = m.sentence)
         FROM mentions m JOIN articles a ON a.id = m.article_id
         WHERE m.entity_id = ?1 AND (?2 IS NULL OR EXISTS (
             SELECT 1 FROM mentions w WHERE w.article_id = m.article_id AND w.field = m.field
               AND w.sentence = m.sentence AND w.entity_id = ?2)){window}
         ORDER BY a.published_at DESC, m.article_id DESC, m.field DESC, m.start
         LIMIT ?3"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&args), |r| {
        Ok(MentionRow {
            article_id: r.get(0)?,
            external_id: r.get(1)?,
            origin: r.get(2)?,
            published_at: r.get(3)?,
            entity_id: r.get(4)?,
            field: r.get(5)?,
            surface: r.get(6)?,
            start: r.get(7)?,
            end: r.get(8)?,
            sentence: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            in_sentence: r.get::<_, Option<i64>>(10)?.unwrap_or(0).max(0) as usize,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An article where both entities appear, with the sentences holding both.
#[derive(Debug, Serialize)]
pub struct Cooccurrence {
    #[serde(flatten)]
    pub article: ArticleRef,
    pub sentences: Vec<String>,
}

/// The first `limit` articles naming both `a` and `b`, newest first, and
/// how many there are in all.
pub fn cooccur(
    conn: &Connection,
    a: &str,
    b: &str,
    w: &ArticleFilter,
    limit: usize,
) -> Result<(Vec<Cooccurrence>, usize)> {
    let mut args = vec![SqlValue::Text(a.to_string()), SqlValue::Text(b.to_string())];
    let dates = ArticleFilter {
        from: w.from.clone(),
        to: w.to.clone(),
        ..ArticleFilter::default()
    };
    let where_sql = format!(
        "a.id IN (SELECT article_id FROM mentions WHERE entity_id = ?1 INTERSECT SELECT article_id FROM mentions WHERE entity_id = ?2){}",
        dates.sql(&mut args)
    );
    let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let articles = article_refs(conn, &where_sql, &refs, limit)?;
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM articles a WHERE {where_sql}"),
        refs.as_slice(),
        |r| r.get(0),
    )?;
    let mut st = conn.prepare(
        "SELECT DISTINCT substr(CASE s.field WHEN 'title' THEN ar.title ELSE ar.body END, s.start + 1, s.end - s.start)
         FROM sentences s JOIN articles ar ON ar.id = s.article_id
         WHERE s.article_id = ?1
           AND EXISTS (SELECT 1 FROM mentions x WHERE x.article_id = s.article_id AND x.field = s.field AND x.sentence = s.idx AND x.entity_id = ?2)
           AND EXISTS (SELECT 1 FROM mentions y WHERE y.article_id = s.article_id AND y.field = s.field AND y.sentence = s.idx AND y.entity_id = ?3)
         ORDER BY s.field DESC, s.idx",
    )?;
    let mut out = Vec::new();
    for article in articles {
        let sentences = st
            .query_map(params![article.id, a, b], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        out.push(Cooccurrence { article, sentences });
    }
    Ok((out, total as usize))
}
