//! Reads a `warm_start: {csv: FILE}` file and imports the trials it gives: the runner reads no
//! file but the store, so `run`, `gate` and `validate` read this one first (`run` again on a
//! resume, for the runner to compare with what was taken when the experiment was created).
//! The file is parsed by the trainer's CSV reader (`trainer::results_table`), as data files are;
//! the SHA-256 of its bytes goes with the trials (`runner::WarmFile`), so that a resume knows
//! the same bytes whatever a later reader makes of them.

use anyhow::{bail, Context};
use experiment::{ExperimentSpec, Located, WarmSource, WarmStart, WarmStarted};
use runner::WarmFile;

/// Returns what `spec`'s `warm_start: {csv: ..}` file holds now, for a resumed experiment,
/// which goes on from the trials it took when it was created: `None` where the file is not
/// there (gone since, or a link leading nowhere); `WarmFile::Unreadable`, with why, where it is
/// there but gives no trials (it cannot be read, or the reader refuses it), which the study
/// goes on without, saying why, unless its bytes are the ones taken. Never an error (a `Result`
/// as `read`'s, for the caller's one match over both), so that a resume is refused only by the
/// study's comparison.
pub(crate) fn read_if_there(spec: &ExperimentSpec) -> anyhow::Result<Option<WarmFile>> {
    let Some((w, file)) = csv(spec) else {
        return Ok(None);
    };
    if !file.value.exists() {
        return Ok(None);
    }
    let at = at(file);
    let bytes = match bytes_of(file, &at) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Ok(Some(WarmFile::Unreadable {
                sha256: None,
                why: format!("{e:#}"),
            }))
        }
    };
    let sha256 = experiment::sha256_hex(&bytes);
    Ok(Some(match trials_of(spec, w, file, &at, &bytes) {
        Ok(trials) => WarmFile::Read { sha256, trials },
        Err(e) => WarmFile::Unreadable {
            sha256: Some(sha256),
            why: format!("{e:#}"),
        },
    }))
}

/// Returns the trials `spec`'s `warm_start: {csv: ..}` file gives its search, with the rows
/// left out and why, and the SHA-256 of its bytes; `None` without such a file. Errors name the
/// file, where the spec names it, and what is wrong.
pub(crate) fn read(spec: &ExperimentSpec) -> anyhow::Result<Option<WarmFile>> {
    let Some((w, file)) = csv(spec) else {
        return Ok(None);
    };
    let at = at(file);
    let bytes = bytes_of(file, &at)?;
    let trials = trials_of(spec, w, file, &at, &bytes)?;
    Ok(Some(WarmFile::Read {
        sha256: experiment::sha256_hex(&bytes),
        trials,
    }))
}

/// Returns `spec`'s warm start and its file, where it reads one.
fn csv(spec: &ExperimentSpec) -> Option<(&WarmStart, &Located<std::path::PathBuf>)> {
    let w = spec.warm_start.as_ref()?;
    match &w.source {
        WarmSource::Csv(file) => Some((w, file)),
        WarmSource::Experiment(_) => None,
    }
}

/// Returns where the spec names the file: "warm_start.csv at q.yaml:9:14".
fn at(file: &Located<std::path::PathBuf>) -> String {
    format!(
        "warm_start.csv at {}:{}:{}",
        file.location.file.display(),
        file.location.line,
        file.location.column
    )
}

/// Returns the file's bytes; refused where it is not a file or cannot be read.
fn bytes_of(file: &Located<std::path::PathBuf>, at: &str) -> anyhow::Result<Vec<u8>> {
    let path = &file.value;
    // A device or a pipe (`/dev/zero`) would be read forever.
    if path.exists() && !path.is_file() {
        bail!(
            "{at}: {} is not a file (a folder, a device or a pipe); name a CSV file of results",
            path.display()
        );
    }
    std::fs::read(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .with_context(|| at.to_string())
}

/// Returns the trials the file's `bytes` give `spec`'s search; refused where the reader refuses
/// them or they give none.
fn trials_of(
    spec: &ExperimentSpec,
    w: &WarmStart,
    file: &Located<std::path::PathBuf>,
    at: &str,
    bytes: &[u8],
) -> anyhow::Result<WarmStarted> {
    let path = &file.value;
    // `sweep export --format json` writes another shape than a table of results.
    if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'[' | b'{'))
    {
        bail!(
            "{}: this is JSON; a warm start reads a CSV file of results, as `sweep export \
             EXPERIMENT --format csv` writes it ({at})",
            path.display()
        );
    }
    let table = trainer::results_table(bytes, path).with_context(|| at.to_string())?;
    match w.import_table(spec, &table) {
        Ok(taken) => Ok(taken),
        Err(why) => bail!("{}: {why} ({at})", path.display()),
    }
}
