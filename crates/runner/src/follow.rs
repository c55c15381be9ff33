//! Following a study that agents run, from their journals alone, without taking part: what
//! `sweep serve --exchange DIR` shows on a machine that sees the exchange folder but runs no
//! agent (a cluster's login node), where no agent's store can be opened (each is its agent's).
//!
//! The follower writes into a store of its own what the journals say, as an agent writes what
//! the others' say into its store (`agents::record`), so the dashboard shows the study live;
//! the experiment is `running` until every trial the study needs has ended, then `finished`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use experiment::{ExperimentSpec, TrialId};
use store::{ExperimentInfo, ExperimentStatus, JournalEvent, Store, Watcher};

use crate::agents::{owner, record};
use crate::hearing::Hearing;
use crate::study::needed_trials;
use crate::{Clock, Observer, Result, Stop};

/// Where a followed study's journals are, and how often they are read.
#[derive(Debug)]
pub struct Follow<'a> {
    /// The journals of the study's agents, whose header it has read (`Watcher::read_header`),
    /// and no event yet.
    pub watcher: &'a mut Watcher,
    /// What the experiment's page says its spec file is.
    pub spec_path: String,
    /// How often the journals are read.
    pub poll: Duration,
    /// How long the agent the study waits for may leave its journal unchanged before the
    /// observer hears of it (`Observer::agent_quiet`, `agent_heard`).
    pub quiet_after: Duration,
    /// How long after journals that do not read (a damaged line) they are read again from the
    /// start (`Observer::following_failed`).
    pub retry: Duration,
}

/// Follows the study of `spec` that `follow.watcher` reads, into `store` (which must not hold
/// the experiment yet), until every trial it needs has ended and, when one completed, the test
/// split's result has come, or `stop` closes; returns whether every trial ended.
///
/// An agent's abort does not end the following: the agents that ran at the time end on it, but
/// the agent is mended and started again, and so are they. While an agent's last line is an
/// abort, the experiment is `interrupted` (unless every trial had ended and only the test
/// split's measure failed) and the observer hears of it (`Observer::agent_stopped`); any later
/// line of that agent's is its restart (`agent_restarted`). An abort some later line of its
/// agent's follows is history, as it is to an agent started after it. Journals that do not read
/// or hold what no agent writes (`agents::check_event`) leave the experiment `interrupted` too,
/// with what each agent said before the fault (the others' journals whole), said to the
/// observer (`following_failed`), and are read again from the start every `follow.retry` until
/// they read. The agent the study waits for, to run a trial or to measure
/// the best one, is said to be quiet (`Observer::agent_quiet`).
pub fn follow_study(
    store: &Store,
    spec: &ExperimentSpec,
    follow: Follow<'_>,
    (clock, observer): (&dyn Clock, &dyn Observer),
    stop: &Stop,
) -> Result<bool> {
    let Follow {
        watcher,
        spec_path,
        poll,
        quiet_after,
        retry,
    } = follow;
    let Some(header) = watcher.header().cloned() else {
        return Ok(false);
    };
    let mut info = ExperimentInfo {
        name: spec.name.clone(),
        description: spec.description.clone(),
        spec_yaml: spec.source.clone(),
        spec_hash: header.spec_hash.clone(),
        spec_path,
        objective: spec.metric.name.clone(),
        goal: spec.metric.goal,
        seed: spec.seed,
        run_cap: header.planned,
        status: ExperimentStatus::Running,
        created: clock.now(),
        finished: None,
    };
    store.create_experiment(&info)?;
    let window = header.parallel.max(1);
    // The trials whose test-split result came (an earlier best's too, after a larger run cap).
    let mut tested: BTreeSet<TrialId> = BTreeSet::new();
    let mut hearing = Hearing::new(
        watcher.journals(),
        header.agents,
        quiet_after,
        Instant::now(),
    );
    // Once every needed trial ended: the best trial, whose agent publishes the test split's
    // result (with no metrics when there is none); none when no trial completed.
    let mut ended: Option<Option<TrialId>> = None;
    // The first trial not ended, as of the last read of the store's trials: everyone's wait.
    let mut open: Option<TrialId> = None;
    let mut first = true;
    // The agents whose last line read is an abort, with its reason; and those the observer
    // was told of.
    let mut stopped: BTreeMap<u32, String> = BTreeMap::new();
    let mut told: BTreeSet<u32> = BTreeSet::new();
    // Whether the last read of the journals failed.
    let mut failed = false;
    loop {
        let taken = take(watcher, store, spec, header.agents, &mut stopped);
        if failed && taken.fault.is_none() {
            failed = false;
            observer.following_resumed();
        }
        tested.extend(taken.tested);
        let now = Instant::now();
        hearing.note(watcher.journals(), now, observer);
        // The store's trials change only with the journals' events: read them again then.
        if ended.is_none() && (first || taken.events > 0) {
            first = false;
            let trials = store.trials(&spec.name)?;
            // The study began with its first trial, not when the following did.
            let began = info.began(&trials);
            if began != info.created {
                info.created = began;
                store.update_experiment(&info)?;
            }
            let needed = needed_trials(header.planned, spec.stopped_by(&trials), window);
            let finished: BTreeSet<TrialId> = trials
                .iter()
                .filter(|t| t.state.is_finished())
                .map(|t| t.id)
                .collect();
            open = (0..needed).map(TrialId).find(|id| !finished.contains(id));
            if open.is_none() {
                info.status = ExperimentStatus::Finished;
                // It ended with its last trial, which may be long before the following began.
                let last = trials.iter().filter_map(|t| t.finished).max();
                info.finished = Some(last.unwrap_or_else(|| clock.now()));
                store.update_experiment(&info)?;
                store.flush()?;
                ended = Some(spec.best(&trials).map(|t| t.id));
            }
        }
        // Stopped where an agent stopped on an error, until it is started again, or where
        // the journals do not read.
        let fault = taken.fault;
        set_status(
            store,
            &mut info,
            ended.is_some(),
            !stopped.is_empty() || fault.is_some(),
        )?;
        if let Some(error) = fault {
            failed = true;
            observer.following_failed(&error, retry);
            if wait(stop, retry) {
                return Ok(ended.is_some());
            }
            // Read again from the start: the journal may have been mended, and the events
            // after the fault in the failed poll were not all stored (those before it were,
            // and are stored again alike).
            watcher.rewind();
            stopped.clear();
            first = true;
            continue;
        }
        for (agent, reason) in &stopped {
            if told.insert(*agent) {
                observer.agent_stopped(*agent, header.agents, reason);
            }
        }
        told.retain(|agent| {
            let still = stopped.contains_key(agent);
            if !still {
                observer.agent_restarted(*agent, header.agents);
            }
            still
        });
        match ended {
            Some(None) => return Ok(true),
            Some(Some(best)) if tested.contains(&best) => return Ok(true),
            Some(Some(best)) => {
                let agent = owner(best, header.agents);
                hearing.check((best, true), agent, now, observer);
            }
            // The open trial's agent, if quiet, is said to be.
            None => {
                if let Some(open) = open {
                    let agent = owner(open, header.agents);
                    hearing.check((open, false), agent, now, observer);
                }
            }
        }
        if stop.closed() {
            return Ok(ended.is_some());
        }
        std::thread::sleep(poll);
    }
}

