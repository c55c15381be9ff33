//! Samplers on a study with two objectives: ZDT1 in 5 dimensions ([0, 1]^5; f1 = x1,
//! g = 1 + 9 * mean(x2..x5), f2 = g * (1 - sqrt(f1 / g)), both minimized; the Pareto front is
//! f2 = 1 - sqrt(f1), at x2..x5 = 0). The figure is the hypervolume the trials dominate up to
//! the reference point (1.1, 11): the whole front reaches 12.1 - 1/3 = 11.767. Median and
//! interquartile range over 20 seeds (one run's luck moves a 10-seed median by a few tenths),
//! beside Optuna 5.0's samplers on the same function, budgets and measure
//! (`optuna_pareto_reference.py`, its seeds 0-19, measured on this machine).
//!
//! Run with `cargo bench -p search --bench pareto`; `-- --seeds 5 --budgets 50` narrows it, and
//! `--first-seed N` runs seeds N, N + 1, ... (judge a tuning on seeds the figures do not use).

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::Instant;

use experiment::{
    BayesConfig, Direction, Distribution, Method, MetricSpec, Param, Params, SearchSpace, Seed,
    SobolConfig, Step, TpeConfig, Trial, TrialId, TrialResult, TrialState,
};
use search::{sampler_for, SuggestContext};

const DIMS: usize = 5;
const REFERENCE: (f64, f64) = (1.1, 11.0);

/// Optuna 5.0's median hypervolume over its seeds 0-19: (budget, random, TPE, NSGA-II).
const OPTUNA: &[(u32, f64, f64, f64)] = &[(50, 9.599, 10.438, 9.599), (100, 9.966, 10.979, 9.888)];

fn main() {
    let (seeds, budgets) = options();
    println!(
        "ZDT1 (5-D), hypervolume up to (1.1, 11) over seeds {}-{} (the front: 11.767)\n",
        seeds.start,
        seeds.end - 1
    );
    println!("| budget | sampler | median | IQR | Optuna (same sampler) | seconds/run |");
    println!("|---|---|---|---|---|---|");
    for &budget in &budgets {
        for name in ["random", "sobol", "tpe", "bayes"] {
            let started = Instant::now();
            let mut volumes: Vec<f64> = seeds
                .clone()
                .map(|seed| hypervolume(&study(method(name), Seed(seed), budget)))
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
            let optuna = OPTUNA
                .iter()
                .find(|r| r.0 == budget)
                .map_or("-".to_string(), |r| match name {
                    "random" => format!("{:.3}", r.1),
                    "tpe" => format!("{:.3} (NSGA-II {:.3})", r.2, r.3),
                    _ => "-".to_string(),
                });
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

fn method(name: &str) -> Method {
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

/// Runs `budget` trials of `method` on ZDT1, one after another.
fn study(method: Method, seed: Seed, budget: u32) -> Vec<Trial> {
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
    let sampler = sampler_for(method, seed, &objective("f1"), &[objective("f2")], &[]);
    let mut trials: Vec<Trial> = Vec::new();
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
        let (f1, f2) = zdt1(&x);
        trials.push(Trial {
            id: TrialId(k),
            seed: Seed(0),
            params,
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: Some(TrialResult {
                best_step: Step(1),
                metrics: BTreeMap::from([("f1".to_string(), f1), ("f2".to_string(), f2)]),
            }),
        });
    }
    trials
}

fn zdt1(x: &[f64]) -> (f64, f64) {
    let f1 = x[0];
    #[allow(clippy::cast_precision_loss)]
    let g = 1.0 + 9.0 * x[1..].iter().sum::<f64>() / (x.len() - 1) as f64;
    (f1, g * (1.0 - (f1 / g).sqrt()))
}

/// Returns the area the trials' points dominate up to `REFERENCE`.
fn hypervolume(trials: &[Trial]) -> f64 {
    let mut points: Vec<(f64, f64)> = trials
        .iter()
        .filter_map(|t| Some((t.value("f1")?, t.value("f2")?)))
        .filter(|(a, b)| *a < REFERENCE.0 && *b < REFERENCE.1)
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut area = 0.0;
    let mut ceiling = REFERENCE.1;
    for (f1, f2) in points {
        if f2 < ceiling {
            area += (REFERENCE.0 - f1) * (ceiling - f2);
            ceiling = f2;
        }
    }
    area
}
