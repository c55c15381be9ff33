//! The binary end to end: a tiny real sweep into a temporary store, read back through the
//! store crate and the listing commands.

use std::process::Stdio;

use experiment::{TrialId, TrialState};
use store::Store;
use tests::{repo_root, Output, TestEnv};

/// A sweep small enough for a test: 4 trials of 3 epochs on the digits.
const TINY: &str = tests::digits_spec!(
    "tiny",
    4,
    2,
    "  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [16, 32]}
  dropout: {min: 0.0, max: 0.3}
"
);

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Returns every trial as `sweep trials --format json` wrote it, without wall time.
fn reproducible_view(trials_json: &str) -> Vec<serde_json::Value> {
    let mut trials = match json(trials_json) {
        serde_json::Value::Array(a) => a,
        other => panic!("expected an array, got {other}"),
    };
    tests::without_wall_time(&mut trials);
    trials
}

#[test]
fn tiny_sweep_stores_trials_curves_and_a_sorted_leaderboard() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("best: trial"), "{}", run.stdout);
    // Into a pipe, where no bar is drawn, the summary says how long the sweep took.
    let times = run.stdout.lines().find(|l| l.starts_with("elapsed "));
    assert!(
        times.is_some_and(|l| l.contains("; busy ") && l.contains("while any trial ran")),
        "{}",
        run.stdout
    );
    // And each trial's line, written without the bar, says what the bar would.
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("trial"))
        .collect();
    assert!(
        lines.len() == 4 && lines[3].contains("  [4/4 trials, "),
        "{}",
        run.stderr
    );

    let store = Store::open(&env.store()).unwrap();
    let trials = store.trials("tiny").unwrap();
    assert_eq!(trials.len(), 4);
    for t in &trials {
        assert_eq!(t.state, TrialState::Completed, "{t:?}");
        let accuracy = t.value("val_accuracy").unwrap();
        assert!(accuracy > 0.3, "trial {} learned nothing: {accuracy}", t.id);
        for metric in ["train_loss", "val_loss", "val_accuracy", "epoch_seconds"] {
            let series = store.metric_series("tiny", t.id, metric).unwrap();
            let steps: Vec<u32> = series.iter().map(|(s, _)| s.0).collect();
            assert_eq!(steps, [1, 2, 3], "{metric} of trial {}", t.id);
        }
    }
    drop(store);

    let show = env.sweep(&["show", "tiny"]);
    assert_eq!(show.code, 0, "{show:?}");
    for line in ["method      random", "pruner      none", "busy        "] {
        assert!(show.stdout.contains(line), "no `{line}`:\n{}", show.stdout);
    }
    let values: Vec<f64> = show
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("rank"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(3)?.parse().ok())
        .collect();
    assert_eq!(values.len(), 4, "{}", show.stdout);
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "not sorted: {values:?}"
    );
    // The summary names the best trial, as `sweep run` did: the leaderboard's first.
    let first = show
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("rank"))
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_default()
        .to_string();
    let best = format!(
        "best        trial {first}: val_accuracy {:.4} at epoch ",
        values[0]
    );
    assert!(show.stdout.contains(&best), "no `{best}`:\n{}", show.stdout);
    assert!(
        run.stdout.contains(&format!("best: trial {first} with")),
        "{}",
        run.stdout
    );
    // A test split measured on another trial (as before a later run found this best) says so.
    let other = u32::from(first == "0");
    let measured = {
        let store = Store::open(&env.store()).unwrap();
        let measured = store.test_result("tiny").unwrap().unwrap();
        assert_eq!(measured.trial.to_string(), first);
        let moved = store::TestResult {
            trial: TrialId(other),
            ..measured.clone()
        };
        store.put_test_result("tiny", &moved).unwrap();
        measured
    };
    let stale = env.sweep(&["show", "tiny"]);
    let said = format!(
        "test split: trial {other}, epoch 3 (measured when the run that found it ended; never \
         used to choose)"
    );
    let now = format!("(the best then; the best is now trial {first}, found by a later run");
    assert!(
        stale.stdout.contains(&said) && stale.stdout.contains(&now),
        "{}",
        stale.stdout
    );
    Store::open(&env.store())
        .unwrap()
        .put_test_result("tiny", &measured)
        .unwrap();

    // `trials` lists them in trial order, each with its rank on the leaderboard.
    let listed = env.sweep(&["trials", "tiny"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    let cells = |i: usize| -> Vec<String> {
        listed
            .stdout
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().nth(i).map(str::to_string))
            .collect()
    };
    assert_eq!(cells(1), ["0", "1", "2", "3"], "{}", listed.stdout);
    let board: Vec<(String, String)> = show
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("rank"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect();
    let mut ranks: Vec<(String, String)> = cells(0).into_iter().zip(cells(1)).collect();
    ranks.sort_by_key(|(rank, _)| rank.parse::<u32>().unwrap_or(u32::MAX));
    assert_eq!(ranks, board, "{}\n{}", listed.stdout, show.stdout);

    let ls = env.sweep(&["ls"]);
    assert_eq!(ls.code, 0, "{ls:?}");
    assert!(
        ls.stdout.contains("tiny") && ls.stdout.contains("finished"),
        "{}",
        ls.stdout
    );

    let csv = env.sweep(&["trials", "tiny", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{csv:?}");
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", csv.stdout);
    assert!(
        lines[0]
            .starts_with("trial,state,reason,seed,best_epoch,epochs_trained,source,param.dropout"),
        "{}",
        lines[0]
    );
    // Each trial trained its 3 epochs, in the CSV and the JSON alike.
    let epochs: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split(',').nth(5))
        .collect();
    assert_eq!(epochs, ["3", "3", "3", "3"], "{}", csv.stdout);
    let listed_json = json(&env.sweep(&["trials", "tiny", "--format", "json"]).stdout);
    let epochs: Vec<Option<u64>> = listed_json
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["epochs_trained"].as_u64())
        .collect();
    assert_eq!(epochs, [Some(3); 4], "{listed_json}");

    // One trial in full: its facts, parameters, metrics at the best epoch with their curves,
    // and the commands that use it.
    let one = env.sweep(&["show", "tiny/2"]);
    assert_eq!(one.code, 0, "{one:?}");
    let best = trials[2].result.as_ref().unwrap();
    for line in [
        "trial       tiny/2".to_string(),
        "state       completed".to_string(),
        format!("seed        {}", trials[2].seed),
        "parameters  chosen by random".to_string(),
        format!("best epoch  {} of 3 reported", best.best_step),
        format!("metric at epoch {} curve, epochs 1 to 3", best.best_step),
        "reproduce sweep reproduce tiny/2 --store .sweep".to_string(),
    ] {
        // Compared word by word: columns are as wide as their longest cell.
        let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            one.stdout
                .lines()
                .any(|l| words(l).starts_with(&words(&line))),
            "no `{line}`:\n{}",
            one.stdout
        );
    }
    let accuracy = format!("{:.4}", best.metrics["val_accuracy"]);
    let row = one
        .stdout
        .lines()
        .find(|l| l.starts_with("val_accuracy"))
        .unwrap_or_else(|| panic!("no val_accuracy row:\n{}", one.stdout));
    assert!(row.contains(&accuracy), "{row}");
    assert_eq!(
        row.chars().filter(|c| ('▁'..='█').contains(c)).count(),
        3,
        "a block per epoch: {row}"
    );
    assert!(one.stdout.contains("dropout"), "{}", one.stdout);
    // The trial measured on the test split says so; the others do not.
    let best: u32 = run
        .stdout
        .split("best: trial ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no best trial in {}", run.stdout));
    for id in 0..4 {
        let card = env.sweep(&["show", &format!("tiny/{id}")]);
        assert_eq!(
            card.stdout.contains("test split  test_accuracy "),
            id == best,
            "trial {id} (best {best}):\n{}",
            card.stdout
        );
    }
    // Two side by side, the rows where they differ marked.
    let two = env.sweep(&["show", "tiny/0", "tiny/3"]);
    assert_eq!(two.code, 0, "{two:?}");
    let header: Vec<&str> = two
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(header, ["tiny/0", "tiny/3", "differs"], "{}", two.stdout);
    let lr = two.stdout.lines().find(|l| l.starts_with("lr ")).unwrap();
    assert!(lr.ends_with('*'), "drawn afresh, lr differs: {lr}");
    let state = two
        .stdout
        .lines()
        .find(|l| l.starts_with("state "))
        .unwrap();
    assert!(!state.ends_with('*'), "both completed: {state}");
    // A trial named twice is shown once: its card, as for one.
    let twice = env.sweep(&["show", "tiny/3", "tiny/3"]);
    assert_eq!(twice.code, 0, "{twice:?}");
    assert!(
        twice.stdout.starts_with("trial       tiny/3\n"),
        "{}",
        twice.stdout
    );
    // The best trial beside another: its test split in a row of its own, `-` for the other.
    let other = if best == 0 { 1 } else { 0 };
    let pair = env.sweep(&["show", &format!("tiny/{best}"), &format!("tiny/{other}")]);
    let test = pair
        .stdout
        .lines()
        .find(|l| l.starts_with("test_accuracy (test split)"))
        .unwrap_or_else(|| panic!("no test split row:\n{}", pair.stdout));
    let cells: Vec<&str> = test.split_whitespace().collect();
    assert_eq!(cells[4..], ["-", "*"], "{test}");
    assert!(cells[3].parse::<f64>().is_ok(), "{test}");
    for (args, said) in [
        (
            &["show", "tiny/9"][..],
            "experiment `tiny` has no trial 9; its trials are 0 to 3",
        ),
        (&["show", "tiny", "tiny/1"][..], "give one experiment"),
        (
            &["show", "tiny", "other"][..],
            "experiments are compared side by side on the dashboard (`sweep serve`, then tick \
             them on its list)",
        ),
        (
            &["show", "tiny/x"][..],
            "expected a trial as EXPERIMENT/NUMBER",
        ),
    ] {
        let bad = env.sweep(args);
        assert_eq!(bad.code, 2, "{args:?}: {bad:?}");
        assert!(bad.stderr.contains(said), "{args:?}: {}", bad.stderr);
    }
}

#[test]
fn a_best_trial_at_the_end_of_a_searched_range_is_noted() {
    let env = TestEnv::new();
    // One enqueued trial, so it is the best: `lr` at the top of its range, `dropout` inside.
    let yaml = TINY
        .replace("name: tiny", "name: edge")
        .replace("run_cap: 4", "run_cap: 1")
        .replace(
            "parameters:",
            "enqueue:\n  - {lr: 0.01, hidden: 16, dropout: 0.1}\nparameters:",
        );
    let spec = env.write_spec("edge.yaml", &yaml);
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let said = "the best trial (0) lies at the end of a searched range: `lr` = 0.01, the top of \
                its range [0.001, 0.01]: better values may lie beyond it, where no trial looked";
    assert!(
        run.stdout.contains(&format!("note: {said}")),
        "{}",
        run.stdout
    );
    let show = env.sweep(&["show", "edge"]);
    assert!(
        show.stdout.contains(&format!("ranges      {said}")),
        "{}",
        show.stdout
    );
}

