//! Tests of the curves of trials still running (`Emphasis::Running`, `RunningColour`): drawn
//! dashed, their curves so far, told apart in the legend, the tooltips and the chart's label
//! from the completed and pruned trials' curves; and of the side a value past the curves' reach
//! is judged to lie (`past_reach`, `axis::Past`'s rule).

use experiment::Direction;

use super::{curves, fitted, Curve, Emphasis, Fit, RUNNING_LABEL};

/// Returns the chart's label (its `aria-label`), as escaped in the SVG.
fn label(svg: &str) -> &str {
    svg.split("aria-label=\"")
        .nth(1)
        .and_then(|l| l.split('"').next())
        .unwrap_or_default()
}

/// Returns the tooltips of the chart's marks, in the order drawn.
fn tooltips(svg: &str) -> Vec<&str> {
    svg.split("<title>")
        .skip(1)
        .filter_map(|t| t.split("</title>").next())
        .collect()
}

/// Returns trial `id`'s curve drawn as `emphasis`, from `first` rising by 0.01 an epoch over
/// `epochs` epochs, linked to its page (shared with `tests_watch`).
pub(super) fn line(id: u32, emphasis: Emphasis, first: f64, epochs: u32) -> Curve {
    Curve {
        label: format!("trial {id}"),
        points: (1..=epochs)
            .map(|e| (f64::from(e), first + f64::from(e - 1) / 100.0))
            .collect(),
        emphasis,
        best: None,
        href: Some(format!("/t/{id}")),
        note: String::new(),
    }
}

/// Returns the curves of two top trials (3 and 5, from 0.90 and 0.89 over 20 epochs), then
/// `running`'s.
fn beside_the_top_two(running: Curve) -> [Curve; 3] {
    [
        line(3, Emphasis::Colour(0), 0.90, 20),
        line(5, Emphasis::Colour(1), 0.89, 20),
        running,
    ]
}

/// Returns the overlay of an experiment's top trials, as the experiment page draws it (shared
/// with `tests_watch`).
pub(super) fn overlay(lines: &[Curve]) -> String {
    fitted(
        lines,
        (1300, 380),
        ("epoch", "val_accuracy"),
        Some(Direction::Maximize),
        ("pruned trials", "no completed trials"),
        Fit::Settled,
    )
}

/// Returns the chart of compared trials' curves, as the compare page draws it.
fn compared_chart(lines: &[Curve]) -> String {
    curves(
        lines,
        (1100, 320),
        ("epoch", "val_accuracy"),
        Some(Direction::Maximize),
        "",
        "no points recorded yet",
    )
}

/// Returns the chart's elements that are dashed, in the order drawn.
fn dashed_elements(svg: &str) -> Vec<&str> {
    svg.split('<')
        .filter(|e| e.contains("stroke-dasharray"))
        .collect()
}

#[test]
fn a_running_trial_s_curve_is_dashed_and_said_to_be_its_curve_so_far() {
    // Two top trials, a pruned one, and trial 7 running at epoch 7 (0.9600 so far).
    let mut top = line(3, Emphasis::Colour(0), 0.90, 20);
    top.best = Some(20.0);
    let lines = [
        line(4, Emphasis::Dimmed, 0.30, 2),
        top,
        line(5, Emphasis::Colour(1), 0.89, 20),
        line(7, Emphasis::Running, 0.90, 7),
    ];
    let svg = overlay(&lines);
    assert!(svg.contains("stroke-dasharray=\"6 4\""), "{svg}");
    assert!(svg.contains(RUNNING_LABEL), "its legend entry");
    let said = "trial 7: running, 0.9600 at epoch 7 so far";
    assert!(tooltips(&svg).contains(&said), "{:?}", tooltips(&svg));
    // The text alternative names it too, as it names the top trials.
    assert!(label(&svg).contains(said), "{}", label(&svg));
    assert!(label(&svg).contains("trial 3: best epoch 20, 1.0900"));
    // A completed trial's and a pruned one's are not said to be running.
    assert!(
        tooltips(&svg)
            .iter()
            .filter(|t| t.contains("running"))
            .all(|t| t.starts_with("trial 7:")),
        "{:?}",
        tooltips(&svg)
    );
}

