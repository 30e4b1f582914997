//! Finding mentions: whole-word matching of normalised tokens against the
//! gazetteer, clitic-aware on the first word, longest match first, with
//! offsets in code points into the published title and body; short forms
//! resolved by what the article named in full; vetoes by context; and
//! candidate names discovered after titles and roles.

use std::borrow::Cow;
// FxHash: these maps are filled and probed for every word of every article.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;

use super::gazetteer::{Gazetteer, Pattern};
use crate::text::{self, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Body,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
        }
    }
}

/// A gazetteer entity found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub entity: String,
    pub field: Field,
    /// Code points: `substr(field, start + 1, end - start)` is `surface`.
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub sentence: usize,
    pub how: &'static str,
}

/// A name found after a title or role, not in the gazetteer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Normalised name: the candidate's identity.
    pub key: String,
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub sentence: usize,
}

/// A sentence holding a mention or candidate, with its analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceSpan {
    pub field: Field,
    pub idx: usize,
    pub start: usize,
    pub end: usize,
    pub terms: String,
}

#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub mentions: Vec<Mention>,
    pub candidates: Vec<Candidate>,
    pub sentences: Vec<SentenceSpan>,
}

/// Proclitics that may stand before a name, longest first.
const CLITICS: &[&str] = &[
    "وبال", "وكال", "فبال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "وب", "ول", "وك", "فب",
    "فل", "فك", "و", "ف", "ب", "ل", "ك",
];

/// Titles and roles a new name follows (normalised token sequences).
const TRIGGERS: &[&str] = &[
    "الرئيس",
    "رئيس",
    "رئيسه",
    "وزير",
    "وزيره",
    "نائب وزير",
    "نائب رئيس",
    "المشير",
    "الفريق اول",
    "الفريق",
    "اللواء",
    "العقيد",
    "العميد",
    "الجنرال",
    "الرائد",
    "المقدم",
    "المتحدث باسم",
    "المتحدثه باسم",
    "الناطق باسم",
    "الناطقه باسم",
    "استاذ",
    "الاستاذ",
    "الباحث",
    "الباحثه",
    "الخبير",
    "الخبيره",
    "المحلل",
    "السفير",
    "السفيره",
    "المبعوث",
    "المبعوثه",
    "المستشار",
    "القائد",
    "قائد",
    "الكاتب",
    "الصحفي",
    "الدكتور",
    "النائب",
    "النائبه",
    "الامين العام",
    "مدير",
    "المدير",
];

/// Words that continue a role rather than start a name.
const ROLE_WORDS: &[&str] = &[
    "اول",
    "ركن",
    "باسم",
    "وزاره",
    "حكومه",
    "قوات",
    "جامعه",
    "مجلس",
    "هيئه",
    "لجنه",
    "مركز",
    "معهد",
];

/// Name-internal connectors: عبد الله، أبو بكر، بن زياد، يونس بك.
const CONNECTORS: &[&str] = &["عبد", "ابو", "بن", "بك", "ولد", "ابن", "ال"];

struct Tok<'a> {
    t: Token<'a>,
    norm: &'a str,
    stem: &'a str,
    sentence: usize,
    /// Only white space (or a hyphen) separates this token from the next.
    joined_next: bool,
}

fn is_break(gap: &str, prev_digit: bool, next_digit: bool) -> bool {
    gap.chars()
        .any(|c| matches!(c, '!' | '?' | '؟' | '\n' | '؛'))
        || (gap.contains('.') && !(prev_digit && next_digit && gap == "."))
}

