//! Optimizers: SGD with momentum, Adam and AdamW, applied with dfdx's own update kernels.
//!
//! dfdx's `Optimizer` trait walks a module whose shapes are fixed in its type, which our
//! run-time-sized layers are not. The kernels behind it (`SgdConfig::try_update`,
//! `AdamConfig::try_update`) work on a tensor of any shape, so this module keeps the per-parameter
//! state (velocity, or Adam's two moments) in `Gradients` maps keyed by tensor, exactly as dfdx's
//! `Sgd` and `Adam` do, and calls those kernels for every weight and bias.
//!
//! Weight decay is coupled (added to the gradient, i.e. L2) for `sgd` and `adam`, and decoupled
//! for `adamw`.

use dfdx::shapes::Shape;
use dfdx::tensor::{Gradients, Tensor};
use dfdx::tensor_ops::{AdamConfig, Device, Momentum, SgdConfig, WeightDecay};
use experiment::{Hyperparams, OptimizerKind};

use crate::model::Mlp;

/// The update rule and its state for every parameter of a model.
#[derive(Debug)]
pub(crate) struct Optimizer<D: Device<f32>> {
    rule: Rule,
    /// Steps taken so far; Adam's bias correction needs it.
    steps: i32,
    /// SGD's velocity or Adam's first moment, per parameter.
    moment1: Gradients<f32, D>,
    /// Adam's second moment, per parameter.
    moment2: Gradients<f32, D>,
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    Sgd(SgdConfig),
    Adam(AdamConfig),
}

impl<D: Device<f32>> Optimizer<D> {
    /// Returns the optimizer `hp` asks for, with no state yet.
    pub(crate) fn new(hp: &Hyperparams) -> Self {
        let decay = (hp.l2 > 0.0).then_some(hp.l2);
        let rule = match hp.optimizer {
            OptimizerKind::Sgd => Rule::Sgd(SgdConfig {
                lr: hp.lr,
                momentum: (hp.momentum > 0.0).then_some(Momentum::Classic(hp.momentum)),
                weight_decay: decay.map(WeightDecay::L2),
            }),
            OptimizerKind::Adam => Rule::Adam(AdamConfig {
                lr: hp.lr,
                weight_decay: decay.map(WeightDecay::L2),
                ..AdamConfig::default()
            }),
            OptimizerKind::AdamW => Rule::Adam(AdamConfig {
                lr: hp.lr,
                weight_decay: decay.map(WeightDecay::Decoupled),
                ..AdamConfig::default()
            }),
        };
        Optimizer {
            rule,
            steps: 0,
            moment1: Gradients::leaky(),
            moment2: Gradients::leaky(),
        }
    }

    /// Updates every weight and bias of `mlp` from `grads`, the gradients of one batch's loss.
    pub(crate) fn step(
        &mut self,
        mlp: &mut Mlp<D>,
        grads: &mut Gradients<f32, D>,
    ) -> Result<(), D::Err> {
        self.steps = self.steps.saturating_add(1);
        for layer in &mut mlp.layers {
            self.update(&mut layer.weight, grads)?;
            self.update(&mut layer.bias, grads)?;
        }
        Ok(())
    }

    fn update<S: Shape>(
        &mut self,
        param: &mut Tensor<S, f32, D>,
        grads: &mut Gradients<f32, D>,
    ) -> Result<(), D::Err> {
        let grad = grads.get_or_alloc_mut(param)?;
        match &self.rule {
            Rule::Sgd(cfg) => {
                let velocity = self.moment1.get_or_alloc_mut(param)?;
                cfg.try_update(param, velocity, grad)
            }
            Rule::Adam(cfg) => {
                let m = self.moment1.get_or_alloc_mut(param)?;
                let v = self.moment2.get_or_alloc_mut(param)?;
                cfg.try_update(self.steps, param, m, v, grad)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use dfdx::nn::{modules::Linear, BuildModule, Module};
    use dfdx::optim::{Adam, Optimizer as _, Sgd};
    use dfdx::tensor::{Cpu, TensorFrom, TensorFromVec, Trace};
    use dfdx::tensor_ops::{Backward, SumTo};
    use experiment::Params;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::{Dense, Mode};

    /// Three steps of each rule must move the weights exactly as dfdx's own optimizers do.
    #[test]
    fn updates_match_dfdx_optimizers() {
        for (optimizer, l2) in [("sgd", 0.01), ("adam", 0.01), ("adamw", 0.01), ("sgd", 0.0)] {
            let mut params = Params::new();
            params.insert(
                "optimizer".into(),
                experiment::ParamValue::Str(optimizer.into()),
            );
            params.insert("l2".into(), experiment::ParamValue::Float(l2));
            params.insert("lr".into(), experiment::ParamValue::Float(0.05));
            let hp = Hyperparams::resolve(&Params::new(), &params).unwrap();
            let dev = Cpu::default();
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let mut mlp = Mlp {
                layers: vec![Dense::init(&dev, 4, 2, &mut rng).unwrap()],
                activation: hp.activation,
                dropout: 0.0,
            };
            let mut linear = Linear::<4, 2, f32, Cpu>::build(&dev);
            linear.weight.copy_from(&mlp.layers[0].weight.as_vec());
            linear.bias.copy_from(&mlp.layers[0].bias.as_vec());
            let mut ours = Optimizer::new(&hp);
            let mut theirs: Box<dyn FnMut(&mut _, &_)> = match ours.rule {
                Rule::Sgd(cfg) => {
                    let mut o = Sgd::new(&linear, cfg);
                    Box::new(move |m, g| o.update(m, g).unwrap())
                }
                Rule::Adam(cfg) => {
                    let mut o = Adam::new(&linear, cfg);
                    Box::new(move |m, g| o.update(m, g).unwrap())
                }
            };
            let x = dev.tensor([[0.5f32, -1.0, 2.0, 0.25], [1.0, 0.5, -0.5, -2.0]]);
            let x_dyn = dev.tensor_from_vec(x.as_vec(), (2usize, 4usize));
            for _ in 0..3 {
                let g = linear.forward(x.leaky_trace()).square().sum().backward();
                theirs(&mut linear, &g);
                let y = mlp.try_forward(x_dyn.leaky_trace(), Mode::Eval).unwrap();
                let mut g = y.square().sum().backward();
                ours.step(&mut mlp, &mut g).unwrap();
            }
            assert_eq!(
                linear.weight.as_vec(),
                mlp.layers[0].weight.as_vec(),
                "{optimizer}"
            );
            assert_eq!(
                linear.bias.as_vec(),
                mlp.layers[0].bias.as_vec(),
                "{optimizer}"
            );
        }
    }
}
