//! The training engine of Sweep: loads a dataset (CSV, or MNIST's IDX files), splits and
//! normalizes it once per experiment, and trains a model per trial with dfdx (a multilayer
//! perceptron, or a small CNN for images, on the CPU or a CUDA GPU), reporting metrics every
//! epoch through `experiment::Reporter`; saves the best trials' checkpoints and predicts with
//! them.
//!
//! It also reads a warm start's file of results (`results_table`), since it owns the CSV
//! reader. Its public face: `MlpObjective` (with `DataSummary`), `predict` (with
//! `PredictionSummary`), `results_table`, the `DEVICE` it was built for, the `ENGINE` it
//! records, and its errors. Every dfdx type stays inside the crate, so the engine could be replaced without
//! touching the study loop. Training is deterministic on the CPU: the split draws from the
//! experiment's seed, and a trial's initial weights, batch order and dropout masks from the
//! trial's seed; only `epoch_seconds` differs between two runs of the same trial.

mod checkpoint;
mod conv;
mod csv_text;
mod data;
mod device;
mod encode;
mod error;
mod idx;
mod kernels;
mod metrics;
mod model;
mod objective;
mod optim;
mod predict;
mod prep;
mod results;
mod train;
mod trial;

#[cfg(test)]
mod spans;

pub use device::DEVICE;
pub use error::{Error, Result};
pub use objective::{DataSummary, MlpObjective};
pub use predict::{predict, PredictionSummary};
pub use results::results_table;

/// The training engine and its version, as recorded with every experiment; a test checks it
/// against `Cargo.lock`.
pub const ENGINE: &str = "dfdx 0.13.0";

#[cfg(test)]
mod engine_tests {
    #[test]
    fn engine_names_the_locked_dfdx_version() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
                .unwrap();
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"dfdx\"\n"))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .map(|v| v.trim_matches('"'))
            .unwrap();
        assert_eq!(super::ENGINE, format!("dfdx {version}"));
    }
}
