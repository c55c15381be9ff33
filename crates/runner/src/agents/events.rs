//! Another agent's journal events: checked as what that agent could have written (its own
//! trials, parameters in the study's space, results its reports give) and written into this
//! agent's store as it wrote them into its own.

use std::collections::BTreeMap;

use experiment::{ExperimentSpec, ParamValue, Params, Trial};
use store::{JournalEvent, Polled, Store};

use super::owner;
use crate::{Error, Result};

/// Returns an error when the event `heard`, read from an agent's journal (of `agents`), is not
/// one that agent could have written: about a trial another agent runs (`Error::StrayTrial`),
/// or one `in_space` or `result_given` refuses.
pub(crate) fn check_event(
    spec: &ExperimentSpec,
    store: &Store,
    agents: u32,
    heard: &Polled,
) -> Result<()> {
    check_trial(spec, agents, heard)?;
    result_given(spec, store, heard)
}

/// Returns an error when the event `heard`, read from an agent's journal (of `agents`), is
/// about a trial another agent runs (`Error::StrayTrial`), or one `in_space` refuses: the
/// checks of `check_event` that read nothing from the store.
pub(super) fn check_trial(spec: &ExperimentSpec, agents: u32, heard: &Polled) -> Result<()> {
    let Polled {
        agent,
        event,
        path,
        line,
    } = heard;
    if let Some(id) = event.trial().filter(|id| owner(*id, agents) != *agent) {
        return Err(Error::StrayTrial {
            journal: path.clone(),
            line: *line,
            agent: *agent,
            trial: id,
            owner: owner(id, agents),
        });
    }
    in_space(spec, heard)
}

/// Returns an error when the event `heard`, from an agent's journal, gives a trial parameters
/// that are not a point of the study's space (`Error::StrayParams`): a hand-edited or damaged
/// line. No agent's sampler gives those parameters; taken as the study's, they would mislead
/// every later suggestion.
pub(super) fn in_space(spec: &ExperimentSpec, heard: &Polled) -> Result<()> {
    let (JournalEvent::Start(trial, _) | JournalEvent::Finish(trial, _)) = &heard.event else {
        return Ok(());
    };
    match spec.space.not_a_point(&trial.params) {
        Some(problem) => Err(Error::StrayParams {
            journal: heard.path.clone(),
            line: heard.line,
            agent: heard.agent,
            trial: trial.id,
            problem,
        }),
        None => Ok(()),
    }
}

/// Returns an error when the event `heard`, from an agent's journal, ends a trial with a result
/// its reports, already in `store`, do not give (`Error::StrayResult`): a hand-edited or damaged
/// line. No agent's trial gives that result; taken as the study's, it would mislead every later
/// suggestion and the ranking. Reads the trial's curves from the store.
pub(super) fn result_given(spec: &ExperimentSpec, store: &Store, heard: &Polled) -> Result<()> {
    let JournalEvent::Finish(trial, _) = &heard.event else {
        return Ok(());
    };
    match result_problem(spec, trial, &store.all_metric_series(&spec.name, trial.id)?) {
        Some(problem) => Err(Error::StrayResult {
            journal: heard.path.clone(),
            line: heard.line,
            trial: trial.id,
            problem,
        }),
        None => Ok(()),
    }
}

/// Returns an error when `heard`, another agent's journal line ending `trial`, no longer says
/// what this agent stored from it (`stored`): the line was edited since (`Error::StrayResult`).
/// Bit for bit, as journals carry floats exactly; reads nothing from the store.
pub(super) fn unchanged_end(stored: &Trial, trial: &Trial, heard: &Polled) -> Result<()> {
    match changed_end(stored, trial) {
        Some(problem) => Err(Error::StrayResult {
            journal: heard.path.clone(),
            line: heard.line,
            trial: trial.id,
            problem: format!("{problem}, as this agent stored it from this line"),
        }),
        None => Ok(()),
    }
}

