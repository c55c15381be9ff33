//! The experiment page's charts of trials agree: one objective is on one scale on the history,
//! the slice plots and the parallel coordinates' objective axis (`axis::trials` decides it for
//! each, `axis::objective_scale` as the page builds the parallel axis), each saying so in its
//! label and axis title; a pruned trial past the axis is one mark, a hollow grey triangle, on the
//! history and the slices, named in the history's legend.

use experiment::{Direction, TrialState};

use super::axis::objective_scale;
use super::history::PRUNED_ON_EDGE;
use super::tests::{drawn, hollow_triangles, label, marks};
use super::*;

/// Losses over four decades, as a loss falling over a sweep's trials.
const LOSSES: [f64; 8] = [0.52, 0.2, 0.08, 0.03, 0.01, 3e-3, 1e-3, 4e-4];

/// Returns the history of `values`, completed trials in trial order but those `pruned` says.
fn history_of(values: &[f64], pruned: &[u32], goal: Direction) -> String {
    let points: Vec<HistoryPoint> = (0..)
        .zip(values)
        .map(|(trial, &value)| HistoryPoint {
            trial,
            value,
            state: if pruned.contains(&trial) {
                TrialState::Pruned
            } else {
                TrialState::Completed
            },
            feasible: true,
        })
        .collect();
    history(&points, "val_loss", goal, None, Task::Regression, "/t/")
}

/// Returns the slice plot over `lr` of `values`, trial `k` at `lr` k, finished but those
/// `pruned` says, toward `goal`.
fn slices_of(values: &[f64], pruned: &[u32], goal: Direction) -> String {
    let (stopped, done): (Vec<SlicePoint>, Vec<SlicePoint>) = (0..)
        .zip(values)
        .map(|(trial, &y)| SlicePoint {
            trial,
            at: (f64::from(trial), y),
        })
        .partition(|p| pruned.contains(&p.trial));
    let panel = Slice {
        name: "lr".into(),
        scale: Scale::Linear {
            min: 0.0,
            max: 10.0,
        },
        points: done,
        pruned: stopped,
    };
    slices_toward(&[panel], ("val_loss", Some(goal)), Task::Regression, "/t/")
}

/// Returns the parallel coordinates of `values` over `lr`, the objective's axis as the
/// experiment page builds it (`objective_scale`), the lines ranked by value toward `goal`.
fn parallel_of(values: &[f64], goal: Direction) -> String {
    let axes = vec![
        ParAxis {
            title: "lr".into(),
            scale: Scale::Linear {
                min: 0.0,
                max: 10.0,
            },
        },
        ParAxis {
            title: "val_loss".into(),
            scale: objective_scale(values, goal),
        },
    ];
    let mut ranked: Vec<(u32, f64)> = (0..).zip(values.iter().copied()).collect();
    ranked.sort_by(|a, b| match goal {
        Direction::Minimize => a.1.total_cmp(&b.1),
        Direction::Maximize => b.1.total_cmp(&a.1),
    });
    let n = ranked.len().max(2) - 1;
    let lines: Vec<ParLine> = ranked
        .iter()
        .enumerate()
        .map(|(i, &(trial, value))| ParLine {
            trial,
            value: Some(value),
            values: vec![Some(f64::from(trial)), Some(value)],
            goodness: 1.0 - i as f64 / n as f64,
            pruned: false,
        })
        .collect();
    parallel(&axes, &lines, 900, ("best", "worst"), "/t/")
}

/// Returns whether a chart's texts (ticks, titles) include `text`.
fn draws_text(svg: &str, text: &str) -> bool {
    drawn(svg).contains(&format!(">\n{text}\n<"))
}

#[test]
fn issue_scales_the_parallel_objective_scale_is_decided_as_the_history_decides() {
    let cases: [(&[f64], Direction); 6] = [
        (&LOSSES, Direction::Minimize),
        (&LOSSES, Direction::Maximize),
        // Two decades exactly: linear on both.
        (&[0.01, 0.1, 0.5, 1.0], Direction::Minimize),
        (&[0.009, 0.1, 0.5, 1.0], Direction::Minimize),
        // Not all positive.
        (&[-1e-3, 1e-3, 0.1, 10.0], Direction::Minimize),
        (&[1e-5, 1e-4, 1e-3, 0.1, 10.0, 1e3], Direction::Minimize),
    ];
    for (values, goal) in cases {
        let on_history = label(&history_of(values, &[], goal)).contains("y axis on a log scale");
        let scale = objective_scale(values, goal);
        assert_eq!(
            matches!(scale, Scale::Log { .. }),
            on_history,
            "{values:?} toward {goal:?}: {scale:?}"
        );
    }
    assert_eq!(
        objective_scale(&[0.01, f64::INFINITY, 0.5], Direction::Maximize),
        Scale::Linear {
            min: 0.01,
            max: 0.5
        }
    );
}

