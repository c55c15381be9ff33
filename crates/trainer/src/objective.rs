//! `MlpObjective`: the `experiment::Objective` that trains a model (an MLP, or a CNN for
//! images) on the experiment's data.
//!
//! The data is loaded, split and normalized once, when the objective is built; trials only read
//! it, so one objective serves trials running side by side. Each trial runs on its own
//! single-thread rayon pool: dfdx's CPU matmul asks rayon how many threads it may use, and
//! trials running in parallel must not each try to use every core.
//!
//! With checkpoints (`with_checkpoints`), each trial's best epoch is saved and the best
//! `checkpoints.keep` are kept (`checkpoint.rs`). `evaluate_test` measures a finished trial once
//! on the test split, from its checkpoint or, without one, by training it again to its best
//! epoch, which gives the same weights on the CPU.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use experiment::{
    DeviceChoice, EarlyStopping, ExperimentSpec, Hyperparams, MetricPoint, MetricSpec, ModelKind,
    Objective, Params, Reporter, Seed, Step, Task, Trial, TrialContext, TrialId, TrialOutcome,
    TrialResult, TrialState, TEST_METRIC_PREFIX,
};

use crate::checkpoint::{self, CheckpointV1, Keeper, TrialMark};
use crate::device::{self, OnDevice};
use crate::kernels::Kernels;
use crate::model::HostTensor;
use crate::prep::{self, Prepared};
use crate::train::{self, Trainer, TrialThread};
use crate::trial::{self, Goals};
use crate::{metrics, Error, Result};

/// Trains a model per trial on data prepared once per experiment.
pub struct MlpObjective {
    data: Prepared,
    experiment: String,
    target: String,
    kind: ModelKind,
    device: DeviceChoice,
    fixed: Params,
    metric: MetricSpec,
    early_stopping: Option<EarlyStopping>,
    checkpoints: Option<Keeper>,
}

/// The shape of the prepared data, for logs and listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSummary {
    /// Rows in the training split.
    pub train_rows: usize,
    /// Rows in the validation split.
    pub validation_rows: usize,
    /// Rows in the test split.
    pub test_rows: usize,
    /// Feature columns.
    pub features: usize,
    /// Classification or regression, as given or inferred.
    pub task: Task,
    /// Number of classes; 0 for regression.
    pub classes: usize,
    /// Class names, in class-number order.
    pub class_names: Vec<String>,
    /// Rows of the file left out for a missing value (`data.missing: drop`), or for a missing
    /// label (`mean`, `median`).
    pub dropped_rows: usize,
    /// Missing feature cells filled in from the training split (`data.missing: mean`,
    /// `median`).
    pub filled_cells: usize,
    /// Each categorical column (`data.categorical`) with its categories, in sorted order, each
    /// one of `features`.
    pub categorical: Vec<(String, Vec<String>)>,
    /// Missing cells of categorical columns, which set no indicator (`data.missing: mean`,
    /// `median`).
    pub missing_categories: usize,
    /// The separator the CSV file was read with when not a comma (`;`, a tab or `|`).
    pub separator: Option<char>,
}

