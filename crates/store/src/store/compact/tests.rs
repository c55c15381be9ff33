//! Unit tests of compaction: the copy, its checks and swap, a compaction killed part way, and
//! its hold of the store's name among opens.

use experiment::{Step, TrialId, TrialState};

use super::*;
use crate::store::name::Share;
use crate::store::tests::{info, point, trial};
use crate::store::wait_released;

/// Makes a store in `dir` with experiments `kept` and `gone` (20 trials of 50 epochs each, a
/// checkpoint folder each), then removes `gone`.
fn store_with_a_removed_experiment(dir: &Path) {
    let store = Store::open(dir).unwrap();
    for (name, created) in [("kept", 1), ("gone", 2)] {
        store.create_experiment(&info(name, created)).unwrap();
        for t in 0..20 {
            for e in 1..=50 {
                let points = [point("val_loss", f64::from(e)), point("val_accuracy", 0.5)];
                store
                    .append_metrics(name, TrialId(t), Step(e), &points)
                    .unwrap();
            }
            store
                .put_trial(name, &trial(t, TrialState::Completed))
                .unwrap();
        }
        let checkpoints = crate::checkpoint_dir(dir, name);
        fs::create_dir_all(&checkpoints).unwrap();
        fs::write(checkpoints.join("3.json"), name).unwrap();
        store.flush().unwrap();
    }
    store.remove_experiment("gone").unwrap();
    fs::remove_dir_all(crate::checkpoint_dir(dir, "gone")).unwrap();
    store.flush().unwrap();
    drop(store);
    wait_released(dir);
}

/// Returns what the store holds of `kept`, its trials and a curve, as text (a trial's
/// metrics hold a NaN, which equals nothing); waits for the lock before and after, for the
/// compaction before and the step after.
fn held(dir: &Path) -> String {
    wait_released(dir);
    let store = Store::open(dir).unwrap();
    let trials = store.trials("kept").unwrap();
    let curve = store.metric_series("kept", TrialId(7), "val_loss").unwrap();
    assert_eq!((trials.len(), curve.len()), (20, 50));
    drop(store);
    wait_released(dir);
    format!("{trials:?} {curve:?}")
}

#[test]
fn a_compacted_store_holds_the_same_in_less_room_with_its_checkpoints() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    store_with_a_removed_experiment(&dir);
    let before = held(&dir);
    let done = Store::compact(&dir, "test").unwrap();
    assert!(done.after * 2 < done.before, "{done:?}");
    assert_eq!(done.after, database_bytes(&dir));
    // The same records, the flush mark agreeing with them (no lost writes claimed), the
    // checkpoints where they were, and nothing left beside the store.
    assert!(held(&dir) == before, "the records changed");
    assert!(Store::open(&dir)
        .unwrap()
        .experiment("gone")
        .unwrap()
        .is_none());
    assert_eq!(
        fs::read_to_string(crate::checkpoint_dir(&dir, "kept").join("3.json")).unwrap(),
        "kept"
    );
    assert!(!dir.join(COMPACTED).exists());
    let names: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["s"]);
}

#[test]
fn a_store_is_never_left_larger_than_it_was() {
    // Many small experiments and nothing removed: a fresh copy may come out larger.
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    let store = Store::open(&dir).unwrap();
    for x in 0..150 {
        let name = format!("exp-{x}");
        store.create_experiment(&info(&name, x)).unwrap();
        for t in 0..6 {
            for e in 1..=3 {
                let points: Vec<experiment::MetricPoint> =
                    ["val_loss", "val_accuracy", "val_f1", "train_loss"]
                        .iter()
                        .map(|m| point(m, f64::from(e) / 7.0))
                        .collect();
                store
                    .append_metrics(&name, TrialId(t), Step(e), &points)
                    .unwrap();
            }
            store
                .put_trial(&name, &trial(t, TrialState::Completed))
                .unwrap();
        }
        store.flush().unwrap();
    }
    drop(store);
    wait_released(&dir);
    // Sizes as the compaction measures them, once it holds the store: sled's threads may
    // still write for a moment after a handle is dropped, so a size taken here is not yet
    // the store's at rest. What it reports must match what it did: a copy swapped in (the
    // database another file) only when smaller, the store left itself otherwise.
    let database = || {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(dir.join("db")).unwrap().ino()
    };
    let before = database();
    let done = Store::compact(&dir, "test").unwrap();
    if database() == before {
        assert_eq!(done.after, done.before, "{done:?}");
    } else {
        assert!(done.after < done.before, "{done:?}");
    }
    wait_released(&dir);
    assert_eq!(Store::open(&dir).unwrap().experiments().unwrap().len(), 150);
}

