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
//! A sampler's view, and an agent's look at every finished trial on each beat (`finished`),
//! share the finished trials instead of copying them (`History`): a sweep of `n` trials would
//! otherwise clone every finished trial for every suggestion, `n^2 / 2` clones in all, and an
//! agent every finished trial on every beat. A copy no view holds is brought up to date in place
//! by the next view that needs one; the board keeps up to `parallel + 1` copies (one for each
//! worker's view and one for an agent's look, the most held at once), so that views held at
//! once, as with `parallel` above 1 and a sampler whose suggestions take a while, find a copy
//! another view let go rather than clone every finished trial into a new one; copies beyond
//! that, no view holding them, are dropped, the least current first. The price is memory: up to
//! `parallel + 1` copies of the finished trials (their parameters and final results, not their
//! curves) live for the whole study, about `parallel + 1` times what one list of them takes.
//! Rejected: handing the
//! samplers `Arc<Trial>`s, as `search::SuggestContext` takes a plain slice of trials; a single
//! shared copy extended in place (`Arc::make_mut`), which copies the whole history whenever it
//! must grow while another worker still holds a view of it, as happens most of the time with
//! `parallel` above 1 and a sampler whose suggestions take a while; dropping every copy no view
//! holds but the most current one, which made every view taken while another was held clone
//! every finished trial into a new copy.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

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

/// The finished trials among the first trials that have all ended (or are skipped), in copies
/// that the samplers' views share, so that a view costs a clone of the trials that ended since
/// its copy was last brought up to date rather than of every finished trial.
///
/// Invariants, kept by every change of an entry's `finished` (`forget_from`):
/// - every trial numbered below `ended` has ended or is skipped;
/// - the first `current` trials of each copy are, in number order, the finished trials numbered
///   below its `upto` (at most `ended`) as the board holds them now.
///
/// A copy that a view holds is never changed (it is that view's snapshot); one that no view
/// holds is brought up to date in place. A copy is added only when every other one is held;
/// whenever a view is taken, copies no view holds are dropped, the least current first, while
/// there are more than `kept` (`drop_unheld`). So there are never more copies than views were
/// held at once, and once they are let go, no more than `kept`.
#[derive(Debug, Default)]
struct History {
    /// Every trial numbered below it has ended or is skipped (advanced as views need it).
    ended: u32,
    /// The copies, shared with the views that hold them.
    copies: Vec<HistoryCopy>,
    /// How many copies are kept when no view holds them: the largest `parallel` a view was
    /// taken with (each worker holds one view at a time), plus one for `Board::finished`.
    kept: usize,
    /// The copies dropped under the board's lock, freed once it is unlocked (`take_dropped`):
    /// freeing a copy of every finished trial is not work for the lock every wait contends for.
    dropped: Vec<Arc<Vec<Trial>>>,
}

impl History {
    /// Takes the copies dropped since the last call, to be freed once the board is unlocked.
    fn take_dropped(&mut self) -> Vec<Arc<Vec<Trial>>> {
        std::mem::take(&mut self.dropped)
    }
}

/// One copy of the finished trials (`History`).
#[derive(Debug, Default)]
struct HistoryCopy {
    /// The finished trials in number order, of which the first `current` are current (after
    /// them, `Board::finished` puts the finished trials above `upto`, for its view only).
    trials: Arc<Vec<Trial>>,
    /// How many of `trials` are the board's finished trials numbered below `upto`.
    current: usize,
    /// The trial number below which the copy holds every finished trial.
    upto: u32,
}

impl HistoryCopy {
    /// Whether no view holds it (views take a copy only under the board's lock, so none is
    /// taken while the lock is held).
    fn free(&self) -> bool {
        Arc::strong_count(&self.trials) == 1
    }
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

    /// Returns the view of trial `k` with `parallel` trials side by side, once every trial
    /// numbered `k - parallel` or below has ended and every one between has its parameters (or
    /// is skipped): `Board::sampler_view`'s rule.
    fn view(&mut self, k: TrialId, parallel: u32) -> Option<SamplerView> {
        // The first trial numbered above the horizon `k - parallel`: those below are learned
        // from, those from it up to `k` are running.
        let first_running = k.0.checked_sub(parallel.max(1)).map_or(0, |h| h + 1);
        if !self.ended_below(first_running) {
            return None;
        }
        let between = (first_running..k.0).map(|j| self.trials.get(&TrialId(j)));
        if !between
            .clone()
            .all(|e| e.is_some_and(|e| e.skipped || e.params.is_some()))
        {
            return None;
        }
        let running = between
            .filter_map(|e| e.and_then(|e| e.params.clone()))
            .collect();
        let kept = usize::try_from(parallel.max(1)).map_or(usize::MAX, |p| p.saturating_add(1));
        self.history.kept = self.history.kept.max(kept);
        let history = if first_running == 0 {
            Finished::default()
        } else {
            self.finished_below(first_running)
        };
        Some(SamplerView { history, running })
    }

