//! On-disk records: the versioned, serialized form of experiments and trials.
//!
//! A record is a JSON object whose `v` field names its version. Reading looks at `v` first, then
//! decodes the struct of that version, so a record is never misread as another version. A new
//! version adds a `...V2` struct and a match arm in `decode_*`, and raises the kind's newest
//! version (`NEWEST`, which `VERSIONS_READ` gathers for `Error::RecordVersion`'s message); old
//! records stay readable.
//!
//! The record types mirror the domain types but are separate on purpose: a rename in the
//! `experiment` crate changes a conversion below, never the bytes on disk.
//!
//! Floats: finite values are JSON numbers, parsed exactly (serde_json's `float_roundtrip`);
//! NaN and the infinities, which JSON lacks, are the strings `nan`, `inf` and `-inf`. NaN payloads
//! and signs are not kept. Metric points do not go through here: they are stored as raw bits.

pub(crate) mod journal;
mod run;
mod test_result;
mod warm_start;

use std::collections::BTreeMap;
use std::fmt;

use experiment::{
    Direction, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult, TrialState,
};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::trace::{CutAttempt, CutBy, Heard, TrialTrace};
use crate::{Error, ExperimentInfo, ExperimentStatus, Result};

pub(crate) use run::{decode_run_record, encode_run_record};

pub(crate) use test_result::{decode_test_result, encode_test_result};

pub use warm_start::warm_start_digest;
pub(crate) use warm_start::{decode_warm_start, encode_warm_start};

/// The store's name of an experiment record, as `Error::RecordVersion` and `Error::Corrupt`
/// give it.
pub const EXPERIMENT_RECORD: &str = "experiment record";
/// The store's name of a trial record, as `Error::RecordVersion` and `Error::Corrupt` give it.
pub const TRIAL_RECORD: &str = "trial record";
/// The store's name of an experiment's run record (`RunRecord`), as `Error::RecordVersion` and
/// `Error::Corrupt` give it.
pub const RUN_RECORD: &str = "run record";
/// The store's name of an experiment's test-split result (`TestResult`), as
/// `Error::RecordVersion` and `Error::Corrupt` give it.
pub const TEST_RESULT: &str = "test result";
/// The store's name of the trials an experiment took from another (`warm_start:`), as
/// `Error::RecordVersion` and `Error::Corrupt` give it.
pub const WARM_START: &str = "warm start";

/// The newest experiment record version `decode_experiment` reads.
const EXPERIMENT_NEWEST: u32 = 1;
/// The newest trial record version `decode_trial` reads: version 2 adds the trial's trace
/// (`heard`, `cut`: `TrialTrace`), its only difference, so one type reads both, and a trial
/// without a trace is written as version 1.
const TRIAL_NEWEST: u32 = 2;

/// The newest version of each kind of record this build reads, by the name
/// `Error::RecordVersion` gives the kind; every kind reads from version 1. Each is the `NEWEST`
/// its decoder matches on.
pub(crate) const VERSIONS_READ: [(&str, u32); 5] = [
    (EXPERIMENT_RECORD, EXPERIMENT_NEWEST),
    (TRIAL_RECORD, TRIAL_NEWEST),
    (RUN_RECORD, run::NEWEST),
    (TEST_RESULT, test_result::NEWEST),
    (WARM_START, warm_start::NEWEST),
];

/// An experiment as written by format version 1.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExperimentRecordV1 {
    v: u32,
    name: String,
    description: String,
    spec_yaml: String,
    spec_hash: String,
    spec_path: String,
    objective: String,
    goal: DirectionV1,
    seed: u64,
    run_cap: u32,
    status: ExperimentStatusV1,
    created: i64,
    finished: Option<i64>,
}

/// A trial as written by record versions 1 and 2 (its trace: `heard`, `cut`, absent from
/// version 1).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrialRecordV1 {
    v: u32,
    id: u32,
    seed: u64,
    params: BTreeMap<String, ParamValueV1>,
    state: TrialStateV1,
    reason: Option<String>,
    started: Option<i64>,
    finished: Option<i64>,
    result: Option<TrialResultV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    heard: Option<HeardV2>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cut: Vec<CutAttemptV2>,
}

