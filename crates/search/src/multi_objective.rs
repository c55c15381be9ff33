//! Samplers on studies with two objectives, ZDT1, whose Pareto front is `f2 = 1 - sqrt(f1)` at
//! `x2 = 0`, and three and five, DTLZ2. The model-based samplers must cover more of the front than
//! random search, measured by the hypervolume their trials dominate; and the scores they learn
//! from must order trials by front.

use std::collections::BTreeMap;

use experiment::{
    Direction, Distribution, Method, MetricSpec, Param, Params, SearchSpace, Seed, Trial,
};

use crate::history::{self, Combine};
use crate::sampler_for;
use crate::testing::{measured, median, study_measuring};

/// Returns objectives of these names, each minimized.
fn minimized(names: &[&str]) -> Vec<MetricSpec> {
    names
        .iter()
        .map(|name| MetricSpec {
            name: (*name).into(),
            goal: Direction::Minimize,
        })
        .collect()
}

fn objectives() -> Vec<MetricSpec> {
    minimized(&["f1", "f2"])
}

fn finished(id: u32, params: Params, f1: f64, f2: f64) -> Trial {
    measured(
        id,
        params,
        BTreeMap::from([("f1".to_string(), f1), ("f2".to_string(), f2)]),
    )
}

/// A test problem: its objectives (all minimized), its parameters (each on [0, 1]), the
/// metrics of a point, and the reference point its hypervolume is measured to.
struct Problem {
    objectives: &'static [&'static str],
    params: &'static [&'static str],
    measure: fn(&Params) -> BTreeMap<String, f64>,
    reference: &'static [f64],
}

/// ZDT1 in three dimensions, `x`, `y`, `z`, up to (1.1, 11).
const ZDT1: Problem = Problem {
    objectives: &["f1", "f2"],
    params: &["x", "y", "z"],
    measure: zdt1,
    reference: &[1.1, 11.0],
};

/// DTLZ2 in five dimensions, up to (1.1, 1.1, 1.1).
const DTLZ2: Problem = Problem {
    objectives: &["f1", "f2", "f3"],
    params: &["a", "b", "c", "d", "e"],
    measure: dtlz2,
    reference: &[1.1, 1.1, 1.1],
};

/// ZDT1: `f1` and `f2` of `x`, `y`, `z` in [0, 1].
fn zdt1(p: &Params) -> BTreeMap<String, f64> {
    let at = |name: &str| p[name].as_f64().unwrap_or(f64::NAN);
    let f1 = at("x");
    let g = 1.0 + 9.0 * (at("y") + at("z")) / 2.0;
    BTreeMap::from([
        ("f1".to_string(), f1),
        ("f2".to_string(), g * (1.0 - (f1 / g).sqrt())),
    ])
}

/// Returns the median over `seeds` seeds of the hypervolume that `budget` trials of `method`
/// dominate on `problem`.
fn median_hypervolume(problem: &Problem, method: Method, budget: u32, seeds: u64) -> f64 {
    let objectives = minimized(problem.objectives);
    let unit = || Distribution::Uniform { min: 0.0, max: 1.0 };
    let space = SearchSpace::new(
        problem
            .params
            .iter()
            .map(|n| Param::new(*n, unit()))
            .collect(),
    );
    median(
        (0..seeds)
            .map(|seed| {
                let sampler =
                    sampler_for(method, Seed(seed), &objectives[0], &objectives[1..], &[]);
                let trials = study_measuring(
                    sampler.as_ref(),
                    &space,
                    budget,
                    Some(budget),
                    problem.measure,
                );
                let points: Vec<Vec<f64>> = trials
                    .iter()
                    .filter_map(|t| objectives.iter().map(|o| t.value(&o.name)).collect())
                    .collect();
                experiment::pareto::hypervolume(&points, problem.reference)
            })
            .collect(),
    )
}

