//! The commands that only read a store (`sweep ls`, `show EXPERIMENT`, `trials`, `export`) on a
//! store another sweep process holds: read through that process's dashboard, they write what
//! a direct read writes, byte for byte, and say on standard error where they read; a holder
//! without a dashboard on loopback, one that needs a token not given, or an address another
//! process answers keeps the refusal (exit 75), as do the commands that write.

use std::process::Stdio;

use store::Store;
use tests::{Output, TestEnv};

use crate::dashboard::start_serving;

/// The reads compared, each with every format it writes.
const READS: [&[&str]; 11] = [
    &["ls"],
    &["ls", "--format", "json", "--desc"],
    &["ls", "--format", "csv", "--name", "held"],
    &["show", "held"],
    &["show", "held", "--format", "json", "--top", "2"],
    &["show", "held", "--record"],
    &["show", "held", "--spec"],
    &["show", "other"],
    &["trials", "held", "--format", "json"],
    &["export", "held", "--format", "csv"],
    &["export", "held", "--format", "json", "--series"],
];

/// Returns a scratch folder whose store holds two finished experiments: `held`, three trials,
/// and `other`, one.
fn finished_store() -> TestEnv {
    let env = TestEnv::new();
    let held = tests::penguins_spec("held", "  lr: {values: [0.01, 0.02, 0.05]}\n")
        .replace("run_cap: 1", "run_cap: 3");
    let other = tests::penguins_spec("other", "  lr: {values: [0.01]}\n");
    for (file, text) in [("held.yaml", held), ("other.yaml", other)] {
        let spec = env.write_spec(file, &text);
        let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    env
}

/// Returns what each of `READS` writes on a store nobody holds.
fn direct_reads(env: &TestEnv) -> Vec<Output> {
    READS
        .iter()
        .map(|args| {
            let out = env.sweep(args);
            assert_eq!(out.code, 0, "sweep {}: {out:?}", args.join(" "));
            out
        })
        .collect()
}

/// The line a read through the dashboard at `url` (without its last `/`) of process `pid` says
/// first on standard error.
fn read_through(pid: u32, url: &str) -> String {
    format!(
        "note: store .sweep is held by another sweep process (pid {pid}): read through its \
         dashboard at {url}/\n"
    )
}

/// Runs `sweep ARGS` in `env` with `SWEEP_TOKEN` set to `token`.
fn with_token(env: &TestEnv, args: &[&str], token: &str) -> Output {
    let out = env
        .command(args)
        .env("SWEEP_TOKEN", token)
        .stdin(Stdio::null())
        .output()
        .expect("sweep runs");
    Output::from(out)
}

#[test]
fn a_store_that_sweep_serve_holds_reads_as_a_direct_read_through_its_dashboard() {
    let env = finished_store();
    let direct = direct_reads(&env);
    let unknown = env.sweep(&["show", "nothing"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");

    let (holder, url) = start_serving(&env, &["serve"]);
    let note = read_through(holder.id(), &url);
    for (args, direct) in READS.iter().zip(&direct) {
        let out = env.sweep(args);
        assert_eq!(out.code, 0, "sweep {}: {out:?}", args.join(" "));
        assert_eq!(out.stdout, direct.stdout, "sweep {}", args.join(" "));
        assert_eq!(
            out.stderr,
            format!("{note}{}", direct.stderr),
            "sweep {}",
            args.join(" ")
        );
    }
    // A name the store does not hold is bad input, said as a direct read says it.
    let out = env.sweep(&["show", "nothing"]);
    assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{out:?}");
    assert_eq!(out.stderr, format!("{note}{}", unknown.stderr));
    // What writes, and a trial's page (its checkpoint lies beside the store), stay refused.
    for args in [
        &["rm", "held", "--yes"][..],
        &["show", "held/0"],
        &["reproduce", "held/0"],
    ] {
        let out = env.sweep(args);
        assert_eq!(out.code, 75, "sweep {}: {out:?}", args.join(" "));
        assert!(
            out.stderr
                .contains("is in use by another sweep process: `sweep serve`")
                && !out.stderr.contains("read through"),
            "sweep {}: {}",
            args.join(" "),
            out.stderr
        );
    }
    drop(holder);
}

#[test]
fn a_holder_that_needs_a_token_is_read_through_with_sweep_token_only() {
    let env = finished_store();
    let direct = env.sweep(&["show", "held", "--format", "json"]);
    assert_eq!(direct.code, 0, "{direct:?}");
    let (holder, url) = start_serving(&env, &["serve", "--token", "s3cret-token-0123456789"]);
    // Without the token, or with another: refused as before, saying how to pass it.
    for out in [
        env.sweep(&["show", "held", "--format", "json"]),
        with_token(
            &env,
            &["show", "held", "--format", "json"],
            "wrong-token-0123456789",
        ),
    ] {
        assert_eq!(out.code, 75, "{out:?}");
        assert_eq!(out.stdout, "");
        for part in [
            "is in use by another sweep process: `sweep serve --token ***` (pid ",
            "\nits dashboard needs the token it was started with to be read through: set \
             SWEEP_TOKEN to it\nmeanwhile its dashboard shows the store",
            "stop it or wait for it to end, or use another --store",
        ] {
            assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
        }
        assert!(
            !out.stderr.contains("s3cret-token-0123456789"),
            "{}",
            out.stderr
        );
    }
    // The address it printed carries the token; the one it announced, and the note, do not.
    let (url, _token) = url.split_once("/?token=").unwrap_or((&url, ""));
    let out = with_token(
        &env,
        &["show", "held", "--format", "json"],
        "s3cret-token-0123456789",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, direct.stdout);
    assert_eq!(
        out.stderr,
        format!("{}{}", read_through(holder.id(), url), direct.stderr)
    );
    drop(holder);
}

#[test]
fn a_holder_without_a_dashboard_of_its_own_on_loopback_keeps_the_refusal() {
    let env = finished_store();
    let pid = std::process::id();
    // Another store's dashboard, which answers as another process.
    let elsewhere = TestEnv::new();
    drop(Store::open(&elsewhere.store()).unwrap());
    let (_stranger, stranger_url) = start_serving(&elsewhere, &["serve"]);
    let free = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let since =
        format!("`sweep run held.yaml --no-serve` (pid {pid}, since 2026-12-07 21:00:00 UTC)");
    // This test's process holds the store, and announces itself as each holder would.
    let store = Store::open(&env.store()).unwrap();
    for announced in [
        // `sweep run --no-serve`, or an older Sweep's words.
        since.clone(),
        // A dashboard nobody answers at, off loopback, or answered by another process.
        format!("{since}, dashboard at http://127.0.0.1:{free}/"),
        format!("{since}, dashboard at http://192.0.2.1:{free}/"),
        format!("{since}, dashboard at {stranger_url}/"),
    ] {
        store.announce(&announced).unwrap();
        for args in [&["ls"][..], &["show", "held"]] {
            let out = env.sweep(args);
            assert_eq!(out.code, 75, "sweep {}: {out:?}", args.join(" "));
            assert_eq!(out.stdout, "");
            assert!(
                out.stderr
                    .contains(&format!("is in use by another sweep process: {announced}"))
                    && out
                        .stderr
                        .contains("stop it or wait for it to end, or use another --store")
                    && !out.stderr.contains("read through")
                    && !out.stderr.contains("token"),
                "sweep {}: {}",
                args.join(" "),
                out.stderr
            );
        }
    }
    drop(store);
}

/// Three trials of 5,000 epochs on the digits, one at a time: still running when read, until a
/// stop ends it.
const LONG: &str = tests::digits_spec!(
    "live",
    3,
    1,
    "  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
"
);

/// Runs `sweep ARGS` in `env` until `done` says its output is what it waits for (at most a
/// minute), and returns that output.
fn until(env: &TestEnv, args: &[&str], done: impl Fn(&Output) -> bool) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let out = env.sweep(args);
        if done(&out) {
            return out;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sweep {}: {out:?}",
            args.join(" ")
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Returns `out`'s standard output read as JSON.
fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

#[test]
fn a_running_sweep_s_store_reads_through_its_dashboard_with_its_experiment_running() {
    let env = TestEnv::new();
    let spec = env.write_spec("live.yaml", &LONG.replace("epochs: 3", "epochs: 5000"));
    let (sweep, url) = start_serving(
        &env,
        &[
            "run",
            spec.to_str().unwrap(),
            "--serve-after",
            "--addr",
            "127.0.0.1:0",
        ],
    );
    let note = read_through(sweep.id(), &url);
    // Once its first trial trains: running, as its dashboard says, not interrupted.
    let shown = until(&env, &["show", "live", "--format", "json"], |out| {
        out.code == 0 && json(out)["experiment"]["trials"]["running"] == 1
    });
    assert!(shown.stderr.starts_with(&note), "{shown:?}");
    let experiment = &json(&shown)["experiment"];
    assert_eq!(experiment["status"], "running", "{experiment}");
    assert_eq!(experiment["resume_command"], serde_json::Value::Null);
    assert_eq!(experiment["trials"]["interrupted"], 0, "{experiment}");
    let listed = env.sweep(&["ls", "--format", "json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    let listed = &json(&listed)[0];
    assert_eq!(
        (
            &listed["name"],
            &listed["status"],
            &listed["resume_command"]
        ),
        (
            &serde_json::json!("live"),
            &serde_json::json!("running"),
            &serde_json::Value::Null
        ),
        "{listed}"
    );
    let table = env.sweep(&["show", "live"]);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(
        table.stdout.contains("\nstatus      running\n")
            && table.stdout.contains(" running")
            && !table.stdout.contains("interrupted")
            && !table.stdout.contains("\nresume "),
        "{}",
        table.stdout
    );
    // `sweep trials` and `sweep export` say so too: its running trial is `running`.
    let trials = env.sweep(&["trials", "live", "--format", "json"]);
    assert_eq!(trials.code, 0, "{trials:?}");
    let states: Vec<serde_json::Value> = (json(&trials).as_array().unwrap().iter())
        .map(|row| row["state"].clone())
        .collect();
    assert!(
        states.contains(&serde_json::json!("running"))
            && !states.contains(&serde_json::json!("interrupted")),
        "{states:?}"
    );
    let csv = env.sweep(&["export", "live", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{csv:?}");
    assert!(
        csv.stdout.contains(",running,") && !csv.stdout.contains("interrupted"),
        "{}",
        csv.stdout
    );
    let filtered = env.sweep(&["trials", "live", "--filter", "state = running"]);
    assert!(
        filtered.code == 0 && !filtered.stdout.contains("meets the filter"),
        "{filtered:?}"
    );
    // A reader that does not say it shows the sweep running (an older `sweep ls`) gets none.
    let (status, _) = crate::dashboard::get(&format!("{url}/api/store-copy"));
    assert_eq!(status, 409);

    // Stopped, its dashboard kept up (`--serve-after`): a holder as `sweep serve` is, read
    // through as the store reads once the process has ended.
    let pid = nix::unistd::Pid::from_raw(i32::try_from(sweep.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let stopped = until(&env, &["show", "live"], |out| {
        out.code == 0 && out.stdout.contains("\nstatus      interrupted\n")
    });
    assert!(stopped.stderr.starts_with(&note), "{stopped:?}");
    assert!(
        stopped.stdout.contains("\nresume      sweep run "),
        "{}",
        stopped.stdout
    );
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let direct = until(&env, &["show", "live"], |out| {
        !out.stderr.contains("read through")
    });
    assert_eq!(direct.code, 0, "{direct:?}");
    assert_eq!(direct.stdout, stopped.stdout);
    drop(sweep);
}
