//! The key layout: how experiment ids, trial numbers, metric names and steps become bytes.
//!
//! Every integer is big-endian, so byte order is numeric order and a prefix scan visits trials by
//! id and metric points by step. The trees and their keys:
//!
//! | tree             | key                                                        | value              |
//! |------------------|------------------------------------------------------------|--------------------|
//! | `meta`           | `format_version`, `next_experiment_id`                     | u32 / u64          |
//! | `experiment_ids` | experiment name (UTF-8)                                    | `ExperimentId` u64 |
//! | `experiments`    | `ExperimentId` u64                                         | experiment record  |
//! | `run_records`    | `ExperimentId` u64                                         | run record         |
//! | `test_results`   | `ExperimentId` u64                                         | test result        |
//! | `trials`         | `ExperimentId` u64, `TrialId` u32                          | trial record       |
//! | `metrics`        | `ExperimentId` u64, `TrialId` u32, name length u16, name, `Step` u32 | f64 bits |
//!
//! Experiments get a compact numeric id so that the many metric keys stay short. The metric name
//! is length-prefixed, so `loss` and `loss2` never share a prefix and names may hold any byte.

use experiment::{Step, TrialId};

use crate::{Error, Result};

/// The longest metric name, in bytes, that fits its u16 length prefix.
pub(crate) const MAX_METRIC_NAME: usize = 65_535;

/// The compact number that stands for an experiment's name inside keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ExperimentId(pub(crate) u64);

/// A decoded metric key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetricKey {
    pub(crate) experiment: ExperimentId,
    pub(crate) trial: TrialId,
    pub(crate) name: String,
    pub(crate) step: Step,
}

impl ExperimentId {
    /// Returns the id as a key or key prefix.
    pub(crate) fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    /// Reads an id stored as a value or key; anything but 8 bytes is corrupt.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<ExperimentId> {
        let array: [u8; 8] = bytes.try_into().map_err(|_| {
            Error::corrupt(
                "experiment id",
                format!("expected 8 bytes, found {}", bytes.len()),
            )
        })?;
        Ok(ExperimentId(u64::from_be_bytes(array)))
    }
}

/// Returns the key of a trial; it is also the prefix of the trial's metric keys.
pub(crate) fn trial_key(experiment: ExperimentId, trial: TrialId) -> [u8; 12] {
    let mut key = [0; 12];
    key[..8].copy_from_slice(&experiment.to_bytes());
    key[8..].copy_from_slice(&trial.0.to_be_bytes());
    key
}

/// Splits a trial key into its experiment and trial.
pub(crate) fn decode_trial_key(key: &[u8]) -> Result<(ExperimentId, TrialId)> {
    let corrupt = || {
        Error::corrupt(
            "trial key",
            format!("expected 12 bytes, found {}", key.len()),
        )
    };
    let (experiment, rest) = key.split_first_chunk::<8>().ok_or_else(corrupt)?;
    let trial: [u8; 4] = rest.try_into().map_err(|_| corrupt())?;
    Ok((
        ExperimentId(u64::from_be_bytes(*experiment)),
        TrialId(u32::from_be_bytes(trial)),
    ))
}

/// Returns the prefix shared by every point of one metric of one trial.
pub(crate) fn metric_prefix(
    experiment: ExperimentId,
    trial: TrialId,
    name: &str,
) -> Result<Vec<u8>> {
    let len = u16::try_from(name.len()).map_err(|_| Error::MetricNameTooLong {
        len: name.len(),
        max: MAX_METRIC_NAME,
    })?;
    let mut key = Vec::with_capacity(12 + 2 + name.len() + 4);
    key.extend_from_slice(&trial_key(experiment, trial));
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(name.as_bytes());
    Ok(key)
}

/// Returns the key of one metric point.
pub(crate) fn metric_key(
    experiment: ExperimentId,
    trial: TrialId,
    name: &str,
    step: Step,
) -> Result<Vec<u8>> {
    let mut key = metric_prefix(experiment, trial, name)?;
    key.extend_from_slice(&step.0.to_be_bytes());
    Ok(key)
}

