//! Comparing experiments: `MIN_EXPERIMENTS` to `MAX_EXPERIMENTS` experiments side by side. Those
//! that optimize the same metric in the same direction get their best value so far by trial number
//! overlaid (which sampler or pruner found good values sooner, as Optuna's optimization history of
//! several studies shows), then the distribution of all their completed values (Optuna's EDF plot:
//! which one gives good trials more often), above a table of their settings and results. Studies
//! with the same several objectives also get their Pareto fronts overlaid, and each front's size
//! and hypervolume in the table. Experiments whose (first) objectives differ still get the table,
//! as W&B's side-by-side run table does; only the shared charts are left out, and the page says
//! why. An experiment ticked (a bookmark keeps the address) and since removed, or mistyped in
//! an address written by hand, is left out, the page naming it above the others
//! (`remaining`), as long as two remain. The charts are drawn in `overlays`.

use std::sync::Arc;

use experiment::{Effort, Timestamp};

use super::compare::Row;
use super::ticks::{self, BadTick, Missing, TickKeys, Ticks};
use super::{format, Summary};
use crate::charts;
use crate::data::ExperimentData;
use crate::{Error, Result};

mod overlays;

use overlays::{fronts, together_charts};

/// The fewest experiments a comparison takes.
pub(crate) const MIN_EXPERIMENTS: usize = 2;
/// The most experiments a comparison takes (one palette colour each).
pub(crate) const MAX_EXPERIMENTS: usize = 8;

/// A compared experiment's column header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// The experiment's name.
    pub(crate) name: String,
    /// Its page.
    pub(crate) href: String,
    /// Its swatch: its symbol in its colour in the chart, an inline SVG.
    pub(crate) swatch: String,
}

/// The page comparing experiments.
#[derive(Debug, Clone)]
pub(crate) struct ExperimentsComparePage {
    /// What the page says of the experiments ticked that the store does not hold
    /// (`remaining`): `no experiment named qs-sobol: comparing the other 2`, or, for
    /// one with a near match, `no experiment named t4 (removed since, or mistyped: did you mean
    /// t?): ...`; empty when none is missing.
    pub(crate) gone: String,
    /// What they all optimize, e.g. `maximize val_accuracy`; empty where their first
    /// objectives differ (then `apart` says why the charts are left out).
    pub(crate) goal: String,
    /// Why the shared charts are left out, where the experiments' first objectives (metric or
    /// direction) differ, e.g. `a maximizes val_accuracy, b minimizes val_loss: ...`; empty
    /// where they share one.
    pub(crate) apart: String,
    /// What the heading adds where an experiment has several objectives: that the charts of
    /// one objective compare the first (and, where the objectives differ, that the table's
    /// `objectives` row lists each one's); empty where each has one.
    pub(crate) objectives_note: String,
    /// The compared experiments.
    pub(crate) columns: Vec<Column>,
    /// Settings and results, one value per experiment.
    pub(crate) rows: Vec<Row>,
    /// The best value so far of each, by trial number (SVG).
    pub(crate) chart: String,
    /// The distribution of each one's completed values (SVG).
    pub(crate) edf: String,
    /// Each one's Pareto front over the first two objectives (SVG), when they share several
    /// objectives; empty otherwise.
    pub(crate) fronts: String,
}

/// Where the comparison of experiments reads them: `e=a&e=b` (the experiment list's
/// checkboxes), every value.
pub(crate) const TICK_KEYS: TickKeys = TickKeys {
    key: "e",
    list_key: None,
    read_at_most: usize::MAX,
};

/// Returns the experiment names asked for in a query string (`TICK_KEYS`), each once, in the
/// order given (`Ticks::read`); fewer than `MIN_EXPERIMENTS` or more than `MAX_EXPERIMENTS`, or
/// a value that is not an experiment name, is a bad request.
pub(crate) fn parse_names(query: &str) -> Result<Vec<String>> {
    Ticks::read(query, TICK_KEYS, BadTick::Refused)?.compared()
}

