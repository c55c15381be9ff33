//! Unit tests of a store's name lock: removals, the lock file's life, and an exclusive taker's
//! turn among opens.

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::rc::Rc;

use super::lock_file::on_lock_opened;
use super::*;
use crate::store::open::{on_open, OpenStep};
use crate::store::tests::info;
use crate::store::wait_released;

/// The environment variable that makes `a_lock_left_by_a_killed_process_holds_nothing` act as
/// the child.
const CHILD_ENV: &str = "SWEEP_STORE_NAME_CHILD";

/// Makes an empty store in `path` and waits until it is let go of.
fn empty_store(path: &Path) {
    drop(Store::open(path).unwrap());
    wait_released(path);
}

/// Returns the names in the folder `dir`, sorted.
fn listed(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Returns the names of the experiments in the store in `path`.
fn names(path: &Path) -> Vec<String> {
    let store = Store::open_existing(path).unwrap();
    let names = store
        .experiments()
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    drop(store);
    wait_released(path);
    names
}

#[test]
fn issue_an_empty_store_goes_but_never_a_store_another_open_took() {
    let dir = tempfile::tempdir().unwrap();
    // Alone: the empty store goes, and nothing is left beside it (no folder aside, no lock).
    let alone = dir.path().join("alone");
    drop(Store::open(&alone).unwrap());
    wait_released(&alone);
    assert!(Store::remove_if_empty(&alone).unwrap());
    assert!(!alone.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    // Another open that was waiting takes the name the moment the removal lets go, and
    // writes its experiment: its store stays whole.
    let raced = dir.path().join("raced");
    drop(Store::open(&raced).unwrap());
    wait_released(&raced);
    let gone = Store::remove_if_empty_then(&raced, || {
        let other = Store::open(&raced).unwrap();
        other.create_experiment(&info("other", 1)).unwrap();
        other.flush().unwrap();
    });
    assert!(gone.unwrap());
    wait_released(&raced);
    assert_eq!(names(&raced), ["other"]);
    // A store that holds an experiment stays.
    assert!(!Store::remove_if_empty(&raced).unwrap());
    assert_eq!(names(&raced), ["other"]);
}

#[test]
fn issue_a_removal_while_an_open_looks_at_the_folder_leaves_the_store_to_that_open() {
    // sled opens `db` by name and locks it a moment later; a folder renamed in between
    // left the open recovering into a folder with no database (see the module). That
    // moment lies inside the span checked here: from the open's first look at `db` to
    // sled's open returning, no removal renames the folder. Without the name lock the
    // removal here renames and deletes the store, and the open makes another.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    drop(Store::open(&path).unwrap());
    wait_released(&path);
    let db_before = file_id(&path.join("db"));
    let removed = Rc::new(RefCell::new(None));
    let seen = removed.clone();
    on_open(move |at, store| {
        if at == OpenStep::Named && seen.borrow().is_none() {
            let gone = Store::remove_if_empty(store);
            *seen.borrow_mut() = Some(gone.map_err(|e| e.to_string()));
            // The removal's own handle lets go late (see `LOCK_WAIT`).
            wait_released(store);
        }
    });
    let store = Store::open(&path).unwrap();
    store.create_experiment(&info("b", 1)).unwrap();
    store.flush().unwrap();
    drop(store);
    wait_released(&path);
    // Kept out, and said so: the store is being opened, not "not empty".
    let removed = removed.borrow_mut().take().unwrap();
    assert!(
        removed
            .as_ref()
            .is_err_and(|e| e.contains("is being opened by other sweep processes; try again")),
        "{removed:?}"
    );
    // The open's store is the one that was there, with what it wrote, and nothing is aside.
    assert_eq!(file_id(&path.join("db")), db_before);
    assert_eq!(names(&path), ["b"]);
    let beside: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["st"]);
}

/// Returns the device and inode of `file`.
#[cfg(unix)]
fn file_id(file: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(file).unwrap();
    (m.dev(), m.ino())
}

/// Returns nothing off unix, where files have no inode numbers to compare.
#[cfg(not(unix))]
fn file_id(_file: &Path) {}

#[test]
fn issue_a_removal_kept_out_says_busy_apart_from_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    empty_store(&path);
    // An open under way holds the name: the removal waits, then says the store is in use.
    let open_under_way = match Name::of(&path).try_share() {
        Share::Held(lock) => lock,
        other => panic!("{other:?}"),
    };
    let err = Store::remove_if_empty(&path).unwrap_err();
    assert!(matches!(err, Error::BeingOpened { .. }), "{err}");
    assert!(path.join("db").is_file(), "the store stays");
    // Once that open is done the empty store goes; one holding an experiment stays, and says so.
    drop(open_under_way);
    assert!(Store::remove_if_empty(&path).unwrap());
    let store = Store::open(&path).unwrap();
    store.create_experiment(&info("a", 1)).unwrap();
    store.flush().unwrap();
    drop(store);
    wait_released(&path);
    assert!(!Store::remove_if_empty(&path).unwrap());
    assert_eq!(names(&path), ["a"]);
}

