//! Unit tests of `objective`: `MlpObjective` training tiny models (learning, determinism,
//! pruning, early stopping, failures) and test metrics from a checkpoint or by training again.

use std::path::PathBuf;

use experiment::{Control, MetricPoint, ParamValue, Seed, Step, TrialId, TrialState};

use super::*;

/// Records every report; asks to prune at `prune_at`.
#[derive(Debug, Default)]
struct Recorder {
    reports: Vec<(Step, Vec<MetricPoint>)>,
    prune_at: Option<Step>,
}

impl Reporter for Recorder {
    fn report(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
        self.reports.push((step, metrics.to_vec()));
        if self.prune_at == Some(step) {
            Control::Prune
        } else {
            Control::Continue
        }
    }
}

/// Parses a spec from `yaml` as if written in `experiments/<file>`, so that `data/...`
/// names the shipped datasets.
pub(crate) fn parse(yaml: &str, file: &str) -> ExperimentSpec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../experiments")
        .join(file);
    ExperimentSpec::from_yaml_str(yaml, &path).unwrap()
}

fn digits_spec(fixed: &[(&str, ParamValue)]) -> ExperimentSpec {
    let mut spec = parse(
        "name: digits-test\nseed: 42\ndata:\n  csv: data/digits.csv\n  target: digit\n\
             metric: {name: val_accuracy}\nrun_cap: 1\nparallel: 1\n",
        "digits.yaml",
    );
    spec.fixed = fixed
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    spec
}

