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

/// GPU-only tests, run by `just test-cuda` on a machine with a GPU and the CUDA toolkit.
#[cfg(all(test, feature = "cuda"))]
mod cuda_tests {
    use std::path::PathBuf;

    use experiment::{
        Control, ExperimentSpec, MetricPoint, Objective, Params, Reporter, Step, TrialContext,
        TrialId, TrialOutcome,
    };

    use crate::MlpObjective;

    struct Quiet;

    impl Reporter for Quiet {
        fn report(&mut self, _: Step, _: &[MetricPoint]) -> Control {
            Control::Continue
        }
    }

    fn run(device: &str, model: &str) -> std::collections::BTreeMap<String, f64> {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/gpu.yaml");
        let yaml = format!(
            "name: gpu\ndevice: {device}\nmetric: {{name: val_accuracy}}\n\
             data: {{csv: data/digits.csv, target: digit, image: {{height: 8, width: 8}}}}\n\
             model: {model}\ntrain: {{epochs: 3, lr: 0.003, clip_norm: 5.0}}\n"
        );
        let spec = ExperimentSpec::from_yaml_str(&yaml, &file).unwrap();
        let objective = MlpObjective::new(&spec).unwrap();
        let ctx = TrialContext {
            trial: TrialId(0),
            seed: experiment::Seed(1),
            params: &Params::new(),
        };
        match objective.run(&ctx, &mut Quiet) {
            TrialOutcome::Completed { result, .. } => result.metrics,
            other => panic!("{device} {model}: {other:?}"),
        }
    }

    /// The same trial on the GPU and the CPU: the same arithmetic in another order, so the
    /// metrics agree within a tolerance rather than bit for bit.
    #[test]
    fn cuda_trains_like_the_cpu() {
        for model in [
            "{kind: mlp, hidden: 32, layer_norm: true, dropout: 0.1}",
            "{kind: cnn, channels: 8, conv_layers: 2, hidden: 32}",
        ] {
            let (gpu, cpu) = (run("cuda", model), run("cpu", model));
            let close = |name: &str, tolerance: f64| {
                let (g, c) = (gpu[name], cpu[name]);
                assert!(
                    (g - c).abs() <= tolerance,
                    "{model} {name}: gpu {g} cpu {c}"
                );
            };
            close("val_accuracy", 0.03);
            close("val_loss", 0.05);
        }
    }
}
