//! `sweep ls` for a store of many experiments: `--sort COLUMN [--desc]` orders them by the
//! dashboard list's columns and rule, `--name` and `--status` keep some, alike in every
//! `--format`; its JSON counts trials with the API's keys and says how to resume an
//! interrupted sweep.

use experiment::{Direction, Seed, Timestamp, Trial, TrialId, TrialState};
use store::{ExperimentInfo, ExperimentStatus, Store};
use tests::{experiment_info, TestEnv};

/// A valid spec for an experiment named `NAME`.
const SPEC: &str = "\
name: NAME
seed: 3
method: random
run_cap: 4
metric: {name: val_accuracy, goal: maximize}
data: {csv: digits.csv, target: digit}
train: {epochs: 1, batch_size: 64}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
";

/// Returns a store holding, oldest first: `beta-MLP` (finished; 2 completed, 1 failed),
/// `alpha` (left `running` by a kill; 1 completed, 1 running), `gamma-mlp` (finished; 3
/// completed) and `delta` (stopped; 1 queued).
fn four() -> TestEnv {
    use TrialState::{Completed, Failed, Queued, Running};
    let env = TestEnv::new();
    let store = Store::open(&env.store()).unwrap();
    let experiments: [(&str, ExperimentStatus, &[TrialState]); 4] = [
        (
            "beta-MLP",
            ExperimentStatus::Finished,
            &[Completed, Completed, Failed],
        ),
        ("alpha", ExperimentStatus::Running, &[Completed, Running]),
        (
            "gamma-mlp",
            ExperimentStatus::Finished,
            &[Completed, Completed, Completed],
        ),
        ("delta", ExperimentStatus::Interrupted, &[Queued]),
    ];
    for (i, (name, status, states)) in (0_i64..).zip(experiments) {
        let info = ExperimentInfo {
            status,
            created: Timestamp(1_700_000_000_000 + i * 60_000),
            ..experiment_info(
                name,
                SPEC.replace("NAME", name),
                ("val_accuracy", Direction::Maximize),
                3,
                4,
            )
        };
        store.create_experiment(&info).unwrap();
        for (id, &state) in (0_u32..).zip(states) {
            let trial = Trial {
                id: TrialId(id),
                seed: Seed(7),
                params: experiment::Params::new(),
                state,
                reason: None,
                started: None,
                finished: None,
                result: None,
            };
            store.put_trial(name, &trial).unwrap();
        }
    }
    env
}

/// Returns the names `sweep ls ARGS` lists, the same in every format (checked), in order.
fn listed(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let run = |format: &str| {
        let mut argv = vec!["ls", "--format", format];
        argv.extend_from_slice(args);
        let out = env.sweep(&argv);
        assert_eq!(out.code, 0, "{args:?} {format}: {out:?}");
        out.stdout
    };
    let table: Vec<String> = (run("table").lines().skip(1))
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect();
    let csv: Vec<String> = (run("csv").lines().skip(1))
        .filter_map(|l| l.split(',').next())
        .map(String::from)
        .collect();
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let json: Vec<String> = (json.as_array().unwrap().iter())
        .filter_map(|e| e["name"].as_str())
        .map(String::from)
        .collect();
    assert_eq!(table, csv, "{args:?}: table and CSV");
    assert_eq!(table, json, "{args:?}: table and JSON");
    table
}

#[test]
fn ls_sorts_by_the_dashboards_columns_and_keeps_by_name_and_status_in_every_format() {
    let env = four();
    let cases: [(&[&str], [&str; 4]); 6] = [
        // Oldest first, the newest nearest the prompt; `--desc` alone, as the dashboard.
        (&[], ["beta-MLP", "alpha", "gamma-mlp", "delta"]),
        (&["--desc"], ["delta", "gamma-mlp", "alpha", "beta-MLP"]),
        (
            &["--sort", "completed", "--desc"],
            ["gamma-mlp", "beta-MLP", "alpha", "delta"],
        ),
        (
            &["--sort", "completed"],
            ["delta", "alpha", "beta-MLP", "gamma-mlp"],
        ),
        (
            &["--sort", "name"],
            ["alpha", "beta-MLP", "delta", "gamma-mlp"],
        ),
        // Interrupted first; ties (the two finished) newest first.
        (
            &["--sort", "status"],
            ["delta", "alpha", "gamma-mlp", "beta-MLP"],
        ),
    ];
    for (args, want) in cases {
        assert_eq!(listed(&env, args), want, "{args:?}");
    }
    // Part of a name, in any case, as the dashboard's search box.
    assert_eq!(listed(&env, &["--name", "MLP"]), ["beta-MLP", "gamma-mlp"]);
    // A sweep a kill left running is interrupted, as a stopped one.
    assert_eq!(
        listed(
            &env,
            &["--status", "interrupted", "--sort", "trials", "--desc"]
        ),
        ["alpha", "delta"]
    );
    assert_eq!(
        listed(&env, &["--status", "finished", "--name", "gamma"]),
        ["gamma-mlp"]
    );
    // None kept: said on standard error; CSV writes its header alone.
    let none = env.sweep(&["ls", "--name", "zzz", "--format", "csv"]);
    assert_eq!(none.code, 0, "{none:?}");
    assert_eq!(none.stdout.lines().count(), 1, "{}", none.stdout);
    assert!(
        none.stderr
            .contains("none of the 4 experiments in the store is named like `zzz`"),
        "{}",
        none.stderr
    );
}

