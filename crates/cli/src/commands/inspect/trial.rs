//! `sweep show EXPERIMENT/NUMBER...`: one trial's page in full, or several trials side by
//! side.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use anyhow::bail;
use experiment::{ExperimentSpec, FrontStanding, Trial, TrialId};
use store::{Store, TestResult, TrialTrace, TEST_RESULT};

use super::records::readable_record;
use super::stored_spec;
use crate::args::{ShowArgs, ShowFormat};
use crate::commands::{find_experiment, open_store, parse_trial, store_flag, StoreMode};
use crate::output;
use crate::Outcome;

/// `sweep show EXPERIMENT/NUMBER...`: one trial in full, or several side by side.
pub(super) fn show_trials(args: &ShowArgs, what: &[String]) -> anyhow::Result<Outcome> {
    // Flags of an experiment's page are refused rather than ignored.
    let flag = match (args.record, args.top, args.spec) {
        (true, _, _) => Some("--record"),
        (false, Some(_), _) => Some("--top"),
        (false, None, true) => Some("--spec"),
        (false, None, false) => None,
    };
    if let Some(flag) = flag {
        bail!(
            "{flag} is for an experiment (`sweep show EXPERIMENT {flag}...`); a trial's page \
             shows the trial in full"
        );
    }
    if args.format == ShowFormat::Json {
        bail!("{}", trial_json_refused(what, &args.store.store));
    }
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let mut found = Vec::new();
    let mut named = Vec::new();
    // Every trial of each experiment with several objectives shown, read once for its front.
    let mut studies: BTreeMap<&str, Vec<Trial>> = BTreeMap::new();
    // Each experiment's stored spec, read (and a spec that does not read said) once.
    let mut specs: BTreeMap<&str, Option<ExperimentSpec>> = BTreeMap::new();
    // Each experiment's test result, read (and one that does not read said) once.
    let mut tested: BTreeMap<&str, Option<TestResult>> = BTreeMap::new();
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
        let (trial, trace) = find_trial(&store, name, number)?;
        let curves = store.all_metric_series(name, trial.id)?;
        let checkpoint = store.checkpoint_at(name, trial.id)?;
        let test = match tested.entry(name) {
            Entry::Occupied(read) => read.into_mut(),
            Entry::Vacant(unread) => unread.insert(
                readable_record(
                    TEST_RESULT,
                    name,
                    store.test_result(name),
                    "whether its trials were measured on the test split, and how they did \
                     there, are not shown below",
                    false,
                )?
                .ok()
                .flatten(),
            ),
        };
        let test = test.clone().filter(|r| r.trial == trial.id);
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
        found.push((info, spec, (trial, trace), curves, checkpoint, test, front));
    }
    let shown: Vec<output::Shown<'_>> = found
        .iter()
        .map(
            |(info, spec, (trial, trace), curves, checkpoint, test, front)| output::Shown {
                info,
                spec: spec.as_ref(),
                trial,
                trace,
                curves,
                checkpoint: *checkpoint,
                test: test.as_ref(),
                front: *front,
            },
        )
        .collect();
    let mut out = crate::standard_output::lock();
    match shown.as_slice() {
        [one] => {
            let dir = args.store.store.display().to_string();
            output::trial_card(&mut out, one, &dir)?;
        }
        several => output::trials_side_by_side(&mut out, several)?,
    }
    Ok(Outcome::Success)
}

/// Says that `sweep show EXPERIMENT/NUMBER --format json` is refused, and which command
/// writes the first trial named in `what` as JSON instead, on the store at `store`: a trial's
/// card holds its curves, its checkpoint and its test result, which the rows of `sweep trials
/// --format json` do not.
fn trial_json_refused(what: &[String], store: &std::path::Path) -> String {
    let (name, number) = match what.iter().find_map(|w| parse_trial(w).ok()) {
        Some((name, number)) => (output::shell_word(name), number.to_string()),
        None => ("EXPERIMENT".to_string(), "NUMBER".to_string()),
    };
    format!(
        "--format json is for an experiment (`sweep show EXPERIMENT --format json`); a trial's \
         row, with its rank, is written by `sweep trials {name} --format json --filter \
         \"trial = {number}\"{}`",
        store_flag(store)
    )
}

/// Returns trial `number` of `experiment` with its trace, reading its record once, or an
/// error that says which trials it has.
fn find_trial(store: &Store, experiment: &str, number: u32) -> anyhow::Result<(Trial, TrialTrace)> {
    if let Some(traced) = store.trial_traced(experiment, TrialId(number))? {
        return Ok(traced);
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
