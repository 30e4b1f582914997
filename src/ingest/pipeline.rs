//! The run: a producer thread turns the listed inputs into batches of
//! prepared items on rayon's workers, and this thread writes them.

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Instant;

use rusqlite::Connection;

use super::batch::{Batch, InputState, Item, LINES_PER_BATCH};
use super::discover::{Listing, list};
use super::produce::{Ctx, Producer};
use super::{InputError, Options, Problem, Progress, Summary, writer};
use crate::entities;
use crate::error::Result;
use crate::store::{RunStatus, Store};

/// Run an ingest. The caller holds the [`crate::store::IngestLock`].
/// `on_error` sees each failed input as it is recorded; `on_progress` hears
/// how far the run has got.
pub fn run(
    store: &mut Store,
    opts: &Options,
    on_error: impl FnMut(&InputError),
    on_progress: impl FnMut(Progress),
) -> Result<Summary> {
    run_listed(store, opts, list(&opts.paths), on_error, on_progress)
}

/// Ingest inputs already listed. Inputs that vanished or changed since
/// listing are reported like any other bad input.
pub fn run_listed(
    store: &mut Store,
    opts: &Options,
    listing: Listing,
    mut on_error: impl FnMut(&InputError),
    mut on_progress: impl FnMut(Progress),
) -> Result<Summary> {
    let started = Instant::now();
    let run_id = writer::start_run(&store.conn, &opts.args)?;
    let mut summary = Summary {
        run_id,
        ..Summary::default()
    };
    let Listing {
        inputs,
        errors: listing_errors,
        ignored,
    } = listing;
    summary.ignored = ignored.len() as u64;
    for input in ignored {
        on_error(&InputError {
            input,
            line: None,
            message: "not a kind of file marsad reads in a folder (.jsonl .ndjson .json .html .htm .xhtml .txt .text .md, each also .gz); left alone (name the file itself to read it)".into(),
            kind: Problem::Ignored,
        });
    }
    let total_bytes: u64 = inputs.iter().map(|i| i.size).sum();
    let states = load_states(&store.conn)?;
    let gazetteer = entities::store::load(&store.conn)?;
    // Articles are never deleted, so the largest id is the archive's size.
    let articles_before: i64 =
        store
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM articles", [], |r| {
                r.get(0)
            })?;
    on_progress(Progress::Started { total_bytes });

    // Room for a transaction's worth of batches, so that the workers go on
    // while the writer commits (most of a commit is FTS5 work).
    let (tx, rx) = mpsc::sync_channel::<Batch>(writer::TX_RECORDS / LINES_PER_BATCH);
    let producer_opts = opts.clone();
    let db_path = store.path.clone();
    let producer = std::thread::spawn(move || {
        let run = || {
            let known =
                Connection::open_with_flags(&db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .ok();
            let mut p = Producer {
                ctx: Ctx {
                    opts: &producer_opts,
                    states: &states,
                    gazetteer: &gazetteer,
                    tagger: producer_opts.tagger.as_ref().map(|t| t.get()),
                },
                known: known.as_ref(),
                tx: &tx,
                pending: Vec::new(),
            };
            if !listing_errors.is_empty() {
                let items = listing_errors.into_iter().map(Item::Error).collect();
                p.send(Batch {
                    items,
                    ..Batch::default()
                });
            }
            for input in inputs {
                p.add(input);
            }
            p.flush();
        };
        crate::workers::Workers::new().run(run)
    });

    let mut w = writer::Writer::new(&mut store.conn, run_id, opts.outlet.clone());
    let mut write_result = Ok(());
    let mut done_bytes = 0;
    for batch in rx {
        done_bytes += batch.bytes;
        on_progress(Progress::Read {
            done_bytes,
            total_bytes,
        });
        summary.inputs += batch.inputs;
        summary.unchanged += batch.unchanged;
        summary.bytes += batch.bytes;
        if let Err(e) = w.write(batch, &mut summary, &mut on_error) {
            write_result = Err(e);
            break;
        }
    }
    if write_result.is_ok() {
        write_result = w.commit(&summary);
    }
    drop(w);
    // If the writer failed, dropping the receiver above ends the producer.
    let _ = producer.join();
    // A run that at least doubled the archive (a first import, a bulk load)
    // left most of the index in its own segments: merge them into one.
    if write_result.is_ok() && summary.new > 0 && summary.new as i64 >= articles_before {
        let _ = crate::store::optimize_fts(&store.conn, &["articles_fts", "sentences_fts"]);
    }
    on_progress(Progress::Finished);
    summary.seconds = started.elapsed().as_secs_f64();
    summary.mb_per_s = if summary.seconds > 0.0 {
        summary.bytes as f64 / 1e6 / summary.seconds
    } else {
        0.0
    };
    let status = match (&write_result, summary.errors) {
        (Err(_), _) => RunStatus::Failed,
        (Ok(()), 0) => RunStatus::Ok,
        (Ok(()), _) => RunStatus::Partial,
    };
    writer::finish_run(&store.conn, &summary, status)?;
    if write_result.is_ok() {
        if summary.new > 0 {
            let model = entities::reextract::model_id(opts.tagger.as_ref().map(|t| t.get()));
            crate::store::meta::set(&store.conn, crate::store::meta::Meta::NerModel, &model)?;
        }
        crate::store::release_free_pages(&store.conn);
    }
    write_result.map(|()| summary)
}

fn load_states(conn: &Connection) -> Result<HashMap<String, InputState>> {
    let mut st = conn
        .prepare("SELECT path, size, mtime_ns, raw_sha256, done_bytes, done_sha256 FROM inputs")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            InputState {
                size: r.get(1)?,
                mtime_ns: r.get(2)?,
                raw_sha256: r.get(3)?,
                done_bytes: r.get(4)?,
                done_sha256: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
