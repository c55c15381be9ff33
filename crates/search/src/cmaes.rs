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
//!
//! Categorical parameters and conditional ones are left to an independent sampler, as Optuna's
//! `CmaEsSampler` leaves them: by default TPE, given the values the strategy chose (so that it
//! learns which categories pay off), or random draws on the same stream
//! (`independent_sampler: random`, Optuna's default); a space with no numeric parameter present
//! in every trial is left to it whole. CMA-ES is for spaces that are mostly continuous.

use std::collections::BTreeMap;

use experiment::{
    CmaEsConfig, Constraint, IndependentSampler, MetricSpec, Param, Params, Restart, SearchSpace,
    Seed, TpeConfig,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, StandardNormal};

use crate::draw::draw;
use crate::history::{self, Combine, Observation, Standing};
use crate::linalg::symmetric_eigen;
use crate::random::RandomSampler;
use crate::special;
use crate::unit::{count, Coding, Numeric};
use crate::{Result, Sampler, SuggestContext, TpeSampler};

/// Draws of a candidate before one outside the cube is clipped instead.
const MAX_RESAMPLES: usize = 100;

/// The smallest and largest step size, in units of the cube's side.
const SIGMA_RANGE: (f64, f64) = (1e-12, 1.0);

/// The largest generation IPOP restarts grow to.
const MAX_POPSIZE: usize = 4096;

/// The first of the random streams that restarts take their starting points from: above every
/// trial's stream (trial numbers are 32-bit).
const RESTART_STREAMS: u64 = 1 << 40;

/// A strategy whose every step (in units of the cube's side) is below this has converged: its
/// proposals differ in the eighth digit of a parameter's range.
const TOL_X: f64 = 1e-8;

/// A strategy whose generations' best values, and latest generation's values, span less than
/// this has converged (flat).
const TOL_FUN: f64 = 1e-12;

/// A covariance whose largest to smallest axis exceeds this is degenerate.
const MAX_AXIS_RATIO: f64 = 1e7;

/// Proposes parameters with CMA-ES.
#[derive(Debug, Clone)]
pub struct CmaEsSampler {
    seed: Seed,
    config: CmaEsConfig,
    objective: MetricSpec,
    constraints: Vec<Constraint>,
}

