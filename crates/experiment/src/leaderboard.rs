//! Ranking trials for leaderboards: best objective value first (with several objectives, the
//! first Pareto front first), feasible trials before infeasible ones.

use std::cmp::Ordering;

use crate::{constraint, pareto, Constraint, MetricSpec, Trial, TrialState};

/// Returns the trials ordered for a leaderboard: trials with a value of every objective that
/// meet the `constraints` first; then trials with values that do not, the smallest violation
/// first; then trials without values, by number. Among the first, completed trials come before
/// pruned ones (whose values are of a shortened run), so that the first is the study's best
/// (`best_trial`): with one objective each group best value first; with several, the first
/// Pareto front (`pareto::fronts`) of the completed trials, then their second, and so on, each
/// front by its first objective, then the fronts of the pruned trials. Ties go by trial number.
///
/// Completed and pruned trials both rank by their best value; failed trials have no result.
pub fn rank_trials<'a>(
    trials: &'a [Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Vec<&'a Trial> {
    rank(trials.iter().collect(), objectives, constraints)
}

/// Ranks `trials` as `rank_trials` does.
fn rank<'a>(
    trials: Vec<&'a Trial>,
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Vec<&'a Trial> {
    let points: Vec<Option<Vec<f64>>> = trials
        .iter()
        .map(|t| pareto::oriented(t, objectives))
        .collect();
    let violation: Vec<f64> = trials
        .iter()
        .map(|t| constraint::violation(constraints, t).unwrap_or(f64::INFINITY))
        .collect();
    // With one objective, the completed trials form the first group and the pruned the second.
    let mut front: Vec<usize> = trials
        .iter()
        .map(|t| usize::from(t.state != TrialState::Completed))
        .collect();
    if objectives.len() > 1 {
        // The fronts of completed trials first, then those of pruned ones (their values are
        // of a shortened run), so that the first front is the study's (`pareto_front`).
        let mut offset = 0;
        for completed in [true, false] {
            let members: Vec<usize> = (0..trials.len())
                .filter(|&i| points[i].is_some() && violation[i] == 0.0)
                .filter(|&i| (trials[i].state == TrialState::Completed) == completed)
                .collect();
            let values: Vec<Vec<f64>> = members.iter().filter_map(|&i| points[i].clone()).collect();
            let fronts = pareto::fronts(&values);
            let count = fronts.iter().max().map_or(0, |f| f + 1);
            for (&i, f) in members.iter().zip(fronts) {
                front[i] = offset + f;
            }
            offset += count;
        }
    }
    let mut order: Vec<usize> = (0..trials.len()).collect();
    order.sort_by(|&a, &b| {
        match (&points[a], &points[b]) {
            (Some(x), Some(y)) => violation[a]
                .total_cmp(&violation[b])
                .then(front[a].cmp(&front[b]))
                .then(x[0].total_cmp(&y[0])),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then(trials[a].id.cmp(&trials[b].id))
    });
    order.into_iter().map(|i| trials[i]).collect()
}

/// Returns the metrics a leaderboard shows after the objective's: the further objectives of a
/// study with several, then the constrained metrics not among the objectives.
pub fn extra_columns<'a>(
    objectives: &'a [MetricSpec],
    constraints: &'a [Constraint],
) -> Vec<&'a str> {
    let mut columns: Vec<&str> = objectives.iter().skip(1).map(|o| o.name.as_str()).collect();
    for c in constraints {
        let shown = objectives.first().is_some_and(|o| o.name == c.metric)
            || columns.contains(&c.metric.as_str());
        if !shown {
            columns.push(&c.metric);
        }
    }
    columns
}

/// Returns whether `trial` completed with a value of every objective, meeting the constraints:
/// one that can be a study's result.
fn eligible(trial: &Trial, objectives: &[MetricSpec], constraints: &[Constraint]) -> bool {
    trial.state == TrialState::Completed
        && pareto::oriented(trial, objectives).is_some()
        && constraint::feasible(constraints, trial)
}

/// Returns the best completed trial among those that meet the `constraints`, if any such trial
/// completed with values: by the objective, or with several objectives, the trial of the first
/// Pareto front that is best by the first objective.
pub fn best_trial<'a>(
    trials: &'a [Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Option<&'a Trial> {
    let eligible: Vec<&Trial> = trials
        .iter()
        .filter(|t| eligible(t, objectives, constraints))
        .collect();
    rank(eligible, objectives, constraints).first().copied()
}

