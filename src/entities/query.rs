//! Reading entities and mentions back: listings, an entity's profile,
//! concordances, co-occurrence.

use rusqlite::{Connection, params, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::{EntityType, Status};
pub use crate::articles::ArticleRef;
use crate::articles::{ArticleFilter, ORIGIN_SQL};
use crate::error::Result;

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
fn entity_row(r: &rusqlite::Row) -> rusqlite::Result<EntityRow> {
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

/// A related entity and how often it appears with the subject.
#[derive(Debug, Serialize)]
pub struct Related {
    pub id: String,
    pub name_ar: String,
    pub count: i64,
}

#[derive(Debug, Serialize)]
pub struct Profile {
    #[serde(flatten)]
    pub entity: EntityRow,
    pub wikidata: Option<String>,
    pub aliases: Vec<String>,
    /// Short names (a lone first name), which count only after the full
    /// name in the same article.
    pub short: Vec<String>,
    /// (YYYY-MM, articles)
    pub timeline: Vec<(String, i64)>,
    /// Articles without a date, which the timeline leaves out.
    pub undated: i64,
    pub same_sentence: Vec<Related>,
    pub same_article: Vec<Related>,
    pub latest: Vec<ArticleRef>,
}

/// A timeline's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Period {
    Week,
    #[default]
    Month,
    Year,
}

impl Period {
    /// The period's label for a row `d` of `entity_days`: YYYY-MM, YYYY, or
    /// the Monday a week starts on (YYYY-MM-DD), as of the article's
    /// `published_at` (`date(published_at, '-6 days', 'weekday 1')` for a
    /// week: NULL where it is no full date).
    fn sql(self) -> &'static str {
        match self {
            Period::Week => {
                "CASE d.utc_day WHEN '' THEN NULL ELSE date(d.utc_day, '-6 days', 'weekday 1') END"
            }
            Period::Month => "substr(d.day, 1, 7)",
            Period::Year => "substr(d.day, 1, 4)",
        }
    }

    /// The column of `entity_days` that is '' for the articles this
    /// period cannot place: a week needs a full date, so an article dated
    /// to the month ("مارس 2018") counts as undated in a weekly timeline.
    fn date_col(self) -> &'static str {
        match self {
            Period::Week => "d.utc_day",
            Period::Month | Period::Year => "d.day",
        }
    }
}

