//! Whether `--store` can be a store at all, checked before `sweep run` reads any data: a store
//! path that no open could take (a file, a path under a file or behind a link leading nowhere,
//! a store a compaction left aside, a place that cannot be written) is refused before the data
//! set is read, which can take a while and says things of its own, and nothing is made there.
//! The open makes these checks again; what only an open can tell (another process holding the
//! store, sled's refusal of its files) is left to it.

use std::path::Path;

use crate::commands::{opening_failed, refuse_dangling_link};

/// Refuses a store at `path` that opening would refuse whatever the data, as the open says it,
/// making and writing nothing: a link leading nowhere, a path that cannot be a folder, a store a
/// compaction left aside (one a live compaction is swapping, waited for as an open waits), and
/// a folder, or where it is missing the folder it would be made in, that cannot be written.
pub(super) fn refuse_unusable_store(path: &Path) -> anyhow::Result<()> {
    refuse_dangling_link(path)?;
    match store::Store::check_existing(path) {
        // `sweep run` makes the store where there is none.
        Ok(()) | Err(store::Error::NoStore { .. }) => {}
        Err(e) => return Err(opening_failed(e)),
    }
    refuse_unwritable(path)
}

/// Refuses a store at `path` where this process cannot write the folder it opens or makes:
/// `path` itself where it is there, else the nearest folder above it that is (the current
/// folder for a relative path with none).
#[cfg(unix)]
fn refuse_unwritable(path: &Path) -> anyhow::Result<()> {
    use nix::unistd::{access, AccessFlags};

    let there = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    let folder = if there(path) {
        path
    } else {
        match path
            .ancestors()
            .skip(1)
            .find(|above| above.as_os_str().is_empty() || there(above))
        {
            Some(above) if above.as_os_str().is_empty() => Path::new("."),
            Some(above) => above,
            None => return Ok(()),
        }
    };
    match access(folder, AccessFlags::W_OK | AccessFlags::X_OK) {
        Ok(()) => Ok(()),
        Err(errno) if folder == path => anyhow::bail!(
            "cannot open store {}: the folder cannot be written ({}), so no sweep can run in it",
            path.display(),
            errno.desc()
        ),
        Err(errno) => anyhow::bail!(
            "cannot open store {}: {} cannot be written ({}), so no store can be made under it",
            path.display(),
            folder.display(),
            errno.desc()
        ),
    }
}

/// Refuses nothing off unix, where the open says what it finds.
#[cfg(not(unix))]
fn refuse_unwritable(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}
