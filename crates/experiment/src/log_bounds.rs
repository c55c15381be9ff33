//! Ranges that want another scale than the one written. Bounds that read as values where
//! logarithms are meant: `log_uniform` (and `q_log_uniform`, and `inv_log_uniform`, whose draws
//! are e^-x) take natural-log bounds, as W&B's do, so `{distribution: log_uniform, min: 1.0e-4, max: 3.0e-2}` draws between e^0.0001 and
//! e^0.03 (1.0001 to 1.03), not between 0.0001 and 0.03. And a uniform range over orders of
//! magnitude (`lr: {min: 1.0e-4, max: 1.0e-1}`), where nearly every draw lands in the top one.
//! Such files are valid and run, so `sweep validate` and `sweep run` note them rather than
//! refuse them.

use crate::words::number_text;
use crate::{quantized, Distribution, Knob, KnobKind, ParamValue, SearchSpace};

/// The share of draws outside a knob's values from which a normal distribution is noted.
const OUTSIDE_NOTED: f64 = 0.05;

impl SearchSpace {
    /// Notes each knob drawn from a normal distribution (`normal`, `q_normal`, or their log, on the
    /// log scale: `log_normal`, `q_log_normal`) that puts at least `OUTSIDE_NOTED` of its draws
    /// outside the values the knob takes (a negative learning rate, a dropout above 1): those
    /// trials fail, a share of the budget lost. A draw is judged after the rounding that applies
    /// to it (`kept_draws`): to a multiple of q for the `q_` shapes, so that `q: 8` on a
    /// `batch_size` loses every draw below 4, which rounds to 0.
    pub(crate) fn normal_outside_notes(&self) -> Vec<String> {
        self.params()
            .iter()
            .filter_map(|p| {
                // A log-normal's log is normal: its bounds are compared on the log scale.
                let (mu, sigma, log, q) = match p.distribution {
                    Distribution::Normal { mu, sigma } => (mu, sigma, false, None),
                    Distribution::QNormal { mu, sigma, q } => (mu, sigma, false, Some(q)),
                    Distribution::LogNormal { mu, sigma } => (mu, sigma, true, None),
                    Distribution::QLogNormal { mu, sigma, q } => (mu, sigma, true, Some(q)),
                    _ => return None,
                };
                let knob = Knob::find(&p.name)?;
                let (min, max) = match knob.kind {
                    KnobKind::Float { min, max, .. } => (min, max),
                    #[allow(clippy::cast_precision_loss)]
                    KnobKind::Int { min, max } => (min as f64, max as f64),
                    _ => return None,
                };
                let scale = |x: f64| match (log, x > 0.0) {
                    (false, _) => x,
                    (true, true) => x.ln(),
                    (true, false) => f64::NEG_INFINITY,
                };
                let share_below = |x: f64| normal_cdf((scale(x) - mu) / sigma);
                // No multiple of q is a value the knob takes: every draw falls outside.
                let (outside, rounding) = match kept_draws(knob, q) {
                    None => (1.0, vec!["no multiple of q is one of them".to_string()]),
                    Some(kept) => {
                        let (below, above) = (share_below(kept.low), 1.0 - share_below(kept.high));
                        // Where rounding moves the edge, it is said on the side that loses
                        // draws to it.
                        let mut said = Vec::new();
                        if let Some(to) = kept.below.filter(|_| below >= SIDE_SAID) {
                            said.push(format!(
                                "draws below {} round to {to}{}",
                                significant(kept.low),
                                if log && to.as_f64() == Some(0.0) {
                                    ""
                                } else {
                                    " or less"
                                }
                            ));
                        }
                        if let Some(to) = kept.above.filter(|_| above >= SIDE_SAID) {
                            said.push(format!(
                                "draws from {} up round to {to} or more",
                                significant(kept.high)
                            ));
                        }
                        (below + above, said)
                    }
                };
                (outside >= OUTSIDE_NOTED).then(|| {
                    format!(
                        "`{}` is drawn from a {} distribution (mu {}, sigma {}{}{}) that puts \
                         about {:.0}% of its draws outside the values it takes ({} to {}{}): \
                         those trials fail; {} keeps every draw valid",
                        p.name,
                        if log { "log-normal" } else { "normal" },
                        number_text(mu),
                        number_text(sigma),
                        if log {
                            ", of the value's natural log"
                        } else {
                            ""
                        },
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
                        if log {
                            "a range"
                        } else {
                            "a `log_normal` or a range"
                        }
                    )
                })
            })
            .collect()
    }

