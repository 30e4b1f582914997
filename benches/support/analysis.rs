//! The analysis table of `make bench` and `make bench-1m`: every view example
//! the manual and the README document, run by stock sqlite3, and every
//! analysis command and saved query, run by marsad. Each is a whole process,
//! timed after one warm-up run (warm page cache), median of `runs`.
//!
//! The view examples are read from docs/manual.md's table of views and the
//! README's `FROM v_…` lines, so that a newly documented example is measured
//! without touching this file.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// (label, wall time or "failed: …") for every measured statement and command.
pub fn table(db: &Path, marsad: &Path, runs: usize) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let sqlite3 = Path::new("/usr/bin/sqlite3");
    if sqlite3.exists() {
        for (view, sql) in documented_view_examples() {
            let mut cmd = Command::new(sqlite3);
            cmd.arg("-readonly").arg(db).arg(&sql);
            rows.push((format!("sqlite3 3.40: `{view}` example"), time(cmd, runs)));
        }
    } else {
        rows.push((
            "sqlite3 3.40: view examples".into(),
            "skipped: /usr/bin/sqlite3 not installed".into(),
        ));
    }
    for args in commands(db, marsad) {
        let mut cmd = Command::new(marsad);
        cmd.arg("--db").arg(db).args(&args);
        rows.push((format!("`marsad {}`", args.join(" ")), time(cmd, runs)));
    }
    // The full check reads every page: once is enough to see its scale.
    for args in [&["check", "--quick"][..], &["check"][..]] {
        let mut cmd = Command::new(marsad);
        cmd.arg("--db").arg(db).args(args);
        let n = if args.len() == 1 { 1 } else { runs };
        rows.push((format!("`marsad {}`", args.join(" ")), time(cmd, n)));
    }
    rows
}

/// Median wall time of `runs` runs after a warm-up one, or why it failed.
/// A single run has no warm-up: it is the full check, which reads every
/// page and takes minutes at 1M articles.
fn time(mut cmd: Command, runs: usize) -> String {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let warm_up = usize::from(runs > 1);
    let mut ms = Vec::new();
    for i in 0..runs + warm_up {
        let t = Instant::now();
        let out = match cmd.output() {
            Ok(out) => out,
            Err(e) => return format!("failed: {e}"),
        };
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return format!("failed: {}", err.lines().next().unwrap_or("").trim());
        }
        if i >= warm_up {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = ms[ms.len() / 2];
    if m >= 10_000.0 {
        format!("{:.1} s", m / 1000.0)
    } else {
        format!("{m:.0} ms")
    }
}

/// (view, SQL) of each example in docs/manual.md's table of views, then the
/// README's `marsad sql`/`sqlite3` examples that read a view.
pub fn documented_view_examples() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manual = std::fs::read_to_string(root.join("docs/manual.md")).unwrap_or_default();
    let mut out: Vec<(String, String)> = manual
        .lines()
        .filter(|l| l.starts_with("| `v_"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let view = cells.first()?.trim_start_matches("| ").trim_matches('`');
            let example = cells
                .last()?
                .trim_end_matches(" |")
                .trim()
                .trim_matches('`');
            example
                .starts_with("SELECT")
                .then(|| (view.to_string(), example.to_string()))
        })
        .collect();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    for l in readme.lines().filter(|l| l.contains("FROM v_")) {
        // The statement is the first single-quoted string on the line.
        let Some(sql) = l.split('\'').nth(1) else {
            continue;
        };
        let view = sql
            .split_whitespace()
            .skip_while(|w| *w != "FROM")
            .nth(1)
            .unwrap_or("")
            .to_string();
        if !out.iter().any(|(_, s)| s == sql) {
            out.push((format!("{view} (README)"), sql.to_string()));
        }
    }
    out
}

/// The analysis commands, then every saved query with its defaults.
fn commands(db: &Path, marsad: &Path) -> Vec<Vec<String>> {
    let fixed: &[&[&str]] = &[
        &["entities", "--limit", "20"],
        &["entities", "--candidates", "--limit", "20"],
        &["entity", "russia"],
        &["entity", "united-states"],
        &["entity", "khalifa-haftar"],
        &["entity", "russia", "--by", "week"],
        &["entity", "russia", "--from", "2018-03", "--to", "2018-06"],
        &["mentions", "russia", "--limit", "20"],
        &["cooccur", "russia", "libya"],
        &["export", "mentions", "--entity", "russia"],
        &["duplicates", "--limit", "20"],
    ];
    let mut out: Vec<Vec<String>> = fixed
        .iter()
        .map(|a| a.iter().map(|s| s.to_string()).collect())
        .collect();
    let listed = Command::new(marsad)
        .arg("--db")
        .arg(db)
        .args(["queries", "--format", "json"])
        .output()
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
    if let Some(list) = listed.as_ref().and_then(|v| v.as_array()) {
        for q in list {
            if let Some(name) = q["name"].as_str() {
                out.push(vec!["run".into(), name.into()]);
            }
        }
    }
    out
}
