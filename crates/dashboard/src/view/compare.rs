//! The compare page: `MIN_TRIALS` to `MAX_TRIALS` trials side by side, their curves overlaid
//! per metric, and a parameter table that marks the rows that differ. A trial still running
//! is compared by its latest epoch's metrics, said as the latest, not its best. A trial ticked
//! (a bookmark keeps the address) that the experiment no longer holds, removed and run again
//! with fewer trials, is left out, the page naming it above the others (`remaining`), as long
//! as two remain.

use std::collections::{BTreeMap, BTreeSet};

use experiment::{ExperimentSpec, ParamValue, Trial, TrialState, WALL_TIME_METRIC};
use store::{ExperimentInfo, ExperimentStatus};

use super::format;
use super::ticks::{self, BadTick, TickKeys, Ticks};
use super::trial::{MetricChart, Standing};
use crate::charts::{self, Curve, Emphasis};
use crate::data::{shows_latest, Latest, Series};
use crate::error::Near;
use crate::{Error, Result};

/// The fewest trials a comparison takes.
pub(crate) const MIN_TRIALS: usize = 2;
/// The most trials a comparison takes (one palette colour each).
pub(crate) const MAX_TRIALS: usize = 8;

/// A compared trial's column header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// The trial number.
    pub(crate) id: u32,
    /// Its page.
    pub(crate) href: String,
    /// Its swatch: its symbol in its colour in the charts, an inline SVG.
    pub(crate) swatch: String,
}

/// A table row: a name and one value per trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The parameter or fact.
    pub(crate) name: String,
    /// One value per compared trial.
    pub(crate) values: Vec<String>,
    /// Whether the values are not all equal.
    pub(crate) differs: bool,
    /// The page each value links to, in the order of `values` (an empty one, or none past
    /// the end: plain text).
    pub(crate) links: Vec<String>,
    /// Each number's value in full, for its tooltip, in the order of `values` (an empty one,
    /// or none past the end: none).
    pub(crate) full: Vec<String>,
    /// Whether each value, in the order of `values`, is text (a categorical parameter's
    /// choice), shown left-aligned and cut to its cell's width with its whole in its tooltip,
    /// rather than as a number (`false`, or none past the end).
    pub(crate) texts: Vec<bool>,
}

impl Row {
    /// Returns each value with the page it links to (empty: none), for the template.
    pub(crate) fn cells(&self) -> Vec<(&str, &str)> {
        self.values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.as_str(), self.links.get(i).map_or("", String::as_str)))
            .collect()
    }

    /// Returns the `i`-th value in full, for its tooltip (empty: none).
    pub(crate) fn title(&self, i: &usize) -> &str {
        self.full.get(*i).map_or("", String::as_str)
    }

    /// Returns whether the `i`-th value is text, not a number (`texts`).
    pub(crate) fn is_text(&self, i: &usize) -> bool {
        self.texts.get(*i).copied().unwrap_or(false)
    }
}

/// The compare page.
#[derive(Debug, Clone)]
pub(crate) struct ComparePage {
    /// The experiment's name.
    pub(crate) experiment: String,
    /// Its page.
    pub(crate) experiment_href: String,
    /// The compared trials.
    pub(crate) columns: Vec<Column>,
    /// State, objectives, constrained metrics, standing, best epoch and seed.
    pub(crate) facts: Vec<Row>,
    /// One row per parameter.
    pub(crate) params: Vec<Row>,
    /// How many parameter rows differ.
    pub(crate) differing: usize,
    /// One overlay chart per metric.
    pub(crate) charts: Vec<MetricChart>,
    /// That the stored spec does not read with this version, and what that leaves out
    /// (`view::spec_notice`); empty when it reads.
    pub(crate) spec_notice: String,
    /// What the page says of the trials ticked that the experiment does not hold
    /// (`remaining`): `no trial 7 (its trials are 0 to 2): comparing the other 2`; empty when
    /// none is gone.
    pub(crate) gone: String,
}

/// Where the compare page reads its trials: `t=3&t=7` (the leaderboard's checkboxes) and/or
/// `trials=3,7`, every value.
pub(crate) const TICK_KEYS: TickKeys = TickKeys {
    key: "t",
    list_key: Some("trials"),
    read_at_most: usize::MAX,
};

/// Returns the trial numbers asked for in a query string (`TICK_KEYS`), each once, in the order
/// given (`Ticks::read`); fewer than `MIN_TRIALS` or more than `MAX_TRIALS`, or a value that is
/// not a trial number, is a bad request.
pub(crate) fn parse_ids(query: &str) -> Result<Vec<u32>> {
    Ticks::read(query, TICK_KEYS, BadTick::Refused)?.compared()
}

