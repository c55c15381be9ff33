//! Handler tests, through `app` without a port, of what the dashboard tells a watcher that an
//! audit found told wrong: the trial page's rerun runs the experiment file as it is now (which
//! may have been edited since the run), so it says so and gives the way to run the stored spec;
//! a comparison's note never suggests a near name already compared, nor one twice; and an
//! unknown `state=` lists the words that work, with when each applies.

use actix_web::http::StatusCode;
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures::{self, fill, store_with};

/// Returns the text of the note on `page` naming what is gone (`class="notice gone"`), if shown.
fn gone_note(page: &str) -> Option<&str> {
    page.split("<p class=\"notice gone\">")
        .nth(1)?
        .split("</p>")
        .next()
}

#[test]
fn issue_watch_1_the_rerun_says_it_runs_the_file_as_it_is_now_and_gives_the_stored_spec() {
    run(async {
        let store = Store::temporary().unwrap();
        let info = fixtures::info("tuned", ExperimentStatus::Finished, 8);
        store.create_experiment(&info).unwrap();
        store.put_trial("tuned", &fixtures::trial(2, 8)).unwrap();
        let record = store::RunRecord {
            spec_file: "/work/tuned.yaml".into(),
            ..store::RunRecord::default()
        };
        store.put_run_record("tuned", &record).unwrap();
        let (status, page) = get(&store, "/experiments/tuned/trials/2").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // The file may have been edited since the run: its rerun is the same trial only while
        // the file holds the stored spec, and the page says so.
        assert!(
            page.contains("into a fresh store from the experiment file as it is now.")
                && page.contains(
                    "only while the file holds the spec stored with the experiment (shown \
                     below): a file edited since the run runs other settings"
                ),
            "{page}"
        );
        assert!(
            page.contains("sweep run /work/tuned.yaml --store .sweep-reproduce-2 --run-cap 3</"),
            "{page}"
        );
        // The stored spec, saved beside the file (where its data paths are read), and run.
        let stored = "<code>sweep show tuned --spec --store .sweep &#62; /work/tuned.stored.yaml\n\
                      sweep run /work/tuned.stored.yaml --store .sweep-reproduce-2 --run-cap 3\
                      </code>";
        assert!(page.contains(stored), "{stored}\n{page}");
        // The check from the stored record comes first, with its stored parameters.
        let check = page.find("sweep reproduce tuned/2").unwrap_or(usize::MAX);
        let rerun = page.find("sweep run /work/tuned.yaml").unwrap_or(0);
        assert!(check < rerun, "{page}");
        assert!(
            page.contains("from its record, with its stored parameters and seed,"),
            "{page}"
        );
    });
}

#[test]
fn issue_watch_2_a_removed_experiment_is_not_pointed_at_one_already_compared() {
    run(async {
        let store = store_with("small-a", 3);
        fill(&store, "small-b", 3);
        fill(&store, "small-c", 3);
        store.remove_experiment("small-b").unwrap();
        let (status, page) = get(&store, "/compare?e=small-a&e=small-b&e=small-c").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some("no experiment named small-b (removed since, or never there): comparing the other 2"),
            "{page}"
        );
        // Two gone names near the same one not compared: it is suggested once.
        fill(&store, "small-d", 3);
        let (status, page) =
            get(&store, "/compare?e=small-a&e=small-c&e=small-d1&e=small-d2").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some(
                "no experiments named small-d1 (removed since, or mistyped: did you mean \
                 small-d?), small-d2 (removed since, or never there): comparing the other 2"
            ),
            "{page}"
        );
    });
}

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
