//! Value axes fitted to what a chart draws: when one is logarithmic, and which values lie so
//! far from the rest that they are left past its edge.
//!
//! One trial that diverged (a loss of 3e30, an R² of -1.5e46) stretches an axis fitted to every
//! value so far that every other value lies flat on one line. So the charts of trials fit their
//! value axis to the values that matter (the completed trials) within `REACH` times their
//! spread around their median (`reach`; on a log axis, `LOG_REACH` decades, `log_reach`;
//! compared curves leave off one that grew a thousand times the others' size,
//! `curves::curves_reach`), never without the best trial, and draw what lies past it on the
//! axis's edge (`edge_mark`), marked and counted, its value in its tooltip: no trial is hidden.
//! A minimized metric whose values are all positive and span many decades gets a log axis
//! (`YAxis::of`), the rule the learning curves always had, decided before any value is left
//! off, so that a loss falling over decades is shown on one, not cut.
//!
//! Rejected: a log axis alone, as Optuna's users switch to by hand: over 30 decades the trials
//! that matter get 1% of the height, and values of both signs (an R²) have none. Clipping at
//! percentiles, as W&B's "ignore outliers" does: it leaves off a few trials of every chart,
//! diverged or not, and silently. A reach of 10 times the spread: it left off trials that had
//! merely not learned (a loss at chance level, 2.3, among 0.1s), and the best of an R² near 0.
//! Quartiles as the middle's spread: with 4 trials or fewer they are the extremes, so nothing
//! was ever left off, and with 5 to 8 two diverged trials set them.

use experiment::Direction;
use plotters::coord::ranged1d::Ranged as _;

use plotters::prelude::*;

use super::{padded_range, tick, Area, DrawResult, Scale, DIM};

/// A real axis of a line chart.
type Ranged = plotters::coord::types::RangedCoordf64;

/// How many decades (powers of ten) the values must span, all positive, for a minimized
/// metric's axis to be logarithmic.
const LOG_DECADES: f64 = 2.0;

/// How far from the median of the values that matter a value may lie and still set a linear
/// axis, in multiples of their spread (`reach`): so far that only a value that diverged is left
/// off (an RMSE of 4.5e10 among 3s, an R² of -1.5e46 among 0.7s), never one of the others'
/// order of magnitude (an accuracy of 0.1 among 0.97s, a loss at chance level, 2.3, among 0.1s),
/// as `curves::CURVE_REACH` is for curves.
pub(crate) const REACH: f64 = 1000.0;

/// How many decades past the median of the values that matter (beyond their own spread in
/// decades) a value may lie and still set a log axis (`log_reach`): a loss at chance level, 2.3,
/// among 1e-3s (3.4 decades) stays, and every decade of the axis is the others' or one of at
/// most 4 more, where a loss of 3e30 among 3s (30 decades) would leave them 1% of its height.
const LOG_REACH: f64 = 4.0;

/// How many ticks a line chart's y axis is asked for (plotters' hint: at most this many).
pub(crate) const Y_TICKS: usize = 6;

/// How a chart's value axis lays out values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YAxis {
    /// Evenly: the default; always for a metric that is maximized (accuracy, F1, AUC, R²,
    /// whose best values, near their top, a log axis would squash together however low their
    /// first epochs start), one whose direction is unknown, and values that are not all
    /// positive.
    Linear,
    /// By powers of ten: the metric is minimized (a loss, an error), every value drawn is
    /// positive and those that set the axis span more than `LOG_DECADES` decades, as a loss
    /// falling from 0.67 to 7e-4 does, whose last epochs a linear axis squashes onto zero
    /// (what W&B's and TensorBoard's users switch to by hand). The chart says so on its axis.
    Log,
}