/// Returns how the end of a trial, `trial`, differs from the record `stored` (bit for bit),
/// if it does.
fn changed_end(stored: &Trial, trial: &Trial) -> Option<String> {
    match (&stored.result, &trial.result) {
        (Some(was), Some(now)) => {
            if was.best_step != now.best_step {
                return Some(format!(
                    "its best step is epoch {}, where it was epoch {}",
                    now.best_step, was.best_step
                ));
            }
            let names: std::collections::BTreeSet<&String> =
                was.metrics.keys().chain(now.metrics.keys()).collect();
            for name in names {
                let (was, now) = (was.metrics.get(name), now.metrics.get(name));
                if was.map(|v| v.to_bits()) != now.map(|v| v.to_bits()) {
                    let shown = |v: Option<&f64>| v.map_or("missing".to_string(), f64::to_string);
                    return Some(format!(
                        "`{name}` is {} at its best step, where it was {}",
                        shown(now),
                        shown(was)
                    ));
                }
            }
        }
        (None, None) => {}
        (was, _) => {
            let has = |r: &Option<experiment::TrialResult>| if r.is_some() { "a" } else { "no" };
            return Some(format!(
                "it has {} result, where it had {}",
                has(&trial.result),
                has(was)
            ));
        }
    }
    let same_param = |a: &ParamValue, b: &ParamValue| match (a, b) {
        (ParamValue::Float(a), ParamValue::Float(b)) => a.to_bits() == b.to_bits(),
        _ => a == b,
    };
    let same_params = stored.params.len() == trial.params.len()
        && stored
            .params
            .iter()
            .zip(&trial.params)
            .all(|((n, a), (m, b))| n == m && same_param(a, b));
    if !same_params {
        return Some("its parameters differ from those it had".to_string());
    }
    // The rest holds no float.
    let rest = |t: &Trial| Trial {
        params: Params::new(),
        result: None,
        ..t.clone()
    };
    (rest(stored) != rest(trial)).then(|| {
        "its record differs from the one it had in its seed, state, reason or times".to_string()
    })
}

/// Returns what is wrong with ended `trial`'s result against its reported `curves` (every
/// metric's points, by name), if anything: the result is its best step's report, so each of
/// its metrics that was reported must have that value at that step (bit for bit: journals
/// carry floats exactly), the objective's among them, and a result needs a report at all.
fn result_problem(
    spec: &ExperimentSpec,
    trial: &Trial,
    curves: &BTreeMap<String, Vec<(experiment::Step, f64)>>,
) -> Option<String> {
    let result = trial.result.as_ref().filter(|r| !r.metrics.is_empty())?;
    let step = result.best_step;
    if curves.values().all(Vec::is_empty) {
        return Some(format!(
            "its best step is epoch {step}, but the journal reports none of its epochs"
        ));
    }
    let objective = &spec.metric.name;
    if result.metrics.contains_key(objective) && curves.get(objective).is_none_or(Vec::is_empty) {
        return Some(format!(
            "its `{objective}` is {}, but the journal reports no `{objective}` of it",
            result.metrics[objective]
        ));
    }
    for (name, value) in &result.metrics {
        let Some(curve) = curves.get(name).filter(|c| !c.is_empty()) else {
            continue;
        };
        match curve.iter().find(|(s, _)| *s == step) {
            Some((_, reported)) if reported.to_bits() == value.to_bits() => {}
            Some((_, reported)) => {
                return Some(format!(
                    "`{name}` is {value} at its best step, epoch {step}, where the journal \
                     reports {reported}"
                ))
            }
            None => {
                return Some(format!(
                    "its best step is epoch {step}, where the journal reports no `{name}`"
                ))
            }
        }
    }
    None
}

/// Writes what another agent's `event` says into `store`, under experiment `name`, as that
/// agent wrote it into its own: a trial started (from scratch), a report, a trial's end, the
/// test split's result, the warm start (into a store without one: a follower's). Skips and
/// aborts change nothing stored.
pub(crate) fn record(store: &Store, name: &str, event: &JournalEvent) -> Result<()> {
    match event {
        JournalEvent::Start(trial, trace) => {
            store.clear_metrics(name, trial.id)?;
            store.put_trial_traced(name, trial, trace)?;
        }
        JournalEvent::Report {
            trial,
            step,
            metrics,
        } => store.append_metrics(name, *trial, *step, metrics)?,
        JournalEvent::Finish(trial, trace) => {
            store.put_trial_traced(name, trial, trace)?;
            store.flush()?;
        }
        JournalEvent::Tested(result) if !result.metrics.is_empty() => {
            store.put_test_result(name, result)?;
            store.flush()?;
        }
        JournalEvent::Warm(warm) => {
            if !store.has_warm_start(name)? {
                store.put_warm_start(name, warm)?;
            }
        }
        JournalEvent::Tested(_) | JournalEvent::Skip(_) | JournalEvent::Abort(_) => {}
    }
    Ok(())
}
