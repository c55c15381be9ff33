//! The pruners on synthetic curves, and the two questions the runner asks before waiting.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// Builds a curve from values at steps 1, 2, ...
fn curve(values: &[f64]) -> Vec<(Step, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (Step(u32::try_from(i).unwrap() + 1), *v))
        .collect()
}

/// Draws a curve of `steps` uniform values at steps 1, 2, ...
fn random_curve(rng: &mut ChaCha8Rng, steps: u32) -> Vec<(Step, f64)> {
    (1..=steps).map(|s| (Step(s), rng.gen())).collect()
}

/// Borrows curves as those of trials 0, 1, ...
fn numbered(earlier: &[Vec<(Step, f64)>]) -> Vec<Curve<'_>> {
    earlier
        .iter()
        .enumerate()
        .map(|(i, v)| Curve {
            trial: TrialId(u32::try_from(i).unwrap()),
            values: v,
        })
        .collect()
}

/// Borrows curves labelled with their trials.
fn labelled(earlier: &[(TrialId, Vec<(Step, f64)>)]) -> Vec<Curve<'_>> {
    earlier
        .iter()
        .map(|(trial, values)| Curve {
            trial: *trial,
            values,
        })
        .collect()
}

fn ask(spec: &PrunerSpec, trial: u32, own: &[f64], earlier: &[Vec<(Step, f64)>]) -> Option<String> {
    ask_in(Direction::Maximize, spec, trial, own, earlier)
}

/// As `ask`, for a metric optimized in `direction`.
fn ask_in(
    direction: Direction,
    spec: &PrunerSpec,
    trial: u32,
    own: &[f64],
    earlier: &[Vec<(Step, f64)>],
) -> Option<String> {
    let curves = numbered(earlier);
    let own = curve(own);
    should_prune(
        spec,
        &PruneQuery {
            trial: TrialId(trial),
            step: own.last().map_or(Step(0), |(s, _)| *s),
            own: &own,
            earlier: &curves,
            direction,
        },
    )
}

#[test]
fn median_prunes_below_the_median_after_warmup_and_startup() {
    let spec = PrunerSpec::Median {
        n_startup_trials: 2,
        n_warmup_steps: 1,
    };
    let earlier = vec![curve(&[0.5, 0.7, 0.8]), curve(&[0.4, 0.6, 0.9])];
    // Step 2: median of 0.7 and 0.6 is 0.65.
    assert!(ask(&spec, 2, &[0.3, 0.5], &earlier).is_some());
    assert_eq!(ask(&spec, 2, &[0.3, 0.66], &earlier), None);
    // Warm-up step and startup trials are never pruned.
    assert_eq!(ask(&spec, 2, &[0.0], &earlier), None);
    assert_eq!(ask(&spec, 1, &[0.0, 0.0], &earlier[..1]), None);
    // The message names the rule and the epoch.
    let reason = ask(&spec, 2, &[0.3, 0.5], &earlier).unwrap();
    assert!(
        reason.starts_with("median:") && reason.ends_with("epoch 2"),
        "{reason}"
    );
}

#[test]
fn asha_keeps_the_top_third_at_each_rung() {
    let spec = PrunerSpec::Asha {
        min_resource: 1,
        reduction_factor: 3,
    };
    let earlier: Vec<_> = [0.9, 0.8, 0.7, 0.6, 0.5]
        .iter()
        .map(|v| curve(&[*v, *v, *v + 0.1]))
        .collect();
    // Rung 0 is step 1: six values, keep the top 2 (0.9, 0.8).
    assert!(ask(&spec, 5, &[0.75], &earlier).is_some());
    assert_eq!(ask(&spec, 5, &[0.85], &earlier), None);
    // Step 2 is no rung: no decision even for a bad value.
    assert_eq!(ask(&spec, 5, &[0.85, 0.0], &earlier), None);
    // Step 3 is rung 1, where the others have improved to 1.0, 0.9, ...: 0.85 is third.
    assert!(ask(&spec, 5, &[0.85, 0.1, 0.1], &earlier).is_some());
    // The first trial has no competitors and is always kept.
    assert_eq!(ask(&spec, 0, &[0.0], &[]), None);
    // With fewer values than the factor, only the best is kept.
    assert!(ask(&spec, 1, &[0.1], &earlier[..1]).is_some());
}

