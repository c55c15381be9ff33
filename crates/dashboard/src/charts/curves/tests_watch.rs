//! Tests of what a watcher of a live sweep reads off the running curves beside an
//! experiment's top trials (`Emphasis::Running`): where they are cut, marked and named so in
//! the legend; where one's latest epoch lies off the axis, a mark of its own with its own
//! legend entry; drawn beneath the top trials' curves and labels; and each tagged with its
//! trial's number.

use super::tests_running::{line, overlay as drawn};
use super::{Curve, Emphasis};

/// Returns the overlay of an experiment's top trials (3 and 5, from 0.90 and 0.89 over 20
/// epochs) beside `running`, as the experiment page draws it.
fn overlay(running: &[Curve]) -> String {
    let mut lines = vec![
        line(3, Emphasis::Colour(0), 0.90, 20),
        line(5, Emphasis::Colour(1), 0.89, 20),
    ];
    lines.extend_from_slice(running);
    drawn(&lines)
}

/// Returns the texts of the chart (its ticks, legend, labels and tags), trimmed, in the order
/// drawn, each with its `fill`.
fn texts(svg: &str) -> Vec<(String, String)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let fill = t.split("fill=\"").nth(1)?.split('"').next()?;
            let text = t.split('>').nth(1)?.split('<').next()?.trim();
            Some((text.to_string(), fill.to_string()))
        })
        .collect()
}

/// Returns the legend's note lines and entries that speak of the axis.
fn of_the_axis(svg: &str) -> Vec<String> {
    texts(svg)
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| t.contains("axis") || t.contains("cut") || t.contains("latest"))
        .collect()
}

/// Returns the running curves' number tags (texts in the running ink): each text and its
/// `x` and `y` pixels.
fn tags(svg: &str) -> Vec<(String, i32, i32)> {
    let attr = |t: &str, name: &str| -> Option<i32> {
        t.split(&format!(" {name}=\""))
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()
    };
    svg.split("<text")
        .skip(1)
        .filter(|t| t.contains("fill=\"#505050\""))
        .filter_map(|t| {
            let text = t.split('>').nth(1)?.split('<').next()?.trim().to_string();
            Some((text, attr(t, "x")?, attr(t, "y")?))
        })
        .collect()
}

/// Returns the SVG elements of the chart, each from its tag name on.
fn elements(svg: &str) -> Vec<&str> {
    svg.split('<').collect()
}

/// Returns whether the chart draws a filled arrowhead in the running ink.
fn filled_running_arrowhead(svg: &str) -> bool {
    elements(svg)
        .iter()
        .any(|e| e.starts_with("polygon") && e.contains("fill=\"#505050\""))
}

#[test]
fn issue_a_running_curves_cut_off_above_the_axis_are_marked_and_the_legend_says_so() {
    // Trial 8 began at 3.0, far above the top trials (0.89 to 1.09), and is at 0.98 now: its
    // first epoch is cut off above the axis, where it comes onto the axis an arrowhead marks
    // it as the coloured curves' are, and the legend and the chart's label say it is cut.
    let mut from_above = line(8, Emphasis::Running, 0.95, 4);
    from_above.points[0].1 = 3.0;
    let svg = overlay(&[from_above.clone()]);
    assert!(filled_running_arrowhead(&svg), "its arrowhead: {svg}");
    let said = of_the_axis(&svg);
    assert!(
        said.contains(&"▲ first epochs cut".to_string())
            && said.contains(&"off above the axis;".to_string()),
        "{said:?}"
    );
    assert!(
        svg.contains("first epochs cut off above the axis"),
        "its label"
    );
    // With a top trial's first epoch cut off below: both ways.
    let mut top = line(3, Emphasis::Colour(0), 0.90, 20);
    top.points[0].1 = 0.10;
    let svg = drawn(&[top, line(5, Emphasis::Colour(1), 0.89, 20), from_above]);
    let said = of_the_axis(&svg);
    assert!(
        said.contains(&"▲▼ first epochs cut".to_string())
            && said.contains(&"off above and below the axis;".to_string()),
        "{said:?}"
    );
}

