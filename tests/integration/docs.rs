//! docs/cli.md is every subcommand's `--help`, generated: this test fails
//! when the two drift apart. `MARSAD_BLESS=1 cargo test --release --test docs`
//! (or `make docs`) writes it anew.

use std::path::Path;

fn help(args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("marsad")
        .unwrap()
        .args(args)
        .arg("--help")
        .env_remove("MARSAD_DB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands, as `marsad --help` lists them.
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

fn reference() -> String {
    let top = help(&[]);
    let mut out = String::from(
        "# marsad command-line reference\n\n\
         Generated from the binary's `--help` (`make docs`); `tests/integration/docs.rs` fails when it drifts.\n\n\
         ## marsad\n\n```text\n",
    );
    out.push_str(&top);
    out.push_str("```\n");
    let subs = subcommands(&top);
    assert!(subs.len() > 15, "{subs:?}");
    for sub in subs {
        out.push_str(&format!("\n## marsad {sub}\n\n```text\n"));
        out.push_str(&help(&[&sub]));
        out.push_str("```\n");
    }
    out
}

#[test]
fn the_cli_reference_in_docs_is_the_binarys_help() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let want = reference();
    if std::env::var_os("MARSAD_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/cli.md differs from the binary's --help; run `make docs` and commit it"
    );
}
