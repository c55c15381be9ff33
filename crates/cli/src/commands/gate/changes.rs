//! What changed since a baseline was recorded, for the gate's notes and `sweep validate`.

use experiment::{Baseline, ExperimentSpec};
use store::RunRecord;

use crate::output::{self, GateNote};

/// Returns what changed since the baseline was recorded, for the report's notes: the settings
/// of the file (its resolved lines but the paths, as a diff, each written as the YAML writes
/// it, `ExperimentSpec::readable_resolved`, or as stored where a changed pair reads alike:
/// `output::line_diff`; comments and layout are no change), the data (by its hash), the trials
/// side by side when the sampler's choices depend on them, and the metrics it records that the
/// gate no longer guards. A baseline written before it recorded how its runs ran is compared
/// by the file's text only.
pub(crate) fn changes_since(
    recorded: &Baseline,
    spec: &ExperimentSpec,
    record: &RunRecord,
    parallel: usize,
) -> Vec<GateNote> {
    let mut notes = Vec::new();
    let Some(run) = &recorded.run else {
        if recorded.spec_hash != spec.hash() {
            notes.push(GateNote::line(output::SPEC_CHANGED.to_string()));
        }
        return notes;
    };
    let (then, now) = (
        experiment::gate_compared(&run.resolved_spec),
        experiment::gate_compared(&record.resolved_spec),
    );
    if then != now {
        notes.push(GateNote {
            line: format!(
                "{}: its settings, defaults filled in, then (-) and now (+):",
                output::SPEC_CHANGED
            ),
            detail: Some(output::line_diff(
                &then,
                &now,
                ExperimentSpec::readable_resolved,
            )),
        });
    }
    if run.data_hash != record.data_hash {
        let short = |h: &str| {
            h.lines()
                .map(experiment::short_hash)
                .collect::<Vec<_>>()
                .join(", ")
        };
        notes.push(GateNote::line(format!(
            "note: the data changed since the baseline was recorded: sha256 {} then, {} now",
            short(&run.data_hash),
            short(&record.data_hash)
        )));
    }
    let parallel = u32::try_from(parallel).unwrap_or(u32::MAX);
    let planned = spec.planned_trials(spec.run_cap);
    if run.parallel != parallel && runner::results_depend_on_parallel(spec, planned) {
        notes.push(GateNote::line(format!(
            "note: this gate ran {} and the baseline {}: with `method: {}` the trials' \
             configurations depend on it, so the values may differ for that alone; write \
             `parallel: {}` in the file",
            output::trials_at_once(parallel),
            output::trials_at_once(run.parallel),
            spec.method.name(),
            run.parallel
        )));
    }
    if let Some(gate) = &spec.gate {
        let unguarded: Vec<&str> = recorded
            .metrics
            .keys()
            .filter(|name| gate.metrics.iter().all(|m| &m.name != *name))
            .map(String::as_str)
            .collect();
        if !unguarded.is_empty() {
            notes.push(GateNote::line(format!(
                "note: the baseline also records {}, which the gate no longer guards",
                unguarded.join(", ")
            )));
        }
    }
    notes
}
