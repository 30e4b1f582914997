//! Export articles, mentions or entities row by row (constant memory), with
//! filters given as values, never as SQL. Articles export in the JSON Lines
//! field names ingest reads, so an export ingests back into the same articles.
//!
//! [`dataset`] exports the whole archive as Parquet files instead, for
//! DuckDB, Spark and the like: [`tables`] says what it writes, [`parquet`]
//! writes one file, [`manifest`] records what a directory holds.

pub mod dataset;
mod dir;
mod fingerprint;
pub mod manifest;
pub mod parquet;
pub mod tables;

use rusqlite::{Connection, params_from_iter, types::Value as SqlValue};
use serde_json::{Map, Value};

use crate::articles::ArticleFilter;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Articles,
    Mentions,
    Entities,
}

/// The columns each export has, in order.
pub fn columns(what: What) -> &'static [&'static str] {
    match what {
        What::Articles => &[
            "id",
            "title",
            "text",
            "date",
            "source",
            "author",
            "url",
            "language",
            "marsad_id",
            "content_sha256",
        ],
        What::Mentions => &[
            "article_id",
            "external_id",
            "origin",
            "entity_id",
            "field",
            "surface",
            "start",
            "end",
            "sentence",
            "how",
            "status",
        ],
        What::Entities => &[
            "id", "type", "name_ar", "name_en", "wikidata", "status", "aliases",
        ],
    }
}

/// Call `row` for every exported row, as a JSON object with [`columns`] keys
/// (articles also carry the fields kept in `extra`).
pub fn export(
    conn: &Connection,
    what: What,
    f: &ArticleFilter,
    mut row: impl FnMut(Map<String, Value>) -> Result<()>,
) -> Result<u64> {
    let mut args = Vec::new();
    let sql = match what {
        What::Articles => format!(
            "SELECT coalesce(a.external_id, 'marsad-' || a.id), a.title, a.body, coalesce(a.published_at, a.date_raw), o.name,
                    a.author, a.url, a.language, a.id, a.content_sha256, a.extra
             FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE 1 = 1{} ORDER BY a.id",
            f.sql(&mut args)
        ),
        What::Mentions => {
            let w = f.sql(&mut args);
            let only = match &f.entity {
                Some(e) => {
                    args.push(SqlValue::Text(e.clone()));
                    format!(" AND m.entity_id = ?{}", args.len())
                }
                None => String::new(),
            };
            format!(
                "SELECT m.article_id, a.external_id,
                        (SELECT s.origin FROM sightings s WHERE s.article_id = a.id ORDER BY s.id LIMIT 1),
                        m.entity_id, m.field, m.surface, m.start, m.end,
                        (SELECT substr(CASE s.field WHEN 'title' THEN a.title ELSE a.body END, s.start + 1, s.end - s.start)
                           FROM sentences s WHERE s.article_id = m.article_id AND s.field = m.field AND s.idx = m.sentence),
                        m.how, (SELECT e.status FROM entities e WHERE e.id = m.entity_id)
                 FROM mentions m JOIN articles a ON a.id = m.article_id WHERE 1 = 1{w}{only} ORDER BY m.id"
            )
        }
        What::Entities => "SELECT e.id, e.type, e.name_ar, e.name_en, e.wikidata, e.status,
                    (SELECT group_concat(alias, '|') FROM entity_aliases WHERE entity_id = e.id AND kind != 'name')
             FROM entities e WHERE e.merged_into IS NULL ORDER BY e.id"
            .to_string(),
    };
    let cols = columns(what);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(args))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let mut obj = Map::new();
        for (i, c) in cols.iter().enumerate() {
            let v: SqlValue = r.get(i)?;
            obj.insert(
                c.to_string(),
                match v {
                    SqlValue::Null => Value::Null,
                    SqlValue::Integer(x) => x.into(),
                    SqlValue::Real(x) => {
                        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
                    }
                    SqlValue::Text(t) => t.into(),
                    SqlValue::Blob(_) => Value::Null,
                },
            );
        }
        if what == What::Articles
            && let Some(extra) = r.get::<_, Option<String>>(cols.len())?
            && let Ok(Value::Object(m)) = serde_json::from_str(&extra)
        {
            for (k, v) in m {
                obj.entry(k).or_insert(v);
            }
        }
        row(obj)?;
        n += 1;
    }
    Ok(n)
}
