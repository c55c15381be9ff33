//! Gaussian-process Bayesian optimization ("bayes", as Weights & Biases names it).
//!
//! Each coded parameter is one coordinate of the unit cube (`Cube`): a numeric one by its unit
//! position, a categorical one by its index. Finished trials are fitted by a Gaussian process
//! (`model`) on their scores, scaled robustly and made near normal by a fitted power transform
//! (`warp`); the next trial maximizes the acquisition (`acquisition`: log expected improvement
//! over the best score, or the upper confidence bound), searched from quasi-random candidates,
//! perturbations of the best trials, and local L-BFGS climbs from the most promising of them. A
//! parameter whose condition does not hold sits at a fixed default (the middle of its range, or
//! an extra "absent" category), so trials without it are alike in that coordinate. A category
//! whose `probabilities:` entry is 0 is never proposed (no candidate, climb or decoded point
//! takes it); the other probabilities shape only the startup (Sobol) draws, and the
//! acquisition treats the values alike. Failed trials count at the
//! worst score seen; with the constant liar, running trials count at the model's prediction
//! ("kriging believer"), which removes the improvement expected near them. With constraints,
//! the improvement is over the best trial that meets them, and the acquisition adds the log
//! probability of meeting them (`feasibility`). A prior-shaped parameter (`normal`,
//! `log_normal`, `beta` and their `q_` forms), whose coordinate is its prior's CDF, is proposed
//! within the prior's central range (`plausible`: mu ± 3.09 sigma), not at the cube's faces,
//! which stand for values the prior never gives; its startup draws and trials given (enqueued,
//! warm-started) may lie beyond, and are modelled where they are.

pub(crate) mod acquisition;
mod feasibility;
mod model;
mod warp;

use experiment::{
    BayesConfig, Constraint, MetricSpec, Param, ParamValue, Params, SearchSpace, Seed, SobolConfig,
    TrialId,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::warp::Transform;
use crate::history::{self, Combine, Standing};
use crate::plausible;
use crate::sobol::SobolSampler;
use crate::unit::{count, Coding, Numeric};
use crate::{Result, Sampler, SuggestContext};

/// The most trials the process is conditioned on; past it, the best half and the newest rest.
const MAX_POINTS: usize = 160;

/// The most trials the hyperparameters are fitted on, chosen the same way.
const MAX_FIT_POINTS: usize = 64;

/// Proposes parameters by Gaussian-process Bayesian optimization.
#[derive(Debug, Clone)]
pub(crate) struct GpSampler {
    seed: Seed,
    config: BayesConfig,
    /// The objective first, then any further ones.
    objectives: Vec<MetricSpec>,
    constraints: Vec<Constraint>,
}

/// The unit cube a space is searched in.
#[derive(Debug)]
pub(crate) struct Cube<'s> {
    space: &'s SearchSpace,
    /// Coordinates in name order; fixed parameters take none.
    axes: Vec<Axis<'s>>,
    /// Values some parameters must take: their coordinates stay where these put them.
    pinned: &'s Params,
}

#[derive(Debug)]
struct Axis<'s> {
    param: &'s Param,
    kind: AxisKind,
}

#[derive(Debug)]
enum AxisKind {
    Numeric(Numeric),
    Categorical {
        values: Vec<ParamValue>,
        /// The indices of the values a proposal may take: those of probability above 0.
        allowed: Vec<usize>,
    },
}

impl GpSampler {
    /// Returns a sampler for an experiment seeded with `seed` that improves `objective`.
    pub(crate) fn new(seed: Seed, config: BayesConfig, objective: MetricSpec) -> GpSampler {
        GpSampler {
            seed,
            config,
            objectives: vec![objective],
            constraints: Vec::new(),
        }
    }

    /// Returns the sampler ranking trials that break one of `constraints` after those that
    /// meet them (see `history`).
    #[must_use]
    pub(crate) fn with_constraints(mut self, constraints: Vec<Constraint>) -> GpSampler {
        self.constraints = constraints;
        self
    }

    /// Returns the weights of trial `trial`'s scalarization when there are several objectives:
    /// drawn uniformly from the simplex, from a stream of the experiment's seed for that
    /// trial, so that successive trials aim at different parts of the Pareto front (ParEGO).
    fn weights(&self, trial: TrialId) -> Vec<f64> {
        if self.objectives.len() < 2 {
            // One objective: scored by its value, never weighted.
            return Vec::new();
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0 ^ 0x3c6e_f372_fe94_f82b);
        rng.set_stream(u64::from(trial.0));
        // Normalized exponential draws are uniform on the simplex.
        let draws: Vec<f64> = self
            .objectives
            .iter()
            .map(|_| -(1.0 - rng.gen::<f64>()).ln())
            .collect();
        let total: f64 = draws.iter().sum();
        draws.iter().map(|x| x / total).collect()
    }

