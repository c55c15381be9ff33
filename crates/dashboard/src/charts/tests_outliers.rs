//! One diverged trial must not flatten a chart: the history, the parallel coordinates' objective
//! axis, the slices and compared curves fit their value axis to the other trials and draw the
//! diverged one on its edge, marked and counted (`axis`); a log axis labels only some of many
//! powers of ten.

use experiment::{Direction, TrialState};

use super::axis::{reach, trials, YAxis, REACH};
use super::tests::{drawn, label, tooltips};
use super::*;

/// Returns the texts a chart draws (its ticks, titles, legend), in order, trimmed.
fn texts(svg: &str) -> Vec<String> {
    drawn(svg)
        .split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split('<').next()?.trim().to_string()))
        .collect()
}

/// Returns the numbers among `texts` (the ticks).
fn numbers(texts: &[String]) -> Vec<f64> {
    texts.iter().filter_map(|t| t.parse().ok()).collect()
}

/// Returns the RMSEs of a sweep like the auditor's: 20 completed trials from 2.5 to 5.4 and 20
/// pruned from 5.2 up, the last one diverged to 3e30; trial 7, completed, diverged to 4.5e10.
fn diverged_history() -> Vec<HistoryPoint> {
    (0..40)
        .map(|i| {
            let pruned = i % 2 == 1;
            let value = match i {
                7 => 4.5e10,
                39 => 3e30,
                _ if pruned => 5.2 + f64::from(i) / 10.0,
                _ => 2.5 + f64::from(i) * 0.075,
            };
            HistoryPoint {
                trial: i,
                value,
                state: if pruned && i != 7 {
                    TrialState::Pruned
                } else {
                    TrialState::Completed
                },
                feasible: true,
            }
        })
        .collect()
}

#[test]
fn issue_diverged_the_history_keeps_the_other_trials_readable_and_marks_the_diverged_on_its_edge() {
    let svg = history(
        &diverged_history(),
        "val_rmse",
        Direction::Minimize,
        None,
        Task::Regression,
        "/t/",
    );
    let ticks = numbers(&texts(&svg));
    let top = ticks.iter().copied().fold(f64::MIN, f64::max);
    assert!(
        top < 40.0,
        "the axis (and the trial numbers) fit the completed trials, not 4.5e10 or 3e30: {ticks:?}"
    );
    assert!(
        ticks.iter().filter(|t| (2.0..=9.0).contains(*t)).count() >= 3,
        "the bulk spans several ticks: {ticks:?}"
    );
    // Every trial is still drawn and marked; the two diverged ones say where they are.
    let tips = tooltips(&svg);
    assert_eq!(tips.len(), 40, "{tips:?}");
    assert!(
        tips.contains(&"trial 7: val_rmse 4.5000e10, above the axis".to_string()),
        "{tips:?}"
    );
    assert!(
        tips.iter()
            .any(|t| t.starts_with("trial 39: ") && t.ends_with(" (pruned), above the axis")),
        "{tips:?}"
    );
    let said = label(&svg);
    assert!(
        said.contains("trials 7 and 39 above the axis, 4.5e10 and 3e30, drawn on its edge"),
        "{said}"
    );
    let legend = texts(&svg).join(" ");
    assert!(legend.contains("drawn on its edge,"), "{legend}");
}

#[test]
fn a_history_without_outliers_keeps_every_trial_on_its_axis() {
    let points: Vec<HistoryPoint> = (0..30)
        .map(|i| HistoryPoint {
            trial: i,
            // Accuracy: chance-level early trials are far below the rest, not diverged.
            value: if i < 3 {
                0.1
            } else {
                0.95 + f64::from(i) / 1000.0
            },
            state: TrialState::Completed,
            feasible: true,
        })
        .collect();
    let svg = history(
        &points,
        "val_accuracy",
        Direction::Maximize,
        None,
        Task::Classification,
        "/t/",
    );
    assert!(!svg.contains("the axis"), "{}", label(&svg));
    assert!(numbers(&texts(&svg)).iter().any(|t| *t <= 0.2));
}

