//! Views, read-only SQL, saved queries and export, through the real binary.

use crate::common::*;
use assert_cmd::Command;

fn json(a: &Archive, args: &[&str]) -> serde_json::Value {
    let out = a.run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stdout(&out)))
}

#[test]
fn every_view_is_documented_and_answers_on_the_seeds() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let views = json(&a, &["views", "--format", "json"]);
    let names: Vec<String> = views
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    let in_schema = a.count(
        "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name LIKE 'v\\_%' ESCAPE '\\'",
    );
    assert_eq!(
        names.len() as i64,
        in_schema,
        "every view has a line in view_docs"
    );
    assert!(names.len() >= 9);
    for v in views.as_array().unwrap() {
        // Each documented example runs and returns rows on the seeds.
        let rows = json(
            &a,
            &["sql", v["example"].as_str().unwrap(), "--format", "json"],
        );
        let _ = rows;
    }
    let stats = json(
        &a,
        &[
            "sql",
            "SELECT articles FROM v_entity_stats WHERE entity_id = 'khalifa-haftar'",
            "--format",
            "json",
        ],
    );
    assert_eq!(stats[0]["articles"], 5);
    let pair = json(
        &a,
        &[
            "sql",
            "SELECT sentences_with_both, articles_with_both FROM v_cooccurrence WHERE entity_a = 'sergei-shoigu' AND entity_b = 'vladimir-putin'",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        (
            pair[0]["articles_with_both"].as_i64(),
            pair[0]["sentences_with_both"].as_i64().unwrap() >= 1
        ),
        (Some(2), true)
    );
    let dup = a.path("copy.txt");
    std::fs::copy(seeds_dir().join("001_b2265ed832da592c.txt"), &dup).unwrap();
    a.ingest_json(&[&dup]);
    let groups = json(
        &a,
        &[
            "sql",
            "SELECT article_id, copies FROM v_duplicate_groups",
            "--format",
            "json",
        ],
    );
    assert_eq!(groups.as_array().unwrap().len(), 2);
    assert_eq!(groups[0]["copies"], 2);
    let runs = json(
        &a,
        &[
            "sql",
            "SELECT run_id, new_articles, status FROM v_runs ORDER BY run_id",
            "--format",
            "json",
        ],
    );
    assert_eq!(runs[0]["new_articles"], 5);
}

#[test]
fn sql_is_read_only_and_binds_parameters() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    for bad in [
        "DELETE FROM articles",
        "UPDATE articles SET title = 'x'",
        "INSERT INTO outlets(name) VALUES ('x')",
        "DROP VIEW v_articles",
        "CREATE TABLE t(x)",
        "ATTACH '/tmp/marsad-attach-test.db' AS x",
        "PRAGMA journal_mode=DELETE",
        "PRAGMA query_only=0",
        "SELECT 1; DELETE FROM articles",
        "VACUUM",
        "SELECT load_extension('x')",
    ] {
        let out = a.run(&["sql", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad} was not refused");
        let err = stderr(&out);
        assert!(
            err.contains("refused") || err.contains("one SQL statement"),
            "{bad}: {err}"
        );
    }
    assert_eq!(a.count("SELECT count(*) FROM articles"), 5);
    assert!(!std::path::Path::new("/tmp/marsad-attach-test.db").exists());
    // A mistake that names a read-only thing is a mistake, not a refusal.
    let out = a.run(&["sql", "SELECT readonly FROM articles"]);
    assert!(
        stderr(&out).contains("SQL error: no such column: readonly"),
        "{}",
        stderr(&out)
    );
    // Read pragmas work.
    assert!(
        a.run(&["sql", "PRAGMA table_info(articles)"])
            .status
            .success()
    );

    // A value that would be an injection if interpolated is just a value.
    let hostile = "x' OR '1'='1";
    let rows = json(
        &a,
        &[
            "sql",
            "SELECT count(*) AS n FROM articles WHERE title = :t",
            "-p",
            &format!("t={hostile}"),
            "--format",
            "json",
        ],
    );
    assert_eq!(rows.as_array().map(|r| r.len()).unwrap_or(0), 1);
    assert_eq!(rows[0]["n"], 0);
    let rows = json(
        &a,
        &[
            "sql",
            "SELECT id FROM articles WHERE id = :id",
            "-p",
            "id=2",
            "--format",
            "json",
        ],
    );
    assert_eq!(rows[0]["id"], 2);
    let out = a.run(&["sql", "SELECT :a, :b", "-p", "a=1"]);
    assert!(
        stderr(&out).contains("missing parameters: b"),
        "{}",
        stderr(&out)
    );
    let out = a.run(&["sql", "SELECT 1", "-p", "zz=1"]);
    assert!(stderr(&out).contains("does not appear"), "{}", stderr(&out));
}

