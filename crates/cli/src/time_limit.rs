//! `sweep run --timeout`: a time limit on one run of a sweep, as Optuna's `timeout` and Ray
//! Tune's `time_budget_s`. When it passes, the study is closed (`runner::Stop::close`): no new
//! trial starts, and the running ones finish. The experiment is left `interrupted`, and running
//! the same command again carries on with the trials not yet run. Which trials one run gets to
//! depends on time; what each trial gives does not.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use experiment::format_duration;
use runner::Stop;

/// A running time limit; dropping it (the study is over) cancels it.
#[derive(Debug)]
pub(crate) struct TimeLimit {
    _cancel: mpsc::Sender<()>,
    reached: Arc<AtomicBool>,
    limit_ms: i64,
}

impl TimeLimit {
    /// Starts counting `limit_ms` milliseconds, after which `stop` is closed and a line says so
    /// on standard error.
    pub(crate) fn start(limit_ms: i64, stop: Stop) -> anyhow::Result<TimeLimit> {
        let (cancel, cancelled) = mpsc::channel::<()>();
        let reached = Arc::new(AtomicBool::new(false));
        let seen = reached.clone();
        let wait = Duration::from_millis(u64::try_from(limit_ms).unwrap_or(0));
        std::thread::Builder::new()
            .name("time-limit".into())
            .spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = cancelled.recv_timeout(wait) {
                    if !stop.requested() {
                        seen.store(true, Ordering::SeqCst);
                        stop.close();
                        say!(
                            "\ntime limit of {} reached: no new trial starts, and the running \
                             ones finish",
                            format_duration(limit_ms)
                        );
                    }
                }
            })
            .map_err(|e| {
                anyhow::anyhow!("cannot start the thread that keeps the --timeout: {e}")
            })?;
        Ok(TimeLimit {
            _cancel: cancel,
            reached,
            limit_ms,
        })
    }

    /// Returns the limit, written for people, if it has passed and closed the study.
    pub(crate) fn reached(&self) -> Option<String> {
        self.reached
            .load(Ordering::SeqCst)
            .then(|| format_duration(self.limit_ms))
    }
}