#[test]
fn the_same_file_twice_gives_identical_metrics() {
    let a = TestEnv::new();
    let b = TestEnv::new();
    for env in [&a, &b] {
        let spec = env.write_spec("tiny.yaml", TINY);
        let run = env.sweep(&["run", spec.to_str().unwrap(), "--parallel", "2"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let json_a = a.sweep(&["trials", "tiny", "--format", "json"]).stdout;
    let json_b = b.sweep(&["trials", "tiny", "--format", "json"]).stdout;
    assert_eq!(reproducible_view(&json_a), reproducible_view(&json_b));

    let (sa, sb) = (
        Store::open(&a.store()).unwrap(),
        Store::open(&b.store()).unwrap(),
    );
    for id in 0..4 {
        for metric in ["train_loss", "val_loss", "val_accuracy"] {
            assert_eq!(
                metric_bits(&sa, "tiny", TrialId(id), metric),
                metric_bits(&sb, "tiny", TrialId(id), metric),
                "{metric} of trial {id}"
            );
        }
    }
}

/// Returns a stored metric series as (epoch, bits of the value), for bit-for-bit comparisons.
fn metric_bits(store: &Store, experiment: &str, trial: TrialId, metric: &str) -> Vec<(u32, u64)> {
    store
        .metric_series(experiment, trial, metric)
        .unwrap()
        .iter()
        .map(|(k, v)| (k.0, v.to_bits()))
        .collect()
}

/// A model-based sweep with pruning: TPE waits for history and ASHA for earlier trials' epochs.
/// Model and batch sizes far apart make trials' speeds differ, so later trials catch up with
/// earlier ones and the waits matter.
const TPE_ASHA: &str = "\
name: tpe-asha
seed: 3
method: tpe
sampler: {n_startup_trials: 3}
pruner: {type: asha, min_resource: 1, reduction_factor: 2}
run_cap: 8
parallel: 2
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 4}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 3.0e-2}
  hidden: {values: [8, 256]}
  batch_size: {values: [16, 256]}
  optimizer: {values: [sgd, adam]}
";

/// The release promise, on the real binary and real training: the same file gives the same
/// parameters, pruning decisions and metric bits with the machine quiet or busy. (The runner's
/// `model_based_sampling_and_pruning_do_not_depend_on_timing` forces opposite timings on a
/// synthetic objective; this checks the whole pipeline.)
#[test]
fn a_tpe_sweep_with_asha_is_the_same_under_different_load() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let quiet = TestEnv::new();
    let loaded = TestEnv::new();
    let run = |env: &TestEnv| {
        let spec = env.write_spec("tpe-asha.yaml", TPE_ASHA);
        let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
        assert_eq!(out.code, 0, "{out:?}");
    };
    run(&quiet);
    // The second run shares the cores with two spinning threads, so the workers' timing differs.
    // They stop when the run ends, also when it fails: a guard sets the flag as it drops, since
    // the scope waits for them before passing a failure on.
    struct StopOnDrop<'a>(&'a AtomicBool);
    impl Drop for StopOnDrop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(
                        x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1),
                    );
                }
            });
        }
        let _stop = StopOnDrop(&stop);
        run(&loaded);
    });
    let (a, b) = (
        Store::open(&quiet.store()).unwrap(),
        Store::open(&loaded.store()).unwrap(),
    );
    let (ta, tb) = (a.trials("tpe-asha").unwrap(), b.trials("tpe-asha").unwrap());
    assert_eq!((ta.len(), tb.len()), (8, 8));
    assert!(
        ta.iter().any(|t| t.state == TrialState::Pruned),
        "ASHA never fired, so its waits were not exercised: {ta:?}"
    );
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(
            (x.id, x.state, &x.reason, &x.params),
            (y.id, y.state, &y.reason, &y.params)
        );
        let names = a.metric_names("tpe-asha", x.id).unwrap();
        assert_eq!(names, b.metric_names("tpe-asha", y.id).unwrap());
        for metric in names {
            if metric == "epoch_seconds" {
                continue;
            }
            assert_eq!(
                metric_bits(&a, "tpe-asha", x.id, &metric),
                metric_bits(&b, "tpe-asha", x.id, &metric),
                "{metric} of trial {}",
                x.id.0
            );
        }
    }
    // `sweep show` sums what the trials trained, and where pruning stopped them, from the
    // stored curves: 8 trials of up to 4 epochs.
    let trained: usize = ta
        .iter()
        .map(|t| {
            a.metric_series("tpe-asha", t.id, "val_accuracy")
                .unwrap()
                .len()
        })
        .sum();
    let mut stops = std::collections::BTreeMap::<u32, usize>::new();
    for t in ta.iter().filter(|t| t.state == TrialState::Pruned) {
        let curve = a.metric_series("tpe-asha", t.id, "val_accuracy").unwrap();
        *stops.entry(curve.last().unwrap().0 .0).or_default() += 1;
    }
    // The stores are let go first: a store is one process's at a time.
    drop((a, b));
    let out = quiet.sweep(&["show", "tpe-asha"]);
    assert_eq!(out.code, 0, "{out:?}");
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("epochs "))
        .unwrap_or_else(|| panic!("no epochs line: {out:?}"));
    assert!(
        line.starts_with(&format!("epochs      {trained} trained of at most 32 (")),
        "{trained}: {line}"
    );
    assert!(trained < 32, "{line}");
    // Where the rule judges them: rungs at 1 and 2 of the 4 epochs, keeping the top half (at
    // the last, 4, no rule judges: the trial has trained it whole).
    assert!(
        out.stdout.contains(
            "\nrungs       epochs 1 and 2 of at most 4; at each, a trial goes on if in the top \
             1/2\n"
        ),
        "{}",
        out.stdout
    );
    // "pruned: 3 trials at epoch 1, 1 at 2": each count, by the epoch it ends with.
    let (_, pruned) = line
        .split_once("; pruned: ")
        .unwrap_or_else(|| panic!("{line}"));
    let said: std::collections::BTreeMap<u32, usize> = pruned
        .split(", ")
        .map(|part| {
            let words: Vec<&str> = part.split(' ').collect();
            let epoch: Option<u32> = words.last().and_then(|w| w.parse().ok());
            let trials: Option<usize> = words.first().and_then(|w| w.parse().ok());
            epoch.zip(trials).unwrap_or_else(|| panic!("{line}"))
        })
        .collect();
    assert_eq!(said, stops, "{line}");
}

#[test]
fn a_diverging_trial_fails_and_the_sweep_goes_on() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "diverge.yaml",
        "\
name: diverge
method: grid
metric: {name: val_accuracy}
data: {csv: DATA/digits.csv, target: digit, normalize: none}
# With coupled weight decay each SGD step multiplies the weights by 1 - lr * l2: -9 for lr 10.
train: {epochs: 3, optimizer: sgd, momentum: 0.0, l2: 1.0}
parameters:
  lr: {values: [0.01, 10.0]}
",
    );
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let store = Store::open(&env.store()).unwrap();
    let trials = store.trials("diverge").unwrap();
    assert_eq!(trials[0].state, TrialState::Completed, "{:?}", trials[0]);
    assert_eq!(trials[1].state, TrialState::Failed, "{:?}", trials[1]);
    let reason = trials[1].reason.clone().unwrap_or_default();
    assert!(reason.starts_with("diverged at epoch"), "{reason}");
    drop(store);
    // Its card says why; it reported nothing, and has no model to predict with.
    let card = env.sweep(&["show", "diverge/1"]);
    assert_eq!(card.code, 0, "{card:?}");
    assert!(
        card.stdout
            .contains(&format!("state       failed: {reason}"))
            && card.stdout.contains("lr            10")
            && !card.stdout.contains("metric ")
            && !card.stdout.contains("predict "),
        "{}",
        card.stdout
    );
}

#[test]
fn a_sweep_whose_every_trial_fails_exits_1() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "fail.yaml",
        "\
name: fail
method: grid
metric: {name: val_accuracy}
data: {csv: DATA/digits.csv, target: digit, normalize: none}
train: {epochs: 3, optimizer: sgd, momentum: 0.0, l2: 1.0, lr: 10.0}
parameters:
  hidden: {values: [16]}
",
    );
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn a_shuffled_grid_cut_by_its_run_cap_runs_spread_points_and_the_rest_when_extended() {
    let env = TestEnv::new();
    let text = "\
name: shuffled
seed: 3
method: grid
sampler: {shuffle: true}
run_cap: 3
metric: {name: val_accuracy}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 1}
parameters:
  hidden: {values: [8, 16, 24, 32, 40, 48]}
";
    let spec = env.write_spec("shuffled.yaml", text);
    let check = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{check:?}");
    assert!(
        check.stdout.contains("sampler: {shuffle: true}")
            && check.stdout.contains(
                "the grid has 6 points and the study 3 trials: it runs 3 of them, in an order \
                 shuffled by the seed (`sampler.shuffle`)"
            ),
        "{}",
        check.stdout
    );
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("note: the grid has 6 points and the study 3 trials"),
        "{}",
        run.stderr
    );
    let hidden = |env: &TestEnv| -> Vec<String> {
        let store = Store::open(&env.store()).unwrap();
        let trials = store.trials("shuffled").unwrap();
        trials
            .iter()
            .map(|t| t.params["hidden"].to_string())
            .collect()
    };
    let first = hidden(&env);
    // Not the grid's first three, the seed's.
    assert_eq!(first, ["8", "24", "48"]);
    let extended = env.sweep(&["run", spec.to_str().unwrap(), "--extend", "3", "--no-serve"]);
    assert_eq!(extended.code, 0, "{extended:?}");
    let mut all = hidden(&env);
    assert_eq!(all[..3], first[..]);
    all.sort_by_key(|h| h.parse::<u32>().unwrap());
    assert_eq!(all, ["8", "16", "24", "32", "40", "48"]);
    // The notes count the trials planned now, the whole grid: none, then or after.
    let again = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    for out in [&extended, &again] {
        assert!(!out.stderr.contains("the grid has"), "{}", out.stderr);
    }
    // `show` gives the setting back as the block that sets it.
    let show = env.sweep(&["show", "shuffled"]);
    assert!(
        show.stdout
            .contains("method      grid, sampler: {shuffle: true}"),
        "{}",
        show.stdout
    );
}

#[test]
fn a_store_that_lost_flushed_writes_is_refused_by_every_command() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    // As if the database had dropped its last ten flushes: the mark beside it says more.
    let mark = env.store().join("flushed");
    let flushed: u64 = std::fs::read_to_string(&mark)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::fs::write(&mark, format!("{}\n", flushed + 10)).unwrap();
    for args in [
        vec!["ls"],
        vec!["show", "tiny"],
        vec!["run", spec.to_str().unwrap(), "--no-serve"],
    ] {
        let out = env.sweep(&args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains(&format!(
                "lost data: its database holds {flushed} of the {} flushes that reached disk",
                flushed + 10
            )) && out.stderr.contains("delete "),
            "{args:?}: {}",
            out.stderr
        );
    }
    // Deleting the mark goes on with what the store holds.
    std::fs::remove_file(&mark).unwrap();
    let ls = env.sweep(&["ls"]);
    assert_eq!(ls.code, 0, "{ls:?}");
    assert!(ls.stdout.contains("tiny"), "{}", ls.stdout);
}