/// Returns where a compare of `experiment`'s trials that could not be read (`parse_ids`'s
/// error) goes back to: its leaderboard with the trials ticked in `query` still ticked (`?t=`,
/// those that are trial numbers, each once), as links for the error page, and the breadcrumbs
/// to it.
pub(crate) fn way_back(
    experiment: &str,
    query: &str,
) -> (crate::error::Links, crate::error::Links) {
    let ticks = Ticks::<u32>::read(query, TICK_KEYS, BadTick::Skipped).unwrap_or_default();
    back_to(experiment, &ticks)
}

/// Returns what the comparison of `experiment`'s trials ticked (`parse_ids`) says of those it
/// does not hold (`gone`), with the trials its not found said it holds (`held`,
/// `Near::Trials`), the others (`kept`, in order) compared: the note above it
/// (`ticks::gone_note`; empty when none is gone), or, where fewer than `MIN_TRIALS` are kept,
/// a not found that names those gone and links back to its leaderboard with the others still
/// ticked.
pub(crate) fn remaining(
    experiment: &str,
    kept: &[u32],
    gone: &[u32],
    held: &Near,
) -> Result<String> {
    ticks::gone_note(kept, gone, held).map_err(|message| {
        let (links, crumbs) = back_to(experiment, &Ticks::of(kept.iter().copied()));
        Error::NotFoundNear {
            message,
            near: Near::Nothing,
            links,
            crumbs,
        }
    })
}

/// Returns the way back to `experiment`'s leaderboard with `ticks` ticked, as links for an
/// error page, and the breadcrumbs to it.
fn back_to(experiment: &str, ticks: &Ticks<u32>) -> (crate::error::Links, crate::error::Links) {
    let href = format::experiment_href(experiment);
    let back = if ticks.is_empty() {
        href.clone()
    } else {
        format!("{href}?{}", ticks.query(TICK_KEYS.key))
    };
    (
        vec![(
            format!("Back to {experiment}, {}", ticks::to_tick::<u32>()),
            back,
        )],
        vec![
            (experiment.to_string(), href),
            ("compare".to_string(), String::new()),
        ],
    )
}

