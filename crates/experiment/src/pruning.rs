//! Pruner settings: which rule stops weak trials early, and its knobs.
//!
//! The rules themselves live in the `search` crate; this is the validated configuration, built
//! from the spec's `pruner:` block or from W&B's `early_terminate:` block.

/// A pruning rule and its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum PrunerSpec {
    /// Never prune.
    None,
    /// Prune a trial whose best value so far is worse than the median of earlier trials' best
    /// values up to the same step.
    Median {
        /// Trials that must have finished before any pruning.
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
        /// Trials that must have finished before any pruning.
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
    /// trial continues only if it is in the top `1 / reduction_factor` of the earlier trials
    /// that reached the rung.
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
