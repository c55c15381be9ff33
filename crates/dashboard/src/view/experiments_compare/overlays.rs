//! The charts that overlay the compared experiments: their Pareto fronts (with each front's
//! size and hypervolume for the table), and, for experiments that share their first objective,
//! each one's best value so far by trial number and the distribution of its completed values.

use std::sync::Arc;

use experiment::{Direction, MetricSpec, Trial, TrialState};

use super::row;
use crate::charts::{self, Curve, Distribution, Emphasis};
use crate::data::ExperimentData;
use crate::view::compare::Row;
use crate::view::format;

/// Returns the chart of the fronts of `experiments` that share several `objectives`, and adds
/// to `rows` how many trials each front holds and, with two objectives, the share of one box
/// each dominates.
pub(super) fn fronts(
    experiments: &[Arc<ExperimentData>],
    objectives: &[MetricSpec],
    task: charts::Task,
    rows: &mut Vec<Row>,
) -> String {
    let row_n = |name: &str, value: &dyn Fn(usize) -> String| row(name, experiments.len(), value);
    let fronts: Vec<Vec<&Trial>> = experiments
        .iter()
        .map(|d| experiment::pareto_front(&d.trials, objectives, d.constraints()))
        .collect();
    rows.push(row_n("Pareto front", &|i| {
        let n = fronts[i].len();
        format!("{n} trial{}", if n == 1 { "" } else { "s" })
    }));
    if objectives.len() == 2 {
        // One box for all: from the best value of each objective among all the fronts to a
        // tenth of the range beyond their worst.
        let points: Vec<Vec<Vec<f64>>> = fronts
            .iter()
            .map(|front| {
                front
                    .iter()
                    .filter_map(|t| experiment::pareto::oriented(t, objectives))
                    .collect()
            })
            .collect();
        let all: Vec<Vec<f64>> = points.iter().flatten().cloned().collect();
        if let Some(frame) = experiment::pareto::Frame::around(&all) {
            rows.push(row_n("hypervolume", &|i| {
                format!("{:.1}%", frame.share(&points[i]) * 100.0)
            }));
        }
    }
    match objectives {
        [x, y, ..] => {
            let series: Vec<charts::Front> = experiments
                .iter()
                .zip(&fronts)
                .map(|(d, front)| {
                    let (trials, points) = front
                        .iter()
                        .filter_map(|t| Some((t.id.0, (t.value(&x.name)?, t.value(&y.name)?))))
                        .unzip();
                    charts::Front {
                        label: d.info.name.clone(),
                        points,
                        trials,
                        trial_pages: format::trials_href(&d.info.name),
                    }
                })
                .collect();
            charts::fronts(&series, (&x.name, x.goal), (&y.name, y.goal), task)
        }
        _ => String::new(),
    }
}

/// Returns the best-so-far chart and the distribution of results of `experiments` that share
/// their first objective.
pub(super) fn together_charts(
    experiments: &[Arc<ExperimentData>],
    task: charts::Task,
) -> (String, String) {
    let Some(first) = experiments.first() else {
        return (String::new(), String::new());
    };
    let (objective, goal) = (&first.info.objective, first.info.goal);
    let lines: Vec<Curve> = experiments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let points = best_so_far(d, goal);
            Curve {
                label: d.info.name.clone(),
                best: reached_at(&points),
                points,
                emphasis: Emphasis::Colour(i),
                href: Some(format::experiment_href(&d.info.name)),
                note: String::new(),
            }
        })
        .collect();
    let distributions: Vec<Distribution> = experiments
        .iter()
        .map(|d| Distribution {
            label: d.info.name.clone(),
            values: completed_values(d),
        })
        .collect();
    (
        charts::curves(
            &lines,
            (1300, 380),
            (
                "trial number",
                &format!("best {} so far", charts::metric_title(objective, task)),
            ),
            Some(goal),
            "",
            "no completed trials",
        ),
        charts::edf(
            &distributions,
            (1300, 380),
            &charts::metric_title(objective, task),
            goal == Direction::Maximize,
        ),
    )
}

/// Returns the finite objective values, with their numbers, of `data`'s completed trials that
/// meet its constraints.
fn completed(data: &ExperimentData) -> Vec<(u32, f64)> {
    data.trials
        .iter()
        .filter(|t| t.state == TrialState::Completed && experiment::feasible(data.constraints(), t))
        .filter_map(|t| Some((t.id.0, t.value(&data.info.objective)?)))
        .filter(|(_, v)| v.is_finite())
        .collect()
}

/// Returns the completed trials' finite values of `data`'s objective.
fn completed_values(data: &ExperimentData) -> Vec<f64> {
    completed(data).into_iter().map(|(_, v)| v).collect()
}

/// Returns the best completed value of `data`'s objective so far, by trial number.
fn best_so_far(data: &ExperimentData, goal: Direction) -> Vec<(f64, f64)> {
    let mut completed = completed(data);
    completed.sort_by_key(|(id, _)| *id);
    charts::best_line(&completed, data.trials.iter().map(|t| t.id.0).max(), goal)
}

/// Returns the trial number at which the best-so-far line `points` first reached its best
/// value, its last: what the chart marks and its label names, rather than the line's end.
fn reached_at(points: &[(f64, f64)]) -> Option<f64> {
    let &(_, best) = points.last()?;
    points.iter().find(|p| p.1 == best).map(|p| p.0)
}
