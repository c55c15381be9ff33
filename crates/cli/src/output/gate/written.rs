//! What `--update-baseline` recorded, in each format: the guarded metrics' values and mean, where
//! the baseline was recorded, and what it does to the bar.

use std::io::{self, Write};

use experiment::{Baseline, BaselineMetric, Estimate};
use serde_json::json;

use super::cells::{estimate_json, estimate_with, places_for, trimmed};
use super::provenance::{baseline_json, provenance, recorded};
use super::{notes_json, GateNote};
use crate::args::GateFormat;
use crate::output::{table, visible};

/// Writes what `--update-baseline` recorded to `file` in `format`: its guarded metrics in
/// `metrics`' order (the spec's), written as the gate's table writes them, then `notes` (what the
/// new baseline does to the bar).
pub(crate) fn baseline_written(
    out: &mut impl Write,
    format: GateFormat,
    file: &str,
    baseline: &Baseline,
    metrics: &[&str],
    notes: &[GateNote],
) -> io::Result<()> {
    let rows: Vec<(&str, &BaselineMetric)> = metrics
        .iter()
        .filter_map(|name| baseline.metrics.get(*name).map(|m| (*name, m)))
        .collect();
    let cells = |name: &str, m: &BaselineMetric| {
        // A value small enough to round to nothing at 4 decimals (a tiny loss) keeps two
        // significant digits.
        let places = places_for(m.values.iter().copied());
        let values: Vec<String> = m.values.iter().map(|v| trimmed(*v, places)).collect();
        [
            format!("{name} ({}, {})", m.aggregate, m.goal),
            values.join(" "),
            Estimate::of(&m.values)
                .map_or("-".into(), |e| estimate_with(e, &|x| trimmed(x, places))),
        ]
    };
    match format {
        GateFormat::Table => {
            writeln!(out, "baseline of {} written to {file}", baseline.experiment)?;
            let header = WRITTEN_HEADER.map(String::from);
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|(name, m)| cells(name, m).to_vec())
                .collect();
            table(out, &header, &rows)?;
            // The reason for no commit is git's message, paths included: shown, never acted on,
            // as the gate's report shows it.
            writeln!(out, "{}", visible(&provenance(baseline)))?;
            for note in notes {
                writeln!(out, "{}", visible(&note.line))?;
                for line in note.detail.iter().flat_map(|d| d.lines()) {
                    writeln!(out, "  {}", visible(line))?;
                }
            }
            Ok(())
        }
        GateFormat::Markdown => {
            writeln!(
                out,
                "### Sweep gate `{}`: baseline recorded",
                baseline.experiment
            )?;
            writeln!(out)?;
            writeln!(out, "| {} |", WRITTEN_HEADER.join(" | "))?;
            writeln!(out, "|---|---:|---:|")?;
            for (name, m) in &rows {
                let mut c = cells(name, m);
                c[0] = format!("`{}`", c[0]);
                writeln!(out, "| {} |", c.join(" | "))?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "Written to `{file}`; {}.",
                visible(&recorded(baseline))
            )?;
            for note in notes {
                writeln!(out)?;
                writeln!(out, "{}", note.line)?;
                if let Some(detail) = &note.detail {
                    writeln!(out, "```diff\n{detail}\n```")?;
                }
            }
            Ok(())
        }
        GateFormat::Json => {
            let p = &baseline.provenance;
            let metrics: Vec<serde_json::Value> = rows
                .iter()
                .map(|(name, m)| {
                    json!({
                        "metric": name,
                        "aggregate": m.aggregate.as_str(),
                        "goal": m.goal.as_str(),
                        "values": m.values,
                        "baseline": estimate_json(Estimate::of(&m.values)),
                    })
                })
                .collect();
            let doc = json!({
                "experiment": baseline.experiment,
                "baseline_written": true,
                "baseline": baseline_json(file, p),
                "metrics": metrics,
                "notes": notes_json(notes),
            });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
    }
}

/// The columns of the table of a baseline written.
const WRITTEN_HEADER: [&str; 3] = ["metric", "values", "mean"];

#[cfg(test)]
mod tests {
    use experiment::{NoCommit, Provenance};

    use super::*;

    #[test]
    fn issue_a_reason_with_control_characters_is_shown_not_acted_on_in_the_table() {
        // git's message names the repository's path, which may hold any character.
        let baseline = Baseline {
            experiment: "e".into(),
            spec_hash: "h".into(),
            metrics: Default::default(),
            provenance: Provenance {
                commit: None,
                no_commit: Some(NoCommit::GitRefused(
                    "detected dubious ownership in repository at '/srv/\u{1b}[31mx\u{202e}'".into(),
                )),
                dirty: None,
                date: experiment::Timestamp(1_795_865_400_000),
                machine: "x, 2 cores; linux".into(),
                sweep_version: "0.1.0".into(),
            },
            run: None,
        };
        for format in [GateFormat::Table, GateFormat::Markdown] {
            let mut out = Vec::new();
            baseline_written(&mut out, format, "b.json", &baseline, &[], &[]).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{202e}'),
                "{format:?}: {text:?}"
            );
            assert!(
                text.contains("repository at '/srv/\\u{1b}[31mx\\u{202e}'"),
                "{format:?}: {text}"
            );
        }
    }
}
