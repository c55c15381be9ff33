//! A Parzen estimator: a weighted mixture of product kernels, one per observation, plus a prior.
//!
//! Each numeric coordinate's kernel is a normal truncated to the parameter's range (untruncated
//! for `normal` priors), evaluated as a discrete bin probability for integers; each categorical's
//! kernel puts extra mass on the observed category. The prior kernel is the whole range.
//!
//! Kernel widths are where this estimator departs from Optuna's, on purpose and measured (see
//! the `samplers` benchmark):
//! - `Widths::Neighbours` (the bad trials, and every estimator when parameters are modelled one
//!   at a time): each observation's width in each coordinate is its distance to the neighbouring
//!   observations and the prior's centre (Optuna's rule for one parameter at a time), in the
//!   joint model too, capped by Scott's rule on the range, 0.2 n^(-1/(d+4)) range (Optuna's
//!   joint width). Optuna's joint model gives every kernel that width, which shrinks so slowly
//!   that the search cannot refine a good point.
//! - `Widths::Spread` (the good trials in the joint model): Scott's rule proper, the weighted
//!   standard deviation of the observations in each coordinate times n_eff^(-1/(d+4)) (n_eff:
//!   Kish's effective number of observations under the weights), under the same cap. The good
//!   trials' spread is what the next proposal should explore: it shrinks as they agree, which
//!   refines a good region quickly, and stays wide in coordinates where they disagree. While one
//!   good trial carries nearly all the weight (n_eff below 1.5, so effectively one trial), there
//!   is no spread to measure, and the neighbour rule applies.
//! - The "magic clip" keeps widths above range / min(100, n + 2) where n counts *every* finished
//!   trial, not only those the estimator holds. Optuna counts the estimator's own observations,
//!   at most 25 for the good side, so its good kernels never get narrower than range / 27 and
//!   progress stalls once the remaining improvement is smaller than that.
//!
//! Rejected: no clip at all (collapses on multimodal functions such as Hartmann6), Scott's width
//! on the range for every kernel (slow refinement), half or double the clip (worse on two of four
//! functions). With `Spread` for the good side, also rejected: the spread rule for the bad side
//! (smooth bad models push proposals away from the good region, where the bad trials cluster;
//! much worse on all four functions), the smaller of the spread and neighbour widths (Levy10
//! stalls), leaving the prior's centre out of the neighbour rule (better on Hartmann6, Levy10
//! stalls at about 9), and a second, three times wider kernel per good trial (Hartmann6 worse).

use rand::Rng;

use crate::special;
use crate::unit::{count, Domain, Numeric, Step};

/// One coordinate of a group, as the estimator models it.
#[derive(Debug, Clone)]
pub(crate) enum Dim {
    /// A numeric coordinate.
    Numeric(Numeric),
    /// An index into `prior.len()` categories, a priori with probabilities `prior`.
    Categorical { prior: Vec<f64> },
}

/// How kernel widths are chosen in the joint model (one parameter at a time, always by
/// neighbours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Widths {
    /// Each observation's distance to its neighbours, capped by Scott's rule on the range.
    Neighbours,
    /// Scott's rule on the observations' weighted spread, with the same cap; by neighbours
    /// while they count as fewer than 1.5 observations (`MIN_SPREAD_OBSERVATIONS`).
    Spread,
}

/// How the estimator is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// One width per coordinate (joint model) or per observation (one parameter at a time).
    pub(crate) multivariate: bool,
    /// The prior kernel's weight.
    pub(crate) prior_weight: f64,
    /// Whether widths are clipped from below.
    pub(crate) magic_clip: bool,
    /// Finished trials in all, which the magic clip counts.
    pub(crate) observed: usize,
    /// How widths are chosen when `multivariate`.
    pub(crate) widths: Widths,
}

/// A fitted mixture over the coordinates of one group.
#[derive(Debug, Clone)]
pub(crate) struct Parzen {
    /// Per kernel (the last is the prior): its log mixture weight minus the log normalizers of
    /// its continuous coordinates, so that a density needs only the quadratic terms.
    base: Vec<f64>,
    /// Mixture weight of each kernel, for sampling.
    weights: Vec<f64>,
    dims: Vec<Kernels>,
}

