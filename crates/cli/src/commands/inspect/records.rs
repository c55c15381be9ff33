//! The records `sweep show` reads beside an experiment's trials (its run record, test result
//! and warm start): one that does not read with this version is said on standard error with
//! what that leaves out, and the page goes on without it.

use store::UnreadableRecord;

use crate::output;

/// What `sweep show EXPERIMENT` leaves out without a run record that does not read
/// (`readable_record`).
pub(super) const LEFT_OUT_WITHOUT_RECORD: &str =
    "its record (the Sweep, engine and device it ran with, its git commit, and whether the \
     sampler's and pruner's settings changed since) is not shown below";

/// Returns experiment `name`'s record of kind `what` (`RUN_RECORD`, `TEST_RESULT`,
/// `WARM_START`) as `read` from the store (`None` for an experiment without one), or, where it
/// does not read (its record version is not one this Sweep reads, as where a newer Sweep wrote
/// it, or its bytes do not decode), the store's error, said on standard error after the
/// experiment's name with what that leaves out of what the command writes, `left_out`, as
/// `stored_spec` says a spec that does not read: the command goes on without it. The store's
/// error says which record and why: the version found and the versions this one reads, and
/// where the version is past them that a newer Sweep wrote it (not which Sweep), or what in the
/// bytes does not decode. With `details` (`--record`, which asks for the run record itself)
/// that error stops the command; any other error, a record of another kind's included, does.
pub(super) fn readable_record<T>(
    what: &'static str,
    name: &str,
    read: store::Result<Option<T>>,
    left_out: &str,
    details: bool,
) -> anyhow::Result<Result<Option<T>, String>> {
    match read {
        Ok(record) => Ok(Ok(record)),
        Err(e) => match unreadable_note(what, name, &e, left_out) {
            Some(note) if !details => {
                say!("{note}");
                Ok(Err(e.to_string()))
            }
            _ => Err(e.into()),
        },
    }
}

/// The note `readable_record` writes where `error` is experiment `name`'s record of kind `what`
/// not reading: one a newer Sweep wrote does not read with this version, damaged bytes read
/// with none. `None` for any other error.
fn unreadable_note(what: &str, name: &str, error: &store::Error, left_out: &str) -> Option<String> {
    let why = match error.unreadable_record(what)? {
        UnreadableRecord::Version => "does not read with this version of Sweep",
        UnreadableRecord::Damaged => "is damaged (its stored bytes do not decode)",
    };
    Some(format!(
        "note: `{}`'s {what} {why}, so {left_out}: {}",
        output::visible(name),
        output::visible(&error.to_string())
    ))
}

#[cfg(test)]
mod tests {
    use store::{TestResult, RUN_RECORD, TEST_RESULT, WARM_START};

    use super::*;

    /// `readable_record` for a run record, as `sweep show EXPERIMENT` reads it.
    fn readable_run_record(
        read: store::Result<Option<store::RunRecord>>,
        details: bool,
    ) -> anyhow::Result<Result<Option<store::RunRecord>, String>> {
        readable_record(RUN_RECORD, "digits", read, LEFT_OUT_WITHOUT_RECORD, details)
    }

    #[test]
    fn a_run_record_of_a_newer_sweep_is_left_out_of_show_unless_asked_for() {
        let newer = || store::Error::RecordVersion {
            what: "run record",
            experiment: Some("digits".into()),
            version: 99,
        };
        let message = "run record of experiment `digits` has version 99, but this sweep reads \
                       versions 1 to 6: a newer sweep wrote it; read it with that sweep or a \
                       later one";
        let left_out = readable_run_record(Err(newer()), false).map_err(|e| e.to_string());
        assert_eq!(left_out, Ok(Err(message.to_string())));
        let damaged = store::Error::Corrupt {
            what: "run record",
            detail: "expected value at line 1 column 1".into(),
        };
        assert!(matches!(
            readable_run_record(Err(damaged), false),
            Ok(Err(_))
        ));
        // `--record` asks for the record itself: the store's error stops the command.
        let asked = readable_run_record(Err(newer()), true).map(|_| ());
        assert_eq!(asked.map_err(|e| e.to_string()), Err(message.to_string()));
        // The store's own failures, and another record's, stop it as before.
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(readable_run_record(Err(database), false).is_err());
        let test = store::Error::RecordVersion {
            what: "test result",
            experiment: None,
            version: 2,
        };
        assert!(readable_run_record(Err(test), false).is_err());
        assert!(matches!(readable_run_record(Ok(None), false), Ok(Ok(None))));
    }

    /// A record of kind `what` that a newer Sweep wrote, and one whose bytes do not decode.
    fn unreadable(what: &'static str) -> [store::Error; 2] {
        [
            store::Error::RecordVersion {
                what,
                experiment: Some("digits".into()),
                version: 99,
            },
            store::Error::Corrupt {
                what,
                detail: "expected value at line 1 column 1".into(),
            },
        ]
    }

    #[test]
    fn a_test_result_or_warm_start_that_does_not_read_is_left_out_of_show() {
        let test_result = |e: store::Error| {
            readable_record::<TestResult>(TEST_RESULT, "digits", Err(e), "x", false)
        };
        let warm_start = |e: store::Error| {
            readable_record::<experiment::WarmStarted>(WARM_START, "digits", Err(e), "x", false)
        };
        for e in unreadable(TEST_RESULT) {
            let message = e.to_string();
            let read = test_result(e);
            assert_eq!(read.map_err(|e| e.to_string()), Ok(Err(message)));
        }
        for e in unreadable(WARM_START) {
            let message = e.to_string();
            let read = warm_start(e);
            assert_eq!(read.map_err(|e| e.to_string()), Ok(Err(message)));
        }
        // Another kind's record, or the store's own failure, still stops the command.
        for e in unreadable(RUN_RECORD) {
            assert!(test_result(e).is_err());
        }
        for e in unreadable(TEST_RESULT) {
            assert!(warm_start(e).is_err());
        }
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(test_result(database).is_err());
    }

    #[test]
    fn a_damaged_record_is_not_said_to_be_of_another_version() {
        let [newer, damaged] = unreadable(TEST_RESULT);
        let note = |e: &store::Error| unreadable_note(TEST_RESULT, "digits", e, "it is not shown");
        let newer = note(&newer).unwrap_or_default();
        assert!(
            newer.starts_with(
                "note: `digits`'s test result does not read with this version of Sweep, so it \
                 is not shown: test result of experiment `digits` has version 99"
            ),
            "{newer}"
        );
        let damaged = note(&damaged).unwrap_or_default();
        assert_eq!(
            damaged,
            "note: `digits`'s test result is damaged (its stored bytes do not decode), so it is \
             not shown: corrupt test result in store: expected value at line 1 column 1"
        );
        assert!(!damaged.contains("version"), "{damaged}");
    }
}
