//! The device a trial trains on, chosen at compile time.
//!
//! This is the one place where a `cuda` build will differ from a CPU build, as a pair of
//! `#[cfg]` twins; everything else is generic over `dfdx::tensor_ops::Device<f32>` (with the
//! `Kernels` fast paths of `kernels.rs`). A device is created per trial from the trial's seed.

use dfdx::tensor::Cpu;
use experiment::Seed;

/// The device trials train on in this build.
pub(crate) type TrainDevice = Cpu;

/// Returns a fresh device whose own RNG starts from `seed`.
///
/// No operation used today draws from the device's RNG (dropout masks are drawn on the host),
/// but a fresh, seeded device per trial keeps any future one deterministic: clones of a dfdx
/// device share one RNG, so trials must not share a device.
pub(crate) fn new_device(seed: Seed) -> TrainDevice {
    Cpu::seed_from_u64(seed.0)
}
