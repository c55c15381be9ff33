//! Handler tests of which charts the experiment page draws before a trial has completed: the
//! timeline from the first trial that started, the charts of values from the first trial
//! completed or pruned, the optimization history from the first completed one, and the line
//! that says which wait and why; and of the size a chart is shown at on a phone.

use experiment::{MetricPoint, Step, Trial, TrialState};
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures::{self, fill, store_with};

/// The sections of the charts drawn from values, completed or pruned.
const VALUE_CHARTS: [&str; 5] = [
    "id=\"curves\"",
    "id=\"parallel\"",
    "id=\"importance\"",
    "id=\"pairs\"",
    "id=\"slices\"",
];

/// Returns a temporary store holding the running experiment `live` with `trials`, each with
/// `epochs` epochs of its objective.
fn live_store(trials: &[Trial], epochs: u32) -> Store {
    let store = Store::temporary().unwrap();
    store
        .create_experiment(&fixtures::info("live", ExperimentStatus::Running, 10))
        .unwrap();
    for t in trials {
        store.put_trial("live", t).unwrap();
        for e in 1..=epochs {
            let point = MetricPoint {
                name: "val_accuracy".into(),
                value: 0.5 + f64::from(e) / 100.0 + f64::from(t.id.0) / 1000.0,
            };
            store
                .append_metrics("live", t.id, Step(e), &[point])
                .unwrap();
        }
    }
    store
}

/// Returns fixture trial `i` put in `state`, unfinished and without a result unless it is
/// pruned, as a sweep has it while it runs.
fn trial_in(i: u32, state: TrialState) -> Trial {
    let mut t = fixtures::trial(i, 20);
    t.state = state;
    if state == TrialState::Running {
        t.finished = None;
        t.result = None;
    }
    if state == TrialState::Queued {
        t.started = None;
        t.finished = None;
        t.result = None;
    }
    t
}

/// Returns the experiment page's body, asserting it answers.
async fn page_of(store: &Store) -> String {
    let (status, page) = get(store, "/experiments/live").await;
    assert_eq!(status, actix_web::http::StatusCode::OK, "{page}");
    page
}

#[test]
fn a_sweep_whose_trials_all_run_or_failed_shows_its_timeline_and_says_what_waits() {
    run(async {
        let mut failed = trial_in(3, TrialState::Failed);
        failed.result = None;
        let store = live_store(
            &[
                trial_in(0, TrialState::Running),
                failed,
                trial_in(2, TrialState::Running),
            ],
            2,
        );
        let page = page_of(&store).await;
        assert!(page.contains("id=\"timeline\""), "{page}");
        assert!(
            page.contains("aria-label=\"timeline of 3 trials: 1 failed, 2 running"),
            "{page}"
        );
        assert!(page.contains("all 3 trials that started"), "{page}");
        assert!(
            page.contains(
                "no completed trials yet: the timeline below shows the trials that started, and \
                 the learning curves the running trials&#39; epochs so far; the optimization history \
                 appears once a trial completes, the other charts once one completes or is pruned"
            ),
            "{page}"
        );
        // The running trials' curves so far, and no chart of values that need a result.
        assert!(page.contains("id=\"curves\""), "{page}");
        for chart in VALUE_CHARTS[1..].iter().chain(&["id=\"history\""]) {
            assert!(!page.contains(chart), "{chart} in {page}");
        }
    });
}

