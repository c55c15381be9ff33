//! Unit tests of reading sled's refusals to open as the store's errors: a lock another holds
//! and a lock the file system does not keep.

use std::fs::File;

use super::*;
use crate::store::{wait_released, Store};

#[test]
fn a_lock_another_holds_is_a_conflict() {
    // sled's own message, from a real conflict: `db` held as sled holds it.
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    wait_released(dir.path());
    let holder = File::open(dir.path().join("db")).unwrap();
    holder.try_lock().unwrap();
    let Err(refused) = open_sled(dir.path()).unwrap() else {
        panic!("opened a database another holds");
    };
    let e = open_error(refused, dir.path());
    assert!(matches!(e, Error::Locked { opener: None, .. }), "{e}");
}

#[cfg(target_os = "linux")]
#[test]
fn issue_a_file_system_without_locks_is_no_conflict_but_says_why() {
    // On a file system that keeps no `flock` (NFS mounted without locking, some FUSE), every
    // lock fails with `ENOLCK`: read as a conflict (`Error::Locked`), the store was "in use by
    // another sweep process" (exit 75), and a script trying again on 75 tried for ever.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // As sled 0.34 words it (its `config.rs`), with `ENOLCK` (37 on Linux).
    let no_locks = std::io::Error::from_raw_os_error(37);
    let sled_says = std::io::Error::other(format!(
        "could not acquire lock on {:?}: {:?}",
        db.to_string_lossy(),
        no_locks
    ));
    let e = open_error(sled::Error::Io(sled_says), dir.path());
    assert!(matches!(e, Error::Open { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "cannot open store {}: cannot lock its database file {}: No locks available; the \
             database needs a lock (`flock`) to open, which some file systems do not keep (NFS \
             mounted without locking, some FUSE file systems): put the store on a local disk",
            dir.path().display(),
            db.display()
        )
    );
}

#[test]
fn a_refusal_is_read_from_its_debug_text() {
    let os = r#"could not acquire lock on "st/db": Os { code: 37, kind: Uncategorized, message: "No locks available" }"#;
    assert!(!held_by_another(os));
    assert_eq!(refusal(os), "No locks available");
    let busy = r#"could not acquire lock on "st/db": Os { code: 11, kind: WouldBlock, message: "Resource temporarily unavailable" }"#;
    assert!(held_by_another(busy));
    // Without a message, all of it is said.
    let bare = "could not acquire lock on \"st/db\": Kind(Unsupported)";
    assert_eq!(refusal(bare), bare);
    assert!(!held_by_another(bare));
}

#[test]
fn issue_a_read_only_database_file_is_named_not_the_folder() {
    // With `db` made read-only in a writable folder, sled's open is refused; the advice said
    // "the store's folder must be writable", which it was.
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    wait_released(dir.path());
    let db = dir.path().join("db");
    let refused = || sled::Error::Io(std::io::Error::from_raw_os_error(13));
    let folder = open_error(refused(), dir.path()).to_string();
    assert!(
        folder.contains("the store's folder must be writable"),
        "{folder}"
    );
    let mut permissions = std::fs::metadata(&db).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&db, permissions).unwrap();
    let file = open_error(refused(), dir.path()).to_string();
    assert!(
        file.contains(&format!("its database file {} is read-only", db.display()))
            && !file.contains("folder must be writable"),
        "{file}"
    );
}

#[test]
fn issue_a_database_past_the_file_size_limit_names_the_file_and_the_limit() {
    // `ulimit -f` below the size of `db`: sled's write at its end fails with `EFBIG` (once
    // SIGXFSZ no longer kills the process), which said only "File too large".
    let dir = tempfile::tempdir().unwrap();
    let too_large = sled::Error::Io(std::io::Error::from_raw_os_error(27));
    let e = open_error(too_large, dir.path());
    assert!(matches!(e, Error::Open { .. }), "{e:?}");
    let db = dir.path().join("db");
    assert!(
        e.to_string().contains(&format!(
            "File too large (os error 27); its database file {} is larger than the file size \
             limit lets this process write (`ulimit -f`)",
            db.display()
        )),
        "{e}"
    );
}