#[test]
fn hyperband_compares_within_a_bracket_unless_strict() {
    // min 1, max 9, factor 3: brackets with first rungs 1, 3, 9.
    let spec = |strict| PrunerSpec::Hyperband {
        min_resource: 1,
        max_resource: 9,
        reduction_factor: 3,
        strict,
    };
    assert_eq!(bracket_count(1, 9, 3), 3);
    let earlier: Vec<_> = (0..3).map(|_| curve(&[0.9, 0.9, 0.9])).collect();
    // Trial 3 is in bracket 0 with trial 0: at step 1, two values, keep the best.
    assert!(ask(&spec(false), 3, &[0.5], &earlier).is_some());
    // Trial 4 is in bracket 1: its first rung is step 3, so step 1 decides nothing, strict or
    // not (strict changes the competitors, not the rungs).
    assert_eq!(ask(&spec(false), 4, &[0.5], &earlier), None);
    assert_eq!(ask(&spec(true), 4, &[0.5], &earlier), None);
    assert!(ask(&spec(false), 4, &[0.5, 0.5, 0.5], &earlier).is_some());

    // Trial 6 is in bracket 0 with trials 0 and 3, which did badly; the other brackets' trials
    // did well. Within its bracket it is the best of three; against every earlier trial it is
    // fifth of seven, and the top 2 go on.
    let weak_bracket: Vec<_> = (0..6)
        .map(|k| curve(&[if k % 3 == 0 { 0.1 } else { 0.9 }]))
        .collect();
    assert_eq!(ask(&spec(false), 6, &[0.5], &weak_bracket), None);
    assert_eq!(
        ask(&spec(true), 6, &[0.5], &weak_bracket).as_deref(),
        Some("hyperband bracket 0: 0.5000 not in the top 2 of 7 at rung 0 (epoch 1)")
    );
    // The converse: trial 9's bracket (0, 3, 6) holds the one strong trial, 0; every other
    // earlier trial did badly. Within its bracket it is second of four and only the best goes
    // on; against all ten values it is second, and the top 3 go on.
    let strong_bracket: Vec<_> = (0..9)
        .map(|k| curve(&[if k == 0 { 0.9 } else { 0.1 }]))
        .collect();
    assert_eq!(
        ask(&spec(false), 9, &[0.5], &strong_bracket).as_deref(),
        Some("hyperband bracket 0: 0.5000 not in the top 1 of 4 at rung 0 (epoch 1)")
    );
    assert_eq!(ask(&spec(true), 9, &[0.5], &strong_bracket), None);
}

#[test]
fn patience_asks_the_wrapped_rule_only_after_a_plateau() {
    let plain = PrunerSpec::Patience {
        patience: 2,
        min_delta: 0.0,
        wrapped: Box::new(PrunerSpec::None),
    };
    assert_eq!(ask(&plain, 0, &[0.5, 0.6, 0.7], &[]), None);
    assert!(ask(&plain, 0, &[0.5, 0.6, 0.6, 0.55], &[]).is_some());
    let wrapped = PrunerSpec::Patience {
        patience: 1,
        min_delta: 0.0,
        wrapped: Box::new(PrunerSpec::Median {
            n_startup_trials: 0,
            n_warmup_steps: 0,
        }),
    };
    let earlier = vec![curve(&[0.5, 0.9])];
    // Improving: patience holds even though it is below the median.
    assert_eq!(ask(&wrapped, 1, &[0.1, 0.2], &earlier), None);
    // Plateau and below the median: pruned, and the reason names both rules.
    let reason = ask(&wrapped, 1, &[0.3, 0.2], &earlier).unwrap();
    assert_eq!(
        reason,
        "patience, then median: best 0.3000 worse than the median 0.9000 of 1 earlier trial at \
         epoch 2"
    );
    let one = PrunerSpec::Patience {
        patience: 1,
        min_delta: 0.0,
        wrapped: Box::new(PrunerSpec::None),
    };
    assert_eq!(
        ask(&one, 0, &[0.5, 0.4], &[]).as_deref(),
        Some("patience: no improvement for 1 epoch")
    );
}

