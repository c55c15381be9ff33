//! Handler tests through `app` with `actix_web::test`, without a port: status codes, content,
//! escaping, the token, live fragments, and that the store is left unchanged.

use actix_web::http::{Method, StatusCode};
use actix_web::test::{call_service, init_service, read_body, TestRequest};
use experiment::{MetricPoint, Step, Trial, TrialId, TrialState};
use store::{ExperimentStatus, Store};

use std::time::Duration;

use crate::pages::Part;
use crate::view::fixtures::{self, store_with};
use crate::{app, Access, Dashboard, Freshness, Notices};

/// Sends a GET to a fresh app over `store`; returns the status, headers we check, and body.
async fn get_with(
    store: &Store,
    access: Access,
    req: TestRequest,
) -> (StatusCode, Vec<(String, String)>, String) {
    let service = init_service(app(store.clone(), access, fixtures::clock())).await;
    let res = call_service(&service, req.to_request()).await;
    let status = res.status();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let body = String::from_utf8_lossy(&read_body(res).await).into_owned();
    (status, headers, body)
}

/// Sends a GET for `uri` to a fresh app over `store`, open to all; returns the status and body.
pub(crate) async fn get(store: &Store, uri: &str) -> (StatusCode, String) {
    let (status, _, body) = get_with(store, Access::open(), TestRequest::get().uri(uri)).await;
    (status, body)
}

/// Returns the `href`s of `page`'s links whose text starts with `text`, unescaped.
pub(crate) fn links_to(page: &str, text: &str) -> Vec<String> {
    page.split("<a ")
        .skip(1)
        .filter(|a| a.split('>').nth(1).is_some_and(|t| t.starts_with(text)))
        .filter_map(|a| a.split("href=\"").nth(1)?.split('"').next())
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .collect()
}

/// Runs an async test body on an actix system.
pub(crate) fn run<F: std::future::Future>(body: F) -> F::Output {
    actix_web::rt::System::new().block_on(body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_test_split_shows_on_the_experiment_its_trial_and_the_api() {
    run(async {
        let store = store_with("demo", 6);
        let (_, before) = get(&store, "/experiments/demo").await;
        assert!(!before.contains("Test split"), "not measured yet");
        let result = store::TestResult {
            trial: experiment::TrialId(2),
            metrics: [
                ("test_accuracy".to_string(), 0.9512),
                ("test_loss".to_string(), f64::NAN),
            ]
            .into(),
        };
        store.put_test_result("demo", &result).unwrap();
        let (_, page) = get(&store, "/experiments/demo").await;
        assert!(
            page.contains(
                "Test split, measured once after the sweep on <a href=\"/experiments/demo/trials/2\">trial 2</a>"
            ) && page.contains("test_accuracy 0.9512 · test_loss NaN"),
            "{page}"
        );
        let (_, trial) = get(&store, "/experiments/demo/trials/2").await;
        assert!(trial.contains("test_accuracy 0.9512"), "{trial}");
        let (_, other) = get(&store, "/experiments/demo/trials/1").await;
        assert!(!other.contains("test_accuracy"), "{other}");
        let (_, api) = get(&store, "/api/experiments/demo").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(
            api["test"],
            serde_json::json!({"trial": 2, "metrics": {"test_accuracy": 0.9512, "test_loss": null}})
        );
        // Measured on the best, it says so; on a trial a later run beat, it names the best now.
        let best = u32::try_from(api["best"]["trial"].as_u64().unwrap()).unwrap();
        for measured in [best, u32::from(best == 0)] {
            let result = store::TestResult {
                trial: experiment::TrialId(measured),
                metrics: [("test_accuracy".to_string(), 0.95)].into(),
            };
            store.put_test_result("demo", &result).unwrap();
            let (_, page) = get(&store, "/experiments/demo").await;
            let later = format!(
                "the best on validation then: test_accuracy 0.9500. The best is now \
                 <a href=\"/experiments/demo/trials/{best}\">trial {best}</a>, found by a later \
                 run, which measures it when it runs to its end."
            );
            match measured == best {
                true => assert!(
                    page.contains("the best on validation (never used to choose)")
                        && !page.contains("The best is now"),
                    "{page}"
                ),
                false => assert!(page.contains(&later), "{later}\n{page}"),
            }
        }
    });
}

#[test]
fn a_best_trial_at_the_end_of_a_range_is_noted_on_the_page_and_in_the_api() {
    run(async {
        let store = store_with("inside", 30);
        let (_, page) = get(&store, "/experiments/inside").await;
        assert!(!page.contains("class=\"edges\""), "{page}");
        let (_, api) = get(&store, "/api/experiments/inside").await;
        assert!(!api.contains("range_ends"), "{api}");
        // The same trials under a spec whose `lr` range ends at the best trial's.
        let trials = store.trials("inside").unwrap();
        let spec = fixtures::info("inside", ExperimentStatus::Finished, 30)
            .spec()
            .unwrap();
        let best = spec.best(&trials).unwrap();
        let lr = best.params["lr"].as_f64().unwrap();
        let mut info = fixtures::info("edge", ExperimentStatus::Finished, 30);
        info.spec_yaml = info.spec_yaml.replace("max: 1.0e-1", &format!("max: {lr}"));
        store.create_experiment(&info).unwrap();
        for t in &trials {
            store.put_trial("edge", t).unwrap();
        }
        let (_, page) = get(&store, "/experiments/edge").await;
        let said = format!(
            "<p class=\"edges\">Note: the best trial ({}) lies at the end of a searched range: lr",
            best.id
        );
        assert!(
            page.contains(&said) && page.contains("the top of its range [0.0001, "),
            "{page}"
        );
        let (_, api) = get(&store, "/api/experiments/edge").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(
            api["range_ends"],
            serde_json::json!([{"param": "lr", "value": lr, "end": "max", "min": 1e-4, "max": lr}])
        );
    });
}

#[test]
fn a_warm_start_is_said_on_the_page_and_in_the_api() {
    run(async {
        let store = store_with("warm", 12);
        let (_, page) = get(&store, "/experiments/warm").await;
        assert!(!page.contains("class=\"warm-start\""), "{page}");
        let (_, api) = get(&store, "/api/experiments/warm").await;
        assert!(!api.contains("warm_start"), "{api}");
        let taken = store.trials("warm").unwrap()[..4].to_vec();
        let warm = experiment::WarmStarted {
            source: "before".into(),
            trials: taken,
            left_out: vec!["trial 5: it has no `lr`".into()],
        };
        store.put_warm_start("warm", &warm).unwrap();
        let (_, page) = get(&store, "/experiments/warm").await;
        assert!(
            page.contains(
                "<p class=\"warm-start\">Warm start: 4 trials of before, learned from before \
                 this experiment&#39;s own; 1 of its finished trials left out (trial 5: it has \
                 no lr).</p>"
            ),
            "{page}"
        );
        let (_, api) = get(&store, "/api/experiments/warm").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(
            api["warm_start"],
            serde_json::json!({"experiment": "before", "trials": 4, "left_out": ["trial 5: it has no `lr`"]})
        );
        // The stored spec says where the trials came from: a file of results here.
        let mut info = store.experiment("warm").unwrap().unwrap();
        info.spec_yaml = crate::view::fixtures::SPEC
            .replace("NAME", "warm")
            .replace("method: random", "method: tpe")
            + "warm_start: {csv: runs/past.csv}\n";
        store.update_experiment(&info).unwrap();
        let (_, api) = get(&store, "/api/experiments/warm").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(api["warm_start"]["from"], "file");
        assert_eq!(api["warm_start"]["trials"], 4);
    });
}

#[test]
fn a_stored_spec_this_version_cannot_read_is_said_on_its_pages_and_in_the_api() {
    run(async {
        let store = store_with("old", 12);
        fixtures::fill(&store, "fresh", 4);
        // Written by an older build with a field since removed: the parser now rejects it.
        let mut info = store.experiment("old").unwrap().unwrap();
        info.spec_yaml.push_str("retired_setting: 3\n");
        assert!(info.spec().is_err(), "the test spec must not read");
        store.update_experiment(&info).unwrap();
        let said = "This experiment&#39;s stored spec does not read with this version of Sweep, \
                    so what only the spec says is left out here: constraints (trials are ranked \
                    as if there were none); objectives past the first";
        for path in [
            "/experiments/old",
            "/experiments/old/trials/2",
            "/experiments/old/compare?t=1&t=2",
        ] {
            let (status, page) = get(&store, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                page.contains(said) && page.contains("retired_setting"),
                "{path}: {page}"
            );
        }
        // The experiment's answer and a trial's say so alike (a trial's rank, too, is without
        // the constraints).
        let (_, api) = get(&store, "/api/experiments/old").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        let unreadable = &api["spec_unreadable"];
        assert!(
            unreadable["error"]
                .as_str()
                .is_some_and(|e| e.contains("retired_setting")),
            "{api}"
        );
        assert_eq!(
            unreadable["left_out"][0],
            "constraints (trials are ranked as if there were none)"
        );
        assert!(api["search"].is_null(), "{api}");
        let (status, trial) = get(&store, "/api/experiments/old/trials/2").await;
        assert_eq!(status, StatusCode::OK);
        let trial: serde_json::Value = serde_json::from_str(&trial).unwrap();
        assert_eq!(trial["spec_unreadable"], api["spec_unreadable"], "{trial}");
        assert_eq!(
            trial["id"], 2,
            "the trials list's fields as before: {trial}"
        );
        // A spec that reads says nothing of the kind.
        let (_, page) = get(&store, "/experiments/fresh").await;
        assert!(!page.contains("spec-notice"), "{page}");
        let (_, api) = get(&store, "/api/experiments/fresh").await;
        assert!(!api.contains("spec_unreadable"), "{api}");
        let (_, trial) = get(&store, "/api/experiments/fresh/trials/2").await;
        assert!(
            trial.contains("\"id\":2") && !trial.contains("spec_unreadable"),
            "{trial}"
        );
    });
}

#[test]
fn a_trial_with_a_checkpoint_says_how_to_predict_with_it() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        fixtures::fill(&store, "demo", 6);
        let saved = store::checkpoint_dir(dir.path(), "demo");
        std::fs::create_dir_all(&saved).unwrap();
        std::fs::write(saved.join("2.json"), "{}").unwrap();
        let (_, body) = get(&store, "/experiments/demo/trials/2").await;
        let command = format!(
            "sweep predict demo/2 --input new.csv --store {}",
            dir.path().display()
        );
        assert!(
            body.contains("Use the model") && body.contains(&command),
            "{body}"
        );
        let (_, body) = get(&store, "/experiments/demo/trials/0").await;
        assert!(!body.contains("Use the model"), "{body}");
    });
}

#[test]
fn a_live_dashboard_decodes_a_warm_start_once_per_experiment() {
    let store = store_with("warm", 6);
    let warm = experiment::WarmStarted {
        source: "before".into(),
        trials: store.trials("warm").unwrap()[..2].to_vec(),
        left_out: Vec::new(),
    };
    store.put_warm_start("warm", &warm).unwrap();
    let reader = crate::data::Reader::new(
        store,
        Freshness::Sweeping {
            experiment: "warm".into(),
            max_age: Duration::ZERO,
            notices: Notices::default(),
        },
    );
    let first = reader.experiment("warm").unwrap();
    let second = reader.experiment("warm").unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &second), "a fresh snapshot");
    let (Some(a), Some(b)) = (&first.warm_start, &second.warm_start) else {
        panic!("the warm start is read");
    };
    assert!(
        std::sync::Arc::ptr_eq(a, b),
        "and shared, not decoded again"
    );
    assert_eq!(**a, warm);
}

#[test]
fn every_page_renders() {
    run(async {
        let store = store_with("demo", 40);
        let (status, body) = get(&store, "/").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("href=\"/experiments/demo\"") && body.contains("finished"),
            "{body}"
        );

        let (status, body) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for section in [
            "Optimization history",
            "Leaderboard",
            "Learning curves",
            "Parallel coordinates",
            "Parameter importance",
            "Parameter pairs",
            "Slice plots",
            "Timeline",
        ] {
            assert!(body.contains(section), "missing {section}");
        }
        assert_eq!(body.matches("<svg class=\"chart\"").count(), 7);
        // The fixture prunes some trials: the curves' hint says how they are drawn.
        assert!(
            body.contains("each with a symbol of its own, filled at its best epoch")
                && body.contains("pruned trials in grey, ending in ×"),
            "{body}"
        );
        assert_eq!(
            body.matches("class=\"trial-row").count(),
            40,
            "all stored trials fit on page 1"
        );
        assert!(
            !body.contains("data-empty"),
            "no chart is empty with 40 trials"
        );

        let (status, body) = get(&store, "/experiments/demo/trials/3").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("diverged at epoch 3") && body.contains("Reproduce"));
        assert!(
            body.contains("No result: the trial failed before it had one.")
                && body.contains("No metric recorded.</p>"),
            "{body}"
        );
        let (status, body) = get(&store, "/experiments/demo/trials/0").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("No checkpoint: only the best trials (`checkpoints.keep`)")
                && !body.contains("Use the model"),
            "{body}"
        );
        assert!(
            body.contains(
                "sweep run experiments/fixture.yaml --store .sweep-reproduce-0 --run-cap 1"
            ),
            "{body}"
        );
        assert_eq!(
            body.matches("<svg class=\"chart\"").count(),
            2,
            "one chart per metric"
        );

        let (status, body) = get(&store, "/experiments/demo/compare?t=0&t=1&t=2").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("Compare 3 trials") && body.contains("class=\"differs\""));
    });
}