impl MlpObjective {
    /// Loads, splits and normalizes the experiment's data, and checks that the spec suits it.
    ///
    /// Returns an error, located in the spec file where it can be, when the CSV file cannot be
    /// read, lacks the target column, has a malformed cell, or is too small to split; when the
    /// objective or early-stopping metric is not one the task reports; when a CNN has no image
    /// data; or when the spec asks for CUDA in a build without it.
    pub fn new(spec: &ExperimentSpec) -> Result<MlpObjective> {
        device::check(spec.device)?;
        let data = prep::prepare(&spec.data, spec.seed)?;
        tracing::debug!(
            train = data.train.len(),
            validation = data.validation.len(),
            test = data.test.len(),
            features = data.feature_names.len(),
            classes = data.class_names.len(),
            task = data.task.as_str(),
            "data prepared"
        );
        // Located at the metric's name when the spec knows where it is written, else at the
        // target, which decides the task (and its classes); naming the data.
        let csv = spec.data.csv.value.display().to_string();
        let unsuited = |field: &str, message: String| Error::UnsuitedSpec {
            location: spec
                .metric_locations
                .get(field)
                .unwrap_or(&spec.data.target.location)
                .clone(),
            message: format!("{message} (data {csv})"),
        };
        let field = |i: usize| {
            if spec.is_multi_objective() {
                format!("metric[{i}].name")
            } else {
                "metric.name".to_string()
            }
        };
        let mut metrics = vec![(field(0), spec.metric.name.as_str())];
        for (i, o) in spec.more_objectives.iter().enumerate() {
            metrics.push((field(i + 1), o.name.as_str()));
        }
        if let Some(es) = &spec.early_stopping {
            metrics.push(("train.early_stopping.metric".into(), es.metric.as_str()));
        }
        for c in &spec.constraints {
            metrics.push((format!("constraints.{}", c.metric), c.metric.as_str()));
        }
        // The gate's: a metric the task never reports would be found missing only after the
        // gate trained every repeat.
        for g in spec.gate.iter().flat_map(|g| &g.metrics) {
            if !g.name.starts_with(TEST_METRIC_PREFIX) {
                metrics.push((format!("gate.metrics.{}", g.name), g.name.as_str()));
            }
        }
        for (field, name) in metrics {
            if !data.task.reports(name) {
                // Numbers with a decimal comma are read as classes, which is why the task is
                // not the one the metric wants.
                let comma = data
                    .class_names
                    .iter()
                    .find(|c| experiment::decimal_comma(c).is_some())
                    .map(|c| {
                        format!(
                            " (its values are read as text, such as `{c}`: numbers with a \
                             decimal comma? write them with a decimal point)"
                        )
                    })
                    .unwrap_or_default();
                return Err(unsuited(
                    &field,
                    format!(
                        "{field}: `{name}` is not a metric of {}, the task of target `{}`\
                         {comma}; set data.task or choose another metric",
                        data.task, spec.data.target.value
                    ),
                ));
            }
            if name == "val_roc_auc" && data.class_names.len() != 2 {
                return Err(unsuited(
                    &field,
                    format!(
                        "{field}: `val_roc_auc` needs two classes; the target `{}` has {}",
                        spec.data.target.value,
                        data.class_names.len()
                    ),
                ));
            }
            // Else every trial's value would be NaN (ROC AUC) or 0 (F1 of a class with no
            // row), and no trial could be told from another. (Two classes for ROC AUC here: the
            // check above.)
            let absent = match name {
                "val_roc_auc" => (0..2)
                    .find(|class| !data.validation.labels.contains(class))
                    .map(|class| (class, "both classes")),
                "val_f1" if data.class_names.len() == 2 => (!data.validation.labels.contains(&1))
                    .then_some((1, "the class it scores (the second in sorted order)")),
                _ => None,
            };
            // R² divides by the spread of the validation targets: none, and every trial's
            // value is NaN.
            if name == "val_r2" {
                let values = &data.validation.values;
                if values.iter().all(|v| Some(v) == values.first()) {
                    return Err(unsuited(
                        &field,
                        format!(
                            "{field}: `val_r2` needs at least two different targets in the \
                             validation split, which has {}; give data.split.validation a \
                             larger share, or choose another metric (`val_rmse`)",
                            experiment::counted(values.len() as u64, "row", "rows")
                        ),
                    ));
                }
            }
            if let Some((class, needs)) = absent {
                return Err(unsuited(
                    &field,
                    format!(
                    "{field}: `{name}` needs {needs} in the validation split, which has no row \
                     of `{}` ({} rows); give data.split.validation a larger share, or choose \
                     another metric",
                    data.class_names[class],
                    data.validation.labels.len()
                ),
                ));
            }
        }
        if spec.model.kind == ModelKind::Cnn && data.image.is_none() {
            return Err(Error::UnsuitedSpec {
                location: spec.data.csv.location.clone(),
                message: format!("model.kind: a cnn needs images: give `data.image` for {csv}"),
            });
        }
        Ok(MlpObjective {
            data,
            experiment: spec.name.clone(),
            target: spec.data.target.value.clone(),
            kind: spec.model.kind,
            device: spec.device,
            fixed: spec.fixed.clone(),
            metric: spec.metric.clone(),
            early_stopping: spec.early_stopping.clone(),
            checkpoints: None,
        })
    }

