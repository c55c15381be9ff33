//! Line charts of metric curves: learning curves, a trial's metrics, and compared trials.

mod fit;
mod legend;
mod lines;
mod marks;
mod reach;
mod running;
mod tags;
#[cfg(test)]
mod tests_running;
#[cfg(test)]
mod tests_watch;
mod words;

use experiment::Direction;
use plotters::prelude::*;
use plotters::style::text_anchor::{Pos, VPos};

use super::axis::{within_reach, Past, YAxis};
use super::dashes::{Dashes, RUNNING};
use super::symbols::Symbol;
use super::{
    draw_symbol, palette, render_marked, symbol, symbol_points, text_style, trial_tick, DrawResult,
    Mark, Shape, DIM,
};
use crate::downsample;
use fit::value_range;
pub(crate) use fit::Fit;
use legend::{draw_legend, Legend};
pub(super) use lines::{absent_entry, line_chart, within};
use marks::{arrowhead, crossings, cut_ways, hollow_arrowhead};
use reach::{curves_reach, past_by, past_reach, wholly_past};
use tags::{tag_text, Tags};
use words::{best_label, best_point, describe};

/// How a curve is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emphasis {
    /// In palette colour `i` with symbol `i` along it, thick, with its own legend entry.
    Colour(usize),
    /// Thin and grey behind the others, sharing one legend entry (pruned trials).
    Dimmed,
    /// Dashed in dark grey (`RUNNING_INK`) over the dimmed curves and beneath the coloured
    /// ones, with a ring at its last point tagged with its trial's number (`tags`), sharing one
    /// legend entry (`RUNNING_LABEL`): a trial still running beside an experiment's top
    /// trials, its curve so far. Like a dimmed curve, it sets the axis only
    /// where no curve is coloured, but for its latest value, which widens it while that does
    /// not squeeze the coloured curves (`running::with_latest`; further off, it is marked by a
    /// hollow arrowhead and said to leave it), and has no best step (it has no final value).
    Running,
    /// As `Colour(i)`, but dashed, its legend entry saying `(running)`: a trial still running
    /// among trials each drawn in its own colour (compared trials, a trial's own page), its
    /// curve so far.
    RunningColour(usize),
}

impl Emphasis {
    /// Returns the palette colour of a coloured curve (`Colour`, `RunningColour`), which sets
    /// the axis and has a legend entry of its own; `None` for the curves drawn behind them.
    fn colour(self) -> Option<usize> {
        match self {
            Emphasis::Colour(i) | Emphasis::RunningColour(i) => Some(i),
            Emphasis::Dimmed | Emphasis::Running => None,
        }
    }

    /// Returns whether the curve is of a trial still running: dashed, and said to be so far.
    fn is_running(self) -> bool {
        matches!(self, Emphasis::Running | Emphasis::RunningColour(_))
    }
}

/// One line: (step, value) points in step order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Curve {
    /// The legend label, e.g. `trial 12`.
    pub(crate) label: String,
    /// The points; non-finite values are skipped.
    pub(crate) points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub(crate) emphasis: Emphasis,
    /// A step to mark on a coloured curve with its symbol, filled: the trial's best epoch,
    /// whose weights its checkpoint keeps, or the trial at which an experiment's best so far
    /// reached its best. Its value is the curve's last point at that step (a best-so-far line
    /// steps up there, from the best before it to the new one). Alone in its chart, the curve
    /// also gets a faint line down the chart there, labelled.
    pub(crate) best: Option<f64>,
    /// The page of what the curve is (a trial's, an experiment's): pointed at, the curve is
    /// named; clicked, it opens the page. `None` on that page itself.
    pub(crate) href: Option<String>,
    /// What its tooltip says after what the curve comes to, such as why a trial was pruned
    /// (`pruned at epoch 2: asha: ...`); empty for nothing.
    pub(crate) note: String,
}

/// The most points drawn in one chart, over all its curves.
pub(crate) const MAX_POINTS: usize = 3000;
/// The width of a line chart's legend margin.
pub(super) const LEGEND_WIDTH: u32 = 170;

