//! Tests of the experiments list's sort as `experiment::list_order` orders it: the dashboard's
//! `running` column counts a trial a stopped sweep left running (shown `interrupted`) with
//! those a sweep runs, as `sweep ls` does.

use std::sync::Arc;

use experiment::{Timestamp, Trial};
use store::ExperimentStatus;

use super::{sort_rows, ListSort};
use crate::data::ExperimentData;
use crate::view::fixtures;

/// Returns experiment `name`, created `created` ms after the fixtures' one, in `status`, with
/// `n` fixture trials (the last one running).
fn experiment(name: &str, status: ExperimentStatus, n: u32, created: i64) -> Arc<ExperimentData> {
    let mut info = fixtures::info(name, status, n);
    info.created = Timestamp(info.created.0 + created);
    let trials: Vec<Trial> = (0..n).map(|i| fixtures::trial(i, n)).collect();
    Arc::new(ExperimentData::new(info, trials))
}

#[test]
fn by_running_a_trial_a_stopped_sweep_left_running_counts_as_a_running_one() {
    // Oldest first: `idle` has no running trial (its last one is taken off), `killed` one a
    // kill left running, `live` one its sweep runs.
    let mut idle = experiment("idle", ExperimentStatus::Finished, 3, 0);
    if let Some(d) = Arc::get_mut(&mut idle) {
        d.trials.pop();
    }
    let all = [
        idle,
        experiment("killed", ExperimentStatus::Interrupted, 3, 1),
        experiment("live", ExperimentStatus::Running, 3, 2),
    ];
    let names = |key: ListSort, descending: bool| {
        let mut rows: Vec<&Arc<ExperimentData>> = all.iter().collect();
        sort_rows(&mut rows, key, descending);
        rows.iter()
            .map(|d| d.info.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // `killed` ties with `live` (one each), the newer first; `idle` has none.
    assert_eq!(names(ListSort::Running, true), "live killed idle");
    assert_eq!(names(ListSort::Running, false), "idle live killed");
    assert_eq!(names(ListSort::Started, true), "live killed idle");
    assert_eq!(names(ListSort::Status, false), "live killed idle");
    assert_eq!(names(ListSort::Name, true), "live killed idle");
}
