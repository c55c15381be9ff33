//! The Pareto front: each completed trial at its values of two objectives, the trials no other
//! beats on both (the front) labelled and joined by the staircase they dominate, as Optuna's
//! `plot_pareto_front` shows a multi-objective study.

use experiment::Direction;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    legend_entry, metric_title, padded_range, render_marked, text_style, tick, DrawResult, Mark,
    Marker, Shape, Task, GRID, MARK_GREY, PALETTE,
};

/// One completed trial on the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ParetoPoint {
    /// The trial number.
    pub(crate) trial: u32,
    /// Its value of the first objective (across).
    pub(crate) x: f64,
    /// Its value of the second objective (up).
    pub(crate) y: f64,
    /// Whether it is on the Pareto front.
    pub(crate) on_front: bool,
    /// Whether it meets the experiment's constraints.
    pub(crate) feasible: bool,
}

/// An objective drawn on one axis: its metric and goal.
pub(crate) type Axis<'a> = (&'a str, Direction);

/// The size of the Pareto chart; the hypervolume history is as wide.
pub(super) const SIZE: (u32, u32) = (1300, 520);
/// The width of the Pareto chart's legend margin, which the hypervolume history leaves too, so
/// that their plots line up.
pub(super) const LEGEND_WIDTH: u32 = 190;
/// Fronts with more trials than this are drawn without trial numbers.
const MOST_LABELS: usize = 40;
/// An axis whose positive values span more than this ratio is drawn on a log scale.
const LOG_RATIO: f64 = 10.0;

/// Returns the chart of `points` over the objectives `x` and `y`: trials off the front as grey
/// dots, those that break a constraint as crosses, the front as coloured dots with their trial
/// numbers, joined by the staircase of what they dominate. Each trial names itself and its
/// values when pointed at and links to its page, `trial_pages` followed by its number. The
/// axes' units are those of an experiment of `task`.
pub(crate) fn pareto(
    points: &[ParetoPoint],
    x: Axis<'_>,
    y: Axis<'_>,
    task: Task,
    trial_pages: &str,
) -> String {
    let label = format!("Pareto front of {} and {}", x.0, y.0);
    let finite: Vec<&ParetoPoint> = points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    if finite.is_empty() {
        return super::empty(SIZE, &label, "no completed trials");
    }
    let (x_log, y_log) = (
        log_scale(x.0, finite.iter().map(|p| p.x)),
        log_scale(y.0, finite.iter().map(|p| p.y)),
    );
    let at = |p: &ParetoPoint| (place(p.x, x_log), place(p.y, y_log));
    let (Some((x0, x1)), Some((y0, y1))) = (
        padded_range(finite.iter().map(|p| place(p.x, x_log))),
        padded_range(finite.iter().map(|p| place(p.y, y_log))),
    ) else {
        return super::empty(SIZE, &label, "no completed trials");
    };
    let mut front: Vec<&ParetoPoint> = finite.iter().copied().filter(|p| p.on_front).collect();
    front.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.trial.cmp(&b.trial)));
    let corners: Vec<(f64, f64)> = front.iter().map(|p| (p.x, p.y)).collect();
    let staircase = staircase(&corners, x.1, y.1);
    render_marked(SIZE, &label, |root, marks| -> DrawResult {
        let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let mut chart = plane(&plot, ((x0, x1), (y0, y1)), (x, y, task), (x_log, y_log))?;
        let off: Vec<(f64, f64)> = finite
            .iter()
            .filter(|p| !p.on_front && p.feasible)
            .map(|p| at(p))
            .collect();
        let broken: Vec<(f64, f64)> = finite
            .iter()
            .filter(|p| !p.on_front && !p.feasible)
            .map(|p| at(p))
            .collect();
        chart.draw_series(off.iter().map(|&p| Circle::new(p, 3, MARK_GREY.filled())))?;
        chart.draw_series(
            broken
                .iter()
                .map(|&p| Cross::new(p, 3, PALETTE[3].stroke_width(2))),
        )?;
        chart.draw_series(LineSeries::new(
            staircase
                .iter()
                .map(|&(a, b)| (place(a, x_log), place(b, y_log))),
            PALETTE[1].stroke_width(2),
        ))?;
        chart.draw_series(
            front
                .iter()
                .map(|p| Circle::new(at(p), 5, PALETTE[0].filled())),
        )?;
        // The front last, so that it is what a pointer finds where trials overlap.
        let mut order: Vec<&&ParetoPoint> = finite.iter().collect();
        order.sort_by_key(|p| p.on_front);
        marks.extend(order.iter().map(|p| {
            let standing = match (p.on_front, p.feasible) {
                (true, _) => " (on the front)",
                (false, false) => " (breaks a constraint)",
                (false, true) => "",
            };
            Mark {
                href: format!("{trial_pages}{}", p.trial),
                title: format!(
                    "trial {}: {} {}, {} {}{standing}",
                    p.trial,
                    x.0,
                    experiment::named_metric_text(x.0, Some(p.x)),
                    y.0,
                    experiment::named_metric_text(y.0, Some(p.y)),
                ),
                shape: Shape::Dot(chart.backend_coord(&at(p)), 6),
            }
        }));
        // Trials at the same values share one label: `7 +36`, not 37 numbers on one spot.
        let mut labels: Vec<(&ParetoPoint, usize)> = Vec::new();
        for p in &front {
            match labels.iter_mut().find(|(q, _)| q.x == p.x && q.y == p.y) {
                Some((_, same)) => *same += 1,
                None => labels.push((p, 0)),
            }
        }
        if labels.len() <= MOST_LABELS {
            let style = text_style(13).pos(Pos::new(HPos::Left, VPos::Bottom));
            chart.draw_series(labels.iter().map(|(p, same)| {
                let text = match same {
                    0 => format!("{}", p.trial),
                    n => format!("{} +{n}", p.trial),
                };
                EmptyElement::at(at(p)) + Text::new(text, (6, -4), style.clone())
            }))?;
        }
        let mut row = 30;
        legend_entry(&legend, (8, row), PALETTE[0], Marker::Dot, "on the front")?;
        if !off.is_empty() {
            row += 22;
            legend_entry(&legend, (8, row), MARK_GREY, Marker::Dot, "dominated")?;
        }
        if !broken.is_empty() {
            row += 22;
            legend_entry(
                &legend,
                (8, row),
                PALETTE[3],
                Marker::Cross,
                "breaks a constraint",
            )?;
        }
        if !staircase.is_empty() {
            row += 22;
            legend_entry(
                &legend,
                (8, row),
                PALETTE[1],
                Marker::Line(2),
                "what the front beats",
            )?;
        }
        Ok(())
    })
}

