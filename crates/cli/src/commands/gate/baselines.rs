//! The gate's baseline as the command handles it: read and checked before any training (or,
//! with `--update-baseline`, the file it replaces read and the path checked), and the new
//! baseline made from what the runs measured.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use experiment::{
    Baseline, BaselineMetric, BaselineMismatch, ExperimentSpec, GateSpec, Provenance, RecordedRun,
    Timestamp,
};
use store::RunRecord;

use super::repeat;
use super::runs::no_value;
use crate::args::GateArgs;
use crate::baseline;
use crate::commands::quoted;

/// Returns the baseline the gate compares with, read before training so that a bad file fails
/// in a second, not a minute; none with `--update-baseline`, which records a new one.
pub(super) fn recorded_baseline(
    args: &GateArgs,
    spec: &ExperimentSpec,
    gate: &GateSpec,
    shown: &str,
) -> anyhow::Result<Option<Baseline>> {
    if args.update_baseline {
        return Ok(None);
    }
    if !gate.baseline.value.exists() {
        bail!(
            "no baseline file {shown} (gate.baseline at {}); record one with \
             `sweep gate {} --update-baseline`",
            gate.baseline.location,
            quoted(&args.file)
        );
    }
    Ok(Some(checked_baseline(spec, gate, &args.file)?))
}

/// Returns, with `--update-baseline`, the baseline the new one replaces, read now, and checks
/// that the new one can be written: a file that is no baseline (the experiment file itself,
/// its data, after a typo in the path) is refused before any training rather than lost; a
/// baseline that reads keeps its parallelism, and what the new one does to the bar is said.
pub(super) fn replaced_baseline(
    args: &GateArgs,
    gate: &GateSpec,
    shown: &str,
) -> anyhow::Result<Option<Baseline>> {
    if !args.update_baseline {
        return Ok(None);
    }
    let replaced = match baseline::existing(&gate.baseline.value) {
        baseline::Existing::Nothing => None,
        baseline::Existing::Baseline(old) => Some(*old),
        baseline::Existing::Damaged(why) => {
            say!("note: replacing a damaged baseline: {why}");
            None
        }
        baseline::Existing::Other(why) => bail!(
            "gate.baseline at {} names {shown}, which is not a Sweep baseline, so \
             --update-baseline does not overwrite it: {why}; name another file in \
             gate.baseline, or delete {shown} first if it is to be replaced",
            gate.baseline.location
        ),
    };
    // A baseline that could not be written fails now, not after the training.
    let created = baseline::writable(&gate.baseline.value).with_context(|| {
        format!(
            "gate.baseline at {}: cannot write {shown}",
            gate.baseline.location
        )
    })?;
    if let Some(folder) = created {
        say!(
            "note: created folder {} for the baseline (gate.baseline at {}: a path in the \
             file is relative to the file's folder)",
            folder.display(),
            gate.baseline.location
        );
    }
    Ok(replaced)
}

/// Reads the baseline of the gate of `spec` (from the file `file`), and checks that it was
/// recorded for this experiment and records every guarded metric as the gate guards it, with
/// values the metric can take.
pub(crate) fn checked_baseline(
    spec: &ExperimentSpec,
    gate: &GateSpec,
    file: &Path,
) -> anyhow::Result<Baseline> {
    let shown = gate.baseline.value.display().to_string();
    let recorded = baseline::read(&gate.baseline.value)
        .with_context(|| format!("gate.baseline at {}", gate.baseline.location))?;
    // Whose baseline it is comes first: another experiment's is no baseline of this one, whatever
    // metrics it lacks.
    if recorded.experiment != spec.name {
        bail!(
            "{shown} was recorded for experiment `{}`, and {} is `{}`: is it the baseline of \
             another file? record this one's with `sweep gate {} --update-baseline` (gate.baseline \
             at {} names the file)",
            recorded.experiment,
            file.display(),
            spec.name,
            quoted(file),
            gate.baseline.location,
        );
    }
    gate.check_baseline(&recorded)
        .map_err(|e| mismatch(&shown, &e, file))?;
    Ok(recorded)
}

/// Returns the error for a baseline that does not match the gate.
pub(super) fn mismatch(shown: &str, e: &BaselineMismatch, file: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{shown}: {e}; record a new baseline with `sweep gate {} --update-baseline`",
        quoted(file)
    )
}

/// Returns the baseline recording `current`, or an error when a repeat has no value.
pub(super) fn new_baseline(
    spec: &ExperimentSpec,
    gate: &GateSpec,
    current: &BTreeMap<String, Vec<Option<f64>>>,
    record: &RunRecord,
    parallel: usize,
    now: Timestamp,
) -> anyhow::Result<Baseline> {
    let mut metrics = BTreeMap::new();
    let runs = usize::try_from(gate.repeats).unwrap_or(usize::MAX);
    for m in &gate.metrics {
        let values = current.get(&m.name).map(Vec::as_slice).unwrap_or_default();
        let mut recorded = Vec::with_capacity(values.len());
        // The runs are checked as they end (`gate`); this is the last word on it.
        for (r, value) in values.iter().enumerate() {
            match value {
                Some(x) if x.is_finite() => recorded.push(*x),
                _ => bail!(
                    "cannot record a baseline: {}",
                    no_value(
                        r,
                        runs,
                        &repeat(spec, u32::try_from(r).unwrap_or(u32::MAX)),
                        &m.name
                    )
                ),
            }
        }
        let metric = BaselineMetric {
            aggregate: m.aggregate,
            goal: m.goal,
            values: recorded,
        };
        metrics.insert(m.name.clone(), metric);
    }
    Ok(Baseline {
        experiment: spec.name.clone(),
        spec_hash: spec.hash(),
        metrics,
        provenance: Provenance {
            commit: record.git.as_ref().map(|g| g.commit.clone()),
            no_commit: match (&record.git, &record.no_commit) {
                (None, Some(why)) => Some(why.clone()),
                _ => None,
            },
            dirty: record.git.as_ref().map(|g| g.dirty),
            date: now,
            machine: format!("{}; {}", record.cpu, record.os),
            sweep_version: record.sweep_version.clone(),
        },
        run: Some(RecordedRun {
            parallel: u32::try_from(parallel).unwrap_or(u32::MAX),
            data_hash: record.data_hash.clone(),
            // Without its paths, which differ between checkouts (and would name this one's),
            // and the lines that change no value; in the run record's notation, which the gate
            // compares (the file adds the YAML's words beside it, for review).
            resolved_spec: experiment::gate_compared(&record.resolved_spec),
        }),
    })
}
