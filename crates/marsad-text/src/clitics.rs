//! The Arabic proclitics (و ف ب ك ل and the article ال, written joined to the
//! next word), one list per use. The lists differ on purpose: each use
//! strips what it must and no more, and the index, the mentions and the
//! search results depend on every entry (and on the order, where the first
//! match wins), so a change to one is a change of behaviour, and to the
//! stemmer's two ([`LUCENE_PREFIXES`], [`NAME_PROCLITICS`]) a change of
//! [`super::ANALYZER_VERSION`].
//!
//! Every entry is Arabic letters, two bytes each in UTF-8: [`strip_clitics`]
//! and the stemmer's length arithmetic rely on it (a test checks it).

/// Lucene's ArabicStemmer prefixes, in its order: the first one that matches
/// with enough of the word left is stripped.
pub const LUCENE_PREFIXES: &[&str] = &["ال", "وال", "بال", "كال", "فال", "لل", "و"];

/// The article, alone or behind one proclitic: Lucene's prefixes without the
/// bare و. Taken off a search prefix (`وال*` searches what `ال*` does), where
/// a bare و would turn `وزير*` into `زير*`. No two start with the same
/// letter, so at most one matches and their order does not matter.
pub const ARTICLE_PREFIXES: &[&str] = LUCENE_PREFIXES.split_at(6).0;

/// Proclitic combinations the index stemmer tries before a protected name
/// (names.txt): longest first, so that وبالقاهرة is read as وبال + قاهره.
/// The bare ال is here because names are stored without their article;
/// فبال (which the entity matcher has) is not, and adding it would change
/// index terms.
pub const NAME_PROCLITICS: &[&str] = &[
    "وبال", "وكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال", "وب", "ول", "وك", "فب",
    "فل", "فك", "و", "ف", "ب", "ل", "ك",
];

/// Letters every [`NAME_PROCLITICS`] entry starts with: most words skip the
/// search for a name behind a proclitic.
pub const NAME_PROCLITIC_LETTERS: [char; 6] = ['و', 'ف', 'ب', 'ل', 'ك', 'ا'];

/// Proclitics that may stand before a gazetteer name when mentions are
/// matched, longest first. Unlike [`NAME_PROCLITICS`]: with فبال, and
/// without a bare ال, because gazetteer names carry their own article
/// (الجيش الوطني الليبي); ل + ال is read from لل (للجيش = ل + الجيش).
pub const ENTITY_PROCLITICS: &[&str] = &[
    "وبال", "وكال", "فبال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "وب", "ول", "وك", "فب",
    "فل", "فك", "و", "ف", "ب", "ل", "ك",
];

/// Letters every [`ENTITY_PROCLITICS`] entry starts with.
pub const ENTITY_PROCLITIC_LETTERS: [char; 5] = ['و', 'ف', 'ب', 'ل', 'ك'];

/// Proclitics attached to a query word to find the index terms it can appear
/// as (`""`, first, is the word itself). Lucene's stemmer strips only the
/// article forms and و, so a word written with ب، ل، ك or ف attached would
/// otherwise be missed; the order is the order of the alternatives searched.
pub const QUERY_PROCLITICS: &[&str] = &[
    "", "ال", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك",
];

/// The clitics of `list` that `word` begins with, in list order, each with
/// what follows it. Comparing first letters as two bytes skips the others
/// without a call to memcmp (this runs for every word indexed and every
/// token matched).
#[inline]
pub fn strip_clitics<'w>(
    word: &'w str,
    list: &'static [&'static str],
) -> impl Iterator<Item = (&'static str, &'w str)> + 'w {
    let first = word.as_bytes().get(..2).unwrap_or_default();
    list.iter()
        .filter(move |c| c.as_bytes()[..2] == *first)
        .filter_map(move |c| Some((*c, word.strip_prefix(c)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clitics_are_two_byte_letters() {
        for list in [
            LUCENE_PREFIXES,
            ARTICLE_PREFIXES,
            NAME_PROCLITICS,
            ENTITY_PROCLITICS,
            QUERY_PROCLITICS,
        ] {
            for c in list {
                assert_eq!(c.len(), 2 * c.chars().count(), "{c}");
                assert!(
                    c.chars().all(|l| ('\u{0621}'..='\u{064A}').contains(&l)),
                    "{c}"
                );
            }
        }
    }

    #[test]
    fn first_letters_cover_their_lists() {
        for c in NAME_PROCLITICS {
            assert!(c.starts_with(NAME_PROCLITIC_LETTERS), "{c}");
        }
        for c in ENTITY_PROCLITICS {
            assert!(c.starts_with(ENTITY_PROCLITIC_LETTERS), "{c}");
        }
    }

    #[test]
    fn article_prefixes_start_with_different_letters() {
        assert_eq!(ARTICLE_PREFIXES, ["ال", "وال", "بال", "كال", "فال", "لل"]);
        let firsts: std::collections::HashSet<char> = ARTICLE_PREFIXES
            .iter()
            .filter_map(|p| p.chars().next())
            .collect();
        assert_eq!(firsts.len(), ARTICLE_PREFIXES.len());
    }
}
