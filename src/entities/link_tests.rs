//! Linking in context, with the shipped gazetteer and a fake tagger that
//! tags the names it is given.

use super::super::{Candidate, EntityType, Extraction, Gazetteer, How, NameKind, extract};
use crate::ner::{NerSpan, Tagger};
use crate::text;

/// The shipped gazetteer as `store::load` builds it from a new archive.
pub(crate) fn shipped() -> Gazetteer {
    let defs = super::super::parse_tsv(super::super::DEFAULT_GAZETTEER).unwrap();
    let mut aliases = Vec::new();
    let mut not_near = Vec::new();
    for d in &defs {
        aliases.push((d.id.clone(), d.name_ar.clone(), NameKind::Name));
        if !d.name_en.is_empty() {
            aliases.push((d.id.clone(), d.name_en.clone(), NameKind::Name));
        }
        for a in &d.aliases {
            aliases.push((d.id.clone(), a.clone(), NameKind::Alias));
        }
        for s in &d.short {
            aliases.push((d.id.clone(), s.clone(), NameKind::Short));
        }
        for w in &d.not_near {
            not_near.push((d.id.clone(), w.clone()));
        }
    }
    let context = defs
        .iter()
        .map(|d| (d.id.clone(), d.etype, d.country.clone()));
    Gazetteer::build(aliases, not_near, Vec::<String>::new()).with_context(context)
}

