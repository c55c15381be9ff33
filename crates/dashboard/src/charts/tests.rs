//! Chart functions checked on their SVG output: element counts, labels, escaping, empty states.

use experiment::{Direction, TrialState};

use super::*;

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

/// Returns what a chart draws, without the marks over it.
pub(super) fn drawn(svg: &str) -> &str {
    svg.split("<g class=\"marks\">").next().unwrap_or_default()
}

/// Returns the chart's label (its `aria-label`).
pub(super) fn label(svg: &str) -> String {
    svg.split("aria-label=\"")
        .nth(1)
        .and_then(|l| l.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// Returns the tooltips of a chart's marks, in the order drawn.
pub(super) fn tooltips(svg: &str) -> Vec<String> {
    svg.split("<title>")
        .skip(1)
        .filter_map(|t| t.split("</title>").next())
        .map(str::to_string)
        .collect()
}

/// Returns slice-plot points of trials `first`, `first + 1`, ... at these (value, objective).
fn slice_points(first: u32, at: &[(f64, f64)]) -> Vec<SlicePoint> {
    (first..)
        .zip(at)
        .map(|(trial, &at)| SlicePoint { trial, at })
        .collect()
}

fn history_points(n: u32) -> Vec<HistoryPoint> {
    (0..n)
        .map(|i| HistoryPoint {
            trial: i,
            value: f64::from(i % 97) / 100.0,
            state: if i % 5 == 0 {
                TrialState::Pruned
            } else {
                TrialState::Completed
            },
            feasible: true,
        })
        .collect()
}

#[test]
fn history_draws_points_best_line_axis_titles_and_legend() {
    let svg = history(
        &history_points(40),
        "val_accuracy",
        Direction::Maximize,
        None,
        Task::Classification,
        "/t/",
    );
    assert!(
        svg.starts_with("<svg class=\"chart\" role=\"img\""),
        "{}",
        &svg[..80]
    );
    let (drawn, marks) = svg.split_once("<g class=\"marks\">").unwrap_or((&svg, ""));
    assert_eq!(
        count(drawn, "<circle"),
        40 + 2,
        "40 trials and two legend markers"
    );
    assert_eq!(count(marks, "<circle "), 40, "a mark per trial");
    assert!(svg.contains("trial number"));
    assert!(svg.contains("val_accuracy (fraction)"));
    assert!(svg.contains("best so far (max)") && svg.contains("pruned trial"));
    assert!(count(&svg, "<polyline") >= 1);
    assert!(
        !svg.contains(" trials\n<"),
        "every trial drawn: no sample to speak of"
    );
}

/// Returns the chart's links that assistive technology is shown: those outside its hidden
/// layers (`aria-hidden="true"` up to the layer's end), and how many are inside.
fn links_shown_and_hidden(svg: &str) -> (usize, usize) {
    let (mut shown, mut hidden) = (0, 0);
    let mut rest = svg;
    while let Some(at) = rest.find("<g aria-hidden=\"true\">") {
        shown += count(&rest[..at], "<a ");
        let layer = &rest[at..];
        let end = layer.find("</g></g>").unwrap_or(layer.len());
        hidden += count(&layer[..end], "<a ");
        rest = &layer[end..];
    }
    (shown + count(rest, "<a "), hidden)
}

#[test]
fn issue_a11y_marks_are_for_the_mouse_alone_and_the_label_speaks_for_the_chart() {
    // A chart's marks link its trials for the mouse; a screen reader's list of links and the
    // keyboard's Tab skip them (the quickstart's charts drew 112 of its page's 141 links),
    // taking the chart's label instead, and the leaderboard's links to the trials.
    let history = history(
        &history_points(40),
        "val_accuracy",
        Direction::Maximize,
        None,
        Task::Classification,
        "/t/",
    );
    let spans: Vec<Span> = (0..5)
        .map(|trial| Span {
            trial,
            start: f64::from(trial),
            end: f64::from(trial) + 1.5,
            ending: Ending::Completed,
        })
        .collect();
    let timeline = timeline(&spans, &[], "/t/");
    for (svg, marked) in [(history, 40), (timeline, 5)] {
        assert_eq!(links_shown_and_hidden(&svg), (0, marked), "{svg}");
        assert_eq!(
            count(&svg, "tabindex=\"-1\""),
            marked,
            "no mark is a tab stop"
        );
        assert_eq!(
            mark_hrefs(&svg).len(),
            marked,
            "each mark still links its trial"
        );
        let root = svg.split('>').next().unwrap_or_default();
        assert!(
            root.contains("role=\"img\" aria-label=\"") && !root.contains("aria-hidden"),
            "the chart itself is one image with a label: {root}"
        );
    }
}

/// Returns each mark's `(href, centre, tooltip)`, in the order drawn.
pub(super) fn marks(svg: &str) -> Vec<(String, (String, String), String)> {
    let Some((_, marks)) = svg.split_once("<g class=\"marks\">") else {
        return Vec::new();
    };
    let attr = |s: &str, name: &str| -> String {
        let from = s.find(&format!(" {name}=\"")).map(|i| i + name.len() + 3);
        from.and_then(|i| Some(s[i..i + s[i..].find('"')?].to_string()))
            .unwrap_or_default()
    };
    marks
        .split("<a ")
        .skip(1)
        .map(|m| format!(" {m}"))
        .map(|m| {
            let m = m.as_str();
            let title = m
                .split("<title>")
                .nth(1)
                .and_then(|t| t.split("</title>").next());
            (
                attr(m, "href"),
                (attr(m, "cx"), attr(m, "cy")),
                title.unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn history_marks_each_trial_where_it_is_drawn_with_its_value_and_page() {
    let mut points = history_points(6);
    points[3].feasible = false;
    let svg = history(
        &points,
        "val_accuracy",
        Direction::Maximize,
        None,
        Task::Classification,
        "/experiments/a%20%3Cb%3E/trials/",
    );
    let marks = marks(&svg);
    assert_eq!(marks.len(), 6, "{svg}");
    let drawn = svg.split("<g class=\"marks\">").next().unwrap_or_default();
    for (href, (cx, cy), title) in &marks {
        let trial = href.trim_start_matches("/experiments/a%20%3Cb%3E/trials/");
        assert!(
            title.starts_with(&format!("trial {trial}: val_accuracy ")),
            "{title}"
        );
        // A dot, a ring or a cross of the chart is centred where the mark is.
        let centre = format!("cx=\"{cx}\" cy=\"{cy}\"");
        let cross = format!("M{} {}", cx.parse::<i32>().unwrap_or(0) - 3, cy);
        assert!(
            drawn.contains(&centre) || drawn.contains(&cross) || drawn.contains(cy.as_str()),
            "trial {trial} is not drawn at {cx},{cy}"
        );
    }
    let title = |trial: &str| {
        marks
            .iter()
            .find(|m| m.0.ends_with(&format!("/{trial}")))
            .map(|m| m.2.clone())
            .unwrap_or_default()
    };
    assert_eq!(title("0"), "trial 0: val_accuracy 0.0000 (pruned)");
    assert_eq!(
        title("3"),
        "trial 3: val_accuracy 0.0300 (breaks a constraint)"
    );
    assert_eq!(title("4"), "trial 4: val_accuracy 0.0400");
}

#[test]
fn history_draws_a_target_as_a_dashed_line_within_the_axis() {
    let plain = history(
        &history_points(40),
        "val_accuracy",
        Direction::Maximize,
        None,
        Task::Classification,
        "/t/",
    );
    assert!(!plain.contains("target"));
    // A target above every value still fits on the chart.
    let svg = history(
        &history_points(40),
        "val_accuracy",
        Direction::Maximize,
        Some(1.5),
        Task::Classification,
        "/t/",
    );
    assert!(svg.contains("target (≥ 1.5)"), "{svg}");
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split('>').nth(1)?.split('<').next())
        .map(str::trim)
        .collect();
    assert!(
        texts.contains(&"1.5"),
        "the axis reaches the target: {texts:?}"
    );
    assert!(
        count(&svg, "<polyline") + count(&svg, "<line")
            > count(&plain, "<polyline") + count(&plain, "<line"),
        "the dashes are drawn"
    );
}

#[test]
fn the_timeline_draws_a_bar_per_trial_and_a_legend_of_the_endings_it_has() {
    let span = |trial: u32, start: f64, end: f64, ending: Ending| Span {
        trial,
        start,
        end,
        ending,
    };
    let spans = [
        span(0, 0.0, 30.0, Ending::Completed),
        span(1, 0.0, 12.0, Ending::Pruned),
        span(2, 12.5, 200.0, Ending::Completed),
        span(3, 31.0, 31.0, Ending::Unknown),
    ];
    let svg = timeline(&spans, &[], "/t/");
    let empty = timeline(&[], &[], "/t/");
    assert!(empty.contains("data-empty") && empty.contains("no trial has started yet"));
    // A completed bar, and its legend entry's, are one rect each; a pruned one is hollow, a
    // white rect inside a grey outline (its legend entry too); each bar has its mark.
    let background = count(&timeline(&spans[..1], &[], "/t/"), "<rect") - 3;
    assert_eq!(
        count(&svg, "<rect"),
        background + (4 + 1) + (3 + 1) + 4,
        "a bar and a mark each, and a legend entry per ending"
    );
    // Trial 3 has no known end: its bar is still seen.
    let widths: Vec<f64> = svg
        .split("<rect")
        .skip(1)
        .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    assert!(widths.iter().all(|&w| w > 0.0), "{widths:?}");
    assert!(
        svg.contains("time since the first trial started (min)"),
        "200 s read in minutes"
    );
    assert!(svg.contains("trial number"));
    for label in ["completed", "pruned", "end unknown"] {
        assert!(
            svg.contains(&format!(">\n{label}\n<")) || svg.contains(&format!(">{label}<")),
            "{label}"
        );
    }
    assert!(!svg.contains("failed"), "no failed trial, no legend entry");
}

/// Returns the elements `svg` draws (its marks left out), each with its leftmost x and with
/// every colour written `#000000`: what a reader who does not see colour sees of it.
fn shapes_without_colour(svg: &str) -> Vec<(f64, String)> {
    let attr = |el: &str, name: &str| -> Option<f64> {
        el.split(&format!(" {name}=\""))
            .nth(1)?
            .split(['"', ','])
            .next()?
            .parse()
            .ok()
    };
    drawn(svg)
        .split('<')
        .map(str::trim)
        .filter(|el| !el.is_empty() && !el.starts_with('/'))
        .filter_map(|el| {
            let x = ["x", "x1", "cx", "points"]
                .iter()
                .find_map(|name| attr(el, name))?;
            let mut plain = String::with_capacity(el.len());
            let mut rest = el;
            while let Some(at) = rest.find('#') {
                plain.push_str(&rest[..at]);
                let hex = rest[at + 1..]
                    .chars()
                    .take_while(char::is_ascii_hexdigit)
                    .count();
                plain.push_str(if hex == 6 { "#000000" } else { "#" });
                rest = &rest[at + 1 + if hex == 6 { 6 } else { 0 }..];
            }
            plain.push_str(rest);
            Some((x, plain))
        })
        .collect()
}

#[test]
fn issue_a11y_2_the_timeline_tells_endings_apart_by_shape_in_colours_that_show_on_white() {
    let endings = [
        Ending::Completed,
        Ending::Pruned,
        Ending::Failed,
        Ending::Open,
        Ending::Interrupted,
        Ending::Unknown,
    ];
    // Five trials that all ended alike, in the same places, for each ending.
    let chart = |ending: Ending| {
        let spans: Vec<Span> = (0..5)
            .map(|trial| Span {
                trial,
                start: f64::from(trial),
                end: f64::from(trial) + 20.0,
                ending,
            })
            .collect();
        timeline(&spans, &[], "/t/")
    };
    let charts: Vec<String> = endings.iter().map(|&e| chart(e)).collect();
    // Without its colours, each ending's bars differ from every other's, and so do their
    // legend entries (the plot is left of x = 1150, the legend right of it).
    let plot_edge = 1150.0;
    // The legend's labels are left out: they differ whatever the markers are.
    let part = |svg: &str, legend: bool| -> Vec<String> {
        shapes_without_colour(svg)
            .into_iter()
            .filter(|(x, el)| (*x >= plot_edge) == legend && !(legend && el.starts_with("text")))
            .map(|(_, el)| el)
            .collect()
    };
    for legend in [false, true] {
        for (i, a) in charts.iter().enumerate() {
            for (j, b) in charts.iter().enumerate().skip(i + 1) {
                assert!(
                    part(a, legend) != part(b, legend),
                    "{:?} and {:?} differ only by colour (legend: {legend}): {a}",
                    endings[i],
                    endings[j]
                );
            }
        }
    }
    // Every colour a bar or mark is drawn in shows on white (3:1, WCAG 1.4.11), opaque.
    for (svg, ending) in charts.iter().zip(endings) {
        let plot = drawn(svg);
        assert!(!plot.contains("opacity=\"0."), "{ending:?}: {plot}");
        let colours: std::collections::BTreeSet<&str> = plot
            .split("=\"#")
            .skip(1)
            .filter_map(|c| c.get(..6))
            .collect();
        for hex in colours {
            let channel = |k: usize| u8::from_str_radix(&hex[k..k + 2], 16).unwrap_or(255);
            let c = RGBColor(channel(0), channel(2), channel(4));
            if c == WHITE || c == GRID || c == TEXT || c == BLACK {
                continue;
            }
            assert!(
                contrast_on_white(c) >= 3.0,
                "{ending:?}: #{hex} is {:.2}:1 on white",
                contrast_on_white(c)
            );
        }
    }
    // The label counts the endings, in words.
    let mixed: Vec<Span> = endings
        .iter()
        .zip(0..)
        .map(|(&ending, trial)| Span {
            trial,
            start: 0.0,
            end: 5.0,
            ending,
        })
        .collect();
    assert!(
        timeline(&mixed, &[], "/t/").contains(
            "aria-label=\"timeline of 6 trials: 1 completed, 1 pruned, 1 failed, 1 running, \
             1 interrupted, 1 end unknown\""
        ),
        "{}",
        timeline(&mixed, &[], "/t/")
    );
    // Rows too thin for the marks: the legend says what tells the bars apart then.
    let many: Vec<Span> = (0..200)
        .map(|trial| Span {
            trial,
            start: f64::from(trial),
            end: f64::from(trial) + 20.0,
            ending: endings[(trial % 6) as usize],
        })
        .collect();
    let svg = timeline(&many, &[], "/t/");
    assert!(svg.contains("too many trials for"), "{svg}");
    assert!(!chart(Ending::Failed).contains("too many trials for"));
}

#[test]
fn history_labels_trial_numbers_when_there_are_few_trials() {
    // With trials 0 and 1 the axis spans -0.5..1.5 and its ticks fall at steps of 0.2, where
    // 0.2 * 5 is not exactly 1.
    let points: Vec<HistoryPoint> = [0.5, 0.6]
        .iter()
        .zip(0..)
        .map(|(&value, trial)| HistoryPoint {
            trial,
            value,
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
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split_once("</text>"))
        .map(|(text, _)| text.trim())
        .collect();
    for label in ["0", "1"] {
        assert_eq!(
            texts.iter().filter(|t| **t == label).count(),
            1,
            "{label}: {texts:?}"
        );
    }
    assert!(!texts.contains(&"-0"), "{texts:?}");
}

#[test]
fn history_downsamples_ten_thousand_trials() {
    let svg = history(
        &history_points(10_000),
        "val_loss",
        Direction::Minimize,
        None,
        Task::Classification,
        "/t/",
    );
    let drawn = svg.split("<g class=\"marks\">").next().unwrap_or_default();
    let circles = count(drawn, "<circle");
    assert!((1000..=2800).contains(&circles), "{circles} circles");
    assert_eq!(marks(&svg).len(), circles - 2, "a mark per trial drawn");
    assert!(
        svg.contains(&format!(">\n{} of 10000 trials\n<", circles - 2)),
        "the chart says it draws a sample"
    );
    assert!(svg.len() < 600_000, "{} bytes", svg.len());
}

#[test]
fn empty_states_say_why() {
    let svg = history(
        &[],
        "val_accuracy",
        Direction::Maximize,
        None,
        Task::Classification,
        "/t/",
    );
    assert!(svg.contains("data-empty=\"true\"") && svg.contains("no completed trials"));
    let only_failed = [HistoryPoint {
        trial: 0,
        value: f64::NAN,
        state: TrialState::Failed,
        feasible: false,
    }];
    assert!(history(
        &only_failed,
        "x",
        Direction::Minimize,
        None,
        Task::Classification,
        "/t/"
    )
    .contains("no completed trials"));
    let svg = curves(
        &[],
        (600, 300),
        ("epoch", "val_loss"),
        Some(Direction::Minimize),
        "pruned",
        "no curves yet",
    );
    assert!(svg.contains("no curves yet"));
    assert!(importance(&[], "needs 10 finished trials").contains("needs 10 finished trials"));
    assert!(slices(&[], "val_loss", Task::Classification, "/t/").contains("no completed trials"));
    assert!(parallel(&[], &[], 900, ("best", "worst"), "/t/").contains("no completed trials"));
}

#[test]
fn curves_colour_top_trials_and_dim_pruned_ones() {
    let line = |label: &str, emphasis, offset: f64| Curve {
        label: label.to_string(),
        points: (1..=100)
            .map(|s| (f64::from(s), offset + 1.0 / f64::from(s)))
            .collect(),
        emphasis,
        best: None,
        href: None,
        note: String::new(),
    };
    let svg = curves(
        &[
            line("trial 3", Emphasis::Colour(0), 0.0),
            line("trial 9", Emphasis::Colour(1), 0.1),
            line("trial 4", Emphasis::Dimmed, 0.3),
        ],
        (800, 320),
        ("epoch", "val_loss (cross-entropy)"),
        Some(Direction::Minimize),
        "pruned trials",
        "none",
    );
    assert!(svg.contains("trial 3") && svg.contains("trial 9") && svg.contains("pruned trials"));
    assert!(
        svg.contains("#0072B2") && svg.contains("#C88200"),
        "palette colours"
    );
    assert!(svg.contains("#969696"), "dimmed grey");
}

#[test]
fn curves_fit_the_axis_to_the_top_trials_and_let_pruned_ones_leave_it() {
    let line = |label: &str, emphasis, from: f64, to: f64, epochs: u32| Curve {
        label: label.to_string(),
        points: (1..=epochs)
            .map(|s| {
                let t = f64::from(s - 1) / f64::from(epochs.max(2) - 1);
                (f64::from(s), from + (to - from) * t)
            })
            .collect(),
        emphasis,
        best: None,
        href: None,
        note: String::new(),
    };
    let top = [
        line("trial 3", Emphasis::Colour(0), 0.95, 0.99, 30),
        line("trial 9", Emphasis::Colour(1), 0.96, 0.98, 30),
    ];
    let texts = |svg: &str| -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                Some(
                    t.split_once('>')?
                        .1
                        .split_once("</text>")?
                        .0
                        .trim()
                        .to_string(),
                )
            })
            .collect()
    };
    // Pruned trials stopped at epoch 2 far below: the axis stays on the top trials' values.
    let mut with_pruned = top.to_vec();
    with_pruned.push(line("trial 4", Emphasis::Dimmed, 0.10, 0.20, 2));
    with_pruned.push(line("trial 5", Emphasis::Dimmed, 0.90, 0.97, 2));
    let svg = curves(
        &with_pruned,
        (800, 320),
        ("epoch", "y"),
        Some(Direction::Minimize),
        "pruned trials",
        "none",
    );
    let labels = texts(&svg);
    assert!(labels.iter().any(|t| t == "0.97"), "{labels:?}");
    assert!(
        !labels.iter().any(|t| t == "0.2" || t == "0.5"),
        "{labels:?}"
    );
    // The grey curve inside the axis is drawn (cut at its edge); the one below is not.
    let grey = |svg: &str| svg.matches("#969696").count();
    let below_only = curves(
        &[
            top[0].clone(),
            line("trial 4", Emphasis::Dimmed, 0.10, 0.20, 2),
        ],
        (800, 320),
        ("epoch", "y"),
        Some(Direction::Minimize),
        "pruned trials",
        "none",
    );
    assert_eq!(
        grey(&below_only),
        1,
        "the legend's entry only: {below_only}"
    );
    assert!(grey(&svg) > 1, "{svg}");
    // With only dimmed curves, they set the axis themselves.
    let svg = curves(
        &[line("trial 4", Emphasis::Dimmed, 0.10, 0.20, 2)],
        (800, 320),
        ("epoch", "y"),
        Some(Direction::Minimize),
        "pruned trials",
        "none",
    );
    assert!(texts(&svg).iter().any(|t| t == "0.16"), "{:?}", texts(&svg));
}

#[test]
fn curves_mark_the_best_epoch() {
    let line = |label: &str, colour: usize, best: Option<f64>| Curve {
        label: label.to_string(),
        points: (1..=40)
            .map(|s| (f64::from(s), 1.0 - 1.0 / f64::from(s)))
            .collect(),
        emphasis: Emphasis::Colour(colour),
        best,
        href: None,
        note: String::new(),
    };
    // The best epoch is the series' symbol filled (along the line its symbols are hollow).
    let dots = |svg: &str| count(svg, "fill=\"#0072B2\"") + count(svg, "fill=\"#C88200\"");
    let draw = |lines: &[Curve]| {
        curves(
            lines,
            (600, 300),
            ("epoch", "y"),
            Some(Direction::Minimize),
            "",
            "",
        )
    };
    // What is drawn, past the root tag and its label.
    let drawn = |svg: &str| {
        svg.split_once('>')
            .map_or(String::new(), |(_, d)| d.to_string())
    };
    // Alone: a dot on the curve and a labelled line down the chart; the circles along the
    // curve are small and filled too (hollow, they read as a running trial's ring), so the
    // best epoch's is the one of radius 6.
    let svg = draw(&[line("trial 3", 0, Some(25.0))]);
    assert_eq!(
        count(&svg, "r=\"6\" opacity=\"1\" fill=\"#0072B2\""),
        1,
        "{svg}"
    );
    let white = svg
        .split("<circle")
        .skip(1)
        .filter(|c| c.contains("#FFFFFF"))
        .count();
    assert_eq!(white, 0, "{svg}");
    assert!(drawn(&svg).contains("best epoch 25"), "{svg}");
    // Near the right edge the label sits on the line's left.
    let svg = draw(&[line("trial 3", 0, Some(39.0))]);
    let anchor_of = |svg: &str, label: &str| -> Option<String> {
        // The drawn label (the chart's own label, first, names the best epoch too).
        let at = svg.rfind(label)?;
        let tag = &svg[svg[..at].rfind("<text")?..at];
        Some(
            tag.split("text-anchor=\"")
                .nth(1)?
                .split('"')
                .next()?
                .to_string(),
        )
    };
    assert_eq!(
        anchor_of(&svg, "best epoch 39").as_deref(),
        Some("end"),
        "{svg}"
    );
    let left = draw(&[line("trial 3", 0, Some(25.0))]);
    assert_eq!(
        anchor_of(&left, "best epoch 25").as_deref(),
        Some("start"),
        "{left}"
    );
    // Several curves: a dot each, no line or label.
    let svg = draw(&[
        line("trial 3", 0, Some(25.0)),
        line("trial 9", 1, Some(12.0)),
    ]);
    assert_eq!(dots(&svg), 2, "{svg}");
    assert!(!drawn(&svg).contains("best epoch"), "{svg}");
    // Both named in the chart's label, for a screen reader.
    assert!(
        svg.contains("aria-label=\"y by epoch: trial 3: best epoch 25, 0.9600; trial 9: best epoch 12, 0.9167\""),
        "{svg}"
    );
    // A step the curve never recorded marks nothing (no dot of radius 6).
    let svg = draw(&[line("trial 3", 0, Some(99.0))]);
    assert_eq!(count(&svg, "r=\"6\""), 0, "{svg}");
    assert!(!drawn(&svg).contains("best epoch"), "{svg}");
}

#[test]
fn issue_a11y_1_a_best_so_far_line_is_said_and_marked_where_it_reached_its_best() {
    // The best so far of two experiments by trial number, as the comparison of experiments
    // draws it: quickstart's best, 0.9526, came at trial 5 of 0..=7; its line steps up there
    // (from 0.93 to 0.9526) and runs flat to trial 7.
    let line = |label: &str, i: usize, completed: &[(u32, f64)], best: f64| Curve {
        label: label.to_string(),
        points: best_line(completed, Some(7), Direction::Maximize),
        emphasis: Emphasis::Colour(i),
        best: Some(best),
        href: None,
        note: String::new(),
    };
    let lines = [
        line(
            "quickstart",
            0,
            &[(0, 0.90), (3, 0.93), (5, 0.9526), (6, 0.94)],
            5.0,
        ),
        line("other", 1, &[(0, 0.91), (2, 0.92)], 2.0),
    ];
    let svg = curves(
        &lines,
        (800, 300),
        ("trial number", "best val_accuracy so far"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let label = svg
        .split("aria-label=\"")
        .nth(1)
        .and_then(|l| l.split('"').next())
        .unwrap_or_default();
    assert_eq!(
        label,
        "best val_accuracy so far by trial number: quickstart: best trial number 5, 0.9526; \
         other: best trial number 2, 0.9200"
    );
    // Each best is its symbol filled, on the value the line stepped up to: quickstart's
    // circle (palette 0) at the height of its last point, not of 0.93.
    let (drawn, _) = svg.split_once("<g class=\"marks\">").unwrap_or((&svg, ""));
    let filled: Vec<(f64, f64)> = drawn
        .split("<circle")
        .skip(1)
        .filter(|c| c.contains("fill=\"#0072B2\""))
        .filter_map(|c| {
            let attr = |name: &str| -> Option<f64> {
                c.split(&format!(" {name}=\""))
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse()
                    .ok()
            };
            Some((attr("cx")?, attr("cy")?))
        })
        .collect();
    assert_eq!(filled.len(), 1, "{drawn}");
    let end_y = drawn
        .split("<polyline")
        .find(|p| p.contains("stroke=\"#0072B2\""))
        .and_then(|p| p.split("points=\"").nth(1))
        .and_then(|p| p.split('"').next())
        .and_then(|p| p.split_whitespace().next_back())
        .and_then(|p| p.split(',').nth(1))
        .and_then(|y| y.parse::<f64>().ok());
    assert_eq!(Some(filled[0].1), end_y, "{drawn}");
}

#[test]
fn curves_with_a_page_are_named_when_pointed_at_and_link_to_it() {
    let line = |label: &str, emphasis, best: Option<f64>, href: Option<&str>| Curve {
        label: label.to_string(),
        points: (1..=40)
            .map(|s| (f64::from(s), 1.0 - 1.0 / f64::from(s)))
            .collect(),
        emphasis,
        best,
        href: href.map(str::to_string),
        note: String::new(),
    };
    let svg = curves(
        &[
            line("trial 3", Emphasis::Colour(0), Some(25.0), Some("/t/3")),
            line("trial 5", Emphasis::Dimmed, None, Some("/t/5")),
            line("trial 8", Emphasis::Colour(1), None, None),
        ],
        (600, 300),
        ("epoch", "y"),
        Some(Direction::Minimize),
        "pruned trials",
        "",
    );
    let marks = svg.split("<g class=\"marks\">").nth(1).unwrap_or_default();
    // The dimmed curve first, so that the coloured one is found where they cross; the curve
    // without a page has no mark.
    assert_eq!(mark_hrefs(&svg), ["/t/5", "/t/3"], "{marks}");
    assert!(
        marks.contains("<title>trial 3: best epoch 25, 0.9600</title>"),
        "{marks}"
    );
    assert!(
        marks.contains("<title>trial 5: 0.9750 at epoch 40</title>"),
        "{marks}"
    );
    // A mark follows its curve: as many points as the line drawn.
    let points = marks
        .split("points=\"")
        .nth(2)
        .and_then(|p| p.split('"').next())
        .map_or(0, |p| p.split(' ').count());
    assert!(points >= 30, "{points} points in {marks}");
}

#[test]
fn curves_are_downsampled_to_the_point_budget() {
    let long = Curve {
        label: "trial 0".into(),
        points: (0..50_000)
            .map(|s| (f64::from(s), f64::from(s).sin()))
            .collect(),
        emphasis: Emphasis::Colour(0),
        best: None,
        href: None,
        note: String::new(),
    };
    let svg = curves(
        &[long],
        (800, 300),
        ("step", "y"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let polyline = svg.split("<polyline").nth(1).unwrap_or_default();
    let points = polyline
        .split("points=\"")
        .nth(1)
        .unwrap_or_default()
        .split('"')
        .next()
        .unwrap_or_default();
    let n = points.split_whitespace().count();
    assert!(n <= curves::MAX_POINTS, "{n} points");
}

#[test]
fn parallel_coordinates_draw_axes_ticks_and_lines() {
    let axes = vec![
        ParAxis {
            title: "lr".into(),
            scale: Scale::Log {
                min: 1e-4,
                max: 1e-1,
            },
        },
        ParAxis {
            title: "optimizer".into(),
            scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
        },
        ParAxis {
            title: "val_accuracy".into(),
            scale: Scale::Linear { min: 0.5, max: 1.0 },
        },
    ];
    let lines: Vec<ParLine> = (0..20)
        .map(|i| ParLine {
            trial: i,
            value: Some(0.5 + f64::from(i) / 40.0),
            values: vec![
                Some(1e-3 * f64::from(i + 1)),
                Some(f64::from(i % 2)),
                Some(0.5 + f64::from(i) / 40.0),
            ],
            goodness: f64::from(i) / 19.0,
            pruned: false,
        })
        .collect();
    let svg = parallel(&axes, &lines, 900, ("best", "worst"), "/t/");
    for text in [
        "lr (log)",
        "optimizer",
        "val_accuracy",
        "sgd",
        "adam",
        "0.001",
        "0.01",
        "best",
        "worst",
    ] {
        assert!(
            svg.contains(&format!(">\n{text}\n<")) || svg.contains(&format!(">{text}<")),
            "missing {text}"
        );
    }
    assert!(count(&svg, "<polyline") >= 20 + 3);
    // A pruned trial is drawn first, behind the others, and faint even when its value ranks it
    // best.
    let mut with_pruned = lines.clone();
    with_pruned[19].pruned = true;
    let svg = parallel(&axes, &with_pruned, 900, ("best", "worst"), "/t/");
    // The trials' lines come before the axes.
    let opacities: Vec<f64> = svg
        .split("<polyline")
        .skip(1)
        .take(20)
        .filter_map(|p| {
            p.split("opacity=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(opacities.len(), 20, "{svg}");
    // First: the pruned one, in the best trial's colour (the worst's would be yellow-green).
    let first = svg.split("<polyline").nth(1).unwrap_or_default();
    assert!(first.contains("stroke=\"#440154\""), "{first}");
    // Twenty lines are few: the pruned one at 0.7 * 0.4 + 0.15, the others from 0.7 up.
    assert!((opacities[0] - 0.43).abs() < 1e-9, "{opacities:?}");
    assert!(opacities[1..].iter().all(|o| *o >= 0.7), "{opacities:?}");
    assert!(
        (opacities[19] - (0.7 + 0.15 * 18.0 / 19.0)).abs() < 1e-6,
        "{opacities:?}"
    );
}

/// Returns the `points` of each `<polyline>` in `svg`, trimmed.
fn polylines(svg: &str) -> Vec<String> {
    svg.split("<polyline")
        .skip(1)
        .filter_map(|p| p.split(" points=\"").nth(1)?.split('"').next())
        .map(|p| p.trim().to_string())
        .collect()
}

#[test]
fn parallel_coordinates_mark_each_trial_along_its_line_with_its_values_and_page() {
    let mut axes: Vec<ParAxis> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|name| ParAxis {
            title: (*name).into(),
            scale: Scale::Linear { min: 0.0, max: 1.0 },
        })
        .collect();
    axes.insert(
        0,
        ParAxis {
            title: "lr".into(),
            scale: Scale::Log {
                min: 1e-4,
                max: 1e-1,
            },
        },
    );
    axes.insert(
        1,
        ParAxis {
            title: "optimizer".into(),
            scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
        },
    );
    axes.push(ParAxis {
        title: "val_accuracy".into(),
        scale: Scale::Linear { min: 0.5, max: 1.0 },
    });
    let line = |trial: u32, lr: Option<f64>, value: f64, pruned: bool| {
        let mut values = vec![lr, Some(1.0)];
        values.extend([0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map(Some));
        values.push(Some(value));
        ParLine {
            trial,
            value: Some(value),
            values,
            goodness: value,
            pruned,
        }
    };
    let mut broken = line(9, Some(1e-2), 0.7, false);
    broken.values[4] = None;
    let lines = [
        line(12, Some(0.0012), 0.98046, false),
        line(4, None, 0.6, true),
        broken,
    ];
    let svg = parallel(&axes, &lines, 1300, ("best", "worst"), "/e/x%20y/trials/");
    let marks = marks(&svg);
    // Trial 9's line is bridged over its missing value: one mark along all of it.
    assert_eq!(
        mark_hrefs(&svg),
        [
            "/e/x%20y/trials/4",
            "/e/x%20y/trials/9",
            "/e/x%20y/trials/12"
        ],
        "pruned behind, the best on top: {svg}"
    );
    assert_eq!(
        marks[2].2,
        "trial 12: val_accuracy 0.9805; lr 0.0012, optimizer adam, a 0.1, b 0.2, c 0.3, d 0.4 \
         and 2 more"
    );
    assert_eq!(
        marks[0].2,
        "trial 4: val_accuracy 0.6000 (pruned); optimizer adam, a 0.1, b 0.2, c 0.3, d 0.4, e 0.5 \
         and 1 more"
    );
    // Each mark follows its trial's line, point for point: the solid runs drawn are its parts.
    let (drawn, over) = svg.split_once("<g class=\"marks\">").unwrap_or((&svg, ""));
    let lines_drawn = polylines(drawn);
    let marked = polylines(over);
    assert_eq!(marked.len(), 3, "{over}");
    for m in &marked {
        assert!(
            lines_drawn
                .iter()
                .any(|l| m.contains(l.as_str()) && l.contains(' ')),
            "{m} is not drawn in {svg}"
        );
    }
    assert!(lines_drawn.contains(&marked[0]) && lines_drawn.contains(&marked[2]));
    // A mark is no tab stop.
    assert_eq!(count(over, "tabindex=\"-1\""), 3);
}

#[test]
fn issue_parallel_absent_parameter_keeps_the_values_beside_it() {
    // Trial 3 lacks `dropout` and `l2` (conditional parameters): its `hidden` sits alone
    // between two gaps, and is drawn nonetheless, as a dot with dashed bridges to `lr` and to
    // its value, which a line also reaches.
    let linear = |title: &str| ParAxis {
        title: title.into(),
        scale: Scale::Linear { min: 0.0, max: 1.0 },
    };
    let axes = [
        linear("dropout"),
        linear("hidden"),
        linear("l2"),
        linear("lr"),
        linear("val_loss"),
    ];
    let lone = ParLine {
        trial: 3,
        value: Some(0.25),
        values: vec![None, Some(0.5), None, Some(0.75), Some(0.25)],
        goodness: 1.0,
        pruned: false,
    };
    let svg = parallel(&axes, &[lone], 900, ("best", "worst"), "/t/");
    let (drawn, over) = svg.split_once("<g class=\"marks\">").unwrap_or((&svg, ""));
    let (x_hidden, x_lr) = (80 + 172, 80 + 3 * 172);
    let (y_half, y_three_quarters) = (400 - 24 - 160, 400 - 24 - 240);
    // `hidden` is a dot at its axis crossing.
    assert!(
        drawn.contains(&format!(
            "<circle cx=\"{x_hidden}\" cy=\"{y_half}\" r=\"2\""
        )),
        "{drawn}"
    );
    // The bridge over `l2` is one dashed line from `hidden`'s value to `lr`'s.
    let bridge = format!("{x_hidden},{y_half} {x_lr},{y_three_quarters}");
    let dashed = drawn
        .split("<polyline")
        .find(|p| p.contains(&bridge))
        .unwrap_or_default();
    assert!(dashed.contains("stroke-dasharray=\"4 3\""), "{drawn}");
    // `lr` and the value are joined by a solid line.
    let solid = format!(
        "{x_lr},{y_three_quarters} {},{}",
        80 + 4 * 172,
        400 - 24 - 80
    );
    let pieces = polylines(drawn);
    assert!(pieces.contains(&solid), "{pieces:?}");
    assert_eq!(count(drawn, "stroke-dasharray"), 1, "{drawn}");
    // One mark follows the whole line, `hidden` to the value.
    assert_eq!(
        polylines(over),
        [format!(
            "{x_hidden},{y_half} {x_lr},{y_three_quarters} {},{}",
            80 + 4 * 172,
            400 - 24 - 80
        )]
    );
}

#[test]
fn importance_sorts_bars_and_labels_the_method() {
    let svg = importance(&[("dropout".into(), 0.1), ("lr".into(), 0.9)], "");
    let lr = svg.find("lr\n").unwrap_or(usize::MAX);
    let dropout = svg.find("dropout\n").unwrap_or(0);
    assert!(lr < dropout, "most important first");
    assert!(svg.contains("90%") && svg.contains("PED-ANOVA"));
    // The shares in words, for a screen reader, in the chart's label.
    assert!(
        svg.contains(
            "aria-label=\"parameter importance: lr 90%, dropout 10% \
             (top 10% of trials, at least 5)\""
        ),
        "{svg}"
    );
}

#[test]
fn slices_use_log_and_category_axes() {
    let panels = vec![
        Slice {
            name: "lr".into(),
            scale: Scale::Log {
                min: 1e-4,
                max: 1e-1,
            },
            points: slice_points(0, &[(1e-3, 0.9), (1e-2, 0.8)]),
            pruned: Vec::new(),
        },
        Slice {
            name: "optimizer".into(),
            scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
            points: slice_points(0, &[(0.0, 0.7), (1.0, 0.95)]),
            pruned: Vec::new(),
        },
    ];
    let svg = slices(&panels, "val_accuracy", Task::Classification, "/t/");
    assert!(svg.contains("lr (log scale)") && svg.contains("sgd") && svg.contains("adam"));
    assert_eq!(count(drawn(&svg), "<circle"), 4);
    // A log axis over decades is labelled at whole powers of ten only.
    assert!(
        svg.contains(">\n0.001\n<") && svg.contains(">\n0.01\n<"),
        "{svg}"
    );
    assert!(!svg.contains("0.003162"), "{svg}");
}

#[test]
fn an_integer_parameters_axes_name_whole_numbers_only() {
    // `depth: int_uniform 1..3` and `hidden` 32..48: plain steps of 0.5 and 5 would read 1.5
    // and 2.5, which no trial can have; 35, 40 and 45 stay.
    let depth = Scale::Whole { min: 1.0, max: 3.0 };
    let texts = |scale: &Scale| -> Vec<String> {
        scale::ticks(scale).into_iter().map(|(_, t)| t).collect()
    };
    assert_eq!(texts(&depth), ["1", "2", "3"]);
    assert_eq!(
        texts(&Scale::Linear { min: 1.0, max: 3.0 }),
        ["1", "1.5", "2", "2.5", "3"]
    );
    assert_eq!(
        texts(&Scale::Whole {
            min: 32.0,
            max: 48.0
        }),
        ["35", "40", "45"]
    );
    assert_eq!(texts(&Scale::Whole { min: 1.0, max: 2.0 }), ["1", "2"]);
    assert_eq!(
        texts(&Scale::Whole {
            min: 0.0,
            max: 30.0
        })
        .len(),
        4
    );
    let axes = [
        ParAxis {
            title: "depth".into(),
            scale: depth.clone(),
        },
        ParAxis {
            title: "val_accuracy".into(),
            scale: Scale::Linear { min: 0.5, max: 0.9 },
        },
    ];
    let lines: Vec<ParLine> = [(1.0, 0.5), (3.0, 0.9)]
        .iter()
        .enumerate()
        .map(|(i, &(d, v))| ParLine {
            trial: u32::try_from(i).unwrap_or(0),
            value: Some(v),
            values: vec![Some(d), Some(v)],
            goodness: v,
            pruned: false,
        })
        .collect();
    let svg = parallel(&axes, &lines, 700, ("best", "worst"), "/t/");
    assert!(
        svg.contains(">\n2\n<") && !svg.contains(">\n1.5\n<"),
        "{svg}"
    );
    // The slice plot's axis, ticked by plotters, names whole numbers too.
    let panel = Slice {
        name: "depth".into(),
        scale: depth,
        points: slice_points(0, &[(1.0, 0.5), (2.0, 0.7), (3.0, 0.9)]),
        pruned: Vec::new(),
    };
    let svg = slices(&[panel], "val_accuracy", Task::Classification, "/t/");
    assert!(
        svg.contains(">\n2\n<") && !svg.contains(">\n1.5\n<"),
        "{svg}"
    );
}

/// Returns the hollow grey triangles a chart draws (`axis::edge_mark` of a pruned trial past
/// its axis), each as the pixel in the middle of its base.
pub(super) fn hollow_triangles(svg: &str) -> Vec<(f64, f64)> {
    drawn(svg)
        .split("<polyline")
        .skip(1)
        .filter(|p| p.contains("stroke=\"#969696\""))
        .filter_map(|p| {
            let points = p.split(" points=\"").nth(1)?.split('"').next()?;
            let corners: Vec<(f64, f64)> = points
                .split_whitespace()
                .filter_map(|xy| {
                    let (x, y) = xy.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            // A closed triangle: tip, two base corners, tip again.
            match corners.as_slice() {
                [tip, (x0, y0), (x1, y1), last] if tip == last && y0 == y1 => {
                    Some(((x0 + x1) / 2.0, *y0))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn slices_fit_the_axis_to_finished_trials_and_ring_pruned_ones() {
    let panel = |pruned: &[(f64, f64)]| Slice {
        name: "hidden".into(),
        scale: Scale::Linear {
            min: 10.0,
            max: 50.0,
        },
        points: slice_points(0, &[(15.0, 0.95), (30.0, 0.97), (40.0, 0.99)]),
        pruned: slice_points(3, pruned),
    };
    let circles = |svg: &str| -> Vec<(String, f64)> {
        drawn(svg)
            .split("<circle")
            .skip(1)
            .map(|c| {
                let attr = |name: &str| {
                    c.split(&format!(" {name}=\""))
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .unwrap_or_default()
                        .to_string()
                };
                (attr("stroke"), attr("cy").parse().unwrap_or(f64::NAN))
            })
            .collect()
    };
    let alone = slices(&[panel(&[])], "val_accuracy", Task::Classification, "/t/");
    // Stopped at epoch 2 far below, and one among the finished trials.
    let svg = slices(
        &[panel(&[(20.0, 0.10), (45.0, 0.96)])],
        "val_accuracy",
        Task::Classification,
        "/t/",
    );
    assert!(
        !svg.contains(">\n0.2\n<") && svg.contains(">\n0.97\n<"),
        "{svg}"
    );
    let (rings, dots): (Vec<_>, Vec<_>) = circles(&svg)
        .into_iter()
        .partition(|(stroke, _)| stroke == "#969696");
    assert_eq!((rings.len(), dots.len()), (1, 3), "{svg}");
    // The axis is the finished trials' alone, and the pruned trial below it is a hollow grey
    // triangle on its lower edge (as the history marks one), under every dot; the ring lies
    // among them.
    let lowest = |cs: &[(String, f64)]| cs.iter().map(|c| c.1).fold(f64::MIN, f64::max);
    assert_eq!(
        circles(&alone).iter().map(|c| c.1).collect::<Vec<_>>(),
        dots.iter().map(|c| c.1).collect::<Vec<_>>()
    );
    let edge: Vec<f64> = hollow_triangles(&svg).iter().map(|t| t.1).collect();
    assert_eq!(edge.len(), 1, "{svg}");
    assert!(
        edge[0] > lowest(&dots) && edge[0] < 280.0,
        "{edge:?} {dots:?}"
    );
    assert!(rings[0].1 < lowest(&dots), "{rings:?} {dots:?}");
    // With no finished trial, the pruned ones set the axis.
    let only = Slice {
        points: Vec::new(),
        ..panel(&[(20.0, 0.10), (45.0, 0.16)])
    };
    assert!(slices(&[only], "val_accuracy", Task::Classification, "/t/").contains(">\n0.12\n<"));
}

#[test]
fn slices_mark_each_dot_with_its_trial_value_and_page() {
    let panels = [
        Slice {
            name: "hidden".into(),
            scale: Scale::Linear {
                min: 10.0,
                max: 50.0,
            },
            points: slice_points(0, &[(16.0, 0.95), (32.0, 0.98046)]),
            // Far below the finished trials: drawn on the axis's lower edge.
            pruned: slice_points(2, &[(24.0, 0.1)]),
        },
        Slice {
            name: "optimizer".into(),
            scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
            points: slice_points(0, &[(0.0, 0.95), (1.0, 0.98046)]),
            pruned: slice_points(2, &[(1.0, 0.1)]),
        },
    ];
    let svg = slices(&panels, "val_accuracy", Task::Classification, "/t/");
    let marks = marks(&svg);
    let titles: Vec<(&str, &str)> = marks
        .iter()
        .map(|(href, _, title)| (href.as_str(), title.as_str()))
        .collect();
    assert_eq!(
        titles,
        [
            (
                "/t/2",
                "trial 2: val_accuracy 0.1000 (pruned), below the axis; hidden 24"
            ),
            ("/t/0", "trial 0: val_accuracy 0.9500; hidden 16"),
            ("/t/1", "trial 1: val_accuracy 0.9805; hidden 32"),
            (
                "/t/2",
                "trial 2: val_accuracy 0.1000 (pruned), below the axis; optimizer adam"
            ),
            ("/t/0", "trial 0: val_accuracy 0.9500; optimizer sgd"),
            ("/t/1", "trial 1: val_accuracy 0.9805; optimizer adam"),
        ],
        "{svg}"
    );
    // Each mark is centred on a dot or ring of the chart, or on the base of the triangle of a
    // trial past the axis.
    let drawn = drawn(&svg);
    for (href, (cx, cy), _) in &marks {
        let x: i32 = cx.parse().unwrap_or(i32::MIN);
        let base = format!("{},{cy} {},{cy}", x - 4, x + 4);
        assert!(
            drawn.contains(&format!("cx=\"{cx}\" cy=\"{cy}\"")) || drawn.contains(&base),
            "{href} is not drawn at {cx},{cy}: {svg}"
        );
    }
}

#[test]
fn a_category_axis_is_labelled_inside_its_own_panel_in_any_row() {
    // Five panels, three a row: the categorical one is second in the second row, whose panel
    // spans x 430..860 and y 280..560.
    let linear = |name: &str| Slice {
        name: name.into(),
        scale: Scale::Linear { min: 0.0, max: 1.0 },
        points: slice_points(0, &[(0.5, 0.9)]),
        pruned: Vec::new(),
    };
    let mut panels: Vec<Slice> = ["a", "b", "c", "d"].iter().map(|n| linear(n)).collect();
    panels.push(Slice {
        name: "optimizer".into(),
        scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
        points: slice_points(0, &[(0.0, 0.7), (1.0, 0.95)]),
        pruned: Vec::new(),
    });
    let svg = slices(&panels, "val_accuracy", Task::Classification, "/t/");
    let place = |label: &str| -> Option<(f64, f64)> {
        let at = svg.find(&format!(">\n{label}\n<"))?;
        let tag = &svg[svg[..at].rfind("<text")?..at];
        let attr = |name: &str| -> Option<f64> {
            let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            tag[from..].split('"').next()?.parse().ok()
        };
        Some((attr("x")?, attr("y")?))
    };
    for label in ["sgd", "adam"] {
        let (x, y) = place(label).unwrap_or_else(|| panic!("no {label} in {svg}"));
        assert!(
            (430.0..860.0).contains(&x) && (280.0..560.0).contains(&y),
            "{label} at {x}, {y}"
        );
    }
}

#[test]
fn pairs_draw_a_panel_per_pair_and_a_dot_per_trial_with_both_values() {
    let axes = vec![
        ParAxis {
            title: "lr".into(),
            scale: Scale::Log {
                min: 1e-4,
                max: 1e-1,
            },
        },
        ParAxis {
            title: "optimizer".into(),
            scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
        },
        ParAxis {
            title: "dropout".into(),
            scale: Scale::Linear { min: 0.0, max: 0.5 },
        },
    ];
    let point = |lr: f64, opt: f64, dropout: Option<f64>, goodness: f64| ParLine {
        trial: 0,
        value: Some(goodness),
        values: vec![Some(lr), Some(opt), dropout],
        goodness,
        pruned: goodness == 0.0,
    };
    let points = [
        point(1e-3, 0.0, Some(0.1), 1.0),
        point(3e-2, 1.0, None, 0.5),
        point(2e-4, 1.0, Some(0.4), 0.0),
    ];
    let svg = pairs(
        &axes,
        &points,
        ("best 0.98", "worst 0.41"),
        ("val_accuracy", "/t/"),
    );
    // lr-optimizer: 3 dots; lr-dropout and optimizer-dropout: 2 each; the pruned trial's three
    // are rings.
    assert_eq!(count(drawn(&svg), "<circle"), 7, "{svg}");
    let rings = drawn(&svg)
        .split("<circle")
        .filter(|c| {
            c.split('>')
                .next()
                .is_some_and(|tag| tag.contains("fill=\"none\""))
        })
        .count();
    assert_eq!(rings, 3, "{svg}");
    for text in [
        "lr (log)",
        "optimizer",
        "dropout",
        "sgd",
        "adam",
        "0.001",
        "best 0.98",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // Two parameters make one pair; one makes none.
    let two = pairs(&axes[..2], &points, ("b", "w"), ("val_accuracy", "/t/"));
    assert_eq!(count(drawn(&two), "<circle"), 3);
    let alone = pairs(&axes[..1], &points, ("b", "w"), ("val_accuracy", "/t/"));
    assert!(alone.contains("needs two searched parameters"), "{alone}");
    let none = pairs(&axes, &[], ("b", "w"), ("val_accuracy", "/t/"));
    assert!(none.contains("no completed trials"), "{none}");
}

#[test]
fn pairs_mark_each_dot_with_its_trial_the_pair_and_page() {
    let axes = [
        ParAxis {
            title: "lr".into(),
            scale: Scale::Log {
                min: 1e-4,
                max: 1e-1,
            },
        },
        ParAxis {
            title: "optimizer".into(),
            scale: Scale::Categories(vec!["sgd".into(), "adam".into()]),
        },
        ParAxis {
            title: "dropout".into(),
            scale: Scale::Linear { min: 0.0, max: 0.5 },
        },
    ];
    let point = |trial: u32, values: Vec<Option<f64>>, value: f64, pruned: bool| ParLine {
        trial,
        value: Some(value),
        values,
        goodness: value,
        pruned,
    };
    let points = [
        point(
            12,
            vec![Some(0.0012), Some(1.0), Some(0.25)],
            0.98046,
            false,
        ),
        point(3, vec![Some(0.02), Some(0.0), None], 0.5, true),
    ];
    let svg = pairs(&axes, &points, ("b", "w"), ("val_accuracy", "/t/"));
    let marks = marks(&svg);
    let titles: Vec<(&str, &str)> = marks
        .iter()
        .map(|(href, _, title)| (href.as_str(), title.as_str()))
        .collect();
    // Panel by panel, the best on top; trial 3 has no dropout, so it is in one panel only.
    assert_eq!(
        titles,
        [
            (
                "/t/3",
                "trial 3: val_accuracy 0.5000 (pruned); lr 0.02, optimizer sgd"
            ),
            (
                "/t/12",
                "trial 12: val_accuracy 0.9805; lr 0.0012, optimizer adam"
            ),
            (
                "/t/12",
                "trial 12: val_accuracy 0.9805; lr 0.0012, dropout 0.25"
            ),
            (
                "/t/12",
                "trial 12: val_accuracy 0.9805; optimizer adam, dropout 0.25"
            ),
        ],
        "{svg}"
    );
    let drawn = drawn(&svg);
    for (href, (cx, cy), _) in &marks {
        assert!(
            drawn.contains(&format!("cx=\"{cx}\" cy=\"{cy}\"")),
            "{href} is not drawn at {cx},{cy}: {svg}"
        );
    }
}

#[test]
fn edf_steps_count_each_value_once_in_the_direction_asked() {
    let values = [0.2, 0.5, 0.5, 0.9];
    // At most x: 0 below 0.2, a quarter from 0.2, three quarters from 0.5, all from 0.9.
    assert_eq!(
        edf::steps(&values, (0.0, 1.0), false),
        [
            (0.0, 0.0),
            (0.2, 0.0),
            (0.2, 0.25),
            (0.5, 0.25),
            (0.5, 0.75),
            (0.9, 0.75),
            (0.9, 1.0),
            (1.0, 1.0)
        ]
    );
    // At least x: everything up to 0.2, three quarters up to 0.5, one quarter up to 0.9.
    assert_eq!(
        edf::steps(&values, (0.0, 1.0), true),
        [
            (0.0, 1.0),
            (0.2, 1.0),
            (0.2, 0.75),
            (0.5, 0.75),
            (0.5, 0.25),
            (0.9, 0.25),
            (0.9, 0.0),
            (1.0, 0.0)
        ]
    );
    let series = [
        Distribution {
            label: "tpe-run".into(),
            values: values.to_vec(),
        },
        Distribution {
            label: "<b>random</b>".into(),
            values: vec![0.1, f64::NAN, 0.3],
        },
    ];
    let svg = edf(&series, (900, 300), "val_accuracy", true);
    // Each experiment's line and legend mark in its palette colour, with its symbols hollow
    // along the line (a circle's outline, a square's), none filled.
    for colour in ["#0072B2", "#C88200"] {
        assert!(count(&svg, &format!("stroke=\"{colour}\"")) > 2, "{svg}");
        assert_eq!(count(&svg, &format!("fill=\"{colour}\"")), 0, "{svg}");
    }
    assert!(svg.contains("tpe-run") && svg.contains("&lt;b&gt;random"));
    assert!(svg.contains("100%") && svg.contains("share of trials at or above"));
    let none = edf(&[], (900, 300), "val_accuracy", false);
    assert!(none.contains("no completed trials"));
}

#[test]
fn names_are_escaped() {
    let evil = "<script>alert(1)</script>";
    let axes = vec![
        ParAxis {
            title: evil.into(),
            scale: Scale::Linear { min: 0.0, max: 1.0 },
        },
        ParAxis {
            title: "objective".into(),
            scale: Scale::Linear { min: 0.0, max: 1.0 },
        },
    ];
    let line = ParLine {
        trial: 0,
        value: Some(0.5),
        values: vec![Some(0.5), Some(0.5)],
        goodness: 1.0,
        pruned: false,
    };
    let svgs = [
        parallel(&axes, &[line], 600, (evil, evil), evil),
        importance(&[(evil.into(), 1.0)], evil),
        pairs(
            &[
                ParAxis {
                    title: evil.into(),
                    scale: Scale::Categories(vec![evil.into()]),
                },
                ParAxis {
                    title: evil.into(),
                    scale: Scale::Linear { min: 0.0, max: 1.0 },
                },
            ],
            &[ParLine {
                trial: 0,
                value: Some(0.5),
                values: vec![Some(0.0), Some(0.5)],
                goodness: 1.0,
                pruned: false,
            }],
            (evil, evil),
            (evil, evil),
        ),
        importance(&[], evil),
        // The marks' links and tooltips too.
        history(
            &history_points(3),
            evil,
            Direction::Maximize,
            None,
            Task::Classification,
            "/t/\"><script>alert(1)</script>",
        ),
        curves(
            &[Curve {
                label: evil.into(),
                points: vec![(1.0, 1.0)],
                emphasis: Emphasis::Dimmed,
                best: None,
                href: Some(evil.into()),
                note: String::new(),
            }],
            (500, 300),
            (evil, evil),
            Some(Direction::Minimize),
            evil,
            evil,
        ),
    ];
    for svg in &svgs {
        assert!(!svg.contains("<script"), "unescaped: {svg}");
        assert!(
            svg.contains("&lt;script&gt;") || svg.contains("&lt;scri"),
            "escaped text expected"
        );
    }
}

#[test]
fn ticks_and_colours() {
    assert_eq!(tick(0.30000000000000004), "0.3");
    assert_eq!(tick(1e-4), "1e-4");
    assert_eq!(tick(12345.0), "12345");
    assert_eq!(tick(0.0), "0");
    assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
    assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
    assert_eq!(palette(9), PALETTE[1]);
}

#[test]
fn curves_leave_the_chart_where_they_cross_its_edge() {
    use super::curves::within;
    // Starts below the axis, rises through it, dips below once more, ends inside.
    let points = [
        (1.0, 0.0),
        (2.0, 0.5),
        (3.0, 0.8),
        (4.0, 0.2),
        (5.0, 0.6),
        (6.0, 0.7),
    ];
    let pieces = within(&points, 0.4, 1.0);
    assert_eq!(
        pieces,
        [
            vec![(1.8, 0.4), (2.0, 0.5), (3.0, 0.8), (3.0 + 2.0 / 3.0, 0.4)],
            vec![(4.5, 0.4), (5.0, 0.6), (6.0, 0.7)],
        ]
    );
    // Entirely inside: one piece, unchanged; entirely outside: nothing; flat on the edge: kept.
    assert_eq!(within(&points[1..3], 0.0, 1.0), [points[1..3].to_vec()]);
    assert!(within(&points, 2.0, 3.0).is_empty());
    assert_eq!(within(&[(0.0, 1.0), (1.0, 1.0)], 0.0, 1.0).len(), 1);
}

#[test]
fn series_are_told_apart_by_a_symbol_as_well_as_a_colour() {
    // Eight shapes, in turn, one for each colour: each of the first eight series differs from
    // the others in both (issue_audit_4: series 0 and 5 were both circles, in two blues), and
    // the first 64 series differ in the pair.
    let shapes: Vec<Symbol> = (0..8).map(symbol).collect();
    for (k, s) in shapes.iter().enumerate() {
        assert!(!shapes[..k].contains(s), "{shapes:?}");
    }
    let pairs: std::collections::BTreeSet<(u8, u8, u8, usize)> = (0..64)
        .map(|i| {
            let c = palette(i);
            (
                c.0,
                c.1,
                c.2,
                SYMBOLS.iter().position(|s| *s == symbol(i)).unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 64);
    // Along a line: on its real points only (issue_audit_3), the nearest to even steps across
    // the axis, each series shifted, each point once, none past the line's end.
    let line: Vec<(f64, f64)> = (0..=20)
        .map(|k| (f64::from(k) / 2.0, f64::from(k)))
        .collect();
    let at = symbol_points(&line, (0.0, 10.0), 0);
    assert_eq!(at.len(), 6, "{at:?}");
    assert!(at.windows(2).all(|w| w[1].0 > w[0].0), "{at:?}");
    assert!(at.iter().all(|p| line.contains(p)), "{at:?}");
    assert_ne!(symbol_points(&line, (0.0, 10.0), 1)[0].0, at[0].0);
    let short = symbol_points(&line[..8], (0.0, 10.0), 0);
    assert!(
        !short.is_empty() && short.iter().all(|p| p.0 <= 3.5 && line.contains(p)),
        "{short:?}"
    );
    // Points crowded at one end are not picked twice.
    let crowded: Vec<(f64, f64)> = (0..7)
        .map(|k| (f64::from(k) / 10.0, 0.0))
        .chain([(10.0, 1.0)])
        .collect();
    let picked = symbol_points(&crowded, (0.0, 10.0), 0);
    assert!(picked.windows(2).all(|w| w[0] != w[1]), "{picked:?}");
    // A curve of two epochs gets a symbol on each epoch, not between them.
    let two = [(1.0, 0.5), (2.0, 0.8)];
    for i in 0..8 {
        assert_eq!(symbol_points(&two, (1.0, 2.0), i), two);
    }
    assert_eq!(symbol_points(&[(3.0, 1.0)], (0.0, 10.0), 2), [(3.0, 1.0)]);
    assert!(symbol_points(&[], (0.0, 10.0), 0).is_empty());
    // Each of the eight is drawn along a line and in its swatch; a plus as strokes.
    for i in 0..8 {
        assert!(swatch(i).contains(&format!("#{:02X}", palette(i).0)), "{i}");
    }
    assert!(swatch(5).contains("<path") && swatch(5).contains("stroke-width=\"3\""));
    assert!(swatch(6).contains("<polygon") && swatch(7).contains("<polygon"));
    // Drawn: a curve in the second colour carries hollow squares (white inside its colour) and
    // its legend entry the same; its best epoch is a filled square.
    let curve = |best| Curve {
        label: "trial 9".into(),
        points: (1..=30)
            .map(|s| (f64::from(s), f64::from(s).ln()))
            .collect(),
        emphasis: Emphasis::Colour(1),
        best,
        href: None,
        note: String::new(),
    };
    let plain = curves(
        &[curve(None)],
        (600, 300),
        ("epoch", "y"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let with_legend = curves(
        &[
            curve(Some(20.0)),
            Curve {
                emphasis: Emphasis::Colour(0),
                ..curve(None)
            },
        ],
        (600, 300),
        ("epoch", "y"),
        Some(Direction::Minimize),
        "",
        "",
    );
    assert!(count(&plain, "<polygon") >= 5, "{plain}");
    assert_eq!(count(&plain, "fill=\"#C88200\""), 0, "{plain}");
    // One filled square at the best epoch, one hollow in the legend.
    assert_eq!(
        count(&with_legend, "<polygon"),
        count(&plain, "<polygon") + 2,
        "{with_legend}"
    );
    assert_eq!(count(&with_legend, "fill=\"#C88200\""), 1, "{with_legend}");
    // The page's swatch is the same symbol in the same colour.
    assert!(swatch(1).contains("<polygon") && swatch(1).contains("#C88200"));
    assert!(swatch(0).contains("<circle") && swatch(0).contains("#0072B2"));
    // The orange and the sky blue darkened to 3:1 against white at least.
    for c in PALETTE {
        assert!(
            contrast_on_white(c) >= 3.0,
            "{c:?}: {}",
            contrast_on_white(c)
        );
    }
}

#[test]
fn the_hypervolume_history_shows_a_single_trial() {
    let one = hypervolume_history(&[(0.0, 0.25)]);
    assert!(!one.contains("data-empty"), "{one}");
    assert_eq!(count(&one, "<circle"), 1, "{one}");
    let steps = hypervolume_history(&[(0.0, 0.25), (1.0, 0.25), (2.0, 0.5)]);
    assert_eq!(
        count(&steps, "<circle"),
        1,
        "a dot at the latest value: {steps}"
    );
    assert_eq!(
        count(&steps, "stroke-width=\"2\""),
        1,
        "one step line: {steps}"
    );
    // In words too, for a reader who does not see it.
    assert!(
        steps.contains("aria-label=\"hypervolume of the trials so far, by trial number: 25.0% after trial 0, 50.0% after trial 2; raised by trials 2\""),
        "{steps}"
    );
    let many: Vec<(f64, f64)> = (0..20)
        .map(|i| (f64::from(i), f64::from(i) / 20.0))
        .collect();
    assert!(
        hypervolume_history(&many).contains("raised by 19 trials, the last 15, 16, 17, 18, 19\""),
        "{}",
        hypervolume_history(&many)
    );
}

#[test]
fn legends_cut_long_names_in_the_middle() {
    use super::shorten_middle;
    assert_eq!(shorten_middle("short", 22), "short");
    let (one, two) = (
        shorten_middle("digits-mlp-pareto-random-seed1", 22),
        shorten_middle("digits-mlp-pareto-random-seed2", 22),
    );
    assert_ne!(one, two);
    assert_eq!(one, "digits-mlp…andom-seed1");
    assert_eq!(one.chars().count(), 22);
}

#[test]
fn issue_audit_3_a_short_curve_has_symbols_on_its_epochs_and_whole_epoch_ticks() {
    let two_epochs = Curve {
        label: "trial 4".into(),
        points: vec![(1.0, 0.5), (2.0, 0.8)],
        emphasis: Emphasis::Colour(0),
        best: None,
        href: None,
        note: String::new(),
    };
    let svg = curves(
        &[two_epochs],
        (540, 280),
        ("epoch", "val_accuracy"),
        Some(Direction::Minimize),
        "",
        "",
    );
    // One small filled circle on each of the two epochs, none between (alone in its chart,
    // a hollow one would read as a running trial's ring).
    assert_eq!(count(&svg, "<circle"), 2, "{svg}");
    // The epoch axis is ticked at whole epochs only.
    let ticks: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, rest)| rest.split_once('<')))
        .map(|(text, _)| text.trim())
        .collect();
    assert!(ticks.contains(&"1") && ticks.contains(&"2"), "{ticks:?}");
    for fraction in ["1.2", "1.4", "1.5", "1.6", "1.8"] {
        assert!(!ticks.contains(&fraction), "{fraction} in {ticks:?}");
    }
}

#[test]
fn a_hollow_star_is_drawn_larger_so_that_its_white_shows() {
    // The star's top point, its largest reach, in a drawing of one symbol at (50, 50).
    let top = |filled: bool| {
        let svg = render((100, 100), "star", |root| {
            draw_symbol(root, (50, 50), Symbol::Star, PALETTE[0], 4, filled)
        });
        let points = svg
            .split("points=\"")
            .last()
            .and_then(|p| p.split('"').next())
            .unwrap_or_default()
            .to_string();
        points
            .split(' ')
            .filter_map(|xy| xy.split(',').nth(1)?.parse::<i32>().ok())
            .min()
            .unwrap_or(50)
    };
    assert_eq!(top(true), 46, "filled: the radius asked");
    assert_eq!(top(false), 44, "hollow: two pixels more");
}

#[test]
fn issue_curves_axis_keeps_each_top_trial_s_best_point() {
    // Trial 0's loss is best, 0.0037, at epoch 5 of 100, inside the first tenth the axis
    // otherwise leaves out, and then overfits to 0.02 and more; trial 4 settles at 0.012.
    let trial0: Vec<(f64, f64)> = (1..=100)
        .map(|s| {
            let s = f64::from(s);
            (
                s,
                if s <= 5.0 {
                    0.0037 * 5.0 / s
                } else {
                    0.02 + 0.0003 * s
                },
            )
        })
        .collect();
    let trial4: Vec<(f64, f64)> = (1..=100)
        .map(|s| (f64::from(s), 0.012 + 0.5 / f64::from(s)))
        .collect();
    let curve = |label: &str, colour: usize, points: Vec<(f64, f64)>, best: f64| Curve {
        label: label.to_string(),
        points,
        emphasis: Emphasis::Colour(colour),
        best: Some(best),
        href: None,
        note: String::new(),
    };
    let svg = curves(
        &[
            curve("trial 0", 0, trial0, 5.0),
            curve("trial 4", 1, trial4, 100.0),
        ],
        (600, 300),
        ("epoch", "val_loss"),
        Some(Direction::Minimize),
        "",
        "",
    );
    // Both best epochs are marked: each series' symbol, filled.
    let dots = count(&svg, "fill=\"#0072B2\"") + count(&svg, "fill=\"#C88200\"");
    assert_eq!(dots, 2, "{svg}");
}

#[test]
fn issue_tooltips_write_small_parameter_values_to_4_significant_digits() {
    let log = Scale::Log {
        min: 1e-6,
        max: 1e-2,
    };
    assert_eq!(log.text(1.419_27e-5), "1.419e-5");
    assert_eq!(log.text(2e-5), "2e-5");
    assert_eq!(log.text(0.001_234), "0.001234");
    let linear = Scale::Linear { min: 0.0, max: 1e7 };
    assert_eq!(linear.text(1_234_567.0), "1.235e6");
    assert_eq!(linear.text(256.0), "256");
}

/// Returns the text of each `<text>` element of `svg`, in order.
fn texts_of(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let inner = t.split_once('>')?.1.split_once("</text>")?.0;
            Some(inner.trim().to_string())
        })
        .collect()
}

/// Returns the numbers a line chart's y axis is ticked with (its labels anchored at their end).
fn tick_values(svg: &str) -> Vec<f64> {
    svg.split("<text")
        .skip(1)
        .filter(|t| {
            t.split_once('>')
                .is_some_and(|(a, _)| a.contains("text-anchor=\"end\""))
        })
        .filter_map(|t| {
            t.split_once('>')?
                .1
                .split_once("</text>")?
                .0
                .trim()
                .parse()
                .ok()
        })
        .collect()
}

/// A training loss that drops from 0.669 at epoch 1 to about 7e-4 by epoch 200, as trial 0 of
/// the audit's `interrupted` experiment did.
fn dropping_loss(label: &str, colour: usize, scale: f64) -> Curve {
    Curve {
        label: label.to_string(),
        points: (1..=200)
            .map(|s| (f64::from(s), scale * (0.669 / f64::from(s).powi(2) + 7e-4)))
            .collect(),
        emphasis: Emphasis::Colour(colour),
        best: Some(200.0),
        href: None,
        note: String::new(),
    }
}

#[test]
fn issue_ux_1_a_trial_s_curve_shows_its_first_epochs() {
    // A trial's own chart and the comparison of trials draw every point: the axis reaches
    // epoch 1's 0.669, and nothing is cut off it. (The loss spans three decades: the axis is
    // logarithmic, ticked at powers of ten, so it reaches past the tick of 0.1, where a
    // settled one, `issue_ux_1_a_settled_overlay_says_what_it_cuts_and_marks_where`, stops
    // below it.)
    let one = curves(
        &[dropping_loss("trial 0", 0, 1.0)],
        (540, 280),
        ("epoch", "train_loss"),
        Some(Direction::Minimize),
        "",
        "",
    );
    assert!(one.contains("train_loss (log scale)"), "{one}");
    let top = tick_values(&one).into_iter().fold(f64::MIN, f64::max);
    assert!(top >= 0.1, "{:?}", texts_of(&one));
    assert!(!one.contains("cut"), "{one}");
    let two = curves(
        &[
            dropping_loss("trial 0", 0, 1.0),
            dropping_loss("trial 1", 1, 1.2),
        ],
        (1100, 320),
        ("epoch", "train_loss"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let top = tick_values(&two).into_iter().fold(f64::MIN, f64::max);
    assert!(top >= 0.1, "{:?}", texts_of(&two));
    assert!(!two.contains("cut"), "{two}");
}

#[test]
fn a_loss_spanning_decades_gets_a_log_axis_and_accuracies_stay_linear() {
    // A train_loss from 0.67 down to 7e-4: on a linear axis its last hundred epochs lie on
    // zero. The trial's chart, the comparison's and the settled overlay all take a log axis,
    // say so on it and to a screen reader, and tick it at powers of ten.
    let loss = dropping_loss("trial 0", 0, 1.0);
    let charts = [
        curves(
            std::slice::from_ref(&loss),
            (540, 280),
            ("epoch", "train_loss"),
            Some(Direction::Minimize),
            "",
            "",
        ),
        curves(
            &[loss.clone(), dropping_loss("trial 1", 1, 1.2)],
            (1100, 320),
            ("epoch", "train_loss"),
            Some(Direction::Minimize),
            "",
            "",
        ),
        fitted_curves(
            &[loss.clone(), dropping_loss("trial 1", 1, 1.2)],
            (1300, 380),
            ("epoch", "train_loss"),
            Some(Direction::Minimize),
            ("pruned trials", ""),
            Fit::Settled,
        ),
    ];
    for svg in &charts {
        let texts = texts_of(svg);
        assert!(
            texts.iter().any(|t| t == "train_loss (log scale)"),
            "{texts:?}"
        );
        assert!(svg.contains("; y axis on a log scale"), "{svg}");
    }
    // The whole curves are ticked at powers of ten: 0.001 to 0.1, and to 1 where the second
    // trial's first epoch, 0.80, and the padding reach past it.
    assert_eq!(tick_values(&charts[0]), [0.001, 0.01, 0.1]);
    assert_eq!(tick_values(&charts[1]), [0.001, 0.01, 0.1, 1.0]);
    // The settled overlay holds less than a decade: every tick is labelled, evenly spaced
    // by ratio (a log axis), to two significant digits.
    let ticks = tick_values(&charts[2]);
    let ratios: Vec<f64> = ticks.windows(2).map(|w| w[1] / w[0]).collect();
    assert!(
        ticks.len() >= 3
            && ticks[0] >= 5e-4
            && ratios.iter().all(|r| (r / ratios[0] - 1.0).abs() < 0.2),
        "{ticks:?}"
    );
    // What a curve comes to is its value, not its logarithm.
    assert!(
        charts[0].contains("trial 0: best epoch 200, 7.17e-4;"),
        "{}",
        charts[0]
    );
    // Linear: an accuracy (less than a decade), a loss that reaches 0, a dimmed curve at 0
    // beside coloured ones that span decades, and a loss spanning two decades or less.
    let accuracy = Curve {
        label: "trial 0".into(),
        points: (1..=50)
            .map(|s| (f64::from(s), 0.98 - 0.88 / f64::from(s)))
            .collect(),
        emphasis: Emphasis::Colour(0),
        best: Some(50.0),
        href: None,
        note: String::new(),
    };
    let mut to_zero = loss.clone();
    to_zero.points.push((201.0, 0.0));
    let mut dimmed_zero = to_zero.clone();
    dimmed_zero.emphasis = Emphasis::Dimmed;
    let narrow = Curve {
        points: (1..=100)
            .map(|s| (f64::from(s), 1.0 / f64::from(s)))
            .collect(),
        ..loss.clone()
    };
    for (lines, what) in [
        (vec![accuracy], "an accuracy"),
        (vec![to_zero], "a loss that reaches 0"),
        (vec![loss.clone(), dimmed_zero], "a dimmed curve at 0"),
        (vec![narrow], "two decades"),
    ] {
        let svg = curves(
            &lines,
            (540, 280),
            ("epoch", "y"),
            Some(Direction::Minimize),
            "pruned",
            "",
        );
        assert!(!svg.contains("log scale"), "{what}: {svg}");
    }
}

#[test]
fn issue_ux_1_a_settled_overlay_says_what_it_cuts_and_marks_where() {
    let lines = [
        dropping_loss("trial 0", 0, 1.0),
        dropping_loss("trial 1", 1, 1.2),
    ];
    let svg = fitted_curves(
        &lines,
        (1300, 380),
        ("epoch", "train_loss"),
        Some(Direction::Minimize),
        ("pruned trials", ""),
        Fit::Settled,
    );
    // The axis fits the settled curves, far below epoch 1's values...
    let top = tick_values(&svg).into_iter().fold(f64::MIN, f64::max);
    assert!(top < 0.1, "{:?}", texts_of(&svg));
    // ... and says so, in the legend's margin and to a screen reader.
    let texts = texts_of(&svg);
    assert!(texts.iter().any(|t| t == "▲ first epochs cut"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t == "off above the axis;"),
        "{texts:?}"
    );
    assert!(svg.contains("first epochs cut off above the axis"), "{svg}");
    // Each curve leaves the axis at its top edge, marked with an arrowhead in its colour.
    let arrows = |svg: &str, fill: &str| {
        drawn(svg)
            .split("<polygon")
            .skip(1)
            .filter(|p| p.contains(fill))
            .count()
    };
    assert!(arrows(&svg, "#0072B2") >= 1, "{svg}");
    assert!(arrows(&svg, "#C88200") >= 1, "{svg}");
    // Where the first epochs stretch the axis little, a settled chart shows them all.
    let gentle = |label: &str, colour: usize, end: f64| Curve {
        label: label.to_string(),
        points: (1..=50)
            .map(|s| (f64::from(s), end - 0.02 / f64::from(s)))
            .collect(),
        emphasis: Emphasis::Colour(colour),
        best: None,
        href: None,
        note: String::new(),
    };
    let svg = fitted_curves(
        &[gentle("trial 0", 0, 0.98), gentle("trial 1", 1, 0.97)],
        (1300, 380),
        ("epoch", "val_accuracy"),
        Some(Direction::Minimize),
        ("pruned trials", ""),
        Fit::Settled,
    );
    assert!(!svg.contains("cut"), "{svg}");
    let bottom = tick_values(&svg).into_iter().fold(f64::MAX, f64::min);
    assert!(bottom <= 0.955, "{:?}", texts_of(&svg));
}

#[test]
fn issue_ux_4_curves_that_never_change_say_so_and_mark_no_best_epoch() {
    let flat = |label: &str, colour: usize, value: f64| Curve {
        label: label.to_string(),
        points: (1..=20).map(|s| (f64::from(s), value)).collect(),
        emphasis: Emphasis::Colour(colour),
        best: Some(12.0),
        href: None,
        note: String::new(),
    };
    let svg = curves(
        &[flat("trial 0", 0, 19210.0), flat("trial 1", 1, 52000.0)],
        (1300, 380),
        ("epoch", "param_count"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let texts = texts_of(&svg);
    assert!(
        texts
            .iter()
            .any(|t| t == "epoch (each line is the same at every epoch)"),
        "{texts:?}"
    );
    // No filled best-epoch symbol: only the legend's lines with their hollow symbols.
    assert_eq!(
        count(drawn(&svg), "fill=\"#0072B2\"") + count(drawn(&svg), "fill=\"#C88200\""),
        0,
        "{svg}"
    );
}

#[test]
fn issue_ux_4_a_curve_without_values_is_named_in_the_legend() {
    let best_so_far = Curve {
        label: "cond-tpe".to_string(),
        points: vec![(0.0, 0.93), (1.0, 0.95), (2.0, 0.96)],
        emphasis: Emphasis::Colour(0),
        best: None,
        href: None,
        note: String::new(),
    };
    let nothing = Curve {
        label: "killed".to_string(),
        points: Vec::new(),
        emphasis: Emphasis::Colour(1),
        ..best_so_far.clone()
    };
    let svg = curves(
        &[best_so_far, nothing],
        (1300, 380),
        ("trial number", "best val_accuracy so far"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let texts = texts_of(&svg);
    assert!(texts.iter().any(|t| t == "killed"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "no values"), "{texts:?}");
    assert!(svg.contains("killed: no values"), "the chart's label");
}

#[test]
fn issue_ux_6_slices_of_one_finished_trial_show_the_pruned_trials_values() {
    // constr-bayes: one completed trial at 0.886 and seven pruned ones, five of them far
    // below; an axis fitted to the one trial put those five flat on its edge.
    let panel = Slice {
        name: "hidden".into(),
        scale: Scale::Linear {
            min: 16.0,
            max: 128.0,
        },
        points: slice_points(0, &[(28.0, 0.886)]),
        pruned: slice_points(
            1,
            &[
                (33.0, 0.88),
                (61.0, 0.927),
                (44.0, 0.7409),
                (73.0, 0.75),
                (89.0, 0.76),
                (101.0, 0.78),
                (126.0, 0.8),
            ],
        ),
    };
    let svg = slices(&[panel], "val_accuracy", Task::Classification, "/t/");
    let values = tick_values(&svg);
    let bottom = values.iter().copied().fold(f64::MAX, f64::min);
    assert!(
        bottom <= 0.76,
        "the axis reaches the pruned trials: {values:?}"
    );
    // No two rings share the edge's height: each sits at its own value.
    let mut heights: Vec<&str> = drawn(&svg)
        .split("<circle")
        .skip(1)
        .filter_map(|c| c.split(" cy=\"").nth(1)?.split('"').next())
        .collect();
    heights.sort_unstable();
    heights.dedup();
    assert_eq!(heights.len(), 8, "{svg}");
}

/// Returns the contrast ratio of `c` against white (WCAG 2's definition).
fn contrast_on_white(c: RGBColor) -> f64 {
    let linear = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2);
    1.05 / (l + 0.05)
}

#[test]
fn issue_ux_5_the_worst_rank_still_shows_on_white() {
    for k in 0..=20 {
        let goodness = f64::from(k) / 20.0;
        let c = rank_colour(goodness);
        assert!(contrast_on_white(c) >= 3.0, "{goodness}: {c:?}");
    }
    // A few trials' lines are all drawn near full strength, the worst too.
    let axis = |title: &str| ParAxis {
        title: title.into(),
        scale: Scale::Linear { min: 0.0, max: 2.0 },
    };
    let axes = [axis("lr"), axis("y")];
    let lines: Vec<ParLine> = (0..3)
        .map(|i| ParLine {
            trial: i,
            value: Some(f64::from(i)),
            values: vec![Some(f64::from(i) / 2.0), Some(f64::from(i))],
            goodness: 1.0 - f64::from(i) / 2.0,
            pruned: false,
        })
        .collect();
    let svg = parallel(&axes, &lines, 900, ("best", "worst"), "/t/");
    let opacities: Vec<f64> = drawn(&svg)
        .split("<polyline")
        .skip(1)
        .take(3)
        .filter_map(|p| {
            p.split("opacity=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(opacities.len(), 3, "{svg}");
    assert!(opacities.iter().all(|o| *o >= 0.7), "{opacities:?}");
}

#[test]
fn issue_ux_3_a_log_axis_of_less_than_two_decades_names_its_power_of_ten() {
    let texts = |min: f64, max: f64| -> Vec<String> {
        scale::ticks(&Scale::Log { min, max })
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    };
    // prune-asha's lr: its ends, and the 0.001 between them.
    assert_eq!(texts(1.000_2e-4, 0.009_96), ["1e-4", "0.001", "0.00996"]);
    // interrupted's lr: both ends to three significant digits.
    assert_eq!(texts(6.823e-4, 0.003_004), ["6.82e-4", "0.001", "0.003"]);
    // No power between the ends: the ends alone.
    assert_eq!(texts(0.002, 0.008), ["0.002", "0.008"]);
    assert_eq!(significant(123_456.0, 3), "1.23e5");
    assert_eq!(significant(0.961, 4), "0.961");
}

#[test]
fn issue_ux_2_the_importance_chart_names_its_top_set() {
    let items = [("hidden".to_string(), 0.7), ("lr".to_string(), 0.3)];
    let top = crate::importance::TopSet { top: 5, of: 10 };
    let svg = importance_of_top(&items, top, "");
    assert!(
        texts_of(&svg)
            .iter()
            .any(|t| t == "share of importance (PED-ANOVA, top 5 of 10 trials)"),
        "{:?}",
        texts_of(&svg)
    );
    assert!(
        svg.contains("hidden 70%, lr 30% (top 5 of 10 trials)"),
        "{svg}"
    );
    // Without the set's size, its rule.
    let svg = importance(&items, "");
    assert!(
        svg.contains("share of importance (PED-ANOVA, top 10% of trials, at least 5)"),
        "{svg}"
    );
}

#[test]
fn issue_ux_4_the_distribution_names_an_experiment_without_values() {
    let svg = edf(
        &[
            Distribution {
                label: "cond-tpe".into(),
                values: vec![0.9, 0.95, 0.96],
            },
            Distribution {
                label: "killed".into(),
                values: Vec::new(),
            },
        ],
        (1300, 380),
        "val_accuracy",
        true,
    );
    let texts = texts_of(&svg);
    assert!(texts.iter().any(|t| t == "killed"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "no values"), "{texts:?}");
    assert!(svg.contains("killed: no values"), "the chart's label");
}

#[test]
fn the_pareto_chart_s_dominated_trials_show_on_white() {
    // A dot that says a trial is dominated is a meaningful graphic: 3:1 on white (WCAG
    // 1.4.11), in the chart and its legend; the grey of pruned trials, meant to sit behind,
    // is not used for it.
    let point = |trial: u32, x: f64, y: f64, on_front: bool| ParetoPoint {
        trial,
        x,
        y,
        on_front,
        feasible: true,
    };
    let svg = pareto(
        &[
            point(0, 0.90, 100.0, true),
            point(1, 0.85, 300.0, false),
            point(2, 0.80, 200.0, false),
            point(3, 0.97, 900.0, true),
        ],
        ("val_accuracy", Direction::Maximize),
        ("param_count", Direction::Minimize),
        Task::Classification,
        "/t/",
    );
    // Every dot drawn: the front's, the dominated trials' and the legend's.
    let fills: Vec<&str> = drawn(&svg)
        .split("<circle")
        .skip(1)
        .filter_map(|c| c.split("fill=\"#").nth(1)?.get(..6))
        .collect();
    assert_eq!(fills.len(), 6, "four trials and two legend entries: {svg}");
    for hex in fills {
        let channel = |k: usize| u8::from_str_radix(&hex[k..k + 2], 16).unwrap_or(255);
        let c = RGBColor(channel(0), channel(2), channel(4));
        assert!(
            contrast_on_white(c) >= 3.0,
            "#{hex} is {:.2}:1 on white",
            contrast_on_white(c)
        );
    }
}

/// The y ticks' texts of a line chart (right-aligned, beside its y axis), labelled or not.
fn y_tick_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter(|t| {
            t.split_once('>')
                .is_some_and(|(a, _)| a.contains("text-anchor=\"end\""))
        })
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn neighbouring_y_ticks_never_read_the_same() {
    // A settled overlay whose log axis spans a few hundredths of a decade: two losses falling
    // three decades in 20 epochs, then staying within 12% of 0.001. Its ticks read 0.001,
    // 0.001, 0.001, 0.0011, ... to two significant digits.
    let settled = |k: f64, colour: usize| Curve {
        label: format!("trial {colour}"),
        points: (1..=200)
            .map(|s| {
                let s = f64::from(s);
                let y = if s <= 20.0 {
                    10f64.powf(-3.0 * (s - 1.0) / 19.0)
                } else {
                    0.001 * (1.0 + 0.12 * (s * k).sin().abs())
                };
                (s, y)
            })
            .collect(),
        emphasis: Emphasis::Colour(colour),
        best: Some(100.0),
        href: None,
        note: String::new(),
    };
    let overlay = fitted_curves(
        &[settled(0.7, 0), settled(0.3, 1)],
        (1300, 380),
        ("epoch", "val_loss"),
        Some(Direction::Minimize),
        ("pruned trials", ""),
        Fit::Settled,
    );
    assert!(overlay.contains("log scale"), "{overlay}");
    // Two equal values on a linear axis: ticks at 9.6e-5, 9.8e-5, 1e-4, 1.02e-4, ... read
    // 1e-4 three times in tick's two significant digits.
    let equal = curves(
        &[Curve {
            points: vec![(1.0, 1e-4), (2.0, 1e-4)],
            best: Some(1.0),
            ..dropping_loss("trial 0", 0, 1.0)
        }],
        (540, 280),
        ("epoch", "val_loss"),
        Some(Direction::Minimize),
        "",
        "",
    );
    for svg in [&overlay, &equal] {
        let ticks = y_tick_texts(svg);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(ticks.windows(2).all(|w| w[0] != w[1]), "{ticks:?}");
        // Each still names its value: the ticks rise evenly (by ratio on the log axis).
        let values: Vec<f64> = ticks.iter().filter_map(|t| t.parse().ok()).collect();
        assert_eq!(values.len(), ticks.len(), "{ticks:?}");
        assert!(values.windows(2).all(|w| w[0] < w[1]), "{ticks:?}");
    }
    // More digits where they are needed only: a long log axis keeps its powers of ten.
    let whole = curves(
        &[dropping_loss("trial 0", 0, 1.0)],
        (540, 280),
        ("epoch", "train_loss"),
        Some(Direction::Minimize),
        "",
        "",
    );
    assert_eq!(tick_values(&whole), [0.001, 0.01, 0.1]);
    assert_eq!(significant(0.001_025, 3), "0.00103");
    assert_eq!(significant(1.0125, 5), "1.0125");
}

#[test]
fn a_maximized_metric_keeps_a_linear_axis_however_low_it_starts() {
    // An accuracy from 0.005 at epoch 1 to 0.98: its values span more than two decades, but
    // a log axis would squash 0.9 to 0.98, where the trials differ, into its top tenth.
    let accuracy = Curve {
        label: "trial 0".into(),
        points: (1..=50)
            .map(|s| {
                let y = if s == 1 {
                    0.005
                } else {
                    0.98 - 0.5 / f64::from(s)
                };
                (f64::from(s), y)
            })
            .collect(),
        emphasis: Emphasis::Colour(0),
        best: Some(50.0),
        href: None,
        note: String::new(),
    };
    for goal in [Some(Direction::Maximize), None] {
        let svg = curves(
            std::slice::from_ref(&accuracy),
            (540, 280),
            ("epoch", "val_accuracy (fraction)"),
            goal,
            "",
            "",
        );
        assert!(!svg.contains("log scale"), "{goal:?}: {svg}");
    }
    // The same values of a metric minimized take the log axis.
    let svg = curves(
        &[accuracy],
        (540, 280),
        ("epoch", "val_loss"),
        Some(Direction::Minimize),
        "",
        "",
    );
    assert!(svg.contains("log scale"), "{svg}");
}

#[test]
fn a_log_axis_title_with_a_unit_says_both_in_one_bracket() {
    let svg = curves(
        &[dropping_loss("trial 0", 0, 1.0)],
        (540, 280),
        ("epoch", "train_loss (cross-entropy)"),
        Some(Direction::Minimize),
        "",
        "",
    );
    let texts = texts_of(&svg);
    assert!(
        texts
            .iter()
            .any(|t| t == "train_loss (cross-entropy, log scale)"),
        "{texts:?}"
    );
}

#[test]
fn flat_best_so_far_lines_still_fill_the_trial_that_reached_the_best() {
    // Two experiments whose first completed trial was their best: each line is flat, and the
    // hint says its symbol is filled at the trial that reached its best, its first.
    let line = |label: &str, colour: usize, value: f64| Curve {
        label: label.to_string(),
        points: (0..=7).map(|s| (f64::from(s), value)).collect(),
        emphasis: Emphasis::Colour(colour),
        best: Some(0.0),
        href: None,
        note: String::new(),
    };
    let svg = curves(
        &[line("quickstart", 0, 0.95), line("tpe", 1, 0.93)],
        (1300, 380),
        ("trial number", "best val_accuracy so far"),
        Some(Direction::Maximize),
        "",
        "",
    );
    assert!(svg.contains("each line is the same"), "{svg}");
    assert_eq!(count(drawn(&svg), "fill=\"#0072B2\""), 1, "{svg}");
    assert_eq!(count(drawn(&svg), "fill=\"#C88200\""), 1, "{svg}");
}

#[test]
fn issue_a11y_the_timeline_draws_cut_attempts_as_thin_grey_bars_its_label_counts() {
    use super::Cut;
    let spans = [
        Span {
            trial: 0,
            start: 10.0,
            end: 30.0,
            ending: Ending::Completed,
        },
        Span {
            trial: 1,
            start: 12.0,
            end: 20.0,
            ending: Ending::Interrupted,
        },
    ];
    let cuts = [Cut {
        trial: 0,
        start: 0.0,
        end: 8.0,
        epochs: 1,
        by: "killed",
        time_known: true,
    }];
    let svg = timeline(&spans, &cuts, "/t/");
    assert!(
        svg.contains(
            "aria-label=\"timeline of 2 trials: 1 completed, 1 interrupted; 1 attempt cut off \
             before its trial ran again (thin grey bars)\""
        ),
        "{svg}"
    );
    // Drawn: the rects of the plot in grey, a third of a bar's height, left of trial 0's bar.
    let rects: Vec<(f64, f64, String)> = drawn(&svg)
        .split("<rect")
        .skip(1)
        .filter_map(|r| {
            let attr = |name: &str| -> Option<f64> {
                r.split(&format!(" {name}=\""))
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse()
                    .ok()
            };
            let fill = r.split("fill=\"#").nth(1)?.get(..6)?.to_string();
            Some((attr("x")?, attr("height")?, fill))
        })
        .collect();
    let grey = format!("{:02X}{:02X}{:02X}", MARK_GREY.0, MARK_GREY.1, MARK_GREY.2);
    let completed = format!(
        "{:02X}{:02X}{:02X}",
        PALETTE[0].0, PALETTE[0].1, PALETTE[0].2
    );
    let bar = rects
        .iter()
        .find(|(_, h, fill)| *fill == completed && *h > 20.0)
        .unwrap_or_else(|| panic!("{rects:?}"));
    let cut = rects
        .iter()
        .find(|(x, _, fill)| *fill == grey && *x < bar.0)
        .unwrap_or_else(|| panic!("{rects:?}"));
    assert!(cut.1 * 2.5 < bar.1, "thin: {cut:?} against {bar:?}");
    assert!(contrast_on_white(MARK_GREY) >= 3.0);
    // Its legend entry, and its mark in the hidden layer, which says what it was.
    assert!(
        svg.contains(">\ncut off\n<") || svg.contains(">cut off<"),
        "{svg}"
    );
    let marks = svg
        .split("<g aria-hidden=\"true\">")
        .nth(1)
        .unwrap_or_default();
    assert!(
        marks.contains(
            "<title>trial 0: an attempt killed after 8.0s and 1 epoch, then run \
                        again from scratch</title>"
        ),
        "{marks}"
    );
    // One killed before it was heard from: a mark at its start, its time said not recorded
    // (it may have stored epochs).
    let unheard = Cut {
        end: 0.0,
        time_known: false,
        ..cuts[0]
    };
    let svg = timeline(&spans, &[unheard], "/t/");
    assert!(
        svg.contains(
            "<title>trial 0: an attempt killed after 1 epoch, its time not recorded, then run \
             again from scratch</title>"
        ),
        "{svg}"
    );
}
