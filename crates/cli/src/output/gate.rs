//! The gate's verdicts as a table for people, Markdown for a pull request comment, or JSON.
//!
//! The three share one set of cells (`cells`), so they always say the same thing.

use std::io::{self, Write};

use experiment::{Baseline, BaselineMetric, Estimate, GateReport, GateRow, Provenance, Verdict};
use serde_json::json;
use store::{NoCommit, RunRecord};

use super::{table, visible};
use crate::args::GateFormat;
use crate::clock::format_iso_utc;
use crate::probe::{same_commit, version_shown, Build};

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

/// Returns where a gate's run ran, as a baseline's provenance reads: "experiment file at
/// commit d7a3149046d9 (dirty), sweep 0.1.0 built from commit 85ec1f4, on AMD EPYC, 2 cores;
/// ...".
fn this_run(r: &RunRecord) -> String {
    let none_because = r.no_commit.as_ref().map(NoCommit::to_string);
    let commits = commits_text(
        FileCommit {
            commit: r.git.as_ref().map(|g| g.commit.as_str()),
            dirty: r.git.as_ref().map(|g| g.dirty),
            none_because: none_because.as_deref(),
        },
        &r.sweep_version,
    );
    format!("{commits}, on {}; {}", r.cpu, r.os)
}

/// What a run or a baseline recorded of the commit of the checkout holding the experiment file.
#[derive(Debug, Clone, Copy)]
struct FileCommit<'a> {
    /// The commit, when there was one.
    commit: Option<&'a str>,
    /// Whether tracked files differed from it, when known.
    dirty: Option<bool>,
    /// Why there was none, in words (`store::NoCommit`'s, which a baseline keeps), when known:
    /// a baseline or a run record from before the reason was kept does not say.
    none_because: Option<&'a str>,
}

