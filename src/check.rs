//! `marsad check`: everything that can be verified about an archive without
//! its inputs. SQLite's own integrity check, FTS5's, the index against the
//! articles it was built from (one term per token), and every article's
//! content hash.

use std::path::Path;

use rusqlite::Connection;

use crate::error::Result;
use crate::store::RunStatus;
use crate::{identity, text};

/// What `marsad check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// One line each; empty for a sound archive.
    pub problems: Vec<String>,
    /// SQLite's own integrity check failed: the file itself is damaged, and
    /// the other checks were not run (they would only fail to read it).
    pub damaged: bool,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What to do about a damaged archive file at `path`.
pub fn damaged_advice(path: &std::path::Path) -> String {
    let p = path.display();
    format!(
        "{p}: the archive file is damaged. Restore it from a `marsad backup` (copy the backup over \
         it), or salvage what is still readable with sqlite3: `sqlite3 {p} .recover | sqlite3 \
         salvaged.db`, then `marsad --db salvaged.db check`"
    )
}

/// Lines of `PRAGMA integrity_check` shown; the rest are counted.
const INTEGRITY_LINES: usize = 20;

/// `PRAGMA integrity_check`'s findings (pages, cells, tables at fault),
/// at most [`INTEGRITY_LINES`] and a count of the rest; empty when sound.
/// When damage stops the check itself, each table is checked on its own,
/// so the report still says where the damage is.
pub fn integrity(conn: &Connection) -> Vec<String> {
    integrity_with(conn, Depth::Full, &mut |_, _, _| {})
}

/// Which of SQLite's checks [`integrity_with`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// `PRAGMA integrity_check`: every page of the file, each index against
    /// its table, and FTS5's own check of each full-text index.
    Full,
    /// `PRAGMA quick_check` of each table that has pages (the full-text
    /// indexes' shadow tables included), not of the full-text indexes as
    /// such: FTS5's check of them rereads every term, and took 12 of the 20
    /// seconds of a whole-file quick_check at 300k articles. The freelist is
    /// not walked either. Both stay in the full check.
    Quick,
}

impl Depth {
    fn pragma(self) -> &'static str {
        match self {
            Depth::Full => "integrity_check",
            Depth::Quick => "quick_check",
        }
    }
}

/// The lines `sql` returns (a PRAGMA's findings), and the error that
/// stopped it: rows read before an error are kept, as they name the pages.
fn pragma_lines(conn: &Connection, sql: &str) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let run = (|| -> rusqlite::Result<()> {
        let mut st = conn.prepare(sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let line: String = r.get(0)?;
            out.extend(line.lines().map(str::to_string));
        }
        Ok(())
    })();
    (out, run.err().map(|e| e.to_string()))
}

/// `PRAGMA {pragma}(T)` of each table T that has pages, its findings
/// prefixed with the table's name. With `parallel`, tables are shared out
/// among read-only connections to the same file, one per core (up to 4);
/// where none can be opened, `conn` checks them all.
fn check_tables(
    conn: &Connection,
    pragma: &'static str,
    progress: Progress,
    parallel: bool,
) -> Vec<String> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY name",
        )
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    let total = tables.len() as u64;
    let helpers: Vec<Connection> = match conn.path().filter(|p| parallel && !p.is_empty()) {
        Some(path) => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            (1..cores)
                .filter_map(|_| crate::store::another_reader(Path::new(path)).ok())
                .collect()
        }
        None => Vec::new(),
    };
    let queue = Mutex::new(
        tables
            .into_iter()
            .collect::<std::collections::VecDeque<_>>(),
    );
    let found = Mutex::new(Vec::<(String, Vec<String>)>::new());
    let done = AtomicU64::new(0);
    let work = |c: &Connection, mut tell: Option<&mut dyn FnMut(u64)>| loop {
        let Some(t) = queue.lock().expect("not poisoned").pop_front() else {
            break;
        };
        let (rows, failed) = pragma_lines(
            c,
            &format!("PRAGMA {pragma}(\"{}\")", t.replace('"', "\"\"")),
        );
        let mut lines: Vec<String> = rows
            .into_iter()
            // Not "ok", nor the header SQLite puts before a table's findings.
            .filter(|l| l != "ok" && !l.starts_with("*** in database"))
            .map(|l| format!("table {t}: {l}"))
            .collect();
        if let Some(e) = failed {
            lines.push(format!("table {t} (or one of its indexes): {e}"));
        }
        found.lock().expect("not poisoned").push((t, lines));
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(tell) = tell.as_mut() {
            tell(n);
        }
    };
    let work = &work;
    std::thread::scope(|s| {
        for h in helpers {
            s.spawn(move || work(&h, None));
        }
        work(conn, Some(&mut |n| progress(pragma, n, total)));
    });
    let mut found = found.into_inner().expect("not poisoned");
    found.sort();
    found.into_iter().flat_map(|(_, lines)| lines).collect()
}