/// One experiment's Pareto front on the chart comparing experiments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Front {
    /// The legend label, the experiment's name.
    pub(crate) label: String,
    /// Its front's values of the two objectives.
    pub(crate) points: Vec<(f64, f64)>,
    /// The trial of each point, in the same order.
    pub(crate) trials: Vec<u32>,
    /// What a trial's number completes into its page: `/experiments/NAME/trials/`.
    pub(crate) trial_pages: String,
}

/// Returns the Pareto fronts of several experiments over the objectives `x` and `y`, each in
/// its palette colour: its trials as dots joined by the staircase of what they dominate; each
/// names itself (and its experiment) when pointed at and links to its page. The axes' units
/// are those of experiments of `task`.
pub(crate) fn fronts(series: &[Front], x: Axis<'_>, y: Axis<'_>, task: Task) -> String {
    let label = format!("Pareto fronts of {} and {}", x.0, y.0);
    let all = || {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.0.is_finite() && p.1.is_finite())
    };
    let (x_log, y_log) = (
        log_scale(x.0, all().map(|p| p.0)),
        log_scale(y.0, all().map(|p| p.1)),
    );
    let (Some((x0, x1)), Some((y0, y1))) = (
        padded_range(all().map(|p| place(p.0, x_log))),
        padded_range(all().map(|p| place(p.1, y_log))),
    ) else {
        return super::empty(SIZE, &label, "no completed trials");
    };
    render_marked(SIZE, &label, |root, marks| -> DrawResult {
        let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let mut chart = plane(&plot, ((x0, x1), (y0, y1)), (x, y, task), (x_log, y_log))?;
        let at = |p: (f64, f64)| (place(p.0, x_log), place(p.1, y_log));
        for (i, s) in series.iter().enumerate() {
            let colour = super::palette(i);
            let mut front: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            chart.draw_series(LineSeries::new(
                staircase(&front, x.1, y.1).into_iter().map(at),
                colour.stroke_width(2),
            ))?;
            for &p in &front {
                let pixel = chart.backend_coord(&at(p));
                super::draw_symbol(root, pixel, super::symbol(i), colour, 5, true)?;
            }
            let row = 30 + 22 * i32::try_from(i).unwrap_or(0);
            let marker = Marker::Symbol(super::symbol(i));
            legend_entry(&legend, (8, row), colour, marker, &s.label)?;
            marks.extend(
                s.points
                    .iter()
                    .zip(&s.trials)
                    .filter(|(p, _)| p.0.is_finite() && p.1.is_finite())
                    .map(|(&p, trial)| Mark {
                        href: format!("{}{trial}", s.trial_pages),
                        title: format!(
                            "{} trial {trial}: {} {}, {} {}",
                            s.label,
                            x.0,
                            experiment::named_metric_text(x.0, Some(p.0)),
                            y.0,
                            experiment::named_metric_text(y.0, Some(p.1)),
                        ),
                        shape: Shape::Dot(chart.backend_coord(&at(p)), 6),
                    }),
            );
        }
        Ok(())
    })
}

