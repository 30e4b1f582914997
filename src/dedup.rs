//! Near-duplicates: MinHash signatures over word shingles of the normalised
//! body, LSH banding to find earlier articles that may be copies, links
//! with their estimated similarity, and stories (connected groups of
//! copies).
//!
//! Parameters (measured in tests/dedup.rs on pairs built from the shared
//! corpus): 3-word shingles, 128 hash functions in 32 bands of 4 rows (a
//! pair with Jaccard 0.5 is proposed with probability 0.87, one with 0.2
//! with probability 0.05), and links kept at estimated Jaccard ≥ 0.5.
//!
//! Only the low 16 bits of each minimum are kept (b-bit MinHash, Li and
//! König 2010): two different minima then agree by chance once in 65,536,
//! which moves a similarity estimate by less than 0.0001, and a signature
//! takes 256 bytes instead of 512 (migration V11).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::text;

pub const SHINGLE: usize = 3;
pub const PERMUTATIONS: usize = 128;
pub const BANDS: usize = 32;
pub const ROWS: usize = PERMUTATIONS / BANDS;
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// Bodies with fewer words than this are not compared: a few shared words
/// say nothing about being the same story.
pub const MIN_WORDS: usize = 25;

/// FNV-1a: a stable hash (Rust's own hasher may change between releases,
/// and signatures are stored).
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E3779B97F4A7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}

/// The 128 hash functions `h -> (a * h + b) >> 32`, as two arrays so that
/// the loop over them vectorises.
struct Coefficients {
    a: [u64; PERMUTATIONS],
    b: [u64; PERMUTATIONS],
}

fn coefficients() -> &'static Coefficients {
    static C: std::sync::OnceLock<Coefficients> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let mut seed = 0x6d61727361645f31; // fixed: signatures must not change
        let mut c = Coefficients {
            a: [0; PERMUTATIONS],
            b: [0; PERMUTATIONS],
        };
        for i in 0..PERMUTATIONS {
            c.a[i] = splitmix(&mut seed) | 1;
            c.b[i] = splitmix(&mut seed);
        }
        c
    })
}

/// The MinHash signature of a body (128 minima, each cut to its low 16
/// bits), or `None` if it is too short to judge.
pub fn signature(body: &str) -> Option<Vec<u32>> {
    signature_of(&text::words(body))
}

/// [`signature`] of a body already split into words.
pub fn signature_of(words: &[text::Word]) -> Option<Vec<u32>> {
    if words.len() < MIN_WORDS {
        return None;
    }
    let word_hashes: Vec<u64> = words.iter().map(|w| fnv(w.norm.as_bytes())).collect();
    let shingles: Vec<u64> = word_hashes
        .windows(SHINGLE)
        .map(|w| {
            // Order matters in a shingle: rotate each word's hash by its place.
            w.iter()
                .enumerate()
                .fold(0u64, |acc, (i, x)| acc ^ x.rotate_left(21 * i as u32))
                .wrapping_mul(0x9E3779B97F4A7C15)
        })
        .collect();
    let mut sig = [u32::MAX; PERMUTATIONS];
    minima(&shingles, &mut sig);
    Some(sig.iter().map(|v| v & 0xFFFF).collect())
}

/// Lower each of `sig`'s minima by every shingle's hash under that
/// position's function: 128 multiplications per shingle, most of the time
/// of a signature. The same arithmetic is compiled a second time for CPUs
/// with AVX-512 (eight 64-bit multiplications per instruction) and chosen
/// when the CPU has it; the results are the same bits either way.
fn minima(shingles: &[u64], sig: &mut [u32; PERMUTATIONS]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the CPU has the features this copy is compiled for.
        return unsafe { minima_avx512(shingles, sig) };
    }
    minima_portable(shingles, sig);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn minima_avx512(shingles: &[u64], sig: &mut [u32; PERMUTATIONS]) {
    minima_portable(shingles, sig);
}

