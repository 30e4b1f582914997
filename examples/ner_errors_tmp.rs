use marsad::ner::{Model, conll, labels};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let m = Model::load(std::path::Path::new(&a[1])).unwrap();
    let s = conll::select(
        &conll::read(std::path::Path::new(&a[2])).unwrap(),
        conll::Part::Tuning,
    );
    for s in s.iter().take(120) {
        let w: Vec<&str> = s.words.iter().map(|x| x.as_str()).collect();
        let p = m.labels(&w);
        let g = labels::spans(&s.labels);
        let q = labels::spans(&p);
        for x in &g {
            if !q.contains(x) {
                println!("MISS {:?} {}", x.2, w[x.0..x.1].join(" "));
            }
        }
        for x in &q {
            if !g.contains(x) {
                println!(
                    "FP   {:?} {}  | ctx: {}",
                    x.2,
                    w[x.0..x.1].join(" "),
                    w[x.0.saturating_sub(2)..(x.1 + 2).min(w.len())].join(" ")
                );
            }
        }
    }
}
