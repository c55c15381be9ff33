//! Unit tests of opening a store that act between the steps of an open (`on_open`): a lock
//! conflict tried again, a removal's or a compaction's hold of the name waited for, a store
//! moved aside while it was being opened, and one set aside by a compaction, killed as an open
//! took its name or live.

use std::cell::Cell;
use std::fs::File;
use std::rc::Rc;

use super::*;
use crate::store::name::Moving;
use crate::store::tests::info;

/// Makes a store in `path` holding experiment `a`, flushed, and waits until it is let go of.
fn store_with_one_experiment(path: &Path) {
    let store = Store::open(path).unwrap();
    store.create_experiment(&info("a", 1)).unwrap();
    store.flush().unwrap();
    drop(store);
    wait_released(path);
}

/// Lets go of `holder` once this thread's open reaches `step`; returns how many times it did.
fn let_go_at<T: 'static>(step: OpenStep, holder: T) -> Rc<Cell<u32>> {
    let mut holder = Some(holder);
    let reached = Rc::new(Cell::new(0));
    let seen = reached.clone();
    on_open(move |at, _| {
        if at == step {
            seen.set(seen.get() + 1);
            drop(holder.take());
        }
    });
    reached
}

/// Holds the name of the store in `path` as a live compaction does while it swaps the store
/// for its copy, the store aside; the swap ends once an open (or a check) of this thread has
/// found it under way: the store back in its place (here as it was), then the name let go of.
fn swap_under_way(path: &Path) {
    let moving = Moving::Compaction { opener: "test" };
    let Ok(compaction) = Name::of(path).take_exclusive(LOCK_WAIT, moving) else {
        panic!("name not taken");
    };
    std::fs::rename(path, compact::aside(path)).unwrap();
    let (store_at, mut compaction) = (path.to_path_buf(), Some(compaction));
    on_open(move |at, _| {
        if at == OpenStep::Moving {
            if let Some(compaction) = compaction.take() {
                std::fs::rename(compact::aside(&store_at), &store_at).unwrap();
                drop(compaction);
            }
        }
    });
}

#[test]
fn issue_open_tries_a_real_lock_conflict_again_once_it_clears() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    wait_released(dir.path());
    // Held as sled holds it (an exclusive `flock` on `db`), by a handle let go of at once when
    // dropped, unlike a sled handle's (see `LOCK_WAIT`).
    let holder = File::open(dir.path().join("db")).unwrap();
    holder.try_lock().unwrap();
    // Let go of only once the open has found the store locked: an open that did not try again
    // would give that conflict.
    let conflicts = let_go_at(OpenStep::Conflict, holder);
    let opened = Store::open(dir.path());
    assert!(opened.is_ok(), "{:?}", opened.err());
    assert_eq!(conflicts.get(), 1);
}

#[test]
fn issue_an_open_that_locks_a_store_moved_aside_meanwhile_opens_the_one_at_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    let aside = dir.path().join("st.aside");
    drop(Store::open(&path).unwrap());
    wait_released(&path);
    // As a failed run sets aside the empty store it made, while another process's sled has
    // opened its `db` and takes the lock just after the mover lets go: here, once sled holds
    // the lock, once.
    let to = aside.clone();
    let mut moved = false;
    on_open(move |at, store| {
        if at == OpenStep::Locked && !moved {
            moved = true;
            std::fs::rename(store, &to).unwrap();
        }
    });
    let store = Store::open(&path).unwrap();
    store.create_experiment(&info("b", 1)).unwrap();
    store.flush().unwrap();
    drop(store);
    wait_released(&path);
    wait_released(&aside);
    // What was written is in the store at the path, not in the one its mover deletes.
    let names = |at: &Path| -> Vec<String> {
        let store = Store::open(at).unwrap();
        store
            .experiments()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect()
    };
    assert_eq!(names(&path), ["b"]);
    assert!(names(&aside).is_empty());
}

#[test]
fn issue_a_compaction_killed_as_an_open_takes_the_name_leaves_no_new_store_in_its_place() {
    // Past the open's first look for a compaction under way and before its hold of the name, a
    // compaction held the name, set the store aside and was killed (its lock going with it):
    // the open that then took the name made a new, empty store where the store was.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_with_one_experiment(&path);
    let (store_at, mut killed) = (path.clone(), false);
    crate::store::name::on_lock_opened(move |_| {
        if !killed {
            killed = true;
            std::fs::rename(&store_at, compact::aside(&store_at)).unwrap();
        }
    });
    let refused = Store::open(&path).err();
    assert!(
        matches!(refused, Some(Error::CompactionInterrupted { .. })),
        "{refused:?}"
    );
    assert!(!path.exists(), "no store is made in its place");
    // `sweep compact` finishes it: the store is back, whole.
    Store::compact(&path, "test").unwrap();
    let store = Store::open_existing(&path).unwrap();
    assert_eq!(store.experiments().unwrap().len(), 1);
}

