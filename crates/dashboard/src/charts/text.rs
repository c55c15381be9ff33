//! The words and numbers a chart writes: ticks and tooltips' values to a few significant
//! digits (`tick`, `significant`, `precise`), a trial's tooltip's start (`trial_title`), an
//! axis title's unit by the experiment's task (`Task`, `metric_title`), names cut to fit
//! (`shorten`, `shorten_middle`), and the text style of them all (`text_style`).

use plotters::prelude::*;

use super::{FONT, TEXT};

/// Formats a value for a tooltip: as a tick is, but in exponent form to 4 significant digits
/// too (`1.419e-5`, where a tick reads `1.4e-5`).
pub(super) fn precise(v: f64) -> String {
    let short = tick(v);
    if !short.contains('e') || !v.is_finite() {
        return short;
    }
    let full = format!("{v:.3e}");
    match full.split_once('e') {
        Some((mantissa, exponent)) => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        None => full,
    }
}

/// Returns the start of a trial's tooltip: its number and its `objective`'s value, and
/// `(pruned)` for a trial stopped early, whose value is the one it was stopped with
/// (`trial 12: val_accuracy 0.9805 (pruned)`).
pub(crate) fn trial_title(
    trial: u32,
    (objective, value): (&str, Option<f64>),
    pruned: bool,
) -> String {
    format!(
        "trial {trial}: {objective} {}{}",
        experiment::named_metric_text(objective, value),
        if pruned { " (pruned)" } else { "" }
    )
}

/// What an experiment's models predict, as far as its spec or its metrics tell: it gives the
/// losses their unit (classification trains on cross-entropy, regression on the mean squared
/// error of the standardized target).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    /// A class out of a few.
    Classification,
    /// A real number.
    Regression,
    /// Not known (a spec that no longer parses and no trial reported yet), or experiments of
    /// both kinds drawn on one chart.
    Unknown,
}

impl Task {
    /// Returns the task of an experiment: its spec's `data.task`, or, where the spec infers it
    /// from the data (or no longer parses), the one that the first of the metric `names`
    /// (reported or asked for) that belongs to one task alone names: `val_rmse` regression,
    /// `val_accuracy` classification.
    pub(crate) fn of<'a>(
        spec: Option<&experiment::ExperimentSpec>,
        mut names: impl Iterator<Item = &'a str>,
    ) -> Task {
        use experiment::Task as Given;
        match spec.and_then(|s| s.data.task) {
            Some(Given::Classification) => Task::Classification,
            Some(Given::Regression) => Task::Regression,
            None => names
                .find_map(|n| {
                    match (
                        Given::Regression.reports(n),
                        Given::Classification.reports(n),
                    ) {
                        (true, false) => Some(Task::Regression),
                        (false, true) => Some(Task::Classification),
                        _ => None,
                    }
                })
                .unwrap_or(Task::Unknown),
        }
    }

    /// Returns the task the experiments of `tasks` share, or `Unknown` when they differ.
    pub(crate) fn shared(mut tasks: impl Iterator<Item = Task>) -> Task {
        let first = tasks.next().unwrap_or(Task::Unknown);
        if tasks.all(|t| t == first) {
            first
        } else {
            Task::Unknown
        }
    }
}

/// Returns the axis title of a metric of an experiment of `task`, with its unit where the task
/// gives it one: a loss's unit is the task's training loss, and a name the task does not
/// define has none. A regression loss reads `standardized MSE` (the mean squared error of
/// the standardized target), short enough for the y axis of a trial page's small charts.
pub(crate) fn metric_title(metric: &str, task: Task) -> String {
    match (metric, task) {
        ("epoch_seconds", _) => "epoch_seconds (s)".to_string(),
        (m, _) if is_fraction(m, task) => format!("{m} (fraction)"),
        (m, Task::Classification) if m.ends_with("loss") => format!("{m} (cross-entropy)"),
        (m, Task::Regression) if m.ends_with("loss") => {
            format!("{m} (standardized MSE)")
        }
        (m, _) => m.to_string(),
    }
}

/// Returns whether `metric` of an experiment of `task` is known to be a fraction, from 0 to 1,
/// as its axis title says (`metric_title`): an accuracy, unless the task is a regression.
pub(crate) fn is_fraction(metric: &str, task: Task) -> bool {
    matches!(task, Task::Classification | Task::Unknown) && metric.ends_with("accuracy")
}

/// Formats a tick value with at most four significant digits and no trailing zeros.
pub(crate) fn tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            v.to_string()
        };
    }
    let magnitude = v.abs().log10().floor();
    if !(-3.0..5.0).contains(&magnitude) {
        let s = format!("{v:.1e}");
        return s.replace(".0e", "e");
    }
    // A small non-negative number of decimals.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let decimals = (3.0 - magnitude).max(0.0) as usize;
    fixed(v, decimals)
}

/// Formats `v` with `decimals` decimals, less trailing zeros (`0.500` is `0.5`, `2.000` is `2`).
fn fixed(v: f64, decimals: usize) -> String {
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

/// Returns a written number less the trailing zeros of its fraction, and its point where none
/// is left (`1.50` is `1.5`, `2.0` is `2`); one without a point is left whole (`100`).
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Formats `v` to `digits` significant digits with no trailing zeros, in exponent form where
/// `tick` uses it (`0.00996`, `0.003`, `6.82e-4`): an axis's end, which is where the data
/// ends rather than a round value, reads as precisely as the other end.
pub(crate) fn significant(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return tick(v);
    }
    let exponent_form = format!("{v:.prec$e}", prec = digits.saturating_sub(1));
    let Some((mantissa, exponent)) = exponent_form.split_once('e') else {
        return exponent_form;
    };
    let mantissa = trim_zeros(mantissa);
    let rounded: f64 = exponent_form.parse().unwrap_or(v);
    let magnitude = rounded.abs().log10().floor();
    if (-3.0..5.0).contains(&magnitude) {
        // Every one of the rounded value's `digits` significant digits (`tick` would keep
        // four), less trailing zeros.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let decimals = (u32::try_from(digits.saturating_sub(1)).map_or(f64::MAX, f64::from)
            - magnitude)
            .clamp(0.0, 20.0) as usize;
        fixed(rounded, decimals)
    } else {
        format!("{mantissa}e{exponent}")
    }
}

/// Formats a tick of a trial-number axis: whole numbers only (those [`whole`] finds), others
/// left empty.
pub(crate) fn trial_tick(v: f64) -> String {
    whole(v).map_or_else(String::new, |whole| tick(whole + 0.0))
}

/// Returns the whole number `v` is within a hair of, or `None` where it is none: ticks are
/// sums of float steps (0.2 * 5 is not 1).
pub(crate) fn whole(v: f64) -> Option<f64> {
    let whole = v.round();
    ((v - whole).abs() < 1e-9).then_some(whole)
}

/// Returns a text style of `size` pixels in the chart font and colour.
pub(super) fn text_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&TEXT)
}

/// Cuts `s` to `max` characters, ending with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Cuts `s` to `max` characters by leaving out its middle, for legends: names that share a
/// beginning (`digits-mlp-pareto-random-seed1`, `...-seed2`) stay told apart by their ends.
pub(crate) fn shorten_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head = max.saturating_sub(1) / 2;
    let tail = max.saturating_sub(1) - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    out
}
