//! The hypervolume history of a study of several objectives (Optuna's
//! `plot_hypervolume_history`): by trial number, the share of a box the completed trials so
//! far dominate, drawn as a step line and said in words.

use plotters::prelude::*;

use super::pareto::{LEGEND_WIDTH, SIZE};
use super::{padded_range, render, trial_tick, DrawResult, PALETTE};

/// The size of the hypervolume history.
const HISTORY_SIZE: (u32, u32) = (1300, 300);

/// Returns the hypervolume history (Optuna's `plot_hypervolume_history`): by trial number, the
/// share of a box that the completed trials so far dominate, as a step line; `points` are
/// (trial number, share) in trial order.
pub(crate) fn hypervolume_history(points: &[(f64, f64)]) -> String {
    let title = "hypervolume of the trials so far, by trial number";
    let (Some((x0, x1)), Some((y0, y1))) = (
        padded_range(points.iter().map(|p| p.0)),
        padded_range(points.iter().map(|p| p.1)),
    ) else {
        return super::empty(HISTORY_SIZE, title, "no completed trials");
    };
    let label = format!("{title}: {}", hypervolume_words(points));
    let label = label.as_str();
    let mut line = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        if let Some(&(_, before)) = i.checked_sub(1).and_then(|j| points.get(j)) {
            line.push((x, before));
        }
        line.push((x, y));
    }
    render(HISTORY_SIZE, label, |root| -> DrawResult {
        let (plot, _) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let mut chart = super::curves::line_chart(
            &plot,
            (x0..x1, y0..y1),
            ("trial number", "hypervolume (share of the box)"),
            (&|v: &f64| trial_tick(*v), &|v: &f64| {
                format!("{:.0}%", v * 100.0)
            }),
        )?;
        // A dot at the latest value: what the study holds now, and with one trial the whole
        // history (a line of one point draws nothing).
        let last = line.last().copied();
        chart.draw_series(LineSeries::new(line, PALETTE[1].stroke_width(2)))?;
        chart.draw_series(last.map(|p| Circle::new(p, 4, PALETTE[1].filled())))?;
        Ok(())
    })
}

/// Returns the hypervolume history in words, for a reader who does not see the chart: where it
/// starts and ends, and the trials that raised it (the last few where many did).
fn hypervolume_words(points: &[(f64, f64)]) -> String {
    let share = |v: f64| format!("{:.1}%", v * 100.0);
    let (Some(&(a, first)), Some(&(b, last))) = (points.first(), points.last()) else {
        return String::new();
    };
    let rises: Vec<String> = points
        .windows(2)
        .filter(|w| w[1].1 > w[0].1)
        .map(|w| super::tick(w[1].0))
        .collect();
    let mut words = format!(
        "{} after trial {}, {} after trial {}",
        share(first),
        super::tick(a),
        share(last),
        super::tick(b)
    );
    match rises.len() {
        0 => {}
        n if n <= 8 => words.push_str(&format!("; raised by trials {}", rises.join(", "))),
        n => words.push_str(&format!(
            "; raised by {n} trials, the last {}",
            rises[n - 5..].join(", ")
        )),
    }
    words
}