fn field_tokens<'a>(text: &'a str, words: &'a [text::Word<'a>]) -> Vec<Tok<'a>> {
    let mut out: Vec<Tok> = Vec::with_capacity(words.len());
    let mut sentence = 0;
    for (i, w) in words.iter().enumerate() {
        let t = &w.token;
        if i > 0 {
            let prev = &words[i - 1].token;
            let gap = &text[prev.byte_end..t.byte_start];
            let digit = |s: &str, last: bool| {
                if last {
                    s.chars().last()
                } else {
                    s.chars().next()
                }
                .is_some_and(|c| c.is_ascii_digit())
            };
            if is_break(gap, digit(prev.surface, true), digit(t.surface, false)) {
                sentence += 1;
            }
            if let Some(p) = out.last_mut() {
                p.joined_next =
                    gap.chars().all(|c| c.is_whitespace() || c == '-') && !gap.contains('\n');
            }
        }
        out.push(Tok {
            t: t.clone(),
            norm: &w.norm,
            stem: w.stem(),
            sentence,
            joined_next: false,
        });
    }
    out
}

/// Ways to read a token's start: as it is, or without a proclitic. The
/// number is how many normalised characters the proclitic takes.
fn first_forms(norm: &str) -> impl Iterator<Item = (Cow<'_, str>, usize)> {
    // Every clitic starts with one of these letters; most words stop here.
    let clitics = if norm.starts_with(['و', 'ف', 'ب', 'ل', 'ك']) {
        CLITICS
    } else {
        &[]
    };
    let stripped =
        text::strip_clitics(norm, clitics).filter(|(_, rest)| rest.chars().nth(1).is_some());
    std::iter::once((Cow::Borrowed(norm), 0)).chain(stripped.flat_map(|(c, rest)| {
        let n = c.chars().count();
        // لل is ل + the article whose alef is dropped: للجيش = ل + الجيش.
        let article = c
            .ends_with("لل")
            .then(|| (Cow::Owned(format!("ال{rest}")), n - 1));
        std::iter::once((Cow::Borrowed(rest), n)).chain(article)
    }))
}

/// Code points of `surface` taken by its first `n` normalised characters
/// (and by marks that follow them).
fn original_prefix_len(surface: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut count = 0;
    for (ci, c) in surface.chars().enumerate() {
        let produced = text::normalize(c.encode_utf8(&mut [0; 4])).chars().count();
        if count >= n && produced > 0 {
            return ci;
        }
        count += produced;
    }
    surface.chars().count()
}

struct FieldScan<'a> {
    field: Field,
    text: &'a str,
    toks: Vec<Tok<'a>>,
    /// The tokens of each sentence, as index ranges into `toks`.
    sentences: Vec<std::ops::Range<usize>>,
}

impl<'a> FieldScan<'a> {
    fn new(field: Field, text: &'a str, words: &'a [text::Word<'a>]) -> Self {
        let toks = field_tokens(text, words);
        let sentences = sentence_tokens(&toks);
        FieldScan {
            field,
            text,
            toks,
            sentences,
        }
    }
}

/// Extract mentions, candidates and their sentences from an article.
pub fn extract(g: &Gazetteer, title: &str, body: &str) -> Extraction {
    extract_words(g, title, &text::words(title), body, &text::words(body))
}

/// [`extract`] on a title and body already split into words (as ingest
/// does once for indexing, extraction and signatures alike).
pub fn extract_words<'a>(
    g: &Gazetteer,
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
    // Entity → order in which its full name was last seen.
    let mut seen_full: HashMap<usize, usize> = HashMap::default();
    let mut order = 0;
    let mut used_sentences: HashSet<(Field, usize)> = HashSet::default();

    for f in &fields {
        let toks = &f.toks;
        let mut covered = vec![false; toks.len()];
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
            let first = &toks[i].t;
            let last = &toks[i + len - 1].t;
            let skipped = original_prefix_len(first.surface, clitic);
            let start = first.start + skipped;
            let end = last.end;
            // From byte offsets: counting characters from the start of the
            // field cost a pass over the body for every mention.
            let byte_start = first.byte_start
                + first
                    .surface
                    .char_indices()
                    .nth(skipped)
                    .map_or(first.surface.len(), |(b, _)| b);
            let surface = f.text[byte_start..last.byte_end].to_string();
            if p.how != "short" {
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
                how: p.how,
            });
            used_sentences.insert((f.field, toks[i].sentence));
            covered[i..i + len].iter_mut().for_each(|c| *c = true);
            i += len;
        }
        for c in discover(g, f, &covered) {
            used_sentences.insert((f.field, c.sentence));
            out.candidates.push(c);
        }
    }

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

