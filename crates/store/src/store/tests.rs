//! Unit tests of `Store`: round trips, ordering, isolation, persistence, and the format and lock
//! errors.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use experiment::{
    Direction, MetricPoint, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult,
    TrialState,
};

use super::*;
use crate::keys;
use crate::records;
use crate::{Creation, DamagedPart, ExperimentInfo, ExperimentStatus, RunRecord};

pub(crate) fn info(name: &str, created: i64) -> ExperimentInfo {
    ExperimentInfo {
        name: name.into(),
        description: format!("{name} test"),
        spec_yaml: format!("name: {name}\n"),
        spec_hash: "0f".repeat(32),
        spec_path: format!("experiments/{name}.yaml"),
        objective: "val_loss".into(),
        goal: Direction::Minimize,
        seed: Seed(7),
        run_cap: 10,
        status: ExperimentStatus::Running,
        created: Timestamp(created),
        finished: None,
    }
}

pub(crate) fn trial(id: u32, state: TrialState) -> Trial {
    Trial {
        id: TrialId(id),
        seed: Seed(u64::from(id) * 31),
        params: Params::from([
            ("batch".to_owned(), ParamValue::Int(64)),
            ("lr".to_owned(), ParamValue::Float(0.1 + f64::from(id))),
            ("opt".to_owned(), ParamValue::Str("sgd".into())),
            (
                "nesterov".to_owned(),
                ParamValue::Bool(id.is_multiple_of(2)),
            ),
        ]),
        state,
        reason: state.is_finished().then(|| format!("{state} for a reason")),
        started: Some(Timestamp(1_000)),
        finished: state.is_finished().then_some(Timestamp(2_000)),
        result: state.is_finished().then(|| TrialResult {
            best_step: Step(3),
            metrics: BTreeMap::from([("val_loss".to_owned(), 0.25), ("nan".to_owned(), f64::NAN)]),
        }),
    }
}

pub(crate) fn point(name: &str, value: f64) -> MetricPoint {
    MetricPoint {
        name: name.into(),
        value,
    }
}

/// Returns a series with values as bits, so NaN compares equal to itself.
fn series(store: &Store, e: &str, t: u32, metric: &str) -> Vec<(u32, u64)> {
    let s = store.metric_series(e, TrialId(t), metric).unwrap();
    s.into_iter()
        .map(|(step, v)| (step.0, v.to_bits()))
        .collect()
}

/// Returns the names of the stored experiments, in the order `experiments` lists them.
pub(super) fn names(store: &Store) -> Vec<String> {
    store
        .experiments()
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect()
}

