//! Reading articles back: the JSON shape every command shares (`id`,
//! `external_id`, `origin`, `title`, `published_at`, `outlet`) and the full
//! view with body and sightings.

use rusqlite::{Connection, OptionalExtension, types::Value as SqlValue};
use serde::Serialize;

use crate::error::{Error, Result};

/// One sighting of an article.
#[derive(Debug, Serialize)]
pub struct Sighting {
    pub origin: String,
    pub line: i64,
    pub url: Option<String>,
    pub external_id: Option<String>,
    pub raw_sha256: String,
    pub run_id: Option<i64>,
    pub seen_at: String,
    /// Boilerplate lines removed from the body of this copy.
    pub removed: Option<String>,
}

/// An article, briefly: what every result that points at an article
/// carries (search hits, story members, an entity's latest articles,
/// co-occurrences, `show`), flattened into it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRef {
    pub id: i64,
    pub external_id: Option<String>,
    /// Where it was first seen (the first sighting's input).
    pub origin: Option<String>,
    pub title: String,
    pub published_at: Option<String>,
    pub outlet: Option<String>,
}

impl ArticleRef {
    /// The columns [`ArticleRef::from_row`] reads, in its order, from
    /// `articles a LEFT JOIN outlets o ON o.id = a.outlet_id`.
    pub const COLUMNS: &str = "a.id, a.external_id, \
        (SELECT s.origin FROM sightings s WHERE s.article_id = a.id ORDER BY s.id LIMIT 1), \
        a.title, a.published_at, o.name";

    /// Read the [`ArticleRef::COLUMNS`] starting at column `first`.
    pub fn from_row(r: &rusqlite::Row, first: usize) -> rusqlite::Result<ArticleRef> {
        Ok(ArticleRef {
            id: r.get(first)?,
            external_id: r.get(first + 1)?,
            origin: r.get(first + 2)?,
            title: r.get(first + 3)?,
            published_at: r.get(first + 4)?,
            outlet: r.get(first + 5)?,
        })
    }
}

/// An article with everything `marsad show` prints.
#[derive(Debug, Serialize)]
pub struct Article {
    #[serde(flatten)]
    pub article: ArticleRef,
    pub date_precision: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub content_sha256: String,
    pub ingested_at: String,
    pub extra: Option<serde_json::Value>,
    pub body: String,
    pub sightings: Vec<Sighting>,
}

/// Check a `--from`/`--to` date: YYYY, YYYY-MM or YYYY-MM-DD, and a real
/// month and day (a bound such as 2018-13-45 would silently compare as text).
pub fn check_date(d: &str) -> Result<()> {
    let shape = matches!(d.len(), 4 | 7 | 10)
        && d.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|x| x.parse::<u32>().ok());
    let real = match d.len() {
        4 => true,
        7 => num(5..7).is_some_and(|m| (1..=12).contains(&m)),
        _ => match (num(0..4), num(5..7), num(8..10)) {
            (Some(y), Some(m), Some(day)) => {
                chrono::NaiveDate::from_ymd_opt(y as i32, m, day).is_some()
            }
            _ => false,
        },
    };
    if !shape || !real {
        return Err(Error::Invalid(format!(
            "date {d:?}: expected a real date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024, 2024-05, 2024-05-31)"
        )));
    }
    Ok(())
}

/// Check a `--from`/`--to` pair: each a date ([`check_date`]), and `from`
/// not after `to` (compared to the precision of the shorter, as the
/// filters compare), which would match nothing without saying why.
pub fn check_window(from: Option<&str>, to: Option<&str>) -> Result<()> {
    for d in [from, to].into_iter().flatten() {
        check_date(d)?;
    }
    if let (Some(f), Some(t)) = (from, to) {
        let n = f.len().min(t.len());
        if f[..n] > t[..n] {
            return Err(Error::Invalid(format!(
                "--from {f} is after --to {t}: no date falls between them; swap them"
            )));
        }
    }
    Ok(())
}

/// Filters on articles shared by search and export. Values are bound,
/// never pasted into SQL.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Publication date prefix bounds (YYYY, YYYY-MM or YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// An outlet's exact name or part of it.
    pub outlet: Option<String>,
    /// Only articles that mention this entity id.
    pub entity: Option<String>,
}

