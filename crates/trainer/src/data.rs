//! The CSV loader: a header row, one target column chosen by name, every other column a feature.
//!
//! Class labels are mapped to class numbers in sorted order, so that the same file always gives
//! the same numbering: numerically when every label is an integer (`2` before `10`), otherwise
//! as strings. Every problem is reported with the file, and a bad cell with its row and column.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;

use experiment::DataSpec;

use crate::{Error, Result};

/// A dense row-major matrix of `f32`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: Vec<f32>,
}

/// A loaded dataset: features, class numbers, and the names of both.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dataset {
    pub(crate) features: Matrix,
    /// The class number of each row, an index into `class_names`.
    pub(crate) labels: Vec<usize>,
    pub(crate) feature_names: Vec<String>,
    /// Class names in class-number order.
    pub(crate) class_names: Vec<String>,
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

/// Loads the CSV file named by `spec.csv`, with `spec.target` as the label column.
pub(crate) fn load(spec: &DataSpec) -> Result<Dataset> {
    let path = &spec.csv.value;
    let file = File::open(path).map_err(|source| Error::ReadData {
        location: spec.csv.location.clone(),
        path: path.clone(),
        source,
    })?;
    parse(file, spec)
}

/// Parses CSV text; `spec.csv` names the source in errors.
pub(crate) fn parse(input: impl Read, spec: &DataSpec) -> Result<Dataset> {
    let path = &spec.csv.value;
    let csv_error = |e: csv::Error| Error::Csv {
        path: path.clone(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_string)
        .collect();
    let target_name = &spec.target.value;
    let target = header
        .iter()
        .position(|c| c == target_name)
        .ok_or_else(|| Error::MissingTarget {
            location: spec.target.location.clone(),
            path: path.clone(),
            target: target_name.clone(),
            columns: header
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let feature_names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != target)
        .map(|(_, c)| c.clone())
        .collect();
    let unusable = |message: String| Error::Unusable {
        path: path.clone(),
        message,
    };
    if feature_names.is_empty() {
        return Err(unusable(format!(
            "no feature columns besides the target `{target_name}`"
        )));
    }

    let mut data = Vec::new();
    let mut raw_labels = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row: u64 = 0;
    while reader.read_record(&mut record).map_err(csv_error)? {
        row += 1;
        let line = record.position().map_or(row + 1, |p| p.line());
        let malformed = |column: usize, message: String| Error::MalformedCell {
            path: path.clone(),
            row,
            line,
            column: header[column].clone(),
            message,
        };
        for (column, cell) in record.iter().enumerate() {
            if column == target {
                if cell.is_empty() {
                    return Err(malformed(column, "the label is empty".to_string()));
                }
                raw_labels.push(cell.to_string());
                continue;
            }
            match cell.parse::<f32>() {
                Ok(x) if x.is_finite() => data.push(x),
                _ if cell.is_empty() => {
                    return Err(malformed(
                        column,
                        "the cell is empty; missing values are not supported".to_string(),
                    ))
                }
                _ => {
                    return Err(malformed(
                        column,
                        format!("expected a finite number, found `{cell}`"),
                    ))
                }
            }
        }
    }
    if raw_labels.len() < 2 {
        return Err(unusable(format!(
            "{} data rows; at least 2 are needed",
            raw_labels.len()
        )));
    }
    let (labels, class_names) = number_classes(&raw_labels);
    if class_names.len() < 2 {
        return Err(unusable(format!(
            "the target `{target_name}` has a single class `{}`; at least 2 are needed",
            class_names[0]
        )));
    }
    Ok(Dataset {
        features: Matrix {
            rows: labels.len(),
            cols: feature_names.len(),
            data,
        },
        labels,
        feature_names,
        class_names,
    })
}

/// Numbers the distinct labels in sorted order, numerically if they are all integers.
fn number_classes(raw: &[String]) -> (Vec<usize>, Vec<String>) {
    let integers: Option<Vec<i64>> = raw.iter().map(|s| s.parse::<i64>().ok()).collect();
    match integers {
        Some(values) => number_sorted(&values, |v| v.to_string()),
        None => number_sorted(raw, String::clone),
    }
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

#[cfg(test)]
pub(crate) mod tests {
    use std::path::PathBuf;

    use experiment::{Located, Location, Normalize, SplitSpec};

    use super::*;

    /// Returns a data spec for `csv` with target `target`, as if written in `spec.yaml`.
    pub(crate) fn spec(csv: impl Into<PathBuf>, target: &str) -> DataSpec {
        let at = |line| Location {
            file: PathBuf::from("spec.yaml"),
            line,
            column: 8,
        };
        DataSpec {
            csv: Located {
                value: csv.into(),
                location: at(4),
            },
            target: Located {
                value: target.to_string(),
                location: at(5),
            },
            split: SplitSpec {
                validation: 0.2,
                test: 0.2,
                stratify: true,
            },
            normalize: Normalize::Standard,
            task: None,
            image: None,
            format: experiment::DataFormat::Csv,
        }
    }

    fn parse_str(text: &str, target: &str) -> Result<Dataset> {
        parse(text.as_bytes(), &spec("data/x.csv", target))
    }

    #[test]
    fn reads_features_and_sorted_string_labels() {
        let d = parse_str(
            "a,label,b\n1,zebra,2\n3,ant,4\n5,moth,6\n7,ant,8\n",
            "label",
        )
        .unwrap();
        assert_eq!(d.feature_names, ["a", "b"]);
        assert_eq!(d.class_names, ["ant", "moth", "zebra"]);
        assert_eq!(d.labels, [2, 0, 1, 0]);
        assert_eq!(d.features.data, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!((d.features.rows, d.features.cols), (4, 2));
    }

    #[test]
    fn integer_labels_sort_numerically() {
        let d = parse_str("x,y\n0,10\n0,2\n0,-1\n0,2\n", "y").unwrap();
        assert_eq!(d.class_names, ["-1", "2", "10"]);
        assert_eq!(d.labels, [2, 1, 0, 1]);
    }

    #[test]
    fn malformed_cell_names_file_row_and_column() {
        let err = parse_str("a,b,y\n1,2,0\n3,oops,1\n", "y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.csv: row 2 (line 3), column `b`: expected a finite number, found `oops`"
        );
        let err = parse_str("a,b,y\n1,2,0\n3,,1\n", "y").unwrap_err();
        assert!(err
            .to_string()
            .contains("row 2 (line 3), column `b`: the cell is empty"));
        let err = parse_str("a,y\n1,0\nNaN,1\n", "y").unwrap_err();
        assert!(
            err.to_string()
                .contains("column `a`: expected a finite number"),
            "{err}"
        );
    }

    #[test]
    fn missing_target_names_the_spec_location() {
        let err = parse_str("a,b\n1,2\n", "label").unwrap_err();
        assert_eq!(
            err.to_string(),
            "spec.yaml:5:8: data.target: no column `label` in `data/x.csv`; the columns are `a`, `b`"
        );
    }

    #[test]
    fn missing_file_names_the_spec_location() {
        let err = load(&spec("no/such/file.csv", "y")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("spec.yaml:4:8: data.csv: cannot read `no/such/file.csv`: "),
            "{message}"
        );
    }

    #[test]
    fn ragged_rows_and_degenerate_data_are_errors() {
        let err = parse_str("a,y\n1,0\n2,1,3\n", "y").unwrap_err();
        assert!(matches!(err, Error::Csv { .. }), "{err}");
        let err = parse_str("a,y\n1,0\n2,0\n", "y").unwrap_err();
        assert!(err.to_string().contains("single class `0`"), "{err}");
        let err = parse_str("y\n1\n2\n", "y").unwrap_err();
        assert!(err.to_string().contains("no feature columns"), "{err}");
    }
}
