//! Predictions with a saved checkpoint, for `sweep predict`.
//!
//! The input is a CSV file with a header naming the model's columns (numeric and categorical),
//! in any order; the target column and columns left out in training (`data.exclude`) may be
//! there too and are ignored, and any other column is an error, as is a missing one. A
//! categorical cell sets its category's indicator; a category not seen in training sets none,
//! and is counted. A missing cell is an error, unless the model was trained with `data.missing:
//! mean | median`: then a numeric one gets the fill value fitted at training time and a
//! categorical one sets no indicator, as in training. Each row is scaled with
//! the normalization fitted at training time (both stored in the checkpoint), and the output is
//! a CSV file with one row per input row: `prediction` (the class name, or the value in the
//! target's units) and, for classification, `p_<class>` for each class's probability.

use std::io::{Read, Write};
use std::path::Path;

use crate::checkpoint::{self, CheckpointV1};
use crate::csv_text::CsvText;
use crate::data::{is_missing, missing_value, number, number_exact, quoted, Matrix};
use crate::metrics::softmax_row;
use crate::prep::Cells;
use crate::{train, Error, Result};

/// What `predict` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictionSummary {
    /// Rows predicted.
    pub rows: usize,
    /// The columns written.
    pub columns: Vec<String>,
    /// Cells of categorical columns holding a category the model did not see in training,
    /// which set none of its indicators.
    pub unseen_categories: usize,
}

/// What an input column is to the model.
enum Slot {
    /// The numeric feature at this position.
    Number(usize),
    /// The categorical column at this position of the sidecar's `categories`.
    Category(usize),
    /// The target, or a column left out in training.
    Ignored,
}

/// Predicts the rows of the CSV `input` (named `input_name` in errors) with the checkpoint whose
/// sidecar is `sidecar`, writing CSV to `output`.
///
/// Returns an error when the checkpoint cannot be read, when the input's columns are not the
/// model's, when a cell is not a finite number, or when writing fails.
pub fn predict(
    sidecar: &Path,
    mut input: impl Read,
    input_name: &Path,
    output: &mut dyn Write,
) -> Result<PredictionSummary> {
    let (meta, net) = checkpoint::load(sidecar)?;
    let mut text = Vec::new();
    input.read_to_end(&mut text).map_err(|e| Error::Csv {
        path: input_name.to_path_buf(),
        message: e.to_string(),
    })?;
    let (mut features, exact, unseen) = read_rows(&meta, &text, input_name)?;
    let rows = features.rows;
    let normalization = meta.normalization();
    normalization.apply(&mut features);
    normalization.apply_exact(
        &mut features,
        Cells {
            data: &exact,
            cols: meta.numeric_features(),
        },
    );
    // On one thread, as in training, so that the sums run in the same order.
    let thread = train::TrialThread::new()?;
    let dev = dfdx::tensor::Cpu::default();
    let outputs = thread.install(|| train::outputs(&dev, &net, &features))?;
    // Before a line is written: a prediction that is not a number would read as a class (the
    // first) or a value.
    let per_row = outputs.len() / rows.max(1);
    if let Some(row) = outputs
        .chunks_exact(per_row.max(1))
        .position(|out| out.iter().any(|x| !x.is_finite()))
    {
        return Err(Error::Unusable {
            path: input_name.to_path_buf(),
            // The rows are read again for the message (kept only scaled): the error path alone.
            message: out_of_reach(
                &meta,
                &read_rows(&meta, &text, input_name)?.0,
                &features,
                row,
            ),
        });
    }

    let write_error = |e: csv::Error| {
        let message = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(e) => Error::Write(e),
            _ => Error::Csv {
                path: Path::new("<output>").to_path_buf(),
                message,
            },
        }
    };
    let mut writer = csv::Writer::from_writer(output);
    let mut columns = vec!["prediction".to_string()];
    match meta.target_scale() {
        Some(scale) => {
            writer.write_record(&columns).map_err(write_error)?;
            for &out in &outputs {
                writer
                    .write_record([scale.invert(out).to_string()])
                    .map_err(write_error)?;
            }
        }
        None => {
            columns.extend(meta.class_names.iter().map(|c| format!("p_{c}")));
            writer.write_record(&columns).map_err(write_error)?;
            let classes = meta.class_names.len().max(1);
            for logits in outputs.chunks_exact(classes) {
                let p = softmax_row(logits);
                let best = (0..p.len()).fold(0, |b, c| if p[c] > p[b] { c } else { b });
                let mut line = vec![meta.class_names[best].clone()];
                line.extend(p.iter().map(|&x| probability_text(x)));
                writer.write_record(&line).map_err(write_error)?;
            }
        }
    }
    writer.flush().map_err(Error::Write)?;
    Ok(PredictionSummary {
        rows,
        columns,
        unseen_categories: unseen,
    })
}

