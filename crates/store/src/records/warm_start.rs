//! The stored form of an `experiment::WarmStarted`: the trials an experiment took from another
//! when it was created (`warm_start:`), one record per experiment, versioned like the others,
//! in a tree of its own (so that stores from before it open as they are).

use experiment::WarmStarted;
use serde::{Deserialize, Serialize};

use super::{from_json, probe, to_json, TrialRecordV1, WARM_START};
use crate::{Error, Result};

/// A warm start as written by record version 1; each trial a trial record of its own version.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarmStartRecordV1 {
    v: u32,
    source: String,
    trials: Vec<TrialRecordV1>,
    left_out: Vec<String>,
}

/// The newest warm start version this build reads (and `decode_warm_start` matches on).
pub(super) const NEWEST: u32 = 1;

/// Returns the stored bytes of a warm start.
pub(crate) fn encode_warm_start(w: &WarmStarted) -> Vec<u8> {
    to_json(&WarmStartRecordV1 {
        v: 1,
        source: w.source.clone(),
        trials: w.trials.iter().map(TrialRecordV1::from).collect(),
        left_out: w.left_out.clone(),
    })
}

/// Returns the SHA-256 (hex) of the trials a warm start gave, as their records are stored: what
/// a study learns from, not where it came from or what was left out. Agents compare it, since
/// each takes the warm start itself.
pub fn warm_start_digest(w: &WarmStarted) -> String {
    let trials: Vec<TrialRecordV1> = w.trials.iter().map(TrialRecordV1::from).collect();
    experiment::sha256_hex(&to_json(&trials))
}

/// Decodes a warm start of any known version.
pub(crate) fn decode_warm_start(bytes: &[u8]) -> Result<WarmStarted> {
    match probe(WARM_START, bytes)? {
        1..=NEWEST => {
            let r = from_json::<WarmStartRecordV1>(WARM_START, bytes)?;
            Ok(WarmStarted {
                source: r.source,
                trials: r.trials.into_iter().map(Into::into).collect(),
                left_out: r.left_out,
            })
        }
        version => Err(Error::RecordVersion {
            what: WARM_START,
            experiment: None,
            version,
        }),
    }
}

#[cfg(test)]
mod tests {
    use experiment::{Step, TrialId, TrialResult, TrialState};

    use super::*;
    use crate::store::tests::{info, trial};
    use crate::Store;

    fn warm() -> WarmStarted {
        let mut taken = trial(0, TrialState::Completed);
        taken.result = Some(TrialResult {
            best_step: Step(3),
            metrics: [("val_loss".to_string(), 0.25)].into_iter().collect(),
        });
        WarmStarted {
            source: "before".into(),
            trials: vec![taken, trial(1, TrialState::Pruned)],
            left_out: vec!["trial 4: it has no `lr`".into()],
        }
    }

    #[test]
    fn warm_starts_round_trip_per_experiment_and_other_versions_are_refused() {
        let store = Store::temporary().unwrap();
        store.create_experiment(&info("e", 1)).unwrap();
        store.create_experiment(&info("f", 2)).unwrap();
        assert_eq!(store.warm_start("e").unwrap(), None);
        assert!(!store.has_warm_start("e").unwrap());
        store.put_warm_start("e", &warm()).unwrap();
        assert!(store.has_warm_start("e").unwrap());
        let back = store.warm_start("e").unwrap().unwrap();
        assert_eq!(back.source, "before");
        assert_eq!(back.left_out, warm().left_out);
        assert_eq!(back.trials.len(), 2);
        assert_eq!(back.trials[0].id, TrialId(0));
        assert_eq!(back.trials[0].result, warm().trials[0].result);
        assert_eq!(back.trials[1].state, TrialState::Pruned);
        assert_eq!(store.warm_start("f").unwrap(), None);
        let err = decode_warm_start(br#"{"v": 2, "source": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("version 2"), "{err}");
    }

    #[test]
    fn a_warm_starts_digest_is_that_of_its_trials_as_stored() {
        let store = Store::temporary().unwrap();
        store.create_experiment(&info("e", 1)).unwrap();
        store.put_warm_start("e", &warm()).unwrap();
        let back = store.warm_start("e").unwrap().unwrap();
        let digest = warm_start_digest(&warm());
        assert_eq!(digest.len(), 64);
        assert_eq!(warm_start_digest(&back), digest, "read back, the same");
        let elsewhere = WarmStarted {
            source: "runs/past.csv".into(),
            left_out: Vec::new(),
            ..warm()
        };
        assert_eq!(
            warm_start_digest(&elsewhere),
            digest,
            "the trials alone count"
        );
        let mut other = warm();
        if let Some(r) = other.trials[0].result.as_mut() {
            r.metrics.insert("val_loss".into(), 0.25 + f64::EPSILON);
        }
        assert_ne!(warm_start_digest(&other), digest);
    }
}
