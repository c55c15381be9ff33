//! The colour bar of the charts coloured by rank (parallel coordinates, the pair plots): the
//! palette from the best (dark) to the worst, its ends labelled with the trials they colour,
//! in a margin of its own as wide as its labels need, so that they are drawn whole.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{rank_colour, shorten, text_style, DrawResult};

/// The pixels one character of the colour bar's labels takes, at most about: they are drawn
/// 8.9 px high (`text_style(11)`, as plotters writes it into the SVG), and the chart font's
/// digits are 0.64 em wide (5.7 px), its letters and spaces less.
const LABEL_CHAR: i32 = 6;
/// The most pixels a colour bar's label takes: a longer one (a long objective's name) is cut
/// short, so that the chart keeps room for its own parts.
const MOST_LABEL: i32 = 320;
/// The room left either side of the colour bar's widest label in its margin.
const LABEL_PAD: i32 = 6;

/// Returns the width of a colour bar's margin that holds its labels, `best` and `worst`, centred
/// on the bar (as `colour_bar` draws them): the widest one's (at most `MOST_LABEL`), with room
/// either side, and at least `least`.
pub(super) fn colour_bar_margin(least: i32, (best, worst): (&str, &str)) -> i32 {
    let widest = label_width(best).max(label_width(worst)).min(MOST_LABEL);
    (widest + 2 * LABEL_PAD).max(least)
}

/// Returns about how many pixels `label` takes drawn as a colour bar's label, at most.
fn label_width(label: &str) -> i32 {
    let chars = i32::try_from(label.chars().count()).unwrap_or(i32::MAX);
    chars.saturating_mul(LABEL_CHAR)
}

/// Draws a vertical colour bar of `rank_colour` at `x` from `top` (the best, dark) to `bottom` (the
/// worst), labelled above and below, each label centred on the bar and cut to `MOST_LABEL`
/// pixels: its margin (`colour_bar_margin`) holds it.
pub(super) fn colour_bar(
    root: &super::Area<'_>,
    x: i32,
    (top, bottom): (i32, i32),
    (best, worst): (&str, &str),
) -> DrawResult {
    for k in 0..=100 {
        let t = f64::from(k) / 100.0;
        // A pixel row of the bar.
        #[allow(clippy::cast_possible_truncation)]
        let y = (f64::from(bottom) - t * f64::from(bottom - top)).round() as i32;
        root.draw(&Rectangle::new(
            [(x, y - 2), (x + 14, y + 2)],
            rank_colour(t).filled(),
        ))?;
    }
    let fitted = |label: &str| {
        shorten(
            label,
            usize::try_from(MOST_LABEL / LABEL_CHAR).unwrap_or(40),
        )
    };
    root.draw(&Text::new(
        fitted(best),
        (x + 7, top - 6),
        text_style(11).pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))?;
    root.draw(&Text::new(
        fitted(worst),
        (x + 7, bottom + 6),
        text_style(11).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    Ok(())
}
