//! Handler tests, through `app` without a port, of what a trial still running shows in the
//! tables, its page and the API: its latest epoch's metrics, said as the latest (`latest_step`,
//! the compare table's `latest epoch N, running`, the leaderboard's `latest N`), never as its
//! best, with no rank or value, beside completed trials shown as before; and the API's version
//! on every answer that is an object.

use actix_web::http::StatusCode;
use experiment::{MetricPoint, Step, TrialId};
use serde_json::{json, Value};
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures;

/// Returns a store whose experiment `demo` runs: trials 0 and 1 completed (12 epochs, best at
/// 12), trial 2 running after 3 epochs, at `val_accuracy` 0.5 plus a tenth an epoch.
fn running_store() -> Store {
    store_in(ExperimentStatus::Running)
}

/// Returns the store of `running_store` with its experiment in `status`.
fn store_in(status: ExperimentStatus) -> Store {
    let store = Store::temporary().unwrap();
    let info = fixtures::info("demo", status, 3);
    store.create_experiment(&info).unwrap();
    for i in 0..3 {
        let t = fixtures::trial(i, 3);
        store.put_trial("demo", &t).unwrap();
        let epochs = if i == 2 { 3 } else { 12 };
        for e in 1..=epochs {
            let accuracy = 0.5 + f64::from(e) / 10.0;
            let points = [
                MetricPoint {
                    name: "val_accuracy".into(),
                    value: accuracy,
                },
                MetricPoint {
                    name: "val_loss".into(),
                    value: 1.0 - accuracy,
                },
            ];
            store
                .append_metrics("demo", TrialId(i), Step(e), &points)
                .unwrap();
        }
    }
    store
}

/// Returns the JSON of a GET of `uri` answered 200.
async fn get_json(store: &Store, uri: &str) -> Value {
    let (status, body) = get(store, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"))
}

/// Returns trial `id`'s row of a trials page.
fn row(page: &Value, id: u32) -> Value {
    let rows = page["trials"].as_array().cloned().unwrap_or_default();
    rows.into_iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no trial {id}: {page}"))
}

#[test]
fn the_api_gives_a_running_trial_its_latest_epochs_metrics_said_as_the_latest() {
    run(async {
        let store = running_store();
        let page = get_json(&store, "/api/experiments/demo/trials").await;
        let one = get_json(&store, "/api/experiments/demo/trials/2").await;
        let done = fixtures::trial(0, 3);
        for running in [row(&page, 2), one] {
            assert_eq!(running["state"], "running", "{running}");
            // Its metrics at epoch 3, the latest it reported: not its best, which it has not.
            assert_eq!(running["latest_step"], 3, "{running}");
            assert_eq!(running["epochs_trained"], 3, "{running}");
            let metrics = &running["metrics"];
            assert_eq!(metrics["val_accuracy"].as_f64(), Some(0.5 + 3.0 / 10.0));
            assert_eq!(metrics["val_loss"].as_f64(), Some(1.0 - (0.5 + 3.0 / 10.0)));
            // No rank, no value and no best epoch, as the leaderboard ranks.
            for field in ["rank", "value", "best_step"] {
                assert_eq!(running[field], Value::Null, "{field}: {running}");
            }
        }
        // A completed trial as before: its result's metrics at its best epoch, no latest.
        let completed = row(&page, 0);
        assert!(completed.get("latest_step").is_none(), "{completed}");
        assert_eq!(completed["best_step"], 12);
        let result = done.result.as_ref().map(|r| json!(r.metrics));
        assert_eq!(Some(completed["metrics"].clone()), result);
        assert!(completed["rank"].is_u64(), "{completed}");
    });
}

#[test]
fn the_compare_table_shows_a_running_trials_latest_epoch_beside_a_completed_one() {
    run(async {
        let store = running_store();
        let (status, page) = get(&store, "/experiments/demo/compare?t=0&t=2").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains(">running, latest epoch 3</td>"), "{page}");
        assert!(page.contains("title=\"0.8000 at latest epoch 3, running\">0.8000</td>"));
        assert!(page.contains(">completed</td>"), "{page}");
    });
}

