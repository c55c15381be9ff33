//! The line a study starts with: what it resumes or starts, or why there is nothing to run.

use experiment::Stopped;
use runner::StudyPlan;

/// Returns the line a study starts with, and whether it runs (or follows) trials: what it
/// resumes or starts, or why there is nothing to run; `grid_points` is the size of a grid
/// search, which no `--extend` goes beyond.
pub(super) fn started_line(plan: &StudyPlan, grid_points: Option<u32>) -> (String, bool) {
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::plan;
    use super::*;

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
