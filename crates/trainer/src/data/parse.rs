//! Reading a CSV file into a `Dataset`, in phases: the header's names, each column's role
//! (target, numeric feature, categorical, excluded), the feature columns, the rows a cell at a
//! time (dropping or keeping rows with missing values as `data.missing` says), and the dataset
//! they make. Every problem is placed at its file, and a bad cell at its row and column.

use std::collections::BTreeMap;

use experiment::{
    decimal_comma, decimal_comma_hint, thousands, DataSpec, Located, MissingValues, Task,
};

use super::targets::{numbers_read_as_classes, Targets};
use super::{
    is_finite_number, is_integer_text, is_marker, is_missing, missing_value, number, number_exact,
    quoted, Dataset, Matrix, TextColumn,
};
use crate::csv_text::CsvText;
use crate::encode;
use crate::{Error, Result};

/// What a CSV column is to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Target,
    /// A numeric feature.
    Number,
    /// The `k`th entry of `data.categorical`.
    Category(usize),
    /// Named in `data.exclude`: never read.
    Excluded,
}

/// Checks that every column of the data has a name of its own: a column is found by its name
/// (the target, `data.categorical`, `data.exclude`, and the input of `sweep predict`).
///
/// Near-linear in the header's columns (each name looked up among those seen before it, in an
/// ordered map, as the determinism rule keeps hash maps out of this crate), so that a header of
/// a hundred thousand columns is judged at once rather than in seconds.
pub(crate) fn header_names_each_column_once(header: &[String]) -> std::result::Result<(), String> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            let why = if i == 0 {
                "pandas writes its index so: save with `index=False`, or name the column and \
                 list it in `data.exclude`"
            } else {
                "a comma too many in the header line?"
            };
            return Err(format!(
                "column {} has no name in the header ({why})",
                i + 1
            ));
        }
        if let Some(first) = seen.insert(name, i) {
            return Err(format!(
                "columns {} and {} are both named `{name}`; each column needs a name of its own",
                first + 1,
                i + 1
            ));
        }
    }
    Ok(())
}

/// Says that a header read with commas looks separated by another character, for a file whose
/// header has a comma inside a name (`Gewicht, kg;Größe;y`): its columns were split at the
/// comma, not at the `;` that separates them. Empty when none shows.
fn separator_hint(header: &[String]) -> String {
    crate::csv_text::SEPARATORS
        .into_iter()
        .map(char::from)
        .find(|c| header.iter().any(|name| name.contains(*c)))
        .map_or_else(String::new, |c| {
            let shown = if c == '\t' {
                "a tab".to_string()
            } else {
                format!("`{c}`")
            };
            format!(
                " (the header holds {shown}: if that separates the columns, quote the names \
                 with a comma in them, as `\"Gewicht, kg\"`)"
            )
        })
}

