//! Crash safety: a sweep killed with SIGKILL mid-run, stopped with Ctrl-C, or ended by its time
//! limit resumes with the same command, keeps what finished, re-runs what was interrupted, and
//! ends with the same results as an uninterrupted run.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::OnceLock;

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

/// How long `SWEEP`'s trials train: what each test needs of them.
#[derive(Debug, Clone, Copy)]
enum Length {
    /// `SWEEP` as written, 6 epochs: enough for SIGKILL, which needs no trial running when it
    /// lands (the store is checked either way).
    Short,
    /// 30 epochs: long enough that a trial is still running when Ctrl-C lands after the third
    /// completion, however loaded the machine (with 6 the other running trial could end, and no
    /// new one start, in between), and that a time limit passes long before the eighth ends.
    Long,
}

impl Length {
    /// Returns the experiment file.
    fn text(self) -> String {
        match self {
            Length::Short => SWEEP.to_string(),
            Length::Long => SWEEP.replace("epochs: 6", "epochs: 30"),
        }
    }

    /// Returns the results of an uninterrupted run of the file, run once for all the tests in
    /// this binary that compare with it (the Ctrl-C and time-limit tests share the long one).
    fn uninterrupted(self) -> &'static [serde_json::Value] {
        static SHORT: OnceLock<Vec<serde_json::Value>> = OnceLock::new();
        static LONG: OnceLock<Vec<serde_json::Value>> = OnceLock::new();
        let cell = match self {
            Length::Short => &SHORT,
            Length::Long => &LONG,
        };
        cell.get_or_init(|| {
            let clean = TestEnv::new();
            let spec = clean.write_spec("crash.yaml", &self.text());
            let out = clean.sweep(&["run", spec.to_str().unwrap()]);
            assert_eq!(out.code, 0, "{out:?}");
            results(&clean)
        })
    }
}

/// Returns every trial's number, state, params and metrics but `epoch_seconds`, without
/// `rank`, which depends on the other trials stored (fewer after a stop).
fn results(env: &TestEnv) -> Vec<serde_json::Value> {
    let mut trials = env.reproducible_trials("crash", ".sweep");
    for t in trials.iter_mut().filter_map(|t| t.as_object_mut()) {
        t.remove("rank");
    }
    trials
}

/// Returns how many trials of `results` completed.
fn completed(results: &[serde_json::Value]) -> usize {
    results.iter().filter(|t| t["state"] == "completed").count()
}

