//! `marsad dedup --rebuild [--threshold X]`: recompute near-duplicates.

use super::output::outln;
use std::path::Path;
use std::time::Instant;

use marsad::archive;

#[derive(clap::Args)]
pub struct Args {
    /// Recompute signatures, links and stories for the whole archive.
    #[arg(long, required = true)]
    rebuild: bool,
    /// New link threshold (estimated Jaccard, 0–1), kept for later ingests.
    #[arg(long)]
    threshold: Option<f64>,
    #[command(flatten)]
    wait: super::WaitArg,
}

pub fn run(db: &Path, a: Args) -> anyhow::Result<u8> {
    if let Some(t) = a.threshold.filter(|t| !(0.0..=1.0).contains(t)) {
        anyhow::bail!("--threshold is a similarity between 0 and 1, not {t}");
    }
    let _lock = a.wait.lock(db)?;
    let mut store = archive::open_to_edit(db)?;
    let t = Instant::now();
    let (articles, links) = marsad::dedup::rebuild(&mut store.conn, a.threshold)?;
    let stories: i64 = store.conn.query_row(
        "SELECT count(*) FROM (SELECT story_id FROM stories GROUP BY story_id HAVING count(*) > 1)",
        [],
        |r| r.get(0),
    )?;
    outln!(
        "{articles} articles: {links} near-duplicate links, {stories} stories with copies, {:.2} s",
        t.elapsed().as_secs_f64()
    );
    Ok(0)
}
