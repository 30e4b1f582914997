//! Finding mentions and candidates in an article: whole-word matching of
//! normalised tokens against the gazetteer ([`super::matcher`]), with
//! offsets in code points into the published title and body, candidate
//! names after titles and roles ([`super::discover`]), and the sentences
//! that hold them.

// FxHash: these maps are filled and probed for every word of every article.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::discover::{discover, is_listed_given_name};
use super::gazetteer::Gazetteer;
use super::link::{self, Found};
use super::matcher::{best_match, vetoed};
use super::scan::FieldScan;
use super::{EntityType, Extraction, Field, Mention, NameKind, SentenceSpan};
use crate::ner::Tagger;
use crate::text;

/// Extract mentions, candidates and their sentences from an article;
/// `tagger` (the NER model, if on) adds the names the gazetteer lacks.
pub fn extract(g: &Gazetteer, tagger: Option<&dyn Tagger>, title: &str, body: &str) -> Extraction {
    extract_words(
        g,
        tagger,
        title,
        &text::words(title),
        body,
        &text::words(body),
    )
}

/// [`extract`] on a title and body already split into words (as ingest
/// does once for indexing, extraction and signatures alike).
pub fn extract_words<'a>(
    g: &Gazetteer,
    tagger: Option<&dyn Tagger>,
    title: &'a str,
    title_words: &'a [text::Word<'a>],
    body: &'a str,
    body_words: &'a [text::Word<'a>],
) -> Extraction {
    let fields = [
        FieldScan::new(Field::Title, title, title_words),
        FieldScan::new(Field::Body, body, body_words),
    ];
    // Stems of the whole article, computed only if a vetoable name appears.
    let article_stems: std::cell::OnceCell<HashSet<&str>> = std::cell::OnceCell::new();
    let all_stems = || {
        fields
            .iter()
            .flat_map(|f| f.toks.iter().map(|t| t.stem))
            .collect()
    };
    let mut out = Extraction::default();
    let mut found: Vec<Found> = Vec::new();
    // Entity → order in which its full name was last seen.
    let mut seen_full: HashMap<usize, usize> = HashMap::default();
    let mut order = 0;
    let mut covered_fields: Vec<Vec<bool>> = Vec::with_capacity(fields.len());
    let mut spans_fields: Vec<Vec<link::Span>> = Vec::with_capacity(fields.len());

    for (fi, f) in fields.iter().enumerate() {
        let toks = &f.toks;
        let mut covered = vec![false; toks.len()];
        let spans = tagger.map(|t| link::ner_spans(t, f)).unwrap_or_default();
        let mut sentence_stems: HashMap<usize, HashSet<&str>> = HashMap::default();
        let mut i = 0;
        while i < toks.len() {
            let Some((len, p, clitic)) = best_match(g, toks, i, &seen_full, |entity, sentence| {
                g.not_near.contains_key(&entity)
                    && vetoed(
                        g,
                        entity,
                        article_stems.get_or_init(all_stems),
                        sentence_stems.entry(sentence).or_insert_with(|| {
                            toks[f.sentences[sentence].clone()]
                                .iter()
                                .map(|t| t.stem)
                                .collect()
                        }),
                    )
            }) else {
                i += 1;
                continue;
            };
            // A person's lone alias that is also a common word (المنفي) is
            // the person after the full name; else not where the text writes
            // it as the other word normalisation folds into it (المنفى, "the
            // exile"), nor where the model reads another kind of name there.
            // A model that merely misses it does not undo the gazetteer
            // (السيسي, القذافي are common-looking words with the article).
            if p.generic
                && len == 1
                && p.how == NameKind::Alias
                && g.types.get(&p.entity) == Some(&EntityType::Person)
                && !seen_full.contains_key(&p.entity)
                && ((p.final_ya && ends_in_maqsura(toks[i].t.surface))
                    || spans
                        .iter()
                        .any(|s| s.start <= i && i < s.end && s.kind != EntityType::Person))
            {
                i += 1;
                continue;
            }
            // A person's one-word alias inside a longer recognised person
            // name with another given name in it is a word of that other
            // man's name (الأسد in حافظ الأسد once الأسد was merged into
            // bashar-al-assad; حفتر in أسامة حفتر, not in نجل حفتر).
            if len == 1
                && p.how == NameKind::Alias
                && g.types.get(&p.entity) == Some(&EntityType::Person)
                && spans.iter().any(|s| {
                    s.kind == EntityType::Person
                        && s.start <= i
                        && i < s.end
                        && (s.start..s.end).any(|k| k != i && is_listed_given_name(toks[k].norm))
                })
            {
                i += 1;
                continue;
            }
            let (start, end, surface) = link::surface(f, i, i + len, clitic);
            if p.how != NameKind::Short {
                order += 1;
                seen_full.insert(p.entity, order);
            }
            out.mentions.push(Mention {
                entity: g.ids[p.entity].clone(),
                field: f.field,
                start,
                end,
                surface,
                sentence: toks[i].sentence,
                how: p.how.into(),
            });
            found.push(Found {
                entity: p.entity,
                how: p.how,
                // Lone names of persons are settled above.
                generic: p.generic
                    && (len > 1 || g.types.get(&p.entity) != Some(&EntityType::Person)),
                tokens: (fi, i..i + len),
            });
            covered[i..i + len].iter_mut().for_each(|c| *c = true);
            i += len;
        }
        covered_fields.push(covered);
        spans_fields.push(spans);
    }
    // Names the context does not support are not there: their words are
    // free for the recogniser and discovery.
    let keep = link::keep_in_context(g, &found);
    for (f, _) in found.iter().zip(&keep).filter(|(_, k)| !**k) {
        covered_fields[f.tokens.0][f.tokens.1.clone()]
            .iter_mut()
            .for_each(|c| *c = false);
    }
    let mut keep = keep.into_iter();
    out.mentions.retain(|_| keep.next().unwrap_or(true));
    for ((f, covered), spans) in fields.iter().zip(&mut covered_fields).zip(&spans_fields) {
        if let Some(t) = tagger {
            out.candidates
                .extend(link::span_candidates(t, g, f, spans, covered));
        }
        out.candidates.extend(discover(g, f, covered));
    }
    link::release_bare_names(&fields, &mut covered_fields, &mut out.candidates);
    let shorts = link::short_forms(&fields, &covered_fields, &out.mentions, &out.candidates);
    out.candidates.extend(shorts);

    let mut used_sentences: HashSet<(Field, usize)> = HashSet::default();
    used_sentences.extend(out.mentions.iter().map(|m| (m.field, m.sentence)));
    used_sentences.extend(out.candidates.iter().map(|c| (c.field, c.sentence)));
    for f in &fields {
        let mut idxs: Vec<usize> = used_sentences
            .iter()
            .filter(|(fl, _)| *fl == f.field)
            .map(|(_, s)| *s)
            .collect();
        idxs.sort_unstable();
        for idx in idxs {
            let toks = &f.toks[f.sentences[idx].clone()];
            let (start, end) = (toks[0].t.start, toks[toks.len() - 1].t.end);
            // The sentence's words are already normalised: stem them.
            let terms = toks.iter().map(|t| t.stem).collect::<Vec<_>>().join(" ");
            out.sentences.push(SentenceSpan {
                field: f.field,
                idx,
                start,
                end,
                terms,
            });
        }
    }
    out
}

