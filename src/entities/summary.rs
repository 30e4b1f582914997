//! The archive's summaries of its mentions and articles (migration V18):
//! per entity, per entity and day, per pair of entities and month, per
//! outlet and day. The views and analysis commands read them instead of
//! aggregating every mention.
//!
//! Every writer keeps them exact in the transaction that changes what they
//! summarise: the ingest adds its new articles' contributions
//! ([`add_articles`]), the gazetteer edits that move or drop mentions
//! recompute the entities they touch ([`recompute_entities`]), reextract
//! rebuilds them ([`rebuild`]). `marsad check` recomputes them from the
//! mentions and reports every table that differs ([`verify`]).
//!
//! Each table is described once ([`TABLES`]): its key, the columns summed,
//! and those kept as a minimum or maximum, and the query that summarises a
//! set of articles. Contributions of disjoint sets of articles merge by
//! adding counts and keeping the smaller minimum and larger maximum, as an
//! article is counted in one set only.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::store::meta::{self, Meta};

/// The summaries' scheme: an archive whose `meta.summary_version` differs
/// has them rebuilt by `migrate` or the next ingest.
pub const SUMMARY_VERSION: &str = "1";

/// Articles summarised per statement when rebuilding or checking.
const CHUNK: i64 = 10_000;

/// One summary table: its key, and the columns summed, and kept as a
/// minimum or a maximum, in the order [`Acc`] writes them.
pub struct Table {
    pub name: &'static str,
    keys: &'static [&'static str],
    sums: &'static [&'static str],
    mins: &'static [&'static str],
    maxs: &'static [&'static str],
    /// Columns that hold an entity id (none: the table is not per entity).
    entity_cols: &'static [&'static str],
}

impl Table {
    fn columns(&self) -> Vec<&'static str> {
        [self.keys, self.sums, self.mins, self.maxs].concat()
    }

    /// Add one row to `target`: counts add up, the smaller minimum and the
    /// larger maximum are kept.
    fn upsert_sql(&self, target: &str) -> String {
        let cols = self.columns();
        let mut set: Vec<String> = self
            .sums
            .iter()
            .map(|c| format!("{c} = {c} + excluded.{c}"))
            .collect();
        set.extend(self.mins.iter().map(|c| {
            format!(
                "{c} = CASE WHEN {c} IS NULL OR excluded.{c} < {c} THEN excluded.{c} ELSE {c} END"
            )
        }));
        set.extend(self.maxs.iter().map(|c| {
            format!(
                "{c} = CASE WHEN {c} IS NULL OR excluded.{c} > {c} THEN excluded.{c} ELSE {c} END"
            )
        }));
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        format!(
            "INSERT INTO {target}.{}({}) VALUES ({}) ON CONFLICT({}) DO UPDATE SET {}",
            self.name,
            cols.join(", "),
            params.join(", "),
            self.keys.join(", "),
            set.join(", ")
        )
    }
}

/// Every summary table.
pub const TABLES: &[Table] = &[ENTITY_TOTALS, ENTITY_DAYS, ENTITY_PAIR_MONTHS, OUTLET_DAYS];

const ENTITY_TOTALS: Table = Table {
    name: "entity_totals",
    keys: &["entity_id"],
    sums: &["articles", "mentions"],
    mins: &["first_seen"],
    maxs: &["last_seen"],
    entity_cols: &["entity_id"],
};
const ENTITY_DAYS: Table = Table {
    name: "entity_days",
    keys: &["entity_id", "day", "utc_day"],
    sums: &["articles", "mentions"],
    mins: &["first_seen"],
    maxs: &["last_seen"],
    entity_cols: &["entity_id"],
};
const ENTITY_PAIR_MONTHS: Table = Table {
    name: "entity_pair_months",
    keys: &["entity_a", "entity_b", "month"],
    sums: &["sentences", "articles"],
    mins: &["first_date"],
    maxs: &["last_date"],
    entity_cols: &["entity_a", "entity_b"],
};
const OUTLET_DAYS: Table = Table {
    name: "outlet_days",
    keys: &["outlet_id", "day", "utc_day"],
    sums: &["articles"],
    mins: &[],
    maxs: &[],
    entity_cols: &[],
};

/// Counts with the first and last publication date.
#[derive(Debug, Default)]
struct Counts {
    a: i64,
    b: i64,
    first: Option<String>,
    last: Option<String>,
}

impl Counts {
    fn add(&mut self, a: i64, b: i64, date: &Option<String>) {
        self.a += a;
        self.b += b;
        if let Some(d) = date {
            if self.first.as_ref().is_none_or(|f| d < f) {
                self.first = Some(d.clone());
            }
            if self.last.as_ref().is_none_or(|l| d > l) {
                self.last = Some(d.clone());
            }
        }
    }
}

