//! `pruner:` (ours) and `early_terminate:` (W&B's): which rule stops weak trials early.
//!
//! ```yaml
//! pruner: {type: asha, min_resource: 1, reduction_factor: 3}
//! pruner: {type: median, n_startup_trials: 5, n_warmup_steps: 3}
//! pruner: {type: percentile, percentile: 25, n_startup_trials: 5, n_warmup_steps: 3}
//! pruner: {type: threshold, lower: 0.5, n_warmup_steps: 3}    # Optuna's ThresholdPruner
//! pruner: {type: hyperband, min_resource: 1, max_resource: 27, reduction_factor: 3}
//! pruner: {type: hyperband}                  # max_resource: the most epochs a trial can train
//! pruner: {type: patience, patience: 3, min_delta: 0.0, wrapped: {type: median}}
//! early_terminate: {type: hyperband, min_iter: 3, eta: 3}     # W&B's shape
//! ```

use crate::{PrunerSpec, WandbHyperband};

use super::blocks::count;
use super::decoder::Decoder;
use super::tree::{Kind, Node, Pos, Scalar};

const TYPES: &[&str] = &[
    "none",
    "median",
    "percentile",
    "threshold",
    "asha",
    "hyperband",
    "patience",
];

/// What W&B, Ray Tune and Optuna call the settings of successive halving, written in a `pruner:`
/// block of type `asha` or `hyperband`: each is refused with the name it has here.
const OTHER_NAMES: &[(&str, &str)] = &[
    ("eta", "is W&B's name for `reduction_factor`"),
    ("min_iter", "is W&B's name for `min_resource`"),
    ("grace_period", "is Ray Tune's name for `min_resource`"),
    (
        "min_early_stopping_rate",
        "is Optuna's exponent of its first rung (`min_resource * reduction_factor^rate`); here \
         the first rung is `min_resource`",
    ),
    (
        "bootstrap_count",
        "is Optuna's count of trials a rung waits for; here a rung judges from the first earlier \
         trial that reached it",
    ),
];

/// Optuna's names of its pruners (short, and its class names, lowercased) and Ray Tune's
/// schedulers, each answered with the `type` it has here and whose name it is.
const OTHER_TYPES: &[(&str, &str, &str)] = &[
    ("successive_halving", "asha", "Optuna's"),
    ("successivehalving", "asha", "Optuna's"),
    ("patient", "patience", "Optuna's"),
    ("nop", "none", "Optuna's"),
    ("medianpruner", "median", "Optuna's"),
    ("percentilepruner", "percentile", "Optuna's"),
    ("thresholdpruner", "threshold", "Optuna's"),
    ("successivehalvingpruner", "asha", "Optuna's"),
    ("hyperbandpruner", "hyperband", "Optuna's"),
    ("patientpruner", "patience", "Optuna's"),
    ("noppruner", "none", "Optuna's"),
    ("ashascheduler", "asha", "Ray Tune's"),
    ("asynchyperbandscheduler", "asha", "Ray Tune's"),
    ("hyperbandscheduler", "hyperband", "Ray Tune's"),
    ("medianstoppingrule", "median", "Ray Tune's"),
];

/// What Optuna's median and percentile pruners take that these rules do without, and why.
const OPTUNA_MEDIAN: &[(&str, &str)] = &[
    (
        "interval_steps",
        "is Optuna's count of steps between two judgements; here the rule judges a trial at \
         every epoch (as Optuna's default, 1, does), after `n_warmup_steps`",
    ),
    (
        "n_min_trials",
        "is Optuna's least count of trials reported at a step before it judges there; here a \
         step is judged once one earlier trial reached it (as Optuna's default, 1); \
         `n_startup_trials` holds the first trials back from any judgement",
    ),
];
/// As `OTHER_NAMES`, for the most epochs a rung can be at.
const ASHA_LAST: &[(&str, &str)] = &[
    ("max_iter", ASHA_GOES_UP_TO),
    ("max_t", ASHA_GOES_UP_TO),
    ("max_resource", ASHA_GOES_UP_TO),
];
const ASHA_GOES_UP_TO: &str = "has no place in `asha`: its rungs go up to the epochs a trial \
    trains (`train.epochs`); Hyperband (`type: hyperband`) takes `max_resource`";
