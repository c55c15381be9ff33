//! A trial's latest epoch: the step it last reported and each metric's value then. A trial
//! still running has no result (its best epoch's metrics) yet, so the tables and the API show
//! it by its latest epoch instead, said as the latest, never as its best: it has no rank and no
//! value of its own until it ends, as the leaderboard ranks.

use std::collections::BTreeMap;

use experiment::{Step, Trial, TrialState};

use super::Series;

/// A trial's latest reported epoch and the value of every metric it reported at it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Latest {
    /// The epoch (numbered from 1).
    pub(crate) step: Step,
    /// Each metric reported at `step`, by name.
    pub(crate) metrics: BTreeMap<String, f64>,
}

impl Latest {
    /// Returns epoch `step` of a trial's `series` (each metric's, in step order, by name) with
    /// the value of every metric reported at it; `None` when none was (a trial put back in the
    /// queue since, whose points were cleared).
    pub(crate) fn at(series: &BTreeMap<String, Series>, step: Step) -> Option<Latest> {
        let metrics: BTreeMap<String, f64> = series
            .iter()
            .filter_map(|(name, points)| {
                // The step asked for is nearly always the last: look from the end.
                let (_, v) = points.iter().rev().find(|(s, _)| *s == step)?;
                Some((name.clone(), *v))
            })
            .collect();
        (!metrics.is_empty()).then_some(Latest { step, metrics })
    }

    /// Returns the last epoch any metric of `series` reported (`experiment::epochs_reported`),
    /// with the values at it; `None` before any.
    pub(crate) fn of(series: &BTreeMap<String, Series>) -> Option<Latest> {
        Latest::at(series, Step(experiment::epochs_reported(series)?))
    }
}

/// Returns whether trial `t` is shown by its latest epoch in place of a result: it is running
/// (or, where no sweep runs its experiment, a kill left it `running`, shown `interrupted`), and
/// so has no result yet. Every other trial is shown by its result, or by nothing.
pub(crate) fn shows_latest(t: &Trial) -> bool {
    t.state == TrialState::Running && t.result.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::fixtures;

    fn series(points: &[(&str, &[(u32, f64)])]) -> BTreeMap<String, Series> {
        points
            .iter()
            .map(|(name, p)| {
                (
                    name.to_string(),
                    p.iter().map(|&(s, v)| (Step(s), v)).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn the_latest_epoch_holds_the_metrics_reported_at_it_and_no_earlier_ones() {
        let s = series(&[
            ("val_accuracy", &[(1, 0.5), (2, 0.6), (3, 0.7)]),
            ("val_loss", &[(1, 0.9), (2, 0.8), (3, 0.6)]),
            // Reported at epoch 1 alone: not a value at epoch 3.
            ("param_count", &[(1, 1000.0)]),
        ]);
        let latest = Latest::of(&s);
        assert_eq!(
            latest,
            Some(Latest {
                step: Step(3),
                metrics: BTreeMap::from([
                    ("val_accuracy".to_string(), 0.7),
                    ("val_loss".to_string(), 0.6)
                ]),
            })
        );
        assert_eq!(
            Latest::at(&s, Step(2)).map(|l| l.metrics["val_accuracy"]),
            Some(0.6)
        );
        assert_eq!(Latest::at(&s, Step(9)), None);
        assert_eq!(Latest::of(&BTreeMap::new()), None);
    }

    #[test]
    fn only_a_running_trial_without_a_result_is_shown_by_its_latest_epoch() {
        // Fixture trial 4 of 5 runs; 0 completed, 3 failed, 4 of 10 pruned.
        let running = fixtures::trial(4, 5);
        assert_eq!(running.state, TrialState::Running);
        assert!(shows_latest(&running));
        for t in [
            fixtures::trial(0, 5),
            fixtures::trial(3, 5),
            fixtures::trial(4, 10),
        ] {
            assert!(!shows_latest(&t), "{:?}", t.state);
        }
    }
}
