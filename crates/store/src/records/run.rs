//! The stored form of a `RunRecord`: a record kind of its own, versioned like the others.
//!
//! Run records sit in their own tree rather than in a second version of the experiment record:
//! the addition is one that older readers can ignore and newer readers can find missing, so
//! neither the experiment record nor `FORMAT_VERSION` changes, and stores written before run
//! records existed open as they are.
//!
//! Version 2 adds `parallel`, the trials side by side of the last run (a resume with another
//! number writes the record again with it, the rest unchanged, in the same form; where an
//! older version resumed with another number, the first run's), version 3 `agent`, which
//! agent of how many made the store, version 4 `no_commit`, why a record without a commit has
//! none, version 5 `exchange`, the folder an agent's study was run through, and two reasons for
//! `no_commit` (`head_unreadable`, `unrecognized`) that a build reading version 4 would refuse
//! as unknown, and version 6 `planned`, the trials the sampler was told the study plans in the
//! last run (written again on a resume that tells it another number, while `parallel` stays
//! the first run's; a record without it says nothing of the plan its runs were told);
//! they are the only differences, so one type reads all six (an older record lacks them) and a
//! record without them is written as the oldest version that holds what it has.

use experiment::NoCommit;
use serde::{Deserialize, Serialize};

use super::{from_json, probe, to_json, RUN_RECORD};
use crate::{AgentOf, Error, GitState, Result, RunRecord};

/// A run record as written by record versions 1, 2 (`parallel`), 3 (`agent`), 4
/// (`no_commit`), 5 (`exchange`, and the reasons of `no_commit` that version 4 lacks) and 6
/// (`planned`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunRecordV1 {
    v: u32,
    resolved_spec: String,
    resolved_spec_hash: String,
    spec_file: String,
    data_file: String,
    data_hash: String,
    git: Option<GitStateV1>,
    sweep_version: String,
    engine: String,
    device: String,
    os: String,
    cpu: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parallel: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agent: Option<AgentOfV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    no_commit: Option<NoCommitV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exchange: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    planned: Option<u32>,
}

/// Why a record names no commit: `"outside_checkout"`, `{"git_not_run": REASON}`,
/// `{"git_refused": MESSAGE}` or `"no_commit_yet"` since version 4, and
/// `{"head_unreadable": MESSAGE}` or `{"unrecognized": WORDS}` since version 5.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum NoCommitV1 {
    OutsideCheckout,
    GitNotRun(String),
    GitRefused(String),
    NoCommitYet,
    HeadUnreadable(String),
    Unrecognized(String),
}

impl NoCommitV1 {
    /// Returns the oldest record version that holds this reason.
    fn since(&self) -> u32 {
        match self {
            NoCommitV1::OutsideCheckout
            | NoCommitV1::GitNotRun(_)
            | NoCommitV1::GitRefused(_)
            | NoCommitV1::NoCommitYet => 4,
            NoCommitV1::HeadUnreadable(_) | NoCommitV1::Unrecognized(_) => 5,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentOfV1 {
    agent: u32,
    agents: u32,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GitStateV1 {
    commit: String,
    dirty: bool,
    diff: String,
}

/// The newest run record version this build reads (and `decode_run_record` matches on).
pub(super) const NEWEST: u32 = 6;

/// Returns the stored bytes of a run record.
pub(crate) fn encode_run_record(r: &RunRecord) -> Vec<u8> {
    to_json(&RunRecordV1::from(r))
}

/// Decodes a run record of any known version.
pub(crate) fn decode_run_record(bytes: &[u8]) -> Result<RunRecord> {
    match probe(RUN_RECORD, bytes)? {
        1..=NEWEST => Ok(from_json::<RunRecordV1>(RUN_RECORD, bytes)?.into()),
        version => Err(Error::RecordVersion {
            what: RUN_RECORD,
            experiment: None,
            version,
        }),
    }
}

impl From<&RunRecord> for RunRecordV1 {
    fn from(r: &RunRecord) -> Self {
        let no_commit = r.no_commit.as_ref().map(|n| match n {
            NoCommit::OutsideCheckout => NoCommitV1::OutsideCheckout,
            NoCommit::GitNotRun(why) => NoCommitV1::GitNotRun(why.clone()),
            NoCommit::GitRefused(message) => NoCommitV1::GitRefused(message.clone()),
            NoCommit::NoCommitYet => NoCommitV1::NoCommitYet,
            NoCommit::HeadUnreadable(message) => NoCommitV1::HeadUnreadable(message.clone()),
            NoCommit::Unrecognized(words) => NoCommitV1::Unrecognized(words.clone()),
        });
        // The oldest version that holds what the record has.
        let v = if r.planned.is_some() {
            6
        } else if r.exchange.is_some() {
            5
        } else if let Some(n) = &no_commit {
            n.since()
        } else if r.agent.is_some() {
            3
        } else if r.parallel.is_some() {
            2
        } else {
            1
        };
        RunRecordV1 {
            v,
            resolved_spec: r.resolved_spec.clone(),
            resolved_spec_hash: r.resolved_spec_hash.clone(),
            spec_file: r.spec_file.clone(),
            data_file: r.data_file.clone(),
            data_hash: r.data_hash.clone(),
            git: r.git.as_ref().map(|g| GitStateV1 {
                commit: g.commit.clone(),
                dirty: g.dirty,
                diff: g.diff.clone(),
            }),
            sweep_version: r.sweep_version.clone(),
            engine: r.engine.clone(),
            device: r.device.clone(),
            os: r.os.clone(),
            cpu: r.cpu.clone(),
            parallel: r.parallel,
            agent: r.agent.map(|a| AgentOfV1 {
                agent: a.agent,
                agents: a.agents,
            }),
            no_commit,
            exchange: r.exchange.clone(),
            planned: r.planned,
        }
    }
}

impl From<RunRecordV1> for RunRecord {
    fn from(r: RunRecordV1) -> Self {
        RunRecord {
            resolved_spec: r.resolved_spec,
            resolved_spec_hash: r.resolved_spec_hash,
            spec_file: r.spec_file,
            data_file: r.data_file,
            data_hash: r.data_hash,
            git: r.git.map(|g| GitState {
                commit: g.commit,
                dirty: g.dirty,
                diff: g.diff,
            }),
            sweep_version: r.sweep_version,
            engine: r.engine,
            device: r.device,
            os: r.os,
            cpu: r.cpu,
            parallel: r.parallel,
            agent: r.agent.map(|a| AgentOf {
                agent: a.agent,
                agents: a.agents,
            }),
            no_commit: r.no_commit.map(|n| match n {
                NoCommitV1::OutsideCheckout => NoCommit::OutsideCheckout,
                NoCommitV1::GitNotRun(why) => NoCommit::GitNotRun(why),
                NoCommitV1::GitRefused(message) => NoCommit::GitRefused(message),
                NoCommitV1::NoCommitYet => NoCommit::NoCommitYet,
                NoCommitV1::HeadUnreadable(message) => NoCommit::HeadUnreadable(message),
                NoCommitV1::Unrecognized(words) => NoCommit::Unrecognized(words),
            }),
            exchange: r.exchange,
            planned: r.planned,
        }
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
