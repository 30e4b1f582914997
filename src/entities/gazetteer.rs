//! The gazetteer: the TSV file analysts edit, and the in-memory index built
//! from the archive's tables that extraction runs against.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{EntityType, NameKind};
use crate::text;

/// One line of the gazetteer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityDef {
    pub id: String,
    pub etype: EntityType,
    pub name_ar: String,
    pub name_en: String,
    pub wikidata: String,
    pub aliases: Vec<String>,
    pub short: Vec<String>,
    pub not_near: Vec<String>,
    /// The id of the country (a place entity) it belongs to, if any: a
    /// generic name (وزارة الداخلية) is this entity only in an article that
    /// names the country or something in it.
    pub country: String,
}

impl EntityDef {
    /// Every name it is found by: Arabic and English names, aliases, short forms.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name_ar.as_str())
            .chain((!self.name_en.is_empty()).then_some(self.name_en.as_str()))
            .chain(self.aliases.iter().chain(&self.short).map(String::as_str))
    }
}

fn list(s: Option<&&str>) -> Vec<String> {
    s.map(|s| {
        s.split('|')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

/// Why `alias` cannot be a name to look for, if it cannot: fewer than two
/// letters, or only clitics (و ف ب ل ك ال لل and their combinations such as
/// وال، بال، ولل). Either would match in nearly every sentence (an alias `و`
/// made 881 false mentions after a reextract, as reported in issue 15).
pub fn alias_problem(alias: &str) -> Option<String> {
    let n = text::normalize(alias);
    let letters = n.chars().filter(|c| c.is_alphabetic()).count();
    let clitic = |t: &str| {
        let t = t.strip_prefix(['و', 'ف']).unwrap_or(t);
        let rest = t.strip_prefix(['ب', 'ك', 'ل']).unwrap_or(t);
        t.is_empty() || t == "لل" || rest.is_empty() || rest == "ال"
    };
    if letters < 2 {
        Some(format!(
            "alias {alias:?} has fewer than two letters; give a name of two letters or more"
        ))
    } else if name_tokens(alias).iter().all(|t| clitic(t)) {
        Some(format!(
            "alias {alias:?} is only clitics (و ف ب ل ك ال لل), which prefix nearly every word; \
             give the name itself"
        ))
    } else {
        None
    }
}

/// Columns of the gazetteer format, as its header names them.
pub const TSV_HEADER: &str =
    "# id\ttype\tname_ar\tname_en\twikidata\taliases\tshort\tnot_near\tcountry";

/// Definitions in the format [`parse_tsv`] reads: `to_tsv` then `parse_tsv`
/// gives them back unchanged.
pub fn to_tsv(defs: &[EntityDef]) -> String {
    let mut out = String::from(TSV_HEADER);
    out.push('\n');
    // Tabs, newlines and the list separator cannot be in a cell.
    let clean = |s: &str| s.replace(['\t', '\n', '\r', '|'], " ");
    let list = |v: &[String]| v.iter().map(|s| clean(s)).collect::<Vec<_>>().join("|");
    for d in defs {
        let cells = [
            clean(&d.id),
            d.etype.to_string(),
            clean(&d.name_ar),
            clean(&d.name_en),
            clean(&d.wikidata),
            list(&d.aliases),
            list(&d.short),
            list(&d.not_near),
            clean(&d.country),
        ];
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// Parse the gazetteer format (see seeds/entities.tsv): tab-separated
/// `id type name_ar name_en wikidata aliases short not_near country`, `#`
/// comments; the columns after name_ar may be left out.
pub fn parse_tsv(text: &str) -> Result<Vec<EntityDef>, String> {
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        let at = |msg: String| format!("line {}: {msg}", n + 1);
        if c.len() < 3 {
            return Err(at(format!(
                "expected at least id, type and name_ar separated by tabs, found {:?}",
                line
            )));
        }
        let id = c[0].trim();
        if id.is_empty()
            || !id
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(at(format!(
                "id {id:?} must be ASCII letters, digits, - or _"
            )));
        }
        if !ids.insert(id.to_string()) {
            return Err(at(format!("id {id:?} appears twice")));
        }
        let Some(etype) = EntityType::parse(c[1].trim()) else {
            return Err(at(format!(
                "type {:?} must be {}",
                c[1].trim(),
                EntityType::words()
            )));
        };
        let name_ar = c[2].trim();
        if text::normalize(name_ar).is_empty() {
            return Err(at("name_ar is empty".into()));
        }
        let def = EntityDef {
            id: id.into(),
            etype,
            name_ar: name_ar.into(),
            name_en: c.get(3).map_or("", |s| s.trim()).into(),
            wikidata: c.get(4).map_or("", |s| s.trim()).into(),
            aliases: list(c.get(5)),
            short: list(c.get(6)),
            not_near: list(c.get(7)),
            country: c.get(8).map_or("", |s| s.trim()).into(),
        };
        if let Some(p) = def.names().find_map(alias_problem) {
            return Err(at(p));
        }
        out.push(def);
    }
    Ok(out)
}

/// A name to look for: its normalised tokens and whose it is.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub tokens: Vec<String>,
    pub entity: usize,
    pub how: NameKind,
    /// Made only of common words (وزارة الداخلية، المنفي): linked only
    /// where the context supports it (see `extract`).
    pub generic: bool,
    /// Written with a final ي (المنفي), which normalisation folds together
    /// with ى (المنفى, "the exile").
    pub final_ya: bool,
}

/// The index extraction runs against, built once per run.
#[derive(Debug, Default)]
pub struct Gazetteer {
    pub(crate) ids: Vec<String>,
    /// First normalised token → patterns, longest first.
    /// FxHash: looked up once per token of every article, and the keys are
    /// our own gazetteer, so a fast non-keyed hash is safe.
    pub(crate) by_first: rustc_hash::FxHashMap<String, Vec<Pattern>>,
    /// Entity → stems that veto a match in the same sentence.
    pub(crate) not_near: HashMap<usize, HashSet<String>>,
    /// Normalised names of candidates an analyst rejected.
    pub(crate) rejected: HashSet<String>,
    /// Entity → its type, where known.
    pub(crate) types: HashMap<usize, EntityType>,
    /// Entity → the entity of its country, where given.
    pub(crate) country: HashMap<usize, usize>,
    /// The adjectives its one-word places make (ليبي, سوري), normalised,
    /// without article or feminine ending.
    pub(crate) nisba: HashSet<String>,
}

/// Normalised tokens of a name.
pub(crate) fn name_tokens(name: &str) -> Vec<String> {
    text::tokens(name)
        .iter()
        .map(|t| text::normalize(t.surface))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The adjectives a place name makes, normalised and without the article
/// or the feminine ending: ليبيا → ليبي، مصر → مصري، أمريكا → امريكي.
fn nisba_forms(place: &str) -> Vec<String> {
    let mut out = vec![format!("{place}ي")];
    if let Some(stem) = place.strip_suffix('ا') {
        out.push(if stem.ends_with('ي') {
            stem.to_string()
        } else {
            format!("{stem}ي")
        });
    }
    out
}

/// A normalised word without its article and feminine ending (الليبيه → ليبي).
fn adjective_stem(w: &str) -> &str {
    let w = w.strip_prefix("ال").unwrap_or(w);
    w.strip_suffix('ه').unwrap_or(w)
}

impl Gazetteer {
    /// Build from (entity id, alias, kind) rows and (entity id, word) vetoes.
    pub fn build(
        aliases: impl IntoIterator<Item = (String, String, NameKind)>,
        not_near: impl IntoIterator<Item = (String, String)>,
        rejected: impl IntoIterator<Item = String>,
    ) -> Gazetteer {
        let mut g = Gazetteer::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut idx = |g: &mut Gazetteer, id: &str| -> usize {
            *index.entry(id.to_string()).or_insert_with(|| {
                g.ids.push(id.to_string());
                g.ids.len() - 1
            })
        };
        for (id, alias, kind) in aliases {
            let tokens = name_tokens(&alias);
            if tokens.is_empty() {
                continue;
            }
            let entity = idx(&mut g, &id);
            let generic = tokens.iter().all(|t| text::is_common_word(t));
            let final_ya = alias.trim_end().ends_with('ي');
            g.by_first
                .entry(tokens[0].clone())
                .or_default()
                .push(Pattern {
                    tokens,
                    entity,
                    how: kind,
                    generic,
                    final_ya,
                });
        }
        let rank = |how: NameKind| match how {
            NameKind::Name => 0,
            NameKind::Alias => 1,
            NameKind::Short => 2,
        };
        for pats in g.by_first.values_mut() {
            pats.sort_by(|a, b| {
                b.tokens
                    .len()
                    .cmp(&a.tokens.len())
                    .then(a.entity.cmp(&b.entity))
                    .then(rank(a.how).cmp(&rank(b.how)))
            });
            // One pattern per name and entity: a spelling listed as both
            // name and alias (بنغازي/بنغازى) counts as the name.
            pats.dedup_by(|b, a| a.tokens == b.tokens && a.entity == b.entity);
        }
        for (id, word) in not_near {
            let entity = idx(&mut g, &id);
            // Every index term the word can appear as (ومدرب, unseen in the
            // lexicon, keeps its و), as search expands a query word.
            g.not_near
                .entry(entity)
                .or_default()
                .extend(text::query_alternatives(&word));
        }
        g.rejected = rejected.into_iter().map(|n| text::normalize(&n)).collect();
        g
    }

    /// Add each entity's type and country (entity id, type, country id or
    /// ''). Entities not in the index are left out.
    pub fn with_context(
        mut self,
        rows: impl IntoIterator<Item = (String, EntityType, String)>,
    ) -> Gazetteer {
        let index: HashMap<&str, usize> = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut types = HashMap::new();
        let mut country = HashMap::new();
        for (id, etype, c) in rows {
            let Some(&e) = index.get(id.as_str()) else {
                continue;
            };
            types.insert(e, etype);
            if let Some(&ce) = index.get(c.as_str()) {
                country.insert(e, ce);
            }
        }
        self.types = types;
        self.country = country;
        // A name with the adjective of a place of the gazetteer (الليبية،
        // الأميركية) says where it belongs: it is not generic.
        let mut nisba: HashSet<String> = HashSet::new();
        for p in self.by_first.values().flatten() {
            if p.tokens.len() == 1 && self.types.get(&p.entity) == Some(&EntityType::Place) {
                nisba.extend(nisba_forms(&p.tokens[0]));
            }
        }
        for p in self.by_first.values_mut().flatten() {
            if p.generic && p.tokens.iter().any(|t| nisba.contains(adjective_stem(t))) {
                p.generic = false;
            }
        }
        self.nisba = nisba;
        self
    }

    /// Whether a normalised word is the adjective of one of its places with
    /// the article (السوريه, الليبي): a word of a name, never one alone.
    pub(crate) fn is_place_adjective(&self, w: &str) -> bool {
        w.starts_with("ال") && self.nisba.contains(adjective_stem(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_round_trips() {
        let defs = parse_tsv(super::super::DEFAULT_GAZETTEER).unwrap();
        assert_eq!(parse_tsv(&to_tsv(&defs)).unwrap(), defs);
    }

    #[test]
    fn shipped_gazetteer_parses() {
        let defs = parse_tsv(super::super::DEFAULT_GAZETTEER).unwrap();
        assert!(defs.len() >= 120, "{}", defs.len());
        assert!(defs.iter().any(
            |d| d.id == "yunus-bek-yevkurov" && d.aliases.contains(&"يونس يفكيروف".to_string())
        ));
    }

    #[test]
    fn clitics_and_single_letters_are_not_aliases() {
        for bad in [
            "و", "  ", "", "ال", "لل", "وال", "بال", "ولل", "فبال", "و ال", "لـ", "x", "ـ",
        ] {
            assert!(alias_problem(bad).is_some(), "{bad:?} accepted");
        }
        for good in [
            "حفتر",
            "الكفرة",
            "بنغازي",
            "UN",
            "وال حفتر",
            "فاغنر",
            "لبيب",
        ] {
            assert_eq!(alias_problem(good), None, "{good:?}");
        }
        let e = parse_tsv("x\tperson\tاسم\t\t\tاسم|و").unwrap_err();
        assert!(e.contains("line 1") && e.contains("\"و\""), "{e}");
    }

    #[test]
    fn bad_lines_are_named() {
        assert!(parse_tsv("x\tperson").unwrap_err().contains("line 1"));
        assert!(parse_tsv("x\tthing\tاسم").unwrap_err().contains("type"));
        assert!(parse_tsv("a b\tperson\tاسم").unwrap_err().contains("id"));
    }
}
