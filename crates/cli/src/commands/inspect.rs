//! `sweep ls`, `sweep show` and `sweep trials`: read-only views of a store.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::io::Write;

use anyhow::bail;
use experiment::{rank_trials, ExperimentSpec, FrontStanding, Trial, TrialId, TrialOrder};
use store::{ExperimentInfo, RunRecord, Store};

use super::{find_experiment, open_store, parse_trial, StoreMode};
use crate::args::{Format, ShowArgs, StoreArgs, TrialsArgs};
use crate::output;
use crate::Outcome;

pub(crate) fn ls(args: &StoreArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store, StoreMode::Existing)?;
    let mut rows = Vec::new();
    let mut specs = Vec::new();
    for info in store.experiments()? {
        let trials = store.trials(&info.name)?;
        specs.push(stored_spec(&info, LEFT_OUT_BELOW));
        rows.push((info, trials));
    }
    output::experiments_with(&mut std::io::stdout().lock(), &rows, &specs)?;
    Ok(Outcome::Success)
}

/// What a table ranked without a stored spec that does not read leaves out (`stored_spec`).
pub(crate) const LEFT_OUT_BELOW: &str =
    "its constraints and its objectives past the first are not shown or applied below";

/// What trials written as CSV or JSON without a stored spec that does not read leave out
/// (`stored_spec`): the columns `experiment::trials_csv` takes from the spec.
pub(crate) const LEFT_OUT_OF_COLUMNS: &str =
    "its constraints, its objectives past the first and where each trial's parameters came \
     from are left out (no feasible or pareto column, no source)";

/// Returns `info`'s stored spec, parsed again; one that no longer reads with this version
/// (stored by an older one) is `None`, said on standard error with what that leaves out of
/// what the command writes, `left_out`, rather than ranking its trials silently without its
/// constraints and further objectives. The command goes on.
pub(crate) fn stored_spec(info: &ExperimentInfo, left_out: &str) -> Option<ExperimentSpec> {
    match info.spec() {
        Ok(spec) => Some(spec),
        Err(e) => {
            say!(
                "note: `{}`'s stored spec does not read with this version of Sweep, so {left_out}: \
                 {}",
                output::visible(&info.name),
                output::visible(&e.to_string())
            );
            None
        }
    }
}

/// What `sweep show EXPERIMENT` leaves out without a run record that does not read
/// (`readable_run_record`).
const LEFT_OUT_WITHOUT_RECORD: &str =
    "its record (the Sweep, engine and device it ran with, its git commit, and whether the \
     sampler's and pruner's settings changed since) is not shown below";

