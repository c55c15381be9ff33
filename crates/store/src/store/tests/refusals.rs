//! Unit tests of a store refused on opening, each refusal naming what it found: another format,
//! a database or files not Sweep's, a folder without a store, a database that lost flushed
//! writes or cannot be read back (sled's panic caught, other threads' panics still reported), a
//! flush the folder refuses, and a file where the folder should be.

use std::path::Path;

use experiment::{Step, TrialId, TrialState};

use super::*;
use crate::DamagedPart;

/// Returns a folder holding a store with experiment `e`, flushed and closed (its lock
/// released).
fn closed_with_one_experiment() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("e", 3)).unwrap();
        store.flush().unwrap();
    }
    wait_released(dir.path());
    dir
}

#[test]
fn another_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .meta
            .insert(FORMAT_VERSION_KEY, &99u32.to_be_bytes())
            .unwrap();
        store.flush().unwrap();
    }
    wait_released(dir.path());
    let err = Store::open(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "store {} has format version 99, but this sweep reads version 1",
            dir.path().display()
        )
    );
    wait_released(dir.path());
    {
        let db = sled::open(dir.path()).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert(FORMAT_VERSION_KEY, &[1u8][..])
            .unwrap();
        db.flush().unwrap();
    }
    wait_released(dir.path());
    let err = Store::open(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "corrupt format version in store: expected 4 bytes, found 1"
    );
}

#[test]
fn a_foreign_database_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert("k", "v").unwrap();
        db.flush().unwrap();
    }
    wait_released(dir.path());
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotAStore { .. }), "{err}");
}

#[test]
fn a_folder_without_a_store_is_refused_and_left_as_it_was() {
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // A command that reads a store, given an empty folder or one of other files, writes nothing.
    let empty = tempfile::tempdir().unwrap();
    let err = Store::open_existing(empty.path()).unwrap_err();
    assert!(matches!(err, Error::NoStore { .. }), "{err}");
    assert!(listing(empty.path()).is_empty());
    // A file named `db` (or `conf`) alone is someone else's: neither mode writes over it.
    let theirs = tempfile::tempdir().unwrap();
    std::fs::write(theirs.path().join("db"), "keep me").unwrap();
    for err in [
        Store::open(theirs.path()).unwrap_err(),
        Store::open_existing(theirs.path()).unwrap_err(),
    ] {
        assert!(
            err.to_string()
                .contains("holds a file `db` but no `conf`: it is not a sweep store"),
            "{err}"
        );
    }
    assert_eq!(listing(theirs.path()), ["db"]);
    assert_eq!(
        std::fs::read_to_string(theirs.path().join("db")).unwrap(),
        "keep me"
    );
    // A store opens both ways; an empty folder becomes one when a sweep creates it.
    let store = tempfile::tempdir().unwrap();
    drop(Store::open(store.path()).unwrap());
    wait_released(store.path());
    drop(Store::open_existing(store.path()).unwrap());
}

#[test]
fn a_database_that_lost_flushed_writes_is_refused_until_its_mark_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        // One flush per trial, as a sweep does: the log grows record by record.
        store.create_experiment(&info("e", 3)).unwrap();
        for t in 0..40 {
            store
                .put_trial("e", &trial(t, TrialState::Completed))
                .unwrap();
            store.flush().unwrap();
        }
    }
    wait_released(dir.path());
    let written = flushed::read_mark(dir.path()).unwrap();
    assert_eq!(written, 41, "the format's flush, then one per trial");
    // A run of damaged bytes halfway through what the log holds: sled recovers the records
    // before it and drops the rest, where nothing but the mark notices. (A snapshot newer than
    // the damage makes sled itself report corruption; a store whose snapshot is older, or
    // missing, is the silent case.)
    let db = dir.path().join("db");
    let mut bytes = std::fs::read(&db).unwrap();
    let used: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] != 0).collect();
    let at = used[used.len() / 2];
    bytes[at..at + 16].iter_mut().for_each(|b| *b ^= 0xFF);
    std::fs::write(&db, &bytes).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("snap.")
        {
            std::fs::remove_file(path).unwrap();
        }
    }
    let err = Store::open(dir.path()).unwrap_err();
    let Error::LostWrites { held, .. } = err else {
        panic!("{err}");
    };
    assert!(held < written, "{held}");
    assert_eq!(
        err.to_string(),
        format!(
            "store {} lost data: its database holds {held} of the {written} flushes that \
             reached disk (the file `db` was damaged or copied in part, and sled, opening it, \
             kept only what came before the damage). Nothing more was stored in it. Restore the \
             folder from a copy if there is one; to go on with what it still holds (a sweep then \
             runs its lost trials again), delete {}",
            dir.path().display(),
            dir.path().join("flushed").display()
        )
    );
    // Refused again, with nothing changed; then, without the mark, opened with what is left.
    wait_released(dir.path());
    assert!(matches!(
        Store::open(dir.path()),
        Err(Error::LostWrites { .. })
    ));
    std::fs::remove_file(dir.path().join(flushed::FLUSHED)).unwrap();
    wait_released(dir.path());
    let store = Store::open(dir.path()).unwrap();
    let left = store.trials("e").unwrap().len();
    assert!(left < 40, "{left}");
    // It counts on from what it holds.
    store.flush().unwrap();
    assert_eq!(flushed::read_mark(dir.path()), Some(held + 1));
}

