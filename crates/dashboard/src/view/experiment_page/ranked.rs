//! The experiment page's charts coloured by rank, over the sampled trials: parallel
//! coordinates and the pair plots, and the labels of their colour bar's ends, which name the
//! places of the trials they colour (`Placing`, `rank_labels`).

use experiment::{Trial, TrialState};

use crate::charts::{self, ParAxis, ParLine};
use crate::data::ExperimentData;
use crate::view::format;
use crate::view::leaderboard::Ranked;
use crate::view::space::ParamAxis;

/// Returns the parallel coordinates of `axes` and the `objective` over the `sample` (best
/// first) of the trials of `experiment`, each line coloured by its rank in it and linked to
/// its trial's page; the colour bar names its ends' places as `placing` says.
pub(super) fn parallel_chart(
    experiment: &str,
    axes: &[ParamAxis],
    sample: &[Ranked<'_>],
    (objective, goal, placing): (&str, experiment::Direction, Placing<'_>),
) -> String {
    let trials: Vec<&Trial> = sample.iter().map(|r| r.trial).collect();
    let values: Vec<f64> = trials.iter().filter_map(|t| t.value(objective)).collect();
    let mut par_axes = titled(axes.iter(), &trials);
    par_axes.push(ParAxis {
        title: objective.to_string(),
        scale: charts::objective_scale(&values, goal),
    });
    let lines: Vec<ParLine> = sample
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut values: Vec<Option<f64>> = axes.iter().map(|a| a.value_of(r.trial)).collect();
            values.push(r.trial.value(objective));
            ParLine {
                trial: r.trial.id.0,
                value: r.trial.value(objective),
                values,
                goodness: goodness(i, sample.len()),
                pruned: r.trial.state == TrialState::Pruned,
            }
        })
        .collect();
    let (best, worst) = rank_labels(sample, objective, placing);
    let width = (240 + 130 * u32::try_from(par_axes.len()).unwrap_or(8)).clamp(700, 1300);
    let pages = format::trials_href(experiment);
    let chart = charts::parallel(&par_axes, &lines, width, (&best, &worst), &pages);
    charts::described_by(chart, "parallel-hint")
}

/// Returns the chart axes of `axes` over `trials`, titled with the parameters' names (the chart
/// says which axes are log axes).
fn titled<'a>(axes: impl Iterator<Item = &'a ParamAxis>, trials: &[&Trial]) -> Vec<ParAxis> {
    axes.map(|a| ParAxis {
        title: a.name.clone(),
        scale: a.scale(trials),
    })
    .collect()
}

/// Returns how good the `i`-th best of `n` sampled trials is, from 1 (the best) to 0.
fn goodness(i: usize, n: usize) -> f64 {
    1.0 - i as f64 / (n.max(2) - 1) as f64
}

/// How the colour bar names a trial's place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Placing<'c> {
    /// By its rank, the leaderboard's (one objective): `rank 1`.
    Rank,
    /// By its place in the one objective the chart shows, which is not the leaderboard's rank
    /// in a study of several objectives (it ranks the Pareto fronts): `1st by val_accuracy`;
    /// a trial that breaks one of these constraints is placed after those that meet them, by
    /// how far it breaks them, not by the objective: `5th, breaks a constraint`.
    ByObjective(&'c [experiment::Constraint]),
}

impl Placing<'_> {
    /// Returns how the charts of `data` name places: by rank with one objective, by the one
    /// charted otherwise (the leaderboard then ranks Pareto fronts), under its constraints.
    pub(super) fn of(data: &ExperimentData) -> Placing<'_> {
        if data.objectives().len() > 1 {
            Placing::ByObjective(data.constraints())
        } else {
            Placing::Rank
        }
    }
}

