//! The waits of the determinism rule: a worker waits on the board until what it may see is
//! settled, the earlier trials' results for a sampler's view (`Board::sampler_view`) and their
//! curves up to a step for a pruning decision (`Board::curves_before`); every change of the
//! board wakes the waits to check again, and an abort or a close ends them.

use experiment::{Step, TrialId};

use super::{Board, Curve, Inner, SamplerView};

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

impl Board {
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
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use experiment::Params;

    use super::*;
    use crate::board::ended;

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
}
