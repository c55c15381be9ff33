//! Errors of this crate. A spec error always carries the file, line and column it is about.

use std::fmt;
use std::path::PathBuf;

/// A position in a spec file, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file the spec was read from, as the user named it.
    pub file: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// One problem in a spec: where it is, which field, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Where the offending value (or the enclosing mapping, for a missing key) starts.
    pub location: Location,
    /// The dotted path of the field, e.g. `parameters.lr.min`.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Every problem found in a spec, in file order; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

/// Errors of the `experiment` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec is not valid; every problem found is listed.
    #[error("{0}")]
    Spec(SpecErrors),
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.location, self.message)
        } else {
            write!(f, "{}: {}: {}", self.location, self.field, self.message)
        }
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<SpecErrors> for Error {
    fn from(e: SpecErrors) -> Self {
        Error::Spec(e)
    }
}
