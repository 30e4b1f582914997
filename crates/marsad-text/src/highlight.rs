//! Marking the words a query matched in the original (published) text: the
//! whole text for `show --highlight`, or a snippet around the densest
//! cluster of matches for a search hit.

use std::collections::HashSet;

use serde::Serialize;

use super::query::{Query, TermKind, prefix_term};
use crate as text;

/// Which words of the original text to mark.
#[derive(Debug, Default)]
struct Matcher {
    stems: HashSet<String>,
    prefixes: Vec<String>,
}

impl Matcher {
    /// The words `q` asks for.
    fn new(q: &Query) -> Matcher {
        let mut m = Matcher::default();
        for t in q.groups.iter().flatten() {
            match &t.kind {
                TermKind::Word(w) => m.stems.extend(text::query_alternatives(w)),
                TermKind::Phrase(ws) => {
                    for w in ws {
                        m.stems.extend(text::query_alternatives(w));
                    }
                }
                TermKind::Prefix(p) => m.prefixes.push(prefix_term(p)),
            }
        }
        m
    }

    fn matches(&self, surface: &str) -> bool {
        let n = text::normalize(surface);
        let s = text::stem(&n);
        self.stems.contains(&s)
            || self
                .prefixes
                .iter()
                .any(|p| s.starts_with(p.as_str()) || prefix_term(&n).starts_with(p.as_str()))
    }
}

/// The whole text with matching words wrapped in `open`/`close`.
pub fn highlight(body: &str, q: &Query, open: &str, close: &str) -> String {
    let m = Matcher::new(q);
    let mut out = String::with_capacity(body.len() + 64);
    let mut last = 0;
    // Matched words with only spaces between them are one mark: a phrase
    // reads as [خليفة حفتر], not [خليفة] [حفتر].
    let mut marking = false;
    for t in text::tokens(body) {
        if !m.matches(t.surface) {
            continue;
        }
        let gap = &body[last..t.byte_start];
        if marking && gap.chars().all(|c| c == ' ' || c == '\u{a0}') {
            out.push_str(gap);
        } else {
            if marking {
                out.push_str(close);
            }
            out.push_str(gap);
            out.push_str(open);
        }
        out.push_str(t.surface);
        marking = true;
        last = t.byte_end;
    }
    if marking {
        out.push_str(close);
    }
    out.push_str(&body[last..]);
    out
}

/// A matched word, in code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A snippet of the original text around the densest cluster of matches.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    /// The excerpt as published, unmarked.
    pub text: String,
    /// Where it starts in the body, in code points.
    pub start: usize,
    /// Matched words, as code-point offsets into `text`.
    pub matches: Vec<Span>,
}

impl Snippet {
    /// The excerpt with matches wrapped in `open` / `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        self.marked_with(open, close, String::push)
    }

    /// As [`Snippet::marked`], each character of the text appended by `push`
    /// (the CLI shows control characters escaped, but not its own marks).
    pub fn marked_with(&self, open: &str, close: &str, push: impl Fn(&mut String, char)) -> String {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = String::new();
        let mut last = 0;
        let extend = |out: &mut String, cs: &[char]| cs.iter().for_each(|&c| push(out, c));
        for &Span { start: s, end: e } in &self.matches {
            extend(&mut out, &chars[last..s]);
            out.push_str(open);
            extend(&mut out, &chars[s..e]);
            out.push_str(close);
            last = e;
        }
        extend(&mut out, &chars[last..]);
        out
    }
}

const SNIPPET_WORDS: usize = 28;

pub fn snippet(body: &str, q: &Query) -> Snippet {
    let toks = text::tokens(body);
    let m = Matcher::new(q);
    let hits: Vec<usize> = toks
        .iter()
        .enumerate()
        .filter(|(_, t)| m.matches(t.surface))
        .map(|(i, _)| i)
        .collect();
    if toks.is_empty() {
        return Snippet {
            text: String::new(),
            start: 0,
            matches: vec![],
        };
    }
    // Window of SNIPPET_WORDS tokens holding the most hits.
    let mut best = (0usize, 0usize);
    for (k, &h) in hits.iter().enumerate() {
        let count = hits[k..]
            .iter()
            .take_while(|&&x| x < h + SNIPPET_WORDS)
            .count();
        if count > best.1 {
            best = (h.saturating_sub(4), count);
        }
    }
    let first = best.0;
    let last = (first + SNIPPET_WORDS).min(toks.len()) - 1;
    let (bs, cs) = (toks[first].byte_start, toks[first].start);
    let be = toks[last].byte_end;
    let text = body[bs..be].to_string();
    let matches = hits
        .iter()
        .filter(|&&h| h >= first && h <= last)
        .map(|&h| Span {
            start: toks[h].start - cs,
            end: toks[h].end - cs,
        })
        .collect();
    let mut sn = Snippet {
        text,
        start: cs,
        matches,
    };
    if first > 0 {
        sn.text.insert(0, '…');
        sn.start = cs;
        sn.matches = sn
            .matches
            .iter()
            .map(|m| Span {
                start: m.start + 1,
                end: m.end + 1,
            })
            .collect();
    }
    if last + 1 < toks.len() {
        sn.text.push('…');
    }
    sn
}
