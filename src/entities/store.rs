//! The gazetteer and mentions in the archive: importing the file, loading
//! the index, writing an article's mentions, resolving names, and writing
//! the gazetteer back out (edits are in `edit.rs`, re-extracting
//! everything in `reextract.rs`).

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::{Candidate, EntityDef, EntityType, Extraction, Gazetteer, NameKind, Status};
use crate::error::{Error, Result};
use crate::identity::hex;
use crate::store::meta::{self, Meta};
use crate::store::{FtsQueue, now};
use crate::text;

/// Id of a discovered candidate in archives before V17 (`cand-` and a hash
/// of its normalised name); `reextract` gives such entities readable ids.
pub fn legacy_candidate_id(key: &str) -> String {
    format!("cand-{}", hex(&Sha256::digest(key.as_bytes())[..5]))
}

/// An id not yet taken: `base` (the slug of a name, or `entity` if it has
/// no letters), else `base-2`, `base-3` …
pub(super) fn free_id(conn: &Connection, base: &str) -> Result<String> {
    let base = if base.is_empty() { "entity" } else { base };
    let mut taken = conn.prepare_cached("SELECT 1 FROM entities WHERE id = ?1")?;
    let mut id = base.to_string();
    let mut n = 2;
    while taken.exists([&id])? {
        id = format!("{base}-{n}");
        n += 1;
    }
    Ok(id)
}

/// Give entity `old` the id `new` with `status`: a new row takes its
/// names, vetoes and mentions, and `old` stays as a pointer (merged into
/// `new`), so the old id keeps resolving.
pub(super) fn rename_id(tx: &Connection, old: &str, new: &str, status: Status) -> Result<()> {
    tx.execute(
        "INSERT INTO entities(id, type, name_ar, name_en, wikidata, status, created_at, country)
         SELECT ?2, type, name_ar, name_en, wikidata, ?3, created_at, country FROM entities WHERE id = ?1",
        params![old, new, status],
    )?;
    for table in ["entity_aliases", "entity_not_near", "mentions"] {
        tx.execute(
            &format!("UPDATE {table} SET entity_id = ?2 WHERE entity_id = ?1"),
            params![old, new],
        )?;
    }
    tx.execute(
        "UPDATE entities SET merged_into = ?2 WHERE merged_into = ?1",
        params![old, new],
    )?;
    tx.execute(
        "UPDATE entities SET merged_into = ?2, status = 'rejected' WHERE id = ?1",
        params![old, new],
    )?;
    super::summary::recompute_entities(tx, &[old, new])?;
    Ok(())
}

