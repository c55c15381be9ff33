//! `sweep ls`, `sweep show` and `sweep trials`: read-only views of a store.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::io::Write;

use anyhow::bail;
use experiment::{
    rank_trials, ExperimentSpec, FrontStanding, Timestamp, Trial, TrialId, TrialOrder,
};
use store::{
    ExperimentInfo, Store, TestResult, TrialTrace, UnreadableRecord, RUN_RECORD, TEST_RESULT,
    WARM_START,
};

use super::{find_experiment, open_store, parse_trial, StoreMode};
use crate::args::{Format, LsArgs, ShowArgs, ShowFormat, TrialsArgs};
use crate::output;
use crate::Outcome;

/// Lists the store's experiments on standard output in `--format`, as a table one per line
/// under a header; a store with none says so on standard error, with the command that fills
/// this store, and writes no table (no header either), a CSV header alone, or `[]`.
pub(crate) fn ls(args: &LsArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let mut rows = Vec::new();
    let mut specs = Vec::new();
    let mut kept = Vec::new();
    for info in store.experiments()? {
        let traced = traced_trials(&store, &info.name)?;
        specs.push(stored_spec(&info, LEFT_OUT_BELOW));
        rows.push((info, traced.trials));
        kept.push(traced.kept);
    }
    if rows.is_empty() {
        say!("no experiments yet; run {}", ls_hint(&args.store.store));
    }
    // As CSV, the header alone; as JSON, `[]`; as a table, nothing.
    let mut out = std::io::stdout().lock();
    output::experiments_kept(&mut out, &rows, &specs, &kept, args.format)?;
    Ok(Outcome::Success)
}

/// Returns the command that fills the store at `store`: `sweep run FILE`, with `--store DIR`
/// where it is not the default one.
fn ls_hint(store: &std::path::Path) -> String {
    format!("`sweep run FILE{}`", super::store_flag(store))
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
/// (`readable_record`).
const LEFT_OUT_WITHOUT_RECORD: &str =
    "its record (the Sweep, engine and device it ran with, its git commit, and whether the \
     sampler's and pruner's settings changed since) is not shown below";

/// Returns experiment `name`'s record of kind `what` (`RUN_RECORD`, `TEST_RESULT`,
/// `WARM_START`) as `read` from the store (`None` for an experiment without one), or, where it
/// does not read (its record version is not one this Sweep reads, as where a newer Sweep wrote
/// it, or its bytes do not decode), the store's error, said on standard error after the
/// experiment's name with what that leaves out of what the command writes, `left_out`, as
/// `stored_spec` says a spec that does not read: the command goes on without it. The store's
/// error says which record and why: the version found and the versions this one reads, and
/// where the version is past them that a newer Sweep wrote it (not which Sweep), or what in the
/// bytes does not decode. With `details` (`--record`, which asks for the run record itself)
/// that error stops the command; any other error, a record of another kind's included, does.
fn readable_record<T>(
    what: &'static str,
    name: &str,
    read: store::Result<Option<T>>,
    left_out: &str,
    details: bool,
) -> anyhow::Result<Result<Option<T>, String>> {
    match read {
        Ok(record) => Ok(Ok(record)),
        Err(e) => match unreadable_note(what, name, &e, left_out) {
            Some(note) if !details => {
                say!("{note}");
                Ok(Err(e.to_string()))
            }
            _ => Err(e.into()),
        },
    }
}

/// The note `readable_record` writes where `error` is experiment `name`'s record of kind `what`
/// not reading: one a newer Sweep wrote does not read with this version, damaged bytes read
/// with none. `None` for any other error.
fn unreadable_note(what: &str, name: &str, error: &store::Error, left_out: &str) -> Option<String> {
    let why = match error.unreadable_record(what)? {
        UnreadableRecord::Version => "does not read with this version of Sweep",
        UnreadableRecord::Damaged => "is damaged (its stored bytes do not decode)",
    };
    Some(format!(
        "note: `{}`'s {what} {why}, so {left_out}: {}",
        output::visible(name),
        output::visible(&error.to_string())
    ))
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
        let specs = [spec.clone()];
        let row = [(info.clone(), trials.clone())];
        // FIXME: `output` exports no writer of this object (`output.rs` is another's to
        // change), so it is put together from `sweep ls`'s object of the experiment and
        // `sweep trials`' rows of the leaderboard, read back exactly (`float_roundtrip`).
        let mut listed = Vec::new();
        output::experiments_kept(
            &mut listed,
            &row,
            &specs,
            std::slice::from_ref(&kept),
            Format::Json,
        )?;
        let mut rows = Vec::new();
        output::trials_json(&mut rows, &board, &judged, (&trials, &objectives))?;
        let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed)?;
        let shown = serde_json::json!({
            "experiment": listed.into_iter().next(),
            "leaderboard": serde_json::from_slice::<serde_json::Value>(&rows)?,
        });
        serde_json::to_writer_pretty(&mut out, &shown)?;
        writeln!(out)?;
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
    super::tested::show(
        &mut out,
        &store,
        &info.name,
        test.ok().flatten(),
        best.map(|t| t.id),
    )?;
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
        super::store_flag(store)
    )
}