#[test]
fn the_rerun_command_keeps_the_trials_side_by_side_the_file_leaves_open() {
    run(async {
        // A model-based sampler's trial 6 depends on the trials run beside it: a fresh run
        // with another number per core gives another trial 6.
        for (in_file, ran_with, said) in [
            ("", Some(3), " --parallel 3"),
            ("parallel: 3\n", Some(3), ""),
            ("parallel: 2\n", Some(3), " --parallel 3"),
            ("", None, ""),
        ] {
            let store = Store::temporary().unwrap();
            let mut info = fixtures::info("tuned", ExperimentStatus::Finished, 8);
            info.spec_yaml = info.spec_yaml.replace("method: random", "method: tpe") + in_file;
            store.create_experiment(&info).unwrap();
            store.put_trial("tuned", &fixtures::trial(6, 8)).unwrap();
            let record = store::RunRecord {
                spec_file: "/work/tuned.yaml".into(),
                parallel: ran_with,
                ..store::RunRecord::default()
            };
            store.put_run_record("tuned", &record).unwrap();
            let (status, page) = get(&store, "/experiments/tuned/trials/6").await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let command = format!(
                "sweep run /work/tuned.yaml --store .sweep-reproduce-6 --run-cap 7{said}</"
            );
            assert!(page.contains(&command), "{command}\n{page}");
        }
    });
}

#[test]
fn leaderboard_filters_and_pages() {
    run(async {
        let store = store_with("demo", 120);
        let (status, body) = get(&store, "/experiments/demo?state=failed").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.matches("class=\"trial-row row-failed\"").count(), 17);
        assert!(!body.contains("row-completed\" data-trial"));
        let (_, body) = get(&store, "/experiments/demo?page=3").await;
        assert!(body.contains("101–120 of 120"), "{body}");
        let (_, body) = get(&store, "/experiments/demo?sort=param.lr&dir=desc").await;
        assert!(body.contains("aria-sort=\"descending\""));
        // MLflow's plurals, as a filter takes them, sort alike.
        let (status, plural) = get(&store, "/experiments/demo?sort=params.lr&dir=desc").await;
        assert_eq!(status, StatusCode::OK, "{plural}");
        assert_eq!(plural, body);
        let (status, _) = get(&store, "/api/experiments/demo/trials?sort=metrics.val_loss").await;
        assert_eq!(status, StatusCode::OK);
    });
}

#[test]
fn the_pair_plots_take_the_parameters_picked() {
    run(async {
        let store = store_with("demo", 120);
        // By default the most important, named in the pick's field.
        let (_, body) = get(&store, "/experiments/demo").await;
        assert!(body.contains("for the most important parameters"), "{body}");
        assert!(
            body.contains("2 or 3, comma-separated, of hidden, lr, optimizer"),
            "{body}"
        );
        let (status, body) = get(
            &store,
            "/experiments/demo?pairs=optimizer,lr&sort=trial#pairs",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("for the parameters picked"), "{body}");
        assert!(
            body.contains(r#"name="pairs" value="optimizer,lr""#),
            "{body}"
        );
        // The leaderboard's links keep the pick.
        assert!(
            body.contains("sort=state&#38;dir=asc&#38;pairs=optimizer%2Clr"),
            "{body}"
        );
        // A pick that cannot be drawn (issue_audit_9): the page renders, with the default
        // plots, and the pairs panel says what is wrong in place, the pick kept in its box,
        // marked invalid and described by the message, as the leaderboard's filter does.
        for bad in [
            "lr",
            "lr,lr",
            "lr,depth",
            "lr,hidden,optimizer,lr",
            "lr,%20hiddn",
        ] {
            let (status, body) = get(&store, &format!("/experiments/demo?pairs={bad}")).await;
            assert_eq!(status, StatusCode::OK, "{bad}");
            assert!(body.contains("id=\"leaderboard\""), "{bad}: the whole page");
            assert!(
                body.contains("<p class=\"filter-error\" id=\"pairs-error\" role=\"alert\">pairs takes 2 or 3 different parameters, comma-separated, of: hidden, lr, optimizer"),
                "{bad}: {body}"
            );
            assert!(
                body.contains("aria-invalid=\"true\" aria-describedby=\"pairs-error pair-hint\""),
                "{bad}: {body}"
            );
            assert!(body.contains("for the most important parameters"), "{bad}");
        }
        let (_, body) = get(&store, "/experiments/demo?pairs=lr,%20hiddn").await;
        assert!(
            body.contains("`hiddn` is not a parameter: did you mean `hidden`?"),
            "{body}"
        );
        assert!(body.contains(r#"name="pairs" value="lr, hiddn""#), "{body}");
    });
}

#[test]
fn the_filter_s_syntax_is_a_visible_hint_that_describes_its_box() {
    // As the pairs box's #pair-hint: seen under the box and read as its description, beside
    // the error when there is one, rather than a title only a pointer could read.
    run(async {
        let store = store_with("demo", 6);
        let (_, body) = get(&store, "/experiments/demo").await;
        assert!(
            body.contains("aria-describedby=\"filter-hint\"")
                && body
                    .contains("<span class=\"hint\" id=\"filter-hint\">Conditions joined by and"),
            "{body}"
        );
        assert!(!body.contains("title=\"Conditions joined"), "{body}");
        let (status, body) = get(&store, "/experiments/demo?filter=bogus").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("aria-invalid=\"true\" aria-describedby=\"filter-error filter-hint\"")
                && body.contains("<span class=\"hint\" id=\"filter-hint\">"),
            "{body}"
        );
    });
}

#[test]
fn unknown_or_malformed_ids_get_a_404_page() {
    run(async {
        let store = store_with("demo", 5);
        for uri in [
            "/nope",
            "/experiments/missing",
            "/experiments/missing/trials/1",
            "/experiments/demo/trials/99",
            "/experiments/demo/trials/abc",
            "/experiments/demo/trials/-1",
            "/experiments/demo/trials/99999999999999999999",
            // One trial, one address: its number as written, no sign or leading zeros.
            "/experiments/demo/trials/+1",
            "/experiments/demo/trials/01",
            "/static/nope.css",
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
            assert!(body.contains("404 · Not Found"), "{uri}: {body}");
        }
        for uri in [
            "/api/experiments/missing",
            "/api/experiments/demo/trials/x",
            "/api/experiments/demo/trials/01",
            "/api/experiments/demo/trials/+1/metrics",
            "/api/nope",
            "/api",
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            assert!(
                body.starts_with("{\"api_version\":2,\"error\":"),
                "{uri}: {body}"
            );
        }
    });
}

#[test]
fn the_experiment_page_shows_the_sampler_and_pruner_settings() {
    run(async {
        let store = store_with("plain", 3);
        let mut info = fixtures::info("tuned", ExperimentStatus::Finished, 3);
        info.spec_yaml = info.spec_yaml.replace(
            "method: random",
            "method: cmaes\nsampler: {restart_strategy: bipop}\n\
             pruner: {type: asha, min_resource: 2}",
        );
        store.create_experiment(&info).unwrap();
        let (_, page) = get(&store, "/experiments/tuned").await;
        assert!(
            page.contains(
                "sampler: <code>{n_startup_trials: 0, \
                 independent_sampler: tpe, restart_strategy: bipop, with_margin: true, \
                 lr_adapt: false, use_separable_cma: false}</code>"
            ) && page.contains(
                "pruner: <code>{type: asha, min_resource: 2, reduction_factor: 3}</code>"
            ),
            "{page}"
        );
        // With the epochs at which it judges trials (the fixture's trials train 12).
        assert!(
            page.contains(
                "<span>rungs: epochs 2 and 6 of at most 12; at each, a trial goes on if in the \
                 top 1/3</span>"
            ),
            "{page}"
        );
        // Random search and no pruner: nothing to show.
        let (_, page) = get(&store, "/experiments/plain").await;
        assert!(!page.contains("class=\"settings\""), "{page}");
        // Run when the pruner's default reduction factor was 4: the page says so.
        let resolved = info.spec().unwrap().resolved();
        for (recorded, changed) in [
            (resolved.clone(), false),
            (
                resolved.replace("reduction_factor: 3", "reduction_factor: 4"),
                true,
            ),
        ] {
            let record = store::RunRecord {
                resolved_spec: recorded,
                ..store::RunRecord::default()
            };
            store.put_run_record("tuned", &record).unwrap();
            let (_, page) = get(&store, "/experiments/tuned").await;
            let said = page.contains("the run&#x27;s record says it ran with other settings")
                || page.contains("the run's record says it ran with other settings");
            assert_eq!(said, changed, "{page}");
            // Which setting, as escaped in the page.
            let which = page.contains("`pruner` `reduction_factor`: 4 then, 3 now")
                || page.contains("&#x60;pruner&#x60; &#x60;reduction_factor&#x60;: 4 then, 3 now");
            assert_eq!(which, changed, "{page}");
        }
    });
}

#[test]
fn the_experiment_page_sums_the_epochs_trained_and_where_pruning_stopped_trials() {
    run(async {
        // The fixture's trials train 12 epochs, its pruned ones 4, its failed ones none; its
        // last, left running in a finished experiment no sweep runs, is an attempt cut off.
        let store = store_with("demo", 40);
        let trials = store.trials("demo").unwrap();
        let count = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
        let (pruned, failed) = (count(TrialState::Pruned), count(TrialState::Failed));
        assert!(pruned > 1 && failed > 0, "{trials:?}");
        assert_eq!(count(TrialState::Running), 1);
        let trained = (40 - pruned - failed - 1) * 12 + pruned * 4;
        let (status, page) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK);
        #[allow(clippy::cast_precision_loss)]
        let epochs = format!(
            "epochs</dt><dd>{trained} trained of at most 468 ({:.2}x), 12 more in attempts cut off</dd>",
            trained as f64 / 468.0
        );
        // The heading says over how many trials, and what the ratio is.
        assert!(
            page.contains(
                "<dt title=\"the epochs its 40 trials trained, of the most they would have \
                 trained had none stopped early"
            ),
            "{page}"
        );
        assert!(page.contains(&epochs), "{epochs}\n{page}");
        assert!(
            page.contains(&format!(
                "<dt>pruned</dt><dd>{pruned} ({pruned} trials at epoch 4)</dd>"
            )),
            "{page}"
        );
        // The API gives the same figures.
        let (_, api) = get(&store, "/api/experiments/demo").await;
        let json: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(
            json["epochs"],
            serde_json::json!({
                "trained": trained,
                "most": 468,
                "cut": 12,
                "pruned_at": [{"epoch": 4, "trials": pruned}],
            }),
            "{api}"
        );
        // Each trial's own, in the API's trials (absent where it trained none) and the CSV.
        let want = |t: &experiment::Trial| match t.state {
            TrialState::Pruned => Some(4),
            TrialState::Failed => None,
            _ => Some(12),
        };
        let (_, api) = get(
            &store,
            "/api/experiments/demo/trials?sort=trial&per_page=1000",
        )
        .await;
        let json: serde_json::Value = serde_json::from_str(&api).unwrap();
        let listed: Vec<Option<u64>> = json["trials"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t["epochs_trained"].as_u64())
            .collect();
        let wanted: Vec<Option<u64>> = trials.iter().map(want).collect();
        assert_eq!(listed, wanted, "{api}");
        let ranks: Vec<Option<u64>> = json["trials"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t["rank"].as_u64())
            .collect();
        let failed_one = trials.iter().find(|t| t.state == TrialState::Failed);
        for t in [&trials[0], &trials[7], failed_one.unwrap_or(&trials[0])] {
            let (_, one) = get(&store, &format!("/api/experiments/demo/trials/{}", t.id)).await;
            let json: serde_json::Value = serde_json::from_str(&one).unwrap();
            assert_eq!(json["epochs_trained"].as_u64(), want(t), "{one}");
            // Its rank, as the list gives it (none for a failed trial).
            let rank = ranks[usize::try_from(t.id.0).unwrap()];
            assert_eq!(json["rank"].as_u64(), rank, "{one}");
            assert_eq!(rank.is_none(), t.state == TrialState::Failed, "{one}");
        }
        let (_, csv) = get(&store, "/experiments/demo/trials.csv?sort=trial").await;
        let column: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(5))
            .collect();
        let wanted: Vec<String> = wanted
            .iter()
            .map(|e| e.map_or(String::new(), |e| e.to_string()))
            .collect();
        assert!(
            csv.starts_with("trial,state,reason,seed,best_epoch,epochs_trained,"),
            "{csv}"
        );
        assert_eq!(column, wanted, "{csv}");
        let (_, list) = get(&store, "/api/experiments").await;
        assert!(!list.contains("\"epochs\""), "{list}");
        // Without trials, neither.
        let empty = store_with("empty", 0);
        let (_, page) = get(&empty, "/experiments/empty").await;
        assert!(
            !page.contains("epochs</dt>") && page.contains("<dt>pruned</dt><dd>0</dd>"),
            "{page}"
        );
    });
}

