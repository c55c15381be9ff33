//! Tests of `study`.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Mutex;

use experiment::{
    Control, Distribution, MetricPoint, Param, Reporter, SearchSpace, Step, Timestamp, TrialResult,
};

use super::*;
use crate::testing::*;
use crate::worker::lock;
use crate::SilentObserver;
use experiment::{GridConfig, Method, ParamValue, Params, TrialContext, TrialOutcome};

/// Even trials build models of 4,000 values, odd ones 1,000; the large ones' loss is lower
/// at every step (`0.1 + 1/s` against `0.5 + 1/s`).
struct Sized;

impl Objective for Sized {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let large = ctx.trial.0.is_multiple_of(2);
        let (size, floor) = if large { (4000.0, 0.1) } else { (1000.0, 0.5) };
        let mut result = None;
        for step in 1..=3u32 {
            let loss = floor + 1.0 / f64::from(step);
            let metrics = [("val_loss", loss), ("param_count", size)];
            let points: Vec<MetricPoint> = metrics
                .iter()
                .map(|(name, value)| MetricPoint {
                    name: (*name).into(),
                    value: *value,
                })
                .collect();
            let r = TrialResult {
                best_step: Step(step),
                metrics: metrics
                    .iter()
                    .map(|(n, v)| ((*n).to_string(), *v))
                    .collect(),
            };
            if reporter.report(Step(step), &points) == Control::Prune {
                return TrialOutcome::Pruned {
                    at: Step(step),
                    result: Some(r),
                };
            }
            result = Some(r);
        }
        match result {
            Some(result) => TrialOutcome::Completed {
                result,
                stopped_early: None,
            },
            None => TrialOutcome::Failed {
                reason: "no step".into(),
            },
        }
    }
}

#[test]
fn trials_that_can_never_meet_the_constraints_are_left_out_of_pruning() {
    // The median rule from the first trial and step: an odd trial is judged against the
    // earlier odd ones only (equal, so kept); were the even ones counted, their lower
    // losses would prune it at its first epoch.
    let mut small = spec(4, "sized");
    small.pruner = experiment::PrunerSpec::Median {
        n_startup_trials: 0,
        n_warmup_steps: 0,
    };
    small.constraints = vec![experiment::Constraint {
        metric: "param_count".into(),
        min: None,
        max: Some(2000.0),
    }];
    let store = Store::temporary().unwrap();
    let clock = TickClock(AtomicI64::new(0));
    let go = |options: &StudyOptions| {
        run_study(&store, &small, &Sized, &SilentObserver, &clock, options).unwrap()
    };
    let check = |summary: &StudySummary| {
        for t in &summary.trials {
            let (state, reason) = (t.state, t.reason.as_deref().unwrap_or_default());
            if t.id.0.is_multiple_of(2) {
                assert_eq!(state, TrialState::Pruned, "{t:?}");
                assert!(reason.starts_with("breaks the constraint"), "{t:?}");
            } else {
                assert_eq!(state, TrialState::Completed, "{t:?}");
            }
        }
    };
    check(&go(&options(2)));
    // Extended, the new trials are judged against the stored ones the same way.
    let extended = go(&StudyOptions {
        extend: Some(4),
        ..options(1)
    });
    assert_eq!(extended.trials.len(), 8);
    check(&extended);
}

#[test]
fn runs_every_trial_and_stores_curves() {
    let store = Store::temporary().unwrap();
    let objective = quadratic(2.0);
    let summary = run(&store, &spec(8, "a"), &objective, 3);
    assert_eq!(summary.trials.len(), 8);
    assert_eq!(summary.count(TrialState::Completed), 8);
    assert_eq!(summary.ran, 8);
    for t in &summary.trials {
        let series = store.metric_series("toy", t.id, "val_loss").unwrap();
        assert_eq!(series.len(), 3);
    }
    let best = summary.best.unwrap();
    assert!(summary
        .trials
        .iter()
        .all(|t| t.value("val_loss") >= best.value("val_loss")));
    let info = store.experiment("toy").unwrap().unwrap();
    assert_eq!(info.status, ExperimentStatus::Finished);
}

#[test]
fn parallelism_does_not_change_results() {
    // Trial k's suggestion and pruning decisions use only the trials numbered below k
    // (its suggestion those `parallel` places back and below), never the ones that happened
    // to end first: under any timing, the results are the same.
    let mut random = spec(16, "a");
    random.pruner = experiment::PrunerSpec::Median {
        n_startup_trials: 2,
        n_warmup_steps: 1,
    };
    let mut tpe = random.clone();
    tpe.method = Method::Tpe(experiment::TpeConfig {
        n_startup_trials: 2,
        ..experiment::TpeConfig::default()
    });
    let timings: [fn(u32) -> u64; 4] = [
        |_| 0,
        |k| if k % 2 == 1 { 3 } else { 0 },
        |k| if k % 2 == 0 { 3 } else { 0 },
        |k| u64::from((k * 7 + 3) % 4),
    ];
    let outcomes = |spec: &ExperimentSpec, parallel: usize, jitter: fn(u32) -> u64| {
        let objective = Quadratic {
            jitter,
            ..quadratic(2.0)
        };
        let summary = run(&Store::temporary().unwrap(), spec, &objective, parallel);
        assert!(
            summary.count(TrialState::Pruned) > 0,
            "the median rule fired"
        );
        summary
            .trials
            .iter()
            .map(|t| {
                let bits = |v: Option<f64>| v.map(f64::to_bits);
                let lr = bits(t.params["lr"].as_f64());
                (
                    t.id.0,
                    t.state,
                    t.reason.clone(),
                    lr,
                    bits(t.value("val_loss")),
                )
            })
            .collect::<Vec<_>>()
    };
    // Random draws ignore the history, so one trial at a time gives the same trials, and the
    // same pruning decisions, as four side by side.
    let one_by_one = outcomes(&random, 1, timings[0]);
    for jitter in timings {
        assert_eq!(outcomes(&random, 4, jitter), one_by_one);
    }
    // TPE learns from the trials four places back: the same under every timing, and not
    // random draws once it has two trials to learn from.
    let learned = outcomes(&tpe, 4, timings[0]);
    for jitter in timings {
        assert_eq!(outcomes(&tpe, 4, jitter), learned);
    }
    let drawn = |outcomes: &[_]| -> Vec<Option<u64>> {
        outcomes.iter().map(|t: &(_, _, _, _, _)| t.3).collect()
    };
    assert_ne!(drawn(&learned[6..]), drawn(&one_by_one[6..]));
}

#[test]
fn failed_trials_are_recorded_and_the_study_goes_on() {
    let summary = run(
        &Store::temporary().unwrap(),
        &spec(10, "a"),
        &quadratic(0.5),
        2,
    );
    assert!(summary.count(TrialState::Failed) > 0);
    assert!(summary.count(TrialState::Completed) > 0);
    let failed = summary
        .trials
        .iter()
        .find(|t| t.state == TrialState::Failed)
        .unwrap();
    assert_eq!(failed.reason.as_deref(), Some("diverged at epoch 1"));
}