/// Returns the leaderboard row of trial `id` on experiment page `page`.
fn board_row(page: &str, id: u32) -> &str {
    let start = format!("data-trial=\"{id}\"");
    let row = page.split(&start).nth(1).unwrap_or_default();
    row.split("</tr>").next().unwrap_or_default()
}

#[test]
fn the_leaderboard_shows_a_running_trials_latest_epoch_unranked_beside_completed_ones() {
    run(async {
        let store = running_store();
        let (status, page) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let running = board_row(&page, 2);
        // Its objective at epoch 3, the latest it reported, said so; no rank.
        assert!(
            running.contains(
                "<td class=\"num strong latest\" title=\"0.8000 at latest epoch 3, running\">0.8000</td>"
            ),
            "{running}"
        );
        assert!(running.contains(">latest 3</span>"), "{running}");
        assert!(
            running.contains("<td class=\"num\">-</td>"),
            "its rank: {running}"
        );
        // A completed trial as before: ranked, at its best epoch, nothing said of a latest.
        let completed = board_row(&page, 0);
        assert!(!completed.contains("latest"), "{completed}");
        assert!(
            completed.contains("<td class=\"num\">12</td>"),
            "{completed}"
        );
    });
}

#[test]
fn a_running_trials_page_shows_its_latest_epochs_metrics_said_as_the_latest() {
    run(async {
        let store = running_store();
        let (status, page) = get(&store, "/experiments/demo/trials/2").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.contains("Metrics at the latest epoch, 3</h2>"),
            "{page}"
        );
        assert!(
            page.contains("latest\" title=\"0.8000 at latest epoch 3, running\">0.8000</td>"),
            "{page}"
        );
        assert!(
            page.contains(
                "<dt>val_accuracy</dt><dd title=\"0.8000 at latest epoch 3, running\">0.8000 \
                 (latest epoch 3)</dd>"
            ),
            "{page}"
        );
        // A completed trial's page as before.
        let (_, done) = get(&store, "/experiments/demo/trials/0").await;
        assert!(done.contains("Metrics at the best epoch</h2>"), "{done}");
        assert!(!done.contains("latest epoch"), "{done}");
    });
}

#[test]
fn every_api_answer_that_is_an_object_carries_the_api_version_first() {
    run(async {
        let store = running_store();
        let objects = [
            "/api/experiments",
            "/api/experiments/demo",
            "/api/experiments/demo/trials",
            "/api/experiments/demo/importance",
            "/api/experiments/demo/trials/0",
            "/api/experiments/demo/trials/0/metrics/val_accuracy",
        ];
        for uri in objects {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
            let first = format!("{{\"api_version\":{}", crate::api::API_VERSION);
            assert!(body.starts_with(&first), "{uri}: {body}");
        }
        assert_eq!(crate::api::API_VERSION, 2);
        // An error is an object too: its version first, then what went wrong.
        let (status, body) = get(&store, "/api/experiments/nothing-here").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let first = format!("{{\"api_version\":{},\"error\":", crate::api::API_VERSION);
        assert!(body.starts_with(&first), "{body}");
        // The arrays stay bare arrays.
        for uri in [
            "/api/experiments/demo/history",
            "/api/experiments/demo/trials/0/metrics",
        ] {
            assert!(get_json(&store, uri).await.is_array(), "{uri}");
        }
    });
}

