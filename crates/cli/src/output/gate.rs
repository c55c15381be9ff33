//! The gate's verdicts as a table for people, Markdown for a pull request comment, or JSON.
//!
//! The three share one set of cells (`cells`), so they always say the same thing.

use std::io::{self, Write};

use experiment::{Baseline, Estimate, GateReport, GateRow, Verdict};
use serde_json::json;

use super::table;
use crate::args::GateFormat;
use crate::clock::format_iso_utc;

/// What the report says about the run as a whole, above and below the rows.
#[derive(Debug)]
pub(crate) struct GateHeader<'a> {
    /// The experiment's name.
    pub(crate) experiment: &'a str,
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
}

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

/// Writes what `--update-baseline` recorded.
pub(crate) fn baseline_written(
    out: &mut impl Write,
    file: &str,
    baseline: &Baseline,
) -> io::Result<()> {
    writeln!(out, "baseline of {} written to {file}", baseline.experiment)?;
    let header = ["metric", "values", "mean"].map(String::from);
    let rows: Vec<Vec<String>> = baseline
        .metrics
        .iter()
        .map(|(name, m)| {
            let values: Vec<String> = m.values.iter().map(|v| num(*v)).collect();
            vec![
                format!("{name} ({}, {})", m.aggregate, m.goal),
                values.join(" "),
                Estimate::of(&m.values).map_or("-".into(), estimate),
            ]
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out, "{}", provenance(baseline))
}

fn text(out: &mut impl Write, h: &GateHeader<'_>, report: &GateReport) -> io::Result<()> {
    writeln!(
        out,
        "gate {}: {} against {}",
        h.experiment,
        repeats(h.repeats, h.noise_k),
        h.baseline_file
    )?;
    writeln!(out, "{}", provenance(h.baseline))?;
    writeln!(out)?;
    let header = HEADER.map(String::from);
    let rows: Vec<Vec<String>> = report.rows.iter().map(|r| cells(r).to_vec()).collect();
    table(out, &header, &rows)?;
    writeln!(out)?;
    if h.spec_changed {
        writeln!(out, "{SPEC_CHANGED}")?;
    }
    writeln!(out, "{}", conclusion(report))
}

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
        "{}; baseline `{}`: {}.",
        repeats(h.repeats, h.noise_k),
        h.baseline_file,
        provenance(h.baseline)
    )?;
    if h.spec_changed {
        writeln!(
            out,
            "The experiment file changed since the baseline was recorded."
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", conclusion(report))
}

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
        "baseline": {
            "file": h.baseline_file,
            "commit": p.commit,
            "dirty": p.dirty,
            "date": format_iso_utc(p.date),
            "machine": p.machine,
            "sweep_version": p.sweep_version,
        },
        "metrics": metrics,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Returns the six cells of a row: metric, baseline, current, delta, threshold, verdict.
fn cells(r: &GateRow) -> [String; 6] {
    let threshold = if r.noise > 0.0 {
        format!("{} + {} noise", num(r.allowed), num(r.noise))
    } else {
        num(r.allowed)
    };
    [
        format!("{} ({}, {})", r.metric, r.aggregate, r.goal),
        estimate(r.baseline),
        r.current.map_or("-".to_string(), estimate),
        r.delta.map_or("-".to_string(), |d| {
            let shown = num(d);
            if d >= 0.0 && !shown.starts_with('+') {
                format!("+{shown}")
            } else {
                shown
            }
        }),
        threshold,
        r.verdict.to_string(),
    ]
}

fn estimate(e: Estimate) -> String {
    if e.n > 1 {
        format!("{} ± {}", num(e.mean), num(e.std_error))
    } else {
        num(e.mean)
    }
}

fn estimate_json(e: Option<Estimate>) -> serde_json::Value {
    match e {
        Some(e) => json!({
            "mean": Some(e.mean).filter(|x| x.is_finite()),
            "std_error": Some(e.std_error).filter(|x| x.is_finite()),
            "n": e.n,
        }),
        None => serde_json::Value::Null,
    }
}

fn repeats(n: u32, noise_k: f64) -> String {
    if n == 1 {
        "1 run".to_string()
    } else {
        format!("{n} repeats, noise = {noise_k} standard errors of the baseline's spread")
    }
}

/// The note for a baseline recorded from another text of the experiment file.
pub(crate) const SPEC_CHANGED: &str =
    "note: the experiment file changed since the baseline was recorded";

fn provenance(b: &Baseline) -> String {
    format!("baseline {}", recorded(b))
}

/// Returns when, where and by what a baseline was recorded: "recorded 2026-11-28 15:47:16 UTC,
/// commit d7a3149046d9, sweep 0.1.0, on AMD EPYC, 2 cores; ...".
pub(crate) fn recorded(b: &Baseline) -> String {
    let p = &b.provenance;
    let commit = match (&p.commit, p.dirty) {
        (Some(c), Some(true)) => format!("commit {} (dirty)", short(c)),
        (Some(c), _) => format!("commit {}", short(c)),
        (None, _) => "no commit".to_string(),
    };
    format!(
        "recorded {} UTC, {commit}, sweep {}, on {}",
        p.date.utc(),
        p.sweep_version,
        p.machine
    )
}

fn conclusion(report: &GateReport) -> String {
    let failed: Vec<&str> = report.regressions().map(|r| r.metric.as_str()).collect();
    if failed.is_empty() {
        "gate passed".to_string()
    } else {
        format!(
            "gate FAILED: {} of {} metrics regressed ({})",
            failed.len(),
            report.rows.len(),
            failed.join(", ")
        )
    }
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Formats a value as every table does: 4 decimals, from a million on in exponent form.
fn num(x: f64) -> String {
    experiment::metric_text(Some(x))
}
