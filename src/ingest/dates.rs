//! Publication dates as news sites print them: numeric (24/05/2016 - 12:55:55,
//! 2024-05-31T10:00:00+03:00), and with month names in the Egyptian/Gulf
//! (مايو), Levantine (أيار) and Maghrebi (ماي، جوان) series, with Arabic-Indic
//! or Latin digits. The result keeps its precision.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

use crate::text::normalize;

/// A parsed date: ISO 8601 text and how precise it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDate {
    pub iso: String,
    pub precision: &'static str,
}

/// Month names, normalised (أ→ا, ة→ه …), with their number.
const MONTHS: &[(&str, u32)] = &[
    ("يناير", 1),
    ("كانون الثاني", 1),
    ("جانفي", 1),
    ("ينير", 1),
    ("فبراير", 2),
    ("شباط", 2),
    ("فيفري", 2),
    ("فبرير", 2),
    ("مارس", 3),
    ("اذار", 3),
    ("ابريل", 4),
    ("افريل", 4),
    ("نيسان", 4),
    ("ابريل", 4),
    ("مايو", 5),
    ("ايار", 5),
    ("ماي", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("حزيران", 6),
    ("جوان", 6),
    ("يونيو", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("تموز", 7),
    ("جويليه", 7),
    ("يوليوز", 7),
    ("اغسطس", 8),
    ("اب", 8),
    ("اوت", 8),
    ("غشت", 8),
    ("سبتمبر", 9),
    ("ايلول", 9),
    ("شتنبر", 9),
    ("اكتوبر", 10),
    ("تشرين الاول", 10),
    ("نوفمبر", 11),
    ("تشرين الثاني", 11),
    ("نونبر", 11),
    ("ديسمبر", 12),
    ("كانون الاول", 12),
    ("دجنبر", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

const WEEKDAYS: &[&str] = &[
    "السبت",
    "الاحد",
    "الاثنين",
    "الإثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
];

/// Parse a date written anywhere in `s`, if `s` is essentially only a date
/// (a dateline), or a machine timestamp.
pub fn parse(s: &str) -> Option<ParsedDate> {
    if let Some(d) = parse_one(s) {
        return Some(d);
    }
    // "نشر في: … | آخر تحديث: …": every part a date, the first is the
    // publication.
    let parts: Vec<&str> = s
        .split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 && parts.iter().skip(1).all(|p| parse_one(p).is_some()) {
        return parse_one(parts[0]);
    }
    None
}

/// A date line with one date: a label, the date, and a 12-hour marker
/// (م / ص, مساء / صباحا, PM / AM) turned into the 24-hour clock.
fn parse_one(s: &str) -> Option<ParsedDate> {
    let (s, pm) = strip_meridiem(strip_label(s.trim()));
    let mut d = parse_bare(s)?;
    if let Some(pm) = pm
        && d.precision != "day"
        && d.precision != "month"
        && let Ok(t) =
            NaiveDateTime::parse_from_str(&d.iso[..16.min(d.iso.len())], "%Y-%m-%dT%H:%M")
    {
        use chrono::Timelike;
        let shift = match (pm, t.hour()) {
            (true, h) if h < 12 => chrono::Duration::hours(12),
            (false, 12) => chrono::Duration::hours(-12),
            _ => chrono::Duration::zero(),
        };
        let fixed = (t + shift).format("%Y-%m-%dT%H:%M").to_string();
        d.iso = format!("{fixed}{}", &d.iso[16.min(d.iso.len())..]);
    }
    Some(d)
}

/// `s` without a trailing 12-hour marker, and whether it said PM.
fn strip_meridiem(s: &str) -> (&str, Option<bool>) {
    const PM: &[&str] = &["مساءً", "مساءا", "مساء", "م", "pm", "p.m."];
    const AM: &[&str] = &["صباحاً", "صباحا", "صباح", "ص", "am", "a.m."];
    let t = s.trim_end();
    for (list, pm) in [(PM, true), (AM, false)] {
        for m in list {
            if let Some(rest) = t
                .strip_suffix(m)
                .or_else(|| t.strip_suffix(&m.to_uppercase()))
                .filter(|r| r.ends_with(char::is_whitespace))
            {
                // Only after a time: "… 2019 م" is the Gregorian era.
                let rest = rest.trim_end();
                if rest.ends_with(|c: char| c.is_ascii_digit() || ('٠'..='٩').contains(&c))
                    && rest.contains(':')
                {
                    return (rest, Some(pm));
                }
            }
        }
    }
    (s, None)
}

fn parse_bare(s: &str) -> Option<ParsedDate> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 60 {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(ParsedDate {
            iso: dt.to_rfc3339(),
            precision: "second",
        });
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(ParsedDate {
            iso: dt.to_rfc3339(),
            precision: "second",
        });
    }
    let n = normalize(s);
    parse_numeric(&n).or_else(|| parse_named(&n))
}

/// Labels that sites put before a date line ("نشر في: 27 يوليو 2015 - 18:39",
/// "Published: …"): what news CMSs print, Arabic and English, not a list
/// read off one corpus. Longest first, so "نشر بتاريخ" wins over "نشر".
const LABELS: &[&str] = &[
    "تاريخ آخر تحديث",
    "تاريخ اخر تحديث",
    "تاريخ النشر",
    "آخر تحديث",
    "اخر تحديث",
    "last updated on",
    "last updated",
    "published on",
    "نشر بتاريخ",
    "نشر في",
    "نشر يوم",
    "تم النشر",
    "تم التحديث",
    "published",
    "updated on",
    "updated",
    "بتاريخ",
    "posted on",
    "posted",
    "date",
    "نشر",
];

/// `s` without a leading label and the `:` or `-` after it.
fn strip_label(s: &str) -> &str {
    // Harakat do not change a label (نُشر في).
    let plain: String = s
        .chars()
        .filter(|c| !('\u{064B}'..='\u{0652}').contains(c))
        .collect();
    let lower = plain.to_lowercase();
    for label in LABELS {
        let Some(rest) = lower.strip_prefix(label) else {
            continue;
        };
        // A whole word: "نشرة" is not the label "نشر".
        if rest.chars().next().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        // The same number of non-harakat characters into `s`.
        let skip = label.chars().count();
        let mut seen = 0;
        let mut cut = s.len();
        for (i, c) in s.char_indices() {
            if seen == skip {
                cut = i;
                break;
            }
            if !('\u{064B}'..='\u{0652}').contains(&c) {
                seen += 1;
            }
        }
        return s[cut..].trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '：' | '-' | '–' | '|')
        });
    }
    s
}

