//! Ranges that want another scale than the one written. Bounds that read as values where
//! logarithms are meant: `log_uniform` (and `q_log_uniform`, and `inv_log_uniform`, whose draws
//! are e^-x) take natural-log bounds, as W&B's do, so `{distribution: log_uniform, min: 1.0e-4, max: 3.0e-2}` draws between e^0.0001 and
//! e^0.03 (1.0001 to 1.03), not between 0.0001 and 0.03. And a uniform range over orders of
//! magnitude (`lr: {min: 1.0e-4, max: 1.0e-1}`), where nearly every draw lands in the top one.
//! Such files are valid and run, so `sweep validate` and `sweep run` note them rather than
//! refuse them.

use crate::words::number_text;
use crate::{Distribution, Knob, ParamValue, SearchSpace};

impl SearchSpace {
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

#[cfg(test)]
mod tests {
    use crate::{Distribution, Param, SearchSpace};

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
