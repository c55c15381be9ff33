//! `enqueue:`: trials given in the file, each value as its distribution gives it, and the errors.

use super::{check, parse_ok};
use crate::{ParamValue, Params};

/// A search with every kind of value an entry can give: a log range, a list, integers, a
/// quantized range, and a parameter that exists only where another takes some values.
const SPACE: &str = "\
name: t
metric: {name: val_loss}
data: {csv: d.csv, target: y}
method: tpe
run_cap: 3
train: {epochs: 3}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  hidden: {values: [32, 64]}
  depth: {distribution: int_uniform, min: 1, max: 3}
  batch_size: {distribution: q_uniform, min: 16, max: 128, q: 16}
  regularization: {values: [none, dropout]}
  dropout: {min: 0.0, max: 0.5, when: {regularization: [dropout]}}
";

#[test]
fn enqueued_trials_take_the_values_their_distributions_give() {
    let spec = parse_ok(&format!(
        "{SPACE}enqueue:\n\
         \x20 - {{lr: 0.001, hidden: 64.0, depth: 2, batch_size: 32, regularization: none}}\n\
         \x20 - {{lr: 0.1, hidden: 32, depth: 3, batch_size: 48.0, regularization: dropout, \
         dropout: 0}}\n"
    ));
    let value = |pairs: &[(&str, ParamValue)]| -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    };
    let none = ParamValue::Str("none".into());
    let dropout = ParamValue::Str("dropout".into());
    assert_eq!(
        spec.enqueue,
        [
            value(&[
                ("lr", ParamValue::Float(0.001)),
                // The listed value, not the float written.
                ("hidden", ParamValue::Int(64)),
                ("depth", ParamValue::Int(2)),
                // A quantized range with a whole step gives integers.
                ("batch_size", ParamValue::Int(32)),
                ("regularization", none),
            ]),
            value(&[
                ("lr", ParamValue::Float(0.1)),
                ("hidden", ParamValue::Int(32)),
                ("depth", ParamValue::Int(3)),
                ("batch_size", ParamValue::Int(48)),
                ("regularization", dropout),
                // A real range gives floats, also for an integer written.
                ("dropout", ParamValue::Float(0.0)),
            ]),
        ]
    );
    // The resolved spec lists them, and says nothing of an empty queue.
    assert!(
        spec.resolved().contains("enqueue[1]: {"),
        "{}",
        spec.resolved()
    );
    assert!(!parse_ok(SPACE).resolved().contains("enqueue"));
    assert!(parse_ok(&format!("{SPACE}enqueue: []\n"))
        .enqueue
        .is_empty());
}

#[test]
fn an_entry_may_leave_parameters_to_the_sampler() {
    let spec = parse_ok(
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\nmethod: tpe\n\
         run_cap: 4\nparameters:\n\
         \x20 lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}\n\
         \x20 optimizer: {values: [adam, sgd]}\n\
         \x20 momentum: {value: 0.9, when: {optimizer: [sgd]}}\n\
         enqueue:\n  - {optimizer: sgd}\n  - {lr: 0.01}\n  - {lr: 0.01, optimizer: adam}\n",
    );
    let sgd = ParamValue::Str("sgd".into());
    let adam = ParamValue::Str("adam".into());
    let lr = ParamValue::Float(0.01);
    let entries: Vec<Vec<(&str, &ParamValue)>> = spec
        .enqueue
        .iter()
        .map(|p| p.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .collect();
    assert_eq!(
        entries,
        [
            // The `value:` parameter its choice places comes with it; `lr` is the sampler's.
            vec![("momentum", &ParamValue::Float(0.9)), ("optimizer", &sgd)],
            // Whether `momentum` exists is the sampler's choice of `optimizer`.
            vec![("lr", &lr)],
            vec![("lr", &lr), ("optimizer", &adam)],
        ]
    );
    let whole: Vec<bool> = spec
        .enqueue
        .iter()
        .map(|p| spec.space.is_whole(p))
        .collect();
    assert_eq!(whole, [false, false, true]);
}

