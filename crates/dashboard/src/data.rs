//! Reading the store: the only module that calls `Store`, and only its read methods.
//!
//! A page reads an experiment's record and all its trial records, then curves only for the few
//! trials a chart draws. Decoding 10,000 trial records is the most expensive step of a page, so
//! decoded experiments are kept as shared snapshots, as fresh as `Freshness` asks: `sweep serve`
//! holds the store's lock and nothing else can write it, so its snapshots never go stale
//! (`Frozen`); the dashboard of a running sweep re-reads at most once per `max_age`
//! (`Sweeping`), as does `sweep serve --exchange`, whose followers write the store
//! (`Following`); tests read on every request. One request per experiment reloads a stale
//! snapshot while the others wait for it, instead of all decoding at once. A snapshot that took
//! long to make (read, decode, analyse) is kept longer than `max_age`, `COST_SHARE` times what it
//! took, so that the dashboard of a large running sweep takes a bounded share of a core from the
//! sweep however many trials it has. Nothing here writes.
//!
//! One concept to a module: `reader` (the `Reader`, its snapshots' freshness, and every read of
//! the store), `snapshot` (`ExperimentData`, one experiment's decoded snapshot with what it
//! keeps: analyses, epochs trained, rendered pages), `records` (the records that may not read
//! with this version, left out with why) and `latest` (a running trial's latest epoch and its
//! metrics, what the tables and the API show of it before its result).

mod latest;
mod reader;
mod records;
mod snapshot;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use experiment::Step;

use crate::Notices;

pub(crate) use latest::{shows_latest, Latest};
pub(crate) use reader::Reader;
pub(crate) use records::read_spec;
pub(crate) use snapshot::ExperimentData;

/// The store's names of the kinds of record an experiment's snapshot may leave out
/// (`ExperimentData::unreadable`).
pub(crate) use store::{RUN_RECORD, TEST_RESULT, WARM_START};

/// How fresh what the dashboard shows must be, which follows from who writes the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Read the store on every request (another handle in this process may write anything).
    EveryRequest,
    /// A sweep in this process is writing the store, running `experiment`: reuse what was read
    /// up to `max_age` ago. This process holds the store's lock, so any other experiment left
    /// `running` was killed, and shows as `interrupted`.
    Sweeping {
        /// The experiment the sweep runs.
        experiment: String,
        /// How old a snapshot may be (older for one that took long to make: `kept_for`).
        max_age: Duration,
        /// What the sweep says on its experiment's page beside the store's numbers.
        notices: Notices,
    },
    /// The store does not change while it is served (this process holds its lock and only
    /// reads): read each experiment once; every experiment left `running` shows as
    /// `interrupted`.
    Frozen,
    /// Threads of this process write into the store the studies that agents elsewhere run,
    /// from their journals (`sweep serve --exchange`): reuse what was read up to `max_age`
    /// ago, and show nothing as `interrupted` for want of a writer here; each experiment's
    /// page shows what its follower says of it.
    Following {
        /// What the followers say of their studies (which agent one waits for).
        notices: Notices,
        /// How old a snapshot may be (older for one that took long to make: `kept_for`).
        max_age: Duration,
    },
}

/// How many times as long as a snapshot took to make it is kept at least: the dashboard of a
/// running sweep then spends at most about a fifth of a core making snapshots (0.6 s each at
/// 40,000 trials: one every 2.4 s rather than every second).
const COST_SHARE: u32 = 4;

/// Returns how long a snapshot that took `cost` to make stays fresh under a `max_age`: the
/// longer of the two and `COST_SHARE` times the cost; no time when `max_age` is zero (read on
/// every request).
pub(crate) fn kept_for(max_age: Duration, cost: Duration) -> Duration {
    if max_age.is_zero() {
        return Duration::ZERO;
    }
    max_age.max(cost.saturating_mul(COST_SHARE))
}

/// One metric of one trial, in step order.
pub(crate) type Series = Vec<(Step, f64)>;

/// Returns what `m` guards, also after a panic while it was held.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a complete value (or none): use it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