/// [`integrity`] at depth `depth`, telling `progress` of each table when
/// checking table by table.
fn integrity_with(conn: &Connection, depth: Depth, progress: Progress) -> Vec<String> {
    let pragma = depth.pragma();
    let mut found = Vec::new();
    match depth {
        Depth::Quick => found = check_tables(conn, pragma, progress, true),
        Depth::Full => {
            let (rows, failed) = pragma_lines(conn, &format!("PRAGMA {pragma}"));
            found.extend(rows.into_iter().filter(|l| l != "ok"));
            // Damage stopped it: each table on its own says where.
            if let Some(e) = failed {
                found.push(format!("{pragma} stopped: {e}"));
                found.extend(check_tables(conn, pragma, progress, false));
            }
        }
    }
    // "Tree 30 page 30 …" names a b-tree by its root page: say whose it is.
    let roots: std::collections::HashMap<i64, String> = conn
        .prepare("SELECT rootpage, type || ' ' || name FROM sqlite_master WHERE rootpage > 0")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .unwrap_or_default();
    for l in &mut found {
        let root = l
            .split_once("Tree ")
            .and_then(|(_, r)| r.split(' ').next())
            .and_then(|n| n.parse::<i64>().ok());
        if let Some(name) = root.and_then(|n| roots.get(&n)) {
            l.push_str(&format!(" ({name})"));
        }
    }
    let total = found.len();
    let mut shown: Vec<String> = found
        .into_iter()
        .take(INTEGRITY_LINES)
        .map(|l| format!("{pragma}: {l}"))
        .collect();
    if total > INTEGRITY_LINES {
        shown.push(format!(
            "{pragma}: … and {} more lines (`sqlite3 ARCHIVE 'PRAGMA {pragma}'` lists them all)",
            total - INTEGRITY_LINES
        ));
    }
    shown
}

