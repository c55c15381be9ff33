//! The target column: the task inferred from its values when `data.task` is not given, and
//! class labels numbered in sorted order (see the module docs of `data`).

use std::collections::BTreeMap;

use experiment::{thousands, ImageShape, Task};

use super::{is_finite_number, is_integer_text, is_missing, Dataset, Matrix, MAX_INFERRED_CLASSES};
use crate::{Error, Result};

/// The target column, read as classes or values.
#[derive(Debug)]
pub(crate) enum Targets {
    Classes {
        labels: Vec<usize>,
        names: Vec<String>,
    },
    /// A regression target: each value as written (`exact`), and as read in single precision
    /// (`single`), which is what it was scaled from before double precision and still is where
    /// that is exact enough (see `prep::TargetScale::fit_target`).
    Values { exact: Vec<f64>, single: Vec<f32> },
}

impl Targets {
    /// Reads raw labels as `task` asks, or infers the task (see the module docs).
    pub(crate) fn from_raw(raw: &[String], task: Option<Task>) -> Targets {
        let task = task.unwrap_or_else(|| infer_task(raw));
        match task {
            Task::Classification => {
                let (labels, names) = number_classes(raw);
                Targets::Classes { labels, names }
            }
            // Every value was checked (given task) or parses (inferred task). Each is read in
            // single precision apart, not rounded from the double: a decimal halfway between two
            // f32s in its double but not as written would round otherwise.
            Task::Regression => Targets::Values {
                exact: raw
                    .iter()
                    .map(|s| s.parse::<f64>().unwrap_or(f64::NAN))
                    .collect(),
                single: raw
                    .iter()
                    .map(|s| s.parse::<f32>().unwrap_or(f32::NAN))
                    .collect(),
            },
        }
    }

    /// Builds the dataset, checking that it can be trained on.
    pub(crate) fn into_dataset(
        self,
        features: Matrix,
        feature_names: Vec<String>,
        image: Option<ImageShape>,
        target_name: &str,
        unusable: &dyn Fn(String) -> Error,
    ) -> Result<Dataset> {
        if features.rows < 2 {
            return Err(unusable(format!(
                "{}; at least 2 are needed",
                experiment::counted(features.rows as u64, "data row", "data rows")
            )));
        }
        let (task, labels, values, values_f32, class_names) = match self {
            Targets::Classes { labels, names } => {
                if names.len() < 2 {
                    return Err(unusable(format!(
                        "the target `{target_name}` has a single class `{}`; at least 2 are needed",
                        names[0]
                    )));
                }
                (Task::Classification, labels, Vec::new(), Vec::new(), names)
            }
            Targets::Values { exact, single } => {
                // Training computes in single precision: a target past its range would turn
                // into infinities and every trial fail at its first epoch.
                if single.iter().any(|v| !v.is_finite()) || exact.iter().any(|v| !v.is_finite()) {
                    return Err(unusable(format!(
                        "the target `{target_name}` holds values past the largest number \
                         training computes with (about 3.4e38); rescale it"
                    )));
                }
                // On the values as written: 1e8 + y/10 is a thousand values, which single
                // precision would round to a few.
                if exact.windows(2).all(|w| w[0] == w[1]) {
                    return Err(unusable(format!(
                        "the target `{target_name}` has a single value, {}: there is nothing \
                         to learn (and R² is undefined)",
                        exact.first().copied().unwrap_or_default()
                    )));
                }
                (Task::Regression, Vec::new(), exact, single, Vec::new())
            }
        };
        Ok(Dataset {
            features,
            features_exact: Vec::new(),
            task,
            labels,
            values,
            values_f32,
            feature_names,
            class_names,
            image,
            dropped_rows: 0,
            missing_cells: 0,
            categorical: Vec::new(),
            missing_categories: 0,
            separator: None,
        })
    }
}

