//! Named-entity recognition: a sequence model that tags persons, places
//! and organisations in Arabic text, loaded at run time from a model file
//! of its own (the shipped one is trained on GPL-3.0 data, so it is not
//! compiled in). Knows no feature: `entities` links what it finds.
//!
//! The interface the rest of marsad uses is [`Tagger`]: words of one
//! sentence in, typed word spans out. [`locate`] finds the model file.

pub mod conll;
pub mod eval;
pub mod features;
pub mod labels;
mod model;
pub mod perceptron;
mod text_spans;
pub mod train;
pub mod viterbi;

use std::path::{Path, PathBuf};

use crate::entities::EntityType;

pub use model::Model;
pub use text_spans::{Found, find, sentences};

/// A recognised name: words `start..end` (end exclusive) of the slice given
/// to [`Tagger::tag`], of type `kind` (person, place or org).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NerSpan {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
}

/// Anything that tags the words of one sentence. The model implements it;
/// tests implement it with fixed answers.
pub trait Tagger: Sync {
    /// Names among `words` (surface forms, proclitics attached, as
    /// `text::words` gives them), in order, not overlapping.
    fn tag(&self, words: &[&str]) -> Vec<NerSpan>;
    /// What identifies this model (recorded in the archive beside the
    /// analyzer version), e.g. its file's SHA-256 prefix.
    fn id(&self) -> String;
    /// How many bytes at the start of `word`, the first word of a name, are
    /// a proclitic that stays outside the name (the model decides with its
    /// word counts). By default only a proclitic before the article: و in
    /// والعراق, وب in وبالعراق.
    fn proclitic_len(&self, word: &str) -> usize {
        features::Resources::default().proclitic_len(word)
    }
}

/// The file name of the shipped model.
pub const MODEL_FILE: &str = "ner-ar.model";

/// Where the model is: `explicit` (`--model` or `MARSAD_MODEL`) if given
/// and not empty or `none`; else next to the binary (`ner-ar.model` or
/// `models/ner-ar.model`); else the `models/` folder of the checkout the
/// binary was built from. `None` when NER is off or no file is found.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        let s = p.as_os_str();
        if s.is_empty() || s == "none" {
            return None;
        }
        return Some(p.to_path_buf());
    }
    let mut places = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        places.push(dir.join(MODEL_FILE));
        places.push(dir.join("models").join(MODEL_FILE));
    }
    places.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models")
            .join(MODEL_FILE),
    );
    places.into_iter().find(|p| p.is_file())
}

/// A loaded tagger, shared by the ingest workers (cheap to clone).
#[derive(Clone)]
pub struct SharedTagger(pub std::sync::Arc<dyn Tagger + Send>);

impl std::fmt::Debug for SharedTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tagger({})", self.0.id())
    }
}

impl SharedTagger {
    pub fn new(t: impl Tagger + Send + 'static) -> Self {
        SharedTagger(std::sync::Arc::new(t))
    }

    pub fn get(&self) -> &dyn Tagger {
        &*self.0
    }
}

/// Load the model at `path`: the one place a run reads the model file.
pub fn load_tagger(path: &Path) -> crate::error::Result<SharedTagger> {
    Ok(SharedTagger::new(Model::load(path)?))
}

/// How to turn NER on, for the message said once when it is off.
pub const OFF_HINT: &str = "named-entity recognition is off (no model found): only gazetteer names and names after titles are found; give a model with --model FILE or MARSAD_MODEL, or put ner-ar.model next to the binary";

/// What the archive records as the model of an extraction without one.
pub const OFF_ID: &str = "off";

/// Whether a span can be a name at all: no word of it carries tanween
/// (ً ٌ ٍ), the mark of an indefinite noun or an adverb (سياسياً, مدركاً),
/// which names do not take. The training text has no diacritics, so the
/// model cannot learn this; both `find` and the entity linker apply it.
pub fn plausible(words: &[&str], span: &NerSpan) -> bool {
    !words[span.start..span.end]
        .iter()
        .any(|w| w.chars().any(|c| matches!(c, '\u{064B}'..='\u{064D}')))
}

#[cfg(test)]
mod plausible_tests {
    use super::*;

    #[test]
    fn tanween_marks_no_name() {
        let span = |start, end| NerSpan {
            start,
            end,
            kind: EntityType::Place,
        };
        let words = ["زار", "سياسياً", "باريس", "أمس"];
        assert!(!plausible(&words, &span(1, 2)));
        assert!(plausible(&words, &span(2, 3)));
        assert!(!plausible(&words, &span(1, 3)));
    }
}
