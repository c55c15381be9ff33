//! The trial page: parameters (and whether the sampler chose them or the file gave them),
//! state, seed, every metric's curve, the resolved configuration, and the command that
//! reproduces the trial.

use std::collections::BTreeMap;

use experiment::{
    shell_quote, ExperimentSpec, KnobDefault, ParamValue, Timestamp, Trial, TrialState, WarmSource,
    KNOBS,
};
use store::{CheckpointAt, ExperimentInfo, ExperimentStatus};

use super::format;
use crate::charts::{self, Curve, Emphasis};
use crate::data::{shows_latest, Latest, Series};

/// A labelled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    /// The label.
    pub(crate) name: String,
    /// The value.
    pub(crate) value: String,
    /// A number's value in full, for its tooltip, where `value` rounds it; empty otherwise.
    pub(crate) full: String,
    /// A note: a parameter's distribution, or where a knob's value came from.
    pub(crate) note: String,
    /// Whether the value does nothing in this trial (a knob that only acts with another
    /// knob's value, or in a CNN), shown greyed.
    pub(crate) idle: bool,
    /// The trial that `value` names (`trial 1`, once) and its page, linked there; empty for
    /// none.
    pub(crate) link: (String, String),
}

impl Field {
    /// Returns the value in pieces, each with the page it links to (empty: none): the text
    /// that `link` names is linked to its page.
    pub(crate) fn pieces(&self) -> Vec<(&str, &str)> {
        let (text, href) = (&self.link.0, &self.link.1);
        match self.value.split_once(text.as_str()) {
            Some((before, after)) if !text.is_empty() => {
                vec![(before, ""), (text.as_str(), href.as_str()), (after, "")]
            }
            _ => vec![(self.value.as_str(), "")],
        }
    }
}

/// A metric's chart.
#[derive(Debug, Clone)]
pub(crate) struct MetricChart {
    /// The metric.
    pub(crate) name: String,
    /// Its SVG.
    pub(crate) svg: String,
}

/// The trial page.
#[derive(Debug, Clone)]
pub(crate) struct TrialPage {
    /// The experiment's name.
    pub(crate) experiment: String,
    /// The experiment's page.
    pub(crate) experiment_href: String,
    /// The trial number.
    pub(crate) id: u32,
    /// The state.
    pub(crate) state: &'static str,
    /// Why it is in that state, or empty.
    pub(crate) reason: String,
    /// Seed, times, best epoch, objective.
    pub(crate) facts: Vec<Field>,
    /// The searched parameters.
    pub(crate) params: Vec<Field>,
    /// Every metric at the best epoch; for a trial still running, without a result yet
    /// (`data::shows_latest`), every metric at its latest epoch (`latest`).
    pub(crate) best_metrics: Vec<Field>,
    /// For a trial still running, without a result yet, its latest epoch, whose metrics
    /// `best_metrics` and its objectives' facts show, said as the latest; `None` otherwise.
    pub(crate) latest: Option<u32>,
    /// Every knob's value for this trial and its source.
    pub(crate) knobs: Vec<Field>,
    /// One chart per metric.
    pub(crate) charts: Vec<MetricChart>,
    /// The stored spec.
    pub(crate) spec_yaml: String,
    /// The command that runs trials 0 to the trial's number of the experiment file, as it is
    /// now, into a fresh store: the trial again only while the file holds the stored spec.
    pub(crate) command: String,
    /// The commands that save the stored spec beside the file and run that copy as `command`
    /// runs the file (`stored_rerun_commands`): the trial again whatever the file holds now.
    pub(crate) stored_command: String,
    /// What the fresh store needs besides the file (a warm start's source experiment), or empty.
    pub(crate) command_needs: String,
    /// The command that re-runs the stored trial and compares its curves bit for bit, for a
    /// trial that finished.
    pub(crate) check_command: Option<String>,
    /// The command that predicts new rows with the trial's checkpoint, when it has one.
    pub(crate) predict_command: Option<String>,
    /// Why a trial that ended with a result has no checkpoint; empty otherwise.
    pub(crate) no_checkpoint: String,
    /// The previous and next trials' pages.
    pub(crate) prev: Option<String>,
    /// The next trial's page.
    pub(crate) next: Option<String>,
    /// Whether the page refreshes itself.
    pub(crate) live: bool,
    /// That the stored spec does not read with this version, and what that leaves out
    /// (`view::spec_notice`); empty when it reads.
    pub(crate) spec_notice: String,
}

