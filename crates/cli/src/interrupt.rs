//! Ctrl-C and SIGTERM during `sweep run` and `sweep gate`. The first asks the study to stop
//! (`runner::Stop`): no new trial starts, and running ones end after their current epoch and run
//! again on resume, but for one whose current epoch is its last, which finishes and is stored as
//! an uninterrupted run stores it; the experiment is stored as interrupted unless that left no
//! trial to run. A gate then ends without a verdict or a baseline, whatever its run's study
//! ended as, and its temporary store is deleted as it is dropped. A second one ends the process at
//! once, which is as safe as a crash (the next run resumes). Cluster engines send SIGTERM before
//! they kill a job, so a sweep under one stops this way too.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

use runner::Stop;

/// The stop request that the first signal sets, and which signal that was.
#[derive(Debug, Clone)]
pub(crate) struct Interrupts {
    pub(crate) stop: Stop,
    signal: Arc<AtomicI32>,
    /// The exit code a signal ends the process with once the run has ended (`end_with`), or
    /// -1: 128 plus the signal's number.
    ending: Arc<AtomicI32>,
    /// Whether every trial has ended and the best one's test split is being measured
    /// (`before_test`): a signal then ends the process at once, saying so.
    testing: Arc<AtomicBool>,
}

impl Default for Interrupts {
    fn default() -> Interrupts {
        Interrupts {
            stop: Stop::default(),
            signal: Arc::default(),
            ending: Arc::new(AtomicI32::new(-1)),
            testing: Arc::default(),
        }
    }
}

impl Interrupts {
    /// Makes the next signal end the process at once, with `code`, what the run ended with:
    /// the study is over (`--serve-after` keeps the dashboard up until Ctrl-C, which then
    /// interrupts nothing: a sweep a signal stopped still exits with that signal's 130 or 143,
    /// whichever signal closes its dashboard).
    pub(crate) fn end_with(&self, code: u8) {
        self.ending.store(i32::from(code), Ordering::SeqCst);
        self.stop.request();
    }

    /// Makes a signal from now on end the process at once, saying that the test split was not
    /// measured (every trial has ended, so nothing is left to stop; the experiment is finished,
    /// and running the same command again measures it).
    pub(crate) fn before_test(&self) {
        self.testing.store(true, Ordering::SeqCst);
    }

    /// Returns the exit code of a process ended by the signal received: 128 plus its number
    /// (130 for Ctrl-C, 143 for SIGTERM), as the shell reports it.
    pub(crate) fn exit_code(&self) -> u8 {
        let signal = self.signal.load(Ordering::SeqCst);
        u8::try_from(128 + signal).unwrap_or(130)
    }
}

/// What a signal that ends the process before the test split was measured says.
pub(crate) const NOT_TESTED: &str = "stopped before the best trial was measured on the test \
    split: every trial has ended and the experiment is finished; run the same command again to \
    measure it";

/// Starts watching for Ctrl-C and SIGTERM in a background thread, for the rest of the process;
/// the first signal prints "stopping: " and `then`, what stopping does.
#[cfg(unix)]
pub(crate) fn watch(then: &'static str) -> anyhow::Result<Interrupts> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    let interrupts = Interrupts::default();
    let mut signals = Signals::new([SIGINT, SIGTERM])
        .map_err(|e| anyhow::anyhow!("cannot watch for Ctrl-C and SIGTERM: {e}"))?;
    let seen = interrupts.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if seen.stop.requested() {
                    let ending = seen.ending.load(Ordering::SeqCst);
                    std::process::exit(if ending >= 0 { ending } else { 128 + signal });
                }
                seen.signal.store(signal, Ordering::SeqCst);
                if seen.testing.load(Ordering::SeqCst) {
                    say!("\n{NOT_TESTED}");
                    std::process::exit(128 + signal);
                }
                // Said before the request: once the study sees it, the process may end at once.
                let again = match signal {
                    SIGTERM => "another SIGTERM or Ctrl-C quits at once",
                    _ => "Ctrl-C again quits at once",
                };
                say!("\nstopping: {then} ({again})");
                seen.stop.request();
            }
        })
        .map_err(|e| {
            anyhow::anyhow!("cannot start the thread that watches for Ctrl-C and SIGTERM: {e}")
        })?;
    Ok(interrupts)
}

/// Without Unix signals, nothing stops a sweep early but the end of the process.
#[cfg(not(unix))]
pub(crate) fn watch(_then: &'static str) -> anyhow::Result<Interrupts> {
    Ok(Interrupts::default())
}
