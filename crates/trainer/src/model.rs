//! The networks: dense layers whose sizes are chosen at run time, optionally preceded by
//! convolutions (`conv.rs`), built from dfdx tensor operations.
//!
//! dfdx's own `Linear<I, O>` fixes its sizes in the type, but a sweep picks `hidden` and `depth`
//! per trial, so a layer here holds tensors with run-time shapes and repeats exactly what
//! `Linear` does: `x · Wᵀ + b` with `W` stored as (outputs, inputs). A test checks that outputs
//! and gradients are bit-identical to `Linear`'s. Weights are drawn on the host from the trial's
//! seed, so the initial model does not depend on the device.
//!
//! A CNN is `conv_layers` blocks of a 3x3 convolution (`channels`, doubled at each block) and
//! its activation, each followed by a 2x2 max-pool while the map is at least 2x2; the last map
//! is flattened into the dense layers. Layer normalization, when asked for, sits between each
//! hidden dense layer and its activation.
//!
//! Dropout masks are drawn on the host too, from the trial's seed, one `u32` per unit, and
//! applied with a multiplication. dfdx's own `dropout` draws each mask twice (forward and
//! backward) from a slower generator, which cost about a quarter of a training step; a host mask
//! is also the same on every device. The bias add and the mask go through `Kernels`, which has a
//! fast path on the CPU.

use dfdx::shapes::{Axes2, Axis, HasShape};
use dfdx::tensor::{Merge, NoneTape, Tape, Tensor};
use dfdx::tensor_ops::{BroadcastTo, Device, PermuteTo, ReshapeTo, TryMatMul, TryMul};
use experiment::{Activation, Hyperparams, ImageShape};
use rand::distributions::{Distribution, Uniform};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::conv::{pooled, MapSize, RowGather};
use crate::kernels::Kernels;

/// A batch of rows, or any matrix with run-time sizes.
pub(crate) type Mat<D, T> = Tensor<(usize, usize), f32, D, T>;

/// The largest number of channels a convolution gets, however many blocks double them.
const MAX_CHANNELS: usize = 1024;

/// The epsilon of layer normalization, as in PyTorch.
const LAYER_NORM_EPSILON: f64 = 1e-5;

/// Whether a forward pass is for training (dropout on, masks drawn from the RNG) or evaluation.
#[derive(Debug)]
pub(crate) enum Mode<'a> {
    Train(&'a mut ChaCha8Rng),
    Eval,
}

/// A dense layer `y = x · Wᵀ + b`, laid out like dfdx's `Linear`.
#[derive(Debug, Clone)]
pub(crate) struct Dense<D: Device<f32>> {
    /// Shape (outputs, inputs).
    pub(crate) weight: Tensor<(usize, usize), f32, D>,
    /// Shape (outputs,).
    pub(crate) bias: Tensor<(usize,), f32, D>,
}

/// Layer normalization with a learned scale and shift per unit.
#[derive(Debug, Clone)]
pub(crate) struct LayerNorm<D: Device<f32>> {
    pub(crate) gamma: Tensor<(usize,), f32, D>,
    pub(crate) beta: Tensor<(usize,), f32, D>,
}

/// A 3x3 convolution with zero padding, as a dense layer over im2col rows, then an optional
/// 2x2 max-pool.
#[derive(Debug, Clone)]
pub(crate) struct Conv<D: Device<f32>> {
    /// Shape (out channels, 9 * in channels): the 9 taps row-major, channels within a tap.
    pub(crate) kernel: Dense<D>,
    pub(crate) im2col: RowGather<D>,
    pub(crate) pool: Option<RowGather<D>>,
}

/// What a network is built for: its inputs and outputs and, for a CNN, the image shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) inputs: usize,
    pub(crate) outputs: usize,
    /// `Some` for a CNN.
    pub(crate) image: Option<ImageShape>,
}

/// A network: optional convolutions, `depth` hidden dense layers of `hidden` units (each
/// optionally layer-normalized), then a linear output layer.
#[derive(Debug, Clone)]
pub(crate) struct Net<D: Device<f32>> {
    pub(crate) convs: Vec<Conv<D>>,
    /// The hidden layers, then the output layer.
    pub(crate) layers: Vec<Dense<D>>,
    /// One per hidden layer, or none.
    pub(crate) norms: Vec<LayerNorm<D>>,
    pub(crate) activation: Activation,
    pub(crate) dropout: f64,
    pub(crate) image: Option<ImageShape>,
}

