//! Tables and JSON for people and machines. Only this module knows their formats; the CSV of
//! trials and curves is `experiment`'s (`trials_csv`, `curves_csv`), which the dashboard's
//! downloads write too.

mod export;
mod gate;
mod record;
mod trial;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use experiment::{
    busy_ms, format_duration, rank_trials, Constraint, Effort, ExperimentSpec, Judged, MetricSpec,
    Trial, TrialId, TrialOrder, TrialState,
};
use serde::Serialize;
use store::ExperimentInfo;

pub(crate) use export::{series_json, SeriesRow};
pub(crate) use gate::{
    baseline_written, gate_report, recorded as baseline_recorded, GateHeader, GateNote,
    SPEC_CHANGED,
};
pub(crate) use record::{run_record, run_record_details};
pub(crate) use trial::{trial_card, trials_side_by_side, Shown};

/// Formats a metric value as the dashboard does (`experiment::metric_text`).
pub(crate) use experiment::metric_text as metric;

/// Returns `text` as a terminal may be sent it: every C0 and C1 control character (escape,
/// bell, newline, tab, delete and the rest) and every bidirectional override, embedding and
/// isolate written as a Rust escape such as `\u{1b}`, the rest as it is.
///
/// Text that came from a file or a journal (a description, a failure's reason, a categorical
/// value, a class label, a name) goes through here before it reaches the terminal: raw, an
/// escape sequence could recolour the screen, retitle the window or hide what follows, and a
/// right-to-left override could make a line read as something else.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if hidden(ch) {
            shown.extend(ch.escape_unicode());
        } else {
            shown.push(ch);
        }
    }
    Cow::Owned(shown)
}

