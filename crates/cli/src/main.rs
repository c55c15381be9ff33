//! `sweep`: the command-line front end. It parses arguments, wires the trainer into the study
//! loop, installs logging, and decides exit codes in one place:
//! 0 success; 1 the sweep ran but every trial failed, the gate found a regression, a
//! reproduced trial differs, or the user declined `sweep rm`'s question; 2 bad input, usage or
//! any other error; 75 (`EX_TEMPFAIL` of sysexits.h) when the store is busy, held by another
//! sweep process, or the dashboard's address asked for is another process's, so that a script
//! can tell "try again later" from "wrong"; 74 (`EX_IOERR`) when the output could not be
//! written: standard output refusing the write (a full disk: `> /dev/full`, a failing
//! device), said on standard error with what could not be written there, or a file
//! (`--output FILE`) on a full disk; 130 (143) when
//! Ctrl-C (SIGTERM) stopped a sweep early; 141, quietly, when the output's reader stopped
//! reading (`sweep trials NAME | head`), as for a program that the shell's SIGPIPE ended.

/// Writes a line to standard error, as `eprintln!` does but without its panic when the reader
/// has gone (`sweep run 2>&1 | grep -m1 trial`): the sweep goes on and its results are kept;
/// what it prints to standard output afterwards then ends it with 141, as documented.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod baseline;
#[cfg(test)]
mod build_name;
mod clock;
mod commands;
mod git;
mod interrupt;
mod output;
mod probe;
mod progress;
mod standard_output;
mod terminal;
mod time_limit;
mod warm_file;
mod whole_file;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

/// What a successful command asks `main` to exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Everything worked.
    Success,
    /// The sweep ran, but no trial succeeded.
    AllTrialsFailed,
    /// The gate ran, and a guarded metric regressed.
    GateRegressed,
    /// A re-run trial gave other metrics than the stored ones.
    NotReproduced,
    /// The user answered no to a question (`sweep rm`), so nothing was done.
    Declined,
    /// A signal stopped the sweep early; the process exits with this code (128 + the signal).
    Interrupted(u8),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failed(&e),
    };
    #[cfg(unix)]
    outlive_file_size_limit();
    #[cfg(unix)]
    raise_open_files_limit();
    install_tracing();
    let written = commands::standard_output(&cli.command);
    // Standard output keeps a line not yet ended: written here, where its error is seen.
    let ended = commands::dispatch(cli).and_then(|outcome| {
        std::io::Write::flush(&mut standard_output::lock())?;
        Ok(outcome)
    });
    match ended {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(
            Outcome::AllTrialsFailed
            | Outcome::GateRegressed
            | Outcome::NotReproduced
            | Outcome::Declined,
        ) => ExitCode::from(1),
        Ok(Outcome::Interrupted(code)) => ExitCode::from(code),
        Err(e) => failed(&e, written),
    }
}

/// Returns the exit code of a command that failed with `error`, having said why: `written`
/// names what the command writes to standard output, if anything.
fn failed(error: &anyhow::Error, written: Option<&str>) -> ExitCode {
    use standard_output::Failure;
    let failure = standard_output::failure(error);
    match failure {
        Some(Failure::ReaderGone) => return ExitCode::from(READER_GONE),
        // What the write said it wrote, else what the command writes there.
        Some(Failure::StandardOutput(e, said)) => {
            if let Some(what) = said.or(written) {
                say!("error: cannot write {what} to standard output: {e}");
                return ExitCode::from(IO_ERROR);
            }
        }
        _ => {}
    }
    // Errors carry text from files, records and journals (paths, names, reasons): shown, not
    // run, on the terminal.
    say!("error: {}", output::visible_lines(&format!("{error:#}")));
    ExitCode::from(match failure {
        Some(Failure::File) => IO_ERROR,
        _ if busy(error) => TRY_AGAIN,
        _ => 2,
    })
}

