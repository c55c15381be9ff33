//! `metric:` as a list: a study with several objectives, what it parses into, and what it
//! refuses, as tables.

use super::{check, parse_ok};
use crate::{Direction, MetricSpec};

/// A spec without `metric:`, so that each case gives its own.
const HEAD: &str = "name: t\ndata: {csv: d.csv, target: y}\n";

const TWO: &str = "metric:\n  - {name: val_accuracy}\n  - {name: param_count, goal: minimize}\n";

#[test]
fn a_list_of_objectives_parses_in_order_and_resolves() {
    let spec = parse_ok(&format!("{HEAD}{TWO}"));
    assert_eq!(spec.metric.name, "val_accuracy");
    assert_eq!(spec.metric.goal, Direction::Maximize);
    assert_eq!(
        spec.more_objectives,
        [MetricSpec {
            name: "param_count".into(),
            goal: Direction::Minimize,
        }]
    );
    assert!(spec.is_multi_objective());
    assert_eq!(spec.objectives().len(), 2);
    let resolved = spec.resolved();
    assert!(
        resolved.contains("metric: val_accuracy (maximize)\nmetric[1]: param_count (minimize)\n")
    );
    // One objective resolves as before lists existed.
    let one = parse_ok(&format!("{HEAD}metric: {{name: val_loss}}\n"));
    assert!(!one.is_multi_objective());
    assert!(!one.resolved().contains("metric[1]"));
    // With a sampler, and constraints, that suit several objectives.
    for method in ["tpe", "bayes", "random", "sobol"] {
        let spec = parse_ok(&format!(
            "{HEAD}{TWO}method: {method}\nconstraints: {{val_loss: {{max: 1}}}}\n"
        ));
        assert_eq!(spec.objectives().len(), 2, "{method}");
    }
}

#[test]
fn objective_lists_refuse_what_needs_one_objective() {
    check(
        &[
            ("metric: [{name: val_loss}]\n", "3:9: metric: a list of objectives needs at least two, found 1; write one objective as a mapping, `metric: {name: val_loss}`"),
            ("metric: []\n", "3:9: metric: a list of objectives needs at least two, found 0; write one objective as a mapping, such as `metric: {name: val_accuracy, goal: maximize}`"),
            ("metric: [{name: val_loss}, {name: val_loss, goal: maximize}]\n", "3:28: metric[1].name: `val_loss` is already the objective metric[0]"),
            ("metric: [{name: val_loss, target: 0.1}, {name: param_count}]\n", "3:10: metric[0].target: `target` needs a single objective: a study with several ends with a front of trials, not one value that reaches a target"),
            ("metric: {name: epoch_seconds}\n", "3:9: metric.name: `epoch_seconds` is wall time, which differs between runs, so a search that learns from it would too; `param_count` measures a model's cost reproducibly"),
            ("metric: [{name: val_loss}, {name: epoch_seconds}]\n", "3:28: metric[1].name: `epoch_seconds` is wall time, which differs between runs, so the front would too; `param_count` measures a model's cost reproducibly"),
            ("metric: [{name: val_loss}, {name: size}]\n", "3:35: metric[1].name: unknown metric `size`; expected one of train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, val_rmse, val_mae, val_r2, param_count, epoch_seconds"),
            ("metric: [{name: val_loss}, param_count]\n", "3:28: metric[1]: expected a mapping, found string `param_count`"),
            (&format!("{TWO}pruner: {{type: asha}}\n"), "6:9: pruner: no pruner with several objectives (`metric:` is a list): pruning compares one objective's learning curves, and a trial weak on one may be on the front for another; remove `pruner:` or give `metric:` one objective"),
            (&format!("{TWO}early_terminate: {{type: hyperband, min_iter: 1}}\n"), "6:18: early_terminate: no pruner with several objectives (`metric:` is a list): pruning compares one objective's learning curves, and a trial weak on one may be on the front for another; remove `early_terminate:` or give `metric:` one objective"),
            (&format!("{TWO}method: nsga3\nsampler: {{dividing_parameter: 20000}}\n"), "7:31: sampler.dividing_parameter: `nsga3` with 2 objectives and `dividing_parameter: 20000` makes 20001 reference directions, more than the 10000 it allows; lower `dividing_parameter`"),
            (&format!("{TWO}method: nsga3\nsampler: {{dividing_parameter: 100}}\n"), "ok"),
            // Counted exactly however large: C(4294967297, 2).
            ("metric: [{name: val_loss}, {name: param_count}, {name: val_accuracy, goal: maximize}]\nmethod: nsga3\nsampler: {dividing_parameter: 4294967295}\n", "5:31: sampler.dividing_parameter: `nsga3` with 3 objectives and `dividing_parameter: 4294967295` makes 9223372039002259456 reference directions, more than the 10000 it allows; lower `dividing_parameter`"),
            (&format!("{TWO}method: cmaes\n"), "6:9: method: `cmaes` adapts to one objective; with several objectives (`metric:` is a list) use `tpe` (which ranks trials by Pareto front), `bayes`, `nsga2`, `nsga3` (for three objectives or more), `random`, `sobol` or `grid`"),
        ],
        HEAD,
    );
    // A mistake inside one objective does not hide what the list refuses.
    let text = format!(
        "{HEAD}metric: [{{name: val_loss}}, {{name: param_count, goal: minimise}}]\npruner: {{type: asha}}\n"
    );
    let got = super::render(&text);
    assert!(
        got.contains("metric[1].goal: unknown goal `minimise`"),
        "{got}"
    );
    assert!(
        got.contains("pruner: no pruner with several objectives"),
        "{got}"
    );
    // An objective the task does not report, when the task is given.
    check(
        &[(
            "metric: [{name: val_loss}, {name: val_rmse}]\n",
            "3:28: metric[1].name: `val_rmse` is not a metric of classification; classification reports train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, param_count, epoch_seconds",
        )],
        "name: t\ndata: {csv: d.csv, target: y, task: classification}\n",
    );
}

