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
//!
//! `nsga2` has Optuna's default generations of 50 (the first drawn at random), `nsga2:20`
//! generations of 20.
//!
//! Run with `cargo bench -p search --bench pareto`; `-- --seeds 5 --budgets 50` narrows it, and
//! `--first-seed N` runs seeds N, N + 1, ... (judge a tuning on seeds the figures do not use).

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use experiment::{
    BayesConfig, Crossover, Direction, Distribution, Method, MetricSpec, Nsga2Config, Param,
    Params, SearchSpace, Seed, SobolConfig, TpeConfig, Trial, TrialId,
};
use search::{sampler_for, SuggestContext};

mod common;

const DIMS: usize = 5;

/// A test function of several objectives, all minimized.
struct Problem {
    name: &'static str,
    objectives: usize,
    reference: &'static [f64],
    /// The hypervolume of the whole front.
    best: f64,
    evaluate: fn(&[f64]) -> Vec<f64>,
    /// Optuna 5.0's median hypervolume over its seeds 0-19: (budget, random, TPE, NSGA-II).
    optuna: &'static [(u32, f64, f64, f64)],
}

const PROBLEMS: &[Problem] = &[
    Problem {
        name: "ZDT1 (5-D)",
        objectives: 2,
        reference: &[1.1, 11.0],
        best: 11.767,
        evaluate: zdt1,
        optuna: &[(50, 9.599, 10.438, 9.599), (100, 9.966, 10.979, 9.888)],
    },
    Problem {
        name: "DTLZ2 (3 objectives, 5-D)",
        objectives: 3,
        reference: &[1.1, 1.1, 1.1],
        best: 0.807,
        evaluate: dtlz2,
        optuna: &[(50, 0.371, 0.471, 0.371), (100, 0.451, 0.602, 0.436)],
    },
];

fn main() {
    let (seeds, budgets) = options();
    for problem in PROBLEMS {
        report(problem, &seeds, &budgets);
    }
}

fn report(problem: &Problem, seeds: &std::ops::Range<u64>, budgets: &[u32]) {
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
        for name in [
            "random",
            "sobol",
            "tpe",
            "bayes",
            "nsga2",
            "nsga2:20",
            "nsga2:20:sbx",
        ] {
            let started = Instant::now();
            let mut volumes: Vec<f64> = seeds
                .clone()
                .map(|seed| {
                    let points = study(problem, method(name), Seed(seed), budget);
                    experiment::pareto::hypervolume(&points, problem.reference)
                })
                .collect();
            let runs = u32::try_from(seeds.end - seeds.start).unwrap_or(1).max(1);
            let per_run = started.elapsed().as_secs_f64() / f64::from(runs);
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
            let optuna = problem.optuna.iter().find(|r| r.0 == budget).map_or(
                "-".to_string(),
                |r| match name {
                    "random" => format!("{:.3}", r.1),
                    "tpe" => format!("{:.3}", r.2),
                    "nsga2" => format!("{:.3}", r.3),
                    _ => "-".to_string(),
                },
            );
            println!(
                "| {budget} | {name} | {:.3} | [{:.3}, {:.3}] | {optuna} | {per_run:.2} |",
                at(0.5),
                at(0.25),
                at(0.75)
            );
        }
    }
}

/// Reads `--seeds N`, `--first-seed N` and `--budgets A,B`.
fn options() -> (std::ops::Range<u64>, Vec<u32>) {
    let mut seeds = 20;
    let mut first = 0;
    let mut budgets = vec![50, 100];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--seeds" => seeds = value.parse().unwrap_or(seeds),
            "--first-seed" => first = value.parse().unwrap_or(first),
            "--budgets" => {
                budgets = value.split(',').filter_map(|b| b.parse().ok()).collect();
            }
            // `cargo bench` passes `--bench`; anything else is ignored.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    (first..first + seeds, budgets)
}

/// The sampler called `name`; `nsga2:N` is NSGA-II with generations of `N`, `nsga2:N:sbx`
/// with simulated binary crossover too.
fn method(name: &str) -> Method {
    if let Some(settings) = name.strip_prefix("nsga2") {
        let mut parts = settings.split(':').skip(1);
        return Method::Nsga2(Nsga2Config {
            population_size: parts
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(Nsga2Config::default().population_size),
            crossover: match parts.next() {
                Some("sbx") => Crossover::Sbx { eta: None },
                _ => Crossover::Uniform,
            },
            ..Nsga2Config::default()
        });
    }
    match name {
        "sobol" => Method::Sobol(SobolConfig::default()),
        "tpe" => Method::Tpe(TpeConfig::default()),
        "bayes" => Method::Bayes(BayesConfig::default()),
        _ => Method::Random,
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
        (0..DIMS)
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
        let x: Vec<f64> = (0..DIMS)
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