/// Issue: a count (`param_count`) was written as a float in the API's metrics (`85002.0`),
/// where the CLI's JSON writes an integer; another metric stays a float, `3.0` included.
#[test]
fn a_count_in_the_apis_metrics_is_an_integer_as_the_clis_json_writes_it() {
    run(async {
        let store = Store::temporary().unwrap();
        let info = fixtures::info("demo", ExperimentStatus::Finished, 1);
        store.create_experiment(&info).unwrap();
        let mut t = fixtures::trial(0, 2);
        if let Some(result) = t.result.as_mut() {
            result.metrics.insert("param_count".into(), 85002.0);
            result.metrics.insert("val_loss".into(), 3.0);
        }
        store.put_trial("demo", &t).unwrap();
        let one = get_json(&store, "/api/experiments/demo/trials/0").await;
        assert_eq!(one["metrics"]["param_count"], json!(85002), "{one}");
        assert!(one["metrics"]["param_count"].is_i64(), "{one}");
        assert!(one["metrics"]["val_loss"].is_f64(), "{one}");
        let page = get_json(&store, "/api/experiments/demo/trials").await;
        assert!(row(&page, 0)["metrics"]["param_count"].is_i64(), "{page}");
    });
}

/// Returns the trial numbers of a trials page, in its order.
fn ids(page: &Value) -> Vec<u64> {
    let rows = page["trials"].as_array().cloned().unwrap_or_default();
    rows.iter().filter_map(|r| r["id"].as_u64()).collect()
}

