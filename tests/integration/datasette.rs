//! The archive in Datasette as `make serve` runs it (the marsad extension and
//! datasette/plugins): Arabic-aware search on articles, snippets, canned
//! queries that open with their defaults, over HTTP on 127.0.0.1, and the
//! search page in a real browser (headless Chromium). Datasette comes from
//! PyPI (`.ci/run` installs it, with pysqlite3-binary where the venv's Python
//! cannot load extensions, into .venv); set MARSAD_DATASETTE to its path.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::extension::extension;

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn datasette() -> Option<std::path::PathBuf> {
    let from_env = std::env::var_os("MARSAD_DATASETTE").map(std::path::PathBuf::from);
    let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/datasette");
    let found = from_env
        .filter(|p| p.exists())
        .or_else(|| local.exists().then_some(local));
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Datasette is missing; .ci/run installs it into .venv"
        );
        eprintln!(
            "skipping: Datasette not installed (python3 -m venv .venv && .venv/bin/pip install datasette)"
        );
    }
    found
}

pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// GET a path from 127.0.0.1:port; `None` while the server is not up.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let body = if head.to_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    Some((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        let bytes = rest.as_bytes();
        out.push_str(&String::from_utf8_lossy(&bytes[..n.min(bytes.len())]));
        body = rest.get(n + 2..).unwrap_or("");
    }
    out
}

