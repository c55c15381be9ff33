//! Optimization history: every trial's objective by trial number, and the best so far.

use experiment::{Direction, TrialState};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, EdgeInk, Past};
use super::curves::within;
use super::{
    is_fraction, legend_entry, metric_title, render_marked, text_style, tick, trial_tick,
    DrawResult, Mark, Marker, Shape, Task, DIM, GRID, PALETTE,
};
use crate::downsample;

/// One trial on the history chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HistoryPoint {
    /// The trial number.
    pub(crate) trial: u32,
    /// Its objective value.
    pub(crate) value: f64,
    /// Completed or pruned (others are not drawn).
    pub(crate) state: TrialState,
    /// Whether it meets the experiment's constraints.
    pub(crate) feasible: bool,
}

const SIZE: (u32, u32) = (1300, 360);
/// Buckets per state: at most twice as many points are drawn of each.
const BUCKETS: usize = 700;
const LEGEND_WIDTH: u32 = 150;
/// What the legend names a pruned trial past the axis by, beside its mark (a hollow triangle).
pub(crate) const PRUNED_ON_EDGE: &str = "pruned, on its edge";

/// Returns the history chart: completed trials as dots, pruned ones as grey rings, completed
/// ones that break a constraint as crosses, the best completed value so far that meets the
/// constraints as a step line, and the objective's `target`, if any, as a dashed line;
/// `points` are in trial order. Each trial drawn names itself and its value when pointed at
/// and links to its page, `trial_pages` followed by its number. The objective's unit is that of
/// an experiment of `task`. The y axis is fitted as `axis::trials` fits a chart of trials (a
/// log one for a minimized objective over decades, as the slice plots and the parallel
/// coordinates fit the objective's); a trial past it (one that diverged) is a triangle on its
/// edge, hollow and grey for a pruned one as on the slice plots, its tooltip saying so, and the
/// legend and the label count them (the legend names the hollow one, `PRUNED_ON_EDGE`).
pub(crate) fn history(
    points: &[HistoryPoint],
    objective: &str,
    goal: Direction,
    target: Option<f64>,
    task: Task,
    trial_pages: &str,
) -> String {
    let label = format!("optimization history of {objective}");
    let finite: Vec<&HistoryPoint> = points
        .iter()
        .filter(|p| {
            p.value.is_finite() && matches!(p.state, TrialState::Completed | TrialState::Pruned)
        })
        .collect();
    if !finite.iter().any(|p| p.state == TrialState::Completed) {
        return super::empty(SIZE, &label, "no completed trials");
    }
    let values = |keep: &dyn Fn(&HistoryPoint) -> bool| -> Vec<f64> {
        finite.iter().filter(|p| keep(p)).map(|p| p.value).collect()
    };
    let finished: Vec<f64> = values(&|p| p.state == TrialState::Completed)
        .into_iter()
        .chain(target)
        .collect();
    let Some(mut axis) = axis::trials(
        &finished,
        &values(&|p| p.state == TrialState::Pruned),
        Some(goal),
        best_point(&finite, goal).map(|p| p.value),
    ) else {
        return super::empty(SIZE, &label, "no completed trials");
    };
    // A fraction's padded axis stops at 0 and 1 (one trial at 0.97 passed 1), where every
    // value drawn lies between them.
    let drawn = finite.iter().map(|p| p.value).chain(target);
    if is_fraction(objective, task)
        && axis.scale == axis::YAxis::Linear
        && drawn.into_iter().all(|v| (0.0..=1.0).contains(&v))
    {
        let (lo, hi) = axis.range;
        axis.range = (lo.max(0.0), hi.min(1.0));
    }
    let (y0, y1) = axis.range;
    // The trials on the axis, at their places; those past it (a diverged trial's 3e30), on
    // its edge, each marked apart.
    let mut on: Vec<(&HistoryPoint, f64)> = Vec::new();
    let mut past: Vec<(&HistoryPoint, Past)> = Vec::new();
    for p in &finite {
        match axis.at(p.value) {
            Some((place, None)) => on.push((p, place)),
            Some((_, Some(side))) => past.push((p, side)),
            None => {}
        }
    }
    let of = |keep: &dyn Fn(&HistoryPoint) -> bool| -> Vec<(f64, f64)> {
        let xy: Vec<(f64, f64)> = on
            .iter()
            .filter(|(p, _)| keep(p))
            .map(|(p, place)| (f64::from(p.trial), *place))
            .collect();
        downsample::min_max(&xy, BUCKETS)
    };
    let completed = of(&|p| p.state == TrialState::Completed && p.feasible);
    let infeasible = of(&|p| p.state == TrialState::Completed && !p.feasible);
    // Pruned trials are rings whether or not they meet the constraints.
    let pruned = of(&|p| p.state == TrialState::Pruned);
    // What the legend counts and the label says (naming a few) of the trials past the axis.
    let mut label = format!("{label}, {}", best_of(&finite, goal, objective));
    let beyond: Vec<(u32, f64, Past)> = past
        .iter()
        .map(|(p, side)| (p.trial, p.value, *side))
        .collect();
    let mut notes: Vec<(Past, String)> = Vec::new();
    for (side, note, said) in axis::past_notes(&beyond) {
        label.push_str(&format!("; {said}, drawn on its edge"));
        notes.push((side, note));
    }
    label.push_str(&axis.scale.said("y"));
    let best: Vec<(f64, f64)> = best_so_far(&finite, goal)
        .into_iter()
        .map(|(x, y)| (x, axis.scale.place(y)))
        .collect();
    let last = finite.iter().map(|p| p.trial).max().unwrap_or(0);
    let digits = axis.scale.digits((y0, y1));
    let y_title = axis.scale.title(&metric_title(objective, task));
    render_marked(SIZE, &label, |root, marks| -> DrawResult {
        let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(-0.5..f64::from(last) + 0.5, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("trial number")
            .y_desc(y_title.as_str())
            .x_labels(10)
            .y_labels(6)
            .x_label_formatter(&|v| trial_tick(*v))
            .y_label_formatter(&|v| axis.scale.tick(*v, (y0, y1), digits))
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .label_style(text_style(14))
            .axis_desc_style(text_style(15))
            .draw()?;
        chart.draw_series(
            pruned
                .iter()
                .map(|&p| Circle::new(p, 3, DIM.stroke_width(1))),
        )?;
        chart.draw_series(
            completed
                .iter()
                .map(|&p| Circle::new(p, 3, PALETTE[0].mix(0.75).filled())),
        )?;
        chart.draw_series(
            infeasible
                .iter()
                .map(|&p| Cross::new(p, 3, PALETTE[3].stroke_width(2))),
        )?;
        for piece in within(&best, y0, y1) {
            chart.draw_series(LineSeries::new(piece, PALETTE[1].stroke_width(2)))?;
        }
        // A trial past the axis: a triangle on its edge pointing the way it lies, in the
        // colour of its kind (hollow for a pruned one).
        for (p, side) in &past {
            let edge = if *side == Past::Above { y1 } else { y0 };
            let at = chart.backend_coord(&(f64::from(p.trial), edge));
            let ink = match (p.state, p.feasible) {
                (TrialState::Pruned, _) => EdgeInk::Hollow,
                (_, true) => EdgeInk::Filled(PALETTE[0]),
                (_, false) => EdgeInk::Filled(PALETTE[3]),
            };
            axis::edge_mark(root, at, *side, ink)?;
            let note = match (p.state, p.feasible) {
                (TrialState::Pruned, _) => " (pruned)",
                (_, false) => " (breaks a constraint)",
                _ => "",
            };
            let side = if *side == Past::Above {
                "above"
            } else {
                "below"
            };
            marks.push(Mark {
                href: format!("{trial_pages}{}", p.trial),
                title: format!(
                    "trial {}: {objective} {}{note}, {side} the axis",
                    p.trial,
                    experiment::named_metric_text(objective, Some(p.value))
                ),
                shape: Shape::Dot(at, 5),
            });
        }
        let groups = [
            (&pruned, " (pruned)"),
            (&infeasible, " (breaks a constraint)"),
            (&completed, ""),
        ];
        for (group, note) in groups {
            marks.extend(group.iter().map(|&(x, y)| {
                // x is a trial number, drawn from a u32.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let trial = x as u32;
                Mark {
                    href: format!("{trial_pages}{trial}"),
                    title: format!(
                        "trial {trial}: {objective} {}{note}",
                        experiment::named_metric_text(objective, Some(axis.scale.value(y)))
                    ),
                    shape: Shape::Dot(chart.backend_coord(&(x, y)), 5),
                }
            }));
        }
        if let Some(t) = target
            .map(|t| axis.scale.place(t))
            .filter(|t| (y0..=y1).contains(t))
        {
            chart.draw_series(DashedLineSeries::new(
                [(-0.5, t), (f64::from(last) + 0.5, t)],
                8,
                5,
                PALETTE[2].stroke_width(2),
            ))?;
        }
        let mut y = 30;
        legend_entry(&legend, (8, y), PALETTE[0], Marker::Dot, "completed trial")?;
        if !infeasible.is_empty() {
            y += 22;
            legend_entry(
                &legend,
                (8, y),
                PALETTE[3],
                Marker::Cross,
                "breaks a constraint",
            )?;
        }
        if !pruned.is_empty() {
            y += 22;
            legend_entry(&legend, (8, y), DIM, Marker::Ring, "pruned trial")?;
        }
        y += 22;
        let title = match goal {
            Direction::Maximize => "best so far (max)",
            Direction::Minimize => "best so far (min)",
        };
        legend_entry(&legend, (8, y), PALETTE[1], Marker::Line(2), title)?;
        if let Some(t) = target {
            y += 22;
            let label = format!("target ({} {})", goal.reach_sign(), tick(t));
            legend_entry(&legend, (8, y), PALETTE[2], Marker::Line(2), &label)?;
        }
        for (side, note) in &notes {
            let arrow = if *side == Past::Above { "▲" } else { "▼" };
            let (count, rest) = note.split_once(" the axis, ").unwrap_or((note, ""));
            y += 30;
            for line in [
                format!("{arrow} {count} the axis,"),
                "drawn on its edge,".to_string(),
                rest.to_string(),
            ] {
                legend.draw(&Text::new(line, (8, y), text_style(13)))?;
                y += 17;
            }
        }
        if past.iter().any(|(p, _)| p.state == TrialState::Pruned) {
            // The mark of a pruned trial on the edge, named as the slice plots draw it too.
            y += 6;
            axis::edge_mark(&legend, (17, y + 2), Past::Above, EdgeInk::Hollow)?;
            let style = text_style(13).pos(Pos::new(HPos::Left, VPos::Center));
            legend.draw(&Text::new(PRUNED_ON_EDGE, (32, y), style))?;
            y += 17;
        }
        let drawn = completed.len() + infeasible.len() + pruned.len() + past.len();
        if drawn < finite.len() {
            // Downsampled: say so, as the other charts say what sample they draw.
            y += 30;
            for line in [
                format!("{drawn} of {} trials", finite.len()),
                "drawn: each run of".to_string(),
                "trials shows its".to_string(),
                "lowest and highest".to_string(),
            ] {
                legend.draw(&Text::new(line, (8, y), text_style(13)))?;
                y += 17;
            }
        }
        Ok(())
    })
}

/// Returns the best completed trial among `points` that meets the constraints, toward `goal`
/// (the first to reach its value); `None` where none does.
fn best_point<'a>(points: &[&'a HistoryPoint], goal: Direction) -> Option<&'a HistoryPoint> {
    let mut best: Option<&HistoryPoint> = None;
    for p in points
        .iter()
        .filter(|p| p.state == TrialState::Completed && p.feasible)
    {
        if best.is_none_or(|b| goal.improves(p.value, b.value, 0.0)) {
            best = Some(p);
        }
    }
    best
}

