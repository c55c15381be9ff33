//! The marks a curve chart draws where a curve meets the edge of its value axis: a filled
//! arrowhead where a drawn piece of a curve leaves the axis or comes back onto it (its cut
//! parts, coloured and running curves alike), and a hollow one where a running trial's latest
//! epoch, where it is now, lies off the axis (hollow as its ring is, so that it is not read as
//! a cut).
//!
//! Rejected: the same filled arrowhead for both, which the legend's "first epochs cut off"
//! named wrongly for a trial whose latest epoch lies off the axis.

use plotters::prelude::*;

use super::{running, Curve, Emphasis};
use crate::charts::axis::Past;
use crate::charts::{Area, DrawResult};

/// Returns which way the axis over `y0..=y1` cuts the curves drawn, `lines` (each with its
/// points drawn), off, if it does (`above`, `below`, `above and below`): the coloured curves,
/// and the running ones but for their latest epochs; then which way the running curves'
/// latest epochs lie off it, each marked by a hollow arrowhead where its trial is now.
pub(super) fn cut_ways(
    lines: &[(&Curve, Vec<(f64, f64)>)],
    (y0, y1): (f64, f64),
) -> (Option<&'static str>, Option<&'static str>) {
    let off = |beyond: &dyn Fn(f64) -> bool| {
        lines.iter().any(|(c, p)| match c.emphasis {
            Emphasis::Dimmed => false,
            Emphasis::Running => p
                .split_last()
                .is_some_and(|(_, earlier)| earlier.iter().any(|(_, y)| beyond(*y))),
            Emphasis::Colour(_) | Emphasis::RunningColour(_) => p.iter().any(|(_, y)| beyond(*y)),
        })
    };
    let latest_off = |side: Past| {
        lines
            .iter()
            .filter(|(c, _)| c.emphasis == Emphasis::Running)
            .any(|(_, p)| running::latest_off(p, (y0, y1)).is_some_and(|(_, s)| s == side))
    };
    (
        ways(off(&|y| y > y1), off(&|y| y < y0)),
        ways(latest_off(Past::Above), latest_off(Past::Below)),
    )
}

/// Returns where the `piece` of a curve drawn within `y0..=y1` (a piece `within` cut from the
/// curve's `points`) leaves the axis or comes back onto it: each end of it that lies on an
/// edge and is no point of the curve's own, with the side the curve runs off there.
pub(super) fn crossings(
    points: &[(f64, f64)],
    piece: &[(f64, f64)],
    (y0, y1): (f64, f64),
) -> Vec<((f64, f64), Past)> {
    let at_edge = |y: f64, edge: f64| (y - edge).abs() <= (y1 - y0) * 1e-9;
    let ends = [piece.first(), piece.last().filter(|_| piece.len() > 1)];
    ends.into_iter()
        .flatten()
        .filter(|p| !points.contains(p))
        .filter_map(|&(x, y)| {
            if at_edge(y, y1) {
                Some(((x, y), Past::Above))
            } else if at_edge(y, y0) {
                Some(((x, y), Past::Below))
            } else {
                None
            }
        })
        .collect()
}

/// Draws on `root` the arrowhead that marks where a curve lies past the value axis on `side`:
/// a triangle in `colour`, its base centred on the pixel `(x, y)` on the axis's edge, its tip
/// pointing that way.
pub(super) fn arrowhead(
    root: &Area<'_>,
    at: (i32, i32),
    side: Past,
    colour: RGBColor,
) -> DrawResult {
    root.draw(&Polygon::new(corners(at, side), colour.filled()))?;
    Ok(())
}

/// Draws on `root` the hollow arrowhead that marks a running trial's latest epoch lying past
/// the value axis on `side`: a white triangle outlined in `colour`, placed as `arrowhead`
/// places its filled one.
pub(super) fn hollow_arrowhead(
    root: &Area<'_>,
    at: (i32, i32),
    side: Past,
    colour: RGBColor,
) -> DrawResult {
    let corners = corners(at, side);
    root.draw(&Polygon::new(corners.clone(), WHITE.filled()))?;
    let mut outline = corners;
    outline.push(outline[0]);
    root.draw(&PathElement::new(outline, colour.stroke_width(2)))?;
    Ok(())
}

/// Returns which ways something leaves the axis, given whether it does above and below:
/// `above`, `below`, `above and below`; `None` where it does neither.
fn ways(above: bool, below: bool) -> Option<&'static str> {
    match (above, below) {
        (true, true) => Some("above and below"),
        (true, false) => Some("above"),
        (false, true) => Some("below"),
        (false, false) => None,
    }
}

/// Returns the corners of an arrowhead whose base is centred on `(x, y)`, its tip pointing to
/// `side`: the tip first.
fn corners((x, y): (i32, i32), side: Past) -> Vec<(i32, i32)> {
    let tip = if side == Past::Above { -7 } else { 7 };
    vec![(x, y + tip), (x - 5, y), (x + 5, y)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_piece_s_ends_cut_at_an_edge_are_crossings() {
        let points = [(1.0, 5.0), (2.0, 0.5), (3.0, 0.2), (4.0, -3.0)];
        let pieces = crate::charts::curves::within(&points, 0.0, 1.0);
        assert_eq!(pieces.len(), 1);
        let found = crossings(&points, &pieces[0], (0.0, 1.0));
        let sides: Vec<Past> = found.iter().map(|p| p.1).collect();
        assert_eq!(sides, [Past::Above, Past::Below]);
        // A curve wholly within has none, its ends being its own points.
        let inside = [(1.0, 0.2), (2.0, 1.0)];
        assert!(crossings(&inside, &inside, (0.0, 1.0)).is_empty());
    }
}