/// Returns the two commits behind a run, each named for what it is: that of the checkout
/// holding the experiment file (`checkout`) and that of the Sweep build (`sweep_version`, as
/// recorded), the second as "that commit" where they agree: "experiment file at commit
/// d7a3149046d9 (dirty), sweep 0.1.0 built from commit 85ec1f4". A file with no commit is said
/// to lie outside any git checkout only where git said so (`NoCommit::OutsideCheckout`'s words).
fn commits_text(checkout: FileCommit<'_>, sweep_version: &str) -> String {
    let outside = NoCommit::OutsideCheckout.to_string();
    let file = match (checkout.commit, checkout.dirty, checkout.none_because) {
        (Some(c), Some(true), _) => format!("experiment file at commit {} (dirty)", short(c)),
        (Some(c), _, _) => format!("experiment file at commit {}", short(c)),
        (None, _, Some(why)) if why == outside => {
            "experiment file outside any git checkout".to_string()
        }
        (None, _, Some(why)) => format!("experiment file's commit unknown ({why})"),
        (None, _, None) => "experiment file's commit not recorded".to_string(),
    };
    let checkout = checkout.commit;
    let build = Build::parse(sweep_version);
    let sweep = match build.commit {
        None => format!("sweep {}", version_shown(sweep_version)),
        Some(b) if checkout.is_some_and(|c| same_commit(c, b)) => {
            format!("sweep {} built from that commit", build.version)
        }
        Some(b) => format!("sweep {} built from commit {b}", build.version),
    };
    format!("{file}, {sweep}")
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
            writeln!(out, "{}", provenance(baseline))?;
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
            writeln!(out, "Written to `{file}`; {}.", recorded(baseline))?;
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

/// Returns the notes as the JSON reports carry them: `{"note", "detail"}` each.
fn notes_json(notes: &[GateNote]) -> Vec<serde_json::Value> {
    notes
        .iter()
        .map(|n| json!({ "note": n.line, "detail": n.detail }))
        .collect()
}

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
        recorded(h.baseline),
        this_run(h.current)
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

/// Returns the JSON of where this run ran (`GateHeader::current`): its commit and whether the
/// checkout was dirty, `null` without one, and then `no_commit`, why it has none, as the text
/// report's "this run" line says it ("not inside a git checkout", "git could not be run:
/// REASON", ...; absent with a commit, or where the record does not say).
fn current_json(r: &RunRecord) -> serde_json::Value {
    let mut current = json!({
        "commit": r.git.as_ref().map(|g| g.commit.clone()),
        "dirty": r.git.as_ref().map(|g| g.dirty),
        "machine": format!("{}; {}", r.cpu, r.os),
        "sweep_version": r.sweep_version,
    });
    if let (None, Some(why), Some(fields)) = (&r.git, &r.no_commit, current.as_object_mut()) {
        fields.insert("no_commit".into(), why.to_string().into());
    }
    current
}

/// Returns the JSON of a baseline's file and where it was recorded, as both JSON reports give it:
/// its commit, `null` without one, and then `no_commit`, why it has none, as `current_json` says
/// it of this run (absent with a commit, or where the baseline does not say).
fn baseline_json(file: &str, p: &Provenance) -> serde_json::Value {
    let mut baseline = json!({
        "file": file,
        "commit": p.commit,
        "dirty": p.dirty,
        "date": format_iso_utc(p.date),
        "machine": p.machine,
        "sweep_version": p.sweep_version,
    });
    if let (None, Some(why), Some(fields)) = (&p.commit, &p.no_commit, baseline.as_object_mut()) {
        fields.insert("no_commit".into(), why.clone().into());
    }
    baseline
}

/// Returns the six cells of a row: metric, baseline, current, delta, threshold, verdict. The
/// numbers of a row share their decimals (`places`), so that a small delta shows.
fn cells(r: &GateRow) -> [String; 6] {
    let places = places(r);
    let num = |x: f64| trimmed(x, places);
    // Noise that rounds to nothing is left out rather than shown as `+ 0 noise`.
    let threshold = if trimmed(r.noise, places) != "0" {
        format!("{} + {} noise", num(r.allowed), num(r.noise))
    } else {
        num(r.allowed)
    };
    let estimate = |e: Estimate| estimate_with(e, &num);
    [
        format!("{} ({}, {})", r.metric, r.aggregate, r.goal),
        estimate(r.baseline),
        r.current.map_or("-".to_string(), estimate),
        r.delta
            .map_or("-".to_string(), |d| delta_text(d, r, places)),
        threshold,
        r.verdict.to_string(),
    ]
}

/// Returns the decimals a row's numbers are shown with: 4, or more when its delta or threshold
/// needs them to show two significant digits (at most 12).
fn places(r: &GateRow) -> usize {
    places_for([r.delta.unwrap_or(0.0), r.allowed])
}

/// Returns the decimals that show two significant digits of each of `xs` (zeros and
/// non-finite ones aside): at least 4, at most 12.
fn places_for(xs: impl IntoIterator<Item = f64>) -> usize {
    xs.into_iter()
        .filter(|x| x.is_finite() && *x != 0.0)
        .map(|x| {
            // Decimals to the first significant digit, and one more.
            let first = (-x.abs().log10()).ceil();
            if first.is_finite() && first > 0.0 {
                (first as usize).saturating_add(1)
            } else {
                0
            }
        })
        .fold(4, usize::max)
        .min(12)
}

/// Returns `x` with `places` decimals, a whole number without them (`3185`, `0`: a count such
/// as `param_count`, or no change, or a value that rounds to nothing), and from a million on as
/// a metric's value is shown elsewhere (`experiment::metric_text`).
fn trimmed(x: f64, places: usize) -> String {
    if !x.is_finite() || x.abs() >= 1e6 {
        return num(x);
    }
    if x == 0.0 {
        // `-0` is no change either.
        return "0".to_string();
    }
    if x.fract() == 0.0 {
        return format!("{x}");
    }
    let shown = format!("{x:.places$}");
    // A value that rounds to nothing at these decimals (a spread of 1e-9) is shown as zero is,
    // so that `± 0` and a threshold without `+ 0 noise` read alike whether it is 0 or nearly.
    if shown.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
        return "0".to_string();
    }
    shown
}

/// Returns a delta as the table shows it: signed, then how much worse or better in words, and
/// by what share of the baseline: `+0.0007 (33% worse)`.
fn delta_text(d: f64, r: &GateRow, places: usize) -> String {
    let shown = trimmed(d, places);
    if shown == "0" || !d.is_finite() {
        return shown;
    }
    let signed = if d > 0.0 { format!("+{shown}") } else { shown };
    let worse = match r.goal {
        experiment::Direction::Maximize => d < 0.0,
        experiment::Direction::Minimize => d > 0.0,
    };
    let word = if worse { "worse" } else { "better" };
    let base = r.baseline.mean.abs();
    if base > 0.0 && base.is_finite() {
        let share = d.abs() / base * 100.0;
        let share = if share >= 10.0 {
            format!("{share:.0}")
        } else if share >= 1.0 {
            format!("{share:.1}")
        } else {
            format!("{share:.2}")
        };
        format!("{signed} ({share}% {word})")
    } else {
        format!("{signed} ({word})")
    }
}

