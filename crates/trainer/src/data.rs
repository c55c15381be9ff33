//! The data loaders: a CSV file with a header row, or a pair of IDX files (the MNIST format) in
//! `idx.rs`.
//!
//! A CSV column is the target (`data.target`), a categorical column (`data.categorical`: its
//! cells kept as text, one-hot encoded after the split by `prep`), left out (`data.exclude`:
//! never read), or else a numeric feature.
//!
//! The task is `data.task` when given, otherwise inferred from the target column: text labels,
//! or integers with at most `MAX_INFERRED_CLASSES` distinct values, make a classification; other
//! numbers make a regression. Class labels are mapped to class numbers in sorted order, so that
//! the same file always gives the same numbering: numerically when every label is a number
//! (`2` before `10`; `1` and `1.0` are one class, named as first written), otherwise as strings. Every problem is reported with the file, and a bad
//! cell with its row and column.
//!
//! This file holds the dataset's types, the loading of a data file and what reading a cell
//! means (shared with `predict`); `parse.rs` reads a CSV file in phases, `targets.rs` reads the
//! target column as classes or values.

mod parse;
mod targets;

#[cfg(test)]
use experiment::thousands; // for the tests, which see this module's names through `super::*`
use experiment::{
    decimal_comma_hint, DataFormat, DataSpec, ImageShape, Located, Task, MISSING_MARKERS,
};

use crate::{Error, Result};

pub(crate) use parse::{header_names_each_column_once, parse};
pub(crate) use targets::Targets;

/// Integer targets with more distinct values than this are taken as a regression target
/// when the spec does not give `data.task`.
pub(crate) const MAX_INFERRED_CLASSES: usize = 20;

/// A dense row-major matrix of `f32`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: Vec<f32>,
}

/// A loaded dataset: features, targets, and their names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dataset {
    /// The numeric features, each cell read in single precision (NaN where missing).
    pub(crate) features: Matrix,
    /// The numeric features as written, each cell read in double precision, laid out as
    /// `features` (NaN where missing); empty for image data, which is read as bytes. A column is
    /// prepared from these where its single-precision reading is not exact enough
    /// (`prep::Precision`).
    pub(crate) features_exact: Vec<f64>,
    /// Classification or regression, as given or inferred.
    pub(crate) task: Task,
    /// The class number of each row, an index into `class_names`; empty for regression.
    pub(crate) labels: Vec<usize>,
    /// The target value of each row, as written (read in double precision); empty for
    /// classification.
    pub(crate) values: Vec<f64>,
    /// The target value of each row read in single precision, which the target is scaled from
    /// where that is exact enough (`prep::TargetScale::fit_target`); empty for classification.
    pub(crate) values_f32: Vec<f32>,
    pub(crate) feature_names: Vec<String>,
    /// Class names in class-number order; empty for regression.
    pub(crate) class_names: Vec<String>,
    /// The pixel layout of each row, for image data.
    pub(crate) image: Option<ImageShape>,
    /// Rows of the file left out for a missing value (`data.missing: drop`), or for a missing
    /// label (`mean`, `median`).
    pub(crate) dropped_rows: usize,
    /// Feature cells left missing, as NaN, to be filled after the split (`mean`, `median`).
    pub(crate) missing_cells: usize,
    /// The `data.categorical` columns, in the spec's order, one-hot encoded after the split.
    pub(crate) categorical: Vec<TextColumn>,
    /// Cells of categorical columns left missing (`mean`, `median`): encoded as no category.
    pub(crate) missing_categories: usize,
    /// The separator the CSV file was read with when not a comma (`;`, a tab or `|`).
    pub(crate) separator: Option<char>,
}

/// A categorical column: its name and each row's cell, `None` where missing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextColumn {
    pub(crate) name: String,
    pub(crate) cells: Vec<Option<String>>,
}

impl Matrix {
    /// Returns row `i` as a slice.
    pub(crate) fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Returns a new matrix made of the rows at `indices`, in that order.
    pub(crate) fn select(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Matrix {
            rows: indices.len(),
            cols: self.cols,
            data,
        }
    }
}

