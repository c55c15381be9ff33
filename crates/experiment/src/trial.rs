//! Trials: their lifecycle states and results.

use std::collections::BTreeMap;
use std::fmt;

use crate::{Params, Seed, Step, Timestamp, TrialId};

/// Where a trial is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrialState {
    /// Created with its parameters, not started.
    Queued,
    /// Started and not finished; after a crash, a trial left here is run again.
    Running,
    /// Finished normally (including by early stopping).
    Completed,
    /// Stopped by a pruner because it looked worse than others.
    Pruned,
    /// Ended by an error, such as a diverging loss.
    Failed,
}

/// The result of a trial: its best step and the metrics recorded at that step.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// The step whose objective value was best.
    pub best_step: Step,
    /// Every metric recorded at `best_step`.
    pub metrics: BTreeMap<String, f64>,
}

/// How a trial ended, as told by the objective.
#[derive(Debug, Clone, PartialEq)]
pub enum TrialOutcome {
    /// Training finished; `stopped_early` says whether early stopping ended it.
    Completed {
        /// The best step and its metrics.
        result: TrialResult,
        /// The step at which early stopping ended training, if it did.
        stopped_early: Option<Step>,
    },
    /// The reporter asked the trial to stop.
    Pruned {
        /// The last step reported.
        at: Step,
        /// The best step so far, if any step was reported.
        result: Option<TrialResult>,
    },
    /// The trial could not finish.
    Failed {
        /// A short human-readable reason, e.g. "diverged at epoch 7".
        reason: String,
    },
    /// The trial could not be run or kept for a reason outside it, such as a full disk while
    /// its checkpoint was written: no result of it is stored, the study stops with the reason,
    /// and the trial runs again on resume (a trial's outcome must not depend on the machine).
    Aborted {
        /// What went wrong, naming the file or resource.
        reason: String,
    },
}

/// A trial as the study loop and the store see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// The trial's number.
    pub id: TrialId,
    /// The trial's seed.
    pub seed: Seed,
    /// The sampled hyperparameters.
    pub params: Params,
    /// The lifecycle state.
    pub state: TrialState,
    /// Why the trial is in its state, for pruned, failed and early-stopped trials.
    pub reason: Option<String>,
    /// When the trial started, if it did.
    pub started: Option<Timestamp>,
    /// When the trial ended, if it did.
    pub finished: Option<Timestamp>,
    /// The best step and its metrics, once known.
    pub result: Option<TrialResult>,
}

impl TrialState {
    /// Every state, in the order of a trial's life.
    pub const ALL: [TrialState; 5] = [
        TrialState::Queued,
        TrialState::Running,
        TrialState::Completed,
        TrialState::Pruned,
        TrialState::Failed,
    ];

    /// Returns the lowercase name shown to users and used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            TrialState::Queued => "queued",
            TrialState::Running => "running",
            TrialState::Completed => "completed",
            TrialState::Pruned => "pruned",
            TrialState::Failed => "failed",
        }
    }

    /// Returns the name shown for the state by a process that holds the store and runs no
    /// sweep of the trial's experiment: a trial left `running` there was stopped by a crash or a
    /// kill (a sweep that stops cleanly puts its trials back to `queued`), so it reads
    /// `interrupted`; the next run of the experiment runs it again from scratch. (Its record's
    /// trace, in `store`, says when it was last heard from, and what attempts were cut off.)
    pub fn as_str_when_idle(self) -> &'static str {
        match self {
            TrialState::Running => "interrupted",
            other => other.as_str(),
        }
    }

    /// Returns the state as shown: `as_str` while a sweep runs the trial's experiment
    /// (`live`), `as_str_when_idle` otherwise.
    pub fn shown(self, live: bool) -> &'static str {
        if live {
            self.as_str()
        } else {
            self.as_str_when_idle()
        }
    }

    /// Returns true for the states a trial never leaves.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            TrialState::Completed | TrialState::Pruned | TrialState::Failed
        )
    }
}

impl fmt::Display for TrialState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Trial {
    /// Returns whether the trial has ended with a result (a best epoch), as a completed or
    /// pruned trial does: one that could have kept a checkpoint.
    pub fn ended_with_result(&self) -> bool {
        self.result.is_some() && self.state.is_finished()
    }

    /// Returns the value of `metric` at the trial's best step, if recorded.
    pub fn value(&self, metric: &str) -> Option<f64> {
        self.result.as_ref()?.metrics.get(metric).copied()
    }