const HYPERBAND_LAST: &[(&str, &str)] = &[
    ("max_iter", "is W&B's name for `max_resource`"),
    ("max_t", "is Ray Tune's name for `max_resource`"),
    (
        "s",
        "is W&B's count of brackets; here they are as many as rungs fit from `min_resource` \
         to `max_resource`",
    ),
];

/// Reads a `pruner:` block at `path`; `most_epochs` (the most epochs a trial can train) is
/// Hyperband's `max_resource` when the block leaves it out.
pub(super) fn pruner(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    most_epochs: u32,
) -> Option<PrunerSpec> {
    let f = d.mapping(node, path)?;
    let kind_node = d.required(&f, "type")?;
    let type_path = f.path("type");
    let written = match &kind_node.kind {
        Kind::Scalar { text, .. } => text.as_str(),
        _ => "",
    };
    if let Some((ours, whose)) = other_type(written) {
        d.error(
            kind_node.pos,
            &type_path,
            format!(
                "`{}` is {whose} name for `{ours}`: write `type: {ours}`",
                super::shorten(written)
            ),
        );
        return None;
    }
    let kind = d.choice(kind_node, &type_path, "pruner", TYPES)?;
    let keys: &[&str] = match kind {
        "none" => &["type"],
        "median" => &["type", "n_startup_trials", "n_warmup_steps"],
        "percentile" => &["type", "percentile", "n_startup_trials", "n_warmup_steps"],
        "threshold" => &["type", "lower", "upper", "n_warmup_steps"],
        "asha" => &["type", "min_resource", "reduction_factor"],
        "hyperband" => &[
            "type",
            "min_resource",
            "max_resource",
            "reduction_factor",
            "strict",
        ],
        _ => &["type", "patience", "min_delta", "wrapped"],
    };
    let refused: Vec<(&str, &str)> = match kind {
        "asha" => [OTHER_NAMES, ASHA_LAST].concat(),
        "hyperband" => [OTHER_NAMES, HYPERBAND_LAST].concat(),
        "median" | "percentile" => OPTUNA_MEDIAN.to_vec(),
        _ => Vec::new(),
    };
    let f = d.fields_refusing(node, path, keys, &refused)?;
    let mut int = |key: &str, default: u32, min: u32| -> Option<u32> {
        match f.get(key) {
            None => Some(default),
            Some(n) => match unset(n) {
                // Optuna's `"auto"` (or a null): the setting is left to its default.
                Some(written) => {
                    d.error(
                        n.pos,
                        &f.path(key),
                        format!(
                            "`{written}` is not a number; leave `{key}` out, and it defaults \
                             to {}",
                            default_said(key, default)
                        ),
                    );
                    None
                }
                None => at_least(d, n, &f.path(key), min),
            },
        }
    };
    // Every setting is read before any error returns, so that all of them are reported.
    Some(match kind {
        "none" => PrunerSpec::None,
        "median" => {
            let n_startup_trials = int("n_startup_trials", 5, 0);
            let n_warmup_steps = int("n_warmup_steps", 0, 0);
            PrunerSpec::Median {
                n_startup_trials: n_startup_trials?,
                n_warmup_steps: n_warmup_steps?,
            }
        }
        "percentile" => {
            let n_startup_trials = int("n_startup_trials", 5, 0);
            let n_warmup_steps = int("n_warmup_steps", 0, 0);
            let percentile = d
                .required(&f, "percentile")
                .and_then(|n| percent(d, n, &f.path("percentile")));
            PrunerSpec::Percentile {
                percentile: percentile?,
                n_startup_trials: n_startup_trials?,
                n_warmup_steps: n_warmup_steps?,
            }
        }
        "threshold" => {
            let n_warmup_steps = int("n_warmup_steps", 0, 0);
            let mut bound = |key: &str| match f.get(key) {
                None => Some(None),
                Some(n) => d.number(n, &f.path(key)).map(Some),
            };
            let (lower, upper) = (bound("lower"), bound("upper"));
            let (lower, upper, n_warmup_steps) = (lower?, upper?, n_warmup_steps?);
            match (lower, upper) {
                (None, None) => {
                    d.error(
                        f.pos,
                        path,
                        "give `lower`, `upper` or both: the values a trial must stay within",
                    );
                    return None;
                }
                (Some(low), Some(high)) if low > high => {
                    d.error(
                        f.pos,
                        path,
                        format!("`lower` ({low}) is above `upper` ({high}): no value is allowed"),
                    );
                    return None;
                }
                _ => {}
            }
            PrunerSpec::Threshold {
                lower,
                upper,
                n_warmup_steps,
            }
        }
        "asha" => {
            let min_resource = int("min_resource", 1, 1);
            let reduction_factor = int("reduction_factor", 3, 2);
            PrunerSpec::Asha {
                min_resource: min_resource?,
                reduction_factor: reduction_factor?,
            }
        }
        "hyperband" => {
            let min_resource = int("min_resource", 1, 1);
            let first = min_resource.unwrap_or(1);
            let max_resource = int("max_resource", most_epochs.max(first), 1);
            let reduction_factor = int("reduction_factor", 3, 2);
            let strict = d.flag(&f, "strict", false);
            let (min_resource, max_resource) = (min_resource?, max_resource?);
            let (reduction_factor, strict) = (reduction_factor?, strict?);
            ordered(d, f.pos, path, min_resource, max_resource)?;
            PrunerSpec::Hyperband {
                min_resource,
                max_resource,
                reduction_factor,
                strict,
            }
        }
        _ => {
            let patience = d
                .required(&f, "patience")
                .and_then(|n| count(d, n, &f.path("patience")))?;
            let min_delta = match f.get("min_delta") {
                None => 0.0,
                Some(n) => d.non_negative(n, &f.path("min_delta"))?,
            };
            let wrapped = match f.get("wrapped") {
                None => PrunerSpec::None,
                Some(n) => pruner(d, n, &f.path("wrapped"), most_epochs)?,
            };
            PrunerSpec::Patience {
                patience,
                min_delta,
                wrapped: Box::new(wrapped),
            }
        }
    })
}

