//! The `metric:`, `data:`, `model:` and `train:` blocks.
//!
//! `model:` and `train:` mix a few keys of their own (`kind`, `early_stopping`) with knobs fixed
//! for every trial; each knob has one home block (`Knob::block`), so `lr` under `model:` is an
//! error that names the right block rather than an unknown key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{
    CheckpointSpec, DataFormat, DataSpec, DeviceChoice, Direction, EarlyStopping, ImageShape, Knob,
    Located, MetricSpec, MissingValues, ModelKind, ModelSpec, Normalize, ParamValue, SplitSpec,
    Task, KNOBS, KNOWN_METRICS,
};

use super::decoder::{describe, Decoder, Fields};
use super::tree::{join, Entry, Kind, Node, Pos};

/// A knob fixed in `train:` or `model:`, with its block and where its key is written.
#[derive(Debug)]
pub(super) struct FixedKnob {
    pub(super) value: ParamValue,
    pub(super) block: &'static str,
    pub(super) pos: Pos,
}

/// Fixed knobs by name.
pub(super) type Fixed = BTreeMap<String, FixedKnob>;

/// Reads `metric: {name, goal}`; the goal defaults to the metric's own direction.
pub(super) fn metric(d: &mut Decoder, node: &Node) -> Option<MetricSpec> {
    let f = d.fields(node, "metric", &["name", "goal"])?;
    let name = d
        .required(&f, "name")
        .and_then(|n| metric_name(d, n, "metric.name"));
    let goal = match f.get("goal") {
        None => Some(None),
        Some(n) => d
            .choice(n, "metric.goal", "goal", &["maximize", "minimize"])
            .map(|g| match g {
                "maximize" => Some(Direction::Maximize),
                _ => Some(Direction::Minimize),
            }),
    };
    let name = name?;
    // A known metric always has a direction, so the fallback is never used.
    let goal = goal?
        .or_else(|| Direction::of_metric(name))
        .unwrap_or(Direction::Minimize);
    Some(MetricSpec {
        name: name.to_string(),
        goal,
    })
}

