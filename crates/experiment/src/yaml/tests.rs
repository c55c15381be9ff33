//! Tests of the YAML front end through its one entry point, `parse_spec`: a table of specs and
//! the errors they must give, the example spec parsed in full, the fixtures of
//! `tests/e2e/bad_specs`, and a check that no input makes the parser panic.

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

fn parse_ok(text: &str) -> ExperimentSpec {
    match parse_spec(text, Path::new("s.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}\n--- in:\n{text}"),
    }
}

#[test]
fn whole_document_errors() {
    check(
        &[
            ("", "1:1: the spec is empty; expected a mapping with at least `name`, `metric` and `data`"),
            ("# only a comment\n", "1:1: the spec is empty; expected a mapping with at least `name`, `metric` and `data`"),
            ("- a\n- b\n", "1:1: expected the spec to be a mapping with keys such as `name:` and `data:`, found a sequence"),
            ("hello\n", "1:1: expected the spec to be a mapping with keys such as `name:` and `data:`, found string `hello`"),
            ("name: t\n", "1:1: metric: missing required key `metric`\n1:1: data: missing required key `data`"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "1:1: name: missing required key `name`"),
            ("name: t\nparameters: {lr: [1, 2}\n", "2:23: yaml syntax error: while parsing a flow sequence, expected ',' or ']'"),
            ("name: t\n  seed: 1\n", "2:7: yaml syntax error: mapping values are not allowed in this context"),
            ("name: \"t\n", "1:7: yaml syntax error: while scanning a quoted scalar, found unexpected end of stream"),
            ("a: 1\n---\nb: 2\n", "2:1: expected a single yaml document, found a second one"),
            ("[a]: 1\n", "1:1: mapping keys must be plain names, found a collection"),
            ("seed: &s 1\nparallel: *s\n", "2:11: parallel: yaml aliases (`*name`) are not supported; write the value out"),
            ("seed: !!int 1\n", "1:13: seed: yaml tags such as `!!int` are not supported"),
            (&"[".repeat(100), "1:65: mappings and sequences nest deeper than 64 levels"),
        ],
        "",
    );
}

#[test]
fn top_level_errors() {
    check(
        &[
            ("nmae: x\n", "4:1: nmae: unknown key `nmae`; did you mean `name`? expected keys: name, description, seed, method, run_cap, parallel, metric, data, model, train, parameters"),
            ("seed: 1\nseed: 2\n", "5:1: seed: duplicate key `seed`; it is first written on line 4"),
            ("seed: -1\n", "4:7: seed: must be a non-negative integer, found -1"),
            ("seed: abc\n", "4:7: seed: expected an integer, found string `abc`"),
            ("seed:\n", "4:1: seed: expected an integer, found nothing"),
            ("method: tpe\n", "4:9: method: method `tpe` is not supported yet; expected one of grid, random"),
            ("method: gird\n", "4:9: method: unknown method `gird`; did you mean `grid`? expected one of grid, random"),
            ("method: [grid]\n", "4:9: method: expected one of grid, random, found a sequence"),
            ("run_cap: 0\n", "4:10: run_cap: must be an integer from 1 to 4294967295, found 0"),
            ("run_cap: 2.5\n", "4:10: run_cap: expected an integer, found number `2.5`"),
            ("parallel: -3\n", "4:11: parallel: must be an integer from 1 to 4294967295, found -3"),
            ("description: {a: 1}\n", "4:14: description: expected text, found a mapping"),
            ("train: [1]\nmodel: 3\n", "4:8: train: expected a mapping, found a sequence\n5:8: model: expected a mapping, found integer `3`"),
        ],
        BASE,
    );
    check(
        &[
            ("name: my exp\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "1:7: name: must be 1 to 64 letters, digits, `.`, `_` or `-`, found `my exp`"),
            (&format!("name: {}\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n", "a".repeat(65)), &format!("1:7: name: must be 1 to 64 letters, digits, `.`, `_` or `-`, found `{}`", "a".repeat(65))),
            ("name: t\nmetric: {name: val_acc}\n", "1:1: data: missing required key `data`\n2:16: metric.name: unknown metric `val_acc`; did you mean `val_accuracy`? expected one of train_loss, val_loss, val_accuracy, epoch_seconds"),
        ],
        "",
    );
}

#[test]
fn metric_and_data_errors() {
    let base = "name: t\n";
    check(
        &[
            ("metric: {goal: maximize}\ndata: {csv: d.csv, target: y}\n", "2:9: metric.name: missing required key `name`"),
            ("metric: {name: val_loss, goal: max}\ndata: {csv: d.csv, target: y}\n", "2:32: metric.goal: unknown goal `max`; did you mean `maximize`? expected one of maximize, minimize"),
            ("metric: val_loss\ndata: {csv: d.csv, target: y}\n", "2:9: metric: expected a mapping, found string `val_loss`"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv}\n", "3:7: data.target: missing required key `target`"),
            ("metric: {name: val_loss}\ndata:\n  target: y\n", "4:3: data.csv: missing required key `csv`"),
            ("metric: {name: val_loss}\ndata: d.csv\n", "3:7: data: expected a mapping, found string `d.csv`"),
            ("metric: {name: val_loss}\ndata: {csv: '', target: y}\n", "3:13: data.csv: expected text, found an empty string"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {validation: 0}}\n", "3:51: data.split.validation: must be in (0, 1), found 0"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {test: 1.0}}\n", "3:45: data.split.test: must be in [0, 1), found 1"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {validation: 0.5, test: 0.5}}\n", "3:38: data.split: validation + test must be below 1 to leave rows for training, found 0.5 + 0.5"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {stratify: yes}}\n", "3:49: data.split.stratify: expected true or false, found string `yes`"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, normalize: standart}\n", "3:42: data.normalize: unknown normalization `standart`; did you mean `standard`? expected one of none, standard, minmax"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {valdation: 0.1}}\n", "3:39: data.split.valdation: unknown key `valdation`; did you mean `validation`? expected keys: validation, test, stratify"),
        ],
        base,
    );
}