fn tokens(n: &str) -> Vec<&str> {
    n.split(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '،' | '-' | '–' | '|' | '/' | '(' | ')')
    })
    .filter(|t| !t.is_empty())
    .collect()
}

fn parse_time(t: &str) -> Option<(NaiveTime, &'static str)> {
    if let Ok(x) = NaiveTime::parse_from_str(t, "%H:%M:%S") {
        return Some((x, "second"));
    }
    NaiveTime::parse_from_str(t, "%H:%M")
        .ok()
        .map(|x| (x, "minute"))
}

fn with_time(d: NaiveDate, time: Option<(NaiveTime, &'static str)>) -> ParsedDate {
    match time {
        Some((t, "second")) => ParsedDate {
            iso: NaiveDateTime::new(d, t)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            precision: "second",
        },
        Some((t, _)) => ParsedDate {
            iso: NaiveDateTime::new(d, t)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            precision: "minute",
        },
        None => ParsedDate {
            iso: d.format("%Y-%m-%d").to_string(),
            precision: "day",
        },
    }
}

/// 24/05/2016, 24-05-2016 12:55, 2016-05-24 12:55:55, 2016/05/24.
fn parse_numeric(n: &str) -> Option<ParsedDate> {
    let parts: Vec<&str> = n
        .split(|c: char| c.is_whitespace() || c == 'T' || c == 't')
        .filter(|p| !p.is_empty() && *p != "-" && *p != "|" && *p != "–")
        .collect();
    let first = *parts.first()?;
    let nums: Vec<&str> = first.split(['/', '-', '.']).collect();
    if let ([a, b], [_]) = (nums.as_slice(), parts.as_slice()) {
        // 2018-03 or 03/2018: a month, as "مارس 2018" is.
        let (y, m) = if a.len() == 4 { (a, b) } else { (b, a) };
        if y.len() != 4 || !(1..=2).contains(&m.len()) {
            return None;
        }
        return month_only(y.parse().ok()?, m.parse().ok()?);
    }
    if nums.len() != 3
        || !nums
            .iter()
            .all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let v: Vec<u32> = nums.iter().map(|x| x.parse().ok()).collect::<Option<_>>()?;
    let date = if nums[0].len() == 4 {
        NaiveDate::from_ymd_opt(v[0] as i32, v[1], v[2])?
    } else if nums[2].len() == 4 {
        // Day first, as Arabic sites print it; fall back to month first only
        // when the day-first reading is impossible.
        NaiveDate::from_ymd_opt(v[2] as i32, v[1], v[0])
            .or_else(|| NaiveDate::from_ymd_opt(v[2] as i32, v[0], v[1]))?
    } else {
        return None;
    };
    let rest = &parts[1..];
    let time = match rest {
        [] => None,
        [t] => Some(parse_time(t)?),
        _ => return None,
    };
    Some(with_time(date, time))
}

fn month_at(toks: &[&str], i: usize) -> Option<(u32, usize)> {
    // Two-word names (كانون الثاني) first.
    if i + 1 < toks.len() {
        let two = format!("{} {}", toks[i], toks[i + 1]);
        if let Some((_, m)) = MONTHS.iter().find(|(name, _)| *name == two) {
            return Some((*m, 2));
        }
    }
    let one = toks.get(i)?;
    MONTHS
        .iter()
        .find(|(name, _)| name == one)
        .map(|(_, m)| (*m, 1))
}

/// `[weekday] D MONTH[/ MONTH] YYYY [HH:MM[:SS]]`, or `MONTH YYYY`.
fn parse_named(n: &str) -> Option<ParsedDate> {
    let toks = tokens(n);
    let mut i = 0;
    let weekdays: Vec<String> = WEEKDAYS.iter().map(|w| normalize(w)).collect();
    if toks
        .first()
        .is_some_and(|t| weekdays.iter().any(|w| w == t))
    {
        i = 1;
    }
    let day: Option<u32> = toks.get(i).and_then(|t| t.parse().ok());
    if day.is_some() {
        i += 1;
    }
    let (month, used) = month_at(&toks, i)?;
    i += used;
    // A second name of the same month in another series: مايو/ أيار.
    if let Some((m2, used2)) = month_at(&toks, i)
        && m2 == month
    {
        i += used2;
    }
    let year: i32 = toks
        .get(i)?
        .parse()
        .ok()
        .filter(|y| (1900..=2100).contains(y))?;
    i += 1;
    let time = match toks.get(i) {
        Some(t) => Some(parse_time(t)?),
        None => None,
    };
    if i + usize::from(time.is_some()) < toks.len() {
        return None;
    }
    match day {
        Some(d) => Some(with_time(NaiveDate::from_ymd_opt(year, month, d)?, time)),
        None => month_only(year, month),
    }
}

/// A date known to the month only.
fn month_only(year: i32, month: u32) -> Option<ParsedDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
        .filter(|_| (1900..=2100).contains(&year))
        .map(|_| ParsedDate {
            iso: format!("{year:04}-{month:02}"),
            precision: "month",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<(String, &'static str)> {
        parse(s).map(|d| (d.iso, d.precision))
    }

    #[test]
    fn seed_notations() {
        assert_eq!(
            p("24/05/2016 - 12:55:55"),
            Some(("2016-05-24T12:55:55".into(), "second"))
        );
        assert_eq!(p("31 مايو 2024"), Some(("2024-05-31".into(), "day")));
        assert_eq!(p("٣١ مايو ٢٠٢٤"), Some(("2024-05-31".into(), "day")));
        assert_eq!(p("الجمعة 9 آب 2024"), Some(("2024-08-09".into(), "day")));
        assert_eq!(p("12 أغسطس/ آب 2023"), Some(("2023-08-12".into(), "day")));
        assert_eq!(
            p("1 كانون الثاني 2020 10:30"),
            Some(("2020-01-01T10:30".into(), "minute"))
        );
        assert_eq!(p("أكتوبر 2020"), Some(("2020-10".into(), "month")));
        assert_eq!(p("2018-03"), Some(("2018-03".into(), "month")));
        assert_eq!(p("03/2018"), Some(("2018-03".into(), "month")));
        assert_eq!(p("٢٠١٨-٠٣"), Some(("2018-03".into(), "month")));
        // Not a month: a 13th month, a bare year, a year and a day number.
        assert_eq!(p("2018-13"), None);
        assert_eq!(p("2018"), None);
        assert_eq!(p("2018-03 12:00"), None);
        assert_eq!(p("18-03"), None);
        assert_eq!(
            p("2018-02-18T21:35:43+04:00"),
            Some(("2018-02-18T21:35:43+04:00".into(), "second"))
        );
    }

    #[test]
    fn labelled_date_lines() {
        let want = Some(("2015-07-27T18:39".into(), "minute"));
        assert_eq!(p("نشر في: 27 يوليو 2015 - 18:39"), want);
        assert_eq!(p("نُشر في 27 يوليو 2015 - 18:39"), want);
        assert_eq!(p("تاريخ النشر : 27 يوليو 2015 - 18:39"), want);
        assert_eq!(p("آخر تحديث: 27/07/2015 18:39"), want);
        assert_eq!(
            p("بتاريخ 27 يوليو 2015"),
            Some(("2015-07-27".into(), "day"))
        );
        assert_eq!(p("Published: 27 July 2015"), p("27 July 2015"));
        // A word that only begins like a label is not one.
        assert_eq!(p("نشرة 27 يوليو 2015"), None);
        assert_eq!(p("نشر الجيش بيانا"), None);
    }

    #[test]
    fn two_dates_on_a_line_and_twelve_hour_clocks() {
        assert_eq!(
            p("نشر في: 27 يوليو 2015 - 18:39 | آخر تحديث: 28 يوليو 2015 - 09:00"),
            Some(("2015-07-27T18:39".into(), "minute"))
        );
        assert_eq!(
            p("تاريخ النشر: 07/04/2019 - 11:30 م"),
            Some(("2019-04-07T23:30".into(), "minute"))
        );
        assert_eq!(
            p("آخر تحديث: 2019/04/07 - 11:30 ص"),
            Some(("2019-04-07T11:30".into(), "minute"))
        );
        assert_eq!(
            p("07/04/2019 12:05 AM"),
            Some(("2019-04-07T00:05".into(), "minute"))
        );
        assert_eq!(
            p("07/04/2019 12:05 مساءً"),
            Some(("2019-04-07T12:05".into(), "minute"))
        );
        // Not a second date: the line is not a date line.
        assert_eq!(p("27 يوليو 2015 | حفتر في موسكو"), None);
    }

    #[test]
    fn not_dates() {
        assert_eq!(p("حفتر حفتر"), None);
        assert_eq!(p("وصل يفكيروف في 31 مايو 2024 إلى بنغازي"), None);
        assert_eq!(p("31/02/2024"), None);
    }
}
