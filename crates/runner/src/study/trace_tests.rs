//! Tests of the trace a trial's record keeps of its attempts cut off (`store::TrialTrace`): a
//! stop's and a kill's, written by the workers, and results that do not depend on them.

use std::sync::atomic::AtomicI64;
use std::sync::Mutex;

use experiment::{MetricPoint, Step, Trial, TrialId, TrialState};
use store::{CutAttempt, CutBy, Heard, Store, TrialTrace};

use crate::testing::*;
use crate::{run_study, Observer};

/// Returns every stored trial's trace.
fn traces(store: &Store) -> Vec<TrialTrace> {
    let traced = store.traced_trials("toy").unwrap();
    traced.into_iter().map(|(_, trace)| trace).collect()
}

#[test]
fn a_stopped_attempt_is_kept_in_its_trials_trace_and_the_rerun_gives_the_same_result() {
    let store = Store::temporary().unwrap();
    let stopped = run_stopped_at(&store, (TrialId(3), Step(2)));
    assert!(stopped.interrupted);
    let (queued, trace) = store.trial_traced("toy", TrialId(3)).unwrap().unwrap();
    assert_eq!((queued.state, queued.started), (TrialState::Queued, None));
    let [cut] = trace.cut[..] else {
        panic!("one attempt cut off: {trace:?}")
    };
    assert_eq!((cut.by, cut.epochs), (CutBy::Stop, 2));
    assert!(cut.ended > cut.started, "{cut:?}");
    assert_eq!(trace.heard, None, "a queued trial is not running");

    let resumed = run(&store, &spec(6, "a"), &quadratic(2.0), 1);
    let uninterrupted_store = Store::temporary().unwrap();
    let uninterrupted = run(&uninterrupted_store, &spec(6, "a"), &quadratic(2.0), 1);
    assert_eq!(values(&resumed), values(&uninterrupted));
    // The re-run's trial is the uninterrupted one's but for its times; it keeps the attempt.
    let (rerun, trace) = store.trial_traced("toy", TrialId(3)).unwrap().unwrap();
    let same = &uninterrupted.trials[3];
    assert_eq!((&rerun.params, &rerun.result), (&same.params, &same.result));
    assert_eq!(trace.cut, [cut]);
    assert_eq!(trace.heard, None, "a finished trial's end is known");
    // A run never cut off keeps no trace at all: its records are as before traces existed.
    assert!(traces(&uninterrupted_store)
        .iter()
        .all(TrialTrace::is_empty));
}

/// Runs `spec(6, "a")` one trial at a time in `store`, stopping the study when trial `at`
/// reports `step`, as a Ctrl-C then would.
fn run_stopped_at(store: &Store, (at, step): (TrialId, Step)) -> crate::StudySummary {
    let observer = StopAt {
        at,
        step,
        stop: crate::Stop::default(),
        close: false,
    };
    let options = crate::StudyOptions {
        stop: observer.stop.clone(),
        ..options(1)
    };
    let clock = TickClock(AtomicI64::new(0));
    let objective = quadratic(2.0);
    run_study(
        store,
        &spec(6, "a"),
        &objective,
        &observer,
        &clock,
        &options,
    )
    .unwrap()
}

/// Keeps trial `at`'s stored record as it is once the trial reported `step`: what a kill at
/// that moment would leave in the store.
struct KeepRecord<'a> {
    store: &'a Store,
    at: (TrialId, Step),
    kept: Mutex<Option<(Trial, TrialTrace)>>,
}

impl Observer for KeepRecord<'_> {
    fn trial_reported(&self, trial: TrialId, step: Step, _metrics: &[MetricPoint]) {
        if (trial, step) == self.at {
            *self.kept.lock().unwrap() = self.store.trial_traced("toy", trial).unwrap();
        }
    }
}

