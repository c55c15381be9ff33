//! `sweep gate`: runs an experiment's gate and compares the guarded metrics with the baseline.
//!
//! Repeat `r` of a gate runs the experiment's configurations again with the experiment seed
//! `repeat_seed(seed, r)`, from which its trial seeds (weights, batch order, dropout) and, for
//! samplers that draw, its configurations derive. The data split stays the one of the file's own
//! seed: a different validation set per repeat would swamp the seed noise the gate measures with
//! the difficulty of the set (on the digits it made the spread of `val_loss` eight times larger).
//! Repeat 0 is the file as written and keeps the experiment's name; repeat `r > 0` is stored as
//! `NAME.rR`. Each repeat contributes one value per guarded metric: the aggregate of its best
//! trial's curve.
//!
//! The runs go to a temporary store unless `--store` names one, so a gate never adds to the
//! user's store by accident; a store that already holds one of the repeats is refused, because a
//! gate that resumed stored trials would not test the code being gated.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use experiment::{
    repeat_seed, Baseline, BaselineMetric, BaselineMismatch, ExperimentSpec, GateSpec, Provenance,
    RecordedRun, Timestamp, WarmStarted,
};
use runner::{Clock, StudyOptions};
use store::RunRecord;
use trainer::MlpObjective;

use super::{load_spec, open_store, quoted, StoreMode};
use crate::args::GateArgs;
use crate::clock::SystemClock;
use crate::output::{self, GateHeader, GateNote};
use crate::progress::ProgressObserver;
use crate::{baseline, interrupt, probe, Outcome};

pub(crate) fn gate(args: &GateArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    let Some(gate) = spec.gate.clone() else {
        bail!(
            "{} has no `gate:` block; add one naming the metrics to guard and the baseline file \
             (see experiments/README.md)",
            args.file.display()
        );
    };
    let shown = gate.baseline.value.display().to_string();
    let recorded = recorded_baseline(args, &spec, &gate, &shown)?;
    let replaced = replaced_baseline(args, &gate, &shown)?;
    if args.parallel == Some(0) {
        bail!("--parallel must be at least 1");
    }
    let parallel = gate_parallel(
        args.parallel,
        &spec,
        recorded.as_ref().or(replaced.as_ref()),
    );
    let store = match &args.store {
        Some(dir) => open_store(dir, StoreMode::Create)?,
        None => super::temporary_store().context("cannot create the gate's temporary store")?,
    };
    // One objective for every repeat: the data is split by the file's seed once. A store the
    // user keeps (`--store`) keeps each repeat's best checkpoints too, as a sweep's does.
    let mut objective = MlpObjective::new(&spec)?;
    let record = probe::run_record(&spec, &args.file, parallel)?;
    let interrupts = interrupt::watch(
        "the running trials stop after their current epoch, and the gate ends without a verdict",
    )?;
    let repeats: Vec<ExperimentSpec> = (0..gate.repeats).map(|r| repeat(&spec, r)).collect();
    refuse_held_repeats(args, &store, &repeats)?;
    let runs = Runs {
        args,
        spec: &spec,
        gate: &gate,
        shown: &shown,
        store: &store,
        record: &record,
        parallel,
        interrupts: &interrupts,
        warm_file: crate::warm_file::read(&spec)?,
        repeats,
    };
    let Some(measured) = runs.run(&mut objective)? else {
        return Ok(Outcome::Interrupted(interrupts.exit_code()));
    };
    match recorded {
        None => runs.write_baseline(&measured.current, replaced),
        Some(recorded) => runs.report(&recorded, measured),
    }
}

