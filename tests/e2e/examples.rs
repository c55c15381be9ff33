//! Every shipped example works: each `experiments/*.yaml` validates, and runs with a tiny
//! budget (2 trials of 2 epochs) on CPU.

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
            .map(|l| {
                let trimmed = l.trim_start();
                if trimmed.starts_with("epochs:") && !trimmed.contains('{') {
                    format!("{}epochs: 2", &l[..l.len() - trimmed.len()])
                } else {
                    l.replace("csv: data/", "csv: DATA/")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let name = file.file_name().unwrap().to_str().unwrap();
        let spec = env.write_spec(name, &tiny);
        let run = env.sweep(&["run", spec.to_str().unwrap(), "--run-cap", "2"]);
        assert_eq!(run.code, 0, "{}: {run:?}", file.display());
    }
}
