//! The `metric:`, `model:` and `train:` blocks, `device:` and `checkpoints:`, and the checks
//! that the model and metrics suit the data (the `data:` block is read in `data`).
//!
//! `model:` and `train:` mix a few keys of their own (`kind`, `early_stopping`) with knobs fixed
//! for every trial; each knob has one home block (`Knob::block`), so `lr` under `model:` is an
//! error that names the right block rather than an unknown key.

use std::collections::BTreeMap;

use crate::{
    CheckpointSpec, Constraint, DataFormat, DataSpec, DeviceChoice, EarlyStopping, Knob,
    MetricSpec, ModelKind, ModelSpec, ParamValue, Plateau, KNOBS, KNOWN_METRICS, WALL_TIME_METRIC,
};

use super::decoder::{scalar, Decoder, Fields};
use super::tree::{join, Entry, Kind, Node, Pos, Scalar};

/// A knob fixed in `train:` or `model:`, with its block and where its key is written.
#[derive(Debug)]
pub(super) struct FixedKnob {
    pub(super) value: ParamValue,
    pub(super) block: &'static str,
    pub(super) pos: Pos,
}

/// Fixed knobs by name.
pub(super) type Fixed = BTreeMap<String, FixedKnob>;

/// Reads the top-level `device:`: `cpu`, `cuda` or `auto`.
///
/// A device name is not a word to guess at by spelling: `gpu` is one letter from `cpu`, and
/// following that hint would train on the CPU without a word. Names of NVIDIA GPUs point to
/// `cuda`, other accelerators are said to be unsupported, and otherwise only a difference of
/// case is suggested.
pub(super) fn device(d: &mut Decoder, node: &Node) -> Option<DeviceChoice> {
    const DEVICES: &[&str] = &["cpu", "cuda", "auto"];
    if let Some(Scalar::Str(s)) = scalar(node) {
        if !DEVICES.contains(&s.as_str()) {
            let lower = s.to_ascii_lowercase();
            let hint = if DEVICES.contains(&lower.as_str()) {
                format!("did you mean `{lower}`? ")
            } else if ["gpu", "nvidia", "cuda"]
                .iter()
                .any(|g| lower.starts_with(g))
            {
                "an NVIDIA GPU is `cuda` (`auto` takes one when the build has CUDA and one is \
                 present, else the CPU); "
                    .to_string()
            } else if OTHER_ACCELERATORS.iter().any(|a| lower.starts_with(a)) {
                format!(
                    "`{s}` is not supported: trials train on the CPU or on an NVIDIA GPU through \
                     CUDA; "
                )
            } else {
                String::new()
            };
            d.error(
                node.pos,
                "device",
                format!("unknown device `{s}`; {hint}expected one of cpu, cuda, auto"),
            );
            return None;
        }
    }
    d.choice(node, "device", "device", DEVICES)
        .map(|s| match s {
            "cuda" => DeviceChoice::Cuda,
            "auto" => DeviceChoice::Auto,
            _ => DeviceChoice::Cpu,
        })
}

/// Accelerators other frameworks train on, which Sweep does not: Apple's (`mps`, `metal`),
/// AMD's (`rocm`, `hip`), Google's (`tpu`, `xla`) and the portable APIs.
const OTHER_ACCELERATORS: &[&str] = &[
    "mps", "metal", "rocm", "hip", "amd", "tpu", "xla", "opencl", "vulkan", "wgpu", "xpu", "npu",
    "dml", "directml",
];