/// Panics in training when `lr` is above 0.7; `Quadratic` otherwise.
struct Panicky(Quadratic);

impl Objective for Panicky {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let lr = ctx.params["lr"].as_f64().unwrap_or(0.0);
        assert!(lr <= 0.7, "out of memory at lr {lr:.3}");
        self.0.run(ctx, reporter)
    }
}

#[test]
fn a_trial_that_panics_fails_with_the_message_and_the_study_goes_on() {
    let store = Store::temporary().unwrap();
    let spec = spec(12, "a");
    let summary = run(&store, &spec, &Panicky(quadratic(2.0)), 2);
    let failed: Vec<&Trial> = summary
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Failed)
        .collect();
    assert!(!failed.is_empty() && summary.count(TrialState::Completed) > 0);
    for t in &failed {
        let lr = t.params["lr"].as_f64().unwrap_or(0.0);
        assert!(lr > 0.7, "{t:?}");
        let reason = t.reason.as_deref().unwrap_or_default();
        let said = format!("training panicked: out of memory at lr {lr:.3} (at ");
        assert!(reason.starts_with(&said), "{reason}");
        assert!(
            reason.contains("crates/runner/src/study/tests.rs:"),
            "{reason}"
        );
    }
    assert_eq!(summary.trials.len(), 12);
    let info = store.experiment("toy").unwrap().unwrap();
    assert_eq!(info.status, ExperimentStatus::Finished);
    // Reproducible: the same trials panic again.
    let again = run(
        &Store::temporary().unwrap(),
        &spec,
        &Panicky(quadratic(2.0)),
        3,
    );
    assert_eq!(values(&again), values(&summary));
}

#[test]
fn a_second_run_resumes_and_reruns_only_unfinished_trials() {
    let store = Store::temporary().unwrap();
    let first = run(&store, &spec(6, "a"), &quadratic(2.0), 2);
    // Simulate a crash: trial 4 was left running with a partial curve.
    let mut interrupted = first.trials[4].clone();
    interrupted.state = TrialState::Running;
    interrupted.result = None;
    store.put_trial("toy", &interrupted).unwrap();
    let objective = quadratic(2.0);
    let second = run(&store, &spec(6, "a"), &objective, 2);
    assert_eq!(objective.calls.load(Ordering::SeqCst), 1);
    assert_eq!(second.ran, 1);
    assert_eq!(values(&first), values(&second));
    assert_eq!(
        store
            .metric_series("toy", TrialId(4), "val_loss")
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn extending_a_grid_runs_its_next_points_and_stops_at_its_end() {
    let store = Store::temporary().unwrap();
    let mut grid = spec(2, "grid");
    grid.method = Method::Grid(GridConfig::default());
    grid.space = SearchSpace::new(vec![Param {
        condition: None,
        name: "lr".into(),
        distribution: Distribution::Categorical {
            values: [0.1, 0.2, 0.3].map(ParamValue::Float).to_vec(),
            probabilities: None,
        },
    }]);
    let clock = TickClock(AtomicI64::new(0));
    let go = |extend: Option<u32>| {
        let options = StudyOptions {
            extend,
            ..options(1)
        };
        run_study(
            &store,
            &grid,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            &options,
        )
    };
    assert_eq!(go(None).unwrap().trials.len(), 2);
    // Asked for two more, the grid has one left.
    let extended = go(Some(2)).unwrap();
    let lrs: Vec<f64> = extended
        .trials
        .iter()
        .filter_map(|t| t.params["lr"].as_f64())
        .collect();
    assert_eq!(lrs, [0.1, 0.2, 0.3]);
    let refused = go(Some(1)).map(|_| ()).unwrap_err().to_string();
    assert!(
        refused.starts_with("experiment `toy` is a grid of 3 points, all of them planned"),
        "{refused}"
    );
    assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, 3);
    assert_eq!(store.trials("toy").unwrap().len(), 3);
    // Past the most trials an experiment can number: refused, not cut to it.
    let refused = go(Some(u32::MAX - 2)).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        refused,
        format!(
            "experiment `toy` plans 3 trials: `--extend {}` would plan more than the most an \
                 experiment can have, {}",
            u32::MAX - 2,
            u32::MAX
        )
    );
    assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, 3);
}

/// Runs `spec` with `parallel` trials side by side, stopping the study when trial `at`
/// reports `step`.
fn run_stopped_at(
    store: &Store,
    spec: &ExperimentSpec,
    objective: &Quadratic,
    parallel: usize,
    (at, step): (TrialId, Step),
) -> StudySummary {
    let observer = StopAt {
        at,
        step,
        stop: Stop::default(),
        close: false,
    };
    let options = StudyOptions {
        stop: observer.stop.clone(),
        ..options(parallel)
    };
    let clock = TickClock(AtomicI64::new(0));
    run_study(store, spec, objective, &observer, &clock, &options).unwrap()
}

#[test]
fn a_stopped_study_ends_between_epochs_and_resumes_to_the_same_results() {
    let store = Store::temporary().unwrap();
    let objective = quadratic(2.0);
    let stopped = run_stopped_at(&store, &spec(6, "a"), &objective, 1, (TrialId(3), Step(2)));
    assert!(stopped.interrupted);
    assert_eq!(
        objective.calls.load(Ordering::SeqCst),
        4,
        "no trial after 3 starts"
    );
    assert_eq!(stopped.count(TrialState::Completed), 3);
    assert_eq!(stopped.ran, 3);
    // Trial 3 stopped after its second epoch and went back to the queue, without its curve.
    assert_eq!(stopped.trials.len(), 4);
    assert_eq!(stopped.trials[3].state, TrialState::Queued);
    let curve = store.metric_series("toy", TrialId(3), "val_loss").unwrap();
    assert!(curve.is_empty());
    let info = store.experiment("toy").unwrap().unwrap();
    assert_eq!(info.status, ExperimentStatus::Interrupted);

    let objective = quadratic(2.0);
    let resumed = run(&store, &spec(6, "a"), &objective, 1);
    assert!(!resumed.interrupted);
    assert_eq!(
        objective.calls.load(Ordering::SeqCst),
        3,
        "trials 3, 4 and 5"
    );
    let uninterrupted = run(
        &Store::temporary().unwrap(),
        &spec(6, "a"),
        &quadratic(2.0),
        1,
    );
    assert_eq!(values(&resumed), values(&uninterrupted));
    assert_eq!(stopped.trials[3].params, uninterrupted.trials[3].params);
    let info = store.experiment("toy").unwrap().unwrap();
    assert_eq!(info.status, ExperimentStatus::Finished);
}

/// Aborts trial `at` once (a full disk as its checkpoint is written), then runs as `inner`.
struct AbortOnce {
    inner: Quadratic,
    at: TrialId,
    done: AtomicBool,
}

