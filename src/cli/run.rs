//! `marsad run NAME [--param value ...]`: run a saved query.

use std::path::{Path, PathBuf};

use marsad::queries;

use super::output::Format;

#[derive(clap::Args)]
pub struct Args {
    /// The saved query's name (see `marsad queries`).
    name: String,
    /// Folder of your own saved queries (default: queries/ next to the archive).
    #[arg(long)]
    queries: Option<PathBuf>,
    #[arg(long, default_value_t = 60)]
    timeout: u64,
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
    let all = queries::all(Some(&super::queries::user_dir(db, a.queries)))?;
    // The broken file asked for is the error; others are a warning each.
    let q = all.get(&a.name)?;
    super::queries::warn_broken(&all, Some(&a.name));
    let mut given = Vec::new();
    let mut it = a.params.iter();
    while let Some(flag) = it.next() {
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
        // marsad's own options may follow the query's parameters.
        match name.as_str() {
            "format" => {
                a.out.format = <Format as clap::ValueEnum>::from_str(&value, true)
                    .map_err(anyhow::Error::msg)?
            }
            "timeout" => a.timeout = value.parse()?,
            _ if given.iter().any(|(n, _)| n == &name) => {
                anyhow::bail!("{}: --{name} is given twice; give it once", q.name)
            }
            _ => given.push((name, value)),
        }
    }
    // One read-only connection resolves the entity parameters and runs the query.
    let store = marsad::sql::open_read_only(db, std::time::Duration::from_secs(a.timeout))?;
    let params = queries::bind_resolved(q, &given, |name| {
        marsad::entities::store::resolve(&store.conn, name)
    })?;
    super::sql::print_query(&store, &q.sql, &params, a.out.format)
}