impl YAxis {
    /// Chooses the axis of a metric whose direction is `goal`, drawing the values `drawn`
    /// of which `setting` set the axis: logarithmic when the metric is minimized, every finite
    /// value drawn is positive and the finite values of `setting` span more than
    /// `LOG_DECADES` decades.
    pub(crate) fn of(
        drawn: impl Iterator<Item = f64>,
        setting: impl Iterator<Item = f64>,
        goal: Option<Direction>,
    ) -> YAxis {
        if goal != Some(Direction::Minimize) {
            return YAxis::Linear;
        }
        if drawn.filter(|y| y.is_finite()).any(|y| y <= 0.0) {
            return YAxis::Linear;
        }
        let (lo, hi) = setting
            .filter(|y| y.is_finite())
            .fold((f64::INFINITY, 0.0_f64), |(lo, hi), y| {
                (lo.min(y), hi.max(y))
            });
        if lo.is_finite() && lo > 0.0 && (hi / lo).log10() > LOG_DECADES {
            YAxis::Log
        } else {
            YAxis::Linear
        }
    }

    /// Returns the title of an axis of this scale for a metric titled `title`: itself on a
    /// linear one, and on a log one with the scale beside its unit, in one bracket
    /// (`val_loss (cross-entropy, log scale)`), or after it (`val_rmse (log scale)`).
    pub(crate) fn title(self, title: &str) -> String {
        match self {
            YAxis::Linear => title.to_string(),
            YAxis::Log => match title.strip_suffix(')') {
                Some(open) if open.contains('(') => format!("{open}, log scale)"),
                _ => format!("{title} (log scale)"),
            },
        }
    }

    /// Returns what a chart's label says of its axis `which` (`y`, `objective`) on this scale,
    /// to follow what it says before: `; y axis on a log scale`, and nothing on a linear one.
    /// The history, the slice plots and the parallel coordinates say it alike.
    pub(crate) fn said(self, which: &str) -> String {
        match self {
            YAxis::Linear => String::new(),
            YAxis::Log => format!("; {which} axis on a log scale"),
        }
    }

    /// Returns where value `y` lies along the axis: itself, or its logarithm (not a number,
    /// or minus infinity, for a value a log axis cannot place).
    pub(crate) fn place(self, y: f64) -> f64 {
        match self {
            YAxis::Linear => y,
            YAxis::Log => y.log10(),
        }
    }

    /// Returns the value at place `v` along the axis (what `place` placed there).
    pub(crate) fn value(self, v: f64) -> f64 {
        match self {
            YAxis::Linear => v,
            YAxis::Log => 10f64.powf(v),
        }
    }

    /// Writes the tick at place `v` of an axis over places `y0..y1`: the value; on a log axis
    /// that holds two whole powers of ten or more, only at those (`0.001`, `0.01`, `0.1`),
    /// and on a shorter one (a settled overlay's) at every tick, to two significant digits;
    /// `digits`, where given, is how many significant digits every labelled tick takes instead
    /// (what `digits` finds neighbouring ticks need to read differently).
    pub(crate) fn tick(self, v: f64, (y0, y1): (f64, f64), digits: Option<usize>) -> String {
        match (self, digits) {
            (YAxis::Log, _) if y1.floor() - y0.ceil() >= 1.0 => {
                super::whole(v).map_or_else(String::new, |whole| tick(10f64.powf(whole)))
            }
            (_, Some(digits)) => super::significant(self.value(v), digits),
            (YAxis::Linear, None) => tick(v),
            (YAxis::Log, None) => super::significant(self.value(v), 2),
        }
    }

    /// Returns how many significant digits the ticks of an axis over places `y0..y1` need for
    /// neighbouring ones to read differently, where `tick`'s own writing repeats one (a
    /// settled overlay's log axis a few hundredths of a decade long read `0.001`, `0.001`,
    /// `0.0011`, `0.0011`; a linear one at 1e-4, `9.8e-5`, `1e-4`, `1e-4`): the fewest from two
    /// up that tell them apart; `None` where its own writing does. The ticks are those plotters
    /// draws, asked for `Y_TICKS`.
    pub(crate) fn digits(self, (y0, y1): (f64, f64)) -> Option<usize> {
        let places = Ranged::from(y0..y1).key_points(Y_TICKS);
        let differ = |digits: Option<usize>| {
            let labels: Vec<String> = places
                .iter()
                .map(|&v| self.tick(v, (y0, y1), digits))
                .filter(|t| !t.is_empty())
                .collect();
            labels.windows(2).all(|w| w[0] != w[1])
        };
        if differ(None) {
            return None;
        }
        (2..=17).map(Some).find(|&d| differ(d)).flatten()
    }
}

