//! Hostile input through the real binary (issue 15): inputs built to exhaust
//! memory or hang the run are each refused with one error naming them, the
//! other inputs of the run still land, and the process stays small.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::*;

const MB: usize = 1 << 20;

/// A gzip file of `head`, `mb` MiB of `byte`, then `tail`: each part its own
/// gzip member (marsad reads multi-member files), the MiB compressed once and
/// its member written `mb` times, so a GiB costs a few MB of disk and no time.
fn gz_file(path: &Path, head: &[u8], byte: u8, mb: usize, tail: &[u8]) {
    let member = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    if !head.is_empty() {
        f.write_all(&member(head)).unwrap();
    }
    let block = member(&vec![byte; MB]);
    for _ in 0..mb {
        f.write_all(&block).unwrap();
    }
    if !tail.is_empty() {
        f.write_all(&member(tail)).unwrap();
    }
    f.flush().unwrap();
}

/// A good article to ingest next to the hostile input.
fn good_file(a: &Archive) -> PathBuf {
    let p = a.path("good.txt");
    fs::write(
        &p,
        "خبر سليم\n\nالتقى المشير خليفة حفتر وفدا روسيا في بنغازي.\n",
    )
    .unwrap();
    p
}

/// Ingest `hostile` (a path, or `-` with `stdin`) and a good file; the run
/// must end with exit code 3, one error naming the hostile input (printed and
/// in ingest_errors) that contains `expect`, the good article stored, and
/// the process under [`RSS_CEILING`].
fn refused(
    a: &Archive,
    extra: &[&str],
    hostile: &OsStr,
    stdin: Option<Feed>,
    expect: &str,
) -> String {
    let good = good_file(a);
    let mut args: Vec<&OsStr> = vec![OsStr::new("ingest"), OsStr::new("--quiet")];
    args.extend(extra.iter().map(OsStr::new));
    args.push(hostile);
    args.push(good.as_os_str());
    let m = run_measured(a, &args, stdin);
    assert!(
        m.peak_rss < RSS_CEILING,
        "peak RSS {} MB (stderr: {})",
        m.peak_rss >> 20,
        m.stderr
    );
    assert_eq!(m.code, Some(3), "stderr: {}", m.stderr);
    let name = Path::new(hostile)
        .file_name()
        .map_or("-".into(), |n| n.to_string_lossy().to_string());
    let errors: Vec<(String, String)> = a
        .conn()
        .prepare("SELECT input, message FROM ingest_errors")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].0.ends_with(&name) && errors[0].1.contains(expect),
        "{errors:?}"
    );
    assert!(
        m.stderr.contains(&name) && m.stderr.contains(expect),
        "{}",
        m.stderr
    );
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE title = 'خبر سليم'"),
        1,
        "the good input landed"
    );
    errors[0].1.clone()
}

#[test]
fn gigabytes_of_text_in_a_small_gzip_are_stopped() {
    let a = Archive::new();
    let gz = a.path("big.txt.gz");
    gz_file(&gz, b"", b'a', 3 << 10, b"");
    assert!(fs::metadata(&gz).unwrap().len() < 32 << 20);
    // The default article limit would stop it sooner: a 1 GB limit leaves
    // it to the expansion ratio.
    refused(
        &a,
        &["--max-article-bytes", "1000000000"],
        gz.as_os_str(),
        None,
        "expands more than",
    );
    // Under the default limit: the limit.
    let b = Archive::new();
    refused(
        &b,
        &[],
        gz.as_os_str(),
        None,
        "over the single-article limit of 4194304 bytes",
    );
}

#[test]
fn gigabytes_of_nul_in_a_gzip_are_stopped() {
    let a = Archive::new();
    let gz = a.path("zeros.txt.gz");
    gz_file(&gz, b"", 0, 3 << 10, b"");
    refused(
        &a,
        &["--max-article-bytes", "1000000000"],
        gz.as_os_str(),
        None,
        "expands more than",
    );
}

#[test]
fn the_article_limit_counts_decompressed_bytes() {
    let a = Archive::new();
    let gz = a.path("small.txt.gz");
    gz_file(&gz, b"", b'a', 300, b"");
    let m = refused(
        &a,
        &["--max-article-bytes", "100000"],
        gz.as_os_str(),
        None,
        "over the single-article limit of 100000 bytes",
    );
    assert!(m.contains("decompressed"), "{m}");
}

