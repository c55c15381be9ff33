//! A lock file beside a store's folder: an `flock` on a file that is made by whoever takes it and
//! deleted by whoever lets go of it last, as the store's name lock (`NAME.open-lock`), its turn
//! (`NAME.open-turn`) and a compaction's lock (`DIR.compact-lock`) are.
//!
//! The lock is on the open file, not the name, so two things keep the name and the lock one: a
//! taker checks that the file it locked is still the one at the name (its last holder may have
//! deleted it between the taker's open and its lock) and takes the new one otherwise; and only
//! a holder that can take the lock exclusively as it lets go, and whose file is still the one at
//! the name (one deleted by hand and made again is another holder's), deletes the file. `flock`
//! ends with the process that held it: a file left by a killed process locks nothing, and the
//! next holder deletes it as it lets go.
//!
//! An exclusive holder may write a note into the file, one line saying who it is and what it
//! does, for those it keeps out to say (`write_note`, `held_exclusively`). The content is never
//! the lock: a note left by a killed process stays in the file until the next holder writes
//! its own, and one that cannot write (the file opened to read) leaves it there throughout. So
//! the note begins with its writer's process id, and a reader drops a note whose writer is gone
//! (checked on Linux, in `/proc`; kept elsewhere) or that has no id: the holder is then named
//! by no note rather than by another's.
//!
//! A lock file this user cannot write (another user's, made `0644` in a shared folder) is
//! opened to read instead: `flock` locks a file opened either way.

#[cfg(test)]
mod tests;

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The most bytes of a lock file's note read back (`LockFile::held_exclusively`).
const NOTE_MAX: u64 = 1000;

/// How a lock file is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::store) enum Hold {
    /// With other shared holders.
    Shared,
    /// Alone.
    Exclusive,
}

/// What trying to take a lock gave.
#[derive(Debug)]
pub(in crate::store) enum Taken<T = LockFile> {
    /// The lock, held until dropped.
    Held(T),
    /// Another holds it in a way that keeps this hold out.
    Busy,
    /// The file cannot be made there, or this file system keeps no `flock`: why, naming the
    /// file.
    Unavailable(io::Error),
}

/// Another's exclusive hold of a lock file (`LockFile::held_exclusively`).
#[derive(Debug)]
pub(in crate::store) struct Exclusive {
    /// What the holder wrote of itself (`LockFile::write_note`): one line, without the process
    /// id it begins with; `None` where it wrote nothing (yet), or where the note there is not
    /// its own but a gone process's (see the module).
    pub(in crate::store) note: Option<String>,
}

/// A held lock file (see the module); let go of, and deleted when no one else holds it, when
/// dropped.
#[derive(Debug)]
pub(in crate::store) struct LockFile {
    file: fs::File,
    path: PathBuf,
}

impl LockFile {
    /// Tries once, without waiting, to take the lock file at `path` as `hold` says, making the
    /// file if need be.
    pub(in crate::store) fn try_take(path: &Path, hold: Hold) -> Taken {
        // A file deleted by its last holder between this open and the lock locks nothing: the
        // new one at the name is taken instead, a few times at most.
        for _ in 0..16 {
            let file = match open(path) {
                Ok(file) => file,
                Err(e) => return unavailable(path, &e),
            };
            step(path);
            let locked = match hold {
                Hold::Shared => file.try_lock_shared(),
                Hold::Exclusive => file.try_lock(),
            };
            match locked {
                Ok(()) if is_file_at(&file, path) => {
                    return Taken::Held(LockFile {
                        file,
                        path: path.to_path_buf(),
                    })
                }
                Ok(()) => continue,
                Err(fs::TryLockError::WouldBlock) => return Taken::Busy,
                Err(fs::TryLockError::Error(e)) => return unavailable(path, &e),
            }
        }
        Taken::Busy
    }

    /// Returns another's exclusive hold of the lock file at `path`, with the note it wrote
    /// there, without making the file or deleting it; `None` where no one holds it so: it is
    /// locked shared for a moment (an exclusive taker trying in that moment finds it busy, and
    /// tries again), and one no one holds (left by a killed process) stays for the next
    /// exclusive holder to delete.
    pub(in crate::store) fn held_exclusively(path: &Path) -> Option<Exclusive> {
        let file = fs::File::open(path).ok()?;
        match file.try_lock_shared() {
            Err(fs::TryLockError::WouldBlock) => Some(Exclusive {
                note: read_note(&file),
            }),
            _ => None,
        }
    }