/// Returns the bounds within which a value may set a linear axis fitted to the values that
/// matter, `core`: their median, widened on each side by `factor` times their spread, the larger
/// of twice their median distance from the median (the interquartile range of values spread
/// evenly, which a few diverged values do not widen as they do the quartiles of a few trials)
/// and the median's size; the median of an even count is the lower middle value. `None` (every
/// value may) with fewer than 3 finite values, where which one diverged cannot be told, or
/// where their spread is nothing (every value 0).
pub(crate) fn reach(core: impl Iterator<Item = f64>, factor: f64) -> Option<(f64, f64)> {
    let (median, spread) = middle(core)?;
    let spread = spread.max(median.abs());
    (spread > 0.0).then_some((median - factor * spread, median + factor * spread))
}

/// Returns the bounds within which a value may set a log axis fitted to the positive values that
/// matter, `core`: `LOG_REACH` decades past their spread in decades (twice their median distance
/// from their median, in decades) each side of their median; `None` (every value may) with
/// fewer than 3 of them.
pub(crate) fn log_reach(core: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let places = core.filter(|v| *v > 0.0).map(f64::log10);
    let (median, spread) = middle(places)?;
    let reach = LOG_REACH + spread;
    Some((10f64.powf(median - reach), 10f64.powf(median + reach)))
}

/// Returns the median of the finite values of `values` (the lower middle one of an even count)
/// and twice their median distance from it; `None` with fewer than 3 of them.
fn middle(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if sorted.len() < 3 {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = (sorted.len() - 1) / 2;
    let median = sorted[mid];
    let mut distances: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
    distances.sort_by(f64::total_cmp);
    Some((median, 2.0 * distances[mid]))
}

/// Returns whether `v` lies within `bounds` (every value does without them).
pub(crate) fn within_reach(v: f64, bounds: Option<(f64, f64)>) -> bool {
    bounds.is_none_or(|(lo, hi)| (lo..=hi).contains(&v))
}

/// How much the pruned trials may stretch the axis of a chart of trials past the finished
/// trials' span before they are left on its edge.
pub(crate) const SQUEEZE: f64 = 3.0;

/// The value axis of a chart of trials (`trials`): how it lays out values and the places it
/// spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TrialAxis {
    /// Linear, or logarithmic (the chart's places are then the values' logarithms).
    pub(crate) scale: YAxis,
    /// The lowest and highest place the axis shows, padded.
    pub(crate) range: (f64, f64),
}

/// Which side of a chart's value axis a value lies past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Past {
    /// Below its lowest place.
    Below,
    /// Above its highest place.
    Above,
}

impl TrialAxis {
    /// Returns where value `v` is drawn: its place, held to the axis, and the side it lies
    /// past when it does; `None` for a value that is not a number.
    pub(crate) fn at(&self, v: f64) -> Option<(f64, Option<Past>)> {
        if v.is_nan() {
            return None;
        }
        let (y0, y1) = self.range;
        let p = self.scale.place(v);
        // A value a log axis cannot place (zero or less) lies below it.
        if p.is_nan() || p < y0 {
            Some((y0, Some(Past::Below)))
        } else if p > y1 {
            Some((y1, Some(Past::Above)))
        } else {
            Some((p, None))
        }
    }
}

