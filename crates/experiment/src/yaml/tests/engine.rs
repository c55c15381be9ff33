//! The parts of the format the training engine reads beyond knobs: `data.task`, `data.image`,
//! `data.idx`, `model.kind: cnn`, `device` and `checkpoints`, and the check that the objective
//! metric suits a given task.

use std::path::PathBuf;

use super::{check, parse_ok, BASE};
use crate::{CheckpointSpec, DataFormat, DeviceChoice, ImageShape, MissingValues, ModelKind, Task};

#[test]
fn engine_blocks_parse_with_their_defaults() {
    let spec = parse_ok(BASE);
    assert_eq!(spec.data.task, None);
    assert_eq!(spec.data.image, None);
    assert_eq!(spec.data.format, DataFormat::Csv);
    assert_eq!(spec.data.missing, MissingValues::Error);
    assert_eq!(spec.device, DeviceChoice::Cpu);
    assert_eq!(spec.checkpoints, CheckpointSpec { keep: 5 });

    let spec = parse_ok(
        "name: t\nmetric: {name: val_accuracy}\n\
         data: {csv: d.csv, target: y, task: classification, image: {height: 8, width: 4}}\n\
         model: {kind: cnn, channels: 8, conv_layers: 1}\n\
         device: auto\ncheckpoints: {keep: 0}\n",
    );
    assert_eq!(spec.data.task, Some(Task::Classification));
    let dropping = parse_ok(&BASE.replace("target: y}", "target: y, missing: drop}"));
    assert_eq!(dropping.data.missing, MissingValues::Drop);
    for rule in [MissingValues::Mean, MissingValues::Median] {
        let filling = parse_ok(&BASE.replace(
            "target: y}",
            &format!("target: y, missing: {}}}", rule.as_str()),
        ));
        assert_eq!(filling.data.missing, rule);
    }
    assert_eq!(
        spec.data.image,
        Some(ImageShape {
            height: 8,
            width: 4,
            channels: 1
        })
    );
    assert_eq!(spec.model.kind, ModelKind::Cnn);
    assert_eq!(spec.device, DeviceChoice::Auto);
    assert_eq!(spec.checkpoints.keep, 0);

    let spec = parse_ok(
        "name: t\nmetric: {name: val_accuracy}\n\
         data: {idx: {images: mnist/images.idx, labels: mnist/labels.idx}}\nmodel: {kind: cnn}\n",
    );
    assert_eq!(spec.data.csv.value, PathBuf::from("mnist/images.idx"));
    assert_eq!(spec.data.target.value, "label");
    let DataFormat::Idx { labels } = &spec.data.format else {
        panic!("{:?}", spec.data.format);
    };
    assert_eq!(labels.value, PathBuf::from("mnist/labels.idx"));
}

#[test]
fn categorical_and_excluded_columns_parse_with_their_places() {
    let spec = parse_ok(BASE);
    assert!(spec.data.categorical.is_empty() && spec.data.exclude.is_empty());
    let spec = parse_ok(&BASE.replace(
        "target: y}",
        "target: y,\n       categorical: [island, 'sex'], exclude: [id, 2021]}",
    ));
    let names = |columns: &[crate::Located<String>]| -> Vec<(String, usize, usize)> {
        columns
            .iter()
            .map(|c| (c.value.clone(), c.location.line, c.location.column))
            .collect()
    };
    assert_eq!(
        names(&spec.data.categorical),
        [("island".into(), 4, 22), ("sex".into(), 4, 30)]
    );
    assert_eq!(
        names(&spec.data.exclude),
        [("id".into(), 4, 48), ("2021".into(), 4, 52)]
    );
}