/// Returns experiment `name`'s run record as `read` from the store (`None` for one run before
/// records), or, where it does not read with this version (a newer Sweep wrote it, or its bytes
/// do not decode), the store's error, said on standard error with what that leaves out of what
/// the command writes, as `stored_spec` says a spec that does not read: the command goes on
/// without it. With `details` (`--record`, which asks for the record itself) the store's error,
/// which names the experiment and the Sweep to read it with, stops the command, as any other.
fn readable_run_record(
    name: &str,
    read: store::Result<Option<RunRecord>>,
    details: bool,
) -> anyhow::Result<Result<Option<RunRecord>, String>> {
    match read {
        Ok(record) => Ok(Ok(record)),
        Err(
            e @ (store::Error::RecordVersion {
                what: "run record", ..
            }
            | store::Error::Corrupt {
                what: "run record", ..
            }),
        ) if !details => {
            say!(
                "note: `{}`'s run record does not read with this version of Sweep, so \
                 {LEFT_OUT_WITHOUT_RECORD}: {}",
                output::visible(name),
                output::visible(&e.to_string())
            );
            Ok(Err(e.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn show(args: &ShowArgs) -> anyhow::Result<Outcome> {
    let trials = args.what.iter().filter(|w| w.contains('/')).count();
    match (args.what.as_slice(), trials) {
        ([experiment], 0) => show_experiment(args, experiment),
        (what, n) if n == what.len() => show_trials(args, what),
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
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, name)?;
    let trials = store.trials(&info.name)?;
    let record = readable_run_record(&info.name, store.run_record(&info.name), args.record)?;
    let mut out = std::io::stdout().lock();
    // The stored spec names the sampler and pruner, and holds the constraints and every
    // objective: one stored by an older version that no longer parses loses them here, which
    // is said rather than ranking the trials as if it had none.
    let spec = stored_spec(
        &info,
        "its constraints, its objectives past the first and its sampler's settings are not \
         shown or applied below",
    );
    let effort = store.effort(&info.name, &info.objective, spec.as_ref(), &trials)?;
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    let objectives = info.objectives(spec.as_ref());
    let best = experiment::best_trial(&trials, &objectives, constraints);
    output::experiment_header(&mut out, &info, spec.as_ref(), (&trials, best), &effort)?;
    if let Some(warm) = store.warm_start(&info.name)? {
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
    output::leaderboard(
        &mut out,
        &ranked,
        &objectives,
        constraints,
        args.top.unwrap_or(crate::args::SHOW_TOP),
    )?;
    super::tested::show(&mut out, &store, &info.name, best.map(|t| t.id))?;
    Ok(Outcome::Success)
}

/// `sweep show EXPERIMENT/NUMBER...`: one trial in full, or several side by side.
fn show_trials(args: &ShowArgs, what: &[String]) -> anyhow::Result<Outcome> {
    // Flags of an experiment's page are refused rather than ignored.
    let flag = match (args.record, args.top) {
        (true, _) => Some("--record"),
        (false, Some(_)) => Some("--top"),
        (false, None) => None,
    };
    if let Some(flag) = flag {
        bail!(
            "{flag} is for an experiment (`sweep show EXPERIMENT {flag}...`); a trial's page \
             shows the trial in full"
        );
    }
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let mut found = Vec::new();
    let mut named = Vec::new();
    // Every trial of each experiment with several objectives shown, read once for its front.
    let mut studies: BTreeMap<&str, Vec<Trial>> = BTreeMap::new();
    // Each experiment's stored spec, read (and a spec that does not read said) once.
    let mut specs: BTreeMap<&str, Option<ExperimentSpec>> = BTreeMap::new();
    for text in what {
        let (name, number) = parse_trial(text)?;
        // A trial named twice is shown once, as the dashboard's compare page does.
        if named.contains(&(name, number)) {
            continue;
        }
        named.push((name, number));
        let info = find_experiment(&store, name)?;
        let spec = specs
            .entry(name)
            .or_insert_with(|| {
                stored_spec(
                    &info,
                    "its constraints, its objectives past the first and where its trials' \
                     parameters came from are not shown below",
                )
            })
            .clone();
        let trial = find_trial(&store, name, number)?;
        let curves = store.all_metric_series(name, trial.id)?;
        let checkpoint = store.checkpoint_at(name, trial.id)?;
        let test = store.test_result(name)?.filter(|r| r.trial == trial.id);
        // With several objectives, where it stands against the front of its experiment's trials.
        let front = match spec.as_ref().filter(|s| s.is_multi_objective()) {
            Some(spec) => {
                let all = match studies.entry(name) {
                    Entry::Occupied(read) => read.into_mut(),
                    Entry::Vacant(unread) => unread.insert(store.trials(name)?),
                };
                FrontStanding::of(spec, &spec.pareto_front(all), &trial)
            }
            None => None,
        };
        found.push((info, spec, trial, curves, checkpoint, test, front));
    }
    let shown: Vec<output::Shown<'_>> = found
        .iter()
        .map(
            |(info, spec, trial, curves, checkpoint, test, front)| output::Shown {
                info,
                spec: spec.as_ref(),
                trial,
                curves,
                checkpoint: *checkpoint,
                test: test.as_ref(),
                front: *front,
            },
        )
        .collect();
    let mut out = std::io::stdout().lock();
    match shown.as_slice() {
        [one] => {
            let dir = args.store.store.display().to_string();
            output::trial_card(&mut out, one, &dir)?;
        }
        several => output::trials_side_by_side(&mut out, several)?,
    }
    Ok(Outcome::Success)
}

/// Returns trial `number` of `experiment`, or an error that says which trials it has.
fn find_trial(store: &Store, experiment: &str, number: u32) -> anyhow::Result<Trial> {
    if let Some(trial) = store.trial(experiment, TrialId(number))? {
        return Ok(trial);
    }
    let count = store.trials(experiment)?.len();
    match count {
        0 => bail!("experiment `{experiment}` has no trials yet"),
        n => bail!(
            "experiment `{experiment}` has no trial {number}; its trials are 0 to {}",
            n - 1
        ),
    }
}

pub(crate) fn trials(args: &TrialsArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, &args.experiment)?;
    let trials = store.trials(&info.name)?;
    let left_out = match args.format {
        Format::Table => LEFT_OUT_BELOW,
        Format::Csv | Format::Json => LEFT_OUT_OF_COLUMNS,
    };
    let spec = stored_spec(&info, left_out);
    if let Some(filter) = &args.filter {
        super::check_filter(filter, spec.as_ref(), &trials)?;
    }
    if let Some(key) = &args.sort {
        key.check_names(&trials, spec.as_ref().map(|s| &s.space))
            .map_err(|e| anyhow::anyhow!("--{e}"))?;
    }
    // This command holds the store: no sweep runs it, and a trial left running is interrupted.
    let shown = |t: &Trial| args.filter.as_ref().is_none_or(|f| f.matches(t, false));
    let order = args.sort.clone().map(|key| TrialOrder {
        key,
        descending: args.desc,
    });
    let order = order.as_ref();
    let objectives = info.objectives(spec.as_ref());
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    // CSV and JSON list the kept trials only; the table ranks them among all.
    let kept = || output::kept_in_order(&trials, &shown, order, (&objectives, constraints));
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Table => output::trials_table(
            &mut out,
            &trials,
            (&shown, order),
            (&objectives, spec.as_ref()),
        )?,
        format => {
            // Each trial's epochs: a key read per trial, for these formats only.
            let effort = store.effort(&info.name, &info.objective, spec.as_ref(), &trials)?;
            let judged = experiment::Judged::of(spec.as_ref(), &trials, &effort);
            if matches!(format, Format::Csv) {
                out.write_all(experiment::trials_csv(&kept(), &judged).as_bytes())?;
            } else {
                output::trials_json(&mut out, &kept(), &judged)?;
            }
        }
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_record_of_a_newer_sweep_is_left_out_of_show_unless_asked_for() {
        let newer = || store::Error::RecordVersion {
            what: "run record",
            experiment: Some("digits".into()),
            version: 99,
        };
        let message = "run record of experiment `digits` has version 99, but this sweep reads \
                       versions 1 to 4: a newer sweep wrote it; read it with that sweep or a \
                       later one";
        let left_out =
            readable_run_record("digits", Err(newer()), false).map_err(|e| e.to_string());
        assert_eq!(left_out, Ok(Err(message.to_string())));
        let damaged = store::Error::Corrupt {
            what: "run record",
            detail: "expected value at line 1 column 1".into(),
        };
        assert!(matches!(
            readable_run_record("digits", Err(damaged), false),
            Ok(Err(_))
        ));
        // `--record` asks for the record itself: the store's error stops the command.
        let asked = readable_run_record("digits", Err(newer()), true).map(|_| ());
        assert_eq!(asked.map_err(|e| e.to_string()), Err(message.to_string()));
        // The store's own failures, and another record's, stop it as before.
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(readable_run_record("digits", Err(database), false).is_err());
        let test = store::Error::RecordVersion {
            what: "test result",
            experiment: None,
            version: 2,
        };
        assert!(readable_run_record("digits", Err(test), false).is_err());
        assert!(matches!(
            readable_run_record("digits", Ok(None), false),
            Ok(Ok(None))
        ));
    }
}
