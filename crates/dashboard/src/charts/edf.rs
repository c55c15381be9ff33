//! Empirical distribution functions: for each of several experiments, the share of its
//! completed trials that reach each value of the objective (Optuna's `plot_edf`), so that two
//! samplers are compared on all their trials, not only on their best.

use plotters::prelude::*;

use super::curves::{absent_entry, line_chart, LEGEND_WIDTH};
use super::{
    draw_symbol, legend_entry, padded_range, palette, render, symbol, symbol_points, tick,
    DrawResult, Marker,
};

/// One experiment's objective values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Distribution {
    /// The legend label, the experiment's name.
    pub(crate) label: String,
    /// Its completed trials' values; non-finite ones are left out.
    pub(crate) values: Vec<f64>,
}

/// Returns the step lines of `series` against the objective `x_title`: the share of each one's
/// values at least x when `at_least` (an objective maximized), else at most x; either way, a
/// higher line is the better experiment at that value.
pub(crate) fn edf(
    series: &[Distribution],
    size: (u32, u32),
    x_title: &str,
    at_least: bool,
) -> String {
    let y_title = if at_least {
        "share of trials at or above"
    } else {
        "share of trials at or below"
    };
    // Experiments without a completed value: named in the legend and the label, not absent.
    let absent: Vec<&str> = series
        .iter()
        .filter(|s| !s.values.iter().any(|v| v.is_finite()))
        .map(|s| s.label.as_str())
        .collect();
    let label = format!("{y_title} each {x_title}");
    let sorted: Vec<(usize, Vec<f64>)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut v: Vec<f64> = s.values.iter().copied().filter(|x| x.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            (i, v)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let all = sorted.iter().flat_map(|(_, v)| v.iter().copied());
    let Some((x0, x1)) = padded_range(all) else {
        return super::empty(size, &label, "no completed trials");
    };
    let label = if absent.is_empty() {
        label
    } else {
        let none: Vec<String> = absent.iter().map(|a| format!("{a}: no values")).collect();
        format!("{label}; {}", none.join("; "))
    };
    render(size, &label, |root| -> DrawResult {
        let (plot, legend) = root.split_horizontally(size.0.saturating_sub(LEGEND_WIDTH));
        let mut chart = line_chart(
            &plot,
            (x0..x1, 0.0..1.0),
            (x_title, y_title),
            (&|v: &f64| tick(*v), &|v: &f64| format!("{:.0}%", v * 100.0)),
        )?;
        for (i, values) in &sorted {
            let line = steps(values, (x0, x1), at_least);
            chart.draw_series(LineSeries::new(
                line.iter().copied(),
                palette(*i).stroke_width(2),
            ))?;
            // On the corners at the values, not at the axis's padded ends.
            let corners = line
                .get(1..line.len().saturating_sub(1))
                .unwrap_or_default();
            for p in symbol_points(corners, (x0, x1), *i) {
                draw_symbol(
                    root,
                    chart.backend_coord(&p),
                    symbol(*i),
                    palette(*i),
                    4,
                    false,
                )?;
            }
        }
        let mut y = 24;
        for (i, _) in &sorted {
            legend_entry(
                &legend,
                (6, y),
                palette(*i),
                Marker::Series(symbol(*i)),
                &series[*i].label,
            )?;
            y += 20;
        }
        for name in &absent {
            y = absent_entry(&legend, y, name)?;
        }
        Ok(())
    })
}

/// Returns the corners of the step function of the sorted `values` across `x0..x1`.
pub(crate) fn steps(values: &[f64], (x0, x1): (f64, f64), at_least: bool) -> Vec<(f64, f64)> {
    let n = values.len() as f64;
    // The share at or below x after the first k values, or at or above before them.
    let share = |k: usize| {
        let below = k as f64 / n;
        if at_least {
            1.0 - below
        } else {
            below
        }
    };
    let mut points = vec![(x0, if at_least { 1.0 } else { 0.0 })];
    let mut k = 0;
    while k < values.len() {
        let v = values[k];
        let before = share(k);
        // Equal values make one step.
        while k < values.len() && values[k] == v {
            k += 1;
        }
        // At least v holds for v itself: the step down comes just after it.
        points.push((v, before));
        points.push((v, share(k)));
    }
    points.push((x1, share(values.len())));
    points
}
