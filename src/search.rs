//! Search: the user's query language, its translation into an FTS5
//! expression over the analysed index, ranking, and snippets of the
//! original (published) text with the matching words marked.
//!
//! Query language: words (all must match), `"exact phrase"`, `OR` between
//! terms, `-word` to exclude, `word*` for a prefix, `title:word` to look only
//! in titles. Anything else is searched as plain words. User text reaches
//! FTS5 only as double-quoted strings of analysed terms, and SQL only as
//! bound parameters.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use crate::articles::{ArticleFilter, ORIGIN_SQL};
use crate::error::{Error, Result};
use crate::text;

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
/// index (`ا*` 100 times took 20 s). Counting the terms a prefix covers in
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
                Piece::Term(t, neg) => (t, neg),
            };
            let join = std::mem::take(&mut join_next) && !neg;
            if let TermKind::Prefix(p) = &t.kind
                && prefix_term(p).chars().count() < MIN_PREFIX_LETTERS
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
        let ignored = ignored.len() + cut;
        if ignored > 0 {
            q.notes.push(format!(
                "{ignored} terms were ignored: a query searches at most {MAX_TERMS} terms \
                 and {MAX_PREFIXES} prefixes (repeats count once)"
            ));
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

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

    /// Matchers for marking words in the original text.
    fn matcher(&self) -> Matcher {
        let mut m = Matcher::default();
        for t in self.groups.iter().flatten() {
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
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A prefix as indexed: normalised, with a leading article removed.
fn prefix_term(p: &str) -> String {
    let n = text::normalize(p);
    for art in ["وال", "بال", "كال", "فال", "ال", "لل"] {
        if let Some(rest) = n.strip_prefix(art)
            && rest.chars().count() >= 2
        {
            return rest.to_string();
        }
    }
    n
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

/// Split the query string into terms and operators.
fn lex(input: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Modifiers directly before a term: -, title:
        let mut neg = false;
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

/// Which words of the original text to mark.
#[derive(Debug, Default)]
struct Matcher {
    stems: HashSet<String>,
    prefixes: Vec<String>,
}

impl Matcher {
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
    let m = q.matcher();
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
    let m = q.matcher();
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

/// Filters and paging for [`search`].
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub filter: ArticleFilter,
    pub limit: usize,
    pub offset: usize,
    /// Show every copy of a story, not just the best-ranked one.
    pub all: bool,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: i64,
    pub published_at: Option<String>,
    pub outlet: Option<String>,
    pub title: String,
    pub external_id: Option<String>,
    pub origin: Option<String>,
    pub url: Option<String>,
    pub score: f64,
    pub snippet: Snippet,
    /// The story this article belongs to, and how many other outlets carry it.
    pub story_id: i64,
    pub copies: i64,
    pub also_in_outlets: i64,
}

/// Title matches weigh this much more than body matches in bm25.
const TITLE_WEIGHT: f64 = 5.0;

/// Run `f` (a search) with a time limit on `conn`: past `timeout` SQLite
/// stops the statement, and the error says the query was too broad. SQLite
/// looks at the clock between its steps only, so one long step (FTS5 merging
/// the posting lists of a prefix when the query starts) is bounded by the
/// prefix rules of [`Query::parse`], not by this.
pub fn with_time_limit<T>(
    conn: &mut Connection,
    timeout: Duration,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    conn.progress_handler(1000, Some(move || Instant::now() > deadline))?;
    let out = f(conn);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    out.map_err(|e| match e {
        Error::Sql(rusqlite::Error::SqliteFailure(x, _))
            if x.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            Error::Input(format!(
                "search stopped after {} s: the query is too broad (it matches too much of the \
                 index); use longer prefixes or fewer OR terms, narrow it with --from/--to or \
                 --outlet, or raise --timeout",
                timeout.as_secs_f64()
            ))
        }
        e => e,
    })
}

/// Run a search. An empty or all-excluded query returns no hits.
///
/// Two steps: rank ids on the index and the small article columns only,
/// then read the full rows (body, origin) of the page that is shown.
pub fn search(conn: &Connection, q: &Query, f: &Filters) -> Result<Vec<Hit>> {
    if f.all {
        let ranked = rank(conn, q, f)?;
        return details(conn, q, ranked);
    }
    // One hit per story: rank more than a page, keep each story's best copy.
    let wide = Filters {
        offset: 0,
        limit: f
            .offset
            .saturating_add(f.limit)
            .saturating_mul(3)
            .saturating_add(20),
        ..f.clone()
    };
    let mut seen = std::collections::HashSet::new();
    let mut story = conn.prepare_cached("SELECT story_id FROM stories WHERE article_id = ?1")?;
    let mut page = Vec::new();
    for (id, score) in rank(conn, q, &wide)? {
        let sid: i64 = story
            .query_row([id], |r| r.get(0))
            .optional()?
            .unwrap_or(id);
        if seen.insert(sid) {
            page.push((id, score));
        }
    }
    let page = page.into_iter().skip(f.offset).take(f.limit).collect();
    details(conn, q, page)
}

/// Ranked (id, score) for a page of results, copies included.
fn rank(conn: &Connection, q: &Query, f: &Filters) -> Result<Vec<(i64, f64)>> {
    let exists = |t: &str| {
        conn.prepare_cached("SELECT 1 FROM articles_vocab WHERE term = ?1")
            .and_then(|mut st| st.exists([t]))
            .unwrap_or(true)
    };
    let Some(expr) = q.to_fts_pruned(&exists) else {
        return Ok(Vec::new());
    };
    if f.limit == 0 {
        return Ok(Vec::new());
    }
    if f.filter.is_empty()
        && let Some(ranked) = rank_unfiltered(conn, &expr, f)?
    {
        return Ok(ranked);
    }
    let mut sql = format!(
        "SELECT a.id, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) AS score
         FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
         WHERE articles_fts MATCH ?1"
    );
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(expr)];
    sql.push_str(&f.filter.sql(&mut args));
    args.push(SqlValue::Integer(sql_int(f.limit)));
    args.push(SqlValue::Integer(sql_int(f.offset)));
    sql.push_str(&format!(
        " ORDER BY score, a.published_at DESC, a.id DESC LIMIT ?{} OFFSET ?{}",
        args.len() - 1,
        args.len()
    ));
    let ranked: Vec<(i64, f64)> = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;

    Ok(ranked)
}

/// Without filters, rank on the index alone, reading article rows only for
/// the page. Rows tied with the last one on the page are all fetched, so
/// the date tie-break is exact; `None` (a tie run too long to fetch) sends
/// the caller to the full query.
fn rank_unfiltered(conn: &Connection, expr: &str, f: &Filters) -> Result<Option<Vec<(i64, f64)>>> {
    let want = f.offset.saturating_add(f.limit);
    let mut st = conn.prepare_cached(&format!(
        "SELECT rowid, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) AS score FROM articles_fts
         WHERE articles_fts MATCH ?1 ORDER BY score LIMIT ?2"
    ))?;
    let mut fetch = want.saturating_add(64);
    let mut top: Vec<(i64, f64)> = Vec::new();
    for _ in 0..3 {
        top = st
            .query_map(
                rusqlite::params![expr, sql_int(fetch.saturating_add(1))],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        if top.len() <= want {
            break;
        }
        let boundary = top[want - 1].1;
        if top.len() <= fetch || top[fetch].1 != boundary {
            top.retain(|r| r.1 <= boundary);
            break;
        }
        fetch = fetch.saturating_mul(8);
        top.clear();
    }
    if top.is_empty() && fetch > want.saturating_add(64) {
        return Ok(None);
    }
    // Ties: newest first, as the full query orders them.
    let mut dated = conn.prepare_cached("SELECT published_at FROM articles WHERE id = ?1")?;
    let mut keyed: Vec<(i64, f64, Option<String>)> = Vec::with_capacity(top.len());
    for (id, score) in top {
        let date: Option<String> = dated.query_row([id], |r| r.get(0))?;
        keyed.push((id, score, date));
    }
    keyed.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then_with(|| b.2.cmp(&a.2))
            .then_with(|| b.0.cmp(&a.0))
    });
    Ok(Some(
        keyed
            .into_iter()
            .skip(f.offset)
            .take(f.limit)
            .map(|(id, s, _)| (id, s))
            .collect(),
    ))
}

/// A count from the command line as SQLite's integer: past i64::MAX it
/// means "all" (a wrapped conversion would be a negative or small number).
fn sql_int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Full rows and snippets for a ranked page of ids.
fn details(conn: &Connection, q: &Query, ranked: Vec<(i64, f64)>) -> Result<Vec<Hit>> {
    let mut detail = conn.prepare_cached(&format!(
        "SELECT a.published_at, o.name, a.title, a.external_id, {ORIGIN_SQL}, a.url, a.body,
                coalesce(st.story_id, a.id),
                (SELECT count(*) FROM stories x WHERE x.story_id = st.story_id),
                (SELECT count(DISTINCT y.outlet_id) FROM stories x JOIN articles y ON y.id = x.article_id
                  WHERE x.story_id = st.story_id AND y.outlet_id IS NOT a.outlet_id)
         FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id LEFT JOIN stories st ON st.article_id = a.id
         WHERE a.id = ?1"
    ))?;
    let mut hits = Vec::with_capacity(ranked.len());
    for (id, score) in ranked {
        let (hit, body) = detail.query_row([id], |r| {
            Ok((
                Hit {
                    id,
                    published_at: r.get(0)?,
                    outlet: r.get(1)?,
                    title: r.get(2)?,
                    external_id: r.get(3)?,
                    origin: r.get(4)?,
                    url: r.get(5)?,
                    score,
                    snippet: Snippet {
                        text: String::new(),
                        start: 0,
                        matches: vec![],
                    },
                    story_id: r.get(7)?,
                    copies: r.get::<_, Option<i64>>(8)?.unwrap_or(1).max(1),
                    also_in_outlets: r.get::<_, Option<i64>>(9)?.unwrap_or(0),
                },
                r.get::<_, String>(6)?,
            ))
        })?;
        hits.push(Hit {
            snippet: snippet(&body, q),
            ..hit
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        let q = Query::parse(r#"حفتر "خليفة حفتر" روسيا OR موسكو -فاغنر title:بنغازي يفكير*"#);
        assert_eq!(q.groups.len(), 5);
        assert_eq!(q.groups[2].len(), 2);
        assert_eq!(q.excluded.len(), 1);
        assert!(q.groups[3][0].title_only);
        assert!(matches!(q.groups[4][0].kind, TermKind::Prefix(_)));
    }

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
        // One-letter prefixes are refused, with a note that says so.
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

    #[test]
    fn past_the_time_limit_the_error_says_too_broad() {
        let mut conn = Connection::open_in_memory().unwrap();
        let slow = |c: &Connection| -> Result<i64> {
            Ok(c.query_row(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                 SELECT count(*) FROM n",
                [],
                |r| r.get(0),
            )?)
        };
        let e = with_time_limit(&mut conn, Duration::ZERO, slow).unwrap_err();
        assert!(e.to_string().contains("too broad"), "{e}");
        // The limit is lifted afterwards.
        assert_eq!(slow(&conn).unwrap(), 1_000_000);
    }
}