impl Objective for AbortOnce {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let outcome = self.inner.run(ctx, reporter);
        if ctx.trial == self.at && !self.done.swap(true, Ordering::SeqCst) {
            return TrialOutcome::Aborted {
                reason: "checkpoint 2.tmp: No space left on device".into(),
            };
        }
        outcome
    }
}

#[test]
fn a_trial_not_kept_for_a_reason_outside_it_stops_the_study_and_runs_again_on_resume() {
    let store = Store::temporary().unwrap();
    let objective = AbortOnce {
        inner: quadratic(2.0),
        at: TrialId(2),
        done: AtomicBool::new(false),
    };
    let clock = TickClock(AtomicI64::new(0));
    let go = || {
        run_study(
            &store,
            &spec(6, "a"),
            &objective,
            &SilentObserver,
            &clock,
            &options(1),
        )
    };
    let err = go().map(|_| ()).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "trial 2 could not be kept: checkpoint 2.tmp: No space left on device; the sweep \
                 stopped"
        ),
        "{err}"
    );
    // Not failed: back in the queue, without its curve, to run again.
    let trial = store.trial("toy", TrialId(2)).unwrap().unwrap();
    assert_eq!(trial.state, TrialState::Queued);
    assert!(store
        .metric_series("toy", TrialId(2), "val_loss")
        .unwrap()
        .is_empty());
    let resumed = go().unwrap();
    let uninterrupted = run(
        &Store::temporary().unwrap(),
        &spec(6, "a"),
        &quadratic(2.0),
        1,
    );
    assert_eq!(values(&resumed), values(&uninterrupted));
    assert!(resumed
        .trials
        .iter()
        .all(|t| t.state == TrialState::Completed));
}

#[test]
fn a_trial_a_crash_left_running_runs_again_without_its_old_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let spec = spec(2, "a");
    run(&store, &spec, &quadratic(2.0), 1);
    // As a crash in trial 1's training left it: running, with the checkpoint of its best
    // epoch so far.
    let mut running = store.trial("toy", TrialId(1)).unwrap().unwrap();
    running.state = TrialState::Running;
    running.finished = None;
    running.result = None;
    store.put_trial("toy", &running).unwrap();
    let folder = store.checkpoint_folder("toy").unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("1.safetensors"), "weights").unwrap();
    std::fs::write(folder.join("1.json"), "{}").unwrap();
    assert!(store.has_checkpoint("toy", TrialId(1)));
    // Run again, it fails before any epoch: no checkpoint of the old run stays beside it.
    let resumed = run(&store, &spec, &quadratic(-1.0), 1);
    assert_eq!(resumed.trials[1].state, TrialState::Failed);
    assert!(!store.has_checkpoint("toy", TrialId(1)));
    assert!(!folder.join("1.safetensors").exists());
}

#[test]
fn a_study_closed_to_new_trials_lets_the_running_ones_finish_and_resumes_to_the_same_results() {
    for parallel in [1, 2] {
        let mut spec = spec(6, "a");
        spec.method = Method::Tpe(experiment::TpeConfig {
            n_startup_trials: 2,
            ..experiment::TpeConfig::default()
        });
        let store = Store::temporary().unwrap();
        let observer = StopAt {
            at: TrialId(2),
            step: Step(1),
            stop: Stop::default(),
            close: true,
        };
        let options = StudyOptions {
            stop: observer.stop.clone(),
            ..options(parallel)
        };
        let clock = TickClock(AtomicI64::new(0));
        let objective = quadratic(2.0);
        let closed = run_study(&store, &spec, &objective, &observer, &clock, &options).unwrap();
        assert!(closed.interrupted);
        // Every trial that started ran to its end, curve and all; trial 2 was one of them.
        assert!(closed
            .trials
            .iter()
            .all(|t| t.state == TrialState::Completed));
        assert!(closed.trials.len() >= 3 && closed.trials.len() < 6);
        assert_eq!(closed.ran as usize, closed.trials.len());
        for t in &closed.trials {
            assert_eq!(
                store.metric_series("toy", t.id, "val_loss").unwrap().len(),
                3
            );
        }
        let info = store.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Interrupted);

        let resumed = run(&store, &spec, &quadratic(2.0), parallel);
        assert!(!resumed.interrupted);
        assert_eq!(resumed.ran as usize, 6 - closed.trials.len());
        let uninterrupted = run(
            &Store::temporary().unwrap(),
            &spec,
            &quadratic(2.0),
            parallel,
        );
        assert_eq!(
            values(&resumed),
            values(&uninterrupted),
            "parallel {parallel}"
        );
    }
}

/// Runs `inner`, noting the trials that start once `stop` is closed.
struct StartsAfterClose {
    inner: Quadratic,
    stop: Stop,
    late: Mutex<Vec<u32>>,
}

impl Objective for StartsAfterClose {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        if self.stop.closed() {
            lock(&self.late).push(ctx.trial.0);
        }
        self.inner.run(ctx, reporter)
    }
}

#[test]
fn no_trial_starts_once_the_study_is_closed_even_one_waiting_for_earlier_trials() {
    // TPE past its startup trials, 4 side by side: trials 5, 6 and 7 wait for slow trial 0
    // to end before their parameters are chosen. The time limit passes meanwhile (at trial
    // 0's first epoch); it ends their waits, and none of them starts.
    let mut spec = spec(12, "a");
    spec.method = Method::Tpe(experiment::TpeConfig {
        n_startup_trials: 2,
        ..experiment::TpeConfig::default()
    });
    let store = Store::temporary().unwrap();
    let observer = StopAt {
        at: TrialId(0),
        step: Step(1),
        stop: Stop::default(),
        close: true,
    };
    let objective = StartsAfterClose {
        inner: Quadratic {
            jitter: |k| if k == 0 { 100 } else { 0 },
            ..quadratic(2.0)
        },
        stop: observer.stop.clone(),
        late: Mutex::new(Vec::new()),
    };
    let options = StudyOptions {
        stop: observer.stop.clone(),
        ..options(4)
    };
    let clock = TickClock(AtomicI64::new(0));
    let closed = run_study(&store, &spec, &objective, &observer, &clock, &options).unwrap();
    assert!(closed.interrupted);
    assert_eq!(*lock(&objective.late), Vec::<u32>::new(), "started late");
    let ids: Vec<u32> = closed.trials.iter().map(|t| t.id.0).collect();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
    assert!(closed
        .trials
        .iter()
        .all(|t| t.state == TrialState::Completed));

    // The trials that did not start run on resume, as in a run never stopped.
    let resumed = run(&store, &spec, &quadratic(2.0), 4);
    assert_eq!(resumed.ran, 7);
    let uninterrupted = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 4);
    assert_eq!(values(&resumed), values(&uninterrupted));
}