/// Where a completed trial of a study with several objectives stands against the Pareto front.
pub(crate) use experiment::FrontStanding as Standing;

mod rerun;
pub(crate) use rerun::{rerun_command, rerun_parallel, stored_rerun_commands};

/// Builds the trial page of `trial` with its metric series, at time `now`; `store_dir` is the
/// store the dashboard reads, for the command that checks the trial; `front` is where the trial
/// stands against the Pareto front, with several objectives.
pub(crate) fn trial_page(
    (info, spec): (&ExperimentInfo, Option<&ExperimentSpec>),
    trial: &Trial,
    front: Option<Standing>,
    metrics: &BTreeMap<String, Series>,
    now: Timestamp,
    store_dir: &str,
    checkpoint: CheckpointAt,
) -> TrialPage {
    let id = trial.id.0;
    let live = !trial.state.is_finished() && info.status == ExperimentStatus::Running;
    // A trial still running has no result yet: its latest epoch's metrics are shown, said so.
    let latest = shows_latest(trial).then(|| Latest::of(metrics)).flatten();
    let shown = (latest.as_ref(), info.trial_state_shown(trial.state));
    let facts = facts(
        info,
        spec,
        trial,
        front,
        metrics,
        live.then_some(now),
        shown,
    );
    let params = param_fields(spec, trial);
    let best_metrics = match &latest {
        Some(l) => latest_metric_fields(l, shown.1),
        None => best_metric_fields(trial),
    };
    let knobs = knob_fields(spec, trial);
    let charts = metric_charts(info, spec, trial, metrics);
    let command = rerun_command(&info.spec_path, id, None);
    let stored_command = stored_rerun_commands(&info.name, store_dir, &info.spec_path, id, None);
    let command_needs = match spec.and_then(|s| s.warm_start.as_ref()).map(|w| &w.source) {
        Some(WarmSource::Experiment(source)) => format!(
            "Its warm start reads experiment {source} from the store it runs in: run this in a \
             copy of this store, from which {} is removed (sweep rm), rather than a fresh one.",
            info.name
        ),
        _ => String::new(),
    };
    let check_command = trial.state.is_finished().then(|| {
        format!(
            "sweep reproduce {} --store {}",
            shell_quote(&format!("{}/{id}", info.name)),
            shell_quote(store_dir),
        )
    });
    let ended = trial.ended_with_result();
    // A checkpoint of a trial that has not ended (a store written before a stopped trial's
    // was discarded) is of weights it did not end with.
    let predict_command = (ended && checkpoint == CheckpointAt::Here).then(|| {
        format!(
            "sweep predict {} --input new.csv --store {}",
            shell_quote(&format!("{}/{id}", info.name)),
            shell_quote(store_dir),
        )
    });
    let no_checkpoint = match (checkpoint, checkpoint.elsewhere()) {
        (_, Some(place)) if ended => format!("No checkpoint here: {place}."),
        (CheckpointAt::Nowhere, _) if ended => {
            if spec.is_some_and(ExperimentSpec::is_multi_objective) {
                "No checkpoint: only the best trials by the first objective (`checkpoints.keep`) \
                 and those on the Pareto front keep their best epoch's weights."
            } else {
                "No checkpoint: only the best trials (`checkpoints.keep`) keep their best epoch's \
                 weights."
            }
            .to_string()
        }
        _ => String::new(),
    };
    TrialPage {
        spec_notice: String::new(),
        experiment: info.name.clone(),
        experiment_href: format::experiment_href(&info.name),
        id,
        state: info.trial_state_shown(trial.state),
        reason: trial
            .reason
            .clone()
            .unwrap_or_else(|| super::leaderboard::idle_reason(info, trial)),
        facts,
        params,
        best_metrics,
        latest: latest.map(|l| l.step.0),
        knobs,
        charts,
        spec_yaml: info.spec_yaml.clone(),
        command,
        stored_command,
        command_needs,
        check_command,
        predict_command,
        no_checkpoint,
        prev: id.checked_sub(1).map(|p| format::trial_href(&info.name, p)),
        next: (id + 1 < info.run_cap).then(|| format::trial_href(&info.name, id + 1)),
        live,
    }
}

