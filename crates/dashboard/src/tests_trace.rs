//! Handler tests of what the pages show of interrupted runs (`store::TrialTrace`), through
//! `app` without a port: a trial's run to its last report and its attempts cut off, the
//! leaderboard's and the timeline's trial a kill left running, and the command that resumes
//! an agent's sweep.

use actix_web::http::StatusCode;
use experiment::{Step, Timestamp};
use store::{AgentOf, CutAttempt, CutBy, ExperimentStatus, Heard, RunRecord, Store, TrialTrace};

use crate::tests::{get, run};
use crate::view::fixtures::{self, store_with};

/// Returns a store holding the interrupted experiment `demo` of 6 trials: trial 5, left
/// running by a kill, last stored its third epoch 2.5 s after it started; trial 2 ran once
/// before, for 10 s, and was stopped after 4 epochs.
fn traced_store() -> (Store, Timestamp) {
    let store = store_with("demo", 6);
    let mut info = store.experiment("demo").unwrap().unwrap();
    info.status = ExperimentStatus::Interrupted;
    info.finished = None;
    store.update_experiment(&info).unwrap();
    let killed = fixtures::trial(5, 6);
    let heard = Timestamp(killed.started.unwrap().0 + 2_500);
    let trace = TrialTrace {
        heard: Some(Heard {
            at: heard,
            step: Step(3),
        }),
        cut: Vec::new(),
    };
    store.put_trial_traced("demo", &killed, &trace).unwrap();
    let stopped = fixtures::trial(2, 6);
    let first = fixtures::trial(0, 6).started.unwrap();
    let trace = fixtures::stopped_once_before(first);
    store.put_trial_traced("demo", &stopped, &trace).unwrap();
    (store, heard)
}

#[test]
fn a_trial_page_shows_the_run_to_its_last_report_and_the_attempts_cut_off() {
    run(async {
        let (store, heard) = traced_store();
        let (status, killed) = get(&store, "/experiments/demo/trials/5").await;
        assert_eq!(status, StatusCode::OK, "{killed}");
        let known = format!(
            "2.5s until last heard from, at epoch 3 ({} UTC)",
            heard.utc()
        );
        assert!(killed.contains(&known), "{killed}");
        let (_, stopped) = get(&store, "/experiments/demo/trials/2").await;
        assert!(
            stopped.contains("attempts cut off")
                && stopped.contains("1 (stopped): 4 epochs, 10.0s of compute")
                && stopped.contains("those of known time count in the experiment&#39;s busy time"),
            "{stopped}"
        );
        // A trial never interrupted says neither.
        let (_, plain) = get(&store, "/experiments/demo/trials/1").await;
        assert!(
            !plain.contains("attempts cut off") && !plain.contains("last heard"),
            "{plain}"
        );
    });
}

#[test]
fn an_agents_interrupted_sweep_page_resumes_it_as_that_agent() {
    run(async {
        let (store, _) = traced_store();
        let (_, plain) = get(&store, "/experiments/demo").await;
        assert!(
            plain.contains(
                "<pre class=\"command resume-command\">sweep run experiments/fixture.yaml \
                 --store .sweep</pre>"
            ),
            "{plain}"
        );
        let record = RunRecord {
            spec_file: "/abs/experiments/fixture.yaml".into(),
            agent: Some(AgentOf {
                agent: 1,
                agents: 3,
            }),
            ..RunRecord::default()
        };
        store.put_run_record("demo", &record).unwrap();
        let (_, page) = get(&store, "/experiments/demo").await;
        assert!(
            page.contains(
                "<pre class=\"command resume-command\">sweep run /abs/experiments/fixture.yaml \
                 --store .sweep --agent 1/3 --exchange &#60;EXCHANGE&#62;  # &#60;EXCHANGE&#62;: \
                 the folder the agents share"
            ),
            "{page}"
        );
        // Its record keeps the spec file absolute, and the exchange folder as the CLI gave
        // it (absolute): the command names both, to run from any folder.
        let record = RunRecord {
            exchange: Some("/abs/ex".into()),
            ..record
        };
        store.put_run_record("demo", &record).unwrap();
        let (_, page) = get(&store, "/experiments/demo").await;
        assert!(
            page.contains(
                "<pre class=\"command resume-command\">sweep run /abs/experiments/fixture.yaml \
                 --store .sweep --agent 1/3 --exchange /abs/ex</pre>"
            ),
            "{page}"
        );
    });
}

