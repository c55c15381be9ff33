//! Property tests over random spaces: every sampler's proposals respect bounds, types and
//! conditions, for any seed and any history.
//!
//! Spaces are drawn from a seeded ChaCha8 stream: every distribution, integer and string
//! categoricals with and without probabilities, and conditions on earlier string categoricals
//! (including chains). Each sampler then runs a short study with random objective values,
//! failed trials and a running trial, some trials given some of their parameters (`pinned`), and
//! every proposal is checked: a parameter is present exactly when its condition holds, its value
//! has the distribution's type and range, and a pinned one has its pinned value.

use std::collections::BTreeMap;

use experiment::{
    Acquisition, BayesConfig, CmaEsConfig, Condition, Direction, Distribution, GridConfig,
    IndependentSampler, Method, MetricSpec, Nsga2Config, Nsga3Config, Param, ParamValue, Params,
    Restart, SearchSpace, Seed, SobolConfig, TpeConfig, Trial, TrialId, TrialState,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::testing::{objective, trial};
use crate::{sampler_for, RandomSampler, Sampler, SuggestContext};

#[test]
fn proposals_respect_bounds_types_and_conditions() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let mut failures = Vec::new();
    for case in 0..40 {
        let space = random_space(&mut rng);
        let mut methods = vec![
            Method::Random,
            Method::Sobol(SobolConfig::default()),
            Method::Tpe(quick_tpe()),
            Method::Tpe(TpeConfig {
                multivariate: Some(false),
                ..quick_tpe()
            }),
            Method::Bayes(quick_bayes()),
            Method::Bayes(BayesConfig {
                acquisition: Acquisition::Ucb { kappa: 1.0 },
                ..quick_bayes()
            }),
            Method::CmaEs(CmaEsConfig {
                n_startup_trials: 1,
                popsize: Some(3),
                sigma0: 0.5,
                independent_sampler: IndependentSampler::Random,
                restart: Restart::Ipop,
                with_margin: false,
                lr_adapt: true,
                use_separable_cma: true,
            }),
            Method::CmaEs(CmaEsConfig::default()),
            Method::Nsga2(Nsga2Config {
                population_size: 3,
                ..Nsga2Config::default()
            }),
            Method::Nsga2(Nsga2Config {
                population_size: 3,
                crossover: experiment::Crossover::Sbx { eta: None },
                ..Nsga2Config::default()
            }),
            Method::Nsga2(Nsga2Config {
                population_size: 3,
                crossover: experiment::Crossover::Blx { alpha: 0.5 },
                ..Nsga2Config::default()
            }),
            Method::Nsga3(Nsga3Config {
                genetic: Nsga2Config {
                    population_size: 3,
                    ..Nsga2Config::default()
                },
                dividing_parameter: 2,
            }),
        ];
        if space.grid_size().is_some_and(|n| n >= 1) {
            methods.push(Method::Grid(GridConfig::default()));
            methods.push(Method::Grid(GridConfig { shuffle: true }));
        }
        for method in methods {
            let sampler = sampler_for(method, Seed(case), &objective(), &[], &[]);
            let budget = match method {
                Method::Grid(_) => space.grid_size().map_or(0, |n| n.min(12)),
                _ => 12,
            };
            let study = Checked {
                space: &space,
                case,
                method,
                budget,
            };
            study.run(sampler.as_ref(), &mut rng, None, &mut failures);
        }
    }
    assert_none(&failures);
}