/// Reads the top-level `checkpoints: {keep}`.
pub(super) fn checkpoints(d: &mut Decoder, node: &Node) -> Option<CheckpointSpec> {
    let f = d.fields(node, "checkpoints", &["keep"])?;
    let keep = match f.get("keep") {
        None => DEFAULT_CHECKPOINTS_KEPT,
        Some(n) => d.count_in(n, "checkpoints.keep", (0, u32::MAX))?,
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

/// Checks that the objective, early-stopping and constrained metrics are reported by a task
/// given in `data.task`; when the task is inferred from the data, the trainer checks them.
pub(super) fn task_metrics(
    d: &mut Decoder,
    data: &DataSpec,
    objectives: &[(MetricSpec, Pos, String)],
    early_stopping: Option<(&EarlyStopping, Pos)>,
    constraints: &[(Constraint, Pos)],
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
    for (objective, pos, path) in objectives {
        check(&objective.name, *pos, &join(path, "name"));
    }
    if let Some((es, pos)) = early_stopping {
        check(&es.metric, pos, "train.early_stopping.metric");
    }
    for (c, pos) in constraints {
        check(&c.metric, *pos, &format!("constraints.{}", c.metric));
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
    d.count_in(node, path, (1, u32::MAX))
}

fn early_stopping(d: &mut Decoder, node: &Node) -> Option<EarlyStopping> {
    let path = "train.early_stopping";
    let f = d.fields(node, path, &["metric", "patience", "min_delta"])?;
    let metric_path = "train.early_stopping.metric";
    let metric = d.required(&f, "metric").and_then(|n| {
        let name = metric_name(d, n, metric_path)?;
        if name == WALL_TIME_METRIC {
            d.error(
                n.pos,
                metric_path,
                wall_time_refused(
                    ", so the epoch a trial stopped at would too; stop on a metric of the model, \
                     such as val_loss",
                ),
            );
            return None;
        }
        if name == "param_count" {
            d.error(
                n.pos,
                metric_path,
                "`param_count` does not change while a model trains, so early stopping on it \
                 would end every trial after `patience` epochs; stop on a metric of the fit, \
                 such as val_loss"
                    .to_string(),
            );
            return None;
        }
        Some(name)
    });
    let (patience, min_delta) = patience(d, &f, path);
    // Where `min_delta` is written, for the rule a new experiment is held to
    // (`ExperimentSpec::refused_as_new`), which judges it against the metric.
    if let Some(n) = f.get("min_delta") {
        d.located.insert(join(path, "min_delta"), n.pos);
    }
    Some(EarlyStopping {
        metric: metric?.to_string(),
        patience: patience?,
        min_delta: min_delta?,
    })
}

/// Reads `patience` (required) and `min_delta` (default 0) of the block `f` at `path`.
fn patience(d: &mut Decoder, f: &Fields<'_>, path: &str) -> (Option<u32>, Option<f64>) {
    let patience = d
        .required(f, "patience")
        .and_then(|n| count(d, n, &join(path, "patience")));
    let min_delta = match f.get("min_delta") {
        None => Some(0.0),
        Some(n) => d.non_negative(n, &join(path, "min_delta")),
    };
    (patience, min_delta)
}

/// Reads `plateau: {patience, min_delta}`: the sweep ends once `patience` trials in a row have
/// not improved the best by more than `min_delta` (default 0).
pub(super) fn plateau(d: &mut Decoder, node: &Node) -> Option<Plateau> {
    let f = d.fields(node, "plateau", &["patience", "min_delta"])?;
    let (patience, min_delta) = patience(d, &f, "plateau");
    Some(Plateau {
        patience: patience?,
        min_delta: min_delta?,
    })
}

pub(super) fn metric_name(d: &mut Decoder, node: &Node, path: &str) -> Option<&'static str> {
    d.located.insert(path.to_string(), node.pos);
    let names: Vec<&'static str> = KNOWN_METRICS.iter().map(|(name, _)| *name).collect();
    if let Some(Scalar::Str(written)) = scalar(node) {
        if let Some((_, meant)) = METRIC_ALIASES.iter().find(|(alias, _)| alias == written) {
            d.error(
                node.pos,
                path,
                format!("`{written}` is another tool's name for a metric; here it is `{meant}`"),
            );
            return None;
        }
    }
    d.choice(node, path, "metric", &names)
}

/// Names other tools (scikit-learn's scorers, Keras, Optuna examples) give the metrics that a
/// "did you mean" would not find, and each one's name here.
const METRIC_ALIASES: &[(&str, &str)] = &[
    ("log_loss", "val_loss"),
    ("neg_log_loss", "val_loss"),
    ("acc", "val_accuracy"),
    ("f1", "val_f1"),
    ("f1_macro", "val_f1"),
    ("f1_score", "val_f1"),
    ("neg_root_mean_squared_error", "val_rmse"),
    ("neg_mean_absolute_error", "val_mae"),
    ("r2", "val_r2"),
    ("n_params", "param_count"),
    ("num_params", "param_count"),
    ("params", "param_count"),
];

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
        if let Some(meant) = Knob::known_as(&entry.key) {
            d.error(
                entry.key_pos,
                &path,
                format!(
                    "unknown key `{}`: the trainer calls this knob `{}` ({}); write `{}:` under \
                     `{}:`{}",
                    entry.key,
                    meant.name,
                    meant.doc,
                    meant.name,
                    meant.block,
                    Knob::alias_scale(&entry.key)
                ),
            );
            return;
        }
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

/// Returns the message that refuses `epoch_seconds` (`WALL_TIME_METRIC`) where a reproducible
/// metric is needed, ending with `consequence` (", so ..." or "; ...").
pub(super) fn wall_time_refused(consequence: &str) -> String {
    format!("`{WALL_TIME_METRIC}` is wall time, which differs between runs{consequence}")
}

/// Reads the key of `entry` in the mapping `block` as a recorded metric that is the same in
/// every run of a trial: `epoch_seconds` (wall time) is refused with `why_not_wall_time`, an
/// unknown name is listed with the known ones; its place is recorded (`Decoder::located`), as
/// `metric_name` records an objective's.
pub(super) fn reproducible_metric(
    d: &mut Decoder,
    entry: &Entry,
    block: &str,
    why_not_wall_time: &str,
) -> Option<&'static str> {
    // Where the metric is written, for errors about it found later (the task's metrics).
    d.located.insert(join(block, &entry.key), entry.key_pos);
    let allowed: Vec<&'static str> = KNOWN_METRICS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| *name != WALL_TIME_METRIC)
        .collect();
    if entry.key == WALL_TIME_METRIC {
        d.error(
            entry.key_pos,
            &join(block, &entry.key),
            wall_time_refused(&format!("; {why_not_wall_time}")),
        );
        return None;
    }
    let found = allowed.iter().copied().find(|n| *n == entry.key);
    if found.is_none() {
        d.unknown_key(entry, block, &allowed);
    }
    found
}