#[test]
fn model_and_train_errors() {
    check(
        &[
            ("model: {kind: cnn}\n", "4:15: model.kind: unknown model kind `cnn`; expected one of mlp"),
            ("model: {lr: 0.1}\n", "4:9: model.lr: `lr` is a train knob; put it under `train:`, not `model:`"),
            ("model: {hiden: 64}\n", "4:9: model.hiden: unknown key `hiden`; did you mean `hidden`? expected keys: kind, hidden, depth, dropout, activation"),
            ("train: {optimizer: rmsprop}\n", "4:20: train.optimizer: `optimizer` must be one of sgd, adam, adamw, found `rmsprop`"),
            ("train: {epochs: abc}\n", "4:17: train.epochs: expected an integer for `epochs`, found string `abc`"),
            ("train: {epochs: 0}\n", "4:17: train.epochs: `epochs` must be in 1..=100000, found 0"),
            ("train: {lr: {values: [0.1]}}\n", "4:13: train.lr: expected a single value for `lr`; to search over it, move it to `parameters:`"),
            ("train: {dropout: 0.1}\n", "4:9: train.dropout: `dropout` is a model knob; put it under `model:`, not `train:`"),
            ("train:\n  early_stopping: {metric: val_loss, patience: 0, min_delta: -1}\n", "5:48: train.early_stopping.patience: must be an integer from 1 to 4294967295, found 0\n5:62: train.early_stopping.min_delta: must not be negative, found -1"),
            ("train:\n  early_stopping: {metric: val_los, patiance: 3}\n", "5:19: train.early_stopping.patience: missing required key `patience`\n5:28: train.early_stopping.metric: unknown metric `val_los`; did you mean `val_loss`? expected one of train_loss, val_loss, val_accuracy, epoch_seconds\n5:37: train.early_stopping.patiance: unknown key `patiance`; did you mean `patience`? expected keys: metric, patience, min_delta"),
            ("train: {lr: 0.1}\nparameters:\n  lr: {values: [0.1, 0.01]}\n", "6:3: parameters.lr: `lr` is fixed in `train:` on line 4 and also searched here; keep one"),
        ],
        BASE,
    );
}