/// Compares through `Debug`, which prints floats exactly and NaN as `NaN`, so NaN == NaN.
pub(super) fn assert_same<T: fmt::Debug>(a: &T, b: &T) {
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

pub(super) fn run_record() -> RunRecord {
    RunRecord {
        resolved_spec: "name: a\n".into(),
        resolved_spec_hash: "01".repeat(32),
        spec_file: "/x/a.yaml".into(),
        data_file: "/x/d.csv".into(),
        data_hash: "02".repeat(32),
        git: Some(crate::GitState {
            commit: "c".repeat(40),
            dirty: false,
            diff: String::new(),
        }),
        no_commit: None,
        sweep_version: "0.0.0".into(),
        engine: "dfdx 0.13.0".into(),
        device: "cpu".into(),
        os: "linux x86_64".into(),
        cpu: "test cpu, 2 cores".into(),
        parallel: Some(2),
        agent: None,
        exchange: None,
    }
}

#[test]
fn experiments_are_created_once_and_listed_by_creation() {
    let store = Store::temporary().unwrap();
    assert_eq!(store.path(), None);
    for (name, created) in [("b", 5), ("a", 5), ("c", 1)] {
        store.create_experiment(&info(name, created)).unwrap();
    }
    assert_eq!(names(&store), ["c", "a", "b"]);

    let err = store.create_experiment(&info("a", 9)).unwrap_err();
    assert_eq!(err.to_string(), r#"experiment "a" already exists"#);
    assert_eq!(store.experiment("a").unwrap(), Some(info("a", 5)));
    assert_eq!(store.experiment("nope").unwrap(), None);

    let finished = ExperimentInfo {
        status: ExperimentStatus::Finished,
        finished: Some(Timestamp(99)),
        goal: Direction::Maximize,
        ..info("a", 5)
    };
    store.update_experiment(&finished).unwrap();
    assert_eq!(store.experiment("a").unwrap(), Some(finished));
    let err = store.update_experiment(&info("nope", 1)).unwrap_err();
    assert_eq!(err.to_string(), r#"no experiment named "nope""#);
}

#[test]
fn trials_round_trip_in_id_order() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("e", 0)).unwrap();
    let states = [
        TrialState::Queued,
        TrialState::Running,
        TrialState::Completed,
        TrialState::Pruned,
        TrialState::Failed,
    ];
    let ids = [256, 1, 0, 255, 65_536];
    for (id, state) in ids.into_iter().zip(states) {
        store.put_trial("e", &trial(id, state)).unwrap();
    }
    let stored = store.trials("e").unwrap();
    let stored_ids: Vec<u32> = stored.iter().map(|t| t.id.0).collect();
    assert_eq!(stored_ids, [0, 1, 255, 256, 65_536]);
    for (id, state) in ids.into_iter().zip(states) {
        let t = store.trial("e", TrialId(id)).unwrap().unwrap();
        assert_same(&t, &trial(id, state));
    }
    let done = trial(1, TrialState::Completed);
    store.put_trial("e", &done).unwrap();
    assert_same(&store.trial("e", TrialId(1)).unwrap(), &Some(done));
    assert_eq!(store.trial("e", TrialId(2)).unwrap(), None);
    assert!(matches!(
        store.trials("f"),
        Err(Error::UnknownExperiment { .. })
    ));
    assert!(matches!(
        store.put_trial("f", &trial(0, TrialState::Queued)),
        Err(Error::UnknownExperiment { .. })
    ));
}

#[test]
fn metric_series_come_back_in_step_order() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("e", 0)).unwrap();
    for step in [10, 2, 256, 1, 255] {
        let value = match step {
            2 => f64::NAN,
            255 => f64::NEG_INFINITY,
            _ => f64::from(step) / 10.0,
        };
        store
            .append_metrics("e", TrialId(0), Step(step), &[point("loss", value)])
            .unwrap();
    }
    assert_eq!(
        series(&store, "e", 0, "loss"),
        [
            (1, 0.1f64.to_bits()),
            (2, f64::NAN.to_bits()),
            (10, 1.0f64.to_bits()),
            (255, f64::NEG_INFINITY.to_bits()),
            (256, 25.6f64.to_bits()),
        ]
    );
    // Rewriting a step replaces its value; repeated names in one batch: the last wins.
    store
        .append_metrics(
            "e",
            TrialId(0),
            Step(2),
            &[point("loss", 7.0), point("loss", 8.0)],
        )
        .unwrap();
    assert_eq!(series(&store, "e", 0, "loss")[1], (2, 8.0f64.to_bits()));
}