/// Returns where a compare of experiments that could not be read (`parse_names`'s error) goes
/// back to: the experiment list with the experiments ticked in `query` still ticked (`?e=`,
/// those that are experiment names, each once), as links for the error page, and the
/// breadcrumbs to it.
pub(crate) fn way_back(query: &str) -> (crate::error::Links, crate::error::Links) {
    back_to(&Ticks::<String>::read(query, TICK_KEYS, BadTick::Skipped).unwrap_or_default())
}

/// Returns what the comparison of the experiments ticked (`parse_names`) says of those the
/// store does not hold (`missing`: removed since, or mistyped, with the near match the store
/// suggests), the others (`kept`, in order) compared: the note above it
/// (`ticks::missing_note`; empty when none is missing), or, where fewer than
/// `MIN_EXPERIMENTS` are kept, a not found that names those missing and links back to the list
/// with the others still ticked.
pub(crate) fn remaining(kept: &[String], missing: &[Missing<String>]) -> Result<String> {
    ticks::missing_note(kept, missing).map_err(|message| {
        let (links, crumbs) = back_to(&Ticks::of(kept.iter().cloned()));
        Error::NotFoundNear {
            message,
            near: crate::error::Near::Nothing,
            links,
            crumbs,
        }
    })
}

/// Returns the way back to the experiment list with `ticks` ticked, as links for an error
/// page, and the breadcrumbs to it.
fn back_to(ticks: &Ticks<String>) -> (crate::error::Links, crate::error::Links) {
    let back = if ticks.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", ticks.query(TICK_KEYS.key))
    };
    (
        vec![(
            format!("Back to the list, {}", ticks::to_tick::<String>()),
            back,
        )],
        vec![("compare".to_string(), String::new())],
    )
}

/// Builds the page comparing `experiments`, in the order given, with what each trained
/// (`efforts`, in the same order), at time `now`. The charts need the same metric in the same
/// direction; where the first objectives differ, the page keeps the table alone.
pub(crate) fn experiments_compare_page(
    experiments: &[Arc<ExperimentData>],
    efforts: &[&Effort],
    now: Timestamp,
) -> Result<ExperimentsComparePage> {
    let Some(first) = experiments.first() else {
        return Err(Error::BadRequest("no experiment to compare".into()));
    };
    let (objective, goal) = (&first.info.objective, first.info.goal);
    let apart = apart(experiments);
    // Experiments apart (different first objectives) share no chart, and their best values
    // (of different metrics) are not compared.
    let together = apart.is_empty();
    let task = charts::Task::shared(experiments.iter().map(|d| d.task()));
    let columns = experiments
        .iter()
        .enumerate()
        .map(|(i, d)| Column {
            name: d.info.name.clone(),
            href: format::experiment_href(&d.info.name),
            swatch: charts::swatch(i),
        })
        .collect();
    let summaries: Vec<Summary> = experiments.iter().map(|d| Summary::of(d, now)).collect();
    let mut rows = summary_rows(experiments, efforts, &summaries, together);
    // Studies with the same several objectives: their fronts, and how much each dominates.
    let objectives = first.objectives();
    let shared = objectives.len() > 1 && experiments.iter().all(|d| d.objectives() == objectives);
    let fronts_chart = if shared {
        fronts(experiments, &objectives, task, &mut rows)
    } else {
        String::new()
    };
    // The charts are drawn, and their lines computed, only for experiments together.
    let (chart, edf) = if together {
        together_charts(experiments, task)
    } else {
        (String::new(), String::new())
    };
    let objectives_note = objectives_note(experiments, together);
    Ok(ExperimentsComparePage {
        gone: String::new(),
        objectives_note,
        apart,
        goal: if !together {
            String::new()
        } else if shared {
            objectives
                .iter()
                .map(|o| format!("{} {}", o.goal, o.name))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("{} {objective}", goal.as_str())
        },
        columns,
        rows,
        chart,
        edf,
        fronts: fronts_chart,
    })
}

