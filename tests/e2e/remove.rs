//! `sweep rm`: an experiment goes, with its checkpoints, only when the user says so, and its
//! name then runs afresh.

use store::Store;
use tests::TestEnv;

/// Two trials of two epochs on the digits.
const SMALL: &str = "\
name: small
seed: 3
method: random
run_cap: 2
parallel: 1
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 2, batch_size: 64}
checkpoints: {keep: 1}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
";

#[test]
fn an_experiment_is_removed_only_when_confirmed_and_its_name_then_runs_afresh() {
    let env = TestEnv::new();
    let small = env.write_spec("small.yaml", SMALL);
    let other = env.write_spec("other.yaml", &SMALL.replace("name: small", "name: other"));
    for spec in [&small, &other] {
        let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let checkpoints = env.store().join("checkpoints");
    assert!(checkpoints.join("small").is_dir());

    // No answer (standard input closed, as in a script): refused, nothing removed.
    let closed = env.sweep(&["rm", "small"]);
    assert_eq!(closed.code, 2, "{closed:?}");
    assert!(closed.stderr.contains("pass --yes"), "{}", closed.stderr);
    // An unknown name among several: refused before anything is removed.
    let unknown = env.sweep(&["rm", "small", "nope", "--yes"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("no experiment named `nope`"),
        "{}",
        unknown.stderr
    );
    // Asked, and answered no: exit 1, nothing removed.
    let declined = env.sweep_with_input(&["rm", "small"], "n\n");
    assert_eq!(declined.code, 1, "{declined:?}");
    assert!(
        declined.stderr.contains("small") && declined.stderr.contains("[y/N]"),
        "{}",
        declined.stderr
    );
    assert!(
        declined.stderr.contains("nothing removed"),
        "{}",
        declined.stderr
    );
    let ls = env.sweep(&["ls"]);
    assert!(
        ls.stdout.contains("small") && ls.stdout.contains("other"),
        "{}",
        ls.stdout
    );
    assert!(checkpoints.join("small").is_dir());

    // Answered yes: the experiment and its checkpoints go, the other stays whole.
    let removed = env.sweep_with_input(&["rm", "small"], "y\n");
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(
        removed.stdout.contains("removed small: 2 trials,")
            && removed.stdout.contains("1 checkpoint\n"),
        "{}",
        removed.stdout
    );
    let ls = env.sweep(&["ls"]);
    assert!(
        !ls.stdout.contains("small") && ls.stdout.contains("other"),
        "{}",
        ls.stdout
    );
    assert!(!checkpoints.join("small").exists());
    assert!(checkpoints.join("other").is_dir());
    let trials = env.sweep(&["trials", "other", "--format", "csv"]);
    assert_eq!(trials.code, 0, "{trials:?}");
    assert_eq!(trials.stdout.lines().count(), 3, "{}", trials.stdout);

    // The name is free: an edited file runs under it from trial 0, with nothing of the old one.
    let edited = env.write_spec("small.yaml", &SMALL.replace("seed: 3", "seed: 4"));
    let rerun = env.sweep(&["run", edited.to_str().unwrap(), "--no-serve"]);
    assert_eq!(rerun.code, 0, "{rerun:?}");
    assert!(
        rerun.stdout.contains("small: 2 trials") && rerun.stdout.contains("2 run now"),
        "{}",
        rerun.stdout
    );
    let gone = env.sweep(&["rm", "small", "other", "-y"]);
    assert_eq!(gone.code, 0, "{gone:?}");
    assert_eq!(gone.stdout.lines().count(), 2, "{}", gone.stdout);
    // An empty store lists nothing on standard output (a script counts 0 lines); the hint is
    // on standard error.
    let ls = env.sweep(&["ls"]);
    assert_eq!(ls.code, 0, "{ls:?}");
    assert_eq!(ls.stdout, "", "{ls:?}");
    assert!(ls.stderr.contains("no experiments yet"), "{ls:?}");
}

#[test]
fn a_stored_name_that_is_not_a_plain_folder_name_never_takes_the_store_with_it() {
    // Names are checked when a spec is read; a store written before `..` was refused may
    // still hold one, whose checkpoint folder `checkpoints/..` is the store itself.
    let env = TestEnv::new();
    let small = env.write_spec("small.yaml", SMALL);
    assert_eq!(
        env.sweep(&["run", small.to_str().unwrap(), "--no-serve"])
            .code,
        0
    );
    {
        let store = Store::open(&env.store()).unwrap();
        let mut info = store.experiment("small").unwrap().unwrap();
        info.name = "..".into();
        store.create_experiment(&info).unwrap();
        store.flush().unwrap();
    }
    let removed = env.sweep(&["rm", "..", "--yes"]);
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(removed.stderr.contains("left alone"), "{}", removed.stderr);
    assert!(
        removed.stdout.contains("removed ..: 0 trials"),
        "{}",
        removed.stdout
    );
    assert!(env.store().join("checkpoints").join("small").is_dir());
    let ls = env.sweep(&["ls"]);
    assert_eq!(ls.code, 0, "{ls:?}");
    assert!(
        ls.stdout.contains("small") && !ls.stdout.contains(".."),
        "{}",
        ls.stdout
    );
}

#[test]
fn compact_gives_back_the_room_of_removed_experiments_and_keeps_the_rest() {
    let env = TestEnv::new();
    let small = env.write_spec("small.yaml", SMALL);
    let other = env.write_spec(
        "other.yaml",
        &SMALL
            .replace("name: small", "name: other")
            .replace("run_cap: 2", "run_cap: 12")
            .replace("epochs: 2", "epochs: 8"),
    );
    for spec in [&small, &other] {
        let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let trials = env.sweep(&["trials", "small", "--format", "csv"]).stdout;
    let removed = env.sweep(&["rm", "other", "--yes"]);
    assert!(
        removed
            .stderr
            .contains("keeps its size on disk; `sweep compact` gives it back"),
        "{}",
        removed.stderr
    );
    let before = std::fs::metadata(env.store().join("db")).unwrap().len();
    let compact = env.sweep(&["compact"]);
    assert_eq!(compact.code, 0, "{compact:?}");
    // A store this small is one of sled's segments, removed experiment or not: a copy as
    // large is not swapped in (the unit tests of `store::compact` give back room measured in
    // megabytes); either way the database is no larger.
    assert!(
        compact
            .stdout
            .starts_with("compacted .sweep: its database ")
            && (compact.stdout.contains(" given back)")
                || compact
                    .stdout
                    .contains("nothing given back: a fresh copy would be no smaller")),
        "{}",
        compact.stdout
    );
    assert!(std::fs::metadata(env.store().join("db")).unwrap().len() <= before);
    // The same trials, and the kept experiment's checkpoint still answers.
    assert_eq!(
        env.sweep(&["trials", "small", "--format", "csv"]).stdout,
        trials
    );
    let kept = std::fs::read_dir(env.store().join("checkpoints/small"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find_map(|name| name.strip_suffix(".json").map(str::to_string))
        .expect("a kept checkpoint");
    let digits = tests::repo_root().join("experiments/data/digits.csv");
    let predict = env.sweep(&[
        "predict",
        &format!("small/{kept}"),
        "--input",
        digits.to_str().unwrap(),
    ]);
    assert_eq!(predict.code, 0, "{predict:?}");
    // A run goes on in the compacted store.
    let again = env.sweep(&["run", small.to_str().unwrap(), "--no-serve"]);
    assert_eq!(again.code, 0, "{again:?}");
    drop(Store::open(&env.store()).unwrap());
}

#[test]
fn a_failed_runs_empty_store_that_cannot_be_removed_is_said_with_what_stays() {
    // Its name lock cannot be made (a folder stands where it goes; elsewhere a parent folder
    // that cannot be written, or a file system without `flock`): the run goes on without it,
    // and the empty store it made stays, with a warning that names the lock and the store.
    let env = TestEnv::new();
    let spec = env.write_spec("small.yaml", SMALL);
    std::fs::create_dir(env.path().join("fresh.open-lock")).unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = env.sweep(&[
        "run",
        spec.to_str().unwrap(),
        "--store",
        "fresh",
        "--port",
        &port,
    ]);
    // The busy port ends the run: try again later, as a busy store does.
    assert_eq!(out.code, 75, "{out:?}");
    assert!(env.path().join("fresh").join("db").is_file(), "{out:?}");
    for said in [
        "removing the empty store this run made left a folder behind",
        "fresh.open-lock",
        "the empty store fresh stays: cannot take its name lock",
    ] {
        assert!(out.stderr.contains(said), "{said:?} in:\n{}", out.stderr);
    }
}

#[test]
fn issue_a_run_that_failed_before_making_its_store_warns_of_nothing() {
    // Its spec missing, or refused: no store was made at the new --store, so there is none to
    // remove and nothing to warn about ("left a folder behind ... no store at new" was said
    // before the real error).
    let env = TestEnv::new();
    let invalid = env.write_spec("invalid.yaml", "name: invalid\n");
    for spec in ["missing.yaml", invalid.to_str().unwrap()] {
        let out = env.sweep(&["run", spec, "--store", "new"]);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(!out.stderr.contains("WARN"), "{spec}: {}", out.stderr);
        assert!(
            !out.stderr.contains("no store at"),
            "{spec}: {}",
            out.stderr
        );
        assert!(!env.path().join("new").exists(), "{spec}");
        let beside: Vec<_> = std::fs::read_dir(env.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("new"))
            .collect();
        assert!(beside.is_empty(), "{spec}: {beside:?}");
    }
}

#[test]
fn issue_a_command_kept_out_by_a_removal_or_compaction_names_it_not_the_last_opener() {
    // Another process has the store's name to remove or compact it (here a turn held with no
    // note of its own, as an older sweep, or one that cannot write the file, holds it):
    // `sweep rm` and `sweep ls` said the store was in use by `opened-by`'s last opener, long
    // gone, and to stop it; and they named the removal a killed holder's note, left in the
    // file, named.
    let env = TestEnv::new();
    let store = Store::open(&env.store()).unwrap();
    store.announce("`sweep show`, ended long ago").unwrap();
    drop(store);
    let real = std::fs::canonicalize(env.store()).unwrap();
    let turn_file = real.with_file_name(".sweep.open-turn");
    std::fs::write(&turn_file, "999999 removing it if it holds no experiment").unwrap();
    let turn = std::fs::File::open(&turn_file).unwrap();
    turn.try_lock().unwrap();
    for args in [&["rm", "small", "--yes"][..], &["ls"]] {
        let out = env.sweep(args);
        // Busy: try again later (75), not bad input (2).
        assert_eq!(out.code, 75, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains(
                "store .sweep is being removed or compacted by another sweep process; try again \
                 once it is done"
            ),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("ended long ago"), "{}", out.stderr);
        assert!(!out.stderr.contains("999999"), "{}", out.stderr);
    }
    drop(turn);
    let ls = env.sweep(&["ls"]);
    assert_eq!((ls.code, ls.stdout.as_str()), (0, ""), "{ls:?}");
    assert!(ls.stderr.contains("no experiments yet"), "{ls:?}");
}
