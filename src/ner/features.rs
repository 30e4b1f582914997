//! Features of a word type (computed once per distinct word) and of a
//! position in a sentence (the word's own features and its neighbours').
//! Features are 64-bit hashes of their strings; the model maps them to rows
//! of weights.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use crate::text::clitics::{NAME_PROCLITICS, strip_clitics};
use crate::text::{normalize, stem};

/// Bump when a feature's definition changes: a model trained with other
/// features would read wrong weights.
pub const FEATURE_VERSION: u32 = 1;

/// The derived word knowledge (see examples/derive_ner_resources.rs):
/// counts, cluster paths and flags of normalised forms from unlabelled news
/// and the gazetteer.
pub const DEFAULT_RESOURCES: &[u8] = include_bytes!("resources.tsv.gz");

#[derive(Debug, Clone, Default)]
pub struct Info {
    pub count: u32,
    pub clusters: Option<[u32; 3]>,
    pub flags: Vec<Box<str>>,
}

/// Word knowledge by normalised form.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub words: FxHashMap<Box<str>, Info>,
}

impl Resources {
    /// Parse the TSV: form, count, c1, c2, c3 (`-` for none), flags.
    pub fn parse(tsv: &str) -> std::result::Result<Resources, String> {
        let mut words = FxHashMap::default();
        for (i, line) in tsv.lines().enumerate() {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() != 6 {
                return Err(format!("resources line {}: expected 6 columns", i + 1));
            }
            let num = |s: &str| {
                s.parse::<u32>()
                    .map_err(|_| format!("resources line {}: bad number {s:?}", i + 1))
            };
            let clusters = if c[2] == "-" {
                None
            } else {
                Some([num(c[2])?, num(c[3])?, num(c[4])?])
            };
            let flags = c[5]
                .split(',')
                .filter(|f| !f.is_empty())
                .map(Box::from)
                .collect();
            words.insert(
                Box::from(c[0]),
                Info {
                    count: num(c[1])?,
                    clusters,
                    flags,
                },
            );
        }
        Ok(Resources { words })
    }

    pub fn count(&self, norm: &str) -> u32 {
        self.words.get(norm).map_or(0, |i| i.count)
    }

    /// How many bytes of `word` (a surface form) are a proclitic that is not
    /// part of a name: و ف ب ل ك (alone or combined) before the article,
    /// always; before anything else only when the rest is a word the corpus
    /// knows better than the whole (وإسرائيل is و + إسرائيل; بوش stays).
    /// The article itself stays with the name, as gazetteer names keep it.
    pub fn proclitic_len(&self, word: &str) -> usize {
        let n = normalize(word);
        let mut best: Option<&str> = None;
        for (clitic, rest) in strip_clitics(&n, NAME_PROCLITICS) {
            if clitic.ends_with("لل") && rest.chars().count() >= 2 {
                // للعراق: the article's ا is gone; its ل stays with the
                // name, as gazetteer mentions keep it (لجيش الوطني).
                best = clitic.strip_suffix('ل');
                break;
            }
            if clitic.ends_with("ال") || rest.chars().count() < 2 {
                // The article goes with the name: strip only what comes before it.
                let before = clitic.trim_end_matches("ال").trim_end_matches("لل");
                if !before.is_empty() && clitic.ends_with("ال") && rest.chars().count() >= 2 {
                    best = Some(before);
                    break;
                }
                continue;
            }
            if self.count(rest) > self.count(&n) {
                best = Some(clitic);
                break;
            }
        }
        // Proclitics are Arabic letters with no marks in between in the
        // surface as a rule; map the normalised length back over the surface.
        let Some(c) = best else { return 0 };
        let letters = c.chars().count();
        let mut seen = 0;
        for (i, ch) in word.char_indices() {
            if seen == letters {
                return i;
            }
            if normalize(ch.encode_utf8(&mut [0; 4])).chars().count() > 0 {
                seen += 1;
            }
        }
        0
    }
}

fn h(tag: &str, value: &str) -> u64 {
    let mut s = FxHasher::default();
    tag.hash(&mut s);
    value.hash(&mut s);
    s.finish()
}

/// A neighbour's feature: the same feature seen at `offset`.
pub fn at(offset: i8, feature: u64) -> u64 {
    let mut s = FxHasher::default();
    offset.hash(&mut s);
    feature.hash(&mut s);
    s.finish() ^ 0x5bd1_e995_0000_0000
}

/// Feature of the position before the sentence or after it.
pub fn edge(offset: i8) -> u64 {
    at(offset, h("edge", ""))
}

pub fn bias() -> u64 {
    h("bias", "")
}

/// The features of one word type: `own` for the word at the position,
/// `near` for it as the neighbour at ±1, `far` at ±2.
#[derive(Debug, Clone, Default)]
pub struct TypeFeatures {
    pub own: Vec<u64>,
    pub near: Vec<u64>,
    pub far: Vec<u64>,
    /// The clitic-split form's hash, for the word pairs of [`pair`].
    pub key: u64,
}

/// The feature of two adjacent words (their clitic-split forms), seen from
/// the position of the `left` one (`right_side` false) or the right one.
pub fn pair(left: u64, right: u64, right_side: bool) -> u64 {
    let mut s = FxHasher::default();
    (left, right, right_side).hash(&mut s);
    s.finish() ^ 0x2f1c_0000_0000_0000
}