/// Returns the `type` here of a pruner another tool names `written` (Optuna's `MedianPruner`,
/// Ray Tune's `ASHAScheduler`), with whose name it is; `None` for other text.
pub(super) fn other_type(written: &str) -> Option<(&'static str, &'static str)> {
    let lower = written.to_ascii_lowercase();
    OTHER_TYPES
        .iter()
        .find(|(other, _, _)| *other == lower)
        .map(|(_, ours, whose)| (*ours, *whose))
}

/// Reads W&B's `early_terminate: {type: hyperband, min_iter | max_iter + s, eta, strict}`.
///
/// W&B stops a run at each bracket `min_iter * eta^k` when it is behind the others there; that
/// is our Hyperband with brackets up to `max_iter` (default `min_iter * eta^3`). Returns it with
/// the `s` and `max_iter` the file writes, which the notes on it say.
pub(super) fn early_terminate(
    d: &mut Decoder,
    node: &Node,
) -> Option<(PrunerSpec, WandbHyperband)> {
    let path = "early_terminate";
    let f = d.fields(
        node,
        path,
        &["type", "min_iter", "max_iter", "s", "eta", "strict"],
    )?;
    let kind = d.required(&f, "type")?;
    d.choice(
        kind,
        &f.path("type"),
        "early_terminate type",
        &["hyperband"],
    )?;
    // Every setting is read before any error returns, so that all of them are reported.
    let eta = match f.get("eta") {
        None => Some(3),
        Some(n) => at_least(d, n, &f.path("eta"), 2),
    };
    let s = match f.get("s") {
        None => Some(None),
        Some(n) => at_least(d, n, &f.path("s"), 0).map(Some),
    };
    let min_iter = match f.get("min_iter") {
        None => Some(None),
        Some(n) => count(d, n, &f.path("min_iter")).map(Some),
    };
    let max_iter = match f.get("max_iter") {
        None => Some(None),
        Some(n) => count(d, n, &f.path("max_iter")).map(Some),
    };
    let strict = d.flag(&f, "strict", false);
    let (eta, s, min_iter, max_iter, strict) = (eta?, s?, min_iter?, max_iter?, strict?);
    let spread = |s: u32| eta.saturating_pow(s);
    let (min_resource, max_resource) = match (min_iter, max_iter, s) {
        // W&B takes `max_iter` and `s` and ignores `min_iter`; here `s` would be: neither
        // reading is the file's for sure.
        (Some(_), Some(_), Some(_)) => {
            d.error(
                f.get("s").map_or(f.pos, |n| n.pos),
                &format!("{path}.s"),
                "give `min_iter`, or `max_iter` with `s`, not all three (W&B would ignore \
                 `min_iter`, and here `s` would go unread)",
            );
            return None;
        }
        (Some(min), Some(max), None) => (min, max),
        (Some(min), None, s) => (min, min.saturating_mul(spread(s.unwrap_or(3)))),
        (None, Some(max), Some(s)) => ((max / spread(s)).max(1), max),
        (None, Some(_), None) | (None, None, _) => {
            d.error(
                f.pos,
                path,
                "give `min_iter`, or `max_iter` with `s`, as in W&B's hyperband",
            );
            return None;
        }
    };
    ordered(d, f.pos, path, min_resource, max_resource)?;
    Some((
        PrunerSpec::Hyperband {
            min_resource,
            max_resource,
            reduction_factor: eta,
            strict,
        },
        WandbHyperband {
            s,
            max_iter_written: max_iter.is_some(),
        },
    ))
}

