//! The records of an experiment that may not read with this version (its run record, test
//! result and warm start, and its stored spec): each is left out with why, rather than fail
//! every page that reads it.

use std::collections::BTreeMap;

use experiment::ExperimentSpec;
use store::ExperimentInfo;

use crate::Result;

/// Returns the record of kind `what` (`RUN_RECORD`, `TEST_RESULT`, `WARM_START`) of experiment
/// `name` as `read` from the store, or, where it does not read with this version (a newer Sweep
/// wrote it, in a record version this one does not know, or its bytes do not decode), why
/// (logged): the experiment is shown without it, rather than fail every page that reads it, and
/// `sweep serve` with it. Any other error, a record of another kind's included, is the store's.
fn readable_record<T>(
    what: &'static str,
    name: &str,
    read: store::Result<Option<T>>,
) -> Result<std::result::Result<Option<T>, String>> {
    match read {
        Ok(record) => Ok(Ok(record)),
        Err(e) if e.unreadable_record(what).is_some() => {
            tracing::debug!(experiment = %name, record = what, error = %e, "record does not read; left out");
            Ok(Err(e.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Returns the record of kind `what` of experiment `name` as `read` from the store, or `None`
/// where it does not read (`readable_record`), with why kept in `unreadable` under its kind
/// (`left_out`); any other error is the store's. The one way this module reads a record that
/// may not read.
pub(super) fn read_record<T>(
    unreadable: &mut BTreeMap<&'static str, String>,
    what: &'static str,
    name: &str,
    read: store::Result<Option<T>>,
) -> Result<Option<T>> {
    Ok(left_out(
        unreadable,
        what,
        readable_record(what, name, read)?,
    ))
}

/// Returns the record `read` by `readable_record`, or `None` where it does not read, with why
/// kept in `unreadable` under its kind, `what`.
fn left_out<T>(
    unreadable: &mut BTreeMap<&'static str, String>,
    what: &'static str,
    read: std::result::Result<Option<T>, String>,
) -> Option<T> {
    read.unwrap_or_else(|problem| {
        unreadable.insert(what, problem);
        None
    })
}

/// Returns the spec parsed from the stored YAML, or why it does not read with this version
/// (logged): a spec stored by an older version, with a field since removed, say.
pub(crate) fn read_spec(info: &ExperimentInfo) -> std::result::Result<ExperimentSpec, String> {
    info.spec().map_err(|e| {
        tracing::debug!(experiment = %info.name, error = %e, "stored spec does not parse; axes are inferred");
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{RUN_RECORD, TEST_RESULT, WARM_START};
    use experiment::WarmStarted;
    use store::{RunRecord, TestResult};

    #[test]
    fn a_run_record_that_does_not_read_is_left_out_with_why_and_other_errors_are_the_stores() {
        let newer = store::Error::RecordVersion {
            what: "run record",
            experiment: None,
            version: 99,
        };
        // The store's own words (which versions it reads moves with the store).
        let said = newer.to_string();
        assert!(
            said.starts_with("run record has version 99, but this sweep reads versions 1 to "),
            "{said}"
        );
        let left_out =
            readable_record::<RunRecord>(RUN_RECORD, "x", Err(newer)).map_err(|e| e.to_string());
        assert_eq!(left_out, Ok(Err(said)));
        let damaged = store::Error::Corrupt {
            what: "run record",
            detail: "expected value at line 1 column 1".into(),
        };
        assert!(matches!(
            readable_record::<RunRecord>(RUN_RECORD, "x", Err(damaged)),
            Ok(Err(_))
        ));
        // The store's own failures still fail the page.
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(readable_record::<RunRecord>(RUN_RECORD, "x", Err(database)).is_err());
        assert!(matches!(
            readable_record::<RunRecord>(RUN_RECORD, "x", Ok(None)),
            Ok(Ok(None))
        ));
    }

    #[test]
    fn a_test_result_or_warm_start_that_does_not_read_is_left_out_and_another_kinds_is_not() {
        let newer = |what: &'static str| store::Error::RecordVersion {
            what,
            experiment: Some("digits".into()),
            version: 2,
        };
        let test = readable_record::<TestResult>(TEST_RESULT, "digits", Err(newer(TEST_RESULT)));
        assert_eq!(
            test.map_err(|e| e.to_string()),
            Ok(Err(
                "test result of experiment `digits` has version 2, but this sweep reads \
                 version 1: a newer sweep wrote it; read it with that sweep or a later one"
                    .to_string()
            ))
        );
        let damaged = store::Error::Corrupt {
            what: WARM_START,
            detail: "expected value at line 1 column 1".into(),
        };
        let warm = readable_record::<WarmStarted>(WARM_START, "digits", Err(damaged));
        assert!(matches!(warm, Ok(Err(_))));
        // A record of another kind is not the one asked for: the store's error, as before.
        let trial = store::Error::RecordVersion {
            what: "trial record",
            experiment: None,
            version: 9,
        };
        assert!(readable_record::<TestResult>(TEST_RESULT, "digits", Err(trial)).is_err());
        assert!(
            readable_record::<TestResult>(TEST_RESULT, "digits", Err(newer(RUN_RECORD))).is_err()
        );
    }

    #[test]
    fn what_does_not_read_is_kept_by_kind_and_the_rest_is_read() {
        let mut unreadable = BTreeMap::new();
        assert_eq!(left_out(&mut unreadable, TEST_RESULT, Ok(Some(3))), Some(3));
        assert_eq!(
            left_out::<u32>(&mut unreadable, WARM_START, Err("newer".into())),
            None
        );
        assert_eq!(
            unreadable,
            BTreeMap::from([(WARM_START, "newer".to_string())])
        );
    }
}
