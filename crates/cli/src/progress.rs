//! Progress display: an overall bar and one line per running trial (indicatif), or plain log
//! lines when stderr is not a terminal or is a dumb one (`terminal::draws_bars`).
//!
//! Times are written as everything else writes them (`experiment::format_duration`: `3.9s`,
//! `2m05s`), the bar's elapsed time too; the end summary says the sweep's (`sweep_elapsed`),
//! which a bar cleared at the end, or never drawn into a pipe, does not keep.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use dashboard::Notices;
use experiment::{
    Constraint, ExperimentSpec, Method, MetricPoint, MetricSpec, Step, Stopped, Trial, TrialId,
    TrialState,
};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use runner::{Observer, QuietAgent, StudyPlan};

/// The overall bar once the study's plan is known: the trials finished of those planned, and
/// the time since the study started to run trials, written as `format_duration` writes it.
const BAR_TEMPLATE: &str = "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} trials  {ran}  {msg}";

/// The overall bar before the plan is known: no count yet (it would read `0/0 trials`).
const WAITING_TEMPLATE: &str = "{prefix:.bold} {msg}";

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
    /// When the study started to run trials (`Observer::study_started`), if it did.
    started: OnceLock<Instant>,
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
            started: OnceLock::new(),
        }
    }

    /// Returns the observer also telling the sweep's dashboard, through `notices`, which
    /// agent the study waits for.
    pub(crate) fn with_notices(mut self, notices: Notices) -> ProgressObserver {
        self.notices = notices;
        self
    }

    /// Returns the best of `candidates` (with several objectives, their Pareto front), ranked
    /// as every table ranks them. The best of all completed trials is the best of the last
    /// leaders and the newly completed trial (a trial another beat, or dominated, stays so), so
    /// each completion weighs the leaders alone, not every trial so far.
    fn leaders(&self, candidates: &[Trial]) -> Vec<Trial> {
        if self.objectives.len() > 1 {
            experiment::pareto_front(candidates, &self.objectives, &self.constraints)
                .into_iter()
                .cloned()
                .collect()
        } else {
            experiment::best_trial(candidates, &self.objectives, &self.constraints)
                .into_iter()
                .cloned()
                .collect()
        }
    }

    /// Says the best trial so far (or the size of the Pareto front, with several objectives)
    /// from the `leaders`; `None` while no completed trial meets the constraints.
    fn standing(&self, leaders: &[Trial]) -> Option<String> {
        if self.objectives.len() > 1 {
            (!leaders.is_empty()).then(|| {
                format!(
                    "Pareto front {}",
                    experiment::counted(
                        u64::try_from(leaders.len()).unwrap_or(u64::MAX),
                        "trial",
                        "trials"
                    )
                )
            })
        } else {
            let best = leaders.first()?;
            Some(format!(
                "best {} {} (trial {})",
                self.metric,
                crate::output::metric(best.value(&self.metric)),
                best.id
            ))
        }
    }

    /// Returns the observer counting the trials an earlier run finished in the best so far (or
    /// the front) and in the trials finished, so that a resumed or extended sweep's line starts
    /// from them.
    pub(crate) fn with_earlier(self, earlier: &[Trial]) -> ProgressObserver {
        let finished = earlier.iter().filter(|t| t.state.is_finished()).count();
        self.overall
            .set_position(u64::try_from(finished).unwrap_or(u64::MAX));
        let completed: Vec<Trial> = earlier
            .iter()
            .filter(|t| t.state == TrialState::Completed)
            .cloned()
            .collect();
        let leaders = self.leaders(&completed);
        if let Some(message) = self.standing(&leaders) {
            self.overall.set_message(message);
        }
        if let Ok(mut held) = self.leaders.lock() {
            *held = leaders;
        }
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

/// Returns the line a study starts with, and whether it runs (or follows) trials: what it
/// resumes or starts, or why there is nothing to run; `grid_points` is the size of a grid
/// search, which no `--extend` goes beyond.
fn started_line(plan: &StudyPlan, grid_points: Option<u32>) -> (String, bool) {
    if let (0, Some(stopped)) = (plan.to_run, plan.stopped) {
        let why = match stopped {
            Stopped::Target(t) => format!("its target was reached by trial {t}"),
            Stopped::Plateau(t) => format!(
                "its best stopped improving (`plateau:`), up to trial {t} (a longer patience \
                 is another experiment: give it a new `name:`)"
            ),
        };
        return (format!("{}: {why}; nothing to run", plan.experiment), false);
    }
    // An agent with none of its own left may still wait for the others'.
    if plan.to_run == 0 && (plan.agent.is_none() || plan.already_finished >= plan.total) {
        let more = match (grid_points, plan.agent) {
            (Some(points), _) if plan.total >= points => match points {
                1 => "the grid's 1 point is run".to_string(),
                n => format!("the grid's {n} points are all run"),
            },
            // A restarted agent would add `--extend`'s trials again.
            (_, Some(_)) => "every agent with a higher --run-cap and a new --exchange folder \
                             adds trials"
                .to_string(),
            (_, None) => "--extend N adds trials".to_string(),
        };
        let finished = match plan.total {
            1 => "its 1 trial".to_string(),
            n => format!("all {n} trials"),
        };
        let line = format!(
            "{}: {finished} already finished; nothing to run ({more})",
            plan.experiment
        );
        return (line, false);
    }
    let verb = if plan.resumed { "resuming" } else { "starting" };
    let agent = match plan.agent {
        Some((i, n)) => format!(" as agent {i} of {n}"),
        None => String::new(),
    };
    let here = if plan.agent.is_some() { " here" } else { "" };
    let restored = match plan.restored {
        0 => String::new(),
        n => format!(", {n} of its own taken back from its journal"),
    };
    let trials = experiment::counted(plan.total, "trial", "trials");
    let running = if plan.to_run == 0 {
        "none of its own left to run; it follows the other agents' to the end".to_string()
    } else {
        format!("{} side by side{here}", plan.parallel)
    };
    let line = format!(
        "{verb} {}{agent}: {trials} ({} already finished{restored}), {running}",
        plan.experiment, plan.already_finished
    );
    (line, true)
}

impl Observer for ProgressObserver {
    fn study_started(&self, plan: &StudyPlan) {
        let _ = self.plan.set(plan.clone());
        self.overall.set_length(u64::from(plan.total));
        self.overall.set_position(u64::from(plan.already_finished));
        self.overall.set_style(bar_style(BAR_TEMPLATE));
        let (line, starts) = started_line(plan, self.grid_points);
        self.log(line);
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
                    crate::output::metric(value)
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
                let shown = experiment::count_or_metric_text(v);
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
            crate::output::metric(trial.value(&self.metric)),
            detail,
            params_line(trial)
        ));
    }
}