#[test]
fn metrics_are_isolated_by_name_trial_and_experiment() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("e", 0)).unwrap();
    store.create_experiment(&info("e2", 0)).unwrap();
    let names = ["loss", "loss2", "los", "", "a\0b", "\u{e9}"];
    for (i, name) in (0u32..).zip(names) {
        for (e, t) in [("e", 1), ("e", 256), ("e2", 1)] {
            let value = f64::from(i) + f64::from(t) + if e == "e2" { 0.5 } else { 0.0 };
            store
                .append_metrics(e, TrialId(t), Step(i), &[point(name, value)])
                .unwrap();
        }
    }
    for (i, name) in (0u32..).zip(names) {
        for (e, t, extra) in [("e", 1, 0.0), ("e", 256, 0.0), ("e2", 1, 0.5)] {
            let expected = f64::from(i) + f64::from(t) + extra;
            assert_eq!(
                series(&store, e, t, name),
                [(i, expected.to_bits())],
                "{e} {t} {name:?}"
            );
        }
    }
    let mut sorted: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    sorted.sort();
    assert_eq!(store.metric_names("e", TrialId(256)).unwrap(), sorted);
    assert_eq!(
        store.all_metric_series("e2", TrialId(1)).unwrap().len(),
        names.len()
    );
    assert!(store.metric_names("e", TrialId(2)).unwrap().is_empty());

    store.clear_metrics("e", TrialId(1)).unwrap();
    assert!(store.metric_names("e", TrialId(1)).unwrap().is_empty());
    assert!(store.all_metric_series("e", TrialId(1)).unwrap().is_empty());
    assert_eq!(
        store.metric_names("e", TrialId(256)).unwrap().len(),
        names.len()
    );
    assert_eq!(
        store.metric_names("e2", TrialId(1)).unwrap().len(),
        names.len()
    );
}

#[test]
fn a_too_long_metric_name_writes_nothing() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("e", 0)).unwrap();
    let long = "x".repeat(70_000);
    let points = [point("ok", 1.0), point(&long, 2.0)];
    let err = store
        .append_metrics("e", TrialId(0), Step(1), &points)
        .unwrap_err();
    assert!(matches!(err, Error::MetricNameTooLong { len: 70_000, .. }));
    assert!(store.metric_names("e", TrialId(0)).unwrap().is_empty());
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.path(), Some(path.as_path()));
        store.create_experiment(&info("e", 3)).unwrap();
        store.put_trial("e", &trial(4, TrialState::Pruned)).unwrap();
        store
            .append_metrics("e", TrialId(4), Step(1), &[point("loss", f64::NAN)])
            .unwrap();
        store.flush().unwrap();
    }
    wait_released(&path);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.experiments().unwrap(), [info("e", 3)]);
    assert_same(
        &store.trials("e").unwrap(),
        &vec![trial(4, TrialState::Pruned)],
    );
    assert_eq!(series(&store, "e", 4, "loss"), [(1, f64::NAN.to_bits())]);
    // The id counter survives too: a new experiment does not reuse `e`'s id.
    store.create_experiment(&info("f", 4)).unwrap();
    store.put_trial("f", &trial(4, TrialState::Queued)).unwrap();
    assert_eq!(
        store.trial("e", TrialId(4)).unwrap().unwrap().state,
        TrialState::Pruned
    );
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
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("e", 3)).unwrap();
        store.flush().unwrap();
    }
    // As a full disk leaves it: the snapshot's file made, nothing written to it.
    wait_released(dir.path());
    std::fs::write(dir.path().join("snap.00000000000FFFFF.generating"), b"").unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(store.experiment("e").unwrap().is_some());
}

