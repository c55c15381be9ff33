//! The machine-readable formats a script relies on: `sweep ls --format csv|json`, `sweep show
//! EXPERIMENT --format json`, `sweep trials` and `sweep export` as CSV and JSON, read back
//! (serde_json) for an experiment with completed, pruned and failed trials and for one with
//! no trial yet. The store is written directly, so no test here trains.

use experiment::{
    Direction, ParamValue, Seed, Step, Timestamp, Trial, TrialId, TrialResult, TrialState,
};
use serde_json::Value;
use store::Store;
use tests::{experiment_info, TestEnv};

/// The stored spec of both experiments: one objective, one searched parameter.
const SPEC: &str = "\
name: NAME
metric: {name: val_loss}
data: {csv: d.csv, target: y}
parameters:
  lr: {min: 0.001, max: 0.1}
";

/// The keys of the dashboard API's trial rows that name the same facts as the CLI's rows.
const API_KEYS: [&str; 12] = [
    "id",
    "rank",
    "state",
    "reason",
    "seed",
    "params",
    "value",
    "best_step",
    "epochs_trained",
    "metrics",
    "feasible",
    "pareto",
];

/// Returns a store with experiment `mixed` (trial 0 completed at 0.3 with a NaN metric, 1
/// completed at 0.2, 2 pruned at 0.1, 3 failed) and experiment `empty` (no trial).
fn mixed_and_empty() -> TestEnv {
    let env = TestEnv::new();
    let store = Store::open(&env.store()).unwrap();
    for name in ["mixed", "empty"] {
        let spec_yaml = SPEC.replace("NAME", name);
        let info = experiment_info(name, spec_yaml, ("val_loss", Direction::Minimize), 5, 4);
        assert!(info.spec().is_ok(), "the spec does not read");
        store.create_experiment(&info).unwrap();
    }
    let trials = [
        (
            TrialState::Completed,
            vec![("val_loss", 0.3), ("train_loss", f64::NAN)],
        ),
        (
            TrialState::Completed,
            vec![("val_loss", 0.2), ("train_loss", 0.1)],
        ),
        (
            TrialState::Pruned,
            vec![("val_loss", 0.1), ("train_loss", 0.1)],
        ),
        (TrialState::Failed, vec![]),
    ];
    for (id, (state, metrics)) in (0..).zip(trials) {
        let trial = Trial {
            id: TrialId(id),
            seed: Seed(u64::from(id)),
            params: [("lr".to_string(), ParamValue::Float(0.01))].into(),
            state,
            reason: (state == TrialState::Failed).then(|| "diverged at epoch 1".to_string()),
            started: Some(Timestamp(1_700_000_000_000)),
            finished: Some(Timestamp(1_700_000_030_000)),
            result: (!metrics.is_empty()).then(|| TrialResult {
                best_step: Step(1),
                metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            }),
        };
        store.put_trial("mixed", &trial).unwrap();
    }
    store.flush().unwrap();
    env
}

/// Runs `sweep ARGS`, expecting success, and returns its standard output.
fn stdout(env: &TestEnv, args: &[&str]) -> String {
    let out = env.sweep(args);
    assert_eq!(out.code, 0, "sweep {args:?}: {out:?}");
    out.stdout
}

