//! A closed pipe (`marsad entity X | head`) ends marsad quietly with exit
//! code 0, as ripgrep and xsv do: no panic, no message.

use std::process::Stdio;

use crate::common::*;

#[test]
fn every_listing_command_ends_quietly_when_its_reader_goes_away() {
    let a = Archive::new();
    a.ingest_json(&[&seeds_dir()]);
    let commands: &[&[&str]] = &[
        &["entity", "حفتر"],
        &["queries"],
        &["search", "حفتر"],
        &["search", "حفتر", "--format", "json"],
        &["mentions", "حفتر"],
        &["show", "1"],
        &["sql", "SELECT * FROM articles"],
        &["sql", "SELECT * FROM articles", "--format", "csv"],
        &["run", "who-met-whom"],
        &["export", "articles"],
        &["entities", "--format", "jsonl"],
        &["cooccur", "حفتر", "روسيا"],
        &["views"],
        &["info"],
        &["analyze", "والوزير لروسيا"],
    ];
    for args in commands {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("marsad"))
            .arg("--db")
            .arg(&a.db)
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before marsad has written anything: its
        // first write meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}
