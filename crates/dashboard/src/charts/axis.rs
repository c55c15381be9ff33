//! Value axes fitted to what a chart draws: when one is logarithmic, and which values lie so
//! far from the rest that they are left past its edge.
//!
//! One trial that diverged (a loss of 3e30, an R² of -1.5e46) stretches an axis fitted to every
//! value so far that every other value lies flat on one line. So the charts of trials fit their
//! value axis to the values that matter (the completed trials) within `REACH` times their
//! spread around their middle (`reach`; compared curves leave off one that grew a thousand
//! times the others' size, `curves::curves_reach`), and draw what lies past it on the axis's
//! edge, marked and counted, its value in its tooltip: no trial is hidden. A
//! minimized metric whose values (those kept) are all positive and span many decades gets a log
//! axis (`YAxis::of`), the rule the learning curves always had.
//!
//! Rejected: a log axis alone, as Optuna's users switch to by hand: over 30 decades the trials
//! that matter get 1% of the height, and values of both signs (an R²) have none. Clipping at
//! percentiles, as W&B's "ignore outliers" does: it leaves off a few trials of every chart,
//! diverged or not, and silently.

use experiment::Direction;
use plotters::coord::ranged1d::Ranged as _;

use super::{padded_range, tick};

/// A real axis of a line chart.
type Ranged = plotters::coord::types::RangedCoordf64;

/// How many decades (powers of ten) the values must span, all positive, for a minimized
/// metric's axis to be logarithmic.
const LOG_DECADES: f64 = 2.0;

/// How far past the middle half of the values that matter (their quartiles) a value may lie
/// and still set the axis, in multiples of their spread: the larger of their interquartile
/// range and their median's size, so that a value of the others' order of magnitude always
/// stays (an accuracy of 0.1 among 0.97s does), and only one many times larger is left off
/// (an RMSE of 4.5e10 among 3s, an R² of -1.5e46 among 0.7s).
pub(crate) const REACH: f64 = 10.0;

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

/// Returns the bounds within which a value may set an axis fitted to the values that matter,
/// `core`: their quartiles, widened on each side by `REACH` times their spread (the larger of
/// their interquartile range and their median's size). `None` (every value may) where `core`
/// has no finite value or its spread is nothing (every value 0).
pub(crate) fn reach(core: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = core.filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let (q1, q3) = (sorted[(n - 1) / 4], sorted[n - 1 - (n - 1) / 4]);
    let median = sorted[(n - 1) / 2];
    let spread = (q3 - q1).max(median.abs());
    (spread > 0.0).then_some((q1 - REACH * spread, q3 + REACH * spread))
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
/// draws with them), and to the `pruned` ones, each at the value it was stopped with; `None`
/// where no value is a number.
///
/// The finished trials that lie out of `reach` of the others (a diverged trial's 4.5e10 among
/// 3s) do not set the axis. Neither do the pruned trials where they would stretch it to more
/// than `SQUEEZE` times the span of the finished trials: a pruned trial's value is the one it
/// was stopped with, often after an epoch or two and far from the others, and would squeeze
/// them into a line. They are left off only where the finished trials have a span (two values
/// or more) and outnumber the pruned ones left off, so a region where trials were stopped
/// still shows: an axis fitted to one finished trial would put most pruned trials on its edge,
/// their values hidden. Whatever lies past the axis the chart draws on its edge
/// (`TrialAxis::at`). The axis is logarithmic as `YAxis::of` says of the values setting it.
pub(crate) fn trials(
    finished: &[f64],
    pruned: &[f64],
    goal: Option<Direction>,
) -> Option<TrialAxis> {
    let bounds = reach(finished.iter().copied());
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
