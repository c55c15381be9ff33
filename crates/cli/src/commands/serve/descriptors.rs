//! Whether the dashboard's workers fit under the process's limit on open files (`ulimit -n`):
//! actix starts each worker's runtime with an `unwrap`, so a worker refused a descriptor
//! panicked after the `dashboard: URL` line was printed (exit 2, the panic's text on the
//! terminal). Before the server starts, the descriptors free under the soft limit are counted
//! (the limit from `getrlimit`, the descriptors open from `/proc/self/fd`): fewer workers start
//! where not all fit, and none where not one does, said as `TooFewDescriptors`.
//!
//! Where there is no `/proc/self/fd` (macOS, the BSDs) nothing is counted and every worker
//! asked for starts: their `/dev/fd` lists only the first three descriptors unless a file
//! system is mounted there, and a count too low would start workers that do not fit. Nor is
//! anything counted off unix. The soft limit is raised toward the hard one once, as the binary
//! starts (`main`'s `raise_open_files_limit`), so the limit read here is the raised one.

use std::path::Path;

/// Descriptors each actix worker takes: its runtime's poller, its waker, its copy of the
/// signal pipe, and one for its share of the listener (measured: one worker more needs 4 more).
const PER_WORKER: u64 = 4;

/// Descriptors the server takes besides its workers, and leaves free for the connections of
/// the pages that read it: its system's runtime (3), the accept loop's poller and waker (2),
/// and 8 connections (a browser opens 6 to a host).
const BESIDES_WORKERS: u64 = 13;

/// The dashboard cannot start under the limit on open files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooFewDescriptors {
    /// Descriptors the process would need open at once with one worker.
    pub(crate) needed: u64,
    /// The soft limit (`ulimit -n`).
    pub(crate) limit: u64,
    /// What else the command can do, after "raise `ulimit -n`" (`, or pass --no-serve ...`).
    pub(crate) advice: &'static str,
}

impl std::fmt::Display for TooFewDescriptors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "too many open files: the dashboard needs {} descriptors, the limit is {}; raise \
             `ulimit -n`{}",
            self.needed, self.limit, self.advice
        )
    }
}

impl std::error::Error for TooFewDescriptors {}

/// Returns how many of the `asked` workers (at least 1) fit under this process's limit on open
/// files, as the system says it now; `asked` where it says nothing (no `/proc/self/fd`, or no
/// limit).
pub(crate) fn workers_that_fit(asked: usize) -> Result<usize, TooFewDescriptors> {
    let open = std::fs::read_dir(Path::new("/proc/self/fd")).map(Iterator::count);
    match (soft_limit(), open) {
        // `read_dir` holds a descriptor of its own while it counts.
        (Some(limit), Ok(open)) => fit(
            asked,
            u64::try_from(open.saturating_sub(1)).unwrap_or(u64::MAX),
            limit,
        ),
        _ => Ok(asked.max(1)),
    }
}

/// Returns how many of the `asked` workers fit with `open` descriptors open under `limit`.
fn fit(asked: usize, open: u64, limit: u64) -> Result<usize, TooFewDescriptors> {
    let free = limit.saturating_sub(open + BESIDES_WORKERS);
    let fitting = usize::try_from(free / PER_WORKER).unwrap_or(usize::MAX);
    match fitting {
        0 => Err(TooFewDescriptors {
            needed: open + BESIDES_WORKERS + PER_WORKER,
            limit,
            advice: "",
        }),
        fitting => Ok(fitting.min(asked.max(1))),
    }
}

/// Returns the soft limit on open files (`ulimit -n`); `None` where there is none
/// (`RLIM_INFINITY`) or the system does not say.
#[cfg(unix)]
fn soft_limit() -> Option<u64> {
    use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, _)) if soft != RLIM_INFINITY => Some(soft),
        _ => None,
    }
}

/// Returns the soft limit on open files: none is read off unix.
#[cfg(not(unix))]
fn soft_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_workers_start_as_many_as_fit_and_none_past_the_limit() {
        // `ulimit -n 21` with 10 open: not one worker fits, said before the URL.
        let refused = fit(2, 10, 21).unwrap_err();
        assert_eq!(refused.needed, 10 + BESIDES_WORKERS + PER_WORKER);
        assert_eq!(
            refused.to_string(),
            "too many open files: the dashboard needs 27 descriptors, the limit is 21; raise \
             `ulimit -n`"
        );
        assert_eq!(fit(16, 10, 27), Ok(1));
        assert_eq!(fit(16, 10, 35), Ok(3));
        assert_eq!(fit(2, 10, 1024), Ok(2));
        assert_eq!(fit(0, 10, 1024), Ok(1));
    }

    /// The limit read is the one `/proc/self/limits` shows (Linux's), where the dashboard's
    /// count of open descriptors is made.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_soft_limit_is_the_one_the_system_shows() {
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let line = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .unwrap();
        let shown = line
            .trim_start_matches("Max open files")
            .split_whitespace()
            .next()
            .unwrap();
        assert_eq!(soft_limit(), shown.parse::<u64>().ok(), "{line}");
    }
}
