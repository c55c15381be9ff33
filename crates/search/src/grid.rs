//! Grid search: every combination of the parameters' finite values, in a fixed order.

use experiment::Params;

use crate::{Error, Result, Sampler, SuggestContext};

/// Enumerates the grid in mixed-radix order: the last parameter (by name) changes fastest.
///
/// With conditions, a parameter multiplies only the points where it is active
/// (`SearchSpace::grid_point`), so no two trials get the same parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct GridSampler;

impl Sampler for GridSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let space = ctx.space;
        if let Some(p) = space
            .params()
            .iter()
            .find(|p| p.distribution.grid_values().is_none())
        {
            return Err(Error::NotGriddable(p.name.clone()));
        }
        let size = space.grid_size().unwrap_or(0);
        space
            .grid_point(u64::from(ctx.trial.0))
            .ok_or(Error::GridExhausted {
                size,
                trial: ctx.trial,
            })
    }

    fn learns_from(&self, _visible: usize) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use experiment::{Distribution, Param, ParamValue, SearchSpace, TrialId};

    use super::*;

    fn space() -> SearchSpace {
        SearchSpace::new(vec![
            Param {
                condition: None,
                name: "depth".into(),
                distribution: Distribution::IntUniform { min: 1, max: 2 },
            },
            Param {
                condition: None,
                name: "optimizer".into(),
                distribution: Distribution::Categorical {
                    values: vec![
                        ParamValue::Str("sgd".into()),
                        ParamValue::Str("adam".into()),
                        ParamValue::Str("adamw".into()),
                    ],
                    probabilities: None,
                },
            },
        ])
    }

    fn render(params: &Params) -> String {
        params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn enumerates_every_point_once_in_order() {
        let points: Vec<String> = (0..6)
            .map(|i| render(&GridSampler.suggest(&space(), &[], TrialId(i)).unwrap()))
            .collect();
        assert_eq!(
            points,
            [
                "depth=1 optimizer=sgd",
                "depth=1 optimizer=adam",
                "depth=1 optimizer=adamw",
                "depth=2 optimizer=sgd",
                "depth=2 optimizer=adam",
                "depth=2 optimizer=adamw",
            ]
        );
        assert!(matches!(
            GridSampler.suggest(&space(), &[], TrialId(6)),
            Err(Error::GridExhausted { size: 6, .. })
        ));
    }
}