/// A span of work, from its start to its end.
type Span = (Timestamp, Timestamp);

/// The trials of an experiment with what their records keep beside them (`traced_trials`).
struct Traced {
    trials: Vec<Trial>,
    /// The spans of work the traces keep (`store::TrialTrace::spans`: attempts cut off, a
    /// killed trial's start to its last report), which its busy time counts.
    kept: Vec<Span>,
    /// The epochs of each attempt cut off (`Effort::add_cut`).
    cut_epochs: Vec<u32>,
}

/// Returns the trials of `experiment` with what their records keep beside them, read in one
/// scan; this process holds the store, so no sweep runs it.
fn traced_trials(store: &Store, experiment: &str) -> anyhow::Result<Traced> {
    let mut kept = Vec::new();
    let mut cut_epochs = Vec::new();
    let trials = (store.traced_trials(experiment)?.into_iter())
        .map(|(trial, trace)| {
            kept.extend(trace.spans(&trial, false));
            cut_epochs.extend(trace.cut.iter().map(|attempt| attempt.epochs));
            trial
        })
        .collect();
    Ok(Traced {
        trials,
        kept,
        cut_epochs,
    })
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

pub(crate) fn trials(args: &TrialsArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, &args.experiment)?;
    // With their traces: the table's duration of a trial a kill left running runs to its last
    // report, as `sweep show` and the dashboard say, and `--sort duration` sorts by it.
    let traced = store.traced_trials(&info.name)?;
    let trials: Vec<Trial> = traced.iter().map(|(t, _)| t.clone()).collect();
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
            &traced,
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
                output::trials_json(&mut out, &kept(), &judged, (&trials, &objectives))?;
            }
        }
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `readable_record` for a run record, as `sweep show EXPERIMENT` reads it.
    fn readable_run_record(
        read: store::Result<Option<store::RunRecord>>,
        details: bool,
    ) -> anyhow::Result<Result<Option<store::RunRecord>, String>> {
        readable_record(RUN_RECORD, "digits", read, LEFT_OUT_WITHOUT_RECORD, details)
    }

    #[test]
    fn issue_an_empty_stores_hint_names_that_store() {
        // `sweep ls --store runs` said to `sweep run FILE`, which fills `.sweep` instead.
        assert_eq!(ls_hint(std::path::Path::new(".sweep")), "`sweep run FILE`");
        assert_eq!(
            ls_hint(std::path::Path::new("my runs")),
            "`sweep run FILE --store 'my runs'`"
        );
    }

    #[test]
    fn a_run_record_of_a_newer_sweep_is_left_out_of_show_unless_asked_for() {
        let newer = || store::Error::RecordVersion {
            what: "run record",
            experiment: Some("digits".into()),
            version: 99,
        };
        let message = "run record of experiment `digits` has version 99, but this sweep reads \
                       versions 1 to 5: a newer sweep wrote it; read it with that sweep or a \
                       later one";
        let left_out = readable_run_record(Err(newer()), false).map_err(|e| e.to_string());
        assert_eq!(left_out, Ok(Err(message.to_string())));
        let damaged = store::Error::Corrupt {
            what: "run record",
            detail: "expected value at line 1 column 1".into(),
        };
        assert!(matches!(
            readable_run_record(Err(damaged), false),
            Ok(Err(_))
        ));
        // `--record` asks for the record itself: the store's error stops the command.
        let asked = readable_run_record(Err(newer()), true).map(|_| ());
        assert_eq!(asked.map_err(|e| e.to_string()), Err(message.to_string()));
        // The store's own failures, and another record's, stop it as before.
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(readable_run_record(Err(database), false).is_err());
        let test = store::Error::RecordVersion {
            what: "test result",
            experiment: None,
            version: 2,
        };
        assert!(readable_run_record(Err(test), false).is_err());
        assert!(matches!(readable_run_record(Ok(None), false), Ok(Ok(None))));
    }

    /// A record of kind `what` that a newer Sweep wrote, and one whose bytes do not decode.
    fn unreadable(what: &'static str) -> [store::Error; 2] {
        [
            store::Error::RecordVersion {
                what,
                experiment: Some("digits".into()),
                version: 99,
            },
            store::Error::Corrupt {
                what,
                detail: "expected value at line 1 column 1".into(),
            },
        ]
    }

    #[test]
    fn a_test_result_or_warm_start_that_does_not_read_is_left_out_of_show() {
        for e in unreadable(TEST_RESULT) {
            let message = e.to_string();
            let read = readable_record::<TestResult>(TEST_RESULT, "digits", Err(e), "x", false);
            assert_eq!(read.map_err(|e| e.to_string()), Ok(Err(message)));
        }
        for e in unreadable(WARM_START) {
            let message = e.to_string();
            let read = readable_record::<experiment::WarmStarted>(
                WARM_START,
                "digits",
                Err(e),
                "x",
                false,
            );
            assert_eq!(read.map_err(|e| e.to_string()), Ok(Err(message)));
        }
        // Another kind's record, or the store's own failure, still stops the command.
        for e in unreadable(RUN_RECORD) {
            assert!(
                readable_record::<TestResult>(TEST_RESULT, "digits", Err(e), "x", false).is_err()
            );
        }
        for e in unreadable(TEST_RESULT) {
            let read = readable_record::<experiment::WarmStarted>(
                WARM_START,
                "digits",
                Err(e),
                "x",
                false,
            );
            assert!(read.is_err());
        }
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(
            readable_record::<TestResult>(TEST_RESULT, "digits", Err(database), "x", false)
                .is_err()
        );
    }

    #[test]
    fn a_damaged_record_is_not_said_to_be_of_another_version() {
        let [newer, damaged] = unreadable(TEST_RESULT);
        let note = |e: &store::Error| unreadable_note(TEST_RESULT, "digits", e, "it is not shown");
        let newer = note(&newer).unwrap_or_default();
        assert!(
            newer.starts_with(
                "note: `digits`'s test result does not read with this version of Sweep, so it \
                 is not shown: test result of experiment `digits` has version 99"
            ),
            "{newer}"
        );
        let damaged = note(&damaged).unwrap_or_default();
        assert_eq!(
            damaged,
            "note: `digits`'s test result is damaged (its stored bytes do not decode), so it is \
             not shown: corrupt test result in store: expected value at line 1 column 1"
        );
        assert!(!damaged.contains("version"), "{damaged}");
    }
}
