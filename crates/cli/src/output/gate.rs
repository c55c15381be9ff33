//! The gate's verdicts as a table for people, Markdown for a pull request comment, or JSON.
//!
//! The three share one set of cells (`cells`), so they always say the same thing. `report`
//! writes the verdicts in each format, `written` what `--update-baseline` recorded, `provenance`
//! where a baseline and this run ran, and `cells` how their numbers are shown.

mod cells;
mod provenance;
mod report;
mod written;

use experiment::Baseline;
use serde_json::json;
use store::RunRecord;

pub(crate) use provenance::recorded;
pub(crate) use report::gate_report;
pub(crate) use written::baseline_written;

/// What the report says about the run as a whole, above and below the rows.
#[derive(Debug)]
pub(crate) struct GateHeader<'a> {
    /// The experiment's name.
    pub(crate) experiment: &'a str,
    /// The experiment file, as given (for the command that records a new baseline).
    pub(crate) file: &'a str,
    /// The baseline file, as shown to the user.
    pub(crate) baseline_file: &'a str,
    /// The baseline read from it.
    pub(crate) baseline: &'a Baseline,
    /// Repeats of the current run.
    pub(crate) repeats: u32,
    /// Standard errors of noise given back.
    pub(crate) noise_k: f64,
    /// Whether the spec's text differs from the one the baseline was recorded with.
    pub(crate) spec_changed: bool,
    /// What changed since the baseline, and what the runs said (`commands::gate`).
    pub(crate) notes: Vec<GateNote>,
    /// Where this run ran: its commit, Sweep's version and the machine, as the baseline's.
    pub(crate) current: &'a RunRecord,
}

/// A note of the report: a line, and what it shows in full (a diff) when it has more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GateNote {
    /// The note, from `note: `.
    pub(crate) line: String,
    /// Lines that follow it, shown indented (a diff of the settings).
    pub(crate) detail: Option<String>,
}

impl GateNote {
    /// Returns a note of one line.
    pub(crate) fn line(line: String) -> GateNote {
        GateNote { line, detail: None }
    }
}

/// Returns the notes as the JSON reports carry them: `{"note", "detail"}` each.
fn notes_json(notes: &[GateNote]) -> Vec<serde_json::Value> {
    notes
        .iter()
        .map(|n| json!({ "note": n.line, "detail": n.detail }))
        .collect()
}

/// The note for a baseline recorded from another text of the experiment file.
pub(crate) const SPEC_CHANGED: &str =
    "note: the experiment file changed since the baseline was recorded";