/// Says why `row`'s output is not a number: its values are past what the model computes with,
/// naming the feature whose scaled value is the largest (its value as in `raw`, the rows read).
fn out_of_reach(meta: &CheckpointV1, raw: &Matrix, scaled: &Matrix, row: usize) -> String {
    let widest = scaled
        .row(row)
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(c, _)| c);
    let named = widest
        .and_then(|c| Some((meta.feature_names.get(c)?, raw.row(row).get(c)?)))
        .map(|(name, value)| format!(" (the farthest, `{name}`: {value:e})"))
        .unwrap_or_default();
    format!(
        "row {}: the model's output is not a number: the row's values are far past those it \
         was trained on{named}; check the row's units",
        row + 1
    )
}

/// Writes a class probability in full, as the shortest decimal that reads back as the same
/// number (a log loss or ROC AUC computed from the file needs more than a few decimals: 0.9999997
/// is not 1); from below 1e-4 in exponent form, `3.2e-9`, rather than with hundreds of zeros.
fn probability_text(p: f64) -> String {
    if p == 0.0 || p >= 1e-4 {
        p.to_string()
    } else {
        format!("{p:e}")
    }
}

/// Reads the rows of the CSV `text` (named `input_name` in errors) as the model's features,
/// before scaling, and the numeric cells as written (`prep::Cells`, NaN where missing); returns
/// them with the number of categorical cells holding an unseen category.
fn read_rows(
    meta: &CheckpointV1,
    text: &[u8],
    input_name: &Path,
) -> Result<(Matrix, Vec<f64>, usize)> {
    let columns_error = |message: String| Error::Columns {
        path: input_name.to_path_buf(),
        message,
    };
    let mut csv = CsvText::new(text, input_name)?;
    let header = csv.header().to_vec();
    // A column is found by its name: with two of one name, one of them would be read unsaid.
    crate::data::header_names_each_column_once(&header).map_err(columns_error)?;
    let numeric = meta.numeric_features();
    // The input's columns: the numeric features, then the categorical columns.
    let model_columns: Vec<String> = meta.feature_names[..numeric]
        .iter()
        .cloned()
        .chain(meta.categories.iter().map(|c| c.column.clone()))
        .collect();
    let missing: Vec<String> = model_columns
        .iter()
        .filter(|f| !header.contains(f))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(columns_error(format!(
            "missing column{} {}; the model was trained on {} columns",
            if missing.len() == 1 { "" } else { "s" },
            quoted(&missing),
            model_columns.len()
        )));
    }
    // Where each category's indicators start among the features.
    let offsets: Vec<usize> = meta
        .categories
        .iter()
        .scan(numeric, |next, c| {
            let start = *next;
            *next += c.values.len();
            Some(start)
        })
        .collect();
    let mut slots = Vec::with_capacity(header.len());
    for column in &header {
        if let Some(i) = meta.feature_names[..numeric]
            .iter()
            .position(|f| f == column)
        {
            slots.push(Slot::Number(i));
        } else if let Some(k) = meta.categories.iter().position(|c| c.column == *column) {
            slots.push(Slot::Category(k));
        } else if *column == meta.target || meta.excluded.contains(column) {
            slots.push(Slot::Ignored);
        } else {
            return Err(columns_error(format!(
                "unexpected column `{column}`; the model's columns are {}",
                quoted(&model_columns)
            )));
        }
    }
    // The target's and excluded columns are never read: they may hold anything.
    csv.leave_unread(
        slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| matches!(slot, Slot::Ignored))
            .map(|(column, _)| column),
    );
    let cols = meta.feature_names.len();
    let mut data = Vec::new();
    let mut exact = Vec::new();
    let mut unseen = 0;
    let mut record = csv::StringRecord::new();
    while csv.read(&mut record)? {
        let mut values = vec![0.0f32; cols];
        let mut cells = vec![f64::NAN; numeric];
        for (column, (cell, slot)) in record.iter().zip(&slots).enumerate() {
            match slot {
                Slot::Number(i) => {
                    values[*i] = match (number(cell), &meta.fill) {
                        (Ok(x), _) => {
                            cells[*i] = number_exact(cell);
                            x
                        }
                        // Filled as the training data was.
                        (Err(_), Some(fill)) if is_missing(cell) => fill[*i],
                        (Err(message), None) if is_missing(cell) => {
                            return Err(csv.malformed(column, unfilled(&message)))
                        }
                        (Err(message), _) => return Err(csv.malformed(column, message)),
                    };
                }
                Slot::Category(k) => {
                    let categories = &meta.categories[*k];
                    if is_missing(cell) {
                        // Encoded as no category, as in training; without filling, an error.
                        if meta.fill.is_none() {
                            let message = missing_value(cell, "cell");
                            return Err(csv.malformed(column, unfilled(&message)));
                        }
                    } else if let Some(i) = categories.index(Some(cell)) {
                        values[offsets[*k] + i] = 1.0;
                    } else {
                        unseen += 1;
                    }
                }
                Slot::Ignored => {}
            }
        }
        data.extend(values);
        exact.extend(cells);
    }
    let rows = data.len() / cols.max(1);
    Ok((Matrix { rows, cols, data }, exact, unseen))
}

