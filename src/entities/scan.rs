//! The scan of one field (title or body) that matching and discovery walk:
//! its words with their normalised forms and stems, split into sentences,
//! and the ways a word's start can be read with or without a proclitic.

use std::borrow::Cow;

use super::Field;
use crate::text::clitics::{ENTITY_PROCLITIC_LETTERS, ENTITY_PROCLITICS, strip_clitics};
use crate::text::{self, Token};

/// A word of a field, as matching and discovery see it.
pub(super) struct Tok<'a> {
    pub(super) t: Token<'a>,
    pub(super) norm: &'a str,
    pub(super) stem: &'a str,
    pub(super) sentence: usize,
    /// Only white space (or a hyphen) separates this token from the next.
    pub(super) joined_next: bool,
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

/// Ways to read a token's start: as it is, or without a proclitic. The
/// number is how many normalised characters the proclitic takes.
pub(super) fn first_forms(norm: &str) -> impl Iterator<Item = (Cow<'_, str>, usize)> {
    // Every clitic starts with one of these letters; most words stop here.
    let clitics = if norm.starts_with(ENTITY_PROCLITIC_LETTERS) {
        ENTITY_PROCLITICS
    } else {
        &[]
    };
    let stripped = strip_clitics(norm, clitics).filter(|(_, rest)| rest.chars().nth(1).is_some());
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
pub(super) fn original_prefix_len(surface: &str, n: usize) -> usize {
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

/// A field split into words and sentences.
pub(super) struct FieldScan<'a> {
    pub(super) field: Field,
    pub(super) text: &'a str,
    pub(super) toks: Vec<Tok<'a>>,
    /// The tokens of each sentence, as index ranges into `toks`.
    pub(super) sentences: Vec<std::ops::Range<usize>>,
}

impl<'a> FieldScan<'a> {
    pub(super) fn new(field: Field, text: &'a str, words: &'a [text::Word<'a>]) -> Self {
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
