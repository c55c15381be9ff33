//! Checkpoints: a trial's best epoch, saved so that the model can be used after the sweep.
//!
//! A checkpoint is two files named after the trial (as `experiment::CheckpointFile` names them
//! for every crate), in a folder per experiment: the weights in safetensors
//! (`<trial>.safetensors`, one tensor per parameter, named as `Net::param_names` names them),
//! and a JSON sidecar (`<trial>.json`, `CheckpointV1`) with everything needed to
//! rebuild the model and feed it: the model kind and hyperparameters, the feature and class
//! names, the fill values and normalization fitted on the training split, and the objective
//! value that ranks it. Loading rebuilds the network from the sidecar and fills it with dfdx's
//! `load_safetensor`, which refuses a tensor whose shape differs from the rebuilt one.
//!
//! `Keeper` (`keeper.rs`) keeps only the best `keep` checkpoints of an experiment by the objective metric,
//! deleting the others as better ones arrive, so that a long sweep does not fill the disk; with
//! several objectives, also every trial on the Pareto front, the models a user picks from. Both
//! only ever let a checkpoint go (a trial pushed out of the best `keep`, or dominated, stays
//! so), so the checkpoints left after a sweep do not depend on the order trials ended in. It
//! learns what is already on disk when it opens the folder, so resuming a sweep keeps ranking.
//! Under agents it learns only its own agent's: a checkpoint handed over from another agent
//! (`store::handover`, the study's best) is neither ranked nor deleted, so that each agent keeps
//! `keep` of its own trials whatever it was handed.
//! Files are written to a temporary name and renamed, so a crash leaves no half checkpoint.

mod keeper;

#[cfg(test)]
use std::collections::BTreeMap; // for the tests, which see this module's names through `super::*`
use std::fs;
use std::path::{Path, PathBuf};

use dfdx::tensor::Cpu;
use experiment::{pareto, CheckpointFile, Direction, Normalize, ParamValue, Params, TrialId};
#[cfg(test)]
use experiment::{Constraint, MetricSpec}; // for the tests, as above
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use crate::encode::Categories;
use crate::model::{HostTensor, Net, Param, Shape};
use crate::prep::{Exact, Normalization, Prepared, TargetScale};
use crate::{Error, Result};

pub(crate) use keeper::Keeper;

/// The version written in a sidecar whose features are all prepared in single precision; a
/// sidecar of a version other than this one and `EXACT_VERSION` is refused.
const FORMAT_VERSION: u32 = 1;

/// The version written in a sidecar that holds `exact` features, so that a sweep from before
/// them, which reads version 1 alone, refuses it rather than scaling those features by `shift`
/// and `scale` (single precision), which is not how the model was trained.
const EXACT_VERSION: u32 = 2;

/// The JSON sidecar of a checkpoint, format version 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CheckpointV1 {
    pub(crate) format_version: u32,
    pub(crate) experiment: String,
    pub(crate) trial: u32,
    /// The saved epoch, counted from 1.
    pub(crate) epoch: u32,
    /// The objective metric and its value at `epoch`.
    pub(crate) metric: String,
    pub(crate) value: f64,
    /// `mlp` or `cnn`.
    pub(crate) model: String,
    /// Every knob that differs from its default: fixed ones, overridden by sampled ones.
    pub(crate) params: serde_json::Map<String, serde_json::Value>,
    /// `classification` or `regression`.
    pub(crate) task: String,
    /// The target column, which prediction ignores when the input has it.
    pub(crate) target: String,
    pub(crate) feature_names: Vec<String>,
    pub(crate) class_names: Vec<String>,
    /// `[height, width, channels]` for a CNN.
    pub(crate) image: Option<[usize; 3]>,
    /// `none`, `standard` or `minmax`, with `x' = (x - shift) / scale` per feature.
    pub(crate) normalize: String,
    pub(crate) shift: Vec<f32>,
    pub(crate) scale: Vec<f32>,
    /// A regression target's `[mean, std]`.
    pub(crate) target_scale: Option<[f64; 2]>,
    /// The value each feature's missing cells are filled with (`data.missing: mean | median`),
    /// before scaling; absent otherwise, and in sidecars written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fill: Option<Vec<f32>>,
    /// The numeric features prepared from their values as written, in double precision, in
    /// place of `shift`, `scale` and `fill` (`prep::Exact`: where single precision was not
    /// exact enough, as for a Unix timestamp), one entry per feature, `null` for the others;
    /// absent where none is, and in sidecars written before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exact: Vec<Option<Exact>>,
    /// The categories of each categorical column (`data.categorical`), whose 0/1 indicators
    /// are the last features, in this order; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) categories: Vec<Categories>,
    /// The columns left out of the features (`data.exclude`), which prediction ignores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) excluded: Vec<String>,
    /// With several objectives, the trial's objectives at `epoch`, oriented so that smaller is
    /// better, when it competes for the Pareto front (completed, meeting the constraints);
    /// absent otherwise, and in sidecars written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pareto: Option<Vec<f64>>,
    /// How it ranks besides its value, as the leaderboard ranks its trial: by how far it breaks
    /// the constraints (0 when it meets them), then completed before pruned. Absent in sidecars
    /// written before it existed (read as a completed trial that meets them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) standing: Option<Standing>,
    /// The SHA-256 of the weights file, checked when it is read, so that weights changed or
    /// damaged since are refused rather than predicted with; absent in sidecars written before
    /// it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) weights_sha256: Option<String>,
}

