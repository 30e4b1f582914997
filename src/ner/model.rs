//! The model: weights by feature hash, transitions, and the word knowledge
//! its features read; its file (a versioned header line, then a gzip'd
//! body); and tagging, with the features of each distinct word computed
//! once per thread and folded into label scores.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use super::features::{self, FEATURE_VERSION, Resources, bias, edge};
use super::labels::{self, LABELS};
use super::perceptron::Weights;
use super::viterbi::{Masked, Transitions, decode_masked, mask};
use super::{NerSpan, Tagger};
use crate::text::ANALYZER_VERSION;
use crate::{Error, Result};

/// Bump when the file's layout changes.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &str = "marsad-ner-model";
/// Weights smaller than this (in every label) are dropped when saving.
const PRUNE: f32 = 0.05;
/// The same for the mean of several runs (`ner train --runs`), which holds
/// many small weights (a feature that one run of eight moved once): at 0.25
/// the mixed model of eight runs keeps about as many features as one run
/// did at 0.05 and tags as fast, for the same tuning F1 (0.7437 with 113k
/// features; 0.7437 at 0.05 with 180k).
const MIXED_PRUNE: f32 = 0.25;

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

pub struct Model {
    index: FxHashMap<u64, u32>,
    rows: Vec<[f32; LABELS]>,
    trans: Transitions,
    masked: Masked,
    resources: Resources,
    resources_tsv: String,
    id: String,
    /// Tells this model's per-thread cache from another's.
    uid: u64,
}

/// A word type's contribution to the label scores: its own features, and
/// its features as the neighbour at offsets −2, −1, +1, +2.
struct Scores {
    key: u64,
    own: [f32; LABELS],
    off: [[f32; LABELS]; 4],
}

const OFFSETS: [i8; 4] = [-2, -1, 1, 2];
const CACHE_MAX: usize = 100_000;
/// Longer words are read as one placeholder (see `emissions`).
const MAX_WORD_BYTES: usize = 256;

thread_local! {
    static CACHE: RefCell<(u64, FxHashMap<u64, Rc<Scores>>)> = RefCell::new((0, FxHashMap::default()));
}

fn add(a: &mut [f32; LABELS], b: &[f32; LABELS]) {
    for y in 0..LABELS {
        a[y] += b[y];
    }
}

impl Model {
    /// A model from trained weights: weights near zero pruned, the rest
    /// quantised as they will be stored, so that what is evaluated is what
    /// is saved.
    pub fn from_weights(w: &Weights, resources_tsv: &str) -> Result<Model> {
        let resources = Resources::parse(resources_tsv).map_err(Error::Invalid)?;
        let max = w
            .rows
            .iter()
            .flat_map(|r| r.iter())
            .fold(0f32, |m, x| m.max(x.abs()))
            .max(1e-6);
        let scale = max / 32000.0;
        let q = |x: f32| (x / scale).round() as i16 as f32 * scale;
        let prune = if w.runs > 1 { MIXED_PRUNE } else { PRUNE };
        let mut index = FxHashMap::default();
        let mut rows = Vec::new();
        for (&k, &i) in &w.index {
            let r = &w.rows[i as usize];
            if r.iter().any(|x| x.abs() >= prune) {
                index.insert(k, rows.len() as u32);
                rows.push(r.map(q));
            }
        }
        let mut m = Model {
            index,
            rows,
            trans: w.trans,
            masked: mask(&w.trans),
            resources,
            resources_tsv: resources_tsv.to_string(),
            id: String::new(),
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
        };
        m.id = sha_prefix(&m.to_bytes()?);
        Ok(m)
    }

    /// The word knowledge shipped with marsad, as text.
    pub fn default_resources() -> Result<String> {
        let mut s = String::new();
        flate2::read::GzDecoder::new(features::DEFAULT_RESOURCES)
            .read_to_string(&mut s)
            .map_err(|e| Error::Invalid(format!("the built-in NER resources: {e}")))?;
        Ok(s)
    }

    /// Lower the score of every name of each kind (PERS, LOC, ORG, MISC) by
    /// `cost[kind]`: its first label (B or S) costs that much more, which
    /// trades recall for precision. The cost goes into the bias row, so the
    /// saved model keeps it.
    pub fn add_span_cost(&mut self, cost: [f32; 4]) {
        let b = bias();
        let i = match self.index.get(&b) {
            Some(&i) => i as usize,
            None => {
                self.index.insert(b, self.rows.len() as u32);
                self.rows.push([0.0; LABELS]);
                self.rows.len() - 1
            }
        };
        for (k, c) in cost.iter().enumerate() {
            // Labels 1 + 4k + (B, I, E, S).
            self.rows[i][1 + 4 * k] -= c;
            self.rows[i][1 + 4 * k + 3] -= c;
        }
        self.uid = NEXT_UID.fetch_add(1, Ordering::Relaxed);
    }

