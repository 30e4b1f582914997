//! The gazetteer and mentions in the archive: importing the file, loading
//! the index, writing an article's mentions, re-extracting everything,
//! resolving names, and editing entities.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::{EntityDef, Extraction, Gazetteer, NameKind, Status, extract};
use crate::error::{Error, Result};
use crate::identity::hex;
use crate::store::meta::{self, Meta};
use crate::store::{FtsQueue, now};
use crate::text;

/// Id of a discovered candidate: stable for the same normalised name.
pub fn candidate_id(key: &str) -> String {
    format!("cand-{}", hex(&Sha256::digest(key.as_bytes())[..5]))
}

fn add_alias(tx: &Connection, id: &str, alias: &str, kind: NameKind) -> Result<()> {
    // An entity's name stays a name when it is listed again as an alias (the
    // shipped gazetteer does so): otherwise export → import would change
    // mentions from 'alias' to 'name', and `alias --remove` could delete it.
    tx.prepare_cached(
        "INSERT INTO entity_aliases(entity_id, alias, kind, normalized) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(entity_id, alias) DO UPDATE SET
            kind = CASE entity_aliases.kind WHEN 'name' THEN 'name' ELSE excluded.kind END,
            normalized = excluded.normalized",
    )?
    .execute(params![id, alias, kind, text::normalize(alias)])?;
    Ok(())
}

/// Refuse a name that would match nearly everywhere (see [`super::alias_problem`]).
fn check_name(id: &str, name: &str) -> Result<()> {
    match super::alias_problem(name) {
        Some(p) => Err(Error::Invalid(format!("entity {id}: {p}"))),
        None => Ok(()),
    }
}

/// Whether an import adds to what the archive knows of an entity, or makes
/// its aliases, short names and not-near words exactly the file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Add,
    Replace,
}

/// Insert or update entities from gazetteer definitions. Returns how many.
pub fn import(conn: &mut Connection, defs: &[EntityDef]) -> Result<usize> {
    import_with(conn, defs, ImportMode::Add)
}

/// [`import`], replacing each listed entity's names when `mode` says so:
/// then `export entities --format tsv`, edited and imported back, is
/// exactly the edit.
pub fn import_with(conn: &mut Connection, defs: &[EntityDef], mode: ImportMode) -> Result<usize> {
    for d in defs {
        for n in d.names() {
            check_name(&d.id, n)?;
        }
    }
    let tx = conn.transaction()?;
    for d in defs {
        tx.execute(
            "INSERT INTO entities(id, type, name_ar, name_en, wikidata, status, created_at)
             VALUES (?1, ?2, ?3, nullif(?4, ''), nullif(?5, ''), 'accepted', ?6)
             ON CONFLICT(id) DO UPDATE SET type = excluded.type, name_ar = excluded.name_ar,
                name_en = excluded.name_en, wikidata = excluded.wikidata, status = 'accepted'",
            params![d.id, d.etype, d.name_ar, d.name_en, d.wikidata, now()],
        )?;
        if mode == ImportMode::Replace {
            tx.execute("DELETE FROM entity_aliases WHERE entity_id = ?1", [&d.id])?;
            tx.execute("DELETE FROM entity_not_near WHERE entity_id = ?1", [&d.id])?;
        }
        add_alias(&tx, &d.id, &d.name_ar, NameKind::Name)?;
        if !d.name_en.is_empty() {
            add_alias(&tx, &d.id, &d.name_en, NameKind::Name)?;
        }
        for a in &d.aliases {
            add_alias(&tx, &d.id, a, NameKind::Alias)?;
        }
        for s in &d.short {
            add_alias(&tx, &d.id, s, NameKind::Short)?;
        }
        for w in &d.not_near {
            tx.execute(
                "INSERT OR IGNORE INTO entity_not_near(entity_id, word) VALUES (?1, ?2)",
                params![d.id, w],
            )?;
        }
    }
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(defs.len())
}

