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

/// Number of labels: O, then B and I of each kind.
pub const LABELS: usize = 1 + 2 * Kind::ALL.len();
pub const O: u8 = 0;

pub fn begin(k: Kind) -> u8 {
    1 + 2 * k.index() as u8
}

pub fn inside(k: Kind) -> u8 {
    2 + 2 * k.index() as u8
}

/// The kind a label belongs to (`None` for O).
pub fn kind(label: u8) -> Option<Kind> {
    (label != O).then(|| Kind::ALL[(label as usize - 1) / 2])
}

pub fn is_inside(label: u8) -> bool {
    label != O && label % 2 == 0
}

/// A CoNLL label: `O`, `B-PERS`, `I-LOC`, ...
pub fn parse(s: &str) -> Result<u8> {
    if s == "O" {
        return Ok(O);
    }
    let (bi, k) = s
        .split_once('-')
        .ok_or_else(|| Error::Invalid(format!("unknown label {s:?}")))?;
    let k = k_alias(k);
    let k = Kind::ALL
        .into_iter()
        .find(|kk| kk.as_str() == k)
        .ok_or_else(|| Error::Invalid(format!("unknown label {s:?}")))?;
    match bi {
        "B" => Ok(begin(k)),
        "I" => Ok(inside(k)),
        _ => Err(Error::Invalid(format!("unknown label {s:?}"))),
    }
}

/// PER is PERS in some releases.
fn k_alias(k: &str) -> &str {
    if k == "PER" { "PERS" } else { k }
}

pub fn name(label: u8) -> String {
    match kind(label) {
        None => "O".into(),
        Some(k) => format!("{}-{}", if is_inside(label) { "I" } else { "B" }, k.as_str()),
    }
}

/// Whether `cur` may follow `prev` (`None`: the sentence's start): I-X only
/// after B-X or I-X.
pub fn allowed(prev: Option<u8>, cur: u8) -> bool {
    !is_inside(cur) || prev.is_some_and(|p| p != O && kind(p) == kind(cur))
}

/// The spans a label sequence marks, as (start, end exclusive, kind). A
/// stray I-X opens a span.
pub fn spans(labels: &[u8]) -> Vec<(usize, usize, Kind)> {
    let mut out: Vec<(usize, usize, Kind)> = Vec::new();
    let mut open: Option<(usize, Kind)> = None;
    for (i, &l) in labels.iter().enumerate() {
        let k = kind(l);
        let continues = is_inside(l) && open.is_some_and(|(_, ok)| Some(ok) == k);
        if !continues {
            if let Some((s, ok)) = open.take() {
                out.push((s, i, ok));
            }
            open = k.map(|k| (i, k));
        }
    }
    if let Some((s, k)) = open {
        out.push((s, labels.len(), k));
    }
    out
}

/// Turn stray I-X (after O or another kind) into B-X.
pub fn repair(labels: &mut [u8]) {
    for i in 0..labels.len() {
        let prev = i.checked_sub(1).map(|p| labels[p]);
        if !allowed(prev, labels[i]) {
            labels[i] -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for l in 0..LABELS as u8 {
            assert_eq!(parse(&name(l)).unwrap(), l);
        }
        assert_eq!(parse("B-PER").unwrap(), begin(Kind::Pers));
        assert!(parse("B-FOO").is_err());
        assert!(parse("X-LOC").is_err());
    }

    #[test]
    fn spans_and_repair() {
        let mut l = vec![O, inside(Kind::Loc), inside(Kind::Loc), begin(Kind::Pers), inside(Kind::Org)];
        assert_eq!(spans(&l), vec![(1, 3, Kind::Loc), (3, 4, Kind::Pers), (4, 5, Kind::Org)]);
        repair(&mut l);
        assert_eq!(l, vec![O, begin(Kind::Loc), inside(Kind::Loc), begin(Kind::Pers), begin(Kind::Org)]);
        assert!(!allowed(None, inside(Kind::Pers)));
        assert!(!allowed(Some(O), inside(Kind::Pers)));
        assert!(allowed(Some(begin(Kind::Pers)), inside(Kind::Pers)));
    }
}
