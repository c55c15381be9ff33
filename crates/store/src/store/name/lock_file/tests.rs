//! Unit tests of a lock file's life: whose file a holder deletes as it lets go, a file this
//! user cannot write, and a look at a lock that deletes nothing.

use super::*;

/// Takes the lock file at `path` as `hold` says, failing the test where it is not taken.
fn taken(path: &Path, hold: Hold) -> LockFile {
    match LockFile::try_take(path, hold) {
        Taken::Held(lock) => lock,
        other => panic!("{} not taken: {other:?}", path.display()),
    }
}

#[test]
fn issue_a_holder_whose_file_was_deleted_by_hand_leaves_the_next_holders_file() {
    // A user deletes the lock file while X1 holds it; X2 makes and takes a new one. X1, letting
    // go, deleted whatever was at the name: X2's file, so that X3 made another and held it
    // exclusively beside X2.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.open-lock");
    let x1 = taken(&path, Hold::Exclusive);
    fs::remove_file(&path).unwrap();
    let x2 = taken(&path, Hold::Exclusive);
    drop(x1);
    assert!(path.is_file(), "X2's file stays");
    assert!(
        matches!(LockFile::try_take(&path, Hold::Exclusive), Taken::Busy),
        "X3 is kept out while X2 holds"
    );
    drop(x2);
    assert!(!path.exists(), "X2, its last holder, deletes it");
}

#[cfg(unix)]
#[test]
fn issue_a_lock_file_this_user_cannot_write_is_locked_all_the_same() {
    // Another user made it, `0444` here (`0644` theirs), in a folder both write: it is opened
    // to read, and locked so. (Run as root, every file opens to write: this then passes either
    // way; run as another user, it fails without the read-only open.)
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.open-lock");
    fs::write(&path, b"").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let shared = taken(&path, Hold::Shared);
    assert!(matches!(
        LockFile::try_take(&path, Hold::Exclusive),
        Taken::Busy
    ));
    drop(shared);
    let exclusive = taken(&path, Hold::Exclusive);
    assert!(matches!(
        LockFile::try_take(&path, Hold::Shared),
        Taken::Busy
    ));
    drop(exclusive);
    // A folder where the file goes is still no lock file, though it opens to read.
    let folder = dir.path().join("other.open-lock");
    fs::create_dir(&folder).unwrap();
    assert!(matches!(
        LockFile::try_take(&folder, Hold::Exclusive),
        Taken::Unavailable(_)
    ));
}

#[test]
fn issue_a_look_at_a_lock_never_deletes_the_file_a_taker_just_made() {
    // An open looks at the turn (`held_exclusively`) between a removal's making of it and its
    // lock: a look that deleted the file no one held sent the taker round again, and a stream
    // of looks could keep it from its turn.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.open-turn");
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let looks = seen.clone();
    on_lock_opened(move |opened| {
        looks.borrow_mut().push((
            LockFile::held_exclusively(opened).is_some(),
            opened.is_file(),
        ));
    });
    let turn = taken(&path, Hold::Exclusive);
    // One open of the file, found free and left there by the look.
    assert_eq!(*seen.borrow(), [(false, true)]);
    // Held, the look finds it so.
    assert!(LockFile::held_exclusively(&path).is_some());
    drop(turn);
    assert!(!path.exists());
}

#[test]
fn a_holders_note_is_read_while_it_holds_and_replaces_the_one_before() {
    // A removal's turn says what it does to those it keeps out; the next holder's note, though
    // shorter, keeps nothing of the one before (a killed holder's, left in the file).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.open-turn");
    let first = taken(&path, Hold::Exclusive);
    first.write_note("compacting it: `sweep compact --store st` (pid 4242)\nsecond line");
    let note = LockFile::held_exclusively(&path).and_then(|held| held.note);
    assert_eq!(
        note.as_deref(),
        Some("compacting it: `sweep compact --store st` (pid 4242)")
    );
    drop(first);
    assert!(!path.exists(), "its last holder deletes it");
    // A killed holder's note stays in the file, which no one holds.
    fs::write(
        &path,
        "compacting it: `sweep compact --store st` (pid 4242)",
    )
    .unwrap();
    assert!(
        LockFile::held_exclusively(&path).is_none(),
        "no one holds it"
    );
    let second = taken(&path, Hold::Exclusive);
    second.write_note("removing it (pid 7)");
    second.write_note("removing it (pid 8)");
    let note = LockFile::held_exclusively(&path).and_then(|held| held.note);
    assert_eq!(note.as_deref(), Some("removing it (pid 8)"));
    // Held shared, as opens hold the name lock, it is no exclusive hold.
    drop(second);
    let shared = taken(&path, Hold::Shared);
    assert!(LockFile::held_exclusively(&path).is_none());
    drop(shared);
}

#[cfg(target_os = "linux")]
#[test]
fn issue_a_note_whose_writer_is_gone_is_not_read() {
    // A removal killed as it held the turn left its note in the file; the next holder opened
    // the file to read (another user's, `0644`) and could not write its own. Those it kept out
    // named the killed process ("removing it, as it holds no experiment (pid 999999)").
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.open-turn");
    // Past the highest process id this system gives: no process has it.
    let pid_max: u32 = fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let gone = pid_max + 1;
    fs::write(
        &path,
        format!("{gone} removing it if it holds no experiment (pid {gone})"),
    )
    .unwrap();
    // Held with no note of its own, as a holder that cannot write it holds it.
    let held = taken(&path, Hold::Exclusive);
    let note = |path: &Path| LockFile::held_exclusively(path).map(|held| held.note);
    assert_eq!(note(&path), Some(None));
    // Nor is a note that begins with no process id (an earlier sweep's).
    fs::write(&path, "removing it, as it holds no experiment (pid 999999)").unwrap();
    assert_eq!(note(&path), Some(None));
    // A running writer's is read: this process's, as it writes it.
    held.write_note("compacting it: `sweep compact`");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{} compacting it: `sweep compact`", std::process::id())
    );
    assert_eq!(
        note(&path),
        Some(Some("compacting it: `sweep compact`".to_string()))
    );
    drop(held);
}
