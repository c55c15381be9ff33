//! The device a trial trains on: the CPU, or with the `cuda` feature a CUDA GPU, chosen at run
//! time from the spec's `device:`.
//!
//! This is the one place where a `cuda` build differs from a CPU build, as `#[cfg]` twins;
//! everything else is generic over `dfdx::tensor_ops::Device<f32>` (with the `Kernels` fast
//! paths of `kernels.rs`, whose defaults are dfdx's own operations), so there is one training
//! loop, monomorphized per device. A job that needs a device implements `OnDevice`, whose
//! generic method `with_device` calls with the device it creates. A device is created per trial
//! from the trial's seed.
//!
//! CI has no GPU and no CUDA toolkit, so it only type-checks the `cuda` twins, with
//! `cargo check -p trainer --features cuda,dfdx/ci-check` (cudarc's no-toolkit mode, whose
//! kernels are empty: never ship a binary built that way).

use experiment::{DeviceChoice, Seed};

use crate::kernels::Kernels;
use crate::{Error, Result};

/// Something that runs on whichever device `with_device` creates.
pub(crate) trait OnDevice {
    /// What the job returns.
    type Output;
    /// Runs the job on `dev`.
    fn run<D: Kernels>(self, dev: D) -> Self::Output;
}

/// Checks that this build can honour `choice`, before any trial runs.
pub(crate) fn check(choice: DeviceChoice) -> Result<()> {
    imp::check(choice)
}

/// Creates the device `choice` asks for, with its own RNG seeded from `seed`, and runs `job`
/// on it.
///
/// No operation used today draws from the device's RNG (dropout masks are drawn on the host),
/// but a fresh, seeded device per trial keeps any future one deterministic: clones of a dfdx
/// device share one RNG, so trials must not share a device.
pub(crate) fn with_device<J: OnDevice>(
    choice: DeviceChoice,
    seed: Seed,
    job: J,
) -> Result<J::Output> {
    imp::with_device(choice, seed, job)
}

/// The devices of this build, as recorded with every experiment: `cpu`, or `cpu+cuda`.
pub const DEVICE: &str = imp::DEVICE;

#[cfg(not(feature = "cuda"))]
mod imp {
    use dfdx::tensor::Cpu;

    use super::*;

    pub(super) const DEVICE: &str = "cpu";

    pub(super) fn check(choice: DeviceChoice) -> Result<()> {
        match choice {
            DeviceChoice::Cuda => Err(Error::NoCuda),
            DeviceChoice::Cpu | DeviceChoice::Auto => Ok(()),
        }
    }

    pub(super) fn with_device<J: OnDevice>(
        choice: DeviceChoice,
        seed: Seed,
        job: J,
    ) -> Result<J::Output> {
        check(choice)?;
        Ok(job.run(Cpu::seed_from_u64(seed.0)))
    }
}

#[cfg(feature = "cuda")]
mod imp {
    use dfdx::tensor::{Cpu, Cuda};

    use super::*;

    pub(super) const DEVICE: &str = "cpu+cuda";

    /// CUDA takes dfdx's own operations for every step.
    impl Kernels for Cuda {}

    pub(super) fn check(_choice: DeviceChoice) -> Result<()> {
        Ok(())
    }

    pub(super) fn with_device<J: OnDevice>(
        choice: DeviceChoice,
        seed: Seed,
        job: J,
    ) -> Result<J::Output> {
        match choice {
            DeviceChoice::Cpu => Ok(job.run(Cpu::seed_from_u64(seed.0))),
            DeviceChoice::Cuda => {
                let dev = Cuda::try_seed_from_u64(seed.0)
                    .map_err(|e| Error::Device(format!("cannot start CUDA: {e:?}")))?;
                Ok(job.run(dev))
            }
            DeviceChoice::Auto => match Cuda::try_seed_from_u64(seed.0) {
                Ok(dev) => Ok(job.run(dev)),
                Err(e) => {
                    tracing::debug!(error = ?e, "no CUDA device; training on the CPU");
                    Ok(job.run(Cpu::seed_from_u64(seed.0)))
                }
            },
        }
    }
}
