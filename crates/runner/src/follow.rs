//! Following a study that agents run, from their journals alone, without taking part: what
//! `sweep serve --exchange DIR` shows on a machine that sees the exchange folder but runs no
//! agent (a cluster's login node), where no agent's store can be opened (each is its agent's).
//!
//! The follower writes into a store of its own what the journals say, as an agent writes what
//! the others' say into its store (`agents::record`), so the dashboard shows the study live;
//! the experiment is `running` until every trial the study needs has ended, then `finished`.

use std::collections::BTreeSet;
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
}

/// Follows the study of `spec` that `follow.watcher` reads, into `store` (which must not hold
/// the experiment yet), until every trial it needs has ended and, when one completed, the test
/// split's result has come, or `stop` closes; returns whether every trial ended. An agent's
/// abort ends the following with its error (the experiment stays finished when every trial
/// had ended and only the test split's measure failed); the agent the study waits for, to run
/// a trial or to measure the best one, is said to be quiet (`Observer::agent_quiet`).
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
    loop {
        let taken = take(watcher, store, spec, header.agents)?;
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
        if let Some((agent, reason)) = taken.abort {
            // The study stopped there: shown as a sweep that was stopped, unless every trial
            // had ended and only the test split's measure failed.
            if ended.is_none() {
                info.status = ExperimentStatus::Interrupted;
                store.update_experiment(&info)?;
            }
            return Err(crate::Error::AgentFailed { agent, reason });
        }
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

/// What one read of the journals brought.
struct Taken {
    /// How many events came.
    events: usize,
    /// The trials whose test-split result came.
    tested: Vec<TrialId>,
    /// The first agent that stopped on an error, and why.
    abort: Option<(u32, String)>,
}

/// Reads the agents' new events (of `agents` agents) and writes them into `store` under the
/// experiment of `spec`, each checked as an agent checks the others' (`agents::check_event`).
fn take(watcher: &mut Watcher, store: &Store, spec: &ExperimentSpec, agents: u32) -> Result<Taken> {
    let name = &spec.name;
    let mut taken = Taken {
        events: 0,
        tested: Vec::new(),
        abort: None,
    };
    for (agent, event) in watcher.poll()? {
        taken.events += 1;
        match event {
            JournalEvent::Abort(reason) => {
                taken.abort.get_or_insert((agent, reason));
            }
            event => {
                if let JournalEvent::Tested(result) = &event {
                    taken.tested.push(result.trial);
                }
                crate::agents::check_event(spec, (agent, agents), &event)?;
                record(store, name, &event)?;
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
        let mut watcher = Watcher::new(dir, "toy");
        assert!(watcher.read_header().unwrap().is_some());
        let followed = Store::temporary().unwrap();
        let follow = Follow {
            watcher: &mut watcher,
            spec_path: "exchange".into(),
            poll: Duration::from_millis(1),
            quiet_after: Duration::from_millis(quiet_ms),
        };
        // Following begins long after the trials of `end_trials`.
        let clock = TickClock(AtomicI64::new(1_000_000));
        let ended = follow_study(&followed, spec, follow, (&clock, observer), stop);
        (followed, ended)
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
            agent.publish(&JournalEvent::Start(trial)).unwrap();
            let stop = Stop::default();
            let (followed, ended) = follow_in(dir.path(), &spec, (&SilentObserver, &stop), 20);
            let err = ended.unwrap_err().to_string();
            assert!(err.contains(said), "{err}");
            assert!(followed.trials("toy").unwrap().is_empty());
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
                .publish(&JournalEvent::Start(trial(experiment::TrialState::Running)))
                .unwrap();
            let state = if completed {
                experiment::TrialState::Completed
            } else {
                experiment::TrialState::Failed
            };
            agent.publish(&JournalEvent::Finish(trial(state))).unwrap();
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
    fn a_follower_stops_where_an_agent_stopped_on_an_error() {
        // Before every trial ended, the experiment is left interrupted; after (the measuring
        // agent could not measure the best trial on the test split), it stays finished.
        for (trials_ended, status) in [
            (false, ExperimentStatus::Interrupted),
            (true, ExperimentStatus::Finished),
        ] {
            let spec = spec(4, "follow");
            let dir = tempfile::tempdir().unwrap();
            let agent = agent_0_of(&spec, 1, dir.path());
            if trials_ended {
                end_trials(&agent, 0..4, true);
            }
            agent
                .publish(&JournalEvent::Abort("no space left".into()))
                .unwrap();
            let stop = Stop::default();
            let (followed, ended) =
                follow_in(dir.path(), &spec, (&SilentObserver, &stop), 3_600_000);
            let err = ended.unwrap_err();
            assert!(err.to_string().contains("no space left"), "{err}");
            let info = followed.experiment("toy").unwrap().unwrap();
            assert_eq!(info.status, status);
            assert!(followed.test_result("toy").unwrap().is_none());
            let stored = followed.trials("toy").unwrap().len();
            assert_eq!(stored, if trials_ended { 4 } else { 0 });
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