/// With two objectives, `tpe` and `bayes` (the samplers that take several) keep the same rules.
#[test]
fn proposals_with_two_objectives_respect_bounds_types_and_conditions() {
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let mut failures = Vec::new();
    let cost = MetricSpec {
        name: "cost".into(),
        goal: Direction::Minimize,
    };
    for case in 0..20 {
        let space = random_space(&mut rng);
        let mut costs = ChaCha8Rng::seed_from_u64(case ^ 0x5eed);
        let nsga2 = Nsga2Config {
            population_size: 3,
            ..Nsga2Config::default()
        };
        let methods = [
            Method::Tpe(quick_tpe()),
            Method::Bayes(quick_bayes()),
            Method::Nsga2(nsga2),
            Method::Nsga3(Nsga3Config {
                genetic: nsga2,
                dividing_parameter: 1,
            }),
        ];
        for method in methods {
            let more = std::slice::from_ref(&cost);
            let sampler = sampler_for(method, Seed(case), &objective(), more, &[]);
            let study = Checked {
                space: &space,
                case,
                method,
                budget: 12,
            };
            study.run(sampler.as_ref(), &mut rng, Some(&mut costs), &mut failures);
        }
    }
    assert_none(&failures);
}

/// TPE after 3 startup trials, for short studies.
fn quick_tpe() -> TpeConfig {
    TpeConfig {
        n_startup_trials: 3,
        ..TpeConfig::default()
    }
}

/// The GP after 3 startup trials, with a cheap acquisition search, for short studies.
fn quick_bayes() -> BayesConfig {
    BayesConfig {
        n_startup_trials: 3,
        n_candidates: 64,
        n_local_search: 2,
        ..BayesConfig::default()
    }
}

/// Fails with the first few `failures`, if any.
fn assert_none(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failures, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// One checked study of `proposals_respect_bounds_types_and_conditions`.
struct Checked<'s> {
    space: &'s SearchSpace,
    case: u64,
    method: Method,
    budget: u64,
}

impl Checked<'_> {
    /// Runs the study with `sampler`, random values from `rng` (and, with `costs`, a second
    /// objective `cost` from it), and adds every proposal that breaks a rule to `failures`.
    fn run(
        &self,
        sampler: &dyn Sampler,
        rng: &mut ChaCha8Rng,
        mut costs: Option<&mut ChaCha8Rng>,
        failures: &mut Vec<String>,
    ) {
        let (space, case, method, budget) = (self.space, self.case, self.method, self.budget);
        let mut trials: Vec<Trial> = Vec::new();
        // A stream of its own, so that the objective's values are as they were.
        let mut pins = ChaCha8Rng::seed_from_u64(case);
        for k in 0..u32::try_from(budget).unwrap_or(0) {
            let running = trials
                .last()
                .map(|t| vec![t.params.clone()])
                .unwrap_or_default();
            let pinned = match method {
                Method::Grid(_) => Params::new(),
                _ => some_given(space, k, &mut pins),
            };
            let params = match sampler.suggest_in(&SuggestContext {
                space,
                finished: &trials,
                running: &running,
                pinned: &pinned,
                trial: TrialId(k),
                planned: u32::try_from(budget).ok(),
            }) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("case {case}, {method:?}, trial {k}: {e}"));
                    break;
                }
            };
            if let Some((name, v)) = pinned.iter().find(|(n, v)| params.get(*n) != Some(v)) {
                failures.push(format!(
                    "case {case}, {}, trial {k}: `{name}` pinned to {v:?}, proposed {:?}",
                    method.name(),
                    params.get(name)
                ));
            }
            if let Err(why) = check(space, &params) {
                failures.push(format!(
                    "case {case}, {}, trial {k}: {why}\n{space:?}",
                    method.name()
                ));
            }
            let mut t = trial(k, params, rng.gen_range(-10.0..10.0));
            if let (Some(costs), Some(result)) = (costs.as_deref_mut(), t.result.as_mut()) {
                result
                    .metrics
                    .insert("cost".into(), costs.gen_range(0.0..100.0));
            }
            if rng.gen::<f64>() < 0.15 {
                t.state = TrialState::Failed;
                t.result = None;
            }
            trials.push(t);
        }
    }
}

