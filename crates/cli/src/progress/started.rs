//! The line a study starts with: what it resumes, extends (and by which trials) or starts, or
//! why there is nothing to run.

use experiment::Stopped;
use runner::StudyPlan;

/// What raised the plan of a stored experiment whose trials all finished, for the line a study
/// starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Raise {
    /// The command line: `--extend` or a `--run-cap` above the stored plan. The run extends
    /// the experiment.
    Asked,
    /// The file's own `run_cap`, above the lower `--run-cap` an earlier run passed: the run
    /// resumes the file's sweep (a line of its own says the cap was raised), and does not say
    /// it extends it, which is what `--extend`, a command of its own, does.
    FileCap,
}

/// Returns the line a study starts with, and whether it runs (or follows) trials: what it
/// resumes, extends or starts, or why there is nothing to run; `grid_points` is the size of a
/// grid search, which no `--extend` goes beyond, and `stored_plan` the trials the stored
/// experiment planned before this run (`None` for a new one), and `raise` what raised it.
///
/// A run that plans more trials than the stored experiment, every one of which finished, says
/// which numbers the trials it runs get: by `--extend` or a higher `--run-cap` it extends the
/// experiment, by how many trials; by the file's `run_cap` (`Raise::FileCap`) it resumes the
/// file's sweep. A run that goes on with an extension an earlier run planned (it was stopped
/// part way) resumes it, adding nothing.
pub(super) fn started_line(
    plan: &StudyPlan,
    grid_points: Option<u32>,
    stored_plan: Option<u32>,
    raise: Raise,
) -> (String, bool) {
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
    let agent = match plan.agent {
        Some((i, n)) => format!(" as agent {i} of {n}"),
        None => String::new(),
    };
    let whole = match (extension(plan, stored_plan), raise) {
        (Some((added, numbers)), Raise::Asked) => {
            format!("extending {}{agent} by {added}, {numbers}", plan.experiment)
        }
        (Some((_, numbers)), Raise::FileCap) => {
            let trials = experiment::counted(plan.total, "trial", "trials");
            format!(
                "resuming {}{agent}: {trials}, {numbers} to run",
                plan.experiment
            )
        }
        (None, _) => {
            let verb = if plan.resumed { "resuming" } else { "starting" };
            let trials = experiment::counted(plan.total, "trial", "trials");
            format!("{verb} {}{agent}: {trials}", plan.experiment)
        }
    };
    let here = if plan.agent.is_some() { " here" } else { "" };
    let restored = match plan.restored {
        0 => String::new(),
        n => format!(", {n} of its own taken back from its journal"),
    };
    let running = if plan.to_run == 0 {
        "none of its own left to run; it follows the other agents' to the end".to_string()
    } else {
        format!("{} side by side{here}", plan.parallel)
    };
    let line = format!(
        "{whole} ({} already finished{restored}), {running}",
        plan.already_finished
    );
    (line, true)
}

