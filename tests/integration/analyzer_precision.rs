//! The analyzer's precision as well as its recall, on both shared corpora,
//! against an oracle that shares none of its code or assumptions: for each
//! query word, the oracle lists the surface forms of the word (proclitics,
//! the article and suffixes, written out below by hand) and marks every
//! article whose text contains one. A search hit is right when the article
//! contains a form of the query word; a decoy hit is one whose article holds
//! a form of a look-alike word (وزارة for زار) and no form of the query word.
//!
//! The lexicon the analyzer decides proclitics with was derived from the 2018
//! corpus only; the Jawhara FM corpus (Tunisian radio, 2013–2017) is held
//! out. Run with `--nocapture` to see the figures per word.

use std::collections::{HashMap, HashSet};

use crate::common::*;

/// A query word and the shape of its family.
#[derive(Clone, Copy)]
enum Class {
    /// A noun, adjective or verb taking the general suffixes.
    Plain,
    /// A noun in ة: the bare stem, ة, ات, and ت before any suffix.
    TehMarbuta,
    /// A nisba adjective or a name in ي: ي, ية, يين, يون, يات, ت+suffix.
    Nisba,
}
use Class::*;

/// The query words, by class. Root-initial و ف ب ل ك, nisba adjectives,
/// names in ي, ة nouns (which take pronoun suffixes after ت), verbs, and the
/// bases of the decoy pairs.
const WORDS: &[(&str, Class)] = &[
    // A first letter و ف ب ل ك that belongs to the word.
    ("وزير", Plain),
    ("وزارة", TehMarbuta),
    ("ولاية", TehMarbuta),
    ("وفد", Plain),
    ("وطن", Plain),
    ("وضع", Plain),
    ("فريق", Plain),
    ("فتح", Plain),
    ("بيان", Plain),
    ("بحث", Plain),
    ("لجنة", TehMarbuta),
    ("لقاء", Plain),
    ("كتاب", Plain),
    ("كشف", Plain),
    ("وافق", Plain),
    ("واصل", Plain),
    // Nisba adjectives and names in ي.
    ("سعودي", Nisba),
    ("ليبي", Nisba),
    ("مصري", Nisba),
    ("عراقي", Nisba),
    ("تونسي", Nisba),
    ("روسي", Nisba),
    ("عسكري", Nisba),
    ("اقتصادي", Nisba),
    ("عسيري", Nisba),
    ("خاشقجي", Nisba),
    ("مسماري", Nisba),
    ("الغنوشي", Nisba),
    // Nouns in ة, with pronoun suffixes after ت.
    ("حكومة", TehMarbuta),
    ("مدينة", TehMarbuta),
    ("مملكة", TehMarbuta),
    ("دولة", TehMarbuta),
    ("شركة", TehMarbuta),
    ("قاعدة", TehMarbuta),
    ("زيارة", TehMarbuta),
    ("منطقة", TehMarbuta),
    // Verbs.
    ("زار", Plain),
    ("قال", Plain),
    ("أكد", Plain),
    ("أعلن", Plain),
    // Bases of the decoy pairs and other nouns.
    ("سعود", Plain),
    ("عسير", Plain),
    ("مسمار", Plain),
    ("عراق", Plain),
    ("مصر", Plain),
    ("تونس", Plain),
    ("جنة", TehMarbuta),
    ("أفق", Plain),
    ("أنت", Plain),
    ("أمن", Plain),
    ("شكل", Plain),
    ("ليبيا", Plain),
    ("روسيا", Plain),
    ("وحدة", TehMarbuta),
];

/// Words left out because the oracle's forms of them are also forms of a
/// common word outside the list (رقة: فرقة, طن: بطن, أصل: فاصل, حدة: بحد),
/// which the oracle, knowing no lexicon, cannot tell apart.
///
/// (query, decoy): the decoy is a different word an analyzer may confuse
/// with the query (a stripped first letter, a stripped nisba ي, a name).
const DECOYS: &[(&str, &str)] = &[
    ("زار", "وزارة"),
    ("عسيري", "عسير"),
    ("عسير", "عسيري"),
    ("سعود", "سعودي"),
    ("سعودي", "سعود"),
    ("مسماري", "مسمار"),
    ("أفق", "وافق"),
    ("جنة", "لجنة"),
    ("أنت", "كانت"),
    ("ليبي", "ليبيا"),
    ("ليبيا", "ليبي"),
    ("روسي", "روسيا"),
    ("عراق", "عراقي"),
    ("مصر", "مصري"),
    ("تونس", "تونسي"),
    ("مصري", "مصر"),
    ("تونسي", "تونس"),
];

