//! Where a curve runs far past the others (a trial that diverged) and leaves the axis they set,
//! and which side of it a value lies past, by the rule every chart of trials judges it with
//! (`axis::Past`).

use super::lines::within;
use super::Curve;
use crate::charts::axis::{reach, Past, TrialAxis, YAxis};

/// How many times the size of the others' values (the lower median of each curve's largest
/// value's size) a curve's values may reach before it is taken for diverged, and leaves off the
/// axis of the curves it is compared with: a loss of 50 beside one of 1 stays (a log axis
/// shows both), one of 1e40 (or an R² of -1.5e46 beside 0.7) does not.
const CURVE_REACH: f64 = 1000.0;

/// How far past the values of the curves kept a diverged curve's values may still set the axis,
/// in multiples of their spread (`axis::reach`): its first epochs, before it diverged, are of
/// their size and stay on the axis; once past ten times their spread it runs off.
const KEPT_REACH: f64 = 10.0;

/// Returns the bounds within which the values of `curves` set the chart's axis, where one of
/// the curves that set it (the coloured ones; every one where none is coloured) diverged: its
/// values grow to more than `CURVE_REACH` times the size of the others'. The axis then fits
/// the others, whatever they do, within their own `reach`; the diverged curve runs off it,
/// cut at its edge. `None` (every value sets it) where none diverged, and with fewer than two
/// curves: a curve alone is drawn whole, with nothing beside it that it could flatten.
pub(super) fn curves_reach(curves: &[Curve]) -> Option<(f64, f64)> {
    let coloured = curves.iter().any(|c| c.emphasis.colour().is_some());
    let size = |c: &Curve| {
        c.points
            .iter()
            .map(|p| p.1.abs())
            .filter(|y| y.is_finite())
            .reduce(f64::max)
    };
    let setting: Vec<(&Curve, f64)> = curves
        .iter()
        .filter(|c| !coloured || c.emphasis.colour().is_some())
        .filter_map(|c| Some((c, size(c)?)))
        .collect();
    if setting.len() < 2 {
        return None;
    }
    let mut sizes: Vec<f64> = setting.iter().map(|(_, s)| *s).collect();
    sizes.sort_by(f64::total_cmp);
    let typical = sizes[(sizes.len() - 1) / 2];
    let tame = |s: f64| s <= CURVE_REACH * typical;
    if typical <= 0.0 || sizes.iter().all(|s| tame(*s)) {
        return None;
    }
    let kept: Vec<f64> = setting
        .iter()
        .filter(|(_, s)| tame(*s))
        .flat_map(|(c, _)| c.points.iter().map(|p| p.1))
        .filter(|y| y.is_finite())
        .collect();
    let (lo, hi) = kept
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(*y), hi.max(*y))
        });
    let (r0, r1) = reach(kept.iter().copied(), KEPT_REACH).unwrap_or((lo, hi));
    Some((r0.min(lo), r1.max(hi)))
}

/// Returns which side of `bounds` (the reach of the curves that set the axis, `curves_reach`)
/// value `v` lies past, by the rule every chart of trials judges it with (`TrialAxis::at`);
/// `None` within them, without them, or for a value that is not a number.
pub(super) fn past_reach(v: f64, bounds: Option<(f64, f64)>) -> Option<Past> {
    let range = bounds?;
    TrialAxis {
        scale: YAxis::Linear,
        range,
    }
    .at(v)?
    .1
}

/// Returns how far value `v` lies past `bounds` (`past_reach`), from the edge it lies past;
/// `None` within them.
pub(super) fn past_by(v: f64, (lo, hi): (f64, f64)) -> Option<f64> {
    match past_reach(v, Some((lo, hi)))? {
        Past::Above => Some(v - hi),
        Past::Below => Some(lo - v),
    }
}

/// Returns where a curve of `points` wholly past the axis over `y0..y1` is marked, and the side
/// it lies past (`past_reach`'s rule): its first step, on that edge; `None` for a curve with a
/// point on the axis, or none.
pub(super) fn wholly_past(
    points: &[(f64, f64)],
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), Past)> {
    let &(x, y) = points.first()?;
    if !within(points, y0, y1).is_empty() {
        return None;
    }
    match past_reach(y, Some((y0, y1)))? {
        Past::Above => Some(((x, y1), Past::Above)),
        Past::Below => Some(((x, y0), Past::Below)),
    }
}
