//! Handler tests of the leaderboard through `app` without a port: its order by duration where a
//! kill left a trial running, on the page, in the API and in the CSV download.

use actix_web::http::StatusCode;
use experiment::{Step, Timestamp};
use store::{ExperimentStatus, Heard, TrialTrace};

use crate::tests::{get, run};
use crate::view::fixtures::{self, store_with};

/// Returns a store holding the interrupted experiment `demo` of 6 trials of 0.9 s each but
/// trial 5, which a kill left running, last heard from 2.5 s after it started.
fn killed_store() -> store::Store {
    let store = store_with("demo", 6);
    let mut info = store.experiment("demo").unwrap().unwrap();
    info.status = ExperimentStatus::Interrupted;
    info.finished = None;
    store.update_experiment(&info).unwrap();
    let killed = fixtures::trial(5, 6);
    let trace = TrialTrace {
        heard: Some(Heard {
            at: Timestamp(killed.started.unwrap().0 + 2_500),
            step: Step(3),
        }),
        cut: Vec::new(),
    };
    store.put_trial_traced("demo", &killed, &trace).unwrap();
    store
}

/// Returns the trial numbers of the leaderboard's rows on `page`, in order.
fn rows(page: &str) -> Vec<String> {
    page.split("<tr class=\"trial-row")
        .skip(1)
        .filter_map(|row| row.split("data-trial=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_killed_trial_sorts_by_duration_as_its_column_shows_it_to_its_last_report() {
    run(async {
        let store = killed_store();
        // Its 2.5 s (last heard) is the longest: first, longest first; last, shortest first.
        let (status, page) = get(&store, "/experiments/demo?sort=duration&dir=desc").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let order = rows(&page);
        assert_eq!(order.first().map(String::as_str), Some("5"), "{order:?}");
        assert!(page.contains(">2.5s (last heard)</td>"), "{page}");
        let (_, page) = get(&store, "/experiments/demo?sort=duration&dir=asc").await;
        let order = rows(&page);
        assert_eq!(order.last().map(String::as_str), Some("5"), "{order:?}");
        // The API takes the page's selection, and so its order.
        let (status, body) = get(
            &store,
            "/api/experiments/demo/trials?sort=duration&dir=desc",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["trials"][0]["id"], 5, "{body}");
        // The CSV's duration is start to end alone, as `sweep trials --format csv` writes and
        // sorts it: the killed trial has none, and comes last either way.
        let (status, csv) = get(
            &store,
            "/experiments/demo/trials.csv?sort=duration&dir=desc",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        let last = csv.lines().last().unwrap_or_default();
        assert!(last.starts_with("5,"), "{csv}");
    });
}
