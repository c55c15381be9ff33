//! How a sweep whose study has returned ends: the summary and leaderboard, a signal or the
//! time limit, the test split, the dashboard kept up or stopped, and the outcome.

use std::io::Write;

use experiment::{ExperimentSpec, Stopped, TrialState};
use runner::StudySummary;
use trainer::MlpObjective;

use crate::args::RunArgs;
use crate::commands::{quoted, serve};
use crate::interrupt;
use crate::output;
use crate::time_limit::TimeLimit;
use crate::Outcome;

/// A sweep whose study has returned, and what saying how it went needs.
pub(super) struct Ended<'a> {
    pub(super) args: &'a RunArgs,
    pub(super) spec: &'a ExperimentSpec,
    pub(super) store: &'a store::Store,
    pub(super) objective: &'a MlpObjective,
    pub(super) summary: &'a StudySummary,
    pub(super) interrupts: &'a interrupt::Interrupts,
    /// How long the sweep ran trials (`ProgressObserver::sweep_elapsed`), if it ran any.
    pub(super) elapsed: Option<std::time::Duration>,
}

impl Ended<'_> {
    /// Prints the summary and how the sweep ended (a signal, the time limit), measures the
    /// best trial on the test split (also when the summary cannot be printed), keeps the
    /// dashboard up or stops it, and returns the outcome.
    pub(super) fn report(
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
        let printed = print_run_summary(self.spec, summary, args).and_then(|()| {
            self.print_times()?;
            if let Some(limit) = timed_out {
                writeln!(
                    crate::standard_output::lock(),
                    "\ntime limit of {limit} reached: {} of {} finished; {} to carry on",
                    summary.finished(),
                    experiment::counted(summary.planned, "trial", "trials"),
                    run_again(args)
                )?;
            }
            Ok(())
        });
        if interrupted {
            printed?;
            return self.stopped_early(dashboard);
        }
        if let Err(e) = printed {
            // The output cannot be written (its reader gone: `sweep run ... | head -1`, which
            // ends the command with 141; or a full disk, 74): the best trial is measured on the
            // test split all the same, its result stored for `sweep show` as after any sweep
            // that ran to its end. Its own lines meet the same output, once the result is
            // stored: a failure that says nothing more.
            match self.test_split() {
                Err(measuring) if !crate::standard_output::failed(&measuring) => {
                    tracing::warn!(error = %format!("{measuring:#}"), "no test split measured");
                }
                _ => {}
            }
            return Err(e);
        }
        if let Some(outcome) = self.test_split()? {
            // A signal came as the last trial ended: the sweep ends as a stopped one does, its
            // dashboard kept up by `--serve-after` or stopped once its watchers saw the end.
            let code = interrupts.exit_code();
            interrupts.end_with(code);
            self.keep_or_stop(dashboard, Some(code))?;
            return Ok(outcome);
        }
        interrupts.end_with(code);
        self.close_dashboard(dashboard)?;
        match all_failed {
            true => Ok(Outcome::AllTrialsFailed),
            false => Ok(Outcome::Success),
        }
    }

    /// Says how long the sweep ran and how long any trial of the experiment ran, as `sweep
    /// show` counts it (attempts cut off too), whatever the output is: a bar cleared at the end,
    /// or never drawn into a pipe, does not keep its time.
    fn print_times(&self) -> anyhow::Result<()> {
        let traced = self.store.traced_trials(&self.spec.name)?;
        let kept: Vec<_> = traced
            .iter()
            .flat_map(|(trial, trace)| trace.spans(trial, false))
            .collect();
        let busy = experiment::busy_ms(&self.summary.trials, &kept, None);
        if let Some(line) = times_line(self.elapsed, busy) {
            writeln!(crate::standard_output::lock(), "{line}")?;
        }
        Ok(())
    }

    /// Says how to resume a sweep a signal stopped, closes its dashboard as the end of any sweep
    /// does (`keep_or_stop`: its watching pages see it `interrupted`, with the command that
    /// resumes it), and returns the signal's outcome.
    fn stopped_early(&self, dashboard: Option<dashboard::Server>) -> anyhow::Result<Outcome> {
        let summary = self.summary;
        let planned = summary.planned;
        let finished = summary.finished();
        // Not said from the trials this agent's store holds: another agent's trials that never
        // started are not among them.
        if summary.awaiting_test {
            writeln!(
                crate::standard_output::lock(),
                "\nstopped while waiting for the test split's result from the agent that ran \
                 the best trial; every trial had finished: run the same command again to wait \
                 for it"
            )?;
        } else {
            writeln!(
                crate::standard_output::lock(),
                "\nstopped early: {finished} of {} finished; {} to resume{}",
                experiment::counted(planned, "trial", "trials"),
                run_again(self.args),
                from_scratch(summary.count(TrialState::Queued))
            )?;
        }
        let code = self.interrupts.exit_code();
        self.keep_or_stop(dashboard, Some(code))?;
        Ok(Outcome::Interrupted(code))
    }

    /// Measures the best trial on the test split, or says why not: an agent's study the time
    /// limit left unfinished, or a signal that came as the last trial ended, which returns the
    /// signal's outcome (the caller then ends the dashboard as a stopped sweep's).
    fn test_split(&self) -> anyhow::Result<Option<Outcome>> {
        if self.args.agent.is_some() && self.summary.interrupted {
            // Timed out with the study unfinished: measuring the best trial so far could mean
            // training another agent's trial again, and the study's own measure is to come.
            writeln!(
                crate::standard_output::lock(),
                "\nno test split measured yet: an agent's study measures it once every trial has \
                 ended, by the agent that ran the best one"
            )?;
        } else if self.interrupts.stop.requested() {
            // A signal came as the last trial ended, before the measure began.
            say!("\n{}", interrupt::NOT_TESTED);
            return Ok(Some(Outcome::Interrupted(self.interrupts.exit_code())));
        } else {
            crate::commands::tested::after_run(
                self.store,
                self.spec,
                self.objective,
                self.summary.best.as_ref(),
            )?;
        }
        Ok(None)
    }

    /// Says how to browse the results of a sweep that ran to its end, and closes its dashboard
    /// (`keep_or_stop`).
    fn close_dashboard(&self, dashboard: Option<dashboard::Server>) -> anyhow::Result<()> {
        let args = self.args;
        if !args.serve_after {
            writeln!(
                crate::standard_output::lock(),
                "\nbrowse them: sweep serve --store {}",
                quoted(&args.store.store)
            )?;
        }
        self.keep_or_stop(dashboard, None)
    }

    /// Keeps the dashboard of a sweep that ended up with `--serve-after`, until Ctrl-C or
    /// SIGTERM, or stops it once the pages that watch it have seen the end (`stop_after_watchers`,
    /// a wait of a few seconds at most, none when nobody watches). `stopped` is the exit code of
    /// a sweep a signal stopped, which the signal that closes the dashboard ends the process
    /// with (`Interrupts::end_with`), as it ends that of a sweep that ran to its end with what
    /// the sweep ended with.
    fn keep_or_stop(
        &self,
        dashboard: Option<dashboard::Server>,
        stopped: Option<u8>,
    ) -> anyhow::Result<()> {
        let Some(server) = dashboard else {
            return Ok(());
        };
        if self.args.serve_after {
            let link = serve::link(&server, &self.args.dashboard);
            match stopped {
                Some(code) => say!(
                    "the dashboard stays up at {link}, showing the sweep stopped; press Ctrl-C to \
                     stop it (the process then exits {code}, as stopped)"
                ),
                None => say!("the dashboard stays up at {link}; press Ctrl-C to stop"),
            }
            server.wait()?;
        } else {
            server.stop_after_watchers()?;
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

/// Returns what the line of a stopped sweep says of its `queued` trials, those a stop cut off
/// (in this run or an earlier one): they run again from scratch. Nothing where the stop cut
/// none off (it kept every running trial, each at its last epoch, and only trials that never
/// started are left).
fn from_scratch(queued: usize) -> &'static str {
    match queued {
        0 => "",
        1 => " (the stopped trial runs again from scratch)",
        _ => " (the stopped trials run again from scratch)",
    }
}

/// Prints what the sweep ran: the trials by state, why it ended early, the leaderboard, the
/// best trial (or why there is none) and where the results are.
fn print_run_summary(
    spec: &ExperimentSpec,
    summary: &StudySummary,
    args: &RunArgs,
) -> anyhow::Result<()> {
    let mut out = crate::standard_output::lock();
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
    if let Some(line) = stopped_line(spec, summary) {
        writeln!(out, "{line}")?;
    }
    let ranked = spec.rank(&summary.trials);
    output::leaderboard(
        &mut out,
        &ranked,
        &spec.objectives(),
        &spec.constraints,
        (args.top, spec.name.as_str(), args.store.store.as_path()),
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
            output::named_metric(&spec.metric.name, best.value(&spec.metric.name)),
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
            _ => {
                writeln!(out)?;
                for line in
                    super::failed::no_trial_completed(spec, &summary.trials, &args.store.store)
                {
                    writeln!(out, "{line}")?;
                }
            }
        },
    }
    if let Some(edges) = spec.edge_status(&summary.trials) {
        writeln!(out, "note: {edges}")?;
    }
    writeln!(
        out,
        "results are in {}",
        output::visible_path(&args.store.store)
    )?;
    Ok(())
}

