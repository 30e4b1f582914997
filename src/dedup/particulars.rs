//! A report's particulars: the entities its body names (from `mentions`) and
//! the numbers in it. Two texts from one template (a congratulation telegram,
//! an execution notice, a relief flight) share most of their shingles but
//! name another country, person or city, or another count or date in the
//! part that differs. The texts are aligned on the 3-word shingles each has
//! once (patience alignment); between two shared anchors, or before the
//! first or after the last, each text has a differing stretch (possibly
//! empty). The two disagree when, in one such pair of stretches, each names
//! an entity the other text does not name anywhere, or each has such a
//! number. A copy that was trimmed, re-headlined, given a dateline or a
//! prefix, or had words changed here and there (a name dropped where the
//! other has a common word) does not.
//!
//! The dateline (a leading short line, and the first line's text up to a
//! dash within its first words: "الرياض 12 شوال 1436 هـ (واس) -",
//! "دبي، الإمارات العربية المتحدة (CNN)--") is left out: outlets write their
//! own over one report.

use std::collections::BTreeSet;

use rusqlite::Connection;

use crate::error::Result;

/// Lines of at most this many words at the top of a body are a dateline or
/// a headline repeated in the body.
const SHORT_LINE_WORDS: usize = 6;
/// A dash within this many words of the first line's start ends a dateline.
const DATELINE_WORDS: usize = 12;

/// What a body names, outside its dateline.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Particulars {
    /// Entity ids (merged entities as the entity they were merged into).
    pub entities: BTreeSet<String>,
    /// Digit runs, in ASCII digits without leading zeros.
    pub numbers: BTreeSet<String>,
}

impl Particulars {
    /// What `self` names that `other` does not.
    pub fn minus(&self, other: &Particulars) -> Particulars {
        Particulars {
            entities: self.entities.difference(&other.entities).cloned().collect(),
            numbers: self.numbers.difference(&other.numbers).cloned().collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty() && self.numbers.is_empty()
    }
}

/// A body as compared: its words (hashes of their normalised forms) after
/// the dateline, and the particulars named at each word.
#[derive(Debug, Default, Clone)]
pub struct Report {
    words: Vec<u64>,
    /// (word index, entity id), sorted by word.
    entities: Vec<(usize, String)>,
    /// (word index, number), sorted by word.
    numbers: Vec<(usize, String)>,
}

impl Report {
    /// A body with the entity mentions found in it: (start, end, entity id),
    /// offsets in characters as `mentions` stores them.
    pub fn new(body: &str, mentions: &[(usize, usize, String)]) -> Report {
        let from = dateline_end(body);
        let from_chars = body[..from].chars().count();
        let words: Vec<_> = crate::text::words(body)
            .into_iter()
            .filter(|w| w.token.start >= from_chars)
            .collect();
        let mut r = Report {
            words: words
                .iter()
                .map(|w| super::minhash::fnv(w.norm.as_bytes()))
                .collect(),
            ..Report::default()
        };
        for (at, n) in number_spans(&body[from..]) {
            // The word the number starts in (or the next word).
            let i = words.partition_point(|w| w.token.end <= from_chars + at);
            r.numbers.push((i, n));
        }
        for (start, end, entity) in mentions {
            if *start < from_chars {
                continue;
            }
            // The first word the mention overlaps.
            let i = words.partition_point(|w| w.token.end <= *start);
            if i < words.len() && words[i].token.start < *end {
                r.entities.push((i, entity.clone()));
            }
        }
        r.entities.sort();
        r
    }

