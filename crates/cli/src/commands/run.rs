//! `sweep run`: runs or resumes a sweep with progress bars, then prints the leaderboard.

use std::io::Write;
use std::path::Path;

use anyhow::bail;
use experiment::{ExperimentSpec, Stopped, TrialState};
use runner::{StudyOptions, StudySummary};
use trainer::MlpObjective;

use super::run_cap::{file_cap, Asked, FileCap};
use super::{load_spec, missing_note, open_store, opener, quoted, serve, StoreMode};
use crate::args::RunArgs;
use crate::clock::SystemClock;
use crate::interrupt;
use crate::output;
use crate::probe;
use crate::progress::ProgressObserver;
use crate::time_limit::TimeLimit;
use crate::Outcome;

pub(crate) fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let new_store = !args.store.store.exists();
    let outcome = run_sweep(args);
    if outcome.is_err() && new_store {
        remove_if_empty(&args.store.store);
    }
    outcome
}

/// Removes the store in `path` that a failed run made (a busy port, an `--extend` of nothing,
/// a warm start from an experiment it lacks) while it holds no experiment: the next command
/// would otherwise find an empty store where the user named none.
fn remove_if_empty(path: &Path) {
    let empty = store::Store::open_existing(path)
        .and_then(|store| store.experiments())
        .is_ok_and(|experiments| experiments.is_empty());
    if empty {
        if let Err(e) = std::fs::remove_dir_all(path) {
            tracing::debug!(error = %e, "the empty store stays");
        }
    }
}

/// Runs the sweep `args` asks for (`run`, less the tidying of a store it made in vain).
fn run_sweep(args: &RunArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    let asked = args.parallel.or(spec.parallel);
    let agent = checked_flags(args, &spec, asked)?;
    let objective = objective(args, &spec, agent.as_ref())?;
    // A warm start's file is read only for an experiment to create, and before a store that
    // does not exist yet is made, so that a file that cannot be read creates nothing; a resumed
    // experiment goes on from the trials taken when it was created, whatever became of the file.
    let new_store = !args.store.store.exists();
    let read_early = if new_store {
        crate::warm_file::read(&spec)?
    } else {
        None
    };
    let store = open_store(&args.store.store, StoreMode::Create)?;
    let stored = store.experiment(&spec.name)?;
    refuse_extend_unfinished(args, stored.as_ref())?;
    // A resumed or extended experiment's best so far counts its earlier trials too.
    let earlier = match stored {
        Some(_) => store.trials(&spec.name)?,
        None => Vec::new(),
    };
    let run_cap = run_cap(args, &spec, &store, stored.as_ref())?;
    for why in spec.notes(planned_now(args, &spec, stored.as_ref(), run_cap)) {
        say!("note: {why}");
    }
    let warm_file = match stored {
        None if new_store => read_early,
        None => crate::warm_file::read(&spec)?,
        Some(_) => None,
    };
    let parallel = parallel(args, &spec, &store, stored.as_ref(), asked)?;
    note_run_cap_kept(args, &spec, stored.as_ref());
    let notices = dashboard::Notices::default();
    let dashboard = serve_dashboard(args, &spec, &store, &notices)?;
    if let (Some(exchange), Some(_)) = (&args.exchange, &agent) {
        let quoted = experiment::shell_quote(&exchange.display().to_string());
        say!(
            "follow the study from any machine that sees {quoted}: sweep serve --exchange {quoted}"
        );
    }
    let observer = ProgressObserver::new(&spec)
        .with_notices(notices)
        .with_earlier(&earlier);
    let interrupts = interrupt::watch(
        "no new trial starts, and the running ones stop after their current epoch and run again \
         on resume",
    )?;
    let time_limit = args
        .timeout
        .map(|ms| TimeLimit::start(ms, interrupts.stop.clone()))
        .transpose()?;
    let record = probe::run_record(&spec, &args.file, parallel)?;
    // Kept for the message of a changed spec: its settings are what it compares.
    let resolved_now = record.resolved_spec.clone();
    let options = StudyOptions {
        spec_path: args.file.display().to_string(),
        parallel,
        run_cap,
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
    };
    ended.report(time_limit, dashboard)
}

