//! Unit tests of the stored run record: round trips, stable bytes, and the versions it reads.

use experiment::TrialId;

use super::*;

fn record(git: Option<GitState>) -> RunRecord {
    RunRecord {
        resolved_spec: "name: e\nseed: 7\n".into(),
        resolved_spec_hash: "ab".repeat(32),
        spec_file: "/work/exp/e.yaml".into(),
        data_file: "/work/exp/data/d.csv".into(),
        data_hash: "cd".repeat(32),
        git,
        no_commit: None,
        sweep_version: "0.0.0".into(),
        engine: "dfdx 0.13.0".into(),
        device: "cpu".into(),
        os: "linux (Debian GNU/Linux 12) x86_64".into(),
        cpu: "AMD EPYC, 2 cores".into(),
        parallel: None,
        agent: None,
        exchange: None,
        planned: None,
    }
}

#[test]
fn run_records_round_trip_with_and_without_git() {
    let dirty = GitState {
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        dirty: true,
        diff: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-\"a\"\n+\u{e9}\n".into(),
    };
    let with_parallel = RunRecord {
        parallel: Some(3),
        ..record(None)
    };
    let with_agent = RunRecord {
        parallel: Some(4),
        agent: Some(AgentOf {
            agent: 1,
            agents: 2,
        }),
        ..record(None)
    };
    let refused = RunRecord {
        no_commit: Some(NoCommit::GitRefused("detected dubious ownership".into())),
        ..record(None)
    };
    let reasons = [
        NoCommit::OutsideCheckout,
        NoCommit::GitNotRun("No such file or directory (os error 2)".into()),
        NoCommit::NoCommitYet,
        NoCommit::HeadUnreadable("bad object HEAD".into()),
        NoCommit::Unrecognized("words of another build".into()),
    ]
    .map(|n| RunRecord {
        no_commit: Some(n),
        parallel: Some(2),
        agent: Some(AgentOf {
            agent: 0,
            agents: 2,
        }),
        ..record(None)
    });
    let with_exchange = RunRecord {
        parallel: Some(2),
        agent: Some(AgentOf {
            agent: 1,
            agents: 2,
        }),
        exchange: Some("../exchange \u{e9}".into()),
        ..record(None)
    };
    for r in [
        record(None),
        record(Some(dirty)),
        with_parallel,
        with_agent,
        refused,
        with_exchange,
        RunRecord {
            planned: Some(6),
            parallel: Some(2),
            ..record(None)
        },
    ]
    .into_iter()
    .chain(reasons)
    {
        assert_eq!(decode_run_record(&encode_run_record(&r)).unwrap(), r);
    }
}

#[test]
fn an_agents_record_names_the_agent_that_ran_each_trial_elsewhere() {
    let of = |agent, agents| AgentOf { agent, agents };
    let agent_1 = RunRecord {
        agent: Some(of(1, 3)),
        ..record(None)
    };
    let ran: Vec<_> = (0..4).map(|t| agent_1.ran_by_another(TrialId(t))).collect();
    assert_eq!(ran, [Some(of(0, 3)), None, Some(of(2, 3)), Some(of(0, 3))]);
    assert_eq!(record(None).ran_by_another(TrialId(0)), None, "one process");
}