#[test]
fn a_huge_json_line_inside_gzip_is_stopped() {
    let a = Archive::new();
    let gz = a.path("feed.jsonl.gz");
    gz_file(
        &gz,
        br#"{"title": "t", "text": ""#,
        b'a',
        2 << 10,
        b"\"}\n{\"title\": \"after\", \"text\": \"never reached\"}\n",
    );
    refused(&a, &[], gz.as_os_str(), None, "expands more than");
}

#[test]
fn a_json_line_over_the_limit_is_skipped_and_the_next_lines_land() {
    let a = Archive::new();
    let f = a.path("feed.jsonl");
    let mut text = format!(
        "{{\"title\": \"long\", \"text\": \"{}\"}}\n",
        "ب".repeat(100_000)
    );
    text.push_str("{\"title\": \"بعده\", \"text\": \"نص بعد السطر الطويل\"}\n");
    fs::write(&f, text).unwrap();
    let out = a.run(&[
        "ingest",
        "--max-article-bytes",
        "50000",
        f.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("feed.jsonl:1: record is 200029 bytes, over the limit of 50000"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE title = 'بعده'"),
        1
    );
}

#[test]
fn stdin_of_one_endless_line_is_stopped_at_the_limit() {
    let a = Archive::new();
    let feed: Feed = Box::new(|w| {
        let block = vec![b'a'; MB];
        for _ in 0..(1 << 10) {
            if w.write_all(&block).is_err() {
                return;
            }
        }
    });
    refused(
        &a,
        &[],
        OsStr::new("-"),
        Some(feed),
        "standard input is over the single-article limit",
    );
}

#[test]
fn stdin_json_lines_stream_with_each_line_held_to_the_limit() {
    let a = Archive::new();
    let feed: Feed = Box::new(|w| {
        let block = vec![b'a'; MB];
        let _ = w.write_all(br#"{"title": "t", "text": ""#);
        for _ in 0..300 {
            if w.write_all(&block).is_err() {
                return;
            }
        }
        let _ = w.write_all(
            "\"}\n{\"title\": \"من الإدخال\", \"text\": \"نص بعد السطر الطويل\"}\n".as_bytes(),
        );
    });
    refused(
        &a,
        &[],
        OsStr::new("-"),
        Some(feed),
        "over the limit of 4194304",
    );
    assert_eq!(
        a.count("SELECT count(*) FROM articles WHERE title = 'من الإدخال'"),
        1
    );
}

#[test]
fn devices_given_as_paths_are_refused() {
    for (dev, what) in [("/dev/zero", "is a device"), ("/dev/null", "is a device")] {
        let a = Archive::new();
        refused(&a, &[], OsStr::new(dev), None, what);
    }
}

#[test]
fn a_fifo_given_as_a_path_is_refused_without_opening_it() {
    let a = Archive::new();
    let fifo = a.path("pipe.txt");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // A writer that waits for a reader: if marsad opened the FIFO it would
    // read this text instead of refusing the path.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let _ = f.write_all("عنوان من الأنبوب\n\nنص\n".as_bytes());
        })
    };
    refused(&a, &[], fifo.as_os_str(), None, "named pipe (FIFO)");
    // Release the writer: open the read end ourselves (without waiting, in
    // case the writer is gone).
    let _reader = {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap()
    };
    writer.join().unwrap();
}

