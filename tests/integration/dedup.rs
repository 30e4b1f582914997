//! Near-duplicate detection measured on pairs built from the shared 2018
//! corpus: 200+ constructed copies (headline changed, paragraph dropped,
//! prefix added, 5% and 10% of words substituted) and 200+ same-topic
//! non-copies; plus the end-to-end behaviour on an archive.

use std::collections::HashSet;
use std::io::BufRead;

use crate::common::*;
use marsad::dedup::{self, band_keys, signature, similarity};

/// Deterministic pseudo-random numbers (no dependency, fixed seed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn corpus_articles() -> Option<Vec<(String, String)>> {
    let path = shared_corpus("ant-multisource-2018.jsonl.gz")?;
    let f = std::fs::File::open(path).unwrap();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(f)).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = v["text"].as_str().unwrap_or("").to_string();
        if text.split_whitespace().count() >= 150
            && text.matches('\n').count() >= 3
            && seen.insert(text.clone())
        {
            out.push((v["title"].as_str().unwrap_or("").to_string(), text));
        }
    }
    Some(out)
}

fn substitute(text: &str, share: f64, rng: &mut Lcg, vocab: &[&str]) -> String {
    text.split(' ')
        .map(|w| {
            if (rng.next() % 1000) as f64 / 1000.0 < share {
                vocab[(rng.next() as usize) % vocab.len()]
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn detected(a: &str, b: &str) -> (bool, f64) {
    let (Some(sa), Some(sb)) = (signature(a), signature(b)) else {
        return (false, 0.0);
    };
    let shared_band = band_keys(&sa)
        .iter()
        .zip(band_keys(&sb))
        .any(|(x, y)| *x == y);
    let s = similarity(&sa, &sb);
    (shared_band && s >= dedup::DEFAULT_THRESHOLD, s)
}

#[test]
fn precision_and_recall_on_constructed_pairs() {
    let Some(articles) = corpus_articles() else {
        eprintln!("skipping: shared corpus not present");
        return;
    };
    let mut rng = Lcg(42);
    let vocab: Vec<&str> = articles
        .iter()
        .take(300)
        .flat_map(|(_, t)| t.split_whitespace())
        .collect();
    let kinds = ["headline", "paragraph", "prefix", "sub5", "sub10"];
    let mut hits = [0usize; 5];
    let mut totals = [0usize; 5];
    let step = articles.len() / 250;
    for (n, (_, text)) in articles.iter().step_by(step).take(250).enumerate() {
        let k = n % kinds.len();
        let copy = match kinds[k] {
            "headline" => text.clone(),
            "paragraph" => {
                let mut ps: Vec<&str> = text.split('\n').collect();
                ps.pop();
                ps.join("\n")
            }
            "prefix" => format!("في تقرير لفرانس24 – {text}"),
            "sub5" => substitute(text, 0.05, &mut rng, &vocab),
            _ => substitute(text, 0.10, &mut rng, &vocab),
        };
        totals[k] += 1;
        if detected(text, &copy).0 {
            hits[k] += 1;
        }
    }
    // Same-topic non-copies: articles sharing a distinctive word.
    let mut negatives = 0;
    let mut false_pos = 0;
    for topic in [
        "حفتر",
        "خاشقجي",
        "إدلب",
        "الحديدة",
        "بريكست",
        "المونديال",
        "كوريا الشمالية",
        "الانتخابات العراقية",
    ] {
        let with: Vec<&(String, String)> = articles
            .iter()
            .filter(|(_, t)| t.contains(topic))
            .take(12)
            .collect();
        for i in 0..with.len() {
            for j in i + 1..with.len() {
                if with[i].0 == with[j].0 {
                    continue; // the same story filed twice is a real copy
                }
                negatives += 1;
                if detected(&with[i].1, &with[j].1).0 {
                    false_pos += 1;
                }
            }
        }
    }
    let tp: usize = hits.iter().sum();
    let pairs: usize = totals.iter().sum();
    let recall = tp as f64 / pairs as f64;
    let precision = tp as f64 / (tp + false_pos) as f64;
    let per_kind: Vec<String> = kinds
        .iter()
        .zip(hits.iter().zip(&totals))
        .map(|(k, (h, t))| format!("{k} {h}/{t}"))
        .collect();
    println!(
        "pairs {pairs}, non-pairs {negatives}: recall {recall:.3}, precision {precision:.3}, false positives {false_pos} ({})",
        per_kind.join(", ")
    );
    assert!(
        pairs >= 200 && negatives >= 200,
        "{pairs} pairs, {negatives} non-pairs"
    );
    assert!(recall >= 0.95, "recall {recall}: {per_kind:?}");
    assert!(
        precision >= 0.97,
        "precision {precision}, {false_pos} false positives"
    );
}

#[test]
fn stories_in_the_archive_and_search_shows_one_per_story() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    // A lightly edited copy of seed 003: a new headline and a dateline.
    let seed = std::fs::read_to_string(seeds_dir().join("003_2b9fa4ce4607d7a9.txt")).unwrap();
    let copy = seed.replacen(
        "في تقرير لفرانس24 – ما هي الدوافع لزيارة خليفة حفتر إلي موسكو",
        "حفتر في موسكو: ما الدوافع؟\n\nباريس – ",
        1,
    );
    let f = a.path("copy.txt");
    std::fs::write(&f, copy).unwrap();
    let (s, ..) = a.ingest_json(&[&f]);
    assert_eq!(s["new"], 1, "a near copy is a new article");
    let out = a.run(&["duplicates", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stories = v.as_array().unwrap();
    assert_eq!(stories.len(), 1, "{v}");
    let members = stories[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    for k in ["id", "external_id", "origin", "similarity"] {
        assert!(members[0].get(k).is_some(), "member JSON lacks {k}");
    }
    assert!(members[0]["similarity"].as_f64().unwrap() > 0.8);
    assert!(stories[0].get("story_id").is_some());

    let ids = |args: &[&str]| -> Vec<i64> {
        let out = a.run(args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&["search", "دميتري بيسكوف", "--format", "json"]).len(),
        1,
        "copies hidden by default"
    );
    assert_eq!(
        ids(&["search", "دميتري بيسكوف", "--all", "--format", "json"]).len(),
        2
    );
    let out = a.run(&["search", "دميتري بيسكوف"]);
    assert!(
        stdout(&out).contains("(also 1 other copy"),
        "{}",
        stdout(&out)
    );

    // The other seeds are different stories, though all about Haftar.
    assert_eq!(a.count("SELECT count(DISTINCT story_id) FROM stories"), 5);
    // Rebuilding gives the same stories.
    assert!(a.run(&["dedup", "--rebuild"]).status.success());
    assert_eq!(a.count("SELECT count(*) FROM near_duplicates"), 1);
    assert_eq!(a.count("SELECT count(*) FROM v_stories"), 2);
}
