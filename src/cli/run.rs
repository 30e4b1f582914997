//! `marsad run NAME [--param value ...]`: run a saved query.

use std::path::{Path, PathBuf};

use marsad::queries;

use super::output::Format;

#[derive(clap::Args)]
pub struct Args {
    /// The saved query's name (see `marsad queries`).
    #[arg(required_unless_present = "help")]
    name: Option<String>,
    /// Folder of your own saved queries (default: queries/ next to the archive).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// Stop the query after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Print help; after NAME, with that query's own parameters.
    #[arg(short = 'h', long = "help", action = clap::ArgAction::SetTrue)]
    help: bool,
    #[command(flatten)]
    out: super::FormatArg,
    /// The query's parameters, as --name value.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "--PARAM VALUE"
    )]
    params: Vec<String>,
}

pub fn run(db: &Path, mut a: Args) -> anyhow::Result<u8> {
    let Some(qname) = a.name.clone() else {
        return help(None);
    };
    // clap hands everything after the first parameter to `params`, so
    // marsad's own options (`run new-entities --days 7 --db x.db`) are
    // taken from there too.
    let mut db = db.to_path_buf();
    let mut given = Vec::new();
    let mut it = a.params.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            a.help = true;
            continue;
        }
        let Some(name) = flag.strip_prefix("--") else {
            anyhow::bail!("expected --PARAM VALUE, found {flag:?}")
        };
        let (name, value) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (
                name.to_string(),
                it.next()
                    .ok_or_else(|| anyhow::anyhow!("--{name} needs a value"))?
                    .clone(),
            ),
        };
        match name.as_str() {
            "format" => {
                a.out.format = <Format as clap::ValueEnum>::from_str(&value, true)
                    .map_err(anyhow::Error::msg)?
            }
            "timeout" => {
                a.timeout = value.parse().map_err(|_| {
                    anyhow::anyhow!("--timeout takes a whole number of seconds, not {value:?}")
                })?
            }
            "db" => db = PathBuf::from(value),
            "queries" => a.queries = Some(PathBuf::from(value)),
            // A saved query extracts nothing: the model is not used.
            "model" => {}
            _ if given.iter().any(|(n, _)| n == &name) => {
                anyhow::bail!("{qname}: --{name} is given twice; give it once")
            }
            _ => given.push((name, value)),
        }
    }
    let all = queries::all(Some(&super::queries::user_dir(&db, a.queries)))?;
    // The broken file asked for is the error; others are a warning each.
    let q = all.get(&qname)?;
    super::queries::warn_broken(&all, Some(&qname));
    if a.help {
        return help(Some(q));
    }
    // One read-only connection resolves the entity parameters and runs the query.
    let store = marsad::sql::open_read_only(&db, std::time::Duration::from_secs(a.timeout))?;
    let params = queries::bind_resolved(q, &given, |name| {
        marsad::entities::store::resolve(&store.conn, name)
    })?;
    super::sql::print_query(&store, &q.sql, &params, a.out.format)
}

/// `run`'s help (clap's own, turned off for this command so that it can
/// follow NAME), then the named query's description and parameters.
fn help(q: Option<&queries::SavedQuery>) -> anyhow::Result<u8> {
    let mut cmd = <super::Cli as clap::CommandFactory>::command();
    cmd.build();
    let run = cmd
        .find_subcommand_mut("run")
        .expect("the run subcommand exists");
    let mut text = run.render_help().to_string();
    if let Some(q) = q {
        // A user's query file may hold anything: escaped for the terminal.
        text.push_str(&super::output::term_text(&query_help(q)));
    }
    super::output::outln!("{}", text.trim_end());
    Ok(0)
}

/// A saved query's description and parameters, as `run NAME --help` ends.
fn query_help(q: &queries::SavedQuery) -> String {
    let mut s = format!("\n{} ({}):\n  {}\n", q.name, q.source, q.description);
    if q.params.is_empty() {
        s.push_str("\nIt takes no parameters.\n");
        return s;
    }
    s.push_str("\nIts parameters:\n");
    let flags: Vec<String> = q
        .params
        .iter()
        .map(|p| format!("--{} <{}>", p.name, kind_word(p.kind)))
        .collect();
    let width = flags.iter().map(|f| f.chars().count()).max().unwrap_or(0);
    for (p, f) in q.params.iter().zip(&flags) {
        let default = match &p.default {
            Some(d) => format!("[default: {d}]"),
            None => "(required)".to_string(),
        };
        s.push_str(&format!("  {f:width$}  {default}\n"));
    }
    s
}

fn kind_word(k: queries::ParamKind) -> &'static str {
    use queries::ParamKind::*;
    match k {
        Text => "TEXT",
        Entity => "ENTITY",
        Entities => "ENTITY,...",
        Date => "DATE",
        Number => "NUMBER",
    }
}
