//! CMA-ES ("cmaes"): the covariance matrix adaptation evolution strategy, Hansen's
//! (mu/mu_w, lambda)-CMA-ES as in "The CMA Evolution Strategy: A Tutorial" (2016), with its
//! default active covariance update (the worst half's steps, at negative weights, narrow C),
//! over the numeric parameters present in every trial, each as its coordinate in the unit
//! interval (`unit`), so that one step size fits every parameter and the prior of a `normal` or
//! `beta` parameter is its scale.
//!
//! After `n_startup_trials` random ones, trials form generations of `popsize` consecutive
//! numbers. Nothing is kept between proposals: the strategy's state for trial `k` is replayed
//! from its initial state (the centre of the cube, step `sigma0`) through the complete
//! generations among the finished trials it is given, so the proposal is a pure function of
//! (space, history, seed). The runner's rule gives trial `k` the trials numbered `k - p` and
//! below, so with `parallel` > 1 the first members of a generation may not see the end of the
//! previous one: they draw from the last state they can see, and still count in their own
//! generation. A generation's members are ranked as the other samplers rank trials (completed by
//! value, then pruned, then failed) and enter the update at the coordinates of the values they
//! took (an integer's rounded value, an enqueued trial's given values). Trial `k` draws its
//! candidate from stream `k` of the experiment's seed; a candidate outside the cube is drawn
//! again, up to 100 times, and then clipped. With `restart_strategy: ipop`, a strategy that has
//! converged starts again (in the replay, so deterministically) from a random point with
//! generations twice as large, and the generations after it count that size; `bipop` gives
//! every other run, by trials spent, a generation of random size between the default and half
//! the latest large one and a random smaller step instead (`Runs`). With `with_margin`, every
//! integer or quantized coordinate keeps a probability of at least 1 / (n lambda) of
//! proposing another value than its mean's after each generation (`Strategy::keep_margin`).
//! With `lr_adapt`, each generation's update of the mean and the covariance is taken only in
//! part, at learning rates that follow its signal-to-noise ratio (`rates`); the rates are part
//! of the replayed state and start again with each restart. With `use_separable_cma`, the
//! covariance stays diagonal, at larger learning rates (`Constants::separable`).
//!
//! Categorical parameters and conditional ones are left to an independent sampler, as Optuna's
//! `CmaEsSampler` leaves them: by default TPE, given the values the strategy chose (so that it
//! learns which categories pay off), or random draws on the same stream
//! (`independent_sampler: random`, Optuna's default); a space with no numeric parameter present
//! in every trial is left to it whole. CMA-ES is for spaces that are mostly continuous.

mod rates;
mod strategy;

use std::collections::BTreeMap;

