//! Tests of a warm start from a table of results: the three layouts, states, numbers and
//! the rows left out.

use std::path::{Path, PathBuf};

use super::*;
use crate::{Located, Location, WarmSource};

fn spec() -> ExperimentSpec {
    let text = "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                constraints: {param_count: {max: 5000}}\nparameters:\n  \
                lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0}\n  \
                depth: {distribution: int_uniform, min: 1, max: 3}\n  \
                optimizer: {values: [sgd, adam]}\n  \
                momentum: {min: 0.0, max: 0.99, when: {optimizer: sgd}}\n";
    match ExperimentSpec::from_yaml_str(text, Path::new("s.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    }
}

fn table(csv: &str) -> ResultsTable {
    let mut lines = csv.lines().enumerate();
    let split = |l: &str| {
        l.split(',')
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>()
    };
    let columns = lines.next().map(|(_, l)| split(l)).unwrap_or_default();
    ResultsTable {
        columns,
        rows: lines
            .map(|(i, l)| ResultsRow {
                line: u64::try_from(i).unwrap_or(0) + 1,
                cells: split(l),
            })
            .collect(),
    }
}

fn from_file(trials: Option<u32>) -> WarmStart {
    WarmStart {
        source: WarmSource::Csv(Located {
            value: PathBuf::from("runs/past.csv"),
            location: Location {
                file: PathBuf::from("s.yaml"),
                line: 9,
                column: 18,
            },
        }),
        trials,
    }
}

/// Each taken trial as `id state params value`.
fn taken(w: &WarmStarted) -> Vec<String> {
    w.trials
        .iter()
        .map(|t| {
            let params: Vec<String> = t.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!(
                "{} {} {} {:?}",
                t.id,
                t.state.as_str(),
                params.join(" "),
                t.value("val_loss")
            )
        })
        .collect()
}

#[test]
fn sweeps_own_export_is_read_with_states_numbers_and_constraint_metrics() {
    let csv = "\
trial,state,reason,seed,best_epoch,source,param.depth,param.lr,param.momentum,param.optimizer,metric.param_count,metric.val_loss
3,completed,,77,12,tpe,2,0.01,,adam,4100.0,0.31
0,pruned,asha: ..,5,2,random,1,0.1,0.9,sgd,900.0,0.52
1,running,,6,,random,1,0.2,,adam,,
2,failed,nan loss,7,,random,3,0.5,,adam,,
4,completed,,8,9,tpe,2,3.0,,adam,4100.0,0.25
5,completed,,9,9,tpe,2,0.02,,rmsprop,4100.0,0.28
6,completed,,10,9,tpe,2,0.02,,adam,4100.0,
";
    let w = from_file(None).import_table(&spec(), &table(csv)).unwrap();
    assert_eq!(w.source, "runs/past.csv");
    assert_eq!(
        taken(&w),
        [
            "0 pruned depth=1 lr=0.1 momentum=0.9 optimizer=sgd Some(0.52)",
            "1 failed depth=3 lr=0.5 optimizer=adam None",
            "2 completed depth=2 lr=0.01 optimizer=adam Some(0.31)",
        ]
    );
    // The constraint's metric, the seed and the best epoch come along.
    let t = &w.trials[2];
    assert_eq!(t.value("param_count"), Some(4100.0));
    assert_eq!(
        (t.seed, t.result.as_ref().map(|r| r.best_step)),
        (Seed(77), Some(Step(12)))
    );
    // In trial order: lines 6 (trial 4), 7 (5) and 8 (6).
    assert_eq!(w.left_out.len(), 3, "{:?}", w.left_out);
    assert!(
        w.left_out[0].starts_with("line 6: `lr` = 3: must be in"),
        "{:?}",
        w.left_out
    );
    assert!(
        w.left_out[1].starts_with("line 7: `optimizer` = rmsprop: "),
        "{:?}",
        w.left_out
    );
    assert_eq!(w.left_out[2], "line 8: `val_loss` is empty");
    // Only the trials numbered below `trials`.
    let first = from_file(Some(3))
        .import_table(&spec(), &table(csv))
        .unwrap();
    assert_eq!(first.trials.len(), 2);
    assert!(first.left_out.is_empty());
}

#[test]
fn optunas_dataframe_and_a_plain_table_are_read_too() {
    // Optuna: `number`, `value`, `params_*`, upper-case states; an integer written as 3.0
    // where pandas met an empty cell in its column.
    let optuna = "\
number,value,datetime_start,params_depth,params_lr,params_momentum,params_optimizer,state
0,0.4,2026-01-01,3.0,0.001,0.5,sgd,COMPLETE
1,,2026-01-01,,0.002,,adam,FAIL
2,0.35,2026-01-01,2.0,0.003,,adam,TrialState.PRUNED
3,,2026-01-01,1.0,0.004,,adam,RUNNING
";
    let w = from_file(None)
        .import_table(&spec(), &table(optuna))
        .unwrap();
    assert_eq!(
        taken(&w),
        [
            "0 completed depth=3 lr=0.001 momentum=0.5 optimizer=sgd Some(0.4)",
            "1 pruned depth=2 lr=0.003 optimizer=adam Some(0.35)",
        ]
    );
    // The failed row has no depth; the running one is not a result yet.
    assert_eq!(w.left_out, ["line 3: it has no `depth`"]);
    // Plain: columns named as the parameters and the objective, every row completed.
    let plain = "lr,depth,optimizer,val_loss,notes\n0.01,2,adam,0.3,first\n0.02,1,adam,0.2,\n";
    let w = from_file(Some(1))
        .import_table(&spec(), &table(plain))
        .unwrap();
    assert_eq!(
        taken(&w),
        ["0 completed depth=2 lr=0.01 optimizer=adam Some(0.3)"]
    );
}

#[test]
fn a_table_without_the_objective_is_refused_and_odd_states_are_said() {
    let no_objective = "param.lr,metric.val_accuracy\n0.1,0.9\n";
    let why = from_file(None)
        .import_table(&spec(), &table(no_objective))
        .unwrap_err();
    assert_eq!(
        why,
        "no column for the objective `val_loss`: looked for `metric.val_loss` (`sweep export`), \
         `val_loss` and `value` (Optuna's `trials_dataframe()`); the header has `param.lr`, \
         `metric.val_accuracy`"
    );
    let odd = "lr,depth,optimizer,val_loss,state\n0.01,2,adam,0.3,paused\n\
               0.01,2,adam,abc,finished\n0.01,2,adam,-0.5,finished\n";
    let w = from_file(None).import_table(&spec(), &table(odd)).unwrap();
    assert!(w.trials.is_empty());
    assert_eq!(
        w.left_out,
        [
            "line 2: state `paused` is not completed, pruned or failed",
            "line 3: `val_loss` = abc is not a finite number",
            "line 4: val_loss is never below 0, found -0.5",
        ]
    );
    // A trial number that is not one is said, with or without `trials:`, not taken last or
    // dropped without a word.
    let numbered = "trial,lr,depth,optimizer,val_loss\n0.0,0.01,2,adam,0.3\n-1,0.01,2,adam,0.2\n\
                    abc,0.01,2,adam,0.2\n1.5,0.01,2,adam,0.2\n,0.01,2,adam,0.2\n";
    for trials in [None, Some(1)] {
        let w = from_file(trials)
            .import_table(&spec(), &table(numbered))
            .unwrap();
        assert_eq!(w.trials.len(), 1, "{trials:?}");
        assert_eq!(
            w.left_out,
            [
                "line 3: trial `-1` is not a trial number (a whole number from 0)",
                "line 4: trial `abc` is not a trial number (a whole number from 0)",
                "line 5: trial `1.5` is not a trial number (a whole number from 0)",
                "line 6: trial `` is not a trial number (a whole number from 0)",
            ],
            "{trials:?}"
        );
    }
}

#[test]
fn cells_are_typed_by_the_distribution_they_are_for() {
    let names = Distribution::Categorical {
        values: vec![ParamValue::Str("1".into()), ParamValue::Str("two".into())],
        probabilities: None,
    };
    let ints = Distribution::IntUniform { min: 1, max: 4 };
    let flags = Distribution::Categorical {
        values: vec![ParamValue::Bool(true), ParamValue::Bool(false)],
        probabilities: None,
    };
    assert_eq!(typed("1", &names), ParamValue::Str("1".into()));
    assert_eq!(typed("3.0", &ints), ParamValue::Int(3));
    assert_eq!(typed("3.5", &ints), ParamValue::Float(3.5));
    assert_eq!(typed("True", &flags), ParamValue::Bool(true));
    assert_eq!(
        typed("0.25", &Distribution::Uniform { min: 0.0, max: 1.0 }),
        ParamValue::Float(0.25)
    );
}