/// Builds the page comparing `trials`, each with its metric series, in the order given; a
/// trial still running has its curves so far drawn dashed, and, having no result yet, its
/// metrics at its latest epoch (`data::Latest`), its state's cell reading `running, latest
/// epoch N` and each value's tooltip `at latest epoch N, running`.
/// `spec` is the experiment's parsed spec (its further objectives and constraints get rows), and
/// `front` its Pareto front (`ExperimentSpec::pareto_front`; only read with several objectives).
pub(crate) fn compare_page(
    (info, spec): (&ExperimentInfo, Option<&ExperimentSpec>),
    front: &[&Trial],
    trials: &[(Trial, BTreeMap<String, Series>)],
) -> ComparePage {
    let columns = trials
        .iter()
        .enumerate()
        .map(|(i, (t, _))| Column {
            id: t.id.0,
            href: format::trial_href(&info.name, t.id.0),
            swatch: charts::swatch(i),
        })
        .collect();
    let row = |name: &str, cell: &dyn Fn(&Trial, &BTreeMap<String, Series>) -> String| {
        let values: Vec<String> = trials.iter().map(|(t, m)| cell(t, m)).collect();
        let differs = values.windows(2).any(|w| w[0] != w[1]);
        Row {
            name: name.to_string(),
            values,
            differs,
            links: Vec::new(),
            full: Vec::new(),
            texts: Vec::new(),
        }
    };
    // A trial still running has no result yet: its metrics are those of its latest epoch,
    // said so in its state's cell and in each value's tooltip, never as its best.
    let latest: Vec<Option<Latest>> = trials
        .iter()
        .map(|(t, m)| shows_latest(t).then(|| Latest::of(m)).flatten())
        .collect();
    // A metric's row: whether it differs is read from the values themselves, not from their
    // rounded text, and values that differ are written to as many digits as tell them apart.
    let num_row = |name: &str, text: &dyn Fn(Option<f64>) -> String| {
        let values: Vec<Option<f64>> = trials
            .iter()
            .zip(&latest)
            .map(|((t, _), l)| {
                let so_far = l.as_ref().and_then(|l| l.metrics.get(name).copied());
                t.value(name).or(so_far)
            })
            .collect();
        let shown = distinct_texts(&values, values.iter().map(|v| text(*v)).collect());
        Row {
            name: name.to_string(),
            differs: values.windows(2).any(|w| !same(w[0], w[1])),
            full: values
                .iter()
                .zip(&shown)
                .zip(trials.iter().zip(&latest))
                .map(|((v, s), ((t, _), l))| {
                    let num = format::Num::of(s.clone(), *v);
                    match l.as_ref().filter(|_| v.is_some()) {
                        Some(l) => {
                            format::latest_tooltip(&num, l, name, info.trial_state_shown(t.state))
                        }
                        None => num.full,
                    }
                })
                .collect(),
            values: shown,
            links: Vec::new(),
            texts: Vec::new(),
        }
    };
    let mut state = row("state", &|t, _| info.trial_state_shown(t.state).to_string());
    for (i, l) in latest.iter().enumerate() {
        if let (Some(l), Some(cell)) = (l, state.values.get_mut(i)) {
            *cell = format!("{cell}, latest epoch {}", l.step);
        }
    }
    state.differs = state.values.windows(2).any(|w| w[0] != w[1]);
    state.full = (latest.iter().zip(trials))
        .map(|(l, (t, _))| {
            l.as_ref().map_or_else(String::new, |l| {
                format!(
                    "its metrics here are those of its latest epoch, {}, not of its best: {}",
                    l.step,
                    format::why_not_final(info.trial_state_shown(t.state))
                )
            })
        })
        .collect();
    let mut facts = vec![state];
    // Why a trial is in its state (pruned, failed, stopped early), as its page says, when one
    // of them has a reason.
    if trials.iter().any(|(t, _)| t.reason.is_some()) {
        facts.push(row("reason", &|t, _| {
            t.reason.clone().unwrap_or_else(|| "-".into())
        }));
    }
    facts.push(num_row(&info.objective, &|v| {
        format::metric_value(&info.objective, v)
    }));
    let (objectives, constraints) = spec.map_or((Vec::new(), &[][..]), |s| {
        (s.objectives(), s.constraints.as_slice())
    });
    // The further objectives and the constrained metrics, as the leaderboard's columns.
    let extra = experiment::extra_columns(&objectives, constraints);
    for metric in &extra {
        // As the leaderboard's columns write them.
        facts.push(num_row(metric, &format::count_or_value));
    }
    // Every other metric at each trial's best epoch, as `sweep show A/N B/M` and the trial page
    // give them: compared runs are read on all of them, not the objective alone. (Not the wall
    // time, `experiment::WALL_TIME_METRIC`: it always differs.)
    let others: BTreeSet<&str> = trials
        .iter()
        .filter_map(|(t, _)| t.result.as_ref().map(|r| &r.metrics))
        .chain(latest.iter().flatten().map(|l| &l.metrics))
        .flat_map(|metrics| metrics.keys().map(String::as_str))
        .filter(|m| *m != info.objective && !extra.contains(m) && *m != WALL_TIME_METRIC)
        .collect();
    let counted = others.contains("param_count");
    let mut ordered = format::metric_order(&info.objective, others);
    ordered.retain(|m| *m != WALL_TIME_METRIC);
    if counted {
        ordered.push("param_count");
    }
    for metric in ordered {
        // As the trial page's metrics at the best epoch: a count as a count, any other metric
        // to 4 decimals (`val_f1` 1.0000, not 1).
        facts.push(num_row(metric, &|v| format::metric_value(metric, v)));
    }
    if let Some(spec) = spec.filter(|s| s.is_multi_objective()) {
        facts.push(row("Pareto front", &|t, _| {
            Standing::of(spec, front, t).map_or("-".into(), Standing::cell)
        }));
    }
    if !constraints.is_empty() {
        facts.push(row("constraints", &|t, _| {
            experiment::feasibility_text(constraints, t).unwrap_or_else(|| "-".into())
        }));
    }
    facts.push(row("best epoch", &|t, _| {
        t.result
            .as_ref()
            .map_or("-".into(), |r| r.best_step.to_string())
    }));
    facts.push(row("epochs", &|_, m| {
        experiment::epochs_reported(m).map_or("-".into(), |n| n.to_string())
    }));
    facts.push(row("seed", &|t, _| t.seed.to_string()));
    let names: BTreeSet<&String> = trials.iter().flat_map(|(t, _)| t.params.keys()).collect();
    let params: Vec<Row> = names
        .into_iter()
        .map(|name| {
            let values: Vec<Option<&ParamValue>> =
                trials.iter().map(|(t, _)| t.params.get(name)).collect();
            param_row(name, &values)
        })
        .collect();
    let names = trials
        .iter()
        .flat_map(|(_, m)| m.keys().map(String::as_str));
    let metrics: BTreeSet<&str> = names.collect();
    let task = charts::Task::of(spec, metrics.iter().copied());
    let objectives = info.objectives(spec);
    // A trial still running is drawn dashed, its curves so far; one a kill left running, where
    // no sweep runs, is not live (its state reads `interrupted`) and is drawn as it ended.
    let live =
        |t: &Trial| t.state == TrialState::Running && info.status == ExperimentStatus::Running;
    let charts = format::metric_order(&info.objective, metrics)
        .into_iter()
        .map(|metric| {
            let lines: Vec<Curve> = trials
                .iter()
                .enumerate()
                .map(|(i, (t, m))| {
                    let points: Vec<(f64, f64)> = m
                        .get(metric)
                        .map(|s| s.iter().map(|(step, v)| (f64::from(step.0), *v)).collect())
                        .unwrap_or_default();
                    Curve {
                        label: format!("trial {}", t.id),
                        note: super::curve_note(t, &points),
                        points,
                        emphasis: if live(t) {
                            Emphasis::RunningColour(i)
                        } else {
                            Emphasis::Colour(i)
                        },
                        best: super::best_epoch(t),
                        href: Some(format::trial_href(&info.name, t.id.0)),
                    }
                })
                .collect();
            MetricChart {
                name: metric.to_string(),
                svg: charts::curves(
                    &lines,
                    (1100, 320),
                    ("epoch", &charts::metric_title(metric, task)),
                    super::metric_goal(&objectives, metric),
                    "",
                    "no points recorded yet",
                ),
            }
        })
        .collect();
    ComparePage {
        spec_notice: String::new(),
        gone: String::new(),
        experiment: info.name.clone(),
        experiment_href: format::experiment_href(&info.name),
        columns,
        facts,
        differing: params.iter().filter(|r| r.differs).count(),
        params,
        charts,
    }
}

