//! Handler tests of compare addresses (a bookmark keeps them) that tick what the store no longer
//! holds, through `app` without a port: an experiment since removed (`sweep rm`), a trial
//! number past those of a run again with fewer trials (or not reached yet by a run going on).
//! The others are compared, with a note naming what is gone, while at least two remain; with
//! fewer, a 404 page names what is gone and links back with the remaining ticks kept. A trial
//! number is named with the trials the experiment holds (`its trials are 0 to 9`), not as gone
//! "any more"; nor is a name: the store keeps no word of the names it held, and one with no
//! near match may never have been there. A name the store holds none of but has a near match
//! for may be mistyped rather than removed, and is said as either, with the near match.

use actix_web::http::StatusCode;

use crate::tests::{get, links_to, run};
use crate::view::fixtures::{self, fill, store_with};

/// Returns the text of the note on `page` naming what is gone (`class="notice gone"`), if shown.
fn gone_note(page: &str) -> Option<&str> {
    page.split("<p class=\"notice gone\">")
        .nth(1)?
        .split("</p>")
        .next()
}

/// Sends a live update's GET for `uri` (only `<main>`, `X-Sweep-Fragment: 1`) to a fresh app
/// over `store`; returns the status and body.
async fn get_fragment(store: &store::Store, uri: &str) -> (StatusCode, String) {
    use actix_web::test::{call_service, init_service, read_body, TestRequest};
    let app = crate::app(
        store.clone(),
        crate::Access::open(),
        crate::view::fixtures::clock(),
    );
    let service = init_service(app).await;
    let req = TestRequest::get()
        .uri(uri)
        .insert_header(("X-Sweep-Fragment", "1"));
    let res = call_service(&service, req.to_request()).await;
    let status = res.status();
    (
        status,
        String::from_utf8_lossy(&read_body(res).await).into_owned(),
    )
}