#[test]
fn model_based_samplers_cover_more_of_the_front_than_random_search() {
    let random = median_hypervolume(&ZDT1, Method::Random, 40, 7);
    let tpe = median_hypervolume(&ZDT1, Method::Tpe(experiment::TpeConfig::default()), 40, 7);
    let bayes = median_hypervolume(
        &ZDT1,
        Method::Bayes(experiment::BayesConfig::default()),
        40,
        7,
    );
    // Measured: random 9.71, tpe 11.35, bayes 11.71.
    // The whole front dominates 1.1 * 11 less the area under 1 - sqrt(f1) on [0, 1], 1/3.
    assert!(tpe > random + 0.5, "tpe {tpe} against random {random}");
    assert!(
        bayes > random + 0.5,
        "bayes {bayes} against random {random}"
    );
    assert!(bayes < 11.767 && tpe < 11.767);
}

#[test]
fn the_samplers_learn_from_fronts_or_weighted_combinations() {
    let at = |x: f64| Params::from([("x".to_string(), experiment::ParamValue::Float(x))]);
    let trials = vec![
        finished(0, at(0.0), 1.0, 4.0),
        // Dominated by 0.
        finished(1, at(0.1), 2.0, 5.0),
        finished(2, at(0.2), 4.0, 1.0),
        finished(3, at(0.3), 2.0, 2.0),
    ];
    let fronts = history::observations(&trials, &objectives(), &[], Combine::Fronts);
    let scores: Vec<f64> = fronts.iter().map(|o| o.score).collect();
    // Front 0 is 0, 2 and 3, ordered greedily by the hypervolume each adds up to (4.3, 5.4):
    // 3 (2.3 by 3.4 alone), then 0 (adding 1 by 1.4), then 2 (0.3 by 1); front 1 is trial 1.
    assert!(scores[1] >= 1.0, "{scores:?}");
    assert!(
        scores[3] < scores[0] && scores[0] < scores[2] && scores[2] < 1.0,
        "{scores:?}"
    );
    // All weight on f2: scaled f2 of 4, 5, 1, 2 over [1, 5] is 0.75, 1, 0, 0.25, and the
    // augmentation adds a twentieth of it.
    let weighted =
        history::observations(&trials, &objectives(), &[], Combine::Weighted(&[0.0, 1.0]));
    let scores: Vec<f64> = weighted.iter().map(|o| o.score).collect();
    for (got, want) in scores.iter().zip([0.75, 1.0, 0.0, 0.25]) {
        assert!((got - want * 1.05).abs() < 1e-12, "{scores:?}");
    }
    // One objective keeps its value as the score, whatever the combination.
    let one = history::observations(&trials, &objectives()[..1], &[], Combine::Weighted(&[1.0]));
    assert_eq!(
        one.iter().map(|o| o.score).collect::<Vec<_>>(),
        [1.0, 2.0, 4.0, 2.0]
    );
}

/// DTLZ2 with three objectives in five dimensions: the front is the unit sphere's octant, at
/// `x3 = x4 = x5 = 0.5`.
fn dtlz2(p: &Params) -> BTreeMap<String, f64> {
    let x: Vec<f64> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| p[*n].as_f64().unwrap_or(f64::NAN))
        .collect();
    let g: f64 = x[2..].iter().map(|v| (v - 0.5).powi(2)).sum();
    let (a, b) = (
        x[0] * std::f64::consts::FRAC_PI_2,
        x[1] * std::f64::consts::FRAC_PI_2,
    );
    BTreeMap::from([
        ("f1".to_string(), (1.0 + g) * a.cos() * b.cos()),
        ("f2".to_string(), (1.0 + g) * a.cos() * b.sin()),
        ("f3".to_string(), (1.0 + g) * a.sin()),
    ])
}

#[test]
fn with_three_objectives_too_model_based_samplers_cover_more_than_random_search() {
    let random = median_hypervolume(&DTLZ2, Method::Random, 40, 5);
    let tpe = median_hypervolume(&DTLZ2, Method::Tpe(experiment::TpeConfig::default()), 40, 5);
    let bayes = median_hypervolume(
        &DTLZ2,
        Method::Bayes(experiment::BayesConfig::default()),
        40,
        5,
    );
    // Measured: random 0.322, tpe 0.426, bayes 0.402; `tpe` ordering fronts by crowding
    // distance, as it did before hypervolumes in three objectives, fell below random search.
    // The whole front dominates 1.331 - pi/6 = 0.807.
    assert!(tpe > random + 0.04, "tpe {tpe} against random {random}");
    assert!(
        bayes > random + 0.04,
        "bayes {bayes} against random {random}"
    );
}

