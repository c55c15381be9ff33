//! Where the curves of running trials beside an experiment's top trials (`Emphasis::Running`)
//! meet the axis those set: their latest values, where each trial is now, widen it while that
//! does not squeeze the top trials' curves; a curve that still leaves it is said to (its
//! tooltip and the chart's label) and, where its latest value lies off it, marked there.
//!
//! Rejected: letting every value of a running curve set the axis (its first epochs, far below
//! the top trials', would squeeze them into a line, as a pruned trial's would); and leaving it
//! cut with no word (a trial's latest value, off the chart, read as a trial not drawn).

use crate::charts::axis::Past;

/// How many times the span the top trials set the running curves' latest values may stretch
/// the axis to: as far as a settled axis lets first epochs stretch it (`SETTLED_SQUEEZE`).
const LATEST_SQUEEZE: f64 = super::fit::SETTLED_SQUEEZE;

/// Returns the axis `range` widened to hold the `latest` values of the running curves (the
/// finite ones within reach), nearest first, while it spans at most `LATEST_SQUEEZE` times
/// `range`'s span (padded as `padded_range` pads); `range` as it is where none fits or none
/// lies outside it.
pub(super) fn with_latest(range: (f64, f64), latest: &[f64]) -> (f64, f64) {
    let (y0, y1) = range;
    let limit = LATEST_SQUEEZE * (y1 - y0);
    let mut outside: Vec<f64> = latest
        .iter()
        .copied()
        .filter(|v| v.is_finite() && !(y0..=y1).contains(v))
        .collect();
    let distance = |v: f64| if v < y0 { y0 - v } else { v - y1 };
    outside.sort_by(|a, b| distance(*a).total_cmp(&distance(*b)));
    let mut widened = range;
    let mut held: Vec<f64> = vec![y0, y1];
    for v in outside {
        held.push(v);
        match crate::charts::padded_range(held.iter().copied()) {
            Some((lo, hi)) if hi - lo <= limit => widened = (lo, hi),
            _ => {
                held.pop();
            }
        }
    }
    widened
}

/// Returns what a running curve of `points` says of where it leaves the axis over `y0..=y1`,
/// for its tooltip and the chart's label: where its latest value lies off it, that it does
/// (`its latest epoch lies below the axis`), else where earlier ones do (`its earlier epochs
/// leave the axis below`); `None` for a curve within it.
pub(super) fn off_axis(
    points: &[(f64, f64)],
    (y0, y1): (f64, f64),
    x_title: &str,
) -> Option<String> {
    let side = |y: f64| {
        if y > y1 {
            Some(Past::Above)
        } else if y < y0 {
            Some(Past::Below)
        } else {
            None
        }
    };
    let word = |p: Past| match p {
        Past::Above => "above",
        Past::Below => "below",
    };
    let (&(_, last), earlier) = points.split_last()?;
    if let Some(past) = side(last) {
        return Some(format!("its latest {x_title} lies {} the axis", word(past)));
    }
    let sides: Vec<Past> = [Past::Above, Past::Below]
        .into_iter()
        .filter(|s| earlier.iter().any(|p| side(p.1) == Some(*s)))
        .collect();
    let ways: Vec<&str> = sides.into_iter().map(word).collect();
    (!ways.is_empty()).then(|| {
        format!(
            "its earlier {x_title}s leave the axis {}",
            ways.join(" and ")
        )
    })
}

/// Returns where a running curve of `points` is marked as off the axis over `y0..=y1`: its
/// latest point, on the edge it lies past, and that side; `None` where it lies within it.
pub(super) fn latest_off(
    points: &[(f64, f64)],
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), Past)> {
    let &(x, y) = points.last()?;
    if y > y1 {
        Some(((x, y1), Past::Above))
    } else if y < y0 {
        Some(((x, y0), Past::Below))
    } else {
        None
    }
}
