//! Tests of what a stop (`Stop::request`, a Ctrl-C) does to a trial whose training is over
//! when it comes: its last epoch reported, or ended by its own early stopping or a pruning
//! decision already taken. Such a trial is stored as an uninterrupted run stores it; a trial
//! still mid-training is cut off and run again on resume. An agent's trials alike: the
//! reporter they share decides it.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use experiment::{
    Constraint, Control, MetricPoint, Objective, Reporter, Step, Trial, TrialContext, TrialId,
    TrialOutcome, TrialResult, TrialState,
};
use store::{CutBy, Store, TrialTrace};

use crate::testing::*;
use crate::{run_study, SilentObserver, Stop, StudyOptions, StudySummary};

/// The epochs of every trial of `Trained`.
const EPOCHS: u32 = 3;

/// The toy objective as the trainer drives a trial (`trainer::trial::drive`): the loss of
/// trial `x = lr` falls towards `(x - 0.3)^2` over `EPOCHS` epochs, the last reported with
/// `report_last`; trial `stops_early.0` ends on its own after epoch `stops_early.1` (early
/// stopping), and once a trial's training is over the objective still works (as the trainer
/// then writes its best epoch's checkpoint), during which `stop_after` stops the study when it
/// names the trial.
struct Trained {
    stops_early: Option<(TrialId, u32)>,
    stop_after: Option<(TrialId, Stop)>,
    /// Whether the trials from 3 on report a `param_count` of 100 (the others, and every
    /// trial without it, 1).
    too_large: bool,
    calls: AtomicU32,
}

impl Objective for Trained {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let x = ctx.params["lr"].as_f64().unwrap_or(f64::NAN);
        let params = if self.too_large && ctx.trial.0 >= 3 {
            100.0
        } else {
            1.0
        };
        let mut best: Option<TrialResult> = None;
        let mut stopped_early = None;
        let mut pruned = None;
        for n in 1..=EPOCHS {
            let loss = (x - 0.3).powi(2) + 1.0 / f64::from(n);
            let points = [
                MetricPoint {
                    name: "val_loss".into(),
                    value: loss,
                },
                MetricPoint {
                    name: "param_count".into(),
                    value: params,
                },
            ];
            best = Some(TrialResult {
                best_step: Step(n),
                metrics: [("val_loss".to_string(), loss)].into(),
            });
            let control = if n == EPOCHS {
                reporter.report_last(Step(n), &points)
            } else {
                reporter.report(Step(n), &points)
            };
            if control == Control::Prune {
                pruned = Some(Step(n));
                break;
            }
            if self.stops_early == Some((ctx.trial, n)) {
                stopped_early = Some(Step(n));
                break;
            }
        }
        // Training is over: what the trainer does now (a checkpoint's write) is where this
        // stop comes.
        if let Some((at, stop)) = &self.stop_after {
            if *at == ctx.trial {
                stop.request();
            }
        }
        match (pruned, best) {
            (Some(at), result) => TrialOutcome::Pruned { at, result },
            (None, Some(result)) => TrialOutcome::Completed {
                result,
                stopped_early,
            },
            (None, None) => TrialOutcome::Failed {
                reason: "no epoch was run".into(),
            },
        }
    }
}

fn trained() -> Trained {
    Trained {
        stops_early: None,
        stop_after: None,
        too_large: false,
        calls: AtomicU32::new(0),
    }
}

/// Runs `spec` one trial at a time in a new store with `objective`, stopping the study when
/// trial `at` reports epoch `step` (when given), as a Ctrl-C then would; `stop` is the study's.
fn run_stopped(
    store: &Store,
    spec: &experiment::ExperimentSpec,
    objective: &Trained,
    (stop, at): (Stop, Option<(TrialId, Step)>),
) -> StudySummary {
    let options = StudyOptions {
        stop: stop.clone(),
        ..options(1)
    };
    let clock = TickClock(AtomicI64::new(0));
    let result = match at {
        Some((at, step)) => {
            let observer = StopAt {
                at,
                step,
                stop,
                close: false,
            };
            run_study(store, spec, objective, &observer, &clock, &options)
        }
        None => run_study(store, spec, objective, &SilentObserver, &clock, &options),
    };
    result.unwrap()
}

/// Returns what an uninterrupted run stores of a trial, but for its times.
fn kept(trial: &Trial) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        trial.id,
        trial.seed,
        &trial.params,
        trial.state,
        &trial.reason,
        &trial.result,
    )
}

