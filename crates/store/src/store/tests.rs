//! Unit tests of `Store`: round trips, ordering, isolation, persistence and stored bytes that do
//! not decode, and the fixtures the crate's other tests share (`info`, `trial`, `point`, ...).
//! A store refused on opening is tested in `refusals`, a store held by another in `holding`.

mod holding;
mod refusals;

use std::collections::BTreeMap;

use experiment::{
    Direction, MetricPoint, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult,
    TrialState,
};

use super::*;
use crate::keys;
use crate::records;
use crate::{Creation, ExperimentInfo, ExperimentStatus, RunRecord};

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
        planned: None,
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

/// Returns each metric's value at `step` as the whole history gives it (`all_metric_series`),
/// as bits, so NaN compares equal to itself.
fn at_from_history(store: &Store, e: &str, t: u32, step: u32) -> BTreeMap<String, u64> {
    let all = store.all_metric_series(e, TrialId(t)).unwrap();
    all.into_iter()
        .filter_map(|(name, points)| {
            let (_, v) = points.into_iter().find(|(s, _)| s.0 == step)?;
            Some((name, v.to_bits()))
        })
        .collect()
}

/// A trial and the steps each of its metrics is reported at.
type Layout = (u32, &'static [(&'static str, &'static [u32])]);

#[test]
fn issue_metrics_at_a_step_read_from_the_end_agree_with_the_whole_history() {
    let store = Store::temporary().unwrap();
    store.create_experiment(&info("e", 0)).unwrap();
    store.create_experiment(&info("e2", 0)).unwrap();
    let layouts: &[Layout] = &[
        // Several metrics, every one reported at every epoch.
        (1, &[("val_loss", &[1, 2, 3]), ("val_accuracy", &[1, 2, 3])]),
        // Gaps: a metric reported once, one every other epoch, one that went on past another,
        // names that are prefixes of each other, and steps either side of a byte.
        (
            2,
            &[
                ("param_count", &[1]),
                ("loss", &[2, 4, 256]),
                ("loss2", &[1, 2, 3, 4, 255]),
                ("los", &[3]),
                ("", &[4]),
                ("a\0b", &[0, 4, u32::MAX]),
            ],
        ),
        // One point.
        (255, &[("val_loss", &[1])]),
        // None (trial 256 of e has no metrics; trial 0 is read in e2 below).
        (u32::MAX, &[("val_loss", &[7, 8])]),
    ];
    for &(t, metrics) in layouts {
        for &(name, steps) in metrics {
            for &step in steps {
                let value = f64::from(step)
                    + f64::from(t % 7) / 10.0
                    + name.bytes().map(f64::from).sum::<f64>();
                let value = if step == 3 { f64::NAN } else { value };
                store
                    .append_metrics("e", TrialId(t), Step(step), &[point(name, value)])
                    .unwrap();
            }
        }
        // The neighbouring experiment's trial of the same number must not leak in.
        store
            .append_metrics("e2", TrialId(t), Step(4), &[point("zzz", 1.0)])
            .unwrap();
    }
    let trials = [0, 1, 2, 255, 256, u32::MAX];
    let steps = [0, 1, 2, 3, 4, 5, 8, 255, 256, u32::MAX];
    for t in trials {
        for step in steps {
            let got: BTreeMap<String, u64> = store
                .metrics_at("e", TrialId(t), Step(step))
                .unwrap()
                .into_iter()
                .map(|(name, v)| (name, v.to_bits()))
                .collect();
            assert_eq!(got, at_from_history(&store, "e", t, step), "{t} at {step}");
        }
    }
    // Spot checks that the comparison is not of two empty maps.
    let at4 = store.metrics_at("e", TrialId(2), Step(4)).unwrap();
    let names: Vec<&str> = at4.keys().map(String::as_str).collect();
    assert_eq!(names, ["", "a\0b", "loss", "loss2"]);
    assert!(store
        .metrics_at("e", TrialId(256), Step(1))
        .unwrap()
        .is_empty());
    assert!(store
        .metrics_at("e2", TrialId(0), Step(4))
        .unwrap()
        .is_empty());
    assert!(store.metrics_at("nope", TrialId(1), Step(1)).is_err());
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
