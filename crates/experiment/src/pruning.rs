//! Pruner settings: which rule stops weak trials early, and its knobs.
//!
//! The rules themselves live in the `search` crate; this is the validated configuration, built
//! from the spec's `pruner:` block or from W&B's `early_terminate:` block.

/// A pruning rule and its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum PrunerSpec {
    /// Never prune.
    None,
    /// Prune a trial whose best value so far is worse than the median of the values the
    /// earlier trials reported at the same step (each trial's value at the step, not its best).
    Median {
        /// The trials numbered below it are never pruned: a trial number, not Optuna's count of
        /// trials that must have completed first.
        n_startup_trials: u32,
        /// Steps of each trial that are never pruned.
        n_warmup_steps: u32,
    },
    /// Optuna's percentile rule, of which the median is the 50th: prune a trial whose best
    /// value so far is not in the best `percentile` percent of the earlier trials' values at
    /// the same step (linearly interpolated).
    Percentile {
        /// The best share of values kept, in percent (0 to 100).
        percentile: f64,
        /// The trials numbered below it are never pruned, as `Median`'s.
        n_startup_trials: u32,
        /// Steps of each trial that are never pruned.
        n_warmup_steps: u32,
    },
    /// Optuna's threshold rule: prune a trial whose value at a step is below `lower`, above
    /// `upper`, or not a number; it reads no other trial.
    Threshold {
        /// The smallest value allowed.
        lower: Option<f64>,
        /// The largest value allowed.
        upper: Option<f64>,
        /// Steps of each trial that are never pruned.
        n_warmup_steps: u32,
    },
    /// Asynchronous successive halving: at rung `r` (step `min_resource * reduction_factor^r`) a
    /// trial continues only if its value is in the top `1 / reduction_factor` of its own and
    /// those of the earlier trials that reached the rung (each trial's best up to the rung; with
    /// fewer than `reduction_factor` values, it must be the best), as in ASHA and Optuna.
    Asha {
        /// The step of the first rung.
        min_resource: u32,
        /// The factor between rungs, and the inverse of the fraction kept.
        reduction_factor: u32,
    },
    /// Hyperband: several ASHA brackets with different first rungs; trial `k` belongs to bracket
    /// `k mod brackets`, and competes only within its bracket.
    Hyperband {
        /// The step of the first rung of the most aggressive bracket.
        min_resource: u32,
        /// The largest step a trial can reach.
        max_resource: u32,
        /// The factor between rungs.
        reduction_factor: u32,
        /// Whether a trial competes at its rungs with the earlier trials of every bracket (W&B's
        /// `strict`, more aggressive); otherwise only with those of its own bracket.
        strict: bool,
    },
    /// Consult the wrapped rule only once the trial has not improved by more than `min_delta`
    /// for `patience` steps; with `None` wrapped, prune as soon as patience runs out.
    Patience {
        /// Steps without improvement before the wrapped rule is asked.
        patience: u32,
        /// The smallest change that counts as an improvement.
        min_delta: f64,
        /// The rule asked once patience has run out.
        wrapped: Box<PrunerSpec>,
    },
}