#[test]
fn a_removal_without_a_name_lock_to_be_had_leaves_the_store_and_says_so() {
    // A lock file that cannot be made (here a folder where it goes; elsewhere a parent folder
    // that cannot be written, or a file system without `flock`): opens go on without it, and
    // a removal leaves the store, naming the lock and what stays.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    let lock = dir.path().join("st.open-lock");
    fs::create_dir(&lock).unwrap();
    empty_store(&path);
    let err = Store::remove_if_empty(&path).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::EmptyStoreStays { .. }), "{text}");
    assert!(text.contains(&lock.display().to_string()), "{text}");
    assert!(
        text.contains(&format!("the empty store {} stays", path.display())),
        "{text}"
    );
    assert!(path.join("db").is_file(), "the store stays");
    assert_eq!(names(&path), Vec::<String>::new());
}

#[test]
fn a_removal_whose_folder_aside_stays_names_it() {
    // The folder aside cannot be deleted (here a file stands in for it; on NFS, files another
    // process holds open): the store is gone from its name, and the error names what stays.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    empty_store(&path);
    let aside = dir
        .path()
        .join(format!(".st.removing-{}-0", std::process::id()));
    let stand_in = aside.clone();
    let err = Store::remove_if_empty_then(&path, move || {
        fs::remove_dir_all(&stand_in).unwrap();
        fs::write(&stand_in, b"").unwrap();
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::EmptyStoreAsideStays { .. }), "{text}");
    assert!(
        text.contains(&format!(
            "moved to {} to be deleted, and that folder stays",
            aside.display()
        )),
        "{text}"
    );
    assert!(!path.exists());
    assert!(aside.exists());
}

#[test]
fn a_lock_file_deleted_by_its_last_holder_as_another_takes_it_is_never_held() {
    // The holder lets go, and deletes the file, between the taker's open of it and its lock:
    // the taker holds the new file at the name, not the deleted one, so the lock still keeps
    // an exclusive taker out.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.open-lock");
    let Taken::Held(holder) = LockFile::try_take(&path, Hold::Shared) else {
        panic!("not taken");
    };
    let mut holder = Some(holder);
    on_lock_opened(move |_| drop(holder.take()));
    let Taken::Held(taker) = LockFile::try_take(&path, Hold::Shared) else {
        panic!("not taken");
    };
    assert!(matches!(
        LockFile::try_take(&path, Hold::Exclusive),
        Taken::Busy
    ));
    drop(taker);
    assert!(!path.exists(), "the last holder deletes it");
}