/// Returns, for a third of the trials, some parameters of a valid point (as an enqueued trial
/// that gives some and leaves the rest to the sampler): each kept with its conditions' parameters.
fn some_given(space: &SearchSpace, k: u32, rng: &mut ChaCha8Rng) -> Params {
    let mut given = Params::new();
    if rng.gen::<f64>() >= 1.0 / 3.0 {
        return given;
    }
    let point = RandomSampler::new(Seed(rng.gen()))
        .suggest(space, &[], TrialId(k))
        .unwrap_or_default();
    for p in space.in_dependency_order() {
        let placed = p
            .condition
            .as_ref()
            .is_none_or(|c| c.when.keys().all(|n| given.contains_key(n)));
        if let (true, Some(v)) = (placed, point.get(&p.name)) {
            if rng.gen::<f64>() < 0.5 {
                given.insert(p.name.clone(), v.clone());
            }
        }
    }
    given
}

/// Checks one proposal against the space.
fn check(space: &SearchSpace, params: &Params) -> Result<(), String> {
    for name in params.keys() {
        if space.param(name).is_none() {
            return Err(format!("`{name}` is not in the space"));
        }
    }
    for p in space.params() {
        let active = p.condition.as_ref().is_none_or(|c| c.holds(params));
        match (params.get(&p.name), active) {
            (Some(_), false) => return Err(format!("`{}` is present but inactive", p.name)),
            (None, true) => return Err(format!("`{}` is active but absent", p.name)),
            (None, false) => {}
            (Some(v), true) => {
                check_value(&p.distribution, v)
                    .map_err(|why| format!("`{}` = {v:?}: {why}", p.name))?;
            }
        }
    }
    Ok(())
}

fn check_value(d: &Distribution, v: &ParamValue) -> Result<(), String> {
    let within = |x: f64, lo: f64, hi: f64| {
        let slack = 1e-9 * (hi - lo).abs().max(lo.abs()).max(hi.abs()).max(1e-300);
        if x >= lo - slack && x <= hi + slack {
            Ok(())
        } else {
            Err(format!("outside [{lo}, {hi}]"))
        }
    };
    let float = |v: &ParamValue| match v {
        ParamValue::Float(x) if x.is_finite() => Ok(*x),
        _ => Err("expected a finite float".to_string()),
    };
    let multiple = |x: f64, q: f64| {
        let k = (x / q).round();
        if (x - k * q).abs() <= 1e-9 * q.max(x.abs()) {
            Ok(())
        } else {
            Err(format!("not a multiple of {q}"))
        }
    };
    // A quantized value: a multiple of q, an integer when q is whole.
    let stepped = |q: f64| {
        let x = v.as_f64().ok_or("expected a number")?;
        if q.fract() == 0.0 && !matches!(v, ParamValue::Int(_)) {
            return Err("a whole q gives integers".to_string());
        }
        multiple(x, q)?;
        Ok(x)
    };
    match d {
        Distribution::Constant(c) => (v == c).then_some(()).ok_or("not the constant".into()),
        Distribution::Categorical { values, .. } => values
            .contains(v)
            .then_some(())
            .ok_or("not a listed value".into()),
        Distribution::Uniform { min, max } => within(float(v)?, *min, *max),
        Distribution::IntUniform { min, max } => match v {
            ParamValue::Int(i) if i >= min && i <= max => Ok(()),
            _ => Err("expected an integer in range".into()),
        },
        Distribution::QUniform { min, max, q }
        | Distribution::QLogUniformValues { min, max, q } => {
            within(stepped(*q)?, (min / q).round() * q, (max / q).round() * q)
        }
        Distribution::QLogUniform { min, max, q } => within(
            stepped(*q)?,
            (min.exp() / q).round() * q,
            (max.exp() / q).round() * q,
        ),
        Distribution::QNormal { q, .. } => stepped(*q).map(|_| ()),
        Distribution::QLogNormal { q, .. } => within(stepped(*q)?, 0.0, f64::MAX),
        Distribution::QBeta { q, .. } => within(stepped(*q)?, 0.0, (1.0 / q).round() * q),
        Distribution::LogUniform { min, max } => within(float(v)?, min.exp(), max.exp()),
        Distribution::InvLogUniform { min, max } => within(float(v)?, (-max).exp(), (-min).exp()),
        // Bounds written as values hold exactly, with no rounding slack: a filter or a check
        // of the range compares with them as written (`param.l2 >= 0.003`).
        Distribution::LogUniformValues { min, max }
        | Distribution::InvLogUniformValues { min, max } => {
            let x = float(v)?;
            (x >= *min && x <= *max)
                .then_some(())
                .ok_or(format!("outside [{min}, {max}] as written"))
        }
        Distribution::Beta { .. } => within(float(v)?, 0.0, 1.0),
        Distribution::Normal { .. } => float(v).map(|_| ()),
        Distribution::LogNormal { .. } => {
            let x = float(v)?;
            (x > 0.0)
                .then_some(())
                .ok_or("expected a positive value".into())
        }
    }
}

