//! Unit tests of opening a store that act between the steps of an open (`on_open`): a store
//! moved aside while it was being opened.

use super::*;
use crate::store::tests::info;

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
