//! `DIR/marsad-export.json`: what an export directory holds, per table and
//! partition (its files, and the row count and fingerprint of the rows they
//! hold), so the next run writes only what changed. Written as a temporary
//! file and renamed, after each table: a killed run leaves the last
//! complete state, and files no manifest lists are a killed run's, removed
//! by the next.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The manifest's file name in DIR.
pub const MANIFEST: &str = "marsad-export.json";

/// The layout version: a directory written by another is exported anew.
pub const FORMAT: &str = "marsad-parquet-1";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    /// The content hash of the archive's first article: which archive this
    /// directory is an export of.
    pub archive: Option<String>,
    /// Bumped by every run; part files are named by it.
    pub generation: u64,
    pub exported_at: String,
    pub tables: BTreeMap<String, TableState>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TableState {
    /// The largest key exported (see `Table::key`).
    pub max_key: Option<i64>,
    /// By partition value (`2018-03`, `undated`; `` for whole tables).
    pub partitions: BTreeMap<String, PartitionState>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PartitionState {
    pub rows: u64,
    /// The sum of the rows' fingerprints, in hex.
    pub fingerprint: String,
    /// Part files, relative to DIR.
    pub files: Vec<String>,
}

impl Manifest {
    /// The manifest in `dir`, if any.
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::Invalid(format!(
                    "{}: not a marsad export manifest ({e}); export into another directory",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Write it to `dir` atomically (a temporary file, synced, renamed).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(MANIFEST);
        let tmp = dir.join(format!("{MANIFEST}.tmp"));
        let json = serde_json::to_vec_pretty(self).expect("a manifest serialises");
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            // The rename itself, durable.
            std::fs::File::open(dir)?.sync_all()
        };
        write().map_err(|e| Error::io(&path, e))
    }

    /// Every file the manifest lists, relative to DIR.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.tables
            .values()
            .flat_map(|t| t.partitions.values())
            .flat_map(|p| p.files.iter())
    }
}

/// Files under `dir/table` (recursively) that the manifest does not list:
/// what a killed run left (`*.tmp`, or parts written after the last manifest).
pub fn strays(dir: &Path, tables: &[&str], m: &Manifest) -> Result<Vec<PathBuf>> {
    let listed: std::collections::HashSet<PathBuf> = m.files().map(|f| dir.join(f)).collect();
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = tables.iter().map(|t| dir.join(t)).collect();
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(&d, e)),
        };
        for e in entries {
            let e = e.map_err(|e| Error::io(&d, e))?;
            let p = e.path();
            let ty = e.file_type().map_err(|e| Error::io(&p, e))?;
            if ty.is_dir() {
                stack.push(p);
            } else if !listed.contains(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