/// Checks the flags that need no store against each other and the file: `--parallel`
/// (`asked`, with the file's `parallel:`), `--agent`, `--run-cap` and `--extend`. Returns the
/// agent's options when `--agent` and `--exchange` make this run one agent of several.
fn checked_flags(
    args: &RunArgs,
    spec: &ExperimentSpec,
    asked: Option<u32>,
) -> anyhow::Result<Option<runner::AgentOptions>> {
    match asked {
        Some(0) => bail!("--parallel must be at least 1"),
        None if args.agent.is_some() => bail!(
            "with --agent, give `parallel:` in {} or --parallel N: the trials side by side \
             across all agents, which the results depend on, so the same for every agent",
            args.file.display()
        ),
        _ => {}
    }
    let agent = match (&args.agent, &args.exchange) {
        (Some(agent), Some(exchange)) => Some(agent_options(agent, exchange, args.quiet_after)?),
        _ => None,
    };
    if args.run_cap == Some(0) {
        bail!("--run-cap must be at least 1");
    }
    if args.extend == Some(0) {
        bail!("--extend must be at least 1");
    }
    if let (Some(n), Some(_)) = (args.extend, &args.agent) {
        bail!("{}", extend_under_agents(n, spec, &args.store.store));
    }
    Ok(agent)
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
    if let Some(note) = missing_note(&objective.data_summary(), spec.data.missing) {
        say!(
            "data: {note} in {} (data.missing: {})",
            spec.data.csv.value.display(),
            spec.data.missing.as_str()
        );
    }
    Ok(objective)
}

/// Refuses `--extend N` on the experiment `stored` when a run left it unfinished: `--extend N`
/// adds N each time it runs, so on an experiment an earlier `--extend` killed part way, say,
/// running the same command again would add N twice.
fn refuse_extend_unfinished(
    args: &RunArgs,
    stored: Option<&store::ExperimentInfo>,
) -> anyhow::Result<()> {
    if let (Some(n), Some(e)) = (args.extend, stored) {
        if e.status != store::ExperimentStatus::Finished {
            bail!(
                "experiment `{}` has not finished its {} (a run stopped part way, an earlier \
                 --extend perhaps), and --extend {n} adds {n} more each time it is run: \
                 finish it with `sweep run {} --store {}` (no --extend), or set the total with \
                 --run-cap {}, which running again does not add to",
                e.name,
                experiment::counted(e.run_cap, "planned trial", "planned trials"),
                quoted(&args.file),
                quoted(&args.store.store),
                e.run_cap.saturating_add(n)
            );
        }
    }
    Ok(())
}

