//! `articles_fts` keeps no copy of the analysed text (migration V10):
//! snippet() and highlight() re-tokenise the published article with SQLite's
//! tokenizer and mark words by position. These tests hold marsad's word
//! splitting to SQLite's, code point by code point and article by article,
//! so that the positions the index gives are the positions of the words.
//! (The same holds for every article of a real corpus: tests/ingest.rs,
//! `shared_corpus_sample_ingests_from_gzip`, with
//! `crate::common::assert_one_term_per_token`.)

use crate::common::*;

/// Ranges of consecutive code points, for a readable failure message.
fn ranges(v: &[u32]) -> String {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &c in v {
        match out.last_mut() {
            Some((_, hi)) if *hi + 1 == c => *hi = c,
            _ => out.push((c, c)),
        }
    }
    out.iter()
        .map(|(a, b)| format!("(0x{a:X}, 0x{b:X})"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn marsad_and_sqlite_cut_every_code_point_alike() {
    let a = Archive::new();
    // Only the schema is needed: ingest creates archives (migrate refuses a missing path).
    a.ingest_json(&[&seeds_dir()]);
    let conn = a.conn();
    conn.execute_batch(&code_point_probe_sql(&articles_fts_tokenizer(&a.db)))
        .unwrap();
    let sqlite: Vec<u32> = conn
        .prepare("SELECT rowid FROM temp.probe_docsize WHERE sz != x'01' ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    // The probe itself: ASCII punctuation separates, letters do not.
    assert!(sqlite.contains(&(',' as u32)) && !sqlite.contains(&('ب' as u32)));
    let ours = marsad_separators();
    let differ: Vec<u32> = sqlite
        .iter()
        .filter(|c| !ours.contains(c))
        .chain(ours.iter().filter(|c| !sqlite.contains(c)))
        .copied()
        .collect();
    assert!(
        differ.is_empty(),
        "marsad and SQLite split differently at {}; SQLite's separators are: {}",
        ranges(&differ),
        ranges(&sqlite)
    );
}

#[test]
fn highlighted_words_are_the_matched_stems() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let conn = a.conn();
    for word in [
        "حفتر",
        "روسيا",
        "الوزير",
        "قاعدة",
        "يفكيروف",
        "ليبيا",
        "موسكو",
    ] {
        let term = marsad::text::stem(&marsad::text::normalize(word));
        let mut st = conn
            .prepare(
                "SELECT highlight(articles_fts, 0, char(1), char(2)), highlight(articles_fts, 1, char(1), char(2))
                 FROM articles_fts WHERE articles_fts MATCH ?1",
            )
            .unwrap();
        let rows: Vec<(String, String)> = st
            .query_map([&term], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(!rows.is_empty(), "no article matches {term}");
        let mut marked = 0;
        for (title, body) in rows {
            for field in [title, body] {
                for piece in field.split('\u{1}').skip(1) {
                    let word = piece.split('\u{2}').next().unwrap();
                    let stem = marsad::text::stem(&marsad::text::normalize(word));
                    assert_eq!(stem, term, "highlighted {word:?} for {term:?}");
                    marked += 1;
                }
            }
        }
        assert!(marked > 0, "{term}: nothing highlighted");
    }
}
