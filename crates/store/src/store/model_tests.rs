//! The model-based test of `Store`: seeded random operations, `Restart` included, are applied to
//! the store and to a `BTreeMap` reference, and every read is compared after every step.
//!
//! Names, trial ids and steps are drawn from small sets chosen to collide: metric names that are
//! prefixes of each other, trial ids either side of a byte boundary, experiments whose names
//! share a prefix. A failure prints the seed and the step, which reproduce it exactly.

use std::collections::BTreeMap;

use experiment::{
    MetricPoint, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult, TrialState,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::tests::{assert_same, info};
use super::*;

const EXPERIMENTS: [&str; 3] = ["e", "e2", "ee"];
const TRIALS: [u32; 5] = [0, 1, 255, 256, u32::MAX];
const METRICS: [&str; 5] = ["loss", "loss2", "los", "l\0", "val_loss"];
const STEPS: [u32; 7] = [0, 1, 2, 3, 255, 256, u32::MAX];
const STATES: [TrialState; 5] = [
    TrialState::Queued,
    TrialState::Running,
    TrialState::Completed,
    TrialState::Pruned,
    TrialState::Failed,
];

#[derive(Debug)]
enum Op {
    PutTrial(usize, Trial),
    Append(usize, u32, u32, Vec<MetricPoint>),
    Clear(usize, u32),
    Flush,
    /// Drops the store, flushed or not, and opens it again.
    Restart,
}

/// What the store should hold. Metric values are kept as bits, so NaN payloads must survive.
#[derive(Debug, Default)]
struct Model {
    trials: BTreeMap<(usize, u32), Trial>,
    metrics: BTreeMap<(usize, u32, String, u32), u64>,
}

#[test]
fn store_behaves_like_a_btreemap_across_restarts() {
    for seed in 0..5 {
        run(seed, 200);
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    for (i, name) in EXPERIMENTS.iter().enumerate() {
        store
            .create_experiment(&info(name, i64::try_from(i).unwrap()))
            .unwrap();
    }
    let mut model = Model::default();
    for step in 0..steps {
        let op = random_op(&mut rng);
        let context = format!("seed {seed}, step {step}, {op:?}");
        match op {
            Op::PutTrial(e, trial) => {
                store.put_trial(EXPERIMENTS[e], &trial).unwrap();
                model.trials.insert((e, trial.id.0), trial);
            }
            Op::Append(e, t, s, points) => {
                store
                    .append_metrics(EXPERIMENTS[e], TrialId(t), Step(s), &points)
                    .unwrap();
                for p in points {
                    model.metrics.insert((e, t, p.name, s), p.value.to_bits());
                }
            }
            Op::Clear(e, t) => {
                store.clear_metrics(EXPERIMENTS[e], TrialId(t)).unwrap();
                model
                    .metrics
                    .retain(|(me, mt, _, _), _| (*me, *mt) != (e, t));
            }
            Op::Flush => store.flush().unwrap(),
            Op::Restart => {
                drop(store);
                wait_released(dir.path());
                store = Store::open(dir.path()).unwrap();
            }
        }
        check(&store, &model, &context);
    }
}

fn random_op(rng: &mut ChaCha8Rng) -> Op {
    let e = rng.gen_range(0..EXPERIMENTS.len());
    let t = *TRIALS.choose(rng).unwrap();
    match rng.gen_range(0..100) {
        0..=29 => Op::PutTrial(e, random_trial(rng, t)),
        30..=79 => {
            let count = rng.gen_range(0..=3);
            let points = (0..count)
                .map(|_| MetricPoint {
                    name: (*METRICS.choose(rng).unwrap()).to_owned(),
                    value: random_value(rng),
                })
                .collect();
            Op::Append(e, t, *STEPS.choose(rng).unwrap(), points)
        }
        80..=89 => Op::Clear(e, t),
        90..=93 => Op::Flush,
        _ => Op::Restart,
    }
}

/// Returns a metric value: often a special one, otherwise any bit pattern (NaN payloads too).
fn random_value(rng: &mut ChaCha8Rng) -> f64 {
    match rng.gen_range(0..6) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => -0.0,
        _ => f64::from_bits(rng.gen()),
    }
}

/// Returns a float for a record, where NaN is kept as a NaN but not bit for bit.
fn random_record_float(rng: &mut ChaCha8Rng) -> f64 {
    let x = random_value(rng);
    if x.is_nan() {
        f64::NAN
    } else {
        x
    }
}

fn random_trial(rng: &mut ChaCha8Rng, id: u32) -> Trial {
    let mut params = Params::new();
    for name in ["a", "b", "lr"] {
        let value = match rng.gen_range(0..5) {
            0 => continue,
            1 => ParamValue::Int(rng.gen()),
            2 => ParamValue::Float(random_record_float(rng)),
            3 => ParamValue::Str(["adam", "", "s\u{e9}\"\0"].choose(rng).unwrap().to_string()),
            _ => ParamValue::Bool(rng.gen()),
        };
        params.insert(name.to_owned(), value);
    }
    let time = |rng: &mut ChaCha8Rng| rng.gen_bool(0.5).then(|| Timestamp(rng.gen()));
    Trial {
        id: TrialId(id),
        seed: Seed(rng.gen()),
        params,
        state: *STATES.choose(rng).unwrap(),
        reason: rng.gen_bool(0.5).then(|| "why".repeat(rng.gen_range(0..3))),
        started: time(rng),
        finished: time(rng),
        result: rng.gen_bool(0.5).then(|| TrialResult {
            best_step: Step(rng.gen()),
            metrics: METRICS[..rng.gen_range(0..METRICS.len())]
                .iter()
                .map(|m| ((*m).to_owned(), random_record_float(rng)))
                .collect(),
        }),
    }
}

fn check(store: &Store, model: &Model, context: &str) {
    for (e, name) in EXPERIMENTS.iter().enumerate() {
        let expected: Vec<Trial> = model
            .trials
            .range((e, 0)..=(e, u32::MAX))
            .map(|(_, t)| t.clone())
            .collect();
        assert_same(&store.trials(name).unwrap(), &expected);
        for t in TRIALS {
            assert_same(
                &store.trial(name, TrialId(t)).unwrap(),
                &model.trials.get(&(e, t)).cloned(),
            );
            let mut expected: BTreeMap<String, Vec<(u32, u64)>> = BTreeMap::new();
            for ((me, mt, m, s), bits) in &model.metrics {
                if (*me, *mt) == (e, t) {
                    expected.entry(m.clone()).or_default().push((*s, *bits));
                }
            }
            let names: Vec<String> = expected.keys().cloned().collect();
            assert_eq!(
                store.metric_names(name, TrialId(t)).unwrap(),
                names,
                "{context}"
            );
            let all = store.all_metric_series(name, TrialId(t)).unwrap();
            assert_eq!(all.len(), expected.len(), "{context}");
            for metric in METRICS {
                let series: Vec<(u32, u64)> = store
                    .metric_series(name, TrialId(t), metric)
                    .unwrap()
                    .into_iter()
                    .map(|(s, v)| (s.0, v.to_bits()))
                    .collect();
                let want = expected.get(metric).cloned().unwrap_or_default();
                assert_eq!(series, want, "{context}: {name} {t} {metric:?}");
                assert_eq!(
                    store
                        .last_step(name, TrialId(t), metric)
                        .unwrap()
                        .map(|s| s.0),
                    want.last().map(|(s, _)| *s),
                    "{context}: last step of {name} {t} {metric:?}"
                );
                let from_all: Vec<(u32, u64)> = all
                    .get(metric)
                    .into_iter()
                    .flatten()
                    .map(|(s, v)| (s.0, v.to_bits()))
                    .collect();
                assert_eq!(from_all, want, "{context}: all_metric_series");
            }
            for step in STEPS {
                let at: BTreeMap<String, u64> = store
                    .metrics_at(name, TrialId(t), Step(step))
                    .unwrap()
                    .into_iter()
                    .map(|(m, v)| (m, v.to_bits()))
                    .collect();
                let want: BTreeMap<String, u64> = (expected.iter())
                    .filter_map(|(m, points)| {
                        let (_, bits) = points.iter().find(|(s, _)| *s == step)?;
                        Some((m.clone(), *bits))
                    })
                    .collect();
                assert_eq!(at, want, "{context}: metrics_at {name} {t} {step}");
            }
        }
    }
}