#[test]
fn shipped_queries_run_on_the_seeds() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let qs = json(&a, &["queries", "--format", "json"]);
    assert_eq!(qs.as_array().unwrap().len(), 8);
    let meet = json(&a, &["run", "russian-libyan-meetings", "--format", "json"]);
    assert!(
        meet.as_array()
            .unwrap()
            .iter()
            .any(|r| r["russian"] == "yunus-bek-yevkurov" && r["libyan"] == "khalifa-haftar"),
        "{meet}"
    );
    let who = json(
        &a,
        &["run", "who-met-whom", "--limit", "5", "--format", "json"],
    );
    assert!(who.as_array().unwrap().len() <= 5 && !who.as_array().unwrap().is_empty());
    // The saved search runs marsad_match() and marsad_snippet(), built into
    // `marsad run`: the same articles as `marsad search --all`.
    let found = json(&a, &["run", "search", "--q", "حفتر", "--format", "json"]);
    let cli = json(
        &a,
        &[
            "search", "حفتر", "--all", "--limit", "1000", "--format", "json",
        ],
    );
    let ids = |v: &serde_json::Value| {
        let mut x: Vec<i64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        x.sort();
        x
    };
    assert!(!ids(&cli).is_empty());
    assert_eq!(ids(&found), ids(&cli), "{found}");
    assert!(
        found[0]["snippet"].as_str().unwrap().contains("[حفتر]"),
        "{found}"
    );
    let default = json(&a, &["run", "search", "--format", "json"]);
    assert!(
        !default.as_array().unwrap().is_empty(),
        "the default q finds the seeds' Haftar"
    );
    for q in ["entity-mentions", "entity-timeline"] {
        let rows = json(&a, &["run", q, "--format", "json"]);
        assert!(!rows.as_array().unwrap().is_empty(), "{q}: {rows}");
    }
    let top = json(&a, &["run", "top-entities-week", "--format", "json"]);
    assert_eq!(
        top[0]["this_week"], 1,
        "the 2024-05-31 article is the latest week: {top}"
    );
    let new = json(
        &a,
        &["run", "new-entities", "--days", "3650", "--format", "json"],
    );
    assert!(
        new.as_array()
            .unwrap()
            .iter()
            .any(|r| r["entity_id"] == "yunus-bek-yevkurov")
    );
    let outlets = json(
        &a,
        &[
            "run",
            "outlets-covering-entity",
            "--entity",
            "khalifa-haftar",
            "--format",
            "json",
        ],
    );
    assert!(
        outlets
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["outlet"] == "إرم نيوز")
    );
    let out = a.run(&["run", "outlets-covering-entity", "--nope", "1"]);
    assert!(stderr(&out).contains("no parameter"), "{}", stderr(&out));

    // A user's own query beside the archive.
    std::fs::create_dir(a.path("queries")).unwrap();
    std::fs::write(
        a.path("queries/mine.sql"),
        "-- name: mine\n-- description: count\n-- param: n = 2\nSELECT :n + 1 AS v;\n",
    )
    .unwrap();
    let mine = json(&a, &["run", "mine", "--format", "json"]);
    assert_eq!(mine[0]["v"], 3);
}

