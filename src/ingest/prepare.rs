//! A parsed record made ready to store: hashed, tokenised once, and
//! analysed for the index, entities and near-duplicates (on the workers).

use super::batch::{Item, Prepared};
use super::{Format, InputError, Problem, Record, Rejected, html, txt};
use crate::entities::{self, Gazetteer};
use crate::identity::content_sha256;
use crate::text;

/// Parse a whole-document input (text or HTML).
pub(super) fn parse_document(format: Format, text: &str) -> std::result::Result<Record, Rejected> {
    match format {
        Format::Txt | Format::Auto => txt::parse(text),
        Format::Html => html::parse(text),
        Format::Jsonl => unreachable!("JSON inputs are parsed record by record"),
    }
}

/// Finish a parsed record: hash and analyse it (the costly part, run on
/// worker threads).
pub(super) fn prepare(
    g: &Gazetteer,
    tagger: Option<&dyn crate::ner::Tagger>,
    origin: &str,
    line: i64,
    raw_sha256: String,
    mut rec: Record,
) -> Item {
    // A blank url or id says nothing; a sighting stores '' for "none" (V12).
    rec.url = rec.url.filter(|u| !u.trim().is_empty());
    rec.external_id = rec.external_id.filter(|u| !u.trim().is_empty());
    let content_sha256 = content_sha256(&rec.title, &rec.body);
    // Tokenise and normalise once; index, entities and signature share it.
    let title_words = text::words(&rec.title);
    let body_words = text::words(&rec.body);
    let fts_title = text::index_text(&rec.title, &title_words);
    let fts_body = text::index_text(&rec.body, &body_words);
    let extraction =
        entities::extract_words(g, tagger, &rec.title, &title_words, &rec.body, &body_words);
    let signature = crate::dedup::signature_of(&body_words);
    let extra_json = (!rec.extra.is_empty())
        .then(|| serde_json::Value::Object(std::mem::take(&mut rec.extra)).to_string());
    Item::Article(Box::new(Prepared {
        origin: origin.to_string(),
        line,
        raw_sha256,
        content_sha256,
        fts_title,
        fts_body,
        extraction,
        signature,
        extra_json,
        rec,
    }))
}

pub(super) fn err(input: &str, line: Option<i64>, why: impl Into<Rejected>) -> Item {
    let (kind, message) = match why.into() {
        Rejected::Empty(m) => (Problem::Skipped, m),
        Rejected::Invalid(m) => (Problem::Error, m),
    };
    Item::Error(InputError {
        input: input.to_string(),
        line,
        message,
        kind,
    })
}
