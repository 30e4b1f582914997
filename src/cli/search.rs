//! `marsad search QUERY`

use super::output::outln;
use std::borrow::Cow;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use marsad::archive;
use marsad::search::{self, Filters, Query};
use serde::Serialize;

use super::output::{self, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Words (all must match; AND is a space), "exact phrase", OR, -word or NOT word, word*, title:word.
    /// At most 32 terms (repeats count once) and 4 prefixes of 2 letters or more.
    #[arg(allow_hyphen_values = true)]
    query: String,
    #[command(flatten)]
    articles: super::ArticleArgs,
    /// Show every copy of a story (by default, one hit per story).
    #[arg(long)]
    all: bool,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Stop a search that runs longer than this many seconds (a query too broad).
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    #[command(flatten)]
    out: super::FormatArg,
}

/// Marks for matched words: colour on a terminal, brackets otherwise.
pub fn marks(format: Format) -> (&'static str, &'static str) {
    if format == Format::Table && std::io::stdout().is_terminal() {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("[", "]")
    }
}

#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    /// The day, under the name JSON gives the date.
    published_at: Option<&'a str>,
    outlet: Option<Cow<'a, str>>,
    title: Cow<'a, str>,
    snippet: String,
    #[serde(skip)]
    also: String,
}

/// "(also 3 other copies, in 2 other outlets)": the copies hidden under a
/// hit, and the other outlets among them.
fn also(copies: i64, other_outlets: i64) -> String {
    let others = copies - 1;
    if others < 1 {
        return String::new();
    }
    let copies = match others {
        1 => "1 other copy".to_string(),
        n => format!("{n} other copies"),
    };
    match other_outlets {
        0 => format!("  (also {copies})"),
        1 => format!("  (also {copies}, in 1 other outlet)"),
        n => format!("  (also {copies}, in {n} other outlets)"),
    }
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    let mut store = archive::open_to_read(db)?;
    let conn = &mut store.conn;
    let q = Query::parse(&a.query);
    for n in &q.notes {
        eprintln!("note: {}", output::term(n));
    }
    let f = Filters {
        filter: a.articles.filter(conn)?,
        limit: a.limit,
        offset: a.offset,
        all: a.all,
    };
    let hits = search::with_time_limit(conn, Duration::from_secs(a.timeout), |c| {
        search::search(c, &q, &f)
    })?;
    match a.out.format {
        Format::Json | Format::Jsonl => output::print_rows(a.out.format, &[], &hits)?,
        _ => {
            let (open, close) = marks(a.out.format);
            // The table reaches a terminal; CSV is escaped by print_rows there.
            let table = a.out.format == Format::Table;
            let esc = |s| {
                if table {
                    output::term(s)
                } else {
                    Cow::Borrowed(s)
                }
            };
            let rows: Vec<Row> = hits
                .iter()
                .map(|h| Row {
                    id: h.article.id,
                    // The table shows the day; CSV the value JSON gives.
                    published_at: h
                        .article
                        .published_at
                        .as_deref()
                        .map(|d| if table { d.get(..10).unwrap_or(d) } else { d }),
                    outlet: h.article.outlet.as_deref().map(esc),
                    title: esc(&h.article.title),
                    also: also(h.copies, h.also_in_outlets),
                    snippet: if table {
                        h.snippet.marked_with(open, close, output::push_term)
                    } else {
                        h.snippet.marked(open, close)
                    }
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                })
                .collect();
            if a.out.format == Format::Csv {
                output::print_rows(
                    a.out.format,
                    &["id", "published_at", "outlet", "title", "snippet"],
                    &rows,
                )?;
            } else {
                for r in &rows {
                    let date = r.published_at.unwrap_or("-");
                    let outlet = r.outlet.as_deref().unwrap_or("-");
                    outln!("#{}  {date}  {outlet}  {}{}", r.id, r.title, r.also);
                    outln!("    {}\n", r.snippet);
                }
                if rows.is_empty() {
                    eprintln!("no matches");
                }
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::also;

    #[test]
    fn hidden_copies_and_outlets_are_counted_in_good_grammar() {
        assert_eq!(also(1, 0), "");
        assert_eq!(also(2, 0), "  (also 1 other copy)");
        assert_eq!(also(2, 1), "  (also 1 other copy, in 1 other outlet)");
        assert_eq!(also(4, 2), "  (also 3 other copies, in 2 other outlets)");
    }
}
