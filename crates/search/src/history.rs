//! Finished trials as the model-based samplers see them: parameters and a score to minimize.
//!
//! A completed trial with a finite value of the objective ranks by that value (negated when the
//! objective is maximized). A pruned trial ranks after every completed one, by the value it had
//! reached: it stopped early because it looked worse. A failed trial, or one without a finite
//! value, has no rank; the samplers treat it as bad rather than ignore it, because the usual
//! failure in a sweep is a diverging loss, and the region that diverges is worth avoiding.

use experiment::{Direction, MetricSpec, Params, Trial, TrialId, TrialState};

/// How a finished trial ended, for ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Standing {
    /// Completed with a finite value.
    Completed,
    /// Pruned with a finite value.
    Pruned,
    /// Failed, or without a finite value.
    Failed,
}

/// One finished trial.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observation<'t> {
    /// Its number.
    pub(crate) id: TrialId,
    /// Its parameters.
    pub(crate) params: &'t Params,
    /// The objective, oriented so that smaller is better; NaN when failed.
    pub(crate) score: f64,
    /// How it ended.
    pub(crate) standing: Standing,
}

/// Returns whether a model-based sampler with `n_startup_trials` proposes a startup (Sobol)
/// point when it has `ranked` trials to learn from: fewer than the startup trials, or none.
/// `Sampler::learns_from` reads the same rule, so the runner waits exactly where it matters.
pub(crate) fn in_startup(n_startup_trials: u32, ranked: usize) -> bool {
    let startup = usize::try_from(n_startup_trials).unwrap_or(usize::MAX);
    ranked < startup.max(1)
}

/// Returns the finished trials in trial order, scored for `objective`.
pub(crate) fn observations<'t>(
    finished: &'t [Trial],
    objective: &MetricSpec,
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
            let standing = match (t.state, value) {
                (TrialState::Completed, Some(_)) => Standing::Completed,
                (TrialState::Pruned, Some(_)) => Standing::Pruned,
                _ => Standing::Failed,
            };
            Observation {
                id: t.id,
                params: &t.params,
                score,
                standing,
            }
        })
        .collect()
}

/// Returns the indices of the ranked observations (completed, then pruned), best first; ties
/// keep trial order.
pub(crate) fn ranking(observations: &[Observation<'_>]) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..observations.len())
        .filter(|&i| observations[i].standing != Standing::Failed)
        .collect();
    ranked.sort_by(|&a, &b| {
        let (a, b) = (&observations[a], &observations[b]);
        a.standing
            .cmp(&b.standing)
            .then(a.score.total_cmp(&b.score))
    });
    ranked
}
