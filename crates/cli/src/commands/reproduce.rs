//! `sweep reproduce EXPERIMENT/NUMBER`: re-runs one stored trial from the experiment's record and
//! compares every metric, epoch by epoch, bit for bit.
//!
//! The store is only read, and closed before training starts, so the lock is held for a moment.
//! The trial runs in this process through the same `MlpObjective` as `sweep run`, with the stored
//! parameters and seed and the stored spec text parsed again as if at its recorded absolute path
//! (so relative data paths resolve as they did; where that path was not UTF-8, in the folder
//! found again that holds the data the run read, `probe::recorded_spec`). The data files' hashes
//! are checked first: a changed dataset is reported as such, not as a mysterious difference.
//! Each data file is read where the record says the run read it, or where `--data PATH` names
//! a file that holds the same bytes (its folder moved or renamed since; `probe::GivenData`):
//! a file gone says so and how to name it, and a given file of other bytes is refused. A
//! recorded file gone that no `--data` names is read where the experiment was last run from
//! (a resume from a folder moved since, whose spec's absolute path the store keeps) when a file
//! there holds the same bytes (`probe::GivenData::last_run_of`). The header names each file read
//! elsewhere than the record says (`probe::read_elsewhere`).
//! `epoch_seconds`, wall time, is not compared.
//! A trial that was pruned is stopped at the epoch it was pruned at, as the pruner (which judged
//! it against other trials) is not consulted.
//!
//! On the CPU the verdict is bit for bit. A trial that trained on a GPU (device `cuda`, or `auto`
//! on a CUDA build) is compared with a relative tolerance of `GPU_TOLERANCE` instead, since GPU
//! kernels need not add in the same order twice; the verdict then says so.
//!
//! A trial that reproduces and whose stored checkpoint is missing or damaged gets it written
//! again from the reproduction (`checkpoint_again`), so that `sweep predict`, which sends the
//! user here for a damaged checkpoint, works afterwards.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{bail, Context};
use experiment::{
    Control, MetricPoint, Objective, Reporter, Step, TrialContext, TrialId, TrialOutcome,
    TrialState, WALL_TIME_METRIC,
};
use trainer::MlpObjective;

use super::checkpoint_again::{self, Found, Scratch};
use super::{find_experiment, open_store, parse_trial, StoreMode};
use crate::args::ReproduceArgs;
use crate::{output, probe, Outcome};

/// Metric curves by name, each in step order.
type Curves = BTreeMap<String, Vec<(Step, f64)>>;

/// The relative difference tolerated when the trial may have trained on a GPU.
const GPU_TOLERANCE: f64 = 1e-4;

/// The first place where two runs of a trial differ.
#[derive(Debug, Clone, PartialEq)]
struct Difference {
    metric: String,
    step: Step,
    stored: Option<f64>,
    now: Option<f64>,
}

/// Collects a trial's reports in memory; stops it after `stop_after` when set.
#[derive(Debug, Default)]
struct Collector {
    curves: Curves,
    stop_after: Option<Step>,
}

impl Reporter for Collector {
    fn report(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
        for p in metrics {
            self.curves
                .entry(p.name.clone())
                .or_default()
                .push((step, p.value));
        }
        match self.stop_after {
            Some(last) if step >= last => Control::Prune,
            _ => Control::Continue,
        }
    }
}

