//! Metrics: their names, the direction in which they improve, and one reported point.

use std::fmt;

use crate::Task;

/// The metrics the training engine records at every epoch, with the direction each improves in.
///
/// Which of them a trial reports depends on its task (`Task::reports`): classification reports
/// `val_accuracy` and `val_f1` (macro-averaged over the classes when there are more than two,
/// the F1 of the second class when there are two), and `val_roc_auc` for two classes only;
/// regression reports `val_rmse`, `val_mae` and `val_r2`. `param_count` is the model's number of
/// trained values (weights, biases, layer-norm scales and shifts), the same at every epoch.
/// `epoch_seconds` is wall-clock time: it is the one recorded value that is not reproducible.
pub const KNOWN_METRICS: &[(&str, Direction)] = &[
    ("train_loss", Direction::Minimize),
    ("val_loss", Direction::Minimize),
    ("val_accuracy", Direction::Maximize),
    ("val_f1", Direction::Maximize),
    ("val_roc_auc", Direction::Maximize),
    ("val_rmse", Direction::Minimize),
    ("val_mae", Direction::Minimize),
    ("val_r2", Direction::Maximize),
    ("param_count", Direction::Minimize),
    (WALL_TIME_METRIC, Direction::Minimize),
];

/// The one recorded metric that is wall time (`epoch_seconds`), so differs between runs of the
/// same trial: it cannot be searched, stopped on, constrained or guarded, and comparisons of two
/// runs leave it out.
pub const WALL_TIME_METRIC: &str = "epoch_seconds";

/// The metrics that are the same at every epoch of a trial: a value, never a curve.
pub const CONSTANT_METRICS: &[&str] = &["param_count"];

/// The prefix of the metrics measured once, on the test split, for the best trial of a finished
/// sweep: `test_accuracy` is `val_accuracy`'s counterpart. They are never used to choose trials.
pub const TEST_METRIC_PREFIX: &str = "test_";

/// Metrics only classification reports.
const CLASSIFICATION_ONLY: &[&str] = &["val_accuracy", "val_f1", "val_roc_auc"];

/// Metrics only regression reports.
const REGRESSION_ONLY: &[&str] = &["val_rmse", "val_mae", "val_r2"];

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

    /// Returns true when `value` is at `target` or better; NaN never is.
    pub fn reaches(self, value: f64, target: f64) -> bool {
        match self {
            Direction::Minimize => value <= target,
            Direction::Maximize => value >= target,
        }
    }

    /// Returns `≥` or `≤`: how a value that reaches a target compares with it.
    pub fn reach_sign(self) -> &'static str {
        match self {
            Direction::Minimize => "≤",
            Direction::Maximize => "≥",
        }
    }
}

/// Returns the range a known metric's values lie in, as (smallest, largest), each `None` where
/// unbounded: accuracy, F1 and ROC AUC are fractions, R² is at most 1, the rest not negative.
fn metric_range(name: &str) -> (Option<f64>, Option<f64>) {
    match name {
        "val_accuracy" | "val_f1" | "val_roc_auc" => (Some(0.0), Some(1.0)),
        "val_r2" => (None, Some(1.0)),
        _ => (Some(0.0), None),
    }
}