#[test]
fn minimizing_flips_the_comparisons() {
    let spec = PrunerSpec::Asha {
        min_resource: 1,
        reduction_factor: 2,
    };
    let earlier = [curve(&[0.2]), curve(&[0.3])];
    // Three values, keep the best one: 0.1 is it when minimizing and the worst when maximizing,
    // 0.4 the converse; 0.25, between the two earlier values, is pruned either way.
    for (own, kept_minimizing, kept_maximizing) in
        [(0.1, true, false), (0.4, false, true), (0.25, false, false)]
    {
        for (direction, kept) in [
            (Direction::Minimize, kept_minimizing),
            (Direction::Maximize, kept_maximizing),
        ] {
            let pruned = ask_in(direction, &spec, 2, &[own], &earlier);
            assert_eq!(pruned.is_none(), kept, "{own} {direction:?}: {pruned:?}");
        }
    }
    // The median rule: the median of 0.2 and 0.3 is 0.25.
    let median = PrunerSpec::Median {
        n_startup_trials: 0,
        n_warmup_steps: 0,
    };
    assert!(ask_in(Direction::Minimize, &median, 2, &[0.26], &earlier).is_some());
    assert_eq!(
        ask_in(Direction::Maximize, &median, 2, &[0.26], &earlier),
        None
    );
    assert_eq!(
        ask_in(Direction::Minimize, &median, 2, &[0.24], &earlier),
        None
    );
    assert!(ask_in(Direction::Maximize, &median, 2, &[0.24], &earlier).is_some());
}

#[test]
fn patience_counts_only_improvements_larger_than_min_delta() {
    let spec = PrunerSpec::Patience {
        patience: 2,
        min_delta: 0.25,
        wrapped: Box::new(PrunerSpec::None),
    };
    let stop = Some("patience: no improvement for 2 epochs");
    // Two epochs that improve on 0.5, in the direction of the goal, by at most 0.25 (exactly
    // 0.25 at most: these values are exact in binary) are no improvement.
    assert_eq!(
        ask_in(Direction::Maximize, &spec, 0, &[0.5, 0.625, 0.75], &[]).as_deref(),
        stop
    );
    assert_eq!(
        ask_in(Direction::Minimize, &spec, 0, &[0.5, 0.375, 0.25], &[]).as_deref(),
        stop
    );
    // Better by more than 0.25, it goes on.
    assert_eq!(
        ask_in(Direction::Maximize, &spec, 0, &[0.5, 0.625, 0.875], &[]),
        None
    );
    assert_eq!(
        ask_in(Direction::Minimize, &spec, 0, &[0.5, 0.375, 0.125], &[]),
        None
    );
    // A large step the wrong way is no improvement either: falling by 0.5 when maximizing.
    assert_eq!(
        ask_in(Direction::Maximize, &spec, 0, &[0.5, 0.25, 0.0], &[]).as_deref(),
        stop
    );
    assert_eq!(
        ask_in(Direction::Minimize, &spec, 0, &[0.5, 0.75, 1.0], &[]).as_deref(),
        stop
    );
    // The improvement is measured from the best value before the last 2 epochs, not the first.
    assert_eq!(
        ask_in(Direction::Maximize, &spec, 0, &[0.5, 1.0, 1.125, 1.25], &[]).as_deref(),
        stop
    );
}

#[test]
fn percentile_keeps_the_best_share_of_earlier_values_interpolated_as_numpy_does() {
    let spec = |percentile: f64| PrunerSpec::Percentile {
        percentile,
        n_startup_trials: 0,
        n_warmup_steps: 0,
    };
    // Earlier values at step 1: 0.1, 0.2, 0.3, 0.4, 0.5.
    let earlier: Vec<Vec<(Step, f64)>> = [0.1, 0.2, 0.3, 0.4, 0.5]
        .iter()
        .map(|v| curve(&[*v]))
        .collect();
    // Keeping the best 25% when maximizing: above the 75th percentile, 0.4.
    assert!(ask(&spec(25.0), 5, &[0.39], &earlier).is_some());
    assert_eq!(ask(&spec(25.0), 5, &[0.4], &earlier), None);
    // 50% is the median; 10%: the 90th percentile, 0.46 (interpolated).
    assert_eq!(
        ask(&spec(50.0), 5, &[0.3], &earlier),
        ask(
            &PrunerSpec::Median {
                n_startup_trials: 0,
                n_warmup_steps: 0
            },
            5,
            &[0.3],
            &earlier
        )
    );
    assert!(ask(&spec(10.0), 5, &[0.459], &earlier).is_some());
    assert_eq!(ask(&spec(10.0), 5, &[0.461], &earlier), None);
    // 100% keeps every trial at least as good as the worst; 0% only the best or better.
    assert_eq!(ask(&spec(100.0), 5, &[0.1], &earlier), None);
    assert!(ask(&spec(0.0), 5, &[0.49], &earlier).is_some());
    // Minimizing, the best 25% are below the 25th percentile, 0.2.
    let curves = numbered(&earlier);
    let own = curve(&[0.21]);
    let query = PruneQuery {
        trial: TrialId(5),
        step: Step(1),
        own: &own,
        earlier: &curves,
        direction: Direction::Minimize,
    };
    let reason = should_prune(&spec(25.0), &query).unwrap_or_default();
    assert!(
        reason.starts_with(
            "percentile: best 0.2100 not in the best 25% of 5 earlier trials at epoch 1"
        ),
        "{reason}"
    );
}

