//! Tests of `agents`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};

use experiment::{Method, Objective, PrunerSpec, Step, Trial, TrialState};

use crate::{Error, Observer, QuietAgent, Stop};

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
            quiet_after: Duration::from_secs(3600),
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
    let options = agent_options(agent, agents, exchange, parallel);
    run_agent_with(spec, &options, observer)
}

/// Runs an agent as `options` say, on its own temporary store, with its own timing.
fn run_agent_with(
    spec: &ExperimentSpec,
    options: &StudyOptions,
    observer: &dyn Observer,
) -> (Store, crate::Result<StudySummary>) {
    let store = Store::temporary().unwrap();
    let objective = Quadratic {
        // Agents' trials of different lengths, in another pattern for each agent.
        jitter: |k| u64::from((k * 7 + 3) % 4),
        ..quadratic(2.0)
    };
    let clock = TickClock(AtomicI64::new(0));
    let summary = run_study(&store, spec, &objective, observer, &clock, options);
    (store, summary)
}

/// Agent `agent` of 2 that reports an agent quiet after 20 ms.
fn impatient(agent: u32, exchange: &Path) -> StudyOptions {
    let mut options = agent_options(agent, 2, exchange, 2);
    if let Some(a) = options.agent.as_mut() {
        a.quiet_after = Duration::from_millis(20);
    }
    options
}

/// Records what an agent said of the others.
#[derive(Default)]
struct Listener(std::sync::Mutex<Vec<String>>);

