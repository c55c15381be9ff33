//! Grid search: every combination of the parameters' finite values, in a fixed order.

use experiment::{Params, SearchSpace, Trial, TrialId};

use crate::{Error, Result, Sampler};

/// Enumerates the grid in mixed-radix order: the last parameter (by name) changes fastest.
#[derive(Debug, Clone, Copy, Default)]
pub struct GridSampler;

impl Sampler for GridSampler {
    fn suggest(&self, space: &SearchSpace, _history: &[Trial], trial: TrialId) -> Result<Params> {
        let axes = space
            .params()
            .iter()
            .map(|p| {
                p.distribution
                    .grid_values()
                    .map(|values| (p.name.clone(), values))
                    .ok_or_else(|| Error::NotGriddable(p.name.clone()))
            })
            .collect::<Result<Vec<_>>>()?;
        let size = space.grid_size().unwrap_or(0);
        let mut rest = u64::from(trial.0);
        if rest >= size {
            return Err(Error::GridExhausted { size, trial });
        }
        let mut params = Params::new();
        for (name, values) in axes.iter().rev() {
            let len = u64::try_from(values.len()).unwrap_or(u64::MAX);
            let index = usize::try_from(rest % len).unwrap_or(0);
            rest /= len;
            params.insert(name.clone(), values[index].clone());
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use experiment::{Distribution, Param, ParamValue};

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
