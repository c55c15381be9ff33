//! `Stop`: a request from outside the study to end it early, in one of two ways.
//!
//! - `request` (Ctrl-C, a cluster's SIGTERM): no new trial starts, and each running trial stops
//!   at its next report (the end of its current epoch) and goes back to `queued` in the store,
//!   with its parameters and without its partial curves, so that the next run of the same
//!   command runs it again from scratch (as it does a trial a crash left `running`).
//! - `close` (a time limit): no new trial starts, and the running ones run to their end.
//!
//! Either way, an experiment left with trials to run is stored as `interrupted`, and the next
//! run of the same command carries on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared stop request; clones share it. The default is never requested.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<Flags>);

#[derive(Debug, Default)]
struct Flags {
    now: AtomicBool,
    closed: AtomicBool,
}

impl Stop {
    /// Asks the study to stop now: running trials stop at their next report.
    pub fn request(&self) {
        self.0.now.store(true, Ordering::SeqCst);
    }

    /// Returns whether a stop now was asked for.
    pub fn requested(&self) -> bool {
        self.0.now.load(Ordering::SeqCst)
    }

    /// Asks the study to start no new trial, and to let the running ones finish.
    pub fn close(&self) {
        self.0.closed.store(true, Ordering::SeqCst);
    }

    /// Returns whether new trials may no longer start: after `close` or `request`.
    pub fn closed(&self) -> bool {
        self.requested() || self.0.closed.load(Ordering::SeqCst)
    }
}
