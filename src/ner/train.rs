//! Training a model from labelled sentences, and evaluating one.

use super::conll::Sentence;
use super::eval::Evaluation;
use super::model::Model;
use super::perceptron::{Trainer, mix};
use crate::Result;

/// What each epoch reports: its number, sentences mislabelled while
/// training (the mean over the runs), and the tuning F1 (micro, exact) when tuning sentences are given.
#[derive(Debug, Clone, Copy)]
pub struct Epoch {
    pub epoch: usize,
    pub mistakes: usize,
    pub tuning_f1: Option<f64>,
}

/// Train `runs` perceptrons (each visiting the sentences in its own
/// order) for `epochs` passes, with a training `margin` (see
/// perceptron.rs; 0 for none); the model is the mean of their averaged
/// weights. With `tuning` sentences the model of the epoch with the best
/// tuning F1 is kept (early stopping); without, the last.
pub fn train(
    sentences: &[Sentence],
    tuning: Option<&[Sentence]>,
    epochs: usize,
    runs: usize,
    margin: f32,
    resources_tsv: &str,
    mut progress: impl FnMut(Epoch),
) -> Result<Model> {
    let res = super::features::Resources::parse(resources_tsv).map_err(crate::Error::Invalid)?;
    let mut first = Trainer::new(&res, sentences);
    first.margin = margin;
    let mut runs: Vec<Trainer> = (1..runs.max(1) as u64).map(|r| first.run(r)).collect();
    runs.insert(0, first);
    let mut best: Option<(f64, Model)> = None;
    for epoch in 1..=epochs.max(1) {
        let mistakes = runs.iter_mut().map(Trainer::epoch).sum::<usize>() / runs.len();
        let last = epoch == epochs.max(1);
        if tuning.is_none() && !last {
            progress(Epoch {
                epoch,
                mistakes,
                tuning_f1: None,
            });
            continue;
        }
        let model = Model::from_weights(&mix(&runs), resources_tsv)?;
        let f1 = tuning.map(|s| evaluate(&model, s).f1());
        progress(Epoch {
            epoch,
            mistakes,
            tuning_f1: f1,
        });
        let score = f1.unwrap_or(0.0);
        if best
            .as_ref()
            .is_none_or(|(b, _)| score > *b || tuning.is_none())
        {
            best = Some((score, model));
        }
    }
    Ok(best.expect("at least one epoch").1)
}

/// Tag `sentences` with `model` and compare with their labels.
pub fn evaluate(model: &Model, sentences: &[Sentence]) -> Evaluation {
    let mut e = Evaluation::default();
    for s in sentences {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        e.add(&s.labels, &model.labels(&words));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::Tagger;
    use crate::ner::conll::parse;

    fn toy() -> Vec<Sentence> {
        let mut text = String::new();
        let names = [
            ("سمير", "B-PERS"),
            ("تونس", "B-LOC"),
            ("نادر", "B-PERS"),
            ("الجزائر", "B-LOC"),
        ];
        for (i, (n, l)) in names.iter().cycle().take(40).enumerate() {
            let verb = ["قال", "زار", "غادر", "وصل"][i % 4];
            text += &format!("{verb} O\n{n} {l}\nأمس O\nفي O\nحزب B-ORG\nالعمال I-ORG\n\n");
        }
        parse(&text).unwrap()
    }

    #[test]
    fn converges_on_a_toy_set_and_round_trips() {
        let s = toy();
        let res = String::new();
        let mut last = usize::MAX;
        let m = train(&s, None, 8, 1, 0.0, &res, |e| last = e.mistakes).unwrap();
        assert_eq!(
            last, 0,
            "the perceptron stops making mistakes on separable data"
        );
        assert_eq!(evaluate(&m, &s).f1(), 1.0);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.model");
        m.save(&p).unwrap();
        let back = Model::load(&p).unwrap();
        assert_eq!(evaluate(&back, &s).f1(), 1.0);
        assert_eq!(back.tag(&["زار", "تونس"]), m.tag(&["زار", "تونس"]));
        assert_eq!(back.id(), m.id());
        // A damaged or foreign file is refused with a message that names it.
        let mut bytes = std::fs::read(&p).unwrap();
        let cut = bytes.len() - 10;
        bytes.truncate(cut);
        std::fs::write(&p, &bytes).unwrap();
        let err = Model::load(&p).err().unwrap().to_string();
        assert!(
            err.contains("m.model") && err.contains("damaged") && err.contains("--model none"),
            "{err}"
        );
        std::fs::write(&p, "marsad-ner-model\tformat=0\n").unwrap();
        let err = Model::load(&p).err().unwrap().to_string();
        assert!(err.contains("another marsad"), "{err}");
    }

    #[test]
    fn mixed_runs_learn_the_toy_set_and_span_costs_trade_names_away() {
        let s = toy();
        let mut m = train(&s, None, 8, 3, 16.0, "", |_| {}).unwrap();
        assert_eq!(evaluate(&m, &s).f1(), 1.0);
        let pers = |m: &Model| {
            m.tag(&["زار", "سمير", "تونس"])
                .iter()
                .filter(|n| n.kind == crate::entities::EntityType::Person)
                .count()
        };
        assert_eq!(pers(&m), 1);
        m.add_span_cost([1e6, 0.0, 0.0, 0.0]);
        assert_eq!(pers(&m), 0);
    }
}
