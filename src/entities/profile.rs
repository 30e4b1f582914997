//! An entity's profile (`marsad entity`): its counts and timeline from the
//! per-day summaries, the entities named with it (from the pair summaries,
//! or from the mentions for a window finer than a month), its latest
//! articles.

use rusqlite::{Connection, OptionalExtension, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::query::{
    ArticleRef, DayCount, EntityRow, article_refs, entity_row, newest_day, summary_window,
    window_sql,
};
use crate::articles::ArticleFilter;
use crate::error::Result;

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

/// Both lists of [`related`] (same sentence, same article) from the pair
/// summaries (per month): `None` where `w` has a day, finer than they are.
fn related_summary(
    conn: &Connection,
    id: &str,
    w: &ArticleFilter,
) -> Result<Option<(Vec<Related>, Vec<Related>)>> {
    if [&w.from, &w.to].into_iter().flatten().any(|d| d.len() > 7) {
        return Ok(None);
    }
    let mut args = vec![SqlValue::Text(id.to_string())];
    let window = summary_window(w, "month", &mut args);
    // Both counts summed per partner in one pass and ranked here: two
    // queries, one per count, read every pair row twice (120k rows for
    // russia at 300k articles). Joining before the sort looked up every
    // partner's name; they are looked up best first, until ten are live.
    let sql = format!(
        "SELECT id, sum(s), sum(a)
         FROM (SELECT entity_b AS id, sentences AS s, articles AS a FROM entity_pair_months WHERE entity_a = ?1{window}
               UNION ALL
               SELECT entity_a, sentences, articles FROM entity_pair_months WHERE entity_b = ?1{window})
         GROUP BY id"
    );
    let mut st = conn.prepare(&sql)?;
    let partners: Vec<(String, i64, i64)> = st
        .query_map(params_from_iter(&args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut name = conn.prepare_cached(
        "SELECT name_ar FROM entities WHERE id = ?1 AND status IN ('accepted', 'candidate') AND merged_into IS NULL",
    )?;
    let mut top = |count: fn(&(String, i64, i64)) -> i64| -> Result<Vec<Related>> {
        let mut ranked: Vec<&(String, i64, i64)> =
            partners.iter().filter(|p| count(p) > 0).collect();
        // Most first, then by id (bytes, as SQLite's ORDER BY id).
        ranked.sort_unstable_by(|x, y| count(y).cmp(&count(x)).then_with(|| x.0.cmp(&y.0)));
        let mut out = Vec::new();
        for p in ranked {
            if out.len() == RELATED {
                break;
            }
            if let Some(name_ar) = name.query_row([&p.0], |r| r.get(0)).optional()? {
                out.push(Related {
                    id: p.0.clone(),
                    name_ar,
                    count: count(p),
                });
            }
        }
        Ok(out)
    };
    Ok(Some((top(|p| p.1)?, top(|p| p.2)?)))
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
         GROUP BY x.entity_id ORDER BY n DESC, x.entity_id LIMIT {RELATED}"
    );
    related_rows(conn, &sql, &args)
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
    if let Some(day) = newest_day(conn, id, w, DayCount::Articles, LATEST)? {
        latest_args.push(SqlValue::Text(day));
        latest_where.push_str(&format!(" AND a.published_at >= ?{}", latest_args.len()));
    }
    let latest_refs: Vec<&dyn rusqlite::ToSql> = latest_args
        .iter()
        .map(|v| v as &dyn rusqlite::ToSql)
        .collect();
    let (same_sentence, same_article) = match related_summary(conn, id, w)? {
        Some(both) => both,
        None => (related(conn, id, true, w)?, related(conn, id, false, w)?),
    };
    Ok(Profile {
        entity: entity.0,
        wikidata: entity.1,
        aliases,
        short,
        timeline,
        undated,
        same_sentence,
        same_article,
        latest: article_refs(conn, &latest_where, &latest_refs, LATEST as usize)?,
    })
}

/// The related entities a profile lists, in each list.
const RELATED: usize = 10;

/// The latest articles an entity's profile lists.
const LATEST: i64 = 10;

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