/// A parameter copied to the host, for checkpoints.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HostTensor {
    pub(crate) name: String,
    pub(crate) shape: Vec<usize>,
    /// Row-major.
    pub(crate) values: Vec<f32>,
}

/// A parameter of a network, for the optimizer and checkpoints.
#[derive(Debug)]
pub(crate) enum Param<'a, D: Device<f32>> {
    Matrix(&'a mut Tensor<(usize, usize), f32, D>),
    Vector(&'a mut Tensor<(usize,), f32, D>),
}

impl<D: Kernels> Dense<D> {
    /// Builds a layer with weights and bias uniform in [-1/√inputs, 1/√inputs), drawn from `rng`,
    /// the distribution dfdx's `Linear` uses.
    pub(crate) fn init(
        dev: &D,
        inputs: usize,
        outputs: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<Self, D::Err> {
        // Layer sizes are at most 2^16, exactly representable.
        #[allow(clippy::cast_precision_loss)]
        let bound = 1.0 / (inputs.max(1) as f32).sqrt();
        let uniform = Uniform::new(-bound, bound);
        let weight: Vec<f32> = (0..inputs * outputs).map(|_| uniform.sample(rng)).collect();
        let bias: Vec<f32> = (0..outputs).map(|_| uniform.sample(rng)).collect();
        Dense::from_host(dev, weight, bias, inputs)
    }

    /// Builds a layer from host values: `weight` is row-major (outputs, inputs).
    pub(crate) fn from_host(
        dev: &D,
        weight: Vec<f32>,
        bias: Vec<f32>,
        inputs: usize,
    ) -> Result<Self, D::Err> {
        let outputs = bias.len();
        Ok(Dense {
            weight: dev.try_tensor_from_vec(weight, (outputs, inputs))?,
            bias: dev.try_tensor_from_vec(bias, (outputs,))?,
        })
    }

    /// Returns `x · Wᵀ + b`, recording on `x`'s tape when it has one.
    pub(crate) fn try_forward<T: Tape<f32, D>>(&self, x: Mat<D, T>) -> Result<Mat<D, T>, D::Err> {
        let w = self
            .weight
            .retaped::<T>()
            .try_permute::<(usize, usize), Axes2<1, 0>>()?;
        D::add_bias(x.try_matmul(w)?, &self.bias)
    }
}

impl<D: Kernels> LayerNorm<D> {
    /// Returns the identity normalization of `units` units: scale 1, shift 0.
    fn init(dev: &D, units: usize) -> Result<Self, D::Err> {
        Ok(LayerNorm {
            gamma: dev.try_tensor_from_vec(vec![1.0; units], (units,))?,
            beta: dev.try_tensor_from_vec(vec![0.0; units], (units,))?,
        })
    }

    /// Normalizes each row to mean 0 and variance 1, then scales and shifts it.
    fn try_forward<T: Tape<f32, D>>(&self, x: Mat<D, T>) -> Result<Mat<D, T>, D::Err> {
        let shape = *x.shape();
        let normalized = x.try_normalize::<Axis<1>>(LAYER_NORM_EPSILON)?;
        let gamma = self
            .gamma
            .retaped::<T>()
            .try_broadcast_like::<(usize, usize), Axis<0>>(&shape)?;
        D::add_bias(normalized.try_mul(gamma)?, &self.beta)
    }
}

/// The most trained values a model may have: 200 million, 3.2 GB with their gradients and
/// Adam's two moments (16 bytes each), past any tabular or small-image task's need.
pub(crate) const MAX_PARAMS: u128 = 200_000_000;

/// Returns an error when the network for `shape` with `hp` would have more than `MAX_PARAMS`
/// trained values, counted as `Net::init` would build it, before anything is allocated.
pub(crate) fn check_size(shape: Shape, hp: &Hyperparams) -> crate::Result<()> {
    let dense = |inputs: u128, outputs: u128| inputs * outputs + outputs;
    let mut params: u128 = 0;
    let mut width = shape.inputs as u128;
    if let Some(image) = shape.image {
        let mut size = MapSize {
            height: image.height,
            width: image.width,
        };
        let mut channels = image.channels as u128;
        for block in 0..hp.conv_layers {
            let out = hp
                .channels
                .saturating_mul(1 << block.min(10))
                .min(MAX_CHANNELS) as u128;
            params = params.saturating_add(dense(9 * channels, out));
            if size.height >= 2 && size.width >= 2 {
                size = pooled(size);
            }
            channels = out;
        }
        width = (size.height * size.width) as u128 * channels;
    }
    for _ in 0..hp.depth {
        let hidden = hp.hidden as u128;
        params = params.saturating_add(dense(width, hidden));
        if hp.layer_norm {
            params = params.saturating_add(2 * hidden);
        }
        width = hidden;
    }
    params = params.saturating_add(dense(width, shape.outputs as u128));
    if params > MAX_PARAMS {
        return Err(crate::Error::ModelTooLarge {
            params,
            gib: ((params * 16 + (1 << 29)) >> 30).max(1),
            max: MAX_PARAMS,
        });
    }
    Ok(())
}

/// The most bytes (4 GiB) one buffer of a pass's activations may take: a convolution's input as
/// rows of 3x3 patches (`im2col`, nine values a pixel and channel) or its output, for every
/// image of the pass. Past it, one allocation could exhaust a machine's memory and abort.
pub(crate) const MAX_ACTIVATION_BYTES: u128 = 4 << 30;

/// Returns an error when a pass of `rows` images through the convolutions of `shape` with `hp`
/// would need a buffer past `MAX_ACTIVATION_BYTES` (a model of few values on large images, 16
/// images of 256x256 through 1,024 channels, asked for 4 GiB at once); nothing for an MLP.
pub(crate) fn check_activations(shape: Shape, hp: &Hyperparams, rows: usize) -> crate::Result<()> {
    let Some(image) = shape.image else {
        return Ok(());
    };
    let mut size = MapSize {
        height: image.height,
        width: image.width,
    };
    let mut channels = image.channels as u128;
    let mut largest: u128 = 0;
    for block in 0..hp.conv_layers {
        let out = hp
            .channels
            .saturating_mul(1 << block.min(10))
            .min(MAX_CHANNELS) as u128;
        let pixels = rows as u128 * (size.height * size.width) as u128;
        largest = largest.max(pixels * 9 * channels).max(pixels * out);
        if size.height >= 2 && size.width >= 2 {
            size = pooled(size);
        }
        channels = out;
    }
    let bytes = largest * 4;
    if bytes > MAX_ACTIVATION_BYTES {
        return Err(crate::Error::ActivationsTooLarge {
            rows,
            height: image.height,
            width: image.width,
            gib: ((bytes + (1 << 29)) >> 30).max(1),
            max_gib: MAX_ACTIVATION_BYTES >> 30,
        });
    }
    Ok(())
}

impl<D: Kernels> Net<D> {
    /// Builds the network for `shape`, initialized from `rng`.
    pub(crate) fn init(
        dev: &D,
        shape: Shape,
        hp: &Hyperparams,
        rng: &mut ChaCha8Rng,
    ) -> Result<Self, D::Err> {
        let mut convs = Vec::new();
        let mut width = shape.inputs;
        if let Some(image) = shape.image {
            let mut size = MapSize {
                height: image.height,
                width: image.width,
            };
            let mut channels = image.channels;
            for block in 0..hp.conv_layers {
                let out = hp
                    .channels
                    .saturating_mul(1 << block.min(10))
                    .min(MAX_CHANNELS);
                let kernel = Dense::init(dev, 9 * channels, out, rng)?;
                let im2col = RowGather::im2col(size);
                let pool = (size.height >= 2 && size.width >= 2).then(|| RowGather::pool(size));
                if pool.is_some() {
                    size = pooled(size);
                }
                convs.push(Conv {
                    kernel,
                    im2col,
                    pool,
                });
                channels = out;
            }
            width = size.height * size.width * channels;
        }
        let mut layers = Vec::with_capacity(hp.depth + 1);
        let mut norms = Vec::new();
        for _ in 0..hp.depth {
            layers.push(Dense::init(dev, width, hp.hidden, rng)?);
            if hp.layer_norm {
                norms.push(LayerNorm::init(dev, hp.hidden)?);
            }
            width = hp.hidden;
        }
        layers.push(Dense::init(dev, width, shape.outputs, rng)?);
        Ok(Net {
            convs,
            layers,
            norms,
            activation: hp.activation,
            dropout: hp.dropout,
            image: shape.image,
        })
    }

    /// Returns the outputs (logits, or a regression's value) for a batch; dropout follows each
    /// hidden dense activation in `Mode::Train`.
    pub(crate) fn try_forward<T: Tape<f32, D> + Merge<NoneTape>>(
        &self,
        x: Mat<D, T>,
        mut mode: Mode<'_>,
    ) -> Result<Mat<D, T>, D::Err> {
        let mut h = x;
        if let (Some(image), false) = (self.image, self.convs.is_empty()) {
            let (batch, _) = *h.shape();
            h = h.try_reshape_like(&(batch * image.height * image.width, image.channels))?;
            for conv in &self.convs {
                let cols = D::gather_rows(h, &conv.im2col, batch)?;
                let (rows, cols_per_tap) = *cols.shape();
                let cols = cols.try_reshape_like(&(rows / 9, 9 * cols_per_tap))?;
                h = self.activate(conv.kernel.try_forward(cols)?)?;
                if let Some(pool) = &conv.pool {
                    h = D::max_pool(h, pool, batch)?;
                }
            }
            let (rows, channels) = *h.shape();
            h = h.try_reshape_like(&(batch, rows / batch.max(1) * channels))?;
        }
        let Some((output, hidden)) = self.layers.split_last() else {
            return Ok(h);
        };
        for (i, layer) in hidden.iter().enumerate() {
            h = layer.try_forward(h)?;
            if let Some(norm) = self.norms.get(i) {
                h = norm.try_forward(h)?;
            }
            h = self.activate(h)?;
            if let (Mode::Train(rng), true) = (&mut mode, self.dropout > 0.0) {
                let (rows, cols) = *h.shape();
                h = D::apply_mask(h, dropout_mask(rows * cols, self.dropout, rng))?;
            }
        }
        output.try_forward(h)
    }

    fn activate<T: Tape<f32, D>>(&self, h: Mat<D, T>) -> Result<Mat<D, T>, D::Err> {
        match self.activation {
            Activation::Relu => h.try_relu(),
            Activation::Tanh => h.try_tanh(),
            Activation::Gelu => h.try_fast_gelu(),
            Activation::Sigmoid => h.try_sigmoid(),
        }
    }
}

impl<D: Device<f32>> Net<D> {
    /// Returns every parameter, in the order of `param_names`.
    pub(crate) fn params_mut(&mut self) -> Vec<Param<'_, D>> {
        let mut params = Vec::new();
        for dense in self
            .convs
            .iter_mut()
            .map(|c| &mut c.kernel)
            .chain(self.layers.iter_mut())
        {
            params.push(Param::Matrix(&mut dense.weight));
            params.push(Param::Vector(&mut dense.bias));
        }
        for norm in &mut self.norms {
            params.push(Param::Vector(&mut norm.gamma));
            params.push(Param::Vector(&mut norm.beta));
        }
        params
    }

    /// Returns the number of trained values: every weight, bias and layer-norm scale and shift.
    pub(crate) fn param_count(&self) -> usize {
        let dense = |d: &Dense<D>| {
            let (rows, cols) = *d.weight.shape();
            rows * cols + d.bias.shape().0
        };
        self.convs.iter().map(|c| dense(&c.kernel)).sum::<usize>()
            + self.layers.iter().map(dense).sum::<usize>()
            + self
                .norms
                .iter()
                .map(|n| n.gamma.shape().0 + n.beta.shape().0)
                .sum::<usize>()
    }

    /// Returns a host copy of every parameter, named as `param_names` names them, with its shape.
    pub(crate) fn host_params(&self) -> Vec<HostTensor> {
        let mut values = Vec::new();
        for dense in self
            .convs
            .iter()
            .map(|c| &c.kernel)
            .chain(self.layers.iter())
        {
            let (rows, cols) = *dense.weight.shape();
            values.push((vec![rows, cols], dense.weight.as_vec()));
            values.push((vec![dense.bias.shape().0], dense.bias.as_vec()));
        }
        for norm in &self.norms {
            values.push((vec![norm.gamma.shape().0], norm.gamma.as_vec()));
            values.push((vec![norm.beta.shape().0], norm.beta.as_vec()));
        }
        self.param_names()
            .into_iter()
            .zip(values)
            .map(|(name, (shape, values))| HostTensor {
                name,
                shape,
                values,
            })
            .collect()
    }

    /// Returns the names of the parameters: `conv0.weight`, `dense1.bias`, `norm0.gamma`, ...
    pub(crate) fn param_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for i in 0..self.convs.len() {
            names.push(format!("conv{i}.weight"));
            names.push(format!("conv{i}.bias"));
        }
        for i in 0..self.layers.len() {
            names.push(format!("dense{i}.weight"));
            names.push(format!("dense{i}.bias"));
        }
        for i in 0..self.norms.len() {
            names.push(format!("norm{i}.gamma"));
            names.push(format!("norm{i}.beta"));
        }
        names
    }
}

