//! `marsad entity NAME`: an entity's profile; `marsad entity add|alias|merge|
//! rename|accept|reject` edit the gazetteer in the archive.

use super::output::outln;
use std::path::Path;

use clap::Subcommand;
use marsad::archive;
use marsad::entities::{self, query};

use super::output::{self, Format, term};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Id, Arabic or English name, or any alias.
    name: Option<String>,
    #[command(flatten)]
    window: super::Window,
    /// The timeline's step.
    #[arg(long, value_enum, default_value = "month")]
    by: query::Period,
    #[command(flatten)]
    out: super::FormatArg,
    #[command(subcommand)]
    edit: Option<Edit>,
}

#[derive(Subcommand)]
enum Edit {
    /// Add an entity.
    Add {
        /// Stable id (ASCII slug, e.g. mike-pompeo).
        id: String,
        #[arg(long = "type", value_enum)]
        etype: entities::EntityType,
        #[arg(long)]
        ar: String,
        #[arg(long)]
        en: Option<String>,
        #[arg(long)]
        alias: Vec<String>,
        /// Add it even though one of its names already names another entity.
        #[arg(long)]
        force: bool,
    },
    /// Add an alias (or, with --short, a first name valid after the full name); --remove takes one away.
    Alias {
        name: String,
        alias: String,
        #[arg(long)]
        short: bool,
        /// Remove the alias instead of adding it.
        #[arg(long, conflicts_with = "short")]
        remove: bool,
        /// Add it even though it already names another entity.
        #[arg(long)]
        force: bool,
    },
    /// Merge FROM into INTO (aliases and mentions move; FROM's id still resolves; INTO is accepted). It cannot be undone.
    Merge {
        from: String,
        into: String,
        /// Merge even two entities of different types.
        #[arg(long)]
        force: bool,
    },
    /// Change an entity's Arabic and/or English name (old names stay aliases).
    Rename {
        name: String,
        #[arg(long, required_unless_present = "en")]
        ar: Option<String>,
        #[arg(long)]
        en: Option<String>,
        /// Rename even to a name another entity has.
        #[arg(long)]
        force: bool,
    },
    /// Accept a discovered candidate into the gazetteer.
    Accept { name: String },
    /// Reject a candidate (or entity): it is no longer matched or proposed.
    Reject { name: String },
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    // Edits write; a profile only reads.
    let mut store = match a.edit {
        Some(_) => archive::open_to_edit(db)?,
        None => archive::open_to_read(db)?,
    };
    let conn = &mut store.conn;
    // An edit never follows a merge: it would land on another entity.
    let resolve = |c: &rusqlite::Connection, n: &str| entities::edit::resolve_for_edit(c, n);
    // A name another entity has: refused, or with --force a warning.
    let clashes = |c: &rusqlite::Connection, id: &str, names: &[&str], force: bool| {
        for w in entities::edit::check_names(c, id, names, force)? {
            eprintln!("warning: {}", output::term_text(&w));
        }
        Ok::<(), marsad::Error>(())
    };
    // Names added or changed are found in older articles only by a
    // reextract; a merge or rejection moves or drops the mentions itself.
    let done = |what: String| {
        outln!("{what}; run `marsad reextract` to find its names in older articles");
        Ok(0)
    };
    let moved = |what: String| {
        outln!("{what}; its mentions and the summaries are updated");
        Ok(0)
    };
    // A name several entities have: which one was taken, and the others.
    let namesakes = |c: &rusqlite::Connection, name: &str, id: &str| -> anyhow::Result<()> {
        let others = entities::store::namesakes(c, name, id)?;
        if !others.is_empty() {
            let list: Vec<String> = others
                .iter()
                .map(|(o, t, s)| format!("{o} ({t}, {s})"))
                .collect();
            let msg = format!(
                "{:?} also names {}; this is {id}: name an id to take another",
                name.trim(),
                list.join(", ")
            );
            eprintln!("note: {}", output::term_text(&msg));
        }
        Ok(())
    };
    match a.edit {
        Some(Edit::Add {
            id,
            etype,
            ar,
            en,
            alias,
            force,
        }) => {
            let line = format!(
                "{id}\t{etype}\t{ar}\t{}\t\t{}",
                en.unwrap_or_default(),
                alias.join("|")
            );
            // The values come from the command line, not a file: no "line 1:".
            let defs = entities::parse_tsv(&line).map_err(|e| {
                anyhow::anyhow!(
                    "entity add {id}: {}",
                    e.strip_prefix("line 1: ").unwrap_or(&e)
                )
            })?;
            if entities::store::resolve(conn, &id).is_ok() {
                anyhow::bail!("entity {id} already exists; use `marsad entity alias` or `rename`");
            }
            for d in &defs {
                clashes(conn, &d.id, &d.names().collect::<Vec<_>>(), force)?;
            }
            entities::store::import(conn, &defs)?;
            done(format!("added {id}"))
        }
        Some(Edit::Alias {
            name,
            alias,
            short,
            remove,
            force,
        }) => {
            let id = resolve(conn, &name)?;
            if remove {
                entities::edit::remove_alias(conn, &id, &alias)?;
                return done(format!("{id}: alias {alias:?} removed"));
            }
            clashes(conn, &id, &[alias.as_str()], force)?;
            entities::edit::alias(
                conn,
                &id,
                &alias,
                if short {
                    entities::NameKind::Short
                } else {
                    entities::NameKind::Alias
                },
            )?;
            done(format!("{id}: alias {alias:?} added"))
        }
        Some(Edit::Merge { from, into, force }) => {
            let (f, i) = (resolve(conn, &from)?, resolve(conn, &into)?);
            let was = entities::edit::merge(conn, &f, &i, force)?;
            let accepted = if was == entities::Status::Candidate {
                format!(" (the candidate {i} is accepted)")
            } else {
                String::new()
            };
            moved(format!("merged {f} into {i}{accepted}"))
        }
        Some(Edit::Rename {
            name,
            ar,
            en,
            force,
        }) => {
            let id = resolve(conn, &name)?;
            let names: Vec<&str> = ar.iter().chain(&en).map(String::as_str).collect();
            clashes(conn, &id, &names, force)?;
            entities::edit::rename(conn, &id, ar.as_deref(), en.as_deref())?;
            let to: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            done(format!("renamed {id} to {}", to.join(" / ")))
        }
        Some(Edit::Accept { name }) => {
            let id = resolve(conn, &name)?;
            namesakes(conn, &name, &id)?;
            let now = entities::edit::accept(conn, &id)?;
            if now != id {
                done(format!(
                    "{id} accepted as {now} (the old id still finds it)"
                ))
            } else {
                done(format!("{id} accepted"))
            }
        }
        Some(Edit::Reject { name }) => {
            let id = resolve(conn, &name)?;
            namesakes(conn, &name, &id)?;
            entities::edit::set_status(conn, &id, entities::edit::Decision::Rejected)?;
            moved(format!("{id} rejected"))
        }
        None => {
            let Some(name) = a.name else {
                anyhow::bail!(
                    "name an entity, e.g. `marsad entity حفتر`, or use a subcommand (see --help)"
                )
            };
            // Reading follows a merge: an old id finds what it became.
            let id = entities::store::resolve(conn, &name)?;
            namesakes(conn, &name, &id)?;
            let p = query::profile(conn, &id, &a.window.filter()?, a.by)?;
            if a.out.format != Format::Table {
                return output::print_object(a.out.format, &p).map(|()| 0);
            }
            print_profile(&p, a.by);
            Ok(0)
        }
    }
}

