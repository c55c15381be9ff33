//! Tests of following a study from its agents' journals: how the following ends, and which
//! agent it says the study waits for; those of agents that stop on an error and journals that
//! do not read are in `faults`.

mod faults;

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