#[test]
fn a_running_trial_s_first_epochs_do_not_stretch_the_top_trials_axis() {
    // Trial 7 has run 2 epochs, at 0.10: like a pruned trial's, its curve leaves the axis the
    // top trials set rather than squeeze them into a line.
    let lines = beside_the_top_two(line(7, Emphasis::Running, 0.10, 2));
    let with = overlay(&lines);
    let without = overlay(&lines[..2]);
    // The axis's numbers, not the running curves' number tags (in the running ink).
    let ticks = |svg: &str| -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter(|t| !t.contains("fill=\"#505050\""))
            .filter_map(|t| t.split('>').nth(1)?.split('<').next())
            .map(str::trim)
            .filter(|t| t.parse::<f64>().is_ok())
            .map(str::to_string)
            .collect()
    };
    assert!(ticks(&without).len() >= 3, "{without}");
    assert_eq!(ticks(&with), ticks(&without));
    // With no top trial yet, the running trials' curves set the axis themselves.
    let alone = overlay(&lines[2..]);
    assert!(!alone.contains("data-empty"), "{alone}");
    assert!(label(&alone).contains("trial 7: running, 0.1100 at epoch 2 so far"));
}

#[test]
fn a_running_trial_among_compared_ones_keeps_its_colour_and_is_named_running() {
    let lines = [
        line(3, Emphasis::Colour(0), 0.90, 20),
        line(8, Emphasis::RunningColour(1), 0.85, 6),
    ];
    let svg = compared_chart(&lines);
    assert!(svg.contains("stroke-dasharray=\"6 4\""), "{svg}");
    assert!(svg.contains("trial 8 (running)"), "its legend entry");
    assert!(label(&svg).contains("trial 8: running, 0.9000 at epoch 6 so far"));
    // In its own colour (the palette's second), dashed: no other line is dashed.
    assert_eq!(
        svg.matches("stroke-dasharray").count(),
        2,
        "line and legend"
    );
}

#[test]
fn a_chart_without_running_trials_draws_nothing_dashed() {
    // The running curves' stand-ins become their dashes after drawing (`dashes`): nothing
    // else in a curve chart is dashed, here a chart with every other mark it draws (a best
    // epoch's line and symbol, pruned ends, arrowheads where first epochs are cut).
    let mut top = line(3, Emphasis::Colour(0), 0.90, 20);
    top.points[0].1 = 0.10;
    top.best = Some(20.0);
    let lines = [
        line(4, Emphasis::Dimmed, 0.30, 2),
        top,
        line(5, Emphasis::Colour(1), 0.89, 20),
    ];
    for svg in [overlay(&lines), overlay(&lines[1..2])] {
        assert!(!svg.contains("running"), "{svg}");
        assert!(!svg.contains("stroke-dasharray"), "{svg}");
    }
}

#[test]
fn only_the_running_curves_are_dashed_beside_every_mark_of_eight_coloured_ones() {
    // Eight top trials, each with its own symbol filled at its best epoch (the sixth's a plus,
    // drawn in thicker strokes than a line), a pruned one and a running one: only the running
    // curve and its legend entry are dashed, and every dashed element is of class `running`.
    let mut lines: Vec<Curve> = (0u32..8)
        .zip(0usize..)
        .map(|(k, i)| {
            let mut c = line(k, Emphasis::Colour(i), 0.80 + f64::from(k) / 100.0, 20);
            c.best = Some(10.0);
            c
        })
        .collect();
    lines.push(line(20, Emphasis::Dimmed, 0.30, 2));
    lines.push(line(21, Emphasis::Running, 0.85, 7));
    let svg = overlay(&lines);
    let dashed = dashed_elements(&svg);
    assert_eq!(
        dashed.len(),
        2,
        "the curve and its legend entry: {dashed:#?}"
    );
    assert!(
        dashed.iter().all(|e| e.contains("class=\"running\"")),
        "{dashed:#?}"
    );
    // Every stand-in was replaced by its line.
    assert!(!svg.contains("sweep-dashes"), "{svg}");
    // The sixth trial's best epoch is still a solid plus, in its own colour.
    let plus = svg
        .split('<')
        .filter(|e| e.starts_with("polyline") && e.contains("stroke-width=\"3\""))
        .count();
    assert!(plus >= 2, "{svg}");
    // Compared trials likewise: six in their colours, the seventh running.
    let mut compared: Vec<Curve> = lines[..6].to_vec();
    compared.push(line(22, Emphasis::RunningColour(6), 0.85, 7));
    let svg = compared_chart(&compared);
    let dashed = dashed_elements(&svg);
    assert_eq!(
        dashed.len(),
        2,
        "the curve and its legend entry: {dashed:#?}"
    );
}