pub(crate) fn reproduce(args: &ReproduceArgs) -> anyhow::Result<Outcome> {
    let (name, number) = parse_trial(&args.trial)?;
    let (info, trial, record, stored) = {
        let store = open_store(&args.store.store, StoreMode::Existing)?;
        let info = find_experiment(&store, name)?;
        let trial = store
            .trial(&info.name, TrialId(number))?
            .with_context(|| format!("experiment `{name}` has no trial {number}"))?;
        let record = store.run_record(&info.name)?;
        let stored = store.all_metric_series(&info.name, trial.id)?;
        (info, trial, record, stored)
    };
    let Some(record) = record else {
        bail!(
            "experiment `{name}` has no reproducibility record (it was run by a Sweep from \
             before records); run it again to get one"
        );
    };
    if !trial.state.is_finished() {
        // This process holds the store, so no sweep is running the trial: it was interrupted.
        bail!(
            "trial {name}/{number} did not finish (its sweep stopped before it did); only a \
             finished trial can be reproduced, and running the experiment's file again finishes it"
        );
    }
    // The data split comes from the text's seed and the trial's draws from its stored seed; the
    // experiment's own seed is neither for a gate repeat, so it is not used here. The record
    // keeps paths as text: a folder that was not UTF-8 is found again on disk, and the data
    // files read are the spec's, resolved from there, each written as the record writes it and
    // holding the bytes the run read.
    let given = probe::GivenData::matched(&args.data, &record)?;
    let last_run = probe::GivenData::last_run_of(&info, &record);
    let spec = probe::recorded_spec(&info.spec_yaml, &record, &given, &last_run)?;

    let mut out = crate::standard_output::lock();
    for note in notes(&record, &spec) {
        writeln!(out, "note: {}", output::visible(&note))?;
    }
    let last_step = stored
        .values()
        .filter_map(|c| c.last())
        .map(|(s, _)| *s)
        .max();
    let mut collector = Collector {
        curves: Curves::new(),
        stop_after: last_step.filter(|_| trial.state == TrialState::Pruned),
    };
    writeln!(
        out,
        "reproducing trial {name}/{number} (seed {}) from its stored record of {}",
        trial.seed,
        output::visible(&record.spec_file)
    )?;
    for line in probe::read_elsewhere(&record, &spec) {
        writeln!(out, "{}", output::visible(&line))?;
    }
    out.flush()?;
    let checkpoints = store::checkpoint_dir(&args.store.store, &info.name);
    let found = checkpoint_again::inspect(&checkpoints, trial.id);
    let (objective, scratch) = if found != Found::Usable && spec.checkpoints.keep > 0 {
        let scratch = Scratch::create(&checkpoints, trial.id)?;
        // In an agent's store, ranked among that agent's own trials as `sweep run` ranks them
        // (a checkpoint handed over by another agent is not one of its kept ones).
        let agent = record.agent.as_ref().map(|a| (a.agent, a.agents));
        let objective = MlpObjective::with_checkpoints(&spec, scratch.path(), agent)?;
        (objective, Some(scratch))
    } else {
        (MlpObjective::new(&spec)?, None)
    };
    let ctx = TrialContext {
        trial: trial.id,
        seed: trial.seed,
        params: &trial.params,
    };
    let outcome = objective.run(&ctx, &mut collector);
    let (state_now, failure) = match outcome {
        TrialOutcome::Completed { .. } => (TrialState::Completed, None),
        TrialOutcome::Pruned { .. } => (TrialState::Pruned, None),
        TrialOutcome::Failed { reason } => (TrialState::Failed, Some(reason)),
        TrialOutcome::Aborted { reason } => bail!("cannot run trial {}: {reason}", trial.id),
    };
    let tolerance = if record.device == "cpu" {
        0.0
    } else {
        GPU_TOLERANCE
    };
    if let Some(d) = first_difference(&stored, &collector.curves, tolerance) {
        let value = |v: Option<f64>| v.map_or("nothing".to_string(), |x| format!("{x:?}"));
        writeln!(
            out,
            "differs: {} at epoch {}: stored {}, now {}",
            output::visible(&d.metric),
            d.step,
            value(d.stored),
            value(d.now)
        )?;
        return Ok(Outcome::NotReproduced);
    }
    if state_now != trial.state {
        writeln!(
            out,
            "differs: every metric matches, but the trial ended {} then and {state_now} now",
            trial.state
        )?;
        return Ok(Outcome::NotReproduced);
    }
    // A failed trial is reproduced when it fails again the same way, its curves (often none)
    // equal up to there.
    let failed_as = match (failure, trial.reason.as_deref()) {
        (Some(now), Some(then)) if now != then => {
            writeln!(
                out,
                "differs: the trial failed then ({}) and fails otherwise now ({})",
                output::visible(then),
                output::visible(&now)
            )?;
            return Ok(Outcome::NotReproduced);
        }
        (now, _) => now,
    };
    let compared = stored.keys().filter(|m| *m != WALL_TIME_METRIC).count();
    let epochs = last_step.map_or(0, |s| s.0);
    let bit_for_bit = first_difference(&stored, &collector.curves, 0.0).is_none();
    let written = match scratch {
        Some(scratch) if scratch.commit()? => {
            format!("; its checkpoint, {}, was written again", found.as_str())
        }
        _ => String::new(),
    };
    if bit_for_bit {
        writeln!(
            out,
            "{}{written}",
            identical(failed_as.as_deref(), compared, epochs)
        )?;
    } else {
        writeln!(
            out,
            "equal within {GPU_TOLERANCE:e} relative: {} on device {} \
             (GPU kernels need not be bit for bit){written}",
            over(compared, epochs),
            record.device
        )?;
    }
    Ok(Outcome::Success)
}

/// Returns "N metrics over M epochs", of `compared` metrics and `epochs` epochs.
fn over(compared: usize, epochs: u32) -> String {
    let compared = u64::try_from(compared).unwrap_or(u64::MAX);
    format!(
        "{} over {}",
        experiment::counted(compared, "metric", "metrics"),
        experiment::counted(epochs, "epoch", "epochs")
    )
}