impl ArticleFilter {
    /// A filter from command-line values. Dates are prefixes of ISO 8601:
    /// YYYY, YYYY-MM or YYYY-MM-DD; anything else is refused by name.
    pub fn new(
        from: Option<String>,
        to: Option<String>,
        outlet: Option<String>,
        entity: Option<String>,
    ) -> Result<Self> {
        check_window(from.as_deref(), to.as_deref())?;
        Ok(ArticleFilter {
            from,
            to,
            outlet,
            entity,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.outlet.is_none() && self.entity.is_none()
    }

    /// ` AND ...` conditions on the alias `a` (articles), appending their
    /// values to `args` (placeholders are numbered after what is there).
    pub fn sql(&self, args: &mut Vec<SqlValue>) -> String {
        let mut w = String::new();
        let bind = |args: &mut Vec<SqlValue>, v: &str| {
            args.push(SqlValue::Text(v.to_string()));
            args.len()
        };
        if let Some(d) = &self.from {
            let n = bind(args, d);
            w.push_str(&format!(
                " AND substr(a.published_at, 1, length(?{n})) >= ?{n}"
            ));
        }
        if let Some(d) = &self.to {
            let n = bind(args, d);
            w.push_str(&format!(
                " AND substr(a.published_at, 1, length(?{n})) <= ?{n}"
            ));
        }
        if let Some(o) = &self.outlet {
            let n = bind(args, o);
            w.push_str(&format!(
                " AND a.outlet_id IN (SELECT id FROM outlets WHERE name = ?{n} OR instr(lower(name), lower(?{n})) > 0)"
            ));
        }
        if let Some(e) = &self.entity {
            let n = bind(args, e);
            w.push_str(&format!(
                " AND a.id IN (SELECT article_id FROM mentions WHERE entity_id = ?{n})"
            ));
        }
        w
    }
}

/// Walk every article in id order, a chunk at a time: `compute` runs on
/// the worker threads on (id, title, body), `write` on this thread on each
/// result, in id order. Used by the whole-archive rebuilds (index,
/// entities, near-duplicates). Returns the number of articles.
pub fn for_each<T: Send>(
    conn: &Connection,
    compute: impl Fn(i64, &str, &str) -> T + Sync,
    mut write: impl FnMut(i64, T) -> Result<()>,
) -> Result<i64> {
    use rayon::prelude::*;
    const CHUNK: usize = 2000;
    let mut st = conn.prepare("SELECT id, title, body FROM articles ORDER BY id")?;
    let mut rows = st.query([])?;
    let workers = crate::workers::Workers::new();
    let mut n = 0;
    loop {
        let mut chunk: Vec<(i64, String, String)> = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            let Some(r) = rows.next()? else { break };
            chunk.push((r.get(0)?, r.get(1)?, r.get(2)?));
        }
        if chunk.is_empty() {
            return Ok(n);
        }
        n += chunk.len() as i64;
        let done: Vec<(i64, T)> = workers.run(|| {
            chunk
                .par_iter()
                .map(|(id, t, b)| (*id, compute(*id, t, b)))
                .collect()
        });
        for (id, x) in done {
            write(id, x)?;
        }
    }
}

/// SQL expression for an article's origin: its first sighting's path or URL.
pub const ORIGIN_SQL: &str =
    "(SELECT s.origin FROM sightings s WHERE s.article_id = a.id ORDER BY s.id LIMIT 1)";

pub fn get(conn: &Connection, id: i64) -> Result<Article> {
    let sql = format!(
        "SELECT {}, a.date_precision, a.author,
                a.url, a.language, a.content_sha256, a.ingested_at, a.extra, a.body
         FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.id = ?1",
        ArticleRef::COLUMNS
    );
    let mut a = conn
        .query_row(&sql, [id], |r| {
            Ok(Article {
                article: ArticleRef::from_row(r, 0)?,
                date_precision: r.get(6)?,
                author: r.get(7)?,
                url: r.get(8)?,
                language: r.get(9)?,
                content_sha256: r.get(10)?,
                ingested_at: r.get(11)?,
                extra: r
                    .get::<_, Option<String>>(12)?
                    .and_then(|s| serde_json::from_str(&s).ok()),
                body: r.get(13)?,
                sightings: Vec::new(),
            })
        })
        .optional()?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "article {id}; list ids with `marsad search` or `marsad info`"
            ))
        })?;
    let mut st = conn.prepare(
        "SELECT origin, line, url, external_id, raw_sha256, run_id, seen_at, removed
         FROM sightings WHERE article_id = ?1 ORDER BY id",
    )?;
    a.sightings = st
        .query_map([id], |r| {
            Ok(Sighting {
                origin: r.get(0)?,
                line: r.get(1)?,
                url: r.get(2)?,
                external_id: r.get(3)?,
                raw_sha256: r.get(4)?,
                run_id: r.get(5)?,
                seen_at: r.get(6)?,
                removed: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(a)
}
