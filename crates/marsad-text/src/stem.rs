//! Light stemming. [`lucene_stem`] is Lucene's ArabicStemmer, rule for rule,
//! kept to check against its published vectors; [`stem`], which the index and
//! the query expansion use, departs from it where the corpus evidence says it
//! confuses two words: proclitics only when the rest is attested (lexicon.rs),
//! the nisba family as one term in ي, pronouns after a ة's ت, and proper names
//! kept whole. Both expect normalised input.

use rustc_hash::FxHashSet;

use super::clitics::{LUCENE_PREFIXES, NAME_PROCLITIC_LETTERS, NAME_PROCLITICS, strip_clitics};
use super::lexicon;
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

/// The article, alone or behind proclitics, longest first. Lucene strips
/// the first six; وبال and the others with two proclitics are marsad's
/// (Lucene leaves بالوزير of وبالوزير). Each is taken off only if two letters
/// remain, Lucene's rule.
const ARTICLES: &[&str] = &[
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
];

/// Proclitics that are single letters, and what the rest of the word must be
/// attested as for the letter to be one: و، ف and ل attach to any word; the
/// prepositions ب and ك only to a noun the corpus shows after the same
/// preposition (بأمن: بالأمن occurs; كانت: كالانت does not, so no ك + انت).
fn clitic_evidence(c: char) -> Option<u8> {
    match c {
        'و' | 'ف' | 'ل' => Some(lexicon::NOUN | lexicon::VERB | lexicon::WORD),
        'ب' => Some(lexicon::AFTER_BI),
        'ك' => Some(lexicon::AFTER_KA),
        _ => None,
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Whether the corpus attests `w`'s family whole, as a noun (ال + w) or a
/// verb (ي + w): then its first letter belongs to it (الوزير, يوافق).
/// A final ه may be the pronoun (وضعه: his position) as well as the
/// normalised ة, so the form without it counts too.
fn attested_whole(w: &str) -> bool {
    let whole = |w: &str| lexicon::family_flags(w) & (lexicon::NOUN | lexicon::VERB) != 0;
    whole(w)
        || w.strip_suffix('ه')
            .is_some_and(|b| chars(b) >= 3 && whole(b))
}

/// Whether `rest`, what follows proclitic letter `c`, is attested as its
/// class of word and has at least three letters (كما is no ك + ما).
fn attested_rest(c: char, rest: &str) -> bool {
    let Some(need) = clitic_evidence(c) else {
        return false;
    };
    chars(rest) >= 3 && lexicon::family_flags(rest) & need != 0
}

/// How many bytes of proclitics begin `w` (no article): a letter is a
/// proclitic only when the word is not attested whole and what follows it is
/// attested (وقال → قال, لروسيا → روسيا; الوزير is attested, so وزير keeps its
/// و). A word the corpus never saw keeps its letters: the query side finds it
/// anyway, as the stem of the query word with the letter attached.
fn proclitic_len(w: &str) -> usize {
    let Some(c) = w.chars().next() else { return 0 };
    if clitic_evidence(c).is_none() || chars(w) < 4 || attested_whole(w) {
        return 0;
    }
    let rest = &w[c.len_utf8()..];
    // و or ف before ب، ك or ل: وبشركة, فلروسيا.
    if matches!(c, 'و' | 'ف')
        && let Some(c2) = rest.chars().next()
        && matches!(c2, 'ب' | 'ك' | 'ل')
        && !attested_whole(rest)
    {
        let rest2 = &rest[c2.len_utf8()..];
        if attested_rest(c2, rest2) {
            return w.len() - rest2.len();
        }
    }
    if attested_rest(c, rest) {
        return w.len() - rest.len();
    }
    0
}

/// Pronouns a teh (ة written ت) may carry beyond Lucene's ها and ه:
/// حكومتنا، حكومتهم → حكومت, the stem of حكومته.
const TEH_PRONOUNS: &[&str] = &["هما", "كما", "هم", "هن", "كم", "نا"];

/// Pronouns Lucene does not strip, taken off any word that keeps three
/// letters (نا, which ends many words, only after a teh: the corpus cannot
/// tell وطننا, وطن + نا, from اعلنا, the verb اعلن + ا, because the lexicon
/// files اعلان under اعل, a noun).
const PRONOUNS: &[&str] = &["هما", "كما", "هم", "هن", "كم"];

/// A teh marbuta written ت before the first-person ي ("my"): جنتي, the
/// noun جنة + ي, is indexed as جنته (his) and جنتها are, under جنت. Only
/// when the corpus attests the ة noun with the article and not the whole
/// form (a nisba adjective in تي: كويتي، ذاتي keeps its ي).
fn teh_first_person(w: &str) -> Option<&str> {
    let base = w.strip_suffix("تي")?;
    let noun = |f: &str| lexicon::flags(&lexicon::key(f)) & lexicon::NOUN != 0;
    (chars(base) >= 2 && noun(&format!("{base}ه")) && !noun(w))
        .then(|| &w[..w.len() - 'ي'.len_utf8()])
}

/// The suffixes of a word without proclitics: Lucene's list and order, but a
/// final ي stays (a nisba adjective or a name: سعودي, عسيري, خاشقجي), the
/// nisba endings ية، يين، يون، يات become that ي, and a teh takes the pronouns
/// Lucene does not know.
fn suffix_stem(w: &str) -> &str {
    let mut n = chars(w);
    if let Some(base) = TEH_PRONOUNS
        .iter()
        .find_map(|p| w.strip_suffix(p))
        .filter(|b| b.ends_with('ت') && chars(b) >= 3)
    {
        return base;
    }
    let mut s = w;
    if n >= 4
        && let Some(rest) = s.strip_suffix("ها")
    {
        s = rest;
        n -= 2;
    } else if let Some(rest) = PRONOUNS
        .iter()
        .find_map(|p| s.strip_suffix(p))
        .filter(|r| chars(r) >= 3)
    {
        // Lucene knows only ها and ه: وضعهم, وزيرهم.
        n = chars(rest);
        s = rest;
    }
    // The nisba: keep the ي, drop what follows it.
    for nisba in ["يين", "يون", "يات"] {
        if let Some(base) = s.strip_suffix(nisba)
            && chars(base) >= 2
        {
            return &s[..base.len() + 'ي'.len_utf8()];
        }
    }
    if let Some(base) = s.strip_suffix("يه")
        && chars(base) >= 2
    {
        return &s[..base.len() + 'ي'.len_utf8()];
    }
    if let Some(base) = teh_first_person(s) {
        return base;
    }
    if s.ends_with('ي') {
        return s;
    }
    for suf in ["ان", "ات", "ون", "ين", "ه"] {
        let sn = arabic_len(suf);
        // Lucene leaves two letters; the dual and plural endings here leave
        // three (بيان is no بي + ان, جنين no جن + ين).
        let keep = if matches!(suf, "ان" | "ون" | "ين") {
            3
        } else {
            2
        };
        if n >= sn + keep
            && let Some(rest) = s.strip_suffix(suf)
        {
            s = rest;
            n -= sn;
        }
    }
    s
}

/// The index's stemmer. A protected name (names.txt), alone or behind
/// proclitics, is returned whole (لبنان، وبنغازي → بنغازي). Otherwise the
/// article is taken off as Lucene does, other proclitics only where the
/// corpus shows the letter is one ([`proclitic_len`]), then the suffixes
/// ([`suffix_stem`]).
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
    if !word.starts_with(NAME_PROCLITIC_LETTERS) {
        return suffix_stem(word);
    }
    for (_, rest) in strip_clitics(word, NAME_PROCLITICS) {
        if names.contains(rest) && chars(rest) >= 3 {
            return rest;
        }
    }
    let n = chars(word);
    for a in ARTICLES {
        let an = arabic_len(a);
        if n >= an + 2
            && let Some(rest) = word.strip_prefix(a)
        {
            // والد, attested as الوالد, is no و + ال + د.
            if a.len() > "ال".len() && !a.starts_with("لل") && attested_whole(word) {
                break;
            }
            // للجنة is ل + اللجنة: the noun's own lam, when لجنة is a noun.
            if a.ends_with("لل") {
                let with_lam = &word[word.len() - rest.len() - 'ل'.len_utf8()..];
                if lexicon::flags(&lexicon::key(with_lam)) & lexicon::NOUN != 0 {
                    return suffix_stem(with_lam);
                }
            }
            return suffix_stem(rest);
        }
    }
    suffix_stem(&word[proclitic_len(word)..])
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
        // No longer a protected name: the nisba family is one term.
        assert_eq!(stem(&normalize("السعودية")), "سعودي");
    }

    #[test]
    fn lucene_rules() {
        assert_eq!(lucene_stem("والحسن"), "حسن");
        assert_eq!(lucene_stem("وزير"), "زير");
        assert_eq!(lucene_stem("الو"), "الو");
    }
}
