//! Predictions with a saved checkpoint, for `sweep predict`.
//!
//! The input is a CSV file with a header naming the model's feature columns, in any order; the
//! target column may be there too and is ignored, and any other column is an error, as is a
//! missing one. A missing cell is an error, unless the model was trained with `data.missing:
//! mean | median`: then it gets the fill value fitted at training time. Each row is scaled with
//! the normalization fitted at training time (both stored in the checkpoint), and the output is
//! a CSV file with one row per input row: `prediction` (the class name, or the value in the
//! target's units) and, for classification, `p_<class>` for each class's probability.

use std::io::{Read, Write};
use std::path::Path;

use crate::checkpoint;
use crate::csv_text::CsvText;
use crate::data::{is_missing, number, quoted, Matrix};
use crate::metrics::softmax_row;
use crate::{train, Error, Result};

/// What `predict` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictionSummary {
    /// Rows predicted.
    pub rows: usize,
    /// The columns written.
    pub columns: Vec<String>,
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
    let columns_error = |message: String| Error::Columns {
        path: input_name.to_path_buf(),
        message,
    };
    let mut text = Vec::new();
    input.read_to_end(&mut text).map_err(|e| Error::Csv {
        path: input_name.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut csv = CsvText::new(&text, input_name)?;
    let header = csv.header().to_vec();
    let missing: Vec<String> = meta
        .feature_names
        .iter()
        .filter(|f| !header.contains(f))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(columns_error(format!(
            "missing column{} {}; the model was trained on {} feature columns",
            if missing.len() == 1 { "" } else { "s" },
            quoted(&missing),
            meta.feature_names.len()
        )));
    }
    // Where each header column goes: a feature's position, or `None` for ignored columns.
    let mut slots = Vec::with_capacity(header.len());
    for column in &header {
        match meta.feature_names.iter().position(|f| f == column) {
            Some(i) => slots.push(Some(i)),
            None if *column == meta.target => slots.push(None),
            None => {
                return Err(columns_error(format!(
                    "unexpected column `{column}`; the model's columns are {}",
                    quoted(&meta.feature_names)
                )))
            }
        }
    }
    let cols = meta.feature_names.len();
    let mut data = Vec::new();
    let mut record = csv::StringRecord::new();
    while csv.read(&mut record)? {
        let mut values = vec![0.0f32; cols];
        for (column, (cell, slot)) in record.iter().zip(&slots).enumerate() {
            if let Some(i) = slot {
                values[*i] = match (number(cell), &meta.fill) {
                    (Ok(x), _) => x,
                    // Filled as the training data was.
                    (Err(_), Some(fill)) if is_missing(cell) => fill[*i],
                    (Err(message), _) => return Err(csv.malformed(column, message)),
                };
            }
        }
        data.extend(values);
    }
    let rows = data.len() / cols.max(1);
    let mut features = Matrix { rows, cols, data };
    meta.normalization().apply(&mut features);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let dev = dfdx::tensor::Cpu::default();
    let outputs = pool.install(|| train::outputs(&dev, &net, &features))?;

    let write_error = |e: csv::Error| Error::Csv {
        path: Path::new("<output>").to_path_buf(),
        message: e.to_string(),
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
                line.extend(p.iter().map(|x| format!("{x:.6}")));
                writer.write_record(&line).map_err(write_error)?;
            }
        }
    }
    writer.flush().map_err(|e| Error::Csv {
        path: Path::new("<output>").to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(PredictionSummary { rows, columns })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use experiment::{ExperimentSpec, Objective, Params, Seed, TrialContext, TrialId};

    use super::*;
    use crate::objective::checkpoint_dir;
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
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/p.yaml");
        let spec = ExperimentSpec::from_yaml_str(
            "name: p\ndata: {csv: data/digits.csv, target: digit}\nmetric: {name: val_accuracy}\n\
             model: {hidden: 16}\ntrain: {epochs: 2}\n",
            &file,
        )
        .unwrap();
        let objective = MlpObjective::with_checkpoints(&spec, store).unwrap();
        let ctx = TrialContext {
            trial: TrialId(0),
            seed: Seed(1),
            params: &Params::new(),
        };
        objective.run(&ctx, &mut Quiet);
        checkpoint_dir(store, "p").join("0.json")
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
        assert!((total - 1.0).abs() < 1e-4, "{total}");

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
            "new.csv: missing column `px0_0`; the model was trained on 64 feature columns"
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
    }
}