/// How a kept trial ranks besides its value (`CheckpointV1::standing`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Standing {
    /// How far it breaks the constraints (`experiment::violation_of`): 0 when it meets them.
    pub(crate) violation: f64,
    /// Whether it completed (else it was pruned).
    pub(crate) completed: bool,
}

impl Standing {
    /// A completed trial that meets the constraints: what a sidecar without a standing reads as.
    const BEST: Standing = Standing {
        violation: 0.0,
        completed: true,
    };
}

/// What a trial's checkpoint records about the trial.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrialMark<'a> {
    pub(crate) experiment: &'a str,
    pub(crate) trial: TrialId,
    pub(crate) epoch: u32,
    pub(crate) metric: &'a str,
    pub(crate) value: f64,
    pub(crate) model: &'static str,
    pub(crate) target: &'a str,
    /// Its oriented objectives when it competes for the Pareto front (`CheckpointV1::pareto`).
    pub(crate) pareto: Option<&'a [f64]>,
    /// How it ranks besides its value (`CheckpointV1::standing`).
    pub(crate) standing: Standing,
}

/// A trial with a checkpoint on disk: its first objective's value, and its oriented
/// objectives when it competes for the Pareto front.
#[derive(Debug, Clone)]
struct Kept {
    trial: TrialId,
    value: f64,
    pareto: Option<Vec<f64>>,
    /// How it ranks besides its value (`CheckpointV1::standing`).
    standing: Standing,
}

impl Kept {
    fn of(meta: &CheckpointV1) -> Kept {
        Kept {
            trial: TrialId(meta.trial),
            value: meta.value,
            pareto: meta.pareto.clone(),
            standing: meta.standing.unwrap_or(Standing::BEST),
        }
    }

    /// Orders checkpoints best first, as the leaderboard ranks their trials with one
    /// objective (`experiment::rank_trials`): the smallest violation of the constraints first,
    /// then completed before pruned, then by value toward `goal`, then by trial number.
    fn order(goal: Direction, a: &Kept, b: &Kept) -> std::cmp::Ordering {
        let by_value = if goal.improves(a.value, b.value, 0.0) {
            std::cmp::Ordering::Less
        } else if goal.improves(b.value, a.value, 0.0) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        };
        a.standing
            .violation
            .total_cmp(&b.standing.violation)
            .then(b.standing.completed.cmp(&a.standing.completed))
            .then(by_value)
            .then(a.trial.cmp(&b.trial))
    }

    /// Returns whether it is on the Pareto front of `others` (its own entry among them is
    /// harmless: a point does not dominate itself).
    fn on_front(&self, others: &[Kept]) -> bool {
        self.pareto.as_ref().is_some_and(|p| {
            !others
                .iter()
                .filter_map(|o| o.pareto.as_ref())
                .any(|q| pareto::dominates(q, p))
        })
    }
}

