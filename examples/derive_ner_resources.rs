//! Derives src/ner/resources.tsv.gz, the word knowledge the NER model's
//! features read besides the labelled sentences, from unlabelled news and
//! the shipped gazetteer (never from the training sentences: lists drawn
//! from those teach the model to trust lists that cover every training name
//! and no new one):
//!
//!     cargo run --release --example derive_ner_resources -- \
//!         [--model TAGGER.model] \
//!         ../shared/corpus/ant-multisource-2018.jsonl.gz \
//!         ../shared/corpus/ant-jawharafm-2013-2017.jsonl.gz
//!
//! (it writes src/ner/resources.tsv.gz itself). Every word of every title and
//! text goes through `marsad::text::words`, so the forms are the ones the
//! tagger sees. Per normalised form it records:
//! - its count in the corpus (the tagger compares a word with and without a
//!   proclitic by these counts);
//! - a word cluster path c1/c2/c3: hierarchical spherical k-means (16, then
//!   16 per cluster, then 8) over the PPMI vectors of the words next to it
//!   (left and right, among the 2,000 most frequent), randomly projected to
//!   96 dimensions with a fixed seed; words seen at least 10 times;
//! - flags (comma-separated), each a feature of its own:
//!   `gP` `gL` `gO` a word of a gazetteer name of that type (seeds/entities.tsv),
//!   `gG` a given name (src/entities/given_names.txt), `tP` `tL` `tO` a trigger:
//!   a title or role before persons (the generic list below plus the words
//!   gazetteer aliases put before a person's name), a word before places, a
//!   word that opens an organisation's name; `aP1..3` `aL1..3` `aO1..3` how
//!   often the word follows such a trigger (per cent of its occurrences,
//!   bucketed); `art0..3` how often it carries the article ال (names rarely
//!   do);
//! - with `--model`, self-trained name lists: every sentence of the corpora is
//!   tagged with that model (trained on the train part only, so that neither
//!   the tuning nor the held-out names are in it), and a word tagged inside a
//!   person, place or organisation (T = P, L, O) at least 3 times gets
//!   `nT0..3` (share of its occurrences tagged T, bucketed), `dT` when at
//!   least 80% of its tagged occurrences are T, and `rTB` `rTI` `rTE` `rTS`
//!   for the positions it takes (first, inside, last word, a name alone) at
//!   least 3 times and in 30% of its T occurrences.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};

use marsad::ner::{Model, sentences};
use marsad::text::{normalize, words};

/// Generic words before a person's name in news (titles, roles, honorifics).
const PERSON_TRIGGERS: &[&str] = &[
    "الرئيس",
    "رئيس",
    "الوزير",
    "وزير",
    "وزيرة",
    "الملك",
    "الأمير",
    "الشيخ",
    "السيد",
    "السيدة",
    "الزعيم",
    "الجنرال",
    "المشير",
    "العقيد",
    "اللواء",
    "العميد",
    "الدكتور",
    "المستشار",
    "النائب",
    "المتحدث",
    "الناطق",
    "السفير",
    "المبعوث",
    "الأمين",
    "الرئيسة",
    "المستشارة",
    "الإمام",
    "البابا",
    "القاضي",
    "المدرب",
    "اللاعب",
    "الفنان",
    "الكاتب",
    "الصحفي",
    "نائب",
    "قائد",
    "القائد",
    "زعيم",
    "مدير",
    "المدير",
    "محافظ",
    "المحافظ",
    "عضو",
    "رئيسة",
    "الفريق",
    "الشاعر",
    "المخرج",
    "الممثل",
    "المغني",
    "الروائي",
    "الباحث",
    "الأستاذ",
    "النجم",
    "الداعية",
];

/// Generic words before a place's name.
const PLACE_TRIGGERS: &[&str] = &[
    "مدينة",
    "العاصمة",
    "ولاية",
    "محافظة",
    "منطقة",
    "بلدة",
    "جزيرة",
    "إقليم",
    "قرية",
    "مقاطعة",
    "مدن",
    "عاصمة",
    "دولة",
    "جمهورية",
    "مملكة",
    "بلدية",
    "ميناء",
    "مطار",
    "حي",
    "شمال",
    "جنوب",
    "شرق",
    "غرب",
    "وسط",
    "بحر",
    "نهر",
    "جبل",
    "صحراء",
    "سواحل",
    "ضواحي",
];

/// Generic words that open an organisation's name.
const ORG_TRIGGERS: &[&str] = &[
    "حركة",
    "حزب",
    "وكالة",
    "شركة",
    "منظمة",
    "جماعة",
    "جبهة",
    "مجلس",
    "جامعة",
    "صحيفة",
    "بنك",
    "مصرف",
    "هيئة",
    "اتحاد",
    "تنظيم",
    "جمعية",
    "مؤسسة",
    "قناة",
    "مجموعة",
    "نادي",
    "فريق",
    "منتخب",
    "لجنة",
    "تحالف",
    "ائتلاف",
    "مركز",
    "معهد",
    "برلمان",
    "محكمة",
    "وزارة",
    "مكتب",
    "إذاعة",
];