#[test]
fn parameter_errors() {
    let base = format!("{BASE}parameters:\n");
    check(
        &[
            ("  lrr: {min: 0.1, max: 0.2}\n", "5:3: parameters.lrr: unknown parameter `lrr`: the trainer has no such knob; did you mean `lr`? knobs: lr, batch_size, epochs, optimizer, momentum, l2, hidden, depth, dropout, activation"),
            ("  lr: 0.1\n", "5:7: parameters.lr: expected a mapping such as `{values: [..]}` or `{min: .., max: ..}`, found number `0.1`"),
            ("  lr: {min: 0.5, max: 0.1}\n", "5:13: parameters.lr.min: min must be below max, found min 0.5 and max 0.1"),
            ("  lr: {min: 0.1, max: 0.1}\n", "5:13: parameters.lr.min: min must be below max, found min 0.1 and max 0.1"),
            ("  depth: {min: 3, max: 1}\n", "5:16: parameters.depth.min: min must not exceed max, found min 3 and max 1"),
            ("  depth: {min: 1, max: 2.5}\n", "5:24: parameters.depth.max: expected an integer, found number `2.5`"),
            ("  depth: {min: 1, max: 20}\n", "5:24: parameters.depth.max: `depth` must be in 0..=16, found 20"),
            ("  hidden: {distribution: uniform, min: 8, max: 64}\n", "5:26: parameters.hidden.distribution: `hidden` is an integer knob and uniform draws real numbers; use int_uniform (integer `min` and `max`), `values`, or q_uniform or q_log_uniform_values with a whole `q`"),
            ("  batch_size: {distribution: q_uniform, min: 16, max: 256, q: 0.5}\n", "5:63: parameters.batch_size.q: `batch_size` is an integer knob, so q must be a whole number, found 0.5"),
            ("  optimizer: {distribution: uniform, min: 0, max: 1}\n", "5:29: parameters.optimizer.distribution: `optimizer` takes one of sgd, adam, adamw, so it cannot use uniform; use `values` or `value`"),
            ("  optimizer: {values: [sgd, rmsprop]}\n", "5:29: parameters.optimizer.values[1]: `optimizer` must be one of sgd, adam, adamw, found `rmsprop`"),
            ("  hidden: {values: []}\n", "5:20: parameters.hidden.values: expected at least one value, found `[]`"),
            ("  hidden: {values: 32}\n", "5:20: parameters.hidden.values: expected a sequence such as `[1, 2]`, found integer `32`"),
            ("  hidden: {values: [[32]]}\n", "5:21: parameters.hidden.values[0]: expected a single value, found a sequence"),
            ("  hidden: {values: [32, 64], probabilities: [1.0]}\n", "5:45: parameters.hidden.probabilities: expected 2 probabilities, one per value, found 1"),
            ("  hidden: {values: [32, 64], probabilities: [0.5, 0.6]}\n", "5:45: parameters.hidden.probabilities: probabilities must sum to 1, found 1.1"),
            ("  hidden: {values: [32, 64], probabilities: [-0.5, 1.5]}\n", "5:46: parameters.hidden.probabilities[0]: a probability must not be negative, found -0.5"),
            ("  hidden: {value: 32, probabilities: [1.0]}\n", "5:23: parameters.hidden.probabilities: `probabilities` does not apply to constant; expected keys: distribution, value"),
            ("  lr: {min: 0.1, max: 0.2, q: 0.1}\n", "5:28: parameters.lr.q: `q` does not apply to uniform; expected keys: distribution, min, max"),
            ("  lr: {distribution: normal, mu: 0.1, sigma: 0, min: 0}\n", "5:46: parameters.lr.sigma: must be positive, found 0\n5:49: parameters.lr.min: `min` does not apply to normal; expected keys: distribution, mu, sigma"),
            ("  lr: {min: 0.1, max: 0.2, stepp: 1}\n", "5:28: parameters.lr.stepp: unknown key `stepp`; expected keys: distribution, min, max"),
            ("  lr: {vals: [0.1]}\n", "5:8: parameters.lr.vals: unknown key `vals`; did you mean `value`? expected keys: distribution, value, values, probabilities, min, max, q, mu, sigma"),
            ("  lr: {}\n", "5:7: parameters.lr: cannot tell how to draw `lr`: give `values`, `value`, `min` and `max`, or a `distribution`"),
            ("  lr: {value: 0.1, values: [0.1]}\n", "5:7: parameters.lr: give either `value` or `values`, not both"),
            ("  lr: {distribution: log_uniform_value, min: 0.1, max: 1}\n", "5:22: parameters.lr.distribution: unknown distribution `log_uniform_value`; did you mean `log_uniform_values`? expected one of constant, categorical, uniform, int_uniform, q_uniform, log_uniform, log_uniform_values, q_log_uniform_values, normal, log_normal"),
            ("  lr: {distribution: q_normal}\n", "5:22: parameters.lr.distribution: distribution `q_normal` is not supported yet; expected one of constant, categorical, uniform, int_uniform, q_uniform, log_uniform, log_uniform_values, q_log_uniform_values, normal, log_normal"),
            ("  l2: {distribution: log_uniform_values, min: 0, max: 0.1}\n", "5:47: parameters.l2.min: log_uniform_values needs positive bounds, found 0"),
            ("  lr: {distribution: log_uniform, min: -10, max: 3}\n", "5:50: parameters.lr.max: log_uniform takes natural-log bounds, and e^3 is out of range: `lr` must be in [0.000000000001, 10], found 20.085536923187668"),
            ("  lr: {distribution: q_uniform, min: 0.1, max: 1, q: 0}\n", "5:54: parameters.lr.q: must be positive, found 0"),
            ("  lr: {min: .inf, max: 1.0}\n", "5:13: parameters.lr.min: expected a finite number, found number `.inf`"),
            ("  lr: {min: 0, max: 0.1}\n", "5:13: parameters.lr.min: `lr` must be in [0.000000000001, 10], found 0"),
            ("  lr: {min: 0.1}\n", "5:7: parameters.lr.max: missing required key `max`"),
            ("  dropout: {value: 1.0}\n", "5:20: parameters.dropout.value: `dropout` must be in [0, 1), found 1"),
            ("  hidden: {value: \"32\"}\n", "5:19: parameters.hidden.value: expected an integer for `hidden`, found string `32`"),
            ("  lr: {values: [0.1]}\n  lr: {values: [0.2]}\n", "6:3: parameters.lr: duplicate key `lr`; it is first written on line 5"),
        ],
        &base,
    );
}