#[test]
fn a_lock_left_by_a_killed_process_holds_nothing_and_goes_with_the_next_holder() {
    if let Some(store) = std::env::var_os(CHILD_ENV) {
        // The child: takes the name exclusively (its turn and its lock), says so, and waits to
        // be killed.
        let Ok(held) = Name::of(Path::new(&store)).take_exclusive(LOCK_WAIT, Moving::Removal)
        else {
            panic!("the child did not take the name");
        };
        #[allow(clippy::print_stdout, reason = "the parent reads this line")]
        {
            println!("held");
        }
        std::thread::sleep(std::time::Duration::from_secs(60));
        drop(held);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    empty_store(&path);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            concat!(
                "store::name::tests::",
                "a_lock_left_by_a_killed_process_holds_nothing_and_goes_with_the_next_holder"
            ),
        ])
        .args(["--test-threads", "1", "--nocapture"])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let said = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(std::result::Result::ok)
        .any(|line| line.ends_with("held"));
    assert!(said, "the child says it holds the name");
    child.kill().unwrap(); // SIGKILL: nothing of the child's runs after it
    child.wait().unwrap();
    assert_eq!(listed(dir.path()), ["st", "st.open-lock", "st.open-turn"]);
    // The files lock nothing: an open goes at once, and takes the lock's away with it; the
    // turn's, which opens only look at, goes with the next removal or compaction.
    let store = Store::open(&path).unwrap();
    store.create_experiment(&info("a", 1)).unwrap();
    store.flush().unwrap();
    drop(store);
    wait_released(&path);
    assert_eq!(listed(dir.path()), ["st", "st.open-turn"]);
    assert!(!Store::remove_if_empty(&path).unwrap());
    wait_released(&path);
    assert_eq!(listed(dir.path()), ["st"]);
    assert_eq!(names(&path), ["a"]);
}

#[test]
fn issue_a_removal_of_nothing_says_no_store_and_makes_nothing() {
    // A failed `sweep run` that made no store (its spec refused) still asks for the removal of
    // one at its new path: nothing is there, so there is nothing to say, and nothing is made.
    let dir = tempfile::tempdir().unwrap();
    let err = Store::remove_if_empty(&dir.path().join("new")).unwrap_err();
    assert!(matches!(err, Error::NoStore { .. }), "{err}");
    assert_eq!(listed(dir.path()), Vec::<String>::new());
    // Nor where the folder holding it is missing too.
    let err = Store::remove_if_empty(&dir.path().join("no").join("new")).unwrap_err();
    assert!(matches!(err, Error::NoStore { .. }), "{err}");
}

#[cfg(unix)]
#[test]
fn issue_a_removal_under_a_file_or_through_a_dangling_link_says_no_store() {
    // `sweep run --store afile/sub` and `--store dangle` made nothing, yet the removal after
    // their failure warned that the empty store stayed (its name lock refused: `ENOTDIR`; a
    // link it would not remove through).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("afile"), "").unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangle")).unwrap();
    for path in [
        dir.path().join("afile").join("sub"),
        dir.path().join("dangle"),
    ] {
        let err = Store::remove_if_empty(&path).unwrap_err();
        assert!(
            matches!(err, Error::NoStore { .. }),
            "{}: {err}",
            path.display()
        );
    }
    assert_eq!(listed(dir.path()), ["afile", "dangle"]);
}

#[cfg(unix)]
#[test]
fn issue_a_store_named_by_a_link_is_not_removed_through_it() {
    // The rename would move the link and the deletion delete only it, saying the store went
    // while the empty store stayed where the link led.
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    let link = dir.path().join("link");
    empty_store(&real);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let err = Store::remove_if_empty(&link).unwrap_err();
    assert!(matches!(err, Error::EmptyStoreStays { .. }), "{err}");
    assert!(err.to_string().contains("named by a link"), "{err}");
    assert!(real.join("db").is_file(), "the store stays");
    assert!(link.join("db").is_file(), "the link stays, leading to it");
    assert_eq!(listed(dir.path()), ["link", "real"]);
}

/// Makes an empty store in `path` whose last opener announced itself long ago, as `opened-by`
/// keeps it after that process ended.
fn store_opened_long_ago(path: &Path) {
    empty_store(path);
    Store::open(path)
        .unwrap()
        .announce("`sweep show`, ended long ago")
        .unwrap();
    wait_released(path);
}