/// A running attempt's last report: `{"at": MILLIS, "step": EPOCH}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeardV2 {
    at: i64,
    step: u32,
}

/// An attempt cut off: `{"started": MILLIS, "ended": MILLIS, "epochs": N, "by": "stop"}` (or
/// `"kill"`, `"kill_unheard"`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CutAttemptV2 {
    started: i64,
    ended: i64,
    epochs: u32,
    by: CutByV2,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CutByV2 {
    Stop,
    Kill,
    KillUnheard,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DirectionV1 {
    Minimize,
    Maximize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ExperimentStatusV1 {
    Running,
    Finished,
    Interrupted,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TrialStateV1 {
    Queued,
    Running,
    Completed,
    Pruned,
    Failed,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum ParamValueV1 {
    Int(i64),
    Float(FloatV1),
    Str(String),
    Bool(bool),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrialResultV1 {
    best_step: u32,
    metrics: BTreeMap<String, FloatV1>,
}

/// An f64 that survives JSON even when it is NaN or infinite.
#[derive(Debug, Clone, Copy)]
struct FloatV1(f64);

/// Returns metric values by name as written (a trial's result, a test result).
fn metrics_v1(metrics: &BTreeMap<String, f64>) -> BTreeMap<String, FloatV1> {
    metrics
        .iter()
        .map(|(name, value)| (name.clone(), FloatV1(*value)))
        .collect()
}

/// Returns metric values by name as read back.
fn metrics_of(metrics: BTreeMap<String, FloatV1>) -> BTreeMap<String, f64> {
    metrics
        .into_iter()
        .map(|(name, value)| (name, value.0))
        .collect()
}

/// Just the version of a record, read before the record itself.
#[derive(Deserialize)]
struct Probe {
    v: u32,
}

/// Returns the stored bytes of an experiment.
pub(crate) fn encode_experiment(info: &ExperimentInfo) -> Vec<u8> {
    to_json(&ExperimentRecordV1::from(info))
}

/// Decodes an experiment record of any known version.
pub(crate) fn decode_experiment(bytes: &[u8]) -> Result<ExperimentInfo> {
    match probe(EXPERIMENT_RECORD, bytes)? {
        1..=EXPERIMENT_NEWEST => {
            Ok(from_json::<ExperimentRecordV1>(EXPERIMENT_RECORD, bytes)?.into())
        }
        version => Err(Error::RecordVersion {
            what: EXPERIMENT_RECORD,
            experiment: None,
            version,
        }),
    }
}

/// Returns the stored bytes of a trial without a trace.
#[cfg(test)]
pub(crate) fn encode_trial(trial: &Trial) -> Vec<u8> {
    encode_traced_trial(trial, &TrialTrace::default())
}

/// Returns the stored bytes of a trial and its trace: version 1 when the trace is empty.
pub(crate) fn encode_traced_trial(trial: &Trial, trace: &TrialTrace) -> Vec<u8> {
    to_json(&TrialRecordV1::of(trial, trace))
}

/// Decodes a trial record of any known version, leaving out its trace.
#[cfg(test)]
pub(crate) fn decode_trial(bytes: &[u8]) -> Result<Trial> {
    decode_traced_trial(bytes).map(|(trial, _)| trial)
}

/// Decodes a trial record of any known version, with its trace (empty for version 1).
pub(crate) fn decode_traced_trial(bytes: &[u8]) -> Result<(Trial, TrialTrace)> {
    match probe(TRIAL_RECORD, bytes)? {
        1..=TRIAL_NEWEST => {
            let record = from_json::<TrialRecordV1>(TRIAL_RECORD, bytes)?;
            match record.version_problem() {
                Some(problem) => Err(Error::corrupt(TRIAL_RECORD, problem)),
                None => Ok(record.into_traced()),
            }
        }
        version => Err(Error::RecordVersion {
            what: TRIAL_RECORD,
            experiment: None,
            version,
        }),
    }
}

fn probe(what: &'static str, bytes: &[u8]) -> Result<u32> {
    Ok(from_json::<Probe>(what, bytes)?.v)
}

fn from_json<'a, T: Deserialize<'a>>(what: &'static str, bytes: &'a [u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::corrupt(what, e.to_string()))
}

fn to_json<T: Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record)
        .expect("invariant: records serialize, as map keys are strings and floats are spelled out")
}

impl From<&ExperimentInfo> for ExperimentRecordV1 {
    fn from(e: &ExperimentInfo) -> Self {
        ExperimentRecordV1 {
            v: 1,
            name: e.name.clone(),
            description: e.description.clone(),
            spec_yaml: e.spec_yaml.clone(),
            spec_hash: e.spec_hash.clone(),
            spec_path: e.spec_path.clone(),
            objective: e.objective.clone(),
            goal: match e.goal {
                Direction::Minimize => DirectionV1::Minimize,
                Direction::Maximize => DirectionV1::Maximize,
            },
            seed: e.seed.0,
            run_cap: e.run_cap,
            status: match e.status {
                ExperimentStatus::Running => ExperimentStatusV1::Running,
                ExperimentStatus::Finished => ExperimentStatusV1::Finished,
                ExperimentStatus::Interrupted => ExperimentStatusV1::Interrupted,
            },
            created: e.created.0,
            finished: e.finished.map(|t| t.0),
        }
    }
}

impl From<ExperimentRecordV1> for ExperimentInfo {
    fn from(r: ExperimentRecordV1) -> Self {
        ExperimentInfo {
            name: r.name,
            description: r.description,
            spec_yaml: r.spec_yaml,
            spec_hash: r.spec_hash,
            spec_path: r.spec_path,
            objective: r.objective,
            goal: match r.goal {
                DirectionV1::Minimize => Direction::Minimize,
                DirectionV1::Maximize => Direction::Maximize,
            },
            seed: Seed(r.seed),
            run_cap: r.run_cap,
            status: match r.status {
                ExperimentStatusV1::Running => ExperimentStatus::Running,
                ExperimentStatusV1::Finished => ExperimentStatus::Finished,
                ExperimentStatusV1::Interrupted => ExperimentStatus::Interrupted,
            },
            created: Timestamp(r.created),
            finished: r.finished.map(Timestamp),
        }
    }
}

impl From<&Trial> for TrialRecordV1 {
    fn from(t: &Trial) -> Self {
        TrialRecordV1::of(t, &TrialTrace::default())
    }
}

impl TrialRecordV1 {
    /// Returns the record of `t` with its `trace`: the oldest version that holds it.
    pub(crate) fn of(t: &Trial, trace: &TrialTrace) -> Self {
        TrialRecordV1 {
            v: if trace.is_empty() { 1 } else { 2 },
            id: t.id.0,
            seed: t.seed.0,
            params: t
                .params
                .iter()
                .map(|(name, value)| (name.clone(), ParamValueV1::from(value)))
                .collect(),
            state: match t.state {
                TrialState::Queued => TrialStateV1::Queued,
                TrialState::Running => TrialStateV1::Running,
                TrialState::Completed => TrialStateV1::Completed,
                TrialState::Pruned => TrialStateV1::Pruned,
                TrialState::Failed => TrialStateV1::Failed,
            },
            reason: t.reason.clone(),
            started: t.started.map(|s| s.0),
            finished: t.finished.map(|s| s.0),
            result: t.result.as_ref().map(|r| TrialResultV1 {
                best_step: r.best_step.0,
                metrics: metrics_v1(&r.metrics),
            }),
            heard: trace.heard.map(|h| HeardV2 {
                at: h.at.0,
                step: h.step.0,
            }),
            cut: trace
                .cut
                .iter()
                .map(|c| CutAttemptV2 {
                    started: c.started.0,
                    ended: c.ended.0,
                    epochs: c.epochs,
                    by: match c.by {
                        CutBy::Stop => CutByV2::Stop,
                        CutBy::Kill => CutByV2::Kill,
                        CutBy::KillUnheard => CutByV2::KillUnheard,
                    },
                })
                .collect(),
        }
    }

    /// Returns what is wrong with the record's `v` against its fields, if anything: version 1
    /// holds no trace (`heard`, `cut`), version 2 holds one, and no other version is read.
    pub(crate) fn version_problem(&self) -> Option<String> {
        let held = match (self.heard.is_some(), self.cut.is_empty()) {
            (true, _) => Some("heard"),
            (false, false) => Some("cut"),
            (false, true) => None,
        };
        let id = self.id;
        match (self.v, held) {
            (1, Some(field)) => Some(format!(
                "trial {id}'s record is version 1 but holds `{field}`, which only version 2 holds"
            )),
            (2, None) => Some(format!(
                "trial {id}'s record is version 2 but holds neither `heard` nor `cut`, one of \
                 which version 2 holds"
            )),
            (1 | 2, _) => None,
            (v, _) => Some(format!(
                "trial {id}'s record is version {v}, where versions 1 and 2 are read"
            )),
        }
    }

    /// Returns the record's version.
    pub(crate) fn version(&self) -> u32 {
        self.v
    }

    /// Returns the record's trial number.
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// Returns the trial and its trace.
    pub(crate) fn into_traced(mut self) -> (Trial, TrialTrace) {
        let trace = TrialTrace {
            heard: self.heard.take().map(|h| Heard {
                at: Timestamp(h.at),
                step: Step(h.step),
            }),
            cut: std::mem::take(&mut self.cut)
                .into_iter()
                .map(|c| CutAttempt {
                    started: Timestamp(c.started),
                    ended: Timestamp(c.ended),
                    epochs: c.epochs,
                    by: match c.by {
                        CutByV2::Stop => CutBy::Stop,
                        CutByV2::Kill => CutBy::Kill,
                        CutByV2::KillUnheard => CutBy::KillUnheard,
                    },
                })
                .collect(),
        };
        (self.into(), trace)
    }
}

impl From<TrialRecordV1> for Trial {
    /// Returns the trial alone, leaving out its trace (`into_traced` keeps it).
    fn from(r: TrialRecordV1) -> Self {
        Trial {
            id: TrialId(r.id),
            seed: Seed(r.seed),
            params: r
                .params
                .into_iter()
                .map(|(name, value)| (name, ParamValue::from(value)))
                .collect::<Params>(),
            state: match r.state {
                TrialStateV1::Queued => TrialState::Queued,
                TrialStateV1::Running => TrialState::Running,
                TrialStateV1::Completed => TrialState::Completed,
                TrialStateV1::Pruned => TrialState::Pruned,
                TrialStateV1::Failed => TrialState::Failed,
            },
            reason: r.reason,
            started: r.started.map(Timestamp),
            finished: r.finished.map(Timestamp),
            result: r.result.map(|res| TrialResult {
                best_step: Step(res.best_step),
                metrics: metrics_of(res.metrics),
            }),
        }
    }
}

impl From<&ParamValue> for ParamValueV1 {
    fn from(v: &ParamValue) -> Self {
        match v {
            ParamValue::Int(i) => ParamValueV1::Int(*i),
            ParamValue::Float(f) => ParamValueV1::Float(FloatV1(*f)),
            ParamValue::Str(s) => ParamValueV1::Str(s.clone()),
            ParamValue::Bool(b) => ParamValueV1::Bool(*b),
        }
    }
}

impl From<ParamValueV1> for ParamValue {
    fn from(v: ParamValueV1) -> Self {
        match v {
            ParamValueV1::Int(i) => ParamValue::Int(i),
            ParamValueV1::Float(f) => ParamValue::Float(f.0),
            ParamValueV1::Str(s) => ParamValue::Str(s),
            ParamValueV1::Bool(b) => ParamValue::Bool(b),
        }
    }
}

impl Serialize for FloatV1 {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_finite() {
            s.serialize_f64(x)
        } else if x.is_nan() {
            s.serialize_str("nan")
        } else if x > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }
}

impl<'de> Deserialize<'de> for FloatV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

/// Accepts exactly what `FloatV1` writes: a JSON float, or `nan`, `inf`, `-inf`. An integer is
/// refused because serde_json always writes a float with a fraction or an exponent.
struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = FloatV1;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a float or one of \"nan\", \"inf\", \"-inf\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<FloatV1, E> {
        Ok(FloatV1(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<FloatV1, E> {
        match v {
            "nan" => Ok(FloatV1(f64::NAN)),
            "inf" => Ok(FloatV1(f64::INFINITY)),
            "-inf" => Ok(FloatV1(f64::NEG_INFINITY)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn trial(state: TrialState) -> Trial {
        Trial {
            id: TrialId(7),
            seed: Seed(u64::MAX),
            params: Params::from([
                ("depth".to_owned(), ParamValue::Int(i64::MIN)),
                ("lr".to_owned(), ParamValue::Float(1.5e-5)),
                ("nan".to_owned(), ParamValue::Float(f64::NAN)),
                ("optimizer".to_owned(), ParamValue::Str("adam \"w\"".into())),
                ("shuffle".to_owned(), ParamValue::Bool(true)),
            ]),
            state,
            reason: Some("diverged at epoch 7".into()),
            started: Some(Timestamp(-1)),
            finished: None,
            result: Some(TrialResult {
                best_step: Step(3),
                metrics: BTreeMap::from([
                    ("val_loss".to_owned(), f64::NAN),
                    ("up".to_owned(), f64::INFINITY),
                    ("down".to_owned(), f64::NEG_INFINITY),
                    ("zero".to_owned(), -0.0),
                ]),
            }),
        }
    }

    /// Compares through `Debug`, which prints floats exactly and NaN as `NaN`, so NaN == NaN.
    fn assert_same<T: fmt::Debug>(a: &T, b: &T) {
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn trials_round_trip_in_every_state() {
        for state in [
            TrialState::Queued,
            TrialState::Running,
            TrialState::Completed,
            TrialState::Pruned,
            TrialState::Failed,
        ] {
            let t = trial(state);
            assert_same(&decode_trial(&encode_trial(&t)).unwrap(), &t);
        }
        let bare = Trial {
            params: Params::new(),
            reason: None,
            started: None,
            result: None,
            ..trial(TrialState::Queued)
        };
        assert_eq!(decode_trial(&encode_trial(&bare)).unwrap(), bare);
    }

    #[test]
    fn experiments_round_trip() {
        for (status, goal, finished) in [
            (ExperimentStatus::Running, Direction::Minimize, None),
            (
                ExperimentStatus::Finished,
                Direction::Maximize,
                Some(Timestamp(9)),
            ),
            (ExperimentStatus::Interrupted, Direction::Minimize, None),
        ] {
            let e = ExperimentInfo {
                name: "digits".into(),
                description: "a \u{e9}t\u{e9} test".into(),
                spec_yaml: "name: digits\n".into(),
                spec_hash: "ab".repeat(32),
                spec_path: "experiments/digits.yaml".into(),
                objective: "val_accuracy".into(),
                goal,
                seed: Seed(42),
                run_cap: 20,
                status,
                created: Timestamp(1_700_000_000_000),
                finished,
            };
            assert_eq!(decode_experiment(&encode_experiment(&e)).unwrap(), e);
        }
    }

    #[test]
    fn trial_format_is_stable() {
        let json = String::from_utf8(encode_trial(&trial(TrialState::Pruned))).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"v":1,"id":7,"seed":18446744073709551615,"params":{"depth":{"int":-9223372036854775808},"#,
                r#""lr":{"float":0.000015},"nan":{"float":"nan"},"optimizer":{"str":"adam \"w\""},"#,
                r#""shuffle":{"bool":true}},"state":"pruned","reason":"diverged at epoch 7","#,
                r#""started":-1,"finished":null,"result":{"best_step":3,"metrics":{"down":"-inf","#,
                r#""up":"inf","val_loss":"nan","zero":-0.0}}}"#
            )
        );
    }

    #[test]
    fn a_trace_is_version_2_and_a_trial_without_one_stays_version_1() {
        let t = trial(TrialState::Running);
        let v1 = String::from_utf8(encode_traced_trial(&t, &TrialTrace::default())).unwrap();
        assert!(v1.starts_with(r#"{"v":1,"#) && v1.ends_with("}}}"), "{v1}");
        let trace = TrialTrace {
            heard: Some(Heard {
                at: Timestamp(1_500),
                step: Step(4),
            }),
            cut: vec![CutAttempt {
                started: Timestamp(-1),
                ended: Timestamp(900),
                epochs: 2,
                by: CutBy::Stop,
            }],
        };
        let v2 = String::from_utf8(encode_traced_trial(&t, &trace)).unwrap();
        assert_eq!(
            v2,
            v1.replace(r#"{"v":1,"#, r#"{"v":2,"#).replace(
                "}}}",
                concat!(
                    r#"}},"heard":{"at":1500,"step":4},"#,
                    r#""cut":[{"started":-1,"ended":900,"epochs":2,"by":"stop"}]}"#
                )
            )
        );
        let (back, back_trace) = decode_traced_trial(v2.as_bytes()).unwrap();
        assert_same(&back, &t);
        assert_eq!(back_trace, trace);
        // A version 1 record reads with an empty trace; the trial alone reads from either.
        let (_, none) = decode_traced_trial(v1.as_bytes()).unwrap();
        assert!(none.is_empty());
        assert_same(&decode_trial(v2.as_bytes()).unwrap(), &t);
        let killed = v2.replace(r#""by":"stop""#, r#""by":"kill""#);
        let (_, killed) = decode_traced_trial(killed.as_bytes()).unwrap();
        assert_eq!(killed.cut[0].by, CutBy::Kill);
        let unheard = v2.replace(r#""by":"stop""#, r#""by":"kill_unheard""#);
        let (_, unheard) = decode_traced_trial(unheard.as_bytes()).unwrap();
        assert_eq!(unheard.cut[0].by, CutBy::KillUnheard);
        // A record's `v` must match its fields: no trace in version 1, one in version 2.
        let v1_with_trace = v2.replace(r#"{"v":2,"#, r#"{"v":1,"#);
        assert_eq!(
            decode_trial(v1_with_trace.as_bytes())
                .unwrap_err()
                .to_string(),
            "corrupt trial record in store: trial 7's record is version 1 but holds `heard`, \
             which only version 2 holds"
        );
        let v2_without = v1.replace(r#"{"v":1,"#, r#"{"v":2,"#);
        assert!(decode_trial(v2_without.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("is version 2 but holds neither `heard` nor `cut`"));
    }

    #[test]
    fn floats_round_trip_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..20_000 {
            let x = f64::from_bits(rng.gen::<u64>());
            let json = serde_json::to_vec(&FloatV1(x)).unwrap();
            let back: FloatV1 = serde_json::from_slice(&json).unwrap();
            if x.is_nan() {
                assert!(back.0.is_nan());
            } else {
                assert_eq!(back.0.to_bits(), x.to_bits(), "{x:e}");
            }
        }
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        let good = encode_trial(&trial(TrialState::Completed));
        for cut in 0..good.len() {
            assert!(decode_trial(&good[..cut]).is_err());
        }
        let check = |bytes: &str, expected: &str| {
            let err = decode_trial(bytes.as_bytes()).unwrap_err();
            assert_eq!(err.to_string(), expected);
        };
        check(
            r#"{"v":3}"#,
            "trial record has version 3, but this sweep reads versions 1 and 2: a newer sweep \
             wrote it; read it with that sweep or a later one",
        );
        check(
            "\u{0}\u{1}",
            "corrupt trial record in store: expected value at line 1 column 1",
        );
        check(
            r#"{"id":1}"#,
            "corrupt trial record in store: missing field `v` at line 1 column 8",
        );
        let extra = String::from_utf8(good.clone())
            .unwrap()
            .replace(r#""v":1,"#, r#""v":1,"x":0,"#);
        assert!(decode_trial(extra.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("unknown field `x`"));
        let int_float = String::from_utf8(good).unwrap().replace("0.000015", "1");
        assert!(decode_trial(int_float.as_bytes()).is_err());
        assert!(decode_experiment(br#"{"v":1,"name":"x"}"#).is_err());
    }
}