/// Reads `data:`; file names are resolved against the folder of `file`, without touching the
/// disk. The data is either a CSV file (`csv` and `target`) or a pair of IDX files (`idx`).
pub(super) fn data(d: &mut Decoder, node: &Node, file: &Path) -> Option<DataSpec> {
    let f = d.fields(
        node,
        "data",
        &[
            "csv",
            "idx",
            "target",
            "task",
            "image",
            "split",
            "normalize",
            "missing",
            "categorical",
            "exclude",
        ],
    )?;
    let located_file = |d: &mut Decoder, n: &Node, path: &str| {
        let name = non_empty_text(d, n, path)?;
        let value = match file.parent() {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        };
        Some(Located {
            value,
            location: super::location(file, n.pos),
        })
    };
    let (csv, format, target) = match (f.get("csv"), f.get("idx")) {
        (Some(_), Some(idx)) => {
            d.error(idx.pos, "data.idx", "give either `csv` or `idx`, not both");
            (None, None, None)
        }
        (None, Some(idx)) => {
            let files = d.fields(idx, "data.idx", &["images", "labels"]);
            let (images, labels) = match files {
                Some(files) => (
                    d.required(&files, "images")
                        .and_then(|n| located_file(d, n, "data.idx.images")),
                    d.required(&files, "labels")
                        .and_then(|n| located_file(d, n, "data.idx.labels")),
                ),
                None => (None, None),
            };
            let target = match f.get("target") {
                Some(n) => non_empty_text(d, n, "data.target").map(|value| Located {
                    value,
                    location: super::location(file, n.pos),
                }),
                None => Some(Located {
                    value: "label".to_string(),
                    location: super::location(file, idx.pos),
                }),
            };
            (
                images,
                labels.map(|labels| DataFormat::Idx { labels }),
                target,
            )
        }
        (csv, None) => {
            let csv = match csv {
                Some(n) => located_file(d, n, "data.csv"),
                None => {
                    d.required(&f, "csv");
                    None
                }
            };
            let target = d.required(&f, "target").and_then(|n| {
                Some(Located {
                    value: non_empty_text(d, n, "data.target")?,
                    location: super::location(file, n.pos),
                })
            });
            (csv, Some(DataFormat::Csv), target)
        }
    };
    let task = match f.get("task") {
        None => Some(None),
        Some(n) => d
            .choice(n, "data.task", "task", &["classification", "regression"])
            .map(|t| match t {
                "regression" => Some(Task::Regression),
                _ => Some(Task::Classification),
            }),
    };
    let image = match f.get("image") {
        None => Some(None),
        Some(n) => image(d, n).map(Some),
    };
    let split = match f.get("split") {
        None => Some(SplitSpec {
            validation: 0.2,
            test: 0.2,
            stratify: true,
        }),
        Some(n) => split(d, n),
    };
    let normalize = match f.get("normalize") {
        None => Some(Normalize::Standard),
        Some(n) => d
            .choice(
                n,
                "data.normalize",
                "normalization",
                &["none", "standard", "minmax"],
            )
            .map(|s| match s {
                "none" => Normalize::None,
                "minmax" => Normalize::MinMax,
                _ => Normalize::Standard,
            }),
    };
    let missing = match f.get("missing") {
        None => Some(MissingValues::Error),
        Some(n) => d
            .choice(
                n,
                "data.missing",
                "missing-value rule",
                &["error", "drop", "mean", "median"],
            )
            .map(|s| match s {
                "drop" => MissingValues::Drop,
                "mean" => MissingValues::Mean,
                "median" => MissingValues::Median,
                _ => MissingValues::Error,
            }),
    };
    let categorical = column_list(d, f.get("categorical"), "data.categorical");
    let exclude = column_list(d, f.get("exclude"), "data.exclude");
    if let Some(DataFormat::Idx { .. }) = &format {
        for key in ["missing", "categorical", "exclude"] {
            if let Some(n) = f.get(key) {
                d.error(n.pos, &f.path(key), "applies only to `csv` data");
            }
        }
    }
    if let (Some(_), Some(n)) = (f.get("image"), f.get("categorical")) {
        d.error(
            n.pos,
            "data.categorical",
            "image data has only pixel features; leave other columns out with `exclude`",
        );
    }
    let (categorical, exclude) = (categorical?, exclude?);
    if let Some(target) = &target {
        for (columns, key) in [
            (&categorical, "data.categorical"),
            (&exclude, "data.exclude"),
        ] {
            for (name, pos) in columns.iter().filter(|(name, _)| *name == target.value) {
                d.error(*pos, key, format!("`{name}` is the target column"));
            }
        }
    }
    let is_target = |name: &String| target.as_ref().is_some_and(|t| t.value == *name);
    for (name, pos) in exclude.iter().filter(|(name, _)| !is_target(name)) {
        if categorical.iter().any(|(c, _)| c == name) {
            d.error(
                *pos,
                "data.exclude",
                format!("`{name}` is also in `data.categorical`; a column is one or the other"),
            );
        }
    }
    let located = |columns: Vec<(String, Pos)>| -> Vec<Located<String>> {
        columns
            .into_iter()
            .map(|(value, pos)| Located {
                value,
                location: super::location(file, pos),
            })
            .collect()
    };
    Some(DataSpec {
        csv: csv?,
        target: target?,
        split: split?,
        normalize: normalize?,
        task: task?,
        image: image?,
        format: format?,
        missing: missing?,
        categorical: located(categorical),
        exclude: located(exclude),
    })
}

/// Reads a list of column names, such as `data.categorical`, with where each is written; each
/// must be non-empty text and named once. An absent key is an empty list.
fn column_list(d: &mut Decoder, node: Option<&Node>, path: &str) -> Option<Vec<(String, Pos)>> {
    let Some(node) = node else {
        return Some(Vec::new());
    };
    let Kind::Seq(items) = &node.kind else {
        // A single name is written as a list of one.
        let example = match &node.kind {
            Kind::Scalar { text, .. } if !text.is_empty() => format!("[{text}]"),
            _ => "[a, b]".to_string(),
        };
        d.error(
            node.pos,
            path,
            format!(
                "expected a list of column names such as `{example}`, found {}",
                describe(node)
            ),
        );
        return None;
    };
    let mut columns: Vec<(String, Pos)> = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let Some(name) = non_empty_text(d, item, &item_path) else {
            ok = false;
            continue;
        };
        if columns.iter().any(|(c, _)| *c == name) {
            d.error(item.pos, &item_path, format!("`{name}` is listed twice"));
            ok = false;
            continue;
        }
        columns.push((name, item.pos));
    }
    ok.then_some(columns)
}

/// Reads `data.image: {height, width, channels}`; `channels` defaults to 1.
fn image(d: &mut Decoder, node: &Node) -> Option<ImageShape> {
    let f = d.fields(node, "data.image", &["height", "width", "channels"])?;
    let mut side = |key: &str, default: Option<u32>| {
        let n = match (f.get(key), default) {
            (Some(n), _) => n,
            (None, Some(default)) => return Some(default),
            (None, None) => {
                d.required(&f, key);
                return None;
            }
        };
        let x = count(d, n, &f.path(key))?;
        if x > 65_536 {
            d.error(
                n.pos,
                &f.path(key),
                format!("must be at most 65536, found {x}"),
            );
            return None;
        }
        Some(x)
    };
    let (height, width, channels) = (
        side("height", None),
        side("width", None),
        side("channels", Some(1)),
    );
    let to_usize = |x: u32| usize::try_from(x).unwrap_or(usize::MAX);
    Some(ImageShape {
        height: to_usize(height?),
        width: to_usize(width?),
        channels: to_usize(channels?),
    })
}