/// ` AND …`: the summary rows within `w`'s dates (if any), `col` being the
/// date they are per (`d.day`, or `month` where no date is finer than a
/// month), cut from `published_at` as the articles' dates are compared.
fn summary_window(w: &ArticleFilter, col: &str, args: &mut Vec<SqlValue>) -> String {
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

/// [`related`] from the pair summaries (per month): `None` where `w` has a
/// day, finer than they are.
fn related_summary(
    conn: &Connection,
    id: &str,
    same_sentence: bool,
    w: &ArticleFilter,
) -> Result<Option<Vec<Related>>> {
    if [&w.from, &w.to].into_iter().flatten().any(|d| d.len() > 7) {
        return Ok(None);
    }
    let col = if same_sentence {
        "sentences"
    } else {
        "articles"
    };
    let mut args = vec![SqlValue::Text(id.to_string())];
    let window = summary_window(w, "month", &mut args);
    // Summed per partner first, then joined: a large entity has hundreds of
    // thousands of pair rows, and the join by name costs more than the sum.
    let sql = format!(
        "SELECT o.id, e.name_ar, o.n
         FROM (SELECT id, sum(n) AS n
               FROM (SELECT entity_b AS id, {col} AS n FROM entity_pair_months WHERE entity_a = ?1{window}
                     UNION ALL
                     SELECT entity_a, {col} FROM entity_pair_months WHERE entity_b = ?1{window})
               GROUP BY id HAVING sum(n) > 0) o
         CROSS JOIN entities e ON e.id = o.id AND e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL
         ORDER BY o.n DESC, o.id LIMIT 10"
    );
    related_rows(conn, &sql, &args).map(Some)
}

/// ` AND m.article_id IN (...)`: mentions `m` in articles published within
/// `w` (its dates only), values appended to `args`; empty without dates.
fn window_sql(w: &ArticleFilter, args: &mut Vec<SqlValue>) -> String {
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

/// The entities most often named with `id`: in the same sentence (counted
/// in shared sentences) or in the same article (counted in shared
/// articles, as `v_cooccurrence.articles_with_both` counts them).
fn related(
    conn: &Connection,
    id: &str,
    same_sentence: bool,
    w: &ArticleFilter,
) -> Result<Vec<Related>> {
    // The entity's own places first, without repeats, then the others named
    // there: joining mention to mention multiplied the rows by the entity's
    // mentions per article.
    let (place, o_place, join) = if same_sentence {
        (
            "article_id, field, sentence",
            "o.article_id, o.field, o.sentence",
            "o.article_id = mine.article_id AND o.field = mine.field AND o.sentence = mine.sentence",
        )
    } else {
        (
            "article_id",
            "o.article_id",
            "o.article_id = mine.article_id",
        )
    };
    let mut args = vec![SqlValue::Text(id.to_string())];
    let window = window_sql(w, &mut args);
    let sql = format!(
        "SELECT x.entity_id, e.name_ar, count(*) AS n
         FROM (SELECT DISTINCT o.entity_id, {o_place}
               FROM (SELECT DISTINCT {place} FROM mentions m WHERE m.entity_id = ?1{window}) mine
               JOIN mentions o ON {join}
               WHERE o.entity_id != ?1) x
         JOIN entities e ON e.id = x.entity_id AND e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL
         GROUP BY x.entity_id ORDER BY n DESC, x.entity_id LIMIT 10"
    );
    related_rows(conn, &sql, &args)
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

/// An entity's profile; `w`'s dates (if any) keep only the mentions in
/// articles published then, and `by` sets the timeline's step.
pub fn profile(conn: &Connection, id: &str, w: &ArticleFilter, by: Period) -> Result<Profile> {
    // Counts and timeline from the per-day summaries.
    let mut args = vec![SqlValue::Text(id.to_string())];
    let window = summary_window(w, "d.day", &mut args);
    let entity = conn.query_row(
        &format!(
            "SELECT e.id, e.name_ar, e.name_en, e.type, e.status,
                    coalesce(sum(d.articles), 0), coalesce(sum(d.mentions), 0), min(d.first_seen), max(d.last_seen),
                    e.wikidata
             FROM entities e LEFT JOIN entity_days d ON d.entity_id = e.id{window}
             WHERE e.id = ?1 GROUP BY e.id"
        ),
        params_from_iter(&args),
        |r| {
            Ok((
                entity_row(r)?,
                r.get::<_, Option<String>>(9)?,
            ))
        },
    )?;
    let mut st = conn.prepare(
        "SELECT DISTINCT alias FROM entity_aliases WHERE entity_id = ?1 AND kind != 'short' ORDER BY kind, alias",
    )?;
    let aliases = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare(
        "SELECT DISTINCT alias FROM entity_aliases WHERE entity_id = ?1 AND kind = 'short' ORDER BY alias",
    )?;
    let short = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare(&format!(
        "SELECT {} AS period, sum(d.articles) FROM entity_days d
         WHERE d.entity_id = ?1 AND {} != ''{window} GROUP BY period ORDER BY period",
        by.sql(),
        by.date_col()
    ))?;
    let timeline = st
        .query_map(params_from_iter(&args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Undated articles are outside any dates.
    let undated = if window.is_empty() {
        conn.query_row(
            &format!(
                "SELECT coalesce(sum(articles), 0) FROM entity_days d WHERE d.entity_id = ?1 AND {} = ''",
                by.date_col()
            ),
            [id],
            |r| r.get(0),
        )?
    } else {
        0
    };
    let mut latest_args = vec![SqlValue::Text(id.to_string())];
    let mut latest_where = format!(
        "EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = ?1 AND m.article_id = a.id){}",
        w.sql(&mut latest_args)
    );
    if let Some(day) = latest_cutoff(conn, id, w)? {
        latest_args.push(SqlValue::Text(day));
        latest_where.push_str(&format!(" AND a.published_at >= ?{}", latest_args.len()));
    }
    let latest_refs: Vec<&dyn rusqlite::ToSql> = latest_args
        .iter()
        .map(|v| v as &dyn rusqlite::ToSql)
        .collect();
    let related = |same_sentence| -> Result<Vec<Related>> {
        match related_summary(conn, id, same_sentence, w)? {
            Some(r) => Ok(r),
            None => related(conn, id, same_sentence, w),
        }
    };
    Ok(Profile {
        entity: entity.0,
        wikidata: entity.1,
        aliases,
        short,
        timeline,
        undated,
        same_sentence: related(true)?,
        same_article: related(false)?,
        latest: article_refs(conn, &latest_where, &latest_refs, LATEST as usize)?,
    })
}

/// The latest articles an entity's profile lists.
const LATEST: i64 = 10;

/// The newest day from which the entity has [`LATEST`] dated articles (in
/// `w`'s dates), read from the per-day summaries: the latest articles are
/// all published on it or after, so only those are read. `None` when it
/// has fewer (undated ones may then be listed) or `w` names an outlet.
fn latest_cutoff(conn: &Connection, id: &str, w: &ArticleFilter) -> Result<Option<String>> {
    if w.outlet.is_some() || w.entity.is_some() {
        return Ok(None);
    }
    let mut args = vec![SqlValue::Text(id.to_string())];
    let window = summary_window(w, "d.day", &mut args);
    let mut st = conn.prepare(&format!(
        "SELECT d.day, sum(d.articles) FROM entity_days d WHERE d.entity_id = ?1 AND d.day != ''{window}
         GROUP BY d.day ORDER BY d.day DESC"
    ))?;
    let mut rows = st.query(params_from_iter(&args))?;
    let mut total = 0;
    while let Some(r) = rows.next()? {
        total += r.get::<_, i64>(1)?;
        if total >= LATEST {
            return Ok(Some(r.get(0)?));
        }
    }
    Ok(None)
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
    let mut args = vec![
        SqlValue::Text(id.to_string()),
        with.map_or(SqlValue::Null, |x| SqlValue::Text(x.to_string())),
        SqlValue::Integer(limit.min(i64::MAX as usize) as i64),
    ];
    let window = window_sql(w, &mut args);
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

pub fn cooccur(
    conn: &Connection,
    a: &str,
    b: &str,
    w: &ArticleFilter,
    limit: usize,
) -> Result<Vec<Cooccurrence>> {
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
    Ok(out)
}

/// The rows (id, name_ar, count) of a related-entities query.
fn related_rows(
    conn: &Connection,
    sql: &str,
    args: &[rusqlite::types::Value],
) -> Result<Vec<Related>> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map(params_from_iter(args), |r| {
        Ok(Related {
            id: r.get(0)?,
            name_ar: r.get(1)?,
            count: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
