//! `marsad show ID`

use super::output::outln;
use std::path::Path;

use marsad::archive;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Article id.
    id: i64,
    /// Mark the words matching this query in the body.
    #[arg(long)]
    highlight: Option<String>,
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_read(db)?;
    let mut shown = marsad::articles::get(&store.conn, a.id)?;
    let article = &mut shown.article;
    if a.out.format == Format::Table {
        // Escaped before marking, so the marks stay live on a terminal.
        article.title = output::term(&article.title).into_owned();
        shown.body = output::term_text(&shown.body).into_owned();
    }
    if let Some(q) = &a.highlight {
        let query = marsad::search::Query::parse(q);
        let marks = super::search::marks(a.out.format);
        shown.body = marsad::search::highlight(&shown.body, &query, marks.0, marks.1);
        article.title = marsad::search::highlight(&article.title, &query, marks.0, marks.1);
    }
    if a.out.format != Format::Table {
        return output::print_object(a.out.format, &shown).map(|()| 0);
    }
    outln!("#{}  {}", article.id, article.title);
    let meta = [
        ("date", article.published_at.clone()),
        ("outlet", article.outlet.clone()),
        ("author", shown.author.clone()),
        ("url", shown.url.clone()),
        ("external_id", article.external_id.clone()),
        ("origin", article.origin.clone()),
    ];
    for (k, v) in meta {
        if let Some(v) = v {
            outln!("{k}: {}", output::term(&v));
        }
    }
    outln!("\n{}\n", shown.body);
    outln!("sightings ({}):", shown.sightings.len());
    for s in &shown.sightings {
        let line = if s.line > 0 {
            format!(":{}", s.line)
        } else {
            String::new()
        };
        outln!(
            "  {}{}  {}  run {}  sha256 {}",
            output::term(&s.origin),
            line,
            s.seen_at,
            s.run_id.unwrap_or(0),
            &s.raw_sha256[..12]
        );
    }
    Ok(0)
}
