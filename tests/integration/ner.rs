//! The NER model: training converges on a small slice, the shipped model
//! keeps its held-out figures, `marsad ner TEXT` offsets slice to the
//! surface, and a missing or damaged model is a clear error.

use std::path::{Path, PathBuf};

use crate::common::{Archive, shared_ner};

const TRAIN: &str = "cleananercorp-train.conll";

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ner-ar.model")
}

fn eval(a: &Archive, model: &Path, file: &Path, part: &str) -> Vec<serde_json::Value> {
    let out = a
        .cmd()
        .arg("--model")
        .arg(model)
        .args(["ner", "eval"])
        .arg(file)
        .args(["--part", part, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn figure(rows: &[serde_json::Value], kind: &str, matching: &str, what: &str) -> f64 {
    rows.iter()
        .find(|r| r["kind"] == kind && r["matching"] == matching)
        .unwrap_or_else(|| panic!("no {kind} {matching} row"))[what]
        .as_f64()
        .unwrap()
}

#[test]
fn training_on_a_small_slice_tags_it_back() {
    let Some(file) = shared_ner(TRAIN) else {
        return;
    };
    let a = Archive::new();
    let text = std::fs::read_to_string(&file).unwrap();
    let slice: Vec<&str> = text.split("\n\n").take(200).collect();
    let small = a.dir.path().join("small.conll");
    std::fs::write(&small, slice.join("\n\n") + "\n").unwrap();
    let model = a.dir.path().join("small.model");
    let out = a
        .cmd()
        .args(["ner", "train"])
        .arg(&small)
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("epoch 8:"), "{err}");
    let rows = eval(&a, &model, &small, "all");
    let f1 = figure(&rows, "micro", "exact", "f1");
    assert!(f1 >= 0.95, "F1 {f1} on the training slice");
    assert!(figure(&rows, "micro", "exact", "gold") > 100.0);
}

/// Held-out figures of the shipped model as models/README.md reports them
/// (micro F1 and per-type precision, exact span), each asserted with a margin.
#[test]
fn shipped_model_keeps_its_held_out_figures() {
    let Some(file) = shared_ner(TRAIN) else {
        return;
    };
    let a = Archive::new();
    let rows = eval(&a, &shipped(), &file, "heldout");
    let f1 = figure(&rows, "micro", "exact", "f1");
    assert!(f1 >= 0.723 - 0.02, "held-out micro F1 {f1}");
    for (kind, reported) in [("PERS", 0.715), ("LOC", 0.790), ("ORG", 0.679)] {
        let p = figure(&rows, kind, "exact", "precision");
        assert!(p >= reported - 0.03, "{kind} precision {p}");
    }
    // Overlap is never below exact.
    assert!(figure(&rows, "micro", "overlap", "f1") >= f1);
}

#[test]
fn ner_text_offsets_slice_to_the_surface() {
    let a = Archive::new();
    let text = "وقال الرئيس الأمريكي جورج بوش في واشنطن إن وزارة الخارجية الأمريكية ستعمل مع الأمم المتحدة. وزار بوش بغداد والقاهرة.";
    let out = a
        .cmd()
        .arg("--model")
        .arg(shipped())
        .args(["ner", text, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let chars: Vec<char> = text.chars().collect();
    assert!(rows.len() >= 3, "{rows:?}");
    for r in &rows {
        let (s, e) = (
            r["start"].as_u64().unwrap() as usize,
            r["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            r["surface"].as_str().unwrap()
        );
        assert!(
            ["person", "place", "org"].contains(&r["type"].as_str().unwrap()),
            "{r}"
        );
    }
    let has = |surface: &str, kind: &str| {
        rows.iter()
            .any(|r| r["surface"] == surface && r["type"] == kind)
    };
    assert!(has("جورج بوش", "person"), "{rows:?}");
    assert!(has("واشنطن", "place"), "{rows:?}");
    // The proclitic و stays outside the name; the article stays in.
    assert!(
        !rows
            .iter()
            .any(|r| r["surface"].as_str().unwrap().starts_with("والقاهرة")),
        "{rows:?}"
    );
    // stdin works the same.
    let piped = a
        .cmd()
        .arg("--model")
        .arg(shipped())
        .args(["ner", "-", "--format", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(piped.stdout, out.stdout);
}

#[test]
fn missing_or_damaged_model_is_a_clear_error() {
    let a = Archive::new();
    let missing = a.dir.path().join("nothing.model");
    let out = a
        .cmd()
        .arg("--model")
        .arg(&missing)
        .args(["ner", "بوش"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing.model") && err.contains("--model none"),
        "{err}"
    );

    let damaged = a.dir.path().join("damaged.model");
    let mut bytes = std::fs::read(shipped()).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&damaged, bytes).unwrap();
    let out = a
        .cmd()
        .arg("--model")
        .arg(&damaged)
        .args(["ner", "بوش"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("damaged.model") && err.contains("damaged;") && err.contains("ner train"),
        "{err}"
    );

    let foreign = a.dir.path().join("foreign.model");
    std::fs::write(&foreign, "hello\n").unwrap();
    let out = a
        .cmd()
        .arg("--model")
        .arg(&foreign)
        .args(["ner", "بوش"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a marsad NER model"), "{err}");

    let out = a
        .cmd()
        .args(["--model", "none", "ner", "بوش"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NER is off") && err.contains("--model FILE"),
        "{err}"
    );
    // Nothing to tag is said, not answered with an empty table.
    let out = a.cmd().args(["ner", " "]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no text to tag"));
}