/// Runs `sweep ARGS` and reads its standard output as JSON.
fn json(env: &TestEnv, args: &[&str]) -> Value {
    let text = stdout(env, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Returns the keys of a JSON object, in order.
fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Returns `trial rank value` of each row.
fn ranked(rows: &Value) -> Vec<String> {
    let rows = rows.as_array().cloned().unwrap_or_default();
    rows.iter()
        .map(|t| format!("{} {} {}", t["trial"], t["rank"], t["value"]))
        .collect()
}

#[test]
fn issue_trials_json_rows_carry_their_rank_and_value_and_every_key() {
    let env = mixed_and_empty();
    let rows = json(&env, &["trials", "mixed", "--format", "json"]);
    // Completed trials first, best first; the pruned after them; the failed unranked.
    assert_eq!(
        ranked(&rows),
        ["0 2 0.3", "1 1 0.2", "2 3 0.1", "3 null null"]
    );
    let first = keys(&rows[0]);
    for row in rows.as_array().into_iter().flatten() {
        assert_eq!(keys(row), first, "{row}");
        for key in API_KEYS {
            assert!(row.get(key).is_some(), "no `{key}` in {row}");
        }
    }
    // Missing, and NaN (which JSON has no number for), are `null`, never left out.
    assert!(rows[0]["metrics"]["train_loss"].is_null(), "{}", rows[0]);
    assert!(rows[3]["metrics"]["val_loss"].is_null(), "{}", rows[3]);
    assert!(
        rows[3]["feasible"].is_null() && rows[3]["pareto"].is_null(),
        "{}",
        rows[3]
    );
    // Filtered, a trial keeps its rank among all; export writes the same rows.
    let kept = json(
        &env,
        &[
            "trials",
            "mixed",
            "--format",
            "json",
            "--filter",
            "state = pruned",
        ],
    );
    assert_eq!(ranked(&kept), ["2 3 0.1"]);
    let exported = json(&env, &["export", "mixed", "--format", "json"]);
    assert_eq!(exported, rows);
    // The CSV writes NaN as the trials' CSV always has.
    let csv = stdout(&env, &["trials", "mixed", "--format", "csv"]);
    assert!(
        csv.lines().nth(1).is_some_and(|l| l.contains(",NaN,")),
        "{csv}"
    );
}

#[test]
fn issue_an_experiment_without_trials_has_the_specs_columns() {
    let env = mixed_and_empty();
    let header = |name: &str, command: &str| {
        let csv = stdout(&env, &[command, name, "--format", "csv"]);
        csv.lines().next().unwrap_or_default().to_string()
    };
    let empty = header("empty", "trials");
    assert!(
        empty.contains(",param.lr,metric.val_loss,"),
        "no column of the spec's: {empty}"
    );
    assert_eq!(header("empty", "export"), empty);
    // The experiment with trials has those and the metric its trials report.
    let mixed = header("mixed", "trials");
    assert_eq!(
        mixed.replace(",metric.train_loss", ""),
        empty,
        "{mixed}\n{empty}"
    );
    assert_eq!(
        json(&env, &["trials", "empty", "--format", "json"]),
        Value::Array(Vec::new())
    );
}

#[test]
fn issue_ls_writes_csv_and_json() {
    let env = mixed_and_empty();
    let listed = json(&env, &["ls", "--format", "json"]);
    let each: Vec<String> = listed
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| format!("{} {} {}", e["name"], e["trials"]["stored"], e["best"]))
        .collect();
    assert_eq!(
        each,
        [r#""empty" 0 null"#, r#""mixed" 4 {"trial":1,"value":0.2}"#]
    );
    assert_eq!(keys(&listed[0]), keys(&listed[1]));
    let csv = stdout(&env, &["ls", "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("name,status,objective,goal,"), "{csv}");
    assert!(
        lines[2].starts_with("mixed,finished,val_loss,minimize,val_loss,4,4,2,1,1,0,0,1,0.2,"),
        "{csv}"
    );
    // The table is as it was.
    assert!(stdout(&env, &["ls"]).starts_with("name "));
}

#[test]
fn issue_show_writes_the_experiment_and_its_leaderboard_as_json() {
    let env = mixed_and_empty();
    let shown = json(&env, &["show", "mixed", "--format", "json"]);
    assert_eq!(
        keys(&shown),
        ["epochs", "experiment", "leaderboard", "search"]
    );
    // The epochs and the search as the API's `/api/experiments/{name}` has them, every key.
    assert_eq!(
        keys(&shown["epochs"]),
        ["cut", "most", "pruned_at", "trained"]
    );
    assert_eq!(
        keys(&shown["search"]),
        [
            "constraints",
            "method",
            "plateau",
            "pruner",
            "pruner_settings",
            "rungs",
            "sampler",
            "target"
        ]
    );
    let listed = json(&env, &["ls", "--format", "json"]);
    assert_eq!(shown["experiment"], listed[1]);
    // Best first, as the table's leaderboard, in the rows `sweep trials` writes.
    assert_eq!(
        ranked(&shown["leaderboard"]),
        ["1 1 0.2", "0 2 0.3", "2 3 0.1", "3 null null"]
    );
    let rows = json(&env, &["trials", "mixed", "--format", "json"]);
    assert_eq!(shown["leaderboard"][0], rows[1]);
    let top = json(&env, &["show", "mixed", "--format", "json", "--top", "1"]);
    assert_eq!(ranked(&top["leaderboard"]), ["1 1 0.2"]);
    let empty = json(&env, &["show", "empty", "--format", "json"]);
    assert_eq!(empty["leaderboard"], Value::Array(Vec::new()));
    assert!(empty["experiment"]["best"].is_null(), "{empty}");
    let record = env.sweep(&["show", "mixed", "--format", "json", "--record"]);
    assert_eq!(record.code, 2, "{record:?}");
    assert!(record.stderr.contains("--record"), "{}", record.stderr);
    // A trial's card is not JSON: the command that writes its row is said.
    let card = env.sweep(&["show", "mixed/1", "--format", "json"]);
    assert_eq!(card.code, 2, "{card:?}");
    assert!(
        card.stderr
            .contains("`sweep trials mixed --format json --filter \"trial = 1\"`"),
        "{}",
        card.stderr
    );
    assert!(card.stdout.is_empty(), "{}", card.stdout);
}
