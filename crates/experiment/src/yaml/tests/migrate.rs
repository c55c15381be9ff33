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
fn issue_45_a_grid_notes_probabilities_and_refuses_quantized_log_or_normal_shapes() {
    let base = format!("{BASE}method: grid\nparameters:\n");
    // `probabilities:` weigh nothing in a grid: noted, not refused, so that an experiment stored
    // with them (it ran before this rule) still reads.
    let spec = parse_ok(&format!(
        "{base}  warmup_epochs: {{values: [0, 1], probabilities: [0.5, 0.5]}}\n"
    ));
    assert!(
        spec.notes(2).iter().any(|n| n.contains(
            "`warmup_epochs`'s `probabilities:` weigh nothing in a grid, which tries each value once"
        )),
        "{:?}",
        spec.notes(2)
    );
    check(
        &[
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

#[test]
fn issue_a_grid_probabilities_note_escapes_the_name_as_messages_do() {
    // A name that only labels trials for `when:` may hold a tab, which the note wrote raw to
    // the terminal; the reader's messages write it as an escape.
    let spec = parse_ok(&format!(
        "{BASE}method: grid\nparameters:\n  \"mo\\tde\": {{values: [a, b], probabilities: \
         [0.5, 0.5]}}\n  lr: {{values: [0.1], when: {{\"mo\\tde\": [a]}}}}\n"
    ));
    assert!(spec.space.params().iter().any(|p| p.name == "mo\tde"));
    let notes = spec.notes(spec.run_cap);
    let said: Vec<&String> = notes
        .iter()
        .filter(|n| n.contains("weigh nothing"))
        .collect();
    assert_eq!(
        said,
        [
            "`mo\\u{9}de`'s `probabilities:` weigh nothing in a grid, which tries each value once \
          (W&B's grid refuses them); draw values by them with `method: random`"
        ],
        "{notes:#?}"
    );
}

#[test]
fn issue_45_optuna_and_wandb_keys_are_answered_with_what_sweep_does() {
    let tpe = "expected keys: n_startup_trials, n_ei_candidates, multivariate, constant_liar, \
               gamma, prior_weight, magic_clip";
    let cmaes = "expected keys: n_startup_trials, popsize, sigma0, independent_sampler, \
                 restart_strategy, with_margin, lr_adapt, use_separable_cma";
    let said = |line: &str, key: &str, why: &str, keys: &str| {
        format!("{line}: sampler.{key}: `{key}` is {why}; {keys}")
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "method: tpe\nsampler: {consider_magic_clip: true}\n",
            said(
                "5:11",
                "consider_magic_clip",
                "Optuna's name for `magic_clip` (did you mean `magic_clip`?)",
                tpe,
            ),
        ),
        (
            "method: tpe\nsampler: {consider_endpoints: true}\n",
            said(
                "5:11",
                "consider_endpoints",
                "Optuna's switch to stretch the kernels at a range's ends out to its bounds; \
                     Sweep's `tpe` has no such switch: each kernel's width follows the \
                     observations beside it",
                tpe,
            ),
        ),
        (
            "method: tpe\nsampler: {type: TPESampler}\n",
            said(
                "5:11",
                "type",
                "how Optuna names a sampler; here the sampler is `method:`, at the top of the \
                     file: `TPESampler` is `method: tpe`",
                tpe,
            ),
        ),
        (
            "method: cmaes\nsampler: {x0: {lr: 0.01}}\n",
            said(
                "5:11",
                "x0",
                "Optuna's starting point; Sweep's `cmaes` starts at the centre of the space, \
                     with step `sigma0`: to try a point first, give it under `enqueue:`",
                cmaes,
            ),
        ),
        (
            "method: bayes\nsampler: {deterministic_objective: true}\n",
            "5:11: sampler.deterministic_objective: `deterministic_objective` is Optuna's \
                 switch to hold the Gaussian process's noise near 0; Sweep's `bayes` fits the \
                 noise (above a small floor), as Optuna's default, `false`, does; expected \
                 keys: n_startup_trials, n_candidates, n_local_search, constant_liar, \
                 acquisition, kappa, greedy_tail"
                .to_string(),
        ),
        (
            "storage: sqlite:///db.sqlite3\n",
            "4:1: storage: `storage` is Optuna's database of a study's trials; Sweep keeps \
                 trials in its store (the `--store` folder of `sweep run`, `.sweep` by default), \
                 not named in the file, so remove it"
                .to_string(),
        ),
        (
            "metrics:\n  - {name: val_loss, goal: minimize}\n",
            "4:1: metrics: `metrics` is not a key here: the objective is `metric:` (`metric: \
                 {name: val_loss, goal: minimize}`), and a list under `metric:` (`- {name: \
                 val_accuracy, goal: maximize}` per line) searches several objectives at once"
                .to_string(),
        ),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(s, w)| (*s, w.as_str())).collect();
    check(&cases, BASE);
}

#[test]
fn issue_45_a_note_says_worked_out_bounds_briefly() {
    let said = notes(
        "method: random\nrun_cap: 8\nparameters:\n  clip_norm: {distribution: q_log_uniform, min: \
         0.01, max: 0.5, q: 0.1}\n",
    );
    assert!(
        said.iter().any(|n| n.ends_with(
            "`clip_norm` takes 7 values: q_log_uniform rounds its draws to multiples of q (0.1) \
             from 1.0101 to 1.6487"
        )),
        "{said:#?}"
    );
}

#[test]
fn wandb_impute_keys_are_answered_with_what_sweep_does_with_failed_and_running_trials() {
    check(
        &[
            (
                "metric: {name: val_loss, impute: 10}\n",
                "3:26: metric.impute: `impute` is W&B's value for a run that logs no metric; here \
                 such a trial is failed, and the samplers rank it below every completed one \
                 (`tpe` counts it among the bad trials, `bayes` at the worst value seen, `cmaes` \
                 ranks it last), so remove it",
            ),
            (
                "metric: {name: val_loss, impute_while_running: true}\n",
                "3:26: metric.impute_while_running: `impute_while_running` is W&B's switch to \
                 give running runs an imputed value; here a running trial is left out of the \
                 model, or counted as a bad one with constant_liar (`tpe`'s and `bayes`'s \
                 `sampler: {constant_liar: true}`, the default; `bayes` counts it at the model's \
                 prediction), so remove it",
            ),
        ],
        "name: t\ndata: {csv: d.csv, target: y}\n",
    );
}