/// Returns a space of 1 to 6 parameters; some are conditional on earlier string categoricals.
fn random_space(rng: &mut ChaCha8Rng) -> SearchSpace {
    let n = rng.gen_range(1..=6);
    let mut params: Vec<Param> = Vec::new();
    for i in 0..n {
        let name = format!("p{i}");
        let distribution = random_distribution(rng);
        let selectors: Vec<&Param> = params
            .iter()
            .filter(|p| {
                matches!(&p.distribution, Distribution::Categorical { values, .. }
                    if values.iter().all(|v| matches!(v, ParamValue::Str(_))))
            })
            .collect();
        let condition = if !selectors.is_empty() && rng.gen::<f64>() < 0.5 {
            let s = selectors[rng.gen_range(0..selectors.len())];
            let Distribution::Categorical { values, .. } = &s.distribution else {
                unreachable!("filtered on categoricals");
            };
            let take = rng.gen_range(1..=values.len());
            Some(Condition {
                when: BTreeMap::from([(s.name.clone(), values[..take].to_vec())]),
            })
        } else {
            None
        };
        params.push(Param {
            name,
            distribution,
            condition,
        });
    }
    SearchSpace::new(params)
}

fn random_distribution(rng: &mut ChaCha8Rng) -> Distribution {
    let strings = |rng: &mut ChaCha8Rng| -> Vec<ParamValue> {
        let k = rng.gen_range(1..=4);
        (0..k).map(|j| ParamValue::Str(format!("v{j}"))).collect()
    };
    match rng.gen_range(0..15) {
        0 => Distribution::Constant(ParamValue::Float(rng.gen_range(-1.0..1.0))),
        1 | 2 => {
            let values = strings(rng);
            let probabilities = (rng.gen::<f64>() < 0.4).then(|| {
                let w: Vec<f64> = values.iter().map(|_| rng.gen_range(0.1..1.0)).collect();
                let total: f64 = w.iter().sum();
                w.iter().map(|x| x / total).collect()
            });
            Distribution::Categorical {
                values,
                probabilities,
            }
        }
        3 => Distribution::Categorical {
            values: vec![
                ParamValue::Int(16),
                ParamValue::Int(32),
                ParamValue::Int(64),
            ],
            probabilities: None,
        },
        4 => {
            let min = rng.gen_range(-5.0..5.0);
            Distribution::Uniform {
                min,
                max: min + rng.gen_range(0.01..10.0),
            }
        }
        5 => {
            let min = rng.gen_range(-5..5);
            Distribution::IntUniform {
                min,
                max: min + rng.gen_range(0..6),
            }
        }
        6 => Distribution::QUniform {
            min: 0.3,
            max: 9.7,
            q: if rng.gen::<bool>() { 2.0 } else { 0.25 },
        },
        7 => Distribution::LogUniform {
            min: -6.0,
            max: rng.gen_range(-5.0..1.0),
        },
        8 => Distribution::LogUniformValues {
            min: 1e-5,
            max: rng.gen_range(1e-4..1.0),
        },
        9 => Distribution::QLogUniformValues {
            min: 8.0,
            max: 512.0,
            q: 8.0,
        },
        11 => Distribution::QLogUniform {
            min: 1.0,
            max: rng.gen_range(2.0..6.0),
            q: if rng.gen::<bool>() { 4.0 } else { 0.5 },
        },
        12 => {
            if rng.gen::<bool>() {
                Distribution::InvLogUniform {
                    min: 1.0,
                    max: rng.gen_range(2.0..9.0),
                }
            } else {
                Distribution::InvLogUniformValues {
                    min: 1e-4,
                    max: rng.gen_range(1e-3..1.0),
                }
            }
        }
        13 => {
            let q = if rng.gen::<bool>() { 1.0 } else { 0.1 };
            if rng.gen::<bool>() {
                Distribution::QNormal {
                    mu: rng.gen_range(-3.0..3.0),
                    sigma: rng.gen_range(0.5..4.0),
                    q,
                }
            } else {
                Distribution::QLogNormal {
                    mu: rng.gen_range(-1.0..2.0),
                    sigma: rng.gen_range(0.3..1.5),
                    q,
                }
            }
        }
        14 => {
            let (a, b) = (rng.gen_range(0.3..6.0), rng.gen_range(0.3..6.0));
            if rng.gen::<bool>() {
                Distribution::Beta { a, b }
            } else {
                Distribution::QBeta {
                    a,
                    b,
                    q: if rng.gen::<bool>() { 0.05 } else { 0.4 },
                }
            }
        }
        _ => {
            if rng.gen::<bool>() {
                Distribution::Normal {
                    mu: rng.gen_range(-1.0..1.0),
                    sigma: rng.gen_range(0.1..2.0),
                }
            } else {
                Distribution::LogNormal {
                    mu: -3.0,
                    sigma: 0.5,
                }
            }
        }
    }
}

