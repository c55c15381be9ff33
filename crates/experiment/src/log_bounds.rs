//! Bounds that read as values where logarithms are meant: `log_uniform` (and `q_log_uniform`)
//! take natural-log bounds, as W&B's do, so `{distribution: log_uniform, min: 1.0e-4, max:
//! 3.0e-2}` draws between e^0.0001 and e^0.03 (1.0001 to 1.03), not between 0.0001 and 0.03.
//! Such a file is valid and runs, so `sweep validate` and `sweep run` note it rather than
//! refuse it.

use crate::words::number;
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
                        number(min),
                        number(max),
                        four_places(min.exp()),
                        four_places(max.exp()),
                        number(min),
                        number(max)
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
        assert_eq!(
            space.log_bound_notes(),
            [
                "`lr` is `log_uniform`, whose bounds are natural logarithms (as in W&B): it draws \
              from e^0.0001 to e^0.03, 1.0001 to 1.0305; `log_uniform_values` draws between 0.0001 \
              and 0.03 themselves"
            ]
        );
    }
}