impl Listener {
    fn said(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// Waits until `n` things were said (a test that never hears them fails here).
    fn wait(&self, n: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.said().len() < n {
            assert!(std::time::Instant::now() < deadline, "nothing was said");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Observer for Listener {
    fn agent_quiet(&self, quiet: &QuietAgent) {
        assert!(quiet.quiet_for >= Duration::from_millis(20));
        assert!(quiet
            .journal
            .ends_with(format!("toy/agent-{}.jsonl", quiet.agent)));
        self.0.lock().unwrap().push(format!(
            "quiet: agent {} of {}, trial {}, joined {}{}",
            quiet.agent,
            quiet.agents,
            quiet.trial,
            quiet.joined,
            if quiet.measuring { ", measuring" } else { "" }
        ));
    }

    fn agent_heard(&self, heard: &QuietAgent) {
        self.0.lock().unwrap().push(format!(
            "heard: agent {}, joined {}",
            heard.agent, heard.joined
        ));
    }
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

/// The header of agent 1 of 2 of a study of `spec` with 6 trials, 2 side by side.
fn agent_1(spec: &ExperimentSpec) -> AgentHeader {
    AgentHeader {
        experiment: "toy".into(),
        agent: 1,
        agents: 2,
        parallel: 2,
        planned: 6,
        spec_hash: spec.hash(),
        data_hash: String::new(),
        spec_text: spec.source.clone(),
        warm_hash: String::new(),
    }
}

#[test]
fn issue_aud_3_an_agent_that_refuses_another_s_journal_tells_the_others() {
    // Agent 1's journal gives trial 1 text for `lr` (a hand edit): read as agent 0 joins,
    // or once its own trials 0 and 2 are done and it waits for the others'.
    for late in [false, true] {
        let spec = spec(4, "agents");
        let dir = tempfile::tempdir().unwrap();
        let bad = JournalEvent::Start(
            Trial {
                id: TrialId(1),
                seed: experiment::Seed(1),
                params: [("lr".to_string(), experiment::ParamValue::Str("abc".into()))].into(),
                state: TrialState::Running,
                reason: None,
                started: Some(experiment::Timestamp(1000)),
                finished: None,
                result: None,
            },
            store::TrialTrace::default(),
        );
        let one = AgentHeader {
            planned: 4,
            ..agent_1(&spec)
        };
        let zero_journal = dir.path().join("toy").join("agent-0.jsonl");
        let (_, result) = std::thread::scope(|scope| {
            if !late {
                let (one, _) = Exchange::join(dir.path(), one.clone()).unwrap();
                one.publish(&bad).unwrap();
            } else {
                scope.spawn(|| {
                    // Once agent 0 published its trial 2's end.
                    let mut watcher = store::Watcher::new(dir.path(), "toy");
                    loop {
                        std::thread::sleep(Duration::from_millis(1));
                        if watcher.read_header().unwrap().is_none() {
                            continue;
                        }
                        let polled = watcher.poll().unwrap();
                        if polled.iter().any(
                            |(_, e)| matches!(e, JournalEvent::Finish(t, _) if t.id == TrialId(2)),
                        ) {
                            break;
                        }
                    }
                    let (one, _) = Exchange::join(dir.path(), one.clone()).unwrap();
                    one.publish(&bad).unwrap();
                });
            }
            run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver)
        });
        let error = result.unwrap_err().to_string();
        let journal = dir.path().join("toy").join("agent-1.jsonl");
        let said = format!(
            "agent journal {}:2: agent 1's journal gives trial 1 parameters outside the \
                 study's space: ",
            journal.display()
        );
        assert!(error.starts_with(&said), "{error}");
        // Agent 0's journal ends with its abort, so the others do not wait for it.
        let written = std::fs::read_to_string(&zero_journal).unwrap();
        let last = written.lines().last().unwrap();
        assert!(last.contains(r#""abort":"#), "late {late}: {last}");
    }
}

/// What one process running `spec` with `parallel` trials side by side gives.
fn one_process(spec: &ExperimentSpec, parallel: usize) -> Vec<String> {
    let store = Store::temporary().unwrap();
    let summary = run(&store, spec, &quadratic(2.0), parallel);
    view(&store, &summary)
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

/// Runs agent 1 of 2 of `spec` on `store` until it is stopped (Ctrl-C) in the middle of
/// trial `at`.
fn stop_agent_1_in(spec: &ExperimentSpec, dir: &Path, store: &Store, at: TrialId) {
    let stop_at = StopAt {
        at,
        step: Step(2),
        stop: Stop::default(),
        close: false,
    };
    let clock = TickClock(AtomicI64::new(0));
    let stopped = StudyOptions {
        stop: stop_at.stop.clone(),
        ..agent_options(1, 2, dir, 2)
    };
    let objective = quadratic(2.0);
    let summary = run_study(store, spec, &objective, &stop_at, &clock, &stopped);
    assert!(summary.unwrap().interrupted);
}

#[test]
fn an_agent_started_again_on_a_new_store_trains_none_of_its_finished_trials_again() {
    let spec = tpe_with_median(8);
    let expected = one_process(&spec, 2);
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver));
        // Agent 1 is stopped in its trial 5, then its store is lost with its node.
        let lost = Store::temporary().unwrap();
        stop_agent_1_in(&spec, dir.path(), &lost, TrialId(5));
        let done_before: Vec<TrialId> = lost
            .trials("toy")
            .unwrap()
            .iter()
            .filter(|t| t.id.0 % 2 == 1 && t.state.is_finished())
            .map(|t| t.id)
            .collect();
        assert_eq!(done_before, [TrialId(1), TrialId(3)]);
        drop(lost);
        let store = Store::temporary().unwrap();
        let calls = quadratic(2.0);
        // Started again later than the trials it takes back.
        let clock = TickClock(AtomicI64::new(1_000_000));
        let again = agent_options(1, 2, dir.path(), 2);
        let summary = run_study(&store, &spec, &calls, &SilentObserver, &clock, &again);
        // Trials 1 and 3 come from its journal; only 5 and 7 train.
        assert_eq!(calls.calls.load(Ordering::SeqCst), 2);
        (first.join().unwrap(), (store, summary))
    });
    for (store, summary) in [first, second] {
        assert_eq!(view(&store, &summary.unwrap()), expected);
        // The experiment began no later than its first trial, whenever the store was made.
        let info = store.experiment("toy").unwrap().unwrap();
        let began = store
            .trials("toy")
            .unwrap()
            .iter()
            .filter_map(|t| t.started)
            .min();
        assert!(began.is_some_and(|b| info.created <= b), "{info:?}");
    }
}

#[test]
fn an_agent_stopped_and_started_again_gives_the_same_results() {
    let spec = tpe_with_median(8);
    let expected = one_process(&spec, 2);

    let dir = tempfile::tempdir().unwrap();
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver));
        // Agent 1 is stopped (Ctrl-C) in the middle of its trial 3, and agent 0 waits for
        // it meanwhile; then the same agent, on the same store, carries on.
        let store = Store::temporary().unwrap();
        stop_agent_1_in(&spec, dir.path(), &store, TrialId(3));
        let clock = TickClock(AtomicI64::new(0));
        let objective = quadratic(2.0);
        let again = agent_options(1, 2, dir.path(), 2);
        let summary = run_study(&store, &spec, &objective, &SilentObserver, &clock, &again);
        (first.join().unwrap(), (store, summary))
    });
    let stores: Vec<Store> = [first, second]
        .into_iter()
        .map(|(store, summary)| {
            assert_eq!(view(&store, &summary.unwrap()), expected);
            store
        })
        .collect();
    // The attempt the stop cut off is kept on trial 3's record, in agent 1's store as it wrote
    // it and in agent 0's as the journal's lines carried it: every record alike in both.
    let (_, trace) = stores[1].trial_traced("toy", TrialId(3)).unwrap().unwrap();
    let cut: Vec<_> = trace.cut.iter().map(|c| (c.by, c.epochs)).collect();
    assert_eq!(cut, [(store::CutBy::Stop, 2)]);
    let records: Vec<String> = stores
        .iter()
        .map(|s| format!("{:?}", s.traced_trials("toy").unwrap()))
        .collect();
    assert_eq!(records[0], records[1]);
}

