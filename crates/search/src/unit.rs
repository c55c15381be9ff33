//! The samplers' internal view of a parameter: a real coordinate, or the index of a category.
//!
//! A numeric parameter's coordinate is the value itself, or its natural logarithm for the log
//! distributions, so that distances mean ratios where the spec asked for ratios. A bounded
//! coordinate also maps to the unit interval, which is where Sobol points and the Gaussian
//! process live; `normal` and `log_normal` (and their `q_` forms) are unbounded and map through
//! the inverse normal CDF instead, and `beta` through its own CDF, so that a uniform unit point
//! stands for a draw from the prior. Integers are coordinates in [min - 0.5, max + 0.5] rounded
//! on the way out, so every integer owns an interval of the same width.

use experiment::{quantized, quantized_between, Distribution, ParamValue};

use crate::special;

/// How one parameter is represented.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Coding {
    /// Always this value; it takes no coordinate.
    Fixed(ParamValue),
    /// One of `values`, by index, a priori with probabilities `prior`.
    Categorical {
        values: Vec<ParamValue>,
        prior: Vec<f64>,
    },
    /// A real coordinate.
    Numeric(Numeric),
}

/// A numeric parameter's coordinate and how it becomes a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Numeric {
    /// Where the coordinate lives.
    pub(crate) domain: Domain,
    /// Whether the value is e^coordinate.
    pub(crate) log: bool,
    /// How the value is rounded.
    pub(crate) step: Step,
    /// The range of values as written (`log_uniform_values`' `min` and `max`), which
    /// e^coordinate can miss at its ends by a rounding (e^ln 0.003 is 0.002999999999999999).
    pub(crate) written: Option<(f64, f64)>,
}

/// The range of a coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Domain {
    /// Uniform a priori on [low, high].
    Bounded { low: f64, high: f64 },
    /// Unbounded, normal a priori.
    Normal { mu: f64, sigma: f64 },
    /// On [0, 1], Beta(a, b) a priori.
    Beta { a: f64, b: f64 },
}

/// How a value is rounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Not at all.
    Real,
    /// To an integer, clamped to [min, max].
    Int { min: i64, max: i64 },
    /// To a multiple of `q`, as `q_uniform` and `q_log_uniform_values` do; where the values
    /// lie between `ends` (the distribution's `min` and `max` as values, not coordinates), to
    /// one of the multiples its draws give (`experiment::quantized_between`): the box's edge at
    /// an end halfway between two multiples gives the one inside, as every draw near it does.
    Quantized { q: f64, ends: Option<(f64, f64)> },
}