#[test]
fn a_database_cut_short_behind_its_snapshot_is_refused_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    {
        // A sweep's worth: 40 trials of 60 epochs, over several of sled's segments.
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("e", 3)).unwrap();
        for t in 0..40 {
            for e in 1..=60 {
                let points = [point("val_loss", f64::from(e)), point("val_accuracy", 0.5)];
                store
                    .append_metrics("e", TrialId(t), Step(e), &points)
                    .unwrap();
            }
            store
                .put_trial("e", &trial(t, TrialState::Completed))
                .unwrap();
            store.flush().unwrap();
        }
    }
    let snapshots = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("snap.")
            })
            .collect::<Vec<_>>()
    };
    // sled writes its snapshot when it opens a database whose log moved on since the last.
    wait_released(dir.path());
    drop(Store::open(dir.path()).unwrap());
    assert!(!snapshots().is_empty(), "sled wrote no snapshot");
    wait_released(dir.path());
    let db = dir.path().join("db");
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len * 3 / 4)
        .unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "store {} is damaged: its database cannot be read back",
            dir.path().display()
        )),
        "{err}"
    );
    // Refused again, nothing changed; without the snapshot, sled reads what the log holds and
    // the flush mark says what was lost, as the message promises.
    assert_eq!(std::fs::metadata(&db).unwrap().len(), len * 3 / 4);
    wait_released(dir.path());
    assert!(matches!(
        Store::open(dir.path()),
        Err(Error::Damaged { .. })
    ));
    for snapshot in snapshots() {
        std::fs::remove_file(snapshot).unwrap();
    }
    // Whether sled reads the log's prefix back depends on how its writes fell into segments,
    // which timing decides (the flusher's thread): what it does read is refused as writes lost,
    // and a log it cannot read as damaged with no snapshot; never a panic, never an open.
    wait_released(dir.path());
    let opened = Store::open(dir.path());
    assert!(
        matches!(
            opened,
            Err(Error::LostWrites { .. }
                | Error::Damaged {
                    part: DamagedPart::Log { snapshot: false },
                    ..
                })
        ),
        "{:?}",
        opened.map(|_| ())
    );
}

#[test]
fn a_snapshot_begun_and_never_finished_does_not_make_the_store_damaged() {
    let dir = closed_with_one_experiment();
    // As a full disk leaves it: the snapshot's file made, nothing written to it.
    std::fs::write(dir.path().join("snap.00000000000FFFFF.generating"), b"").unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(store.experiment("e").unwrap().is_some());
}

#[test]
fn a_damaged_settings_file_is_named_and_the_way_it_gives_opens_the_store() {
    let dir = closed_with_one_experiment();
    let (conf, db) = (dir.path().join("conf"), dir.path().join("db"));
    let whole = std::fs::read(&conf).unwrap();
    let db_before = std::fs::read(&db).unwrap();
    // Cut short, and not UTF-8 (sled calls that a store from before its 0.29).
    for damaged in [whole[..20].to_vec(), vec![0xff; 40]] {
        std::fs::write(&conf, &damaged).unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Damaged {
                    part: DamagedPart::Settings,
                    ..
                }
            ),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("settings file `conf` cannot be read"),
            "{text}"
        );
        assert!(!text.contains("snap."), "{text}");
        assert_eq!(
            std::fs::read(&db).unwrap(),
            db_before,
            "nothing read or changed"
        );
    }
    // As the message says: emptied, the file is written again and the store opens.
    std::fs::write(&conf, b"").unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(store.experiment("e").unwrap().is_some());
    drop(store);
    assert_eq!(std::fs::read(&conf).unwrap(), whole);
}

