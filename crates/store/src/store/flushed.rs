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

use std::io;
use std::path::Path;

use crate::error::storage;
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
                Some(
                    decode(old)
                        .unwrap_or(0)
                        .saturating_add(1)
                        .to_be_bytes()
                        .to_vec(),
                )
            })
            .map_err(storage)?;
        Ok(counted
            .as_deref()
            .and_then(|b| decode(Some(b)))
            .unwrap_or(0))
    }

    /// Writes `count`, a flush that reached disk, to the file, unless a later one is there.
    pub(super) fn mark_flushed(&self, count: u64) -> Result<()> {
        let Some(dir) = self.path.as_deref() else {
            return Ok(());
        };
        // One writer at a time, and the file only ever grows: flushes on other threads may
        // finish in another order than they counted.
        let mut marked = self
            .marked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if count <= *marked {
            return Ok(());
        }
        write_mark(dir, count).map_err(Error::Io)?;
        *marked = count;
        Ok(())
    }

    /// Fails with `Error::LostWrites` when the database holds fewer flushes than its file says
    /// reached disk; else notes the count, so that later marks only grow.
    pub(super) fn check_flushed(&self) -> Result<()> {
        let Some(dir) = self.path.as_deref() else {
            return Ok(());
        };
        let held = decode(self.meta.get(FLUSHES_KEY).map_err(storage)?.as_deref()).unwrap_or(0);
        let written = read_mark(dir);
        if let Some(written) = written.filter(|w| *w > held) {
            return Err(Error::LostWrites {
                path: dir.to_path_buf(),
                held,
                written,
            });
        }
        *self
            .marked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = written.unwrap_or(0).max(held);
        Ok(())
    }
}

/// Reads a count stored as 8 big-endian bytes.
fn decode(bytes: Option<&[u8]>) -> Option<u64> {
    Some(u64::from_be_bytes(bytes?.try_into().ok()?))
}

/// Returns the count in the store's file, when there is one that reads as a number.
pub(super) fn read_mark(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join(FLUSHED)).ok()?;
    text.trim().parse().ok()
}

/// Writes the count to the store's file, aside and renamed so that a reader never sees half.
fn write_mark(dir: &Path, count: u64) -> io::Result<()> {
    let part = dir.join(format!("{FLUSHED}.part"));
    std::fs::write(&part, format!("{count}\n"))?;
    std::fs::rename(&part, dir.join(FLUSHED))
}
