//! Shapes with no written bounds whose draws can fall outside the values a knob takes: the
//! normal family (`normal`, `log_normal`, `q_normal`, `q_log_normal`) anywhere, and `beta` and
//! `q_beta`, on `[0, 1]`, where rounding to q carries draws to 0 or 1 (`q: 0.25` rounds every
//! draw from 0.875 up to 1, which a `momentum` cannot take). Such a file is valid and runs, and
//! the share of trials that fail depends on the shape's settings, so `sweep validate` and
//! `sweep run` note it with that share rather than refuse it; a range with written bounds
//! (`q_uniform`) whose bound rounds outside the knob is refused instead, since moving the bound
//! mends it.

use crate::words::{number_text, significant_text};
use crate::{quantized, Distribution, Knob, KnobKind, ParamValue, SearchSpace};

/// The share of draws outside a knob's values from which a distribution is noted.
const OUTSIDE_NOTED: f64 = 0.05;

/// The share of draws lost on one side of a knob's values from which the rounding that loses
/// them is said.
const SIDE_SAID: f64 = 0.005;

/// The law of a parameter's draws before any rounding, for the shares it puts past a value.
#[derive(Debug, Clone, Copy)]
enum Law {
    /// Normal, of the value or (`log`) of its natural log.
    Normal { mu: f64, sigma: f64, log: bool },
    /// Beta on `[0, 1]`.
    Beta { a: f64, b: f64 },
}

/// The draws of a distribution, before rounding, that give a value a knob takes.
#[derive(Debug, Clone, PartialEq)]
struct Kept {
    /// The lowest such draw.
    low: f64,
    /// The highest such draw.
    high: f64,
    /// The value a draw just below `low` rounds to, where draws are rounded.
    below: Option<ParamValue>,
    /// The value a draw just above `high` rounds to, where draws are rounded.
    above: Option<ParamValue>,
}

impl SearchSpace {
    /// Notes each knob drawn from a normal distribution (`normal`, `q_normal`, or their log, on
    /// the log scale: `log_normal`, `q_log_normal`) or a beta one (`beta`, `q_beta`) that puts
    /// at least `OUTSIDE_NOTED` of its draws outside the values the knob takes (a negative
    /// learning rate, a dropout of 1): those trials fail, a share of the budget lost. A draw is
    /// judged after the rounding that applies to it (`kept_draws`): to a multiple of q for the
    /// `q_` shapes, so that `q: 8` on a `batch_size` loses every draw below 4, which rounds to 0.
    pub(crate) fn normal_outside_notes(&self) -> Vec<String> {
        self.params()
            .iter()
            .filter_map(|p| {
                let (law, q) = match p.distribution {
                    Distribution::Normal { mu, sigma } => (normal(mu, sigma, false), None),
                    Distribution::QNormal { mu, sigma, q } => (normal(mu, sigma, false), Some(q)),
                    Distribution::LogNormal { mu, sigma } => (normal(mu, sigma, true), None),
                    Distribution::QLogNormal { mu, sigma, q } => (normal(mu, sigma, true), Some(q)),
                    Distribution::Beta { a, b } => (Law::Beta { a, b }, None),
                    Distribution::QBeta { a, b, q } => (Law::Beta { a, b }, Some(q)),
                    _ => return None,
                };
                outside_note(&p.name, law, q)
            })
            .collect()
    }
}

/// Returns a `Law::Normal`.
fn normal(mu: f64, sigma: f64, log: bool) -> Law {
    Law::Normal { mu, sigma, log }
}

