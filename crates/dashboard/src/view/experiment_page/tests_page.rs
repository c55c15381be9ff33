//! Handler tests of the learning curves' panel on the experiment page of a sweep whose trials
//! all still run: its heading and hint say what it draws (no top trials, no pruned ones), its
//! y axis names the objective's unit from the running trials' first epochs, and it says how
//! many of the running trials it draws where it leaves some out.

use experiment::{Direction, MetricPoint, Step, TrialState};
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures;

/// Returns a store with experiment `live`, whose sweep runs, of objective `val_loss` (which
/// both tasks report: only the other metrics say which the spec's data is), with `n` trials
/// all still running, each having reported 3 epochs of `val_loss` and `val_accuracy`.
fn all_running(n: u32) -> Store {
    let store = Store::temporary().expect("invariant: a temporary store opens");
    let mut info = fixtures::info("live", ExperimentStatus::Running, 40);
    info.objective = "val_loss".into();
    info.goal = Direction::Minimize;
    info.spec_yaml = info.spec_yaml.replace(
        "{name: val_accuracy, goal: maximize}",
        "{name: val_loss, goal: minimize}",
    );
    store
        .create_experiment(&info)
        .expect("invariant: a new name");
    for i in 0..n {
        let mut t = fixtures::trial(i, n);
        t.state = TrialState::Running;
        t.finished = None;
        t.result = None;
        t.reason = None;
        store.put_trial("live", &t).expect("invariant: it exists");
        for e in 1..=3 {
            let loss = 1.0 / f64::from(e + i);
            let points = [
                MetricPoint {
                    name: "val_accuracy".into(),
                    value: 1.0 - loss,
                },
                MetricPoint {
                    name: "val_loss".into(),
                    value: loss,
                },
            ];
            store
                .append_metrics("live", t.id, Step(e), &points)
                .expect("invariant: it exists");
        }
    }
    store
}

/// Returns the learning curves' panel of `page`.
fn curves_panel(page: &str) -> &str {
    page.split("<section class=\"panel\" id=\"curves\">")
        .nth(1)
        .and_then(|p| p.split("</section>").next())
        .unwrap_or_default()
}

#[test]
fn with_only_running_trials_the_curves_panel_says_so_and_its_axis_has_the_unit() {
    run(async {
        let store = all_running(3);
        let (_, page) = get(&store, "/experiments/live").await;
        let panel = curves_panel(&page);
        assert!(
            panel.contains("<h2>Learning curves of the running trials, so far</h2>"),
            "{panel}"
        );
        // Nothing grey is drawn for colour to be drawn above.
        assert!(!panel.contains("above them"), "{panel}");
        assert!(!panel.contains("top trials</h2>"), "{panel}");
        assert!(
            panel.contains("no trial has completed or been pruned yet"),
            "{panel}"
        );
        assert!(panel.contains("Trials still running are dashed"), "{panel}");
        // The running trials report val_accuracy beside the objective: a classifier's loss.
        assert!(
            panel.contains("val_loss (cross-entropy) by epoch"),
            "{panel}"
        );
    });
}

#[test]
fn with_more_trials_running_than_drawn_the_curves_panel_says_how_many_of_how_many() {
    run(async {
        let store = all_running(22);
        let (_, page) = get(&store, "/experiments/live").await;
        let panel = curves_panel(&page);
        assert!(
            panel.contains("16 of 22 running trials, those that started first, are dashed"),
            "{panel}"
        );
        // Eight trials running: every one is drawn, and no count is said.
        let store = all_running(8);
        let (_, page) = get(&store, "/experiments/live").await;
        let panel = curves_panel(&page);
        assert!(panel.contains("Trials still running are dashed"), "{panel}");
    });
}