/// The ink of the curves of running trials beside an experiment's top trials
/// (`Emphasis::Running`): darker than the pruned trials' grey, which it is told apart from by
/// its dashes too, and more than 3:1 against the white ground.
const RUNNING_INK: RGBColor = RGBColor(80, 80, 80);
/// The legend entry of the curves of running trials (`Emphasis::Running`).
const RUNNING_LABEL: &str = "running, so far";

/// Returns a line chart of `curves` against `x_title` and `y_title` whose y axis spans every
/// point of the coloured curves but a diverged one's (`Fit::Every`); `goal` is the direction the metric drawn
/// improves in, `None` where it is not known (only a minimized one's axis may be
/// logarithmic); `dimmed_label` names the legend entry of the dimmed curves, and
/// `empty_message` is shown when there is nothing to draw. A curve with a page is named when
/// pointed at and opens it when clicked.
pub(crate) fn curves(
    curves: &[Curve],
    size: (u32, u32),
    titles: (&str, &str),
    goal: Option<Direction>,
    dimmed_label: &str,
    empty_message: &str,
) -> String {
    fitted(
        curves,
        size,
        titles,
        goal,
        (dimmed_label, empty_message),
        Fit::Every,
    )
}

/// Returns the chart `curves` draws, with its y axis fitted as `fit` says: the overlay of an
/// experiment's top trials takes `Fit::Settled`.
pub(crate) fn fitted(
    curves: &[Curve],
    size: (u32, u32),
    (x_title, y_title): (&str, &str),
    goal: Option<Direction>,
    (dimmed_label, empty_message): (&str, &str),
    fit: Fit,
) -> String {
    let title = format!("{y_title} by {x_title}");
    // On a log axis, the curves are drawn at their values' logarithms on a linear one, whose
    // ticks name the values: every fit, cut and mark below works on the places alike.
    // A curve that runs far past the others (a trial that diverged) does not set the axis: it
    // leaves it, cut where it crosses the edge, so that the others stay readable.
    let bounds = curves_reach(curves);
    let raw = curves;
    let values = |keep: &dyn Fn(&Curve) -> bool| -> Vec<f64> {
        raw.iter()
            .filter(|c| keep(c))
            .flat_map(|c| c.points.iter().map(|p| p.1))
            .filter(|y| within_reach(*y, bounds))
            .collect()
    };
    let some_coloured = curves.iter().any(|c| c.emphasis.colour().is_some());
    let axis = YAxis::of(
        values(&|_| true).into_iter(),
        values(&|c| !some_coloured || c.emphasis.colour().is_some()).into_iter(),
        goal,
    );
    let placed: Vec<Curve>;
    let curves = match axis {
        YAxis::Linear => curves,
        YAxis::Log => {
            // A value a log axis cannot place lies far below it.
            let place = |y: f64| {
                let p = axis.place(y);
                if p.is_nan() || p == f64::NEG_INFINITY {
                    f64::MIN / 2.0
                } else {
                    p
                }
            };
            placed = curves
                .iter()
                .map(|c| Curve {
                    points: c.points.iter().map(|&(x, y)| (x, place(y))).collect(),
                    ..c.clone()
                })
                .collect();
            &placed
        }
    };
    let kept = |y: f64| y.is_finite() && within_reach(axis.value(y), bounds);
    let y_desc = axis.title(y_title);
    let y_title = y_desc.as_str();
    let per_curve = (MAX_POINTS / curves.len().max(1)).max(20);
    let lines: Vec<(&Curve, Vec<(f64, f64)>)> = curves
        .iter()
        .map(|c| (c, downsample::lttb(&c.points, per_curve)))
        .filter(|(_, points)| !points.is_empty())
        .collect();
    // Coloured curves with nothing to draw (an experiment without a value): named in the
    // legend, so that they are not silently missing.
    let absent: Vec<&Curve> = curves
        .iter()
        .filter(|c| c.emphasis.colour().is_some())
        .filter(|c| !c.points.iter().any(|p| p.0.is_finite() && p.1.is_finite()))
        .collect();
    let xs = || lines.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x));
    let coloured = lines
        .iter()
        .filter(|(c, _)| c.emphasis.colour().is_some())
        .count();
    let in_range = value_range(&lines, fit, &kept);
    let (Some((y0, y1)), Some(x_max)) = (in_range, xs().reduce(f64::max)) else {
        return super::empty(size, &title, empty_message);
    };
    let digits = axis.digits((y0, y1));
    // Which way the curves' first epochs leave the axis, and the running curves' latest.
    let (cut, running_off) = cut_ways(&lines, (y0, y1));
    // How far the coloured curves run past the others, out of reach, each way: the farthest
    // value above the axis, and below it.
    let far_values = || {
        raw.iter()
            .filter(|c| c.emphasis.colour().is_some())
            .flat_map(|c| c.points.iter().map(|p| p.1))
            .filter(|y| past_reach(*y, bounds).is_some())
    };
    let far = (
        far_values()
            .filter(|y| past_reach(*y, bounds) == Some(Past::Above))
            .reduce(f64::max),
        far_values()
            .filter(|y| past_reach(*y, bounds) == Some(Past::Below))
            .reduce(f64::min),
    );
    let far_ends: Vec<String> = [("up to", far.0), ("down to", far.1)]
        .into_iter()
        .filter_map(|(word, v)| Some(format!("{word} {}", super::precise(v?))))
        .collect();
    let far_words = (!far_ends.is_empty()).then(|| far_ends.join(", "));
    // A metric that each curve holds the same at every step (a model's size): its lines say
    // nothing about training, and no epoch of it is best; a curve's best is marked only at its
    // first step, where it reached the value it holds (a best-so-far line whose first trial
    // was its experiment's best).
    let flat = lines.iter().any(|(_, p)| p.len() > 1)
        && lines
            .iter()
            .filter(|(c, _)| coloured == 0 || c.emphasis.colour().is_some())
            .all(|(_, p)| p.iter().all(|(_, y)| *y == p[0].1));
    // What each curve comes to, as its tooltip says it; the coloured curves' in the chart's
    // label too, for a reader who does not see the drawing.
    let described: Vec<String> = lines
        .iter()
        .map(|(c, _)| {
            let mut comes_to = describe(c, x_title, axis);
            // A running curve beside the top trials that leaves their axis says so.
            let off = (c.emphasis == Emphasis::Running)
                .then(|| running::off_axis(&c.points, (y0, y1), x_title))
                .flatten();
            if let Some(off) = off {
                comes_to = format!("{comes_to}; {off}");
            }
            // Where the curve runs out of reach, the farthest it goes, which the chart cuts.
            let far = c
                .points
                .iter()
                .map(|p| axis.value(p.1))
                .filter_map(|y| Some((y, past_by(y, bounds?)?)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(y, _)| y);
            match far {
                Some(v) => format!("{comes_to}; runs off the axis to {}", super::precise(v)),
                None => comes_to,
            }
        })
        .collect();
    let mut words: Vec<String> = lines
        .iter()
        .zip(&described)
        .filter(|((c, _), _)| c.emphasis != Emphasis::Dimmed)
        .map(|(_, d)| d.clone())
        .collect();
    words.extend(absent.iter().map(|c| format!("{}: no values", c.label)));
    if flat {
        words.push(format!("each line is the same at every {x_title}"));
    }
    if axis == YAxis::Log {
        words.push("y axis on a log scale".to_string());
    }
    match (cut, &far_words) {
        (Some(way), Some(ends)) => words.push(format!(
            "values far past the other curves' cut off {way} the axis ({ends})"
        )),
        (Some(way), None) => words.push(format!("first {x_title}s cut off {way} the axis")),
        (None, _) => {}
    }
    let label = if words.is_empty() {
        title
    } else {
        format!("{title}: {}", words.join("; "))
    };
    let x_min = xs().reduce(f64::min).unwrap_or(0.0);
    let (x0, x1) = if x_max > x_min {
        (x_min, x_max)
    } else {
        (x_min - 1.0, x_max + 1.0)
    };
    let x_desc = if flat {
        format!("{x_title} (each line is the same at every {x_title})")
    } else {
        x_title.to_string()
    };
    let x_label = x_title;
    let x_title = x_desc.as_str();
    let with_legend = lines.len() + absent.len() > 1
        || cut.is_some()
        || lines.iter().any(|(c, _)| c.emphasis.colour().is_none());
    // The running curves' lines, dashed once the chart is drawn.
    let mut dashes = Dashes::default();
    let svg = render_marked(size, &label, |root, marks| -> DrawResult {
        let (plot, legend) = if with_legend {
            root.split_horizontally(size.0.saturating_sub(LEGEND_WIDTH))
        } else {
            root.split_horizontally(size.0)
        };
        // Every curve chart counts along x (epochs, trial numbers): whole-number ticks only.
        let mut chart = line_chart(
            &plot,
            (x0..x1, y0..y1),
            (x_title, y_title),
            (&|v: &f64| trial_tick(*v), &move |v: &f64| {
                axis.tick(*v, (y0, y1), digits)
            }),
        )?;
        let shown = |p: &(f64, f64)| (y0..=y1).contains(&p.1);
        for (_, points) in lines.iter().filter(|(c, _)| c.emphasis == Emphasis::Dimmed) {
            for piece in within(points, y0, y1) {
                chart.draw_series(LineSeries::new(piece, DIM.mix(0.6).stroke_width(1)))?;
            }
            if let Some(&end) = points.last().filter(|p| shown(p)) {
                chart.draw_series(std::iter::once(Cross::new(end, 3, DIM.stroke_width(1))))?;
            }
        }
        // The point a coloured curve marks as its best, and, alone, labels.
        let first = |points: &[(f64, f64)]| points.first().map(|p| p.0);
        let best_of = |curve: &Curve, points: &[(f64, f64)]| {
            best_point(curve).filter(|p| !flat || Some(p.0) == first(points))
        };
        // The running curves' number tags, kept in the plot and clear of their rings and the
        // best epoch's label (`tags`).
        let (px, py) = chart.plotting_area().get_pixel_range();
        let mut tags = Tags::new((px.start, py.start, px.end, py.end));
        let running: Vec<&Vec<(f64, f64)>> = lines
            .iter()
            .filter(|(c, _)| c.emphasis == Emphasis::Running)
            .map(|(_, p)| p)
            .collect();
        for end in running.iter().filter_map(|p| p.last().filter(|p| shown(p))) {
            tags.reserve_ring(chart.backend_coord(end));
        }
        let best_label = lines
            .iter()
            .filter(|_| coloured == 1)
            .filter(|(c, _)| c.emphasis.colour().is_some())
            .find_map(|(c, p)| best_of(c, p))
            .map(|(step, _)| best_label(step, (x0, x1), x_label));
        if let Some((text, (side, dx), step)) = &best_label {
            let (x, y) = chart.backend_coord(&(*step, y1));
            tags.reserve_label((x + dx, y + 2), text, *side);
        }
        // The trials still running, dashed (`dashes`) over the pruned ones and beneath the
        // coloured ones and their labels, each with a ring at its last point (where it is now)
        // tagged with its trial's number (the tags drawn once every curve is).
        for (curve, points) in lines
            .iter()
            .filter(|(c, _)| c.emphasis == Emphasis::Running)
        {
            for piece in within(points, y0, y1) {
                // Where it leaves the axis or comes back onto it, an arrowhead, as on the
                // coloured curves.
                for (at, side) in crossings(points, &piece, (y0, y1)) {
                    arrowhead(root, chart.backend_coord(&at), side, RUNNING_INK)?;
                }
                let pixels: Vec<(i32, i32)> =
                    piece.iter().map(|p| chart.backend_coord(p)).collect();
                dashes.draw(root, &pixels, RUNNING_INK, RUNNING)?;
            }
            let mut now = None;
            if let Some(&end) = points.last().filter(|p| shown(p)) {
                let ring = Circle::new(end, 4, RUNNING_INK.stroke_width(2));
                chart.draw_series(std::iter::once(ring))?;
                now = Some(end);
            }
            // Where it is now lies off the axis: a hollow arrowhead on the edge, pointing
            // that way.
            if let Some((at, side)) = running::latest_off(points, (y0, y1)) {
                hollow_arrowhead(root, chart.backend_coord(&at), side, RUNNING_INK)?;
                now = Some(at);
            }
            if let Some(at) = now {
                tags.add(chart.backend_coord(&at), tag_text(&curve.label));
            }
        }
        for (curve, points) in &lines {
            if let Some(i) = curve.emphasis.colour() {
                let colour = palette(i);
                // A curve wholly past the axis (diverged from its first step): an arrowhead on
                // the edge at its first step, pointing the way it lies.
                if let Some((at, side)) = wholly_past(points, (y0, y1)) {
                    arrowhead(root, chart.backend_coord(&at), side, colour)?;
                }
                for piece in within(points, y0, y1) {
                    // Where the curve leaves the axis or comes back onto it, an arrowhead
                    // at the edge, pointing the way it runs off.
                    for (at, side) in crossings(points, &piece, (y0, y1)) {
                        arrowhead(root, chart.backend_coord(&at), side, colour)?;
                    }
                    if curve.emphasis.is_running() {
                        let pixels: Vec<(i32, i32)> =
                            piece.iter().map(|p| chart.backend_coord(p)).collect();
                        dashes.draw(root, &pixels, colour, RUNNING)?;
                    } else {
                        chart.draw_series(LineSeries::new(piece, colour.stroke_width(2)))?;
                    }
                }
                // Alone in its chart (a trial's page), circles are small and filled: hollow,
                // they read as a running trial's ring at its latest epoch on the overlay.
                let ringlike = lines.len() == 1 && symbol(i) == Symbol::Circle;
                let (r, filled) = if ringlike { (3, true) } else { (4, false) };
                for p in symbol_points(points, (x0, x1), i)
                    .iter()
                    .filter(|p| shown(p))
                {
                    draw_symbol(root, chart.backend_coord(p), symbol(i), colour, r, filled)?;
                }
                // The recorded point itself (downsampling may have dropped it).
                if let Some((step, value)) = best_of(curve, points) {
                    if let Some((text, (side, dx), _)) = best_label.clone() {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(step, y0), (step, y1)],
                            DIM.mix(0.8).stroke_width(1),
                        )))?;
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((step, y1))
                                + Text::new(
                                    text,
                                    (dx, 2),
                                    text_style(12).pos(Pos::new(side, VPos::Top)),
                                ),
                        ))?;
                    }
                    if shown(&(step, value)) {
                        let at = chart.backend_coord(&(step, value));
                        draw_symbol(root, at, symbol(i), colour, 6, true)?;
                    }
                }
            }
        }
        // The running curves' tags over every line: one a coloured line crosses still reads.
        tags.draw_placed(root)?;
        // The coloured curves last, so that they are what a pointer finds where lines cross.
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&k| lines[k].0.emphasis.colour().is_some());
        for (k, title) in order.into_iter().map(|k| (k, &described[k])) {
            let (curve, points) = &lines[k];
            let Some(href) = &curve.href else { continue };
            if let Some((at, _)) = wholly_past(points, (y0, y1)) {
                marks.push(Mark {
                    href: href.clone(),
                    title: title.clone(),
                    shape: Shape::Dot(chart.backend_coord(&at), 6),
                });
            }
            // One mark, one tooltip, however many pieces the axis cuts the curve into.
            let pieces: Vec<Vec<(i32, i32)>> = within(points, y0, y1)
                .iter()
                .map(|piece| piece.iter().map(|p| chart.backend_coord(p)).collect())
                .collect();
            if !pieces.is_empty() {
                marks.push(Mark {
                    href: href.clone(),
                    title: title.clone(),
                    shape: Shape::Line(pieces),
                });
            }
        }
        if with_legend {
            let listed = Legend {
                lines: &lines,
                absent: &absent,
                dimmed_label,
                cut,
                far_ends: &far_ends,
                running_off,
                x_label,
            };
            draw_legend(root, &legend, &mut dashes, &listed)?;
        }
        Ok(())
    });
    dashes.fill_in(svg)
}
