//! The analyser against Lucene's published vectors, each normalisation rule,
//! and the recall holes marsad closes.

use marsad::text::{self, lucene_analyze, lucene_stem, normalize, query_alternatives, stem};

fn arabic_normalized(w: &str) -> String {
    if text::is_arabic_word(w) {
        normalize(w)
    } else {
        w.to_string()
    }
}

#[test]
fn lucene_vectors_all_pass() {
    let tsv = include_str!("lucene-arabic-vectors.tsv");
    let mut checked = 0;
    let mut deviations = 0;
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (kind, input, expected) = (cols[0], cols[1], cols[2]);
        let got = match kind {
            "normalize" => input
                .split_whitespace()
                .map(normalize)
                .collect::<Vec<_>>()
                .join(" "),
            // The stem vectors feed the stemmer normalised Arabic; Latin
            // input goes in as it is (no lower-casing in that chain).
            "stem" => input
                .split_whitespace()
                .map(|w| stem(&arabic_normalized(w)))
                .collect::<Vec<_>>()
                .join(" "),
            "analyze" => lucene_analyze(input).join(" "),
            other => panic!("unknown kind {other}"),
        };
        if got != expected {
            // marsad's stemmer departs from Lucene's only where listed.
            assert!(
                kind == "stem" && DEVIATIONS.iter().any(|(i, g, _)| *i == input && *g == got),
                "{kind} {input:?} gives {got:?}, Lucene {expected:?} ({})",
                cols[3]
            );
            deviations += 1;
        }
        // Lucene's own stemmer agrees too, except where marsad protects names.
        if kind == "stem" {
            let lucene = input
                .split_whitespace()
                .map(|w| lucene_stem(&arabic_normalized(w)))
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(lucene, expected);
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} vectors read");
    assert_eq!(
        deviations,
        DEVIATIONS.len(),
        "a listed deviation no longer occurs"
    );
}

/// Where marsad's index stemmer departs from Lucene's published vectors
/// (Lucene's own stemmer, `lucene_stem`, still passes them all): input,
/// marsad's stem, reason.
const DEVIATIONS: &[(&str, &str, &str)] = &[
    (
        "ساهديه",
        "ساهدي",
        "a nisba ية becomes ي, one term with the adjective",
    ),
    (
        "الذين م\u{64e}لكت أيمانكم",
        "ذين ملكت ايم",
        "the pronoun كم is taken off too (Lucene knows only ها and ه)",
    ),
    (
        "وساهدون",
        "وساهد",
        "the corpus never attests ساهد: no evidence the و is a proclitic, so it stays (a query for ساهد still finds it)",
    ),
    (
        "ساهدي",
        "ساهدي",
        "a final ي stays: a nisba adjective or a name",
    ),
    (
        "ساهدية",
        "ساهدي",
        "a nisba ية becomes ي, one term with the adjective",
    ),
];

#[test]
fn normalisation_rules() {
    let cases = [
        ("ﻻ", "لا"),                       // NFKC: lam-alef ligature
        ("ﺣﻔﺘﺮ", "حفتر"),                 // presentation forms
        ("صدّام", "صدام"),                 // shadda
        ("مُحَمَّدٌ", "محمد"),                 // harakat
        ("رحمٰن", "رحمن"),                 // superscript alef
        ("حفـــتر", "حفتر"),              // tatweel
        ("ح\u{200c}فتر", "حفتر"),         // ZWNJ
        ("\u{200f}حفتر\u{202b}", "حفتر"), // bidi marks
        ("حف\u{00ad}تر", "حفتر"),         // soft hyphen
        ("أإآٱ", "اااا"),
        ("مصطفى", "مصطفي"),
        ("فارسی", "فارسي"),
        ("قاعدة", "قاعده"),
        ("کرملین", "كرملين"),
        ("٢٠٢٤", "2024"),
        ("۲۰۲۴", "2024"),
        ("Wagner NATO", "wagner nato"),
    ];
    for (input, want) in cases {
        assert_eq!(normalize(input), want, "{input}");
    }
}

/// The query word's alternatives cover the stem of the surface form.
fn finds(query: &str, surface: &str) -> bool {
    let alts = query_alternatives(query);
    let indexed = stem(&normalize(surface));
    alts.contains(&indexed)
}

#[test]
fn recall_holes_are_closed() {
    for s in [
        "وزير",
        "الوزير",
        "والوزير",
        "للوزير",
        "وزيرا",
        "وزيرة",
        "بالوزير",
        "لوزير",
    ] {
        assert!(finds("وزير", s), "وزير should find {s}");
    }
    for s in ["فلسطين", "وفلسطين", "لفلسطين", "بفلسطين"] {
        assert!(finds("فلسطين", s), "فلسطين should find {s}");
    }
    for s in ["روسيا", "وروسيا", "لروسيا", "بروسيا"] {
        assert!(finds("روسيا", s), "روسيا should find {s}");
    }
    for s in ["الليبي", "ليبي", "الليبية", "الليبيين", "والليبيون"]
    {
        assert!(finds("ليبي", s), "ليبي should find {s}");
    }
    assert!(!finds("ليبي", "ليبيا"), "ليبي is not ليبيا");
    assert!(!finds("وزير", "زيارة"));
}

#[test]
fn names_are_not_mangled() {
    for w in ["لبنان", "عمان", "موسكو", "بنغازي", "فلسطين", "طرابلس"]
    {
        let n = normalize(w);
        assert_eq!(stem(&n), n, "{w}");
        assert_eq!(stem(&normalize(&format!("و{w}"))), n);
        assert_eq!(stem(&normalize(&format!("ل{w}"))), n);
    }
}

#[test]
fn index_terms_and_offsets_round_trip() {
    let body = "التقى الرئيسُ الروسي فلاديمير بوتين، المشيرَ خليفة حفتر في موسكو.";
    for a in text::analyze(body) {
        let slice: String = body.chars().skip(a.start).take(a.end - a.start).collect();
        assert_eq!(slice, a.token);
    }
    assert_eq!(text::index_terms("بالمشير"), "مشير");
}

#[test]
fn normalisation_fast_path_agrees_with_nfkc() {
    use unicode_normalization::UnicodeNormalization;
    // Every code point of the Arabic block, alone and after a letter.
    for cp in 0x0600u32..=0x06FF {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        for s in [c.to_string(), format!("ب{c}")] {
            let slow: String = normalize(&s.nfkc().collect::<String>());
            assert_eq!(normalize(&s), slow, "U+{cp:04X}");
        }
    }
}
