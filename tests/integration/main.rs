//! The integration tests: one binary, a module per area (they run the real `marsad`).

mod analyzer_precision;
mod common;
mod cron;
mod datasette;
mod dedup;
mod docs;
mod entities;
mod extension;
mod hostile;
mod ingest;
mod kill;
mod linking;
mod ner;
mod output;
mod parquet;
mod pipes;
mod read_only;
mod recall;
mod reliability;
mod search;
mod sqlite3_compat;
mod summary;
mod terminal;
mod text;
mod unicode61;
mod views;
