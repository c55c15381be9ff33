//! Slice plots: the objective against each parameter, one small chart per parameter. Each dot
//! names its trial, value and the parameter's value when pointed at and opens the trial's page
//! when clicked.

use std::collections::BTreeMap;

use experiment::Direction;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, EdgeInk, Past, TrialAxis};
use super::{
    metric_title, padded_range, render_marked, shorten, text_style, tick, trial_title, DrawResult,
    Mark, Scale, Shape, Task, DIM, GRID, PALETTE,
};

/// One parameter's panel: its name, scale, and a point per trial; a categorical value is its
/// category's index.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Slice {
    /// The parameter's name.
    pub(crate) name: String,
    /// Its axis.
    pub(crate) scale: Scale,
    /// The trials that ran to the end.
    pub(crate) points: Vec<SlicePoint>,
    /// The pruned trials, at the value each was stopped with.
    pub(crate) pruned: Vec<SlicePoint>,
}

/// One trial on a slice plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SlicePoint {
    /// The trial's number, which its tooltip names and its page ends with.
    pub(crate) trial: u32,
    /// Its (parameter value, objective value).
    pub(crate) at: (f64, f64),
}

const COLUMNS: u32 = 3;
const PANEL: (u32, u32) = (430, 280);
/// The most characters of the objective's title a panel's height holds.
const Y_TITLE: usize = 30;

/// Returns a grid of slice plots, three per row, with the objective `objective` of an
/// experiment of `task` on every y axis, its direction not known here: as `slices_toward` draws
/// them without a best trial to keep on the axis (the tests' shorthand; the page passes its
/// goal).
#[cfg(test)]
pub(crate) fn slices(slices: &[Slice], objective: &str, task: Task, trial_pages: &str) -> String {
    slices_toward(slices, (objective, None), task, trial_pages)
}

/// Returns a grid of slice plots, three per row, with the objective `objective` of an
/// experiment of `task` on every y axis, whose direction is `goal` where known.
///
/// The y axis is fitted as `axis::trials` fits a chart of trials, with the history's thresholds:
/// logarithmic for a minimized objective over decades, as the history and the parallel
/// coordinates draw it (its title and the chart's label say so); every trial, unless the pruned
/// ones would stretch it to more than `axis::SQUEEZE` times the span of the trials that ran to
/// the end (a pruned trial's value is the one it was stopped with, often after an epoch or two
/// and far below the others, and would squeeze them into a line), and without a finished trial
/// that lies out of reach of the others (a diverged one), never the best toward `goal`. A trial
/// past the axis is a triangle on its edge (`axis::edge_mark`, as on the history): filled for a
/// finished trial, hollow and grey for a pruned one; its tooltip says so. The chart's label
/// counts the trials past the axis over every panel (a panel lacks the trials without its
/// parameter, a conditional one) as `axis::past_notes` words it, naming 3 or fewer. Pruned
/// trials are drawn behind the others, as grey rings on the axis.
///
/// Each dot names its trial, its objective value and the parameter's value when pointed at,
/// and links to the trial's page, `trial_pages` followed by its number.
pub(crate) fn slices_toward(
    slices: &[Slice],
    (objective, goal): (&str, Option<Direction>),
    task: Task,
    trial_pages: &str,
) -> String {
    let label = format!("slice plots of {objective} against each parameter");
    let n = u32::try_from(slices.len()).unwrap_or(0);
    let rows = n.div_ceil(COLUMNS).max(1);
    let size = (PANEL.0 * COLUMNS, PANEL.1 * rows);
    // Every trial once, by number, over all panels (a panel lacks a trial without its
    // parameter): finished ones and pruned ones.
    let trials = |pick: fn(&Slice) -> &Vec<SlicePoint>| -> BTreeMap<u32, f64> {
        slices
            .iter()
            .flat_map(|s| pick(s).iter().map(|p| (p.trial, p.at.1)))
            .collect()
    };
    let (finished, stopped) = (trials(|s| &s.points), trials(|s| &s.pruned));
    let done: Vec<f64> = finished.values().copied().collect();
    let best = goal.and_then(|goal| {
        done.iter()
            .copied()
            .filter(|v| v.is_finite())
            .reduce(|b, v| if goal.improves(v, b, 0.0) { v } else { b })
    });
    let pruned: Vec<f64> = stopped.values().copied().collect();
    let Some(axis) = axis::trials(&done, &pruned, goal, best) else {
        return super::empty((size.0, PANEL.1), &label, "no completed trials");
    };
    // The trials past the axis, each once over every panel.
    let beyond: Vec<(u32, f64, Past)> = finished
        .iter()
        .chain(&stopped)
        .filter(|(_, y)| y.is_finite())
        .filter_map(|(t, y)| Some((*t, *y, axis.at(*y)?.1?)))
        .collect();
    let mut label = label;
    for (_, _, said) in axis::past_notes(&beyond) {
        label.push_str(&format!("; {said}, drawn on its edge"));
    }
    label.push_str(&axis.scale.said("y"));
    // The scale is kept in a title too long for a panel's height; the unit is left off.
    let y_title = Some(axis.scale.title(&metric_title(objective, task)))
        .filter(|t| t.chars().count() <= Y_TITLE)
        .unwrap_or_else(|| axis.scale.title(objective));
    render_marked(size, &label, |root, marks| -> DrawResult {
        let panels = root.split_evenly((
            usize::try_from(rows).unwrap_or(1),
            usize::try_from(COLUMNS).unwrap_or(3),
        ));
        for (slice, panel) in slices.iter().zip(panels.iter()) {
            let dots = panel_chart(slice, panel, axis, &y_title)?;
            marks.extend(dots.into_iter().map(|(point, pruned, centre, past)| Mark {
                href: format!("{trial_pages}{}", point.trial),
                title: format!(
                    "{}{}; {} {}",
                    trial_title(point.trial, (objective, Some(point.at.1)), pruned),
                    past_words(past),
                    slice.name,
                    slice.scale.text(point.at.0)
                ),
                shape: Shape::Dot(centre, 5),
            }));
        }
        Ok(())
    })
}