/// Returns a mask of `len` entries that are 0 with probability `rate` and `1 / (1 - rate)`
/// otherwise, so that the expected value of each unit is unchanged.
fn dropout_mask(len: usize, rate: f64, rng: &mut ChaCha8Rng) -> Vec<f32> {
    // `rate` is in [0, 1), so the threshold is in [0, 2^32) and the scale is finite.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let threshold = (rate * 4_294_967_296.0) as u64;
    #[allow(clippy::cast_possible_truncation)]
    let keep = (1.0 / (1.0 - rate)) as f32;
    let mut mask = vec![0u32; len];
    rng.fill(&mut mask[..]);
    mask.into_iter()
        .map(|u| if u64::from(u) < threshold { 0.0 } else { keep })
        .collect()
}

#[cfg(test)]
mod tests {
    use dfdx::nn::{modules::Linear, BuildModule, Module};
    use dfdx::tensor::{Cpu, Gradients, TensorFrom, TensorFromVec, Trace};
    use dfdx::tensor_ops::{Backward, SumTo};
    use rand::SeedableRng;

    use super::*;

    /// The layer must compute exactly what dfdx's `Linear` computes, gradients included.
    #[test]
    fn dense_matches_dfdx_linear_bit_for_bit() {
        let dev = Cpu::default();
        let mut linear = Linear::<5, 3, f32, Cpu>::build(&dev);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let dense = Dense::init(&dev, 5, 3, &mut rng).unwrap();
        linear.weight.copy_from(&dense.weight.as_vec());
        linear.bias.copy_from(&dense.bias.as_vec());

        let rows: [[f32; 5]; 4] = [
            [0.5, -1.25, 2.0, 0.1, -0.3],
            [1.5, 0.25, -2.0, 3.1, 0.7],
            [-0.5, 0.75, 0.125, -1.1, 2.3],
            [0.0, 1.0, -1.0, 0.5, -0.5],
        ];
        let x_fixed = dev.tensor(rows);
        let x_dyn = dev.tensor_from_vec(x_fixed.as_vec(), (4usize, 5usize));

        let y_fixed = linear.forward(x_fixed.leaky_trace());
        let y_dyn = dense.try_forward(x_dyn.leaky_trace()).unwrap();
        assert_eq!(bits(&y_fixed.as_vec()), bits(&y_dyn.as_vec()));

        // A loss that weights every output differently, so every gradient entry matters.
        let weights = dev.tensor([[1.0f32, -2.0, 0.5]; 4]);
        let g_fixed: Gradients<f32, Cpu> = (y_fixed * weights.clone()).square().sum().backward();
        let weights_dyn = dev.tensor_from_vec(weights.as_vec(), (4usize, 3usize));
        let g_dyn: Gradients<f32, Cpu> = (y_dyn * weights_dyn).square().sum().backward();
        assert_eq!(
            bits(&g_fixed.get(&linear.weight).as_vec()),
            bits(&g_dyn.get(&dense.weight).as_vec())
        );
        assert_eq!(
            bits(&g_fixed.get(&linear.bias).as_vec()),
            bits(&g_dyn.get(&dense.bias).as_vec())
        );
        assert_eq!(
            bits(&g_fixed.get(&x_fixed).as_vec()),
            bits(&g_dyn.get(&x_dyn).as_vec())
        );
    }