/// The tokens of each sentence, as index ranges into `toks`: sentence
/// numbers run 0, 1, 2… in token order, and every number has a token.
fn sentence_tokens(toks: &[Tok]) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if out.len() <= t.sentence {
            out.resize(t.sentence + 1, i..i);
        }
        out[t.sentence].end = i + 1;
    }
    out
}

/// A veto applies when a not-near word stands in the same sentence, or when
/// the article as a whole is about something else (three or more of them).
fn vetoed(g: &Gazetteer, entity: usize, article: &HashSet<&str>, sentence: &HashSet<&str>) -> bool {
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
fn best_match<'g>(
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
        for p in pats {
            let len = p.tokens.len();
            if best.is_some_and(|b| b.0 > len) {
                break;
            }
            if i + len > toks.len()
                || !(1..len).all(|k| toks[i + k - 1].joined_next && toks[i + k].norm == p.tokens[k])
            {
                continue;
            }
            if p.how == "short" && !seen_full.contains_key(&p.entity) && !kin_follows(toks, i + len)
            {
                continue;
            }
            let better = match best {
                None => true,
                Some((blen, bp, _)) if blen == len => {
                    // Same length: a full name beats a short form, and among
                    // short forms the most recently named entity wins.
                    bp.how == "short"
                        && (p.how != "short"
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

/// Given names, normalised, each with whether it is written with a final
/// alef maqsura (موسى): normalisation folds ى into ي, which would make the
/// preposition على look like the name علي.
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

fn given_names() -> &'static HashMap<String, bool> {
    static S: std::sync::OnceLock<HashMap<String, bool>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        include_str!("given_names.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| (text::normalize(l), l.ends_with('ى')))
            .collect()
    })
}

fn is_given_name(t: &Tok) -> bool {
    let maqsura =
        t.t.surface
            .chars()
            .rev()
            .find(|c| !text::normalize(c.encode_utf8(&mut [0; 4])).is_empty())
            == Some('ى');
    given_names()
        .get(t.norm)
        .is_some_and(|&listed| listed || !maqsura)
}

/// The triggers, longest first, and for each first token the positions of
/// the triggers starting with it (ascending): discovery looks up each token
/// once instead of comparing it with every trigger.
struct Triggers {
    tokens: Vec<Vec<String>>,
    by_first: HashMap<String, Vec<usize>>,
}

fn triggers() -> &'static Triggers {
    static T: std::sync::OnceLock<Triggers> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut tokens: Vec<Vec<String>> = TRIGGERS
            .iter()
            .map(|t| t.split(' ').map(text::normalize).collect())
            .collect();
        tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, t) in tokens.iter().enumerate() {
            by_first.entry(t[0].clone()).or_default().push(i);
        }
        Triggers { tokens, by_first }
    })
}

/// The first trigger (longest first) that starts at token `i`, in any of its
/// first forms.
fn trigger_at<'t>(triggers: &'t Triggers, toks: &[Tok], i: usize) -> Option<&'t [String]> {
    let matches = |trig: &[String]| {
        i + trig.len() <= toks.len()
            && (1..trig.len()).all(|k| toks[i + k].norm == trig[k] && toks[i + k - 1].joined_next)
    };
    first_forms(toks[i].norm)
        .filter_map(|(form, _)| triggers.by_first.get(form.as_ref()))
        .filter_map(|positions| {
            positions
                .iter()
                .copied()
                .find(|&p| matches(&triggers.tokens[p]))
        })
        .min()
        .map(|p| triggers.tokens[p].as_slice())
}

