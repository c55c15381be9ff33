//! `Stop`: a request from outside the study to end it early, in one of two ways.
//!
//! - `request` (Ctrl-C, a cluster's SIGTERM): no new trial starts, and each running trial stops
//!   at its next report (the end of its current epoch) and goes back to `queued` in the store,
//!   with its parameters and without its partial curves, so that the next run of the same
//!   command runs it again from scratch (as it does a trial a crash left `running`). A trial
//!   whose training is over when the stop comes (its last epoch reported, or ended by its own
//!   early stopping or a pruning decision) is not cut: what follows its last report (the
//!   trainer's write of its best epoch's checkpoint, short beside an epoch) is waited for, and
//!   it is stored as an uninterrupted run stores it, so that no finished training is lost.
//! - `close` (a time limit): no new trial starts, and the running ones run to their end.
//!
//! Either way, an experiment left with trials to run is stored as `interrupted`, and the next
//! run of the same command carries on. Either way too, the boards of the studies running under
//! the stop are closed at once (`Board::close`), so that a worker waiting for earlier trials
//! before it chooses a new trial's parameters gives up then, rather than starting the trial
//! once they end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::board::Board;
use crate::worker::lock;

/// A shared stop request; clones share it. The default is never requested.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<Flags>);

#[derive(Debug, Default)]
struct Flags {
    now: AtomicBool,
    closed: AtomicBool,
    /// The boards of the studies running under this stop (`watch`), closed with it.
    boards: Mutex<Vec<Weak<Board>>>,
}

impl Stop {
    /// Asks the study to stop now: running trials stop at their next report, but for one of
    /// their last epoch, which ends them as usual.
    pub fn request(&self) {
        self.0.now.store(true, Ordering::SeqCst);
        self.close_boards();
    }

    /// Returns whether a stop now was asked for.
    pub fn requested(&self) -> bool {
        self.0.now.load(Ordering::SeqCst)
    }

    /// Asks the study to start no new trial, and to let the running ones finish.
    pub fn close(&self) {
        self.0.closed.store(true, Ordering::SeqCst);
        self.close_boards();
    }

    /// Returns whether new trials may no longer start: after `close` or `request`.
    pub fn closed(&self) -> bool {
        self.requested() || self.0.closed.load(Ordering::SeqCst)
    }

    /// Closes `board` once new trials may no longer start: now, if they already may not.
    pub(crate) fn watch(&self, board: &Arc<Board>) {
        {
            let mut boards = lock(&self.0.boards);
            boards.retain(|b| b.strong_count() > 0);
            boards.push(Arc::downgrade(board));
        }
        // After the push: a `close` that the check misses finds the board in the list.
        if self.closed() {
            board.close();
        }
    }

    /// Closes the boards being watched.
    fn close_boards(&self) {
        for board in lock(&self.0.boards).iter().filter_map(Weak::upgrade) {
            board.close();
        }
    }
}
