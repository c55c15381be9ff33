//! `plateau:`: the sweep ends once its best trial has stopped improving (Ray Tune's
//! `ExperimentPlateauStopper`, Hyperopt's `no_progress_loss`).
//!
//! The rule reads trials by number, never by the order they ended, so that like the target it
//! does not depend on timing: trial `t` completes the plateau when trials `0..=t` have all ended
//! and the last `patience` of them (`t - patience + 1 ..= t`) did not improve the best of the
//! trials before each by more than `min_delta`. No trial numbered `t + parallel` or later starts
//! then (see `runner`).

use crate::{constraint, Constraint, Direction, MetricSpec, Trial, TrialId, TrialState};

/// The sweep's stopping rule on a flat best value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plateau {
    /// Trials in a row, by number, that do not improve the best before the sweep ends.
    pub patience: u32,
    /// The smallest change of the best value that counts as an improvement.
    pub min_delta: f64,
}

/// Where `trials` stand against a plateau rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateauState {
    /// The trial that completed the plateau, if one did.
    pub reached: Option<TrialId>,
    /// The last trial that improved the best, and the best value, among the trials read.
    pub best: Option<(TrialId, f64)>,
    /// Trials in a row, since the last improvement, that did not improve it.
    pub flat: u32,
}

impl Plateau {
    /// Reads `trials` by number, from trial 0 up to the first that has not ended or the one
    /// that completes the plateau. A trial improves the best when it completed, meets the
    /// `constraints` and beats the best value of the trials before it that improved it by more
    /// than `min_delta` (the first such trial always does); a pruned or failed trial never does.
    pub fn state(
        &self,
        trials: &[Trial],
        objective: &MetricSpec,
        constraints: &[Constraint],
    ) -> PlateauState {
        let mut ended: Vec<&Trial> = trials.iter().filter(|t| t.state.is_finished()).collect();
        ended.sort_by_key(|t| t.id);
        let mut state = PlateauState {
            reached: None,
            best: None,
            flat: 0,
        };
        for (number, trial) in (0u32..).zip(ended) {
            if trial.id.0 != number {
                break;
            }
            let value = trial
                .value(&objective.name)
                .filter(|v| v.is_finite())
                .filter(|_| trial.state == TrialState::Completed)
                .filter(|_| constraint::feasible(constraints, trial));
            let improves = value.filter(|v| {
                state
                    .best
                    .is_none_or(|(_, best)| self.improves(objective.goal, *v, best))
            });
            match improves {
                Some(v) => {
                    state.best = Some((trial.id, v));
                    state.flat = 0;
                }
                None => {
                    state.flat += 1;
                    if state.flat >= self.patience {
                        state.reached = Some(trial.id);
                        break;
                    }
                }
            }
        }
        state
    }

    /// Returns whether `value` beats `best` by more than `min_delta` in direction `goal`.
    fn improves(&self, goal: Direction, value: f64, best: f64) -> bool {
        match goal {
            Direction::Maximize => value > best + self.min_delta,
            Direction::Minimize => value < best - self.min_delta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Params, Seed, Step, TrialResult};

    fn trial(id: u32, state: TrialState, value: Option<f64>) -> Trial {
        Trial {
            id: TrialId(id),
            params: Params::new(),
            seed: Seed(0),
            state,
            reason: None,
            started: None,
            finished: None,
            result: value.map(|v| TrialResult {
                best_step: Step(1),
                metrics: [("val_loss".to_string(), v)].into_iter().collect(),
            }),
        }
    }

    fn loss() -> MetricSpec {
        MetricSpec {
            name: "val_loss".into(),
            goal: Direction::Minimize,
        }
    }

    #[test]
    fn the_plateau_is_read_by_trial_number_and_needs_every_trial_before_it() {
        use TrialState::{Completed, Failed, Pruned, Running};
        let rule = Plateau {
            patience: 3,
            min_delta: 0.01,
        };
        let mut trials = vec![
            trial(0, Completed, Some(1.0)),
            trial(1, Completed, Some(0.5)),   // improves
            trial(2, Completed, Some(0.495)), // by less than min_delta: flat 1
            trial(3, Pruned, Some(0.1)),      // pruned: flat 2
            trial(4, Failed, None),           // flat 3: reached
            trial(5, Completed, Some(0.1)),
        ];
        let state = rule.state(&trials, &loss(), &[]);
        assert_eq!(state.reached, Some(TrialId(4)));
        assert_eq!(state.best, Some((TrialId(1), 0.5)));
        // The order the trials are given in does not matter, the numbers do.
        trials.reverse();
        assert_eq!(rule.state(&trials, &loss(), &[]).reached, Some(TrialId(4)));
        // A trial before it that has not ended holds the rule up.
        trials.retain(|t| t.id != TrialId(2));
        trials.push(trial(2, Running, None));
        let state = rule.state(&trials, &loss(), &[]);
        assert_eq!((state.reached, state.flat), (None, 0));
        // Small gains count against the best that last improved, not the last value.
        let creeping: Vec<Trial> = [1.0, 0.995, 0.989, 0.985, 0.984]
            .iter()
            .zip(0..)
            .map(|(v, i)| trial(i, Completed, Some(*v)))
            .collect();
        let state = rule.state(&creeping, &loss(), &[]);
        assert_eq!(state.best, Some((TrialId(2), 0.989)));
        assert_eq!((state.reached, state.flat), (None, 2));
        // Maximized, and with a trial that breaks a constraint (it never improves).
        let accuracy = MetricSpec {
            name: "val_loss".into(),
            goal: Direction::Maximize,
        };
        let under = [Constraint {
            metric: "val_loss".into(),
            min: None,
            max: Some(0.9),
        }];
        let rising: Vec<Trial> = [0.5, 0.8, 0.95, 0.85, 0.855, 0.858]
            .iter()
            .zip(0..)
            .map(|(v, i)| trial(i, Completed, Some(*v)))
            .collect();
        let state = rule.state(&rising, &accuracy, &under);
        assert_eq!(state.best, Some((TrialId(3), 0.85)));
        assert_eq!((state.reached, state.flat), (None, 2));
        let state = rule.state(&rising, &accuracy, &[]);
        assert_eq!(state.reached, Some(TrialId(5)));
        assert_eq!(state.best, Some((TrialId(2), 0.95)));
    }
}