/// Returns small-model knobs for a quick run, with `extra` replacing or adding knobs.
fn small(extra: &[(&'static str, ParamValue)]) -> Vec<(&'static str, ParamValue)> {
    let mut knobs = vec![
        ("epochs", ParamValue::Int(3)),
        ("hidden", ParamValue::Int(32)),
        ("depth", ParamValue::Int(1)),
        ("batch_size", ParamValue::Int(32)),
        ("lr", ParamValue::Float(0.01)),
        ("dropout", ParamValue::Float(0.1)),
    ];
    knobs.retain(|(name, _)| extra.iter().all(|(k, _)| k != name));
    knobs.extend(extra.iter().cloned());
    knobs
}

fn run(spec: &ExperimentSpec, seed: u64, reporter: &mut Recorder) -> TrialOutcome {
    let objective = MlpObjective::new(spec).unwrap();
    let params = Params::new();
    let ctx = TrialContext {
        trial: TrialId(0),
        seed: Seed(seed),
        params: &params,
    };
    objective.run(&ctx, reporter)
}

fn without_time(reports: &[(Step, Vec<MetricPoint>)]) -> Vec<(Step, Vec<MetricPoint>)> {
    reports
        .iter()
        .map(|(s, m)| {
            (
                *s,
                m.iter()
                    .filter(|p| p.name != "epoch_seconds")
                    .cloned()
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn learns_digits_in_a_few_epochs() {
    let spec = digits_spec(&small(&[]));
    let objective = MlpObjective::new(&spec).unwrap();
    let summary = objective.data_summary();
    assert_eq!(summary.classes, 10);
    assert_eq!(summary.features, 64);
    assert_eq!(
        summary.train_rows + summary.validation_rows + summary.test_rows,
        1797
    );
    let mut reporter = Recorder::default();
    let outcome = run(&spec, 1, &mut reporter);
    let TrialOutcome::Completed {
        result,
        stopped_early: None,
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(reporter.reports.len(), 3);
    assert_eq!(reporter.reports[0].0, Step(1));
    let names: Vec<&str> = reporter.reports[0]
        .1
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "train_loss",
            "val_loss",
            "val_accuracy",
            "val_f1",
            "param_count",
            "epoch_seconds"
        ]
    );
    let accuracy = result.metrics["val_accuracy"];
    assert!(accuracy > 0.85, "chance is 0.1; got {accuracy}");
}

#[test]
fn same_seed_gives_identical_metrics() {
    let spec = digits_spec(&small(&[("optimizer", ParamValue::Str("adamw".into()))]));
    let (mut a, mut b, mut c) = (
        Recorder::default(),
        Recorder::default(),
        Recorder::default(),
    );
    run(&spec, 9, &mut a);
    run(&spec, 9, &mut b);
    run(&spec, 10, &mut c);
    assert_eq!(without_time(&a.reports), without_time(&b.reports));
    assert_ne!(without_time(&a.reports), without_time(&c.reports));
}

#[test]
fn a_huge_learning_rate_fails_as_diverged() {
    // With coupled weight decay, each SGD step multiplies the weights by 1 - lr * l2 = -9,
    // so they overflow within a few dozen steps whatever the data says.
    let spec = digits_spec(&small(&[
        ("optimizer", ParamValue::Str("sgd".into())),
        ("lr", ParamValue::Float(10.0)),
        ("momentum", ParamValue::Float(0.0)),
        ("l2", ParamValue::Float(1.0)),
        ("epochs", ParamValue::Int(20)),
    ]));
    let mut reporter = Recorder::default();
    let outcome = run(&spec, 1, &mut reporter);
    let TrialOutcome::Failed { reason } = outcome else {
        panic!("{outcome:?}");
    };
    let epoch = reporter.reports.len() + 1;
    assert!(epoch <= 3, "{reason}");
    assert_eq!(reason, format!("diverged at epoch {epoch}"));
}

#[test]
fn prune_stops_training() {
    let spec = digits_spec(&small(&[("epochs", ParamValue::Int(5))]));
    let mut reporter = Recorder {
        prune_at: Some(Step(2)),
        ..Recorder::default()
    };
    let outcome = run(&spec, 1, &mut reporter);
    assert_eq!(reporter.reports.len(), 2);
    let TrialOutcome::Pruned {
        at,
        result: Some(result),
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(at, Step(2));
    assert!(result.best_step <= Step(2));
}

#[test]
fn early_stopping_ends_a_stalled_trial() {
    let mut spec = digits_spec(&small(&[
        ("lr", ParamValue::Float(1e-12)),
        ("epochs", ParamValue::Int(10)),
    ]));
    spec.early_stopping = Some(EarlyStopping {
        metric: "val_loss".to_string(),
        patience: 2,
        min_delta: 0.01,
    });
    let mut reporter = Recorder::default();
    let outcome = run(&spec, 1, &mut reporter);
    let TrialOutcome::Completed {
        result,
        stopped_early,
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        stopped_early,
        Some(Step(3)),
        "epoch 1 sets the bar; 2 and 3 miss it"
    );
    assert_eq!(reporter.reports.len(), 3);
    assert_eq!(result.metrics.len(), 6);
}

#[test]
fn bad_parameters_fail_the_trial() {
    let spec = digits_spec(&small(&[]));
    let objective = MlpObjective::new(&spec).unwrap();
    let mut params = Params::new();
    params.insert("dropout".into(), ParamValue::Float(1.5));
    let ctx = TrialContext {
        trial: TrialId(3),
        seed: Seed(1),
        params: &params,
    };
    let outcome = objective.run(&ctx, &mut Recorder::default());
    let TrialOutcome::Failed { reason } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(reason.contains("dropout"), "{reason}");
}

#[test]
fn a_model_too_large_to_build_fails_its_trial_before_allocating() {
    // 65,536 units in two layers: 4.3 billion weights, 69 GB with Adam's state (the
    // allocation failed and aborted the process).
    let spec = digits_spec(&[("epochs", ParamValue::Int(1))]);
    let objective = MlpObjective::new(&spec).unwrap();
    let mut params = Params::new();
    params.insert("hidden".into(), ParamValue::Int(65_536));
    params.insert("depth".into(), ParamValue::Int(2));
    let outcome = run_params(&objective, &params, 1).0;
    let TrialOutcome::Failed { reason } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(
        reason.contains(
            "the model would have 4299948042 trained values (about 64 GiB with their \
                 gradients and the optimizer's state), past the 200000000 this trainer builds"
        ),
        "{reason}"
    );
}

#[test]
fn missing_data_is_a_located_error() {
    let mut spec = digits_spec(&[]);
    spec.data.csv.value = PathBuf::from("nowhere.csv");
    let err = MlpObjective::new(&spec).unwrap_err();
    assert!(
        err.to_string()
            .contains("digits.yaml:4:8: data.csv: cannot read `nowhere.csv`"),
        "{err}"
    );
}

fn run_params(
    objective: &MlpObjective,
    params: &Params,
    seed: u64,
) -> (TrialOutcome, Vec<(Step, Vec<MetricPoint>)>) {
    let ctx = TrialContext {
        trial: TrialId(0),
        seed: Seed(seed),
        params,
    };
    let mut reporter = Recorder::default();
    let outcome = objective.run(&ctx, &mut reporter);
    (outcome, reporter.reports)
}

#[test]
fn a_checkpoint_that_cannot_be_written_aborts_the_trial_rather_than_failing_it() {
    let spec = digits_spec(&[("epochs", ParamValue::Int(1))]);
    // A file where the checkpoint folder goes: as a full disk, the write is refused.
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("checkpoints");
    std::fs::write(&blocked, "").unwrap();
    let objective = MlpObjective::with_checkpoints(&spec, &blocked, None).unwrap();
    match run_params(&objective, &Params::new(), 1).0 {
        TrialOutcome::Aborted { reason } => {
            assert!(reason.contains("checkpoints"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no part-written file beside it");
}

fn completed(outcome: TrialOutcome) -> experiment::TrialResult {
    match outcome {
        TrialOutcome::Completed { result, .. } => result,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_regression_target_trains_on_mse_and_reports_r2() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("line.csv");
    // y = 3a - 2b + 10 plus a little deterministic wobble, on 200 rows.
    let rows: String = (0..200)
        .map(|i| {
            let (a, b) = ((i % 17) as f64 / 4.0, (i % 23) as f64 / 5.0);
            let wobble = ((i * 7919) % 11) as f64 / 100.0;
            format!("{a},{b},{}\n", 3.0 * a - 2.0 * b + 10.0 + wobble)
        })
        .collect();
    std::fs::write(&csv, format!("a,b,y\n{rows}")).unwrap();
    let yaml = format!(
        "name: line\ndata: {{csv: '{}', target: y}}\nmetric: {{name: val_r2}}\n\
             model: {{hidden: 16}}\ntrain: {{epochs: 30, lr: 0.01}}\n",
        csv.display()
    );
    let spec = ExperimentSpec::from_yaml_str(&yaml, Path::new("line.yaml")).unwrap();
    let objective = MlpObjective::new(&spec).unwrap();
    assert_eq!(objective.data_summary().task, Task::Regression);
    let (outcome, reports) = run_params(&objective, &Params::new(), 1);
    let names: Vec<&str> = reports[0].1.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "train_loss",
            "val_loss",
            "val_rmse",
            "val_mae",
            "val_r2",
            "param_count",
            "epoch_seconds"
        ]
    );
    let size = reports[0].1.iter().find(|p| p.name == "param_count");
    // Two inputs, one hidden layer of 16, one output: 2*16 + 16 + 16*1 + 1.
    assert_eq!(size.map(|p| p.value), Some(65.0));
    let result = completed(outcome);
    assert!(result.metrics["val_r2"] > 0.95, "{:?}", result.metrics);
    assert!(result.metrics["val_rmse"] < 1.0, "{:?}", result.metrics);
}

#[test]
fn binary_classification_reports_f1_and_roc_auc() {
    let spec = parse(
        "name: bc\ndata: {csv: data/breast_cancer.csv, target: diagnosis}\n\
             metric: {name: val_roc_auc}\ntrain: {epochs: 3}\n",
        "bc.yaml",
    );
    let objective = MlpObjective::new(&spec).unwrap();
    let result = completed(run_params(&objective, &Params::new(), 1).0);
    assert!(result.metrics["val_roc_auc"] > 0.95, "{:?}", result.metrics);
    assert!(result.metrics["val_f1"] > 0.8, "{:?}", result.metrics);
}

#[test]
fn a_target_of_decimal_commas_read_as_classes_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("comma.csv");
    let rows: String = (0..30).map(|i| format!("{i};{},5\n", i % 3)).collect();
    std::fs::write(&csv, format!("x;t\n{rows}")).unwrap();
    let spec = parse(
        &format!(
            "name: c\ndata: {{csv: {}, target: t}}\nmetric: {{name: val_rmse}}\n",
            csv.display()
        ),
        "c.yaml",
    );
    let err = MlpObjective::new(&spec).unwrap_err().to_string();
    assert!(
        err.contains(
            "`val_rmse` is not a metric of classification, the task of target `t` (its \
                 values are read as text, such as `0,5`: numbers with a decimal comma? write \
                 them with a decimal point); set data.task"
        ),
        "{err}"
    );
}

#[test]
fn a_metric_the_task_does_not_report_is_an_error() {
    let mut spec = digits_spec(&[]);
    spec.metric.name = "val_rmse".into();
    let err = MlpObjective::new(&spec).unwrap_err().to_string();
    assert!(
        err.contains("metric.name: `val_rmse` is not a metric of classification"),
        "{err}"
    );
    // Located in the spec file, at the metric's name, naming the data.
    let at = &spec.metric_locations["metric.name"];
    assert_eq!((at.line, at.column), (6, 16));
    assert!(
        err.starts_with(&format!(
            "{}:{}:{}: ",
            at.file.display(),
            at.line,
            at.column
        )) && err.ends_with(&format!("(data {})", spec.data.csv.value.display())),
        "{err}"
    );
    spec.metric.name = "val_roc_auc".into();
    let err = MlpObjective::new(&spec).unwrap_err().to_string();
    assert!(
        err.contains("needs two classes; the target `digit` has 10"),
        "{err}"
    );
    // ROC AUC with a class absent from the validation split would be NaN for every trial.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rare.csv");
    let rows: String = (0..200)
        .map(|i| format!("{i},{}\n", if i < 2 { "pos" } else { "neg" }))
        .collect();
    std::fs::write(&csv, format!("x,label\n{rows}")).unwrap();
    let rare = parse(
        &format!(
            "name: r\ndata: {{csv: {}, target: label}}\nmetric: {{name: val_roc_auc}}\n",
            csv.display()
        ),
        "r.yaml",
    );
    let err = MlpObjective::new(&rare).unwrap_err().to_string();
    assert!(
        err.contains(
            "`val_roc_auc` needs both classes in the validation split, which has no row of \
                 `pos`"
        ),
        "{err}"
    );
    // So would the F1 of the second class, `pos`, be 0 for every trial.
    let mut f1 = rare.clone();
    f1.metric.name = "val_f1".into();
    let err = MlpObjective::new(&f1).unwrap_err().to_string();
    assert!(
        err.contains(
            "`val_f1` needs the class it scores (the second in sorted order) in the \
                 validation split, which has no row of `pos`"
        ),
        "{err}"
    );
    // R² of a validation split whose targets are all one value is NaN for every trial.
    let flat = dir.path().join("flat.csv");
    let rows: String = (0..5).map(|i| format!("{i},{}\n", 7 + i / 4)).collect();
    std::fs::write(&flat, format!("x,t\n{rows}")).unwrap();
    let r2 = parse(
        &format!(
            "name: r2\ndata: {{csv: {}, target: t, task: regression, split: {{validation: \
                 0.2, test: 0.2}}}}\nmetric: {{name: val_r2}}\n",
            flat.display()
        ),
        "r2.yaml",
    );
    let err = MlpObjective::new(&r2).unwrap_err().to_string();
    assert!(
        err.contains(
            "metric.name: `val_r2` needs at least two different targets in the validation \
                 split, which has 1 row"
        ),
        "{err}"
    );
    // A gate guarding one is refused before it trains anything.
    let gated = parse(
        "name: g\ndata: {csv: data/digits.csv, target: digit}\nmetric: {name: val_accuracy}\n\
             gate: {baseline: b.json, max_regression_abs: 0.01, metrics: {val_accuracy: \
             {aggregate: best}, val_rmse: {aggregate: best}}}\n",
        "g.yaml",
    );
    let err = MlpObjective::new(&gated).unwrap_err().to_string();
    assert!(
        err.contains("gate.metrics.val_rmse: `val_rmse` is not a metric of classification"),
        "{err}"
    );
}

#[test]
fn a_small_cnn_learns_digits() {
    let spec = parse(
        "name: cnn\nseed: 3\n\
             data: {csv: data/digits.csv, target: digit, image: {height: 8, width: 8}}\n\
             metric: {name: val_accuracy}\n\
             model: {kind: cnn, channels: 4, conv_layers: 2, hidden: 32}\n\
             train: {epochs: 2, lr: 0.003, batch_size: 32}\n",
        "cnn.yaml",
    );
    let objective = MlpObjective::new(&spec).unwrap();
    let result = completed(run_params(&objective, &Params::new(), 1).0);
    assert!(result.metrics["val_accuracy"] > 0.7, "{:?}", result.metrics);
}

/// A trial's checkpoint holds its best epoch: testing from it gives exactly what training
/// the trial again to that epoch gives.
#[test]
fn test_metrics_from_a_checkpoint_match_retraining() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = digits_spec(&small(&[("layer_norm", ParamValue::Bool(true))]));
    spec.checkpoints.keep = 1;
    let with = MlpObjective::with_checkpoints(&spec, dir.path(), None).unwrap();
    let params = Params::from([("lr".to_string(), ParamValue::Float(0.02))]);
    let result = completed(run_params(&with, &params, 4).0);
    let saved = dir.path().join("0.json");
    assert!(saved.is_file());
    let trial = Trial {
        id: TrialId(0),
        seed: Seed(4),
        params,
        state: TrialState::Completed,
        reason: None,
        started: None,
        finished: None,
        result: Some(result),
    };
    let from_checkpoint = with.evaluate_test(&trial).unwrap();
    let without = MlpObjective::new(&spec).unwrap();
    let retrained = without.evaluate_test(&trial).unwrap();
    assert_eq!(from_checkpoint, retrained);
    let names: Vec<&str> = retrained.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["test_loss", "test_accuracy", "test_f1"]);
    assert!(retrained[1].value > 0.8, "{retrained:?}");
    // A checkpoint lost (its store's folder emptied) comes back from the retraining, the
    // same bytes, for `sweep predict` and the other agents.
    let files = ["0.json", "0.safetensors"].map(|f| dir.path().join(f));
    let before = files.clone().map(|f| std::fs::read(f).unwrap());
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let again = MlpObjective::with_checkpoints(&spec, dir.path(), None).unwrap();
    assert_eq!(again.evaluate_test(&trial).unwrap(), retrained);
    assert_eq!(files.map(|f| std::fs::read(f).unwrap()), before);
}
