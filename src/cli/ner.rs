//! `marsad ner TEXT`, `marsad ner train`, `marsad ner eval`

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use marsad::ner::conll::{self, Part};
use marsad::ner::{self, Model, train};

use super::output;

/// Epochs when none are given: the best count on the tuning split.
const DEFAULT_EPOCHS: usize = 8;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Text to tag ('-' reads stdin): each name with its type, surface and code-point offsets, proclitics outside.
    #[arg(required = true)]
    text: Option<String>,
    #[command(flatten)]
    out: super::FormatArg,
}

#[derive(Subcommand)]
enum Sub {
    /// Train a model on labelled sentences (CoNLL: `token label` per line, a blank line between sentences, BIO labels over PERS, LOC, ORG, MISC).
    Train(TrainArgs),
    /// Precision, recall and F1 of the model on labelled sentences, per type and micro (PERS, LOC, ORG), exact span and overlap.
    Eval(EvalArgs),
}

#[derive(clap::Args)]
struct TrainArgs {
    /// The labelled sentences (CoNLL).
    file: PathBuf,
    /// Which sentences of FILE train: blocks of 20 sentences, block % 10 = 9 held out, = 8 tuning, the rest train.
    #[arg(long, value_enum, default_value = "all")]
    part: Part,
    /// Tuning sentences (CoNLL): F1 printed after each epoch, and the best epoch's model kept.
    #[arg(long, value_name = "FILE")]
    dev: Option<PathBuf>,
    /// Which sentences of the --dev file tune (same blocks as --part).
    #[arg(long, value_enum, default_value = "all")]
    dev_part: Part,
    /// Passes over the training sentences.
    #[arg(long, default_value_t = DEFAULT_EPOCHS)]
    epochs: usize,
    /// Perceptrons trained side by side, each visiting the sentences in another order; the model is the mean of their weights (steadier than one, as fast to tag, N times as long to train).
    #[arg(long, default_value_t = 1, value_name = "N")]
    runs: usize,
    /// Training margin: each sentence is decoded with every wrong label's score raised by this much, so that the weights learn to put the right labels ahead by it (0: the plain perceptron).
    #[arg(long, default_value_t = 0.0, value_name = "SCORE")]
    margin: f32,
    /// Where to write the model.
    #[arg(long, value_name = "MODEL")]
    out: PathBuf,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// The labelled sentences (CoNLL).
    file: PathBuf,
    /// Which sentences of FILE (see `ner train --part`).
    #[arg(long, value_enum, default_value = "all")]
    part: Part,
    #[command(flatten)]
    out: super::FormatArg,
}

pub fn run(model: Option<&Path>, a: Args) -> anyhow::Result<u8> {
    match a.command {
        Some(Sub::Train(t)) => run_train(t),
        Some(Sub::Eval(e)) => {
            let m = load(model)?;
            let s = conll::select(&conll::read(&e.file)?, e.part);
            let rows = train::evaluate(&m, &s).rows();
            output::print_rows(
                e.out.format,
                &[
                    "kind",
                    "matching",
                    "precision",
                    "recall",
                    "f1",
                    "gold",
                    "predicted",
                ],
                &rows,
            )?;
            Ok(0)
        }
        None => {
            let m = load(model)?;
            let mut text = a.text.unwrap_or_default();
            if text == "-" {
                text.clear();
                std::io::stdin().read_to_string(&mut text)?;
            }
            if text.trim().is_empty() {
                anyhow::bail!("no text to tag: give it as TEXT, or `-` to read it from stdin");
            }
            let found = ner::find(&m, &text);
            output::print_rows(a.out.format, &["type", "surface", "start", "end"], &found)?;
            Ok(0)
        }
    }
}

fn load(model: Option<&Path>) -> anyhow::Result<Model> {
    let Some(path) = ner::locate(model) else {
        if model.is_some() {
            anyhow::bail!(
                "NER is off (--model none or an empty MARSAD_MODEL), and `marsad ner` needs a model: \
                 pass --model FILE, or drop the option to use {} next to the binary or in models/",
                ner::MODEL_FILE
            );
        }
        anyhow::bail!(
            "NER is off: no model found (--model none, or no {} next to the binary or in models/); \
             pass --model FILE or set MARSAD_MODEL to turn it on",
            ner::MODEL_FILE
        );
    };
    Ok(Model::load(&path)?)
}

fn run_train(t: TrainArgs) -> anyhow::Result<u8> {
    let sentences = conll::select(&conll::read(&t.file)?, t.part);
    let dev = match &t.dev {
        Some(d) => Some(conll::select(&conll::read(d)?, t.dev_part)),
        None => None,
    };
    eprintln!("training on {} sentences", sentences.len());
    let resources = Model::default_resources()?;
    let model = train::train(
        &sentences,
        dev.as_deref(),
        t.epochs,
        t.runs,
        t.margin,
        &resources,
        |e| match e.tuning_f1 {
            Some(f) => eprintln!(
                "epoch {}: {} sentences mislabelled; tuning F1 {f:.4}",
                e.epoch, e.mistakes
            ),
            None => eprintln!("epoch {}: {} sentences mislabelled", e.epoch, e.mistakes),
        },
    )?;
    model.save(&t.out)?;
    eprintln!("wrote {} ({} features)", t.out.display(), model.features());
    Ok(0)
}