/// Returns a mean, and its standard error over several values, each written by `num`.
fn estimate_with(e: Estimate, num: &dyn Fn(f64) -> String) -> String {
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
/// experiment file at commit d7a3149046d9, sweep 0.1.0 built from that commit, on AMD EPYC, 2
/// cores; ...".
pub(crate) fn recorded(b: &Baseline) -> String {
    let p = &b.provenance;
    format!(
        "recorded {} UTC, {}, on {}",
        p.date.utc(),
        commits_text(
            FileCommit {
                commit: p.commit.as_deref(),
                dirty: p.dirty,
                none_because: p.no_commit.as_deref(),
            },
            &p.sweep_version
        ),
        p.machine
    )
}

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
            super::shell_word(h.file)
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

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Formats a value as every table does: 4 decimals, from a million on in exponent form.
fn num(x: f64) -> String {
    experiment::metric_text(Some(x))
}

#[cfg(test)]
mod tests {
    use experiment::{Aggregate, Direction};

    use super::*;

    #[test]
    fn a_run_names_its_experiment_files_commit_and_its_builds_apart_or_once_when_they_agree() {
        let full = "d7a3149046d9aa55e7c1b0f9d7a3149046d9aa55";
        for (checkout, dirty, sweep, want) in [
            (
                Some(full),
                Some(true),
                "0.1.0 (85ec1f4)",
                "experiment file at commit d7a3149046d9 (dirty), sweep 0.1.0 built from commit \
                 85ec1f4",
            ),
            (
                Some(full),
                Some(false),
                "0.1.0 (d7a3149)",
                "experiment file at commit d7a3149046d9, sweep 0.1.0 built from that commit",
            ),
            (
                Some(full),
                Some(true),
                "0.1.0 (d7a3149046d9aa55e)",
                "experiment file at commit d7a3149046d9 (dirty), sweep 0.1.0 built from that \
                 commit",
            ),
            (
                Some(full),
                None,
                "0.1.0",
                "experiment file at commit d7a3149046d9, sweep 0.1.0",
            ),
            (
                None,
                None,
                "0.1.0 (85ec1f4)",
                "experiment file's commit not recorded, sweep 0.1.0 built from commit 85ec1f4",
            ),
            (
                None,
                None,
                "0.0.0",
                "experiment file's commit not recorded, sweep 0.0.0 (unversioned, before 0.1.0)",
            ),
        ] {
            let checkout = FileCommit {
                commit: checkout,
                dirty,
                none_because: None,
            };
            assert_eq!(commits_text(checkout, sweep), want, "{sweep}");
        }
    }

    #[test]
    fn issue_a_run_without_a_commit_says_why_and_outside_git_only_where_git_said_so() {
        let why = |none_because: &NoCommit| {
            let words = none_because.to_string();
            let checkout = FileCommit {
                commit: None,
                dirty: None,
                none_because: Some(&words),
            };
            commits_text(checkout, "0.1.0 (85ec1f4)")
        };
        assert_eq!(
            why(&NoCommit::OutsideCheckout),
            "experiment file outside any git checkout, sweep 0.1.0 built from commit 85ec1f4"
        );
        assert_eq!(
            why(&NoCommit::GitNotRun(
                "No such file or directory (os error 2)".into()
            )),
            "experiment file's commit unknown (git could not be run: No such file or directory \
             (os error 2)), sweep 0.1.0 built from commit 85ec1f4"
        );
        assert_eq!(
            why(&NoCommit::GitRefused(
                "detected dubious ownership in repository at '/srv/x'".into()
            )),
            "experiment file's commit unknown (git refused the folder: detected dubious \
             ownership in repository at '/srv/x'), sweep 0.1.0 built from commit 85ec1f4"
        );
        // The gate's "this run" line reads the record's reason.
        let record = RunRecord {
            no_commit: Some(NoCommit::GitRefused("detected dubious ownership".into())),
            sweep_version: "0.1.0".into(),
            cpu: "x, 2 cores".into(),
            os: "linux".into(),
            ..RunRecord::default()
        };
        assert_eq!(
            this_run(&record),
            "experiment file's commit unknown (git refused the folder: detected dubious \
             ownership), sweep 0.1.0, on x, 2 cores; linux"
        );
    }

    #[test]
    fn issue_the_json_report_says_why_this_run_has_no_commit() {
        let record = |git, no_commit| RunRecord {
            git,
            no_commit,
            sweep_version: "0.1.0".into(),
            cpu: "x, 2 cores".into(),
            os: "linux".into(),
            ..RunRecord::default()
        };
        let outside = current_json(&record(None, Some(NoCommit::OutsideCheckout)));
        assert_eq!(
            outside,
            json!({
                "commit": null,
                "dirty": null,
                "no_commit": "not inside a git checkout",
                "machine": "x, 2 cores; linux",
                "sweep_version": "0.1.0",
            })
        );
        let refused = current_json(&record(None, Some(NoCommit::GitRefused("dubious".into()))));
        assert_eq!(refused["no_commit"], "git refused the folder: dubious");
        // With a commit, or a record that does not say, there is no reason to give.
        let git = store::GitState {
            commit: "d7a3149046d9".into(),
            dirty: false,
            diff: String::new(),
        };
        let committed = current_json(&record(Some(git), None));
        assert_eq!(committed["commit"], "d7a3149046d9");
        assert!(committed.get("no_commit").is_none(), "{committed}");
        assert!(current_json(&record(None, None)).get("no_commit").is_none());
    }

    #[test]
    fn issue_a_baseline_without_a_commit_says_why_as_this_run_does() {
        let baseline = |no_commit: Option<NoCommit>| Baseline {
            experiment: "e".into(),
            spec_hash: "h".into(),
            metrics: Default::default(),
            provenance: Provenance {
                commit: None,
                no_commit: no_commit.map(|n| n.to_string()),
                dirty: None,
                date: experiment::Timestamp(1_795_865_400_000),
                machine: "x, 2 cores; linux".into(),
                sweep_version: "0.1.0".into(),
            },
            run: None,
        };
        let at = "recorded 2026-11-28 11:30:00 UTC, ";
        let outside = baseline(Some(NoCommit::OutsideCheckout));
        assert_eq!(
            recorded(&outside),
            format!(
                "{at}experiment file outside any git checkout, sweep 0.1.0, on x, 2 cores; linux"
            )
        );
        let yet = baseline(Some(NoCommit::NoCommitYet));
        assert_eq!(
            recorded(&yet),
            format!(
                "{at}experiment file's commit unknown (the checkout has no commit yet), sweep \
                 0.1.0, on x, 2 cores; linux"
            )
        );
        // A baseline recorded before the reason was kept claims none.
        let before = baseline(None);
        assert_eq!(
            recorded(&before),
            format!("{at}experiment file's commit not recorded, sweep 0.1.0, on x, 2 cores; linux")
        );
        // The JSON reports give it as they give this run's.
        let refused = baseline(Some(NoCommit::GitRefused("dubious".into())));
        let json = baseline_json("b.json", &refused.provenance);
        assert_eq!(json["commit"], serde_json::Value::Null);
        assert_eq!(json["no_commit"], "git refused the folder: dubious");
        assert!(baseline_json("b.json", &before.provenance)
            .get("no_commit")
            .is_none());
        let mut committed = baseline(None).provenance;
        committed.commit = Some("d7a3149046d9".into());
        assert!(baseline_json("b.json", &committed)
            .get("no_commit")
            .is_none());
    }

    #[test]
    fn a_tiny_recorded_value_keeps_two_significant_digits() {
        assert_eq!(places_for([0.8123, 0.8]), 4);
        assert_eq!(places_for([3e-5, 0.0]), 6);
        assert_eq!(trimmed(3e-5, places_for([3e-5])), "0.000030");
        assert_eq!(places_for([f64::NAN, 1e-30]), 12);
    }

    #[test]
    fn whole_numbers_go_without_decimals_and_keep_their_sign() {
        assert_eq!(trimmed(3185.0, 4), "3185");
        assert_eq!(trimmed(-3.0, 4), "-3");
        assert_eq!(trimmed(-0.0, 4), "0");
        assert_eq!(trimmed(0.003, 4), "0.0030");
        assert_eq!(trimmed(-0.00071, 6), "-0.000710");
        // Nothing at these decimals is zero, as zero is shown.
        assert_eq!(trimmed(1e-9, 4), "0");
        assert_eq!(trimmed(-4e-5, 4), "0");
        assert_eq!(trimmed(5e-5, 4), "0.0001");
    }

    #[test]
    fn a_spread_that_rounds_to_nothing_shows_as_none() {
        let spread = |std_error: f64| Estimate {
            mean: 0.7,
            std_dev: std_error * 3.0_f64.sqrt(),
            std_error,
            n: 3,
        };
        let row = |std_error: f64, noise: f64| GateRow {
            metric: "val_accuracy".to_string(),
            aggregate: Aggregate::Best,
            goal: Direction::Maximize,
            baseline: spread(std_error),
            current: Some(spread(std_error)),
            delta: Some(0.0),
            allowed: 0.01,
            noise,
            verdict: Verdict::Pass,
        };
        let exact = cells(&row(0.0, 0.0));
        let tiny = cells(&row(1e-12, 3e-12));
        assert_eq!(tiny, exact);
        assert_eq!(tiny[1], "0.7000 ± 0");
        assert_eq!(tiny[4], "0.0100");
        // A spread that shows is shown.
        let some = cells(&row(0.002, 0.005));
        assert_eq!(some[1], "0.7000 ± 0.0020");
        assert_eq!(some[4], "0.0100 + 0.0050 noise");
    }
}
