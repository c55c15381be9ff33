//! Where a completed trial of a study with several objectives stands against the Pareto front:
//! said on the trial page, the compare page and by `sweep show`.

use crate::{pareto, ExperimentSpec, Trial, TrialState};

/// Where a completed trial of a study with several objectives stands against the Pareto front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontStanding {
    /// On the front, one of this many trials.
    On(usize),
    /// Off it because it breaks a constraint.
    Breaks,
    /// Off it, dominated by this trial of the front (the first by number).
    BeatenBy(Option<u32>),
}

impl FrontStanding {
    /// Says where `trial` stands against `front` (the Pareto front of the experiment's trials,
    /// `ExperimentSpec::pareto_front`); `None` with one objective, or for a trial that did not
    /// complete with values.
    pub fn of(spec: &ExperimentSpec, front: &[&Trial], trial: &Trial) -> Option<FrontStanding> {
        if !spec.is_multi_objective() || trial.state != TrialState::Completed {
            return None;
        }
        let objectives = spec.objectives();
        let own = pareto::oriented(trial, &objectives)?;
        if !crate::feasible(&spec.constraints, trial) {
            return Some(FrontStanding::Breaks);
        }
        if front.iter().any(|t| t.id == trial.id) {
            return Some(FrontStanding::On(front.len()));
        }
        // A trial off the front is dominated by one on it; name the first by number.
        let beaten_by = front
            .iter()
            .filter(|t| {
                pareto::oriented(t, &objectives).is_some_and(|p| pareto::dominates(&p, &own))
            })
            .map(|t| t.id.0)
            .min();
        Some(FrontStanding::BeatenBy(beaten_by))
    }

    /// A sentence: `on it, one of 9 trials`, `off the front: trial 4 is as good on every
    /// objective and better on one`.
    pub fn sentence(self) -> String {
        match self {
            FrontStanding::On(n) => format!("on it, one of {n} trials"),
            FrontStanding::Breaks => "off the front: it breaks a constraint".into(),
            FrontStanding::BeatenBy(Some(id)) => {
                format!("off the front: trial {id} is as good on every objective and better on one")
            }
            FrontStanding::BeatenBy(None) => "off the front".into(),
        }
    }

    /// A table cell: `on it`, `off: trial 4 beats it`.
    pub fn cell(self) -> String {
        match self {
            FrontStanding::On(_) => "on it".into(),
            FrontStanding::Breaks => "off: breaks a constraint".into(),
            FrontStanding::BeatenBy(Some(id)) => format!("off: trial {id} beats it"),
            FrontStanding::BeatenBy(None) => "off".into(),
        }
    }
}