/// Seed a new archive with the shipped gazetteer.
pub fn seed_if_empty(conn: &mut Connection) -> Result<()> {
    let n: i64 = conn.query_row("SELECT count(*) FROM entities", [], |r| r.get(0))?;
    let seeded = meta::get(conn, Meta::GazetteerSeeded)?;
    if n == 0 && seeded.is_none() {
        let defs = super::parse_tsv(super::DEFAULT_GAZETTEER)
            .map_err(|e| Error::Invalid(format!("shipped gazetteer: {e}")))?;
        import(conn, &defs)?;
        meta::set(conn, Meta::GazetteerSeeded, &now())?;
    }
    Ok(())
}

fn rebuild_entities_fts(tx: &Transaction) -> Result<()> {
    tx.execute("DELETE FROM entities_fts", [])?;
    let mut st = tx.prepare(
        "SELECT e.rowid, group_concat(a.alias, ' ') FROM entities e JOIN entity_aliases a ON a.entity_id = e.id
         WHERE e.status != 'rejected' GROUP BY e.rowid",
    )?;
    let rows: Vec<(i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut ins = tx.prepare("INSERT INTO entities_fts(rowid, names) VALUES (?1, ?2)")?;
    for (rowid, names) in rows {
        ins.execute(params![rowid, text::index_terms(&names)])?;
    }
    Ok(())
}

/// The extraction index for accepted entities.
pub fn load(conn: &Connection) -> Result<Gazetteer> {
    let mut st = conn.prepare(
        "SELECT a.entity_id, a.alias, a.kind FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
         WHERE e.status = 'accepted' AND e.merged_into IS NULL ORDER BY a.entity_id, a.alias",
    )?;
    let aliases: Vec<(String, String, NameKind)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare("SELECT entity_id, word FROM entity_not_near")?;
    let not_near: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare("SELECT name_ar FROM entities WHERE status = 'rejected'")?;
    let rejected: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Gazetteer::build(aliases, not_near, rejected))
}

/// Write an article's mentions, candidates and sentences.
/// Their full-text rows go to `fts`, which the caller flushes.
pub fn write(tx: &Connection, article_id: i64, x: Extraction, fts: &mut FtsQueue) -> Result<()> {
    for s in x.sentences {
        tx.prepare_cached(
            "INSERT INTO sentences(article_id, field, idx, start, end) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            article_id,
            s.field.as_str(),
            s.idx as i64,
            s.start as i64,
            s.end as i64
        ])?;
        fts.sentence(tx.last_insert_rowid(), s.terms);
    }
    for m in &x.mentions {
        tx.prepare_cached(
            "INSERT INTO mentions(article_id, entity_id, field, start, end, surface, sentence, how)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            article_id,
            m.entity,
            m.field.as_str(),
            m.start as i64,
            m.end as i64,
            m.surface,
            m.sentence as i64,
            m.how
        ])?;
    }
    for c in &x.candidates {
        let id = candidate_id(&c.key);
        let added = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO entities(id, type, name_ar, status, created_at) VALUES (?1, 'person', ?2, 'candidate', ?3)",
            )?
            .execute(params![id, c.surface, now()])?;
        if added > 0 {
            add_alias(tx, &id, &c.surface, NameKind::Name)?;
            let rowid: i64 = tx
                .prepare_cached("SELECT rowid FROM entities WHERE id = ?1")?
                .query_row([&id], |r| r.get(0))?;
            fts.entity(rowid, text::index_terms(&c.surface));
        }
        let status: Status = tx
            .prepare_cached("SELECT status FROM entities WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))?;
        if status != Status::Candidate {
            continue;
        }
        tx.prepare_cached(
            "INSERT INTO mentions(article_id, entity_id, field, start, end, surface, sentence, how)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'discovered')",
        )?
        .execute(params![
            article_id,
            id,
            c.field.as_str(),
            c.start as i64,
            c.end as i64,
            c.surface,
            c.sentence as i64
        ])?;
    }
    Ok(())
}