/// Stores the followed experiment's status as `interrupted` while it is `stopped` (an agent
/// stopped on an error, or its journals do not read), `running` otherwise; a study whose every
/// trial `ended` stays `finished`.
fn set_status(store: &Store, info: &mut ExperimentInfo, ended: bool, stopped: bool) -> Result<()> {
    let status = match (ended, stopped) {
        (true, _) => return Ok(()),
        (false, true) => ExperimentStatus::Interrupted,
        (false, false) => ExperimentStatus::Running,
    };
    if info.status != status {
        info.status = status;
        store.update_experiment(info)?;
    }
    Ok(())
}

/// Waits `time`, or until `stop` closes; returns whether it closed.
fn wait(stop: &Stop, time: Duration) -> bool {
    let until = Instant::now() + time;
    loop {
        if stop.closed() {
            return true;
        }
        let now = Instant::now();
        if now >= until {
            return false;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(100)));
    }
}

/// What one read of the journals brought.
struct Taken {
    /// How many events came and were stored.
    events: usize,
    /// The trials whose test-split result came.
    tested: Vec<TrialId>,
    /// The first fault met: a journal that does not read, an event no agent could have
    /// written (the rest of its agent's events not taken), or the store refusing a write.
    fault: Option<crate::Error>,
}

/// Reads the agents' new events (of `agents` agents) and writes them into `store` under the
/// experiment of `spec`, each checked as an agent checks the others' (`agents::check_event`);
/// keeps in `stopped` the agents whose last line read is an abort, with its reason (a later
/// line of the agent's is its restart). A journal that does not read, or an event refused,
/// stops the taking of its agent's events there, not the others': what every agent said up to
/// the fault is stored, so that a follower shows it.
fn take(
    watcher: &mut Watcher,
    store: &Store,
    spec: &ExperimentSpec,
    agents: u32,
    stopped: &mut BTreeMap<u32, String>,
) -> Taken {
    let (heard, faults) = watcher.poll_readable();
    let mut taken = Taken {
        events: 0,
        tested: Vec::new(),
        fault: faults.into_iter().next().map(crate::Error::from),
    };
    // The agents an event of which was refused: their later events wait for the re-read.
    let mut refused: BTreeSet<u32> = BTreeSet::new();
    for heard in heard {
        if refused.contains(&heard.agent) {
            continue;
        }
        match take_one(store, spec, agents, &heard, stopped) {
            Ok(tested) => {
                taken.events += 1;
                taken.tested.extend(tested);
            }
            Err(error) => {
                refused.insert(heard.agent);
                taken.fault.get_or_insert(error);
            }
        }
    }
    taken
}

/// Writes the event `heard` into `store` as `take` does; returns the trial whose test-split
/// result it is, if it is one.
fn take_one(
    store: &Store,
    spec: &ExperimentSpec,
    agents: u32,
    heard: &store::Polled,
    stopped: &mut BTreeMap<u32, String>,
) -> Result<Option<TrialId>> {
    match &heard.event {
        JournalEvent::Abort(reason) => {
            stopped.insert(heard.agent, reason.clone());
            Ok(None)
        }
        event => {
            crate::agents::check_event(spec, store, agents, heard)?;
            stopped.remove(&heard.agent);
            record(store, &spec.name, event)?;
            Ok(match event {
                JournalEvent::Tested(result) => Some(result.trial),
                _ => None,
            })
        }
    }
}

#[cfg(test)]
mod tests;