/// Splits a metric key into its parts.
pub(crate) fn decode_metric_key(key: &[u8]) -> Result<MetricKey> {
    let corrupt = |detail: &str| Error::corrupt("metric key", detail);
    let (head, rest) = key
        .split_first_chunk::<12>()
        .ok_or_else(|| corrupt("shorter than its experiment and trial"))?;
    let (experiment, trial) = decode_trial_key(head)?;
    let (len, rest) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| corrupt("missing the metric name's length"))?;
    let len = usize::from(u16::from_be_bytes(*len));
    let (name, step) = rest
        .split_at_checked(len)
        .ok_or_else(|| corrupt("metric name runs past the end of the key"))?;
    let step: [u8; 4] = step
        .try_into()
        .map_err(|_| corrupt("expected a 4-byte step after the metric name"))?;
    let name = std::str::from_utf8(name)
        .map_err(|_| corrupt("metric name is not UTF-8"))?
        .to_owned();
    Ok(MetricKey {
        experiment,
        trial,
        name,
        step: Step(u32::from_be_bytes(step)),
    })
}

/// Returns the stored form of a metric value: its IEEE 754 bits, so NaN and infinities survive.
pub(crate) fn encode_value(value: f64) -> [u8; 8] {
    value.to_bits().to_be_bytes()
}

/// Reads a stored metric value.
pub(crate) fn decode_value(bytes: &[u8]) -> Result<f64> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| {
        Error::corrupt(
            "metric value",
            format!("expected 8 bytes, found {}", bytes.len()),
        )
    })?;
    Ok(f64::from_bits(u64::from_be_bytes(array)))
}

/// Returns the smallest key greater than every key that starts with `prefix`, or `None` when no
/// such key exists (the prefix is empty or all 0xFF).
pub(crate) fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut next = prefix.to_vec();
    while let Some(last) = next.pop() {
        if let Some(incremented) = last.checked_add(1) {
            next.push(incremented);
            return Some(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_keys_round_trip() {
        let key = metric_key(ExperimentId(3), TrialId(70_000), "val_loss", Step(12)).unwrap();
        let decoded = decode_metric_key(&key).unwrap();
        assert_eq!(
            decoded,
            MetricKey {
                experiment: ExperimentId(3),
                trial: TrialId(70_000),
                name: "val_loss".into(),
                step: Step(12),
            }
        );
        assert_eq!(
            decode_trial_key(&trial_key(ExperimentId(u64::MAX), TrialId(1))).unwrap(),
            (ExperimentId(u64::MAX), TrialId(1))
        );
    }

    #[test]
    fn byte_order_is_numeric_order() {
        let a = metric_key(ExperimentId(1), TrialId(0), "m", Step(255)).unwrap();
        let b = metric_key(ExperimentId(1), TrialId(0), "m", Step(256)).unwrap();
        assert!(a < b);
        assert!(
            trial_key(ExperimentId(1), TrialId(u32::MAX)) < trial_key(ExperimentId(2), TrialId(0))
        );
    }

    #[test]
    fn metric_names_do_not_share_prefixes() {
        let loss = metric_prefix(ExperimentId(1), TrialId(0), "loss").unwrap();
        let loss2 = metric_key(ExperimentId(1), TrialId(0), "loss2", Step(1)).unwrap();
        assert!(!loss2.starts_with(&loss));
        let nul = metric_key(ExperimentId(1), TrialId(0), "a\0b", Step(1)).unwrap();
        assert_eq!(decode_metric_key(&nul).unwrap().name, "a\0b");
    }

    #[test]
    fn long_names_are_refused() {
        let name = "x".repeat(MAX_METRIC_NAME + 1);
        let err = metric_prefix(ExperimentId(1), TrialId(0), &name).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metric name of 65536 bytes is longer than the limit of 65535 bytes"
        );
        assert!(metric_prefix(ExperimentId(1), TrialId(0), &name[1..]).is_ok());
    }

    #[test]
    fn malformed_keys_and_values_are_errors() {
        let good = metric_key(ExperimentId(1), TrialId(2), "loss", Step(3)).unwrap();
        for cut in 0..good.len() {
            assert!(decode_metric_key(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(decode_metric_key(&long).is_err());
        let mut bad_utf8 = good.clone();
        bad_utf8[14] = 0xFF;
        assert!(decode_metric_key(&bad_utf8).is_err());
        assert!(decode_trial_key(&[0; 11]).is_err());
        assert!(ExperimentId::from_bytes(&[0; 9]).is_err());
        assert!(decode_value(&[0; 7]).is_err());
    }

    #[test]
    fn values_keep_every_bit() {
        for v in [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            5e-324,
            0.1,
        ] {
            assert_eq!(
                decode_value(&encode_value(v)).unwrap().to_bits(),
                v.to_bits()
            );
        }
    }

    #[test]
    fn successor_skips_every_extension() {
        assert_eq!(successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(successor(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(successor(&[0xFF, 0xFF]), None);
        assert_eq!(successor(&[]), None);
    }
}