    /// Notes each parameter drawn log-uniformly on natural-log bounds (`log_uniform`,
    /// `q_log_uniform`, and `inv_log_uniform`, whose draws are e^-x) that read as the values
    /// themselves, most likely (`bounds_read_as_values`). Bounds the knob would refuse as values
    /// (a momentum of 2.3) are not noted: the `_values` form would be refused. Where the drawn
    /// range is one the knob is often searched over (`USUAL_NEAR_ONE`: momentum from 0.905 to
    /// 0.999), the `_values` form is offered only as what to write if values were meant.
    pub(crate) fn log_bound_notes(&self) -> Vec<String> {
        self.params()
            .iter()
            .filter_map(|p| {
                let (min, max, sign, values) = match p.distribution {
                    Distribution::LogUniform { min, max } => (min, max, 1.0, "log_uniform_values"),
                    Distribution::QLogUniform { min, max, .. } => {
                        (min, max, 1.0, "q_log_uniform_values")
                    }
                    Distribution::InvLogUniform { min, max } => {
                        (min, max, -1.0, "inv_log_uniform_values")
                    }
                    _ => return None,
                };
                if !bounds_read_as_values(min, max) {
                    return None;
                }
                let knob = Knob::find(&p.name);
                // Bounds the knob would refuse as values were not meant as values: the
                // `_values` form would be refused, so the note has nothing to offer.
                if knob.is_some_and(|k| !values_accepted(k, min, max)) {
                    return None;
                }
                // e^-x falls as x rises: the draws run from e^-max to e^-min.
                let (low, high) = if sign < 0.0 { (-max, -min) } else { (min, max) };
                let drawn = format!(
                    "`{}` is `{}`, whose bounds are natural logarithms{} (as in W&B): it \
                     draws from e^{} to e^{}, {} to {}",
                    p.name,
                    p.distribution.name(),
                    if sign < 0.0 {
                        " of the value's reciprocal"
                    } else {
                        ""
                    },
                    number_text(low),
                    number_text(high),
                    significant(low.exp()),
                    significant(high.exp()),
                );
                let (min, max) = (number_text(min), number_text(max));
                Some(if knob.is_some_and(|k| usual_near_one(k, low.exp())) {
                    // A range the knob is often searched over (momentum from 0.905 to 0.999):
                    // the file may well mean it.
                    format!(
                        "{drawn}; if you meant values between {min} and {max}, write \
                         `{values}`"
                    )
                } else {
                    format!("{drawn}; `{values}` draws between {min} and {max} themselves")
                })
            })
            .collect()
    }

    /// Notes each parameter drawn uniformly (not log-uniformly, `uniform` or `q_uniform`) over
    /// positive bounds three or more orders of magnitude apart, where over 90% of the draws land
    /// in the top order.
    pub(crate) fn uniform_over_orders_notes(&self) -> Vec<String> {
        self.params()
            .iter()
            .filter_map(|p| {
                let ((min, max), log) = match p.distribution {
                    Distribution::Uniform { min, max } => ((min, max), "log_uniform_values"),
                    Distribution::QUniform { min, max, .. } => ((min, max), "q_log_uniform_values"),
                    _ => return None,
                };
                (min > 0.0 && max / min >= 1_000.0).then(|| {
                    let orders = (max / min).log10().floor();
                    format!(
                        "`{}` is {} over [{}, {}], {orders} orders of magnitude: over 90% \
                         of its draws lie above {}; `{log}` spreads them evenly across the \
                         orders",
                        p.name,
                        p.distribution.name(),
                        number_text(min),
                        number_text(max),
                        number_text(max / 10.0)
                    )
                })
            })
            .collect()
    }
}

/// The share of draws lost on one side of a knob's values from which the rounding that loses
/// them is said (`normal_outside_notes`).
const SIDE_SAID: f64 = 0.005;

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

