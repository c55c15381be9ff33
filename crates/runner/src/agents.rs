//! One study run by several agents: `sweep run` processes, on one machine or many, started by
//! whatever runs jobs there (a Slurm array, a Kubernetes indexed job, a shell loop).
//!
//! Agent `i` of `n` runs the trials numbered `i`, `i + n`, `i + 2n`, ..., and learns everything
//! else from the other agents' journals (`store::Exchange`, on a folder they all see): each
//! remote trial's start, reports and end go on the board, so that the deterministic rule
//! (`board`) holds across agents exactly as across threads, and into the agent's own store, so
//! that each agent's store ends holding the whole study. With `parallel = p` across all agents
//! the results are those of one process with `parallel: p`, bit for bit on CPU, whatever the
//! machines and their timing.
//!
//! Each agent keeps its own store (sled is one process's); the shared folder carries only the
//! journals. An agent ends when every trial of the study has ended, not just its own, so that
//! its summary and store are whole; killed and started again, it re-reads the journals and
//! re-runs its unfinished trials, as a single process resumes.
//!
//! After the study, the best trial is measured once on the test split, by the agent that ran
//! it (from its checkpoint), which publishes the result (`JournalEvent::Tested`, with no
//! metrics when there is no test split); the others wait for it and store it, rather than each
//! train that trial again.
//!
//! A warm start (`warm_start:`) is taken by each agent, from its own copy of the file or its own
//! store, before it meets the others: the journals' headers carry the digest of the trials
//! taken (`store::warm_start_digest`), so agents that took other trials refuse each other, and
//! agent 0 publishes the trials (`JournalEvent::Warm`) for a follower to show. The agents'
//! copies of the experiment file may name its data, the warm start's file and a gate's baseline
//! by other paths (a folder moved since, `../data/x.csv` for `./data/x.csv`): as for one
//! process resuming, where a file lies is no part of the study, what it holds is, so the headers
//! compare the files' meaning and the hashes of the data and of the trials taken.
//!
//! An agent that has not joined, or was lost, holds the study up: the first trial that has not
//! ended is sooner or later every other trial's wait. Each agent therefore touches its journal
//! every quarter of `quiet_after` (a change of modification time, no line written), and tells
//! its observer when the trial the study waits for belongs to an agent whose journal has not
//! changed for `quiet_after`, and again when that agent is heard from. Only messages depend on
//! this timing, never a result.

mod events;
mod peers;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use experiment::{ExperimentSpec, TrialId, WarmStarted};
use store::{AgentHeader, Exchange, JournalEvent, Polled, Store};

use crate::{Result, StudyOptions};
pub(crate) use events::{check_event, record};
use events::{in_space, result_given};
pub(crate) use peers::{Peers, Study};

/// Which agent this process is, and where the agents meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentOptions {
    /// This agent's number, below `agents`.
    pub agent: u32,
    /// How many agents run the study.
    pub agents: u32,
    /// The folder every agent reads and writes its journal in.
    pub exchange: PathBuf,
    /// How often the other agents' journals are read.
    pub poll: Duration,
    /// How long the agent the study waits for may leave its journal unchanged before the
    /// observer hears of it.
    pub quiet_after: Duration,
}

impl AgentOptions {
    /// Returns the agent that runs trial `id`.
    fn owner(&self, id: TrialId) -> u32 {
        owner(id, self.agents)
    }

    /// Returns whether this agent runs trial `id`.
    pub(crate) fn owns(&self, id: TrialId) -> bool {
        self.owner(id) == self.agent
    }
}

/// Returns the agent, of `agents`, that runs trial `id`.
pub(crate) fn owner(id: TrialId, agents: u32) -> u32 {
    id.agent(agents)
}

/// An agent that has joined the exchange, before it runs anything.
pub(crate) struct Met {
    exchange: Exchange,
    /// What its journal held from an earlier run.
    earlier: Vec<JournalEvent>,
    /// What the other agents had written, their headers checked.
    first: Vec<Polled>,
}

