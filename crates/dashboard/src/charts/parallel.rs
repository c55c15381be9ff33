//! Parallel coordinates: one vertical axis per parameter and one for the objective, one line per
//! trial, coloured by its objective value. Each line names its trial, value and parameters when
//! pointed at and opens the trial's page when clicked.

use experiment::Direction;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, Past, YAxis};
use super::colour_bar::{colour_bar, colour_bar_margin};
use super::dashes::{Dashes, BRIDGE};
use super::scale::{position, ticks};
use super::{
    rank_colour, render_marked, shorten, text_style, trial_title, DrawResult, Mark, Scale, Shape,
    TEXT,
};

/// The most lines drawn all at nearly full strength; past them the worst fade.
const FEW_LINES: usize = 30;

/// One axis: its title and scale. The objective's axis is the last one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParAxis {
    /// What the axis shows (a parameter's name, the objective's), as its trials' tooltips name
    /// it; drawn above the axis, with ` (log)` after it on a log axis (`heading`).
    pub(crate) title: String,
    /// How values map to heights.
    pub(crate) scale: Scale,
}

impl ParAxis {
    /// Returns the text drawn for the axis: its title, and ` (log)` on a log axis.
    pub(crate) fn heading(&self) -> String {
        match self.scale {
            Scale::Log { .. } => format!("{} (log)", self.title),
            _ => self.title.clone(),
        }
    }
}

/// One trial: a value per axis (a category's index on categorical axes), and its goodness in
/// [0, 1] (1 best), which picks its colour and draw order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParLine {
    /// The trial's number, which its tooltip names and its page ends with.
    pub(crate) trial: u32,
    /// Its objective's value, as its tooltip gives it.
    pub(crate) value: Option<f64>,
    /// One value per axis; `None` where the trial lacks it (a conditional parameter), which
    /// its line bridges dashed.
    pub(crate) values: Vec<Option<f64>>,
    /// 0 for the worst trial drawn, 1 for the best.
    pub(crate) goodness: f64,
    /// Whether the trial was pruned: its value is the one it was stopped with. The pairs draw
    /// it as a ring; parallel coordinates draw it faint.
    pub(crate) pruned: bool,
}

const HEIGHT: u32 = 400;
const TOP: i32 = 56;
const BOTTOM: i32 = 24;
const LEFT: i32 = 80;
/// The least width of the colour bar's margin; a wider label widens it (`colour_bar_margin`).
const COLOUR_BAR: i32 = 110;
/// The most parameters a line's tooltip names.
const NAMED_PARAMS: usize = 6;