/// Panics in `trial_started` as trial `trial` starts, as a bug outside a trial's training
/// would, in whichever worker took it (which worker takes which trial depends on timing: a
/// worker scheduled late may take none).
struct PanicsOn {
    trial: u32,
}

impl Observer for PanicsOn {
    fn trial_started(&self, trial: &Trial) {
        if trial.id.0 == self.trial {
            panic!("a bug in the observer");
        }
    }
}

#[test]
fn a_worker_panicking_outside_a_trial_ends_the_study_with_the_panic() {
    // A worker panics as trial 1 starts; the other comes to wait for that trial (TPE
    // learns from the trial 2 places back: trial 3 needs it) and must not wait for ever,
    // whether it is joined first or not.
    let (sent, got) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut spec = spec(8, "a");
        spec.method = Method::Tpe(experiment::TpeConfig {
            n_startup_trials: 1,
            ..experiment::TpeConfig::default()
        });
        let store = Store::temporary().unwrap();
        let clock = TickClock(AtomicI64::new(0));
        let observer = PanicsOn { trial: 1 };
        let result = run_study(
            &store,
            &spec,
            &quadratic(2.0),
            &observer,
            &clock,
            &options(2),
        );
        sent.send(result.map(|_| ()).map_err(|e| e.to_string()))
            .unwrap();
    });
    let result = got
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the study ends");
    assert_eq!(
        result,
        Err("a trial worker panicked: a bug in the observer".to_string())
    );
}

/// The toy objective, holding trial 0 until trial 2 has started and trial 3 until trial 4
/// has ended (`Signals` tells it), however loaded the machine; notes a hold that a minute
/// did not end (a panic in training would fail the trial, not the test).
struct Held {
    two_started: Mutex<std::sync::mpsc::Receiver<()>>,
    four_ended: Mutex<std::sync::mpsc::Receiver<()>>,
    stuck: AtomicBool,
}

impl Objective for Held {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let hold = |signal: &Mutex<std::sync::mpsc::Receiver<()>>| {
            let waited = lock(signal).recv_timeout(std::time::Duration::from_secs(60));
            if waited.is_err() {
                self.stuck.store(true, Ordering::SeqCst);
            }
        };
        match ctx.trial.0 {
            0 => hold(&self.two_started),
            3 => hold(&self.four_ended),
            _ => {}
        }
        quadratic(2.0).run(ctx, reporter)
    }
}

/// Tells `Held` when trial 2 starts and trial 4 ends.
struct Signals {
    two_started: std::sync::mpsc::Sender<()>,
    four_ended: std::sync::mpsc::Sender<()>,
}

impl Observer for Signals {
    fn trial_started(&self, trial: &Trial) {
        if trial.id.0 == 2 {
            self.two_started.send(()).unwrap();
        }
    }

    fn trial_finished(&self, trial: &Trial) {
        if trial.id.0 == 4 {
            self.four_ended.send(()).unwrap();
        }
    }
}

#[test]
fn startup_trials_do_not_wait_for_earlier_ones_and_later_ones_do() {
    // With 4 startup trials side by side in pairs, trial k sees at most k - 1 finished
    // ones: trials up to 4 are Sobol points whatever they see, trial 5 learns from 0..=3.
    let mut spec = spec(7, "a");
    spec.method = Method::Tpe(experiment::TpeConfig {
        n_startup_trials: 4,
        ..experiment::TpeConfig::default()
    });
    let (two_started, started_two) = std::sync::mpsc::channel();
    let (four_ended, ended_four) = std::sync::mpsc::channel();
    // Trial 0 runs until trial 2 starts, which it can only if trial 2 does not wait for it;
    // trial 3 runs until trial 4 ends, so that trial 5 is drawn while trial 3 runs.
    let held = Held {
        two_started: Mutex::new(started_two),
        four_ended: Mutex::new(ended_four),
        stuck: AtomicBool::new(false),
    };
    let signals = Signals {
        two_started,
        four_ended,
    };
    let clock = TickClock(AtomicI64::new(0));
    let store = Store::temporary().unwrap();
    let timed = run_study(&store, &spec, &held, &signals, &clock, &options(2)).unwrap();
    assert!(
        !held.stuck.load(Ordering::SeqCst),
        "trial 2 waited for trial 0, or trial 4 for trial 3"
    );
    let tick = |t: Option<Timestamp>| t.map_or(i64::MAX, |t| t.0);
    let (started, finished) = (
        |k: usize| tick(timed.trials[k].started),
        |k: usize| tick(timed.trials[k].finished),
    );
    assert!(started(2) < finished(0), "trial 2 did not wait for trial 0");
    assert!(started(5) > finished(3), "trial 5 waited for trial 3");
    // And the results are those of any timing.
    let even = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 2);
    assert_eq!(values(&timed), values(&even));
}

/// Runs `spec` with `parallel` 1 to 3, with two timings, and checks that it ends early
/// after the trial `ended_by` names (checking it too): trials up to `parallel - 1` after it
/// run, whatever the timing, the experiment is finished, and a run again has nothing to do.
fn ends_early_whatever_the_timing(
    spec: &ExperimentSpec,
    ended_by: impl Fn(&StudySummary) -> TrialId,
) {
    for parallel in [1, 2, 3] {
        let slow_odd = Quadratic {
            jitter: |k| if k % 2 == 1 { 15 } else { 0 },
            ..quadratic(2.0)
        };
        let store = Store::temporary().unwrap();
        let a = run(&store, spec, &quadratic(2.0), parallel);
        let b = run(&Store::temporary().unwrap(), spec, &slow_odd, parallel);
        let t = ended_by(&a);
        assert_eq!(b.stopped, a.stopped);
        // Trials up to `parallel - 1` after it were already running, or could have been.
        let ran = t.0 + u32::try_from(parallel).unwrap();
        assert!(ran < spec.run_cap, "it ends early enough to matter");
        assert_eq!(a.trials.len(), ran as usize, "parallel {parallel}");
        assert_eq!(values(&a), values(&b), "parallel {parallel}");
        assert!(!a.interrupted);
        let info = store.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Finished);
        // Run again: nothing left to run.
        let again = run(&store, spec, &quadratic(2.0), parallel);
        assert_eq!(again.ran, 0);
        assert_eq!(values(&again), values(&a));
        // Extended: refused, and the stored run cap stays.
        let extend = StudyOptions {
            extend: Some(3),
            ..options(parallel)
        };
        let clock = TickClock(AtomicI64::new(0));
        let refused = run_study(
            &store,
            spec,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            &extend,
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(
            refused.starts_with(&format!("experiment `toy` ended when trial {t} reached"))
                || refused.starts_with(&format!(
                    "experiment `toy` ended on a plateau at trial {t},"
                )),
            "{refused}"
        );
        assert_eq!(
            store.experiment("toy").unwrap().unwrap().run_cap,
            spec.run_cap
        );
    }
}