/// Infers the task from the target's raw values: see the module docs.
fn infer_task(raw: &[String]) -> Task {
    let numbers: Option<Vec<f64>> = raw
        .iter()
        .map(|s| s.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let Some(numbers) = numbers else {
        return Task::Classification;
    };
    if numbers.iter().any(|x| x.fract() != 0.0) {
        return Task::Regression;
    }
    if numbers_distinct(&numbers) <= MAX_INFERRED_CLASSES {
        Task::Classification
    } else {
        Task::Regression
    }
}

/// Says why a target of numbers but for a few cells (`NA`, `1,000,000`) would be read as many
/// classes, most likely by mistake; `None` for a target of numbers only (`infer_task` decides
/// it), of text, or of few classes.
pub(super) fn numbers_read_as_classes(raw: &[String]) -> Option<String> {
    let mut not_numbers: Vec<&str> = raw
        .iter()
        .map(String::as_str)
        .filter(|c| !is_finite_number(c))
        .collect();
    let grouped = not_numbers
        .iter()
        .filter(|c| thousands(c).is_some())
        .count();
    let numeric = raw.len() - not_numbers.len() + grouped;
    if not_numbers.is_empty() || numeric * 10 < raw.len() * 9 {
        return None;
    }
    let mut classes: Vec<&str> = raw.iter().map(String::as_str).collect();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() <= MAX_INFERRED_CLASSES {
        return None;
    }
    let count = not_numbers.len();
    not_numbers.sort_unstable();
    not_numbers.dedup();
    let examples: Vec<String> = not_numbers
        .iter()
        .take(3)
        .map(|c| format!("`{c}`"))
        .collect();
    let more = if not_numbers.len() > 3 { ", ..." } else { "" };
    let fix = if grouped > 0 {
        "write its numbers without thousands separators (`1000000`) and give `data.task: \
         regression`"
    } else if not_numbers.iter().all(|c| is_missing(c)) {
        "give `data.task: regression` to read it as numbers (with `data.missing: drop` to leave \
         out the rows whose target is missing)"
    } else {
        "mend or remove the rows whose target is not a number and give `data.task: regression`"
    };
    Some(format!(
        "would be read as {} classes, since {count} of its {} cells {} not numbers ({}{more}) \
         though the others are: {fix}, or `data.task: classification` to train on these classes",
        classes.len(),
        raw.len(),
        if count == 1 { "is" } else { "are" },
        examples.join(", ")
    ))
}

/// Counts the distinct values among whole numbers.
fn numbers_distinct(numbers: &[f64]) -> usize {
    let mut sorted: Vec<f64> = numbers.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    sorted.len()
}

/// Numbers the distinct labels in sorted order: numerically when every label is a number (a
/// number is one class however it is written, `1` and `1.0`, named as first written),
/// otherwise as text.
fn number_classes(raw: &[String]) -> (Vec<usize>, Vec<String>) {
    // Integers compare exactly (two ids past 2^53 are two classes, which doubles would merge).
    let integers: Option<Vec<i128>> = raw.iter().map(|s| s.parse::<i128>().ok()).collect();
    if let Some(integers) = integers {
        return named_as_first_written(raw, &integers, |a, b| a.cmp(b));
    }
    // Decimals compare as doubles, which would merge two integers of more digits than a double
    // holds: those are text.
    let long_integer = |s: &String| s.parse::<i128>().is_err() && is_integer_text(s);
    if raw.iter().any(long_integer) {
        return number_sorted(raw, String::clone);
    }
    // Adding 0 makes -0 the 0 it equals.
    let numbers: Option<Vec<f64>> = raw
        .iter()
        .map(|s| {
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(|x| x + 0.0)
        })
        .collect();
    match numbers {
        Some(numbers) => named_as_first_written(raw, &numbers, f64::total_cmp),
        None => number_sorted(raw, String::clone),
    }
}

/// Numbers the distinct `values` (read from the labels `raw`) in the order `cmp` gives, each
/// class named by its first label as written.
fn named_as_first_written<T: Clone>(
    raw: &[String],
    values: &[T],
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> (Vec<usize>, Vec<String>) {
    let mut distinct = values.to_vec();
    distinct.sort_by(&cmp);
    distinct.dedup_by(|a, b| cmp(a, b).is_eq());
    let class = |x: &T| distinct.partition_point(|d| cmp(d, x).is_lt());
    let labels: Vec<usize> = values.iter().map(class).collect();
    let mut names = vec![String::new(); distinct.len()];
    for (&label, text) in labels.iter().zip(raw).rev() {
        names[label].clone_from(text);
    }
    (labels, names)
}

fn number_sorted<T: Ord + Clone>(
    values: &[T],
    name: impl Fn(&T) -> String,
) -> (Vec<usize>, Vec<String>) {
    let mut classes: BTreeMap<T, usize> = values.iter().map(|v| (v.clone(), 0)).collect();
    for (number, slot) in classes.values_mut().enumerate() {
        *slot = number;
    }
    let labels = values.iter().map(|v| classes[v]).collect();
    let names = classes.keys().map(name).collect();
    (labels, names)
}
