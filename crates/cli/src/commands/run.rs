//! `sweep run`: runs or resumes a sweep with progress bars, then prints the leaderboard.
//!
//! This file is the run's order of events; the flags checked first (`flags`), what the run
//! plans (`plan`), a study's error as said to the user (`errors`), how a sweep that ran ends
//! (`ended`), what one in which no trial completed says (`failed`) and the store path refused
//! before any data is read (`store_path`) are modules of their own.

mod ended;
mod errors;
mod failed;
mod flags;
mod plan;
mod store_path;

use std::path::Path;

use experiment::ExperimentSpec;
use runner::StudyOptions;
use trainer::MlpObjective;

use self::ended::Ended;
use self::errors::explained;
use self::flags::{checked_flags, refuse_extend_unfinished};
use self::plan::{note_run_cap_kept, parallel, planned_now, run_cap};
use self::store_path::refuse_unusable_store;
use super::{load_spec, missing_note, open_store, opener, serve, StoreMode};
use crate::args::RunArgs;
use crate::clock::SystemClock;
use crate::interrupt;
use crate::probe;
use crate::progress::ProgressObserver;
use crate::time_limit::TimeLimit;
use crate::Outcome;

/// Runs `sweep run`, and removes the store it created where the run failed before putting
/// anything in it.
pub(crate) fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    // Nothing there, not even a link leading nowhere (which `exists` follows).
    let new_store = std::fs::symlink_metadata(&args.store.store).is_err();
    let outcome = run_sweep(args);
    if outcome.is_err() && new_store {
        remove_if_empty(&args.store.store);
    }
    outcome
}

/// Removes the store in `path` that a failed run made (a busy port, an `--extend` of nothing,
/// a warm start from an experiment it lacks) while it holds no experiment: the next command
/// would otherwise find an empty store where the user named none. `Store::remove_if_empty`
/// keeps out another run that opens the store meanwhile. Nothing is said where the run made no
/// store (it failed before: a spec or a flag refused, a file not read); a store it leaves is
/// said at debug level where another process took it (it holds an experiment, or is open or
/// being opened, removed or compacted), and as a warning where something is left for the user
/// to delete (the store, where its name lock cannot be had; the folder it was moved to, where
/// that cannot be deleted), which the store's error names.
fn remove_if_empty(path: &Path) {
    match store::Store::remove_if_empty(path) {
        Ok(true) => tracing::debug!(store = %path.display(), "removed the empty store"),
        Ok(false) => tracing::debug!(
            store = %path.display(),
            "the store stays: it holds an experiment"
        ),
        Err(store::Error::NoStore { .. }) => {}
        Err(
            e @ (store::Error::EmptyStoreStays { .. } | store::Error::EmptyStoreAsideStays { .. }),
        ) => tracing::warn!(
            error = %e,
            "removing the empty store this run made left a folder behind"
        ),
        Err(
            e @ (store::Error::Locked { .. }
            | store::Error::BeingOpened { .. }
            | store::Error::BeingMoved { .. }),
        ) => tracing::debug!(
            error = %e,
            "the store stays: another sweep process has it open, or is opening, removing or \
             compacting it"
        ),
        Err(e) => tracing::debug!(error = %e, "the store stays"),
    }
}