/// Returns the draws that give a value `knob` takes when each is rounded to a multiple of `q`
/// (`None`: not rounded; an integer knob's draws are whole, as with `q: 1`): from half a step
/// below the first multiple of q the knob takes to half a step above the last, the rounding
/// `crate::quantized` applies (`q: 4` on `batch_size`, from 1, keeps the draws from 2 on, whose
/// multiple is 4 or more; `q: 0.25` on `momentum`, below 1, keeps those below 0.875). `None`
/// when the knob takes no multiple of q.
fn kept_draws(knob: &Knob, q: Option<f64>) -> Option<Kept> {
    let (min, max) = match knob.kind {
        KnobKind::Float { min, max, .. } => (min, max),
        #[allow(clippy::cast_precision_loss)]
        KnobKind::Int { min, max } => (min as f64, max as f64),
        _ => return None,
    };
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

/// Returns whether natural-log bounds `min` and `max` read as the values meant rather than
/// their logarithms: both in `[0, 1]` (`min: 0.0001, max: 0.03`, an lr, which draws between 1
/// and e), or positive, one below 1 and one above, and two or more orders of magnitude apart
/// (`min: 0.1, max: 10`, a clip norm, which draws from 1.1 to 22026). Logarithms of a
/// hyperparameter are seldom so: they are negative for values below 1 (`min: -9.2, max:
/// -2.3`) and a few units apart for values above it (`min: 2.8, max: 6.9`, 16 to 1000).
fn bounds_read_as_values(min: f64, max: f64) -> bool {
    let unit = (0.0..=1.0).contains(&min) && (0.0..=1.0).contains(&max);
    let spans_orders = min > 0.0 && min < 1.0 && max > 1.0 && max / min >= 100.0;
    unit || spans_orders
}

/// Knobs whose values are usually searched close below 1, where draws from 0.5 up (e^-0.69 and
/// above, such as `inv_log_uniform`'s 0.905 to 0.999 from bounds 0.001 and 0.1) are a range
/// the file may mean: SGD's momentum, a step schedule's decay factor. An lr, an l2 or a dropout
/// that close to 1 is not.
const USUAL_NEAR_ONE: &[&str] = &["momentum", "step_factor"];

/// Returns whether the draws of `knob`, from `low` up (and below 1, as the knob takes them),
/// are a range it is usually searched over (`USUAL_NEAR_ONE`).
fn usual_near_one(knob: &Knob, low: f64) -> bool {
    USUAL_NEAR_ONE.contains(&knob.name) && low >= 0.5
}

/// Returns whether `knob` takes `min` and `max` as values, as a `_values` form (positive bounds,
/// the logarithm of each drawn) bounds them: `momentum` refuses 2.3, `lr` refuses 0.
fn values_accepted(knob: &Knob, min: f64, max: f64) -> bool {
    min > 0.0
        && [min, max]
            .iter()
            .all(|&x| knob.check(&ParamValue::Float(x)).is_ok())
}

/// `1.0305` for e^0.03, `0.0000454` for e^-10: five significant digits, trailing zeros dropped,
/// so that a value near 1 keeps what sets it apart from 1 and a small one is not written 0.
fn significant(x: f64) -> String {
    crate::words::significant_text(x, 5)
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

#[cfg(test)]
mod tests {
    use crate::{Distribution, Param, SearchSpace};

    #[test]
    fn a_normal_distribution_drawing_outside_its_knob_is_noted() {
        let normal =
            |name: &str, mu: f64, sigma: f64| Param::new(name, Distribution::Normal { mu, sigma });
        let space = SearchSpace::new(vec![
            normal("lr", 0.001, 0.1),
            normal("dropout", 0.3, 0.05),
            normal("label", -5.0, 1.0),
        ]);
        assert_eq!(
            space.normal_outside_notes(),
            [
                "`lr` is drawn from a normal distribution (mu 0.001, sigma 0.1) that puts about \
              50% of its draws outside the values it takes (1e-12 to 10): those trials fail; a \
              `log_normal` or a range keeps every draw valid"
            ]
        );
        // A log-normal is judged on the log scale: e^700 is past every knob; e^-7 is an lr.
        let space = SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::LogNormal {
                    mu: 700.0,
                    sigma: 1.0,
                },
            ),
            Param::new(
                "l2",
                Distribution::LogNormal {
                    mu: -7.0,
                    sigma: 1.0,
                },
            ),
        ]);
        assert_eq!(
            space.normal_outside_notes(),
            [
                "`lr` is drawn from a log-normal distribution (mu 700, sigma 1, of the value's \
              natural log) that puts about 100% of its draws outside the values it takes (1e-12 \
              to 10): those trials fail; a range keeps every draw valid"
            ]
        );
        assert!((super::normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((super::normal_cdf(0.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn issue_45_a_quantized_normal_counts_the_draws_its_rounding_loses() {
        // Draws below 4 round to 0, which `batch_size` cannot take: about 27% of e^N(2, 1).
        let space = SearchSpace::new(vec![Param::new(
            "batch_size",
            Distribution::QLogNormal {
                mu: 2.0,
                sigma: 1.0,
                q: 8.0,
            },
        )]);
        assert_eq!(
            space.normal_outside_notes(),
            [
                "`batch_size` is drawn from a log-normal distribution (mu 2, sigma 1, of the \
              value's natural log, rounded to a multiple of q (8)) that puts about 27% of its \
              draws outside the values it takes (1 to 1048576; draws below 4 round to 0): those \
              trials fail; a range keeps every draw valid"
            ]
        );
        // Draws below 2 round to 0 (about 23% of N(8, 8)), not only those below 0.5 (17%).
        let space = SearchSpace::new(vec![Param::new(
            "hidden",
            Distribution::QNormal {
                mu: 8.0,
                sigma: 8.0,
                q: 4.0,
            },
        )]);
        assert_eq!(
            space.normal_outside_notes(),
            [
                "`hidden` is drawn from a normal distribution (mu 8, sigma 8, rounded to a \
              multiple of q (4)) that puts about 23% of its draws outside the values it takes (1 \
              to 65536; draws below 2 round to 0 or less): those trials fail; a `log_normal` or \
              a range keeps every draw valid"
            ]
        );
        // `momentum` takes no 1: draws from 0.875 up round to it.
        let space = SearchSpace::new(vec![Param::new(
            "momentum",
            Distribution::QNormal {
                mu: 0.5,
                sigma: 0.3,
                q: 0.25,
            },
        )]);
        assert_eq!(
            space.normal_outside_notes(),
            [
                "`momentum` is drawn from a normal distribution (mu 0.5, sigma 0.3, rounded to a \
              multiple of q (0.25)) that puts about 12% of its draws outside the values it takes \
              (0 to 1; draws below -0.125 round to -0.25 or less; draws from 0.875 up round to 1 \
              or more): those trials fail; a `log_normal` or a range keeps every draw valid"
            ]
        );
    }

    #[test]
    fn bounds_that_read_as_values_are_noted_and_exponents_are_not() {
        let space = SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::LogUniform {
                    min: 1.0e-4,
                    max: 3.0e-2,
                },
            ),
            Param::new(
                "l2",
                Distribution::LogUniform {
                    min: -13.8,
                    max: -4.6,
                },
            ),
            Param::new(
                "dropout",
                Distribution::LogUniformValues {
                    min: 1.0e-3,
                    max: 0.5,
                },
            ),
        ]);
        assert!(space.uniform_over_orders_notes().is_empty());
        assert_eq!(
            space.log_bound_notes(),
            [
                "`lr` is `log_uniform`, whose bounds are natural logarithms (as in W&B): it draws \
              from e^0.0001 to e^0.03, 1.0001 to 1.0305; `log_uniform_values` draws between 0.0001 \
              and 0.03 themselves"
            ]
        );
    }

    #[test]
    fn inv_log_uniform_bounds_that_read_as_values_are_noted() {
        let space = SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::InvLogUniform {
                    min: 1.0e-4,
                    max: 0.1,
                },
            ),
            // e^-9.2 to e^-2.3: natural-log bounds of an lr from 0.0001 to 0.1.
            Param::new("l2", Distribution::InvLogUniform { min: 2.3, max: 9.2 }),
        ]);
        assert_eq!(
            space.log_bound_notes(),
            [
                "`lr` is `inv_log_uniform`, whose bounds are natural logarithms of the value's \
              reciprocal (as in W&B): it draws from e^-0.1 to e^-0.0001, 0.90484 to 0.9999; \
              `inv_log_uniform_values` draws between 0.0001 and 0.1 themselves"
            ]
        );
    }

    #[test]
    fn a_drawn_range_the_knob_is_searched_over_is_advised_only_conditionally() {
        let inv = |min, max| Distribution::InvLogUniform { min, max };
        let space = SearchSpace::new(vec![
            // 0.905 to 0.999: a sensible momentum search, which the file may mean.
            Param::new("momentum", inv(0.001, 0.1)),
            // As values, 2.3 is no momentum: the bounds are logarithms, and nothing is noted.
            Param::new("step_factor", inv(0.01, 2.3)),
            // A dropout of 10 is refused: no `_values` form to offer.
            Param::new("dropout", inv(0.1, 10.0)),
            // e^-10 is 0.0000454, not 0.
            Param::new("clip_norm", inv(0.1, 10.0)),
        ]);
        assert_eq!(
            space.log_bound_notes(),
            [
                "`clip_norm` is `inv_log_uniform`, whose bounds are natural logarithms of the \
              value's reciprocal (as in W&B): it draws from e^-10 to e^-0.1, 0.0000454 to 0.90484; \
              `inv_log_uniform_values` draws between 0.1 and 10 themselves",
                "`momentum` is `inv_log_uniform`, whose bounds are natural logarithms of the \
              value's reciprocal (as in W&B): it draws from e^-0.1 to e^-0.001, 0.90484 to \
              0.999; if you meant values between 0.001 and 0.1, write `inv_log_uniform_values`"
            ]
        );
        // The same bounds on an lr draw a range no lr is searched over.
        let space = SearchSpace::new(vec![Param::new("lr", inv(0.001, 0.1))]);
        assert!(space.log_bound_notes()[0]
            .ends_with("`inv_log_uniform_values` draws between 0.001 and 0.1 themselves"));
    }

    #[test]
    fn positive_log_bounds_orders_of_magnitude_apart_are_noted_and_exponents_are_not() {
        let log = |min, max| Distribution::LogUniform { min, max };
        let space = SearchSpace::new(vec![
            Param::new("clip_norm", log(0.1, 10.0)),
            Param::new("lr", log(-9.2, -2.3)),
            Param::new("step_factor", log(-2.3, -0.1)),
            Param::new("l2", log(-13.8, -4.6)),
            Param::new("warmup_epochs", log(0.5, 3.0)),
        ]);
        assert_eq!(
            space.log_bound_notes(),
            [
                "`clip_norm` is `log_uniform`, whose bounds are natural logarithms (as in W&B): \
              it draws from e^0.1 to e^10, 1.1052 to 22026; `log_uniform_values` draws \
              between 0.1 and 10 themselves"
            ]
        );
    }

    #[test]
    fn a_uniform_range_over_orders_of_magnitude_is_noted() {
        let uniform = |min, max| Distribution::Uniform { min, max };
        let space = SearchSpace::new(vec![
            Param::new("lr", uniform(1.0e-4, 1.0e-1)),
            Param::new("dropout", uniform(0.0, 0.5)),
            Param::new("momentum", uniform(0.5, 0.99)),
            Param::new("l2", uniform(1.0e-6, 1.0e-4)),
            Param::new(
                "clip_norm",
                Distribution::QUniform {
                    min: 0.01,
                    max: 100.0,
                    q: 0.01,
                },
            ),
        ]);
        assert_eq!(
            space.uniform_over_orders_notes(),
            [
                "`clip_norm` is q_uniform over [0.01, 100], 4 orders of magnitude: over 90% of \
              its draws lie above 10; `q_log_uniform_values` spreads them evenly across the \
              orders",
                "`lr` is uniform over [0.0001, 0.1], 3 orders of magnitude: over 90% of its draws \
              lie above 0.01; `log_uniform_values` spreads them evenly across the orders"
            ]
        );
    }
}