#[test]
fn an_agent_started_again_checks_against_its_store_only_the_trials_it_had_not_settled() {
    let spec = tpe_with_median(6);
    let dir = tempfile::tempdir().unwrap();
    let (store, summary) = std::thread::scope(|scope| {
        let other = scope.spawn(|| run_agent(&spec, 1, 2, dir.path(), 2, &SilentObserver));
        let zero = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
        other.join().unwrap().1.unwrap();
        zero
    });
    let expected = view(&store, &summary.unwrap());
    // Agent 0's store loses the curves of agent 1's trial 1, which it held finished: were
    // the journal's end of trial 1 checked against them again, it would be refused (its
    // result names an epoch the store then lacks).
    store.clear_metrics("toy", TrialId(1)).unwrap();
    let clock = TickClock(AtomicI64::new(0));
    let again = agent_options(0, 2, dir.path(), 2);
    let objective = quadratic(2.0);
    let summary = run_study(&store, &spec, &objective, &SilentObserver, &clock, &again);
    let summary = summary.unwrap();
    assert_eq!(objective.calls.load(Ordering::SeqCst), 0);
    let states = |v: &[String]| -> Vec<String> {
        v.iter().map(|t| t.split(' ').take(2).collect()).collect()
    };
    assert_eq!(states(&view(&store, &summary)), states(&expected));
}

#[test]
fn an_agent_started_again_refuses_the_end_of_a_settled_trial_edited_since_it_stored_it() {
    let spec = tpe_with_median(6);
    let dir = tempfile::tempdir().unwrap();
    let (store, summary) = std::thread::scope(|scope| {
        let other = scope.spawn(|| run_agent(&spec, 1, 2, dir.path(), 2, &SilentObserver));
        let zero = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
        other.join().unwrap().1.unwrap();
        zero
    });
    summary.unwrap();
    // Trial 1's end in agent 1's journal, which agent 0's store holds, gets another result.
    let path = dir.path().join("toy").join("agent-1.jsonl");
    let whole = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = whole.lines().map(str::to_string).collect();
    let i = lines
        .iter()
        .position(|l| l.contains("\"finish\"") && l.contains("\"id\":1,"))
        .unwrap_or_else(|| panic!("no end of trial 1 in {whole}"));
    let at = lines[i].find("\"result\"").unwrap();
    let (head, tail) = lines[i].split_at(at);
    let value = tail.find("\"val_loss\":").unwrap() + "\"val_loss\":".len();
    let end = value + tail[value..].find([',', '}']).unwrap();
    lines[i] = format!("{head}{}123.5{}", &tail[..value], &tail[end..]);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let clock = TickClock(AtomicI64::new(0));
    let again = agent_options(0, 2, dir.path(), 2);
    let objective = quadratic(2.0);
    let error = run_study(&store, &spec, &objective, &SilentObserver, &clock, &again)
        .map(|_| ())
        .unwrap_err();
    let Error::StrayResult { line, trial, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!(
        (*line, *trial),
        (u64::try_from(i + 1).unwrap(), TrialId(1)),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("`val_loss` is 123.5 at its best step"),
        "{error}"
    );
}

/// The toy objective with a test split (or none): counts its measurements, each of which
/// waits at `gate` until it is open.
struct WithTest {
    inner: Quadratic,
    split: bool,
    gate: Gate,
    measured: std::sync::atomic::AtomicU32,
}

/// A gate that holds whoever passes it until a test opens it: what keeps an agent busy
/// measuring for exactly as long as a test needs, however loaded the machine.
struct Gate {
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
}

impl Gate {
    /// Returns a gate, open or shut.
    fn new(open: bool) -> Gate {
        Gate {
            open: std::sync::Mutex::new(open),
            opened: std::sync::Condvar::new(),
        }
    }

    /// Waits until the gate is open.
    fn pass(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
    }

    /// Opens the gate for good.
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

/// Opens its gate when dropped, also when the thread that holds it panics: a failing test
/// ends rather than leave an agent waiting at the gate for ever.
struct OpensOnDrop<'a>(&'a Gate);

impl Drop for OpensOnDrop<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// Requests its stop when dropped, also when the thread that holds it panics: a failing
/// test ends rather than leave the stopped agent waiting for ever.
struct StopsOnDrop<'a>(&'a Stop);