/// Prints the help, the version or the usage error that `error` holds, and returns the exit
/// code: 0 for help or a version written, 2 for a usage error whatever became of its message.
/// Help or a version that could not be written (`--help > /dev/full`) is no success (74,
/// said), and one whose reader has gone (`sweep --help | head -1`) ends quietly as any output
/// does.
fn parse_failed(error: &clap::Error) -> ExitCode {
    if error.use_stderr() {
        let _ = error.print();
        return ExitCode::from(2);
    }
    let what = match error.kind() {
        clap::error::ErrorKind::DisplayVersion => "the version",
        _ => "the help",
    };
    match error.print() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(READER_GONE),
        Err(e) => {
            say!("error: cannot write {what} to standard output: {e}");
            ExitCode::from(IO_ERROR)
        }
    }
}

/// The exit code of a command that found the store (or the dashboard's port) busy:
/// `EX_TEMPFAIL` of sysexits.h, "try again later", where 2 would say the input is wrong.
const TRY_AGAIN: u8 = 75;

/// The exit code of a command whose output could not be written: standard output refusing
/// the write, or a file on a full disk (`standard_output`).
/// `EX_IOERR` of sysexits.h, so that a script tells "the disk is full" from "wrong" (2).
const IO_ERROR: u8 = 74;

/// The exit code of a command whose output's reader went away: 128 + SIGPIPE, as for a
/// program that the shell's SIGPIPE ended, with nothing said.
const READER_GONE: u8 = 141;

/// Returns whether `error` comes from a store that another sweep process holds: open
/// (`commands::StoreBusy`, `store::Error::Locked`), or its name held by opens, a removal or a
/// compaction (`store::Error::BeingOpened`, `store::Error::BeingMoved`); or from a dashboard
/// address asked for that another process listens on (`args::PortTaken::is_busy`; one that is
/// not this machine's is bad input). Nothing is wrong with the command: run again later, it
/// may succeed.
fn busy(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<commands::StoreBusy>()
            || cause
                .downcast_ref::<args::PortTaken>()
                .is_some_and(args::PortTaken::is_busy)
            || matches!(
                cause.downcast_ref::<store::Error>(),
                Some(
                    store::Error::Locked { .. }
                        | store::Error::BeingOpened { .. }
                        | store::Error::BeingMoved { .. }
                )
            )
    })
}

/// Lets a write past the file size limit (`ulimit -f`) fail with `EFBIG` rather than end the
/// process unsaid (SIGXFSZ's default, exit 153 with nothing said): the signal is caught and
/// does nothing, so that the store or an `--output` file names the file that could not grow (an
/// output file's exits 74, `standard_output`; the store's own, 2). A handler rather than SIG_IGN: it needs no unsafe
/// code, and the processes sweep starts get the signal's default back, as they would without it.
#[cfg(unix)]
fn outlive_file_size_limit() {
    let caught = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A handler that cannot be installed leaves the default: the process ends as it did.
    let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, caught);
}

/// Raises the soft limit on open files to the hard one (at most 65,536), as servers do: the
/// dashboard's request workers take descriptors by the core, and a container's soft limit may
/// be far below its hard one. Where it cannot be raised it stays, and the dashboard fits its
/// workers under it or says why it cannot start (`commands::serve`'s `descriptors`).
#[cfg(unix)]
fn raise_open_files_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    const ENOUGH: u64 = 65_536;
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let wanted = hard.min(ENOUGH);
        if soft < wanted {
            // Refused (a hard limit the kernel caps lower): the soft limit stays as it was.
            let _ = setrlimit(Resource::RLIMIT_NOFILE, wanted, hard);
        }
    }
}

/// Installs the log subscriber; `RUST_LOG` tunes it (default: warnings and errors, none of
/// sled's, whose errors the store reports as its own: `RUST_LOG=sled=debug` shows them, and a
/// `RUST_LOG` that does not name sled keeps them off (`log_filter`), nor of
/// actix-http's, which are clients' malformed requests, a line each, not the server's faults).
/// Colours only on a terminal that is not dumb, and not with `NO_COLOR` set
/// (`terminal::colours_logs`), so a redirected log or a CI transcript holds no escape codes.
fn install_tracing() {
    use std::io::IsTerminal;
    let asked = std::env::var("RUST_LOG").ok().and_then(|text| {
        match tracing_subscriber::EnvFilter::try_new(log_filter(&text)) {
            Ok(filter) => Some(filter),
            Err(e) => {
                // Said, rather than logging as if it were not set.
                eprintln!(
                    "warning: RUST_LOG `{text}` is not a log filter ({e}); logging warnings only"
                );
                None
            }
        }
    });
    let debugging = asked.is_some();
    let filter =
        asked.unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn,sled=off,actix_http=off"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal::colours_logs(
            std::io::stderr().is_terminal(),
            terminal::term().as_deref(),
            terminal::no_color().as_deref(),
        ))
        .with_target(false)
        // A line that cannot be written is lost, as `say!`'s are: the subscriber's own report of
        // it would go through `eprintln!`, which panics when standard error's reader has gone.
        .log_internal_errors(false);
    // A warning among the sweep's lines reads as they do; `RUST_LOG` times every line.
    let _ = if debugging {
        subscriber.try_init()
    } else {
        subscriber.without_time().try_init()
    };
}

