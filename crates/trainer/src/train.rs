//! The training of one trial: epochs of shuffled minibatches, each followed by evaluation on
//! the validation split. When a trial ends is decided in `trial.rs`.
//!
//! `Trainer` owns everything that changes during a trial (device, model, optimizer state, the
//! shuffling and dropout RNGs) and runs one epoch at a time, so that the caller can run each epoch on the
//! trial's own single-thread pool and still talk to its (non-`Send`) reporter between epochs.
//! Validation runs without a tape, in large batches.

use std::time::Instant;

use dfdx::losses::cross_entropy_with_logits_loss;
use dfdx::tensor::{Gradients, Trace};
use dfdx::tensor_ops::{Backward, Device};
use experiment::{Hyperparams, MetricPoint, Seed};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::kernels::Kernels;
use crate::model::{Mat, Mlp, Mode};
use crate::optim::Optimizer;
use crate::prep::{Prepared, Split};
use crate::{Error, Result};

/// Rows per forward pass when evaluating; large, since evaluation keeps no tape.
const EVAL_BATCH: usize = 4096;

/// ChaCha stream numbers, so that initialization, shuffling and dropout draw independent numbers.
const INIT_STREAM: u64 = 1;
const SHUFFLE_STREAM: u64 = 2;
const DROPOUT_STREAM: u64 = 3;

/// The metrics of one epoch, in the order of `experiment::KNOWN_METRICS`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EpochMetrics {
    /// Mean of the epoch's batch losses.
    pub(crate) train_loss: f64,
    pub(crate) val_loss: f64,
    pub(crate) val_accuracy: f64,
    /// Wall time of the epoch, training and validation; the one non-reproducible value.
    pub(crate) epoch_seconds: f64,
}

/// How an epoch ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum EpochEnd {
    Finished(EpochMetrics),
    /// A loss became NaN or infinite.
    Diverged,
}

/// The state of one trial's training.
#[derive(Debug)]
pub(crate) struct Trainer<'a, D: Device<f32>> {
    dev: D,
    mlp: Mlp<D>,
    optimizer: Optimizer<D>,
    data: &'a Prepared,
    batch_size: usize,
    /// The order of the training rows in the current epoch.
    order: Vec<usize>,
    shuffle: ChaCha8Rng,
    dropout: ChaCha8Rng,
}

impl EpochMetrics {
    /// Returns the metrics as reported points.
    pub(crate) fn points(&self) -> Vec<MetricPoint> {
        self.named()
            .into_iter()
            .map(|(name, value)| MetricPoint {
                name: name.to_string(),
                value,
            })
            .collect()
    }

    /// Returns the value of the metric called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<f64> {
        self.named()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// Returns every metric with its name.
    pub(crate) fn named(&self) -> [(&'static str, f64); 4] {
        [
            ("train_loss", self.train_loss),
            ("val_loss", self.val_loss),
            ("val_accuracy", self.val_accuracy),
            ("epoch_seconds", self.epoch_seconds),
        ]
    }
}

impl<'a, D: Kernels> Trainer<'a, D> {
    /// Builds the model and optimizer for one trial; all its randomness (initial weights, batch
    /// order, dropout masks) derives from `seed`, each from its own ChaCha stream.
    pub(crate) fn new(dev: D, data: &'a Prepared, hp: &Hyperparams, seed: Seed) -> Result<Self> {
        let mut init = ChaCha8Rng::seed_from_u64(seed.0);
        init.set_stream(INIT_STREAM);
        let mut shuffle = ChaCha8Rng::seed_from_u64(seed.0);
        shuffle.set_stream(SHUFFLE_STREAM);
        let mut dropout = ChaCha8Rng::seed_from_u64(seed.0);
        dropout.set_stream(DROPOUT_STREAM);
        let inputs = data.train.features.cols;
        let classes = data.class_names.len();
        let mlp = Mlp::init(&dev, inputs, classes, hp, &mut init).map_err(device)?;
        Ok(Trainer {
            dev,
            mlp,
            optimizer: Optimizer::new(hp),
            data,
            batch_size: hp.batch_size.max(1),
            order: (0..data.train.labels.len()).collect(),
            shuffle,
            dropout,
        })
    }