/// Whether a word's last letter (marks aside) is ى.
fn ends_in_maqsura(surface: &str) -> bool {
    surface
        .chars()
        .rev()
        .find(|c| !text::normalize(c.encode_utf8(&mut [0; 4])).is_empty())
        == Some('ى')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Gazetteer {
        let rows = [
            ("khalifa", "خليفة حفتر", NameKind::Name),
            ("khalifa", "حفتر", NameKind::Alias),
            ("khaled", "خالد حفتر", NameKind::Name),
            ("khaled", "خالد", NameKind::Short),
            ("lna", "الجيش الوطني الليبي", NameKind::Name),
            ("wagner", "فاغنر", NameKind::Name),
        ];
        Gazetteer::build(
            rows.iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), *c)),
            [("wagner".to_string(), "القدم".to_string())],
            [],
        )
    }

    #[test]
    fn longest_match_clitics_offsets_and_short_forms() {
        let body = "التقى خالد حفتر ولحفتر رأي. وقال خالد إن للجيش الوطني الليبي دوراً.";
        let x = extract(&g(), None, "", body);
        let got: Vec<(&str, &str)> = x
            .mentions
            .iter()
            .map(|m| (m.entity.as_str(), m.surface.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("khaled", "خالد حفتر"),
                ("khalifa", "حفتر"),
                ("khaled", "خالد"),
                ("lna", "لجيش الوطني الليبي")
            ]
        );
        for m in &x.mentions {
            let s: String = body.chars().skip(m.start).take(m.end - m.start).collect();
            assert_eq!(s, m.surface);
        }
        assert_eq!(x.mentions[2].sentence, 1);
    }

    #[test]
    fn short_form_needs_the_full_name_first() {
        let x = extract(&g(), None, "", "قال خالد إن الأمر انتهى.");
        assert!(x.mentions.is_empty());
    }

    #[test]
    fn veto_by_context() {
        let x = extract(&g(), None, "", "سجل فاغنر هدفا في مباراة كرة القدم.");
        assert!(x.mentions.is_empty());
        let x = extract(&g(), None, "", "نشرت مجموعة فاغنر مقاتلين في ليبيا.");
        assert_eq!(x.mentions.len(), 1);
    }

    #[test]
    fn candidates_after_roles() {
        let x = extract(
            &g(),
            None,
            "",
            "وقال وزير الخارجية الأمريكي مايك بومبيو إن الأمر انتهى.",
        );
        assert_eq!(x.candidates.len(), 1, "{:?}", x.candidates);
        assert_eq!(x.candidates[0].surface, "مايك بومبيو");
    }
}
