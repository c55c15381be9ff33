//! Tests of the compare page's view: curves of trials running, the way back, parameter rows,
//! and the values of a trial running, at its latest epoch.

use std::collections::BTreeMap;

use experiment::{ParamValue, Step, TrialState};
use store::ExperimentStatus;

use super::{compare_page, param_row, parse_ids, way_back, MAX_TRIALS, MIN_TRIALS};
use crate::view::fixtures;

#[test]
fn a_trial_running_is_compared_by_its_curves_so_far_and_a_killed_one_is_not() {
    // Trial 2 has run 3 epochs beside completed trial 0.
    let mut running = fixtures::trial(2, 10);
    running.state = TrialState::Running;
    running.finished = None;
    running.result = None;
    let series = |n: u32| {
        let points = (1..=n)
            .map(|e| (Step(e), 0.5 + f64::from(e) / 10.0))
            .collect();
        BTreeMap::from([("val_accuracy".to_string(), points)])
    };
    let trials = [(fixtures::trial(0, 10), series(12)), (running, series(3))];
    let chart = |status| {
        let info = fixtures::info("demo", status, 10);
        let page = compare_page((&info, None), &[], &trials);
        page.charts
            .iter()
            .find(|c| c.name == "val_accuracy")
            .map(|c| c.svg.clone())
            .unwrap_or_default()
    };
    let live = chart(ExperimentStatus::Running);
    assert!(live.contains("stroke-dasharray"), "{live}");
    assert!(live.contains("trial 2 (running)"), "its legend entry");
    assert!(
        live.contains("<title>trial 2: running, 0.8000 at epoch 3 so far</title>"),
        "{live}"
    );
    // Where no sweep runs, a kill left it running: it is not drawn as live.
    let killed = chart(ExperimentStatus::Interrupted);
    assert!(!killed.contains("stroke-dasharray"), "{killed}");
    assert!(!killed.contains("running"), "{killed}");
}

#[test]
fn the_way_back_keeps_each_trial_ticked_once_and_says_how_many_to_tick() {
    // As the page reads its ticks (`Ticks::read`), less those that are no trial number.
    let (links, _) = way_back("demo", "t=3&t=x&t=3&trials=4,3,&t=");
    assert_eq!(
        links,
        [(
            format!("Back to demo, to tick {MIN_TRIALS} to {MAX_TRIALS} trials"),
            "/experiments/demo?t=3&t=4".to_string()
        )]
    );
    // The page itself refuses the bad one, naming its key.
    let err = parse_ids("t=3&t=x&t=3&trials=4,3").unwrap_err();
    assert_eq!(
        err.to_string(),
        "t: \"x\" is not a trial number (a whole number from 0 to 4294967295)"
    );
}

#[test]
fn a_parameter_that_is_no_finite_number_keeps_its_text_beside_widened_ones() {
    // Both real lr read 0.002 and are widened; the infinite one and the missing one
    // keep theirs.
    let (a, b, c) = (
        ParamValue::Float(0.001_968_3),
        ParamValue::Float(0.001_972_3),
        ParamValue::Float(f64::INFINITY),
    );
    let row = param_row("lr", &[Some(&a), Some(&b), Some(&c), None]);
    assert_eq!(
        (row.values, row.differs),
        (
            vec![
                "0.0019683".to_string(),
                "0.0019723".to_string(),
                c.to_string(),
                "-".to_string()
            ],
            true
        )
    );
    assert!(!c.to_string().is_empty());
}

#[test]
fn a_trial_running_shows_its_latest_epochs_values_said_as_the_latest() {
    // Trial 2 has run 3 epochs beside completed trial 0, which ended at its best, epoch 12.
    let mut running = fixtures::trial(2, 10);
    running.state = TrialState::Running;
    running.finished = None;
    running.result = None;
    let series = |n: u32| {
        let accuracy: Vec<(Step, f64)> = (1..=n)
            .map(|e| (Step(e), 0.5 + f64::from(e) / 10.0))
            .collect();
        let loss = accuracy.iter().map(|&(s, a)| (s, 1.0 - a)).collect();
        BTreeMap::from([
            ("val_accuracy".to_string(), accuracy),
            ("val_loss".to_string(), loss),
        ])
    };
    let done = fixtures::trial(0, 10);
    let best = done.value("val_accuracy").unwrap_or_default();
    let trials = [(done.clone(), series(12)), (running, series(3))];
    let page = |status| {
        let info = fixtures::info("demo", status, 10);
        compare_page((&info, None), &[], &trials)
    };
    let fact = |page: &super::ComparePage, name: &str| {
        page.facts
            .iter()
            .find(|r| r.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no row {name}: {:?}", page.facts))
    };
    let live = page(ExperimentStatus::Running);
    // Its column is marked as at its latest epoch, running, and says why in its tooltip.
    let state = fact(&live, "state");
    assert_eq!(state.values, ["completed", "running, latest epoch 3"]);
    assert!(state.differs);
    assert_eq!(state.title(&0), "");
    assert!(
        state.title(&1).contains("latest epoch, 3, not of its best"),
        "{state:?}"
    );
    // The objective and every other metric: the completed trial's at its best epoch, as
    // before; the running one's at epoch 3 (0.8), said so in the tooltip.
    let objective = fact(&live, "val_accuracy");
    assert_eq!(
        objective.values,
        [
            crate::view::format::metric_value("val_accuracy", Some(best)),
            "0.8000".to_string()
        ]
    );
    assert_eq!(objective.title(&1), "0.8000 at latest epoch 3, running");
    assert!(!objective.title(&0).contains("latest"), "{objective:?}");
    let loss = fact(&live, "val_loss");
    assert_eq!(loss.values[1], "0.2000");
    assert!(
        loss.title(&1).ends_with("at latest epoch 3, running"),
        "{loss:?}"
    );
    // It has no best epoch yet.
    assert_eq!(fact(&live, "best epoch").values, ["12", "-"]);
    // A kill left it running where no sweep runs: the same values, said as interrupted.
    let killed = page(ExperimentStatus::Interrupted);
    assert_eq!(
        fact(&killed, "state").values,
        ["completed", "interrupted, latest epoch 3"]
    );
    assert_eq!(
        fact(&killed, "val_accuracy").title(&1),
        "0.8000 at latest epoch 3, interrupted"
    );
    // Issue: its tooltip said it "has not ended", as of a trial still running; a kill cut it
    // off, and it runs again from scratch, as its row's reason says.
    let killed_state = fact(&killed, "state");
    let why = killed_state.title(&1);
    assert!(
        why.ends_with(
            "not of its best: a killed sweep cut it off before it ended; it runs again from \
             scratch when the same command runs again"
        ),
        "{why}"
    );
    assert!(state
        .title(&1)
        .ends_with("not of its best: it has not ended"));
}
