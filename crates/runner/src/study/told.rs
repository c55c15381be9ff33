//! The plan the sampler is told (`search::SuggestContext::planned`), and the note a resume
//! gives where it differs from the one the experiment's last run was told.
//!
//! Only `bayes` with `log_ei` reads the plan: its greedy tail (`Acquisition::LogEi`'s
//! `greedy_tail`) counts back from the plan's end, so the same trial number may be chosen
//! greedily under one plan and not under another. Every other sampler draws the same trials
//! whatever plan it is told. The run record keeps the plan told in the last run
//! (`RunRecord::planned`); a record written before it was kept has none, and says nothing of
//! the plan its runs were told: versions before cea51a8 told the run cap stored then, and
//! those from it on (the release ffad32c among them) the file's plan, without writing it. So
//! the note is given only where the record says the plan it was told: a false note is worse
//! than none.

use std::collections::BTreeSet;

use experiment::{Acquisition, ExperimentSpec, Method, Trial};
use store::{ExperimentInfo, RunRecord};

use super::open::asked_plan;
use super::StudyOptions;

/// Returns the plan the sampler is told when the experiment plans `run_cap` trials: the file's
/// planned trials, or `run_cap` where `--extend` or a `--run-cap` above the file's lengthened
/// it, so that a `--run-cap` below the file's runs the first trials of the file's sweep.
pub(crate) fn sampler_plan(spec: &ExperimentSpec, run_cap: u32) -> u32 {
    run_cap.max(spec.planned_trials(spec.run_cap))
}

impl StudyOptions {
    /// Returns the note a resume of the `stored` experiment (its run record `recorded`, the
    /// trials it holds `drawn`) asked with `run_cap` and `extend` (`--run-cap`, or the file's
    /// cap where it raises the plan, and `--extend`) gives where its sampler is told another
    /// plan than the last run was (`RunRecord::planned`) and a trial it has yet to draw could
    /// come out otherwise for it: "`e` was run before with a plan of 4 trials and goes on with
    /// a plan of 6: trial 3 may differ from what that plan would have drawn (bayes' greedy tail
    /// counts from the plan)". `None` where the plans are
    /// the same, the record says no plan (none, or one written before `planned` was kept: its
    /// runs may have been told the run cap stored or the file's plan), the sampler reads no
    /// plan, or no trial left to draw depends on it.
    pub fn plan_note(
        spec: &ExperimentSpec,
        (stored, recorded): (&ExperimentInfo, Option<&RunRecord>),
        drawn: &[Trial],
        (run_cap, extend): (Option<u32>, Option<u32>),
    ) -> Option<String> {
        let Method::Bayes(bayes) = &spec.method else {
            return None;
        };
        let Acquisition::LogEi { greedy_tail } = bayes.acquisition else {
            return None;
        };
        let then = recorded.and_then(|r| r.planned)?;
        let planned = asked_plan(spec, (run_cap, extend), stored.run_cap)?;
        let now = sampler_plan(spec, planned);
        if then == now {
            return None;
        }
        // A trial numbered `k` sees at most `k` trials of its own: below the startup trials,
        // without a warm start, it is drawn quasi-randomly, whatever the plan.
        let startup = if spec.warm_start.is_some() {
            0
        } else {
            bayes.n_startup_trials.max(1)
        };
        let held: BTreeSet<u32> = drawn.iter().map(|t| t.id.0).collect();
        let undrawn: Vec<u32> = (0..planned).filter(|k| !held.contains(k)).collect();
        // From the first trial chosen otherwise, the later ones learn from another trial too.
        // Only a trial of the earlier plan can be chosen otherwise than it would have been:
        // one past it (an `--extend` of a finished sweep) was no part of that plan.
        let first = undrawn.iter().position(|&k| {
            k >= startup
                && k < then
                && search::greedy_trial(greedy_tail, k, then)
                    != search::greedy_trial(greedy_tail, k, now)
        })?;
        let differ = &undrawn[first..];
        let trials = match differ {
            [one] => format!("trial {one}"),
            [a, b] => format!("trials {a} and {b}"),
            [a, .., z] => format!("trials {a} to {z}"),
            [] => return None,
        };
        Some(format!(
            "`{}` was run before with a plan of {} and goes on with a plan of {now}: {trials} \
             may differ from what that plan would have drawn (bayes' greedy tail counts from the \
             plan)",
            spec.name,
            experiment::counted(then, "trial", "trials"),
        ))
    }
}