/// Returns the baseline the gate compares with, read before training so that a bad file fails
/// in a second, not a minute; none with `--update-baseline`, which records a new one.
fn recorded_baseline(
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
fn replaced_baseline(
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

/// Refuses a `--store` that already holds one of the `repeats`: a gate runs from scratch.
fn refuse_held_repeats(
    args: &GateArgs,
    store: &store::Store,
    repeats: &[ExperimentSpec],
) -> anyhow::Result<()> {
    let mut held: Vec<&str> = Vec::new();
    for spec_r in repeats {
        if store.experiment(&spec_r.name)?.is_some() {
            held.push(&spec_r.name);
        }
    }
    if let (Some(first), Some(dir)) = (held.first(), &args.store) {
        let names: Vec<String> = held.iter().map(|n| experiment::shell_quote(n)).collect();
        bail!(
            "the store already holds experiment `{first}`; a gate runs from scratch, so give it \
             a new --store, or none for a temporary one (the runs of a gate kept there, one \
             stopped part way too, go with `sweep rm {} --store {}`)",
            names.join(" "),
            quoted(dir)
        );
    }
    Ok(())
}

/// A gate's runs, one per repeat, and what running and judging them shares.
struct Runs<'a> {
    args: &'a GateArgs,
    spec: &'a ExperimentSpec,
    gate: &'a GateSpec,
    /// The baseline file, as messages name it.
    shown: &'a str,
    store: &'a store::Store,
    /// How this gate runs (`probe::run_record`), stored with each run and kept in a baseline.
    record: &'a RunRecord,
    /// The trials side by side (`gate_parallel`).
    parallel: usize,
    interrupts: &'a interrupt::Interrupts,
    /// The trials of a `warm_start: {csv: ..}` file, read once for every run.
    warm_file: Option<WarmStarted>,
    /// The spec of each run (`repeat`).
    repeats: Vec<ExperimentSpec>,
}

/// What a gate's runs measured.
struct Measured {
    /// Each guarded metric's value in each run, in run order (`None` for a run without one).
    current: BTreeMap<String, Vec<Option<f64>>>,
    /// What the report says of the runs beside its rows (also said as they happen).
    notes: Vec<GateNote>,
}

impl Runs<'_> {
    /// Runs every repeat in turn and returns what they measured; `None` when a signal stopped
    /// the gate (said).
    fn run(&self, objective: &mut MlpObjective) -> anyhow::Result<Option<Measured>> {
        let mut measured = Measured {
            current: BTreeMap::new(),
            notes: Vec::new(),
        };
        for (done, spec_r) in self.repeats.iter().enumerate() {
            let summary = self.study(objective, spec_r)?;
            if summary.interrupted {
                say!(
                    "gate stopped in run {} of {}: no verdict, and no baseline written",
                    done + 1,
                    self.repeats.len()
                );
                return Ok(None);
            }
            if summary.best.is_none() {
                measured.notes.push(self.no_best(done, spec_r)?);
            }
            for m in &self.gate.metrics {
                let value = match &summary.best {
                    Some(best) => {
                        let curve = self.store.metric_series(&spec_r.name, best.id, &m.name)?;
                        let values: Vec<f64> = curve.into_iter().map(|(_, v)| v).collect();
                        m.aggregate.of(&values, m.goal)
                    }
                    None => None,
                };
                if self.args.update_baseline && !value.is_some_and(f64::is_finite) {
                    bail!(
                        "cannot record a baseline: {}",
                        no_value(done, self.repeats.len(), spec_r, &m.name)
                    );
                }
                measured
                    .current
                    .entry(m.name.clone())
                    .or_default()
                    .push(value);
            }
        }
        Ok(Some(measured))
    }

    /// Runs the study of the repeat `spec_r` and returns its summary; the database's own I/O
    /// error names the temporary store it happened in.
    fn study(
        &self,
        objective: &mut MlpObjective,
        spec_r: &ExperimentSpec,
    ) -> anyhow::Result<runner::StudySummary> {
        let (args, store) = (self.args, self.store);
        let observer = ProgressObserver::new(spec_r);
        let options = StudyOptions {
            spec_path: args.file.display().to_string(),
            parallel: self.parallel,
            run_cap: None,
            extend: None,
            record: Some(self.record.clone()),
            stop: self.interrupts.stop.clone(),
            agent: None,
            warm_file: self.warm_file.clone(),
        };
        if let Some(dir) = &args.store {
            objective.keep_checkpoints_in(
                self.spec,
                &store::checkpoint_dir(dir, &spec_r.name),
                None,
            )?;
        }
        let summary = runner::run_study(
            store,
            spec_r,
            &*objective,
            &observer,
            &SystemClock,
            &options,
        );
        observer.finish();
        Ok(match (summary, store.scratch_folder()) {
            // The database's own I/O error names no file: where the temporary store is, and
            // how to put it elsewhere, are said here.
            (Err(runner::Error::Store(io @ store::Error::Io(_))), Some(folder)) => bail!(
                "{io} (the gate's temporary store, in {}); set TMPDIR to a folder with room \
                 (without it, temporary stores go to memory, /dev/shm, where there is one), or \
                 give the gate a store with --store DIR",
                folder.display()
            ),
            (summary, _) => summary?,
        })
    }

    /// Says that run `done`, of `spec_r`, has no completed trial to take values from, and
    /// returns the note for the report; refused when recording a baseline, which cannot be
    /// recorded without this run's values.
    fn no_best(&self, done: usize, spec_r: &ExperimentSpec) -> anyhow::Result<GateNote> {
        let args = self.args;
        let (meeting, or_broke) = match spec_r.constraints.is_empty() {
            true => ("", ""),
            false => (" that meets the constraints", ", broke a constraint,"),
        };
        let why = match &args.store {
            Some(dir) => format!(
                "; `sweep show {} --store {}` says why",
                experiment::shell_quote(&spec_r.name),
                quoted(dir)
            ),
            None => "; run it into a store (--store DIR) to see why".to_string(),
        };
        // A baseline cannot be recorded without this run's values: said now, rather than
        // after the remaining runs train for nothing. A gate goes on, and reports `-`.
        if args.update_baseline {
            bail!(
                "cannot record a baseline: {} has no completed trial{meeting}, so it has no \
                 value of the guarded metrics: every trial failed{or_broke} or was \
                 pruned{why}",
                run_name(done, self.repeats.len(), &spec_r.name)
            );
        }
        let note = format!(
            "note: {} has no completed trial{meeting}, so it has no value of the guarded \
             metrics (`-` below): every trial failed{or_broke} or was pruned{why}",
            run_name(done, self.repeats.len(), &spec_r.name)
        );
        say!("{note}");
        Ok(GateNote::line(note))
    }

    /// Writes the baseline of the values `current` and prints what it holds, saying where it
    /// lowers the bar of the baseline it `replaced`.
    fn write_baseline(
        &self,
        current: &BTreeMap<String, Vec<Option<f64>>>,
        replaced: Option<Baseline>,
    ) -> anyhow::Result<Outcome> {
        let (spec, gate) = (self.spec, self.gate);
        let mut out = std::io::stdout().lock();
        let new = new_baseline(
            spec,
            gate,
            current,
            self.record,
            self.parallel,
            SystemClock.now(),
        )?;
        // A baseline replaced by worse values lowers the bar: said, not refused (a model
        // may trade a metric away on purpose).
        baseline::write(&gate.baseline.value, &new)?;
        let mut notes = Vec::new();
        if let Some(old) = replaced.filter(|old| old.experiment == spec.name) {
            if let Ok(report) = gate.evaluate(&old, current) {
                let worse: Vec<&str> = report.regressions().map(|r| r.metric.as_str()).collect();
                if !worse.is_empty() {
                    notes.push(GateNote::line(format!(
                        "note: under the baseline it replaces, this run fails the gate ({}): \
                         the new baseline lowers the bar",
                        worse.join(", ")
                    )));
                }
            }
        }
        let guarded: Vec<&str> = gate.metrics.iter().map(|m| m.name.as_str()).collect();
        output::baseline_written(
            &mut out,
            self.args.format,
            self.shown,
            &new,
            &guarded,
            &notes,
        )?;
        out.flush()?;
        Ok(Outcome::Success)
    }

    /// Compares what the runs `measured` with the baseline `recorded`, prints the gate's
    /// report, and returns whether it passed.
    fn report(&self, recorded: &Baseline, measured: Measured) -> anyhow::Result<Outcome> {
        let (args, spec, gate) = (self.args, self.spec, self.gate);
        let mut out = std::io::stdout().lock();
        let report = gate
            .evaluate(recorded, &measured.current)
            .map_err(|e| mismatch(self.shown, &e, &args.file))?;
        let mut notes = changes_since(recorded, spec, self.record, self.parallel);
        // As the notes say: comments and layout are no change.
        let spec_changed = notes
            .iter()
            .any(|n| n.line.starts_with(output::SPEC_CHANGED));
        notes.extend(measured.notes);
        let file = args.file.display().to_string();
        let header = GateHeader {
            experiment: &spec.name,
            file: &file,
            baseline_file: self.shown,
            baseline: recorded,
            repeats: gate.repeats,
            noise_k: gate.noise_k,
            spec_changed,
            notes,
            current: self.record,
        };
        output::gate_report(&mut out, args.format, &header, &report)?;
        out.flush()?;
        Ok(if report.passed() {
            Outcome::Success
        } else {
            Outcome::GateRegressed
        })
    }
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

/// Returns the trials a gate runs side by side: `flag`'s (`--parallel`), else the file's, else
/// as `baseline` ran, else one per core. A sampler that learns draws other configurations side
/// by side, so the machine's cores alone would make the values depend on the machine.
pub(crate) fn gate_parallel(
    flag: Option<u32>,
    spec: &ExperimentSpec,
    baseline: Option<&Baseline>,
) -> usize {
    let recorded = baseline.and_then(|b| b.run.as_ref()).map(|r| r.parallel);
    flag.or(spec.parallel)
        .or(recorded)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or_else(probe::cores)
}

/// Returns what changed since the baseline was recorded, for the report's notes: the settings
/// of the file (its resolved lines but the paths, as a diff; comments and layout are no
/// change), the data (by its hash), the trials side by side when the sampler's choices depend on
/// them, and the metrics it records that the gate no longer guards. A baseline written before it
/// recorded how its runs ran is compared by the file's text only.
pub(crate) fn changes_since(
    recorded: &Baseline,
    spec: &ExperimentSpec,
    record: &RunRecord,
    parallel: usize,
) -> Vec<GateNote> {
    let mut notes = Vec::new();
    let Some(run) = &recorded.run else {
        if recorded.spec_hash != spec.hash() {
            notes.push(GateNote::line(output::SPEC_CHANGED.to_string()));
        }
        return notes;
    };
    let (then, now) = (
        experiment::gate_compared(&run.resolved_spec),
        experiment::gate_compared(&record.resolved_spec),
    );
    if then != now {
        notes.push(GateNote {
            line: format!(
                "{}: its settings, defaults filled in, then (-) and now (+):",
                output::SPEC_CHANGED
            ),
            detail: Some(output::line_diff(
                &output::readable_settings(&then),
                &output::readable_settings(&now),
            )),
        });
    }
    if run.data_hash != record.data_hash {
        let short = |h: &str| {
            h.lines()
                .map(|l| l.get(..12).unwrap_or(l))
                .collect::<Vec<_>>()
                .join(", ")
        };
        notes.push(GateNote::line(format!(
            "note: the data changed since the baseline was recorded: sha256 {} then, {} now",
            short(&run.data_hash),
            short(&record.data_hash)
        )));
    }
    let parallel = u32::try_from(parallel).unwrap_or(u32::MAX);
    if run.parallel != parallel && spec.results_depend_on_parallel() {
        notes.push(GateNote::line(format!(
            "note: this gate ran {} and the baseline {}: with `method: {}` the trials' \
             configurations depend on it, so the values may differ for that alone; write \
             `parallel: {}` in the file",
            output::trials_at_once(parallel),
            output::trials_at_once(run.parallel),
            spec.method.name(),
            run.parallel
        )));
    }
    if let Some(gate) = &spec.gate {
        let unguarded: Vec<&str> = recorded
            .metrics
            .keys()
            .filter(|name| gate.metrics.iter().all(|m| &m.name != *name))
            .map(String::as_str)
            .collect();
        if !unguarded.is_empty() {
            notes.push(GateNote::line(format!(
                "note: the baseline also records {}, which the gate no longer guards",
                unguarded.join(", ")
            )));
        }
    }
    notes
}

/// Returns the error for a baseline that does not match the gate.
fn mismatch(shown: &str, e: &BaselineMismatch, file: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{shown}: {e}; record a new baseline with `sweep gate {} --update-baseline`",
        quoted(file)
    )
}

