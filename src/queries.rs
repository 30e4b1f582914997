//! Saved queries: `.sql` files whose header comment gives a name, a
//! description and parameters with defaults. The shipped ones (queries/ in
//! the repository) are built into the binary; an analyst's own come from a
//! folder and override shipped ones of the same name.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::articles::check_date;
use crate::error::{Error, Result};

/// The queries shipped in queries/.
const SHIPPED: &[(&str, &str)] = &[
    (
        "russian-libyan-meetings.sql",
        include_str!("../queries/russian-libyan-meetings.sql"),
    ),
    (
        "who-met-whom.sql",
        include_str!("../queries/who-met-whom.sql"),
    ),
    (
        "top-entities-week.sql",
        include_str!("../queries/top-entities-week.sql"),
    ),
    (
        "new-entities.sql",
        include_str!("../queries/new-entities.sql"),
    ),
    (
        "outlets-covering-entity.sql",
        include_str!("../queries/outlets-covering-entity.sql"),
    ),
    ("search.sql", include_str!("../queries/search.sql")),
    (
        "entity-mentions.sql",
        include_str!("../queries/entity-mentions.sql"),
    ),
    (
        "entity-timeline.sql",
        include_str!("../queries/entity-timeline.sql"),
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub name: String,
    pub default: Option<String>,
    pub kind: ParamKind,
}

/// What a parameter holds, declared in the header as `-- param: entity
/// (entity) = khalifa-haftar`: an entity is given by id, name or alias and
/// bound as its id, as every other command takes it, and a list of them
/// (entities) by commas, bound as the ids joined by commas; a date is
/// checked (`any` stands for no bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    Text,
    Entity,
    /// Entities separated by commas (`,`; an Arabic name holds `،`, not this).
    Entities,
    Date,
    /// A whole number of at least 0 (a limit, a number of days).
    Number,
}

#[derive(Debug, Clone, Serialize)]
pub struct SavedQuery {
    pub name: String,
    pub description: String,
    pub params: Vec<Param>,
    /// Where it came from: `shipped` or a file path.
    pub source: String,
    pub sql: String,
}

/// `marsad run`'s own options, which may follow a query's parameters: no
/// parameter may take one of these names.
const OWN_OPTIONS: &[&str] = &["db", "format", "timeout", "queries", "model", "help"];

/// Parse a saved query's header (`-- name:`, `-- description:`,
/// `-- param: name = default`).
pub fn parse(text: &str, source: &str) -> Result<SavedQuery> {
    let mut q = SavedQuery {
        name: String::new(),
        description: String::new(),
        params: vec![],
        source: source.into(),
        sql: text.into(),
    };
    for line in text
        .lines()
        .map(str::trim)
        .take_while(|l| l.starts_with("--"))
    {
        let body = line.trim_start_matches('-').trim();
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "name" => q.name = value.to_string(),
            "description" => q.description = value.to_string(),
            "param" => {
                let (n, d) = match value.split_once('=') {
                    Some((n, d)) => (n.trim(), Some(d.trim().to_string())),
                    None => (value, None),
                };
                let (n, kind) = match n.split_once('(') {
                    Some((n, k)) => {
                        let kind = match k.trim_end_matches(')').trim() {
                            "entity" => ParamKind::Entity,
                            "entities" => ParamKind::Entities,
                            "date" => ParamKind::Date,
                            "number" => ParamKind::Number,
                            "text" => ParamKind::Text,
                            other => {
                                return Err(Error::Input(format!(
                                    "{source}: parameter {} has kind {other:?}; kinds are entity, entities, date, number and text",
                                    n.trim()
                                )));
                            }
                        };
                        (n.trim(), kind)
                    }
                    None => (n, ParamKind::Text),
                };
                if OWN_OPTIONS.contains(&n) {
                    return Err(Error::Input(format!(
                        "{source}: parameter {n:?} has the name of one of `marsad run`'s own options \
                         ({}); rename it",
                        OWN_OPTIONS.join(", ")
                    )));
                }
                q.params.push(Param {
                    name: n.to_string(),
                    default: d,
                    kind,
                });
            }
            _ => {}
        }
    }
    if q.name.is_empty() {
        return Err(Error::Input(format!(
            "{source}: saved query has no `-- name:` line in its header; start the file with \
             `-- name: NAME` (then `-- description:` and `-- param: name = default` lines)"
        )));
    }
    Ok(q)
}

/// A `.sql` file in the user's folder that is not a saved query: it is
/// reported and skipped, so one bad file does not hide the others.
#[derive(Debug)]
pub struct Broken {
    pub path: PathBuf,
    /// The name `marsad run` would know it by (its file stem).
    pub stem: String,
    pub problem: Error,
}

/// Saved queries, and the files that could not be read as one.
#[derive(Debug, Default)]
pub struct Loaded {
    pub queries: Vec<SavedQuery>,
    pub broken: Vec<Broken>,
}

impl Loaded {
    /// The query called `name`, or the error of the broken file of that name.
    pub fn get(&self, name: &str) -> Result<&SavedQuery> {
        if let Some(q) = self.queries.iter().find(|q| q.name == name) {
            return Ok(q);
        }
        if let Some(b) = self.broken.iter().find(|b| b.stem == name) {
            return Err(Error::Input(b.problem.to_string()));
        }
        Err(Error::NotFound(format!(
            "saved query {name:?}; `marsad queries` lists them"
        )))
    }
}

