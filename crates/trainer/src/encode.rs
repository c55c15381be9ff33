//! One-hot encoding of categorical columns (`data.categorical`), fitted on the training split.
//!
//! Each column becomes one 0/1 indicator feature per category seen in the training rows, in
//! sorted order, after the numeric features. The categories are saved with each checkpoint, so
//! `sweep predict` encodes new rows the same way.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::{Matrix, TextColumn};
use crate::{Error, Result};

/// The most categories one categorical column may have: its indicators take a float per row
/// each, and a column with thousands of distinct values is more likely a row id than a category.
const MAX_CATEGORIES: usize = 1000;

/// The categories of one categorical column seen in the training split, in sorted order: the
/// column becomes one 0/1 feature per category, named `column=category`. A cell holding a
/// category not among them (seen only in the validation or test split, or in new rows given to
/// `sweep predict`) or a missing one sets none of the indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Categories {
    pub(crate) column: String,
    pub(crate) values: Vec<String>,
}

/// Fits the categories of each of `columns` on the rows `train` of the file `path`.
///
/// Fails when a column has no value in those rows, or more than `MAX_CATEGORIES`.
pub(crate) fn fit(columns: &[TextColumn], train: &[usize], path: &Path) -> Result<Vec<Categories>> {
    let unusable = |message: String| Error::Unusable {
        path: path.to_path_buf(),
        message,
    };
    columns
        .iter()
        .map(|column| {
            let categories = Categories::fit_one(column, train).ok_or_else(|| {
                unusable(format!(
                    "categorical column `{}` has no value in the training split",
                    column.name
                ))
            })?;
            if categories.values.len() > MAX_CATEGORIES {
                return Err(unusable(format!(
                    "categorical column `{}` has {} categories in the training split, more than \
                     the {MAX_CATEGORIES} one column may have; if it identifies rows, leave it \
                     out with `data.exclude`",
                    column.name,
                    categories.values.len()
                )));
            }
            Ok(categories)
        })
        .collect()
}

impl Categories {
    /// Fits the categories of `column` on the rows `train`; `None` when none of them has one.
    fn fit_one(column: &TextColumn, train: &[usize]) -> Option<Categories> {
        let values: BTreeSet<&str> = train
            .iter()
            .filter_map(|&row| column.cells[row].as_deref())
            .collect();
        (!values.is_empty()).then(|| Categories {
            column: column.name.clone(),
            values: values.into_iter().map(str::to_string).collect(),
        })
    }

    /// Returns the names of the column's indicator features.
    pub(crate) fn feature_names(&self) -> impl Iterator<Item = String> + '_ {
        self.values.iter().map(|v| format!("{}={v}", self.column))
    }

    /// Returns which indicator `cell` sets: `None` for a missing or unseen category. A cell
    /// is looked up as written, then as its `category` (a sidecar saved before categories were
    /// read that way may hold `94110.0`).
    pub(crate) fn index(&self, cell: Option<&str>) -> Option<usize> {
        let cell = cell?;
        let find = |text: &str| self.values.binary_search_by(|v| v.as_str().cmp(text)).ok();
        find(cell).or_else(|| find(category(cell)))
    }
}

/// Returns the category a categorical cell holds: the cell, but a decimal number's trailing
/// zeros after the point go (`94110.0` is `94110`, `2.50` is `2.5`), as a code column saved
/// once as integers and once as floats (pandas does so when the column has a gap) is one column.
/// Leading zeros stay (`02134` is a code of its own), and so does any other text, case included.
pub(crate) fn category(cell: &str) -> &str {
    let plain = cell
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+');
    if !plain || cell.matches('.').count() != 1 || cell.parse::<f64>().is_err() {
        return cell;
    }
    let trimmed = cell.trim_end_matches('0');
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if trimmed.is_empty() || trimmed == "-" || trimmed == "+" {
        cell
    } else {
        trimmed
    }
}