#[test]
fn a_killed_attempt_ends_at_its_last_report_and_the_rerun_keeps_it() {
    let store = Store::temporary().unwrap();
    let spec = spec(4, "a");
    let observer = KeepRecord {
        store: &store,
        at: (TrialId(1), Step(2)),
        kept: Mutex::default(),
    };
    let clock = TickClock(AtomicI64::new(0));
    let objective = quadratic(2.0);
    let first = run_study(&store, &spec, &objective, &observer, &clock, &options(1)).unwrap();
    let kept = observer.kept.lock().unwrap().take();
    let (killed, trace) = kept.expect("trial 1 reported epoch 2");
    // Each report's write of the metrics stored the trial as heard from then.
    assert_eq!(killed.state, TrialState::Running);
    let heard = trace.heard.expect("heard from at its report");
    assert_eq!(heard.step, Step(2));
    let started = killed.started.unwrap();
    assert!(heard.at > started, "{heard:?} {started:?}");
    // As a kill then left it: running, its curve so far beside it.
    store.put_trial_traced("toy", &killed, &trace).unwrap();
    assert_eq!(trace.interrupted_at(&killed, false), Some(heard.at));

    let resumed = run(&store, &spec, &quadratic(2.0), 1);
    assert_eq!(
        values(&resumed),
        values(&first),
        "the re-run's result is the same"
    );
    let (rerun, trace) = store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
    assert_eq!(rerun.state, TrialState::Completed);
    let Heard { at, step } = heard;
    assert_eq!(
        trace,
        TrialTrace {
            heard: None,
            cut: vec![CutAttempt {
                started,
                ended: at,
                epochs: step.0,
                by: CutBy::Kill,
            }],
        }
    );
    // The re-run's curve is its own: the killed attempt's points went.
    let curve = store.metric_series("toy", TrialId(1), "val_loss").unwrap();
    assert_eq!(curve.len(), 3);
}

/// Reads trial 1's record and the length of its curve as the study starts, before any worker
/// does: what every reader of the store sees then.
struct AtStart<'a> {
    store: &'a Store,
    seen: Mutex<Option<(Trial, TrialTrace, usize)>>,
}

impl Observer for AtStart<'_> {
    fn study_started(&self, _plan: &crate::StudyPlan) {
        let (trial, trace) = self.store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
        let curve = self
            .store
            .metric_series("toy", TrialId(1), "val_loss")
            .unwrap();
        *self.seen.lock().unwrap() = Some((trial, trace, curve.len()));
    }
}

/// Issue: a resume left a trial the killed run left `running` as running, with the killed
/// attempt's last epoch and curve, until its worker took it again (with fewer side by side,
/// long after the resume started): the sweep's own dashboard showed it running. It is put back
/// in the queue, its attempt cut off by the kill in its trace, before any worker starts.
#[test]
fn issue_a_trial_a_kill_left_running_is_queued_with_its_attempt_cut_off_as_the_resume_starts() {
    let store = Store::temporary().unwrap();
    let spec = spec(4, "a");
    let observer = KeepRecord {
        store: &store,
        at: (TrialId(1), Step(2)),
        kept: Mutex::default(),
    };
    let clock = TickClock(AtomicI64::new(0));
    let first = run_study(
        &store,
        &spec,
        &quadratic(2.0),
        &observer,
        &clock,
        &options(1),
    )
    .unwrap();
    let (killed, trace) = observer.kept.lock().unwrap().take().unwrap();
    let heard = trace.heard.expect("heard from at its report");
    store.put_trial_traced("toy", &killed, &trace).unwrap();

    let at_start = AtStart {
        store: &store,
        seen: Mutex::default(),
    };
    let resumed = run_study(
        &store,
        &spec,
        &quadratic(2.0),
        &at_start,
        &clock,
        &options(1),
    )
    .unwrap();
    let (queued, trace, curve) = at_start.seen.lock().unwrap().take().unwrap();
    assert_eq!((queued.state, queued.started), (TrialState::Queued, None));
    assert_eq!(queued.params, killed.params);
    let cut = CutAttempt {
        started: killed.started.unwrap(),
        ended: heard.at,
        epochs: heard.step.0,
        by: CutBy::Kill,
    };
    assert_eq!(
        trace,
        TrialTrace {
            heard: None,
            cut: vec![cut],
        }
    );
    assert_eq!(curve, 0, "the killed attempt's curve went");
    // Its rerun keeps the attempt once, and the results are the uninterrupted run's.
    assert_eq!(values(&resumed), values(&first));
    let (_, trace) = store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
    assert_eq!(trace.cut, [cut]);
}

/// Trial 0 waits until trial 1 reported its first epoch (and so waits for trial 0's under the
/// median rule), then is not kept for a reason outside it: the study aborts trial 1's wait.
struct AbortWhileOthersWait {
    inner: crate::testing::Quadratic,
    waiting: Mutex<std::sync::mpsc::Receiver<()>>,
}