/// Returns the trial numbers of the leaderboard rows of experiment page `page`, in its order.
fn board_ids(page: &str) -> Vec<u32> {
    (page.split("data-trial=\"").skip(1))
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// Issue: a running trial showed `latest 0.8` in italics but sorted as if it had no value (last
/// either way) and no filter on a metric kept it. It now sorts and filters by its latest values,
/// as W&B sorts a run by its latest summary, running or not, still in italics and unranked; by
/// `epoch` (a best epoch, which it has not) as before.
#[test]
fn issue_a_running_trial_sorts_and_filters_by_its_latest_values() {
    run(async {
        let store = running_store();
        // Completed trial 0 at 0.7266 and trial 1 at 0.8903; trial 2 runs, latest 0.8.
        let api = "/api/experiments/demo/trials";
        let by = |q: &str| format!("{api}?{q}");
        let desc = get_json(&store, &by("sort=metric.val_accuracy&dir=desc")).await;
        assert_eq!(ids(&desc), [1, 2, 0], "{desc}");
        let asc = get_json(&store, &by("sort=metric.val_accuracy&dir=asc")).await;
        assert_eq!(ids(&asc), [0, 2, 1], "{asc}");
        let kept = get_json(&store, &by("filter=metric.val_accuracy+%3E+0.75")).await;
        assert_eq!(ids(&kept), [1, 2], "{kept}");
        assert_eq!(kept["matching"], 2, "{kept}");
        let low = get_json(&store, &by("filter=metric.val_loss+%3E+0.25")).await;
        assert_eq!(ids(&low), [0], "{low}");
        // By its best epoch it has none: last, and no filter on it keeps it.
        let epoch = get_json(&store, &by("sort=epoch&dir=desc")).await;
        assert_eq!(ids(&epoch), [1, 0, 2], "{epoch}");
        let both = by("filter=epoch+%3E%3D+1+and+metric.val_accuracy+%3E+0.75");
        assert_eq!(ids(&get_json(&store, &both).await), [1]);
        // Still unranked, its values said as the latest.
        assert_eq!(row(&desc, 2)["rank"], Value::Null, "{desc}");
        assert_eq!(row(&desc, 2)["latest_step"], 3, "{desc}");

        // The page sorts and filters as the API does, the running row in italics.
        let page = "/experiments/demo?sort=metric.val_accuracy&dir=desc";
        let (status, sorted) = get(&store, page).await;
        assert_eq!(status, StatusCode::OK, "{sorted}");
        assert_eq!(board_ids(&sorted), [1, 2, 0]);
        let running = board_row(&sorted, 2);
        assert!(running.contains("num strong latest"), "{running}");
        assert!(running.contains(">latest 3</span>"), "{running}");
        let filtered = "/experiments/demo?filter=metric.val_accuracy+%3E+0.75";
        let (_, filtered) = get(&store, filtered).await;
        assert_eq!(board_ids(&filtered), [1, 2]);
        assert!(
            filtered.contains("download these 2 trials as CSV"),
            "{filtered}"
        );
        // The download holds the trials its link counts, in the page's order.
        let csv = "/experiments/demo/trials.csv?sort=metric.val_accuracy&dir=desc\
                   &filter=metric.val_accuracy+%3E+0.75";
        let (status, csv) = get(&store, csv).await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        let first_cells: Vec<&str> = (csv.lines().skip(1))
            .filter_map(|l| l.split(',').next())
            .collect();
        assert_eq!(first_cells, ["1", "2"], "{csv}");
    });
}

/// Issue: where a kill left a trial running (shown `interrupted`), the tooltips and the note of
/// its latest values said it "has not ended", as of a trial still running: the compare page's
/// state, the leaderboard's `latest N` and its page's note now say a killed sweep cut it off.
#[test]
fn issue_an_interrupted_trials_latest_values_say_a_kill_cut_it_off() {
    run(async {
        let cut = "a killed sweep cut it off before it ended";
        let uris = [
            "/experiments/demo/compare?t=0&t=2",
            "/experiments/demo",
            "/experiments/demo/trials/2",
        ];
        let killed = store_in(ExperimentStatus::Interrupted);
        for uri in uris {
            let (status, page) = get(&killed, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {page}");
            let page = page.to_lowercase();
            assert!(page.contains(cut), "{uri}: {page}");
            assert!(!page.contains("has not ended"), "{uri}: {page}");
        }
        let running = running_store();
        for uri in uris {
            let (_, page) = get(&running, uri).await;
            assert!(
                page.to_lowercase().contains("has not ended"),
                "{uri}: {page}"
            );
            assert!(!page.contains(cut), "{uri}: {page}");
        }
        let (_, board) = get(&killed, "/experiments/demo").await;
        assert!(
            board_row(&board, 2).contains(
                "not of its best: a killed sweep cut it off before it ended; it runs again from \
                 scratch when the same command runs again, and is ranked once it ends\">latest 3<"
            ),
            "{board}"
        );
    });
}

/// Issue: a running trial's page took the last epoch any metric reported as its latest and
/// showed only the metrics reported then: where metrics report at different epochs, the others
/// were missing. Each now shows its own last point, its epoch beside the value and in its
/// tooltip.
#[test]
fn issue_a_running_trials_page_shows_each_metric_at_its_own_last_report() {
    run(async {
        let store = Store::temporary().unwrap();
        let info = fixtures::info("demo", ExperimentStatus::Running, 1);
        store.create_experiment(&info).unwrap();
        store.put_trial("demo", &fixtures::trial(0, 1)).unwrap();
        let point = |name: &str, value: f64| MetricPoint {
            name: name.into(),
            value,
        };
        let epochs: [&[MetricPoint]; 3] = [
            &[
                point("val_accuracy", 0.5),
                point("val_loss", 0.5),
                point("param_count", 1000.0),
            ],
            &[point("val_accuracy", 0.625), point("val_loss", 0.375)],
            &[point("val_accuracy", 0.75)],
        ];
        for (e, points) in (1..).zip(epochs) {
            store
                .append_metrics("demo", TrialId(0), Step(e), points)
                .unwrap();
        }
        let (status, page) = get(&store, "/experiments/demo/trials/0").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.contains("Metrics at the latest epoch, 3</h2>"),
            "{page}"
        );
        let cell = |name: &str, title: &str, value: &str| {
            format!(
                "<th scope=\"row\">{name}</th><td class=\"num latest\" title=\"{title}\">{value}</td>"
            )
        };
        for want in [
            cell(
                "val_accuracy",
                "0.7500 at latest epoch 3, running",
                "0.7500",
            ),
            cell(
                "val_loss",
                "0.3750 at epoch 2, its last report; latest epoch 3, running",
                "0.3750 (epoch 2)",
            ),
            cell(
                "param_count",
                "1000 at epoch 1, its last report; latest epoch 3, running",
                "1000 (epoch 1)",
            ),
        ] {
            assert!(page.contains(&want), "{want}: {page}");
        }
    });
}
