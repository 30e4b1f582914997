//! Plain text as scraped: an optional `---` front-matter block, a headline,
//! a dateline and a byline near the top, the article, and site furniture
//! that is removed from the body (and kept in the sighting).

use super::{Record, boilerplate, dates};

/// Longest line still taken as a headline; a longer first line is a
/// paragraph, and the title is its first sentence.
const MAX_TITLE_WORDS: usize = 30;

pub fn parse(text: &str) -> Result<Record, super::Rejected> {
    let mut rec = Record::default();
    let mut lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let mut removed: Vec<String> = Vec::new();

    front_matter(&mut lines, &mut rec)?;
    cut_footer(&mut lines, &mut removed);

    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    for l in lines {
        if boilerplate::is_boilerplate(l) {
            removed.push(l.trim().to_string());
        } else {
            kept.push(l);
        }
    }

    // Headline: the first line that is not a breadcrumb of section names.
    let mut i = 0;
    while i < kept.len() && (kept[i].trim().is_empty() || boilerplate::is_breadcrumb(kept[i])) {
        if !kept[i].trim().is_empty() {
            removed.push(kept[i].trim().to_string());
        }
        i += 1;
    }
    if i == kept.len() {
        return Err(super::Rejected::Empty(
            "no text left after removing site boilerplate".into(),
        ));
    }
    let title_from_front_matter = !rec.title.is_empty();
    let first = kept[i].trim();
    let headline_is_line = first.split_whitespace().count() <= MAX_TITLE_WORDS;
    let derived_title = if headline_is_line {
        first.to_string()
    } else {
        first_sentence(first)
    };
    if !title_from_front_matter {
        rec.title = derived_title;
    }
    let mut body_start = if headline_is_line && !title_from_front_matter {
        i + 1
    } else {
        i
    };

    // Dateline and byline just under the headline.
    let mut j = body_start;
    let mut scanned = 0;
    while j < kept.len() && scanned < 4 {
        let l = kept[j].trim();
        if l.is_empty() {
            j += 1;
            continue;
        }
        scanned += 1;
        if let Some(d) = dates::parse(l) {
            if rec.published_at.is_none() {
                rec.published_at = Some(d.iso);
                rec.date_precision = Some(d.precision);
                rec.date_raw = Some(l.to_string());
            }
        } else if let Some((author, outlet)) = byline(l) {
            rec.author.get_or_insert(author);
            if let Some(o) = outlet {
                rec.outlet.get_or_insert(o);
            }
        } else {
            break;
        }
        j += 1;
        body_start = j;
    }

    let mut body_lines: Vec<&str> = kept[body_start..].to_vec();
    trailing_signature(&mut body_lines, &mut rec);
    rec.body = join_paragraphs(&body_lines);
    if rec.body.is_empty() {
        return Err(super::Rejected::Empty(
            "no article body: only a headline was found".into(),
        ));
    }
    rec.removed = removed;
    Ok(rec)
}

/// `---` / `key: value` / `---` at the very top overrides what is guessed.
fn front_matter(lines: &mut Vec<&str>, rec: &mut Record) -> Result<(), String> {
    if lines.first().map(|l| l.trim()) != Some("---") {
        return Ok(());
    }
    let Some(end) = lines.iter().skip(1).position(|l| l.trim() == "---") else {
        return Err("front matter opened with --- is never closed".into());
    };
    for l in &lines[1..=end] {
        let Some((k, v)) = l.split_once(':') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        if v.is_empty() {
            continue;
        }
        match k.trim().to_lowercase().as_str() {
            "title" => rec.title = v,
            "date" | "published" | "published_at" => {
                rec.date_raw = Some(v.clone());
                if let Some(d) = dates::parse(&v) {
                    rec.published_at = Some(d.iso);
                    rec.date_precision = Some(d.precision);
                }
            }
            "outlet" | "source" | "site" => rec.outlet = Some(v),
            "author" => rec.author = Some(v),
            "url" | "link" => rec.url = Some(v),
            "id" => rec.external_id = Some(v),
            "language" | "lang" => rec.language = Some(v),
            other => {
                rec.extra
                    .insert(other.to_string(), serde_json::Value::String(v));
            }
        }
    }
    lines.drain(..=end + 1);
    Ok(())
}

