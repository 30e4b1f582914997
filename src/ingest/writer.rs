//! The single writer: prepared statements, transactions of a few thousand
//! articles however the batches come, and the run record.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::batch::{Batch, Item, Prepared, StateUpdate};
use super::{InputError, Summary};
use crate::error::Result;
use crate::store::{FtsQueue, RunStatus, now};

/// Open a run record (committed at once, so even a killed run is listed).
pub fn start_run(conn: &Connection, args: &[String]) -> Result<i64> {
    // Runs left 'running' were killed: this process holds the ingest lock.
    conn.execute(
        "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
        [],
    )?;
    conn.execute(
        "INSERT INTO runs(started_at, args) VALUES (?1, ?2)",
        params![now(), serde_json::to_string(args).unwrap_or_default()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Close the run record. A failed run keeps the counts of what it
/// committed (written with each transaction), not of what it rolled back.
pub fn finish_run(conn: &Connection, s: &Summary, status: RunStatus) -> Result<()> {
    if status == RunStatus::Failed {
        conn.execute(
            "UPDATE runs SET finished_at = ?1, status = ?2 WHERE id = ?3",
            params![now(), status.as_str(), s.run_id],
        )?;
        return Ok(());
    }
    conn.execute(
        "UPDATE runs SET finished_at = ?1, status = ?2, inputs = ?3, records = ?4, new_articles = ?5,
                duplicates = ?6, unchanged = ?7, errors = ?8, bytes = ?9, skipped = ?10
         WHERE id = ?11",
        params![
            now(),
            status.as_str(),
            s.inputs as i64,
            s.records as i64,
            s.new as i64,
            s.duplicates as i64,
            s.unchanged as i64,
            s.errors as i64,
            s.bytes as i64,
            s.skipped as i64,
            s.run_id
        ],
    )?;
    Ok(())
}

/// WAL length (pages) between automatic checkpoints while ingesting.
const WAL_PAGES: i64 = 4096;

/// Records written per transaction (articles, copies, errors). Each commit
/// writes a new FTS5 segment per index, which FTS5 later merges, so
/// transactions stay large while the batches that feed them are small (the
/// writer starts sooner, and the workers keep it fed).
pub(super) const TX_RECORDS: usize = 4096;

/// Index text held for a transaction at most: a few long articles commit
/// sooner, so memory does not grow with the articles' length. Ordinary
/// news (4096 articles of a few KB) stays under it.
const TX_FTS_BYTES: usize = 64 << 20;

pub struct Writer<'c> {
    conn: &'c mut Connection,
    run_id: i64,
    default_outlet: Option<String>,
    outlets: HashMap<String, i64>,
    origins: HashMap<String, i64>,
    dedup_threshold: f64,
    bands: crate::dedup::BandIndex,
    /// True between BEGIN and COMMIT.
    open: bool,
    /// Records written in the open transaction.
    records: usize,
    /// Index rows of the open transaction, written just before COMMIT.
    fts: FtsQueue,
    /// The latest resume point of each input in the open transaction,
    /// written with it so that a killed run resumes exactly after the last
    /// commit (a JSON Lines file gives one per batch; only the last counts).
    states: HashMap<String, StateUpdate>,
    /// Discovered entities looked up or created in the open transaction.
    discovered: crate::entities::store::DiscoveredIds,
    /// The first and last new article of the open transaction (ids grow:
    /// every article between them is new), summarised just before COMMIT.
    new_articles: Option<(i64, i64)>,
}

impl<'c> Writer<'c> {
    pub fn new(conn: &'c mut Connection, run_id: i64, default_outlet: Option<String>) -> Self {
        let dedup_threshold =
            crate::dedup::threshold(conn).unwrap_or(crate::dedup::DEFAULT_THRESHOLD);
        // A bulk load rewrites the same index pages batch after batch; a
        // longer WAL copies each of them back to the file less often.
        let _ = conn.pragma_update(None, "wal_autocheckpoint", WAL_PAGES);
        // Reset in Drop; if this fails the writes are only slower.
        let _ = crate::store::check_constraints(conn, false);
        Writer {
            conn,
            run_id,
            default_outlet,
            outlets: HashMap::new(),
            origins: HashMap::new(),
            dedup_threshold,
            bands: crate::dedup::BandIndex::default(),
            open: false,
            records: 0,
            fts: FtsQueue::default(),
            states: HashMap::new(),
            discovered: Default::default(),
            new_articles: None,
        }
    }

    /// Commit the open transaction, if any: its index rows, then its
    /// resume points and the run's counts so far, then COMMIT. So the run
    /// record of a killed or failed run counts exactly what it committed.
    pub fn commit(&mut self, summary: &Summary) -> Result<()> {
        if !self.open {
            return Ok(());
        }
        self.conn
            .prepare_cached(
                "UPDATE runs SET inputs = ?1, records = ?2, new_articles = ?3, duplicates = ?4,
                        unchanged = ?5, errors = ?6, bytes = ?7, skipped = ?8
                 WHERE id = ?9",
            )?
            .execute(params![
                summary.inputs as i64,
                summary.records as i64,
                summary.new as i64,
                summary.duplicates as i64,
                summary.unchanged as i64,
                summary.errors as i64,
                summary.bytes as i64,
                summary.skipped as i64,
                self.run_id
            ])?;
        // After the articles' other rows, so that FTS5 writes one segment per
        // transaction (see FtsQueue): the next upsert's savepoint writes it.
        // Before the summaries, which match meeting words in sentences_fts.
        self.fts.flush(self.conn)?;
        if let Some((first, last)) = self.new_articles.take() {
            crate::entities::summary::add_articles(self.conn, first, last)?;
        }
        for (_, s) in self.states.drain() {
            self.conn
                .prepare_cached(
                    "INSERT INTO inputs(path, size, mtime_ns, raw_sha256, done_bytes, done_sha256, run_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                        raw_sha256 = excluded.raw_sha256, done_bytes = excluded.done_bytes,
                        done_sha256 = excluded.done_sha256, run_id = excluded.run_id",
                )?
                .execute(params![s.path, s.state.size, s.state.mtime_ns, s.state.raw_sha256, s.state.done_bytes, s.state.done_sha256, self.run_id])?;
        }
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        self.records = 0;
        self.discovered = Default::default();
        Ok(())
    }

    /// Write a batch in the open transaction, beginning one if none is
    /// open, and commit once it holds [`TX_RECORDS`] records. The caller
    /// commits the last one with [`Writer::commit`]; dropping the writer
    /// instead rolls it back.
    pub fn write(
        &mut self,
        batch: Batch,
        summary: &mut Summary,
        on_error: &mut impl FnMut(&InputError),
    ) -> Result<()> {
        if !self.open {
            self.conn.execute_batch("BEGIN")?;
            self.open = true;
        }
        let tx: &Connection = self.conn;
        let fts = &mut self.fts;
        let discovered = &mut self.discovered;
        let new_articles = &mut self.new_articles;
        let at = now();
        for item in batch.items {
            match item {
                Item::Seen => {
                    summary.records += 1;
                    summary.seen += 1;
                }
                Item::Error(e) => {
                    self.records += 1;
                    tx.prepare_cached("INSERT INTO ingest_errors(run_id, input, line, message, at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                        .execute(params![self.run_id, e.input, e.line, e.message, at, e.kind.as_str()])?;
                    match e.kind {
                        super::Problem::Error => summary.errors += 1,
                        super::Problem::Skipped => summary.skipped += 1,
                        // Ignored files are no input: never an item.
                        super::Problem::Ignored => {}
                    }
                    on_error(&e);
                }
                Item::Article(mut p) => {
                    summary.records += 1;
                    self.records += 1;
                    let existing: Option<(i64, Option<String>, Option<String>)> = tx
                        .prepare_cached(
                            "SELECT id, url, external_id FROM articles WHERE content_sha256 = ?1",
                        )?
                        .query_row([&p.content_sha256], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()?;
                    // What the sighting stores of its url and id (migration
                    // V12): NULL when they are the article's.
                    let (article_id, is_new, url, external_id) = match existing {
                        Some((id, url, external_id)) => (
                            id,
                            false,
                            unless_same(&p.rec.url, &url),
                            unless_same(&p.rec.external_id, &external_id),
                        ),
                        None => {
                            let id = insert_article(
                                tx,
                                &mut self.outlets,
                                self.default_outlet.as_deref(),
                                self.run_id,
                                &p,
                                &at,
                            )?;
                            *new_articles = Some(match *new_articles {
                                Some((first, _)) => (first, id),
                                None => (id, id),
                            });
                            let extraction = std::mem::take(&mut p.extraction);
                            crate::entities::store::write(tx, id, extraction, fts, discovered)?;
                            // After the mentions: stories compare them.
                            crate::dedup::add(
                                tx,
                                &mut self.bands,
                                id,
                                p.signature.as_deref(),
                                self.dedup_threshold,
                            )?;
                            fts.article(
                                id,
                                std::mem::take(&mut p.fts_title),
                                std::mem::take(&mut p.fts_body),
                            );
                            (id, true, None, None)
                        }
                    };
                    let origin_id = lookup_id(tx, &mut self.origins, "origins", &p.origin)?;
                    // The hash as its 32 bytes; anything else (an empty hash
                    // for a record that has no bytes of its own) as text.
                    let added = tx
                        .prepare_cached(
                            "INSERT OR IGNORE INTO sighting_rows(article_id, run_id, origin_id, line, url, external_id, raw_sha256, removed, seen_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN length(?7) = 64 THEN unhex(?7) ELSE ?7 END, ?8, ?9)",
                        )?
                        .execute(params![
                            article_id,
                            self.run_id,
                            origin_id,
                            p.line,
                            url,
                            external_id,
                            p.raw_sha256,
                            (!p.rec.removed.is_empty()).then(|| p.rec.removed.join("\n")),
                            at
                        ])?;
                    if is_new {
                        summary.new += 1;
                    } else if added > 0 {
                        summary.duplicates += 1;
                    } else {
                        summary.seen += 1;
                    }
                }
            }
        }
        self.states
            .extend(batch.states.into_iter().map(|s| (s.path.clone(), s)));
        if self.records >= TX_RECORDS || self.fts.bytes() >= TX_FTS_BYTES {
            self.commit(summary)?;
        }
        Ok(())
    }
}

/// A sighting's url or external id as stored: NULL when it is the article's,
/// '' when the record has none but the article has one.
fn unless_same(own: &Option<String>, article: &Option<String>) -> Option<String> {
    match (own, article) {
        (own, article) if own == article => None,
        (None, Some(_)) => Some(String::new()),
        (own, _) => own.clone(),
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        // Not committed: the run failed, and its last batches are undone
        // with their resume points.
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let _ = crate::store::check_constraints(self.conn, true);
    }
}

/// The id of `name` in a `(id, name UNIQUE)` table (outlets, origins),
/// added if new. `table` is one of marsad's own names, never user text.
fn lookup_id(
    tx: &Connection,
    cache: &mut HashMap<String, i64>,
    table: &str,
    name: &str,
) -> Result<i64> {
    if let Some(id) = cache.get(name) {
        return Ok(*id);
    }
    tx.prepare_cached(&format!("INSERT OR IGNORE INTO {table}(name) VALUES (?1)"))?
        .execute([name])?;
    let id: i64 = tx
        .prepare_cached(&format!("SELECT id FROM {table} WHERE name = ?1"))?
        .query_row([name], |r| r.get(0))?;
    cache.insert(name.to_string(), id);
    Ok(id)
}

fn insert_article(
    tx: &Connection,
    outlets: &mut HashMap<String, i64>,
    default_outlet: Option<&str>,
    run_id: i64,
    p: &Prepared,
    at: &str,
) -> Result<i64> {
    let r = &p.rec;
    let outlet = match r
        .outlet
        .as_deref()
        .or(default_outlet)
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        Some(name) => Some(lookup_id(tx, outlets, "outlets", name)?),
        None => None,
    };
    tx.prepare_cached(
        "INSERT INTO articles(content_sha256, title, body, published_at, date_precision, date_raw, outlet_id,
                              author, url, language, external_id, extra, ingested_at, run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        p.content_sha256,
        r.title,
        r.body,
        r.published_at,
        r.date_precision,
        r.date_raw,
        outlet,
        r.author,
        r.url,
        r.language,
        r.external_id,
        p.extra_json,
        at,
        run_id
    ])?;
    Ok(tx.last_insert_rowid())
}