/// Returns `x / 100` as a person would write it: 98.05 gives 0.9805 (not 0.9804999999999999).
fn hundredth(x: f64) -> String {
    let fixed = format!("{:.12}", x / 100.0);
    fixed
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// Returns why `x` cannot be a value of the known metric `name` (`metric_range`), or `None`
/// when it can or `name` is not a known metric: "val_accuracy is a fraction from 0 to 1 (write
/// 0.95 for 95%), found 95".
pub(crate) fn out_of_range(name: &str, x: f64) -> Option<String> {
    Direction::of_metric(name)?;
    let found = crate::number_text(x);
    match metric_range(name) {
        (Some(0.0), Some(1.0)) if !(0.0..=1.0).contains(&x) => Some(format!(
            "{name} is a fraction from 0 to 1{}, found {found}",
            if (1.0..=100.0).contains(&x) {
                format!(" (write {} for {x}%)", hundredth(x))
            } else {
                String::new()
            }
        )),
        (_, Some(most)) if x > most => Some(format!("{name} is at most {most}, found {found}")),
        (Some(least), _) if x < least => {
            Some(format!("{name} is never below {least}, found {found}"))
        }
        _ => None,
    }
}

/// Returns why `min_delta`, the least improvement of the known metric `name` that counts,
/// cannot be one: for a fraction (accuracy, F1, ROC AUC), no improvement is more than 1, so a
/// `min_delta` of 1 or more (a percentage, as like as not) counts none; `None` otherwise.
pub(crate) fn delta_out_of_range(name: &str, min_delta: f64) -> Option<String> {
    let fraction = metric_range(name) == (Some(0.0), Some(1.0));
    (fraction && Direction::of_metric(name).is_some() && min_delta >= 1.0).then(|| {
        let hint = if min_delta <= 100.0 {
            format!(" (write {} for {min_delta}%)", hundredth(min_delta))
        } else {
            String::new()
        };
        format!(
            "{name} is a fraction from 0 to 1, so no epoch improves it by more than {}: every \
             trial would stop after `patience` epochs{hint}; `min_delta` must be below 1",
            crate::number_text(min_delta)
        )
    })
}

impl crate::ExperimentSpec {
    /// Returns the problems a new experiment of this spec is refused for, which a stored one is
    /// not: `early_stopping.min_delta` of 1 or more on a fraction. The parser accepts it, as it
    /// did before this rule, so that an experiment stored with it still reads, shows and
    /// resumes as it ran; `sweep validate`, and `sweep run` of an experiment its store lacks,
    /// refuse it.
    pub fn refused_as_new(&self) -> crate::Result<()> {
        let Some(stop) = &self.early_stopping else {
            return Ok(());
        };
        let Some(message) = delta_out_of_range(&stop.metric, stop.min_delta) else {
            return Ok(());
        };
        let field = "train.early_stopping.min_delta";
        // Recorded by the parser where the file writes it, as the metric names are.
        let location = self
            .metric_locations
            .get(field)
            .or_else(|| self.metric_locations.get("train.early_stopping.metric"))
            .unwrap_or(&self.data.target.location)
            .clone();
        Err(crate::Error::Spec(crate::SpecErrors(vec![
            crate::SpecError {
                location,
                field: field.to_string(),
                message,
            },
        ])))
    }
}

impl Task {
    /// Returns whether a trial of this task can report the known metric `name` (`val_roc_auc`
    /// further needs exactly two classes, which only the data can tell).
    pub fn reports(self, name: &str) -> bool {
        let other = match self {
            Task::Classification => REGRESSION_ONLY,
            Task::Regression => CLASSIFICATION_ONLY,
        };
        Direction::of_metric(name).is_some() && !other.contains(&name)
    }

    /// Returns the name used in specs: `classification` or `regression`.
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    fn a_target_is_reached_at_it_or_past_it() {
        assert!(Direction::Maximize.reaches(0.97, 0.97));
        assert!(Direction::Maximize.reaches(0.98, 0.97));
        assert!(!Direction::Maximize.reaches(0.96, 0.97));
        assert!(Direction::Minimize.reaches(0.1, 0.2));
        assert!(!Direction::Minimize.reaches(0.3, 0.2));
        assert!(!Direction::Minimize.reaches(f64::NAN, 0.2));
        assert!(!Direction::Maximize.reaches(f64::NAN, 0.2));
    }

    #[test]
    fn improvement_respects_direction_delta_and_nan() {
        assert!(Direction::Minimize.improves(0.5, 0.6, 0.0));
        assert!(!Direction::Minimize.improves(0.59, 0.6, 0.05));
        assert!(Direction::Maximize.improves(0.9, 0.8, 0.0));
        assert!(!Direction::Maximize.improves(f64::NAN, 0.8, 0.0));
        assert!(Direction::Maximize.improves(0.1, f64::NAN, 0.0));
    }

    #[test]
    fn issue_f3_a_min_delta_of_1_or_more_on_a_fraction_is_refused_as_new_yet_reads() {
        let spec = |stop: &str| {
            let text = format!(
                "name: t\nmetric: {{name: val_accuracy}}\ndata: {{csv: d.csv, target: y}}\n\
                 train:\n  early_stopping: {stop}\n"
            );
            // Read as a stored spec is read back: accepted, as before the rule.
            crate::ExperimentSpec::from_yaml_str(&text, std::path::Path::new("s.yaml"))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let refused = |stop: &str| spec(stop).refused_as_new().err().map(|e| e.to_string());
        assert_eq!(
            refused("{metric: val_accuracy, patience: 3, min_delta: 2}").as_deref(),
            Some(
                "s.yaml:5:66: train.early_stopping.min_delta: val_accuracy is a fraction from 0 \
                 to 1, so no epoch improves it by more than 2: every trial would stop after \
                 `patience` epochs (write 0.02 for 2%); `min_delta` must be below 1"
            )
        );
        let at_one = refused("{metric: val_roc_auc, patience: 3, min_delta: 1}");
        assert!(
            at_one
                .as_deref()
                .is_some_and(|e| e.contains("val_roc_auc is a fraction")),
            "{at_one:?}"
        );
        // Below 1 on a fraction, or any size on a metric that is not one: a new one is fine.
        for fine in [
            "{metric: val_f1, patience: 3, min_delta: 0.02}",
            "{metric: val_loss, patience: 3, min_delta: 2}",
            "{metric: val_accuracy, patience: 3}",
        ] {
            assert_eq!(refused(fine), None, "{fine}");
        }
    }

    #[test]
    fn each_task_reports_its_own_metrics_and_the_shared_ones() {
        for (name, classification, regression) in [
            ("val_loss", true, true),
            ("epoch_seconds", true, true),
            ("param_count", true, true),
            ("val_accuracy", true, false),
            ("val_roc_auc", true, false),
            ("val_r2", false, true),
            ("val_rmse", false, true),
            ("nonsense", false, false),
        ] {
            assert_eq!(Task::Classification.reports(name), classification, "{name}");
            assert_eq!(Task::Regression.reports(name), regression, "{name}");
        }
    }
}
