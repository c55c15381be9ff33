//! Reads a `warm_start: {csv: FILE}` file and imports the trials it gives: the runner reads no
//! file but the store, so `run`, `gate` and `validate` read this one first (`run` again on a
//! resume, for the runner to compare with the trials taken when the experiment was created).
//! The file is parsed by the trainer's CSV reader (`trainer::results_table`), as data files are.

use anyhow::{bail, Context};
use experiment::{ExperimentSpec, WarmSource, WarmStarted};

/// Returns what `read` returns, or `None` where `spec`'s `warm_start: {csv: ..}` file is not
/// there (gone since, or a link leading nowhere): a resumed experiment goes on from the trials
/// it took when it was created, and compares them with the file's only while the file is there.
pub(crate) fn read_if_there(spec: &ExperimentSpec) -> anyhow::Result<Option<WarmStarted>> {
    let gone = match &spec.warm_start {
        Some(w) => matches!(&w.source, WarmSource::Csv(file) if !file.value.exists()),
        None => false,
    };
    if gone {
        return Ok(None);
    }
    read(spec)
}

/// Returns the trials `spec`'s `warm_start: {csv: ..}` file gives its search, with the rows
/// left out and why; `None` without such a file. Errors name the file, where the spec names it,
/// and what is wrong.
pub(crate) fn read(spec: &ExperimentSpec) -> anyhow::Result<Option<WarmStarted>> {
    let Some(w) = &spec.warm_start else {
        return Ok(None);
    };
    let WarmSource::Csv(file) = &w.source else {
        return Ok(None);
    };
    let at = format!(
        "warm_start.csv at {}:{}:{}",
        file.location.file.display(),
        file.location.line,
        file.location.column
    );
    let path = &file.value;
    // A device or a pipe (`/dev/zero`) would be read forever.
    if path.exists() && !path.is_file() {
        bail!(
            "{at}: {} is not a file (a folder, a device or a pipe); name a CSV file of results",
            path.display()
        );
    }
    // `sweep export --format json` writes another shape than a table of results.
    let text = std::fs::read(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .with_context(|| at.clone())?;
    if text
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
    let table = trainer::results_table(&text, path).with_context(|| at.clone())?;
    match w.import_table(spec, &table) {
        Ok(taken) => Ok(Some(taken)),
        Err(why) => bail!("{}: {why} ({at})", path.display()),
    }
}