#[inline(always)]
fn minima_portable(shingles: &[u64], sig: &mut [u32; PERMUTATIONS]) {
    let c = coefficients();
    for &h in shingles {
        for ((s, a), b) in sig.iter_mut().zip(&c.a).zip(&c.b) {
            *s = (*s).min((a.wrapping_mul(h).wrapping_add(*b) >> 32) as u32);
        }
    }
}

/// Estimated Jaccard similarity: the share of equal signature positions.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len().max(1) as f64
}

/// One key per band: a 32-bit hash of the band's rows, mixed with the band
/// number. A collision only proposes a candidate; the full signatures decide.
pub fn band_keys(sig: &[u32]) -> Vec<u32> {
    sig.chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
            ((fnv(&bytes) >> 32) as u32) ^ (band as u32).wrapping_mul(0x9E37_79B9)
        })
        .collect()
}

/// The LSH band keys of every article, held in memory by the one process
/// that writes (the ingest lock guarantees there is one). Keeping them in a
/// table cost 32 random B-tree inserts per article, most of the writer's
/// dedup time, and 0.2× the raw text in archive size; they are recomputed
/// from the stored signatures instead, on the first new article of a run
/// (8 bytes per key; a one-article run into a 300k-article archive takes
/// 0.5 s, 1.6 s with a cold page cache; a run that adds nothing loads
/// nothing).
#[derive(Default)]
pub struct BandIndex {
    /// `key << 32 | article id`, sorted.
    sorted: Vec<u64>,
    /// Where each value of a key's top 16 bits starts in `sorted` (65,537
    /// entries; empty until the first load or merge). Keys are hashes, so
    /// spread evenly: a lookup searches a few dozen neighbours instead of
    /// the whole list, where a binary search missed the cache at every step.
    starts: Vec<u32>,
    /// Added since the last merge into `sorted`: the first article with
    /// each key, and (rarely) the others, so that most keys cost no
    /// allocation of their own.
    recent: rustc_hash::FxHashMap<u32, u32>,
    recent_more: rustc_hash::FxHashMap<u32, Vec<u32>>,
    recent_keys: usize,
    loaded: bool,
}

/// Keys held in `recent` before they are merged into the sorted list.
const RECENT_KEYS: usize = 1 << 18;

impl BandIndex {
    /// An index for an archive with no signatures yet (a rebuild).
    fn empty() -> BandIndex {
        BandIndex {
            loaded: true,
            ..BandIndex::default()
        }
    }

