//! Files written the W&B or Optuna way (issue 45, a team's migration): what `sweep validate`
//! says of a shape whose draws round outside the knob, what a grid takes, and the keys of
//! those tools that Sweep names otherwise or has no use for.

use super::{check, parse_ok, BASE};
use crate::ParamValue;

/// Returns the notes `sweep validate` prints for `text` after `BASE`.
fn notes(text: &str) -> Vec<String> {
    let spec = parse_ok(&format!("{BASE}{text}"));
    spec.notes(spec.run_cap)
}

#[test]
fn issue_45_a_q_beta_whose_draws_round_outside_the_knob_is_noted() {
    // Valid (the share lost depends on `a` and `b`, as a normal's on `mu` and `sigma`), and said.
    let said = notes("parameters:\n  momentum: {distribution: q_beta, a: 5, b: 1, q: 0.25}\n");
    assert!(
        said.iter().any(|n| n.starts_with(
            "`momentum` is drawn from a beta distribution (a 5, b 1, rounded to a multiple of q \
             (0.25)) that puts about 49% of its draws outside the values it takes"
        )),
        "{said:#?}"
    );
}

#[test]
fn issue_45_a_grid_takes_q_uniform_as_the_multiples_its_draws_round_to() {
    let spec = parse_ok(&format!(
        "{BASE}method: grid\nparameters:\n  clip_norm: {{distribution: q_uniform, min: 0, max: \
         10, q: 5}}\n  hidden: {{values: [8, 16]}}\n"
    ));
    // 0, 5 and 10 (max is a multiple of q, and draws near it round to it), times two widths.
    assert_eq!(spec.run_cap, 6);
    let clip: Vec<ParamValue> = (0..6)
        .filter_map(|k| spec.space.grid_point(k)?.get("clip_norm").cloned())
        .collect();
    assert_eq!(
        clip,
        [0, 0, 5, 5, 10, 10].map(ParamValue::Int),
        "the grid's values of clip_norm"
    );
    // Bounds off the grid of q: the multiples nearest each, 0.5 to 1.6 with q 0.5 giving 0.5,
    // 1 and 1.5.
    let spec = parse_ok(&format!(
        "{BASE}method: grid\nparameters:\n  clip_norm: {{distribution: q_uniform, min: 0.6, \
         max: 1.6, q: 0.5}}\n"
    ));
    let values: Vec<String> = (0..spec.run_cap)
        .filter_map(|k| Some(spec.space.grid_point(u64::from(k))?["clip_norm"].to_string()))
        .collect();
    assert_eq!(values, ["0.5", "1", "1.5"]);
}

#[test]
fn issue_45_a_grid_refuses_probabilities_and_quantized_log_or_normal_shapes() {
    let base = format!("{BASE}method: grid\nparameters:\n");
    check(
        &[
            (
                "  warmup_epochs: {values: [0, 1], probabilities: [0.5, 0.5]}\n",
                "6:50: parameters.warmup_epochs.probabilities: a grid tries each value once, so \
                 there is nothing for `probabilities` to weigh (W&B's grid refuses them too); \
                 delete `probabilities:`, or draw values by them with `method: random`",
            ),
            (
                "  batch_size: {distribution: q_log_uniform_values, min: 8, max: 64, q: 8}\n",
                "6:15: parameters.batch_size: parameter `batch_size` is q_log_uniform_values, \
                 which a grid does not take: a grid takes `values`, `value`, int_uniform or \
                 q_uniform (as W&B's does); list the values to try as `values: [..]`",
            ),
            (
                "  hidden: {distribution: q_normal, mu: 64, sigma: 8, q: 8}\n",
                "6:11: parameters.hidden: parameter `hidden` is q_normal, which a grid does not \
                 take: a grid takes `values`, `value`, int_uniform or q_uniform (as W&B's does); \
                 list the values to try as `values: [..]`",
            ),
        ],
        &base,
    );
}

