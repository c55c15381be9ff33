//! Test fixtures: a small experiment with deterministic trials and curves, in a temporary store.

use std::collections::BTreeMap;

use experiment::{
    Direction, MetricPoint, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult,
    TrialState,
};
use store::{CutAttempt, CutBy, ExperimentInfo, ExperimentStatus, Store, TrialTrace};

/// The time now of the handler tests' dashboards: 100 s after the fixtures' experiment was
/// created, as the view tests' `NOW`.
pub(crate) const NOW: Timestamp = Timestamp(1_795_865_500_000);

/// A clock that stands still at `NOW`, for the handler tests' dashboards.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FixedClock;

impl crate::Clock for FixedClock {
    fn now(&self) -> Timestamp {
        NOW
    }
}

/// Returns the fixed clock, as `Dashboard::new` and `app` take it.
pub(crate) fn clock() -> std::sync::Arc<dyn crate::Clock> {
    std::sync::Arc::new(FixedClock)
}

/// A spec like the quick start's, small.
pub(crate) const SPEC: &str = "\
name: NAME
description: fixture
seed: 7
method: random
run_cap: 40
metric: {name: val_accuracy, goal: maximize}
data: {csv: data/digits.csv, target: digit}
train: {epochs: 12}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  hidden: {values: [32, 64, 128]}
  optimizer: {values: [sgd, adam, adamw]}
";

/// Returns the record of an experiment called `name`.
pub(crate) fn info(name: &str, status: ExperimentStatus, run_cap: u32) -> ExperimentInfo {
    ExperimentInfo {
        name: name.to_string(),
        description: "fixture".into(),
        spec_yaml: SPEC.replace("NAME", "fixture"),
        spec_hash: "0".repeat(64),
        spec_path: "experiments/fixture.yaml".into(),
        objective: "val_accuracy".into(),
        goal: Direction::Maximize,
        seed: Seed(7),
        run_cap,
        status,
        created: Timestamp(1_795_865_400_000),
        finished: (status == ExperimentStatus::Finished).then_some(Timestamp(1_795_865_460_000)),
    }
}

/// Returns trial `i`: every 7th failed, every 5th pruned, one running at the end; accuracy
/// peaks near lr = 1e-2.5 with adam.
pub(crate) fn trial(i: u32, n: u32) -> Trial {
    let lr = 10f64.powf(-4.0 + 3.0 * f64::from((i * 37) % 101) / 100.0);
    let hidden = [32, 64, 128][usize::try_from(i % 3).unwrap_or(0)];
    let optimizer = ["sgd", "adam", "adamw"][usize::try_from((i / 3) % 3).unwrap_or(0)];
    let params: Params = BTreeMap::from([
        ("lr".to_string(), ParamValue::Float(lr)),
        ("hidden".to_string(), ParamValue::Int(hidden)),
        ("optimizer".to_string(), ParamValue::Str(optimizer.into())),
    ]);
    let state = if i + 1 == n {
        TrialState::Running
    } else if i % 7 == 3 {
        TrialState::Failed
    } else if i % 5 == 4 {
        TrialState::Pruned
    } else {
        TrialState::Completed
    };
    let accuracy = accuracy(lr, optimizer, 12);
    let result = matches!(state, TrialState::Completed | TrialState::Pruned).then(|| TrialResult {
        best_step: Step(12),
        metrics: BTreeMap::from([
            ("val_accuracy".to_string(), accuracy),
            ("val_loss".to_string(), 1.0 - accuracy),
        ]),
    });
    Trial {
        id: TrialId(i),
        seed: experiment::trial_seed(Seed(7), TrialId(i)),
        params,
        state,
        reason: (state == TrialState::Failed).then(|| "diverged at epoch 3".to_string()),
        started: Some(Timestamp(1_795_865_400_000 + i64::from(i) * 1000)),
        finished: state
            .is_finished()
            .then_some(Timestamp(1_795_865_400_000 + i64::from(i) * 1000 + 900)),
        result,
    }
}

fn accuracy(lr: f64, optimizer: &str, epoch: u32) -> f64 {
    let peak =
        0.97 - 0.08 * (lr.log10() + 2.5).powi(2) - if optimizer == "sgd" { 0.05 } else { 0.0 };
    peak * (1.0 - (-f64::from(epoch) / 3.0).exp())
}

/// Returns a temporary store holding experiment `name` with `n` trials of 12 epochs.
pub(crate) fn store_with(name: &str, n: u32) -> Store {
    let store = Store::temporary().expect("invariant: a temporary store opens");
    fill(&store, name, n);
    store
}

/// Adds the experiment `name` with `n` trials and their curves to `store`.
pub(crate) fn fill(store: &Store, name: &str, n: u32) {
    store
        .create_experiment(&info(name, ExperimentStatus::Finished, n))
        .expect("invariant: the name is new");
    for i in 0..n {
        let t = trial(i, n);
        store
            .put_trial(name, &t)
            .expect("invariant: the experiment exists");
        if t.state == TrialState::Failed {
            continue;
        }
        let lr = t.params["lr"].as_f64().unwrap_or(1e-3);
        let optimizer = t.params["optimizer"].to_string();
        let epochs = if t.state == TrialState::Pruned { 4 } else { 12 };
        for e in 1..=epochs {
            let a = accuracy(lr, &optimizer, e);
            let points = [
                MetricPoint {
                    name: "val_accuracy".into(),
                    value: a,
                },
                MetricPoint {
                    name: "val_loss".into(),
                    value: 1.0 - a,
                },
            ];
            store
                .append_metrics(name, t.id, Step(e), &points)
                .expect("invariant: the experiment exists");
        }
    }
}

/// Returns the trace of a trial that ran once before, for 10 s ending 10 s before `first` (the
/// first trial's start), and was stopped after 4 epochs.
pub(crate) fn stopped_once_before(first: Timestamp) -> TrialTrace {
    TrialTrace {
        heard: None,
        cut: vec![CutAttempt {
            started: Timestamp(first.0 - 20_000),
            ended: Timestamp(first.0 - 10_000),
            epochs: 4,
            by: CutBy::Stop,
        }],
    }
}