#[test]
fn the_leaderboard_says_the_epochs_a_trial_trained_past_its_best() {
    run(async {
        // Trial 0 completed at its best epoch, 12; trial 1 trains 3 epochs past it.
        let store = store_with("demo", 6);
        for e in 13..=15 {
            let points = [MetricPoint {
                name: "val_accuracy".into(),
                value: 0.5,
            }];
            store
                .append_metrics("demo", TrialId(1), Step(e), &points)
                .unwrap();
        }
        let (_, page) = get(&store, "/experiments/demo?sort=trial").await;
        let row = |id: u32| {
            let start = page.find(&format!("data-trial=\"{id}\"")).unwrap();
            let end = start + page[start..].find("</tr>").unwrap();
            page[start..end].to_string()
        };
        let trained = "<td class=\"num\">12 <span class=\"of\" \
                       title=\"best epoch 12 of the 15 it trained\">of 15</span></td>";
        assert!(row(1).contains(trained), "{}", row(1));
        assert!(row(0).contains("<td class=\"num\">12</td>"), "{}", row(0));
        assert!(!row(0).contains("class=\"of\""), "{}", row(0));
    });
}

#[test]
fn a_trial_page_links_and_commands_only_what_exists() {
    run(async {
        // Interrupted at four trials of ten: trial 3 was left running.
        let store = Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info("cut", ExperimentStatus::Interrupted, 10))
            .unwrap();
        for i in 0..4 {
            store.put_trial("cut", &fixtures::trial(i, 4)).unwrap();
        }
        let (status, page) = get(&store, "/experiments/cut/trials/3").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // No next trial (trial 4 never started), and nothing stored to reproduce.
        assert!(!page.contains("rel=\"next\""), "{page}");
        assert!(
            page.contains("/experiments/cut/trials/2\" rel=\"prev\""),
            "{page}"
        );
        assert!(!page.contains("sweep reproduce"), "{page}");
        assert!(page.contains("This trial has not finished"), "{page}");
        assert!(
            page.contains("No result: its sweep stopped before it had one."),
            "{page}"
        );
        assert!(
            page.contains("sweep run experiments/fixture.yaml --store .sweep-reproduce-3"),
            "{page}"
        );
        let (_, page) = get(&store, "/experiments/cut/trials/2").await;
        assert!(
            page.contains("/experiments/cut/trials/3\" rel=\"next\""),
            "{page}"
        );
        assert!(page.contains("sweep reproduce cut/2 --store"), "{page}");
        // The experiment counts the trial it left running as interrupted, page and API alike.
        let (_, page) = get(&store, "/experiments/cut").await;
        assert!(
            page.contains("<dt>interrupted</dt><dd>1</dd>") && !page.contains("<dt>running</dt>"),
            "{page}"
        );
        let (_, api) = get(&store, "/api/experiments/cut").await;
        let api: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(api["trials"]["interrupted"], 1, "{api}");
        assert_eq!(api["trials"]["running"], 0, "{api}");
        // So does the list of experiments.
        let (_, list) = get(&store, "/").await;
        assert!(list.contains("· 1 interrupted</span>"), "{list}");
        // And a filter names it as shown.
        for (filter, matching) in [
            ("filter=state%20%3D%20interrupted", 1),
            ("filter=state%20%3D%20running", 0),
            ("filter=state%20!%3D%20running", 4),
            ("state=interrupted", 1),
            ("state=running", 0),
        ] {
            let uri = format!("/api/experiments/cut/trials?{filter}");
            let (status, body) = get(&store, &uri).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(page["matching"], matching, "{filter}: {body}");
        }
        let (_, page) = get(&store, "/experiments/cut").await;
        assert!(
            page.contains("state=interrupted"),
            "the pill links the name it shows"
        );
    });
}

#[test]
fn a_study_with_two_objectives_serves_its_front() {
    run(async {
        let store = store_with("one", 12);
        let mut info = fixtures::info("two", ExperimentStatus::Finished, 30);
        info.spec_yaml = info.spec_yaml.replace(
            "metric: {name: val_accuracy, goal: maximize}",
            "metric: [{name: val_accuracy}, {name: param_count}]",
        );
        store.create_experiment(&info).unwrap();
        for i in 0..30 {
            // A cost that grows with the learning rate: a trade-off with accuracy.
            let mut t = fixtures::trial(i, 30);
            let size = (t.params["lr"].as_f64().unwrap() * 1e6).round();
            if let Some(r) = t.result.as_mut() {
                r.metrics.insert("param_count".into(), size);
            }
            store.put_trial("two", &t).unwrap();
        }
        let (_, api) = get(&store, "/api/experiments/two").await;
        let experiment: serde_json::Value = serde_json::from_str(&api).unwrap();
        let front: Vec<u64> = experiment["pareto_front"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(serde_json::Value::as_u64)
            .collect();
        assert!(front.len() > 1, "{api}");
        assert_eq!(experiment["objectives"][1]["name"], "param_count", "{api}");
        let (_, page) = get(&store, "/api/experiments/two/trials?per_page=100").await;
        let page: serde_json::Value = serde_json::from_str(&page).unwrap();
        for t in page["trials"].as_array().unwrap() {
            let on = front.contains(&t["id"].as_u64().unwrap());
            assert_eq!(t["pareto"].as_bool(), Some(on), "{t}");
            // The front ranks first.
            if on {
                assert!(t["rank"].as_u64().unwrap() <= front.len() as u64, "{t}");
            }
        }
        let (_, one) = get(&store, &format!("/api/experiments/two/trials/{}", front[0])).await;
        assert!(one.contains("\"pareto\":true"), "{one}");
        let (_, single) = get(&store, "/api/experiments/one").await;
        assert!(!single.contains("pareto"), "{single}");
        assert!(!single.contains("stopped"), "{single}");
        // A study that its plateau ended says which trial completed it.
        let mut info = fixtures::info("flat", ExperimentStatus::Finished, 30);
        info.spec_yaml.push_str("plateau: {patience: 2}\n");
        store.create_experiment(&info).unwrap();
        let trials: Vec<Trial> = (0..30).map(|i| fixtures::trial(i, 30)).collect();
        for t in &trials {
            store.put_trial("flat", t).unwrap();
        }
        let spec = experiment::ExperimentSpec::from_yaml_str(&info.spec_yaml, "s.yaml".as_ref());
        let reached = spec.unwrap().first_at_plateau(&trials).expect("a plateau");
        let (_, flat) = get(&store, "/api/experiments/flat").await;
        assert!(
            flat.contains(&format!(
                "\"stopped\":{{\"by\":\"plateau\",\"trial\":{reached}}}"
            )),
            "{flat}"
        );
        let (_, trial) = get(&store, "/api/experiments/one/trials/0").await;
        assert!(!trial.contains("pareto"), "{trial}");
        // The pages: the front's chart and hypervolume history, and a trial's standing.
        let (status, html) = get(&store, "/experiments/two").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("<h2>Pareto front</h2>") && html.contains("<h3>Hypervolume history</h3>"),
            "{html}"
        );
        let (_, html) = get(&store, &format!("/experiments/two/trials/{}", front[0])).await;
        assert!(html.contains("<dt>Pareto front</dt>"), "{html}");
        let (_, html) = get(&store, "/experiments/one").await;
        assert!(!html.contains("<h2>Pareto front</h2>"), "{html}");
        assert!(!html.contains("charts by objective"), "{html}");
        // The charts below the front show the first objective, or the one picked; the
        // leaderboard's links keep the pick.
        let (_, html) = get(&store, "/experiments/two").await;
        assert!(
            html.contains("Each trial's val_accuracy by trial number"),
            "{html}"
        );
        assert!(
            html.contains(r#"aria-current="true">val_accuracy</a><a class="pill" href="?sort=rank&#38;dir=asc&#38;objective=param_count#objectives">param_count</a>"#),
            "{html}"
        );
        let (status, html) = get(&store, "/experiments/two?objective=param_count").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Each trial's param_count by trial number"),
            "{html}"
        );
        assert!(
            html.contains("top 10% of trials (at least 5) by param_count"),
            "{html}"
        );
        // The search box and the sort links keep it.
        assert!(
            html.contains(r#"<input type="hidden" name="objective" value="param_count">"#)
                && html.contains("sort=trial&#38;dir=asc&#38;objective=param_count"),
            "{html}"
        );
        // The API's importance likewise, and `sweep show`'s through `param_importance`.
        let (_, body) = get(
            &store,
            "/api/experiments/two/importance?objective=param_count",
        )
        .await;
        let imp: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(imp["objective"], "param_count", "{body}");
        let shares: Vec<(String, f64)> = imp["importance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["param"].as_str().unwrap().to_string(),
                    p["importance"].as_f64().unwrap(),
                )
            })
            .collect();
        let info = store.experiment("two").unwrap().unwrap();
        let trials = store.trials("two").unwrap();
        let size = experiment::MetricSpec {
            name: "param_count".into(),
            goal: experiment::Direction::Minimize,
        };
        let spec = info.spec().ok();
        assert_eq!(
            Some(shares),
            crate::param_importance(spec.as_ref(), &trials, &size)
        );
        let (status, _) = get(&store, "/api/experiments/two/importance?objective=loss").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // The history takes the objective as the importance does: its values, best the lowest.
        let (_, body) = get(&store, "/api/experiments/two/history?objective=param_count").await;
        let history: serde_json::Value = serde_json::from_str(&body).unwrap();
        for (point, trial) in history.as_array().unwrap().iter().zip(&trials) {
            let count = trial.value("param_count").filter(|v| v.is_finite());
            assert_eq!(point["value"].as_f64(), count, "{point}");
        }
        let smallest = trials
            .iter()
            .filter(|t| t.state == TrialState::Completed)
            .filter_map(|t| t.value("param_count"))
            .fold(f64::INFINITY, f64::min);
        let last = history.as_array().unwrap().last().unwrap();
        assert_eq!(last["best_so_far"].as_f64(), Some(smallest), "{last}");
        let (status, _) = get(&store, "/api/experiments/two/history?objective=loss").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, body) = get(&store, "/experiments/two?objective=val_loss").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body.contains("unknown objective &#34;val_loss&#34;; this experiment&#39;s: val_accuracy, param_count"),
            "{body}"
        );
    });
}

