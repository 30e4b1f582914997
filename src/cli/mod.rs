//! The command line: one file per subcommand, each with its own arguments
//! struct and a `run` function, plus shared output formatting.

mod analyze;
mod backup;
mod check;
mod cooccur;
mod dedup;
mod duplicates;
mod entities;
mod entity;
mod export;
mod info;
mod ingest;
mod mentions;
mod migrate;
mod ner;
mod output;
mod queries;
mod reextract;
mod reindex;
mod run;
mod search;
mod show;
mod sql;
mod views;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, as documented in the README.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_INPUT_ERRORS: u8 = 3;
pub const EXIT_LOCKED: u8 = 4;

#[derive(Parser)]
#[command(
    name = "marsad",
    version,
    about = "An archive of Arabic news in one SQLite file"
)]
pub struct Cli {
    /// The archive file.
    #[arg(long, global = true, env = "MARSAD_DB", default_value = "marsad.db")]
    pub db: PathBuf,

    /// The named-entity model file ('none': NER off). Default: ner-ar.model next to the binary, or in models/.
    #[arg(long, global = true, env = "MARSAD_MODEL", value_name = "FILE")]
    pub model: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The named-entity model for a command that extracts: the one `--model`
/// names, or the one found next to the binary. Without one, says once (unless
/// `quiet`) that NER is off and how to turn it on.
pub fn load_tagger(
    model: Option<&Path>,
    quiet: bool,
) -> anyhow::Result<Option<marsad::ner::SharedTagger>> {
    match marsad::ner::locate(model) {
        Some(p) => Ok(Some(marsad::ner::load_tagger(&p)?)),
        None => {
            // `--model none` asked for it: said so, not "no model found".
            let asked = model.is_some_and(|m| m.as_os_str() == "none");
            if !quiet && asked {
                eprintln!(
                    "note: named-entity recognition is off (--model none): only gazetteer names and names after titles are found"
                );
            } else if !quiet {
                eprintln!("note: {}", marsad::ner::OFF_HINT);
            }
            Ok(None)
        }
    }
}

/// Says (unless `quiet`) when the archive's mentions were extracted with
/// another model than this run's.
pub fn note_model_change(
    conn: &rusqlite::Connection,
    tagger: Option<&marsad::ner::SharedTagger>,
    quiet: bool,
) -> anyhow::Result<()> {
    if let Some(old) = marsad::entities::reextract::other_model(conn, tagger.map(|t| t.get()))?
        && !quiet
    {
        eprintln!(
            "note: older articles were tagged with another named-entity model ({old}); `marsad reextract` redoes them with this one"
        );
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum Command {
    /// Ingest files, folders or stdin (-) into the archive.
    Ingest(ingest::Args),
    /// Search the archive (Arabic-aware).
    Search(search::Args),
    /// Show one article with its sightings.
    Show(show::Args),
    /// Counts, schema version, last run.
    Info(info::Args),
    /// Verify the archive: SQLite integrity (CHECK constraints too), FTS5 integrity, index, content hashes.
    Check(check::Args),
    /// Apply schema migrations explicitly, then refill the index and signatures they leave empty.
    Migrate(migrate::Args),
    /// Rebuild the full-text index from the articles, merged into one segment.
    Reindex(reindex::Args),
    /// Named persons, places and organisations in a text; `ner train` and `ner eval` build and measure the model.
    Ner(ner::Args),
    /// Show how a text is tokenised, normalised and stemmed: per word the index term and the terms `search` looks for.
    Analyze(analyze::Args),
    /// List entities by articles and mentions; --candidates, --import FILE.
    Entities(entities::Args),
    /// An entity's profile; add|alias|merge|rename|accept|reject edit the gazetteer.
    Entity(entity::Args),
    /// Every mention of an entity in context (--with OTHER: same sentence).
    Mentions(mentions::Args),
    /// Articles and sentences where two entities both appear.
    Cooccur(cooccur::Args),
    /// Redo all mentions after the gazetteer changed.
    Reextract(reextract::Args),
    /// The saved SQL views and what each holds.
    Views(views::Args),
    /// Run one read-only SQL statement (-p name=value binds :name).
    Sql(sql::Args),
    /// List saved queries (--datasette: as Datasette canned queries).
    Queries(queries::Args),
    /// Run a saved query: marsad run NAME [--param value ...]; `marsad run NAME --help` lists its parameters.
    #[command(disable_help_flag = true)]
    Run(run::Args),
    /// Stream articles, mentions or entities as JSON Lines or CSV (entities also as the gazetteer's TSV), or write the whole archive as Parquet files into a directory (--format parquet DIR), incrementally.
    Export(export::Args),
    /// Stories with their near-duplicate copies.
    Duplicates(duplicates::Args),
    /// Recompute near-duplicates (--rebuild [--threshold X]).
    Dedup(dedup::Args),
    /// A consistent copy of the archive (safe while an ingest runs), checked.
    Backup(backup::Args),
}

/// The one value parser of every `--from`/`--to`: a bad date is a usage
/// error that names it, whichever command was given it.
pub fn date_arg(s: &str) -> Result<String, String> {
    // clap names the option and the value; this says what it should be.
    marsad::articles::check_date(s)
        .map(|()| s.to_string())
        .map_err(|_| "expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-05-31".into())
}

/// `--from`/`--to`, flattened into every command that takes a date window.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Window {
    /// Only articles published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_parser = date_arg)]
    pub from: Option<String>,
    /// Only articles published up to this date, inclusive.
    #[arg(long, value_parser = date_arg)]
    pub to: Option<String>,
}

impl Window {
    /// The window as a filter; a `--from` after `--to` is refused.
    pub fn filter(&self) -> marsad::Result<marsad::articles::ArticleFilter> {
        marsad::articles::ArticleFilter::new(self.from.clone(), self.to.clone(), None, None)
    }
}

/// Which articles: the window, an outlet, an entity (search and export).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ArticleArgs {
    #[command(flatten)]
    pub window: Window,
    /// Only this outlet (exact name or part of it).
    #[arg(long)]
    pub outlet: Option<String>,
    /// Only articles that mention this entity (id, name or alias).
    #[arg(long)]
    pub entity: Option<String>,
}

impl ArticleArgs {
    /// The filter, with the entity resolved to its id in this archive.
    pub fn filter(
        self,
        conn: &rusqlite::Connection,
    ) -> marsad::Result<marsad::articles::ArticleFilter> {
        let entity = self
            .entity
            .as_deref()
            .map(|n| marsad::entities::store::resolve(conn, n))
            .transpose()?;
        marsad::articles::ArticleFilter::new(self.window.from, self.window.to, self.outlet, entity)
    }
}

/// `--format`, flattened into every command that prints rows or an object.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct FormatArg {
    /// A table, one JSON array, JSON Lines, or CSV.
    #[arg(long, value_enum, default_value = "table")]
    pub format: output::Format,
}