#[test]
fn a_folder_that_is_not_a_store_is_left_as_it_is() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("proj");
    fs::create_dir_all(dir.join("blobs")).unwrap();
    for (name, text) in [
        ("notes.txt", "n"),
        ("blobs/photo.jpg", "p"),
        ("data.csv.part", "d"),
    ] {
        fs::write(dir.join(name), text).unwrap();
    }
    let err = Store::compact(&dir, "test").unwrap_err();
    assert!(matches!(err, Error::NoStore { .. }), "{err}");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["blobs", "data.csv.part", "notes.txt"]);
    assert!(dir.join("blobs/photo.jpg").is_file());
}

#[test]
fn a_second_compaction_at_once_is_refused_and_a_store_made_meanwhile_is_never_taken_for_the_copy() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    store_with_a_removed_experiment(&dir);
    let before = held(&dir);
    let running = take_compaction_lock(&real(&dir)).unwrap();
    let err = Store::compact(&dir, "test").unwrap_err();
    assert!(matches!(err, Error::BeingMoved { .. }), "{err}");
    drop(running);
    // Killed between its renames; then a store was made where the store was (an open that
    // raced the rename). The store aside is kept, never deleted for it.
    fs::create_dir(fresh(&dir)).unwrap();
    fs::write(fresh(&dir).join("db"), b"half").unwrap();
    fs::rename(&dir, aside(&dir)).unwrap();
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("db"), b"new").unwrap();
    let err = Store::compact(&dir, "test").unwrap_err();
    assert!(err.to_string().contains("is not its checked copy"), "{err}");
    assert!(aside(&dir).join("db").is_file(), "the store aside is kept");
    // Moved away as the message says, the next compaction puts the store back.
    fs::remove_dir_all(&dir).unwrap();
    Store::compact(&dir, "test").unwrap();
    assert!(held(&dir) == before, "the records changed");
}

#[cfg(unix)]
#[test]
fn a_store_named_by_a_link_is_compacted_where_it_is() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("real");
    store_with_a_removed_experiment(&target);
    let before = held(&target);
    let link = root.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let done = Store::compact(&link, "test").unwrap();
    assert!(done.after < done.before, "{done:?}");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(held(&link) == before, "the records changed");
    assert!(crate::checkpoint_dir(&target, "kept")
        .join("3.json")
        .is_file());
}

#[test]
fn a_compaction_killed_part_way_is_refused_then_finished_or_undone() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    store_with_a_removed_experiment(&dir);
    let before = held(&dir);
    // Killed between its two renames with a checked copy: the store is aside, the copy
    // whole. Every open is refused, a new store is not made in its place, and compacting
    // again puts the copy in place with the checkpoints.
    {
        let store = Store::open(&dir).unwrap();
        let copy = sled::Config::new().path(fresh(&dir)).open().unwrap();
        copy_into(&store.db, &copy).unwrap();
        copy.flush().unwrap();
    }
    wait_released(&dir);
    wait_released(&fresh(&dir));
    fs::copy(dir.join(FLUSHED), fresh(&dir).join(FLUSHED)).unwrap();
    fs::write(fresh(&dir).join(COMPACTED), b"").unwrap();
    fs::rename(&dir, aside(&dir)).unwrap();
    let err = Store::open(&dir).unwrap_err();
    assert!(matches!(err, Error::CompactionInterrupted { .. }), "{err}");
    assert!(
        err.to_string().contains("run `sweep compact --store"),
        "{err}"
    );
    assert!(!dir.exists(), "no store made in its place");
    Store::compact(&dir, "test").unwrap();
    assert!(held(&dir) == before, "the records changed");
    assert!(crate::checkpoint_dir(&dir, "kept").join("3.json").is_file());
    assert!(!aside(&dir).exists() && !fresh(&dir).exists());
    // Killed before its copy was checked: the store goes back as it was.
    fs::create_dir(fresh(&dir)).unwrap();
    fs::write(fresh(&dir).join("db"), b"half").unwrap();
    fs::rename(&dir, aside(&dir)).unwrap();
    Store::compact(&dir, "test").unwrap();
    assert!(held(&dir) == before, "the records changed");
    assert!(!aside(&dir).exists() && !fresh(&dir).exists());
    // A copy left before any rename is deleted by the next compaction.
    fs::create_dir(fresh(&dir)).unwrap();
    fs::write(fresh(&dir).join("db"), b"half").unwrap();
    Store::compact(&dir, "test").unwrap();
    assert!(held(&dir) == before, "the records changed");
    assert!(!fresh(&dir).exists());
}

/// Returns whether an open's look at a store's name found a compaction announced as `test`
/// holding it.
fn compacting(taken: &Share) -> bool {
    matches!(taken, Share::Moving(Some(mover)) if mover == "compacting it: test")
}