#[test]
fn a_reached_target_starts_no_trial_parallel_places_after_it_whatever_the_timing() {
    let mut spec = spec(30, "a");
    // val_loss at the last step is (lr - 0.3)^2 + 1/3.
    spec.target = Some(0.34);
    ends_early_whatever_the_timing(&spec, |a| {
        let Some(experiment::Stopped::Target(t)) = a.stopped else {
            panic!("no trial reaches the target: {:?}", a.stopped);
        };
        let first = a
            .trials
            .iter()
            .find(|t| t.value("val_loss").is_some_and(|v| v <= 0.34));
        assert_eq!(first.map(|t| t.id), Some(t));
        t
    });
}

#[test]
fn a_plateau_starts_no_trial_parallel_places_after_it_whatever_the_timing() {
    let mut spec = spec(40, "a");
    spec.plateau = Some(experiment::Plateau {
        patience: 4,
        min_delta: 0.001,
    });
    ends_early_whatever_the_timing(&spec, |a| {
        let Some(experiment::Stopped::Plateau(t)) = a.stopped else {
            panic!("the plateau is not reached: {:?}", a.stopped);
        };
        assert_eq!(spec.first_at_plateau(&a.trials), Some(t));
        t
    });
}

#[test]
fn a_trial_waiting_for_another_when_the_study_stops_goes_back_to_the_queue() {
    // ASHA's first rung is step 2: fast trial 1 waits there for slow trial 0, which is
    // stopped at its step 1, so trial 1's wait ends because the study stops.
    let mut spec = spec(2, "a");
    spec.pruner = experiment::PrunerSpec::Asha {
        min_resource: 2,
        reduction_factor: 2,
    };
    let objective = Quadratic {
        jitter: |k| if k == 0 { 50 } else { 0 },
        ..quadratic(2.0)
    };
    let store = Store::temporary().unwrap();
    let stopped = run_stopped_at(&store, &spec, &objective, 2, (TrialId(0), Step(1)));
    assert!(stopped.interrupted);
    let states: Vec<TrialState> = stopped.trials.iter().map(|t| t.state).collect();
    assert_eq!(states, [TrialState::Queued, TrialState::Queued]);
    assert!(store
        .metric_series("toy", TrialId(1), "val_loss")
        .unwrap()
        .is_empty());
}

#[test]
fn a_changed_spec_under_the_same_name_is_refused() {
    let store = Store::temporary().unwrap();
    run(&store, &spec(2, "a"), &quadratic(2.0), 1);
    let clock = TickClock(AtomicI64::new(0));
    let err = run_study(
        &store,
        &spec(2, "b"),
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &options(1),
    )
    .unwrap_err();
    assert!(matches!(err, Error::SpecChanged { .. }), "{err}");
}

/// Returns a run record of `spec` as a run of the toy file would write it.
fn recorded(spec: &ExperimentSpec) -> store::RunRecord {
    store::RunRecord {
        resolved_spec: spec.resolved(),
        resolved_spec_hash: spec.resolved_hash(),
        spec_file: "toy.yaml".into(),
        data_file: "none.csv".into(),
        ..store::RunRecord::default()
    }
}

#[test]
fn an_experiment_whose_creation_was_cut_short_before_its_run_record_gets_one() {
    let spec = spec(3, "a");
    let store = Store::temporary().unwrap();
    let on = |data_hash: &str| StudyOptions {
        record: Some(store::RunRecord {
            data_hash: data_hash.into(),
            ..recorded(&spec)
        }),
        ..options(1)
    };
    // As a crash between writing the experiment and its record left it (before they were
    // written in one transaction): no record, no trial.
    let info = ExperimentInfo {
        name: spec.name.clone(),
        description: String::new(),
        spec_yaml: spec.source.clone(),
        spec_hash: spec.hash(),
        spec_path: "toy.yaml".into(),
        objective: spec.metric.name.clone(),
        goal: spec.metric.goal,
        seed: spec.seed,
        run_cap: 3,
        status: ExperimentStatus::Running,
        created: Timestamp(0),
        finished: None,
    };
    store.create_experiment(&info).unwrap();
    let clock = TickClock(AtomicI64::new(0));
    let go = |options: &StudyOptions| {
        run_study(
            &store,
            &spec,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            options,
        )
    };
    go(&on("aaaa")).unwrap();
    let stored = store.run_record("toy").unwrap().expect("a run record");
    assert_eq!(stored.data_hash, "aaaa");
    // So its data is checked from then on.
    let err = go(&StudyOptions {
        extend: Some(1),
        ..on("bbbb")
    })
    .map(|_| ())
    .unwrap_err();
    assert!(matches!(err, Error::DataChanged { .. }), "{err}");

    // A new experiment is stored with its record at once.
    let fresh = Store::temporary().unwrap();
    run_study(
        &fresh,
        &spec,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &on("cccc"),
    )
    .unwrap();
    assert_eq!(fresh.run_record("toy").unwrap().unwrap().data_hash, "cccc");
}

#[test]
fn a_spec_changed_only_in_comments_resumes_and_is_stored_as_now_written() {
    let store = Store::temporary().unwrap();
    let with_record = |spec: &ExperimentSpec| StudyOptions {
        record: Some(recorded(spec)),
        ..options(1)
    };
    let clock = TickClock(AtomicI64::new(0));
    let first = spec(2, "seed: 3");
    run_study(
        &store,
        &first,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &with_record(&first),
    )
    .unwrap();
    let commented = spec(2, "seed: 3  # the same");
    let summary = run_study(
        &store,
        &commented,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &with_record(&commented),
    )
    .unwrap();
    assert_eq!(summary.trials.len(), 2, "resumed, not restarted");
    let info = store.experiment("toy").unwrap().unwrap();
    assert_eq!(info.spec_yaml, "seed: 3  # the same");
    assert_eq!(info.spec_hash, commented.hash());
    // Other data under the same file is refused, and nothing stored changes.
    let mut other_data = StudyOptions {
        extend: Some(2),
        ..with_record(&commented)
    };
    if let Some(record) = other_data.record.as_mut() {
        record.data_hash = "b".repeat(64);
    }
    // What a run of the unchanged file under `options` is refused with (empty if it ran).
    let refusal = |options: &StudyOptions| {
        run_study(
            &store,
            &commented,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            options,
        )
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
    };
    let message = refusal(&other_data);
    assert!(
        message.starts_with(
            "the data of experiment `toy` changed since it started: none.csv had sha256 , \
                 now bbbbbbbbbbbb;"
        ),
        "{message}"
    );
    assert_eq!(store.trials("toy").unwrap().len(), 2);
    assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, 2);
    // The unchanged file read otherwise than the run recorded (as after a change of a
    // default): refused, with both readings, and nothing stored changes.
    let mut ran = store.run_record("toy").unwrap().unwrap();
    assert!(
        ran.resolved_spec.contains("\nmethod: Random\n"),
        "{}",
        ran.resolved_spec
    );
    ran.resolved_spec = ran.resolved_spec.replace(
        "\nmethod: Random\n",
        "\nmethod: Sobol(SobolConfig { scramble: true })\n",
    );
    store.put_run_record("toy", &ran).unwrap();
    let resumed = StudyOptions {
        extend: Some(2),
        ..with_record(&commented)
    };
    let message = refusal(&resumed);
    assert!(
        message.starts_with(
            "experiment `toy` ran with other sampler or pruner settings than this version \
                 of Sweep reads in its unchanged file (a default changed since):\n  \
                 `method`: Sobol/SobolConfig then, Random now\n  \
                 `method` `scramble`: true then, unset now\nit ran with\n  \
                 method: Sobol(SobolConfig { scramble: true })\n  pruner: None\nand would now go \
                 on with\n  method: Random\n  pruner: None\n"
        ),
        "{message}"
    );
    assert_eq!(store.trials("toy").unwrap().len(), 2);
    assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, 2);
}

