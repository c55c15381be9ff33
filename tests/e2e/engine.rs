//! The training engine through the binary: the best trial measured on the test split after a
//! sweep, stored and shown apart; checkpoints kept for the best trials; `sweep predict`.

use tests::TestEnv;

/// Two binary-classification trials of 3 epochs, keeping one checkpoint.
const BINARY: &str = "\
name: bc
seed: 2
run_cap: 2
parallel: 1
metric: {name: val_roc_auc}
data: {csv: DATA/breast_cancer.csv, target: diagnosis}
model: {hidden: 16}
train: {epochs: 3}
checkpoints: {keep: 1}
parameters:
  lr: {values: [0.003, 0.01]}
";

#[test]
fn a_sweep_tests_its_best_trial_and_predicts_with_its_checkpoint() {
    let env = TestEnv::new();
    let spec = env.write_spec("bc.yaml", BINARY);
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let test_part = run
        .stdout
        .split("test split: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no test split in {}", run.stdout));
    for metric in ["test_accuracy", "test_f1", "test_loss", "test_roc_auc"] {
        assert!(test_part.contains(metric), "{metric} in {test_part}");
    }
    let show = env.sweep(&["show", "bc"]);
    assert!(show.stdout.contains("test split: trial"), "{show:?}");

    let kept: Vec<String> = std::fs::read_dir(env.store().join("checkpoints").join("bc"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let trial = kept[0].trim_end_matches(".json").to_string();

    let data =
        std::fs::read_to_string(tests::repo_root().join("experiments/data/breast_cancer.csv"))
            .unwrap();
    let rows: String = data.lines().take(4).map(|l| format!("{l}\n")).collect();
    let input = env.path().join("new.csv");
    std::fs::write(&input, rows).unwrap();
    let output = env.path().join("predictions.csv");
    let predict = env.sweep(&[
        "predict",
        &format!("bc/{trial}"),
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(predict.code, 0, "{predict:?}");
    let written = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "prediction,p_benign,p_malignant");
    assert_eq!(lines.len(), 4, "{written}");
    // A refused input leaves the file that was there as it was; so does the input named as the
    // output, refused before anything is read.
    let bad = env.path().join("bad.csv");
    std::fs::write(&bad, "x,y\n1,2\n").unwrap();
    let (named, bad_input) = (format!("bc/{trial}"), bad.to_str().unwrap());
    for (input, said) in [
        (bad_input, "missing columns"),
        (output.to_str().unwrap(), "is the --input file"),
    ] {
        let out = output.to_str().unwrap();
        let refused = env.sweep(&["predict", &named, "--input", input, "--output", out]);
        assert_eq!(refused.code, 2, "{refused:?}");
        assert!(refused.stderr.contains(said), "{}", refused.stderr);
        assert_eq!(std::fs::read_to_string(&output).unwrap(), written);
    }
    // Through a link, a refused input leaves the file it names as it was too.
    let link = env.path().join("link.csv");
    std::os::unix::fs::symlink(&output, &link).unwrap();
    let out = link.to_str().unwrap();
    let refused = env.sweep(&["predict", &named, "--input", bad_input, "--output", out]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert_eq!(std::fs::read_to_string(&output).unwrap(), written);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let left: Vec<_> = std::fs::read_dir(env.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let missing = env.sweep(&["predict", "99", "--input", input.to_str().unwrap()]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("no checkpoint of trial 99"),
        "{missing:?}"
    );
    let misnamed = format!("b/{trial}");
    let args = ["predict", &misnamed, "--input", input.to_str().unwrap()];
    let missing = env.sweep(&args);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains(
            "no checkpoints of an experiment `b` in .sweep; did you mean `bc`? experiments with \
             checkpoints: bc"
        ),
        "{missing:?}"
    );
    // Two names for the experiment that disagree: which was meant is not guessed.
    let named = format!("bc/{trial}");
    let args = ["predict", &named, "--experiment", "other", "--input"];
    let both = env.sweep(&[&args[..], &[input.to_str().unwrap()]].concat());
    assert_eq!(both.code, 2, "{both:?}");
    assert!(
        both.stderr.contains(&format!(
            "`bc/{trial}` names experiment `bc`, --experiment `other`: give one, or the same twice"
        )),
        "{both:?}"
    );
}

#[test]
fn issue_a_column_single_precision_reads_with_a_loss_is_noted_under_normalize_none() {
    // x0 of Friedman #1 as a Unix timestamp, 1.7e9 + 1000 x0: single precision reads it in
    // steps of 128, and `normalize: none` trains on that, where standard scales it from its
    // values as written.
    let env = TestEnv::new();
    let friedman =
        std::fs::read_to_string(tests::repo_root().join("experiments/data/friedman1.csv")).unwrap();
    let mut lines = friedman.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let (x0, rest) = line.split_once(',').unwrap();
        let x0: f64 = x0.parse().unwrap();
        text += &format!("{:.4},{rest}\n", 1.7e9 + 1000.0 * x0);
    }
    let csv = env.path().join("stamped.csv");
    std::fs::write(&csv, text).unwrap();
    let note = "note: data: column `x0`: single precision rounds its values by up to";
    for (normalize, noted) in [("none", true), ("standard", false)] {
        let spec = env.write_spec(
            &format!("{normalize}.yaml"),
            &format!(
                "name: {normalize}\nmetric: {{name: val_rmse}}\n\
                 data: {{csv: {}, target: y, normalize: {normalize}}}\n\
                 model: {{hidden: 4}}\ntrain: {{epochs: 1}}\nrun_cap: 1\n",
                csv.display()
            ),
        );
        let file = spec.to_str().unwrap();
        let validated = env.sweep(&["validate", file]);
        assert_eq!(validated.code, 0, "{validated:?}");
        assert_eq!(
            validated.stdout.contains(note),
            noted,
            "{}",
            validated.stdout
        );
        let run = env.sweep(&["run", file, "--no-serve"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.stderr.contains(note), noted, "{}", run.stderr);
    }
}
