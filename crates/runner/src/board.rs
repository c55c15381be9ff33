//! The board: what every worker thread knows about every trial, and the waits that make a
//! parallel study deterministic.
//!
//! The rule (documented in ARCHITECTURE.md): with `parallel = p`,
//! - the parameters of trial `k` are suggested from the finished trials numbered `k - p` and
//!   below (waiting for them where the proposal can depend on them: `Sampler::learns_from`),
//!   with trials `k - p + 1 .. k - 1` passed as running;
//! - a pruning decision about trial `k` at step `s` uses the objective values of the trials
//!   numbered below `k` up to step `s`, waiting until each has reported step `s` or ended
//!   (only for decisions that can depend on them: `search::consults_others`);
//! - with a target, trial `k` starts only if none of the finished trials numbered `k - p` and
//!   below reached it, and with a plateau rule, only if those trials did not complete the
//!   plateau; one that does not start is `skip`ped, so that no wait hangs on it.
//!
//! Trials are dispatched in increasing order and a trial only ever waits for lower numbers, so
//! the waits cannot deadlock. The cost is idle time: a model-based sampler waits for the trial
//! `p` places back, and a pruned trial cannot pass a deciding step before the slower earlier
//! trials reach it.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::{Condvar, Mutex, MutexGuard};

use experiment::{Params, Step, Trial, TrialId};

/// A trial's objective values by step, in step order.
pub(crate) type Curve = Vec<(Step, f64)>;

/// Everything known about one trial.
#[derive(Debug, Clone, Default)]
struct Entry {
    /// The parameters, once chosen.
    params: Option<Params>,
    /// The objective's value at each reported step, in step order.
    curve: Vec<(Step, f64)>,
    /// The final record, once the trial has ended.
    finished: Option<Trial>,
    /// The trial will not start: an earlier one reached the objective's target or its plateau.
    skipped: bool,
}

/// Shared, lock-protected knowledge of all trials, with a condition variable for the waits.
#[derive(Debug, Default)]
pub(crate) struct Board {
    entries: Mutex<Inner>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Inner {
    trials: BTreeMap<TrialId, Entry>,
    aborted: bool,
    /// No new trial starts (`close`): waits for a new trial's parameters end.
    closed: bool,
}

/// Aborts its board when dropped during a panic (`Board::abort_on_panic`).
#[derive(Debug)]
pub(crate) struct AbortOnPanic<'a>(&'a Board);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.abort();
        }
    }
}

impl Inner {
    /// Whether a trial numbered above `k` is running: its pruning decisions may wait for
    /// trial `k`'s reports, so after a close trial `k` still starts (trials above it that have
    /// not started wait for its parameters, so they are running only where they needed no
    /// wait: enqueued whole, resumed, or drawn by a sampler that learns nothing yet).
    fn running_above(&self, k: TrialId) -> bool {
        self.trials
            .range((Excluded(k), Unbounded))
            .any(|(_, e)| e.params.is_some() && e.finished.is_none() && !e.skipped)
    }
}

/// The earlier trials as a pruning decision sees them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Earlier {
    /// Trials that reached the step or ended, with their curves up to the step.
    pub(crate) reached: Vec<(TrialId, Curve)>,
    /// Trials short of the step and still running (or not started).
    pub(crate) pending: Vec<TrialId>,
}

/// The study was aborted by an error in another worker while this one was waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Aborted;

/// Why the wait for a new trial's parameters ended without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsuggested {
    /// The study was aborted (`Board::abort`).
    Aborted,
    /// The study takes no new trial (`Board::close`).
    Closed,
}

/// What a sampler may see when suggesting a trial.
#[derive(Debug, Clone, Default)]
pub(crate) struct SamplerView {
    /// Finished trials it learns from.
    pub(crate) finished: Vec<Trial>,
    /// Parameters of the trials treated as running.
    pub(crate) running: Vec<Params>,
}

impl Board {
    /// Records a trial that ended in an earlier run, with its objective curve.
    pub(crate) fn preload(&self, trial: Trial, curve: Vec<(Step, f64)>) {
        let mut inner = self.lock();
        inner.trials.insert(
            trial.id,
            Entry {
                params: Some(trial.params.clone()),
                curve,
                finished: Some(trial),
                skipped: false,
            },
        );
    }

