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
/// said to the observer (`following_failed`), and are read again from the start every
/// `follow.retry` until they read. The agent the study waits for, to run a trial or to measure
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
        let taken = match take(watcher, store, spec, header.agents, &mut stopped) {
            Ok(taken) => taken,
            Err(error) => {
                failed = true;
                set_status(store, &mut info, ended.is_some(), true)?;
                observer.following_failed(&error, retry);
                if wait(stop, retry) {
                    return Ok(ended.is_some());
                }
                // Read again from the start: the journal may have been mended, and the events
                // read before the fault in the failed poll were not all stored.
                watcher.rewind();
                stopped.clear();
                first = true;
                continue;
            }
        };
        if failed {
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
        // Stopped where an agent stopped on an error, until it is started again.
        set_status(store, &mut info, ended.is_some(), !stopped.is_empty())?;
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
    /// How many events came.
    events: usize,
    /// The trials whose test-split result came.
    tested: Vec<TrialId>,
}

/// Reads the agents' new events (of `agents` agents) and writes them into `store` under the
/// experiment of `spec`, each checked as an agent checks the others' (`agents::check_event`);
/// keeps in `stopped` the agents whose last line is an abort, with its reason (a later line of
/// the agent's is its restart).
fn take(
    watcher: &mut Watcher,
    store: &Store,
    spec: &ExperimentSpec,
    agents: u32,
    stopped: &mut BTreeMap<u32, String>,
) -> Result<Taken> {
    let name = &spec.name;
    let mut taken = Taken {
        events: 0,
        tested: Vec::new(),
    };
    for heard in watcher.poll_placed()? {
        taken.events += 1;
        match &heard.event {
            JournalEvent::Abort(reason) => {
                stopped.insert(heard.agent, reason.clone());
            }
            event => {
                stopped.remove(&heard.agent);
                if let JournalEvent::Tested(result) = event {
                    taken.tested.push(result.trial);
                }
                crate::agents::check_event(spec, store, agents, &heard)?;
                record(store, name, event)?;
            }
        }
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicI64;

    use experiment::{Method, PrunerSpec};

    use super::*;
    use crate::testing::*;
    use crate::{run_study, AgentOptions, SilentObserver, StudyOptions};

    /// Joins the exchange `dir` as agent 0 of `agents` of a study of `spec` (4 trials, one
    /// side by side per agent), as a journal a follower reads.
    fn agent_0_of(spec: &ExperimentSpec, agents: u32, dir: &std::path::Path) -> store::Exchange {
        let header = store::AgentHeader {
            experiment: "toy".into(),
            agent: 0,
            agents,
            parallel: agents,
            planned: 4,
            spec_hash: spec.hash(),
            data_hash: String::new(),
            spec_text: spec.source.clone(),
            warm_hash: String::new(),
        };
        store::Exchange::join(dir, header).unwrap().0
    }

    /// Follows the study of `spec` in the exchange `dir` (a journal there holds its header)
    /// into a new store, telling `observer` of agents quiet for `quiet_ms`, until `stop`.
    fn follow_in(
        dir: &std::path::Path,
        spec: &ExperimentSpec,
        (observer, stop): (&dyn Observer, &Stop),
        quiet_ms: u64,
    ) -> (Store, Result<bool>) {
        let followed = Store::temporary().unwrap();
        let ended = follow_into(&followed, dir, spec, (observer, stop), quiet_ms);
        (followed, ended)
    }

    /// Follows as `follow_in` does, into `followed`.
    fn follow_into(
        followed: &Store,
        dir: &std::path::Path,
        spec: &ExperimentSpec,
        (observer, stop): (&dyn Observer, &Stop),
        quiet_ms: u64,
    ) -> Result<bool> {
        let mut watcher = Watcher::new(dir, "toy");
        assert!(watcher.read_header().unwrap().is_some());
        let follow = Follow {
            watcher: &mut watcher,
            spec_path: "exchange".into(),
            poll: Duration::from_millis(1),
            quiet_after: Duration::from_millis(quiet_ms),
            retry: Duration::from_millis(1),
        };
        // Following begins long after the trials of `end_trials`.
        let clock = TickClock(AtomicI64::new(1_000_000));
        follow_study(followed, spec, follow, (&clock, observer), stop)
    }

    /// Records what a follower says of stopped agents and of journals that do not read, and
    /// runs `then` on what it said each time.
    struct Told<F>(std::sync::Mutex<Vec<String>>, F);

    impl<F: Fn(&str) + Sync> Told<F> {
        fn say(&self, said: String) {
            self.0.lock().unwrap().push(said.clone());
            (self.1)(&said);
        }
    }

    impl<F: Fn(&str) + Sync> Observer for Told<F> {
        fn agent_stopped(&self, agent: u32, agents: u32, reason: &str) {
            self.say(format!("stopped: agent {agent} of {agents}: {reason}"));
        }
        fn agent_restarted(&self, agent: u32, agents: u32) {
            self.say(format!("restarted: agent {agent} of {agents}"));
        }
        fn following_failed(&self, error: &crate::Error, _retry: Duration) {
            self.say(format!("failed: {error}"));
        }
        fn following_resumed(&self) {
            self.say("resumed".into());
        }
    }

    /// Records what a follower says of quiet agents, and closes its stop once it said one.
    struct Said(std::sync::Mutex<Vec<String>>, Stop);

    impl Observer for Said {
        fn agent_quiet(&self, quiet: &crate::QuietAgent) {
            self.0.lock().unwrap().push(format!(
                "quiet: agent {} of {}, trial {}, joined {}{}",
                quiet.agent,
                quiet.agents,
                quiet.trial,
                quiet.joined,
                if quiet.measuring {
                    ", measuring true"
                } else {
                    ""
                }
            ));
            self.1.close();
        }
    }

    #[test]
    fn a_follower_refuses_a_journal_line_no_agent_could_have_written() {
        let spec = spec(4, "follow");
        // A trial whose `lr` is text (a hand-edited line), and one another agent runs.
        for (id, lr, said) in [
            (
                0,
                experiment::ParamValue::Str("abc".into()),
                "`lr` expected a number",
            ),
            (1, experiment::ParamValue::Float(0.5), "which agent 1 runs"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let agent = agent_0_of(&spec, 2, dir.path());
            let trial = experiment::Trial {
                id: TrialId(id),
                seed: experiment::Seed(1),
                params: [("lr".to_string(), lr)].into(),
                state: experiment::TrialState::Running,
                reason: None,
                started: Some(experiment::Timestamp(1000)),
                finished: None,
                result: None,
            };
            agent
                .publish(&JournalEvent::Start(trial, store::TrialTrace::default()))
                .unwrap();
            // Refused, it is read again until mended; here the following stops instead.
            let stop = Stop::default();
            let told = Told(std::sync::Mutex::default(), |_: &str| stop.close());
            let (followed, ended) = follow_in(dir.path(), &spec, (&told, &stop), 20);
            assert!(!ended.unwrap());
            let err = told.0.lock().unwrap().concat();
            assert!(err.contains(said), "{err}");
            // Its place: the line after the header.
            let place = format!("failed: agent journal {}:2: ", agent.own_path().display());
            assert!(err.starts_with(&place), "{err}");
            assert!(followed.trials("toy").unwrap().is_empty());
            let info = followed.experiment("toy").unwrap().unwrap();
            assert_eq!(info.status, ExperimentStatus::Interrupted);
        }
    }

    #[test]
    fn a_follower_says_which_agent_the_study_waits_for() {
        let spec = spec(4, "follow");
        let dir = tempfile::tempdir().unwrap();
        // Agent 0 of 2 ran its trial 0; agent 1, which runs trial 1, never joined.
        let agent = agent_0_of(&spec, 2, dir.path());
        end_trials(&agent, 0..1, false);
        let said = Said(std::sync::Mutex::default(), Stop::default());
        let (followed, ended) = follow_in(dir.path(), &spec, (&said, &said.1), 20);
        assert!(!ended.unwrap(), "stopped while it waits");
        assert_eq!(
            *said.0.lock().unwrap(),
            ["quiet: agent 1 of 2, trial 1, joined false"]
        );
        let trials = followed.trials("toy").unwrap();
        assert_eq!(trials.len(), 1);
        assert_eq!(trials[0].state, experiment::TrialState::Failed);
    }

    /// Publishes trials `ids` in `agent`'s journal as ended: each completed with `val_loss` 1 +
    /// its number when `completed`, else failed; trial `k` ran from 1000 + 10k to 1005 + 10k.
    fn end_trials(agent: &store::Exchange, ids: std::ops::Range<u32>, completed: bool) {
        for id in ids {
            let trial = |state| experiment::Trial {
                id: TrialId(id),
                seed: experiment::Seed(1),
                params: [("lr".to_string(), experiment::ParamValue::Float(0.5))].into(),
                state,
                reason: None,
                started: Some(experiment::Timestamp(1000 + 10 * i64::from(id))),
                finished: (state != experiment::TrialState::Running)
                    .then_some(experiment::Timestamp(1005 + 10 * i64::from(id))),
                result: completed.then(|| experiment::TrialResult {
                    best_step: experiment::Step(1),
                    metrics: [("val_loss".to_string(), f64::from(id) + 1.0)].into(),
                }),
            };
            agent
                .publish(&JournalEvent::Start(
                    trial(experiment::TrialState::Running),
                    store::TrialTrace::default(),
                ))
                .unwrap();
            agent
                .publish(&JournalEvent::Report {
                    trial: TrialId(id),
                    step: experiment::Step(1),
                    metrics: vec![experiment::MetricPoint {
                        name: "val_loss".into(),
                        value: f64::from(id) + 1.0,
                    }],
                })
                .unwrap();
            let state = if completed {
                experiment::TrialState::Completed
            } else {
                experiment::TrialState::Failed
            };
            agent
                .publish(&JournalEvent::Finish(
                    trial(state),
                    store::TrialTrace::default(),
                ))
                .unwrap();
        }
    }

    #[test]
    fn a_follower_ends_without_a_test_result_when_no_trial_completed() {
        let spec = spec(4, "follow");
        let dir = tempfile::tempdir().unwrap();
        let agent = agent_0_of(&spec, 1, dir.path());
        end_trials(&agent, 0..4, false);
        let stop = Stop::default();
        let (followed, ended) = follow_in(dir.path(), &spec, (&SilentObserver, &stop), 3_600_000);
        assert!(
            ended.unwrap(),
            "every trial ended; no test result is to come"
        );
        let info = followed.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Finished);
        assert!(followed.test_result("toy").unwrap().is_none());
        // Followed after it ended, the study still began with its first trial and ended with
        // its last.
        assert_eq!(info.created, experiment::Timestamp(1000));
        assert_eq!(info.finished, Some(experiment::Timestamp(1035)));
    }

    #[test]
    fn a_follower_says_when_the_measuring_agent_is_quiet() {
        let spec = spec(4, "follow");
        let dir = tempfile::tempdir().unwrap();
        let agent = agent_0_of(&spec, 1, dir.path());
        end_trials(&agent, 0..4, true);
        let said = Said(std::sync::Mutex::default(), Stop::default());
        let (followed, ended) = follow_in(dir.path(), &spec, (&said, &said.1), 20);
        assert!(ended.unwrap(), "every trial ended before the stop");
        // The best trial (0, the lowest loss) is agent 0's to measure.
        assert_eq!(
            *said.0.lock().unwrap(),
            ["quiet: agent 0 of 1, trial 0, joined true, measuring true"]
        );
        let info = followed.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Finished);
    }

    #[test]
    fn a_follower_waits_for_the_best_trial_s_own_test_result() {
        let spec = spec(4, "follow");
        let dir = tempfile::tempdir().unwrap();
        let agent = agent_0_of(&spec, 1, dir.path());
        end_trials(&agent, 0..4, true);
        // An earlier best's result (a study whose run cap was raised since) is not the one.
        let tested = |trial| {
            JournalEvent::Tested(store::TestResult {
                trial: TrialId(trial),
                metrics: [("test_loss".to_string(), 0.5)].into(),
            })
        };
        agent.publish(&tested(3)).unwrap();
        let said = Said(std::sync::Mutex::default(), Stop::default());
        let (_, ended) = follow_in(dir.path(), &spec, (&said, &said.1), 20);
        assert!(ended.unwrap());
        assert_eq!(
            *said.0.lock().unwrap(),
            ["quiet: agent 0 of 1, trial 0, joined true, measuring true"]
        );
        // The best trial's own result ends the following at once.
        agent.publish(&tested(0)).unwrap();
        let said = Said(std::sync::Mutex::default(), Stop::default());
        let (followed, ended) = follow_in(dir.path(), &spec, (&said, &said.1), 3_600_000);
        assert!(ended.unwrap());
        assert!(said.0.lock().unwrap().is_empty());
        let result = followed.test_result("toy").unwrap().unwrap();
        assert_eq!(result.trial, TrialId(0));
    }

    #[test]
    fn issue_aud_1_a_follower_shows_where_an_agent_stopped_on_an_error_until_it_restarts() {
        // Before every trial ended, the experiment is interrupted while the agent's last line is
        // its abort; after (the measuring agent could not measure the best trial on the test
        // split), it stays finished. Either way the follower goes on, and the agent started
        // again ends the study.
        for trials_ended in [false, true] {
            let spec = spec(4, "follow");
            let dir = tempfile::tempdir().unwrap();
            let agent = agent_0_of(&spec, 1, dir.path());
            if trials_ended {
                end_trials(&agent, 0..4, true);
            }
            agent
                .publish(&JournalEvent::Abort("no space left".into()))
                .unwrap();
            let followed = Store::temporary().unwrap();
            let statuses = std::sync::Mutex::new(Vec::new());
            let told = Told(std::sync::Mutex::default(), |said: &str| {
                if said.starts_with("stopped") {
                    let info = followed.experiment("toy").unwrap().unwrap();
                    statuses.lock().unwrap().push(info.status);
                    // Mended and started again, the agent runs its trials.
                    if !trials_ended {
                        end_trials(&agent, 0..4, true);
                    }
                    agent
                        .publish(&JournalEvent::Tested(store::TestResult {
                            trial: TrialId(0),
                            metrics: [("test_loss".to_string(), 0.5)].into(),
                        }))
                        .unwrap();
                }
            });
            let stop = Stop::default();
            let ended = follow_into(&followed, dir.path(), &spec, (&told, &stop), 3_600_000);
            assert!(ended.unwrap(), "every trial ended");
            assert_eq!(
                *told.0.lock().unwrap(),
                [
                    "stopped: agent 0 of 1: no space left",
                    "restarted: agent 0 of 1"
                ]
            );
            let shown = if trials_ended {
                ExperimentStatus::Finished
            } else {
                ExperimentStatus::Interrupted
            };
            assert_eq!(*statuses.lock().unwrap(), [shown]);
            let info = followed.experiment("toy").unwrap().unwrap();
            assert_eq!(info.status, ExperimentStatus::Finished);
            assert!(followed.test_result("toy").unwrap().is_some());
            assert_eq!(followed.trials("toy").unwrap().len(), 4);
        }
    }

    #[test]
    fn issue_aud_1_a_follower_passes_over_an_abort_its_agent_recovered_from() {
        // The agent stopped on an error after 2 trials, was started again and ran the rest.
        let spec = spec(4, "follow");
        let dir = tempfile::tempdir().unwrap();
        let agent = agent_0_of(&spec, 1, dir.path());
        end_trials(&agent, 0..2, true);
        agent.publish(&JournalEvent::Abort("boom".into())).unwrap();
        end_trials(&agent, 2..4, true);
        agent
            .publish(&JournalEvent::Tested(store::TestResult {
                trial: TrialId(0),
                metrics: [("test_loss".to_string(), 0.5)].into(),
            }))
            .unwrap();
        let told = Told(std::sync::Mutex::default(), |_: &str| {});
        let stop = Stop::default();
        let (followed, ended) = follow_in(dir.path(), &spec, (&told, &stop), 3_600_000);
        assert!(ended.unwrap());
        assert!(told.0.lock().unwrap().is_empty());
        let info = followed.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Finished);
        assert_eq!(followed.trials("toy").unwrap().len(), 4);
    }

    #[test]
    fn issue_aud_1_a_follower_reads_a_mended_journal_again() {
        let spec = spec(4, "follow");
        let dir = tempfile::tempdir().unwrap();
        let agent = agent_0_of(&spec, 1, dir.path());
        end_trials(&agent, 0..4, true);
        agent
            .publish(&JournalEvent::Tested(store::TestResult {
                trial: TrialId(0),
                metrics: [("test_loss".to_string(), 0.5)].into(),
            }))
            .unwrap();
        // Line 5 (trial 1's start) damaged.
        let path = agent.own_path().to_path_buf();
        let whole = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = whole.lines().collect();
        lines[4] = "{\"v\":1,";
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let followed = Store::temporary().unwrap();
        let statuses = std::sync::Mutex::new(Vec::new());
        let told = Told(std::sync::Mutex::default(), |said: &str| {
            let info = followed.experiment("toy").unwrap().unwrap();
            statuses.lock().unwrap().push(info.status);
            // The second time, it is mended.
            if said.starts_with("failed") && statuses.lock().unwrap().len() == 2 {
                std::fs::write(&path, &whole).unwrap();
            }
        });
        let stop = Stop::default();
        let ended = follow_into(&followed, dir.path(), &spec, (&told, &stop), 3_600_000);
        assert!(ended.unwrap(), "every trial ended");
        let said = told.0.lock().unwrap().clone();
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(
            said[0].starts_with("failed: agent journal ") && said[0].contains("agent-0.jsonl:5: "),
            "{said:?}"
        );
        assert_eq!(said[1], said[0]);
        assert_eq!(said[2], "resumed");
        // Never `running` while the journals did not read.
        assert_eq!(
            *statuses.lock().unwrap(),
            [ExperimentStatus::Interrupted; 3]
        );
        let info = followed.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Finished);
        assert_eq!(followed.trials("toy").unwrap().len(), 4);
        assert!(followed.test_result("toy").unwrap().is_some());
    }

    #[test]
    fn issue_aud_2_a_follower_refuses_a_result_the_trial_s_reports_do_not_give() {
        let spec = spec(4, "follow");
        // Hand edits that keep the JSON valid: trial 0's result changed, and trial 0's start and
        // report taken out with its end kept.
        for (edit, line, said) in [
            (
                0,
                4,
                "trial 0 ends with a result its reports do not give: `val_loss` is 9 at its best \
                 step, epoch 1, where the journal reports 1; was the journal edited?",
            ),
            (
                1,
                2,
                "trial 0 ends with a result its reports do not give: its best step is epoch 1, \
                 but the journal reports none of its epochs; was the journal edited?",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let agent = agent_0_of(&spec, 1, dir.path());
            end_trials(&agent, 0..4, true);
            // (Trial 1 is the best once trial 0's result is changed.)
            for trial in [0, 1] {
                agent
                    .publish(&JournalEvent::Tested(store::TestResult {
                        trial: TrialId(trial),
                        metrics: [("test_loss".to_string(), 0.5)].into(),
                    }))
                    .unwrap();
            }
            let path = agent.own_path().to_path_buf();
            let whole = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<String> = whole.lines().map(str::to_string).collect();
            if edit == 0 {
                // Line 4, trial 0's end: `val_loss` 1 becomes 9, as written by `FloatV1`.
                let edited = lines[3].replace("1.0", "9.0");
                assert_ne!(edited, lines[3]);
                lines[3] = edited;
            } else {
                lines.drain(1..3);
            }
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            let stop = Stop::default();
            let told = Told(std::sync::Mutex::default(), |_: &str| stop.close());
            let (followed, ended) = follow_in(dir.path(), &spec, (&told, &stop), 3_600_000);
            assert!(!ended.unwrap());
            let expected = format!("failed: agent journal {}:{line}: {said}", path.display());
            assert_eq!(*told.0.lock().unwrap(), [expected]);
            let kept = followed.trial("toy", TrialId(0)).unwrap();
            assert!(kept.is_none_or(|t| t.state == experiment::TrialState::Running));
        }
    }

    #[test]
    fn a_follower_ends_with_what_the_agents_stored() {
        let mut spec = spec(8, "follow");
        spec.method = Method::Tpe(experiment::TpeConfig {
            n_startup_trials: 2,
            ..Default::default()
        });
        spec.pruner = PrunerSpec::Median {
            n_startup_trials: 2,
            n_warmup_steps: 0,
        };
        let dir = tempfile::tempdir().unwrap();
        let followed = Store::temporary().unwrap();
        let agents: Vec<Store> = (0..2).map(|_| Store::temporary().unwrap()).collect();
        std::thread::scope(|scope| {
            let (spec, dir, followed) = (&spec, dir.path(), &followed);
            let follower = scope.spawn(move || {
                let mut watcher = Watcher::new(dir, "toy");
                while watcher.read_header().unwrap().is_none() {
                    std::thread::sleep(Duration::from_millis(1));
                }
                let follow = Follow {
                    watcher: &mut watcher,
                    spec_path: "exchange".into(),
                    poll: Duration::from_millis(1),
                    quiet_after: Duration::from_secs(3600),
                    retry: Duration::from_millis(1),
                };
                let clock = TickClock(AtomicI64::new(0));
                follow_study(
                    followed,
                    spec,
                    follow,
                    (&clock, &SilentObserver),
                    &Stop::default(),
                )
            });
            for (agent, store) in (0..2u32).zip(&agents) {
                scope.spawn(move || {
                    let options = StudyOptions {
                        agent: Some(AgentOptions {
                            agent,
                            agents: 2,
                            exchange: dir.to_path_buf(),
                            poll: Duration::from_millis(1),
                            quiet_after: Duration::from_secs(3600),
                        }),
                        ..options(2)
                    };
                    let objective = Quadratic {
                        jitter: |k| u64::from((k * 3 + 1) % 4),
                        ..quadratic(2.0)
                    };
                    let clock = TickClock(AtomicI64::new(0));
                    run_study(store, spec, &objective, &SilentObserver, &clock, &options).unwrap();
                });
            }
            assert!(follower.join().unwrap().unwrap(), "the study ended");
        });
        let info = followed.experiment("toy").unwrap().unwrap();
        assert_eq!(info.status, ExperimentStatus::Finished);
        assert_eq!(info.run_cap, 8);
        let view = |store: &Store| -> Vec<String> {
            store
                .trials("toy")
                .unwrap()
                .iter()
                .map(|t| {
                    let curve = store.metric_series("toy", t.id, "val_loss").unwrap();
                    format!("{t:?} {curve:?}")
                })
                .collect()
        };
        let expected = view(&agents[0]);
        assert_eq!(expected.len(), 8);
        assert_eq!(view(&followed), expected);
        assert_eq!(view(&agents[1]), expected);
    }
}
