//! Handler tests, through `app` without a port, of what the dashboard tells a watcher that an
//! audit found told wrong: the trial page's rerun runs the experiment file as it is now (which
//! may have been edited since the run), so it says so and gives the way to run the stored spec;
//! a comparison's note never suggests a near name already compared, nor one twice; and an
//! unknown `state=` lists the words that work, with when each applies.

use actix_web::http::StatusCode;
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures;

#[test]
fn issue_watch_3_an_unknown_state_lists_the_words_that_work_and_when() {
    run(async {
        // Interrupted at four trials: trial 3 was left running, and reads `interrupted`.
        let store = Store::temporary().unwrap();
        let info = fixtures::info("cut", ExperimentStatus::Interrupted, 10);
        store.create_experiment(&info).unwrap();
        for i in 0..4 {
            store.put_trial("cut", &fixtures::trial(i, 4)).unwrap();
        }
        for uri in [
            "/api/experiments/cut/trials?state=stopped",
            "/experiments/cut?state=stopped",
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            assert!(
                body.contains(
                    "unknown state `stopped`; use all, completed, pruned, failed, queued, \
                     running (a trial a sweep runs now), or interrupted (a trial a stopped \
                     sweep left running)"
                ),
                "{uri}: {body}"
            );
        }
        // The word it names for a trial a stopped sweep left is the one that finds it.
        let (_, body) = get(&store, "/api/experiments/cut/trials?state=interrupted").await;
        let found: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(found["matching"], 1, "{body}");
    });
}
