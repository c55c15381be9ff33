//! What the process is fitted on: the scores, scaled robustly, warped by a Yeo-Johnson power
//! transform (Yeo & Johnson, 2000) whose exponent is fitted by maximum likelihood, and
//! standardized (`Transform`).
//!
//! A search's scores are rarely normal: a few far worse trials (a diverged run, Rosenbrock's
//! far corners) or a few far better ones (the first trials in Hartmann6's basin) set the
//! process's scale, and a stationary kernel then models the region that matters coarsely. So
//! the scores are first centred on their median and divided by their interquartile range (a
//! diverged trial 10^9 times worse then leaves the others their spread, where dividing by the
//! standard deviation would squeeze them into one value), then warped towards normal. Every
//! step is increasing, so trials keep their ranking and the incumbent stays the best trial. This
//! is the output transform HEBO (Cowen-Rivers et al., 2022) found to matter; measured here on
//! held-out seeds and on real sweeps, see README "Measured".

use crate::unit::count;

/// The map from a score to the value the process is fitted on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Transform {
    /// Robust centre and spread of the scores.
    center: f64,
    spread: f64,
    warp: Warp,
    /// Mean and standard deviation of the warped scores.
    mean: f64,
    sd: f64,
}

impl Transform {
    /// Returns the transform fitted to `scores` (finite values).
    pub(super) fn fit(scores: &[f64]) -> Transform {
        let (center, spread) = robust_moments(scores);
        let z: Vec<f64> = scores.iter().map(|s| (s - center) / spread).collect();
        let warp = Warp::fit(&z);
        let (mean, sd) = moments(&z.iter().map(|&x| warp.apply(x)).collect::<Vec<_>>());
        Transform {
            center,
            spread,
            warp,
            mean,
            sd,
        }
    }

    /// Returns the value the process is fitted on for `score`.
    pub(super) fn apply(&self, score: f64) -> f64 {
        (self.warp.apply((score - self.center) / self.spread) - self.mean) / self.sd
    }
}

/// Returns the median and the interquartile range scaled to a normal's standard deviation
/// (divided by 1.349); the mean and standard deviation (`moments`) when the quartiles are equal.
fn robust_moments(values: &[f64]) -> (f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Some(last) = sorted.len().checked_sub(1) else {
        return (0.0, 1.0);
    };
    // Quantiles by linear interpolation between order statistics.
    let quantile = |p: f64| {
        let at = p * count(last);
        // In 0..=last, since p is in [0, 1].
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (at - at.floor())
    };
    let iqr = quantile(0.75) - quantile(0.25);
    if iqr > 0.0 {
        (quantile(0.5), iqr / 1.349)
    } else {
        moments(values)
    }
}

/// Returns the mean and standard deviation (1 when the values are all equal).
pub(super) fn moments(values: &[f64]) -> (f64, f64) {
    let (mean, variance) = mean_and_variance(values);
    let sd = variance.sqrt();
    (
        mean,
        if sd > 1e-12 * mean.abs().max(1e-300) && sd > 0.0 {
            sd
        } else {
            1.0
        },
    )
}

/// The exponents tried, from `LOWEST` in steps of `STEP`: a grid, so the fit is cheap and
/// plainly deterministic, and fine enough that neighbouring exponents fit almost equally well.
const LOWEST: f64 = -3.0;
const STEP: f64 = 0.1;
const STEPS: u32 = 60;

/// A fitted Yeo-Johnson transform.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Warp {
    lambda: f64,
}

impl Warp {
    /// The identity (exponent 1).
    const IDENTITY: Warp = Warp { lambda: 1.0 };

    /// Returns the transform whose exponent maximizes the likelihood of `z` (standardized
    /// values) under a normal model of the transformed values; the identity when no exponent
    /// fits better than it, as when all values are equal.
    fn fit(z: &[f64]) -> Warp {
        if z.len() < 2 {
            return Warp::IDENTITY;
        }
        // The log-Jacobian of the transform is (lambda - 1) times this.
        let jacobian: f64 = z.iter().map(|&x| x.signum() * x.abs().ln_1p()).sum();
        let half_n = 0.5 * count(z.len());
        let log_likelihood = |warp: Warp| {
            let w: Vec<f64> = z.iter().map(|&x| warp.apply(x)).collect();
            let (_, variance) = mean_and_variance(&w);
            -half_n * variance.ln() + (warp.lambda - 1.0) * jacobian
        };
        let mut best = (log_likelihood(Warp::IDENTITY), Warp::IDENTITY);
        for i in 0..=STEPS {
            let warp = Warp {
                lambda: LOWEST + STEP * f64::from(i),
            };
            let value = log_likelihood(warp);
            if value > best.0 {
                best = (value, warp);
            }
        }
        best.1
    }