/// Returns the error for the columns named by the spec that the header of the CSV file at
/// `path` lacks: each with the spec field and place that names it, and a close column of the
/// header, if any, to suggest.
fn missing_columns(
    unknown: &[(&Located<String>, &'static str, Option<&str>)],
    path: &std::path::Path,
    header: &[String],
) -> Error {
    let did_you_mean = |suggested: Option<&str>| {
        suggested
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default()
    };
    let columns = format!(
        "the columns are {}{}",
        quoted(header),
        separator_hint(header)
    );
    let mut sorted = unknown.to_vec();
    sorted.sort_by_key(|(named, _, _)| (named.location.line, named.location.column));
    match sorted.as_slice() {
        [(named, field, suggested)] => Error::MissingColumn {
            location: named.location.clone(),
            field,
            path: path.to_path_buf(),
            column: named.value.as_str().into(),
            columns: format!("{}{columns}", did_you_mean(*suggested)),
        },
        _ => Error::MissingColumns {
            path: path.to_path_buf(),
            columns: sorted
                .iter()
                .map(|(named, field, suggested)| {
                    let suggested = did_you_mean(*suggested);
                    format!(
                        "{}: {field}: no column `{}` in `{}`{}",
                        named.location,
                        named.value,
                        path.display(),
                        suggested
                            .strip_suffix(' ')
                            .map_or_else(String::new, |s| format!("; {s}"))
                    )
                })
                .collect(),
            header: columns,
        },
    }
}

/// Parses CSV text; `spec.csv` names the source in errors.
///
/// In phases: the header's names (`header_names_each_column_once`), each column's role
/// (`roles`), the feature columns (`feature_names`), the rows (`read_rows`, a cell at a time),
/// and the dataset they make (`into_dataset`).
pub(crate) fn parse(text: &[u8], spec: &DataSpec) -> Result<Dataset> {
    let path = &spec.csv.value;
    let mut csv = CsvText::new(text, path)?;
    let header = csv.header().to_vec();
    header_names_each_column_once(&header).map_err(|message| Error::Csv {
        path: path.clone(),
        message,
    })?;
    let (target, roles) = roles(&header, spec)?;
    csv.leave_unread(
        roles
            .iter()
            .enumerate()
            .filter(|(_, role)| **role == Role::Excluded)
            .map(|(column, _)| column),
    );
    let feature_names = feature_names(&header, &roles, spec)?;
    let rows = read_rows(&mut csv, spec, &header, &roles, target)?;
    rows.into_dataset(feature_names, spec, csv.separator())
}

/// Returns the target's column and every column's role, once every column the spec names is
/// found in `header`.
fn roles(header: &[String], spec: &DataSpec) -> Result<(usize, Vec<Role>)> {
    // Every name not in the header is said, each at its place in the spec, before any role is
    // given. A column `data.exclude` leaves out is never suggested for `data.categorical`, nor
    // for `data.exclude` again.
    let position = |name: &str| header.iter().position(|c| c == name);
    let excluded: Vec<usize> = spec
        .exclude
        .iter()
        .filter_map(|named| position(&named.value))
        .collect();
    let listed = std::iter::once((&spec.target, "data.target"))
        .chain(spec.categorical.iter().map(|n| (n, "data.categorical")))
        .chain(spec.exclude.iter().map(|n| (n, "data.exclude")));
    let mut unknown = Vec::new();
    for (named, field) in listed {
        if position(&named.value).is_none() {
            let candidates = header
                .iter()
                .enumerate()
                .filter(|(i, _)| field == "data.target" || !excluded.contains(i))
                .map(|(_, c)| c.as_str());
            unknown.push((named, field, experiment::suggest(&named.value, candidates)));
        }
    }
    let Some(target) = position(&spec.target.value).filter(|_| unknown.is_empty()) else {
        return Err(missing_columns(&unknown, &spec.csv.value, header));
    };
    let mut roles = vec![Role::Number; header.len()];
    roles[target] = Role::Target;
    for (k, named) in spec.categorical.iter().enumerate() {
        if let Some(column) = position(&named.value) {
            roles[column] = Role::Category(k);
        }
    }
    for column in spec
        .exclude
        .iter()
        .filter_map(|named| position(&named.value))
    {
        roles[column] = Role::Excluded;
    }
    Ok((target, roles))
}

/// Returns the names of the numeric feature columns, once there are features to train on and,
/// for images, as many as `data.image` has pixels.
fn feature_names(header: &[String], roles: &[Role], spec: &DataSpec) -> Result<Vec<String>> {
    let path = &spec.csv.value;
    let feature_names: Vec<String> = header
        .iter()
        .zip(roles)
        .filter(|(_, role)| **role == Role::Number)
        .map(|(c, _)| c.clone())
        .collect();
    if feature_names.is_empty() && spec.categorical.is_empty() {
        return Err(Error::Unusable {
            path: path.clone(),
            message: format!(
                "no feature columns besides the target `{}`",
                spec.target.value
            ),
        });
    }
    if let Some(image) = spec.image {
        let pixels = image.height * image.width * image.channels;
        if pixels != feature_names.len() {
            return Err(Error::UnsuitedSpec {
                location: spec.csv.location.clone(),
                message: format!(
                    "data.image: {}x{} with {} is {pixels} pixel columns, but {} has {} feature \
                     columns",
                    image.height,
                    image.width,
                    experiment::counted(
                        u64::try_from(image.channels).unwrap_or(u64::MAX),
                        "channel",
                        "channels"
                    ),
                    path.display(),
                    feature_names.len()
                ),
            });
        }
    }
    Ok(feature_names)
}

/// What the rows of a CSV file hold, read by `read_rows`.
#[derive(Debug)]
struct Rows {
    /// The numeric features, row-major; NaN where a missing cell is to be filled.
    data: Vec<f32>,
    /// The same cells read in double precision (`data::number_exact`).
    exact: Vec<f64>,
    /// Each kept row's target cell.
    raw_labels: Vec<String>,
    categorical: Vec<TextColumn>,
    dropped_rows: usize,
    missing_cells: usize,
    missing_categories: usize,
}

/// What is wrong with one cell: a missing value (its message gets the `data.missing` hint) or
/// any other problem.
enum CellProblem {
    Missing(String),
    Malformed(String),
}

/// Reads every row, leaving out those `data.missing: drop` drops; a cell's problem is an
/// error at its row and column.
fn read_rows(
    csv: &mut CsvText,
    spec: &DataSpec,
    header: &[String],
    roles: &[Role],
    target: usize,
) -> Result<Rows> {
    let mut rows = Rows {
        data: Vec::new(),
        exact: Vec::new(),
        raw_labels: Vec::new(),
        categorical: spec
            .categorical
            .iter()
            .map(|c| TextColumn {
                name: c.value.clone(),
                cells: Vec::new(),
            })
            .collect(),
        dropped_rows: 0,
        missing_cells: 0,
        missing_categories: 0,
    };
    let mut record = csv::StringRecord::new();
    let fills = spec.missing.fills();
    while csv.read(&mut record)? {
        if is_dropped(&record, roles, target, spec) {
            rows.dropped_rows += 1;
            continue;
        }
        let malformed = |column: usize, message: String| csv.malformed(column, message);
        let problem = |column: usize, problem: CellProblem| match problem {
            CellProblem::Malformed(message) => malformed(column, message),
            CellProblem::Missing(message) => {
                let hint = if column == target {
                    "`data.missing: drop` (or `mean` or `median`) leaves out rows with a missing \
                     label"
                } else {
                    "`data.missing: drop` leaves out rows with missing values, `mean` or \
                     `median` fills in missing features"
                };
                malformed(column, format!("{message}; {hint}"))
            }
        };
        for (column, (cell, role)) in record.iter().zip(roles).enumerate() {
            match role {
                Role::Target => {
                    target_cell(cell, spec.task).map_err(|p| problem(column, p))?;
                    rows.raw_labels.push(cell.to_string());
                }
                Role::Excluded => {}
                Role::Category(k) => {
                    let value = category_cell(cell, fills).map_err(|p| problem(column, p))?;
                    if value.is_none() {
                        rows.missing_categories += 1;
                    }
                    rows.categorical[*k].cells.push(value);
                }
                Role::Number => {
                    let value = number_cell(cell, fills, &header[column])
                        .map_err(|p| problem(column, p))?;
                    if value.is_none() {
                        rows.missing_cells += 1;
                    }
                    rows.data.push(value.unwrap_or(f32::NAN));
                    rows.exact.push(match value {
                        Some(_) => number_exact(cell),
                        None => f64::NAN,
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// Returns whether a target cell is missing: empty, or a marker when the target is known to be
/// numbers.
fn target_missing(cell: &str, task: Option<Task>) -> bool {
    cell.is_empty() || (task == Some(Task::Regression) && is_marker(cell))
}

/// Returns whether `data.missing` leaves `record` out.
fn is_dropped(record: &csv::StringRecord, roles: &[Role], target: usize, spec: &DataSpec) -> bool {
    match spec.missing {
        MissingValues::Drop => record.iter().zip(roles).any(|(cell, role)| match role {
            Role::Target => target_missing(cell, spec.task),
            Role::Number | Role::Category(_) => is_missing(cell),
            Role::Excluded => false,
        }),
        // A label cannot be filled in.
        MissingValues::Mean | MissingValues::Median => record
            .get(target)
            .is_some_and(|cell| target_missing(cell, spec.task)),
        MissingValues::Error => false,
    }
}

/// Checks a target cell.
fn target_cell(cell: &str, task: Option<Task>) -> std::result::Result<(), CellProblem> {
    if target_missing(cell, task) {
        return Err(CellProblem::Missing(missing_value(cell, "label")));
    }
    // A number past single precision can only be a regression target, so it is refused here, at
    // its row, also while the task is still to be inferred. (A long integer may be an id, a
    // class: those are left to the task.)
    let too_large = cell.parse::<f32>().is_ok_and(f32::is_infinite)
        && is_finite_number(cell)
        && !is_integer_text(cell);
    if task != Some(Task::Classification) && too_large {
        return Err(CellProblem::Malformed(format!(
            "`{cell}` is past the largest number training computes with (about 3.4e38); \
             rescale the target"
        )));
    }
    if task == Some(Task::Regression) && number(cell).is_err() {
        return Err(CellProblem::Malformed(format!(
            "a regression target must be a finite number, found `{cell}`{}",
            decimal_comma_hint(cell)
        )));
    }
    Ok(())
}

/// Reads a categorical cell: its category, or `None` for a missing one that `fills` lets
/// through.
fn category_cell(cell: &str, fills: bool) -> std::result::Result<Option<String>, CellProblem> {
    if !is_missing(cell) {
        Ok(Some(encode::category(cell).to_string()))
    } else if fills {
        Ok(None)
    } else {
        Err(CellProblem::Missing(missing_value(cell, "cell")))
    }
}

/// Reads a numeric feature cell of the column `name`: its value, or `None` for a missing one
/// that `fills` lets through.
fn number_cell(
    cell: &str,
    fills: bool,
    name: &str,
) -> std::result::Result<Option<f32>, CellProblem> {
    // Only a cell that is not a number is looked up among the missing-value markers.
    match number(cell) {
        Ok(x) => Ok(Some(x)),
        Err(_) if fills && is_missing(cell) => Ok(None),
        Err(message) if is_missing(cell) => Err(CellProblem::Missing(message)),
        Err(message)
            if decimal_comma(cell).is_some()
                || thousands(cell).is_some()
                || cell.parse::<f64>().is_ok() =>
        {
            Err(CellProblem::Malformed(message))
        }
        Err(message) => Err(CellProblem::Malformed(format!(
            "{message}; list `{name}` in `data.categorical` to one-hot encode its values, or in \
             `data.exclude` to leave it out"
        ))),
    }
}

impl Rows {
    /// Returns the dataset the rows make: the features, and the targets read as the task.
    fn into_dataset(
        self,
        feature_names: Vec<String>,
        spec: &DataSpec,
        separator: Option<char>,
    ) -> Result<Dataset> {
        let path = &spec.csv.value;
        let target_name = &spec.target.value;
        let unusable = |message: String| Error::Unusable {
            path: path.clone(),
            message,
        };
        let features = Matrix {
            rows: self.raw_labels.len(),
            cols: feature_names.len(),
            data: self.data,
        };
        if self.dropped_rows > 0 && self.raw_labels.len() < 2 {
            return Err(unusable(format!(
                "{} with missing values left out leave {}; at least 2 are needed",
                experiment::counted(self.dropped_rows as u64, "row", "rows"),
                experiment::counted(self.raw_labels.len() as u64, "data row", "data rows"),
            )));
        }
        if spec.task.is_none() {
            if let Some(why) = numbers_read_as_classes(&self.raw_labels) {
                return Err(unusable(format!("the target `{target_name}` {why}")));
            }
        }
        let targets = Targets::from_raw(&self.raw_labels, spec.task);
        let mut dataset =
            targets.into_dataset(features, feature_names, spec.image, target_name, &unusable)?;
        dataset.features_exact = self.exact;
        dataset.categorical = self.categorical;
        dataset.dropped_rows = self.dropped_rows;
        dataset.missing_cells = self.missing_cells;
        dataset.missing_categories = self.missing_categories;
        dataset.separator = separator;
        Ok(dataset)
    }
}
