//! An experiment as `sweep ls` lists it and `sweep show` heads it, and the importance of its
//! parameters; `machine` writes the list as CSV and JSON, and `sweep show`'s JSON object.
//!
//! The list's free text (a name, the objectives' names) is cut past `cells::WIDTH` characters
//! as the leaderboard's cells are, with an ellipsis and a note below the table, so that one
//! long name does not widen every row; the kept start still finds the experiment with `sweep ls
//! --name`, and CSV and JSON write every name whole.

mod machine;

use std::io::{self, Write};

use experiment::{
    busy_ms, format_duration, Effort, ExperimentSpec, Judged, MetricSpec, Timestamp, Trial,
    TrialState,
};
use store::{ExperimentInfo, TestResult};

use super::leaderboard::cells::Cells;
use super::{named_metric, table, visible};
use crate::args::Format;

/// What the rows of a list of experiments have beside their trials, one of each per row (a
/// row past the end of any has none): the spans of work its trials' records keep, the
/// command that resumes it, and its best trial's result on the test split (`experiments_kept`).
type Beside<'a> = (
    &'a [Vec<(Timestamp, Timestamp)>],
    &'a [Option<String>],
    &'a [Option<TestResult>],
);

/// An experiment as `sweep show EXPERIMENT --format json` heads its JSON: its stored facts,
/// its stored spec where that still parses, the command that resumes it, and its test result
/// (`experiment_json`).
type Headed<'a> = (
    &'a ExperimentInfo,
    Option<&'a ExperimentSpec>,
    Option<&'a str>,
    Option<&'a TestResult>,
);

/// Writes the list of experiments, each row's best trial judged by its spec in `specs`, one
/// per row (`None` for a stored spec that does not read, which ranks by the stored objective
/// alone); busy times without what the trials' records keep beside them (`experiments_kept`).
pub(crate) fn experiments_with(
    out: &mut impl Write,
    rows: &[(ExperimentInfo, Vec<Trial>)],
    specs: &[Option<ExperimentSpec>],
) -> io::Result<()> {
    // This process holds the store: no sweep runs any of them.
    let idle = super::Running::default();
    let rows: Vec<_> = rows
        .iter()
        .map(|(info, trials)| (idle.shown(info.clone()), trials.clone()))
        .collect();
    experiments_kept(out, &rows, specs, (&[], &[], &[]), Format::Table)
}

/// Writes the list of experiments as `experiments_with` does, in the order of `rows`, each
/// row's busy time counting the spans of work its trials' records keep (`kept`, one list per
/// row, `Store::traced_trials` and `TrialTrace::spans`: attempts cut off, a killed trial's
/// start to its last report), and, as JSON, the command that resumes it (`resumes`, one per
/// row, `None` for one not interrupted) and its test result (`tests`, as JSON and CSV); a row
/// past the end of any has none. No rows write
/// nothing as a table: a line counted by a script is an experiment (the caller says on
/// standard error that there are none); as CSV they write the header alone, as JSON an empty
/// array. A table's names and objectives past `cells::WIDTH` characters are cut, and a line
/// below it says so and what writes them whole.
pub(crate) fn experiments_kept(
    out: &mut impl Write,
    rows: &[(ExperimentInfo, Vec<Trial>)],
    specs: &[Option<ExperimentSpec>],
    (kept, resumes, tests): Beside<'_>,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Table => {}
        Format::Json => return machine::json(out, rows, specs, (kept, resumes, tests)),
        Format::Csv => return machine::csv(out, rows, specs, (kept, &[], tests)),
    }
    if rows.is_empty() {
        return Ok(());
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
    let mut cells = Cells::default();
    let body: Vec<Vec<String>> = rows
        .iter()
        .zip(specs)
        .enumerate()
        .map(|(row, ((info, trials), spec))| {
            let kept = kept.get(row).map_or(&[][..], Vec::as_slice);
            let spec = spec.as_ref();
            let constraints = spec.map_or(&[][..], |s| s.constraints.as_slice());
            let objectives = info.objectives(spec);
            let best = experiment::best_trial(trials, &objectives, constraints);
            vec![
                cells.cell(&info.name),
                // As `Running::shown` shows it.
                info.status.as_str().to_string(),
                // Stored of planned, as `sweep show` and the dashboard count them; those a
                // stopped sweep left are said beside the next column's counts.
                format!("{}/{}", trials.len(), info.run_cap),
                match unfinished(info, trials) {
                    Some(left) => format!("{} ({left})", counts(trials)),
                    None => counts(trials),
                },
                cells.cell(&experiment::objectives_label(&objectives)),
                named_metric(&info.objective, best.and_then(|t| t.value(&info.objective))),
                info.created.utc(),
                duration(trials, kept).unwrap_or_else(|| "-".to_string()),
            ]
        })
        .collect();
    table(out, &header, &body)?;
    cells.note(
        out,
        "`sweep ls --format csv` or `--format json` writes every name whole",
    )
}

