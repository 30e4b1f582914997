//! Training: an averaged structured perceptron over the features of
//! features.rs, decoded with Viterbi. Sentences are visited in a shuffled
//! order (fixed seed) each epoch; the averaged weights are what is kept.
//! Several runs in other orders can be mixed into one model ([`mix`]):
//! one run's tuning F1 moves by a point with the order alone. With a
//! margin, each sentence is decoded with every wrong label's score raised
//! (cost-augmented), so that updates continue until gold wins by it.

use rustc_hash::FxHashMap;

use super::conll::Sentence;
use super::features::{Resources, TypeFeatures, positions, type_features};
use super::labels::LABELS;
use super::viterbi::{Transitions, decode};

/// Trained weights: a row of label scores per feature hash, and transitions.
#[derive(Debug, Clone)]
pub struct Weights {
    pub index: FxHashMap<u64, u32>,
    pub rows: Vec<[f32; LABELS]>,
    pub trans: Transitions,
    /// How many runs' weights these are the mean of.
    pub runs: usize,
}

/// One sentence as feature ids per position.
#[derive(Clone)]
struct Example {
    feats: Vec<Vec<u32>>,
    gold: Vec<u8>,
}

#[derive(Clone)]
pub struct Trainer {
    index: FxHashMap<u64, u32>,
    w: Vec<[f32; LABELS]>,
    /// Sum of (step × update), for the average: avg = w − u / steps.
    u: Vec<[f64; LABELS]>,
    tw: Transitions,
    tu: [[f64; LABELS]; LABELS + 1],
    step: f64,
    examples: Vec<Example>,
    rng: u64,
    /// Added to every wrong label's score while training (loss-augmented
    /// decoding): the weights are pushed until the gold labels win by this
    /// much per word, not merely win. 0 is the plain perceptron.
    pub margin: f32,
}

impl Trainer {
    pub fn new(res: &Resources, sentences: &[Sentence]) -> Trainer {
        let mut t = Trainer {
            index: FxHashMap::default(),
            w: Vec::new(),
            u: Vec::new(),
            tw: [[0.0; LABELS]; LABELS + 1],
            tu: [[0.0; LABELS]; LABELS + 1],
            step: 1.0,
            examples: Vec::new(),
            rng: 0x2545_F491_4F6C_DD1D,
            margin: 0.0,
        };
        let mut cache: FxHashMap<String, TypeFeatures> = FxHashMap::default();
        for s in sentences {
            for w in &s.words {
                cache
                    .entry(w.clone())
                    .or_insert_with(|| type_features(res, w));
            }
            let types: Vec<&TypeFeatures> = s.words.iter().map(|w| &cache[w]).collect();
            let feats = positions(&types)
                .into_iter()
                .map(|p| {
                    p.into_iter()
                        .map(|f| {
                            let next = t.index.len() as u32;
                            *t.index.entry(f).or_insert(next)
                        })
                        .collect()
                })
                .collect();
            t.examples.push(Example {
                feats,
                gold: s.labels.clone(),
            });
        }
        t.w = vec![[0.0; LABELS]; t.index.len()];
        t.u = vec![[0.0; LABELS]; t.index.len()];
        t
    }

    /// Another run over the same examples, from zero weights, visiting them
    /// in another order (run 0 is this trainer's own order).
    pub fn run(&self, run: u64) -> Trainer {
        let mut t = self.clone();
        t.rng ^= run.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4 {
            t.next_rand();
        }
        t
    }

    fn next_rand(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// One pass over the sentences; returns how many were mislabelled.
    pub fn epoch(&mut self) -> usize {
        let mut order: Vec<usize> = (0..self.examples.len()).collect();
        for i in (1..order.len()).rev() {
            let j = (self.next_rand() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut wrong = 0;
        for k in order {
            let ex = &self.examples[k];
            let margin = self.margin;
            let em: Vec<[f32; LABELS]> = ex
                .feats
                .iter()
                .zip(&ex.gold)
                .map(|(f, &g)| {
                    let mut e = emission(&self.w, f);
                    for (y, x) in e.iter_mut().enumerate() {
                        if y != g as usize {
                            *x += margin;
                        }
                    }
                    e
                })
                .collect();
            let pred = decode(&em, &self.tw);
            if pred != ex.gold {
                wrong += 1;
                let (feats, gold) = (&ex.feats, &ex.gold);
                let step = self.step;
                for i in 0..gold.len() {
                    let (g, p) = (gold[i] as usize, pred[i] as usize);
                    if g != p {
                        for &f in &feats[i] {
                            let f = f as usize;
                            self.w[f][g] += 1.0;
                            self.u[f][g] += step;
                            self.w[f][p] -= 1.0;
                            self.u[f][p] -= step;
                        }
                    }
                    let gp = if i == 0 { 0 } else { gold[i - 1] as usize + 1 };
                    let pp = if i == 0 { 0 } else { pred[i - 1] as usize + 1 };
                    if g != p || gp != pp {
                        self.tw[gp][g] += 1.0;
                        self.tu[gp][g] += step;
                        self.tw[pp][p] -= 1.0;
                        self.tu[pp][p] -= step;
                    }
                }
            }
            self.step += 1.0;
        }
        wrong
    }

    /// The averaged weights so far.
    pub fn averaged(&self) -> Weights {
        let s = self.step;
        let rows = self
            .w
            .iter()
            .zip(&self.u)
            .map(|(w, u)| std::array::from_fn(|y| (w[y] as f64 - u[y] / s) as f32))
            .collect();
        let mut trans = [[0.0; LABELS]; LABELS + 1];
        for p in 0..=LABELS {
            for y in 0..LABELS {
                trans[p][y] = (self.tw[p][y] as f64 - self.tu[p][y] / s) as f32;
            }
        }
        Weights {
            index: self.index.clone(),
            rows,
            trans,
            runs: 1,
        }
    }
}

/// The mean of the averaged weights of several runs over the same
/// examples: one linear model over the same features, so it tags as fast
/// as one run's.
pub fn mix(runs: &[Trainer]) -> Weights {
    let mut all = runs.iter().map(Trainer::averaged);
    let mut w = all.next().expect("at least one run");
    for o in all {
        for (a, b) in w.rows.iter_mut().zip(&o.rows) {
            for y in 0..LABELS {
                a[y] += b[y];
            }
        }
        for (a, b) in w.trans.iter_mut().zip(&o.trans) {
            for y in 0..LABELS {
                a[y] += b[y];
            }
        }
    }
    let k = runs.len() as f32;
    w.rows.iter_mut().flatten().for_each(|x| *x /= k);
    w.trans.iter_mut().flatten().for_each(|x| *x /= k);
    w.runs = runs.len();
    w
}

pub fn emission(rows: &[[f32; LABELS]], feats: &[u32]) -> [f32; LABELS] {
    let mut e = [0.0f32; LABELS];
    for &f in feats {
        let r = &rows[f as usize];
        for y in 0..LABELS {
            e[y] += r[y];
        }
    }
    e
}
