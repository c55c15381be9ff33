//! Unit tests of `journal`: agents exchanging and watching journals, stamps, torn lines, and
//! the headers and lines refused, with where they are.

mod refused;

use experiment::{ParamValue, Params, Seed, Timestamp, TrialState};

use super::*;

fn header(agent: u32) -> AgentHeader {
    AgentHeader {
        experiment: "digits".into(),
        agent,
        agents: 2,
        parallel: 2,
        planned: 8,
        spec_hash: "ab".repeat(32),
        data_hash: "cd".repeat(32),
        spec_text: "name: digits\n".into(),
        warm_hash: String::new(),
    }
}

/// The trace of a trial whose first attempt a stop cut off after two epochs.
fn cut_once() -> TrialTrace {
    TrialTrace {
        heard: None,
        cut: vec![crate::CutAttempt {
            started: Timestamp(5),
            ended: Timestamp(80),
            epochs: 2,
            by: crate::CutBy::Stop,
        }],
    }
}

fn trial(id: u32, state: TrialState) -> Trial {
    let mut params = Params::new();
    params.insert("lr".into(), ParamValue::Float(0.1 + f64::EPSILON));
    Trial {
        id: TrialId(id),
        seed: Seed(u64::MAX - 1),
        params,
        state,
        reason: None,
        started: None,
        finished: None,
        result: None,
    }
}

fn report(id: u32, step: u32) -> JournalEvent {
    JournalEvent::Report {
        trial: TrialId(id),
        step: Step(step),
        metrics: vec![
            MetricPoint {
                name: "val_loss".into(),
                value: f64::NAN,
            },
            MetricPoint {
                name: "accuracy".into(),
                value: 1.0 / 3.0,
            },
        ],
    }
}

#[test]
fn agents_read_each_others_events_once_and_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (a, earlier) = Exchange::join(dir.path(), header(0)).unwrap();
    assert!(earlier.is_empty());
    let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
    assert!(
        a.poll().unwrap().is_empty(),
        "b has written only its header"
    );
    let events = [
        // A trial re-run after a stop: its trace, as stored, travels with it.
        JournalEvent::Start(trial(1, TrialState::Running), cut_once()),
        report(1, 1),
        JournalEvent::Finish(trial(1, TrialState::Completed), cut_once()),
        JournalEvent::Finish(trial(5, TrialState::Pruned), TrialTrace::default()),
        JournalEvent::Skip(TrialId(3)),
        JournalEvent::Tested(TestResult {
            trial: TrialId(1),
            metrics: [
                ("test_accuracy".to_string(), 0.1 + 0.2),
                ("test_loss".to_string(), 1e-300),
            ]
            .into(),
        }),
        JournalEvent::Warm(WarmStarted {
            source: "runs/past.csv".into(),
            trials: vec![
                trial(0, TrialState::Completed),
                trial(1, TrialState::Pruned),
            ],
            left_out: vec!["line 4: `lr` = 3: must be in [0.001, 1], found 3".into()],
        }),
    ];
    b.publish(&events[0]).unwrap();
    b.publish(&events[1]).unwrap();
    let got = a.poll().unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], (1, events[0].clone()));
    // NaN is not equal to itself: compare the report's bits.
    let (1, JournalEvent::Report { metrics, .. }) = &got[1] else {
        panic!("a report from agent 1")
    };
    assert!(metrics[0].value.is_nan());
    assert_eq!(metrics[1].value.to_bits(), (1.0f64 / 3.0).to_bits());
    b.publish(&events[2]).unwrap();
    b.publish(&events[3]).unwrap();
    b.publish(&events[4]).unwrap();
    b.publish(&events[5]).unwrap();
    let got = a.poll().unwrap();
    assert_eq!(
        got,
        [
            (1, events[2].clone()),
            (1, events[3].clone()),
            (1, events[4].clone()),
            (1, events[5].clone())
        ]
    );
    assert!(
        b.poll().unwrap().is_empty(),
        "a has written only its header"
    );
}