/// Returns `features` (the numeric features of the file's rows `indices`) followed by the 0/1
/// indicators of each categorical column's categories.
pub(crate) fn one_hot(
    features: &Matrix,
    columns: &[TextColumn],
    categories: &[Categories],
    indices: &[usize],
) -> Matrix {
    let extra: usize = categories.iter().map(|c| c.values.len()).sum();
    let cols = features.cols + extra;
    let mut data = Vec::with_capacity(indices.len() * cols);
    for (r, &row) in indices.iter().enumerate() {
        data.extend_from_slice(features.row(r));
        for (column, categories) in columns.iter().zip(categories) {
            let start = data.len();
            data.resize(start + categories.values.len(), 0.0);
            if let Some(i) = categories.index(column.cells[row].as_deref()) {
                data[start + i] = 1.0;
            }
        }
    }
    Matrix {
        rows: indices.len(),
        cols,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_categorical_column_of_ids_is_refused() {
        let ids = TextColumn {
            name: "id".into(),
            cells: (0..2000).map(|i| Some(format!("row{i}"))).collect(),
        };
        let train: Vec<usize> = (0..1200).collect();
        let err = fit(&[ids], &train, Path::new("x.csv")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.csv: categorical column `id` has 1200 categories in the training split, more than \
             the 1000 one column may have; if it identifies rows, leave it out with \
             `data.exclude`"
        );
    }

    #[test]
    fn a_decimal_code_is_the_category_of_its_integer() {
        for (cell, want) in [
            ("94110.0", "94110"),
            ("94110", "94110"),
            ("2.50", "2.5"),
            ("-3.000", "-3"),
            ("02134", "02134"),
            ("02134.0", "02134"),
            ("0.0", "0"),
            (".0", ".0"),
            ("1e3", "1e3"),
            ("1.0.0", "1.0.0"),
            ("Male", "Male"),
            ("v1.0", "v1.0"),
        ] {
            assert_eq!(category(cell), want, "{cell}");
        }
        let zips = Categories {
            column: "zip".into(),
            values: vec!["94110".into(), "94110.5".into()],
        };
        assert_eq!(zips.index(Some("94110.0")), Some(0));
        assert_eq!(zips.index(Some("94110.50")), Some(1));
        // A sidecar saved before holds a category as written.
        let old = Categories {
            column: "zip".into(),
            values: vec!["94110.0".into()],
        };
        assert_eq!(old.index(Some("94110.0")), Some(0));
        assert_eq!(old.index(Some("94110")), None);
    }

    #[test]
    fn categories_are_sorted_and_cells_find_their_indicator() {
        let colour = TextColumn {
            name: "colour".into(),
            cells: ["red", "blue", "red", "green"]
                .iter()
                .map(|c| Some((*c).to_string()))
                .chain([None])
                .collect(),
        };
        let fitted = fit(
            std::slice::from_ref(&colour),
            &[0, 1, 2, 4],
            Path::new("x.csv"),
        )
        .unwrap();
        assert_eq!(
            fitted[0].values,
            ["blue", "red"],
            "green is not a training row"
        );
        let names: Vec<String> = fitted[0].feature_names().collect();
        assert_eq!(names, ["colour=blue", "colour=red"]);
        let features = Matrix {
            rows: 5,
            cols: 1,
            data: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        };
        let encoded = one_hot(&features, &[colour], &fitted, &[0, 1, 2, 3, 4]);
        assert_eq!(encoded.cols, 3);
        assert_eq!(
            encoded.data,
            [
                1.0, 0.0, 1.0, // red
                2.0, 1.0, 0.0, // blue
                3.0, 0.0, 1.0, // red
                4.0, 0.0, 0.0, // green: unseen
                5.0, 0.0, 0.0, // missing
            ]
        );
        let none = fit(
            &[TextColumn {
                name: "c".into(),
                cells: vec![None, None],
            }],
            &[0, 1],
            Path::new("x.csv"),
        );
        assert!(none.is_err());
    }
}
