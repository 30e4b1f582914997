//! Where a NER model and the gold labels disagree on one part of a CoNLL
//! file: each wrong or missed name with its sentence context, and a tally
//! by error class (boundary, type, spurious, missed). A diagnostic for
//! choosing features; run it on the tuning part, never to tune on held-out.
//!
//!     cargo run --release --example ner_errors -- MODEL FILE [tuning]

use marsad::ner::Model;
use marsad::ner::conll::{self, Part};
use marsad::ner::labels::{Kind, spans};

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (model, file) = (&a[0], &a[1]);
    let part = match a.get(2).map(String::as_str).unwrap_or("tuning") {
        "train" => Part::Train,
        "tuning" => Part::Tuning,
        other => anyhow::bail!("part {other}: train or tuning only"),
    };
    let m = Model::load(std::path::Path::new(model))?;
    let sents = conll::select(&conll::read(std::path::Path::new(file))?, part);
    let mut tally: std::collections::BTreeMap<String, usize> = Default::default();
    for s in &sents {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let pred = m.labels(&words);
        let rep = |k: Kind| Kind::REPORTED.contains(&k);
        let g: Vec<_> = spans(&s.labels).into_iter().filter(|x| rep(x.2)).collect();
        let p: Vec<_> = spans(&pred).into_iter().filter(|x| rep(x.2)).collect();
        let show = |x: &(usize, usize, Kind)| {
            let lo = x.0.saturating_sub(2);
            let hi = (x.1 + 2).min(words.len());
            format!(
                "{} [{}] {}",
                words[lo..x.0].join(" "),
                words[x.0..x.1].join(" "),
                words[x.1..hi].join(" ")
            )
        };
        for x in &p {
            if g.contains(x) {
                continue;
            }
            let over = g.iter().find(|y| x.0 < y.1 && y.0 < x.1);
            let class = match over {
                Some(y) if y.2 == x.2 => format!("boundary {}", x.2.as_str()),
                Some(y) => format!("type {}->{}", y.2.as_str(), x.2.as_str()),
                None => format!("spurious {}", x.2.as_str()),
            };
            let gold = over.map(show).unwrap_or_default();
            println!("{class}\tpred: {}\tgold: {gold}", show(x));
            *tally.entry(class).or_default() += 1;
        }
        for y in &g {
            if !p.iter().any(|x| x.0 < y.1 && y.0 < x.1) {
                let class = format!("missed {}", y.2.as_str());
                println!("{class}\tgold: {}", show(y));
                *tally.entry(class).or_default() += 1;
            }
        }
    }
    for (k, v) in tally {
        eprintln!("{k}: {v}");
    }
    Ok(())
}