/// Returns the line that says how long the sweep ran (`elapsed`, `None` when it ran no trial)
/// and how long any trial of the experiment ran, every run of it counted (`busy`, in ms);
/// `None` without either.
fn times_line(elapsed: Option<std::time::Duration>, busy: Option<i64>) -> Option<String> {
    let elapsed = elapsed.map(|d| {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        format!("elapsed {}", experiment::format_duration(ms))
    });
    let busy = busy.map(|ms| {
        format!(
            "busy {} (while any trial ran, every run counted)",
            experiment::format_duration(ms)
        )
    });
    let said: Vec<String> = elapsed.into_iter().chain(busy).collect();
    (!said.is_empty()).then(|| said.join("; "))
}

/// Returns the line that says why the sweep ended before its run cap (its target reached, or
/// the plateau, with the best value as `experiment::metric_text` writes it), and the planned
/// trials it left unstarted; `None` when it ran to its cap.
fn stopped_line(spec: &ExperimentSpec, summary: &StudySummary) -> Option<String> {
    let stopped = summary.stopped?;
    let started = summary.trials.len();
    let skipped = usize::try_from(summary.planned)
        .unwrap_or(usize::MAX)
        .saturating_sub(started);
    let rest = match skipped {
        0 => String::new(),
        n => format!(
            ": the sweep ends there, {} not started",
            experiment::counted(
                u64::try_from(n).unwrap_or(u64::MAX),
                "planned trial",
                "planned trials"
            )
        ),
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
                let since = last.map_or(String::new(), |id| format!(" (last joined: trial {id})"));
                format!("joined the Pareto front{since}{by}")
            } else {
                let best = last
                    .and_then(|id| Some((id, spec.objective_of(&summary.trials, id)?)))
                    .map_or(String::new(), |(id, v)| {
                        format!(
                            " ({}, trial {id})",
                            experiment::named_metric_text(&spec.metric.name, Some(v))
                        )
                    });
                format!("improved the best {}{best}{by}", spec.metric.name)
            };
            format!("plateau: none of trials {first} to {t} {on}")
        }
        (other, ..) => format!("the sweep ended early at trial {}", other.trial()),
    };
    Some(format!("{what}{rest}"))
}

