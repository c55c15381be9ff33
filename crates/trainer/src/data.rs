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

use std::collections::BTreeMap;

use experiment::{
    decimal_comma, decimal_comma_hint, thousands, DataFormat, DataSpec, ImageShape, Located,
    MissingValues, Task, MISSING_MARKERS,
};

use crate::csv_text::CsvText;
use crate::encode;
use crate::{Error, Result};

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
    pub(crate) features: Matrix,
    /// Classification or regression, as given or inferred.
    pub(crate) task: Task,
    /// The class number of each row, an index into `class_names`; empty for regression.
    pub(crate) labels: Vec<usize>,
    /// The target value of each row; empty for classification.
    pub(crate) values: Vec<f32>,
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
pub(crate) fn header_names_each_column_once(header: &[String]) -> std::result::Result<(), String> {
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
        if let Some(first) = header[..i].iter().position(|c| c == name) {
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
        dataset.categorical = self.categorical;
        dataset.dropped_rows = self.dropped_rows;
        dataset.missing_cells = self.missing_cells;
        dataset.missing_categories = self.missing_categories;
        dataset.separator = separator;
        Ok(dataset)
    }
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

/// The target column, read as classes or values.
#[derive(Debug)]
pub(crate) enum Targets {
    Classes {
        labels: Vec<usize>,
        names: Vec<String>,
    },
    Values(Vec<f32>),
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
            // Every value was checked (given task) or parses (inferred task).
            Task::Regression => Targets::Values(
                raw.iter()
                    .map(|s| s.parse::<f32>().unwrap_or(f32::NAN))
                    .collect(),
            ),
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
        let (task, labels, values, class_names) = match self {
            Targets::Classes { labels, names } => {
                if names.len() < 2 {
                    return Err(unusable(format!(
                        "the target `{target_name}` has a single class `{}`; at least 2 are needed",
                        names[0]
                    )));
                }
                (Task::Classification, labels, Vec::new(), names)
            }
            Targets::Values(values) => {
                // Training computes in single precision: a target past its range would turn
                // into infinities and every trial fail at its first epoch.
                if values.iter().any(|v| !v.is_finite()) {
                    return Err(unusable(format!(
                        "the target `{target_name}` holds values past the largest number \
                         training computes with (about 3.4e38); rescale it"
                    )));
                }
                if values.windows(2).all(|w| w[0] == w[1]) {
                    return Err(unusable(format!(
                        "the target `{target_name}` has a single value, {}: there is nothing \
                         to learn (and R² is undefined)",
                        values.first().copied().unwrap_or_default()
                    )));
                }
                (Task::Regression, Vec::new(), values, Vec::new())
            }
        };
        Ok(Dataset {
            features,
            task,
            labels,
            values,
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
fn numbers_read_as_classes(raw: &[String]) -> Option<String> {
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

#[cfg(test)]
pub(crate) mod tests;
