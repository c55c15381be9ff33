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
    separated(csv, ',')
}

/// Reads `csv` with cells separated by `separator`.
fn separated(csv: &str, separator: char) -> ResultsTable {
    let mut lines = csv.lines().enumerate();
    let split = |l: &str| {
        l.split(separator)
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
        w.left_out[1] == "line 7: `optimizer` = \"rmsprop\": must be one of \"sgd\", \"adam\"",
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
    // The failed row has no depth; the running one is not a result yet; the file has no
    // column for the constrained `param_count` (`issue_a_constrained_metric_...`).
    assert_eq!(w.left_out.len(), 2, "{:?}", w.left_out);
    assert_eq!(w.left_out[0], "line 3: it has no `depth`");
    assert!(w.left_out[1].starts_with("note: "), "{:?}", w.left_out);
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
         `metrics.val_loss` (MLflow), `val_loss` and `value` (Optuna's `trials_dataframe()`); \
         the header has `param.lr`, `metric.val_accuracy`"
    );
    let odd = "lr,depth,optimizer,val_loss,state,param_count\n0.01,2,adam,0.3,paused,900\n\
               0.01,2,adam,abc,finished,900\n0.01,2,adam,-0.5,finished,900\n\
               0.01,2,adam,0.3,finished,900\n";
    let w = from_file(None).import_table(&spec(), &table(odd)).unwrap();
    assert_eq!(w.trials.len(), 1);
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
    let numbered = "trial,lr,depth,optimizer,val_loss,param_count\n0.0,0.01,2,adam,0.3,9\n\
                    -1,0.01,2,adam,0.2,9\nabc,0.01,2,adam,0.2,9\n1.5,0.01,2,adam,0.2,9\n\
                    ,0.01,2,adam,0.2,9\n";
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

#[test]
fn issue_a_constrained_metric_the_file_has_no_column_for_is_noted() {
    // An Optuna file records no `param_count`: its rows count as breaking the constraint.
    let optuna = "\
number,value,params_depth,params_lr,params_optimizer,state
0,0.4,3,0.001,adam,COMPLETE
1,0.3,2,0.002,adam,COMPLETE
";
    let w = from_file(None)
        .import_table(&spec(), &table(optuna))
        .unwrap();
    assert_eq!(w.trials.len(), 2);
    let note = "note: the file has no column for `param_count` (looked for \
                `metric.param_count`, `metrics.param_count`, `user_attrs_param_count` and \
                `param_count`), so its rows count as breaking `param_count ≤ 5000`: the search \
                learns from them where not to look, not which of them did best";
    assert_eq!(w.left_out, [note]);
    assert_eq!(
        w.describe(),
        format!("2 trials of `runs/past.csv`, learned from before this experiment's own; {note}")
    );
    // Optuna's user attributes hold it where a study recorded it.
    let attrs = "number,value,params_depth,params_lr,params_optimizer,user_attrs_param_count\n\
                 0,0.4,3,0.001,adam,4100\n";
    let w = from_file(None)
        .import_table(&spec(), &table(attrs))
        .unwrap();
    assert!(w.left_out.is_empty(), "{:?}", w.left_out);
    assert_eq!(w.trials[0].value("param_count"), Some(4100.0));
}

#[test]
fn issue_a_searched_parameter_without_a_column_is_said_once_for_the_file() {
    // `lr` renamed `learning_rate`: every row would lack it.
    let renamed = "\
number,value,params_depth,params_learning_rate,params_optimizer,state
0,0.4,3,0.001,adam,COMPLETE
1,0.3,2,0.002,adam,COMPLETE
";
    let why = from_file(None)
        .import_table(&spec(), &table(renamed))
        .unwrap_err();
    assert_eq!(
        why,
        "no column for the parameter `lr`, which every trial of this search has: looked for \
         `param.lr` (`sweep export`), `params.lr` (MLflow), `params_lr` (Optuna) and `lr`; \
         the header has `params_learning_rate`, which may be it renamed"
    );
    // With nothing close, the header is listed (pandas' unnamed index column is close to
    // nothing); a parameter under `when:` may lack a column.
    let no_depth = ",lr,optimizer,val_loss\n0,0.01,adam,0.3\n";
    let why = from_file(None)
        .import_table(&spec(), &table(no_depth))
        .unwrap_err();
    assert!(
        why.starts_with(
            "no column for the parameter `depth`, which every trial of this search has"
        ) && why.ends_with("; the header has ``, `lr`, `optimizer`, `val_loss`"),
        "{why}"
    );
}

#[test]
fn issue_a_file_none_of_whose_finished_rows_can_be_taken_is_refused() {
    let out_of_range = "lr,depth,optimizer,val_loss,state\n3.0,2,adam,0.3,finished\n\
                        0.01,9,adam,0.2,finished\n0.01,2,adam,,running\n";
    let why = from_file(None)
        .import_table(&spec(), &table(out_of_range))
        .unwrap_err();
    assert!(
        why.starts_with("none of its rows can be taken: 2 left out (line 2: `lr` = 3: must be in"),
        "{why}"
    );
    assert!(why.contains("; line 3: `depth` = 9: "), "{why}");
    // A file with no finished row yet takes none, without an error.
    let running = "lr,depth,optimizer,val_loss,state\n0.01,2,adam,,running\n";
    let w = from_file(None)
        .import_table(&spec(), &table(running))
        .unwrap();
    assert!(w.trials.is_empty() && w.left_out.is_empty());
}

#[test]
fn issue_a_series_export_is_refused_as_curve_data() {
    let series = "experiment,trial,metric,step,value\nold,0,val_loss,1,0.5\nold,0,val_loss,2,0.4\n";
    let why = from_file(None)
        .import_table(&spec(), &table(series))
        .unwrap_err();
    assert_eq!(
        why,
        "this is curve data (a `metric` and a `value` per `step`, as `sweep export --series` \
         writes it), not a table of results; a warm start reads a row per trial, as `sweep \
         export EXPERIMENT --format csv` writes it"
    );
}

#[test]
fn issue_mlflows_search_runs_is_read() {
    // `mlflow.search_runs().to_csv()`: newest run first, params written as text.
    let mlflow = "\
,run_id,status,start_time,metrics.val_loss,metrics.param_count,params.depth,params.lr,params.momentum,params.optimizer,tags.mlflow.runName
0,8f1e,RUNNING,2024-05-01,,,1,0.003,,adam,gentle-7
1,7e1e,FINISHED,2024-05-01,0.31,4100,2,0.005,,adam,fluent-6
2,6e1e,FAILED,2024-05-01,,,2,0.02,0.7,sgd,crisp-5
3,5e1e,KILLED,2024-05-01,0.48,900,3,0.0001,,adam,lucky-4
4,4e1e,SCHEDULED,2024-05-01,,,3,0.0001,,adam,bold-3
";
    let w = from_file(None)
        .import_table(&spec(), &table(mlflow))
        .unwrap();
    assert_eq!(
        taken(&w),
        [
            "0 completed depth=2 lr=0.005 optimizer=adam Some(0.31)",
            "1 failed depth=2 lr=0.02 momentum=0.7 optimizer=sgd None",
            "2 failed depth=3 lr=1.000e-4 optimizer=adam Some(0.48)",
        ]
    );
    assert!(w.left_out.is_empty(), "{:?}", w.left_out);
    assert_eq!(w.trials[0].value("param_count"), Some(4100.0));
}

#[test]
fn issue_sweeps_own_interrupted_trials_are_skipped_quietly() {
    let csv =
        "trial,state,param.depth,param.lr,param.optimizer,metric.val_loss,metric.param_count\n\
               0,completed,2,0.01,adam,0.3,4100\n1,interrupted,1,0.02,adam,0.2,900\n";
    let w = from_file(None).import_table(&spec(), &table(csv)).unwrap();
    assert_eq!(
        taken(&w),
        ["0 completed depth=2 lr=0.01 optimizer=adam Some(0.3)"]
    );
    assert!(w.left_out.is_empty(), "{:?}", w.left_out);
}

#[test]
fn issue_decimal_commas_are_said_to_be_written_with_a_point() {
    let semi = "lr;depth;optimizer;val_loss;param_count\n0.01;2;adam;0,3;4100\n\
                0,02;2;adam;0.2;4100\n0.03;2;adam;0.25;4100\n";
    let w = from_file(None)
        .import_table(&spec(), &separated(semi, ';'))
        .unwrap();
    assert_eq!(w.trials.len(), 1);
    assert_eq!(
        w.left_out,
        [
            "line 2: `val_loss` = 0,3 is not a finite number (write `0.3`: numbers are read \
             with a decimal point, not a comma)",
            "line 3: `lr` = 0,02: expected a number, found string `0,02` (write `0.02`: \
             numbers are read with a decimal point, not a comma)",
        ]
    );
}

#[test]
fn a_tables_own_status_column_a_fixed_parameter_and_an_inactive_cell_are_no_reasons_to_refuse() {
    // A plain table's `status` (a review's) is not a trial's state: MLflow's only is.
    let reviewed = "lr,depth,optimizer,val_loss,param_count,status\n\
                    0.01,2,adam,0.3,4100,reviewed\n0.02,1,adam,0.2,900,todo\n";
    let w = from_file(None)
        .import_table(&spec(), &table(reviewed))
        .unwrap();
    assert_eq!(w.trials.len(), 2, "{:?}", w.left_out);
    // A parameter of one value (`value:`) has no column in Optuna's table: every trial had it.
    let text = "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                parameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0}\n  \
                batch_size: {value: 64}\n";
    let fixed = ExperimentSpec::from_yaml_str(text, Path::new("s.yaml")).unwrap();
    let w = from_file(None)
        .import_table(&fixed, &table("params_lr,value\n0.01,0.3\n"))
        .unwrap();
    assert_eq!(
        w.trials[0].params.get("batch_size"),
        Some(&crate::ParamValue::Int(64))
    );
    // A decimal comma in the cell of a parameter the row does not have (momentum beside adam)
    // is never read.
    let inactive = "lr;depth;optimizer;momentum;val_loss;param_count\n\
                    0.01;2;adam;0,9;0.3;4100\n0.02;1;sgd;0,9;0.2;900\n";
    let w = from_file(None)
        .import_table(&spec(), &separated(inactive, ';'))
        .unwrap();
    assert_eq!(w.trials.len(), 1);
    assert!(
        w.left_out
            .iter()
            .any(|r| r.contains("`momentum` = 0,9") && r.contains("write `0.9`")),
        "{:?}",
        w.left_out
    );
    // With `trials: 1`, nothing taken means none of the rows it looked at.
    let first_bad = "lr,depth,optimizer,val_loss,param_count\n\
                     9,2,adam,0.3,4100\n0.02,1,adam,0.2,900\n";
    let err = from_file(Some(1))
        .import_table(&spec(), &table(first_bad))
        .unwrap_err();
    assert!(
        err.starts_with("none of its rows numbered below 1 can be taken"),
        "{err}"
    );
}

/// Reads `csv` as a CSV reader gives it: cells split at commas, spaces kept.
fn untrimmed(csv: &str) -> ResultsTable {
    let mut t = table(csv);
    for (row, line) in t.rows.iter_mut().zip(csv.lines().skip(1)) {
        row.cells = line.split(',').map(str::to_string).collect();
    }
    t
}

fn spaced_spec() -> ExperimentSpec {
    let text = "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                parameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0}\n  \
                kind: {values: [\"x\", \"x \"]}\n  \
                tag: {values: [\"\", \" sp\", y]}\n  \
                l2: {distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2, \
                when: {kind: [\"x \"]}}\n  \
                momentum: {min: 0.0, max: 0.99, when: {tag: [\"\"]}}\n";
    ExperimentSpec::from_yaml_str(text, Path::new("s.yaml")).unwrap()
}

#[test]
fn issue_a_listed_value_with_spaces_at_its_ends_is_read_as_written() {
    // `sweep export` of `kind: "x "`: the cell keeps its space; a person's ` y` is trimmed.
    let csv = "trial,param.kind,param.l2,param.lr,param.tag,metric.val_loss\n\
               0,x ,0.0001,0.01, sp,0.5\n\
               1, x ,0.0002,0.02,y,0.4\n\
               2,x,,0.03, y ,0.3\n";
    let w = from_file(None)
        .import_table(&spaced_spec(), &untrimmed(csv))
        .unwrap();
    assert_eq!(
        taken(&w),
        [
            "0 completed kind=x  l2=1.000e-4 lr=0.01 tag= sp Some(0.5)",
            // ` x ` is no value as written: read trimmed, `x`, which has no `l2`: said.
            "1 completed kind=x lr=0.02 tag=y Some(0.4)",
            "2 completed kind=x lr=0.03 tag=y Some(0.3)",
        ]
    );
    assert_eq!(
        w.left_out,
        [
            "note: `l2` is given where this search does not set it (only where `kind` is \"x \"), \
          so those trials are taken without it: line 3"
        ]
    );
    assert!(
        w.describe().ends_with(w.left_out[0].as_str()),
        "{}",
        w.describe()
    );
}

#[test]
fn issue_an_empty_cell_is_the_empty_value_where_the_row_has_the_parameter() {
    // The empty value counts for the conditions that test it: `momentum` is set with it.
    let csv = "trial,param.kind,param.l2,param.lr,param.momentum,param.tag,metric.val_loss\n\
               0,x,,0.01,0.9,,0.5\n\
               1,x,,0.01,,z,0.5\n";
    let w = from_file(None)
        .import_table(&spaced_spec(), &untrimmed(csv))
        .unwrap();
    assert_eq!(
        taken(&w),
        ["0 completed kind=x lr=0.01 momentum=0.9 tag= Some(0.5)"]
    );
    // A value outside the list is said with the list, empty and spaced values quoted.
    assert_eq!(
        w.left_out,
        ["line 3: `tag` = \"z\": must be one of \"\", \" sp\", \"y\""]
    );
    // Without `""` among the values, an empty cell is a missing value.
    let missing = "trial,param.kind,param.lr,param.tag,metric.val_loss\n0,,0.01,y,0.5\n";
    let err = from_file(None)
        .import_table(&spaced_spec(), &untrimmed(missing))
        .unwrap_err();
    assert!(err.contains("line 2: it has no `kind`"), "{err}");
}

#[test]
fn issue_an_export_with_its_wall_time_columns_reads_as_one_without_them() {
    // Exports end with `started`, `finished` and `duration_seconds` since they carry them;
    // files exported before read as they did, and those after read the same trials.
    let mut trials = Vec::new();
    for (id, depth, value) in [(0, 1, 0.52), (1, 2, 0.31)] {
        let mut t = crate::testing::trial_with(id, TrialState::Completed, "val_loss", Some(value));
        t.params.insert("depth".into(), ParamValue::Int(depth));
        t.params.insert("lr".into(), ParamValue::Float(0.01));
        t.params
            .insert("optimizer".into(), ParamValue::Str("adam".into()));
        if let Some(r) = t.result.as_mut() {
            r.metrics.insert("param_count".into(), 4100.0);
        }
        t.started = Some(crate::Timestamp(1_795_865_400_000));
        t.finished = Some(crate::Timestamp(1_795_865_412_345));
        trials.push(t);
    }
    let effort = crate::Effort::default();
    let new = crate::trials_csv(&trials, &crate::Judged::of(None, &trials, &effort));
    assert!(new
        .lines()
        .next()
        .unwrap_or_default()
        .ends_with(",started,finished,duration_seconds"));
    let old: String = new
        .lines()
        .map(|l| format!("{}\n", l.rsplitn(4, ',').last().unwrap_or_default()))
        .collect();
    let from_new = from_file(None).import_table(&spec(), &table(&new)).unwrap();
    let from_old = from_file(None).import_table(&spec(), &table(&old)).unwrap();
    assert_eq!(
        taken(&from_new),
        [
            "0 completed depth=1 lr=0.01 optimizer=adam Some(0.52)",
            "1 completed depth=2 lr=0.01 optimizer=adam Some(0.31)",
        ]
    );
    assert_eq!(from_new, from_old);
    assert!(from_new.left_out.is_empty(), "{:?}", from_new.left_out);
}

mod guarded;
