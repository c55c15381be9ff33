//! The board's finished trials as the samplers' views see them (`SamplerView`, `Finished`), and
//! the copies of them that the views share (`History`).
//!
//! A sampler's view, and an agent's look at every finished trial on each beat (`Board::finished`),
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
use std::sync::Arc;

use experiment::{Params, Trial, TrialId};

use super::{Board, Entry, Inner};

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
pub(super) struct History {
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
    pub(super) fn take_dropped(&mut self) -> Vec<Arc<Vec<Trial>>> {
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

impl Inner {
    /// Returns the view of trial `k` with `parallel` trials side by side, once every trial
    /// numbered `k - parallel` or below has ended and every one between has its parameters (or
    /// is skipped): `Board::sampler_view`'s rule.
    pub(super) fn view(&mut self, k: TrialId, parallel: u32) -> Option<SamplerView> {
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
    pub(super) fn finished_all(&mut self) -> Finished {
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
    pub(super) fn forget_from(&mut self, j: TrialId) {
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
}

#[cfg(test)]
mod tests;
