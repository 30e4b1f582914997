//! Matching the gazetteer at a token: the longest pattern, clitic-aware on
//! its first word; short forms only after the full name (or before a word of
//! kinship); and vetoes by context.

// FxHash: these maps are filled and probed for every word of every article.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::gazetteer::{Gazetteer, Pattern};
use super::scan::{Tok, first_forms};
use super::{EntityType, NameKind};

/// A veto applies when a not-near word stands in the same sentence, or when
/// the article as a whole is about something else (three or more of them).
pub(super) fn vetoed(
    g: &Gazetteer,
    entity: usize,
    article: &HashSet<&str>,
    sentence: &HashSet<&str>,
) -> bool {
    let Some(words) = g.not_near.get(&entity) else {
        return false;
    };
    words.iter().any(|w| sentence.contains(w.as_str()))
        || words
            .iter()
            .filter(|w| article.contains(w.as_str()))
            .count()
            >= 3
}

/// The longest pattern matching at token `i`: (tokens, pattern, clitic chars).
pub(super) fn best_match<'g>(
    g: &'g Gazetteer,
    toks: &[Tok],
    i: usize,
    seen_full: &HashMap<usize, usize>,
    mut vetoed: impl FnMut(usize, usize) -> bool,
) -> Option<(usize, &'g Pattern, usize)> {
    let mut best: Option<(usize, &Pattern, usize)> = None;
    for (form, clitic) in first_forms(toks[i].norm) {
        let Some(pats) = g.by_first.get(form.as_ref()) else {
            continue;
        };
        // The form lost an article with its proclitic (والسورية → سورية,
        // للسورية → سورية): a place's name without one is then another
        // word, the adjective ("and the Syrian") or a noun (والقطر, "and the
        // towing"), not the place. Other names keep it (بالفيسبوك).
        let norm = toks[i].norm;
        let prefix = &norm[..norm
            .char_indices()
            .nth(clitic)
            .map_or(norm.len(), |(b, _)| b)];
        let article_off = prefix.ends_with("ال") || prefix.ends_with("لل");
        for p in pats {
            if article_off && g.types.get(&p.entity) == Some(&EntityType::Place) {
                continue;
            }
            let len = p.tokens.len();
            if best.is_some_and(|b| b.0 > len) {
                break;
            }
            if i + len > toks.len()
                || !(1..len).all(|k| toks[i + k - 1].joined_next && toks[i + k].norm == p.tokens[k])
            {
                continue;
            }
            if p.how == NameKind::Short
                && !seen_full.contains_key(&p.entity)
                && !kin_follows(toks, i + len)
            {
                continue;
            }
            let better = match best {
                None => true,
                Some((blen, bp, _)) if blen == len => {
                    // Same length: a full name beats a short form, and among
                    // short forms the most recently named entity wins.
                    bp.how == NameKind::Short
                        && (p.how != NameKind::Short
                            || seen_full.get(&p.entity) > seen_full.get(&bp.entity))
                }
                Some(_) => true,
            };
            if better && !vetoed(p.entity, toks[i].sentence) {
                best = Some((len, p, clitic));
            }
        }
    }
    best
}

/// "خالد، نجل حفتر": a first name followed, in the same sentence, by a word
/// of kinship introduces the son (or brother) of a named family.
fn kin_follows(toks: &[Tok], from: usize) -> bool {
    const KIN: &[&str] = &["نجل", "ابن", "شقيق", "نجله", "ابنه"];
    let Some(first) = toks.get(from.wrapping_sub(1)) else {
        return false;
    };
    toks.iter()
        .skip(from)
        .take(2)
        .take_while(|t| t.sentence == first.sentence)
        .any(|t| KIN.contains(&t.norm))
}