#[test]
fn experiments_that_optimize_the_same_metric_compare_side_by_side() {
    run(async {
        let store = store_with("tpe-run", 20);
        // A second experiment: the same fixture trials, under another name and seed.
        let mut info = fixtures::info("random-run", ExperimentStatus::Finished, 12);
        info.seed = experiment::Seed(8);
        info.spec_yaml
            .push_str("constraints: {val_loss: {max: 0.1}}\n");
        store.create_experiment(&info).unwrap();
        for i in 0..12 {
            store
                .put_trial("random-run", &fixtures::trial(i, 12))
                .unwrap();
        }
        // The list offers them for comparison.
        let (_, list) = get(&store, "/").await;
        assert!(
            list.contains("name=\"e\" value=\"tpe-run\"") && list.contains("action=\"/compare\""),
            "{list}"
        );
        let (status, body) = get(&store, "/compare?e=tpe-run&e=random-run&e=tpe-run").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("Compare 2 experiments"), "{body}");
        assert!(body.contains("All maximize val_accuracy"), "{body}");
        assert!(body.contains("href=\"/experiments/random-run\""), "{body}");
        assert_eq!(body.matches("<svg class=\"chart\"").count(), 2);
        assert!(
            body.contains("best val_accuracy (fraction) so far"),
            "{body}"
        );
        // The distribution of results, maximized: the share at or above each value.
        assert!(
            body.contains("Distribution of results")
                && body.contains("share of trials at or above"),
            "{body}"
        );
        // Seeds and trial counts differ and are marked; the method does not.
        assert!(
            body.contains(
                "<tr class=\"differs\"><th scope=\"row\">seed <span class=\"badge\">differs</span></th>"
            ),
            "{body}"
        );
        // The epochs each trained: the fixture's trials 12 each, pruned ones 4, failed ones
        // none; the second experiment's trials have no curves.
        let trials = store.trials("tpe-run").unwrap();
        let count = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
        let (pruned, failed) = (count(TrialState::Pruned), count(TrialState::Failed));
        // Its last trial, left running where no sweep runs it, is an attempt cut off.
        let trained = (20 - pruned - failed - 1) * 12 + pruned * 4;
        #[allow(clippy::cast_precision_loss)]
        let epochs = format!(
            "<tr class=\"differs\"><th scope=\"row\">epochs <span class=\"badge\">differs</span></th><td class=\"num\">{trained} \
             trained of at most 228 ({:.2}x), 12 more in attempts cut off</td><td class=\"num\">-</td></tr>",
            trained as f64 / 228.0
        );
        assert!(body.contains(&epochs), "{epochs}\n{body}");
        assert!(
            body.contains("<tr class=\"\"><th scope=\"row\">method</th>"),
            "{body}"
        );
        // Its trials in the API say whether they meet them; the other's say nothing.
        let (_, api) = get(&store, "/api/experiments/random-run/trials?per_page=100").await;
        let page: serde_json::Value = serde_json::from_str(&api).unwrap();
        for t in page["trials"].as_array().unwrap() {
            let meets = t["metrics"]["val_loss"].as_f64().map(|v| v <= 0.1);
            assert_eq!(t["feasible"].as_bool(), meets, "{t}");
        }
        let (_, one) = get(&store, "/api/experiments/random-run/trials/0").await;
        assert!(one.contains("\"feasible\":"), "{one}");
        let (_, other) = get(&store, "/api/experiments/tpe-run/trials/0").await;
        assert!(!other.contains("feasible"), "{other}");
        // The history says it as the trials do: each trial's, and nothing without constraints.
        let (_, history) = get(&store, "/api/experiments/random-run/history").await;
        let history: serde_json::Value = serde_json::from_str(&history).unwrap();
        for (h, t) in history
            .as_array()
            .unwrap()
            .iter()
            .zip(page["trials"].as_array().unwrap().iter().rev().rev())
        {
            let _ = (h, t);
        }
        let (_, other) = get(&store, "/api/experiments/tpe-run/history").await;
        assert!(!other.contains("feasible"), "{other}");
        // One has constraints: a row says them, and how many trials meet them.
        assert!(
            body.contains("<th scope=\"row\">constraints <span class=\"badge\">differs</span></th><td class=\"num\">-</td><td class=\"num\">val_loss ≤ 0.1 (2 of 9 trials meet them)</td>"),
            "{body}"
        );

        // Another objective still compares in the table (W&B's side-by-side table), with
        // both named and the shared charts left out; one name, nine, a bad name are refused,
        // and an unknown experiment is a 404.
        let mut other = fixtures::info("loss-run", ExperimentStatus::Finished, 1);
        other.objective = "val_loss".into();
        other.goal = experiment::Direction::Minimize;
        store.create_experiment(&other).unwrap();
        let (status, body) = get(&store, "/compare?e=tpe-run&e=loss-run").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains(
                "No shared charts: tpe-run maximizes val_accuracy, loss-run minimizes val_loss"
            ) && body.contains("<table class=\"compare\">")
                && !body.contains("<h2>Best so far</h2>")
                && !body.contains('`'),
            "{body}"
        );
        let nine: String = (0..9).map(|i| format!("e=x{i}&")).collect();
        for uri in [
            "/compare?e=tpe-run".to_string(),
            format!("/compare?{nine}"),
            "/compare?e=a%20b&e=c".into(),
        ] {
            let (status, body) = get(&store, &uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        }
        let (status, _) = get(&store, "/compare?e=tpe-run&e=nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn a_sort_that_does_not_read_keeps_the_page_and_says_so_beside_the_table() {
    // As the filter box does: the page, sorted by rank, with the problem above the table; the
    // API still answers 400 (`malformed_queries_get_a_400_page`).
    run(async {
        let store = store_with("demo", 5);
        for (uri, said) in [
            (
                "/experiments/demo?sort=bogus",
                "unknown sort bogus; use rank, trial, state, epoch, duration, param.NAME or \
                 metric.NAME; a parameter is written param.bogus; sorted by rank instead",
            ),
            (
                "/experiments/demo?sort=param.hiddn&dir=desc",
                "sort param.hiddn: the experiment has no parameter hiddn; did you mean hidden? \
                 its parameters: hidden, lr, optimizer; sorted by rank instead",
            ),
            (
                "/experiments/demo?dir=up",
                "unknown dir up; use asc or desc; sorted by rank instead",
            ),
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
            assert!(
                body.contains(&format!(
                    "<p class=\"filter-error sort-error\" id=\"sort-error\" role=\"alert\">{said}</p>"
                )) && body.contains("<h2>Leaderboard</h2>"),
                "{uri}: {body}"
            );
        }
        let (_, fine) = get(&store, "/experiments/demo?sort=trial").await;
        assert!(!fine.contains("sort-error"), "{fine}");
    });
}

#[test]
fn a_sorted_column_s_arrow_is_hidden_as_aria_sort_says_the_order() {
    run(async {
        let store = store_with("demo", 5);
        for uri in [
            "/experiments/demo?sort=trial&dir=desc",
            "/?sort=name&dir=desc",
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
            assert!(
                body.contains("aria-sort=\"descending\"")
                    && body.contains("<span class=\"arrow\" aria-hidden=\"true\">"),
                "{uri}: {body}"
            );
            assert!(!body.contains("<span class=\"arrow\">"), "{uri}: {body}");
        }
    });
}

#[test]
fn the_compare_tables_corner_header_has_a_name_for_screen_readers() {
    run(async {
        let store = store_with("demo", 5);
        fixtures::fill(&store, "other", 3);
        for (uri, name) in [
            ("/experiments/demo/compare?t=0&t=1", "fact or parameter"),
            ("/compare?e=demo&e=other", "setting or result"),
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
            let corner =
                format!("<th scope=\"col\"><span class=\"visually-hidden\">{name}</span></th>");
            assert!(body.contains(&corner), "{uri}: {body}");
        }
    });
}

#[test]
fn the_stylesheet_prints_the_data_and_lets_compare_values_wrap_anywhere_on_a_phone() {
    run(async {
        let store = store_with("demo", 1);
        let (status, css) = get(&store, "/static/css/dashboard.css").await;
        assert_eq!(status, StatusCode::OK);
        assert!(css.contains("@media print {"), "no print stylesheet");
        // At phone width a value column may shrink below its longest word (a 20-digit seed):
        // `anywhere`, not `break-word`, which kept the column as wide as the word.
        let phone = css
            .split("@media (max-width: 640px) {")
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .unwrap_or_default();
        let td = phone
            .lines()
            .find(|line| line.trim_start().starts_with("table.compare td {"))
            .unwrap_or_default();
        assert!(
            td.contains("overflow-wrap: anywhere") && !td.contains("break-word"),
            "{phone}"
        );
    });
}

#[test]
fn a_printed_page_says_which_rows_it_holds() {
    // Print leaves the controls out but keeps what says which rows a page holds: the pager's
    // showing text, the chosen state pill, and the filter, written out in a print-only line
    // (a printed, filtered page 1 read as the whole leaderboard).
    run(async {
        let store = store_with("demo", 3);
        let (_, css) = get(&store, "/static/css/dashboard.css").await;
        let print = css
            .split("@media print {")
            .nth(1)
            .and_then(|rest| rest.split("\n}").next())
            .unwrap_or_default();
        let hidden: Vec<&str> = print
            .split('}')
            .filter(|rule| rule.contains("display: none"))
            .flat_map(|rule| rule.split('{').next().unwrap_or_default().split(','))
            .map(str::trim)
            .collect();
        for kept in [
            "nav.pager",
            ".pager",
            "nav.filters",
            ".board-bar",
            ".pill",
            ".print-only",
        ] {
            assert!(
                !hidden.contains(&kept),
                "{kept} is hidden in print: {hidden:?}"
            );
        }
        for left_out in [
            ".search",
            ".pager a",
            "nav.filters .pill:not(.active)",
            "button",
        ] {
            assert!(hidden.contains(&left_out), "{left_out} prints: {hidden:?}");
        }
        assert!(print.contains(".print-only { display: block"), "{print}");
        assert!(
            css.contains("\n.print-only { display: none; }"),
            "shown on screen"
        );
        let (status, body) = get(
            &store,
            "/experiments/demo?filter=state%20!%3D%20running&per_page=1",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains(
                "<p class=\"print-only board-filter\">filter: <code>state != running</code></p>"
            ),
            "{body}"
        );
        assert!(body.contains("1–1 of 3 · page 1 of 3"), "{body}");
        let (_, unfiltered) = get(&store, "/experiments/demo").await;
        assert!(!unfiltered.contains("print-only board-filter"));
        let (_, list) = get(&store, "/?q=dem").await;
        assert!(
            list.contains(
                "<p class=\"print-only list-query\">names containing “dem”: 1 of 1 shown</p>"
            ),
            "{list}"
        );
    });
}

#[test]
fn a_stopped_sweep_says_how_to_resume_and_what_its_unfinished_trials_do() {
    // As the CLI says when a sweep stops ("run the same command again to resume"): the page
    // shows the command, and the trials left unfinished say they run again from scratch; the
    // list counts the trials as `sweep ls` does (started or run, of the run cap).
    run(async {
        let store = store_with("stopped", 4);
        let mut info = store.experiment("stopped").unwrap().unwrap();
        info.status = ExperimentStatus::Interrupted;
        store.update_experiment(&info).unwrap();
        let mut queued = fixtures::trial(1, 4);
        queued.id = experiment::TrialId(4);
        queued.state = experiment::TrialState::Queued;
        queued.result = None;
        queued.reason = None;
        store.put_trial("stopped", &queued).unwrap();
        let (status, body) = get(&store, "/experiments/stopped").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains(
                "<pre class=\"command resume-command\">sweep run experiments/fixture.yaml \
                 --store .sweep</pre>"
            ),
            "{body}"
        );
        assert!(
            body.contains(
                "state-queued\" title=\"not run, or put back unfinished when the sweep stopped: \
                 it runs from scratch when the same command runs again\""
            ) && body.contains(
                "state-interrupted\" title=\"running when the sweep was killed: it runs again \
                 from scratch when the same command runs again\""
            ),
            "{body}"
        );
        let (_, list) = get(&store, "/").await;
        assert!(
            list.contains("<td class=\"num\">5 <span class=\"of\">/ 4</span></td>"),
            "{list}"
        );
        // A finished sweep has nothing to resume.
        let finished = store_with("done", 3);
        let done = finished.experiment("done").unwrap().unwrap();
        assert_eq!(done.status, ExperimentStatus::Finished);
        let (status, finished_page) = get(&finished, "/experiments/done").await;
        assert_eq!(status, StatusCode::OK, "{finished_page}");
        assert!(
            finished_page.contains(">done</") && !finished_page.contains("resume-command"),
            "{finished_page}"
        );
    });
}

#[test]
fn a_missing_experiment_or_trial_says_what_is_near_and_links_to_it() {
    // As the CLI says `did you mean`, the 404 page names the closest experiment and links to
    // it; a missing trial says which trials there are and links back to its experiment, under
    // breadcrumbs that keep the experiment.
    run(async {
        let store = store_with("demo", 5);
        let (status, body) = get(&store, "/experiments/dem").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(
            body.contains("no experiment named &#34;dem&#34;; did you mean demo?")
                && body.contains("<a href=\"/experiments/demo\">Open demo</a>"),
            "{body}"
        );
        let (status, body) = get(&store, "/api/experiments/dem").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body.contains("did you mean demo?"), "{body}");
        let (_, far) = get(&store, "/experiments/zzzzzzzz").await;
        assert!(
            !far.contains("did you mean") && !far.contains("Open "),
            "{far}"
        );

        let (status, body) = get(&store, "/experiments/demo/trials/99").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(
            body.contains("has no trial 99; its trials are 0 to 4")
                && body.contains("<a href=\"/experiments/demo\">Back to demo</a>")
                && body.contains(
                    "<a href=\"/\">Experiments</a><span class=\"sep\">/</span>\
                     <a href=\"/experiments/demo\">demo</a><span class=\"sep\">/</span>\
                     <span>trial 99</span>"
                ),
            "{body}"
        );
    });
}

