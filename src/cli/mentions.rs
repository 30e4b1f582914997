//! `marsad mentions NAME [--with OTHER]`: a concordance.

use super::output::outln;
use std::path::Path;

use marsad::archive;
use marsad::entities::{query, store as estore};
use serde::Serialize;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Id, Arabic or English name, or any alias.
    name: String,
    /// Only sentences that also mention this entity.
    #[arg(long)]
    with: Option<String>,
    #[command(flatten)]
    window: super::Window,
    #[arg(long, default_value_t = 100)]
    limit: usize,
    #[command(flatten)]
    out: super::FormatArg,
}

#[derive(Serialize)]
struct Line {
    article_id: i64,
    date: String,
    left: String,
    surface: String,
    right: String,
}

/// Keyword in context: up to `width` characters either side, on one line.
fn kwic(m: &query::MentionRow, width: usize) -> Line {
    let flat = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = m.sentence.chars().collect();
    let len = m.surface.chars().count();
    // The mention itself, not the first occurrence of its name.
    let pos = if chars
        .get(m.in_sentence..m.in_sentence + len)
        .is_some_and(|c| c.iter().copied().eq(m.surface.chars()))
    {
        m.in_sentence
    } else {
        m.sentence
            .find(&m.surface)
            .map(|b| m.sentence[..b].chars().count())
            .unwrap_or(0)
    };
    let end = (pos + len).min(chars.len());
    let left: String = chars[pos.saturating_sub(width)..pos].iter().collect();
    let right: String = chars[end..(end + width).min(chars.len())].iter().collect();
    Line {
        article_id: m.article_id,
        date: m
            .published_at
            .as_deref()
            .map_or("-".into(), |d| d.get(..10).unwrap_or(d).to_string()),
        left: flat(left),
        surface: m.surface.clone(),
        right: flat(right),
    }
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_read(db)?;
    let id = estore::resolve(&store.conn, &a.name)?;
    let with = a
        .with
        .as_deref()
        .map(|w| estore::resolve(&store.conn, w))
        .transpose()?;
    let rows = query::mentions(
        &store.conn,
        &id,
        with.as_deref(),
        &a.window.filter()?,
        a.limit,
    )?;
    if a.out.format != Format::Table {
        let cols = [
            "article_id",
            "external_id",
            "origin",
            "entity_id",
            "surface",
            "start",
            "end",
            "sentence",
        ];
        return output::print_rows(a.out.format, &cols, &rows).map(|()| 0);
    }
    for m in &rows {
        let l = kwic(m, 45);
        outln!(
            "#{:<6} {}  {} [{}] {}",
            l.article_id,
            l.date,
            output::term(&l.left),
            output::term(&l.surface),
            output::term(&l.right)
        );
    }
    if rows.is_empty() {
        eprintln!("no mentions");
    }
    Ok(0)
}
