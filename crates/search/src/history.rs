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
//!
//! With several objectives a trial has a value when it has a finite value of each, and its
//! score combines them (`Combine`): its place by Pareto front, then by its worth within the
//! front (`tpe`), or a weighted Chebyshev norm of the objectives scaled to the unit interval
//! (ParEGO's scalarization, with weights drawn afresh for each trial; `bayes`).

use std::cmp::Ordering;

use experiment::{Constraint, MetricSpec, Trial, TrialState};

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

/// How a trial's values of several objectives become one score to minimize.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Combine<'w> {
    /// The place among the trials of the same standing (`experiment::pareto::standing`): the
    /// front index plus a fraction for the trial's worth within its front (the hypervolume it
    /// alone dominates).
    Fronts,
    /// ParEGO's augmented Chebyshev scalarization with these weights (one per objective,
    /// summing to 1), each objective scaled to [0, 1] over the trials that have values.
    Weighted(&'w [f64]),
}

/// The weight of the sum in ParEGO's augmented Chebyshev scalarization.
const AUGMENTATION: f64 = 0.05;

/// Returns the finished trials in trial order, scored for the `objectives` (combined as
/// `combine` says when there are several) and checked against the `constraints`.
pub(crate) fn observations<'t>(
    finished: &'t [Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
    combine: Combine<'_>,
) -> Vec<Observation<'t>> {
    let mut trials: Vec<&Trial> = finished.iter().filter(|t| t.state.is_finished()).collect();
    trials.sort_by_key(|t| t.id);
    let values: Vec<Option<Vec<f64>>> = trials
        .iter()
        .map(|t| {
            experiment::pareto::oriented(t, objectives).filter(|v| v.iter().all(|x| x.is_finite()))
        })
        .collect();
    let mut observations: Vec<Observation<'t>> = trials
        .into_iter()
        .zip(&values)
        .map(|(t, value)| {
            let score = value.as_ref().map_or(f64::NAN, |v| v[0]);
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
        .collect();
    if objectives.len() > 1 {
        combined(&mut observations, &values, combine);
    }
    observations
}

/// The places whose order within a Pareto front any sampler learns from: TPE's good trials
/// (at most 25) and the first of the others, whose score is its threshold.
const ORDERED_PLACES: usize = crate::tpe::MAX_BELOW + 1;

/// Replaces the scores of `observations` that have `values` (of several objectives) by one
/// number each, as `combine` says.
fn combined(
    observations: &mut [Observation<'_>],
    values: &[Option<Vec<f64>>],
    combine: Combine<'_>,
) {
    match combine {
        Combine::Fronts => {
            // Fronts among trials of one standing: a trial that breaks a constraint does not
            // push one that meets them to a later front.
            for standing in [Standing::Completed, Standing::Pruned, Standing::Infeasible] {
                let members: Vec<usize> = (0..observations.len())
                    .filter(|&i| observations[i].standing == standing)
                    .collect();
                let points: Vec<Vec<f64>> =
                    members.iter().filter_map(|&i| values[i].clone()).collect();
                let places = experiment::pareto::standing(&points, ORDERED_PLACES);
                for (&i, place) in members.iter().zip(places) {
                    observations[i].score = place;
                }
            }
        }
        Combine::Weighted(weights) => {
            let valued: Vec<&Vec<f64>> = values.iter().flatten().collect();
            let Some(width) = valued.first().map(|v| v.len()) else {
                return;
            };
            let (low, high): (Vec<f64>, Vec<f64>) = (0..width)
                .map(|k| {
                    valued
                        .iter()
                        .map(|v| v[k])
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                            (lo.min(x), hi.max(x))
                        })
                })
                .unzip();
            for (o, value) in observations.iter_mut().zip(values) {
                let Some(v) = value else { continue };
                let scaled = (0..width).map(|k| {
                    let range = high[k] - low[k];
                    let unit = if range > 0.0 {
                        (v[k] - low[k]) / range
                    } else {
                        0.0
                    };
                    weights.get(k).copied().unwrap_or(0.0) * unit
                });
                let (most, sum) = scaled.fold((0.0_f64, 0.0), |(m, s), x| (m.max(x), s + x));
                o.score = most + AUGMENTATION * sum;
            }
        }
    }
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