impl CheckpointV1 {
    /// Describes a model trained on `data` with `params`.
    pub(crate) fn new(mark: TrialMark<'_>, params: &Params, data: &Prepared) -> Self {
        let n = &data.normalization;
        CheckpointV1 {
            format_version: if n.exact.is_empty() {
                FORMAT_VERSION
            } else {
                EXACT_VERSION
            },
            experiment: mark.experiment.to_string(),
            trial: mark.trial.0,
            epoch: mark.epoch,
            metric: mark.metric.to_string(),
            value: mark.value,
            model: mark.model.to_string(),
            params: params
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
            task: data.task.as_str().to_string(),
            target: mark.target.to_string(),
            feature_names: data.feature_names.clone(),
            class_names: data.class_names.clone(),
            image: data
                .image
                .filter(|_| mark.model == "cnn")
                .map(|i| [i.height, i.width, i.channels]),
            normalize: match n.kind {
                Normalize::None => "none",
                Normalize::Standard => "standard",
                Normalize::MinMax => "minmax",
            }
            .to_string(),
            shift: n.shift.clone(),
            scale: n.scale.clone(),
            target_scale: data.target_scale.map(|t| [t.mean, t.std]),
            fill: data.fill.clone(),
            exact: n.exact.clone(),
            categories: data.categories.clone(),
            excluded: data.excluded.clone(),
            pareto: mark.pareto.map(<[f64]>::to_vec),
            standing: Some(mark.standing),
            // Set as the weights are written.
            weights_sha256: None,
        }
    }

    /// Returns how many features are numeric columns: those before the category indicators.
    pub(crate) fn numeric_features(&self) -> usize {
        let indicators: usize = self.categories.iter().map(|c| c.values.len()).sum();
        self.feature_names.len().saturating_sub(indicators)
    }

    /// Returns the hyperparameters as `Params`.
    pub(crate) fn params(&self) -> Params {
        self.params
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), from_json(v)?)))
            .collect()
    }

    /// Returns the feature scaling.
    pub(crate) fn normalization(&self) -> Normalization {
        Normalization {
            kind: match self.normalize.as_str() {
                "none" => Normalize::None,
                "minmax" => Normalize::MinMax,
                _ => Normalize::Standard,
            },
            shift: self.shift.clone(),
            scale: self.scale.clone(),
            exact: self.exact.clone(),
        }
    }

    /// Returns the regression target's scaling.
    pub(crate) fn target_scale(&self) -> Option<TargetScale> {
        self.target_scale
            .map(|[mean, std]| TargetScale { mean, std })
    }
}

/// Reads a checkpoint sidecar and its weights, and rebuilds the network on the CPU.
pub(crate) fn load(sidecar: &Path) -> Result<(CheckpointV1, Net<Cpu>)> {
    let meta = read_sidecar(sidecar)?;
    let weights = CheckpointFile::Weights.beside(sidecar);
    let bytes = fs::read(&weights).map_err(|e| match e.kind() {
        // The sidecar is written after the weights and deleted before them: weights gone
        // beside their sidecar were removed by other hands.
        std::io::ErrorKind::NotFound => Error::Checkpoint {
            path: weights.clone(),
            message: "the weights file beside the checkpoint's sidecar is missing; `sweep \
                      reproduce` trains the trial again and writes its checkpoint"
                .into(),
        },
        _ => io(&weights, &e),
    })?;
    let bad = |message: String| Error::Checkpoint {
        path: weights.clone(),
        message,
    };
    if let Some(recorded) = &meta.weights_sha256 {
        let found = experiment::sha256_hex(&bytes);
        if found != *recorded {
            return Err(bad(format!(
                "the weights are not those written with the sidecar (sha256 {} where {} was \
                 recorded): the file was changed or damaged since; `sweep reproduce` trains \
                 the trial again",
                experiment::short_hash(&found),
                experiment::short_hash(recorded)
            )));
        }
    }
    let tensors = SafeTensors::deserialize(&bytes)
        .map_err(|e| bad(format!("not a readable safetensors file ({e:?})")))?;
    let hp = experiment::Hyperparams::resolve(&Params::new(), &meta.params())
        .map_err(|e| bad(format!("the recorded hyperparameters are invalid: {e}")))?;
    let outputs = match meta.task.as_str() {
        "regression" => 1,
        _ => meta.class_names.len(),
    };
    let shape = Shape {
        inputs: meta.feature_names.len(),
        outputs,
        image: meta
            .image
            .map(|[height, width, channels]| experiment::ImageShape {
                height,
                width,
                channels,
            }),
    };
    let dev = Cpu::default();
    // The initial values are overwritten by the checkpoint's.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
    crate::model::check_size(shape, &hp).map_err(|e| bad(e.to_string()))?;
    let mut net = Net::init(&dev, shape, &hp, &mut rng).map_err(|e| bad(e.to_string()))?;
    let names = net.param_names();
    for (name, param) in names.iter().zip(net.params_mut()) {
        let loaded = match param {
            Param::Matrix(t) => t.load_safetensor(&tensors, name),
            Param::Vector(t) => t.load_safetensor(&tensors, name),
        };
        loaded.map_err(|e| bad(weights_error(name, &e)))?;
    }
    Ok((meta, net))
}

