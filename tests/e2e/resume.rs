//! Crash safety: a sweep killed with SIGKILL mid-run resumes with the same command, keeps what
//! finished, re-runs what was interrupted, and ends with the same results as an uninterrupted
//! run.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use tests::TestEnv;

/// Eight short trials, two side by side, each long enough to be caught mid-run.
const SWEEP: &str = "\
name: crash
seed: 9
method: random
run_cap: 8
parallel: 2
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 6, batch_size: 32}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [32, 64]}
";

/// Returns every trial's number, state, params and metrics but `epoch_seconds`.
fn results(env: &TestEnv) -> Vec<serde_json::Value> {
    let out = env.sweep(&["trials", "crash", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let mut trials: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    for t in &mut trials {
        if let Some(m) = t.get_mut("metrics").and_then(|m| m.as_object_mut()) {
            m.remove("epoch_seconds");
        }
    }
    trials
}

#[test]
fn a_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_result() {
    let crashed = TestEnv::new();
    let spec = crashed.write_spec("crash.yaml", SWEEP);
    let mut child = crashed
        .command(&["run", spec.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut finished = 0;
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("trial") && line.contains("completed") {
            finished += 1;
            if finished == 3 {
                break;
            }
        }
    }
    assert_eq!(
        finished,
        3,
        "the sweep ended before it could be killed:\n{}",
        seen.join("\n")
    );
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up.
    let status = child.wait().unwrap();
    assert!(!status.success());

    let resumed = crashed.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed.stderr.contains("resuming crash"),
        "{}",
        resumed.stderr
    );
    assert!(
        !resumed.stdout.contains("8 run now"),
        "nothing was kept:\n{}",
        resumed.stdout
    );

    let clean = TestEnv::new();
    let spec = clean.write_spec("crash.yaml", SWEEP);
    assert_eq!(clean.sweep(&["run", spec.to_str().unwrap()]).code, 0);

    let (a, b) = (results(&crashed), results(&clean));
    let numbers: Vec<u64> = a.iter().filter_map(|t| t["trial"].as_u64()).collect();
    assert_eq!(numbers, (0..8).collect::<Vec<u64>>(), "gaps or duplicates");
    assert_eq!(a, b);
}
