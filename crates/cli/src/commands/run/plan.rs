//! What `sweep run` plans: the run cap it asks the study for (a raise to the file's `run_cap`,
//! or why the file's is not taken, and a plan told the sampler other than the last run's, said
//! as the study starts, once it took the run), the trials this run plans, which the notes count
//! (the note on `--parallel` too), and the trials side by side, each saying the note its choice
//! needs.

use experiment::ExperimentSpec;

use super::super::run_cap::{file_cap, Asked, FileCap};
use crate::args::RunArgs;
use crate::output;
use crate::probe;
use crate::progress::AtStart;

/// The run cap `sweep run` asks the study for, and what it says of it once the study took the
/// run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RunCap {
    /// The cap asked for: `--run-cap`'s, or the file's `run_cap` where it raises the plan.
    pub(super) asked: Option<u32>,
    /// The line that says the file's `run_cap` raised the plan, or the note that says why the
    /// file's cap is not taken (`FileCap::Refused`), and the note that the sampler is told
    /// another plan than the last run was (`runner::StudyOptions::plan_note`), said only once
    /// the study took the run, as it starts (`ProgressObserver::with_raised_cap`): the study may
    /// still refuse it (changed spec, data or search settings), and then nothing was raised and
    /// no plan is worth a note.
    pub(super) at_start: AtStart,
}

/// Returns the run cap the study is asked for: `--run-cap`'s, or the file's `run_cap` where it
/// raises what the stored experiment plans (`file_cap`), with the line that says so once the
/// study took the run; or, where the file's cap is not taken, the note that says why, said
/// then too; and the note, said then too, where the sampler of a resumed experiment is told
/// another plan than its last run was, so that trials yet to draw may differ (`plan_note`).
/// `resolved` is the spec as the run record will hold it (`probe::Resolved`).
pub(super) fn run_cap(
    args: &RunArgs,
    (spec, resolved): (&ExperimentSpec, &probe::Resolved),
    store: &store::Store,
    stored: Option<&store::ExperimentInfo>,
) -> anyhow::Result<RunCap> {
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
    let recorded = match stored {
        Some(_) => store.run_record(&spec.name)?,
        None => None,
    };
    // Whether the study goes on with the stored experiment rather than refusing the file as
    // another spec, by the study's own rule, given the spec as the run record will hold it:
    // against the file's absolute path, wherever the unchanged file now lies.
    let resumes = stored.is_some_and(|e| {
        runner::StudyOptions::resumes(spec, e, recorded.as_ref(), Some(resolved.text()))
    });
    let (asked, run_cap) = match file_cap(spec, asked_cap, (stored, resumes), ended) {
        FileCap::Unchanged => (args.run_cap, None),
        FileCap::Raised { cap, line } => (Some(cap), Some(line)),
        FileCap::Refused(note) => (args.run_cap, Some(format!("note: {note}"))),
    };
    let plan = match stored {
        Some(e) if resumes => {
            plan_note((spec, store), (e, recorded.as_ref()), (asked, args.extend))?
        }
        _ => None,
    };
    Ok(RunCap {
        asked,
        at_start: AtStart { run_cap, plan },
    })
}