    /// Returns why every trial would fail at its start, when the model's size and batch are
    /// fixed (`hidden`, `depth`, `channels`, `conv_layers` and `batch_size` none of them
    /// searched in `space`) and past what the trainer builds: for `sweep validate` to say
    /// before anything trains. `None` otherwise.
    #[must_use]
    pub fn fixed_model_problem(&self, space: &experiment::SearchSpace) -> Option<String> {
        const SIZES: [&str; 5] = ["hidden", "depth", "channels", "conv_layers", "batch_size"];
        if SIZES.iter().any(|k| space.param(k).is_some()) {
            return None;
        }
        let hp = Hyperparams::resolve(&self.fixed, &Params::new()).ok()?;
        crate::train::check_model(&self.data, self.kind, &hp)
            .err()
            .map(|e| e.to_string())
    }

    /// Like `new`, and saves each trial's best epoch in the folder `dir` (the store's
    /// `store::checkpoint_dir` for the experiment),
    /// keeping the best `spec.checkpoints.keep` trials' checkpoints: of this agent's trials
    /// under agents (`agent`: this agent's number and the count, as `--agent I/N`).
    pub fn with_checkpoints(
        spec: &ExperimentSpec,
        dir: &Path,
        agent: Option<(u32, u32)>,
    ) -> Result<MlpObjective> {
        let mut objective = MlpObjective::new(spec)?;
        objective.keep_checkpoints_in(spec, dir, agent)?;
        Ok(objective)
    }

    /// Saves each trial's best epoch in the folder `dir` from now on, as `with_checkpoints`
    /// does, in place of any folder before: for runs of one spec's data into other
    /// experiments (the gate's repeats), without preparing the data again.
    pub fn keep_checkpoints_in(
        &mut self,
        spec: &ExperimentSpec,
        dir: &Path,
        agent: Option<(u32, u32)>,
    ) -> Result<()> {
        let keep = usize::try_from(spec.checkpoints.keep).unwrap_or(usize::MAX);
        self.checkpoints = match keep {
            0 => None,
            keep => Some(Keeper::open(
                dir.to_path_buf(),
                keep,
                &spec.objectives(),
                &spec.constraints,
                agent,
            )?),
        };
        Ok(())
    }

    /// Returns the number of rows per split, features and classes.
    pub fn data_summary(&self) -> DataSummary {
        DataSummary {
            train_rows: self.data.train.len(),
            validation_rows: self.data.validation.len(),
            test_rows: self.data.test.len(),
            features: self.data.feature_names.len(),
            task: self.data.task,
            classes: self.data.class_names.len(),
            class_names: self.data.class_names.clone(),
            dropped_rows: self.data.dropped_rows,
            filled_cells: self.data.filled_cells,
            categorical: self
                .data
                .categories
                .iter()
                .map(|c| (c.column.clone(), c.values.clone()))
                .collect(),
            missing_categories: self.data.missing_categories,
            separator: self.data.separator,
        }
    }

