//! Linking in context: the recogniser's spans become discovered entities
//! (where the gazetteer has nothing), later bare first names and surnames
//! of a discovered person are that person, and generic gazetteer names are
//! kept only where the article supports them.

// FxHash: these maps are filled and probed for every word of every article.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::discover::{CONNECTORS, is_listed_given_name};
use super::gazetteer::Gazetteer;
use super::scan::{FieldScan, Tok, first_forms, original_prefix_len};
use super::{Candidate, EntityType, How, Mention, NameKind};

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
use crate::ner::Tagger;
use crate::text;
use crate::text::clitics::ENTITY_PROCLITICS;

/// A recognised name: tokens `start..end` of a field, of type `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
}

/// The tagger's spans over a field, sentence by sentence, as token ranges
/// of the field. A span stops where punctuation separates two of its words.
pub(super) fn ner_spans(tagger: &dyn Tagger, f: &FieldScan) -> Vec<Span> {
    let mut out = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for r in &f.sentences {
        words.clear();
        words.extend(f.toks[r.clone()].iter().map(|t| t.t.surface));
        for s in tagger.tag(&words) {
            if s.start >= s.end
                || s.end > words.len()
                || s.kind == EntityType::Other
                || !crate::ner::plausible(&words, &s)
            {
                continue;
            }
            let (mut start, mut end) = (r.start + s.start, r.start + s.end);
            // A preposition the model took into the name (على محمد صلاح,
            // على ستاد هزاع بن زايد) is left out. A person's span keeps it
            // when one word would be left: Egyptian spelling writes the name
            // علي as على (على الشناوي).
            while end - start > 1
                && is_preposition(&f.toks[start])
                && (s.kind != EntityType::Person || end - start > 2)
            {
                start += 1;
            }
            if let Some(k) = (start + 1..end).find(|&k| !f.toks[k - 1].joined_next) {
                end = k;
            }
            out.push(Span {
                start,
                end,
                kind: s.kind,
            });
        }
    }
    out
}

/// Prepositions written as words of their own (normalised), as written: a
/// final ي must be the text's ى, as على is, or it is the name علي.
fn is_preposition(t: &Tok) -> bool {
    const PREPOSITIONS: &[&str] = &[
        "علي", "الي", "في", "من", "عن", "مع", "لدي", "حتي", "منذ", "عند",
    ];
    PREPOSITIONS.contains(&t.norm) && (!t.norm.ends_with('ي') || t.t.surface.ends_with('ى'))
}

/// How many normalised characters of a recognised name's first word are a
/// proclitic, and the word without it: a preposition or conjunction before
/// the article (بالعراق → العراق, للعراق → العراق), or a bare one that the
/// tagger splits off (`bare`: its length; وبوش → بوش, but واشنطن stays).
fn span_clitic(norm: &str, bare: Option<usize>) -> (usize, String) {
    for c in ENTITY_PROCLITICS {
        let Some(rest) = norm.strip_prefix(c) else {
            continue;
        };
        let n = c.chars().count();
        if rest.chars().count() < 2 {
            continue;
        }
        if c.ends_with("ال") {
            return (n - 2, format!("ال{rest}"));
        }
        if c.ends_with("لل") {
            return (n - 1, format!("ال{rest}"));
        }
        if bare == Some(n)
            && rest.chars().count() >= 3
            && !is_listed_given_name(norm)
            && !text::is_common_word(norm)
        {
            return (n, rest.to_string());
        }
    }
    (0, norm.to_string())
}