impl experiment::Objective for AbortWhileOthersWait {
    fn run(
        &self,
        ctx: &experiment::TrialContext<'_>,
        reporter: &mut dyn experiment::Reporter,
    ) -> experiment::TrialOutcome {
        if ctx.trial == TrialId(0) {
            let waiting = self.waiting.lock().unwrap();
            // A deadline only against a hang should trial 1 never report.
            let _ = waiting.recv_timeout(std::time::Duration::from_secs(60));
            return experiment::TrialOutcome::Aborted {
                reason: "checkpoint 0.tmp: No space left on device".into(),
            };
        }
        self.inner.run(ctx, reporter)
    }
}

/// Tells trial 0 that trial 1 reported its first epoch.
struct SayWhenWaiting(Mutex<std::sync::mpsc::Sender<()>>);

impl Observer for SayWhenWaiting {
    fn trial_reported(&self, trial: TrialId, step: Step, _metrics: &[MetricPoint]) {
        if (trial, step) == (TrialId(1), Step(1)) {
            let _ = self.0.lock().unwrap().send(());
        }
    }
}

#[test]
fn a_trial_whose_wait_the_study_aborts_goes_back_in_the_queue_as_stopped_not_killed() {
    let store = Store::temporary().unwrap();
    let mut spec = spec(2, "a");
    spec.pruner = experiment::PrunerSpec::Median {
        n_startup_trials: 0,
        n_warmup_steps: 0,
    };
    let (tell, waiting) = std::sync::mpsc::channel();
    let objective = AbortWhileOthersWait {
        inner: quadratic(2.0),
        waiting: Mutex::new(waiting),
    };
    let observer = SayWhenWaiting(Mutex::new(tell));
    let clock = TickClock(AtomicI64::new(0));
    let err = run_study(&store, &spec, &objective, &observer, &clock, &options(2))
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.to_string().starts_with("trial 0 could not be kept"),
        "{err}"
    );
    // Trial 1, aborted while it waited, is back in the queue, its attempt kept as stopped.
    let (aborted, trace) = store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
    assert_eq!((aborted.state, aborted.started), (TrialState::Queued, None));
    let bys: Vec<CutBy> = trace.cut.iter().map(|c| c.by).collect();
    assert_eq!(bys, [CutBy::Stop], "{trace:?}");

    let resumed = run(&store, &spec, &quadratic(2.0), 1);
    assert!(resumed
        .trials
        .iter()
        .all(|t| t.state != TrialState::Running && t.state != TrialState::Queued));
    let (_, trace) = store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
    let bys: Vec<CutBy> = trace.cut.iter().map(|c| c.by).collect();
    assert_eq!(bys, [CutBy::Stop], "not recorded as killed: {trace:?}");
}

#[test]
fn a_trial_an_older_build_left_running_counts_its_curves_epochs_and_no_time() {
    let store = Store::temporary().unwrap();
    let spec = spec(2, "a");
    let first = run(&store, &spec, &quadratic(2.0), 1);
    // As a build that kept no last-heard time left trial 1 when killed after 2 epochs:
    // running, no trace (a record of version 1), its curve so far beside it.
    let mut killed = first.trials[1].clone();
    killed.state = TrialState::Running;
    (killed.finished, killed.result, killed.reason) = (None, None, None);
    store
        .put_trial_traced("toy", &killed, &TrialTrace::default())
        .unwrap();
    store.clear_metrics("toy", TrialId(1)).unwrap();
    for step in [1, 2] {
        let points = [MetricPoint {
            name: "val_loss".into(),
            value: 1.0,
        }];
        store
            .append_metrics("toy", TrialId(1), Step(step), &points)
            .unwrap();
    }

    let resumed = run(&store, &spec, &quadratic(2.0), 1);
    assert_eq!(values(&resumed), values(&first));
    let (_, trace) = store.trial_traced("toy", TrialId(1)).unwrap().unwrap();
    let started = killed.started.unwrap();
    assert_eq!(
        trace.cut,
        [CutAttempt {
            started,
            ended: started,
            epochs: 2,
            by: CutBy::KillUnheard,
        }]
    );
    assert_eq!(
        trace.cut_text().unwrap(),
        "1 (killed): 2 epochs, time unknown"
    );
}