/// Reads the top-level `device:`: `cpu`, `cuda` or `auto`.
pub(super) fn device(d: &mut Decoder, node: &Node) -> Option<DeviceChoice> {
    d.choice(node, "device", "device", &["cpu", "cuda", "auto"])
        .map(|s| match s {
            "cuda" => DeviceChoice::Cuda,
            "auto" => DeviceChoice::Auto,
            _ => DeviceChoice::Cpu,
        })
}

/// Reads the top-level `checkpoints: {keep}`.
pub(super) fn checkpoints(d: &mut Decoder, node: &Node) -> Option<CheckpointSpec> {
    let f = d.fields(node, "checkpoints", &["keep"])?;
    let keep = match f.get("keep") {
        None => DEFAULT_CHECKPOINTS_KEPT,
        Some(n) => {
            let i = d.int(n, "checkpoints.keep")?;
            match u32::try_from(i) {
                Ok(k) => k,
                Err(_) => {
                    d.error(
                        n.pos,
                        "checkpoints.keep",
                        format!("must be an integer from 0 to {}, found {i}", u32::MAX),
                    );
                    return None;
                }
            }
        }
    };
    Some(CheckpointSpec { keep })
}

/// Checks that a CNN has images to work on: `data.image`, or IDX files, which carry their shape.
pub(super) fn model_fits_data(d: &mut Decoder, model: &ModelSpec, data: &DataSpec, pos: Pos) {
    if model.kind == ModelKind::Cnn && data.image.is_none() && data.format == DataFormat::Csv {
        d.error(
            pos,
            "model.kind",
            "a cnn needs images: give `data.image: {height, width, channels}` for a CSV file, \
             or read IDX files with `data.idx`",
        );
    }
}

/// Trials whose checkpoints are kept when the spec does not say.
pub(super) const DEFAULT_CHECKPOINTS_KEPT: u32 = 5;

/// Checks that the objective and early-stopping metrics are reported by a task given in
/// `data.task`; when the task is inferred from the data, the trainer checks them.
pub(super) fn task_metrics(
    d: &mut Decoder,
    data: &DataSpec,
    metric: (&MetricSpec, Pos),
    early_stopping: Option<(&EarlyStopping, Pos)>,
) {
    let Some(task) = data.task else {
        return;
    };
    let mut check = |name: &str, pos: Pos, field: &str| {
        if !task.reports(name) {
            d.error(
                pos,
                field,
                format!("`{name}` is not a metric of {task}; {task} reports {}", {
                    let names: Vec<&str> = KNOWN_METRICS
                        .iter()
                        .map(|(n, _)| *n)
                        .filter(|n| task.reports(n))
                        .collect();
                    names.join(", ")
                }),
            );
        }
    };
    check(&metric.0.name, metric.1, "metric.name");
    if let Some((es, pos)) = early_stopping {
        check(&es.metric, pos, "train.early_stopping.metric");
    }
}

/// Reads `model:`: its `kind` and the model knobs, which go to `fixed`.
pub(super) fn model(d: &mut Decoder, node: &Node, fixed: &mut Fixed) -> Option<ModelSpec> {
    let f = d.mapping(node, "model")?;
    let mut kind = Some(ModelKind::Mlp);
    for entry in f.entries {
        if entry.key == "kind" {
            kind = d
                .choice(&entry.value, "model.kind", "model kind", &["mlp", "cnn"])
                .map(|k| match k {
                    "cnn" => ModelKind::Cnn,
                    _ => ModelKind::Mlp,
                });
        } else {
            fixed_knob(d, entry, "model", &["kind"], fixed);
        }
    }
    Some(ModelSpec { kind: kind? })
}

/// Reads `train:`: its `early_stopping` and the training knobs, which go to `fixed`.
pub(super) fn train(
    d: &mut Decoder,
    node: &Node,
    fixed: &mut Fixed,
) -> Option<Option<EarlyStopping>> {
    let f = d.mapping(node, "train")?;
    let mut early_stopping = Some(None);
    for entry in f.entries {
        if entry.key == "early_stopping" {
            early_stopping = self::early_stopping(d, &entry.value).map(Some);
        } else {
            fixed_knob(d, entry, "train", &["early_stopping"], fixed);
        }
    }
    early_stopping
}