/// Returns the parallel-coordinates chart, `width` pixels wide; `best_label` and `worst_label`
/// caption the colour bar's ends. Each line names its trial, its objective (the last axis's)
/// value and its parameters when pointed at, and links to the trial's page, `trial_pages`
/// followed by its number.
pub(crate) fn parallel(
    axes: &[ParAxis],
    lines: &[ParLine],
    width: u32,
    (best_label, worst_label): (&str, &str),
    trial_pages: &str,
) -> String {
    let size = (width, HEIGHT);
    let mut label = "parallel coordinates of parameters and objective".to_string();
    if axes.len() < 2 || lines.is_empty() {
        return super::empty(size, &label, "no completed trials");
    }
    let (axes, past) = fit_objective(axes, lines);
    let axes = axes.as_slice();
    // What the chart counts under the axis and the label says (naming a few) of the lines past
    // the objective's axis.
    let beyond: Vec<(u32, f64, Past)> = past
        .iter()
        .filter_map(|(line, side)| {
            Some((line.trial, line.values.last().copied().flatten()?, *side))
        })
        .collect();
    let mut notes: Vec<(Past, String)> = Vec::new();
    for (side, note, said) in axis::past_notes(&beyond) {
        label.push_str(&format!("; objective: {said}, drawn on its edge"));
        notes.push((side, note));
    }
    if let Some(ParAxis {
        scale: Scale::Log { .. },
        ..
    }) = axes.last()
    {
        label.push_str(&YAxis::Log.said("objective"));
    }
    let w = i32::try_from(width).unwrap_or(1000);
    let h = i32::try_from(HEIGHT).unwrap_or(400);
    // The colour bar's margin holds its labels, centred on it.
    let margin = colour_bar_margin(COLOUR_BAR, (best_label, worst_label));
    let span = w - LEFT - margin - 20;
    let step = span / i32::try_from(axes.len() - 1).unwrap_or(1).max(1);
    let x_of = |i: usize| LEFT + step * i32::try_from(i).unwrap_or(0);
    let y_of = |t: f64| -> i32 {
        let t = t.clamp(0.0, 1.0);
        // A pixel row inside the chart.
        #[allow(clippy::cast_possible_truncation)]
        let y = (f64::from(h - BOTTOM) - t * f64::from(h - BOTTOM - TOP)).round() as i32;
        y
    };
    // Pruned trials first, behind; then the best on top.
    let mut order: Vec<&ParLine> = lines.iter().collect();
    order.sort_by(|a, b| {
        b.pruned
            .cmp(&a.pruned)
            .then(a.goodness.total_cmp(&b.goodness))
    });
    let floor = if lines.len() <= FEW_LINES { 0.7 } else { 0.25 };
    // The bridges, dashed once the chart is drawn.
    let mut dashes = Dashes::default();
    let svg = render_marked(size, &label, |root, marks| -> DrawResult {
        for line in &order {
            let colour = rank_colour(line.goodness);
            // A pruned trial's value is the one it was stopped with: faint, behind the lines of
            // trials that ran to the end.
            // Among many lines, the worst fade so that the best show through; a few lines
            // do not hide one another, and each stays plain to see.
            let opacity = if line.pruned {
                floor * 0.4 + 0.15 * line.goodness
            } else {
                floor + (0.85 - floor) * line.goodness
            };
            let style = colour.mix(opacity).stroke_width(1);
            let trace = trace(axes, line, |i, t| (x_of(i), y_of(t)));
            for run in &trace.runs {
                root.draw(&PathElement::new(run.clone(), style))?;
            }
            for bridge in &trace.bridges {
                dashes.draw(root, bridge, colour.mix(opacity), BRIDGE)?;
            }
            for dot in &trace.dots {
                root.draw(&Circle::new(*dot, 2, colour.mix(opacity.max(0.5)).filled()))?;
            }
            let href = format!("{trial_pages}{}", line.trial);
            let mut title = describe(axes, line);
            if let Some((_, side)) = past.iter().find(|(l, _)| l.trial == line.trial) {
                let y = if *side == Past::Above {
                    TOP
                } else {
                    h - BOTTOM
                };
                let x = x_of(axes.len() - 1);
                let tip = if *side == Past::Above { -6 } else { 6 };
                root.draw(&Polygon::new(
                    vec![(x, y + tip), (x - 4, y), (x + 4, y)],
                    colour.mix(opacity.max(0.5)).filled(),
                ))?;
                title = title.replacen(
                    ';',
                    match side {
                        Past::Above => ", above the axis;",
                        Past::Below => ", below the axis;",
                    },
                    1,
                );
            }
            marks.push(Mark {
                href,
                title,
                shape: match trace.points.as_slice() {
                    [only] => Shape::Dot(*only, 4),
                    _ => Shape::Line(vec![trace.points]),
                },
            });
        }
        // Axis titles alternate between two rows when neighbours would collide.
        let stagger = step < 110;
        for (i, axis) in axes.iter().enumerate() {
            let x = x_of(i);
            root.draw(&PathElement::new(
                vec![(x, TOP), (x, h - BOTTOM)],
                TEXT.stroke_width(1),
            ))?;
            let row = if stagger && i % 2 == 1 { 18 } else { 0 };
            root.draw(&Text::new(
                shorten(&axis.heading(), if stagger { 26 } else { 18 }),
                (x, 14 + row),
                text_style(14).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
            for (t, text) in ticks(&axis.scale) {
                let y = y_of(t);
                root.draw(&PathElement::new(
                    vec![(x - 4, y), (x, y)],
                    TEXT.stroke_width(1),
                ))?;
                if text.is_empty() {
                    continue;
                }
                // A white box behind the label keeps it readable over the lines.
                let chars = i32::try_from(shorten(&text, 12).chars().count()).unwrap_or(12);
                root.draw(&Rectangle::new(
                    [(x - 8 - 7 * chars, y - 7), (x - 5, y + 7)],
                    WHITE.mix(0.85).filled(),
                ))?;
                root.draw(&Text::new(
                    shorten(&text, 12),
                    (x - 6, y),
                    text_style(12).pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
            }
        }
        // What lies past the objective's axis, under it: how many each way.
        let counts: Vec<String> = notes
            .iter()
            .map(|(side, note)| {
                let arrow = if *side == Past::Above { "▲" } else { "▼" };
                let count = note.split(" the axis").next().unwrap_or(note);
                format!("{arrow} {count}")
            })
            .collect();
        if !counts.is_empty() {
            // Ending left of the axis, clear of the colour bar's caption under it.
            root.draw(&Text::new(
                format!("{} the axis", counts.join(", ")),
                (x_of(axes.len() - 1) - 14, h - BOTTOM + 8),
                text_style(11).pos(Pos::new(HPos::Right, VPos::Top)),
            ))?;
        }
        // The colour bar, in the middle of its own margin on the right.
        colour_bar(
            root,
            w - margin / 2 - 7,
            (TOP, h - BOTTOM),
            (best_label, worst_label),
        )
    });
    dashes.fill_in(svg)
}

/// Returns `axes` with the objective's (the last) fitted to `lines` as `axis::trials` fits the
/// history's and the slice plots' value axes (never without the best completed line, the one of
/// the greatest goodness), and the lines then past it, each with its side.
///
/// A log objective scale is a minimized metric's (`axis::objective_scale` gives one only to a
/// minimized metric over decades), so it is fitted as one, and the same losses get the same
/// scale here as on the history; a linear one, as a metric whose direction is not known. The
/// objective's scale becomes the fitted one where some line lies past it (one diverged trial's
/// 3e30 flattens every other line onto its bottom) or where it is of another kind than the one
/// given; else it stays as given, from the least value to the greatest. Other axes, and an
/// objective's of another kind (whole numbers, categories), are as given, none past.
fn fit_objective<'a>(
    axes: &[ParAxis],
    lines: &'a [ParLine],
) -> (Vec<ParAxis>, Vec<(&'a ParLine, Past)>) {
    let mut axes = axes.to_vec();
    let Some(objective) = axes.last_mut() else {
        return (axes, Vec::new());
    };
    let (given, goal) = match objective.scale {
        Scale::Linear { .. } => (YAxis::Linear, None),
        Scale::Log { .. } => (YAxis::Log, Some(Direction::Minimize)),
        _ => return (axes, Vec::new()),
    };
    let values = |pruned: bool| -> Vec<f64> {
        lines
            .iter()
            .filter(|l| l.pruned == pruned)
            .filter_map(|l| l.values.last().copied().flatten())
            .collect()
    };
    // The best line: the completed trial ranked first (pruned ones rank after completed ones).
    let best = lines
        .iter()
        .filter(|l| !l.pruned)
        .filter_map(|l| Some((l.goodness, l.values.last().copied().flatten()?)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v);
    let Some(fitted) = axis::trials(&values(false), &values(true), goal, best) else {
        return (axes, Vec::new());
    };
    let past: Vec<(&ParLine, Past)> = lines
        .iter()
        .filter_map(|l| {
            let v = l.values.last().copied().flatten()?;
            Some((l, fitted.at(v)?.1?))
        })
        .collect();
    if !past.is_empty() || fitted.scale != given {
        let (lo, hi) = fitted.range;
        let (min, max) = (fitted.scale.value(lo), fitted.scale.value(hi));
        objective.scale = match fitted.scale {
            YAxis::Linear => Scale::Linear { min, max },
            YAxis::Log => Scale::Log { min, max },
        };
    }
    (axes, past)
}

/// How one trial's line is drawn, in pixels.
#[derive(Debug, Clone, PartialEq, Default)]
struct Trace {
    /// Every value it has, axis by axis: the path its mark follows.
    points: Vec<(i32, i32)>,
    /// Solid runs across neighbouring axes that both have its value.
    runs: Vec<Vec<(i32, i32)>>,
    /// Dashed bridges from a value to the next over the axes between that lack one.
    bridges: Vec<[(i32, i32); 2]>,
    /// Values on no solid run (both neighbours missing), each marked with a dot so that it is
    /// seen.
    dots: Vec<(i32, i32)>,
}

/// Returns how `line` is drawn, the `i`-th axis's value at `t` (0 bottom, 1 top) at `pixel(i,
/// t)`. A value missing (a conditional parameter the trial lacks) or off its axis is bridged:
/// the line runs dashed from the value before it to the value after it, and a value with
/// neither neighbour is a dot, so that every value a trial has is drawn.
fn trace(axes: &[ParAxis], line: &ParLine, pixel: impl Fn(usize, f64) -> (i32, i32)) -> Trace {
    let present: Vec<(usize, (i32, i32))> = axes
        .iter()
        .zip(&line.values)
        .enumerate()
        .filter_map(|(i, (axis, value))| Some((i, pixel(i, position(&axis.scale, (*value)?)?))))
        .collect();
    let mut trace = Trace {
        points: present.iter().map(|(_, p)| *p).collect(),
        ..Trace::default()
    };
    let mut run: Vec<(i32, i32)> = Vec::new();
    for pair in present.windows(2) {
        let [(i, a), (j, b)] = [pair[0], pair[1]];
        if j == i + 1 {
            if run.is_empty() {
                run.push(a);
            }
            run.push(b);
        } else {
            if run.len() > 1 {
                trace.runs.push(std::mem::take(&mut run));
            }
            trace.bridges.push([a, b]);
        }
    }
    if run.len() > 1 {
        trace.runs.push(run);
    }
    trace.dots = present
        .iter()
        .enumerate()
        .filter(|(k, (i, _))| {
            let before = k.checked_sub(1).and_then(|k| present.get(k));
            let after = present.get(k + 1);
            before.is_none_or(|(b, _)| b + 1 != *i) && after.is_none_or(|(a, _)| *a != i + 1)
        })
        .map(|(_, (_, p))| *p)
        .collect();
    trace
}

/// Returns a line's tooltip: its trial, its objective (the last axis) and value, then the
/// parameters it has, at most `NAMED_PARAMS` of them (`trial 12: val_accuracy 0.9805; lr
/// 0.0012, hidden 256`).
fn describe(axes: &[ParAxis], line: &ParLine) -> String {
    let Some((objective, params)) = axes.split_last() else {
        return format!("trial {}", line.trial);
    };
    let named: Vec<String> = params
        .iter()
        .zip(&line.values)
        .filter_map(|(axis, v)| Some(format!("{} {}", axis.title, axis.scale.text((*v)?))))
        .collect();
    let mut title = trial_title(line.trial, (&objective.title, line.value), line.pruned);
    if !named.is_empty() {
        title.push_str("; ");
        title.push_str(&named[..named.len().min(NAMED_PARAMS)].join(", "));
    }
    if named.len() > NAMED_PARAMS {
        title.push_str(&format!(" and {} more", named.len() - NAMED_PARAMS));
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bridges_are_dashed_beside_every_other_mark_of_the_chart() {
        // Lines of every kind the chart draws: whole ones, a pruned one, one past the
        // objective's axis (an arrowhead), one bridged over a parameter it lacks, a lone
        // value (a dot); the colour bar, ticks and labels besides. Only the bridge is dashed,
        // as a line of class `bridge` in its trial's colour and strength.
        let linear = |title: &str| ParAxis {
            title: title.into(),
            scale: Scale::Linear { min: 0.0, max: 1.0 },
        };
        let axes = [linear("a"), linear("b"), linear("c"), linear("loss")];
        let line = |trial: u32, values: [Option<f64>; 4], goodness: f64, pruned: bool| ParLine {
            trial,
            value: values[3],
            values: values.to_vec(),
            goodness,
            pruned,
        };
        let lines = [
            line(1, [Some(0.1), Some(0.2), Some(0.3), Some(0.4)], 1.0, false),
            line(2, [Some(0.5), Some(0.5), Some(0.5), Some(0.5)], 0.8, false),
            line(3, [Some(0.9), Some(0.1), Some(0.9), Some(0.9)], 0.0, true),
            line(4, [Some(0.2), None, Some(0.6), Some(0.7)], 0.5, false),
            line(5, [None, Some(0.4), None, Some(0.6)], 0.6, false),
            line(6, [Some(0.3); 4].map(|v| v.map(|_| 1e9)), 0.1, false),
        ];
        let svg = parallel(&axes, &lines, 900, ("best", "worst"), "/t/");
        let dashed: Vec<&str> = svg
            .split('<')
            .filter(|e| e.contains("stroke-dasharray"))
            .collect();
        // Trial 4's bridge over `b`, trial 5's over `c`.
        assert_eq!(dashed.len(), 2, "{dashed:#?}");
        assert!(
            dashed
                .iter()
                .all(|e| e.starts_with("polyline class=\"bridge\"")
                    && e.contains("stroke-width=\"1\" stroke-dasharray=\"4 3\"")),
            "{dashed:#?}"
        );
        assert!(!svg.contains("sweep-dashes"), "{svg}");
    }
}
