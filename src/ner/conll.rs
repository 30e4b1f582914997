//! Labelled sentences in CoNLL form (`token label` per line, a blank line
//! ends a sentence), read into the words the tagger sees at run time, and
//! the fixed split of a file into train, tuning and held-out parts.

use std::path::Path;

use super::labels;
use crate::{Error, Result};

/// One labelled sentence: words as `text::words` gives them, one label each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub words: Vec<String>,
    pub labels: Vec<u8>,
}

/// Read a CoNLL file. Errors name the file and line.
pub fn read(path: &Path) -> Result<Vec<Sentence>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
    parse(&text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
}

/// Parse CoNLL text. Each token is retokenised as `text::words` would
/// tokenise it in running text: punctuation disappears (the tagger never
/// sees it), and a token that is several words (`U.S.`) becomes several,
/// the first with the token's label and the rest inside the same name.
pub fn parse(text: &str) -> std::result::Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    let mut cur = (Vec::new(), Vec::new());
    let mut had_tokens = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if had_tokens {
                finish(&mut cur, &mut out);
            }
            had_tokens = false;
            continue;
        }
        let (tok, lab) = line.rsplit_once([' ', '\t']).ok_or_else(|| {
            format!(
                "line {}: expected CoNLL, one `token label` pair per line with a BIO label \
                     (O, B-PERS, I-LOC …) and a blank line after each sentence",
                i + 1
            )
        })?;
        let label = labels::parse_bio(lab.trim()).map_err(|e| {
            format!(
                "line {}: {e}; expected CoNLL, one `token label` pair per line with a BIO label \
                 (O, B-PERS, I-LOC …) and a blank line after each sentence",
                i + 1
            )
        })?;
        had_tokens = true;
        for (j, w) in crate::text::words(tok.trim()).iter().enumerate() {
            cur.0.push(w.token.surface.to_string());
            cur.1.push(label.map(|(k, b)| (k, b && j == 0)));
        }
    }
    if had_tokens {
        finish(&mut cur, &mut out);
    }
    Ok(out)
}

type Bio = Option<(labels::Kind, bool)>;

fn finish(cur: &mut (Vec<String>, Vec<Bio>), out: &mut Vec<Sentence>) {
    let (words, bio) = std::mem::take(cur);
    if !words.is_empty() {
        let labels = labels::encode(words.len(), &labels::bio_spans(&bio));
        out.push(Sentence { words, labels });
    }
}

/// The parts of a labelled file, by fixed blocks of [`BLOCK`] consecutive
/// sentences (roughly a news document each): block % 10 == 9 is held out
/// (report on it, never tune on it), block % 10 == 8 is for tuning (epochs,
/// feature choices), the rest trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    Train,
    Tuning,
    Heldout,
    /// Train and tuning: everything but the held-out part (the shipped
    /// model's training set once choices are fixed).
    TrainTuning,
    /// Every sentence.
    All,
}

pub const BLOCK: usize = 20;

/// Which part the sentence at `index` (0-based, in file order) is in.
pub fn part_of(index: usize) -> Part {
    match (index / BLOCK) % 10 {
        9 => Part::Heldout,
        8 => Part::Tuning,
        _ => Part::Train,
    }
}

/// The sentences of `part` (in file order; `All` is all of them).
pub fn select(sentences: &[Sentence], part: Part) -> Vec<Sentence> {
    sentences
        .iter()
        .enumerate()
        .filter(|(i, _)| match part {
            Part::All => true,
            Part::TrainTuning => part_of(*i) != Part::Heldout,
            p => part_of(*i) == p,
        })
        .map(|(_, s)| s.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::labels::{Kind, spans};

    #[test]
    fn reads_sentences_and_drops_punctuation() {
        let s = parse("قال O\nجورج B-PERS\nبوش I-PERS\n. O\n\n\nفي O\nوإسرائيل B-LOC\n").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].words, ["قال", "جورج", "بوش"]);
        assert_eq!(spans(&s[0].labels), [(1, 3, Kind::Pers)]);
        assert_eq!(s[1].words, ["في", "وإسرائيل"]);
        assert!(parse("كلمة\n").is_err());
        assert!(parse("كلمة B-XYZ\n").is_err());
    }

    #[test]
    fn split_is_by_blocks_of_twenty() {
        assert_eq!(part_of(0), Part::Train);
        assert_eq!(part_of(159), Part::Train);
        assert_eq!(part_of(160), Part::Tuning);
        assert_eq!(part_of(179), Part::Tuning);
        assert_eq!(part_of(180), Part::Heldout);
        assert_eq!(part_of(199), Part::Heldout);
        assert_eq!(part_of(200), Part::Train);
    }
}
