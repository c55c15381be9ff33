//! The stored form of an `experiment::WarmStarted`: the trials an experiment took from another
//! when it was created (`warm_start:`), one record per experiment, versioned like the others,
//! in a tree of its own (so that stores from before it open as they are).

use experiment::WarmStarted;
use serde::{Deserialize, Serialize};

use super::{from_json, probe, to_json, TrialRecordV1, WARM_START};
use crate::{Error, Result};

/// A warm start as written by record versions 1 and 2; each trial a trial record of its own
/// version. Version 2 adds `file_sha256`, its only difference, so one type reads both: the
/// SHA-256 of the bytes of the file of results the trials were read from
/// (`warm_start: {csv: ..}`), kept so that a resume knows the same file without reading it
/// again. A warm start without it (from another experiment, or as a follower stores one) is
/// written as version 1, which builds before version 2 read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarmStartRecordV1 {
    v: u32,
    source: String,
    trials: Vec<TrialRecordV1>,
    left_out: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_sha256: Option<String>,
}

/// The newest warm start version this build reads (and `decode_warm_start` matches on).
pub(super) const NEWEST: u32 = 2;

/// Returns the stored bytes of a warm start, with the SHA-256 of the file of results it was
/// read from where it was (`file_sha256`: version 2; version 1 without).
pub(crate) fn encode_warm_start(w: &WarmStarted, file_sha256: Option<&str>) -> Vec<u8> {
    to_json(&WarmStartRecordV1 {
        v: if file_sha256.is_some() { 2 } else { 1 },
        source: w.source.clone(),
        trials: w.trials.iter().map(TrialRecordV1::from).collect(),
        left_out: w.left_out.clone(),
        file_sha256: file_sha256.map(str::to_string),
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
    decode(bytes).map(|(w, _)| w)
}

/// Returns the SHA-256 of the file of results a stored warm start was read from: `None` for a
/// version 1 record (one from another experiment, or stored before it was kept).
pub(crate) fn decode_warm_file_sha256(bytes: &[u8]) -> Result<Option<String>> {
    decode(bytes).map(|(_, sha256)| sha256)
}

/// Decodes a warm start of any known version, with the SHA-256 of its file where it has one;
/// refused where the version and `file_sha256` disagree (version 2 holds it, version 1 not).
fn decode(bytes: &[u8]) -> Result<(WarmStarted, Option<String>)> {
    let version = probe(WARM_START, bytes)?;
    if !(1..=NEWEST).contains(&version) {
        return Err(Error::RecordVersion {
            what: WARM_START,
            experiment: None,
            version,
        });
    }
    let r = from_json::<WarmStartRecordV1>(WARM_START, bytes)?;
    if r.file_sha256.is_some() != (version == 2) {
        return Err(Error::corrupt(
            WARM_START,
            format!(
                "version {version} {} `file_sha256`",
                if version == 2 { "lacks" } else { "holds" }
            ),
        ));
    }
    let w = WarmStarted {
        source: r.source,
        trials: r.trials.into_iter().map(Into::into).collect(),
        left_out: r.left_out,
    };
    Ok((w, r.file_sha256))
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
        let err = decode_warm_start(br#"{"v": 3, "source": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("version 3"), "{err}");
    }

    /// Issue: a resume compared a warm start's file only by the trials the CSV reader made of
    /// it, so a change to the reader could refuse the same bytes. The SHA-256 of the file's
    /// bytes is kept with the trials (record version 2); a record without it is written as the
    /// previous version wrote it (version 1, byte for byte), and one that version stored reads
    /// as before, with no digest of its file.
    #[test]
    fn issue_a_warm_start_from_a_file_keeps_the_digest_of_its_bytes() {
        let store = Store::temporary().unwrap();
        store.create_experiment(&info("e", 1)).unwrap();
        let sha = "ab".repeat(32);
        store.put_warm_start_from_file("e", &warm(), &sha).unwrap();
        assert_eq!(store.warm_file_sha256("e").unwrap(), Some(sha.clone()));
        let back = store.warm_start("e").unwrap().unwrap();
        assert_eq!((back.source.as_str(), back.trials.len()), ("before", 2));
        store.put_warm_start("e", &warm()).unwrap();
        assert_eq!(store.warm_file_sha256("e").unwrap(), None);
        // As the previous version wrote a warm start, and reads it.
        let previous: &[u8] =
            br#"{"v":1,"source":"runs/past.csv","trials":[],"left_out":["note: x"]}"#;
        let empty = WarmStarted {
            source: "runs/past.csv".into(),
            trials: Vec::new(),
            left_out: vec!["note: x".into()],
        };
        assert_eq!(encode_warm_start(&empty, None), previous);
        assert_eq!(decode_warm_start(previous).unwrap(), empty);
        assert_eq!(decode_warm_file_sha256(previous).unwrap(), None);
        let v2 = encode_warm_start(&empty, Some(&sha));
        assert!(
            v2.starts_with(br#"{"v":2,"#),
            "{}",
            String::from_utf8_lossy(&v2)
        );
        assert_eq!(decode_warm_start(&v2).unwrap(), empty);
        assert_eq!(decode_warm_file_sha256(&v2).unwrap(), Some(sha));
        // A version that disagrees with what the record holds is corrupt.
        for bad in [
            r#"{"v":2,"source":"s","trials":[],"left_out":[]}"#,
            r#"{"v":1,"source":"s","trials":[],"left_out":[],"file_sha256":"ab"}"#,
        ] {
            let err = decode_warm_start(bad.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("file_sha256"), "{err}");
        }
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
