//! Ranking trials for leaderboards: best objective value first.

use std::cmp::Ordering;

use crate::{Direction, Trial, TrialState};

/// Returns the trials ordered for a leaderboard: trials with a value of `metric` first, best
/// first by `goal` (ties broken by trial number); then trials without a value, by number.
///
/// Completed and pruned trials both rank by their best value; failed trials have no result.
pub fn rank_trials<'a>(trials: &'a [Trial], metric: &str, goal: Direction) -> Vec<&'a Trial> {
    let mut ranked: Vec<&Trial> = trials.iter().collect();
    ranked.sort_by(|a, b| {
        let va = a.value(metric).filter(|v| !v.is_nan());
        let vb = b.value(metric).filter(|v| !v.is_nan());
        match (va, vb) {
            (Some(x), Some(y)) => {
                let by_value = match goal {
                    Direction::Maximize => y.total_cmp(&x),
                    Direction::Minimize => x.total_cmp(&y),
                };
                by_value.then(a.id.cmp(&b.id))
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.id.cmp(&b.id),
        }
    });
    ranked
}

/// Returns the best completed trial by `metric`, if any trial completed with a value.
pub fn best_trial<'a>(trials: &'a [Trial], metric: &str, goal: Direction) -> Option<&'a Trial> {
    rank_trials(trials, metric, goal)
        .into_iter()
        .find(|t| t.state == TrialState::Completed && t.value(metric).is_some_and(|v| !v.is_nan()))
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
        let ids: Vec<u32> = rank_trials(&trials, "acc", Direction::Maximize)
            .iter()
            .map(|t| t.id.0)
            .collect();
        assert_eq!(ids, [2, 3, 0, 1, 4]);
        let ids: Vec<u32> = rank_trials(&trials, "acc", Direction::Minimize)
            .iter()
            .map(|t| t.id.0)
            .collect();
        assert_eq!(ids, [0, 3, 2, 1, 4]);
        assert_eq!(
            best_trial(&trials, "acc", Direction::Maximize).map(|t| t.id.0),
            Some(3)
        );
    }
}