#[test]
fn a_damaged_settings_file_is_named_and_the_way_it_gives_opens_the_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("e", 3)).unwrap();
        store.flush().unwrap();
    }
    wait_released(dir.path());
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
    let dir = tempfile::tempdir().unwrap();
    let mark = dir.path().join(flushed::FLUSHED);
    {
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("e", 3)).unwrap();
        store.flush().unwrap();
    }
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
fn corrupt_bytes_are_errors_not_panics() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("e", 0)).unwrap();
    let exp = store.experiment_id("e").unwrap();
    store
        .trials
        .insert(keys::trial_key(exp, TrialId(1)), &b"{not json"[..])
        .unwrap();
    assert!(matches!(
        store.trial("e", TrialId(1)),
        Err(Error::Corrupt { .. })
    ));
    assert!(matches!(store.trials("e"), Err(Error::Corrupt { .. })));
    // A valid record under another trial's key.
    let moved = records::encode_trial(&trial(2, TrialState::Queued));
    store
        .trials
        .insert(keys::trial_key(exp, TrialId(1)), moved)
        .unwrap();
    let err = store.trial("e", TrialId(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "corrupt trial record in store: record of trial 2 is stored under trial 1"
    );

    let key = keys::metric_key(exp, TrialId(0), "loss", Step(1)).unwrap();
    store.metrics.insert(&key, &[1u8, 2, 3][..]).unwrap();
    assert!(matches!(
        store.metric_series("e", TrialId(0), "loss"),
        Err(Error::Corrupt { .. })
    ));
    let mut bad_key = keys::trial_key(exp, TrialId(5)).to_vec();
    bad_key.extend_from_slice(&[0, 9, b'x']);
    store
        .metrics
        .insert(bad_key, &keys::encode_value(1.0))
        .unwrap();
    assert!(matches!(
        store.metric_names("e", TrialId(5)),
        Err(Error::Corrupt { .. })
    ));
    store.clear_metrics("e", TrialId(5)).unwrap();
    assert!(store.metric_names("e", TrialId(5)).unwrap().is_empty());

    store
        .experiments
        .insert(exp.to_bytes(), &b"[]"[..])
        .unwrap();
    assert!(matches!(store.experiment("e"), Err(Error::Corrupt { .. })));
    assert!(matches!(store.experiments(), Err(Error::Corrupt { .. })));
    store.experiment_ids.insert("e", &[1u8][..]).unwrap();
    assert!(matches!(store.trials("e"), Err(Error::Corrupt { .. })));
}

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
        .args(["--exact", "store::tests::a_second_process_is_locked_out"])
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
fn debug_does_not_dump_the_database() {
    let store = Store::temporary().unwrap();
    assert_eq!(format!("{store:?}"), "Store { path: None, .. }");
}

#[test]
fn run_records_are_kept_per_experiment_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let record = run_record();
    {
        let store = Store::open(dir.path()).unwrap();
        store.create_experiment(&info("a", 1)).unwrap();
        store.create_experiment(&info("b", 2)).unwrap();
        assert_eq!(store.run_record("a").unwrap(), None);
        store.put_run_record("a", &record).unwrap();
        let err = store.put_run_record("zz", &record).unwrap_err();
        assert!(matches!(err, Error::UnknownExperiment { .. }), "{err}");
        store.flush().unwrap();
    }
    wait_released(dir.path());
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.run_record("a").unwrap(), Some(record));
    // An experiment without a record, as every experiment stored before records existed.
    assert_eq!(store.run_record("b").unwrap(), None);
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

#[test]
fn an_experiment_is_created_with_its_warm_start_and_run_record_or_not_at_all() {
    let store = Store::temporary().unwrap();
    let warm = experiment::WarmStarted {
        source: "before".into(),
        trials: vec![trial(0, TrialState::Completed)],
        left_out: Vec::new(),
    };
    let record = run_record();
    let with = Creation {
        warm_start: Some(&warm),
        run_record: Some(&record),
    };
    store.create_experiment_with(&info("e", 1), with).unwrap();
    // Compared as printed: the trial's metrics hold a NaN.
    assert_eq!(
        format!("{:?}", store.warm_start("e").unwrap()),
        format!("{:?}", Some(&warm))
    );
    assert_eq!(store.run_record("e").unwrap(), Some(record.clone()));
    // A name taken: refused, and nothing of what came with it is written.
    store.create_experiment(&info("f", 2)).unwrap();
    let err = store
        .create_experiment_with(&info("f", 3), with)
        .unwrap_err();
    assert!(matches!(err, Error::ExperimentExists { .. }), "{err}");
    assert_eq!(store.warm_start("f").unwrap(), None);
    assert_eq!(store.run_record("f").unwrap(), None);
    assert_eq!(
        store.experiment("f").unwrap().unwrap().created,
        Timestamp(2)
    );
}

#[test]
fn issue_a_record_of_a_newer_sweep_names_its_experiment() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("digits", 0)).unwrap();
    store
        .put_one(&store.run_records, "digits", br#"{"v":99}"#.to_vec())
        .unwrap();
    let error = store.run_record("digits").unwrap_err().to_string();
    assert!(
        error.starts_with("run record of experiment `digits` has version 99, but this sweep reads"),
        "{error}"
    );
}