/// Says what is wrong with the tensor `name` of a weights file, as `load_safetensor` found it.
fn weights_error(name: &str, error: &dfdx::tensor::safetensors::Error) -> String {
    use dfdx::tensor::safetensors::Error as E;
    use safetensors::SafeTensorError as S;
    let dims = |d: &[usize]| {
        d.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("x")
    };
    match error {
        E::MismatchedDimension((found, wanted)) => format!(
            "tensor `{name}` is {} where the network the sidecar describes needs {}",
            dims(found),
            dims(wanted)
        ),
        E::SafeTensorError(S::TensorNotFound(_)) => {
            format!("the file holds no tensor `{name}`, which the network needs")
        }
        E::SafeTensorError(e) => format!("tensor `{name}` cannot be read ({e:?})"),
        E::IoError(e) => format!("tensor `{name}` cannot be read: {e}"),
    }
}

fn read_sidecar(path: &Path) -> Result<CheckpointV1> {
    let text = fs::read(path).map_err(|e| io(path, &e))?;
    let bad = |message: String| Error::Checkpoint {
        path: path.to_path_buf(),
        message,
    };
    let version: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
    match version
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(FORMAT_VERSION) || v == u64::from(EXACT_VERSION) => {}
        other => {
            return Err(bad(format!(
                "checkpoint format version {other:?}; this sweep reads versions \
                 {FORMAT_VERSION} and {EXACT_VERSION}"
            )))
        }
    }
    let meta: CheckpointV1 = serde_json::from_value(version).map_err(|e| bad(e.to_string()))?;
    let features = meta.feature_names.len();
    let per_feature = [
        ("shift", Some(&meta.shift)),
        ("scale", Some(&meta.scale)),
        ("fill", meta.fill.as_ref()),
    ];
    for (field, values) in per_feature {
        if let Some(values) = values.filter(|v| v.len() != features) {
            return Err(bad(format!(
                "`{field}` has {} values for {features} features",
                values.len()
            )));
        }
    }
    if let Some(image) = meta.image {
        let pixels = image.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if pixels != Some(features) {
            return Err(bad(format!(
                "`image` is {}x{}x{}, which is not the {features} features",
                image[0], image[1], image[2]
            )));
        }
    }
    let numbers = [("shift", &meta.shift), ("scale", &meta.scale)]
        .into_iter()
        .chain(meta.fill.as_ref().map(|fill| ("fill", fill)));
    for (field, values) in numbers {
        let zero_scale = field == "scale";
        if let Some(v) = values
            .iter()
            .find(|v| !v.is_finite() || (zero_scale && **v == 0.0))
        {
            return Err(bad(format!(
                "`{field}` holds {v}, where a{} number belongs",
                if zero_scale {
                    " finite non-zero"
                } else {
                    " finite"
                }
            )));
        }
    }
    if !meta.exact.is_empty() && meta.exact.len() != features {
        return Err(bad(format!(
            "`exact` has {} entries for {features} features",
            meta.exact.len()
        )));
    }
    for (i, exact) in meta.exact.iter().enumerate() {
        let Some(Exact { shift, scale, fill }) = exact else {
            continue;
        };
        let numbers = [*shift, *scale, fill.unwrap_or_default()];
        if !numbers.iter().all(|x| x.is_finite()) || *scale == 0.0 {
            return Err(bad(format!(
                "`exact` of feature {i} is shift {shift}, scale {scale}, fill {fill:?}, where \
                 finite numbers and a non-zero scale belong"
            )));
        }
    }
    if let Some([mean, std]) = meta.target_scale {
        if !mean.is_finite() || !std.is_finite() || std == 0.0 {
            return Err(bad(format!(
                "`target_scale` is [{mean}, {std}], where a finite mean and a finite non-zero \
                 spread belong"
            )));
        }
    }
    // The network is rebuilt from `image` (a CNN's input shape); `model` names which it is.
    match (meta.model.as_str(), meta.image.is_some()) {
        ("mlp", false) | ("cnn", true) => {}
        ("mlp" | "cnn", _) => {
            return Err(bad(format!(
                "`model` is `{}`, which {} `image`",
                meta.model,
                if meta.image.is_some() {
                    "does not go with"
                } else {
                    "needs"
                }
            )))
        }
        (model, _) => {
            return Err(bad(format!(
                "`model` is `{model}`, where `mlp` or `cnn` belongs"
            )))
        }
    }
    // The task decides what the outputs are: a value, scaled back by `target_scale`, or a
    // probability per class.
    match (
        meta.task.as_str(),
        meta.target_scale,
        meta.class_names.len(),
    ) {
        ("regression", Some(_), 0) | ("classification", None, 2..) => {}
        ("regression", None, _) => {
            return Err(bad("a regression model without `target_scale`".into()))
        }
        ("regression", Some(_), _) => {
            return Err(bad("a regression model with `class_names`".into()))
        }
        ("classification", Some(_), _) => {
            return Err(bad("a classification model with `target_scale`".into()))
        }
        ("classification", None, n) => {
            return Err(bad(format!(
                "a classification model with {} in `class_names`; at least 2 belong",
                experiment::counted(n as u64, "class", "classes")
            )))
        }
        (task, ..) => {
            return Err(bad(format!(
                "`task` is `{task}`, where `classification` or `regression` belongs"
            )))
        }
    }
    let indicators: Vec<String> = meta
        .categories
        .iter()
        .flat_map(Categories::feature_names)
        .collect();
    if !meta.feature_names.ends_with(&indicators) {
        return Err(bad(format!(
            "`categories` name {} indicator features that are not the last of the {features} \
             `feature_names`",
            indicators.len()
        )));
    }
    Ok(meta)
}