#[test]
fn a_watcher_follows_every_agent_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut watcher = Watcher::new(dir.path(), "digits");
    assert!(watcher.poll().unwrap().is_empty(), "no journal yet");
    assert!(watcher.header().is_none());
    assert!(Watcher::experiments(dir.path()).unwrap().is_empty());
    let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
    b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
    assert_eq!(
        watcher.poll().unwrap(),
        [(1, JournalEvent::Skip(TrialId(3)))]
    );
    assert_eq!(
        watcher.header().map(|h| h.spec_text.as_str()),
        Some("name: digits\n")
    );
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    a.publish(&JournalEvent::Skip(TrialId(2))).unwrap();
    b.publish(&JournalEvent::Skip(TrialId(5))).unwrap();
    assert_eq!(
        watcher.poll().unwrap(),
        [
            (0, JournalEvent::Skip(TrialId(2))),
            (1, JournalEvent::Skip(TrialId(5)))
        ]
    );
    assert!(watcher.poll().unwrap().is_empty());
    assert_eq!(Watcher::experiments(dir.path()).unwrap(), ["digits"]);
    // The watcher wrote nothing: the two journals are the exchange's only files.
    let files = std::fs::read_dir(dir.path().join("digits"))
        .unwrap()
        .count();
    assert_eq!(files, 2);
    // A journal of another study in the folder is refused, naming what differs.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let mut lines = std::fs::read_to_string(dir.path().join("digits/agent-0.jsonl")).unwrap();
    std::fs::write(other.join("agent-0.jsonl"), &lines).unwrap();
    lines = lines.replace("\"planned\":8", "\"planned\":9");
    std::fs::write(
        other.join("agent-1.jsonl"),
        lines.replace("\"agent\":0", "\"agent\":1"),
    )
    .unwrap();
    let mut watcher = Watcher::new(dir.path(), "other");
    let err = watcher.poll().unwrap_err().to_string();
    assert!(
        err.contains("agent 1 runs another study than the first agent found")
            && err.contains("planned trials: 9 there, 8 here"),
        "{err}"
    );
}

#[test]
fn a_journal_stamp_changes_when_its_agent_writes_or_touches_it() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    a.poll().unwrap();
    let seen = a.peer_journals();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].agent, 1);
    assert!(seen[0].path.ends_with("digits/agent-1.jsonl"));
    assert_eq!(seen[0].stamp, None, "agent 1 has not joined");
    // An agent refused before writing its header leaves an empty journal: still not joined.
    let path = dir.path().join("digits").join("agent-1.jsonl");
    std::fs::write(&path, "").unwrap();
    a.poll().unwrap();
    assert_eq!(a.peer_journals()[0].stamp, None);

    let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
    a.poll().unwrap();
    let joined = a.peer_journals()[0].stamp.expect("agent 1 joined");
    a.poll().unwrap();
    assert_eq!(a.peer_journals()[0].stamp, Some(joined), "nothing changed");

    // A touch with the clock far from the last write's: the length stays, the time moves.
    let file = OpenOptions::new().append(true).open(b.own_path()).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH).unwrap();
    b.touch().unwrap();
    a.poll().unwrap();
    let touched = a.peer_journals()[0].stamp.unwrap();
    assert_eq!(touched.0, joined.0);
    assert_ne!(touched, joined);

    b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
    a.poll().unwrap();
    assert!(a.peer_journals()[0].stamp.unwrap().0 > joined.0);
}

#[test]
fn a_torn_line_is_not_read_and_is_cut_when_its_agent_starts_again() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
    b.publish(&JournalEvent::Skip(TrialId(5))).unwrap();
    let path = b.own_path().to_path_buf();
    drop(b);
    // Agent 1 was killed in the middle of a line.
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(br#"{"v":1,"skip":{"tri"#).unwrap();
    assert_eq!(
        a.poll().unwrap(),
        [(1, JournalEvent::Skip(TrialId(5)))],
        "the torn line waits"
    );
    let (b, earlier) = Exchange::join(dir.path(), header(1)).unwrap();
    assert_eq!(earlier, [JournalEvent::Skip(TrialId(5))]);
    b.publish(&JournalEvent::Skip(TrialId(7))).unwrap();
    assert_eq!(a.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(7)))]);
}

