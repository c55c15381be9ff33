//! Progress display: an overall bar and one line per running trial (indicatif), or plain log
//! lines when stderr is not a terminal or is a dumb one (`terminal::draws_bars`).
//!
//! Times are written as everything else writes them (`experiment::format_duration`: `3.9s`,
//! `2m05s`), the bar's elapsed time too; the end summary says the sweep's (`sweep_elapsed`),
//! which a bar cleared at the end, or never drawn into a pipe, does not keep.
//!
//! This file is the observer and the events it shows; the bar's look (`bar`), the best so far
//! (`standing`), the line a study starts with (`started`) and what a sweep run by agents says
//! of the others (`agents`) are modules of their own.

mod agents;
mod bar;
#[cfg(test)]
mod fixtures;
mod standing;
mod started;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use dashboard::Notices;
use experiment::{
    Constraint, ExperimentSpec, Method, MetricPoint, MetricSpec, Step, Trial, TrialId, TrialState,
};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use runner::{Observer, QuietAgent, StudyPlan};

pub(crate) use self::agents::FollowObserver;
use self::agents::{agent_key, heard_line, quiet_line};
use self::bar::{bar_style, standing_text, BAR_TEMPLATE, WAITING_TEMPLATE};
use self::started::{started_line, Raise};

/// Shows a sweep's progress on stderr.
#[derive(Debug)]
pub(crate) struct ProgressObserver {
    multi: MultiProgress,
    overall: ProgressBar,
    lines: Mutex<BTreeMap<TrialId, ProgressBar>>,
    /// The best completed trial so far (with several objectives, the Pareto front), as every
    /// table ranks them: by `experiment::best_trial` and `pareto_front`, among the trials that
    /// meet the constraints (`leaders`).
    leaders: Mutex<Vec<Trial>>,
    metric: String,
    /// Every objective (several, or the one).
    objectives: Vec<MetricSpec>,
    /// The constraints a best trial must meet.
    constraints: Vec<Constraint>,
    epochs: String,
    interactive: bool,
    /// The study's plan, once started: says which agent runs a trial.
    plan: OnceLock<StudyPlan>,
    /// Where the sweep's dashboard shows whom the study waits for.
    notices: Notices,
    /// The experiment's name, which notices are shown under.
    experiment: String,
    /// The number of points of a grid search; `None` for other methods.
    grid_points: Option<u32>,
    /// The trials the stored experiment planned before this run, which the start line tells
    /// an extension by (`with_stored_plan`); `None` for a new experiment.
    stored_plan: Option<u32>,
    /// What is said as the study starts, after its first line (`with_raised_cap`): the line
    /// that says the file's `run_cap` raised the plan (or why it is not taken), and the note on
    /// the plan the sampler is told.
    at_start: AtStart,
    /// When the study started to run trials (`Observer::study_started`), if it did.
    started: OnceLock<Instant>,
}

/// What a run says as its study starts, right after the line it starts with
/// (`ProgressObserver::with_raised_cap`), once the study took the run: a run it refuses (another
/// spec, changed data) says none of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AtStart {
    /// The line that says the file's `run_cap` raised the plan, or the note that says why the
    /// file's cap is not taken; `None` where the run says nothing of the file's cap. Either
    /// makes the start line say the run resumes the file's sweep (`Raise::FileCap`).
    pub(crate) run_cap: Option<String>,
    /// The note that the sampler is told another plan than the experiment's last run was, and
    /// which trials may differ for it (`runner::StudyOptions::plan_note`); `None` where none
    /// does.
    pub(crate) plan: Option<String>,
}

impl ProgressObserver {
    /// Returns how long the sweep has run trials: from when its study started to run them;
    /// `None` when it ran none (nothing left to run, or refused before).
    pub(crate) fn sweep_elapsed(&self) -> Option<Duration> {
        self.started.get().map(Instant::elapsed)
    }

