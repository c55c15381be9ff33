//! The `constraints:` block: what it parses into, and the errors it gives, as tables.

use super::{check, check_suggestions_parse, parse_ok, BASE};
use crate::Constraint;

#[test]
fn constraints_parse_in_file_order_and_resolve() {
    let spec = parse_ok(&format!(
        "{BASE}constraints:\n  param_count: {{max: 20000}}\n  val_loss: {{min: 0.05, max: 0.5}}\n"
    ));
    assert_eq!(
        spec.constraints,
        [
            Constraint {
                metric: "param_count".into(),
                min: None,
                max: Some(20_000.0),
            },
            Constraint {
                metric: "val_loss".into(),
                min: Some(0.05),
                max: Some(0.5),
            },
        ]
    );
    assert!(spec
        .resolved()
        .contains("constraints: param_count ≤ 20000, 0.05 ≤ val_loss ≤ 0.5\n"));
    // Without constraints the resolved spec has no such line, as before they existed.
    assert!(!parse_ok(BASE).resolved().contains("constraints"));
    assert!(parse_ok(&format!("{BASE}constraints:\n"))
        .constraints
        .is_empty());
}

#[test]
fn constraint_errors_name_the_field_and_what_was_expected() {
    check(
        &[
            ("constraints: {param_count: {}}\n", "4:28: constraints.param_count: expected `min`, `max` or both, such as `param_count: {max: 20000}`"),
            ("constraints: {param_count: {max: many}}\n", "4:34: constraints.param_count.max: expected a number, found string `many`"),
            // A bound past the values the metric can take; one on the near side is met always.
            ("constraints: {val_accuracy: {min: 90}}\n", "4:35: constraints.val_accuracy.min: val_accuracy is a fraction from 0 to 1 (write 0.9 for 90%), found 90: no trial can meet this bound"),
            ("constraints: {val_loss: {max: -1}}\n", "4:31: constraints.val_loss.max: val_loss is never below 0, found -1: no trial can meet this bound"),
            ("constraints: {val_r2: {min: 1.5}}\n", "4:29: constraints.val_r2.min: val_r2 is at most 1, found 1.5: no trial can meet this bound"),
            ("constraints: {val_accuracy: {min: -1, max: 2}, val_r2: {max: -3}}\n", "ok"),
            ("constraints: {val_loss: {min: 2, max: 1}}\n", "4:25: constraints.val_loss: `min` (2) is above `max` (1): no value can meet it"),
            ("constraints: {epoch_seconds: {max: 1}}\n", "4:15: constraints.epoch_seconds: `epoch_seconds` is wall time, which differs between runs; a constraint on it would rank the same trials differently each time"),
            ("constraints: {params: {max: 1}}\n", "4:15: constraints.params: unknown key `params`; expected keys: train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, val_rmse, val_mae, val_r2, param_count"),
            ("constraints: {param_count: {max: 1, maximum: 2}}\n", "4:37: constraints.param_count.maximum: unknown key `maximum`; did you mean `max`? expected keys: min, max"),
            ("constraints: [param_count]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {param_count: {min: ..., max: ...}}`, with `min`, `max` or both for each metric"),
            // Comparisons of one metric merge into one mapping (two keys would be a duplicate);
            // reversed and two-sided comparisons are read too, the tighter of two bounds kept.
            ("constraints: [param_count <= 600, param_count >= 100]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {param_count: {min: 100, max: 600}}`"),
            ("constraints: [600 >= param_count, val_loss < 1, val_loss < 0.5]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {param_count: {max: 600}, val_loss: {max: 0.5}}`"),
            ("constraints: [0 <= val_loss <= 0.5, 1e4 > param_count > 10]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: 0, max: 0.5}, param_count: {min: 10, max: 1e4}}`"),
            // What reads as no comparison: the general form, with the names written.
            ("constraints: [param_count == 600, val_loss <= 0.5]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {param_count: {min: ..., max: ...}, val_loss: {min: ..., max: ...}}`, with `min`, `max` or both for each metric"),
            ("constraints: [0 <= val_loss >= 0.5]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: ..., max: ...}}`, with `min`, `max` or both for each metric"),
            ("constraints:\n  - val_f1: {min: 0.5}\n", "5:3: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_f1: {min: ..., max: ...}}`, with `min`, `max` or both for each metric"),
            ("constraints: [val_loss > 0.1, param_count <= 600]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: 0.1}, param_count: {max: 600}}`"),
            // Comparisons no value meets are said, not a mapping refused next.
            ("constraints: [param_count >= 600, param_count <= 100]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; no value of `param_count` meets its comparisons (at least 600 and at most 100), so no trial could; write the bounds you mean as a mapping, `constraints: {param_count: {min: ..., max: ...}}`, with `min` not above `max`"),
            ("constraints: [val_loss > 0.5, param_count < 9, val_loss < 0.5]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; no value of `val_loss` meets its comparisons (above 0.5 and below 0.5), so no trial could; write the bounds you mean as a mapping, `constraints: {val_loss: {min: ..., max: ...}, param_count: {min: ..., max: ...}}`, with `min` not above `max`"),
            ("constraints: [val_loss >= 0.5, val_loss <= 0.5]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: 0.5, max: 0.5}}`"),
            ("constraints: [val_accuracy >= 90]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; val_accuracy is a fraction from 0 to 1 (write 0.9 for 90%), found 90: no trial can meet that comparison; write the bounds you mean as a mapping, `constraints: {val_accuracy: {min: ..., max: ...}}`"),
            // Only the words compared are metrics: not `and`, nor `inf`.
            ("constraints: [\"val_loss < 0.1 and val_accuracy > 0.9\"]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: ..., max: ...}, val_accuracy: {min: ..., max: ...}}`, with `min`, `max` or both for each metric"),
            ("constraints: [val_loss <= inf, 0 <= nan, not param_count == 3]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: ..., max: ...}, param_count: {min: ..., max: ...}}`, with `min`, `max` or both for each metric"),
            ("constraints: [1e-4 < val_loss]\n", "4:14: constraints: expected a mapping of metrics to their bounds, found a sequence; write `constraints: {val_loss: {min: 1e-4}}`"),
        ],
        BASE,
    );
    // A metric the task does not report, when the task is given.
    check(
        &[(
            "constraints: {val_rmse: {max: 1}}\n",
            "4:15: constraints.val_rmse: `val_rmse` is not a metric of classification; classification reports train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, param_count, epoch_seconds",
        )],
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y, task: classification}\n",
    );
}

#[test]
fn comparisons_read_as_a_mapping_give_one_that_parses() {
    check_suggestions_parse(
        &[
            "constraints: [param_count <= 600, param_count >= 100]\n",
            "constraints: [600 >= param_count, val_loss < 1, val_loss < 0.5]\n",
            "constraints: [0 <= val_loss <= 0.5, 1e4 > param_count > 10]\n",
            "constraints: [val_loss > 0.1, param_count <= 600]\n",
            "constraints: [val_loss >= 0.5, val_loss <= 0.5]\n",
            "constraints: [1e-4 < val_loss]\n",
            "constraints:\n  - param_count <= 600\n  - 100 <= param_count\n",
        ],
        BASE,
    );
}