#[test]
fn engine_block_errors() {
    let base = "name: t\nmetric: {name: val_loss}\n";
    check(
        &[
            ("data: {csv: d.csv, target: y, task: ranking}\n", "3:37: data.task: unknown task `ranking`; expected one of classification, regression"),
            ("data: {csv: d.csv, target: y, image: {height: 0, width: 2}}\n", "3:47: data.image.height: must be an integer of at least 1, found 0"),
            ("data: {csv: d.csv, target: y, image: {width: 2}}\n", "3:38: data.image.height: missing required key `height`"),
            ("data: {csv: d.csv, idx: {images: a, labels: b}}\n", "3:25: data.idx: give either `csv` or `idx`, not both"),
            ("data: {idx: {images: a}}\n", "3:13: data.idx.labels: missing required key `labels`"),
            ("data: {csv: d.csv, target: y, missing: fill}\n", "3:40: data.missing: unknown missing-value rule `fill`; expected one of error, drop, mean, median"),
            ("data: {idx: {images: a, labels: b}, missing: drop}\n", "3:46: data.missing: applies only to `csv` data"),
            ("data: {idx: {images: a, labels: b}, exclude: [id]}\n", "3:46: data.exclude: applies only to `csv` data"),
            ("data: {csv: d.csv, target: y, categorical: island}\n", "3:44: data.categorical: expected a list of column names such as `[island]`, found string `island`"),
            ("data: {csv: d.csv, target: y, exclude: {id: 1}}\n", "3:40: data.exclude: expected a list of column names such as `[a, b]`, found a mapping"),
            ("data: {csv: d.csv, target: y, exclude: ~}\n", "3:40: data.exclude: expected a list of column names such as `[]` (none) or `[a, b]`, found null `~`"),
            ("data: {csv: d.csv, target: y, categorical: [a, '', a]}\n", "3:48: data.categorical[1]: expected text, found an empty string\n3:52: data.categorical[2]: `a` is listed twice"),
            ("data: {csv: d.csv, target: y, categorical: [y], exclude: [a, y]}\n", "3:45: data.categorical: `y` is the target column\n3:62: data.exclude: `y` is the target column"),
            ("data: {csv: d.csv, target: y, categorical: [a, b], exclude: [b]}\n", "3:62: data.exclude: `b` is also in `data.categorical`; a column is one or the other"),
            ("data: {csv: d.csv, target: y, image: {height: 2, width: 2}, categorical: [a]}\n", "3:74: data.categorical: image data has only pixel features; leave other columns out with `exclude`"),
            ("data: {target: y}\n", "3:7: data.csv: missing required key `csv`"),
            ("data: {csv: d.csv, target: y}\nmodel: {kind: cnn}\n", "4:8: model.kind: a cnn needs images: give `data.image: {height, width, channels}` for a CSV file, or read IDX files with `data.idx`"),
            ("data: {csv: d.csv, target: y}\ndevice: tpu\n", "4:9: device: unknown device `tpu`; `tpu` is not supported: trials train on the CPU or on an NVIDIA GPU through CUDA; expected one of cpu, cuda, auto"),
            // `gpu` is a letter from `cpu`, but is never meant as the CPU.
            ("data: {csv: d.csv, target: y}\ndevice: gpu\n", "4:9: device: unknown device `gpu`; an NVIDIA GPU is `cuda` (`auto` takes one when the build has CUDA and one is present, else the CPU); expected one of cpu, cuda, auto"),
            ("data: {csv: d.csv, target: y}\ndevice: GPU\n", "4:9: device: unknown device `GPU`; an NVIDIA GPU is `cuda` (`auto` takes one when the build has CUDA and one is present, else the CPU); expected one of cpu, cuda, auto"),
            ("data: {csv: d.csv, target: y}\ndevice: nvidia\n", "4:9: device: unknown device `nvidia`; an NVIDIA GPU is `cuda` (`auto` takes one when the build has CUDA and one is present, else the CPU); expected one of cpu, cuda, auto"),
            ("data: {csv: d.csv, target: y}\ndevice: mps\n", "4:9: device: unknown device `mps`; `mps` is not supported: trials train on the CPU or on an NVIDIA GPU through CUDA; expected one of cpu, cuda, auto"),
            ("data: {csv: d.csv, target: y}\ndevice: CUDA\n", "4:9: device: unknown device `CUDA`; did you mean `cuda`? expected one of cpu, cuda, auto"),
            ("data: {csv: d.csv, target: y}\ndevice: cpux\n", "4:9: device: unknown device `cpux`; expected one of cpu, cuda, auto"),
            ("data: {csv: d.csv, target: y}\ncheckpoints: {keep: -1}\n", "4:21: checkpoints.keep: must be an integer of at least 0, found -1"),
            ("data: {csv: d.csv, target: y}\ncheckpoints: {kept: 1}\n", "4:15: checkpoints.kept: unknown key `kept`; did you mean `keep`? expected keys: keep"),
        ],
        base,
    );
}

#[test]
fn the_objective_must_suit_a_given_task() {
    let metric = |name: &str, task: &str| {
        format!(
            "name: t\nmetric: {{name: {name}}}\ndata: {{csv: d.csv, target: y, task: {task}}}\n"
        )
    };
    check(&[("", "ok")], &metric("val_r2", "regression"));
    check(&[("", "ok")], &metric("val_roc_auc", "classification"));
    check(
        &[("", "2:9: metric.name: `val_accuracy` is not a metric of regression; regression reports train_loss, val_loss, val_rmse, val_mae, val_r2, param_count, epoch_seconds")],
        &metric("val_accuracy", "regression"),
    );
    check(
        &[("train: {early_stopping: {metric: val_rmse, patience: 2}}\n", "4:8: train.early_stopping.metric: `val_rmse` is not a metric of classification; classification reports train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, param_count, epoch_seconds")],
        &metric("val_loss", "classification"),
    );
}
