//! What changed since a baseline was recorded, for the gate's notes and `sweep validate`.

use experiment::{Baseline, ExperimentSpec};
use store::RunRecord;

use crate::baseline;
use crate::output::{self, GateNote};

/// Returns what changed since the baseline was recorded, for the report's notes: the settings
/// of the file (its resolved lines but the paths, compared in the run record's notation as the
/// baseline holds them, and shown as a diff with each line written as the YAML writes it,
/// `ExperimentSpec::readable_resolved`, or as stored where a changed pair reads alike:
/// `output::line_diff`; comments and layout are no change), the data (by its hash), the trials
/// side by side when the sampler's choices depend on them, and the metrics it records that the
/// gate no longer guards. A baseline of version 3, which holds the settings in the YAML's words
/// only (`baseline::held_in_words`), is compared with this build's words. A baseline written
/// before it recorded how its runs ran is compared by the file's text only.
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
    let now = experiment::gate_compared(&record.resolved_spec);
    let in_words = baseline::held_in_words(run);
    let (then, now, shown): (String, String, fn(&str) -> String) = if in_words {
        // Words written by another build may differ from this one's for the same settings:
        // version 4 keeps the notation for that, and such a file is recorded again to have it.
        (
            run.resolved_spec.clone(),
            ExperimentSpec::readable_resolved(&now),
            str::to_string,
        )
    } else {
        (
            experiment::gate_compared(&run.resolved_spec),
            now,
            ExperimentSpec::readable_resolved,
        )
    };
    if then != now {
        notes.push(GateNote {
            line: format!(
                "{}: its settings, defaults filled in, then (-) and now (+):",
                output::SPEC_CHANGED
            ),
            detail: Some(output::line_diff(&then, &now, shown)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A gate of the learning rate `lr`.
    fn spec(lr: &str) -> ExperimentSpec {
        let text = format!(
            "name: changes\nmetric: {{name: val_loss, goal: minimize}}\nrun_cap: 1\n\
             parallel: 1\ndata: {{csv: d.csv, target: y}}\ntrain: {{lr: {lr}}}\n\
             gate:\n  baseline: base.json\n  metrics:\n    \
             val_loss: {{aggregate: final, max_regression_abs: 0.1}}\n"
        );
        ExperimentSpec::from_yaml_str(&text, std::path::Path::new("changes.yaml")).unwrap()
    }

    /// Returns the run record of a run of `spec`.
    fn record(spec: &ExperimentSpec) -> RunRecord {
        RunRecord {
            resolved_spec: spec.resolved(),
            data_hash: "d".repeat(64),
            ..RunRecord::default()
        }
    }

    /// Returns the notes on `spec`'s run against the baseline file of `version` whose
    /// `run.resolved_spec` holds `lines` (and, for version 4, whose `run.settings` holds
    /// `settings`), written and read as a gate reads it.
    fn notes_against(
        spec: &ExperimentSpec,
        version: u32,
        lines: &[&str],
        settings: &[&str],
    ) -> Vec<String> {
        let mut run = serde_json::json!({
            "parallel": 1, "data_sha256": "d".repeat(64), "resolved_spec": lines,
        });
        if version == 4 {
            run["settings"] = serde_json::json!(settings);
        }
        let text = serde_json::json!({
            "format": "sweep-gate-baseline", "version": version, "experiment": "changes",
            "spec_sha256": "",
            "metrics": {"val_loss": {"aggregate": "final", "goal": "minimize", "values": [1.0]}},
            "provenance": {"commit": null, "dirty": null, "date": "2025-01-01T00:00:00Z",
                           "machine": "m", "sweep_version": "0.0.0"},
            "run": run,
        });
        let path = std::env::temp_dir().join(format!(
            "sweep-changes-{}-{version}-{}.json",
            std::process::id(),
            lines.len()
        ));
        std::fs::write(&path, text.to_string()).unwrap();
        let read = crate::baseline::read(&path);
        std::fs::remove_file(&path).unwrap();
        changes_since(&read.unwrap(), spec, &record(spec), 1)
            .into_iter()
            .map(|n| format!("{}\n{}", n.line, n.detail.unwrap_or_default()))
            .collect()
    }

    /// Issue: a baseline of version 3 holds its settings in the YAML's words only; the other
    /// versions hold the run record's notation. Each still compares with a run of the same file
    /// as no change, and a change shows in the YAML's words on both sides.
    #[test]
    fn issue_a_baseline_in_either_words_compares_like_with_like() {
        let then = spec("0.003");
        let notation = experiment::gate_compared(&then.resolved());
        let readable = ExperimentSpec::readable_resolved(&notation);
        assert_ne!(notation, readable, "the notation reads otherwise");
        let (notation, readable): (Vec<&str>, Vec<&str>) =
            (notation.lines().collect(), readable.lines().collect());
        for (version, lines) in [
            (1, &notation),
            (2, &notation),
            (3, &readable),
            (4, &notation),
        ] {
            assert_eq!(
                notes_against(&then, version, lines, &readable),
                Vec::<String>::new(),
                "version {version}"
            );
            let notes = notes_against(&spec("0.004"), version, lines, &readable);
            assert!(
                notes.len() == 1
                    && notes[0].contains("- train.lr: 0.003\n+ train.lr: 0.004")
                    && !notes[0].contains("Float("),
                "version {version}: {notes:?}"
            );
        }
    }

    /// Issue: version 3 baselines held the settings in the YAML's words only, and the gate
    /// compared them with this build's words: a build that writes them otherwise (their wording
    /// changed several times) saw every setting changed, and a change that reads alike was not
    /// seen at all. Version 4 compares the notation it keeps beside the words: the words of
    /// another build change nothing, and a change that reads alike is shown as stored.
    #[test]
    fn issue_a_baseline_compares_its_notation_not_its_words() {
        let then = spec("0.003");
        let notation = experiment::gate_compared(&then.resolved());
        let lines: Vec<&str> = notation.lines().collect();
        // Words another build wrote: no change.
        let elsewhere: Vec<String> = ExperimentSpec::readable_resolved(&notation)
            .lines()
            .map(|l| l.replace(": ", " = "))
            .collect();
        let elsewhere: Vec<&str> = elsewhere.iter().map(String::as_str).collect();
        assert_eq!(
            notes_against(&then, 4, &lines, &elsewhere),
            Vec::<String>::new()
        );
        // A stored line that reads as this run's but is not its notation: shown as stored.
        let alike: Vec<String> = lines
            .iter()
            .map(|l| l.replace("parallel: Some(1)", "parallel: 1"))
            .collect();
        assert_ne!(alike, lines, "{notation}");
        let alike: Vec<&str> = alike.iter().map(String::as_str).collect();
        let notes = notes_against(&then, 4, &alike, &elsewhere);
        assert!(
            notes.len() == 1 && notes[0].contains("- parallel: 1\n+ parallel: Some(1)"),
            "{notes:?}"
        );
    }
}