/// Datasette over the archive `a` as `make serve` starts it: metadata from
/// `marsad queries --datasette`, the extension, the repository's plugins.
/// Waits (bounded) until it answers; fails with its stderr if it exits.
pub fn serve(datasette: &std::path::Path, a: &Archive) -> Server {
    let meta = a.run(&["queries", "--datasette"]);
    assert!(meta.status.success(), "{}", stderr(&meta));
    let meta_path = a.path("metadata.json");
    std::fs::write(&meta_path, &meta.stdout).unwrap();
    let log = a.path("datasette.log");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(datasette)
        .arg("serve")
        .arg(&a.db)
        .arg("-m")
        .arg(&meta_path)
        .arg("--load-extension")
        .arg(extension())
        .arg("--plugins-dir")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("datasette/plugins"))
        .args(["--setting", "max_returned_rows", "100000"])
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(port, "/-/versions.json").is_none() {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "Datasette exited ({status}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "Datasette did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// GET a JSON document; panics on anything but 200.
pub fn get_json(port: u16, path: &str) -> serde_json::Value {
    let (status, body) = get(port, path).unwrap_or_else(|| panic!("no answer for {path}"));
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

/// The article ids Datasette's articles table finds for a search box entry.
pub fn search_ids(port: u16, query: &str) -> Vec<i64> {
    let rows = get_json(
        port,
        &format!(
            "/marsad/articles.json?_search={}&_shape=array&_col=id&_size=max",
            percent(query)
        ),
    );
    let mut ids: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

#[test]
fn datasette_searches_articles_and_runs_a_saved_query() {
    let Some(datasette) = datasette() else { return };
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let server = serve(&datasette, &a);
    let port = server.port;

    // The search box finds what `marsad search --all` finds, word forms too.
    for q in [
        "حفتر",
        "يفكيروف",
        "الروسية",
        "وزير الدفاع",
        "\"خليفة حفتر\"",
        "لروسيا",
    ] {
        let cli = crate::extension::cli_ids(&a, q);
        assert!(!cli.is_empty(), "{q}: the seeds have it");
        assert_eq!(search_ids(port, q), cli, "{q}");
    }

    let rows = get_json(
        port,
        "/marsad/outlets-covering-entity.json?entity=khalifa-haftar&_shape=array",
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["outlet"] == "إرم نيوز" && r["articles"] == 1),
        "{rows}"
    );
}

/// Every canned query opens without parameters (its defaults) and without
/// an error, as JSON and as a page; the search query finds and marks.
#[test]
fn every_canned_query_opens_with_its_defaults() {
    let Some(datasette) = datasette() else { return };
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let server = serve(&datasette, &a);
    let names = a.run(&["queries", "--format", "json"]);
    let names: serde_json::Value = serde_json::from_slice(&names.stdout).unwrap();
    let names: Vec<String> = names
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    let mut answered = 0;
    for name in &names {
        let v = get_json(server.port, &format!("/marsad/{name}.json"));
        assert_eq!(v["ok"], true, "{name}: {v}");
        if !v["rows"].as_array().unwrap().is_empty() {
            answered += 1;
        }
        let (status, page) = get(server.port, &format!("/marsad/{name}")).unwrap();
        assert_eq!(status, 200, "{name}: {page}");
        assert!(!page.contains("message-error"), "{name}: {page}");
    }
    // On the seeds every shipped query but the Russian-Libyan meetings of a
    // narrower window has rows with its defaults.
    assert!(answered >= names.len() - 1, "{answered} of {}", names.len());
    // A form submitted with its fields blank means the defaults: the same
    // rows, not a datatype mismatch (limit), an FTS5 syntax error (meeting)
    // or no rows (outlet).
    for (name, blanks) in [
        ("new-entities", "days=&limit="),
        ("who-met-whom", "meeting=&limit=&from=&to="),
        ("search", "outlet=&from=&to=&limit="),
    ] {
        let plain = get_json(server.port, &format!("/marsad/{name}.json"));
        let blank = get_json(server.port, &format!("/marsad/{name}.json?{blanks}"));
        assert_eq!(blank["ok"], true, "{name}?{blanks}: {blank}");
        assert_eq!(blank["rows"], plain["rows"], "{name}?{blanks}");
    }
    let (_, page) = get(
        server.port,
        &format!("/marsad/search?q={}", percent("حفتر")),
    )
    .unwrap();
    assert!(page.contains("<mark>حفتر</mark>"), "{page}");
    // An entity in a result links to its mentions and timeline.
    let (_, page) = get(server.port, "/marsad/who-met-whom").unwrap();
    assert!(page.contains("/marsad/entity-mentions?entity="), "{page}");
    assert!(page.contains("/marsad/entity-timeline?entity="), "{page}");
    let (status, page) = get(server.port, "/marsad/entities/khalifa-haftar").unwrap();
    assert_eq!(status, 200);
    assert!(
        page.contains("/marsad/entity-timeline?entity=khalifa-haftar"),
        "{page}"
    );
}

/// Headless Chromium opens the articles page searched in Arabic: the
/// rendered page has right-to-left snippets with the words found marked,
/// facets by outlet and month, and a screenshot is kept under
/// target/test-artefacts/ (not committed).
#[test]
fn a_browser_shows_marked_arabic_snippets() {
    let Some(datasette) = datasette() else { return };
    let Some(chromium) = chromium() else { return };
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let server = serve(&datasette, &a);
    let url = format!(
        "http://127.0.0.1:{}/marsad/articles?_search={}",
        server.port,
        percent("الروسية")
    );
    let profile = a.path("chromium-profile");
    let headless = |extra: &[&str]| {
        let out = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap();
        assert!(out.status.success(), "chromium: {}", stderr(&out));
        out
    };
    let dom = stdout(&headless(&["--virtual-time-budget=5000", "--dump-dom"]));
    let cli = crate::extension::cli_ids(&a, "الروسية");
    assert!(!cli.is_empty());
    // One marked snippet per article found, each right to left.
    let snippets = dom
        .matches(r#"<div dir="rtl" lang="ar" class="marsad-snippet">"#)
        .count();
    assert_eq!(snippets, cli.len(), "{dom}");
    assert!(
        dom.contains("<mark>الروسية</mark>") || dom.contains("<mark>الروسي</mark>"),
        "{dom}"
    );
    assert!(
        dom.contains("published_at (month)") && !dom.contains("(month) (month)"),
        "the month facet: {dom}"
    );
    assert!(
        dom.contains("marsad-relevance"),
        "the link to the ranked search: {dom}"
    );
    // Date, outlet, title and the snippet; the hash and ingest columns hidden.
    for c in ["published_at", "outlet_id", "title", "body"] {
        assert!(dom.contains(&format!(r#"data-column="{c}""#)), "{c}: {dom}");
    }
    for c in ["content_sha256", "ingested_at", "run_id"] {
        assert!(
            !dom.contains(&format!(r#"data-column="{c}""#)),
            "{c}: {dom}"
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("datasette-search.png");
    let _ = std::fs::remove_file(&shot);
    headless(&[
        "--window-size=1280,1400",
        &format!("--screenshot={}", shot.display()),
    ]);
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        shot.display()
    );
    println!("screenshot: {}", shot.display());
}

/// Debian's chromium (`.ci/run` installs it).
fn chromium() -> Option<std::path::PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing; .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("skipping: chromium not installed");
    }
    found
}
