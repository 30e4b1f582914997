//! Pairs of people named in one sentence with a meeting word, per day
//! (`person_meeting_days`, V21): what the saved query who-met-whom counts.
//! The meeting words are the archive's own (meta `meeting_query`, an FTS5
//! query over `sentences_fts`), matched once when the articles are
//! summarised, so the saved query reads a few rows instead of matching and
//! joining every sentence with a meeting word. An archive without them
//! counts nothing here, and who-met-whom searches as it did before.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::{Article, Counts, Key3};
use crate::error::Result;
use crate::store::meta::{self, Meta};

/// The meeting sentences of the articles being summarised, and the counts
/// gathered from them.
#[derive(Default)]
pub(super) struct Meetings {
    /// (article, field, sentence index) of each sentence with a meeting word.
    sentences: HashSet<(i64, String, i64)>,
    /// Whether an entity is a person, as looked up.
    person: HashMap<String, bool>,
    /// Per (person_a, person_b, day): sentences, first and last date.
    pub(super) counts: HashMap<Key3, Counts>,
}

impl Meetings {
    /// Find the sentences with a meeting word among the articles `a` that
    /// `w` keeps (`args` bind its parameters).
    pub(super) fn find(
        &mut self,
        conn: &Connection,
        w: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<()> {
        self.sentences.clear();
        let Some(query) = meta::get(conn, Meta::MeetingQuery)? else {
            return Ok(());
        };
        // The articles' sentences are a range of ids (written in article
        // order); FTS5 seeks within it rather than listing every match.
        let pick = format!("SELECT a.id FROM articles a WHERE {w}");
        let (lo, hi): (Option<i64>, Option<i64>) = conn
            .prepare_cached(&format!(
                "SELECT min(s.id), max(s.id) FROM sentences s WHERE s.article_id IN ({pick})"
            ))?
            .query_row(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(());
        };
        let n = args.len();
        let mut st = conn.prepare_cached(&format!(
            "SELECT s.article_id, s.field, s.idx FROM sentences s
             WHERE s.id IN (SELECT rowid FROM sentences_fts
                            WHERE sentences_fts MATCH ?{} AND rowid BETWEEN ?{} AND ?{})
               AND s.article_id IN ({pick})",
            n + 1,
            n + 2,
            n + 3
        ))?;
        let mut all: Vec<&dyn rusqlite::ToSql> = args.to_vec();
        all.extend([&query as &dyn rusqlite::ToSql, &lo, &hi]);
        let mut rows = st.query(all.as_slice())?;
        while let Some(r) = rows.next()? {
            self.sentences.insert((r.get(0)?, r.get(1)?, r.get(2)?));
        }
        Ok(())
    }

    /// Count entities `e` and `f` of article `art` (each with the sorted
    /// sentences, as (field, index), that name it), `e` < `f`: the
    /// sentences naming both with a meeting word, when both are people.
    pub(super) fn pair(
        &mut self,
        conn: &Connection,
        art: &Article,
        (e, at_e): (&String, &[(String, i64)]),
        (f, at_f): (&String, &[(String, i64)]),
    ) -> Result<()> {
        if self.sentences.is_empty() {
            return Ok(());
        }
        let n = at_e
            .iter()
            .filter(|p| at_f.binary_search(p).is_ok())
            .filter(|(field, idx)| self.sentences.contains(&(art.id, field.clone(), *idx)))
            .count() as i64;
        if n == 0 || !self.is_person(conn, e)? || !self.is_person(conn, f)? {
            return Ok(());
        }
        self.counts
            .entry((e.clone(), f.clone(), art.day.clone()))
            .or_default()
            .add(n, 0, &art.date);
        Ok(())
    }

    fn is_person(&mut self, conn: &Connection, id: &str) -> Result<bool> {
        if let Some(p) = self.person.get(id) {
            return Ok(*p);
        }
        let p = conn
            .prepare_cached("SELECT 1 FROM entities WHERE id = ?1 AND type = 'person'")?
            .exists([id])?;
        self.person.insert(id.to_string(), p);
        Ok(p)
    }

    /// Keep only the rows of the entities in `ids`.
    pub(super) fn only(&mut self, ids: &[&str]) {
        self.counts
            .retain(|k, _| ids.contains(&k.0.as_str()) || ids.contains(&k.1.as_str()));
    }
}
