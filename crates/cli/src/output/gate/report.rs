//! The gate's report in each format: a table for people, Markdown for a pull request comment, or
//! JSON, each with what the run is compared with, the rows, the notes and the conclusion.

use std::io::{self, Write};

use experiment::{GateReport, Verdict};
use serde_json::json;

use super::cells::{cells, estimate_json};
use super::provenance::{baseline_json, current_json, provenance, recorded, this_run};
use super::{notes_json, GateHeader};
use crate::args::GateFormat;
use crate::output::{table, visible};

/// The columns of the gate's table.
const HEADER: [&str; 6] = [
    "metric",
    "baseline",
    "current",
    "delta",
    "threshold",
    "verdict",
];

/// Writes the report in `format`.
pub(crate) fn gate_report(
    out: &mut impl Write,
    format: GateFormat,
    header: &GateHeader<'_>,
    report: &GateReport,
) -> io::Result<()> {
    match format {
        GateFormat::Table => text(out, header, report),
        GateFormat::Markdown => markdown(out, header, report),
        GateFormat::Json => json(out, header, report),
    }
}

/// Writes the report as a table for people.
fn text(out: &mut impl Write, h: &GateHeader<'_>, report: &GateReport) -> io::Result<()> {
    writeln!(
        out,
        "gate {}: {} against {}",
        h.experiment,
        repeats(h.repeats, h.noise_k),
        h.baseline_file
    )?;
    writeln!(out, "{}", visible(&provenance(h.baseline)))?;
    writeln!(out, "this run: {}", visible(&this_run(h.current)))?;
    writeln!(out)?;
    let header = HEADER.map(String::from);
    let rows: Vec<Vec<String>> = report.rows.iter().map(|r| cells(r).to_vec()).collect();
    table(out, &header, &rows)?;
    if h.repeats > 1 {
        writeln!(out, "{LEGEND}")?;
    }
    writeln!(out)?;
    for note in &h.notes {
        writeln!(out, "{}", visible(&note.line))?;
        for line in note.detail.iter().flat_map(|d| d.lines()) {
            writeln!(out, "  {}", visible(line))?;
        }
    }
    writeln!(out, "{}", conclusion(h, report))
}

/// What the table's cells mean, below it.
const LEGEND: &str = "± is the standard error over the repeats; a threshold is the regression \
                      tolerated, plus the seed noise given back";

/// Writes the report as Markdown, for a pull request comment.
fn markdown(out: &mut impl Write, h: &GateHeader<'_>, report: &GateReport) -> io::Result<()> {
    let status = if report.passed() { "passed" } else { "FAILED" };
    writeln!(out, "### Sweep gate `{}`: {status}", h.experiment)?;
    writeln!(out)?;
    writeln!(out, "| {} |", HEADER.join(" | "))?;
    writeln!(out, "|---|---:|---:|---:|---:|---|")?;
    for row in &report.rows {
        let mut c = cells(row);
        c[0] = format!("`{}`", c[0]);
        if row.verdict == Verdict::Regression {
            c[5] = format!("**{}**", c[5]);
        }
        writeln!(out, "| {} |", c.join(" | "))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}; baseline `{}`: {}; this run: {}.",
        repeats(h.repeats, h.noise_k),
        h.baseline_file,
        visible(&recorded(h.baseline)),
        visible(&this_run(h.current))
    )?;
    if h.repeats > 1 {
        writeln!(out)?;
        writeln!(out, "{LEGEND}")?;
    }
    for note in &h.notes {
        writeln!(out)?;
        writeln!(out, "{}", note.line)?;
        if let Some(detail) = &note.detail {
            writeln!(out, "```diff\n{detail}\n```")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", conclusion(h, report))
}

/// Writes the report as JSON.
fn json(out: &mut impl Write, h: &GateHeader<'_>, report: &GateReport) -> io::Result<()> {
    let p = &h.baseline.provenance;
    let metrics: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|r| {
            json!({
                "metric": r.metric,
                "aggregate": r.aggregate.as_str(),
                "goal": r.goal.as_str(),
                "baseline": estimate_json(Some(r.baseline)),
                "current": estimate_json(r.current),
                "delta": r.delta.filter(|d| d.is_finite()),
                "allowed": r.allowed,
                "noise": r.noise,
                "verdict": r.verdict.as_str().to_lowercase(),
            })
        })
        .collect();
    let doc = json!({
        "experiment": h.experiment,
        "passed": report.passed(),
        "repeats": h.repeats,
        "noise_k": h.noise_k,
        "spec_changed": h.spec_changed,
        "notes": notes_json(&h.notes),
        "current": current_json(h.current),
        "baseline": baseline_json(h.baseline_file, p),
        "metrics": metrics,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Returns how many runs the gate compares, and with repeats the noise it gives back.
fn repeats(n: u32, noise_k: f64) -> String {
    if n == 1 {
        "1 run".to_string()
    } else {
        format!("{n} repeats, noise = {noise_k} standard errors of the baseline's spread")
    }
}

/// Returns the report's last line: whether the gate passed, what regressed, and what
/// improved enough to record a new baseline.
fn conclusion(h: &GateHeader<'_>, report: &GateReport) -> String {
    let failed: Vec<&str> = report.regressions().map(|r| r.metric.as_str()).collect();
    let improved: Vec<&str> = report
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Improved)
        .map(|r| r.metric.as_str())
        .collect();
    if failed.is_empty() && !improved.is_empty() {
        format!(
            "gate passed; {} improved beyond the threshold: `sweep gate {} --update-baseline` \
             records the new values, so that the gate guards them",
            improved.join(", "),
            crate::output::shell_word(h.file)
        )
    } else if failed.is_empty() {
        "gate passed".to_string()
    } else {
        format!(
            "gate FAILED: {} of {} regressed ({})",
            failed.len(),
            experiment::counted(
                u64::try_from(report.rows.len()).unwrap_or(u64::MAX),
                "metric",
                "metrics"
            ),
            failed.join(", ")
        )
    }
}
