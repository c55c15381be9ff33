//! Tests of the YAML front end through its one entry point, `parse_spec`: specs that must
//! parse into a given `ExperimentSpec`, and inputs that must not make the parser panic. The
//! tables of specs and the errors they must give are in `errors`; the fixtures of
//! `tests/e2e/bad_specs` are checked at the bottom of `yaml/mod.rs`.

mod constraints;
mod engine;
mod enqueue;
mod errors;
mod gate;
mod migrate;
mod objectives;
mod odd_input;
mod pruner;
mod whole_bounds;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use super::parse_spec;
use crate::{
    DataSpec, Direction, Distribution, EarlyStopping, Error, ExperimentSpec, Located, Location,
    Method, MetricSpec, ModelKind, ModelSpec, Normalize, Param, ParamValue, Params, SearchSpace,
    Seed, SplitSpec,
};

/// Three lines most cases start from; a case's own lines start on line 4.
const BASE: &str = "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n";

/// The example of the format's documentation.
const EXAMPLE: &str = "\
name: digits-mlp
description: MLP on 8x8 digits, random search
seed: 7
method: random            # grid | random
run_cap: 24
parallel: 2
metric: {name: val_accuracy, goal: maximize}
data:
  csv: data/digits.csv
  target: digit
  split: {validation: 0.2, test: 0.2, stratify: true}
  normalize: standard
model: {kind: mlp, activation: relu}
train:
  epochs: 40
  early_stopping: {metric: val_loss, patience: 5, min_delta: 0.0}
