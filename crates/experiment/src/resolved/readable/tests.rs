//! Tests of the readable form: each kind of value, the records of earlier versions, and
//! text the notation never writes.

use super::*;

/// Returns the resolved spec `text` as people read it.
fn read(text: &str) -> String {
    ExperimentSpec::readable_resolved(text)
}

/// One case per line: a stored line, ` => `, the line shown.
const CASES: &str = r#"
method: Grid(GridConfig { shuffle: false }) => method: grid (shuffle: false)
method: Random => method: random
method: Nsga3(Nsga3Config { genetic: Nsga2Config { population_size: 50, mutation_prob: None, crossover_prob: 0.9, crossover: Blx { alpha: 0.5 }, swapping_prob: 0.5 }, dividing_parameter: 3 }) => method: nsga3 (population_size: 50, mutation_prob: auto, crossover_prob: 0.9, crossover: blx, blx_alpha: 0.5, swapping_prob: 0.5, dividing_parameter: 3)
method: CmaEs(CmaEsConfig { n_startup_trials: 0, popsize: Some(8), sigma0: 0.16666666666666666, independent_sampler: Tpe, restart: Bipop, with_margin: true, lr_adapt: false, use_separable_cma: false }) => method: cmaes (n_startup_trials: 0, popsize: 8, sigma0: 0.16666666666666666, independent_sampler: tpe, restart_strategy: bipop, with_margin: true, lr_adapt: false, use_separable_cma: false)
method: Bayes(BayesConfig { n_startup_trials: 10, n_candidates: 1024, n_local_search: 16, constant_liar: true, acquisition: LogEi { greedy_tail: 0.4 } }) => method: bayes (n_startup_trials: 10, n_candidates: 1024, n_local_search: 16, constant_liar: true, acquisition: log_ei, greedy_tail: 0.4)
pruner: Patience { patience: 3, min_delta: 0.0, wrapped: Asha { min_resource: 1, reduction_factor: 3 } } => pruner: patience (patience: 3, min_delta: 0.0, wrapped: asha (min_resource: 1, reduction_factor: 3))
pruner: Threshold { lower: None, upper: Some(2.5), n_warmup_steps: 3 } => pruner: threshold (lower: none, upper: 2.5, n_warmup_steps: 3)
parallel: Some(3) => parallel: 3
parallel: None => parallel: auto
data.task: None => data.task: auto
data.image: None => data.image: none
method: Tpe(TpeConfig { n_startup_trials: 5, n_ei_candidates: 24, multivariate: None, constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true }) => method: tpe (n_startup_trials: 5, n_ei_candidates: 24, multivariate: auto, constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true)
method: Tpe(TpeConfig { n_startup_trials: 5, n_ei_candidates: 24, multivariate: Some(false), constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true }) => method: tpe (n_startup_trials: 5, n_ei_candidates: 24, multivariate: false, constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true)
method: CmaEs(CmaEsConfig { n_startup_trials: 0, popsize: None, sigma0: 0.5, independent_sampler: Random, restart: None, with_margin: false, lr_adapt: false, use_separable_cma: false }) => method: cmaes (n_startup_trials: 0, popsize: auto, sigma0: 0.5, independent_sampler: random, restart_strategy: none, with_margin: false, lr_adapt: false, use_separable_cma: false)
method: Nsga2(Nsga2Config { population_size: 50, mutation_prob: Some(0.1), crossover_prob: 0.9, crossover: Sbx { eta: None }, swapping_prob: 0.5 }) => method: nsga2 (population_size: 50, mutation_prob: 0.1, crossover_prob: 0.9, crossover: sbx, sbx_eta: auto, swapping_prob: 0.5)
method: Nsga2(Nsga2Config { population_size: 50, mutation_prob: None, crossover_prob: 0.9, crossover: Sbx { eta: Some(15.0) }, swapping_prob: 0.5 }) => method: nsga2 (population_size: 50, mutation_prob: auto, crossover_prob: 0.9, crossover: sbx, sbx_eta: 15.0, swapping_prob: 0.5)
method: Nsga2(Nsga2Config { population_size: 50, mutation_prob: None, crossover_prob: 0.9, crossover: Uniform, swapping_prob: 0.5 }) => method: nsga2 (population_size: 50, mutation_prob: auto, crossover_prob: 0.9, crossover: uniform, swapping_prob: 0.5)
method: Bayes(BayesConfig { n_startup_trials: 10, n_candidates: 1024, n_local_search: 16, constant_liar: false, acquisition: Ucb { kappa: 2.0 } }) => method: bayes (n_startup_trials: 10, n_candidates: 1024, n_local_search: 16, constant_liar: false, acquisition: ucb, kappa: 2.0)
warm_start: WarmStart { source: Csv("exp/runs/past.csv"), trials: None } => warm_start: {csv: exp/runs/past.csv, trials: all}
name: "g" => name: g
description: "quotes \" and \\ and é\t" => description: "quotes \" and \\ and é\t"
description: "" => description: ""
data.target: "1" => data.target: "1"
data.target: "None" => data.target: "None"
data.target: "none" => data.target: "none"
data.target: "0x10" => data.target: "0x10"
data.target: "0o17" => data.target: "0o17"
data.target: "1_000" => data.target: "1_000"
data.target: "3rd" => data.target: "3rd"
data.target: "-5x" => data.target: "-5x"
data.target: "a1" => data.target: a1
data.target: "क\u{941}" => data.target: "क\u{941}"
data.target: "कु" => data.target: "क\u{941}"
data.target: "é" => data.target: é
data.format: Idx { labels: "exp/l.idx" } => data.format: idx (labels: exp/l.idx)
data.split: SplitSpec { validation: 0.2, test: 0.2, stratify: true } => data.split: {validation: 0.2, test: 0.2, stratify: true}
data.task: Some(Regression) => data.task: regression
data.image: Some(ImageShape { height: 28, width: 28, channels: 1 }) => data.image: {height: 28, width: 28, channels: 1}
data.categorical: ["a", "b c"] => data.categorical: [a, "b c"]
data.exclude: [] => data.exclude: []
early_stopping: None => early_stopping: none
early_stopping: Some(EarlyStopping { metric: "val_loss", patience: 3, min_delta: 1e-7 }) => early_stopping: {metric: val_loss, patience: 3, min_delta: 1e-7}
train.lr: Float(0.001) => train.lr: 0.001
train.lr: searched Normal { mu: -1.0, sigma: 0.001 } => train.lr: normal(mu -1.0, sigma 0.001)
train.l2: searched InvLogUniformValues { min: 1e-6, max: 0.01 } => train.l2: inv_log_uniform_values(min 1e-6, max 0.01)
model.dropout: searched QUniform { min: 0.0, max: 0.5, q: 0.05 } => model.dropout: q_uniform(min 0.0, max 0.5, q 0.05)
model.depth: searched IntUniform { min: 1, max: 4 } => model.depth: int_uniform(min 1, max 4)
model.hidden: searched Categorical { values: [Int(8), Int(16)], probabilities: None } => model.hidden: one of [8, 16]
model.activation: searched Categorical { values: [Str("relu"), Str("tanh")], probabilities: Some([0.75, 0.25]) } => model.activation: one of [relu, tanh], probabilities [0.75, 0.25]
model.activation: Str("relu") => model.activation: relu
model.layer_norm: searched Constant(Bool(true)) => model.layer_norm: constant true
model.kind: Mlp => model.kind: mlp
parameters.momentum.when: {"optimizer": [Str("sgd")]} => parameters.momentum.when: {optimizer: [sgd]}
enqueue[0]: {"lr": Float(0.01), "optimizer": Str("adam")} => enqueue[0]: {lr: 0.01, optimizer: adam}
warm_start: WarmStart { source: Experiment("old"), trials: Some(30) } => warm_start: {experiment: old, trials: 30}
checkpoints: CheckpointSpec { keep: 5 } => checkpoints: {keep: 5}
gate: None => gate: none
gate.metrics.val_accuracy: median (maximize), max_regression_abs Some(0.01), max_regression_rel None => gate.metrics.val_accuracy: median (maximize), max_regression_abs 0.01, max_regression_rel none
plateau: patience 4, min_delta 0.001 => plateau: patience 4, min_delta 0.001
metric: val_accuracy (maximize), target ≥ 0.975 => metric: val_accuracy (maximize), target ≥ 0.975
constraints: param_count ≤ 20000 => constraints: param_count ≤ 20000
model.kind: Transformer => model.kind: Transformer
method: Grid(OtherConfig { shuffle: false }) => method: Grid(OtherConfig { shuffle: false })
train.lr: searched Normal { mu: -1.0, sigma: 0.001 => train.lr: searched Normal { mu: -1.0, sigma: 0.001
name: "unclosed => name: "unclosed
name: "bad \q escape" => name: "bad \q escape"
no key here => no key here
"#;

#[test]
fn each_kind_of_value_reads_as_the_yaml_writes_it_and_the_rest_as_stored() {
    let mut failures = Vec::new();
    for case in CASES.lines().filter(|l| !l.is_empty()) {
        let (stored, want) = case.split_once(" => ").unwrap();
        let got = read(stored);
        if got != want {
            failures.push(format!("{stored}\n  want {want}\n  got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Lines keep their ends.
    assert_eq!(
        read("seed: 1\nparallel: None\n"),
        "seed: 1\nparallel: auto\n"
    );
    assert_eq!(read("seed: 1\nparallel: None"), "seed: 1\nparallel: auto");
}

/// The records of earlier versions hold every kind of value: each reads without Rust's
/// notation, and two settings that differ read differently.
#[test]
fn every_kind_of_value_stored_reads_and_differences_stay_differences() {
    let records = super::super::notation::without_positions(include_str!("../earlier_records.txt"));
    let mut seen: std::collections::BTreeMap<String, &str> = Default::default();
    for line in records.lines().filter(|l| *l != "----") {
        let shown = read(line);
        for notation in [
            "Some(", "None", "Int(", "Float(", "Str(", "Config", " { ", "searched",
        ] {
            assert!(!shown.contains(notation), "{line}\n  shown {shown}");
        }
        if let Some(other) = seen.insert(shown.clone(), line) {
            assert_eq!(other, line, "both shown as {shown}");
        }
    }
}

/// Reading is total: every cut of every stored line, and bytes the notation never writes,
/// read as something or as they are, never a panic.
#[test]
fn any_text_reads_without_a_panic() {
    let records = include_str!("../earlier_records.txt");
    for line in records.lines() {
        for (at, _) in line.char_indices() {
            let cut = &line[..at];
            let _ = read(cut);
            let _ = read(&line[at..]);
        }
    }
    for text in [
        "k: \"\\u{zz}\"",
        "k: \"\\u{110000}\"",
        "k: [",
        "k: {\"a\": }",
        "k: -",
        "k: 1e",
        ": ",
        "k: Some(",
        "k: A { : 1 }",
    ] {
        assert_eq!(read(text), text);
    }
    assert_eq!(read("k: \"\\u{1b}x\""), "k: \"\\u{1b}x\"");
    // A hand-edited baseline's line nested 10000 deep overflowed the stack: shown as stored.
    for open in ["[", "Some(", "{\"k\": "] {
        let deep = format!("model.kind: {}", open.repeat(10_000));
        assert_eq!(read(&deep), deep);
        let closed = format!("model.kind: {}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(read(&closed), closed);
    }
}

/// Nesting up to the limit reads as any value does; one level more is shown as stored.
#[test]
fn nesting_reads_up_to_its_limit() {
    let nested = |depth: usize| format!("k: {}1{}", "[".repeat(depth), "]".repeat(depth));
    let within = nested(MAX_DEPTH - 1);
    assert_eq!(read(&within), within);
    let wrapped = |depth: usize| format!("k: {}1{}", "Some(".repeat(depth), ")".repeat(depth));
    assert_eq!(read(&wrapped(MAX_DEPTH - 1)), "k: 1");
    assert_eq!(read(&wrapped(MAX_DEPTH)), wrapped(MAX_DEPTH));
}