/// Returns how the gate names its run `done` (from 0) of `runs`: "run 1 of 3 (`NAME`)".
fn run_name(done: usize, runs: usize, name: &str) -> String {
    format!("run {} of {runs} (`{name}`)", done + 1)
}

/// Returns why run `done` of `runs`, which ran `spec_r`, gives no value of `metric` that a
/// baseline can record: its best trial's curve has none, or only one that is not finite.
fn no_value(done: usize, runs: usize, spec_r: &ExperimentSpec, metric: &str) -> String {
    format!(
        "{} has no finite value of `{metric}` in its best trial (a diverged run gives NaN or \
         inf)",
        run_name(done, runs, &spec_r.name)
    )
}

/// Returns the spec the study loop runs for repeat `r`: its own seed (for the trial seeds and
/// the sampler), and for `r > 0` its own name.
fn repeat(spec: &ExperimentSpec, r: u32) -> ExperimentSpec {
    let mut spec_r = spec.clone();
    spec_r.seed = repeat_seed(spec.seed, r);
    if r > 0 {
        spec_r.name = format!("{}.r{r}", spec.name);
    }
    spec_r
}

/// Returns the baseline recording `current`, or an error when a repeat has no value.
fn new_baseline(
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
            // Kept in words, as the reports say it: `experiment` knows no store.
            no_commit: match (&record.git, &record.no_commit) {
                (None, Some(why)) => Some(why.to_string()),
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
            // Without its paths, which differ between checkouts (and would name this one's).
            resolved_spec: experiment::gate_compared(&record.resolved_spec),
        }),
    })
}
