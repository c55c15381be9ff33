//! Handler tests of the trials ticked for comparing on the leaderboard (`?t=`), through `app`
//! without a port: every link of the leaderboard keeps them, as the experiment list's keep its
//! `?e=`, and a ticked trial another page shows comes back ticked above the table.

use actix_web::http::StatusCode;

use crate::tests::{get, links_to, run};
use crate::view::fixtures::store_with;

/// Returns the trial numbers of the leaderboard rows `page` shows, in order.
fn rows(page: &str) -> Vec<u32> {
    page.split("<tr class=\"trial-row")
        .skip(1)
        .filter_map(|row| {
            row.split("data-trial=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn ticked_trials_travel_with_the_leaderboards_links_and_show_on_every_page() {
    run(async {
        let store = store_with("demo", 12);
        let (status, first) = get(&store, "/experiments/demo?per_page=5").await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let shown = rows(&first);
        let (&here, elsewhere) = (shown.first().unwrap(), 11 - shown[0]);
        assert!(!shown.contains(&elsewhere), "{shown:?}");
        // Ticked in that order: one on this page, one not, one the experiment does not hold.
        let uri = format!("/experiments/demo?per_page=5&t={elsewhere}&t={here}&t=99");
        let (status, page) = get(&store, &uri).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let kept = format!("&t={elsewhere}&t={here}");
        for link in ["next", "last", "all ", "completed ", "trial"] {
            let hrefs = links_to(&page, link);
            assert!(
                !hrefs.is_empty()
                    && hrefs
                        .iter()
                        .all(|h| h.contains(&kept) && !h.contains("t=99")),
                "{link}: {hrefs:?}"
            );
        }
        // The filter form keeps them, the CSV download does not take them.
        for id in [elsewhere, here] {
            let hidden = format!("<input type=\"hidden\" name=\"t\" value=\"{id}\">");
            assert!(page.contains(&hidden), "{hidden}");
        }
        let download = links_to(&page, "download");
        assert!(download.iter().all(|h| !h.contains("&t=")), "{download:?}");
        // The row ticked here is ticked; the one elsewhere is ticked above the table.
        let box_of = |id: u32| {
            format!("<input type=\"checkbox\" name=\"t\" value=\"{id}\" checked aria-label=\"compare trial {id}\">")
        };
        assert!(page.contains(&box_of(here)), "{page}");
        let above = page
            .split("<table class=\"leaderboard\">")
            .next()
            .unwrap_or_default();
        // What "also picked" means is visible text, not a title the keyboard and touch miss.
        assert!(
            above.contains("<span class=\"of\">also picked (on other pages, or hidden by the state or filter):</span>")
                && above.contains(&box_of(elsewhere)),
            "{above}"
        );
        assert_eq!(
            page.matches(" checked aria-label=\"compare trial").count(),
            2
        );
        // On the page that shows it, it is ticked in its row, and nothing is above the table.
        let mut found = false;
        for n in 2..=3 {
            let (_, other) = get(
                &store,
                &format!("/experiments/demo?per_page=5&page={n}{kept}"),
            )
            .await;
            if rows(&other).contains(&elsewhere) {
                let above = other
                    .split("<table class=\"leaderboard\">")
                    .next()
                    .unwrap_or_default();
                assert!(!above.contains(&box_of(elsewhere)), "{above}");
                assert!(other.contains(&box_of(elsewhere)), "{other}");
                found = true;
            }
        }
        assert!(found, "trial {elsewhere} is on page 2 or 3");
        // A tick that is not a trial number is a bad request, as on the compare page.
        let (status, _) = get(&store, "/experiments/demo?t=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

/// Sends GETs for `uris`, in turn, to one frozen dashboard over `store` (one snapshot, which
/// keeps the pages it renders); returns the bodies.
async fn pages_of_one_app(store: &store::Store, uris: &[&str]) -> Vec<String> {
    use actix_web::test::{call_service, init_service, read_body, TestRequest};
    let dashboard = crate::Dashboard::new(
        store.clone(),
        crate::Access::open(),
        crate::Freshness::Frozen,
        crate::view::fixtures::clock(),
    );
    let service = init_service(dashboard.app()).await;
    let mut bodies = Vec::new();
    for uri in uris {
        let res = call_service(&service, TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        bodies.push(String::from_utf8_lossy(&read_body(res).await).into_owned());
    }
    bodies
}

#[test]
fn a_kept_page_is_not_answered_for_one_with_ticks_and_unknown_ids_crowd_out_none() {
    run(async {
        let store = store_with("demo", 12);
        let first = get(&store, "/experiments/demo?per_page=5").await.1;
        let here = rows(&first)[0];
        let ticked = format!("<input type=\"checkbox\" name=\"t\" value=\"{here}\" checked");
        // The page without ticks is kept; the same page with one is another page.
        let with_tick = format!("/experiments/demo?per_page=5&t={here}");
        let pages = pages_of_one_app(&store, &["/experiments/demo?per_page=5", &with_tick]).await;
        assert!(!pages[0].contains(&ticked), "{}", pages[0]);
        assert!(pages[1].contains(&ticked), "{}", pages[1]);
        // Eight ticks of trials it does not hold, then one it does: the one it holds is kept,
        // and the unknown ids are the page without ticks (kept under the same key).
        let unknown = "&t=99&t=98&t=97&t=96&t=95&t=94&t=93&t=92";
        let crowded = format!("/experiments/demo?per_page=5{unknown}&t={here}");
        let only_unknown = format!("/experiments/demo?per_page=5{unknown}");
        let pages = pages_of_one_app(
            &store,
            &[&crowded, "/experiments/demo?per_page=5", &only_unknown],
        )
        .await;
        assert!(pages[0].contains(&ticked), "{}", pages[0]);
        let next = links_to(&pages[0], "next");
        assert!(
            next.iter()
                .all(|h| h.contains(&format!("&t={here}")) && !h.contains("t=99")),
            "{next:?}"
        );
        assert_eq!(pages[1], pages[2]);
        assert!(!pages[2].contains("t=99"));
    });
}

#[test]
fn an_address_is_read_for_its_first_picks_only() {
    use crate::view::leaderboard::{picked_trials, MAX_PICKS_READ};
    let query: String = (0..MAX_PICKS_READ + 10)
        .map(|i| format!("t={i}&"))
        .collect();
    let picked = picked_trials(&format!("{query}t=x")).unwrap();
    let first: Vec<u32> = (0..).take(MAX_PICKS_READ).collect();
    // Past them, not even a value that is not a number is read.
    assert_eq!(picked.ids(), first);
    // Each once, in the order given.
    let picked = picked_trials("t=3&t=1&t=3&page=2&t=2").unwrap();
    assert_eq!(picked.ids(), [3, 1, 2]);
}

/// Returns the text of the leaderboard's picks note on `page` (`id="picks-note"`), if shown.
fn picks_note(page: &str) -> Option<&str> {
    page.split("<p class=\"hint picks-note\" id=\"picks-note\">")
        .nth(1)?
        .split("</p>")
        .next()
}

/// Returns an experiment page's address with `n` ticks, of trials 0 to `n - 1`.
fn ticked(n: u32) -> String {
    let ticks: String = (0..n).map(|t| format!("&t={t}")).collect();
    format!("/experiments/demo?per_page=5{ticks}")
}

#[test]
fn ten_ticks_show_the_picks_note_on_the_page() {
    run(async {
        let store = store_with("demo", 12);
        let (status, page) = get(&store, &ticked(10)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            picks_note(&page),
            Some(
                "10 trials were ticked; a comparison takes at most 8, so the first 8 ticked \
                 are kept"
            ),
            "{page}"
        );
        // The first 8 ticked are the ones kept: in the links, the 9th and 10th not.
        let next = links_to(&page, "next");
        let kept: String = (0..8).map(|t| format!("&t={t}")).collect();
        assert!(
            next.iter()
                .all(|h| h.ends_with(&format!("{kept}#leaderboard"))),
            "{next:?}"
        );
        // As many as a comparison takes: no note.
        let (_, page) = get(&store, &ticked(8)).await;
        assert_eq!(picks_note(&page), None, "{page}");
    });
}

#[test]
fn a_kept_page_is_not_answered_for_one_whose_picks_note_differs() {
    run(async {
        let store = store_with("demo", 12);
        // One snapshot keeps each page it renders: 12 ticks keep the same 8 as 9 do.
        let pages = pages_of_one_app(&store, &[&ticked(9), &ticked(12), &ticked(9)]).await;
        let note = |n: u32| {
            format!(
                "{n} trials were ticked; a comparison takes at most 8, so the first 8 ticked \
                 are kept"
            )
        };
        assert_eq!(picks_note(&pages[0]), Some(note(9).as_str()));
        assert_eq!(picks_note(&pages[1]), Some(note(12).as_str()));
        assert_eq!(pages[0], pages[2]);
        // Values past those read, after as many that name no trial it holds: none is kept,
        // but the page counts those past (not the unknown ones read, `Ticks::only`), so it is
        // not the page without ticks.
        let read = u32::try_from(crate::view::leaderboard::MAX_PICKS_READ).unwrap();
        let unknown: String = (100..100 + read).map(|t| format!("&t={t}")).collect();
        let crowded = format!("/experiments/demo?per_page=5{unknown}&t=1&t=2");
        let pages = pages_of_one_app(&store, &["/experiments/demo?per_page=5", &crowded]).await;
        assert_eq!(picks_note(&pages[0]), None);
        assert_eq!(
            picks_note(&pages[1]),
            Some(note(2).as_str()),
            "{}",
            pages[1]
        );
    });
}
