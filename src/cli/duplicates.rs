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
    /// Only stories whose copies are all at least this similar to the
    /// canonical article (0–1).
    #[arg(long, default_value_t = 0.0)]
    min_similarity: f64,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Say why articles A and B are or are not in one story: their
    /// similarity, and the particulars (entities, numbers) only one names.
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with_all = ["story", "min_similarity"])]
    explain: Option<Vec<i64>>,
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
    if let Some(ab) = &a.explain
        && ab[0] == ab[1]
    {
        anyhow::bail!(
            "--explain needs two different articles, not #{} twice",
            ab[0]
        );
    }
    if let Some(ab) = &a.explain {
        return explain(&store.conn, ab[0], ab[1], a.out.format);
    }
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

fn explain(conn: &rusqlite::Connection, a: i64, b: i64, format: Format) -> anyhow::Result<u8> {
    let c = marsad::dedup::compare(conn, a, b)?;
    if format != Format::Table {
        // CSV: a cell holds one value; the reason names the particulars.
        let cols: &[&str] = if format == Format::Csv {
            &[
                "a",
                "b",
                "similarity",
                "threshold",
                "story_a",
                "story_b",
                "same_story",
                "particulars_disagree",
                "copies",
                "reason",
            ]
        } else {
            &[]
        };
        return output::print_rows(format, cols, &[serde_json::to_value(&c)?]).map(|()| 0);
    }
    outln!(
        "#{a} and #{b}: {}",
        if c.same_story {
            "one story"
        } else {
            "different stories"
        }
    );
    outln!("  {}", output::term(&c.reason));
    Ok(0)
}