    /// Of a stored article: its body and the body's mentions of accepted
    /// entities. Discovered names are unreviewed guesses of the recogniser:
    /// one tagged differently in a copy would split it from its story.
    pub fn of_article(conn: &Connection, article_id: i64) -> Result<Report> {
        let body: String = conn
            .prepare_cached("SELECT body FROM articles WHERE id = ?1")?
            .query_row([article_id], |r| r.get(0))?;
        let mentions: Vec<(usize, usize, String)> = conn
            .prepare_cached(
                "SELECT m.start, m.end, coalesce(e.merged_into, m.entity_id) FROM mentions m
                 LEFT JOIN entities e ON e.id = m.entity_id
                 WHERE m.article_id = ?1 AND m.field = 'body'
                   AND (e.status = 'accepted' OR e.merged_into IS NOT NULL)",
            )?
            .query_map([article_id], |r| {
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    r.get::<_, i64>(1)? as usize,
                    r.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Report::new(&body, &mentions))
    }

    /// Everything it names.
    pub fn particulars(&self) -> Particulars {
        Particulars {
            entities: self.entities.iter().map(|(_, e)| e.clone()).collect(),
            numbers: self.numbers.iter().map(|(_, n)| n.clone()).collect(),
        }
    }

    /// What it names in words `range`.
    fn named_in(&self, range: std::ops::Range<usize>) -> Particulars {
        let pick = |v: &[(usize, String)]| -> BTreeSet<String> {
            v.iter()
                .filter(|(i, _)| range.contains(i))
                .map(|(_, x)| x.clone())
                .collect()
        };
        Particulars {
            entities: pick(&self.entities),
            numbers: pick(&self.numbers),
        }
    }

    fn shingles(&self) -> Vec<u64> {
        self.words
            .windows(SHINGLE)
            .map(|w| w.iter().fold(0u64, |acc, x| acc.rotate_left(21) ^ x))
            .collect()
    }
}

const SHINGLE: usize = super::SHINGLE;

/// Where two reports disagree: in one pair of aligned differing stretches,
/// what each names that the other text does not name at all (the first such
/// pair), or None when they agree.
pub fn disagreement(a: &Report, b: &Report) -> Option<(Particulars, Particulars)> {
    let (pa, pb) = (a.particulars(), b.particulars());
    for (ra, rb) in differing_stretches(a, b) {
        let only_a = a.named_in(ra).minus(&pb);
        let only_b = b.named_in(rb).minus(&pa);
        let entities = !only_a.entities.is_empty() && !only_b.entities.is_empty();
        let numbers = !only_a.numbers.is_empty() && !only_b.numbers.is_empty();
        if entities || numbers {
            return Some((only_a, only_b));
        }
    }
    None
}

/// Whether two reports disagree on their particulars.
pub fn disagree(a: &Report, b: &Report) -> bool {
    disagreement(a, b).is_some()
}

/// The pairs of word ranges of `a` and `b` between consecutive shared
/// anchors (and before the first and after the last): shingles that occur
/// once in each text, kept in the longest chain in the same order in both.
fn differing_stretches(
    a: &Report,
    b: &Report,
) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    use std::collections::HashMap;
    let once = |s: &[u64]| -> HashMap<u64, Option<usize>> {
        let mut m: HashMap<u64, Option<usize>> = HashMap::new();
        for (i, h) in s.iter().enumerate() {
            m.entry(*h).and_modify(|e| *e = None).or_insert(Some(i));
        }
        m
    };
    let (sa, sb) = (a.shingles(), b.shingles());
    let ob = once(&sb);
    let mut pairs: Vec<(usize, usize)> = once(&sa)
        .into_iter()
        .filter_map(|(h, i)| Some((i?, (*ob.get(&h)?)?)))
        .collect();
    pairs.sort_unstable();
    // Longest chain increasing in both (patience sorting).
    let mut tails: Vec<usize> = Vec::new(); // index into pairs of each pile's top
    let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
    for (k, &(_, j)) in pairs.iter().enumerate() {
        let pile = tails.partition_point(|&t| pairs[t].1 < j);
        prev[k] = pile.checked_sub(1).map(|p| tails[p]);
        if pile == tails.len() {
            tails.push(k);
        } else {
            tails[pile] = k;
        }
    }
    let mut chain = Vec::new();
    let mut at = tails.last().copied();
    while let Some(k) = at {
        chain.push(pairs[k]);
        at = prev[k];
    }
    chain.reverse();
    // Stretches between anchors, each anchor covering its shingle's words.
    let mut out = Vec::new();
    let (mut ea, mut eb) = (0, 0);
    for (i, j) in chain {
        if i >= ea || j >= eb {
            out.push((ea..i.max(ea), eb..j.max(eb)));
        }
        ea = ea.max(i + SHINGLE);
        eb = eb.max(j + SHINGLE);
    }
    out.push((ea..a.words.len().max(ea), eb..b.words.len().max(eb)));
    out.retain(|(x, y)| !x.is_empty() || !y.is_empty());
    out
}

/// Byte offset where a body's text starts after its dateline.
pub fn dateline_end(body: &str) -> usize {
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        if line.split_whitespace().count() > SHORT_LINE_WORDS {
            break;
        }
        at += line.len();
    }
    let rest = &body[at..];
    let line = rest.split('\n').next().unwrap_or("");
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in line.char_indices() {
        if is_dash(c) {
            let after = &line[i..];
            let dashes = after.len() - after.trim_start_matches(is_dash).len();
            return at + i + dashes;
        }
        if c.is_whitespace() {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
            if words > DATELINE_WORDS {
                break;
            }
        }
    }
    at
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—')
}

fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{660}'..='\u{669}' => char::from_u32(c as u32 - 0x660 + '0' as u32),
        '\u{6F0}'..='\u{6F9}' => char::from_u32(c as u32 - 0x6F0 + '0' as u32),
        _ => None,
    }
}

/// The numbers of a text: digit runs, Arabic-Indic digits read as ASCII, a
/// thousands separator dropped (outlets write 13,800, 13.800 and ١٣٬٨٠٠ for
/// one figure: a separator followed by exactly three digits), a decimal
/// point kept (2.55 is not 255; the Arabic ٫ is always one), leading zeros
/// dropped ("07" and "7" are one).
#[cfg(test)]
fn numbers(text: &str) -> BTreeSet<String> {
    number_spans(text).into_iter().map(|(_, n)| n).collect()
}

