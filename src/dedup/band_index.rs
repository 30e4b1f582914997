//! The LSH band index: a signature cut into bands, one key per band, and the
//! in-memory index of every article's keys that proposes the earlier
//! articles that may be copies.

use rusqlite::Connection;

use super::ROWS;
use super::minhash::{fnv, from_blob};
use crate::error::Result;

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
/// that writes (the ingest lock guarantees there is one). A table of them
/// cost 32 random B-tree inserts per article and much of the archive's
/// size; they are recomputed from the stored signatures instead, on the
/// first new article of a run (a run that adds nothing loads nothing).
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
    pub(super) fn empty() -> BandIndex {
        BandIndex {
            loaded: true,
            ..BandIndex::default()
        }
    }

    pub(super) fn load(&mut self, conn: &Connection) -> Result<()> {
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
    pub(super) fn candidates(&self, keys: &[u32]) -> Vec<i64> {
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

    pub(super) fn insert(&mut self, keys: &[u32], id: i64) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
