//! Handler tests of how the experiments list and the API count an experiment's trials by
//! state, as `sweep ls` counts them: the trials a stop put back in the queue included.

use experiment::TrialState;
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures;

#[test]
fn the_list_and_the_api_count_the_trials_a_stop_put_back_in_the_queue() {
    run(async {
        // Stopped at six trials of ten: trial 3 left running, trials 4 and 5 queued.
        let store = Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info("cut", ExperimentStatus::Interrupted, 10))
            .unwrap();
        for i in 0..6 {
            let mut trial = fixtures::trial(i, 4);
            if i >= 4 {
                trial.state = TrialState::Queued;
                trial.result = None;
                trial.started = None;
                trial.finished = None;
            }
            store.put_trial("cut", &trial).unwrap();
        }
        let (_, list) = get(&store, "/").await;
        assert!(list.contains("· 1 interrupted</span>"), "{list}");
        assert!(list.contains("· 2 queued</span>"), "{list}");
        let (_, api) = get(&store, "/api/experiments/cut").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(api["trials"]["queued"], 2, "{api}");
        assert_eq!(api["trials"]["interrupted"], 1, "{api}");
        assert_eq!(api["trials"]["stored"], 6, "{api}");
        // An experiment with nothing queued says nothing of a queue.
        let store = fixtures::store_with("demo", 4);
        let (_, list) = get(&store, "/").await;
        assert!(!list.contains("queued</span>"), "{list}");
    });
}
