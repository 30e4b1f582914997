//! `marsad export --format parquet DIR`: the archive as a directory of
//! Parquet files with Hive-style month partitions, written incrementally.
//!
//! Each run reads the archive in one read transaction (one snapshot) and,
//! table by table ([`TABLES`]):
//! 1. reads every row's partition, key and fingerprint values (no article
//!    text: index-only for articles) and sums, per partition, the rows'
//!    hashes: those at or below the last run's largest key (old rows) and
//!    all of them;
//! 2. for a partition whose old rows hash as the manifest recorded, appends
//!    the new rows (key above the last run's) as one new part file; for one
//!    whose old rows changed (a `reextract`, an entity merge, a rebuilt
//!    story), writes all its rows as one new file and removes the old ones;
//!    a partition with no rows left loses its files;
//! 3. writes the manifest.
//!
//! A killed run leaves complete files only (each is written as `*.tmp` and
//! renamed) and the manifest of the last table done; the next run removes
//! the files no manifest lists and carries on from there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{Connection, types::ValueRef};

use super::fingerprint::Fnv;
use super::manifest::{FORMAT, Manifest, PartitionState, TableState, strays};
use super::parquet::{PartWriter, Value};
use super::tables::{Layout, TABLES, Table, Type, month_bounds, partition_filter};
use crate::error::{Error, Result};

/// What one table's export did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TableReport {
    pub table: String,
    /// Rows in the dataset after this run.
    pub rows: u64,
    /// Rows written by this run (new, or of rewritten partitions).
    pub rows_written: u64,
    pub files_written: u64,
    pub bytes_written: u64,
    /// Partitions rewritten because old rows changed.
    pub partitions_rewritten: u64,
    pub files_removed: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub dir: PathBuf,
    pub generation: u64,
    pub tables: Vec<TableReport>,
    /// Files a killed run had left, removed first.
    pub strays_removed: u64,
    pub seconds: f64,
    /// Bytes of the whole dataset after this run.
    pub dataset_bytes: u64,
    /// Why the run could not be recorded in the archive (`meta`), if it
    /// could not: the export itself is complete either way.
    pub not_recorded: Option<String>,
}

/// Export the archive at `db` into `dir` (see the module's documentation),
/// then record the run in the archive's `meta` (key `last_export`) in one
/// short write of its own: the export reads through a read-only connection,
/// and the manifest in `dir`, not this record, is what the next run goes by.
pub fn export_archive(db: &Path, dir: &Path, progress: impl FnMut(&TableReport)) -> Result<Report> {
    let mut report = {
        let store = crate::archive::open_to_read(db)?;
        export(&store.conn, dir, progress)?
    };
    let dir_abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let record = serde_json::json!({
        "dir": dir_abs,
        "at": crate::store::now(),
        "generation": report.generation,
        "rows": report.tables.iter().map(|t| (t.table.clone(), t.rows)).collect::<BTreeMap<_, _>>(),
        "bytes": report.dataset_bytes,
    });
    let recorded = crate::archive::open_to_edit(db).and_then(|store| {
        crate::store::meta::set(
            &store.conn,
            crate::store::meta::Meta::LastExport,
            &record.to_string(),
        )
    });
    if let Err(e) = recorded {
        report.not_recorded = Some(e.to_string());
    }
    Ok(report)
}