type Key3 = (String, String, String);

/// The summaries of a set of articles, gathered in memory, then added to
/// the tables.
#[derive(Default)]
struct Acc {
    totals: HashMap<String, Counts>,
    days: HashMap<Key3, Counts>,
    pairs: HashMap<Key3, Counts>,
    outlets: HashMap<(i64, String, String), i64>,
}

/// One article's mentions: per entity, its mentions and the sentences
/// (field, index) it is named in.
#[derive(Default)]
struct Article {
    id: i64,
    date: Option<String>,
    day: String,
    utc_day: String,
    entities: BTreeMap<String, (i64, Vec<(String, i64)>)>,
}

impl Acc {
    /// Summarise the articles `a` that `w` keeps (SQL over `articles a`).
    fn gather(
        &mut self,
        conn: &Connection,
        w: &str,
        args: &[&dyn rusqlite::ToSql],
        entities: bool,
    ) -> Result<()> {
        let mut st = conn.prepare_cached(&format!(
            "SELECT coalesce(a.outlet_id, 0), coalesce(substr(a.published_at, 1, 10), ''),
                    coalesce(date(a.published_at), '')
             FROM articles a WHERE {w}"
        ))?;
        let mut rows = st.query(args)?;
        while let Some(r) = rows.next()? {
            *self
                .outlets
                .entry((r.get(0)?, r.get(1)?, r.get(2)?))
                .or_default() += 1;
        }
        if !entities {
            return Ok(());
        }
        let mut st = conn.prepare_cached(&format!(
            "SELECT m.article_id, m.entity_id, m.field, m.sentence, a.published_at,
                    coalesce(substr(a.published_at, 1, 10), ''), coalesce(date(a.published_at), '')
             FROM articles a JOIN mentions m ON m.article_id = a.id WHERE {w}
             ORDER BY m.article_id"
        ))?;
        let mut rows = st.query(args)?;
        let mut art = Article::default();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if id != art.id {
                self.article(&mut art);
                art.id = id;
                art.date = r.get(4)?;
                art.day = r.get(5)?;
                art.utc_day = r.get(6)?;
            }
            let e = art.entities.entry(r.get(1)?).or_default();
            e.0 += 1;
            e.1.push((r.get(2)?, r.get(3)?));
        }
        self.article(&mut art);
        Ok(())
    }

    /// Add one article's contributions and empty it.
    fn article(&mut self, art: &mut Article) {
        let mut ents: Vec<(String, i64, Vec<(String, i64)>)> = std::mem::take(&mut art.entities)
            .into_iter()
            .map(|(e, (n, mut s))| {
                s.sort();
                s.dedup();
                (e, n, s)
            })
            .collect();
        ents.sort_by(|x, y| x.0.cmp(&y.0));
        let month: String = art.day.chars().take(7).collect();
        for (i, (e, n, places)) in ents.iter().enumerate() {
            self.totals
                .entry(e.clone())
                .or_default()
                .add(1, *n, &art.date);
            self.days
                .entry((e.clone(), art.day.clone(), art.utc_day.clone()))
                .or_default()
                .add(1, *n, &art.date);
            for (f, _, other) in &ents[i + 1..] {
                let shared = places
                    .iter()
                    .filter(|p| other.binary_search(p).is_ok())
                    .count() as i64;
                self.pairs
                    .entry((e.clone(), f.clone(), month.clone()))
                    .or_default()
                    .add(shared, 1, &art.date);
            }
        }
    }

    /// Keep only the rows of the entities in `ids`.
    fn only(&mut self, ids: &[&str]) {
        let keep = |e: &str| ids.contains(&e);
        self.totals.retain(|k, _| keep(k));
        self.days.retain(|k, _| keep(&k.0));
        self.pairs.retain(|k, _| keep(&k.0) || keep(&k.1));
    }

    /// Add everything gathered to the tables of schema `target`.
    fn write(self, conn: &Connection, target: &str, entities: bool) -> Result<()> {
        if entities {
            let mut st = conn.prepare_cached(&ENTITY_TOTALS.upsert_sql(target))?;
            for (e, c) in sorted(self.totals) {
                st.execute(params![e, c.a, c.b, c.first, c.last])?;
            }
            let mut st = conn.prepare_cached(&ENTITY_DAYS.upsert_sql(target))?;
            for ((e, d, u), c) in sorted(self.days) {
                st.execute(params![e, d, u, c.a, c.b, c.first, c.last])?;
            }
            let mut st = conn.prepare_cached(&ENTITY_PAIR_MONTHS.upsert_sql(target))?;
            for ((x, y, m), c) in sorted(self.pairs) {
                st.execute(params![x, y, m, c.a, c.b, c.first, c.last])?;
            }
        } else {
            let mut st = conn.prepare_cached(&OUTLET_DAYS.upsert_sql(target))?;
            for ((o, d, u), n) in sorted(self.outlets) {
                st.execute(params![o, d, u, n])?;
            }
        }
        Ok(())
    }
}

