//! What a trial's record keeps of how it ran, beside its result: when its running attempt was
//! last heard from, and the attempts cut off before the one it has now.
//!
//! This is bookkeeping only: no result, export or comparison of results reads it, so a trial
//! re-run after a stop or a kill gives the same result as one never interrupted. It lives beside
//! `experiment::Trial` rather than in it, as the run record does beside the experiment: the
//! domain's trial is what samplers, pruners and rankings see, and none of them should.
//!
//! Rejected: keeping the last-heard time in `Trial::finished` (a running trial would read as
//! ended); a tree of its own (a report's write of the trial's last-heard time would then be a
//! second record per epoch rather than the trial's own).

use experiment::{format_duration, Step, Timestamp, Trial, TrialState};

/// What a trial's record keeps of its runs beside the trial itself (`Store::put_trial_traced`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrialTrace {
    /// The last epoch the running attempt reported and when it was stored: the known end of an
    /// attempt a kill cut off. Kept only while the trial runs; a finished or queued trial has
    /// none.
    pub heard: Option<Heard>,
    /// The attempts cut off before the current one, oldest first: each ran, then a stop put
    /// the trial back in the queue or a kill left it `running`, and it ran again from scratch.
    pub cut: Vec<CutAttempt>,
}

/// A running attempt's last report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heard {
    /// When its metrics were stored.
    pub at: Timestamp,
    /// The epoch it reported.
    pub step: Step,
}

/// An attempt of a trial that was cut off before it ended; the trial ran again from scratch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutAttempt {
    /// When it started.
    pub started: Timestamp,
    /// When it was stopped, or, for one a kill cut off, when it was last heard from (its start
    /// when it reported nothing).
    pub ended: Timestamp,
    /// The last epoch it reported (0 for none).
    pub epochs: u32,
    /// What cut it off.
    pub by: CutBy,
}

/// What cut an attempt off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutBy {
    /// A stop request (Ctrl-C, SIGTERM) or a reason outside the trial (a full disk, another
    /// trial's error or a time limit that ended the study while it ran): the sweep put the
    /// trial back in the queue.
    Stop,
    /// The sweep's process ended without a word (a kill, a crash): the next run found the trial
    /// `running`.
    Kill,
    /// As `Kill`, for an attempt never heard from (killed before its first report, or left
    /// `running` by a build that kept no last-heard time): how long it ran is not known, and
    /// its `ended` is its start; its epochs are its stored curve's.
    KillUnheard,
}

impl TrialTrace {
    /// Returns whether the trace holds nothing, as a trial never interrupted has.
    pub fn is_empty(&self) -> bool {
        self.heard.is_none() && self.cut.is_empty()
    }

    /// Returns the trace of a new attempt of `trial`, whose stored trace was this: its cut
    /// attempts, and the one now ending if the trial was left `running` (a kill cut it off, at
    /// its last report). One never heard from (killed before its first report, or left by a
    /// build that kept no last-heard time) is `CutBy::KillUnheard`: its epochs are the last
    /// step of its stored curve, `curve_last` (read before the curve goes), its time unknown.
    /// Nothing of the new attempt is heard yet.
    pub fn for_rerun(&self, trial: &Trial, curve_last: Option<Step>) -> TrialTrace {
        let mut cut = self.cut.clone();
        if let (TrialState::Running, Some(started)) = (trial.state, trial.started) {
            cut.push(match self.heard.filter(|h| h.at >= started) {
                Some(heard) => CutAttempt {
                    started,
                    ended: heard.at,
                    epochs: heard.step.0,
                    by: CutBy::Kill,
                },
                None => CutAttempt {
                    started,
                    ended: started,
                    epochs: curve_last.map_or(0, |s| s.0),
                    by: CutBy::KillUnheard,
                },
            });
        }
        TrialTrace { heard: None, cut }
    }

    /// Returns the spans of work the record keeps beside `trial`'s own `[started, finished]`,
    /// for `experiment::busy_ms`: each cut attempt's, and, for a trial left `running` where no
    /// sweep runs it (`live` false), its start to its last report.
    pub fn spans(&self, trial: &Trial, live: bool) -> Vec<(Timestamp, Timestamp)> {
        let mut spans: Vec<_> = self.cut.iter().map(|c| (c.started, c.ended)).collect();
        if let Some(end) = self.interrupted_at(trial, live) {
            spans.extend(trial.started.map(|start| (start, end)));
        }
        spans
    }

    /// Returns when a trial left `running` where no sweep runs it (`live` false) was last heard
    /// from: the known end of its interrupted attempt. `None` for any other trial, or one
    /// never heard from.
    pub fn interrupted_at(&self, trial: &Trial, live: bool) -> Option<Timestamp> {
        let started = trial.started?;
        (trial.state == TrialState::Running && !live)
            .then_some(self.heard)
            .flatten()
            .map(|h| h.at.max(started))
    }

    /// Returns the milliseconds the cut attempts ran, all together.
    pub fn cut_ms(&self) -> i64 {
        self.cut
            .iter()
            .map(|c| c.ended.0.saturating_sub(c.started.0).max(0))
            .fold(0, i64::saturating_add)
    }

