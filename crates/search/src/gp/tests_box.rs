//! The Gaussian process's candidate box: a golden sequence on a space of bounded parameters
//! only, which the box leaves as it was, and proposals for prior-shaped parameters kept within
//! the prior's central range (`plausible`).

use experiment::{Distribution, Param, ParamValue, Params, SearchSpace, Seed};

use super::*;
use crate::testing::{objective, study};

fn bayes(seed: u64) -> GpSampler {
    GpSampler::new(Seed(seed), BayesConfig::default(), objective())
}

/// A bounded parameter of every kind: categorical, uniform, log-uniform and integer.
fn bounded_space() -> SearchSpace {
    SearchSpace::new(vec![
        Param::new(
            "act",
            Distribution::Categorical {
                values: ["relu", "tanh", "gelu"]
                    .map(|v| ParamValue::Str(v.into()))
                    .to_vec(),
                probabilities: None,
            },
        ),
        Param::new("drop", Distribution::Uniform { min: 0.0, max: 0.5 }),
        Param::new(
            "lr",
            Distribution::LogUniformValues {
                min: 1e-4,
                max: 1e-1,
            },
        ),
        Param::new("width", Distribution::IntUniform { min: 8, max: 64 }),
    ])
}

/// A bowl on `bounded_space`, its best at tanh, drop 0.1, lr 3e-3 and width 40.
fn bounded_loss(p: &Params) -> f64 {
    let f = |name: &str| p[name].as_f64().unwrap_or(f64::NAN);
    let act = if p["act"] == ParamValue::Str("tanh".into()) {
        0.0
    } else {
        0.5
    };
    (f("lr").ln() - 3e-3f64.ln()).powi(2)
        + 10.0 * (f("drop") - 0.1).powi(2)
        + ((f("width") - 40.0) / 20.0).powi(2)
        + act
}

/// Returns each parameter of `params` as `name=value`, a real in full precision.
pub(super) fn exactly(params: &Params) -> String {
    params
        .iter()
        .map(|(name, v)| match v {
            ParamValue::Float(x) => format!("{name}={x:?}"),
            other => format!("{name}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn golden_sequence_on_a_bounded_space_for_seed_7() {
    // A golden sequence recorded before the box kept prior-shaped parameters off its faces: a
    // space without them is searched on the closed unit cube, bit for bit as before.
    let trials = study(&bayes(7), &bounded_space(), 14, bounded_loss);
    let drawn: Vec<String> = trials[10..].iter().map(|t| exactly(&t.params)).collect();
    assert_eq!(
        drawn,
        [
            "act=tanh drop=0.020638087154454282 lr=0.003579195975328003 width=51",
            "act=tanh drop=0.11862942924196644 lr=0.0038987772779630393 width=57",
            "act=tanh drop=0.0 lr=0.003205546675348499 width=40",
            "act=tanh drop=0.0 lr=0.0030276398006916683 width=35",
        ]
    );
}