/// Adds to `page`, the page of `trial` of `info`, what the trial's record's `trace` says: for
/// a trial a kill left running, where no sweep runs it, its known run in place of a duration
/// (from its start to its last stored epoch: it has no end), and the attempts cut off before
/// the one it has, with their epochs and time (which the experiment's busy time counts).
/// `pages::render_trial` calls it after `trial_page`, with `Reader::trial_trace`.
pub(crate) fn show_trace(
    page: &mut TrialPage,
    info: &ExperimentInfo,
    trial: &Trial,
    trace: &store::TrialTrace,
) {
    let sweeping = info.status == ExperimentStatus::Running;
    if let Some(known) = trace.interrupted_text(trial, sweeping) {
        if let Some(duration) = page.facts.iter_mut().find(|f| f.name == "duration") {
            duration.value = known;
            duration.full = "interrupted: a killed sweep left it running; from its start to its \
                             last stored epoch"
                .into();
        }
    }
    if let Some(cut) = trace.cut_text() {
        let mut f = field("attempts cut off", cut);
        f.full = "stopped or killed before they ended, each then run again from scratch; those \
                  of known time count in the experiment's busy time"
            .into();
        page.facts.push(f);
    }
}

/// Returns the facts a trial's page lists under its title: its seed, times, objectives'
/// values, standing on the Pareto front (`front`), best epoch (of those its `metrics`
/// reported), constraints and where its parameters came from; its duration counts to
/// `running_at` while it runs. A trial still running, in the state `shown`, has its objectives'
/// values at its `latest` epoch, said so, in place of the `-` of a result it does not have.
fn facts(
    info: &ExperimentInfo,
    spec: Option<&ExperimentSpec>,
    trial: &Trial,
    front: Option<Standing>,
    metrics: &BTreeMap<String, Series>,
    running_at: Option<Timestamp>,
    (latest, shown): (Option<&Latest>, &str),
) -> Vec<Field> {
    // An objective's fact: its value at the result, or, without one, at the latest epoch.
    let objective = |name: &str, num: &dyn Fn(Option<f64>) -> format::Num| {
        let at_latest = latest.and_then(|l| Some((l, *l.metrics.get(name)?)));
        match (trial.value(name), at_latest) {
            (None, Some((l, v))) => {
                let n = num(Some(v));
                // A metric last reported before the latest epoch says its own.
                let at = match l.earlier.get(name) {
                    Some(at) => format!("epoch {at}, its last report"),
                    None => format!("latest epoch {}", l.step),
                };
                Field {
                    full: format::latest_tooltip(&n, l, name, shown),
                    ..field(name, format!("{} ({at})", n.text))
                }
            }
            (v, _) => num_field(name, num(v)),
        }
    };
    let mut facts = vec![
        field("seed", trial.seed.to_string()),
        field("started", trial.started.map_or("-".into(), Timestamp::utc)),
        field(
            "finished",
            trial.finished.map_or("-".into(), Timestamp::utc),
        ),
        field(
            "duration",
            format::span(trial.started, trial.finished, running_at),
        ),
        objective(&info.objective, &|v| {
            format::metric_value_num(&info.objective, v)
        }),
    ];
    // The further objectives of a study with several, counts as counts.
    for o in spec.map_or(&[][..], |s| s.more_objectives.as_slice()) {
        facts.push(objective(&o.name, &format::count_or_value_num));
    }
    if let Some(front) = front {
        let mut standing = field("Pareto front", front.sentence());
        if let Standing::BeatenBy(Some(by)) = front {
            standing.link = (format!("trial {by}"), format::trial_href(&info.name, by));
        }
        facts.push(standing);
    }
    if let Some(result) = &trial.result {
        let of = experiment::epochs_reported(metrics)
            .map_or(String::new(), |n| format!(" of {n} reported"));
        facts.push(field("best epoch", format!("{}{of}", result.best_step)));
    }
    if let Some((spec, feasible)) =
        spec.and_then(|s| Some((s, experiment::feasibility(&s.constraints, trial)?)))
    {
        let said = if feasible {
            "met: it can be the best".to_string()
        } else {
            let broken = format::broken(&spec.constraints, trial);
            format!("breaks {broken}: never the best")
        };
        facts.push(field("constraints", said));
    }
    if let Some(spec) = spec {
        facts.push(field("parameters", spec.origin_sentence(trial.id)));
    }
    facts
}