    /// Returns the epochs the cut attempts trained, all together.
    pub fn cut_epochs(&self) -> u64 {
        self.cut.iter().map(|c| u64::from(c.epochs)).sum()
    }
}

impl TrialTrace {
    /// Returns what a trial a kill left `running` (where no sweep runs it: `live` false) is
    /// known to have run, for a trial's page and `sweep show`: `2m05s until last heard from,
    /// at epoch 7 (2026-01-02 03:04:05 UTC)`. `None` for any other trial or one never heard
    /// from.
    pub fn interrupted_text(&self, trial: &Trial, live: bool) -> Option<String> {
        let at = self.interrupted_at(trial, live)?;
        let heard = self.heard?;
        let ms = at.0.checked_sub(trial.started?.0)?;
        Some(format!(
            "{} until last heard from, at epoch {} ({} UTC)",
            format_duration(ms),
            heard.step,
            at.utc()
        ))
    }

    /// Returns the attempts cut off, for a trial's page and `sweep show`: `2 (stopped, killed):
    /// 5 epochs, 3m02s of compute`; `None` when there are none. The time of an attempt never
    /// heard from (`CutBy::KillUnheard`) is said to be unknown: `1 (killed): 3 epochs, time
    /// unknown`, or `..., 3m02s of compute and more for 1 of unknown time`.
    pub fn cut_text(&self) -> Option<String> {
        if self.cut.is_empty() {
            return None;
        }
        let by: Vec<&str> = self.cut.iter().map(|c| c.by.as_str()).collect();
        let epochs = self.cut_epochs();
        let unknown = self.cut.iter().filter(|c| !c.by.time_known()).count();
        let compute = format!("{} of compute", format_duration(self.cut_ms()));
        let time = match unknown {
            0 => compute,
            n if n == self.cut.len() => "time unknown".to_string(),
            n => format!("{compute} and more for {n} of unknown time"),
        };
        Some(format!(
            "{} ({}): {epochs} epoch{}, {time}",
            self.cut.len(),
            by.join(", "),
            if epochs == 1 { "" } else { "s" },
        ))
    }
}

impl CutBy {
    /// Returns the word shown for it: `stopped` or `killed`.
    pub fn as_str(self) -> &'static str {
        match self {
            CutBy::Stop => "stopped",
            CutBy::Kill | CutBy::KillUnheard => "killed",
        }
    }

    /// Returns whether the attempt's end, so its time, is known: not for `KillUnheard`.
    pub fn time_known(self) -> bool {
        self != CutBy::KillUnheard
    }
}

#[cfg(test)]
mod tests {
    use experiment::{Params, Seed, TrialId};

    use super::*;
    use crate::store::tests::{info, point, trial as stored_trial};
    use crate::Store;

    #[test]
    fn a_report_stores_the_running_trials_last_epoch_and_time_with_its_metrics() {
        let store = Store::temporary().unwrap();
        store.create_experiment(&info("e", 0)).unwrap();
        let running = stored_trial(1, TrialState::Running);
        let earlier = TrialTrace {
            heard: None,
            cut: vec![CutAttempt {
                started: Timestamp(100),
                ended: Timestamp(300),
                epochs: 1,
                by: CutBy::Stop,
            }],
        };
        store.put_trial_traced("e", &running, &earlier).unwrap();
        for (step, at) in [(1, 1_200), (2, 1_400)] {
            let points = [point("val_loss", 1.0 / f64::from(step))];
            store
                .append_report("e", TrialId(1), Step(step), &points, Timestamp(at))
                .unwrap();
        }
        let (trial, trace) = store.trial_traced("e", TrialId(1)).unwrap().unwrap();
        assert_eq!(trial, running, "the trial itself is as stored");
        assert_eq!(trace.heard, heard(1_400, 2));
        assert_eq!(trace.cut, earlier.cut, "the cut attempts are kept");
        let series = store.metric_series("e", TrialId(1), "val_loss").unwrap();
        assert_eq!(series, [(Step(1), 1.0), (Step(2), 0.5)]);
        assert_eq!(store.traced_trials("e").unwrap(), [(running, trace)]);
        // A trial not stored has its metrics stored alone; an ended one is not heard from.
        let points = [point("val_loss", 0.1)];
        store
            .append_report("e", TrialId(2), Step(1), &points, Timestamp(9))
            .unwrap();
        assert_eq!(store.trial("e", TrialId(2)).unwrap(), None);
        store
            .put_trial("e", &stored_trial(3, TrialState::Completed))
            .unwrap();
        store
            .append_report("e", TrialId(3), Step(9), &points, Timestamp(9))
            .unwrap();
        let (_, ended) = store.trial_traced("e", TrialId(3)).unwrap().unwrap();
        assert!(ended.is_empty());
    }

    fn trial(state: TrialState, started: Option<i64>) -> Trial {
        Trial {
            id: TrialId(3),
            seed: Seed(1),
            params: Params::new(),
            state,
            reason: None,
            started: started.map(Timestamp),
            finished: None,
            result: None,
        }
    }

