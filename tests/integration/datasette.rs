//! The archive in Datasette: full-text search on articles and a saved query
//! as a canned query, over HTTP on 127.0.0.1. Datasette comes from PyPI
//! (`.ci/run` installs it into .venv); set MARSAD_DATASETTE to its path.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn datasette() -> Option<std::path::PathBuf> {
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

fn percent(s: &str) -> String {
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
fn get(port: u16, path: &str) -> Option<(u16, String)> {
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

#[test]
fn datasette_searches_articles_and_runs_a_saved_query() {
    let Some(datasette) = datasette() else { return };
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let meta = a.run(&["queries", "--datasette"]);
    assert!(meta.status.success(), "{}", stderr(&meta));
    let meta_path = a.path("metadata.json");
    std::fs::write(&meta_path, &meta.stdout).unwrap();

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new(&datasette)
            .arg("serve")
            .arg(&a.db)
            .arg("-m")
            .arg(&meta_path)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(port, "/-/versions.json").is_none() {
        assert!(
            Instant::now() < deadline,
            "Datasette did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let (status, body) = get(
        port,
        &format!(
            "/marsad/articles.json?_search={}&_shape=array",
            percent("حفتر")
        ),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 5, "{body}");
    let (status, body) = get(
        port,
        &format!(
            "/marsad/articles.json?_search={}&_shape=array",
            percent("يفكيروف")
        ),
    )
    .unwrap();
    assert_eq!(status, 200);
    let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3, "{body}");

    let (status, body) = get(
        port,
        "/marsad/outlets-covering-entity.json?entity=khalifa-haftar&_shape=array",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["outlet"] == "إرم نيوز" && r["articles"] == 1),
        "{body}"
    );
}