const CLUSTER_MIN: u32 = 10;
const CONTEXT_WORDS: usize = 2000;
const DIMS: usize = 96;
const FANOUT: [usize; 3] = [16, 16, 8];
const SEP: u32 = u32::MAX;

fn main() -> std::io::Result<()> {
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    let model = match paths.iter().position(|a| a == "--model") {
        Some(i) => {
            let m = Model::load(std::path::Path::new(&paths[i + 1])).expect("the tagger");
            paths.drain(i..i + 2);
            Some(m)
        }
        None => None,
    };
    // Per form: how often tagged as each kind (P, L, O) in each position (B I E S).
    let mut tagged: Vec<[[u32; 4]; 3]> = Vec::new();
    assert!(
        !paths.is_empty(),
        "usage: derive_ner_resources CORPUS.jsonl[.gz]..."
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut vocab: HashMap<String, u32> = HashMap::new();
    let mut forms: Vec<String> = Vec::new();
    let mut seq: Vec<u32> = Vec::new();
    for path in &paths {
        let file = std::fs::File::open(path)?;
        let reader: Box<dyn Read> = if path.ends_with(".gz") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        for line in BufReader::new(reader).lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            for field in ["title", "text"] {
                let text = v[field].as_str().unwrap_or_default();
                for para in text.split('\n') {
                    for sent in sentences(para) {
                        let ids: Vec<u32> = sent
                            .iter()
                            .map(|w| {
                                *vocab.entry(w.norm.clone()).or_insert_with(|| {
                                    forms.push(w.norm.clone());
                                    forms.len() as u32 - 1
                                })
                            })
                            .collect();
                        seq.extend(&ids);
                        if let Some(m) = &model {
                            let surf: Vec<&str> = sent.iter().map(|w| w.token.surface).collect();
                            tagged.resize(forms.len(), [[0; 4]; 3]);
                            for (&id, l) in ids.iter().zip(m.labels(&surf)) {
                                // Labels: O, then B I E S of PERS, LOC, ORG, MISC.
                                let (k, r) = (
                                    (l as usize).wrapping_sub(1) / 4,
                                    (l as usize).wrapping_sub(1) % 4,
                                );
                                if l != 0 && k < 3 {
                                    tagged[id as usize][k][r] += 1;
                                }
                            }
                        }
                    }
                    seq.push(SEP);
                }
            }
        }
    }
    let n = forms.len();
    let mut count = vec![0u32; n];
    for &t in &seq {
        if t != SEP {
            count[t as usize] += 1;
        }
    }
    eprintln!("{} tokens, {} forms", seq.len(), n);

    let mut flags: Vec<Vec<String>> = vec![Vec::new(); n];
    // Gazetteer words and triggers.
    let set = |list: &[&str]| -> Vec<String> { list.iter().map(|w| normalize(w)).collect() };
    let mut triggers = [set(PERSON_TRIGGERS), set(PLACE_TRIGGERS), set(ORG_TRIGGERS)];
    let gaz = std::fs::read_to_string(root.join("seeds/entities.tsv"))?;
    let mut gaz_words: Vec<(String, &str)> = Vec::new();
    for line in gaz
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let flag = match cols.get(1) {
            Some(&"person") => "gP",
            Some(&"place") => "gL",
            Some(&"org") => "gO",
            _ => continue,
        };
        let name: Vec<String> = words(cols[2]).into_iter().map(|w| w.norm).collect();
        let mut names = vec![cols[2]];
        names.extend(
            cols.get(5)
                .map(|a| a.split('|').filter(|s| !s.is_empty()))
                .into_iter()
                .flatten(),
        );
        names.extend(cols.get(6).filter(|s| !s.is_empty()));
        for nm in names {
            let ws: Vec<String> = words(nm).into_iter().map(|w| w.norm).collect();
            // Before a person's name: a title (الفريق أول خليفة حفتر).
            if flag == "gP" {
                if let Some(first) = ws.iter().position(|w| name.contains(w)) {
                    triggers[0].extend(ws[..first].iter().cloned());
                }
            }
            for w in ws {
                gaz_words.push((w, flag));
            }
        }
    }
    for (w, f) in gaz_words {
        if let Some(&id) = vocab.get(&w) {
            push_flag(&mut flags[id as usize], f);
        }
    }
    let given = std::fs::read_to_string(root.join("src/entities/given_names.txt"))?;
    for w in given
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        if let Some(&id) = vocab.get(&normalize(w.trim())) {
            push_flag(&mut flags[id as usize], "gG");
        }
    }
    let mut is_trigger = vec![0u8; n];
    for (k, list) in triggers.iter().enumerate() {
        for w in list {
            if let Some(&id) = vocab.get(w) {
                is_trigger[id as usize] |= 1 << k;
                push_flag(&mut flags[id as usize], ["tP", "tL", "tO"][k]);
            }
        }
    }
    // How often a word follows a trigger.
    let mut after = vec![[0u32; 3]; n];
    for p in seq.windows(2) {
        if p[0] != SEP && p[1] != SEP {
            for k in 0..3 {
                if is_trigger[p[0] as usize] & (1 << k) != 0 {
                    after[p[1] as usize][k] += 1;
                }
            }
        }
    }
    for id in 0..n {
        for k in 0..3 {
            let (a, c) = (after[id][k], count[id]);
            if a >= 2 {
                let b = bucket(a as f64 / c as f64, &[0.02, 0.1, 0.3]);
                if b > 0 {
                    flags[id].push(format!("a{}{b}", ["P", "L", "O"][k]));
                }
            }
        }
        // The article: names rarely take it.
        let f = &forms[id];
        if !f.starts_with("ال") && count[id] >= 3 {
            let with = vocab
                .get(&format!("ال{f}"))
                .map_or(0, |&i| count[i as usize]);
            let r = with as f64 / (with + count[id]) as f64;
            flags[id].push(format!("art{}", bucket(r, &[0.01, 0.1, 0.4])));
        }
    }

    tagged.resize(n, [[0; 4]; 3]);
    for id in 0..n {
        let t = &tagged[id];
        let per: Vec<u32> = t.iter().map(|r| r.iter().sum()).collect();
        let all: u32 = per.iter().sum();
        for k in 0..3 {
            if per[k] < 3 {
                continue;
            }
            let kn = ["P", "L", "O"][k];
            let b = bucket(per[k] as f64 / count[id] as f64, &[0.1, 0.4, 0.8]);
            flags[id].push(format!("n{kn}{b}"));
            if per[k] as f64 >= 0.8 * all as f64 {
                flags[id].push(format!("d{kn}"));
            }
            for (r, rn) in ["B", "I", "E", "S"].iter().enumerate() {
                if t[k][r] >= 3 && t[k][r] as f64 >= 0.3 * per[k] as f64 {
                    flags[id].push(format!("r{kn}{rn}"));
                }
            }
        }
    }

    let clusters = cluster(&seq, &count, n);

    let mut out = String::new();
    let mut ids: Vec<usize> = (0..n)
        .filter(|&i| count[i] >= 3 || !flags[i].is_empty())
        .collect();
    ids.sort_by(|&a, &b| forms[a].cmp(&forms[b]));
    for id in ids {
        let c = match clusters[id] {
            Some([a, b, c]) => format!("{a}\t{b}\t{c}"),
            None => "-\t-\t-".into(),
        };
        out.push_str(&format!(
            "{}\t{}\t{c}\t{}\n",
            forms[id],
            count[id],
            flags[id].join(",")
        ));
    }
    let dest = root.join("src/ner/resources.tsv.gz");
    let mut gz =
        flate2::write::GzEncoder::new(std::fs::File::create(&dest)?, flate2::Compression::best());
    gz.write_all(out.as_bytes())?;
    gz.finish()?;
    eprintln!("wrote {}", dest.display());
    Ok(())
}

