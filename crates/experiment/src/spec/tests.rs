//! What the spec says of a sweep's trials: the plateau rule's status line.

use crate::{ExperimentSpec, Trial, TrialState};

fn trials(values: &[f64]) -> Vec<Trial> {
    values
        .iter()
        .zip(0..)
        .map(|(v, id)| crate::testing::trial_with(id, TrialState::Completed, "val_loss", Some(*v)))
        .collect()
}

#[test]
fn issue_a_best_value_under_a_thousandth_reads_as_metric_values_do_elsewhere() {
    let spec = ExperimentSpec::from_yaml_str(
        "name: t\nmetric: {name: val_loss, goal: minimize}\ndata: {csv: d.csv, target: y}\n\
         plateau: {patience: 2}\n",
        std::path::Path::new("t.yaml"),
    )
    .unwrap();
    // A loss near 2e-5 read `0.0000` here, beside `2.42e-5` in the leaderboard.
    assert_eq!(
        spec.plateau_status(&trials(&[2.42e-5, 3e-5, 4e-5]))
            .as_deref(),
        Some("2 trials without improving: reached at trial 2 (the best: trial 0, 2.42e-5)")
    );
    assert_eq!(
        spec.plateau_status(&trials(&[0.98051])).as_deref(),
        Some("2 trials without improving: not reached (0 in a row so far; the best: trial 0, 0.9805)")
    );
}
