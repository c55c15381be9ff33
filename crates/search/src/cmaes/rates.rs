//! Learning-rate adaptation (LRA-CMA-ES: Nomura, Akimoto and Ono, "CMA-ES with Learning Rate
//! Adaptation: Can CMA-ES with Default Population Size Solve Multimodal and Noisy Problems?",
//! GECCO 2023; Optuna's `lr_adapt`).
//!
//! Each generation's update of the mean, and of the covariance sigma^2 C, is taken only in
//! part: a learning rate for each (`eta_m`, `eta_Sigma`, both starting at 1) scales the step
//! the plain update would make. The rates follow the updates' signal-to-noise ratio, estimated
//! from exponential moving averages of the steps (in the coordinates the previous distribution
//! whitens) and of their squared lengths: consistent steps (signal) raise a rate towards 1,
//! steps that cancel out (noise, or a rugged landscape's many basins) lower it, so that the
//! strategy averages over more generations before it commits. The rate moves towards keeping the
//! ratio at `ALPHA` times itself, by at most a factor e^(min(GAMMA eta, beta)) a generation.
//! A smaller mean rate would shorten the steps the step-size control sees, so sigma is divided by
//! the rate's change, which keeps eta_m sigma (the mean's step) continuous.

use super::strategy::{Strategy, SIGMA_RANGE};
use crate::linalg::symmetric_eigen;
use crate::unit::count;

/// The target signal-to-noise ratio, as a multiple of the rate.
const ALPHA: f64 = 1.4;

/// The moving averages' weights of the newest step: the mean's, the covariance's.
const BETA: (f64, f64) = (0.1, 0.03);

/// How fast a rate follows its signal-to-noise ratio, relative to the rate.
const GAMMA: f64 = 0.1;

/// The learning rates and the moving averages they follow.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rates {
    /// The mean's learning rate, in (0, 1].
    pub(super) mean: f64,
    /// The covariance's learning rate, in (0, 1].
    pub(super) covariance: f64,
    /// The moving average of the mean's whitened steps, and of their squared lengths.
    mean_trend: Vec<f64>,
    mean_power: f64,
    /// The same of the covariance's (n x n, row-major, divided by the square root of 2).
    covariance_trend: Vec<f64>,
    covariance_power: f64,
}

impl Rates {
    /// Returns the rates at their start, 1, for `n` coordinates.
    pub(super) fn new(n: usize) -> Rates {
        Rates {
            mean: 1.0,
            covariance: 1.0,
            mean_trend: vec![0.0; n],
            mean_power: 0.0,
            covariance_trend: vec![0.0; n * n],
            covariance_power: 0.0,
        }
    }

    /// Takes the update that turned `before` into `strategy` (its mean, sigma and C; not yet
    /// decomposed) only in part: adapts the rates to the update, then moves `strategy` back to
    /// `before` plus each rate times its step.
    pub(super) fn adapt(&mut self, strategy: &mut Strategy, before: &Strategy) {
        let n = strategy.n;
        // The mean's step, in units of the old sigma and A, whitened by the old C.
        let mean_step: Vec<f64> = (0..n).map(|i| strategy.mean[i] - before.mean[i]).collect();
        let scaled: Vec<f64> = (0..n)
            .map(|i| mean_step[i] / (before.sigma * strategy.scales[i]))
            .collect();
        let local_mean = before.whiten(&scaled);
        // The covariance's step, sigma^2 C minus the old, whitened on both sides by the old:
        // each column, then each row of that.
        let (new_s2, old_s2) = (strategy.sigma.powi(2), before.sigma.powi(2));
        let covariance_step: Vec<f64> = (0..n * n)
            .map(|ij| new_s2 * strategy.c[ij] - old_s2 * before.c[ij])
            .collect();
        let mut half = vec![0.0; n * n];
        for j in 0..n {
            let column: Vec<f64> = (0..n).map(|i| covariance_step[i * n + j]).collect();
            for (i, v) in before.whiten(&column).into_iter().enumerate() {
                half[i * n + j] = v;
            }
        }
        let local_covariance: Vec<f64> = half
            .chunks(n.max(1))
            .flat_map(|row| before.whiten(row))
            .map(|v| v / (old_s2 * std::f64::consts::SQRT_2))
            .collect();
        let before_mean_rate = self.mean;
        self.mean = follow(
            self.mean,
            BETA.0,
            &mut self.mean_trend,
            &mut self.mean_power,
            &local_mean,
        );
        self.covariance = follow(
            self.covariance,
            BETA.1,
            &mut self.covariance_trend,
            &mut self.covariance_power,
            &local_covariance,
        );
        for ((m, old), step) in strategy.mean.iter_mut().zip(&before.mean).zip(&mean_step) {
            *m = (old + self.mean * step).clamp(0.0, 1.0);
        }
        let sigma_c: Vec<f64> = (0..n * n)
            .map(|ij| old_s2 * before.c[ij] + self.covariance * covariance_step[ij])
            .collect();
        // sigma is the root of the determinant's n-th root; C what is left.
        let (values, _) = symmetric_eigen(&sigma_c, n);
        let log_det: f64 = values.iter().map(|v| v.max(f64::MIN_POSITIVE).ln()).sum();
        let sigma = (log_det / (2.0 * count(n))).exp().min(SIGMA_RANGE.1);
        if !(sigma.is_finite() && sigma > 0.0) {
            // The update could not be taken in part; it stays whole.
            return;
        }
        for (c, v) in strategy.c.iter_mut().zip(&sigma_c) {
            *c = v / (sigma * sigma);
        }
        strategy.sigma = (sigma * before_mean_rate / self.mean).clamp(SIGMA_RANGE.0, SIGMA_RANGE.1);
    }
}