    /// Returns the sampler improving `more` objectives besides the first: a multi-objective
    /// study (see `history::Combine`).
    #[must_use]
    pub(crate) fn with_more_objectives(mut self, more: Vec<MetricSpec>) -> GpSampler {
        self.objectives.extend(more);
        self
    }
}

impl Sampler for GpSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let weights = self.weights(ctx.trial);
        let observations = history::observations(
            ctx.finished,
            &self.objectives,
            &self.constraints,
            Combine::Weighted(&weights),
        );
        let ranked = history::ranking(&observations);
        let cube = Cube::new(ctx.space, ctx.pinned);
        if history::in_startup(self.config.n_startup_trials, ranked.len()) || cube.axes.is_empty() {
            return SobolSampler::new(self.seed, SobolConfig::default()).suggest_in(ctx);
        }
        let worst = ranked
            .iter()
            .map(|&i| observations[i].score)
            .fold(f64::NEG_INFINITY, f64::max);
        let best_first = {
            let mut order = ranked.clone();
            order.extend(
                (0..observations.len()).filter(|&i| observations[i].standing == Standing::Failed),
            );
            order
        };
        let score = |i: usize| {
            let s = observations[i].score;
            if s.is_finite() {
                s
            } else {
                worst
            }
        };
        let chosen = select(&best_first, observations.len(), MAX_POINTS);
        let fit_on = select(&best_first, observations.len(), MAX_FIT_POINTS);
        let scores: Vec<f64> = chosen.iter().map(|&i| score(i)).collect();
        let transform = Transform::fit(&scores);
        let d = cube.axes.len();
        let x_of = |set: &[usize]| -> Vec<f64> {
            set.iter()
                .flat_map(|&i| cube.encode(&observations[i].trial.params))
                .collect()
        };
        let y_fit: Vec<f64> = fit_on.iter().map(|&i| transform.apply(score(i))).collect();
        let kernel = model::fit(&x_of(&fit_on), d, &y_fit, &cube.categorical());
        let mut x = x_of(&chosen);
        let mut y: Vec<f64> = scores.iter().map(|&s| transform.apply(s)).collect();
        let Some(mut posterior) = model::Posterior::new(kernel.clone(), x.clone(), d, &y) else {
            return SobolSampler::new(self.seed, SobolConfig::default()).suggest_in(ctx);
        };
        if self.config.constant_liar && !ctx.running.is_empty() {
            for params in ctx.running {
                let z = cube.encode(params);
                y.push(posterior.predict(&z).0);
                x.extend(z);
            }
            if let Some(p) = model::Posterior::new(kernel, x, d, &y) {
                posterior = p;
            }
        }
        // The best trial that meets the constraints; none when none does.
        let incumbent = ranked
            .iter()
            .filter(|&&i| observations[i].is_feasible())
            .map(|&i| transform.apply(observations[i].score))
            .reduce(f64::min);
        let bounds = feasibility::bounds(&self.constraints, &cube, &observations, &chosen);
        let best_points: Vec<Vec<f64>> = ranked
            .iter()
            .take(5)
            .map(|&i| cube.encode(&observations[i].trial.params))
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0 ^ 0x6a09_e667_f3bc_c908);
        rng.set_stream(u64::from(ctx.trial.0));
        let search = acquisition::Search {
            cube: &cube,
            posterior: &posterior,
            incumbent,
            bounds: &bounds,
            candidates: usize::try_from(self.config.n_candidates)
                .unwrap_or(1)
                .max(1),
            local_searches: usize::try_from(self.config.n_local_search).unwrap_or(0),
            rule: acquisition::rule_for(self.config.acquisition, ctx.trial.0, ctx.planned),
        };
        let z = search.maximize(&best_points, &mut rng);
        Ok(cube.decode(&z))
    }

    fn learns_from(&self, visible: usize) -> bool {
        // Ranked trials are at most the visible ones.
        !history::in_startup(self.config.n_startup_trials, visible)
    }
}