/// Runs the sweep `args` asks for (`run`, less the tidying of a store it made in vain).
fn run_sweep(args: &RunArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    let asked = args.parallel.or(spec.parallel);
    let agent = checked_flags(args, &spec, asked)?;
    // A store path no open could take is refused before the data is read (which can take a
    // while, and says things of its own), as the open would refuse it, making nothing.
    refuse_unusable_store(&args.store.store)?;
    let objective = objective(args, &spec, agent.as_ref())?;
    // A warm start's file is read before a store that does not exist yet is made, so that a
    // file that cannot be read creates nothing. A resumed experiment goes on from the trials
    // taken when it was created: the file is read again only to compare (the study refuses one
    // that gives other trials now, wherever it lies), and one gone since is not missed.
    let new_store = !args.store.store.exists();
    let read_early = if new_store {
        crate::warm_file::read(&spec)?
    } else {
        None
    };
    let store = open_store(&args.store.store, StoreMode::Create)?;
    let stored = store.experiment(&spec.name)?;
    // A stored experiment goes on as the version that stored it read the file, where that was
    // otherwise (`ExperimentSpec::as_it_ran`: a grid listed by an earlier rule, a Hyperband
    // default): its run cap, its notes and the record it is checked against are those of the
    // search it runs.
    let spec = runner::spec_as_it_ran(&store, &spec)?.unwrap_or(spec);
    // A rule made since experiments were stored refuses new ones only: one stored before it
    // resumes as it ran (`ExperimentSpec::refused_as_new`).
    if stored.is_none() {
        spec.refused_as_new()
            .map_err(|e| anyhow::anyhow!("invalid experiment file {}\n{e}", args.file.display()))?;
    }
    refuse_extend_unfinished(args, stored.as_ref())?;
    // A resumed or extended experiment's best so far counts its earlier trials too.
    let earlier = match stored {
        Some(_) => store.trials(&spec.name)?,
        None => Vec::new(),
    };
    // The spec as the run record holds it, resolved once: whether the study resumes with it
    // decides the run cap, and the record keeps it.
    let resolved = probe::Resolved::at(&spec, &args.file)?;
    let run_cap = run_cap(args, (&spec, &resolved), &store, stored.as_ref())?;
    // The notes and the note on `--parallel` count the same trials: those this run plans.
    let planned = planned_now(args, &spec, stored.as_ref(), run_cap.asked);
    for why in spec.notes(planned) {
        say!("note: {why}");
    }
    if let Some(why) = spec.batch_past_rows_note(objective.data_summary().train_rows) {
        say!("note: {why}");
    }
    if let Some(why) = runner::corner_start_note(&spec) {
        say!("note: {why}");
    }
    let warm_file = match stored {
        None if new_store => read_early,
        None => crate::warm_file::read(&spec)?,
        Some(_) => crate::warm_file::read_if_there(&spec)?,
    };
    let parallel = parallel(
        args,
        &spec,
        &store,
        stored.as_ref(),
        asked,
        planned,
        &earlier,
    )?;
    note_run_cap_kept(args, &spec, stored.as_ref());
    let notices = dashboard::Notices::default();
    let dashboard = serve_dashboard(args, &spec, &store, &notices)?;
    if let (Some(exchange), Some(_)) = (&args.exchange, &agent) {
        let quoted = super::quoted(exchange);
        say!(
            "follow the study from any machine that sees {quoted}: sweep serve --exchange {quoted}"
        );
    }
    let observer = ProgressObserver::new(&spec)
        .with_notices(notices)
        .with_earlier(&earlier)
        .with_stored_plan(stored.as_ref().map(|e| e.run_cap))
        .with_raised_cap(run_cap.at_start.clone());
    let interrupts = interrupt::watch(
        "no new trial starts, and the running ones stop after their current epoch (one at its last \
         epoch finishes) and run again on resume",
    )?;
    let time_limit = args
        .timeout
        .map(|ms| TimeLimit::start(ms, interrupts.stop.clone()))
        .transpose()?;
    let record = probe::record_of(&resolved, parallel)?;
    // Kept for the message of a changed spec: its settings are what it compares.
    let resolved_now = record.resolved_spec.clone();
    let options = StudyOptions {
        spec_path: args.file.display().to_string(),
        parallel,
        run_cap: run_cap.asked,
        record: Some(record),
        extend: args.extend,
        stop: interrupts.stop.clone(),
        agent,
        warm_file,
    };
    let summary = runner::run_study(&store, &spec, &objective, &observer, &SystemClock, &options);
    observer.finish();
    let summary = explained(summary, args, &spec, &store, &resolved_now)?;
    let ended = Ended {
        args,
        spec: &spec,
        store: &store,
        objective: &objective,
        summary: &summary,
        interrupts: &interrupts,
        elapsed: observer.sweep_elapsed(),
    };
    ended.report(time_limit, dashboard)
}

/// Returns the objective that trains the sweep's trials, and says what the data's missing
/// values come to.
fn objective(
    args: &RunArgs,
    spec: &ExperimentSpec,
    agent: Option<&runner::AgentOptions>,
) -> anyhow::Result<MlpObjective> {
    // Under agents, the checkpoints kept are of this agent's trials.
    let objective = MlpObjective::with_checkpoints(
        spec,
        &store::checkpoint_dir(&args.store.store, &spec.name),
        agent.map(|a| (a.agent, a.agents)),
    )?;
    let data = objective.data_summary();
    if let Some(note) = missing_note(&data, spec.data.missing) {
        say!(
            "data: {note} in {} (data.missing: {})",
            spec.data.csv.value.display(),
            spec.data.missing.as_str()
        );
    }
    // A column name is the data file's own text: its control characters shown, not run.
    for why in &data.lossy_columns {
        say!("note: data: {}", crate::output::visible(why));
    }
    Ok(objective)
}

/// Starts the sweep's dashboard, unless `--no-serve`, and says where it is: the sweep owns the
/// store, so it serves the dashboard itself, from one worker thread, with `notices` on the
/// experiment's page.
fn serve_dashboard(
    args: &RunArgs,
    spec: &ExperimentSpec,
    store: &store::Store,
    notices: &dashboard::Notices,
) -> anyhow::Result<Option<dashboard::Server>> {
    if args.no_serve {
        return Ok(None);
    }
    // The sweep writes as the dashboard reads: pages may lag the store by a second (more for
    // a large experiment: `Freshness`).
    let fresh = dashboard::Freshness::Sweeping {
        experiment: spec.name.clone(),
        max_age: std::time::Duration::from_secs(1),
        notices: notices.clone(),
    };
    let server = serve::start(store.clone(), &args.dashboard, 1, fresh).map_err(serve::for_run)?;
    store.announce(&opener(Some(&server.url())))?;
    say!("dashboard: {}", serve::link(&server, &args.dashboard));
    Ok(Some(server))
}