#[test]
fn issue_b_running_curves_lie_beneath_the_top_trial_and_its_best_label_their_tags_on_top() {
    // One top trial, its best epoch 15 labelled, and trial 7 running across it: the running
    // curve and its ring come before the top trial's line and label in the SVG, which draws
    // later elements over earlier ones; its tag comes after the top trial's line, so that the
    // line crossing it does not hide its number.
    let mut top = line(3, Emphasis::Colour(0), 0.90, 20);
    top.best = Some(15.0);
    let svg = drawn(&[top, line(7, Emphasis::Running, 0.88, 16)]);
    let at = |needle: &str| svg.find(needle).unwrap_or(usize::MAX);
    let top_line = at("stroke=\"#0072B2\" stroke-width=\"2\" points=");
    let best = at(">\nbest epoch 15\n<");
    assert!(best < usize::MAX && top_line < usize::MAX, "{svg}");
    for running in ["class=\"running\"", "<circle"] {
        assert!(at(running) < top_line.min(best), "{running}: {svg}");
    }
    let tag = at(">\n7\n<");
    assert!(tag < usize::MAX && tag > top_line.max(best), "{svg}");
}

#[test]
fn issue_c_a_running_trial_whose_latest_epoch_lies_off_the_axis_has_a_mark_of_its_own() {
    // Trial 7 has run one epoch, at 0.10, far below the top trials: a hollow arrowhead on the
    // bottom edge, named in the legend as a running trial's latest epoch below the axis, not as
    // first epochs cut off (it has none before it).
    let svg = overlay(&[line(7, Emphasis::Running, 0.10, 1)]);
    assert!(!filled_running_arrowhead(&svg), "{svg}");
    let hollow = elements(&svg).windows(2).any(|w| {
        w[0].starts_with("polygon")
            && w[0].contains("fill=\"#FFFFFF\"")
            && w[1].starts_with("polyline")
            && w[1].contains("stroke=\"#505050\"")
    });
    assert!(hollow, "{svg}");
    assert_eq!(
        of_the_axis(&svg),
        ["running, latest epoch", "below the axis"],
        "{svg}"
    );
    // Above it, likewise.
    let svg = overlay(&[line(9, Emphasis::Running, 4.0, 1)]);
    assert_eq!(
        of_the_axis(&svg),
        ["running, latest epoch", "above the axis"]
    );
}

#[test]
fn issue_d_each_running_curve_is_tagged_with_its_trial_number_inside_the_plot() {
    // Trials 7 and 12 running where they are now, at the same point; trial 30 at the last
    // epoch, by the plot's right edge; trial 41 below the axis: each tagged with its number,
    // in the running ink, no two tags on one another, none past the plot's right edge.
    let mut now = line(12, Emphasis::Running, 0.90, 20);
    now.points.truncate(10);
    let mut same = now.clone();
    same.label = "trial 7".to_string();
    let svg = overlay(&[
        same,
        now,
        line(30, Emphasis::Running, 0.80, 20),
        line(41, Emphasis::Running, 0.10, 1),
    ]);
    let found = tags(&svg);
    let names: Vec<&str> = found.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(names, ["7", "12", "30", "41"], "{svg}");
    let (a, b) = (&found[0], &found[1]);
    assert!(
        (a.1 - b.1).abs() >= 14 || (a.2 - b.2).abs() >= 12,
        "7 and 12 overlap: {found:?}"
    );
    // The plot's right edge, where its last x tick (20) is written.
    assert!(svg.contains(">\n20\n<"), "{svg}");
    let right = svg
        .split(">\n20\n<")
        .next()
        .and_then(|before| before.rsplit(" x=\"").next())
        .and_then(|x| x.split('"').next()?.parse::<i32>().ok())
        .unwrap_or(0);
    assert!(found[2].1 + 14 <= right, "30 past the plot: {found:?}");
    // The legend keeps its one entry for them all.
    assert_eq!(svg.matches(super::RUNNING_LABEL).count(), 1);
}

#[test]
fn issue_a_curve_the_axis_cuts_into_pieces_has_one_tooltip() {
    // Pruned trial 9 dips far below the top trials' axis at epoch 4 and comes back: two
    // pieces on the chart, one link and one tooltip.
    let mut pruned = line(9, Emphasis::Dimmed, 0.90, 8);
    pruned.points[3].1 = 0.05;
    let svg = overlay(&[pruned]);
    let marks = svg.split("href=\"/t/9\"").count() - 1;
    let titles = svg.matches("<title>trial 9").count();
    let pieces = svg
        .split("href=\"/t/9\"")
        .nth(1)
        .and_then(|m| m.split("</a>").next())
        .map_or(0, |m| m.matches("<polyline").count());
    assert_eq!((marks, titles, pieces), (1, 1, 2), "{svg}");
}
