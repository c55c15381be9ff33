//! Handler tests of what keyboard and screen-reader users meet, through `app` without a port:
//! which links a page gives assistive technology, and forms that work without the script.
//! (Layout at a phone's width needs a browser: `tests/e2e/dashboard.rs` measures it.)

use actix_web::http::StatusCode;

use crate::tests::{get, run};
use crate::view::fixtures::store_with;

/// Returns the page's links that assistive technology is shown (those outside an
/// `aria-hidden="true"` group, up to the group's end) and how many are hidden, with how many
/// of the shown ones are inside a chart.
fn links(page: &str) -> (usize, usize, usize) {
    let (mut shown, mut hidden, mut in_charts) = (0, 0, 0);
    let mut rest = page;
    let mut count = |text: &str, shown: &mut usize| {
        *shown += text.matches("<a ").count();
        in_charts += text
            .split("<svg class=\"chart\"")
            .skip(1)
            .map(|chart| chart.split("</svg>").next().unwrap_or_default())
            .map(|chart| chart.matches("<a ").count())
            .sum::<usize>();
    };
    while let Some(at) = rest.find("<g aria-hidden=\"true\">") {
        count(&rest[..at], &mut shown);
        let layer = &rest[at..];
        let end = layer.find("</g></g>").unwrap_or(layer.len());
        hidden += layer[..end].matches("<a ").count();
        rest = &layer[end..];
    }
    count(rest, &mut shown);
    (shown, hidden, in_charts)
}

#[test]
fn issue_a11y_an_experiment_page_links_its_trials_for_the_keyboard_from_the_leaderboard_alone() {
    run(async {
        let store = store_with("demo", 40);
        let (status, page) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (shown, hidden, in_charts) = links(&page);
        // The charts' marks (a link per trial drawn) are there for the mouse, out of the tab
        // order and hidden from screen readers; none of a chart's links is left shown.
        assert!(hidden >= 40, "the history alone marks 40 trials: {hidden}");
        assert_eq!(in_charts, 0, "a chart's link shown to assistive technology");
        assert_eq!(
            page.matches("tabindex=\"-1\"").count(),
            hidden + 1,
            "every mark, and <main>, out of the tab order"
        );
        // The leaderboard links each trial on its page (50 rows), and the page has its
        // other links (sort heads, pills, the pager) beside them: fewer than a hundred.
        let rows = page.matches("class=\"trial-row row-").count();
        assert!(rows > 0 && shown < 100, "{shown} links shown, {rows} rows");
        // Each chart keeps one text alternative: an image with a label (some described by
        // their panel's hint as well).
        let charts = page.matches("<svg class=\"chart\"").count();
        let labelled = page
            .split("<svg class=\"chart\" role=\"img\" ")
            .skip(1)
            .filter(|tag| {
                let tag = tag.split('>').next().unwrap_or_default();
                tag.starts_with("aria-label=\"")
                    || (tag.starts_with("aria-describedby=\"") && tag.contains("\" aria-label=\""))
            })
            .count();
        assert_eq!(labelled, charts);
    });
}

#[test]
fn issue_a11y_compare_forms_work_without_the_script() {
    run(async {
        let store = store_with("demo", 6);
        crate::view::fixtures::fill(&store, "other", 6);
        // The list's form: a GET to /compare of the ticked boxes; its button is not disabled
        // (only the script, which counts the ticks, disables it), so that it sends without
        // the script, and /compare says when fewer than 2 are ticked. Its boxes are not
        // restored by the browser on going back (autocomplete="off"): Chrome restores them by
        // position among boxes of one name, which the script's boxes above the rows shift.
        let (status, list) = get(&store, "/").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(
            list.contains("<form class=\"compare-form\" method=\"get\" action=\"/compare\" autocomplete=\"off\">")
                && list.contains("<input type=\"checkbox\" name=\"e\" value=\"other\"")
                && list.contains(
                    "<button type=\"submit\" class=\"compare-button\" id=\"compare-go\">Compare</button>"
                ),
            "{list}"
        );
        // An experiment ticked on another page shows above the table, and what that means is
        // visible text, not a title the keyboard and touch cannot reach.
        let (_, first) = get(&store, "/?sort=name&per_page=1&e=other").await;
        assert!(
            first.contains("<span class=\"of\">also picked (on other pages, or hidden by the filter):</span> <label><input type=\"checkbox\" name=\"e\" value=\"other\" checked"),
            "{first}"
        );
        let (status, _) = get(&store, "/compare?e=other&e=demo").await;
        assert_eq!(status, StatusCode::OK);
        let (status, one) = get(&store, "/compare?e=other").await;
        assert!(
            status == StatusCode::BAD_REQUEST && one.contains("pick 2 to 8 experiments"),
            "{one}"
        );
        // The leaderboard's the same way.
        let (_, page) = get(&store, "/experiments/demo").await;
        assert!(
            page.contains("<form class=\"compare-form\" method=\"get\" action=\"/experiments/demo/compare\" autocomplete=\"off\">")
                && page.contains(
                    "<button type=\"submit\" class=\"compare-button\" id=\"compare-go\">Compare</button>"
                ),
            "{page}"
        );
    });
}

