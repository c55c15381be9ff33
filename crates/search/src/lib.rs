//! Samplers: how each trial's hyperparameters are chosen.
//!
//! A sampler is a pure function of (search space, finished history, running trials' parameters,
//! pinned values, seed, trial number, planned trials): it reads no clock and no global random
//! state, so the same experiment file always proposes the same parameters, in any order of
//! execution and with any number of trials side by side (as long as the runner hands it the same
//! history).
//!
//! The model-based samplers (`TpeSampler`, `GpSampler`, `CmaEsSampler`) work on an internal
//! representation of the space (`unit`): each numeric parameter as a real coordinate (its
//! logarithm for log distributions, a unit interval for Sobol, the Gaussian process and CMA-ES),
//! each categorical as an index. Conditional parameters are chosen in dependency order and left out where inactive.
//!
//! With several objectives (`more` in `sampler_for`), `tpe` and `bayes` learn from one score per
//! trial that combines them (`history::Combine`): the Pareto front and each trial's share of its hypervolume for `tpe`,
//! a weighted Chebyshev norm with weights drawn per trial (ParEGO) for `bayes`; `nsga2` and
//! `nsga3` (`Nsga2Sampler`) select their parents by front and crowding distance or reference
//! directions themselves.

#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless,
    clippy::cast_precision_loss
)]

mod cmaes;
mod draw;
mod gp;
mod grid;
mod history;
mod linalg;
mod nsga2;
mod optimize;
mod plausible;
mod pruner;
mod random;
mod sobol;
mod special;
mod tpe;
mod unit;
mod warm;

#[cfg(test)]
mod multi_objective;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

use experiment::{
    Constraint, ExperimentSpec, Method, MetricSpec, Params, SearchSpace, Seed, Trial, TrialId,
};

use cmaes::CmaEsSampler;
use gp::GpSampler;
use grid::GridSampler;
use nsga2::Nsga2Sampler;
use random::RandomSampler;
use sobol::SobolSampler;
use tpe::TpeSampler;

pub use gp::acquisition::greedy_trial;
pub use pruner::{consults_others, kept_whatever_pending, should_prune, Curve, PruneQuery};
pub use sobol::corner_start_note;
pub use warm::WarmSampler;

/// Errors of the `search` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A grid was asked for a point past its end.
    #[error("the grid has {size} points; trial {trial} is past its end")]
    GridExhausted {
        /// Number of grid points.
        size: u64,
        /// The trial asked for.
        trial: TrialId,
    },
    /// A grid was asked for over a continuous parameter.
    #[error("parameter `{0}` is continuous and cannot be gridded")]
    NotGriddable(String),
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What a sampler knows when it proposes one trial's parameters.
#[derive(Debug, Clone, Copy)]
pub struct SuggestContext<'a> {
    /// The space to sample.
    pub space: &'a SearchSpace,
    /// Finished trials (completed, pruned or failed) the proposal may learn from.
    pub finished: &'a [Trial],
    /// Parameters of trials started but not finished; the model-based samplers steer away from
    /// them (a "constant liar"), so trials side by side do not all try the same thing.
    pub running: &'a [Params],
    /// Values the proposal must take (an enqueued trial that gives some parameters and leaves
    /// the rest to the sampler): the sampler chooses the others given these. Each is active
    /// where its parameters given here place it. Every sampler but the grid (whose points are
    /// fixed, and which `enqueue:` is refused for) honours them.
    pub pinned: &'a Params,
    /// The trial whose parameters are wanted.
    pub trial: TrialId,
    /// How many trials the study plans, when known (at least the spec's planned trials, more
    /// where the experiment was lengthened past them): `bayes` spends the end of the plan
    /// greedily (its greedy tail).
    pub planned: Option<u32>,
}

/// Proposes hyperparameters for trials.
pub trait Sampler: std::fmt::Debug + Send + Sync {
    /// Returns the parameters of trial `trial`, given finished trials and no running ones.
    fn suggest(&self, space: &SearchSpace, history: &[Trial], trial: TrialId) -> Result<Params> {
        self.suggest_in(&SuggestContext {
            space,
            finished: history,
            running: &[],
            pinned: &Params::new(),
            trial,
            planned: None,
        })
    }

    /// Returns the parameters of `ctx.trial`, given everything in `ctx`.
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params>;

    /// Returns whether a proposal can depend on the finished and running trials when at most
    /// `visible` finished ones are given: where it cannot, the proposal is the same without
    /// them, and a runner need not wait for earlier trials to finish. Samplers that ignore
    /// history never learn; `tpe` and `bayes` not during their startup trials.
    fn learns_from(&self, visible: usize) -> bool;
}

/// Returns the sampler of `spec`: its method and seed, improving its objectives among the
/// trials that meet its constraints (`sampler_for`).
pub fn sampler_of(spec: &ExperimentSpec) -> Box<dyn Sampler> {
    sampler_for(
        spec.method,
        spec.seed,
        &spec.metric,
        &spec.more_objectives,
        &spec.constraints,
    )
}

/// Returns the sampler for `method`, seeded with the experiment's seed; the model-based ones
/// read each trial's values of the `objective` and of `more` objectives, and improve them in
/// their directions, among the trials that meet the `constraints`. With several objectives,
/// `tpe` learns from the trials' Pareto fronts, `bayes` from a differently weighted combination
/// at each trial, `nsga2` from fronts and crowding distances and `nsga3` from fronts and
/// reference directions; `cmaes` takes the first objective only (a spec with several refuses
/// it).
pub fn sampler_for(
    method: Method,
    seed: Seed,
    objective: &MetricSpec,
    more: &[MetricSpec],
    constraints: &[Constraint],
) -> Box<dyn Sampler> {
    let (objective, more, constraints) = (objective.clone(), more.to_vec(), constraints.to_vec());
    match method {
        Method::Grid(config) => Box::new(GridSampler::new(seed, config)),
        Method::Random => Box::new(RandomSampler::new(seed)),
        Method::Sobol(config) => Box::new(SobolSampler::new(seed, config)),
        Method::Tpe(config) => Box::new(
            TpeSampler::new(seed, config, objective)
                .with_constraints(constraints)
                .with_more_objectives(more),
        ),
        Method::Bayes(config) => Box::new(
            GpSampler::new(seed, config, objective)
                .with_constraints(constraints)
                .with_more_objectives(more),
        ),
        Method::CmaEs(config) => {
            Box::new(CmaEsSampler::new(seed, config, objective).with_constraints(constraints))
        }
        Method::Nsga2(config) => Box::new(
            Nsga2Sampler::new(seed, config, objective)
                .with_constraints(constraints)
                .with_more_objectives(more),
        ),
        Method::Nsga3(config) => Box::new(
            Nsga2Sampler::nsga3(seed, config, objective)
                .with_constraints(constraints)
                .with_more_objectives(more),
        ),
    }
}