impl PrunerSpec {
    /// Returns the rule's name as written in specs.
    pub fn name(&self) -> &'static str {
        match self {
            PrunerSpec::None => "none",
            PrunerSpec::Median { .. } => "median",
            PrunerSpec::Percentile { .. } => "percentile",
            PrunerSpec::Threshold { .. } => "threshold",
            PrunerSpec::Asha { .. } => "asha",
            PrunerSpec::Hyperband { .. } => "hyperband",
            PrunerSpec::Patience { .. } => "patience",
        }
    }

    /// Returns true when the rule can stop a trial.
    pub fn is_active(&self) -> bool {
        !matches!(self, PrunerSpec::None)
    }

    /// Returns the epochs at which a successive-halving rule judges trials that train at most
    /// `epochs`, as `sweep validate` says them: "epochs 2, 6, 18 and 54 of at most 60; at each,
    /// a trial goes on if in the top 1/3", and Hyperband's per bracket; a rung at the last
    /// epoch judges nothing (a trial has trained it whole) and is not said. A `patience` rule
    /// wrapping one says its rungs past the patience, with the trials it keeps whatever their
    /// rank. `None` for the other rules, which judge at every epoch.
    pub fn rungs_text(&self, epochs: u32) -> Option<String> {
        match self {
            PrunerSpec::Patience {
                patience,
                min_delta,
                wrapped,
            } => wrapped.halving_text(epochs, Some((*patience, *min_delta))),
            rule => rule.halving_text(epochs, None),
        }
    }

    /// Returns `rungs_text` for this rule, asked only once a trial has run out of `patience`
    /// (steps, least improvement) where that is given: a rung at or before the patience judges
    /// no trial, and at the others a trial still improving goes on whatever its rank.
    fn halving_text(&self, epochs: u32, patience: Option<(u32, f64)>) -> Option<String> {
        // The rungs from `first` on, times `factor` each, before the last epoch (at which no
        // rule judges: stopping there saves nothing), counted as Hyperband's first rungs are.
        let all_rungs = |first: u64, factor: u32| {
            hyperband_first_rungs(
                u32::try_from(first).unwrap_or(u32::MAX),
                epochs.saturating_sub(1),
                factor,
            )
        };
        // A trial runs out of patience after `patience + 1` epochs at the soonest.
        let waits = patience.map_or(0, |(p, _)| u64::from(p));
        let rungs = |first: u64, factor: u32| {
            let mut steps = all_rungs(first, factor);
            steps.retain(|&s| s > waits);
            steps
        };
        let listed = |steps: &[u64]| {
            let words: Vec<String> = steps.iter().map(u64::to_string).collect();
            match words.as_slice() {
                [] => "no epoch: it runs its trials to the end".to_string(),
                [one] => one.clone(),
                [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
            }
        };
        let goes_on = |factor: u32| match patience {
            None => format!("at each, a trial goes on if in the top 1/{factor}"),
            Some((p, min_delta)) => format!(
                "at each, a trial goes on if in the top 1/{factor} or still improving (by more \
                 than {min_delta} in its last {}: `patience`)",
                match p {
                    1 => "epoch".to_string(),
                    p => format!("{p} epochs"),
                }
            ),
        };
        match self {
            PrunerSpec::Asha {
                min_resource,
                reduction_factor,
            } => {
                let first = u64::from(*min_resource);
                let steps = rungs(first, *reduction_factor);
                let before = all_rungs(first, *reduction_factor);
                Some(match (steps.len(), patience) {
                    (0, Some((p, _))) if !before.is_empty() => format!(
                        "none: every rung before the last epoch ({epochs}), {}, comes before a \
                         trial can run out of `patience: {p}` (at epoch {} at the soonest)",
                        listed(&before),
                        u64::from(p) + 1
                    ),
                    (0, _) => format!(
                        "none: the first, at epoch {min_resource}, is not before the last \
                         ({epochs}), at which no trial is judged"
                    ),
                    (n, _) => format!(
                        "{} {} of at most {epochs}; {}",
                        if n == 1 { "epoch" } else { "epochs" },
                        listed(&steps),
                        goes_on(*reduction_factor)
                    ),
                })
            }
            PrunerSpec::Hyperband {
                min_resource,
                max_resource,
                reduction_factor,
                ..
            } => {
                let firsts = hyperband_first_rungs(*min_resource, *max_resource, *reduction_factor);
                let brackets: Vec<String> = firsts
                    .iter()
                    .enumerate()
                    .map(|(b, &first)| {
                        format!(
                            "bracket {b} at {}",
                            listed(&rungs(first, *reduction_factor))
                        )
                    })
                    .collect();
                Some(format!(
                    "{} (trial k in bracket k mod {}; of at most {epochs} epochs); {}",
                    brackets.join("; "),
                    firsts.len(),
                    goes_on(*reduction_factor)
                ))
            }
            _ => None,
        }
    }
}