/// Writes `sweep show EXPERIMENT --format json`'s object: experiment `info`, judged by its
/// `spec` over its `trials` with the spans of work their records keep (`kept`) and its `best`
/// trial (`experiment::best_trial`) and the command that resumes it (`resume`, for an
/// interrupted sweep) and its `test` result, as `sweep ls --format json` lists it
/// (`experiment`), and
/// the rows of its leaderboard's `top` trials, best first, of the trials `ranked`
/// (`experiment::rank_trials` over all of `trials` by the `objectives` and the spec's
/// constraints) with what `judged` says of each, as `sweep trials --format json` writes them
/// (`leaderboard`), with the epochs its trials trained and how it searches (`epochs`,
/// `search`), as the API's `/api/experiments/{name}` says them. The best trial and the
/// ranking are the caller's, judged once; written from the rows themselves, never from those
/// writers' JSON read back.
pub(crate) fn experiment_json(
    out: &mut impl Write,
    (info, spec, resume, test): Headed<'_>,
    (trials, best, kept): (&[Trial], Option<&Trial>, &[(Timestamp, Timestamp)]),
    (ranked, top): (&[&Trial], usize),
    (judged, objectives): (&Judged<'_>, &[MetricSpec]),
) -> io::Result<()> {
    let leaderboard = super::trials_json::leaderboard_rows(ranked, top, judged, objectives);
    // Where a live sweep runs it, its trials running are so (the rows are `ranked`'s first).
    let leaderboard: Vec<_> = match super::runs_now(info) {
        true => (leaderboard.into_iter().zip(ranked))
            .map(|(row, t)| row.shown_live(t))
            .collect(),
        false => leaderboard,
    };
    machine::shown_json(
        out,
        (info, spec, resume, test),
        (trials, best, kept),
        (judged.effort(), leaderboard),
    )
}

/// Writes an experiment's summary lines; `spec` is its stored spec, when that still parses,
/// `best` the best of its `trials` (`experiment::best_trial`), if any, and `kept` the spans of
/// work its trials' records keep beside them (attempts cut off, a killed trial's start to its
/// last report), which its busy time counts.
pub(crate) fn experiment_header(
    out: &mut impl Write,
    info: &ExperimentInfo,
    spec: Option<&ExperimentSpec>,
    (trials, best, kept): (&[Trial], Option<&Trial>, &[(Timestamp, Timestamp)]),
    effort: &Effort,
) -> io::Result<()> {
    writeln!(out, "experiment  {}", visible(&info.name))?;
    if !info.description.is_empty() {
        writeln!(out, "            {}", visible(&info.description))?;
    }
    writeln!(out, "status      {}", info.status.as_str())?;
    writeln!(
        out,
        "spec        {} (sha256 {})",
        info.spec_path,
        experiment::short_hash(&info.spec_hash)
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
        if let Some(rungs) = spec.rungs_text() {
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
        "trials      {} of {} ({} completed/pruned/failed{})",
        trials.len(),
        info.run_cap,
        counts(trials),
        unfinished(info, trials).map_or(String::new(), |left| format!("; {left}"))
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
            named_metric(&info.objective, best.value(&info.objective)),
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
    // Busy time, as the dashboard says it: while any trial ran (waits between runs left out,
    // attempts cut off counted).
    if let Some(duration) = duration(trials, kept) {
        writeln!(out, "busy        {duration} (while any trial ran)")?;
    }
    if let Some(trained) = effort.trained_text() {
        // Said as the dashboard says it: a trial stopped for breaking a constraint no epoch
        // changes is pruned, but not by the pruner.
        let not_pruner = effort
            .constraint_stops_text()
            .map_or(String::new(), |text| format!(" ({text})"));
        match effort.pruned_text() {
            Some(pruned) => writeln!(out, "epochs      {trained}; pruned: {pruned}{not_pruner}")?,
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

/// Returns how long an experiment's trials ran (`experiment::busy_ms`), with the spans their
/// records keep beside them (`kept`), as a process that runs no sweep on it sees it; `None`
/// when nothing has run.
fn duration(trials: &[Trial], kept: &[(Timestamp, Timestamp)]) -> Option<String> {
    busy_ms(trials, kept, None).map(format_duration)
}

/// Returns the trials completed, pruned and failed, as `completed/pruned/failed`.
fn counts(trials: &[Trial]) -> String {
    let n = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
    format!(
        "{}/{}/{}",
        n(TrialState::Completed),
        n(TrialState::Pruned),
        n(TrialState::Failed)
    )
}

/// Returns the trials stored but not finished, as experiment `info`'s status shows them
/// (`Running::shown`): "2 interrupted, 1 queued" where no sweep runs it (a kill left them
/// running, a stop put them back in the queue, or they wait for their turn), "2 running, 1
/// queued" where one does; `None` when every trial stored has finished. With `counts`, every
/// trial stored is said.
fn unfinished(info: &ExperimentInfo, trials: &[Trial]) -> Option<String> {
    let n = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
    let said: Vec<String> = [TrialState::Running, TrialState::Queued]
        .into_iter()
        .filter(|&s| n(s) > 0)
        .map(|s| format!("{} {}", n(s), info.trial_state_shown(s)))
        .collect();
    (!said.is_empty()).then(|| said.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trial `id` in `state`, with seed 9, no params and no result.
    pub(super) fn trial(id: u32, state: TrialState) -> Trial {
        Trial {
            id: experiment::TrialId(id),
            seed: experiment::Seed(9),
            params: experiment::Params::new(),
            state,
            reason: None,
            started: None,
            finished: None,
            result: None,
        }
    }

    #[test]
    fn issue_a_count_objective_is_shown_as_a_count_by_ls_and_show() {
        let info = ExperimentInfo {
            objective: "param_count".into(),
            ..super::super::trial::tests::info()
        };
        let best = Trial {
            result: Some(experiment::TrialResult {
                best_step: experiment::Step(1),
                metrics: [("param_count".to_string(), 49.0)].into_iter().collect(),
            }),
            ..trial(0, TrialState::Completed)
        };
        let trials = [best.clone()];
        let mut out = Vec::new();
        experiments_with(&mut out, &[(info.clone(), trials.to_vec())], &[None]).unwrap();
        let ls = String::from_utf8(out).unwrap();
        let row: Vec<&str> = ls.lines().nth(1).unwrap_or("").split_whitespace().collect();
        // After the objective, `param_count (minimize)`, two words.
        assert_eq!(row.get(6), Some(&"49"), "{ls}");
        let mut out = Vec::new();
        let header = (&trials[..], Some(&best), &[][..]);
        experiment_header(&mut out, &info, None, header, &Effort::default()).unwrap();
        let show = String::from_utf8(out).unwrap();
        assert!(
            show.contains("best        trial 0: param_count 49 at epoch 1\n"),
            "{show}"
        );
    }

    #[test]
    fn issue_a_long_name_is_cut_in_the_table_and_written_whole_as_csv_and_json() {
        // A 200-character name made every row of `sweep ls` wrap.
        let name = format!("{}-tail", "n".repeat(200));
        let objective = format!("{}_loss", "m".repeat(60));
        let info = ExperimentInfo {
            name: name.clone(),
            objective: objective.clone(),
            ..super::super::trial::tests::info()
        };
        let rows = [(info, vec![trial(0, TrialState::Completed)])];
        let write = |format: Format| {
            let mut out = Vec::new();
            experiments_kept(&mut out, &rows, &[None], (&[], &[], &[]), format).unwrap();
            String::from_utf8(out).unwrap()
        };
        let text = write(Format::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        // The start of the name, which `sweep ls --name` finds it by, then the ellipsis.
        let cut = |text: &str| format!("{}…", &text[..39]);
        assert!(
            lines[1].starts_with(&format!("{}  finished", cut(&name))),
            "{text}"
        );
        assert!(lines[1].contains(&cut(&objective)), "{text}");
        assert!(!text.contains("-tail") && !text.contains("_loss"), "{text}");
        // The whole row is shorter than the name was alone.
        assert!(lines[1].chars().count() < name.len(), "{text}");
        assert_eq!(
            lines[2],
            "… marks a value cut to its first 39 characters; `sweep ls --format csv` or \
             `--format json` writes every name whole"
        );
        for format in [Format::Csv, Format::Json] {
            let whole = write(format);
            assert!(
                whole.contains(&name) && whole.contains(&objective) && !whole.contains('…'),
                "{whole}"
            );
        }
        // A short name is as it was, and no note follows.
        let short = [(
            super::super::trial::tests::info(),
            vec![trial(0, TrialState::Completed)],
        )];
        let mut out = Vec::new();
        experiments_kept(&mut out, &short, &[None], (&[], &[], &[]), Format::Table).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.lines().nth(1).unwrap_or("").starts_with("e  "),
            "{text}"
        );
    }

    #[test]
    fn issue_the_trials_counted_add_up_to_those_stored_interrupted_and_queued_too() {
        // A killed sweep left two trials running, a stopped one put one back in the queue.
        let trials = [
            trial(0, TrialState::Completed),
            trial(1, TrialState::Running),
            trial(2, TrialState::Running),
            trial(3, TrialState::Queued),
        ];
        let info = ExperimentInfo {
            run_cap: 5,
            ..super::super::trial::tests::info()
        };
        let mut out = Vec::new();
        let header = (&trials[..], None, &[][..]);
        experiment_header(&mut out, &info, None, header, &Effort::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "trials      4 of 5 (1/0/0 completed/pruned/failed; 2 interrupted, 1 queued)\n"
            ),
            "{text}"
        );
        let mut out = Vec::new();
        let rows = [(info.clone(), trials.to_vec())];
        experiments_with(&mut out, &rows, &[None]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("4/5     1/0/0 (2 interrupted, 1 queued)"),
            "{text}"
        );
        // Every trial finished: the counts alone, as before.
        let done = [
            trial(0, TrialState::Completed),
            trial(1, TrialState::Failed),
        ];
        let mut out = Vec::new();
        experiment_header(
            &mut out,
            &info,
            None,
            (&done, None, &[]),
            &Effort::default(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("trials      2 of 5 (1/0/1 completed/pruned/failed)\n"),
            "{text}"
        );
    }

    #[test]
    fn shows_json_is_the_listed_experiment_and_its_rows_written_once() {
        // It was put together from `sweep ls`'s and `sweep trials`' JSON read back.
        let scored = |id: u32, loss: f64| Trial {
            result: Some(experiment::TrialResult {
                best_step: experiment::Step(2),
                metrics: [("val_loss".to_string(), loss)].into_iter().collect(),
            }),
            ..trial(id, TrialState::Completed)
        };
        let trials = vec![scored(0, 0.3), scored(1, 0.1), trial(2, TrialState::Failed)];
        let info = ExperimentInfo {
            objective: "val_loss".into(),
            ..super::super::trial::tests::info()
        };
        let kept = [(Timestamp(1_000), Timestamp(3_500))];
        let objectives = info.objectives(None);
        let effort = Effort::default();
        let judged = Judged::of(None, &trials, &effort);
        let board = [trials[1].clone()];
        let ranked = experiment::rank_trials(&trials, &objectives, &[]);
        let best = experiment::best_trial(&trials, &objectives, &[]);
        let resume = "sweep run /abs/e.yaml --store /abs/st";
        let mut shown = Vec::new();
        experiment_json(
            &mut shown,
            (&info, None, Some(resume), None),
            (&trials, best, &kept),
            (&ranked, board.len()),
            (&judged, &objectives),
        )
        .unwrap();
        let mut listed = Vec::new();
        let rows = [(info.clone(), trials.clone())];
        let beside = (
            &[kept.to_vec()][..],
            &[Some(resume.to_string())][..],
            &[None][..],
        );
        experiments_kept(&mut listed, &rows, &[None], beside, Format::Json).unwrap();
        let mut leaderboard = Vec::new();
        super::super::trials_json(&mut leaderboard, &board, &judged, (&trials, &objectives))
            .unwrap();
        let read = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
        let shown = read(&shown);
        assert_eq!(shown["experiment"], read(&listed)[0]);
        assert_eq!(shown["experiment"]["resume_command"], resume);
        assert_eq!(shown["leaderboard"], read(&leaderboard));
        assert_eq!(shown["leaderboard"][0]["rank"], 1);
        let keys: Vec<&str> = shown
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            ["epochs", "experiment", "leaderboard", "search"],
            "{shown}"
        );
    }

    #[test]
    fn issue_show_says_which_pruned_trials_a_constraint_stopped_and_its_json_the_pruning() {
        // The auditor's dig-con: trials stopped for breaking `param_count <= 20000` were
        // counted under "pruned: ... at epoch 1" with no word that no pruner stopped them.
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             train: {epochs: 4}\npruner: {type: asha, min_resource: 1, reduction_factor: 2}\n\
             constraints: {param_count: {max: 20000}}\n\
             parameters:\n  lr: {min: 0.001, max: 0.1}\n",
            std::path::Path::new("e.yaml"),
        )
        .unwrap();
        let stopped = |id: u32, reason: &str| Trial {
            reason: Some(reason.to_string()),
            ..trial(id, TrialState::Pruned)
        };
        let trials = [
            stopped(
                0,
                "breaks the constraint param_count ≤ 20000, which no epoch changes",
            ),
            stopped(1, "asha: 0.5 not in the top 1 of 2 at rung 0 (epoch 1)"),
            stopped(2, "asha: 0.5 not in the top 2 of 4 at rung 1 (epoch 2)"),
        ];
        let mut effort = Effort::default();
        for (t, epochs) in trials.iter().zip([1, 1, 2]) {
            effort.add(t, Some(&spec), Some(experiment::Step(epochs)));
        }
        let info = super::super::trial::tests::info();
        let mut out = Vec::new();
        let header = (&trials[..], None, &[][..]);
        experiment_header(&mut out, &info, Some(&spec), header, &effort).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "epochs      4 trained of at most 12 (0.33x); pruned: 2 trials at epoch 1, 1 at \
                 2 (1 of them stopped for breaking a constraint no epoch changes, not by a \
                 pruner)\n"
            ),
            "{text}"
        );
        // The JSON has the API's `epochs` and `search` of `/api/experiments/{name}`.
        let objectives = info.objectives(Some(&spec));
        let judged = Judged::of(Some(&spec), &trials, &effort);
        let ranked = experiment::rank_trials(&trials, &objectives, &spec.constraints);
        let mut shown = Vec::new();
        experiment_json(
            &mut shown,
            (&info, Some(&spec), None, None),
            (&trials, None, &[]),
            (&ranked, 1),
            (&judged, &objectives),
        )
        .unwrap();
        let shown: serde_json::Value = serde_json::from_slice(&shown).unwrap();
        assert_eq!(
            shown["epochs"],
            serde_json::json!({
                "trained": 4,
                "most": 12,
                "cut": 0,
                "pruned_at": [{"epoch": 1, "trials": 2}, {"epoch": 2, "trials": 1}],
            })
        );
        assert_eq!(shown["search"]["pruner"], "asha");
        assert_eq!(
            shown["search"]["pruner_settings"],
            "{type: asha, min_resource: 1, reduction_factor: 2}"
        );
        assert_eq!(
            shown["search"]["rungs"],
            "epochs 1 and 2 of at most 4; at each, a trial goes on if in the top 1/2"
        );
        assert_eq!(
            shown["search"]["constraints"],
            serde_json::json!([{"metric": "param_count", "min": null, "max": 20000.0}])
        );
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
}