    /// Advances `history.ended` over the trials that have ended, up to `end`; returns whether
    /// every trial numbered below `end` has ended or is skipped.
    fn ended_below(&mut self, end: u32) -> bool {
        let ended = &mut self.history.ended;
        while *ended < end
            && self
                .trials
                .get(&TrialId(*ended))
                .is_some_and(|e| e.skipped || e.finished.is_some())
        {
            *ended += 1;
        }
        *ended >= end
    }

    /// Returns the finished trials numbered below `end` (all ended: `ended_below`), shared: in a
    /// copy that covers them already, else in one no view holds brought up to date, else in a new
    /// one (`copy_upto`).
    fn finished_below(&mut self, end: u32) -> Finished {
        self.drop_unheld();
        let covering = self.history.copies.iter().position(|c| c.upto >= end);
        let index = match covering {
            Some(i) => i,
            None => self.copy_upto(end),
        };
        let copy = &self.history.copies[index];
        let len = copy.trials[..copy.current].partition_point(|t| t.id.0 < end);
        Finished {
            trials: Arc::clone(&copy.trials),
            len,
        }
    }

    /// Returns every finished trial, shared: those numbered below the first that has not ended
    /// from a copy brought up to date as `finished_below` does, the few above it cloned after
    /// them (in a copy no view holds, so as not to change another view's snapshot).
    fn finished_all(&mut self) -> Finished {
        // Advances `ended` as far as the trials have ended.
        self.ended_below(u32::MAX);
        let end = self.history.ended;
        fn above(trials: &BTreeMap<TrialId, Entry>, end: u32) -> impl Iterator<Item = &Trial> {
            trials
                .range(TrialId(end)..)
                .filter_map(|(_, e)| e.finished.as_ref())
        }
        if above(&self.trials, end).next().is_none() {
            return self.finished_below(end);
        }
        self.drop_unheld();
        let index = self.copy_upto(end);
        let copy = &mut self.history.copies[index];
        // Not shared (`copy_upto`), so changed in place: `make_mut` copies nothing.
        let trials = Arc::make_mut(&mut copy.trials);
        trials.truncate(copy.current);
        trials.extend(above(&self.trials, end).cloned());
        Finished {
            len: trials.len(),
            trials: Arc::clone(&copy.trials),
        }
    }

    /// Returns the index of a copy no view holds whose first `current` trials are the finished
    /// trials numbered below `end` (all ended: `ended_below`): the most current copy no view
    /// holds brought up to date in place, or a new one when every copy is held. The caller has
    /// dropped the copies beyond those kept (`drop_unheld`) first, once per view.
    fn copy_upto(&mut self, end: u32) -> usize {
        let copies = &mut self.history.copies;
        let free = (0..copies.len())
            .filter(|&i| copies[i].free())
            .max_by_key(|&i| copies[i].upto);
        let index = match free {
            Some(i) => i,
            None => {
                copies.push(HistoryCopy::default());
                copies.len() - 1
            }
        };
        let copy = &mut copies[index];
        if copy.upto < end {
            // Not shared (free), so changed in place: `make_mut` copies nothing.
            let trials = Arc::make_mut(&mut copy.trials);
            trials.truncate(copy.current);
            trials.extend(
                self.trials
                    .range(TrialId(copy.upto)..TrialId(end))
                    .filter_map(|(_, e)| e.finished.clone()),
            );
            copy.current = trials.len();
            copy.upto = end;
        }
        index
    }

    /// Drops copies that no view holds, the least current first, while there are more than
    /// `kept` (at least one); they are freed once the board is unlocked (`History::dropped`).
    fn drop_unheld(&mut self) {
        let history = &mut self.history;
        let kept = history.kept.max(1);
        while history.copies.len() > kept {
            let copies = &history.copies;
            let least = (0..copies.len())
                .filter(|&i| copies[i].free())
                .min_by_key(|&i| copies[i].upto);
            let Some(i) = least else { break };
            let copy = history.copies.swap_remove(i);
            history.dropped.push(copy.trials);
        }
    }