/// Returns the run cap the study is asked for: `--run-cap`'s, or the file's `run_cap` where it
/// raises what the stored experiment plans (`file_cap`), saying so or why not.
fn run_cap(
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
fn planned_now(
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
fn parallel(
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
    let (parallel, note) = side_by_side(spec, (asked, noted), started);
    if let Some(note) = note {
        say!("note: {note}");
    }
    Ok(parallel)
}

/// Says that a `--run-cap` below what the stored experiment plans lowers nothing.
fn note_run_cap_kept(
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

/// Says how to carry on after a store error stopped a run: the same command again, but
/// without `--extend`, whose trials the stopped run had already planned (an unfinished
/// experiment refuses more).
fn carry_on(args: &RunArgs) -> &'static str {
    if args.extend.is_some() {
        "running the same command again without --extend carries on (the trials it added are \
         planned)"
    } else {
        "running the same command again carries on"
    }
}

/// Returns the study's summary, or its error as `sweep run` says it: a changed spec with what
/// changed and how to go on, the database's own I/O error with the store it names, and
/// changed data or search with how to remove the experiment.
fn explained(
    summary: runner::Result<StudySummary>,
    args: &RunArgs,
    spec: &ExperimentSpec,
    store: &store::Store,
    resolved_now: &str,
) -> anyhow::Result<StudySummary> {
    Ok(match summary {
        Err(runner::Error::SpecChanged {
            name,
            stored,
            current,
        }) => bail!(
            "experiment `{name}` already exists in {} with a different spec{}\n{}\
             give the edited file a new `name:`, use another --store, run the stored spec \
             unchanged {} to add trials, or remove the stored experiment first \
             (`sweep rm {} --store {}`)",
            args.store.store.display(),
            spec_change(store, &name, (&stored, &current), resolved_now),
            run_cap_raised(
                &stored,
                spec,
                &args.file,
                planned(store, &name),
                args.agent.is_some()
            )
            .unwrap_or_default(),
            if args.agent.is_some() {
                "with a higher --run-cap and a new --exchange folder, every agent alike,"
            } else {
                "with --extend N"
            },
            experiment::shell_quote(&name),
            quoted(&args.store.store)
        ),
        // The database's own I/O error (a full disk, a folder made read-only) names no file:
        // the store, and what then, are said here.
        Err(runner::Error::Store(io @ store::Error::Io(_))) => bail!(
            "{io} (the store {}); what is stored so far is kept: once that is mended, {}",
            args.store.store.display(),
            carry_on(args)
        ),
        // A flush that failed names the store and says what is kept.
        Err(runner::Error::Store(flush @ store::Error::Flush { .. })) => {
            bail!("{flush}; once that is mended, {}", carry_on(args))
        }
        Err(
            changed @ (runner::Error::DataChanged { .. } | runner::Error::SearchChanged { .. }),
        ) => bail!(
            "{changed} (`sweep rm {} --store {}`)",
            experiment::shell_quote(&spec.name),
            quoted(&args.store.store)
        ),
        other => other?,
    })
}

/// A sweep whose study has returned, and what saying how it went needs.
struct Ended<'a> {
    args: &'a RunArgs,
    spec: &'a ExperimentSpec,
    store: &'a store::Store,
    objective: &'a MlpObjective,
    summary: &'a StudySummary,
    interrupts: &'a interrupt::Interrupts,
}

impl Ended<'_> {
    /// Prints the summary and how the sweep ended (a signal, the time limit), measures the
    /// best trial on the test split, keeps the dashboard up or stops it, and returns the
    /// outcome.
    fn report(
        &self,
        time_limit: Option<TimeLimit>,
        dashboard: Option<dashboard::Server>,
    ) -> anyhow::Result<Outcome> {
        let (args, summary, interrupts) = (self.args, self.summary, self.interrupts);
        // Ctrl-C stopped the study, rather than the time limit closing it.
        let interrupted = summary.interrupted && interrupts.stop.requested();
        let timed_out = time_limit
            .as_ref()
            .and_then(TimeLimit::reached)
            .filter(|_| summary.interrupted && !interrupted);
        drop(time_limit);
        // Every trial has ended: a signal now ends the process at once, before the test split is
        // measured (nothing is left to stop), and after it with what the run ended with (Ctrl-C
        // then closes a dashboard kept up by --serve-after, which it did not interrupt).
        let all_failed = !summary.trials.is_empty()
            && summary.trials.iter().all(|t| t.state == TrialState::Failed);
        let code = match (interrupted, all_failed) {
            (true, _) => interrupts.exit_code(),
            (false, true) => 1,
            (false, false) => 0,
        };
        if interrupted {
            interrupts.end_with(code);
        } else {
            interrupts.before_test();
        }
        print_run_summary(self.spec, summary, args)?;
        if let Some(limit) = timed_out {
            writeln!(
                std::io::stdout().lock(),
                "\ntime limit of {limit} reached: {} of {} finished; {} to carry on",
                summary.finished(),
                experiment::counted(summary.planned, "trial", "trials"),
                run_again(args)
            )?;
        }
        if interrupted {
            return self.stopped_early(dashboard);
        }
        if let Some(outcome) = self.test_split()? {
            return Ok(outcome);
        }
        interrupts.end_with(code);
        self.close_dashboard(dashboard)?;
        match all_failed {
            true => Ok(Outcome::AllTrialsFailed),
            false => Ok(Outcome::Success),
        }
    }

    /// Stops the dashboard of a sweep a signal stopped, says how to resume it, and returns the
    /// signal's outcome.
    fn stopped_early(&self, dashboard: Option<dashboard::Server>) -> anyhow::Result<Outcome> {
        let summary = self.summary;
        if let Some(server) = dashboard {
            server.stop()?;
        }
        let planned = summary.planned;
        let finished = summary.finished();
        // Not said from the trials this agent's store holds: another agent's trials that never
        // started are not among them.
        if summary.awaiting_test {
            writeln!(
                std::io::stdout().lock(),
                "\nstopped while waiting for the test split's result from the agent that ran \
                 the best trial; every trial had finished: run the same command again to wait \
                 for it"
            )?;
        } else {
            writeln!(
                std::io::stdout().lock(),
                "\nstopped early: {finished} of {} finished; {} to resume (the stopped \
                 trials run again from scratch)",
                experiment::counted(planned, "trial", "trials"),
                run_again(self.args)
            )?;
        }
        Ok(Outcome::Interrupted(self.interrupts.exit_code()))
    }

    /// Measures the best trial on the test split, or says why not: an agent's study the time
    /// limit left unfinished, or a signal that came as the last trial ended, which returns the
    /// signal's outcome.
    fn test_split(&self) -> anyhow::Result<Option<Outcome>> {
        if self.args.agent.is_some() && self.summary.interrupted {
            // Timed out with the study unfinished: measuring the best trial so far could mean
            // training another agent's trial again, and the study's own measure is to come.
            writeln!(
                std::io::stdout().lock(),
                "\nno test split measured yet: an agent's study measures it once every trial has \
                 ended, by the agent that ran the best one"
            )?;
        } else if self.interrupts.stop.requested() {
            // A signal came as the last trial ended, before the measure began.
            say!("\n{}", interrupt::NOT_TESTED);
            return Ok(Some(Outcome::Interrupted(self.interrupts.exit_code())));
        } else {
            super::tested::after_run(
                self.store,
                self.spec,
                self.objective,
                self.summary.best.as_ref(),
            )?;
        }
        Ok(None)
    }

    /// Says how to browse the results, and keeps the dashboard up with `--serve-after` (until
    /// Ctrl-C) or stops it once the pages that watch it have seen the end.
    fn close_dashboard(&self, dashboard: Option<dashboard::Server>) -> anyhow::Result<()> {
        let args = self.args;
        if !args.serve_after {
            writeln!(
                std::io::stdout().lock(),
                "\nbrowse them: sweep serve --store {}",
                quoted(&args.store.store)
            )?;
        }
        if let Some(server) = dashboard {
            if args.serve_after {
                say!(
                    "the dashboard stays up at {}; press Ctrl-C to stop",
                    serve::link(&server, &args.dashboard)
                );
                server.wait()?;
            } else {
                server.stop_after_watchers()?;
            }
        }
        Ok(())
    }
}

