//! Tagging running text: split it into sentences of words, tag each, and
//! give every name its code-point offsets in the text, proclitics outside.

use serde::Serialize;

use super::Tagger;
use crate::entities::EntityType;
use crate::text::{Word, words};

/// A name found in a text: `text[start..end]` in code points is `surface`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub surface: String,
    pub start: usize,
    pub end: usize,
}

/// The words of `text` grouped in sentences: a new sentence after . ! ? ؟ ;
/// ؛ or a line break between two words.
pub fn sentences(text: &str) -> Vec<Vec<Word<'_>>> {
    let mut out: Vec<Vec<Word>> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for w in words(text) {
        let breaks = prev_end.is_none_or(|e| {
            text[e..w.token.byte_start].contains(['.', '!', '?', '؟', ';', '؛', '\n'])
        });
        prev_end = Some(w.token.byte_end);
        if breaks {
            out.push(Vec::new());
        }
        out.last_mut().expect("pushed").push(w);
    }
    out
}

/// Every name `tagger` finds in `text`, in order.
pub fn find(tagger: &dyn Tagger, text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for s in sentences(text) {
        let surfaces: Vec<&str> = s.iter().map(|w| w.token.surface).collect();
        for span in tagger.tag(&surfaces) {
            if !super::plausible(&surfaces, &span) {
                continue;
            }
            let first = &s[span.start].token;
            let last = &s[span.end - 1].token;
            let cut = tagger.proclitic_len(first.surface);
            let byte_start = first.byte_start + cut;
            let start = first.start + first.surface[..cut].chars().count();
            out.push(Found {
                kind: span.kind,
                surface: text[byte_start..last.byte_end].to_string(),
                start,
                end: last.end,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::NerSpan;

    /// Tags every word that starts with و as a one-word place.
    struct Fixed;
    impl Tagger for Fixed {
        fn tag(&self, words: &[&str]) -> Vec<NerSpan> {
            (0..words.len())
                .filter(|&i| words[i].starts_with('و'))
                .map(|i| NerSpan {
                    start: i,
                    end: i + 1,
                    kind: EntityType::Place,
                })
                .collect()
        }
        fn id(&self) -> String {
            "fixed".into()
        }
    }

    #[test]
    fn offsets_slice_to_the_surface_with_proclitics_outside() {
        let text = "زار الوفد والعراق. ثم وبالقاهرة";
        let found = find(&Fixed, text);
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(found.len(), 2);
        for f in &found {
            assert_eq!(chars[f.start..f.end].iter().collect::<String>(), f.surface);
        }
        assert_eq!(found[0].surface, "العراق");
        assert_eq!(found[1].surface, "القاهرة");
        assert_eq!(sentences(text).len(), 2);
    }
}