    fn heard(at: i64, step: u32) -> Option<Heard> {
        Some(Heard {
            at: Timestamp(at),
            step: Step(step),
        })
    }

    #[test]
    fn a_killed_attempt_ends_where_it_was_last_heard() {
        let stopped = CutAttempt {
            started: Timestamp(10),
            ended: Timestamp(40),
            epochs: 2,
            by: CutBy::Stop,
        };
        let trace = TrialTrace {
            heard: heard(900, 7),
            cut: vec![stopped],
        };
        let killed = trial(TrialState::Running, Some(500));
        let next = trace.for_rerun(&killed, Some(Step(7)));
        assert_eq!(next.heard, None);
        assert_eq!(
            next.cut,
            [
                stopped,
                CutAttempt {
                    started: Timestamp(500),
                    ended: Timestamp(900),
                    epochs: 7,
                    by: CutBy::Kill,
                }
            ]
        );
        assert_eq!((next.cut_ms(), next.cut_epochs()), (430, 9));
        // Never heard from: its start is all that is known, but the attempt is counted.
        let silent = TrialTrace::default().for_rerun(&killed, None);
        assert_eq!((silent.cut.len(), silent.cut_ms()), (1, 0));
        // A queued trial (a stop put it back) adds no attempt: its stop did.
        let queued = trial(TrialState::Queued, None);
        assert_eq!(trace.for_rerun(&queued, None).cut, [stopped]);
    }

    #[test]
    fn an_interrupted_trial_spans_its_start_to_its_last_report_only_when_idle() {
        let trace = TrialTrace {
            heard: heard(900, 7),
            cut: Vec::new(),
        };
        let running = trial(TrialState::Running, Some(500));
        assert_eq!(trace.interrupted_at(&running, false), Some(Timestamp(900)));
        assert_eq!(
            trace.spans(&running, false),
            [(Timestamp(500), Timestamp(900))]
        );
        // While a sweep runs it, its span is the clock's (`busy_ms`'s `now`).
        assert_eq!(trace.spans(&running, true), []);
        assert_eq!(trace.interrupted_at(&running, true), None);
        let done = Trial {
            state: TrialState::Completed,
            ..running.clone()
        };
        assert_eq!(trace.interrupted_at(&done, false), None);
        assert_eq!(
            trace.interrupted_text(&running, false).unwrap(),
            format!(
                "0.4s until last heard from, at epoch 7 ({} UTC)",
                Timestamp(900).utc()
            )
        );
        assert_eq!(trace.interrupted_text(&running, true), None);
    }

    #[test]
    fn cut_attempts_are_said_with_their_epochs_and_time() {
        let cut = |by, epochs, ms: i64| CutAttempt {
            started: Timestamp(1_000),
            ended: Timestamp(1_000 + ms),
            epochs,
            by,
        };
        assert_eq!(TrialTrace::default().cut_text(), None);
        let once = TrialTrace {
            heard: None,
            cut: vec![cut(CutBy::Stop, 1, 1_500)],
        };
        assert_eq!(
            once.cut_text().unwrap(),
            "1 (stopped): 1 epoch, 1.5s of compute"
        );
        let twice = TrialTrace {
            heard: None,
            cut: vec![cut(CutBy::Stop, 2, 60_000), cut(CutBy::Kill, 3, 2_000)],
        };
        assert_eq!(
            twice.cut_text().unwrap(),
            "2 (stopped, killed): 5 epochs, 1m02s of compute"
        );
        // An attempt never heard from ran for a time not known, not for 0s.
        let unheard = TrialTrace {
            heard: None,
            cut: vec![cut(CutBy::KillUnheard, 3, 0)],
        };
        assert_eq!(
            unheard.cut_text().unwrap(),
            "1 (killed): 3 epochs, time unknown"
        );
        let both = TrialTrace {
            heard: None,
            cut: vec![cut(CutBy::Stop, 2, 60_000), cut(CutBy::KillUnheard, 3, 0)],
        };
        assert_eq!(
            both.cut_text().unwrap(),
            "2 (stopped, killed): 5 epochs, 1m00s of compute and more for 1 of unknown time"
        );
    }

    #[test]
    fn an_attempt_never_heard_from_counts_its_curves_epochs_and_no_time() {
        let killed = trial(TrialState::Running, Some(500));
        // As a build that kept no last-heard time left it: its curve's last step is 4.
        let next = TrialTrace::default().for_rerun(&killed, Some(Step(4)));
        assert_eq!(
            next.cut,
            [CutAttempt {
                started: Timestamp(500),
                ended: Timestamp(500),
                epochs: 4,
                by: CutBy::KillUnheard,
            }]
        );
        assert_eq!(next.cut[0].by.as_str(), "killed");
        // A last-heard time from an earlier attempt is not this one's.
        let stale = TrialTrace {
            heard: heard(400, 9),
            cut: Vec::new(),
        };
        assert_eq!(stale.for_rerun(&killed, None).cut[0].by, CutBy::KillUnheard);
    }
}