#[test]
fn issue_an_open_behind_a_removal_tries_again_once_it_lets_go() {
    // A removal or a compaction holds the store's name: the open gives `Error::BeingMoved` and
    // tries again, as it does sled's conflict, while `LOCK_WAIT` lasts.
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    wait_released(dir.path());
    let Ok(removal) = Name::of(dir.path()).take_exclusive(LOCK_WAIT, Moving::Removal) else {
        panic!("name not taken");
    };
    // Let go of only once the open has found the name held: an open that did not try again
    // would give that.
    let kept_out = let_go_at(OpenStep::Moving, removal);
    let opened = Store::open(dir.path());
    assert!(opened.is_ok(), "{:?}", opened.err());
    assert_eq!(kept_out.get(), 1);
}

#[test]
fn issue_an_open_while_a_live_compaction_swaps_the_store_waits_for_it() {
    // A compaction holds the store's name while it swaps: the store aside, the copy moved into
    // its place, the checkpoints after it, the old folder deleted. An open in that span said the
    // compaction was stopped part way (`Error::CompactionInterrupted`: "run `sweep compact` to
    // finish it", exit 2) and did not wait.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_with_one_experiment(&path);
    for existing in [true, false] {
        // The swap ends once the open has found it under way (`check_existing_as` steps
        // nowhere, so it finds the swap as it is).
        swap_under_way(&path);
        let checked = Store::check_existing_as(&path, &Naming::Share(&Name::of(&path)));
        assert!(
            matches!(checked, Err(Error::BeingMoved { .. })),
            "{checked:?}"
        );
        let store = if existing {
            Store::open_existing(&path)
        } else {
            Store::open(&path)
        };
        let store = store.unwrap_or_else(|e| panic!("existing {existing}: {e}"));
        assert_eq!(store.experiments().unwrap().len(), 1);
        drop(store);
        wait_released(&path);
    }
}

#[test]
fn issue_a_check_before_opening_waits_out_a_live_compactions_swap_too() {
    // `sweep ls`, `show`, `trials` check the store before they open it: the check said the
    // store was busy at once (exit 75) where the open waits the swap out.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_with_one_experiment(&path);
    // The swap ends once the check has found it under way.
    swap_under_way(&path);
    let checked = Store::check_existing(&path);
    assert!(checked.is_ok(), "{checked:?}");
}

#[test]
fn issue_a_store_under_a_file_says_the_file_is_no_folder() {
    // `sweep ls --store afile/sub` said "no store at afile/sub; run `sweep run FILE` first",
    // which cannot make one there either.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("afile");
    std::fs::write(&file, "").unwrap();
    for path in [file.join("sub"), file.join("sub").join("deeper")] {
        let err = Store::check_existing(&path).unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "cannot open store {}: {} is a file, not a folder, so no store can be under it",
                path.display(),
                file.display()
            )
        );
    }
    // A missing folder above is no file: the command that asks for it says so.
    assert!(Store::check_existing(&dir.path().join("no").join("sub")).is_ok());
}

#[cfg(unix)]
#[test]
fn issue_a_store_under_a_link_leading_nowhere_says_so() {
    // `sweep ls --store dangle/sub` said "no store at dangle/sub; run `sweep run FILE` first",
    // and `sweep run --store dangle/sub` then failed with a bare "File exists (os error 17)".
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("dangle");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
    for path in [link.join("sub"), link.join("sub").join("deeper")] {
        let want = format!(
            "cannot open store {}: {} is a link to {}, which does not exist, so no store can be \
             under it; create the folder it points to, or name another",
            path.display(),
            link.display(),
            dir.path().join("nowhere").display()
        );
        let checked = Store::check_existing(&path).unwrap_err();
        assert!(matches!(checked, Error::Open { .. }), "{checked:?}");
        assert_eq!(checked.to_string(), want);
        let opened = Store::open(&path).unwrap_err();
        assert_eq!(opened.to_string(), want);
    }
    // Nothing was made where the link points.
    assert!(!dir.path().join("nowhere").exists());
    // Once the folder it points to is there, the store opens under it.
    std::fs::create_dir(dir.path().join("nowhere")).unwrap();
    assert!(Store::open(&link.join("sub")).is_ok());
}