fn push_flag(v: &mut Vec<String>, f: &str) {
    if !v.iter().any(|x| x == f) {
        v.push(f.to_string());
    }
}

fn bucket(r: f64, cuts: &[f64]) -> usize {
    cuts.iter().filter(|&&c| r >= c).count()
}

/// A small deterministic generator (xorshift), so that a re-run gives the
/// same clusters.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn gauss(&mut self) -> f32 {
        // Sum of uniforms: close enough to normal for a projection.
        (0..4)
            .map(|_| (self.next() % 10_000) as f32 / 10_000.0)
            .sum::<f32>()
            - 2.0
    }
}

/// Cluster paths for the words seen at least CLUSTER_MIN times.
fn cluster(seq: &[u32], count: &[u32], n: usize) -> Vec<Option<[usize; 3]>> {
    let mut by_freq: Vec<usize> = (0..n).collect();
    by_freq.sort_by(|&a, &b| count[b].cmp(&count[a]).then(a.cmp(&b)));
    let mut ctx = vec![u32::MAX; n];
    for (rank, &id) in by_freq.iter().take(CONTEXT_WORDS).enumerate() {
        ctx[id] = rank as u32;
    }
    let mut row = vec![u32::MAX; n];
    let words: Vec<usize> = by_freq
        .iter()
        .copied()
        .filter(|&i| count[i] >= CLUSTER_MIN)
        .collect();
    for (r, &id) in words.iter().enumerate() {
        row[id] = r as u32;
    }
    // Co-occurrence counts: (row, context dim) -> count.
    let mut co: HashMap<(u32, u32), u32> = HashMap::new();
    let mut dim_total = vec![0u64; 2 * CONTEXT_WORDS];
    for p in seq.windows(2) {
        let (a, b) = (p[0], p[1]);
        if a == SEP || b == SEP {
            continue;
        }
        if row[a as usize] != u32::MAX && ctx[b as usize] != u32::MAX {
            let d = CONTEXT_WORDS as u32 + ctx[b as usize];
            *co.entry((row[a as usize], d)).or_default() += 1;
            dim_total[d as usize] += 1;
        }
        if row[b as usize] != u32::MAX && ctx[a as usize] != u32::MAX {
            let d = ctx[a as usize];
            *co.entry((row[b as usize], d)).or_default() += 1;
            dim_total[d as usize] += 1;
        }
    }
    // In a fixed order, so that the float sums below (and the clusters) are
    // the same on every run.
    let mut co: Vec<((u32, u32), u32)> = co.into_iter().collect();
    co.sort_unstable();
    let total: u64 = dim_total.iter().sum();
    let mut row_total = vec![0u64; words.len()];
    for &((r, _), c) in &co {
        row_total[r as usize] += c as u64;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let proj: Vec<f32> = (0..2 * CONTEXT_WORDS * DIMS).map(|_| rng.gauss()).collect();
    let mut vecs = vec![0f32; words.len() * DIMS];
    for &((r, d), c) in &co {
        let pmi = ((c as f64 * total as f64)
            / (row_total[r as usize] as f64 * dim_total[d as usize] as f64))
            .ln();
        if pmi > 0.0 {
            let v = &mut vecs[r as usize * DIMS..(r as usize + 1) * DIMS];
            let p = &proj[d as usize * DIMS..(d as usize + 1) * DIMS];
            for k in 0..DIMS {
                v[k] += pmi as f32 * p[k];
            }
        }
    }
    for v in vecs.chunks_mut(DIMS) {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        v.iter_mut().for_each(|x| *x /= norm);
    }
    eprintln!("clustering {} words", words.len());
    let mut path = vec![[0usize; 3]; words.len()];
    let mut groups: Vec<Vec<usize>> = vec![(0..words.len()).collect()];
    for (level, &k) in FANOUT.iter().enumerate() {
        let mut next = Vec::new();
        for (g, members) in groups.iter().enumerate() {
            let assign = kmeans(&vecs, members, k, &mut rng);
            let mut subs = vec![Vec::new(); k];
            for (i, &m) in members.iter().enumerate() {
                let id = g * k + assign[i];
                path[m][level] = id;
                subs[assign[i]].push(m);
            }
            next.extend(subs);
        }
        groups = next;
    }
    let mut out = vec![None; n];
    for (r, &id) in words.iter().enumerate() {
        out[id] = Some(path[r]);
    }
    out
}

/// Spherical k-means of `members` into `k` groups (fewer members: each its own).
fn kmeans(vecs: &[f32], members: &[usize], k: usize, rng: &mut Rng) -> Vec<usize> {
    if members.len() <= k {
        return (0..members.len()).collect();
    }
    let v = |m: usize| &vecs[m * DIMS..(m + 1) * DIMS];
    let mut cent: Vec<f32> = Vec::with_capacity(k * DIMS);
    for _ in 0..k {
        let m = members[(rng.next() % members.len() as u64) as usize];
        cent.extend_from_slice(v(m));
    }
    let mut assign = vec![0usize; members.len()];
    for _ in 0..12 {
        for (i, &m) in members.iter().enumerate() {
            let x = v(m);
            let mut best = (f32::MIN, 0);
            for c in 0..k {
                let s: f32 = cent[c * DIMS..(c + 1) * DIMS]
                    .iter()
                    .zip(x)
                    .map(|(a, b)| a * b)
                    .sum();
                if s > best.0 {
                    best = (s, c);
                }
            }
            assign[i] = best.1;
        }
        cent.iter_mut().for_each(|x| *x = 0.0);
        let mut sizes = vec![0usize; k];
        for (i, &m) in members.iter().enumerate() {
            sizes[assign[i]] += 1;
            for (a, b) in cent[assign[i] * DIMS..(assign[i] + 1) * DIMS]
                .iter_mut()
                .zip(v(m))
            {
                *a += b;
            }
        }
        for c in 0..k {
            if sizes[c] == 0 {
                let m = members[(rng.next() % members.len() as u64) as usize];
                cent[c * DIMS..(c + 1) * DIMS].copy_from_slice(v(m));
                continue;
            }
            let s = &mut cent[c * DIMS..(c + 1) * DIMS];
            let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
            s.iter_mut().for_each(|x| *x /= norm);
        }
    }
    assign
}
