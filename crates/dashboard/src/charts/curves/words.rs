//! What a curve comes to, in words: its tooltip and its part of the chart's label, which
//! say its best step and value, or, without one, where it ends (or, running, where it is so
//! far).

use plotters::style::text_anchor::HPos;

use super::Curve;
use crate::charts::axis::YAxis;
use crate::charts::tick;

/// Returns the point `curve` marks as its best, as recorded (downsampling may drop it from
/// what is drawn): the last at its best step, which on a best-so-far line is the value it
/// stepped up to there, not the one it left.
pub(super) fn best_point(curve: &Curve) -> Option<(f64, f64)> {
    let step = curve.best?;
    curve.points.iter().rev().find(|p| p.0 == step).copied()
}

/// Returns what `curve` (placed along `axis`) comes to: its best step (epoch, trial number)
/// and value, or, without one (a pruned trial), where it ends; then its note, if any.
pub(super) fn describe(curve: &Curve, x_title: &str, axis: YAxis) -> String {
    let comes_to = comes_to(curve, x_title, axis);
    if curve.note.is_empty() {
        comes_to
    } else {
        format!("{comes_to}, {}", curve.note)
    }
}

/// Returns what `curve` (placed along `axis`) comes to: its best step and value (`best epoch
/// 25, 0.9600`, `best trial number 5, 0.9526`), or, without one, where it ends; a running
/// trial's, where it is so far (`trial 12: running, 0.9100 at epoch 7 so far`).
fn comes_to(curve: &Curve, x_title: &str, axis: YAxis) -> String {
    let reached = match best_point(curve) {
        Some((step, value)) => Some(format!(
            "best {x_title} {}, {}",
            tick(step),
            experiment::metric_text(Some(axis.value(value)))
        )),
        None => curve.points.last().map(|&(x, y)| {
            format!(
                "{} at {x_title} {}",
                experiment::metric_text(Some(axis.value(y))),
                tick(x)
            )
        }),
    };
    let label = &curve.label;
    match (reached, curve.emphasis.is_running()) {
        (Some(reached), false) => format!("{label}: {reached}"),
        (Some(reached), true) => format!("{label}: running, {reached} so far"),
        (None, false) => label.clone(),
        (None, true) => format!("{label}: running, no {x_title} reported yet"),
    }
}

/// Returns the label of the line down a lone coloured curve's chart at its best `step` over
/// the x axis `x0..x1` counting `x_label`s (`best epoch 63`), the side of the line it lies on
/// and its pixel offset from it (on its left near the chart's right edge), and the step.
pub(super) fn best_label(
    step: f64,
    (x0, x1): (f64, f64),
    x_label: &str,
) -> (String, (HPos, i32), f64) {
    let side = if step > x0 + 0.8 * (x1 - x0) {
        (HPos::Right, -4)
    } else {
        (HPos::Left, 4)
    };
    (format!("best {x_label} {}", tick(step)), side, step)
}