impl Coding {
    /// Returns the coding of `distribution`.
    pub(crate) fn of(distribution: &Distribution) -> Coding {
        let numeric = |low: f64, high: f64, log: bool, step: Step| {
            Coding::Numeric(Numeric {
                domain: Domain::Bounded { low, high },
                log,
                step,
                written: None,
            })
        };
        let normal = |mu: f64, sigma: f64, log: bool, step: Step| {
            Coding::Numeric(Numeric {
                domain: Domain::Normal { mu, sigma },
                log,
                step,
                written: None,
            })
        };
        let beta = |a: f64, b: f64, step: Step| {
            Coding::Numeric(Numeric {
                domain: Domain::Beta { a, b },
                log: false,
                step,
                written: None,
            })
        };
        match distribution {
            Distribution::Constant(v) => Coding::Fixed(v.clone()),
            Distribution::Categorical {
                values,
                probabilities,
            } => {
                let prior = match probabilities {
                    Some(p) if p.len() == values.len() && p.iter().sum::<f64>() > 0.0 => {
                        let sum: f64 = p.iter().sum();
                        p.iter().map(|x| x / sum).collect()
                    }
                    _ => vec![1.0 / count(values.len()); values.len()],
                };
                match values.as_slice() {
                    [only] => Coding::Fixed(only.clone()),
                    _ => Coding::Categorical {
                        values: values.clone(),
                        prior,
                    },
                }
            }
            Distribution::Uniform { min, max } => numeric(*min, *max, false, Step::Real),
            Distribution::IntUniform { min, max } => {
                if min == max {
                    return Coding::Fixed(ParamValue::Int(*min));
                }
                // Integers beyond 2^53 lose their last digits as coordinates; no knob has them.
                #[allow(clippy::cast_precision_loss)]
                let (low, high) = (*min as f64 - 0.5, *max as f64 + 0.5);
                numeric(
                    low,
                    high,
                    false,
                    Step::Int {
                        min: *min,
                        max: *max,
                    },
                )
            }
            Distribution::QUniform { min, max, q } => numeric(
                *min,
                *max,
                false,
                Step::Quantized {
                    q: *q,
                    ends: Some((*min, *max)),
                },
            ),
            Distribution::LogUniform { min, max } => numeric(*min, *max, true, Step::Real),
            Distribution::QLogUniform { min, max, q } => numeric(
                *min,
                *max,
                true,
                Step::Quantized {
                    q: *q,
                    ends: Some((min.exp(), max.exp())),
                },
            ),
            // 1/x log-uniform is x log-uniform: e^-max to e^-min.
            Distribution::InvLogUniform { min, max } => numeric(-max, -min, true, Step::Real),
            Distribution::LogUniformValues { min, max }
            | Distribution::InvLogUniformValues { min, max } => Coding::Numeric(Numeric {
                domain: Domain::Bounded {
                    low: min.ln(),
                    high: max.ln(),
                },
                log: true,
                step: Step::Real,
                written: Some((*min, *max)),
            }),
            Distribution::QLogUniformValues { min, max, q } => numeric(
                min.ln(),
                max.ln(),
                true,
                Step::Quantized {
                    q: *q,
                    ends: Some((*min, *max)),
                },
            ),
            Distribution::Normal { mu, sigma } => normal(*mu, *sigma, false, Step::Real),
            Distribution::LogNormal { mu, sigma } => normal(*mu, *sigma, true, Step::Real),
            Distribution::QNormal { mu, sigma, q } => {
                normal(*mu, *sigma, false, Step::Quantized { q: *q, ends: None })
            }
            Distribution::QLogNormal { mu, sigma, q } => {
                normal(*mu, *sigma, true, Step::Quantized { q: *q, ends: None })
            }
            Distribution::Beta { a, b } => beta(*a, *b, Step::Real),
            Distribution::QBeta { a, b, q } => beta(
                *a,
                *b,
                Step::Quantized {
                    q: *q,
                    ends: Some((0.0, 1.0)),
                },
            ),
        }
    }

    /// Returns the value that unit coordinate `u` in [0, 1] stands for.
    pub(crate) fn at_unit(&self, u: f64) -> ParamValue {
        match self {
            Coding::Fixed(v) => v.clone(),
            Coding::Categorical { values, prior } => {
                values[index_for(u, prior).min(values.len() - 1)].clone()
            }
            Coding::Numeric(n) => n.value(n.at_unit(u)),
        }
    }
}

impl Numeric {
    /// Returns the coordinate at unit position `u`.
    pub(crate) fn at_unit(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self.domain {
            Domain::Bounded { low, high } => low + u * (high - low),
            Domain::Normal { mu, sigma } => mu + sigma * special::ppf(u.clamp(1e-12, 1.0 - 1e-12)),
            Domain::Beta { a, b } => special::beta_ppf(u, a, b),
        }
    }

    /// Returns the unit position of coordinate `x`, clamped to [0, 1].
    pub(crate) fn unit_of(&self, x: f64) -> f64 {
        let u = match self.domain {
            Domain::Bounded { low, high } => (x - low) / (high - low),
            Domain::Normal { mu, sigma } => special::cdf((x - mu) / sigma),
            Domain::Beta { a, b } => special::beta_cdf(x, a, b),
        };
        if u.is_nan() {
            0.5
        } else {
            u.clamp(0.0, 1.0)
        }
    }