/// Returns a trial's parameters, each with its distribution, and where `enqueue:` gave it.
fn param_fields(spec: Option<&ExperimentSpec>, trial: &Trial) -> Vec<Field> {
    let id = trial.id.0;
    let given = spec.and_then(|s| s.enqueue.get(usize::try_from(id).ok()?));
    trial
        .params
        .iter()
        .map(|(name, v)| {
            let distribution = spec
                .and_then(|s| s.space.param(name))
                .map(|p| p.distribution.name().to_string())
                .unwrap_or_default();
            Field {
                name: name.clone(),
                value: v.to_string(),
                note: match given.and_then(|g| g.get(name)) {
                    Some(_) => format!("{distribution}, given by enqueue[{id}]"),
                    None => distribution,
                },
                idle: false,
                link: Default::default(),
                full: String::new(),
            }
        })
        .collect()
}

/// Returns a trial's metrics at its best epoch.
fn best_metric_fields(trial: &Trial) -> Vec<Field> {
    trial
        .result
        .iter()
        .flat_map(|r| r.metrics.iter())
        .map(|(name, v)| {
            num_field(
                name,
                format::Num::of(format::metric_value(name, Some(*v)), Some(*v)),
            )
        })
        .collect()
}

/// Returns a running trial's metrics at its `latest` epoch, each one's tooltip saying so, with
/// the trial's state as `shown` (`running`, or `interrupted` where a kill left it running); a
/// metric last reported before that epoch (`Latest::earlier`) at its own last report, its
/// epoch said beside its value.
fn latest_metric_fields(latest: &Latest, shown: &str) -> Vec<Field> {
    latest
        .metrics
        .iter()
        .map(|(name, v)| {
            let num = format::Num::of(format::metric_value(name, Some(*v)), Some(*v));
            let value = match latest.earlier.get(name) {
                Some(at) => format!("{} (epoch {at})", num.text),
                None => num.text.clone(),
            };
            Field {
                full: format::latest_tooltip(&num, latest, name, shown),
                ..field(name, value)
            }
        })
        .collect()
}

/// Returns the training knobs of a trial: each one's value, whether it was searched, fixed or
/// the default, and whether it does nothing in this trial.
fn knob_fields(spec: Option<&ExperimentSpec>, trial: &Trial) -> Vec<Field> {
    let idle = spec.map_or_else(Vec::new, |s| {
        experiment::idle_knobs(&s.fixed, &trial.params, s.model.kind)
    });
    KNOBS
        .iter()
        .map(|knob| {
            let (value, from) = match (
                trial.params.get(knob.name),
                spec.and_then(|s| s.fixed.get(knob.name)),
            ) {
                (Some(v), _) => (v.to_string(), "searched".to_string()),
                (None, Some(v)) => (v.to_string(), "fixed in the spec".to_string()),
                (None, None) => (default_text(knob.default), "default".to_string()),
            };
            // A searched parameter whose `when:` did not hold in this trial was not drawn: its
            // knob kept the spec's or the default value, which is not a value the search chose.
            let from = match spec
                .and_then(|s| s.space.param(knob.name))
                .and_then(|p| p.condition.as_ref())
                .filter(|c| !trial.params.contains_key(knob.name) && !c.holds(&trial.params))
            {
                Some(condition) => format!(
                    "searched, not drawn: its condition ({}) did not hold, so the {from} value",
                    condition_text(condition)
                ),
                None => from,
            };
            let why = idle
                .iter()
                .find(|(k, _)| *k == knob.name)
                .map(|(_, why)| why);
            Field {
                name: knob.name.into(),
                value,
                note: match why {
                    Some(why) => format!("{from}; does nothing here: {}", why.replace('`', "")),
                    None => from,
                },
                idle: why.is_some(),
                link: Default::default(),
                full: String::new(),
            }
        })
        .collect()
}