    /// Measures a finished trial once on the test split: `test_loss` and the task's metrics
    /// (`test_accuracy`, ...), from the trial's checkpoint when there is one, otherwise by
    /// training the trial again to its best epoch.
    ///
    /// Returns an error when the test split is empty, the trial has no result, or training or
    /// loading fails. Test metrics are for reporting: they never choose between trials.
    pub(crate) fn evaluate_test(&self, trial: &Trial) -> Result<Vec<MetricPoint>> {
        let unsuited = |message: String| Error::Unsuited {
            path: PathBuf::from(&self.experiment),
            message,
        };
        if self.data.test.len() == 0 {
            return Err(unsuited(
                "the test split is empty (data.split.test is 0, or a share of the rows that \
                 rounds to none)"
                    .into(),
            ));
        }
        let Some(result) = &trial.result else {
            return Err(unsuited(format!(
                "trial {} has no result to test",
                trial.id
            )));
        };
        let saved = self
            .checkpoints
            .as_ref()
            .map(|k| k.sidecar(trial.id))
            .filter(|path| path.is_file());
        let scores = match saved {
            Some(path) => {
                let (_, net) = checkpoint::load(&path)?;
                // On one thread, as in training, so that the sums run in the same order.
                let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
                let dev = dfdx::tensor::Cpu::default();
                let outputs =
                    pool.install(|| train::outputs(&dev, &net, &self.data.test.features))?;
                self.scores(&outputs)
            }
            None => {
                let hp = Hyperparams::resolve(&self.fixed, &trial.params).map_err(unsuited)?;
                let job = Retrain {
                    objective: self,
                    hp,
                    seed: trial.seed,
                    epochs: result.best_step.0,
                };
                let (scores, weights) = device::with_device(self.device, trial.seed, job)??;
                // The same training gives the same weights: a checkpoint lost (an agent's store,
                // started again empty) comes back, for `sweep predict` and the other agents.
                if let (Some(keeper), Some(weights)) = (&self.checkpoints, weights) {
                    let completed = trial.state == TrialState::Completed;
                    self.keep_checkpoint(
                        keeper,
                        (trial.id, &trial.params),
                        (result, completed),
                        &weights,
                    )?;
                }
                scores
            }
        };
        Ok(scores
            .into_iter()
            .map(|(name, value)| MetricPoint {
                name: format!("{TEST_METRIC_PREFIX}{name}"),
                value,
            })
            .collect())
    }

    /// Returns the scores of `outputs` for the test split.
    fn scores(&self, outputs: &[f32]) -> metrics::Scores {
        let test = &self.data.test;
        match (self.data.task, self.data.target_scale) {
            (Task::Regression, Some(scale)) => metrics::regression(outputs, &test.values, scale),
            _ => metrics::classification(outputs, &test.labels, self.data.class_names.len()),
        }
    }

    fn model_name(&self) -> &'static str {
        match self.kind {
            ModelKind::Mlp => "mlp",
            ModelKind::Cnn => "cnn",
        }
    }
}

/// One trial, run on the device `with_device` creates.
struct TrialJob<'a> {
    objective: &'a MlpObjective,
    hp: Hyperparams,
    ctx: &'a TrialContext<'a>,
    reporter: &'a mut dyn Reporter,
}

impl OnDevice for TrialJob<'_> {
    type Output = Result<TrialOutcome>;

    fn run<D: Kernels>(self, dev: D) -> Result<TrialOutcome> {
        let o = self.objective;
        let thread = TrialThread::new()?;
        let trainer = Trainer::new(dev, &o.data, o.kind, &self.hp, self.ctx.seed)?;
        let trainer = RefCell::new(trainer);
        let goals = Goals {
            metric: &o.metric,
            early_stopping: o.early_stopping.as_ref(),
        };
        let mut best: Option<(Step, Vec<HostTensor>)> = None;
        let outcome = trial::drive(
            self.hp.epochs,
            goals,
            self.reporter,
            || D::run_epoch(&mut trainer.borrow_mut(), &thread),
            |step| {
                if o.checkpoints.is_some() {
                    best = Some((step, trainer.borrow().net.host_params()));
                }
                Ok(())
            },
        )?;
        if let (Some(keeper), Some((step, tensors))) = (&o.checkpoints, best) {
            let (result, completed) = match &outcome {
                TrialOutcome::Completed { result, .. } => (Some(result), true),
                TrialOutcome::Pruned { result, .. } => (result.as_ref(), false),
                TrialOutcome::Failed { .. } | TrialOutcome::Aborted { .. } => (None, false),
            };
            if let Some(result) = result.filter(|r| r.best_step == step) {
                o.keep_checkpoint(
                    keeper,
                    (self.ctx.trial, self.ctx.params),
                    (result, completed),
                    &tensors,
                )?;
            }
        }
        Ok(outcome)
    }
}