#[test]
fn the_reach_leaves_off_only_values_many_times_the_others() {
    let accuracies = [0.1, 0.95, 0.96, 0.97, 0.975];
    let (lo, hi) = reach(accuracies.into_iter(), REACH).unwrap_or_default();
    assert!(lo < 0.1 && hi > 1.0, "{lo}..{hi}");
    let rmses = [2.5, 3.0, 4.0, 5.0, 5.4, 4.5e10];
    let (_, hi) = reach(rmses.into_iter(), REACH).unwrap_or_default();
    assert!(hi > 5.4 && hi < 4.5e10, "{hi}");
    assert_eq!(reach([0.0, 0.0, 0.0].into_iter(), REACH), None);
    // A minimized metric over decades, kept whole, gets a log axis.
    let losses = [1e-4, 1e-3, 1e-2, 0.1, 0.5];
    let axis = trials(&losses, &[], Some(Direction::Minimize), None);
    assert_eq!(axis.map(|a| a.scale), Some(YAxis::Log));
    assert_eq!(
        trials(&losses, &[], Some(Direction::Maximize), None).map(|a| a.scale),
        Some(YAxis::Linear)
    );
}

/// Returns the parallel coordinates of 20 trials over `lr` and `val_rmse`, trial 0 diverged to
/// `diverged`.
fn parallel_with(diverged: f64) -> String {
    let axes = vec![
        ParAxis {
            title: "lr".into(),
            scale: Scale::Log {
                min: 1e-4,
                max: 10.0,
            },
        },
        ParAxis {
            title: "val_rmse".into(),
            // As the experiment page passes it: linear over every value.
            scale: Scale::Linear {
                min: 2.5,
                max: diverged.max(5.4),
            },
        },
    ];
    let lines: Vec<ParLine> = (0..20)
        .map(|i| {
            let value = if i == 0 {
                diverged
            } else {
                2.5 + f64::from(i) * 0.15
            };
            ParLine {
                trial: i,
                value: Some(value),
                values: vec![Some(1e-3 * f64::from(i + 1)), Some(value)],
                goodness: 1.0 - f64::from(i) / 19.0,
                pruned: i % 3 == 0,
            }
        })
        .collect();
    parallel(&axes, &lines, 900, ("best", "worst"), "/t/")
}

#[test]
fn issue_diverged_the_parallel_objective_axis_fits_the_other_trials() {
    let svg = parallel_with(3e30);
    let ticks = numbers(&texts(&svg));
    assert!(
        ticks.iter().all(|t| *t < 100.0) && ticks.iter().filter(|t| **t >= 2.0).count() >= 3,
        "the objective's ticks span the bulk: {ticks:?}"
    );
    assert!(
        label(&svg).contains("objective: trial 0 above the axis, 3e30, drawn on its edge"),
        "{}",
        label(&svg)
    );
    assert!(texts(&svg).contains(&"▲ 1 above the axis".to_string()));
    let tips = tooltips(&svg);
    assert!(
        tips.iter()
            .any(|t| t.starts_with("trial 0: val_rmse 3.0000e30 (pruned), above the axis;")),
        "{tips:?}"
    );
    // Without a diverged trial, the axis is the one given.
    let plain = parallel_with(5.4);
    assert!(!plain.contains("the axis"), "{}", label(&plain));
    assert!(texts(&plain).contains(&"5".to_string()));
}

#[test]
fn issue_crammed_a_log_axis_over_29_decades_labels_only_some_powers() {
    let log = Scale::Log {
        min: 1e-30,
        max: 1e-1,
    };
    let t = scale::ticks(&log);
    assert_eq!(t.len(), 30, "a tick at every power");
    let labelled: Vec<&str> = t
        .iter()
        .map(|(_, s)| s.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        labelled,
        ["1e-30", "1e-25", "1e-20", "1e-15", "1e-10", "1e-5"]
    );
    // Few decades keep every label.
    let short = Scale::Log {
        min: 1e-4,
        max: 10.0,
    };
    assert!(scale::ticks(&short).iter().all(|(_, s)| !s.is_empty()));
}