/// Reads an integer from 1 to `u32::MAX`, such as `run_cap` or `patience`.
pub(super) fn count(d: &mut Decoder, node: &Node, path: &str) -> Option<u32> {
    let i = d.int(node, path)?;
    match u32::try_from(i) {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            d.error(
                node.pos,
                path,
                format!("must be an integer from 1 to {}, found {i}", u32::MAX),
            );
            None
        }
    }
}

fn early_stopping(d: &mut Decoder, node: &Node) -> Option<EarlyStopping> {
    let path = "train.early_stopping";
    let f = d.fields(node, path, &["metric", "patience", "min_delta"])?;
    let metric = d
        .required(&f, "metric")
        .and_then(|n| metric_name(d, n, "train.early_stopping.metric"));
    let patience = d
        .required(&f, "patience")
        .and_then(|n| count(d, n, "train.early_stopping.patience"));
    let min_delta = match f.get("min_delta") {
        None => Some(0.0),
        Some(n) => {
            let field = "train.early_stopping.min_delta";
            d.number(n, field).and_then(|x| {
                if x < 0.0 {
                    d.error(n.pos, field, format!("must not be negative, found {x}"));
                    return None;
                }
                Some(x)
            })
        }
    };
    Some(EarlyStopping {
        metric: metric?.to_string(),
        patience: patience?,
        min_delta: min_delta?,
    })
}

fn split(d: &mut Decoder, node: &Node) -> Option<SplitSpec> {
    let f = d.fields(node, "data.split", &["validation", "test", "stratify"])?;
    let validation = fraction(d, &f, "validation", 0.2, false);
    let test = fraction(d, &f, "test", 0.2, true);
    let stratify = d.flag(&f, "stratify", true);
    let (validation, test) = (validation?, test?);
    if validation + test >= 1.0 {
        d.error(
            f.pos,
            "data.split",
            format!(
                "validation + test must be below 1 to leave rows for training, found {} + {}",
                ParamValue::Float(validation),
                ParamValue::Float(test)
            ),
        );
        return None;
    }
    Some(SplitSpec {
        validation,
        test,
        stratify: stratify?,
    })
}

/// Reads a fraction in (0, 1), or [0, 1) when `zero_ok`.
fn fraction(
    d: &mut Decoder,
    f: &Fields<'_>,
    key: &str,
    default: f64,
    zero_ok: bool,
) -> Option<f64> {
    let Some(node) = f.get(key) else {
        return Some(default);
    };
    let path = f.path(key);
    let x = d.number(node, &path)?;
    let low_ok = if zero_ok { x >= 0.0 } else { x > 0.0 };
    if !low_ok || x >= 1.0 {
        let open = if zero_ok { "[" } else { "(" };
        d.error(
            node.pos,
            &path,
            format!("must be in {open}0, 1), found {}", ParamValue::Float(x)),
        );
        return None;
    }
    Some(x)
}

fn metric_name(d: &mut Decoder, node: &Node, path: &str) -> Option<&'static str> {
    let names: Vec<&'static str> = KNOWN_METRICS.iter().map(|(name, _)| *name).collect();
    d.choice(node, path, "metric", &names)
}

fn non_empty_text(d: &mut Decoder, node: &Node, path: &str) -> Option<String> {
    let text = d.text(node, path)?;
    if text.trim().is_empty() {
        d.error(node.pos, path, "expected text, found an empty string");
        return None;
    }
    Some(text)
}

/// Reads one `knob: value` of the `block:` mapping; `own` lists the block's non-knob keys.
fn fixed_knob(
    d: &mut Decoder,
    entry: &Entry,
    block: &'static str,
    own: &[&str],
    fixed: &mut Fixed,
) {
    let path = join(block, &entry.key);
    let Some(knob) = Knob::find(&entry.key) else {
        let mut expected = own.to_vec();
        expected.extend(KNOBS.iter().filter(|k| k.block == block).map(|k| k.name));
        d.unknown_key(entry, block, &expected);
        return;
    };
    if knob.block != block {
        d.error(
            entry.key_pos,
            &path,
            format!(
                "`{}` is a {} knob; put it under `{}:`, not `{block}:`",
                knob.name, knob.block, knob.block
            ),
        );
        return;
    }
    let node = &entry.value;
    if let Kind::Map(_) | Kind::Seq(_) = node.kind {
        d.error(
            node.pos,
            &path,
            format!(
                "expected a single value for `{}`; to search over it, move it to `parameters:`",
                knob.name
            ),
        );
        return;
    }
    let Some(value) = d.value(node, &path) else {
        return;
    };
    match knob.check(&value) {
        Ok(value) => {
            fixed.insert(
                knob.name.to_string(),
                FixedKnob {
                    value,
                    block: knob.block,
                    pos: entry.key_pos,
                },
            );
        }
        Err(message) => d.error(node.pos, &path, message),
    }
}
