//! Re-extracting every article's mentions with the current gazetteer and
//! NER model (`marsad reextract`), and which model an archive's mentions
//! were extracted with.

use rusqlite::Connection;

use super::store::{DiscoveredIds, free_id, load, rebuild_entities_fts, rename_id, write};
use super::{Gazetteer, Status, extract};
use crate::error::Result;
use crate::ner::Tagger;
use crate::store::FtsQueue;
use crate::store::meta::{self, Meta};

/// Redo every article's mentions with the current gazetteer and `tagger`
/// (`None`: NER off), and record which model it was. Idempotent.
/// Discovered entities keep their ids; those found nowhere any more are
/// dropped, and ids of the old form (`cand-…`) become readable ones.
/// Returns (articles, mentions).
pub fn reextract(conn: &mut Connection, tagger: Option<&dyn Tagger>) -> Result<(i64, i64)> {
    let g = load(conn)?;
    crate::store::check_constraints(conn, false)?;
    let result = reextract_all(conn, &g, tagger);
    crate::store::check_constraints(conn, true)?;
    let articles = result?;
    // The sentence index was written anew: one segment (see optimize_fts).
    let _ = crate::store::optimize_fts(conn, &["sentences_fts"]);
    crate::store::release_free_pages(conn);
    let mentions: i64 = conn.query_row("SELECT count(*) FROM mentions", [], |r| r.get(0))?;
    Ok((articles, mentions))
}

/// The model the archive's mentions were extracted with, when it is not
/// `tagger`'s and the archive holds articles (an archive from before NER
/// was extracted without one).
pub fn other_model(conn: &Connection, tagger: Option<&dyn Tagger>) -> Result<Option<String>> {
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM articles)", [], |r| r.get(0))?;
    if !any {
        return Ok(None);
    }
    let old = meta::get(conn, Meta::NerModel)?.unwrap_or_else(|| crate::ner::OFF_ID.to_string());
    Ok((old != model_id(tagger)).then_some(old))
}

/// The id a model is recorded by (`off` without one).
pub fn model_id(tagger: Option<&dyn Tagger>) -> String {
    tagger.map_or_else(|| crate::ner::OFF_ID.to_string(), |t| t.id())
}

fn reextract_all(conn: &mut Connection, g: &Gazetteer, tagger: Option<&dyn Tagger>) -> Result<i64> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "DELETE FROM mentions; DELETE FROM sentences; DELETE FROM entities_fts;
         INSERT INTO sentences_fts(sentences_fts) VALUES ('delete-all');",
    )?;
    rename_legacy_candidates(&tx)?;
    let mut fts = FtsQueue::default();
    let mut ids = DiscoveredIds::default();
    let articles = crate::articles::for_each(
        &tx,
        |_, t, b| extract(g, tagger, t, b),
        |id, x| {
            write(&tx, id, x, &mut fts, &mut ids)?;
            fts.flush_if_full(&tx)
        },
    )?;
    fts.flush(&tx)?;
    // Candidates found nowhere now, and that no old id points to, go.
    tx.execute_batch(
        "DELETE FROM entity_aliases WHERE entity_id IN (
            SELECT id FROM entities e WHERE status = 'candidate'
              AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM entities p WHERE p.merged_into = e.id));
         DELETE FROM entities WHERE status = 'candidate'
              AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = entities.id)
              AND NOT EXISTS (SELECT 1 FROM entities p WHERE p.merged_into = entities.id);",
    )?;
    rebuild_entities_fts(&tx)?;
    super::summary::rebuild(&tx, &mut |_, _| {})?;
    meta::set(&tx, Meta::NerModel, &model_id(tagger))?;
    tx.commit()?;
    Ok(articles)
}

/// Candidates with ids of the old form (`cand-<hash>`) get the readable id
/// a new one would get; the old id stays as a pointer to it.
fn rename_legacy_candidates(tx: &Connection) -> Result<()> {
    let mut st = tx.prepare(
        "SELECT id, name_ar FROM entities WHERE id LIKE 'cand-%' AND status = 'candidate' ORDER BY rowid",
    )?;
    let old: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name) in old {
        let new = free_id(tx, &super::edit::slug(&name))?;
        rename_id(tx, &id, &new, Status::Candidate)?;
    }
    Ok(())
}