#[test]
fn html_nested_two_hundred_thousand_deep_is_refused() {
    let a = Archive::new();
    let page = a.path("deep.html");
    let depth = 200_000;
    fs::write(
        &page,
        format!(
            "<html><body>{}<p>نص عميق</p>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        ),
    )
    .unwrap();
    let m = refused(&a, &[], page.as_os_str(), None, "nested 200000 deep");
    assert!(m.contains("over the limit of 512"), "{m}");
}

#[test]
fn json_nul_escapes_are_dropped_and_offsets_still_slice_the_text() {
    let a = Archive::new();
    let f = a.path("nul.jsonl");
    fs::write(
        &f,
        r#"{"title": "حفتر\u0000 في موسكو", "text": "\u0000التقى المشير\u0000 خليفة حفتر الرئيس بوتين في موسكو.\u0000"}"#,
    )
    .unwrap();
    let out = a.run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (title, body): (String, String) = a
        .conn()
        .query_row("SELECT title, body FROM articles", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(title, "حفتر في موسكو");
    assert_eq!(body, "التقى المشير خليفة حفتر الرئيس بوتين في موسكو.");
    assert_eq!(
        a.count("SELECT length(body) FROM articles"),
        body.chars().count() as i64
    );
    assert!(a.count("SELECT count(*) FROM mentions") >= 3);
    assert_eq!(
        a.count(
            "SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id
             WHERE substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start + 1, m.end - m.start) != m.surface"
        ),
        0
    );
}

#[test]
fn file_names_that_are_not_utf8_stay_two_inputs() {
    use std::os::unix::ffi::OsStrExt;
    let a = Archive::new();
    let dir = a.path("inbox");
    fs::create_dir(&dir).unwrap();
    // "خبر" in Windows-1256, and the same with its last letter one byte off.
    let names: [&[u8]; 2] = [b"\xCE\xC8\xD1.txt", b"\xCE\xC8\xD2.txt"];
    for (i, n) in names.iter().enumerate() {
        fs::write(
            dir.join(OsStr::from_bytes(n)),
            format!("خبر رقم {i}\n\nالتقى المشير خليفة حفتر وفدا في بنغازي، الخبر رقم {i}.\n"),
        )
        .unwrap();
    }
    let (s, code, err) = a.ingest_json(&[&dir]);
    assert_eq!(
        (
            code,
            s["inputs"].as_u64(),
            s["new"].as_u64(),
            s["errors"].as_u64()
        ),
        (0, Some(2), Some(2), Some(0)),
        "{err}"
    );
    let stored = |sql: &str| -> Vec<String> {
        let conn = a.conn();
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let inputs = stored("SELECT path FROM inputs ORDER BY path");
    let origins = stored("SELECT name FROM origins ORDER BY name");
    assert_eq!(inputs, origins);
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert!(inputs[0].ends_with("/\\xCE\\xC8\\xD1.txt"), "{inputs:?}");
    assert!(inputs[1].ends_with("/\\xCE\\xC8\\xD2.txt"), "{inputs:?}");
    // The stored names lead back to the files.
    for (stored, n) in inputs.iter().zip(names) {
        let p = marsad::ingest::name_path(stored).unwrap();
        assert_eq!(p.file_name().unwrap().as_bytes(), n);
        assert!(p.exists());
    }
    let (s, code, _) = a.ingest_json(&[&dir]);
    assert_eq!(
        (code, s["unchanged"].as_u64(), s["inputs"].as_u64()),
        (0, Some(2), Some(0))
    );
    // Given as arguments (`marsad ingest inbox/*` in a cron line), and to a
    // --db whose name is not UTF-8 either: no panic, both read.
    let other = Archive {
        db: a.dir.path().join(OsStr::from_bytes(b"\xC7\xD1\xD4\xDD.db")),
        dir: tempfile::tempdir().unwrap(),
    };
    let files: Vec<std::path::PathBuf> = names
        .iter()
        .map(|n| dir.join(OsStr::from_bytes(n)))
        .collect();
    let (s, code, err) = other.ingest_json(&[&files[0], &files[1]]);
    assert_eq!((code, s["new"].as_u64()), (0, Some(2)), "{err}");
    assert_eq!(
        other.count(r#"SELECT count(*) FROM runs WHERE instr(args, '\\xCE\\xC8\\xD1.txt') > 0"#),
        1
    );
}

#[test]
fn many_long_json_lines_do_not_add_up_in_memory() {
    // Each line is under the article limit; together they are 128 MB, which
    // batches and a transaction's index rows used to hold all at once.
    let a = Archive::new();
    let f = a.path("long.jsonl");
    let mut w = std::io::BufWriter::new(fs::File::create(&f).unwrap());
    let word = "a".repeat(MB);
    for i in 0..128 {
        writeln!(w, r#"{{"title": "خبر {i}", "text": "{i} {word}"}}"#).unwrap();
    }
    w.flush().unwrap();
    let m = run_measured(
        &a,
        &[OsStr::new("ingest"), OsStr::new("--json"), f.as_os_str()],
        None,
    );
    assert!(m.peak_rss < RSS_CEILING, "peak RSS {} MB", m.peak_rss >> 20);
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    assert_eq!(a.count("SELECT count(*) FROM articles"), 128);
}
