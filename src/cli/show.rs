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
    let mut article = marsad::articles::get(&store.conn, a.id)?;
    if a.out.format == Format::Table {
        // Escaped before marking, so the marks stay live on a terminal.
        article.title = output::term(&article.title).into_owned();
        article.body = output::term(&article.body).into_owned();
    }
    if let Some(q) = &a.highlight {
        let query = marsad::search::Query::parse(q);
        let marks = super::search::marks(a.out.format);
        article.body = marsad::search::highlight(&article.body, &query, marks.0, marks.1);
        article.title = marsad::search::highlight(&article.title, &query, marks.0, marks.1);
    }
    if a.out.format != Format::Table {
        return output::print_object(a.out.format, &article).map(|()| 0);
    }
    outln!("#{}  {}", article.id, article.title);
    let meta = [
        ("date", article.published_at.clone()),
        ("outlet", article.outlet.clone()),
        ("author", article.author.clone()),
        ("url", article.url.clone()),
        ("external_id", article.external_id.clone()),
        ("origin", article.origin.clone()),
    ];
    for (k, v) in meta {
        if let Some(v) = v {
            outln!("{k}: {}", output::term(&v));
        }
    }
    outln!("\n{}\n", article.body);
    outln!("sightings ({}):", article.sightings.len());
    for s in &article.sightings {
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
