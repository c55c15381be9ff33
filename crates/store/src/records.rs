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
//! Floats are stored as `float` says: JSON numbers, and the strings `nan`, `inf` and `-inf` for
//! what JSON lacks.

mod float;
pub(crate) mod journal;
mod run;
mod test_result;
#[cfg(test)]
mod tests;
mod warm_start;

use std::collections::BTreeMap;

use experiment::{
    Direction, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult, TrialState,
};
use serde::{Deserialize, Serialize};

use crate::trace::{CutAttempt, CutBy, Heard, TrialTrace};
use crate::{Error, ExperimentInfo, ExperimentStatus, Result};

use float::{metrics_of, metrics_v1, FloatV1};

pub(crate) use run::{decode_run_record, encode_run_record};

pub(crate) use test_result::{decode_test_result, encode_test_result};

pub use warm_start::warm_start_digest;
pub(crate) use warm_start::{decode_warm_file_sha256, decode_warm_start, encode_warm_start};

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