/// The kernels of one coordinate.
#[derive(Debug, Clone)]
enum Kernels {
    Numeric {
        mus: Vec<f64>,
        sigmas: Vec<f64>,
        /// 1 / sigma, per kernel.
        inverse_sigmas: Vec<f64>,
        /// ln(mass of the range), per kernel.
        log_mass: Vec<f64>,
        low: f64,
        high: f64,
        int: bool,
    },
    Categorical {
        /// Per kernel, the probability of each category.
        probabilities: Vec<Vec<f64>>,
        /// Their logarithms.
        log_probabilities: Vec<Vec<f64>>,
    },
}

impl Parzen {
    /// Fits the estimator to `points` (row-major, one coordinate per `dims` each) with kernel
    /// `weights`, one per point.
    pub(crate) fn new(dims: &[Dim], points: &[f64], weights: &[f64], settings: Settings) -> Parzen {
        let mut weights = weights.to_vec();
        weights.push(settings.prior_weight);
        let total: f64 = weights.iter().sum();
        for w in &mut weights {
            *w /= total;
        }
        let d = dims.len();
        let n = weights.len() - 1;
        let kernels: Vec<Kernels> = dims
            .iter()
            .enumerate()
            .map(|(j, dim)| {
                let column: Vec<f64> = points.iter().skip(j).step_by(d).copied().collect();
                match dim {
                    Dim::Numeric(numeric) => {
                        numeric_kernels(numeric, &column, &weights[..n], d, settings)
                    }
                    Dim::Categorical { prior } => {
                        categorical_kernels(prior, &column, settings.prior_weight)
                    }
                }
            })
            .collect();
        // The continuous coordinates' normalizers, ln(sqrt(2 pi) sigma mass), summed per
        // kernel: one logarithm of a product instead of one per coordinate.
        let mut base: Vec<f64> = weights.iter().map(|w| w.ln()).collect();
        let mut product = vec![1.0; base.len()];
        for kernels in &kernels {
            if let Kernels::Numeric {
                sigmas,
                log_mass,
                int: false,
                ..
            } = kernels
            {
                for k in 0..base.len() {
                    product[k] *= sigmas[k];
                    base[k] -= special::LN_SQRT_2PI + log_mass[k];
                    if !(1e-150..=1e150).contains(&product[k]) {
                        base[k] -= product[k].ln();
                        product[k] = 1.0;
                    }
                }
            }
        }
        for (b, p) in base.iter_mut().zip(&product) {
            *b -= p.ln();
        }
        Parzen {
            base,
            weights,
            dims: kernels,
        }
    }