/// Returns a chart per metric of a trial, the objective's first, each marking its best epoch;
/// a trial still running, while its sweep runs, has its curves so far drawn dashed and said to
/// be so (not one a kill left running, where no sweep runs: its page reads `interrupted`).
fn metric_charts(
    info: &ExperimentInfo,
    spec: Option<&ExperimentSpec>,
    trial: &Trial,
    metrics: &BTreeMap<String, Series>,
) -> Vec<MetricChart> {
    let id = trial.id.0;
    let task = charts::Task::of(spec, metrics.keys().map(String::as_str));
    let emphasis = if trial.state == TrialState::Running && info.status == ExperimentStatus::Running
    {
        Emphasis::RunningColour(0)
    } else {
        Emphasis::Colour(0)
    };
    let objectives = info.objectives(spec);
    format::metric_order(&info.objective, metrics.keys().map(String::as_str))
        .into_iter()
        .filter_map(|name| metrics.get_key_value(name))
        .map(|(name, series)| {
            let points = series.iter().map(|(s, v)| (f64::from(s.0), *v)).collect();
            let curve = Curve {
                label: format!("trial {id}"),
                points,
                emphasis,
                best: super::best_epoch(trial),
                href: None,
                note: String::new(),
            };
            MetricChart {
                name: name.clone(),
                svg: charts::curves(
                    &[curve],
                    (540, 280),
                    ("epoch", &charts::metric_title(name, task)),
                    super::metric_goal(&objectives, name),
                    "",
                    &no_points(series.iter().map(|(_, v)| *v)),
                ),
            }
        })
        .collect()
}

/// Returns what a metric's chart says in place of a curve where it has none to draw, from the
/// values recorded: that none was recorded yet, or how many were and that none is a number
/// (`2 points recorded, none a number (NaN)`, as an R² of constant targets is), or none finite.
fn no_points(values: impl Iterator<Item = f64>) -> String {
    let values: Vec<f64> = values.collect();
    if values.is_empty() {
        return "no points recorded yet".to_string();
    }
    let recorded = experiment::counted(
        u64::try_from(values.len()).unwrap_or(u64::MAX),
        "point recorded",
        "points recorded",
    );
    if values.iter().all(|v| v.is_nan()) {
        format!("{recorded}, none a number (NaN)")
    } else {
        format!("{recorded}, none finite (NaN or infinite)")
    }
}

/// Returns a field of a trial's page with its `name` and `value` alone.
fn field(name: &str, value: String) -> Field {
    Field {
        name: name.into(),
        value,
        full: String::new(),
        note: String::new(),
        idle: false,
        link: Default::default(),
    }
}

/// Returns a field of a trial's page with a number, its full value kept for the tooltip.
fn num_field(name: &str, value: format::Num) -> Field {
    Field {
        full: value.full,
        ..field(name, value.text)
    }
}

fn default_text(d: KnobDefault) -> String {
    match d {
        KnobDefault::Float(x) => ParamValue::Float(x).to_string(),
        KnobDefault::Int(i) => i.to_string(),
        KnobDefault::Str(s) => s.to_string(),
        KnobDefault::Bool(b) => b.to_string(),
    }
}

/// Returns a `when:` condition as words, as `regularization = dropout` or `optimizer in sgd,
/// adamw`, its tests joined by `and`.
fn condition_text(condition: &experiment::Condition) -> String {
    let tests: Vec<String> = condition
        .when
        .iter()
        .map(|(name, values)| match values.as_slice() {
            [one] => format!("{name} = {one}"),
            many => {
                let list: Vec<String> = many.iter().map(ToString::to_string).collect();
                format!("{name} in {}", list.join(", "))
            }
        })
        .collect();
    tests.join(" and ")
}

#[cfg(test)]
mod tests;