impl CmaEsSampler {
    /// Returns a sampler for an experiment seeded with `seed` that improves `objective`.
    pub fn new(seed: Seed, config: CmaEsConfig, objective: MetricSpec) -> CmaEsSampler {
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
    pub fn with_constraints(mut self, constraints: Vec<Constraint>) -> CmaEsSampler {
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
        let mut constants = Constants::new(n, default_lambda);
        let mut strategy = Strategy::new(n, self.config.sigma0);
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
                constants = Constants::new(n, lambda);
                strategy = Strategy::new(n, sigma0);
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

/// The strategy's constants for `n` coordinates and `lambda` members a generation.
#[derive(Debug)]
struct Constants {
    lambda: usize,
    /// Recombination weights of the best `mu` members, summing to 1.
    weights: Vec<f64>,
    /// The weights of the others, worst last, each below 0 (active CMA: the covariance
    /// shrinks along the directions of the worst members).
    negative: Vec<f64>,
    mu_eff: f64,
    c_sigma: f64,
    d_sigma: f64,
    c_c: f64,
    c_1: f64,
    c_mu: f64,
    /// E||N(0, I)||.
    chi_n: f64,
}

impl Constants {
    fn new(n: usize, lambda: usize) -> Constants {
        let nf = count(n);
        let mu = (lambda / 2).max(1);
        let raw: Vec<f64> = (1..=lambda.max(mu))
            .map(|i| (count(lambda + 1) / 2.0).ln() - count(i).ln())
            .collect();
        let (best, rest) = raw.split_at(mu);
        let total: f64 = best.iter().sum();
        let weights: Vec<f64> = best.iter().map(|w| w / total).collect();
        let mu_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let rest: Vec<f64> = rest.iter().copied().filter(|w| *w < 0.0).collect();
        let c_sigma = (mu_eff + 2.0) / (nf + mu_eff + 5.0);
        let d_sigma = 1.0 + 2.0 * (((mu_eff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + c_sigma;
        let c_c = (4.0 + mu_eff / nf) / (nf + 4.0 + 2.0 * mu_eff / nf);
        let c_1 = 2.0 / ((nf + 1.3).powi(2) + mu_eff);
        let c_mu =
            (1.0 - c_1).min(2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((nf + 2.0).powi(2) + mu_eff));
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));
        let c_mu = c_mu.max(0.0);
        // The negative weights sum to -min(1 + c_1 / c_mu, 1 + 2 mu_eff- / (mu_eff + 2),
        // (1 - c_1 - c_mu) / (n c_mu)) (Hansen's tutorial, 2016).
        let negative_total: f64 = rest.iter().map(|w| -w).sum();
        let mu_eff_minus = negative_total.powi(2)
            / rest
                .iter()
                .map(|w| w * w)
                .sum::<f64>()
                .max(f64::MIN_POSITIVE);
        let scale = (1.0 + c_1 / c_mu)
            .min(1.0 + 2.0 * mu_eff_minus / (mu_eff + 2.0))
            .min((1.0 - c_1 - c_mu) / (nf * c_mu));
        let negative = if negative_total > 0.0 && scale.is_finite() && scale > 0.0 {
            rest.iter().map(|w| scale * w / negative_total).collect()
        } else {
            Vec::new()
        };
        Constants {
            lambda,
            weights,
            negative,
            mu_eff,
            c_sigma,
            d_sigma,
            c_c,
            c_1,
            c_mu,
            chi_n,
        }
    }
}

/// The strategy's state: the search distribution N(mean, sigma^2 A C A) and its evolution paths.
#[derive(Debug, Clone)]
struct Strategy {
    n: usize,
    mean: Vec<f64>,
    sigma: f64,
    /// A's diagonal: each coordinate's scale on top of sigma and C, which only the margin
    /// (`keep_margin`) moves from 1.
    scales: Vec<f64>,
    /// The covariance, row-major.
    c: Vec<f64>,
    p_sigma: Vec<f64>,
    p_c: Vec<f64>,
    /// C's eigenvectors (columns, row-major) and the square roots of its eigenvalues.
    b: Vec<f64>,
    d: Vec<f64>,
    generations: i32,
    /// How many times the strategy has started again (IPOP, BIPOP).
    restarts: u32,
}

impl Strategy {
    fn new(n: usize, sigma0: f64) -> Strategy {
        let mut identity = vec![0.0; n * n];
        for i in 0..n {
            identity[i * n + i] = 1.0;
        }
        Strategy {
            n,
            mean: vec![0.5; n],
            sigma: sigma0.clamp(SIGMA_RANGE.0, SIGMA_RANGE.1),
            scales: vec![1.0; n],
            c: identity.clone(),
            p_sigma: vec![0.0; n],
            p_c: vec![0.0; n],
            b: identity,
            d: vec![1.0; n],
            generations: 0,
            restarts: 0,
        }
    }

    /// Returns whether the strategy has converged, after the generation whose non-failed scores
    /// are `scores`, with `bests` the best of each generation since it started: its steps below
    /// `TOL_X` on every axis, its covariance degenerate, or its values flat (the best of the
    /// last 10 + 30 n / lambda generations, and the latest generation's values, within
    /// `TOL_FUN`), as Hansen's stopping criteria have it.
    fn converged(&self, bests: &[f64], scores: &[f64], k: &Constants) -> bool {
        let n = self.n;
        let tiny = (0..n).all(|i| self.sigma * self.c[i * n + i].sqrt() < TOL_X);
        let (small, large) = self
            .d
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(s, l), d| (s.min(*d), l.max(*d)));
        let degenerate = large > MAX_AXIS_RATIO * small;
        let window = 10 + (30 * n).div_ceil(k.lambda);
        // The spread of the finite values; none when there are none (a generation that failed
        // whole is not flat, it says nothing).
        let flat_values = |values: &[f64]| {
            let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
            let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            finite.len() == values.len() && !finite.is_empty() && hi - lo < TOL_FUN
        };
        let flat = bests.len() >= window
            && flat_values(&bests[bests.len() - window..])
            && flat_values(scores);
        tiny || degenerate || flat
    }

    /// Returns a candidate from N(mean, sigma^2 A C A) inside the unit cube.
    fn ask(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let n = self.n;
        let mut x = self.mean.clone();
        for _ in 0..MAX_RESAMPLES {
            let z: Vec<f64> = (0..n)
                .map(|i| {
                    let z: f64 = StandardNormal.sample(rng);
                    self.d[i] * z
                })
                .collect();
            for (i, xi) in x.iter_mut().enumerate() {
                let y: f64 = (0..n).map(|j| self.b[i * n + j] * z[j]).sum();
                *xi = self.mean[i] + self.sigma * self.scales[i] * y;
            }
            if x.iter().all(|v| (0.0..=1.0).contains(v)) {
                return x;
            }
        }
        x.iter().map(|v| v.clamp(0.0, 1.0)).collect()
    }

    /// Moves the distribution towards the best of one generation's `points`, best first.
    fn tell(&mut self, points: &[Vec<f64>], k: &Constants) {
        let n = self.n;
        let steps: Vec<Vec<f64>> = points
            .iter()
            .map(|x| {
                x.iter()
                    .zip(&self.mean)
                    .zip(&self.scales)
                    .map(|((xi, mi), a)| (xi - mi) / (self.sigma * a))
                    .collect()
            })
            .collect();
        let mut y_w = vec![0.0; n];
        for (w, y) in k.weights.iter().zip(&steps) {
            for i in 0..n {
                y_w[i] += w * y[i];
            }
        }
        for ((m, y), a) in self.mean.iter_mut().zip(&y_w).zip(&self.scales) {
            *m = (*m + self.sigma * a * y).clamp(0.0, 1.0);
        }
        let whitened = self.whiten(&y_w);
        let sigma_gain = (k.c_sigma * (2.0 - k.c_sigma) * k.mu_eff).sqrt();
        for (p, w) in self.p_sigma.iter_mut().zip(&whitened) {
            *p = (1.0 - k.c_sigma) * *p + sigma_gain * w;
        }
        let norm = self.p_sigma.iter().map(|v| v * v).sum::<f64>().sqrt();
        self.generations = self.generations.saturating_add(1);
        let fading = (1.0 - (1.0 - k.c_sigma).powi(self.generations.saturating_mul(2))).sqrt();
        let stalled = norm / fading >= (1.4 + 2.0 / (count(n) + 1.0)) * k.chi_n;
        let h_sigma = if stalled { 0.0 } else { 1.0 };
        let c_gain = (k.c_c * (2.0 - k.c_c) * k.mu_eff).sqrt();
        for (p, y) in self.p_c.iter_mut().zip(&y_w) {
            *p = (1.0 - k.c_c) * *p + h_sigma * c_gain * y;
        }
        let delta = (1.0 - h_sigma) * k.c_c * (2.0 - k.c_c);
        // The best members pull C towards their steps, the worst push it away from theirs,
        // each of those scaled to the length n it would have under C.
        let worst = &steps[steps.len().saturating_sub(k.negative.len())..];
        let pushed: Vec<f64> = k
            .negative
            .iter()
            .zip(worst)
            .map(|(w, y)| {
                let length: f64 = self.whiten(y).iter().map(|v| v * v).sum();
                w * count(n) / length.max(f64::MIN_POSITIVE)
            })
            .collect();
        let weighted: Vec<(f64, &Vec<f64>)> = k
            .weights
            .iter()
            .copied()
            .zip(&steps)
            .chain(pushed.into_iter().zip(worst))
            .collect();
        let total_weight = 1.0 + k.negative.iter().sum::<f64>();
        let keep = 1.0 + k.c_1 * delta - k.c_1 - k.c_mu * total_weight;
        for i in 0..n {
            for j in 0..n {
                let rank_mu: f64 = weighted.iter().map(|(w, y)| w * y[i] * y[j]).sum();
                self.c[i * n + j] =
                    keep * self.c[i * n + j] + k.c_1 * self.p_c[i] * self.p_c[j] + k.c_mu * rank_mu;
            }
        }
        self.sigma = (self.sigma * ((k.c_sigma / k.d_sigma) * (norm / k.chi_n - 1.0)).exp())
            .clamp(SIGMA_RANGE.0, SIGMA_RANGE.1);
        self.decompose();
    }

    /// Returns C^(-1/2) y = B D^-1 B^T y.
    fn whiten(&self, y: &[f64]) -> Vec<f64> {
        let n = self.n;
        let bt_y: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| self.b[i * n + j] * y[i]).sum::<f64>() / self.d[j])
            .collect();
        (0..n)
            .map(|i| (0..n).map(|j| self.b[i * n + j] * bt_y[j]).sum())
            .collect()
    }

    /// Keeps, for every integer or quantized coordinate, a probability of at least `alpha` that
    /// a candidate takes another value than the mean's (CMA-ES with margin, Hamano et al.
    /// 2022): between two neighbours, at least `alpha / 2` beyond each end of the mean's
    /// interval, found by widening the coordinate's scale and moving its mean so that those
    /// tails are exactly the larger of what they were and `alpha / 2`; at an end of the range,
    /// `alpha` beyond the one neighbour, found by moving the mean towards it. Sigma and C stay.
    fn keep_margin(&mut self, coordinates: &[(&Param, Numeric)], alpha: f64) {
        let n = self.n;
        for (i, (_, numeric)) in coordinates.iter().enumerate().take(n) {
            let Some(cell) = numeric.cell(self.mean[i]) else {
                continue;
            };
            let base = self.sigma * self.c[i * n + i].sqrt();
            let spread = base * self.scales[i];
            if !(spread > 0.0 && spread.is_finite()) {
                continue;
            }
            let m = self.mean[i];
            match cell {
                (Some(lo), Some(hi)) => {
                    let below = special::cdf((lo - m) / spread);
                    let above = 1.0 - special::cdf((hi - m) / spread);
                    if below >= alpha / 2.0 && above >= alpha / 2.0 {
                        continue;
                    }
                    // Tails of exactly these sizes: m - z_lo s = lo and m + z_hi s = hi.
                    let z_lo = special::ppf(1.0 - below.clamp(alpha / 2.0, 0.5));
                    let z_hi = special::ppf(1.0 - above.clamp(alpha / 2.0, 0.5));
                    let total = z_lo + z_hi;
                    if total <= 0.0 || !total.is_finite() {
                        continue;
                    }
                    let s = (hi - lo) / total;
                    self.mean[i] = lo + z_lo * s;
                    self.scales[i] = s / base;
                }
                (None, Some(hi)) => {
                    let z = special::ppf(1.0 - alpha);
                    self.mean[i] = m.max(hi - z * spread);
                }
                (Some(lo), None) => {
                    let z = special::ppf(1.0 - alpha);
                    self.mean[i] = m.min(lo + z * spread);
                }
                (None, None) => {}
            }
        }
    }

    /// Recomputes B and D from C; a covariance gone bad (not finite) starts again as I.
    fn decompose(&mut self) {
        let n = self.n;
        for i in 0..n {
            for j in 0..i {
                let mean = 0.5 * (self.c[i * n + j] + self.c[j * n + i]);
                self.c[i * n + j] = mean;
                self.c[j * n + i] = mean;
            }
        }
        let (values, vectors) = symmetric_eigen(&self.c, n);
        if values.iter().chain(&vectors).all(|v| v.is_finite()) && self.sigma.is_finite() {
            self.d = values.iter().map(|v| v.max(1e-20).sqrt()).collect();
            self.b = vectors;
            return;
        }
        let fresh = Strategy::new(n, self.sigma.min(SIGMA_RANGE.1));
        *self = Strategy {
            mean: std::mem::take(&mut self.mean),
            restarts: self.restarts,
            ..fresh
        };
    }
}

#[cfg(test)]
mod tests;