    /// Returns the trial's run time in milliseconds, when it started and ended.
    pub fn duration_ms(&self) -> Option<i64> {
        // (Times read from a file may be any 64-bit numbers: no wrapped difference.)
        self.finished?.0.checked_sub(self.started?.0)
    }
}

/// Returns the wall time, in milliseconds, during which at least one of `trials` was running:
/// the length of the union of their `[started, finished]` intervals and of the spans of work
/// their records keep beside them (`kept`: attempts cut off by a stop or a kill, and the start
/// to the last report of a trial a killed sweep left running, which has no end of its own). So
/// the time between runs of an experiment (a crash and its resume, a run and its `--extend`
/// days later) does not count, trials side by side count once, and compute spent on an
/// attempt that was cut off counts. A trial still running counts up to `now` when a sweep runs
/// it (`now` is `Some`), and otherwise only through `kept`. `None` when nothing has a known
/// span (no trial started, or only such trials did and were never heard from).
pub fn busy_ms(
    trials: &[Trial],
    kept: &[(Timestamp, Timestamp)],
    now: Option<Timestamp>,
) -> Option<i64> {
    union_ms(work_spans(trials, kept, now))
}

/// Returns the spans `busy_ms` unites: each trial's (`spans`) and the `kept` ones, in
/// milliseconds.
fn work_spans(
    trials: &[Trial],
    kept: &[(Timestamp, Timestamp)],
    now: Option<Timestamp>,
) -> Vec<(i64, i64)> {
    let mut spans = spans(trials, now);
    spans.extend(
        kept.iter()
            .map(|(start, end)| (start.0, end.0.max(start.0))),
    );
    spans
}

/// Returns the length of the union of `spans`; `None` when there are none.
fn union_ms(mut spans: Vec<(i64, i64)>) -> Option<i64> {
    spans.sort_unstable();
    let mut spans = spans.into_iter();
    let (mut lo, mut hi) = spans.next()?;
    let mut total = 0;
    for (start, end) in spans {
        if start > hi {
            total += hi - lo;
            lo = start;
        }
        hi = hi.max(end);
    }
    Some(total + (hi - lo))
}

/// How many trials ran side by side: on average over the time any ran (`busy_ms`), and at most
/// at one instant. `None` when no trial has run for any time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concurrency {
    /// The trials' total running time divided by the time any of them ran.
    pub average: f64,
    /// The most trials running at one instant.
    pub peak: usize,
}

/// Returns how many of `trials` ran side by side, counting their runs and the `kept` spans of
/// work beside them as `busy_ms` does, so the average divides by the busy time it returns. A
/// sweep whose average is below its peak had workers idle: waiting for earlier trials (the
/// price of results that do not depend on timing), or without a trial left to start.
pub fn concurrency(
    trials: &[Trial],
    kept: &[(Timestamp, Timestamp)],
    now: Option<Timestamp>,
) -> Option<Concurrency> {
    let spans = work_spans(trials, kept, now);
    let busy = union_ms(spans.clone()).filter(|b| *b > 0)?;
    let work: i64 = spans.iter().map(|(start, end)| end - start).sum();
    // An instant's count: +1 at each start, -1 at each end, ends before starts at a tie.
    let mut events: Vec<(i64, i32)> = spans
        .iter()
        .filter(|(start, end)| end > start)
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    events.sort_unstable();
    let (mut running, mut peak) = (0i32, 0i32);
    for (_, change) in events {
        running += change;
        peak = peak.max(running);
    }
    // Milliseconds of work and of wall time are far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    let average = work as f64 / busy as f64;
    Some(Concurrency {
        average,
        peak: usize::try_from(peak).unwrap_or(0),
    })
}

