//! Site furniture that scrapers keep and readers skip: font-size widgets,
//! "show summary", comment forms, copy-protection notices, tag lists,
//! breadcrumbs of section names. Lines are compared after normalisation, so
//! spelling variants (أظهر/اظهر) count alike. The lists are of the furniture
//! of Arabic news sites in general, not of any one article.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::text::normalize;

/// Whole lines that are never article text.
const LINES: &[&str] = &[
    "+ الخط -",
    "الخط",
    "حجم الخط",
    "تكبير الخط",
    "تصغير الخط",
    "A A",
    "A+ A-",
    "اظهر الملخص",
    "إخفاء الملخص",
    "اخف الملخص",
    "الملخص",
    "شارك",
    "شارك الخبر",
    "شارك المقال",
    "مشاركة",
    "شارك عبر",
    "طباعة",
    "نسخ الرابط",
    "أرسل لصديق",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "اقرأ المزيد",
    "المزيد",
    "تابعنا",
    "تابعونا",
    "تابعونا على",
    "الأكثر قراءة",
    "الأكثر مشاهدة",
    "مواضيع ذات صلة",
    "أخبار ذات صلة",
    "مقالات ذات صلة",
    "إعلان",
    "اعلان",
    "facebook",
    "twitter",
    "whatsapp",
    "telegram",
    "linkedin",
    "email",
    "print",
    "المساهمون",
    "المصدر",
    "الرئيسية",
];

/// Lines after which the rest of a page is footer (tags, comment forms).
const FOOTER_MARKERS: &[&str] = &[
    "دلالات",
    "الوسوم",
    "وسوم",
    "كلمات مفتاحية",
    "الكلمات المفتاحية",
    "Tags",
    "اترك رد",
    "اترك تعليقا",
    "اترك تعليقاً",
    "أضف تعليق",
    "اضف تعليقك",
    "التعليقات",
    "error: Content is protected !!",
];

/// Section names that make up breadcrumb lines ("أخبار عالمية تقارير").
const SECTION_WORDS: &[&str] = &[
    "أخبار",
    "الأخبار",
    "خبر",
    "عالمية",
    "عالمي",
    "العالم",
    "دولية",
    "دولي",
    "عربية",
    "عربي",
    "محلية",
    "محلي",
    "تقارير",
    "تقرير",
    "سياسة",
    "السياسة",
    "اقتصاد",
    "الاقتصاد",
    "رياضة",
    "الرياضة",
    "منوعات",
    "ثقافة",
    "فن",
    "مقالات",
    "آراء",
    "رأي",
    "الرأي",
    "تحقيقات",
    "حوارات",
    "ملفات",
    "عاجل",
    "الرئيسية",
    "مجتمع",
    "صحة",
    "تكنولوجيا",
    "علوم",
    "فيديو",
    "صور",
];

fn key(line: &str) -> String {
    normalize(line)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn set(list: &[&str]) -> HashSet<String> {
    list.iter().map(|l| key(l)).collect()
}

fn lines() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| set(LINES))
}

fn footers() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| set(FOOTER_MARKERS))
}

fn sections() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| set(SECTION_WORDS))
}

/// A line that is site furniture wherever it stands.
pub fn is_boilerplate(line: &str) -> bool {
    let k = key(line);
    lines().contains(&k) || footers().contains(&k) || is_tag_line(&k) || is_hashtag_line(line)
}

/// A line after which only footer follows.
pub fn is_footer_marker(line: &str) -> bool {
    footers().contains(&key(line))
}

/// A line made only of section names and separators.
pub fn is_breadcrumb(line: &str) -> bool {
    let k = key(line);
    let words: Vec<&str> = k
        .split(|c: char| c.is_whitespace() || matches!(c, '>' | '»' | '|' | '/' | '-' | '›'))
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty() && words.len() <= 6 && words.iter().all(|w| sections().contains(*w))
}

/// A bare tag line as tag widgets print them: a few words, no punctuation,
/// every word repeated ("حفتر حفتر").
fn is_tag_line(k: &str) -> bool {
    let words: Vec<&str> = k.split(' ').collect();
    if words.len() < 2 || words.len() > 12 || k.chars().any(|c| !(c.is_alphanumeric() || c == ' '))
    {
        return false;
    }
    words
        .iter()
        .all(|w| words.iter().filter(|x| *x == w).count() >= 2)
}

/// A line of hashtags only.
fn is_hashtag_line(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    !words.is_empty() && words.iter().all(|w| w.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture() {
        for l in [
            "+ الخط -",
            "اظهر الملخص",
            "أظهر الملخص",
            "اترك رد",
            "error: Content is protected !!",
            "دلالات",
            "المساهمون",
            "حفتر حفتر",
            "#ليبيا #روسيا",
        ] {
            assert!(is_boilerplate(l), "{l}");
        }
        for l in ["لقاءات متكررة بين حفتر ويفكيروف", "حفتر", "الشرعية الدولية"]
        {
            assert!(!is_boilerplate(l), "{l}");
        }
        assert!(is_breadcrumb("أخبار عالمية تقارير"));
        assert!(!is_breadcrumb("حفتر في موسكو"));
    }
}