#[test]
fn export_round_trips_through_ingest() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let out = a.run(&["export", "articles", "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = a.path("export.jsonl");
    std::fs::write(&file, &out.stdout).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);

    let b = Archive::new();
    let (s, code, err) = b.ingest_json(&[&file]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s["new"], 5);
    let hashes = |x: &Archive| -> Vec<String> {
        let c = x.conn();
        let mut st = c.prepare("SELECT content_sha256 || title || coalesce(published_at, '') FROM articles ORDER BY content_sha256").unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(hashes(&a), hashes(&b));

    let out = a.run(&[
        "export",
        "mentions",
        "--entity",
        "يفكيروف",
        "--format",
        "csv",
    ]);
    let csv = stdout(&out);
    assert!(csv.starts_with(
        "article_id,external_id,origin,entity_id,field,surface,start,end,sentence,how"
    ));
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains("yunus-bek-yevkurov"))
    );
    assert_eq!(
        csv.lines().count() as i64 - 1,
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'yunus-bek-yevkurov'")
    );
    // Dates are checked the same way in export, search and entities: a
    // usage error (exit 2) that names the value, impossible months and days too.
    for cmd in [
        vec!["export", "articles", "--from", "May 2024"],
        vec!["search", "حفتر", "--to", "2024/05"],
        vec!["search", "حفتر", "--from", "2018-13-45"],
        vec!["export", "articles", "--to", "2024-02-30"],
        vec!["entities", "--from", "2018-13"],
        vec!["entities", "--to", "garbage"],
    ] {
        let out = a.run(&cmd);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let bad = cmd.last().unwrap();
        assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
        assert!(stderr(&out).contains(bad), "{}", stderr(&out));
    }
    let out = a.run(&["entities", "--from", "2024-05-31", "--to", "2024"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = a.run(&["export", "entities", "--format", "jsonl"]);
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() >= 120);
}