/// Discovered entities for the spans the gazetteer did not cover (it wins
/// where they overlap); their tokens are marked `covered`.
pub(super) fn span_candidates(
    tagger: &dyn Tagger,
    g: &Gazetteer,
    f: &FieldScan,
    spans: &[Span],
    covered: &mut [bool],
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for s in spans {
        if covered[s.start..s.end].iter().any(|&c| c) {
            continue;
        }
        let toks = &f.toks[s.start..s.end];
        // The tagger's word counts say whether a bare proclitic is one
        // (وإسرائيل) or the name's own letter (واشنطن, فلاديفوستوك).
        let surface0 = toks[0].t.surface;
        let cut = tagger.proclitic_len(surface0);
        let bare = (cut > 0).then(|| text::normalize(&surface0[..cut]).chars().count());
        let (clitic, first) = span_clitic(toks[0].norm, bare);
        let key = std::iter::once(first.as_str())
            .chain(toks[1..].iter().map(|t| t.norm))
            .collect::<Vec<_>>()
            .join(" ");
        if key.chars().filter(|c| c.is_alphabetic()).count() < 2 || g.rejected.contains(&key) {
            continue;
        }
        // Nor does a place's adjective with its article (السورية, "the
        // Syrian"): a model's reading of it as a name is a word too many.
        if toks.len() == 1 && g.is_place_adjective(&key) {
            continue;
        }
        // A lone given name or common word names no one by itself (خالد,
        // خليفة "successor"): a person is a full name first; after one, the
        // bare word is the short form's (left uncovered for short_forms).
        if s.kind == EntityType::Person
            && toks.len() == 1
            && (is_listed_given_name(&key) || text::is_common_word(&key))
        {
            continue;
        }
        let (start, end, surface) = surface(f, s.start, s.end, clitic);
        out.push(Candidate {
            key,
            kind: s.kind,
            name: surface.clone(),
            field: f.field,
            start,
            end,
            surface,
            sentence: toks[0].sentence,
            how: How::Discovered,
        });
        covered[s.start..s.end].iter_mut().for_each(|c| *c = true);
    }
    out
}

/// Code-point offsets and text of tokens `a..b`, the first `clitic`
/// normalised characters of the first left outside. From byte offsets:
/// counting characters from the start of the field cost a pass over the
/// body for every mention.
pub(super) fn surface(f: &FieldScan, a: usize, b: usize, clitic: usize) -> (usize, usize, String) {
    let first = &f.toks[a].t;
    let last = &f.toks[b - 1].t;
    let skipped = original_prefix_len(first.surface, clitic);
    let byte_start = first.byte_start
        + first
            .surface
            .char_indices()
            .nth(skipped)
            .map_or(first.surface.len(), |(b, _)| b);
    (
        first.start + skipped,
        last.end,
        f.text[byte_start..last.byte_end].to_string(),
    )
}

/// Where something stands in the article: title before body, then offset.
fn at(field: super::Field, start: usize) -> (u8, usize) {
    (field as u8, start)
}