    /// Returns the transform of `x`.
    fn apply(self, x: f64) -> f64 {
        let l = self.lambda;
        if x >= 0.0 {
            if l.abs() < 1e-9 {
                x.ln_1p()
            } else {
                ((x + 1.0).powf(l) - 1.0) / l
            }
        } else if (l - 2.0).abs() < 1e-9 {
            -(-x).ln_1p()
        } else {
            -((1.0 - x).powf(2.0 - l) - 1.0) / (2.0 - l)
        }
    }
}

/// Returns the mean and variance of `values`.
fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = count(values.len().max(1));
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, variance)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard normal quantiles at (i + 0.5) / n: a sample with no skew.
    fn normal_sample(n: u32) -> Vec<f64> {
        (0..n)
            .map(|i| crate::special::ppf((f64::from(i) + 0.5) / f64::from(n)))
            .collect()
    }

    fn standardized(values: &[f64]) -> Vec<f64> {
        let (mean, variance) = mean_and_variance(values);
        values
            .iter()
            .map(|v| (v - mean) / variance.sqrt())
            .collect()
    }

    fn skewness(values: &[f64]) -> f64 {
        let z = standardized(values);
        z.iter().map(|v| v.powi(3)).sum::<f64>() / count(z.len())
    }

    #[test]
    fn exponent_one_is_the_identity_and_every_exponent_keeps_the_order() {
        let xs: Vec<f64> = (-40..=40).map(|i| f64::from(i) / 8.0).collect();
        for x in &xs {
            assert!((Warp::IDENTITY.apply(*x) - x).abs() < 1e-12, "{x}");
        }
        for i in 0..=STEPS {
            let warp = Warp {
                lambda: LOWEST + STEP * f64::from(i),
            };
            for pair in xs.windows(2) {
                assert!(
                    warp.apply(pair[0]) < warp.apply(pair[1]),
                    "{warp:?} at {pair:?}"
                );
            }
        }
    }

    #[test]
    fn the_fit_unskews_a_skewed_sample_and_leaves_a_normal_one() {
        let normal = normal_sample(60);
        assert_eq!(Warp::fit(&standardized(&normal)).lambda, 1.0);
        // Log-normal: a long tail of large values, as a few very bad trials make.
        let right = standardized(&normal.iter().map(|v| v.exp()).collect::<Vec<_>>());
        let warp = Warp::fit(&right);
        assert!(warp.lambda < 0.5, "{warp:?}");
        let warped: Vec<f64> = right.iter().map(|&x| warp.apply(x)).collect();
        assert!(skewness(&right) > 1.5 && skewness(&warped).abs() < 0.3);
        // Its mirror: a long tail of small values, as a few far better trials make.
        let left: Vec<f64> = right.iter().map(|v| -v).collect();
        let warp = Warp::fit(&left);
        assert!(warp.lambda > 1.5, "{warp:?}");
        let warped: Vec<f64> = left.iter().map(|&x| warp.apply(x)).collect();
        assert!(skewness(&warped).abs() < 0.3, "{}", skewness(&warped));
    }

    #[test]
    fn a_far_outlier_leaves_the_other_scores_their_spread() {
        let mut scores: Vec<f64> = (0..20).map(|i| f64::from(i) / 10.0).collect();
        scores.push(1e9);
        let transform = Transform::fit(&scores);
        let values: Vec<f64> = scores.iter().map(|&s| transform.apply(s)).collect();
        // Increasing, and the twenty ordinary scores still span a good part of a unit.
        assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
        assert!(values[19] - values[0] > 0.5, "{values:?}");
        // The same scores without the outlier keep their order and mean 0, sd 1.
        let transform = Transform::fit(&scores[..20]);
        let values: Vec<f64> = scores[..20].iter().map(|&s| transform.apply(s)).collect();
        let (mean, sd) = moments(&values);
        assert!(
            mean.abs() < 1e-12 && (sd - 1.0).abs() < 1e-12,
            "{mean} {sd}"
        );
    }

    #[test]
    fn equal_values_are_left_alone() {
        assert_eq!(Warp::fit(&[0.0; 8]), Warp::IDENTITY);
        assert_eq!(Warp::fit(&[0.3]), Warp::IDENTITY);
        let transform = Transform::fit(&[2.5; 6]);
        assert_eq!(transform.apply(2.5), 0.0);
        assert!(transform.apply(3.5) > 0.0);
    }
}