    #[test]
    fn a_pass_whose_activations_pass_the_limit_is_refused_before_it_runs() {
        let mut hp =
            experiment::Hyperparams::resolve(&Default::default(), &Default::default()).unwrap();
        hp.channels = 1024;
        hp.conv_layers = 2;
        let images = |height, width, channels| Shape {
            inputs: height * width * channels,
            outputs: 10,
            image: Some(experiment::ImageShape {
                height,
                width,
                channels,
            }),
        };
        // 16 colour images of 256x256 through 1,024 channels: the first convolution's output
        // alone is 4 GiB (that allocation aborted the process), the next one's patches 9.
        let err = check_activations(images(256, 256, 3), &hp, 16)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "a pass of 16 images of 256x256 through the convolutions needs about 9 GiB"
            ),
            "{err}"
        );
        // Digits' 8x8 images, and any MLP, pass.
        assert!(check_activations(images(8, 8, 1), &hp, 4096).is_ok());
        let mlp = Shape {
            inputs: 784,
            outputs: 10,
            image: None,
        };
        assert!(check_activations(mlp, &hp, 1 << 20).is_ok());
    }

    #[test]
    fn depth_zero_is_one_linear_layer_and_dropout_only_trains() {
        let dev = Cpu::seed_from_u64(0);
        let mut hp =
            experiment::Hyperparams::resolve(&Default::default(), &Default::default()).unwrap();
        hp.depth = 0;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let shape = |inputs, outputs| Shape {
            inputs,
            outputs,
            image: None,
        };
        let logistic = Net::init(&dev, shape(4, 3), &hp, &mut rng).unwrap();
        assert_eq!(logistic.layers.len(), 1);
        assert_eq!(logistic.layers[0].weight.shape(), &(3, 4));

        hp.depth = 2;
        hp.hidden = 8;
        hp.dropout = 0.5;
        let mlp = Net::init(&dev, shape(4, 3), &hp, &mut rng).unwrap();
        assert_eq!(mlp.layers.len(), 3);
        let x = dev.tensor_from_vec(vec![0.5f32; 8], (2usize, 4usize));
        let eval_a = mlp.try_forward(x.clone(), Mode::Eval).unwrap().as_vec();
        let eval_b = mlp.try_forward(x.clone(), Mode::Eval).unwrap().as_vec();
        assert_eq!(eval_a, eval_b, "evaluation is deterministic: no dropout");
        let train = mlp.try_forward(x, Mode::Train(&mut rng)).unwrap().as_vec();
        assert_ne!(eval_a, train, "training applies dropout");

        hp.layer_norm = true;
        let mut normed = Net::init(&dev, shape(4, 3), &hp, &mut rng).unwrap();
        assert_eq!(normed.norms.len(), 2);
        assert_eq!(normed.params_mut().len(), normed.param_names().len());
        assert_eq!(normed.param_names()[6], "norm0.gamma");
    }

    #[test]
    fn a_cnn_pools_while_it_can_and_flattens_into_dense_layers() {
        let dev = Cpu::seed_from_u64(0);
        let mut hp =
            experiment::Hyperparams::resolve(&Default::default(), &Default::default()).unwrap();
        (hp.channels, hp.conv_layers, hp.depth, hp.hidden) = (2, 3, 1, 5);
        let image = ImageShape {
            height: 4,
            width: 6,
            channels: 1,
        };
        let shape = Shape {
            inputs: 24,
            outputs: 3,
            image: Some(image),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let cnn = Net::init(&dev, shape, &hp, &mut rng).unwrap();
        // 4x6 -> 2x3 -> 1x1 (floored) -> 1x1 (too small to pool); channels 2, 4, 8.
        let pools: Vec<bool> = cnn.convs.iter().map(|c| c.pool.is_some()).collect();
        assert_eq!(pools, [true, true, false]);
        assert_eq!(cnn.convs[2].kernel.weight.shape(), &(8, 9 * 4));
        assert_eq!(cnn.layers[0].weight.shape(), &(5, 8));
        let x = dev.tensor_from_vec(
            (0..48).map(|i| i as f32 / 48.0).collect(),
            (2usize, 24usize),
        );
        let y = cnn.try_forward(x, Mode::Eval).unwrap();
        assert_eq!(y.shape(), &(2, 3));
        assert_eq!(cnn.param_names()[4], "conv2.weight");
    }

    #[test]
    fn dropout_masks_drop_at_the_rate_and_keep_the_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mask = dropout_mask(10_000, 0.25, &mut rng);
        let dropped = mask.iter().filter(|&&m| m == 0.0).count();
        assert!((2300..2700).contains(&dropped), "{dropped} of 10000");
        assert!(mask.iter().all(|&m| m == 0.0 || m == 1.0 / 0.75));
        let none = dropout_mask(100, 0.0, &mut rng);
        assert!(none.iter().all(|&m| m == 1.0));
    }

    fn bits(values: &[f32]) -> Vec<u32> {
        values.iter().map(|x| x.to_bits()).collect()
    }
}