    /// Records the parameters chosen for `trial` and forgets any earlier partial curve.
    pub(crate) fn start(&self, trial: TrialId, params: Params) {
        let mut inner = self.lock();
        Self::record_start(&mut inner, trial, params);
        drop(inner);
        self.changed.notify_all();
    }

    /// Records the start of `trial`, run by this process, as `start` does; or once the board is
    /// closed, leaves it unstarted unless a later trial is running (which may wait for its
    /// reports: `running_above`).
    pub(crate) fn begin(&self, trial: TrialId, params: Params) -> Result<(), Unsuggested> {
        let mut inner = self.lock();
        if inner.closed && !inner.running_above(trial) {
            return Err(Unsuggested::Closed);
        }
        Self::record_start(&mut inner, trial, params);
        drop(inner);
        self.changed.notify_all();
        Ok(())
    }

    fn record_start(inner: &mut Inner, trial: TrialId, params: Params) {
        let entry = inner.trials.entry(trial).or_default();
        entry.params = Some(params);
        entry.curve.clear();
        entry.finished = None;
    }

    /// Records the objective's value of `trial` at `step`.
    pub(crate) fn report(&self, trial: TrialId, step: Step, value: f64) {
        self.lock()
            .trials
            .entry(trial)
            .or_default()
            .curve
            .push((step, value));
        self.changed.notify_all();
    }

    /// Records that `trial` will not start (the target was reached before it), so that no
    /// later trial waits for it.
    pub(crate) fn skip(&self, trial: TrialId) {
        self.lock().trials.entry(trial).or_default().skipped = true;
        self.changed.notify_all();
    }

    /// Records that `trial` has ended.
    pub(crate) fn finish(&self, trial: Trial) {
        let id = trial.id;
        self.lock().trials.entry(id).or_default().finished = Some(trial);
        self.changed.notify_all();
    }

    /// Returns the trials that have ended, by number.
    pub(crate) fn finished(&self) -> Vec<Trial> {
        self.lock()
            .trials
            .values()
            .filter_map(|e| e.finished.clone())
            .collect()
    }

    /// Returns the first trial numbered below `n` that has not ended and may still start:
    /// `None` once every one of them has ended or will not start.
    pub(crate) fn first_open_below(&self, n: u32) -> Option<TrialId> {
        let inner = self.lock();
        (0..n).map(TrialId).find(|j| {
            !inner
                .trials
                .get(j)
                .is_some_and(|e| e.skipped || e.finished.is_some())
        })
    }

    /// Wakes every waiting worker and makes their waits fail.
    pub(crate) fn abort(&self) {
        self.lock().aborted = true;
        self.changed.notify_all();
    }

