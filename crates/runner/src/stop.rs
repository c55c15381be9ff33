//! `Stop`: a request from outside the study (Ctrl-C, a cluster's SIGTERM) to end it early.
//!
//! Once it is requested, no new trial starts, and each running trial stops at its next report
//! (the end of its current epoch) and goes back to `queued` in the store, with its parameters
//! and without its partial curves, so that the next run of the same command runs it again from
//! scratch (as it does a trial a crash left `running`). The experiment is stored as
//! `interrupted`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared stop request; clones share it. The default is never requested.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks the study to stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Returns whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