pub fn type_features(res: &Resources, word: &str) -> TypeFeatures {
    let n = normalize(word);
    let s = stem(&n);
    // The longest proclitic (with or without the article) leaving two letters.
    let (clitic, base) = strip_clitics(&n, NAME_PROCLITICS)
        .find(|(_, r)| r.chars().count() >= 2)
        .unwrap_or(("", n.as_str()));
    let mut f = TypeFeatures::default();
    let mut own = |v: u64| f.own.push(v);
    own(h("w", &n));
    own(h("s", &s));
    own(h("b", base));
    own(h("pc", clitic));
    let chars: Vec<char> = n.chars().collect();
    let bchars: Vec<char> = base.chars().collect();
    for k in 1..=3 {
        if chars.len() > k {
            own(h("p", &chars[..k].iter().collect::<String>()));
            own(h("x", &chars[chars.len() - k..].iter().collect::<String>()));
        }
        if bchars.len() > k {
            own(h("bp", &bchars[..k].iter().collect::<String>()));
            own(h(
                "bx",
                &bchars[bchars.len() - k..].iter().collect::<String>(),
            ));
        }
    }
    own(h("shape", shape(&n)));
    own(h("len", &bchars.len().min(8).to_string()));
    let info = res.words.get(n.as_str());
    let binfo = if base != n { res.words.get(base) } else { None };
    let freq = info.map_or(0, |i| i.count);
    own(h("freq", &(32 - freq.leading_zeros()).min(14).to_string()));
    let mut near = vec![h("w", &n), h("b", base), h("s", &s), h("pc", clitic)];
    if let Some(c) = chars.first() {
        near.push(h("p", &c.to_string()));
    }
    let mut far = vec![h("b", base)];
    for (tag, inf) in [("r", info), ("rb", binfo)] {
        let Some(inf) = inf else {
            f.own.push(h(tag, "unknown"));
            continue;
        };
        if let Some([a, b, c]) = inf.clusters {
            for (lv, id) in [("1", a), ("2", b), ("3", c)] {
                let v = h(&format!("{tag}c{lv}"), &id.to_string());
                f.own.push(v);
                if lv != "1" {
                    near.push(v);
                }
                if lv == "2" {
                    far.push(v);
                }
            }
        }
        for fl in &inf.flags {
            let v = h(tag, fl);
            f.own.push(v);
            near.push(v);
            if fl.starts_with('t') || fl.starts_with('g') {
                far.push(v);
            }
        }
    }
    f.near = near;
    f.far = far;
    f.key = h("b", base);
    f
}

fn shape(n: &str) -> &'static str {
    if n.chars().all(|c| c.is_ascii_digit()) {
        "digits"
    } else if n.chars().any(|c| c.is_ascii_digit()) {
        "hasdigit"
    } else if n.chars().all(|c| c.is_ascii_alphabetic()) {
        "latin"
    } else if n.chars().all(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
        "arabic"
    } else {
        "other"
    }
}

/// The feature hashes of every position of a sentence, given its words'
/// type features.
pub fn positions(types: &[&TypeFeatures]) -> Vec<Vec<u64>> {
    let n = types.len();
    (0..n)
        .map(|i| {
            let mut v = Vec::with_capacity(64);
            v.push(bias());
            v.extend_from_slice(&types[i].own);
            if i > 0 {
                v.push(pair(types[i - 1].key, types[i].key, true));
            }
            if i + 1 < n {
                v.push(pair(types[i].key, types[i + 1].key, false));
            }
            for o in [-2i8, -1, 1, 2] {
                let j = i as isize + o as isize;
                if j < 0 || j >= n as isize {
                    if o.abs() == 1 || j == -2 || j == n as isize + 1 {
                        v.push(edge(o));
                    }
                    continue;
                }
                let t = types[j as usize];
                let list = if o.abs() == 1 { &t.near } else { &t.far };
                v.extend(list.iter().map(|&f| at(o, f)));
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proclitics_split_by_counts() {
        let r =
            Resources::parse("اسرائيل\t50\t-\t-\t-\t\nواسرائيل\t5\t-\t-\t-\t\nبوش\t9\t-\t-\t-\t\n")
                .unwrap();
        assert_eq!(r.proclitic_len("وإسرائيل"), "و".len());
        assert_eq!(r.proclitic_len("بوش"), 0);
        assert_eq!(r.proclitic_len("والعراق"), "و".len());
        assert_eq!(r.proclitic_len("العراق"), 0);
        assert_eq!(r.proclitic_len("للعراق"), "ل".len());
        assert_eq!(r.proclitic_len("وللعراق"), "ول".len());
        assert_eq!(r.proclitic_len("وبالعراق"), "وب".len());
        assert_eq!(r.proclitic_len("لبنان"), 0);
    }

    #[test]
    fn features_are_deterministic_and_distinguish_words() {
        let r = Resources::default();
        let a = type_features(&r, "وإسرائيل");
        assert_eq!(a.own, type_features(&r, "وإسرائيل").own);
        assert_ne!(a.own[0], type_features(&r, "إسرائيل").own[0]);
        // The clitic-split form is shared.
        assert_eq!(a.own[2], type_features(&r, "إسرائيل").own[2]);
    }
}