#[test]
fn a_record_of_an_older_version_resumes_when_it_ran_the_same_search() {
    let store = Store::temporary().unwrap();
    let with_record = |spec: &ExperimentSpec, extend: Option<u32>| StudyOptions {
        record: Some(recorded(spec)),
        extend,
        ..options(1)
    };
    let clock = TickClock(AtomicI64::new(0));
    let go = |spec: &ExperimentSpec, extend: Option<u32>| {
        run_study(
            &store,
            spec,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            &with_record(spec, extend),
        )
        .map(|s| s.trials.len())
    };
    // TPE's record from before `multivariate` became optional, one objective: it ran
    // jointly, as `None` does now.
    let mut tpe = spec(2, "method: tpe");
    tpe.method = Method::Tpe(experiment::TpeConfig::default());
    go(&tpe, None).unwrap();
    let mut ran = store.run_record("toy").unwrap().unwrap();
    ran.resolved_spec = ran
        .resolved_spec
        .replace("multivariate: None", "multivariate: true");
    assert!(ran.resolved_spec.contains("multivariate: true"));
    store.put_run_record("toy", &ran).unwrap();
    assert_eq!(go(&tpe, Some(1)).unwrap(), 3, "resumed");
    store.remove_experiment("toy").unwrap();
    // CMA-ES's record from before `with_margin`: it ran without a margin, which the default
    // now keeps, so the unchanged file is refused; pinned in the file, it resumes.
    let mut cmaes = spec(2, "method: cmaes");
    cmaes.method = Method::CmaEs(experiment::CmaEsConfig::default());
    go(&cmaes, None).unwrap();
    let mut ran = store.run_record("toy").unwrap().unwrap();
    ran.resolved_spec = ran.resolved_spec.replace(
        ", with_margin: true, lr_adapt: false, use_separable_cma: false",
        "",
    );
    assert!(!ran.resolved_spec.contains("lr_adapt"));
    store.put_run_record("toy", &ran).unwrap();
    let refused = go(&cmaes, Some(1)).unwrap_err();
    assert!(
        matches!(refused, Error::SearchChanged { .. })
            && refused
                .to_string()
                .contains(":\n  `method` `with_margin`: false then, true now\nit ran with"),
        "{refused}"
    );
    let mut pinned = spec(2, "method: cmaes\nsampler: {with_margin: false}");
    pinned.method = Method::CmaEs(experiment::CmaEsConfig {
        with_margin: false,
        ..experiment::CmaEsConfig::default()
    });
    assert_eq!(go(&pinned, Some(1)).unwrap(), 3, "resumed");
    // Pinned at another value than it ran with, the file is a changed spec.
    let mut other = spec(
        2,
        "method: cmaes\nsampler: {with_margin: false, sigma0: 0.3}",
    );
    other.method = Method::CmaEs(experiment::CmaEsConfig {
        with_margin: false,
        sigma0: 0.3,
        ..experiment::CmaEsConfig::default()
    });
    let refused = go(&other, Some(1)).unwrap_err();
    assert!(matches!(refused, Error::SpecChanged { .. }), "{refused}");
}

#[test]
fn the_sampler_knows_the_planned_trials() {
    // `bayes` spends the end of the plan greedily, so its trials are those of a sampler
    // told the run cap, and not those of one told nothing.
    let mut spec = spec(14, "a");
    spec.method = Method::Bayes(experiment::BayesConfig::default());
    let summary = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 1);
    let sampler = search::sampler_of(&spec);
    let lr = |params: &Params| params["lr"].as_f64().map(f64::to_bits);
    let suggest = |k: usize, planned: Option<u32>| {
        let ctx = search::SuggestContext {
            space: &spec.space,
            finished: &summary.trials[..k],
            running: &[],
            pinned: &Params::new(),
            trial: summary.trials[k].id,
            planned,
        };
        lr(&sampler.suggest_in(&ctx).unwrap())
    };
    let mut unplanned_differs = false;
    for (k, trial) in summary.trials.iter().enumerate() {
        assert_eq!(lr(&trial.params), suggest(k, Some(14)), "trial {k}");
        unplanned_differs |= lr(&trial.params) != suggest(k, None);
    }
    assert!(unplanned_differs);
}

/// The first of two agents meeting in a folder that no test creates: a study refused
/// before it meets the other never reads it.
fn first_of_two_agents() -> crate::AgentOptions {
    crate::AgentOptions {
        agent: 0,
        agents: 2,
        exchange: std::path::PathBuf::from("x"),
        poll: std::time::Duration::from_millis(10),
        quiet_after: std::time::Duration::from_secs(60),
    }
}

