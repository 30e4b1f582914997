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

pub fn parse(html: &str) -> Result<Record, String> {
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
        return Err(
            "HTML page with no article text (no <article> and no block of <p> paragraphs)".into(),
        );
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
    fn scripts_only_is_an_error() {
        assert!(parse("<html><body><script>alert(1)</script></body></html>").is_err());
    }
}