fn is_name_word(n: &str) -> bool {
    n.chars().count() >= 2
        && text::is_arabic_word(n)
        && n.chars().all(char::is_alphabetic)
        && !text::stopwords().contains(n)
}

/// Names right after a title or role ("المتحدث باسم الجيش أحمد المسماري"),
/// where the gazetteer found nothing.
fn discover(g: &Gazetteer, f: &FieldScan, covered: &[bool]) -> Vec<Candidate> {
    let toks = &f.toks;
    let triggers = triggers();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some(trig) = trigger_at(triggers, toks, i) else {
            i += 1;
            continue;
        };
        let mut j = i + trig.len();
        // Skip the rest of the role: الدفاع الروسي، العلوم السياسية، وزارة …
        let mut skipped = 0;
        while j < toks.len()
            && toks[j - 1].joined_next
            && !covered[j]
            && skipped < 5
            && (toks[j].norm.starts_with("ال") || ROLE_WORDS.contains(&toks[j].norm))
        {
            j += 1;
            skipped += 1;
        }
        if j >= toks.len() || covered[j] || !toks[j - 1].joined_next {
            i = j.max(i + 1);
            continue;
        }
        let first = &toks[j];
        if !is_given_name(first) {
            i = j.max(i + 1);
            continue;
        }
        let mut end = j;
        while end + 1 < toks.len()
            && end - j < 3
            && toks[end].joined_next
            && !covered[end + 1]
            && is_name_word(toks[end + 1].norm)
            && (end == j || CONNECTORS.contains(&toks[end].norm))
        {
            end += 1;
        }
        if end > j && toks[j].sentence == toks[end].sentence {
            let key = toks[j..=end]
                .iter()
                .map(|t| t.norm)
                .collect::<Vec<_>>()
                .join(" ");
            if !g.rejected.contains(&key) {
                let (start, stop) = (toks[j].t.start, toks[end].t.end);
                out.push(Candidate {
                    key,
                    field: f.field,
                    start,
                    end: stop,
                    surface: f.text.chars().skip(start).take(stop - start).collect(),
                    sentence: toks[j].sentence,
                });
            }
        }
        i = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Gazetteer {
        let rows = [
            ("khalifa", "خليفة حفتر", "name"),
            ("khalifa", "حفتر", "alias"),
            ("khaled", "خالد حفتر", "name"),
            ("khaled", "خالد", "short"),
            ("lna", "الجيش الوطني الليبي", "name"),
            ("wagner", "فاغنر", "name"),
        ];
        Gazetteer::build(
            rows.iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())),
            [("wagner".to_string(), "القدم".to_string())],
            [],
        )
    }

    #[test]
    fn longest_match_clitics_offsets_and_short_forms() {
        let body = "التقى خالد حفتر ولحفتر رأي. وقال خالد إن للجيش الوطني الليبي دوراً.";
        let x = extract(&g(), "", body);
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
        let x = extract(&g(), "", "قال خالد إن الأمر انتهى.");
        assert!(x.mentions.is_empty());
    }

    #[test]
    fn veto_by_context() {
        let x = extract(&g(), "", "سجل فاغنر هدفا في مباراة كرة القدم.");
        assert!(x.mentions.is_empty());
        let x = extract(&g(), "", "نشرت مجموعة فاغنر مقاتلين في ليبيا.");
        assert_eq!(x.mentions.len(), 1);
    }

    #[test]
    fn candidates_after_roles() {
        let x = extract(
            &g(),
            "",
            "وقال وزير الخارجية الأمريكي مايك بومبيو إن الأمر انتهى.",
        );
        assert_eq!(x.candidates.len(), 1, "{:?}", x.candidates);
        assert_eq!(x.candidates[0].surface, "مايك بومبيو");
    }
}