/// `--wait`, flattened into every command that writes to the archive.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct WaitArg {
    /// Seconds to wait for another ingest (or edit) of this archive to finish.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    pub wait: u64,
}

impl WaitArg {
    /// Take the archive's ingest lock, waiting as long as the user allowed.
    pub fn lock(&self, db: &std::path::Path) -> marsad::Result<marsad::store::IngestLock> {
        marsad::store::IngestLock::acquire(db, std::time::Duration::from_secs(self.wait))
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ingest(a) => ingest::run(&cli.db, cli.model.as_deref(), a),
        Command::Search(a) => search::run(&cli.db, a),
        Command::Show(a) => show::run(&cli.db, a),
        Command::Info(a) => info::run(&cli.db, a),
        Command::Check(a) => check::run(&cli.db, a),
        Command::Migrate(a) => migrate::run(&cli.db, a),
        Command::Reindex(a) => reindex::run(&cli.db, a),
        Command::Analyze(a) => analyze::run(a),
        Command::Ner(a) => ner::run(cli.model.as_deref(), a),
        Command::Entities(a) => entities::run(&cli.db, a),
        Command::Entity(a) => entity::run(&cli.db, a),
        Command::Mentions(a) => mentions::run(&cli.db, a),
        Command::Cooccur(a) => cooccur::run(&cli.db, a),
        Command::Reextract(a) => reextract::run(&cli.db, cli.model.as_deref(), a),
        Command::Views(a) => views::run(&cli.db, a),
        Command::Sql(a) => sql::run(&cli.db, a),
        Command::Queries(a) => queries::run(&cli.db, a),
        Command::Run(a) => run::run(&cli.db, a),
        Command::Export(a) => export::run(&cli.db, a),
        Command::Duplicates(a) => duplicates::run(&cli.db, a),
        Command::Dedup(a) => dedup::run(&cli.db, a),
        Command::Backup(a) => backup::run(&cli.db, a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            output::quit_if_output_closed(&e);
            // marsad's own errors already name their cause; others get their chain.
            let msg = match e.downcast_ref::<marsad::Error>() {
                Some(m) => m.to_string(),
                None => format!("{e:#}"),
            };
            // Messages quote file names and values, which may hold ESC.
            let msg = output::term_text(&msg);
            let backup = matches!(
                e.downcast_ref::<marsad::Error>(),
                Some(marsad::Error::Backup { .. })
            );
            if disk_full(&e) && backup {
                eprintln!("marsad: {msg}: free some space there and run again");
            } else if disk_full(&e) {
                eprintln!(
                    "marsad: {msg}: free some space and run again; everything already committed is kept"
                );
            } else {
                eprintln!("marsad: {msg}");
            }
            let locked = matches!(
                e.downcast_ref::<marsad::Error>(),
                Some(marsad::Error::Locked { .. })
            );
            ExitCode::from(if locked { EXIT_LOCKED } else { EXIT_FAILURE })
        }
    }
}

/// Whether a command failed for a full disk, by the error's type: marsad's
/// own error, or an SQLite or I/O error that reached here without one.
fn disk_full(e: &anyhow::Error) -> bool {
    e.chain().any(|c| match c.downcast_ref::<marsad::Error>() {
        Some(m) => m.is_disk_full(),
        None => marsad::error::disk_full(c),
    })
}