    /// Returns an observer for `spec`'s sweep.
    pub(crate) fn new(spec: &ExperimentSpec) -> ProgressObserver {
        // On a dumb terminal indicatif hides the bars and every line printed above them.
        let interactive = crate::terminal::draws_bars(
            std::io::stderr().is_terminal(),
            crate::terminal::term().as_deref(),
        );
        let target = if interactive {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(bar_style(WAITING_TEMPLATE));
        overall.set_prefix(spec.name.clone());
        let epochs = spec
            .fixed
            .get("epochs")
            .map_or_else(|| "?".to_string(), |v| v.to_string());
        ProgressObserver {
            multi,
            overall,
            lines: Mutex::new(BTreeMap::new()),
            leaders: Mutex::new(Vec::new()),
            metric: spec.metric.name.clone(),
            objectives: spec.objectives(),
            constraints: spec.constraints.clone(),
            epochs: if spec.space.param("epochs").is_some() {
                "?".into()
            } else {
                epochs
            },
            interactive,
            plan: OnceLock::new(),
            notices: Notices::default(),
            experiment: spec.name.clone(),
            grid_points: matches!(spec.method, Method::Grid(_))
                .then(|| spec.planned_trials(u32::MAX)),
            stored_plan: None,
            at_start: AtStart::default(),
            started: OnceLock::new(),
        }
    }

    /// Returns the observer also telling the sweep's dashboard, through `notices`, which
    /// agent the study waits for.
    pub(crate) fn with_notices(mut self, notices: Notices) -> ProgressObserver {
        self.notices = notices;
        self
    }

    /// Returns the observer knowing the trials the stored experiment planned before this run
    /// (`None` for a new one), so that a run that plans more once all of them finished says
    /// it extends the experiment, by how many trials and which.
    pub(crate) fn with_stored_plan(mut self, planned: Option<u32>) -> ProgressObserver {
        self.stored_plan = planned;
        self
    }

    /// Returns the observer saying the lines of `at_start` (that the file's `run_cap` raised
    /// the plan, or why it is not taken, then the note on the plan the sampler is told) right
    /// after the line the study starts with: only a study that took the run starts (one refused
    /// for changed data raised nothing), and a run stopped part way, or ended at once by a
    /// second Ctrl-C, has said them; above the bars, which do not draw over them.
    pub(crate) fn with_raised_cap(mut self, at_start: AtStart) -> ProgressObserver {
        self.at_start = at_start;
        self
    }

    /// Returns the overall bar's count and message as they stand, for tests.
    #[cfg(test)]
    fn overall_line(&self) -> String {
        format!(
            "{}/{} {}",
            self.overall.position(),
            self.overall.length().unwrap_or(0),
            self.overall.message()
        )
    }

    /// Clears the bars once the study is over.
    pub(crate) fn finish(&self) {
        self.overall.finish_and_clear();
        let _ = self.multi.clear();
        self.notices.clear_all();
    }

    /// Prints a line above the bars (alone without a terminal), with any text from the
    /// experiment file or an agent's journal in it (a categorical value, a failure's reason)
    /// shown, not run (`output::visible`).
    fn log(&self, line: String) {
        let line = crate::output::visible(&line).into_owned();
        if self.interactive {
            let _ = self.multi.println(line);
        } else {
            say!("{line}");
        }
    }
}

impl Observer for ProgressObserver {
    fn study_started(&self, plan: &StudyPlan) {
        let _ = self.plan.set(plan.clone());
        self.overall.set_length(u64::from(plan.total));
        self.overall.set_position(u64::from(plan.already_finished));
        self.overall.set_style(bar_style(BAR_TEMPLATE));
        // The line the file's `run_cap` raising the plan prints says what raised it.
        let raise = match self.at_start.run_cap {
            Some(_) => Raise::FileCap,
            None => Raise::Asked,
        };
        let (line, starts) = started_line(plan, self.grid_points, self.stored_plan, raise);
        self.log(line);
        let AtStart {
            run_cap,
            plan: told,
        } = &self.at_start;
        for said in [run_cap, told].into_iter().flatten() {
            self.log(said.clone());
        }
        if !starts {
            return;
        }
        let _ = self.started.set(Instant::now());
        // The bar's time and the piped lines' count from here too, as the summary's elapsed
        // does, not from when the bar was made (before the store was opened).
        self.overall.reset_elapsed();
        if let Some(warm) = &plan.warm_start {
            self.log(format!("warm start: {warm}"));
        }
        self.overall.enable_steady_tick(Duration::from_millis(200));
    }