#[test]
fn threshold_prunes_outside_its_bounds_after_warmup_and_reads_no_other_trial() {
    let spec = PrunerSpec::Threshold {
        lower: Some(0.2),
        upper: Some(0.9),
        n_warmup_steps: 1,
    };
    let earlier = vec![curve(&[0.5, 0.7, 0.8])];
    // The value at the step counts, not the best so far.
    assert_eq!(ask(&spec, 1, &[0.5, 0.3], &earlier), None);
    assert_eq!(
        ask(&spec, 1, &[0.5, 0.1], &earlier).as_deref(),
        Some("threshold: 0.1000 below 0.2000 at epoch 2")
    );
    assert_eq!(
        ask(&spec, 1, &[0.5, 0.95], &earlier).as_deref(),
        Some("threshold: 0.9500 above 0.9000 at epoch 2")
    );
    assert_eq!(
        ask(&spec, 1, &[0.5, f64::NAN], &earlier).as_deref(),
        Some("threshold: not a number at epoch 2")
    );
    // Warm-up steps are never judged.
    assert_eq!(ask(&spec, 1, &[0.0], &earlier), None);
    let own = curve(&[0.5, 0.1]);
    let alone = PruneQuery {
        trial: TrialId(1),
        step: Step(2),
        own: &own,
        earlier: &[],
        direction: Direction::Maximize,
    };
    assert!(!consults_others(&spec, &alone));
}

#[test]
fn a_trial_kept_whatever_pending_is_kept_however_they_end() {
    let specs = [
        PrunerSpec::Median {
            n_startup_trials: 2,
            n_warmup_steps: 0,
        },
        PrunerSpec::Percentile {
            percentile: 30.0,
            n_startup_trials: 2,
            n_warmup_steps: 0,
        },
        PrunerSpec::Asha {
            min_resource: 1,
            reduction_factor: 3,
        },
        PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 9,
            reduction_factor: 3,
            strict: false,
        },
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut early, mut waited) = ([0; 4], [0; 4]);
    for _ in 0..3000 {
        let steps: u32 = rng.gen_range(1..5);
        let trial: u32 = rng.gen_range(1..10);
        let own = random_curve(&mut rng, steps);
        // Each earlier trial has reached the step, or is pending with a shorter curve.
        let mut reached = Vec::new();
        let mut pending = Vec::new();
        for j in 0..trial {
            if rng.gen_bool(0.3) {
                pending.push(TrialId(j));
            } else {
                reached.push((TrialId(j), random_curve(&mut rng, steps)));
            }
        }
        let curves = labelled(&reached);
        let query = PruneQuery {
            trial: TrialId(trial),
            step: Step(steps),
            own: &own,
            earlier: &curves,
            direction: Direction::Maximize,
        };
        for (i, spec) in specs.iter().enumerate() {
            if !kept_whatever_pending(spec, &query, &pending) {
                waited[i] += 1;
                continue;
            }
            early[i] += 1;
            // Any outcome: each pending trial ends early or reaches the step.
            for _ in 0..20 {
                let outcomes: Vec<(TrialId, Vec<(Step, f64)>)> = pending
                    .iter()
                    .map(|t| {
                        let n = if rng.gen_bool(0.5) { steps } else { steps - 1 };
                        (*t, random_curve(&mut rng, n))
                    })
                    .collect();
                let mut all = curves.clone();
                all.extend(labelled(&outcomes));
                let full = PruneQuery {
                    earlier: &all,
                    ..query
                };
                assert_eq!(should_prune(spec, &full), None, "{spec:?} {full:?}");
            }
        }
    }
    assert!(
        early.iter().chain(&waited).all(|n| *n > 100),
        "{early:?} {waited:?}"
    );
}