use experiment::{
    CmaEsConfig, Constraint, IndependentSampler, MetricSpec, Param, Params, Restart, SearchSpace,
    Seed, TpeConfig,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::strategy::{Constants, Strategy};
use crate::draw::draw;
use crate::history::{self, Combine, Observation, Standing};
use crate::random::RandomSampler;
use crate::unit::{count, Coding, Numeric};
use crate::{Result, Sampler, SuggestContext, TpeSampler};

/// The largest generation IPOP restarts grow to.
const MAX_POPSIZE: usize = 4096;

/// The first of the random streams that restarts take their starting points from: above every
/// trial's stream (trial numbers are 32-bit).
const RESTART_STREAMS: u64 = 1 << 40;

/// Proposes parameters with CMA-ES.
#[derive(Debug, Clone)]
pub(crate) struct CmaEsSampler {
    seed: Seed,
    config: CmaEsConfig,
    objective: MetricSpec,
    constraints: Vec<Constraint>,
}

impl CmaEsSampler {
    /// Returns a sampler for an experiment seeded with `seed` that improves `objective`.
    pub(crate) fn new(seed: Seed, config: CmaEsConfig, objective: MetricSpec) -> CmaEsSampler {
        CmaEsSampler {
            seed,
            config,
            objective,
            constraints: Vec::new(),
        }
    }

    /// Returns the sampler ranking trials that break one of `constraints` after those that
    /// meet them (see `history`).
    #[must_use]
    pub(crate) fn with_constraints(mut self, constraints: Vec<Constraint>) -> CmaEsSampler {
        self.constraints = constraints;
        self
    }

    /// Returns the TPE sampler that chooses the parameters the strategy does not move.
    fn tpe(&self) -> TpeSampler {
        TpeSampler::new(self.seed, TpeConfig::default(), self.objective.clone())
            .with_constraints(self.constraints.clone())
    }

    /// Returns the strategy's state after every complete generation among `observations`, with
    /// the constants of its generation size (which restarts change, `Runs`).
    fn replay(
        &self,
        coordinates: &[(&Param, Numeric)],
        observations: &[Observation<'_>],
    ) -> (Strategy, Constants) {
        let n = coordinates.len();
        let default_lambda = self.config.generation_size(n);
        let constants_for = |lambda: usize| {
            let constants = Constants::new(n, lambda);
            if self.config.use_separable_cma {
                constants.separable(n)
            } else {
                constants
            }
        };
        let mut constants = constants_for(default_lambda);
        let start = |sigma0: f64| {
            let mut strategy = Strategy::new(n, sigma0);
            if self.config.lr_adapt {
                strategy = strategy.adapting_rates();
            }
            if self.config.use_separable_cma {
                strategy = strategy.separable();
            }
            strategy
        };
        let mut strategy = start(self.config.sigma0);
        let by_id: BTreeMap<u64, &Observation<'_>> = observations
            .iter()
            .map(|o| (u64::from(o.trial.id.0), o))
            .collect();
        let mut first = u64::from(self.config.n_startup_trials);
        // The best score of each generation since the strategy (re)started.
        let mut bests: Vec<f64> = Vec::new();
        let mut runs = Runs::default();
        loop {
            let lambda = constants.lambda as u64;
            let members: Option<Vec<&Observation<'_>>> = (first..first + lambda)
                .map(|id| by_id.get(&id).copied())
                .collect();
            let Some(mut members) = members else {
                return (strategy, constants);
            };
            members.sort_by(|a, b| history::compare(a, b).then(a.trial.id.cmp(&b.trial.id)));
            let points: Vec<Vec<f64>> = members
                .iter()
                .map(|o| encode(coordinates, &o.trial.params, &strategy.mean))
                .collect();
            strategy.tell(&points, &constants);
            if self.config.with_margin {
                strategy.keep_margin(coordinates, 1.0 / (count(n) * count(constants.lambda)));
            }
            first += lambda;
            let scores: Vec<f64> = members
                .iter()
                .filter(|o| o.standing != Standing::Failed)
                .map(|o| o.score)
                .collect();
            bests.push(scores.iter().copied().fold(f64::NAN, f64::min));
            runs.spent += lambda;
            if self.config.restart != Restart::None
                && strategy.converged(&bests, &scores, &constants)
            {
                let restarts = strategy.restarts + 1;
                // A fresh start at a random point, from a stream no trial uses.
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0);
                rng.set_stream(RESTART_STREAMS + u64::from(restarts));
                let mean = (0..n).map(|_| rng.gen::<f64>()).collect();
                let (lambda, sigma0) = runs.restart(
                    self.config.restart,
                    default_lambda,
                    self.config.sigma0,
                    &mut rng,
                );
                constants = constants_for(lambda);
                strategy = start(sigma0);
                strategy.restarts = restarts;
                strategy.mean = mean;
                bests.clear();
            }
        }
    }
}

/// The runs of a restarted strategy so far, which size the next one: IPOP doubles the
/// generation at each restart; BIPOP does so in its large regime, and in its small regime
/// draws a generation between the default and half the latest large one, and a step below
/// `sigma0` (Hansen 2009), the next run going to the regime that has spent fewer trials (the
/// first run counting as large, the first restart large).
#[derive(Debug, Default)]
struct Runs {
    /// Restarts with a doubled generation so far.
    doublings: u32,
    /// Trials spent by the runs of each regime before the current one: (large, small).
    spent_by: (u64, u64),
    /// Whether the current run is of the small regime.
    small: bool,
    /// Trials spent by the current run.
    spent: u64,
}

impl Runs {
    /// Ends the current run and returns the next one's generation size and initial step, with
    /// the default generation `default` and step `sigma0`; `rng` draws a small run's size.
    fn restart(
        &mut self,
        restart: Restart,
        default: usize,
        sigma0: f64,
        rng: &mut ChaCha8Rng,
    ) -> (usize, f64) {
        if self.small {
            self.spent_by.1 += self.spent;
        } else {
            self.spent_by.0 += self.spent;
        }
        self.spent = 0;
        self.small =
            restart == Restart::Bipop && self.doublings > 0 && self.spent_by.1 < self.spent_by.0;
        let large = (0..self.doublings).fold(default, |l, _| l.saturating_mul(2).min(MAX_POPSIZE));
        if !self.small {
            self.doublings += 1;
            return (large.saturating_mul(2).min(MAX_POPSIZE), sigma0);
        }
        // lambda_s = floor(lambda_def (lambda_l / (2 lambda_def))^(u^2)), sigma0 10^(-2u).
        let u: f64 = rng.gen();
        let ratio = count(large) / (2.0 * count(default));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let lambda = (count(default) * ratio.max(1.0).powf(u * u)).floor() as usize;
        (lambda, sigma0 * 10f64.powf(-2.0 * u))
    }
}

impl Sampler for CmaEsSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let coordinates = coordinates(ctx.space);
        let tpe_rest = self.config.independent_sampler == IndependentSampler::Tpe;
        if ctx.trial.0 < self.config.n_startup_trials {
            return RandomSampler::new(self.seed).suggest_in(ctx);
        }
        if coordinates.is_empty() {
            return if tpe_rest {
                self.tpe().suggest_in(ctx)
            } else {
                RandomSampler::new(self.seed).suggest_in(ctx)
            };
        }
        let observations = history::observations(
            ctx.finished,
            std::slice::from_ref(&self.objective),
            &self.constraints,
            Combine::Fronts,
        );
        let (strategy, _) = self.replay(&coordinates, &observations);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0);
        rng.set_stream(u64::from(ctx.trial.0));
        let x = strategy.ask(&mut rng);
        let moved: Params = coordinates
            .iter()
            .zip(&x)
            .map(|((p, numeric), xi)| (p.name.clone(), numeric.value(numeric.at_unit(*xi))))
            .collect();
        if tpe_rest && coordinates.len() < ctx.space.params().len() {
            // TPE chooses the rest given the strategy's values (and what the file gave).
            let mut pinned = moved;
            pinned.extend(ctx.pinned.iter().map(|(k, v)| (k.clone(), v.clone())));
            return self.tpe().suggest_in(&SuggestContext {
                pinned: &pinned,
                ..*ctx
            });
        }
        let mut params = Params::new();
        for p in ctx.space.in_dependency_order() {
            if !ctx.space.is_active(p, &params) {
                continue;
            }
            let value = match moved.get(&p.name) {
                Some(v) => v.clone(),
                None => draw(&p.distribution, &mut rng),
            };
            let value = ctx.pinned.get(&p.name).cloned().unwrap_or(value);
            params.insert(p.name.clone(), value);
        }
        Ok(params)
    }

    fn learns_from(&self, visible: usize) -> bool {
        // A generation has at least `popsize` members (4 by default, for one coordinate).
        let smallest = self
            .config
            .popsize
            .map_or(4, |p| usize::try_from(p).unwrap_or(usize::MAX));
        let startup = usize::try_from(self.config.n_startup_trials).unwrap_or(usize::MAX);
        let tpe = self.config.independent_sampler == IndependentSampler::Tpe
            && self.tpe().learns_from(visible);
        tpe || visible >= startup.saturating_add(smallest)
    }
}

/// Returns the parameters the strategy moves: numeric, unconditional, in name order (as many
/// as `CmaEsConfig::searched` counts).
fn coordinates(space: &SearchSpace) -> Vec<(&Param, Numeric)> {
    let coordinates: Vec<(&Param, Numeric)> = space
        .params()
        .iter()
        .filter(|p| p.condition.is_none())
        .filter_map(|p| match Coding::of(&p.distribution) {
            Coding::Numeric(n) => Some((p, n)),
            _ => None,
        })
        .collect();
    debug_assert_eq!(coordinates.len(), CmaEsConfig::searched(space));
    coordinates
}

/// Returns the unit coordinates of `params`; a value missing or not a number sits at `mean`.
fn encode(coordinates: &[(&Param, Numeric)], params: &Params, mean: &[f64]) -> Vec<f64> {
    coordinates
        .iter()
        .zip(mean)
        .map(|((p, numeric), m)| {
            params
                .get(&p.name)
                .and_then(|v| numeric.coordinate(v))
                .map_or(*m, |x| numeric.unit_of(x))
        })
        .collect()
}

#[cfg(test)]
mod tests;
