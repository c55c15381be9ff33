//! Ranges that want another scale than the one written. Bounds that read as values where
//! logarithms are meant: `log_uniform` (and `q_log_uniform`) take natural-log bounds, as W&B's
//! do, so `{distribution: log_uniform, min: 1.0e-4, max: 3.0e-2}` draws between e^0.0001 and
//! e^0.03 (1.0001 to 1.03), not between 0.0001 and 0.03. And a uniform range over orders of
//! magnitude (`lr: {min: 1.0e-4, max: 1.0e-1}`), where nearly every draw lands in the top one.
//! Such files are valid and run, so `sweep validate` and `sweep run` note them rather than
//! refuse them.

use crate::words::number_text;
use crate::{Distribution, SearchSpace};

impl SearchSpace {
    /// Notes each parameter drawn log-uniformly on natural-log bounds that both lie in `[0, 1]`:
    /// bounds written as the values, most likely, whose draws all lie between 1 and e.
    pub fn log_bound_notes(&self) -> Vec<String> {
        self.params()
            .iter()
            .filter_map(|p| {
                let (min, max) = match p.distribution {
                    Distribution::LogUniform { min, max }
                    | Distribution::QLogUniform { min, max, .. } => (min, max),
                    _ => return None,
                };
                ((0.0..=1.0).contains(&min) && (0.0..=1.0).contains(&max)).then(|| {
                    format!(
                        "`{}` is `{}`, whose bounds are natural logarithms (as in W&B): it \
                         draws from e^{} to e^{}, {} to {}; `log_uniform_values` draws between \
                         {} and {} themselves",
                        p.name,
                        p.distribution.name(),
                        number_text(min),
                        number_text(max),
                        four_places(min.exp()),
                        four_places(max.exp()),
                        number_text(min),
                        number_text(max)
                    )
                })
            })
            .collect()
    }

    /// Notes each parameter drawn uniformly (not log-uniformly) over positive bounds three or
    /// more orders of magnitude apart, where over 90% of the draws land in the top order.
    pub fn uniform_over_orders_notes(&self) -> Vec<String> {
        self.params()
            .iter()
            .filter_map(|p| {
                let Distribution::Uniform { min, max } = p.distribution else {
                    return None;
                };
                (min > 0.0 && max / min >= 1_000.0).then(|| {
                    let orders = (max / min).log10().floor();
                    format!(
                        "`{}` is uniform over [{}, {}], {orders} orders of magnitude: over 90% \
                         of its draws lie above {}; `log_uniform_values` spreads them evenly \
                         across the orders",
                        p.name,
                        number_text(min),
                        number_text(max),
                        number_text(max / 10.0)
                    )
                })
            })
            .collect()
    }
}

/// `1.0305` for e^0.03: four decimal places, trailing zeros dropped.
fn four_places(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
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
    fn a_uniform_range_over_orders_of_magnitude_is_noted() {
        let uniform = |min, max| Distribution::Uniform { min, max };
        let space = SearchSpace::new(vec![
            Param::new("lr", uniform(1.0e-4, 1.0e-1)),
            Param::new("dropout", uniform(0.0, 0.5)),
            Param::new("momentum", uniform(0.5, 0.99)),
            Param::new("l2", uniform(1.0e-6, 1.0e-4)),
        ]);
        assert_eq!(
            space.uniform_over_orders_notes(),
            [
                "`lr` is uniform over [0.0001, 0.1], 3 orders of magnitude: over 90% of its draws \
              lie above 0.01; `log_uniform_values` spreads them evenly across the orders"
            ]
        );
    }
}