/// Returns the safetensors bytes of `tensors`, little-endian `f32`.
fn serialize(tensors: &[HostTensor]) -> Result<Vec<u8>> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|t| t.values.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let bad = |e: safetensors::SafeTensorError| Error::Checkpoint {
        path: PathBuf::from("<weights>"),
        message: format!("{e:?}"),
    };
    let mut views = Vec::with_capacity(tensors.len());
    for (t, data) in tensors.iter().zip(&bytes) {
        views.push((
            t.name.clone(),
            TensorView::new(Dtype::F32, t.shape.clone(), data).map_err(bad)?,
        ));
    }
    safetensors::tensor::serialize(views, &None).map_err(bad)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let written = fs::write(&tmp, bytes)
        .map_err(|e| io(&tmp, &e))
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| io(path, &e)));
    if written.is_err() {
        // A full disk leaves no part-written file behind.
        let _ = fs::remove_file(&tmp);
    }
    written
}

fn to_json(v: &ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Int(i) => (*i).into(),
        ParamValue::Float(x) => (*x).into(),
        ParamValue::Str(s) => s.clone().into(),
        ParamValue::Bool(b) => (*b).into(),
    }
}

fn from_json(v: &serde_json::Value) -> Option<ParamValue> {
    match v {
        serde_json::Value::Bool(b) => Some(ParamValue::Bool(*b)),
        serde_json::Value::String(s) => Some(ParamValue::Str(s.clone())),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Some(ParamValue::Int(i)),
            _ => n.as_f64().map(ParamValue::Float),
        },
        _ => None,
    }
}

fn io(path: &Path, e: &std::io::Error) -> Error {
    Error::Checkpoint {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests;