/// Returns the note on the knob `name` drawn from `law`, rounded to multiples of `q` where
/// given, when at least `OUTSIDE_NOTED` of its draws give a value it does not take.
fn outside_note(name: &str, law: Law, q: Option<f64>) -> Option<String> {
    let knob = Knob::find(name)?;
    let (min, max) = range(knob)?;
    // Beta's draws stop at 0 and 1: the values they round to there are the ends, no further.
    let bounded = matches!(law, Law::Beta { .. });
    let log = matches!(law, Law::Normal { log: true, .. });
    let (outside, rounding) = match kept_draws(knob, q) {
        // No multiple of q is a value the knob takes: every draw falls outside.
        None => (1.0, vec!["no multiple of q is one of them".to_string()]),
        Some(kept) => {
            let below = law.share_below(kept.low);
            let above = 1.0 - law.share_below(kept.high);
            // Where rounding moves the edge, it is said on the side that loses draws to it.
            let mut said = Vec::new();
            if let Some(to) = kept.below.filter(|_| below >= SIDE_SAID) {
                let alone = bounded || (log && to.as_f64() == Some(0.0));
                said.push(format!(
                    "draws below {} round to {to}{}",
                    significant(kept.low),
                    if alone { "" } else { " or less" }
                ));
            }
            if let Some(to) = kept.above.filter(|_| above >= SIDE_SAID) {
                said.push(format!(
                    "draws from {} up round to {to}{}",
                    significant(kept.high),
                    if bounded { "" } else { " or more" }
                ));
            }
            (below + above, said)
        }
    };
    // A share that is not a number (shapes past what `beta_cdf` works out) is not said.
    if !(outside.is_finite() && outside >= OUTSIDE_NOTED) {
        return None;
    }
    let (shape, settings, instead) = match law {
        Law::Normal { mu, sigma, log } => (
            if log { "log-normal" } else { "normal" },
            format!(
                "mu {}, sigma {}{}",
                number_text(mu),
                number_text(sigma),
                if log {
                    ", of the value's natural log"
                } else {
                    ""
                }
            ),
            if log {
                "a range"
            } else {
                "a `log_normal` or a range"
            },
        ),
        Law::Beta { a, b } => (
            "beta",
            format!("a {}, b {}", number_text(a), number_text(b)),
            "a range with bounds it takes",
        ),
    };
    Some(format!(
        "`{name}` is drawn from a {shape} distribution ({settings}{}) that puts about {:.0}% of \
         its draws outside the values it takes ({} to {}{}): those trials fail; {instead} keeps \
         every draw valid",
        q.map_or_else(String::new, |q| format!(
            ", rounded to a multiple of q ({})",
            number_text(q)
        )),
        outside * 100.0,
        number_text(min),
        number_text(max),
        rounding
            .iter()
            .map(|r| format!("; {r}"))
            .collect::<String>(),
    ))
}

impl Law {
    /// Returns the share of draws below `x`.
    fn share_below(self, x: f64) -> f64 {
        match self {
            Law::Normal { mu, sigma, log } => {
                // A log-normal's log is normal: `x` is compared on the log scale.
                let at = match (log, x > 0.0) {
                    (false, _) => x,
                    (true, true) => x.ln(),
                    (true, false) => return 0.0,
                };
                normal_cdf((at - mu) / sigma)
            }
            Law::Beta { a, b } => beta_cdf(x, a, b),
        }
    }
}

/// Returns the smallest and largest values of a knob of numbers.
fn range(knob: &Knob) -> Option<(f64, f64)> {
    match knob.kind {
        KnobKind::Float { min, max, .. } => Some((min, max)),
        #[allow(clippy::cast_precision_loss)]
        KnobKind::Int { min, max } => Some((min as f64, max as f64)),
        _ => None,
    }
}

/// Returns the draws that give a value `knob` takes when each is rounded to a multiple of `q`
/// (`None`: not rounded; an integer knob's draws are whole, as with `q: 1`): from half a step
/// below the first multiple of q the knob takes to half a step above the last, the rounding
/// `crate::quantized` applies (`q: 4` on `batch_size`, from 1, keeps the draws from 2 on, whose
/// multiple is 4 or more; `q: 0.25` on `momentum`, below 1, keeps those below 0.875). `None`
/// when the knob takes no multiple of q.
fn kept_draws(knob: &Knob, q: Option<f64>) -> Option<Kept> {
    let (min, max) = range(knob)?;
    let q = match (q, knob.kind) {
        (Some(q), _) => q,
        (None, KnobKind::Int { .. }) => 1.0,
        (None, _) => {
            return Some(Kept {
                low: min,
                high: max,
                below: None,
                above: None,
            })
        }
    };
    let takes = |k: f64| knob.check(&quantized(k * q, q)).is_ok();
    // The multiple nearest inside a bound may be one the knob refuses (an open bound, such as
    // `momentum`'s 1): the next one in is then its first.
    let first = [0.0, 1.0, 2.0]
        .map(|i| (min / q).ceil() + i)
        .into_iter()
        .find(|k| takes(*k))?;
    let last = [0.0, 1.0, 2.0]
        .map(|i| (max / q).floor() - i)
        .into_iter()
        .find(|k| takes(*k))?;
    (first <= last).then(|| Kept {
        low: (first - 0.5) * q,
        high: (last + 0.5) * q,
        below: Some(quantized((first - 1.0) * q, q)),
        above: Some(quantized((last + 1.0) * q, q)),
    })
}