    fn agent_quiet(&self, quiet: &QuietAgent) {
        let said = quiet_line(quiet);
        self.notices
            .set(&self.experiment, &agent_key(quiet), said.clone());
        self.log(said);
    }

    fn agent_heard(&self, heard: &QuietAgent) {
        self.notices.clear(&self.experiment, &agent_key(heard));
        self.log(heard_line(heard));
    }

    fn trial_started(&self, trial: &Trial) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("  {prefix} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(format!("trial {:>3}", trial.id));
        bar.set_message(format!(
            "starting  {}",
            crate::output::visible(&params_line(trial))
        ));
        if let Ok(mut lines) = self.lines.lock() {
            lines.insert(trial.id, bar);
        }
    }

    fn trial_reported(&self, trial: TrialId, step: Step, metrics: &[MetricPoint]) {
        let value = metrics
            .iter()
            .find(|m| m.name == self.metric)
            .map(|m| m.value);
        if let Ok(lines) = self.lines.lock() {
            if let Some(bar) = lines.get(&trial) {
                bar.set_message(format!(
                    "epoch {step:>3}/{}  {} {}",
                    self.epochs,
                    self.metric,
                    crate::output::named_metric(&self.metric, value)
                ));
            }
        }
    }

    fn trial_finished(&self, trial: &Trial) {
        if let Ok(mut lines) = self.lines.lock() {
            if let Some(bar) = lines.remove(&trial.id) {
                bar.finish_and_clear();
                self.multi.remove(&bar);
            }
        }
        // Counted before the best is named, so the bar never shows a best beside a count
        // that leaves its trial out.
        self.overall.inc(1);
        if trial.state == TrialState::Completed {
            if let Ok(mut leaders) = self.leaders.lock() {
                leaders.push(trial.clone());
                *leaders = self.leaders(&leaders);
                if let Some(message) = self.standing(&leaders) {
                    self.overall.set_message(message);
                }
            }
        }
        let detail = match (&trial.reason, trial.state) {
            (Some(reason), _) => format!(" ({reason})"),
            (None, _) => String::new(),
        };
        // The further objectives after the first, counts as counts.
        let more: String = self
            .objectives
            .iter()
            .skip(1)
            .map(|o| {
                let v = trial.value(&o.name);
                let shown = crate::output::named_metric(&o.name, v);
                format!(" {} {shown}", o.name)
            })
            .collect();
        // Another agent's trial, learned from its journal, says whose it is.
        let by = self
            .plan
            .get()
            .and_then(|plan| {
                let agent = plan.agent_of(trial.id)?;
                (Some(agent) != plan.agent.map(|(i, _)| i)).then(|| format!(" (agent {agent})"))
            })
            .unwrap_or_default();
        // Without the bar (into a pipe or a file), each line says what the bar would.
        let standing = if self.interactive {
            String::new()
        } else {
            format!(
                "  [{}]",
                standing_text(
                    self.overall.position(),
                    self.overall.length(),
                    self.overall.elapsed()
                )
            )
        };
        self.log(format!(
            "trial {:>3}{by} {:<9} {} {}{more}{}  {}{standing}",
            trial.id,
            trial.state.as_str(),
            self.metric,
            crate::output::named_metric(&self.metric, trial.value(&self.metric)),
            detail,
            params_line(trial)
        ));
    }
}

/// Returns a trial's parameters as `name=value`, in name order, separated by spaces.
fn params_line(trial: &Trial) -> String {
    trial
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}
