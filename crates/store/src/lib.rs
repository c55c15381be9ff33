//! Persistence for Sweep: experiments, trials and metric series in a sled database.
//!
//! This is the only crate that names `sled`; no sled type appears in its API. What is written to
//! disk is never a domain type: each value goes through a versioned record struct
//! (`ExperimentRecordV1`, `TrialRecordV1`) with explicit conversions, so renaming a field in
//! `experiment` cannot silently change the on-disk format. A `FORMAT_VERSION` stored under a meta
//! key is checked on open, and a mismatch is an error rather than a misread.
//!
//! Each experiment may also have a `RunRecord` (how and where it was run, for `sweep reproduce`),
//! kept in a tree of its own with its own versioned record: stores written before run records
//! existed open unchanged, their experiments simply have none, so `FORMAT_VERSION` stays 1.
//!
//! A trial's record may also keep its trace (`TrialTrace`, trial record version 2): the running
//! attempt's last stored epoch and when (written with that epoch's metrics in one transaction,
//! `Store::append_report`), and the attempts a stop or a kill cut off before the one it has.
//! It is bookkeeping: no result, export or comparison reads it, and a trial without one is
//! written as version 1, as before traces existed.
//!
//! Keys are laid out for range scans (see `keys`): metric points are keyed by
//! (experiment, trial, metric, step) with big-endian integers, so a prefix scan returns one
//! trial's one metric in step order. Stored bytes are input: reading them never panics.
//!
//! Durability: writes reach sled's log at once and disk within sled's flush interval; `flush`
//! forces them out. The runner flushes when a trial finishes, so a crash loses at most the
//! metrics of the trials that were running. Each flush is counted, in the database and then in
//! a file beside it, so that a damaged database file, which sled opens as an older one, is
//! refused instead (`Error::LostWrites`; see `store::flushed`).
//!
//! Rejected: storing domain types with `#[derive(Serialize)]` (a rename would change the format);
//! JSON for metric points (NaN would not round-trip and every epoch would pay for parsing);
//! a 0x00 terminator after metric names in keys (a name containing NUL would be ambiguous, where
//! a length prefix is not).

#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

mod checkpoints;
mod error;
mod handover;
mod info;
mod journal;
mod keys;
mod records;
mod store;
mod trace;

pub use checkpoints::CheckpointsRemoved;
pub use error::{DamagedPart, Error, Result, UnreadableRecord};
pub use info::{
    AgentOf, CheckpointAt, Creation, ExperimentInfo, ExperimentStatus, GitState, RunRecord,
    TestResult,
};
pub use journal::{
    AgentHeader, Exchange, JournalEvent, PeerJournal, Polled, Stamp, Watcher, MAX_AGENTS,
};
pub use records::{
    warm_start_digest, EXPERIMENT_RECORD, RUN_RECORD, TEST_RESULT, TRIAL_RECORD, WARM_START,
};
pub use store::checkpoint_dir;
pub use store::{compaction_pending, Compacted, CopyScope, Removed, Store, FORMAT_VERSION};
pub use trace::{CutAttempt, CutBy, Heard, TrialTrace};

#[allow(dead_code)]
mod compile_time_assertions {
    use crate::Store;

    fn assert_send_sync<T: Send + Sync>() {}

    fn store_is_send_sync() {
        assert_send_sync::<Store>();
    }
}