/// Returns the number a run's summary gives as run now (`...; 5 run now`).
fn run_now(stdout: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_suffix(" run now"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `N run now` in:\n{stdout}"))
}

/// Starts `sweep run` on `spec` in `env`, waits until three trials have completed, and then
/// does `interrupt` to the process; returns how it ended and every line it wrote to stderr.
fn interrupt_after_three(
    env: &TestEnv,
    spec: &Path,
    interrupt: impl FnOnce(&mut Child),
) -> (ExitStatus, String, Vec<String>) {
    let mut child = env
        .command(&["run", spec.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let printed = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut finished = 0;
    let mut seen = Vec::new();
    for line in lines.by_ref() {
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
        "the sweep ended before it could be interrupted:\n{}",
        seen.join("\n")
    );
    interrupt(&mut child);
    seen.extend(lines.map_while(std::result::Result::ok));
    let status = child.wait().unwrap();
    (status, printed.join().unwrap(), seen)
}

/// Resumes the sweep in `env`, written as `length`, and checks that it runs only the trials
/// that had not completed and ends with exactly the results of an uninterrupted run of the
/// same file.
fn resume_to_the_uninterrupted_result(env: &TestEnv, spec: &Path, length: Length) {
    let kept = completed(&results(env));
    let resumed = env.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed.stderr.contains("resuming crash"),
        "{}",
        resumed.stderr
    );
    // What completed before is kept: only the others run (no pruner, so none ends otherwise).
    assert_eq!(
        run_now(&resumed.stdout),
        8 - kept,
        "{kept} completed before:\n{}",
        resumed.stdout
    );

    let a = results(env);
    let numbers: Vec<u64> = a.iter().filter_map(|t| t["trial"].as_u64()).collect();
    assert_eq!(numbers, (0..8).collect::<Vec<u64>>(), "gaps or duplicates");
    assert_eq!(a, length.uninterrupted());
}

#[test]
fn a_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_result() {
    let crashed = TestEnv::new();
    let spec = crashed.write_spec("crash.yaml", &Length::Short.text());
    // SIGKILL on Unix: no chance to clean up.
    let (status, _, _) = interrupt_after_three(&crashed, &spec, |child| child.kill().unwrap());
    assert!(!status.success());
    // The store still says `running`; a command that holds it knows no sweep runs any more.
    let listed = crashed.sweep(&["ls"]);
    assert!(listed.stdout.contains("crash  interrupted"), "{listed:?}");
    // It recorded no end; its duration runs to the last trial that started or finished.
    let row = listed
        .stdout
        .lines()
        .find(|l| l.starts_with("crash"))
        .unwrap_or("");
    assert!(row.ends_with('s') && !row.ends_with(" -"), "{row}");
    // So do the trials it left running (usually one or two: it ran two side by side).
    let trials = crashed.sweep(&["trials", "crash", "--format", "csv"]);
    assert_eq!(trials.code, 0, "{trials:?}");
    let states: Vec<&str> = trials
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    // At least the three that completed before the kill.
    assert!(
        states.iter().filter(|s| **s == "completed").count() >= 3,
        "{trials:?}"
    );
    assert!(!states.contains(&"running"), "{states:?}");
    resume_to_the_uninterrupted_result(&crashed, &spec, Length::Short);
}

#[test]
fn ctrl_c_stops_a_sweep_between_epochs_and_it_resumes_to_the_uninterrupted_result() {
    let stopped = TestEnv::new();
    // Trials long enough that one is still running when the signal lands.
    let spec = stopped.write_spec("crash.yaml", &Length::Long.text());
    let (status, stdout, stderr) =
        interrupt_after_three(&stopped, &spec, |child| crate::ctrl_c(child));
    let stderr = stderr.join("\n");
    assert_eq!(status.code(), Some(130), "{stderr}\n{stdout}");
    assert!(stderr.contains("stopping: no new trial starts"), "{stderr}");
    assert!(
        stdout.contains("of 8 trials finished; run the same command"),
        "{stdout}"
    );
    let listed = stopped.sweep(&["ls"]);
    assert!(listed.stdout.contains("crash  interrupted"), "{listed:?}");
    // At most the two trials that were running when it stopped went back to the queue, and
    // none is left running.
    let trials = results(&stopped);
    let queued: Vec<&serde_json::Value> =
        trials.iter().filter(|t| t["state"] == "queued").collect();
    assert!(queued.len() <= 2, "{trials:?}");
    assert!(trials.iter().all(|t| t["state"] != "running"), "{trials:?}");
    assert!(
        trials.len() < 8,
        "the sweep went on after Ctrl-C: {trials:?}"
    );
    // Every trial the stop did not cut off is stored as the uninterrupted run stores it: one
    // that was at its last epoch when the signal came is kept, not cut.
    for t in trials.iter().filter(|t| t["state"] == "completed") {
        let number = t["trial"].as_u64().unwrap();
        let same = &Length::Long.uninterrupted()[usize::try_from(number).unwrap()];
        assert_eq!(t, same, "trial {number}");
    }
    // Nor a checkpoint of an unfinished run: `sweep predict` would use weights it never
    // ended with (the checkpoints of the finished trials stay).
    let kept = stopped.store().join("checkpoints/crash");
    for t in &queued {
        assert!(!kept.join(format!("{}.json", t["trial"])).exists(), "{t}");
        assert!(
            !kept.join(format!("{}.safetensors", t["trial"])).exists(),
            "{t}"
        );
    }
    assert!(kept.join("0.json").exists() || kept.join("1.json").exists());
    // The trial started as the third completed is almost always cut off (it is far from its
    // last epoch); the other running one is cut off unless it was at its last epoch. Where
    // both were kept, or the stop came before the next started, none went back to the queue.
    let Some(left) = queued.first() else {
        assert!(!stdout.contains("from scratch"), "{stdout}");
        resume_to_the_uninterrupted_result(&stopped, &spec, Length::Long);
        return;
    };
    assert!(stdout.contains("again from scratch)"), "{stdout}");
    let trial = format!("crash/{}", left["trial"]);
    // Its record keeps the attempt the stop cut off, before and after it runs again.
    let cut_off = "cut off     1 (stopped): ";
    let shown = stopped.sweep(&["show", &trial]);
    assert!(shown.stdout.contains(cut_off), "{shown:?}");
    let refused = stopped.sweep(&["reproduce", &trial]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("did not finish (its sweep stopped before it did)"),
        "{}",
        refused.stderr
    );
    resume_to_the_uninterrupted_result(&stopped, &spec, Length::Long);
    let shown = stopped.sweep(&["show", &trial]);
    assert!(shown.stdout.contains(cut_off), "{shown:?}");
}

/// One-epoch trials, one at a time: every report is a trial's last, so a stop never cuts one
/// off.
const ONE_EPOCH: &str = "\
name: crash
seed: 9
method: random
run_cap: 3
parallel: 1
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 1, batch_size: 8}
checkpoints: {keep: 3}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [32, 64]}
";

