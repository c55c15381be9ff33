//! Tests of a gate stopped by a signal (`Stop::request`, as the first Ctrl-C or SIGTERM asks):
//! it ends without a verdict or a baseline in the run the stop came in, also where the stop
//! kept every running trial (each at its last epoch's report), which leaves that run's study
//! finished rather than interrupted.

use std::path::PathBuf;

use experiment::{
    Control, ExperimentSpec, MetricPoint, Objective, Reporter, Step, TrialContext, TrialId,
    TrialOutcome, TrialResult,
};
use runner::{Observer, Stop, StudyOptions, StudySummary};
use store::{RunRecord, Store};

use super::Runs;
use crate::args::{GateArgs, GateFormat};
use crate::clock::SystemClock;
use crate::interrupt::Interrupts;

/// A gate of one trial a run, of one epoch: its only report is its last.
fn gate_spec(repeats: u32) -> ExperimentSpec {
    let text = format!(
        "name: stopgate\nmetric: {{name: val_loss, goal: minimize}}\nrun_cap: 1\n\
         data: {{csv: d.csv, target: y}}\nparameters:\n  lr: {{values: [0.1]}}\n\
         gate:\n  baseline: base.json\n  repeats: {repeats}\n  metrics:\n    \
         val_loss: {{aggregate: final, max_regression_abs: 0.1}}\n"
    );
    ExperimentSpec::from_yaml_str(&text, std::path::Path::new("stopgate.yaml")).unwrap()
}

/// Trains for one epoch, reported as the last, whose loss is the learning rate.
struct OneEpoch;

impl Objective for OneEpoch {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let loss = ctx.params["lr"].as_f64().unwrap_or(f64::NAN);
        let points = [MetricPoint {
            name: "val_loss".into(),
            value: loss,
        }];
        let result = TrialResult {
            best_step: Step(1),
            metrics: [("val_loss".to_string(), loss)].into(),
        };
        match reporter.report_last(Step(1), &points) {
            Control::Prune => TrialOutcome::Pruned {
                at: Step(1),
                result: Some(result),
            },
            Control::Continue => TrialOutcome::Completed {
                result,
                stopped_early: None,
            },
        }
    }
}

/// Requests `stop` as trial 0 reports its epoch, as a Ctrl-C at that moment would.
struct StopAtFirstReport(Stop);

impl Observer for StopAtFirstReport {
    fn trial_reported(&self, trial: TrialId, _step: Step, _metrics: &[MetricPoint]) {
        if trial == TrialId(0) {
            self.0.request();
        }
    }
}

/// Runs a gate of `repeats` runs with `--update-baseline`, the stop requested during run
/// `stop_in` (from 0) when given; returns what it measured (`None`: stopped), and the
/// summaries of the runs that started.
fn gate_stopped_in(
    repeats: u32,
    stop_in: Option<usize>,
) -> (Option<super::Measured>, Vec<StudySummary>) {
    gate_stopped(repeats, stop_in, false)
}

/// Runs a gate as `gate_stopped_in` does, the stop also requested before its first run when
/// `before` (as one between two runs, after the earlier run's check, is).
fn gate_stopped(
    repeats: u32,
    stop_in: Option<usize>,
    before: bool,
) -> (Option<super::Measured>, Vec<StudySummary>) {
    let spec = gate_spec(repeats);
    let gate = spec.gate.clone().unwrap();
    let args = GateArgs {
        file: PathBuf::from("stopgate.yaml"),
        format: GateFormat::Table,
        update_baseline: true,
        store: None,
        parallel: None,
    };
    let store = Store::temporary().unwrap();
    let interrupts = Interrupts::default();
    if before {
        interrupts.stop.request();
    }
    let runs = Runs {
        args: &args,
        spec: &spec,
        gate: &gate,
        shown: "base.json",
        store: &store,
        record: &RunRecord::default(),
        parallel: 1,
        interrupts: &interrupts,
        warm_file: None,
        repeats: (0..repeats)
            .map(|r| super::super::repeat(&spec, r))
            .collect(),
    };
    let mut ran: Vec<StudySummary> = Vec::new();
    let measured = runs
        .each_run(|spec_r| {
            let options = StudyOptions {
                spec_path: "stopgate.yaml".into(),
                parallel: 1,
                run_cap: None,
                extend: None,
                record: None,
                stop: interrupts.stop.clone(),
                agent: None,
                warm_file: None,
            };
            let observer = StopAtFirstReport(interrupts.stop.clone());
            let quiet = StopAtFirstReport(Stop::default());
            let watching: &dyn Observer = match stop_in == Some(ran.len()) {
                true => &observer,
                false => &quiet,
            };
            let summary =
                runner::run_study(&store, spec_r, &OneEpoch, watching, &SystemClock, &options)?;
            ran.push(summary.clone());
            Ok(summary)
        })
        .unwrap();
    (measured, ran)
}

#[test]
fn issue_a_gate_runs_every_repeat_and_measures_each_without_a_stop() {
    let (measured, ran) = gate_stopped_in(2, None);
    assert_eq!(ran.len(), 2);
    let measured = measured.expect("no stop: the gate measured its runs");
    assert_eq!(measured.current["val_loss"], [Some(0.1), Some(0.1)]);
}

#[test]
fn issue_a_stop_that_keeps_the_last_runs_trial_ends_the_gate_without_a_baseline() {
    let (measured, ran) = gate_stopped_in(1, Some(0));
    // The stop kept the trial at its last report: the study itself ended finished.
    assert_eq!(ran.len(), 1);
    assert!(!ran[0].interrupted, "{:?}", ran[0]);
    assert_eq!(ran[0].count(experiment::TrialState::Completed), 1);
    assert!(
        measured.is_none(),
        "a stopped gate writes no baseline and gives no verdict"
    );
}

#[test]
fn issue_a_stop_that_keeps_an_earlier_runs_trial_ends_the_gate_in_that_run() {
    let (measured, ran) = gate_stopped_in(3, Some(0));
    assert!(!ran[0].interrupted, "{:?}", ran[0]);
    // Said as "gate stopped in run 1 of 3": no later run started, to be named instead.
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert!(measured.is_none());
}

#[test]
fn issue_a_stop_between_two_runs_starts_no_further_run() {
    // A stop heard after a run's check (as its curves were read) let the next run start with
    // the stop set: it started no trial, was stored interrupted and empty, and was named.
    let (measured, ran) = gate_stopped(2, None, true);
    assert!(ran.is_empty(), "{ran:?}");
    assert!(measured.is_none());
}

#[test]
fn issue_a_stop_that_lands_just_after_the_check_between_runs_names_the_run_before() {
    // The gate's e2e test saw "gate stopped in run 2 of 3" though run 2 ran no trial: the
    // signal's thread said "stopping" and requested only after run 2's check had passed.
    let (_, ran) = gate_stopped_in(2, Some(0));
    let kept = &ran[0];
    assert_eq!(super::stopped_when(kept, 0, 3), "in run 1 of 3");
    // A trial a stop cut off is back in the queue, no start, but held: the stop came in it.
    let mut cut = kept.clone();
    for t in &mut cut.trials {
        t.state = experiment::TrialState::Queued;
        t.started = None;
    }
    assert_eq!(super::stopped_when(&cut, 1, 3), "in run 2 of 3");
    let mut empty = kept.clone();
    empty.trials.clear();
    assert_eq!(super::stopped_when(&empty, 1, 3), "after run 1 of 3");
    assert_eq!(super::stopped_when(&empty, 0, 3), "before its first run");
}
