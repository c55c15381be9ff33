//! The reproducibility record end to end: `sweep show` displays it, `sweep reproduce` re-runs a
//! trial from it bit for bit on the CPU and refuses changed data, and `sweep export` writes
//! trials and curves that parse back to the stored values.

use std::process::Command;

use experiment::TrialId;
use store::Store;
use tests::{repo_root, this_build, TestEnv};

mod paths;

/// Three trials of 3 epochs on a copy of the digits in the scratch folder (`digits.csv`), so that
/// a test may change the data.
const TINY: &str = "\
name: rec
seed: 9
method: random
run_cap: 3
parallel: 2
metric: {name: val_accuracy, goal: maximize}
data: {csv: digits.csv, target: digit}
train: {epochs: 3, batch_size: 64}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [8, 16]}
  dropout: {min: 0.0, max: 0.3}
";

/// Returns a scratch folder in which `TINY` has run.
fn run_tiny() -> TestEnv {
    let env = TestEnv::new();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    let spec = env.write_spec("rec.yaml", TINY);
    let run = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    env
}

#[test]
fn a_trial_reproduces_bit_for_bit_and_changed_data_is_named() {
    let env = run_tiny();
    for trial in ["rec/0", "rec/2"] {
        let again = env.sweep(&["reproduce", trial]);
        assert_eq!(again.code, 0, "{again:?}");
        let identical = again.stdout.lines().find(|l| l.starts_with("identical: "));
        assert!(
            identical.is_some_and(|l| l.contains(" metrics over 3 epochs, bit for bit")),
            "{}",
            again.stdout
        );
        assert!(!again.stdout.contains("note:"), "{}", again.stdout);
    }
    let bad = env.sweep(&["reproduce", "rec-3"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("EXPERIMENT/NUMBER"), "{}", bad.stderr);
    let missing = env.sweep(&["reproduce", "rec/7"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("has no trial 7"),
        "{}",
        missing.stderr
    );

    let data = env.path().join("digits.csv");
    let mut text = std::fs::read_to_string(&data).unwrap();
    let first_row = text.lines().nth(1).unwrap().to_owned();
    text.push_str(&first_row);
    text.push('\n');
    std::fs::write(&data, text).unwrap();
    let changed = env.sweep(&["reproduce", "rec/0"]);
    assert_eq!(changed.code, 2, "{changed:?}");
    assert!(
        changed.stderr.contains("the data changed since the run")
            && changed.stderr.contains("digits.csv"),
        "{}",
        changed.stderr
    );
}

/// `sweep predict` sends a user with a damaged checkpoint to `sweep reproduce`: reproducing the
/// trial writes the checkpoint again, byte for byte as it was, and predict works again.
#[test]
fn issue_reproduce_writes_a_damaged_or_missing_checkpoint_again() {
    let env = run_tiny();
    let dir = env.store().join("checkpoints").join("rec");
    let weights = dir.join("0.safetensors");
    let intact = std::fs::read(&weights).unwrap();
    let input = env.path().join("digits.csv");
    let predict = || env.sweep(&["predict", "rec/0", "--input", input.to_str().unwrap()]);
    assert_eq!(predict().code, 0);

    let mut flipped = intact.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    std::fs::write(&weights, &flipped).unwrap();
    let refused = predict();
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(refused.stderr.contains("`sweep reproduce`"), "{refused:?}");
    let again = env.sweep(&["reproduce", "rec/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again
            .stdout
            .contains("bit for bit (epoch_seconds, wall time, not compared); its checkpoint, damaged, was written again"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read(&weights).unwrap(), intact);
    assert_eq!(predict().code, 0);

    // Reproducing writes the missing checkpoint again, byte for byte.
    let written_again = || {
        let again = env.sweep(&["reproduce", "rec/0"]);
        assert!(
            again
                .stdout
                .contains("its checkpoint, missing, was written again"),
            "{}",
            again.stdout
        );
        assert_eq!(std::fs::read(&weights).unwrap(), intact);
    };
    // A checkpoint deleted comes back too; one that is whole is left alone, and no scratch
    // folder is left behind.
    std::fs::remove_file(dir.join("0.json")).unwrap();
    std::fs::remove_file(&weights).unwrap();
    written_again();
    // Weights alone gone: predict sends the user to reproduce, which says they were missing.
    std::fs::remove_file(&weights).unwrap();
    let refused = predict();
    assert!(
        refused
            .stderr
            .contains("weights file beside the checkpoint's sidecar is missing")
            && refused.stderr.contains("`sweep reproduce`"),
        "{refused:?}"
    );
    written_again();
    let whole = env.sweep(&["reproduce", "rec/0"]);
    assert!(!whole.stdout.contains("written again"), "{}", whole.stdout);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn show_displays_the_record_with_the_git_state() {
    let env = TestEnv::new();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    let in_git = git(&["init", "-q"]);
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    let spec = env.write_spec("rec.yaml", TINY);
    if in_git {
        assert!(git(&["add", "rec.yaml"]) && git(&["commit", "-q", "-m", "spec"]));
        // An uncommitted change to a tracked file makes the tree dirty.
        std::fs::write(&spec, format!("{TINY}# tuned\n")).unwrap();
    }
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--run-cap", "1"]);
    assert_eq!(run.code, 0, "{run:?}");
    let show = env.sweep(&["show", "rec", "--record"]);
    assert_eq!(show.code, 0, "{show:?}");
    for want in [
        "record      sweep ",
        "dfdx 0.13.0 on cpu",
        "rec.yaml",
        "digits.csv (sha256 ",
        "machine ",
        "resolved spec (sha256 ",
        "  train.batch_size: 64",
        "  train.optimizer: adam",
    ] {
        assert!(
            show.stdout.contains(want),
            "no `{want}` in\n{}",
            show.stdout
        );
    }
    if in_git {
        assert!(
            show.stdout.contains("with uncommitted changes"),
            "{}",
            show.stdout
        );
        assert!(show.stdout.contains("+# tuned"), "{}", show.stdout);
    } else {
        assert!(show.stdout.contains("git: no commit"), "{}", show.stdout);
    }
}

#[test]
fn issue_a_record_without_a_commit_says_why_git_gave_none() {
    let env = TestEnv::new();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    let spec = env.write_spec("rec.yaml", TINY);
    let spec = spec.to_str().unwrap();
    // With no git to be found on the PATH (an empty folder), git cannot be run at all.
    let no_git = env.path().join("no-bin");
    std::fs::create_dir(&no_git).unwrap();
    let run: tests::Output = env
        .command(&["run", spec, "--run-cap", "1"])
        .env("PATH", &no_git)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("warning: the run record names no git commit: git could not be run: "),
        "{}",
        run.stderr
    );
    let show = env.sweep(&["show", "rec"]);
    assert_eq!(show.code, 0, "{show:?}");
    assert!(
        show.stdout
            .contains("git: no commit recorded (git could not be run: "),
        "{}",
        show.stdout
    );
    assert!(!show.stdout.contains("outside"), "{}", show.stdout);
    // In a checkout with no commit yet (`git init`, nothing committed), where git is found.
    let fresh = TestEnv::new();
    let init = Command::new("git")
        .args(["init", "-q"])
        .current_dir(fresh.path())
        .status();
    if !init.is_ok_and(|s| s.success()) {
        return;
    }
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        fresh.path().join("digits.csv"),
    )
    .unwrap();
    let spec = fresh.write_spec("rec.yaml", TINY);
    let run = fresh.sweep(&["run", spec.to_str().unwrap(), "--run-cap", "1"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            "warning: the run record names no git commit: the checkout has no commit yet"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("ambiguous"), "{}", run.stderr);
    let show = fresh.sweep(&["show", "rec"]);
    assert_eq!(show.code, 0, "{show:?}");
    assert!(
        show.stdout
            .contains("git: no commit recorded (the checkout has no commit yet)"),
        "{}",
        show.stdout
    );
}

#[test]
fn exports_parse_back_to_the_stored_values() {
    let env = run_tiny();
    let csv_out = env.sweep(&["export", "rec", "--format", "csv"]);
    assert_eq!(csv_out.code, 0, "{csv_out:?}");
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "trial",
        "state",
        "param.lr",
        "param.hidden",
        "metric.val_accuracy",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "no {column} in {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);

    let json_out = env.sweep(&["export", "rec", "--format", "json"]);
    assert_eq!(json_out.code, 0, "{json_out:?}");
    let trials: serde_json::Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(trials.as_array().unwrap().len(), 3);
    assert!(trials[0]["params"]["lr"].is_f64(), "{}", trials[0]);

    let file = env.path().join("series.csv");
    let series = env.sweep(&[
        "export",
        "rec",
        "--format",
        "csv",
        "--series",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(series.code, 0, "{series:?}");
    assert!(series.stdout.is_empty());
    let mut reader = csv::Reader::from_path(&file).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["experiment", "trial", "metric", "step", "value"]
    );
    let points: Vec<(String, u32, String, u32, f64)> =
        reader.deserialize().map(Result::unwrap).collect();
    let json_series = env.sweep(&["export", "rec", "--format", "json", "--series"]);
    assert_eq!(json_series.code, 0, "{json_series:?}");
    let from_json: serde_json::Value = serde_json::from_str(&json_series.stdout).unwrap();

    let store = Store::open(&env.store()).unwrap();
    // Every trial recorded every metric at each of its 3 epochs.
    let metrics = store.metric_names("rec", TrialId(0)).unwrap().len();
    assert!(metrics >= 4, "{metrics}");
    assert_eq!(points.len(), 3 * metrics * 3);
    assert_eq!(from_json.as_array().unwrap().len(), points.len());
    for (i, (experiment, trial, metric, step, value)) in points.iter().enumerate() {
        assert_eq!(experiment, "rec");
        let stored = store.metric_series("rec", TrialId(*trial), metric).unwrap();
        let (_, want) = stored.iter().find(|(s, _)| s.0 == *step).unwrap();
        assert_eq!(
            value.to_bits(),
            want.to_bits(),
            "{metric} of trial {trial} at {step}"
        );
        assert_eq!(
            from_json[i]["value"].as_f64().unwrap().to_bits(),
            want.to_bits()
        );
    }
}

/// Runs `git ARGS` in the repository's root; its output, trimmed, when it succeeds.
fn git_in_repo(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo_root())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn the_build_names_its_version_and_commit_and_a_record_keeps_them() {
    let build = this_build();
    // The binary's version is the cli crate's (the library crates stay 0.0.0).
    let manifest = std::fs::read_to_string(repo_root().join("crates/cli/Cargo.toml"))
        .expect("the cli crate's manifest");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("the cli crate names its version");
    assert_ne!(version, "0.0.0", "the binary has a version");
    // Built in a git checkout of Sweep, the binary names the commit: one of this checkout's
    // history (HEAD itself, unless a commit landed since the build). Built from sources git
    // does not track, the version alone.
    if git_in_repo(&["ls-files", "--error-unmatch", "--", "crates/cli/Cargo.toml"]).is_some() {
        let commit = build
            .strip_prefix(&format!("{version} ("))
            .and_then(|c| c.strip_suffix(')'))
            .unwrap_or_else(|| panic!("no `{version} (COMMIT)`: {build}"));
        let full = git_in_repo(&["rev-parse", "--verify", &format!("{commit}^{{commit}}")])
            .unwrap_or_else(|| panic!("{commit} is no commit of this checkout"));
        // The short hash, as `git rev-parse --short` gives it (which may grow with the
        // repository, so not compared with today's).
        assert!(
            commit.len() >= 7 && full.starts_with(commit),
            "{commit} is no short hash of {full}"
        );
        assert!(
            git_in_repo(&["merge-base", "--is-ancestor", &full, "HEAD"]).is_some(),
            "{commit} is not in HEAD's history"
        );
    } else {
        assert_eq!(build, version);
    }

    let env = TestEnv::new();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    let spec = env.write_spec("rec.yaml", TINY);
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--run-cap", "1"]);
    assert_eq!(run.code, 0, "{run:?}");
    let record = Store::open(&env.store())
        .unwrap()
        .run_record("rec")
        .unwrap()
        .unwrap();
    assert_eq!(record.sweep_version, build);
    let show = env.sweep(&["show", "rec", "--record"]);
    assert!(
        show.stdout
            .contains(&format!("record      sweep {build}, dfdx ")),
        "{}",
        show.stdout
    );

    // A record of another build still reads and reproduces; `reproduce` names what differs: for
    // a record from before versions, that it was unversioned; for another commit of this
    // version, the two commits.
    let commit = build
        .strip_suffix(')')
        .and_then(|b| b.split_once(" ("))
        .map(|(_, c)| c);
    let now = match commit {
        Some(c) => format!("this one is built from commit {c}"),
        None => "this one was built outside a git checkout, so its commit is unknown".into(),
    };
    for (then, shown, note) in [
        (
            "0.0.0".to_string(),
            "0.0.0 (unversioned, before 0.1.0)".to_string(),
            format!(
                "note: the run used sweep 0.0.0 (unversioned, before 0.1.0); this one is sweep \
                 {build}\n"
            ),
        ),
        (
            format!("{version} (0000000)"),
            format!("{version} (0000000)"),
            format!("note: the run used sweep {version} built from commit 0000000; {now}\n"),
        ),
    ] {
        let store = Store::open(&env.store()).unwrap();
        let old = store::RunRecord {
            sweep_version: then.clone(),
            ..record.clone()
        };
        store.put_run_record("rec", &old).unwrap();
        drop(store);
        let show = env.sweep(&["show", "rec", "--record"]);
        assert_eq!(show.code, 0, "{show:?}");
        assert!(
            show.stdout
                .contains(&format!("record      sweep {shown}, dfdx 0.13.0 on cpu\n")),
            "{}",
            show.stdout
        );
        let again = env.sweep(&["reproduce", "rec/0"]);
        assert_eq!(again.code, 0, "{again:?}");
        assert!(
            again.stdout.contains(&note),
            "no {note:?} in\n{}",
            again.stdout
        );
        assert_eq!(again.stdout.matches("note:").count(), 1, "{}", again.stdout);
    }
}

/// Issue: a resume with `--parallel 1` (which notes it) of a sweep that started with 2 wrote 1
/// into the run record, so `sweep show --record`, and the trial page's rerun command built from
/// the record, named a number the first run's trials were not drawn with. The record says the
/// first run's number; a resume with another changes nothing of it.
#[test]
fn issue_the_record_says_the_trials_side_by_side_of_the_first_run() {
    let env = TestEnv::new();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    let spec = env.write_spec("rec.yaml", &TINY.replace("epochs: 3", "epochs: 1"));
    let spec = spec.to_str().unwrap();
    let first = env.sweep(&["run", spec, "--run-cap", "1", "--no-serve"]);
    assert_eq!(first.code, 0, "{first:?}");
    let machine = |env: &TestEnv| {
        let shown = env.sweep(&["show", "rec", "--record"]);
        assert_eq!(shown.code, 0, "{shown:?}");
        let line = shown.stdout.lines().find(|l| l.contains("machine "));
        line.map(str::to_string).unwrap_or(shown.stdout)
    };
    assert!(
        machine(&env).ends_with("; 2 trials side by side"),
        "{}",
        machine(&env)
    );
    let resumed = env.sweep(&["run", spec, "--parallel", "1", "--no-serve"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        machine(&env).ends_with("; 2 trials side by side"),
        "{}",
        machine(&env)
    );
}