    /// Returns the value at coordinate `x`.
    pub(crate) fn value(&self, x: f64) -> ParamValue {
        let x = match self.domain {
            Domain::Bounded { low, high } => x.clamp(low, high),
            Domain::Normal { .. } => x,
            Domain::Beta { .. } => x.clamp(0.0, 1.0),
        };
        let v = match (self.log, self.written) {
            (true, Some((min, max))) => x.exp().clamp(min, max),
            (true, None) => x.exp(),
            (false, _) => x,
        };
        match self.step {
            Step::Real => ParamValue::Float(v),
            Step::Int { min, max } => {
                let r = v.round().clamp(-9.0e15, 9.0e15);
                // Rounded and clamped well inside i64's range.
                #[allow(clippy::cast_possible_truncation)]
                let i = r as i64;
                ParamValue::Int(i.clamp(min, max))
            }
            Step::Quantized { q, ends: None } => quantized(v, q),
            Step::Quantized {
                q,
                ends: Some(ends),
            } => quantized_between(v, q, ends),
        }
    }

    /// Returns the coordinate of `value`, or `None` when it is not a number this parameter takes.
    pub(crate) fn coordinate(&self, value: &ParamValue) -> Option<f64> {
        let v = value.as_f64()?;
        let x = if self.log {
            if v <= 0.0 {
                // A quantized log value can round to 0: it sits at the bottom of the range, or
                // for a normal prior a quarter step up, where draws round to 0 too.
                return match (self.domain, self.step) {
                    (Domain::Bounded { low, .. }, _) => Some(low),
                    (Domain::Normal { .. }, Step::Quantized { q, .. }) if v == 0.0 => {
                        Some((q / 4.0).ln())
                    }
                    _ => None,
                };
            }
            v.ln()
        } else {
            v
        };
        match self.domain {
            Domain::Bounded { low, high } => Some(x.clamp(low, high)),
            Domain::Normal { .. } => x.is_finite().then_some(x),
            Domain::Beta { .. } => Some(x.clamp(0.0, 1.0)),
        }
    }

    /// Returns the coordinate of the value that `x` rounds to, so that equal values have equal
    /// coordinates.
    pub(crate) fn snap(&self, x: f64) -> f64 {
        match self.step {
            Step::Real => x,
            _ => self.coordinate(&self.value(x)).unwrap_or(x),
        }
    }

    /// Returns the unit interval of the positions whose value is the one at unit position `u`
    /// (an integer or a multiple of q owns an interval): its lower and upper ends, each `None`
    /// where no other value lies beyond it; `None` for a real parameter.
    pub(crate) fn cell(&self, u: f64) -> Option<(Option<f64>, Option<f64>)> {
        let half = match self.step {
            Step::Real => return None,
            Step::Int { .. } => 0.5,
            Step::Quantized { q, .. } => q / 2.0,
        };
        let v = self.value(self.at_unit(u)).as_f64()?;
        let end = |value: f64| {
            let x = if self.log {
                (value > 0.0).then(|| value.ln())?
            } else {
                value
            };
            let end = self.unit_of(x);
            (end > 0.0 && end < 1.0).then_some(end)
        };
        Some((end(v - half), end(v + half)))
    }

    /// Returns the width of the coordinate's range: the bounds' distance, or for a normal prior
    /// the width of a uniform with the same standard deviation.
    pub(crate) fn width(&self) -> f64 {
        match self.domain {
            Domain::Bounded { low, high } => high - low,
            Domain::Normal { sigma, .. } => sigma * 12f64.sqrt(),
            Domain::Beta { .. } => 1.0,
        }
    }
}