/// Tags each listed name where its words stand (the first may carry a
/// proclitic of up to two letters), like a model that knows them.
pub(crate) struct Names(pub Vec<(&'static str, EntityType)>);

impl Tagger for Names {
    fn tag(&self, words: &[&str]) -> Vec<NerSpan> {
        let norm: Vec<String> = words.iter().map(|w| text::normalize(w)).collect();
        let mut out = Vec::new();
        let mut i = 0;
        'word: while i < norm.len() {
            for (name, kind) in &self.0 {
                let n: Vec<String> = name.split(' ').map(text::normalize).collect();
                let fits = i + n.len() <= norm.len()
                    && norm[i].ends_with(n[0].as_str())
                    && norm[i].chars().count() <= n[0].chars().count() + 2
                    && (1..n.len()).all(|k| norm[i + k] == n[k]);
                if fits {
                    out.push(NerSpan {
                        start: i,
                        end: i + n.len(),
                        kind: *kind,
                    });
                    i += n.len();
                    continue 'word;
                }
            }
            i += 1;
        }
        out
    }

    /// Like a model whose word counts know the listed names: what stands
    /// before a listed first word is a proclitic (ورامي → و).
    fn proclitic_len(&self, word: &str) -> usize {
        let norm = text::normalize(word);
        for (name, _) in &self.0 {
            let first = text::normalize(name.split(' ').next().unwrap_or(""));
            if norm != first && norm.ends_with(first.as_str()) {
                let n = norm.chars().count() - first.chars().count();
                return word.char_indices().nth(n).map_or(0, |(b, _)| b);
            }
        }
        0
    }

    fn id(&self) -> String {
        "names".into()
    }
}

fn entities(x: &Extraction) -> Vec<&str> {
    x.mentions.iter().map(|m| m.entity.as_str()).collect()
}

fn run(tagger: Option<&Names>, body: &str) -> Extraction {
    let x = extract(&shipped(), tagger.map(|t| t as &dyn Tagger), "", body);
    for m in &x.mentions {
        let s: String = body.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(s, m.surface);
    }
    for c in &x.candidates {
        let s: String = body.chars().skip(c.start).take(c.end - c.start).collect();
        assert_eq!(s, c.surface);
    }
    x
}

#[test]
fn shipped_generic_names_are_the_ones_made_of_common_words() {
    let g = shipped();
    let generic = |name: &str| {
        let toks = super::super::gazetteer::name_tokens(name);
        g.by_first[&toks[0]]
            .iter()
            .find(|p| p.tokens == toks)
            .unwrap()
            .generic
    };
    assert!(generic("وزارة الداخلية"));
    assert!(generic("حكومة الوحدة الوطنية"));
    assert!(generic("المنفي"));
    // Names of their own, or naming their country, are not.
    assert!(!generic("محمد المنفي"));
    assert!(!generic("الكرملين"));
    assert!(!generic("بوتين"));
    assert!(!generic("وزارة الداخلية الليبية"));
    assert!(!generic("وزارة الخارجية الأميركية"));
}

#[test]
fn interior_ministry_in_kabul_is_not_libyan() {
    let t = Names(vec![
        ("كابول", EntityType::Place),
        ("وزارة الداخلية", EntityType::Org),
    ]);
    let body = "أعلنت وزارة الداخلية في كابول مقتل عشرة أشخاص في هجوم.";
    for tagger in [None, Some(&t)] {
        let x = run(tagger, body);
        assert!(
            !entities(&x).contains(&"libyan-interior-ministry"),
            "{:?}",
            x.mentions
        );
    }
    // With the tagger the ministry is an organisation of its own.
    let x = run(Some(&t), body);
    assert!(
        x.candidates
            .iter()
            .any(|c| c.kind == EntityType::Org && c.surface == "وزارة الداخلية"),
        "{:?}",
        x.candidates
    );
    // In Libya (Benghazi is Libyan) it is the Libyan ministry.
    let x = run(None, "أعلنت وزارة الداخلية في بنغازي مقتل عشرة أشخاص.");
    assert!(entities(&x).contains(&"libyan-interior-ministry"));
}

#[test]
fn iraqi_national_unity_government_is_not_the_gnu() {
    let body = "قالت حكومة الوحدة الوطنية في العراق إن الانتخابات ستجري في موعدها.";
    let t = Names(vec![("العراق", EntityType::Place)]);
    for tagger in [None, Some(&t)] {
        assert!(!entities(&run(tagger, body)).contains(&"gnu"));
    }
    let x = run(
        None,
        "قالت حكومة الوحدة الوطنية في ليبيا إن الانتخابات ستجري.",
    );
    assert!(entities(&x).contains(&"gnu"), "{:?}", x.mentions);
}

#[test]
fn exile_is_not_al_menfi() {
    let t = Names(vec![("محمد المنفي", EntityType::Person)]);
    let body = "عاد الشاعر من المنفى إلى بلاده بعد عشرين عاما.";
    for tagger in [None, Some(&t)] {
        assert!(entities(&run(tagger, body)).is_empty());
    }
    // The full name is his; so is the bare surname after it.
    let x = run(
        None,
        "التقى محمد المنفي السفير. وقال المنفي إن الحوار مستمر.",
    );
    assert_eq!(entities(&x), ["mohamed-menfi", "mohamed-menfi"]);
    // Alone: where the text writes the name (ي), not the noun (ى), unless
    // the model reads another kind of name there; a model that reads no
    // name there does not undo the gazetteer.
    let body = "وقال المنفي إن الحوار مستمر.";
    assert_eq!(entities(&run(None, body)), ["mohamed-menfi"]);
    assert_eq!(entities(&run(Some(&t), body)), ["mohamed-menfi"]);
    let p = Names(vec![("المنفي", EntityType::Person)]);
    assert_eq!(entities(&run(Some(&p), body)), ["mohamed-menfi"]);
    let o = Names(vec![("المنفي", EntityType::Org)]);
    assert!(entities(&run(Some(&o), body)).is_empty());
    // Parliaments are called so in many countries: مجلس النواب is the
    // Libyan House only in a Libyan article.
    assert!(entities(&run(None, "صوت مجلس النواب التونسي على القانون.")).is_empty());
    assert_eq!(
        entities(&run(None, "صوت مجلس النواب في طبرق على القانون.")),
        ["house-of-representatives", "tobruk"]
    );
}

fn discovered(x: &Extraction) -> Vec<(&str, &str, How)> {
    x.candidates
        .iter()
        .map(|c: &Candidate| (c.key.as_str(), c.surface.as_str(), c.how))
        .collect()
}

#[test]
fn bare_surname_after_the_full_name() {
    let t = Names(vec![("جورج بوش", EntityType::Person)]);
    let body =
        "زار جورج بوش بغداد. وقال بوش إن الحرب انتهت، وأضاف جورج أن الجنود سيعودون. ولبوش رأي آخر.";
    let x = run(Some(&t), body);
    assert_eq!(
        discovered(&x),
        [
            ("جورج بوش", "جورج بوش", How::Discovered),
            ("جورج بوش", "بوش", How::Short),
            ("جورج بوش", "جورج", How::Short),
            ("جورج بوش", "بوش", How::Short),
        ]
    );
    // Not before the full name, and not when two persons share the word.
    let x = run(Some(&t), "قال بوش إن جورج بوش زار بغداد.");
    assert_eq!(discovered(&x).len(), 1);
    let t = Names(vec![
        ("جورج بوش", EntityType::Person),
        ("جيب بوش", EntityType::Person),
    ]);
    let x = run(Some(&t), "التقى جورج بوش وجيب بوش. وقال بوش إن الأمر انتهى.");
    assert!(x.candidates.iter().all(|c| c.how == How::Discovered));
    // The recogniser tags the bare surname on its own too: still the person
    // named before, not a new entity (but a new one when it comes first).
    let t = Names(vec![
        ("نيد برايس", EntityType::Person),
        ("برايس", EntityType::Person),
    ]);
    let x = run(Some(&t), "قال نيد برايس إن حفتر التقى برايس في بنغازي.");
    assert_eq!(
        discovered(&x),
        [
            ("نيد برايس", "نيد برايس", How::Discovered),
            ("نيد برايس", "برايس", How::Short),
        ]
    );
    let x = run(Some(&t), "التقى برايس ثم نيد برايس.");
    assert_eq!(discovered(&x).len(), 2);
}

#[test]
fn bare_words_that_are_not_the_name() {
    let t = Names(vec![
        ("علي عبدالله صالح", EntityType::Person),
        ("رامي عبد الرحمن", EntityType::Person),
    ]);
    let x = run(
        Some(&t),
        "قال علي عبدالله صالح ورامي عبد الرحمن إن الأمر انتهى. وحصل على دعم لصالح الحزب باسم الله الرحمن. وقال علي إن الأمر انتهى.",
    );
    // Not the preposition على, not صالح "in favour of", not the last word of
    // the compound عبد الرحمن; the first name علي itself, yes.
    assert_eq!(
        discovered(&x),
        [
            ("علي عبدالله صالح", "علي عبدالله صالح", How::Discovered),
            ("رامي عبد الرحمن", "رامي عبد الرحمن", How::Discovered),
            ("علي عبدالله صالح", "علي", How::Short),
        ]
    );
}

#[test]
fn three_word_names_are_kept_whole() {
    let x = run(
        None,
        "وقال الرئيس السوداني عمر حسن البشير، إن الأمر انتهى. واستقبل الرئيس المصري محمد حسني مبارك في القاهرة وفدا.",
    );
    let names: Vec<&str> = x.candidates.iter().map(|c| c.surface.as_str()).collect();
    assert_eq!(names, ["عمر حسن البشير", "محمد حسني مبارك"], "{x:?}");
    let x = run(None, "استقبل الرئيس محمد بن عبدالعزيز على هامش القمة وفدا.");
    let names: Vec<&str> = x.candidates.iter().map(|c| c.surface.as_str()).collect();
    assert_eq!(names, ["محمد بن عبدالعزيز"], "{x:?}");
    assert!(x.candidates.iter().all(|c| c.kind == EntityType::Person));
    // A recognised name covering the candidate wins.
    let t = Names(vec![("محمد حسني مبارك", EntityType::Person)]);
    let x = run(Some(&t), "وقال الرئيس محمد حسني مبارك إن الأمر انتهى.");
    assert_eq!(
        discovered(&x),
        [("محمد حسني مبارك", "محمد حسني مبارك", How::Discovered)]
    );
}

#[test]
fn recognised_names_keep_proclitics_outside_and_gazetteer_wins() {
    let t = Names(vec![
        ("العراق", EntityType::Place),
        ("خليفة حفتر", EntityType::Person),
    ]);
    let x = run(Some(&t), "وصل خليفة حفتر بالعراق والعراق بلد.");
    assert_eq!(entities(&x), ["khalifa-haftar"]);
    assert_eq!(
        discovered(&x),
        [
            ("العراق", "العراق", How::Discovered),
            ("العراق", "العراق", How::Discovered),
        ]
    );
}

#[test]
fn a_lone_alias_inside_a_longer_recognised_person_is_not_that_person() {
    // حفتر alone is Khalifa Haftar; inside a recognised أسامة حفتر (no
    // gazetteer name) it is a word of that other man's name.
    let t = Names(vec![("أسامة حفتر", EntityType::Person)]);
    let x = run(Some(&t), "وصل أسامة حفتر إلى القاهرة.");
    assert!(entities(&x).is_empty(), "{:?}", entities(&x));
    assert_eq!(
        discovered(&x),
        [("اسامه حفتر", "أسامة حفتر", How::Discovered)]
    );
    // Without such a span حفتر is Khalifa Haftar; after his full name, the
    // son's name is still the son's.
    assert_eq!(
        entities(&run(Some(&t), "وصل حفتر إلى القاهرة.")),
        ["khalifa-haftar"]
    );
    assert_eq!(
        entities(&run(Some(&t), "التقى خليفة حفتر ابنه. ثم وصل أسامة حفتر.")),
        ["khalifa-haftar"]
    );
}

/// A proclitic article belongs to the word: والسورية is "and the Syrian",
/// not Syria (سورية, which takes no article), والقطر "and the towing", not
/// Qatar; a place written with the article is still found behind و or ب,
/// and a name other than a place's keeps a colloquial article (بالفيسبوك).
#[test]
fn the_adjective_with_its_article_is_not_the_country() {
    let x = run(
        None,
        "أكدت القوات الروسية والسورية أن أعمال الإرشاد والقطر مستمرة.",
    );
    assert!(entities(&x).is_empty(), "{:?}", entities(&x));
    let x = run(None, "وصل الوفد إلى سورية وقطر، ثم حل بالجزائر والجزائر.");
    assert_eq!(entities(&x), ["syria", "qatar", "algeria", "algeria"]);
    let x = run(None, "وكتب على صفحته بالفيسبوك أن الاجتماع انتهى.");
    assert_eq!(entities(&x), ["facebook"]);
}