#[test]
fn issue_gone_1_a_bookmarked_comparison_of_experiments_outlives_a_removed_one() {
    run(async {
        let store = store_with("qs-tpe", 4);
        fill(&store, "qs-random", 4);
        fill(&store, "qs-sobol", 4);
        fill(&store, "qs-grid", 4);
        let bookmark = "/compare?e=qs-tpe&e=qs-sobol&e=qs-random";
        let (status, before) = get(&store, bookmark).await;
        assert_eq!(status, StatusCode::OK, "{before}");
        assert_eq!(gone_note(&before), None, "{before}");
        store.remove_experiment("qs-sobol").unwrap();
        let (status, page) = get(&store, bookmark).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some("no experiment named qs-sobol: comparing the other 2"),
            "{page}"
        );
        assert!(page.contains("<h1>Compare 2 experiments</h1>"), "{page}");
        for name in ["qs-tpe", "qs-random"] {
            let header = format!("<a href=\"/experiments/{name}\">{name}</a></th>");
            assert!(page.contains(&header), "{name}: {page}");
        }
        assert!(!page.contains("/experiments/qs-sobol"), "{page}");
        // The live update (the `<main>` fragment) says so too.
        let (status, fragment) = get_fragment(&store, bookmark).await;
        assert_eq!(status, StatusCode::OK, "{fragment}");
        assert_eq!(
            gone_note(&fragment),
            Some("no experiment named qs-sobol: comparing the other 2")
        );
        // Two gone, one left: no comparison; the page names them and goes back to the list
        // with the one left ticked.
        store.remove_experiment("qs-random").unwrap();
        let (status, page) = get(&store, "/compare?e=qs-random&e=qs-tpe&e=qs-sobol").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert!(
            page.contains(
                "no experiments named qs-random, qs-sobol: 1 other left, and a \
                 comparison takes 2 to 8 experiments"
            ),
            "{page}"
        );
        assert_eq!(
            links_to(&page, "Back to the list"),
            ["/?e=qs-tpe".to_string()],
            "{page}"
        );
        // A name that does not read is still refused, gone ones beside it or not, and so are
        // more than 8 ticks.
        let (status, _) = get(&store, "/compare?e=qs-tpe&e=qs-sobol&e=a%2Fb").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let nine: String = (0..9).map(|i| format!("&e=gone-{i}")).collect();
        let (status, _) = get(&store, &format!("/compare?e=qs-tpe{nine}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn issue_gone_2_a_bookmarked_comparison_of_trials_outlives_a_run_again_with_fewer() {
    run(async {
        let store = store_with("demo", 12);
        let bookmark = "/experiments/demo/compare?t=0&t=7&t=1&t=9";
        let (status, before) = get(&store, bookmark).await;
        assert_eq!(status, StatusCode::OK, "{before}");
        assert!(before.contains("<h1>Compare 4 trials</h1>"), "{before}");
        // `sweep rm demo`, then a run of 3 trials under the same name.
        store.remove_experiment("demo").unwrap();
        fill(&store, "demo", 3);
        let (status, page) = get(&store, bookmark).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some("no trials 7, 9 (its trials are 0 to 2): comparing the other 2"),
            "{page}"
        );
        assert!(page.contains("<h1>Compare 2 trials</h1>"), "{page}");
        for id in [0, 1] {
            let header = format!("<a href=\"/experiments/demo/trials/{id}\">trial {id}</a>");
            assert!(page.contains(&header), "{id}: {page}");
        }
        // One left: the page names those gone and goes back to the leaderboard, the one left
        // ticked.
        let (status, page) = get(&store, "/experiments/demo/compare?t=2&t=7").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert!(
            page.contains(
                "no trial 7 (its trials are 0 to 2): 1 other left, and a comparison takes 2 \
                 to 8 trials"
            ),
            "{page}"
        );
        assert_eq!(
            links_to(&page, "Back to demo"),
            ["/experiments/demo?t=2".to_string()],
            "{page}"
        );
        // A value that is not a trial number is still refused.
        let (status, _) = get(&store, "/experiments/demo/compare?t=0&t=1&t=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn issue_gone_3_a_mistyped_experiment_in_a_compare_address_is_not_said_removed() {
    run(async {
        let store = store_with("t", 4);
        fill(&store, "qs-tpe", 4);
        fill(&store, "qs-random", 4);
        // Two others left: compared, the typo named with its near match, not as removed.
        let (status, page) = get(&store, "/compare?e=qs-tpe&e=t4&e=qs-random").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some(
                "no experiment named t4 (removed since, or mistyped: did you mean t?): \
                 comparing the other 2"
            ),
            "{page}"
        );
        // Beside one that has no near match, each is said as what may have come of it (a
        // near match compared already is no suggestion: `tests_watch`).
        let (status, page) = get(&store, "/compare?e=qs-tpe&e=gone-away&e=t4&e=qs-random").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some(
                "no experiments named gone-away (removed since), t4 (removed since, or \
                 mistyped: did you mean t?): comparing the other 2"
            ),
            "{page}"
        );
        // One other left: the 404 keeps the near match, and goes back with the other ticked.
        let (status, page) = get(&store, "/compare?e=t4&e=qs-tpe").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert!(
            page.contains(
                "no experiment named t4 (removed since, or mistyped: did you mean t?): 1 other \
                 left, and a comparison takes 2 to 8 experiments"
            ),
            "{page}"
        );
        assert!(!page.contains("any more"), "{page}");
        assert_eq!(
            links_to(&page, "Back to the list"),
            ["/?e=qs-tpe".to_string()],
            "{page}"
        );
    });
}

#[test]
fn issue_gone_4_a_trial_number_a_run_has_not_reached_is_not_said_gone_any_more() {
    run(async {
        // A hand-written `t=50` on an experiment whose trials are 0 to 9 (a run going on may
        // reach it yet): the note says the trials it holds, not that 50 is gone.
        let store = store_with("demo", 10);
        let (status, page) = get(&store, "/experiments/demo/compare?t=0&t=50&t=1").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some("no trial 50 (its trials are 0 to 9): comparing the other 2"),
            "{page}"
        );
        assert!(!page.contains("any more"), "{page}");
        let (status, page) = get(&store, "/experiments/demo/compare?t=50&t=1").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert!(
            page.contains(
                "no trial 50 (its trials are 0 to 9): 1 other left, and a comparison takes 2 \
                 to 8 trials"
            ),
            "{page}"
        );
        // A number between the first and the last that the experiment does not hold: the
        // trials held are said with gaps, not as every number between.
        let store = store::Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info("gaps", store::ExperimentStatus::Running, 4))
            .unwrap();
        for id in [0, 1, 3] {
            store.put_trial("gaps", &fixtures::trial(id, 4)).unwrap();
        }
        let (status, page) = get(&store, "/experiments/gaps/compare?t=0&t=2&t=3").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            gone_note(&page),
            Some("no trial 2 (its trials are 0 to 3, with gaps): comparing the other 2"),
            "{page}"
        );
    });
}
