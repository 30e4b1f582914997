//! The query language: the query string lexed into terms and operators,
//! and parsed into a [`Query`] with repeats dropped and the caps on terms
//! and prefixes applied.

use std::collections::HashSet;

use crate as text;
use crate::clitics::ARTICLE_PREFIXES;

/// What a term matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    Word(String),
    Phrase(Vec<String>),
    Prefix(String),
}

/// One term, optionally restricted to the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub kind: TermKind,
    pub title_only: bool,
}

/// A parsed query: every group must match (a group is terms joined by OR),
/// and no excluded term may.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub groups: Vec<Vec<Term>>,
    pub excluded: Vec<Term>,
    /// What was left out of the query and why (repeats are dropped silently).
    pub notes: Vec<String>,
}

/// Terms past this many are ignored, which bounds the work a query can ask
/// for (a pasted paragraph is still searched by its first words). Every OR
/// alternative, every excluded term and every word of a phrase counts.
pub const MAX_TERMS: usize = 32;

/// A prefix needs this many letters once normalised (and a leading article
/// removed). FTS5 answers `x*` by merging the posting lists of every indexed
/// term that starts with `x`: for one letter that is a large part of the
/// index. Counting the terms a prefix covers in
/// `articles_vocab` first would cost about as much as the search itself
/// (fts5vocab reads those posting lists), so the bound is on the prefix.
pub const MIN_PREFIX_LETTERS: usize = 2;

/// Prefixes past this many are ignored: even two-letter prefixes each cover
/// thousands of terms, and the search's time limit is the last resort.
pub const MAX_PREFIXES: usize = 4;

/// A raw piece of the query string.
enum Piece {
    Term(Term, bool),
    Or,
    /// Something the user typed that this language reads otherwise than
    /// FTS5 would, and how it was read.
    Note(String),
}