impl MlpObjective {
    /// Saves the weights `tensors` of trial `trial` (with its searched `params`) at the best
    /// epoch of its `result`, as `keeper` keeps checkpoints; `completed` says whether the
    /// trial completed (only completed trials compete for the Pareto front).
    fn keep_checkpoint(
        &self,
        keeper: &Keeper,
        (trial, params): (TrialId, &Params),
        (result, completed): (&TrialResult, bool),
        tensors: &[HostTensor],
    ) -> Result<()> {
        let pareto = keeper.pareto_point(&result.metrics, completed);
        let standing = keeper.standing(&result.metrics, completed);
        let mut all = self.fixed.clone();
        all.extend(params.clone());
        let mark = TrialMark {
            experiment: &self.experiment,
            trial,
            epoch: result.best_step.0,
            metric: &self.metric.name,
            value: result
                .metrics
                .get(&self.metric.name)
                .copied()
                .unwrap_or(f64::NAN),
            model: self.model_name(),
            target: &self.target,
            pareto: pareto.as_deref(),
            standing,
        };
        keeper.save(CheckpointV1::new(mark, &all, &self.data), tensors)
    }
}

/// A trial trained again to a given epoch and measured on the test split.
struct Retrain<'a> {
    objective: &'a MlpObjective,
    hp: Hyperparams,
    seed: Seed,
    epochs: u32,
}

impl OnDevice for Retrain<'_> {
    /// The test scores, and the weights where the objective keeps checkpoints.
    type Output = Result<(metrics::Scores, Option<Vec<HostTensor>>)>;

    fn run<D: Kernels>(self, dev: D) -> Self::Output {
        let o = self.objective;
        let thread = TrialThread::new()?;
        let mut trainer = Trainer::new(dev, &o.data, o.kind, &self.hp, self.seed)?;
        for n in 1..=self.epochs {
            let _epoch = tracing::info_span!("epoch", n).entered();
            if let train::EpochEnd::Diverged = D::run_epoch(&mut trainer, &thread)? {
                return Err(Error::Unsuited {
                    path: PathBuf::from(&o.experiment),
                    message: format!("the trial diverged at epoch {n} when trained again"),
                });
            }
        }
        let scores = D::evaluate(&trainer, &o.data.test, &thread)?;
        let weights = o.checkpoints.is_some().then(|| trainer.net.host_params());
        Ok((scores, weights))
    }
}

impl Objective for MlpObjective {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let hp = match Hyperparams::resolve(&self.fixed, ctx.params) {
            Ok(hp) => hp,
            Err(reason) => return TrialOutcome::Failed { reason },
        };
        let job = TrialJob {
            objective: self,
            hp,
            ctx,
            reporter,
        };
        device::with_device(self.device, ctx.seed, job)
            .and_then(|outcome| outcome)
            .unwrap_or_else(|e| match e {
                // Not the trial's doing (a full disk, no thread): the same parameters would
                // have an outcome elsewhere, so none is recorded here.
                Error::Checkpoint { .. } | Error::ThreadPool(_) => TrialOutcome::Aborted {
                    reason: e.to_string(),
                },
                e => TrialOutcome::Failed {
                    reason: e.to_string(),
                },
            })
    }

    fn test(&self, trial: &Trial) -> Option<std::result::Result<BTreeMap<String, f64>, String>> {
        (self.data.test.len() > 0).then(|| {
            self.evaluate_test(trial)
                .map(|points| points.into_iter().map(|p| (p.name, p.value)).collect())
                .map_err(|e| e.to_string())
        })
    }
}

impl fmt::Debug for MlpObjective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlpObjective")
            .field("data", &self.data_summary())
            .field("kind", &self.kind)
            .field("metric", &self.metric)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
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
}
