//! Named-entity spans linked to the archive (issue 20), with fake taggers
//! standing in for the model: the seeds keep every mention, discovered
//! entities get readable ids and reach the views, saved queries and edits.

use std::collections::BTreeSet;
use std::path::Path;

use marsad::entities::EntityType;
use marsad::ner::{NerSpan, SharedTagger, Tagger};

use crate::common::{Archive, seeds_dir, stderr, stdout};

/// Tags the listed names where their words stand (the first word may carry
/// a proclitic of up to two letters), and, with `every`, also a span of two
/// words at every `every`-th word, names or not, like a careless model.
struct Fake {
    names: Vec<(&'static str, EntityType)>,
    every: usize,
}

impl Tagger for Fake {
    fn tag(&self, words: &[&str]) -> Vec<NerSpan> {
        let norm: Vec<String> = words.iter().map(|w| marsad::text::normalize(w)).collect();
        let mut out = Vec::new();
        let mut i = 0;
        'word: while i < norm.len() {
            for (name, kind) in &self.names {
                let n: Vec<String> = name.split(' ').map(marsad::text::normalize).collect();
                if i + n.len() <= norm.len()
                    && norm[i].ends_with(n[0].as_str())
                    && norm[i].chars().count() <= n[0].chars().count() + 2
                    && (1..n.len()).all(|k| norm[i + k] == n[k])
                {
                    out.push(NerSpan {
                        start: i,
                        end: i + n.len(),
                        kind: *kind,
                    });
                    i += n.len();
                    continue 'word;
                }
            }
            if self.every > 0 && i % self.every == 0 && i + 2 <= norm.len() {
                out.push(NerSpan {
                    start: i,
                    end: i + 2,
                    kind: EntityType::Org,
                });
                i += 2;
                continue;
            }
            i += 1;
        }
        out
    }

    fn id(&self) -> String {
        format!("fake-{}", self.every)
    }
}

fn ingest(a: &Archive, paths: &[&Path], tagger: Option<Fake>) {
    let mut store = marsad::archive::open_to_write(&a.db).unwrap();
    let opts = marsad::ingest::Options {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        format: marsad::ingest::Format::Auto,
        outlet: None,
        args: vec![],
        max_article_bytes: 1 << 20,
        tagger: tagger.map(SharedTagger::new),
    };
    let s = marsad::ingest::run(&mut store, &opts, |e| panic!("{e:?}"), |_| {}).unwrap();
    assert!(s.new > 0);
}

fn reextract(a: &Archive, tagger: Option<&Fake>) {
    let mut store = marsad::archive::open_to_edit(&a.db).unwrap();
    marsad::entities::reextract::reextract(&mut store.conn, tagger.map(|t| t as &dyn Tagger))
        .unwrap();
}