/// Says how to go on with a run that stopped early: the same command, or without `--extend`,
/// which would add its trials again (they are planned already).
fn run_again(args: &RunArgs) -> String {
    match args.extend {
        Some(n) => format!(
            "run the same command again without --extend {n} (which would add {n} more trials \
             to the ones it planned)"
        ),
        None => "run the same command again".to_string(),
    }
}

/// Returns the trials side by side, and a note when the choice needs one: `asked` (by
/// `--parallel` or the file, checked to be at least 1), else, where the results depend on it,
/// the number a resumed experiment `started` with (so that a machine with other cores resumes
/// it as it ran), else one per core. Resuming with another number than it started with is noted
/// where the results depend on it (`flagged`: unless the file's `parallel:` changed, another
/// spec, which the run refuses, so that no note goes before that).
fn side_by_side(
    spec: &ExperimentSpec,
    (asked, flagged): (Option<u32>, bool),
    started: Option<u32>,
) -> (usize, Option<String>) {
    let cores = probe::cores();
    let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    match (asked, started) {
        (None, Some(p)) if spec.results_depend_on_parallel() => {
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
        (Some(n), Some(p)) if n != p && flagged && spec.results_depend_on_parallel() => {
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

/// Reads `--agent I/N`, `--exchange DIR` and `--quiet-after` (in milliseconds).
fn agent_options(
    agent: &str,
    exchange: &std::path::Path,
    quiet_after: i64,
) -> anyhow::Result<runner::AgentOptions> {
    let parsed = agent
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)));
    let (index, count) = match parsed {
        Some((_, n)) if n > store::MAX_AGENTS => bail!(
            "--agent {agent}: a study has at most {} agents",
            store::MAX_AGENTS
        ),
        Some((i, n)) if i < n => (i, n),
        Some((_, 0)) => bail!("--agent {agent}: the number of agents must be at least 1"),
        Some((i, n)) => bail!(
            "--agent {agent}: agent {i} of {n} does not exist; agents are numbered from 0 to the \
             count less one (0/{n} to {}/{n})",
            n.saturating_sub(1)
        ),
        None => bail!(
            "--agent {agent}: expected I/N, this agent's number (from 0) and the number of \
             agents, e.g. 0/4"
        ),
    };
    // The folder of one study's journals given for the exchange would start the study again
    // in a folder of its own below it.
    if store::Watcher::is_study_folder(exchange) {
        let parent = exchange.parent().unwrap_or(exchange);
        bail!(
            "--exchange {}: it holds the agent journals of one study; give the exchange folder \
             the other agents were started with, the one above it: --exchange {}",
            exchange.display(),
            experiment::shell_quote(&parent.display().to_string())
        );
    }
    Ok(runner::AgentOptions {
        agent: index,
        agents: count,
        exchange: exchange.to_path_buf(),
        // A trial waiting for another agent's starts at most this late.
        poll: std::time::Duration::from_millis(25),
        quiet_after: std::time::Duration::from_millis(u64::try_from(quiet_after).unwrap_or(1)),
    })
}

fn print_run_summary(
    spec: &ExperimentSpec,
    summary: &StudySummary,
    args: &RunArgs,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\n{}: {} ({} completed, {} pruned, {} failed{}); {} run now",
        spec.name,
        experiment::counted(
            u64::try_from(summary.trials.len()).unwrap_or(u64::MAX),
            "trial",
            "trials"
        ),
        summary.count(TrialState::Completed),
        summary.count(TrialState::Pruned),
        summary.count(TrialState::Failed),
        match summary.count(TrialState::Queued) {
            0 => String::new(),
            n => format!(", {n} stopped to run again"),
        },
        summary.ran,
    )?;
    if let Some(stopped) = summary.stopped {
        let started = summary.trials.len();
        let skipped = usize::try_from(summary.planned)
            .unwrap_or(usize::MAX)
            .saturating_sub(started);
        let rest = match skipped {
            0 => String::new(),
            n => format!(": the sweep ends there, {n} planned trials not started"),
        };
        let what = match (stopped, spec.target, spec.plateau) {
            (Stopped::Target(t), Some(target), _) => format!(
                "target {} {} {target} reached by trial {t}",
                spec.metric.name,
                spec.metric.goal.reach_sign(),
            ),
            (Stopped::Plateau(t), _, Some(rule)) => {
                let first = (t.0 + 1).saturating_sub(rule.patience);
                let last = spec
                    .plateau_state(&summary.trials)
                    .and_then(|s| s.last_improvement);
                let by = rule.margin();
                let on = if spec.is_multi_objective() {
                    let since =
                        last.map_or(String::new(), |id| format!(" (last joined: trial {id})"));
                    format!("joined the Pareto front{since}{by}")
                } else {
                    let best = last
                        .and_then(|id| Some((id, spec.objective_of(&summary.trials, id)?)))
                        .map_or(String::new(), |(id, v)| format!(" ({v:.4}, trial {id})"));
                    format!("improved the best {}{best}{by}", spec.metric.name)
                };
                format!("plateau: none of trials {first} to {t} {on}")
            }
            (other, ..) => format!("the sweep ended early at trial {}", other.trial()),
        };
        writeln!(out, "{what}{rest}")?;
    }
    let ranked = spec.rank(&summary.trials);
    output::leaderboard(
        &mut out,
        &ranked,
        &spec.objectives(),
        &spec.constraints,
        args.top,
    )?;
    if let Some(front) = spec.front_status(&summary.trials) {
        writeln!(out, "\nPareto front: {front}")?;
    }
    let best_label = if spec.is_multi_objective() {
        format!("best by {} on the front", spec.metric.name)
    } else {
        "best".to_string()
    };
    match &summary.best {
        Some(best) => writeln!(
            out,
            "{}{best_label}: trial {} with {} = {} (epoch {})",
            if spec.is_multi_objective() { "" } else { "\n" },
            best.id,
            spec.metric.name,
            output::metric(best.value(&spec.metric.name)),
            best.result.as_ref().map_or(0, |r| r.best_step.0),
        )?,
        None => match spec.constraints_status(&summary.trials) {
            Some(status) if summary.trials.iter().any(|t| t.result.is_some()) => {
                writeln!(
                    out,
                    "\nno best trial: no completed trial meets the constraints, {status}"
                )?;
            }
            _ if summary.count(TrialState::Completed) > 0 => writeln!(
                out,
                "\nno best trial: no completed trial has a value of {} (NaN)",
                spec.metric.name
            )?,
            _ => writeln!(out, "\nno trial completed")?,
        },
    }
    if let Some(edges) = spec.edge_status(&summary.trials) {
        writeln!(out, "note: {edges}")?;
    }
    writeln!(out, "results are in {}", args.store.store.display())?;
    Ok(())
}