/// Returns the study's Pareto front: the completed trials that meet the `constraints` and that
/// no other such trial dominates on the `objectives`, best by the first objective first. With
/// one objective, the trials that share the best value.
pub fn pareto_front<'a>(
    trials: impl IntoIterator<Item = &'a Trial>,
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Vec<&'a Trial> {
    let mut points: Vec<(Vec<f64>, &Trial)> = trials
        .into_iter()
        .filter(|t| t.state == TrialState::Completed && constraint::feasible(constraints, t))
        .filter_map(|t| Some((pareto::oriented(t, objectives)?, t)))
        .collect();
    // In lexicographic order a point can only be dominated by points before it, and if it is,
    // then by one already on the front (domination is transitive): one pass against the front
    // so far, rather than against every point.
    points.sort_by(|(a, x), (b, y)| {
        a.iter()
            .zip(b)
            .map(|(u, v)| u.total_cmp(v))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then(x.id.cmp(&y.id))
    });
    let mut front: Vec<(Vec<f64>, &Trial)> = Vec::new();
    for (p, t) in points {
        if !front.iter().any(|(q, _)| pareto::dominates(q, &p)) {
            front.push((p, t));
        }
    }
    front.sort_by(|(a, x), (b, y)| a[0].total_cmp(&b[0]).then(x.id.cmp(&y.id)));
    front.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Direction;

    fn on(name: &str, goal: Direction) -> MetricSpec {
        MetricSpec {
            name: name.to_string(),
            goal,
        }
    }

    fn ids(trials: Vec<&Trial>) -> Vec<u32> {
        trials.iter().map(|t| t.id.0).collect()
    }

    /// A completed trial with accuracy `acc` and parameter count `size`.
    fn sized(id: u32, acc: f64, size: f64) -> Trial {
        let mut t = trial(id, TrialState::Completed, Some(acc));
        if let Some(r) = t.result.as_mut() {
            r.metrics.insert("size".to_string(), size);
        }
        t
    }

    #[test]
    fn several_objectives_rank_by_front_then_by_the_first() {
        let both = [
            on("acc", Direction::Maximize),
            on("size", Direction::Minimize),
        ];
        let trials = vec![
            sized(0, 0.90, 100.0),
            sized(1, 0.95, 1000.0),
            sized(2, 0.80, 50.0),
            // Dominated by 0: less accurate and larger.
            sized(3, 0.85, 200.0),
            trial(4, TrialState::Failed, None),
            // Dominated by 1 only.
            sized(5, 0.94, 2000.0),
            // Missing the second objective: after every trial that has both.
            trial(6, TrialState::Completed, Some(0.99)),
            // Pruned: after the completed trials' fronts, though it would dominate them all,
            // and never on the study's front.
            {
                let mut t = sized(7, 0.99, 10.0);
                t.state = TrialState::Pruned;
                t
            },
        ];
        assert_eq!(
            ids(rank_trials(&trials, &both, &[])),
            [1, 0, 2, 5, 3, 7, 4, 6]
        );
        assert_eq!(ids(pareto_front(&trials, &both, &[])), [1, 0, 2]);
        assert_eq!(best_trial(&trials, &both, &[]).map(|t| t.id.0), Some(1));
        // A constraint on size moves 1 and 5 behind, and 0 becomes the best.
        let small = Constraint {
            metric: "size".into(),
            min: None,
            max: Some(500.0),
        };
        assert_eq!(
            ids(rank_trials(&trials, &both, std::slice::from_ref(&small))),
            [0, 2, 3, 7, 1, 5, 4, 6]
        );
        assert_eq!(
            ids(pareto_front(&trials, &both, std::slice::from_ref(&small))),
            [0, 2]
        );
        assert_eq!(
            best_trial(&trials, &both, &[small]).map(|t| t.id.0),
            Some(0)
        );
        // One objective: the front is the trials that share the best value.
        let one = [on("acc", Direction::Minimize)];
        assert_eq!(ids(pareto_front(&trials, &one, &[])), [2]);
    }

    fn trial(id: u32, state: TrialState, value: Option<f64>) -> Trial {
        crate::testing::trial_with(id, state, "acc", value)
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
        let ids: Vec<u32> = rank_trials(&trials, &[on("acc", Direction::Maximize)], &[])
            .iter()
            .map(|t| t.id.0)
            .collect();
        // Trial 2's 0.9 is of a shortened run: it ranks after the completed trials, so that
        // the first is the study's best.
        assert_eq!(ids, [3, 0, 2, 1, 4]);
        let ids: Vec<u32> = rank_trials(&trials, &[on("acc", Direction::Minimize)], &[])
            .iter()
            .map(|t| t.id.0)
            .collect();
        assert_eq!(ids, [0, 3, 2, 1, 4]);
        assert_eq!(
            best_trial(&trials, &[on("acc", Direction::Maximize)], &[]).map(|t| t.id.0),
            Some(3)
        );
        // Whatever the values, the first of a ranking with a completed trial is the best.
        for goal in [Direction::Maximize, Direction::Minimize] {
            let first = rank_trials(&trials, &[on("acc", goal)], &[])[0].id;
            assert_eq!(
                Some(first),
                best_trial(&trials, &[on("acc", goal)], &[]).map(|t| t.id)
            );
        }
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
        let ids: Vec<u32> =
            rank_trials(&trials, &[on("acc", Direction::Maximize)], &[at_most(0.8)])
                .iter()
                .map(|t| t.id.0)
                .collect();
        assert_eq!(ids, [4, 0, 3, 1, 2]);
        let best = |max: f64| {
            best_trial(&trials, &[on("acc", Direction::Maximize)], &[at_most(max)]).map(|t| t.id.0)
        };
        assert_eq!(best(0.8), Some(4));
        assert_eq!(best(0.1), None);
    }
}
