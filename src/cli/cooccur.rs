//! `marsad cooccur A B`: articles and sentences where both appear.

use super::output::outln;
use std::path::Path;

use marsad::archive;
use marsad::entities::{query, store as estore};

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    a: String,
    b: String,
    #[command(flatten)]
    window: super::Window,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let store = archive::open_to_read(db)?;
    let x = estore::resolve(&store.conn, &a.a)?;
    let y = estore::resolve(&store.conn, &a.b)?;
    let (rows, total) = query::cooccur(&store.conn, &x, &y, &a.window.filter()?, a.limit)?;
    if a.out.format != Format::Table {
        return output::print_rows(
            a.out.format,
            &["id", "published_at", "outlet", "title", "sentences"],
            &rows,
        )
        .map(|()| 0);
    }
    for r in &rows {
        let d = r
            .article
            .published_at
            .as_deref()
            .map_or("-", |d| d.get(..10).unwrap_or(d));
        outln!(
            "#{}  {}  {}",
            r.article.id,
            d,
            output::term(&r.article.title)
        );
        for s in &r.sentences {
            outln!(
                "    • {}",
                output::term(&s.split_whitespace().collect::<Vec<_>>().join(" "))
            );
        }
    }
    let shown = if rows.len() < total {
        format!(" (the first {}: --limit)", rows.len())
    } else {
        String::new()
    };
    match total {
        1 => eprintln!("1 article mentions both {x} and {y}{shown}"),
        n => eprintln!("{n} articles mention both {x} and {y}{shown}"),
    }
    Ok(0)
}
