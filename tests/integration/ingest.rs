//! Ingest through the real binary: the seeds, re-runs, duplicates, bad
//! inputs, incremental JSON Lines, the lock, migrations.

use std::fs;
use std::io::Write;

use crate::common::*;

const SEED_TITLES: [(&str, &str); 5] = [
    (
        "000_",
        "وزير الدفاع الروسي يلتقي رئيس الأركان العامة للجيش الوطني الليبي في موسكو",
    ),
    ("001_", "روسيا والتقارب مع جنرال ليبيا الأسباب والغايات"),
    ("002_", "نائب وزير الدفاع الروسي في بنغازي للقاء حفتر"),
    (
        "003_",
        "في تقرير لفرانس24 – ما هي الدوافع لزيارة خليفة حفتر إلي موسكو",
    ),
    (
        "004_",
        "احتفظ قائد «الجيش الوطني الليبي»، المشير خليفة حفتر، بصمته، بشأن السجال السياسي الدائر في ليبيا، حتى وهو يزور روسيا ويلتقي رئيسها، فلاديمير بوتين، مع كل ما لموسكو من دور في الأزمة الليبية.",
    ),
];

fn article_for(
    a: &Archive,
    prefix: &str,
) -> (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
) {
    a.conn()
        .query_row(
            "SELECT a.title, a.published_at, a.author, o.name, a.date_precision, a.body
             FROM articles a JOIN sightings s ON s.article_id = a.id LEFT JOIN outlets o ON o.id = a.outlet_id
             WHERE s.origin LIKE '%/' || ?1 || '%'",
            [prefix],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap()
}

#[test]
fn seeds_ingest_as_five_clean_articles() {
    let a = Archive::new();
    let (s, code, _) = a.ingest_json(&[&seeds_dir()]);
    assert_eq!(code, 0);
    assert_eq!(s["new"], 5);
    assert_eq!(s["errors"], 0);
    assert_eq!(a.count("SELECT count(*) FROM articles"), 5);

    for (prefix, title) in SEED_TITLES {
        let (t, ..) = article_for(&a, prefix);
        assert_eq!(t, title, "title of {prefix}");
    }
    let (_, date, author, outlet, precision, _) = article_for(&a, "001_");
    assert_eq!(date.as_deref(), Some("2016-05-24T12:55:55"));
    assert_eq!(precision.as_deref(), Some("second"));
    assert_eq!(author.as_deref(), Some("عبدالعزيز الروَّاف"));
    assert_eq!(outlet.as_deref(), Some("إرم نيوز"));
    let (_, date, ..) = article_for(&a, "002_");
    assert_eq!(date.as_deref(), Some("2024-05-31"));

    // No boilerplate line survives in any body.
    let furniture = [
        "+ الخط -",
        "اظهر الملخص",
        "اترك رد",
        "error: Content is protected !!",
        "دلالات",
        "المساهمون",
        "حفتر حفتر",
        "أخبار عالمية تقارير",
    ];
    let conn = a.conn();
    let mut st = conn.prepare("SELECT body FROM articles").unwrap();
    let bodies: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for body in &bodies {
        for line in body.lines() {
            assert!(
                !furniture.contains(&line.trim()),
                "boilerplate line {line:?} left in a body"
            );
        }
        assert!(
            !body.contains("24/05/2016 - 12:55:55"),
            "dateline left in body"
        );
    }
    // ...but the removed lines are kept with the sighting.
    assert_eq!(
        a.count("SELECT count(*) FROM sightings WHERE removed LIKE '%اترك رد%'"),
        1
    );

    let check = a.run(&["check"]);
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn rerun_reads_nothing_and_copies_are_sightings() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let (s, code, _) = a.ingest_json(&[&seeds_dir()]);
    assert_eq!(
        (
            s["new"].as_u64(),
            s["unchanged"].as_u64(),
            s["inputs"].as_u64(),
            code
        ),
        (Some(0), Some(5), Some(0), 0)
    );

    // A copy under another name, with CRLF line ends, and in Windows-1256.
    let copies = a.path("copies");
    fs::create_dir(&copies).unwrap();
    let seed = fs::read_to_string(seeds_dir().join("001_b2265ed832da592c.txt")).unwrap();
    fs::write(copies.join("renamed.txt"), &seed).unwrap();
    fs::write(copies.join("crlf.txt"), seed.replace('\n', "\r\n")).unwrap();
    let (cp, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&seed);
    assert!(!unmappable);
    fs::write(copies.join("cp1256.txt"), &cp).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(seed.as_bytes());
    fs::write(copies.join("bom.txt"), bom).unwrap();

    let (s, code, err) = a.ingest_json(&[&copies]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s["new"], 0);
    assert_eq!(s["duplicates"], 4);
    assert_eq!(a.count("SELECT count(*) FROM articles"), 5);
    assert_eq!(a.count("SELECT count(*) FROM sightings"), 9);
    let show = a.run(&["show", "2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["sightings"].as_array().unwrap().len(), 5);
    for k in [
        "id",
        "external_id",
        "origin",
        "title",
        "published_at",
        "outlet",
        "body",
    ] {
        assert!(v.get(k).is_some(), "show JSON lacks {k}");
    }
}

#[test]
fn changed_file_becomes_a_new_article_and_old_one_stays() {
    let a = Archive::new();
    let f = a.path("a.txt");
    fs::write(&f, "عنوان أول\n\nنص الخبر الأول عن حفتر.").unwrap();
    a.ingest_json(&[&f]);
    // Different size, so the change is seen even within the same mtime tick.
    fs::write(&f, "عنوان أول\n\nنص الخبر الأول عن حفتر، بعد تعديله.").unwrap();
    let (s, ..) = a.ingest_json(&[&f]);
    assert_eq!(s["new"], 1);
    assert_eq!(a.count("SELECT count(*) FROM articles"), 2);
}

#[test]
fn bad_inputs_are_reported_recorded_and_the_batch_completes() {
    let a = Archive::new();
    let d = a.path("in");
    fs::create_dir(&d).unwrap();
    let mut bad_utf8 = "عنوان\n\nنص عن حفتر".as_bytes().to_vec();
    bad_utf8.truncate(bad_utf8.len() - 1);
    fs::write(d.join("bad-utf8.txt"), bad_utf8).unwrap();
    fs::write(d.join("empty.txt"), b"").unwrap();
    fs::write(d.join("blank.txt"), b"  \n\n ").unwrap();
    fs::write(d.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0").unwrap();
    fs::write(d.join("zip.txt"), b"PK\x03\x04\x14\0\0\0").unwrap();
    fs::write(d.join("nul.txt"), "عنوان\0نص".as_bytes()).unwrap();
    fs::write(d.join("good.txt"), "عنوان جيد\n\nنص جيد عن موسكو.").unwrap();
    fs::write(
        d.join("mixed.jsonl"),
        concat!(
            "{\"id\": 1, \"title\": \"أ\", \"text\": \"نص أول\"}\n",
            "{\"id\": 2, \"title\": \"ب\", \"te\n",
            "not json at all\n",
            "{\"id\": 3, \"title\": [\"x\", 2], \"text\": \"نص\"}\n",
            "{\"id\": 4, \"title\": \"د\", \"text\": \"نص رابع\"}\n",
        ),
    )
    .unwrap();
    fs::write(
        d.join("page.html"),
        "<html><body><script>var a=1;</script></body></html>",
    )
    .unwrap();
    let utf16 = "عنوان بترميز UTF-16\n\nنص عن حفتر في بنغازي.";
    let mut le = vec![0xFF, 0xFE];
    le.extend(utf16.encode_utf16().flat_map(|u| u.to_le_bytes()));
    fs::write(d.join("utf16le.txt"), le).unwrap();
    let mut be = vec![0xFE, 0xFF];
    be.extend(
        format!("{utf16} BE")
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes()),
    );
    fs::write(d.join("utf16be.txt"), be).unwrap();
    fs::write(d.join("bidi.txt"), "عنوان \u{202B}Wagner\u{202C} و\u{200F}NATO\n\nقال \u{2067}Sergei Shoigu\u{2069} إن فاغنر باقية.").unwrap();
    let mut big = String::from("عنوان كبير جدا\n\n");
    while big.len() <= 51 * 1024 * 1024 {
        big.push_str("نص طويل جدا عن حفتر وروسيا وقاعدة الخادم في شرق ليبيا. ");
    }
    fs::write(d.join("big.txt"), big).unwrap();
    let arabic_dir = d.join("مجلد فيه مسافات");
    fs::create_dir(&arabic_dir).unwrap();
    fs::write(
        arabic_dir.join("خبر عن حفتر.txt"),
        "عنوان في مجلد عربي\n\nنص في مجلد عربي.",
    )
    .unwrap();
    std::os::unix::fs::symlink(&d, d.join("loop")).unwrap();

    let (s, code, err) = a.ingest_json(&[&d]);
    assert_eq!(
        code, 3,
        "exit code 3 when some inputs failed; stderr: {err}"
    );
    assert_eq!(
        s["new"], 7,
        "good.txt, two good JSON lines, the Arabic-named file, UTF-16 LE and BE, bidi"
    );
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE title LIKE '%UTF-16%'"),
        2
    );
    for name in [
        "big.txt",
        "bad-utf8.txt",
        "empty.txt",
        "blank.txt",
        "image.txt",
        "zip.txt",
        "nul.txt",
        "page.html",
        "loop",
    ] {
        assert!(err.contains(name), "no message naming {name}: {err}");
        let n = a.count(&format!(
            "SELECT count(*) FROM ingest_errors WHERE input LIKE '%{name}'"
        ));
        assert_eq!(n, 1, "error for {name} not recorded");
    }
    assert_eq!(
        a.count("SELECT count(*) FROM ingest_errors WHERE input LIKE '%mixed.jsonl'"),
        3
    );
    assert!(
        err.contains("mixed.jsonl:2:"),
        "line number in message: {err}"
    );
    assert_eq!(
        a.count("SELECT count(*) FROM runs WHERE status = 'partial'"),
        1
    );
    assert!(a.run(&["check"]).status.success());
}

#[test]
fn a_file_that_vanishes_after_listing_is_an_error_not_a_stop() {
    let a = Archive::new();
    let d = a.path("in");
    fs::create_dir(&d).unwrap();
    fs::write(d.join("a.txt"), "عنوان أ\n\nنص أ.").unwrap();
    fs::write(d.join("b.txt"), "عنوان ب\n\nنص ب.").unwrap();
    fs::write(d.join("c.txt"), "عنوان ج\n\nنص ج.").unwrap();
    let listing = marsad::ingest::list(std::slice::from_ref(&d));
    assert_eq!(listing.inputs.len(), 3);
    fs::remove_file(d.join("b.txt")).unwrap();

    let mut store = marsad::archive::open_to_write(&a.db).unwrap();
    let opts = marsad::ingest::Options {
        paths: vec![d],
        format: marsad::ingest::Format::Auto,
        outlet: None,
        args: vec![],
        max_article_bytes: 1 << 20,
        tagger: None,
    };
    let mut seen = Vec::new();
    let s = marsad::ingest::run_listed(
        &mut store,
        &opts,
        listing,
        |e| seen.push(e.to_string()),
        |_| {},
    )
    .unwrap();
    assert_eq!((s.new, s.errors), (2, 1));
    assert!(
        seen[0].contains("b.txt") && seen[0].contains("disappeared"),
        "{seen:?}"
    );
}

#[test]
fn single_article_size_limit() {
    let a = Archive::new();
    let f = a.path("big.txt");
    let mut body = String::from("عنوان كبير\n\n");
    while body.len() < 3000 {
        body.push_str("نص طويل عن حفتر وروسيا. ");
    }
    fs::write(&f, &body).unwrap();
    let out = a.run(&["ingest", "--max-article-bytes", "2000", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("big.txt") && stderr(&out).contains("limit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn jsonl_that_grew_is_read_from_where_it_was_known() {
    let a = Archive::new();
    let f = a.path("feed.jsonl");
    let line = |i: usize| {
        format!(
            "{{\"id\": \"r{i}\", \"title\": \"عنوان {i}\", \"text\": \"نص الخبر رقم {i} عن ليبيا\", \"category\": \"world\"}}\n"
        )
    };
    fs::write(&f, (0..3).map(line).collect::<String>()).unwrap();
    let (s, ..) = a.ingest_json(&[&f]);
    assert_eq!(s["new"], 3);
    let mut fh = fs::OpenOptions::new().append(true).open(&f).unwrap();
    fh.write_all((3..5).map(line).collect::<String>().as_bytes())
        .unwrap();
    drop(fh);
    let (s, ..) = a.ingest_json(&[&f]);
    assert_eq!(s["new"], 2);
    assert_eq!(s["records"], 2, "only the appended lines are read");
    // Unknown fields are kept.
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE json_extract(extra, '$.category') = 'world'"),
        5
    );
    assert_eq!(a.count("SELECT count(*) FROM sightings WHERE line = 5"), 1);
}

#[test]
fn stdin_and_gzip_inputs() {
    let a = Archive::new();
    let out = a
        .cmd()
        .args(["ingest", "--json", "-"])
        .write_stdin("{\"title\": \"من الإدخال\", \"text\": \"نص من الإدخال القياسي\"}\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let gz = a.path("feed.jsonl.gz");
    let mut enc =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    enc.write_all("{\"id\": \"g1\", \"title\": \"مضغوط\", \"text\": \"نص مضغوط\"}\n".as_bytes())
        .unwrap();
    enc.finish().unwrap();
    let (s, code, _) = a.ingest_json(&[&gz]);
    assert_eq!((s["new"].as_u64(), code), (Some(1), 0));
    assert_eq!(a.count("SELECT count(*) FROM articles"), 2);
}

#[test]
fn second_ingest_waits_then_exits_with_its_own_code() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let _held = marsad::store::IngestLock::acquire(&a.db, std::time::Duration::ZERO).unwrap();
    let out = a.run(&["ingest", "--wait", "1", seeds_dir().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("another marsad ingest is running"), "{err}");
    assert!(!err.contains("database is locked"));
    assert_eq!(err.trim().lines().count(), 1, "one-line message: {err}");
}

#[test]
fn archive_newer_than_the_binary_is_refused_untouched() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    a.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO refinery_schema_history(version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01', '0')")
        .unwrap();
    a.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let before = fs::read(&a.db).unwrap();
    let out = a.run(&["info"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("newer than this marsad"),
        "{}",
        stderr(&out)
    );
    a.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    assert_eq!(before, fs::read(&a.db).unwrap(), "archive was modified");
}

/// An archive migrated only to `version`, with one run and then `rows`.
fn old_archive(a: &Archive, version: i64, rows: &str) -> marsad::store::Store {
    let mut s = marsad::store::Store::open_unmigrated(&a.db).unwrap();
    assert_eq!(s.migrate(Some(version)).unwrap(), version);
    s.conn
        .execute_batch(&format!(
            "INSERT INTO runs(started_at, args) VALUES ('2024-01-01T00:00:00Z', '[]'); {rows}"
        ))
        .unwrap();
    s
}

#[test]
fn version_one_archive_migrates_without_loss() {
    let a = Archive::new();
    {
        let s = old_archive(
            &a,
            1,
            "INSERT INTO outlets(name) VALUES ('إرم نيوز');
             INSERT INTO articles(content_sha256, title, body, published_at, outlet_id, ingested_at, run_id)
               VALUES ('x', 'الوزير في موسكو', 'التقى الوزير بحفتر في موسكو', '2024-01-01', 1, '2024-01-01', 1);
             INSERT INTO sightings(article_id, origin, raw_sha256, seen_at) VALUES (1, '/old.txt', 'y', '2024-01-01');",
        );
        // V1's plain index finds the exact word only.
        let n: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'وزير'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }
    let out = a.run(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("from version 1"));
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE title = 'الوزير في موسكو'"),
        1
    );
    assert_eq!(a.count("SELECT count(*) FROM sightings"), 1);
    assert_eq!(
        a.count("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'وزير'"),
        1
    );
    let hits = a.run(&["search", "وزير", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&hits.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn version_six_sentence_index_survives_the_move_to_contentless() {
    let a = Archive::new();
    old_archive(
        &a,
        6,
        "INSERT INTO articles(content_sha256, title, body, ingested_at, run_id)
           VALUES ('x', 'عنوان', 'زار يفكيروف قاعدة الخادم', '2024-01-01', 1);
         INSERT INTO sentences(id, article_id, field, idx, start, end) VALUES (7, 1, 'body', 0, 0, 25);
         INSERT INTO sentences_fts(rowid, text) VALUES (7, 'زار يفكيروف قاعد خادم');",
    );
    let out = a.run(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        a.count("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH '\"قاعد خادم\"'"),
        7
    );
    // Contentless: the terms are indexed, not stored.
    assert_eq!(
        a.count("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'يفكيروف' AND text IS NULL"),
        1
    );
    a.conn()
        .execute_batch("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")
        .unwrap();
}

#[test]
fn shared_corpus_sample_ingests_from_gzip() {
    let Some(corpus) = shared_corpus("ant-jawharafm-2013-2017.jsonl.gz") else {
        eprintln!("skipping: shared corpus not present");
        return;
    };
    let a = Archive::new();
    let (s, _, err) = a.ingest_json(&[&corpus]);
    assert_eq!(
        s["records"].as_u64().unwrap() + s["skipped"].as_u64().unwrap(),
        10161,
        "{err}"
    );
    // The corpus README: 173 duplicate texts and 23 empty ones, which are
    // skipped (and counted), not errors.
    let new = s["new"].as_u64().unwrap();
    let skipped = s["skipped"].as_u64().unwrap();
    assert_eq!((s["errors"].as_u64(), skipped), (Some(0), 23), "{err}");
    assert!(new > 9_800 && new <= 10_161 - 23, "{new}");
    assert_eq!(new + s["duplicates"].as_u64().unwrap() + skipped, 10161);
    assert!(a.run(&["check"]).status.success());
    assert_one_term_per_token(&a);
    // Stories are copies of their canonical article, never chains (issue 19).
    let (stories, largest) = crate::dedup::assert_stories_are_copies(&a);
    println!("Jawhara corpus: {stories} stories with copies, the largest {largest}");
    assert!(stories > 10, "the corpus has copies");
}

#[test]
fn version_nine_index_becomes_external_content_and_is_refilled() {
    let a = Archive::new();
    old_archive(
        &a,
        9,
        "INSERT INTO articles(content_sha256, title, body, ingested_at, run_id)
           VALUES ('x', 'عنوان', 'زار يفكيروف قاعدةَ الخادم.', '2024-01-01', 1);
         INSERT INTO sightings(article_id, origin, raw_sha256, seen_at) VALUES (1, '/old.txt', 'y', '2024-01-01');
         INSERT INTO articles_fts(rowid, title, body) VALUES (1, 'عنوان', 'زار يفكيروف قاعد خادم');",
    );
    let out = a.run(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sql: String = a
        .conn()
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'articles_fts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("content = 'articles'"), "{sql}");
    assert_eq!(
        a.count("SELECT count(*) FROM sqlite_schema WHERE name = 'articles_fts_content'"),
        0
    );
    // The stems are indexed again, and a column reads the published text.
    let body: String = a
        .conn()
        .query_row(
            "SELECT highlight(articles_fts, 1, '[', ']') FROM articles_fts WHERE articles_fts MATCH 'قاعد'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(body, "زار يفكيروف [قاعدةَ] الخادم.");
    // check finds nothing to fault in the index (only the made-up hash 'x').
    let out = a.run(&["check"]);
    assert!(stdout(&out).contains("content hash"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("full-text"), "{}", stdout(&out));
}

#[test]
fn check_finds_an_article_missing_from_or_stale_in_the_index() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let (title, body): (String, String) = a
        .conn()
        .query_row("SELECT title, body FROM articles WHERE id = 2", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let (t, b) = (
        marsad::text::index_terms(&title),
        marsad::text::index_terms(&body),
    );
    // An external-content row is removed by giving back what was indexed.
    a.conn()
        .execute(
            "INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', 2, ?1, ?2)",
            [&t, &b],
        )
        .unwrap();
    let out = a.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("article 2: missing from the full-text index"),
        "{}",
        stdout(&out)
    );
    // Indexed again with a word short: stale.
    let short = b.rsplit_once(' ').unwrap().0;
    a.conn()
        .execute(
            "INSERT INTO articles_fts(rowid, title, body) VALUES (2, ?1, ?2)",
            [&t, short],
        )
        .unwrap();
    let out = a.run(&["check"]);
    assert!(
        stdout(&out).contains("article 2: full-text index is stale"),
        "{}",
        stdout(&out)
    );
    assert!(a.run(&["reindex"]).status.success());
    let out = a.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn version_ten_signatures_are_recomputed_at_half_the_size() {
    let a = Archive::new();
    let body = "زار نائب وزير الدفاع الروسي يونس بك يفكيروف مدينة بنغازي اليوم والتقى القائد العام خليفة حفتر \
                وبحث الجانبان التعاون العسكري بين البلدين وسبل تطويره في مجالات التدريب والتسليح والصيانة \
                كما تناول اللقاء الأوضاع الأمنية في المنطقة";
    old_archive(
        &a,
        10,
        &format!(
            "INSERT INTO articles(content_sha256, title, body, ingested_at, run_id)
               VALUES ('x', 'عنوان', '{body}', '2024-01-01', 1);
             INSERT INTO sightings(article_id, origin, raw_sha256, seen_at) VALUES (1, '/old.txt', 'y', '2024-01-01');
             INSERT INTO minhash(article_id, sig) VALUES (1, zeroblob(512));
             INSERT INTO meta(key, value) VALUES ('dedup_version', '1');"
        ),
    );
    let out = a.run(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sig: Vec<u8> = a
        .conn()
        .query_row("SELECT sig FROM minhash WHERE article_id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(sig.len(), 256);
    assert_ne!(sig, vec![0; 256]);
}

#[test]
fn version_eleven_sightings_read_the_same_from_the_compact_table() {
    let a = Archive::new();
    let hex = "ab".repeat(32);
    let x = marsad::identity::content_sha256("عنوان", "نص");
    let z = marsad::identity::content_sha256("عنوان آخر", "نص آخر");
    let rows = format!(
        "INSERT INTO articles(content_sha256, title, body, url, external_id, ingested_at, run_id)
           VALUES ('{x}', 'عنوان', 'نص', 'https://a.example/1', 'A1', '2024-01-01', 1),
                  ('{z}', 'عنوان آخر', 'نص آخر', NULL, NULL, '2024-01-01', 1);
         INSERT INTO sightings(article_id, origin, line, url, external_id, raw_sha256, removed, seen_at) VALUES
           (1, '/in/a.jsonl', 1, 'https://a.example/1', 'A1', '{hex}', NULL, '2024-01-01'),
           (1, '/in/b.jsonl', 4, 'https://b.example/copy', 'B4', '{hex}', 'اترك رد', '2024-01-02'),
           (1, '/in/c.txt', 0, NULL, NULL, 'y', NULL, '2024-01-03'),
           (2, '/in/a.jsonl', 2, 'https://c.example/2', NULL, 'ABCD', NULL, '2024-01-04');"
    );
    let before: Vec<Vec<String>> = {
        let s = old_archive(&a, 11, &rows);
        sighting_rows(&s.conn)
    };
    let out = a.run(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = a.conn();
    assert_eq!(sighting_rows(&conn), before);
    // Each path is stored once; url and id only where they differ.
    assert_eq!(a.count("SELECT count(*) FROM origins"), 3);
    assert_eq!(
        a.count("SELECT count(*) FROM sighting_rows WHERE url IS NULL AND external_id IS NULL"),
        1
    );
    assert_eq!(
        a.count("SELECT count(*) FROM sighting_rows WHERE typeof(raw_sha256) = 'blob' AND length(raw_sha256) = 32"),
        2
    );
    let check = a.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

fn sighting_rows(conn: &rusqlite::Connection) -> Vec<Vec<String>> {
    let mut st = conn
        .prepare(
            "SELECT id, article_id, origin, line, quote(url), quote(external_id), raw_sha256, quote(removed), seen_at
             FROM sightings ORDER BY id",
        )
        .unwrap();
    st.query_map([], |r| {
        (0..9)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn each_sighting_keeps_its_own_url_and_id() {
    let a = Archive::new();
    let body =
        "التقى القائد العام خليفة حفتر نائب وزير الدفاع الروسي في بنغازي لبحث التعاون العسكري";
    let line = |extra: &str| format!(r#"{{"title": "لقاء في بنغازي", "body": "{body}"{extra}}}"#);
    let file = a.path("copies.jsonl");
    fs::write(
        &file,
        [
            line(r#", "url": "https://a.example/1", "id": "one""#),
            line(r#", "url": "https://b.example/2""#),
            line(r#", "id": "one""#),
            line(r#", "url": "  ""#),
        ]
        .join("\n"),
    )
    .unwrap();
    let (s, code, err) = a.ingest_json(&[&file]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (s["new"].as_u64(), s["duplicates"].as_u64()),
        (Some(1), Some(3))
    );
    let conn = a.conn();
    let rows: Vec<(i64, Option<String>, Option<String>, String)> = conn
        .prepare("SELECT line, url, external_id, raw_sha256 FROM sightings ORDER BY line")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let urls: Vec<_> = rows
        .iter()
        .map(|r| (r.0, r.1.as_deref(), r.2.as_deref()))
        .collect();
    assert_eq!(
        urls,
        [
            (1, Some("https://a.example/1"), Some("one")),
            (2, Some("https://b.example/2"), None),
            (3, None, Some("one")),
            (4, None, None),
        ]
    );
    for r in &rows {
        assert!(
            r.3.len() == 64
                && r.3
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{}",
            r.3
        );
    }
    // A second run over the same file adds nothing.
    let (s, _, _) = a.ingest_json(&[&file]);
    assert_eq!(s["duplicates"], 0);
    assert_eq!(a.count("SELECT count(*) FROM sightings"), 4);
}

#[test]
fn rewrites_give_their_free_pages_back() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    assert!(a.run(&["reextract"]).status.success());
    assert!(a.run(&["reindex"]).status.success());
    assert_eq!(
        a.count("PRAGMA auto_vacuum"),
        2,
        "new archives are incremental"
    );
    assert_eq!(a.count("PRAGMA freelist_count"), 0);
}

/// The writers skip CHECK constraints (see store::check_constraints); a row
/// that breaks one is still caught by `marsad check`.
#[test]
fn check_reports_a_row_that_breaks_a_check_constraint() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    assert_eq!(a.run(&["check"]).status.code(), Some(0));
    a.conn()
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE mentions SET how = 'guessed' WHERE id = (SELECT min(id) FROM mentions);",
        )
        .unwrap();
    let out = a.run(&["check"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("CHECK constraint failed in mentions"),
        "{}",
        stdout(&out)
    );
}

/// Reading commands never take the write lock to tidy up (a search would
/// then wait for a running ingest): free pages are left for the writers.
#[test]
fn a_search_leaves_free_pages_to_the_writers() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    a.conn()
        .execute_batch(
            "CREATE TABLE scratch AS SELECT randomblob(200000) AS b FROM (SELECT 1 UNION ALL SELECT 2);
             DROP TABLE scratch;",
        )
        .unwrap();
    let free = a.count("PRAGMA freelist_count");
    assert!(free > 0);
    let out = a.run(&["search", "حفتر", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(a.count("PRAGMA freelist_count"), free);
    // The next command that writes gives them back.
    assert!(a.run(&["reindex"]).status.success());
    assert_eq!(a.count("PRAGMA freelist_count"), 0);
}

/// Segments in an FTS5 index, from its structure record (row 10 of
/// `%_data`): a 4-byte cookie, an optional 4-byte version-2 marker, then
/// the number of levels and of segments as varints (one byte each here).
fn fts_segments(a: &Archive, table: &str) -> u8 {
    let blob: Vec<u8> = a
        .conn()
        .query_row(
            &format!("SELECT block FROM {table}_data WHERE id = 10"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut i = 4;
    if blob[i..].starts_with(&[0xff, 0x00, 0x00, 0x01]) {
        i += 4;
    }
    let (levels, segments) = (blob[i], blob[i + 1]);
    assert!(
        levels < 0x80 && segments < 0x80,
        "one-byte varints expected"
    );
    segments
}

/// A first import spans several transactions, each of which writes its own
/// index segment; the import then merges them into one. A run adding fewer
/// articles than the archive holds leaves FTS5's automerge to it.
#[test]
fn a_first_import_and_a_rebuild_leave_one_index_segment_and_a_small_run_does_not_merge() {
    let a = Archive::new();
    let jsonl = a.path("bulk.jsonl");
    let mut f = fs::File::create(&jsonl).unwrap();
    // More records than one transaction holds (4096).
    for i in 0..5000 {
        writeln!(
            f,
            "{}",
            serde_json::json!({"id": i, "title": format!("خبر {i}"),
                "text": format!("وصل الوزير رقم {i} إلى بنغازي في زيارة رسمية {}", i * 7)})
        )
        .unwrap();
    }
    drop(f);
    let (v, code, err) = a.ingest_json(&[&jsonl]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["new"], 5000);
    assert_eq!(fts_segments(&a, "articles_fts"), 1);
    assert_eq!(fts_segments(&a, "sentences_fts"), 1);
    assert_eq!(
        a.count("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'بنغازي'"),
        5000
    );

    let small = a.path("small.jsonl");
    fs::write(
        &small,
        "{\"id\": \"x\", \"title\": \"خبر آخر\", \"text\": \"وصل الوزير إلى طرابلس\"}\n",
    )
    .unwrap();
    let (v, code, err) = a.ingest_json(&[&small]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["new"], 1);
    assert_eq!(fts_segments(&a, "articles_fts"), 2);
    let check = a.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));

    // Rebuilding an index also ends in one segment, however many its
    // writing flushed (a small hashsize makes it flush often).
    a.conn()
        .execute_batch(
            "INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 4096);
             INSERT INTO sentences_fts(sentences_fts, rank) VALUES ('hashsize', 4096);",
        )
        .unwrap();
    assert!(a.run(&["reindex"]).status.success());
    assert_eq!(fts_segments(&a, "articles_fts"), 1);
    assert!(a.run(&["reextract"]).status.success());
    assert_eq!(fts_segments(&a, "sentences_fts"), 1);
}
