//! JSON Lines (and `.json` files holding one object or an array): one article
//! per object, with the field names scrapers commonly use. Fields marsad does
//! not map are kept in `extra`.

use serde_json::{Map, Value};

use super::{Record, dates};

const TITLE: &[&str] = &["title", "headline"];
const BODY: &[&str] = &["text", "body", "content", "article", "article_text"];
const URL: &[&str] = &["url", "link", "permalink"];
const DATE: &[&str] = &[
    "date",
    "published",
    "published_at",
    "publication_date",
    "pubdate",
    "datetime",
];
const OUTLET: &[&str] = &["source", "outlet", "site", "publisher", "source_name"];
const AUTHOR: &[&str] = &["author", "byline", "authors"];
const ID: &[&str] = &["id", "_id", "doc_id", "article_id", "guid"];
const LANGUAGE: &[&str] = &["language", "lang"];

/// Parse one JSON object into an article.
pub fn parse_value(mut v: Value) -> Result<Record, super::Rejected> {
    strip_nul(&mut v);
    let Value::Object(mut obj) = v else {
        return Err(format!("expected a JSON object, found {}", kind(&v)).into());
    };
    let mut rec = Record {
        title: take_string(&mut obj, TITLE)?
            .unwrap_or_default()
            .trim()
            .to_string(),
        ..Record::default()
    };
    let body = take_string(&mut obj, BODY)?.unwrap_or_default();
    rec.body = body.trim().to_string();
    rec.url = take_string(&mut obj, URL)?;
    if let Some(raw) = take_string(&mut obj, DATE)? {
        if let Some(d) = dates::parse(&raw) {
            rec.published_at = Some(d.iso);
            rec.date_precision = Some(d.precision);
        }
        rec.date_raw = Some(raw);
    }
    rec.outlet = take_string(&mut obj, OUTLET)?.filter(|s| !s.trim().is_empty());
    rec.author = take_string(&mut obj, AUTHOR)?.filter(|s| !s.trim().is_empty());
    rec.external_id = take_string(&mut obj, ID)?;
    rec.language = take_string(&mut obj, LANGUAGE)?;
    if rec.body.is_empty() {
        return Err(super::Rejected::Empty(
            "no article text (none of the fields text, body, content has text)".into(),
        ));
    }
    if rec.title.is_empty() {
        // Untitled records still need something to show: the first words.
        rec.title = rec
            .body
            .split_whitespace()
            .take(12)
            .collect::<Vec<_>>()
            .join(" ");
    }
    rec.extra = obj;
    Ok(rec)
}

/// Remove NUL characters (a `\u0000` escape; raw NUL bytes are refused
/// earlier) from every string of a record, keys included, before analysis,
/// so that mention offsets are computed on the text as stored. Dropped
/// rather than refused: one stray escape should not lose an article.
fn strip_nul(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(obj) => {
            if obj.keys().any(|k| k.contains('\0')) {
                *obj = std::mem::take(obj)
                    .into_iter()
                    .map(|(k, v)| (k.replace('\0', ""), v))
                    .collect();
            }
            obj.values_mut().for_each(strip_nul);
        }
        _ => {}
    }
}

/// Parse one line of a JSON Lines file.
pub fn parse_line(line: &str) -> Result<Record, super::Rejected> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    parse_value(v)
}

/// Take the first present field among `names`: a string, a number (ids), or
/// an array of strings (authors). Any other type is an error naming the field.
fn take_string(obj: &mut Map<String, Value>, names: &[&str]) -> Result<Option<String>, String> {
    for n in names {
        let Some(v) = obj.remove(*n) else { continue };
        return match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            Value::Number(x) => Ok(Some(x.to_string())),
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("، "),
            )),
            other => Err(format!(
                "field \"{n}\" should be text, found {}",
                kind(&other)
            )),
        };
    }
    Ok(None)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_extra() {
        let r = parse_line(
            r#"{"id": 7, "title": "ع", "content": "نص", "site": "x", "category": "world"}"#,
        )
        .unwrap();
        assert_eq!(r.external_id.as_deref(), Some("7"));
        assert_eq!(r.body, "نص");
        assert_eq!(r.outlet.as_deref(), Some("x"));
        assert_eq!(
            r.extra.get("category").and_then(Value::as_str),
            Some("world")
        );
    }

    #[test]
    fn nul_escapes_are_removed_from_every_string() {
        let r = parse_line(
            r#"{"title": "a\u0000b", "text": "\u0000نص\u0000", "tags": ["x\u0000"], "k\u0000": 1}"#,
        )
        .unwrap();
        assert_eq!((r.title.as_str(), r.body.as_str()), ("ab", "نص"));
        assert_eq!(r.extra.get("tags"), Some(&serde_json::json!(["x"])));
        assert!(r.extra.contains_key("k"));
    }

    #[test]
    fn wrong_types_and_broken_json() {
        assert!(
            parse_line(r#"{"title": ["a", 1], "text": "x"}"#)
                .unwrap_err()
                .to_string()
                .contains("title")
        );
        assert!(
            parse_line(r#"{"title": "a", "text": {"x": 1}}"#)
                .unwrap_err()
                .to_string()
                .contains("text")
        );
        assert!(
            parse_line(r#"{"title": "a", "te"#)
                .unwrap_err()
                .to_string()
                .contains("invalid JSON")
        );
        assert!(
            parse_line("[1,2]")
                .unwrap_err()
                .to_string()
                .contains("object")
        );
    }
}
