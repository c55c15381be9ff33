//! Line charts of metric curves: learning curves, a trial's metrics, and compared trials.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_symbol, legend_entry, padded_range, palette, render_marked, symbol, symbol_points,
    text_style, tick, trial_tick, DrawResult, Mark, Marker, Shape, DIM, GRID,
};
use crate::downsample;

/// A real axis of a line chart.
type Ranged = plotters::coord::types::RangedCoordf64;

/// How a curve is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emphasis {
    /// In palette colour `i` with symbol `i` along it, thick, with its own legend entry.
    Colour(usize),
    /// Thin and grey behind the others, sharing one legend entry (pruned trials).
    Dimmed,
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
    /// whose weights its checkpoint keeps. Alone in its chart, the curve also gets a faint line down the
    /// chart there, labelled.
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

/// Returns a line chart of `curves` against `x_title` and `y_title`; `dimmed_label` names the
/// legend entry of the dimmed curves, and `empty_message` is shown when there is nothing to draw.
/// A curve with a page is named when pointed at and opens it when clicked.
pub(crate) fn curves(
    curves: &[Curve],
    size: (u32, u32),
    (x_title, y_title): (&str, &str),
    dimmed_label: &str,
    empty_message: &str,
) -> String {
    let title = format!("{y_title} by {x_title}");
    let per_curve = (MAX_POINTS / curves.len().max(1)).max(20);
    let lines: Vec<(&Curve, Vec<(f64, f64)>)> = curves
        .iter()
        .map(|c| (c, downsample::lttb(&c.points, per_curve)))
        .filter(|(_, points)| !points.is_empty())
        .collect();
    let xs = || lines.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x));
    // The y axis spans the coloured curves (every curve where all are dimmed) past their first
    // tenth of steps, where training settles, and each coloured curve's best point wherever it
    // lies (an early best is what its trial is ranked by, and its marker must be seen). The
    // early points outside, and the dimmed curves of pruned trials (stopped early, at values
    // far below the top trials'), run off the chart, cut where they cross its edge, rather than
    // stretching it until the top trials' curves lie on one another.
    let coloured = lines
        .iter()
        .filter(|(c, _)| c.emphasis != Emphasis::Dimmed)
        .count();
    let settled = lines
        .iter()
        .filter(|(c, _)| coloured == 0 || c.emphasis != Emphasis::Dimmed)
        .flat_map(|(_, p)| p.iter().skip(p.len() / 10).map(|(_, y)| *y));
    let bests = lines
        .iter()
        .filter(|(c, _)| c.emphasis != Emphasis::Dimmed)
        .filter_map(|(c, _)| best_point(c))
        .map(|(_, y)| y);
    let in_range = padded_range(settled.chain(bests));
    let (Some((y0, y1)), Some(x_max)) = (in_range, xs().reduce(f64::max)) else {
        return super::empty(size, &title, empty_message);
    };
    // What each curve comes to, as its tooltip says it; the coloured curves' in the chart's
    // label too, for a reader who does not see the drawing.
    let described: Vec<String> = lines.iter().map(|(c, _)| describe(c, x_title)).collect();
    let coloured_words: Vec<&str> = lines
        .iter()
        .zip(&described)
        .filter(|((c, _), _)| c.emphasis != Emphasis::Dimmed)
        .map(|(_, d)| d.as_str())
        .collect();
    let label = if coloured_words.is_empty() {
        title
    } else {
        format!("{title}: {}", coloured_words.join("; "))
    };
    let x_min = xs().reduce(f64::min).unwrap_or(0.0);
    let (x0, x1) = if x_max > x_min {
        (x_min, x_max)
    } else {
        (x_min - 1.0, x_max + 1.0)
    };
    let with_legend = lines.len() > 1 || lines.iter().any(|(c, _)| c.emphasis == Emphasis::Dimmed);
    render_marked(size, &label, |root, marks| -> DrawResult {
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
            (&|v: &f64| trial_tick(*v), &|v: &f64| tick(*v)),
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
        for (curve, points) in &lines {
            if let Emphasis::Colour(i) = curve.emphasis {
                let colour = palette(i);
                for piece in within(points, y0, y1) {
                    chart.draw_series(LineSeries::new(piece, colour.stroke_width(2)))?;
                }
                for p in symbol_points(points, (x0, x1), i)
                    .iter()
                    .filter(|p| shown(p))
                {
                    draw_symbol(root, chart.backend_coord(p), symbol(i), colour, 4, false)?;
                }
                // The recorded point itself (downsampling may have dropped it).
                if let Some((step, value)) = best_point(curve) {
                    if coloured == 1 {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(step, y0), (step, y1)],
                            DIM.mix(0.8).stroke_width(1),
                        )))?;
                        // Beside the line, on its left near the chart's right edge.
                        let (side, dx) = if step > x0 + 0.8 * (x1 - x0) {
                            (HPos::Right, -4)
                        } else {
                            (HPos::Left, 4)
                        };
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((step, y1))
                                + Text::new(
                                    format!("best epoch {}", tick(step)),
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
        // The coloured curves last, so that they are what a pointer finds where lines cross.
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&k| lines[k].0.emphasis != Emphasis::Dimmed);
        for (k, title) in order.into_iter().map(|k| (k, &described[k])) {
            let (curve, points) = &lines[k];
            let Some(href) = &curve.href else { continue };
            for piece in within(points, y0, y1) {
                marks.push(Mark {
                    href: href.clone(),
                    title: title.clone(),
                    shape: Shape::Line(piece.iter().map(|p| chart.backend_coord(p)).collect()),
                });
            }
        }
        if with_legend {
            let mut y = 24;
            for (curve, _) in &lines {
                if let Emphasis::Colour(i) = curve.emphasis {
                    let marker = Marker::Series(symbol(i));
                    legend_entry(&legend, (6, y), palette(i), marker, &curve.label)?;
                    y += 20;
                }
            }
            if lines.iter().any(|(c, _)| c.emphasis == Emphasis::Dimmed) {
                legend_entry(&legend, (6, y), DIM, Marker::Line(1), dimmed_label)?;
            }
        }
        Ok(())
    })
}

