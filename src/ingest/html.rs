//! HTML pages: the title from `og:title`, `<title>` or `<h1>`; the body from
//! the paragraphs of the `<article>` element, or of the block holding the
//! most paragraph text; metadata from `og:` / `article:` meta tags.

use scraper::{ElementRef, Html, Selector};

use super::{Record, boilerplate, dates};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

fn meta(doc: &Html, keys: &[&str]) -> Option<String> {
    for k in keys {
        let s = sel(&format!(
            "meta[property=\"{k}\"], meta[name=\"{k}\"], meta[itemprop=\"{k}\"]"
        ));
        if let Some(v) = doc
            .select(&s)
            .filter_map(|e| e.value().attr("content"))
            .map(str::trim)
            .find(|v| !v.is_empty())
        {
            return Some(v.to_string());
        }
    }
    None
}

fn text_of(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Paragraph texts under `root`, furniture dropped.
fn paragraphs(root: ElementRef) -> Vec<String> {
    let p = sel("p, h2, h3, h4, blockquote, li");
    root.select(&p)
        .filter(|e| {
            !e.ancestors().filter_map(ElementRef::wrap).any(|a| {
                matches!(
                    a.value().name(),
                    "nav" | "footer" | "aside" | "script" | "style" | "form"
                )
            })
        })
        .map(text_of)
        .filter(|t| !t.is_empty() && !boilerplate::is_boilerplate(t))
        .collect()
}

/// Deepest element nesting parsed. html5ever walks its stack of open
/// elements for many start tags (the `<p>` in button scope check), so its
/// time grows with the depth times the number of tags. News pages nest well
/// under 100 deep.
pub const MAX_DEPTH: usize = 512;

/// Elements that never hold others.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];
/// Elements closed by the next of their kind (or by their container), so
/// that repeating them does not nest; `html`, `head`, `body` are merged.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];
/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// The deepest element nesting in `html`, in one linear pass, or at least
/// what a parser would build: unclosed elements count (except those closed
/// by their next sibling), an end tag closes only an element that is open,
/// and `<x/>` closes itself only inside SVG or MathML, as in HTML.
pub fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut open: std::collections::HashMap<String, usize> = Default::default();
    let (mut i, mut max) = (0, 0);
    let find = |from: usize, pat: &[u8]| -> usize {
        b[from.min(b.len())..]
            .windows(pat.len())
            .position(|w| w.eq_ignore_ascii_case(pat))
            .map_or(b.len(), |k| from + k + pat.len())
    };
    while let Some(k) = b[i..].iter().position(|&c| c == b'<') {
        i += k + 1;
        if b[i..].starts_with(b"!--") {
            i = find(i + 3, b"-->");
            continue;
        }
        let end = b.get(i) == Some(&b'/');
        let start = i + usize::from(end);
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            if matches!(b.get(i), Some(b'!' | b'?')) {
                i = find(i, b">");
            }
            continue;
        }
        let name_end = start
            + b[start..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
                .unwrap_or(b.len() - start);
        let name = html[start..name_end].to_ascii_lowercase();
        // The rest of the tag, skipping quoted attribute values.
        let mut j = name_end;
        let mut quote = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'"' | b'\'') => quote = Some(b[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let self_closed = j > 0 && b.get(j - 1) == Some(&b'/');
        i = j;
        if end {
            if open.get(&name).is_some_and(|n| *n > 0) {
                while let Some(top) = stack.pop() {
                    *open.get_mut(&top).expect("counted") -= 1;
                    if top == name {
                        break;
                    }
                }
            }
            continue;
        }
        let foreign =
            open.get("svg").is_some_and(|n| *n > 0) || open.get("math").is_some_and(|n| *n > 0);
        if VOID.contains(&name.as_str())
            || SELF_CLOSING_SIBLINGS.contains(&name.as_str())
            || (self_closed && foreign)
        {
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            i = find(i, format!("</{name}").as_bytes());
            continue;
        }
        *open.entry(name.clone()).or_default() += 1;
        stack.push(name);
        max = max.max(stack.len());
    }
    max
}

pub fn parse(html: &str) -> Result<Record, super::Rejected> {
    let depth = nesting_depth(html);
    if depth > MAX_DEPTH {
        return Err(format!(
            "HTML elements nested {depth} deep, over the limit of {MAX_DEPTH}: not a news page, and too slow to parse; refused"
        )
        .into());
    }
    let doc = Html::parse_document(html);
    let mut rec = Record::default();

    let article = doc
        .select(&sel("article"))
        .max_by_key(|a| paragraphs(*a).iter().map(String::len).sum::<usize>());
    let mut paras = article.map(paragraphs).unwrap_or_default();
    if paras.is_empty() {
        // No <article>: the block with the most paragraph text.
        let best = doc
            .select(&sel("main, section, div, td, body"))
            .map(|b| {
                let direct: Vec<String> = b
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|c| c.value().name() == "p")
                    .map(text_of)
                    .filter(|t| !t.is_empty())
                    .collect();
                direct
            })
            .max_by_key(|ps| ps.iter().map(String::len).sum::<usize>());
        paras = best.unwrap_or_default();
    }
    rec.body = paras.join("\n");
    if rec.body.trim().is_empty() {
        return Err(super::Rejected::Empty(
            "HTML page with no article text (no <article> and no block of <p> paragraphs)".into(),
        ));
    }

    rec.title = meta(&doc, &["og:title", "twitter:title"])
        .or_else(|| doc.select(&sel("h1")).map(text_of).find(|t| !t.is_empty()))
        .or_else(|| {
            doc.select(&sel("title"))
                .map(text_of)
                .find(|t| !t.is_empty())
        })
        .unwrap_or_else(|| {
            rec.body
                .split_whitespace()
                .take(12)
                .collect::<Vec<_>>()
                .join(" ")
        });
    rec.url = meta(&doc, &["og:url"]).or_else(|| {
        doc.select(&sel("link[rel=\"canonical\"]"))
            .filter_map(|e| e.value().attr("href"))
            .next()
            .map(str::to_string)
    });
    if let Some(raw) = meta(
        &doc,
        &["article:published_time", "datePublished", "pubdate", "date"],
    )
    .or_else(|| {
        doc.select(&sel("time[datetime]"))
            .filter_map(|e| e.value().attr("datetime"))
            .next()
            .map(str::to_string)
    }) {
        if let Some(d) = dates::parse(&raw) {
            rec.published_at = Some(d.iso);
            rec.date_precision = Some(d.precision);
        }
        rec.date_raw = Some(raw);
    }
    rec.outlet = meta(&doc, &["og:site_name", "application-name"]);
    rec.author = meta(&doc, &["article:author", "author"]);
    rec.language = doc
        .select(&sel("html"))
        .filter_map(|e| e.value().attr("lang"))
        .next()
        .map(str::to_string);
    if let Some(d) = meta(&doc, &["og:description", "description"]) {
        rec.extra
            .insert("description".into(), serde_json::Value::String(d));
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_element_and_meta() {
        let html = r#"<html lang="ar"><head><meta property="og:title" content="حفتر في موسكو">
            <meta property="article:published_time" content="2023-09-28T10:00:00+03:00">
            <meta property="og:site_name" content="فرانس 24"><script>var x = "لا";</script></head>
            <body><nav><p>الرئيسية</p></nav><article><p>التقى بوتين حفتر.</p><p>شارك</p><p>وبحثا الوضع.</p></article></body></html>"#;
        let r = parse(html).unwrap();
        assert_eq!(r.title, "حفتر في موسكو");
        assert_eq!(r.body, "التقى بوتين حفتر.\nوبحثا الوضع.");
        assert_eq!(r.outlet.as_deref(), Some("فرانس 24"));
        assert_eq!(r.published_at.as_deref(), Some("2023-09-28T10:00:00+03:00"));
    }

    #[test]
    fn nesting_depth_counts_what_a_parser_would_build() {
        assert_eq!(
            nesting_depth("<html><body><div><p>a<p>b</div></body></html>"),
            1
        );
        assert_eq!(nesting_depth("<div><div/><div/></div>"), 3);
        assert_eq!(nesting_depth("<svg><path/><path/></svg>"), 1);
        // Stray end tags close nothing; comments, scripts and quoted values hide tags.
        assert_eq!(nesting_depth("<b></i><b></i><b>"), 3);
        assert_eq!(
            nesting_depth("<!-- <div><div> --><script>'<div>'</script><a title='>'>x</a>"),
            1
        );
        assert_eq!(nesting_depth(&"<DIV>".repeat(600)), 600);
        assert!(
            parse(&format!("{}<p>نص</p>", "<div>".repeat(600)))
                .unwrap_err()
                .to_string()
                .contains("nested 600 deep")
        );
    }

    #[test]
    fn scripts_only_is_an_error() {
        assert!(parse("<html><body><script>alert(1)</script></body></html>").is_err());
    }
}