impl Drop for StopsOnDrop<'_> {
    fn drop(&mut self) {
        self.0.request();
    }
}

impl Objective for WithTest {
    fn run(
        &self,
        ctx: &experiment::TrialContext<'_>,
        reporter: &mut dyn experiment::Reporter,
    ) -> experiment::TrialOutcome {
        self.inner.run(ctx, reporter)
    }

    fn test(&self, trial: &Trial) -> Option<std::result::Result<BTreeMap<String, f64>, String>> {
        self.split.then(|| {
            self.gate.pass();
            self.measured.fetch_add(1, Ordering::SeqCst);
            let value = trial.value("val_loss").unwrap_or(f64::NAN);
            Ok([("test_loss".to_string(), value + 0.5)].into())
        })
    }
}

#[test]
fn the_best_trial_is_measured_on_the_test_split_once_by_the_agent_that_ran_it() {
    let spec = tpe_with_median(9);
    for split in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let agents: Vec<(WithTest, Store)> = (0..3)
            .map(|i| {
                // A store on disk, with a checkpoint of each of its agent's trials beside it.
                let store = Store::open(&dir.path().join(format!("store-{i}"))).unwrap();
                let folder = store.checkpoint_folder("toy").unwrap();
                std::fs::create_dir_all(&folder).unwrap();
                for k in (i..9).step_by(3) {
                    std::fs::write(folder.join(format!("{k}.safetensors")), format!("w{k}"))
                        .unwrap();
                    std::fs::write(folder.join(format!("{k}.json")), format!("{k}")).unwrap();
                }
                let objective = WithTest {
                    inner: Quadratic {
                        jitter: |k| u64::from((k * 5 + 1) % 3),
                        ..quadratic(2.0)
                    },
                    split,
                    gate: Gate::new(true),
                    measured: std::sync::atomic::AtomicU32::new(0),
                };
                (objective, store)
            })
            .collect();
        let summaries: Vec<StudySummary> = std::thread::scope(|scope| {
            let handles: Vec<_> = agents
                .iter()
                .enumerate()
                .map(|(i, (objective, store))| {
                    let options = agent_options(u32::try_from(i).unwrap(), 3, dir.path(), 3);
                    let spec = &spec;
                    scope.spawn(move || {
                        let clock = TickClock(AtomicI64::new(0));
                        run_study(store, spec, objective, &SilentObserver, &clock, &options)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap().unwrap())
                .collect()
        });
        let best = summaries[0].best.clone().expect("a best trial");
        let owner = usize::try_from(owner(best.id, 3)).unwrap();
        let measured: Vec<u32> = agents
            .iter()
            .map(|(o, _)| o.measured.load(Ordering::SeqCst))
            .collect();
        let mut expected = vec![0; 3];
        expected[owner] = u32::from(split);
        assert_eq!(
            measured, expected,
            "only agent {owner} measures trial {}",
            best.id
        );
        for (i, ((_, store), summary)) in agents.iter().zip(&summaries).enumerate() {
            assert_eq!(summary.best.as_ref().map(|t| t.id), Some(best.id));
            let stored = store.test_result("toy").unwrap();
            if split {
                let stored = stored.expect("every agent stores the result");
                assert_eq!(stored.trial, best.id, "agent {i}");
                let value = best.value("val_loss").unwrap() + 0.5;
                assert_eq!(stored.metrics["test_loss"].to_bits(), value.to_bits());
            } else {
                assert_eq!(stored, None, "no test split: nothing stored by agent {i}");
            }
            // The best trial's checkpoint is in every store, as its agent wrote it; the
            // others' stay where they ran.
            let folder = store.checkpoint_folder("toy").unwrap();
            let weights = std::fs::read_to_string(folder.join(format!("{}.safetensors", best.id)));
            assert_eq!(weights.unwrap(), format!("w{}", best.id), "agent {i}");
            assert!(store.has_checkpoint("toy", best.id), "agent {i}");
            let other = TrialId((best.id.0 + 1) % 9);
            assert_eq!(
                store.has_checkpoint("toy", other),
                other.agent(3) == u32::try_from(i).unwrap()
            );
        }
        // Run again, each agent finds the study done and the result where it was.
        for (i, (objective, store)) in agents.iter().enumerate() {
            let options = agent_options(u32::try_from(i).unwrap(), 3, dir.path(), 3);
            let clock = TickClock(AtomicI64::new(0));
            let again = run_study(store, &spec, objective, &SilentObserver, &clock, &options);
            assert_eq!(again.unwrap().ran, 0);
        }
        let measured: u32 = agents
            .iter()
            .map(|(o, _)| o.measured.load(Ordering::SeqCst))
            .sum();
        assert_eq!(measured, u32::from(split), "measured once in all");
        // The agent that ran the best trial, started again on an empty store (its node
        // lost), takes its trials back from its journal and the checkpoint from the exchange.
        let lost = Store::open(&dir.path().join("store-lost")).unwrap();
        let options = agent_options(u32::try_from(owner).unwrap(), 3, dir.path(), 3);
        let clock = TickClock(AtomicI64::new(0));
        let objective = &agents[owner].0;
        let again = run_study(&lost, &spec, objective, &SilentObserver, &clock, &options);
        assert_eq!(again.unwrap().ran, 0);
        assert!(lost.has_checkpoint("toy", best.id));
    }
}

#[test]
fn an_agent_waiting_for_the_test_split_says_which_agent_measures_it() {
    let spec = tpe_with_median(6);
    let best = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 2)
        .best
        .expect("a best trial");
    let measurer = owner(best.id, 2);
    let waiter = 1 - measurer;
    let slow = |agent: u32| WithTest {
        inner: quadratic(2.0),
        split: true,
        // The measurer measures only once the test has seen what it needs: its gate opens
        // when the waiter, started again, says the measurer is measuring.
        gate: Gate::new(agent != measurer),
        measured: std::sync::atomic::AtomicU32::new(0),
    };
    let dir = tempfile::tempdir().unwrap();
    let (objectives, stores) = (
        [slow(0), slow(1)],
        [Store::temporary().unwrap(), Store::temporary().unwrap()],
    );
    let (w, m) = (
        usize::try_from(waiter).unwrap(),
        usize::try_from(measurer).unwrap(),
    );
    let measuring = format!(
        "quiet: agent {measurer} of 2, trial {}, joined true, measuring",
        best.id
    );
    let says_measuring = |listener: &Listener| {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !listener.said().contains(&measuring) {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                listener.said()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    let clock = TickClock(AtomicI64::new(0));
    std::thread::scope(|scope| {
        let dir = dir.path();
        let (objective, store, spec) = (&objectives[m], &stores[m], &spec);
        let measured = scope.spawn(move || {
            let clock = TickClock(AtomicI64::new(0));
            let options = agent_options(measurer, 2, dir, 2);
            run_study(store, spec, objective, &SilentObserver, &clock, &options)
        });
        // Stopped (Ctrl-C) while it waits: interrupted, with nothing stored, though every
        // trial has ended.
        let listener = Listener::default();
        let stopped = StudyOptions {
            stop: Stop::default(),
            ..impatient(waiter, dir)
        };
        let summary = std::thread::scope(|inner| {
            inner.spawn(|| {
                let _stop = StopsOnDrop(&stopped.stop);
                says_measuring(&listener);
            });
            run_study(
                &stores[w],
                spec,
                &objectives[w],
                &listener,
                &clock,
                &stopped,
            )
        })
        .unwrap();
        assert!(summary.interrupted);
        assert_eq!(summary.finished(), 6);
        assert_eq!(stores[w].test_result("toy").unwrap(), None);
        // Started again, it waits again, and hears the measurer when the result comes
        // (the measurer is let through once the waiter has said it measures).
        let listener = Listener::default();
        let again = impatient(waiter, dir);
        let summary = std::thread::scope(|inner| {
            inner.spawn(|| {
                let _open = OpensOnDrop(&objectives[m].gate);
                says_measuring(&listener);
            });
            run_study(&stores[w], spec, &objectives[w], &listener, &clock, &again)
        })
        .unwrap();
        assert!(!summary.interrupted);
        // (Under load the waiter may also hear the measurer quiet while trials run.)
        let said = listener.said();
        let at = said.iter().position(|s| *s == measuring);
        let heard = format!("heard: agent {measurer}, joined true");
        assert!(
            at.is_some_and(|at| said[at + 1..].contains(&heard)),
            "{said:?}"
        );
        assert!(!measured.join().unwrap().unwrap().interrupted);
    });
    let stored = stores[w].test_result("toy").unwrap();
    assert_eq!(stored.map(|r| r.trial), Some(best.id));
    assert_eq!(objectives[w].measured.load(Ordering::SeqCst), 0);
}

#[test]
fn agents_end_where_one_process_ends_once_a_trial_reaches_the_target_or_the_plateau() {
    let mut target = spec(30, "target");
    // val_loss at the last step is (lr - 0.3)^2 + 1/3.
    target.target = Some(0.34);
    let mut plateau = spec(30, "plateau");
    plateau.plateau = Some(experiment::Plateau {
        patience: 4,
        min_delta: 0.001,
    });
    for spec in [target, plateau] {
        agents_end_where_one_process_ends(&spec);
    }
}

fn agents_end_where_one_process_ends(spec: &ExperimentSpec) {
    let single_store = Store::temporary().unwrap();
    let single = run(&single_store, spec, &quadratic(2.0), 3);
    let t = single.stopped.expect("the sweep ends early");
    assert!(single.trials.len() < 30, "{t:?} ends the sweep early");
    let expected = view(&single_store, &single);

    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|agent| {
                let dir = dir.path();
                scope.spawn(move || run_agent(spec, agent, 3, dir, 3, &SilentObserver))
            })
            .collect();
        for handle in handles {
            let (store, summary) = handle.join().unwrap();
            let summary = summary.unwrap();
            assert_eq!(summary.stopped, Some(t));
            assert_eq!(view(&store, &summary), expected);
            let info = store.experiment("toy").unwrap().unwrap();
            assert_eq!(info.status, store::ExperimentStatus::Finished);
        }
    });
}