/// Says what to do about a missing cell for a model trained without filling missing values.
fn unfilled(message: &str) -> String {
    format!(
        "{message}; this model was trained without filling missing values (`data.missing: \
         drop` or none), so each row to predict needs every value: give one, or train with \
         `data.missing: mean` or `median` to fill them"
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use experiment::{
        CheckpointFile, ExperimentSpec, Objective, Params, Seed, TrialContext, TrialId,
    };

    use super::*;
    use crate::MlpObjective;

    /// Records nothing; never prunes.
    struct Quiet;

    impl experiment::Reporter for Quiet {
        fn report(
            &mut self,
            _: experiment::Step,
            _: &[experiment::MetricPoint],
        ) -> experiment::Control {
            experiment::Control::Continue
        }
    }

    /// Trains one small digits trial with a checkpoint under `store`; returns its sidecar.
    fn trained(store: &Path) -> PathBuf {
        trained_on(store, "{csv: data/digits.csv, target: digit}")
    }

    /// Trains one small trial on `data` (a `data:` block, files relative to `experiments/`)
    /// with a checkpoint under `store`; returns its sidecar.
    fn trained_on(store: &Path, data: &str) -> PathBuf {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/p.yaml");
        let spec = ExperimentSpec::from_yaml_str(
            &format!(
                "name: p\ndata: {data}\nmetric: {{name: val_accuracy}}\n\
                 model: {{hidden: 16}}\ntrain: {{epochs: 2}}\n"
            ),
            &file,
        )
        .unwrap();
        let objective = MlpObjective::with_checkpoints(&spec, store, None).unwrap();
        let ctx = TrialContext {
            trial: TrialId(0),
            seed: Seed(1),
            params: &Params::new(),
        };
        objective.run(&ctx, &mut Quiet);
        CheckpointFile::Sidecar.path(store, TrialId(0))
    }

    #[test]
    fn probabilities_are_written_in_full() {
        for p in [
            0.0,
            1.0,
            0.5,
            0.999_999_7,
            1.234_567_890_123e-3,
            3.2e-9,
            1e-300,
        ] {
            let text = probability_text(p);
            assert_eq!(text.parse::<f64>().unwrap(), p, "{text}");
            assert!(text.len() <= 24, "{text}");
        }
        assert_eq!(probability_text(0.999_999_7), "0.9999997");
        assert_eq!(probability_text(3.2e-9), "3.2e-9");
    }

    #[test]
    fn predicts_classes_with_probabilities_and_refuses_other_columns() {
        let store = tempfile::tempdir().unwrap();
        let sidecar = trained(store.path());
        let digits = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/data/digits.csv"),
        )
        .unwrap();
        let input: String = digits.lines().take(6).map(|l| format!("{l}\n")).collect();
        let mut out = Vec::new();
        let summary = predict(&sidecar, input.as_bytes(), Path::new("new.csv"), &mut out).unwrap();
        assert_eq!(summary.rows, 5);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "prediction,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9"
        );
        assert_eq!(lines.len(), 6);
        let first: Vec<&str> = lines[1].split(',').collect();
        let total: f64 = first[1..].iter().map(|p| p.parse::<f64>().unwrap()).sum();
        // In full, not to a few decimals: the probabilities sum to one as computed.
        assert!((total - 1.0).abs() < 1e-12, "{total}");

        // Weights damaged since they were written are refused, not predicted with.
        let weights = CheckpointFile::Weights.beside(&sidecar);
        let whole = std::fs::read(&weights).unwrap();
        let mut damaged = whole.clone();
        let at = damaged.len() - 100;
        damaged[at] ^= 0xff;
        std::fs::write(&weights, &damaged).unwrap();
        let err = predict(
            &sidecar,
            input.as_bytes(),
            Path::new("new.csv"),
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("the weights are not those written with the sidecar"),
            "{err}"
        );
        std::fs::write(&weights, &whole).unwrap();

        let without_target: String = input
            .lines()
            .map(|l| format!("{}\n", l.rsplit_once(',').unwrap().0))
            .collect();
        let mut out = Vec::new();
        predict(
            &sidecar,
            without_target.as_bytes(),
            Path::new("new.csv"),
            &mut out,
        )
        .unwrap();

        let renamed = input.replacen("px0_0", "pixel", 1);
        let err = predict(
            &sidecar,
            renamed.as_bytes(),
            Path::new("new.csv"),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "new.csv: missing column `px0_0`; the model was trained on 64 columns"
        );
        let extra: String = input.lines().map(|l| format!("{l},1\n")).collect();
        let extra = extra.replacen("digit,1", "digit,id", 1);
        let err = predict(
            &sidecar,
            extra.as_bytes(),
            Path::new("new.csv"),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unexpected column `id`"), "{err}");
        // A column named twice would be read once, unsaid: refused.
        let twice: String = input.lines().map(|l| format!("{l},1\n")).collect();
        let twice = twice.replacen("digit,1", "digit,px0_3", 1);
        let err = predict(
            &sidecar,
            twice.as_bytes(),
            Path::new("new.csv"),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("are both named `px0_3`; each column needs a name of its own"),
            "{err}"
        );
    }

    #[test]
    fn a_row_the_model_gives_no_number_for_is_refused_and_named() {
        let store = tempfile::tempdir().unwrap();
        let mut csv = String::from("a,b,y\n");
        for i in 0..40 {
            let a = f64::from(i % 7) / 3.0 - 1.0;
            let b = f64::from(i % 5) / 2.0 - 1.0;
            csv.push_str(&format!(
                "{a},{b},{}\n",
                if a + b > 0.0 { "yes" } else { "no" }
            ));
        }
        let data = store.path().join("ab.csv");
        std::fs::write(&data, csv).unwrap();
        let sidecar = trained_on(
            store.path(),
            &format!("{{csv: {}, target: y}}", data.display()),
        );
        // Values far past the training data's: the network's sums pass f32's largest number,
        // and a NaN would have been written as class `no` (the first).
        let mut out = Vec::new();
        let err = predict(
            &sidecar,
            "a,b\n0.5,0.5\n3e38,-3e38\n".as_bytes(),
            Path::new("far.csv"),
            &mut out,
        )
        .map(|_| String::from_utf8_lossy(&out).to_string())
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("far.csv: row 2: the model's output is not a number")
                && err.contains("e38)"),
            "{err}"
        );
        assert!(out.is_empty(), "nothing is written");
    }

    #[test]
    fn categorical_columns_are_encoded_as_in_training_and_left_out_ones_ignored() {
        let store = tempfile::tempdir().unwrap();
        let sidecar = trained_on(
            store.path(),
            "{csv: data/penguins.csv, target: species, categorical: [island, sex], \
             exclude: [year], missing: median}",
        );
        let predict_text = |input: &str| {
            let mut out = Vec::new();
            predict(&sidecar, input.as_bytes(), Path::new("new.csv"), &mut out)
                .map(|summary| (summary, String::from_utf8(out).unwrap()))
        };
        // Columns in another order, the left-out `year` present, an unseen island, a missing
        // sex, a missing measurement.
        let input = "year,sex,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g\n\
                     2009,female,Biscoe,47.5,14.2,215,4700\n\
                     2008,NA,Dream,49,19,195,3700\n\
                     2007,male,Atlantis,39,18.5,NA,3600\n";
        let (summary, text) = predict_text(input).unwrap();
        assert_eq!(summary.rows, 3);
        assert_eq!(summary.unseen_categories, 1);
        assert_eq!(text.lines().count(), 4, "{text}");
        // The unseen island predicts as a row whose island sets no indicator would.
        let (_, same) = predict_text(&input.replace("Atlantis", "")).unwrap();
        assert_eq!(text, same);
        let (_, other) = predict_text(&input.replace("Atlantis", "Torgersen")).unwrap();
        assert_ne!(text, other, "the island is a feature");

        let err = predict_text(&input.replace(",island,", ",isle,")).unwrap_err();
        assert!(err.to_string().contains("missing column `island`"), "{err}");
        // Without filling in training, a missing category is an error, as a missing number is.
        let sidecar = trained_on(
            store.path(),
            "{csv: data/penguins.csv, target: species, categorical: [island, sex], \
             exclude: [year], missing: drop}",
        );
        let mut out = Vec::new();
        let err = predict(&sidecar, input.as_bytes(), Path::new("new.csv"), &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "new.csv: row 2 (line 3), column `sex`: the cell is `NA`, a missing value; this model \
             was trained without filling missing values (`data.missing: drop` or none), so each \
             row to predict needs every value: give one, or train with `data.missing: mean` or \
             `median` to fill them"
        );
    }

    #[test]
    fn issue_a_model_of_a_timestamp_column_predicts_its_test_rows_as_it_was_tested() {
        // x0 as a Unix timestamp, 1.7e9 + 1000 x0: training prepares it from its values as
        // written; read in single precision and scaled by the f32 shift, predict gave other
        // values than the model's own on the same rows.
        let dir = tempfile::tempdir().unwrap();
        let friedman = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/data/friedman1.csv"),
        )
        .unwrap();
        let mut lines = friedman.lines();
        let header = lines.next().unwrap();
        let rows: Vec<String> = lines
            .map(|line| {
                let (x0, rest) = line.split_once(',').unwrap();
                let x0: f64 = x0.parse().unwrap();
                format!("{:.4},{rest}", 1.7e9 + 1000.0 * x0)
            })
            .collect();
        let csv = dir.path().join("stamped.csv");
        std::fs::write(&csv, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        let spec = ExperimentSpec::from_yaml_str(
            &format!(
                "name: p\ndata: {{csv: {}, target: y}}\nmetric: {{name: val_rmse}}\n\
                 model: {{hidden: 8}}\ntrain: {{epochs: 2}}\n",
                csv.display()
            ),
            &dir.path().join("p.yaml"),
        )
        .unwrap();
        let store = dir.path().join("store");
        let objective = MlpObjective::with_checkpoints(&spec, &store, None).unwrap();
        let ctx = TrialContext {
            trial: TrialId(0),
            seed: Seed(1),
            params: &Params::new(),
        };
        objective.run(&ctx, &mut Quiet);
        let sidecar = CheckpointFile::Sidecar.path(&store, TrialId(0));

        // The model's own outputs on the test split, as training prepared it.
        let prepared = crate::prep::prepare(&spec.data, spec.seed).unwrap();
        assert!(prepared.normalization.exact[0].is_some());
        let (meta, net) = checkpoint::load(&sidecar).unwrap();
        // Version 2, which a sweep from before `exact` refuses rather than scaling the column
        // in single precision.
        assert_eq!(meta.format_version, 2);
        let dev = dfdx::tensor::Cpu::default();
        let outputs = train::TrialThread::new()
            .unwrap()
            .install(|| train::outputs(&dev, &net, &prepared.test.features))
            .unwrap();
        let scale = meta.target_scale().unwrap();
        let own: Vec<String> = outputs
            .iter()
            .map(|&out| scale.invert(out).to_string())
            .collect();

        let split = crate::prep::split_rows(
            &vec![0; rows.len()],
            1,
            &experiment::SplitSpec {
                stratify: false,
                ..spec.data.split
            },
            spec.seed,
        );
        let input: String = split
            .test
            .iter()
            .map(|&i| format!("{}\n", rows[i]))
            .collect();
        let mut out = Vec::new();
        let input = format!("{header}\n{input}");
        predict(&sidecar, input.as_bytes(), Path::new("new.csv"), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let predicted: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(predicted.len(), own.len());
        assert_eq!(predicted, own);
    }
}
