//! `Store`: the handle on an open database, and the reads and writes of the study loop and the
//! dashboard, one concept to a module: experiments and the records kept one per experiment
//! (`experiments`), trials and their traces (`trials`), metric points (`metrics`).
//!
//! Opening a store, its lock and sled's quirks on opening are in `store/open`; what lies beside
//! the database (the flush mark, the name lock, a temporary store's lease) in `flushed`, `name`
//! and `scratch`; removing an experiment in `remove`, compacting a store in `compact`; an empty
//! store's removal is `name`'s `remove_if_empty`.

mod compact;
mod copy;
mod experiments;
mod flushed;
mod metrics;
mod name;
mod open;
mod remove;
mod scratch;
mod trials;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use experiment::{CheckpointFile, TrialId};

use crate::error::storage;
use crate::keys::ExperimentId;
use crate::{CheckpointAt, Error, Result};

pub use compact::{compaction_pending, Compacted};
pub use copy::CopyScope;
pub use remove::Removed;

#[cfg(test)]
pub(crate) use open::wait_released;
#[cfg(test)]
use open::{read_opener, retry_locked};

/// The version of the on-disk layout and records; a store of another version is not opened.
pub const FORMAT_VERSION: u32 = 1;

/// The file in the store's directory where the process that opened it last says who it is.
const OPENED_BY: &str = "opened-by";

/// The most bytes of `OPENED_BY` read back.
const OPENED_BY_MAX: usize = 1000;

/// How long `open` retries a lock conflict, and how often.
const LOCK_WAIT: Duration = Duration::from_secs(1);
const LOCK_POLL: Duration = Duration::from_millis(10);

const FORMAT_VERSION_KEY: &[u8] = b"format_version";
const NEXT_EXPERIMENT_ID_KEY: &[u8] = b"next_experiment_id";

/// Returns the folder of `experiment`'s checkpoints in the store folder `store`: files beside
/// the database (named as `experiment::CheckpointFile` names them), written by the trainer's
/// keeper, read by `sweep predict`, removed with the experiment (`sweep rm`,
/// `Store::remove_checkpoints`).
pub fn checkpoint_dir(store: &Path, experiment: &str) -> PathBuf {
    store.join("checkpoints").join(experiment)
}

/// A handle on an open store; clones share the same database.
///
/// Every experiment-scoped method returns `Error::UnknownExperiment` when no experiment has the
/// given name.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    experiment_ids: sled::Tree,
    experiments: sled::Tree,
    run_records: sled::Tree,
    test_results: sled::Tree,
    warm_starts: sled::Tree,
    trials: sled::Tree,
    metrics: sled::Tree,
    path: Option<Arc<Path>>,
    /// The latest flush count written to the file `flushed` (see `flushed`).
    marked: Arc<Mutex<u64>>,
    /// A temporary store's folder and lease; last, so that it is let go after sled's handles.
    _scratch: Option<Arc<scratch::Scratch>>,
}

impl Store {
    /// Returns whether trial `trial` of `experiment` has a checkpoint beside the store (its
    /// sidecar in `checkpoint_dir`); never for a temporary store.
    pub fn has_checkpoint(&self, experiment: &str, trial: TrialId) -> bool {
        self.checkpoint_folder(experiment)
            .is_some_and(|folder| CheckpointFile::Sidecar.path(&folder, trial).is_file())
    }

    /// Deletes trial `trial`'s checkpoint beside the store, if it has one: a trial stopped part
    /// way (to run again from scratch) keeps no weights of its unfinished run.
    pub fn discard_checkpoint(&self, experiment: &str, trial: TrialId) -> Result<()> {
        match self.checkpoint_folder(experiment) {
            Some(folder) => crate::checkpoints::discard(&folder, trial),
            None => Ok(()),
        }
    }

    /// Returns the folder beside the store that holds `experiment`'s checkpoints
    /// (`checkpoint_dir`), or `None` for a temporary store, which keeps none.
    pub fn checkpoint_folder(&self, experiment: &str) -> Option<PathBuf> {
        self.path
            .as_deref()
            .map(|path| checkpoint_dir(path, experiment))
    }

    /// Returns where trial `trial`'s checkpoint is, as this store knows: beside it, in the
    /// store of the agent that ran it (a study run by agents), or nowhere.
    pub fn checkpoint_at(&self, experiment: &str, trial: TrialId) -> Result<CheckpointAt> {
        if self.has_checkpoint(experiment, trial) {
            return Ok(CheckpointAt::Here);
        }
        Ok(self
            .run_record(experiment)?
            .and_then(|r| r.ran_by_another(trial))
            .map_or(CheckpointAt::Nowhere, CheckpointAt::Agent))
    }

    /// Returns the directory the store was opened from, or `None` for a temporary store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes everything stored so far to disk and waits until it is there; counts the flush,
    /// so that a later `open` notices a database that lost it (see `flushed`).
    pub fn flush(&self) -> Result<()> {
        let count = self.count_flush()?;
        self.db.flush().map_err(storage)?;
        self.mark_flushed(count)
    }

    fn find_experiment_id(&self, name: &str) -> Result<Option<ExperimentId>> {
        match self.experiment_ids.get(name).map_err(storage)? {
            Some(bytes) => Ok(Some(ExperimentId::from_bytes(&bytes)?)),
            None => Ok(None),
        }
    }

    fn experiment_id(&self, name: &str) -> Result<ExperimentId> {
        self.find_experiment_id(name)?
            .ok_or_else(|| Error::UnknownExperiment {
                name: name.to_owned(),
            })
    }

    fn display_path(&self) -> PathBuf {
        self.path
            .as_deref()
            .map_or_else(|| PathBuf::from("(temporary)"), Path::to_path_buf)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not derived: sled's `Debug` prints every key and value.
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The error for a file beside the store, `name`, that could not be written: it names the file
/// and says why every command needs the folder writable.
pub(crate) fn aside_failed(dir: &Path, file: &Path, e: &io::Error) -> Error {
    Error::Open {
        path: dir.to_path_buf(),
        detail: format!(
            "cannot write {}: {e}; every command writes beside the store (who holds it, how \
             many writes reached disk), so its folder must be writable: to read a store on a \
             read-only medium, copy the folder somewhere writable",
            file.display()
        ),
    }
}

/// Writes `text` to the file `name` in `dir`, aside and renamed, so that a reader never sees
/// half of it.
fn write_aside(
    dir: &Path,
    name: &str,
    text: &str,
) -> std::result::Result<(), (PathBuf, io::Error)> {
    let part = dir.join(format!("{name}.part"));
    std::fs::write(&part, text).map_err(|e| (part.clone(), e))?;
    let file = dir.join(name);
    std::fs::rename(&part, &file).map_err(|e| (file, e))
}

#[cfg(test)]
mod model_tests;
#[cfg(test)]
pub(crate) mod tests;