impl Term {
    /// What the index is asked for: two terms with the same key search the
    /// same thing (`وزير` twice, `ا*` twice).
    fn key(&self) -> (u8, bool, String) {
        let (kind, s) = match &self.kind {
            TermKind::Word(w) => (0, text::normalize(w)),
            TermKind::Phrase(ws) => (
                1,
                ws.iter()
                    .map(|w| text::normalize(w))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            TermKind::Prefix(p) => (2, prefix_term(p)),
        };
        (kind, self.title_only, s)
    }

    /// How many terms it counts for against [`MAX_TERMS`].
    fn weight(&self) -> usize {
        match &self.kind {
            TermKind::Phrase(ws) => ws.len().max(1),
            _ => 1,
        }
    }
}

/// Same terms, in any order.
fn same_group(a: &[Term], b: &[Term]) -> bool {
    let keys = |g: &[Term]| g.iter().map(Term::key).collect::<HashSet<_>>();
    keys(a) == keys(b)
}

impl Query {
    /// Parse a query. Never fails: what is not syntax is words. Repeated
    /// terms count once, short prefixes are dropped, and what passes the
    /// term and prefix caps is ignored, each noted in `notes`.
    pub fn parse(input: &str) -> Query {
        let mut q = Query::default();
        // The group being built (terms joined by OR), and what is spent of
        // the caps: a group that repeats an earlier one gives its share back.
        let mut current: Vec<Term> = Vec::new();
        let (mut used, mut prefixes, mut cut) = (0, 0, 0);
        // Terms left out, by key, so that a repeat is not counted twice.
        let mut ignored = HashSet::new();
        let mut join_next = false;
        let mut short: Vec<String> = Vec::new();
        let is_prefix = |t: &Term| matches!(t.kind, TermKind::Prefix(_));
        let close = |q: &mut Query, g: Vec<Term>, used: &mut usize, prefixes: &mut usize| {
            if g.is_empty() {
                return;
            }
            if q.groups.iter().any(|x| same_group(x, &g)) {
                *used -= g.iter().map(Term::weight).sum::<usize>();
                *prefixes -= g.iter().filter(|t| is_prefix(t)).count();
            } else {
                q.groups.push(g);
            }
        };
        for p in lex(input) {
            let (mut t, neg) = match p {
                Piece::Or => {
                    join_next = !current.is_empty();
                    continue;
                }
                Piece::Note(n) => {
                    if !q.notes.contains(&n) {
                        q.notes.push(n);
                    }
                    continue;
                }
                Piece::Term(t, neg) => (t, neg),
            };
            let join = std::mem::take(&mut join_next) && !neg;
            if let TermKind::Prefix(p) = &t.kind
                && prefix_letters(p) < MIN_PREFIX_LETTERS
            {
                let p = format!("{p}*");
                if !short.contains(&p) {
                    short.push(p);
                }
                continue;
            }
            let key = t.key();
            let repeated = if neg {
                q.excluded.iter().any(|x| x.key() == key)
            } else {
                join && current.iter().any(|x| x.key() == key)
            };
            if repeated {
                continue;
            }
            if (is_prefix(&t) && prefixes >= MAX_PREFIXES) || used >= MAX_TERMS {
                ignored.insert(t.key());
                continue;
            }
            // A phrase longer than what is left is cut to fit.
            let left = MAX_TERMS - used;
            if let TermKind::Phrase(ws) = &mut t.kind
                && ws.len() > left
            {
                cut += ws.len() - left;
                ws.truncate(left);
            }
            used += t.weight();
            prefixes += usize::from(is_prefix(&t));
            if neg {
                q.excluded.push(t);
            } else {
                if !join {
                    let g = std::mem::take(&mut current);
                    close(&mut q, g, &mut used, &mut prefixes);
                }
                current.push(t);
            }
        }
        close(&mut q, current, &mut used, &mut prefixes);
        if !short.is_empty() {
            let shown = short.iter().take(5).cloned().collect::<Vec<_>>().join(" ");
            let more = if short.len() > 5 { " …" } else { "" };
            q.notes.push(format!(
                "{shown}{more}: a prefix needs at least {MIN_PREFIX_LETTERS} letters \
                 (after ال); ignored"
            ));
        }
        for t in q.groups.iter().flatten().chain(&q.excluded) {
            ignored.remove(&t.key());
        }
        if q.groups.is_empty() && !q.excluded.is_empty() {
            q.notes.push(
                "a query of excluded words alone matches nothing: name what must be there \
                 too, e.g. `حفتر -موسكو` or `حفتر NOT موسكو`"
                    .into(),
            );
        }
        let ignored = ignored.len() + cut;
        if ignored > 0 {
            q.notes.push(format!(
                "{ignored} terms were ignored: a query searches at most {MAX_TERMS} terms \
                 and {MAX_PREFIXES} prefixes (repeats count once)"
            ));
        }
        q
    }
}

/// A prefix as indexed: normalised, with a leading article removed.
pub(super) fn prefix_term(p: &str) -> String {
    let n = text::normalize(p);
    for art in ARTICLE_PREFIXES {
        if let Some(rest) = n.strip_prefix(art)
            && rest.chars().count() >= 2
        {
            return rest.to_string();
        }
    }
    n
}

/// The letters of a prefix that count towards [`MIN_PREFIX_LETTERS`]: those
/// after a leading article (`ال*`, `وال*`: none, `الق*`: one), or all of them
/// if it has none. The article alone is in a large part of the index.
fn prefix_letters(p: &str) -> usize {
    let n = text::normalize(p);
    ARTICLE_PREFIXES
        .iter()
        .find_map(|art| n.strip_prefix(art))
        .unwrap_or(&n)
        .chars()
        .count()
}

/// Split the query string into terms and operators.
fn lex(input: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    // FTS5's NEAR(a b, N) is read as its words, all required.
    let near = input.contains("NEAR(");
    let input = if near {
        out.push(Piece::Note(
            "NEAR(…) is not part of this query language: its words are searched as \
             words that must all appear (write \"a b\" for a phrase)"
                .into(),
        ));
        near_words(input)
    } else {
        input.to_string()
    };
    let chars: Vec<char> = input.chars().collect();
    // `NOT x` excludes x, as `-x` does.
    let mut not_next = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Modifiers directly before a term: -, title:
        let mut neg = std::mem::take(&mut not_next);
        let mut title_only = false;
        let mut j = i;
        if chars[j] == '-'
            && chars
                .get(j + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != '-')
        {
            neg = true;
            j += 1;
        }
        let rest: String = chars[j..].iter().take(6).collect();
        if rest.to_lowercase() == "title:" && chars.get(j + 6).is_some_and(|n| !n.is_whitespace()) {
            title_only = true;
            j += 6;
        } else if let Some(col) = column_filter(&chars[j..]) {
            // FTS5's `body:x` (any other column): searched everywhere.
            out.push(Piece::Note(format!(
                "{col}: is not a field this query language knows (only title: is): \
                 its words are searched in title and body"
            )));
            j += col.chars().count() + 1;
        }
        if chars[j] == '"'
            && let Some(close) = chars[j + 1..].iter().position(|&c| c == '"')
        {
            let inner: String = chars[j + 1..j + 1 + close].iter().collect();
            let words: Vec<String> = text::tokens(&inner)
                .iter()
                .map(|t| t.surface.to_string())
                .collect();
            if !words.is_empty() {
                out.push(Piece::Term(
                    Term {
                        kind: TermKind::Phrase(words),
                        title_only,
                    },
                    neg,
                ));
            }
            i = j + close + 2;
            continue;
        }
        // A bare run up to the next space.
        let end = chars[j..]
            .iter()
            .position(|c| c.is_whitespace())
            .map_or(chars.len(), |p| j + p);
        let raw: String = chars[j..end].iter().collect();
        i = end;
        if raw == "OR" && !neg && !title_only {
            out.push(Piece::Or);
            continue;
        }
        // AND is what a space already means.
        if raw == "AND" && !neg && !title_only {
            continue;
        }
        if raw == "NOT" && !neg && !title_only {
            not_next = true;
            continue;
        }
        let words: Vec<String> = text::tokens(&raw)
            .iter()
            .map(|t| t.surface.to_string())
            .collect();
        let is_prefix =
            raw.ends_with('*') && words.len() == 1 && !raw[..raw.len() - 1].contains('*');
        let n = words.len();
        for (k, w) in words.into_iter().enumerate() {
            let kind = if is_prefix && k + 1 == n {
                TermKind::Prefix(w)
            } else {
                TermKind::Word(w)
            };
            out.push(Piece::Term(Term { kind, title_only }, neg));
        }
    }
    out
}

