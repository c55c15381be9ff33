//! The written form of an agent journal's lines (`crate::journal`): one JSON object per line,
//! versioned like the store's records, with trials as `TrialRecordV1` and floats as `FloatV1`,
//! so a trial read from another agent's journal is bit for bit the one that agent stored.
//!
//! Line version 2 is version 1 whose start or finish carries a trial with a trace (a record of
//! version 2, with `heard` or `cut`), its only difference: a line is written as version 1
//! whenever it carries no trace, byte for byte as before, so an agent of a build that reads
//! only version 1 is told a newer sweep wrote a line rather than misreading it. A line of
//! version 1 holding a trace is refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use experiment::{MetricPoint, Step, TrialId, WarmStarted};

use super::{metrics_of, metrics_v1, to_json, FloatV1, TrialRecordV1};
use crate::journal::{AgentHeader, JournalEvent};
use crate::TestResult;

/// The newest journal line version this build reads: version 2 carries trials' traces.
const LINE_NEWEST: u32 = 2;

/// A journal line as written by line versions 1 and 2 (a trial record of version 2 only in
/// version 2).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineV1 {
    v: u32,
    #[serde(flatten)]
    body: BodyV1,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BodyV1 {
    Agent(HeaderV1),
    Start(TrialRecordV1),
    Report {
        trial: u32,
        step: u32,
        metrics: Vec<(String, FloatV1)>,
    },
    Finish(TrialRecordV1),
    Skip {
        trial: u32,
    },
    Abort {
        reason: String,
    },
    Warm {
        source: String,
        trials: Vec<TrialRecordV1>,
        left_out: Vec<String>,
    },
    Tested {
        trial: u32,
        metrics: BTreeMap<String, FloatV1>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderV1 {
    experiment: String,
    agent: u32,
    agents: u32,
    parallel: u32,
    planned: u32,
    spec_hash: String,
    data_hash: String,
    /// Absent in journals written before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    spec_text: String,
    /// Absent without a warm start, and in journals written before agents could have one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    warm_hash: String,
}

/// What a journal line holds: the agent's header (its first line) or an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Line {
    Header(AgentHeader),
    Event(JournalEvent),
}

/// Returns a journal line, without its newline.
pub(crate) fn encode_line(line: &Line) -> Vec<u8> {
    let body = match line {
        Line::Header(h) => BodyV1::Agent(HeaderV1 {
            experiment: h.experiment.clone(),
            agent: h.agent,
            agents: h.agents,
            parallel: h.parallel,
            planned: h.planned,
            spec_hash: h.spec_hash.clone(),
            data_hash: h.data_hash.clone(),
            spec_text: h.spec_text.clone(),
            warm_hash: h.warm_hash.clone(),
        }),
        Line::Event(JournalEvent::Start(t, trace)) => BodyV1::Start(TrialRecordV1::of(t, trace)),
        Line::Event(JournalEvent::Finish(t, trace)) => BodyV1::Finish(TrialRecordV1::of(t, trace)),
        Line::Event(JournalEvent::Report {
            trial,
            step,
            metrics,
        }) => BodyV1::Report {
            trial: trial.0,
            step: step.0,
            metrics: metrics
                .iter()
                .map(|m| (m.name.clone(), FloatV1(m.value)))
                .collect(),
        },
        Line::Event(JournalEvent::Skip(trial)) => BodyV1::Skip { trial: trial.0 },
        Line::Event(JournalEvent::Abort(reason)) => BodyV1::Abort {
            reason: reason.clone(),
        },
        Line::Event(JournalEvent::Tested(result)) => BodyV1::Tested {
            trial: result.trial.0,
            metrics: metrics_v1(&result.metrics),
        },
        Line::Event(JournalEvent::Warm(w)) => BodyV1::Warm {
            source: w.source.clone(),
            trials: w.trials.iter().map(TrialRecordV1::from).collect(),
            left_out: w.left_out.clone(),
        },
    };
    // The oldest version that holds the line: 2 only for a trial's trace.
    let v = match &body {
        BodyV1::Start(t) | BodyV1::Finish(t) => t.version(),
        _ => 1,
    };
    to_json(&LineV1 { v, body })
}

/// Decodes a journal line of any known version; the error says what is wrong with it, in words
/// that go after the journal's path and line number (a column, never serde's line 1).
pub(crate) fn decode_line(bytes: &[u8]) -> std::result::Result<Line, String> {
    let version = json::<super::Probe>(bytes)?.v;
    if version > LINE_NEWEST {
        return Err(format!(
            "journal line version {version}, but this sweep reads {}: a newer sweep wrote it; read \
             it with that sweep or a later one",
            crate::error::versions_read(LINE_NEWEST)
        ));
    }
    if version == 0 {
        return Err(format!(
            "journal line version {version}, which no sweep writes (this sweep reads {})",
            crate::error::versions_read(LINE_NEWEST)
        ));
    }
    let line: LineV1 = json(bytes)?;
    check_records(version, &line.body)?;
    Ok(match line.body {
        BodyV1::Agent(h) => Line::Header(AgentHeader {
            experiment: h.experiment,
            agent: h.agent,
            agents: h.agents,
            parallel: h.parallel,
            planned: h.planned,
            spec_hash: h.spec_hash,
            data_hash: h.data_hash,
            spec_text: h.spec_text,
            warm_hash: h.warm_hash,
        }),
        BodyV1::Start(t) => {
            let (trial, trace) = t.into_traced();
            Line::Event(JournalEvent::Start(trial, trace))
        }
        BodyV1::Finish(t) => {
            let (trial, trace) = t.into_traced();
            Line::Event(JournalEvent::Finish(trial, trace))
        }
        BodyV1::Report {
            trial,
            step,
            metrics,
        } => Line::Event(JournalEvent::Report {
            trial: TrialId(trial),
            step: Step(step),
            metrics: metrics
                .into_iter()
                .map(|(name, value)| MetricPoint {
                    name,
                    value: value.0,
                })
                .collect(),
        }),
        BodyV1::Skip { trial } => Line::Event(JournalEvent::Skip(TrialId(trial))),
        BodyV1::Abort { reason } => Line::Event(JournalEvent::Abort(reason)),
        BodyV1::Tested { trial, metrics } => Line::Event(JournalEvent::Tested(TestResult {
            trial: TrialId(trial),
            metrics: metrics_of(metrics),
        })),
        BodyV1::Warm {
            source,
            trials,
            left_out,
        } => Line::Event(JournalEvent::Warm(WarmStarted {
            source,
            trials: trials.into_iter().map(Into::into).collect(),
            left_out,
        })),
    })
}

/// Returns an error if a trial record in a line of `version` does not read as its own `v` says
/// (`TrialRecordV1::version_problem`) or is newer than the line holds: a trace (`heard`, `cut`)
/// only in a line of version 2.
fn check_records(version: u32, body: &BodyV1) -> std::result::Result<(), String> {
    let records: Vec<&TrialRecordV1> = match body {
        BodyV1::Start(t) | BodyV1::Finish(t) => vec![t],
        BodyV1::Warm { trials, .. } => trials.iter().collect(),
        _ => Vec::new(),
    };
    let carried = match body {
        BodyV1::Start(_) | BodyV1::Finish(_) => version,
        // A warm start's trials are taken without their traces.
        _ => 1,
    };
    for record in records {
        if let Some(problem) = record.version_problem() {
            return Err(problem);
        }
        if record.version() > carried {
            return Err(format!(
                "trial {}'s record is version {} and holds a trace (`heard` or `cut`), which a \
                 journal line of version {version} does not carry (a start or finish of version \
                 2 does)",
                record.id(),
                record.version()
            ));
        }
    }
    Ok(())
}

/// Reads `bytes` as JSON, saying what is wrong in words: a blank line, a line cut short, an
/// unknown event, or serde's message with the column (the journal's line is the caller's).
fn json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> std::result::Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return "blank line, where each line is one JSON object".to_string();
        }
        let column = e.column();
        let said = e.to_string();
        let message = said
            .strip_suffix(&format!(" at line {} column {column}", e.line()))
            .unwrap_or(&said);
        if e.is_eof() {
            format!("the line ends at column {column} before its JSON object does")
        } else if message.starts_with("no variant of enum BodyV1")
            // The event's own name; an unknown value inside a known event (a trial's state,
            // say) is said as serde says it, at its column.
            || (message.starts_with("unknown variant") && message.contains("`agent`, `start`"))
        {
            "unknown event: not an agent's header, start, report, finish, skip, abort, warm or \
             tested"
                .to_string()
        } else if e.is_syntax() {
            format!("not JSON: {message} at column {column}")
        } else {
            format!("{message} at column {column}")
        }
    })
}

#[cfg(test)]
mod tests;