/// From the first footer marker on, if only short lines follow, the rest is
/// furniture (tag lists, comment forms).
fn cut_footer(lines: &mut Vec<&str>, removed: &mut Vec<String>) {
    let Some(at) = lines.iter().position(|l| boilerplate::is_footer_marker(l)) else {
        return;
    };
    let rest_is_short = lines[at..].iter().all(|l| l.chars().count() <= 80);
    if rest_is_short {
        removed.extend(
            lines
                .drain(at..)
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim().to_string()),
        );
    }
}

/// "Name – Outlet", "Name | Outlet", or "بقلم: Name".
fn byline(l: &str) -> Option<(String, Option<String>)> {
    if l.chars()
        .any(|c| c.is_ascii_digit() || matches!(c, '.' | '،' | '؟' | '!' | ':' | '"'))
    {
        if let Some(rest) = l.strip_prefix("بقلم:").or_else(|| l.strip_prefix("بقلم :")) {
            let name = rest.trim();
            return (word_count(name) <= 5 && !name.is_empty()).then(|| (name.to_string(), None));
        }
        return None;
    }
    if let Some(rest) = l.strip_prefix("بقلم") {
        let name = rest.trim();
        return (word_count(name) <= 5 && !name.is_empty()).then(|| (name.to_string(), None));
    }
    for sep in [" – ", " — ", " - ", " | "] {
        if let Some((a, o)) = l.split_once(sep) {
            let (a, o) = (a.trim(), o.trim());
            if (1..=5).contains(&word_count(a)) && (1..=4).contains(&word_count(o)) {
                return Some((a.to_string(), Some(o.to_string())));
            }
        }
    }
    None
}

/// A short name alone on the last line is the author's sign-off.
fn trailing_signature(lines: &mut Vec<&str>, rec: &mut Record) {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let Some(last) = lines.last().map(|l| l.trim()) else {
        return;
    };
    let preceded_by_blank = lines.len() >= 2 && lines[lines.len() - 2].trim().is_empty();
    let looks_like_name = (2..=3).contains(&word_count(last))
        && last.chars().count() <= 25
        && last.chars().all(|c| c.is_alphabetic() || c == ' ')
        && crate::text::is_arabic_word(last);
    if rec.author.is_none() && preceded_by_blank && looks_like_name {
        rec.author = Some(last.to_string());
        lines.pop();
    }
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The first sentence of a paragraph, without a leading dateline ("طرابلس |").
fn first_sentence(p: &str) -> String {
    let p = match p.split_once(" | ") {
        Some((place, rest)) if word_count(place) <= 2 => rest,
        _ => p,
    };
    let end = p
        .find(['.', '؟', '!', '\n'])
        .map(|i| i + p[i..].chars().next().map_or(1, char::len_utf8));
    let s = match end {
        Some(e) if e <= 400 => &p[..e],
        _ => {
            // No early full stop: cut at a word boundary near 200 characters.
            let cut = p.char_indices().nth(200).map_or(p.len(), |(i, _)| i);
            let cut = p[..cut].rfind(' ').unwrap_or(cut);
            &p[..cut]
        }
    };
    s.trim().to_string()
}

/// Lines joined with one blank line between paragraphs.
fn join_paragraphs(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for l in lines {
        if l.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(l.trim());
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_date_byline() {
        let r = parse("عنوان الخبر هنا\n\n24/05/2016 - 12:55:55\n\nحفتر حفتر\n\nفلان الفلاني – إرم نيوز\n\nنص الخبر.\n\nدلالات\nالمساهمون").unwrap();
        assert_eq!(r.title, "عنوان الخبر هنا");
        assert_eq!(r.published_at.as_deref(), Some("2016-05-24T12:55:55"));
        assert_eq!(r.author.as_deref(), Some("فلان الفلاني"));
        assert_eq!(r.outlet.as_deref(), Some("إرم نيوز"));
        assert_eq!(r.body, "نص الخبر.");
        assert!(r.removed.contains(&"حفتر حفتر".to_string()));
    }

    #[test]
    fn front_matter_overrides() {
        let r =
            parse("---\ntitle: عنوان\ndate: 2024-05-31\noutlet: العربي الجديد\n---\nسطر أول\nنص")
                .unwrap();
        assert_eq!(r.title, "عنوان");
        assert_eq!(r.published_at.as_deref(), Some("2024-05-31"));
        assert_eq!(r.outlet.as_deref(), Some("العربي الجديد"));
        assert_eq!(r.body, "سطر أول\nنص");
    }
}
