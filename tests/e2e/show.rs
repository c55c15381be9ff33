//! `sweep show EXPERIMENT` gives a team what it needs to go on: the stored spec's YAML to run
//! unchanged (`--spec`), which a refused re-run of an edited file points at; the record's
//! resolved spec in the YAML's words (`--record`); and the command that resumes an experiment
//! that stopped early.

use experiment::{Direction, Seed, Timestamp};
use store::{ExperimentInfo, ExperimentStatus, RunRecord, Store};
use tests::{repo_root, TestEnv};

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
            name: name.into(),
            description: String::new(),
            spec_hash: experiment::sha256_hex(spec_yaml.as_bytes()),
            spec_yaml,
            spec_path: format!("{name}.yaml"),
            objective: "val_accuracy".into(),
            goal: Direction::Maximize,
            seed: Seed(3),
            run_cap: 1,
            status,
            created: Timestamp(1_700_000_000_000),
            finished: None,
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
    let done = env.sweep(&["show", "done"]);
    assert_eq!(done.code, 0, "{done:?}");
    assert!(!done.stdout.contains("resume "), "{}", done.stdout);
}
