//! `marsad reextract`: redo every article's mentions with the current gazetteer.

use super::output::outln;
use std::path::Path;
use std::time::Instant;

use marsad::archive;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    wait: super::WaitArg,
}

pub fn run(db: &Path, model: Option<&Path>, a: Args) -> anyhow::Result<u8> {
    let _lock = a.wait.lock(db)?;
    let mut store = archive::open_to_edit(db)?;
    let tagger = super::load_tagger(model, false)?;
    let t = Instant::now();
    let (articles, mentions) =
        marsad::entities::reextract::reextract(&mut store.conn, tagger.as_ref().map(|t| t.get()))?;
    outln!(
        "re-extracted {articles} articles: {mentions} mentions, {:.2} s",
        t.elapsed().as_secs_f64()
    );
    Ok(0)
}
