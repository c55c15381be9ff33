//! A gate's runs: each repeat run in turn into the store, the guarded metrics taken from its
//! best trial, then the report against the baseline, or the new baseline written.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::bail;
use experiment::{Baseline, ExperimentSpec, GateSpec};
use runner::{Clock, StudyOptions, WarmFile};
use store::RunRecord;
use trainer::MlpObjective;

use super::baselines::{mismatch, new_baseline};
use super::changes_since;
use crate::args::GateArgs;
use crate::clock::SystemClock;
use crate::commands::quoted;
use crate::output::{self, GateHeader, GateNote};
use crate::progress::ProgressObserver;
use crate::{baseline, interrupt, Outcome};

/// A gate's runs, one per repeat, and what running and judging them shares.
pub(super) struct Runs<'a> {
    pub(super) args: &'a GateArgs,
    pub(super) spec: &'a ExperimentSpec,
    pub(super) gate: &'a GateSpec,
    /// The baseline file, as messages name it.
    pub(super) shown: &'a str,
    pub(super) store: &'a store::Store,
    /// How this gate runs (`probe::run_record`), stored with each run and kept in a baseline.
    pub(super) record: &'a RunRecord,
    /// The trials side by side (`gate_parallel`).
    pub(super) parallel: usize,
    pub(super) interrupts: &'a interrupt::Interrupts,
    /// A `warm_start: {csv: ..}` file's trials and the digest of its bytes, read once for
    /// every run.
    pub(super) warm_file: Option<WarmFile>,
    /// The spec of each run (`repeat`).
    pub(super) repeats: Vec<ExperimentSpec>,
}

/// What a gate's runs measured.
pub(super) struct Measured {
    /// Each guarded metric's value in each run, in run order (`None` for a run without one).
    pub(super) current: BTreeMap<String, Vec<Option<f64>>>,
    /// What the report says of the runs beside its rows (also said as they happen).
    notes: Vec<GateNote>,
}

impl Runs<'_> {
    /// Runs every repeat in turn and returns what they measured; `None` when a signal stopped
    /// the gate (said).
    pub(super) fn run(&self, objective: &mut MlpObjective) -> anyhow::Result<Option<Measured>> {
        self.each_run(|spec_r| self.study(objective, spec_r))
    }

    /// Runs every repeat in turn with `study`, which runs the study of one, and returns what
    /// they measured; `None` when a signal stopped the gate (said, naming the run it came in),
    /// after which no further run starts.
    fn each_run(
        &self,
        mut study: impl FnMut(&ExperimentSpec) -> anyhow::Result<runner::StudySummary>,
    ) -> anyhow::Result<Option<Measured>> {
        let mut measured = Measured {
            current: BTreeMap::new(),
            notes: Vec::new(),
        };
        let runs = self.repeats.len();
        for (done, spec_r) in self.repeats.iter().enumerate() {
            // A stop that came after the last run's check (as its curves were read) starts no
            // further run, which would start no trial and be named instead.
            if self.interrupts.stop.requested() {
                let when = match done {
                    0 => "before its first run".to_string(),
                    _ => format!("after run {done} of {runs}"),
                };
                return Ok(stopped(&when));
            }
            let summary = study(spec_r)?;
            // A stop that came as every running trial reported its last epoch keeps them all
            // (`runner::Stop::request`): with none left to start, the study ends finished, not
            // interrupted. The request, not the summary, says that the gate was stopped.
            if summary.interrupted || self.interrupts.stop.requested() {
                return Ok(stopped(&stopped_when(&summary, done, runs)));
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
        // Nor does a stop that came as the last run's values were read get a verdict.
        if self.interrupts.stop.requested() {
            return Ok(stopped(&format!("after run {runs} of {runs}")));
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
    pub(super) fn write_baseline(
        &self,
        current: &BTreeMap<String, Vec<Option<f64>>>,
        replaced: Option<Baseline>,
    ) -> anyhow::Result<Outcome> {
        let (spec, gate) = (self.spec, self.gate);
        let mut out = crate::standard_output::lock();
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
    pub(super) fn report(
        &self,
        recorded: &Baseline,
        measured: Measured,
    ) -> anyhow::Result<Outcome> {
        let (args, spec, gate) = (self.args, self.spec, self.gate);
        let mut out = crate::standard_output::lock();
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

/// Returns how the gate names its run `done` (from 0) of `runs`: "run 1 of 3 (`NAME`)".
fn run_name(done: usize, runs: usize, name: &str) -> String {
    format!("run {} of {runs} (`{name}`)", done + 1)
}

/// Returns why run `done` of `runs`, which ran `spec_r`, gives no value of `metric` that a
/// baseline can record: its best trial's curve has none, or only one that is not finite.
pub(super) fn no_value(done: usize, runs: usize, spec_r: &ExperimentSpec, metric: &str) -> String {
    format!(
        "{} has no finite value of `{metric}` in its best trial (a diverged run gives NaN or \
         inf)",
        run_name(done, runs, &spec_r.name)
    )
}

/// Returns when a stop that ended run `done` (from 0) of `runs`, whose study is `summary`,
/// came: in that run; or, where the run holds no trial (none began), after the run before it (or before
/// the first), since the request landed just after the check between the runs (the signal's
/// thread says "stopping" before it requests) and the run it names must be one that ran.
fn stopped_when(summary: &runner::StudySummary, done: usize, runs: usize) -> String {
    // A run's experiment holds a trial once a worker began it; a trial a stop cut off is back
    // in the queue (no start), but held.
    match (summary.trials.is_empty(), done) {
        (true, 0) => "before its first run".to_string(),
        (true, _) => format!("after run {done} of {runs}"),
        (false, _) => format!("in run {} of {runs}", done + 1),
    }
}

/// Says that a signal stopped the gate `when` (`before its first run`, `in run 2 of 3`, ...),
/// and returns `None`, what `each_run` returns then: no verdict, and no baseline written.
fn stopped(when: &str) -> Option<Measured> {
    say!("gate stopped {when}: no verdict, and no baseline written");
    None
}

#[cfg(test)]
#[path = "runs_tests.rs"]
mod tests;
