//! A trial's trace after a real SIGKILL: `sweep show` says how long the killed trial ran until
//! it was last heard from, and once the sweep resumes, that its cut attempt was killed.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use tests::TestEnv;

/// One trial, long enough to be killed mid-run well after the store flushed some reports.
const SWEEP: &str = "\
name: killed
seed: 9
method: random
run_cap: 1
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 100, batch_size: 32}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [32]}
";

/// How far, in seconds by the sweep's own log, the kill lands after the first epoch: past
/// sled's periodic flush (every half second), so the store keeps a report to have heard.
const KILL_AFTER_S: f64 = 1.0;

/// Returns the time of day, in seconds, of a log line (`2026-01-02T03:04:05.678901Z DEBUG ...`).
fn logged_at(line: &str) -> Option<f64> {
    let time = line.split_whitespace().next()?.split('T').nth(1)?;
    let mut parts = time.trim_end_matches('Z').split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    Some(h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?)
}

#[test]
fn a_trial_killed_mid_run_shows_its_run_until_last_heard_and_after_resume_its_killed_attempt() {
    let env = TestEnv::new();
    let spec = env.write_spec("killed.yaml", SWEEP);
    let mut child = env
        .command(&["run", spec.to_str().unwrap()])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut first = None;
    let mut killed = false;
    for line in lines.map_while(Result::ok) {
        if !line.contains("epoch finished") {
            continue;
        }
        let at = logged_at(&line).unwrap_or_else(|| panic!("no time in: {line}"));
        let first = *first.get_or_insert(at);
        // (A log across midnight counts from the start of the day.)
        if (at - first).rem_euclid(86_400.0) >= KILL_AFTER_S {
            child.kill().unwrap();
            killed = true;
            break;
        }
    }
    assert!(killed, "the trial ended before it could be killed");
    assert!(!child.wait().unwrap().success());

    let shown = env.sweep(&["show", "killed/0"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(
        shown.stdout.contains("until last heard from, at epoch"),
        "{}",
        shown.stdout
    );
    // `sweep trials` shows its run to the last report too, and sorts by it.
    let listed = env.sweep(&["trials", "killed", "--sort", "duration"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stdout.contains("(last heard)"), "{}", listed.stdout);

    let resumed = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let shown = env.sweep(&["show", "killed/0"]);
    let cut = shown
        .stdout
        .lines()
        .find(|l| l.starts_with("cut off"))
        .unwrap_or_else(|| panic!("no cut attempt in:\n{}", shown.stdout));
    // Killed after some epochs it reported, for a known time.
    assert!(cut.contains("1 (killed): "), "{cut}");
    assert!(
        !cut.contains(": 0 epochs") && !cut.contains("time unknown"),
        "{cut}"
    );
    assert!(
        !shown.stdout.contains("until last heard from"),
        "{}",
        shown.stdout
    );
}