/// Words measured and reported but not held to the targets, with the reason.
/// وحدة: normalised, وحده is both وحدة (unit) and وحد + ه, and وحدها
/// ("alone") takes the same stem; only context tells them apart.
/// وطن: نا is taken off only after a teh, so وطننا stays whole; taking it
/// off where the rest is an attested noun also turns اعلنا (the verb اعلن +
/// ا) into اعل, under which the lexicon files اعلان.
/// جنة: once ة is off, جنة (paradise) and جن (jinn) are one stem, and
/// وجنتيها (her cheeks) reads as و + جنتي; 60 articles on 2018.
const KNOWN: &[&str] = &["وحدة", "وطن", "جنة"];

const PREFIXES: &[&str] = &[
    "", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وب", "فب",
    "ول", "فل", "وك", "فك", "وبال", "فبال", "وكال", "فكال",
];

/// Suffixes of a plain word: object and possessive pronouns, dual and plural.
const SUFFIXES: &[&str] = &[
    "", "ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا", "ان", "ين", "ون", "ات", "ا",
];

/// Pronouns after the ت of a ة noun, and the dual.
const TEH_SUFFIXES: &[&str] = &[
    "ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا", "ين", "ان", "ي",
];

/// Every written form of a word.
fn forms(word: &str, class: Class) -> HashSet<String> {
    let w = oracle_norm(word);
    // A word given with its article is the same word.
    let w = match w.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 3 => rest.to_string(),
        _ => w,
    };
    let mut cores: Vec<String> = Vec::new();
    match class {
        Plain => {
            // No tanween alef where +ا is another word (ليبي/ليبيا).
            for s in SUFFIXES {
                if !(*s == "ا" && w.ends_with(['ي', 'ا', 'و', 'ه'])) {
                    cores.push(format!("{w}{s}"));
                }
            }
        }
        TehMarbuta => {
            let base = w.strip_suffix('ه').expect("a ة word");
            for s in ["", "ه", "ات", "اتها", "اتهم", "اته"] {
                cores.push(format!("{base}{s}"));
            }
            for s in TEH_SUFFIXES {
                cores.push(format!("{base}ت{s}"));
            }
        }
        Nisba => {
            for s in ["", "ه", "ين", "ون", "ات", "تين", "تان", "ته", "تها"] {
                cores.push(format!("{w}{s}"));
            }
        }
    }
    let mut out = HashSet::new();
    for core in &cores {
        for p in PREFIXES {
            out.insert(format!("{p}{core}"));
        }
    }
    out
}

fn class_of(word: &str) -> Class {
    WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, c)| *c)
        .unwrap_or(Plain)
}

/// Words whose oracle holds fewer articles than this are reported, not judged.
const MIN_ORACLE: usize = 20;

#[test]
fn precision_and_recall_on_the_2018_corpus() {
    check_corpus("ant-multisource-2018.jsonl.gz", 30_000);
}

/// Held out: the lexicon was not derived from it.
#[test]
fn precision_and_recall_on_the_held_out_jawhara_corpus() {
    check_corpus("ant-jawharafm-2013-2017.jsonl.gz", 9_000);
}

