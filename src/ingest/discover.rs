//! Turning the paths given on the command line into a sorted list of input
//! files: folders recursively, hidden entries skipped, symlink loops and
//! unreadable entries reported rather than followed forever.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Format, InputError};

/// One input: a file, or standard input (`path: None`).
#[derive(Debug, Clone)]
pub struct Input {
    pub path: Option<PathBuf>,
    /// The name recorded in the archive: the file's absolute path, or `-`.
    pub display: String,
    pub size: u64,
}

/// List the inputs under `paths`. Files named explicitly are always read;
/// in folders, only files with an extension marsad reads (the third value
/// counts the others).
pub fn list(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>, u64) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = 0;
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input {
                path: None,
                display: "-".into(),
                size: 0,
            });
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut seen = HashSet::new();
                walk(p, &mut seen, &mut out, &mut errors, &mut skipped);
            }
            Ok(m) => match super::read::refusal(&m.file_type()) {
                None => out.push(file_input(p, m.len())),
                Some(why) => errors.push(InputError {
                    input: p.display().to_string(),
                    line: None,
                    message: why.into(),
                }),
            },
            Err(e) => errors.push(InputError {
                input: p.display().to_string(),
                line: None,
                message: describe(&e),
            }),
        }
    }
    // A file reached twice (named twice, or through two links) is read once.
    let mut names = HashSet::new();
    out.retain(|i| i.path.is_none() || names.insert(i.display.clone()));
    (out, errors, skipped)
}

fn file_input(p: &Path, size: u64) -> Input {
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    Input {
        display: abs.display().to_string(),
        path: Some(abs),
        size,
    }
}

fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        _ if e.raw_os_error() == Some(40) => "symbolic link loop (too many levels of links)".into(),
        _ => format!("cannot read: {e}"),
    }
}

fn walk(
    dir: &Path,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<Input>,
    errors: &mut Vec<InputError>,
    skipped: &mut u64,
) {
    let canon = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            errors.push(InputError {
                input: dir.display().to_string(),
                line: None,
                message: describe(&e),
            });
            return;
        }
    };
    if !seen.insert(canon.clone()) {
        errors.push(InputError {
            input: dir.display().to_string(),
            line: None,
            message: format!(
                "symbolic link loop: leads back to {}; not followed",
                canon.display()
            ),
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            errors.push(InputError {
                input: dir.display().to_string(),
                line: None,
                message: describe(&e),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for p in paths {
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, seen, out, errors, skipped),
            Ok(m) if m.is_file() => {
                if Format::from_name(&p.to_string_lossy()).is_some() {
                    out.push(file_input(&p, m.len()));
                } else {
                    *skipped += 1;
                }
            }
            // FIFOs, devices and sockets in a folder are not news files.
            Ok(_) => *skipped += 1,
            Err(e) => errors.push(InputError {
                input: p.display().to_string(),
                line: None,
                message: describe(&e),
            }),
        }
    }
    seen.remove(&canon);
}