#[test]
fn enqueue_errors() {
    let full = "lr: 0.001, hidden: 64, depth: 2, batch_size: 32";
    check(
        &[
            (
                &format!("enqueue:\n  - {{{full}, regularization: none, dropout: 0.1, lrr: 1}}\n"),
                "15:86: enqueue[0].dropout: `dropout` does not exist in this trial: it exists only where `regularization` is dropout (here none)\n\
                 15:91: enqueue[0].lrr: unknown parameter `lrr`; did you mean `lr`? the searched ones are `batch_size`, `depth`, `dropout`, `hidden`, `lr`, `regularization`",
            ),
            (
                "enqueue:\n  - {lr: 0.5, hidden: 48, depth: 1.5, batch_size: 40, regularization: dropout}\n  - {epochs: 3}\n  - {}\n",
                "15:10: enqueue[0].lr: must be in [0.0001, 0.1], found 0.5\n\
                 15:23: enqueue[0].hidden: must be one of 32, 64, found 48\n\
                 15:34: enqueue[0].depth: expected an integer from 1 to 3, found number `1.5`\n\
                 15:51: enqueue[0].batch_size: must be a multiple of q = 16, found 40\n\
                 16:6: enqueue[1].epochs: `epochs` is fixed in `train:`, not searched; an enqueued trial gives values of `parameters:` only\n\
                 17:5: enqueue[2]: gives no parameter; an enqueued trial gives at least one, such as `{lr: 0.001}` (the sampler chooses the rest)",
            ),
            (
                // A whole number with a point is that integer, in range or not.
                "enqueue:\n  - {lr: 0.01, depth: 2.0}\n  - {lr: 0.01, depth: 4.0}\n  - {lr: 0.01, depth: 2.5}\n",
                "16:23: enqueue[1].depth: must be an integer from 1 to 3, found 4.0\n\
                 17:23: enqueue[2].depth: expected an integer from 1 to 3, found number `2.5`",
            ),
            (
                // A conditional parameter comes with those its condition tests.
                "enqueue:\n  - {lr: 0.01, dropout: 0.2}\n",
                "15:25: enqueue[0].dropout: `dropout` exists only where `regularization` is dropout; give `regularization` too (the sampler might choose otherwise), or leave `dropout` out",
            ),
            (
                // A wrong value of `regularization` says nothing of `dropout`, which may or may not exist.
                &format!("enqueue:\n  - {{{full}, regularization: l2, dropout: 0.1}}\n"),
                "15:71: enqueue[0].regularization: must be one of \"none\", \"dropout\", found \"l2\"",
            ),
            (
                &format!("enqueue:\n  - {{{full}, regularization: none}}\n  - {{{full}, regularization: none}}\n  - {{{full}, regularization: none}}\n  - {{{full}, regularization: none}}\n"),
                "15:3: enqueue: lists 4 trials, more than the 3 of `run_cap`; raise `run_cap` to at least 4",
            ),
            (
                // The same word quoted into text: said so, as `when:` says it.
                "enqueue:\n  - {lr: 0.001, hidden: \"64\"}\n",
                "15:25: enqueue[0].hidden: must be one of 32, 64, found \"64\", which is quoted, so it is text; write it without quotes",
            ),
            ("enqueue: {lr: 0.001}\n", "14:10: enqueue: expected a list of trials, each a mapping such as `{lr: 0.001, hidden: 64}`, found a mapping"),
            ("enqueue:\n  - [1, 2]\n", "15:5: enqueue[0]: expected a mapping, found a sequence"),
        ],
        SPACE,
    );
    check(
        &[(
            "enqueue:\n  - {hidden: 32}\n",
            "8:3: enqueue: a grid runs every point of its space once, in an order of its own; enqueue trials with any other method (`random`, `sobol`, `tpe`, `bayes`, `cmaes`, `nsga2`, `nsga3`)",
        )],
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\nmethod: grid\nparameters:\n  hidden: {values: [32, 64]}\n",
    );
}

#[test]
fn issue_45_a_quantized_range_says_the_values_it_takes() {
    // q_uniform from 0 to 10 with q 2.5 takes 0 to 10, not -1.25 to 11.25 (what rounds to them).
    let base = "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\nparameters:\n  \
                clip_norm: {distribution: q_uniform, min: 0, max: 10, q: 2.5}\n";
    check(
        &[
            (
                "enqueue:\n  - {clip_norm: 12.5}\n",
                "7:17: enqueue[0].clip_norm: must be in [0, 10], found 12.5",
            ),
            ("enqueue:\n  - {clip_norm: 10}\n", "ok"),
        ],
        base,
    );
}