/// Returns three compared curves of `metric` over five epochs, the third diverging to
/// `diverged` after its first epoch.
fn compared(first: [f64; 2], diverged: f64) -> Vec<Curve> {
    (0..3)
        .map(|k| {
            let points: Vec<(f64, f64)> = (1..=5)
                .map(|e| {
                    let t = f64::from(e - 1) / 4.0;
                    let y = if k == 2 && e > 1 {
                        diverged * (t * t)
                    } else {
                        first[0] + (first[1] - first[0]) * t + f64::from(k) * 0.01
                    };
                    (f64::from(e), y)
                })
                .collect();
            Curve {
                label: format!("trial {k}"),
                points,
                emphasis: Emphasis::Colour(usize::try_from(k).unwrap_or(0)),
                best: None,
                href: Some(format!("/t/{k}")),
                note: String::new(),
            }
        })
        .collect()
}

#[test]
fn issue_diverged_compared_curves_keep_the_others_readable() {
    let loss = curves(
        &compared([0.6, 0.1], 1e40),
        (900, 300),
        ("epoch", "val_loss"),
        Some(Direction::Minimize),
        "pruned",
        "none",
    );
    let ticks = numbers(&texts(&loss));
    assert!(
        ticks.iter().all(|t| *t < 10.0) && ticks.len() >= 3,
        "{ticks:?}"
    );
    let said = label(&loss);
    assert!(
        said.contains("values far past the other curves&#39; cut off above the axis (up to 1e40)"),
        "{said}"
    );
    assert!(
        said.contains("trial 2: ") && said.contains("runs off the axis to 1e40"),
        "{said}"
    );
    let r2 = curves(
        &compared([0.2, 0.8], -1.5e46),
        (900, 300),
        ("epoch", "val_r2"),
        Some(Direction::Maximize),
        "pruned",
        "none",
    );
    let ticks = numbers(&texts(&r2));
    assert!(ticks.iter().all(|t| t.abs() < 10.0), "{ticks:?}");
    assert!(label(&r2).contains("down to -1.5e46"), "{}", label(&r2));
    // A curve alone is drawn whole: nothing beside it to flatten.
    let alone = curves(
        &compared([0.2, 0.8], -1.5e46)[2..],
        (900, 300),
        ("epoch", "val_r2"),
        Some(Direction::Maximize),
        "pruned",
        "none",
    );
    assert!(!alone.contains("cut off"), "{}", label(&alone));
}

#[test]
fn issue_diverged_slices_put_a_diverged_completed_trial_on_the_edge() {
    let points: Vec<SlicePoint> = (0..20)
        .map(|i| SlicePoint {
            trial: i,
            at: (
                f64::from(i),
                if i == 4 {
                    4.5e10
                } else {
                    2.5 + f64::from(i) * 0.15
                },
            ),
        })
        .collect();
    let panel = Slice {
        name: "hidden".into(),
        scale: Scale::Linear {
            min: 0.0,
            max: 19.0,
        },
        points,
        pruned: Vec::new(),
    };
    let svg = slices(&[panel], "val_rmse", Task::Regression, "/t/");
    let ticks = numbers(&texts(&svg));
    assert!(
        ticks.iter().all(|t| *t < 100.0),
        "the y axis fits the others: {ticks:?}"
    );
    assert!(
        label(&svg).contains("trial 4 above the axis, 4.5e10, drawn on its edge"),
        "{}",
        label(&svg)
    );
    assert!(
        tooltips(&svg)
            .iter()
            .any(|t| t.starts_with("trial 4: val_rmse 4.5000e10, above the axis;")),
        "{:?}",
        tooltips(&svg)
    );
}

#[test]
fn issue_diverged_a_curve_diverged_from_its_first_epoch_is_marked_on_the_edge() {
    // As div3's trial 4: an R² of -7e19 at its first epoch, down to -1.9e38.
    let mut r2 = compared([0.2, 0.8], -1.9e38);
    r2[2].points[0].1 = -7e19;
    let svg = curves(
        &r2,
        (900, 300),
        ("epoch", "val_r2"),
        Some(Direction::Maximize),
        "pruned",
        "none",
    );
    let ticks = numbers(&texts(&svg));
    assert!(ticks.iter().all(|t| t.abs() < 10.0), "{ticks:?}");
    let tips = tooltips(&svg);
    assert!(
        tips.iter()
            .any(|t| t.starts_with("trial 2: ") && t.contains("runs off the axis to -1.9e38")),
        "its mark on the edge names it: {tips:?}"
    );
}
