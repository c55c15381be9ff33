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

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use experiment::{ExperimentSpec, Trial, TrialId, TrialState};
use store::{AgentHeader, Exchange, JournalEvent, Store};

use crate::board::Board;
use crate::reporter;
use crate::{Error, Observer, Result, Stop, StudyOptions};

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
}

impl AgentOptions {
    /// Returns the agent that runs trial `id`.
    fn owner(&self, id: TrialId) -> u32 {
        id.0 % self.agents.max(1)
    }

    /// Returns whether this agent runs trial `id`.
    pub(crate) fn owns(&self, id: TrialId) -> bool {
        self.owner(id) == self.agent
    }
}

/// An agent that has joined the exchange, before it runs anything.
pub(crate) struct Met {
    exchange: Exchange,
    /// What its journal held from an earlier run.
    earlier: Vec<JournalEvent>,
    /// What the other agents had written, their headers checked.
    first: Vec<(u32, JournalEvent)>,
}

/// Joins the exchange as agent `options.agent` of a study of `spec` planning `planned` trials,
/// and reads what the others wrote so far: refuses, before the agent writes anything, an
/// earlier journal of its own or another agent's with other settings.
pub(crate) fn meet(
    options: &AgentOptions,
    spec: &ExperimentSpec,
    study: &StudyOptions,
    planned: u32,
) -> Result<Met> {
    let header = AgentHeader {
        experiment: spec.name.clone(),
        agent: options.agent,
        agents: options.agents,
        parallel: u32::try_from(study.parallel.max(1)).unwrap_or(u32::MAX),
        planned,
        spec_hash: spec.hash(),
        data_hash: study
            .record
            .as_ref()
            .map_or_else(String::new, |r| r.data_hash.clone()),
    };
    let (exchange, earlier) = Exchange::join(&options.exchange, header)?;
    let first = exchange.poll()?;
    Ok(Met {
        exchange,
        earlier,
        first,
    })
}

/// This agent's link to the others: publishes its own trials' events and applies theirs.
pub(crate) struct Peers<'a> {
    exchange: Exchange,
    options: &'a AgentOptions,
    store: &'a Store,
    spec: &'a ExperimentSpec,
    board: &'a Board,
    observer: &'a dyn Observer,
    /// Remote trials the store held finished when the agent started: their replayed events go
    /// on the board only.
    settled: BTreeSet<TrialId>,
}

