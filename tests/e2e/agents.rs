//! Several agents, each a `sweep run --agent I/N` process with a store of its own, run one study
//! through a shared exchange folder and end with exactly the results of one process, also when
//! one of them is killed with SIGKILL and started again; meanwhile the other says whom it waits
//! for, and `sweep serve --exchange` follows the study from the journals alone.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use tests::TestEnv;

/// Eight trials, two side by side, with a model-based sampler and a pruner: trials wait for
/// the other agent's trials, both to be suggested and to be pruned.
const SWEEP: &str = "\
name: shared
seed: 5
method: tpe
sampler: {n_startup_trials: 3}
pruner: {type: median, n_startup_trials: 2, n_warmup_steps: 1}
run_cap: 8
parallel: 2
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 5, batch_size: 32}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
  hidden: {values: [16, 32, 64]}
";

/// Returns every trial of the store `store` in `env`, but `epoch_seconds`.
fn results(env: &TestEnv, store: &str) -> Vec<serde_json::Value> {
    env.reproducible_trials("shared", store)
}

/// The command line of agent `agent` (`I/N`) on the store `store`, meeting the others in
/// the folder `exchange`.
fn agent_args<'a>(agent: &'a str, exchange: &'a str, store: &'a str) -> [&'a str; 9] {
    [
        "run",
        "shared.yaml",
        "--no-serve",
        "--agent",
        agent,
        "--exchange",
        exchange,
        "--store",
        store,
    ]
}