/// Returns how `node` is written when it leaves a setting to be worked out (Optuna's
/// `"auto"`, a null): `None` for anything else.
fn unset(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar {
            value: Scalar::Null,
            text,
        } => Some(if text.is_empty() { "nothing" } else { text }),
        Kind::Scalar {
            value: Scalar::Str(s),
            text,
        } if s.eq_ignore_ascii_case("auto") => Some(text),
        _ => None,
    }
}

/// Says the default `default` of the setting `key`, and where it comes from.
fn default_said(key: &str, default: u32) -> String {
    match key {
        "max_resource" => format!(
            "the most epochs a trial trains ({default} here), as Optuna's `auto` would find"
        ),
        "min_resource" => format!("{default}: the first rung is at epoch {default}"),
        _ => default.to_string(),
    }
}

/// Reads a percentage: a number from 0 to 100.
fn percent(d: &mut Decoder, node: &Node, path: &str) -> Option<f64> {
    let x = d.number(node, path)?;
    if (0.0..=100.0).contains(&x) {
        return Some(x);
    }
    d.error(
        node.pos,
        path,
        format!("must be a percentage from 0 to 100, found {x}"),
    );
    None
}

fn at_least(d: &mut Decoder, node: &Node, path: &str, min: u32) -> Option<u32> {
    d.count_in(node, path, (min, u32::MAX))
}

fn ordered(d: &mut Decoder, pos: Pos, path: &str, min: u32, max: u32) -> Option<()> {
    if min > max {
        d.error(
            pos,
            path,
            format!("the smallest resource {min} is above the largest {max}"),
        );
        return None;
    }
    Some(())
}