    fn load(&mut self, conn: &Connection) -> Result<()> {
        if self.loaded {
            return Ok(());
        }
        let mut st = conn.prepare("SELECT article_id, sig FROM minhash")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let sig = from_blob(&r.get::<_, Vec<u8>>(1)?);
            self.sorted
                .extend(band_keys(&sig).into_iter().map(|k| pack(k, id)));
        }
        self.sorted.sort_unstable();
        self.index_starts();
        self.loaded = true;
        Ok(())
    }

    /// Articles sharing at least one key, sorted, without repeats.
    fn candidates(&self, keys: &[u32]) -> Vec<i64> {
        let mut out = Vec::new();
        for &k in keys {
            let lo = u64::from(k) << 32;
            let bucket = &self.sorted[self.bucket(k)];
            let from = bucket.partition_point(|e| *e < lo);
            out.extend(
                bucket[from..]
                    .iter()
                    .take_while(|e| (*e >> 32) as u32 == k)
                    .map(|e| i64::from(*e as u32)),
            );
            if let Some(id) = self.recent.get(&k) {
                out.push(i64::from(*id));
            }
            if let Some(ids) = self.recent_more.get(&k) {
                out.extend(ids.iter().map(|id| i64::from(*id)));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn insert(&mut self, keys: &[u32], id: i64) {
        use std::collections::hash_map::Entry;
        for &k in keys {
            match self.recent.entry(k) {
                Entry::Vacant(e) => {
                    e.insert(id as u32);
                }
                Entry::Occupied(_) => self.recent_more.entry(k).or_default().push(id as u32),
            }
        }
        self.recent_keys += keys.len();
        if self.recent_keys >= RECENT_KEYS {
            self.merge();
        }
    }

    /// The part of `sorted` whose keys share `key`'s top 16 bits.
    fn bucket(&self, key: u32) -> std::ops::Range<usize> {
        if self.starts.is_empty() {
            return 0..self.sorted.len();
        }
        let b = (key >> 16) as usize;
        self.starts[b] as usize..self.starts[b + 1] as usize
    }

    fn index_starts(&mut self) {
        let mut starts = Vec::with_capacity((1 << 16) + 1);
        let mut i = 0;
        for b in 0..=(1u64 << 16) {
            while i < self.sorted.len() && (self.sorted[i] >> 48) < b {
                i += 1;
            }
            starts.push(i as u32);
        }
        self.starts = starts;
    }

    /// Merge `recent` into `sorted` in place, from the back, so that the
    /// list is never held twice.
    fn merge(&mut self) {
        let mut add: Vec<u64> = self
            .recent
            .drain()
            .map(|(k, id)| pack(k, i64::from(id)))
            .chain(
                self.recent_more
                    .drain()
                    .flat_map(|(k, ids)| ids.into_iter().map(move |id| pack(k, i64::from(id)))),
            )
            .collect();
        add.sort_unstable();
        self.recent_keys = 0;
        let (n, m) = (self.sorted.len(), add.len());
        self.sorted.resize(n + m, 0);
        let (mut i, mut j) = (n, m);
        for out in (0..n + m).rev() {
            if j == 0 {
                break;
            }
            if i > 0 && self.sorted[i - 1] > add[j - 1] {
                self.sorted[out] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[out] = add[j - 1];
                j -= 1;
            }
        }
        self.index_starts();
    }
}

fn pack(key: u32, id: i64) -> u64 {
    (u64::from(key) << 32) | u64::from(id as u32)
}

/// A signature as stored: 128 little-endian u16.
fn to_blob(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|&v| (v as u16).to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(2)
        .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
        .collect()
}

/// The link threshold in force for this archive.
pub fn threshold(conn: &Connection) -> Result<f64> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'dedup_threshold'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_THRESHOLD))
}

/// Place a newly stored article: store its signature, link it to earlier
/// near-copies found through `index`, and put it in a story (its own, or
/// the one its copies share, merging stories it bridges). Runs inside the
/// writer's transaction.
///
/// The article is new, so its rows cannot exist yet: plain INSERTs. An
/// INSERT OR REPLACE may delete rows, so SQLite copied every page it touched
/// to a statement journal first (32 KiB each; 5% of the writer's time).
pub fn add(
    tx: &Connection,
    index: &mut BandIndex,
    article_id: i64,
    sig: Option<&[u32]>,
    threshold: f64,
) -> Result<()> {
    let mut story = article_id;
    if let Some(sig) = sig {
        index.load(tx)?;
        let keys = band_keys(sig);
        let mut linked_stories = Vec::new();
        for c in index.candidates(&keys) {
            // None: an article whose batch was rolled back after it was
            // indexed here (the run then stops; this only guards the lookup).
            let Some(other) = tx
                .prepare_cached("SELECT sig FROM minhash WHERE article_id = ?1")?
                .query_row([c], |r| r.get::<_, Vec<u8>>(0))
                .optional()?
            else {
                continue;
            };
            let s = similarity(sig, &from_blob(&other));
            if s >= threshold {
                tx.prepare_cached(
                    "INSERT INTO near_duplicates(a, b, similarity) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![c.min(article_id), c.max(article_id), s])?;
                let st: i64 = tx
                    .prepare_cached("SELECT story_id FROM stories WHERE article_id = ?1")?
                    .query_row([c], |r| r.get(0))?;
                linked_stories.push(st);
            }
        }
        if let Some(&min) = linked_stories.iter().min() {
            story = min;
            for s in linked_stories.iter().filter(|s| **s != min) {
                tx.prepare_cached("UPDATE stories SET story_id = ?1 WHERE story_id = ?2")?
                    .execute(params![min, s])?;
            }
        }
        tx.prepare_cached("INSERT INTO minhash(article_id, sig) VALUES (?1, ?2)")?
            .execute(params![article_id, to_blob(sig)])?;
        index.insert(&keys, article_id);
    }
    tx.prepare_cached("INSERT INTO stories(article_id, story_id) VALUES (?1, ?2)")?
        .execute(params![article_id, story])?;
    Ok(())
}

/// Version of the signatures; an archive without it (just migrated) is
/// rebuilt on open.
pub const DEDUP_VERSION: &str = "2";

/// Build signatures and stories if this archive has never had them.
pub fn ensure_built(conn: &mut Connection) -> Result<()> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'dedup_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if v.as_deref() != Some(DEDUP_VERSION) {
        rebuild(conn, None)?;
    }
    Ok(())
}

