//! Placing articles among their near-copies: each new article's signature
//! is stored, linked to the earlier articles it resembles at the archive's
//! threshold, and put in a story; and the whole archive rebuilt when the
//! threshold or the signatures change.

use rusqlite::{Connection, OptionalExtension, params};

use super::DEFAULT_THRESHOLD;
use super::band_index::{BandIndex, band_keys};
use super::minhash::{from_blob, signature, similarity, to_blob};
use super::particulars::{Report, disagree};
use crate::error::Result;
use crate::store::meta::{self, Meta};

/// The link threshold in force for this archive.
pub fn threshold(conn: &Connection) -> Result<f64> {
    let v = meta::get(conn, Meta::DedupThreshold)?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_THRESHOLD))
}

/// Place a newly stored article: store its signature, link it to earlier
/// near-copies found through `index`, and put it in a story: the story of
/// the most similar canonical article it is a near-copy of and agrees with
/// on particulars (see [`particulars`](super::particulars)), or a story of
/// its own. Stories never merge, so every member is a copy of its
/// canonical, never of a chain. Runs inside the writer's transaction, after
/// the article's mentions are written.
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
    let mut story = (article_id, 1.0);
    if let Some(sig) = sig {
        index.load(tx)?;
        let keys = band_keys(sig);
        // The stories of the near-copies: their canonical articles decide.
        let mut canonicals: Vec<(i64, f64)> = Vec::new();
        for c in index.candidates(&keys) {
            // None: an article whose batch was rolled back after it was
            // indexed here (the run then stops; this only guards the lookup).
            let Some(s) = stored_similarity(tx, sig, c)? else {
                continue;
            };
            if s < threshold {
                continue;
            }
            tx.prepare_cached("INSERT INTO near_duplicates(a, b, similarity) VALUES (?1, ?2, ?3)")?
                .execute(params![c.min(article_id), c.max(article_id), s])?;
            let st: i64 = tx
                .prepare_cached("SELECT story_id FROM stories WHERE article_id = ?1")?
                .query_row([c], |r| r.get(0))?;
            if canonicals.iter().any(|(id, _)| *id == st) {
                continue;
            }
            let to_canonical = if st == c {
                Some(s)
            } else {
                stored_similarity(tx, sig, st)?
            };
            if let Some(sc) = to_canonical.filter(|sc| *sc >= threshold) {
                canonicals.push((st, sc));
            }
        }
        // Most similar first; ties to the earlier story.
        canonicals.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        if !canonicals.is_empty() {
            let mine = Report::of_article(tx, article_id)?;
            for (st, sc) in canonicals {
                if !disagree(&mine, &Report::of_article(tx, st)?) {
                    story = (st, sc);
                    break;
                }
            }
        }
        tx.prepare_cached("INSERT INTO minhash(article_id, sig) VALUES (?1, ?2)")?
            .execute(params![article_id, to_blob(sig)])?;
        index.insert(&keys, article_id);
    }
    tx.prepare_cached("INSERT INTO stories(article_id, story_id, similarity) VALUES (?1, ?2, ?3)")?
        .execute(params![article_id, story.0, story.1])?;
    Ok(())
}

/// Similarity of `sig` to a stored article's signature (None if it has none).
pub(super) fn stored_similarity(conn: &Connection, sig: &[u32], other: i64) -> Result<Option<f64>> {
    Ok(conn
        .prepare_cached("SELECT sig FROM minhash WHERE article_id = ?1")?
        .query_row([other], |r| r.get::<_, Vec<u8>>(0))
        .optional()?
        .map(|b| similarity(sig, &from_blob(&b))))
}

/// Version of the signatures and of how stories are made; an archive
/// without it (just migrated) is rebuilt by `marsad migrate` or `ingest`.
/// 3: stories of copies of one canonical article agreeing on particulars.
pub const DEDUP_VERSION: &str = "3";

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