/// Returns the note that the sampler of the `stored` experiment (its run record `recorded`),
/// resumed with `run_cap` and `extend`, is told another plan than its last run was, where a
/// trial yet to draw may differ for it (`runner::StudyOptions::plan_note`, the runner's own
/// rule, given the trials the store holds).
fn plan_note(
    (spec, store): (&ExperimentSpec, &store::Store),
    (stored, recorded): (&store::ExperimentInfo, Option<&store::RunRecord>),
    (run_cap, extend): (Option<u32>, Option<u32>),
) -> anyhow::Result<Option<String>> {
    let drawn = store.trials(&spec.name)?;
    let note = runner::StudyOptions::plan_note(spec, (stored, recorded), &drawn, (run_cap, extend));
    Ok(note.map(|n| format!("note: {n}")))
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
/// experiment started with, which its run record keeps), saying the note the choice needs;
/// `planned` is the trials this run plans (`planned_now`, which the notes count), which decide
/// whether the results depend on the number; `earlier` the stored experiment's trials, drawn
/// with the number it started with, which decide whether going on with another number changes
/// them.
pub(super) fn parallel(
    args: &RunArgs,
    spec: &ExperimentSpec,
    store: &store::Store,
    stored: Option<&store::ExperimentInfo>,
    asked: Option<u32>,
    planned: u32,
    earlier: &[experiment::Trial],
) -> anyhow::Result<usize> {
    // The number the first run used (`RunRecord::parallel`), which its trials were drawn with.
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
    // The trials drawn so far: up to the highest numbered, which saw the most.
    let drawn = earlier
        .iter()
        .map(|t| t.id.0.saturating_add(1))
        .max()
        .unwrap_or(0);
    let depends = Depends {
        // The trials this run plans, not the file's plan that the sampler is told: a
        // `--run-cap` below the file's runs the file's first trials, and a sampler that learns
        // from none of them finds the same with any number side by side.
        planned: runner::results_depend_on_parallel(spec, planned),
        drawn: match (asked, started) {
            (Some(now), Some(then)) => drawn_depend(spec, drawn, (then, now)),
            _ => false,
        },
    };
    let (parallel, note) = side_by_side(spec, (asked, noted), (started, depends));
    if let Some(note) = note {
        say!("note: {note}");
    }
    Ok(parallel)
}

/// Whether the number of trials side by side changes the results (`side_by_side`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Depends {
    /// The trials this run plans depend on it (`runner::results_depend_on_parallel`).
    planned: bool,
    /// Some trial a resumed experiment already drew (finished, or stopped and run again with
    /// its stored parameters) could have come out otherwise with the number asked now than
    /// with the one it started with (`drawn_depend`).
    drawn: bool,
}

/// Returns whether some of the first `drawn` trials, drawn with `then` trials side by side,
/// could have come out otherwise with `now`. Trial `k` sees the `k + 1 - p` trials below it
/// with `p` side by side: with either number it is the same trial wherever the sampler learns
/// from none it sees (nor a target or plateau stops it), and the last one sees the most, the
/// more with the smaller number. So a resume whose trials were all drawn before the sampler
/// learns goes on as one run with the number asked now: its remaining trials are those of a
/// fresh run with it.
fn drawn_depend(spec: &ExperimentSpec, drawn: u32, (then, now): (u32, u32)) -> bool {
    // The last drawn trial sees `drawn - fewer`; one that sees none is drawn alike with any
    // number. `results_depend_on_parallel(spec, n)` asks whether a trial that sees `n - 1`
    // learns or may be stopped.
    let seen = drawn.saturating_sub(then.min(now).max(1));
    seen > 0 && runner::results_depend_on_parallel(spec, seen.saturating_add(1))
}

