//! A worker thread of the study: takes the next trial number, chooses its parameters, runs the
//! objective, and stores the outcome.

use std::sync::{Mutex, MutexGuard};

use experiment::{
    trial_seed, ExperimentSpec, Objective, Params, Trial, TrialContext, TrialId, TrialOutcome,
    TrialState,
};
use search::{Sampler, SuggestContext};
use store::{CutAttempt, CutBy, JournalEvent, Store, TrialTrace};

use crate::agents::Peers;
use crate::board::{Board, SamplerView, Unsuggested};
use crate::reporter::StoreReporter;
use crate::{Clock, Error, Observer, Result, Stop};

/// The trial numbers left to run, and the first error met.
pub(crate) struct Queue {
    pub(crate) pending: Pending,
    pub(crate) error: Option<Error>,
}

/// The trial numbers left to run, lowest first, drawn one at a time: those below `end` that
/// this process runs (all, or an agent's share) and that have not finished. Drawn rather than
/// listed, so that a large run cap costs no memory up front.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    next: u32,
    end: u32,
    /// With agents, this one's number and their count: it runs the trials `k` with
    /// `k mod count = number`.
    share: Option<(u32, u32)>,
    /// The trials below `end` it runs that have finished already, lowest last.
    finished: Vec<u32>,
}

impl Pending {
    /// The trials below `end` of `share` (all without one) that are not among `finished`.
    pub(crate) fn new(end: u32, share: Option<(u32, u32)>, finished: &[TrialId]) -> Pending {
        let mut pending = Pending {
            next: 0,
            end,
            share: share.map(|(number, count)| (number, count.max(1))),
            finished: Vec::new(),
        };
        let mut done: Vec<u32> = finished
            .iter()
            .map(|t| t.0)
            .filter(|&k| k < end && pending.runs(k))
            .collect();
        done.sort_unstable_by(|a, b| b.cmp(a));
        done.dedup();
        pending.finished = done;
        pending
    }

    /// Whether this process runs trial `k`.
    fn runs(&self, k: u32) -> bool {
        self.share.is_none_or(|(number, count)| k % count == number)
    }

    /// How many trials are left.
    pub(crate) fn len(&self) -> u64 {
        let from = |k: u32| -> u64 {
            // The trials from `k` on, below `end`, that this process runs (in 64 bits: the
            // first of them may lie past the largest trial number).
            let (k, end) = (u64::from(k), u64::from(self.end));
            match self.share {
                None => end.saturating_sub(k),
                Some((number, count)) => {
                    let (number, count) = (u64::from(number), u64::from(count));
                    let first = k + (number + count - k % count) % count;
                    end.saturating_sub(first).div_ceil(count)
                }
            }
        };
        let done = self.finished.iter().filter(|&&k| k >= self.next).count() as u64;
        from(self.next).saturating_sub(done)
    }

    /// Takes the lowest trial left.
    pub(crate) fn pop(&mut self) -> Option<TrialId> {
        while self.next < self.end {
            let k = self.next;
            self.next += 1;
            while self.finished.last().is_some_and(|&f| f < k) {
                self.finished.pop();
            }
            if self.finished.last() == Some(&k) {
                self.finished.pop();
                continue;
            }
            if self.runs(k) {
                return Some(TrialId(k));
            }
        }
        None
    }

    /// Leaves no trial to run.
    pub(crate) fn clear(&mut self) {
        self.next = self.end;
    }
}

/// Locks the queue or another shared state, surviving a poisoned lock (a panicking worker is
/// reported separately).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// What every worker thread shares.
pub(crate) struct Worker<'a> {
    pub(crate) store: &'a Store,
    pub(crate) spec: &'a ExperimentSpec,
    pub(crate) objective: &'a dyn Objective,
    pub(crate) observer: &'a dyn Observer,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) sampler: &'a dyn Sampler,
    pub(crate) existing: &'a [Trial],
    pub(crate) board: &'a Board,
    pub(crate) stop: &'a Stop,
    /// Trial `k` may see the finished trials `k - window` and below (the trials side by side):
    /// its sampler learns from them, a target and a plateau are checked on them. It waits for
    /// them only where that matters (`Sampler::learns_from`, a target or a plateau).
    pub(crate) window: u32,
    /// The plan the sampler is told (`SuggestContext::planned`): the larger of the file's
    /// planned trials and the experiment's stored run cap (raised by `--extend` or a larger
    /// `--run-cap`), so that a `--run-cap` below the file's runs the first trials of the file's
    /// sweep, `bayes`'s greedy tail the file's, and a raise to the file's cap goes on with it.
    pub(crate) planned: u32,
    /// The other agents, when several run the study: told of every trial's events.
    pub(crate) peers: Option<&'a Peers<'a>>,
    /// The study's span, `experiment{id}`: the parent of each trial's, `trial{id}`, whatever
    /// thread runs the trial (a new thread has no current span).
    pub(crate) experiment: tracing::Span,
}