/// FTS5's `name:` column filter at the start of `chars` (ASCII letters,
/// digits or _ before the colon), other than `title:`.
fn column_filter(chars: &[char]) -> Option<String> {
    let colon = chars.iter().position(|&c| c == ':')?;
    let name: String = chars[..colon].iter().collect();
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (valid
        && !name.eq_ignore_ascii_case("title")
        && chars.get(colon + 1).is_some_and(|c| !c.is_whitespace()))
    .then_some(name)
}

/// The query with each `NEAR(a b, N)` replaced by `a b`.
fn near_words(input: &str) -> String {
    let mut out = String::new();
    let mut rest = input;
    while let Some(at) = rest.find("NEAR(") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 5..];
        let close = inner.find(')').unwrap_or(inner.len());
        let mut words = &inner[..close];
        // A trailing ", N" is the distance.
        if let Some((w, n)) = words.rsplit_once(',')
            && n.trim().chars().all(|c| c.is_ascii_digit())
        {
            words = w;
        }
        out.push(' ');
        out.push_str(words);
        out.push(' ');
        rest = inner.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_not_near_and_columns_are_read_as_words_with_a_note() {
        let words = |q: &Query| -> Vec<String> {
            q.groups
                .iter()
                .flatten()
                .map(|t| format!("{:?}", t.kind))
                .collect()
        };
        let plain = Query::parse("حفتر موسكو");
        assert_eq!(words(&Query::parse("حفتر AND موسكو")), words(&plain));
        assert!(Query::parse("حفتر AND موسكو").notes.is_empty());
        let near = Query::parse("NEAR(حفتر موسكو, 5)");
        assert_eq!(words(&near), words(&plain));
        assert!(near.notes[0].contains("NEAR"), "{:?}", near.notes);
        let col = Query::parse("body:حفتر موسكو");
        assert_eq!(words(&col), words(&plain));
        assert!(col.notes[0].contains("body:"), "{:?}", col.notes);
        assert_eq!(Query::parse("حفتر NOT موسكو"), Query::parse("حفتر -موسكو"));
        let only = Query::parse("NOT موسكو");
        assert!(only.groups.is_empty() && only.excluded.len() == 1);
        assert!(
            only.notes[0].contains("excluded words alone"),
            "{:?}",
            only.notes
        );
        // A word that merely contains the letters stays a word.
        assert_eq!(Query::parse("ANDROID").groups.len(), 1);
        assert!(Query::parse("title:حفتر").groups[0][0].title_only);
    }

    #[test]
    fn syntax() {
        let q = Query::parse(r#"حفتر "خليفة حفتر" روسيا OR موسكو -فاغنر title:بنغازي يفكير*"#);
        assert_eq!(q.groups.len(), 5);
        assert_eq!(q.groups[2].len(), 2);
        assert_eq!(q.excluded.len(), 1);
        assert!(q.groups[3][0].title_only);
        assert!(matches!(q.groups[4][0].kind, TermKind::Prefix(_)));
    }

    /// Quoted strings in an FTS5 expression: the terms it asks the index for.
    fn fts_terms(e: &str) -> usize {
        e.matches('"').count() / 2
    }

    #[test]
    fn repeated_prefixes_are_searched_once() {
        let q = Query::parse(&vec!["حفت*"; 200].join(" OR "));
        assert_eq!(q.to_fts().unwrap(), "(\"حفت\"*)");
        let q = Query::parse(&vec!["حفت*"; 200].join(" "));
        assert_eq!(q.to_fts().unwrap(), "(\"حفت\"*)");
        // One-letter prefixes are refused, with a note that says so, and so
        // are the article alone or with one letter after it.
        for short in ["ال*", "وال*", "الق*", "لل*"] {
            let q = Query::parse(short);
            assert_eq!(q.to_fts(), None, "{short}");
            assert!(q.notes[0].contains(short), "{:?}", q.notes);
        }
        assert!(Query::parse("القذ*").to_fts().is_some());
        let q = Query::parse(&vec!["ا*"; 200].join(" OR "));
        assert_eq!(q.to_fts(), None);
        assert!(
            q.notes[0].contains("ا*") && q.notes[0].contains("2 letters"),
            "{:?}",
            q.notes
        );
    }

    #[test]
    fn thousands_of_prefixes_are_capped() {
        // 5,000 one-letter prefixes, then 5,000 distinct two-letter ones.
        let letters: Vec<char> = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي".chars().collect();
        let one: Vec<String> = (0..5000)
            .map(|i| format!("{}*", letters[i % letters.len()]))
            .collect();
        let q = Query::parse(&one.join(" OR "));
        assert_eq!(q.to_fts(), None);
        assert_eq!(q.notes.len(), 1, "{:?}", q.notes);
        let two: Vec<String> = (0..5000)
            .map(|i| format!("{}{}*", letters[i % 28], letters[(i / 28) % 28]))
            .collect();
        for joined in [two.join(" OR "), two.join(" ")] {
            let q = Query::parse(&joined);
            let e = q.to_fts().unwrap();
            assert_eq!(e.matches('*').count(), MAX_PREFIXES, "{e}");
            assert!(
                q.notes.iter().any(|n| n.contains("ignored")),
                "{:?}",
                q.notes
            );
        }
    }

    #[test]
    fn terms_are_capped_across_or_groups_and_phrases() {
        let words: Vec<String> = (0..500).map(|i| format!("w{i}")).collect();
        for joined in [
            words.join(" OR "),
            words.join(" "),
            format!("\"{}\"", words.join(" ")),
            words
                .iter()
                .map(|w| format!("-{w}"))
                .collect::<Vec<_>>()
                .join(" ")
                + " x",
        ] {
            let q = Query::parse(&joined);
            let n = q
                .groups
                .iter()
                .flatten()
                .chain(&q.excluded)
                .map(Term::weight)
                .sum::<usize>();
            assert!(n <= MAX_TERMS, "{n} terms");
            // ASCII words have one form each.
            let e = q.to_fts().unwrap_or_default();
            assert!(fts_terms(&e) <= MAX_TERMS, "{e}");
        }
        // Repeats count once, however they are spelt.
        let q = Query::parse(&format!("{} بنغازي", vec!["حفتر OR موسكو"; 100].join(" ")));
        assert_eq!(q.groups.len(), 2, "{:?}", q.groups);
        // An OR after a repeat joins the term before it.
        let q = Query::parse("a b a OR c");
        assert_eq!(q.groups.len(), 3);
        assert_eq!(q.groups[2].len(), 2);
    }
}