/// What a check is doing, for a progress bar: its step, and how far it
/// is (done of total) in that step.
pub type Progress<'a> = &'a mut dyn FnMut(&'static str, u64, u64);

/// Run every check of a copy (a backup): a run it records as running is
/// not judged, as the copy has no ingest of its own to ask.
pub fn run(conn: &Connection) -> Result<Report> {
    run_with(conn, None, false, &mut |_, _, _| {})
}

/// Run every check, or with `quick` the ones for a nightly cron that take
/// seconds: SQLite's `quick_check` of pages and indexes, the summaries'
/// totals against what they count, and the last ingest's status (`archive`:
/// the file whose ingest lock says whether a run recorded as running still
/// is). All in one read transaction: an ingest committing meanwhile would
/// otherwise make the summaries and what they count disagree between two
/// reads, a difference that is not in the archive.
pub fn run_with(
    conn: &Connection,
    archive: Option<&Path>,
    quick: bool,
    progress: Progress,
) -> Result<Report> {
    conn.execute_batch("BEGIN")?;
    let report = checks(conn, archive, quick, progress);
    // Only read: nothing to keep or undo.
    let _ = conn.execute_batch("COMMIT");
    report
}

fn checks(
    conn: &Connection,
    archive: Option<&Path>,
    quick: bool,
    progress: Progress,
) -> Result<Report> {
    let depth = if quick { Depth::Quick } else { Depth::Full };
    progress(depth.pragma(), 0, 0);
    let damage = integrity_with(conn, depth, progress);
    if !damage.is_empty() {
        return Ok(Report {
            problems: damage,
            damaged: true,
        });
    }
    if quick {
        let mut problems = crate::entities::summary::verify_totals(conn)?;
        problems.extend(last_run(conn, archive)?);
        return Ok(Report {
            problems,
            damaged: false,
        });
    }
    let mut problems = Vec::new();
    if let Err(e) = conn.execute("PRAGMA foreign_key_check", []) {
        problems.push(format!("foreign_key_check: {e}"));
    }
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if fk > 0 {
        problems.push(format!(
            "foreign_key_check: {fk} rows point at missing parents"
        ));
    }

    // FTS5's own integrity-check is an INSERT, which a read-only connection
    // cannot run; `PRAGMA integrity_check` above runs the same check on every
    // FTS5 table (SQLite 3.44 and later, which marsad bundles).

    // The article index keeps no copy of what it indexed (migration V10), so
    // what can be checked is that every article, and nothing else, is in it
    // with one term per token of its title and body: the token counts FTS5
    // keeps in articles_fts_docsize. A missing, orphaned or stale row (built
    // by an analyser that cut the text otherwise) shows there.
    let mut st = conn.prepare(
        "SELECT a.id, a.title, a.body, a.content_sha256, d.sz
         FROM articles a LEFT JOIN articles_fts_docsize d ON d.id = a.id ORDER BY a.id",
    )?;
    let total: i64 = conn.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
    let mut done = 0u64;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        done += 1;
        if done % 1024 == 0 {
            progress("articles", done, total as u64);
        }
        let id: i64 = r.get(0)?;
        let title: String = r.get(1)?;
        let body: String = r.get(2)?;
        let sha: String = r.get(3)?;
        if identity::content_sha256(&title, &body) != sha {
            problems.push(format!(
                "article {id}: content hash does not match its title and body"
            ));
        }
        match r.get::<_, Option<Vec<u8>>>(4)? {
            Some(sz) => {
                let expected = [text::token_count(&title), text::token_count(&body)];
                if column_sizes(&sz) != expected {
                    problems.push(format!(
                        "article {id}: full-text index is stale (run `marsad reindex`)"
                    ));
                }
            }
            None => problems.push(format!(
                "article {id}: missing from the full-text index (run `marsad reindex`)"
            )),
        }
    }
    let orphans: i64 = conn.query_row(
        "SELECT count(*) FROM articles_fts_docsize WHERE id NOT IN (SELECT id FROM articles)",
        [],
        |r| r.get(0),
    )?;
    if orphans > 0 {
        problems.push(format!(
            "articles_fts: {orphans} rows for articles that do not exist (run `marsad reindex`)"
        ));
    }
    // Every mention's offsets slice its field to its surface form.
    let bad: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT m.id, m.article_id FROM mentions m JOIN articles a ON a.id = m.article_id
             WHERE substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start + 1, m.end - m.start) != m.surface
             LIMIT 20",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (m, a) in bad {
        problems.push(format!("mention {m} in article {a}: offsets do not slice to its surface form (run `marsad reextract`)"));
    }
    // The sentence and entity indexes cover exactly their source rows.
    for (fts, source) in [
        ("sentences_fts", "sentences"),
        (
            "entities_fts",
            "(SELECT rowid FROM entities WHERE status != 'rejected')",
        ),
    ] {
        let q = format!(
            "SELECT (SELECT count(*) FROM {fts} WHERE rowid NOT IN (SELECT rowid FROM {source}))
                  + (SELECT count(*) FROM {source} WHERE rowid NOT IN (SELECT rowid FROM {fts}))"
        );
        let off: i64 = conn.query_row(&q, [], |r| r.get(0))?;
        if off > 0 {
            problems.push(format!(
                "{fts}: {off} rows out of step with their source (run `marsad reextract`)"
            ));
        }
    }
    let dangling: i64 = conn.query_row(
        "SELECT count(*) FROM mentions WHERE entity_id NOT IN (SELECT id FROM entities)",
        [],
        |r| r.get(0),
    )?;
    if dangling > 0 {
        problems.push(format!("{dangling} mentions point at missing entities"));
    }
    let unsighted: i64 = conn.query_row(
        "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM sightings)",
        [],
        |r| r.get(0),
    )?;
    if unsighted > 0 {
        problems.push(format!(
            "{unsighted} articles have no sighting (provenance lost)"
        ));
    }
    problems.extend(crate::entities::summary::verify(conn, &mut |d, n| {
        progress("summaries", d, n)
    })?);
    Ok(Report {
        problems,
        damaged: false,
    })
}

/// The latest ingest run, if it did not finish well (failed, or
/// interrupted: killed before it could say).
fn last_run(conn: &Connection, archive: Option<&Path>) -> Result<Vec<String>> {
    use rusqlite::OptionalExtension;
    let last: Option<(i64, String, RunStatus)> = conn
        .query_row(
            "SELECT id, started_at, status FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match last {
        Some((id, started, status)) => {
            let status = archive.map_or(status, |a| status.settled(a));
            match status {
                RunStatus::Failed | RunStatus::Interrupted => vec![format!(
                    "run {id} (started {started}) is {}: `marsad info` lists what it committed; ingest the same inputs again to resume",
                    status.as_str()
                )],
                _ => Vec::new(),
            }
        }
        None => Vec::new(),
    })
}

/// The per-column token counts of an FTS5 `_docsize` row: SQLite varints.
fn column_sizes(mut blob: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    while !blob.is_empty() {
        let mut v: usize = 0;
        let mut used = 0;
        for (i, &b) in blob.iter().enumerate().take(9) {
            used = i + 1;
            if i == 8 {
                v = (v << 8) | b as usize;
                break;
            }
            v = (v << 7) | (b & 0x7f) as usize;
            if b & 0x80 == 0 {
                break;
            }
        }
        out.push(v);
        blob = &blob[used..];
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn docsize_varints() {
        assert_eq!(super::column_sizes(&[0x03, 0x81, 0x00]), vec![3, 128]);
        assert_eq!(super::column_sizes(&[]), Vec::<usize>::new());
    }
}