/// Returns the trials side by side, and a note when the choice needs one: `asked` (by
/// `--parallel` or the file, checked to be at least 1), else, where the results of the
/// trials planned depend on it, the number a resumed experiment `started` with (a file without
/// `parallel:` resumes as it started, so that a machine with other cores resumes it as it
/// ran), else one per core. Resuming with another number than it started with is noted where
/// a trial already drawn could have come out otherwise with it (`Depends::drawn`; otherwise the
/// resume is one run with the number asked, as a fresh run of it would be) and it is
/// `flagged` (unless the file's `parallel:` changed, another spec, which the run refuses, so
/// that no note goes before that); so is a `--parallel` other than the file's `parallel:` on a
/// fresh run (or one whose record kept no number) whose planned trials depend on it.
fn side_by_side(
    spec: &ExperimentSpec,
    (asked, flagged): (Option<u32>, bool),
    (started, depends): (Option<u32>, Depends),
) -> (usize, Option<String>) {
    let cores = probe::cores();
    let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    match (asked, started) {
        (None, Some(p)) if depends.planned => {
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
        (Some(n), Some(p)) if n != p && flagged && depends.drawn => {
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
        (Some(n), None) if flagged && depends.planned && spec.parallel.is_some_and(|p| p != n) => {
            let why = match (&spec.target, &spec.plateau) {
                (None, None) => format!("with {}", spec.method.name()),
                _ => "with a target or plateau".to_string(),
            };
            let note = format!(
                "--parallel {n} overrides the file's parallel: {}; {why} the results depend on \
                 it, so they are not those of the file run as written",
                spec.parallel.unwrap_or(n)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: &str, more: &str) -> ExperimentSpec {
        let yaml = format!(
            "name: e\nmethod: {method}\nparallel: 2\nrun_cap: 6\n{more}\
             metric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
             parameters:\n  lr: {{min: 0.001, max: 0.1}}\n"
        );
        ExperimentSpec::from_yaml_str(&yaml, std::path::Path::new("e.yaml")).expect("a spec")
    }

    /// Whether both the planned and the drawn trials depend on the number side by side.
    fn both(depend: bool) -> Depends {
        Depends {
            planned: depend,
            drawn: depend,
        }
    }

    #[test]
    fn issue_a_resume_whose_drawn_trials_learned_nothing_goes_on_with_the_files_number_unnoted() {
        // `bayes` with 1 startup trial: run once with `--run-cap 1 --parallel 1` (trial 0,
        // drawn quasi-randomly), then as the file says, `parallel: 2`. The note said the results
        // were not those of an uninterrupted run, and that `--parallel 1` kept them: the
        // resumed trials are those of a fresh run of the file, and `--parallel 1` made them
        // differ.
        let bayes = spec("bayes", "sampler: {n_startup_trials: 1}\n");
        assert!(!drawn_depend(&bayes, 1, (1, 2)));
        let (parallel, note) = side_by_side(
            &bayes,
            (Some(2), true),
            (
                Some(1),
                Depends {
                    planned: true,
                    drawn: false,
                },
            ),
        );
        assert_eq!((parallel, note), (2, None));
        // Trial 1, drawn seeing trial 0 (one at a time), would have seen none with 2: noted.
        assert!(drawn_depend(&bayes, 2, (1, 2)));
        // With 2 and 3 side by side, trial 1 sees none either way; trial 2 sees trial 0 with 2.
        assert!(!drawn_depend(&bayes, 2, (2, 3)));
        assert!(drawn_depend(&bayes, 3, (2, 3)));
        assert!(drawn_depend(&bayes, 3, (3, 2)));
        // Nothing drawn, nothing changed; a sampler that never learns changes nothing.
        assert!(!drawn_depend(&bayes, 0, (1, 2)));
        assert!(!drawn_depend(&spec("random", ""), 6, (1, 2)));
        // A target makes the trials beside the last one run: any trial that saw one depends.
        let mut target = spec("random", "");
        target.target = Some(0.1);
        assert!(drawn_depend(&target, 2, (1, 2)));
        assert!(!drawn_depend(&target, 1, (1, 2)));
    }

    #[test]
    fn a_fresh_run_notes_a_parallel_that_overrides_the_files_where_results_depend_on_it() {
        let bayes = spec("bayes", "sampler: {n_startup_trials: 2}\n");
        let (parallel, note) = side_by_side(&bayes, (Some(1), true), (None, both(true)));
        assert_eq!(parallel, 1);
        assert_eq!(
            note.as_deref(),
            Some(
                "--parallel 1 overrides the file's parallel: 2; with bayes the results depend \
                 on it, so they are not those of the file run as written"
            )
        );
        // The file's own number, or one whose results do not depend on it, is no news.
        assert_eq!(
            side_by_side(&bayes, (Some(2), true), (None, both(true))).1,
            None
        );
        assert_eq!(
            side_by_side(&bayes, (Some(1), true), (None, both(false))).1,
            None
        );
        // A file without `parallel:` runs on the machine's cores: nothing of the file overridden.
        let mut unset = bayes.clone();
        unset.parallel = None;
        assert_eq!(
            side_by_side(&unset, (Some(1), true), (None, both(true))).1,
            None
        );
        // A resume says how it started instead.
        let resumed = side_by_side(&bayes, (Some(1), true), (Some(2), both(true))).1;
        assert!(
            resumed
                .as_deref()
                .is_some_and(|n| n.contains("started with 2 trials")),
            "{resumed:?}"
        );
    }
}
