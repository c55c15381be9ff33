//! Samplers: how each trial's hyperparameters are chosen.
//!
//! A sampler is a pure function of (search space, finished history, seed, trial number): it reads
//! no clock and no global random state, so the same experiment file always proposes the same
//! parameters, in any order of execution and with any number of trials side by side.

#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

mod draw;
mod grid;
mod random;

use experiment::{Method, Params, SearchSpace, Seed, Trial, TrialId};

pub use grid::GridSampler;
pub use random::RandomSampler;

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

/// Proposes hyperparameters for trials.
pub trait Sampler: std::fmt::Debug + Send + Sync {
    /// Returns the parameters of trial `trial`, given the trials before it.
    fn suggest(&self, space: &SearchSpace, history: &[Trial], trial: TrialId) -> Result<Params>;
}

/// Returns the sampler for `method`, seeded with the experiment's seed.
pub fn sampler_for(method: Method, seed: Seed) -> Box<dyn Sampler> {
    match method {
        Method::Grid => Box::new(GridSampler),
        // FIXME: sobol, tpe and bayes draw at random until their samplers land.
        Method::Random | Method::Sobol(_) | Method::Tpe(_) | Method::Bayes(_) => {
            Box::new(RandomSampler::new(seed))
        }
    }
}