#[test]
fn a_warm_started_study_learns_from_another_experiments_trials_kept_with_it() {
    let tpe = Method::Tpe(experiment::TpeConfig::default());
    let store = Store::temporary().unwrap();
    let mut source = spec(12, "before");
    source.name = "before".into();
    source.method = tpe;
    let run_source = |store: &Store| run(store, &source, &quadratic(2.0), 1);
    run_source(&store);
    let mut warm = spec(4, "warm");
    warm.method = tpe;
    warm.warm_start = Some(experiment::WarmStart {
        source: experiment::WarmSource::Experiment("before".into()),
        trials: None,
    });
    let first = run(&store, &warm, &quadratic(2.0), 1);
    let taken = store.warm_start("toy").unwrap().unwrap();
    assert_eq!((taken.source.as_str(), taken.trials.len()), ("before", 12));
    assert!(taken.left_out.is_empty());
    // Each trial is the warm-started sampler's, given the other experiment's trials first.
    let sampler = search::WarmSampler::new(search::sampler_of(&warm), taken.trials.clone());
    for (k, trial) in first.trials.iter().enumerate() {
        let ctx = search::SuggestContext {
            space: &warm.space,
            finished: &first.trials[..k],
            running: &[],
            pinned: &Params::new(),
            trial: trial.id,
            planned: Some(4),
        };
        assert_eq!(
            trial.params,
            search::Sampler::suggest_in(&sampler, &ctx).unwrap(),
            "trial {k}"
        );
    }
    let mut cold = warm.clone();
    cold.warm_start = None;
    let cold = run(&Store::temporary().unwrap(), &cold, &quadratic(2.0), 1);
    assert_ne!(first.trials[0].params, cold.trials[0].params);
    // Extended after the other experiment is gone, it goes on from what it took, as a
    // study planned that long from the start.
    store.remove_experiment("before").unwrap();
    let clock = TickClock(AtomicI64::new(100));
    let extend = StudyOptions {
        extend: Some(2),
        ..options(1)
    };
    let extended = run_study(
        &store,
        &warm,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &extend,
    )
    .unwrap();
    let other = Store::temporary().unwrap();
    run_source(&other);
    let mut longer = warm.clone();
    longer.run_cap = 6;
    let whole = run(&other, &longer, &quadratic(2.0), 1);
    let params = |s: &StudySummary| {
        s.trials
            .iter()
            .map(|t| t.params.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(params(&extended)[..4], params(&first)[..]);
    assert_eq!(params(&extended)[4..], params(&whole)[4..]);
    // Refused: a source the store lacks (an agent's own), one of another objective.
    let go = |spec: &ExperimentSpec, options: &StudyOptions| {
        run_study(
            &Store::temporary().unwrap(),
            spec,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            options,
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        go(&warm, &options(1)),
        "warm_start: no experiment `before` in the store (it holds none); a warm start \
             learns from an experiment of the same store, or from a file of results \
             (`warm_start: {csv: FILE}`, as `sweep export before --format csv --store DIR` \
             writes it from the store that holds it)"
    );
    // The store searched does not hold it: the command never names that one.
    let folder = tempfile::tempdir().unwrap();
    let named = folder.path().join("my store");
    let refused = run_study(
        &Store::open(&named).unwrap(),
        &warm,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &options(1),
    )
    .unwrap_err()
    .to_string();
    assert!(!refused.contains("my store"), "{refused}");
    let objectives = Store::temporary().unwrap();
    let mut maximizing = source.clone();
    maximizing.metric.goal = experiment::Direction::Maximize;
    run(&objectives, &maximizing, &quadratic(2.0), 1);
    let refused = run_study(
        &objectives,
        &warm,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        &options(1),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        refused,
        "warm_start: `before` maximizes val_loss, this file minimizes val_loss: its trials \
             would teach the wrong thing"
    );
    assert!(
        objectives.experiment("toy").unwrap().is_none(),
        "nothing written"
    );
    let agent = StudyOptions {
        agent: Some(first_of_two_agents()),
        ..options(1)
    };
    assert!(
        go(&warm, &agent).starts_with(
            "warm_start: no experiment `before` in agent 0's store (it holds none; each \
                 agent reads its own, so each needs a copy of a store that holds it)"
        ),
        "refused before the agent joins the others"
    );
}

#[test]
fn a_study_warm_started_from_a_file_keeps_what_the_caller_read_and_refuses_other_trials_now() {
    let tpe = Method::Tpe(experiment::TpeConfig::default());
    // Another study's trials, as a file would give them.
    let mut source = spec(6, "before");
    source.method = tpe;
    let before = run(&Store::temporary().unwrap(), &source, &quadratic(2.0), 1);
    let read = |trials: &[Trial]| WarmStarted {
        source: "runs/past.csv".into(),
        trials: trials.to_vec(),
        left_out: vec!["line 9: it has no `x`".into()],
    };
    let mut warm = spec(3, "warm");
    warm.method = tpe;
    warm.warm_start = Some(warm_from_file());
    let store = Store::temporary().unwrap();
    let clock = TickClock(AtomicI64::new(100));
    // Each file's bytes stand for the trials they give.
    let go = |store: &Store, file: Option<WarmStarted>, extend: Option<u32>| {
        let options = StudyOptions {
            warm_file: file.map(|trials| WarmFile::Read {
                sha256: store::warm_start_digest(&trials),
                trials,
            }),
            extend,
            ..options(1)
        };
        run_study(
            store,
            &warm,
            &quadratic(2.0),
            &SilentObserver,
            &clock,
            &options,
        )
    };
    let first = go(&store, Some(read(&before.trials)), None).unwrap();
    assert_eq!(store.warm_start("toy").unwrap(), Some(read(&before.trials)));
    let mut cold = warm.clone();
    cold.warm_start = None;
    let cold = run(&Store::temporary().unwrap(), &cold, &quadratic(2.0), 1);
    assert_ne!(first.trials[0].params, cold.trials[0].params);
    // Extended with the file gone, or the same trials read from another path (a folder moved
    // since): the trials taken at creation count.
    let moved = WarmStarted {
        source: "/moved/runs/past.csv".into(),
        left_out: Vec::new(),
        ..read(&before.trials)
    };
    let extended = go(&store, Some(moved), Some(1)).unwrap();
    assert_eq!(store.warm_start("toy").unwrap(), Some(read(&before.trials)));
    assert_eq!(extended.trials[..3], first.trials[..]);
    assert!(go(&store, None, Some(1)).is_ok());
    // Issue: a file that gives other trials now was taken as the same (its path is no part of
    // the meaning): refused, naming what it gave then and now, before anything is written.
    let planned = store.experiment("toy").unwrap().unwrap().run_cap;
    let refused = go(&store, Some(read(&before.trials[..1])), Some(1))
        .unwrap_err()
        .to_string();
    let digest = |trials: &[Trial]| {
        experiment::short_hash(&store::warm_start_digest(&read(trials))).to_string()
    };
    assert_eq!(
        refused,
        format!(
            "warm_start: the file of results experiment `toy` warm-started from changed since \
             it started: runs/past.csv gave 6 trials, now 1 (the file's sha256, as `sha256sum` \
             prints it, was {0}, now {1}; the digest of the trials it gives was {0}, now {1}); \
             its trials so far learned from the trials as they were, so nothing runs: restore \
             the file, give the experiment a new `name:` to start over from the new one, or \
             remove it",
            digest(&before.trials),
            digest(&before.trials[..1])
        )
    );
    assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, planned);
    // A caller that did not read the file is refused before anything is written.
    let empty = Store::temporary().unwrap();
    let refused = go(&empty, None, None).unwrap_err().to_string();
    assert!(
        refused.starts_with("warm_start: runs/past.csv was not read"),
        "{refused}"
    );
    assert!(empty.experiment("toy").unwrap().is_none());
}

#[test]
fn enqueued_trials_run_first_and_the_sampler_learns_from_them() {
    let mut spec = spec(8, "a");
    spec.method = Method::Tpe(experiment::TpeConfig::default());
    let given = |lr: f64| Params::from([("lr".to_string(), experiment::ParamValue::Float(lr))]);
    spec.enqueue = vec![given(0.25), given(0.75)];
    let serial = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 1);
    // Side by side, a trial's history is what the window allows, the same on every run.
    let side_by_side = || run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 3);
    let first = side_by_side();
    assert_eq!(values(&first), values(&side_by_side()));
    assert_eq!(first.trials[1].params, given(0.75));
    assert_eq!(serial.trials[0].params, given(0.25));
    assert_eq!(serial.trials[1].params, given(0.75));
    // The later trials are the sampler's, given the enqueued ones as history.
    let sampler = search::sampler_of(&spec);
    for k in 2..serial.trials.len() {
        let ctx = search::SuggestContext {
            space: &spec.space,
            finished: &serial.trials[..k],
            running: &[],
            pinned: &Params::new(),
            trial: serial.trials[k].id,
            planned: Some(8),
        };
        assert_eq!(
            serial.trials[k].params,
            sampler.suggest_in(&ctx).unwrap(),
            "{k}"
        );
    }
    // Without the queue, trial 0 is the sampler's own.
    spec.enqueue.clear();
    let sampled = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 1);
    assert_ne!(sampled.trials[0].params, given(0.25));
}