/// Returns the value axis of a chart of trials of a metric whose direction is `goal`, fitted
/// to the trials that ran to the end, `finished` (and the objective's target, which a chart
/// draws with them), and to the `pruned` ones, each at the value it was stopped with, never
/// without the best trial's value, `best`; `None` where no value is a number.
///
/// Whether the axis is logarithmic is decided first, as `YAxis::of` says of every value (a loss
/// falling over decades to 1e-4 is drawn on a log axis, not cut to a linear one). Then the
/// finished trials that lie out of reach of the others (a diverged trial's 4.5e10 among 3s:
/// `reach`, or on a log axis `log_reach`), unless one is the best, do not set the axis. Neither
/// do the pruned trials where they would stretch it to more than `SQUEEZE` times the span of the
/// finished trials: a pruned trial's value is the one it was stopped with, often after an epoch
/// or two and far from the others, and would squeeze them into a line. They are left off only
/// where the finished trials have a span (two values or more) and outnumber the pruned ones left
/// off, so a region where trials were stopped still shows: an axis fitted to one finished trial
/// would put most pruned trials on its edge, their values hidden. Whatever lies past the axis
/// the chart draws on its edge (`TrialAxis::at`). The axis is logarithmic as `YAxis::of` says of
/// the values left setting it.
pub(crate) fn trials(
    finished: &[f64],
    pruned: &[f64],
    goal: Option<Direction>,
    best: Option<f64>,
) -> Option<TrialAxis> {
    let drawn = finished.iter().chain(pruned).copied();
    let bounds = match YAxis::of(drawn, finished.iter().copied(), goal) {
        YAxis::Log => log_reach(finished.iter().copied()),
        YAxis::Linear => reach(finished.iter().copied(), REACH),
    };
    // The best trial always sets the axis: the best-so-far line and the label lead to it.
    let bounds = match (bounds, best.filter(|b| b.is_finite())) {
        (Some((lo, hi)), Some(b)) => Some((lo.min(b), hi.max(b))),
        (bounds, _) => bounds,
    };
    let done: Vec<f64> = finished
        .iter()
        .copied()
        .filter(|v| v.is_finite() && within_reach(*v, bounds))
        .collect();
    let stopped: Vec<f64> = pruned
        .iter()
        .copied()
        .filter(|v| v.is_finite() && within_reach(*v, bounds))
        .collect();
    let every: Vec<f64> = done.iter().chain(&stopped).copied().collect();
    let span = |r: Option<(f64, f64)>| r.map_or(0.0, |(a, b)| b - a);
    let fitted = padded_range(done.iter().copied());
    let cut = fitted.is_some_and(|(lo, hi)| {
        let distinct = done.iter().any(|y| *y != done[0]);
        let beyond = pruned.iter().filter(|y| !(lo..=hi).contains(*y)).count();
        span(padded_range(every.iter().copied())) > SQUEEZE * span(fitted)
            && distinct
            && beyond < done.len()
    });
    let setting = if cut { &done } else { &every };
    let scale = YAxis::of(setting.iter().copied(), setting.iter().copied(), goal);
    let range = padded_range(setting.iter().map(|v| scale.place(*v)))?;
    Some(TrialAxis { scale, range })
}

/// Returns the scale of the objective's axis of parallel coordinates drawing `values` of a
/// metric whose direction is `goal`, as the experiment page builds it: logarithmic where
/// `YAxis::of` gives the history and the slice plots a log axis over them all (a minimized
/// metric, every value positive, over more than `LOG_DECADES` decades), else linear, from the
/// least finite value to the greatest. The chart then fits it as `trials` fits the others'
/// (`parallel::fit_objective`): a log scale given is a minimized metric's, so one loss is drawn
/// on one scale across the page.
pub(crate) fn objective_scale(values: &[f64], goal: Direction) -> Scale {
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let (min, max) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    match YAxis::of(finite(), finite(), Some(goal)) {
        YAxis::Log => Scale::Log { min, max },
        YAxis::Linear => Scale::Linear { min, max },
    }
}