#[test]
fn run_record_format_is_stable_and_versions_are_checked() {
    let json = String::from_utf8(encode_run_record(&record(None))).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"v":1,"resolved_spec":"name: e\nseed: 7\n","resolved_spec_hash":"#,
            r#""abababababababababababababababababababababababababababababababab","#,
            r#""spec_file":"/work/exp/e.yaml","data_file":"/work/exp/data/d.csv","#,
            r#""data_hash":"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd","#,
            r#""git":null,"sweep_version":"0.0.0","engine":"dfdx 0.13.0","device":"cpu","#,
            r#""os":"linux (Debian GNU/Linux 12) x86_64","cpu":"AMD EPYC, 2 cores"}"#
        )
    );
    // With `parallel`, version 2: the same fields and that one.
    let two = String::from_utf8(encode_run_record(&RunRecord {
        parallel: Some(3),
        ..record(None)
    }))
    .unwrap();
    assert_eq!(
        two,
        json.replace(r#"{"v":1,"#, r#"{"v":2,"#)
            .replace(r#"2 cores"}"#, r#"2 cores","parallel":3}"#)
    );
    // With `agent`, version 3.
    let three = String::from_utf8(encode_run_record(&RunRecord {
        parallel: Some(3),
        agent: Some(AgentOf {
            agent: 0,
            agents: 2,
        }),
        ..record(None)
    }))
    .unwrap();
    assert_eq!(
        three,
        two.replace(r#"{"v":2,"#, r#"{"v":3,"#).replace(
            r#""parallel":3}"#,
            r#""parallel":3,"agent":{"agent":0,"agents":2}}"#
        )
    );
    // With `no_commit`, version 4.
    let four = String::from_utf8(encode_run_record(&RunRecord {
        no_commit: Some(NoCommit::GitNotRun("No such file".into())),
        ..record(None)
    }))
    .unwrap();
    assert_eq!(
        four,
        json.replace(r#"{"v":1,"#, r#"{"v":4,"#).replace(
            r#"2 cores"}"#,
            r#"2 cores","no_commit":{"git_not_run":"No such file"}}"#
        )
    );
    let outside = String::from_utf8(encode_run_record(&RunRecord {
        no_commit: Some(NoCommit::OutsideCheckout),
        ..record(None)
    }))
    .unwrap();
    assert!(
        outside.ends_with(r#""no_commit":"outside_checkout"}"#),
        "{outside}"
    );
    let unborn = String::from_utf8(encode_run_record(&RunRecord {
        no_commit: Some(NoCommit::NoCommitYet),
        ..record(None)
    }))
    .unwrap();
    assert!(
        unborn.ends_with(r#""no_commit":"no_commit_yet"}"#),
        "{unborn}"
    );
    // With `exchange`, or a reason version 4 lacks, version 5: a build that reads version
    // 4 says a newer one wrote it, rather than that the record is damaged.
    let five = String::from_utf8(encode_run_record(&RunRecord {
        parallel: Some(3),
        agent: Some(AgentOf {
            agent: 0,
            agents: 2,
        }),
        exchange: Some("/shared/ex".into()),
        ..record(None)
    }))
    .unwrap();
    assert_eq!(
        five,
        three
            .replace(r#"{"v":3,"#, r#"{"v":5,"#)
            .replace(r#""agents":2}}"#, r#""agents":2},"exchange":"/shared/ex"}"#)
    );
    for (reason, json) in [
        (
            NoCommit::HeadUnreadable("bad object HEAD".into()),
            r#""no_commit":{"head_unreadable":"bad object HEAD"}}"#,
        ),
        (
            NoCommit::Unrecognized("other words".into()),
            r#""no_commit":{"unrecognized":"other words"}}"#,
        ),
    ] {
        let written = String::from_utf8(encode_run_record(&RunRecord {
            no_commit: Some(reason),
            ..record(None)
        }))
        .unwrap();
        assert!(written.starts_with(r#"{"v":5,"#), "{written}");
        assert!(written.ends_with(json), "{written}");
    }
    // With `planned`, version 6: a build that reads version 5 says a newer one wrote it.
    let six = String::from_utf8(encode_run_record(&RunRecord {
        planned: Some(6),
        parallel: Some(3),
        agent: Some(AgentOf {
            agent: 0,
            agents: 2,
        }),
        exchange: Some("/shared/ex".into()),
        ..record(None)
    }))
    .unwrap();
    assert_eq!(
        six,
        five.replace(r#"{"v":5,"#, r#"{"v":6,"#)
            .replace(r#""/shared/ex"}"#, r#""/shared/ex","planned":6}"#)
    );
    let err = decode_run_record(br#"{"v":7}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "run record has version 7, but this sweep reads versions 1 to 6: a newer sweep \
         wrote it; read it with that sweep or a later one"
    );
    let cut = &json.as_bytes()[..json.len() - 1];
    assert!(matches!(decode_run_record(cut), Err(Error::Corrupt { .. })));
}

#[test]
fn a_record_written_before_the_reason_was_kept_reads_without_one() {
    // A version 3 record, as written before `no_commit` existed.
    let old = concat!(
        r#"{"v":3,"resolved_spec":"name: e\n","resolved_spec_hash":"ab","#,
        r#""spec_file":"/e.yaml","data_file":"/d.csv","data_hash":"cd","git":null,"#,
        r#""sweep_version":"0.1.0","engine":"dfdx 0.13.0","device":"cpu","os":"linux","#,
        r#""cpu":"x, 2 cores","parallel":2,"agent":{"agent":1,"agents":2}}"#
    );
    let r = decode_run_record(old.as_bytes()).unwrap();
    assert_eq!(r.git, None);
    assert_eq!(r.no_commit, None);
    assert_eq!(r.agent.map(|a| a.agent), Some(1));
}

#[test]
fn records_of_version_4_and_5_read_as_written() {
    // A version 4 record, as written before `exchange` existed.
    let four = concat!(
        r#"{"v":4,"resolved_spec":"name: e\n","resolved_spec_hash":"ab","#,
        r#""spec_file":"/e.yaml","data_file":"/d.csv","data_hash":"cd","git":null,"#,
        r#""sweep_version":"0.1.0","engine":"dfdx 0.13.0","device":"cpu","os":"linux","#,
        r#""cpu":"x, 2 cores","parallel":2,"agent":{"agent":1,"agents":2},"#,
        r#""no_commit":{"git_refused":"cannot read HEAD: bad object HEAD"}}"#
    );
    let r = decode_run_record(four.as_bytes()).unwrap();
    assert_eq!(r.exchange, None);
    assert_eq!(
        r.no_commit,
        Some(NoCommit::GitRefused(
            "cannot read HEAD: bad object HEAD".into()
        ))
    );
    assert_eq!(r.agent.map(|a| a.agent), Some(1));
    // Written again, it is the same version 4 record: nothing it has needs a newer one.
    assert_eq!(String::from_utf8(encode_run_record(&r)).unwrap(), four);
    // A version 5 record of an agent's store, with the exchange it was given.
    let five = four.replace(r#"{"v":4,"#, r#"{"v":5,"#).replace(
        r#"{"git_refused":"cannot read HEAD: bad object HEAD"}}"#,
        r#"{"head_unreadable":"bad object HEAD"},"exchange":"../ex"}"#,
    );
    let r = decode_run_record(five.as_bytes()).unwrap();
    assert_eq!(r.exchange.as_deref(), Some("../ex"));
    assert_eq!(
        r.no_commit,
        Some(NoCommit::HeadUnreadable("bad object HEAD".into()))
    );
    assert_eq!(String::from_utf8(encode_run_record(&r)).unwrap(), five);
}

#[test]
fn a_record_written_before_the_plan_was_kept_reads_without_one_and_is_written_as_it_was() {
    // A version 5 record, as written before `planned` existed (it says nothing of the plan its
    // runs were told).
    let five = concat!(
        r#"{"v":5,"resolved_spec":"name: e\n","resolved_spec_hash":"ab","#,
        r#""spec_file":"/e.yaml","data_file":"/d.csv","data_hash":"cd","git":null,"#,
        r#""sweep_version":"0.1.0","engine":"dfdx 0.13.0","device":"cpu","os":"linux","#,
        r#""cpu":"x, 2 cores","parallel":2,"exchange":"../ex"}"#
    );
    let r = decode_run_record(five.as_bytes()).unwrap();
    assert_eq!(r.planned, None);
    assert_eq!(r.exchange.as_deref(), Some("../ex"));
    assert_eq!(String::from_utf8(encode_run_record(&r)).unwrap(), five);
    // Told a plan, it is a version 6 record that reads back with it.
    let told = RunRecord {
        planned: Some(6),
        ..r
    };
    let six = String::from_utf8(encode_run_record(&told)).unwrap();
    assert_eq!(
        six,
        five.replace(r#"{"v":5,"#, r#"{"v":6,"#)
            .replace(r#""../ex"}"#, r#""../ex","planned":6}"#)
    );
    assert_eq!(decode_run_record(six.as_bytes()).unwrap(), told);
}