#[test]
fn an_entry_given_in_part_leaves_the_rest_to_the_sampler() {
    let mut spec = spec(6, "a");
    spec.method = Method::Tpe(experiment::TpeConfig {
        n_startup_trials: 1,
        ..experiment::TpeConfig::default()
    });
    let mut params = spec.space.params().to_vec();
    params.push(Param {
        condition: None,
        name: "width".into(),
        distribution: Distribution::Categorical {
            values: vec![
                experiment::ParamValue::Str("a".into()),
                experiment::ParamValue::Str("b".into()),
            ],
            probabilities: None,
        },
    });
    spec.space = SearchSpace::new(params);
    let lr = |x: f64| ("lr".to_string(), experiment::ParamValue::Float(x));
    let width = |w: &str| ("width".to_string(), experiment::ParamValue::Str(w.into()));
    spec.enqueue = vec![
        Params::from([lr(0.25), width("a")]),
        Params::from([width("b")]),
        Params::from([lr(0.5)]),
    ];
    let serial = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 1);
    assert_eq!(serial.trials[0].params, spec.enqueue[0]);
    // Each trial given in part is the sampler's proposal with its given values, made from
    // the trials before it, as any trial's is.
    let sampler = search::sampler_of(&spec);
    for k in 1..3 {
        let ctx = search::SuggestContext {
            space: &spec.space,
            finished: &serial.trials[..k],
            running: &[],
            pinned: &spec.enqueue[k],
            trial: serial.trials[k].id,
            planned: Some(6),
        };
        let proposed = sampler.suggest_in(&ctx).unwrap();
        assert_eq!(serial.trials[k].params, proposed, "{k}");
        assert!(spec.enqueue[k].iter().all(|(n, v)| proposed[n] == *v));
        assert_eq!(proposed.len(), 2);
    }
    let side_by_side = || run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 3);
    let first = side_by_side();
    let params =
        |s: &StudySummary| -> Vec<Params> { s.trials.iter().map(|t| t.params.clone()).collect() };
    assert_eq!(params(&first), params(&side_by_side()));
    assert_eq!(values(&first), values(&side_by_side()));
}

#[test]
fn model_based_sampling_and_pruning_do_not_depend_on_timing() {
    // ASHA waits only at its rungs (1 and 2 of 3 steps), the median rule after its warm-up
    // step, Hyperband at the rungs of each trial's bracket.
    let pruners = [
        experiment::PrunerSpec::Asha {
            min_resource: 1,
            reduction_factor: 2,
        },
        experiment::PrunerSpec::Median {
            n_startup_trials: 2,
            n_warmup_steps: 1,
        },
        experiment::PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 3,
            reduction_factor: 2,
            strict: false,
        },
    ];
    for pruner in pruners {
        same_results_under_different_timing(Method::Tpe(experiment::TpeConfig::default()), pruner);
    }
}

#[test]
fn cmaes_generations_do_not_depend_on_timing() {
    // Generations of 3 with 3 trials side by side: a generation's first trials cannot see
    // the end of the one before, and draw from the last state they can see.
    let cmaes = Method::CmaEs(experiment::CmaEsConfig {
        popsize: Some(3),
        ..experiment::CmaEsConfig::default()
    });
    same_results_under_different_timing(
        cmaes,
        experiment::PrunerSpec::Median {
            n_startup_trials: 2,
            n_warmup_steps: 1,
        },
    );
}

#[test]
fn nsga2_generations_do_not_depend_on_timing() {
    // Generations of 4 with 3 trials side by side; with uniform crossover a child takes
    // `lr` from one of its two parents (two different trials) unless mutated, half the time.
    // (BLX, the default, draws between the parents.)
    let nsga2 = Method::Nsga2(experiment::Nsga2Config {
        population_size: 4,
        mutation_prob: Some(0.5),
        crossover: experiment::Crossover::Uniform,
        ..experiment::Nsga2Config::default()
    });
    let pruner = experiment::PrunerSpec::Median {
        n_startup_trials: 2,
        n_warmup_steps: 1,
    };
    let view = results_under_different_timing(nsga2, pruner);
    let bred = view[4..]
        .iter()
        .filter(|t| view[..t.0 as usize].iter().any(|earlier| earlier.3 == t.3))
        .count();
    assert!(bred > 0, "no child inherited its parameter: {view:?}");
}

fn same_results_under_different_timing(method: Method, pruner: experiment::PrunerSpec) {
    let view = results_under_different_timing(method, pruner);
    let distinct: std::collections::BTreeSet<_> = view.into_iter().map(|v| v.3).collect();
    assert_eq!(distinct.len(), 12, "every trial has parameters of its own");
}

/// Runs 12 trials of `method`, 3 side by side, twice with different timing, checks that the
/// trials are the same and that the pruner fired, and returns them.
fn results_under_different_timing(
    method: Method,
    pruner: experiment::PrunerSpec,
) -> Vec<(u32, TrialState, Option<String>, Option<u64>)> {
    let mut spec = spec(12, "a");
    spec.method = method;
    spec.pruner = pruner;
    let slow_odd = Quadratic {
        jitter: |k| if k % 2 == 1 { 3 } else { 0 },
        ..quadratic(2.0)
    };
    let slow_even = Quadratic {
        jitter: |k| if k % 2 == 0 { 3 } else { 0 },
        ..quadratic(2.0)
    };
    let a = run(&Store::temporary().unwrap(), &spec, &slow_odd, 3);
    let b = run(&Store::temporary().unwrap(), &spec, &slow_even, 3);
    let view = |s: &StudySummary| {
        s.trials
            .iter()
            .map(|t| {
                (
                    t.id.0,
                    t.state,
                    t.reason.clone(),
                    t.params["lr"].as_f64().map(f64::to_bits),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(view(&a), view(&b));
    assert!(
        a.count(TrialState::Pruned) > 0,
        "{:?} never fired: {:?}",
        spec.pruner,
        view(&a)
    );
    view(&a)
}
