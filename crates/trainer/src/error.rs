//! Errors of this crate. Problems with the data name the spec field they came from, with its
//! place in the spec file, and the CSV file, row and column they are about.

use std::path::PathBuf;

use experiment::Location;

/// Errors of the `trainer` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data file the spec names could not be opened or read.
    #[error("{location}: {field}: cannot read `{}`: {}{hint}", path.display(), plain(error))]
    ReadData {
        /// Where the file is named in the spec.
        location: Location,
        /// The field that names it: `data.csv`, `data.idx.images` or `data.idx.labels`.
        field: &'static str,
        /// The file as resolved.
        path: PathBuf,
        /// What the operating system said: part of the message, not a separate source, so
        /// that a chain of causes does not print it twice.
        error: std::io::Error,
        /// What may be wrong with the path as written, after the system's word ("; `~` is not
        /// expanded ..."), or empty.
        hint: &'static str,
    },
    /// A column named by the spec (`data.target`, an entry of `data.categorical` or
    /// `data.exclude`) is not in the CSV header.
    #[error(
        "{location}: {field}: no column `{column}` in `{}`; {columns}",
        path.display()
    )]
    MissingColumn {
        /// Where the name is written in the spec.
        location: Location,
        /// The spec field that names it: `data.target`, `data.categorical` or `data.exclude`.
        field: &'static str,
        /// The CSV file.
        path: PathBuf,
        /// The requested column (boxed to keep `Error` small).
        column: Box<str>,
        /// "did you mean `x`? " for a close column name, then "the columns are " and the
        /// header's columns, quoted and comma-separated (a long header shortened).
        columns: String,
    },
    /// Several columns named by the spec are not in the CSV header: each said on a line of its
    /// own, at its place in the spec, then the header's columns once.
    #[error("{}\n{}: {header}", columns.join("\n"), path.display())]
    MissingColumns {
        /// The CSV file.
        path: PathBuf,
        /// For each missing column, in the order the spec file names them: "PLACE: FIELD: no
        /// column `NAME` in `FILE`", then "; did you mean `x`?" for a close column name.
        columns: Vec<String>,
        /// "the columns are " and the header's columns, quoted and comma-separated (a long
        /// header shortened).
        header: String,
    },
    /// A cell of the CSV file is not a value of the expected kind.
    #[error("{}: row {row} (line {line}), column `{column}`: {message}", path.display())]
    MalformedCell {
        /// The CSV file.
        path: PathBuf,
        /// The data row, counted from 1 after the header.
        row: u64,
        /// The line in the file, counted from 1 (the header is line 1).
        line: u64,
        /// The column's name from the header.
        column: String,
        /// What is wrong with the cell.
        message: String,
    },
    /// The CSV file is not well formed (bad quoting, rows of unequal length, invalid UTF-8).
    /// The predictions could not be written (a full disk, or a reader of the output that went
    /// away, which the caller may want to tell apart: the I/O error is the source).
    #[error("cannot write the predictions")]
    Write(#[source] std::io::Error),
    #[error("{}: {message}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// What the CSV reader said, with the line where it could tell.
        message: String,
    },
    /// The data cannot be trained on: too few rows or classes, or a split left empty.
    #[error("{}: {message}", path.display())]
    Unusable {
        /// The CSV file.
        path: PathBuf,
        /// Why the data is unusable.
        message: String,
    },
    /// The thread that runs a trial could not be started.
    #[error("cannot start a training thread: {0}")]
    ThreadPool(String),
    /// The tensor device reported an error, such as running out of memory.
    #[error("device error: {0}")]
    Device(String),
    /// The model a trial asks for is larger than the trainer builds (its memory alone would
    /// exhaust a machine's, and an allocation that fails aborts the process).
    #[error(
        "the model would have {params} trained values (about {gib} GiB with their gradients and \
         the optimizer's state), past the {max} this trainer builds; lower `hidden`, `depth`, \
         `channels` or `conv_layers`"
    )]
    ModelTooLarge {
        /// Its trained values.
        params: u128,
        /// Their memory in GiB, to the nearest (at least 1).
        gib: u128,
        /// The most a model may have.
        max: u128,
    },
    /// A pass of images through the convolutions would need a buffer past what the trainer
    /// allocates at once (an allocation that fails aborts the process).
    #[error(
        "a pass of {rows} images of {height}x{width} through the convolutions needs about {gib} \
         GiB for one layer's activations, past the {max_gib} GiB this trainer allocates at \
         once; lower `batch_size`, `channels` or `conv_layers`"
    )]
    ActivationsTooLarge {
        /// The images of the pass.
        rows: usize,
        /// Their height.
        height: usize,
        /// Their width.
        width: usize,
        /// The largest buffer, in GiB, to the nearest (at least 1).
        gib: u128,
        /// The most, in GiB.
        max_gib: u128,
    },
    /// The spec asks for CUDA in a build without the `cuda` feature.
    #[error(
        "device: cuda needs a sweep built with CUDA support; build it with \
         `cargo build --release --features cuda` (which needs the CUDA toolkit), or use \
         `device: cpu` or `device: auto`"
    )]
    NoCuda,
    /// The spec does not suit the data: a metric the task does not report, a CNN without images.
    #[error("{}: {message}", path.display())]
    Unsuited {
        /// The data file, or what the problem is about.
        path: PathBuf,
        /// What does not fit.
        message: String,
    },
    /// The spec does not suit its data, at a place in the spec file: a metric the task the
    /// target implies does not report, a CNN without images.
    #[error("{location}: {message}")]
    UnsuitedSpec {
        /// Where in the spec the data that decides it is named (`data.target`, `data.csv`).
        location: Location,
        /// What does not fit, naming the field at fault and the data file.
        message: String,
    },
    /// A checkpoint could not be written or read.
    #[error("checkpoint {}: {message}", path.display())]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The rows given to `predict` do not have the columns the model was trained on.
    #[error("{}: {message}", path.display())]
    Columns {
        /// The input file.
        path: PathBuf,
        /// Which columns are missing or unexpected.
        message: String,
    },
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl From<rayon::ThreadPoolBuildError> for Error {
    fn from(e: rayon::ThreadPoolBuildError) -> Self {
        Error::ThreadPool(e.to_string())
    }
}

/// Returns what the operating system said without its error number: "No such file or
/// directory", not "No such file or directory (os error 2)".
fn plain(error: &std::io::Error) -> String {
    let mut text = error.to_string();
    if let Some(at) = text.rfind(" (os error ") {
        text.truncate(at);
    }
    text
}