/// The Arabic names of the candidates.
fn candidate_names(a: &Archive) -> BTreeSet<String> {
    let conn = a.conn();
    let mut st = conn
        .prepare("SELECT name_ar FROM entities WHERE status = 'candidate'")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// (title, entity, field, start, end) of every mention of an accepted entity.
fn accepted_mentions(a: &Archive) -> BTreeSet<String> {
    let conn = a.conn();
    let mut st = conn
        .prepare(
            "SELECT a.title, m.entity_id, m.field, m.start, m.end FROM mentions m
             JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id
             WHERE e.status = 'accepted'",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok(format!(
            "{}\t{}\t{}\t{}\t{}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The seeds keep every mention marsad found in them before NER (captured
/// from main's binary into seed_mentions.tsv), with exact offsets, with no
/// model and with taggers that agree with the gazetteer or tag at random.
#[test]
fn seeds_keep_every_mention_with_and_without_a_tagger() {
    let expected: BTreeSet<String> = include_str!("seed_mentions.tsv")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(expected.len(), 439);
    let named = || {
        vec![
            ("خليفة حفتر", EntityType::Person),
            ("الجيش الوطني الليبي", EntityType::Org),
            ("موسكو", EntityType::Place),
            ("وزارة الدفاع", EntityType::Org),
            ("بنغازي", EntityType::Place),
        ]
    };
    for tagger in [
        None,
        Some(Fake {
            names: named(),
            every: 0,
        }),
        Some(Fake {
            names: named(),
            every: 5,
        }),
    ] {
        let a = Archive::new();
        let random = tagger.as_ref().is_some_and(|t| t.every > 0);
        ingest(&a, &[&seeds_dir()], tagger);
        let got = accepted_mentions(&a);
        assert_eq!(
            got.symmetric_difference(&expected).collect::<Vec<_>>(),
            Vec::<&String>::new()
        );
        if random {
            assert!(a.count("SELECT count(*) FROM entities WHERE status = 'candidate'") > 10);
        }
        let out = a.run(&["check"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // And through the binary with the shipped model (models/ner-ar.model).
    let a = Archive::new();
    let out = a.run(&["ingest", "--quiet", seeds_dir().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        a.count("SELECT count(*) FROM meta WHERE key = 'ner_model' AND value != 'off'"),
        1,
        "the shipped model was not used"
    );
    let got = accepted_mentions(&a);
    assert_eq!(
        got.symmetric_difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
}

fn write_articles(a: &Archive, bodies: &[&str]) -> std::path::PathBuf {
    let p = a.path("in.jsonl");
    let lines: Vec<String> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            serde_json::json!({"id": format!("a{i}"), "title": format!("خبر {i}"), "text": b, "date": format!("2024-05-0{}", i + 1)})
                .to_string()
        })
        .collect();
    std::fs::write(&p, lines.join("\n")).unwrap();
    p
}

fn bush() -> Fake {
    Fake {
        names: vec![
            ("جورج بوش", EntityType::Person),
            ("فلاديمير بوتين", EntityType::Person),
        ],
        every: 0,
    }
}

#[test]
fn discovered_entities_reach_views_queries_and_edits() {
    let a = Archive::new();
    let p = write_articles(
        &a,
        &[
            "التقى جورج بوش فلاديمير بوتين في موسكو أمس. وقال بوش إن اللقاء كان مثمرا.",
            "وصل جورج بوش إلى بغداد في زيارة لم يعلن عنها.",
        ],
    );
    ingest(&a, &[&p], Some(bush()));
    let conn = a.conn();
    let (id, status): (String, String) = conn
        .query_row(
            "SELECT id, status FROM entities WHERE name_ar = 'جورج بوش'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((id.as_str(), status.as_str()), ("jwrj-bwsh", "candidate"));
    // Full name twice, bare surname once: one entity.
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'jwrj-bwsh'"),
        3
    );
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'jwrj-bwsh' AND how = 'short' AND surface = 'بوش'"),
        1
    );
    let (articles, st): (i64, String) = conn
        .query_row(
            "SELECT articles, status FROM v_entity_stats WHERE entity_id = 'jwrj-bwsh'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((articles, st.as_str()), (2, "candidate"));
    assert_eq!(
        a.count("SELECT count(*) FROM v_cooccurrence WHERE entity_a = 'jwrj-bwsh' OR entity_b = 'jwrj-bwsh'"),
        2
    );
    assert_eq!(
        a.count(&format!(
            "SELECT count(*) FROM entities_fts WHERE entities_fts MATCH '{}'",
            marsad::text::index_terms("بوش")
        )),
        1
    );
    let out = a.run(&["run", "who-met-whom", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        rows.as_array().unwrap().iter().any(|r| {
            (r["person_a"] == "jwrj-bwsh" && r["status_a"] == "candidate")
                || (r["person_b"] == "jwrj-bwsh" && r["status_b"] == "candidate")
        }),
        "{rows}"
    );
    let out = a.run(&["entities", "--candidates"]);
    assert!(stdout(&out).contains("jwrj-bwsh"), "{}", stdout(&out));
    let out = a.run(&["export", "mentions", "--entity", "jwrj-bwsh"]);
    assert!(
        stdout(&out).contains("\"status\":\"candidate\""),
        "{}",
        stdout(&out)
    );

    // The id is stable across reextract; a model change is recorded.
    assert_eq!(
        a.count("SELECT count(*) FROM meta WHERE key = 'ner_model' AND value = 'fake-0'"),
        1
    );
    reextract(&a, Some(&bush()));
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'jwrj-bwsh'"),
        3
    );
    // Rejected: no longer proposed nor tagged, after reextract too.
    let out = a.run(&["entity", "reject", "jwrj-bwsh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    reextract(&a, Some(&bush()));
    assert_eq!(
        a.count("SELECT count(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.name_ar LIKE '%بوش%' OR m.surface LIKE '%بوش%'"),
        0
    );
    assert_eq!(
        a.count(
            "SELECT count(*) FROM entities WHERE status = 'candidate' AND name_ar LIKE '%بوش%'"
        ),
        0
    );
    // Without a model the archive says so.
    reextract(&a, None);
    assert_eq!(
        a.count("SELECT count(*) FROM meta WHERE key = 'ner_model' AND value = 'off'"),
        1
    );
}

/// A name the gazetteer's matcher turned down is not linked to its entity
/// by the model: a bare first name with no full name before it (خليفة
/// "successor", خالد the film's hero), a generic name with no sign of its
/// country (مجلس النواب of Congress), an adjective with its article
/// (والسورية, "and the Syrian", is not Syria), whatever type the model
/// reads. Nor does a lone given name or a place's adjective become a
/// candidate; a full name still does.
#[test]
fn the_model_does_not_link_names_the_gazetteer_turned_down() {
    let a = Archive::new();
    let p = write_articles(
        &a,
        &[
            "جاء خليفة للمدرب الأرجنتيني بعد موسم صعب.",
            "تجنب أي صدام بين طهران وتل أبيب. وعاد خالد إلى بيته.",
            "صوت مجلس النواب الأميركي على القانون، وقال جورج بوش إنه يؤيده.",
            "وقصفت الطائرات الروسية والسورية المدينة.",
        ],
    );
    let tagger = Fake {
        names: vec![
            ("السورية", EntityType::Org),
            ("خليفة", EntityType::Person),
            ("صدام", EntityType::Place),
            ("خالد", EntityType::Person),
            ("مجلس النواب", EntityType::Org),
            ("جورج بوش", EntityType::Person),
        ],
        every: 0,
    };
    ingest(&a, &[&p], Some(tagger));
    let linked = a.count(
        "SELECT count(*) FROM mentions WHERE entity_id IN
           ('khalifa-haftar', 'saddam-haftar', 'khaled-haftar', 'house-of-representatives', 'syria')",
    );
    assert_eq!(linked, 0, "{:?}", accepted_mentions(&a));
    assert_eq!(
        candidate_names(&a),
        BTreeSet::from(["جورج بوش".to_string()]),
        "only the full name is a candidate"
    );
}

/// A preposition the model takes into a name is left out of it (على محمد
/// صلاح is محمد صلاح), and a bare على is never a short form, even of a name
/// spelt with it (على الشناوي, Egyptian spelling of علي).
#[test]
fn prepositions_are_not_names_nor_short_forms() {
    let a = Archive::new();
    let p = write_articles(
        &a,
        &[
            "وأثنى المدرب على محمد صلاح بعد المباراة، وقال إن الفريق يعتمد على محمد صلاح كثيرا.",
            "وتصدى على الشناوي لركلة جزاء، وحافظ على تقدم فريقه في ستاد القاهرة.",
        ],
    );
    let tagger = Fake {
        names: vec![
            ("على محمد صلاح", EntityType::Person),
            ("على الشناوي", EntityType::Person),
        ],
        every: 0,
    };
    ingest(&a, &[&p], Some(tagger));
    assert_eq!(
        candidate_names(&a),
        BTreeSet::from(["محمد صلاح".to_string(), "على الشناوي".to_string()])
    );
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE surface = 'على'"),
        0
    );
    assert_eq!(
        a.count("SELECT count(*) FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.name_ar = 'محمد صلاح'"),
        2
    );
}

#[test]
fn accept_keeps_the_readable_id_and_merge_makes_an_alias() {
    let a = Archive::new();
    let p = write_articles(&a, &["قال جورج بوش إن القيصر الروسي زار بغداد."]);
    let t = || Fake {
        names: vec![
            ("جورج بوش", EntityType::Person),
            ("القيصر الروسي", EntityType::Person),
        ],
        every: 0,
    };
    ingest(&a, &[&p], Some(t()));
    let out = a.run(&["entity", "accept", "jwrj-bwsh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        a.count("SELECT count(*) FROM entities WHERE id = 'jwrj-bwsh' AND status = 'accepted'"),
        1
    );
    // Accepted, he keeps his bare surname after the full name.
    assert_eq!(
        a.count("SELECT count(*) FROM entity_aliases WHERE entity_id = 'jwrj-bwsh' AND alias = 'بوش' AND kind = 'short'"),
        1
    );
    let id: String = a
        .conn()
        .query_row(
            "SELECT id FROM entities WHERE name_ar = 'القيصر الروسي'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(id, "alqysr-alrwsy");
    let out = a.run(&["entity", "merge", &id, "vladimir-putin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    reextract(&a, Some(&t()));
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'vladimir-putin' AND surface = 'القيصر الروسي' AND how = 'alias'"),
        1
    );
    // The merged id still finds the entity.
    let out = a.run(&["entity", &id]);
    assert!(stdout(&out).contains("vladimir-putin"), "{}", stdout(&out));
}

#[test]
fn old_candidate_ids_are_renamed_and_keep_resolving() {
    let a = Archive::new();
    let p = write_articles(
        &a,
        &["وقال وزير الخارجية الأمريكي مايك بومبيو إن الأمر انتهى."],
    );
    ingest(&a, &[&p], None);
    // As an archive from before readable ids holds it.
    let conn = a.conn();
    let id: String = conn
        .query_row(
            "SELECT id FROM entities WHERE status = 'candidate'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(id, "mayk-bwmbyw");
    let old = marsad::entities::store::legacy_candidate_id("مايك بومبيو");
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         UPDATE entities SET id = '{old}' WHERE id = '{id}';
         UPDATE entity_aliases SET entity_id = '{old}' WHERE entity_id = '{id}';
         UPDATE mentions SET entity_id = '{old}' WHERE entity_id = '{id}';"
    ))
    .unwrap();
    drop(conn);
    reextract(&a, None);
    assert_eq!(
        a.count("SELECT count(*) FROM mentions WHERE entity_id = 'mayk-bwmbyw'"),
        1
    );
    let out = a.run(&["entity", &old]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("mayk-bwmbyw"), "{}", stdout(&out));
}

#[test]
fn ner_off_is_said_once_and_info_shows_the_model() {
    let a = Archive::new();
    let out = a
        .cmd()
        .args(["--model", "none", "ingest"])
        .arg(seeds_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        stderr(&out)
            .matches("named-entity recognition is off (--model none)")
            .count(),
        1,
        "{}",
        stderr(&out)
    );
    let out = a
        .cmd()
        .args(["--model", "none", "ingest", "--quiet"])
        .arg(seeds_dir())
        .output()
        .unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let out = a.run(&["info", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["ner_model"], "off");
    // An archive tagged by another model is told so.
    a.conn()
        .execute(
            "UPDATE meta SET value = 'other-model' WHERE key = 'ner_model'",
            [],
        )
        .unwrap();
    let out = a
        .cmd()
        .args(["--model", "none", "ingest"])
        .arg(seeds_dir())
        .output()
        .unwrap();
    assert!(
        stderr(&out)
            .contains("older articles were tagged with another named-entity model (other-model)"),
        "{}",
        stderr(&out)
    );
}
