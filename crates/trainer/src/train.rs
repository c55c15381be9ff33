//! The training of one trial: epochs of shuffled minibatches, each followed by evaluation on
//! the validation split. When a trial ends is decided in `trial.rs`.
//!
//! `Trainer` owns everything that changes during a trial (device, model, optimizer state, the
//! shuffling and dropout RNGs) and runs one epoch at a time, so that the caller can run each epoch
//! on the trial's own single-thread pool and still talk to its (non-`Send`) reporter between
//! epochs. Classification trains on cross-entropy, regression on the mean squared error of the
//! standardized target. Validation runs without a tape, in large batches, and its metrics are
//! computed on the host (`metrics.rs`).

use std::time::Instant;

use dfdx::losses::{cross_entropy_with_logits_loss, mse_loss};
use dfdx::tensor::{Gradients, NoneTape, Trace};
use dfdx::tensor_ops::{Backward, Device};
use experiment::{Hyperparams, ImageShape, MetricPoint, ModelKind, Seed, Task};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::data::Matrix;
use crate::kernels::Kernels;
use crate::metrics::{self, Scores};
use crate::model::{Mat, Mode, Net, Shape};
use crate::optim::{learning_rate, Optimizer};
use crate::prep::{Prepared, Split};
use crate::{Error, Result};

/// Rows per forward pass when evaluating an MLP; large, since evaluation keeps no tape.
const EVAL_BATCH: usize = 4096;

/// Pixels per forward pass when evaluating a CNN, whose im2col is 9 times its input.
const EVAL_PIXELS: usize = 1 << 17;

/// ChaCha stream numbers, so that initialization, shuffling and dropout draw independent numbers.
const INIT_STREAM: u64 = 1;
const SHUFFLE_STREAM: u64 = 2;
const DROPOUT_STREAM: u64 = 3;

/// The metrics of one epoch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EpochMetrics {
    /// Mean of the epoch's batch losses.
    pub(crate) train_loss: f64,
    /// `val_loss` and the task's validation metrics, in the order of `KNOWN_METRICS`.
    pub(crate) validation: Vec<(&'static str, f64)>,
    /// The model's trained values, the same at every epoch.
    pub(crate) param_count: f64,
    /// Wall time of the epoch, training and validation; the one non-reproducible value.
    pub(crate) epoch_seconds: f64,
}

/// How an epoch ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EpochEnd {
    Finished(EpochMetrics),
    /// A loss became NaN or infinite.
    Diverged,
}

/// Where a trial's work runs, and a checkpoint's outputs are computed (`sweep predict`, a test
/// result): a one-thread rayon pool (dfdx's CPU matmul asks rayon how many threads it may use,
/// trials side by side must not each take every core, and on one thread the sums run in the
/// same order as in training).
#[derive(Debug)]
pub(crate) struct TrialThread {
    pool: rayon::ThreadPool,
    /// The subscriber current where the pool was made, which the pool's thread would not
    /// otherwise see: taken once, as it does not change during a trial (a trial's thread is
    /// made and used in the same place).
    dispatch: tracing::Dispatch,
}

impl TrialThread {
    /// Returns a one-thread pool that reports to the current subscriber.
    pub(crate) fn new() -> Result<TrialThread> {
        Ok(TrialThread {
            pool: rayon::ThreadPoolBuilder::new().num_threads(1).build()?,
            dispatch: tracing::dispatcher::get_default(tracing::Dispatch::clone),
        })
    }

    /// Runs `work` on the pool, inside the caller's current span (the trial's, or an epoch's
    /// within it) and with the subscriber current where the pool was made (`new`), which the
    /// pool's thread would not otherwise see. Where no subscriber listens, both are no-ops.
    pub(crate) fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        let span = tracing::Span::current();
        self.pool
            .install(|| tracing::dispatcher::with_default(&self.dispatch, || span.in_scope(work)))
    }
}

/// The state of one trial's training.
#[derive(Debug)]
pub(crate) struct Trainer<'a, D: Device<f32>> {
    dev: D,
    pub(crate) net: Net<D>,
    optimizer: Optimizer<D>,
    data: &'a Prepared,
    hp: Hyperparams,
    /// Epochs run so far.
    epoch: u32,
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

    /// Returns every metric with its name, in the order of `KNOWN_METRICS`.
    pub(crate) fn named(&self) -> Vec<(&'static str, f64)> {
        let mut named = Vec::with_capacity(self.validation.len() + 3);
        named.push(("train_loss", self.train_loss));
        named.extend(self.validation.iter().copied());
        named.push(("param_count", self.param_count));
        named.push((experiment::WALL_TIME_METRIC, self.epoch_seconds));
        named
    }
}

