//! Finished trials as the model-based samplers see them: parameters and a score to minimize.
//!
//! A completed trial with a finite value of the objective ranks by that value (negated when the
//! objective is maximized). A pruned trial ranks after every completed one, by the value it had
//! reached: it stopped early because it looked worse. A failed trial, or one without a finite
//! value, has no rank; the samplers treat it as bad rather than ignore it, because the usual
//! failure in a sweep is a diverging loss, and the region that diverges is worth avoiding.
//!
//! With constraints (`constraints:`), a trial with a value that breaks one ranks after every
//! trial that meets them, the smaller violation first, as Optuna's samplers rank infeasible
//! trials.

use std::cmp::Ordering;

use experiment::{Constraint, Direction, MetricSpec, Trial, TrialState};

/// How a finished trial ended, for ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Standing {
    /// Completed with a finite value.
    Completed,
    /// Pruned with a finite value.
    Pruned,
    /// Completed or pruned with a finite value, breaking a constraint.
    Infeasible,
    /// Failed, or without a finite value.
    Failed,
}

/// One finished trial.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observation<'t> {
    /// The trial: its number, parameters and recorded metrics.
    pub(crate) trial: &'t Trial,
    /// The objective, oriented so that smaller is better; NaN when failed.
    pub(crate) score: f64,
    /// How it ended.
    pub(crate) standing: Standing,
    /// How far it breaks the constraints (`experiment::violation`); 0 when it meets them.
    pub(crate) violation: f64,
}

impl Observation<'_> {
    /// Returns the score that ranks it among trials that meet the constraints: its score, or
    /// infinity (worse than any) when it breaks one.
    pub(crate) fn feasible_score(&self) -> f64 {
        if self.standing == Standing::Infeasible {
            f64::INFINITY
        } else {
            self.score
        }
    }

    /// Returns whether it ranks and meets the constraints.
    pub(crate) fn is_feasible(&self) -> bool {
        matches!(self.standing, Standing::Completed | Standing::Pruned)
    }
}

/// Orders two observations for ranking: by standing, then (among infeasible ones) by violation,
/// then by score.
pub(crate) fn compare(a: &Observation<'_>, b: &Observation<'_>) -> Ordering {
    a.standing
        .cmp(&b.standing)
        .then(a.violation.total_cmp(&b.violation))
        .then(a.score.total_cmp(&b.score))
}

/// Returns whether a model-based sampler with `n_startup_trials` proposes a startup (Sobol)
/// point when it has `ranked` trials to learn from: fewer than the startup trials, or none.
/// `Sampler::learns_from` reads the same rule, so the runner waits exactly where it matters.
pub(crate) fn in_startup(n_startup_trials: u32, ranked: usize) -> bool {
    let startup = usize::try_from(n_startup_trials).unwrap_or(usize::MAX);
    ranked < startup.max(1)
}

/// Returns the finished trials in trial order, scored for `objective` and checked against the
/// `constraints`.
pub(crate) fn observations<'t>(
    finished: &'t [Trial],
    objective: &MetricSpec,
    constraints: &[Constraint],
) -> Vec<Observation<'t>> {
    let mut trials: Vec<&Trial> = finished.iter().filter(|t| t.state.is_finished()).collect();
    trials.sort_by_key(|t| t.id);
    trials
        .into_iter()
        .map(|t| {
            let value = t.value(&objective.name).filter(|v| v.is_finite());
            let score = match (value, objective.goal) {
                (Some(v), Direction::Minimize) => v,
                (Some(v), Direction::Maximize) => -v,
                (None, _) => f64::NAN,
            };
            let violation = experiment::violation(constraints, t).unwrap_or(0.0);
            let standing = match (t.state, value) {
                (TrialState::Completed | TrialState::Pruned, Some(_)) if violation > 0.0 => {
                    Standing::Infeasible
                }
                (TrialState::Completed, Some(_)) => Standing::Completed,
                (TrialState::Pruned, Some(_)) => Standing::Pruned,
                _ => Standing::Failed,
            };
            Observation {
                trial: t,
                score,
                standing,
                violation,
            }
        })
        .collect()
}

/// Returns the indices of the ranked observations (completed, then pruned, then infeasible),
/// best first; ties keep trial order.
pub(crate) fn ranking(observations: &[Observation<'_>]) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..observations.len())
        .filter(|&i| observations[i].standing != Standing::Failed)
        .collect();
    ranked.sort_by(|&a, &b| compare(&observations[a], &observations[b]));
    ranked
}