fn check_corpus(name: &str, min_articles: u64) {
    let Some(corpus) = shared_corpus(name) else {
        return;
    };
    let a = Archive::new();
    let (s, _, err) = a.ingest_json(&[&corpus]);
    assert!(s["new"].as_u64().unwrap() > min_articles, "{err}");

    // Every word of the oracle: the query words and the decoys.
    let mut all: Vec<&str> = WORDS.iter().map(|(w, _)| *w).collect();
    for (_, d) in DECOYS {
        if !all.contains(d) {
            all.push(d);
        }
    }
    // A surface form of two words of the list (وزاره: the ministry, or و +
    // زار + ه) says nothing about which one an article means: an article
    // whose only forms of a word are such shared forms is left out of that
    // word's figures (neither a miss nor a wrong hit).
    let mut form_to_words: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, w) in all.iter().enumerate() {
        for f in forms(w, class_of(w)) {
            form_to_words.entry(f).or_default().push(i);
        }
    }
    let conn = a.conn();
    let mut oracle: Vec<HashSet<i64>> = vec![HashSet::new(); all.len()];
    let mut shared: Vec<HashSet<i64>> = vec![HashSet::new(); all.len()];
    let mut texts: HashMap<i64, String> = HashMap::new();
    let mut st = conn
        .prepare("SELECT id, title || ' ' || body FROM articles")
        .unwrap();
    let mut rows = st.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let id: i64 = r.get(0).unwrap();
        let text: String = r.get(1).unwrap();
        for tok in oracle_tokens(&text) {
            if let Some(ws) = form_to_words.get(&tok) {
                for &w in ws {
                    if ws.len() == 1 {
                        oracle[w].insert(id);
                    } else {
                        shared[w].insert(id);
                    }
                }
            }
        }
        texts.insert(id, text);
    }
    // The surface forms of `ids` that `marsad` analyses to one of `terms`
    // (for the report only: which forms a miss or a wrong hit came from).
    let top_forms = |ids: &[&i64], terms: &[String]| -> String {
        let mut n: HashMap<String, usize> = HashMap::new();
        for id in ids {
            let mut seen = HashSet::new();
            for a in marsad::text::analyze(&texts[id]) {
                if (terms.is_empty() || terms.contains(&a.stem))
                    && seen.insert(a.normalized.clone())
                {
                    *n.entry(a.normalized).or_default() += 1;
                }
            }
        }
        let mut v: Vec<_> = n.into_iter().collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        v.iter()
            .take(6)
            .map(|(f, c)| format!("{f} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };

    let search = |w: &str| -> HashSet<i64> {
        let expr = marsad::search::Query::parse(w).to_fts().unwrap();
        let mut st = conn
            .prepare("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1")
            .unwrap();
        st.query_map([&expr], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };

    let mut report = format!("{name}\n");
    let mut failures = Vec::new();
    for (i, (w, class)) in WORDS.iter().enumerate() {
        let mut found = search(w);
        // Articles whose only forms of the word are shared ones.
        found.retain(|id| oracle[i].contains(id) || !shared[i].contains(id));
        let hit = found.intersection(&oracle[i]).count() as f64;
        let recall = if oracle[i].is_empty() {
            1.0
        } else {
            hit / oracle[i].len() as f64
        };
        let precision = if found.is_empty() {
            1.0
        } else {
            hit / found.len() as f64
        };
        let judged = oracle[i].len() >= MIN_ORACLE && !KNOWN.contains(w);
        report.push_str(&format!(
            "{w}: oracle {} found {} recall {recall:.4} precision {precision:.4}{}\n",
            oracle[i].len(),
            found.len(),
            if KNOWN.contains(w) {
                " (known deviation)"
            } else if judged {
                ""
            } else {
                " (too rare to judge)"
            }
        ));
        let below = recall < 0.98 || precision < 0.95;
        if judged && below {
            failures.push(*w);
        }
        if below && oracle[i].len() >= MIN_ORACLE {
            let missed: Vec<&i64> = oracle[i].difference(&found).take(200).collect();
            let forms = forms(w, *class);
            let mut n: HashMap<String, usize> = HashMap::new();
            for id in &missed {
                let toks: HashSet<String> = texts[*id]
                    .split(|c: char| !c.is_alphabetic())
                    .map(oracle_norm)
                    .filter(|t| forms.contains(t))
                    .collect();
                for t in toks {
                    *n.entry(t).or_default() += 1;
                }
            }
            let mut v: Vec<_> = n.into_iter().collect();
            v.sort_by_key(|e| std::cmp::Reverse(e.1));
            report.push_str(&format!("  missed forms: {v:?}\n"));
            let wrong: Vec<&i64> = found.difference(&oracle[i]).take(200).collect();
            let alts = marsad::text::query_alternatives(w);
            report.push_str(&format!("  wrong hits via: {}\n", top_forms(&wrong, &alts)));
        }
    }
    for (q, d) in DECOYS {
        let qi = all.iter().position(|w| w == q).unwrap();
        let di = all.iter().position(|w| w == d).unwrap();
        let mut found = search(q);
        found.retain(|id| oracle[qi].contains(id) || !shared[qi].contains(id));
        let through_decoy = found
            .iter()
            .filter(|id| oracle[di].contains(id) && !oracle[qi].contains(id))
            .count();
        let share = if found.is_empty() {
            0.0
        } else {
            through_decoy as f64 / found.len() as f64
        };
        report.push_str(&format!(
            "decoy {q}/{d}: hits {} only through the decoy {through_decoy} ({:.2}%)\n",
            found.len(),
            share * 100.0
        ));
        if share > 0.05 {
            failures.push(*q);
        }
    }
    println!("{report}");
    assert!(failures.is_empty(), "{failures:?}\n{report}");
}