impl<'s> Cube<'s> {
    fn new(space: &'s SearchSpace, pinned: &'s Params) -> Cube<'s> {
        let axes = space
            .params()
            .iter()
            .filter_map(|p| match Coding::of(&p.distribution) {
                Coding::Fixed(_) => None,
                Coding::Numeric(n) => Some(Axis {
                    param: p,
                    kind: AxisKind::Numeric(n),
                }),
                Coding::Categorical { values, prior } => Some(Axis {
                    param: p,
                    kind: AxisKind::Categorical {
                        allowed: (0..values.len()).filter(|&i| prior[i] > 0.0).collect(),
                        values,
                    },
                }),
            })
            .collect();
        Cube {
            space,
            axes,
            pinned,
        }
    }

    /// Returns whether coordinate `i` may move: its parameter is not pinned.
    fn free(&self, i: usize) -> bool {
        !self.pinned.contains_key(&self.axes[i].param.name)
    }

    /// Returns which coordinates are categorical.
    fn categorical(&self) -> Vec<bool> {
        self.axes
            .iter()
            .map(|a| matches!(a.kind, AxisKind::Categorical { .. }))
            .collect()
    }

    /// Returns the unit interval that proposals keep to in numeric coordinate `i`: the closed
    /// [0, 1] for a bounded parameter, the prior's central range for a prior-shaped one
    /// (`plausible::range`); [0, 1] for a categorical one, which is not searched so.
    fn range(&self, i: usize) -> (f64, f64) {
        match &self.axes[i].kind {
            AxisKind::Numeric(n) => plausible::range(n),
            AxisKind::Categorical { .. } => (0.0, 1.0),
        }
    }

    /// Returns the categories coordinate `i` may propose (those of probability above 0), or
    /// `None` for a numeric one.
    fn choices(&self, i: usize) -> Option<&[usize]> {
        match &self.axes[i].kind {
            AxisKind::Categorical { allowed, .. } => Some(allowed),
            AxisKind::Numeric(_) => None,
        }
    }

    /// Returns the point of `params`; an absent (inactive) parameter takes its default.
    fn encode(&self, params: &Params) -> Vec<f64> {
        self.axes
            .iter()
            .map(|a| {
                let v = params.get(&a.param.name);
                match &a.kind {
                    AxisKind::Numeric(n) => v
                        .and_then(|v| n.coordinate(v))
                        .map_or(0.5, |x| n.unit_of(n.snap(x))),
                    AxisKind::Categorical { values, .. } => {
                        let i = v.and_then(|v| values.iter().position(|c| c == v));
                        count(i.unwrap_or(values.len()))
                    }
                }
            })
            .collect()
    }

    /// Returns the parameters at point `z`, the pinned ones at their values, leaving out those
    /// whose condition does not hold; a category of probability 0 becomes the nearest allowed.
    fn decode(&self, z: &[f64]) -> Params {
        let mut params = Params::new();
        for p in self.space.in_dependency_order() {
            if !self.space.is_active(p, &params) {
                continue;
            }
            if let Some(v) = self.pinned.get(&p.name) {
                params.insert(p.name.clone(), v.clone());
                continue;
            }
            let axis = self.axes.iter().position(|a| a.param.name == p.name);
            let value = match axis.map(|i| (&self.axes[i].kind, z[i])) {
                Some((AxisKind::Numeric(n), u)) => n.value(n.at_unit(u)),
                Some((AxisKind::Categorical { values, allowed }, c)) => {
                    let i = nearest_allowed(acquisition::category(c), allowed);
                    values[i.min(values.len() - 1)].clone()
                }
                None => match Coding::of(&p.distribution) {
                    Coding::Fixed(v) => v,
                    other => other.at_unit(0.5),
                },
            };
            params.insert(p.name.clone(), value);
        }
        params
    }

    /// Returns the point that `z` stands for: integers rounded, inactive coordinates at their
    /// defaults, pinned ones at their values, so that equal parameters have equal points.
    fn canonical(&self, z: &[f64]) -> Vec<f64> {
        self.encode(&self.decode(z))
    }
}

/// Returns `i` when it is `allowed` (ascending), else the allowed index nearest it, the lower
/// of two as near: an index past the last value (the "absent" category) becomes the last
/// allowed. A categorical's prior always gives some value a probability above 0; were none
/// allowed, `i` is returned.
fn nearest_allowed(i: usize, allowed: &[usize]) -> usize {
    allowed
        .iter()
        .copied()
        .min_by_key(|&a| a.abs_diff(i))
        .unwrap_or(i)
}

/// Returns up to `cap` observation indices: all when there are few; otherwise the best half
/// (by `best_first`) and the newest of the rest, in index order.
fn select(best_first: &[usize], total: usize, cap: usize) -> Vec<usize> {
    let mut keep = vec![false; total];
    if best_first.len() <= cap {
        for &i in best_first {
            keep[i] = true;
        }
    } else {
        for &i in &best_first[..cap / 2] {
            keep[i] = true;
        }
        let mut missing = cap - cap / 2;
        for i in (0..total).rev() {
            if missing == 0 {
                break;
            }
            if !keep[i] && best_first.contains(&i) {
                keep[i] = true;
                missing -= 1;
            }
        }
    }
    (0..total).filter(|&i| keep[i]).collect()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_box;