/// Says why `--extend N` is refused with `--agent`, and what adds `n` trials to a study run by
/// agents: the run cap the store's experiment plans plus `n`, when the store holds it.
fn extend_under_agents(n: u32, spec: &ExperimentSpec, store: &Path) -> String {
    // A store another process holds, or none, gives the advice without the count.
    let planned = Some(store)
        .filter(|path| path.exists())
        .and_then(|path| open_store(path, StoreMode::Existing).ok())
        .and_then(|s| s.experiment(&spec.name).ok().flatten())
        .map(|e| e.run_cap);
    let cap = match planned {
        Some(cap) => format!(
            "--run-cap {} (`{}` plans {})",
            cap.saturating_add(n),
            spec.name,
            experiment::counted(cap, "trial", "trials")
        ),
        None => format!("a --run-cap {n} above the trials the study plans"),
    };
    let trials = experiment::counted(n, "trial", "trials");
    format!(
        "--extend cannot be used with --agent: an agent started again with the same command \
         would add its {trials} again. To add {trials} to a study run by agents, run every \
         agent with {cap} and a new --exchange folder; each agent's store already holds the \
         trials so far"
    )
}

/// Returns the trials the stored experiment `name` plans (its file's `run_cap`, raised by
/// `--extend` or `--run-cap`), when the store can say.
fn planned(store: &store::Store, name: &str) -> Option<u32> {
    store.experiment(name).ok().flatten().map(|e| e.run_cap)
}

