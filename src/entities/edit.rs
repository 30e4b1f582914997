//! An analyst's edits to the gazetteer: aliases added and removed, merges,
//! renames, and decisions on discovered candidates. Each is one transaction;
//! mentions follow at the next `marsad reextract` (a rejection drops them
//! at once).

use rusqlite::{Connection, OptionalExtension, params};

use super::store::{add_alias, check_name, free_id, rebuild_entities_fts, rename_id};
use super::{EntityType, NameKind, Status};
use crate::error::{Error, Result};
use crate::text;

/// Another entity that `alias` already names (normalised), if any: its id,
/// whether it is that entity's name rather than one of its aliases, and
/// whether that entity is a candidate.
fn alias_owner(conn: &Connection, id: &str, alias: &str) -> Result<Option<(String, bool, bool)>> {
    Ok(conn
        .query_row(
            "SELECT a.entity_id, a.kind = 'name', e.status = 'candidate'
             FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
             WHERE a.normalized = ?1 AND a.entity_id != ?2 AND e.status != 'rejected'
               AND e.merged_into IS NULL ORDER BY a.kind = 'name' DESC LIMIT 1",
            params![text::normalize(alias), id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Names for entity `id` that already name another live entity (not
/// rejected, not merged): two entities sharing a name are tagged as one of
/// them only. Without `force` the first is refused, saying what to do
/// instead; with it, each is returned as a warning to show.
pub fn check_names(
    conn: &Connection,
    id: &str,
    names: &[&str],
    force: bool,
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    for name in names {
        let Some((other, is_name, candidate)) = alias_owner(conn, id, name)? else {
            continue;
        };
        if force {
            warnings.push(format!(
                "{name:?} also names {other}; a name of two entities is tagged as one of them only"
            ));
            continue;
        }
        let fix = if is_name && candidate {
            format!(
                "it is the name of the candidate {other}: `marsad entity accept {other}` makes it a gazetteer entity, \
                 or pass --force and then `marsad entity merge {other} NEW-ID`"
            )
        } else if is_name {
            format!(
                "it is {other}'s name: merge the two (`marsad entity merge`) if they are one, or pass --force"
            )
        } else {
            format!(
                "remove it there (`marsad entity alias {other} {name:?} --remove`), or pass --force"
            )
        };
        return Err(Error::Invalid(format!(
            "{name:?} already names entity {other}, and a name of two entities is tagged as one of them only; {fix}"
        )));
    }
    Ok(warnings)
}

/// An entity named for an edit: as [`super::store::resolve`] finds it, but
/// an id merged into another is refused rather than followed, so that an
/// edit never lands on an entity the analyst did not name.
pub fn resolve_for_edit(conn: &Connection, name: &str) -> Result<String> {
    let merged: Option<String> = conn
        .query_row(
            "SELECT merged_into FROM entities WHERE id = ?1",
            [name.trim()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(into) = merged {
        let now = super::store::resolve(conn, name)?;
        return Err(Error::Invalid(format!(
            "{} was merged into {into}{}: it is no entity of its own to edit; name {now} to edit what it became",
            name.trim(),
            if now != into {
                format!(" (now {now})")
            } else {
                String::new()
            }
        )));
    }
    super::store::resolve(conn, name)
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
/// and it stays as a pointer so old ids still resolve; `into` is accepted.
/// A merge cannot be undone, so a rejected `into` is refused (accept it
/// first) and so are two types (a person into a place) unless `force`.
/// Returns `into`'s status before.
pub fn merge(conn: &mut Connection, from: &str, into: &str, force: bool) -> Result<Status> {
    if from == into {
        return Err(Error::Invalid(format!("cannot merge {from} into itself")));
    }
    let kind = |id: &str| -> Result<(EntityType, Status)> {
        Ok(conn.query_row(
            "SELECT type, status FROM entities WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    };
    let ((from_type, _), (into_type, into_status)) = (kind(from)?, kind(into)?);
    if into_status == Status::Rejected {
        return Err(Error::Invalid(format!(
            "{into} is rejected: a merge would accept it; `marsad entity accept {into}` first if it is one"
        )));
    }
    if from_type != into_type && !force {
        return Err(Error::Invalid(format!(
            "{from} is a {from_type} and {into} a {into_type}: a merge makes them one entity and cannot be undone; \
             pass --force if they are one"
        )));
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
    super::summary::recompute_entities(&tx, &[from, into])?;
    rebuild_entities_fts(&tx)?;
    tx.commit()?;
    Ok(into_status)
}

/// Accept an entity. A discovered candidate keeps its (readable) id; one
/// with an id of the old form (`cand-…`) gets a readable one on the way,
/// the slug of its English name or of its Arabic name written in Latin
/// letters (`mayk-bwmbyw`), and its old id keeps resolving to it.
/// Returns the id it has now.
pub fn accept(conn: &mut Connection, id: &str) -> Result<String> {
    if !id.starts_with("cand-") {
        surname_as_short_name(conn, id)?;
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
    let tx = conn.transaction()?;
    let new = free_id(&tx, if base.is_empty() { id } else { &base })?;
    rename_id(&tx, id, &new, Status::Accepted)?;
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
        super::summary::recompute_entities(&tx, &[id])?;
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

/// A discovered person named by two words or more is also his bare surname
/// after his full name in an article (محمد صلاح … صلاح) while a candidate;
/// accepted, he keeps it as a short name of the gazetteer. Not a surname
/// that is a common word without the article (صالح), a short one, or the
/// end of a compound (عبد الرحمن).
fn surname_as_short_name(conn: &Connection, id: &str) -> Result<()> {
    let Some((etype, status, name)) = conn
        .query_row(
            "SELECT type, status, name_ar FROM entities WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, EntityType>(0)?,
                    r.get::<_, Status>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(());
    };
    let words: Vec<&str> = name.split_whitespace().collect();
    if etype != EntityType::Person || status != Status::Candidate || words.len() < 2 {
        return Ok(());
    }
    let last = words[words.len() - 1];
    let n = text::normalize(last);
    if n.chars().count() < 3
        || (text::is_common_word(&n) && !n.starts_with("ال"))
        || super::alias_problem(last).is_some()
        || super::discover::CONNECTORS.contains(&text::normalize(words[words.len() - 2]).as_str())
    {
        return Ok(());
    }
    add_alias(conn, id, last, NameKind::Short)
}