/// Returns the category for unit position `u` under probabilities `prior` (inverse CDF).
pub(crate) fn index_for(u: f64, prior: &[f64]) -> usize {
    let mut acc = 0.0;
    for (i, p) in prior.iter().enumerate() {
        acc += p;
        if u < acc {
            return i;
        }
    }
    // Rounding can leave the sum a hair below 1: the last category with mass takes the rest.
    prior.iter().rposition(|p| *p > 0.0).unwrap_or(0)
}

/// Returns `n` as a float, for averages and counts.
pub(crate) fn count(n: usize) -> f64 {
    // Counts of trials and candidates are far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_round_trip_through_values() {
        let cases = [
            (
                Distribution::IntUniform { min: 1, max: 3 },
                0.99,
                ParamValue::Int(3),
            ),
            (
                Distribution::IntUniform { min: 1, max: 3 },
                0.0,
                ParamValue::Int(1),
            ),
            (
                Distribution::LogUniformValues {
                    min: 1e-4,
                    max: 1e-1,
                },
                0.5,
                ParamValue::Float((1e-4f64.ln() * 0.5 + 1e-1f64.ln() * 0.5).exp()),
            ),
            (
                Distribution::QUniform {
                    min: 0.0,
                    max: 10.0,
                    q: 2.0,
                },
                0.33,
                ParamValue::Int(4),
            ),
            (
                Distribution::Normal {
                    mu: 1.0,
                    sigma: 2.0,
                },
                0.5,
                ParamValue::Float(1.0),
            ),
            (
                Distribution::QLogUniform {
                    min: 0.0,
                    max: 6.0,
                    q: 8.0,
                },
                0.5,
                // e^3 = 20.09 rounds to 24.
                ParamValue::Int(24),
            ),
            (
                Distribution::InvLogUniform { min: 1.0, max: 3.0 },
                1.0,
                ParamValue::Float((-1.0f64).exp()),
            ),
            (
                Distribution::InvLogUniformValues {
                    min: 1e-4,
                    max: 1e-2,
                },
                0.5,
                ParamValue::Float(1e-3f64.ln().exp()),
            ),
            (
                Distribution::QNormal {
                    mu: 10.0,
                    sigma: 3.0,
                    q: 2.0,
                },
                0.5,
                ParamValue::Int(10),
            ),
            (
                Distribution::QLogNormal {
                    mu: -4.0,
                    sigma: 1.0,
                    q: 1.0,
                },
                0.5,
                // e^-4 rounds to 0, which has a coordinate of its own.
                ParamValue::Int(0),
            ),
            (
                Distribution::QBeta {
                    a: 2.0,
                    b: 2.0,
                    q: 0.001,
                },
                0.5,
                ParamValue::Float(0.5),
            ),
            (
                Distribution::QBeta {
                    a: 2.0,
                    b: 5.0,
                    q: 0.25,
                },
                0.999,
                ParamValue::Float(0.75),
            ),
        ];
        for (d, u, want) in cases {
            let Coding::Numeric(n) = Coding::of(&d) else {
                panic!("{d:?} is numeric");
            };
            let got = n.value(n.at_unit(u));
            assert_eq!(got, want, "{d:?} at {u}");
            let x = n.coordinate(&got).unwrap();
            assert_eq!(n.value(x), got, "{d:?}: coordinate {x}");
        }
    }

    #[test]
    fn categories_follow_their_probabilities() {
        let prior = [0.25, 0.0, 0.75];
        assert_eq!(index_for(0.1, &prior), 0);
        assert_eq!(index_for(0.25, &prior), 2);
        assert_eq!(index_for(1.0, &prior), 2);
    }

    #[test]
    fn a_rounded_value_owns_the_interval_between_its_neighbours() {
        let numeric = |d: Distribution| match Coding::of(&d) {
            Coding::Numeric(n) => n,
            other => panic!("{other:?}"),
        };
        let close = |got: Option<f64>, want: Option<f64>| match (got, want) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-12,
            (g, w) => g == w,
        };
        // 1, 2, 3: thirds of the unit interval.
        let int = numeric(Distribution::IntUniform { min: 1, max: 3 });
        for (u, want) in [
            (0.5, (Some(1.0 / 3.0), Some(2.0 / 3.0))),
            (0.1, (None, Some(1.0 / 3.0))),
            (0.9, (Some(2.0 / 3.0), None)),
        ] {
            let (lo, hi) = int.cell(u).unwrap();
            assert!(close(lo, want.0) && close(hi, want.1), "{u}: {lo:?} {hi:?}");
        }
        // 16, 24, ..., 64 on a log scale: 32 owns [28, 36].
        let q = numeric(Distribution::QLogUniformValues {
            min: 16.0,
            max: 64.0,
            q: 8.0,
        });
        let at = |v: f64| (v.ln() - 16f64.ln()) / (64f64.ln() - 16f64.ln());
        let (lo, hi) = q.cell(at(32.0)).unwrap();
        assert!(close(lo, Some(at(28.0))) && close(hi, Some(at(36.0))));
        assert_eq!(
            numeric(Distribution::Uniform { min: 0.0, max: 1.0 }).cell(0.5),
            None
        );
    }
    #[test]
    fn issue_the_box_edge_at_an_end_halfway_between_multiples_gives_the_one_inside() {
        // A draw lands on such an end with probability zero, and every draw near it rounds
        // inward: 0.25 / 0.1 = 2.5 gives 0.2, not 0.3; so do the Gaussian process's proposals
        // on the box's face, which its acquisition often prefers.
        let at = |d: Distribution, u: f64| match Coding::of(&d) {
            Coding::Numeric(n) => n.value(n.at_unit(u)),
            other => panic!("{other:?}"),
        };
        let q = |min: f64, max: f64, q: f64| Distribution::QUniform { min, max, q };
        assert_eq!(at(q(0.0, 0.25, 0.1), 1.0), ParamValue::Float(0.2));
        assert_eq!(at(q(0.0, 10.0, 4.0), 1.0), ParamValue::Int(8));
        assert_eq!(at(q(16.0, 80.0, 32.0), 1.0), ParamValue::Int(64));
        assert_eq!(at(q(16.0, 80.0, 32.0), 0.0), ParamValue::Int(32));
        // At the lower end too: -10 / 4 = -2.5 gives -8, not -12.
        assert_eq!(at(q(-10.0, -2.0, 4.0), 0.0), ParamValue::Int(-8));
        assert_eq!(at(q(-10.0, -2.0, 4.0), 1.0), ParamValue::Int(-4));
        let log_values = Distribution::QLogUniformValues {
            min: 16.0,
            max: 80.0,
            q: 32.0,
        };
        assert_eq!(at(log_values, 1.0), ParamValue::Int(64));
        let beta = Distribution::QBeta {
            a: 2.0,
            b: 2.0,
            q: 0.4,
        };
        assert_eq!(at(beta, 1.0), ParamValue::Float(0.8));
        // An end that is no such tie keeps its nearest multiple, past `max` where it is nearer.
        assert_eq!(at(q(3.0, 8.0, 3.0), 1.0), ParamValue::Int(9));
        assert_eq!(at(q(0.0, 10.0, 4.0), 0.99), ParamValue::Int(8));
        // The values the box gives are those the grid lists (`reached_multiples`).
        for d in [
            q(0.0, 0.25, 0.1),
            q(0.0, 10.0, 4.0),
            q(16.0, 80.0, 32.0),
            q(3.0, 8.0, 3.0),
        ] {
            let mut seen: Vec<ParamValue> = Vec::new();
            for i in 0..=1000 {
                let v = at(d.clone(), f64::from(i) / 1000.0);
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            assert_eq!(Some(seen), d.grid_values(), "{d:?}");
        }
    }
}