/// Returns a line for an edit that only raised `run_cap` (the commonest way to ask for more
/// trials), saying how to add them to the stored experiment, whose file must stay as it ran;
/// `planned` is what the experiment plans now, which `--extend` may have raised past the file;
/// `agents` when agents run the study, which `--extend` is refused to.
fn run_cap_raised(
    stored: &str,
    spec: &ExperimentSpec,
    file: &Path,
    planned: Option<u32>,
    agents: bool,
) -> Option<String> {
    let mut then = ExperimentSpec::from_yaml_str(stored, file).ok()?;
    let (before, now) = (then.run_cap, spec.run_cap);
    then.run_cap = now;
    if now <= before || then.resolved_hash() != spec.resolved_hash() {
        return None;
    }
    let planned = planned.unwrap_or(before).max(before);
    let changed = format!("only `run_cap` changed, from {before} to {now}");
    let plans = experiment::counted(planned, "trial", "trials");
    Some(match now.checked_sub(planned).filter(|&n| n > 0) {
        Some(more) if agents => format!(
            "{changed}: to add the {more} trial{}, put `run_cap: {before}` back and run every \
             agent with `--run-cap {now}` and a new --exchange folder;\n",
            if more == 1 { "" } else { "s" }
        ),
        None if agents => format!(
            "{changed}, but the study already plans {plans} (its run cap was raised \
             since): put `run_cap: {before}` back, and run every agent with a higher --run-cap \
             and a new --exchange folder to add trials;\n"
        ),
        Some(more) => format!(
            "{changed}: to add the {more} trial{}, put `run_cap: {before}` back and pass \
             `--run-cap {now}` (or `--extend {more}`);\n",
            if more == 1 { "" } else { "s" }
        ),
        None => format!(
            "{changed}, but the experiment already plans {plans} (its run cap was \
             raised since): put `run_cap: {before}` back, and pass `--extend N` to add trials;\n"
        ),
    })
}