/// Returns a parameter's row: whether it differs is read from the values themselves (`0.0019683`
/// and `0.0019723` differ, though both read `0.002`), and real numbers that differ but would
/// read alike are written to as many digits as tell them apart.
fn param_row(name: &str, values: &[Option<&ParamValue>]) -> Row {
    let differs = values.windows(2).any(|w| match (w[0], w[1]) {
        (Some(ParamValue::Float(a)), Some(ParamValue::Float(b))) => !same(Some(*a), Some(*b)),
        (a, b) => a != b,
    });
    let text = |v: Option<&ParamValue>| v.map_or("-".to_string(), ToString::to_string);
    let floats: Vec<Option<f64>> = values
        .iter()
        .map(|v| match v {
            Some(ParamValue::Float(x)) => Some(*x),
            _ => None,
        })
        .collect();
    // Only finite floats are widened: any other value keeps its text.
    let shown = distinct_texts(&floats, values.iter().map(|v| text(*v)).collect());
    Row {
        name: name.to_string(),
        values: shown,
        differs,
        links: Vec::new(),
        full: Vec::new(),
        texts: (values.iter())
            .map(|v| matches!(v, Some(ParamValue::Str(_))))
            .collect(),
    }
}

/// Returns whether two values are the same: equal, or both NaN (a diverged loss is the same
/// as another).
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b || (a.is_nan() && b.is_nan()),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// Returns whether two of `values` that differ read alike in `shown`.
fn clashes(values: &[Option<f64>], shown: &[String]) -> bool {
    values.iter().zip(shown).enumerate().any(|(i, (a, sa))| {
        values
            .iter()
            .zip(shown)
            .skip(i + 1)
            .any(|(b, sb)| sa == sb && !same(*a, *b))
    })
}

/// Returns `shown` (the texts of `values`, which are `None` where no real number is), or, where
/// two that differ would read alike, each finite one to the fewest significant digits (5 or
/// more) that tell them all apart (`0.0019683` and `0.0019723`; at most 17, which tell any two
/// apart), every other keeping its text.
fn distinct_texts(values: &[Option<f64>], shown: Vec<String>) -> Vec<String> {
    if !clashes(values, &shown) {
        return shown;
    }
    let to_digits = |digits: usize| -> Vec<String> {
        values
            .iter()
            .zip(&shown)
            .map(|(v, s)| match v {
                Some(x) if x.is_finite() => experiment::significant_text(*x, digits),
                _ => s.clone(),
            })
            .collect()
    };
    (5..17)
        .map(to_digits)
        .find(|wider| !clashes(values, wider))
        .unwrap_or_else(|| to_digits(17))
}

#[cfg(test)]
mod tests;