/// Checks that trial `id` of `store` is stored as `uninterrupted`'s (state, reason, result,
/// curves), without a trace of an attempt cut off, and that resuming `store` gives
/// `uninterrupted`'s results, running only the trials the stop kept from starting.
fn assert_kept_and_resumed(
    store: &Store,
    spec: &experiment::ExperimentSpec,
    id: TrialId,
    (uninterrupted, uninterrupted_store): (&StudySummary, &Store),
) {
    let (stored, trace) = store.trial_traced("toy", id).unwrap().unwrap();
    let same = &uninterrupted.trials[usize::try_from(id.0).unwrap()];
    assert_eq!(kept(&stored), kept(same));
    assert!(trace.is_empty(), "no attempt was cut off: {trace:?}");
    for metric in ["val_loss", "param_count"] {
        assert_eq!(
            store.metric_series("toy", id, metric).unwrap(),
            uninterrupted_store
                .metric_series("toy", id, metric)
                .unwrap(),
            "{metric}"
        );
    }
    let resumed_objective = trained_like(spec);
    let resumed = run(store, spec, &resumed_objective, 1);
    assert_eq!(values(&resumed), values(uninterrupted));
    let later = spec.run_cap - id.0 - 1;
    assert_eq!(
        resumed_objective.calls.load(Ordering::SeqCst),
        later,
        "only the trials after trial {id:?} run on resume"
    );
    for (a, b) in resumed.trials.iter().zip(&uninterrupted.trials) {
        assert_eq!(kept(a), kept(b));
    }
}

/// Returns the `Trained` that `spec`'s tests run (`too_large` with a constraint).
fn trained_like(spec: &experiment::ExperimentSpec) -> Trained {
    Trained {
        too_large: !spec.constraints.is_empty(),
        ..trained()
    }
}

#[test]
fn a_stop_at_a_trials_last_report_keeps_the_trial_as_an_uninterrupted_run_stores_it() {
    let spec = spec(6, "a");
    let uninterrupted_store = Store::temporary().unwrap();
    let uninterrupted = run(&uninterrupted_store, &spec, &trained(), 1);
    assert!(!uninterrupted.interrupted);

    // A Ctrl-C as trial 3 reports its last epoch: its training is over, so it is kept.
    let store = Store::temporary().unwrap();
    let stop = (Stop::default(), Some((TrialId(3), Step(EPOCHS))));
    let stopped = run_stopped(&store, &spec, &trained(), stop);
    assert!(stopped.interrupted);
    let states: Vec<TrialState> = stopped.trials.iter().map(|t| t.state).collect();
    assert_eq!(states, [TrialState::Completed; 4]);
    assert_eq!(stopped.ran, 4);
    assert_kept_and_resumed(
        &store,
        &spec,
        TrialId(3),
        (&uninterrupted, &uninterrupted_store),
    );

    // A Ctrl-C at its epoch before the last still cuts it off, to run again on resume.
    let store = Store::temporary().unwrap();
    let stop = (Stop::default(), Some((TrialId(3), Step(EPOCHS - 1))));
    let stopped = run_stopped(&store, &spec, &trained(), stop);
    assert_eq!(stopped.trials[3].state, TrialState::Queued);
    let (_, trace) = store.trial_traced("toy", TrialId(3)).unwrap().unwrap();
    let cut: Vec<(CutBy, u32)> = trace.cut.iter().map(|c| (c.by, c.epochs)).collect();
    assert_eq!(cut, [(CutBy::Stop, EPOCHS - 1)]);
    let resumed = run(&store, &spec, &trained(), 1);
    assert_eq!(values(&resumed), values(&uninterrupted));
}

