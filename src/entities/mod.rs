//! Entities and mentions: the gazetteer (its file format and its tables),
//! finding mentions with exact offsets, discovering candidate names, and
//! resolving a NAME given on the command line.
//!
//! Extraction, one job per file: `scan` splits a field into words and
//! sentences, `matcher` matches the gazetteer at a word, `discover` finds
//! candidate names after titles and roles, `link` turns the recogniser's
//! spans into discovered entities and weighs generic names against their
//! context, and `extract` puts them together into an [`Extraction`].

mod discover;
pub mod edit;
mod extract;
mod gazetteer;
mod kinds;
mod link;
mod matcher;
mod profile;
pub mod query;
pub mod reextract;
mod scan;
pub mod store;
pub mod summary;

pub use extract::{extract, extract_words};
pub use gazetteer::{EntityDef, Gazetteer, alias_problem, parse_tsv, to_tsv};
pub use kinds::{EntityType, How, NameKind, Status};

use serde::Serialize;

/// The gazetteer shipped with marsad, imported into a new archive.
pub const DEFAULT_GAZETTEER: &str = include_str!("../../seeds/entities.tsv");

/// The part of an article a mention, candidate or sentence is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Body,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
        }
    }
}

/// A gazetteer entity found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub entity: String,
    pub field: Field,
    /// Code points: `substr(field, start + 1, end - start)` is `surface`.
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub sentence: usize,
    pub how: How,
}

/// A name not in the gazetteer: recognised by the model, found after a
/// title or role, or a bare first name or surname of such a person later
/// in the article. It is a discovered entity (status `candidate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Normalised full name: with `kind`, the entity's identity.
    pub key: String,
    pub kind: EntityType,
    /// The full name as the article first writes it (proclitics outside).
    pub name: String,
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub sentence: usize,
    /// `discovered`, or `short` for a bare first name or surname.
    pub how: How,
}

/// A sentence holding a mention or candidate, with its analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceSpan {
    pub field: Field,
    pub idx: usize,
    pub start: usize,
    pub end: usize,
    pub terms: String,
}

/// What [`extract`] finds in one article.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub mentions: Vec<Mention>,
    pub candidates: Vec<Candidate>,
    pub sentences: Vec<SentenceSpan>,
}