    /// Writes `note` (one line: who holds the lock and why) into the held file after this
    /// process's id, in place of what a holder before wrote, for those that find it held
    /// (`held_exclusively`). Best effort: a file opened to read (another user's) keeps what it
    /// had, a killed holder's note at most, which readers drop as its writer is gone; in the
    /// moment before the note is written, readers find the same.
    pub(in crate::store) fn write_note(&self, note: &str) {
        let line = format!(
            "{} {}",
            std::process::id(),
            note.lines().next().unwrap_or("")
        );
        let mut file = &self.file;
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(line.as_bytes()));
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // The last holder deletes the file; one that another still holds stays, and so does one
        // at the name that is not this holder's (its file was deleted by hand, and another
        // taker made and holds the new one).
        if self.file.try_lock().is_ok() && is_file_at(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Opens the lock file at `path` to lock it, making it if need be; one this user may not
/// write (another user's) is opened to read, which `flock` locks as well.
fn open(path: &Path) -> io::Result<fs::File> {
    let written = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path);
    match written {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            // Only a file: a folder, which opens to read too, is no lock file.
            match fs::File::open(path) {
                Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => Ok(file),
                _ => Err(e),
            }
        }
        written => written,
    }
}

/// Returns the note in the lock file `file` (`LockFile::write_note`): its first line, of at most
/// `NOTE_MAX` bytes read, without the process id it begins with; `None` where it is empty or
/// cannot be read, where it begins with no process id, and where that process is gone.
fn read_note(file: &fs::File) -> Option<String> {
    let mut bytes = Vec::new();
    file.take(NOTE_MAX).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (pid, note) = text.lines().next()?.trim().split_once(' ')?;
    let note = note.trim();
    let pid = pid.parse::<u32>().ok()?;
    (!note.is_empty() && running(pid)).then(|| note.to_string())
}

/// Returns whether the process `pid` is running: whether `/proc/PID` is there, where `/proc`
/// is (a system without it says nothing, and the process counts as running).
#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Returns whether the process `pid` is running: off Linux it is not checked, and counts as
/// running.
#[cfg(not(target_os = "linux"))]
fn running(_pid: u32) -> bool {
    true
}

/// Returns `Taken::Unavailable` with `e`, which `path` gave, naming `path`.
fn unavailable(path: &Path, e: &io::Error) -> Taken {
    Taken::Unavailable(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Returns whether `file` is the file at `path` (not one deleted, or replaced, since opened).
#[cfg(unix)]
fn is_file_at(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(there)) => held.ino() == there.ino() && held.dev() == there.dev(),
        _ => false,
    }
}

/// Returns whether `file` is the file at `path`: without inode numbers, whether one is there.
#[cfg(not(unix))]
fn is_file_at(_file: &fs::File, path: &Path) -> bool {
    path.is_file()
}

/// What a test does once a taker on this thread has opened the lock file at a path.
#[cfg(test)]
type OpenedHook = Box<dyn FnMut(&Path)>;

#[cfg(test)]
thread_local! {
    /// What a test does between this thread's opens of lock files and their locks.
    static ON_OPENED: std::cell::RefCell<Option<OpenedHook>> =
        const { std::cell::RefCell::new(None) };
}

/// Makes `hook` run each time a taker on this thread has opened a lock file and not yet locked
/// it, with its path, until the thread ends or another hook replaces it.
#[cfg(test)]
pub(in crate::store) fn on_lock_opened(hook: impl FnMut(&Path) + 'static) {
    ON_OPENED.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

/// Runs this thread's `on_lock_opened` hook, if any.
#[cfg(test)]
fn step(path: &Path) {
    let hook = ON_OPENED.with(|h| h.borrow_mut().take());
    if let Some(mut hook) = hook {
        hook(path);
        // Put back unless the hook set another.
        ON_OPENED.with(|h| {
            h.borrow_mut().get_or_insert(hook);
        });
    }
}

/// Does nothing: only tests act between a taker's open and its lock.
#[cfg(not(test))]
fn step(_path: &Path) {}