    /// Number of weight rows (features kept).
    pub fn features(&self) -> usize {
        self.rows.len()
    }

    /// Bytes the model holds in memory (weights, index, word knowledge), roughly.
    pub fn memory_bytes(&self) -> usize {
        self.rows.len() * (LABELS * 4 + 16)
            + self.resources.words.len() * 64
            + self.resources_tsv.len()
    }

    fn header() -> String {
        format!(
            "{MAGIC}\tformat={FORMAT_VERSION}\tfeatures={FEATURE_VERSION}\tanalyzer={ANALYZER_VERSION}\n"
        )
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        let tsv = self.resources_tsv.as_bytes();
        body.extend((tsv.len() as u32).to_le_bytes());
        body.extend(tsv);
        body.extend((LABELS as u32).to_le_bytes());
        for row in &self.trans {
            for x in row {
                body.extend(x.to_le_bytes());
            }
        }
        let max = self
            .rows
            .iter()
            .flat_map(|r| r.iter())
            .fold(0f32, |m, x| m.max(x.abs()))
            .max(1e-6);
        let scale = max / 32000.0;
        body.extend(scale.to_le_bytes());
        let mut keys: Vec<(&u64, &u32)> = self.index.iter().collect();
        keys.sort();
        body.extend((keys.len() as u32).to_le_bytes());
        for (k, &i) in keys {
            body.extend(k.to_le_bytes());
            for x in self.rows[i as usize] {
                body.extend(((x / scale).round() as i16).to_le_bytes());
            }
        }
        let mut out = Self::header().into_bytes();
        let mut gz = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
        gz.write_all(&body)
            .and_then(|_| gz.finish().map(|_| ()))
            .map_err(|e| Error::Invalid(format!("writing the model: {e}")))?;
        Ok(out)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()?)
            .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
    }

    /// Load a model file. A file of another format, feature set or analyzer
    /// version, or a damaged one, is an error that names the file and says
    /// what to do.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::Invalid(format!(
                "{}: cannot read the NER model ({e}); pass --model FILE, or --model none to turn NER off",
                path.display()
            ))
        })?;
        Self::from_bytes(&bytes).map_err(|why| {
            Error::Invalid(format!(
                "{}: {why}; retrain it with `marsad ner train`, or pass --model none to turn NER off",
                path.display()
            ))
        })
    }

    fn from_bytes(bytes: &[u8]) -> std::result::Result<Model, String> {
        let nl = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("not a marsad NER model")?;
        let head = std::str::from_utf8(&bytes[..=nl]).map_err(|_| "not a marsad NER model")?;
        if !head.starts_with(MAGIC) {
            return Err("not a marsad NER model".into());
        }
        if head != Self::header() {
            return Err(format!(
                "the model was made for another marsad ({}; this one reads {})",
                head.trim_end().replace('\t', " "),
                Self::header().trim_end().replace('\t', " ")
            ));
        }
        let mut body = Vec::new();
        flate2::read::GzDecoder::new(&bytes[nl + 1..])
            .read_to_end(&mut body)
            .map_err(|_| "the model file is damaged")?;
        let mut r = Reader { b: &body, at: 0 };
        let damaged = || "the model file is damaged".to_string();
        let n = r.u32().ok_or_else(damaged)? as usize;
        let tsv = std::str::from_utf8(r.take(n).ok_or_else(damaged)?)
            .map_err(|_| damaged())?
            .to_string();
        if r.u32().ok_or_else(damaged)? as usize != LABELS {
            return Err(damaged());
        }
        let mut trans = [[0f32; LABELS]; LABELS + 1];
        for row in &mut trans {
            for x in row.iter_mut() {
                *x = r.f32().ok_or_else(damaged)?;
            }
        }
        let scale = r.f32().ok_or_else(damaged)?;
        let count = r.u32().ok_or_else(damaged)? as usize;
        let mut index = FxHashMap::default();
        let mut rows = Vec::with_capacity(count.min(body.len() / 8));
        for i in 0..count {
            let k = r.u64().ok_or_else(damaged)?;
            let mut row = [0f32; LABELS];
            for x in &mut row {
                *x = r.i16().ok_or_else(damaged)? as f32 * scale;
            }
            index.insert(k, i as u32);
            rows.push(row);
        }
        if r.at != body.len() {
            return Err(damaged());
        }
        let resources = Resources::parse(&tsv).map_err(|_| damaged())?;
        Ok(Model {
            index,
            rows,
            trans,
            masked: mask(&trans),
            resources,
            resources_tsv: tsv,
            id: sha_prefix(bytes),
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
        })
    }

    fn row(&self, f: u64) -> Option<&[f32; LABELS]> {
        self.index.get(&f).map(|&i| &self.rows[i as usize])
    }

    fn scores(&self, word: &str) -> Scores {
        let t = features::type_features(&self.resources, word);
        let mut s = Scores {
            key: t.key,
            own: [0.0; LABELS],
            off: [[0.0; LABELS]; 4],
        };
        for &f in &t.own {
            if let Some(r) = self.row(f) {
                add(&mut s.own, r);
            }
        }
        for (k, &o) in OFFSETS.iter().enumerate() {
            let list = if o.abs() == 1 { &t.near } else { &t.far };
            for &f in list {
                if let Some(r) = self.row(features::at(o, f)) {
                    add(&mut s.off[k], r);
                }
            }
        }
        s
    }

    /// Label scores of every word of a sentence.
    fn emissions(&self, words: &[&str]) -> Vec<[f32; LABELS]> {
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.0 != self.uid {
                c.1.clear();
                c.0 = self.uid;
            }
            // Full, the cache keeps what it has: the words seen first are
            // the frequent ones, and clearing would compute them again.
            let room = c.1.len() < CACHE_MAX;
            let scores: Vec<Rc<Scores>> = words
                .iter()
                // No name is this long: a run of letters past it (a pasted
                // hash, a line without spaces) is read as one placeholder
                // rather than normalised and stemmed at full length.
                .map(|w| if w.len() > MAX_WORD_BYTES { &"…" } else { w })
                .map(|w| {
                    let key = {
                        let mut h = rustc_hash::FxHasher::default();
                        std::hash::Hash::hash(*w, &mut h);
                        std::hash::Hasher::finish(&h)
                    };
                    match c.1.get(&key) {
                        Some(s) => s.clone(),
                        None => {
                            let s = Rc::new(self.scores(w));
                            if room {
                                c.1.insert(key, s.clone());
                            }
                            s
                        }
                    }
                })
                .collect();
            let zero = [0f32; LABELS];
            let b = *self.row(bias()).unwrap_or(&zero);
            let edges: [[f32; LABELS]; 4] = OFFSETS.map(|o| *self.row(edge(o)).unwrap_or(&zero));
            let n = words.len();
            (0..n)
                .map(|i| {
                    let mut e = b;
                    add(&mut e, &scores[i].own);
                    if i > 0 {
                        if let Some(r) =
                            self.row(features::pair(scores[i - 1].key, scores[i].key, true))
                        {
                            add(&mut e, r);
                        }
                    }
                    if i + 1 < n {
                        if let Some(r) =
                            self.row(features::pair(scores[i].key, scores[i + 1].key, false))
                        {
                            add(&mut e, r);
                        }
                    }
                    for (k, &o) in OFFSETS.iter().enumerate() {
                        let j = i as isize + o as isize;
                        if j >= 0 && (j as usize) < n {
                            add(&mut e, &scores[j as usize].off[k]);
                        } else if o.abs() == 1 || j == -2 || j == n as isize + 1 {
                            add(&mut e, &edges[k]);
                        }
                    }
                    e
                })
                .collect()
        })
    }

    /// All labels of a sentence, MISC included (for evaluation).
    pub fn labels(&self, words: &[&str]) -> Vec<u8> {
        decode_masked(&self.emissions(words), &self.masked)
    }
}

impl Tagger for Model {
    fn tag(&self, words: &[&str]) -> Vec<NerSpan> {
        labels::spans(&self.labels(words))
            .into_iter()
            .filter_map(|(start, end, k)| {
                Some(NerSpan {
                    start,
                    end,
                    kind: k.entity_type()?,
                })
            })
            .collect()
    }

    fn id(&self) -> String {
        self.id.clone()
    }

    fn proclitic_len(&self, word: &str) -> usize {
        self.resources.proclitic_len(word)
    }
}

fn sha_prefix(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
}
