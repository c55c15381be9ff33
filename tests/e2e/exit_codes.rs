//! Exit codes a script reads: a store that another sweep process holds exits 75 ("try again
//! later", `EX_TEMPFAIL` of sysexits.h) from every command that cannot read it through that
//! process's dashboard (`held`), and so does a dashboard port that
//! another process listens on, and a second `sweep compact` at once, apart from bad input's 2;
//! output that cannot be written (a full disk) exits 74 (`EX_IOERR`), saying what could not be
//! written where, while output discarded (`/dev/null`, a closed standard output) is no failure;
//! `sweep --help` says what each code means.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use store::Store;
use tests::{Output, TestEnv};

/// Returns a scratch folder and the path of the one-trial penguins sweep `name` written in it
/// (`name.yaml`, `tests::penguins_spec` searching one learning rate).
fn one_trial(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new();
    let spec = env.write_spec(
        &format!("{name}.yaml"),
        &tests::penguins_spec(name, "  lr: {values: [0.01]}\n"),
    );
    let spec = spec.to_str().unwrap().to_string();
    (env, spec)
}

#[test]
fn issue_a_busy_store_exits_75_for_every_command_and_bad_input_2() {
    let (env, spec) = one_trial("held");
    let run = env.sweep(&["run", &spec, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    // Bad input, on a store nobody holds: 2.
    let unknown = env.sweep(&["show", "nothing"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("no experiment named `nothing`"),
        "{}",
        unknown.stderr
    );

    // `sweep serve` holds the store from before it prints its URL until it is killed. The
    // commands that only read the store read it through its dashboard (`held`); the others
    // are refused.
    let (holder, _) = crate::dashboard::start_serving(&env, &["serve"]);
    let commands: [&[&str]; 5] = [
        &["show", "held/0"],
        &["reproduce", "held/0"],
        &["run", &spec, "--no-serve"],
        &["rm", "held", "--yes"],
        // The store is looked at before the name: busy, not wrong.
        &["rm", "nothing", "--yes"],
    ];
    for args in commands {
        let out = env.sweep(args);
        assert_eq!(out.code, 75, "sweep {}: {out:?}", args.join(" "));
        // The message says who holds it and what to do, as before.
        assert!(
            out.stderr
                .contains("is in use by another sweep process: `sweep serve`")
                && out
                    .stderr
                    .contains("stop it or wait for it to end, or use another --store"),
            "sweep {}: {}",
            args.join(" "),
            out.stderr
        );
    }
    drop(holder);
    // Nothing was removed, and the store, let go, answers again.
    let ls = env.sweep(&["ls"]);
    assert_eq!(ls.code, 0, "{ls:?}");
    assert!(ls.stdout.contains("held"), "{}", ls.stdout);
}

#[test]
fn issue_a_busy_port_exits_75_and_an_address_not_this_machines_2() {
    let (env, spec) = one_trial("served");
    let run = env.sweep(&["run", &spec, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    for args in [
        &["serve", "--port", &port][..],
        &["run", &spec, "--port", &port],
    ] {
        let out = env.sweep(args);
        assert_eq!(out.code, 75, "sweep {}: {out:?}", args.join(" "));
        assert!(
            out.stderr.contains("pick another --port"),
            "sweep {}: {}",
            args.join(" "),
            out.stderr
        );
    }
    // An address this machine does not have (TEST-NET-1, RFC 5737) is wrong, not busy.
    let foreign = env.sweep(&[
        "serve",
        "--addr",
        "192.0.2.1:8080",
        "--token",
        "a-token-of-16-chars",
    ]);
    assert_eq!(foreign.code, 2, "{foreign:?}");
    assert!(
        foreign
            .stderr
            .contains("cannot serve the dashboard on 192.0.2.1:8080"),
        "{}",
        foreign.stderr
    );
}

#[test]
fn issue_a_second_compaction_at_once_exits_75() {
    // `sweep compact` while another compacts the store failed as bad input (2: "another `sweep
    // compact` is compacting it"), though the store is only busy: a script trying again on 75
    // gave up.
    let env = TestEnv::new();
    drop(Store::open(&env.store()).unwrap());
    let real = std::fs::canonicalize(env.store()).unwrap();
    // Held as a running compaction holds it (an exclusive `flock`), before it has the name.
    let running = std::fs::File::create(real.with_file_name(".sweep.compact-lock")).unwrap();
    running.try_lock().unwrap();
    let out = env.sweep(&["compact"]);
    assert_eq!(out.code, 75, "{out:?}");
    assert!(
        out.stderr
            .contains("is busy: another sweep process is compacting it; try again once it is done"),
        "{}",
        out.stderr
    );
    drop(running);
}

#[test]
fn issue_help_lists_the_exit_codes() {
    let env = TestEnv::new();
    let help = env.sweep(&["--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    // Read as words: where the lines wrap is the help's layout (`args`), not what it says.
    let words = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Exit status:")
            && words.contains(
                "75 the store is busy: another sweep process holds it, or another process \
                 listens on the dashboard's --port (--addr); try again later"
            ),
        "{}",
        help.stdout
    );
    let gate = env.sweep(&["gate", "--help"]);
    assert_eq!(gate.code, 0, "{gate:?}");
    assert!(
        gate.stdout.contains("1    a guarded metric regressed"),
        "{}",
        gate.stdout
    );
}

#[test]
fn issue_output_into_a_full_disk_exits_74_saying_what_and_where() {
    // `sweep export NAME > out.csv && upload out.csv` on a full disk uploaded an empty file.
    let (env, spec) = one_trial("full");
    // The sweep's summary cannot be written; the test split is measured and stored all the
    // same, and no warning says it was not.
    let run = into_full(&env, &["run", &spec, "--no-serve"]);
    assert_eq!(run.code, 74, "{run:?}");
    assert!(
        run.stderr.contains(
            "error: cannot write the sweep's summary to standard output: No space left on device"
        ) && !run.stderr.contains("no test split measured"),
        "{}",
        run.stderr
    );
    let shown = env.sweep(&["show", "full"]);
    assert!(shown.stdout.contains("\ntest split: trial "), "{shown:?}");
    let commands: [(&[&str], &str); 7] = [
        (&["ls"], "the experiments"),
        (&["show", "full"], "the experiment's summary"),
        // A trial's card is the trial's (it said the experiment's).
        (&["show", "full/0"], "the trial's summary"),
        (&["trials", "full", "--format", "csv"], "the trials"),
        (&["export", "full", "--format", "csv"], "the trials"),
        (
            &["export", "full", "--format", "json", "--series"],
            "the curves",
        ),
        (&["validate", &spec], "the file's check"),
    ];
    for (args, what) in commands {
        let full = into_full(&env, args);
        assert_eq!(full.code, 74, "sweep {}: {full:?}", args.join(" "));
        let said = format!(
            "error: cannot write {what} to standard output: No space left on device (os error 28)\n"
        );
        assert_eq!(full.stderr, said, "sweep {}", args.join(" "));
    }
    // A standard output that discards (`>/dev/null`; Python's `subprocess.DEVNULL` and Node's
    // `stdio: 'ignore'`, which open it for reading and writing, as Rust's runtime opens it on
    // a closed one: `>&-`) is no failure: the command runs and exits 0.
    for redirect in [">/dev/null", "1<>/dev/null", ">&-"] {
        let discarded = redirected(&env, &["trials", "full", "--format", "csv"], redirect);
        assert_eq!(discarded.code, 0, "{redirect}: {discarded:?}");
        assert_eq!(discarded.stderr, "", "{redirect}");
    }
    let help = into_full(&env, &["--version"]);
    assert_eq!(help.code, 74, "{help:?}");
    assert!(
        help.stderr
            .starts_with("error: cannot write the version to standard output: No space left"),
        "{}",
        help.stderr
    );
    let discarded = env
        .command(&["trials", "full", "--format", "csv"])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(discarded.status.code(), Some(0), "{discarded:?}");
    // A file that cannot be written names itself; one written elsewhere needs no standard
    // output, closed or not.
    let file = env.sweep(&["export", "full", "--format", "csv", "-o", "/dev/full"]);
    assert_eq!(file.code, 74, "{file:?}");
    assert!(
        file.stderr
            .starts_with("error: cannot write --output /dev/full: No space left on device"),
        "{}",
        file.stderr
    );
    let elsewhere = into_closed(
        &env,
        &["export", "full", "--format", "csv", "-o", "out.csv"],
    );
    assert_eq!(elsewhere.code, 0, "{elsewhere:?}");
    let written = std::fs::read_to_string(env.path().join("out.csv")).unwrap();
    assert!(written.starts_with("trial,state,"), "{written}");
    // Predictions: the trainer's write error is standard output's, named as such.
    let checkpoint = format!("full/{}", kept_checkpoint(&env, "full"));
    let penguins = tests::repo_root().join("experiments/data/penguins.csv");
    let predict = [
        "predict",
        &checkpoint,
        "--input",
        penguins.to_str().unwrap(),
    ];
    let full = into_full(&env, &predict);
    assert_eq!(full.code, 74, "{full:?}");
    assert!(
        full.stderr.starts_with(
            "error: cannot write the predictions to standard output: No space left on device"
        ),
        "{}",
        full.stderr
    );
}

#[test]
fn issue_sweep_serve_writes_its_address_alone_to_standard_output() {
    // `sweep serve` wrote `serving ... read-only; press Ctrl-C to stop` on standard output
    // after its address, where `sweep run` says everything but its summary on standard error:
    // the address is serve's data, for a script to read; the rest is talk.
    let (env, spec) = one_trial("served");
    let run = env.sweep(&["run", &spec, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut child = env
        .command(&["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut address = String::new();
    stdout.read_line(&mut address).unwrap();
    assert!(
        address.starts_with("dashboard: http://127.0.0.1:"),
        "{address}"
    );
    // Every line is written before serving begins: the rest comes out once Ctrl-C stops it.
    crate::ctrl_c(&child);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut said = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130), "{said}");
    assert_eq!(rest, "", "only the address is on standard output");
    assert!(
        said.starts_with("serving .sweep read-only; press Ctrl-C to stop\n"),
        "{said}"
    );
}

/// Runs `sweep ARGS` with its standard output on a full disk (`> /dev/full`).
fn into_full(env: &TestEnv, args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    Output::from(env.command(args).stdout(full).output().unwrap())
}

/// Runs `sweep ARGS` with its standard output closed, as the shell's `>&-` starts it.
fn into_closed(env: &TestEnv, args: &[&str]) -> Output {
    redirected(env, args, ">&-")
}

/// Runs `sweep ARGS` with its standard output redirected as the shell's `redirect` says.
fn redirected(env: &TestEnv, args: &[&str], redirect: &str) -> Output {
    let command = env.command(&[]);
    let mut closed = std::process::Command::new("sh");
    closed
        .arg("-c")
        .arg(format!("exec \"$0\" \"$@\" {redirect}"))
        .arg(command.get_program())
        .args(args)
        .current_dir(env.path());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => closed.env(key, value),
            None => closed.env_remove(key),
        };
    }
    Output::from(closed.output().unwrap())
}

/// Returns the number of a trial of `experiment` whose checkpoint is kept.
fn kept_checkpoint(env: &TestEnv, experiment: &str) -> String {
    std::fs::read_dir(env.store().join("checkpoints").join(experiment))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find_map(|name| name.strip_suffix(".json").map(str::to_string))
        .expect("a kept checkpoint")
}