/// Redo every article's mentions with the current gazetteer. Idempotent.
/// Returns (articles, mentions).
pub fn reextract(conn: &mut Connection) -> Result<(i64, i64)> {
    let g = load(conn)?;
    crate::store::check_constraints(conn, false)?;
    let result = reextract_all(conn, &g);
    crate::store::check_constraints(conn, true)?;
    let articles = result?;
    // The sentence index was written anew: one segment (see optimize_fts).
    let _ = crate::store::optimize_fts(conn, &["sentences_fts"]);
    crate::store::release_free_pages(conn);
    let mentions: i64 = conn.query_row("SELECT count(*) FROM mentions", [], |r| r.get(0))?;
    Ok((articles, mentions))
}

fn reextract_all(conn: &mut Connection, g: &Gazetteer) -> Result<i64> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "DELETE FROM mentions; DELETE FROM sentences; DELETE FROM entities_fts;
         INSERT INTO sentences_fts(sentences_fts) VALUES ('delete-all');
         DELETE FROM entity_aliases WHERE entity_id IN (SELECT id FROM entities WHERE status = 'candidate');
         DELETE FROM entities WHERE status = 'candidate';",
    )?;
    let mut fts = FtsQueue::default();
    let articles = crate::articles::for_each(
        &tx,
        |_, t, b| extract(g, t, b),
        |id, x| {
            write(&tx, id, x, &mut fts)?;
            fts.flush_if_full(&tx)
        },
    )?;
    fts.flush(&tx)?;
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(articles)
}

