//! How values along an axis are laid out (`Scale`), where a value sits on one (`position`) and
//! its ticks (`ticks`): the axes of parallel coordinates and of the pair plots.

use super::{precise, significant, tick};

/// How values along an axis are laid out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scale {
    /// Evenly spaced numbers between the bounds.
    Linear {
        /// Smallest value shown.
        min: f64,
        /// Largest value shown.
        max: f64,
    },
    /// Evenly spaced whole numbers between the bounds (an integer parameter's values), ticked
    /// at whole numbers only: a tick between two of them names a value no trial can have.
    Whole {
        /// Smallest value shown.
        min: f64,
        /// Largest value shown.
        max: f64,
    },
    /// Evenly spaced powers between the bounds (both positive).
    Log {
        /// Smallest value shown.
        min: f64,
        /// Largest value shown.
        max: f64,
    },
    /// Named values in a fixed order; a value is its index.
    Categories(Vec<String>),
}

impl Scale {
    /// Returns `value` as a tooltip writes it: a category's name, or the number to 4
    /// significant digits (`0.0012`, `256`, `1.419e-5`); `-` for an index with no category.
    pub(crate) fn text(&self, value: f64) -> String {
        match self {
            Scale::Categories(names) => {
                let name = (value >= 0.0 && value.fract() == 0.0)
                    .then(|| {
                        // A category's index: a small non-negative whole number.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let i = value as usize;
                        names.get(i)
                    })
                    .flatten();
                name.map_or_else(|| "-".to_string(), Clone::clone)
            }
            Scale::Linear { .. } | Scale::Whole { .. } | Scale::Log { .. } => precise(value),
        }
    }
}

/// The most powers of ten labelled on a log axis (its height holds about this many).
const LOG_LABELS: f64 = 7.0;

/// Returns round values (steps of 1, 2 or 5 times a power of ten) inside `[min, max]`, about
/// `want` of them.
fn nice_steps(min: f64, max: f64, want: u32) -> Vec<f64> {
    let span = max - min;
    if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !span.is_finite() {
        return vec![min];
    }
    let raw = span / f64::from(want.max(2) - 1);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let first = (min / step).ceil();
    let last = (max / step).floor();
    let mut out = Vec::new();
    let mut k = first;
    while k <= last && out.len() < 20 {
        // Rounding removes float noise such as 0.30000000000000004.
        let v = k * step;
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// Returns where `value` sits on `scale`, from 0 (bottom) to 1 (top).
pub(crate) fn position(scale: &Scale, value: f64) -> Option<f64> {
    if !value.is_finite() {
        return None;
    }
    let t = match scale {
        Scale::Linear { min, max } | Scale::Whole { min, max } => {
            if max > min {
                (value - min) / (max - min)
            } else {
                0.5
            }
        }
        Scale::Log { min, max } => {
            if value <= 0.0 || *min <= 0.0 {
                return None;
            }
            if max > min {
                (value.ln() - min.ln()) / (max.ln() - min.ln())
            } else {
                0.5
            }
        }
        Scale::Categories(names) => {
            if names.len() <= 1 {
                0.5
            } else {
                value / (names.len() - 1) as f64
            }
        }
    };
    Some(t.clamp(0.0, 1.0))
}

/// Returns the ticks of an axis as (position, text): five even steps on a linear axis (those
/// that are whole numbers on a whole one), the powers of ten on a log axis (with fewer than two,
/// its ends and the power between them; past `LOG_LABELS`, only those at a round step of
/// exponents labelled, the others with an empty text, a bare tick), and every category
/// (thinned past 12).
pub(crate) fn ticks(scale: &Scale) -> Vec<(f64, String)> {
    match scale {
        Scale::Whole { min, max } => {
            if max <= min {
                return vec![(0.5, tick(*min))];
            }
            // Steps under 1 (a span of a few) keep the whole numbers among them: every one.
            nice_steps(*min, *max, 5)
                .into_iter()
                .filter(|v| (v - v.round()).abs() < 1e-9)
                .filter_map(|v| Some((position(scale, v.round())?, tick(v.round()))))
                .collect()
        }
        Scale::Linear { min, max } => {
            if max <= min {
                return vec![(0.5, tick(*min))];
            }
            nice_steps(*min, *max, 5)
                .into_iter()
                .filter_map(|v| Some((position(scale, v)?, tick(v))))
                .collect()
        }
        Scale::Log { min, max } => {
            if *min <= 0.0 || max <= min {
                return vec![(0.5, tick(*min))];
            }
            let (lo, hi) = (min.log10().ceil(), max.log10().floor());
            if hi - lo < 1.0 {
                // Fewer than two powers of ten: the ends, to three significant digits as
                // each other, and the power between them where there is one.
                let mut out = vec![(0.0, significant(*min, 3))];
                let power = 10f64.powf(lo);
                if lo <= hi && power > *min && power < *max {
                    out.extend(position(scale, power).map(|t| (t, tick(power))));
                }
                out.push((1.0, significant(*max, 3)));
                return out;
            }
            // Past `LOG_LABELS` powers, every second (fifth, tenth...) one is labelled, at
            // round exponents, and the others are bare ticks: 29 labels on 320 pixels hide
            // one another and the lines behind their boxes.
            let every = [1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0]
                .into_iter()
                .find(|k| ((hi - lo) / k).floor() + 1.0 <= LOG_LABELS)
                .unwrap_or(100.0);
            let mut out = Vec::new();
            let mut e = lo;
            while e <= hi {
                let v = 10f64.powf(e);
                if let Some(t) = position(scale, v) {
                    let labelled = e.rem_euclid(every) == 0.0;
                    out.push((t, if labelled { tick(v) } else { String::new() }));
                }
                e += 1.0;
            }
            out
        }
        Scale::Categories(names) => {
            let every = names.len().div_ceil(12).max(1);
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| i % every == 0)
                .filter_map(|(i, n)| Some((position(scale, i as f64)?, n.clone())))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_and_category_axes_place_ticks() {
        let log = Scale::Log {
            min: 1e-4,
            max: 1e-1,
        };
        let t = ticks(&log);
        assert_eq!(
            t.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
            ["1e-4", "0.001", "0.01", "0.1"]
        );
        assert!((t[1].0 - 1.0 / 3.0).abs() < 1e-9);
        let cats = Scale::Categories(vec!["sgd".into(), "adam".into(), "adamw".into()]);
        assert_eq!(
            ticks(&cats),
            [
                (0.0, "sgd".into()),
                (0.5, "adam".into()),
                (1.0, "adamw".into())
            ]
        );
        assert_eq!(position(&log, -1.0), None);
        assert_eq!(
            position(&Scale::Linear { min: 0.0, max: 2.0 }, 1.0),
            Some(0.5)
        );
    }
}
