//! Samplers on studies with several objectives, the figure being the hypervolume the trials
//! dominate up to a reference point: median and interquartile range over 20 seeds (one run's
//! luck moves a 10-seed median by a few tenths), beside Optuna 5.0's samplers on the same
//! function, budgets and measure (`optuna_pareto_reference.py`, its seeds 0-19, measured on
//! this machine).
//!
//! - ZDT1 in 5 dimensions ([0, 1]^5; f1 = x1, g = 1 + 9 * mean(x2..x5), f2 = g * (1 -
//!   sqrt(f1 / g)), both minimized; the Pareto front is f2 = 1 - sqrt(f1), at x2..x5 = 0), up
//!   to (1.1, 11): the whole front reaches 12.1 - 1/3 = 11.767.
//! - DTLZ2 with three objectives in 5 dimensions (g = sum over x3..x5 of (x - 0.5)^2; f1 =
//!   (1 + g) cos(x1 pi/2) cos(x2 pi/2), f2 = (1 + g) cos(x1 pi/2) sin(x2 pi/2), f3 = (1 + g)
//!   sin(x1 pi/2); the front is the unit sphere's octant, at x3..x5 = 0.5), up to (1.1, 1.1,
//!   1.1): the whole front reaches 1.331 - pi/6 = 0.807.
//! - DTLZ2 with five objectives in 9 dimensions (the same construction: four angles, g over
//!   x5..x9), up to 1.1 in each: the whole front reaches 1.1^5 less the unit ball's positive
//!   orthant, 1.61051 - pi^2/60 = 1.446. Here crowding distance (NSGA-II) no longer tells a
//!   front's crowded parts from its thin ones, and reference directions (NSGA-III) do.
//!
//! `nsga2` and `nsga3` have Optuna's default generations of 50 (the first drawn at random)
//! and our default crossover (`blx`); `nsga2:50:uniform` and `nsga3:50:uniform` are Optuna's
//! defaults whole (uniform crossover), `nsga2:20` and `nsga3:20` have generations of 20, and
//! `nsga2:20:sbx` simulated binary crossover. `tpe:10` is `tpe` with 10 startup trials,
//! `tpe:joint` and `tpe:independent` `tpe` with `multivariate: true` and `false` whatever the
//! objectives.
//!
//! Run with `cargo bench -p search --bench pareto`; `-- --seeds 5 --budgets 50` narrows it,
//! `--samplers tpe,nsga3:20` runs only those, and `--first-seed N` runs seeds N, N + 1, ...
//! (judge a tuning on seeds the figures do not use).

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use experiment::{
    BayesConfig, Crossover, Direction, Distribution, Method, MetricSpec, Nsga2Config, Nsga3Config,
    Param, Params, SearchSpace, Seed, SobolConfig, TpeConfig, Trial, TrialId,
};
use search::{sampler_for, SuggestContext};

mod common;

/// A test function of several objectives, all minimized.
struct Problem {
    name: &'static str,
    /// Parameters, each on [0, 1].
    dims: usize,
    objectives: usize,
    reference: &'static [f64],
    /// The hypervolume of the whole front.
    best: f64,
    evaluate: fn(&[f64]) -> Vec<f64>,
    /// Optuna 5.0's median hypervolume over its seeds 0-19: (budget, random, TPE, NSGA-II,
    /// NSGA-III).
    optuna: &'static [(u32, f64, f64, f64, f64)],
    /// The budgets and samplers run unless the command line names others; empty: the
    /// defaults (`BUDGETS`, `SAMPLERS`).
    budgets: &'static [u32],
    samplers: &'static [&'static str],
}

const PROBLEMS: &[Problem] = &[
    Problem {
        name: "ZDT1 (5-D)",
        dims: 5,
        objectives: 2,
        reference: &[1.1, 11.0],
        best: 11.767,
        evaluate: zdt1,
        optuna: &[
            (50, 9.599, 10.438, 9.599, 9.599),
            (100, 9.966, 10.979, 9.888, 9.888),
            (400, 10.489, f64::NAN, 11.025, 11.051),
        ],
        budgets: &[],
        samplers: &[],
    },
    Problem {
        name: "DTLZ2 (3 objectives, 5-D)",
        dims: 5,
        objectives: 3,
        reference: &[1.1, 1.1, 1.1],
        best: 0.807,
        evaluate: dtlz2,
        optuna: &[
            (50, 0.371, 0.471, 0.371, 0.371),
            (100, 0.451, 0.602, 0.436, 0.440),
            (400, 0.574, f64::NAN, 0.633, 0.640),
        ],
        budgets: &[],
        samplers: &[],
    },
    Problem {
        name: "DTLZ2 (5 objectives, 9-D)",
        dims: 9,
        objectives: 5,
        reference: &[1.1, 1.1, 1.1, 1.1, 1.1],
        best: 1.446,
        evaluate: dtlz2_5,
        optuna: &[(400, 0.580, f64::NAN, 0.621, 0.724)],
        // 400 trials only: the genetic samplers need generations (`tpe` takes 18 s a run
        // there, `bayes` 5 s).
        budgets: &[400],
        samplers: &[
            "random",
            "tpe",
            "bayes",
            "nsga2",
            "nsga2:50:uniform",
            "nsga3",
            "nsga3:50:uniform",
            "nsga2:20",
            "nsga3:20",
        ],
    },
];

