//! Bytes to text: BOM-marked UTF-8 and UTF-16, plain UTF-8, and Windows-1256
//! (older Arabic archives). Anything else, and binary data, is refused with a
//! reason, never decoded into mojibake.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1256};

/// Which encoding a text was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1256,
}

/// Why bytes were not decoded. The messages are what the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    /// Empty or only white space once decoded.
    NoText,
    /// A known binary format, by its first bytes.
    Binary(&'static str),
    /// NUL bytes without a UTF-16 byte-order mark.
    NulBytes,
    /// NUL characters in decoded text.
    NulChars,
    MostlyControls,
    /// UTF-16 (the encoding named) that does not decode after its mark.
    BadUtf16(&'static str),
    /// UTF-8 after a UTF-8 byte-order mark, bad at this offset.
    BadUtf8AfterBom(usize),
    /// Neither UTF-8 (bad at this offset) nor Windows-1256.
    NotUtf8(usize),
}

impl DecodeError {
    /// The bytes are not text in any encoding (nothing, or binary data),
    /// as opposed to text in an encoding marsad does not read.
    pub fn is_not_text(&self) -> bool {
        matches!(
            self,
            DecodeError::Empty
                | DecodeError::NoText
                | DecodeError::Binary(_)
                | DecodeError::NulBytes
                | DecodeError::NulChars
                | DecodeError::MostlyControls
        )
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Empty => f.write_str("empty file"),
            DecodeError::NoText => f.write_str("no text (empty or only white space)"),
            DecodeError::Binary(kind) => write!(f, "binary data ({kind}), not text"),
            DecodeError::NulBytes => {
                f.write_str("contains NUL bytes: binary data or UTF-16 without a byte-order mark")
            }
            DecodeError::NulChars => f.write_str("contains NUL characters: binary data"),
            DecodeError::MostlyControls => {
                f.write_str("mostly control characters: binary data, not text")
            }
            DecodeError::BadUtf16(encoding) => {
                write!(f, "invalid {encoding} data after its byte-order mark")
            }
            DecodeError::BadUtf8AfterBom(offset) => write!(
                f,
                "not valid UTF-8 after its byte-order mark (bad byte at offset {offset})"
            ),
            DecodeError::NotUtf8(offset) => write!(
                f,
                "not valid UTF-8 (bad byte at offset {offset}) and not Windows-1256 Arabic; re-save the file as UTF-8"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decode an input's bytes, or say why not.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return strict_utf8(rest).map(|s| (s, Encoding::Utf8Bom));
    }
    for (bom, enc, tag) in [
        (b"\xFF\xFE", UTF_16LE, Encoding::Utf16Le),
        (b"\xFE\xFF", UTF_16BE, Encoding::Utf16Be),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(rest);
            if had_errors {
                return Err(DecodeError::BadUtf16(enc.name()));
            }
            return check_text(text.into_owned()).map(|s| (s, tag));
        }
    }
    if let Some(kind) = binary_signature(bytes) {
        return Err(DecodeError::Binary(kind));
    }
    if bytes.contains(&0) {
        return Err(DecodeError::NulBytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => check_text(s.to_string()).map(|s| (s, Encoding::Utf8)),
        Err(_) if looks_like_windows_1256(bytes) => {
            let (text, _, _) = WINDOWS_1256.decode(bytes);
            check_text(text.into_owned()).map(|s| (s, Encoding::Windows1256))
        }
        Err(e) => Err(DecodeError::NotUtf8(e.valid_up_to())),
    }
}

fn strict_utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => check_text(s.to_string()),
        Err(e) => Err(DecodeError::BadUtf8AfterBom(e.valid_up_to() + 3)),
    }
}

/// Refuse decoded text that is empty, blank, or full of control characters.
fn check_text(s: String) -> Result<String, DecodeError> {
    if s.trim().is_empty() {
        return Err(DecodeError::NoText);
    }
    if s.contains('\0') {
        return Err(DecodeError::NulChars);
    }
    let controls = s
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
        .count();
    if controls * 100 > s.chars().count() {
        return Err(DecodeError::MostlyControls);
    }
    Ok(s)
}

fn binary_signature(b: &[u8]) -> Option<&'static str> {
    const SIGS: &[(&[u8], &str)] = &[
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"%PDF", "PDF document"),
        (b"\x1F\x8B", "gzip data; name it .gz"),
        (b"SQLite format 3\0", "SQLite database"),
        (b"\x7FELF", "executable"),
    ];
    SIGS.iter()
        .find(|(sig, _)| b.starts_with(sig))
        .map(|(_, k)| *k)
}

/// Windows-1256 Arabic puts letters at 0xC1–0xFE; bytes 0x80–0xBF are rare
/// punctuation. UTF-8 (or random binary) has as many continuation bytes in
/// 0x80–0xBF as lead bytes, so it fails this test.
fn looks_like_windows_1256(b: &[u8]) -> bool {
    let high: Vec<u8> = b.iter().copied().filter(|&x| x >= 0x80).collect();
    if high.is_empty() {
        return false;
    }
    let letters = high.iter().filter(|&&x| x >= 0xC1).count();
    letters * 100 >= high.len() * 70
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let s = "صدّام حفتر – «الجيش»";
        assert_eq!(
            decode(s.as_bytes()).unwrap(),
            (s.to_string(), Encoding::Utf8)
        );
        let (w, _, bad) = WINDOWS_1256.encode(s);
        assert!(!bad);
        assert_eq!(decode(&w).unwrap(), (s.to_string(), Encoding::Windows1256));
        let mut le = vec![0xFF, 0xFE];
        le.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le).unwrap().0, s);
        let mut be = vec![0xFE, 0xFF];
        be.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be).unwrap().0, s);
    }

    #[test]
    fn refusals() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b" \n\t "), Err(DecodeError::NoText));
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0"),
            Err(DecodeError::Binary("PNG image"))
        );
        assert_eq!(decode(b"abc\0def"), Err(DecodeError::NulBytes));
        let mut bad = "حفتر في موسكو".as_bytes().to_vec();
        bad.truncate(bad.len() - 1);
        assert_eq!(decode(&bad), Err(DecodeError::NotUtf8(bad.len() - 1)));
    }

    #[test]
    fn messages_are_unchanged() {
        let cases = [
            (DecodeError::Empty, "empty file"),
            (DecodeError::NoText, "no text (empty or only white space)"),
            (
                DecodeError::Binary("PNG image"),
                "binary data (PNG image), not text",
            ),
            (
                DecodeError::NulBytes,
                "contains NUL bytes: binary data or UTF-16 without a byte-order mark",
            ),
            (
                DecodeError::NulChars,
                "contains NUL characters: binary data",
            ),
            (
                DecodeError::MostlyControls,
                "mostly control characters: binary data, not text",
            ),
            (
                DecodeError::BadUtf16("UTF-16LE"),
                "invalid UTF-16LE data after its byte-order mark",
            ),
            (
                DecodeError::BadUtf8AfterBom(5),
                "not valid UTF-8 after its byte-order mark (bad byte at offset 5)",
            ),
            (
                DecodeError::NotUtf8(7),
                "not valid UTF-8 (bad byte at offset 7) and not Windows-1256 Arabic; re-save the file as UTF-8",
            ),
        ];
        for (e, m) in cases {
            assert_eq!(e.to_string(), m);
        }
    }
}
