//! A sweep that Ctrl-C stopped while its dashboard was served: its pages see it `interrupted`,
//! with the command that resumes it, before the dashboard goes, as they see the end of a sweep
//! that ran to its end; with `--serve-after` the dashboard stays up until a further Ctrl-C, and
//! the process then exits 130 (143 where SIGTERM stopped it), as stopped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tests::TestEnv;

use crate::dashboard::get;

/// Six trials of 3 epochs on the digits, one at a time: a stop after the first completed leaves
/// trials unstarted, so the experiment is stored `interrupted`.
const SIX: &str = tests::digits_spec!(
    "six",
    6,
    1,
    "  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [16, 32]}
"
);

/// A `sweep run` whose standard error is read line by line as it comes; killed when dropped, so
/// that a failing test leaves no process behind.
struct Sweep {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stdout: Option<JoinHandle<String>>,
}

impl Sweep {
    /// Starts `sweep run SPEC ARGS` on `SIX` in `env`.
    fn start(env: &TestEnv, args: &[&str]) -> Sweep {
        Sweep::start_spec(env, ("six.yaml", SIX), args)
    }

    /// Starts `sweep run SPEC ARGS` in `env` on the spec `text`, written as `file`.
    fn start_spec(env: &TestEnv, (file, text): (&str, &str), args: &[&str]) -> Sweep {
        let spec = env.write_spec(file, text);
        let mut all = vec!["run", spec.to_str().unwrap()];
        all.extend_from_slice(args);
        let mut child = env
            .command(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sweep starts");
        let mut out = child.stdout.take().expect("piped");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        let err = child.stderr.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Sweep {
            child,
            lines,
            seen: Vec::new(),
            stdout: Some(stdout),
        }
    }

    /// Waits for the first line of standard error that `pick` takes, and returns what it makes
    /// of it; fails with every line seen when the stream ends first.
    fn wait_for<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(300)) {
            let picked = pick(&line);
            self.seen.push(line);
            if let Some(picked) = picked {
                return picked;
            }
        }
        panic!(
            "the line waited for never came; sweep said:\n{}",
            self.seen.join("\n")
        )
    }

    /// Sends Ctrl-C.
    fn ctrl_c(&self) {
        crate::ctrl_c(&self.child);
    }

    /// Waits for the process to end; returns its exit code, all of standard output and all of
    /// standard error.
    fn ended(mut self) -> (Option<i32>, String, String) {
        let code = self.child.wait().unwrap().code();
        self.seen.extend(self.lines.iter());
        let stdout = self.stdout.take().map(|t| t.join().unwrap());
        (code, stdout.unwrap_or_default(), self.seen.join("\n"))
    }
}

