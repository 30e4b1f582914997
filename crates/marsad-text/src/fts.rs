//! A parsed [`Query`] as an FTS5 MATCH expression over the analysed index:
//! each word asks for the index terms it can appear as, and user text
//! reaches FTS5 only inside double-quoted strings.

use super::query::{Query, Term, TermKind, prefix_term};
use crate as text;

impl Query {
    /// The FTS5 MATCH expression, or `None` when nothing positive is left.
    pub fn to_fts(&self) -> Option<String> {
        self.to_fts_pruned(&|_| true)
    }

    /// The MATCH expression without the query-side alternatives of a word
    /// for which `exists` is false (a word's own stem is always kept).
    pub fn to_fts_pruned(&self, exists: &dyn Fn(&str) -> bool) -> Option<String> {
        let term_fts = |t: &Term| term_fts(t, exists);
        let groups: Vec<String> = self
            .groups
            .iter()
            .filter_map(|g| {
                let alts: Vec<String> = g.iter().filter_map(term_fts).collect();
                (!alts.is_empty()).then(|| format!("({})", alts.join(" OR ")))
            })
            .collect();
        if groups.is_empty() {
            return None;
        }
        let mut expr = groups.join(" AND ");
        for t in &self.excluded {
            if let Some(x) = term_fts(t) {
                expr = format!("({expr}) NOT {x}");
            }
        }
        Some(expr)
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn term_fts(t: &Term, exists: &dyn Fn(&str) -> bool) -> Option<String> {
    let inner = match &t.kind {
        TermKind::Word(w) => {
            let mut alts = text::query_alternatives(w);
            if alts.is_empty() {
                return None;
            }
            let own = alts.remove(0);
            alts.retain(|a| exists(a));
            alts.insert(0, own);
            format!(
                "({})",
                alts.iter()
                    .map(|a| quote(a))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            )
        }
        TermKind::Phrase(words) => {
            let stems: Vec<String> = words
                .iter()
                .map(|w| text::stem(&text::normalize(w)))
                .filter(|s| !s.is_empty())
                .collect();
            let (first, rest) = stems.split_first()?;
            // Only the first word's proclitics vary: والرئيس الروسي.
            let firsts = text::query_alternatives(&words[0]);
            let firsts = if firsts.is_empty() {
                vec![first.clone()]
            } else {
                firsts
            };
            let phrases: Vec<String> = firsts
                .iter()
                .map(|f| {
                    quote(
                        &std::iter::once(f.as_str())
                            .chain(rest.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(" "),
                    )
                })
                .collect();
            format!("({})", phrases.join(" OR "))
        }
        TermKind::Prefix(p) => {
            let n = prefix_term(p);
            if n.is_empty() {
                return None;
            }
            format!("{}*", quote(&n))
        }
    };
    Some(if t.title_only {
        format!("title : {inner}")
    } else {
        inner
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_input_is_words() {
        for s in [
            "\"unbalanced",
            "a:b",
            "^x",
            "*",
            "NEAR(a b)",
            "'; DROP TABLE articles; --",
            "((",
            "OR",
            "-",
            "title:",
            "\0",
        ] {
            let q = Query::parse(s);
            if let Some(e) = q.to_fts() {
                assert!(!e.contains(';') && !e.contains('\''), "{s} -> {e}");
            }
        }
    }
}
