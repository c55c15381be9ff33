//! The experiment spec (format v1): what to train, on which data, searching which space.
//!
//! `ExperimentSpec::from_yaml_str` is the only way to build one, and it returns a validated
//! spec: every later stage can trust its invariants (a grid only over finite ranges, known knobs,
//! a known objective metric, split fractions that leave training data).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Direction, Location, Method, Params, Result, SearchSpace, Seed};

/// A value with the place in the spec file where it was written, for errors found later.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub location: Location,
}

/// The metric the sweep optimizes, and its direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSpec {
    /// A name from `KNOWN_METRICS`.
    pub name: String,
    /// `maximize` or `minimize`.
    pub goal: Direction,
}

/// How features are scaled; fitted on the training split only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalize {
    /// Raw values.
    None,
    /// Zero mean, unit variance per feature.
    Standard,
    /// Scaled to [0, 1] per feature.
    MinMax,
}

/// Fractions of the rows held out for validation and test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitSpec {
    /// Fraction for validation, in (0, 1).
    pub validation: f64,
    /// Fraction for test, in [0, 1).
    pub test: f64,
    /// Whether each split keeps the class proportions.
    pub stratify: bool,
}

/// Where the data comes from and how it is prepared.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    /// The CSV file, resolved against the spec file's folder.
    pub csv: Located<PathBuf>,
    /// The target column's name.
    pub target: Located<String>,
    /// Validation and test fractions.
    pub split: SplitSpec,
    /// Feature scaling.
    pub normalize: Normalize,
}

/// The model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// A multilayer perceptron.
    Mlp,
}

/// The model block, apart from knobs (which go to `ExperimentSpec::fixed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// The model family.
    pub kind: ModelKind,
}

/// Stop a trial when a metric stops improving.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping {
    /// A name from `KNOWN_METRICS`; its direction comes from there.
    pub metric: String,
    /// Epochs without improvement before stopping.
    pub patience: u32,
    /// The smallest change that counts as an improvement.
    pub min_delta: f64,
}

/// A validated experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentSpec {
    /// The experiment's name: letters, digits, `-`, `_` and `.`.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The seed every random draw derives from.
    pub seed: Seed,
    /// How parameters are chosen, with the sampler's settings.
    pub method: Method,
    /// Number of trials; for a grid, defaults to the grid's size.
    pub run_cap: u32,
    /// Trials side by side; `None` means one per core, decided by the binary.
    pub parallel: Option<u32>,
    /// The objective.
    pub metric: MetricSpec,
    /// The data.
    pub data: DataSpec,
    /// The model family.
    pub model: ModelSpec,
    /// In-trial early stopping.
    pub early_stopping: Option<EarlyStopping>,
    /// Knobs fixed in `train:` and `model:`.
    pub fixed: Params,
    /// Knobs searched in `parameters:`.
    pub space: SearchSpace,
    /// The YAML text the spec was parsed from.
    pub source: String,
}

impl ExperimentSpec {
    /// Parses and validates a spec; `file` names the source in errors and anchors relative paths.
    ///
    /// Returns every problem found, each with its line and column, rather than only the first.
    pub fn from_yaml_str(text: &str, file: &Path) -> Result<ExperimentSpec> {
        crate::yaml::parse_spec(text, file)
    }

    /// Returns a SHA-256 of the spec's source text, in hex; equal texts give equal hashes.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.source.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}