    /// Notes that the finished record of trial `j` changed (it started again, or ended again):
    /// the copies stop at it, so that no later view shows what it was.
    fn forget_from(&mut self, j: TrialId) {
        let history = &mut self.history;
        // The copies hold trials numbered below `ended` only.
        if j.0 >= history.ended {
            return;
        }
        history.ended = j.0;
        for copy in &mut history.copies {
            copy.current = copy.trials[..copy.current].partition_point(|t| t.id < j);
            copy.upto = copy.upto.min(j.0);
        }
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

/// Finished trials by number, shared with other views of the board's (`History`): a snapshot,
/// which what the board learns later does not change.
#[derive(Debug, Clone, Default)]
pub(crate) struct Finished {
    /// A copy of the board's finished trials, of which these are the first `len`.
    trials: Arc<Vec<Trial>>,
    /// How many of `trials` these are.
    len: usize,
}

impl std::ops::Deref for Finished {
    type Target = [Trial];

    fn deref(&self) -> &[Trial] {
        &self.trials[..self.len]
    }
}

/// What a sampler may see when suggesting a trial.
#[derive(Debug, Clone, Default)]
pub(crate) struct SamplerView {
    /// The finished trials it learns from.
    history: Finished,
    /// Parameters of the trials treated as running.
    pub(crate) running: Vec<Params>,
}

impl SamplerView {
    /// Returns the finished trials it learns from, by number.
    pub(crate) fn finished(&self) -> &[Trial] {
        &self.history
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

    /// Returns the trials that have ended, by number, shared with the samplers' views
    /// (`History`): a call clones the trials that ended since the shared copy was last brought
    /// up to date, and those above the first trial that has not ended, not every one.
    pub(crate) fn finished(&self) -> Finished {
        let mut inner = self.lock();
        let finished = inner.finished_all();
        let dropped = inner.history.take_dropped();
        drop(inner);
        drop(dropped);
        finished
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
    ///
    /// Every earlier trial must have its parameters, and those up to the horizon must have
    /// ended, so that the view does not depend on which worker got where first. The finished
    /// trials are shared with other views, not copied for each (`History`).
    pub(crate) fn sampler_view(
        &self,
        k: TrialId,
        parallel: u32,
    ) -> Result<SamplerView, Unsuggested> {
        let view = self.wait_for(|inner| {
            if inner.closed && !inner.running_above(k) {
                return Some(None);
            }
            let view = inner.view(k, parallel)?;
            Some(Some((view, inner.history.take_dropped())))
        });
        // The lock is released: the dropped copies are freed here.
        match view {
            Err(Aborted) => Err(Unsuggested::Aborted),
            Ok(None) => Err(Unsuggested::Closed),
            Ok(Some((view, _dropped))) => Ok(view),
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
    fn wait_for<T>(&self, mut ready: impl FnMut(&mut Inner) -> Option<T>) -> Result<T, Aborted> {
        // Not `lock`: a wait changes nothing that another wait waits for.
        let mut inner = self.guard();
        loop {
            if inner.aborted {
                return Err(Aborted);
            }
            if let Some(value) = ready(&mut inner) {
                return Ok(value);
            }
            #[cfg(test)]
            let seen = {
                let seen = inner.locks;
                inner.asleep.push(seen);
                self.slept.notify_all();
                seen
            };
            inner = self
                .changed
                .wait(inner)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            #[cfg(test)]
            let _awake = inner
                .asleep
                .iter()
                .position(|&l| l == seen)
                .map(|i| inner.asleep.swap_remove(i));
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use experiment::{ParamValue, Seed, TrialState};

    use super::*;

    impl Board {
        /// Waits until `n` waiters have found the board, as it is now, not ready and fallen
        /// asleep: what proves that a wait waits for a change still to come. A minute without
        /// them fails the test rather than hang it.
        fn wait_until_asleep(&self, n: usize) {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            let mut inner = self.entries.lock().unwrap();
            while inner.asleep.iter().filter(|&&l| l == inner.locks).count() < n {
                let left = deadline
                    .checked_duration_since(std::time::Instant::now())
                    .unwrap_or_else(|| panic!("{n} waiters never waited"));
                inner = self.slept.wait_timeout(inner, left).unwrap().0;
            }
        }
    }

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
        // It waits for trial 2.
        b.wait_until_asleep(1);
        b.finish(ended(2));
        let view = waiter.join().unwrap().unwrap();
        let ids: Vec<u32> = view.finished().iter().map(|t| t.id.0).collect();
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
        // Trial 0 has not reached step 2.
        b.wait_until_asleep(1);
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
        // Only trial 0 has reached step 1.
        b.wait_until_asleep(1);
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
        b.wait_until_asleep(1);
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
        b.wait_until_asleep(2);
        b.close();
        assert_eq!(suggest.join().unwrap().unwrap_err(), Unsuggested::Closed);
        // Trial 1, running, still waits for trial 0's first step.
        b.wait_until_asleep(1);
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
        // Trial 2 may wait for trial 1's reports: trial 1 still waits to start.
        b.wait_until_asleep(1);
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

    /// Returns the trials' numbers.
    fn numbers(trials: &[Trial]) -> Vec<u32> {
        trials.iter().map(|t| t.id.0).collect()
    }

    #[test]
    fn views_share_the_finished_trials_and_a_copy_no_view_holds_is_brought_up_to_date_in_place() {
        let board = Board::default();
        for j in 0..6 {
            board.start(TrialId(j), Params::new());
            board.finish(ended(j));
        }
        let a = board.sampler_view(TrialId(4), 1).unwrap();
        let b = board.sampler_view(TrialId(3), 1).unwrap();
        assert!(
            Arc::ptr_eq(&a.history.trials, &b.history.trials),
            "b's trials are in a's copy"
        );
        assert_eq!(numbers(a.finished()), [0, 1, 2, 3]);
        assert_eq!(numbers(b.finished()), [0, 1, 2]);
        // A view that needs more than a held copy has gets a copy of its own.
        let c = board.sampler_view(TrialId(6), 1).unwrap();
        assert!(!Arc::ptr_eq(&a.history.trials, &c.history.trials));
        assert_eq!(numbers(c.finished()), [0, 1, 2, 3, 4, 5]);
        let first = Arc::as_ptr(&a.history.trials);
        drop((a, b));
        board.start(TrialId(6), Params::new());
        board.finish(ended(6));
        // c still holds its copy: the free one, a's, is extended where it is.
        let d = board.sampler_view(TrialId(7), 1).unwrap();
        assert_eq!(Arc::as_ptr(&d.history.trials), first);
        assert_eq!(numbers(d.finished()), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(numbers(c.finished()), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn every_finished_trial_is_shared_too_and_copies_no_view_holds_beyond_parallel_and_one_are_dropped(
    ) {
        let board = Board::default();
        for j in [0, 1, 2, 4] {
            board.start(TrialId(j), Params::new());
            board.finish(ended(j));
        }
        board.start(TrialId(3), Params::new());
        // Trial 4 ended above trial 3, which runs: it is cloned after the shared ones.
        let first = board.finished();
        assert_eq!(numbers(&first), [0, 1, 2, 4]);
        let buffer = Arc::as_ptr(&first.trials);
        drop(first);
        // Once trial 3 ends, the copy no view holds is brought up to date where it is, and
        // again with nothing new, so a beat does not clone every finished trial.
        board.finish(ended(3));
        let again = board.finished();
        assert_eq!(numbers(&again), [0, 1, 2, 3, 4]);
        assert_eq!(Arc::as_ptr(&again.trials), buffer);
        drop(again);
        assert_eq!(Arc::as_ptr(&board.finished().trials), buffer);

        // Views held at once need copies of their own; once let go, all but the most current
        // `parallel + 1` (2) are dropped.
        for j in 5..8 {
            board.start(TrialId(j), Params::new());
            board.finish(ended(j));
        }
        let views: Vec<SamplerView> = (5..9)
            .map(|k| board.sampler_view(TrialId(k), 1).unwrap())
            .collect();
        let copies: Vec<_> = views
            .iter()
            .map(|v| Arc::downgrade(&v.history.trials))
            .collect();
        assert_eq!(board.lock().history.copies.len(), 4);
        drop(views);
        let last = board.finished();
        assert_eq!(numbers(&last), [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(board.lock().history.copies.len(), 2);
        let kept: Vec<bool> = copies.iter().map(|c| c.upgrade().is_some()).collect();
        assert_eq!(
            kept,
            [false, false, true, true],
            "the least current are dropped"
        );
    }

    #[test]
    fn views_held_at_once_round_after_round_bring_copies_let_go_up_to_date_rather_than_clone() {
        // Two workers whose suggestions overlap: two views held at once, then both let go.
        let board = Board::default();
        let (mut new_copies, mut cloned) = (0, 0);
        for round in 0..50 {
            for j in [2 * round, 2 * round + 1] {
                board.start(TrialId(j), Params::new());
                board.finish(ended(j));
            }
            let mut held = Vec::new();
            for k in [2 * round + 1, 2 * round + 2] {
                let before: Vec<*const Vec<Trial>> = (board.lock().history.copies.iter())
                    .map(|c| Arc::as_ptr(&c.trials))
                    .collect();
                let view = board.sampler_view(TrialId(k), 1).unwrap();
                if !before.contains(&Arc::as_ptr(&view.history.trials)) {
                    new_copies += 1;
                    cloned += view.finished().len();
                }
                held.push(view);
            }
        }
        // The first round's two views alone get new copies (trial 0, then trials 0 and 1).
        assert_eq!((new_copies, cloned), (2, 3));
        assert_eq!(board.lock().history.copies.len(), 2);
    }

    /// Returns the view of trial `k` by the rule written out plainly, every finished trial
    /// cloned, as the board computed it before it shared them: `None` while it must wait.
    fn plain_view(inner: &Inner, k: TrialId, parallel: u32) -> Option<(Vec<Trial>, Vec<Params>)> {
        let horizon = k.0.checked_sub(parallel.max(1));
        let learned = |j: u32| horizon.is_some_and(|h| j <= h);
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
            let (mut finished, mut running) = (Vec::new(), Vec::new());
            for (id, entry) in inner.trials.range(..k) {
                match (&entry.finished, &entry.params) {
                    (Some(trial), _) if learned(id.0) => finished.push(trial.clone()),
                    (_, Some(params)) if !learned(id.0) => running.push(params.clone()),
                    _ => {}
                }
            }
            (finished, running)
        })
    }

    /// A small deterministic generator (xorshift64*) for the model test.
    struct Draws(u64);

    impl Draws {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
        }
    }

    #[test]
    fn shared_views_equal_the_plain_rule_across_orders_restarts_skips_and_preloads() {
        // Distinct parameters and records at every step, so a stale trial would show.
        let params = |n: u64| Params::from([("x".to_string(), ParamValue::Int(n as i64))]);
        let record = |id: u32, n: u64| Trial {
            params: params(n),
            reason: Some(format!("record {n}")),
            ..ended(id)
        };
        for seed in 1..=300u64 {
            let mut draw = Draws(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let board = Board::default();
            // Views taken, held a while, with what they showed when taken.
            let mut held: Vec<(SamplerView, Vec<Trial>, Vec<Params>)> = Vec::new();
            let mut checked = 0;
            for n in 0..200u64 {
                let j = TrialId(draw.below(10) as u32);
                match draw.below(20) {
                    0..=4 => board.start(j, params(n)),
                    5 => assert!(board.begin(j, params(n)).is_ok()),
                    6..=10 => board.finish(record(j.0, n)),
                    11 => board.skip(j),
                    12 => board.preload(record(j.0, n), vec![(Step(1), 0.5)]),
                    13 => board.report(j, Step(n as u32), 0.5),
                    14 | 15 => {
                        // Every finished trial, as an agent's beat looks at them.
                        let expected: Vec<Trial> = board
                            .lock()
                            .trials
                            .values()
                            .filter_map(|e| e.finished.clone())
                            .collect();
                        let shared = board.finished();
                        assert_eq!(&shared[..], &expected[..], "seed {seed} step {n}");
                        if held.len() < 4 {
                            let view = SamplerView {
                                history: shared,
                                running: Vec::new(),
                            };
                            held.push((view, expected, Vec::new()));
                        }
                    }
                    _ => {
                        let (k, parallel) =
                            (TrialId(draw.below(12) as u32), 1 + draw.below(4) as u32);
                        let expected = plain_view(&board.lock(), k, parallel);
                        let shared = board.lock().view(k, parallel);
                        let what =
                            format!("seed {seed} step {n}: view of {k:?}, parallel {parallel}");
                        assert_eq!(
                            shared.as_ref().map(|v| (v.finished(), &v.running[..])),
                            expected.as_ref().map(|(f, r)| (&f[..], &r[..])),
                            "{what}"
                        );
                        if let (Some((finished, running)), Some(view)) = (expected, shared) {
                            // Ready, so the waiting call answers at once, the same.
                            let waited = board.sampler_view(k, parallel).unwrap();
                            assert_eq!(waited.finished(), &finished[..], "{what}");
                            assert_eq!(waited.running, running, "{what}");
                            checked += 1;
                            if held.len() < 4 {
                                held.push((view, finished, running));
                            }
                        }
                    }
                }
                if !held.is_empty() && draw.below(4) == 0 {
                    held.swap_remove(draw.below(held.len() as u64) as usize);
                }
                // A view is a snapshot: what the board does later never changes it.
                for (view, finished, running) in &held {
                    assert_eq!(view.finished(), &finished[..], "seed {seed} step {n}");
                    assert_eq!(&view.running, running, "seed {seed} step {n}");
                }
            }
            assert!(checked > 0, "seed {seed} compared no ready view");
        }
    }
}