/// Says how a file's spec differs from the stored one it may not replace: as their settings
/// with every default filled in (the stored run's record against this file's), so that what
/// changed in meaning shows and layout, quoting or key order do not; as the files' lines where
/// the store holds no record, or where the settings read alike (a difference the settings do
/// not show, such as a changed `description:`).
fn spec_change(
    store: &store::Store,
    name: &str,
    (stored, current): (&str, &str),
    resolved_now: &str,
) -> String {
    let recorded = store.run_record(name).ok().flatten();
    let readable = output::readable_settings;
    match recorded.map(|r| output::line_diff(&readable(&r.resolved_spec), &readable(resolved_now)))
    {
        Some(diff) if !diff.is_empty() => {
            format!("; its settings, defaults filled in, stored (-) and in this file (+):\n{diff}")
        }
        _ => format!(":\n{}", output::line_diff(stored, current)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raised_run_cap_is_advised_as_agents_take_it() {
        let yaml = |cap: u32| {
            format!(
                "name: t\nrun_cap: {cap}\nparallel: 2\nmetric: {{name: val_loss}}\n\
                 data: {{csv: d.csv, target: y}}\n"
            )
        };
        let file = Path::new("t.yaml");
        let spec = ExperimentSpec::from_yaml_str(&yaml(10), file).unwrap();
        let agents = run_cap_raised(&yaml(8), &spec, file, Some(8), true).unwrap();
        assert_eq!(
            agents,
            "only `run_cap` changed, from 8 to 10: to add the 2 trials, put `run_cap: 8` back and \
             run every agent with `--run-cap 10` and a new --exchange folder;\n"
        );
        assert!(!agents.contains("--extend"), "refused to agents");
        let alone = run_cap_raised(&yaml(8), &spec, file, Some(8), false).unwrap();
        assert!(alone.contains("(or `--extend 2`)"), "{alone}");
    }
}