fn print_profile(p: &query::Profile, by: query::Period) {
    let e = &p.entity;
    outln!(
        "{}  {}  ({}, {}, {})",
        e.id,
        term(&e.name_ar),
        term(e.name_en.as_deref().unwrap_or("-")),
        e.etype,
        e.status
    );
    if let Some(q) = &p.wikidata {
        outln!("wikidata: {q}");
    }
    // The names are aliases too (so the matcher finds them), shown above.
    let others: Vec<&str> = p
        .aliases
        .iter()
        .map(String::as_str)
        .filter(|a| *a != e.name_ar && Some(*a) != e.name_en.as_deref())
        .collect();
    if !others.is_empty() {
        outln!("aliases: {}", term(&others.join("، ")));
    }
    if !p.short.is_empty() {
        outln!(
            "short, only after the full name in the same article: {}",
            term(&p.short.join("، "))
        );
    }
    outln!(
        "{} articles, {} mentions, first seen {}, last seen {}",
        e.articles,
        e.mentions,
        e.first_seen.as_deref().unwrap_or("-"),
        e.last_seen.as_deref().unwrap_or("-")
    );
    if !p.timeline.is_empty() {
        outln!(
            "\n{}",
            match by {
                query::Period::Week => "weekly articles (by the Monday each week starts on):",
                query::Period::Month => "monthly articles:",
                query::Period::Year => "yearly articles:",
            }
        );
        let max = p.timeline.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
        for (month, n) in &p.timeline {
            let bar = "█".repeat(((*n as f64 / max as f64) * 40.0).ceil() as usize);
            outln!("  {month}  {bar} {n}");
        }
    }
    if p.undated > 0 {
        outln!("  undated: {}", p.undated);
    }
    for (label, list) in [
        ("same sentence (shared sentences)", &p.same_sentence),
        ("same article (shared articles)", &p.same_article),
    ] {
        if !list.is_empty() {
            outln!("\nwith, in the {label}:");
            for r in list {
                outln!("  {:>5}  {}  {}", r.count, r.id, term(&r.name_ar));
            }
        }
    }
    if !p.latest.is_empty() {
        outln!("\nlatest articles:");
        for a in &p.latest {
            outln!(
                "  #{}  {}  {}",
                a.id,
                a.published_at
                    .as_deref()
                    .map_or("-", |d| d.get(..10).unwrap_or(d)),
                term(&a.title)
            );
        }
    }
}