#[test]
fn a_broken_saved_query_is_reported_and_the_others_still_run() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    std::fs::create_dir(a.path("queries")).unwrap();
    std::fs::write(a.path("queries/broken.sql"), "SELECT 1;\n").unwrap();
    let out = a.run(&["queries", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("broken.sql") && err.contains("-- name:"),
        "{err}"
    );
    let qs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(qs.as_array().unwrap().len(), 8);
    // Shipped queries run, with the same one-line warning.
    let out = a.run(&["run", "who-met-whom", "--limit", "1", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("broken.sql"), "{}", stderr(&out));
    // Asked for by name, the broken one is the error.
    let out = a.run(&["run", "broken"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("broken.sql") && stderr(&out).contains("-- name:"),
        "{}",
        stderr(&out)
    );
}

/// A saved query's entity parameter takes a name or alias, as every other
/// command does (it printed an empty table for `--entity حفتر`).
/// `run NAME --help` ends with the query's own parameters, wherever the
/// flag comes; `run --help` needs no query and no archive.
#[test]
fn run_help_lists_the_named_querys_parameters() {
    let a = Archive::new();
    for args in [
        &["run", "new-entities", "--help"][..],
        &["run", "new-entities", "--days", "3", "-h"],
    ] {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("Usage: marsad run"), "{text}");
        assert!(text.contains("--days <NUMBER>   [default: 30]"), "{text}");
        assert!(text.contains("--limit <NUMBER>  [default: 100]"), "{text}");
    }
    let out = a.run(&["run", "--help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("Its parameters"), "{}", stdout(&out));
    assert!(!a.db.exists(), "run --help created the archive");
    let out = a.run(&["run", "no-such-query", "--help"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no-such-query"), "{}", stderr(&out));
}

#[test]
fn saved_queries_resolve_entity_parameters_by_name() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let by_id = stdout(&a.run(&[
        "run",
        "outlets-covering-entity",
        "--entity",
        "khalifa-haftar",
        "--format",
        "csv",
    ]));
    let by_name = stdout(&a.run(&[
        "run",
        "outlets-covering-entity",
        "--entity",
        "حفتر",
        "--format",
        "csv",
    ]));
    assert!(by_id.lines().count() > 1, "{by_id}");
    assert_eq!(by_name, by_id);
    // marsad's own options after the query's parameters are marsad's: the
    // archive, as any user types it last, is not taken for a parameter.
    let elsewhere = a.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let out = Command::cargo_bin("marsad")
        .unwrap()
        .env_remove("MARSAD_DB")
        .current_dir(&elsewhere)
        .args(["run", "outlets-covering-entity", "--entity", "حفتر"])
        .args(["--format", "csv", "--db"])
        .arg(&a.db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), by_id);
    let out = a.run(&[
        "run",
        "outlets-covering-entity",
        "--entity",
        "لا أحد بهذا الاسم",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("لا أحد بهذا الاسم"), "{}", stderr(&out));
    // Lists of entities (entities): each by id, name or alias, each
    // resolved; an unknown one is an error, not an empty answer.
    let meetings = |russians: &str, libyans: &str| {
        a.run(&[
            "run",
            "russian-libyan-meetings",
            "--russians",
            russians,
            "--libyans",
            libyans,
            "--format",
            "csv",
        ])
    };
    let by_id = stdout(&meetings(
        "yunus-bek-yevkurov,vladimir-putin",
        "khalifa-haftar",
    ));
    assert!(by_id.lines().count() > 2, "{by_id}");
    assert_eq!(stdout(&meetings("يفكيروف, بوتين", "حفتر")), by_id);
    let out = meetings("vladimir-putin,لا أحد بهذا الاسم", "khalifa-haftar");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("لا أحد بهذا الاسم"), "{}", stderr(&out));
    // An entity in both lists is not paired with itself.
    let both = stdout(&meetings("vladimir-putin,khalifa-haftar", "khalifa-haftar"));
    assert!(both.contains(",vladimir-putin,khalifa-haftar,"), "{both}");
    assert!(!both.contains("khalifa-haftar,khalifa-haftar"), "{both}");
    // A parameter given twice is refused, not half taken.
    let out = a.run(&["run", "new-entities", "--limit", "3", "--limit", "4"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--limit is given twice"),
        "{}",
        stderr(&out)
    );
    // A merged id finds the entity it was merged into.
    let before = stdout(&meetings("vladimir-putin", "khalifa-haftar,khaled-haftar"));
    let out = a.run(&["entity", "merge", "khaled-haftar", "khalifa-haftar"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = stdout(&meetings("vladimir-putin", "khaled-haftar"));
    assert!(merged.lines().count() > 1, "{before}\n{merged}");
    assert_eq!(
        merged,
        stdout(&meetings("vladimir-putin", "khalifa-haftar"))
    );
}

/// One stray late article does not empty "this week": the window is the
/// latest week holding a fair share of the archive, and it is shown.
#[test]
fn the_weekly_queries_anchor_to_a_real_week_and_show_it() {
    let a = Archive::new();
    let f = a.path("w.jsonl");
    let mut lines: Vec<String> = (0..20)
        .map(|i| {
            serde_json::json!({
                "title": format!("خبر {i}"),
                "text": format!("التقى المشير خليفة حفتر في بنغازي وفدا، في الخبر رقم {i} من أخبار الأسبوع."),
                "date": format!("2018-03-{:02}", 10 + i % 5),
            })
            .to_string()
        })
        .collect();
    lines.push(
        serde_json::json!({"title": "خبر شارد", "text": "زار وفد روسي طرابلس.", "date": "2024-06-01"})
            .to_string(),
    );
    std::fs::write(&f, lines.join("\n")).unwrap();
    a.ingest_json(&[&f]);
    let out = a.run(&["run", "top-entities-week", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let haftar = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["entity_id"] == "khalifa-haftar");
    assert_eq!(
        haftar.map(|r| r["this_week"].clone()),
        Some(20.into()),
        "{v}"
    );
    assert_eq!(v[0]["week_to"], "2018-03-14", "{v}");
    let out = a.run(&["run", "new-entities", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|r| r["entity_id"] == "khalifa-haftar"),
        "{v}"
    );
    assert_eq!(v[0]["window_to"], "2018-03-14", "{v}");
    // --end still picks the week.
    let out = a.run(&[
        "run",
        "top-entities-week",
        "--end",
        "2024-06-03",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["entity_id"] != "khalifa-haftar"),
        "{v}"
    );
}

/// The shipped saved queries take --from/--to (`any`, the default, is no bound).
#[test]
fn saved_queries_take_a_date_window() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let rows = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let all = rows(&[
        "run",
        "outlets-covering-entity",
        "--entity",
        "حفتر",
        "--format",
        "json",
    ]);
    let late = rows(&[
        "run",
        "outlets-covering-entity",
        "--entity",
        "حفتر",
        "--from",
        "2024",
        "--format",
        "json",
    ]);
    let total = |r: &[serde_json::Value]| {
        r.iter()
            .map(|x| x["articles"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert!(total(&late) < total(&all), "{late:?} {all:?}");
    assert!(
        late.iter()
            .all(|r| r["first_date"].as_str().unwrap() >= "2024")
    );
    for q in ["who-met-whom", "russian-libyan-meetings"] {
        assert!(
            a.run(&["run", q, "--from", "2016", "--to", "2024-05-31"])
                .status
                .success()
        );
    }
    let out = a.run(&["run", "who-met-whom", "--from", "2024-13"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("2024-13"), "{}", stderr(&out));
    // Every declared kind is checked: an impossible --end, a --limit of words.
    let out = a.run(&["run", "top-entities-week", "--end", "2018-02-30"]);
    assert!(
        stderr(&out).contains("--end") && stderr(&out).contains("2018-02-30"),
        "{}",
        stderr(&out)
    );
    for bad in ["abc", "-5"] {
        let out = a.run(&["run", "who-met-whom", "--limit", bad]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("--limit takes a whole number"),
            "{}",
            stderr(&out)
        );
    }
}

/// Articles dated to the month only ("مارس 2018", 2018-03) have no week: a
/// weekly timeline counts them as undated instead of failing; and a month
/// or a year given as the end of top-entities-week means its last day.
#[test]
fn month_dates_in_weekly_timelines_and_week_ends() {
    let a = Archive::new();
    let f = a.path("m.jsonl");
    std::fs::write(
        &f,
        concat!(
            r#"{"id":"x1","title":"ترامب يزور مصر","text":"قال الرئيس الأمريكي دونالد ترامب إن الولايات المتحدة ستدعم مصر.","date":"March 2018"}"#,
            "\n",
            r#"{"id":"x2","title":"ترامب في ليبيا","text":"قال الرئيس الأمريكي دونالد ترامب إن الولايات المتحدة ستدعم ليبيا.","date":"2018-03-28"}"#,
            "\n",
            r#"{"id":"x3","title":"ترامب في تونس","text":"قال الرئيس الأمريكي دونالد ترامب إن الولايات المتحدة ستدعم تونس.","date":"2018-03"}"#,
            "\n"
        ),
    )
    .unwrap();
    let (s, code, err) = a.ingest_json(&[&f]);
    assert_eq!((s["new"].as_i64(), code), (Some(3), 0), "{err}");
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE published_at = '2018-03' AND date_precision = 'month'"),
        2
    );
    let out = a.run(&["entity", "ترامب", "--by", "week", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["timeline"], serde_json::json!([["2018-03-26", 1]]));
    assert_eq!(p["undated"], 2);
    let out = a.run(&["entity", "ترامب", "--by", "month", "--format", "json"]);
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["timeline"], serde_json::json!([["2018-03", 3]]));
    assert_eq!(p["undated"], 0);
    let week = |end: &str| {
        let out = a.run(&["run", "top-entities-week", "--end", end, "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let last_day = week("2018-03-31");
    assert!(!last_day.as_array().unwrap().is_empty());
    assert_eq!(week("2018-03"), last_day);
    assert_eq!(week("2018-12-31"), week("2018"));
}
