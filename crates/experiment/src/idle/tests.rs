//! Tests of the knobs that do nothing: per trial, and the notes on a spec that searches one.

use std::path::Path;

use super::*;

fn spec(model: &str, train: &str, parameters: &str) -> ExperimentSpec {
    let text = format!(
        "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\nmodel: {model}\n\
         train: {train}\nparameters:\n{parameters}"
    );
    match ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}\n--- in:\n{text}"),
    }
}

fn params(pairs: &[(&str, ParamValue)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

#[test]
fn a_trial_names_the_knobs_it_leaves_idle_and_why() {
    let s = |v: &str| ParamValue::Str(v.to_string());
    // Defaults: adam, constant schedule, one hidden layer, an mlp.
    let idle = idle_knobs(&Params::new(), &Params::new(), ModelKind::Mlp);
    let names: Vec<&str> = idle.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            "momentum",
            "step_epochs",
            "step_factor",
            "channels",
            "conv_layers"
        ]
    );
    assert_eq!(idle[0].1, "only `optimizer: sgd` uses it");
    assert_eq!(idle[3].1, "only a `cnn` model uses it");
    // Sampled over fixed: sgd and a step schedule wake three; no hidden layer idles three more.
    let fixed = params(&[("optimizer", s("adam")), ("depth", ParamValue::Int(0))]);
    let sampled = params(&[("optimizer", s("sgd")), ("schedule", s("step"))]);
    let names: Vec<&str> = idle_knobs(&fixed, &sampled, ModelKind::Mlp)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        names,
        ["hidden", "layer_norm", "dropout", "channels", "conv_layers"]
    );
    // A CNN without convolutions leaves its channels idle, for that reason.
    let cnn = idle_knobs(
        &params(&[("conv_layers", ParamValue::Int(0))]),
        &Params::new(),
        ModelKind::Cnn,
    );
    assert_eq!(
        cnn.iter()
            .find(|(k, _)| *k == "channels")
            .map(|(_, why)| why.as_str()),
        Some("it acts only with `conv_layers` of 1 or more")
    );
    assert!(!cnn.iter().any(|(k, _)| *k == "conv_layers"));
}

#[test]
fn a_spec_searching_a_knob_that_never_acts_is_told_so() {
    // The optimizer by default, fixed, or searched over values momentum ignores.
    let by_default = spec("{kind: mlp}", "{}", "  momentum: {min: 0.5, max: 0.99}\n");
    assert_eq!(
        by_default.knob_notes(),
        [
            "`momentum` is searched but does nothing in any trial: only `optimizer: sgd` uses it, \
          and `optimizer` is adam (its default)"
        ]
    );
    let fixed = spec(
        "{kind: mlp}",
        "{optimizer: adamw}",
        "  momentum: {min: 0.5, max: 0.99}\n",
    );
    assert!(fixed.knob_notes()[0].ends_with("`optimizer` is adamw (fixed in the spec)"));
    let searched = spec(
        "{kind: mlp}",
        "{}",
        "  momentum: {min: 0.5, max: 0.99}\n  optimizer: {values: [adam, adamw]}\n",
    );
    assert!(searched.knob_notes()[0].ends_with("`optimizer` is searched over adam, adamw"));
    // CNN knobs in an mlp: one note for `channels`, though it needs two things.
    let mlp = spec(
        "{kind: mlp}",
        "{}",
        "  channels: {values: [16, 32]}\n  conv_layers: {values: [1, 2]}\n",
    );
    assert_eq!(
        mlp.knob_notes(),
        [
            "`channels` is searched but does nothing in any trial: only a `cnn` model uses it, \
             and this model is an `mlp`",
            "`conv_layers` is searched but does nothing in any trial: only a `cnn` model uses \
             it, and this model is an `mlp`",
        ]
    );
}

#[test]
fn a_spec_searching_a_knob_in_trials_where_it_idles_is_offered_a_when() {
    let unconditional = spec(
        "{kind: mlp}",
        "{}",
        "  momentum: {values: [0.0, 0.9]}\n  optimizer: {values: [sgd, adam, adamw]}\n",
    );
    assert_eq!(
        unconditional.knob_notes(),
        ["`momentum` is searched also in trials where `optimizer` is adam, adamw, where it does \
          nothing (only `optimizer: sgd` uses it): `when: {optimizer: [sgd]}` leaves it out of \
          them, so that the sampler does not learn from values that changed nothing"]
    );
    // A `when:` that admits only sgd says nothing; one that admits adamw too is told of it.
    let with_when = |values: &str| {
        spec(
            "{kind: mlp}",
            "{}",
            &format!(
                "  momentum: {{min: 0.5, max: 0.99, when: {{optimizer: [{values}]}}}}\n  \
                 optimizer: {{values: [sgd, adam, adamw]}}\n"
            ),
        )
        .knob_notes()
    };
    assert!(with_when("sgd").is_empty());
    let loose = with_when("sgd, adamw");
    assert_eq!(loose.len(), 1);
    assert!(
        loose[0].starts_with("`momentum` is searched also in trials where `optimizer` is adamw,")
    );
    // A range of integers cannot be tested by `when:` as it is: listed first.
    let depth = spec(
        "{kind: mlp}",
        "{}",
        "  hidden: {values: [32, 64]}\n  depth: {distribution: int_uniform, min: 0, max: 2}\n",
    );
    assert_eq!(
        depth.knob_notes(),
        [
            "`hidden` is searched also in trials where `depth` is 0, where it does nothing (it \
          acts only with `depth` of 1 or more): listing `depth` as `values: [0, 1, 2]` and \
          giving `hidden` `when: {depth: [1, 2]}` leaves it out of them, so that the sampler \
          does not learn from values that changed nothing"
        ]
    );
    let deep = spec(
        "{kind: mlp}",
        "{}",
        "  hidden: {values: [32, 64]}\n  depth: {distribution: int_uniform, min: 1, max: 3}\n",
    );
    assert!(deep.knob_notes().is_empty());
    // Knobs that always act, and a schedule that uses its step knobs, say nothing.
    let fine = spec(
        "{kind: mlp}",
        "{schedule: step}",
        "  lr: {min: 0.001, max: 0.1}\n  step_factor: {min: 0.1, max: 0.5}\n",
    );
    assert!(fine.knob_notes().is_empty());
}

#[test]
fn a_fixed_knob_that_never_acts_is_noted_too() {
    let fixed = spec(
        "{kind: mlp}",
        "{momentum: 0.5}",
        "  lr: {min: 0.001, max: 0.1}\n",
    );
    assert_eq!(
        fixed.knob_notes(),
        [
            "`momentum: 0.5` in `train:` does nothing: only `optimizer: sgd` uses it, and \
          `optimizer` is adam (its default)"
        ]
    );
    let cnn_knob = spec(
        "{kind: mlp, channels: 32}",
        "{}",
        "  lr: {min: 0.001, max: 0.1}\n",
    );
    assert_eq!(
        cnn_knob.knob_notes(),
        [
            "`channels: 32` in `model:` does nothing: only a `cnn` model uses it, and this model \
          is an `mlp`"
        ]
    );
    // Acting in some trials (sgd is searched) is enough for a fixed value.
    let some = spec(
        "{kind: mlp}",
        "{momentum: 0.5}",
        "  optimizer: {values: [sgd, adam]}\n",
    );
    assert!(some.knob_notes().is_empty(), "{:?}", some.knob_notes());
}