/// Returns why the `experiments` are compared by the table alone (the first two whose first
/// objectives differ, and how), or nothing when they share one.
fn apart(experiments: &[Arc<ExperimentData>]) -> String {
    let Some(first) = experiments.first() else {
        return String::new();
    };
    let (objective, goal) = (&first.info.objective, first.info.goal);
    match experiments
        .iter()
        .find(|d| d.info.objective != *objective || d.info.goal != goal)
    {
        Some(other) => format!(
            "{} {}s {}, {} {}s {}: the best-so-far and distribution charts need one metric \
             in one direction, so only the table compares them.",
            first.info.name,
            goal.as_str(),
            objective,
            other.info.name,
            other.info.goal.as_str(),
            other.info.objective
        ),
        None => String::new(),
    }
}

/// Returns a row of the table over `n` experiments: its values (`value` of each one's index),
/// marked as differing when any two do.
fn row(name: &str, n: usize, value: &dyn Fn(usize) -> String) -> Row {
    let values: Vec<String> = (0..n).map(value).collect();
    let differs = values.windows(2).any(|w| w[0] != w[1]);
    Row {
        name: name.into(),
        values,
        differs,
        links: Vec::new(),
        full: Vec::new(),
        texts: Vec::new(),
    }
}

/// Returns the table's rows of how the `experiments` searched and what they found
/// (`summaries`, `efforts`: theirs, in order), their constraints' after the pruner when one
/// has some; their best values are compared only when they are `together`.
fn summary_rows(
    experiments: &[Arc<ExperimentData>],
    efforts: &[&Effort],
    summaries: &[Summary],
    together: bool,
) -> Vec<Row> {
    let row_n = |name: &str, value: &dyn Fn(usize) -> String| row(name, experiments.len(), value);
    let objective = experiments
        .first()
        .map_or("", |d| d.info.objective.as_str());
    let spec = |i: usize| experiments[i].spec.as_ref();
    let mut rows = vec![
        row_n("objectives", &|i| {
            super::objectives_text(&experiments[i].objectives())
        }),
        row_n("method", &|i| {
            spec(i).map_or("-", |s| s.method.name()).into()
        }),
        row_n("pruner", &|i| {
            spec(i).map_or("-", |s| s.pruner.name()).into()
        }),
        row_n("seed", &|i| experiments[i].info.seed.to_string()),
        row_n("status", &|i| summaries[i].status.into()),
        row_n("trials", &|i| {
            format!("{} / {}", summaries[i].stored, summaries[i].run_cap)
        }),
        row_n("completed", &|i| summaries[i].completed.to_string()),
        row_n("pruned", &|i| summaries[i].pruned.to_string()),
        row_n("failed", &|i| summaries[i].failed.to_string()),
        // Whether the best values differ is read from them in full, not from their rounding;
        // values of different metrics are not said to differ, as they do not compare.
        Row {
            differs: together
                && summaries.windows(2).any(|w| {
                    let exact = |s: &Summary| (s.best.text.clone(), s.best.full.clone());
                    exact(&w[0]) != exact(&w[1])
                }),
            full: summaries.iter().map(|s| s.best.full.clone()).collect(),
            ..row_n(
                &if together {
                    format!("best {objective}")
                } else {
                    "best (of its objective)".to_string()
                },
                &|i| summaries[i].best.text.clone(),
            )
        },
        Row {
            links: summaries
                .iter()
                .map(|s| s.best_href().unwrap_or_default())
                .collect(),
            ..row_n("best trial", &|i| {
                summaries[i]
                    .best_trial
                    .map_or("-".into(), |id| id.to_string())
            })
        },
        // Busy time: when trials ran, side by side counted once (`Summary::duration`).
        row_n("busy", &|i| summaries[i].duration.clone()),
        row_n("epochs", &|i| {
            efforts
                .get(i)
                .and_then(|e| e.trained_text())
                .unwrap_or_else(|| "-".into())
        }),
    ];
    // Constraints, after the pruner, only when one of the experiments has some.
    let status = |d: &ExperimentData| {
        d.spec
            .as_ref()
            .and_then(|s| s.constraints_status(&d.trials))
    };
    if experiments.iter().any(|d| status(d).is_some()) {
        let constraints = row_n("constraints", &|i| {
            status(&experiments[i]).unwrap_or_else(|| "-".into())
        });
        rows.insert(3, constraints);
    }
    rows
}