/// Returns what the history chart's label says of its content: how many trials it draws and
/// the best completed value of `objective` that meets the constraints (`best_point`), with its
/// trial, `12 trials, best 0.9100 at trial 7`; or that none meets them.
fn best_of(points: &[&HistoryPoint], goal: Direction, objective: &str) -> String {
    let best = best_point(points, goal);
    let trials = experiment::counted(
        u64::try_from(points.len()).unwrap_or(u64::MAX),
        "trial",
        "trials",
    );
    match best {
        Some(b) => format!(
            "{trials}, best {} at trial {}",
            experiment::named_metric_text(objective, Some(b.value)),
            b.trial
        ),
        None => format!("{trials}, none completed meets the constraints"),
    }
}

/// Returns the step line of the best completed value so far that meets the constraints, from
/// the first such trial to the last trial.
fn best_so_far(points: &[&HistoryPoint], goal: Direction) -> Vec<(f64, f64)> {
    let completed: Vec<(u32, f64)> = points
        .iter()
        .filter(|p| p.state == TrialState::Completed && p.feasible)
        .map(|p| (p.trial, p.value))
        .collect();
    best_line(&completed, points.iter().map(|p| p.trial).max(), goal)
}

/// Returns the step line of the best value so far of `completed` (trial number and value, in
/// trial order), flat between the trials that improved it and on to trial `last`.
pub(crate) fn best_line(
    completed: &[(u32, f64)],
    last: Option<u32>,
    goal: Direction,
) -> Vec<(f64, f64)> {
    let mut line = Vec::new();
    let mut best: Option<f64> = None;
    for &(trial, value) in completed {
        let x = f64::from(trial);
        match best {
            None => line.push((x, value)),
            Some(b) if goal.improves(value, b, 0.0) => {
                line.push((x, b));
                line.push((x, value));
            }
            Some(_) => continue,
        }
        best = Some(value);
    }
    if let (Some(b), Some(last)) = (best, last) {
        line.push((f64::from(last), b));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(trial: u32, value: f64, state: TrialState) -> HistoryPoint {
        HistoryPoint {
            trial,
            value,
            state,
            feasible: true,
        }
    }

    #[test]
    fn best_so_far_steps_only_on_completed_improvements() {
        let points = [
            point(0, 0.5, TrialState::Completed),
            point(1, 0.9, TrialState::Pruned),
            point(2, 0.7, TrialState::Completed),
            point(3, 0.6, TrialState::Completed),
        ];
        let refs: Vec<&HistoryPoint> = points.iter().collect();
        assert_eq!(
            best_so_far(&refs, Direction::Maximize),
            [(0.0, 0.5), (2.0, 0.5), (2.0, 0.7), (3.0, 0.7)]
        );
        assert_eq!(
            best_so_far(&refs, Direction::Minimize),
            [(0.0, 0.5), (3.0, 0.5)]
        );
    }

    #[test]
    fn trials_that_break_a_constraint_are_crosses_and_never_the_best() {
        let mut points = vec![
            point(0, 0.5, TrialState::Completed),
            point(1, 0.9, TrialState::Completed),
            point(2, 0.7, TrialState::Completed),
        ];
        points[1].feasible = false;
        let refs: Vec<&HistoryPoint> = points.iter().collect();
        assert_eq!(
            best_so_far(&refs, Direction::Maximize),
            [(0.0, 0.5), (2.0, 0.5), (2.0, 0.7), (2.0, 0.7)]
        );
        let svg = history(
            &points,
            "val_accuracy",
            Direction::Maximize,
            None,
            Task::Classification,
            "/t/",
        );
        assert!(svg.contains("breaks a constraint"), "{svg}");
        points[1].feasible = true;
        let svg = history(
            &points,
            "val_accuracy",
            Direction::Maximize,
            None,
            Task::Classification,
            "/t/",
        );
        assert!(!svg.contains("breaks a constraint"));
    }
}
