//! The evidence the stemmer's proclitic decisions rest on: which word forms
//! the 2018 corpus attests with the article (a noun), with the imperfect
//! prefix ي (a verb), alone, and after the prepositions ب and ك with the
//! article. Derived by `examples/derive_lexicon.rs` from
//! the corpus with marsad's own normalisation and tokens, and shipped as
//! lexicon.tsv; the rules that use it are in stem.rs.
//!
//! Forms are stored as their [`key`]: the word without the suffixes that do
//! not change what its first letter is (pronouns, the dual and sound plurals,
//! the nisba endings), so that one attested form stands for the whole family
//! and the index and the query, which see different members of it, take the
//! same decision.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Attested with the article: ال + form occurs (a noun or adjective).
pub(crate) const NOUN: u8 = 1;
/// Attested with the imperfect prefix: ي + form occurs (a verb whose first
/// radical is this letter).
pub(crate) const VERB: u8 = 2;
/// Attested alone, with no article.
pub(crate) const WORD: u8 = 4;
/// Attested after the preposition ب with the article (بال + form).
pub(crate) const AFTER_BI: u8 = 8;
/// Attested after the preposition ك with the article (كال + form).
pub(crate) const AFTER_KA: u8 = 16;

static LEXICON: OnceLock<FxHashMap<&'static str, u8>> = OnceLock::new();

fn lexicon() -> &'static FxHashMap<&'static str, u8> {
    LEXICON.get_or_init(|| {
        include_str!("lexicon.tsv")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (k, f) = l.split_once('\t')?;
                let flags = f.bytes().fold(0, |acc, b| {
                    acc | match b {
                        b'N' => NOUN,
                        b'V' => VERB,
                        b'W' => WORD,
                        b'B' => AFTER_BI,
                        b'K' => AFTER_KA,
                        _ => 0,
                    }
                });
                Some((k, flags))
            })
            .collect()
    })
}

/// The evidence flags of a key (0 when the corpus never attests it).
pub(crate) fn flags(key: &str) -> u8 {
    lexicon().get(key).copied().unwrap_or(0)
}

/// Every key with its flags, in the file's (sorted) order.
#[cfg(test)]
pub(crate) fn entries() -> impl Iterator<Item = (&'static str, u8)> {
    let mut v: Vec<_> = lexicon().iter().map(|(k, f)| (*k, *f)).collect();
    v.sort_unstable();
    v.into_iter()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Pronoun suffixes taken off a key (longest first). Not a bare ه, which
/// after normalisation is also the teh marbuta (وزاره is a ministry, not
/// وزار + ه), and not نا or ك, which end many words.
const KEY_PRONOUNS: &[&str] = &["هما", "كما", "ها", "هم", "هن", "كم"];

/// Pronouns taken off after a teh (the ة of a noun written ت before a
/// suffix): حكومتنا، وزارتهم، حكومته.
const TEH_PRONOUNS: &[&str] = &["هما", "كما", "ها", "هم", "هن", "كم", "نا", "ه"];

/// The lexicon key of a normalised word form: pronoun suffixes off, a teh
/// before a pronoun restored to ه (the normalised ة: وزارتنا → وزاره), the
/// nisba endings reduced to ي (سعوديين → سعودي), and the dual and sound
/// masculine plural endings off. The ات plural and a final ه stay: taking
/// them off would make وزارات and وزارة the key of the verb وزار.
pub fn key(w: &str) -> String {
    key_parts(w, true).0
}

/// The key a verb's evidence is filed under: [`key`] without the tanween
/// alef, which no verb takes (يوانتا, a name, is no verb وانت: read as
/// ي + وانت + tanween it made وانت a verb, and so و part of وانت, "and you").
pub fn verb_key(w: &str) -> String {
    key_parts(w, false).0
}

/// The evidence for `w`'s family: the flags of its [`key`], except that a
/// form whose key lost a dual or plural ending (ان، ين، ون) cannot be a verb.
/// The verb takes those endings only behind the imperfect prefix (يلبيان),
/// which `w` does not have, so the verb لبي (يلبي) is no evidence that the
/// ل of لبيان belongs to the word.
pub(crate) fn family_flags(w: &str) -> u8 {
    let (k, plural) = key_parts(w, true);
    let f = flags(&k);
    if plural { f & !VERB } else { f }
}

/// [`key`] and whether a dual or plural ending was taken off; with
/// `tanween` false a final alef stays.
fn key_parts(w: &str, tanween: bool) -> (String, bool) {
    let mut s = w;
    if let Some((base, p)) = TEH_PRONOUNS
        .iter()
        .find_map(|p| Some((w.strip_suffix(p)?.strip_suffix('ت')?, p)))
        && chars(base) >= 2
        && !(*p == "ه" && chars(base) < 3)
    {
        return (format!("{base}ه"), false);
    }
    if let Some(base) = KEY_PRONOUNS
        .iter()
        .find_map(|p| s.strip_suffix(p))
        .filter(|b| chars(b) >= 3)
    {
        s = base;
    }
    // Tanween alef (وطنا is وطن), where +ا makes no other word (ليبيا).
    if tanween
        && let Some(base) = s.strip_suffix('ا')
        && chars(base) >= 3
        && !base.ends_with(['ي', 'ا', 'و', 'ه'])
    {
        s = base;
    }
    for nisba in ["يين", "يون", "يات"] {
        if let Some(base) = s.strip_suffix(nisba)
            && chars(base) >= 2
        {
            return (format!("{base}ي"), false);
        }
    }
    if let Some(base) = s.strip_suffix("يه")
        && chars(base) >= 2
    {
        return (format!("{base}ي"), false);
    }
    for plural in ["ين", "ون", "ان"] {
        if let Some(base) = s.strip_suffix(plural)
            && chars(base) >= 3
        {
            return (base.to_string(), true);
        }
    }
    (s.to_string(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key("ووزارتنا"), "ووزاره");
        assert_eq!(key("وزارته"), "وزاره");
        assert_eq!(key("وزاره"), "وزاره");
        assert_eq!(key("وزارات"), "وزارات");
        assert_eq!(key("سعوديين"), "سعودي");
        assert_eq!(key("سعوديه"), "سعودي");
        assert_eq!(key("وزيرين"), "وزير");
        assert_eq!(key("وزيرها"), "وزير");
        assert_eq!(key("وزار"), "وزار");
        assert_eq!(key("وانتا"), "وانت");
        assert_eq!(verb_key("وانتا"), "وانتا");
        assert_eq!(verb_key("لبيان"), "لبي");
    }
}
