//! Tests of the learning curves of the trials still running on the experiment page: read and
//! drawn dashed, their curves so far, while the experiment's sweep runs, never among the top
//! trials, at most `RUNNING_CURVES` of them; and none of a trial a kill left `running`.

use std::collections::BTreeMap;

use experiment::{Step, Timestamp, Trial, TrialId, TrialState};
use store::ExperimentStatus;

use super::{analysis, curve_ids, curve_trials, running_curve_trials, RUNNING_CURVES};
use crate::data::{ExperimentData, Series};
use crate::view::fixtures::{self, NOW};
use crate::view::leaderboard::ranked;

/// Returns experiment `demo` in `status` with `n` fixture trials, those numbered from `from`
/// on still running (started, without an end or a result).
fn with_running(status: ExperimentStatus, n: u32, from: u32) -> ExperimentData {
    let trials: Vec<Trial> = (0..n)
        .map(|i| {
            let mut t = fixtures::trial(i, n);
            if i >= from {
                t.state = TrialState::Running;
                t.finished = None;
                t.result = None;
            }
            t
        })
        .collect();
    ExperimentData::new(fixtures::info("demo", status, n), trials)
}

/// Returns the objective's series of each running trial of `data`: trial `i` has reported
/// `i % 5 + 1` epochs, at 0.5 plus a hundredth an epoch.
fn running_series(data: &ExperimentData) -> BTreeMap<TrialId, Series> {
    data.trials
        .iter()
        .filter(|t| t.state == TrialState::Running)
        .map(|t| {
            let epochs = t.id.0 % 5 + 1;
            let series = (1..=epochs)
                .map(|e| (Step(e), 0.5 + f64::from(e) / 100.0))
                .collect();
            (t.id, series)
        })
        .collect()
}

#[test]
fn the_curves_of_trials_running_are_drawn_so_far_while_their_sweep_runs() {
    // Trials 30 to 37 run, as in a sweep of `parallel: 8`.
    let d = with_running(ExperimentStatus::Running, 38, 30);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let running: Vec<TrialId> = (30..38).map(TrialId).collect();
    assert_eq!(running_curve_trials(&d), running);
    // The page reads their curves besides the top and pruned trials'; none is among the top.
    let ids = curve_ids(&d, &r);
    assert!(running.iter().all(|id| ids.contains(id)), "{ids:?}");
    let (top, pruned) = curve_trials(&r);
    assert!(running
        .iter()
        .all(|id| !top.contains(id) && !pruned.contains(id)));
    let a = analysis(&d, &r, &running_series(&d), NOW);
    assert_eq!(a.running_curves, 8);
    // Trial 32 has reported 3 epochs: its tooltip says where it is so far, and so does the
    // chart's label, its text alternative.
    let said = "trial 32: running, 0.5300 at epoch 3 so far";
    assert!(
        a.curves.contains(&format!("<title>{said}</title>")),
        "{}",
        a.curves
    );
    assert!(a.curves.contains("stroke-dasharray"), "{}", a.curves);
    assert!(a.curves.contains("running, so far"), "its legend entry");
    let label = a.curves.split("aria-label=\"").nth(1).unwrap_or_default();
    assert!(label.split('"').next().unwrap_or_default().contains(said));
}

#[test]
fn a_trial_a_kill_left_running_is_not_drawn_as_live() {
    // The same trials, in an experiment no sweep runs (a killed one, shown interrupted, or
    // one finished since): their curves are neither read nor drawn as running.
    for status in [ExperimentStatus::Interrupted, ExperimentStatus::Finished] {
        let d = with_running(status, 38, 30);
        let r = ranked(&d.trials, &d.objectives(), &[]);
        assert_eq!(running_curve_trials(&d), Vec::<TrialId>::new());
        let ids = curve_ids(&d, &r);
        assert!(ids.iter().all(|id| id.0 < 30), "{ids:?}");
        let a = analysis(&d, &r, &running_series(&d), NOW);
        assert_eq!(a.running_curves, 0);
        assert!(!a.curves.contains("running"), "{}", a.curves);
        assert!(!a.curves.contains("stroke-dasharray"), "{}", a.curves);
    }
}

#[test]
fn at_most_running_curves_are_drawn_those_that_started_first() {
    // 20 trials run (agents may run more than a sweep's `parallel`); the later a trial's
    // number, the earlier it started.
    let mut d = with_running(ExperimentStatus::Running, 20, 0);
    for t in &mut d.trials {
        t.started = Some(Timestamp(1_795_865_400_000 - i64::from(t.id.0) * 1000));
    }
    let drawn = running_curve_trials(&d);
    let first: Vec<TrialId> = (4..20).rev().map(TrialId).collect();
    assert_eq!(drawn.len(), RUNNING_CURVES);
    assert_eq!(drawn, first);
}

#[test]
fn running_trials_curves_show_before_any_trial_has_a_value_and_the_page_says_so() {
    let d = with_running(ExperimentStatus::Running, 3, 0);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = analysis(&d, &r, &running_series(&d), NOW);
    assert!(!a.valued);
    assert_eq!(a.running_curves, 3);
    assert!(!a.curves.contains("data-empty"), "{}", a.curves);
    assert_eq!(
        a.waiting,
        "no completed trials yet: the timeline below shows the trials that started, and the \
         learning curves the running trials' epochs so far; the optimization history appears \
         once a trial completes, the other charts once one completes or is pruned"
    );
    // Before any has reported an epoch, there is nothing to draw yet.
    let none = analysis(&d, &r, &BTreeMap::new(), NOW);
    assert_eq!(none.running_curves, 0);
    assert!(
        none.waiting.starts_with(
            "no completed trials yet: the timeline below shows the trials that started;"
        ),
        "{}",
        none.waiting
    );
}

#[test]
fn a_running_trial_without_a_start_time_is_drawn_after_those_with_one() {
    // 20 trials run; trial 0's start was not recorded: it is not taken for the first to start.
    let mut d = with_running(ExperimentStatus::Running, 20, 0);
    d.trials[0].started = None;
    let drawn = running_curve_trials(&d);
    let first: Vec<TrialId> = (1..=16).map(TrialId).collect();
    assert_eq!(drawn, first);
    // Among fewer, it comes last.
    let mut d = with_running(ExperimentStatus::Running, 3, 0);
    d.trials[0].started = None;
    assert_eq!(
        running_curve_trials(&d),
        [TrialId(1), TrialId(2), TrialId(0)]
    );
}

#[test]
fn past_running_curves_the_page_counts_the_running_curves_it_draws_of_all_running() {
    // 22 trials run; of the 16 that started first, 10 have reported an epoch.
    let d = with_running(ExperimentStatus::Running, 22, 0);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let mut series = running_series(&d);
    series.retain(|id, _| id.0 < 10);
    let a = analysis(&d, &r, &series, NOW);
    assert_eq!(a.running_curves, 10);
    assert_eq!(
        a.running_drawn,
        "10 of 22 running trials: of the 16 that started first, those that reported an epoch"
    );
    // Each of the 16 that started first reported: they are drawn, the first to start.
    let a = analysis(&d, &r, &running_series(&d), NOW);
    assert_eq!(
        a.running_drawn,
        "16 of 22 running trials, those that started first"
    );
    // With every running trial taken, nothing is counted.
    let d = with_running(ExperimentStatus::Running, 16, 0);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = analysis(&d, &r, &running_series(&d), NOW);
    assert_eq!(a.running_drawn, "");
}
