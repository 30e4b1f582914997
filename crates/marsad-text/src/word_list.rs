//! Word lists compiled into the binary (names.txt, the stop words, given
//! names): one entry a line, read into a set or map on first use.

use std::sync::OnceLock;

/// A static set (or map) of words from an included file: each line trimmed,
/// blank lines and `#` comments skipped, the rest turned into an item by
/// `entry` and collected into `C` the first time [`WordList::get`] is called.
pub struct WordList<C, T> {
    file: &'static str,
    entry: fn(&str) -> T,
    words: OnceLock<C>,
}

impl<C: FromIterator<T>, T> WordList<C, T> {
    pub const fn new(file: &'static str, entry: fn(&str) -> T) -> Self {
        WordList {
            file,
            entry,
            words: OnceLock::new(),
        }
    }

    pub fn get(&self) -> &C {
        self.words.get_or_init(|| {
            self.file
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(self.entry)
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_comments_and_blanks() {
        static L: WordList<Vec<String>, String> =
            WordList::new("# a comment\n one \n\n\ttwo\n#three\n", str::to_uppercase);
        assert_eq!(L.get(), &["ONE", "TWO"]);
    }
}
