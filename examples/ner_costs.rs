//! Tuning-part F1 and precision of a model under per-kind span costs (see
//! `Model::add_span_cost`), over a grid, for choosing them:
//!
//!     cargo run --release --example ner_costs -- MODEL FILE

use marsad::ner::conll::{self, Part};
use marsad::ner::{Model, train};

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let sents = conll::select(&conll::read(std::path::Path::new(&a[1]))?, Part::Tuning);
    let grid: Vec<f32> = std::env::var("GRID")
        .unwrap_or("-10 0 10 20 40 80".into())
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    for k in 0..4 {
        for &c in &grid {
            let mut m = Model::load(std::path::Path::new(&a[0]))?;
            let mut cost = [0.0; 4];
            cost[k] = c;
            m.add_span_cost(cost);
            let rows = train::evaluate(&m, &sents).rows();
            let r = |kind: &str| {
                rows.iter()
                    .find(|r| r.kind == kind && r.matching == "exact")
                    .unwrap()
                    .clone()
            };
            let kname = ["PERS", "LOC", "ORG", "MISC"][k];
            let own = if k < 3 { r(kname) } else { r("micro") };
            let micro = r("micro");
            println!(
                "{kname} cost {c:>4}: {kname} P {:.4} R {:.4} F1 {:.4}; micro P {:.4} R {:.4} F1 {:.4}",
                own.precision, own.recall, own.f1, micro.precision, micro.recall, micro.f1
            );
        }
    }
    Ok(())
}