#[test]
fn a_sweep_whose_trials_were_all_pruned_draws_them_but_not_the_history() {
    run(async {
        let store = live_store(
            &[
                trial_in(4, TrialState::Pruned),
                trial_in(9, TrialState::Pruned),
                trial_in(10, TrialState::Running),
            ],
            3,
        );
        let page = page_of(&store).await;
        for chart in VALUE_CHARTS.iter().chain(&["id=\"timeline\""]) {
            assert!(page.contains(chart), "{chart} missing from {page}");
        }
        assert!(!page.contains("id=\"history\""), "{page}");
        assert!(
            page.contains(
                "no completed trials yet: the optimization history appears once a trial \
                 completes; the charts below draw the pruned trials at the values they were \
                 stopped with"
            ),
            "{page}"
        );
        // The curves' hint says what it draws without a completed trial; importance says
        // what it waits for.
        assert!(
            page.contains("per epoch of the best pruned trials, in grey"),
            "{page}"
        );
        assert!(
            page.contains("needs 10 completed or pruned trials (2 so far)"),
            "{page}"
        );
    });
}

#[test]
fn a_sweep_with_no_trial_started_draws_no_timeline_and_says_so() {
    run(async {
        let store = live_store(&[trial_in(0, TrialState::Queued)], 0);
        let page = page_of(&store).await;
        assert!(
            page.contains(
                "no trial has started yet: the timeline appears once one does; the \
                 optimization history appears once a trial completes, the other charts once \
                 one completes or is pruned"
            ),
            "{page}"
        );
        for chart in VALUE_CHARTS
            .iter()
            .chain(&["id=\"timeline\"", "id=\"history\""])
        {
            assert!(!page.contains(chart), "{chart} in {page}");
        }
    });
}

#[test]
fn once_a_trial_completed_every_chart_is_drawn_and_nothing_said_to_wait() {
    run(async {
        let store = store_with("live", 3);
        let page = page_of(&store).await;
        assert!(!page.contains("no-charts"), "{page}");
        for chart in VALUE_CHARTS
            .iter()
            .chain(&["id=\"timeline\"", "id=\"history\""])
        {
            assert!(page.contains(chart), "{chart} missing from {page}");
        }
    });
}