/// Returns what the page says of the `experiments`' objectives when one has several: that the
/// charts compare the first (which they share); nothing for experiments not `together`.
fn objectives_note(experiments: &[Arc<ExperimentData>], together: bool) -> String {
    let Some(first) = experiments.first() else {
        return String::new();
    };
    let (objective, goal) = (&first.info.objective, first.info.goal);
    let objectives = first.objectives();
    let several = experiments.iter().any(|d| d.objectives().len() > 1);
    let differ = experiments.iter().any(|d| d.objectives() != objectives);
    match (several, differ) {
        _ if !together => String::new(),
        (false, _) => String::new(),
        (true, false) => format!(
            "The best-so-far and distribution charts compare the first objective, {objective}."
        ),
        (true, true) => format!(
            "Their objectives differ (the objectives row lists each one's): the best-so-far \
             and distribution charts compare the first, {} {objective}, which they share.",
            goal.as_str()
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use experiment::{Timestamp, TrialState};
    use store::ExperimentStatus;

    use super::{
        experiments_compare_page, parse_names, way_back, MAX_EXPERIMENTS, MIN_EXPERIMENTS,
    };
    use crate::data::ExperimentData;
    use crate::view::fixtures;

    #[test]
    fn issue_a11y_1_the_best_so_far_chart_names_the_trial_each_best_came_at() {
        let data = |name: &str, n: u32| {
            let info = fixtures::info(name, ExperimentStatus::Finished, n);
            let trials = (0..n).map(|i| fixtures::trial(i, n)).collect();
            Arc::new(ExperimentData::new(info, trials))
        };
        let (a, b) = (data("a", 20), data("b", 30));
        let page = experiments_compare_page(&[a.clone(), b.clone()], &[], Timestamp(0))
            .unwrap_or_else(|e| panic!("{e}"));
        for d in [&a, &b] {
            // The first completed trial with the best value, as the line rises to it, and the
            // last completed trial, where the line's flat end lies after it.
            let completed: Vec<(u32, f64)> = d
                .trials
                .iter()
                .filter(|t| t.state == TrialState::Completed)
                .filter_map(|t| Some((t.id.0, t.value("val_accuracy")?)))
                .collect();
            let best = completed.iter().map(|c| c.1).fold(f64::MIN, f64::max);
            let at = completed.iter().find(|c| c.1 == best).map(|c| c.0);
            let last = completed.last().map(|c| c.0);
            assert_ne!(
                at, last,
                "{}: the best is not the last completed",
                d.info.name
            );
            let said = format!(
                "{}: best trial number {}, {}",
                d.info.name,
                at.unwrap_or_default(),
                experiment::metric_text(Some(best))
            );
            assert!(page.chart.contains(&said), "{said} in {}", page.chart);
        }
    }

    #[test]
    fn the_way_back_keeps_each_experiment_ticked_once_and_says_how_many_to_tick() {
        // As the page reads its ticks (`Ticks::read`), less those that are no experiment name.
        let (links, _) = way_back("e=a&e=a%2Fb&e=a&e=&e=b");
        assert_eq!(
            links,
            [(
                format!(
                    "Back to the list, to tick {MIN_EXPERIMENTS} to {MAX_EXPERIMENTS} experiments"
                ),
                "/?e=a&e=b".to_string()
            )]
        );
        // The page itself refuses the bad one, naming its key.
        let err = parse_names("e=a&e=a%2Fb&e=b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "e: \"a/b\" is not an experiment name (1 to 64 ASCII letters, digits, '.', '_' or '-', \
             starting with a letter or digit)"
        );
    }
}
