//! `marsad queries`: list saved queries (or print them as Datasette canned
//! queries with --datasette).

use super::output::outln;
use std::path::{Path, PathBuf};

use marsad::queries;
use serde_json::json;

use super::output::{self};

#[derive(clap::Args)]
pub struct Args {
    /// Folder of your own saved queries (default: queries/ next to the archive).
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// Print a Datasette metadata file exposing them as canned queries.
    #[arg(long)]
    datasette: bool,
    #[command(flatten)]
    out: super::FormatArg,
}

/// The user's query folder: --queries, or queries/ beside the archive.
pub fn user_dir(db: &Path, given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        db.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("queries")
    })
}

/// Saved queries, with one warning line on stderr per file that is not one.
pub fn load(db: &Path, given: Option<PathBuf>) -> anyhow::Result<queries::Loaded> {
    let loaded = queries::all(Some(&user_dir(db, given)))?;
    warn_broken(&loaded, None);
    Ok(loaded)
}

/// One warning line per file that is not a saved query, but the one named
/// `except` (`marsad run` reports that one as its error).
pub fn warn_broken(loaded: &queries::Loaded, except: Option<&str>) {
    for b in loaded
        .broken
        .iter()
        .filter(|b| Some(b.stem.as_str()) != except)
    {
        eprintln!(
            "warning: skipped a saved query: {}",
            super::output::term_text(&b.problem.to_string())
        );
    }
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let all = load(db, a.queries)?.queries;
    if a.datasette {
        let name = db
            .file_stem()
            .map_or("marsad".into(), |s| s.to_string_lossy().to_string());
        outln!("{}", serde_json::to_string_pretty(&datasette(&name, &all))?);
        return Ok(0);
    }
    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        description: String,
        params: String,
        source: String,
    }
    let rows: Vec<Row> = all
        .into_iter()
        .map(|q| Row {
            params: q
                .params
                .iter()
                .map(|p| match &p.default {
                    Some(d) if d.chars().count() <= 20 => format!("{}={d}", p.name),
                    Some(_) => format!("{}=…", p.name),
                    None => p.name.clone(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            name: q.name,
            description: q.description,
            source: q.source,
        })
        .collect();
    output::print_rows(
        a.out.format,
        &["name", "description", "params", "source"],
        &rows,
    )?;
    Ok(0)
}

/// Datasette metadata for the archive `name`: the saved queries as canned
/// queries, their parameters in order and their defaults (which Datasette
/// has no place for: the plugin datasette/plugins/marsad_search.py fills in
/// a parameter the URL lacks, so a canned query opens with working values),
/// and the articles table searched on its index, newest first, outlets and
/// entities shown by name.
fn datasette(name: &str, all: &[queries::SavedQuery]) -> serde_json::Value {
    let canned: serde_json::Map<String, serde_json::Value> = all
        .iter()
        .map(|q| {
            let params: Vec<&str> = q.params.iter().map(|p| p.name.as_str()).collect();
            (
                q.name.clone(),
                json!({
                    "sql": q.sql, "title": q.name, "description": q.description,
                    "params": params, "hide_sql": true
                }),
            )
        })
        .collect();
    let defaults: serde_json::Map<String, serde_json::Value> = all
        .iter()
        .map(|q| {
            let d: serde_json::Map<String, serde_json::Value> = q
                .params
                .iter()
                .filter_map(|p| Some((p.name.clone(), p.default.clone()?.into())))
                .collect();
            (q.name.clone(), d.into())
        })
        .collect();
    json!({
        "title": "marsad",
        "databases": { name: {
            "tables": {
                "articles": {
                    "fts_table": "articles_fts",
                    "fts_pk": "id",
                    "sort_desc": "published_at",
                    "facets": ["outlet_id", {"month": "published_at"}],
                    "description": "Search finds words in any form (the marsad query language: \"phrases\", OR, -exclusions) when Datasette runs with the marsad extension and plugin (make serve); the search canned query ranks by relevance."
                },
                "outlets": { "label_column": "name" },
                "entities": { "label_column": "name_ar" }
            },
            "queries": canned
        }},
        "plugins": { "marsad_search": { "defaults": defaults } }
    })
}