#[test]
fn grid_errors() {
    let base = format!("{BASE}method: grid\nparameters:\n");
    check(
        &[
            ("  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}\n", "6:7: parameters.lr: parameter `lr` is continuous (log_uniform_values); a grid needs `values`, `value` or int_uniform"),
            ("  hidden: {values: [32, 64]}\n  dropout:\n    min: 0.0\n    max: 0.5\n", "8:5: parameters.dropout: parameter `dropout` is continuous (uniform); a grid needs `values`, `value` or int_uniform"),
            ("  hidden: {values: [32, 64]}\n  depth: {min: 1, max: 3}\n", "ok"),
        ],
        &base,
    );
}

#[test]
fn errors_come_in_file_order() {
    let text = "\
parameters:
  lrr: {min: 1, max: 2}
name: bad name
metric: {name: nope}
seed: x
";
    let want = "\
1:1: data: missing required key `data`
2:3: parameters.lrr: unknown parameter `lrr`: the trainer has no such knob; did you mean `lr`? knobs: lr, batch_size, epochs, optimizer, momentum, l2, hidden, depth, dropout, activation
3:7: name: must be 1 to 64 letters, digits, `.`, `_` or `-`, found `bad name`
4:16: metric.name: unknown metric `nope`; expected one of train_loss, val_loss, val_accuracy, epoch_seconds
5:7: seed: expected an integer, found string `x`";
    assert_eq!(render(text), want);
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
    let param = |name: &str, distribution| Param {
        name: name.to_string(),
        distribution,
    };
    let want = ExperimentSpec {
        name: "digits-mlp".into(),
        description: "MLP on 8x8 digits, random search".into(),
        seed: Seed(7),
        method: Method::Random,
        run_cap: 24,
        parallel: Some(2),
        metric: MetricSpec {
            name: "val_accuracy".into(),
            goal: Direction::Maximize,
        },
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
            "lr: {distribution: q_uniform, min: 0.1, max: 1}",
            QUniform {
                min: 0.1,
                max: 1.0,
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