#[test]
fn a_second_process_with_the_same_agent_number_is_refused_while_the_first_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = Exchange::join(dir.path(), header(1)).unwrap();
    let message = Exchange::join(dir.path(), header(1))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("agent-1.jsonl: agent 1 of this study is running already"),
        "{message}"
    );
    // Ended (a requeued job whose first run died), it is let in again.
    drop(first);
    assert!(Exchange::join(dir.path(), header(1)).is_ok());
}

#[test]
fn an_agent_of_another_study_is_refused_with_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    let other = AgentHeader {
        parallel: 4,
        ..header(1)
    };
    let message = Exchange::join(dir.path(), other).unwrap_err().to_string();
    assert!(
        message.contains("agent-0.jsonl:1: agent 0 runs another study than this agent 1"),
        "{message}"
    );
    assert!(message.contains("parallel: 2 there, 4 here"), "{message}");
    // Refused, it wrote nothing: started again with the right settings, it joins.
    let (b, earlier) = Exchange::join(dir.path(), header(1)).unwrap();
    assert!(earlier.is_empty());
    b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
    assert_eq!(a.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(3)))]);
    // Agents that joined at once with other settings (neither saw the other's header)
    // refuse each other when they read it.
    let race = tempfile::tempdir().unwrap();
    let (c, _) = Exchange::join(race.path(), header(0)).unwrap();
    let racing = Line::Header(AgentHeader {
        parallel: 4,
        ..header(1)
    });
    let path = race.path().join("digits").join("agent-1.jsonl");
    std::fs::write(&path, [encode_line(&racing), b"\n".to_vec()].concat()).unwrap();
    let message = c.poll().unwrap_err().to_string();
    assert!(
        message.contains("agent-1.jsonl:1: agent 1 runs another study than this agent 0"),
        "{message}"
    );
    assert!(message.contains("parallel: 4 there, 2 here"), "{message}");
    // The same agent started again with other settings (once the first has ended).
    drop(a);
    let again = AgentHeader {
        planned: 9,
        ..header(0)
    };
    let message = Exchange::join(dir.path(), again).unwrap_err().to_string();
    assert!(
        message.contains("planned trials: 8 there, 9 here"),
        "{message}"
    );
    // Another copy of the same file, but for a comment and its layout, is the same study.
    let copy = AgentHeader {
        spec_hash: "12".repeat(32),
        spec_text: "# my copy\nname:   'digits'\nrun_cap: 8\n".into(),
        ..header(1)
    };
    let same = race.path().join("same");
    let text = AgentHeader {
        spec_text: "name: digits\nrun_cap: 8\n".into(),
        ..header(0)
    };
    let (first, _) = Exchange::join(&same, text.clone()).unwrap();
    let (joined, _) = Exchange::join(&same, copy).unwrap();
    joined.publish(&JournalEvent::Skip(TrialId(1))).unwrap();
    assert_eq!(first.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(1)))]);
    // Another copy of the file: the lines that differ are named.
    let edited = AgentHeader {
        spec_hash: "ef".repeat(32),
        spec_text: "name: digits\nrun_cap: 9\n# mine\n".into(),
        ..header(1)
    };
    let (_, _) = Exchange::join(race.path().join("text").as_path(), text).unwrap();
    let message = Exchange::join(race.path().join("text").as_path(), edited)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(
            "spec text sha256: abababababab there, efefefefefef here, the file's lines that \
                 differ: line 2 there: `run_cap: 8`; line 2 here: `run_cap: 9`; line 3 here: \
                 `# mine`"
        ),
        "{message}"
    );
}