/// The samplers compared, by default.
const SAMPLERS: &[&str] = &[
    "random",
    "sobol",
    "tpe",
    "bayes",
    "nsga2",
    "nsga2:50:uniform",
    "nsga2:20",
    "nsga2:20:sbx",
    "nsga3",
    "nsga3:50:uniform",
    "nsga3:20",
];

/// The budgets compared, by default.
const BUDGETS: &[u32] = &[50, 100];

fn main() {
    let (seeds, budgets, samplers) = options();
    for problem in PROBLEMS {
        let budgets = budgets.clone().unwrap_or_else(|| {
            let own = if problem.budgets.is_empty() {
                BUDGETS
            } else {
                problem.budgets
            };
            own.to_vec()
        });
        let samplers = samplers.clone().unwrap_or_else(|| {
            let own = if problem.samplers.is_empty() {
                SAMPLERS
            } else {
                problem.samplers
            };
            own.iter().map(|s| (*s).to_string()).collect()
        });
        report(problem, &seeds, &budgets, &samplers);
    }
}

fn report(problem: &Problem, seeds: &std::ops::Range<u64>, budgets: &[u32], samplers: &[String]) {
    println!(
        "\n{}, hypervolume up to {:?} over seeds {}-{} (the front: {})\n",
        problem.name,
        problem.reference,
        seeds.start,
        seeds.end - 1,
        problem.best
    );
    println!("| budget | sampler | median | IQR | Optuna (same sampler) | seconds/run |");
    println!("|---|---|---|---|---|---|");
    for &budget in budgets {
        for name in samplers.iter().map(String::as_str) {
            // The sampler's time only: measuring the hypervolume of a large front of five
            // objectives takes seconds itself.
            let mut sampling = 0.0;
            let mut volumes: Vec<f64> = seeds
                .clone()
                .map(|seed| {
                    let started = Instant::now();
                    let points = study(problem, method(name), Seed(seed), budget);
                    sampling += started.elapsed().as_secs_f64();
                    experiment::pareto::hypervolume(&points, problem.reference)
                })
                .collect();
            let runs = u32::try_from(seeds.end - seeds.start).unwrap_or(1).max(1);
            let per_run = sampling / f64::from(runs);
            volumes.sort_by(f64::total_cmp);
            let at = |q: f64| {
                // Linear interpolation between order statistics.
                #[allow(clippy::cast_precision_loss)]
                let position = q * (volumes.len() - 1) as f64;
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let (lo, hi) = (position.floor() as usize, position.ceil() as usize);
                #[allow(clippy::cast_precision_loss)]
                let fraction = position - lo as f64;
                volumes[lo] + (volumes[hi] - volumes[lo]) * fraction
            };
            let optuna = problem
                .optuna
                .iter()
                .find(|r| r.0 == budget)
                .and_then(|r| match name {
                    "random" => Some(r.1),
                    "tpe" => Some(r.2),
                    "nsga2" | "nsga2:50:uniform" => Some(r.3),
                    "nsga3" | "nsga3:50:uniform" => Some(r.4),
                    _ => None,
                })
                .filter(|v| !v.is_nan())
                .map_or("-".to_string(), |v| format!("{v:.3}"));
            println!(
                "| {budget} | {name} | {:.3} | [{:.3}, {:.3}] | {optuna} | {per_run:.2} |",
                at(0.5),
                at(0.25),
                at(0.75)
            );
        }
    }
}

/// Reads `--seeds N`, `--first-seed N`, `--budgets A,B` and `--samplers A,B` (the last two
/// `None` when not given).
fn options() -> (std::ops::Range<u64>, Option<Vec<u32>>, Option<Vec<String>>) {
    let mut seeds = 20;
    let mut first = 0;
    let mut budgets = None;
    let mut samplers = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--seeds" => seeds = value.parse().unwrap_or(seeds),
            "--first-seed" => first = value.parse().unwrap_or(first),
            "--budgets" => {
                budgets = Some(value.split(',').filter_map(|b| b.parse().ok()).collect());
            }
            "--samplers" => samplers = Some(value.split(',').map(str::to_string).collect()),
            // `cargo bench` passes `--bench`; anything else is ignored.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    (first..first + seeds, budgets, samplers)
}

