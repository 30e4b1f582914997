//! The archive must open in Debian's stock sqlite3 (3.40): schema, MATCH,
//! snippet(), and every view.

use std::process::Command;

use crate::common::*;

fn shell(sqlite3: &std::path::Path, db: &std::path::Path, sql: &str) -> String {
    let out = Command::new(sqlite3)
        .arg("-bail")
        .arg(db)
        .arg(sql)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sqlite3 failed on {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn stock_sqlite3_reads_and_searches_the_archive() {
    let Some(sqlite3) = sqlite3() else { return };
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    assert_eq!(
        shell(&sqlite3, &a.db, "PRAGMA integrity_check").trim(),
        "ok"
    );
    let n: i64 = shell(
        &sqlite3,
        &a.db,
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'حفتر'",
    )
    .trim()
    .parse()
    .unwrap();
    assert_eq!(n, 5);
    // A query normalised in SQL alone, as the README shows.
    let q = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH \
             replace(replace(replace(replace('موسكو','أ','ا'),'إ','ا'),'آ','ا'),'ة','ه')";
    assert!(shell(&sqlite3, &a.db, q).trim().parse::<i64>().unwrap() >= 4);
    let snip = shell(
        &sqlite3,
        &a.db,
        "SELECT snippet(articles_fts, 1, '[', ']', '…', 8) FROM articles_fts WHERE articles_fts MATCH 'يفكيروف' LIMIT 1",
    );
    assert!(snip.contains("[يفكيروف]"), "{snip}");
    // The index keeps no copy of its text (V10): snippet() shows the
    // published words, with their harakat and punctuation.
    let snip = shell(
        &sqlite3,
        &a.db,
        "SELECT snippet(articles_fts, 1, '[', ']', '…', 6) FROM articles_fts WHERE articles_fts MATCH 'قاعد' LIMIT 1",
    );
    let marked = snip.split('[').nth(1).and_then(|r| r.split(']').next());
    assert!(marked.is_some_and(|w| w.ends_with("قاعدة")), "{snip}");
    // Debian's sqlite3 cuts every code point as marsad does, so the words
    // it marks are the words the index found.
    let seps = shell(
        &sqlite3,
        &a.db,
        &format!(
            "{} SELECT rowid FROM temp.probe_docsize WHERE sz != x'01';",
            code_point_probe_sql(&articles_fts_tokenizer(&a.db))
        ),
    );
    let mut seps: Vec<u32> = seps.lines().map(|l| l.trim().parse().unwrap()).collect();
    seps.sort_unstable();
    assert!(seps.len() > 1000, "{}", seps.len());
    assert!(
        seps == marsad_separators(),
        "sqlite3 3.40 and marsad split text differently"
    );
    shell(
        &sqlite3,
        &a.db,
        "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')",
    );

    // "Sentences where Yevkurov is mentioned with قاعدة" is one query.
    let q = "SELECT count(*) FROM mentions m
             JOIN sentences s ON s.article_id = m.article_id AND s.field = m.field AND s.idx = m.sentence
             JOIN sentences_fts f ON f.rowid = s.id
             WHERE m.entity_id = 'yunus-bek-yevkurov' AND sentences_fts MATCH 'قاعد'";
    let n: i64 = shell(&sqlite3, &a.db, q).trim().parse().unwrap();
    assert!(n >= 1, "{n}");
    let n: i64 = shell(
        &sqlite3,
        &a.db,
        "SELECT count(*) FROM entities_fts WHERE entities_fts MATCH 'يفكيروف'",
    )
    .trim()
    .parse()
    .unwrap();
    assert_eq!(n, 1);
    // The bulk-load settings (migration V9) are stored in the index and
    // stock sqlite3 still queries it (above) with them in force.
    let cfg = shell(
        &sqlite3,
        &a.db,
        "SELECT k || '=' || v FROM articles_fts_config WHERE k IN ('automerge', 'hashsize') ORDER BY k",
    );
    assert_eq!(
        cfg.split_whitespace().collect::<Vec<_>>(),
        ["automerge=8", "hashsize=16777216"]
    );
    for t in ["entities_fts", "sentences_fts"] {
        shell(
            &sqlite3,
            &a.db,
            &format!("INSERT INTO {t}({t}) VALUES ('integrity-check')"),
        );
    }

    // Every view runs.
    let views = shell(
        &sqlite3,
        &a.db,
        "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name",
    );
    for v in views.lines().filter(|l| !l.is_empty()) {
        shell(&sqlite3, &a.db, &format!("SELECT * FROM \"{v}\" LIMIT 5"));
    }
}
