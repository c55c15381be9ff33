//! The device a trial trains on, chosen at compile time.
//!
//! This is the one place where a `cuda` build will differ from a CPU build, as a pair of
//! `#[cfg]` twins; everything else is generic over `dfdx::tensor_ops::Device<f32>`. A device is
//! created per trial from the trial's seed, because clones of a dfdx device share one RNG.

use dfdx::tensor::Cpu;
use experiment::Seed;

/// The device trials train on in this build.
pub(crate) type TrainDevice = Cpu;

/// Returns a fresh device whose random draws (dropout masks) start from `seed`.
pub(crate) fn new_device(seed: Seed) -> TrainDevice {
    Cpu::seed_from_u64(seed.0)
}