/// All saved queries: shipped ones, then those in `dir` (which override).
pub fn all(dir: Option<&Path>) -> Result<Loaded> {
    let mut out = Loaded {
        queries: SHIPPED
            .iter()
            .map(|(f, t)| parse(t, &format!("shipped:{f}")))
            .collect::<Result<_>>()?,
        broken: Vec::new(),
    };
    if let Some(dir) = dir.filter(|d| d.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        for f in files {
            let q = std::fs::read_to_string(&f)
                .map_err(|e| Error::io(&f, e))
                .and_then(|text| parse(&text, &f.display().to_string()));
            match q {
                Ok(q) => {
                    out.queries.retain(|x| x.name != q.name);
                    out.queries.push(q);
                }
                Err(problem) => out.broken.push(Broken {
                    stem: f
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    path: f,
                    problem,
                }),
            }
        }
    }
    Ok(out)
}

/// Parameter values for a run: the given ones, then defaults. Unknown or
/// missing parameters are errors that name them.
/// Values for every parameter of `q`: given ones, else defaults; entity
/// parameters resolved by `entity` (name, alias or id → id) and dates checked.
pub fn bind_resolved(
    q: &SavedQuery,
    given: &[(String, String)],
    entity: impl Fn(&str) -> Result<String>,
) -> Result<Vec<(String, rusqlite::types::Value)>> {
    use rusqlite::types::Value;
    let values = bind(q, given)?;
    // A date window's bounds the wrong way round match nothing: say so.
    let date = |n: &str| {
        values
            .iter()
            .find(|(k, v)| k == n && v != "any" && v != "latest")
            .filter(|(k, _)| {
                q.params
                    .iter()
                    .any(|p| &p.name == k && p.kind == ParamKind::Date)
            })
            .map(|(_, v)| v.as_str())
    };
    if let (Some(f), Some(t)) = (date("from"), date("to"))
        && check_date(f).is_ok()
        && check_date(t).is_ok()
    {
        crate::articles::check_window(Some(f), Some(t))
            .map_err(|e| Error::Invalid(format!("{}: {e}", q.name)))?;
    }
    values
        .into_iter()
        .map(|(name, value)| {
            let v = match q.params.iter().find(|p| p.name == name).map(|p| p.kind) {
                Some(ParamKind::Entity) => Value::Text(entity(&value)?),
                // Each resolved, so that a name, an alias or a merged id
                // finds its entity and an unknown one is an error, not an
                // empty answer.
                Some(ParamKind::Entities) => Value::Text(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(&entity)
                        .collect::<Result<Vec<_>>>()?
                        .join(","),
                ),
                // "any": no bound, "latest": the query's own anchor (words a
                // Datasette form can show). Text either way: 2024 compared
                // as a number is greater than no date.
                Some(ParamKind::Date) => {
                    if value != "any" && value != "latest" {
                        check_date(&value)
                            .map_err(|e| Error::Invalid(format!("{}: --{name}: {e}", q.name)))?;
                    }
                    Value::Text(value)
                }
                Some(ParamKind::Number) => match value.parse::<u32>() {
                    Ok(n) => Value::Integer(n.into()),
                    Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => {
                        return Err(Error::Invalid(format!(
                            "{}: --{name} is at most {}, not {value}",
                            q.name,
                            u32::MAX
                        )));
                    }
                    Err(_) => {
                        return Err(Error::Invalid(format!(
                            "{}: --{name} takes a whole number (0 or more), not {value:?}",
                            q.name
                        )));
                    }
                },
                _ => crate::sql::bind_value(&value),
            };
            Ok((name, v))
        })
        .collect()
}

pub fn bind(q: &SavedQuery, given: &[(String, String)]) -> Result<Vec<(String, String)>> {
    for (k, _) in given {
        if !q.params.iter().any(|p| &p.name == k) {
            let known: Vec<&str> = q.params.iter().map(|p| p.name.as_str()).collect();
            return Err(Error::Invalid(format!(
                "{}: no parameter {k:?} (it takes: {})",
                q.name,
                known.join(", ")
            )));
        }
    }
    q.params
        .iter()
        .map(|p| {
            let v = given
                .iter()
                .find(|(k, _)| k == &p.name)
                .map(|(_, v)| v.clone())
                .or_else(|| p.default.clone());
            v.map(|v| (p.name.clone(), v)).ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: parameter {} has no default; pass --{} VALUE",
                    q.name, p.name, p.name
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_queries_parse() {
        let qs = all(None).unwrap().queries;
        assert_eq!(qs.len(), 8);
        let q = qs
            .iter()
            .find(|q| q.name == "outlets-covering-entity")
            .unwrap();
        assert_eq!(q.params[0].default.as_deref(), Some("khalifa-haftar"));
        assert!(bind(q, &[("nope".into(), "1".into())]).is_err());
    }

    #[test]
    fn a_file_without_a_header_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.sql"), "SELECT 1;\n").unwrap();
        std::fs::write(dir.path().join("mine.sql"), "-- name: mine\nSELECT 2;\n").unwrap();
        let l = all(Some(dir.path())).unwrap();
        assert_eq!(l.queries.len(), SHIPPED.len() + 1);
        assert_eq!(l.broken.len(), 1);
        assert!(l.broken[0].problem.to_string().contains("broken.sql"));
        assert!(l.get("mine").is_ok());
        let e = l.get("broken").unwrap_err().to_string();
        assert!(e.contains("broken.sql") && e.contains("-- name:"), "{e}");
        assert!(l.get("nothing").is_err());
    }

    /// `run NAME ... --db x.db` means marsad's --db: a parameter of that
    /// name could never be given, so the file is refused, saying why.
    #[test]
    fn a_parameter_named_like_runs_own_option_is_refused() {
        let e = parse("-- name: q\n-- param: db = x\nSELECT :db;\n", "q.sql")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("q.sql") && e.contains("\"db\"") && e.contains("rename"),
            "{e}"
        );
        assert!(parse("-- name: q\n-- param: dbs = x\nSELECT :dbs;\n", "q.sql").is_ok());
    }
}
