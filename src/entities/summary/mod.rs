//! The archive's summaries of its mentions and articles (migration V18):
//! per entity, per entity and day, per pair of entities and month, per
//! outlet and day; and per pair of people and day, the sentences naming
//! both with a meeting word (V21, [`meetings`]). The views and analysis commands read them instead of
//! aggregating every mention. Every entity has its totals row, zeros while
//! nothing names it (V19; triggers add and remove it with the entity).
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

mod meetings;
mod verify;
use crate::store::meta::{self, Meta};
pub use verify::{verify, verify_totals};

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
pub const TABLES: &[Table] = &[
    ENTITY_TOTALS,
    ENTITY_DAYS,
    ENTITY_PAIR_MONTHS,
    OUTLET_DAYS,
    PERSON_MEETING_DAYS,
];

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
const PERSON_MEETING_DAYS: Table = Table {
    name: "person_meeting_days",
    keys: &["person_a", "person_b", "day"],
    sums: &["sentences"],
    mins: &["first_date"],
    maxs: &["last_date"],
    entity_cols: &["person_a", "person_b"],
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
    meetings: meetings::Meetings,
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
        self.meetings.find(conn, w, args)?;
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
                self.article(conn, &mut art)?;
                art.id = id;
                art.date = r.get(4)?;
                art.day = r.get(5)?;
                art.utc_day = r.get(6)?;
            }
            let e = art.entities.entry(r.get(1)?).or_default();
            e.0 += 1;
            e.1.push((r.get(2)?, r.get(3)?));
        }
        self.article(conn, &mut art)?;
        Ok(())
    }

    /// Add one article's contributions and empty it.
    fn article(&mut self, conn: &Connection, art: &mut Article) -> Result<()> {
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
                if shared > 0 {
                    self.meetings
                        .pair(conn, art, (e, places.as_slice()), (f, other.as_slice()))?;
                }
            }
        }
        Ok(())
    }

    /// Keep only the rows of the entities in `ids`.
    fn only(&mut self, ids: &[&str]) {
        let keep = |e: &str| ids.contains(&e);
        self.totals.retain(|k, _| keep(k));
        self.days.retain(|k, _| keep(&k.0));
        self.pairs.retain(|k, _| keep(&k.0) || keep(&k.1));
        self.meetings.only(ids);
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
            let mut st = conn.prepare_cached(&PERSON_MEETING_DAYS.upsert_sql(target))?;
            for ((x, y, d), c) in sorted(self.meetings.counts) {
                st.execute(params![x, y, d, c.a, c.first, c.last])?;
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

/// Fill the tables of `dst` from every article and entity of `conn`.
fn fill(conn: &Connection, dst: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    fill_articles(conn, dst, progress)?;
    zero_totals(conn, dst, None)
}

/// Add the summaries of every article of `conn` to `dst`, `CHUNK` articles
/// at a time, telling `progress` (articles done, articles in all).
fn fill_articles(
    conn: &Connection,
    dst: &Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
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

/// Give every entity of `conn` that `dst` has no totals for a row of
/// zeros: each entity has one (V19), so that the views read the totals in
/// rank order and join the entities to them.
fn zero_totals(conn: &Connection, dst: &Connection, ids: Option<&[&str]>) -> Result<()> {
    let mut add = dst.prepare_cached(
        "INSERT OR IGNORE INTO main.entity_totals(entity_id, articles, mentions) VALUES (?1, 0, 0)",
    )?;
    match ids {
        Some(ids) => {
            let mut known = conn.prepare_cached("SELECT 1 FROM entities WHERE id = ?1")?;
            for id in ids {
                if known.exists([id])? {
                    add.execute([id])?;
                }
            }
        }
        None => {
            let mut st = conn.prepare("SELECT id FROM entities ORDER BY id")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                add.execute([r.get::<_, String>(0)?])?;
            }
        }
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
    acc.write(conn, "main", true)?;
    zero_totals(conn, conn, Some(ids))
}
