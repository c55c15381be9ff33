//! How a curve chart's y axis is fitted to its curves (`Fit`): the span of the coloured ones
//! (of every curve where none is coloured), settled past their first epochs where those would
//! squeeze them, and widened to the running curves' latest values as far as `running` lets it.

use super::words::best_point;
use super::{running, Curve, Emphasis};
use crate::charts::padded_range;

/// How a line chart's y axis is fitted to its curves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Every point of the coloured curves: a trial's own chart and trials compared show each
    /// curve whole, first epochs too; but for a curve that diverged beside others
    /// (`curves_reach`), which runs off the axis, cut at its edge and said so.
    Every,
    /// The coloured curves past their first tenth of steps, where training settles, and each
    /// one's best point, when their first epochs would stretch the axis to more than
    /// `SETTLED_SQUEEZE` times that span (the top trials' curves would lie on one another);
    /// the chart then says so, and marks with a small arrowhead where a curve leaves the axis.
    Settled,
}

/// How much the first epochs may stretch a settled chart's axis before they are cut off it.
pub(super) const SETTLED_SQUEEZE: f64 = 3.0;

/// Returns the span of values the y axis of `lines` (each curve with its points drawn) shows,
/// fitted as `fit` says, of the values `kept` keeps (finite and within reach); `None` where
/// there is none.
pub(super) fn value_range(
    lines: &[(&Curve, Vec<(f64, f64)>)],
    fit: Fit,
    kept: &dyn Fn(f64) -> bool,
) -> Option<(f64, f64)> {
    // The y axis spans the coloured curves (every curve where all are dimmed); the dimmed
    // curves of pruned trials (stopped early, at values far below the top trials') run off
    // the chart, cut where they cross its edge. Settled, it leaves out the first tenth of each
    // coloured curve's steps but keeps its best point wherever it lies (an early best is what
    // its trial is ranked by, and its marker must be seen).
    let coloured = lines
        .iter()
        .filter(|(c, _)| c.emphasis.colour().is_some())
        .count();
    let setting = || {
        lines
            .iter()
            .filter(|(c, _)| coloured == 0 || c.emphasis.colour().is_some())
    };
    let whole = padded_range(
        setting()
            .flat_map(|(_, p)| p.iter().map(|(_, y)| *y))
            .filter(|y| kept(*y)),
    );
    let settled = setting().flat_map(|(_, p)| p.iter().skip(p.len() / 10).map(|(_, y)| *y));
    let bests = lines
        .iter()
        .filter(|(c, _)| c.emphasis.colour().is_some())
        .filter_map(|(c, _)| best_point(c))
        .map(|(_, y)| y);
    let settled = padded_range(settled.chain(bests).filter(|y| kept(*y)));
    let in_range = match (fit, whole, settled) {
        (Fit::Settled, Some(w), Some(s)) if w.1 - w.0 > SETTLED_SQUEEZE * (s.1 - s.0) => Some(s),
        _ => whole,
    };
    // The running trials' latest values, where each is now, widen it while that does not
    // squeeze the top trials' curves (`running::with_latest`); past that, they leave it.
    let latest: Vec<f64> = lines
        .iter()
        .filter(|(c, _)| coloured > 0 && c.emphasis == Emphasis::Running)
        .filter_map(|(_, p)| p.last().map(|p| p.1))
        .filter(|y| kept(*y))
        .collect();
    in_range.map(|r| running::with_latest(r, &latest))
}