/// Starts agent `agent` of two in `env`, on the store `store`, meeting the others in the folder
/// `exchange`, with `extra` arguments (which may serve its dashboard: `--addr` replaces
/// `--no-serve`).
fn agent(env: &TestEnv, agent: &str, (exchange, store): (&str, &str), extra: &[&str]) -> Child {
    let serves = extra.contains(&"--addr");
    let args: Vec<&str> = agent_args(agent, exchange, store)
        .into_iter()
        .filter(|a| !serves || *a != "--no-serve")
        .collect();
    env.command(&args)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What `sweep show` says of the test split in the store `store` of `env`: the trial measured
/// and its metrics.
fn test_split(env: &TestEnv, store: &str) -> String {
    let show = env.sweep(&["show", "shared", "--store", store]);
    assert_eq!(show.code, 0, "{show:?}");
    let at = show
        .stdout
        .find("test split: trial")
        .unwrap_or_else(|| panic!("no test split in {store}: {}", show.stdout));
    show.stdout[at..].to_string()
}

/// `sweep serve --exchange EXCHANGE`, started in `env`: it follows the studies there from
/// their journals alone.
struct Follower {
    child: Child,
    /// Its output, kept open to the end: a closed pipe would end it at its next line.
    _out: BufReader<ChildStdout>,
    /// Its dashboard, without the trailing `/`.
    url: String,
}

impl Follower {
    fn start(env: &TestEnv, exchange: &str) -> Follower {
        let mut child = env
            .command(&["serve", "--exchange", exchange, "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        out.read_line(&mut first_line).unwrap();
        let url = first_line
            .trim()
            .strip_prefix("dashboard: ")
            .unwrap_or_else(|| panic!("no dashboard line: {first_line:?}"))
            .trim_end_matches('/')
            .to_string();
        Follower {
            child,
            _out: out,
            url,
        }
    }

    /// Stops it as a person does, with Ctrl-C: it ends with 130 and leaves no temporary store
    /// behind (its followers' threads would otherwise keep one in memory).
    fn stop(mut self) {
        let pid = self.child.id();
        let signal = nix::sys::signal::Signal::SIGINT;
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
            signal,
        )
        .unwrap();
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{status:?}");
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            std::path::PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let left: Vec<String> = std::fs::read_dir(base)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(&format!("sweep-temporary-store.{pid}.")))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

/// The results of one process running the same file, and its test split: run once, by the
/// first test that needs them.
fn one_process() -> &'static (Vec<serde_json::Value>, String) {
    static ONE: OnceLock<(Vec<serde_json::Value>, String)> = OnceLock::new();
    ONE.get_or_init(|| {
        let env = TestEnv::new();
        env.write_spec("shared.yaml", SWEEP);
        let out = env.sweep(&["run", "shared.yaml", "--no-serve"]);
        assert_eq!(out.code, 0, "{out:?}");
        (results(&env, ".sweep"), test_split(&env, ".sweep"))
    })
}

#[test]
fn two_agents_give_the_results_of_one_process_even_when_one_is_killed_and_restarted() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", SWEEP);
    // A machine that runs no agent follows the study from the journals alone.
    std::fs::create_dir_all(env.path().join("exchange")).unwrap();
    let follower = Follower::start(&env, "exchange");
    let followed = follower.url.clone();
    let mut first = agent(
        &env,
        "0/2",
        ("exchange", "store-0"),
        &["--quiet-after", "0.2s", "--addr", "127.0.0.1:0"],
    );
    // Agent 0's lines, as they come.
    let (said, heard) = mpsc::channel();
    let first_lines = BufReader::new(first.stderr.take().unwrap()).lines();
    std::thread::spawn(move || {
        for line in first_lines.map_while(Result::ok) {
            let _ = said.send(line);
        }
    });
    let mut second = agent(&env, "1/2", ("exchange", "store-1"), &[]);
    // Agent 1 is killed once it has finished a trial of its own (its third line: the start,
    // then trials 0 and 1 in some order, with at least one of its own).
    let mut lines = BufReader::new(second.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("trial   1 ") {
            break;
        }
    }
    assert!(
        seen.iter().any(|l| l.contains("as agent 1 of 2"))
            && seen
                .iter()
                .any(|l| l.ends_with("sees exchange: sweep serve --exchange exchange")),
        "{seen:?}"
    );
    second.kill().unwrap();
    second.wait().unwrap();
    // Agent 0 waits for agent 1's trials meanwhile, and says so, on standard error and on its
    // dashboard's experiment page. On a busy machine it may have said so already while agent 1
    // ran (quiet for longer than --quiet-after, perhaps about another trial, or before it
    // joined): the line that counts is the last, once the page shows it too.
    let mut first_said: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let (waiting, page) = loop {
        first_said.extend(heard.try_iter());
        let url = first_said
            .iter()
            .find_map(|l| l.strip_prefix("dashboard: "))
            .map(|u| u.trim_end_matches('/').to_string());
        let last = first_said
            .iter()
            .rev()
            .find(|l| l.starts_with("waiting for agent 1 of 2"))
            .filter(|l| l.contains("has not changed for"))
            .cloned();
        if let (Some(url), Some(waiting)) = (url, last) {
            let (status, page) = crate::dashboard::get(&format!("{url}/experiments/shared"));
            assert_eq!(status, 200, "{page}");
            let shown = waiting.split(": its journal").next().unwrap();
            if page.contains("<p class=\"notice\">") && page.contains(shown) {
                break (waiting, page);
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "agent 0 never said it waits, on its dashboard too: {first_said:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        waiting.contains("which runs trial")
            && waiting.contains("exchange/shared/agent-1.jsonl has not changed for")
            && waiting.ends_with("start it again with its command (--agent 1/2)"),
        "{waiting}\n{page}"
    );
    // Started again, agent 1 carries on.
    let again = env.sweep(&agent_args("1/2", "exchange", "store-1"));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stderr.contains("resuming shared as agent 1 of 2"),
        "{}",
        again.stderr
    );
    assert!(
        !again.stdout.contains("; 0 run now"),
        "agent 1 had nothing left:\n{}",
        again.stdout
    );
    assert!(first.wait().unwrap().success());
    first_said.extend(heard.iter());
    assert!(
        first_said
            .iter()
            .any(|l| l.starts_with("agent 1 of 2 is heard from again, after")),
        "{first_said:?}"
    );
    // Agent 1's trials, learned from its journal, say whose they are; agent 0's own do not.
    assert!(
        first_said
            .iter()
            .any(|l| l.starts_with("trial   1 (agent 1) "))
            && first_said
                .iter()
                .any(|l| l.starts_with("trial   0 completed")),
        "{first_said:?}"
    );
    let (expected, tested) = one_process().clone();
    assert_eq!(expected.len(), 8);
    for store in ["store-0", "store-1"] {
        assert_eq!(results(&env, store), expected, "{store}");
        // The best trial measured on the test split once, by its agent: both stores hold it.
        assert_eq!(test_split(&env, store), tested, "{store}");
    }
    // The follower ends with the study too: every trial as the agents stored them.
    let api = |path: &str| {
        let (status, body) = crate::dashboard::get(&format!("{followed}{path}"));
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while api("/api/experiments/shared")["status"] != "finished" {
        assert!(
            std::time::Instant::now() < deadline,
            "the follower never saw the end"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Then the test split's result, measured by the agent that ran the best trial.
    while api("/api/experiments/shared")["test"].is_null() {
        assert!(
            std::time::Instant::now() < deadline,
            "the follower never saw the test split"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let test = api("/api/experiments/shared")["test"].clone();
    let accuracy = test["metrics"]["test_accuracy"].as_f64().unwrap();
    assert!(
        tested.contains(&format!("trial {},", test["trial"]))
            && tested.contains(&format!("test_accuracy  {accuracy:.4}")),
        "{test} against {tested}"
    );
    let listed = api("/api/experiments/shared/trials?sort=trial&per_page=100");
    let trials = listed["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 8, "{listed}");
    let experiment = api("/api/experiments/shared");
    assert_eq!(experiment["trials"]["stored"], 8);
    for (t, e) in trials.iter().zip(&expected) {
        assert_eq!(t["params"], e["params"], "{t}");
        assert_eq!(t["state"], e["state"], "{t}");
    }
    follower.stop();
    // Given a study's folder rather than the exchange folder, it says which to give.
    let wrong = env.sweep(&["serve", "--exchange", "exchange/shared"]);
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(
        wrong
            .stderr
            .contains("holds the agent journals of one study; give the exchange folder")
            && wrong.stderr.contains("sweep serve --exchange exchange"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn an_agent_past_its_time_limit_leaves_the_test_split_to_the_study_end() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", SWEEP);
    let second = agent(&env, "1/2", ("exchange", "store-1"), &[]);
    // Agent 0's time limit passes at once: it starts no trial, or one.
    let mut args: Vec<&str> = agent_args("0/2", "exchange", "store-0").to_vec();
    args.extend(["--timeout", "0.001s"]);
    let timed = env.sweep(&args);
    assert_eq!(timed.code, 0, "{timed:?}");
    assert!(
        timed.stdout.contains(
            "no test split measured yet: an agent's study measures it once every trial has \
             ended, by the agent that ran the best one"
        ) && !timed.stdout.contains("test split: trial"),
        "{}",
        timed.stdout
    );
    // Started again without a limit, it carries on, and the study ends as one process's.
    let again = env.sweep(&agent_args("0/2", "exchange", "store-0"));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(second.wait_with_output().unwrap().status.success());
    let (expected, tested) = one_process().clone();
    for store in ["store-0", "store-1"] {
        assert_eq!(results(&env, store), expected, "{store}");
        assert_eq!(test_split(&env, store), tested, "{store}");
    }
}

/// Agent 0 of two in `env`, alone (agent 1 never comes), with `extra` arguments: the process,
/// what it prints on standard output (read to the end) and its lines on standard error, as
/// they come (read to the end too, so that it never writes to a closed pipe).
fn alone(
    env: &TestEnv,
    extra: &[&str],
) -> (
    Child,
    std::thread::JoinHandle<std::io::Result<String>>,
    mpsc::Receiver<String>,
) {
    let mut args: Vec<&str> = agent_args("0/2", "exchange", "store-0").to_vec();
    args.extend_from_slice(extra);
    let mut child = env
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let printed = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut out, &mut text).map(|_| text)
    });
    let (tell, heard) = mpsc::channel();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tell.send(line);
        }
    });
    (child, printed, heard)
}

/// Waits for `child` to end, killing it and failing the test with `what` after `seconds`.
fn ends_within(child: &mut Child, seconds: u64, what: &str) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_agent_stopped_while_another_never_started_says_how_far_the_study_got() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", SWEEP);
    // Agent 1 never starts: agent 0 runs what it can of its trials, then waits for it.
    let (mut child, printed, heard) = alone(&env, &["--quiet-after", "0.2s"]);
    let mut said: Vec<String> = Vec::new();
    while !said
        .iter()
        .any(|l| l.starts_with("waiting for agent 1 of 2"))
    {
        match heard.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => said.push(line),
            Err(e) => panic!("agent 0 never said it waits ({e}): {said:?}"),
        }
    }
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    // It stops between epochs: a trial waiting for agent 1's, which never come, stops too.
    let status = ends_within(
        &mut child,
        60,
        "agent 0 did not stop within a minute of Ctrl-C",
    );
    let stdout = printed.join().unwrap().unwrap();
    assert_eq!(status.code(), Some(130), "{stdout}");
    // Agent 1's trials never ran, so it is not waiting for a test split.
    assert!(
        stdout.contains("stopped early: ")
            && stdout.contains(" of 8 trials finished; run the same command again to resume")
            && !stdout.contains("test split"),
        "{stdout}"
    );
}

#[test]
fn an_agent_past_its_time_limit_does_not_wait_for_an_agent_that_never_came() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", SWEEP);
    // Agent 1 never comes: agent 0's trial 2 waits for trial 1 to be judged, past the limit.
    // On a busy machine the limit may pass before trial 2 starts, which would test nothing:
    // then the same command carries on with a longer limit, until trial 2 has started.
    let mut tries = [("2s", "2.0s"), ("8s", "8.0s"), ("32s", "32.0s")].into_iter();
    let (trial_2, stdout) = loop {
        let (limit, said) = tries.next().expect("trial 2 never started within 32s");
        let (mut child, printed, _) = alone(&env, &["--quiet-after", "0.2s", "--timeout", limit]);
        let status = ends_within(
            &mut child,
            90,
            "agent 0 still waits for agent 1 long past its time limit",
        );
        let stdout = printed.join().unwrap().unwrap();
        assert!(status.success(), "{stdout}");
        assert!(
            stdout.contains(&format!("time limit of {said} reached: "))
                && stdout.contains(" of 8 trials finished"),
            "{stdout}"
        );
        let trial_2 = results(&env, "store-0")
            .into_iter()
            .find(|t| t["trial"] == 2);
        if let Some(trial_2) = trial_2 {
            break (trial_2, stdout);
        }
    };
    // Trial 2 was waiting when the limit passed: a trial that runs when it passes is let
    // finish, so one stopped at epoch 2, where the median rule first needs trial 1, was
    // stopped waiting for it, and went back in the queue with that attempt kept as stopped
    // (not left `running` for the next run to call killed).
    assert_eq!(trial_2["state"], "queued", "{trial_2}\n{stdout}");
    let show = env.sweep(&["show", "shared/2", "--store", "store-0"]);
    assert!(
        show.stdout.contains("1 (stopped): 2 epochs"),
        "{show:?}\n{stdout}"
    );
    // The trials it stopped run again: with agent 1 the study ends as one process's.
    let second = agent(&env, "1/2", ("exchange", "store-1"), &[]);
    let again = env.sweep(&agent_args("0/2", "exchange", "store-0"));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(second.wait_with_output().unwrap().status.success());
    let expected = one_process().0.as_slice();
    for store in ["store-0", "store-1"] {
        assert_eq!(results(&env, store), expected, "{store}");
    }
}

#[test]
fn agents_with_copies_of_the_file_that_differ_in_comments_run_one_study() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", SWEEP);
    // Another machine's copy: a comment, other spacing, Windows line endings.
    let copy = format!("# agent 1's copy\n{SWEEP}")
        .replace("run_cap: 8", "run_cap:   8")
        .replace('\n', "\r\n");
    env.write_spec("copy.yaml", &copy);
    let mut args = agent_args("1/2", "exchange", "store-1");
    args[1] = "copy.yaml";
    let second = env
        .command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = env.sweep(&agent_args("0/2", "exchange", "store-0"));
    assert_eq!(first.code, 0, "{first:?}");
    let out = second.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = one_process().0.as_slice();
    for store in ["store-0", "store-1"] {
        assert_eq!(results(&env, store), expected, "{store}");
    }
    // A copy that changes the search is refused, naming the setting, not the copies'
    // comments and layout (issue cluster45).
    env.write_spec("other.yaml", &SWEEP.replace("run_cap: 8", "run_cap: 9"));
    let mut args = agent_args("1/2", "exchange", "store-2");
    args[1] = "other.yaml";
    let refused = env.sweep(&args);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("planned trials: 8 there, 9 here, spec text sha256: ")
            && refused
                .stderr
                .contains("the file's settings that differ: run_cap: 8 there, 9 here)"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("agent 1's copy"),
        "{}",
        refused.stderr
    );
    // A copy started with another count is refused for the count alone, and leaves no
    // journal (issue cluster45).
    let mut args = agent_args("2/3", "exchange", "store-3");
    args[1] = "copy.yaml";
    let refused = env.sweep(&args);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("(agents: 2 there, 3 here); every agent"),
        "{}",
        refused.stderr
    );
    let journal = env.path().join("exchange/shared/agent-2.jsonl");
    assert!(!journal.exists(), "{}", journal.display());
}