/// Returns the overall bar's style with `template`, whose `{ran}` is the bar's elapsed time
/// (from when the study started to run trials, `study_started`), as `format_duration` writes it.
fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "ran",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&format_duration(state.elapsed()));
            },
        )
        .progress_chars("=> ")
}

/// Says what the bar shows, for a line written without it: the trials finished of those
/// planned and the time since the sweep began, as "3/8 trials, 12.4s".
fn standing_text(finished: u64, planned: Option<u64>, elapsed: Duration) -> String {
    format!(
        "{finished}/{} trials, {}",
        planned.unwrap_or(finished),
        format_duration(elapsed)
    )
}

fn params_line(trial: &Trial) -> String {
    trial
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Formats a wait as the rest of the output does (`1m05s`, `4.2s`).
fn format_duration(duration: Duration) -> String {
    experiment::format_duration(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

/// The key of an agent's notice on the dashboard.
fn agent_key(quiet: &QuietAgent) -> String {
    format!("agent-{}", quiet.agent)
}

/// Says which agent the study waits for, and what to do about it.
pub(crate) fn quiet_line(quiet: &QuietAgent) -> String {
    let (i, n) = (quiet.agent, quiet.agents);
    let quiet_for = format_duration(quiet.quiet_for);
    let journal = quiet.journal.display();
    let task = if quiet.measuring {
        format!("which measures trial {} on the test split", quiet.trial)
    } else {
        format!("which runs trial {}", quiet.trial)
    };
    if quiet.joined {
        format!(
            "waiting for agent {i} of {n}, {task}: its journal {journal} has not changed for \
             {quiet_for}; if it stopped, start it again with its command (--agent {i}/{n})"
        )
    } else {
        format!(
            "waiting for agent {i} of {n}, {task}: it has not joined (nothing in {journal} after \
             {quiet_for}); start it with --agent {i}/{n} and this file, --exchange and parallel"
        )
    }
}

/// Says that an agent reported quiet is heard from again.
pub(crate) fn heard_line(heard: &QuietAgent) -> String {
    let (i, n) = (heard.agent, heard.agents);
    let quiet_for = format_duration(heard.quiet_for);
    if heard.joined {
        format!("agent {i} of {n} is heard from again, after {quiet_for} quiet")
    } else {
        format!("agent {i} of {n} joined, after {quiet_for}")
    }
}

/// What a follower of agents' journals (`sweep serve --exchange`) says of the study it follows:
/// whom it waits for, on the study's dashboard page and standard error.
pub(crate) struct FollowObserver {
    pub(crate) experiment: String,
    pub(crate) notices: Notices,
}

impl Observer for FollowObserver {
    fn agent_quiet(&self, quiet: &QuietAgent) {
        let said = quiet_line(quiet);
        say!(
            "{}: {}",
            crate::output::visible(&self.experiment),
            crate::output::visible(&said)
        );
        self.notices.set(&self.experiment, &agent_key(quiet), said);
    }

    fn agent_heard(&self, heard: &QuietAgent) {
        say!(
            "{}: {}",
            crate::output::visible(&self.experiment),
            crate::output::visible(&heard_line(heard))
        );
        self.notices.clear(&self.experiment, &agent_key(heard));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(total: u32, finished: u32, to_run: u32, agent: Option<(u32, u32)>) -> StudyPlan {
        StudyPlan {
            experiment: "rnd".into(),
            total,
            already_finished: finished,
            parallel: 2,
            resumed: finished > 0,
            to_run,
            stopped: None,
            agent,
            restored: 0,
            warm_start: None,
        }
    }

    /// A completed trial with `val_loss` and `param_count` at step 1.
    fn completed(id: u32, loss: f64, count: f64) -> Trial {
        Trial {
            id: TrialId(id),
            seed: experiment::Seed(0),
            params: experiment::Params::new(),
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: Some(experiment::TrialResult {
                best_step: Step(1),
                metrics: [
                    ("val_loss".to_string(), loss),
                    ("param_count".to_string(), count),
                ]
                .into(),
            }),
        }
    }

    #[test]
    fn the_best_so_far_is_the_best_that_meets_the_constraints() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             constraints:\n  param_count: {max: 2000}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let progress = ProgressObserver::new(&spec);
        // The lowest loss breaks the constraint: the line names the feasible one, as the
        // final table does, and nothing while no completed trial is feasible.
        let mut leaders = Vec::new();
        let mut said = Vec::new();
        for trial in [
            completed(0, 0.1, 2500.0),
            completed(1, 0.3, 1500.0),
            completed(2, 0.2, 1900.0),
            completed(3, 0.25, 1000.0),
        ] {
            leaders.push(trial);
            leaders = progress.leaders(&leaders);
            said.push(progress.standing(&leaders));
        }
        assert_eq!(
            said,
            [
                None,
                Some("best val_loss 0.3000 (trial 1)".to_string()),
                Some("best val_loss 0.2000 (trial 2)".to_string()),
                Some("best val_loss 0.2000 (trial 2)".to_string()),
            ]
        );
        assert_eq!(leaders.len(), 1);
    }

    #[test]
    fn the_front_kept_from_completion_to_completion_is_the_front_of_every_trial() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric:\n  - {name: val_loss, goal: minimize}\n  \
             - {name: param_count, goal: minimize}\ndata: {csv: d.csv, target: y}\n\
             constraints:\n  param_count: {max: 9000}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let progress = ProgressObserver::new(&spec);
        let (mut all, mut leaders) = (Vec::new(), Vec::new());
        // A fixed scatter of losses and sizes, ties and infeasible sizes among them.
        let mut x: u64 = 7;
        for id in 0..60 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let loss = f64::from(u32::try_from(x >> 59).unwrap_or(0)) / 8.0;
            let count = f64::from(u32::try_from((x >> 40) % 11).unwrap_or(0)) * 1000.0;
            let trial = completed(id, loss, count);
            all.push(trial.clone());
            leaders.push(trial);
            leaders = progress.leaders(&leaders);
            let front: Vec<TrialId> =
                experiment::pareto_front(&all, &spec.objectives(), &spec.constraints)
                    .iter()
                    .map(|t| t.id)
                    .collect();
            assert_eq!(leaders.iter().map(|t| t.id).collect::<Vec<_>>(), front);
        }
        assert!(leaders.len() > 1, "a front of several trials is tested");
    }

    #[test]
    fn a_resumed_sweeps_best_so_far_counts_the_trials_finished_before() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let mut pruned = completed(1, 0.05, 1000.0);
        pruned.state = TrialState::Pruned;
        let progress =
            ProgressObserver::new(&spec).with_earlier(&[completed(0, 0.1, 1000.0), pruned]);
        let mut leaders = progress.leaders.lock().expect("not poisoned").clone();
        assert_eq!(
            progress.standing(&leaders).as_deref(),
            Some("best val_loss 0.1000 (trial 0)")
        );
        // A worse trial of this run leaves the earlier best standing.
        leaders.push(completed(2, 0.3, 1000.0));
        assert_eq!(
            progress.standing(&progress.leaders(&leaders)).as_deref(),
            Some("best val_loss 0.1000 (trial 0)")
        );
        // The bar starts from the 2 trials finished before, not from 0 (nor `0/0` before the
        // plan is known: its count is not drawn until then).
        assert_eq!(
            progress.overall_line(),
            "2/0 best val_loss 0.1000 (trial 0)"
        );
        progress.study_started(&plan(4, 2, 2, None));
        assert_eq!(
            progress.overall_line(),
            "2/4 best val_loss 0.1000 (trial 0)"
        );
    }

    #[test]
    fn issue_a_line_written_without_the_bar_says_its_count_and_time() {
        let text = standing_text(3, Some(8), Duration::from_millis(12_440));
        assert_eq!(text, "3/8 trials, 12.4s");
    }

    #[test]
    fn an_agent_with_none_of_its_own_left_says_it_follows_the_others() {
        // Its own 3 trials are done, the other agent's 3 are not: the study is not finished.
        let (line, starts) = started_line(&plan(6, 3, 0, Some((0, 2))), None);
        assert_eq!(
            line,
            "resuming rnd as agent 0 of 2: 6 trials (3 already finished), none of its own left \
             to run; it follows the other agents' to the end"
        );
        assert!(starts);
        let (line, starts) = started_line(&plan(6, 6, 0, Some((0, 2))), None);
        assert!(
            line.starts_with("rnd: all 6 trials already finished; nothing to run"),
            "{line}"
        );
        assert!(!starts);
        let (line, _) = started_line(&plan(6, 6, 0, None), None);
        assert_eq!(
            line,
            "rnd: all 6 trials already finished; nothing to run (--extend N adds trials)"
        );
        let (line, _) = started_line(&plan(6, 2, 4, Some((1, 2))), None);
        assert_eq!(
            line,
            "resuming rnd as agent 1 of 2: 6 trials (2 already finished), 2 side by side here"
        );
    }

    #[test]
    fn issue_a_finished_grid_offers_no_extend_and_one_trial_is_singular() {
        // Every point of a 3-point grid planned and run: `--extend` would be refused.
        let (line, starts) = started_line(&plan(3, 3, 0, None), Some(3));
        assert_eq!(
            line,
            "rnd: all 3 trials already finished; nothing to run (the grid's 3 points are all run)"
        );
        assert!(!starts);
        let (line, _) = started_line(&plan(3, 3, 0, Some((0, 2))), Some(3));
        assert!(
            line.ends_with("(the grid's 3 points are all run)"),
            "{line}"
        );
        // A grid with points left (a lower run_cap) may still grow.
        let (line, _) = started_line(&plan(2, 2, 0, None), Some(3));
        assert_eq!(
            line,
            "rnd: all 2 trials already finished; nothing to run (--extend N adds trials)"
        );
        let (line, _) = started_line(&plan(1, 1, 0, None), None);
        assert_eq!(
            line,
            "rnd: its 1 trial already finished; nothing to run (--extend N adds trials)"
        );
        let (line, _) = started_line(&plan(1, 1, 0, None), Some(1));
        assert!(line.ends_with("(the grid's 1 point is run)"), "{line}");
    }
}
