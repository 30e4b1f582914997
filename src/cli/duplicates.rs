//! `marsad duplicates`: stories with their copies.

use super::output::outln;
use std::path::Path;

use marsad::archive;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Only this story.
    #[arg(long)]
    story: Option<i64>,
    /// Only stories whose links all reach this similarity (0–1).
    #[arg(long, default_value_t = 0.0)]
    min_similarity: f64,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    if !(0.0..=1.0).contains(&a.min_similarity) {
        anyhow::bail!(
            "--min-similarity is a similarity between 0 and 1, not {}",
            a.min_similarity
        );
    }
    let store = archive::open_to_read(db)?;
    let stories = marsad::dedup::stories(&store.conn, a.story, a.min_similarity, a.limit)?;
    if matches!(a.out.format, Format::Json | Format::Jsonl) {
        return output::print_rows(a.out.format, &[], &stories).map(|()| 0);
    }
    if a.out.format == Format::Csv {
        // One row per copy, with its story: a cell holds one value.
        let rows: Vec<serde_json::Value> = stories
            .iter()
            .flat_map(|s| {
                s.members.iter().map(move |m| {
                    let mut v = serde_json::to_value(m).unwrap_or_default();
                    v["article_id"] = m.article.id.into();
                    v["story_id"] = s.story_id.into();
                    v["canonical_id"] = s.canonical_id.into();
                    v
                })
            })
            .collect();
        let cols = [
            "story_id",
            "canonical_id",
            "article_id",
            "canonical",
            "similarity",
            "outlet",
            "published_at",
            "external_id",
            "origin",
            "title",
        ];
        return output::print_rows(a.out.format, &cols, &rows).map(|()| 0);
    }
    for s in &stories {
        outln!("story {}  ({} copies)", s.story_id, s.members.len());
        for m in &s.members {
            outln!(
                "  {} #{:<6} {:<10} {:<14} {:>5}  {}",
                if m.canonical { "*" } else { " " },
                m.article.id,
                m.article
                    .published_at
                    .as_deref()
                    .map_or("-", |d| d.get(..10).unwrap_or(d)),
                output::term(m.article.outlet.as_deref().unwrap_or("-")),
                m.similarity.map_or("-".into(), |x| format!("{x:.2}")),
                output::term(&m.article.title)
            );
        }
    }
    if stories.is_empty() {
        eprintln!("no stories with more than one copy");
    }
    Ok(0)
}
