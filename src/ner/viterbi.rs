//! Best label sequence under emission and transition scores, with the BIO
//! constraint (I-X only after B-X or I-X) built in.

use super::labels::{LABELS, allowed, can_end};

/// Transition scores: row 0 is the sentence start, row `p + 1` follows label
/// `p`.
pub type Transitions = [[f32; LABELS]; LABELS + 1];

/// The best labels for `emissions` (one row of label scores per word).
pub fn decode(emissions: &[[f32; LABELS]], trans: &Transitions) -> Vec<u8> {
    let n = emissions.len();
    if n == 0 {
        return Vec::new();
    }
    let mut score = [f32::NEG_INFINITY; LABELS];
    let mut back = vec![[0u8; LABELS]; n];
    for y in 0..LABELS {
        if allowed(None, y as u8) {
            score[y] = trans[0][y] + emissions[0][y];
        }
    }
    for i in 1..n {
        let mut next = [f32::NEG_INFINITY; LABELS];
        for y in 0..LABELS {
            let mut best = (f32::NEG_INFINITY, 0u8);
            for p in 0..LABELS {
                if score[p] == f32::NEG_INFINITY || !allowed(Some(p as u8), y as u8) {
                    continue;
                }
                let s = score[p] + trans[p + 1][y];
                if s > best.0 {
                    best = (s, p as u8);
                }
            }
            if best.0 > f32::NEG_INFINITY {
                next[y] = best.0 + emissions[i][y];
                back[i][y] = best.1;
            }
        }
        score = next;
    }
    let mut y = (0..LABELS)
        .filter(|&y| can_end(y as u8) && score[y] > f32::NEG_INFINITY)
        .max_by(|&a, &b| score[a].total_cmp(&score[b]).then(b.cmp(&a)))
        .unwrap_or(0) as u8;
    let mut out = vec![0u8; n];
    for i in (0..n).rev() {
        out[i] = y;
        y = back[i][y as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::labels::{Kind, encode};

    #[test]
    fn never_emits_inside_after_outside() {
        // Emissions that strongly prefer I-PERS everywhere, or B-PERS at the end.
        let i_pers = encode(3, &[(0, 3, Kind::Pers)])[1] as usize;
        let b_pers = encode(3, &[(0, 3, Kind::Pers)])[0] as usize;
        let t = [[0.0f32; LABELS]; LABELS + 1];
        for n in 1..5 {
            let mut e = vec![[0.0f32; LABELS]; n];
            for row in &mut e {
                row[i_pers] = 10.0;
            }
            e[n - 1][b_pers] = 20.0;
            let out = decode(&e, &t);
            assert!(allowed(None, out[0]), "{out:?}");
            for w in out.windows(2) {
                assert!(allowed(Some(w[0]), w[1]), "{out:?}");
            }
            assert!(can_end(out[n - 1]), "{out:?}");
        }
    }
}
