//! Tree-structured Parzen Estimator: model good and bad trials, sample where good is likeliest.
//!
//! Finished trials are split at a quantile: the best `gamma` of them (at most 25) are "below",
//! the rest "above". Each side gets a Parzen estimator (`parzen`); candidates are drawn from the
//! good side's, and the one maximizing l(x) / g(x), which orders candidates the same way as
//! expected improvement does under TPE's model, becomes the trial's parameters.
//!
//! Parameters are modelled jointly (multivariate) by default, in groups: every parameter with the
//! same `when:` condition (or none) forms one group, so a group's parameters are present in
//! exactly the same trials and its model is fitted on those. Groups are sampled in dependency
//! order, so a condition is decided before the parameters it guards. Failed trials and, with the
//! constant liar, trials still running count as bad. The first `n_startup_trials` trials are
//! Sobol points, which cover the space better than independent draws.
//!
//! The defaults are Optuna's (gamma 0.1 capped at 25, prior weight 1, magic clip, constant liar)
//! except for 5 startup trials and 32 candidates, and so is the shape of the algorithm; the
//! kernel widths and the good trials' weights are not (`parzen`, `improvement_weights`), each
//! change measured on the `samplers` benchmark. The good trials' kernels take their widths from
//! the good trials' spread (Scott's rule), which adapts them to the data from the first model
//! trial on; hence fewer startup trials than Optuna's 10 (over 100 seeds, no worse on any
//! benchmark row and better on most, by a third on Levy10 at 200 trials), and a few more
//! candidates, so that the narrower good model is searched a little more finely.

mod parzen;

use experiment::{
    Constraint, MetricSpec, Param, ParamValue, Params, SearchSpace, Seed, SobolConfig, TpeConfig,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::history::{self, Combine};
use crate::sobol::SobolSampler;
use crate::unit::{count, Coding};
use crate::{Result, Sampler, SuggestContext};

use parzen::{Dim, Parzen, Settings, Widths};

/// The most trials modelled as good, whatever `gamma` says (Optuna's cap).
pub(crate) const MAX_BELOW: usize = 25;

/// Proposes parameters with the Tree-structured Parzen Estimator.
#[derive(Debug, Clone)]
pub(crate) struct TpeSampler {
    seed: Seed,
    config: TpeConfig,
    /// The objective first, then any further ones.
    objectives: Vec<MetricSpec>,
    constraints: Vec<Constraint>,
}

/// Parameters of one group, each with its index in the space and how it is coded.
struct Group<'s> {
    members: Vec<(usize, &'s Param, Coding)>,
}

/// Trials' values by parameter index in the space (name order), a row per trial; `None` where
/// a parameter is absent.
struct Table<'t> {
    width: usize,
    cells: Vec<Option<&'t ParamValue>>,
}

impl TpeSampler {
    /// Returns a sampler for an experiment seeded with `seed` that improves `objective`.
    pub(crate) fn new(seed: Seed, config: TpeConfig, objective: MetricSpec) -> TpeSampler {
        TpeSampler {
            seed,
            config,
            objectives: vec![objective],
            constraints: Vec::new(),
        }
    }

    /// Returns the sampler ranking trials that break one of `constraints` after those that
    /// meet them (see `history`).
    #[must_use]
    pub(crate) fn with_constraints(mut self, constraints: Vec<Constraint>) -> TpeSampler {
        self.constraints = constraints;
        self
    }

    /// Returns the sampler improving `more` objectives besides the first: a multi-objective
    /// study (see `history::Combine`).
    #[must_use]
    pub(crate) fn with_more_objectives(mut self, more: Vec<MetricSpec>) -> TpeSampler {
        self.objectives.extend(more);
        self
    }
}

