//! Every shipped example works: each `experiments/*.yaml` validates, and runs with a tiny
//! budget (2 trials of at most 2 epochs) on CPU.

use tests::{repo_root, TestEnv};

#[test]
fn every_example_validates_and_runs_with_a_tiny_budget() {
    let dir = repo_root().join("experiments");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "no examples in {}", dir.display());
    let env = TestEnv::new();
    for file in &files {
        let validate = env.sweep(&["validate", file.to_str().unwrap()]);
        assert_eq!(validate.code, 0, "{}: {validate:?}", file.display());
        // The same spec with a tiny budget: fewer epochs, data path made absolute.
        let text = std::fs::read_to_string(file).unwrap();
        let tiny: String = text
            .lines()
            .map(|l| two_epochs(l).replace("csv: data/", "csv: DATA/"))
            .collect::<Vec<_>>()
            .join("\n");
        let name = file.file_name().unwrap().to_str().unwrap();
        let spec = env.write_spec(name, &tiny);
        let run = env.sweep(&["run", spec.to_str().unwrap(), "--run-cap", "2"]);
        assert_eq!(run.code, 0, "{}: {run:?}", file.display());
        // The budget held: however the file writes `epochs`, no trial trained more than 2.
        let experiment = text
            .lines()
            .find_map(|l| l.strip_prefix("name:"))
            .map(|n| n.split('#').next().unwrap_or(n).trim())
            .unwrap_or_else(|| panic!("{}: no `name:` line", file.display()));
        let trials = env.reproducible_trials(experiment, ".sweep");
        assert_eq!(trials.len(), 2, "{}: {trials:?}", file.display());
        for t in &trials {
            let epochs = t["epochs_trained"].as_u64();
            assert!(
                epochs.is_some_and(|e| e <= 2),
                "{}: trial {} trained {epochs:?} epochs",
                file.display(),
                t["trial"]
            );
        }
    }
}

/// Returns `line` with the value of every `epochs:` key that is a whole number set to 2, in
/// block style (`  epochs: 40`) or flow style (`train: {epochs: 15, batch_size: 32}`), leaving
/// comments and other keys that end in `epochs` (`warmup_epochs`, `step_epochs`) alone.
fn two_epochs(line: &str) -> String {
    const KEY: &str = "epochs:";
    // A `#` after a space (or at the start) opens a comment; the examples quote none.
    let code_end = line
        .char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
        .map_or(line.len(), |(i, _)| i);
    let (code, comment) = line.split_at(code_end);
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(KEY) {
        let starts_key = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c == '{' || c == ',' || c.is_whitespace());
        let after = &rest[at + KEY.len()..];
        let value = after.trim_start();
        let digits = value.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let blank = after.len() - value.len();
        out.push_str(&rest[..at + KEY.len()]);
        if starts_key && digits > 0 {
            out.push_str(&after[..blank]);
            out.push('2');
            rest = &value[digits..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out.push_str(comment);
    out
}

#[test]
fn the_tiny_budget_rewrites_epochs_in_block_and_flow_style() {
    for (line, tiny) in [
        ("  epochs: 40", "  epochs: 2"),
        ("epochs: 40   # long", "epochs: 2   # long"),
        (
            "train: {epochs: 15, batch_size: 32, optimizer: adam}",
            "train: {epochs: 2, batch_size: 32, optimizer: adam}",
        ),
        (
            "train: {batch_size: 32,epochs: 15}",
            "train: {batch_size: 32,epochs: 2}",
        ),
        ("  warmup_epochs: 5", "  warmup_epochs: 5"),
        ("  step_epochs: 50", "  step_epochs: 50"),
        (
            "# trials at rungs of 2 epochs: 60",
            "# trials at rungs of 2 epochs: 60",
        ),
        (
            "  epochs: {values: [10, 20]}",
            "  epochs: {values: [10, 20]}",
        ),
    ] {
        assert_eq!(two_epochs(line), tiny, "{line}");
    }
}