/// Returns the `[started, finished]` interval of each trial that started, in milliseconds; a
/// trial still running ends at `now` when a sweep runs it, and where it started otherwise.
fn spans(trials: &[Trial], now: Option<Timestamp>) -> Vec<(i64, i64)> {
    trials
        .iter()
        .filter_map(|t| {
            let start = t.started?;
            // A trial with no known end (a killed sweep left it running) spans nothing: its
            // start alone would read as a run of no time.
            let end = match (t.finished, now) {
                (Some(end), _) => end,
                (None, Some(now)) if t.state == TrialState::Running => now,
                _ => return None,
            };
            Some((start.0, end.0.max(start.0)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(state: TrialState, started: Option<i64>, finished: Option<i64>) -> Trial {
        Trial {
            id: TrialId(0),
            seed: Seed(0),
            params: Params::new(),
            state,
            reason: None,
            started: started.map(Timestamp),
            finished: finished.map(Timestamp),
            result: None,
        }
    }

    #[test]
    fn a_duration_of_times_64_bits_apart_is_none() {
        // Times read from a journal may be any 64-bit numbers: no wrapped difference.
        let done = TrialState::Completed;
        assert_eq!(
            trial(done, Some(i64::MIN), Some(i64::MAX)).duration_ms(),
            None
        );
        assert_eq!(
            trial(done, Some(5), Some(i64::MAX)).duration_ms(),
            Some(i64::MAX - 5)
        );
        assert_eq!(trial(done, Some(5), None).duration_ms(), None);
    }

    #[test]
    fn busy_time_is_the_union_of_trial_intervals() {
        use TrialState::{Completed, Queued, Running};
        assert_eq!(busy_ms(&[], &[], None), None);
        assert_eq!(busy_ms(&[trial(Queued, None, None)], &[], None), None);
        let trials = [
            // Two side by side, overlapping: 1000..2500.
            trial(Completed, Some(1000), Some(2000)),
            trial(Completed, Some(1500), Some(2500)),
            // Inside them: adds nothing.
            trial(Completed, Some(1600), Some(1700)),
            // Days later, an `--extend`: 500 more, the gap not counted.
            trial(Completed, Some(90_000_000), Some(90_000_500)),
            // Running since 90_000_400.
            trial(Running, Some(90_000_400), None),
        ];
        assert_eq!(
            busy_ms(&trials, &[], None),
            Some(2000),
            "a killed run's trial adds nothing"
        );
        assert_eq!(
            busy_ms(&trials, &[], Some(Timestamp(90_001_400))),
            Some(2900)
        );
        // A killed run whose every trial was left running has no known time: not "0ms".
        assert_eq!(busy_ms(&trials[4..], &[], None), None);
    }

    #[test]
    fn kept_spans_count_as_work_the_trials_records_hold() {
        use TrialState::{Completed, Queued, Running};
        let at = |a: i64, b: i64| (Timestamp(a), Timestamp(b));
        let trials = [
            trial(Completed, Some(1000), Some(2000)),
            // Killed: started, last heard at 3500.
            trial(Running, Some(3000), None),
            // Stopped earlier (Ctrl-C): back in the queue, no times of its own.
            trial(Queued, None, None),
        ];
        // The killed trial's start to its last report, an attempt a stop cut off (5000..5400),
        // and one inside the first trial's run (counted once).
        let kept = [at(3000, 3500), at(5000, 5400), at(1500, 1800)];
        assert_eq!(busy_ms(&trials, &kept, None), Some(1900));
        // Only kept spans known: still a time, not none.
        assert_eq!(busy_ms(&trials[1..], &kept[..1], None), Some(500));
        // A span read backwards from a file counts as nothing, not as negative time.
        assert_eq!(busy_ms(&[], &[at(10, 5)], None), Some(0));
    }

    #[test]
    fn concurrency_is_work_over_busy_time_and_the_most_at_once() {
        use TrialState::{Completed, Queued};
        assert_eq!(concurrency(&[trial(Queued, None, None)], &[], None), None);
        let trials = [
            // 1000..2000 and 1500..2500 overlap; 1600..1700 makes three at once.
            trial(Completed, Some(1000), Some(2000)),
            trial(Completed, Some(1500), Some(2500)),
            trial(Completed, Some(1600), Some(1700)),
            // Back to back with the first pair's end: never a fourth.
            trial(Completed, Some(2500), Some(3000)),
        ];
        let c = concurrency(&trials, &[], None).unwrap();
        assert_eq!(c.peak, 3);
        // 2600 ms of work over 2000 ms of wall time.
        assert!((c.average - 1.3).abs() < 1e-12, "{c:?}");
        // Kept spans (attempts cut off) count as `busy_ms` counts them: 400 ms more of work,
        // 200 ms of it alone (3000..3200), so the average divides by the busy time shown.
        let at = |a, b| (Timestamp(a), Timestamp(b));
        let kept = [at(2800, 3200)];
        let c = concurrency(&trials, &kept, None).unwrap();
        assert_eq!(busy_ms(&trials, &kept, None), Some(2200));
        assert!((c.average - 3000.0 / 2200.0).abs() < 1e-12, "{c:?}");
        assert_eq!(c.peak, 3);
        // A sweep known only by its kept spans still ran side by side.
        let alone = concurrency(&[], &[at(0, 100), at(50, 150)], None).unwrap();
        assert_eq!(alone.peak, 2);
    }
}
