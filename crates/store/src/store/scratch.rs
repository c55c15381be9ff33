//! Where temporary stores live, and how the ones left by killed processes are swept away.
//!
//! sled's own temporary mode picks a folder in `/dev/shm` and deletes it when the database is
//! dropped. A process killed with SIGKILL (a cancelled CI job, an out-of-memory kill, a test
//! harness timing out `sweep gate`) never drops it, and the folder stays in memory until reboot.
//! So a temporary store is a sled temporary database at a path of our own choosing, beside a
//! *lease*: a file `<folder>.lock` that its process holds an exclusive `flock` on for as long as
//! the store is open. The kernel releases a `flock` when its process dies, however it dies, so
//! every `Store::temporary` first sweeps the scratch folder: a lease nobody holds belongs to a
//! dead process, and its folder goes with it.
//!
//! The lease is created empty, locked, and only then given content (its process id), and the
//! folder is created after that. A lease that can be locked but is still empty may be one whose
//! creator has not locked it yet, so it is left alone (and the creator waits for the sweep's
//! brief lock to end); one with content and no holder is stale.
//! (An empty lease an hour old is abandoned: its creator died in those microseconds.)
//! A folder with no lease beside it is one whose lease has already been let go (sled removes its
//! folder when its last handle drops, which can come after the lease's drop or never, when the
//! process exits first), so it is removed too. Sweeping never fails `Store::temporary`: what
//! cannot be removed (another user's files, say) is skipped.
//!
//! Rejected: checking sled's own lock on `<folder>/db` instead of a lease (between creating the
//! folder and locking that file, a sweeping thread would see an unlocked store and delete it);
//! process ids alone (they are reused).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How every scratch entry's name starts.
const PREFIX: &str = "sweep-temporary-store.";

/// How a lease's name ends, after its folder's name.
const LEASE_SUFFIX: &str = ".lock";

/// How old an empty, unheld lease must be to count as abandoned: its creator died between
/// creating and locking it, which takes microseconds.
const ABANDONED_EMPTY_LEASE: Duration = Duration::from_secs(3600);

/// A temporary store's folder, held by its lease.
#[derive(Debug)]
pub(crate) struct Scratch {
    /// The folder for sled's files; sled deletes it when its last handle drops.
    pub(crate) folder: PathBuf,
    _lease: Lease,
}

/// The locked lease file; dropping it removes the file (and so releases the lock).
#[derive(Debug)]
struct Lease {
    path: PathBuf,
    file: File,
}

impl Drop for Lease {
    fn drop(&mut self) {
        // Errors are ignored: the file may already be gone, and a sweep removes it otherwise.
        let _ = fs::remove_file(&self.path);
    }
}

/// Sweeps the scratch folder of stale stores, then leases a new folder name in it; an error
/// comes with the folder.
pub(crate) fn lease(chosen: Option<&Path>) -> Result<Scratch, (PathBuf, io::Error)> {
    let base = base_of(chosen.map(Path::as_os_str), Path::new("/dev/shm"));
    lease_in(&base).map_err(|e| (base, e))
}

/// `lease` in folder `base`.
fn lease_in(base: &Path) -> io::Result<Scratch> {
    sweep(base);
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!(
        "{PREFIX}{}.{nanos}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let folder = base.join(&name);
    let path = base.join(format!("{name}{LEASE_SUFFIX}"));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    // Built at once, so that an error below removes the file again.
    let lease = Lease { path, file };
    // Waits rather than tries: a sweep in another thread or process may be holding the new,
    // still empty lease for the moment it takes to read it.
    lease.file.lock()?;
    writeln!(&lease.file, "{}", std::process::id())?;
    Ok(Scratch {
        folder,
        _lease: lease,
    })
}

impl Scratch {
    /// Deletes the folder and the lease file now (for a process about to end while other
    /// threads hold the store): nothing is left for a later sweep to find.
    pub(crate) fn discard(&self) {
        let _ = fs::remove_dir_all(&self.folder);
        let _ = fs::remove_file(&self._lease.path);
    }

    /// The lease file's path (for tests).
    #[cfg(test)]
    pub(crate) fn lease_path(&self) -> &Path {
        &self._lease.path
    }
}

/// Where temporary stores go: the folder the user chose (`TMPDIR`, as the binary reads it: a
/// disk with room, say), else `/dev/shm` (memory, `shm`) where the system has it, else `/tmp`.
/// The store reads no environment (only `cli` does): without a folder from its caller, it goes
/// where the system's temp folder is when `TMPDIR` is unset.
fn base_of(tmpdir: Option<&std::ffi::OsStr>, shm: &Path) -> PathBuf {
    match tmpdir.filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None if shm.is_dir() => shm.to_path_buf(),
        None => PathBuf::from("/tmp"),
    }
}

/// Removes the stores in `base` that no live process holds.
fn sweep(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(PREFIX) {
            continue;
        }
        match name.strip_suffix(LEASE_SUFFIX) {
            Some(folder) => sweep_lease(&entry.path(), &base.join(folder)),
            None if !base.join(format!("{name}{LEASE_SUFFIX}")).exists() => {
                let _ = fs::remove_dir_all(entry.path());
            }
            None => {}
        }
    }
}

/// Removes the lease at `path` and `folder` if the lease is stale.
fn sweep_lease(path: &Path, folder: &Path) {
    let Ok(mut file) = File::open(path) else {
        return;
    };
    if file.try_lock().is_err() {
        return; // held by a live process, or unreadable
    }
    let mut content = Vec::new();
    if file.read_to_end(&mut content).is_err() {
        return;
    }
    if content.is_empty() && !older_than(path, ABANDONED_EMPTY_LEASE) {
        return; // its creator may not have locked it yet
    }
    // The folder first: should this process die between the two, the lease stays stale.
    match fs::remove_dir_all(folder) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(_) => return,
    }
    let _ = fs::remove_file(path);
}

