//! Where an experiment's files lie is no part of what it means: an experiment run again from a
//! folder moved since, or from a copy of its file that names its data, its warm start's file
//! of results and its gate's baseline by other relative paths, resumes, by one process and by
//! an agent alike. What the files hold is (the data's hash and the gate's in unit tests; a warm
//! start's file of results here: other trials now are refused, a file gone since is not missed).

use std::path::Path;

use tests::TestEnv;

/// A one-epoch search of the shipped penguins whose files are named from `to`, the folder that
/// holds them, as written in the spec (`""` for the spec's own folder, `../exp/` from a
/// sibling): its data, a warm start's file of results and a gate's baseline.
fn spec(to: &str) -> String {
    format!(
        "name: moved\nseed: 1\nmethod: tpe\nrun_cap: 1\nparallel: 1\n\
         metric: {{name: val_accuracy, goal: maximize}}\n\
         data: {{csv: {to}data/penguins.csv, target: species, categorical: [island, sex], \
         exclude: [year], missing: median}}\n\
         train: {{epochs: 1}}\n\
         parameters:\n  lr: {{min: 0.001, max: 0.1}}\n\
         warm_start: {{csv: {to}runs/past.csv}}\n\
         gate: {{baseline: {to}base/gate.json, max_regression_abs: 0.1, \
         metrics: {{val_accuracy: {{aggregate: best}}}}}}\n"
    )
}

/// Writes into `env` the folder `exp`: its spec (`spec("")`), the penguins data, a file of
/// results to warm-start from, and the folder of the gate's baseline.
fn experiment_folder(env: &TestEnv) {
    let exp = env.path().join("exp");
    for folder in ["data", "runs", "base"] {
        std::fs::create_dir_all(exp.join(folder)).unwrap();
    }
    let data = tests::repo_root().join("experiments/data/penguins.csv");
    std::fs::copy(data, exp.join("data/penguins.csv")).unwrap();
    std::fs::write(
        exp.join("runs/past.csv"),
        "lr,val_accuracy\n0.01,0.5\n0.05,0.7\n",
    )
    .unwrap();
    std::fs::write(exp.join("q.yaml"), spec("")).unwrap();
}

/// Writes `spec("../exp/")` to `elsewhere/q.yaml` under `root`: a copy of the file in a
/// sibling folder, naming the same files from there.
fn copy_elsewhere(root: &Path) {
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    std::fs::write(root.join("elsewhere/q.yaml"), spec("../exp/")).unwrap();
}

