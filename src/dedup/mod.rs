//! Near-duplicates: MinHash signatures over word shingles of the normalised
//! body, LSH banding to find earlier articles that may be copies, links
//! with their estimated similarity, and stories: copies of one report,
//! each a near-duplicate of the story's canonical (first) article and
//! agreeing with it on particulars (the entities and numbers it names).
//!
//! Parameters (measured by the dedup tests on pairs built from the shared
//! corpus): 3-word shingles, 128 hash functions in 32 bands of 4 rows (a
//! pair with Jaccard 0.5 is proposed with probability 0.87, one with 0.2
//! with probability 0.05), and links kept at estimated Jaccard ≥ 0.5.
//!
//! Only the low 16 bits of each minimum are kept (b-bit MinHash, Li and
//! König 2010): two different minima then agree by chance once in 65,536,
//! which moves a similarity estimate by less than 0.0001, and a signature
//! takes 256 bytes instead of 512 (migration V11).

mod band_index;
mod links;
mod minhash;
mod particulars;
mod stories;

pub use band_index::{BandIndex, band_keys};
pub use links::{DEDUP_VERSION, add, ensure_built, rebuild, threshold};
pub use minhash::{signature, signature_of, similarity};
pub use particulars::{Particulars, Report, disagree, disagreement};
pub use stories::{Comparison, Member, Story, compare, stories};

pub const SHINGLE: usize = 3;
pub const PERMUTATIONS: usize = 128;
pub const BANDS: usize = 32;
pub const ROWS: usize = PERMUTATIONS / BANDS;
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// Bodies with fewer words than this are not compared: a few shared words
/// say nothing about being the same story.
pub const MIN_WORDS: usize = 25;