#[test]
fn a_bad_sort_beside_a_bad_page_answers_the_error_the_api_reports_first() {
    run(async {
        let store = store_with("demo", 5);
        let said = |body: &str| {
            let api: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            api["error"].as_str().unwrap_or_default().to_string()
        };
        let page_error = "bad query: `page` takes a whole number such as 2, found `abc`";
        let per_page_error = "bad query: `per_page` takes a whole number such as 2, found `ten`";
        // The page falls back from a sort that does not read, but not from the other mistake
        // beside it: it answers 400 with the other one, which the API too reports first.
        for query in [
            "sort=bogus&page=abc",
            "page=abc&sort=bogus",
            "dir=up&per_page=ten",
            "per_page=ten&dir=up",
        ] {
            let wanted = if query.contains("page=abc") {
                page_error
            } else {
                per_page_error
            };
            for (page, api) in [
                ("/", "/api/experiments"),
                ("/experiments/demo", "/api/experiments/demo/trials"),
            ] {
                let (page_status, page_body) = get(&store, &format!("{page}?{query}")).await;
                let (api_status, api_body) = get(&store, &format!("{api}?{query}")).await;
                assert_eq!(
                    (page_status, api_status),
                    (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST),
                    "{page}?{query}: {page_body}"
                );
                assert_eq!(said(&api_body), wanted, "{api}?{query}");
                assert!(page_body.contains(wanted), "{page}?{query}: {page_body}");
            }
        }
        // A sort given twice is the list API's first mistake, read before the page after it;
        // the page, reading the rest without the sort, answers with the page's.
        let query = "sort=name&sort=name&page=abc";
        let (_, api_body) = get(&store, &format!("/api/experiments?{query}")).await;
        assert_eq!(said(&api_body), "bad query: `sort` is given twice");
        let (status, page_body) = get(&store, &format!("/?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page_body.contains(page_error), "{page_body}");
    });
}

#[test]
fn malformed_queries_get_a_400_page() {
    run(async {
        let store = store_with("demo", 5);
        for uri in [
            "/experiments/demo?page=abc",
            "/experiments/demo?page=0",
            "/api/experiments/demo/trials?sort=bogus",
            "/experiments/demo?state=done",
            "/experiments/demo/compare?t=1",
            "/experiments/demo/compare?t=1&t=x",
            "/experiments/demo/compare?trials=0,1,2,3,4,5,6,7,8",
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            let page = !uri.starts_with("/api/");
            assert!(!page || body.contains("400 · Bad Request"), "{uri}");
        }
        let (status, body) = get(
            &store,
            "/api/experiments/demo/trials/0/metrics/val_loss?max_points=1",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        // A whole number that is not one is named, with what it was.
        for (uri, said) in [
            (
                "/experiments/demo?page=abc",
                "`page` takes a whole number such as 2, found `abc`",
            ),
            (
                "/api/experiments/demo/trials?per_page=ten",
                "`per_page` takes a whole number such as 2, found `ten`",
            ),
            (
                "/api/experiments/demo/trials/0/metrics?max_points=-1",
                "`max_points` takes a whole number such as 2, found `-1`",
            ),
            // A column the experiment lacks, as a filter naming it is refused.
            (
                "/api/experiments/demo/trials?sort=param.hiddn",
                "sort param.hiddn: the experiment has no parameter `hiddn`; did you mean \
                 `hidden`?",
            ),
            (
                "/api/experiments/demo/trials?sort=metric.val_acc",
                "sort metric.val_acc: the experiment has no metric `val_acc`",
            ),
            (
                "/experiments/demo/trials.csv?sort=param.nope",
                "the experiment has no parameter `nope`",
            ),
            // A bare name: the key meant, as the CLI's `--sort` says it.
            (
                "/api/experiments/demo/trials?sort=val_loss",
                "unknown sort `val_loss`; use rank, trial, state, epoch, duration, param.NAME or \
                 metric.NAME; did you mean `metric.val_loss`?",
            ),
            (
                "/api/experiments/demo/trials?dir=up",
                "unknown dir `up`; use asc or desc",
            ),
            ("/experiments/demo?page=1&page=2", "`page` is given twice"),
            (
                "/api/experiments/demo/trials?sort=rank&sort=trial",
                "`sort` is given twice",
            ),
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            assert!(body.contains(said), "{uri}: {body}");
            assert!(!body.contains("deserialize"), "{uri}: {body}");
        }
        // A trial named by something other than its number.
        for uri in [
            "/experiments/demo/trials/abc",
            "/api/experiments/demo/trials/-1",
        ] {
            let (status, body) = get(&store, uri).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
            assert!(
                body.contains("a trial is named by its number"),
                "{uri}: {body}"
            );
            assert!(
                !body.contains("deserialize") && !body.contains("u32"),
                "{uri}: {body}"
            );
        }
    });
}

#[test]
fn user_controlled_names_are_escaped() {
    run(async {
        let evil = "<script>alert(1)</script>";
        let store = Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info(evil, ExperimentStatus::Running, 12))
            .unwrap();
        for i in 0..12 {
            let mut t = fixtures::trial(i, 13);
            let lr = t.params.remove("lr").unwrap();
            t.params.insert(evil.to_string(), lr);
            store.put_trial(evil, &t).unwrap();
        }
        let (status, body) = get(&store, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !body.contains(evil) && body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{body}"
        );
        let href = "/experiments/%3Cscript%3Ealert%281%29%3C%2Fscript%3E";
        assert!(body.contains(href), "{body}");
        for uri in [
            href.to_string(),
            format!("{href}/trials/0"),
            format!("{href}/compare?t=0&t=1"),
            format!("{href}?sort=param.%3Cscript%3E"),
        ] {
            let (status, body) = get(&store, &uri).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
                "{uri}: {status} {body}"
            );
            assert!(!body.contains("<script>alert"), "unescaped on {uri}");
            assert_eq!(
                body.matches("<script").count(),
                1,
                "only the dashboard's own script on {uri}"
            );
        }
        let (_, body) = get(&store, "/api/experiments").await;
        assert!(
            body.contains("\\u003cscript") || body.contains("<script>alert(1)</script>"),
            "JSON carries the name as data"
        );
    });
}

#[test]
fn the_token_guards_every_request() {
    run(async {
        let store = store_with("demo", 3);
        let token = "0123456789abcdef0123";
        let access = || Access::token(token).unwrap();
        let (status, _, body) = get_with(&store, access(), TestRequest::get().uri("/")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let (status, _, _) = get_with(
            &store,
            access(),
            TestRequest::get().uri("/static/css/dashboard.css"),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, body) =
            get_with(&store, access(), TestRequest::get().uri("/api/experiments")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.starts_with("{\"api_version\":2,\"error\""));
        let (status, _, _) = get_with(
            &store,
            access(),
            TestRequest::get().uri("/?token=wrong-token-wrong"),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let (status, headers, _) = get_with(
            &store,
            access(),
            TestRequest::get().uri(&format!("/api/experiments?token={token}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(header(&headers, "set-cookie").is_some_and(|c| c.contains("HttpOnly")));
        let bearer = TestRequest::get()
            .uri("/api/experiments")
            .insert_header(("Authorization", format!("Bearer {token}")));
        assert_eq!(get_with(&store, access(), bearer).await.0, StatusCode::OK);
        // Every token given counts, wherever it stands; the scheme's case does not matter.
        for req in [
            TestRequest::get().uri(&format!("/api/experiments?token=wrong&token={token}")),
            TestRequest::get().uri(&format!("/api/experiments?%74oken={token}")),
            TestRequest::get()
                .uri("/")
                .insert_header(("Authorization", format!("bearer {token}"))),
        ] {
            assert_eq!(get_with(&store, access(), req).await.0, StatusCode::OK);
        }
        // A token opens it by any name.
        let elsewhere = TestRequest::get()
            .uri(&format!("/api/experiments?token={token}"))
            .insert_header(("Host", "sweep.example.org"));
        assert_eq!(
            get_with(&store, access(), elsewhere).await.0,
            StatusCode::OK
        );
    });
}

/// Returns the cookie `access` sets for the token, as `name=value`.
async fn cookie_for(store: &Store, access: &Access, token: &str) -> String {
    let req = TestRequest::get().uri(&format!("/?token={token}"));
    let (_, headers, _) = get_with(store, access.clone(), req).await;
    let set = header(&headers, "set-cookie").unwrap_or_default();
    set.split(';').next().unwrap_or_default().to_string()
}

#[test]
fn the_cookie_is_named_for_the_port_and_carries_no_token() {
    run(async {
        let store = store_with("demo", 3);
        let token = "0123456789abcdef0123";
        let access = Access::token(token).unwrap();
        let cookie = cookie_for(&store, &access, token).await;
        // The test server listens on port 8080 (actix's default `AppConfig`).
        let value = cookie.strip_prefix("sweep_token_8080=").unwrap_or_default();
        assert_eq!(value.len(), 32, "{cookie}");
        assert!(!cookie.contains(token), "{cookie}");
        let with = |cookie: String| {
            TestRequest::get()
                .uri("/experiments/demo")
                .insert_header(("Cookie", cookie))
        };
        let opened = |cookie: String| {
            let access = access.clone();
            let store = store.clone();
            async move { get_with(&store, access, with(cookie)).await.0 }
        };
        assert_eq!(opened(format!("other=1; {cookie}")).await, StatusCode::OK);
        assert_eq!(
            opened(format!("sweep_token_8080=stale; {cookie}")).await,
            StatusCode::OK
        );
        // The token itself is no cookie, nor is the value under another port's name or the
        // old name, nor another run's value.
        for refused in [
            format!("sweep_token_8080={token}"),
            format!("sweep_token={value}"),
            format!("sweep_token_8081={value}"),
            format!("sweep_token_80800={value}"),
        ] {
            assert_eq!(
                opened(refused.clone()).await,
                StatusCode::UNAUTHORIZED,
                "{refused}"
            );
        }
        let other_run = Access::token(token).unwrap();
        let req = with(cookie.clone());
        assert_eq!(
            get_with(&store, other_run, req).await.0,
            StatusCode::UNAUTHORIZED
        );
    });
}

#[test]
fn a_page_opened_with_the_token_is_sent_on_without_it() {
    run(async {
        let store = store_with("demo", 3);
        let token = "0123456789abcdef0123";
        let access = Access::token(token).unwrap();
        for (uri, location) in [
            (format!("/?token={token}"), "/"),
            (
                format!("/experiments/demo?page=2&token={token}&q=a%26b"),
                "/experiments/demo?page=2&q=a%26b",
            ),
            (format!("/?token=wrong&%74oken={token}"), "/"),
            (format!("//evil.example/?token={token}"), "/evil.example/"),
        ] {
            let (status, headers, _) =
                get_with(&store, access.clone(), TestRequest::get().uri(&uri)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{uri}");
            assert_eq!(header(&headers, "location"), Some(location), "{uri}");
            assert!(
                header(&headers, "set-cookie").is_some_and(|c| c.starts_with("sweep_token_8080=")),
                "{uri}"
            );
        }
        // A wrong token is refused, not sent on.
        let req = TestRequest::get().uri("/?token=wrong-token-wrong");
        let (status, _, _) = get_with(&store, access.clone(), req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // The API answers with the token in place: a program sends it each time.
        let req = TestRequest::get().uri(&format!("/api/experiments?token={token}"));
        let (status, _, body) = get_with(&store, access.clone(), req).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("demo"), "{body}");
    });
}

#[test]
fn an_open_dashboard_answers_only_requests_addressed_to_loopback() {
    run(async {
        let store = store_with("demo", 3);
        let host = |uri: &str, host: &str| {
            TestRequest::get()
                .uri(uri)
                .insert_header(("Host", host.to_string()))
        };
        for name in ["127.0.0.1:8391", "localhost:8391", "[::1]:8391"] {
            let (status, _, _) = get_with(&store, Access::open(), host("/", name)).await;
            assert_eq!(status, StatusCode::OK, "{name}");
        }
        // A page whose own name was rebound to 127.0.0.1 (DNS rebinding) reads nothing.
        let (status, _, body) =
            get_with(&store, Access::open(), host("/", "attacker.example:8391")).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
        assert!(
            body.contains("addressed to `attacker.example:8391`"),
            "{body}"
        );
        assert!(!body.contains("demo"), "{body}");
        let (status, _, body) = get_with(
            &store,
            Access::open(),
            host("/api/experiments/demo", "attacker.example"),
        )
        .await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
        assert!(body.starts_with("{\"api_version\":2,\"error\""), "{body}");
        // Named in the request line (absolute form) rather than the header.
        let absolute = host("http://attacker.example/", "127.0.0.1:8391");
        let (status, _, _) = get_with(&store, Access::open(), absolute).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    });
}

#[test]
fn api_itself_is_refused_in_json_as_below_it() {
    run(async {
        let store = store_with("demo", 3);
        let token = "0123456789abcdef0123";
        for uri in ["/api", "/api/", "/api/experiments"] {
            let req = TestRequest::get().uri(uri);
            let (status, _, body) = get_with(&store, Access::token(token).unwrap(), req).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
            assert!(
                body.starts_with("{\"api_version\":2,\"error\""),
                "{uri}: {body}"
            );
            let req = TestRequest::get()
                .uri(uri)
                .insert_header(("Host", "attacker.example"));
            let (status, _, body) = get_with(&store, Access::open(), req).await;
            assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{uri}");
            assert!(
                body.starts_with("{\"api_version\":2,\"error\""),
                "{uri}: {body}"
            );
        }
        // A path that only starts like it is a page's.
        let req = TestRequest::get().uri("/apix");
        let (status, _, body) = get_with(&store, Access::token(token).unwrap(), req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(!body.starts_with('{'), "{body}");
    });
}

#[test]
fn every_answer_carries_the_security_headers() {
    run(async {
        let store = store_with("demo", 3);
        for uri in [
            "/",
            "/experiments/demo",
            "/api/experiments",
            "/static/css/dashboard.css",
            "/no/such/page",
        ] {
            let (_, headers, _) =
                get_with(&store, Access::open(), TestRequest::get().uri(uri)).await;
            let csp = header(&headers, "content-security-policy").unwrap_or_default();
            assert!(
                csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{uri}: {csp}"
            );
            assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
            assert_eq!(header(&headers, "x-frame-options"), Some("DENY"));
            assert_eq!(header(&headers, "referrer-policy"), Some("no-referrer"));
        }
    });
}

#[test]
fn live_pages_serve_fragments() {
    run(async {
        let store = Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info("live", ExperimentStatus::Running, 10))
            .unwrap();
        store.put_trial("live", &fixtures::trial(0, 1)).unwrap();
        let req = TestRequest::get()
            .uri("/experiments/live")
            .insert_header(("X-Sweep-Fragment", "1"));
        let (status, headers, body) = get_with(&store, Access::open(), req).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "x-sweep-live"), Some("1"));
        assert!(!body.contains("<html") && body.contains("Leaderboard"));
        assert!(
            body.contains("no completed trials"),
            "empty states while nothing completed"
        );
        let (_, body) = get(&store, "/experiments/live").await;
        assert!(body.contains("data-live=\"1\"") && body.contains("<html"));
        let (_, headers, _) = get_with(
            &store_with("done", 3),
            Access::open(),
            TestRequest::get().uri("/experiments/done"),
        )
        .await;
        assert_eq!(header(&headers, "x-sweep-live"), Some("0"));
    });
}

#[test]
fn the_api_says_how_an_experiment_searches() {
    run(async {
        let store = Store::temporary().unwrap();
        let mut info = fixtures::info("tuned", ExperimentStatus::Finished, 40);
        info.spec_yaml = info.spec_yaml.replace("method: random", "method: tpe")
            + "pruner: {type: asha, min_resource: 2}\n\
               constraints: {val_loss: {max: 0.5}}\n\
               plateau: {patience: 10}\n";
        info.spec_yaml = info.spec_yaml.replace(
            "metric: {name: val_accuracy, goal: maximize}",
            "metric: {name: val_accuracy, goal: maximize, target: 0.97}",
        );
        store.create_experiment(&info).unwrap();
        let (status, body) = get(&store, "/api/experiments/tuned").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        let search = &api["search"];
        assert_eq!(search["method"], "tpe", "{api}");
        assert!(search["sampler"]
            .as_str()
            .unwrap()
            .contains("n_startup_trials"));
        assert_eq!(search["pruner"], "asha");
        assert!(search["pruner_settings"]
            .as_str()
            .unwrap()
            .contains("min_resource: 2"));
        assert!(
            search["rungs"].as_str().unwrap().starts_with("epochs 2"),
            "{search}"
        );
        assert_eq!(search["target"], 0.97);
        assert_eq!(search["plateau"]["patience"], 10);
        assert_eq!(
            search["constraints"],
            serde_json::json!([{"metric": "val_loss", "max": 0.5}])
        );
        // The list stays short: the search is said per experiment.
        let (_, list) = get(&store, "/api/experiments").await;
        assert!(!list.contains("\"search\""), "{list}");
    });
}

#[test]
fn head_answers_as_get_and_other_methods_are_not_allowed() {
    run(async {
        let store = store_with("demo", 3);
        for uri in [
            "/",
            "/experiments/demo",
            "/api/experiments",
            "/static/css/dashboard.css",
        ] {
            let (status, _, _) = get_with(
                &store,
                Access::open(),
                TestRequest::default().method(Method::HEAD).uri(uri),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "HEAD {uri}");
        }
        let (status, _, _) = get_with(
            &store,
            Access::open(),
            TestRequest::default().method(Method::HEAD).uri("/nope"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
            let req = TestRequest::default()
                .method(method.clone())
                .uri("/api/experiments");
            let (status, headers, body) = get_with(&store, Access::open(), req).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
            assert_eq!(header(&headers, "allow"), Some("GET, HEAD"));
            assert!(
                body.contains(&format!(
                    "{method} is not allowed: the dashboard only reads"
                )),
                "{body}"
            );
        }
    });
}

#[test]
fn compare_pages_refresh_while_what_they_compare_can_change() {
    run(async {
        let store = Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info("live", ExperimentStatus::Running, 10))
            .unwrap();
        store
            .create_experiment(&fixtures::info("done", ExperimentStatus::Finished, 2))
            .unwrap();
        for i in 0..3 {
            store.put_trial("live", &fixtures::trial(i, 3)).unwrap();
        }
        for i in 0..2 {
            store.put_trial("done", &fixtures::trial(i, 3)).unwrap();
        }
        let live = |uri: &'static str, fragment: bool| {
            let store = &store;
            async move {
                let mut req = TestRequest::get().uri(uri);
                if fragment {
                    req = req.insert_header(("X-Sweep-Fragment", "1"));
                }
                let (status, headers, body) = get_with(store, Access::open(), req).await;
                assert_eq!(status, StatusCode::OK, "{uri}: {body}");
                let live = header(&headers, "x-sweep-live").map(str::to_string);
                (live, body)
            }
        };
        // Trial 2 still runs: the page follows it, and its fragment is the <main> alone.
        let (said, body) = live("/experiments/live/compare?trials=0,2", false).await;
        assert_eq!(said.as_deref(), Some("1"));
        assert!(body.contains("data-live=\"1\""), "{body}");
        let (said, body) = live("/experiments/live/compare?trials=0,2", true).await;
        assert_eq!(said.as_deref(), Some("1"));
        assert!(
            !body.contains("<html") && body.contains("Compare 2 trials"),
            "{body}"
        );
        // Two ended trials of one objective no longer change.
        let (said, body) = live("/experiments/live/compare?trials=0,1", false).await;
        assert_eq!(said.as_deref(), Some("0"));
        assert!(body.contains("data-live=\"0\""), "{body}");
        // Experiments side by side: live while one of them runs.
        let (said, body) = live("/compare?e=live&e=done", false).await;
        assert_eq!(said.as_deref(), Some("1"));
        assert!(body.contains("data-live=\"1\""), "{body}");
        let (said, body) = live("/compare?e=live&e=done", true).await;
        assert!(!body.contains("<html") && body.contains("Compare 2 experiments"));
        assert_eq!(said.as_deref(), Some("1"));
        store
            .update_experiment(&fixtures::info("live", ExperimentStatus::Finished, 10))
            .unwrap();
        let (said, _) = live("/compare?e=live&e=done", false).await;
        assert_eq!(said.as_deref(), Some("0"));
    });
}

#[test]
fn the_api_returns_what_the_pages_show() {
    run(async {
        let store = store_with("demo", 40);
        let (status, body) = get(&store, "/api/experiments").await;
        assert_eq!(status, StatusCode::OK);
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        // Paged as the trials are: the first page, with what says how many there are.
        assert_eq!(
            [
                &list["total"],
                &list["matching"],
                &list["page"],
                &list["pages"],
                &list["per_page"]
            ],
            [1, 1, 1, 1, 50]
        );
        assert_eq!(list["experiments"][0]["name"], "demo");
        assert_eq!(list["experiments"][0]["trials"]["stored"], 40);

        let (_, body) = get(
            &store,
            "/api/experiments/demo/trials?state=completed&per_page=5&page=2",
        )
        .await;
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["trials"].as_array().map(Vec::len), Some(5), "{body}");
        assert_eq!(page["page"], 2);
        assert_eq!(page["trials"][0]["state"], "completed");
        assert!(
            page["trials"][0]["rank"].as_u64() >= Some(6),
            "ranks count every trial: {body}"
        );

        // The filter of `sweep trials --filter`, and its mistakes as 400s that say where.
        let (status, body) = get(
            &store,
            "/api/experiments/demo/trials?filter=param.optimizer%20%3D%20adam%20and%20metric.val_accuracy%20%3E%200.9&per_page=1000",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        let rows = page["trials"].as_array().unwrap();
        assert!(!rows.is_empty() && rows.len() < 40, "{body}");
        assert!(rows.iter().all(|t| t["params"]["optimizer"] == "adam"
            && t["metrics"]["val_accuracy"].as_f64() > Some(0.9)));
        assert_eq!(page["matching"], rows.len());
        for (filter, said) in [
            ("metric.val_accuracy%20%3D%3E%200.9", "filter: column 21: `=>` is written `>=`"),
            ("param.optimiser%20%3D%20adam", "filter: column 1: the experiment has no parameter `optimiser`; did you mean `optimizer`?"),
        ] {
            let (status, body) =
                get(&store, &format!("/api/experiments/demo/trials?filter={filter}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(body.contains(said), "{body}");
        }
        // The page keeps the filter in its search box and its links, and says what is wrong.
        let (status, html) = get(
            &store,
            "/experiments/demo?sort=trial&filter=param.optimizer%20%3D%20adam",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("value=\"param.optimizer = adam\""), "{html}");
        assert!(html.contains("name=\"sort\" value=\"trial\""), "{html}");
        // Its tooltip gives the grammar, lists included.
        assert!(
            html.contains(
                "or a list: param.optimizer in (adam, sgd), state not in (pruned, failed)"
            ),
            "{html}"
        );
        assert!(
            html.contains("filter=param.optimizer%20%3D%20adam"),
            "{html}"
        );
        // The state pills count the trials the search keeps: trials 3-5, 12-14, 21-23, 30-32
        // and 39 of the fixture's 40 use adam.
        assert!(
            html.contains("all <span class=\"count\">13</span>"),
            "{html}"
        );
        let (status, html) = get(
            &store,
            "/experiments/demo?filter=param.optimiser%20%3D%20adam",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("role=\"alert\">column 1: the experiment has no parameter `optimiser`"),
            "{html}"
        );
        assert!(
            html.contains(
                "No trials shown: the filter above cannot be read. Mend it, or clear it to see all 40."
            ),
            "{html}"
        );
        // A readable filter that no trial meets says so.
        let (_, html) = get(
            &store,
            "/experiments/demo?filter=param.optimizer%20%3D%20adam%20and%20param.optimizer%20%3D%20sgd",
        )
        .await;
        assert!(html.contains("No trials match this filter yet."), "{html}");
        // A page past the last is sent to the last, with the rest of its query.
        let past = |uri: &str| {
            let uri = uri.to_string();
            let store = store.clone();
            async move {
                let req = TestRequest::get().uri(&uri);
                let (status, headers, _) = get_with(&store, Access::open(), req).await;
                (status, header(&headers, "location").map(str::to_string))
            }
        };
        assert_eq!(
            past("/experiments/demo?page=9").await,
            (
                StatusCode::SEE_OTHER,
                Some("/experiments/demo?sort=rank&dir=asc#leaderboard".into())
            )
        );
        assert_eq!(
            past("/experiments/demo?state=completed&per_page=5&page=99&sort=trial").await,
            (
                StatusCode::SEE_OTHER,
                Some(
                    "/experiments/demo?sort=trial&dir=asc&state=completed&page=6&per_page=5\
                     #leaderboard"
                        .into()
                )
            )
        );
        assert_eq!(
            past("/experiments/demo?per_page=5&page=8").await.0,
            StatusCode::OK,
            "the last page itself"
        );
        // The API answers an empty page with the totals that say it is past the last, so that
        // a client paging until a page comes back empty stops.
        let (status, body) = get(&store, "/api/experiments/demo/trials?per_page=5&page=99").await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            [&json["page"], &json["pages"], &json["matching"]],
            [99, 8, 40]
        );
        assert_eq!(json["trials"], serde_json::json!([]));
        // Many pages: the first and the last a click away, links to the leaderboard's place.
        let pager = |html: &str| -> String {
            let from = html.find("<nav class=\"pager\"").unwrap_or(0);
            html[from..]
                .split("</nav>")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let (_, html) = get(&store, "/experiments/demo?per_page=5&page=4").await;
        let nav = pager(&html);
        assert!(
            nav.contains("<a href=\"/experiments/demo?sort=rank&#38;dir=asc&#38;per_page=5#leaderboard\">« first</a>")
                && nav.contains(
                    "<a href=\"/experiments/demo?sort=rank&#38;dir=asc&#38;page=8&#38;per_page=5#leaderboard\">last »</a>"
                ),
            "{nav}"
        );
        let (_, html) = get(&store, "/experiments/demo?per_page=5").await;
        assert!(
            pager(&html).contains("<span class=\"disabled\">« first</span>"),
            "on the first page, greyed as `previous` is"
        );
        let (_, html) = get(&store, "/experiments/demo?per_page=5&page=8").await;
        assert!(pager(&html).contains("<span class=\"disabled\">last »</span>"));

        let (_, body) = get(
            &store,
            "/api/experiments/demo/trials/0/metrics/val_accuracy?max_points=5",
        )
        .await;
        let series: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(series["total_points"], 12);
        assert_eq!(series["downsampled"], true);
        assert_eq!(series["points"].as_array().map(Vec::len), Some(5));
        assert_eq!(series["points"][0][0], 1);

        let (_, body) = get(&store, "/api/experiments/demo/trials/0/metrics").await;
        let all: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(all.as_array().map(Vec::len), Some(2));

        let (_, body) = get(&store, "/api/experiments/demo/importance").await;
        let imp: serde_json::Value = serde_json::from_str(&body).unwrap();
        let params: Vec<&str> = imp["importance"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["param"].as_str())
            .collect();
        assert_eq!(params, ["hidden", "lr", "optimizer"]);
        // The top set it compared: the top 10% of the 33 finished trials is 4, held to 5.
        assert_eq!(imp["top_fraction"], 0.1);
        assert_eq!(
            (&imp["top_trials"], &imp["trials"]),
            (&5.into(), &33.into())
        );

        let (_, body) = get(&store, "/api/experiments/demo/history").await;
        let history: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(history.as_array().map(Vec::len), Some(40));
        // A page of it: the trials after 30, five at most; the best so far counts the earlier.
        let (_, body) = get(&store, "/api/experiments/demo/history?after=30&limit=5").await;
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            page.as_array().unwrap().as_slice(),
            &history.as_array().unwrap()[31..36]
        );
        let (_, body) = get(&store, "/api/experiments/demo/history?after=37").await;
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            page.as_array().unwrap().as_slice(),
            &history.as_array().unwrap()[38..]
        );
        let (status, body) = get(&store, "/api/experiments/demo/history?limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("limit must be at least 1"), "{body}");
        let (status, _) = get(&store, "/api/experiments/demo/trials/7").await;
        assert_eq!(status, StatusCode::OK);
    });
}

#[test]
fn the_dashboard_never_writes_to_the_store() {
    run(async {
        let store = store_with("demo", 20);
        let before = (store.experiments().unwrap(), store.trials("demo").unwrap());
        for uri in [
            "/",
            "/experiments/demo",
            "/experiments/demo/trials/1",
            "/api/experiments/demo/trials",
            "/experiments/demo/compare?t=0&t=1",
        ] {
            let (status, _) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
        }
        let service = init_service(app(store.clone(), Access::open(), fixtures::clock())).await;
        let post = TestRequest::post().uri("/experiments/demo").to_request();
        let res = call_service(&service, post).await;
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "no route accepts writes"
        );
        assert_eq!(
            before,
            (store.experiments().unwrap(), store.trials("demo").unwrap())
        );
    });
}

#[test]
fn static_files_are_embedded() {
    run(async {
        let store = Store::temporary().unwrap();
        for (uri, kind) in [
            ("/static/css/dashboard.css", "text/css"),
            ("/static/js/dashboard.js", "text/javascript"),
            ("/favicon.ico", "image/svg+xml"),
        ] {
            let (status, headers, body) =
                get_with(&store, Access::open(), TestRequest::get().uri(uri)).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert!(
                header(&headers, "content-type").is_some_and(|c| c.starts_with(kind)),
                "{uri}"
            );
            assert!(!body.is_empty());
        }
        let (status, body) = get(&store, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("No experiments in this store yet"));
    });
}

#[test]
fn snapshots_follow_the_freshness_rule() {
    run(async {
        let store = store_with("demo", 5);
        let frozen = Dashboard::new(
            store.clone(),
            Access::open(),
            Freshness::Frozen,
            fixtures::clock(),
        );
        frozen.warm().unwrap();
        let live = Dashboard::new(
            store.clone(),
            Access::open(),
            Freshness::Sweeping {
                experiment: "demo".into(),
                max_age: Duration::ZERO,
                notices: Notices::default(),
            },
            fixtures::clock(),
        );
        let stored = |d: Dashboard| async move {
            let service = init_service(d.app()).await;
            let req = TestRequest::get().uri("/api/experiments/demo").to_request();
            let body = read_body(call_service(&service, req).await).await;
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            value["trials"]["stored"].as_u64()
        };
        let following = |max_age| {
            Dashboard::new(
                store.clone(),
                Access::open(),
                Freshness::Following {
                    notices: Notices::default(),
                    max_age,
                },
                fixtures::clock(),
            )
        };
        let (patient, eager) = (
            following(Duration::from_secs(60)),
            following(Duration::ZERO),
        );
        assert_eq!(stored(live.clone()).await, Some(5));
        assert_eq!(stored(patient.clone()).await, Some(5));
        assert_eq!(stored(eager.clone()).await, Some(5));
        store.put_trial("demo", &fixtures::trial(5, 7)).unwrap();
        assert_eq!(stored(frozen).await, Some(5), "a frozen store is read once");
        assert_eq!(
            stored(live).await,
            Some(6),
            "older than max_age: read again"
        );
        assert_eq!(stored(patient).await, Some(5), "younger than max_age");
        assert_eq!(stored(eager).await, Some(6));
        let (status, _) = get(&store, "/experiments/never-made").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn a_snapshot_that_took_long_to_make_is_kept_longer_than_max_age() {
    let store = store_with("demo", 5);
    let reader = crate::data::Reader::new(
        store.clone(),
        Freshness::Following {
            notices: Notices::default(),
            max_age: Duration::from_millis(1),
        },
    );
    let first = reader.experiment("demo").unwrap();
    // As if reading and analysing it had taken a minute: kept four minutes.
    first.spent(Duration::from_secs(60));
    store.put_trial("demo", &fixtures::trial(5, 7)).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let kept = reader.experiment("demo").unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &kept), "kept past max_age");
    assert_eq!(kept.trials.len(), 5);
    // Another is read again once the time it is kept for has passed: max_age, or four times
    // what it took to read, however long that was on this machine (`kept_for`, below).
    let other = store_with("other", 2);
    let max_age = Duration::from_millis(1);
    let reader = crate::data::Reader::new(
        other.clone(),
        Freshness::Following {
            notices: Notices::default(),
            max_age,
        },
    );
    let first = reader.experiment("other").unwrap();
    other.put_trial("other", &fixtures::trial(2, 7)).unwrap();
    let kept = crate::data::kept_for(max_age, first.cost());
    std::thread::sleep(kept + Duration::from_millis(5));
    assert_eq!(reader.experiment("other").unwrap().trials.len(), 3);
    assert_eq!(first.trials.len(), 2);
}

#[test]
fn a_snapshot_is_kept_for_max_age_or_four_times_what_it_took_to_make() {
    use crate::data::kept_for;
    let ms = Duration::from_millis;
    // A quick one (a store read of a few milliseconds) is kept max_age.
    assert_eq!(kept_for(ms(1000), ms(3)), ms(1000));
    assert_eq!(kept_for(ms(1), Duration::ZERO), ms(1));
    // A slow one, four times as long as it took.
    assert_eq!(kept_for(ms(1000), ms(600)), ms(2400));
    assert_eq!(
        kept_for(ms(1), Duration::from_secs(60)),
        Duration::from_secs(240)
    );
    // No max_age: read on every request, however long it takes.
    assert_eq!(
        kept_for(Duration::ZERO, Duration::from_secs(60)),
        Duration::ZERO
    );
}

#[test]
fn the_sweep_s_notices_show_on_its_experiment_page_while_set() {
    run(async {
        let store = store_with("done", 6);
        fixtures::fill(&store, "other", 3);
        let notices = Notices::default();
        // The sweep's trials have all ended; it waits for the test split's result.
        let dashboard = Dashboard::new(
            store.clone(),
            Access::open(),
            Freshness::Sweeping {
                experiment: "done".into(),
                max_age: Duration::from_secs(60),
                notices: notices.clone(),
            },
            fixtures::clock(),
        );
        let service = init_service(dashboard.app()).await;
        let page = |uri: &'static str, fragment: bool| {
            let service = &service;
            async move {
                let mut req = TestRequest::get().uri(uri);
                if fragment {
                    req = req.insert_header(("X-Sweep-Fragment", "1"));
                }
                let res = call_service(service, req.to_request()).await;
                String::from_utf8_lossy(&read_body(res).await).into_owned()
            }
        };
        let said = "waiting for agent 1 of 2, which measures trial 3 on the test split";
        let before = page("/experiments/done", false).await;
        assert!(!before.contains("class=\"notice\"") && before.contains("data-live=\"0\""));
        notices.set("done", "agent-1", said.to_string());
        let during = page("/experiments/done", false).await;
        assert!(
            during.contains(&format!("<p class=\"notice\">{said}</p>")),
            "not the kept page: {during}"
        );
        assert!(
            during.contains("data-live=\"1\""),
            "it refreshes until the notice goes"
        );
        let fragment = page("/experiments/done", true).await;
        assert!(fragment.contains(said), "{fragment}");
        let api: serde_json::Value =
            serde_json::from_str(&page("/api/experiments/done", false).await).unwrap();
        assert_eq!(api["notices"], serde_json::json!([said]));
        assert!(!page("/experiments/other", false).await.contains(said));
        notices.clear("done", "agent-1");
        let after = page("/experiments/done", false).await;
        assert!(!after.contains(said) && after.contains("data-live=\"0\""));
        let api: serde_json::Value =
            serde_json::from_str(&page("/api/experiments/done", false).await).unwrap();
        assert!(api.get("notices").is_none(), "{api}");
    });
}

#[test]
fn a_followed_study_shows_what_its_follower_says_of_it() {
    run(async {
        let store = store_with("done", 3);
        fixtures::fill(&store, "other", 4);
        let notices = Notices::default();
        let dashboard = Dashboard::new(
            store.clone(),
            Access::open(),
            Freshness::Following {
                notices: notices.clone(),
                max_age: Duration::ZERO,
            },
            fixtures::clock(),
        );
        let service = init_service(dashboard.app()).await;
        let said = "waiting for agent 1 of 2, which runs trial 1: it has not joined";
        notices.set("other", "agent-1", said.to_string());
        for (uri, shown) in [("/experiments/other", true), ("/experiments/done", false)] {
            let res = call_service(&service, TestRequest::get().uri(uri).to_request()).await;
            let body = String::from_utf8_lossy(&read_body(res).await).into_owned();
            assert_eq!(body.contains(said), shown, "{uri}: {body}");
        }
        // The follower keeps no checkpoint: a trial's page names the agent that ran it, and the
        // study's best (measured on the test split) is in every agent's store.
        notices.set_agents("other", 2);
        let tested = store::TestResult {
            trial: experiment::TrialId(2),
            metrics: [("test_accuracy".to_string(), 0.9)].into(),
        };
        store.put_test_result("other", &tested).unwrap();
        for (uri, shown) in [
            (
                "/experiments/other/trials/2",
                "No checkpoint here: it is the study&#39;s best trial, whose checkpoint the \
                 agents hand to each other through the exchange folder, so every agent&#39;s \
                 store holds it; predict in any of them.",
            ),
            (
                "/experiments/other/trials/1",
                "No checkpoint here: agent 1 of 2 ran this trial",
            ),
            (
                "/experiments/other/trials/0",
                "No checkpoint here: agent 0 of 2 ran this trial",
            ),
            (
                "/experiments/done/trials/1",
                "No checkpoint: only the best trials",
            ),
        ] {
            let res = call_service(&service, TestRequest::get().uri(uri).to_request()).await;
            let body = String::from_utf8_lossy(&read_body(res).await).into_owned();
            assert!(body.contains(shown), "{uri}: {body}");
        }
    });
}

#[test]
fn finished_experiments_keep_their_rendered_pages_and_live_ones_do_not() {
    run(async {
        let store = store_with("done", 6);
        store
            .create_experiment(&fixtures::info("busy", ExperimentStatus::Running, 6))
            .unwrap();
        for i in 0..6 {
            store.put_trial("busy", &fixtures::trial(i, 6)).unwrap();
        }
        // An experiment that a killed sweep left `running`.
        store
            .create_experiment(&fixtures::info("killed", ExperimentStatus::Running, 2))
            .unwrap();
        // The sweep's own dashboard: `busy` is running in this process.
        let dashboard = Dashboard::new(
            store.clone(),
            Access::open(),
            Freshness::Sweeping {
                experiment: "busy".into(),
                max_age: Duration::from_secs(60),
                notices: Notices::default(),
            },
            fixtures::clock(),
        );
        let service = init_service(dashboard.app()).await;
        let mut bodies = Vec::new();
        for uri in [
            "/experiments/done?sort=param.lr",
            "/experiments/done?sort=param.lr",
            "/experiments/busy",
            "/experiments/done?junk=1&sort=param.lr",
        ] {
            let res = call_service(&service, TestRequest::get().uri(uri).to_request()).await;
            assert_eq!(res.status(), StatusCode::OK, "{uri}");
            bodies.push(read_body(res).await);
        }
        assert_eq!(bodies[0], bodies[1], "a kept page is the page rendered");
        assert_eq!(
            bodies[0], bodies[3],
            "a parameter the page does not take changes nothing"
        );
        let reader = &dashboard.state.reader;
        let done = reader.experiment("done").unwrap();
        let by_lr = crate::view::leaderboard::LeaderboardQuery {
            sort: Some("param.lr".into()),
            ..Default::default()
        };
        let key = |part| crate::pages::page_key(part, &by_lr);
        assert_eq!(done.page(&key(Part::Whole)).as_ref(), Some(&bodies[0]));
        assert_eq!(
            done.kept_pages(),
            1,
            "the unknown parameter kept no other page"
        );
        assert!(
            done.page(&key(Part::Fragment)).is_none(),
            "the fragment is another page"
        );
        // A live page is kept for its snapshot's life, and served again as live: the tabs
        // that poll it between two snapshots are sent it, and go on polling.
        let busy = reader.experiment("busy").unwrap();
        let kept = busy.page(&crate::pages::page_key(Part::Whole, &Default::default()));
        assert_eq!(
            (kept, busy.info.status == ExperimentStatus::Running),
            (Some(bodies[2].clone()), true)
        );
        let again = call_service(
            &service,
            TestRequest::get().uri("/experiments/busy").to_request(),
        )
        .await;
        assert_eq!(
            again
                .headers()
                .get("x-sweep-live")
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );
        let status = |name: &str| reader.experiment(name).unwrap().info.status;
        assert_eq!(status("busy"), ExperimentStatus::Running);
        assert_eq!(
            status("killed"),
            ExperimentStatus::Interrupted,
            "nothing runs it: this process holds the store and runs `busy`"
        );
        // `sweep serve` holds the store, so nothing runs `busy` there: it was killed.
        let served = Dashboard::new(
            store.clone(),
            Access::open(),
            Freshness::Frozen,
            fixtures::clock(),
        );
        let served = init_service(served.app()).await;
        let req = TestRequest::get().uri("/api/experiments/busy").to_request();
        let body = read_body(call_service(&served, req).await).await;
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["status"], "interrupted", "{value}");
        // A bad query is refused before any kept page is looked up.
        let req = TestRequest::get()
            .uri("/experiments/done?page=0")
            .to_request();
        assert_eq!(
            call_service(&service, req).await.status(),
            StatusCode::BAD_REQUEST
        );
    });
}

#[test]
fn pages_and_the_api_go_gzipped_to_a_client_that_takes_it() {
    run(async {
        let store = store_with("demo", 40);
        for uri in [
            "/experiments/demo",
            "/api/experiments/demo",
            "/static/css/dashboard.css",
        ] {
            let (_, headers, plain) =
                get_with(&store, Access::open(), TestRequest::get().uri(uri)).await;
            assert_eq!(header(&headers, "content-encoding"), None, "{uri}");
            let service = init_service(app(store.clone(), Access::open(), fixtures::clock())).await;
            let req = TestRequest::get()
                .uri(uri)
                .insert_header(("Accept-Encoding", "gzip"))
                .to_request();
            let res = call_service(&service, req).await;
            assert_eq!(
                res.headers()
                    .get("content-encoding")
                    .and_then(|v| v.to_str().ok()),
                Some("gzip"),
                "{uri}"
            );
            let gzipped = read_body(res).await;
            let mut unzipped = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(&gzipped[..]),
                &mut unzipped,
            )
            .unwrap();
            assert_eq!(unzipped, plain, "{uri}");
            let ratio = if uri == "/experiments/demo" { 4 } else { 1 };
            assert!(
                gzipped.len() * ratio < plain.len(),
                "{uri}: {} bytes gzipped of {}",
                gzipped.len(),
                plain.len()
            );
        }
    });
}

#[test]
fn the_experiments_list_shows_those_whose_name_contains_the_filter() {
    run(async {
        let store = store_with("proj-lr", 3);
        fixtures::fill(&store, "proj-depth", 3);
        fixtures::fill(&store, "baseline", 3);
        let (status, all) = get(&store, "/").await;
        assert_eq!(status, StatusCode::OK);
        for name in ["proj-lr", "proj-depth", "baseline"] {
            assert!(all.contains(&format!(">{name}</a>")), "{name}");
        }
        // Part of a name, in any case: the others are left out, and the count says so.
        let (status, some) = get(&store, "/?q=PROJ").await;
        assert_eq!(status, StatusCode::OK);
        assert!(some.contains(">proj-lr</a>") && some.contains(">proj-depth</a>"));
        assert!(!some.contains(">baseline</a>"), "{some}");
        assert!(some.contains("2 of 3 shown"), "{some}");
        assert!(
            some.contains("value=\"PROJ\""),
            "the box keeps what was typed"
        );
        // None: said, with the way back to every one.
        let (_, none) = get(&store, "/?q=zzz").await;
        assert!(
            none.contains("No experiment has a name containing “zzz”"),
            "{none}"
        );
        assert!(
            none.contains("0 of 3 shown") && none.contains("href=\"/\""),
            "{none}"
        );
    });
}

#[test]
fn the_experiments_list_and_its_api_are_paged_as_the_trials_are() {
    run(async {
        let store = Store::temporary().unwrap();
        for i in 0..55 {
            fixtures::fill(&store, &format!("run-{i:02}"), 1);
        }
        let rows = |html: &str| html.matches("<td class=\"name\">").count();
        let (status, first) = get(&store, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(rows(&first), 50, "50 a page, as the leaderboard");
        assert!(
            first.contains("1–50 of 55 · page 1 of 2")
                && first.contains("<a href=\"/?page=2\" rel=\"next\">next →</a>")
                && first.contains("<a href=\"/?page=2\">last »</a>"),
            "{first}"
        );
        // Newest first (created at once here, so by name reversed): the oldest on page 2.
        let (_, second) = get(&store, "/?page=2").await;
        assert_eq!(rows(&second), 5);
        assert!(
            second.contains(">run-00</a>") && !second.contains(">run-54</a>"),
            "{second}"
        );
        assert!(
            second.contains("<a href=\"/\" rel=\"prev\">← previous</a>"),
            "{second}"
        );
        // The filter and the rows per page are kept from page to page; one page, no pager.
        let (_, some) = get(&store, "/?q=run-1&per_page=4&page=2").await;
        assert_eq!(rows(&some), 4);
        assert!(
            some.contains("10 of 55 shown")
                && some.contains("5–8 of 10 · page 2 of 3")
                && some.contains("href=\"/?q=run-1&#38;page=3&#38;per_page=4\" rel=\"next\""),
            "{some}"
        );
        let (_, one) = get(&store, "/?q=run-0").await;
        assert!(!one.contains("class=\"pager\""), "{one}");
        // Past the last page: sent to the last, keeping the rest.
        let req = TestRequest::get().uri("/?q=run-1&per_page=4&page=9");
        let (status, headers, _) = get_with(&store, Access::open(), req).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            header(&headers, "location"),
            Some("/?q=run-1&page=3&per_page=4")
        );
        // Mistakes are 400s that name the parameter.
        for (uri, said) in [
            (
                "/?page=x",
                "`page` takes a whole number such as 2, found `x`",
            ),
            ("/?page=0", "page starts at 1"),
            ("/?per_page=1001", "per_page must be in 1..=1000"),
            ("/?page=1&page=2", "`page` is given twice"),
        ] {
            let (status, html) = get(&store, uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(html.contains(said), "{uri}: {html}");
        }
        // The API: the same pages, with what says where a client is.
        let api = |uri: &'static str| {
            let store = store.clone();
            async move {
                let (status, body) = get(&store, uri).await;
                (
                    status,
                    serde_json::from_str::<serde_json::Value>(&body).unwrap(),
                )
            }
        };
        let (_, list) = api("/api/experiments").await;
        assert_eq!(
            [
                &list["total"],
                &list["matching"],
                &list["page"],
                &list["pages"],
                &list["per_page"]
            ],
            [55, 55, 1, 2, 50]
        );
        assert_eq!(list["experiments"].as_array().map(Vec::len), Some(50));
        let (_, list) = api("/api/experiments?q=run-1&per_page=4&page=3").await;
        let names: Vec<&str> = list["experiments"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["name"].as_str())
            .collect();
        assert_eq!(names, ["run-11", "run-10"], "newest first, as the page");
        assert_eq!([&list["matching"], &list["pages"]], [10, 3]);
        // Past the last: an empty page, whose numbers say so.
        let (status, list) = api("/api/experiments?per_page=4&page=99").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            [&list["page"], &list["pages"], &list["total"]],
            [99, 14, 55]
        );
        assert_eq!(list["experiments"], serde_json::json!([]));
        let (status, error) = api("/api/experiments?page=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|e| e.contains("`page` takes a whole number")),
            "{error}"
        );
        // Sorted as the list's columns sort, before the page is cut; a sort that does not read
        // is a 400 here (the page shows it above the table instead).
        let (_, list) = api("/api/experiments?q=run-1&sort=name&dir=desc&per_page=3").await;
        let names: Vec<&str> = list["experiments"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["name"].as_str())
            .collect();
        assert_eq!(names, ["run-19", "run-18", "run-17"]);
        let (status, error) = api("/api/experiments?sort=best").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|e| e.contains("unknown sort \"best\"")),
            "{error}"
        );
    });
}