impl Worker<'_> {
    /// Runs trials from the queue until it is empty, a trial hits an error, or the study is
    /// stopped or closed to new trials.
    pub(crate) fn drain(&self, queue: &Mutex<Queue>) {
        // A panic here (outside a trial's training, which `panics::catch` turns into a failed
        // trial) is a bug: the other workers stop waiting for this one's trials, and the study
        // reports it (`Error::WorkerPanicked`) once every worker has returned.
        let _abort = self.board.abort_on_panic();
        loop {
            let next = {
                let mut q = lock(queue);
                if q.error.is_some() || self.stop.closed() {
                    return;
                }
                q.pending.pop()
            };
            let Some(id) = next else { return };
            match self.run_one(id) {
                Ok(true) => {}
                // No new trial starts; the running ones go on.
                Err(Error::Closed) => return,
                Ok(false) => {
                    // The target or the plateau was reached: no later trial starts either.
                    lock(queue).pending.clear();
                    return;
                }
                Err(e) => {
                    self.board.abort();
                    let mut q = lock(queue);
                    if q.error.is_none() && !matches!(e, Error::Aborted | Error::Stopped) {
                        q.error = Some(e);
                    }
                    return;
                }
            }
        }
    }

    /// Runs trial `id` from scratch and stores its outcome; returns false, having run nothing,
    /// when the earlier trials reached the objective's target or its plateau.
    fn run_one(&self, id: TrialId) -> Result<bool> {
        let _span = tracing::info_span!(parent: &self.experiment, "trial", id = id.0).entered();
        let Some(params) = self.params_for(id)? else {
            self.board.skip(id);
            self.publish(&JournalEvent::Skip(id))?;
            return Ok(false);
        };
        // Once the study is closed, its board lets no trial start but one that a running
        // later trial may wait for; one not started runs on resume, as after a stop.
        if self.board.begin(id, params.clone()).is_err() {
            return Err(Error::Closed);
        }
        let mut trial = Trial {
            id,
            seed: trial_seed(self.spec.seed, id),
            params,
            state: TrialState::Running,
            reason: None,
            started: Some(self.clock.now()),
            finished: None,
            result: None,
        };
        // A trial an earlier run left unfinished (a crash, a stop) keeps a trace of the attempts
        // cut off (one a kill left `running` was put back in the queue as the study started:
        // `requeue_killed`).
        let mut trace = TrialTrace::default();
        if self.existing.iter().any(|t| t.id == id) {
            if let Some((stored, kept)) = self.store.trial_traced(&self.spec.name, id)? {
                trace = rerun_trace(self.store, self.spec, &stored, &kept)?;
            }
        }
        self.store.clear_metrics(&self.spec.name, id)?;
        // It runs from scratch: the checkpoint of its old run's best epoch goes too, so that it
        // never stands for this run (which may fail, or be pruned, before it writes one).
        if self.existing.iter().any(|t| t.id == id) {
            self.store.discard_checkpoint(&self.spec.name, id)?;
        }
        self.store
            .put_trial_traced(&self.spec.name, &trial, &trace)?;
        self.publish(&JournalEvent::Start(trial.clone(), trace.clone()))?;
        self.observer.trial_started(&trial);

        let mut reporter = StoreReporter::new(
            self.store,
            self.spec,
            id,
            (self.observer, self.clock),
            self.board,
            self.stop,
            self.peers,
        );
        let ctx = TrialContext {
            trial: id,
            seed: trial.seed,
            params: &trial.params,
        };
        // A trial whose training panics fails with the panic's message, and the study goes
        // on, as after any failed trial (`panics`). The same parameters panic again, so this
        // keeps runs reproducible.
        let run = crate::panics::catch(|| self.objective.run(&ctx, &mut reporter));
        let outcome = run.unwrap_or_else(|said| TrialOutcome::Failed {
            reason: format!("training panicked: {said}"),
        });
        let epochs = reporter.last_step().map_or(0, |s| s.0);
        let pruned_by = match reporter.into_result() {
            // Stopped from outside, or its wait for other trials aborted (another trial's
            // error, a time limit while the study waits for a quiet agent): it runs again.
            Err(e @ (Error::Stopped | Error::Aborted)) => {
                return self.requeue((trial, trace, epochs), e)
            }
            other => other?,
        };
        match outcome {
            TrialOutcome::Completed {
                result,
                stopped_early,
            } => {
                trial.state = TrialState::Completed;
                trial.reason = stopped_early.map(|s| format!("early stopping at epoch {s}"));
                trial.result = Some(result);
            }
            TrialOutcome::Pruned { at, result } => {
                trial.state = TrialState::Pruned;
                trial.reason = Some(pruned_by.unwrap_or_else(|| format!("pruned at epoch {at}")));
                trial.result = result;
            }
            TrialOutcome::Failed { reason } => {
                // The observer says so on the trial's own line; `RUST_LOG=info` repeats it.
                tracing::info!(trial = id.0, %reason, "trial failed");
                trial.state = TrialState::Failed;
                trial.reason = Some(reason);
            }
            TrialOutcome::Aborted { reason } => {
                let error = Error::TrialAborted { trial: id, reason };
                return self.requeue((trial, trace, epochs), error);
            }
        }
        trial.finished = Some(self.clock.now());
        // Its reports' last-heard time goes: its end is known now. A trial never cut off is
        // stored as before traces were kept (a record of version 1).
        self.store
            .put_trial_traced(&self.spec.name, &trial, &trace)?;
        self.store.flush()?;
        self.board.finish(trial.clone());
        self.publish(&JournalEvent::Finish(trial.clone(), trace))?;
        self.observer.trial_finished(&trial);
        Ok(true)
    }

    /// Puts `trial`, stopped from outside, aborted by the study or not kept for a reason
    /// outside it after `epochs` epochs, back in the queue with its parameters and without its
    /// partial curves or the checkpoint of its best epoch so far, to run again from scratch on
    /// resume, its `trace` keeping the attempt cut off; returns `error`, which ends the study.
    fn requeue(
        &self,
        (mut trial, mut trace, epochs): (Trial, TrialTrace, u32),
        error: Error,
    ) -> Result<bool> {
        if let Some(started) = trial.started {
            trace.cut.push(CutAttempt {
                started,
                ended: self.clock.now().max(started),
                epochs,
                by: CutBy::Stop,
            });
        }
        trace.heard = None;
        trial.state = TrialState::Queued;
        trial.started = None;
        self.store.clear_metrics(&self.spec.name, trial.id)?;
        self.store.discard_checkpoint(&self.spec.name, trial.id)?;
        self.store
            .put_trial_traced(&self.spec.name, &trial, &trace)?;
        self.store.flush()?;
        Err(error)
    }

    /// Tells the other agents, when there are any, of `event`.
    fn publish(&self, event: &JournalEvent) -> Result<()> {
        match self.peers {
            Some(peers) => peers.publish(event),
            None => Ok(()),
        }
    }

    /// Returns the parameters of trial `id`: those stored by an interrupted run, else those the
    /// spec enqueues for it (the sampler choosing any it leaves out), else the sampler's; or
    /// `None` when the trials the rule lets it see reached the objective's target or its
    /// plateau.
    fn params_for(&self, id: TrialId) -> Result<Option<Params>> {
        // The earlier trials as the rule lets trial `id` see them, waited for at most once.
        let mut seen = None;
        if self.spec.target.is_some() || self.spec.plateau.is_some() {
            let view = self.view(id)?;
            if self.spec.stopped_by(view.finished()).is_some() {
                return Ok(None);
            }
            seen = Some(view);
        }
        if let Some(t) = self.existing.iter().find(|t| t.id == id) {
            return Ok(Some(t.params.clone()));
        }
        let enqueued = usize::try_from(id.0)
            .ok()
            .and_then(|i| self.spec.enqueue.get(i));
        let pinned = match enqueued {
            // Given whole, not chosen: nothing to wait for.
            Some(params) if self.spec.space.is_whole(params) => return Ok(Some(params.clone())),
            // Given in part: the sampler chooses the rest, as for any trial.
            Some(params) => params.clone(),
            None => Params::new(),
        };
        let visible = usize::try_from((id.0 + 1).saturating_sub(self.window)).unwrap_or(usize::MAX);
        let view = match seen {
            Some(view) => view,
            // Waiting costs idle time, spent only where the proposal can depend on it.
            None if self.sampler.learns_from(visible) => self.view(id)?,
            None => SamplerView::default(),
        };
        let params = self.sampler.suggest_in(&SuggestContext {
            space: &self.spec.space,
            finished: view.finished(),
            running: &view.running,
            pinned: &pinned,
            trial: id,
            planned: Some(self.planned),
        })?;
        Ok(Some(params))
    }

    /// Waits for the earlier trials that trial `id` may see (`board::sampler_view`).
    fn view(&self, id: TrialId) -> Result<SamplerView> {
        self.board
            .sampler_view(id, self.window)
            .map_err(|why| match why {
                Unsuggested::Aborted => Error::Aborted,
                Unsuggested::Closed => Error::Closed,
            })
    }
}