/// Runs agent 0 of two (impatient) until it reports agent 1 quiet, then agent 1; returns
/// each one's store and summary, and what agent 0 said of agent 1.
fn agent_1_joins_once_reported(
    spec: &ExperimentSpec,
    exchange: &Path,
) -> ([(Store, crate::Result<StudySummary>); 2], Vec<String>) {
    let listener = Listener::default();
    let options = impatient(0, exchange);
    let ran = std::thread::scope(|scope| {
        let first = scope.spawn(|| run_agent_with(spec, &options, &listener));
        listener.wait(1);
        let second = run_agent(spec, 1, 2, exchange, 2, &SilentObserver);
        [first.join().unwrap(), second]
    });
    (ran, listener.said())
}

#[test]
fn an_agent_started_after_another_stopped_on_an_error_waits_for_it_to_run_again() {
    let spec = tpe_with_median(6);
    let expected = one_process(&spec, 2);
    let dir = tempfile::tempdir().unwrap();
    // Agent 1 joined and failed (its disk filled up, say) before agent 0 started. (An
    // error heard while running ends an agent: the test of a quiet agent below.)
    let (failed, _) = Exchange::join(dir.path(), agent_1(&spec)).unwrap();
    failed
        .publish(&JournalEvent::Abort(
            "store i/o failed: no space left".into(),
        ))
        .unwrap();
    drop(failed);
    // Agent 0 waits for agent 1's trials rather than ending on the old error, and once
    // agent 1, mended, runs again, the study ends as one process's, in whichever order the
    // two were started again.
    let ([first, second], _) = agent_1_joins_once_reported(&spec, dir.path());
    for (store, summary) in [first, second] {
        assert_eq!(view(&store, &summary.unwrap()), expected);
    }
    // Started again after that, an agent finds the old error followed by agent 1's trials.
    let (store, again) = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
    assert_eq!(view(&store, &again.unwrap()), expected);
}

