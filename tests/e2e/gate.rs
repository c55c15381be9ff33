//! `sweep gate` end to end: the project's own gate passes on its committed baseline and bites on a
//! harmful change; a baseline round-trips; noise is absorbed with repeats; bad baselines are
//! clear errors that exit 2 before any training.

use tests::{repo_root, this_build, TestEnv};

/// A gate small enough for a test: one tiny MLP, 3 epochs, `repeats` seeds.
fn tiny_gate(seed: u64, repeats: u32, gate_extra: &str) -> String {
    format!(
        "\
name: tinygate
seed: {seed}
method: grid
parallel: 2
metric: {{name: val_accuracy, goal: maximize}}
data: {{csv: DATA/digits.csv, target: digit}}
model: {{hidden: 16}}
train: {{epochs: 3, batch_size: 64, lr: 0.003}}
parameters:
  depth: {{values: [1]}}
gate:
  baseline: base/tiny.json
  repeats: {repeats}
{gate_extra}  metrics:
    val_accuracy: {{aggregate: best}}
    val_loss: {{aggregate: final}}
"
    )
}

/// Returns `experiments/ci-gate.yaml` ready to run from a scratch folder: its data and baseline
/// paths made absolute.
fn project_gate() -> String {
    let text = std::fs::read_to_string(repo_root().join("experiments/ci-gate.yaml")).unwrap();
    let baselines = repo_root().join("experiments/baselines");
    text.replace("csv: data/", "csv: DATA/").replace(
        "baseline: baselines/",
        &format!("baseline: {}/", baselines.display()),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn the_project_gate_passes_on_its_committed_baseline() {
    let env = TestEnv::new();
    let spec = repo_root().join("experiments/ci-gate.yaml");
    let gate = env.sweep(&["gate", spec.to_str().unwrap()]);
    assert_eq!(gate.code, 0, "{gate:?}");
    assert!(gate.stdout.contains("gate passed"), "{}", gate.stdout);
    assert!(
        gate.stdout.contains("val_accuracy (best, maximize)"),
        "{}",
        gate.stdout
    );
    // The gate ran in a temporary store: nothing was left behind.
    assert!(!env.store().exists());
}

#[test]
fn a_learning_rate_1000_times_too_large_fails_the_gate() {
    let env = TestEnv::new();
    let text = project_gate();
    assert!(
        text.contains("lr: 0.003"),
        "the harmful change no longer applies:\n{text}"
    );
    let harmful = env.write_spec("ci-gate.yaml", &text.replace("lr: 0.003", "lr: 3.0"));
    let gate = env.sweep(&["gate", harmful.to_str().unwrap()]);
    assert_eq!(gate.code, 1, "{gate:?}");
    // Adam still reaches a fair accuracy on the digits at that rate, but its loss explodes.
    let row = gate
        .stdout
        .lines()
        .find(|l| l.starts_with("val_loss (best, minimize)"))
        .unwrap_or_else(|| panic!("no val_loss row:\n{}", gate.stdout));
    assert!(row.ends_with("REGRESSION"), "{row}");
    assert!(
        gate.stdout.contains("gate FAILED") && gate.stdout.contains("the experiment file changed"),
        "{}",
        gate.stdout
    );
}

#[test]
fn a_recorded_baseline_round_trips_and_every_format_agrees() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", &tiny_gate(3, 1, "  max_regression_abs: 0.0\n"));
    let spec = spec.to_str().unwrap();
    let update = env.sweep(&["gate", spec, "--update-baseline"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert!(update.stdout.contains("written to"), "{}", update.stdout);
    // The folder did not exist: the user hears that it was made, and where paths count from.
    assert!(
        update.stderr.contains("note: created folder ")
            && update
                .stderr
                .contains("a path in the file is relative to the file's folder"),
        "{}",
        update.stderr
    );
    let file = env.path().join("base/tiny.json");
    assert!(
        !env.path().join("base/.tiny.json.part").exists(),
        "written aside, then renamed"
    );
    let baseline = json(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(baseline["format"], "sweep-gate-baseline");
    // Version 4: its settings are in the run record's notation, compared, and in the YAML's
    // words beside it, for review (and it says why it has no commit: the scratch folder is no
    // checkout).
    assert_eq!(baseline["version"], 4);
    assert_eq!(baseline["experiment"], "tinygate");
    assert_eq!(baseline["metrics"]["val_loss"]["aggregate"], "final");
    assert_eq!(
        baseline["metrics"]["val_accuracy"]["values"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let provenance = &baseline["provenance"];
    assert!(provenance["sweep_version"].is_string(), "{provenance}");
    assert!(
        provenance["machine"].as_str().unwrap().contains(" core"),
        "{provenance}"
    );
    // The scratch folder is no git repository, and the baseline says so (in a file of
    // version 4, checked above: a Sweep that reads only version 1 says so by its version).
    assert!(provenance["commit"].is_null(), "{provenance}");
    assert_eq!(
        provenance["no_commit"], "not inside a git checkout",
        "{provenance}"
    );
    // `sweep validate` says where the baseline came from, and notes an edited file.
    let validate = env.sweep(&["validate", spec]);
    assert_eq!(validate.code, 0, "{validate:?}");
    assert!(
        validate.stdout.contains("(present, recorded ")
            && validate
                .stdout
                .contains(" UTC, experiment file outside any git checkout, sweep ")
            && !validate.stdout.contains("changed since"),
        "{}",
        validate.stdout
    );
    // A reason carrying git's words is shown, not acted on: a control character in it is
    // escaped (a review's find: validate printed it raw).
    let recorded = std::fs::read_to_string(&file).unwrap();
    let hostile = recorded.replace(
        "\"not inside a git checkout\"",
        "\"git refused the folder: \\u001b[31mred\"",
    );
    assert_ne!(hostile, recorded, "{recorded}");
    std::fs::write(&file, hostile).unwrap();
    let validate = env.sweep(&["validate", spec]);
    assert_eq!(validate.code, 0, "{validate:?}");
    assert!(
        validate.stdout.contains("git refused the folder: ") && !validate.stdout.contains('\u{1b}'),
        "{}",
        validate.stdout
    );
    std::fs::write(&file, &recorded).unwrap();
    // The baseline records how its runs ran: side by side, on which data, with which settings
    // (without the paths, which differ between checkouts).
    let run = &baseline["run"];
    assert_eq!(run["parallel"], 2, "{run}");
    assert_eq!(run["data_sha256"].as_str().map(str::len), Some(64), "{run}");
    let lines = |key: &str| -> Vec<&str> {
        run[key]
            .as_array()
            .unwrap_or_else(|| panic!("no run.{key} in {run}"))
            .iter()
            .filter_map(|l| l.as_str())
            .collect()
    };
    // What the gate compares: the run record's notation, which stays as it is whichever words
    // a build writes for people.
    let compared = lines("resolved_spec");
    for want in [
        "name: \"tinygate\"",
        "method: Grid(GridConfig { shuffle: false })",
        "parallel: Some(2)",
        "seed: 3",
    ] {
        assert!(compared.contains(&want), "no `{want}` in {compared:?}");
    }
    // Beside it, each setting in the words of the YAML, for review (an issue: the file held
    // the notation only, `method: Grid(GridConfig { shuffle: false })`, `parallel: Some(2)`).
    let settings = lines("settings");
    assert_eq!(settings.len(), compared.len(), "{run}");
    for want in [
        "name: tinygate",
        "method: grid (shuffle: false)",
        "parallel: 2",
        "data.format: csv",
        "seed: 3",
    ] {
        assert!(settings.contains(&want), "no `{want}` in {settings:?}");
    }
    assert!(
        !settings
            .iter()
            .any(|l| l.contains("Some(") || l.contains("Config {") || l.contains("Float(")),
        "{settings:?}"
    );
    assert!(
        !compared
            .iter()
            .chain(&settings)
            .any(|l| l.starts_with("data.file")),
        "{run}"
    );
    // The words are for review: other words (another build's) change nothing the gate sees.
    let reworded = recorded.replace("\"method: grid (shuffle: false)\"", "\"method = grid\"");
    assert_ne!(reworded, recorded);
    std::fs::write(&file, reworded).unwrap();
    let validate = env.sweep(&["validate", spec]);
    assert!(
        validate.code == 0 && !validate.stdout.contains("changed since"),
        "{validate:?}"
    );
    std::fs::write(&file, &recorded).unwrap();
    // A comment, or Windows line ends, change no setting: nothing to note.
    let original = std::fs::read_to_string(spec).unwrap();
    let commented = format!("{original}# a comment\n").replace('\n', "\r\n");
    std::fs::write(spec, commented).unwrap();
    let validate = env.sweep(&["validate", spec]);
    assert!(
        !validate.stdout.contains("changed since"),
        "{}",
        validate.stdout
    );
    // A setting edited is named, then and now.
    std::fs::write(spec, original.replace("lr: 0.003", "lr: 0.004")).unwrap();
    for out in [
        env.sweep(&["validate", spec]).stdout,
        env.sweep(&["gate", spec]).stdout,
    ] {
        assert!(
            out.contains("note: the experiment file changed since the baseline was recorded")
                && out.contains("  - train.lr: 0.003\n")
                && out.contains("  + train.lr: 0.004\n"),
            "{out}"
        );
    }
    std::fs::write(spec, original).unwrap();

    // An unchanged run on the same machine matches its baseline exactly, even with no tolerance.
    let again = env.sweep(&["gate", spec, "--format", "json"]);
    assert_eq!(again.code, 0, "{again:?}");
    let report = json(&again.stdout);
    assert_eq!(report["passed"], true);
    // Where this run ran, beside where the baseline was recorded.
    assert!(
        report["current"]["sweep_version"].is_string()
            && report["current"]["machine"]
                .as_str()
                .unwrap()
                .contains(" core"),
        "{report}"
    );
    for m in report["metrics"].as_array().unwrap() {
        assert_eq!(m["delta"], 0.0, "{m}");
        assert_eq!(m["verdict"], "pass", "{m}");
    }
    let markdown = env.sweep(&["gate", spec, "--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{markdown:?}");
    assert!(
        markdown
            .stdout
            .starts_with("### Sweep gate `tinygate`: passed"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("| `val_loss (final, minimize)` |"),
        "{}",
        markdown.stdout
    );
    // The footer names the baseline once: "baseline `FILE`: recorded ...".
    assert!(
        markdown.stdout.contains("base/tiny.json`: recorded ")
            && !markdown.stdout.contains(": baseline recorded"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn a_baseline_names_the_build_that_recorded_it_and_one_from_before_versions_still_reads() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", &tiny_gate(3, 1, "  max_regression_abs: 0.0\n"));
    let spec = spec.to_str().unwrap();
    let build = this_build();
    assert_ne!(build, "0.0.0");
    // The experiment file lies outside git, so the one commit named is the build's.
    let shown = match build.strip_suffix(')').and_then(|b| b.split_once(" (")) {
        Some((version, commit)) => format!("{version} built from commit {commit}"),
        None => build.clone(),
    };
    let update = env.sweep(&["gate", spec, "--update-baseline"]);
    assert_eq!(update.code, 0, "{update:?}");
    // The baseline keeps why it has no commit: git said the folder is in no checkout.
    assert!(
        update.stdout.contains(&format!(
            "experiment file outside any git checkout, sweep {shown}, on "
        )),
        "{}",
        update.stdout
    );
    // So does this run's record, and the gate says both alike.
    let gate = env.sweep(&["gate", spec]);
    assert_eq!(gate.code, 0, "{gate:?}");
    let outside = format!("experiment file outside any git checkout, sweep {shown}, on ");
    assert!(
        gate.stdout.contains(&format!("this run: {outside}"))
            && gate.stdout.contains(&format!(" UTC, {outside}")),
        "{}",
        gate.stdout
    );
    let file = env.path().join("base/tiny.json");
    let mut baseline = json(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(baseline["provenance"]["sweep_version"], build.as_str());
    let report = json(&env.sweep(&["gate", spec, "--format", "json"]).stdout);
    assert_eq!(report["baseline"]["commit"], serde_json::Value::Null);
    assert_eq!(
        report["baseline"]["no_commit"], "not inside a git checkout",
        "{report}"
    );

    // A baseline recorded before it kept a reason reads, and claims none.
    let provenance = baseline["provenance"].as_object_mut().unwrap();
    assert!(provenance.remove("no_commit").is_some(), "{provenance:?}");
    std::fs::write(&file, serde_json::to_string_pretty(&baseline).unwrap()).unwrap();
    let gate = env.sweep(&["gate", spec]);
    assert_eq!(gate.code, 0, "{gate:?}");
    assert!(
        gate.stdout.contains(&format!(
            " UTC, experiment file's commit not recorded, sweep {shown}, on "
        )),
        "{}",
        gate.stdout
    );
    let report = json(&env.sweep(&["gate", spec, "--format", "json"]).stdout);
    assert!(report["baseline"].get("no_commit").is_none(), "{report}");

    // Every build before Sweep had a version recorded 0.0.0: such a baseline reads, and the
    // reports say what it was, beside this build.
    baseline["provenance"]["sweep_version"] = "0.0.0".into();
    std::fs::write(&file, serde_json::to_string_pretty(&baseline).unwrap()).unwrap();
    let old = "sweep 0.0.0 (unversioned, before 0.1.0), on ";
    for format in ["table", "markdown"] {
        let gate = env.sweep(&["gate", spec, "--format", format]);
        assert_eq!(gate.code, 0, "{gate:?}");
        assert!(
            gate.stdout.contains(old) && gate.stdout.contains(&format!(", sweep {shown}, on ")),
            "{}",
            gate.stdout
        );
    }
    let validate = env.sweep(&["validate", spec]);
    assert!(validate.stdout.contains(old), "{}", validate.stdout);
    // JSON gives the versions as recorded.
    let gate = env.sweep(&["gate", spec, "--format", "json"]);
    let report = json(&gate.stdout);
    assert_eq!(report["baseline"]["sweep_version"], "0.0.0", "{report}");
    assert_eq!(
        report["current"]["sweep_version"],
        build.as_str(),
        "{report}"
    );
    // And why this run has no commit, as the text's "this run" line says it.
    assert_eq!(report["current"]["commit"], serde_json::Value::Null);
    assert_eq!(
        report["current"]["no_commit"], "not inside a git checkout",
        "{report}"
    );
}

#[test]
fn a_gate_runs_as_its_baseline_ran_and_says_when_a_new_one_lowers_or_could_raise_the_bar() {
    let env = TestEnv::new();
    // TPE, without `parallel:` in the file, past its startup trials: its configurations
    // depend on the trials side by side, which the baseline records, rather than on the cores
    // of the machine.
    let text = tiny_gate(5, 1, "  max_regression_abs: 0.0\n")
        .replace(
            "method: grid\nparallel: 2\n",
            "method: tpe\nsampler: {n_startup_trials: 2}\nrun_cap: 4\n",
        )
        .replace(
            "  depth: {values: [1]}\n",
            "  lr: {distribution: log_uniform_values, min: 0.001, max: 0.01}\n",
        )
        .replace(", lr: 0.003}", "}");
    let spec = env.write_spec("tpe.yaml", &text);
    let spec = spec.to_str().unwrap();
    // As written, its data path made absolute.
    let text = std::fs::read_to_string(spec).unwrap();
    let update = env.sweep(&["gate", spec, "--update-baseline", "--parallel", "3"]);
    assert_eq!(update.code, 0, "{update:?}");
    let baseline = json(&std::fs::read_to_string(env.path().join("base/tiny.json")).unwrap());
    assert_eq!(baseline["run"]["parallel"], 3);
    let gate = env.sweep(&["gate", spec, "--format", "json"]);
    assert_eq!(gate.code, 0, "{gate:?}");
    let report = json(&gate.stdout);
    assert_eq!(
        report["notes"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    for m in report["metrics"].as_array().unwrap() {
        assert_eq!(m["delta"], 0.0, "run 3 side by side, as the baseline: {m}");
    }
    // Run otherwise, the gate says why the values may differ.
    let other = env.sweep(&["gate", spec, "--parallel", "1"]);
    assert!(
        other.stdout.contains(
            "note: this gate ran one trial at a time and the baseline 3 trials side by side: \
             with `method: tpe`"
        ),
        "{other:?}"
    );

    // A baseline recorded from a worse run says it lowers the bar; the better run then passes
    // as improved and is told how to record it.
    let worse = text.replace("epochs: 3", "epochs: 1");
    std::fs::write(spec, &worse).unwrap();
    let lowered = env.sweep(&["gate", spec, "--update-baseline"]);
    assert_eq!(lowered.code, 0, "{lowered:?}");
    assert!(
        lowered.stdout.contains(
            "note: under the baseline it replaces, this run fails the gate (val_accuracy"
        ),
        "{}",
        lowered.stdout
    );
    std::fs::write(spec, &text).unwrap();
    let better = env.sweep(&["gate", spec]);
    assert_eq!(better.code, 0, "{better:?}");
    assert!(
        better
            .stdout
            .contains("improved beyond the threshold: `sweep gate ")
            && better
                .stdout
                .contains(" --update-baseline` records the new values")
            && better.stdout.contains("- train.epochs: 1"),
        "{}",
        better.stdout
    );
}

#[test]
fn with_repeats_seed_noise_is_absorbed() {
    let env = TestEnv::new();
    let noise =
        |k: u32| format!("  noise_k: {k}\n  max_regression_abs: 0.0\n  max_regression_rel: 0.0\n");
    let spec = env.write_spec("tiny.yaml", &tiny_gate(2, 3, &noise(3)));
    let update = env.sweep(&["gate", spec.to_str().unwrap(), "--update-baseline"]);
    assert_eq!(update.code, 0, "{update:?}");
    // Another seed: other weights and batches, a change that makes no difference in expectation.
    // Here it happens to come out worse, which only the noise allowance lets through.
    let other = env.write_spec("tiny.yaml", &tiny_gate(1, 3, &noise(3)));
    let gate = env.sweep(&["gate", other.to_str().unwrap(), "--format", "json"]);
    assert_eq!(gate.code, 0, "{gate:?}");
    let report = json(&gate.stdout);
    let accuracy = &report["metrics"][0];
    assert_eq!(accuracy["metric"], "val_accuracy");
    assert_eq!(accuracy["current"]["n"], 3, "{accuracy}");
    assert!(accuracy["delta"].as_f64().unwrap() < 0.0, "{accuracy}");
    assert!(accuracy["noise"].as_f64().unwrap() > 0.0, "{accuracy}");
    assert_eq!(accuracy["verdict"], "pass", "{accuracy}");
    // Without the allowance the same difference is a regression.
    let strict = env.write_spec("tiny.yaml", &tiny_gate(1, 3, &noise(0)));
    let gate = env.sweep(&["gate", strict.to_str().unwrap()]);
    assert_eq!(gate.code, 1, "{gate:?}");
}

#[test]
fn a_gate_run_into_a_store_keeps_its_repeats_and_their_checkpoints() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", &tiny_gate(3, 2, "  max_regression_abs: 0.0\n"));
    let spec = spec.to_str().unwrap();
    let store = env.path().join("kept");
    let store = store.to_str().unwrap();
    let update = env.sweep(&["gate", spec, "--update-baseline", "--store", store]);
    assert_eq!(update.code, 0, "{update:?}");
    for (name, trial) in [("tinygate", "tinygate/0"), ("tinygate.r1", "tinygate.r1/0")] {
        assert!(
            env.path()
                .join("kept/checkpoints")
                .join(name)
                .join("0.json")
                .is_file(),
            "{name}"
        );
        let card = env.sweep(&["show", trial, "--store", store]);
        assert!(
            card.stdout.contains("predict     sweep predict"),
            "{}",
            card.stdout
        );
    }
    // Run again into the same store: refused, since a gate runs from scratch.
    let again = env.sweep(&["gate", spec, "--store", store]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again
        .stderr
        .contains("the store already holds experiment `tinygate`"));
    // With the command that clears them, every repeat named.
    assert!(
        again
            .stderr
            .contains("go with `sweep rm tinygate tinygate.r1"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_run_without_a_completed_trial_is_said_to_be_why_a_metric_has_no_value() {
    let env = TestEnv::new();
    let good = env.write_spec("tiny.yaml", &tiny_gate(3, 1, "  max_regression_abs: 0.0\n"));
    assert_eq!(
        env.sweep(&["gate", good.to_str().unwrap(), "--update-baseline"])
            .code,
        0
    );
    // No trial can meet the constraint: the run has no best trial, so no value of any guarded
    // metric.
    let text = tiny_gate(3, 1, "  max_regression_abs: 0.0\n")
        .replace("gate:\n", "constraints: {param_count: {max: 10}}\ngate:\n");
    let broken = env.write_spec("tiny.yaml", &text);
    let gate = env.sweep(&["gate", broken.to_str().unwrap()]);
    assert_eq!(gate.code, 1, "{gate:?}");
    assert!(gate.stdout.contains("REGRESSION"), "{}", gate.stdout);
    assert!(
        gate.stderr.contains(
            "note: run 1 of 1 (`tinygate`) has no completed trial that meets the constraints"
        ),
        "{}",
        gate.stderr
    );
}

#[test]
fn bad_baselines_exit_2_with_the_file_and_what_was_expected() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", &tiny_gate(3, 1, "  max_regression_abs: 0.0\n"));
    let spec = spec.to_str().unwrap();
    let missing = env.sweep(&["gate", spec]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("no baseline file") && missing.stderr.contains("--update-baseline"),
        "{}",
        missing.stderr
    );
    std::fs::create_dir_all(env.path().join("base")).unwrap();
    let cases = [
        (
            "{\"format\": \"sweep-gate-baseline\", \"version\": 1, \"metrics\": 3}",
            "invalid type: integer `3`, expected a map",
        ),
        ("not json", "expected a sweep gate baseline"),
        (
            "{\"format\": \"sweep-gate-baseline\", \"version\": 5}",
            "baseline version 5 is not one this sweep reads (it reads versions 1 to 4): a newer \
             sweep wrote it",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(env.path().join("base/tiny.json"), text).unwrap();
        let gate = env.sweep(&["gate", spec]);
        assert_eq!(gate.code, 2, "{gate:?}");
        assert!(
            gate.stderr.contains("base/tiny.json") && gate.stderr.contains(want),
            "want `{want}`:\n{}",
            gate.stderr
        );
    }
    // A baseline of this experiment lacks the guarded metric.
    let other =
        "{\"format\": \"sweep-gate-baseline\", \"version\": 1, \"experiment\": \"tinygate\", \
                 \"spec_sha256\": \"\", \"metrics\": {\"train_loss\": {\"aggregate\": \"best\", \
                 \"goal\": \"minimize\", \"values\": [0.5]}}, \"provenance\": {\"commit\": null, \
                 \"dirty\": null, \"date\": \"2025-01-01T00:00:00Z\", \"machine\": \"m\", \
                 \"sweep_version\": \"0.0.0\"}}";
    std::fs::write(env.path().join("base/tiny.json"), other).unwrap();
    let gate = env.sweep(&["gate", spec]);
    assert_eq!(gate.code, 2, "{gate:?}");
    assert!(
        gate.stderr
            .contains("the baseline has no values for metric `val_accuracy`"),
        "{}",
        gate.stderr
    );
    // A hand-edited accuracy in percent is refused before any training, not compared as given.
    let percent = other
        .replace("train_loss", "val_accuracy")
        .replace("minimize", "maximize")
        .replace("[0.5]", "[97.5]");
    std::fs::write(env.path().join("base/tiny.json"), &percent).unwrap();
    let gate = env.sweep(&["gate", spec]);
    assert_eq!(gate.code, 2, "{gate:?}");
    assert!(
        gate.stderr.contains("base/tiny.json")
            && gate.stderr.contains(
                "val_accuracy is a fraction from 0 to 1 (write 0.975 for 97.5%), found 97.5"
            )
            && !gate.stdout.contains("trial"),
        "{gate:?}"
    );
    // A baseline of another experiment that also lacks the metric is said to be another's:
    // what it lacks is beside the point.
    let lacking = other.replace("\"experiment\": \"tinygate\"", "\"experiment\": \"x\"");
    std::fs::write(env.path().join("base/tiny.json"), &lacking).unwrap();
    let gate = env.sweep(&["gate", spec]);
    assert_eq!(gate.code, 2, "{gate:?}");
    assert!(
        gate.stderr
            .contains("base/tiny.json was recorded for experiment `x`")
            && !gate.stderr.contains("has no values"),
        "{gate:?}"
    );
    // A baseline recorded for another experiment, however well formed, is not taken.
    let foreign = lacking.replace(
        "\"train_loss\": {\"aggregate\": \"best\", \"goal\": \"minimize\", \"values\": [0.5]}",
        "\"val_accuracy\": {\"aggregate\": \"best\", \"goal\": \"maximize\", \"values\": [0.5]}, \
             \"val_loss\": {\"aggregate\": \"final\", \"goal\": \"minimize\", \"values\": [0.5]}",
    );
    std::fs::write(env.path().join("base/tiny.json"), &foreign).unwrap();
    let gate = env.sweep(&["gate", spec]);
    assert_eq!(gate.code, 2, "{gate:?}");
    assert!(
        gate.stderr
            .contains("base/tiny.json was recorded for experiment `x`")
            && gate.stderr.contains("is `tinygate`")
            && !gate.stdout.contains("trial"),
        "{gate:?}"
    );
    // A baseline that could not be written is said before any training.
    std::fs::write(env.path().join("plainfile"), "").unwrap();
    let unwritable = env.write_spec(
        "unwritable.yaml",
        &tiny_gate(3, 1, "  max_regression_abs: 0.0\n")
            .replace("baseline: base/tiny.json", "baseline: plainfile/b.json"),
    );
    let update = env.sweep(&["gate", unwritable.to_str().unwrap(), "--update-baseline"]);
    assert_eq!(update.code, 2, "{update:?}");
    assert!(
        update.stderr.contains("gate.baseline at ")
            && update.stderr.contains("plainfile/b.json: ")
            && update.stderr.contains("plainfile is a file, not a folder")
            && !update.stderr.contains("trial 0"),
        "{update:?}"
    );
    // A device is no baseline (`/dev/null` would swallow it).
    let device = env.write_spec(
        "device.yaml",
        &tiny_gate(3, 1, "  max_regression_abs: 0.0\n")
            .replace("baseline: base/tiny.json", "baseline: /dev/null"),
    );
    let update = env.sweep(&["gate", device.to_str().unwrap(), "--update-baseline"]);
    assert_eq!(update.code, 2, "{update:?}");
    assert!(
        update
            .stderr
            .contains("/dev/null is not a file (a device or a pipe)")
            && !update.stderr.contains("trial 0"),
        "{update:?}"
    );
    // `sweep validate` checks the baseline too, and does not call the file ok.
    let validate = env.sweep(&["validate", spec]);
    assert_eq!(validate.code, 2, "{validate:?}");
    assert!(
        validate.stderr.contains("was recorded for experiment `x`"),
        "{validate:?}"
    );
    std::fs::write(env.path().join("base/tiny.json"), &percent).unwrap();
    let validate = env.sweep(&["validate", spec]);
    assert_eq!(validate.code, 2, "{validate:?}");
    assert!(
        validate.stderr.contains("found 97.5") && !validate.stdout.contains("ok"),
        "{validate:?}"
    );
}

#[test]
fn ctrl_c_stops_a_gate_without_a_verdict_or_a_baseline() {
    use std::process::Stdio;

    let env = TestEnv::new();
    // Five runs of 30 epochs: long enough to be caught after the first.
    let text = tiny_gate(4, 5, "  max_regression_abs: 0.01\n").replace("epochs: 3", "epochs: 30");
    let spec = env.write_spec("tiny.yaml", &text);
    let mut child = env
        .command(&["gate", spec.to_str().unwrap(), "--update-baseline"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, seen) = crate::ctrl_c_after_first_completion(&mut child);
    let stderr = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("stopping: the running trials stop after their current epoch")
            && stderr.contains("of 5: no verdict, and no baseline written"),
        "{stderr}"
    );
    assert!(!env.path().join("base/tiny.json").exists());
}

#[test]
fn ctrl_c_that_keeps_a_runs_trial_at_its_last_epoch_still_stops_the_gate_in_that_run() {
    use std::process::Stdio;

    let env = TestEnv::new();
    // Three runs of one 1-epoch trial: every report is a trial's last, so the stop keeps the
    // trial it meets, and that run's study ends finished.
    let text = tiny_gate(4, 3, "  max_regression_abs: 0.01\n").replace("epochs: 3", "epochs: 1");
    let spec = env.write_spec("tiny.yaml", &text);
    let store = env.path().join("runs");
    let mut child = env
        .command(&[
            "gate",
            spec.to_str().unwrap(),
            "--update-baseline",
            "--store",
            store.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, seen) = crate::ctrl_c_after_first_completion(&mut child);
    let stderr = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(!env.path().join("base/tiny.json").exists(), "{stderr}");
    // The run named is one that ran a trial: the stop came in it (its trial kept or cut), or
    // after it (as its values were read), not in a next one that started nothing.
    let run: usize = stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("gate stopped in run ")
                .or_else(|| l.strip_prefix("gate stopped after run "))
        })
        .and_then(|l| l.strip_suffix(" of 3: no verdict, and no baseline written"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `gate stopped in (after) run N of 3` in:\n{stderr}"));
    let name = match run {
        1 => "tinygate".to_string(),
        n => format!("tinygate.r{}", n - 1),
    };
    let trials = env.sweep(&[
        "trials",
        &name,
        "--store",
        store.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(trials.code, 0, "{trials:?}");
    let trials: Vec<serde_json::Value> = serde_json::from_str(&trials.stdout).unwrap();
    assert_eq!(
        trials.len(),
        1,
        "run {run} ({name}) ran no trial:\n{stderr}"
    );
}

#[test]
fn issue_update_baseline_overwrites_only_a_baseline() {
    let env = TestEnv::new();
    std::fs::copy(
        repo_root().join("experiments/data/digits.csv"),
        env.path().join("digits.csv"),
    )
    .unwrap();
    // A typo in gate.baseline that names the experiment file itself, or its data: refused before
    // any training, the file untouched.
    for target in ["tiny.yaml", "digits.csv"] {
        let spec = env.write_spec(
            "tiny.yaml",
            &tiny_gate(3, 1, "  max_regression_abs: 0.0\n")
                .replace("baseline: base/tiny.json", &format!("baseline: {target}")),
        );
        assert!(spec.ends_with("tiny.yaml"));
        let before = std::fs::read(env.path().join(target)).unwrap();
        // Run from the scratch folder, so that the paths are shown as written.
        let update = env.sweep(&["gate", "tiny.yaml", "--update-baseline"]);
        assert_eq!(update.code, 2, "{update:?}");
        assert!(
            update.stderr.contains(&format!(
                "gate.baseline at tiny.yaml:12:13 names {target}, which is not a Sweep baseline, \
                 so --update-baseline does not overwrite it: {target}:1:"
            )) && update.stderr.contains("expected a sweep gate baseline")
                && update.stderr.contains(&format!(
                    "name another file in gate.baseline, or delete {target} first"
                ))
                && !update.stderr.contains("trial"),
            "{update:?}"
        );
        assert_eq!(std::fs::read(env.path().join(target)).unwrap(), before);
    }
    // A baseline broken by hand is still one: replacing it is what --update-baseline is for.
    let spec = env.write_spec("tiny.yaml", &tiny_gate(3, 1, "  max_regression_abs: 0.0\n"));
    std::fs::create_dir_all(env.path().join("base")).unwrap();
    std::fs::write(
        env.path().join("base/tiny.json"),
        "{\"format\": \"sweep-gate-baseline\", \"version\": 1, oops",
    )
    .unwrap();
    let update = env.sweep(&["gate", spec.to_str().unwrap(), "--update-baseline"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert!(
        update
            .stderr
            .contains("note: replacing a damaged baseline: ")
            && update
                .stderr
                .contains("base/tiny.json:1:49: key must be a string"),
        "{update:?}"
    );
    let written = json(&std::fs::read_to_string(env.path().join("base/tiny.json")).unwrap());
    assert_eq!(written["experiment"], "tinygate");
}

#[test]
fn issue_suggested_commands_are_shell_quoted() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path().join("my exp/base")).unwrap();
    env.write_spec(
        "my exp/g 1.yaml",
        &tiny_gate(3, 1, "  max_regression_abs: 0.0\n"),
    );
    let file = "my exp/g 1.yaml";
    let command = "`sweep gate 'my exp/g 1.yaml' --update-baseline`";
    // No baseline yet: the gate and `sweep validate` say how to record one.
    let missing = env.sweep(&["gate", file]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains(command), "{}", missing.stderr);
    let validate = env.sweep(&["validate", file]);
    assert!(validate.stdout.contains(command), "{validate:?}");
    // A baseline that does not match the gate, and one of another experiment.
    let mut baseline = serde_json::json!({
        "format": "sweep-gate-baseline", "version": 1, "experiment": "tinygate",
        "spec_sha256": "",
        "metrics": {"val_accuracy": {"aggregate": "best", "goal": "maximize", "values": [0.5]}},
        "provenance": {"commit": null, "dirty": null, "date": "2025-01-01T00:00:00Z",
                       "machine": "m", "sweep_version": "0.0.0"}
    });
    let path = env.path().join("my exp/base/tiny.json");
    std::fs::write(&path, baseline.to_string()).unwrap();
    let mismatch = env.sweep(&["gate", file]);
    assert_eq!(mismatch.code, 2, "{mismatch:?}");
    assert!(
        mismatch.stderr.contains("val_loss") && mismatch.stderr.contains(command),
        "{}",
        mismatch.stderr
    );
    baseline["experiment"] = "x".into();
    std::fs::write(&path, baseline.to_string()).unwrap();
    let foreign = env.sweep(&["gate", file]);
    assert_eq!(foreign.code, 2, "{foreign:?}");
    assert!(
        foreign.stderr.contains("recorded for experiment `x`")
            && foreign
                .stderr
                .contains("record this one's with `sweep gate 'my exp/g 1.yaml' "),
        "{}",
        foreign.stderr
    );
}

#[test]
fn issue_update_baseline_honours_the_format_and_the_spec_order() {
    let env = TestEnv::new();
    // A count guarded last: out of alphabetical order, and a whole number.
    let text = tiny_gate(3, 2, "  max_regression_abs: 0.0\n").replace(
        "    val_loss: {aggregate: final}\n",
        "    val_loss: {aggregate: final}\n    param_count: {aggregate: final}\n",
    );
    let spec = env.write_spec("tiny.yaml", &text);
    let spec = spec.to_str().unwrap();
    let table = env.sweep(&["gate", spec, "--update-baseline"]);
    assert_eq!(table.code, 0, "{table:?}");
    let names: Vec<&str> = table
        .stdout
        .lines()
        .filter_map(|l| l.split(" (").next())
        .filter(|l| ["val_accuracy", "val_loss", "param_count"].contains(l))
        .collect();
    assert_eq!(
        names,
        ["val_accuracy", "val_loss", "param_count"],
        "{}",
        table.stdout
    );
    let count = table
        .stdout
        .lines()
        .find(|l| l.starts_with("param_count (final, minimize)"))
        .unwrap();
    // As the gate's table shows it: `1210 ± 0`, not `1210.0000 ± 0.0000`.
    assert!(count.ends_with(" ± 0") && !count.contains(".0"), "{count}");

    let markdown = env.sweep(&["gate", spec, "--update-baseline", "--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{markdown:?}");
    let out = &markdown.stdout;
    assert!(
        out.starts_with(
            "### Sweep gate `tinygate`: baseline recorded\n\n| metric | values | mean |\n"
        ) && out.contains("| `param_count (final, minimize)` | ")
            && out.contains("\nWritten to `")
            && !out.contains("baseline of tinygate written"),
        "{out}"
    );

    // A worse run: the JSON carries the note that the bar goes down, and nothing else is said
    // on standard output.
    let written = std::fs::read_to_string(spec).unwrap();
    std::fs::write(spec, written.replace("epochs: 3", "epochs: 1")).unwrap();
    let lowered = env.sweep(&["gate", spec, "--update-baseline", "--format", "json"]);
    assert_eq!(lowered.code, 0, "{lowered:?}");
    let doc = json(&lowered.stdout);
    assert_eq!(doc["experiment"], "tinygate");
    assert_eq!(doc["baseline_written"], true);
    assert!(
        doc["baseline"]["file"]
            .as_str()
            .unwrap()
            .ends_with("base/tiny.json"),
        "{doc}"
    );
    let names: Vec<&str> = doc["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["val_accuracy", "val_loss", "param_count"], "{doc}");
    assert_eq!(
        doc["metrics"][0]["values"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(doc["metrics"][2]["baseline"]["std_error"], 0.0, "{doc}");
    let note = doc["notes"][0]["note"].as_str().unwrap();
    assert!(
        note.starts_with("note: under the baseline it replaces, this run fails the gate")
            && note.ends_with("the new baseline lowers the bar"),
        "{doc}"
    );
}

#[test]
fn issue_a_baseline_that_cannot_be_recorded_stops_at_the_run_that_says_so() {
    let env = TestEnv::new();
    // No trial can meet the constraint: run 1 has no value, so no baseline can be recorded, and
    // runs 2 and 3 do not train for nothing.
    let text = tiny_gate(3, 3, "  max_regression_abs: 0.0\n")
        .replace("gate:\n", "constraints: {param_count: {max: 10}}\ngate:\n");
    let spec = env.write_spec("tiny.yaml", &text);
    let update = env.sweep(&["gate", spec.to_str().unwrap(), "--update-baseline"]);
    assert_eq!(update.code, 2, "{update:?}");
    assert!(
        update.stderr.contains(
            "error: cannot record a baseline: run 1 of 3 (`tinygate`) has no completed trial \
             that meets the constraints, so it has no value of the guarded metrics: every trial \
             failed, broke a constraint, or was pruned; run it into a store (--store DIR) to see \
             why"
        ) && update.stderr.contains("starting tinygate:")
            && !update.stderr.contains("starting tinygate.r1"),
        "{update:?}"
    );
    assert!(!env.path().join("base/tiny.json").exists());
}

#[test]
fn issue_the_documented_repeat_seed_is_the_one_computed() {
    // The formula as experiments/README.md states it, word for word below.
    let documented =
        "`repeat_seed(seed, r) = step(step(seed) ^ (r * 0xD1B54A32D192ED03))`, where\n\
                      `step(x) = mix(x + 0x9E3779B97F4A7C15)` is one output of SplitMix64 (its \
                      increment, then its\nfinalizer `mix(z)`: `z = (z ^ (z >> 30)) * \
                      0xBF58476D1CE4E5B9`,\n`z = (z ^ (z >> 27)) * 0x94D049BB133111EB`, \
                      `z ^ (z >> 31)`), every operation on 64 bits,\nwrapping.";
    let readme = std::fs::read_to_string(repo_root().join("experiments/README.md")).unwrap();
    assert!(
        readme.contains(documented),
        "experiments/README.md no longer says:\n{documented}"
    );
    let mix = |z: u64| {
        let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let step = |x: u64| mix(x.wrapping_add(0x9E37_79B9_7F4A_7C15));
    for seed in [0, 1, 3, 2024, u64::MAX] {
        assert_eq!(experiment::repeat_seed(experiment::Seed(seed), 0).0, seed);
        for r in [1_u32, 2, 99] {
            let documented = step(step(seed) ^ u64::from(r).wrapping_mul(0xD1B5_4A32_D192_ED03));
            assert_eq!(
                experiment::repeat_seed(experiment::Seed(seed), r).0,
                documented,
                "seed {seed}, repeat {r}"
            );
        }
    }
}

/// Writes `base/tiny.json` as an earlier run recorded `tinygate`, with `resolved_spec` as its
/// recorded settings (and no spec hash, so the file reads as changed).
fn write_baseline_resolving(env: &TestEnv, resolved_spec: serde_json::Value) {
    std::fs::create_dir_all(env.path().join("base")).unwrap();
    let baseline = serde_json::json!({
        "format": "sweep-gate-baseline",
        "version": 1,
        "experiment": "tinygate",
        "spec_sha256": "",
        "metrics": {
            "val_accuracy": {"aggregate": "best", "goal": "maximize", "values": [0.5]},
            "val_loss": {"aggregate": "final", "goal": "minimize", "values": [1.0]},
        },
        "provenance": {
            "commit": null, "dirty": null, "date": "2025-01-01T00:00:00Z",
            "machine": "m", "sweep_version": "0.0.0",
        },
        "run": {"parallel": 2, "data_sha256": "0".repeat(64), "resolved_spec": resolved_spec},
    });
    std::fs::write(env.path().join("base/tiny.json"), baseline.to_string()).unwrap();
}

/// Issue: the note that the file changed showed the settings in the record's Rust notation
/// (`- method: Grid(GridConfig { shuffle: false })`, `searched Categorical { values: [Int(8),
/// Int(16)], probabilities: None }`); it shows them as the YAML writes them, the baseline's side
/// (text only) read back from its notation, and a line it cannot read as stored.
#[test]
fn issue_a_changed_file_is_shown_in_the_notation_of_the_yaml() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "tiny.yaml",
        &tiny_gate(3, 1, "  max_regression_abs: 0.01\n"),
    );
    let spec = spec.to_str().unwrap();
    let then = [
        "name: \"tinygate\"",
        "method: Tpe(TpeConfig { n_startup_trials: 5, n_ei_candidates: 24, multivariate: None, \
         constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true })",
        "early_stopping: Some(EarlyStopping { metric: \"val_loss\", patience: 3, min_delta: 0.0 })",
        "train.lr: searched Normal { mu: -1.0, sigma: 0.001 }",
        "model.depth: searched Categorical { values: [Int(1), Int(2)], probabilities: None }",
        "model.kind: Transformer { heads: 2 }",
    ];
    write_baseline_resolving(&env, serde_json::json!(then));
    let validate = env.sweep(&["validate", spec]);
    assert_eq!(validate.code, 0, "{validate:?}");
    let out = &validate.stdout;
    for want in [
        "- method: tpe (n_startup_trials: 5, n_ei_candidates: 24, multivariate: auto, \
         constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true)\n",
        "+ method: grid (shuffle: false)\n",
        "- early_stopping: {metric: val_loss, patience: 3, min_delta: 0.0}\n",
        "+ early_stopping: none\n",
        "- train.lr: normal(mu -1.0, sigma 0.001)\n",
        "+ train.lr: 0.003\n",
        "- model.depth: one of [1, 2]\n",
        "+ model.depth: one of [1]\n",
        "+ model.kind: mlp\n",
        // Not a name of the notation: shown as stored.
        "- model.kind: Transformer { heads: 2 }\n",
    ] {
        assert!(out.contains(want), "no `{want}` in\n{out}");
    }
    let diff = out
        .lines()
        .filter(|l| l.starts_with("  - ") || l.starts_with("  + "))
        .filter(|l| !l.contains("Transformer"));
    for line in diff {
        for notation in [
            "Config",
            "Categorical",
            "Some(",
            "Float(",
            "Int(",
            "searched",
        ] {
            assert!(
                !line.contains(notation),
                "`{notation}` in `{line}` of\n{out}"
            );
        }
    }
}

/// Issue: a baseline (a committed, hand-editable file) whose recorded settings held a line
/// nested thousands of brackets deep overflowed the stack of `sweep validate` (SIGABRT); the
/// line is shown as stored.
#[test]
fn issue_a_baseline_setting_nested_deep_is_shown_as_stored() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "tiny.yaml",
        &tiny_gate(3, 1, "  max_regression_abs: 0.01\n"),
    );
    let spec = spec.to_str().unwrap();
    let deep = format!("model.kind: {}", "[".repeat(10_000));
    write_baseline_resolving(&env, serde_json::json!([deep.clone()]));
    let validate = env.sweep(&["validate", spec]);
    assert_eq!(validate.code, 0, "{validate:?}");
    assert!(
        validate.stdout.contains(&format!("- {deep}\n")),
        "{validate:?}"
    );
}
