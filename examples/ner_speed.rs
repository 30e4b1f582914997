//! Tagging speed of a NER model on one thread over the bodies of a corpus
//! (as `make bench` measures the shipped model's), for comparing models:
//!
//!     cargo run --release --example ner_speed -- MODEL CORPUS.jsonl.gz

use std::time::Instant;

/// This thread's CPU time in seconds (the rate per CPU second is steadier
/// than wall time on a busy machine).
fn cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

use marsad::ner::{Model, Tagger, sentences};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let m = Model::load(std::path::Path::new(&a[0])).expect("load the model");
    let file = std::fs::File::open(&a[1]).expect("open the corpus");
    let texts: Vec<String> =
        std::io::BufRead::lines(std::io::BufReader::new(flate2::read::GzDecoder::new(file)))
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
                v["text"].as_str().unwrap_or_default().to_string()
            })
            .collect();
    let sents: Vec<Vec<&str>> = texts
        .iter()
        .flat_map(|t| {
            sentences(t)
                .into_iter()
                .map(|s| s.iter().map(|w| w.token.surface).collect())
        })
        .collect();
    let tokens: usize = sents.iter().map(Vec::len).sum();
    for pass in ["first", "second"] {
        let (t, c) = (Instant::now(), cpu());
        let names: usize = sents.iter().map(|s| m.tag(s).len()).sum();
        let rate = tokens as f64 / t.elapsed().as_secs_f64() / 1e6;
        let cpu_rate = tokens as f64 / (cpu() - c) / 1e6;
        println!(
            "{pass} pass: {rate:.2} M tokens/s wall, {cpu_rate:.2} per CPU second ({tokens} tokens, {names} names)"
        );
    }
}
