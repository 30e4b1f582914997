//! Entities through the real binary: the seeds' expected entities, offsets,
//! disambiguation, discovery, editing the gazetteer, the JSON shapes.

use std::collections::HashSet;

use crate::common::*;

fn entities_in(a: &Archive, seed_prefix: &str) -> HashSet<String> {
    let conn = a.conn();
    let mut st = conn
        .prepare(
            "SELECT DISTINCT m.entity_id FROM mentions m JOIN sightings s ON s.article_id = m.article_id
             WHERE s.origin LIKE '%/' || ?1 || '%' AND m.how != 'discovered'",
        )
        .unwrap();
    st.query_map([seed_prefix], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn surfaces(a: &Archive, seed_prefix: &str, entity: &str) -> Vec<(String, String)> {
    let conn = a.conn();
    let mut st = conn
        .prepare(
            "SELECT m.surface, m.how FROM mentions m JOIN sightings s ON s.article_id = m.article_id
             WHERE s.origin LIKE '%/' || ?1 || '%' AND m.entity_id = ?2 ORDER BY m.field DESC, m.start",
        )
        .unwrap();
    st.query_map([seed_prefix, entity], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn seed_articles_have_their_entities() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let expected: [(&str, &[&str]); 5] = [
        (
            "000_",
            &[
                "andrei-belousov",
                "khaled-haftar",
                "saddam-haftar",
                "khalifa-haftar",
                "yunus-bek-yevkurov",
                "lna",
                "russian-mod",
                "moscow",
                "russia",
                "libya",
                "turkey",
                "united-states",
                "uae",
                "rajma",
                "turkish-intelligence",
                "house-of-representatives",
                "benghazi",
                "sirte",
                "tripoli",
                "jeremy-berndt",
                "benghazi-university",
                "mahmoud-al-kadiki",
                "ibrahim-nasser",
                "security-studies-platform",
                "bashar-al-assad",
                "syria",
                "egypt",
                "mohamed-abdelkarim",
                "abdulrazek-al-nadoori",
                "maria-zakharova",
                "russian-mfa",
                "eastern-economic-forum",
                "soviet-union",
                "vladimir-putin",
                "africa",
            ],
        ),
        (
            "001_",
            &[
                "russia",
                "libya",
                "khalifa-haftar",
                "moscow",
                "gna",
                "ahmed-al-mismari",
                "mattia-toaldo",
                "ecfr",
                "lna",
                "europe",
                "united-states",
            ],
        ),
        (
            "002_",
            &[
                "yunus-bek-yevkurov",
                "benghazi",
                "khalifa-haftar",
                "khaled-haftar",
                "khairi-al-tamimi",
                "ahmid-houma",
                "faraj-gaim",
                "house-of-representatives",
                "benina-airport",
                "wagner-group",
                "jufra-base",
                "kharruba-base",
                "rajma",
                "africa-corps",
                "us-state-department",
                "the-times",
                "sirte",
                "ras-lanuf",
                "febrayer-channel",
                "tariq-bin-ziyad-brigade",
                "saddam-haftar",
                "port-of-tobruk",
                "unsmil",
                "stephanie-khoury",
                "tunisia",
                "kremlin",
                "afp",
                "mikhail-metzel",
                "tripoli",
                "moscow",
                "russia",
                "libya",
            ],
        ),
        (
            "003_",
            &[
                "france-24",
                "khalifa-haftar",
                "moscow",
                "vladimir-putin",
                "sergei-shoigu",
                "kremlin",
                "derna",
                "lna",
                "facebook",
                "dmitry-peskov",
                "tass",
                "benghazi",
                "wagner-group",
                "ukraine",
                "turkey",
                "uae",
                "saddam-haftar",
                "al-rewaya-al-oula",
                "disaster-authority",
            ],
        ),
        (
            "004_",
            &[
                "tripoli",
                "lna",
                "khalifa-haftar",
                "vladimir-putin",
                "sergei-shoigu",
                "benghazi",
                "wagner-group",
                "africa",
                "yunus-bek-yevkurov",
                "kremlin",
                "michael-langley",
                "africom",
                "russia",
                "moscow",
                "libya",
            ],
        ),
    ];
    for (prefix, ids) in expected {
        let found = entities_in(&a, prefix);
        let missing: Vec<&&str> = ids.iter().filter(|id| !found.contains(**id)).collect();
        assert!(
            missing.is_empty(),
            "{prefix}: missing {missing:?}; found {found:?}"
        );
    }
    // 001's byline (author and outlet) is metadata, not text; the gazetteer
    // still knows both names.
    for name in ["عبدالعزيز الروَّاف", "إرم نيوز"] {
        assert!(a.run(&["entity", name]).status.success(), "{name}");
    }
    // Spelling variants and diacritics.
    assert!(
        surfaces(&a, "000_", "andrei-belousov")
            .iter()
            .any(|(s, _)| s == "بيلاسوف")
    );
    assert!(
        surfaces(&a, "004_", "yunus-bek-yevkurov")
            .iter()
            .any(|(s, _)| s == "يونس يفكيروف")
    );
    assert!(
        surfaces(&a, "002_", "saddam-haftar")
            .iter()
            .any(|(s, _)| s == "صدّام حفتر")
    );
    // A bare حفتر is Khalifa; lone first names after the full name are the sons.
    assert!(
        surfaces(&a, "002_", "khalifa-haftar")
            .iter()
            .any(|(s, _)| s == "حفتر")
    );
    assert!(surfaces(&a, "000_", "khaled-haftar").contains(&("خالد".into(), "short".into())));
    assert!(surfaces(&a, "000_", "saddam-haftar").contains(&("صدام".into(), "short".into())));
    // "خالد، نجل حفتر" in 002: a first name introduced by kinship.
    assert!(
        surfaces(&a, "002_", "khaled-haftar")
            .iter()
            .any(|(s, _)| s == "خالد")
    );

    // Offsets slice the published text exactly.
    let bad = a.count(
        "SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id
         WHERE substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start + 1, m.end - m.start) != m.surface",
    );
    assert_eq!(bad, 0);
    assert!(a.count("SELECT count(*) FROM entities WHERE status = 'accepted'") >= 120);
}

#[test]
fn commands_and_json_shapes() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let out = a.run(&["entities", "--format", "json", "--limit", "5"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in ["id", "name_ar", "name_en", "type", "articles", "mentions"] {
        assert!(v[0].get(k).is_some(), "entities JSON lacks {k}");
    }
    // NAME by id, Arabic name, English name or alias.
    for name in [
        "yunus-bek-yevkurov",
        "يونس بك يفكيروف",
        "Yunus-Bek Yevkurov",
        "يفكيروف",
        "يونس يفكيروف",
    ] {
        let out = a.run(&["entity", name, "--format", "json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(p["id"], "yunus-bek-yevkurov");
        assert_eq!(p["articles"], 3);
    }
    // Co-mentions count shared sentences, and shared articles (never more
    // than the entity's 3), as v_cooccurrence counts them.
    let out = a.run(&["entity", "يفكيروف", "--format", "json"]);
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |list: &str, id: &str| {
        p[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["count"].as_i64().unwrap())
    };
    assert_eq!(count("same_article", "khalifa-haftar"), Some(3));
    assert_eq!(count("same_sentence", "khalifa-haftar"), Some(7));
    assert!(
        p["same_article"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["count"].as_i64().unwrap() <= 3)
    );
    assert_eq!(
        a.count("SELECT articles_with_both FROM v_cooccurrence WHERE entity_a = 'khalifa-haftar' AND entity_b = 'yunus-bek-yevkurov'"),
        3
    );
    let out = a.run(&[
        "mentions",
        "يفكيروف",
        "--with",
        "بنغازي",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert!(!rows.is_empty());
    for k in [
        "article_id",
        "external_id",
        "origin",
        "entity_id",
        "surface",
        "start",
        "end",
        "sentence",
    ] {
        assert!(rows[0].get(k).is_some(), "mentions JSON lacks {k}");
    }
    for r in rows {
        assert!(r["sentence"].as_str().unwrap().contains("بنغازي"), "{r}");
    }
    let out = a.run(&["cooccur", "بوتين", "شويغو", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    // 003 names both in one sentence; 004 in neighbouring ones.
    let with_sentence = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["sentences"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(with_sentence, 1);
    let out = a.run(&["search", "موسكو", "--entity", "بيلاوسوف", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let out = a.run(&["entity", "لا أحد بهذا الاسم"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no id, name or alias"));
    let profile = a.run(&["entity", "حفتر"]);
    assert!(
        stdout(&profile).contains("monthly articles"),
        "{}",
        stdout(&profile)
    );
}

#[test]
fn editing_the_gazetteer_and_reextracting() {
    let a = Archive::new();
    let f = a.path("a.txt");
    std::fs::write(
        &f,
        "عنوان\n\nقال المتحدث باسم الخارجية الأمريكية نيد برايس إن حفتر التقى برايس في بنغازي.",
    )
    .unwrap();
    // Discovery after titles alone (the model finds him: tests/integration/linking.rs).
    let out = a.run(&["--model", "none", "ingest", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = a.run(&["entities", "--candidates", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array().unwrap().is_empty(),
        "نيد is not a listed given name: {v}"
    );

    let out = a.run(&[
        "entity",
        "add",
        "ned-price",
        "--type",
        "person",
        "--ar",
        "نيد برايس",
        "--en",
        "Ned Price",
        "--alias",
        "برايس",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(a.run(&["reextract"]).status.success());
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'ned-price'"),
        2
    );
    // Idempotent.
    let before = a.count("SELECT count(*) FROM mentions");
    assert!(a.run(&["reextract"]).status.success());
    assert_eq!(a.count("SELECT count(*) FROM mentions"), before);

    assert!(
        a.run(&["entity", "merge", "ned-price", "khalifa-haftar"])
            .status
            .success()
    );
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'ned-price'"),
        0
    );
    let out = a.run(&["entity", "ned-price", "--format", "json"]);
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        p["id"], "khalifa-haftar",
        "a merged id resolves to its target"
    );
    assert!(a.run(&["check"]).status.success());
}

/// An archive of one article naming a man the gazetteer does not know, after
/// a role: discovery makes him a candidate.
fn pompeo_archive() -> Archive {
    let a = Archive::new();
    let f = a.path("a.txt");
    std::fs::write(
        &f,
        "عنوان\n\nوقال وزير الخارجية الأمريكي مايك بومبيو إن بلاده تتابع الوضع في ليبيا.",
    )
    .unwrap();
    a.ingest_json(&[&f]);
    a
}

#[test]
fn discovered_candidates_can_be_accepted_or_rejected() {
    let a = pompeo_archive();
    let out = a.run(&["entities", "--candidates", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["name_ar"], "مايك بومبيو", "{v}");
    let id = v[0]["id"].as_str().unwrap().to_string();
    assert!(
        a.run(&["check"]).status.success(),
        "candidates are in entities_fts too"
    );
    // Re-extracting rediscovers the same candidate under the same id.
    let out = a.run(&["reextract"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        a.count(&format!(
            "SELECT count(*) FROM entities WHERE id = '{id}' AND status = 'candidate'"
        )),
        1
    );
    assert!(a.run(&["check"]).status.success());
    assert!(a.run(&["entity", "reject", &id]).status.success());
    assert!(a.run(&["reextract"]).status.success());
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE status = 'candidate'"),
        0,
        "a rejected name is not proposed again"
    );
}

#[test]
fn corpus_offsets_and_football_wagner() {
    let Some(corpus) = shared_corpus("ant-multisource-2018.jsonl.gz") else {
        eprintln!("skipping: shared corpus not present");
        return;
    };
    let a = Archive::new();
    a.ingest_json(&[&corpus]);
    // Stories are copies of their canonical article, never chains (issue 19).
    let (stories, largest) = crate::dedup::assert_stories_are_copies(&a);
    println!("2018 corpus: {stories} stories with copies, the largest {largest}");
    assert!(stories > 100, "the corpus has copies");
    // Every mention's offsets slice the published text to its surface form.
    let bad = a.count(
        "SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id
         WHERE substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start + 1, m.end - m.start) != m.surface",
    );
    assert_eq!(bad, 0);
    assert!(a.count("SELECT count(*) FROM mentions") > 100_000);
    // فاغنر in sport articles is a footballer or a coach, not the Wagner Group.
    let sport_with_wagner = a.count(
        "SELECT count(*) FROM articles WHERE json_extract(extra, '$.category') = 'sport'
         AND (body LIKE '%فاغنر%' OR body LIKE '%فاجنر%')",
    );
    assert!(
        sport_with_wagner >= 5,
        "the corpus has football articles naming فاغنر"
    );
    let tagged = a.count(
        "SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id
         WHERE m.entity_id = 'wagner-group' AND json_extract(a.extra, '$.category') IN ('sport', 'culture')",
    );
    assert_eq!(tagged, 0);
    assert!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'wagner-group'") >= 10,
        "the group itself is still found"
    );
}

#[test]
fn clitics_and_blank_aliases_are_refused_by_name() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let aliases = || a.count("SELECT count(*) FROM entity_aliases");
    let before = aliases();
    for (args, bad) in [
        (vec!["entity", "alias", "حفتر", "و"], "\"و\""),
        (vec!["entity", "alias", "حفتر", "   "], "\"   \""),
        (vec!["entity", "alias", "حفتر", "وال", "--short"], "\"وال\""),
        (
            vec![
                "entity",
                "add",
                "x-y",
                "--type",
                "person",
                "--ar",
                "اسم جديد",
                "--alias",
                "لل",
            ],
            "\"لل\"",
        ),
    ] {
        let out = a.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?} accepted");
        assert!(stderr(&out).contains(bad), "{args:?}: {}", stderr(&out));
    }
    let file = a.path("bad.tsv");
    std::fs::write(&file, "new-one\tperson\tاسم جديد\t\t\tاسم|ب\n").unwrap();
    let out = a.run(&["entities", "--import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"ب\""), "{}", stderr(&out));
    assert_eq!(aliases(), before);
    // A real alias still goes in.
    let out = a.run(&["entity", "alias", "حفتر", "المشير"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// export entities --format tsv → edit → entities --import --replace is
/// exactly the edit: nothing else lost, the removed alias gone.
#[test]
fn the_gazetteer_round_trips_through_export_and_import() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let before_mentions = a.count("SELECT count(*) FROM mentions");
    let how = || a.count("SELECT count(*) FROM mentions WHERE how = 'name'");
    let before_names = how();
    let before_entities = a.count("SELECT count(*) FROM entities WHERE status = 'accepted'");
    let out = a.run(&["export", "entities", "--format", "tsv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tsv = stdout(&out);
    let file = a.path("g.tsv");
    std::fs::write(&file, &tsv).unwrap();
    let out = a.run(&["entities", "--import", file.to_str().unwrap(), "--replace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(a.run(&["reextract"]).status.success());
    assert_eq!(a.count("SELECT count(*) FROM mentions"), before_mentions);
    assert_eq!(
        how(),
        before_names,
        "the round trip changed how mentions were found"
    );
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE status = 'accepted'"),
        before_entities
    );
    assert_eq!(
        stdout(&a.run(&["export", "entities", "--format", "tsv"])),
        tsv
    );

    // An analyst's bad alias: added, refused for another entity, then removed.
    let out = a.run(&["entity", "alias", "صدام حفتر", "حفتر"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already names entity khalifa-haftar"),
        "{}",
        stderr(&out)
    );
    assert!(
        a.run(&["entity", "alias", "khalifa-haftar", "قائد عملية الكرامة"])
            .status
            .success()
    );
    let edited = stdout(&a.run(&["export", "entities", "--format", "tsv"]));
    assert!(edited.contains("قائد عملية الكرامة"));
    // The edit: remove it in the file, import with --replace.
    let without: String = edited
        .lines()
        .map(|l| {
            l.replace("|قائد عملية الكرامة", "")
                .replace("قائد عملية الكرامة|", "")
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, without).unwrap();
    assert!(
        a.run(&["entities", "--import", file.to_str().unwrap(), "--replace"])
            .status
            .success()
    );
    assert_eq!(
        stdout(&a.run(&["export", "entities", "--format", "tsv"])),
        tsv
    );
    // And by hand.
    assert!(
        a.run(&["entity", "alias", "khalifa-haftar", "قائد عملية الكرامة"])
            .status
            .success()
    );
    assert!(
        a.run(&[
            "entity",
            "alias",
            "khalifa-haftar",
            "قائد عملية الكرامة",
            "--remove"
        ])
        .status
        .success()
    );
    assert_eq!(
        stdout(&a.run(&["export", "entities", "--format", "tsv"])),
        tsv
    );
    let out = a.run(&[
        "entity",
        "alias",
        "khalifa-haftar",
        "قائد عملية الكرامة",
        "--remove",
    ]);
    assert!(stderr(&out).contains("has no alias"), "{}", stderr(&out));
    // An entity's own name is no alias of it: adding it would let --remove
    // delete the name (or --short demote it).
    for extra in [&[][..], &["--short"][..]] {
        let mut args = vec!["entity", "alias", "moscow", "موسكو"];
        args.extend_from_slice(extra);
        let out = a.run(&args);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stderr(&out).contains("already moscow's name"),
            "{}",
            stderr(&out)
        );
    }
    let out = a.run(&["entity", "alias", "moscow", "موسكو", "--remove"]);
    assert!(stderr(&out).contains("has no alias"), "{}", stderr(&out));
    assert!(
        a.count("SELECT count(*) FROM entity_aliases WHERE entity_id = 'moscow' AND kind = 'name'")
            >= 1
    );
    // Short names are marked as such in the profile.
    let p = stdout(&a.run(&["entity", "حفتر"]));
    assert!(
        p.contains("short, only after the full name in the same article: خليفة"),
        "{p}"
    );
}

/// `--from/--to` on entity, mentions and cooccur keep only articles of the
/// window; `entity --by` sets the timeline's step.
#[test]
fn entity_mentions_and_cooccur_take_a_date_window() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let json = |args: &[&str]| -> serde_json::Value {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let all = json(&["entity", "حفتر", "--format", "json"]);
    let may = json(&[
        "entity", "حفتر", "--from", "2024-05", "--to", "2024-05", "--format", "json",
    ]);
    assert!(may["articles"].as_i64() < all["articles"].as_i64(), "{may}");
    assert_eq!(
        may["timeline"],
        serde_json::json!([["2024-05", may["articles"]]])
    );
    assert_eq!(may["undated"], 0);
    let years = json(&["entity", "حفتر", "--by", "year", "--format", "json"]);
    assert!(
        years["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p[0].as_str().unwrap().len() == 4)
    );
    let weeks = json(&["entity", "حفتر", "--by", "week", "--format", "json"]);
    assert!(
        weeks["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0] == "2024-05-27"),
        "{weeks}"
    );

    let m = json(&[
        "mentions",
        "حفتر",
        "--from",
        "2024-05-31",
        "--format",
        "json",
    ]);
    let ids: std::collections::BTreeSet<i64> = m
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["article_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let c = json(&[
        "cooccur",
        "حفتر",
        "روسيا",
        "--to",
        "2016",
        "--format",
        "json",
    ]);
    assert_eq!(c.as_array().unwrap().len(), 1, "{c}");
    assert!(c[0]["published_at"].as_str().unwrap().starts_with("2016"));
    let bad = a.run(&["mentions", "حفتر", "--from", "2018-13"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A discovered candidate has a readable id from the start (issue 20; it
/// was `cand-<hash>` until accepted) and keeps it when accepted; a
/// reextract keeps its mentions under that id, not a new candidate.
#[test]
fn an_accepted_candidate_gets_a_readable_id_and_keeps_the_old_one() {
    let a = pompeo_archive();
    let out = a.run(&["entities", "--candidates", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["id"], "mayk-bwmbyw", "{v}");
    let out = a.run(&["entity", "accept", "مايك بومبيو"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("mayk-bwmbyw accepted"),
        "{}",
        stdout(&out)
    );
    for name in ["mayk-bwmbyw", "مايك بومبيو"] {
        let p: serde_json::Value =
            serde_json::from_slice(&a.run(&["entity", name, "--format", "json"]).stdout).unwrap();
        assert_eq!(p["id"], "mayk-bwmbyw", "{name}: {p}");
        assert_eq!(p["mentions"], 1, "{name}: {p}");
    }
    assert!(a.run(&["reextract"]).status.success());
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'mayk-bwmbyw'"),
        1
    );
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE status = 'candidate'"),
        0
    );
    assert!(a.run(&["check"]).status.success());
}

/// A sentence naming Haftar three times gives three context lines, each
/// marking its own mention (all three marked the first one).
#[test]
fn mentions_mark_the_mention_itself() {
    let a = Archive::new();
    let f = a.path("t.txt");
    std::fs::write(
        &f,
        "عنوان الخبر\n\nقال حفتر إن حفتر سيزور موسكو لأن حفتر يريد دعما من روسيا.\n",
    )
    .unwrap();
    a.ingest_json(&[&f]);
    let out = stdout(&a.run(&["mentions", "حفتر", "--with", "روسيا"]));
    let marks: Vec<usize> = out.lines().filter_map(|l| l.find("[حفتر]")).collect();
    assert_eq!(marks.len(), 3, "{out}");
    let distinct: std::collections::BTreeSet<_> = marks.iter().collect();
    assert_eq!(distinct.len(), 3, "the same occurrence marked twice: {out}");
}

/// A name pasted with spaces around it is the name; a long unknown name is
/// quoted by its start; a window whose --from is after its --to is refused
/// by every command that takes one, instead of answering nothing.
#[test]
fn pasted_names_and_inverted_windows() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let out = a.run(&["entity", "  حفتر ", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let long = "ب".repeat(5000);
    let out = a.run(&["entity", &long]);
    assert!(!out.status.success());
    assert!(stderr(&out).len() < 1000, "{}", stderr(&out).len());
    for args in [
        &["search", "حفتر", "--from", "2018-05", "--to", "2018-03"][..],
        &["entities", "--from", "2018-05", "--to", "2018-03"],
        &[
            "entity",
            "حفتر",
            "--from",
            "2018-05-02",
            "--to",
            "2018-05-01",
        ],
        &["mentions", "حفتر", "--from", "2018", "--to", "2017"],
        &[
            "cooccur",
            "حفتر",
            "روسيا",
            "--from",
            "2018-05",
            "--to",
            "2018-03",
        ],
        &["export", "mentions", "--from", "2018-05", "--to", "2018-03"],
        &[
            "run",
            "who-met-whom",
            "--from",
            "2018-05",
            "--to",
            "2018-03",
        ],
    ] {
        let out = a.run(args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("is after --to"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // Bounds of different precision that overlap are a window.
    for args in [
        &["search", "حفتر", "--from", "2016-05-24", "--to", "2016-05"][..],
        &[
            "run",
            "who-met-whom",
            "--from",
            "2016-05",
            "--to",
            "2016-05-31",
        ],
    ] {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
}

/// A name another entity has is refused by every edit that gives names, as
/// `entity alias` refused it (`--force` adds it with a warning; an import
/// warns); an edit naming a merged id is refused, not applied to what it was
/// merged into; a merge into a rejected entity or across types is refused.
#[test]
fn edits_refuse_shared_names_merged_ids_and_risky_merges() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let refused = |args: &[&str], says: &str| {
        let out = a.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    };
    refused(
        &[
            "entity",
            "add",
            "dup",
            "--type",
            "person",
            "--ar",
            "خليفة حفتر",
        ],
        "already names entity khalifa-haftar",
    );
    refused(
        &[
            "entity",
            "add",
            "foo",
            "--type",
            "person",
            "--ar",
            "شخص جديد",
            "--alias",
            "حفتر",
        ],
        "already names entity khalifa-haftar",
    );
    refused(
        &["entity", "rename", "russia", "--ar", "حفتر"],
        "already names entity khalifa-haftar",
    );
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE id IN ('dup', 'foo')"),
        0
    );
    // A candidate's name: accepting the candidate is the way.
    let (cand, cand_name): (String, String) = a
        .conn()
        .query_row(
            "SELECT id, name_ar FROM entities WHERE status = 'candidate' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    refused(
        &[
            "entity", "add", "new-one", "--type", "person", "--ar", &cand_name,
        ],
        &format!("`marsad entity accept {cand}`"),
    );
    let forced = a.run(&[
        "entity",
        "add",
        "dup",
        "--type",
        "person",
        "--ar",
        "خليفة حفتر",
        "--force",
    ]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stderr(&forced).contains("warning"), "{}", stderr(&forced));
    // A gazetteer line imported; its warnings.
    let import = |name: &str, line: &str| {
        let tsv = a.path(name);
        std::fs::write(&tsv, line).unwrap();
        let out = a.run(&["entities", "--import", tsv.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let warned = import("g.tsv", "dup2\tperson\tخليفة حفتر\t\t\t\t\t\t\n");
    assert!(
        warned.contains("dup2: \"خليفة حفتر\" also names"),
        "{warned}"
    );

    let ok = |args: &[&str]| {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    ok(&["entity", "merge", "khaled-haftar", "saddam-haftar"]);
    refused(
        &["entity", "merge", "khaled-haftar", "libya", "--force"],
        "was merged into saddam-haftar",
    );
    refused(
        &["entity", "reject", "khaled-haftar"],
        "was merged into saddam-haftar",
    );
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE id = 'saddam-haftar' AND status = 'accepted'"),
        1
    );
    refused(
        &["entity", "merge", "saddam-haftar", "libya"],
        "is a person and libya a place",
    );
    ok(&["entity", "reject", "turkey"]);
    refused(
        &["entity", "merge", "russia", "turkey"],
        "turkey is rejected",
    );
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE merged_into IS NOT NULL"),
        1
    );
    ok(&["check"]);

    // A name two live entities have: the one taken is said, and the others.
    let warned = import(
        "twin.tsv",
        "twin-org\torg\tروسيا\t\t\t\t\t\tnowhere-country\n",
    );
    assert!(
        warned.contains("\"nowhere-country\" is no entity's id"),
        "{warned}"
    );
    let out = a.run(&["entity", "روسيا"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("also names twin-org (org, accepted)"),
        "{}",
        stderr(&out)
    );
    let by_id = a.run(&["entity", "russia"]);
    assert!(!stderr(&by_id).contains("also names"), "{}", stderr(&by_id));
}
