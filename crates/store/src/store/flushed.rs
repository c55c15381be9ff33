//! Noticing a database that lost what reached disk.
//!
//! sled recovers its log by reading it up to the first record that fails its checksum and drops
//! the rest without a word: a `db` file damaged in the middle (a bad sector, a copy cut short, a
//! byte flipped) opens as a shorter, older store, and a sweep run on it would train its lost
//! trials again as if they had never run. So every `flush` counts itself: it adds one to a
//! counter in the meta tree, waits for sled to put everything on disk, and only then writes the
//! count to the plain file `flushed` beside the database. The file never claims more than the
//! database holds; a database that holds less than the file says lost flushed writes, and
//! `open` refuses it (`Error::LostWrites`) before anything is written.
//!
//! A crash between sled's flush and the file's write leaves the file behind the database, which
//! is allowed. A store written before the file existed, or whose file is missing or unreadable,
//! has nothing to compare and opens as it always did; deleting the file is the user's way to go
//! on with what a damaged store still holds.

use std::path::Path;

use super::write_aside;
use crate::error::storage;
use crate::journal::lock;
use crate::{Error, Result, Store};

/// The file beside the database that holds the count of flushes that reached disk.
pub(super) const FLUSHED: &str = "flushed";

/// The meta key of the count of flushes.
const FLUSHES_KEY: &[u8] = b"flushes";

impl Store {
    /// Counts one flush in the database; returns the count.
    pub(super) fn count_flush(&self) -> Result<u64> {
        let counted = self
            .meta
            .update_and_fetch(FLUSHES_KEY, |old| {
                let count = old.and_then(decode).unwrap_or(0).saturating_add(1);
                Some(count.to_be_bytes().to_vec())
            })
            .map_err(storage)?;
        Ok(counted.as_deref().and_then(decode).unwrap_or(0))
    }

    /// Writes `count`, a flush that reached disk, to the file, unless a later one is there.
    pub(super) fn mark_flushed(&self, count: u64) -> Result<()> {
        let Some(dir) = self.path.as_deref() else {
            return Ok(());
        };
        // One writer at a time, and the file only ever grows: flushes on other threads may
        // finish in another order than they counted.
        let mut marked = lock(&self.marked);
        if count <= *marked {
            return Ok(());
        }
        // The store is open: a write refused now is no trouble opening it (`aside_failed`), but
        // a flush that cannot finish.
        write_aside(dir, FLUSHED, &format!("{count}\n")).map_err(|(file, error)| Error::Flush {
            path: dir.to_path_buf(),
            file,
            error,
        })?;
        *marked = count;
        Ok(())
    }

    /// Fails with `Error::LostWrites` when the database holds fewer flushes than its file says
    /// reached disk; else notes the count, so that later marks only grow.
    pub(super) fn check_flushed(&self) -> Result<()> {
        let Some(dir) = self.path.as_deref() else {
            return Ok(());
        };
        let stored = self.meta.get(FLUSHES_KEY).map_err(storage)?;
        let held = stored.as_deref().and_then(decode).unwrap_or(0);
        let written = read_mark(dir);
        if let Some(written) = written.filter(|w| *w > held) {
            return Err(Error::LostWrites {
                path: dir.to_path_buf(),
                mark: dir.join(FLUSHED),
                held,
                written,
            });
        }
        *lock(&self.marked) = written.unwrap_or(0).max(held);
        Ok(())
    }
}

/// Reads a count stored as 8 big-endian bytes.
fn decode(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Returns the count in the store's file, when there is one that reads as a number.
pub(super) fn read_mark(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join(FLUSHED)).ok()?;
    text.trim().parse().ok()
}
