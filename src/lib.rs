//! marsad: an archive of Arabic news in one SQLite file.
//!
//! Modules, each owning one thing: [`text`] (Arabic normalisation, tokens,
//! stemming), [`ingest`] (reading inputs into the archive), [`identity`] (an
//! article's content hash), [`store`] (the SQLite file, migrations, locking),
//! [`search`] (query language, ranking, snippets), [`entities`] (gazetteer,
//! mentions, candidates), [`check`] (integrity verification), [`articles`]
//! (reading articles back out), [`sql`] (read-only SQL), [`queries`] (saved
//! queries), [`export`], [`dedup`] (near-duplicates and stories).

pub mod archive;
pub mod articles;
pub mod check;
pub mod dedup;
pub mod entities;
pub mod error;
pub mod export;
pub mod identity;
pub mod ingest;
pub mod ner;
pub mod queries;
pub mod search;
pub mod sql;
pub mod store;
pub mod workers;

pub use error::{Error, Result};
/// Arabic text analysis, the query language and snippets: the crate
/// crates/marsad-text, shared with the SQLite extension.
pub use marsad_text as text;
