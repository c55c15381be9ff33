//! Tests of following through faults: agents that stop on an error and start again, and
//! journals that do not read or hold what no agent writes, read again until mended.

use super::*;

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

/// Issue: a follower started after an agent's journal was damaged showed an empty study
/// (every poll failed at the damaged line, and what was read before it was not stored) where
/// it said that what the agents said before is shown.
#[test]
fn issue_cluster45_a_follower_shows_what_the_agents_said_before_a_damaged_line() {
    let spec = spec(4, "follow");
    let dir = tempfile::tempdir().unwrap();
    let first = agent_0_of(&spec, 2, dir.path());
    let header = store::AgentHeader {
        experiment: "toy".into(),
        agent: 1,
        agents: 2,
        parallel: 2,
        planned: 4,
        spec_hash: spec.hash(),
        data_hash: String::new(),
        spec_text: spec.source.clone(),
        warm_hash: String::new(),
    };
    let (second, _) = store::Exchange::join(dir.path(), header).unwrap();
    // Agent 0 ran trials 0 and 2, agent 1 trial 1; agent 0's line 5 (trial 2's start) is
    // damaged.
    end_trials(&first, 0..1, true);
    end_trials(&first, 2..3, true);
    end_trials(&second, 1..2, true);
    let path = first.own_path().to_path_buf();
    let whole = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = whole.lines().collect();
    lines[4] = "{\"v\":1,\"report\":{broken";
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let followed = Store::temporary().unwrap();
    let shown = std::sync::Mutex::new(Vec::new());
    let stop = Stop::default();
    let told = Told(std::sync::Mutex::default(), |_: &str| {
        let info = followed.experiment("toy").unwrap().unwrap();
        let trials: Vec<(u32, experiment::TrialState)> = followed
            .trials("toy")
            .unwrap()
            .iter()
            .map(|t| (t.id.0, t.state))
            .collect();
        shown.lock().unwrap().push((info.status, trials));
        stop.close();
    });
    let ended = follow_into(&followed, dir.path(), &spec, (&told, &stop), 3_600_000);
    assert!(!ended.unwrap());
    let said = told.0.lock().unwrap().clone();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("agent-0.jsonl:5: "), "{said:?}");
    // Agent 0's trial before the damage, and agent 1's whole journal.
    let done = experiment::TrialState::Completed;
    assert_eq!(
        *shown.lock().unwrap(),
        [(ExperimentStatus::Interrupted, vec![(0, done), (1, done)])]
    );
}
