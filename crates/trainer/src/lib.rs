//! The training engine of Sweep: loads a CSV dataset, splits and normalizes it once per
//! experiment, and trains a multilayer perceptron per trial with dfdx, reporting metrics every
//! epoch through `experiment::Reporter`.
//!
//! `MlpObjective` is the crate's whole public face, apart from its errors. Every dfdx type stays
//! inside the crate, so the engine could be replaced without touching the study loop. Training
//! is deterministic on the CPU: the split draws from the experiment's seed, and a trial's
//! initial weights, batch order and dropout masks from the trial's seed; only `epoch_seconds`
//! differs between two runs of the same trial.

mod data;
mod device;
mod error;
mod kernels;
mod model;
mod objective;
mod optim;
mod prep;
mod train;
mod trial;

pub use error::{Error, Result};
pub use objective::{DataSummary, MlpObjective};
