//! A spec resolved as its run record holds it (`Resolved`), made once per run.

use std::path::{Path, PathBuf};

use anyhow::Context;
use experiment::ExperimentSpec;

use super::resolve_at;

/// A spec resolved as its run record holds it: its text parsed again at its file's absolute
/// path (`run_record`), made once for a run that also asks whether the study resumes with it.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The spec file's absolute path, which the record keeps as `spec_file`.
    pub(super) file: PathBuf,
    /// The spec parsed at `file`.
    pub(super) spec: ExperimentSpec,
    /// The resolved spec's text (`ExperimentSpec::resolved`), as the record keeps it.
    pub(super) text: String,
}

impl Resolved {
    /// Resolves `spec`, read from `spec_file`, at that file's absolute path; fails when the
    /// path cannot be made absolute or the text does not parse there.
    pub(crate) fn at(spec: &ExperimentSpec, spec_file: &Path) -> anyhow::Result<Resolved> {
        let file = std::path::absolute(spec_file)
            .with_context(|| format!("cannot resolve the path {}", spec_file.display()))?;
        let spec = resolve_at(&spec.source, &file)?;
        let text = spec.resolved();
        Ok(Resolved { file, spec, text })
    }

    /// Returns the resolved spec's text, as a run record keeps it (`resolved_spec`).
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}
