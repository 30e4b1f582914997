//! Light stemming. [`lucene_stem`] is Lucene's ArabicStemmer, rule for rule;
//! [`stem`] is the same with proper names kept whole, which is what the
//! index uses. Both expect normalised input.

use rustc_hash::FxHashSet;

use super::clitics::{LUCENE_PREFIXES, NAME_PROCLITIC_LETTERS, NAME_PROCLITICS, strip_clitics};
use super::normalize;
use super::word_list::WordList;

const SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];

/// The proper names [`stem`] keeps whole (names.txt), stored without their
/// article so that السعودية and سعودية are one name. FxHash: looked up for
/// every token indexed, and the set is fixed.
static NAMES: WordList<FxHashSet<String>, String> = WordList::new(include_str!("names.txt"), |l| {
    let n = normalize(l);
    match n.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 3 => rest.to_string(),
        _ => n,
    }
});

/// Lucene's ArabicStemmer: strip the first matching prefix, then every
/// matching suffix in list order, each only if enough of the word remains.
pub fn lucene_stem(word: &str) -> String {
    lucene_stem_str(word).to_string()
}

/// Characters in an affix: every affix is Arabic letters, two bytes each
/// in UTF-8 (a test checks this).
const fn arabic_len(affix: &str) -> usize {
    affix.len() / 2
}

/// [`lucene_stem`] as a slice of `word`: stemming only ever cuts, so the
/// hot path (one call per token of every article) allocates nothing.
fn lucene_stem_str(word: &str) -> &str {
    let mut s = word;
    // Lengths are counted in characters, as Lucene counts them.
    let mut n = word.chars().count();
    for p in LUCENE_PREFIXES {
        let pn = arabic_len(p);
        let long_enough = if pn == 1 { n >= 4 } else { n >= pn + 2 };
        if long_enough && let Some(rest) = s.strip_prefix(p) {
            s = rest;
            n -= pn;
            break;
        }
    }
    for suf in SUFFIXES {
        let sn = arabic_len(suf);
        if n >= sn + 2
            && let Some(rest) = s.strip_suffix(suf)
        {
            s = rest;
            n -= sn;
        }
    }
    s
}

/// The index's stemmer: a protected name, alone or behind proclitics, is
/// returned whole (لبنان، وبنغازي → بنغازي); anything else is stemmed as
/// Lucene does.
pub fn stem(word: &str) -> String {
    stem_str(word).to_string()
}

/// [`stem`] as a slice of `word`.
pub fn stem_str(word: &str) -> &str {
    let names = NAMES.get();
    if names.contains(word) {
        return word;
    }
    // Every clitic starts with one of these letters; most words skip the loop.
    if word.starts_with(NAME_PROCLITIC_LETTERS) {
        for (_, rest) in strip_clitics(word, NAME_PROCLITICS) {
            if names.contains(rest) && rest.chars().count() >= 3 {
                return rest;
            }
        }
    }
    lucene_stem_str(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes_are_two_byte_letters() {
        for a in LUCENE_PREFIXES.iter().chain(SUFFIXES) {
            assert_eq!(arabic_len(a), a.chars().count(), "{a}");
        }
    }

    #[test]
    fn names_stay_whole() {
        for w in ["لبنان", "عمان", "موسكو", "بنغازي", "فلسطين"] {
            let n = normalize(w);
            assert_eq!(stem(&n), n, "{w}");
        }
        assert_eq!(stem(&normalize("وبنغازي")), normalize("بنغازي"));
        assert_eq!(stem(&normalize("للبنان")), normalize("لبنان"));
        assert_eq!(stem(&normalize("السعودية")), normalize("سعودية"));
    }

    #[test]
    fn lucene_rules() {
        assert_eq!(lucene_stem("والحسن"), "حسن");
        assert_eq!(lucene_stem("وزير"), "زير");
        assert_eq!(lucene_stem("الو"), "الو");
    }
}