#[test]
fn agent_flags_are_checked_before_anything_runs() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", SWEEP);
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "shared.yaml", "--no-serve"];
        args.extend_from_slice(extra);
        env.sweep(&args)
    };
    let out = run(&["--agent", "2/2", "--exchange", "x"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--agent 2/2: agent 2 of 2 does not exist"),
        "{}",
        out.stderr
    );
    // A negative number is read as the flag's value, and refused as one.
    let out = run(&["--agent", "-1/2", "--exchange", "x"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--agent -1/2: expected I/N"),
        "{}",
        out.stderr
    );
    let out = run(&["--agent", "one", "--exchange", "x"]);
    assert!(out.stderr.contains("expected I/N"), "{}", out.stderr);
    // `--extend` is refused with what adds trials to a study run by agents instead, and
    // nothing is made.
    let out = run(&["--agent", "0/2", "--exchange", "x", "--extend", "2"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--extend cannot be used with --agent: an agent started again")
            && out.stderr.contains(
                "a --run-cap 2 above the trials the study plans and a new --exchange folder"
            ),
        "{}",
        out.stderr
    );
    assert!(!env.store().exists() && !env.path().join("x").exists());
    let out = run(&["--agent", "0/2"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--exchange"), "{}", out.stderr);
    let out = run(&["--quiet-after", "5m"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--agent"), "{}", out.stderr);
    let out = run(&["--agent", "0/2", "--exchange", "x", "--quiet-after", "0"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("a duration must be more than zero, found `0`"),
        "{}",
        out.stderr
    );
    let no_parallel = env.write_spec("loose.yaml", &SWEEP.replace("parallel: 2\n", ""));
    let out = env.sweep(&[
        "run",
        no_parallel.to_str().unwrap(),
        "--agent",
        "0/2",
        "--exchange",
        "x",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("give `parallel:`"), "{}", out.stderr);
    assert!(!env.path().join(".sweep").exists(), "nothing was created");
    // The folder of one study's journals, given for the exchange, is refused with the folder
    // above it (it would start the study again in a folder of its own below it).
    let study = env.path().join("ex/shared");
    std::fs::create_dir_all(&study).unwrap();
    std::fs::write(study.join("agent-1.jsonl"), "").unwrap();
    let out = run(&["--agent", "0/2", "--exchange", "ex/shared"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--exchange ex/shared: it holds the agent journals of one study")
            && out.stderr.contains("--exchange ex"),
        "{}",
        out.stderr
    );
    assert!(!study.join("shared").exists() && !env.path().join(".sweep").exists());
}

#[test]
fn agents_warm_started_from_their_own_copies_of_a_file_give_the_results_of_one_process() {
    // The results of an earlier sweep, exported to a file.
    let env = TestEnv::new();
    let past = SWEEP
        .replace("name: shared", "name: past")
        .replace("method: tpe", "method: sobol")
        .replace("{n_startup_trials: 3}", "{scramble: true}")
        .replace("run_cap: 8", "run_cap: 4");
    env.write_spec("past.yaml", &past);
    let ran = env.sweep(&["run", "past.yaml", "--no-serve", "--store", "earlier"]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let exported = env.sweep(&[
        "export", "past", "--format", "csv", "--store", "earlier", "-o", "past.csv",
    ]);
    assert_eq!(exported.code, 0, "{exported:?}");
    let warm = format!("{SWEEP}warm_start: {{csv: past.csv}}\n");
    env.write_spec("shared.yaml", &warm);
    let one = env.sweep(&["run", "shared.yaml", "--no-serve", "--store", "one"]);
    assert_eq!(one.code, 0, "{one:?}");
    let expected = env.reproducible_trials("shared", "one");

    // Agent 1 runs on another machine, with its own copy of the spec and of the file.
    let exchange = env.path().join("exchange");
    let exchange = exchange.to_str().unwrap();
    let copy = |csv: &str| {
        let machine = TestEnv::new();
        machine.write_spec("shared.yaml", &warm);
        std::fs::write(machine.path().join("past.csv"), csv).unwrap();
        machine
    };
    let csv = std::fs::read_to_string(env.path().join("past.csv")).unwrap();
    let other = copy(&csv);
    let first = agent(&env, "0/2", (exchange, "store"), &[]);
    let second = agent(&other, "1/2", (exchange, "store"), &[]);
    for (machine, agent) in [(&env, first), (&other, second)] {
        let out = agent.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(machine.reproducible_trials("shared", "store"), expected);
    }
    // The study's best trial, measured on the test split by the agent that ran it, has its
    // checkpoint in both stores: they predict alike.
    let shown = env.sweep(&["show", "shared", "--store", "store"]);
    let best = shown
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("test split: trial "))
        .and_then(|rest| rest.split(',').next())
        .expect("a test split line")
        .to_string();
    let rows = std::fs::read_to_string(tests::repo_root().join("experiments/data/digits.csv"))
        .unwrap()
        .lines()
        .take(4)
        .collect::<Vec<_>>()
        .join("\n");
    let predictions: Vec<String> = [&env, &other]
        .into_iter()
        .map(|machine| {
            std::fs::write(machine.path().join("new.csv"), &rows).unwrap();
            let target = format!("shared/{best}");
            let args = ["predict", &target, "--input", "new.csv", "--store", "store"];
            let out = machine.sweep(&args);
            assert_eq!(out.code, 0, "{out:?}");
            out.stdout
        })
        .collect();
    assert_eq!(predictions[0], predictions[1]);
    // Each agent keeps its other trials' checkpoints; its store says where the others' are.
    assert_ne!(best, "1", "trial 1 is not the study's best");
    let show = env.sweep(&["show", "shared/1", "--store", "store"]);
    assert!(
        show.stdout
            .contains("predict     no checkpoint here: agent 1 of 2 ran this trial"),
        "{}",
        show.stdout
    );
    let show = other.sweep(&["show", "shared/1", "--store", "store"]);
    assert!(
        show.stdout
            .contains("predict     sweep predict shared/1 --input new.csv"),
        "{}",
        show.stdout
    );
    // A follower, from the journals alone, shows the warm start too.
    let follower = Follower::start(&env, exchange);
    let url = &follower.url;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let page = loop {
        let (status, page) = crate::dashboard::get(&format!("{url}/experiments/shared"));
        if status == 200 && page.contains("Warm start") {
            break page;
        }
        assert!(std::time::Instant::now() < deadline, "{status}: {page}");
        std::thread::sleep(Duration::from_millis(50));
    };
    follower.stop();
    assert!(page.contains("4 trials of"), "{page}");

    // A copy whose rows differ gives other trials: the agents refuse each other.
    let mut rows: Vec<&str> = csv.lines().collect();
    rows.truncate(rows.len() - 1);
    let shorter = copy(&(rows.join("\n") + "\n"));
    let apart = env.path().join("apart");
    let apart = apart.to_str().unwrap();
    let mut waiting = agent(&shorter, "1/2", (apart, "store"), &[]);
    let journal = env.path().join("apart/shared/agent-1.jsonl");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&journal).map_or(0, |m| m.len()) == 0 {
        assert!(std::time::Instant::now() < deadline, "agent 1 never joined");
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = env.sweep(&agent_args("0/2", apart, "refused"));
    waiting.kill().unwrap();
    waiting.wait().unwrap();
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("agent 1 runs another study than this agent 0"),
        "{}",
        refused.stderr
    );
    // `sweep validate` on each machine gives the digest the refusal names.
    let digest = |machine: &TestEnv| {
        let check = machine.sweep(&["validate", "shared.yaml"]);
        let at = check
            .stdout
            .find("its trials' sha256 ")
            .unwrap_or_else(|| panic!("no digest: {}", check.stdout));
        check.stdout[at + 19..at + 31].to_string()
    };
    let named = format!(
        "warm start sha256: {} there, {} here",
        digest(&shorter),
        digest(&env)
    );
    assert!(
        refused.stderr.contains(&named),
        "{named}: {}",
        refused.stderr
    );
}

#[test]
fn reproducing_a_damaged_checkpoint_in_an_agents_store_keeps_its_other_checkpoints() {
    // Two kept a store: each agent keeps its own best two, plus the study's best handed over.
    let env = TestEnv::new();
    let spec = SWEEP.replace("run_cap: 8", "run_cap: 8\ncheckpoints: {keep: 2}");
    env.write_spec("shared.yaml", &spec);
    let mut zero = agent(&env, "0/2", ("exchange", "store0"), &[]);
    let mut one = agent(&env, "1/2", ("exchange", "store1"), &[]);
    for child in [&mut zero, &mut one] {
        assert!(child.wait().unwrap().success());
    }
    let folder = env.path().join("store1/checkpoints/shared");
    let kept = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    };
    let before = kept();
    // Agent 1's own trials are the odd ones: damage one it keeps.
    let own = before
        .iter()
        .filter_map(|n| n.strip_suffix(".safetensors"))
        .find(|n| n.parse::<u32>().is_ok_and(|t| t % 2 == 1))
        .expect("a kept checkpoint of agent 1's own")
        .to_string();
    let weights = folder.join(format!("{own}.safetensors"));
    let mut bytes = std::fs::read(&weights).unwrap();
    let at = bytes.len() - 8;
    bytes[at] ^= 0xff;
    std::fs::write(&weights, bytes).unwrap();
    let trial = format!("shared/{own}");
    let out = env.sweep(&["reproduce", &trial, "--store", "store1"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("its checkpoint, damaged, was written again"),
        "{}",
        out.stdout
    );
    // Every checkpoint the store kept is still there, the mended one usable.
    assert_eq!(kept(), before);
    let rows = std::fs::read_to_string(tests::repo_root().join("experiments/data/digits.csv"))
        .unwrap()
        .lines()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(env.path().join("new.csv"), rows).unwrap();
    let args = ["predict", &trial, "--input", "new.csv", "--store", "store1"];
    let predicted = env.sweep(&args);
    assert_eq!(predicted.code, 0, "{predicted:?}");
}

#[test]
fn issue_aud_4_an_agent_says_when_the_exchange_lacks_the_best_trial_s_checkpoint() {
    let env = TestEnv::new();
    env.write_spec("shared.yaml", &SWEEP.replace("run_cap: 8", "run_cap: 4"));
    let mut zero = agent(&env, "0/2", ("exchange", "store0"), &[]);
    let mut one = agent(&env, "1/2", ("exchange", "store1"), &[]);
    for child in [&mut zero, &mut one] {
        assert!(child.wait().unwrap().success());
    }
    // The shared copy deleted, agent 1 starts again on an empty store (its node lost).
    std::fs::remove_dir_all(env.path().join("exchange/shared/checkpoints")).unwrap();
    let again = env.sweep(&agent_args("1/2", "exchange", "store-new"));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again
            .stderr
            .contains("the exchange holds no copy of the best trial's checkpoint")
            && again.stderr.contains("exchange/shared/checkpoints/"),
        "{}",
        again.stderr
    );
}