/// Puts trial `id` of `spec`, if an earlier run's process left it `running` (a kill, a crash),
/// back in the queue as a stop leaves a trial: its parameters kept, its partial curve and the
/// checkpoint of its best epoch so far gone, its trace keeping the attempt the kill cut off
/// (`rerun_trace`). A study does so before any worker starts, for each such trial it runs again
/// (`run_study`), so that no reader of the store sees the killed attempt as running, with its
/// last epoch, until a worker takes the trial again. Returns whether the trial was running.
pub(crate) fn requeue_killed(store: &Store, spec: &ExperimentSpec, id: TrialId) -> Result<bool> {
    let Some((mut trial, kept)) = store.trial_traced(&spec.name, id)? else {
        return Ok(false);
    };
    if trial.state != TrialState::Running {
        return Ok(false);
    }
    let trace = rerun_trace(store, spec, &trial, &kept)?;
    trial.state = TrialState::Queued;
    trial.started = None;
    store.clear_metrics(&spec.name, id)?;
    store.discard_checkpoint(&spec.name, id)?;
    store.put_trial_traced(&spec.name, &trial, &trace)?;
    Ok(true)
}

/// Returns the trace of a new attempt of `stored`, whose stored trace is `kept`: its attempts
/// cut off, and for one a kill left `running`, that attempt too, ended at its last report
/// (`TrialTrace::for_rerun`; one never heard from counts the epochs of its curve, read here
/// before the curve goes).
fn rerun_trace(
    store: &Store,
    spec: &ExperimentSpec,
    stored: &Trial,
    kept: &TrialTrace,
) -> Result<TrialTrace> {
    let curve_last = match stored.state {
        TrialState::Running => store.last_step(&spec.name, stored.id, &spec.metric.name)?,
        _ => None,
    };
    Ok(kept.for_rerun(stored, curve_last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_trials_are_drawn_lowest_first_skipping_finished_and_others_shares() {
        let ids = |v: &[u32]| v.iter().copied().map(TrialId).collect::<Vec<_>>();
        for end in [0, 1, 5, 12] {
            for share in [None, Some((0, 1)), Some((0, 3)), Some((2, 3)), Some((1, 4))] {
                for finished in [&[][..], &[0, 3, 4, 11, 40][..], &[11, 2, 2, 7][..]] {
                    let listed: Vec<u32> = (0..end)
                        .filter(|k| share.is_none_or(|(i, n)| k % n == i))
                        .filter(|k| !finished.contains(k))
                        .collect();
                    let mut pending = Pending::new(end, share, &ids(finished));
                    let mut drawn = Vec::new();
                    loop {
                        assert_eq!(
                            pending.len(),
                            (listed.len() - drawn.len()) as u64,
                            "{end} {share:?} {finished:?}"
                        );
                        let Some(id) = pending.pop() else { break };
                        drawn.push(id.0);
                    }
                    assert_eq!(drawn, listed, "{end} {share:?} {finished:?}");
                }
            }
        }
        // Near the largest numbers, with many agents, nothing overflows.
        let last = Pending::new(u32::MAX, Some((u32::MAX - 1, u32::MAX)), &[]);
        assert_eq!(last.len(), 1);
        // The largest run cap costs nothing up front, and clearing leaves nothing.
        let mut huge = Pending::new(u32::MAX, None, &ids(&[0, 1]));
        assert_eq!(huge.len(), u64::from(u32::MAX) - 2);
        assert_eq!(huge.pop(), Some(TrialId(2)));
        huge.clear();
        assert_eq!((huge.len(), huge.pop()), (0, None));
    }
}