#[test]
fn ls_refuses_an_unknown_column_or_status_naming_the_valid_ones() {
    let env = four();
    for (args, says) in [
        (
            &["ls", "--sort", "best"][..],
            "experiments sort by name, status, trials, completed, pruned, failed, running, \
             started",
        ),
        (
            &["ls", "--status", "done"][..],
            "unknown status `done`; the statuses are finished and interrupted",
        ),
        (
            &["ls", "--status", "running"][..],
            "one a kill left running is interrupted; the statuses are finished and interrupted",
        ),
    ] {
        let out = env.sweep(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn ls_json_counts_as_the_api_does_and_says_how_to_resume_an_interrupted_sweep() {
    let env = four();
    let out = env.sweep(&["ls", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let listed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let alpha = &listed[1];
    assert_eq!(alpha["name"], "alpha");
    // The API's keys: `running` (no sweep runs a store `sweep ls` opens) beside `interrupted`.
    let counts = alpha["trials"].as_object().unwrap();
    let keys: Vec<&str> = counts.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "completed",
            "failed",
            "interrupted",
            "pruned",
            "queued",
            "running",
            "stored"
        ]
    );
    assert_eq!(
        (counts["running"].as_u64(), counts["interrupted"].as_u64()),
        (Some(0), Some(1))
    );
    // The command `sweep show`'s `resume` line gives; `null` for a finished sweep.
    let show = env.sweep(&["show", "alpha"]);
    let line = show
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("resume      "));
    assert_eq!(alpha["resume_command"].as_str(), line, "{}", show.stdout);
    assert!(line.is_some_and(|l| l.starts_with("sweep run alpha.yaml --store /")));
    assert_eq!(listed[0]["resume_command"], serde_json::Value::Null);
}

#[test]
fn ls_lists_in_the_order_and_with_the_counts_of_the_dashboards_api() {
    let env = four();
    // `sweep ls` first: `sweep serve` then holds the store.
    let asked: [(&[&str], &str); 5] = [
        (&["--desc"], ""),
        (
            &["--sort", "completed", "--desc"],
            "sort=completed&dir=desc",
        ),
        (&["--sort", "name"], "sort=name&dir=asc"),
        (&["--sort", "running"], "sort=running&dir=asc"),
        (
            &["--name", "MLP", "--sort", "trials"],
            "q=MLP&sort=trials&dir=asc",
        ),
    ];
    let by_ls: Vec<Vec<String>> = asked.iter().map(|(a, _)| listed(&env, a)).collect();
    let out = env.sweep(&["ls", "--format", "json"]);
    let ls: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let (server, url) = crate::dashboard::start_serving(&env, &["serve", "--addr", "127.0.0.1:0"]);
    let api = |query: &str| {
        let (status, body) = crate::dashboard::get(&format!("{url}/api/experiments?{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["experiments"].clone()
    };
    let answers: Vec<serde_json::Value> = asked.iter().map(|(_, q)| api(q)).collect();
    drop(server);
    for (((args, query), ls_names), answer) in asked.iter().zip(&by_ls).zip(&answers) {
        let names: Vec<&str> = (answer.as_array().unwrap().iter())
            .filter_map(|e| e["name"].as_str())
            .collect();
        assert_eq!(ls_names, &names, "ls {args:?} against ?{query}");
    }
    // The same counts under the same keys, experiment by experiment (newest first, both).
    let listed = ls.as_array().unwrap();
    for (api, ls) in answers[0]
        .as_array()
        .unwrap()
        .iter()
        .zip(listed.iter().rev())
    {
        assert_eq!(api["name"], ls["name"]);
        assert_eq!(api["trials"], ls["trials"], "{}", api["name"]);
    }
}

#[test]
fn issue_f3_ls_and_show_write_the_test_splits_metrics_as_the_api_does() {
    // The test split's metrics were in the dashboard API's `test` alone.
    let env = four();
    let store = Store::open(&env.store()).unwrap();
    let tested = store::TestResult {
        trial: TrialId(1),
        metrics: [("test_accuracy".to_string(), 0.964_601_769_911_504_4)]
            .into_iter()
            .collect(),
    };
    store.put_test_result("gamma-mlp", &tested).unwrap();
    drop(store);
    let api =
        serde_json::json!({"trial": 1, "metrics": {"test_accuracy": 0.964_601_769_911_504_4}});
    let out = env.sweep(&["ls", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let listed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(listed[2]["name"], "gamma-mlp");
    assert_eq!(listed[2]["test"], api, "{listed}");
    assert_eq!(listed[0]["test"], serde_json::Value::Null, "{listed}");
    let out = env.sweep(&["show", "gamma-mlp", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let shown: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(shown["experiment"]["test"], api, "{shown}");
    let csv = env.sweep(&["ls", "--format", "csv"]).stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].ends_with(",test_trial,test_accuracy"), "{csv}");
    assert!(lines[3].ends_with(",1,0.9646017699115044"), "{csv}");
    assert!(lines[1].ends_with(",,"), "{csv}");
}
