//! The label set: BIO over four name kinds. MISC is learnt so that the model
//! can tell it apart from persons, places and organisations, and never
//! reported.

use crate::entities::EntityType;
use crate::{Error, Result};

/// The kinds of name the training data marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Pers,
    Loc,
    Org,
    Misc,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Pers, Kind::Loc, Kind::Org, Kind::Misc];
    /// The kinds marsad reports (and evaluation counts in its micro figures).
    pub const REPORTED: [Kind; 3] = [Kind::Pers, Kind::Loc, Kind::Org];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pers => "PERS",
            Kind::Loc => "LOC",
            Kind::Org => "ORG",
            Kind::Misc => "MISC",
        }
    }

    pub fn entity_type(self) -> Option<EntityType> {
        match self {
            Kind::Pers => Some(EntityType::Person),
            Kind::Loc => Some(EntityType::Place),
            Kind::Org => Some(EntityType::Org),
            Kind::Misc => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Number of labels: O, then B, I, E (end) and S (single-word name) of
/// each kind. Ends are learnt apart from insides, which the span boundaries
/// profit from; CoNLL files say BIO and are converted on reading.
pub const LABELS: usize = 1 + 4 * Kind::ALL.len();
pub const O: u8 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    B,
    I,
    E,
    S,
}

fn label(k: Kind, p: Part) -> u8 {
    1 + 4 * k.index() as u8 + p as u8
}

fn part(l: u8) -> Option<Part> {
    (l != O).then(|| [Part::B, Part::I, Part::E, Part::S][(l as usize - 1) % 4])
}

/// The kind a label belongs to (`None` for O).
pub fn kind(l: u8) -> Option<Kind> {
    (l != O).then(|| Kind::ALL[(l as usize - 1) / 4])
}

/// A CoNLL label: `None` for `O`, else the kind and whether it begins a
/// name (`B-PERS`) or continues one (`I-LOC`).
pub fn parse_bio(s: &str) -> Result<Option<(Kind, bool)>> {
    if s == "O" {
        return Ok(None);
    }
    let bad = || Error::Invalid(format!("unknown label {s:?}"));
    let (bi, k) = s.split_once('-').ok_or_else(bad)?;
    let k = if k == "PER" { "PERS" } else { k };
    let k = Kind::ALL
        .into_iter()
        .find(|kk| kk.as_str() == k)
        .ok_or_else(bad)?;
    match bi {
        "B" => Ok(Some((k, true))),
        "I" => Ok(Some((k, false))),
        _ => Err(bad()),
    }
}

/// The spans of BIO labels (a stray I-X opens a name).
pub fn bio_spans(bio: &[Option<(Kind, bool)>]) -> Vec<(usize, usize, Kind)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Kind)> = None;
    for (i, l) in bio.iter().enumerate() {
        let continues = matches!((l, open), (Some((k, false)), Some((_, ok))) if *k == ok);
        if !continues {
            if let Some((s, k)) = open.take() {
                out.push((s, i, k));
            }
            open = l.map(|(k, _)| (i, k));
        }
    }
    if let Some((s, k)) = open {
        out.push((s, bio.len(), k));
    }
    out
}

/// The labels of `n` words with names `spans`.
pub fn encode(n: usize, spans: &[(usize, usize, Kind)]) -> Vec<u8> {
    let mut out = vec![O; n];
    for &(s, e, k) in spans {
        if e == s + 1 {
            out[s] = label(k, Part::S);
        } else {
            out[s] = label(k, Part::B);
            out[s + 1..e - 1]
                .iter_mut()
                .for_each(|l| *l = label(k, Part::I));
            out[e - 1] = label(k, Part::E);
        }
    }
    out
}

pub fn name(l: u8) -> String {
    match (kind(l), part(l)) {
        (Some(k), Some(p)) => format!("{p:?}-{}", k.as_str()),
        _ => "O".into(),
    }
}

/// Whether a name is open after `l` (it must be continued).
fn open(l: u8) -> bool {
    matches!(part(l), Some(Part::B | Part::I))
}

/// Whether `cur` may follow `prev` (`None`: the sentence's start): I-X and
/// E-X only inside an open X name, anything else only where none is open.
pub fn allowed(prev: Option<u8>, cur: u8) -> bool {
    let inside = matches!(part(cur), Some(Part::I | Part::E));
    match prev {
        Some(p) if open(p) => inside && kind(p) == kind(cur),
        _ => !inside,
    }
}

/// Whether a sentence may end on `l`.
pub fn can_end(l: u8) -> bool {
    !open(l)
}

/// The names a label sequence marks, as (start, end exclusive, kind). Read
/// leniently: a name ends at E, S, O or a label of another name.
pub fn spans(labels: &[u8]) -> Vec<(usize, usize, Kind)> {
    let mut out: Vec<(usize, usize, Kind)> = Vec::new();
    let mut open_at: Option<(usize, Kind)> = None;
    for (i, &l) in labels.iter().enumerate() {
        let k = kind(l);
        let p = part(l);
        let continues =
            matches!(p, Some(Part::I | Part::E)) && open_at.is_some_and(|(_, ok)| Some(ok) == k);
        if !continues {
            if let Some((s, ok)) = open_at.take() {
                out.push((s, i, ok));
            }
            if let Some(k) = k {
                open_at = Some((i, k));
            }
        }
        if matches!(p, Some(Part::E | Part::S)) {
            if let Some((s, ok)) = open_at.take() {
                out.push((s, i + 1, ok));
            }
        }
    }
    if let Some((s, k)) = open_at {
        out.push((s, labels.len(), k));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_reads_into_spans_and_encodes_round_trip() {
        let bio = [
            None,
            Some((Kind::Loc, false)),
            Some((Kind::Loc, false)),
            Some((Kind::Pers, true)),
            Some((Kind::Org, false)),
        ];
        let sp = bio_spans(&bio);
        assert_eq!(
            sp,
            vec![(1, 3, Kind::Loc), (3, 4, Kind::Pers), (4, 5, Kind::Org)]
        );
        let l = encode(5, &sp);
        assert_eq!(spans(&l), sp);
        assert_eq!(
            l.iter().map(|&x| name(x)).collect::<Vec<_>>(),
            ["O", "B-LOC", "E-LOC", "S-PERS", "S-ORG"]
        );
        assert!(parse_bio("B-FOO").is_err());
        assert!(parse_bio("X-LOC").is_err());
        assert_eq!(parse_bio("I-PER").unwrap(), Some((Kind::Pers, false)));
    }

    #[test]
    fn constraints() {
        let (b, i, e, s) = (
            label(Kind::Pers, Part::B),
            label(Kind::Pers, Part::I),
            label(Kind::Pers, Part::E),
            label(Kind::Pers, Part::S),
        );
        assert!(!allowed(None, i) && !allowed(None, e) && allowed(None, b) && allowed(None, s));
        assert!(!allowed(Some(O), i));
        assert!(
            allowed(Some(b), i)
                && allowed(Some(b), e)
                && !allowed(Some(b), O)
                && !allowed(Some(b), s)
        );
        assert!(!allowed(Some(b), label(Kind::Loc, Part::E)));
        assert!(allowed(Some(e), O) && !allowed(Some(e), i));
        assert!(!can_end(b) && !can_end(i) && can_end(e) && can_end(s) && can_end(O));
    }
}
