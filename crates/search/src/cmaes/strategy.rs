//! The strategy itself: its constants for a generation size (`Constants`), and its state, the
//! search distribution and evolution paths (`Strategy`), with the update by one generation.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, StandardNormal};

use experiment::Param;

use super::rates::Rates;
use crate::linalg::symmetric_eigen;
use crate::special;
use crate::unit::{count, Numeric};

/// Draws of a candidate before one outside the cube is clipped instead.
const MAX_RESAMPLES: usize = 100;

/// The smallest and largest step size, in units of the cube's side.
pub(super) const SIGMA_RANGE: (f64, f64) = (1e-12, 1.0);

/// A strategy whose every step (in units of the cube's side) is below this has converged: its
/// proposals differ in the eighth digit of a parameter's range.
const TOL_X: f64 = 1e-8;

/// A strategy whose generations' best values, and latest generation's values, span less than
/// this has converged (flat).
const TOL_FUN: f64 = 1e-12;

/// A covariance whose largest to smallest axis exceeds this is degenerate.
const MAX_AXIS_RATIO: f64 = 1e7;

/// The strategy's constants for `n` coordinates and `lambda` members a generation.
#[derive(Debug)]
pub(super) struct Constants {
    pub(super) lambda: usize,
    /// Recombination weights of the best `mu` members, summing to 1.
    pub(super) weights: Vec<f64>,
    /// The weights of the others, worst last, each below 0 (active CMA: the covariance
    /// shrinks along the directions of the worst members).
    pub(super) negative: Vec<f64>,
    pub(super) mu_eff: f64,
    pub(super) c_sigma: f64,
    pub(super) d_sigma: f64,
    pub(super) c_c: f64,
    pub(super) c_1: f64,
    pub(super) c_mu: f64,
    /// E||N(0, I)||.
    pub(super) chi_n: f64,
}

impl Constants {
    pub(super) fn new(n: usize, lambda: usize) -> Constants {
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

    /// Returns the constants for a diagonal covariance (sep-CMA-ES, Ros and Hansen 2008): the
    /// covariance's learning rates `(n + 2) / 3` times larger, since it learns n variances
    /// rather than n (n + 1) / 2 entries, scaled down together where they would pass 1, and no
    /// negative weights (their bound is that of a full covariance).
    pub(super) fn separable(self, n: usize) -> Constants {
        let factor = (count(n) + 2.0) / 3.0;
        let (c_1, c_mu) = (self.c_1 * factor, self.c_mu * factor);
        let over = (c_1 + c_mu).max(1.0);
        Constants {
            c_1: c_1 / over,
            c_mu: c_mu / over,
            negative: Vec::new(),
            ..self
        }
    }
}

/// The strategy's state: the search distribution N(mean, sigma^2 A C A) and its evolution paths.
#[derive(Debug, Clone)]
pub(super) struct Strategy {
    pub(super) n: usize,
    pub(super) mean: Vec<f64>,
    pub(super) sigma: f64,
    /// A's diagonal: each coordinate's scale on top of sigma and C, which only the margin
    /// (`keep_margin`) moves from 1.
    pub(super) scales: Vec<f64>,
    /// The covariance, row-major.
    pub(super) c: Vec<f64>,
    pub(super) p_sigma: Vec<f64>,
    pub(super) p_c: Vec<f64>,
    /// C's eigenvectors (columns, row-major) and the square roots of its eigenvalues.
    pub(super) b: Vec<f64>,
    pub(super) d: Vec<f64>,
    pub(super) generations: i32,
    /// How many times the strategy has started again (IPOP, BIPOP).
    pub(super) restarts: u32,
    /// The learning rates of the mean and the covariance, when they adapt (`lr_adapt`);
    /// without, both are 1.
    pub(super) rates: Option<Rates>,
    /// Whether C stays diagonal (sep-CMA-ES, `use_separable_cma`).
    pub(super) separable: bool,
}

impl Strategy {
    pub(super) fn new(n: usize, sigma0: f64) -> Strategy {
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
            rates: None,
            separable: false,
        }
    }

    /// Returns the strategy with a diagonal covariance (to use with `Constants::separable`).
    pub(super) fn separable(mut self) -> Strategy {
        self.separable = true;
        self
    }

    /// Returns the strategy with learning rates that adapt to its updates (`rates`).
    pub(super) fn adapting_rates(mut self) -> Strategy {
        self.rates = Some(Rates::new(self.n));
        self
    }

    /// Returns whether the strategy has converged, after the generation whose non-failed scores
    /// are `scores`, with `bests` the best of each generation since it started: its steps below
    /// `TOL_X` on every axis, its covariance degenerate, or its values flat (the best of the
    /// last 10 + 30 n / lambda generations, and the latest generation's values, within
    /// `TOL_FUN`), as Hansen's stopping criteria have it.
    pub(super) fn converged(&self, bests: &[f64], scores: &[f64], k: &Constants) -> bool {
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
    pub(super) fn ask(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
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
    pub(super) fn tell(&mut self, points: &[Vec<f64>], k: &Constants) {
        let n = self.n;
        let before = self.rates.is_some().then(|| self.clone());
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
            // A diagonal covariance keeps its off-diagonal entries at 0.
            for j in (0..n).filter(|&j| j == i || !self.separable) {
                let rank_mu: f64 = weighted.iter().map(|(w, y)| w * y[i] * y[j]).sum();
                self.c[i * n + j] =
                    keep * self.c[i * n + j] + k.c_1 * self.p_c[i] * self.p_c[j] + k.c_mu * rank_mu;
            }
        }
        self.sigma = (self.sigma * ((k.c_sigma / k.d_sigma) * (norm / k.chi_n - 1.0)).exp())
            .clamp(SIGMA_RANGE.0, SIGMA_RANGE.1);
        if let (Some(mut rates), Some(before)) = (self.rates.take(), before) {
            rates.adapt(self, &before);
            self.rates = Some(rates);
        }
        self.decompose();
    }

    /// Returns C^(-1/2) y = B D^-1 B^T y.
    pub(super) fn whiten(&self, y: &[f64]) -> Vec<f64> {
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
    pub(super) fn keep_margin(&mut self, coordinates: &[(&Param, Numeric)], alpha: f64) {
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
    pub(super) fn decompose(&mut self) {
        let n = self.n;
        if self.separable {
            // Diagonal: its axes are the coordinates', its roots those of its entries.
            let diagonal: Vec<f64> = (0..n).map(|i| self.c[i * n + i]).collect();
            if diagonal.iter().all(|v| v.is_finite()) && self.sigma.is_finite() {
                self.d = diagonal.iter().map(|v| v.max(1e-20).sqrt()).collect();
                return;
            }
        }
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
            rates: self.rates.take(),
            separable: self.separable,
            ..fresh
        };
    }
}