#[test]
fn an_agent_that_has_not_joined_is_reported_and_heard_when_it_joins() {
    let spec = tpe_with_median(6);
    let expected = one_process(&spec, 2);
    let dir = tempfile::tempdir().unwrap();
    let ([first, second], said) = agent_1_joins_once_reported(&spec, dir.path());
    // Trial 0 is agent 0's own: the study waits for agent 1 from trial 1 on.
    assert_eq!(said[0], "quiet: agent 1 of 2, trial 1, joined false");
    let heard = "heard: agent 1, joined false".to_string();
    assert!(said.contains(&heard), "{said:?}");
    for (store, summary) in [first, second] {
        assert_eq!(view(&store, &summary.unwrap()), expected);
    }
}

#[test]
fn a_joined_agent_whose_journal_stays_unchanged_is_reported_quiet() {
    let spec = tpe_with_median(6);
    let dir = tempfile::tempdir().unwrap();
    // Agent 1 joined, then its machine was lost: its journal never changes again.
    let (lost, _) = Exchange::join(dir.path(), agent_1(&spec)).unwrap();
    let listener = Listener::default();
    let options = impatient(0, dir.path());
    let summary = std::thread::scope(|scope| {
        let agent = scope.spawn(|| run_agent_with(&spec, &options, &listener));
        // Reported, and again once its quiet time doubled; then the test ends.
        listener.wait(2);
        lost.publish(&JournalEvent::Abort("lost".into())).unwrap();
        agent.join().unwrap().1
    });
    let said = listener.said();
    assert_eq!(said[0], "quiet: agent 1 of 2, trial 1, joined true");
    assert_eq!(said[1], said[0]);
    assert!(summary.unwrap_err().to_string().contains("lost"));
}

