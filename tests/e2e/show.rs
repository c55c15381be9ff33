//! `sweep show EXPERIMENT` gives a team what it needs to go on: the stored spec's YAML to run
//! unchanged (`--spec`), which a refused re-run of an edited file points at; the record's
//! resolved spec in the YAML's words (`--record`); and the command that resumes an experiment
//! that stopped early.

use experiment::Direction;
use store::{ExperimentInfo, ExperimentStatus, RunRecord, Store};
use tests::{experiment_info, repo_root, TestEnv};

/// A spec that trains one tiny trial in well under a second; its data is named relative to
/// the file, as `experiments/` names it.
const TINY: &str = "\
name: tiny
seed: 3
method: random
run_cap: 1
metric: {name: val_accuracy, goal: maximize}
data: {csv: digits.csv, target: digit}
train: {epochs: 1, batch_size: 64}
model: {hidden: 8}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
";

/// Returns a scratch folder with the shipped digits beside `tiny.yaml`, and that file's path.
fn tiny() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    let spec = env.write_spec("tiny.yaml", TINY);
    (env, spec)
}

#[test]
fn issue_the_stored_spec_is_given_back_to_run_unchanged() {
    let (env, spec) = tiny();
    let run = env.sweep(&["run", "tiny.yaml"]);
    assert_eq!(run.code, 0, "{run:?}");
    // An edited file is refused, with the command that gives the stored spec back.
    std::fs::write(&spec, TINY.replace("seed: 3", "seed: 4")).unwrap();
    let refused = env.sweep(&["run", "tiny.yaml", "--extend", "1"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("`sweep show tiny --spec --store .sweep > FILE` writes it"),
        "{}",
        refused.stderr
    );
    // Exactly as stored, on standard output; where to save it, on standard error.
    let shown = env.sweep(&["show", "tiny", "--spec"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert_eq!(shown.stdout, TINY);
    let folder = std::fs::canonicalize(env.path()).unwrap();
    assert!(
        shown.stderr.contains(&format!(
            "save it in {} for a run to read the data it ran on ({})",
            folder.display(),
            folder.join("digits.csv").display()
        )),
        "{}",
        shown.stderr
    );
    // Saved there under another name, it runs as the stored experiment: one trial more.
    std::fs::write(env.path().join("old.yaml"), &shown.stdout).unwrap();
    let again = env.sweep(&["run", "old.yaml", "--extend", "1"]);
    assert_eq!(again.code, 0, "{again:?}");
    let trials = Store::open(&env.store()).unwrap().trials("tiny").unwrap();
    assert_eq!(trials.len(), 2);
    // The page's flags are refused beside it, not ignored; a trial has no spec of its own.
    for args in [
        &["show", "tiny", "--spec", "--record"][..],
        &["show", "tiny", "--spec", "--format", "json"],
        &["show", "tiny/0", "--spec"],
    ] {
        let refused = env.sweep(args);
        assert_eq!(refused.code, 2, "{args:?}: {refused:?}");
        assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    }
}

#[test]
fn issue_record_shows_the_resolved_spec_in_the_yamls_words() {
    let (env, _) = tiny();
    let run = env.sweep(&["run", "tiny.yaml"]);
    assert_eq!(run.code, 0, "{run:?}");
    let shown = env.sweep(&["show", "tiny", "--record"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    for want in [
        " of its stored text), each setting as the YAML writes it:\n",
        "\n  train.batch_size: 64\n",
        "\n  model.hidden: 8\n",
        "\n  method: random",
    ] {
        assert!(
            shown.stdout.contains(want),
            "no `{want}` in\n{}",
            shown.stdout
        );
    }
    for notation in ["Int(", "Some(", "SplitSpec {", "Random"] {
        assert!(
            !shown.stdout.contains(notation),
            "`{notation}` in\n{}",
            shown.stdout
        );
    }
}

#[test]
fn issue_show_says_the_command_that_resumes_an_interrupted_experiment() {
    let env = TestEnv::new();
    let store = Store::open(&env.store()).unwrap();
    let spec_yaml = TINY.replace("tiny", "cut");
    for (name, status) in [
        ("cut", ExperimentStatus::Running),
        ("done", ExperimentStatus::Finished),
    ] {
        let spec_yaml = spec_yaml.replace("cut", name);
        let info = ExperimentInfo {
            status,
            finished: None,
            ..experiment_info(name, spec_yaml, ("val_accuracy", Direction::Maximize), 3, 1)
        };
        store.create_experiment(&info).unwrap();
        let record = RunRecord {
            spec_file: format!("/abs/my exp/{name}.yaml"),
            ..RunRecord::default()
        };
        store.put_run_record(name, &record).unwrap();
    }
    drop(store);
    // Left running by a kill: no sweep runs it now.
    let shown = env.sweep(&["show", "cut"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    let store = std::fs::canonicalize(env.store()).unwrap();
    let want = format!(
        "resume      sweep run '/abs/my exp/cut.yaml' --store {}\n",
        store.display()
    );
    assert!(
        shown.stdout.contains(&want),
        "no {want:?} in\n{}",
        shown.stdout
    );
    // Its JSON gives the same command, as the API's `resume_command` does.
    let json = env.sweep(&["show", "cut", "--format", "json"]);
    assert_eq!(json.code, 0, "{json:?}");
    let shown: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let line = want.strip_prefix("resume      ").map(str::trim_end);
    assert_eq!(shown["experiment"]["resume_command"].as_str(), line);
    let done = env.sweep(&["show", "done"]);
    assert_eq!(done.code, 0, "{done:?}");
    assert!(!done.stdout.contains("resume "), "{}", done.stdout);
    // None for a finished sweep: the key is there, `null`, as every missing value is.
    let json = env.sweep(&["show", "done", "--format", "json"]);
    let shown: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let experiment = shown["experiment"].as_object().unwrap();
    assert_eq!(
        experiment.get("resume_command"),
        Some(&serde_json::Value::Null)
    );
}

/// Returns a scratch folder with the shipped digits as `exp/data/d.csv` and `TINY` named `t`
/// at `exp/t.yaml`, reading its data as `data/d.csv`; and that file's folder.
fn tiny_in_exp() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let exp = env.path().join("exp");
    std::fs::create_dir_all(exp.join("data")).unwrap();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        exp.join("data/d.csv"),
    )
    .unwrap();
    let text = TINY
        .replace("name: tiny", "name: t")
        .replace("csv: digits.csv", "csv: data/d.csv");
    std::fs::write(exp.join("t.yaml"), text).unwrap();
    (env, exp)
}

/// Returns the folder `sweep show NAME --spec`'s note says to save the text in.
fn save_in(note: &str) -> std::path::PathBuf {
    let (_, after) = note
        .split_once("save it in ")
        .expect("a folder to save it in");
    let (folder, _) = after.split_once(" for a run").expect("the folder's end");
    std::path::PathBuf::from(folder)
}

/// Issue: after a resume from another folder (`exp/archive/t.yaml`, its text naming
/// `../data/d.csv`), `--spec`'s note said to save the stored text in the first run's folder,
/// from which it names no data (`exp/../data/d.csv`). It names the folder the stored text was
/// last run from, and saved there, the text runs as the stored experiment.
#[test]
fn issue_the_spec_note_names_the_folder_the_text_was_last_run_from() {
    let (env, exp) = tiny_in_exp();
    let run = env.sweep(&["run", "exp/t.yaml"]);
    assert_eq!(run.code, 0, "{run:?}");
    std::fs::create_dir_all(exp.join("archive")).unwrap();
    let first = std::fs::read_to_string(exp.join("t.yaml")).unwrap();
    let archived = first.replace("csv: data/", "csv: ../data/");
    std::fs::write(exp.join("archive/t.yaml"), &archived).unwrap();
    let moved = env.sweep(&["run", "exp/archive/t.yaml", "--extend", "1"]);
    assert_eq!(moved.code, 0, "{moved:?}");
    let shown = env.sweep(&["show", "t", "--spec"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert_eq!(shown.stdout, archived);
    let folder = save_in(&shown.stderr);
    let archive = std::fs::canonicalize(exp.join("archive")).unwrap();
    assert_eq!(folder, archive, "{}", shown.stderr);
    std::fs::write(folder.join("saved.yaml"), &shown.stdout).unwrap();
    let saved = folder.join("saved.yaml").display().to_string();
    let again = env.sweep(&["run", &saved, "--extend", "1"]);
    assert_eq!(again.code, 0, "{again:?}");
    let trials = Store::open(&env.store()).unwrap().trials("t").unwrap();
    assert_eq!(trials.len(), 3);
}

/// Issue: after the experiment's folder was moved (`mv exp moved`) and the sweep resumed from
/// there, `sweep show`'s resume line and the dashboard's resume command named the run
/// record's spec file, the first run's, gone with the move. They name the file the experiment
/// was last run from, which runs.
#[test]
fn issue_the_resume_line_names_the_file_last_run_from_after_a_move() {
    let (env, exp) = tiny_in_exp();
    let run = env.sweep(&["run", "exp/t.yaml"]);
    assert_eq!(run.code, 0, "{run:?}");
    std::fs::rename(&exp, env.path().join("moved")).unwrap();
    let resumed = env.sweep(&["run", "moved/t.yaml", "--extend", "1"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    // Left running by a kill, as if the resumed sweep were killed: to be resumed.
    let store = Store::open(&env.store()).unwrap();
    let info = store.experiment("t").unwrap().expect("the experiment");
    let killed = ExperimentInfo {
        status: ExperimentStatus::Running,
        ..info
    };
    store.update_experiment(&killed).unwrap();
    drop(store);
    let shown = env.sweep(&["show", "t"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    let file = std::fs::canonicalize(env.path().join("moved/t.yaml")).unwrap();
    let store = std::fs::canonicalize(env.store()).unwrap();
    let want = format!(
        "resume      sweep run {} --store {}\n",
        file.display(),
        store.display()
    );
    assert!(
        shown.stdout.contains(&want),
        "no {want:?} in\n{}",
        shown.stdout
    );
    // The dashboard says the same file.
    let (server, url) = crate::dashboard::start_serving(&env, &["serve", "--addr", "127.0.0.1:0"]);
    let (status, body) = crate::dashboard::get(&format!("{url}/api/experiments/t"));
    // And so does a trial page's command that runs the trial again.
    let (trial_status, trial_page) =
        crate::dashboard::get(&format!("{url}/experiments/t/trials/0"));
    drop(server);
    assert_eq!(status, 200, "{body}");
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    let command = api["resume_command"].as_str().unwrap_or_default();
    assert!(
        command.starts_with(&format!("sweep run {} --store ", file.display())),
        "{command}"
    );
    assert_eq!(trial_status, 200, "{trial_page}");
    assert!(
        trial_page.contains(&format!("sweep run {}", file.display()))
            && !trial_page.contains("/exp/t.yaml"),
        "{trial_page}"
    );
    // The command runs, as shown.
    let file = file.display().to_string();
    let store = store.display().to_string();
    let again = env.sweep(&["run", &file, "--store", &store]);
    assert_eq!(again.code, 0, "{again:?}");
}

/// Issue: before a resume, `sweep show` of a sweep killed with SIGKILL counted the epochs of
/// the trials the kill left running as trained (`5 trained of at most 6`), while after Ctrl-C,
/// and after the resume, the same epochs are said apart as attempts cut off: the next run
/// trains those trials again from scratch. The store is written as a kill leaves it (the
/// sweep `running`, trial 1 `running` after 2 of its 3 epochs), so no timing is involved.
#[test]
fn issue_a_killed_sweeps_trials_left_running_are_attempts_cut_off() {
    use experiment::{MetricPoint, ParamValue, Step, Timestamp, Trial, TrialId, TrialResult};
    let env = TestEnv::new();
    let store = Store::open(&env.store()).unwrap();
    let spec_yaml = TINY
        .replace("tiny", "killed")
        .replace("epochs: 1", "epochs: 3")
        .replace("run_cap: 1", "run_cap: 2");
    let info = ExperimentInfo {
        status: ExperimentStatus::Running,
        finished: None,
        ..experiment_info(
            "killed",
            spec_yaml,
            ("val_accuracy", Direction::Maximize),
            3,
            2,
        )
    };
    store.create_experiment(&info).unwrap();
    for (id, epochs) in [(0, 3), (1, 2)] {
        let done = id == 0;
        let trial = Trial {
            id: TrialId(id),
            seed: experiment::Seed(7),
            params: [("lr".to_string(), ParamValue::Float(0.005))]
                .into_iter()
                .collect(),
            state: if done {
                experiment::TrialState::Completed
            } else {
                experiment::TrialState::Running
            },
            reason: None,
            started: Some(Timestamp(1_700_000_000_000)),
            finished: done.then_some(Timestamp(1_700_000_003_000)),
            result: done.then(|| TrialResult {
                best_step: Step(3),
                metrics: [("val_accuracy".to_string(), 0.9)].into_iter().collect(),
            }),
        };
        store.put_trial("killed", &trial).unwrap();
        for step in 1..=epochs {
            let point = MetricPoint {
                name: "val_accuracy".into(),
                value: 0.9,
            };
            store
                .append_metrics("killed", TrialId(id), Step(step), &[point])
                .unwrap();
        }
    }
    drop(store);
    let shown = env.sweep(&["show", "killed"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    let want = "epochs      3 trained of at most 3 (1.00x), 2 more in attempts cut off\n";
    assert!(
        shown.stdout.contains(want),
        "no {want:?} in\n{}",
        shown.stdout
    );
    // The trial keeps its own epochs, as the trials' JSON says them.
    let trials = env.sweep(&["trials", "killed", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&trials.stdout).unwrap();
    assert_eq!(rows[1]["epochs_trained"], 2, "{rows}");
}

#[test]
fn issue_the_runs_leaderboard_footer_names_the_whole_command_that_lists_every_trial() {
    // `sweep run --top 1` said "(2 more trials; `sweep trials` lists them all)", a command
    // that fails without its experiment.
    let (env, _) = tiny();
    let spec = env.write_spec("three.yaml", &TINY.replace("run_cap: 1", "run_cap: 3"));
    let spec = spec.to_str().unwrap();
    let out = env.sweep(&["run", spec, "--top", "1", "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("(2 more trials; `sweep trials tiny` lists them all)"),
        "{}",
        out.stdout
    );
    // Another store is named, as the other hints name it.
    let out = env.sweep(&["run", spec, "--top", "1", "--no-serve", "--store", "other"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("(2 more trials; `sweep trials tiny --store other` lists them all)"),
        "{}",
        out.stdout
    );
}