#[test]
fn a_sampler_that_cannot_learn_from_what_it_sees_proposes_the_same_without_it() {
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    for case in 0..10 {
        let space = random_space(&mut rng);
        let methods = [
            Method::Random,
            Method::Sobol(SobolConfig::default()),
            Method::Tpe(TpeConfig {
                n_startup_trials: 4,
                ..TpeConfig::default()
            }),
            Method::Bayes(BayesConfig {
                n_startup_trials: 4,
                n_candidates: 64,
                n_local_search: 2,
                ..BayesConfig::default()
            }),
            Method::CmaEs(CmaEsConfig::default()),
            Method::Nsga2(Nsga2Config {
                population_size: 4,
                ..Nsga2Config::default()
            }),
            Method::Nsga3(Nsga3Config {
                genetic: Nsga2Config {
                    population_size: 4,
                    ..Nsga2Config::default()
                },
                ..Nsga3Config::default()
            }),
        ];
        for method in methods {
            let sampler = sampler_for(method, Seed(case), &objective(), &[], &[]);
            let learns = !matches!(method, Method::Random | Method::Sobol(_));
            assert_eq!(sampler.learns_from(4), learns, "{method:?}");
            assert!(!sampler.learns_from(3), "{method:?}");
            let mut trials: Vec<Trial> = Vec::new();
            for k in 0..8u32 {
                let visible = trials.len();
                let running = trials
                    .last()
                    .map(|t| vec![t.params.clone()])
                    .unwrap_or_default();
                let ctx = |finished: &[Trial], running: &[Params]| {
                    sampler.suggest_in(&SuggestContext {
                        space: &space,
                        finished,
                        running,
                        pinned: &Params::new(),
                        trial: TrialId(k),
                        planned: Some(8),
                    })
                };
                // A sampler that fails must fail the test, not compare two empty suggestions.
                let suggest = |finished: &[Trial], running: &[Params]| {
                    ctx(finished, running).unwrap_or_else(|e| {
                        panic!("case {case}, {}, trial {k}: {e}", method.name())
                    })
                };
                let seen = suggest(&trials, &running);
                if !sampler.learns_from(visible) {
                    let unseen = suggest(&[], &[]);
                    assert_eq!(seen, unseen, "case {case}, {}, trial {k}", method.name());
                }
                trials.push(trial(k, seen, rng.gen_range(-10.0..10.0)));
            }
        }
    }
}