impl Sampler for TpeSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let observations = history::observations(
            ctx.finished,
            &self.objectives,
            &self.constraints,
            Combine::Fronts,
        );
        let ranked = history::ranking(&observations);
        let n = ranked.len();
        if history::in_startup(self.config.n_startup_trials, n) {
            return SobolSampler::new(self.seed, SobolConfig::default()).suggest_in(ctx);
        }
        // At least one trial is below: gamma is in (0, 1] and n >= 1.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n_below = ((self.config.gamma * count(n)).ceil() as usize).clamp(1, MAX_BELOW.min(n));
        let mut is_below = vec![false; observations.len()];
        for &i in &ranked[..n_below] {
            is_below[i] = true;
        }
        let space = ctx.space;
        let mut below = Table::new(space);
        let mut below_scores = Vec::new();
        let mut above = Table::new(space);
        for (o, is_below) in observations.iter().zip(&is_below) {
            if *is_below {
                below.push(space, &o.trial.params);
                below_scores.push(o.feasible_score());
            } else {
                above.push(space, &o.trial.params);
            }
        }
        if self.config.constant_liar {
            for p in ctx.running {
                above.push(space, p);
            }
        }
        let threshold = ranked
            .get(n_below)
            .map_or(f64::NAN, |&i| observations[i].feasible_score());

        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0);
        rng.set_stream(u64::from(ctx.trial.0));
        let settings = Settings {
            multivariate: self.config.multivariate_for(self.objectives.len()),
            prior_weight: self.config.prior_weight,
            magic_clip: self.config.magic_clip,
            observed: n,
            widths: Widths::Neighbours,
        };
        // The good side's widths come from its spread; the bad side keeps sharp kernels at its
        // trials, so that it penalizes repeats without pushing proposals out of the good region.
        let good = Settings {
            widths: Widths::Spread,
            ..settings
        };
        let candidates = usize::try_from(self.config.n_ei_candidates)
            .unwrap_or(1)
            .max(1);
        let mut params = Params::new();
        for group in groups(space, settings.multivariate) {
            let Some((_, first, _)) = group.members.first() else {
                continue;
            };
            if !space.is_active(first, &params) {
                continue;
            }
            let mut dims = Vec::new();
            let mut coded = Vec::new();
            for (index, p, coding) in &group.members {
                if let Some(v) = ctx.pinned.get(&p.name) {
                    // Given: the others of its group are chosen over their own coordinates.
                    params.insert(p.name.clone(), v.clone());
                    continue;
                }
                match coding {
                    Coding::Fixed(v) => {
                        params.insert(p.name.clone(), v.clone());
                    }
                    Coding::Categorical { prior, .. } => {
                        dims.push(Dim::Categorical {
                            prior: prior.clone(),
                        });
                        coded.push((*index, *p, coding));
                    }
                    Coding::Numeric(numeric) => {
                        dims.push(Dim::Numeric(*numeric));
                        coded.push((*index, *p, coding));
                    }
                }
            }
            if dims.is_empty() {
                continue;
            }
            let (below_points, kept) = points(&below, &coded);
            let kept_scores: Vec<f64> = kept.iter().map(|&i| below_scores[i]).collect();
            let below_weights = improvement_weights(&kept_scores, threshold);
            let l = Parzen::new(&dims, &below_points, &below_weights, good);
            let (above_points, _) = points(&above, &coded);
            let above_weights = parzen::observation_weights(above_points.len() / dims.len());
            let g = Parzen::new(&dims, &above_points, &above_weights, settings);
            let mut best: Option<(f64, Vec<f64>)> = None;
            for x in l.sample(&mut rng, candidates) {
                let score = l.log_pdf(&x) - g.log_pdf(&x);
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, x));
                }
            }
            let Some((_, x)) = best else { continue };
            for ((_, p, coding), xj) in coded.iter().zip(&x) {
                let value = match coding {
                    Coding::Categorical { values, .. } => {
                        values[parzen::category(*xj).min(values.len() - 1)].clone()
                    }
                    Coding::Numeric(numeric) => numeric.value(*xj),
                    Coding::Fixed(v) => v.clone(),
                };
                params.insert(p.name.clone(), value);
            }
        }
        Ok(params)
    }

    fn learns_from(&self, visible: usize) -> bool {
        // Ranked trials are at most the visible ones.
        !history::in_startup(self.config.n_startup_trials, visible)
    }
}

