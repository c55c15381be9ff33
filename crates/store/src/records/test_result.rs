//! The stored form of a `TestResult`: the best trial's metrics on the held-out test split, one
//! record per experiment, versioned like the others.
//!
//! Like run records, test results sit in a tree of their own: older readers ignore it, stores
//! from before it open as they are, and neither the trial record nor `FORMAT_VERSION` changes.
//! Keeping them out of the trial's metric series is the point: nothing that ranks trials reads
//! this tree.

use std::collections::BTreeMap;

use experiment::TrialId;
use serde::{Deserialize, Serialize};

use super::{from_json, metrics_of, metrics_v1, probe, to_json, FloatV1, TEST_RESULT};
use crate::{Error, Result, TestResult};

/// A test result as written by record version 1.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestResultRecordV1 {
    v: u32,
    trial: u32,
    metrics: BTreeMap<String, FloatV1>,
}

/// The newest test result version this build reads (and `decode_test_result` matches on).
pub(super) const NEWEST: u32 = 1;

/// Returns the stored bytes of a test result.
pub(crate) fn encode_test_result(t: &TestResult) -> Vec<u8> {
    to_json(&TestResultRecordV1 {
        v: 1,
        trial: t.trial.0,
        metrics: metrics_v1(&t.metrics),
    })
}

/// Decodes a test result of any known version.
pub(crate) fn decode_test_result(bytes: &[u8]) -> Result<TestResult> {
    match probe(TEST_RESULT, bytes)? {
        1..=NEWEST => {
            let r = from_json::<TestResultRecordV1>(TEST_RESULT, bytes)?;
            Ok(TestResult {
                trial: TrialId(r.trial),
                metrics: metrics_of(r.metrics),
            })
        }
        version => Err(Error::RecordVersion {
            what: TEST_RESULT,
            experiment: None,
            version,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn result() -> TestResult {
        TestResult {
            trial: TrialId(7),
            metrics: BTreeMap::from([
                ("test_accuracy".to_string(), 0.987_654_321_012_345_6),
                ("test_loss".to_string(), f64::INFINITY),
            ]),
        }
    }

    #[test]
    fn test_results_round_trip_and_other_versions_are_refused() {
        let bytes = encode_test_result(&result());
        assert_eq!(decode_test_result(&bytes).unwrap(), result());
        let err = decode_test_result(br#"{"v": 2, "trial": 1, "metrics": {}}"#).unwrap_err();
        assert!(err.to_string().contains("version 2"), "{err}");
    }

    #[test]
    fn the_store_keeps_one_test_result_per_experiment() {
        let store = Store::temporary().unwrap();
        let info = crate::ExperimentInfo {
            name: "e".into(),
            description: String::new(),
            spec_yaml: String::new(),
            spec_hash: String::new(),
            spec_path: "e.yaml".into(),
            objective: "val_accuracy".into(),
            goal: experiment::Direction::Maximize,
            seed: experiment::Seed(1),
            run_cap: 1,
            status: crate::ExperimentStatus::Running,
            created: experiment::Timestamp(0),
            finished: None,
        };
        store.create_experiment(&info).unwrap();
        assert_eq!(store.test_result("e").unwrap(), None);
        store.put_test_result("e", &result()).unwrap();
        let mut second = result();
        second.trial = TrialId(9);
        store.put_test_result("e", &second).unwrap();
        assert_eq!(store.test_result("e").unwrap(), Some(second));
    }
}