#[test]
fn issue_scales_a_loss_over_decades_is_on_one_log_scale_on_every_chart() {
    let history = history_of(&LOSSES, &[], Direction::Minimize);
    let slices = slices_of(&LOSSES, &[], Direction::Minimize);
    let parallel = parallel_of(&LOSSES, Direction::Minimize);
    assert!(label(&history).contains("; y axis on a log scale"));
    assert!(draws_text(
        &history,
        "val_loss (standardized MSE, log scale)"
    ));
    assert!(
        label(&slices).ends_with("; y axis on a log scale"),
        "{}",
        label(&slices)
    );
    assert!(draws_text(&slices, "val_loss (log scale)"), "{slices}");
    // The powers of ten, as the history ticks a log axis, not 0.1, 0.2, ... squashing the rest.
    for svg in [&history, &slices] {
        assert!(draws_text(svg, "0.001") && draws_text(svg, "0.01"), "{svg}");
        assert!(!draws_text(svg, "0.2"), "{svg}");
    }
    assert!(
        label(&parallel).ends_with("; objective axis on a log scale"),
        "{}",
        label(&parallel)
    );
    assert!(draws_text(&parallel, "val_loss (log)"), "{parallel}");
    // A maximized metric, or one within two decades, stays linear on every chart.
    for (values, goal) in [
        (&LOSSES[..], Direction::Maximize),
        (&LOSSES[..5], Direction::Minimize),
    ] {
        for svg in [
            history_of(values, &[], goal),
            slices_of(values, &[], goal),
            parallel_of(values, goal),
        ] {
            assert!(!label(&svg).contains("log scale"), "{}", label(&svg));
        }
    }
}

#[test]
fn issue_scales_a_diverged_loss_is_left_off_the_log_axis_alike_on_every_chart() {
    let mut losses = LOSSES.to_vec();
    losses.push(3e30);
    let said = "trial 8 above the axis, 3e30, drawn on its edge";
    let history = history_of(&losses, &[], Direction::Minimize);
    let slices = slices_of(&losses, &[], Direction::Minimize);
    let parallel = parallel_of(&losses, Direction::Minimize);
    for svg in [&history, &slices, &parallel] {
        assert!(label(svg).contains(said), "{}", label(svg));
        assert!(
            label(svg).ends_with("axis on a log scale"),
            "{}",
            label(svg)
        );
    }
    // The parallel axis spans the others' decades, not 34 of them.
    assert!(!draws_text(&parallel, "1e30") && !draws_text(&parallel, "1e10"));
    assert!(draws_text(&parallel, "0.001"), "{parallel}");
}

#[test]
fn issue_marks_a_pruned_trial_past_the_axis_is_a_hollow_triangle_on_history_and_slices() {
    // Trial 9, pruned, stopped at 5e12 over losses of 2.5 to 3.4: past the axis.
    let mut values: Vec<f64> = (0..9).map(|k| 2.5 + f64::from(k) / 10.0).collect();
    values.push(5e12);
    for svg in [
        history_of(&values, &[9], Direction::Minimize),
        slices_of(&values, &[9], Direction::Minimize),
    ] {
        assert!(
            label(&svg).contains("trial 9 above the axis, 5e12, drawn on its edge"),
            "{}",
            label(&svg)
        );
        let (_, (cx, cy), tip) = marks(&svg)
            .into_iter()
            .find(|(href, _, _)| href == "/t/9")
            .unwrap_or_default();
        assert!(tip.contains("(pruned), above the axis"), "{tip}");
        // Its mark is a hollow triangle on the edge, not a ring.
        let at = (
            cx.parse().unwrap_or(f64::NAN),
            cy.parse().unwrap_or(f64::NAN),
        );
        assert!(hollow_triangles(&svg).contains(&at), "{at:?}: {svg}");
        assert!(
            !drawn(&svg).contains(&format!("cx=\"{cx}\" cy=\"{cy}\"")),
            "{svg}"
        );
    }
    // The history's legend names the mark, beside one, where a pruned trial lies past.
    let svg = history_of(&values, &[9], Direction::Minimize);
    assert!(draws_text(&svg, PRUNED_ON_EDGE), "{svg}");
    assert_eq!(
        hollow_triangles(&svg).len(),
        2,
        "the trial's and the legend's"
    );
    values[9] = 3.0;
    let svg = history_of(&values, &[9], Direction::Minimize);
    assert!(!draws_text(&svg, PRUNED_ON_EDGE), "{svg}");
}

/// Returns the `y` pixel of the tick that reads `text` on chart `svg`.
fn tick_y(svg: &str, text: &str) -> Option<i32> {
    svg.split("<text").skip(1).find_map(|t| {
        let (attrs, rest) = t.split_once('>')?;
        (rest.split('<').next()?.trim() == text).then_some(())?;
        attrs.split(" y=\"").nth(1)?.split('"').next()?.parse().ok()
    })
}

#[test]
fn issue_a_fractions_history_axis_stops_at_one_with_one_trial() {
    // One trial at 0.97: the padded axis ran to 1.0185, past 1, where no accuracy lies; now
    // its tick 1 is at the top of the plot, where a loss's (not a fraction) is below it.
    let points = [HistoryPoint {
        trial: 0,
        value: 0.97,
        state: TrialState::Completed,
        feasible: true,
    }];
    let chart = |metric: &str| {
        history(
            &points,
            metric,
            Direction::Maximize,
            None,
            Task::Classification,
            "/t/",
        )
    };
    let (accuracy, loss) = (chart("val_accuracy"), chart("val_loss"));
    let (Some(one), Some(loss_one)) = (tick_y(&accuracy, "1"), tick_y(&loss, "1")) else {
        panic!("no tick 1: {accuracy}\n{loss}");
    };
    let top = tick_y(&accuracy, "0.98").unwrap_or(i32::MAX);
    assert!(
        one < loss_one && one < top,
        "{one} {loss_one} {top}: {accuracy}"
    );
    // The plot's top grid line is where the tick 1 is, give or take the text's offset.
    let grid_top = 12;
    assert!((one - grid_top).abs() <= 8, "{one}: {accuracy}");
}