/// Returns the groups of `space` in dependency order: parameters sharing a condition when
/// `multivariate`, otherwise one parameter each.
fn groups(space: &SearchSpace, multivariate: bool) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for p in space.in_dependency_order() {
        let index = space
            .params()
            .iter()
            .position(|q| std::ptr::eq(q, p))
            .unwrap_or(0);
        let coding = Coding::of(&p.distribution);
        let joined = multivariate
            && groups
                .iter_mut()
                .find(|g| {
                    g.members
                        .first()
                        .is_some_and(|(_, q, _)| q.condition == p.condition)
                })
                .map(|g| g.members.push((index, p, coding.clone())))
                .is_some();
        if !joined {
            groups.push(Group {
                members: vec![(index, p, coding)],
            });
        }
    }
    groups
}

impl<'t> Table<'t> {
    fn new(space: &SearchSpace) -> Table<'t> {
        Table {
            width: space.params().len(),
            cells: Vec::new(),
        }
    }

    /// Appends `params` as a row, walking it and the space in name order together.
    fn push(&mut self, space: &SearchSpace, params: &'t Params) {
        let mut values = params.iter().peekable();
        for p in space.params() {
            // Trials usually hold exactly the space's names, so try equality first.
            if let Some((_, v)) = values.next_if(|(name, _)| same(name, &p.name)) {
                self.cells.push(Some(v));
                continue;
            }
            while values
                .next_if(|(name, _)| name.as_str() < p.name.as_str())
                .is_some()
            {}
            let value = values
                .next_if(|(name, _)| same(name, &p.name))
                .map(|(_, v)| v);
            self.cells.push(value);
        }
    }

    fn rows(&self) -> impl Iterator<Item = &[Option<&'t ParamValue>]> + '_ {
        self.cells.chunks(self.width.max(1))
    }
}

/// Returns whether two (short) names are equal, without a call to `memcmp`.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Returns weights of the good trials in proportion to how far each beats `threshold` (the
/// best bad trial's score), floored at 1/20 of the largest so that none vanishes.
///
/// Optuna weighs good trials by recency, as it does bad ones; weighing them by improvement (as
/// Watanabe, "Tree-structured Parzen estimator: understanding its algorithm components", 2023,
/// found helpful) puts the candidates near the best trials, and measured better on three of the
/// four benchmark functions.
fn improvement_weights(scores: &[f64], threshold: f64) -> Vec<f64> {
    let gaps: Vec<f64> = scores.iter().map(|s| threshold - s).collect();
    let max = gaps
        .iter()
        .copied()
        .filter(|g| g.is_finite())
        .fold(0.0, f64::max);
    if max <= 0.0 {
        return vec![1.0; scores.len()];
    }
    gaps.iter()
        .map(|g| {
            if g.is_finite() {
                (g / max).max(0.05)
            } else {
                1.0
            }
        })
        .collect()
}

/// Returns the coordinates of the trials whose parameters include every coded one (row-major),
/// and which trials those are; a trial with a value the space no longer has is left out.
fn points(trials: &Table<'_>, coded: &[(usize, &Param, &Coding)]) -> (Vec<f64>, Vec<usize>) {
    let mut kept = Vec::new();
    let mut points = Vec::with_capacity(trials.cells.len());
    'trials: for (i, row) in trials.rows().enumerate() {
        let start = points.len();
        for (index, _, coding) in coded {
            let x = row
                .get(*index)
                .copied()
                .flatten()
                .and_then(|v| match coding {
                    Coding::Numeric(n) => n.coordinate(v).map(|x| n.snap(x)),
                    Coding::Categorical { values, .. } => {
                        values.iter().position(|c| c == v).map(parzen::index)
                    }
                    Coding::Fixed(_) => None,
                });
            match x {
                Some(x) => points.push(x),
                None => {
                    points.truncate(start);
                    continue 'trials;
                }
            }
        }
        kept.push(i);
    }
    (points, kept)
}

#[cfg(test)]
mod tests;