/// [`numbers`] with the character offset where each starts.
fn number_spans(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().chain(std::iter::once(' ')).collect();
    let digits_from = |i: usize| {
        chars[i..]
            .iter()
            .take_while(|c| digit(**c).is_some())
            .count()
    };
    let mut out = Vec::new();
    let mut run = String::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if let Some(d) = digit(c) {
            if run.is_empty() {
                start = i;
            }
            run.push(d);
            continue;
        }
        let next_digits = if i + 1 < chars.len() {
            digits_from(i + 1)
        } else {
            0
        };
        if !run.is_empty() && next_digits > 0 {
            if c == '\u{66B}' || (matches!(c, ',' | '.') && next_digits != 3 && !run.contains('.'))
            {
                run.push('.');
                continue;
            }
            if matches!(c, ',' | '.' | '\u{66C}') && next_digits == 3 {
                continue;
            }
        }
        if !run.is_empty() {
            let n = run.trim_start_matches('0');
            let n = if n.is_empty() || n.starts_with('.') {
                format!("0{n}")
            } else {
                n.to_string()
            };
            out.push((start, n));
            run.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_any_digits() {
        let n = numbers("قتل ٥ أشخاص و07 جرحى في 2018، و۱۲ مفقودا، 0 أسرى.");
        assert_eq!(
            n.into_iter().collect::<Vec<_>>(),
            vec!["0", "12", "2018", "5", "7"]
        );
        assert_eq!(
            numbers("2.55 مليار و2٫56 و255")
                .into_iter()
                .collect::<Vec<_>>(),
            vec!["2.55", "2.56", "255"]
        );
        for figure in ["13,800", "13.800", "١٣٬٨٠٠", "13800"] {
            assert_eq!(
                numbers(figure).into_iter().collect::<Vec<_>>(),
                vec!["13800"]
            );
        }
    }

    #[test]
    fn datelines_are_skipped() {
        let b = "دبي، الإمارات العربية المتحدة (CNN)-- قال الوزير إن 5 قتلوا";
        assert_eq!(&b[dateline_end(b)..], " قال الوزير إن 5 قتلوا");
        let b = "باريس –\nقال الوزير - في مؤتمر - إن 5 قتلوا";
        assert_eq!(&b[dateline_end(b)..], " في مؤتمر - إن 5 قتلوا");
        // No dash near the start: nothing is a dateline.
        let b = "قال وزير الخارجية الفرنسي في مؤتمر صحفي عقده اليوم في العاصمة باريس بعد لقائه نظيره إن - شيئا";
        assert_eq!(dateline_end(b), 0);
    }

    fn report(text: &str, names: &[&str]) -> Report {
        // Each name's every occurrence is a mention of the entity of that name.
        let mut mentions = Vec::new();
        for n in names {
            for (b, _) in text.match_indices(n) {
                let start = text[..b].chars().count();
                mentions.push((start, start + n.chars().count(), n.to_string()));
            }
        }
        Report::new(text, &mentions)
    }

    const NAMES: &[&str] = &["كولومبيا", "النيجر", "الرياض", "جدة", "واس"];

    #[test]
    fn template_siblings_disagree_and_copies_agree() {
        let t = |country: &str, day: &str, tail: &str| {
            format!(
                "الرياض {day} شوال 1436 هـ (واس) - بعث خادم الحرمين الشريفين برقية تهنئة لرئيس جمهورية {country} بمناسبة ذكرى استقلال بلاده أعرب فيها عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة ولشعب {country} الشقيق المزيد من التقدم والازدهار{tail}"
            )
        };
        let original = report(&t("كولومبيا", "12", ""), NAMES);
        // Another country on another day.
        let sibling = report(&t("النيجر", "13", ""), NAMES);
        let (x, y) = disagreement(&original, &sibling).expect("siblings");
        assert!(x.entities.contains("كولومبيا") && y.entities.contains("النيجر"));
        // Only the dateline's day differs: a copy.
        assert!(!disagree(
            &original,
            &report(&t("كولومبيا", "13", ""), NAMES)
        ));
        // A paragraph more, naming a city and a number, and a prefix.
        let longer = format!(
            "في تقرير لفرانس24 – {}",
            t(
                "كولومبيا",
                "12",
                "\nوكان الرئيس قد زار جدة العام 2014 والتقى ولي العهد"
            )
        );
        assert!(!disagree(&original, &report(&longer, NAMES)));
        assert!(!disagree(&report(&longer, NAMES), &original));
        // A name where the other has a common word, and a number elsewhere.
        let a = t("كولومبيا", "12", "").replacen("بمناسبة", "جدة 15", 1);
        let b = t("كولومبيا", "12", "").replacen("أصدق", "النيجر 16", 1);
        assert!(!disagree(&report(&a, NAMES), &report(&b, NAMES)));
        // A number in the part that differs.
        let count = |n: &str| {
            format!(
                "{} وأعلنت مقتل {n} أشخاص في الهجوم",
                t("كولومبيا", "12", "")
            )
        };
        assert!(disagree(
            &report(&count("5"), NAMES),
            &report(&count("٧"), NAMES)
        ));
        assert!(!disagree(
            &report(&count("5"), NAMES),
            &report(&count("05"), NAMES)
        ));
    }
}