/// Issue: an experiment with a warm start from a file of results and a gate, run again from
/// its folder moved since, was refused as an edited spec (the paths of the warm start's file
/// and of the baseline were part of its meaning).
#[test]
fn issue_an_experiment_run_from_a_moved_folder_resumes_with_its_warm_start_and_gate() {
    let env = TestEnv::new();
    experiment_folder(&env);
    let first = env.sweep(&["run", "exp/q.yaml", "--no-serve", "--store", "exp/store"]);
    assert_eq!(first.code, 0, "{first:?}");
    std::fs::create_dir(env.path().join("moved")).unwrap();
    std::fs::rename(env.path().join("exp"), env.path().join("moved/exp")).unwrap();
    let store = "moved/exp/store";
    let again = env.sweep(&[
        "run",
        "moved/exp/q.yaml",
        "--no-serve",
        "--store",
        store,
        "--extend",
        "1",
    ]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(env.reproducible_trials("moved", store).len(), 2);
    // A copy naming the same files from another folder is the same experiment too.
    copy_elsewhere(&env.path().join("moved"));
    let copy = env.sweep(&[
        "run",
        "moved/elsewhere/q.yaml",
        "--no-serve",
        "--store",
        store,
    ]);
    assert_eq!(copy.code, 0, "{copy:?}");
    assert_eq!(env.reproducible_trials("moved", store).len(), 2);
}

/// Issue: an agent started again from a copy of its file that names its data, its warm
/// start's file and its gate's baseline from another folder was refused by its own journal
/// (whose header compared the file's text), where one process resumes.
#[test]
fn issue_an_agent_started_again_from_a_copy_naming_its_files_otherwise_resumes() {
    let env = TestEnv::new();
    experiment_folder(&env);
    let run = |file: &str| {
        env.sweep(&[
            "run",
            file,
            "--no-serve",
            "--agent",
            "0/1",
            "--exchange",
            "exchange",
            "--store",
            "store",
        ])
    };
    let first = run("exp/q.yaml");
    assert_eq!(first.code, 0, "{first:?}");
    let expected = env.reproducible_trials("moved", "store");
    copy_elsewhere(env.path());
    let again = run("elsewhere/q.yaml");
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(env.reproducible_trials("moved", "store"), expected);
}

/// Issue: a resume whose warm start's file of results, named by another path, gave other
/// trials went on (saying it took the stored ones) and stored the edited file as the spec, as
/// its path is no part of the meaning. The trials the file gives now are compared with those
/// taken: the same bytes under another name resume; other ones are refused, naming both files,
/// with nothing stored; a file gone since resumes from the trials kept.
#[test]
fn issue_a_warm_starts_file_giving_other_trials_on_resume_is_refused_naming_both_files() {
    let env = TestEnv::new();
    experiment_folder(&env);
    let store = "exp/store";
    let run = |extend: &str| {
        env.sweep(&[
            "run",
            "exp/q.yaml",
            "--no-serve",
            "--store",
            store,
            "--extend",
            extend,
        ])
    };
    let first = env.sweep(&["run", "exp/q.yaml", "--no-serve", "--store", store]);
    assert_eq!(first.code, 0, "{first:?}");
    let exp = env.path().join("exp");
    let name_file = |file: &str| {
        let text = spec("").replace("runs/past.csv", file);
        std::fs::write(exp.join("q.yaml"), text).unwrap();
    };
    std::fs::write(
        exp.join("runs/other.csv"),
        "lr,val_accuracy\n0.02,0.4\n0.03,0.6\n0.09,0.8\n",
    )
    .unwrap();
    name_file("runs/other.csv");
    let refused = run("1");
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "the file of results experiment `moved` warm-started from changed since it started: \
             it took 2 trials from exp/runs/past.csv"
        ),
        "{refused:?}"
    );
    // Issue F10: the file's sha256 is the one `sha256sum` prints, and the trials' digest is
    // called so (it was called "sha256", and matches no `sha256sum` of the file).
    let sha256sum = |file: &str| {
        let bytes = std::fs::read(exp.join(file)).unwrap();
        experiment::sha256_hex(&bytes)[..12].to_string()
    };
    let said = format!(
        "exp/runs/other.csv gives 3 (the file's sha256, as `sha256sum` prints it, was {}, now \
         {}; the digest of the trials it gives was ",
        sha256sum("runs/past.csv"),
        sha256sum("runs/other.csv")
    );
    assert!(refused.stderr.contains(&said), "{said}: {refused:?}");
    let show = env.sweep(&["show", "moved", "--spec", "--store", store]);
    assert!(
        show.stdout.contains("warm_start: {csv: runs/past.csv}"),
        "the file as first written stays: {show:?}"
    );
    assert_eq!(env.reproducible_trials("moved", store).len(), 1);
    // The same bytes under another name are the same trials.
    std::fs::copy(exp.join("runs/past.csv"), exp.join("runs/same.csv")).unwrap();
    name_file("runs/same.csv");
    let same = run("1");
    assert_eq!(same.code, 0, "{same:?}");
    assert_eq!(env.reproducible_trials("moved", store).len(), 2);
    // Gone since: the trials taken when the experiment was created are kept with it.
    std::fs::remove_file(exp.join("runs/same.csv")).unwrap();
    let gone = run("1");
    assert_eq!(gone.code, 0, "{gone:?}");
    assert_eq!(env.reproducible_trials("moved", store).len(), 3);
}

/// Issue: a resume whose warm start's file was there but gave no trials (the reader refuses
/// it, or it is not a file) stopped with the reader's error, where a file gone since goes on
/// from the trials kept: it goes on from them too, saying why and naming the file.
#[test]
fn issue_a_warm_starts_file_there_but_unreadable_on_resume_goes_on_from_the_trials_kept() {
    let env = TestEnv::new();
    experiment_folder(&env);
    let store = "exp/store";
    let run = || {
        env.sweep(&[
            "run",
            "exp/q.yaml",
            "--no-serve",
            "--store",
            store,
            "--extend",
            "1",
        ])
    };
    let first = env.sweep(&["run", "exp/q.yaml", "--no-serve", "--store", store]);
    assert_eq!(first.code, 0, "{first:?}");
    let past = env.path().join("exp/runs/past.csv");
    std::fs::write(&past, "{\"trials\": []}\n").unwrap();
    let json = run();
    let said = format!("{}{}", json.stdout, json.stderr);
    assert_eq!(json.code, 0, "{json:?}");
    assert!(
        said.contains("note: exp/runs/past.csv: this is JSON")
            && said.contains("`moved` goes on from the 2 trials it took when it was created"),
        "{json:?}"
    );
    std::fs::remove_file(&past).unwrap();
    std::fs::create_dir(&past).unwrap();
    let folder = run();
    assert_eq!(folder.code, 0, "{folder:?}");
    assert!(
        format!("{}{}", folder.stdout, folder.stderr).contains("exp/runs/past.csv is not a file"),
        "{folder:?}"
    );
    assert_eq!(env.reproducible_trials("moved", store).len(), 3);
}
