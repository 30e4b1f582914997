//! Entities and mentions: the gazetteer (its file format and its tables),
//! finding mentions with exact offsets, discovering candidate names, and
//! resolving a NAME given on the command line.

mod extract;
mod gazetteer;
pub mod query;
pub mod store;

pub use extract::{Candidate, Extraction, Field, Mention, SentenceSpan, extract, extract_words};
pub use gazetteer::{EntityDef, Gazetteer, alias_problem, parse_tsv, to_tsv};

/// The gazetteer shipped with marsad, imported into a new archive.
pub const DEFAULT_GAZETTEER: &str = include_str!("../../seeds/entities.tsv");