    /// Draws `n` points: a kernel by weight, then each coordinate from that kernel.
    pub(crate) fn sample(&self, rng: &mut impl Rng, n: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| {
                let k = pick(&self.weights, rng.gen::<f64>());
                self.dims
                    .iter()
                    .map(|kernels| match kernels {
                        Kernels::Numeric {
                            mus,
                            sigmas,
                            low,
                            high,
                            int,
                            ..
                        } => {
                            let x =
                                truncated_normal(rng.gen::<f64>(), mus[k], sigmas[k], *low, *high);
                            if *int {
                                x.round().clamp(*low + 0.5, *high - 0.5)
                            } else {
                                x
                            }
                        }
                        Kernels::Categorical { probabilities, .. } => {
                            index(pick(&probabilities[k], rng.gen::<f64>()))
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Returns the log density (for integers and categories, probability) of `x`.
    pub(crate) fn log_pdf(&self, x: &[f64]) -> f64 {
        let mut per_kernel = self.base.clone();
        for (kernels, &xj) in self.dims.iter().zip(x) {
            match kernels {
                Kernels::Numeric {
                    mus,
                    inverse_sigmas,
                    int: false,
                    ..
                } => {
                    let n = per_kernel.len();
                    let (mus, inverse_sigmas) = (&mus[..n], &inverse_sigmas[..n]);
                    for k in 0..n {
                        let z = (xj - mus[k]) * inverse_sigmas[k];
                        per_kernel[k] -= 0.5 * z * z;
                    }
                }
                Kernels::Numeric {
                    mus,
                    sigmas,
                    log_mass,
                    ..
                } => {
                    for (k, acc) in per_kernel.iter_mut().enumerate() {
                        let lo = (xj - 0.5 - mus[k]) / sigmas[k];
                        let hi = (xj + 0.5 - mus[k]) / sigmas[k];
                        *acc += special::log_mass(lo, hi) - log_mass[k];
                    }
                }
                Kernels::Categorical {
                    log_probabilities, ..
                } => {
                    let c = category(xj);
                    for (k, acc) in per_kernel.iter_mut().enumerate() {
                        *acc += log_probabilities[k]
                            .get(c)
                            .copied()
                            .unwrap_or(f64::NEG_INFINITY);
                    }
                }
            }
        }
        log_sum_exp(&per_kernel)
    }
}

/// Returns Optuna's observation weights: 1 for the newest 25, ramping up from 1/n before them.
pub(crate) fn observation_weights(n: usize) -> Vec<f64> {
    const FLAT: usize = 25;
    if n < FLAT {
        return vec![1.0; n];
    }
    let ramp = n - FLAT;
    let mut w: Vec<f64> = (0..ramp)
        .map(|i| {
            let step = if ramp > 1 {
                (1.0 - 1.0 / count(n)) * count(i) / count(ramp - 1)
            } else {
                0.0
            };
            1.0 / count(n) + step
        })
        .collect();
    w.extend(std::iter::repeat_n(1.0, FLAT));
    w
}

/// Scott's rule's constant, as in Optuna's joint model.
const SCOTT: f64 = 0.2;

/// Returns the kernels of one numeric coordinate, `column` holding the observations' values
/// and `weights` their mixture weights.
fn numeric_kernels(
    numeric: &Numeric,
    column: &[f64],
    weights: &[f64],
    d: usize,
    settings: Settings,
) -> Kernels {
    let width = numeric.width();
    let (low, high, prior_mu, prior_sigma) = match numeric.domain {
        Domain::Bounded { low, high } => (low, high, 0.5 * (low + high), width),
        Domain::Normal { mu, sigma } => (f64::NEG_INFINITY, f64::INFINITY, mu, sigma),
        // The prior's mean and standard deviation, truncated to [0, 1].
        Domain::Beta { a, b } => (
            0.0,
            1.0,
            a / (a + b),
            (a * b / (a + b + 1.0)).sqrt() / (a + b),
        ),
    };
    let n = column.len();
    let spread = match settings.widths {
        Widths::Spread if settings.multivariate => spread_sigma(column, weights, d),
        _ => None,
    };
    let mut sigmas = match spread {
        Some(sigma) => vec![sigma; n],
        None => neighbour_sigmas(column, prior_mu, low, high, width),
    };
    if settings.multivariate {
        let exponent = -1.0 / (count(d) + 4.0);
        let scott = SCOTT * count(n.max(1)).powf(exponent) * width;
        for s in &mut sigmas {
            *s = s.min(scott);
        }
    }
    let (min_sigma, max_sigma) = if settings.magic_clip {
        let kernels = settings.observed.max(n) + 1;
        (width / (1.0 + count(kernels)).min(100.0), width)
    } else {
        (1e-12 * width, width)
    };
    for s in &mut sigmas {
        *s = s.clamp(min_sigma, max_sigma);
    }
    let mut mus = column.to_vec();
    mus.push(prior_mu);
    sigmas.push(prior_sigma);
    let log_mass: Vec<f64> = mus
        .iter()
        .zip(&sigmas)
        .map(|(mu, sigma)| {
            if low.is_finite() {
                special::log_mass((low - mu) / sigma, (high - mu) / sigma)
            } else {
                0.0
            }
        })
        .collect();
    let inverse_sigmas = sigmas.iter().map(|s| 1.0 / s).collect();
    Kernels::Numeric {
        mus,
        sigmas,
        inverse_sigmas,
        log_mass,
        low,
        high,
        int: matches!(numeric.step, Step::Int { .. }),
    }
}

/// The fewest effective observations whose spread sets `Widths::Spread` widths: below it one
/// observation carries nearly all the weight. Measured: 1.25 and 1.75 do about as well (100
/// seeds); 2 and more give up much of the gain on Hartmann6 at 50 trials.
const MIN_SPREAD_OBSERVATIONS: f64 = 1.5;

/// Returns Scott's width for `d` coordinates from weighted observations, their standard
/// deviation times n_eff^(-1/(d+4)) with n_eff = (sum w)^2 / sum w^2, or `None` when n_eff is
/// below `MIN_SPREAD_OBSERVATIONS`.
fn spread_sigma(column: &[f64], weights: &[f64], d: usize) -> Option<f64> {
    let total: f64 = weights.iter().sum();
    let squares: f64 = weights.iter().map(|w| w * w).sum();
    if !(total > 0.0 && squares > 0.0) {
        return None;
    }
    let n_eff = total * total / squares;
    if n_eff < MIN_SPREAD_OBSERVATIONS {
        return None;
    }
    let mean = column.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total;
    let variance = column
        .iter()
        .zip(weights)
        .map(|(x, w)| w * (x - mean) * (x - mean))
        .sum::<f64>()
        / total;
    Some(variance.sqrt() * n_eff.powf(-1.0 / (count(d) + 4.0)))
}

/// Returns each observation's width as the larger gap to its neighbours (the prior's centre and
/// the range's ends included), as Optuna does when parameters are modelled one at a time.
fn neighbour_sigmas(column: &[f64], prior_mu: f64, low: f64, high: f64, width: f64) -> Vec<f64> {
    let n = column.len();
    let keys: Vec<u64> = column
        .iter()
        .copied()
        .chain(std::iter::once(prior_mu))
        .map(ordered)
        .collect();
    let sorted: Vec<(f64, usize)> = argsort(&keys)
        .into_iter()
        .map(|i| (if i < n { column[i] } else { prior_mu }, i))
        .collect();
    let (low, high) = if low.is_finite() {
        (low, high)
    } else {
        (prior_mu - width, prior_mu + width)
    };
    let m = sorted.len();
    let at = |i: usize| sorted.get(i).map_or(high, |s| s.0);
    let mut sigma = vec![0.0; n + 1];
    for (i, (x, original)) in sorted.iter().enumerate() {
        let left = x - if i == 0 { low } else { at(i - 1) };
        let right = at(i + 1) - x;
        // Without endpoints: the outermost kernels look inwards only.
        let s = if m >= 2 && i == 0 {
            right
        } else if m >= 2 && i == m - 1 {
            left
        } else {
            left.max(right)
        };
        sigma[*original] = s;
    }
    sigma.truncate(n);
    sigma
}

fn categorical_kernels(prior: &[f64], column: &[f64], prior_weight: f64) -> Kernels {
    let kernels = count(column.len() + 1);
    let choices = count(prior.len());
    let mut probabilities: Vec<Vec<f64>> = column
        .iter()
        .map(|&x| {
            let c = category(x);
            let mut row: Vec<f64> = prior
                .iter()
                .map(|p| prior_weight / kernels * p * choices)
                .collect();
            if let Some(r) = row.get_mut(c) {
                *r += 1.0;
            }
            let sum: f64 = row.iter().sum();
            row.iter().map(|r| r / sum).collect()
        })
        .collect();
    probabilities.push(prior.to_vec());
    let log_probabilities = probabilities
        .iter()
        .map(|row| row.iter().map(|p| p.ln()).collect())
        .collect();
    Kernels::Categorical {
        probabilities,
        log_probabilities,
    }
}

/// Returns a draw from normal(mu, sigma) truncated to [low, high], by inverting the CDF at `u`.
pub(crate) fn truncated_normal(u: f64, mu: f64, sigma: f64, low: f64, high: f64) -> f64 {
    if sigma.is_nan() || sigma <= 0.0 {
        // A width that underflowed: the kernel is its centre.
        return mu.clamp(low, high);
    }
    let (a, b) = ((low - mu) / sigma, (high - mu) / sigma);
    let z = if a > 0.0 {
        // In the upper tail, invert the mirror image, where the CDF keeps its precision.
        -standard_truncated(1.0 - u, -b, -a)
    } else {
        standard_truncated(u, a, b)
    };
    (mu + sigma * z).clamp(low, high)
}

fn standard_truncated(u: f64, a: f64, b: f64) -> f64 {
    let (pa, pb) = (special::cdf(a), special::cdf(b));
    if pb.is_nan() || pb <= pa {
        // All the mass sits at the end nearest the centre.
        return if b < 0.0 { b } else { a };
    }
    special::ppf(pa + u * (pb - pa)).clamp(a, b)
}

/// Returns the index whose cumulative weight first exceeds `u` (weights summing to 1).
fn pick(weights: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// Returns the indices that sort `keys`, ties in index order. Key and index are packed into
/// one `u128` so that the sort compares plain integers, which is much faster than comparing
/// pairs; each estimator sorts every coordinate's column.
fn argsort(keys: &[u64]) -> Vec<usize> {
    let mut packed: Vec<u128> = keys
        .iter()
        .zip(0u64..)
        .map(|(k, i)| (u128::from(*k) << 64) | u128::from(i))
        .collect();
    packed.sort_unstable();
    packed
        .into_iter()
        .map(|p| usize::try_from(p & u128::from(u64::MAX)).unwrap_or(0))
        .collect()
}

/// Returns a key that orders floats as `f64::total_cmp` does, as an integer (faster to sort).
fn ordered(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Returns a category index as a coordinate.
pub(crate) fn index(i: usize) -> f64 {
    count(i)
}

/// Returns the category index a coordinate stands for.
pub(crate) fn category(x: f64) -> usize {
    // Category coordinates are small non-negative whole numbers.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = x.max(0.0).round() as usize;
    i
}

/// Returns ln(sum of e^x).
pub(crate) fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    // Terms below e^-40 of the largest change nothing, and exp's underflow path is slow.
    let sum: f64 = xs
        .iter()
        .filter(|x| **x - max > -40.0)
        .map(|x| (x - max).exp())
        .sum();
    max + sum.ln()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    impl Numeric {
        fn unit_bounded() -> Numeric {
            Numeric {
                domain: Domain::Bounded {
                    low: 0.0,
                    high: 1.0,
                },
                log: false,
                step: Step::Real,
                written: None,
            }
        }
    }

    fn unit_dim() -> Dim {
        Dim::Numeric(Numeric::unit_bounded())
    }

    #[test]
    fn weights_ramp_up_to_the_newest_25() {
        assert_eq!(observation_weights(3), [1.0, 1.0, 1.0]);
        let w = observation_weights(30);
        assert_eq!(w.len(), 30);
        assert!((w[0] - 1.0 / 30.0).abs() < 1e-12 && (w[4] - 1.0).abs() < 1e-12);
        assert!(w[25..].iter().all(|x| *x == 1.0));
    }

    #[test]
    fn argsort_orders_floats_with_ties_in_index_order() {
        let xs = [0.5, -1.0, 3.0, 0.5, -0.0, 0.0, 1e-300, -7.5];
        let keys: Vec<u64> = xs.iter().map(|x| ordered(*x)).collect();
        let mut want: Vec<usize> = (0..xs.len()).collect();
        want.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(a.cmp(&b)));
        assert_eq!(argsort(&keys), want);
    }

    #[test]
    fn the_density_integrates_to_one_and_samples_stay_in_range() {
        let settings = Settings {
            multivariate: true,
            prior_weight: 1.0,
            magic_clip: true,
            observed: 0,
            widths: Widths::Neighbours,
        };
        let p = Parzen::new(&[unit_dim()], &[0.1, 0.95, 0.5], &[1.0; 3], settings);
        let n = 20_000;
        let integral: f64 = (0..n)
            .map(|i| p.log_pdf(&[(count(i) + 0.5) / count(n)]).exp() / count(n))
            .sum();
        assert!((integral - 1.0).abs() < 1e-3, "{integral}");
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        assert!(p
            .sample(&mut rng, 500)
            .iter()
            .all(|x| (0.0..=1.0).contains(&x[0])));
    }

    #[test]
    fn integer_and_categorical_kernels_are_probabilities() {
        let settings = Settings {
            multivariate: false,
            prior_weight: 1.0,
            magic_clip: true,
            observed: 0,
            widths: Widths::Neighbours,
        };
        let dims = [
            Dim::Numeric(Numeric {
                domain: Domain::Bounded {
                    low: 0.5,
                    high: 4.5,
                },
                log: false,
                step: Step::Int { min: 1, max: 4 },
                written: None,
            }),
            Dim::Categorical {
                prior: vec![0.5, 0.25, 0.25],
            },
        ];
        let p = Parzen::new(&dims, &[1.0, 2.0, 3.0, 0.0], &[1.0; 2], settings);
        let total: f64 = (1..=4)
            .flat_map(|i| (0..3).map(move |c| (i, c)))
            .map(|(i, c)| p.log_pdf(&[count(i), count(c)]).exp())
            .sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn spread_widths_follow_the_weighted_spread_of_the_observations() {
        let sigmas = |points: &[f64], weights: &[f64], widths: Widths| {
            let settings = Settings {
                multivariate: true,
                prior_weight: 1.0,
                magic_clip: false,
                observed: 0,
                widths,
            };
            match numeric_kernels(&Numeric::unit_bounded(), points, weights, 1, settings) {
                Kernels::Numeric { sigmas, .. } => sigmas,
                Kernels::Categorical { .. } => Vec::new(),
            }
        };
        // Two equal observations 0.2 apart: standard deviation 0.1, n_eff 2; the prior's width
        // stays the range.
        let s = sigmas(&[0.4, 0.6], &[1.0, 1.0], Widths::Spread);
        let want = 0.1 * 2f64.powf(-0.2);
        assert!(s[..2].iter().all(|x| (x - want).abs() < 1e-12), "{s:?}");
        assert_eq!(s[2], 1.0);
        // Weight on one observation narrows the spread; Scott's width on the range caps it.
        let skewed = sigmas(&[0.4, 0.6], &[1.0, 0.4], Widths::Spread);
        assert!(skewed[0] < want, "{skewed:?}");
        let capped = sigmas(&[0.0, 1.0], &[1.0, 1.0], Widths::Spread);
        assert!(
            (capped[0] - SCOTT * 2f64.powf(-0.2)).abs() < 1e-12,
            "{capped:?}"
        );
        // One observation, or one carrying nearly all the weight, has no spread: the widths
        // are the neighbour rule's.
        for (points, weights) in [(&[0.3][..], &[1.0][..]), (&[0.3, 0.5], &[1.0, 0.05])] {
            assert_eq!(
                sigmas(points, weights, Widths::Spread),
                sigmas(points, weights, Widths::Neighbours)
            );
        }
    }

    #[test]
    fn truncated_normals_respect_their_bounds_even_far_in_a_tail() {
        for u in [0.0, 0.3, 0.999_999] {
            let x = truncated_normal(u, 0.0, 1.0, 50.0, 51.0);
            assert!((50.0..=51.0).contains(&x), "{x}");
            let y = truncated_normal(u, 0.0, 1.0, -51.0, -50.0);
            assert!((-51.0..=-50.0).contains(&y), "{y}");
            // A kernel whose width underflowed to 0 (a range of a few subnormals) is its centre.
            assert_eq!(truncated_normal(u, 0.0, 0.0, 0.0, 5e-324), 0.0);
        }
    }
}
