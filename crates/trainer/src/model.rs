//! The MLP: dense layers whose sizes are chosen at run time, built from dfdx tensor operations.
//!
//! dfdx's own `Linear<I, O>` fixes its sizes in the type, but a sweep picks `hidden` and `depth`
//! per trial, so a layer here holds tensors with run-time shapes and repeats exactly what
//! `Linear` does: `x · Wᵀ + b` with `W` stored as (outputs, inputs). A test checks that outputs
//! and gradients are bit-identical to `Linear`'s. Weights are drawn on the host from the trial's
//! seed, so the initial model does not depend on the device.
//!
//! Dropout masks are drawn on the host too, from the trial's seed, one `u32` per unit, and
//! applied with a multiplication. dfdx's own `dropout` draws each mask twice (forward and
//! backward) from a slower generator, which cost about a quarter of a training step; a host mask
//! is also the same on every device. The bias add and the mask go through `Kernels`, which has a
//! fast path on the CPU.

use dfdx::shapes::{Axes2, HasShape};
use dfdx::tensor::{Tape, Tensor};
use dfdx::tensor_ops::{Device, PermuteTo, TryMatMul};
use experiment::{Activation, Hyperparams};
use rand::distributions::{Distribution, Uniform};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::kernels::Kernels;

/// A batch of rows, or any matrix with run-time sizes.
pub(crate) type Mat<D, T> = Tensor<(usize, usize), f32, D, T>;

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

/// A multilayer perceptron: `depth` hidden layers of `hidden` units, then a linear output layer.
#[derive(Debug, Clone)]
pub(crate) struct Mlp<D: Device<f32>> {
    pub(crate) layers: Vec<Dense<D>>,
    pub(crate) activation: Activation,
    pub(crate) dropout: f64,
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

impl<D: Kernels> Mlp<D> {
    /// Builds the network for `inputs` features and `classes` outputs, initialized from `rng`.
    pub(crate) fn init(
        dev: &D,
        inputs: usize,
        classes: usize,
        hp: &Hyperparams,
        rng: &mut ChaCha8Rng,
    ) -> Result<Self, D::Err> {
        let mut layers = Vec::with_capacity(hp.depth + 1);
        let mut width = inputs;
        for _ in 0..hp.depth {
            layers.push(Dense::init(dev, width, hp.hidden, rng)?);
            width = hp.hidden;
        }
        layers.push(Dense::init(dev, width, classes, rng)?);
        Ok(Mlp {
            layers,
            activation: hp.activation,
            dropout: hp.dropout,
        })
    }

    /// Returns the logits for a batch; dropout follows each hidden activation in `Mode::Train`.
    pub(crate) fn try_forward<T: Tape<f32, D>>(
        &self,
        x: Mat<D, T>,
        mut mode: Mode<'_>,
    ) -> Result<Mat<D, T>, D::Err> {
        let Some((output, hidden)) = self.layers.split_last() else {
            return Ok(x);
        };
        let mut h = x;
        for layer in hidden {
            h = layer.try_forward(h)?;
            h = match self.activation {
                Activation::Relu => h.try_relu()?,
                Activation::Tanh => h.try_tanh()?,
                Activation::Gelu => h.try_fast_gelu()?,
                Activation::Sigmoid => h.try_sigmoid()?,
            };
            if let (Mode::Train(rng), true) = (&mut mode, self.dropout > 0.0) {
                let (rows, cols) = *h.shape();
                h = D::apply_mask(h, dropout_mask(rows * cols, self.dropout, rng))?;
            }
        }
        output.try_forward(h)
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
    fn depth_zero_is_one_linear_layer_and_dropout_only_trains() {
        let dev = Cpu::seed_from_u64(0);
        let mut hp =
            experiment::Hyperparams::resolve(&Default::default(), &Default::default()).unwrap();
        hp.depth = 0;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let logistic = Mlp::init(&dev, 4, 3, &hp, &mut rng).unwrap();
        assert_eq!(logistic.layers.len(), 1);
        assert_eq!(logistic.layers[0].weight.shape(), &(3, 4));

        hp.depth = 2;
        hp.hidden = 8;
        hp.dropout = 0.5;
        let mlp = Mlp::init(&dev, 4, 3, &hp, &mut rng).unwrap();
        assert_eq!(mlp.layers.len(), 3);
        let x = dev.tensor_from_vec(vec![0.5f32; 8], (2usize, 4usize));
        let eval_a = mlp.try_forward(x.clone(), Mode::Eval).unwrap().as_vec();
        let eval_b = mlp.try_forward(x.clone(), Mode::Eval).unwrap().as_vec();
        assert_eq!(eval_a, eval_b, "evaluation is deterministic: no dropout");
        let train = mlp.try_forward(x, Mode::Train(&mut rng)).unwrap().as_vec();
        assert_ne!(eval_a, train, "training applies dropout");
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
