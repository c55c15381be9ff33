//! Tests of the notes on rules that never stop a trial early.

use std::path::Path;

use super::*;

fn spec(lines: &str) -> ExperimentSpec {
    let text = format!(
        "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\nrun_cap: 20\n\
         {lines}parameters:\n  lr: {{min: 0.001, max: 0.1}}\n"
    );
    match ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}\n--- in:\n{text}"),
    }
}

#[test]
fn most_epochs_reads_the_searched_then_the_fixed_then_the_default() {
    assert_eq!(spec("").most_epochs(), 20);
    assert_eq!(spec("train: {epochs: 7}\n").most_epochs(), 7);
    let text = "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                parameters:\n  epochs: {values: [5, 12, 9]}\n";
    let s = ExperimentSpec::from_yaml_str(text, Path::new("s.yaml")).unwrap();
    assert_eq!(s.most_epochs(), 12);
}

#[test]
fn rules_that_never_act_before_the_last_epoch_are_noted() {
    let notes = |lines: &str| spec(lines).idle_stopping(20);
    // ASHA and Hyperband with the first rung at the last epoch or past it.
    assert_eq!(
        notes("train: {epochs: 6}\npruner: {type: asha, min_resource: 6}\n"),
        ["the pruner stops no trial early: its first rung is at epoch 6 (`min_resource`), and a \
          trial trains at most 6; lower `min_resource`"]
    );
    assert!(notes("train: {epochs: 6}\npruner: {type: asha, min_resource: 5}\n").is_empty());
    // Written as W&B's `early_terminate:`, the notes name W&B's keys.
    assert_eq!(
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, min_iter: 3}\n"),
        [
            "the pruner stops no trial early: its first rung is at epoch 3 (`min_iter`), and a \
          trial trains at most 3; lower `min_iter`"
        ]
    );
    assert_eq!(
        notes("train: {epochs: 6}\nearly_terminate: {type: hyperband, min_iter: 1, eta: 2}\n"),
        [
            "the pruner stops only some trials early: `max_iter` (8: not written, so `min_iter` \
          1 times `eta` 2 to the power s, with `s: 3`, Sweep's default where the file gives \
          none (W&B has no default: it takes `s` with `max_iter` only)) lies past the 6 epochs a trial trains, so 1 of its 4 brackets has no rung before the \
          last epoch and prunes nothing, and every trial numbered k goes to bracket k mod 4; \
          set `max_iter` to 6"
        ]
    );
    // The brackets counted are those the rungs line shows at no epoch: the one that starts at
    // the last epoch too (at 3 of 3 here), and the `s` said is the file's.
    assert_eq!(
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, min_iter: 1}\n"),
        [
            "the pruner stops only some trials early: `max_iter` (27: not written, so \
          `min_iter` 1 times `eta` 3 to the power s, with `s: 3`, Sweep's default where the \
          file gives none (W&B has no default: it takes `s` with `max_iter` only)) lies past the \
          3 epochs a trial trains, so 3 of its 4 brackets have no \
          rung before the last epoch and prune nothing, and every trial numbered k goes to \
          bracket k mod 4; set `max_iter` to 3"
        ]
    );
    assert_eq!(
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, min_iter: 1, s: 2}\n"),
        [
            "the pruner stops only some trials early: `max_iter` (9: not written, so `min_iter` \
          1 times `eta` 3 to the power s, with `s: 2`) lies past the 3 epochs a trial trains, \
          so 2 of its 3 brackets have no rung before the last epoch and prune nothing, and \
          every trial numbered k goes to bracket k mod 3; set `max_iter` to 3"
        ]
    );
    // An `s` whose `min_iter * eta^s` passes the largest count: the file's `s` is quoted
    // (not the 20 that the held `max_iter` works back to), with the hold said.
    let held =
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, min_iter: 1, s: 1000}\n");
    assert!(
        held[0].contains(
            "`max_iter` (4294967295: not written, so `min_iter` 1 times `eta` 3 to the power s, \
             with `s: 1000`, past 4294967295, the most it can be, so it is held there)"
        ),
        "{held:?}"
    );
    let held =
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, min_iter: 1, s: 25}\n");
    assert!(
        held[0].contains("with `s: 25`, past 4294967295"),
        "{held:?}"
    );
    assert_eq!(
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, min_iter: 1, max_iter: 9}\n"),
        [
            "the pruner stops only some trials early: `max_iter: 9` lies past the 3 epochs a \
          trial trains, so 2 of its 3 brackets have no rung before the last epoch and prune \
          nothing, and every trial numbered k goes to bracket k mod 3; set `max_iter` to 3"
        ]
    );
    // A written `max_iter` (here with `s`, from which `min_iter` is worked back) is quoted as
    // written, and its `s` is not said.
    assert_eq!(
        notes("train: {epochs: 3}\nearly_terminate: {type: hyperband, max_iter: 9, s: 2}\n"),
        [
            "the pruner stops only some trials early: `max_iter: 9` lies past the 3 epochs a \
          trial trains, so 2 of its 3 brackets have no rung before the last epoch and prune \
          nothing, and every trial numbered k goes to bracket k mod 3; set `max_iter` to 3"
        ]
    );
    // Hyperband's own last bracket runs its trials to the end; brackets past the epochs are
    // noted.
    assert!(notes("train: {epochs: 27}\npruner: {type: hyperband}\n").is_empty());
    assert_eq!(
        notes("train: {epochs: 30}\npruner: {type: hyperband, max_resource: 300}\n"),
        ["the pruner stops only some trials early: `max_resource: 300` lies past the 30 epochs a \
          trial trains, so 2 of its 6 brackets have no rung before the last epoch and prune \
          nothing, and every trial numbered k goes to bracket k mod 6; set `max_resource` to \
          30"]
    );
    // The median's warm-up and startup trials.
    assert_eq!(
        notes("train: {epochs: 10}\npruner: {type: median, n_warmup_steps: 9}\n"),
        ["the pruner stops no trial early: `n_warmup_steps: 9` keeps it from every epoch before \
          the last (10)"]
    );
    assert!(notes("train: {epochs: 10}\npruner: {type: median, n_warmup_steps: 8}\n").is_empty());
    assert_eq!(
        notes("pruner: {type: median, n_startup_trials: 20}\n"),
        [
            "the pruner stops no trial early: `n_startup_trials: 20` keeps it from every trial of \
          the 20 the study has"
        ]
    );
    // Patience first, then the rule it wraps.
    assert_eq!(
        notes("train: {epochs: 5}\npruner: {type: patience, patience: 4}\n"),
        ["the pruner stops no trial early: `patience: 4` is never run out before the last epoch \
          (5); lower `patience`"]
    );
    assert_eq!(
        notes(
            "train: {epochs: 5}\npruner: {type: patience, patience: 2, wrapped: {type: median, \
             n_warmup_steps: 4}}\n"
        )
        .len(),
        1
    );
    // In-trial early stopping.
    assert_eq!(
        notes("train: {epochs: 10, early_stopping: {metric: val_loss, patience: 9}}\n"),
        [
            "early stopping never ends a trial early: it waits 9 epochs without an improvement of \
          `val_loss`, and a trial trains at most 10; lower `early_stopping.patience`"
        ]
    );
    assert!(
        notes("train: {epochs: 10, early_stopping: {metric: val_loss, patience: 8}}\n").is_empty()
    );
    // A warm-up as long as the training.
    assert_eq!(
        notes("train: {epochs: 3, warmup_epochs: 10}\n"),
        [
            "the learning rate rises to `lr` for the whole of training: over `warmup_epochs: 10` \
          epochs, and a trial trains at most 3; lower `warmup_epochs`"
        ]
    );
    assert!(notes("train: {epochs: 3, warmup_epochs: 2}\n").is_empty());
    // A plateau longer than the sweep (20 trials).
    assert_eq!(
        notes("plateau: {patience: 20}\n"),
        [
            "the plateau never ends the sweep early: it waits 20 trials without improving, and \
          the sweep has 20; lower `plateau.patience`"
        ]
    );
    assert!(notes("plateau: {patience: 19}\n").is_empty());
    assert!(notes("").is_empty());
}

