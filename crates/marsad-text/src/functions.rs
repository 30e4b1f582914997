//! What the SQL functions return, as plain functions of their arguments:
//! `marsad_match`, `marsad_analyze`, `marsad_stem`, `marsad_normalize`,
//! `marsad_snippet` and `marsad_highlight`. The `marsad` binary registers
//! them on the connections `marsad sql` and `marsad run` open, and the
//! loadable extension registers them in any SQLite that loads it; both
//! call these (see [`crate::sqlite`]).

use crate::highlight::{highlight, snippet};
use crate::query::Query;

/// The FTS5 MATCH expression `marsad search` runs for `query` (the same
/// query language), or `None` when nothing is left to look for (only
/// stopword-free punctuation, only exclusions).
pub fn match_expr(query: &str) -> Option<String> {
    Query::parse(query).to_fts()
}

/// `marsad_match(query)`: [`match_expr`], or `""` (an empty phrase, which
/// matches no row; MATCH on NULL is a syntax error in FTS5) when the query
/// asks for nothing: `marsad search` finds nothing then either.
pub fn match_sql(query: &str) -> String {
    match_expr(query).unwrap_or_else(|| "\"\"".into())
}

/// `marsad analyze --format json`: one object per word, pretty-printed, with
/// C1 control characters written as `\u` escapes (they are invisible and
/// some terminals act on them).
pub fn analyze_json(text: &str) -> String {
    let rows = crate::analyze(text);
    escape_c1(serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into()))
}

/// Each word's index term (the stem the archive stores), space-separated.
pub fn stems(text: &str) -> String {
    crate::analyze(text)
        .into_iter()
        .map(|a| a.stem)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The snippet `marsad search` shows for `query` in `body`: the original
/// text around the densest cluster of matches, matched words wrapped in
/// `open` / `close`.
pub fn marked_snippet(body: &str, query: &str, open: &str, close: &str) -> String {
    snippet(body, &Query::parse(query)).marked(open, close)
}

/// The whole text with the words `query` matches wrapped in `open` / `close`
/// (`marsad show --highlight`).
pub fn marked_text(text: &str, query: &str, open: &str, close: &str) -> String {
    highlight(text, &Query::parse(query), open, close)
}

/// JSON text with C1 control characters (U+007F to U+009F) escaped.
pub fn escape_c1(s: String) -> String {
    if !s.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expr_asks_for_the_analysed_terms() {
        let e = match_expr("الوزير").unwrap();
        assert!(e.contains("\"وزير\""), "{e}");
        assert_eq!(match_expr("-وزير"), None);
        assert_eq!(match_expr(""), None);
        assert_eq!(match_sql("-وزير"), "\"\"");
    }

    #[test]
    fn snippet_marks_the_original_words() {
        let body = "قال وزير الدفاع الروسي إن الوزراء التقوا.";
        let s = marked_snippet(body, "الوزير", "[", "]");
        assert!(s.contains("[وزير]"), "{s}");
        assert_eq!(stems("والوزير لروسيا"), "وزير روسيا");
    }
}