#[cfg(test)]
mod tests {
    use experiment::{Params, Seed, Step, Trial, TrialId, TrialResult};

    use super::*;

    fn completed(id: u32, value: f64) -> Trial {
        Trial {
            id: TrialId(id),
            seed: Seed(1),
            params: Params::new(),
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: Some(TrialResult {
                best_step: Step(1),
                metrics: [("val_rmse".to_string(), value)].into_iter().collect(),
            }),
        }
    }

    #[test]
    fn issue_a_stop_that_cut_no_trial_off_says_no_trial_runs_again() {
        assert_eq!(from_scratch(0), "");
        assert_eq!(
            from_scratch(1),
            " (the stopped trial runs again from scratch)"
        );
        assert_eq!(
            from_scratch(2),
            " (the stopped trials run again from scratch)"
        );
    }

    #[test]
    fn issue_the_summary_says_the_time_elapsed_and_busy_whatever_the_output() {
        let elapsed = Some(std::time::Duration::from_millis(3_940));
        assert_eq!(
            times_line(elapsed, Some(125_000)).as_deref(),
            Some("elapsed 3.9s; busy 2m05s (while any trial ran, every run counted)")
        );
        assert_eq!(
            times_line(None, Some(80)).as_deref(),
            Some("busy 80ms (while any trial ran, every run counted)")
        );
        assert_eq!(times_line(None, None), None);
    }

    /// Returns the line a plateau after trials 0 to 2 (`values` of minimized `metric`) ends a
    /// 4-trial sweep with.
    fn plateau_line(metric: &str, values: [f64; 3]) -> Option<String> {
        let spec = ExperimentSpec::from_yaml_str(
            &format!(
                "name: e\nmetric: {{name: {metric}, goal: minimize}}\nrun_cap: 5\n\
                 plateau: {{patience: 2}}\ndata: {{csv: d.csv, target: y}}\nparameters:\n  \
                 lr: {{values: [0.1, 0.2]}}\n"
            ),
            std::path::Path::new("e.yaml"),
        )
        .unwrap();
        let trials = (0..3)
            .zip(values)
            .map(|(id, value)| {
                let mut trial = completed(id, value);
                trial.result = Some(TrialResult {
                    best_step: Step(1),
                    metrics: [(metric.to_string(), value)].into_iter().collect(),
                });
                trial
            })
            .collect();
        let summary = StudySummary {
            trials,
            ran: 3,
            planned: 4,
            best: None,
            interrupted: false,
            stopped: Some(Stopped::Plateau(TrialId(2))),
            awaiting_test: false,
        };
        stopped_line(&spec, &summary)
    }

    #[test]
    fn issue_a_plateaus_tiny_best_is_written_as_every_metric_not_rounded_away() {
        assert_eq!(
            plateau_line("val_rmse", [2.42e-5, 3e-4, 1e-3]).as_deref(),
            Some(
                "plateau: none of trials 1 to 2 improved the best val_rmse (2.42e-5, trial 0): \
                 the sweep ends there, 1 planned trial not started"
            )
        );
    }

    #[test]
    fn issue_a_count_objectives_best_is_written_as_a_count() {
        // `param_count`, the same at every epoch, read `49.0000` where `sweep ls` says `49`.
        let line = plateau_line("param_count", [49.0, 60.0, 70.0]).unwrap_or_default();
        assert!(line.contains("(49, trial 0)"), "{line}");
    }
}