/// The sampler called `name`; `nsga2:N` is NSGA-II with generations of `N`, `nsga2:N:sbx`
/// with simulated binary crossover too; `nsga3...` likewise NSGA-III.
fn method(name: &str) -> Method {
    if let Some(settings) = name.strip_prefix("nsga2") {
        return Method::Nsga2(genetic(settings));
    }
    if let Some(settings) = name.strip_prefix("nsga3") {
        return Method::Nsga3(Nsga3Config {
            genetic: genetic(settings),
            ..Nsga3Config::default()
        });
    }
    if let Some(joint) = match name {
        "tpe:joint" => Some(true),
        "tpe:independent" => Some(false),
        _ => None,
    } {
        return Method::Tpe(TpeConfig {
            multivariate: Some(joint),
            ..TpeConfig::default()
        });
    }
    if let Some(startup) = name.strip_prefix("tpe:").and_then(|n| n.parse().ok()) {
        return Method::Tpe(TpeConfig {
            n_startup_trials: startup,
            ..TpeConfig::default()
        });
    }
    match name {
        "sobol" => Method::Sobol(SobolConfig::default()),
        "tpe" => Method::Tpe(TpeConfig::default()),
        "bayes" => Method::Bayes(BayesConfig::default()),
        _ => Method::Random,
    }
}

/// The genetic settings after `nsga2` or `nsga3` in a name: `:N` generations, `:sbx` or
/// `:uniform` instead of the default crossover (`blx`).
fn genetic(settings: &str) -> Nsga2Config {
    let mut parts = settings.split(':').skip(1);
    Nsga2Config {
        population_size: parts
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(Nsga2Config::default().population_size),
        crossover: match parts.next() {
            Some("sbx") => Crossover::Sbx { eta: None },
            Some("uniform") => Crossover::Uniform,
            _ => Nsga2Config::default().crossover,
        },
        ..Nsga2Config::default()
    }
}

fn objective(name: &str) -> MetricSpec {
    MetricSpec {
        name: name.into(),
        goal: Direction::Minimize,
    }
}

/// Runs `budget` trials of `method` on `problem`, one after another, and returns their points.
fn study(problem: &Problem, method: Method, seed: Seed, budget: u32) -> Vec<Vec<f64>> {
    let space = SearchSpace::new(
        (0..problem.dims)
            .map(|i| {
                Param::new(
                    format!("x{i}"),
                    Distribution::Uniform { min: 0.0, max: 1.0 },
                )
            })
            .collect(),
    );
    let names: Vec<String> = (1..=problem.objectives).map(|k| format!("f{k}")).collect();
    let objectives: Vec<MetricSpec> = names.iter().map(|n| objective(n)).collect();
    let sampler = sampler_for(method, seed, &objectives[0], &objectives[1..], &[]);
    let mut trials: Vec<Trial> = Vec::new();
    let mut points = Vec::new();
    for k in 0..budget {
        let params = sampler
            .suggest_in(&SuggestContext {
                space: &space,
                finished: &trials,
                running: &[],
                pinned: &Params::new(),
                trial: TrialId(k),
                planned: Some(budget),
            })
            .unwrap_or_else(|e| panic!("trial {k}: {e}"));
        let x: Vec<f64> = (0..problem.dims)
            .map(|i| params[&format!("x{i}")].as_f64().unwrap_or(f64::NAN))
            .collect();
        let values = (problem.evaluate)(&x);
        let metrics = names.iter().cloned().zip(values.iter().copied()).collect();
        trials.push(common::completed(k, params, metrics));
        points.push(values);
    }
    points
}

fn zdt1(x: &[f64]) -> Vec<f64> {
    let f1 = x[0];
    #[allow(clippy::cast_precision_loss)]
    let g = 1.0 + 9.0 * x[1..].iter().sum::<f64>() / (x.len() - 1) as f64;
    vec![f1, g * (1.0 - (f1 / g).sqrt())]
}

/// DTLZ2 with three objectives, written out (its figures were measured with this arithmetic:
/// `dtlz2_of`'s order of products rounds differently, and `bayes` follows the last bit).
fn dtlz2(x: &[f64]) -> Vec<f64> {
    let g: f64 = x[2..].iter().map(|v| (v - 0.5).powi(2)).sum();
    let (a, b) = (
        x[0] * std::f64::consts::FRAC_PI_2,
        x[1] * std::f64::consts::FRAC_PI_2,
    );
    vec![
        (1.0 + g) * a.cos() * b.cos(),
        (1.0 + g) * a.cos() * b.sin(),
        (1.0 + g) * a.sin(),
    ]
}

/// DTLZ2 with five objectives.
fn dtlz2_5(x: &[f64]) -> Vec<f64> {
    dtlz2_of(x, 5)
}

/// DTLZ2 with `m` objectives: the first `m - 1` coordinates place a point on the unit sphere's
/// positive orthant, the others, away from 0.5, push it out (`dtlz2` for three, but for the
/// rounding).
fn dtlz2_of(x: &[f64], m: usize) -> Vec<f64> {
    let g: f64 = x[m - 1..].iter().map(|v| (v - 0.5).powi(2)).sum();
    let angle = |v: f64| v * std::f64::consts::FRAC_PI_2;
    (0..m)
        .map(|k| {
            // Objective k + 1: the cosines of the first m - 1 - k angles, then a sine.
            let cosines: f64 = x[..m - 1 - k].iter().map(|v| angle(*v).cos()).product();
            let sine = if k == 0 {
                1.0
            } else {
                angle(x[m - 1 - k]).sin()
            };
            (1.0 + g) * cosines * sine
        })
        .collect()
}