/// The quadratic bowl (minimum at x = 1) with the constraint x ≤ -1, recorded as the metric
/// `x`: the best feasible point is x = -1, y = -2, with loss 4.
#[test]
fn constrained_samplers_find_the_best_feasible_point_and_stay_near_it() {
    use experiment::Constraint;

    use crate::testing::{quadratic, quadratic_space};

    let space = quadratic_space();
    let constraint = Constraint {
        metric: "x".into(),
        min: None,
        max: Some(-1.0),
    };
    let run = |method: Method, constraints: &[Constraint]| {
        let sampler = sampler_for(method, Seed(4), &objective(), &[], constraints);
        let mut trials: Vec<Trial> = Vec::new();
        for k in 0..40 {
            let params = sampler
                .suggest_in(&SuggestContext {
                    space: &space,
                    finished: &trials,
                    running: &[],
                    pinned: &Params::new(),
                    trial: TrialId(k),
                    planned: Some(40),
                })
                .unwrap_or_else(|e| panic!("{method:?} trial {k}: {e}"));
            let x = params["x"].as_f64().unwrap_or(f64::NAN);
            let mut t = trial(k, params.clone(), quadratic(&params));
            if let Some(result) = t.result.as_mut() {
                result.metrics.insert("x".into(), x);
            }
            trials.push(t);
        }
        let feasible: Vec<&Trial> = trials
            .iter()
            .filter(|t| experiment::feasible(std::slice::from_ref(&constraint), t))
            .collect();
        let best = feasible
            .iter()
            .filter_map(|t| t.value("loss"))
            .fold(f64::INFINITY, f64::min);
        (feasible.len(), best)
    };
    for method in [
        Method::Tpe(TpeConfig::default()),
        Method::Bayes(BayesConfig::default()),
        Method::CmaEs(CmaEsConfig::default()),
        Method::Nsga2(Nsga2Config {
            population_size: 8,
            ..Nsga2Config::default()
        }),
        Method::Nsga3(Nsga3Config {
            genetic: Nsga2Config {
                population_size: 8,
                ..Nsga2Config::default()
            },
            ..Nsga3Config::default()
        }),
    ] {
        let (free_count, _) = run(method, &[]);
        let (count, best) = run(method, std::slice::from_ref(&constraint));
        // Measured: tpe 21 feasible trials against 6 without the constraint, best 5.85;
        // bayes 28 against 6, best 4.00001; cmaes 25 against 3, best 5.42; nsga2 and nsga3
        // (generations of 8) 26 against 10, best 12.9 (25 and 4.47 when a child could take
        // one trial as both parents). In five generations the genetic samplers are steered
        // into the feasible region but hardly refine: their median best over seeds 0-29 is
        // 7.0 (6.9 before; random search 7.7), so one seed's best says little, and only the
        // count is asked of them.
        assert!(
            count >= 20 && count > 2 * free_count,
            "{method:?}: {count} feasible trials of 40 with the constraint, {free_count} without"
        );
        let genetic = matches!(method, Method::Nsga2(_) | Method::Nsga3(_));
        assert!(
            genetic || best < 6.0,
            "{method:?}: best feasible loss {best}, optimum 4"
        );
        if matches!(method, Method::Bayes(_)) {
            assert!(
                best < 4.05,
                "the GP models the boundary: best {best}, optimum 4"
            );
        }
    }
}