#[test]
fn the_advice_is_one_the_settings_allow() {
    let notes = |lines: &str| spec(lines).idle_stopping(20);
    // `min_iter` is at least 1, so with one epoch the advice is more epochs, whatever the rule.
    let one_epoch = "a trial trains 1 epoch, so no epoch comes before its last to stop it at; \
                     give trials more `epochs`";
    for rule in [
        "early_terminate: {type: hyperband, min_iter: 1, eta: 2}\n",
        "pruner: {type: asha}\n",
        "pruner: {type: median}\n",
        "pruner: {type: threshold, upper: 1.0}\n",
        "pruner: {type: patience, patience: 1}\n",
    ] {
        assert_eq!(
            notes(&format!("train: {{epochs: 1}}\n{rule}")),
            [format!("the pruner stops no trial early: {one_epoch}")],
            "{rule}"
        );
    }
    // A patience is at least 1: with two epochs none is lower that helps.
    assert_eq!(
        notes("train: {epochs: 2}\npruner: {type: patience, patience: 1}\n"),
        ["the pruner stops no trial early: `patience: 1` is never run out before the last epoch \
          (2); give trials more `epochs` (`patience` is at least 1)"]
    );
    assert_eq!(
        notes("train: {epochs: 2, early_stopping: {metric: val_loss, patience: 1}}\n"),
        [
            "early stopping never ends a trial early: it waits 1 epoch without an improvement of \
          `val_loss`, and a trial trains at most 2; give trials more `epochs` (early stopping \
          waits at least 1)"
        ]
    );
    let one_trial = spec("plateau: {patience: 1}\n").idle_stopping(1);
    assert_eq!(
        one_trial,
        [
            "the plateau never ends the sweep early: it waits 1 trial without improving, and the \
          sweep has 1; give the sweep more trials (`run_cap`)"
        ]
    );
}