/// Returns `text` as `visible` writes it, line by line: its newlines kept as line breaks (an
/// error's several lines), every other control character shown. For text that mixes the
/// command's own lines with what files or journals hold, such as an error's chain.
pub(crate) fn visible_lines(text: &str) -> String {
    text.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// Returns whether `ch` acts on a terminal rather than showing: a C0 or C1 control character
/// (`char::is_control`), or a bidirectional override, embedding or isolate (U+202A to U+202E,
/// U+2066 to U+2069).
fn hidden(ch: char) -> bool {
    ch.is_control() || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes the leaderboard: rank, trial, state, objective, best epoch, the further objectives and
/// the constrained metrics, then every parameter; `ranked` is best first, and only the first
/// `top` rows are written.
pub(crate) fn leaderboard(
    out: &mut impl Write,
    ranked: &[&Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
    top: usize,
) -> io::Result<()> {
    let rows: Vec<(Option<usize>, &Trial)> = ranked
        .iter()
        .take(top)
        .enumerate()
        .map(|(i, t)| (has_values(t, objectives).then_some(i + 1), *t))
        .collect();
    // No rows asked for (`--top 0`): no table of columns without rows either.
    if !rows.is_empty() {
        trial_table(out, ranked, &rows, objectives, constraints)?;
    }
    let all: Vec<Trial> = ranked.iter().map(|t| (*t).clone()).collect();
    front_ranks(out, &all, objectives, constraints)?;
    if ranked.len() > top {
        let (one, many) = if rows.is_empty() {
            ("trial", "trials")
        } else {
            ("more trial", "more trials")
        };
        let rest = u64::try_from(ranked.len() - top).unwrap_or(u64::MAX);
        writeln!(
            out,
            "({}; `sweep trials` lists them all)",
            experiment::counted(rest, one, many)
        )?;
    }
    Ok(())
}

/// Writes every trial that `shown` keeps in trial order, in the leaderboard's columns, each with
/// its rank among all of `trials`, then what the ranks and marks mean: the Pareto front's ranks
/// with several objectives, and with a target (`spec`'s), the trial that reached it.
pub(crate) fn trials_table(
    out: &mut impl Write,
    trials: &[Trial],
    (shown, order): (&dyn Fn(&Trial) -> bool, Order<'_>),
    (objectives, spec): (&[MetricSpec], Option<&ExperimentSpec>),
) -> io::Result<()> {
    let constraints = spec.map_or(&[][..], |s| s.constraints.as_slice());
    let ranked = rank_trials(trials, objectives, constraints);
    let ranks = ranks_of(&ranked, objectives);
    let rows: Vec<(Option<usize>, &Trial)> = trials
        .iter()
        .filter(|t| shown(t))
        .map(|t| (ranks.get(&t.id).copied(), t))
        .collect();
    let rows = sorted(rows, order);
    if rows.is_empty() && !trials.is_empty() {
        return writeln!(out, "no trial of {} meets the filter", trials.len());
    }
    trial_table(out, &ranked, &rows, objectives, constraints)?;
    front_ranks(out, trials, objectives, constraints)?;
    if let (Some(spec), Some(objective)) = (spec, objectives.first()) {
        if let Some(target) = spec.target_status(trials) {
            writeln!(out, "target {} {target}", visible(&objective.name))?;
        }
    }
    Ok(())
}

/// With several objectives, says which ranks are the Pareto front of `trials`.
fn front_ranks(
    out: &mut impl Write,
    trials: &[Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> io::Result<()> {
    if objectives.len() < 2 {
        return Ok(());
    }
    match experiment::pareto_front(trials, objectives, constraints).len() {
        0 => Ok(()),
        front => writeln!(
            out,
            "ranks 1 to {front}: the Pareto front (no other trial is as good on every objective \
             and better on one)"
        ),
    }
}

/// The order `sweep trials --sort KEY [--desc]` asks for, `None` for trial order.
pub(crate) type Order<'a> = Option<&'a TrialOrder>;

/// Returns each trial's place in `ranked` (from 1), for those with a value of every objective.
fn ranks_of(ranked: &[&Trial], objectives: &[MetricSpec]) -> BTreeMap<TrialId, usize> {
    ranked
        .iter()
        .enumerate()
        .filter(|(_, t)| has_values(t, objectives))
        .map(|(i, t)| (t.id, i + 1))
        .collect()
}

/// Returns `rows` (rank, trial) in `order`: put in rank order first, so that ties keep it; as
/// given without one.
fn sorted<'t>(
    mut rows: Vec<(Option<usize>, &'t Trial)>,
    order: Order<'_>,
) -> Vec<(Option<usize>, &'t Trial)> {
    let Some(order) = order else {
        return rows;
    };
    rows.sort_by_key(|(rank, _)| rank.unwrap_or(usize::MAX));
    order.sort(rows, |(rank, t)| (*t, *rank))
}

/// Returns the trials of `all` that `shown` keeps, in `order` (trial order without one, and
/// then no ranking), for `--format csv|json`.
pub(crate) fn kept_in_order(
    all: &[Trial],
    shown: &dyn Fn(&Trial) -> bool,
    order: Order<'_>,
    (objectives, constraints): (&[MetricSpec], &[Constraint]),
) -> Vec<Trial> {
    if order.is_none() {
        return all.iter().filter(|t| shown(t)).cloned().collect();
    }
    let ranks = ranks_of(&rank_trials(all, objectives, constraints), objectives);
    let rows = all
        .iter()
        .filter(|t| shown(t))
        .map(|t| (ranks.get(&t.id).copied(), t))
        .collect();
    sorted(rows, order)
        .into_iter()
        .map(|(_, t)| t.clone())
        .collect()
}

/// Whether a trial has a value of every objective to rank it by.
fn has_values(t: &Trial, objectives: &[MetricSpec]) -> bool {
    experiment::pareto::oriented(t, objectives).is_some()
}

/// Writes `rows` (rank, trial) with a column for each further objective and constrained
/// metric, a value marked `!` where it breaks a constraint, and one for every parameter that
/// any of `all` has.
fn trial_table(
    out: &mut impl Write,
    all: &[&Trial],
    rows: &[(Option<usize>, &Trial)],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> io::Result<()> {
    if all.is_empty() {
        return writeln!(out, "no trials yet");
    }
    let objective = objectives.first().map_or("", |o| o.name.as_str());
    let columns = experiment::extra_columns(objectives, constraints);
    let names: BTreeSet<&str> = all
        .iter()
        .flat_map(|t| t.params.keys().map(String::as_str))
        .collect();
    let mut header = vec![
        "rank".to_string(),
        "trial".to_string(),
        "state".to_string(),
        objective.to_string(),
        "epoch".to_string(),
    ];
    header.extend(columns.iter().map(|c| c.to_string()));
    header.extend(names.iter().map(|n| n.to_string()));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(rank, t)| {
            let mut row = vec![
                rank.map_or("-".to_string(), |r| r.to_string()),
                t.id.to_string(),
                t.state.as_str_when_idle().to_string(),
                metric(t.value(objective)),
                t.result
                    .as_ref()
                    .map_or("-".to_string(), |r| r.best_step.to_string()),
            ];
            row.extend(columns.iter().map(|name| {
                let value = t.value(name);
                let broken = experiment::breaks_bound(constraints, name, value);
                // Counts (param_count) read as counts.
                let shown = experiment::count_or_metric_text(value);
                format!("{shown}{}", if broken { "!" } else { "" })
            }));
            row.extend(
                names
                    .iter()
                    .map(|n| t.params.get(*n).map_or("-".to_string(), |v| v.to_string())),
            );
            row
        })
        .collect();
    table(out, &header, &body)?;
    let any_broken = rows
        .iter()
        .any(|(_, t)| !experiment::broken(constraints, t).is_empty());
    if any_broken {
        let list: Vec<String> = constraints.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "! breaks a constraint ({}): such a trial ranks after every trial that meets them \
             and is never the best",
            list.join(", ")
        )?;
    }
    Ok(())
}

/// Writes the list of experiments, each row's best trial judged by its spec in `specs`, one
/// per row (`None` for a stored spec that does not read, which ranks by the stored objective
/// alone).
pub(crate) fn experiments_with(
    out: &mut impl Write,
    rows: &[(ExperimentInfo, Vec<Trial>)],
    specs: &[Option<ExperimentSpec>],
) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no experiments yet; run `sweep run FILE`");
    }
    let header: Vec<String> = [
        "name",
        "status",
        "trials",
        "completed/pruned/failed",
        "objective",
        "best",
        "started (UTC)",
        "busy",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .zip(specs)
        .map(|((info, trials), spec)| {
            let spec = spec.as_ref();
            let constraints = spec.map_or(&[][..], |s| s.constraints.as_slice());
            let objectives = info.objectives(spec);
            let best = experiment::best_trial(trials, &objectives, constraints);
            vec![
                info.name.clone(),
                // This process holds the store, so no sweep is running on it.
                info.status_when_idle().as_str().to_string(),
                // Stored of planned, as `sweep show` and the dashboard count them (those a
                // stopped sweep left are in neither of the next column's counts).
                format!("{}/{}", trials.len(), info.run_cap),
                counts(trials),
                experiment::objectives_label(&objectives),
                metric(best.and_then(|t| t.value(&info.objective))),
                info.created.utc(),
                duration(trials).unwrap_or_else(|| "-".to_string()),
            ]
        })
        .collect();
    table(out, &header, &body)
}

/// Writes an experiment's summary lines; `spec` is its stored spec, when that still parses, and
/// `best` the best of its `trials` (`experiment::best_trial`), if any.
pub(crate) fn experiment_header(
    out: &mut impl Write,
    info: &ExperimentInfo,
    spec: Option<&ExperimentSpec>,
    (trials, best): (&[Trial], Option<&Trial>),
    effort: &Effort,
) -> io::Result<()> {
    writeln!(out, "experiment  {}", visible(&info.name))?;
    if !info.description.is_empty() {
        writeln!(out, "            {}", visible(&info.description))?;
    }
    writeln!(out, "status      {}", info.status_when_idle().as_str())?;
    writeln!(
        out,
        "spec        {} (sha256 {})",
        info.spec_path,
        &info.spec_hash[..info.spec_hash.len().min(12)]
    )?;
    writeln!(out, "seed        {}", info.seed)?;
    if let Some(spec) = spec {
        match spec.method.sampler_yaml() {
            Some(settings) => writeln!(
                out,
                "method      {}, sampler: {settings}",
                spec.method.name()
            )?,
            None => writeln!(out, "method      {}", spec.method.name())?,
        }
        match &spec.pruner {
            experiment::PrunerSpec::None => writeln!(out, "pruner      none")?,
            rule => writeln!(out, "pruner      {}", rule.yaml())?,
        }
        if let Some(rungs) = spec.pruner.rungs_text(spec.most_epochs()) {
            writeln!(out, "rungs       {rungs}")?;
        }
    }
    match spec.filter(|s| s.is_multi_objective()) {
        Some(spec) => writeln!(out, "objectives  {}", visible(&spec.objectives_label()))?,
        None => writeln!(
            out,
            "objective   {} ({})",
            visible(&info.objective),
            info.goal
        )?,
    }
    if let Some(target) = spec.and_then(|s| s.target_status(trials)) {
        writeln!(out, "target      {} {target}", visible(&info.objective))?;
    }
    if let Some(plateau) = spec.and_then(|s| s.plateau_status(trials)) {
        writeln!(out, "plateau     {plateau}")?;
    }
    if let Some(status) = spec.and_then(|s| s.constraints_status(trials)) {
        writeln!(out, "constraints {status}")?;
    }
    if let Some(front) = spec.and_then(|s| s.front_status(trials)) {
        writeln!(out, "front       {front}")?;
    }
    writeln!(
        out,
        "trials      {} of {} ({} completed/pruned/failed)",
        trials.len(),
        info.run_cap,
        counts(trials)
    )?;
    let constraints = spec.map_or(&[][..], |s| s.constraints.as_slice());
    let by = match spec.is_some_and(ExperimentSpec::is_multi_objective) {
        false => String::new(),
        true => format!(" (the front's best by {})", info.objective),
    };
    match best {
        Some(best) => writeln!(
            out,
            "best        trial {}{by}: {} {} at epoch {}",
            best.id,
            info.objective,
            metric(best.value(&info.objective)),
            best.result.as_ref().map_or(0, |r| r.best_step.0),
        )?,
        None if !constraints.is_empty() && trials.iter().any(|t| t.result.is_some()) => {
            writeln!(
                out,
                "best        - (no completed trial meets the constraints)"
            )?;
        }
        None if trials.iter().any(|t| t.state == TrialState::Completed) => writeln!(
            out,
            "best        - (no completed trial has a value of {})",
            info.objective
        )?,
        None => writeln!(out, "best        - (no trial completed)")?,
    }
    writeln!(out, "started     {} UTC", info.created.utc())?;
    // Busy time, as the dashboard says it: while any trial ran (waits between runs left out).
    if let Some(duration) = duration(trials) {
        writeln!(out, "busy        {duration} (while any trial ran)")?;
    }
    if let Some(trained) = effort.trained_text() {
        match effort.pruned_text() {
            Some(pruned) => writeln!(out, "epochs      {trained}; pruned: {pruned}")?,
            None => writeln!(out, "epochs      {trained}")?,
        }
    }
    if let Some(edges) = spec.and_then(|s| s.edge_status(trials)) {
        writeln!(out, "ranges      {edges}")?;
    }
    writeln!(out)
}

/// An objective's name and each parameter's share of importance for it (`None`: too few
/// trials yet).
pub(crate) type Importance = (String, Option<Vec<(String, f64)>>);

/// Writes each parameter's share of importance for each objective (`by` it, with several), as
/// `dashboard::param_importance` gives them, the most important first, and how they were
/// measured.
pub(crate) fn importance(out: &mut impl Write, per_objective: &[Importance]) -> io::Result<()> {
    let several = per_objective.len() > 1;
    for (i, (objective, shares)) in per_objective.iter().enumerate() {
        let label = if i == 0 { "importance" } else { "" };
        let by = if several {
            format!("by {}: ", visible(objective))
        } else {
            String::new()
        };
        let shares = match shares {
            Some(shares) => {
                let mut shares = shares.clone();
                shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                shares
                    .iter()
                    .map(|(param, share)| format!("{} {}", visible(param), percent(*share)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            None => "- (measured from 10 completed or pruned trials on)".to_string(),
        };
        writeln!(out, "{label:<11} {by}{shares}")?;
    }
    writeln!(
        out,
        "            (PED-ANOVA: how each parameter is spread among the top {} of trials \
         (at least {}), against all)",
        percent(dashboard::IMPORTANCE_TOP_FRACTION),
        dashboard::IMPORTANCE_MIN_TOP
    )?;
    writeln!(out)
}

/// Writes a share as a whole percentage, `<1%` for a small one that is not none.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 0.5 {
        "<1%".to_string()
    } else {
        format!("{p:.0}%")
    }
}

/// Returns how long an experiment's trials ran (`experiment::busy_ms`), as a process that runs
/// no sweep on it sees it; `None` when nothing has run.
fn duration(trials: &[Trial]) -> Option<String> {
    busy_ms(trials, None).map(format_duration)
}

fn counts(trials: &[Trial]) -> String {
    let n = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
    format!(
        "{}/{}/{}",
        n(TrialState::Completed),
        n(TrialState::Pruned),
        n(TrialState::Failed)
    )
}

/// Writes aligned columns: text left-aligned, numbers right-aligned.
///
/// Every cell goes through `visible`: names, categorical values and labels come from files.
fn table(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    let header: Vec<String> = header.iter().map(|c| visible(c).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    let (header, rows) = (&header[..], &rows[..]);
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .chain(std::iter::once(&header[c]))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let w = widths[c];
            // A value marked `!` (it breaks a constraint) is still a number.
            let number = cell.strip_suffix('!').unwrap_or(cell);
            let numeric = number.parse::<f64>().is_ok() || cell == "-";
            if numeric {
                s.push_str(&format!("{cell:>w$}  "));
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header)?;
    for row in rows {
        line(out, row)?;
    }
    Ok(())
}

/// One trial as written by `--format csv|json`.
#[derive(Debug, Serialize)]
struct TrialRow<'a> {
    trial: u32,
    state: &'a str,
    reason: Option<&'a str>,
    seed: u64,
    best_epoch: Option<u32>,
    /// The epochs it trained (its last reported epoch), once it reported one.
    epochs_trained: Option<u32>,
    /// Where its parameters came from: `enqueue[0]`, `enqueue[1], in part`, or the method.
    source: Option<String>,
    /// Whether its result meets the spec's constraints; absent without constraints or result.
    #[serde(skip_serializing_if = "Option::is_none")]
    feasible: Option<bool>,
    /// Whether it is on the Pareto front; absent with one objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pareto: Option<bool>,
    params: serde_json::Map<String, serde_json::Value>,
    metrics: serde_json::Map<String, serde_json::Value>,
}

fn trial_row<'t>(t: &'t Trial, judged: &Judged<'_>) -> TrialRow<'t> {
    let spec = judged.spec();
    let params = t
        .params
        .iter()
        .map(|(k, v)| {
            let value = match v {
                experiment::ParamValue::Int(i) => serde_json::Value::from(*i),
                experiment::ParamValue::Float(f) => serde_json::Value::from(*f),
                experiment::ParamValue::Str(s) => serde_json::Value::from(s.clone()),
                experiment::ParamValue::Bool(b) => serde_json::Value::from(*b),
            };
            (k.clone(), value)
        })
        .collect();
    let metrics = t
        .result
        .iter()
        .flat_map(|r| r.metrics.iter())
        .map(|(k, v)| (k.clone(), serde_json::Value::from(*v)))
        .collect();
    TrialRow {
        trial: t.id.0,
        state: t.state.as_str_when_idle(),
        reason: t.reason.as_deref(),
        seed: t.seed.0,
        best_epoch: t.result.as_ref().map(|r| r.best_step.0),
        epochs_trained: judged.epochs_of(t),
        source: spec.map(|s| s.origin_label(t.id)),
        feasible: spec.and_then(|s| experiment::feasibility(&s.constraints, t)),
        pareto: judged.on_front(t),
        params,
        metrics,
    }
}

/// Writes the trials as a JSON array; `judged` says where each trial's parameters came from,
/// whether it meets the constraints and whether it is on the Pareto front.
pub(crate) fn trials_json(
    out: &mut impl Write,
    trials: &[Trial],
    judged: &Judged<'_>,
) -> io::Result<()> {
    let rows: Vec<TrialRow<'_>> = trials.iter().map(|t| trial_row(t, judged)).collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}

/// Returns `n` trials side by side in words: `2 trials side by side`, `one trial at a time`.
pub(crate) fn trials_at_once(n: u32) -> String {
    match n {
        1 => "one trial at a time".to_string(),
        n => format!("{n} trials side by side"),
    }
}

/// Returns resolved settings (`ExperimentSpec::resolved`, which the record keeps in Rust's
/// notation so that a stored hash never moves) as people read them, for a diff shown to them:
/// `Some(3)` as `3`, `Float(0.01)` as `0.01`, `Str("relu")` as `"relu"`, `Int`, `Bool` alike.
pub(crate) fn readable_settings(text: &str) -> String {
    const WRAPPERS: [&str; 5] = ["Some(", "Int(", "Float(", "Str(", "Bool("];
    let mut out = String::with_capacity(text.len());
    // For each parenthesis open: whether its closing one is dropped with its wrapper.
    let mut open: Vec<bool> = Vec::new();
    let mut quoted = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let starts_word = !out
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '_');
        match WRAPPERS.iter().find(|w| rest.starts_with(*w)) {
            Some(wrapper) if !quoted && starts_word => {
                open.push(true);
                rest = &rest[wrapper.len()..];
                continue;
            }
            _ => {}
        }
        // A parenthesis closes the last one open (`pop`), dropped with its wrapper's.
        if c == ')' && !quoted && open.pop() == Some(true) {
            rest = &rest[1..];
            continue;
        }
        match c {
            '"' if !out.ends_with('\\') => quoted = !quoted,
            '(' if !quoted => open.push(false),
            '\n' => {
                open.clear();
                quoted = false;
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Returns a unified-style diff of two texts: changed lines marked `-` (old) and `+` (new),
/// with one line of context; equal texts give an empty string.
pub(crate) fn line_diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    let changed: Vec<bool> = ops.iter().map(|(c, _)| *c != ' ').collect();
    let near = |k: usize| {
        changed[k.saturating_sub(1)..(k + 2).min(changed.len())]
            .iter()
            .any(|c| *c)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (k, (c, line)) in ops.iter().enumerate() {
        if near(k) {
            if skipped && !out.is_empty() {
                out.push("  ...".to_string());
            }
            skipped = false;
            out.push(format!("{c} {line}"));
        } else {
            skipped = true;
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_have_four_decimals_and_huge_ones_an_exponent() {
        assert_eq!(metric(Some(0.98051)), "0.9805");
        assert_eq!(metric(Some(123_456.7)), "123456.7000");
        assert_eq!(metric(Some(1.1677e26)), "1.1677e26");
        assert_eq!(metric(Some(-2.5e7)), "-2.5000e7");
        assert_eq!(metric(Some(f64::NAN)), "NaN");
        assert_eq!(metric(None), "-");
    }

    #[test]
    fn numbers_align_right_also_when_marked() {
        let mut out = Vec::new();
        let rows = [
            vec!["1".to_string(), "39775!".to_string(), "adam".to_string()],
            vec!["12".to_string(), "610".to_string(), "sgd".to_string()],
        ];
        let header = ["trial", "param_count", "optimizer"].map(String::from);
        table(&mut out, &header, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "trial  param_count  optimizer\n\
             \x20   1       39775!  adam\n\
             \x20  12          610  sgd\n"
        );
    }

    #[test]
    fn text_from_files_reaches_the_terminal_without_its_controls() {
        // An escape sequence, a window title (OSC ... BEL), a C1 control, a right-to-left
        // override and an isolate, a newline that would forge a line, and text that stays.
        let raw = "d\u{1b}[31mRED\u{1b}]0;T\u{7}\u{9b}2J\u{202e}gpj.exe\u{2066}x\nfake é 中";
        assert_eq!(
            visible(raw),
            "d\\u{1b}[31mRED\\u{1b}]0;T\\u{7}\\u{9b}2J\\u{202e}gpj.exe\\u{2066}x\\u{a}fake é 中"
        );
        assert!(matches!(visible("plain é"), Cow::Borrowed("plain é")));
        // An error's several lines stay lines; the rest is shown as above.
        assert_eq!(
            visible_lines("cannot read a\u{1b}[2J.csv\n  caused by: \rgone"),
            "cannot read a\\u{1b}[2J.csv\n  caused by: \\u{d}gone"
        );
        // A table's cells (names, categorical values) and the header's description pass
        // through it.
        let mut out = Vec::new();
        let header = ["trial", "optimizer"].map(String::from);
        table(
            &mut out,
            &header,
            &[vec!["1".into(), "\u{202e}dam\u{7}".into()]],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "trial  optimizer\n    1  \\u{202e}dam\\u{7}\n");
        let info = ExperimentInfo {
            description: "d\u{1b}[31mRED\u{1b}]0;T\u{7}".into(),
            ..trial::tests::info()
        };
        let mut out = Vec::new();
        experiment_header(&mut out, &info, None, (&[], None), &Effort::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("            d\\u{1b}[31mRED\\u{1b}]0;T\\u{7}\n"),
            "{text}"
        );
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    }

    #[test]
    fn importance_lists_the_most_important_first_for_each_objective() {
        let shares =
            |pairs: &[(&str, f64)]| Some(pairs.iter().map(|(p, s)| (p.to_string(), *s)).collect());
        let mut out = Vec::new();
        let both = [
            (
                "val_accuracy".to_string(),
                shares(&[("depth", 0.004), ("hidden", 0.25), ("lr", 0.746)]),
            ),
            ("param_count".to_string(), None),
        ];
        importance(&mut out, &both).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "importance  by val_accuracy: lr 75%, hidden 25%, depth <1%\n            \
             by param_count: - (measured from 10 completed or pruned trials on)\n            \
             (PED-ANOVA: how each parameter is spread among the top 10% of trials (at least \
             5), against all)\n\n"
        );
        let mut out = Vec::new();
        importance(&mut out, &both[..1]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("importance  lr 75%, hidden 25%"), "{text}");
    }

    #[test]
    fn resolved_settings_read_without_rusts_wrappers() {
        assert_eq!(
            readable_settings(
                "parallel: Some(3)\ntrain.lr: Float(0.003)\nmodel.activation: Str(\"relu (x)\")\n\
                 train.batch_size: searched Categorical { values: [Int(16), Int(32)], probabilities: None }\n\
                 early_stopping: Some(EarlyStopping { metric: \"val_loss\", patience: 8 })\n\
                 model.layer_norm: Bool(false)\ndata.split: SplitSpec { validation: 0.2 }\n\
                 name: \"Some(1) stays\""
            ),
            "parallel: 3\ntrain.lr: 0.003\nmodel.activation: \"relu (x)\"\n\
             train.batch_size: searched Categorical { values: [16, 32], probabilities: None }\n\
             early_stopping: EarlyStopping { metric: \"val_loss\", patience: 8 }\n\
             model.layer_norm: false\ndata.split: SplitSpec { validation: 0.2 }\n\
             name: \"Some(1) stays\""
        );
    }

    #[test]
    fn line_diff_marks_changes_with_context() {
        let old = "name: a\nseed: 5\nmethod: random\nrun_cap: 4\nparallel: 2";
        let new = "name: a\nseed: 6\nmethod: random\nrun_cap: 4\nparallel: 2";
        assert_eq!(
            line_diff(old, new),
            "  name: a\n- seed: 5\n+ seed: 6\n  method: random"
        );
        assert_eq!(line_diff(old, old), "");
        assert_eq!(line_diff("a\nb", "a\nb\nc"), "  b\n+ c");
    }
}