pub(super) fn add_alias(tx: &Connection, id: &str, alias: &str, kind: NameKind) -> Result<()> {
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
pub(super) fn check_name(id: &str, name: &str) -> Result<()> {
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

/// What an import of `defs` would do that the analyst should know, one line
/// each: a name another entity has already (imported all the same, as a
/// file is imported whole), a country that is no entity's id (its generic
/// names would find no context).
pub fn import_warnings(conn: &Connection, defs: &[EntityDef]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut known = conn.prepare_cached("SELECT count(*) > 0 FROM entities WHERE id = ?1")?;
    for d in defs {
        let unknown_country = !d.country.is_empty()
            && !defs.iter().any(|o| o.id == d.country)
            && !known.query_row([&d.country], |r| r.get::<_, bool>(0))?;
        if unknown_country {
            out.push(format!(
                "{}: country {:?} is no entity's id; its generic names will find no context (add the country, or fix the id)",
                d.id, d.country
            ));
        }
        let names: Vec<&str> = d.names().collect();
        for w in super::edit::check_names(conn, &d.id, &names, true)? {
            out.push(format!("{}: {w}", d.id));
        }
    }
    Ok(out)
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
    // A person who becomes an organisation (or back) leaves or joins the
    // people's summaries: recount them.
    let mut retyped: Vec<&str> = Vec::new();
    for d in defs {
        let old: Option<EntityType> = tx
            .query_row("SELECT type FROM entities WHERE id = ?1", [&d.id], |r| {
                r.get(0)
            })
            .optional()?;
        if old.is_some_and(|t| t != d.etype) {
            retyped.push(&d.id);
        }
        tx.execute(
            "INSERT INTO entities(id, type, name_ar, name_en, wikidata, status, created_at, country)
             VALUES (?1, ?2, ?3, nullif(?4, ''), nullif(?5, ''), 'accepted', ?6, nullif(?7, ''))
             ON CONFLICT(id) DO UPDATE SET type = excluded.type, name_ar = excluded.name_ar,
                name_en = excluded.name_en, wikidata = excluded.wikidata, status = 'accepted',
                country = excluded.country",
            params![d.id, d.etype, d.name_ar, d.name_en, d.wikidata, now(), d.country],
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
    super::summary::recompute_entities(&tx, &retyped)?;
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

pub(super) fn rebuild_entities_fts(tx: &Transaction) -> Result<()> {
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
    // Merged entities are pointers, not decisions against their names.
    let mut st = conn.prepare(
        "SELECT name_ar FROM entities WHERE status = 'rejected' AND merged_into IS NULL",
    )?;
    let rejected: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare(
        "SELECT id, type, coalesce(country, '') FROM entities WHERE status = 'accepted' AND merged_into IS NULL",
    )?;
    let context: Vec<(String, super::EntityType, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Gazetteer::build(aliases, not_near, rejected).with_context(context))
}

/// Ids of discovered entities already looked up or created in this
/// transaction, by type and normalised name (`None`: the name was turned
/// down), so that a name costs one query per transaction, not one per
/// mention.
#[derive(Debug, Default)]
pub struct DiscoveredIds(std::collections::HashMap<(EntityType, String), Option<String>>);

impl DiscoveredIds {
    /// The entity a discovered name is: the candidate of that type and
    /// name, or a new candidate with a readable id (the slug of its name,
    /// made unique). `None` if it is a name of a rejected or a gazetteer
    /// entity.
    fn id(&mut self, tx: &Connection, c: &Candidate, fts: &mut FtsQueue) -> Result<Option<String>> {
        let k = (c.kind, c.key.clone());
        if let Some(v) = self.0.get(&k) {
            return Ok(v.clone());
        }
        // By its key, else by its name's own normalisation: the two differ
        // where a proclitic was read off (للبنان: key البنان, name لبنان),
        // and the alias stored is the name's. A name of a gazetteer
        // (accepted) entity is the matcher's to link, and it found none here:
        // it turned the name down (a bare first name with no full name
        // before it, a generic name with no sign of its country: مجلس النواب
        // of Congress is not Libya's) or an analyst rejected it. Either way
        // the name is dropped: not linked past the matcher's rules, nor made
        // a candidate twin of the entity (which a merge could not undo),
        // whatever type the model gave it (صدام read as a place).
        let mut known: Option<(String, Status)> = None;
        for key in [c.key.clone(), text::normalize(&c.name)] {
            known = tx
                .prepare_cached(
                    "SELECT e.id, e.status FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
                     WHERE a.normalized = ?1 AND e.merged_into IS NULL
                       AND (e.type = ?2 OR e.status != 'candidate')
                     ORDER BY e.status = 'candidate', e.id LIMIT 1",
                )?
                .query_row(params![key, c.kind], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if known.is_some() {
                break;
            }
        }
        let id = match known {
            Some((id, Status::Candidate)) => Some(id),
            Some(_) => None,
            None => {
                let id = free_id(tx, &super::edit::slug(&c.name))?;
                tx.prepare_cached(
                    "INSERT INTO entities(id, type, name_ar, status, created_at) VALUES (?1, ?2, ?3, 'candidate', ?4)",
                )?
                .execute(params![id, c.kind, c.name, now()])?;
                add_alias(tx, &id, &c.name, NameKind::Name)?;
                let rowid: i64 = tx
                    .prepare_cached("SELECT rowid FROM entities WHERE id = ?1")?
                    .query_row([&id], |r| r.get(0))?;
                fts.entity(rowid, text::index_terms(&c.name));
                Some(id)
            }
        };
        self.0.insert(k, id.clone());
        Ok(id)
    }
}

/// Write an article's mentions, candidates and sentences.
/// Their full-text rows go to `fts`, which the caller flushes.
pub fn write(
    tx: &Connection,
    article_id: i64,
    x: Extraction,
    fts: &mut FtsQueue,
    ids: &mut DiscoveredIds,
) -> Result<()> {
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
    let mut insert = tx.prepare_cached(
        "INSERT INTO mentions(article_id, entity_id, field, start, end, surface, sentence, how)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for m in &x.mentions {
        insert.execute(params![
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
        let Some(id) = ids.id(tx, c, fts)? else {
            continue;
        };
        insert.execute(params![
            article_id,
            id,
            c.field.as_str(),
            c.start as i64,
            c.end as i64,
            c.surface,
            c.sentence as i64,
            c.how
        ])?;
    }
    Ok(())
}

/// The entity a NAME means: its id, an Arabic or English name, or an alias.
pub fn resolve(conn: &Connection, name: &str) -> Result<String> {
    // Spaces around a pasted name are not part of it.
    let name = name.trim();
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
        None => {
            // A long argument is named by its start, not echoed whole.
            let shown: String = name.chars().take(80).collect();
            let more = if shown.len() < name.len() { "…" } else { "" };
            Err(Error::NotFound(format!(
                "entity {shown:?}{more}: no id, name or alias matches; list them with `marsad entities` or add one with `marsad entity add`"
            )))
        }
    }
}

/// Other live entities (not rejected, not merged) that `name` also names,
/// by a name or an alias, besides `id`: (id, type, status). Empty when
/// `name` is an id. `resolve` picks one; these are the ones it did not.
pub fn namesakes(
    conn: &Connection,
    name: &str,
    id: &str,
) -> Result<Vec<(String, EntityType, Status)>> {
    let name = name.trim();
    let is_id: bool = conn.query_row(
        "SELECT count(*) > 0 FROM entities WHERE id = ?1",
        [name],
        |r| r.get(0),
    )?;
    if is_id {
        return Ok(Vec::new());
    }
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT e.id, e.type, e.status FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
         WHERE (a.normalized = ?1 OR lower(a.alias) = lower(?2)) AND e.id != ?3
           AND e.status != 'rejected' AND e.merged_into IS NULL
         ORDER BY e.id",
    )?;
    let rows = st
        .query_map(params![text::normalize(name), name, id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
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
        "SELECT id, type, name_ar, coalesce(name_en, ''), coalesce(wikidata, ''), coalesce(country, '') FROM entities
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
                country: r.get(5)?,
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
