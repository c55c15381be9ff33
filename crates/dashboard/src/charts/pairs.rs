//! Pair plots: the trials over two parameters at a time, coloured by rank, so that where the good
//! trials gather in two dimensions shows (Optuna's contour plot shows the same, interpolated;
//! here every dot is a trial that ran). One panel per pair of the given axes. Each dot names its
//! trial, value and the pair's parameters when pointed at and opens the trial's page when
//! clicked.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colour_bar::{colour_bar, colour_bar_margin};
use super::scale::{position, ticks};
use super::{
    rank_colour, render_marked, shorten, text_style, trial_title, DrawResult, Mark, ParAxis,
    ParLine, Scale, Shape, GRID, TEXT,
};

const PANEL: (i32, i32) = (400, 380);
const LEFT: i32 = 78;
const BOTTOM: i32 = 58;
const TOP: i32 = 16;
const RIGHT: i32 = 18;
/// The least width of the colour bar's margin: its end labels (`rank 8: 0.5125 (pruned)`) are
/// centred on the bar and must fit, and a wider one widens it (`colour_bar_margin`).
const COLOUR_BAR: i32 = 150;

/// Returns the pairs of `axes` (every pair of the first three), side by side, each trial a dot
/// (`points`: a value per axis, as parallel coordinates take them, `None` where the parameter
/// is absent) coloured by its goodness, a ring for a pruned trial, with a colour bar whose ends
/// are labelled `best_label` and `worst_label`. Each dot names its trial, its `objective`'s
/// value and the pair's parameters when pointed at, and links to the trial's page,
/// `trial_pages` followed by its number.
pub(crate) fn pairs(
    axes: &[ParAxis],
    points: &[ParLine],
    (best_label, worst_label): (&str, &str),
    (objective, trial_pages): (&str, &str),
) -> String {
    let pairs: Vec<(usize, usize)> = match axes.len() {
        0 | 1 => Vec::new(),
        2 => vec![(0, 1)],
        _ => vec![(0, 1), (0, 2), (1, 2)],
    };
    let panels = i32::try_from(pairs.len().max(1)).unwrap_or(1);
    let margin = colour_bar_margin(COLOUR_BAR, (best_label, worst_label));
    let width = PANEL.0 * panels + margin;
    let size = (
        u32::try_from(width).unwrap_or(1300),
        u32::try_from(PANEL.1).unwrap_or(380),
    );
    let label = "the trials over pairs of parameters, coloured by rank";
    if pairs.is_empty() {
        return super::empty(size, label, "needs two searched parameters");
    }
    if points.is_empty() {
        return super::empty(size, label, "no completed trials");
    }
    let mut order: Vec<(usize, &ParLine)> = points.iter().enumerate().collect();
    // The best on top.
    order.sort_by(|a, b| a.1.goodness.total_cmp(&b.1.goodness));
    render_marked(size, label, |root, marks| -> DrawResult {
        for (p, &(ix, iy)) in pairs.iter().enumerate() {
            let left = PANEL.0 * i32::try_from(p).unwrap_or(0);
            let dots = panel(root, left, (&axes[ix], &axes[iy]), (ix, iy), &order)?;
            marks.extend(dots.into_iter().map(|(point, centre)| Mark {
                href: format!("{trial_pages}{}", point.trial),
                title: format!(
                    "{}; {} {}, {} {}",
                    trial_title(point.trial, (objective, point.value), point.pruned),
                    axes[ix].title,
                    point.values[ix].map_or_else(|| "-".into(), |v| axes[ix].scale.text(v)),
                    axes[iy].title,
                    point.values[iy].map_or_else(|| "-".into(), |v| axes[iy].scale.text(v)),
                ),
                shape: Shape::Dot(centre, 5),
            }));
        }
        colour_bar(
            root,
            width - margin / 2 - 7,
            (TOP + 18, PANEL.1 - BOTTOM),
            (best_label, worst_label),
        )
    })
}

/// A trial a panel drew, and its dot's centre.
type Dot<'p> = (&'p ParLine, (i32, i32));

/// Draws one panel whose left edge is at `left`: axes, ticks and a dot per trial with both
/// values; returns the trials it drew, each with its dot's centre, in the order drawn.
fn panel<'p>(
    root: &super::Area<'_>,
    left: i32,
    (x_axis, y_axis): (&ParAxis, &ParAxis),
    (ix, iy): (usize, usize),
    order: &[(usize, &'p ParLine)],
) -> Result<Vec<Dot<'p>>, Box<dyn std::error::Error>> {
    let (x0, x1) = (left + LEFT, left + PANEL.0 - RIGHT);
    let (y0, y1) = (PANEL.1 - BOTTOM, TOP);
    // A margin inside the frame, so dots at the ends of a range are whole; categories sit in
    // the middle of equal slots, away from the frame.
    let at = |scale: &Scale, t: f64, a: i32, b: i32| -> i32 {
        let t = match scale {
            Scale::Categories(names) if names.len() > 1 => {
                let n = names.len() as f64;
                (t * (n - 1.0) + 0.5) / n
            }
            _ => 0.04 + 0.92 * t.clamp(0.0, 1.0),
        };
        // A pixel inside the panel.
        #[allow(clippy::cast_possible_truncation)]
        let v = (f64::from(a) + t * f64::from(b - a)).round() as i32;
        v
    };
    root.draw(&Rectangle::new([(x0, y1), (x1, y0)], GRID.stroke_width(1)))?;
    for (t, text) in ticks(&x_axis.scale) {
        let x = at(&x_axis.scale, t, x0, x1);
        root.draw(&PathElement::new(
            vec![(x, y0), (x, y0 + 4)],
            TEXT.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            shorten(&text, 9),
            (x, y0 + 6),
            text_style(12).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    for (t, text) in ticks(&y_axis.scale) {
        let y = at(&y_axis.scale, t, y0, y1);
        root.draw(&PathElement::new(
            vec![(x0 - 4, y), (x0, y)],
            TEXT.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            shorten(&text, 9),
            (x0 - 6, y),
            text_style(12).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    root.draw(&Text::new(
        shorten(&x_axis.heading(), 40),
        ((x0 + x1) / 2, PANEL.1 - 22),
        text_style(14).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    root.draw(&Text::new(
        shorten(&y_axis.heading(), 30),
        (left + 12, (y0 + y1) / 2),
        text_style(14)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    // Dots on a category spread a little, deterministically, so that they do not all coincide.
    let spread = |scale: &Scale, k: usize| -> i32 {
        match scale {
            Scale::Categories(_) => i32::try_from((k * 7919) % 29).unwrap_or(14) - 14,
            _ => 0,
        }
    };
    let mut drawn = Vec::with_capacity(order.len());
    for &(k, point) in order {
        let (Some(x), Some(y)) = (
            point.values[ix].and_then(|v| position(&x_axis.scale, v)),
            point.values[iy].and_then(|v| position(&y_axis.scale, v)),
        ) else {
            continue;
        };
        let centre = (
            at(&x_axis.scale, x, x0, x1) + spread(&x_axis.scale, k),
            at(&y_axis.scale, y, y0, y1) + spread(&y_axis.scale, k + 5),
        );
        let colour = rank_colour(point.goodness).mix(0.85);
        let style = if point.pruned {
            colour.stroke_width(2)
        } else {
            colour.filled()
        };
        root.draw(&Circle::new(centre, 4, style))?;
        drawn.push((point, centre));
    }
    Ok(drawn)
}