/// A map's entries in the order of their keys: rows written in the order
/// of the table's key touch each page once.
fn sorted<K: Ord, V>(m: HashMap<K, V>) -> Vec<(K, V)> {
    let mut v: Vec<(K, V)> = m.into_iter().collect();
    v.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    v
}

/// Add the contributions of articles `first..=last`, whose mentions are all
/// written and none of which was summarised yet (the ingest's new articles).
pub fn add_articles(conn: &Connection, first: i64, last: i64) -> Result<()> {
    add_range(conn, conn, first, last)
}

/// Summarise articles `first..=last` of `src` into the tables of `dst`.
fn add_range(src: &Connection, dst: &Connection, first: i64, last: i64) -> Result<()> {
    let mut acc = Acc::default();
    acc.gather(src, "a.id BETWEEN ?1 AND ?2", &[&first, &last], true)?;
    let outlets = Acc {
        outlets: std::mem::take(&mut acc.outlets),
        ..Acc::default()
    };
    acc.write(dst, "main", true)?;
    outlets.write(dst, "main", false)
}

/// Fill the tables of `dst` from every article of `conn`, `CHUNK` articles
/// at a time, telling `progress` (articles done, articles in all).
fn fill(conn: &Connection, dst: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let (lo, hi, n): (Option<i64>, Option<i64>, i64) =
        conn.query_row("SELECT min(id), max(id), count(*) FROM articles", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(());
    };
    let mut count = conn.prepare("SELECT count(*) FROM articles WHERE id BETWEEN ?1 AND ?2")?;
    let mut done = 0u64;
    let mut start = lo;
    while start <= hi {
        let end = start.saturating_add(CHUNK - 1).min(hi);
        add_range(conn, dst, start, end)?;
        done += count.query_row(params![start, end], |r| r.get::<_, i64>(0))? as u64;
        progress(done, n as u64);
        start = end + 1;
    }
    Ok(())
}

/// Rebuild every summary from the mentions and articles, and record the
/// scheme (in the caller's transaction).
pub fn rebuild(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    for t in TABLES {
        conn.execute(&format!("DELETE FROM main.{}", t.name), [])?;
    }
    fill(conn, conn, progress)?;
    meta::set(conn, Meta::SummaryVersion, SUMMARY_VERSION)?;
    Ok(())
}

/// Whether the summaries are built with this marsad's scheme.
pub fn is_current(conn: &Connection) -> Result<bool> {
    Ok(meta::get(conn, Meta::SummaryVersion)?.as_deref() == Some(SUMMARY_VERSION))
}

/// Build the summaries of an archive that has none yet (after migration
/// V18) or older ones. Returns whether it did.
pub fn ensure_built(conn: &mut Connection) -> Result<bool> {
    if is_current(conn)? {
        return Ok(false);
    }
    let tx = conn.transaction()?;
    rebuild(&tx, &mut |_, _| {})?;
    tx.commit()?;
    Ok(true)
}

/// Recompute every row of the entity summaries that involves one of `ids`,
/// after their mentions moved or went (merge, rename, rejection). The
/// articles they are named in are summarised again, so the cost is the
/// size of these entities, not of the archive.
pub fn recompute_entities(conn: &Connection, ids: &[&str]) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS summary_ids(id TEXT PRIMARY KEY); DELETE FROM temp.summary_ids;",
    )?;
    for id in ids {
        conn.execute(
            "INSERT OR IGNORE INTO temp.summary_ids(id) VALUES (?1)",
            [id],
        )?;
    }
    for t in TABLES.iter().filter(|t| !t.entity_cols.is_empty()) {
        let touches = t
            .entity_cols
            .iter()
            .map(|c| format!("{c} IN (SELECT id FROM temp.summary_ids)"))
            .collect::<Vec<_>>()
            .join(" OR ");
        conn.execute(&format!("DELETE FROM main.{} WHERE {touches}", t.name), [])?;
    }
    let mut acc = Acc::default();
    acc.gather(
        conn,
        "a.id IN (SELECT article_id FROM mentions WHERE entity_id IN (SELECT id FROM temp.summary_ids))",
        &[],
        true,
    )?;
    conn.execute("DELETE FROM temp.summary_ids", [])?;
    // The other entities' rows already count these articles.
    acc.only(ids);
    acc.write(conn, "main", true)
}

