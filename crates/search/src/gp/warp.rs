//! The output warp: a Yeo-Johnson power transform (Yeo & Johnson, 2000) of the standardized
//! scores, its exponent fitted by maximum likelihood, so that the scores the process is fitted
//! on are as close to normal as one exponent makes them.
//!
//! A search's scores are rarely normal: a few far worse trials (a diverged run, Rosenbrock's
//! far corners) or a few far better ones (the first trials in Hartmann6's basin) set the
//! process's scale, and a stationary kernel then models the region that matters coarsely. The
//! transform is increasing, so trials keep their ranking and the incumbent stays the best trial.
//! This is the output transform HEBO (Cowen-Rivers et al., 2022) found to matter; measured here
//! on held-out seeds, see README "Measured".

/// The exponents tried, from `LOWEST` in steps of `STEP`: a grid, so the fit is cheap and
/// plainly deterministic, and fine enough that neighbouring exponents fit almost equally well.
const LOWEST: f64 = -3.0;
const STEP: f64 = 0.1;
const STEPS: u32 = 60;

/// A fitted Yeo-Johnson transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Warp {
    lambda: f64,
}

impl Warp {
    /// The identity (exponent 1).
    pub(super) const IDENTITY: Warp = Warp { lambda: 1.0 };

    /// Returns the transform whose exponent maximizes the likelihood of `z` (standardized
    /// values) under a normal model of the transformed values; the identity when no exponent
    /// fits better than it, as when all values are equal.
    pub(super) fn fit(z: &[f64]) -> Warp {
        if z.len() < 2 {
            return Warp::IDENTITY;
        }
        // The log-Jacobian of the transform is (lambda - 1) times this.
        let jacobian: f64 = z.iter().map(|&x| x.signum() * x.abs().ln_1p()).sum();
        let half_n = 0.5 * crate::unit::count(z.len());
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
    pub(super) fn apply(self, x: f64) -> f64 {
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
    let n = crate::unit::count(values.len().max(1));
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
            .map(|i| {
                let p = (f64::from(i) + 0.5) / f64::from(n);
                // Inverse of the normal cdf by bisection.
                let (mut lo, mut hi) = (-10.0, 10.0);
                for _ in 0..80 {
                    let mid = 0.5 * (lo + hi);
                    if crate::special::cdf(mid) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            })
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
        z.iter().map(|v| v.powi(3)).sum::<f64>() / crate::unit::count(z.len())
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
    fn equal_values_are_left_alone() {
        assert_eq!(Warp::fit(&[0.0; 8]), Warp::IDENTITY);
        assert_eq!(Warp::fit(&[0.3]), Warp::IDENTITY);
    }
}