impl crate::ExperimentSpec {
    /// Returns `PrunerSpec::rungs_text` for the most epochs a trial of this experiment trains
    /// (`most_epochs`), and where W&B's `early_terminate:` writes `max_iter` and a rung lies
    /// past it, that rungs go on to the last epoch: here `max_iter` (`max_resource`) bounds
    /// where Hyperband's brackets start, while W&B stops judging at it.
    pub fn rungs_text(&self) -> Option<String> {
        let epochs = self.most_epochs();
        let text = self.pruner.rungs_text(epochs)?;
        let PrunerSpec::Hyperband {
            min_resource,
            max_resource,
            reduction_factor,
            ..
        } = self.pruner
        else {
            return Some(text);
        };
        // Every bracket's rungs are among the first bracket's, which go highest.
        let past = self.wandb_hyperband.is_some_and(|w| w.max_iter_written)
            && hyperband_first_rungs(min_resource, epochs.saturating_sub(1), reduction_factor)
                .last()
                .is_some_and(|&rung| rung > u64::from(max_resource));
        Some(if past {
            format!(
                "{text}; rungs go on past `max_iter` ({max_resource}) to the last epoch: \
                 `max_iter` bounds where brackets start, not where judging stops (W&B stops at \
                 it)"
            )
        } else {
            text
        })
    }
}

impl crate::ExperimentSpec {
    /// Returns a note on W&B's `early_terminate.strict: true`, which is read with Sweep's
    /// meaning of `strict` (a trial competes at its rungs with every bracket's earlier trials),
    /// not W&B's (a run is judged by its value at the band, not its best so far), so that a file
    /// ported from W&B does not run another rule than it reads as; `None` otherwise.
    pub(crate) fn wandb_strict_note(&self) -> Option<String> {
        let strict = matches!(self.pruner, PrunerSpec::Hyperband { strict: true, .. });
        (strict && self.wandb_hyperband.is_some()).then(|| {
            "`early_terminate.strict: true` has a trial compete at its rungs with the earlier \
             trials of every bracket, not only its own bracket's; it is not W&B's `strict`, \
             which judges a run by its value at the band rather than its best so far (here a \
             trial is judged by its best value up to the rung either way)"
                .to_string()
        })
    }
}