/// Recompute every summary from the mentions and articles and compare:
/// one line per table that differs, with the number of rows missing,
/// extra or different. The archive's connection only reads (it may be
/// `query_only`): the summaries are recomputed into a private scratch
/// database, and each table is compared with it in key order.
pub fn verify(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<Vec<String>> {
    if !is_current(conn)? {
        return Ok(vec![format!(
            "summaries: not built (meta summary_version is not {SUMMARY_VERSION}; run `marsad migrate`)"
        )]);
    }
    // An empty name: a temporary file SQLite deletes on close.
    let scratch = Connection::open("")?;
    scratch.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;",
    )?;
    for t in TABLES {
        let sql: String = conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t.name],
            |r| r.get(0),
        )?;
        scratch.execute_batch(&sql)?;
    }
    scratch.execute_batch("BEGIN")?;
    fill(conn, &scratch, progress)?;
    scratch.execute_batch("COMMIT")?;
    let mut problems = Vec::new();
    for t in TABLES {
        let (extra, missing, differ) = compare(conn, &scratch, t)?;
        if extra + missing + differ > 0 {
            problems.push(format!(
                "summary {}: {differ} rows differ from the mentions and articles they summarise, {missing} missing, {extra} extra (rebuild them with `marsad reextract`)",
                t.name
            ));
        }
    }
    Ok(problems)
}

/// Rows of `t` only in `have`, only in `want`, and in both with other
/// values: both read in key order and walked side by side.
fn compare(have: &Connection, want: &Connection, t: &Table) -> Result<(u64, u64, u64)> {
    use rusqlite::types::Value;
    use std::cmp::Ordering;
    let sql = format!(
        "SELECT {} FROM main.{} ORDER BY {}",
        t.columns().join(", "),
        t.name,
        t.keys.join(", ")
    );
    let n = t.columns().len();
    let k = t.keys.len();
    let read = |r: &rusqlite::Row| -> rusqlite::Result<Vec<Value>> {
        (0..n).map(|i| r.get::<_, Value>(i)).collect()
    };
    // SQLite's order of the key values (all text or integer, BINARY).
    let order = |x: &[Value], y: &[Value]| -> Ordering {
        for (a, b) in x.iter().zip(y) {
            let o = match (a, b) {
                (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
                (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
                (Value::Integer(_), _) => Ordering::Less,
                (_, Value::Integer(_)) => Ordering::Greater,
                _ => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    };
    let mut st_have = have.prepare(&sql)?;
    let mut st_want = want.prepare(&sql)?;
    let mut h = st_have.query([])?;
    let mut w = st_want.query([])?;
    let (mut extra, mut missing, mut differ) = (0u64, 0u64, 0u64);
    let mut hr = h.next()?.map(read).transpose()?;
    let mut wr = w.next()?.map(read).transpose()?;
    loop {
        match (&hr, &wr) {
            (None, None) => break,
            (Some(_), None) => {
                extra += 1;
                hr = h.next()?.map(read).transpose()?;
            }
            (None, Some(_)) => {
                missing += 1;
                wr = w.next()?.map(read).transpose()?;
            }
            (Some(a), Some(b)) => match order(&a[..k], &b[..k]) {
                Ordering::Less => {
                    extra += 1;
                    hr = h.next()?.map(read).transpose()?;
                }
                Ordering::Greater => {
                    missing += 1;
                    wr = w.next()?.map(read).transpose()?;
                }
                Ordering::Equal => {
                    if a != b {
                        differ += 1;
                    }
                    hr = h.next()?.map(read).transpose()?;
                    wr = w.next()?.map(read).transpose()?;
                }
            },
        }
    }
    Ok((extra, missing, differ))
}

/// The cheap part of [`verify`], for `check --quick`: each table's totals
/// against a count of what it summarises.
pub fn verify_totals(conn: &Connection) -> Result<Vec<String>> {
    if !is_current(conn)? {
        return Ok(vec![format!(
            "summaries: not built (meta summary_version is not {SUMMARY_VERSION}; run `marsad migrate`)"
        )]);
    }
    let mut problems = Vec::new();
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let mentions = count("SELECT count(*) FROM mentions")?;
    let articles = count("SELECT count(*) FROM articles")?;
    for (table, sql, expected) in [
        (
            "entity_totals",
            "SELECT coalesce(sum(mentions), 0) FROM entity_totals",
            mentions,
        ),
        (
            "entity_days",
            "SELECT coalesce(sum(mentions), 0) FROM entity_days",
            mentions,
        ),
        (
            "outlet_days",
            "SELECT coalesce(sum(articles), 0) FROM outlet_days",
            articles,
        ),
    ] {
        let found = count(sql)?;
        if found != expected {
            problems.push(format!(
                "summary {table}: counts {found} where the archive holds {expected} (rebuild: `marsad reextract`)"
            ));
        }
    }
    Ok(problems)
}