/// Returns what `Error::BeingMoved` says of the store in `path` that another sweep process is
/// `doing`.
fn busy(path: &Path, doing: &str) -> String {
    format!(
        "store {} is busy: another sweep process is {doing}; try again once it is done",
        path.display()
    )
}

/// Returns what a removal by this process writes of itself in the turn (`Moving::Removal`).
fn removal_note() -> String {
    format!(
        "removing it if it holds no experiment (pid {})",
        std::process::id()
    )
}

#[test]
fn issue_a_removal_kept_out_by_another_removal_says_so() {
    // Another removal or compaction has the turn: it is named, not `opened-by`'s last opener,
    // which may have ended long ago.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_opened_long_ago(&path);
    let Ok(other) = Name::of(&path).take_exclusive(LOCK_WAIT, Moving::Removal) else {
        panic!("not taken");
    };
    let err = Store::remove_if_empty(&path).unwrap_err();
    assert!(matches!(err, Error::BeingMoved { .. }), "{err}");
    let removing = removal_note();
    assert_eq!(err.to_string(), busy(&path, &removing));
    // A compaction kept out by it says the same.
    let err = Store::compact(&path, "`sweep compact`").unwrap_err();
    assert_eq!(err.to_string(), busy(&real(&path), &removing));
    drop(other);
    assert!(Store::remove_if_empty(&path).unwrap());
}

#[test]
fn issue_an_open_behind_a_removal_names_the_removal_not_the_last_opener() {
    // The open's wait ended in `Error::Locked` with `opened-by`'s text: the last opener, long
    // gone (a removal never announces itself), and the advice to stop it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_opened_long_ago(&path);
    let Ok(removal) = Name::of(&path).take_exclusive(LOCK_WAIT, Moving::Removal) else {
        panic!("not taken");
    };
    let removing = removal_note();
    for opened in [Store::open(&path), Store::open_existing(&path)] {
        let err = opened.unwrap_err();
        assert!(matches!(err, Error::BeingMoved { .. }), "{err}");
        assert_eq!(err.to_string(), busy(&path, &removing));
    }
    drop(removal);
    drop(Store::open_existing(&path).unwrap());
    wait_released(&path);
}

#[test]
fn an_open_behind_a_compaction_names_the_compacting_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_opened_long_ago(&path);
    let compaction = Moving::Compaction {
        opener: "`sweep compact --store st` (pid 4242)",
    };
    let Ok(held) = Name::of(&path).take_exclusive(LOCK_WAIT, compaction) else {
        panic!("not taken");
    };
    let err = Store::open(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        busy(
            &path,
            "compacting it: `sweep compact --store st` (pid 4242)"
        )
    );
    // A removal kept out by it says the same.
    let err = Store::remove_if_empty(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        busy(
            &path,
            "compacting it: `sweep compact --store st` (pid 4242)"
        )
    );
    drop(held);
}

#[test]
fn a_turn_held_without_a_note_is_a_removal_or_a_compaction_not_the_last_opener() {
    // A taker that wrote nothing in the turn (an older sweep; a turn file another user made,
    // opened to read): who it is is unknown, and the last opener is still not named.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    store_opened_long_ago(&path);
    let Taken::Held(turn) = LockFile::try_take(&beside(&real(&path), OPEN_TURN), Hold::Exclusive)
    else {
        panic!("not taken");
    };
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, Error::BeingMoved { mover: None, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "store {} is being removed or compacted by another sweep process; try again once \
             it is done",
            path.display()
        )
    );
    drop(turn);
}

#[test]
fn a_refusal_to_write_beside_the_store_says_its_folder_must_be_writable() {
    // As a removal or a compaction says where its lock cannot be made (here only the words:
    // a test run as root writes anywhere).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st");
    let denied = io::Error::from(io::ErrorKind::PermissionDenied);
    assert_eq!(
        writable_parent(&path, &denied),
        format!(
            "; the folder holding the store, {}, must be writable",
            fs::canonicalize(dir.path()).unwrap().display()
        )
    );
    let other = io::Error::from(io::ErrorKind::IsADirectory);
    assert_eq!(writable_parent(&path, &other), "");
}
