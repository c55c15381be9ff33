//! The `metric:`, `data:`, `model:` and `train:` blocks.
//!
//! `model:` and `train:` mix a few keys of their own (`kind`, `early_stopping`) with knobs fixed
//! for every trial; each knob has one home block (`Knob::block`), so `lr` under `model:` is an
//! error that names the right block rather than an unknown key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{
    DataSpec, Direction, EarlyStopping, Knob, Located, MetricSpec, ModelKind, ModelSpec, Normalize,
    ParamValue, SplitSpec, KNOBS, KNOWN_METRICS,
};

use super::decoder::{Decoder, Fields};
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

/// Reads `data:`; `csv` is resolved against the folder of `file`, without touching the disk.
pub(super) fn data(d: &mut Decoder, node: &Node, file: &Path) -> Option<DataSpec> {
    let f = d.fields(node, "data", &["csv", "target", "split", "normalize"])?;
    let csv = d.required(&f, "csv").and_then(|n| {
        let csv = non_empty_text(d, n, "data.csv")?;
        let value = match file.parent() {
            Some(dir) => dir.join(csv),
            None => PathBuf::from(csv),
        };
        Some(Located {
            value,
            location: super::location(file, n.pos),
        })
    });
    let target = d.required(&f, "target").and_then(|n| {
        Some(Located {
            value: non_empty_text(d, n, "data.target")?,
            location: super::location(file, n.pos),
        })
    });
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
    Some(DataSpec {
        csv: csv?,
        target: target?,
        split: split?,
        normalize: normalize?,
    })
}

/// Reads `model:`: its `kind` and the model knobs, which go to `fixed`.
pub(super) fn model(d: &mut Decoder, node: &Node, fixed: &mut Fixed) -> Option<ModelSpec> {
    let f = d.mapping(node, "model")?;
    let mut kind = Some(ModelKind::Mlp);
    for entry in f.entries {
        if entry.key == "kind" {
            kind = d
                .choice(&entry.value, "model.kind", "model kind", &["mlp"])
                .map(|_| ModelKind::Mlp);
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
    let stratify = match f.get("stratify") {
        None => Some(true),
        Some(n) => d.boolean(n, "data.split.stratify"),
    };
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