/// Returns the filter for the `RUST_LOG` text `asked`: as given, with sled's internals kept
/// off unless a directive names sled, so that `RUST_LOG=debug` shows the sweep's own events and
/// not the database's, which flood it.
fn log_filter(asked: &str) -> String {
    let names_sled = asked.split(',').any(|directive| {
        let target = directive.split(['=', '[']).next().unwrap_or("").trim();
        target == "sled" || target.starts_with("sled::")
    });
    if names_sled || asked.trim().is_empty() {
        asked.to_string()
    } else {
        format!("{asked},sled=off")
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use anyhow::Context;

    use super::{args, busy, commands, log_filter};

    #[test]
    fn issue_a_busy_store_is_told_apart_from_other_errors() {
        let path = PathBuf::from("st");
        let locked = store::Error::Locked {
            path: path.clone(),
            opener: Some("`sweep serve` (pid 7, since 2026-01-02 03:04:05 UTC)".into()),
        };
        let opened = commands::opening_failed(locked);
        assert!(busy(&opened));
        // The message is the store's, with the advice after it, and nothing said twice.
        assert_eq!(
            format!("{opened:#}"),
            "store st is in use by another sweep process: `sweep serve` (pid 7, since \
             2026-01-02 03:04:05 UTC)\nstop it or wait for it to end, or use another --store"
        );
        let moved = store::Error::BeingMoved {
            path: path.clone(),
            mover: None,
        };
        assert!(busy(
            &anyhow::Error::from(moved).context("cannot remove it")
        ));
        let opening = store::Error::BeingOpened { path: path.clone() };
        assert!(busy(&commands::opening_failed(opening)));
        // Bad input stays bad input.
        assert!(!busy(&commands::opening_failed(store::Error::NoStore {
            path
        })));
        assert!(!busy(&anyhow::anyhow!("no experiment named `x`")));
        let io = Err::<(), _>(std::io::Error::other("no")).context("cannot read f");
        assert!(!busy(&io.unwrap_err()));
    }

    #[test]
    fn issue_a_port_another_process_listens_on_is_busy_and_a_foreign_address_bad_input() {
        let taken = |kind: std::io::ErrorKind| args::PortTaken {
            addr: args::on_loopback(8080),
            error: std::io::Error::from(kind),
            advice: "",
        };
        let in_use = anyhow::Error::from(taken(std::io::ErrorKind::AddrInUse));
        assert!(busy(&in_use));
        assert!(busy(&in_use.context("cannot start")));
        let foreign = anyhow::Error::from(taken(std::io::ErrorKind::AddrNotAvailable));
        assert!(!busy(&foreign));
        // A bare `AddrInUse` that no `PortTaken` explains stays an error like any other.
        assert!(!busy(&anyhow::Error::from(std::io::Error::from(
            std::io::ErrorKind::AddrInUse
        ))));
    }

    #[test]
    fn issue_rust_log_keeps_sled_off_unless_it_names_sled() {
        let cases = [
            ("debug", "debug,sled=off"),
            ("info,runner=trace", "info,runner=trace,sled=off"),
            ("sled=debug", "sled=debug"),
            ("warn,sled::tree=trace", "warn,sled::tree=trace"),
            ("sledge=info", "sledge=info,sled=off"),
        ];
        for (asked, want) in cases {
            assert_eq!(log_filter(asked), want, "{asked}");
        }
    }
}