#[test]
fn a_warm_started_search_is_not_told_it_learns_nothing_within_the_run_cap() {
    // Five startup trials and four trials: drawn without a model, unless a warm start gives
    // it trials first (which it counts as its own).
    let cold = spec("method: tpe\n");
    let cold = ExperimentSpec::from_yaml_str(
        &cold.source.replace("run_cap: 20", "run_cap: 4"),
        Path::new("s.yaml"),
    )
    .unwrap();
    assert!(
        cold.notes(4)[0].starts_with("`tpe` learns from trial 5 on"),
        "{:?}",
        cold.notes(4)
    );
    let warm = ExperimentSpec::from_yaml_str(
        &format!("{}warm_start: {{csv: past.csv}}\n", cold.source),
        Path::new("s.yaml"),
    )
    .unwrap();
    assert!(warm.notes(4).is_empty(), "{:?}", warm.notes(4));
}

#[test]
fn an_objective_searched_against_its_metric_s_direction_is_noted() {
    let notes = |metric: &str| {
        let text = format!("name: t\nmetric: {metric}\ndata: {{csv: d.csv, target: y}}\n");
        ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml"))
            .unwrap()
            .contrary_goals()
    };
    assert_eq!(
        notes("{name: val_loss, goal: maximize}"),
        ["`val_loss` is searched with `goal: maximize`, but smaller is better for it: the search \
          looks for the worst models; write `goal: minimize`, or leave `goal:` out"]
    );
    assert_eq!(
        notes("{name: val_accuracy, goal: minimize}"),
        [
            "`val_accuracy` is searched with `goal: minimize`, but larger is better for it: the \
          search looks for the worst models; write `goal: maximize`, or leave `goal:` out"
        ]
    );
    assert!(notes("{name: val_accuracy, goal: maximize}").is_empty());
    assert!(notes("{name: val_loss}").is_empty());
}