#[test]
fn agents_warm_started_from_other_trials_refuse_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let warm = |hash: &str, agent| AgentHeader {
        warm_hash: hash.into(),
        ..header(agent)
    };
    let (a, _) = Exchange::join(dir.path(), warm(&"ef".repeat(32), 0)).unwrap();
    let message = Exchange::join(dir.path(), warm(&"01".repeat(32), 1))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("warm start sha256: efefefefefef there, 010101010101 here")
            && message.contains("on the same data and warm start"),
        "{message}"
    );
    let message = Exchange::join(dir.path(), header(1))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("warm start sha256: efefefefefef there, none here"),
        "{message}"
    );
    let (b, _) = Exchange::join(dir.path(), warm(&"ef".repeat(32), 1)).unwrap();
    b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
    assert_eq!(a.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(3)))]);
    // Without a warm start the header is written as before agents could have one, so
    // that an agent of an earlier version reads it.
    let line = String::from_utf8(encode_line(&Line::Header(header(0)))).unwrap();
    assert!(!line.contains("warm"), "{line}");
    assert!(String::from_utf8(encode_line(&Line::Header(warm("ef", 0))))
        .unwrap()
        .contains(r#""warm_hash":"ef""#));
}

#[test]
fn issue_aud_3_a_line_that_is_not_a_journal_line_names_its_file_line_and_column_only() {
    for (line, said) in [
        (
            r#"{"v":1,"start":42}"#,
            "invalid type: integer `42`, expected struct TrialRecordV1 at column 18",
        ),
        (
            r#"{"v":1,"skip":{"trial":3} "x"}"#,
            "not JSON: expected `,` or `}` at column 27",
        ),
        ("", "blank line, where each line is one JSON object"),
        (
            r#"{"v":1,"skip":{"tri"#,
            "the line ends at column 19 before its JSON object does",
        ),
        (
            r#"{"v":1,"restart":{}}"#,
            "unknown event: not an agent's header, start, report, finish, skip, abort, warm \
                 or tested",
        ),
        (
            r#"{"v":3,"skip":{"trial":3}}"#,
            "journal line version 3, but this sweep reads versions 1 and 2: a newer sweep wrote \
             it; read it with that sweep or a later one",
        ),
        (
            r#"{"v":0,"skip":{"trial":3}}"#,
            "journal line version 0, which no sweep writes (this sweep reads versions 1 and 2)",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        let path = b.own_path().to_path_buf();
        drop(b);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(format!("{line}\n").as_bytes()).unwrap();
        let message = a.poll().unwrap_err().to_string();
        assert_eq!(
            message,
            format!("agent journal {}:2: {said}", path.display()),
            "{line}"
        );
    }
}

#[test]
fn an_unknown_value_inside_a_known_event_is_not_called_an_unknown_event() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
    b.publish(&JournalEvent::Start(
        trial(1, TrialState::Running),
        TrialTrace::default(),
    ))
    .unwrap();
    let path = b.own_path().to_path_buf();
    drop(b);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"running\""), "{text}");
    std::fs::write(&path, text.replace("\"running\"", "\"runing\"")).unwrap();
    let message = a.poll().unwrap_err().to_string();
    assert!(
        message.contains("unknown variant `runing`") && !message.contains("unknown event"),
        "{message}"
    );
}

#[test]
fn an_event_about_a_trial_past_the_plan_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
    // A hand-edited line: the study plans 8 trials.
    b.publish(&JournalEvent::Start(
        trial(99, TrialState::Running),
        TrialTrace::default(),
    ))
    .unwrap();
    let message = a.poll().unwrap_err().to_string();
    assert!(
        message.contains("agent-1.jsonl:2: trial 99 is past the 8 trials the study plans"),
        "{message}"
    );
}

#[test]
fn a_header_with_an_agent_count_past_any_study_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
    let path = a.own_path().to_path_buf();
    drop(a);
    // Four billion agents: a reader each would take hundreds of gigabytes.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"agents\":2", "\"agents\":4000000000", 1),
    )
    .unwrap();
    let mut watcher = Watcher::new(dir.path(), "digits");
    let message = watcher.read_header().unwrap_err().to_string();
    assert!(
        message.contains(
            "agent-0.jsonl:1: the header says agent 0 of 4000000000, where agents count from \
                 1 to 4096"
        ),
        "{message}"
    );
    // Joining through it is refused the same way, and a count in range is not.
    let mut too_many = header(0);
    too_many.agents = MAX_AGENTS + 1;
    let other = tempfile::tempdir().unwrap();
    assert!(Exchange::join(other.path(), too_many).is_err());
    let mut most = header(0);
    most.agents = MAX_AGENTS;
    let (joined, _) = Exchange::join(other.path(), most).unwrap();
    drop(joined);
    let mut watcher = Watcher::new(other.path(), "digits");
    assert_eq!(
        watcher.read_header().unwrap().map(|h| h.agents),
        Some(MAX_AGENTS)
    );
}