#[test]
fn a_stop_after_a_trial_ended_by_its_own_early_stopping_or_pruning_keeps_it() {
    // Early stopping ends trial 3 after epoch 2; the stop comes as it writes its checkpoint.
    let spec = spec(6, "a");
    let early = || Trained {
        stops_early: Some((TrialId(3), EPOCHS - 1)),
        ..trained()
    };
    let uninterrupted_store = Store::temporary().unwrap();
    let uninterrupted = run(&uninterrupted_store, &spec, &early(), 1);
    assert_eq!(
        uninterrupted.trials[3].reason.as_deref(),
        Some("early stopping at epoch 2")
    );
    let store = Store::temporary().unwrap();
    let stop = Stop::default();
    let objective = Trained {
        stop_after: Some((TrialId(3), stop.clone())),
        ..early()
    };
    let stopped = run_stopped(&store, &spec, &objective, (stop, None));
    assert!(stopped.interrupted);
    assert_eq!(stopped.count(TrialState::Completed), 4);
    let resumed_objective = early();
    let resumed = run(&store, &spec, &resumed_objective, 1);
    assert_eq!(values(&resumed), values(&uninterrupted));
    assert_eq!(kept(&resumed.trials[3]), kept(&uninterrupted.trials[3]));
    assert_eq!(resumed_objective.calls.load(Ordering::SeqCst), 2);

    // A constraint no epoch changes prunes trial 3 at epoch 1; the stop comes after.
    let mut spec = spec;
    spec.constraints = vec![Constraint {
        metric: "param_count".into(),
        min: None,
        max: Some(10.0),
    }];
    let uninterrupted_store = Store::temporary().unwrap();
    let uninterrupted = run(&uninterrupted_store, &spec, &trained_like(&spec), 1);
    assert_eq!(uninterrupted.trials[3].state, TrialState::Pruned);
    let store = Store::temporary().unwrap();
    let stop = Stop::default();
    let objective = Trained {
        stop_after: Some((TrialId(3), stop.clone())),
        ..trained_like(&spec)
    };
    let stopped = run_stopped(&store, &spec, &objective, (stop, None));
    assert!(stopped.interrupted);
    assert_eq!(stopped.trials.len(), 4);
    assert_kept_and_resumed(
        &store,
        &spec,
        TrialId(3),
        (&uninterrupted, &uninterrupted_store),
    );
}

/// A trial cut off keeps a trace; one never cut off keeps none (as `TrialTrace::is_empty`).
#[test]
fn a_trial_kept_through_a_stop_is_stored_as_one_never_cut_off() {
    let store = Store::temporary().unwrap();
    let spec = spec(2, "a");
    let stop = (Stop::default(), Some((TrialId(1), Step(EPOCHS))));
    let stopped = run_stopped(&store, &spec, &trained(), stop);
    // Every trial ended, so the study is not interrupted, though the stop came.
    assert!(!stopped.interrupted);
    let traced = store.traced_trials("toy").unwrap();
    assert!(traced.iter().all(|(_, trace)| TrialTrace::is_empty(trace)));
}

/// Agent `agent` of 2 meeting in `exchange`, running one trial at a time.
fn agent(agent: u32, exchange: &std::path::Path, stop: &Stop) -> StudyOptions {
    StudyOptions {
        agent: Some(crate::AgentOptions {
            agent,
            agents: 2,
            exchange: exchange.to_path_buf(),
            poll: std::time::Duration::from_millis(1),
            quiet_after: std::time::Duration::from_secs(3600),
        }),
        stop: stop.clone(),
        ..options(2)
    }
}

#[test]
fn an_agent_stopped_at_a_trials_last_report_keeps_it_and_tells_the_others() {
    let spec = spec(4, "a");
    let one_process_store = Store::temporary().unwrap();
    let one_process = run(&one_process_store, &spec, &trained(), 2);
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            let store = Store::temporary().unwrap();
            let clock = TickClock(AtomicI64::new(0));
            let options = agent(0, dir.path(), &Stop::default());
            let summary = run_study(&store, &spec, &trained(), &SilentObserver, &clock, &options);
            (store, summary.unwrap())
        });
        // Agent 1 (trials 1 and 3) is stopped as its trial 1 reports its last epoch.
        let store = Store::temporary().unwrap();
        let observer = StopAt {
            at: TrialId(1),
            step: Step(EPOCHS),
            stop: Stop::default(),
            close: false,
        };
        let clock = TickClock(AtomicI64::new(0));
        let options = agent(1, dir.path(), &observer.stop);
        let stopped = run_study(&store, &spec, &trained(), &observer, &clock, &options);
        assert!(stopped.unwrap().interrupted);
        // Started again, it trains trial 3 only: trial 1 was kept.
        let objective = trained();
        let clock = TickClock(AtomicI64::new(0));
        let options = agent(1, dir.path(), &Stop::default());
        let again = run_study(&store, &spec, &objective, &SilentObserver, &clock, &options);
        assert_eq!(objective.calls.load(Ordering::SeqCst), 1);
        (first.join().unwrap(), (store, again.unwrap()))
    });
    for (store, summary) in [first, second] {
        assert_eq!(values(&summary), values(&one_process));
        for (a, b) in summary.trials.iter().zip(&one_process.trials) {
            assert_eq!(kept(a), kept(b));
        }
        // In agent 1's store as it wrote it, and in agent 0's as the journal carried it.
        let (_, trace) = store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
        assert!(trace.is_empty(), "no attempt was cut off: {trace:?}");
    }
}
