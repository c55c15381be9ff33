//! `pruner:` and W&B's `early_terminate:`: each rule with its defaults, Hyperband's largest
//! resource taken from the epochs a trial can train, and the errors.

use super::{check, parse_ok, BASE};
use crate::{PrunerSpec, WandbHyperband};

/// Checks that each snippet, added to a valid base, parses to its pruner; reports every
/// mismatch at once.
fn expect_pruners(cases: &[(&str, PrunerSpec)]) {
    let mut failures = String::new();
    for (snippet, want) in cases {
        let got = parse_ok(&format!("{BASE}{snippet}")).pruner;
        if got != *want {
            failures.push_str(&format!(
                "\n--- {snippet}--- want {want:?}\n--- got  {got:?}\n"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

fn hyperband(min_resource: u32, max_resource: u32, reduction_factor: u32) -> PrunerSpec {
    PrunerSpec::Hyperband {
        min_resource,
        max_resource,
        reduction_factor,
        strict: false,
    }
}

fn asha(min_resource: u32, reduction_factor: u32) -> PrunerSpec {
    PrunerSpec::Asha {
        min_resource,
        reduction_factor,
    }
}

fn patience(patience: u32, wrapped: PrunerSpec) -> PrunerSpec {
    PrunerSpec::Patience {
        patience,
        min_delta: 0.0,
        wrapped: Box::new(wrapped),
    }
}

#[test]
fn each_rule_parses_with_its_defaults() {
    let median = PrunerSpec::Median {
        n_startup_trials: 5,
        n_warmup_steps: 0,
    };
    let strict = PrunerSpec::Hyperband {
        min_resource: 1,
        max_resource: 27,
        reduction_factor: 3,
        strict: true,
    };
    expect_pruners(&[
        ("", PrunerSpec::None),
        ("pruner: {type: none}\n", PrunerSpec::None),
        ("pruner: {type: median}\n", median),
        ("pruner: {type: asha, min_resource: 2}\n", asha(2, 3)),
        (
            "pruner: {type: hyperband, min_resource: 1, max_resource: 27, strict: true}\n",
            strict,
        ),
        (
            "pruner: {type: patience, patience: 3, wrapped: {type: asha}}\n",
            patience(3, asha(1, 3)),
        ),
        (
            "pruner: {type: percentile, percentile: 25}\n",
            PrunerSpec::Percentile {
                percentile: 25.0,
                n_startup_trials: 5,
                n_warmup_steps: 0,
            },
        ),
        (
            "pruner: {type: threshold, upper: 2.5, n_warmup_steps: 3}\n",
            PrunerSpec::Threshold {
                lower: None,
                upper: Some(2.5),
                n_warmup_steps: 3,
            },
        ),
        (
            "pruner: {type: threshold, lower: 0, upper: 1}\n",
            PrunerSpec::Threshold {
                lower: Some(0.0),
                upper: Some(1.0),
                n_warmup_steps: 0,
            },
        ),
    ]);
}

#[test]
fn hyperband_reaches_the_most_epochs_a_trial_can_train() {
    expect_pruners(&[
        // No `epochs` anywhere: the knob's default, 20.
        ("pruner: {type: hyperband}\n", hyperband(1, 20, 3)),
        // Fixed epochs.
        ("train: {epochs: 30}\npruner: {type: hyperband}\n", hyperband(1, 30, 3)),
        // Searched epochs: the largest value it can take.
        (
            "parameters:\n  epochs: {values: [10, 40, 25]}\npruner: {type: hyperband, min_resource: 2}\n",
            hyperband(2, 40, 3),
        ),
        (
            "parameters:\n  epochs: {distribution: int_uniform, min: 5, max: 50}\npruner: {type: hyperband, min_resource: 2}\n",
            hyperband(2, 50, 3),
        ),
        // Never below the first rung, and inside `patience` too.
        ("train: {epochs: 3}\npruner: {type: hyperband, min_resource: 5}\n", hyperband(5, 5, 3)),
        (
            "train: {epochs: 12}\npruner: {type: patience, patience: 2, wrapped: {type: hyperband}}\n",
            patience(2, hyperband(1, 12, 3)),
        ),
    ]);
}

#[test]
fn wandb_early_terminate_is_hyperband() {
    // W&B's brackets: min_iter * eta^k up to max_iter, by default min_iter * eta^3.
    expect_pruners(&[
        (
            "early_terminate: {type: hyperband, min_iter: 3}\n",
            hyperband(3, 81, 3),
        ),
        (
            "early_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\n",
            hyperband(3, 27, 3),
        ),
        (
            "early_terminate: {type: hyperband, min_iter: 2, max_iter: 16, eta: 2}\n",
            hyperband(2, 16, 2),
        ),
    ]);
}

#[test]
fn wandb_early_terminate_carries_the_s_and_max_iter_it_writes() {
    let written = |snippet: &str| parse_ok(&format!("{BASE}{snippet}")).wandb_hyperband;
    let wandb = |s: Option<u32>, max_iter_written: bool| {
        Some(WandbHyperband {
            s,
            max_iter_written,
        })
    };
    assert_eq!(
        written("early_terminate: {type: hyperband, min_iter: 3}\n"),
        wandb(None, false)
    );
    assert_eq!(
        written("early_terminate: {type: hyperband, min_iter: 1, s: 2}\n"),
        wandb(Some(2), false)
    );
    assert_eq!(
        written("early_terminate: {type: hyperband, max_iter: 27, s: 2}\n"),
        wandb(Some(2), true)
    );
    assert_eq!(
        written("early_terminate: {type: hyperband, min_iter: 2, max_iter: 16}\n"),
        wandb(None, true)
    );
    // Written as ours, the pruner carries nothing of W&B's.
    assert_eq!(
        written("pruner: {type: hyperband, min_resource: 3}\n"),
        None
    );
    assert_eq!(written(""), None);
}

#[test]
fn pruner_errors() {
    check(
        &[
            ("pruner: {type: sha}\n", "4:16: pruner.type: unknown pruner `sha`; did you mean `asha`? expected one of none, median, percentile, threshold, asha, hyperband, patience"),
            ("pruner: {type: percentile}\n", "4:9: pruner.percentile: missing required key `percentile`"),
            ("pruner: {type: percentile, percentile: 250, n_warmup_steps: -1}\n", "4:40: pruner.percentile: must be a percentage from 0 to 100, found 250\n4:61: pruner.n_warmup_steps: must be an integer of at least 0, found -1"),
            ("pruner: {type: threshold}\n", "4:9: pruner: give `lower`, `upper` or both: the values a trial must stay within"),
            ("pruner: {type: threshold, lower: 2, upper: 1}\n", "4:9: pruner: `lower` (2) is above `upper` (1): no value is allowed"),
            ("pruner: {type: threshold, lower: low}\n", "4:34: pruner.lower: expected a number, found string `low`"),
            ("pruner: {type: asha, reduction_factor: 1}\n", "4:40: pruner.reduction_factor: must be an integer of at least 2, found 1"),
            ("pruner: {type: asha, max_resource: 9}\n", "4:22: pruner.max_resource: `max_resource` has no place in `asha`: its rungs go up to the epochs a trial trains (`train.epochs`); Hyperband (`type: hyperband`) takes `max_resource`"),
            // Other tools' names for the same settings are named as they are written here.
            ("pruner: {type: asha, eta: 4, grace_period: 2}\n", "4:22: pruner.eta: `eta` is W&B's name for `reduction_factor`\n4:30: pruner.grace_period: `grace_period` is Ray Tune's name for `min_resource`"),
            ("pruner: {type: asha, max_t: 30}\n", "4:22: pruner.max_t: `max_t` has no place in `asha`: its rungs go up to the epochs a trial trains (`train.epochs`); Hyperband (`type: hyperband`) takes `max_resource`"),
            ("pruner: {type: hyperband, min_iter: 1, max_iter: 27, s: 3}\n", "4:27: pruner.min_iter: `min_iter` is W&B's name for `min_resource`\n4:40: pruner.max_iter: `max_iter` is W&B's name for `max_resource`\n4:54: pruner.s: `s` is W&B's count of brackets; here they are as many as rungs fit from `min_resource` to `max_resource`"),
            ("pruner: {type: hyperband, max_t: 27}\n", "4:27: pruner.max_t: `max_t` is Ray Tune's name for `max_resource`"),
            ("pruner: {type: median, eta: 3}\n", "4:24: pruner.eta: unknown key `eta`; expected keys: type, n_startup_trials, n_warmup_steps"),
            ("pruner: {type: hyperband, min_resource: 9, max_resource: 3}\n", "4:9: pruner: the smallest resource 9 is above the largest 3"),
            ("pruner: {type: hyperband, min_resource: 0, reduction_factor: 1, strict: maybe}\n", "4:41: pruner.min_resource: must be an integer of at least 1, found 0\n4:62: pruner.reduction_factor: must be an integer of at least 2, found 1\n4:73: pruner.strict: expected true or false, found string `maybe`"),
            ("pruner: {type: patience}\n", "4:9: pruner.patience: missing required key `patience`"),
            ("pruner: {type: patience, patience: 2, min_delta: -0.5}\n", "4:50: pruner.min_delta: must not be negative, found -0.5"),
            ("pruner: {type: median}\nearly_terminate: {type: hyperband, min_iter: 3}\n", "5:18: early_terminate: give either `pruner:` or W&B's `early_terminate:`, not both"),
            ("early_terminate: {type: hyperband, eta: 3}\n", "4:18: early_terminate: give `min_iter`, or `max_iter` with `s`, as in W&B's hyperband"),
            ("early_terminate: {type: hyperband, min_iter: 1, max_iter: 27, s: 1}\n", "4:66: early_terminate.s: give `min_iter`, or `max_iter` with `s`, not all three (W&B would ignore `min_iter`, and here `s` would go unread)"),
            ("pruner: {type: successive_halving}\n", "4:16: pruner.type: `successive_halving` is Optuna's name for `asha`: write `type: asha`"),
            ("pruner: {type: asha, min_early_stopping_rate: 1}\n", "4:22: pruner.min_early_stopping_rate: `min_early_stopping_rate` is Optuna's exponent of its first rung (`min_resource * reduction_factor^rate`); here the first rung is `min_resource`"),
            ("early_terminate: {type: hyperband, min_iter: 0, eta: 1, strict: 2}\n", "4:46: early_terminate.min_iter: must be an integer of at least 1, found 0\n4:54: early_terminate.eta: must be an integer of at least 2, found 1\n4:65: early_terminate.strict: expected true or false, found integer `2`"),
            ("early_terminate: {type: envelope, min_iter: 3}\n", "4:25: early_terminate.type: unknown early_terminate type `envelope`; expected one of hyperband"),
        ],
        BASE,
    );
}

#[test]
fn a_pruner_written_back_reads_as_the_same_rule() {
    let rules = [
        PrunerSpec::None,
        PrunerSpec::Median {
            n_startup_trials: 5,
            n_warmup_steps: 2,
        },
        PrunerSpec::Percentile {
            percentile: 25.5,
            n_startup_trials: 3,
            n_warmup_steps: 0,
        },
        PrunerSpec::Threshold {
            lower: Some(0.125),
            upper: None,
            n_warmup_steps: 1,
        },
        PrunerSpec::Threshold {
            lower: None,
            upper: Some(1e-9),
            n_warmup_steps: 0,
        },
        asha(2, 3),
        PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 27,
            reduction_factor: 3,
            strict: true,
        },
        hyperband(2, 30, 2),
        patience(4, asha(1, 2)),
        patience(6, PrunerSpec::None),
    ];
    for rule in rules {
        let yaml = rule.yaml();
        assert_eq!(
            parse_ok(&format!("{BASE}pruner: {yaml}\n")).pruner,
            rule,
            "{yaml}"
        );
    }
    assert_eq!(
        asha(2, 3).yaml(),
        "{type: asha, min_resource: 2, reduction_factor: 3}"
    );
}

#[test]
fn rungs_past_a_written_max_iter_are_said_to_go_on_to_the_last_epoch() {
    let rungs = |snippet: &str| parse_ok(&format!("{BASE}{snippet}")).rungs_text();
    let past = "; rungs go on past `max_iter` (10) to the last epoch: `max_iter` bounds where \
                brackets start, not where judging stops (W&B stops at it)";
    let with_max_iter = rungs(
        "train: {epochs: 30}\nearly_terminate: {type: hyperband, min_iter: 1, max_iter: 10}\n",
    )
    .unwrap_or_default();
    assert!(with_max_iter.ends_with(past), "{with_max_iter}");
    // Derived from `s`, `max_iter` is no bound the file wrote; within it, nothing goes past.
    let derived = rungs("train: {epochs: 30}\nearly_terminate: {type: hyperband, min_iter: 1}\n")
        .unwrap_or_default();
    assert!(!derived.contains("max_iter"), "{derived}");
    let within = rungs(
        "train: {epochs: 8}\nearly_terminate: {type: hyperband, min_iter: 1, max_iter: 10}\n",
    )
    .unwrap_or_default();
    assert!(
        !within.is_empty() && !within.contains("max_iter"),
        "{within}"
    );
}
