//! An article's identity: the SHA-256 of its canonical text (NFC, white space
//! collapsed), which ingest stores and `check` verifies, and the hex form
//! every hash in the archive is written in.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// SHA-256 of [`canonical_text`].
pub fn content_sha256(title: &str, body: &str) -> String {
    sha256_hex(canonical_text(title, body).as_bytes())
}

/// The text an article's identity is computed from: NFC, boilerplate already
/// removed, every run of white space one space.
pub fn canonical_text(title: &str, body: &str) -> String {
    let (title, body) = (nfc(title), nfc(body));
    let mut out = String::with_capacity(title.len() + body.len() + 1);
    for w in title.split_whitespace().chain(body.split_whitespace()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// SHA-256 of `bytes`, in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `s` in NFC. Most scraped text already is: the quick check skips the copy,
/// and text made only of characters NFC cannot touch skips the quick check.
fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    if plainly_nfc(s)
        || unicode_normalization::is_nfc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        s.into()
    } else {
        s.nfc().collect::<String>().into()
    }
}

/// Characters that NFC leaves as they are whatever stands around them
/// (quick check Yes, combining class 0): Latin before the combining marks,
/// and basic Arabic letters, digits and punctuation without the marks.
/// A test checks every one against Unicode's tables.
fn nfc_inert(c: char) -> bool {
    matches!(c, '\0'..='\u{02FF}' | '\u{0600}'..='\u{060F}' | '\u{061B}'..='\u{064A}' | '\u{0660}'..='\u{066F}')
}

/// The Arabic harakat fathatan to sukun: NFC leaves them as they are, and
/// their combining classes (27 to 34) rise with their code points.
const HARAKAT: std::ops::RangeInclusive<char> = '\u{064B}'..='\u{0652}';

/// Whether `s` is NFC, by a check that needs no Unicode tables: every
/// character inert, or a haraka in rising order after the last one. This is
/// most scraped Arabic; anything else goes to the full quick check.
fn plainly_nfc(s: &str) -> bool {
    let mut last_mark = '\0';
    s.chars().all(|c| {
        if nfc_inert(c) {
            last_mark = '\0';
            true
        } else if HARAKAT.contains(&c) && c >= last_mark {
            last_mark = c;
            true
        } else {
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::{IsNormalized, char::canonical_combining_class, is_nfc_quick};

    #[test]
    fn nfc_inert_characters_are_stable_and_do_not_combine() {
        let inert: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| nfc_inert(c))
            .collect();
        assert!(inert.len() > 800);
        for c in inert {
            assert_eq!(canonical_combining_class(c), 0, "U+{:04X}", c as u32);
            assert_eq!(
                is_nfc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn harakat_are_stable_and_ordered_by_code_point() {
        for c in HARAKAT {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes);
            assert_eq!(
                u32::from(canonical_combining_class(c)),
                c as u32 - 0x064B + 27
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn plainly_nfc_only_when_nfc(s in "[a-zé\u{0627}\u{0628}\u{0653}\u{0654}\u{064B}-\u{0652}\u{0300}\u{00C5}\u{212B} ]{0,12}") {
            if plainly_nfc(&s) {
                proptest::prop_assert_eq!(s.nfc().collect::<String>(), s);
            }
        }
    }

    #[test]
    fn canonical_text_is_nfc_either_way() {
        // A decomposed alef with madda, and the composed one, hash the same.
        assert_eq!(
            content_sha256("آ", "قال"),
            content_sha256("\u{0627}\u{0653}", "قال")
        );
        assert_eq!(canonical_text(" عنوان ", "سطر\n\nآخر"), "عنوان سطر آخر");
        // Shadda then fatha is reordered by NFC (classes 33, 30).
        assert_eq!(
            canonical_text("", "\u{0628}\u{0651}\u{064E}"),
            "\u{0628}\u{064E}\u{0651}"
        );
        assert!(!plainly_nfc("\u{0628}\u{0651}\u{064E}"));
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