/// `0.875`, `1.0101`: five significant digits, trailing zeros dropped.
fn significant(x: f64) -> String {
    significant_text(x, 5)
}

/// Returns the standard normal distribution function at `x` (Abramowitz and Stegun 7.1.26 for
/// the error function: absolute error under 1.5e-7, plenty for a share said in percent).
fn normal_cdf(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    let erf = if z < 0.0 { -erf } else { erf };
    0.5 * (1.0 + erf)
}

/// Returns the share of Beta(`a`, `b`) draws below `x`: the regularized incomplete beta
/// function I_x(a, b), as its continued fraction evaluated by Lentz's method, on the side where
/// it converges fast (`x` below the mean's neighbourhood, (a + 1) / (a + b + 2), else
/// 1 - I_(1-x)(b, a)), with the front factor x^a (1-x)^b / B(a, b) worked out in logs so that
/// no shape underflows it to 0/0 (Beta(600, 600), Beta(1e5, 1)). NaN where the shapes are not
/// positive and finite or the fraction does not settle; the note says no share that is not
/// finite. The `search` crate's `special::beta_cdf`, which its samplers draw `beta` values by,
/// is not this function, and is kept apart on purpose: it takes ln Γ from `libm`'s `lgamma`
/// (this one's Lanczos series differs from it in the last bits for most shapes) and returns
/// the fraction as it stands after 500 steps where this one goes on and says NaN (the two part
/// by more than 1e-9 from a shape of 1e6 on). Compared bit for bit on a grid of 2 million
/// (a, b, x), a quarter of the values differ, and so would most draws: calling one from both
/// would change the trials of stored experiments.
fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    let shapes = [a, b].iter().all(|s| s.is_finite() && *s > 0.0);
    if x.is_nan() || !shapes {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = a * x.ln() + b * (-x).ln_1p() - log_beta(a, b);
    let share = if x < (a + 1.0) / (a + b + 2.0) {
        log_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - log_front.exp() * beta_fraction(1.0 - x, b, a) / b
    };
    share.clamp(0.0, 1.0)
}

/// Returns ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b).
fn log_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Returns ln Γ(`x`) for `x` > 0: Lanczos' series (g = 7, nine terms, relative error near
/// 1e-15), and below 1/2 the reflection Γ(x) Γ(1 - x) = π / sin(πx).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const TERMS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    use std::f64::consts::PI;
    if x < 0.5 {
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let z = x - 1.0;
    let series = TERMS[1..]
        .iter()
        .zip(1u32..)
        .fold(TERMS[0], |sum, (c, i)| sum + c / (z + f64::from(i)));
    let t = z + G + 0.5;
    0.5 * (2.0 * PI).ln() + (z + 0.5) * t.ln() - t + series.ln()
}

/// Returns the continued fraction of I_x(a, b), by Lentz's method: I_x(a, b) is it times
/// x^a (1-x)^b / (a B(a, b)). For `x` below (a + 1) / (a + b + 2) it settles within about the
/// square root of the larger shape's steps; NaN when it has not settled by `MOST_STEPS`.
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const MOST_STEPS: u32 = 20_000;
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..=MOST_STEPS {
        let m = f64::from(m);
        let twice = 2.0 * m;
        // The even term, then the odd one.
        let even = m * (b - m) * x / ((a + twice - 1.0) * (a + twice));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + twice) * (a + twice + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            return h;
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests;
