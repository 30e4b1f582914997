//! Best label sequence under emission and transition scores, with the BIO
//! constraint (I-X only after B-X or I-X) built in.

use super::labels::{LABELS, allowed, can_end};

/// Transition scores: row 0 is the sentence start, row `p + 1` follows label
/// `p`.
pub type Transitions = [[f32; LABELS]; LABELS + 1];

/// The best labels for `emissions` (one row of label scores per word).
pub fn decode(emissions: &[[f32; LABELS]], trans: &Transitions) -> Vec<u8> {
    decode_masked(emissions, &mask(trans))
}

/// Transitions with the BIO constraints folded in, transposed: `m[y][p + 1]`
/// is the score of `y` after `p` (−∞ where not allowed), `m[y][0]` at the
/// start; the last column, `m[y][LABELS + 1]`, is 0 where a sentence may end
/// on `y` and −∞ where it may not. `prev[y][..prevs[y]]` are the labels
/// allowed before `y`, in order (about a third of all pairs), which is all
/// the decoder visits.
#[derive(Debug, Clone)]
pub struct Masked {
    m: [[f32; LABELS + 2]; LABELS],
    prev: [[u8; LABELS]; LABELS],
    prevs: [u8; LABELS],
}

pub fn mask(trans: &Transitions) -> Masked {
    let mut m = [[f32::NEG_INFINITY; LABELS + 2]; LABELS];
    let mut prev = [[0u8; LABELS]; LABELS];
    let mut prevs = [0u8; LABELS];
    for y in 0..LABELS {
        for p in 0..=LABELS {
            let before = p.checked_sub(1).map(|p| p as u8);
            if allowed(before, y as u8) {
                m[y][p] = trans[p][y];
                if let Some(b) = before {
                    prev[y][prevs[y] as usize] = b;
                    prevs[y] += 1;
                }
            }
        }
        m[y][LABELS + 1] = if can_end(y as u8) {
            0.0
        } else {
            f32::NEG_INFINITY
        };
    }
    Masked { m, prev, prevs }
}

/// [`decode`] with the transitions already masked (the model keeps them so).
pub fn decode_masked(emissions: &[[f32; LABELS]], masked: &Masked) -> Vec<u8> {
    let m = &masked.m;
    let n = emissions.len();
    if n == 0 {
        return Vec::new();
    }
    let mut score = [0f32; LABELS];
    for y in 0..LABELS {
        score[y] = m[y][0] + emissions[0][y];
    }
    let mut back = vec![[0u8; LABELS]; n];
    for i in 1..n {
        let mut next = [0f32; LABELS];
        for y in 0..LABELS {
            let row = &m[y][1..=LABELS];
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for &p in &masked.prev[y][..masked.prevs[y] as usize] {
                let s = score[p as usize] + row[p as usize];
                if s > best {
                    best = s;
                    arg = p;
                }
            }
            next[y] = best + emissions[i][y];
            back[i][y] = arg;
        }
        score = next;
    }
    let mut y = 0u8;
    let mut best = f32::NEG_INFINITY;
    for (l, s) in score.iter().enumerate() {
        let s = s + m[l][LABELS + 1];
        if s > best {
            best = s;
            y = l as u8;
        }
    }
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

    /// Viterbi over every pair of labels, as the decoder was before it
    /// visited only the allowed ones.
    fn dense(e: &[[f32; LABELS]], t: &Transitions) -> Vec<u8> {
        let ms = mask(t);
        let m = &ms.m;
        let mut score: [f32; LABELS] = std::array::from_fn(|y| m[y][0] + e[0][y]);
        let mut back = vec![[0u8; LABELS]; e.len()];
        for i in 1..e.len() {
            let mut next = [0f32; LABELS];
            for y in 0..LABELS {
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0u8);
                for p in 0..LABELS {
                    if score[p] + m[y][p + 1] > best {
                        best = score[p] + m[y][p + 1];
                        arg = p as u8;
                    }
                }
                next[y] = best + e[i][y];
                back[i][y] = arg;
            }
            score = next;
        }
        let mut y = (0..LABELS)
            .max_by(|&a, &b| {
                (score[a] + m[a][LABELS + 1])
                    .partial_cmp(&(score[b] + m[b][LABELS + 1]))
                    .unwrap()
                    .then(b.cmp(&a))
            })
            .unwrap() as u8;
        let mut out = vec![0u8; e.len()];
        for i in (0..e.len()).rev() {
            out[i] = y;
            y = back[i][y as usize];
        }
        out
    }

    #[test]
    fn visiting_only_allowed_pairs_changes_nothing() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut r = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 2001) as f32 / 100.0 - 10.0
        };
        for n in 1..40 {
            let t: Transitions = std::array::from_fn(|_| std::array::from_fn(|_| r()));
            let e: Vec<[f32; LABELS]> = (0..n).map(|_| std::array::from_fn(|_| r())).collect();
            assert_eq!(decode(&e, &t), dense(&e, &t), "length {n}");
        }
    }

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