/// Returns the first rung of each Hyperband bracket: bracket `b` starts at `min_resource *
/// reduction_factor^b`, for every such step up to `max_resource` (empty when `min_resource` lies
/// past it). The pruner and the note on brackets that never prune both count them so.
pub fn hyperband_first_rungs(
    min_resource: u32,
    max_resource: u32,
    reduction_factor: u32,
) -> Vec<u64> {
    let factor = u64::from(reduction_factor.max(2));
    std::iter::successors(Some(u64::from(min_resource.max(1))), |s| {
        s.checked_mul(factor)
    })
    .take_while(|s| *s <= u64::from(max_resource))
    .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::PrunerSpec;
    use crate::ExperimentSpec;

    #[test]
    fn issue_w_and_b_s_strict_is_noted_with_the_meaning_it_has_here() {
        let spec = |block: &str| {
            let text = format!(
                "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
                 train: {{epochs: 27}}\n{block}\nparameters:\n  lr: {{min: 0.001, max: 0.1}}\n"
            );
            ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml")).unwrap()
        };
        let strict = |block: &str| -> Vec<String> {
            spec(block)
                .notes(20)
                .into_iter()
                .filter(|n| n.contains("strict"))
                .collect()
        };
        assert_eq!(
            strict("early_terminate: {type: hyperband, min_iter: 3, eta: 3, strict: true}"),
            [
                "`early_terminate.strict: true` has a trial compete at its rungs with the earlier \
                 trials of every bracket, not only its own bracket's; it is not W&B's `strict`, \
                 which judges a run by its value at the band rather than its best so far (here a \
                 trial is judged by its best value up to the rung either way)"
            ]
        );
        // W&B's default, and Sweep's own `pruner:` key, mean what they say.
        assert!(strict("early_terminate: {type: hyperband, min_iter: 3, eta: 3}").is_empty());
        assert!(strict("pruner: {type: hyperband, min_resource: 3, strict: true}").is_empty());
    }

    #[test]
    fn rungs_are_said_up_to_the_last_epoch() {
        let asha = PrunerSpec::Asha {
            min_resource: 2,
            reduction_factor: 3,
        };
        assert_eq!(
            asha.rungs_text(60).as_deref(),
            Some(
                "epochs 2, 6, 18 and 54 of at most 60; at each, a trial goes on if in the top 1/3"
            )
        );
        // A rung at the last epoch judges nothing: the trial has trained it whole.
        assert_eq!(
            asha.rungs_text(3).as_deref(),
            Some("epoch 2 of at most 3; at each, a trial goes on if in the top 1/3")
        );
        for epochs in [1, 2] {
            assert_eq!(
                asha.rungs_text(epochs),
                Some(format!(
                    "none: the first, at epoch 2, is not before the last ({epochs}), at which no \
                     trial is judged"
                ))
            );
        }
        // A bracket whose first rung lies at or past the last epoch judges at none.
        let past = PrunerSpec::Hyperband {
            min_resource: 3,
            max_resource: 27,
            reduction_factor: 3,
            strict: false,
        };
        assert!(past
            .rungs_text(10)
            .is_some_and(|t| t.contains("bracket 2 at no epoch: it runs its trials to the end")));
        let hyperband = PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 30,
            reduction_factor: 3,
            strict: false,
        };
        assert_eq!(
            hyperband.rungs_text(30).as_deref(),
            Some(
                "bracket 0 at 1, 3, 9 and 27; bracket 1 at 3, 9 and 27; bracket 2 at 9 and 27; \
                 bracket 3 at 27 (trial k in bracket k mod 4; of at most 30 epochs); at each, a \
                 trial goes on if in the top 1/3"
            )
        );
        let wrapped = PrunerSpec::Patience {
            patience: 3,
            min_delta: 0.0,
            wrapped: Box::new(asha),
        };
        assert!(wrapped.rungs_text(60).is_some());
        let median = PrunerSpec::Median {
            n_startup_trials: 5,
            n_warmup_steps: 0,
        };
        assert_eq!(median.rungs_text(60), None);
    }

    #[test]
    fn issue_a_patience_rule_s_rungs_say_a_trial_still_improving_goes_on_whatever_its_rank() {
        let asha = PrunerSpec::Asha {
            min_resource: 1,
            reduction_factor: 2,
        };
        let patient = |patience: u32, wrapped: &PrunerSpec| PrunerSpec::Patience {
            patience,
            min_delta: 0.005,
            wrapped: Box::new(wrapped.clone()),
        };
        // The auditor's pat-asha.yaml: the rung at epoch 1 judges no trial (patience 1 needs a
        // value before the last), and one still improving goes on at every other.
        assert_eq!(
            patient(1, &asha).rungs_text(9).as_deref(),
            Some(
                "epochs 2, 4 and 8 of at most 9; at each, a trial goes on if in the top 1/2 or \
                 still improving (by more than 0.005 in its last epoch: `patience`)"
            )
        );
        assert_eq!(
            patient(3, &asha).rungs_text(9).as_deref(),
            Some(
                "epochs 4 and 8 of at most 9; at each, a trial goes on if in the top 1/2 or \
                 still improving (by more than 0.005 in its last 3 epochs: `patience`)"
            )
        );
        // No rung past the patience before the last epoch.
        assert_eq!(
            patient(4, &asha).rungs_text(5).as_deref(),
            Some(
                "none: every rung before the last epoch (5), 1, 2 and 4, comes before a trial \
                 can run out of `patience: 4` (at epoch 5 at the soonest)"
            )
        );
        let hyperband = PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 9,
            reduction_factor: 3,
            strict: false,
        };
        assert_eq!(
            patient(2, &hyperband).rungs_text(9).as_deref(),
            Some(
                "bracket 0 at 3; bracket 1 at 3; bracket 2 at no epoch: it runs its trials to \
                 the end (trial k in bracket k mod 3; of at most 9 epochs); at each, a trial goes \
                 on if in the top 1/3 or still improving (by more than 0.005 in its last 2 \
                 epochs: `patience`)"
            )
        );
    }
}
