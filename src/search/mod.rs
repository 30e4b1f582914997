//! Search: the user's query language, its translation into an FTS5
//! expression over the analysed index, ranking, and snippets of the
//! original (published) text with the matching words marked.
//!
//! Query language: words (all must match), `"exact phrase"`, `OR` between
//! terms, `-word` to exclude, `word*` for a prefix, `title:word` to look only
//! in titles. Anything else is searched as plain words. User text reaches
//! FTS5 only as double-quoted strings of analysed terms, and SQL only as
//! bound parameters.
//!
//! One job per file: `query` parses, `fts` builds the MATCH expression,
//! `rank` runs the search, `highlight` marks the words found.

//! The query language (`query`, `fts`) and `highlight` live in the crate
//! crates/marsad-text, which the SQLite extension shares, so that its
//! `marsad_match()` is the expression this search runs; they are
//! re-exported here under their old paths.

mod rank;

pub use marsad_text::highlight::{self, Snippet, Span, highlight, snippet};
pub use marsad_text::query::{
    self, MAX_PREFIXES, MAX_TERMS, MIN_PREFIX_LETTERS, Query, Term, TermKind,
};
pub use rank::{Filters, Hit, search, with_time_limit};