/// Recompute signatures, links and stories for the whole archive (after a
/// threshold change). Returns (articles, links).
pub fn rebuild(conn: &mut Connection, new_threshold: Option<f64>) -> Result<(i64, i64)> {
    let tx = conn.transaction()?;
    if let Some(t) = new_threshold {
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('dedup_threshold', ?1)",
            [t.to_string()],
        )?;
    }
    let t = threshold(&tx)?;
    tx.execute_batch("DELETE FROM minhash; DELETE FROM near_duplicates; DELETE FROM stories;")?;
    let mut index = BandIndex::empty();
    let articles = crate::articles::for_each(
        &tx,
        |_, _, body| signature(body),
        |id, sig| add(&tx, &mut index, id, sig.as_deref(), t),
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('dedup_version', ?1)",
        [DEDUP_VERSION],
    )?;
    tx.commit()?;
    crate::store::release_free_pages(conn);
    let links: i64 = conn.query_row("SELECT count(*) FROM near_duplicates", [], |r| r.get(0))?;
    Ok((articles, links))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_unrelated() {
        let a = "التقى وزير الدفاع الروسي أندريه بيلاوسوف رئيس الأركان العامة للقوات الليبية خالد حفتر وهنأه على تعيينه رئيسا للأركان كما هنأ صدام حفتر على تعيينه نائبا لقائد الجيش الوطني الليبي في موسكو اليوم";
        let b = "قال المتحدث باسم الكرملين إن الرئيس بوتين سيزور الصين الشهر المقبل لبحث التعاون الاقتصادي والتجاري بين البلدين وملفات إقليمية عدة بينها الحرب في أوكرانيا والعلاقات مع الغرب";
        let (sa, sb) = (signature(a).unwrap(), signature(b).unwrap());
        assert_eq!(similarity(&sa, &sa), 1.0);
        assert!(similarity(&sa, &sb) < 0.1);
        assert!(signature("قصير جدا").is_none());
        assert_eq!(band_keys(&sa).len(), BANDS);
    }

    /// Taken when the minima were vectorised, from code that gave the same
    /// bits as the code before it on all 29,874 signatures of the 2018
    /// corpus.
    const PINNED: [u32; 6] = [45397, 19291, 40031, 46284, 22159, 48122];
    const PINNED_ALL: u64 = 12523070612129487021;

    #[test]
    fn signatures_do_not_change() {
        // Stored signatures are compared with new ones, so any change to
        // the hash functions or to how minima are taken must fail here.
        let text = (0..60)
            .map(|i| format!("كلمة{i} خبر"))
            .collect::<Vec<_>>()
            .join(" ");
        let sig = signature(&text).unwrap();
        assert_eq!(sig[..6], PINNED);
        assert_eq!(
            fnv(&sig.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>()),
            PINNED_ALL
        );
    }

    #[test]
    fn the_vectorised_minima_equal_the_portable_ones() {
        // On a CPU without AVX-512 both calls run the same code.
        let mut seed = 7;
        for len in [1, 3, 8, 100, 1000] {
            let shingles: Vec<u64> = (0..len).map(|_| splitmix(&mut seed)).collect();
            let (mut chosen, mut portable) = ([u32::MAX; PERMUTATIONS], [u32::MAX; PERMUTATIONS]);
            minima(&shingles, &mut chosen);
            minima_portable(&shingles, &mut portable);
            assert_eq!(chosen, portable, "{len} shingles");
            assert!(portable.iter().all(|&v| v < u32::MAX));
        }
    }

    #[test]
    fn band_index_finds_sharers_before_and_after_a_merge() {
        let mut idx = BandIndex::empty();
        // 10,000 articles of 32 keys each pass RECENT_KEYS, so some lookups
        // below are answered from the merged list and some from `recent`.
        // Distinct for every (article, band), so only the shared key below is shared.
        // Multiplying by an odd number keeps them distinct and spreads them
        // over every bucket of `starts`.
        let keys = |id: u32| -> Vec<u32> {
            (0..32)
                .map(|b| ((id << 5) | b).wrapping_mul(0x9E37_79B1))
                .collect()
        };
        for id in 1..=10_000u32 {
            idx.insert(&keys(id), i64::from(id));
        }
        assert!(!idx.sorted.is_empty() && !idx.recent.is_empty());
        assert!(idx.sorted.windows(2).all(|w| w[0] <= w[1]));
        for id in [1u32, 17, 8_000, 10_000] {
            assert_eq!(idx.candidates(&keys(id)), vec![i64::from(id)]);
        }
        // A key shared by two articles finds both.
        let mut shared = keys(7);
        shared[5] = keys(9_999)[5];
        assert_eq!(idx.candidates(&shared), vec![7, 9_999]);
        // Two articles since the last merge sharing a key.
        let mut later = keys(10_001);
        later[3] = keys(9_998)[3];
        idx.insert(&later, 10_001);
        assert_eq!(idx.candidates(&keys(9_998)), vec![9_998, 10_001]);
        assert!(idx.candidates(&[u32::MAX - 3]).is_empty());
    }
}