#[test]
fn a_running_trial_s_latest_value_sets_the_axis_where_it_does_not_squeeze_the_top_trials() {
    // Trial 7 has stood at 0.72, a little below the top trials (0.89 to 1.09): the axis
    // widens to hold where it is now, and its ring there is drawn, in the running ink.
    let mut now = line(7, Emphasis::Running, 0.72, 3);
    now.points.iter_mut().for_each(|p| p.1 = 0.72);
    let lines = beside_the_top_two(now);
    let svg = overlay(&lines);
    assert!(
        svg.contains("<circle") && svg.contains("stroke=\"#505050\""),
        "its ring: {svg}"
    );
    let said = "trial 7: running, 0.7200 at epoch 3 so far";
    assert!(tooltips(&svg).contains(&said), "{:?}", tooltips(&svg));
    assert!(!label(&svg).contains("axis"), "{}", label(&svg));
}

#[test]
fn a_running_curve_that_leaves_the_axis_is_marked_and_said_to() {
    // Trial 7 is at 0.11 after 2 epochs, far below the top trials: it leaves their axis (its
    // first epochs must not squeeze them), marked by a hollow arrowhead at its latest epoch,
    // and its tooltip and the chart's label say so.
    let lines = beside_the_top_two(line(7, Emphasis::Running, 0.10, 2));
    let svg = overlay(&lines);
    let said = "trial 7: running, 0.1100 at epoch 2 so far; its latest epoch lies below the axis";
    assert!(tooltips(&svg).contains(&said), "{:?}", tooltips(&svg));
    assert!(label(&svg).contains(said), "{}", label(&svg));
    // Its outline in the running ink, not dashed.
    assert!(
        svg.split('<').any(|e| e.starts_with("polyline")
            && e.contains("stroke=\"#505050\"")
            && !e.contains("class=\"running\"")),
        "its arrowhead: {svg}"
    );
    // One that came onto the axis since says where it left it.
    let mut back = line(8, Emphasis::Running, 0.95, 4);
    back.points[0].1 = 0.10;
    let svg = overlay(&beside_the_top_two(back));
    assert!(
        label(&svg).contains(
            "trial 8: running, 0.9800 at epoch 4 so far; its earlier epochs leave the axis below"
        ),
        "{}",
        label(&svg)
    );
}

#[test]
fn curves_past_both_sides_of_the_others_reach_are_judged_by_the_side_they_lie_past() {
    // Two curves diverge, one up and one down: each side's farthest value is named, and each
    // curve's tooltip names the farthest it runs off.
    let mut lines: Vec<Curve> = (0..3)
        .map(|k| line(k, Emphasis::Colour(usize::try_from(k).unwrap_or(0)), 0.5, 5))
        .collect();
    let mut up = line(3, Emphasis::Colour(3), 0.5, 5);
    up.points[4].1 = 2e40;
    let mut down = line(4, Emphasis::Colour(4), 0.5, 5);
    down.points[3].1 = -3e30;
    down.points[4].1 = -1e30;
    lines.extend([up, down]);
    let svg = curves(&lines, (900, 300), ("epoch", "val_loss"), None, "", "none");
    assert!(
        label(&svg).contains("cut off above and below the axis (up to 2e40, down to -3e30)"),
        "{}",
        label(&svg)
    );
    let tips = tooltips(&svg);
    assert!(
        tips.iter()
            .any(|t| t.starts_with("trial 4: ") && t.contains("runs off the axis to -3e30")),
        "{tips:?}"
    );
}