/// The coordinates of a chart over two objectives.
type Plane<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Returns the chart of two objectives on `plot`: the axes over the positions `xs` and `ys`
/// (logarithms on a log scale), titled with the metrics and which way is better, ticked at
/// the values; the units are those of an experiment of `task`.
fn plane<'a, 'b>(
    plot: &'a super::Area<'b>,
    ((x0, x1), (y0, y1)): ((f64, f64), (f64, f64)),
    (x, y, task): (Axis<'_>, Axis<'_>, Task),
    (x_log, y_log): (bool, bool),
) -> Result<Plane<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(plot)
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(axis_title(x, x_log, task))
        .y_desc(axis_title(y, y_log, task))
        .x_labels(labels(x_log, (x0, x1), 8))
        .y_labels(labels(y_log, (y0, y1), 6))
        .x_label_formatter(&|v| tick(unplace(*v, x_log)))
        .y_label_formatter(&|v| tick(unplace(*v, y_log)))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .label_style(text_style(14))
        .axis_desc_style(text_style(15))
        .draw()?;
    Ok(chart)
}

/// Returns an axis title: the metric, which way is better, and the scale.
fn axis_title(axis: Axis<'_>, log: bool, task: Task) -> String {
    let better = match axis.1 {
        Direction::Maximize => "higher is better",
        Direction::Minimize => "lower is better",
    };
    let scale = if log { ", log scale" } else { "" };
    format!("{} ({better}{scale})", metric_title(axis.0, task))
}

/// Returns whether values spread over orders of magnitude, all positive: drawn on a log scale.
fn log_scale(metric: &str, values: impl Iterator<Item = f64>) -> bool {
    // A fraction (accuracy, F1, ROC AUC) reads on its own scale: one bad trial near 0 would
    // squeeze the good ones into the axis's last tenth.
    if ["accuracy", "f1", "roc_auc"]
        .iter()
        .any(|f| metric.ends_with(f))
    {
        return false;
    }
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    lo > 0.0 && hi / lo > LOG_RATIO
}

/// Returns how many labels to ask of an axis from `low` to `high` (positions): `linear` on a
/// linear one, and on a log scale one per decade, so that they fall on powers of ten.
fn labels(log: bool, (low, high): (f64, f64), linear: usize) -> usize {
    if !log {
        return linear;
    }
    // A log axis spans more than one decade (`LOG_RATIO`) and fewer than 700.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let decades = (high - low).floor().clamp(1.0, 700.0) as usize;
    decades + 1
}

/// Returns where value `v` sits on an axis: itself, or its logarithm on a log scale.
fn place(v: f64, log: bool) -> f64 {
    if log {
        v.log10()
    } else {
        v
    }
}

/// Returns the value at position `v` of an axis (`place` undone), for its ticks.
fn unplace(v: f64, log: bool) -> f64 {
    if log {
        10f64.powf(v)
    } else {
        v
    }
}

