//! Fixtures of the runner's tests: a toy objective, a clock that ticks, a spec around them.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use experiment::{
    Control, DataSpec, Direction, Distribution, ExperimentSpec, Located, Location, Method,
    MetricPoint, MetricSpec, ModelKind, ModelSpec, Normalize, Objective, Param, Params, Reporter,
    SearchSpace, Seed, SplitSpec, Step, Timestamp, TrialContext, TrialId, TrialOutcome,
    TrialResult,
};
use store::Store;

use crate::{run_study, Clock, Observer, SilentObserver, Stop, StudyOptions, StudySummary};

/// A toy objective: the loss of trial `x = lr` falls towards `(x - 0.3)^2` over 3 steps.
pub(crate) struct Quadratic {
    pub(crate) calls: AtomicU32,
    pub(crate) fail_above: f64,
    /// Milliseconds to sleep per step, by trial number: varies the timing between runs.
    pub(crate) jitter: fn(u32) -> u64,
}

impl Objective for Quadratic {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let x = ctx.params["lr"].as_f64().unwrap_or(f64::NAN);
        if x > self.fail_above {
            return TrialOutcome::Failed {
                reason: "diverged at epoch 1".into(),
            };
        }
        let mut best = None;
        for step in 1..=3u32 {
            std::thread::sleep(std::time::Duration::from_millis((self.jitter)(ctx.trial.0)));
            let loss = (x - 0.3).powi(2) + 1.0 / f64::from(step);
            let points = [MetricPoint {
                name: "val_loss".into(),
                value: loss,
            }];
            best = Some(TrialResult {
                best_step: Step(step),
                metrics: [("val_loss".to_string(), loss)].into(),
            });
            if reporter.report(Step(step), &points) == Control::Prune {
                return TrialOutcome::Pruned {
                    at: Step(step),
                    result: best,
                };
            }
        }
        TrialOutcome::Completed {
            result: best.unwrap_or(TrialResult {
                best_step: Step(0),
                metrics: Default::default(),
            }),
            stopped_early: None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct TickClock(pub(crate) AtomicI64);

impl Clock for TickClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.fetch_add(1, Ordering::SeqCst))
    }
}

pub(crate) fn spec(run_cap: u32, source: &str) -> ExperimentSpec {
    let location = Location {
        file: PathBuf::from("toy.yaml"),
        line: 1,
        column: 1,
    };
    ExperimentSpec {
        name: "toy".into(),
        description: String::new(),
        seed: Seed(3),
        method: Method::Random,
        pruner: experiment::PrunerSpec::None,
        run_cap,
        parallel: None,
        metric: MetricSpec {
            name: "val_loss".into(),
            goal: Direction::Minimize,
        },
        more_objectives: Vec::new(),
        target: None,
        plateau: None,
        constraints: Vec::new(),
        data: DataSpec {
            csv: Located {
                value: PathBuf::from("none.csv"),
                location: location.clone(),
            },
            target: Located {
                value: "y".into(),
                location,
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
            missing: experiment::MissingValues::Error,
            categorical: Vec::new(),
            exclude: Vec::new(),
        },
        model: ModelSpec {
            kind: ModelKind::Mlp,
        },
        early_stopping: None,
        fixed: Params::new(),
        space: SearchSpace::new(vec![Param {
            condition: None,
            name: "lr".into(),
            distribution: Distribution::Uniform { min: 0.0, max: 1.0 },
        }]),
        device: experiment::DeviceChoice::Cpu,
        checkpoints: experiment::CheckpointSpec { keep: 5 },
        gate: None,
        enqueue: Vec::new(),
        warm_start: None,
        wandb_hyperband: None,
        metric_locations: std::collections::BTreeMap::new(),
        source: source.into(),
    }
}

/// A warm start from the file `runs/past.csv`, named at `toy.yaml:9:18`; the caller reads the
/// file (`StudyOptions::warm_file`).
pub(crate) fn warm_from_file() -> experiment::WarmStart {
    experiment::WarmStart {
        source: experiment::WarmSource::Csv(experiment::Located {
            value: "runs/past.csv".into(),
            location: experiment::Location {
                file: "toy.yaml".into(),
                line: 9,
                column: 18,
            },
        }),
        trials: None,
    }
}

pub(crate) fn options(parallel: usize) -> StudyOptions {
    StudyOptions {
        spec_path: "toy.yaml".into(),
        parallel,
        run_cap: None,
        extend: None,
        record: None,
        stop: Stop::default(),
        agent: None,
        warm_file: None,
    }
}

pub(crate) fn quadratic(fail_above: f64) -> Quadratic {
    Quadratic {
        calls: AtomicU32::new(0),
        fail_above,
        jitter: |_| 0,
    }
}

pub(crate) fn run(
    store: &Store,
    spec: &ExperimentSpec,
    objective: &dyn Objective,
    parallel: usize,
) -> StudySummary {
    let clock = TickClock(AtomicI64::new(0));
    run_study(
        store,
        spec,
        objective,
        &SilentObserver,
        &clock,
        &options(parallel),
    )
    .unwrap()
}

pub(crate) fn values(summary: &StudySummary) -> Vec<(u32, Option<f64>)> {
    summary
        .trials
        .iter()
        .map(|t| (t.id.0, t.value("val_loss")))
        .collect()
}

/// Asks the study to stop when trial `at` reports `step`, as a Ctrl-C at that moment would,
/// or with `close`, to start no new trial, as a time limit passing then would.
pub(crate) struct StopAt {
    pub(crate) at: TrialId,
    pub(crate) step: Step,
    pub(crate) stop: Stop,
    pub(crate) close: bool,
}

impl Observer for StopAt {
    fn trial_reported(&self, trial: TrialId, step: Step, _metrics: &[MetricPoint]) {
        if trial == self.at && step == self.step {
            if self.close {
                self.stop.close();
            } else {
                self.stop.request();
            }
        }
    }
}
