//! `marsad ingest PATH...`

use super::output::outln;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use marsad::archive;
use marsad::ingest::{self, Format, InputError, Problem, Progress};

use super::output;
use super::{EXIT_INPUT_ERRORS, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders (read recursively, hidden entries skipped) or - for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Input format; auto goes by file extension, or by content for stdin.
    #[arg(long, value_enum, default_value = "auto")]
    format: Format,
    /// Outlet for articles whose input does not name one.
    #[arg(long)]
    outlet: Option<String>,
    /// Print only errors.
    #[arg(long, short)]
    quiet: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    wait: super::WaitArg,
    /// Largest single article accepted, in bytes (decompressed): a text or
    /// HTML file, or one JSON line. An article costs about 25 times its size
    /// in memory while it is analysed; the longest line of the shared
    /// corpora is 39 KB, so 4 MiB leaves room for any news article.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_article_bytes: u64,
}

/// Messages shown of each kind of problem, before the rest are only counted.
const SHOWN_PER_KIND: u64 = 5;

/// Problems as they come, on stderr: errors always, skipped records unless
/// --quiet; past [`SHOWN_PER_KIND`] of the same message, a count at the end.
struct Problems {
    quiet: bool,
    /// Each message and how often it came, in order of first sight; at most
    /// [`KINDS_COUNTED`] messages, so that memory stays bounded.
    seen: Vec<(Problem, String, u64)>,
    index: std::collections::HashMap<(Problem, String), usize>,
}

/// Distinct messages counted; past them every message is printed.
const KINDS_COUNTED: usize = 1000;

impl Problems {
    fn new(quiet: bool) -> Self {
        Problems {
            quiet,
            seen: Vec::new(),
            index: std::collections::HashMap::new(),
        }
    }

    fn report(&mut self, e: &InputError) {
        let key = (e.kind, e.message.clone());
        let n = match self.index.get(&key) {
            Some(&i) => {
                self.seen[i].2 += 1;
                self.seen[i].2
            }
            None if self.seen.len() < KINDS_COUNTED => {
                self.index.insert(key, self.seen.len());
                self.seen.push((e.kind, e.message.clone(), 1));
                1
            }
            None => 1,
        };
        if n <= SHOWN_PER_KIND && (e.kind == Problem::Error || !self.quiet) {
            eprintln!("{}: {}", e.kind.as_str(), output::term(&e.to_string()));
        }
    }

    fn finish(&self) {
        for (kind, message, n) in &self.seen {
            if *n > SHOWN_PER_KIND && (*kind == Problem::Error || !self.quiet) {
                eprintln!(
                    "{}: {} more like this: {}",
                    kind.as_str(),
                    n - SHOWN_PER_KIND,
                    output::term_text(message)
                );
            }
        }
    }
}

/// The progress bar on stderr, following what the run reports.
fn draw(bar: &mut Option<ProgressBar>, p: Progress) {
    match p {
        Progress::Started { total_bytes } => {
            let b = ProgressBar::new(total_bytes);
            b.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("static template"),
            );
            *bar = Some(b);
        }
        Progress::Read { done_bytes, .. } => {
            if let Some(b) = bar {
                b.set_position(done_bytes);
            }
        }
        Progress::Finished => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
        }
    }
}

pub fn run(db: &Path, model: Option<&Path>, a: Args) -> anyhow::Result<u8> {
    let _lock = a.wait.lock(db)?;
    let mut store = archive::open_to_write(db)?;
    let tagger = super::load_tagger(model, a.quiet)?;
    super::note_model_change(&store.conn, tagger.as_ref(), a.quiet)?;
    let opts = ingest::Options {
        paths: a.paths,
        format: a.format,
        outlet: a.outlet,
        // args_os: a file name need not be UTF-8; kept in the same lossless form as paths.
        args: std::env::args_os()
            .map(|a| ingest::path_name(Path::new(&a)))
            .collect(),
        max_article_bytes: a.max_article_bytes,
        tagger,
    };
    let mut problems = Problems::new(a.quiet);
    let show_progress = !a.quiet && !a.json && std::io::stderr().is_terminal();
    let mut bar = None;
    let summary = ingest::run(
        &mut store,
        &opts,
        |e| problems.report(e),
        |p| {
            if show_progress {
                draw(&mut bar, p);
            }
        },
    )?;
    problems.finish();
    let ignored = match summary.ignored {
        0 => String::new(),
        n => format!(", {n} files ignored"),
    };
    // Lines of a re-read file that earlier runs recorded: records, but
    // neither new nor duplicates.
    let seen = match summary.seen {
        0 => String::new(),
        n => format!(" ({n} read before)"),
    };
    let line = format!(
        "run {}: {} inputs read, {} unchanged, {} records{seen}, {} new, {} duplicates, {} errors, {} skipped{ignored}, {:.2} s, {:.1} MB/s",
        summary.run_id,
        summary.inputs,
        summary.unchanged,
        summary.records,
        summary.new,
        summary.duplicates,
        summary.errors,
        summary.skipped,
        summary.seconds,
        summary.mb_per_s
    );
    if a.json {
        outln!("{}", serde_json::to_string(&summary)?);
    } else if !a.quiet {
        outln!("{line}");
    } else if summary.errors > 0 || summary.skipped > 0 {
        // A cron log gets the count with the errors it lists.
        eprintln!("{line}");
    }
    Ok(if summary.errors > 0 {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    })
}