    /// Trains one epoch over the shuffled training split, then evaluates on validation.
    pub(crate) fn run_epoch(&mut self) -> Result<EpochEnd> {
        let start = Instant::now();
        self.order.shuffle(&mut self.shuffle);
        let train = &self.data.train;
        let classes = self.data.class_names.len();
        let mut loss_sum = 0.0f64;
        let mut batches = 0usize;
        for batch in self.order.chunks(self.batch_size) {
            let (x, y) = batch_tensors(&self.dev, train, batch, classes)?;
            let logits = self
                .mlp
                .try_forward(x.traced(Gradients::leaky()), Mode::Train(&mut self.dropout))
                .map_err(device)?;
            let loss = cross_entropy_with_logits_loss(logits, y);
            let value = loss.as_vec().first().copied().unwrap_or(f32::NAN);
            if !value.is_finite() {
                return Ok(EpochEnd::Diverged);
            }
            let mut grads = loss.try_backward().map_err(device)?;
            self.optimizer
                .step(&mut self.mlp, &mut grads)
                .map_err(device)?;
            loss_sum += f64::from(value);
            batches += 1;
        }
        let (val_loss, val_accuracy) = self.evaluate(&self.data.validation)?;
        if !val_loss.is_finite() {
            return Ok(EpochEnd::Diverged);
        }
        #[allow(clippy::cast_precision_loss)]
        let train_loss = loss_sum / batches.max(1) as f64;
        Ok(EpochEnd::Finished(EpochMetrics {
            train_loss,
            val_loss,
            val_accuracy,
            epoch_seconds: start.elapsed().as_secs_f64(),
        }))
    }

    /// Returns the mean cross-entropy and the accuracy of the model on `split`.
    pub(crate) fn evaluate(&self, split: &Split) -> Result<(f64, f64)> {
        let classes = self.data.class_names.len();
        let cols = split.features.cols;
        let n = split.labels.len();
        let mut loss_sum = 0.0f64;
        let mut correct = 0usize;
        for start in (0..n).step_by(EVAL_BATCH) {
            let end = (start + EVAL_BATCH).min(n);
            let x = self
                .dev
                .try_tensor_from_vec(
                    split.features.data[start * cols..end * cols].to_vec(),
                    (end - start, cols),
                )
                .map_err(device)?;
            let logits = self
                .mlp
                .try_forward(x, Mode::Eval)
                .map_err(device)?
                .as_vec();
            for (row, &label) in logits.chunks_exact(classes).zip(&split.labels[start..end]) {
                let (loss, predicted) = cross_entropy_row(row, label);
                loss_sum += loss;
                correct += usize::from(predicted == label);
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let n = n.max(1) as f64;
        #[allow(clippy::cast_precision_loss)]
        let accuracy = correct as f64 / n;
        Ok((loss_sum / n, accuracy))
    }
}
/// Copies the rows `batch` of `split` to the device: features, and one-hot targets.
fn batch_tensors<D: Device<f32>>(
    dev: &D,
    split: &Split,
    batch: &[usize],
    classes: usize,
) -> Result<(
    Mat<D, dfdx::tensor::NoneTape>,
    Mat<D, dfdx::tensor::NoneTape>,
)> {
    let cols = split.features.cols;
    let mut x = Vec::with_capacity(batch.len() * cols);
    let mut y = vec![0.0f32; batch.len() * classes];
    for (r, &i) in batch.iter().enumerate() {
        x.extend_from_slice(split.features.row(i));
        y[r * classes + split.labels[i]] = 1.0;
    }
    let x = dev
        .try_tensor_from_vec(x, (batch.len(), cols))
        .map_err(device)?;
    let y = dev
        .try_tensor_from_vec(y, (batch.len(), classes))
        .map_err(device)?;
    Ok((x, y))
}

/// Returns the cross-entropy of one row of logits against `label`, and the predicted class.
fn cross_entropy_row(logits: &[f32], label: usize) -> (f64, usize) {
    let mut predicted = 0;
    let mut max = f64::NEG_INFINITY;
    for (c, &z) in logits.iter().enumerate() {
        if f64::from(z) > max {
            max = f64::from(z);
            predicted = c;
        }
    }
    let sum: f64 = logits.iter().map(|&z| (f64::from(z) - max).exp()).sum();
    let log_prob = f64::from(logits[label]) - max - sum.ln();
    (-log_prob, predicted)
}

/// Wraps a device error.
fn device(e: impl std::fmt::Display) -> Error {
    Error::Device(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_entropy_of_a_row_is_stable_for_large_logits() {
        let (loss, predicted) = cross_entropy_row(&[1000.0, 0.0, -1000.0], 0);
        assert_eq!(predicted, 0);
        assert!(loss.abs() < 1e-12);
        let (loss, _) = cross_entropy_row(&[0.0, 0.0], 1);
        assert!((loss - std::f64::consts::LN_2).abs() < 1e-12);
    }
}
