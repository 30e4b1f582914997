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
            super::output::term(&b.problem.to_string())
        );
    }
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let all = load(db, a.queries)?.queries;
    if a.datasette {
        let canned: serde_json::Map<String, serde_json::Value> = all
            .iter()
            .map(|q| {
                (
                    q.name.clone(),
                    json!({"sql": q.sql, "title": q.name, "description": q.description}),
                )
            })
            .collect();
        let name = db
            .file_stem()
            .map_or("marsad".into(), |s| s.to_string_lossy().to_string());
        let meta = json!({
            "title": "marsad",
            "databases": { name: {
                "tables": { "articles": { "fts_table": "articles_fts", "fts_pk": "id" } },
                "queries": canned
            }}
        });
        outln!("{}", serde_json::to_string_pretty(&meta)?);
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