/// Says the trials a run adds to the stored experiment that planned `stored_plan`, every one
/// finished, and the numbers they get (trials are numbered from 0, so the first added is
/// numbered as many as were planned), as "2 trials" and "trials 4 to 5"; `None` where the run
/// adds none, or the experiment is new or unfinished (it resumes).
fn extension(plan: &StudyPlan, stored_plan: Option<u32>) -> Option<(String, String)> {
    let before = stored_plan.filter(|before| plan.resumed && plan.already_finished >= *before)?;
    let last = plan.total.checked_sub(1).filter(|last| *last >= before)?;
    let added = experiment::counted(plan.total - before, "trial", "trials");
    Some(if last == before {
        (added, format!("trial {before}"))
    } else {
        (added, format!("trials {before} to {last}"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::plan;
    use super::*;

    #[test]
    fn an_agent_with_none_of_its_own_left_says_it_follows_the_others() {
        // Its own 3 trials are done, the other agent's 3 are not: the study is not finished.
        let (line, starts) = started_line(&plan(6, 3, 0, Some((0, 2))), None, None, Raise::Asked);
        assert_eq!(
            line,
            "resuming rnd as agent 0 of 2: 6 trials (3 already finished), none of its own left \
             to run; it follows the other agents' to the end"
        );
        assert!(starts);
        let (line, starts) = started_line(&plan(6, 6, 0, Some((0, 2))), None, None, Raise::Asked);
        assert!(
            line.starts_with("rnd: all 6 trials already finished; nothing to run"),
            "{line}"
        );
        assert!(!starts);
        let (line, _) = started_line(&plan(6, 6, 0, None), None, None, Raise::Asked);
        assert_eq!(
            line,
            "rnd: all 6 trials already finished; nothing to run (--extend N adds trials)"
        );
        let (line, _) = started_line(&plan(6, 2, 4, Some((1, 2))), None, None, Raise::Asked);
        assert_eq!(
            line,
            "resuming rnd as agent 1 of 2: 6 trials (2 already finished), 2 side by side here"
        );
    }

    #[test]
    fn issue_an_extension_says_how_many_trials_it_adds_and_their_numbers() {
        // 4 trials planned and finished, and `--extend 2`: trials 4 and 5 are added.
        let (line, starts) = started_line(&plan(6, 4, 2, None), None, Some(4), Raise::Asked);
        assert_eq!(
            line,
            "extending rnd by 2 trials, trials 4 to 5 (4 already finished), 2 side by side"
        );
        assert!(starts);
        let (line, _) = started_line(&plan(5, 4, 1, None), None, Some(4), Raise::Asked);
        assert_eq!(
            line,
            "extending rnd by 1 trial, trial 4 (4 already finished), 2 side by side"
        );
        // Under agents (by a higher --run-cap), with a trial taken back from the journal.
        let mut agents = plan(8, 4, 2, Some((1, 2)));
        agents.restored = 1;
        let (line, _) = started_line(&agents, None, Some(4), Raise::Asked);
        assert_eq!(
            line,
            "extending rnd as agent 1 of 2 by 4 trials, trials 4 to 7 (4 already finished, 1 of \
             its own taken back from its journal), 2 side by side here"
        );
    }

    /// Issue: after `sweep run rc.yaml --run-cap 1`, the plain `sweep run rc.yaml` (its file's
    /// `run_cap: 4` raising the plan) said "extending rc by 3 trials", though no `--extend` was
    /// given; it resumes the file's sweep, and says which trials it runs.
    #[test]
    fn issue_a_plan_the_files_run_cap_raised_resumes_and_does_not_say_it_extends() {
        let (line, starts) = started_line(&plan(4, 1, 3, None), None, Some(1), Raise::FileCap);
        assert_eq!(
            line,
            "resuming rnd: 4 trials, trials 1 to 3 to run (1 already finished), 2 side by side"
        );
        assert!(starts);
        let (line, _) = started_line(&plan(2, 1, 1, None), None, Some(1), Raise::FileCap);
        assert_eq!(
            line,
            "resuming rnd: 2 trials, trial 1 to run (1 already finished), 2 side by side"
        );
        // `--extend` (or a higher `--run-cap`) still extends.
        let (line, _) = started_line(&plan(4, 1, 3, None), None, Some(1), Raise::Asked);
        assert!(
            line.starts_with("extending rnd by 3 trials, trials 1 to 3"),
            "{line}"
        );
    }

    #[test]
    fn issue_a_resumed_extension_does_not_say_it_adds_its_trials_again() {
        // An extension to 6 trials stopped after trial 4: the store plans 6, and running again
        // finishes them, adding none.
        let (line, _) = started_line(&plan(6, 5, 1, None), None, Some(6), Raise::Asked);
        assert_eq!(
            line,
            "resuming rnd: 6 trials (5 already finished), 2 side by side"
        );
        // A raised plan of an experiment not finished resumes it, as it did.
        let (line, _) = started_line(&plan(8, 5, 3, None), None, Some(6), Raise::Asked);
        assert_eq!(
            line,
            "resuming rnd: 8 trials (5 already finished), 2 side by side"
        );
        // A new experiment starts.
        let (line, _) = started_line(&plan(6, 0, 6, None), None, None, Raise::Asked);
        assert_eq!(
            line,
            "starting rnd: 6 trials (0 already finished), 2 side by side"
        );
    }

    #[test]
    fn issue_a_finished_grid_offers_no_extend_and_one_trial_is_singular() {
        // Every point of a 3-point grid planned and run: `--extend` would be refused.
        let (line, starts) = started_line(&plan(3, 3, 0, None), Some(3), None, Raise::Asked);
        assert_eq!(
            line,
            "rnd: all 3 trials already finished; nothing to run (the grid's 3 points are all run)"
        );
        assert!(!starts);
        let (line, _) = started_line(&plan(3, 3, 0, Some((0, 2))), Some(3), None, Raise::Asked);
        assert!(
            line.ends_with("(the grid's 3 points are all run)"),
            "{line}"
        );
        // A grid with points left (a lower run_cap) may still grow.
        let (line, _) = started_line(&plan(2, 2, 0, None), Some(3), None, Raise::Asked);
        assert_eq!(
            line,
            "rnd: all 2 trials already finished; nothing to run (--extend N adds trials)"
        );
        let (line, _) = started_line(&plan(1, 1, 0, None), None, None, Raise::Asked);
        assert_eq!(
            line,
            "rnd: its 1 trial already finished; nothing to run (--extend N adds trials)"
        );
        let (line, _) = started_line(&plan(1, 1, 0, None), Some(1), None, Raise::Asked);
        assert!(line.ends_with("(the grid's 1 point is run)"), "{line}");
    }
}
