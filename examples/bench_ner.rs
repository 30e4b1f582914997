//! Tagging speed of the NER model over the 2018 corpus's text, on one core,
//! and the model's size in memory:
//!
//!     cargo run --release --example bench_ner -- \
//!         ../shared/corpus/ant-multisource-2018.jsonl.gz [models/ner-ar.model]
//!
//! Sentences are split and tokenised first (ingest does that anyway); the
//! timed part is `Tagger::tag` over every sentence, twice: the first pass
//! fills the per-thread cache of word features, the second is the steady
//! state of a long ingest.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use marsad::ner::{Model, Tagger, sentences};

fn main() {
    let mut args = std::env::args().skip(1);
    let corpus = args
        .next()
        .expect("usage: bench_ner CORPUS.jsonl.gz [MODEL]");
    let model = args.next().unwrap_or_else(|| "models/ner-ar.model".into());
    let t = Instant::now();
    let m = Model::load(std::path::Path::new(&model)).unwrap();
    println!(
        "load: {:.2} s, {} features, about {:.1} MB in memory",
        t.elapsed().as_secs_f64(),
        m.features(),
        m.memory_bytes() as f64 / 1e6
    );
    let file = std::fs::File::open(&corpus).unwrap();
    let mut texts = Vec::new();
    for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        texts.push(v["text"].as_str().unwrap_or_default().to_string());
    }
    let sents: Vec<Vec<&str>> = texts
        .iter()
        .flat_map(|t| {
            sentences(t)
                .into_iter()
                .map(|s| s.iter().map(|w| w.token.surface).collect())
        })
        .collect();
    let tokens: usize = sents.iter().map(Vec::len).sum();
    for pass in ["first pass (cold cache)", "second pass"] {
        let t = Instant::now();
        let mut names = 0;
        for s in &sents {
            names += m.tag(s).len();
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{pass}: {tokens} tokens in {} sentences, {names} names, {secs:.2} s: {:.2} M tokens/s",
            sents.len(),
            tokens as f64 / secs / 1e6
        );
    }
}
