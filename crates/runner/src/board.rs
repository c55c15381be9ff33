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
//!
//! This file holds the board's state of the trials and the changes the workers make to it; the
//! waits of the rule are in `waits`, and the finished trials that the samplers' views share,
//! rather than copy, in `history`.

mod history;
mod waits;

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::{Condvar, Mutex, MutexGuard};

use experiment::{Params, Step, Trial, TrialId};

use history::History;
pub(crate) use history::SamplerView;
pub(crate) use waits::Unsuggested;

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
    /// Test-only: notified whenever a waiter falls asleep (`Inner::asleep`).
    #[cfg(test)]
    slept: Condvar,
}

#[derive(Debug, Default)]
struct Inner {
    trials: BTreeMap<TrialId, Entry>,
    aborted: bool,
    /// No new trial starts (`close`): waits for a new trial's parameters end.
    closed: bool,
    /// The finished trials as the samplers' views share them.
    history: History,
    /// Test-only: how many times the board was locked other than by a wait (`Board::lock`), as
    /// every change does.
    #[cfg(test)]
    locks: u64,
    /// Test-only: for each waiter asleep, the `locks` at which it last found the board not
    /// ready, so that a test knows a wait waits for a change still to come.
    #[cfg(test)]
    asleep: Vec<u64>,
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

impl Board {
    /// Records a trial that ended in an earlier run, with its objective curve.
    pub(crate) fn preload(&self, trial: Trial, curve: Vec<(Step, f64)>) {
        let mut inner = self.lock();
        inner.forget_from(trial.id);
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
        inner.forget_from(trial);
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
        let mut inner = self.lock();
        inner.forget_from(id);
        inner.trials.entry(id).or_default().finished = Some(trial);
        drop(inner);
        self.changed.notify_all();
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

    /// Locks the board as a change does, counting the lock in tests (`Inner::locks`).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        let inner = self.guard();
        #[cfg(test)]
        let inner = {
            let mut inner = inner;
            inner.locks += 1;
            inner
        };
        inner
    }

    /// Locks the board, uncounted (the waits' lock: `wait_for`), going on past a poisoned lock
    /// as every lock of the board does.
    fn guard(&self) -> MutexGuard<'_, Inner> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Returns trial `id` as completed, with no parameters or result: a finished record for the
/// tests of the board's waits and history.
#[cfg(test)]
fn ended(id: u32) -> Trial {
    Trial {
        id: TrialId(id),
        seed: experiment::Seed(0),
        params: Params::new(),
        state: experiment::TrialState::Completed,
        reason: None,
        started: None,
        finished: None,
        result: None,
    }
}
