//! Precision, recall and F1 of predicted names against gold ones, per kind
//! and micro-averaged over persons, places and organisations, by exact span
//! and by overlap (a name counts when it overlaps one of the same kind).

use serde::Serialize;

use super::labels::{Kind, spans};

type Span = (usize, usize, Kind);

/// Counts of one kind: predicted and gold names, and how many of each are
/// matched exactly and by overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub predicted: usize,
    pub gold: usize,
    pub exact: usize,
    pub overlap_predicted: usize,
    pub overlap_gold: usize,
}

impl Counts {
    pub fn add(&mut self, gold: &[Span], pred: &[Span], kind: Kind) {
        let g: Vec<&Span> = gold.iter().filter(|s| s.2 == kind).collect();
        let p: Vec<&Span> = pred.iter().filter(|s| s.2 == kind).collect();
        self.gold += g.len();
        self.predicted += p.len();
        self.exact += p.iter().filter(|s| g.contains(s)).count();
        let meets = |a: &Span, b: &Span| a.0 < b.1 && b.0 < a.1;
        self.overlap_predicted += p.iter().filter(|a| g.iter().any(|b| meets(a, b))).count();
        self.overlap_gold += g.iter().filter(|a| p.iter().any(|b| meets(a, b))).count();
    }

    fn plus(self, o: Counts) -> Counts {
        Counts {
            predicted: self.predicted + o.predicted,
            gold: self.gold + o.gold,
            exact: self.exact + o.exact,
            overlap_predicted: self.overlap_predicted + o.overlap_predicted,
            overlap_gold: self.overlap_gold + o.overlap_gold,
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// PERS, LOC, ORG or micro.
    pub kind: String,
    /// exact or overlap.
    pub matching: &'static str,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn row(kind: &str, matching: &'static str, c: &Counts) -> Row {
    let (hp, hg) = if matching == "exact" {
        (c.exact, c.exact)
    } else {
        (c.overlap_predicted, c.overlap_gold)
    };
    let (p, r) = (ratio(hp, c.predicted), ratio(hg, c.gold));
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
    Row {
        kind: kind.into(),
        matching,
        precision: r4(p),
        recall: r4(r),
        f1: r4(f1),
        gold: c.gold,
        predicted: c.predicted,
    }
}

/// Counts per reported kind over sentences of (gold labels, predicted labels).
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub kinds: [Counts; 3],
}

impl Evaluation {
    pub fn add(&mut self, gold: &[u8], pred: &[u8]) {
        let (g, p) = (spans(gold), spans(pred));
        for (i, k) in Kind::REPORTED.into_iter().enumerate() {
            self.kinds[i].add(&g, &p, k);
        }
    }

    pub fn micro(&self) -> Counts {
        self.kinds.iter().fold(Counts::default(), |a, &b| a.plus(b))
    }

    /// Micro F1, exact span.
    pub fn f1(&self) -> f64 {
        let c = self.micro();
        let (p, r) = (ratio(c.exact, c.predicted), ratio(c.exact, c.gold));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Rows: each kind then micro, exact then overlap.
    pub fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        for matching in ["exact", "overlap"] {
            for (i, k) in Kind::REPORTED.into_iter().enumerate() {
                out.push(row(k.as_str(), matching, &self.kinds[i]));
            }
            out.push(row("micro", matching, &self.micro()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::labels::encode;

    #[test]
    fn arithmetic_on_a_hand_case() {
        // Gold: PERS 0..2, LOC 3, ORG 5. Predicted: PERS 0..1 (overlap only), LOC 3 (exact), ORG 4 (wrong).
        let gold = encode(
            6,
            &[(0, 2, Kind::Pers), (3, 4, Kind::Loc), (5, 6, Kind::Org)],
        );
        let pred = encode(
            6,
            &[(0, 1, Kind::Pers), (3, 4, Kind::Loc), (4, 5, Kind::Org)],
        );
        let mut e = Evaluation::default();
        e.add(&gold, &pred);
        let rows = e.rows();
        let get = |k: &str, m: &str| {
            rows.iter()
                .find(|r| r.kind == k && r.matching == m)
                .unwrap()
                .clone()
        };
        assert_eq!(get("LOC", "exact").f1, 1.0);
        assert_eq!(get("PERS", "exact").precision, 0.0);
        assert_eq!(get("PERS", "overlap").precision, 1.0);
        assert_eq!(get("ORG", "overlap").recall, 0.0);
        let m = get("micro", "exact");
        assert_eq!((m.gold, m.predicted), (3, 3));
        assert_eq!(m.precision, 0.3333);
        assert_eq!(m.f1, 0.3333);
        assert_eq!(get("micro", "overlap").precision, 0.6667);
        assert!((e.f1() - 1.0 / 3.0).abs() < 1e-12);
    }
}
