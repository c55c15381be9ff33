//! The pieces of a line chart that the curves share with the other line charts (the history,
//! the hypervolume history, the empirical distributions): the axes and grid, the pieces of a
//! line within its axis, and the legend entry of a series with nothing to draw.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::axis::Y_TICKS;
use crate::charts::{legend_entry, text_style, Area, Marker, DIM, GRID};

/// A real axis of a line chart.
type Ranged = plotters::coord::types::RangedCoordf64;

/// Draws the legend entry at height `y` of a series with no values to draw (`label`, then
/// "no values" under it, beside a grey cross), so that it is named rather than silently
/// missing; returns the height of the next entry.
pub(in crate::charts) fn absent_entry(
    legend: &Area<'_>,
    y: i32,
    label: &str,
) -> Result<i32, Box<dyn std::error::Error>> {
    legend_entry(legend, (6, y), DIM, Marker::Cross, label)?;
    let small = text_style(12).pos(Pos::new(HPos::Left, VPos::Center));
    legend.draw(&Text::new("no values", (30, y + 15), small))?;
    Ok(y + 36)
}

/// Writes an axis's tick at a value (an empty string leaves the tick unlabelled).
pub(in crate::charts) type Ticks = dyn Fn(&f64) -> String;

/// The chart of a line plot on `area`: the axes over `ranges`, titled `titles`, with the x and
/// y ticks written by `x_ticks` and `y_ticks` (`trial_tick` for an axis that counts, which
/// leaves out fractional ticks), the light grid and the house fonts.
pub(in crate::charts) fn line_chart<'a, 'b>(
    area: &'a Area<'b>,
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
        .y_labels(Y_TICKS)
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
pub(in crate::charts) fn within(points: &[(f64, f64)], y0: f64, y1: f64) -> Vec<Vec<(f64, f64)>> {
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
