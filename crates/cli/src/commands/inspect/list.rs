//! `sweep ls`: the experiments of a store, in the order of a column (`--sort`, `--desc`) and
//! kept by name or status (`--name`, `--status`), by the rule of the dashboard's list and
//! `/api/experiments` (`experiment::list_order`, `experiment::name_matches`), the same for
//! every `--format`. Without `--sort` it lists oldest first, the store's order, which leaves
//! the newest nearest the prompt in a terminal; `--desc` alone lists newest first, as the
//! dashboard does.

use experiment::{list_order, name_matches, ListedExperiment, Timestamp, Trial, TrialState};
use store::{ExperimentInfo, ExperimentStatus, Store, TestResult, TEST_RESULT};

use super::records::readable_record;
use super::show::resume_command;
use super::{stored_spec, traced_trials, LEFT_OUT_BELOW};
use crate::args::{Format, LsArgs};
use crate::commands::open_to_show;
use crate::output;
use crate::Outcome;

/// One experiment as `sweep ls` lists it, with what its rows are written from.
struct Listed {
    info: ExperimentInfo,
    trials: Vec<Trial>,
    spec: Option<experiment::ExperimentSpec>,
    /// The spans of work its trials' records keep (`TrialTrace::spans`).
    kept: Vec<(Timestamp, Timestamp)>,
    /// The command that resumes it, for JSON alone; `None` otherwise.
    resume: Option<String>,
    /// Its best trial's result on the test split, for JSON and CSV alone; `None` otherwise, or
    /// where there is none or its record does not read (said on standard error).
    test: Option<TestResult>,
}

/// Lists the store's experiments on standard output in `--format`, in `--sort`'s order, those
/// `--name` and `--status` keep, as a table one per line under a header; a store with none
/// says so on standard error, with the command that fills this store, as does a store whose
/// experiments the filters all leave out, and writes no table (no header either), a CSV header
/// alone, or `[]`.
pub(crate) fn ls(args: &LsArgs) -> anyhow::Result<Outcome> {
    let (store, running) = open_to_show(&args.store.store, store::CopyScope::Experiments)?;
    // Each status as shown: `running` only for the experiment a live sweep runs.
    let all: Vec<ExperimentInfo> = (store.experiments()?.into_iter())
        .map(|info| running.shown(info))
        .collect();
    let held = all.len();
    let mut listed = Vec::new();
    for info in all.into_iter().filter(|info| keeps(args, info)) {
        listed.push(read(&store, info, args)?);
    }
    if held == 0 {
        say!(
            "no experiments yet; run {}",
            super::ls_hint(&args.store.store)
        );
    } else if listed.is_empty() {
        say!(
            "none of the {} in the store is {}",
            experiment::counted(
                u64::try_from(held).unwrap_or(u64::MAX),
                "experiment",
                "experiments"
            ),
            filters_text(args)
        );
    }
    let facts: Vec<ListedExperiment<'_>> = listed.iter().map(facts_of).collect();
    let order = list_order(&facts, args.sort.unwrap_or_default(), args.desc);
    let mut rows = Vec::with_capacity(order.len());
    let mut specs = Vec::with_capacity(order.len());
    let mut kept = Vec::with_capacity(order.len());
    let mut resumes = Vec::with_capacity(order.len());
    let mut tests = Vec::with_capacity(order.len());
    let mut slots: Vec<Option<Listed>> = listed.into_iter().map(Some).collect();
    for i in order {
        // `list_order` gives each position once.
        if let Some(one) = slots.get_mut(i).and_then(Option::take) {
            rows.push((one.info, one.trials));
            specs.push(one.spec);
            kept.push(one.kept);
            resumes.push(one.resume);
            tests.push(one.test);
        }
    }
    // As CSV, the header alone; as JSON, `[]`; as a table, nothing.
    let mut out = crate::standard_output::lock();
    let beside = (&kept[..], &resumes[..], &tests[..]);
    output::experiments_kept(&mut out, &rows, &specs, beside, args.format)?;
    Ok(Outcome::Success)
}

/// Returns whether `--name` and `--status` keep experiment `info`, by its status as shown
/// (`output::Running::shown`).
fn keeps(args: &LsArgs, info: &ExperimentInfo) -> bool {
    args.name
        .as_deref()
        .is_none_or(|q| name_matches(&info.name, q))
        && args.status.is_none_or(|s| info.status == s)
}

/// Reads what `sweep ls` writes of experiment `info`: its trials with their records, its
/// stored spec (one that does not read said on standard error), for JSON the command that
/// resumes it, and for JSON and CSV its test result (one that does not read said so too).
fn read(store: &Store, info: ExperimentInfo, args: &LsArgs) -> anyhow::Result<Listed> {
    let traced = traced_trials(store, &info.name)?;
    let spec = stored_spec(&info, LEFT_OUT_BELOW);
    let resume = match args.format {
        Format::Json if info.status == ExperimentStatus::Interrupted => {
            let store_dir =
                std::path::absolute(&args.store.store).unwrap_or(args.store.store.clone());
            // A run record that does not read keeps no spec file: the command names the
            // stored one, as `sweep show`'s does (which also says the record does not read).
            let record = store.run_record(&info.name).ok().flatten();
            resume_command(&info, record.as_ref(), &store_dir)
        }
        _ => None,
    };
    let test = match args.format {
        Format::Json | Format::Csv => readable_record(
            TEST_RESULT,
            &info.name,
            store.test_result(&info.name),
            "its best trial's result on the test split is not listed",
            false,
        )?
        .ok()
        .flatten(),
        Format::Table => None,
    };
    Ok(Listed {
        info,
        trials: traced.trials,
        spec,
        kept: traced.kept,
        resume,
        test,
    })
}

/// Returns what the list's order reads of `listed`: its name, status as shown and trials by
/// state (a trial left running by a killed sweep is counted as the dashboard counts an
/// interrupted one, under `running`).
fn facts_of(listed: &Listed) -> ListedExperiment<'_> {
    let n = |s: TrialState| listed.trials.iter().filter(|t| t.state == s).count();
    ListedExperiment {
        name: &listed.info.name,
        status_rank: match listed.info.status {
            ExperimentStatus::Running => 0,
            ExperimentStatus::Interrupted => 1,
            ExperimentStatus::Finished => 2,
        },
        stored: listed.trials.len(),
        completed: n(TrialState::Completed),
        pruned: n(TrialState::Pruned),
        failed: n(TrialState::Failed),
        running: n(TrialState::Running),
    }
}

/// Returns what `--name` and `--status` asked for, in words: "named like `mlp` and
/// interrupted".
fn filters_text(args: &LsArgs) -> String {
    let mut said = Vec::new();
    if let Some(name) = &args.name {
        said.push(format!("named like `{}`", output::visible(name)));
    }
    if let Some(status) = args.status {
        said.push(status.as_str().to_string());
    }
    said.join(" and ")
}