#[test]
fn the_experiments_lists_filter_keeps_its_sort_and_a_sort_that_does_not_read_is_shown() {
    run(async {
        // Created in this order, so that newest first is neither name order.
        let store = Store::temporary().unwrap();
        for (minutes, name) in [(0, "proj-depth"), (1, "proj-lr"), (2, "baseline")] {
            crate::tests_counts::fill_created(&store, name, 3, minutes);
        }
        // The filter form sends the sort and the rows per page again; "all" keeps them.
        let (status, some) = get(&store, "/?q=proj&sort=name&dir=desc&per_page=7").await;
        assert_eq!(status, StatusCode::OK);
        for input in [
            "<input type=\"hidden\" name=\"sort\" value=\"name\">",
            "<input type=\"hidden\" name=\"dir\" value=\"desc\">",
            "<input type=\"hidden\" name=\"per_page\" value=\"7\">",
        ] {
            assert!(some.contains(input), "{input}: {some}");
        }
        assert!(
            some.contains("<a href=\"/?sort=name&#38;dir=desc&#38;per_page=7\">all</a>"),
            "{some}"
        );
        // A sort that does not read keeps the page, in the default order, and says why.
        for (uri, said) in [
            (
                "/?q=proj&sort=best",
                "unknown sort &#34;best&#34;; the list sorts by name",
            ),
            (
                "/?sort=name&dir=up",
                "unknown dir &#34;up&#34;; use asc or desc",
            ),
            ("/?sort=name&sort=status", "bad query: sort is given twice"),
            (
                "/?sort=bogus",
                "unknown sort &#34;bogus&#34;; the list sorts by name",
            ),
        ] {
            let (status, html) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {html}");
            assert!(
                html.contains(said) && html.contains("; listed newest first instead"),
                "{uri}: {html}"
            );
            // With an id, so that a live page's update does not announce it again.
            assert!(
                html.contains(
                    "<p class=\"filter-error sort-error\" id=\"sort-error\" role=\"alert\">"
                ),
                "{uri}: {html}"
            );
            // Newest first, the store's order reversed, whatever sort was asked.
            let at = |name: &str| html.find(&format!(">{name}</a>"));
            let (lr, depth) = (at("proj-lr"), at("proj-depth"));
            assert!(lr.is_some() && lr < depth, "{uri}");
            let baseline = at("baseline");
            assert!(
                uri.contains("q=proj") || (baseline.is_some() && baseline < lr),
                "{uri}"
            );
            assert!(
                !html.contains("name=\"sort\""),
                "{uri}: the bad sort is not kept"
            );
        }
        // Anything else that does not read is still a 400.
        let (status, _) = get(&store, "/?sort=best&page=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn a_live_pages_update_is_noted_so_that_a_sweep_that_ends_lets_it_see_the_end() {
    run(async {
        let store = store_with("demo", 3);
        let dashboard = Dashboard::new(store, Access::open(), Freshness::Frozen, fixtures::clock());
        let service = init_service(dashboard.app()).await;
        // A page opened, not followed live: nobody to wait for.
        let page = TestRequest::get().uri("/experiments/demo").to_request();
        assert_eq!(call_service(&service, page).await.status(), StatusCode::OK);
        assert!(!dashboard.polled_within(Duration::from_secs(60)));
        // Its update, asked every two seconds while the sweep runs.
        let update = TestRequest::get()
            .uri("/experiments/demo")
            .insert_header(("X-Sweep-Fragment", "1"))
            .to_request();
        assert_eq!(
            call_service(&service, update).await.status(),
            StatusCode::OK
        );
        assert!(dashboard.polled_within(Duration::from_secs(60)));
    });
}

#[test]
fn issue_tiny_values_read_apart_and_every_rounded_cell_has_its_value_in_full() {
    run(async {
        // Trial 0's accuracy, rounded on the page, and two losses near zero that 4 decimals
        // would both write `0.0000`.
        let store = store_with("demo", 3);
        let mut trials: Vec<Trial> = (0..2).map(|i| fixtures::trial(i, 3)).collect();
        for (t, loss) in trials.iter_mut().zip([4.6123e-9, 1.6e-5]) {
            let result = t.result.as_mut().unwrap();
            result.metrics.insert("val_accuracy".into(), 1.0 - loss);
            result.metrics.insert("val_loss".into(), loss);
            store.put_trial("demo", t).unwrap();
        }
        let (_, page) = get(&store, "/experiments/demo?sort=trial").await;
        let row = |id: u32| {
            let start = page.find(&format!("data-trial=\"{id}\"")).unwrap();
            let end = start + page[start..].find("</tr>").unwrap();
            page[start..end].to_string()
        };
        assert!(
            row(0).contains("<td class=\"num strong\" title=\"0.9999999953877\">1.0000"),
            "{}",
            row(0)
        );
        let (_, trial) = get(&store, "/experiments/demo/trials/0").await;
        assert!(
            trial.contains("<td class=\"num\" title=\"4.6123e-9\">4.61e-9</td>"),
            "{trial}"
        );
        let (_, trial) = get(&store, "/experiments/demo/trials/1").await;
        assert!(trial.contains("<td class=\"num\">1.60e-5</td>"), "{trial}");
    });
}

#[test]
fn issue_an_experiment_s_busy_time_is_labelled_so() {
    run(async {
        let store = store_with("demo", 3);
        let (_, page) = get(&store, "/experiments/demo").await;
        assert!(
            page.contains(
                "<dt title=\"the time during which its trials ran: trials side by side count once"
            ),
            "{page}"
        );
        assert!(page.contains("\">busy</dt>") && !page.contains("<dt>duration</dt>"));
        let (_, list) = get(&store, "/").await;
        assert!(list.contains("\">busy</th>"), "{list}");
    });
}

#[test]
fn issue_ux_an_experiment_without_a_completed_trial_says_so_in_one_line_until_one_completes() {
    run(async {
        let store = Store::temporary().unwrap();
        store
            .create_experiment(&fixtures::info("live", ExperimentStatus::Running, 10))
            .unwrap();
        store.put_trial("live", &fixtures::trial(0, 1)).unwrap();
        let line = "no completed trials yet: the timeline below shows the trials that started; \
                    the optimization history appears once a trial completes, the other charts \
                    once one completes or is pruned";
        let charts = [
            "id=\"history\"",
            "id=\"curves\"",
            "id=\"parallel\"",
            "id=\"importance\"",
            "id=\"pairs\"",
            "id=\"slices\"",
        ];
        let fragment = || {
            TestRequest::get()
                .uri("/experiments/live")
                .insert_header(("X-Sweep-Fragment", "1"))
        };
        let (_, _, body) = get_with(&store, Access::open(), fragment()).await;
        assert!(body.contains(line), "{body}");
        assert!(body.contains("id=\"leaderboard\""), "{body}");
        // The running trial is on the timeline already.
        assert!(body.contains("id=\"timeline\""), "{body}");
        for chart in charts {
            assert!(!body.contains(chart), "{chart} in {body}");
        }
        // A trial completes: the next poll of the page's <main> brings the charts.
        store.put_trial("live", &fixtures::trial(0, 2)).unwrap();
        let (_, _, body) = get_with(&store, Access::open(), fragment()).await;
        assert!(!body.contains(line), "{body}");
        for chart in charts {
            assert!(body.contains(chart), "{chart} missing");
        }
    });
}

#[test]
fn a_running_sweeps_busy_time_runs_to_the_clock_the_dashboard_is_handed() {
    // The dashboard reads no clock of its own: what runs counts to the time its `Clock` says
    // (here `fixtures::NOW`, 100 s after the first trial started), as the runner's does.
    run(async {
        let store = store_with("demo", 6);
        let mut info = store.experiment("demo").unwrap().unwrap();
        info.status = ExperimentStatus::Running;
        info.finished = None;
        store.update_experiment(&info).unwrap();
        let (_, list) = get(&store, "/").await;
        // Five trials of 0.9 s, one after another, and trial 5 running from 5 s to 100 s.
        let busy = format!(
            "<td class=\"num\">{}</td>",
            experiment::format_duration(4_500 + 95_000)
        );
        assert!(list.contains(&busy), "{busy} in {list}");
    });
}
