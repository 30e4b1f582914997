//! Placing articles among their near-copies: each new article's signature
//! is stored, linked to the earlier articles it resembles at the archive's
//! threshold, and put in a story; and the whole archive rebuilt when the
//! threshold or the signatures change.

use rusqlite::{Connection, OptionalExtension, params};

use super::DEFAULT_THRESHOLD;
use super::band_index::{BandIndex, band_keys};
use super::minhash::{from_blob, signature, similarity, to_blob};
use crate::error::Result;
use crate::store::meta::{self, Meta};

/// The link threshold in force for this archive.
pub fn threshold(conn: &Connection) -> Result<f64> {
    let v = meta::get(conn, Meta::DedupThreshold)?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_THRESHOLD))
}

/// Place a newly stored article: store its signature, link it to earlier
/// near-copies found through `index`, and put it in a story (its own, or
/// the one its copies share, merging stories it bridges). Runs inside the
/// writer's transaction.
///
/// The article is new, so its rows cannot exist yet: plain INSERTs. An
/// INSERT OR REPLACE may delete rows, so SQLite copied every page it touched
/// to a statement journal first (32 KiB each; 5% of the writer's time).
pub fn add(
    tx: &Connection,
    index: &mut BandIndex,
    article_id: i64,
    sig: Option<&[u32]>,
    threshold: f64,
) -> Result<()> {
    let mut story = article_id;
    if let Some(sig) = sig {
        index.load(tx)?;
        let keys = band_keys(sig);
        let mut linked_stories = Vec::new();
        for c in index.candidates(&keys) {
            // None: an article whose batch was rolled back after it was
            // indexed here (the run then stops; this only guards the lookup).
            let Some(other) = tx
                .prepare_cached("SELECT sig FROM minhash WHERE article_id = ?1")?
                .query_row([c], |r| r.get::<_, Vec<u8>>(0))
                .optional()?
            else {
                continue;
            };
            let s = similarity(sig, &from_blob(&other));
            if s >= threshold {
                tx.prepare_cached(
                    "INSERT INTO near_duplicates(a, b, similarity) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![c.min(article_id), c.max(article_id), s])?;
                let st: i64 = tx
                    .prepare_cached("SELECT story_id FROM stories WHERE article_id = ?1")?
                    .query_row([c], |r| r.get(0))?;
                linked_stories.push(st);
            }
        }
        if let Some(&min) = linked_stories.iter().min() {
            story = min;
            for s in linked_stories.iter().filter(|s| **s != min) {
                tx.prepare_cached("UPDATE stories SET story_id = ?1 WHERE story_id = ?2")?
                    .execute(params![min, s])?;
            }
        }
        tx.prepare_cached("INSERT INTO minhash(article_id, sig) VALUES (?1, ?2)")?
            .execute(params![article_id, to_blob(sig)])?;
        index.insert(&keys, article_id);
    }
    tx.prepare_cached("INSERT INTO stories(article_id, story_id) VALUES (?1, ?2)")?
        .execute(params![article_id, story])?;
    Ok(())
}

/// Version of the signatures; an archive without it (just migrated) is
/// rebuilt on open.
pub const DEDUP_VERSION: &str = "2";

/// Build signatures and stories if this archive has never had them.
pub fn ensure_built(conn: &mut Connection) -> Result<()> {
    let v = meta::get(conn, Meta::DedupVersion)?;
    if v.as_deref() != Some(DEDUP_VERSION) {
        rebuild(conn, None)?;
    }
    Ok(())
}

/// Recompute signatures, links and stories for the whole archive (after a
/// threshold change). Returns (articles, links).
pub fn rebuild(conn: &mut Connection, new_threshold: Option<f64>) -> Result<(i64, i64)> {
    let tx = conn.transaction()?;
    if let Some(t) = new_threshold {
        meta::set(&tx, Meta::DedupThreshold, &t.to_string())?;
    }
    let t = threshold(&tx)?;
    tx.execute_batch("DELETE FROM minhash; DELETE FROM near_duplicates; DELETE FROM stories;")?;
    let mut index = BandIndex::empty();
    let articles = crate::articles::for_each(
        &tx,
        |_, _, body| signature(body),
        |id, sig| add(&tx, &mut index, id, sig.as_deref(), t),
    )?;
    meta::set(&tx, Meta::DedupVersion, DEDUP_VERSION)?;
    tx.commit()?;
    crate::store::release_free_pages(conn);
    let links: i64 = conn.query_row("SELECT count(*) FROM near_duplicates", [], |r| r.get(0))?;
    Ok((articles, links))
}
