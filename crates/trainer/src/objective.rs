//! `MlpObjective`: the `experiment::Objective` that trains an MLP on the experiment's data.
//!
//! The data is loaded, split and normalized once, when the objective is built; trials only read
//! it, so one objective serves trials running side by side. Each trial runs on its own
//! single-thread rayon pool: dfdx's CPU matmul asks rayon how many threads it may use, and
//! trials running in parallel must not each try to use every core.

use std::fmt;

use experiment::{
    EarlyStopping, ExperimentSpec, Hyperparams, MetricSpec, Objective, Params, Reporter,
    TrialContext, TrialOutcome,
};

use crate::device;
use crate::prep::{self, Prepared};
use crate::train::Trainer;
use crate::trial::{self, Goals};
use crate::Result;

/// Trains a multilayer perceptron per trial on data prepared once per experiment.
pub struct MlpObjective {
    data: Prepared,
    fixed: Params,
    metric: MetricSpec,
    early_stopping: Option<EarlyStopping>,
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
    /// Number of classes.
    pub classes: usize,
    /// Class names, in class-number order.
    pub class_names: Vec<String>,
}

impl MlpObjective {
    /// Loads, splits and normalizes the experiment's data.
    ///
    /// Returns an error, located in the spec file where it can be, when the CSV file cannot be
    /// read, lacks the target column, has a malformed cell, or is too small to split.
    pub fn new(spec: &ExperimentSpec) -> Result<MlpObjective> {
        let data = prep::prepare(&spec.data, spec.seed)?;
        tracing::debug!(
            train = data.train.labels.len(),
            validation = data.validation.labels.len(),
            test = data.test.labels.len(),
            features = data.feature_names.len(),
            classes = data.class_names.len(),
            "data prepared"
        );
        Ok(MlpObjective {
            data,
            fixed: spec.fixed.clone(),
            metric: spec.metric.clone(),
            early_stopping: spec.early_stopping.clone(),
        })
    }

    /// Returns the number of rows per split, features and classes.
    pub fn data_summary(&self) -> DataSummary {
        DataSummary {
            train_rows: self.data.train.labels.len(),
            validation_rows: self.data.validation.labels.len(),
            test_rows: self.data.test.labels.len(),
            features: self.data.feature_names.len(),
            classes: self.data.class_names.len(),
            class_names: self.data.class_names.clone(),
        }
    }

    fn run_trial(
        &self,
        hp: &Hyperparams,
        ctx: &TrialContext<'_>,
        reporter: &mut dyn Reporter,
    ) -> Result<TrialOutcome> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
        let mut trainer = Trainer::new(device::new_device(ctx.seed), &self.data, hp, ctx.seed)?;
        let goals = Goals {
            metric: &self.metric,
            early_stopping: self.early_stopping.as_ref(),
        };
        let span = tracing::Span::current();
        trial::drive(hp.epochs, goals, reporter, || {
            pool.install(|| {
                let _entered = span.enter();
                trainer.run_epoch()
            })
        })
    }
}

impl Objective for MlpObjective {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let hp = match Hyperparams::resolve(&self.fixed, ctx.params) {
            Ok(hp) => hp,
            Err(reason) => return TrialOutcome::Failed { reason },
        };
        self.run_trial(&hp, ctx, reporter)
            .unwrap_or_else(|e| TrialOutcome::Failed {
                reason: e.to_string(),
            })
    }
}

impl fmt::Debug for MlpObjective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlpObjective")
            .field("data", &self.data_summary())
            .field("metric", &self.metric)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use experiment::{
        Control, DataSpec, Direction, Located, Location, Method, MetricPoint, ModelKind, ModelSpec,
        Normalize, ParamValue, SearchSpace, Seed, SplitSpec, Step, TrialId,
    };

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

    fn digits_spec(fixed: &[(&str, ParamValue)]) -> ExperimentSpec {
        let at = |line| Location {
            file: PathBuf::from("digits.yaml"),
            line,
            column: 3,
        };
        let csv =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/data/digits.csv");
        ExperimentSpec {
            name: "digits-test".to_string(),
            description: String::new(),
            seed: Seed(42),
            method: Method::Random,
            run_cap: 1,
            parallel: Some(1),
            metric: MetricSpec {
                name: "val_accuracy".to_string(),
                goal: Direction::Maximize,
            },
            data: DataSpec {
                csv: Located {
                    value: csv,
                    location: at(4),
                },
                target: Located {
                    value: "digit".to_string(),
                    location: at(5),
                },
                split: SplitSpec {
                    validation: 0.2,
                    test: 0.2,
                    stratify: true,
                },
                normalize: Normalize::Standard,
                task: None,
                image: None,
                format: experiment::DataFormat::Csv,
            },
            model: ModelSpec {
                kind: ModelKind::Mlp,
            },
            early_stopping: None,
            fixed: fixed
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            space: SearchSpace::default(),
            device: experiment::DeviceChoice::Cpu,
            checkpoints: experiment::CheckpointSpec { keep: 5 },
            source: String::new(),
        }
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
            ["train_loss", "val_loss", "val_accuracy", "epoch_seconds"]
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
        assert_eq!(result.metrics.len(), 4);
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
    fn missing_data_is_a_located_error() {
        let mut spec = digits_spec(&[]);
        spec.data.csv.value = PathBuf::from("nowhere.csv");
        let err = MlpObjective::new(&spec).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("digits.yaml:4:3: data.csv: cannot read `nowhere.csv`"),
            "{err}"
        );
    }
}