/// Loads the data named by `spec`: a CSV file, or IDX images and labels.
pub(crate) fn load(spec: &DataSpec) -> Result<Dataset> {
    if let DataFormat::Idx { labels } = &spec.format {
        return crate::idx::load(spec, labels);
    }
    let text = read_file(&spec.csv, "data.csv")?;
    parse(&text, spec)
}

/// Reads the data file named by `file`, in the spec's `field`: a file, not a device or a pipe
/// (`/dev/urandom` would be read forever) nor a folder.
pub(crate) fn read_file(
    file: &Located<std::path::PathBuf>,
    field: &'static str,
) -> Result<Vec<u8>> {
    let failed = |error: std::io::Error| Error::ReadData {
        field,
        location: file.location.clone(),
        path: file.value.clone(),
        hint: if error.kind() == std::io::ErrorKind::NotFound && has_tilde(&file.value) {
            TILDE
        } else {
            ""
        },
        error,
    };
    let meta = std::fs::metadata(&file.value).map_err(failed)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "it is a folder; name the data file in it"
        } else {
            "it is not a file but a device or a pipe; name a data file"
        };
        return Err(failed(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            what,
        )));
    }
    std::fs::read(&file.value).map_err(failed)
}

/// Says that `~` in a data path is taken as a folder's name, as a path in a spec is not read by a
/// shell: `~/small.csv` is looked for in a folder named `~` beside the spec.
const TILDE: &str = "; `~` is not expanded to the home folder (no shell reads the spec): write \
                     the path in full, or relative to the spec's folder";

/// Returns whether a part of `path` starts with `~`, as a shell's home folder (`~`, `~ana`).
fn has_tilde(path: &std::path::Path) -> bool {
    path.components().any(|part| match part {
        std::path::Component::Normal(name) => name.as_encoded_bytes().starts_with(b"~"),
        _ => false,
    })
}

/// Parses a feature cell, or says what is wrong with it.
pub(crate) fn number(cell: &str) -> std::result::Result<f32, String> {
    match cell.parse::<f32>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ if is_missing(cell) => Err(missing_value(cell, "cell")),
        _ if is_finite_number(cell) => Err(format!(
            "`{cell}` is past the largest number training computes with (about 3.4e38); \
             rescale the column"
        )),
        _ => Err(format!(
            "expected a finite number, found `{cell}`{}",
            decimal_comma_hint(cell)
        )),
    }
}

/// Returns the value of a feature cell that `number` read, as written: in double precision.
///
/// Read apart from its single-precision reading, not widened from it: `1e-50` is 0 in single
/// precision and `1700000000.25` a multiple of 128.
pub(crate) fn number_exact(cell: &str) -> f64 {
    cell.parse::<f64>().unwrap_or(f64::NAN)
}

/// Returns whether a feature cell holds a missing value: empty, or one of `MISSING_MARKERS`.
pub(crate) fn is_missing(cell: &str) -> bool {
    cell.is_empty() || is_marker(cell)
}

fn is_marker(cell: &str) -> bool {
    MISSING_MARKERS.contains(&cell)
}

/// Says that the `what` (cell or label) holding `cell` is a missing value.
pub(crate) fn missing_value(cell: &str, what: &str) -> String {
    if cell.is_empty() {
        format!("the {what} is empty, a missing value")
    } else {
        format!("the {what} is `{cell}`, a missing value")
    }
}

/// Returns the names quoted and comma-separated, for messages; a long list shows its ends and
/// a count.
pub(crate) fn quoted(names: &[String]) -> String {
    /// Lists longer than this show their first `HEAD` and last `TAIL` names and a count.
    const MAX: usize = 12;
    const HEAD: usize = 6;
    const TAIL: usize = 3;
    let quote = |names: &[String]| {
        names
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if names.len() <= MAX {
        return quote(names);
    }
    format!(
        "{}, ..., {} ({} in all)",
        quote(&names[..HEAD]),
        quote(&names[names.len() - TAIL..]),
        names.len()
    )
}

/// Returns whether `cell` is written as an integer: digits, with a sign or none.
fn is_integer_text(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_finite_number(cell: &str) -> bool {
    cell.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
pub(crate) mod tests;