#[test]
fn a_warm_started_sweep_learns_from_another_experiments_trials() {
    let env = TestEnv::new();
    let source = env.write_spec("tiny.yaml", TINY);
    assert_eq!(
        env.sweep(&["run", source.to_str().unwrap(), "--no-serve"])
            .code,
        0
    );
    // Wider `lr` and `hidden`, a narrower `dropout`: trials above 0.1 do not fit.
    let wider = TINY
        .replace("name: tiny", "name: wider")
        .replace("method: random", "method: tpe")
        .replace("run_cap: 4", "run_cap: 2")
        .replace("max: 1.0e-2}", "max: 1.0e-1}")
        .replace("values: [16, 32]", "values: [16, 32, 64]")
        .replace(
            "dropout: {min: 0.0, max: 0.3}",
            "dropout: {min: 0.0, max: 0.1}",
        )
        + "warm_start: {experiment: tiny}\n";
    let spec = env.write_spec("wider.yaml", &wider);
    let check = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert!(
        check
            .stdout
            .contains("warm start: the finished trials of `tiny` in the store"),
        "{check:?}"
    );
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let store = Store::open(&env.store()).unwrap();
    let fits = store
        .trials("tiny")
        .unwrap()
        .iter()
        .filter(|t| t.params["dropout"].as_f64().unwrap() <= 0.1)
        .count();
    let warm = store.warm_start("wider").unwrap().unwrap();
    drop(store);
    assert!((1..4).contains(&fits), "{fits} of the 4 fit");
    assert_eq!(warm.trials.len(), fits);
    assert_eq!(warm.left_out.len(), 4 - fits);
    assert!(
        warm.left_out.iter().all(|why| why.contains("`dropout` = ")),
        "{:?}",
        warm.left_out
    );
    let said = format!("warm start: {fits} trial");
    assert!(
        run.stderr.contains(&said) || run.stdout.contains(&said),
        "{run:?}"
    );
    let show = env.sweep(&["show", "wider"]);
    assert!(
        show.stdout.contains(&format!("warm start  {fits} trial"))
            && show
                .stdout
                .contains("of `tiny`, learned from before this experiment's own"),
        "{}",
        show.stdout
    );
    // Resumed or extended without the other experiment: what it took is kept with it.
    assert_eq!(env.sweep(&["rm", "tiny", "--yes"]).code, 0);
    let extended = env.sweep(&["run", spec.to_str().unwrap(), "--extend", "1", "--no-serve"]);
    assert_eq!(extended.code, 0, "{extended:?}");
    // A file that warm-starts from an experiment the store lacks is refused before anything.
    let missing = env.write_spec("missing.yaml", &wider.replace("name: wider", "name: other"));
    let refused = env.sweep(&["run", missing.to_str().unwrap(), "--no-serve"]);
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains("warm_start: no experiment `tiny` in the store (it holds wider)"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_sweep_warm_starts_from_a_file_of_results_exported_from_another_store() {
    let env = TestEnv::new();
    let source = env.write_spec("tiny.yaml", TINY);
    let other = env.path().join("elsewhere");
    let other = other.to_str().unwrap();
    let ran = env.sweep(&[
        "run",
        source.to_str().unwrap(),
        "--no-serve",
        "--store",
        other,
    ]);
    assert_eq!(ran.code, 0, "{ran:?}");
    std::fs::create_dir_all(env.path().join("runs")).unwrap();
    let exported = env.sweep(&[
        "export",
        "tiny",
        "--format",
        "csv",
        "--store",
        other,
        "-o",
        "runs/past.csv",
    ]);
    assert_eq!(exported.code, 0, "{exported:?}");
    // The file is named relative to the spec; a narrower `dropout` leaves some rows out.
    let warm = TINY
        .replace("name: tiny", "name: warm")
        .replace("method: random", "method: tpe")
        .replace("run_cap: 4", "run_cap: 2")
        .replace(
            "dropout: {min: 0.0, max: 0.3}",
            "dropout: {min: 0.0, max: 0.1}",
        )
        + "warm_start: {csv: runs/past.csv}\n";
    let spec = env.write_spec("warm.yaml", &warm);
    let fits = {
        let store = Store::open(std::path::Path::new(other)).unwrap();
        let trials = store.trials("tiny").unwrap();
        trials
            .iter()
            .filter(|t| t.params["dropout"].as_f64().unwrap() <= 0.1)
            .count()
    };
    assert!((1..4).contains(&fits), "{fits} of the 4 fit");
    let path = env.path().join("runs").join("past.csv");
    let said = format!(
        "warm start: {fits} trial{} of `{}`, learned from before this experiment's own; {} of \
         its finished trials left out (line ",
        if fits == 1 { "" } else { "s" },
        path.display(),
        4 - fits
    );
    let check = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{check:?}");
    assert!(check.stdout.contains(&said), "{}", check.stdout);
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let store = Store::open(&env.store()).unwrap();
    let taken = store.warm_start("warm").unwrap().unwrap();
    drop(store);
    assert_eq!(taken.trials.len(), fits);
    let show = env.sweep(&["show", "warm"]);
    assert!(
        show.stdout.contains(&format!("warm start  {fits} trial")),
        "{}",
        show.stdout
    );
    // The same search warm-started from the experiment itself, in the store it ran in, runs
    // the same trials bit for bit: the file carries everything the sampler learns from.
    let beside = env.write_spec(
        "beside.yaml",
        &warm.replace("{csv: runs/past.csv}", "{experiment: tiny}"),
    );
    let ran = env.sweep(&[
        "run",
        beside.to_str().unwrap(),
        "--no-serve",
        "--store",
        other,
    ]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(
        env.reproducible_trials("warm", other),
        env.reproducible_trials("warm", ".sweep")
    );
    // Extended after the file is gone: the rows taken at creation are kept with it.
    std::fs::remove_file(&path).unwrap();
    let extended = env.sweep(&["run", spec.to_str().unwrap(), "--extend", "1", "--no-serve"]);
    assert_eq!(extended.code, 0, "{extended:?}");
    // Created without it, or with no objective column, it is refused before anything is
    // written, the file and the spec's line named.
    let fresh = env.write_spec("fresh.yaml", &warm.replace("name: warm", "name: fresh"));
    let refused = env.sweep(&["validate", fresh.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("warm_start.csv at ")
            && refused.stderr.contains("fresh.yaml:13:19: cannot read ")
            && refused.stderr.contains("cannot read "),
        "{}",
        refused.stderr
    );
    // `sweep export --format json` is not a table of results: said so, not as a bad row.
    std::fs::write(&path, "[{\"trial\": 0, \"state\": \"completed\"}]\n").unwrap();
    let json = env.sweep(&["validate", fresh.to_str().unwrap()]);
    assert_eq!(json.code, 2, "{json:?}");
    assert!(
        json.stderr
            .contains("this is JSON; a warm start reads a CSV file of results"),
        "{}",
        json.stderr
    );
    std::fs::write(
        &path,
        "params_lr,params_hidden,params_dropout,loss\n0.005,16,0.05,0.3\n",
    )
    .unwrap();
    let refused = env.sweep(&["run", fresh.to_str().unwrap(), "--no-serve"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "past.csv: no column for the objective `val_accuracy`: looked for \
             `metric.val_accuracy`"
        ),
        "{}",
        refused.stderr
    );
    let ls = env.sweep(&["ls"]);
    assert!(!ls.stdout.contains("fresh"), "{}", ls.stdout);
    // Optuna's `trials_dataframe()` reads as it is written.
    std::fs::write(
        &path,
        "number,value,params_dropout,params_hidden,params_lr,state\n\
         0,0.91,0.05,16,0.005,COMPLETE\n1,,0.02,32,0.002,RUNNING\n",
    )
    .unwrap();
    let optuna = env.sweep(&["validate", fresh.to_str().unwrap()]);
    assert_eq!(optuna.code, 0, "{optuna:?}");
    assert!(
        optuna.stdout.contains("warm start: 1 trial of "),
        "{}",
        optuna.stdout
    );
}

#[test]
fn every_command_has_help_and_bad_usage_exits_2() {
    let env = TestEnv::new();
    let commands = "run validate ls show trials predict gate reproduce export serve rm";
    for command in commands.split(' ') {
        let help = env.sweep(&[command, "--help"]);
        assert_eq!(help.code, 0, "{command}: {help:?}");
        assert!(help.stdout.contains("Usage"), "{command}: {}", help.stdout);
    }
    let bad = env.sweep(&["run"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    // Every command that reads a store says there is none, and how to make one.
    let store_commands: [&[&str]; 7] = [
        &["show", "nothing"],
        &["trials", "nothing"],
        &["ls"],
        &["export", "nothing", "--format", "csv"],
        &["reproduce", "nothing/1"],
        &["rm", "nothing", "--yes"],
        &["predict", "3", "--input", "new.csv"],
    ];
    for args in store_commands {
        let missing = env.sweep(args);
        assert_eq!(missing.code, 2, "{args:?}: {missing:?}");
        assert!(
            missing
                .stderr
                .contains("no store at .sweep; run `sweep run FILE` first"),
            "{args:?}: {}",
            missing.stderr
        );
    }
    // A folder that holds no store, or a file, is said as such by every command, also by those
    // that look for files beside the database (a checkpoint) or replace it (compact).
    std::fs::create_dir(env.path().join("empty")).unwrap();
    std::fs::write(env.path().join("afile"), "").unwrap();
    for (store, said) in [
        (
            "empty",
            "no store at empty: the folder holds no sweep store",
        ),
        (
            "afile",
            "cannot open store afile: it is a file, not a folder",
        ),
    ] {
        for args in [
            &["predict", "3", "--input", "new.csv", "--store", store][..],
            &["compact", "--store", store],
            &["ls", "--store", store],
        ] {
            let refused = env.sweep(args);
            assert_eq!(refused.code, 2, "{args:?}: {refused:?}");
            assert!(
                refused.stderr.contains(said),
                "{args:?}: {}",
                refused.stderr
            );
            assert!(!refused.stderr.contains("compacting"), "{}", refused.stderr);
        }
    }
    // A total and an addition of trials are not given together.
    let spec = env.write_spec("tiny.yaml", TINY);
    let both = env.sweep(&[
        "run",
        spec.to_str().unwrap(),
        "--run-cap",
        "5",
        "--extend",
        "1",
    ]);
    assert_eq!(both.code, 2, "{both:?}");
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_with_141() {
    // As `sweep validate FILE | head -0` would: the reader is gone before the first line.
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    ends_quietly_into_a_closed_pipe(&env, &["validate", spec.to_str().unwrap()]);
    // A sweep whose progress lines find their reader gone (`2> >(head -c 50)`) runs on to the
    // end; with its output gone too (`2>&1 | grep -m1 trial`) it ends with 141 once it prints
    // its leaderboard. Neither panics, and the sweep's results are whole.
    for (name, output_too, code) in [("quiet", false, 0), ("cut", true, 141)] {
        let text = TINY.replace("name: tiny", &format!("name: {name}"));
        let spec = env.write_spec(&format!("{name}.yaml"), &text);
        let mut child = env
            .command(&["run", spec.to_str().unwrap(), "--no-serve"])
            .stdout(if output_too {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{name}");
        let listed = env.sweep(&["ls"]);
        let line = listed.stdout.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(line.contains(" finished "), "{}", listed.stdout);
        // The best trial was measured on the test split, also where nothing could be printed.
        let shown = env.sweep(&["show", name]);
        assert!(
            shown.stdout.contains("\ntest split: trial "),
            "{name}: {shown:?}"
        );
    }
    // Predictions into a closed pipe (`sweep predict ... | head -1`) end the same way.
    let kept = std::fs::read_dir(env.store().join("checkpoints/cut"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find_map(|name| name.strip_suffix(".json").map(str::to_string))
        .expect("a kept checkpoint");
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    let trial = format!("cut/{kept}");
    let args = ["predict", &trial, "--input", digits.to_str().unwrap()];
    ends_quietly_into_a_closed_pipe(&env, &args);
    // Rows from standard input (`--input -`), as from the file; a folder is named as one.
    let rows: String = std::fs::read_to_string(&digits)
        .unwrap()
        .lines()
        .take(4)
        .map(|l| format!("{l}\n"))
        .collect();
    let piped = env.sweep_with_input(&["predict", &trial, "--input", "-"], &rows);
    assert_eq!(piped.code, 0, "{piped:?}");
    assert_eq!(piped.stdout.lines().count(), 4, "{}", piped.stdout);
    assert!(
        piped.stdout.starts_with("prediction,p_0,"),
        "{}",
        piped.stdout
    );
    let folder = env.sweep(&["predict", &trial, "--input", "."]);
    assert_eq!(folder.code, 2, "{folder:?}");
    assert!(
        folder
            .stderr
            .contains("--input .: it is a folder; name the CSV file"),
        "{}",
        folder.stderr
    );
    // Output into a full disk (`> /dev/full`) fails with 74, saying what it could not write
    // where; help too.
    for (args, what) in [
        (&["ls"][..], "the experiments"),
        (&["--help"][..], "the help"),
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = env.command(args).stdout(full).output().unwrap();
        assert_eq!(out.status.code(), Some(74), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!(
                "error: cannot write {what} to standard output: No space left"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn issue_help_into_a_closed_pipe_ends_quietly_with_141() {
    // As `sweep --help | true`: help and the version end as every other output does.
    let env = TestEnv::new();
    for args in [
        &["--help"][..],
        &["help", "trials"],
        &["trials", "--help"],
        &["--version"],
    ] {
        ends_quietly_into_a_closed_pipe(&env, args);
    }
}

#[test]
fn issue_a_store_named_with_control_characters_is_shown_not_run() {
    // `--store $'st\e[31mred'`: every line that names the store shows the escape, as errors do.
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", &TINY.replace("run_cap: 4", "run_cap: 1"));
    let store = "st\u{1b}[31mred";
    let shown = "st\\u{1b}[31mred";
    let run = env.sweep(&[
        "run",
        spec.to_str().unwrap(),
        "--no-serve",
        "--store",
        store,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(&format!("results are in {shown}\n")),
        "{}",
        run.stdout
    );
    // A suggested command names it in ANSI-C quoting, which bash and zsh read back as the
    // store's name; shell-quoted and then shown (`'st\u{1b}[31mred'`), it named another folder.
    let pasted = r"$'st\e[31mred'";
    assert!(
        run.stdout
            .contains(&format!("browse them: sweep serve --store {pasted}\n")),
        "{}",
        run.stdout
    );
    let card = env.sweep(&["show", "tiny/0", "--store", store]);
    assert!(
        card.stdout.contains(&format!("--store {pasted}\n")),
        "{card:?}"
    );
    // Pasted into bash, where there is one, the suggestion names the store.
    let echoed = std::process::Command::new("bash")
        .args(["-c", &format!("printf %s {pasted}")])
        .output();
    if let Ok(echoed) = echoed {
        assert_eq!(echoed.stdout, store.as_bytes());
    }
    let compact = env.sweep(&["compact", "--store", store]);
    assert!(
        compact.stdout.starts_with(&format!("compacted {shown}: ")),
        "{compact:?}"
    );
    for out in [&run, &card, &compact] {
        assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
        assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
    }
}

#[test]
fn paths_that_are_not_utf8_work_in_every_argument() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    // A store, and an output file, named with a byte that is not UTF-8 (`st\xff`).
    let store = OsStr::from_bytes(b"st\xff");
    let run = env
        .command(&["run", spec.to_str().unwrap(), "--no-serve", "--store"])
        .arg(store)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let listed = env.command(&["ls", "--store"]).arg(store).output().unwrap();
    assert_eq!(listed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("tiny"));
    let export = env
        .command(&["export", "tiny", "--format", "csv", "--store"])
        .arg(store)
        .arg("--output")
        .arg(OsStr::from_bytes(b"\xff.csv"))
        .output()
        .unwrap();
    assert_eq!(
        export.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(env.path().join(OsStr::from_bytes(b"\xff.csv")).is_file());
    // `-o -` is standard output, not a file named `-`.
    let dash = env
        .command(&["export", "tiny", "--format", "csv", "-o", "-", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert_eq!(dash.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&dash.stdout).starts_with("trial,state,"));
    assert!(!env.path().join("-").exists());
}

/// Runs `sweep ARGS` with its standard output's reader gone before the first line: it ends
/// with 141, saying nothing.
fn ends_quietly_into_a_closed_pipe(env: &TestEnv, args: &[&str]) {
    // The reader is closed before the command starts, so that no line reaches the pipe first.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = env
        .command(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
    assert!(stderr.is_empty(), "{args:?}: {stderr}");
}

#[test]
fn rerunning_a_finished_sweep_runs_nothing_and_an_edited_file_is_refused() {
    let env = TestEnv::new();
    // The data beside the file, named relative to it, as a user's file would.
    std::fs::create_dir(env.path().join("data")).unwrap();
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    std::fs::copy(digits, env.path().join("data/digits.csv")).unwrap();
    let tiny = TINY.replace("DATA/digits.csv", "data/digits.csv");
    let spec = env.write_spec("tiny.yaml", &tiny);
    assert_eq!(env.sweep(&["run", spec.to_str().unwrap()]).code, 0);
    let again = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("0 run now"), "{}", again.stdout);
    assert!(
        again.stderr.contains(
            "tiny: all 4 trials already finished; nothing to run (--extend N adds trials)"
        ),
        "{}",
        again.stderr
    );
    // A lower run cap does not shrink what is planned, and says so.
    let lower = env.sweep(&["run", spec.to_str().unwrap(), "--run-cap", "2"]);
    assert_eq!(lower.code, 0, "{lower:?}");
    assert!(
        lower.stderr.contains(
            "note: --run-cap 2 is below the 4 trials that `tiny` already plans: it still plans 4 \
             (a run cap is never lowered)"
        ),
        "{}",
        lower.stderr
    );
    let edited = env.write_spec("tiny.yaml", &tiny.replace("seed: 5", "seed: 6"));
    let refused = env.sweep(&["run", edited.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("different spec"),
        "{}",
        refused.stderr
    );
    // The message shows what changed and offers the ways out.
    assert!(
        refused.stderr.contains("- seed: 5") && refused.stderr.contains("+ seed: 6"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--extend"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("`sweep rm tiny --store "),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("only `run_cap` changed"));
    // An experiment's flags are refused on a trial's page, not ignored.
    for flag in ["--record", "--top"] {
        let args: &[&str] = if flag == "--top" {
            &["show", "tiny/0", "--top", "1"]
        } else {
            &["show", "tiny/0", "--record"]
        };
        let refused = env.sweep(args);
        assert_eq!(refused.code, 2, "{refused:?}");
        assert!(
            refused
                .stderr
                .contains(&format!("{flag} is for an experiment")),
            "{}",
            refused.stderr
        );
    }
    // What changed in meaning shows; a metric rewritten in block style, no change, does not.
    let reworded = env.write_spec(
        "tiny.yaml",
        &tiny.replace("seed: 5", "seed: 6").replace(
            "metric: {name: val_accuracy, goal: maximize}",
            "metric:\n  name: val_accuracy\n  goal: maximize",
        ),
    );
    let refused = env.sweep(&["run", reworded.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("- seed: 5") && refused.stderr.contains("+ seed: 6"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("metric") && !refused.stderr.contains("goal"),
        "a change of layout shows as a change: {}",
        refused.stderr
    );
    // A raised run cap, the usual way to ask for more trials, gets the way to add them.
    let raised = env.write_spec("tiny.yaml", &tiny.replace("run_cap: 4", "run_cap: 7"));
    let refused = env.sweep(&["run", raised.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "only `run_cap` changed, from 4 to 7: to add the 3 trials, put `run_cap: 4` back and \
             pass `--run-cap 7` (or `--extend 3`)"
        ),
        "{}",
        refused.stderr
    );

    let unchanged = env.write_spec("tiny.yaml", &tiny);
    let extended = env.sweep(&["run", unchanged.to_str().unwrap(), "--extend", "2"]);
    assert_eq!(extended.code, 0, "{extended:?}");
    assert!(
        extended.stdout.contains("tiny: 6 trials") && extended.stdout.contains("2 run now"),
        "{}",
        extended.stdout
    );
    // Once extended, a raised run cap counts from the 6 trials planned, not the file's 4.
    for (cap, said) in [
        (
            7,
            "only `run_cap` changed, from 4 to 7: to add the 1 trial, put `run_cap: 4` back and \
             pass `--run-cap 7` (or `--extend 1`)",
        ),
        (
            5,
            "only `run_cap` changed, from 4 to 5, but the experiment already plans 6 trials (its \
             run cap was raised since): put `run_cap: 4` back, and pass `--extend N` to add trials",
        ),
    ] {
        let raised = tiny.replace("run_cap: 4", &format!("run_cap: {cap}"));
        let raised = env.write_spec("tiny.yaml", &raised);
        let refused = env.sweep(&["run", raised.to_str().unwrap()]);
        assert_eq!(refused.code, 2, "{refused:?}");
        assert!(refused.stderr.contains(said), "{}", refused.stderr);
    }

    // Comments, spacing and the order of keys do not change what the file means.
    let commented = tiny
        .replace(
            "seed: 5\nmethod: random\n",
            "method: random   # as before\nseed:   5\n",
        )
        .replace("parameters:\n", "# what is searched\nparameters:\n");
    env.write_spec("tiny.yaml", &commented);
    // Named relative to the working folder this time: the file's resolved spec holds the data
    // file's absolute path either way.
    let again = env.sweep(&["run", "tiny.yaml"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stderr.contains("tiny: all 6 trials already finished"),
        "{}",
        again.stderr
    );

    // Other data under the same file is refused: the trials so far trained on the old data.
    let data = env.path().join("data/digits.csv");
    let original = std::fs::read_to_string(&data).unwrap();
    let shorter: String = original
        .lines()
        .take(1500)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&data, shorter).unwrap();
    let refused = env.sweep(&["run", "tiny.yaml", "--extend", "1"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("the data of experiment `tiny` changed since it started:"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("restore the file")
            && refused
                .stderr
                .contains("or remove it (`sweep rm tiny --store "),
        "{}",
        refused.stderr
    );
    let listed = json(&env.sweep(&["trials", "tiny", "--format", "json"]).stdout);
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(6),
        "nothing stored changed"
    );
    std::fs::write(&data, original).unwrap();
    let restored = env.sweep(&["run", "tiny.yaml", "--extend", "1"]);
    assert_eq!(restored.code, 0, "{restored:?}");
}

#[test]
fn a_csv_with_missing_values_is_refused_at_the_cell_its_rows_left_out_or_its_cells_filled() {
    let env = TestEnv::new();
    let digits = tests::repo_root()
        .join("experiments")
        .join("data")
        .join("digits.csv");
    let text = std::fs::read_to_string(digits).unwrap();
    // Blank the first pixel of data row 3, mark the second of row 10 `NA`, blank row 20's label.
    let holed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(line, l)| match line {
            3 => l
                .split_once(',')
                .map_or(l.to_string(), |(_, rest)| format!(",{rest}")),
            10 => {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells[1] = "NA";
                cells.join(",")
            }
            20 => l
                .rsplit_once(',')
                .map_or(l.to_string(), |(rest, _)| format!("{rest},")),
            _ => l.to_string(),
        })
        .collect();
    let csv = env.path().join("holed.csv");
    std::fs::write(&csv, holed.join("\n") + "\n").unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    // Each rule its own experiment, named after it.
    let spec = |rule: &str, missing: &str| {
        TINY.replace("DATA/digits.csv", csv.to_str().unwrap())
            .replace("name: tiny", &format!("name: {rule}"))
            .replace("run_cap: 4", "run_cap: 1")
            .replace("target: digit}", &format!("target: digit{missing}}}"))
    };

    let refused = env.write_spec("refused.yaml", &spec("refused", ""));
    let out = env.sweep(&["validate", refused.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    let want = format!(
        "holed.csv: row 3 (line 4), column `{}`: the cell is empty, a missing value; \
         `data.missing: drop` leaves out rows with missing values, `mean` or `median` fills in \
         missing features",
        header[0]
    );
    assert!(out.stderr.contains(&want), "{}", out.stderr);

    let dropped = env.write_spec("dropped.yaml", &spec("dropped", ", missing: drop"));
    let out = env.sweep(&["validate", dropped.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("(3 rows with missing values left out)"),
        "{}",
        out.stdout
    );
    let out = env.sweep(&["run", dropped.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    let want = format!(
        "data: 3 rows with missing values left out in {} (data.missing: drop)",
        csv.display()
    );
    assert!(out.stderr.contains(&want), "{}", out.stderr);

    // Filled: only the row without a label is left out.
    let filled = env.write_spec("filled.yaml", &spec("filled", ", missing: median"));
    let out = env.sweep(&["validate", filled.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    let note = "1 row with a missing label left out, 2 missing cells filled with the training \
                split's median";
    assert!(out.stdout.contains(&format!("({note})")), "{}", out.stdout);
    let out = env.sweep(&["run", filled.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains(note), "{}", out.stderr);
    // The checkpoint fills missing cells of new rows the same way; the other model refuses them.
    let input = env.path().join("new.csv");
    std::fs::write(
        &input,
        [holed[0].as_str(), &holed[3], &holed[10]].join("\n") + "\n",
    )
    .unwrap();
    let out = env.sweep(&["predict", "filled/0", "--input", input.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    let out = env.sweep(&["predict", "dropped/0", "--input", input.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "the cell is empty, a missing value; this model was trained without filling missing \
             values"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn text_columns_are_refused_with_the_way_out_then_one_hot_encoded_for_training_and_prediction() {
    let env = TestEnv::new();
    let penguins = tests::repo_root().join("experiments/data/penguins.csv");
    let spec = |name: &str, data: &str| {
        env.write_spec(
            &format!("{name}.yaml"),
            &format!(
                "name: {name}\nseed: 1\nrun_cap: 1\nparallel: 1\n\
                 metric: {{name: val_accuracy}}\n\
                 data: {{csv: {}, target: species, missing: median{data}}}\n\
                 model: {{hidden: 8}}\ntrain: {{epochs: 2}}\n",
                penguins.display()
            ),
        )
    };
    let plain = spec("plain", "");
    let out = env.sweep(&["validate", plain.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "penguins.csv: row 1 (line 2), column `island`: expected a finite number, found \
             `Torgersen`; list `island` in `data.categorical` to one-hot encode its values, or \
             in `data.exclude` to leave it out"
        ),
        "{}",
        out.stderr
    );
    let mistyped = spec("mistyped", ", categorical: [island, sex], exclude: [yaer]");
    let out = env.sweep(&["validate", mistyped.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("mistyped.yaml:6:")
            && out.stderr.contains("data.exclude: no column `yaer`")
            && out.stderr.contains("did you mean `year`?"),
        "{}",
        out.stderr
    );

    let encoded = spec("encoded", ", categorical: [island, sex], exclude: [year]");
    let out = env.sweep(&["validate", encoded.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(
            "data: 9 features (with the categories of island: 3 (Biscoe, Dream, Torgersen), \
             sex: 2 (female, male)), classification, 3 \
             classes (Adelie, Chinstrap, Gentoo)"
        ) && out.stdout.contains(
            "8 missing cells filled with the training split's median, 11 missing \
                       categorical cells set no indicator"
        ),
        "{}",
        out.stdout
    );
    let out = env.sweep(&["run", encoded.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    // New rows as the file has them, `year` included, one from an island never seen.
    let input = env.path().join("new.csv");
    std::fs::write(
        &input,
        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n\
         ,Biscoe,47.5,14.2,215,4700,female,2009\n\
         ,Atlantis,39,18.5,185,3600,NA,2007\n",
    )
    .unwrap();
    let out = env.sweep(&["predict", "encoded/0", "--input", input.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("note: 1 cell holds a category the model did not see in training"),
        "{}",
        out.stderr
    );
    // A trial the experiment does not have is named as such, not as one without a checkpoint.
    let out = env.sweep(&["predict", "encoded/9", "--input", input.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("`encoded` has no trial 9: its "),
        "{}",
        out.stderr
    );
    // Checkpoints gone while the experiment stays (a `sweep rm` killed between the two) are
    // said as such, with the ways to mend it, not as a trial that kept none.
    std::fs::remove_dir_all(env.store().join("checkpoints/encoded")).unwrap();
    let out = env.sweep(&["predict", "encoded/0", "--input", input.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("the checkpoints of `encoded` are gone from .sweep")
            && out
                .stderr
                .contains("`sweep reproduce encoded/0 --store .sweep`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_semicolon_separated_file_is_read_as_such_for_training_and_prediction() {
    let env = TestEnv::new();
    let commas =
        std::fs::read_to_string(tests::repo_root().join("experiments/data/penguins.csv")).unwrap();
    let data = env.path().join("penguins.csv");
    std::fs::write(&data, commas.replace(',', ";")).unwrap();
    let spec = env.write_spec(
        "semi.yaml",
        &format!(
            "name: semi\nseed: 1\nrun_cap: 1\nparallel: 1\nmetric: {{name: val_accuracy}}\n\
             data: {{csv: {}, target: species, missing: median, categorical: [island, sex]}}\n\
             model: {{hidden: 8}}\ntrain: {{epochs: 2}}\n",
            data.display()
        ),
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(
            "10 features (with the categories of island: 3 (Biscoe, Dream, Torgersen), sex: 2"
        ) && out.stdout.contains("; separated by `;`"),
        "{}",
        out.stdout
    );
    let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    // New rows separated either way predict alike.
    let rows = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n\
                Biscoe,47.5,14.2,215,4700,female,2009\nDream,39,18.5,185,3600,male,2007\n";
    let mut predictions = Vec::new();
    for (name, text) in [
        ("new.csv", rows.to_string()),
        ("new2.csv", rows.replace(',', "\t")),
    ] {
        let input = env.path().join(name);
        std::fs::write(&input, text).unwrap();
        let out = env.sweep(&["predict", "semi/0", "--input", input.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
        predictions.push(out.stdout);
    }
    assert_eq!(predictions[0], predictions[1]);
    // Decimal commas, as such files often have, are named with the way out.
    let decimal: String = commas
        .lines()
        .map(|line| line.replace(',', ";").replace('.', ","))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&data, decimal).unwrap();
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "row 1 (line 2), column `bill_length_mm`: expected a finite number, found `39,1` \
             (write `39.1`: numbers are read with a decimal point, not a comma)"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn enqueued_trials_run_first_with_the_given_parameters() {
    let env = TestEnv::new();
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    let spec = env.write_spec(
        "queued.yaml",
        &format!(
            "name: queued\nseed: 2\nmethod: tpe\nrun_cap: 4\nparallel: 2\n\
             metric: {{name: val_accuracy}}\ndata: {{csv: {}, target: digit}}\n\
             train: {{epochs: 2}}\nparameters:\n\
             \x20 lr: {{distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}}\n\
             \x20 hidden: {{values: [16, 32]}}\n\
             \x20 regularization: {{values: [none, dropout]}}\n\
             \x20 dropout: {{min: 0.0, max: 0.5, when: {{regularization: [dropout]}}}}\n\
             enqueue:\n\
             \x20 - {{lr: 0.003, hidden: 32.0, regularization: dropout, dropout: 0.25}}\n\
             \x20 - {{lr: 0.01, hidden: 16, regularization: none}}\n\
             \x20 - {{hidden: 16, regularization: dropout}}\n",
            digits.display()
        ),
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("method tpe, 4 trials (the first 3 enqueued, 1 of them in part), 4 searched"),
        "{}",
        out.stdout
    );
    // The sampler's every setting, defaults included, as the block that sets them.
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("sampler: {n_startup_trials: ") && l.contains("gamma: 0.1")),
        "{}",
        out.stdout
    );
    let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = env.sweep(&["trials", "queued", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let trials: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let params = |i: usize| trials[i]["params"].clone();
    assert_eq!(
        params(0),
        serde_json::json!({"lr": 0.003, "hidden": 32, "regularization": "dropout", "dropout": 0.25})
    );
    assert_eq!(
        params(1),
        serde_json::json!({"lr": 0.01, "hidden": 16, "regularization": "none"})
    );
    // Given in part: the sampler chose `lr` and `dropout`, which exists where it is given.
    let third = params(2);
    assert_eq!(
        (&third["hidden"], &third["regularization"]),
        (&serde_json::json!(16), &serde_json::json!("dropout"))
    );
    assert!(
        third["lr"]
            .as_f64()
            .is_some_and(|lr| (1.0e-4..=1.0e-1).contains(&lr)),
        "{third}"
    );
    assert!(
        third["dropout"]
            .as_f64()
            .is_some_and(|d| (0.0..=0.5).contains(&d)),
        "{third}"
    );
    assert_ne!(params(3), params(0));
    // The exports say where each trial's parameters came from.
    let sources: Vec<&str> = (0..4)
        .map(|i| trials[i]["source"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        sources,
        ["enqueue[0]", "enqueue[1]", "enqueue[2], in part", "tpe"]
    );
    assert_eq!(trials.as_array().map(Vec::len), Some(4));
}

#[test]
fn a_sweep_ends_once_a_trial_reaches_the_target() {
    let env = TestEnv::new();
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    let spec = env.write_spec(
        "target.yaml",
        &format!(
            "name: target\nseed: 4\nmethod: random\nrun_cap: 12\nparallel: 2\n\
             metric: {{name: val_accuracy, target: 0.9}}\ndata: {{csv: {}, target: digit}}\n\
             train: {{epochs: 3}}\nparameters:\n\
             \x20 lr: {{distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}}\n\
             \x20 hidden: {{values: [32, 64]}}\n",
            digits.display()
        ),
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert!(
        out.stdout.contains(
            "objective val_accuracy (maximize; the sweep ends once a trial reaches ≥ 0.9)"
        ),
        "{out:?}"
    );
    let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    let out_again = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out_again.code, 0, "{out_again:?}");
    assert!(
        out_again.stdout.contains("; 0 run now"),
        "{}",
        out_again.stdout
    );
    assert!(
        out_again
            .stderr
            .contains("target: its target was reached by trial"),
        "{}",
        out_again.stderr
    );
    let trials = json(&env.sweep(&["trials", "target", "--format", "json"]).stdout);
    let trials = trials.as_array().cloned().unwrap_or_default();
    // The first trial at the target, and those already running beside it (one: two side by
    // side), are the sweep's last.
    let first = trials
        .iter()
        .position(|t| {
            t["state"] == "completed"
                && t["metrics"]["val_accuracy"]
                    .as_f64()
                    .is_some_and(|a| a >= 0.9)
        })
        .expect("a trial reaches 0.9");
    assert_eq!(trials.len(), first + 2, "{trials:?}");
    assert!(
        out.stdout.contains(&format!(
            "target val_accuracy ≥ 0.9 reached by trial {first}: the sweep ends there, {} planned trials not started",
            12 - trials.len()
        )),
        "{}",
        out.stdout
    );
    let listed = env.sweep(&["ls"]);
    assert!(listed.stdout.contains("target  finished"), "{listed:?}");
    // More trials would never start: --extend and a higher --run-cap are refused alike.
    for (more, how) in [
        (&["--extend", "3"][..], "`--extend`"),
        (&["--run-cap", "20"][..], "`--run-cap 20`"),
    ] {
        let mut args = vec!["run", spec.to_str().unwrap(), "--no-serve"];
        args.extend_from_slice(more);
        let refused = env.sweep(&args);
        assert_eq!(refused.code, 2, "{refused:?}");
        assert!(
            refused.stderr.contains(&format!(
                "reached its target: {how} would add trials that never start"
            )),
            "{}",
            refused.stderr
        );
    }
    let shown = env.sweep(&["show", "target"]);
    assert!(
        shown.stdout.contains(&format!(
            "target      val_accuracy ≥ 0.9, reached by trial {first}"
        )),
        "{}",
        shown.stdout
    );
    // The trials table says which trial reached it.
    let table = env.sweep(&["trials", "target"]);
    assert!(
        table.stdout.ends_with(&format!(
            "target val_accuracy ≥ 0.9, reached by trial {first}\n"
        )),
        "{}",
        table.stdout
    );
}

#[test]
fn a_sweep_ends_once_its_best_stops_improving() {
    let env = TestEnv::new();
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    let spec = env.write_spec(
        "flat.yaml",
        &format!(
            "name: flat\nseed: 4\nmethod: random\nrun_cap: 30\nparallel: 2\n\
             metric: {{name: val_accuracy}}\nplateau: {{patience: 3, min_delta: 0.01}}\n\
             data: {{csv: {}, target: digit}}\ntrain: {{epochs: 2}}\nparameters:\n\
             \x20 lr: {{distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}}\n\
             \x20 hidden: {{values: [8, 16, 32]}}\n",
            digits.display()
        ),
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert!(
        out.stdout.contains(
            "objective val_accuracy (maximize; the sweep ends once 3 trials in a row do not \
             improve the best by more than 0.01)"
        ),
        "{out:?}"
    );
    let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    let trials = json(&env.sweep(&["trials", "flat", "--format", "json"]).stdout);
    let values: Vec<f64> = trials
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| t["metrics"]["val_accuracy"].as_f64().unwrap_or(f64::NAN))
        .collect();
    // Recount the rule by hand: the trial that makes 3 in a row without a gain of 0.01 over the
    // best, then the one already running beside it, are the sweep's last.
    let (mut best, mut flat, mut reached, mut best_at) = (f64::NEG_INFINITY, 0, None, 0);
    for (i, v) in values.iter().enumerate() {
        if *v > best + 0.01 {
            (best, flat, best_at) = (*v, 0, i);
        } else {
            flat += 1;
            if flat == 3 {
                reached = Some(i);
                break;
            }
        }
    }
    let t = reached.expect("the plateau is reached");
    assert_eq!(values.len(), t + 2, "{values:?}");
    assert!(
        out.stdout.contains(&format!(
            "plateau: none of trials {} to {t} improved the best val_accuracy ({best:.4}, trial \
             {best_at}) by more than 0.01: the sweep ends there, {} planned trials not started",
            t - 2,
            30 - values.len()
        )),
        "{}",
        out.stdout
    );
    let again = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert!(
        again.stderr.contains(&format!(
            "flat: its best stopped improving (`plateau:`), up to trial {t} (a longer patience \
             is another experiment: give it a new `name:`); nothing to run"
        )),
        "{}",
        again.stderr
    );
    let shown = env.sweep(&["show", "flat"]);
    assert!(
        shown.stdout.contains(&format!(
            "plateau     3 trials without improving by more than 0.01: reached at trial {t} \
             (the best: trial {best_at}, {best:.4})"
        )),
        "{}",
        shown.stdout
    );
    assert!(env.sweep(&["ls"]).stdout.contains("flat  finished"));
}

/// A W&B sweep file may use every distribution W&B names; each sampler draws from them all, and
/// the draws keep their laws' ranges and steps.
#[test]
fn every_w_and_b_distribution_runs_under_every_sampler() {
    let env = TestEnv::new();
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    for method in ["random", "sobol", "tpe", "bayes", "cmaes"] {
        let spec = env.write_spec(
            &format!("wb-{method}.yaml"),
            &format!(
                "name: wb-{method}\nseed: 5\nmethod: {method}\nrun_cap: 8\nparallel: 2\n\
                 metric: {{name: val_accuracy, goal: maximize}}\n\
                 data: {{csv: {}, target: digit}}\ntrain: {{epochs: 1}}\nparameters:\n\
                 \x20 lr: {{distribution: inv_log_uniform, min: 2.3, max: 6.9}}\n\
                 \x20 l2: {{distribution: inv_log_uniform_values, min: 1.0e-6, max: 1.0e-2}}\n\
                 \x20 hidden: {{distribution: q_log_normal, mu: 3.5, sigma: 0.5, q: 8}}\n\
                 \x20 depth: {{distribution: q_normal, mu: 2, sigma: 0.4}}\n\
                 \x20 batch_size: {{distribution: q_log_uniform, min: 3.0, max: 5.0, q: 16}}\n\
                 \x20 dropout: {{distribution: beta, a: 2, b: 6}}\n\
                 \x20 momentum: {{distribution: q_beta, a: 5, b: 2, q: 0.05}}\n\
                 \x20 optimizer: {{values: [sgd, adam]}}\n",
                digits.display()
            ),
        );
        let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
        assert_eq!(out.code, 0, "{method}: {out:?}");
        let out = env.sweep(&["trials", &format!("wb-{method}"), "--format", "json"]);
        assert_eq!(out.code, 0, "{out:?}");
        let trials: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let trials = trials.as_array().unwrap();
        assert_eq!(trials.len(), 8, "{method}");
        for t in trials {
            assert_eq!(t["state"], "completed", "{method}: {t}");
            let p = &t["params"];
            let f = |k: &str| p[k].as_f64().unwrap();
            let whole = |k: &str| p[k].as_i64().unwrap();
            assert!(
                ((-6.9f64).exp()..=(-2.3f64).exp()).contains(&f("lr")),
                "{t}"
            );
            assert!((1.0e-6..=1.0e-2 * (1.0 + 1e-9)).contains(&f("l2")), "{t}");
            assert_eq!(whole("hidden") % 8, 0, "{t}");
            assert!(whole("depth") >= 0, "{t}");
            let batch = whole("batch_size");
            assert!(batch % 16 == 0 && (16..=144).contains(&batch), "{t}");
            assert!((0.0..=1.0).contains(&f("dropout")), "{t}");
            let momentum = f("momentum");
            assert!((0.0..=1.0).contains(&momentum), "{t}");
            assert_eq!(momentum, (momentum * 20.0).round() / 20.0, "{t}");
        }
    }
}

#[test]
fn a_constrained_sweep_never_picks_a_trial_that_breaks_its_constraint() {
    let env = TestEnv::new();
    // 64 inputs and 10 classes: 16 hidden units make 1,210 trained values, 64 make 4,810.
    let text = TINY
        .replace("hidden: {values: [16, 32]}", "hidden: {values: [16, 64]}")
        .replace("run_cap: 4", "run_cap: 6")
        .replace(
            "method: random",
            "method: tpe\nsampler: {n_startup_trials: 2}",
        )
        + "constraints:\n  param_count: {max: 2000}\n";
    let spec = env.write_spec("tiny.yaml", &text);
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let store = Store::open(&env.store()).unwrap();
    let trials = store.trials("tiny").unwrap();
    drop(store);
    for t in &trials {
        let size = t.value("param_count").unwrap();
        let hidden = t.params["hidden"].as_f64().unwrap();
        let expected = if hidden == 16.0 { 1210.0 } else { 4810.0 };
        assert_eq!(size, expected, "trial {}", t.id);
    }
    assert!(
        trials
            .iter()
            .any(|t| t.value("param_count") == Some(4810.0)),
        "some trial breaks the constraint: {trials:?}"
    );
    // A model too large can never meet the constraint: it stops after its first epoch.
    for t in trials
        .iter()
        .filter(|t| t.value("param_count") == Some(4810.0))
    {
        assert_eq!(t.state, TrialState::Pruned, "{t:?}");
        assert_eq!(
            t.reason.as_deref(),
            Some("breaks the constraint param_count ≤ 2000, which no epoch changes")
        );
        assert_eq!(t.result.as_ref().map(|r| r.best_step.0), Some(1), "{t:?}");
    }
    // The best trial, the one measured on the test split, meets the constraint.
    let best = run
        .stdout
        .lines()
        .find(|l| l.starts_with("best: trial"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let best_id: u32 = best
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{best}"));
    let best_trial = trials.iter().find(|t| t.id.0 == best_id).unwrap();
    assert_eq!(best_trial.value("param_count"), Some(1210.0), "{best}");
    // Tables show the constrained metric, mark the trials that break it, and say why they
    // rank after the others.
    let listed = env.sweep(&["trials", "tiny"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(
        listed
            .stdout
            .lines()
            .next()
            .is_some_and(|h| h.contains("param_count")),
        "{}",
        listed.stdout
    );
    assert!(listed.stdout.contains(" 4810! "), "{}", listed.stdout);
    assert!(
        listed.stdout.contains(
            "! breaks a constraint (param_count ≤ 2000): such a trial ranks after every trial \
             that meets them and is never the best"
        ),
        "{}",
        listed.stdout
    );
    let ranks: Vec<(u32, f64)> = listed
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let rank = cells.first()?.parse().ok()?;
            let size = cells.get(5)?.trim_end_matches('!').parse().ok()?;
            Some((rank, size))
        })
        .collect();
    // Exports say which trials meet the constraints.
    let csv = env.sweep(&["trials", "tiny", "--format", "csv"]);
    assert!(
        csv.stdout.starts_with(
            "trial,state,reason,seed,best_epoch,epochs_trained,source,feasible,param."
        ),
        "{}",
        csv.stdout
    );
    let json = json(&env.sweep(&["trials", "tiny", "--format", "json"]).stdout);
    for t in json.as_array().unwrap() {
        let size = t["metrics"]["param_count"].as_f64();
        assert_eq!(t["feasible"].as_bool(), Some(size == Some(1210.0)), "{t}");
    }
    let show = env.sweep(&["show", "tiny"]);
    let met = trials
        .iter()
        .filter(|t| t.value("param_count") == Some(1210.0))
        .count();
    assert!(
        show.stdout.contains(&format!(
            "constraints param_count ≤ 2000 ({met} of 6 trials meet them)"
        )),
        "{}",
        show.stdout
    );
    // A constraint no model meets: every trial stops after one epoch, and the run says why
    // there is no best trial.
    let impossible = env.write_spec(
        "none.yaml",
        &text
            .replace("name: tiny", "name: none-fits")
            .replace("{max: 2000}", "{max: 10}"),
    );
    let none = env.sweep(&["run", impossible.to_str().unwrap()]);
    assert_eq!(none.code, 0, "{none:?}");
    assert!(
        none.stdout.contains(
            "no best trial: no completed trial meets the constraints, param_count ≤ 10 \
             (0 of 6 trials meet them)"
        ),
        "{}",
        none.stdout
    );
    let worst_feasible = ranks
        .iter()
        .filter(|(_, s)| *s < 2000.0)
        .map(|(r, _)| *r)
        .max();
    let best_infeasible = ranks
        .iter()
        .filter(|(_, s)| *s > 2000.0)
        .map(|(r, _)| *r)
        .min();
    // Both kinds are among the trials (an Option's None would compare below any rank).
    assert!(
        matches!((worst_feasible, best_infeasible), (Some(w), Some(b)) if w < b),
        "feasible trials rank first: {}",
        listed.stdout
    );
}

#[test]
fn a_sweep_with_two_objectives_ends_with_its_pareto_front() {
    let env = TestEnv::new();
    // Accuracy against size: 8, 16 or 64 hidden units (610, 1,210 and 4,810 trained values).
    let text = TINY
        .replace("hidden: {values: [16, 32]}", "hidden: {values: [8, 16, 64]}")
        .replace("run_cap: 4", "run_cap: 8\ncheckpoints: {keep: 1}")
        .replace(
            "method: random",
            "method: tpe\nsampler: {n_startup_trials: 3}",
        )
        .replace(
            "metric: {name: val_accuracy, goal: maximize}",
            "metric:\n  - {name: val_accuracy, goal: maximize}\n  - {name: param_count, goal: minimize}",
        );
    let spec = env.write_spec("tiny.yaml", &text);
    let validate = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert!(
        validate
            .stdout
            .contains("objectives val_accuracy (maximize), param_count (minimize): a Pareto front"),
        "{validate:?}"
    );
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let store = Store::open(&env.store()).unwrap();
    let trials = store.trials("tiny").unwrap();
    drop(store);
    // The front, recomputed here: completed trials no other beats on both objectives.
    let beats = |a: &experiment::Trial, b: &experiment::Trial| {
        let both = |t: &experiment::Trial| {
            (
                t.value("val_accuracy").unwrap(),
                t.value("param_count").unwrap(),
            )
        };
        let ((a1, a2), (b1, b2)) = (both(a), both(b));
        a1 >= b1 && a2 <= b2 && (a1 > b1 || a2 < b2)
    };
    let completed: Vec<&experiment::Trial> = trials
        .iter()
        .filter(|t| t.state == TrialState::Completed)
        .collect();
    assert_eq!(completed.len(), 8);
    let mut front: Vec<u32> = completed
        .iter()
        .filter(|t| !completed.iter().any(|o| beats(o, t)))
        .map(|t| t.id.0)
        .collect();
    front.sort_unstable();
    let listed: Vec<String> = front.iter().map(u32::to_string).collect();
    let said = format!(
        "{} trial{}: {}",
        front.len(),
        if front.len() == 1 { "" } else { "s" },
        listed.join(", ")
    );
    assert!(
        run.stdout.contains(&format!("Pareto front: {said}")),
        "{said}\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("best by val_accuracy on the front: trial "),
        "{}",
        run.stdout
    );
    // Every progress line carries both objectives.
    assert!(
        run.stderr
            .lines()
            .filter(|l| l.contains(" completed "))
            .all(|l| l.contains(" param_count ")),
        "{}",
        run.stderr
    );
    let show = env.sweep(&["show", "tiny"]);
    assert!(
        show.stdout
            .contains("objectives  val_accuracy (maximize), param_count (minimize)"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains(&format!("front       {said}")),
        "{}",
        show.stdout
    );
    // Importance for each objective, once there are trials enough.
    assert!(
        show.stdout.contains(
            "importance  by val_accuracy: - (measured from 10 completed or pruned trials on)\n            by param_count: -"
        ),
        "{}",
        show.stdout
    );
    // Checkpoints: the best by accuracy (the lowest number among ties) and every trial on
    // the front, so that any model picked from it can predict.
    let best = completed
        .iter()
        .map(|t| t.value("val_accuracy").unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    let mut kept_expected = front.clone();
    let top = completed
        .iter()
        .filter(|t| t.value("val_accuracy") == Some(best))
        .map(|t| t.id.0)
        .min()
        .unwrap();
    if !kept_expected.contains(&top) {
        kept_expected.push(top);
    }
    kept_expected.sort_unstable();
    let mut kept: Vec<u32> = std::fs::read_dir(env.store().join("checkpoints").join("tiny"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json")?.parse().ok()
        })
        .collect();
    kept.sort_unstable();
    assert_eq!(kept, kept_expected, "front {front:?}");
    assert!(kept.len() >= 2, "a front of one says nothing: {kept:?}");
    // A front trial that only the front keeps (the best by accuracy always had its own).
    let picked = front.iter().copied().find(|&t| t != top).unwrap();
    let input = env.path().join("two-rows.csv");
    let digits = std::fs::read_to_string(repo_root().join("experiments/data/digits.csv")).unwrap();
    let rows: Vec<&str> = digits.lines().take(3).collect();
    std::fs::write(&input, rows.join("\n") + "\n").unwrap();
    let predicted = env.sweep(&[
        "predict",
        &format!("tiny/{picked}"),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(predicted.code, 0, "{predicted:?}");
    assert_eq!(predicted.stdout.lines().count(), 3, "{}", predicted.stdout);
    // The table ranks the front first and has a column for the second objective.
    let table = env.sweep(&["trials", "tiny"]);
    let mut lines = table.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header[..6],
        [
            "rank",
            "trial",
            "state",
            "val_accuracy",
            "epoch",
            "param_count"
        ]
    );
    let mut first: Vec<u32> = lines
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let rank: usize = cells.first()?.parse().ok()?;
            (rank <= front.len()).then(|| cells[1].parse().ok())?
        })
        .collect();
    first.sort_unstable();
    assert_eq!(first, front, "{}", table.stdout);
    assert!(
        table.stdout.contains(&format!(
            "ranks 1 to {}: the Pareto front (no other trial is as good on every objective and \
             better on one)",
            front.len()
        )),
        "{}",
        table.stdout
    );
    // Exports say which trials are on the front, judged over every trial even when a filter
    // keeps some.
    let exported = json(&env.sweep(&["trials", "tiny", "--format", "json"]).stdout);
    for t in exported.as_array().unwrap() {
        let id = u32::try_from(t["trial"].as_u64().unwrap()).unwrap();
        assert_eq!(t["pareto"].as_bool(), Some(front.contains(&id)), "{t}");
    }
    let on = front[0];
    let one = env.sweep(&[
        "export",
        "tiny",
        "--format",
        "csv",
        "--filter",
        &format!("trial = {on}"),
    ]);
    assert_eq!(one.code, 0, "{one:?}");
    let mut csv = one.stdout.lines();
    let header: Vec<&str> = csv.next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "pareto").unwrap();
    assert_eq!(row[at], "true", "{}", one.stdout);
    // `sweep show` says it: the summary's leaderboard, a trial's card, trials side by side.
    let show = env.sweep(&["show", "tiny"]);
    assert!(show.stdout.contains("ranks 1 to "), "{}", show.stdout);
    let card = env.sweep(&["show", &format!("tiny/{on}")]);
    assert!(
        card.stdout.contains(&format!(
            "front       on it, one of {} trials\n",
            front.len()
        )),
        "{}",
        card.stdout
    );
    // The seed is fixed: some trial is off the front, so the pair is always compared.
    let off = (0..8)
        .find(|t| !front.contains(t))
        .unwrap_or_else(|| panic!("every trial is on the front: {front:?}"));
    let pair = env.sweep(&["show", &format!("tiny/{on}"), &format!("tiny/{off}")]);
    let row = pair
        .stdout
        .lines()
        .find(|l| l.starts_with("Pareto front"))
        .unwrap_or_else(|| panic!("no front row:\n{}", pair.stdout));
    assert!(row.contains("on it") && row.contains("off"), "{row}");
    // What a study with several objectives refuses.
    let pruned = env.write_spec(
        "pruned.yaml",
        &(text.replace("name: tiny", "name: pruned") + "pruner: {type: median}\n"),
    );
    let refused = env.sweep(&["validate", pruned.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("pruner: no pruner with several objectives"),
        "{}",
        refused.stderr
    );
}

#[test]
fn trials_and_exports_filter_as_mlflow_searches_runs() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let all = json(&env.sweep(&["trials", "tiny", "--format", "json"]).stdout);
    let all = all.as_array().unwrap();
    let expected = |keep: &dyn Fn(&serde_json::Value) -> bool| -> Vec<u64> {
        all.iter()
            .filter(|t| keep(t))
            .map(|t| t["trial"].as_u64().unwrap())
            .collect()
    };
    let median = {
        let mut v: Vec<f64> = all
            .iter()
            .map(|t| t["metrics"]["val_accuracy"].as_f64().unwrap())
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let filter = format!("metrics.val_accuracy >= {median} AND params.hidden = 16");
    let want = expected(&|t| {
        t["metrics"]["val_accuracy"].as_f64().unwrap() >= median && t["params"]["hidden"] == 16
    });
    let got = json(
        &env.sweep(&["trials", "tiny", "--format", "json", "--filter", &filter])
            .stdout,
    );
    let got: Vec<u64> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trial"].as_u64().unwrap())
        .collect();
    assert_eq!(got, want, "{filter}");
    // The table keeps every trial's rank among all of them.
    let table = env.sweep(&["trials", "tiny", "--filter", "trial = 3"]);
    let full = env.sweep(&["trials", "tiny"]);
    let row = |text: &str| {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some("3"))
            .map(str::to_string)
    };
    assert_eq!(row(&table.stdout), row(&full.stdout), "{}", table.stdout);
    assert_eq!(table.stdout.lines().count(), 2, "{}", table.stdout);
    let none = env.sweep(&["trials", "tiny", "--filter", "state = failed"]);
    assert_eq!(none.stdout.trim(), "no trial of 4 meets the filter");
    // Sorted as the dashboard's leaderboard sorts, the table and JSON alike.
    let ids = |args: &[&str]| -> Vec<u64> {
        let mut all = vec!["trials", "tiny", "--format", "json"];
        all.extend(args);
        let listed = json(&env.sweep(&all).stdout);
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["trial"].as_u64().unwrap())
            .collect()
    };
    let mut by_loss: Vec<(f64, u64)> = all
        .iter()
        .map(|t| {
            let loss = t["metrics"]["val_loss"].as_f64().unwrap();
            (loss, t["trial"].as_u64().unwrap())
        })
        .collect();
    by_loss.sort_by(|a, b| a.0.total_cmp(&b.0));
    let ascending: Vec<u64> = by_loss.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids(&["--sort", "metric.val_loss"]), ascending);
    let descending: Vec<u64> = ascending.iter().rev().copied().collect();
    assert_eq!(ids(&["--sort", "metric.val_loss", "--desc"]), descending);
    let table = env.sweep(&["trials", "tiny", "--sort", "metric.val_loss", "--desc"]);
    let first = table.stdout.lines().nth(1).unwrap_or_default().to_string();
    assert_eq!(
        first.split_whitespace().nth(1),
        Some(descending[0].to_string().as_str())
    );
    let bad = env.sweep(&["trials", "tiny", "--sort", "loss"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr
            .contains("use rank, trial, state, epoch, duration, param.NAME or metric.NAME"),
        "{}",
        bad.stderr
    );
    // A column the experiment lacks is refused, not ignored.
    let misspelt = env.sweep(&["trials", "tiny", "--sort", "metric.val_los"]);
    assert_eq!(misspelt.code, 2, "{misspelt:?}");
    assert!(
        misspelt.stderr.contains(
            "--sort metric.val_los: the experiment has no metric `val_los`; did you mean \
             `val_loss`?"
        ),
        "{}",
        misspelt.stderr
    );
    // Exports filter the same way, curves included.
    let series = env.sweep(&[
        "export",
        "tiny",
        "--format",
        "csv",
        "--series",
        "--filter",
        "trial = 1",
    ]);
    assert_eq!(series.code, 0, "{series:?}");
    assert!(
        series
            .stdout
            .lines()
            .skip(1)
            .all(|l| l.starts_with("tiny,1,")),
        "{}",
        series.stdout
    );
    // Mistakes say where they are and what was meant.
    for (filter, message) in [
        ("metric.val_acc > 0.9", "error: --filter: column 1: the experiment has no metric `val_acc`; did you mean `val_accuracy`? its metrics: epoch_seconds, param_count, train_loss, val_accuracy, val_f1, val_loss"),
        ("trial > 1 and param.lrr < 0.01", "error: --filter: column 15: the experiment has no parameter `lrr`; did you mean `lr`? its parameters: dropout, hidden, lr"),
        ("metric.val_loss => 1", "column 17: `=>` is written `>=`"),
    ] {
        for command in [&["trials", "tiny"][..], &["export", "tiny", "--format", "csv"][..]] {
            let mut args = command.to_vec();
            args.extend(["--filter", filter]);
            let out = env.sweep(&args);
            assert_eq!(out.code, 2, "{out:?}");
            assert!(out.stderr.contains(message), "{filter}: {}", out.stderr);
        }
    }
}

#[test]
fn a_sampler_that_would_learn_nothing_within_the_run_cap_is_noted() {
    let env = TestEnv::new();
    let nsga2 = env.write_spec(
        "nsga2.yaml",
        &TINY.replace("method: random", "method: nsga2"),
    );
    let out = env.sweep(&["validate", nsga2.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(
            "note: `nsga2` learns from trial 50 on (`sampler.population_size: 50`), and the \
             study has 4 trials: every one is drawn at random"
        ),
        "{}",
        out.stdout
    );
    // The run says so before it starts, and runs as asked; enough trials say nothing.
    let tpe = env.write_spec("tpe.yaml", &TINY.replace("method: random", "method: tpe"));
    let run = env.sweep(&["run", tpe.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("note: `tpe` learns from trial 5 on (`sampler.n_startup_trials: 5`)"),
        "{}",
        run.stderr
    );
    let random = env.write_spec("random.yaml", TINY);
    let out = env.sweep(&["validate", random.to_str().unwrap()]);
    assert!(!out.stdout.contains("note:"), "{}", out.stdout);
}

#[test]
fn a_searched_knob_that_does_nothing_and_a_pruner_that_stops_nothing_are_noted() {
    let env = TestEnv::new();
    // Adam by default: the searched momentum never acts.
    let text = format!("{TINY}  momentum: {{min: 0.5, max: 0.99}}\n");
    let file = env.write_spec("idle.yaml", &text);
    let said = "note: `momentum` is searched but does nothing in any trial: only `optimizer: sgd` \
                uses it, and `optimizer` is adam (its default)";
    let out = env.sweep(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(said), "{}", out.stdout);
    let run = env.sweep(&[
        "run",
        file.to_str().unwrap(),
        "--no-serve",
        "--run-cap",
        "1",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(said), "{}", run.stderr);
    // Under a `when:` on the searched optimizer it acts in every trial it exists in.
    let text = format!(
        "{TINY}  optimizer: {{values: [sgd, adam]}}\n  momentum: {{min: 0.5, max: 0.99, when: \
         {{optimizer: [sgd]}}}}\n"
    );
    let file = env.write_spec("when.yaml", &text);
    let out = env.sweep(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("does nothing"), "{}", out.stdout);
    // So is a pruner whose first rung is the last of the 3 epochs.
    let text = format!("{TINY}pruner: {{type: asha, min_resource: 3}}\n");
    let file = env.write_spec("late.yaml", &text);
    let out = env.sweep(&["validate", file.to_str().unwrap()]);
    assert!(
        out.stdout.contains(
            "note: the pruner stops no trial early: its first rung is at epoch 3 \
             (`min_resource`), and a trial trains at most 3; lower `min_resource`"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn issue_a_tpe_sweep_within_its_startup_trials_does_not_depend_on_parallel() {
    // 2 trials, within tpe's 5 startup trials: both drawn without learning, alike with any
    // number side by side, so no note says that what `tpe` finds depends on it.
    let env = TestEnv::new();
    let text = TINY
        .replace("parallel: 2\n", "")
        .replace("run_cap: 4", "run_cap: 2")
        .replace("method: random", "method: tpe");
    let file = env.write_spec("startup.yaml", &text);
    let path = file.to_str().unwrap();
    let validated = env.sweep(&["validate", path]);
    assert_eq!(validated.code, 0, "{validated:?}");
    assert!(
        !validated.stdout.contains("`parallel:` is not set"),
        "{}",
        validated.stdout
    );
    // And it is so: one at a time or two side by side draw the same trials.
    let params = |store: &str, parallel: &str| {
        let run = env.sweep(&[
            "run",
            path,
            "--no-serve",
            "--store",
            store,
            "--parallel",
            parallel,
        ]);
        assert_eq!(run.code, 0, "{run:?}");
        let listed = env.sweep(&["trials", "tiny", "--store", store, "--format", "json"]);
        let trials = json(&listed.stdout);
        let all = trials.as_array().unwrap().iter();
        all.map(|t| t["params"].clone()).collect::<Vec<_>>()
    };
    let one = params("one", "1");
    assert_eq!(one.len(), 2, "{one:?}");
    assert_eq!(one, params("two", "2"));
}

#[test]
fn a_resumed_sweep_keeps_the_trials_side_by_side_it_started_with() {
    let env = TestEnv::new();
    // 8 trials: past tpe's 5 startup trials, from which on the trials learn.
    let text = TINY
        .replace("parallel: 2\n", "")
        .replace("run_cap: 4", "run_cap: 8")
        .replace("method: random", "method: tpe");
    let file = env.write_spec("par.yaml", &text);
    let path = file.to_str().unwrap();
    let validated = env.sweep(&["validate", path]);
    assert!(
        validated
            .stdout
            .contains("note: `parallel:` is not set, so a run takes one trial per core"),
        "{}",
        validated.stdout
    );
    let first = env.sweep(&["run", path, "--parallel", "1", "--run-cap", "1"]);
    assert_eq!(first.code, 0, "{first:?}");
    // Without `parallel:` or --parallel, the rest runs as the first run did, not one per core.
    // (Its one trial finished, a higher --run-cap extends it, to a plan past tpe's 5 startup
    // trials: the trials this run plans decide whether the number side by side matters.)
    let resumed = env.sweep(&["run", path, "--run-cap", "6"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed.stderr.contains(
            "extending tiny by 5 trials, trials 1 to 5 (1 already finished), 1 side by side"
        ),
        "{}",
        resumed.stderr
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(
        resumed
            .stderr
            .contains("note: resuming `tiny` with one trial at a time, as it started"),
        cores != 1,
        "{}",
        resumed.stderr
    );
    // Another number is taken, and noted: TPE's results depend on it.
    let other = env.sweep(&["run", path, "--run-cap", "8", "--parallel", "2"]);
    assert_eq!(other.code, 0, "{other:?}");
    assert!(
        other.stderr.contains(
            "note: `tiny` started with one trial at a time and goes on with 2 trials side by \
             side: the trials from here on see other trials before them"
        ),
        "{}",
        other.stderr
    );
    assert!(other.stderr.contains("2 side by side"), "{}", other.stderr);
    // The file edited to say so is another spec: refused, with no note before that says it
    // goes on.
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, format!("{text}parallel: 3\n")).unwrap();
    let edited = env.sweep(&["run", path, "--run-cap", "9"]);
    assert_eq!(edited.code, 2, "{edited:?}");
    assert!(
        edited.stderr.contains("+ parallel: 3") && !edited.stderr.contains("goes on with"),
        "{}",
        edited.stderr
    );
    std::fs::write(path, text).unwrap();
    // A file that says `parallel: 2`, run first with --parallel 1 past tpe's 5 startup trials
    // (trial 5 saw the 5 before it; with 2 it would have seen 4) and resumed as written: the
    // other number is noted.
    let two = env.write_spec(
        "two.yaml",
        &TINY
            .replace("method: random", "method: tpe")
            .replace("run_cap: 4", "run_cap: 8")
            .replace("name: tiny", "name: two"),
    );
    let two = two.to_str().unwrap();
    let first = env.sweep(&["run", two, "--parallel", "1", "--run-cap", "6"]);
    assert_eq!(first.code, 0, "{first:?}");
    let resumed = env.sweep(&["run", two, "--run-cap", "8"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed
            .stderr
            .contains("note: `two` started with one trial at a time and goes on with 2 trials"),
        "{}",
        resumed.stderr
    );
    let shown = env.sweep(&["show", "tiny"]);
    // The record says what the first run used, the number its trials were drawn with.
    assert!(
        shown.stdout.contains("; one trial at a time"),
        "{}",
        shown.stdout
    );
    // Random search draws the same whatever runs beside it: it resumes with one per core.
    let random = env.write_spec(
        "random.yaml",
        &TINY
            .replace("parallel: 2\n", "")
            .replace("name: tiny", "name: tiny-random"),
    );
    let path = random.to_str().unwrap();
    assert_eq!(
        env.sweep(&["run", path, "--parallel", "1", "--run-cap", "1"])
            .code,
        0
    );
    let resumed = env.sweep(&["run", path, "--run-cap", "3"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(!resumed.stderr.contains("note:"), "{}", resumed.stderr);
    let at_once = cores.min(2);
    assert!(
        resumed.stderr.contains(&format!(
            "extending tiny-random by 2 trials, trials 1 to 2 (1 already finished), {at_once} \
             side by side"
        )),
        "{}",
        resumed.stderr
    );
}

#[test]
fn an_experiment_file_that_is_not_text_or_too_large_is_refused_at_once() {
    let env = TestEnv::new();
    let file = env.path().join("latin1.yaml");
    std::fs::write(&file, b"name: t\ndescription: caf\xe9\n").unwrap();
    let out = env.sweep(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("latin1.yaml:2:17: byte 0xE9 is not UTF-8 text; save the file as UTF-8"),
        "{}",
        out.stderr
    );
    // A device that never ends is not read into memory.
    let out = env.sweep(&["validate", "/dev/zero"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("/dev/zero: more than 4 MiB"),
        "{}",
        out.stderr
    );
}

/// A busy port gets advice that fits the command: `sweep serve` has no `--no-serve`.
#[test]
fn issue_a_busy_port_gets_advice_that_fits_the_command() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let spec = spec.to_str().unwrap();
    assert_eq!(env.sweep(&["run", spec, "--no-serve"]).code, 0);
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let serve = env.sweep(&["serve", "--port", &port]);
    // Busy, as a busy store is: try again later (75), not bad input (2).
    assert_eq!(serve.code, 75, "{serve:?}");
    assert!(
        serve.stderr.contains("pick another --port") && !serve.stderr.contains("--no-serve"),
        "{}",
        serve.stderr
    );
    let run = env.sweep(&["run", spec, "--port", &port]);
    assert_eq!(run.code, 75, "{run:?}");
    assert!(
        run.stderr.contains("pick another --port")
            && run
                .stderr
                .contains("or pass --no-serve to run the sweep without it"),
        "{}",
        run.stderr
    );
}

#[test]
fn environment_variables_that_cannot_be_read_are_said_so() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let spec = spec.to_str().unwrap();
    assert_eq!(env.sweep(&["run", spec, "--no-serve"]).code, 0);
    // An address that is not text: refused, not served on the default.
    let out: Output = env
        .command(&["serve"])
        .env("SWEEP_ADDR", std::ffi::OsStr::from_bytes(b"127.0.0.1:\xff"))
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("SWEEP_ADDR is not UTF-8 text"),
        "{}",
        out.stderr
    );
    // A log filter that does not parse: warned of, and the command runs.
    let out: Output = env
        .command(&["ls"])
        .env("RUST_LOG", "[{")
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("warning: RUST_LOG `[{` is not a log filter"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_experiment_is_answered_with_a_close_name_and_a_short_list() {
    let env = TestEnv::new();
    for k in 0..22 {
        let yaml = TINY
            .replace("name: tiny", &format!("name: proj-{k:03}"))
            .replace("run_cap: 4", "run_cap: 1")
            .replace("epochs: 3", "epochs: 1");
        let spec = env.write_spec(&format!("p{k}.yaml"), &yaml);
        let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
        assert_eq!(out.code, 0, "{out:?}");
    }
    let out = env.sweep(&["show", "proj-01"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("no experiment named `proj-01`; did you mean `proj-001`?"),
        "{}",
        out.stderr
    );
    // Twenty names, then where the rest are: not all twenty-two in one line.
    assert!(
        out.stderr
            .contains("proj-019, ... (22 in all: `sweep ls` of this store lists them)")
            && !out.stderr.contains("proj-021"),
        "{}",
        out.stderr
    );
}

#[test]
fn issue_a_warm_start_file_that_gives_nothing_is_refused_at_the_spec_line() {
    let env = TestEnv::new();
    let warm = TINY.replace("method: random", "method: tpe") + "warm_start: {csv: past.csv}\n";
    let spec = env.write_spec("warm.yaml", &warm);
    let path = env.path().join("past.csv");
    // Validates the spec with `csv` as its file of results: refused, as every case below is.
    let refused_with = |csv: &str| {
        std::fs::write(&path, csv).unwrap();
        let refused = env.sweep(&["validate", spec.to_str().unwrap()]);
        assert_eq!(refused.code, 2, "{refused:?}");
        refused
    };
    // `lr` renamed: said once for the file, with the column it may be, not once per row.
    let refused = refused_with(
        "learning_rate,hidden,dropout,val_accuracy\n0.005,16,0.05,0.9\n0.002,32,0.1,0.8\n",
    );
    assert!(
        refused
            .stderr
            .contains("past.csv: no column for the parameter `lr`, which every trial")
            && refused
                .stderr
                .contains("the header has `learning_rate`, which may be it renamed")
            && refused.stderr.contains("warm.yaml:13:19"),
        "{}",
        refused.stderr
    );
    // Every row left out: refused too, with the first reasons.
    let refused =
        refused_with("lr,hidden,dropout,val_accuracy\n0.5,16,0.05,0.9\n0.002,64,0.1,0.8\n");
    assert!(
        refused
            .stderr
            .contains("past.csv: none of its rows can be taken: 2 left out (line 2: `lr` = 0.5")
            && refused.stderr.contains("warm.yaml:13:19"),
        "{}",
        refused.stderr
    );
    // `sweep export --series` writes curves, not a row per trial.
    let refused = refused_with("experiment,trial,metric,step,value\ntiny,0,val_accuracy,1,0.5\n");
    assert!(
        refused.stderr.contains("past.csv: this is curve data")
            && refused
                .stderr
                .contains("`sweep export EXPERIMENT --format csv`"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_run_that_fails_before_anything_is_stored_leaves_no_store_behind() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let spec = spec.to_str().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = env.sweep(&["run", spec, "--store", "fresh", "--port", &port]);
    // A busy port: try again later.
    assert_eq!(out.code, 75, "{out:?}");
    assert!(
        !env.path().join("fresh").exists(),
        "an empty store was left"
    );
    // `--extend` of an experiment the new store does not hold: the same.
    let out = env.sweep(&[
        "run",
        spec,
        "--store",
        "fresh",
        "--extend",
        "2",
        "--no-serve",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!env.path().join("fresh").exists());
    // A store that held something, or was there before, stays.
    assert_eq!(
        env.sweep(&["run", spec, "--store", "kept", "--no-serve"])
            .code,
        0
    );
    let out = env.sweep(&[
        "run",
        spec,
        "--store",
        "kept",
        "--port",
        &port,
        "--run-cap",
        "6",
    ]);
    assert_eq!(out.code, 75, "{out:?}");
    assert!(env.path().join("kept/db").is_file());
}

#[test]
fn validate_says_when_a_fixed_model_is_past_what_the_trainer_builds() {
    let env = TestEnv::new();
    let big = TINY.replace(
        "train: {epochs: 3, batch_size: 64}",
        "train: {epochs: 3, batch_size: 64}\nmodel: {kind: mlp, hidden: 65536, depth: 2}",
    );
    let big = big.replace("  hidden: {values: [16, 32]}\n", "");
    let spec = env.write_spec("big.yaml", &big);
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(
            "note: every trial will fail at its start: the model would have 4299948042 trained \
             values"
        ),
        "{}",
        out.stdout
    );
    // Searched, some trials may be small enough: nothing said.
    let spec = env.write_spec("tiny.yaml", TINY);
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert!(
        !out.stdout.contains("every trial will fail") && !out.stdout.contains("some trials will"),
        "{}",
        out.stdout
    );
    // Searched, where only the larger models are too large: that some trials will fail.
    let some = TINY.replace(
        "  hidden: {values: [16, 32]}\n",
        "  hidden: {values: [16, 65536]}\n  depth: {value: 2}\n",
    );
    let spec = env.write_spec("some.yaml", &some);
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("note: some trials will fail at their start: some models the space"),
        "{}",
        out.stdout
    );
}

#[test]
fn validate_shows_the_control_characters_of_a_files_text_rather_than_running_them() {
    let env = TestEnv::new();
    let mut csv = String::from("a,b,label\n");
    for i in 0..40 {
        let label = if i % 2 == 0 { "red\u{1b}[31m" } else { "blue" };
        csv.push_str(&format!("{i},{},{label}\n", i % 7));
    }
    std::fs::write(env.path().join("esc.csv"), csv).unwrap();
    let spec = env.write_spec(
        "esc.yaml",
        "name: esc\nmetric: {name: val_accuracy}\ndata: {csv: esc.csv, target: label}\n\
         train: {epochs: 1}\nparameters:\n  lr: {values: [0.01]}\n",
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains('\u{1b}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("red\\u{1b}[31m"), "{}", out.stdout);
}

#[test]
fn serve_following_agents_shows_the_control_characters_of_their_journals() {
    use std::io::{BufRead, BufReader};
    use store::{AgentHeader, Exchange, JournalEvent};
    let env = TestEnv::new();
    let exchange = env.path().join("exchange");
    let header = AgentHeader {
        experiment: "tiny".into(),
        agent: 0,
        agents: 2,
        parallel: 1,
        planned: 4,
        spec_hash: "0f".repeat(32),
        data_hash: String::new(),
        spec_text: TINY.to_string(),
        warm_hash: String::new(),
    };
    // An agent stopped on an error whose text would clear the screen and retitle the window.
    let reason = "out of memory\u{1b}[2J\u{1b}]0;owned\u{7} \u{202e}gnp.exe";
    {
        let (agent, _) = Exchange::join(&exchange, header).unwrap();
        agent
            .publish(&JournalEvent::Abort(reason.to_string()))
            .unwrap();
    }
    let mut child = env
        .command(&[
            "serve",
            "--exchange",
            exchange.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = BufReader::new(child.stderr.take().unwrap());
    let (send, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    // A bound on a hung follower, not a timing assertion: the line comes within a poll.
    let line = loop {
        match said.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(line) if line.contains("stopped on an error") => break Ok(line),
            Ok(_) => continue,
            Err(e) => break Err(e),
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let line = line.expect("the follower says the agent stopped");
    assert!(!line.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{line:?}");
    assert!(
        line.contains("out of memory\\u{1b}[2J\\u{1b}]0;owned\\u{7} \\u{202e}gnp.exe"),
        "{line}"
    );
}

#[test]
fn a_stored_spec_that_no_longer_reads_is_said_by_every_command_that_ranks_by_it() {
    use experiment::{
        Direction, MetricPoint, ParamValue, Seed, Step, Timestamp, Trial, TrialResult,
    };
    let env = TestEnv::new();
    // As an older build stored it: a constrained experiment whose file holds a setting this
    // version no longer reads. Its better trial breaks the constraint.
    {
        let store = Store::open(&env.store()).unwrap();
        let spec_yaml =
            format!("{TINY}constraints:\n  param_count: {{max: 2000}}\nretired_setting: 1\n");
        let info = tests::experiment_info(
            "tiny",
            spec_yaml,
            ("val_accuracy", Direction::Maximize),
            5,
            2,
        );
        assert!(info.spec().is_err(), "the spec still reads");
        store.create_experiment(&info).unwrap();
        for (id, accuracy, size) in [(0, 0.9, 4810.0), (1, 0.8, 1210.0)] {
            let metrics = [("val_accuracy", accuracy), ("param_count", size)];
            let trial = Trial {
                id: TrialId(id),
                seed: Seed(u64::from(id)),
                params: [("lr".to_string(), ParamValue::Float(0.01))].into(),
                state: TrialState::Completed,
                reason: None,
                started: Some(Timestamp(1_700_000_000_000)),
                finished: Some(Timestamp(1_700_000_030_000)),
                result: Some(TrialResult {
                    best_step: Step(1),
                    metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                }),
            };
            store.put_trial("tiny", &trial).unwrap();
            let points: Vec<MetricPoint> = metrics
                .iter()
                .map(|(name, value)| MetricPoint {
                    name: name.to_string(),
                    value: *value,
                })
                .collect();
            store
                .append_metrics("tiny", TrialId(id), Step(1), &points)
                .unwrap();
        }
        store.flush().unwrap();
    }
    let note = "note: `tiny`'s stored spec does not read with this version of Sweep, so its \
                constraints";
    for args in [
        &["ls"][..],
        &["trials", "tiny"],
        &["trials", "tiny", "--format", "csv"],
        &["export", "tiny", "--format", "csv"],
        &["export", "tiny", "--format", "json"],
        &["show", "tiny"],
        &["show", "tiny/0", "tiny/1"],
    ] {
        let out = env.sweep(args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        assert_eq!(
            out.stderr.matches(note).count(),
            1,
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("retired_setting"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!out.stdout.contains("note:"), "{args:?}: {}", out.stdout);
    }
    // The curves take nothing from the spec: nothing to say.
    let series = env.sweep(&["export", "tiny", "--series", "--format", "csv"]);
    assert_eq!(series.code, 0, "{series:?}");
    assert!(series.stderr.is_empty(), "{}", series.stderr);
    // `sweep rm` lists what it would remove ranked the same way, and says so too.
    let declined = env.sweep_with_input(&["rm", "tiny"], "n\n");
    assert_eq!(declined.code, 1, "{declined:?}");
    assert_eq!(
        declined.stderr.matches(note).count(),
        1,
        "{}",
        declined.stderr
    );
}

#[test]
fn validate_warns_of_a_missing_gate_baseline_and_refuses_one_that_does_not_read() {
    let env = TestEnv::new();
    let text = format!(
        "{TINY}gate:\n  baseline: baselines/tiny.json\n  repeats: 1\n  metrics:\n    \
         val_accuracy: {{aggregate: best, max_regression_abs: 0.01}}\n"
    );
    let spec = env.write_spec("tiny.yaml", &text);
    let spec = spec.to_str().unwrap();
    // Missing: the normal first step, so the file is ok, and the way to record it is said.
    let missing = env.sweep(&["validate", spec]);
    assert_eq!(missing.code, 0, "{missing:?}");
    assert!(missing.stdout.contains(": ok"), "{}", missing.stdout);
    let warning = missing
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: gate.baseline at "))
        .unwrap_or_else(|| panic!("no warning: {}", missing.stderr));
    assert!(
        warning.contains("baselines/tiny.json, which does not exist")
            && warning.contains(&format!("`sweep gate {spec} --update-baseline`")),
        "{warning}"
    );
    // There but no baseline: an error naming the file, and the file is not called ok.
    let baselines = env.path().join("baselines");
    std::fs::create_dir(&baselines).unwrap();
    std::fs::write(baselines.join("tiny.json"), "not json\n").unwrap();
    let unread = env.sweep(&["validate", spec]);
    assert_eq!(unread.code, 2, "{unread:?}");
    assert!(!unread.stdout.contains(": ok"), "{}", unread.stdout);
    assert!(
        unread.stderr.contains("gate.baseline at ")
            && unread.stderr.contains("baselines/tiny.json")
            && !unread.stderr.contains("warning"),
        "{}",
        unread.stderr
    );
}

#[test]
fn a_categorical_value_holding_a_control_character_is_refused_before_any_trial_runs() {
    let env = TestEnv::new();
    // A value that would turn the terminal red if printed as it is.
    let spec = env.write_spec(
        "esc.yaml",
        &tests::penguins_spec(
            "esc",
            "  tag: {values: [\"\\e[31mred\"]}\n  \
             lr: {values: [0.01], when: {tag: [\"\\e[31mred\"]}}\n",
        ),
    );
    let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "parameters.tag.values[0]: `\\u{1b}[31mred` holds an invisible character, U+001B \
             (ESCAPE)"
        ),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains('\u{1b}') && !out.stdout.contains('\u{1b}'),
        "no escape reaches the terminal: {}{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn validate_counts_a_constant_as_set_not_searched() {
    let env = TestEnv::new();
    // TINY searches lr, hidden and dropout; a `{value: ..}` sets the optimizer for every trial.
    let spec = env.write_spec(
        "tiny.yaml",
        &format!("{TINY}  optimizer: {{value: adam}}\n"),
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(", 3 searched parameters,"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_store_that_cannot_be_flushed_mid_run_says_so_and_how_to_carry_on() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "small.yaml",
        &tests::penguins_spec("small", "  lr: {values: [0.01, 0.02]}\n"),
    );
    let spec = spec.to_str().unwrap();
    let first = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(first.code, 0, "{first:?}");
    // The flush count is written aside and renamed: a folder in its way refuses the write, as
    // a folder made read-only or a full disk would.
    let blocker = env.store().join("flushed.part");
    std::fs::create_dir(&blocker).unwrap();
    let refused = env.sweep(&["run", spec, "--no-serve", "--extend", "1"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("cannot flush store")
            && refused.stderr.contains(
                "once that is mended, running the same command again without --extend carries on"
            ),
        "{}",
        refused.stderr
    );
    std::fs::remove_dir(&blocker).unwrap();
    // As said: the same command without --extend (with it, the unfinished experiment refuses).
    let again = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(again.code, 0, "{again:?}");
    let trials = env.sweep(&["trials", "small", "--format", "csv"]);
    assert_eq!(trials.stdout.lines().count(), 3, "{}", trials.stdout);
}

/// Starts `sweep run` with `args` in `env`, reads its standard error up to its start line and
/// on to the first line that `until` accepts (none: the start line), kills it there, and
/// returns the start line (`None` where it ended without one) and the lines read before it.
fn start_line_then_kill(
    env: &TestEnv,
    args: &[&str],
    until: impl Fn(&str) -> bool,
) -> (Option<String>, Vec<String>) {
    use std::io::{BufRead, BufReader};

    let mut child = env
        .command(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok);
    let mut seen = Vec::new();
    let started = lines.by_ref().find(|line| {
        seen.push(line.clone());
        ["extending ", "resuming ", "starting ", "small: "]
            .iter()
            .any(|start| line.starts_with(start))
    });
    let _ = lines.find(|line| until(line));
    child.kill().unwrap();
    child.wait().unwrap();
    (started, seen)
}

#[test]
fn issue_an_extension_says_what_it_adds_and_running_it_again_adds_nothing_again() {
    let env = TestEnv::new();
    // Trials long enough that the kill below lands with most of the extension left to run.
    let text = tests::penguins_spec("small", "  lr: {values: [0.01, 0.02]}\n")
        .replace("epochs: 1", "epochs: 40");
    let spec = env.write_spec("small.yaml", &text);
    let spec = spec.to_str().unwrap();
    let first = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(first.code, 0, "{first:?}");
    // Its 1 trial finished: `--extend 20` adds trials 1 to 20 and says so. It is killed once
    // the first of them completes (what is stored by then is kept), with 19 left to run.
    let (started, seen) = start_line_then_kill(
        &env,
        &["run", spec, "--no-serve", "--extend", "20"],
        |line| line.starts_with("trial   1 completed"),
    );
    assert_eq!(
        started.as_deref(),
        Some("extending small by 20 trials, trials 1 to 20 (1 already finished), 1 side by side"),
        "{seen:?}"
    );
    // Run again (without --extend, which an unfinished experiment refuses), it goes on with
    // the extension it was killed in, and adds nothing.
    let (again, seen) = start_line_then_kill(&env, &["run", spec, "--no-serve"], |_| true);
    let again = again.unwrap_or_else(|| panic!("no start line: {seen:?}"));
    assert!(
        again.starts_with("resuming small: 21 trials (") && again.ends_with("1 side by side"),
        "{again}"
    );
}

/// Issue F3 (audit training46): `early_stopping.min_delta: 2` on an accuracy (meant as a
/// percentage) was accepted and stopped every trial after `patience` epochs. A new experiment
/// is refused, at the field; one stored before the rule (written here as the previous version
/// stored it) still reads and resumes.
#[test]
fn issue_f3_a_min_delta_of_1_or_more_on_a_fraction_is_refused_for_a_new_experiment_only() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "pct.yaml",
        "\
name: pct
method: grid
metric: {name: val_accuracy}
data: {csv: DATA/digits.csv, target: digit}
train:
  epochs: 2
  early_stopping: {metric: val_accuracy, patience: 1, min_delta: 2}
parameters:
  hidden: {values: [8]}
",
    );
    let file = spec.to_str().unwrap();
    for args in [vec!["validate", file], vec!["run", file, "--no-serve"]] {
        let (command, refused) = (args[0], env.sweep(&args));
        assert_eq!(refused.code, 2, "{command}: {refused:?}");
        assert!(
            refused.stderr.contains(
                "pct.yaml:7:66: train.early_stopping.min_delta: val_accuracy is a fraction from \
                 0 to 1, so no epoch improves it by more than 2: every trial would stop after \
                 `patience` epochs (write 0.02 for 2%); `min_delta` must be below 1"
            ),
            "{command}: {}",
            refused.stderr
        );
    }
    assert!(!env.store().exists(), "the refused run left a store");
    let store = Store::open(&env.store()).unwrap();
    let info = store::ExperimentInfo {
        status: store::ExperimentStatus::Interrupted,
        finished: None,
        spec_path: file.to_string(),
        ..tests::experiment_info(
            "pct",
            std::fs::read_to_string(&spec).unwrap(),
            ("val_accuracy", experiment::Direction::Maximize),
            0,
            1,
        )
    };
    store.create_experiment(&info).unwrap();
    drop(store);
    let shown = env.sweep(&["show", "pct"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    let resumed = env.sweep(&["run", file, "--no-serve"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
}

/// Issue F6 (audit training46): a step schedule whose first decay comes after the last epoch,
/// and a `batch_size` above the training rows, were accepted without the note Sweep gives for
/// settings that cannot act; `sweep validate` and `sweep run` now say so.
#[test]
fn issue_f6_a_step_schedule_that_never_decays_and_a_batch_past_the_rows_are_noted() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "stp.yaml",
        "\
name: stp
method: grid
metric: {name: val_accuracy}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 2, schedule: step, step_epochs: 50, batch_size: 5000}
parameters:
  hidden: {values: [8]}
",
    );
    let file = spec.to_str().unwrap();
    let step = "note: the step schedule never decays the learning rate: its first decay comes \
                after `step_epochs: 50` epochs, and a trial trains at most 2";
    let batch = "note: `batch_size: 5000` is more than the 1079 training rows: each epoch is one \
                 step over them all";
    let validated = env.sweep(&["validate", file]);
    assert_eq!(validated.code, 0, "{validated:?}");
    assert!(
        validated.stdout.contains(step) && validated.stdout.contains(batch),
        "{}",
        validated.stdout
    );
    let run = env.sweep(&["run", file, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(step) && run.stderr.contains(batch),
        "{}",
        run.stderr
    );
}

/// Issue: unscrambled Sobol (`sampler: {scramble: false}`) starts at the corner of the unit
/// cube, so trial 0 puts every prior-shaped parameter at its prior's 1e-12 quantile (a
/// log-normal `lr` at e^(mu - 7.03 sigma)), a value the prior never gives, and nothing said so.
/// `sweep validate` and `sweep run` note it, with trial 0's value as drawn.
#[test]
fn issue_unscrambled_sobol_notes_trial_0_at_the_corner_of_a_prior() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "corner.yaml",
        "\
name: corner
method: sobol
sampler: {scramble: false}
run_cap: 1
metric: {name: val_accuracy}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 1}
parameters:
  lr: {distribution: log_normal, mu: -5, sigma: 1}
  hidden: {values: [8]}
",
    );
    let file = spec.to_str().unwrap();
    let note = "note: `scramble: false` starts the Sobol sequence at the corner of the space: \
                trial 0 puts `lr` (log_normal, mu -5, sigma 1) at 0.00000594, its prior's 1e-12 \
                quantile, a value the prior never gives; leave `scramble` at its default, true";
    let validated = env.sweep(&["validate", file]);
    assert_eq!(validated.code, 0, "{validated:?}");
    assert!(validated.stdout.contains(note), "{}", validated.stdout);
    let run = env.sweep(&["run", file, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(note), "{}", run.stderr);
}