#[test]
fn the_trial_api_answers_its_trace_and_none_for_a_trial_never_interrupted() {
    run(async {
        let (store, heard) = traced_store();
        let (_, body) = get(&store, "/api/experiments/demo/trials/5").await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["trace"]["last_heard_ms"], heard.0, "{body}");
        assert_eq!(json["trace"]["last_heard_epoch"], 3, "{body}");
        let (_, body) = get(&store, "/api/experiments/demo/trials/1").await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(json.get("trace").is_none(), "{body}");
        let (_, body) = get(&store, "/api/experiments/demo/trials/2").await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let cut = &json["trace"]["cut"][0];
        assert_eq!(
            (
                &cut["epochs"],
                &cut["by"],
                cut["ended_ms"]
                    .as_i64()
                    .zip(cut["started_ms"].as_i64())
                    .map(|(e, s)| e - s)
            ),
            (
                &serde_json::json!(4),
                &serde_json::json!("stopped"),
                Some(10_000)
            ),
            "{body}"
        );
        // An attempt killed before it was heard from has no known end.
        let unheard = fixtures::trial(4, 6);
        let started = unheard.started.unwrap();
        let trace = TrialTrace {
            heard: None,
            cut: vec![CutAttempt {
                started,
                ended: started,
                epochs: 2,
                by: CutBy::KillUnheard,
            }],
        };
        store.put_trial_traced("demo", &unheard, &trace).unwrap();
        let (_, body) = get(&store, "/api/experiments/demo/trials/4").await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let cut = &json["trace"]["cut"][0];
        assert_eq!(cut["by"], "killed", "{body}");
        assert_eq!(cut["epochs"], 2, "{body}");
        assert_eq!(cut["started_ms"], started.0, "{body}");
        assert!(cut.get("ended_ms").is_none(), "{body}");
        // Its tooltip says its time was not recorded, not that it was never heard from: it
        // may have stored epochs.
        let (_, page) = get(&store, "/experiments/demo").await;
        let title = "<title>trial 4: an attempt killed after 2 epochs, its time not recorded, \
                     then run again from scratch</title>";
        assert!(page.contains(title), "{page}");
    });
}

#[test]
fn the_leaderboard_gives_a_killed_trial_its_time_to_its_last_report() {
    run(async {
        let (store, heard) = traced_store();
        let (_, page) = get(&store, "/experiments/demo").await;
        let row = page
            .split("<tr class=\"trial-row")
            .find(|row| row.contains("data-trial=\"5\""))
            .unwrap_or_default();
        let title = format!(
            "title=\"a killed sweep left it running: from its start to its last report, epoch 3 \
             at {} UTC; its end is not known\">2.5s (last heard)</td>",
            heard.utc()
        );
        assert!(row.contains(&title), "{row}");
        // Trial 2, stopped once and run again to its end, shows its own run's time alone.
        let row = page
            .split("<tr class=\"trial-row")
            .find(|row| row.contains("data-trial=\"2\""))
            .unwrap_or_default();
        assert!(row.contains("<td class=\"num\">0.9s</td>"), "{row}");
    });
}

#[test]
fn the_timeline_ends_a_killed_trial_at_its_last_report_and_draws_its_cut_attempts() {
    run(async {
        let (store, _) = traced_store();
        let (_, page) = get(&store, "/experiments/demo").await;
        let timeline = page
            .split("aria-label=\"timeline of")
            .nth(1)
            .and_then(|chart| chart.split("</svg>").next())
            .unwrap_or_default();
        assert!(
            timeline.starts_with(
                " 6 trials: 3 completed, 1 pruned, 1 failed, 1 interrupted; 1 attempt cut off before \
                 its trial ran again (thin grey bars)\""
            ),
            "{timeline}"
        );
        for title in [
            "<title>trial 5: interrupted, last heard from after 2.5s (the sweep was killed while \
             it ran)</title>",
            "<title>trial 2: an attempt stopped after 10.0s and 4 epochs, then run again from \
             scratch</title>",
        ] {
            assert!(timeline.contains(title), "{title} in {timeline}");
        }
        // The hint above it names every mark: the pause too, and the thin grey bars.
        assert!(
            page.contains("an interrupted one in a pause mark at its last report")
                && page.contains("a thin grey bar on a trial's row is an attempt cut off"),
            "{page}"
        );
        assert!(
            page.contains(
                "1 attempt cut off by a stop or a kill, each a thin grey bar on its \
                           trial&#39;s row"
            ),
            "{page}"
        );
    });
}

#[test]
fn the_experiment_page_says_the_epochs_of_attempts_cut_off() {
    run(async {
        let (store, _) = traced_store();
        let (status, page) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // Trial 2's attempt a stop cut off after 4 epochs, from the traces the snapshot holds,
        // and trial 5's 12, which a kill left running (no sweep runs it: cut off, as `sweep
        // show` counts it).
        assert!(page.contains(", 16 more in attempts cut off"), "{page}");
    });
}

#[test]
fn the_experiment_api_answers_the_epochs_of_attempts_cut_off_apart_from_those_trained() {
    run(async {
        let (store, _) = traced_store();
        let (status, body) = get(&store, "/api/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        // Trial 2's attempt a stop cut off after 4 epochs, and trial 5's 12, which a kill left
        // running, as the page says it.
        assert_eq!(json["epochs"]["cut"], 16, "{body}");
        let (_, page) = get(&store, "/experiments/demo").await;
        let trained = json["epochs"]["trained"].as_u64().unwrap_or_default();
        assert!(
            page.contains(&format!("{trained} trained of at most"))
                && page.contains(", 16 more in attempts cut off"),
            "{page}"
        );
        // An experiment a sweep runs, none of whose attempts was cut off, answers 0: its trial
        // running is not cut off.
        let plain = store_with("plain", 3);
        let mut info = plain.experiment("plain").unwrap().unwrap();
        info.status = ExperimentStatus::Running;
        info.finished = None;
        plain.update_experiment(&info).unwrap();
        let (_, body) = get(&plain, "/api/experiments/plain").await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["epochs"]["cut"], 0, "{body}");
    });
}