/// The entity a NAME means: its id, an Arabic or English name, or an alias.
pub fn resolve(conn: &Connection, name: &str) -> Result<String> {
    if let Some(id) = conn
        .query_row("SELECT id FROM entities WHERE id = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
    {
        return follow_merge(conn, id);
    }
    let n = text::normalize(name);
    let mut st = conn.prepare(
        "SELECT DISTINCT a.entity_id FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
         WHERE (a.normalized = ?1 OR lower(a.alias) = lower(?2)) AND e.status != 'rejected'
         ORDER BY (a.kind = 'name') DESC, (e.status = 'accepted') DESC, a.entity_id",
    )?;
    let ids: Vec<String> = st
        .query_map(params![n, name], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.first() {
        Some(id) => follow_merge(conn, id.clone()),
        None => Err(Error::NotFound(format!(
            "entity {name:?}: no id, name or alias matches; list them with `marsad entities` or add one with `marsad entity add`"
        ))),
    }
}

fn follow_merge(conn: &Connection, mut id: String) -> Result<String> {
    for _ in 0..16 {
        let next: Option<String> = conn
            .query_row(
                "SELECT merged_into FROM entities WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        match next {
            Some(n) => id = n,
            None => break,
        }
    }
    Ok(id)
}

/// The gazetteer as the archive holds it: every accepted entity, in the
/// form `entities --import` reads (see [`super::to_tsv`]).
pub fn definitions(conn: &Connection) -> Result<Vec<EntityDef>> {
    let mut st = conn.prepare(
        "SELECT id, type, name_ar, coalesce(name_en, ''), coalesce(wikidata, '') FROM entities
         WHERE status = 'accepted' AND merged_into IS NULL ORDER BY id",
    )?;
    let mut defs: Vec<EntityDef> = st
        .query_map([], |r| {
            Ok(EntityDef {
                id: r.get(0)?,
                etype: r.get(1)?,
                name_ar: r.get(2)?,
                name_en: r.get(3)?,
                wikidata: r.get(4)?,
                aliases: Vec::new(),
                short: Vec::new(),
                not_near: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut aliases = conn.prepare(
        "SELECT alias, kind FROM entity_aliases WHERE entity_id = ?1 AND kind != 'name' ORDER BY rowid",
    )?;
    let mut not_near =
        conn.prepare("SELECT word FROM entity_not_near WHERE entity_id = ?1 ORDER BY rowid")?;
    for d in &mut defs {
        for row in aliases.query_map([&d.id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, NameKind>(1)?))
        })? {
            let (alias, kind) = row?;
            if kind == NameKind::Short {
                d.short.push(alias);
            } else if alias != d.name_ar && alias != d.name_en {
                d.aliases.push(alias);
            }
        }
        d.not_near = not_near
            .query_map([&d.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(defs)
}

/// Another entity that `alias` already names (normalised), if any, and
/// whether it is that entity's name rather than one of its aliases.
pub fn alias_owner(conn: &Connection, id: &str, alias: &str) -> Result<Option<(String, bool)>> {
    Ok(conn
        .query_row(
            "SELECT a.entity_id, a.kind = 'name' FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
             WHERE a.normalized = ?1 AND a.entity_id != ?2 AND e.status != 'rejected'
               AND e.merged_into IS NULL ORDER BY a.kind = 'name' DESC LIMIT 1",
            params![text::normalize(alias), id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Remove an alias (or short name) from an entity; its names stay.
pub fn remove_alias(conn: &mut Connection, id: &str, alias: &str) -> Result<()> {
    let tx = conn.transaction()?;
    let n = tx.execute(
        "DELETE FROM entity_aliases WHERE entity_id = ?1 AND kind != 'name'
           AND (alias = ?2 OR normalized = ?3)",
        params![id, alias, text::normalize(alias)],
    )?;
    if n == 0 {
        return Err(Error::NotFound(format!(
            "entity {id} has no alias {alias:?}; `marsad entity {id}` lists them (its names are changed with `entity rename`)"
        )));
    }
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(())
}

/// Add an alias to an entity (kind 'alias' or 'short'). Its own names are
/// refused: as a short name or an alias they would stop matching alone.
pub fn alias(conn: &mut Connection, id: &str, alias: &str, kind: NameKind) -> Result<()> {
    check_name(id, alias)?;
    let own_name: bool = conn.query_row(
        "SELECT count(*) > 0 FROM entity_aliases WHERE entity_id = ?1 AND kind = 'name'
           AND (alias = ?2 OR normalized = ?3)",
        params![id, alias, text::normalize(alias)],
        |r| r.get(0),
    )?;
    if own_name {
        return Err(Error::Invalid(format!(
            "{alias:?} is already {id}'s name; names are changed with `marsad entity rename`"
        )));
    }
    let tx = conn.transaction()?;
    add_alias(&tx, id, alias, kind)?;
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(())
}

/// Merge `from` into `into`: its aliases move, its mentions are re-pointed,
/// and it stays as a pointer so old ids still resolve.
pub fn merge(conn: &mut Connection, from: &str, into: &str) -> Result<()> {
    if from == into {
        return Err(Error::Invalid(format!("cannot merge {from} into itself")));
    }
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT OR IGNORE INTO entity_aliases(entity_id, alias, kind, normalized)
         SELECT ?2, alias, CASE kind WHEN 'name' THEN 'alias' ELSE kind END, normalized FROM entity_aliases WHERE entity_id = ?1",
        params![from, into],
    )?;
    tx.execute("DELETE FROM entity_aliases WHERE entity_id = ?1", [from])?;
    tx.execute(
        "UPDATE mentions SET entity_id = ?2 WHERE entity_id = ?1",
        params![from, into],
    )?;
    tx.execute(
        "UPDATE entities SET merged_into = ?2, status = 'rejected' WHERE id = ?1",
        params![from, into],
    )?;
    tx.execute(
        "UPDATE entities SET status = 'accepted' WHERE id = ?1",
        [into],
    )?;
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(())
}

/// Accept an entity. A discovered candidate (`cand-…`) gets a readable id
/// on the way, the slug of its English name or of its Arabic name written
/// in Latin letters (`mayk-bwmbyw`), and its old id keeps resolving to it.
/// Returns the id it has now.
pub fn accept(conn: &mut Connection, id: &str) -> Result<String> {
    if !id.starts_with("cand-") {
        set_status(conn, id, Decision::Accepted)?;
        return Ok(id.to_string());
    }
    let (name_ar, name_en): (String, Option<String>) = conn.query_row(
        "SELECT name_ar, name_en FROM entities WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let base = slug(
        name_en
            .as_deref()
            .filter(|n| !slug(n).is_empty())
            .unwrap_or(&name_ar),
    );
    let base = if base.is_empty() {
        id.to_string()
    } else {
        base
    };
    let taken = |c: &str| -> Result<bool> {
        Ok(conn
            .query_row("SELECT 1 FROM entities WHERE id = ?1", [c], |_| Ok(()))
            .optional()?
            .is_some())
    };
    let mut new = base.clone();
    let mut n = 2;
    while taken(&new)? {
        new = format!("{base}-{n}");
        n += 1;
    }
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO entities(id, type, name_ar, name_en, wikidata, status, created_at)
         SELECT ?2, type, name_ar, name_en, wikidata, 'accepted', created_at FROM entities WHERE id = ?1",
        params![id, new],
    )?;
    for table in ["entity_aliases", "entity_not_near", "mentions"] {
        tx.execute(
            &format!("UPDATE {table} SET entity_id = ?2 WHERE entity_id = ?1"),
            params![id, new],
        )?;
    }
    // As a merge leaves it: the old id resolves to the new one.
    tx.execute(
        "UPDATE entities SET merged_into = ?2, status = 'rejected' WHERE id = ?1",
        params![id, new],
    )?;
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(new)
}

/// An ASCII id from a name: Latin letters and digits kept, Arabic letters
/// written in Latin (one common transcription, no vowels added), the rest
/// turned into single hyphens.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let latin: &str = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'A'..='Z' => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            'ا' | 'أ' | 'إ' | 'آ' | 'ى' | 'ء' | 'ؤ' | 'ئ' | 'ع' | 'ة' => "a",
            'ب' => "b",
            'ت' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' | 'ه' => "h",
            'خ' => "kh",
            'د' => "d",
            'ذ' => "dh",
            'ر' => "r",
            'ز' => "z",
            'س' | 'ص' => "s",
            'ش' => "sh",
            'ض' => "d",
            'ط' => "t",
            'ظ' => "z",
            'غ' => "gh",
            'ف' => "f",
            'ق' => "q",
            'ك' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            'و' => "w",
            'ي' => "y",
            // Harakat and tatweel add nothing to an id.
            '\u{064B}'..='\u{0652}' | 'ـ' => continue,
            _ => "-",
        };
        if latin == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(latin);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// What an analyst decided about an entity (`entities.status`; a
/// discovered one is a `candidate` until then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accepted,
    Rejected,
}

/// Set an entity's status; a rejected one loses its mentions.
pub fn set_status(conn: &mut Connection, id: &str, status: Decision) -> Result<()> {
    let tx = conn.transaction()?;
    let value = match status {
        Decision::Accepted => Status::Accepted,
        Decision::Rejected => Status::Rejected,
    };
    tx.execute(
        "UPDATE entities SET status = ?2 WHERE id = ?1",
        params![id, value],
    )?;
    if status == Decision::Rejected {
        tx.execute("DELETE FROM mentions WHERE entity_id = ?1", [id])?;
    }
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(())
}

/// Rename an entity (its Arabic and/or English name); old names stay aliases.
pub fn rename(
    conn: &mut Connection,
    id: &str,
    name_ar: Option<&str>,
    name_en: Option<&str>,
) -> Result<()> {
    for n in name_ar.into_iter().chain(name_en) {
        check_name(id, n)?;
    }
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE entity_aliases SET kind = 'alias' WHERE entity_id = ?1 AND kind = 'name'",
        [id],
    )?;
    if let Some(n) = name_ar {
        tx.execute(
            "UPDATE entities SET name_ar = ?2 WHERE id = ?1",
            params![id, n],
        )?;
    }
    if let Some(n) = name_en {
        tx.execute(
            "UPDATE entities SET name_en = ?2 WHERE id = ?1",
            params![id, n],
        )?;
    }
    let (ar, en): (String, Option<String>) = tx.query_row(
        "SELECT name_ar, name_en FROM entities WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    add_alias(&tx, id, &ar, NameKind::Name)?;
    if let Some(en) = en {
        add_alias(&tx, id, &en, NameKind::Name)?;
    }
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(())
}
