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

mod fts;
mod highlight;
mod query;
mod rank;

pub use highlight::{Snippet, Span, highlight, snippet};
pub use query::{MAX_PREFIXES, MAX_TERMS, MIN_PREFIX_LETTERS, Query, Term, TermKind};
pub use rank::{Filters, Hit, search, with_time_limit};
