//! Charts: pure functions from prepared data to an SVG string, drawn with plotters.
//!
//! Every chart here takes plain numbers and labels (no store, no request) and returns a complete
//! `<svg>` element, so each is tested on its output alone. The view models decide what to draw
//! (which trials, how many points); the functions here decide how it looks: the colour-blind-safe
//! Okabe–Ito palette for categories, viridis for a continuous scale, legends and colour bars in a
//! margin of their own so they never cover data, and a few well-spaced ticks per axis.
//!
//! Text is escaped by plotters' SVG backend (`<`, `>`, `&`, quotes), so a user-controlled name
//! drawn into a chart cannot open a tag; `tests::names_are_escaped` keeps that true.
//!
//! The charts of trials (history, Pareto fronts, timeline, curves, parallel coordinates, pairs,
//! slices) end with a mark per trial drawn (`render_marked`, `Mark`): an invisible link over its
//! dot, bar or line, placed with the chart's own coordinate mapping, whose tooltip names the
//! trial and what the chart shows of it (`trial_title`, `Scale::text`); their text is escaped
//! by `render` (`escape_attr`). The marks are for the mouse: out of the tab order and hidden
//! from screen readers (`MARKS_HIDDEN`), for whom the chart's label and the leaderboard speak.
//!
//! Beside the charts lie the pieces they share: `render` (drawing into a string, the marks,
//! the empty state), `symbols` (the series' shapes and legend entries), `text` (ticks, tooltips'
//! numbers, axis titles' units, cut names), `dashes` (dashed lines), `scale` (how values lie
//! along an axis and its ticks), `axis` (fitting a value axis) and `colour_bar`; this module
//! keeps the colours.

mod axis;
mod colour_bar;
mod curves;
mod dashes;
mod edf;
mod history;
mod hypervolume;
mod importance;
mod pairs;
pub(crate) mod parallel;
mod pareto;
mod render;
mod scale;
mod slices;
mod symbols;
mod text;
mod timeline;

use plotters::coord::Shift;
use plotters::prelude::*;

pub(crate) use axis::objective_scale;
pub(crate) use curves::{curves, fitted as fitted_curves, Curve, Emphasis, Fit};
pub(crate) use edf::{edf, Distribution};
pub(crate) use history::{best_line, history, HistoryPoint};
pub(crate) use hypervolume::hypervolume_history;
pub(crate) use importance::{importance, importance_of_top, stands_out as importance_stands_out};
pub(crate) use pairs::pairs;
pub(crate) use parallel::{parallel, ParAxis, ParLine};
pub(crate) use pareto::{fronts, pareto, Front, ParetoPoint};
#[cfg(test)]
pub(crate) use render::mark_hrefs;
pub(crate) use render::{described_by, empty, render, render_marked, Mark, Shape};
pub(crate) use scale::Scale;
#[cfg(test)]
pub(crate) use slices::slices;
pub(crate) use slices::{slices_toward, Slice, SlicePoint};
use symbols::{draw_symbol, legend_entry, Marker};
pub(crate) use symbols::{swatch, symbol, symbol_points};
#[cfg(test)]
use symbols::{Symbol, SYMBOLS};
pub(crate) use text::{
    is_fraction, metric_title, shorten, shorten_middle, significant, tick, trial_tick, trial_title,
    whole, Task,
};
use text::{precise, text_style};
pub(crate) use timeline::{timeline, Cut, Ending, Span};

/// The categorical palette: Okabe and Ito's eight colours, reordered so that the first few differ
/// most, with a dark olive in place of the yellow that is unreadable on white, and the orange and
/// the sky blue darkened to 3.2:1 against the white chart (2.3:1 as published; WCAG asks 3:1 of
/// a graphic one must see), keeping their hues.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(200, 130, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(51, 153, 214),
    RGBColor(0, 0, 0),
    RGBColor(153, 153, 51),
];

/// Grey for de-emphasized data (pruned trials), meant to sit behind the rest: 2.96:1 against
/// white, so a mark that must show on its own takes [`MARK_GREY`].
pub(crate) const DIM: RGBColor = RGBColor(150, 150, 150);
/// Grey for a de-emphasized mark that must show on its own (the Pareto chart's dominated dots,
/// the timeline's pruned bars): 4.5:1 against white, where [`DIM`] is under the 3:1 such a mark
/// needs.
pub(crate) const MARK_GREY: RGBColor = RGBColor(118, 118, 118);
const TEXT: RGBColor = RGBColor(40, 40, 40);
const GRID: RGBColor = RGBColor(232, 232, 232);
const FONT: &str = "sans-serif";

type DrawResult = Result<(), Box<dyn std::error::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Returns the categorical colour of series `i`, cycling through `PALETTE`.
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Returns the viridis colour at `t` in [0, 1] (0 dark purple, 1 yellow).
pub(crate) fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 45, 123),
        (59, 82, 139),
        (44, 114, 142),
        (33, 145, 140),
        (40, 174, 128),
        (94, 201, 98),
        (173, 220, 48),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    // Truncation picks the segment; the last stop has no successor.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| -> u8 {
        // The result lies between two bytes.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
        v
    };
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// How far along viridis the worst rank goes: its colour, (36, 157, 135), stands 3.4:1 against
/// the white chart (WCAG's contrast for a graphic one must see); the yellow past it is nearly
/// invisible on white.
const RANK_LIGHTEST: f64 = 0.55;

/// Returns the colour of a trial of `goodness` in [0, 1] (1 the best) on a chart coloured by
/// rank: viridis from dark purple (the best) to a green that still shows on white (the worst).
pub(crate) fn rank_colour(goodness: f64) -> RGBColor {
    viridis(RANK_LIGHTEST * (1.0 - goodness))
}

/// Returns a padded `(min, max)` over the finite values, or `None` when there are none.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return Some((lo - pad, hi + pad));
    }
    let pad = (hi - lo) * 0.05;
    Some((lo - pad, hi + pad))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_colour_bar;
#[cfg(test)]
mod tests_outliers;
#[cfg(test)]
mod tests_reach;
#[cfg(test)]
mod tests_scales;
