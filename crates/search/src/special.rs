//! The normal distribution's functions that the samplers need, accurate far into the tails, and
//! the beta distribution's CDF and quantile for `beta` parameters.
//!
//! std has no `erf`, so these build on `libm` (a dependency-free port of musl's libm). Tails
//! matter: TPE evaluates truncated kernels many widths away from their centre, and expected
//! improvement is computed in log space precisely where it underflows (`log_h`).

use std::f64::consts::{FRAC_1_SQRT_2, PI, SQRT_2};

/// ln(sqrt(2 pi)).
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Returns the standard normal density's logarithm at `z`.
pub(crate) fn log_pdf(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// Returns P(Z <= z) for a standard normal Z.
pub(crate) fn cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * FRAC_1_SQRT_2)
}

/// Returns ln P(Z <= z), finite for every finite `z`.
pub(crate) fn log_cdf(z: f64) -> f64 {
    if z > 0.0 {
        (-cdf(-z)).ln_1p()
    } else if z > -37.0 {
        cdf(z).ln()
    } else {
        // Mills' ratio: P(Z <= z) = pdf(z) / t * (1 - 1/t^2 + 3/t^4 - 15/t^6 + ..), t = -z.
        let u = 1.0 / (z * z);
        log_pdf(z) - (-z).ln() + (u * (-1.0 + u * (3.0 + u * (-15.0 + u * 105.0)))).ln_1p()
    }
}

/// Returns ln P(a <= Z <= b) for `a <= b`, without cancellation in either tail; `-inf` when the
/// interval is empty.
pub(crate) fn log_mass(a: f64, b: f64) -> f64 {
    if a >= b {
        return f64::NEG_INFINITY;
    }
    // Beyond 9 standard deviations a tail holds less than 1e-18: drop it.
    match (a < -9.0, b > 9.0) {
        (true, true) => return 0.0,
        (true, false) => return log_cdf(b),
        (false, true) => return log_cdf(-a),
        (false, false) => {}
    }
    if a > 0.0 {
        // Both in the upper tail: use the mirror image, which lies in the lower one.
        return log_mass(-b, -a);
    }
    if b > 0.0 {
        // The interval holds the mode; no cancellation worth avoiding.
        return (cdf(b) - cdf(a)).max(f64::MIN_POSITIVE).ln();
    }
    let (la, lb) = (log_cdf(a), log_cdf(b));
    lb + log1mexp(la - lb)
}

