//! Tests of the trial page's parts: its charts, its facts, and a running trial's latest
//! epoch's metrics.

use super::*;
use crate::view::fixtures;
use experiment::Step;

#[test]
fn issue_nan_a_metric_of_points_none_a_number_says_so_not_that_none_were_recorded() {
    // An R² of constant validation targets is NaN at every epoch: the API answers its
    // points (with null values), and the chart must not say that none was recorded.
    let info = fixtures::info("nanr2", ExperimentStatus::Finished, 6);
    let trial = fixtures::trial(1, 6);
    let metrics = BTreeMap::from([
        (
            "val_r2".to_string(),
            vec![(Step(1), f64::NAN), (Step(2), f64::NAN)],
        ),
        ("val_mae".to_string(), vec![(Step(1), f64::INFINITY)]),
        ("val_rmse".to_string(), Vec::new()),
    ]);
    let charts = metric_charts(&info, None, &trial, &metrics);
    let said = |name: &str| {
        charts
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.svg.clone())
            .unwrap_or_default()
    };
    assert!(
        said("val_r2").contains("2 points recorded, none a number (NaN)"),
        "{}",
        said("val_r2")
    );
    assert!(!said("val_r2").contains("no points recorded yet"));
    assert!(said("val_mae").contains("1 point recorded, none finite (NaN or infinite)"));
    assert!(said("val_rmse").contains("no points recorded yet"));
}

#[test]
fn a_running_trial_s_charts_are_its_curves_so_far_while_its_sweep_runs() {
    let mut trial = fixtures::trial(2, 6);
    trial.state = TrialState::Running;
    trial.finished = None;
    trial.result = None;
    let points = (1..=4)
        .map(|e| (Step(e), 0.5 + f64::from(e) / 10.0))
        .collect();
    let metrics = BTreeMap::from([("val_accuracy".to_string(), points)]);
    let chart = |status| {
        let info = fixtures::info("demo", status, 6);
        metric_charts(&info, None, &trial, &metrics)
            .first()
            .map(|c| c.svg.clone())
            .unwrap_or_default()
    };
    let live = chart(ExperimentStatus::Running);
    assert!(live.contains("stroke-dasharray"), "{live}");
    // Its text alternative, the chart's label, says so.
    assert!(
        live.contains("trial 2: running, 0.9000 at epoch 4 so far"),
        "{live}"
    );
    // A kill left it running, where no sweep runs: its page reads interrupted, and its
    // chart does not say it runs.
    let killed = chart(ExperimentStatus::Interrupted);
    assert!(!killed.contains("stroke-dasharray"), "{killed}");
    assert!(!killed.contains("running"), "{killed}");
}

#[test]
fn issue_a_count_objective_is_written_as_a_count_among_the_facts() {
    // `param_count` as the objective read `49.0000` here where the list says `49`.
    let mut info = fixtures::info("counted", ExperimentStatus::Finished, 6);
    info.objective = "param_count".into();
    let mut trial = fixtures::trial(0, 6);
    if let Some(result) = trial.result.as_mut() {
        result.metrics.insert("param_count".into(), 49.0);
    }
    let facts = facts(
        &info,
        None,
        &trial,
        None,
        &BTreeMap::new(),
        None,
        (None, "completed"),
    );
    let objective = facts.iter().find(|f| f.name == "param_count");
    assert_eq!(objective.map(|f| f.value.as_str()), Some("49"), "{facts:?}");
}

#[test]
fn issue_a_spec_path_that_was_not_utf8_is_written_spec_in_the_rerun_commands() {
    // Kept with a replacement character, the path names no file: pasted, it ran nothing, or
    // another file; the resume line says `<SPEC>` and what to put there, and so do these.
    let lossy = "/runs/r\u{FFFD}sum\u{e9}/exp.yaml";
    let command = rerun_command(lossy, 4, Some(2));
    assert_eq!(
        command,
        "sweep run <SPEC> --store .sweep-reproduce-4 --run-cap 5 --parallel 2  # the spec's \
         path was not UTF-8: <SPEC> is the file kept as '/runs/r\u{FFFD}sum\u{e9}/exp.yaml', \
         each run of bytes that were not UTF-8 written as U+FFFD; name the file as it lies"
    );
    let stored = stored_rerun_commands("demo", "/abs/store", lossy, 4, None);
    let lines: Vec<&str> = stored.lines().collect();
    assert_eq!(lines.len(), 2, "{stored}");
    assert!(
        lines[0].starts_with(
            "sweep show demo --spec --store /abs/store > <STORED>  # <STORED>: a new file \
             beside <SPEC>; the spec's path was not UTF-8"
        ),
        "{stored}"
    );
    assert_eq!(
        lines[1],
        "sweep run <STORED> --store .sweep-reproduce-4 --run-cap 5"
    );
    assert!(!stored.contains("exp.stored.yaml"), "{stored}");
    // A path that reads is pasted as before.
    assert_eq!(
        rerun_command("/runs/exp.yaml", 4, None),
        "sweep run /runs/exp.yaml --store .sweep-reproduce-4 --run-cap 5"
    );
    assert_eq!(
        stored_rerun_commands("demo", "/abs/store", "/runs/exp.yaml", 4, None),
        "sweep show demo --spec --store /abs/store > /runs/exp.stored.yaml\n\
         sweep run /runs/exp.stored.yaml --store .sweep-reproduce-4 --run-cap 5"
    );
}

#[test]
fn issue_a_trials_own_curve_marks_are_filled_not_rings_like_a_running_trials() {
    // Hollow circles along a trial's curve read as the overlay's ring at a running trial's
    // latest epoch: alone in its chart, its marks are filled.
    let info = fixtures::info("demo", ExperimentStatus::Finished, 6);
    let trial = fixtures::trial(0, 6);
    let points = (1..=12)
        .map(|e| (Step(e), 0.5 + f64::from(e) / 100.0))
        .collect();
    let metrics = BTreeMap::from([("val_accuracy".to_string(), points)]);
    let charts = metric_charts(&info, None, &trial, &metrics);
    let svg = charts.first().map(|c| c.svg.clone()).unwrap_or_default();
    let circles: Vec<&str> = svg.split("<circle").skip(1).collect();
    assert!(circles.len() >= 6, "{svg}");
    let hollow = circles
        .iter()
        .filter(|c| c.contains("fill=\"#FFFFFF\""))
        .count();
    assert_eq!(hollow, 0, "{svg}");
}