/// Whether the file at `path` was last modified more than `age` ago (false when unknown).
fn older_than(path: &Path, age: Duration) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    use super::*;

    #[test]
    fn temporary_stores_go_where_tmpdir_says_else_to_memory() {
        let shm = tempfile::tempdir().unwrap();
        let chosen = std::ffi::OsStr::new("/var/tmp/big-disk");
        assert_eq!(
            base_of(Some(chosen), shm.path()),
            Path::new("/var/tmp/big-disk")
        );
        assert_eq!(base_of(None, shm.path()), shm.path());
        assert_eq!(
            base_of(Some(std::ffi::OsStr::new("")), shm.path()),
            shm.path()
        );
        let none = shm.path().join("absent");
        assert_eq!(base_of(None, &none), Path::new("/tmp"));
    }

    /// The environment variable that makes `a_killed_processes_store_is_swept` act as the child.
    const CHILD_ENV: &str = "SWEEP_STORE_SCRATCH_CHILD";

    /// Leases in `base` and creates the folder with a file in it, as sled would.
    fn leased_with_files(base: &Path) -> Scratch {
        let scratch = lease_in(base).unwrap();
        fs::create_dir(&scratch.folder).unwrap();
        fs::write(scratch.folder.join("db"), b"data").unwrap();
        scratch
    }

    #[test]
    fn a_killed_processes_store_is_swept_and_a_live_one_kept() {
        if let Some(base) = std::env::var_os(CHILD_ENV) {
            // The child: lease, say where, and wait to be killed.
            let scratch = leased_with_files(Path::new(&base));
            #[allow(clippy::print_stdout, reason = "the parent reads this line")]
            {
                println!("leased {}", scratch.folder.display());
            }
            std::thread::sleep(Duration::from_secs(60));
            return;
        }
        let base = tempfile::tempdir().unwrap();
        let held = leased_with_files(base.path());
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::scratch::tests::a_killed_processes_store_is_swept_and_a_live_one_kept",
            ])
            .args(["--test-threads", "1", "--nocapture"])
            .env(CHILD_ENV, base.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let folder = stdout
            .lines()
            .map(Result::unwrap)
            // libtest prints the test's name first, on the same line.
            .find_map(|line| line.split_once("leased ").map(|(_, p)| PathBuf::from(p)))
            .expect("the child says where it leased");
        child.kill().unwrap(); // SIGKILL: nothing of the child's runs after it
        child.wait().unwrap();
        let child_lease = PathBuf::from(format!("{}{LEASE_SUFFIX}", folder.display()));
        assert!(folder.join("db").exists() && child_lease.exists());

        let next = lease_in(base.path()).unwrap();
        assert!(!folder.exists(), "the killed child's folder is swept");
        assert!(!child_lease.exists(), "the killed child's lease is swept");
        assert!(held.folder.join("db").exists(), "a held store is kept");
        assert!(held.lease_path().exists());
        assert_ne!(next.folder, held.folder);

        let lease = held.lease_path().to_path_buf();
        drop(held);
        assert!(!lease.exists(), "dropping a scratch lets its lease go");
    }

    #[test]
    fn leases_taken_side_by_side_all_succeed_and_keep_their_folders() {
        // Each lease sweeps while others are being created and held, as parallel tests do.
        let base = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let mut held: Vec<Scratch> = Vec::new();
                    for _ in 0..20 {
                        let scratch = leased_with_files(base.path());
                        for other in &held {
                            assert!(other.folder.join("db").exists(), "a held store was swept");
                        }
                        held.push(scratch);
                    }
                });
            }
        });
        let left: Vec<_> = fs::read_dir(base.path()).unwrap().flatten().collect();
        // Every lease was let go; the folders stay until sled (here: the next sweep) removes them.
        assert!(
            left.iter()
                .all(|e| !e.file_name().to_string_lossy().ends_with(LEASE_SUFFIX)),
            "{left:?}"
        );
        let _next = lease_in(base.path()).unwrap();
        let left = fs::read_dir(base.path()).unwrap().count();
        assert_eq!(left, 1, "only the new lease is left");
    }

    #[test]
    fn unheld_leases_with_content_go_empty_ones_stay_and_folders_without_a_lease_go() {
        let base = tempfile::tempdir().unwrap();
        let entry = |name: &str| base.path().join(format!("{PREFIX}{name}"));
        // A lease its dead creator had written, with its folder.
        fs::write(entry("1.1.0.lock"), b"1\n").unwrap();
        fs::create_dir(entry("1.1.0")).unwrap();
        // A lease whose creator may be about to lock it.
        fs::write(entry("2.2.0.lock"), b"").unwrap();
        // A folder whose lease is gone.
        fs::create_dir(entry("3.3.0")).unwrap();
        fs::write(entry("3.3.0").join("db"), b"data").unwrap();
        // Not ours.
        fs::write(base.path().join("pagecache.tmp.1"), b"").unwrap();

        let _scratch = lease_in(base.path()).unwrap();
        assert!(!entry("1.1.0.lock").exists() && !entry("1.1.0").exists());
        assert!(entry("2.2.0.lock").exists());
        assert!(!entry("3.3.0").exists());
        assert!(base.path().join("pagecache.tmp.1").exists());
    }
}