parameters:
  lr:         {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  hidden:     {values: [32, 64, 128, 256]}
  depth:      {distribution: int_uniform, min: 1, max: 3}
  dropout:    {min: 0.0, max: 0.5}
  l2:         {distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2}
  batch_size: {values: [16, 32, 64, 128]}
  optimizer:  {values: [sgd, adam, adamw]}
";

/// Returns the errors of `text` as `line:column: field: message` lines, or `ok`.
fn render(text: &str) -> String {
    match parse_spec(text, Path::new("s.yaml")) {
        Ok(_) => "ok".to_string(),
        Err(Error::Spec(errors)) => errors
            .0
            .iter()
            .map(|e| e.to_string().replacen("s.yaml:", "", 1))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Checks each `(spec, errors)` pair, reporting every mismatch at once.
fn check(cases: &[(&str, &str)], base: &str) {
    let mut failures = String::new();
    for (snippet, want) in cases {
        let got = render(&format!("{base}{snippet}"));
        if got != *want {
            failures.push_str(&format!(
                "\n--- spec:\n{base}{snippet}\n--- want:\n{want}\n--- got:\n{got}\n"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// Returns `text` with what its errors say done: each top-level key they say to delete
/// (``delete `direction:` ``) taken out, and each top-level line they quote (`` `metric:
/// {..}` ``) in place of that key's own lines, so that a test can check the suggestion parses.
fn applied(text: &str) -> String {
    let errors = render(text);
    // The quoted spans, the text between each pair of backticks.
    let quoted: Vec<&str> = errors
        .lines()
        .flat_map(|line| line.split('`').skip(1).step_by(2))
        .collect();
    let written: Vec<String> = quoted
        .iter()
        .filter(|q| {
            q.split_once(": ")
                .is_some_and(|(key, _)| super::ROOT_KEYS.contains(&key))
        })
        .map(|q| q.to_string())
        .collect();
    let mut gone: Vec<String> = errors
        .lines()
        .flat_map(|line| line.split("delete `").skip(1))
        .filter_map(|part| part.split(':').next())
        .map(str::to_string)
        .collect();
    gone.extend(
        written
            .iter()
            .filter_map(|w| w.split(':').next())
            .map(str::to_string),
    );
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if !line.starts_with([' ', '-']) {
            let key = line.split(':').next().unwrap_or_default();
            skipping = gone.iter().any(|g| g == key);
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    for (i, line) in written.iter().enumerate() {
        let key = line.split(':').next();
        // The last line written for a key is the one kept.
        if !written[i + 1..].iter().any(|w| w.split(':').next() == key) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Checks that each spec gives an error that suggests a fix, and that the spec with the fix
/// done parses.
fn check_suggestions_parse(snippets: &[&str], base: &str) {
    let mut failures = String::new();
    for snippet in snippets {
        let text = format!("{base}{snippet}");
        let errors = render(&text);
        let fixed = applied(&text);
        let got = render(&fixed);
        if errors == "ok" || fixed == text || got != "ok" {
            failures.push_str(&format!(
                "\n--- spec:\n{text}--- errors:\n{errors}\n--- fixed:\n{fixed}--- gives:\n{got}\n"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

fn parse_ok(text: &str) -> ExperimentSpec {
    match parse_spec(text, Path::new("s.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}\n--- in:\n{text}"),
    }
}

#[test]
fn the_example_parses_into_the_spec_it_describes() {
    let spec = match parse_spec(EXAMPLE, Path::new("specs/digits.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    };
    let at = |line, column| Location {
        file: PathBuf::from("specs/digits.yaml"),
        line,
        column,
    };
    let categorical = |values: &[i64]| Distribution::Categorical {
        values: values.iter().map(|v| ParamValue::Int(*v)).collect(),
        probabilities: None,
    };
    let param = |name: &str, distribution| Param::new(name, distribution);
    let want = ExperimentSpec {
        name: "digits-mlp".into(),
        description: "MLP on 8x8 digits, random search".into(),
        seed: Seed(7),
        method: Method::Random,
        pruner: crate::PrunerSpec::None,
        run_cap: 24,
        parallel: Some(2),
        metric: MetricSpec {
            name: "val_accuracy".into(),
            goal: Direction::Maximize,
        },
        more_objectives: Vec::new(),
        target: None,
        plateau: None,
        constraints: Vec::new(),
        data: DataSpec {
            csv: Located {
                value: PathBuf::from("specs/data/digits.csv"),
                location: at(9, 8),
            },
            target: Located {
                value: "digit".into(),
                location: at(10, 11),
            },
            split: SplitSpec {
                validation: 0.2,
                test: 0.2,
                stratify: true,
            },
            normalize: Normalize::Standard,
            task: None,
            image: None,
            format: crate::DataFormat::Csv,
            missing: crate::MissingValues::Error,
            categorical: Vec::new(),
            exclude: Vec::new(),
        },
        model: ModelSpec {
            kind: ModelKind::Mlp,
        },
        early_stopping: Some(EarlyStopping {
            metric: "val_loss".into(),
            patience: 5,
            min_delta: 0.0,
        }),
        fixed: Params::from([
            ("activation".into(), ParamValue::Str("relu".into())),
            ("epochs".into(), ParamValue::Int(40)),
        ]),
        space: SearchSpace::new(vec![
            param(
                "lr",
                Distribution::LogUniformValues {
                    min: 1.0e-4,
                    max: 1.0e-1,
                },
            ),
            param("hidden", categorical(&[32, 64, 128, 256])),
            param("depth", Distribution::IntUniform { min: 1, max: 3 }),
            param("dropout", Distribution::Uniform { min: 0.0, max: 0.5 }),
            param(
                "l2",
                Distribution::LogUniformValues {
                    min: 1.0e-6,
                    max: 1.0e-2,
                },
            ),
            param("batch_size", categorical(&[16, 32, 64, 128])),
            param(
                "optimizer",
                Distribution::Categorical {
                    values: ["sgd", "adam", "adamw"]
                        .map(|s| ParamValue::Str(s.into()))
                        .to_vec(),
                    probabilities: None,
                },
            ),
        ]),
        device: crate::DeviceChoice::Cpu,
        checkpoints: crate::CheckpointSpec { keep: 5 },
        gate: None,
        enqueue: Vec::new(),
        warm_start: None,
        wandb_hyperband: None,
        metric_locations: [
            ("metric.name".to_string(), at(7, 16)),
            ("train.early_stopping.metric".to_string(), at(16, 28)),
            ("train.early_stopping.min_delta".to_string(), at(16, 62)),
        ]
        .into(),
        source: EXAMPLE.to_string(),
    };
    assert_eq!(spec, want);
    let names: Vec<&str> = spec
        .space
        .params()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "batch_size",
            "depth",
            "dropout",
            "hidden",
            "l2",
            "lr",
            "optimizer"
        ]
    );
}

#[test]
fn omitted_keys_take_their_defaults() {
    let spec = parse_ok(BASE);
    assert_eq!(spec.description, "");
    assert_eq!(spec.seed, Seed(0));
    assert_eq!(spec.method, Method::Random);
    assert_eq!(spec.run_cap, 20);
    assert_eq!(spec.parallel, None);
    assert_eq!(spec.metric.goal, Direction::Minimize);
    assert_eq!(
        spec.data.split,
        SplitSpec {
            validation: 0.2,
            test: 0.2,
            stratify: true
        }
    );
    assert_eq!(spec.data.normalize, Normalize::Standard);
    assert_eq!(spec.model.kind, ModelKind::Mlp);
    assert_eq!(spec.early_stopping, None);
    assert!(spec.fixed.is_empty());
    assert!(spec.space.params().is_empty());
    let stopping = parse_ok(&format!(
        "{BASE}train: {{early_stopping: {{metric: val_accuracy, patience: 3}}}}\n"
    ))
    .early_stopping;
    assert_eq!(stopping.map(|s| s.min_delta), Some(0.0));
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_read_like_plain_text() {
    let plain = parse_ok(EXAMPLE);
    let windows = format!("\u{feff}{}", EXAMPLE.replace('\n', "\r\n"));
    let read = parse_ok(&windows);
    assert_eq!(read.name, plain.name);
    assert_eq!(read.space, plain.space);
    assert_eq!(parse_ok(&format!("\u{feff}{EXAMPLE}")).hash(), plain.hash());
    // Positions on the first line do not count the mark.
    check(
        &[(
            BASE,
            "1:7: seed: must be an integer from 0 to 18446744073709551615, found -1",
        )],
        "\u{feff}seed: -1\n",
    );
}

#[test]
fn run_cap_defaults_to_the_grid_size() {
    let grid = format!(
        "{BASE}method: grid\nparameters:\n  hidden: {{values: [32, 64, 128]}}\n  \
         depth: {{min: 1, max: 2}}\n  optimizer: {{value: adam}}\n"
    );
    assert_eq!(parse_ok(&grid).run_cap, 6);
    assert_eq!(parse_ok(&format!("{grid}run_cap: 4\n")).run_cap, 4);
    assert_eq!(parse_ok(&format!("{BASE}method: grid\n")).run_cap, 1);
}

#[test]
fn parameter_shapes_give_their_distributions() {
    use Distribution::*;
    let cases: Vec<(&str, Distribution)> = vec![
        ("lr: {value: 0.1}", Constant(ParamValue::Float(0.1))),
        ("lr: {value: 1}", Constant(ParamValue::Float(1.0))),
        (
            "activation: {distribution: constant, value: gelu}",
            Constant(ParamValue::Str("gelu".into())),
        ),
        (
            "hidden: {values: [32.0, 64]}",
            Categorical {
                values: vec![ParamValue::Int(32), ParamValue::Int(64)],
                probabilities: None,
            },
        ),
        (
            "hidden: {values: [32, 64], probabilities: [0.25, 0.75]}",
            Categorical {
                values: vec![ParamValue::Int(32), ParamValue::Int(64)],
                probabilities: Some(vec![0.25, 0.75]),
            },
        ),
        (
            "optimizer: {distribution: categorical, values: [adam]}",
            Categorical {
                values: vec![ParamValue::Str("adam".into())],
                probabilities: None,
            },
        ),
        ("lr: {min: 1, max: 3}", IntUniform { min: 1, max: 3 }),
        ("depth: {min: 2, max: 2}", IntUniform { min: 2, max: 2 }),
        ("lr: {min: 0.1, max: 1}", Uniform { min: 0.1, max: 1.0 }),
        (
            "l2: {distribution: uniform, min: 1e-6, max: 1e-2}",
            Uniform {
                min: 1e-6,
                max: 1e-2,
            },
        ),
        (
            "lr: {distribution: q_uniform, min: 0.5, max: 3}",
            QUniform {
                min: 0.5,
                max: 3.0,
                q: 1.0,
            },
        ),
        (
            "lr: {distribution: log_uniform, min: -9.2, max: -2.3}",
            LogUniform {
                min: -9.2,
                max: -2.3,
            },
        ),
        (
            "lr: {distribution: log_uniform_values, min: 1.0e-4, max: 0.1}",
            LogUniformValues {
                min: 1e-4,
                max: 0.1,
            },
        ),
        (
            "batch_size: {distribution: q_log_uniform_values, min: 16, max: 256, q: 16}",
            QLogUniformValues {
                min: 16.0,
                max: 256.0,
                q: 16.0,
            },
        ),
        (
            "lr: {distribution: normal}",
            Normal {
                mu: 0.0,
                sigma: 1.0,
            },
        ),
        (
            "lr: {distribution: log_normal, mu: -3, sigma: 0.5}",
            LogNormal {
                mu: -3.0,
                sigma: 0.5,
            },
        ),
        (
            "batch_size: {distribution: q_log_uniform, min: 2.8, max: 5.6, q: 8}",
            QLogUniform {
                min: 2.8,
                max: 5.6,
                q: 8.0,
            },
        ),
        (
            "lr: {distribution: inv_log_uniform, min: 2.3, max: 9.2}",
            InvLogUniform { min: 2.3, max: 9.2 },
        ),
        (
            "lr: {distribution: inv_log_uniform_values, min: 1.0e-4, max: 0.1}",
            InvLogUniformValues {
                min: 1e-4,
                max: 0.1,
            },
        ),
        (
            "depth: {distribution: q_normal, mu: 2, sigma: 0.7}",
            QNormal {
                mu: 2.0,
                sigma: 0.7,
                q: 1.0,
            },
        ),
        (
            "hidden: {distribution: q_log_normal, mu: 4, q: 16}",
            QLogNormal {
                mu: 4.0,
                sigma: 1.0,
                q: 16.0,
            },
        ),
        (
            "dropout: {distribution: beta, a: 2, b: 5}",
            Beta { a: 2.0, b: 5.0 },
        ),
        ("dropout: {distribution: beta}", Beta { a: 1.0, b: 1.0 }),
        (
            "optimizer: {distribution: categorical_w_probabilities, values: [sgd, adam], \
             probabilities: [0.25, 0.75]}",
            Categorical {
                values: vec![
                    ParamValue::Str("sgd".into()),
                    ParamValue::Str("adam".into()),
                ],
                probabilities: Some(vec![0.25, 0.75]),
            },
        ),
        (
            "dropout: {distribution: q_beta, b: 3, q: 0.05}",
            QBeta {
                a: 1.0,
                b: 3.0,
                q: 0.05,
            },
        ),
    ];
    for (line, want) in cases {
        let spec = parse_ok(&format!("{BASE}parameters:\n  {line}\n"));
        let got = spec.space.params().first().map(|p| &p.distribution);
        assert_eq!(got, Some(&want), "{line}");
    }
}

#[test]
fn scalars_are_typed_by_the_yaml_core_schema() {
    let spec = parse_ok(
        "name: 2024\nseed: 18446744073709551615\ndescription:\nmetric: {name: val_loss}\n\
         data: {csv: 'a b.csv', target: 0}\nmodel: {hidden: 64.0, activation: \"tanh\"}\n\
         train: {lr: 1, epochs: 0x10}\n",
    );
    assert_eq!(spec.name, "2024");
    assert_eq!(spec.seed, Seed(u64::MAX));
    assert_eq!(spec.description, "");
    assert_eq!(spec.data.csv.value, PathBuf::from("a b.csv"));
    assert_eq!(spec.data.target.value, "0");
    assert_eq!(
        spec.fixed,
        Params::from([
            ("activation".into(), ParamValue::Str("tanh".into())),
            ("epochs".into(), ParamValue::Int(16)),
            ("hidden".into(), ParamValue::Int(64)),
            ("lr".into(), ParamValue::Float(1.0)),
        ])
    );
    // A seed written in hexadecimal is an integer too.
    let spec =
        parse_ok("name: t\nseed: 0x10\nmetric: {name: val_loss}\ndata: {csv: a.csv, target: y}\n");
    assert_eq!(spec.seed, Seed(16));
}

#[test]
fn the_data_file_is_resolved_against_the_spec_folder() {
    let cases = [
        ("spec.yaml", "data/x.csv", "data/x.csv"),
        ("a/b/spec.yaml", "data/x.csv", "a/b/data/x.csv"),
        ("a/spec.yaml", "../x.csv", "a/../x.csv"),
        ("a/spec.yaml", "/abs/x.csv", "/abs/x.csv"),
    ];
    for (file, csv, want) in cases {
        let text =
            format!("name: t\nmetric: {{name: val_loss}}\ndata: {{csv: {csv}, target: y}}\n");
        let spec = parse_spec(&text, Path::new(file)).map_err(|e| e.to_string());
        let got = spec.map(|s| s.data.csv.value);
        assert_eq!(got, Ok(PathBuf::from(want)), "{file} + {csv}");
    }
}

#[test]
fn no_input_makes_the_parser_panic() {
    let mut inputs: Vec<String> = Vec::new();
    for (i, _) in EXAMPLE.char_indices() {
        inputs.push(EXAMPLE[..i].to_string());
    }
    for (i, c) in EXAMPLE.char_indices() {
        for replacement in [
            ":", "-", "[", "{", "}", "\"", "'", "\n", "\t", "&", "*", "!", "|", "#",
        ] {
            let mut text = EXAMPLE.to_string();
            text.replace_range(i..i + c.len_utf8(), replacement);
            inputs.push(text);
        }
    }
    for odd in [
        "[".repeat(10_000),
        "{a: ".repeat(10_000),
        "- ".repeat(10_000),
        format!("{}x: 1", " ".repeat(100_000)),
        "\u{feff}name: t".to_string(),
        "\0".to_string(),
        "? [a, b]\n: c\n".to_string(),
        "%YAML 1.2\n---\nname: t\n...\n".to_string(),
        "a: !!binary aGk=\n".to_string(),
        "a: &x [*x]\n".to_string(),
        "name: 🦀\nmetric: {name: val_loss}\ndata: {csv: é.csv, target: ü}\n".to_string(),
        "parameters: {hidden: {min: -9223372036854775808, max: 9223372036854775807}}\n".to_string(),
        "method: grid\nparameters:\n  batch_size: {min: 1, max: 1048576}\n  hidden: {min: 1, max: 65536}\n  epochs: {min: 1, max: 100000}\n".to_string(),
    ] {
        inputs.push(odd);
    }
    let panicked: Vec<String> = inputs
        .iter()
        .filter(|text| {
            catch_unwind(AssertUnwindSafe(|| parse_spec(text, Path::new("s.yaml")))).is_err()
        })
        .map(|text| text.chars().take(200).collect())
        .collect();
    assert!(
        panicked.is_empty(),
        "panicked on {} inputs, e.g.:\n{:?}",
        panicked.len(),
        panicked.first()
    );
}

#[test]
fn conditions_and_sampler_settings_parse() {
    use crate::{Condition, TpeConfig};
    let spec = parse_ok(&format!(
        "{BASE}method: tpe\nsampler: {{n_startup_trials: 4, multivariate: false}}\nparameters:\n  \
         regularization: {{values: [none, dropout, l2, dropout+l2]}}\n  \
         dropout: {{min: 0.05, max: 0.5, when: {{regularization: [dropout, dropout+l2]}}}}\n  \
         l2: {{distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2, when: {{regularization: [l2, dropout+l2]}}}}\n"
    ));
    assert_eq!(
        spec.method,
        Method::Tpe(TpeConfig {
            n_startup_trials: 4,
            multivariate: Some(false),
            ..TpeConfig::default()
        })
    );
    assert_eq!(spec.run_cap, 20);
    let names = |vs: &[&str]| vs.iter().map(|v| ParamValue::Str(v.to_string())).collect();
    let condition = |values: &[&str]| {
        Some(Condition {
            when: [("regularization".to_string(), names(values))].into(),
        })
    };
    let dropout = spec.space.param("dropout").map(|p| p.condition.clone());
    assert_eq!(dropout, Some(condition(&["dropout", "dropout+l2"])));
    let l2 = spec.space.param("l2").map(|p| p.condition.clone());
    assert_eq!(l2, Some(condition(&["l2", "dropout+l2"])));
    let order: Vec<&str> = spec
        .space
        .in_dependency_order()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(order, ["regularization", "dropout", "l2"]);
}

#[test]
fn bayes_acquisition_settings_parse() {
    use crate::{Acquisition, BayesConfig};
    let acquisition =
        |sampler: &str| match parse_ok(&format!("{BASE}method: bayes\n{sampler}")).method {
            Method::Bayes(BayesConfig { acquisition, .. }) => Some(acquisition),
            _ => None,
        };
    assert_eq!(acquisition(""), Some(Acquisition::log_ei()));
    assert_eq!(
        acquisition("sampler: {acquisition: log_ei}\n"),
        Some(Acquisition::log_ei())
    );
    assert_eq!(
        acquisition("sampler: {greedy_tail: 0}\n"),
        Some(Acquisition::LogEi { greedy_tail: 0.0 })
    );
    assert_eq!(
        acquisition("sampler: {acquisition: log_ei, greedy_tail: 0.25}\n"),
        Some(Acquisition::LogEi { greedy_tail: 0.25 })
    );
    assert_eq!(
        acquisition("sampler: {acquisition: ucb}\n"),
        Some(Acquisition::Ucb {
            kappa: Acquisition::DEFAULT_KAPPA
        })
    );
    assert_eq!(
        acquisition("sampler: {acquisition: ucb, kappa: 2.5}\n"),
        Some(Acquisition::Ucb { kappa: 2.5 })
    );
}

#[test]
fn cmaes_settings_parse() {
    use crate::CmaEsConfig;
    assert_eq!(
        parse_ok(&format!("{BASE}method: cmaes\n")).method,
        Method::CmaEs(CmaEsConfig::default())
    );
    assert_eq!(
        parse_ok(&format!(
            "{BASE}method: cmaes\nsampler: {{popsize: 10, sigma0: 0.25, n_startup_trials: 3, \
             independent_sampler: random, restart_strategy: none, with_margin: false, \
             lr_adapt: true, use_separable_cma: true}}\n"
        ))
        .method,
        Method::CmaEs(CmaEsConfig {
            n_startup_trials: 3,
            popsize: Some(10),
            sigma0: 0.25,
            independent_sampler: crate::IndependentSampler::Random,
            restart: crate::Restart::None,
            with_margin: false,
            lr_adapt: true,
            use_separable_cma: true,
        })
    );
    assert_eq!(
        parse_ok(&format!(
            "{BASE}method: cmaes\nsampler: {{restart_strategy: bipop}}\n"
        ))
        .method,
        Method::CmaEs(CmaEsConfig {
            restart: crate::Restart::Bipop,
            ..CmaEsConfig::default()
        })
    );
}

#[test]
fn nsga2_settings_parse() {
    use crate::Nsga2Config;
    assert_eq!(
        parse_ok(&format!("{BASE}method: nsga2\n")).method,
        Method::Nsga2(Nsga2Config::default())
    );
    assert_eq!(
        parse_ok(&format!(
            "{BASE}method: nsga2\nsampler: {{population_size: 20, mutation_prob: 0.1, \
             crossover_prob: 1, swapping_prob: 0.25}}\n"
        ))
        .method,
        Method::Nsga2(Nsga2Config {
            population_size: 20,
            mutation_prob: Some(0.1),
            crossover_prob: 1.0,
            crossover: crate::Crossover::Blx {
                alpha: crate::BLX_ALPHA
            },
            swapping_prob: 0.25,
        })
    );
    let sbx = |yaml: &str| match parse_ok(&format!("{BASE}method: nsga2\nsampler: {yaml}\n")).method
    {
        Method::Nsga2(config) => config.crossover,
        other => panic!("{other:?}"),
    };
    assert_eq!(sbx("{crossover: sbx}"), crate::Crossover::Sbx { eta: None });
    assert_eq!(sbx("{crossover: uniform}"), crate::Crossover::Uniform);
    assert_eq!(
        sbx("{crossover: blx}"),
        crate::Crossover::Blx {
            alpha: crate::BLX_ALPHA
        }
    );
    assert_eq!(
        sbx("{crossover: blx, blx_alpha: 0}"),
        crate::Crossover::Blx { alpha: 0.0 }
    );
    assert_eq!(
        sbx("{crossover: sbx, sbx_eta: 15}"),
        crate::Crossover::Sbx { eta: Some(15.0) }
    );
}

#[test]
fn nsga3_settings_parse_with_nsga2s_and_count_their_directions() {
    use crate::{Nsga2Config, Nsga3Config};
    assert_eq!(
        parse_ok(&format!("{BASE}method: nsga3\n")).method,
        Method::Nsga3(Nsga3Config::default())
    );
    let spec = parse_ok(&format!(
        "{BASE}method: nsga3\nsampler: {{population_size: 24, crossover: sbx, dividing_parameter: 5}}\n"
    ));
    let want = Nsga3Config {
        genetic: Nsga2Config {
            population_size: 24,
            crossover: crate::Crossover::Sbx { eta: None },
            ..Nsga2Config::default()
        },
        dividing_parameter: 5,
    };
    assert_eq!(spec.method, Method::Nsga3(want));
    assert_eq!(spec.method.name(), "nsga3");
    // C(m + p - 1, p): 3 objectives and 3 divisions make 10, 5 and 3 make 35, 2 and 5 make 6.
    let divided = |p| Nsga3Config {
        dividing_parameter: p,
        ..Nsga3Config::default()
    };
    assert_eq!(divided(3).reference_points(3), 10);
    assert_eq!(divided(3).reference_points(5), 35);
    assert_eq!(divided(5).reference_points(2), 6);
    assert_eq!(divided(7).reference_points(1), 1);
    assert_eq!(divided(u32::MAX).reference_points(40), u64::MAX);
}

#[test]
fn a_sampler_that_would_never_learn_within_the_run_cap_is_noted() {
    let note = |yaml: &str| {
        let spec = parse_ok(&format!("{BASE}{yaml}"));
        spec.method
            .never_learns(spec.run_cap, &spec.space, &spec.enqueue)
    };
    assert_eq!(
        note("method: nsga2\nrun_cap: 40\n").as_deref(),
        Some(
            "`nsga2` learns from trial 50 on (`sampler.population_size: 50`), and the study has \
             40 trials: every one is drawn at random; give more trials or a smaller \
             `population_size`"
        )
    );
    assert!(note("method: nsga3\nrun_cap: 50\n").is_some());
    assert_eq!(note("method: nsga3\nrun_cap: 51\n"), None);
    assert!(note("method: tpe\nrun_cap: 5\n").is_some_and(|n| n
        .contains("`sampler.n_startup_trials: 5`")
        && n.contains("quasi-randomly")));
    assert_eq!(note("method: tpe\nrun_cap: 6\n"), None);
    // Enqueued trials are said as such, not as drawn.
    let space = "parameters:\n  lr: {min: 0.001, max: 0.1}\n  optimizer: {values: [sgd, adam]}\n";
    assert_eq!(
        note(&format!(
            "method: tpe\nrun_cap: 4\n{space}enqueue:\n  - {{lr: 0.01, optimizer: sgd}}\n"
        ))
        .as_deref(),
        Some(
            "`tpe` learns from trial 5 on (`sampler.n_startup_trials: 5`), and the study has 4 \
             trials: the first is enqueued, and the other 3 are drawn quasi-randomly; give more \
             trials or a smaller `n_startup_trials`"
        )
    );
    assert_eq!(
        note(&format!(
            "method: tpe\nrun_cap: 4\n{space}enqueue:\n  - {{lr: 0.01, optimizer: sgd}}\n  \
             - {{optimizer: adam}}\n"
        ))
        .as_deref(),
        Some(
            "`tpe` learns from trial 5 on (`sampler.n_startup_trials: 5`), and the study has 4 \
             trials: the first 2 are enqueued, 1 of them in part, and the other 2, and what the \
             enqueued leave out, are drawn quasi-randomly; give more trials or a smaller \
             `n_startup_trials`"
        )
    );
    assert!(note("method: bayes\nrun_cap: 8\n").is_some());
    assert_eq!(note("method: random\nrun_cap: 1\n"), None);
    assert_eq!(
        note("method: nsga2\nsampler: {population_size: 10}\nrun_cap: 40\n"),
        None
    );
    // CMA-ES: generations of 4 + floor(3 ln n) for n numeric parameters in every trial (the
    // categorical, the conditional and the fixed ones do not count).
    let space = "parameters:\n  lr: {min: 0.001, max: 0.1}\n  dropout: {min: 0, max: 0.5}\n  \
                 hidden: {distribution: int_uniform, min: 8, max: 64}\n  \
                 depth: {distribution: int_uniform, min: 2, max: 2}\n  \
                 optimizer: {values: [sgd, adam]}\n  \
                 momentum: {min: 0, max: 0.9, when: {optimizer: [sgd]}}\n";
    assert_eq!(
        note(&format!("method: cmaes\nrun_cap: 7\n{space}")).as_deref(),
        Some(
            "`cmaes` learns from trial 7 on (`sampler.n_startup_trials: 0` and a first \
             generation of 7, `sampler.popsize`), and the study has 7 trials: every one is \
             drawn at random or around the middle of the space; give more trials, a smaller \
             `popsize` or another method"
        )
    );
    assert_eq!(note(&format!("method: cmaes\nrun_cap: 8\n{space}")), None);
    assert!(note(&format!(
        "method: cmaes\nsampler: {{popsize: 3, n_startup_trials: 5}}\nrun_cap: 8\n{space}"
    ))
    .is_some_and(|n| n.contains("from trial 8 on")));
    // Nothing for CMA-ES to move: every trial is its independent sampler's, which is said.
    assert_eq!(
        note("method: cmaes\nrun_cap: 2\nparameters:\n  optimizer: {values: [sgd, adam]}\n")
            .as_deref(),
        Some(
            "`cmaes` moves the numeric parameters present in every trial, and this space has \
             none (its parameters are lists of values, or have a `when:`), so every trial is \
             drawn by its `sampler.independent_sampler`, tpe: write `method: tpe` to say what \
             runs, or search a number range"
        )
    );
}

#[test]
fn a_grid_cut_by_the_run_cap_or_shorter_than_it_and_a_smaller_finite_space_are_noted() {
    // Six points: two optimizers, three depths.
    let six = |yaml: &str| {
        parse_ok(&format!(
            "{BASE}{yaml}parameters:\n  optimizer: {{values: [sgd, adam]}}\n  \
             depth: {{min: 1, max: 3}}\n"
        ))
    };
    let note = |yaml: &str| {
        let spec = six(yaml);
        spec.method.coverage_note(spec.run_cap, &spec.space)
    };
    assert_eq!(note("method: grid\n"), None);
    assert_eq!(note("method: grid\nrun_cap: 6\n"), None);
    assert_eq!(
        note("method: grid\nrun_cap: 4\n").as_deref(),
        Some(
            "the grid has 6 points and the study 4 trials: it runs the grid's first 4 points in \
             order (the parameters that conditions test change slowest, then the last parameter \
             by name fastest) and never tries the others; raise `run_cap` for the whole grid, set \
             `sampler: {shuffle: true}` to run 4 points spread over it, or use `sobol` to spread \
             4 trials over the whole space"
        )
    );
    assert_eq!(
        note("method: grid\nsampler: {shuffle: true}\nrun_cap: 4\n").as_deref(),
        Some(
            "the grid has 6 points and the study 4 trials: it runs 4 of them, in an order \
             shuffled by the seed (`sampler.shuffle`), and never tries the others; raise \
             `run_cap` for the whole grid"
        )
    );
    assert_eq!(
        note("method: grid\nrun_cap: 10\n").as_deref(),
        Some("the grid has 6 points, so the study runs 6 trials, not 10")
    );
    assert_eq!(note("method: random\nrun_cap: 6\n"), None);
    // What the study holds: never more than the grid's points.
    let planned = |yaml: &str| {
        let spec = six(yaml);
        spec.planned_trials(spec.run_cap)
    };
    assert_eq!(planned("method: grid\nrun_cap: 10\n"), 6);
    assert_eq!(planned("method: grid\nrun_cap: 4\n"), 4);
    assert_eq!(planned("method: random\nrun_cap: 10\n"), 10);
    assert_eq!(
        note("method: tpe\nrun_cap: 7\n").as_deref(),
        Some(
            "the space has only 6 distinct points and the study 7 trials: `tpe` draws some of \
             them again (each repeat trains from its own seed); `method: grid` runs each once"
        )
    );
    // A continuous parameter: no count of points.
    let spec = parse_ok(&format!(
        "{BASE}method: random\nrun_cap: 100\nparameters:\n  lr: {{min: 0.001, max: 0.1}}\n"
    ));
    assert_eq!(spec.method.coverage_note(spec.run_cap, &spec.space), None);
}

#[test]
fn a_quantized_range_with_fewer_values_than_trials_is_noted() {
    let note = |params: &str| {
        let spec = parse_ok(&format!(
            "{BASE}method: random\nrun_cap: 4\nparameters:\n{params}"
        ));
        spec.method.coverage_note(spec.run_cap, &spec.space)
    };
    // W&B's q_uniform without `q`: q is 1, and every draw from 0 to 0.49 rounds to 0. A grid
    // takes q_uniform (issue 45) as written, and the note says why there is one point.
    assert_eq!(
        note("  dropout: {distribution: q_uniform, min: 0.0, max: 0.49}\n").as_deref(),
        Some(
            "the space has only 1 distinct point and the study 4 trials: `random` draws some of \
             them again (each repeat trains from its own seed); `method: grid` runs each once; \
             `dropout` takes only 0: q_uniform rounds its draws to multiples of q (1, W&B's \
             default where `q:` is not written) from 0 to 0.49"
        )
    );
    // The log ones a grid does not take: listed as values, it runs each once.
    assert_eq!(
        note("  batch_size: {distribution: q_log_uniform_values, min: 8, max: 16, q: 8}\n")
            .as_deref(),
        Some(
            "the space has only 2 distinct points and the study 4 trials: `random` draws some of \
             them again (each repeat trains from its own seed); listed as `values: [..]`, \
             `method: grid` runs each once; `batch_size` takes only 8 and 16: \
             q_log_uniform_values rounds its draws to multiples of q (8) from 8 to 16"
        )
    );
    assert_eq!(
        note(
            "  dropout: {distribution: q_uniform, min: 0.0, max: 0.5, q: 0.25}\n  \
             optimizer: {values: [sgd, adam]}\n"
        ),
        None
    );
    // With a continuous parameter beside it, the space has no count of points.
    assert_eq!(
        note(
            "  dropout: {distribution: q_uniform, min: 0.0, max: 0.49}\n  \
             lr: {min: 0.001, max: 0.1}\n"
        ),
        None
    );
}

#[test]
fn a_conditional_grid_counts_only_active_points() {
    let spec = parse_ok(&format!(
        "{BASE}method: grid\nparameters:\n  optimizer: {{values: [sgd, adam]}}\n  \
         momentum: {{values: [0.0, 0.9], when: {{optimizer: [sgd]}}}}\n  depth: {{min: 1, max: 2}}\n"
    ));
    // sgd with two momenta, adam alone; times two depths.
    assert_eq!(spec.run_cap, 6);
}

#[test]
fn the_tpe_example_parses_with_its_conditions() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments/digits-mlp-tpe-asha.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = parse_ok(&text);
    assert_eq!(spec.method.name(), "tpe");
    let conditional: Vec<&str> = spec
        .space
        .params()
        .iter()
        .filter(|p| p.condition.is_some())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(conditional, ["dropout", "l2", "momentum"]);
}

#[test]
fn sampler_settings_written_back_read_as_the_same_settings() {
    use crate::{
        Acquisition, BayesConfig, CmaEsConfig, Crossover, GridConfig, IndependentSampler,
        Nsga2Config, Nsga3Config, Restart, SobolConfig, TpeConfig,
    };
    let methods = [
        Method::Grid(GridConfig::default()),
        Method::Grid(GridConfig { shuffle: true }),
        Method::Sobol(SobolConfig { scramble: false }),
        Method::Tpe(TpeConfig::default()),
        Method::Tpe(TpeConfig {
            n_startup_trials: 10,
            multivariate: Some(false),
            constant_liar: false,
            gamma: 0.15,
            prior_weight: 0.5,
            ..TpeConfig::default()
        }),
        Method::Bayes(BayesConfig::default()),
        Method::Bayes(BayesConfig {
            acquisition: Acquisition::Ucb { kappa: 2.5 },
            n_local_search: 0,
            ..BayesConfig::default()
        }),
        Method::CmaEs(CmaEsConfig::default()),
        Method::CmaEs(CmaEsConfig {
            n_startup_trials: 3,
            popsize: Some(12),
            sigma0: 0.3,
            independent_sampler: IndependentSampler::Random,
            restart: Restart::Bipop,
            with_margin: false,
            lr_adapt: true,
            use_separable_cma: true,
        }),
        Method::Nsga2(Nsga2Config::default()),
        Method::Nsga2(Nsga2Config {
            mutation_prob: Some(0.05),
            crossover: Crossover::Sbx { eta: Some(15.0) },
            ..Nsga2Config::default()
        }),
        Method::Nsga2(Nsga2Config {
            crossover: Crossover::Uniform,
            ..Nsga2Config::default()
        }),
        Method::Nsga3(Nsga3Config {
            dividing_parameter: 5,
            ..Nsga3Config::default()
        }),
    ];
    for method in methods {
        let yaml = method.sampler_yaml().unwrap();
        let text = format!("{BASE}method: {}\nsampler: {yaml}\n", method.name());
        assert_eq!(parse_ok(&text).method, method, "{yaml}");
    }
    assert_eq!(Method::Random.sampler_yaml(), None);
    assert_eq!(
        Method::Nsga2(Nsga2Config::default())
            .sampler_yaml()
            .as_deref(),
        Some(
            "{population_size: 50, crossover_prob: 0.9, crossover: blx, blx_alpha: 0.5, \
             swapping_prob: 0.5}"
        )
    );
}

#[test]
fn texts_with_the_same_content_are_the_same_file() {
    use crate::same_content;
    let file = "name: t\nparameters:\n  lr: {min: 1e-4, max: 0.1}\n";
    for same in [
        "# a copy\nname: t   # here\nparameters:\n  lr:\n    min: 0.0001\n    max: 0.1\n",
        "name: 't'\r\nparameters:\r\n  lr: {min: 1.0e-4, max: .1}\r\n",
    ] {
        assert!(same_content(file, same), "{same:?}");
    }
    for other in [
        "name: t\nparameters:\n  lr: {min: 1e-4, max: 0.2}\n",
        // Key order can matter to what a file means, so it counts.
        "name: t\nparameters:\n  lr: {max: 0.1, min: 1e-4}\n",
        "name: t\nparameters: [\n",
    ] {
        assert!(!same_content(file, other), "{other:?}");
    }
}
