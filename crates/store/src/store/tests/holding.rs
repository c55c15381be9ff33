//! Unit tests of a store held by another: a second open, in this process or another, is locked
//! out and names who announced holding the store; `open` tries a lock conflict again for a
//! while; a temporary store holds its leased folder until dropped; an announcement whose file
//! cannot be written is named.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::*;

#[test]
fn a_second_open_in_this_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "store {} is in use by another sweep process",
            dir.path().display()
        )
    );
    // A clone shares the open database and its lock.
    let clone = first.clone();
    drop(first);
    assert!(matches!(Store::open(dir.path()), Err(Error::Locked { .. })));
    drop(clone);
    wait_released(dir.path());
    Store::open(dir.path()).unwrap();
}

#[test]
fn a_locked_store_names_who_announced_holding_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    first.announce("an earlier opener").unwrap();
    first
        .announce("`sweep serve` (pid 42), dashboard http://127.0.0.1:8080/\nsecond line")
        .unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "store {} is in use by another sweep process: `sweep serve` (pid 42), dashboard \
             http://127.0.0.1:8080/",
            dir.path().display()
        )
    );
    drop(first);
    // The next opener replaces the announcement; a temporary store has none to write.
    wait_released(dir.path());
    let second = Store::open(dir.path()).unwrap();
    second.announce("`sweep ls`").unwrap();
    assert_eq!(read_opener(dir.path()).as_deref(), Some("`sweep ls`"));
    Store::temporary().unwrap().announce("nobody").unwrap();
}

#[test]
fn open_tries_a_lock_conflict_again_until_it_clears_or_the_wait_is_over() {
    // As when a just-dropped handle's background writes still hold the file: `open` tries
    // again (`retry_locked`), so each try here is scripted rather than raced against a clock.
    let locked = || Error::Locked {
        path: PathBuf::from("s"),
        opener: None,
    };
    let mut tries = 0;
    let opened = retry_locked(Duration::from_secs(600), || {
        tries += 1;
        if tries < 4 {
            Err(locked())
        } else {
            Ok(tries)
        }
    });
    assert_eq!(opened.unwrap(), 4);
    // Once the wait is over, the conflict is the answer.
    let mut tries = 0;
    let err = retry_locked(Duration::ZERO, || {
        tries += 1;
        Err::<(), _>(locked())
    })
    .unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err}");
    assert_eq!(tries, 1);
    // Any other error is the answer at once.
    let mut tries = 0;
    let err = retry_locked(Duration::from_secs(600), || {
        tries += 1;
        Err::<(), _>(Error::NoStore {
            path: PathBuf::from("s"),
        })
    })
    .unwrap_err();
    assert!(matches!(err, Error::NoStore { .. }), "{err}");
    assert_eq!(tries, 1);
}

/// The environment variable that makes `a_second_process_is_locked_out` act as the child.
const CHILD_ENV: &str = "SWEEP_STORE_LOCK_CHILD";

#[test]
fn a_second_process_is_locked_out() {
    if let Some(path) = std::env::var_os(CHILD_ENV) {
        // The child: the parent holds the store open.
        let path = Path::new(&path);
        let err = Store::open(path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "store {} is in use by another sweep process",
                path.display()
            )
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // The child's own assertion is the refusal: it comes only once the child gave up waiting.
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::tests::holding::a_second_process_is_locked_out",
        ])
        .args(["--test-threads", "1", "--nocapture"])
        .env(CHILD_ENV, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
    drop(store);
}

#[test]
fn a_temporary_store_lives_in_its_leased_folder_until_dropped() {
    let store = Store::temporary().unwrap();
    let folder = store._scratch.as_ref().unwrap().folder.clone();
    let lease = store._scratch.as_ref().unwrap().lease_path().to_path_buf();
    store.create_experiment(&info("e", 1)).unwrap();
    store.flush().unwrap();
    assert!(folder.join("db").exists() && lease.exists());
    drop(store);
    assert!(!lease.exists());
    // sled deletes the folder when its background threads let go of it (see `LOCK_WAIT`):
    // waited for, for up to ten minutes of tries, as `wait_released` waits for the lock.
    for _ in 0..60_000 {
        if !folder.exists() {
            break;
        }
        std::thread::sleep(LOCK_POLL);
    }
    assert!(!folder.exists(), "{} is left behind", folder.display());
}

#[test]
fn a_file_beside_the_store_that_cannot_be_written_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // A folder where the file goes: the write is refused, as on a read-only folder.
    std::fs::create_dir_all(dir.path().join(OPENED_BY).join("x")).unwrap();
    let err = store.announce("sweep ls").unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "cannot write {}: ",
            dir.path().join(OPENED_BY).display()
        )) && err.contains("its folder must be writable"),
        "{err}"
    );
}