#[test]
fn ctrl_c_during_a_trials_last_epoch_keeps_the_trial_and_the_same_command_carries_on() {
    let clean = TestEnv::new();
    let spec = clean.write_spec("crash.yaml", ONE_EPOCH);
    let out = clean.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    let uninterrupted = results(&clean);
    assert_eq!(completed(&uninterrupted), 3, "{uninterrupted:?}");

    let stopped = TestEnv::new();
    let spec = stopped.write_spec("crash.yaml", ONE_EPOCH);
    let mut child = stopped
        .command(&["run", spec.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let printed = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    // The first trial's line, as it completes: the signal comes while the next trains (or
    // before it starts).
    let (status, seen) = crate::ctrl_c_after_first_completion(&mut child);
    let (stdout, stderr) = (printed.join().unwrap(), seen.join("\n"));
    assert_eq!(status.code(), Some(130), "{stderr}\n{stdout}");
    assert!(stderr.contains("stopping: no new trial starts"), "{stderr}");

    // No trial was cut off: each one stored completed, as the uninterrupted run stores it,
    // with its checkpoint; the trials not started are left for the next run.
    let trials = results(&stopped);
    assert!(!trials.is_empty(), "{stderr}");
    for t in &trials {
        let number = t["trial"].as_u64().unwrap();
        assert_eq!(
            t,
            &uninterrupted[usize::try_from(number).unwrap()],
            "{stderr}"
        );
        let kept = stopped
            .store()
            .join(format!("checkpoints/crash/{number}.json"));
        assert!(kept.exists(), "{}", kept.display());
    }
    assert!(!stdout.contains("from scratch"), "{stdout}");
    if trials.len() < 3 {
        assert!(
            stdout.contains(&format!(
                "stopped early: {} of 3 trials finished; run the same command again to resume\n",
                trials.len()
            )),
            "{stdout}"
        );
        // The trials not started keep it unfinished.
        let listed = stopped.sweep(&["ls"]);
        assert!(listed.stdout.contains("crash  interrupted"), "{listed:?}");
    }
    let resumed = stopped.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(
        run_now(&resumed.stdout),
        3 - trials.len(),
        "{}",
        resumed.stdout
    );
    assert_eq!(results(&stopped), uninterrupted);
}

#[test]
fn a_time_limit_lets_the_running_trials_finish_and_the_same_command_carries_on() {
    let timed = TestEnv::new();
    // Longer trials than `SWEEP`'s: the limit passes long before the eighth ends.
    let spec = timed.write_spec("crash.yaml", &Length::Long.text());
    for (flag, value, said) in [
        (
            "--timeout",
            "10min",
            "expected a duration such as 90s, 30m, 2h or 1h30m (a bare number is seconds), found `10min`",
        ),
        (
            "--parallel",
            "two",
            "'--parallel <N>': expected a whole number such as 4, found `two`",
        ),
        (
            "--parallel",
            "-1",
            "'--parallel <N>': expected a whole number such as 4, found `-1`, which is negative",
        ),
        (
            "--run-cap",
            "4294967296",
            "'--run-cap <N>': `4294967296` is more than the most it takes, 4294967295",
        ),
        (
            "--parallel",
            "3000",
            "'--parallel <N>': `3000` is more than the most trials side by side, 1024 (each is a \
             thread of this process; more run as agents on other machines: README, \"Several \
             machines\")",
        ),
        (
            "--timeout",
            "1h1h",
            "expected a duration such as 90s, 30m, 2h or 1h30m (a bare number is seconds), found `1h1h`",
        ),
    ] {
        let bad = timed.sweep(&["run", spec.to_str().unwrap(), flag, value]);
        assert_eq!(bad.code, 2, "{bad:?}");
        assert!(bad.stderr.contains(said), "{}", bad.stderr);
    }
    // The limit passes at once, but the trials that started before it run to their end. On a
    // busy machine it can pass before any trial starts, which would test nothing: then the same
    // command carries on with a longer limit, until a run starts a trial.
    let (limit, out) = ["0.3s", "1.2s", "4.8s", "19.2s"]
        .into_iter()
        .map(|limit| {
            let out = timed.sweep(&["run", spec.to_str().unwrap(), "--timeout", limit]);
            assert_eq!(out.code, 0, "{out:?}");
            (limit, out)
        })
        .find(|(_, out)| run_now(&out.stdout) > 0)
        .expect("no trial started within a limit of 19.2s");
    assert!(
        out.stderr.contains(&format!(
            "time limit of {limit} reached: no new trial starts, and the running ones finish"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("of 8 trials finished; run the same command again to carry on"),
        "{}",
        out.stdout
    );
    let listed = timed.sweep(&["ls"]);
    assert!(listed.stdout.contains("crash  interrupted"), "{listed:?}");
    // Every trial that started ran to its end: none went back to the queue.
    let trials = results(&timed);
    assert!(!trials.is_empty() && trials.len() < 8, "{trials:?}");
    assert!(
        trials.iter().all(|t| t["state"] == "completed"),
        "{trials:?}"
    );
    resume_to_the_uninterrupted_result(&timed, &spec, Length::Long);
    // An extension cut short is carried on without --extend, which would add its trials again.
    let out = timed.sweep(&[
        "run",
        spec.to_str().unwrap(),
        "--extend",
        "4",
        "--timeout",
        "0.01s",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(
            "of 12 trials finished; run the same command again without --extend 4 (which would \
             add 4 more trials to the ones it planned) to carry on"
        ),
        "{}",
        out.stdout
    );
    // Run again as it was (a job restarted after a kill, which says nothing), it is refused
    // rather than add 4 more; without --extend it finishes the 12.
    let again = timed.sweep(&["run", spec.to_str().unwrap(), "--extend", "4"]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(
        again.stderr.contains(
            "experiment `crash` has not finished its 12 planned trials (a run stopped part way, \
             an earlier --extend perhaps), and --extend 4 adds 4 more each time it is run"
        ) && again.stderr.contains("or set the total with --run-cap 16"),
        "{}",
        again.stderr
    );
    let finished = timed.sweep(&["run", spec.to_str().unwrap()]);
    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(results(&timed).len(), 12);
}

/// Four one-epoch trials of a grid with five points; `run_cap: 4`.
const CAPPED: &str = "\
name: capped
seed: 1
method: grid
run_cap: 4
parallel: 1
metric: {name: val_accuracy, goal: maximize}
data: {csv: DATA/digits.csv, target: digit}
train: {epochs: 1, batch_size: 64}
parameters:
  hidden: {values: [8, 16, 24, 32, 40]}
";

/// A first run with `--run-cap 1` does not hide the file's own `run_cap` for good: the same
/// file run again raises the plan to it, and says so; counts of one are singular.
#[test]
fn issue_a_run_without_run_cap_takes_the_files_run_cap() {
    let env = TestEnv::new();
    let spec = env.write_spec("capped.yaml", CAPPED);
    let spec = spec.to_str().unwrap();
    let first = env.sweep(&["run", spec, "--run-cap", "1", "--no-serve"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first.stdout.contains("capped: 1 trial (1 completed"),
        "{}",
        first.stdout
    );
    let again = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again
            .stderr
            .contains("run cap raised from 1 to 4 (the file's run_cap)"),
        "{}",
        again.stderr
    );
    assert!(
        again.stdout.contains("capped: 4 trials (4 completed"),
        "{}",
        again.stdout
    );
    // Once there, the file's cap raises nothing more.
    let third = env.sweep(&["run", spec, "--no-serve"]);
    assert!(!third.stderr.contains("raised"), "{}", third.stderr);
    assert!(
        third
            .stderr
            .contains("capped: all 4 trials already finished; nothing to run (--extend N adds"),
        "{}",
        third.stderr
    );
}