impl<'a> Peers<'a> {
    /// Publishes the finished trials of this agent that its journal lacks (it was killed
    /// between storing and publishing them), and applies what the other agents wrote so far.
    pub(crate) fn join(
        met: Met,
        options: &'a AgentOptions,
        store: &'a Store,
        spec: &'a ExperimentSpec,
        board: &'a Board,
        observer: &'a dyn Observer,
        existing: &[Trial],
    ) -> Result<Peers<'a>> {
        let Met {
            exchange,
            earlier,
            first,
        } = met;
        let published: BTreeSet<TrialId> = earlier
            .iter()
            .filter_map(|e| match e {
                JournalEvent::Finish(t) => Some(t.id),
                _ => None,
            })
            .collect();
        let settled = existing
            .iter()
            .filter(|t| t.state.is_finished() && !options.owns(t.id))
            .map(|t| t.id)
            .collect();
        let peers = Peers {
            exchange,
            options,
            store,
            spec,
            board,
            observer,
            settled,
        };
        for trial in existing {
            if options.owns(trial.id) && trial.state.is_finished() && !published.contains(&trial.id)
            {
                peers.republish(trial)?;
            }
        }
        for (agent, event) in first {
            peers.apply(agent, event)?;
        }
        peers.catch_up()?;
        Ok(peers)
    }

    /// Publishes `event` about one of this agent's trials.
    pub(crate) fn publish(&self, event: &JournalEvent) -> Result<()> {
        Ok(self.exchange.publish(event)?)
    }

    /// Tells the others that this agent stopped on `error`, so that they do not wait for it.
    pub(crate) fn abort(&self, error: &Error) {
        if let Err(e) = self.publish(&JournalEvent::Abort(error.to_string())) {
            tracing::warn!(%e, "could not tell the other agents of the error");
        }
    }

    /// Applies the other agents' events until `done`, reading their journals every `poll`.
    pub(crate) fn follow(&self, done: &AtomicBool) -> Result<()> {
        while !done.load(Ordering::SeqCst) {
            self.catch_up()?;
            std::thread::sleep(self.options.poll);
        }
        Ok(())
    }

    /// Applies the other agents' events until every trial the study needs has ended (as
    /// `needed` counts them from the finished trials), or `stop` closes the study.
    pub(crate) fn settle(&self, stop: &Stop, needed: impl Fn(&[Trial]) -> u32) -> Result<()> {
        // The board changes only by the others' events: it is looked at again only then.
        let mut changed = true;
        loop {
            if stop.closed() {
                return Ok(());
            }
            if changed && self.board.all_ended_below(needed(&self.board.finished())) {
                return Ok(());
            }
            std::thread::sleep(self.options.poll);
            changed = self.catch_up()?;
        }
    }

    /// Reads the other agents' new events and applies them; returns whether there were any.
    fn catch_up(&self) -> Result<bool> {
        let events = self.exchange.poll()?;
        let any = !events.is_empty();
        for (agent, event) in events {
            self.apply(agent, event)?;
        }
        Ok(any)
    }

    /// Puts another agent's event on the board and in the store, as if a local worker had.
    fn apply(&self, agent: u32, event: JournalEvent) -> Result<()> {
        let name = &self.spec.name;
        let about = match &event {
            JournalEvent::Start(t) | JournalEvent::Finish(t) => Some(t.id),
            JournalEvent::Report { trial, .. } | JournalEvent::Skip(trial) => Some(*trial),
            JournalEvent::Abort(_) => None,
        };
        if let Some(id) = about.filter(|id| self.options.owner(*id) != agent) {
            return Err(Error::StrayTrial {
                agent,
                trial: id,
                owner: self.options.owner(id),
            });
        }
        match event {
            JournalEvent::Start(trial) => {
                if !self.settled.contains(&trial.id) {
                    self.store.clear_metrics(name, trial.id)?;
                    self.store.put_trial(name, &trial)?;
                }
                self.board.start(trial.id, trial.params);
            }
            JournalEvent::Report {
                trial,
                step,
                metrics,
            } => {
                if !self.settled.contains(&trial) {
                    self.store.append_metrics(name, trial, step, &metrics)?;
                }
                let (value, _) = reporter::board_value(self.spec, &metrics);
                self.board.report(trial, step, value);
            }
            JournalEvent::Finish(trial) => {
                if !self.settled.contains(&trial.id) {
                    self.store.put_trial(name, &trial)?;
                    self.store.flush()?;
                    self.observer.trial_finished(&trial);
                }
                self.board.finish(trial);
            }
            JournalEvent::Skip(trial) => self.board.skip(trial),
            JournalEvent::Abort(reason) => return Err(Error::AgentFailed { agent, reason }),
        }
        Ok(())
    }

    /// Publishes a finished trial of this agent from the store: its start, reports and end.
    fn republish(&self, trial: &Trial) -> Result<()> {
        let started = Trial {
            state: TrialState::Running,
            reason: None,
            finished: None,
            result: None,
            ..trial.clone()
        };
        self.publish(&JournalEvent::Start(started))?;
        let series = self.store.all_metric_series(&self.spec.name, trial.id)?;
        let steps: BTreeSet<_> = series.values().flatten().map(|(s, _)| *s).collect();
        for step in steps {
            let metrics = series
                .iter()
                .filter_map(|(name, points)| {
                    points.iter().find(|(s, _)| *s == step).map(|(_, value)| {
                        experiment::MetricPoint {
                            name: name.clone(),
                            value: *value,
                        }
                    })
                })
                .collect();
            self.publish(&JournalEvent::Report {
                trial: trial.id,
                step,
                metrics,
            })?;
        }
        self.publish(&JournalEvent::Finish(trial.clone()))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::AtomicI64;

    use experiment::{Method, PrunerSpec, Step};

    use super::*;
    use crate::testing::*;
    use crate::{run_study, SilentObserver, StudyOptions, StudySummary};

    fn agent_options(agent: u32, agents: u32, exchange: &Path, parallel: usize) -> StudyOptions {
        StudyOptions {
            agent: Some(AgentOptions {
                agent,
                agents,
                exchange: exchange.to_path_buf(),
                poll: Duration::from_millis(1),
            }),
            ..options(parallel)
        }
    }

    /// Runs agent `agent` of `agents` on its own temporary store, with its own timing.
    fn run_agent(
        spec: &ExperimentSpec,
        agent: u32,
        agents: u32,
        exchange: &Path,
        parallel: usize,
        observer: &dyn Observer,
    ) -> (Store, crate::Result<StudySummary>) {
        let store = Store::temporary().unwrap();
        let objective = Quadratic {
            // Agents' trials of different lengths, in another pattern for each agent.
            jitter: |k| u64::from((k * 7 + 3) % 4),
            ..quadratic(2.0)
        };
        let clock = TickClock(AtomicI64::new(0));
        let options = agent_options(agent, agents, exchange, parallel);
        let summary = run_study(&store, spec, &objective, observer, &clock, &options);
        (store, summary)
    }

    /// What must not depend on who ran a trial: parameters, state, reason, values, curve.
    fn view(store: &Store, summary: &StudySummary) -> Vec<String> {
        summary
            .trials
            .iter()
            .map(|t| {
                let curve = store.metric_series("toy", t.id, "val_loss").unwrap();
                let bits: Vec<_> = curve.iter().map(|(s, v)| (s.0, v.to_bits())).collect();
                format!(
                    "{} {:?} {:?} {:?} {:?} {bits:?}",
                    t.id,
                    t.state,
                    t.reason,
                    t.params["lr"].as_f64().map(f64::to_bits),
                    t.value("val_loss").map(f64::to_bits),
                )
            })
            .collect()
    }

    fn tpe_with_median(run_cap: u32) -> ExperimentSpec {
        let mut spec = spec(run_cap, "agents");
        spec.method = Method::Tpe(experiment::TpeConfig {
            n_startup_trials: 3,
            ..experiment::TpeConfig::default()
        });
        spec.pruner = PrunerSpec::Median {
            n_startup_trials: 2,
            n_warmup_steps: 1,
        };
        spec
    }

    #[test]
    fn agents_sharing_a_folder_give_the_results_of_one_process() {
        let spec = tpe_with_median(12);
        let single_store = Store::temporary().unwrap();
        let single = run(&single_store, &spec, &quadratic(2.0), 3);
        let expected = view(&single_store, &single);
        assert!(single.count(TrialState::Pruned) > 0, "{expected:?}");

        let dir = tempfile::tempdir().unwrap();
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|agent| {
                    let spec = &spec;
                    let dir = dir.path();
                    scope.spawn(move || run_agent(spec, agent, 3, dir, 3, &SilentObserver))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (agent, (store, summary)) in results.iter().enumerate() {
            let summary = summary.as_ref().unwrap();
            // Each agent ran its own trials and holds everyone's.
            assert_eq!(summary.ran, 4, "agent {agent}");
            assert_eq!(view(store, summary), expected, "agent {agent}");
            let info = store.experiment("toy").unwrap().unwrap();
            assert_eq!(info.status, store::ExperimentStatus::Finished);
        }
    }

    #[test]
    fn an_agent_stopped_and_started_again_gives_the_same_results() {
        let spec = tpe_with_median(8);
        let single_store = Store::temporary().unwrap();
        let expected = view(
            &single_store,
            &run(&single_store, &spec, &quadratic(2.0), 2),
        );

        let dir = tempfile::tempdir().unwrap();
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver));
            // Agent 1 is stopped (Ctrl-C) in the middle of its trial 3, and agent 0 waits for
            // it meanwhile; then the same agent, on the same store, carries on.
            let stop_at = StopAt {
                at: TrialId(3),
                step: Step(2),
                stop: Stop::default(),
                close: false,
            };
            let store = Store::temporary().unwrap();
            let clock = TickClock(AtomicI64::new(0));
            let stopped = StudyOptions {
                stop: stop_at.stop.clone(),
                ..agent_options(1, 2, dir.path(), 2)
            };
            let objective = quadratic(2.0);
            let summary = run_study(&store, &spec, &objective, &stop_at, &clock, &stopped);
            assert!(summary.unwrap().interrupted);
            let again = agent_options(1, 2, dir.path(), 2);
            let summary = run_study(&store, &spec, &objective, &SilentObserver, &clock, &again);
            (first.join().unwrap(), (store, summary))
        });
        for (store, summary) in [first, second] {
            assert_eq!(view(&store, &summary.unwrap()), expected);
        }
    }

    #[test]
    fn agents_end_where_one_process_ends_once_a_trial_reaches_the_target() {
        let mut spec = spec(30, "target");
        // val_loss at the last step is (lr - 0.3)^2 + 1/3.
        spec.target = Some(0.34);
        let single_store = Store::temporary().unwrap();
        let single = run(&single_store, &spec, &quadratic(2.0), 3);
        let t = single.target_reached.expect("a trial reaches the target");
        assert!(single.trials.len() < 30, "the target ends the sweep early");
        let expected = view(&single_store, &single);

        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|agent| {
                    let (spec, dir) = (&spec, dir.path());
                    scope.spawn(move || run_agent(spec, agent, 3, dir, 3, &SilentObserver))
                })
                .collect();
            for handle in handles {
                let (store, summary) = handle.join().unwrap();
                let summary = summary.unwrap();
                assert_eq!(summary.target_reached, Some(t));
                assert_eq!(view(&store, &summary), expected);
                let info = store.experiment("toy").unwrap().unwrap();
                assert_eq!(info.status, store::ExperimentStatus::Finished);
            }
        });
    }

    #[test]
    fn an_agent_that_stopped_on_an_error_stops_the_others_instead_of_leaving_them_waiting() {
        let spec = tpe_with_median(6);
        let dir = tempfile::tempdir().unwrap();
        // Agent 1 joined, started its first trial, and failed (its disk filled up, say).
        let header = AgentHeader {
            experiment: "toy".into(),
            agent: 1,
            agents: 2,
            parallel: 2,
            planned: 6,
            spec_hash: spec.hash(),
            data_hash: String::new(),
        };
        let (failed, _) = Exchange::join(dir.path(), header).unwrap();
        failed
            .publish(&JournalEvent::Abort(
                "store i/o failed: no space left".into(),
            ))
            .unwrap();
        let (store, summary) = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
        let message = summary.unwrap_err().to_string();
        assert!(
            message.contains("agent 1 of this study stopped on an error")
                && message.contains("no space left"),
            "{message}"
        );
        // What agent 0 finished is kept, for the run after the repair.
        let kept = store.trials("toy").unwrap();
        assert!(kept.iter().all(|t| t.id.0 % 2 == 0), "{kept:?}");
    }

    #[test]
    fn an_agent_refused_by_the_journals_it_finds_writes_nothing() {
        let spec = tpe_with_median(6);
        let dir = tempfile::tempdir().unwrap();
        let other = AgentHeader {
            experiment: "toy".into(),
            agent: 1,
            agents: 2,
            parallel: 2,
            planned: 6,
            spec_hash: "0".repeat(64),
            data_hash: String::new(),
        };
        let _ = Exchange::join(dir.path(), other).unwrap();
        let (store, summary) = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
        let message = summary.unwrap_err().to_string();
        assert!(
            message.contains("spec text sha256: 000000000000 there"),
            "{message}"
        );
        assert_eq!(store.experiment("toy").unwrap(), None);
    }

    #[test]
    fn agents_of_different_settings_refuse_each_other_instead_of_waiting() {
        let spec = tpe_with_median(6);
        let dir = tempfile::tempdir().unwrap();
        let errors: Vec<String> = std::thread::scope(|scope| {
            let a = scope.spawn(|| run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver));
            let b = scope.spawn(|| run_agent(&spec, 1, 2, dir.path(), 4, &SilentObserver));
            [a, b]
                .map(|h| h.join().unwrap().1.unwrap_err().to_string())
                .into()
        });
        for message in &errors {
            assert!(
                message.contains("parallel: 4 there, 2 here")
                    || message.contains("parallel: 2 there, 4 here")
                    || message.contains("agent 0 of this study stopped")
                    || message.contains("agent 1 of this study stopped"),
                "{errors:?}"
            );
        }
    }
}