#[test]
fn a_plateau_rule_parses_resolves_and_refuses_mistakes() {
    let one = format!("{HEAD}metric: {{name: val_loss}}\n");
    let spec = parse_ok(&format!(
        "{one}plateau: {{patience: 20, min_delta: 0.001}}\n"
    ));
    assert_eq!(
        spec.plateau,
        Some(crate::Plateau {
            patience: 20,
            min_delta: 0.001
        })
    );
    assert!(spec
        .resolved()
        .contains("plateau: patience 20, min_delta 0.001\n"));
    let plain = parse_ok(&format!("{one}plateau: {{patience: 5}}\n"));
    assert_eq!(plain.plateau.map(|p| p.min_delta), Some(0.0));
    // With several objectives too.
    let two = parse_ok(&format!("{HEAD}{TWO}plateau: {{patience: 8}}\n"));
    assert_eq!(two.plateau.map(|p| p.patience), Some(8));
    // Without one, the spec resolves as before the rule existed.
    assert!(!parse_ok(&one).resolved().contains("plateau"));
    check(
        &[
            (
                "plateau: {min_delta: 0.1}\n",
                "4:10: plateau.patience: missing required key `patience`",
            ),
            (
                "plateau: {patience: 0}\n",
                "4:21: plateau.patience: must be an integer of at least 1, found 0",
            ),
            (
                "plateau: {patience: 3, min_delta: -1}\n",
                "4:35: plateau.min_delta: must not be negative, found -1",
            ),
            (
                "plateau: {patience: 3, trials: 4}\n",
                "4:24: plateau.trials: unknown key `trials`; expected keys: patience, min_delta",
            ),
            (
                "plateau: 20\n",
                "4:10: plateau: expected a mapping, found integer `20`",
            ),
        ],
        &one,
    );
}
