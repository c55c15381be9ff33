//! Ranking trials for leaderboards: best objective value first, feasible trials before
//! infeasible ones.

use std::cmp::Ordering;

use crate::{constraint, Constraint, Direction, Trial, TrialState};

/// Returns the trials ordered for a leaderboard: trials with a value of `metric` that meet the
/// `constraints` first, best first by `goal` (ties broken by trial number); then trials with a
/// value that do not, the smallest violation first; then trials without a value, by number.
///
/// Completed and pruned trials both rank by their best value; failed trials have no result.
pub fn rank_trials<'a>(
    trials: &'a [Trial],
    metric: &str,
    goal: Direction,
    constraints: &[Constraint],
) -> Vec<&'a Trial> {
    let mut keyed: Vec<(Option<(f64, f64)>, &Trial)> = trials
        .iter()
        .map(|t| {
            let value = t.value(metric).filter(|v| !v.is_nan());
            let violation = constraint::violation(constraints, t).unwrap_or(f64::INFINITY);
            (value.map(|v| (violation, v)), t)
        })
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| {
        match (ka, kb) {
            (Some((ca, x)), Some((cb, y))) => {
                let by_value = match goal {
                    Direction::Maximize => y.total_cmp(x),
                    Direction::Minimize => x.total_cmp(y),
                };
                ca.total_cmp(cb).then(by_value)
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then(a.id.cmp(&b.id))
    });
    keyed.into_iter().map(|(_, t)| t).collect()
}

/// Returns the best completed trial by `metric` among those that meet the `constraints`, if any
/// such trial completed with a value.
pub fn best_trial<'a>(
    trials: &'a [Trial],
    metric: &str,
    goal: Direction,
    constraints: &[Constraint],
) -> Option<&'a Trial> {
    rank_trials(trials, metric, goal, constraints)
        .into_iter()
        .find(|t| {
            t.state == TrialState::Completed
                && t.value(metric).is_some_and(|v| !v.is_nan())
                && constraint::feasible(constraints, t)
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{Params, Seed, Step, TrialId, TrialResult};

    fn trial(id: u32, state: TrialState, value: Option<f64>) -> Trial {
        Trial {
            id: TrialId(id),
            seed: Seed(0),
            params: Params::new(),
            state,
            reason: None,
            started: None,
            finished: None,
            result: value.map(|v| TrialResult {
                best_step: Step(1),
                metrics: BTreeMap::from([("acc".to_string(), v)]),
            }),
        }
    }

    #[test]
    fn ranks_best_first_and_valueless_last() {
        let trials = vec![
            trial(0, TrialState::Completed, Some(0.5)),
            trial(1, TrialState::Failed, None),
            trial(2, TrialState::Pruned, Some(0.9)),
            trial(3, TrialState::Completed, Some(0.7)),
            trial(4, TrialState::Completed, Some(f64::NAN)),
        ];
        let ids: Vec<u32> = rank_trials(&trials, "acc", Direction::Maximize, &[])
            .iter()
            .map(|t| t.id.0)
            .collect();
        assert_eq!(ids, [2, 3, 0, 1, 4]);
        let ids: Vec<u32> = rank_trials(&trials, "acc", Direction::Minimize, &[])
            .iter()
            .map(|t| t.id.0)
            .collect();
        assert_eq!(ids, [0, 3, 2, 1, 4]);
        assert_eq!(
            best_trial(&trials, "acc", Direction::Maximize, &[]).map(|t| t.id.0),
            Some(3)
        );
    }

    #[test]
    fn infeasible_trials_rank_after_feasible_ones_by_violation_and_are_never_best() {
        let at_most = |max: f64| Constraint {
            metric: "acc".into(),
            min: None,
            max: Some(max),
        };
        let trials = vec![
            trial(0, TrialState::Completed, Some(0.5)),
            trial(1, TrialState::Completed, Some(0.95)),
            trial(2, TrialState::Failed, None),
            trial(3, TrialState::Completed, Some(0.85)),
            trial(4, TrialState::Completed, Some(0.7)),
        ];
        // Accuracy at most 0.8: 1 and 3 break it, 3 by less.
        let ids: Vec<u32> = rank_trials(&trials, "acc", Direction::Maximize, &[at_most(0.8)])
            .iter()
            .map(|t| t.id.0)
            .collect();
        assert_eq!(ids, [4, 0, 3, 1, 2]);
        let best = |max: f64| {
            best_trial(&trials, "acc", Direction::Maximize, &[at_most(max)]).map(|t| t.id.0)
        };
        assert_eq!(best(0.8), Some(4));
        assert_eq!(best(0.1), None);
    }
}