#[test]
fn the_compare_counts_take_their_limits_from_the_server() {
    use crate::view::compare::{MAX_TRIALS, MIN_TRIALS};
    use crate::view::experiments_compare::{MAX_EXPERIMENTS, MIN_EXPERIMENTS};
    run(async {
        let store = store_with("demo", 4);
        // The script reads `data-min` and `data-max` (`updateCompare`); the words without it
        // say the same limits.
        let count = |noun: &str, min: usize, max: usize| {
            format!(
                "<span class=\"compare-count\" data-noun=\"{noun}\" data-min=\"{min}\" \
                 data-max=\"{max}\" aria-live=\"polite\">pick {min} to {max} {noun}</span>"
            )
        };
        let (_, list) = get(&store, "/").await;
        let wanted = count("experiments", MIN_EXPERIMENTS, MAX_EXPERIMENTS);
        assert!(list.contains(&wanted), "{wanted} in {list}");
        let (_, page) = get(&store, "/experiments/demo").await;
        let wanted = count("trials", MIN_TRIALS, MAX_TRIALS);
        assert!(page.contains(&wanted), "{wanted} in {page}");
    });
}

#[test]
fn issue_a11y_a_compare_of_too_few_or_too_many_ticks_links_back_to_where_they_were_ticked() {
    run(async {
        let store = store_with("demo", 12);
        crate::view::fixtures::fill(&store, "other", 6);
        // A compare sent without the script with 1 or 9 ticks: the error page says so and links
        // back to the leaderboard with the same ticks, to tick more or fewer, in its crumbs too.
        let (status, one) = get(&store, "/experiments/demo/compare?t=3").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{one}");
        assert!(
            one.contains("pick 2 to 8 trials to compare (1 picked)")
                && one.contains(
                    "<a href=\"/experiments/demo?t=3\">Back to demo, to tick 2 to 8 trials</a>"
                )
                && one.contains("<a href=\"/experiments/demo\">demo</a>"),
            "{one}"
        );
        let nine: String = (0..9).map(|t| format!("&t={t}")).collect();
        let (status, many) = get(&store, &format!("/experiments/demo/compare?{nine}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{many}");
        assert!(
            many.contains("(9 picked)")
                && many.contains("<a href=\"/experiments/demo?t=0&#38;t=1&#38;")
                && many.contains("t=8\">Back to demo"),
            "{many}"
        );
        let (_, none) = get(&store, "/experiments/demo/compare").await;
        assert!(
            none.contains("<a href=\"/experiments/demo\">Back to demo, to tick 2 to 8 trials</a>"),
            "{none}"
        );
        // The list's compare: back to the list, its one tick kept.
        let (status, list) = get(&store, "/compare?e=other").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{list}");
        assert!(
            list.contains("<a href=\"/?e=other\">Back to the list, to tick 2 to 8 experiments</a>"),
            "{list}"
        );
    });
}

#[test]
fn issue_a11y_the_charts_labels_say_what_they_show_and_point_at_their_panels_hints() {
    run(async {
        let store = store_with("demo", 12);
        let (status, page) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // The leaderboard's first row is the best completed trial: the history's label names it.
        let best = page
            .split("<tr class=\"trial-row")
            .nth(1)
            .and_then(|row| row.split("data-trial=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        let label = page
            .split(
                "<svg class=\"chart\" role=\"img\" aria-describedby=\"history-hint\" aria-label=\"",
            )
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        assert!(
            label.starts_with("optimization history of ")
                && label.contains(" trials, best ")
                && label.ends_with(&format!(" at trial {best}")),
            "{label}"
        );
        // Each of the four charts is described by its panel's visible hint, which is on the page.
        for hint in ["history-hint", "parallel-hint", "pairs-hint", "slices-hint"] {
            assert!(
                page.contains(&format!(
                    "<svg class=\"chart\" role=\"img\" aria-describedby=\"{hint}\" aria-label=\""
                )) && page.contains(&format!("<p class=\"hint\" id=\"{hint}\">")),
                "{hint}"
            );
        }
    });
}

#[test]
fn issue_on_a_phone_the_breadcrumb_wraps_beside_the_live_badges_and_commands_wrap() {
    // At 390 px the live badges squeezed the breadcrumb to an ellipsis that hid the
    // experiment's name, and a long command ran past its box's edge with nothing to show it.
    run(async {
        let store = store_with("demo", 1);
        let (_, css) = get(&store, "/static/css/dashboard.css").await;
        let rule = |block: &str, selector: &str| -> String {
            block
                .lines()
                .find(|line| line.trim_start().starts_with(&format!("{selector} {{")))
                .unwrap_or_default()
                .to_string()
        };
        let phone = css
            .split("@media (max-width: 640px) {")
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .unwrap_or_default();
        assert!(
            rule(phone, "header.top").contains("flex-wrap: wrap"),
            "{phone}"
        );
        assert!(
            rule(phone, ".crumbs").contains("white-space: normal"),
            "{phone}"
        );
        let command = rule(&css, "pre.command");
        assert!(command.contains("white-space: pre-wrap"), "{command}");
    });
}