/// Joins the exchange as agent `options.agent` of a study of `spec` planning `planned` trials,
/// warm-started with `warm`, and reads what the others wrote so far: refuses, before the agent
/// writes anything, an earlier journal of its own or another agent's with other settings.
pub(crate) fn meet(
    options: &AgentOptions,
    spec: &ExperimentSpec,
    study: &StudyOptions,
    planned: u32,
    warm: Option<&WarmStarted>,
) -> Result<Met> {
    let header = AgentHeader {
        experiment: spec.name.clone(),
        agent: options.agent,
        agents: options.agents,
        parallel: u32::try_from(study.parallel.max(1)).unwrap_or(u32::MAX),
        planned,
        spec_hash: spec.hash(),
        spec_text: spec.source.clone(),
        data_hash: study
            .record
            .as_ref()
            .map_or_else(String::new, |r| r.data_hash.clone()),
        warm_hash: warm.map_or_else(String::new, store::warm_start_digest),
    };
    let (exchange, earlier) = Exchange::join(&options.exchange, header)?;
    let first = exchange.poll_placed()?;
    Ok(Met {
        exchange,
        earlier,
        first,
    })
}

/// Writes into `store` the trials of this agent that its own journal holds finished but the
/// store does not, with their curves (and the test split's result it measured, if the store
/// lacks one): an agent started again with a new store (its node lost with the old one) does
/// not train them again. Returns how many trials it restored.
pub(crate) fn restore(met: &Met, store: &Store, spec: &ExperimentSpec) -> Result<usize> {
    let name = &spec.name;
    let stored: BTreeSet<TrialId> = store
        .trials(name)?
        .iter()
        .filter(|t| t.state.is_finished())
        .map(|t| t.id)
        .collect();
    let missing: BTreeSet<TrialId> = met
        .earlier
        .iter()
        .filter_map(|e| match e {
            JournalEvent::Finish(t, _) if t.state.is_finished() && !stored.contains(&t.id) => {
                Some(t.id)
            }
            _ => None,
        })
        .collect();
    let untested = store.test_result(name)?.is_none();
    // The journal's first line is its header, and each later line one event.
    for (line, event) in (2..).zip(&met.earlier) {
        let restored = match event {
            JournalEvent::Start(t, _) | JournalEvent::Finish(t, _) => missing.contains(&t.id),
            JournalEvent::Report { trial, .. } => missing.contains(trial),
            JournalEvent::Tested(_) => untested,
            JournalEvent::Skip(_) | JournalEvent::Abort(_) | JournalEvent::Warm(_) => false,
        };
        if restored {
            let heard = Polled {
                agent: met.exchange.agent(),
                event: event.clone(),
                path: met.exchange.own_path().to_path_buf(),
                line,
            };
            in_space(spec, &heard)?;
            result_given(spec, store, &heard)?;
            record(store, name, event)?;
            if let JournalEvent::Tested(result) = event {
                // A new store of the agent that ran the best trial: its shared copy comes back.
                adopt_checkpoint(&met.exchange, store, spec, result.trial);
            }
        }
    }
    Ok(missing.len())
}

/// Copies into `store` the checkpoint of the study's best trial `trial` that the agent which
/// ran it shared in the exchange, unless the store has it (`store::Exchange::adopt_checkpoint`).
/// A failure, or a copy not there although `spec` keeps checkpoints (the exchange's
/// `checkpoints` folder deleted or cleaned), is warned of and does not stop the study: only
/// `sweep predict` in this store needs the copy, and the agent that ran the trial keeps the
/// checkpoint.
fn adopt_checkpoint(exchange: &Exchange, store: &Store, spec: &ExperimentSpec, trial: TrialId) {
    let name = &spec.name;
    let Some(folder) = store.checkpoint_folder(name) else {
        return;
    };
    match exchange.adopt_checkpoint(&folder, trial) {
        Ok(true) => {}
        Ok(false) if spec.checkpoints.keep == 0 || store.has_checkpoint(name, trial) => {}
        Ok(false) => {
            let missing = exchange.shared_checkpoint(trial);
            tracing::warn!(
                %trial,
                missing = %missing.display(),
                "the exchange holds no copy of the best trial's checkpoint: this store will lack \
                 it (the store of the agent that ran the trial keeps it)"
            );
        }
        Err(e) => tracing::warn!(%e, "this store will lack the best trial's checkpoint"),
    }
}

#[cfg(test)]
mod tests;