/// Returns the staircase through the `front` (sorted by x): between two neighbours it turns at
/// the corner that takes the worse value of each objective, so it bounds what the front
/// dominates. Empty when a point of `front` is beaten on both objectives by another, as a
/// front of three objectives or more, seen in two of them, can be: no staircase bounds it.
fn staircase(front: &[(f64, f64)], x: Direction, y: Direction) -> Vec<(f64, f64)> {
    let worse = |goal: Direction, a: f64, b: f64| match goal {
        Direction::Maximize => a.min(b),
        Direction::Minimize => a.max(b),
    };
    let beats = |q: (f64, f64), p: (f64, f64)| {
        q != p && worse(x, q.0, p.0) == p.0 && worse(y, q.1, p.1) == p.1
    };
    if front.iter().any(|&p| front.iter().any(|&q| beats(q, p))) {
        return Vec::new();
    }
    let mut line = Vec::new();
    for (i, &(px, py)) in front.iter().enumerate() {
        if let Some(&(qx, qy)) = i.checked_sub(1).and_then(|j| front.get(j)) {
            line.push((worse(x, qx, px), worse(y, qy, py)));
        }
        line.push((px, py));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(trial: u32, x: f64, y: f64, on_front: bool) -> ParetoPoint {
        ParetoPoint {
            trial,
            x,
            y,
            on_front,
            feasible: true,
        }
    }

    #[test]
    fn the_staircase_turns_at_the_dominated_corners() {
        // Accuracy up, size down: more accurate models are larger.
        let front = [(0.90, 100.0), (0.95, 400.0), (0.97, 900.0)];
        let line = staircase(&front, Direction::Maximize, Direction::Minimize);
        assert_eq!(
            line,
            [
                (0.90, 100.0),
                (0.90, 400.0),
                (0.95, 400.0),
                (0.95, 900.0),
                (0.97, 900.0)
            ]
        );
    }

    #[test]
    fn a_front_seen_in_two_of_more_objectives_has_no_staircase() {
        // The second point beats the first on both shown objectives (it is on the front by a
        // third one): no staircase bounds that.
        let front = [(0.90, 300.0), (0.95, 200.0), (0.99, 900.0)];
        assert!(staircase(&front, Direction::Maximize, Direction::Minimize).is_empty());
        // Equal points do not beat each other.
        let same = [(0.9, 300.0), (0.9, 300.0)];
        assert_eq!(
            staircase(&same, Direction::Maximize, Direction::Minimize).len(),
            3
        );
        let points = [point(0, 0.90, 300.0, true), point(1, 0.95, 200.0, true)];
        let svg = pareto(
            &points,
            ("val_accuracy", Direction::Maximize),
            ("param_count", Direction::Minimize),
            Task::Classification,
            "/t/",
        );
        assert!(!svg.contains("what the front beats"), "{svg}");
    }

    #[test]
    fn the_chart_labels_the_front_and_uses_a_log_scale_for_spread_values() {
        let points = [
            point(0, 0.90, 1_000.0, true),
            point(1, 0.85, 50_000.0, false),
            point(7, 0.97, 200_000.0, true),
        ];
        let svg = pareto(
            &points,
            ("val_accuracy", Direction::Maximize),
            ("param_count", Direction::Minimize),
            Task::Classification,
            "/t/",
        );
        assert!(svg.contains("aria-label=\"Pareto front of val_accuracy and param_count\""));
        assert!(
            svg.contains("param_count (lower is better, log scale)"),
            "{svg}"
        );
        assert!(svg.contains("val_accuracy (fraction) (higher is better)"));
        // The front's trials are numbered; trial 1, off the front, is not.
        assert!(svg.contains("\n7\n</text>") && svg.contains("\n0\n</text>"));
        assert!(!svg.contains("\n1\n</text>"));
        assert!(svg.contains("dominated"));
        assert!(!svg.contains("breaks a constraint"));
        // Each trial names itself and its values when pointed at, the front's last (on top).
        let marks = svg.split("<g class=\"marks\">").nth(1).unwrap_or_default();
        assert_eq!(super::super::mark_hrefs(&svg), ["/t/1", "/t/0", "/t/7"]);
        assert!(marks.contains(
            "<title>trial 7: val_accuracy 0.9700, param_count 200000 (on the front)</title>"
        ));
        assert!(marks.contains("<title>trial 1: val_accuracy 0.8500, param_count 50000</title>"));
        // Trials at the same values share a label; a fraction is never on a log scale.
        let same = [
            point(3, 0.01, 5_000.0, false),
            point(4, 0.97, 1_000.0, true),
            point(5, 0.97, 1_000.0, true),
            point(6, 0.97, 1_000.0, true),
        ];
        let svg = pareto(
            &same,
            ("val_accuracy", Direction::Maximize),
            ("param_count", Direction::Minimize),
            Task::Classification,
            "/t/",
        );
        assert!(svg.contains("\n4 +2\n</text>"), "{svg}");
        assert!(!svg.contains("\n5\n</text>") && !svg.contains("\n6\n</text>"));
        assert!(!svg.contains("val_accuracy (fraction) (higher is better, log scale)"));
        let none = pareto(
            &[],
            ("a", Direction::Minimize),
            ("b", Direction::Minimize),
            Task::Classification,
            "/t/",
        );
        assert!(none.contains("data-empty=\"true\""));
    }
}
