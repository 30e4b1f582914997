//! Candidate names: a given name (and what follows it) right after a title
//! or role that the gazetteer did not cover.

// FxHash: these maps are filled and probed for every word of every article.
use rustc_hash::FxHashMap as HashMap;

use super::gazetteer::Gazetteer;
use super::scan::{FieldScan, Tok, first_forms};
use super::{Candidate, EntityType, How};
use crate::text::{self, WordList};

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
pub(super) const CONNECTORS: &[&str] = &["عبد", "ابو", "بن", "بك", "ولد", "ابن", "ال"];

/// Given names, normalised, each with whether it is written with a final
/// alef maqsura (موسى): normalisation folds ى into ي, which would make the
/// preposition على look like the name علي.
static GIVEN_NAMES: WordList<HashMap<String, bool>, (String, bool)> =
    WordList::new(include_str!("given_names.txt"), |l| {
        (text::normalize(l), l.ends_with('ى'))
    });

/// Whether a normalised word is in the list of given names.
pub(super) fn is_listed_given_name(norm: &str) -> bool {
    GIVEN_NAMES.get().contains_key(norm)
}

fn is_given_name(t: &Tok) -> bool {
    let maqsura =
        t.t.surface
            .chars()
            .rev()
            .find(|c| !text::normalize(c.encode_utf8(&mut [0; 4])).is_empty())
            == Some('ى');
    GIVEN_NAMES
        .get()
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

/// Whether token `end + 1` continues a name of which `end` is the second
/// word or later.
fn continues_name(toks: &[Tok], end: usize) -> bool {
    let next = &toks[end + 1];
    let ends_run = !next.joined_next
        || toks
            .get(end + 2)
            .is_none_or(|t| t.sentence != next.sentence || text::stopwords().contains(t.norm));
    CONNECTORS.contains(&toks[end].norm)
        || is_given_name(next)
        || !text::is_common_word(next.norm)
        || ends_run
}

/// Names right after a title or role ("المتحدث باسم الجيش أحمد المسماري"),
/// where the gazetteer found nothing.
pub(super) fn discover(g: &Gazetteer, f: &FieldScan, covered: &[bool]) -> Vec<Candidate> {
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
        // The whole run of name words: محمد حسني مبارك، عمر حسن البشير. Past
        // the second word, a word joins if it is a given name, follows a
        // connector, is no common word, or ends the run (punctuation or a
        // stop word after it).
        let mut end = j;
        while end + 1 < toks.len()
            && end - j < 3
            && toks[end].joined_next
            && !covered[end + 1]
            && toks[end + 1].sentence == toks[j].sentence
            && is_name_word(toks[end + 1].norm)
            // على folds into the name علي: a final ى must be a listed name's.
            && (!toks[end + 1].t.surface.ends_with('ى') || is_given_name(&toks[end + 1]))
            && (end == j || continues_name(toks, end))
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
                let surface: String = f.text.chars().skip(start).take(stop - start).collect();
                out.push(Candidate {
                    key,
                    kind: EntityType::Person,
                    name: surface.clone(),
                    field: f.field,
                    start,
                    end: stop,
                    surface,
                    sentence: toks[j].sentence,
                    how: How::Discovered,
                });
            }
        }
        i = end + 1;
    }
    out
}
