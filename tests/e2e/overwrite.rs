//! Output files that would land inside the store: `sweep export -o` and `sweep predict -o`
//! refuse a path in the store's folder (its database, its checkpoints, or a link to either),
//! with exit 2 and nothing written, so that an export cannot replace the experiments it came
//! from.

use tests::{penguins_spec, TestEnv};

/// Returns a scratch folder whose store `.sweep` holds `pen`, one finished trial with its
/// checkpoint.
fn swept() -> TestEnv {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "pen.yaml",
        &penguins_spec("pen", "  lr: {values: [0.01]}\n"),
    );
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    env
}

/// Returns every file under `dir` with its bytes, in path order.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn issue_export_and_predict_refuse_to_write_inside_the_store() {
    let env = swept();
    let store = env.store();
    assert!(store.join("db").is_file(), "the store's database");
    let checkpoints = store.join("checkpoints").join("pen");
    assert!(checkpoints.is_dir(), "the trial's checkpoint");
    std::os::unix::fs::symlink(store.join("db"), env.path().join("to_db")).unwrap();
    std::os::unix::fs::symlink(&store, env.path().join("to_store")).unwrap();
    let before = files(&store);
    let input = tests::repo_root().join("experiments/data/penguins.csv");
    let input = input.to_str().unwrap();
    let inside = [
        ".sweep/db",
        ".sweep/conf",
        "./.sweep/../.sweep/new.csv",
        ".sweep/checkpoints/pen/out.csv",
        "to_db",
        "to_store/conf",
    ];
    for path in inside {
        let export = env.sweep(&["export", "pen", "--format", "csv", "-o", path]);
        assert_eq!(export.code, 2, "{path}: {export:?}");
        assert!(
            export.stderr.contains(&format!(
                "error: --output {path}: that file is inside the store .sweep, which holds the \
                 experiments and their checkpoints; write the export elsewhere"
            )),
            "{path}: {}",
            export.stderr
        );
        let predict = env.sweep(&["predict", "pen/0", "--input", input, "-o", path]);
        assert_eq!(predict.code, 2, "{path}: {predict:?}");
        assert!(
            predict.stderr.contains(&format!(
                "error: --output {path}: that file is inside the store .sweep, which holds the \
                 experiments and their checkpoints; write the predictions elsewhere"
            )),
            "{path}: {}",
            predict.stderr
        );
    }
    assert!(files(&store) == before, "the store is as it was");
    let listed = env.sweep(&["ls"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stdout.contains("pen"), "{}", listed.stdout);
    // Beside the store, both write as ever.
    let export = env.sweep(&["export", "pen", "--format", "csv", "-o", "pen.csv"]);
    assert_eq!(export.code, 0, "{export:?}");
    let predict = env.sweep(&["predict", "pen/0", "--input", input, "-o", "pred.csv"]);
    assert_eq!(predict.code, 0, "{predict:?}");
    assert!(env.path().join("pen.csv").is_file() && env.path().join("pred.csv").is_file());
}
