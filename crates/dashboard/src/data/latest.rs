//! A trial's latest epoch: the step it last reported and each metric's value then. A trial
//! still running has no result (its best epoch's metrics) yet, so the tables and the API show
//! it by its latest epoch instead, said as the latest, never as its best: it has no rank until
//! it ends, as the leaderboard ranks. Where its metrics report at different epochs, its page
//! and the compare page show each at its own last report (`Latest::of`), said so.

use std::collections::BTreeMap;

use experiment::{Step, Trial, TrialState};

use super::Series;

/// A trial's latest reported epoch and the value of every metric it reported at it, or (from
/// `Latest::of`) of every metric at its own last report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Latest {
    /// The epoch (numbered from 1).
    pub(crate) step: Step,
    /// Each metric's value, by name: at `step`, or at its own last report where `earlier`
    /// says so.
    pub(crate) metrics: BTreeMap<String, f64>,
    /// The metrics of `metrics` last reported before `step`, with the epoch of that report
    /// (`Latest::of`); empty where every value is `step`'s (`Reader::latest`).
    pub(crate) earlier: BTreeMap<String, Step>,
}

impl Latest {
    /// Returns the last epoch any metric of `series` reported (`experiment::epochs_reported`),
    /// with each metric's own last point: where metrics report at different epochs, one last
    /// reported before it has that value, and that epoch in `earlier`, rather than none;
    /// `None` before any report.
    pub(crate) fn of(series: &BTreeMap<String, Series>) -> Option<Latest> {
        let step = Step(experiment::epochs_reported(series)?);
        let mut metrics = BTreeMap::new();
        let mut earlier = BTreeMap::new();
        for (name, points) in series {
            let Some(&(at, v)) = points.last() else {
                continue;
            };
            metrics.insert(name.clone(), v);
            if at < step {
                earlier.insert(name.clone(), at);
            }
        }
        Some(Latest {
            step,
            metrics,
            earlier,
        })
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

    /// Issue: a trial's page took the last epoch any metric reported and showed only the
    /// metrics reported at it: one reporting at other epochs was missing (or, in a gap, shown
    /// as none). Each metric's latest is its own last point, its epoch said where earlier.
    #[test]
    fn issue_each_metrics_latest_is_its_own_last_point() {
        let s = series(&[
            ("val_accuracy", &[(1, 0.5), (2, 0.6), (3, 0.7)]),
            ("val_loss", &[(1, 0.9), (2, 0.8)]),
            ("param_count", &[(1, 1000.0)]),
            ("val_f1", &[(1, 0.4), (3, 0.45)]),
        ]);
        let latest = Latest::of(&s).unwrap();
        assert_eq!(latest.step, Step(3));
        assert_eq!(
            latest.metrics,
            BTreeMap::from([
                ("param_count".to_string(), 1000.0),
                ("val_accuracy".to_string(), 0.7),
                ("val_f1".to_string(), 0.45),
                ("val_loss".to_string(), 0.8),
            ])
        );
        assert_eq!(Latest::of(&BTreeMap::new()), None);
        assert_eq!(
            latest.earlier,
            BTreeMap::from([
                ("param_count".to_string(), Step(1)),
                ("val_loss".to_string(), Step(2)),
            ])
        );
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