#[test]
fn a_compaction_holds_the_name_from_its_open_of_the_store_to_its_swap() {
    // An open's try looks at the folder under the name lock shared; the compaction holds it
    // exclusively across its copy and its swap, so no open is between its look at `db` and
    // sled's recovery while the folder moves.
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    store_with_a_removed_experiment(&dir);
    let before = held(&dir);
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let (at_open, at_swap) = (seen.clone(), seen.clone());
    crate::store::open::on_open(move |step, store| {
        if step == crate::store::open::OpenStep::Named {
            let taken = Name::of(store).try_share();
            at_open.borrow_mut().push(("open", compacting(&taken)));
        }
    });
    on_swap(move |store| {
        let taken = Name::of(store).try_share();
        at_swap.borrow_mut().push(("swap", compacting(&taken)));
    });
    Store::compact(&dir, "test").unwrap();
    assert_eq!(*seen.borrow(), [("open", true), ("swap", true)]);
    // Let go of at the end: the store opens, with what it held.
    assert!(held(&dir) == before, "the records changed");
}

#[test]
fn issue_a_stream_of_opens_never_makes_a_compaction_throw_its_copy_away() {
    // Opens whose holds of the name lock overlap, so that it is never free (many `sweep show`
    // at once, a dashboard polling), and real opens in a loop beside them, all through the
    // compaction. A compaction that only polled for the lock, as the opens take it, found it
    // never free and threw its finished copy away ("in use by another sweep process").
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    store_with_a_removed_experiment(&dir);
    let before = held(&dir);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let holding = std::sync::Barrier::new(2);
    let done = std::thread::scope(|scope| {
        let overlapping = scope.spawn(|| {
            let name = Name::of(&dir);
            let mut held: Option<LockFile>;
            let mut first = true;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                match name.try_share() {
                    // The next hold is taken before the last is let go of.
                    Share::Held(next) => held = Some(next),
                    // Kept out: this try ends, and its hold with it.
                    Share::Moving(_) => held = None,
                    Share::Unavailable => panic!("no name lock"),
                }
                if first && held.is_some() {
                    first = false;
                    holding.wait();
                }
                std::thread::yield_now();
            }
        });
        let opening = scope.spawn(|| {
            let mut refused = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                match Store::open_existing(&dir) {
                    Ok(store) => drop(store),
                    // Behind the compaction's hold of the name past `LOCK_WAIT`: busy too.
                    Err(
                        Error::Locked { .. }
                        | Error::BeingMoved { .. }
                        | Error::CompactionInterrupted { .. },
                    ) => {}
                    Err(e) => refused.push(e.to_string()),
                }
            }
            refused
        });
        holding.wait();
        let done = Store::compact(&dir, "test");
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        overlapping.join().unwrap();
        let refused = opening.join().unwrap();
        assert!(refused.is_empty(), "an open failed otherwise: {refused:?}");
        done
    });
    let done = done.unwrap();
    assert!(done.after < done.before, "{done:?}");
    assert!(held(&dir) == before, "the records changed");
}

#[test]
fn issue_a_second_compaction_at_once_finds_the_store_busy() {
    // It failed (`Error::Compact`: exit 2, bad input) where the store is only busy, as one
    // another process holds is: to try again later (75).
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    drop(Store::open(&dir).unwrap());
    wait_released(&dir);
    let Taken::Held(first) =
        LockFile::try_take(&beside(&real(&dir), "compact-lock"), Hold::Exclusive)
    else {
        panic!("compaction lock not taken");
    };
    let busy = |mover: &str| {
        format!(
            "store {} is busy: another sweep process is {mover}; try again once it is done",
            real(&dir).display()
        )
    };
    let err = Store::compact(&dir, "`sweep compact` (pid 7)").unwrap_err();
    assert!(matches!(err, Error::BeingMoved { .. }), "{err}");
    assert_eq!(err.to_string(), busy("compacting it"));
    // Once the first has the store's name, its note there names it.
    let moving = Moving::Compaction {
        opener: "`sweep compact` (pid 4242)",
    };
    let Ok(name) = Name::of(&dir).take_exclusive(LOCK_WAIT, moving) else {
        panic!("name not taken");
    };
    let err = Store::compact(&dir, "`sweep compact` (pid 7)").unwrap_err();
    assert_eq!(
        err.to_string(),
        busy("compacting it: `sweep compact` (pid 4242)")
    );
    drop(name);
    // A removal holding the turn (the first compaction waiting behind it) is not what keeps
    // this one out.
    let Ok(name) = Name::of(&dir).take_exclusive(LOCK_WAIT, Moving::Removal) else {
        panic!("name not taken");
    };
    let err = Store::compact(&dir, "`sweep compact` (pid 7)").unwrap_err();
    assert_eq!(err.to_string(), busy("compacting it"));
    drop(name);
    drop(first);
    Store::compact(&dir, "test").unwrap();
}
