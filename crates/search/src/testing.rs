//! Test helpers: finished trials from values, and a study loop over a toy objective.

use std::collections::BTreeMap;

use experiment::{
    Direction, Distribution, MetricSpec, Param, ParamValue, Params, SearchSpace, Trial, TrialId,
};

use crate::plausible::TAIL;
use crate::unit::Coding;
use crate::{Sampler, SuggestContext};

/// The objective every test minimizes.
pub(crate) fn objective() -> MetricSpec {
    MetricSpec {
        name: "loss".into(),
        goal: Direction::Minimize,
    }
}

/// Returns a completed trial with `params` whose loss is `value`.
pub(crate) fn trial(id: u32, params: Params, value: f64) -> Trial {
    measured(id, params, BTreeMap::from([("loss".to_string(), value)]))
}

/// The benches' finished trial, shared so that tests and benches build it alike.
#[path = "../benches/common/mod.rs"]
mod common;

/// Returns a completed trial with `params` that recorded `metrics`.
pub(crate) use common::completed as measured;

/// Runs `budget` trials of `sampler` on `space`, one at a time, scoring each with `f`; the
/// sampler knows the budget as the planned trial count, as in a sweep.
pub(crate) fn study(
    sampler: &dyn Sampler,
    space: &SearchSpace,
    budget: u32,
    f: impl Fn(&Params) -> f64,
) -> Vec<Trial> {
    study_with(sampler, space, budget, Some(budget), f)
}

/// Runs `budget` trials as `study` does, telling the sampler `planned` trials.
pub(crate) fn study_with(
    sampler: &dyn Sampler,
    space: &SearchSpace,
    budget: u32,
    planned: Option<u32>,
    f: impl Fn(&Params) -> f64,
) -> Vec<Trial> {
    study_measuring(sampler, space, budget, planned, |p| {
        BTreeMap::from([("loss".to_string(), f(p))])
    })
}

/// Runs `budget` trials as `study_with` does, each recording the metrics `f` gives.
pub(crate) fn study_measuring(
    sampler: &dyn Sampler,
    space: &SearchSpace,
    budget: u32,
    planned: Option<u32>,
    f: impl Fn(&Params) -> BTreeMap<String, f64>,
) -> Vec<Trial> {
    let mut trials = Vec::new();
    for k in 0..budget {
        let params = sampler
            .suggest_in(&SuggestContext {
                space,
                finished: &trials,
                running: &[],
                pinned: &Params::new(),
                trial: TrialId(k),
                planned,
            })
            .unwrap_or_else(|e| panic!("trial {k}: {e}"));
        let metrics = f(&params);
        trials.push(measured(k, params, metrics));
    }
    trials
}

/// Returns `sampler`'s proposal for trial `k` given the `finished` trials, none running and no
/// plan.
pub(crate) fn propose(
    sampler: &dyn Sampler,
    space: &SearchSpace,
    finished: &[Trial],
    k: u32,
) -> Params {
    sampler
        .suggest_in(&SuggestContext {
            space,
            finished,
            running: &[],
            pinned: &Params::new(),
            trial: TrialId(k),
            planned: None,
        })
        .unwrap_or_else(|e| panic!("trial {k}: {e}"))
}

/// Returns the smallest loss of `trials`.
pub(crate) fn best(trials: &[Trial]) -> f64 {
    trials
        .iter()
        .filter_map(|t| t.value("loss"))
        .fold(f64::INFINITY, f64::min)
}

/// Returns the median of `values`.
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The space of `quadratic`: x and y uniform on [-5, 5].
pub(crate) fn quadratic_space() -> SearchSpace {
    let uniform = || Distribution::Uniform {
        min: -5.0,
        max: 5.0,
    };
    SearchSpace::new(vec![Param::new("x", uniform()), Param::new("y", uniform())])
}

/// `x` uniform on the unit interval and `kind`, `a` or `b`.
pub(crate) fn x_and_kind_space() -> SearchSpace {
    SearchSpace::new(vec![
        Param::new("x", Distribution::Uniform { min: 0.0, max: 1.0 }),
        Param::new(
            "kind",
            Distribution::Categorical {
                values: vec![ParamValue::Str("a".into()), ParamValue::Str("b".into())],
                probabilities: None,
            },
        ),
    ])
}

/// A quadratic bowl with its minimum 0 at x = 1, y = -2.
pub(crate) fn quadratic(p: &Params) -> f64 {
    let x = p["x"].as_f64().unwrap_or(f64::NAN);
    let y = p["y"].as_f64().unwrap_or(f64::NAN);
    (x - 1.0).powi(2) + (y + 2.0).powi(2)
}

/// Returns each trial's x and y to 6 decimals, for golden sequences on `quadratic_space`.
pub(crate) fn xy(trials: &[Trial]) -> Vec<String> {
    trials
        .iter()
        .map(|t| {
            format!(
                "x={:.6} y={:.6}",
                t.params["x"].as_f64().unwrap_or(0.0),
                t.params["y"].as_f64().unwrap_or(0.0)
            )
        })
        .collect()
}

/// Returns the median over seeds `0..seeds` of the best `quadratic` value that `sampler(seed)`
/// finds in `budget` trials.
pub(crate) fn median_best_on_quadratic(
    sampler: &dyn Fn(u64) -> Box<dyn Sampler>,
    seeds: u64,
    budget: u32,
) -> f64 {
    let space = quadratic_space();
    median(
        (0..seeds)
            .map(|s| best(&study(sampler(s).as_ref(), &space, budget, quadratic)))
            .collect(),
    )
}

/// `clip_norm` normal, `step_factor` beta (both prior-shaped) and `lr` log-uniform.
pub(crate) fn prior_space() -> SearchSpace {
    SearchSpace::new(vec![
        Param::new(
            "clip_norm",
            Distribution::Normal {
                mu: 5.0,
                sigma: 1.0,
            },
        ),
        Param::new("step_factor", Distribution::Beta { a: 2.0, b: 5.0 }),
        Param::new(
            "lr",
            Distribution::LogUniformValues {
                min: 1e-3,
                max: 1e-1,
            },
        ),
    ])
}

/// Returns the unit position (the prior's CDF) of `name`'s value in `params`.
pub(crate) fn unit_position(space: &SearchSpace, params: &Params, name: &str) -> f64 {
    let p = space.params().iter().find(|p| p.name == name);
    let Some(Coding::Numeric(n)) = p.map(|p| Coding::of(&p.distribution)) else {
        panic!("{name} is no numeric parameter of the space");
    };
    let x = n.coordinate(&params[name]);
    n.unit_of(x.unwrap_or_else(|| panic!("{name}: {:?}", params[name])))
}

/// Whether unit position `u` is within the prior's central range, up to a rounding of the
/// value's way back to it.
pub(crate) fn central(u: f64) -> bool {
    (TAIL - 1e-9..=1.0 - TAIL + 1e-9).contains(&u)
}

/// A bounded parameter of every kind: categorical, uniform, log-uniform and integer.
pub(crate) fn bounded_space() -> SearchSpace {
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
pub(crate) fn bounded_loss(p: &Params) -> f64 {
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
pub(crate) fn exactly(params: &Params) -> String {
    params
        .iter()
        .map(|(name, v)| match v {
            ParamValue::Float(x) => format!("{name}={x:?}"),
            other => format!("{name}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