/// Returns the font sizes of the text of every chart in `page`, in the units it was drawn in.
fn chart_font_sizes(page: &str) -> Vec<f64> {
    page.split("<svg class=\"chart\"")
        .skip(1)
        .filter_map(|chart| chart.split("</svg>").next())
        .flat_map(|chart| chart.split("font-size=\"").skip(1))
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

#[test]
fn on_a_phone_a_chart_is_shown_at_the_size_it_was_drawn_so_its_text_stays_readable() {
    // Shown whole at 400 px a chart's text shrank to 2 or 3 px; at the 800 px floor it had,
    // to 5.3 px (pairs, parallel coordinates; measured in headless Chromium), and the trial
    // page's small charts had no floor. At the size it was drawn, it scrolls in its box.
    run(async {
        let store = store_with("live", 12);
        fill(&store, "other", 3);
        let (_, css) = get(&store, "/static/css/dashboard.css").await;
        let phone = css
            .split("@media (max-width: 640px) {")
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .unwrap_or_default();
        let rules: Vec<&str> = phone.lines().filter(|l| l.contains("svg.chart")).collect();
        assert!(
            rules
                .iter()
                .any(|r| r.contains(".chart-box > svg.chart {") && r.contains("max-width: none")),
            "{phone}"
        );
        assert!(
            rules.iter().all(|r| !r.contains("min-width")),
            "a floor below the drawn size shrinks the text: {rules:?}"
        );
        for uri in [
            "/experiments/live",
            "/experiments/live/trials/1",
            "/experiments/live/compare?t=0&t=1",
            "/compare?e=live&e=other",
        ] {
            let (_, page) = get(&store, uri).await;
            let sizes = chart_font_sizes(&page);
            let least = sizes.iter().copied().reduce(f64::min);
            assert!(
                least.is_some_and(|px| px >= 8.5),
                "{uri}: the smallest chart text is {least:?} px at drawn size"
            );
        }
    });
}

/// Returns a temporary store holding the running experiment `mo`, of two objectives
/// (`val_accuracy` and `param_count`) and the constraint `param_count <= 100`, with the fixture
/// trials `sizes` names, pruned, each with its `param_count`.
fn two_objectives_pruned(sizes: &[(u32, f64)]) -> Store {
    let store = Store::temporary().unwrap();
    let mut info = fixtures::info("mo", ExperimentStatus::Running, 10);
    info.spec_yaml = info.spec_yaml.replace(
        "metric: {name: val_accuracy, goal: maximize}",
        "metric: [{name: val_accuracy}, {name: param_count}]\n\
         constraints: {param_count: {max: 100}}",
    );
    store.create_experiment(&info).unwrap();
    for &(i, size) in sizes {
        let mut t = trial_in(i, TrialState::Pruned);
        if let Some(r) = t.result.as_mut() {
            r.metrics.insert("param_count".into(), size);
        }
        store.put_trial("mo", &t).unwrap();
    }
    store
}

#[test]
fn a_sweep_of_two_objectives_whose_trials_were_all_pruned_links_the_charts_of_each() {
    // Every trial breaks the constraint and was stopped for it: no history, whose section held
    // the links to each objective's charts, but the charts of values, which they switch.
    run(async {
        let store = two_objectives_pruned(&[(4, 2410.0), (9, 4810.0), (14, 2410.0)]);
        let (_, page) = get(&store, "/experiments/mo").await;
        assert!(!page.contains("id=\"history\""), "{page}");
        let links = page
            .split("aria-label=\"charts by objective\">")
            .nth(1)
            .and_then(|nav| nav.split("</nav>").next())
            .unwrap_or_default();
        let to_size = links
            .split("href=\"")
            .find_map(|a| a.strip_suffix("\">param_count</a>"))
            .map(|href| href.replace("&#38;", "&"));
        assert_eq!(
            to_size.as_deref(),
            Some("?sort=rank&dir=asc&objective=param_count#objectives"),
            "{page}"
        );
        // The links lead to themselves, which the page shows, and on to that objective's charts.
        assert!(page.contains("id=\"objectives\""), "{page}");
        let (_, sizes) = get(&store, "/experiments/mo?objective=param_count").await;
        assert!(sizes.contains("id=\"objectives\""), "{sizes}");
        assert!(
            sizes.contains("<p class=\"hint\" id=\"parallel-hint\">One line per trial, coloured by rank in param_count"),
            "{sizes}"
        );
        // With one objective, none.
        let one = live_store(&[trial_in(4, TrialState::Pruned)], 2);
        let page = page_of(&one).await;
        assert!(!page.contains("charts by objective"), "{page}");
    });
}

/// Returns the texts of the colour bar's end labels drawn in `chart` (its only texts with a
/// `: `; the marks' tooltips are titles).
fn colour_bar_labels(chart: &str) -> Vec<&str> {
    chart
        .split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.trim()))
        .filter(|t| t.contains(": "))
        .collect()
}

#[test]
fn a_colour_bar_names_a_trial_that_breaks_a_constraint_as_such() {
    // Placed after the one that meets the constraint, by how far each breaks it (trial 14
    // by 2310, trial 9 by 4710), not by val_accuracy.
    run(async {
        let store = two_objectives_pruned(&[(4, 50.0), (9, 4810.0), (14, 2410.0)]);
        let (_, page) = get(&store, "/experiments/mo").await;
        for id in ["parallel", "pairs"] {
            let chart = page
                .split(&format!("id=\"{id}\""))
                .nth(1)
                .and_then(|s| s.split("</section>").next())
                .unwrap_or_default();
            let labels = colour_bar_labels(chart);
            assert_eq!(labels.len(), 2, "{id}: {chart}");
            assert!(
                labels[0].starts_with("1st by val_accuracy: "),
                "{id}: {labels:?}"
            );
            assert!(
                labels[1].starts_with("3rd, breaks a constraint: ")
                    && labels[1].ends_with(" (pruned)"),
                "{id}: {labels:?}"
            );
        }
    });
}