#[test]
fn nsga2_generations_move_towards_the_front() {
    let nsga2 = Method::Nsga2(experiment::Nsga2Config {
        population_size: 10,
        ..experiment::Nsga2Config::default()
    });
    let random = median_hypervolume(&ZDT1, Method::Random, 60, 15);
    let bred = median_hypervolume(&ZDT1, nsga2, 60, 15);
    // Measured (generations of 10, the first random; seeds 0-14): random 10.28, nsga2 11.00
    // (10.80 when a child could take one trial as both parents). Seeds 0-6, which this used
    // before, give nsga2 10.38 now, against 10.68 then; 40 seeds 11.05 against 10.95: seven
    // seeds are too few to test by.
    assert!(bred > random + 0.25, "nsga2 {bred} against random {random}");
}

/// DTLZ2 with five objectives in nine dimensions, up to 1.1 in each.
const DTLZ2_5: Problem = Problem {
    objectives: &["f1", "f2", "f3", "f4", "f5"],
    params: &["a", "b", "c", "d", "e", "f", "g", "h", "i"],
    measure: dtlz2_5,
    reference: &[1.1, 1.1, 1.1, 1.1, 1.1],
};

/// DTLZ2 with five objectives: four angles place a point on the unit sphere's positive
/// orthant, and the last five coordinates, away from 0.5, push it out.
fn dtlz2_5(p: &Params) -> BTreeMap<String, f64> {
    let x: Vec<f64> = DTLZ2_5
        .params
        .iter()
        .map(|n| p[*n].as_f64().unwrap_or(f64::NAN))
        .collect();
    let g: f64 = x[4..].iter().map(|v| (v - 0.5).powi(2)).sum();
    let angle = |v: f64| v * std::f64::consts::FRAC_PI_2;
    (0..5)
        .map(|k| {
            let cosines: f64 = x[..4 - k].iter().map(|v| angle(*v).cos()).product();
            let sine = if k == 0 { 1.0 } else { angle(x[4 - k]).sin() };
            (format!("f{}", k + 1), (1.0 + g) * cosines * sine)
        })
        .collect()
}

#[test]
fn with_five_objectives_nsga3s_reference_directions_beat_nsga2s_crowding() {
    let genetic = experiment::Nsga2Config {
        population_size: 40,
        ..experiment::Nsga2Config::default()
    };
    let nsga2 = median_hypervolume(&DTLZ2_5, Method::Nsga2(genetic), 320, 10);
    let nsga3 = median_hypervolume(
        &DTLZ2_5,
        Method::Nsga3(experiment::Nsga3Config {
            genetic,
            ..experiment::Nsga3Config::default()
        }),
        320,
        10,
    );
    let random = median_hypervolume(&DTLZ2_5, Method::Random, 320, 10);
    // Measured (generations of 40, 320 trials, seeds 0-9): random 0.551, nsga2 0.641, nsga3
    // 0.765 (0.625 and 0.680 when a child could take one trial as both parents; the whole
    // front: 1.446). In five objectives nearly every trial is on the front,
    // so selection comes down to the cut: crowding distance favours the ends of each
    // objective, reference directions the whole front.
    assert!(nsga2 > random, "nsga2 {nsga2} against random {random}");
    assert!(
        nsga3 > nsga2 + 0.03,
        "nsga3 {nsga3} against nsga2 {nsga2}, random {random}"
    );
}

#[test]
fn with_five_objectives_tpe_models_each_parameter_alone() {
    let tpe = |multivariate| {
        Method::Tpe(experiment::TpeConfig {
            multivariate,
            ..experiment::TpeConfig::default()
        })
    };
    let default = median_hypervolume(&DTLZ2_5, tpe(None), 100, 5);
    let alone = median_hypervolume(&DTLZ2_5, tpe(Some(false)), 100, 5);
    let joint = median_hypervolume(&DTLZ2_5, tpe(Some(true)), 100, 5);
    // Measured (DTLZ2 in five objectives, 100 trials, seeds 0-4): one at a time (the default
    // with four objectives or more) 0.563, jointly 0.422.
    assert_eq!(default, alone);
    assert!(
        alone > joint + 0.05,
        "one at a time {alone} against jointly {joint}"
    );
}