/// Returns what a trial's tooltip says of its value past the axis on side `past`, on whose
/// edge it is drawn, as the history's says it: `, above the axis`, `, below the axis`, or
/// nothing on it.
fn past_words(past: Option<Past>) -> &'static str {
    match past {
        Some(Past::Above) => ", above the axis",
        Some(Past::Below) => ", below the axis",
        None => "",
    }
}

/// A trial a slice plot drew: its point, whether it was pruned, its mark's centre in the SVG's
/// pixels, and the side of the axis it lies past, if it does.
type Drawn = (SlicePoint, bool, (i32, i32), Option<Past>);

/// Draws one parameter's panel on `panel`, with the objective on `axis`; returns the trials it
/// drew, in the order drawn (the pruned ones first, behind).
fn panel_chart(
    slice: &Slice,
    panel: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    axis: TrialAxis,
    y_title: &str,
) -> Result<Vec<Drawn>, Box<dyn std::error::Error>> {
    let (y0, y1) = axis.range;
    // Log parameters are drawn on log10 of their value, labelled with the value itself.
    let (x0, x1, log) = match &slice.scale {
        Scale::Linear { min, max } | Scale::Whole { min, max } => {
            let (a, b) = padded_range([*min, *max].into_iter()).unwrap_or((0.0, 1.0));
            (a, b, false)
        }
        Scale::Log { min, max } if *min > 0.0 && *max > 0.0 => {
            let (a, b) = padded_range([min.log10(), max.log10()].into_iter()).unwrap_or((0.0, 1.0));
            (a, b, true)
        }
        Scale::Log { .. } => (0.0, 1.0, false),
        Scale::Categories(names) => (-0.5, names.len() as f64 - 0.5, false),
    };
    let categories = match &slice.scale {
        Scale::Categories(names) => Some(names),
        _ => None,
    };
    let x_title = if log {
        format!("{} (log scale)", slice.name)
    } else {
        slice.name.clone()
    };
    let mut chart = ChartBuilder::on(panel)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(62)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    // Whole powers of ten where the axis has one (10^-2.5 would read 0.003162), else every tick.
    let has_power = x1.floor() >= x0.ceil();
    let log_ticks = |v: &f64| {
        let whole = v.round();
        if !has_power {
            tick(10f64.powf(*v))
        } else if (v - whole).abs() < 1e-9 {
            tick(10f64.powf(whole))
        } else {
            String::new()
        }
    };
    let plain_ticks = |v: &f64| tick(*v);
    let digits = axis.scale.digits((y0, y1));
    let y_ticks = |v: &f64| axis.scale.tick(*v, (y0, y1), digits);
    // An integer parameter's axis names whole numbers only (plotters ticks 1.5 between 1 and 2).
    let whole_ticks = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 {
            tick(v.round())
        } else {
            String::new()
        }
    };
    let whole = matches!(slice.scale, Scale::Whole { .. });
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(shorten(&x_title, 40))
        .y_desc(shorten(y_title, Y_TITLE))
        .y_labels(5)
        .y_label_formatter(&y_ticks)
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .label_style(text_style(13))
        .axis_desc_style(text_style(14));
    if categories.is_some() {
        mesh.x_labels(0).disable_x_mesh();
    } else if log {
        mesh.x_labels(5).x_label_formatter(&log_ticks);
    } else if whole {
        mesh.x_labels(5).x_label_formatter(&whole_ticks);
    } else {
        mesh.x_labels(5).x_label_formatter(&plain_ticks);
    }
    mesh.draw()?;
    if let Some(names) = categories {
        let every = names.len().div_ceil(6).max(1);
        // The chart gives coordinates on the whole SVG; the panel draws from its own corner.
        let (px, py) = panel.get_base_pixel();
        for (i, name) in names.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let (x, y) = chart.backend_coord(&(i as f64, y0));
            let (x, y) = (x - px, y - py);
            panel.draw(&PathElement::new(
                vec![(x, y), (x, y + 4)],
                BLACK.stroke_width(1),
            ))?;
            panel.draw(&Text::new(
                shorten(name, 10),
                (x, y + 6),
                text_style(13).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
    }
    let jitter = |k: usize| ((k * 7919) % 101) as f64 / 101.0 * 0.5 - 0.25;
    // Where a point goes, and the side of the axis it lies past: `None` off a log parameter
    // axis or for a value that is not a finite number.
    let place = |k: usize, (x, y): (f64, f64)| -> Option<((f64, f64), Option<Past>)> {
        let x = match (&slice.scale, log) {
            (_, true) if x > 0.0 => x.log10(),
            (_, true) => return None,
            (Scale::Categories(_), _) => x + jitter(k),
            _ => x,
        };
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let (y, past) = axis.at(y)?;
        Some(((x, y), past))
    };
    let placed =
        |points: &[SlicePoint], shift: usize| -> Vec<(SlicePoint, (f64, f64), Option<Past>)> {
            points
                .iter()
                .enumerate()
                .filter_map(|(k, &point)| {
                    let (at, past) = place(shift + k, point.at)?;
                    Some((point, at, past))
                })
                .collect()
        };
    let pruned = placed(&slice.pruned, slice.points.len());
    let completed = placed(&slice.points, 0);
    // On the axis: pruned trials as grey rings, behind; finished ones as dots, as the history
    // marks them.
    chart.draw_series(
        pruned
            .iter()
            .filter(|(_, _, past)| past.is_none())
            .map(|(_, at, _)| Circle::new(*at, 3, DIM.stroke_width(1))),
    )?;
    let colour = PALETTE[0].mix(0.6).filled();
    chart.draw_series(
        completed
            .iter()
            .filter(|(_, _, past)| past.is_none())
            .map(|(_, at, _)| Circle::new(*at, 3, colour)),
    )?;
    // Past the axis: a triangle on its edge pointing the way it lies, hollow and grey for a
    // pruned trial, as the history marks one. The chart gives coordinates on the whole SVG; the
    // panel draws from its own corner.
    let (px, py) = panel.get_base_pixel();
    let kinds = [
        (&pruned, EdgeInk::Hollow),
        (&completed, EdgeInk::Filled(PALETTE[0])),
    ];
    for (group, ink) in kinds {
        for (_, at, past) in group.iter() {
            if let Some(side) = past {
                let (x, y) = chart.backend_coord(at);
                axis::edge_mark(panel, (x - px, y - py), *side, ink)?;
            }
        }
    }
    let drawn = pruned
        .into_iter()
        .map(|(point, at, past)| (point, true, chart.backend_coord(&at), past))
        .chain(
            completed
                .into_iter()
                .map(|(point, at, past)| (point, false, chart.backend_coord(&at), past)),
        )
        .collect();
    Ok(drawn)
}