/// Returns the verdict on a trial that reproduced bit for bit: `compared` metrics over `epochs`
/// epochs, having failed again with the reason `failed` where it failed. A trial that failed
/// before reporting any epoch has nothing compared, and only failed again alike.
fn identical(failed: Option<&str>, compared: usize, epochs: u32) -> String {
    let failed_as = failed.map(|why| format!("failed again as then ({})", output::visible(why)));
    match failed_as {
        Some(failed_as) if compared == 0 || epochs == 0 => format!("identical: {failed_as}"),
        failed_as => format!(
            "identical: {}{}, bit for bit ({WALL_TIME_METRIC}, wall time, not compared)",
            failed_as.map_or_else(String::new, |f| format!("{f}; ")),
            over(compared, epochs)
        ),
    }
}

/// Returns the earliest epoch, and at it the first metric by name, where the curves differ;
/// values are equal when their bits are (any NaN equals any NaN) or, with a `tolerance` above 0,
/// when they differ by at most `tolerance` times the larger magnitude. Wall time is skipped.
fn first_difference(stored: &Curves, now: &Curves, tolerance: f64) -> Option<Difference> {
    let at = |curves: &Curves, metric: &str, step: Step| {
        curves
            .get(metric)?
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, v)| *v)
    };
    let metrics: std::collections::BTreeSet<&str> = stored
        .keys()
        .chain(now.keys())
        .map(String::as_str)
        .filter(|m| *m != WALL_TIME_METRIC)
        .collect();
    let steps: std::collections::BTreeSet<Step> = [stored, now]
        .into_iter()
        .flat_map(|c| c.iter())
        .filter(|(m, _)| metrics.contains(m.as_str()))
        .flat_map(|(_, points)| points.iter().map(|(s, _)| *s))
        .collect();
    for step in steps {
        for metric in &metrics {
            let (a, b) = (at(stored, metric, step), at(now, metric, step));
            let same = match (a, b) {
                (Some(x), Some(y)) => {
                    x.to_bits() == y.to_bits()
                        || (x.is_nan() && y.is_nan())
                        || (tolerance > 0.0 && (x - y).abs() <= tolerance * x.abs().max(y.abs()))
                }
                (None, None) => true,
                _ => false,
            };
            if !same {
                return Some(Difference {
                    metric: metric.to_string(),
                    step,
                    stored: a,
                    now: b,
                });
            }
        }
    }
    None
}

