//! `plateau:`: the sweep ends once its best has stopped improving (Ray Tune's
//! `ExperimentPlateauStopper`, Hyperopt's `no_progress_loss`); with several objectives, once
//! its Pareto front has.
//!
//! The rule reads trials by number, never by the order they ended, so that like the target it
//! does not depend on timing: trial `t` completes the plateau when trials `0..=t` have all ended
//! and the last `patience` of them (`t - patience + 1 ..= t`) did not improve on the trials
//! before them by more than `min_delta`. No trial numbered `t + parallel` or later starts then
//! (see `runner`).

use crate::{constraint, pareto, Constraint, MetricSpec, Trial, TrialId, TrialState};

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
    /// The last trial that improved, among the trials read: with one objective, the best (as
    /// far as `min_delta` tells).
    pub last_improvement: Option<TrialId>,
    /// Trials in a row, since the last improvement, that did not improve.
    pub flat: u32,
}

impl Plateau {
    /// Says the margin as messages add it: " by more than 0.001", or nothing for 0.
    pub fn margin(&self) -> String {
        match self.min_delta {
            d if d > 0.0 => format!(" by more than {d}"),
            _ => String::new(),
        }
    }

    /// Reads `trials` by number, from trial 0 up to the first that has not ended or the one
    /// that completes the plateau. A trial improves when it completed with a finite value of
    /// every objective, meets the `constraints`, and beats each earlier trial that improved by
    /// more than `min_delta` on at least one objective: with one objective, it beats the best
    /// so far by more than `min_delta` (the first such trial always improves); with several, it
    /// joins the Pareto front of the trials before it, by a margin. A pruned or failed trial
    /// never improves. Small gains count against the trials that improved, not the latest
    /// values, so a best creeping up by less than `min_delta` a trial still comes to a plateau.
    pub fn state(
        &self,
        trials: &[Trial],
        objectives: &[MetricSpec],
        constraints: &[Constraint],
    ) -> PlateauState {
        let mut ended: Vec<&Trial> = trials.iter().filter(|t| t.state.is_finished()).collect();
        ended.sort_by_key(|t| t.id);
        let mut state = PlateauState {
            reached: None,
            last_improvement: None,
            flat: 0,
        };
        // The oriented values (smaller is better) of the trials that improved.
        let mut improved: Vec<Vec<f64>> = Vec::new();
        for (number, trial) in (0u32..).zip(ended) {
            if trial.id.0 != number {
                break;
            }
            let values = pareto::oriented(trial, objectives)
                .filter(|v| v.iter().all(|x| x.is_finite()))
                .filter(|_| trial.state == TrialState::Completed)
                .filter(|_| constraint::feasible(constraints, trial));
            let improves = values.filter(|p| {
                improved
                    .iter()
                    .all(|q| p.iter().zip(q).any(|(a, b)| *a < b - self.min_delta))
            });
            match improves {
                Some(p) => {
                    improved.push(p);
                    state.last_improvement = Some(trial.id);
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Direction, Step, TrialResult};

    fn trial(id: u32, state: TrialState, value: Option<f64>) -> Trial {
        crate::testing::trial_with(id, state, "val_loss", value)
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
        let state = rule.state(&trials, &[loss()], &[]);
        assert_eq!(state.reached, Some(TrialId(4)));
        assert_eq!(state.last_improvement, Some(TrialId(1)));
        // The order the trials are given in does not matter, the numbers do.
        trials.reverse();
        assert_eq!(
            rule.state(&trials, &[loss()], &[]).reached,
            Some(TrialId(4))
        );
        // A trial before it that has not ended holds the rule up.
        trials.retain(|t| t.id != TrialId(2));
        trials.push(trial(2, Running, None));
        let state = rule.state(&trials, &[loss()], &[]);
        assert_eq!((state.reached, state.flat), (None, 0));
        // Small gains count against the best that last improved, not the last value.
        let creeping: Vec<Trial> = [1.0, 0.995, 0.989, 0.985, 0.984]
            .iter()
            .zip(0..)
            .map(|(v, i)| trial(i, Completed, Some(*v)))
            .collect();
        let state = rule.state(&creeping, &[loss()], &[]);
        assert_eq!(state.last_improvement, Some(TrialId(2)));
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
        let state = rule.state(&rising, std::slice::from_ref(&accuracy), &under);
        assert_eq!(state.last_improvement, Some(TrialId(3)));
        assert_eq!((state.reached, state.flat), (None, 2));
        let state = rule.state(&rising, &[accuracy], &[]);
        assert_eq!(state.reached, Some(TrialId(5)));
        assert_eq!(state.last_improvement, Some(TrialId(2)));
    }

    #[test]
    fn with_several_objectives_a_trial_improves_by_joining_the_front_before_it() {
        let rule = Plateau {
            patience: 2,
            min_delta: 0.0,
        };
        let objectives = [
            loss(),
            MetricSpec {
                name: "param_count".into(),
                goal: Direction::Minimize,
            },
        ];
        let two = |id: u32, loss: f64, size: f64| Trial {
            result: Some(TrialResult {
                best_step: Step(1),
                metrics: [
                    ("val_loss".to_string(), loss),
                    ("param_count".to_string(), size),
                ]
                .into_iter()
                .collect(),
            }),
            ..trial(id, TrialState::Completed, None)
        };
        let trials = [
            two(0, 1.0, 100.0),
            two(1, 2.0, 50.0),  // smaller: joins the front
            two(2, 2.0, 60.0),  // beaten by trial 1: flat 1
            two(3, 0.5, 200.0), // more accurate: joins the front
            two(4, 1.0, 100.0), // equal to trial 0: flat 1
            two(5, 0.6, 300.0), // beaten by trial 3: flat 2, reached
        ];
        let state = rule.state(&trials, &objectives, &[]);
        assert_eq!(state.reached, Some(TrialId(5)));
        assert_eq!(state.last_improvement, Some(TrialId(3)));
        // By a margin: trial 3 gains 0.5 of loss, trial 1 gains 50 of size.
        let margin = Plateau {
            patience: 3,
            min_delta: 0.6,
        };
        let state = margin.state(&trials, &objectives, &[]);
        assert_eq!(state.last_improvement, Some(TrialId(1)));
        assert_eq!(state.reached, Some(TrialId(4)));
    }
}