/// Returns ln(1 - e^x) for x <= 0.
fn log1mexp(x: f64) -> f64 {
    if x > -std::f64::consts::LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// Returns the `p` quantile of the standard normal: Acklam's rational approximation refined by
/// one Halley step, accurate to about 1e-15; `-inf` and `inf` at 0 and 1.
pub(crate) fn ppf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        let q = (-2.0 * q.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < LOW {
        tail(p)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail(1.0 - p)
    };
    if x.abs() > 37.5 {
        // Past here e^(x^2 / 2) overflows; the approximation alone is within 1e-9.
        return x;
    }
    // One Halley step on cdf(x) = p, using the upper tail where it is the more precise.
    let e = if x > 0.0 {
        (1.0 - p) - cdf(-x)
    } else {
        cdf(x) - p
    };
    let u = e * (2.0 * PI).sqrt() * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

/// Returns ln h(z) and its derivative, where h(z) = pdf(z) + z cdf(z) is expected improvement
/// divided by the standard deviation; stable for every finite `z` ("LogEI", Ament et al. 2023).
pub(crate) fn log_h(z: f64) -> (f64, f64) {
    if z > -1.0 {
        let (pdf, cdf) = (log_pdf(z).exp(), cdf(z));
        let h = pdf + z * cdf;
        return (h.ln(), cdf / h);
    }
    // h(z) = pdf(z) (1 + z r(z)), where r = cdf / pdf is Mills' ratio of -z.
    let t = -z;
    if t < 30.0 {
        let r = (PI / 2.0).sqrt() * erfcx(t / SQRT_2);
        let s = 1.0 + z * r;
        (log_pdf(z) + s.ln(), r / s)
    } else {
        // Asymptotic series: 1 + z r = t^-2 (1 - 3/t^2 + 15/t^4 - 105/t^6).
        let u = 1.0 / (t * t);
        let s = u * (1.0 - 3.0 * u + 15.0 * u * u - 105.0 * u * u * u);
        let r = (1.0 - u + 3.0 * u * u - 15.0 * u * u * u) / t;
        (log_pdf(z) + s.ln(), r / s)
    }
}

/// Returns exp(x^2) erfc(x) for x >= 0.
fn erfcx(x: f64) -> f64 {
    if x < 20.0 {
        (x * x).exp() * libm::erfc(x)
    } else {
        let u = 1.0 / (2.0 * x * x);
        (1.0 - u + 3.0 * u * u - 15.0 * u * u * u + 105.0 * u * u * u * u) / (x * PI.sqrt())
    }
}

/// Returns P(X <= x) for X ~ Beta(a, b): the regularized incomplete beta function, by its
/// continued fraction (evaluated with Lentz's method) on the side where it converges fast.
///
/// `beta` draws are this function's quantiles (`beta_ppf`), so its every bit is part of the
/// trials stored experiments hold. `experiment`'s note on draws outside a knob (`space/outside.rs`)
/// has its own, which is not bit for bit this one (ln Γ by a Lanczos series, not `libm`; NaN
/// where the fraction has not settled, not the value after 500 steps, which is off by more
/// than 1e-9 from a shape of 1e6 on): this one cannot call it without changing most draws.
pub(crate) fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // x^a (1-x)^b / (a B(a, b)), in logs.
    let log_front = a * x.ln() + b * (-x).ln_1p() - log_beta(a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        (log_front.exp() * beta_fraction(x, a, b) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - log_front.exp() * beta_fraction(1.0 - x, b, a) / b).clamp(0.0, 1.0)
    }
}

/// Returns ln B(a, b).
fn log_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// The continued fraction of I_x(a, b) (without its front factor), which converges quickly for
/// x < (a + 1) / (a + b + 2).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..=500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // The even step.
        let even = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        // The odd step.
        let odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Returns the `p` quantile of Beta(a, b): Newton's method on the CDF, kept inside a bracket
/// that bisection shrinks whenever a step would leave it; 0 and 1 at the ends.
pub(crate) fn beta_ppf(p: f64, a: f64, b: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (mut low, mut high) = (0.0f64, 1.0f64);
    let mut x = (a / (a + b)).clamp(1e-6, 1.0 - 1e-6);
    let log_norm = log_beta(a, b);
    for _ in 0..200 {
        let f = beta_cdf(x, a, b) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            low = x;
        } else {
            high = x;
        }
        let log_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - log_norm;
        let newton = x - f / log_pdf.exp();
        let next = if newton > low && newton < high && newton.is_finite() {
            newton
        } else {
            0.5 * (low + high)
        };
        if (next - x).abs() <= 1e-15 * x.max(1e-300) || high - low <= f64::EPSILON * high {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn beta_cdf_matches_closed_forms_and_known_values() {
        // Beta(1, 1) is uniform; Beta(a, 1) has CDF x^a; Beta(1, b) has 1 - (1-x)^b.
        for x in [1e-9, 0.01, 0.3, 0.5, 0.77, 0.999] {
            assert!(close(beta_cdf(x, 1.0, 1.0), x, 1e-13), "{x}");
            assert!(close(beta_cdf(x, 3.5, 1.0), x.powf(3.5), 1e-12), "{x}");
            let upper = -(0.4 * (-x).ln_1p()).exp_m1();
            assert!(close(beta_cdf(x, 1.0, 0.4), upper, 1e-12), "{x}");
        }
        // Beta(2, 2): 3x^2 - 2x^3.
        assert!(close(beta_cdf(0.2, 2.0, 2.0), 0.104, 1e-13));
        // Integer shapes: I_x(2, 5) = 1 - (1-x)^6 - 6x(1-x)^5 = 0.579825 at 0.3. Beta(1/2, 1/2)
        // is the arcsine law: 2/pi asin(sqrt(x)).
        assert!(close(beta_cdf(0.3, 2.0, 5.0), 0.579_825, 1e-12));
        let arcsine = 2.0 / PI * 0.9f64.sqrt().asin();
        assert!(close(beta_cdf(0.9, 0.5, 0.5), arcsine, 1e-12));
        assert_eq!(beta_cdf(0.0, 2.0, 3.0), 0.0);
        assert_eq!(beta_cdf(1.0, 2.0, 3.0), 1.0);
    }

    #[test]
    fn beta_ppf_inverts_the_cdf() {
        for (a, b) in [(0.5, 0.5), (2.0, 5.0), (1.0, 1.0), (30.0, 2.0), (0.2, 7.0)] {
            for p in [1e-10, 0.001, 0.1, 0.5, 0.9, 0.999_999] {
                let x = beta_ppf(p, a, b);
                assert!((0.0..=1.0).contains(&x), "Beta({a}, {b}) at {p}: {x}");
                assert!(
                    close(beta_cdf(x, a, b), p, 1e-9),
                    "Beta({a}, {b}) at {p}: {x}"
                );
            }
        }
        assert_eq!(beta_ppf(0.0, 2.0, 2.0), 0.0);
        assert_eq!(beta_ppf(1.0, 2.0, 2.0), 1.0);
        assert!(close(beta_ppf(0.5, 2.0, 2.0), 0.5, 1e-14));
    }

    #[test]
    fn cdf_and_ppf_invert_each_other_into_the_tails() {
        for p in [
            1e-300,
            1e-20,
            1e-8,
            0.001,
            0.02,
            0.3,
            0.5,
            0.7,
            0.98,
            0.999,
            1.0 - 1e-12,
        ] {
            let x = ppf(p);
            let back = if x > 0.0 { 1.0 - cdf(-x) } else { cdf(x) };
            assert!(close(back, p, 1e-12), "p {p}: x {x}, back {back}");
        }
        assert!(close(ppf(0.975), 1.959_963_984_540_054, 1e-14));
        assert!(close(cdf(-5.0), 2.866_515_718_791_946e-7, 1e-13));
    }

    #[test]
    fn log_cdf_and_log_mass_stay_finite_in_the_tails() {
        assert!(
            close(log_cdf(-40.0), -804.608_442_013_769_7, 1e-12),
            "{}",
            log_cdf(-40.0)
        );
        assert!(close(log_cdf(-3.0), cdf(-3.0).ln(), 1e-14));
        assert!(close(log_cdf(3.0), cdf(3.0).ln(), 1e-12));
        // Mass of [40, 41] equals that of [-41, -40]; both around e^-804.
        let m = log_mass(40.0, 41.0);
        assert!(
            m.is_finite() && close(m, log_mass(-41.0, -40.0), 1e-12),
            "{m}"
        );
        assert!(close(
            log_mass(-1.0, 1.0),
            (0.682_689_492_137_085_9f64).ln(),
            1e-13
        ));
        assert_eq!(log_mass(1.0, 1.0), f64::NEG_INFINITY);
    }

    #[test]
    fn log_h_matches_the_direct_formula_and_its_derivative() {
        for z in [-50.0, -29.0, -31.0, -12.0, -3.0, -1.0, -0.5, 0.0, 2.0] {
            let (v, g) = log_h(z);
            let direct = (log_pdf(z).exp() + z * cdf(z)).ln();
            if z > -8.0 {
                assert!(close(v, direct, 1e-9), "z {z}: {v} vs {direct}");
            }
            let eps = 1e-6 * z.abs().max(1.0);
            let numeric = (log_h(z + eps).0 - log_h(z - eps).0) / (2.0 * eps);
            assert!(close(g, numeric, 1e-5), "z {z}: {g} vs {numeric}");
            assert!(v.is_finite());
        }
        // Continuity where the formulas switch.
        assert!(close(log_h(-30.0 + 1e-9).0, log_h(-30.0 - 1e-9).0, 1e-9));
        assert!(close(log_h(-1.0 + 1e-12).0, log_h(-1.0 - 1e-12).0, 1e-9));
    }
}
