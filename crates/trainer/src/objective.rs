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

mod drawn_models;

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
    /// One note per numeric column whose values single precision reads with a loss (a large
    /// offset against their spread, or values that turn to 0) and `normalize: none` leaves so,
    /// naming it and what to do.
    pub lossy_columns: Vec<String>,
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
                let values = &data.validation.targets;
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

    /// Returns why every trial would fail at its start with a model (or a pass's activations)
    /// past what the trainer builds: for `sweep validate` to say before anything trains. The
    /// knobs that decide the model's size are judged as the model block fixes them, a constant
    /// parameter (`value:`) gives them, or the space draws them (every model it can draw too
    /// large, then: `drawn_models`). `None` otherwise, and when a size knob is drawn from a
    /// distribution the judgment does not cover.
    #[must_use]
    pub fn fixed_model_problem(&self, space: &experiment::SearchSpace) -> Option<String> {
        match drawn_models::too_large(&self.data, self.kind, &self.fixed, space)? {
            drawn_models::TooLarge::Every(why) => Some(why),
            drawn_models::TooLarge::Some(_) => None,
        }
    }

    /// Returns the note that some trials, not all, will fail at their start with a model too
    /// large, naming the knobs' values of one that fails and of one that builds: for `sweep
    /// validate`. `None` when every model builds, every one fails (`fixed_model_problem`), or
    /// the space is not judged (a size knob searched under a `when:` condition, or drawn from a
    /// distribution other than a constant, a list or an integer range).
    #[must_use]
    pub fn drawn_model_problem(&self, space: &experiment::SearchSpace) -> Option<String> {
        match drawn_models::too_large(&self.data, self.kind, &self.fixed, space)? {
            drawn_models::TooLarge::Some(note) => Some(note),
            drawn_models::TooLarge::Every(_) => None,
        }
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
            lossy_columns: self.data.lossy.clone(),
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
                let thread = TrialThread::new()?;
                let dev = dfdx::tensor::Cpu::default();
                let outputs =
                    thread.install(|| train::outputs(&dev, &net, &self.data.test.features))?;
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
            (Task::Regression, Some(scale)) => {
                metrics::regression(outputs, &test.values, &test.targets, scale)
            }
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
            let _epoch = trial::epoch_span(n).entered();
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
mod tests;
