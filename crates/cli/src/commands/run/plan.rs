//! What `sweep run` plans: the run cap it asks the study for, the trials the notes count, and
//! the trials side by side, each saying the note its choice needs.

use experiment::ExperimentSpec;

use super::super::run_cap::{file_cap, Asked, FileCap};
use crate::args::RunArgs;
use crate::output;
use crate::probe;

/// Returns the run cap the study is asked for: `--run-cap`'s, or the file's `run_cap` where it
/// raises what the stored experiment plans (`file_cap`), saying so or why not.
pub(super) fn run_cap(
    args: &RunArgs,
    spec: &ExperimentSpec,
    store: &store::Store,
    stored: Option<&store::ExperimentInfo>,
) -> anyhow::Result<Option<u32>> {
    // Without `--run-cap`, the file's run_cap is the cap asked for (above a plan an earlier
    // `--run-cap` made lower).
    let ended = match stored {
        Some(e) if e.run_cap < spec.planned_trials(spec.run_cap) => {
            spec.stopped_by(&store.trials(&spec.name)?)
        }
        _ => None,
    };
    let asked_cap = Asked {
        run_cap: args.run_cap,
        extend: args.extend,
        agents: args.agent.is_some(),
    };
    Ok(match file_cap(spec, asked_cap, stored, ended) {
        FileCap::Unchanged => args.run_cap,
        FileCap::Raised { cap, line } => {
            say!("{line}");
            Some(cap)
        }
        FileCap::Refused(note) => {
            say!("note: {note}");
            args.run_cap
        }
    })
}

/// Returns the trials this run plans, which the notes count: the stored experiment's (which
/// `--extend` or `--run-cap` may have raised past the file's), with what this run adds; or the
/// file's.
pub(super) fn planned_now(
    args: &RunArgs,
    spec: &ExperimentSpec,
    stored: Option<&store::ExperimentInfo>,
    run_cap: Option<u32>,
) -> u32 {
    match stored {
        Some(e) => e
            .run_cap
            .max(run_cap.unwrap_or(0))
            .saturating_add(args.extend.unwrap_or(0)),
        None => args.run_cap.unwrap_or(spec.run_cap),
    }
}

/// Returns the trials side by side (`side_by_side`, of `asked` and the number the stored
/// experiment started with), saying the note the choice needs.
pub(super) fn parallel(
    args: &RunArgs,
    spec: &ExperimentSpec,
    store: &store::Store,
    stored: Option<&store::ExperimentInfo>,
    asked: Option<u32>,
) -> anyhow::Result<usize> {
    let started = match stored {
        Some(_) => store.run_record(&spec.name)?.and_then(|r| r.parallel),
        None => None,
    };
    // A number that differs from the start is noted, unless the file changed to say so (that
    // run is refused as another spec).
    let file_as_stored = stored
        .and_then(|e| e.spec().ok())
        .is_some_and(|s| s.parallel == spec.parallel);
    let noted = args.parallel.is_some() || file_as_stored;
    // The most trials this run may plan (the file's run cap may raise the stored one): a
    // sampler that learns from none of them finds the same with any number side by side.
    let planned =
        planned_now(args, spec, stored, args.run_cap).max(spec.planned_trials(spec.run_cap));
    let depends = runner::results_depend_on_parallel(spec, planned);
    let (parallel, note) = side_by_side(spec, (asked, noted), (started, depends));
    if let Some(note) = note {
        say!("note: {note}");
    }
    Ok(parallel)
}

/// Returns the trials side by side, and a note when the choice needs one: `asked` (by
/// `--parallel` or the file, checked to be at least 1), else, where the results depend on it,
/// the number a resumed experiment `started` with (so that a machine with other cores resumes
/// it as it ran), else one per core. Resuming with another number than it started with is noted
/// where the results depend on it (`flagged`: unless the file's `parallel:` changed, another
/// spec, which the run refuses, so that no note goes before that). `depends` says whether they
/// do (`runner::results_depend_on_parallel`).
fn side_by_side(
    spec: &ExperimentSpec,
    (asked, flagged): (Option<u32>, bool),
    (started, depends): (Option<u32>, bool),
) -> (usize, Option<String>) {
    let cores = probe::cores();
    let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    match (asked, started) {
        (None, Some(p)) if depends => {
            let note = (size(p) != cores).then(|| {
                format!(
                    "resuming `{}` with {}, as it started (this machine has {}; \
                     `parallel:` in the file or --parallel chooses)",
                    spec.name,
                    output::trials_at_once(p),
                    experiment::counted(u64::try_from(cores).unwrap_or(u64::MAX), "core", "cores")
                )
            });
            (size(p), note)
        }
        (Some(n), Some(p)) if n != p && flagged && depends => {
            let note = format!(
                "`{}` started with {} and goes on with {}: the trials from here on see other \
                 trials before them than in one run with either, so the results are not those \
                 of an uninterrupted run (--parallel {p} keeps them)",
                spec.name,
                output::trials_at_once(p),
                output::trials_at_once(n)
            );
            (size(n), Some(note))
        }
        (Some(n), _) => (size(n), None),
        (None, _) => (cores, None),
    }
}

/// Says that a `--run-cap` below what the stored experiment plans lowers nothing.
pub(super) fn note_run_cap_kept(
    args: &RunArgs,
    spec: &ExperimentSpec,
    stored: Option<&store::ExperimentInfo>,
) {
    if let (Some(asked), Some(stored)) = (args.run_cap, stored) {
        if asked < stored.run_cap {
            say!(
                "note: --run-cap {asked} is below the {} trials that `{}` already plans: it \
                 still plans {} (a run cap is never lowered)",
                stored.run_cap,
                spec.name,
                stored.run_cap
            );
        }
    }
}
