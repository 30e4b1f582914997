//! MinHash signatures: hashes of 3-word shingles of the normalised body under
//! 128 fixed hash functions, the minima kept to their low 16 bits, compared
//! position by position; and the signature as stored.

use super::{MIN_WORDS, PERMUTATIONS, SHINGLE};
use crate::text;

/// FNV-1a: a stable hash (Rust's own hasher may change between releases,
/// and signatures are stored).
pub(super) fn fnv(bytes: &[u8]) -> u64 {
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

/// A signature as stored: 128 little-endian u16.
pub(super) fn to_blob(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|&v| (v as u16).to_le_bytes()).collect()
}

pub(super) fn from_blob(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(2)
        .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{BANDS, band_keys};

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
}