/// Returns the colour bar's labels: what its ends are, the first and the last of the `sample`
/// (best first), whose colours they are, their values written as the tables write them:
/// `rank 1: 0.9694` and `rank 8: 0.5125 (pruned)`, or with `Placing::ByObjective`
/// `1st by val_accuracy: 0.9694`, and for a trial that breaks a constraint (placed by how far
/// it breaks it) `5th, breaks a constraint: 0.6825`. The colour goes by rank, and a pruned
/// trial ranks after every completed one whatever its value, so the ends are not the best and
/// worst values drawn.
pub(super) fn rank_labels(
    sample: &[Ranked<'_>],
    objective: &str,
    placing: Placing<'_>,
) -> (String, String) {
    let label = |i: usize| {
        let Some(r) = sample.get(i) else {
            return String::new();
        };
        let value = format::metric_value(objective, r.trial.value(objective));
        let pruned = if r.trial.state == TrialState::Pruned {
            " (pruned)"
        } else {
            ""
        };
        let place = r.rank.unwrap_or(i + 1);
        match placing {
            Placing::Rank => format!("rank {place}: {value}{pruned}"),
            Placing::ByObjective(constraints)
                if experiment::feasibility(constraints, r.trial) == Some(false) =>
            {
                format!("{}, breaks a constraint: {value}{pruned}", ordinal(place))
            }
            Placing::ByObjective(_) => {
                format!("{} by {objective}: {value}{pruned}", ordinal(place))
            }
        }
    };
    match sample.len() {
        0 => ("best".to_string(), "worst".to_string()),
        n => (label(0), label(n - 1)),
    }
}

/// Returns `n` as an English ordinal: `1st`, `2nd`, `3rd`, `11th`, `22nd`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How many parameters the pair plots take, the most important first: 3 make 3 pairs.
pub(super) const PAIRED: usize = 3;

/// Which parameters the pair plots take.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pairing<'p> {
    /// The most important ones (by these shares; without them, the first in name order).
    Important(Option<&'p [(String, f64)]>),
    /// These, in this order.
    Picked(&'p [String]),
}

/// Returns the pair plots of the parameters `pairing` says over the sampled trials of
/// `experiment` (each dot linked to its trial's page), a note saying which, and their names;
/// the colour bar names its ends' places as `placing` says.
pub(super) fn pairs_chart(
    experiment: &str,
    axes: &[ParamAxis],
    sample: &[Ranked<'_>],
    pairing: Pairing<'_>,
    (objective, placing): (&str, Placing<'_>),
) -> (String, String, Vec<String>) {
    let mut chosen: Vec<&ParamAxis> = axes.iter().collect();
    let note = match pairing {
        Pairing::Picked(names) => {
            chosen = names
                .iter()
                .filter_map(|n| axes.iter().find(|a| a.name == *n))
                .collect();
            "the parameters picked"
        }
        Pairing::Important(Some(shares)) => {
            let share = |a: &ParamAxis| {
                shares
                    .iter()
                    .find(|(name, _)| *name == a.name)
                    .map_or(0.0, |s| s.1)
            };
            // Stable: equal shares keep name order.
            chosen.sort_by(|a, b| share(b).total_cmp(&share(a)));
            chosen.truncate(PAIRED);
            "the most important parameters, by the importance above"
        }
        Pairing::Important(None) => {
            chosen.truncate(PAIRED);
            "the first parameters by name (importance needs more trials)"
        }
    };
    let trials: Vec<&Trial> = sample.iter().map(|r| r.trial).collect();
    let pair_axes = titled(chosen.iter().copied(), &trials);
    let points: Vec<ParLine> = sample
        .iter()
        .enumerate()
        .map(|(i, r)| ParLine {
            trial: r.trial.id.0,
            value: r.trial.value(objective),
            values: chosen.iter().map(|a| a.value_of(r.trial)).collect(),
            goodness: goodness(i, sample.len()),
            pruned: r.trial.state == TrialState::Pruned,
        })
        .collect();
    let (best, worst) = rank_labels(sample, objective, placing);
    let pages = format::trials_href(experiment);
    let chart = charts::pairs(&pair_axes, &points, (&best, &worst), (objective, &pages));
    let chart = charts::described_by(chart, "pairs-hint");
    let names = chosen.iter().map(|a| a.name.clone()).collect();
    (chart, note.to_string(), names)
}