/// A copy within a story.
#[derive(Debug, serde::Serialize)]
pub struct Member {
    pub article_id: i64,
    pub external_id: Option<String>,
    pub origin: Option<String>,
    pub outlet: Option<String>,
    pub published_at: Option<String>,
    pub title: String,
    /// Highest similarity to another copy (1 for an exact duplicate).
    pub similarity: Option<f64>,
    pub canonical: bool,
}

/// A story with more than one copy.
#[derive(Debug, serde::Serialize)]
pub struct Story {
    pub story_id: i64,
    pub canonical_id: i64,
    pub members: Vec<Member>,
}

/// Stories with copies, largest first; `story` picks one; `min_similarity`
/// keeps stories whose every link reaches it.
pub fn stories(
    conn: &Connection,
    story: Option<i64>,
    min_similarity: f64,
    limit: usize,
) -> Result<Vec<Story>> {
    let mut st = conn.prepare(
        "SELECT story_id, canonical_id, article_id, external_id, origin, outlet, published_at, title, similarity
         FROM v_stories WHERE (?1 IS NULL OR story_id = ?1)
           AND story_id IN (SELECT s.story_id FROM stories s JOIN near_duplicates d ON d.a = s.article_id
                             GROUP BY s.story_id HAVING min(d.similarity) >= ?2)
         ORDER BY copies DESC, story_id, published_at IS NULL, published_at, article_id",
    )?;
    let mut out: Vec<Story> = Vec::new();
    let mut rows = st.query(params![story, min_similarity])?;
    while let Some(r) = rows.next()? {
        let sid: i64 = r.get(0)?;
        let canonical_id: i64 = r.get(1)?;
        let article_id: i64 = r.get(2)?;
        if out.last().is_none_or(|s| s.story_id != sid) {
            if out.len() == limit {
                break;
            }
            out.push(Story {
                story_id: sid,
                canonical_id,
                members: Vec::new(),
            });
        }
        out.last_mut().expect("pushed above").members.push(Member {
            article_id,
            external_id: r.get(3)?,
            origin: r.get(4)?,
            outlet: r.get(5)?,
            published_at: r.get(6)?,
            title: r.get(7)?,
            similarity: r.get(8)?,
            canonical: article_id == canonical_id,
        });
    }
    Ok(out)
}