impl Drop for Sweep {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the sweep with `args`, and stops it with Ctrl-C once its first trial completed;
/// returns it with its dashboard's URL (without a trailing slash).
fn stopped_after_first_trial(env: &TestEnv, args: &[&str]) -> (Sweep, String) {
    let mut sweep = Sweep::start(env, args);
    let url = sweep.wait_for(|l| {
        l.strip_prefix("dashboard: ")
            .map(|u| u.trim_end_matches('/').to_string())
    });
    sweep.wait_for(|l| (l.starts_with("trial") && l.contains("completed")).then_some(()));
    (sweep, url)
}

/// GETs `url` as a live page's update does (`X-Sweep-Fragment: 1`, which tells the dashboard a
/// page watches); returns the body, or `None` once the server is gone.
fn update(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/')?;
    let mut stream = TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nX-Sweep-Fragment: 1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

#[test]
fn a_stopped_sweep_served_after_shows_it_interrupted_until_ctrl_c_ends_it_with_130() {
    served_after_a_stop(Signal::SIGINT, 130);
}

#[test]
fn a_sweep_sigterm_stopped_served_after_ends_with_143_at_the_ctrl_c_that_closes_it() {
    served_after_a_stop(Signal::SIGTERM, 143);
}

/// Runs the sweep with `--serve-after`, stops it with `first` once its first trial completed,
/// checks that its dashboard stays up showing it `interrupted` with the command that resumes
/// it, and that a Ctrl-C then ends the process with `code`, the stop's.
fn served_after_a_stop(first: Signal, code: i32) {
    let env = TestEnv::new();
    let (mut sweep, url) = stopped_after_first_trial(&env, &["--serve-after"]);
    let pid = Pid::from_raw(i32::try_from(sweep.child.id()).unwrap());
    kill(pid, first).unwrap();
    // The study has ended and the experiment is stored when the sweep says the dashboard
    // stays up.
    let said = sweep.wait_for(|l| {
        l.contains("the dashboard stays up at")
            .then(|| l.to_string())
    });
    assert!(
        said.ends_with(&format!(
            "showing the sweep stopped; press Ctrl-C to stop it (the process then exits {code}, \
             as stopped)"
        )),
        "{said}"
    );
    // The dashboard of a running sweep re-reads the store at most once a second: no event
    // says when it has, so the API is asked until it shows the sweep no longer running.
    let api = format!("{url}/api/experiments/six");
    let deadline = Instant::now() + Duration::from_secs(60);
    let body = loop {
        let (status, body) = get(&api);
        assert_eq!(status, 200, "{body}");
        if !body.contains("\"status\":\"running\"") || Instant::now() > deadline {
            break body;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(body.contains("\"status\":\"interrupted\""), "{body}");
    assert!(
        body.contains("\"resume_command\":\"sweep run ") && body.contains("six.yaml"),
        "{body}"
    );
    let (status, page) = get(&format!("{url}/experiments/six"));
    assert_eq!(status, 200, "{page}");
    for part in [
        "data-live=\"0\"",
        "status-interrupted",
        "class=\"command resume-command\"",
    ] {
        assert!(page.contains(part), "{part}: {page}");
    }
    // A Ctrl-C closes it, and the process ends as the stop ended the sweep.
    sweep.ctrl_c();
    let (ended, stdout, stderr) = sweep.ended();
    assert_eq!(ended, Some(code), "{stderr}\n{stdout}");
    assert!(stdout.contains("stopped early: "), "{stdout}");
}

#[test]
fn a_watching_page_sees_a_stopped_sweep_interrupted_before_its_dashboard_goes() {
    let env = TestEnv::new();
    let (sweep, url) = stopped_after_first_trial(&env, &[]);
    let page = format!("{url}/experiments/six");
    // A page watches: it asks for its update before the stop, and on until the server is gone
    // (faster than a browser's every two seconds, so that the test waits less).
    assert!(update(&page).is_some(), "the dashboard answers");
    sweep.ctrl_c();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut last = None;
    while let Some(body) = update(&page) {
        last = Some(body);
        assert!(Instant::now() < deadline, "the dashboard never went");
        std::thread::sleep(Duration::from_millis(200));
    }
    let last = last.unwrap_or_default();
    assert!(last.contains("status-interrupted"), "{last}");
    assert!(last.contains("class=\"command resume-command\""), "{last}");
    let (code, stdout, stderr) = sweep.ended();
    assert_eq!(code, Some(130), "{stderr}\n{stdout}");
}

/// One trial of one epoch, slow enough (a wide layer, batches of one) that a stop lands while
/// it trains: its one epoch is its last, so the stop keeps it and the study ends finished.
const LAST: &str = tests::digits_spec!(
    "last",
    1,
    1,
    "  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [512]}
"
);

/// Issue: a Ctrl-C that landed as the last trial ended (the stop keeps a trial at its last
/// epoch, so the study ends finished, the test split unmeasured) ended the process at once,
/// the dashboard dropped without the wait a normal end gives and never kept up by
/// `--serve-after`. It ends as a stopped sweep does: kept up until a further Ctrl-C, which ends
/// the process with the stop's 130.
#[test]
fn issue_a_stop_as_the_last_trial_ends_keeps_the_dashboard_served_after() {
    let env = TestEnv::new();
    let text = LAST.replace("epochs: 3, batch_size: 64", "epochs: 1, batch_size: 1");
    let mut sweep = Sweep::start_spec(&env, ("last.yaml", &text), &["--serve-after"]);
    let url = sweep.wait_for(|l| {
        l.strip_prefix("dashboard: ")
            .map(|u| u.trim_end_matches('/').to_string())
    });
    // The store says the trial runs: a stop now lands in its one (last) epoch. No event says
    // when the dashboard re-read the store, so the API is asked until it shows it.
    let api = format!("{url}/api/experiments/last");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let (status, body) = get(&api);
        // 404: not stored yet, the study has not opened it.
        if status != 404 {
            assert_eq!(status, 200, "{body}");
            assert!(
                !body.contains("\"completed\":1"),
                "trained before the stop: {body}"
            );
            if body.contains("\"running\":1") {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the trial never ran: {body}");
        std::thread::sleep(Duration::from_millis(50));
    }
    sweep.ctrl_c();
    let said = sweep.wait_for(|l| {
        l.contains("the dashboard stays up at")
            .then(|| l.to_string())
    });
    assert!(said.contains("(the process then exits 130"), "{said}");
    sweep.ctrl_c();
    let (ended, stdout, stderr) = sweep.ended();
    assert_eq!(ended, Some(130), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("stopped before the best trial was measured on the test split"),
        "{stderr}"
    );
}
