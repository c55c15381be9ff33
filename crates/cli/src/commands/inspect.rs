//! `sweep ls`, `sweep show` and `sweep trials`: read-only views of a store. `sweep ls` is
//! `list`; `sweep show`'s experiment page is `show`, its trial pages `trial`, an experiment's stored spec alone
//! `spec`; `records` reads the records a page shows beside the trials, going on without one
//! that does not read.

mod list;
mod records;
mod show;
mod spec;
mod trial;

use std::io::IsTerminal;

use experiment::{ExperimentSpec, Timestamp, Trial, TrialOrder};
use store::{ExperimentInfo, Store};

use super::{find_experiment, open_to_show};
use crate::args::{Format, TrialsArgs};
use crate::output;
use crate::Outcome;

pub(crate) use list::ls;
pub(crate) use show::show;

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

pub(crate) fn trials(args: &TrialsArgs) -> anyhow::Result<Outcome> {
    let (store, running) = open_to_show(
        &args.store.store,
        store::CopyScope::Trials(&args.experiment),
    )?;
    // Its status as `sweep show` shows it: its running trials are `running` only where a live
    // sweep runs it.
    let info = running.shown(find_experiment(&store, &args.experiment)?);
    let live = output::runs_now(&info);
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
    // Where no sweep runs it, a trial left running is interrupted.
    let shown = |t: &Trial| args.filter.as_ref().is_none_or(|f| f.matches(t, live));
    let order = args.sort.clone().map(|key| TrialOrder {
        key,
        descending: args.desc,
    });
    let order = order.as_ref();
    let objectives = info.objectives(spec.as_ref());
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    // CSV and JSON list the kept trials only; the table ranks them among all.
    let kept = || output::kept_in_order(&trials, &shown, order, (&objectives, constraints));
    let mut out = crate::standard_output::lock();
    match args.format {
        Format::Table => output::trials_table(
            &mut out,
            &traced,
            (&shown, order),
            (&objectives, spec.as_ref()),
            live,
        )?,
        format => {
            // Each trial's epochs: a key read per trial, for these formats only.
            let effort = store.effort(&info.name, &info.objective, spec.as_ref(), &trials)?;
            let judged = experiment::Judged::of(spec.as_ref(), &trials, &effort).shown_live(live);
            if matches!(format, Format::Csv) {
                let csv = experiment::trials_csv(&kept(), &judged);
                if output::csv_to(&mut out, &csv, std::io::stdout().is_terminal())? {
                    say!("{}", output::CSV_ESCAPED);
                }
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

    /// A finished experiment `t` stored from `spec_path` as `spec_yaml`, for the pages' tests.
    pub(super) fn stored(spec_path: &str, spec_yaml: &str) -> ExperimentInfo {
        ExperimentInfo {
            name: "t".into(),
            description: String::new(),
            spec_yaml: spec_yaml.into(),
            spec_hash: experiment::sha256_hex(spec_yaml.as_bytes()),
            spec_path: spec_path.into(),
            objective: "val_loss".into(),
            goal: experiment::Direction::Minimize,
            seed: experiment::Seed(1),
            run_cap: 2,
            status: store::ExperimentStatus::Finished,
            created: Timestamp(0),
            finished: None,
        }
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
}
