//! `sweep show EXPERIMENT`: an experiment's page (its summary, the command that resumes it
//! where it stopped early, its record, importance, leaderboard and test result), its JSON, or
//! its stored spec's YAML alone (`--spec`), to run again unchanged.

use std::io::Write;

use anyhow::bail;
use experiment::{rank_trials, Trial};
use store::{RUN_RECORD, TEST_RESULT, WARM_START};

use super::records::{readable_record, LEFT_OUT_WITHOUT_RECORD};
use super::{stored_spec, traced_trials, Traced};
use crate::args::{ShowArgs, ShowFormat};
use crate::commands::{find_experiment, open_store, StoreMode};
use crate::output;
use crate::Outcome;

/// `sweep show`: an experiment's page, or one trial's, or several trials side by side.
pub(crate) fn show(args: &ShowArgs) -> anyhow::Result<Outcome> {
    let trials = args.what.iter().filter(|w| w.contains('/')).count();
    match (args.what.as_slice(), trials) {
        ([experiment], 0) => show_experiment(args, experiment),
        (what, n) if n == what.len() => super::trial::show_trials(args, what),
        _ => bail!(
            "give one experiment (`sweep show quickstart`), or trials as EXPERIMENT/NUMBER \
             (`sweep show quickstart/3`, or several to compare them: `sweep show quickstart/3 \
             quickstart/7`), found: {}{}",
            args.what.join(" "),
            if trials == 0 {
                "; experiments are compared side by side on the dashboard (`sweep serve`, then \
                 tick them on its list)"
            } else {
                ""
            }
        ),
    }
}

/// `sweep show EXPERIMENT`: its summary, importance, leaderboard and test result.
fn show_experiment(args: &ShowArgs, name: &str) -> anyhow::Result<Outcome> {
    if args.record && args.format == ShowFormat::Json {
        bail!(
            "--record prints the record for people and has no JSON; give one of --record and \
             --format json"
        );
    }
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, name)?;
    let Traced {
        trials,
        kept,
        cut_epochs,
    } = traced_trials(&store, &info.name)?;
    let record = readable_record(
        RUN_RECORD,
        &info.name,
        store.run_record(&info.name),
        LEFT_OUT_WITHOUT_RECORD,
        args.record,
    )?;
    let warm = readable_record(
        WARM_START,
        &info.name,
        store.warm_start(&info.name),
        "the trials it took from another experiment (its warm start) are not shown below",
        false,
    )?;
    let test = readable_record(
        TEST_RESULT,
        &info.name,
        store.test_result(&info.name),
        "its best trial's result on the test split is not shown below",
        false,
    )?;
    let mut out = std::io::stdout().lock();
    // The stored spec names the sampler and pruner, and holds the constraints and every
    // objective: one stored by an older version that no longer parses loses them here, which
    // is said rather than ranking the trials as if it had none.
    let spec = stored_spec(
        &info,
        "its constraints, its objectives past the first and its sampler's settings are not \
         shown or applied below",
    );
    let mut effort = store.effort(&info.name, &info.objective, spec.as_ref(), &trials)?;
    for epochs in cut_epochs {
        effort.add_cut(epochs);
    }
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    let objectives = info.objectives(spec.as_ref());
    let best = experiment::best_trial(&trials, &objectives, constraints);
    let summary = (trials.as_slice(), best, kept.as_slice());
    let top = args.top.unwrap_or(crate::args::SHOW_TOP);
    if args.format == ShowFormat::Json {
        // The whole answer; the records' notes went to standard error.
        let board: Vec<Trial> = (rank_trials(&trials, &objectives, constraints).into_iter())
            .take(top)
            .cloned()
            .collect();
        let judged = experiment::Judged::of(spec.as_ref(), &trials, &effort);
        output::experiment_json(
            &mut out,
            (&info, spec.as_ref()),
            (&trials, &kept),
            &board,
            (&judged, &objectives),
        )?;
        return Ok(Outcome::Success);
    }
    output::experiment_header(&mut out, &info, spec.as_ref(), summary, &effort)?;
    if let Ok(Some(warm)) = &warm {
        writeln!(out, "warm start  {}", warm.describe())?;
    }
    match &record {
        Ok(record) => {
            output::run_record(&mut out, (record.as_ref(), args.record), spec.as_ref())?;
            if let Some(record) = record.as_ref().filter(|_| args.record) {
                output::run_record_details(&mut out, record)?;
            }
        }
        Err(_) => output::run_record_unreadable(&mut out)?,
    }
    let importance: Vec<_> = objectives
        .iter()
        .map(|o| {
            let shares = dashboard::param_importance(spec.as_ref(), &trials, o);
            (o.name.clone(), shares)
        })
        .collect();
    output::importance(&mut out, &importance)?;
    let ranked = rank_trials(&trials, &objectives, constraints);
    output::leaderboard(&mut out, &ranked, &objectives, constraints, top)?;
    crate::commands::tested::show(
        &mut out,
        &store,
        &info.name,
        test.ok().flatten(),
        best.map(|t| t.id),
    )?;
    Ok(Outcome::Success)
}