#[test]
fn agents_warm_started_from_copies_of_a_file_give_one_process_results_and_refuse_another() {
    // Another study's trials, as each agent's copy of a file of results gives them.
    let before = run(
        &Store::temporary().unwrap(),
        &tpe_with_median(5),
        &quadratic(2.0),
        1,
    );
    let copy = |trials: &[Trial], left_out: &str| WarmStarted {
        source: "runs/past.csv".into(),
        trials: trials.to_vec(),
        left_out: vec![left_out.to_string()],
    };
    let mut spec = tpe_with_median(8);
    spec.warm_start = Some(warm_from_file());
    let with = |options: StudyOptions, warm: WarmStarted| StudyOptions {
        warm_file: Some(crate::WarmFile::Read {
            sha256: store::warm_start_digest(&warm),
            trials: warm,
        }),
        ..options
    };
    let single_store = Store::temporary().unwrap();
    let single = run_study(
        &single_store,
        &spec,
        &quadratic(2.0),
        &SilentObserver,
        &TickClock(AtomicI64::new(0)),
        &with(options(2), copy(&before.trials, "line 3")),
    )
    .unwrap();
    let expected = view(&single_store, &single);
    let mut cold = spec.clone();
    cold.warm_start = None;
    assert_ne!(one_process(&cold, 2), expected, "the warm start counts");

    let dir = tempfile::tempdir().unwrap();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|agent| {
                let (spec, dir, before) = (&spec, dir.path(), &before.trials);
                scope.spawn(move || {
                    // Copies that differ only in the rows left out agree.
                    let options = with(
                        agent_options(agent, 2, dir, 2),
                        copy(before, &format!("line {agent}")),
                    );
                    run_agent_with(spec, &options, &SilentObserver)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (agent, (store, summary)) in results.iter().enumerate() {
        let summary = summary.as_ref().unwrap();
        assert_eq!(view(store, summary), expected, "agent {agent}");
        // Each keeps what it took, not what agent 0 published.
        assert_eq!(
            store.warm_start("toy").unwrap(),
            Some(copy(&before.trials, &format!("line {agent}")))
        );
    }
    // A follower, which reads the journals alone, shows the warm start agent 0 published.
    let mut watcher = store::Watcher::new(dir.path(), "toy");
    assert!(watcher.read_header().unwrap().is_some());
    let followed = Store::temporary().unwrap();
    let follow = crate::Follow {
        watcher: &mut watcher,
        spec_path: "exchange".into(),
        poll: Duration::from_millis(1),
        quiet_after: Duration::from_secs(3600),
        retry: Duration::from_millis(1),
    };
    let clock = TickClock(AtomicI64::new(0));
    let stop = crate::Stop::default();
    let ended = crate::follow_study(&followed, &spec, follow, (&clock, &SilentObserver), &stop);
    assert!(ended.unwrap());
    assert_eq!(
        followed.warm_start("toy").unwrap(),
        Some(copy(&before.trials, "line 0"))
    );

    // An agent whose copy gives other trials is refused before it writes anything.
    let other = tempfile::tempdir().unwrap();
    let agent_1 = AgentHeader {
        planned: 8,
        warm_hash: store::warm_start_digest(&copy(&before.trials, "")),
        ..agent_1(&spec)
    };
    let _ = Exchange::join(other.path(), agent_1).unwrap();
    let options = with(
        agent_options(0, 2, other.path(), 2),
        copy(&before.trials[1..], ""),
    );
    let (store, refused) = run_agent_with(&spec, &options, &SilentObserver);
    let message = refused.unwrap_err().to_string();
    let short = |w: WarmStarted| experiment::short_hash(&store::warm_start_digest(&w)).to_string();
    assert!(
        message.contains(&format!(
            "warm start sha256: {} there, {} here",
            short(copy(&before.trials, "")),
            short(copy(&before.trials[1..], ""))
        )),
        "{message}"
    );
    assert_eq!(store.experiment("toy").unwrap(), None);
}

#[test]
fn an_agent_refused_by_the_journals_it_finds_writes_nothing() {
    let spec = tpe_with_median(6);
    let dir = tempfile::tempdir().unwrap();
    // Another file (not only another copy of it, which may differ in comments).
    let other = AgentHeader {
        spec_hash: "0".repeat(64),
        spec_text: format!(
            "{}\n# and one more trial\nrun_cap: 7\n",
            agent_1(&spec).spec_text
        ),
        ..agent_1(&spec)
    };
    let _ = Exchange::join(dir.path(), other).unwrap();
    let (store, summary) = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
    let message = summary.unwrap_err().to_string();
    assert!(
        message.contains("spec text sha256: 000000000000 there"),
        "{message}"
    );
    assert_eq!(store.experiment("toy").unwrap(), None);
    // Nor its journal: started again with the right file, it would join.
    assert!(!dir.path().join("toy").join("agent-0.jsonl").exists());
}

#[test]
fn an_agent_of_other_settings_is_refused_and_the_others_wait_for_it_to_join_right() {
    let spec = tpe_with_median(6);
    let expected = one_process(&spec, 2);
    let dir = tempfile::tempdir().unwrap();
    let listener = Listener::default();
    let options = impatient(0, dir.path());
    let (first, refused, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| run_agent_with(&spec, &options, &listener));
        // Agent 0 has joined and waits for agent 1, which is started with `parallel: 4`.
        listener.wait(1);
        let (_, refused) = run_agent(&spec, 1, 2, dir.path(), 4, &SilentObserver);
        let second = run_agent(&spec, 1, 2, dir.path(), 2, &SilentObserver);
        (first.join().unwrap(), refused, second)
    });
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("parallel: 2 there, 4 here"), "{message}");
    assert_eq!(
        listener.said()[0],
        "quiet: agent 1 of 2, trial 1, joined false"
    );
    for (store, summary) in [first, second] {
        assert_eq!(view(&store, &summary.unwrap()), expected);
    }
}