/// Returns what a chart's legend and label say of the `values` it drew past its axis on the
/// side `past`: how many, and the farthest (`3 above the axis, up to 2.987e30`); `None` for
/// none.
pub(crate) fn past_note(values: &[f64], past: Past) -> Option<String> {
    let farthest = match past {
        Past::Above => values.iter().copied().reduce(f64::max)?,
        Past::Below => values.iter().copied().reduce(f64::min)?,
    };
    let (side, word) = match past {
        Past::Above => ("above", "up to"),
        Past::Below => ("below", "down to"),
    };
    Some(format!(
        "{} {side} the axis, {word} {}",
        values.len(),
        super::precise(farthest)
    ))
}

/// Returns what a chart's label says of the trials it drew past its axis on the side `past`,
/// each its number and value, `trials`: 3 or fewer by name, since the marks on the edge are
/// hidden from screen readers (`trial 0 above the axis, 2.337`; `trials 3 and 7 below the axis,
/// -1.5e46 and -2e9`), more counted as `past_note` counts them; `None` for none.
pub(crate) fn past_label(trials: &[(u32, f64)], past: Past) -> Option<String> {
    if trials.len() > NAMED_PAST {
        let values: Vec<f64> = trials.iter().map(|(_, v)| *v).collect();
        return past_note(&values, past);
    }
    let side = match past {
        Past::Above => "above",
        Past::Below => "below",
    };
    let numbers: Vec<String> = trials.iter().map(|(t, _)| t.to_string()).collect();
    let values: Vec<String> = trials.iter().map(|(_, v)| super::precise(*v)).collect();
    let trial = if trials.len() == 1 { "trial" } else { "trials" };
    Some(format!(
        "{trial} {} {side} the axis, {}",
        and_list(&numbers)?,
        and_list(&values)?
    ))
}

/// Returns, for each side of its axis that some of `past` (each a trial's number, its value and
/// the side it lies past) lie on, the side with what the legend notes of them (`past_note`) and
/// what the label says (`past_label`).
pub(crate) fn past_notes(past: &[(u32, f64, Past)]) -> Vec<(Past, String, String)> {
    [Past::Above, Past::Below]
        .into_iter()
        .filter_map(|side| {
            let beyond: Vec<(u32, f64)> = past
                .iter()
                .filter(|(_, _, s)| *s == side)
                .map(|&(trial, value, _)| (trial, value))
                .collect();
            let values: Vec<f64> = beyond.iter().map(|(_, v)| *v).collect();
            Some((side, past_note(&values, side)?, past_label(&beyond, side)?))
        })
        .collect()
}

/// The most trials past an axis a chart's label names one by one (`past_label`).
const NAMED_PAST: usize = 3;

/// Returns `items` joined as a list in words (`a`, `a and b`, `a, b and c`); `None` for none.
fn and_list(items: &[String]) -> Option<String> {
    let (last, rest) = items.split_last()?;
    if rest.is_empty() {
        Some(last.clone())
    } else {
        Some(format!("{} and {last}", rest.join(", ")))
    }
}

/// How a trial past a chart's value axis is marked on its edge (`edge_mark`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum EdgeInk {
    /// A filled triangle in the colour of the trial's kind (a completed trial, one that breaks
    /// a constraint).
    Filled(RGBColor),
    /// A hollow grey triangle: a pruned trial, whose value is the one it was stopped with.
    Hollow,
}

/// Draws on `area` the mark of a trial whose value lies past a chart's value axis on `side`, at
/// the pixel `at` (in `area`'s own pixels) on the axis's edge: a triangle pointing that way, in
/// `ink`. The history and the slice plots mark a trial off their axis with it alike.
pub(crate) fn edge_mark(
    area: &Area<'_>,
    (x, y): (i32, i32),
    side: Past,
    ink: EdgeInk,
) -> DrawResult {
    let tip = if side == Past::Above { -5 } else { 5 };
    let corners = vec![(x, y + tip), (x - 4, y), (x + 4, y)];
    match ink {
        EdgeInk::Hollow => {
            let mut outline = corners.clone();
            outline.extend(corners.first().copied());
            area.draw(&PathElement::new(outline, DIM.stroke_width(1)))?;
        }
        EdgeInk::Filled(colour) => area.draw(&Polygon::new(corners, colour.filled()))?,
    }
    Ok(())
}
