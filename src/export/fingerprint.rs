//! The fingerprint of a row: what tells an incremental export that an
//! already exported row changed (see [`super::dataset`]).

use rusqlite::types::ValueRef;

/// FNV-1a (64 bits) over a row's values with their types, finished with a
/// SplitMix64 step so that sums of row hashes spread well. Stable across
/// marsad versions: manifests keep these sums.
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn value(&mut self, v: ValueRef) {
        match v {
            ValueRef::Null => self.bytes(&[0]),
            ValueRef::Integer(i) => {
                self.bytes(&[1]);
                self.bytes(&i.to_le_bytes());
            }
            ValueRef::Real(x) => {
                self.bytes(&[2]);
                self.bytes(&x.to_bits().to_le_bytes());
            }
            ValueRef::Text(b) => {
                self.bytes(&[3]);
                self.bytes(&(b.len() as u64).to_le_bytes());
                self.bytes(b);
            }
            ValueRef::Blob(b) => {
                self.bytes(&[4]);
                self.bytes(&(b.len() as u64).to_le_bytes());
                self.bytes(b);
            }
        }
    }

    pub fn finish(&self) -> u64 {
        let mut z = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_hash_depends_on_every_value_and_its_type() {
        let h = |vals: &[ValueRef]| {
            let mut f = Fnv::new();
            for v in vals {
                f.value(*v);
            }
            f.finish()
        };
        let a = h(&[ValueRef::Integer(1), ValueRef::Text(b"x")]);
        assert_ne!(a, h(&[ValueRef::Integer(1), ValueRef::Text(b"y")]));
        assert_ne!(a, h(&[ValueRef::Text(b"1"), ValueRef::Text(b"x")]));
        assert_eq!(a, h(&[ValueRef::Integer(1), ValueRef::Text(b"x")]));
    }
}
