//! Exit codes a script reads: a store that another sweep process holds exits 75 ("try again
//! later", `EX_TEMPFAIL` of sysexits.h) from every command, and so does a dashboard port that
//! another process listens on, and a second `sweep compact` at once, apart from bad input's 2;
//! `sweep --help` says what each code means.

use store::Store;
use tests::TestEnv;

#[test]
fn issue_a_busy_store_exits_75_for_every_command_and_bad_input_2() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "held.yaml",
        &tests::penguins_spec("held", "  lr: {values: [0.01]}\n"),
    );
    let spec = spec.to_str().unwrap();
    let run = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    // Bad input, on a store nobody holds: 2.
    let unknown = env.sweep(&["show", "nothing"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("no experiment named `nothing`"),
        "{}",
        unknown.stderr
    );

    // `sweep serve` holds the store from before it prints its URL until it is killed.
    let (holder, _) = crate::dashboard::start_serving(&env, &["serve"]);
    let commands: [&[&str]; 8] = [
        &["ls"],
        &["show", "held"],
        &["trials", "held"],
        &["export", "held", "--format", "csv"],
        &["reproduce", "held/0"],
        &["run", spec, "--no-serve"],
        &["rm", "held", "--yes"],
        // The store is looked at before the name: busy, not wrong.
        &["show", "nothing"],
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
    let env = TestEnv::new();
    let spec = env.write_spec(
        "served.yaml",
        &tests::penguins_spec("served", "  lr: {values: [0.01]}\n"),
    );
    let spec = spec.to_str().unwrap();
    let run = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    for args in [
        &["serve", "--port", &port][..],
        &["run", spec, "--port", &port],
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