#[test]
fn a_decision_that_does_not_consult_others_ignores_them() {
    let specs = [
        PrunerSpec::Median {
            n_startup_trials: 3,
            n_warmup_steps: 2,
        },
        PrunerSpec::Percentile {
            percentile: 75.0,
            n_startup_trials: 3,
            n_warmup_steps: 2,
        },
        PrunerSpec::Asha {
            min_resource: 2,
            reduction_factor: 3,
        },
        PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 9,
            reduction_factor: 3,
            strict: false,
        },
        PrunerSpec::Patience {
            patience: 2,
            min_delta: 0.0,
            wrapped: Box::new(PrunerSpec::Asha {
                min_resource: 1,
                reduction_factor: 2,
            }),
        },
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut consulted = [0; 5];
    let mut skipped = [0; 5];
    for _ in 0..2000 {
        let steps: usize = rng.gen_range(1..12);
        let trial = rng.gen_range(0..8);
        let n = u32::try_from(steps).unwrap();
        let own = random_curve(&mut rng, n);
        let earlier: Vec<Vec<(Step, f64)>> =
            (0..trial).map(|_| random_curve(&mut rng, n)).collect();
        let curves = numbered(&earlier);
        let query = PruneQuery {
            trial: TrialId(u32::try_from(trial).unwrap()),
            step: own.last().map_or(Step(0), |(s, _)| *s),
            own: &own,
            earlier: &curves,
            direction: Direction::Maximize,
        };
        let alone = PruneQuery {
            earlier: &[],
            ..query
        };
        for (i, spec) in specs.iter().enumerate() {
            if consults_others(spec, &alone) {
                consulted[i] += 1;
            } else {
                skipped[i] += 1;
                assert_eq!(
                    should_prune(spec, &query),
                    should_prune(spec, &alone),
                    "{spec:?} at {query:?}"
                );
            }
        }
    }
    // Both cases occur for every rule, so the check above is not vacuous.
    assert!(
        consulted.iter().chain(&skipped).all(|n| *n > 50),
        "{consulted:?} {skipped:?}"
    );
}

#[test]
fn a_value_and_its_bar_that_read_alike_are_written_in_full() {
    assert_eq!(
        told_apart(Some(63.0 / 69.0), (62.0 / 69.0 + 64.0 / 69.0) / 2.0),
        (
            "0.9130434782608695".to_string(),
            "0.9130434782608696".to_string()
        )
    );
    assert_eq!(
        told_apart(Some(0.5), 0.75),
        ("0.5000".into(), "0.7500".into())
    );
    assert_eq!(told_apart(None, 0.75), ("NaN".into(), "0.7500".into()));
}

#[test]
fn issue_values_under_a_thousandth_read_as_metric_values_do_elsewhere() {
    // A regression loss near 2e-5 read `0.0000` in every reason, beside `2.42e-5` elsewhere.
    let asha = PrunerSpec::Asha {
        min_resource: 1,
        reduction_factor: 2,
    };
    let earlier = vec![curve(&[2.42e-5])];
    assert_eq!(
        ask_in(Direction::Minimize, &asha, 1, &[3.1e-5], &earlier).as_deref(),
        Some("asha: 3.10e-5 not in the top 1 of 2 at rung 0 (epoch 1)")
    );
    let median = PrunerSpec::Median {
        n_startup_trials: 1,
        n_warmup_steps: 0,
    };
    assert_eq!(
        ask_in(Direction::Minimize, &median, 1, &[3.1e-5], &earlier).as_deref(),
        Some("median: best 3.10e-5 worse than the median 2.42e-5 of 1 earlier trial at epoch 1")
    );
    let threshold = PrunerSpec::Threshold {
        lower: None,
        upper: Some(3e-5),
        n_warmup_steps: 0,
    };
    assert_eq!(
        ask(&threshold, 0, &[3.1e-5], &[]).as_deref(),
        Some("threshold: 3.10e-5 above 3.00e-5 at epoch 1")
    );
    // Where the value would read as the bound, both are written in full.
    assert_eq!(
        ask(&threshold, 0, &[3.001e-5], &[]).as_deref(),
        Some("threshold: 3.001e-5 above 3e-5 at epoch 1")
    );
    assert_eq!(
        told_apart(Some(1.6e-5), 1e6),
        ("1.60e-5".into(), "1.0000e6".into())
    );
}

#[test]
fn issue_values_that_read_alike_across_the_notations_switch_are_written_in_full() {
    // 0.001 reads `0.0010` and 0.00099996 `1.00e-3`: the same number in two notations, so the
    // two are told apart in full, as two values reading `0.0010` each would be.
    assert_eq!(
        told_apart(Some(0.001), 0.00099996),
        ("0.001".into(), "0.00099996".into())
    );
    assert_eq!(
        told_apart(Some(1_000_000.0), 999_999.999_99),
        ("1000000.0".into(), "999999.99999".into())
    );
    let threshold = PrunerSpec::Threshold {
        lower: Some(0.001),
        upper: None,
        n_warmup_steps: 0,
    };
    assert_eq!(
        ask(&threshold, 0, &[0.00099999], &[]).as_deref(),
        Some("threshold: 0.00099999 below 0.001 at epoch 1")
    );
}