/// Adds `step` to the moving averages `trend` (of the steps) and `power` (of their squared
/// lengths) with weight `beta`, and returns the learning rate `rate` moved towards the
/// signal-to-noise ratio they estimate, capped at 1.
fn follow(rate: f64, beta: f64, trend: &mut [f64], power: &mut f64, step: &[f64]) -> f64 {
    for (t, s) in trend.iter_mut().zip(step) {
        *t = (1.0 - beta) * *t + beta * s;
    }
    let length: f64 = step.iter().map(|s| s * s).sum();
    *power = (1.0 - beta) * *power + beta * length;
    let signal: f64 = trend.iter().map(|t| t * t).sum();
    // The squared mean over the variance, the average's own noise (beta / (2 - beta) of the
    // power) taken off the signal.
    let snr = (signal - beta / (2.0 - beta) * *power) / (*power - signal);
    let relative = (snr / (ALPHA * rate) - 1.0).clamp(-1.0, 1.0);
    // No change when the ratio is undefined (no step at all).
    let relative = if relative.is_nan() { 0.0 } else { relative };
    (rate * ((GAMMA * rate).min(beta) * relative).exp()).min(1.0)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::cmaes::strategy::Constants;

    /// Returns the rate after `steps` follows from 1, each step from `step(g)`.
    fn rate_after(beta: f64, steps: usize, step: impl Fn(usize) -> Vec<f64>) -> f64 {
        let n = step(0).len();
        let (mut trend, mut power, mut rate) = (vec![0.0; n], 0.0, 1.0);
        for g in 0..steps {
            rate = follow(rate, beta, &mut trend, &mut power, &step(g));
            assert!(rate > 0.0 && rate <= 1.0, "rate {rate} at {g}");
        }
        rate
    }

    #[test]
    fn a_rate_stays_up_on_steady_steps_and_falls_on_steps_that_cancel_out() {
        for beta in [BETA.0, BETA.1] {
            let steady = rate_after(beta, 400, |_| vec![0.3, -0.1, 0.2]);
            assert!(steady > 0.99, "beta {beta}: {steady}");
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let noise: Vec<Vec<f64>> = (0..400)
                .map(|_| (0..3).map(|_| rng.gen::<f64>() - 0.5).collect())
                .collect();
            let noisy = rate_after(beta, 400, |g| noise[g].clone());
            assert!(noisy < 0.2, "beta {beta}: {noisy}");
            // No step at all says nothing: the rate stays where it is.
            assert_eq!(rate_after(beta, 10, |_| vec![0.0; 3]), 1.0);
        }
    }

    #[test]
    fn the_update_is_taken_in_part_at_the_rates() {
        let k = Constants::new(2, 6);
        let points: Vec<Vec<f64>> = [
            (0.62, 0.48),
            (0.58, 0.55),
            (0.45, 0.41),
            (0.52, 0.6),
            (0.38, 0.52),
            (0.49, 0.33),
        ]
        .iter()
        .map(|(x, y)| vec![*x, *y])
        .collect();
        let start = Strategy::new(2, 0.1);
        let mut plain = start.clone();
        plain.tell(&points, &k);
        let mut adapted = start.clone().adapting_rates();
        adapted.tell(&points, &k);
        let Some(rates) = adapted.rates.clone() else {
            panic!("the rates are kept");
        };
        assert!(rates.mean < 1.0 && rates.covariance < 1.0, "{rates:?}");
        // The mean moves the rate's part of the plain step.
        for i in 0..2 {
            let expected = start.mean[i] + rates.mean * (plain.mean[i] - start.mean[i]);
            assert!((adapted.mean[i] - expected).abs() < 1e-12);
        }
        // sigma^2 C is the old one plus the rate's part of the plain change, with sigma
        // divided by the mean rate's change (from 1).
        for ij in 0..4 {
            let old = start.sigma.powi(2) * start.c[ij];
            let new = plain.sigma.powi(2) * plain.c[ij];
            let expected = old + rates.covariance * (new - old);
            let got = (adapted.sigma * rates.mean).powi(2) * adapted.c[ij];
            assert!(
                (got - expected).abs() < 1e-12 * old.abs().max(1e-6),
                "{got} {expected}"
            );
        }
    }
}
