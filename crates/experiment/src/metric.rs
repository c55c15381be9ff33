//! Metrics: their names, the direction in which they improve, and one reported point.

use std::fmt;

/// The metrics the training engine records at every epoch, with the direction each improves in.
///
/// `epoch_seconds` is wall-clock time: it is the one recorded value that is not reproducible.
pub const KNOWN_METRICS: &[(&str, Direction)] = &[
    ("train_loss", Direction::Minimize),
    ("val_loss", Direction::Minimize),
    ("val_accuracy", Direction::Maximize),
    ("epoch_seconds", Direction::Minimize),
];

/// Whether larger or smaller values of a metric are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smaller is better (losses, errors, time).
    Minimize,
    /// Larger is better (accuracy, F1, AUC).
    Maximize,
}

/// One value of one metric at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    /// The metric's name, e.g. `val_loss`.
    pub name: String,
    /// The value; may be NaN or infinite when training diverged.
    pub value: f64,
}

impl Direction {
    /// Returns the direction a known metric improves in, or `None` for an unknown name.
    pub fn of_metric(name: &str) -> Option<Direction> {
        KNOWN_METRICS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, direction)| *direction)
    }

    /// Returns true when `candidate` is better than `incumbent` by more than `min_delta`.
    ///
    /// NaN is never better than anything, and anything finite is better than NaN.
    pub fn improves(self, candidate: f64, incumbent: f64, min_delta: f64) -> bool {
        if candidate.is_nan() {
            return false;
        }
        if incumbent.is_nan() {
            return true;
        }
        match self {
            Direction::Minimize => candidate < incumbent - min_delta,
            Direction::Maximize => candidate > incumbent + min_delta,
        }
    }

    /// Returns the name used in specs: `minimize` or `maximize`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Minimize => "minimize",
            Direction::Maximize => "maximize",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improvement_respects_direction_delta_and_nan() {
        assert!(Direction::Minimize.improves(0.5, 0.6, 0.0));
        assert!(!Direction::Minimize.improves(0.59, 0.6, 0.05));
        assert!(Direction::Maximize.improves(0.9, 0.8, 0.0));
        assert!(!Direction::Maximize.improves(f64::NAN, 0.8, 0.0));
        assert!(Direction::Maximize.improves(0.1, f64::NAN, 0.0));
    }
}
