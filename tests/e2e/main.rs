//! The end-to-end test binary: every test that runs the real `sweep` binary or checks the
//! workspace as a whole lives in one of these modules.

mod agents;
mod bad_specs;
mod cli;
mod dashboard;
mod engine;
mod examples;
mod exit_codes;
mod formats;
mod gate;
mod held;
mod limits;
mod listing;
mod moved;
mod overwrite;
mod plans;
mod record;
mod remove;
mod resume;
mod show;
mod stopped_live;
mod text;
mod tidy;
mod trace;

use std::io::{BufRead, BufReader};
use std::process::{Child, ExitStatus};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Sends `child` SIGINT, as Ctrl-C does.
fn ctrl_c(child: &Child) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    kill(pid, Signal::SIGINT).unwrap();
}

/// Reads `child`'s piped stderr until its first `trial … completed` line (or its end), stops it
/// with Ctrl-C, reads the rest and waits for it; returns how it ended and every stderr line.
fn ctrl_c_after_first_completion(child: &mut Child) -> (ExitStatus, Vec<String>) {
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("trial") && line.contains("completed") {
            break;
        }
    }
    ctrl_c(child);
    seen.extend(lines.map_while(std::result::Result::ok));
    (child.wait().unwrap(), seen)
}