/// Returns the reported name of a validation score: `val_` and the score's name.
pub(crate) fn validation_name(score: &'static str) -> &'static str {
    match score {
        "loss" => "val_loss",
        "accuracy" => "val_accuracy",
        "f1" => "val_f1",
        "roc_auc" => "val_roc_auc",
        "rmse" => "val_rmse",
        "mae" => "val_mae",
        "r2" => "val_r2",
        other => other,
    }
}

/// Returns the shape of the network for `data` and a model of `kind`.
pub(crate) fn net_shape(data: &Prepared, kind: ModelKind) -> Shape {
    Shape {
        inputs: data.feature_names.len(),
        outputs: match data.task {
            Task::Classification => data.class_names.len(),
            Task::Regression => 1,
        },
        image: match kind {
            ModelKind::Cnn => data.image,
            ModelKind::Mlp => None,
        },
    }
}

impl<'a, D: Kernels> Trainer<'a, D> {
    /// Builds the model and optimizer for one trial; all its randomness (initial weights, batch
    /// order, dropout masks) derives from `seed`, each from its own ChaCha stream.
    pub(crate) fn new(
        dev: D,
        data: &'a Prepared,
        kind: ModelKind,
        hp: &Hyperparams,
        seed: Seed,
    ) -> Result<Self> {
        let mut init = ChaCha8Rng::seed_from_u64(seed.0);
        init.set_stream(INIT_STREAM);
        let mut shuffle = ChaCha8Rng::seed_from_u64(seed.0);
        shuffle.set_stream(SHUFFLE_STREAM);
        let mut dropout = ChaCha8Rng::seed_from_u64(seed.0);
        dropout.set_stream(DROPOUT_STREAM);
        let shape = check_model(data, kind, hp)?;
        let net = Net::init(&dev, shape, hp, &mut init).map_err(device)?;
        Ok(Trainer {
            dev,
            net,
            optimizer: Optimizer::new(hp),
            data,
            hp: *hp,
            epoch: 0,
            order: (0..data.train.len()).collect(),
            shuffle,
            dropout,
        })
    }

    /// Trains one epoch over the shuffled training split, then evaluates on validation.
    pub(crate) fn run_epoch(&mut self) -> Result<EpochEnd> {
        let start = Instant::now();
        self.order.shuffle(&mut self.shuffle);
        let batch_size = self.hp.batch_size.max(1);
        let batches = self.order.len().div_ceil(batch_size);
        let mut loss_sum = 0.0f64;
        for (b, batch) in self.order.chunks(batch_size).enumerate() {
            let lr = learning_rate(&self.hp, self.epoch, b, batches);
            self.optimizer.set_learning_rate(lr);
            let (x, y) = batch_tensors(&self.dev, self.data, &self.data.train, batch)?;
            let outputs = self
                .net
                .try_forward(x.traced(Gradients::leaky()), Mode::Train(&mut self.dropout))
                .map_err(device)?;
            let loss = match self.data.task {
                Task::Classification => cross_entropy_with_logits_loss(outputs, y),
                Task::Regression => mse_loss(outputs, y),
            };
            let value = loss.as_vec().first().copied().unwrap_or(f32::NAN);
            if !value.is_finite() {
                return Ok(EpochEnd::Diverged);
            }
            let mut grads = loss.try_backward().map_err(device)?;
            self.optimizer
                .step(&mut self.net, &mut grads)
                .map_err(device)?;
            loss_sum += f64::from(value);
        }
        self.epoch += 1;
        let scores = self.evaluate(&self.data.validation)?;
        let val_loss = scores.first().map_or(f64::NAN, |s| s.1);
        if !val_loss.is_finite() {
            return Ok(EpochEnd::Diverged);
        }
        // Batch counts are far below 2^52, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let train_loss = loss_sum / batches.max(1) as f64;
        Ok(EpochEnd::Finished(EpochMetrics {
            train_loss,
            validation: scores
                .into_iter()
                .map(|(name, value)| (validation_name(name), value))
                .collect(),
            // Models have far fewer than 2^52 values, so the conversion is exact.
            #[allow(clippy::cast_precision_loss)]
            param_count: self.net.param_count() as f64,
            epoch_seconds: start.elapsed().as_secs_f64(),
        }))
    }

    /// Returns the scores of the model on `split`: `loss` and the task's metrics.
    pub(crate) fn evaluate(&self, split: &Split) -> Result<Scores> {
        let outputs = self.outputs(&split.features)?;
        Ok(match (self.data.task, self.data.target_scale) {
            (Task::Regression, Some(scale)) => {
                metrics::regression(&outputs, &split.values, &split.targets, scale)
            }
            _ => metrics::classification(&outputs, &split.labels, self.data.class_names.len()),
        })
    }

    /// Returns the network's outputs for every row of `features`, row-major.
    pub(crate) fn outputs(&self, features: &Matrix) -> Result<Vec<f32>> {
        outputs(&self.dev, &self.net, features)
    }
}

/// Returns the network's shape for `data` as `kind`, or an error when the model of `hp` is
/// larger than the trainer builds: its trained values (`model::check_size`), or one layer's
/// activations for its largest pass, a training batch or an evaluation's rows
/// (`model::check_activations`). Checked before anything is allocated.
pub(crate) fn check_model(data: &Prepared, kind: ModelKind, hp: &Hyperparams) -> Result<Shape> {
    let shape = net_shape(data, kind);
    crate::model::check_size(shape, hp)?;
    let widest = [&data.train, &data.validation, &data.test]
        .iter()
        .map(|split| split.len())
        .max()
        .unwrap_or(0);
    let rows = hp
        .batch_size
        .min(data.train.len())
        .max(shape.image.map_or(1, eval_rows).min(widest))
        .max(1);
    crate::model::check_activations(shape, hp, rows)?;
    Ok(shape)
}

/// Returns how many images of `image`'s shape an evaluation pass reads at once: about
/// `EVAL_PIXELS` pixels, at most `EVAL_BATCH` rows.
pub(crate) fn eval_rows(image: ImageShape) -> usize {
    (EVAL_PIXELS / (image.height * image.width).max(1)).clamp(1, EVAL_BATCH)
}

/// Returns the outputs of `net` for every row of `features`, row-major, in evaluation mode.
pub(crate) fn outputs<D: Kernels>(dev: &D, net: &Net<D>, features: &Matrix) -> Result<Vec<f32>> {
    let cols = features.cols;
    let n = features.rows;
    let per_pass = match net.image.filter(|_| !net.convs.is_empty()) {
        Some(image) => eval_rows(image),
        None => EVAL_BATCH,
    };
    let mut out = Vec::new();
    for start in (0..n).step_by(per_pass) {
        let end = (start + per_pass).min(n);
        let x: Mat<D, NoneTape> = dev
            .try_tensor_from_vec(
                features.data[start * cols..end * cols].to_vec(),
                (end - start, cols),
            )
            .map_err(device)?;
        out.extend(net.try_forward(x, Mode::Eval).map_err(device)?.as_vec());
    }
    Ok(out)
}

/// Copies the rows `batch` of `split` to the device: features, and one-hot class targets or
/// (scaled) regression targets.
fn batch_tensors<D: Device<f32>>(
    dev: &D,
    data: &Prepared,
    split: &Split,
    batch: &[usize],
) -> Result<(Mat<D, NoneTape>, Mat<D, NoneTape>)> {
    let cols = split.features.cols;
    let mut x = Vec::with_capacity(batch.len() * cols);
    for &i in batch {
        x.extend_from_slice(split.features.row(i));
    }
    let (y, width) = match data.task {
        Task::Classification => {
            let classes = data.class_names.len();
            let mut y = vec![0.0f32; batch.len() * classes];
            for (r, &i) in batch.iter().enumerate() {
                y[r * classes + split.labels[i]] = 1.0;
            }
            (y, classes)
        }
        Task::Regression => (batch.iter().map(|&i| split.values[i]).collect(), 1),
    };
    let x = dev
        .try_tensor_from_vec(x, (batch.len(), cols))
        .map_err(device)?;
    let y = dev
        .try_tensor_from_vec(y, (batch.len(), width))
        .map_err(device)?;
    Ok((x, y))
}

/// Wraps a device error.
pub(crate) fn device(e: impl std::fmt::Display) -> Error {
    Error::Device(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spans::Recorder;

    #[test]
    fn work_on_the_trial_thread_reports_to_the_callers_subscriber() {
        let recorder = Recorder::default();
        tracing::subscriber::with_default(recorder.clone(), || {
            let thread = TrialThread::new().unwrap();
            thread.install(|| tracing::info!("on the pool"));
        });
        assert_eq!(recorder.events(), [("on the pool".to_string(), vec![])]);
    }

    #[test]
    fn validation_names_cover_every_score() {
        let scores = metrics::classification(&[0.0, 1.0, 1.0, 0.0], &[1, 0], 2);
        let regression = metrics::regression(
            &[0.0, 1.0],
            &[0.5, 1.0],
            &[0.5, 1.0],
            crate::prep::TargetScale {
                mean: 0.0,
                std: 1.0,
            },
        );
        for (name, _) in scores.iter().chain(&regression) {
            let reported = validation_name(name);
            assert!(
                experiment::Direction::of_metric(reported).is_some(),
                "{name} -> {reported}"
            );
        }
    }
}