    /// Returns a guard that aborts the board if its thread unwinds from a panic while holding
    /// it, so that no other thread waits for ever for the trials the panicking thread would
    /// have run or reported.
    pub(crate) fn abort_on_panic(&self) -> AbortOnPanic<'_> {
        AbortOnPanic(self)
    }

    /// Wakes the workers waiting for a new trial's parameters and makes those waits fail: the
    /// study takes no new trial, but for one a later running trial may wait for (`begin`).
    /// The waits of running trials go on.
    pub(crate) fn close(&self) {
        let mut inner = self.lock();
        if !inner.closed {
            inner.closed = true;
            self.changed.notify_all();
        }
    }

    /// Waits until every trial numbered `k - parallel` or below has ended, then returns them
    /// and the parameters of the trials between (which are running or ended); fails once the
    /// board is aborted, or closed while no trial after `k` is running.
    pub(crate) fn sampler_view(
        &self,
        k: TrialId,
        parallel: u32,
    ) -> Result<SamplerView, Unsuggested> {
        let horizon = k.0.checked_sub(parallel.max(1));
        let learned = |j: u32| horizon.is_some_and(|h| j <= h);
        // Every earlier trial must have its parameters, and those up to the horizon must have
        // ended, so that the view does not depend on which worker got where first.
        let view = self.wait_for(|inner| {
            if inner.closed && !inner.running_above(k) {
                return Some(None);
            }
            let ready = (0..k.0).all(|j| {
                inner.trials.get(&TrialId(j)).is_some_and(|e| {
                    if e.skipped {
                        true
                    } else if learned(j) {
                        e.finished.is_some()
                    } else {
                        e.params.is_some()
                    }
                })
            });
            ready.then(|| {
                let mut view = SamplerView::default();
                for (id, entry) in inner.trials.range(..k) {
                    match (&entry.finished, &entry.params) {
                        (Some(trial), _) if learned(id.0) => view.finished.push(trial.clone()),
                        (_, Some(params)) if !learned(id.0) => view.running.push(params.clone()),
                        _ => {}
                    }
                }
                Some(view)
            })
        });
        match view {
            Err(Aborted) => Err(Unsuggested::Aborted),
            Ok(None) => Err(Unsuggested::Closed),
            Ok(Some(view)) => Ok(view),
        }
    }

    /// Waits until every trial numbered below `k` has reported `step` or ended, or until
    /// `enough` says that those which have (with their curves up to `step`) decide the question
    /// whatever the others (by number) report. `pending` is empty unless `enough` cut the wait
    /// short.
    ///
    /// The check runs under the lock at every change of the board, so it borrows the curves;
    /// they are copied once, for the answer.
    pub(crate) fn curves_before(
        &self,
        k: TrialId,
        step: Step,
        enough: impl Fn(&[(TrialId, &[(Step, f64)])], &[TrialId]) -> bool,
    ) -> Result<Earlier, Aborted> {
        self.wait_for(|inner| {
            let mut reached = Vec::new();
            let mut pending = Vec::new();
            for j in (0..k.0).map(TrialId) {
                match inner.trials.get(&j) {
                    // Never below a running trial (skipping is for every trial from some
                    // number on), but nothing to wait for either way.
                    Some(e) if e.skipped => {}
                    Some(e)
                        if e.finished.is_some()
                            || e.curve.last().is_some_and(|(s, _)| *s >= step) =>
                    {
                        // Curves are in step order.
                        let upto = e.curve.partition_point(|(s, _)| *s <= step);
                        reached.push((j, &e.curve[..upto]));
                    }
                    _ => pending.push(j),
                }
            }
            (pending.is_empty() || enough(&reached, &pending)).then(|| Earlier {
                reached: reached.into_iter().map(|(j, c)| (j, c.to_vec())).collect(),
                pending,
            })
        })
    }

    /// Waits until `ready` returns something, checking again whenever the board changes.
    fn wait_for<T>(&self, ready: impl Fn(&Inner) -> Option<T>) -> Result<T, Aborted> {
        let mut inner = self.lock();
        loop {
            if inner.aborted {
                return Err(Aborted);
            }
            if let Some(value) = ready(&inner) {
                return Ok(value);
            }
            inner = self
                .changed
                .wait(inner)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use experiment::{Seed, TrialState};

    use super::*;

    fn ended(id: u32) -> Trial {
        Trial {
            id: TrialId(id),
            seed: Seed(0),
            params: Params::new(),
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: None,
        }
    }

    #[test]
    fn the_sampler_sees_trials_p_places_back_and_the_rest_as_running() {
        let board = Board::default();
        for j in 0..4 {
            board.start(TrialId(j), Params::new());
        }
        board.finish(ended(0));
        board.finish(ended(1));
        board.finish(ended(3));
        // Trial 4 with parallel 2: learns from 0..=2 (must wait for 2), sees 3 as running.
        let b = Arc::new(board);
        let waiter = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || b.sampler_view(TrialId(4), 2))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "must wait for trial 2");
        b.finish(ended(2));
        let view = waiter.join().unwrap().unwrap();
        let ids: Vec<u32> = view.finished.iter().map(|t| t.id.0).collect();
        assert_eq!(ids, [0, 1, 2]);
        assert_eq!(
            view.running.len(),
            1,
            "trial 3 counts as running although it ended"
        );
    }

    #[test]
    fn pruning_waits_for_earlier_trials_to_reach_the_step() {
        let b = Arc::new(Board::default());
        b.start(TrialId(0), Params::new());
        b.start(TrialId(1), Params::new());
        b.report(TrialId(0), Step(1), 0.5);
        let waiter = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || b.curves_before(TrialId(1), Step(2), |_, _| false))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "trial 0 has not reached step 2");
        b.report(TrialId(0), Step(2), 0.6);
        b.report(TrialId(0), Step(3), 0.7);
        let earlier = waiter.join().unwrap().unwrap();
        assert_eq!(
            earlier.reached,
            [(TrialId(0), vec![(Step(1), 0.5), (Step(2), 0.6)])]
        );
        assert!(earlier.pending.is_empty());
    }

    #[test]
    fn a_wait_for_curves_ends_once_the_reached_ones_are_enough() {
        let b = Arc::new(Board::default());
        for j in 0..3 {
            b.start(TrialId(j), Params::new());
        }
        b.report(TrialId(0), Step(1), 0.5);
        // Enough once two trials have reached step 1; trial 2 never does.
        let waiter = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || {
                b.curves_before(TrialId(3), Step(1), |reached, _| reached.len() >= 2)
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "only trial 0 has reached step 1");
        b.report(TrialId(1), Step(1), 0.7);
        let earlier = waiter.join().unwrap().unwrap();
        assert_eq!(
            earlier.reached,
            [
                (TrialId(0), vec![(Step(1), 0.5)]),
                (TrialId(1), vec![(Step(1), 0.7)])
            ]
        );
        assert_eq!(earlier.pending, [TrialId(2)]);
    }

    #[test]
    fn abort_wakes_waiters() {
        let b = Arc::new(Board::default());
        let waiter = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || b.sampler_view(TrialId(5), 1))
        };
        std::thread::sleep(Duration::from_millis(20));
        b.abort();
        assert_eq!(waiter.join().unwrap().unwrap_err(), Unsuggested::Aborted);
    }

    #[test]
    fn closing_ends_the_waits_for_new_trials_only() {
        let b = Arc::new(Board::default());
        b.start(TrialId(0), Params::new());
        let (suggest, judge) = {
            let (b1, b2) = (Arc::clone(&b), Arc::clone(&b));
            (
                std::thread::spawn(move || b1.sampler_view(TrialId(2), 1)),
                std::thread::spawn(move || b2.curves_before(TrialId(1), Step(1), |_, _| false)),
            )
        };
        std::thread::sleep(Duration::from_millis(20));
        b.close();
        assert_eq!(suggest.join().unwrap().unwrap_err(), Unsuggested::Closed);
        // Trial 1, running, still waits for trial 0's first step.
        std::thread::sleep(Duration::from_millis(20));
        assert!(!judge.is_finished());
        b.report(TrialId(0), Step(1), 0.5);
        let earlier = judge.join().unwrap().unwrap();
        assert_eq!(earlier.reached, [(TrialId(0), vec![(Step(1), 0.5)])]);
    }

    #[test]
    fn after_a_close_a_trial_starts_only_when_a_later_running_one_may_wait_for_it() {
        let b = Arc::new(Board::default());
        b.start(TrialId(0), Params::new());
        // Trial 2 (given whole, no wait) runs; trial 1 waits for trial 0 to end.
        assert_eq!(b.begin(TrialId(2), Params::new()), Ok(()));
        let waiter = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || b.sampler_view(TrialId(1), 1))
        };
        b.close();
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            !waiter.is_finished(),
            "trial 2 may wait for trial 1's reports"
        );
        b.finish(ended(0));
        assert!(waiter.join().unwrap().is_ok());
        assert_eq!(b.begin(TrialId(1), Params::new()), Ok(()));
        // No trial after 3 runs: trial 3 does not start.
        assert_eq!(b.begin(TrialId(3), Params::new()), Err(Unsuggested::Closed));
        assert_eq!(
            b.sampler_view(TrialId(3), 1).unwrap_err(),
            Unsuggested::Closed
        );
    }
}
