//! Handler tests of the experiments list and the API's list: how they count an experiment's
//! trials by state, as `sweep ls` counts them (the trials a stop put back in the queue
//! included), and in which order they list a store of more experiments than a page holds.

use experiment::{Timestamp, TrialState};
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
        // So does the experiment page's header, beside the interrupted one.
        let (_, page) = get(&store, "/experiments/cut").await;
        assert!(
            page.contains("<dt>interrupted</dt><dd>1</dd>")
                && page.contains("<dt>queued</dt><dd>2</dd>"),
            "{page}"
        );
        // An experiment with nothing queued says nothing of a queue.
        let store = fixtures::store_with("demo", 4);
        let (_, list) = get(&store, "/").await;
        assert!(!list.contains("queued</span>"), "{list}");
    });
}

/// Adds the experiment `name` with `n` trials (no curves) to `store`, created `minutes` after
/// the fixtures' experiment, which the list's order goes by.
pub(crate) fn fill_created(store: &Store, name: &str, n: u32, minutes: i64) {
    let mut info = fixtures::info(name, ExperimentStatus::Finished, n);
    let later = minutes * 60_000;
    info.created = Timestamp(info.created.0 + later);
    info.finished = info.finished.map(|t| Timestamp(t.0 + later));
    store.create_experiment(&info).unwrap();
    for i in 0..n {
        store.put_trial(name, &fixtures::trial(i, n)).unwrap();
    }
}

/// Returns the experiments' names as the list page shows them, in its order.
fn page_names(html: &str) -> Vec<String> {
    html.split("<td class=\"name\"><a href=\"")
        .skip(1)
        .filter_map(|row| Some(row.split_once("\">")?.1.split_once("</a>")?.0.to_string()))
        .collect()
}

/// Returns the experiments' names of an `/api/experiments` answer, in its order.
async fn api_names(store: &Store, uri: &str) -> Vec<String> {
    let (_, body) = get(store, uri).await;
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    list["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_list_and_its_api_show_the_newest_experiments_on_the_first_page() {
    run(async {
        // The auditor's store: 57 experiments, more than a page of 50, created a minute apart
        // under names whose order is not the creation order, with 1 to 3 trials.
        let name = |i: usize| format!("e{:02}", (i * 23) % 57);
        let trials = |i: usize| u32::try_from(i % 3).unwrap() + 1;
        let store = Store::temporary().unwrap();
        for i in 0..57 {
            fill_created(&store, &name(i), trials(i), i64::try_from(i).unwrap());
        }
        let newest_first: Vec<String> = (0..57).rev().map(name).collect();
        let oldest_first: Vec<String> = (0..57).map(name).collect();
        // The page: this week's experiments on page 1, newest first; the oldest on the last.
        let (_, first) = get(&store, "/").await;
        assert_eq!(page_names(&first), newest_first[..50]);
        let (_, second) = get(&store, "/?page=2").await;
        assert_eq!(page_names(&second), newest_first[50..]);
        // The `started` head says so, and a click lists the oldest first.
        assert!(
            first.contains(
                "aria-sort=\"descending\"><a href=\"/?sort=started&#38;dir=asc\">started (UTC) \
                 <span class=\"arrow\" aria-hidden=\"true\">▼</span></a>"
            ),
            "{first}"
        );
        let (_, oldest) = get(&store, "/?sort=started&dir=asc").await;
        assert_eq!(page_names(&oldest), oldest_first[..50]);
        assert!(
            oldest.contains("<a href=\"/?sort=started&#38;dir=desc\">started (UTC) "),
            "{oldest}"
        );
        // The API lists as the page does by default; oldest first where asked.
        assert_eq!(
            api_names(&store, "/api/experiments").await,
            newest_first[..50]
        );
        assert_eq!(
            api_names(&store, "/api/experiments?page=2").await,
            newest_first[50..]
        );
        assert_eq!(
            api_names(&store, "/api/experiments?sort=started&dir=asc&page=2").await,
            oldest_first[50..]
        );
        // Ties of another column list the newest first too, whichever way it runs.
        let by_trials = |most_first: bool| {
            let mut names: Vec<(u32, String)> =
                (0..57).rev().map(|i| (trials(i), name(i))).collect();
            names.sort_by_key(|(n, _)| if most_first { 3 - n } else { *n });
            names.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
        };
        assert_eq!(
            api_names(&store, "/api/experiments?sort=trials&per_page=57").await,
            by_trials(true)
        );
        assert_eq!(
            api_names(&store, "/api/experiments?sort=trials&dir=asc&per_page=57").await,
            by_trials(false)
        );
    });
}
