//! Unit tests of journal lines' versions: a line without a trace is written as the build before
//! traces wrote it, a trace goes in a line of version 2, and a line of version 1 holding one is
//! refused.

use experiment::{Params, Seed, Timestamp, Trial, TrialId, TrialState};

use super::{decode_line, encode_line, Line};
use crate::journal::JournalEvent;
use crate::trace::{CutAttempt, CutBy, TrialTrace};

/// A trial's start as the build before traces wrote it: a line and a trial record of version 1.
const START_BEFORE_TRACES: &str = concat!(
    r#"{"v":1,"start":{"v":1,"id":3,"seed":7,"params":{},"state":"running","reason":null,"#,
    r#""started":100,"finished":null,"result":null}}"#
);

fn running() -> Trial {
    Trial {
        id: TrialId(3),
        seed: Seed(7),
        params: Params::new(),
        state: TrialState::Running,
        reason: None,
        started: Some(Timestamp(100)),
        finished: None,
        result: None,
    }
}

fn stopped_once() -> TrialTrace {
    TrialTrace {
        heard: None,
        cut: vec![CutAttempt {
            started: Timestamp(20),
            ended: Timestamp(90),
            epochs: 2,
            by: CutBy::Stop,
        }],
    }
}

fn decoded(line: &str) -> Result<Line, String> {
    decode_line(line.as_bytes())
}

#[test]
fn a_start_without_a_trace_is_written_and_read_as_before_traces() {
    let line = Line::Event(JournalEvent::Start(running(), TrialTrace::default()));
    assert_eq!(
        String::from_utf8(encode_line(&line)).unwrap(),
        START_BEFORE_TRACES
    );
    assert_eq!(decoded(START_BEFORE_TRACES).unwrap(), line);
}

#[test]
fn a_trace_goes_in_a_line_of_version_2_which_reads_back() {
    for event in [
        JournalEvent::Start(running(), stopped_once()),
        JournalEvent::Finish(running(), stopped_once()),
    ] {
        let line = Line::Event(event);
        let text = String::from_utf8(encode_line(&line)).unwrap();
        assert!(text.starts_with(r#"{"v":2,"#), "{text}");
        assert!(text.contains(r#"{"v":2,"id":3,"#), "{text}");
        assert_eq!(decoded(&text).unwrap(), line);
    }
}

#[test]
fn a_line_of_version_1_holding_a_trace_is_refused_with_what_holds_it() {
    let with_cut = String::from_utf8(encode_line(&Line::Event(JournalEvent::Start(
        running(),
        stopped_once(),
    ))))
    .unwrap();
    // As the first build with traces wrote it: a record of version 2 in a line of version 1.
    let in_v1_line = with_cut.replacen(r#"{"v":2,"#, r#"{"v":1,"#, 1);
    assert_eq!(
        decoded(&in_v1_line).unwrap_err(),
        "trial 3's record is version 2 and holds a trace (`heard` or `cut`), which a journal \
         line of version 1 does not carry (a start or finish of version 2 does)"
    );
    // A record of version 1 holding `cut`, in a line of either version.
    let v1_record = in_v1_line.replace(r#""start":{"v":2,"#, r#""start":{"v":1,"#);
    for line in [
        v1_record.clone(),
        v1_record.replacen(r#"{"v":1,"#, r#"{"v":2,"#, 1),
    ] {
        assert_eq!(
            decoded(&line).unwrap_err(),
            "trial 3's record is version 1 but holds `cut`, which only version 2 holds",
            "{line}"
        );
    }
    // A record of version 2 without a trace.
    let bare_v2 = START_BEFORE_TRACES
        .replacen(r#"{"v":1,"#, r#"{"v":2,"#, 1)
        .replace(r#""start":{"v":1,"#, r#""start":{"v":2,"#);
    assert_eq!(
        decoded(&bare_v2).unwrap_err(),
        "trial 3's record is version 2 but holds neither `heard` nor `cut`, one of which \
         version 2 holds"
    );
}