/// Returns what differs between the run's setting and this one, to explain a difference.
fn notes(record: &store::RunRecord, spec: &experiment::ExperimentSpec) -> Vec<String> {
    let mut notes = Vec::new();
    let machine = probe::machine();
    notes.extend(probe::build_difference(
        &record.sweep_version,
        probe::sweep_version(),
    ));
    let pairs = [
        ("engine", record.engine.as_str(), trainer::ENGINE),
        ("device", record.device.as_str(), trainer::DEVICE),
        ("CPU", record.cpu.as_str(), machine.cpu.as_str()),
        ("OS", record.os.as_str(), machine.os.as_str()),
    ];
    for (what, then, now) in pairs {
        if then != now {
            notes.push(format!(
                "the run used {what} `{then}`; this one uses `{now}`"
            ));
        }
    }
    // A record of an earlier version may hold the same meaning in another text (positions in
    // the spec file it wrote beside a data or warm-start path): `resolves_as` says so.
    if spec.resolved_hash() != record.resolved_spec_hash
        && !spec.resolves_as(&record.resolved_spec, &spec.resolved())
    {
        notes.push(
            "this sweep resolves the spec differently from the one that ran it (a default may \
             have changed); `sweep show EXPERIMENT --record` prints what it ran with"
                .to_string(),
        );
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_of_the_same_meaning_in_another_text_is_no_difference() {
        let text = "name: e\nseed: 7\ndata: {csv: d.csv, target: y}\nmetric: {name: val_accuracy, goal: maximize}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";
        let spec = experiment::ExperimentSpec::from_yaml_str(text, std::path::Path::new("e.yaml"))
            .expect("a valid spec");
        let differently = |record: &store::RunRecord| {
            notes(record, &spec)
                .iter()
                .any(|n| n.contains("resolves the spec differently"))
        };
        let same = store::RunRecord {
            resolved_spec: spec.resolved(),
            resolved_spec_hash: spec.resolved_hash(),
            engine: trainer::ENGINE.to_string(),
            device: trainer::DEVICE.to_string(),
            ..store::RunRecord::default()
        };
        assert!(!differently(&same));
        // Another hash of the same meaning, as a record of an earlier version holds.
        let earlier = store::RunRecord {
            resolved_spec_hash: "ab".repeat(32),
            ..same.clone()
        };
        assert!(!differently(&earlier));
        let other = store::RunRecord {
            resolved_spec: spec.resolved().replace("seed: 7", "seed: 8"),
            resolved_spec_hash: "ab".repeat(32),
            ..same
        };
        assert!(differently(&other));
    }

    fn curves(points: &[(&str, u32, f64)]) -> Curves {
        let mut c = Curves::new();
        for (m, s, v) in points {
            c.entry(m.to_string()).or_default().push((Step(*s), *v));
        }
        c
    }

    #[test]
    fn the_first_difference_is_the_earliest_epoch_then_the_first_metric() {
        let stored = curves(&[
            ("a", 1, 0.5),
            ("a", 2, 0.25),
            ("b", 1, f64::NAN),
            ("b", 2, 1.0),
            ("epoch_seconds", 1, 0.1),
        ]);
        type Points<'a> = &'a [(&'a str, u32, f64)];
        let cases: &[(Points<'_>, Option<(&str, u32)>)] = &[
            // The same bits, NaN included; wall time is not compared.
            (
                &[
                    ("a", 1, 0.5),
                    ("a", 2, 0.25),
                    ("b", 1, f64::NAN),
                    ("b", 2, 1.0),
                    ("epoch_seconds", 1, 9.0),
                ],
                None,
            ),
            // One bit off at epoch 2 of `a`, and `b` at epoch 2 too: `a` is first by name.
            (
                &[
                    ("a", 1, 0.5),
                    ("a", 2, f64::from_bits(0.25f64.to_bits() + 1)),
                    ("b", 1, f64::NAN),
                    ("b", 2, 2.0),
                ],
                Some(("a", 2)),
            ),
            // An earlier epoch wins over an earlier name.
            (
                &[("a", 1, 0.5), ("a", 2, 0.3), ("b", 1, 0.0), ("b", 2, 1.0)],
                Some(("b", 1)),
            ),
            // A missing epoch, and an extra metric, are differences.
            (
                &[("a", 1, 0.5), ("b", 1, f64::NAN), ("b", 2, 1.0)],
                Some(("a", 2)),
            ),
            (
                &[
                    ("a", 1, 0.5),
                    ("a", 2, 0.25),
                    ("b", 1, f64::NAN),
                    ("b", 2, 1.0),
                    ("c", 3, 0.0),
                ],
                Some(("c", 3)),
            ),
        ];
        for (now, want) in cases {
            let got = first_difference(&stored, &curves(now), 0.0);
            let got = got.as_ref().map(|d| (d.metric.as_str(), d.step.0));
            assert_eq!(got, *want, "{now:?}");
        }
        // A GPU's tolerance lets rounding through, not a real change.
        let close = curves(&[
            ("a", 1, 0.5 * (1.0 + 1e-6)),
            ("a", 2, 0.25),
            ("b", 1, f64::NAN),
            ("b", 2, 1.0),
        ]);
        assert_eq!(first_difference(&stored, &close, 1e-4), None);
        assert!(first_difference(&stored, &close, 0.0).is_some());
        let far = curves(&[
            ("a", 1, 0.6),
            ("a", 2, 0.25),
            ("b", 1, f64::NAN),
            ("b", 2, 1.0),
        ]);
        assert!(first_difference(&stored, &far, 1e-4).is_some());
    }

    #[test]
    fn a_trial_that_failed_before_any_epoch_only_failed_again_alike() {
        assert_eq!(
            identical(Some("diverged before epoch 1"), 0, 0),
            "identical: failed again as then (diverged before epoch 1)"
        );
        assert_eq!(
            identical(Some("diverged at epoch 3"), 4, 2),
            "identical: failed again as then (diverged at epoch 3); 4 metrics over 2 epochs, bit \
             for bit (epoch_seconds, wall time, not compared)"
        );
        assert_eq!(
            identical(None, 1, 1),
            "identical: 1 metric over 1 epoch, bit for bit (epoch_seconds, wall time, not \
             compared)"
        );
    }

    #[test]
    fn trials_are_named_experiment_slash_number() {
        assert_eq!(parse_trial("quickstart/3").unwrap(), ("quickstart", 3));
        assert_eq!(parse_trial("a.b-c/0").unwrap(), ("a.b-c", 0));
        for bad in ["quickstart", "quickstart/", "/3", "quickstart/x", "q/-1"] {
            let err = parse_trial(bad).unwrap_err().to_string();
            assert!(err.contains("EXPERIMENT/NUMBER"), "{bad}: {err}");
        }
    }
}
