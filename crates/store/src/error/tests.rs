//! Unit tests of the store's errors: the record-version messages, telling an unreadable record
//! from other errors, and sled's errors as the store's.

use super::*;
use crate::records::VERSIONS_READ;

#[test]
fn a_newer_record_says_which_versions_this_sweep_reads_and_which_sweep_wrote_it() {
    let said = |what, experiment: Option<&str>, version| {
        Error::RecordVersion {
            what,
            experiment: experiment.map(str::to_string),
            version,
        }
        .to_string()
    };
    assert_eq!(
        said("run record", Some("digits"), 7),
        "run record of experiment `digits` has version 7, but this sweep reads versions 1 to 6: a newer sweep \
         wrote it; read it with that sweep or a later one"
    );
    assert_eq!(
        said("test result", None, 2),
        "test result has version 2, but this sweep reads version 1: a newer sweep wrote \
         it; read it with that sweep or a later one"
    );
    assert_eq!(
        said("trial record", None, 3),
        "trial record has version 3, but this sweep reads versions 1 and 2: a newer sweep \
         wrote it; read it with that sweep or a later one"
    );
    assert_eq!(
        said("run record", None, 0),
        "run record has version 0, which no sweep writes (this sweep reads versions 1 to 6)"
    );
}

#[test]
fn a_record_that_does_not_read_is_told_from_other_errors_by_its_kind() {
    use crate::{RUN_RECORD, TEST_RESULT};
    let newer = Error::RecordVersion {
        what: TEST_RESULT,
        experiment: None,
        version: 2,
    };
    let damaged = Error::corrupt(TEST_RESULT, "expected value at line 1 column 1");
    assert_eq!(
        newer.unreadable_record(TEST_RESULT),
        Some(UnreadableRecord::Version)
    );
    assert_eq!(
        damaged.unreadable_record(TEST_RESULT),
        Some(UnreadableRecord::Damaged)
    );
    // Another kind's record, and the store's own failures, are not this record not reading.
    assert_eq!(newer.unreadable_record(RUN_RECORD), None);
    assert_eq!(damaged.unreadable_record(RUN_RECORD), None);
    let database = Error::corrupt(DATABASE_FILE, "sled detected corruption");
    assert_eq!(database.unreadable_record(TEST_RESULT), None);
    let io = Error::Io(io::Error::other("disk full"));
    assert_eq!(io.unreadable_record(TEST_RESULT), None);
}

#[test]
fn the_versions_read_are_those_the_decoders_read() {
    use crate::records;
    type Decode = fn(&[u8]) -> Result<()>;
    let decoders: [(&str, Decode); 5] = [
        ("experiment record", |b| {
            records::decode_experiment(b).map(drop)
        }),
        ("trial record", |b| records::decode_trial(b).map(drop)),
        ("run record", |b| records::decode_run_record(b).map(drop)),
        ("test result", |b| records::decode_test_result(b).map(drop)),
        ("warm start", |b| records::decode_warm_start(b).map(drop)),
    ];
    for ((kind, newest), (what, decode)) in VERSIONS_READ.iter().zip(decoders) {
        assert_eq!(*kind, what);
        let version = |v: u32| decode(format!(r#"{{"v":{v}}}"#).as_bytes());
        // The newest version is read (and found to lack its fields); the next is refused.
        for v in 1..=*newest {
            assert!(
                matches!(version(v), Err(Error::Corrupt { .. })),
                "{kind} {v}"
            );
        }
        assert!(
            matches!(
                version(newest + 1),
                Err(Error::RecordVersion { what: w, version: v, .. }) if w == what && v == newest + 1
            ),
            "{kind} {}",
            newest + 1
        );
    }
}

#[test]
fn an_io_error_sled_cloned_reads_as_the_original() {
    let full = sled::Error::Io(io::Error::from_raw_os_error(28));
    let shown = storage(full.clone()).to_string();
    assert_eq!(
        shown,
        format!("store i/o failed: {}", io::Error::from_raw_os_error(28))
    );
    assert!(!shown.contains("Os {"), "{shown}");
    let custom = sled::Error::Io(io::Error::other("the \"db\" file is gone"));
    assert_eq!(
        storage(custom.clone()).to_string(),
        "store i/o failed: the \"db\" file is gone"
    );
    // Text that merely starts alike is left as it is.
    let plain = sled::Error::Io(io::Error::other("Os { code: x"));
    assert_eq!(storage(plain).to_string(), "store i/o failed: Os { code: x");
}

#[test]
fn issue_a_flush_out_of_file_descriptors_says_so_not_that_the_folder_must_be_writable() {
    // `ulimit -n 20`: writing the flush count failed with `EMFILE`, and the message went on
    // "(its folder must stay writable ...)", which it was.
    let flush = |error: io::Error| {
        Error::Flush {
            path: PathBuf::from("st"),
            file: PathBuf::from("st/flushed.part"),
            error,
        }
        .to_string()
    };
    let emfile = flush(io::Error::from_raw_os_error(24));
    assert!(
        emfile.ends_with(
            "what was already written to it is kept (too many open files: raise `ulimit -n`)"
        ),
        "{emfile}"
    );
    assert!(!emfile.contains("writable"), "{emfile}");
    // A refusal to write keeps the folder's advice.
    let refused = flush(io::Error::from(io::ErrorKind::PermissionDenied));
    assert!(
        refused.ends_with("(its folder must stay writable while a command writes the store)"),
        "{refused}"
    );
}