#[test]
fn the_flush_mark_only_refuses_a_database_behind_it() {
    let dir = closed_with_one_experiment();
    let mark = dir.path().join(flushed::FLUSHED);
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "2\n");
    // Behind the database (a crash between sled's flush and the mark's write), missing (a
    // store of an earlier version) or unreadable: nothing to compare, it opens.
    for text in [Some("1\n"), None, Some("x\n"), Some("")] {
        wait_released(dir.path());
        match text {
            Some(text) => std::fs::write(&mark, text).unwrap(),
            None => std::fs::remove_file(&mark).unwrap(),
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(names(&store), ["e"]);
    }
    // Ahead of it: refused.
    wait_released(dir.path());
    std::fs::write(&mark, "9\n").unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LostWrites {
                held: 2,
                written: 9,
                ..
            }
        ),
        "{err}"
    );
    // A database that lost everything reads as new: refused before it is made one, the mark
    // left as it was.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join(flushed::FLUSHED), "5\n").unwrap();
    let err = Store::open(empty.path()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LostWrites {
                held: 0,
                written: 5,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(flushed::read_mark(empty.path()), Some(5));
    // A temporary store keeps no mark.
    let temporary = Store::temporary().unwrap();
    temporary.flush().unwrap();
    assert!(temporary.path().is_none());
}

#[test]
fn a_flush_the_folder_refuses_says_so_and_keeps_what_was_written() {
    // Tests may run as root, whom a read-only folder does not stop: a folder where the mark's
    // new file goes refuses its write honestly, as the system refuses it in a read-only folder
    // or on a disk that refuses writes.
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join(format!("{}.part", flushed::FLUSHED));
    {
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("kept", 1)).unwrap();
        store.flush().unwrap();
        store.create_experiment(&info("later", 2)).unwrap();
        std::fs::create_dir(&blocked).unwrap();
        let err = store.flush().unwrap_err();
        let text = err.to_string();
        let refused = std::fs::write(&blocked, "").unwrap_err();
        assert_eq!(
            text,
            format!(
                "cannot flush store {} to disk: writing {} failed: {refused}; what was already \
                 written to it is kept (its folder must stay writable while a command writes \
                 the store)",
                dir.path().display(),
                blocked.display()
            )
        );
        assert!(!text.contains("cannot open"), "{text}");
        assert!(std::error::Error::source(&err).is_none(), "{text}");
    }
    // Once the folder takes writes again, the store opens with what it held.
    std::fs::remove_dir(&blocked).unwrap();
    wait_released(dir.path());
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(names(&store), ["kept", "later"]);
}

#[test]
fn a_file_or_a_path_through_one_is_not_opened_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let err = Store::open(&file).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot open store {}: it is a file, not a folder",
            file.display()
        )
    );
    let below = file.join("store");
    let err = Store::open(&below).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Open { .. }), "{text}");
    assert!(
        text.starts_with(&format!("cannot open store {}: ", below.display())),
        "{text}"
    );
    // The cause is said once, and there is no separate source to repeat it.
    assert!(std::error::Error::source(&err).is_none(), "{text}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn a_panic_on_another_thread_while_a_store_opens_reaches_the_panic_hook() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    const MARK: &str = "a panic of another thread";
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    let dir = tempfile::tempdir().unwrap();
    // A store opened first, so that no open wraps the hook while this test does.
    drop(Store::open(&dir.path().join("first")).unwrap());
    // Another hook (as the runner's): it counts this test's panics and passes on every other.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let said = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
        if said == Some(MARK) {
            SEEN.fetch_add(1, Ordering::SeqCst);
        } else {
            previous(info);
        }
    }));
    let opening = Arc::new(AtomicBool::new(true));
    let panicker = {
        let opening = Arc::clone(&opening);
        std::thread::spawn(move || {
            let mut raised = 0;
            while opening.load(Ordering::SeqCst) || raised < 100 {
                assert!(std::thread::spawn(|| panic!("{}", MARK)).join().is_err());
                raised += 1;
            }
            raised
        })
    };
    for i in 0..50 {
        drop(Store::open(&dir.path().join(i.to_string())).unwrap());
    }
    opening.store(false, Ordering::SeqCst);
    let raised = panicker.join().unwrap();
    assert_eq!(SEEN.load(Ordering::SeqCst), raised);
}