#[test]
fn issue_a_first_rung_derived_from_max_iter_and_s_is_said_in_the_keys_the_file_writes() {
    let notes = |lines: &str| spec(lines).idle_stopping(20);
    // `min_iter` is `max_iter / eta^s` here: the file may not add `min_iter` beside them.
    assert_eq!(
        notes(
            "train: {epochs: 9}\nearly_terminate: {type: hyperband, max_iter: 27, s: 1, eta: 3}\n"
        ),
        [
            "the pruner stops no trial early: its first rung is at epoch 9 (`max_iter` 27 \
             divided by `eta` 3 to the power `s` 1), and a trial trains at most 9; raise `s` or \
             lower `max_iter`"
        ]
    );
    assert_eq!(
        notes("train: {epochs: 9}\nearly_terminate: {type: hyperband, max_iter: 29, s: 1}\n"),
        [
            "the pruner stops no trial early: its first rung is at epoch 9 (`max_iter` 29 \
             divided by `eta` 3 to the power `s` 1, rounded down), and a trial trains at most \
             9; raise `s` or lower `max_iter`"
        ]
    );
    // A file that writes `min_iter` is told to lower it, as before.
    assert_eq!(
        notes(
            "train: {epochs: 9}\nearly_terminate: {type: hyperband, min_iter: 9, max_iter: 27}\n"
        ),
        [
            "the pruner stops no trial early: its first rung is at epoch 9 (`min_iter`), and a \
             trial trains at most 9; lower `min_iter`"
        ]
    );
}

#[test]
fn issue_most_epochs_of_a_q_range_is_the_last_multiple_its_draws_round_to() {
    let most = |d: Distribution| most_epochs(Some(&d), None, EpochsRule::Reached);
    let earlier = |d: Distribution| most_epochs(Some(&d), None, EpochsRule::Earlier);
    let q = |min: f64, max: f64, q: f64| Distribution::QUniform { min, max, q };
    // Draws past 7.5 round to 9: trials train 9 epochs, not 8 (`max` floored, as before).
    assert_eq!(most(q(3.0, 8.0, 3.0)), 9);
    assert_eq!(earlier(q(3.0, 8.0, 3.0)), 8);
    assert_eq!(most(q(6.0, 11.0, 4.0)), 12);
    // 10 / 4 = 2.5: no draw below 10 rounds to 12.
    assert_eq!(most(q(4.0, 10.0, 4.0)), 8);
    assert_eq!(most(q(16.0, 48.0, 32.0)), 32);
    assert_eq!(most(q(2.0, 9.0, 3.0)), 9);
    let log_values = |max: f64| Distribution::QLogUniformValues {
        min: 2.0,
        max,
        q: 4.0,
    };
    assert_eq!(most(log_values(31.0)), 32);
    // 30 / 4 = 7.5: 28.
    assert_eq!(most(log_values(30.0)), 28);
    // `q_log_uniform`'s bounds are logs: e^3 = 20.09 rounds to 20 with q 5.
    assert_eq!(
        most(Distribution::QLogUniform {
            min: 1.0,
            max: 3.0,
            q: 5.0
        }),
        20
    );
    // The grid's values end at the same multiple.
    for d in [q(3.0, 8.0, 3.0), q(4.0, 10.0, 4.0), q(16.0, 48.0, 32.0)] {
        let last = d
            .grid_values()
            .and_then(|v| v.last().and_then(ParamValue::as_f64));
        assert_eq!(last, Some(f64::from(most(d))));
    }
}

#[test]
fn issue_the_rungs_and_notes_of_q_uniform_epochs_count_to_the_epochs_trials_train() {
    let text = |pruner: &str| {
        format!(
            "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
             pruner: {pruner}\nparameters:\n  \
             epochs: {{distribution: q_uniform, min: 3, max: 8, q: 3}}\n"
        )
    };
    let parse = |pruner: &str| {
        ExperimentSpec::from_yaml_str(&text(pruner), Path::new("s.yaml")).unwrap_or_else(|e| {
            panic!("{e}");
        })
    };
    let s = parse("{type: asha, min_resource: 2, reduction_factor: 3}");
    let rungs = s.pruner.rungs_text(s.most_epochs()).unwrap_or_default();
    assert!(rungs.contains("of at most 9"), "{rungs}");
    // A first rung at 8 is before the 9th epoch: trials that train 9 are judged there.
    assert!(parse("{type: asha, min_resource: 8, reduction_factor: 2}")
        .idle_stopping(80)
        .is_empty());
    assert_eq!(
        parse("{type: asha, min_resource: 9, reduction_factor: 2}").idle_stopping(80),
        ["the pruner stops no trial early: its first rung is at epoch 9 (`min_resource`), and a \
          trial trains at most 9; lower `min_resource`"]
    );
}