/// Returns the point `curve` marks as its best, as recorded (downsampling may drop it from
/// what is drawn).
fn best_point(curve: &Curve) -> Option<(f64, f64)> {
    let step = curve.best?;
    curve.points.iter().find(|p| p.0 == step).copied()
}

/// Returns what `curve` comes to: its best epoch and value, or, without one (a pruned trial; an
/// experiment's best so far), where it ends; then its note, if any.
fn describe(curve: &Curve, x_title: &str) -> String {
    let comes_to = comes_to(curve, x_title);
    if curve.note.is_empty() {
        comes_to
    } else {
        format!("{comes_to}, {}", curve.note)
    }
}

/// Returns what `curve` comes to: its best epoch and value, or, without one, where it ends.
fn comes_to(curve: &Curve, x_title: &str) -> String {
    match best_point(curve) {
        Some((step, value)) => format!(
            "{}: best epoch {}, {}",
            curve.label,
            tick(step),
            experiment::metric_text(Some(value))
        ),
        None => match curve.points.last() {
            Some(&(x, y)) => format!(
                "{}: {} at {x_title} {}",
                curve.label,
                experiment::metric_text(Some(y)),
                tick(x)
            ),
            None => curve.label.clone(),
        },
    }
}

/// Writes an axis's tick at a value (an empty string leaves the tick unlabelled).
pub(super) type Ticks = dyn Fn(&f64) -> String;

/// The chart of a line plot on `area`: the axes over `ranges`, titled `titles`, with the x and
/// y ticks written by `x_ticks` and `y_ticks` (`trial_tick` for an axis that counts, which
/// leaves out fractional ticks), the light grid and the house fonts.
pub(super) fn line_chart<'a, 'b>(
    area: &'a super::Area<'b>,
    (xs, ys): (std::ops::Range<f64>, std::ops::Range<f64>),
    (x_title, y_title): (&str, &str),
    (x_ticks, y_ticks): (&Ticks, &Ticks),
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ranged, Ranged>>, Box<dyn std::error::Error>>
{
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(xs, ys)?;
    chart
        .configure_mesh()
        .x_desc(x_title)
        .y_desc(y_title)
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(x_ticks)
        .y_label_formatter(y_ticks)
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .label_style(text_style(14))
        .axis_desc_style(text_style(15))
        .draw()?;
    Ok(chart)
}

/// Returns the pieces of the polyline `points` inside `y0..=y1`: each segment is cut where it
/// crosses an edge, so a curve leaves the chart where it runs off the axis instead of being
/// drawn along the edge at a value it never had.
pub(super) fn within(points: &[(f64, f64)], y0: f64, y1: f64) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let at = |t: f64| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        // The part of the segment (t in 0..=1) whose y is within the axis.
        let (lo, hi) = if a.1 == b.1 {
            if (y0..=y1).contains(&a.1) {
                (0.0, 1.0)
            } else {
                (1.0, 0.0)
            }
        } else {
            let t0 = (y0 - a.1) / (b.1 - a.1);
            let t1 = (y1 - a.1) / (b.1 - a.1);
            (t0.min(t1).max(0.0), t0.max(t1).min(1.0))
        };
        if lo > hi {
            pieces.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            continue;
        }
        let (start, end) = (
            if lo == 0.0 { a } else { at(lo) },
            if hi == 1.0 { b } else { at(hi) },
        );
        if current.last() != Some(&start) {
            pieces.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            current.push(start);
        }
        current.push(end);
        if hi < 1.0 {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}
