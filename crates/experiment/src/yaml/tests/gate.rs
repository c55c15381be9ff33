//! The `gate:` block: what it parses into, and the errors it gives, as tables.

use std::path::{Path, PathBuf};

use super::{check, parse_ok, BASE};
use crate::{Aggregate, Direction, GatedMetric, KNOWN_METRICS};

/// The base with the objective `val_accuracy`, so that the objective's goal can be checked.
const ACCURACY: &str = "name: t\nmetric: {name: val_accuracy}\ndata: {csv: d.csv, target: y}\n";

#[test]
fn a_gate_parses_with_defaults_and_overrides() {
    let text = format!(
        "{ACCURACY}gate:
  baseline: baselines/t.json
  max_regression_abs: 0.02
  metrics:
    val_accuracy: {{aggregate: best}}
    val_loss: {{aggregate: final, max_regression_rel: 0.1}}
    train_loss: {{max_regression_abs: 0.5, max_regression_rel: 0.0}}
"
    );
    let spec = parse_ok(&text);
    let gate = spec.gate.unwrap();
    assert_eq!(gate.baseline.value, PathBuf::from("baselines/t.json"));
    assert_eq!(
        (gate.baseline.location.line, gate.baseline.location.column),
        (5, 13)
    );
    assert_eq!((gate.repeats, gate.noise_k), (1, 2.0));
    let m = |name: &str, aggregate, goal, abs, rel| GatedMetric {
        name: name.into(),
        aggregate,
        goal,
        max_regression_abs: abs,
        max_regression_rel: rel,
    };
    assert_eq!(
        gate.metrics,
        [
            m(
                "val_accuracy",
                Aggregate::Best,
                Direction::Maximize,
                Some(0.02),
                None
            ),
            // Its own threshold: none of the gate's, so it can be stricter.
            m(
                "val_loss",
                Aggregate::Final,
                Direction::Minimize,
                None,
                Some(0.1)
            ),
            m(
                "train_loss",
                Aggregate::Best,
                Direction::Minimize,
                Some(0.5),
                Some(0.0)
            ),
        ]
    );
}

#[test]
fn the_baseline_is_relative_to_the_spec_and_goal_follows_the_objective() {
    let text = "name: t\nmetric: {name: val_loss, goal: maximize}\ndata: {csv: d.csv, target: y}\n\
                gate: {baseline: b.json, repeats: 3, noise_k: 0,\n  \
                metrics: {val_loss: {aggregate: median, max_regression_abs: 1}}}\n";
    let spec = super::super::parse_spec(text, Path::new("exp/s.yaml")).unwrap();
    let gate = spec.gate.unwrap();
    assert_eq!(gate.baseline.value, PathBuf::from("exp/b.json"));
    assert_eq!((gate.repeats, gate.noise_k), (3, 0.0));
    assert_eq!(gate.metrics[0].goal, Direction::Maximize);
    assert_eq!(gate.metrics[0].aggregate, Aggregate::Median);
    // No `gate:`, or an empty one, is no gate.
    assert_eq!(parse_ok(BASE).gate, None);
    assert_eq!(parse_ok(&format!("{BASE}gate:\n")).gate, None);
}

#[test]
fn gate_errors() {
    let guardable: Vec<&str> = KNOWN_METRICS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| *name != "epoch_seconds")
        .collect();
    check(
        &[(
            "gate: {baseline: b.json, metrics: {val_los: {max_regression_abs: 1}}}\n",
            &format!(
                "4:36: gate.metrics.val_los: unknown key `val_los`; did you mean `val_loss`? \
                 expected keys: {}",
                guardable.join(", ")
            ),
        )],
        BASE,
    );
    check(
        &[
            ("gate: {metrics: {val_loss: {max_regression_abs: 0.1}}}\n", "4:7: gate.baseline: missing required key `baseline`"),
            ("gate: {baseline: b.json}\n", "4:7: gate.metrics: missing required key `metrics`"),
            ("gate: {baseline: \"\", metrics: {val_loss: {max_regression_abs: 0.1}}}\n", "4:18: gate.baseline: expected a file name, found an empty string"),
            ("gate: {baseline: b.json, metrics: {}}\n", "4:35: gate.metrics: expected at least one metric, such as `val_accuracy: {aggregate: best}`"),
            ("gate: {baseline: b.json, metrics: {val_loss: {}}}\n", "4:46: gate.metrics.val_loss: no threshold for `val_loss`: give `max_regression_abs` or `max_regression_rel`, here or for the whole gate"),
            ("gate: {baseline: b.json, metrics: {epoch_seconds: {max_regression_abs: 1}}}\n", "4:36: gate.metrics.epoch_seconds: `epoch_seconds` is wall time, which differs between runs; the gate cannot guard it"),
            ("gate: {baseline: b.json, metrics: {val_loss: {aggregate: mean, max_regression_abs: 1}}}\n", "4:58: gate.metrics.val_loss.aggregate: unknown aggregate `mean`; did you mean `median`? expected one of best, median, final"),
            ("gate: {baseline: b.json, metrics: {val_loss: {max_regression_abs: -1}}}\n", "4:67: gate.metrics.val_loss.max_regression_abs: must not be negative, found -1"),
            ("gate: {baseline: b.json, max_regression_rel: x, metrics: {val_loss: {}}}\n", "4:46: gate.max_regression_rel: expected a number, found string `x`"),
            ("gate: {baseline: b.json, repeats: 0, metrics: {val_loss: {max_regression_abs: 1}}}\n", "4:35: gate.repeats: must be an integer from 1 to 100, found 0"),
            ("gate: {baseline: b.json, noise_k: -2, metrics: {val_loss: {max_regression_abs: 1}}}\n", "4:35: gate.noise_k: must not be negative, found -2"),
            ("gate: {baseline: b.json, repeats: 1000000000, metrics: {val_loss: {max_regression_abs: 1}}}\n", "4:35: gate.repeats: must be an integer from 1 to 100, found 1000000000"),
            ("gate: {baseline: b.json, metrics: {val_loss: {max_regression_rel: 15}}}\n", "4:67: gate.metrics.val_loss.max_regression_rel: `max_regression_rel` is a fraction of the baseline's mean, at most 1: 15 would tolerate a regression of 1500%; write 0.15 for 15%"),
            ("gate: {baseline: b.json, metric: {}}\n", "4:7: gate.metrics: missing required key `metrics`\n4:26: gate.metric: unknown key `metric`; did you mean `metrics`? expected keys: baseline, repeats, noise_k, max_regression_abs, max_regression_rel, metrics"),
            ("gate: [b.json]\n", "4:7: gate: expected a mapping, found a sequence"),
            ("gate: {baseline: b.json, metrics: {val_loss: {max_regression_abs: 1, k: 2}}}\n", "4:70: gate.metrics.val_loss.k: unknown key `k`; expected keys: aggregate, max_regression_abs, max_regression_rel"),
        ],
        BASE,
    );
}