/// Export the archive read through `conn` (read-only) into `dir`.
/// `progress` is told each table's report as it is done.
pub fn export(
    conn: &Connection,
    dir: &Path,
    mut progress: impl FnMut(&TableReport),
) -> Result<Report> {
    let started = Instant::now();
    if dir.as_os_str().is_empty() {
        return Err(Error::Input(
            "the export directory's name is empty: name one, e.g. `export --format parquet DIR`"
                .into(),
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Input(format!(
            "{}: not a directory; name a new or empty directory, or an earlier export's",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    // Refused before the lock file is made: a foreign directory is left
    // exactly as it was.
    if Manifest::read(dir)?.is_none() {
        super::dir::refuse_foreign(dir, &names)?;
    }
    let _lock = super::dir::lock(dir)?;
    let mut manifest = Manifest::read(dir)?.unwrap_or_default();
    // One snapshot for the whole run: every table agrees with every other.
    conn.execute_batch("BEGIN")?;
    let result = (|| {
        let archive: Option<String> = conn
            .query_row(
                "SELECT content_sha256 FROM articles ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        if manifest.format != FORMAT {
            manifest = Manifest::default();
        } else if manifest.archive.is_some() && manifest.archive != archive {
            return Err(Error::Invalid(format!(
                "{}: holds the export of another archive (its first article differs); \
                 export into an empty directory",
                dir.display()
            )));
        }
        let mut report = Report {
            dir: dir.to_path_buf(),
            ..Report::default()
        };
        for p in strays(dir, &names, &manifest)? {
            let name = p.to_string_lossy();
            if name.ends_with(".parquet") || name.ends_with(".parquet.tmp") {
                std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
                report.strays_removed += 1;
            }
        }
        manifest.format = FORMAT.to_string();
        manifest.archive = archive;
        manifest.generation += 1;
        report.generation = manifest.generation;
        // A table new to this directory starts as one empty file, listed
        // before any data is written: once a manifest exists, every table
        // reads, even after a kill in the middle of the first run.
        let mut placed = false;
        let new: Vec<&Table> = (TABLES.iter())
            .filter(|t| !manifest.tables.contains_key(t.name))
            .collect();
        for t in new {
            let month = placeholder(t.layout);
            let rel =
                part_path(t, month, manifest.generation).replace(".parquet", "-empty.parquet");
            PartWriter::create(&dir.join(&rel), t.name, t.columns)?.finish()?;
            let partition = PartitionState {
                rows: 0,
                fingerprint: format!("{:016x}", 0),
                files: vec![rel],
            };
            let state = TableState {
                max_key: None,
                partitions: [(month.to_string(), partition)].into(),
            };
            manifest.tables.insert(t.name.to_string(), state);
            placed = true;
        }
        if placed {
            manifest.write(dir)?;
        }
        for t in TABLES {
            let state = manifest.tables.remove(t.name).unwrap_or_default();
            let t0 = Instant::now();
            let (state, mut r, retired) = export_table(conn, dir, t, state, manifest.generation)?;
            r.seconds = t0.elapsed().as_secs_f64();
            manifest.tables.insert(t.name.to_string(), state);
            manifest.exported_at = crate::store::now();
            manifest.write(dir)?;
            // Only now that no manifest lists them: a reader that follows
            // the manifest never meets a missing file, and a kill before
            // this leaves strays that the next run removes.
            remove(dir, &retired)?;
            progress(&r);
            report.tables.push(r);
        }
        report.dataset_bytes = manifest
            .files()
            .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
            .map(|m| m.len())
            .sum();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    })();
    let _ = conn.execute_batch("COMMIT");
    result
}

/// Per partition: rows and hash sums of the old rows and of all rows, and
/// how many rows are new.
#[derive(Default)]
struct Tally {
    old_rows: u64,
    old_sum: u64,
    rows: u64,
    sum: u64,
    new_rows: u64,
}

fn export_table(
    conn: &Connection,
    dir: &Path,
    t: &Table,
    old: TableState,
    generation: u64,
) -> Result<(TableState, TableReport, Vec<String>)> {
    let max_key: Option<i64> = conn.query_row(t.max_key, [], |r| r.get(0))?;
    let old_max = old.max_key;
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    {
        let mut st = conn.prepare(&t.fingerprint_sql())?;
        let n = st.column_count();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let month: String = r.get(0)?;
            let key: i64 = r.get(1)?;
            let mut h = Fnv::new();
            for i in 2..n {
                h.value(r.get_ref(i)?);
            }
            let h = h.finish();
            let tally = tallies.entry(month).or_default();
            tally.rows += 1;
            tally.sum = tally.sum.wrapping_add(h);
            if old_max.is_some_and(|m| key <= m) {
                tally.old_rows += 1;
                tally.old_sum = tally.old_sum.wrapping_add(h);
            } else {
                tally.new_rows += 1;
            }
        }
    }
    // An empty table is one empty file, so that engines still find its
    // columns (DuckDB and Spark fail on a path with no files).
    if tallies.is_empty() {
        tallies.insert(placeholder(t.layout).to_string(), Tally::default());
    }
    // Files this run replaces, removed by the caller once the manifest no
    // longer lists them.
    let mut retired: Vec<String> = Vec::new();
    let mut report = TableReport {
        table: t.name.to_string(),
        ..TableReport::default()
    };
    let mut state = TableState {
        max_key,
        partitions: BTreeMap::new(),
    };
    let months: BTreeSet<String> = tallies
        .keys()
        .chain(old.partitions.keys())
        .cloned()
        .collect();
    for month in months {
        let prev = old.partitions.get(&month);
        let Some(tally) = tallies.get(&month) else {
            // No rows left in this partition.
            let gone = prev.map_or(&[][..], |p| &p.files);
            report.files_removed += gone.len() as u64;
            retired.extend_from_slice(gone);
            continue;
        };
        let unchanged = prev.is_some_and(|p| {
            p.rows == tally.old_rows && p.fingerprint == format!("{:016x}", tally.old_sum)
        });
        let mut files = if unchanged {
            prev.map(|p| p.files.clone()).unwrap_or_default()
        } else {
            Vec::new()
        };
        let write_from = if unchanged { old_max } else { None };
        if !unchanged || tally.new_rows > 0 {
            let rel = part_path(t, &month, generation);
            let (rows, bytes) = write_part(conn, t, &month, write_from, max_key, &dir.join(&rel))?;
            if rows > 0 {
                // The empty file of a table new to the directory is no
                // longer needed once the partition holds rows.
                let (empty, kept): (Vec<String>, Vec<String>) = files
                    .into_iter()
                    .partition(|f| f.ends_with("-empty.parquet"));
                files = kept;
                retired.extend(empty);
            }
            if rows > 0 || tally.rows == 0 {
                files.push(rel);
                report.files_written += 1;
                report.rows_written += rows;
                report.bytes_written += bytes;
            } else {
                let _ = std::fs::remove_file(dir.join(part_path(t, &month, generation)));
            }
            if !unchanged && prev.is_some() {
                report.partitions_rewritten += 1;
                let gone = &prev.unwrap().files;
                report.files_removed += gone.len() as u64;
                retired.extend_from_slice(gone);
            }
        }
        report.rows += tally.rows;
        state.partitions.insert(
            month,
            PartitionState {
                rows: tally.rows,
                fingerprint: format!("{:016x}", tally.sum),
                files,
            },
        );
    }
    Ok((state, report, retired))
}

/// The partition an empty table's one empty file is in.
fn placeholder(layout: Layout) -> &'static str {
    match layout {
        Layout::ByMonth => super::tables::UNDATED,
        Layout::Whole => "",
    }
}

/// The part file of `generation` for a partition, relative to DIR.
fn part_path(t: &Table, month: &str, generation: u64) -> String {
    match t.layout {
        Layout::ByMonth => format!("{}/month={month}/part-{generation:06}.parquet", t.name),
        Layout::Whole => format!("{}/part-{generation:06}.parquet", t.name),
    }
}

fn remove(dir: &Path, files: &[String]) -> Result<u64> {
    for f in files {
        let p = dir.join(f);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(p, e)),
        }
    }
    Ok(files.len() as u64)
}

/// Write the rows of one partition with key in (from, to] to `path`.
fn write_part(
    conn: &Connection,
    t: &Table,
    month: &str,
    from: Option<i64>,
    to: Option<i64>,
    path: &Path,
) -> Result<(u64, u64)> {
    let sql = t.rows_sql(partition_filter(t.layout, month));
    let mut st = conn.prepare(&sql)?;
    let (lo, hi) = match t.layout {
        Layout::ByMonth if month != super::tables::UNDATED => month_bounds(month),
        _ => (String::new(), String::new()),
    };
    let mut rows = st.query(rusqlite::params![
        from.unwrap_or(i64::MIN),
        to.unwrap_or(i64::MIN),
        lo,
        hi
    ])?;
    let mut w = PartWriter::create(path, t.name, t.columns)?;
    // Analysing text is most of an article's cost: rows go through in
    // batches whose `Terms` columns are analysed on all cores.
    let analysed: Vec<usize> = (t.columns.iter().enumerate())
        .filter(|(_, c)| c.ty == Type::Terms)
        .map(|(i, _)| i)
        .collect();
    let mut batch: Vec<Vec<Value>> = Vec::new();
    let flush = |batch: &mut Vec<Vec<Value>>, w: &mut PartWriter| -> Result<()> {
        use rayon::prelude::*;
        batch.par_iter_mut().for_each(|row| {
            for &i in &analysed {
                if let Value::Text(text) = &row[i] {
                    row[i] = Value::List(terms(text));
                }
            }
        });
        for row in batch.drain(..) {
            w.push(row)?;
        }
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(t.columns.len());
        for (i, c) in t.columns.iter().enumerate() {
            row.push(value(c.ty, r.get_ref(i)?)?);
        }
        batch.push(row);
        if batch.len() >= 256 {
            flush(&mut batch, &mut w)?;
        }
    }
    flush(&mut batch, &mut w)?;
    w.finish()
}

/// A column's value from SQLite.
fn value(ty: Type, v: ValueRef) -> Result<Value> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok(match (ty, v) {
        (_, ValueRef::Null) if matches!(ty, Type::List | Type::Terms) => Value::List(Vec::new()),
        (_, ValueRef::Null) => Value::Null,
        // Analysed later, in parallel (see `write_part`).
        (Type::Terms, ValueRef::Text(b)) => Value::Text(text(b)),
        (Type::List, ValueRef::Text(b)) => Value::List(
            serde_json::from_slice::<Vec<String>>(b)
                .map_err(|e| Error::Input(format!("a list column is not a JSON array: {e}")))?,
        ),
        (_, ValueRef::Integer(i)) => Value::Int(i),
        (_, ValueRef::Real(x)) => Value::Real(x),
        (Type::Int, ValueRef::Text(b)) => text(b).trim().parse().map_or(Value::Null, Value::Int),
        (Type::Real, ValueRef::Text(b)) => text(b).trim().parse().map_or(Value::Null, Value::Real),
        (_, ValueRef::Text(b)) => Value::Text(text(b)),
        (_, ValueRef::Blob(b)) => Value::Text(b.iter().map(|x| format!("{x:02x}")).collect()),
    })
}

/// The distinct index terms of a text, sorted: the terms `articles_fts`
/// holds for it, as SQLite's tokenizer folds them (ASCII case).
pub fn terms(text: &str) -> Vec<String> {
    let indexed = crate::text::index_terms(text);
    let set: BTreeSet<String> = indexed
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_lowercase())
        .collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_the_index_terms_distinct_and_sorted() {
        let t = terms("وزير الدفاع\nوزير Reuters");
        let mut want: Vec<String> = crate::text::index_terms("وزير الدفاع وزير Reuters")
            .split(' ')
            .map(|s| s.to_lowercase())
            .collect();
        want.sort();
        want.dedup();
        assert_eq!(t, want);
        assert_eq!(t.len(), 3);
    }
}