/// Bare first names and surnames of discovered persons, after the full name
/// (two words or more) appeared earlier in the article, where the word
/// names only one person of the article (جورج بوش … بوش). `covered` marks
/// the tokens already taken, field by field.
pub(super) fn short_forms(
    fields: &[FieldScan],
    covered: &[Vec<bool>],
    mentions: &[Mention],
    found: &[Candidate],
) -> Vec<Candidate> {
    // Word → the persons (index into `found`) it is the first or last word of.
    let mut by_word: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut first_seen: HashMap<&str, (u8, usize)> = HashMap::default();
    for (i, c) in found.iter().enumerate() {
        let words: Vec<&str> = c.key.split(' ').collect();
        if c.kind != EntityType::Person || words.len() < 2 {
            continue;
        }
        let pos = at(c.field, c.start);
        let seen = first_seen.entry(&c.key).or_insert(pos);
        if pos < *seen {
            *seen = pos;
        }
        // The last word of a compound (عبد الرحمن) is no surname; a common
        // word (صالح, جمال) stands for no one unless it carries the article.
        let compound = CONNECTORS.contains(&words[words.len() - 2]);
        for (k, w) in [(0, words[0]), (words.len() - 1, words[words.len() - 1])] {
            if w.chars().count() < 3
                || CONNECTORS.contains(&w)
                || text::stopwords().contains(w)
                || (k > 0 && compound)
                || (text::is_common_word(w) && !w.starts_with("ال"))
            {
                continue;
            }
            let v = by_word.entry(w).or_default();
            if !v.iter().any(|&j| found[j].key == c.key) {
                v.push(i);
            }
        }
    }
    if by_word.is_empty() {
        return Vec::new();
    }
    // Words of the gazetteer's names in the article make a bare word ambiguous.
    let named: HashSet<String> = mentions
        .iter()
        .flat_map(|m| {
            text::normalize(&m.surface)
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let taken: Vec<(u8, usize, usize)> = found
        .iter()
        .map(|c| (c.field as u8, c.start, c.end))
        .collect();
    let mut out = Vec::new();
    for (f, cov) in fields.iter().zip(covered) {
        for (i, t) in f.toks.iter().enumerate() {
            if cov[i] {
                continue;
            }
            let overlaps = |s: usize, e: usize| {
                taken
                    .iter()
                    .any(|&(fl, a, b)| fl == f.field as u8 && a < e && s < b)
            };
            if overlaps(t.t.start, t.t.end) {
                continue;
            }
            for (form, clitic) in first_forms(t.norm) {
                let Some(ps) = by_word.get(form.as_ref()) else {
                    continue;
                };
                let c = &found[ps[0]];
                // على is not علي: the text's final ى must be the name's.
                let maqsura = |s: &str| s.ends_with('ى');
                let same_letter = c
                    .name
                    .split_whitespace()
                    .find(|n| text::normalize(n) == form.as_ref())
                    .is_none_or(|n| maqsura(n) == maqsura(t.t.surface));
                // Nor is a bare على a short form of على الشناوي (Egyptian
                // spelling of علي): alone it is the preposition.
                if ps.len() != 1
                    || !same_letter
                    || is_preposition(t)
                    || named.contains(form.as_ref())
                    || first_seen[c.key.as_str()] >= at(f.field, t.t.start)
                {
                    break;
                }
                let (start, end, surface) = surface(f, i, i + 1, clitic);
                out.push(Candidate {
                    key: c.key.clone(),
                    kind: c.kind,
                    name: c.name.clone(),
                    field: f.field,
                    start,
                    end,
                    surface,
                    sentence: t.sentence,
                    how: How::Short,
                });
                break;
            }
        }
    }
    out
}

/// What the gazetteer matched, as the context check needs it.
pub(super) struct Found {
    pub entity: usize,
    pub how: NameKind,
    /// A generic name (made only of common words) of two words or more.
    pub generic: bool,
    /// Field (index) and tokens it covers.
    pub tokens: (usize, std::ops::Range<usize>),
}

/// Which matches stand in their context. A generic name is its entity only
/// where the article names, through a name that is not generic, the
/// entity's country or something of that country (another entity whose
/// country it is); an entity with no country has no context to check and
/// stays. A short form goes with its entity's full names when every one of
/// them went.
pub(super) fn keep_in_context(g: &Gazetteer, found: &[Found]) -> Vec<bool> {
    if !found.iter().any(|f| f.generic) {
        return vec![true; found.len()];
    }
    let mut present: HashSet<usize> = HashSet::default();
    for f in found.iter().filter(|f| !f.generic) {
        present.insert(f.entity);
        if let Some(&c) = g.country.get(&f.entity) {
            present.insert(c);
        }
    }
    let mut keep: Vec<bool> = found
        .iter()
        .map(|f| !f.generic || g.country.get(&f.entity).is_none_or(|c| present.contains(c)))
        .collect();
    let dropped: HashSet<usize> = found
        .iter()
        .zip(&keep)
        .filter(|(_, k)| !**k)
        .map(|(f, _)| f.entity)
        .collect();
    let kept_full: HashSet<usize> = found
        .iter()
        .zip(&keep)
        .filter(|(f, k)| **k && f.how != NameKind::Short)
        .map(|(f, _)| f.entity)
        .collect();
    for (f, k) in found.iter().zip(keep.iter_mut()) {
        if f.how == NameKind::Short && dropped.contains(&f.entity) && !kept_full.contains(&f.entity)
        {
            *k = false;
        }
    }
    keep
}

/// A one-word person the recogniser found on its own that is the first or
/// last word of a longer person named earlier in the article (نيد برايس …
/// برايس) is no new entity: its words are freed for [`short_forms`], which
/// links it to that person when the word names only one.
pub(super) fn release_bare_names(
    fields: &[FieldScan],
    covered: &mut [Vec<bool>],
    found: &mut Vec<Candidate>,
) {
    let longer: Vec<(Vec<String>, (u8, usize))> = found
        .iter()
        .filter(|c| c.kind == EntityType::Person && c.key.contains(' '))
        .map(|c| {
            (
                c.key.split(' ').map(str::to_string).collect(),
                at(c.field, c.start),
            )
        })
        .collect();
    let bare = |c: &Candidate| {
        c.kind == EntityType::Person
            && c.how == How::Discovered
            && !c.key.contains(' ')
            && longer.iter().any(|(words, pos)| {
                *pos < at(c.field, c.start)
                    && (words[0] == c.key || words[words.len() - 1] == c.key)
            })
    };
    let (freed, kept): (Vec<Candidate>, Vec<Candidate>) = found.drain(..).partition(bare);
    *found = kept;
    for c in freed {
        for (f, cov) in fields.iter().zip(covered.iter_mut()) {
            if f.field != c.field {
                continue;
            }
            for (i, t) in f.toks.iter().enumerate() {
                if t.t.start < c.end && c.start < t.t.end {
                    cov[i] = false;
                }
            }
        }
    }
}
