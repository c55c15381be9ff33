//! Optimizers: SGD with momentum, Adam and AdamW, applied with dfdx's own update kernels; the
//! learning-rate schedule; and gradient clipping by norm.
//!
//! dfdx's `Optimizer` trait walks a module whose shapes are fixed in its type, which our
//! run-time-sized layers are not. The kernels behind it (`SgdConfig::try_update`,
//! `AdamConfig::try_update`) work on a tensor of any shape, so this module keeps the per-parameter
//! state (velocity, or Adam's two moments) in `Gradients` maps keyed by tensor, exactly as dfdx's
//! `Sgd` and `Adam` do, and calls those kernels for every parameter.
//!
//! Weight decay is coupled (added to the gradient, i.e. L2) for `sgd` and `adam`, and decoupled
//! for `adamw`.
//!
//! Clipping scales a step's whole gradient by `clip_norm / norm` when its L2 norm is larger.
//! dfdx exposes a gradient only as its device buffer, with no public in-place kernel, so the
//! scaling goes through the one kernel that writes a buffer we own: SGD's velocity. With
//! learning rate 0, `v = g + 0 * v` copies the gradient into a fresh velocity buffer and a second
//! call `v = 0 + factor * v` (with a zero gradient) scales it, exactly, on any device; the
//! parameter is left unchanged (`p - 0 * v`). Rejected: scaling the loss and running the
//! backward pass again, which doubles the cost of every clipped step.

use dfdx::shapes::Shape;
use dfdx::tensor::{Gradients, Tensor};
use dfdx::tensor_ops::{AdamConfig, Device, Momentum, SgdConfig, SumTo, WeightDecay};
use experiment::{Hyperparams, OptimizerKind, Schedule};

use crate::model::{Net, Param};

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
    /// The largest gradient norm before scaling; 0 is off.
    clip_norm: f64,
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    Sgd(SgdConfig),
    Adam(AdamConfig),
}

/// Returns the learning rate of a step: batch `batch` of `batches` in epoch `epoch` (from 0).
///
/// The warm-up rises linearly over `warmup_epochs`, step by step, from `lr / steps` to `lr`;
/// then the schedule runs over the remaining epochs: `step` decays at epoch boundaries, `cosine`
/// falls step by step along half a cosine towards 0 at the end of the last epoch.
pub(crate) fn learning_rate(hp: &Hyperparams, epoch: u32, batch: usize, batches: usize) -> f64 {
    // Batch counts are far below 2^52, so the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let (batch, batches) = (batch as f64, batches.max(1) as f64);
    let warmup = f64::from(hp.warmup_epochs);
    let t = f64::from(epoch) + batch / batches;
    if t < warmup {
        return hp.lr * (t + 1.0 / batches) / warmup;
    }
    match hp.schedule {
        Schedule::Constant => hp.lr,
        Schedule::Step { every, factor } => {
            let decays = (epoch - hp.warmup_epochs) / every.max(1);
            hp.lr * factor.powf(f64::from(decays))
        }
        Schedule::Cosine => {
            let span = (f64::from(hp.epochs) - warmup).max(1.0);
            let progress = ((t - warmup) / span).clamp(0.0, 1.0);
            hp.lr * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
        }
    }
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
            clip_norm: hp.clip_norm,
        }
    }

    /// Sets the learning rate of the next steps.
    pub(crate) fn set_learning_rate(&mut self, lr: f64) {
        match &mut self.rule {
            Rule::Sgd(cfg) => cfg.lr = lr,
            Rule::Adam(cfg) => cfg.lr = lr,
        }
    }

    /// Updates every parameter of `net` from `grads`, the gradients of one batch's loss,
    /// clipped first when `clip_norm` is set.
    pub(crate) fn step(
        &mut self,
        net: &mut Net<D>,
        grads: &mut Gradients<f32, D>,
    ) -> Result<(), D::Err> {
        self.steps = self.steps.saturating_add(1);
        let mut params = net.params_mut();
        let mut clipped = None;
        if self.clip_norm > 0.0 {
            let norm = global_norm(&params, grads)?;
            if norm.is_finite() && norm > self.clip_norm {
                let factor = self.clip_norm / norm;
                let mut scaled = Gradients::leaky();
                for param in &mut params {
                    match param {
                        Param::Matrix(t) => scale_into(t, grads, &mut scaled, factor)?,
                        Param::Vector(t) => scale_into(t, grads, &mut scaled, factor)?,
                    }
                }
                clipped = Some(scaled);
            }
        }
        let grads = clipped.as_mut().unwrap_or(grads);
        for param in params {
            match param {
                Param::Matrix(t) => self.update(t, grads)?,
                Param::Vector(t) => self.update(t, grads)?,
            }
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

/// Returns the L2 norm of the gradients of all `params`.
fn global_norm<D: Device<f32>>(
    params: &[Param<'_, D>],
    grads: &mut Gradients<f32, D>,
) -> Result<f64, D::Err> {
    let mut sum = 0.0f64;
    for param in params {
        let squares = match param {
            Param::Matrix(t) => {
                grads.try_alloc_for(&**t)?;
                grads.get(&**t).try_square()?.try_sum::<(), _>()?.as_vec()
            }
            Param::Vector(t) => {
                grads.try_alloc_for(&**t)?;
                grads.get(&**t).try_square()?.try_sum::<(), _>()?.as_vec()
            }
        };
        sum += squares.first().map_or(0.0, |&s| f64::from(s));
    }
    Ok(sum.sqrt())
}

/// Writes `factor` times the gradient of `param` from `grads` into `scaled`, leaving `param`
/// as it is: see the module docs.
fn scale_into<S: Shape, D: Device<f32>>(
    param: &mut Tensor<S, f32, D>,
    grads: &mut Gradients<f32, D>,
    scaled: &mut Gradients<f32, D>,
    factor: f64,
) -> Result<(), D::Err> {
    let copy = SgdConfig {
        lr: 0.0,
        momentum: Some(Momentum::Classic(0.0)),
        weight_decay: None,
    };
    let scale = SgdConfig {
        momentum: Some(Momentum::Classic(factor)),
        ..copy
    };
    let mut zero = Gradients::leaky();
    let velocity = scaled.get_or_alloc_mut(param)?;
    let grad = grads.get_or_alloc_mut(param)?;
    copy.try_update(param, velocity, grad)?;
    let velocity = scaled.get_or_alloc_mut(param)?;
    let nothing = zero.get_or_alloc_mut(param)?;
    scale.try_update(param, velocity, nothing)
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

    fn hyperparams(pairs: &[(&str, experiment::ParamValue)]) -> Hyperparams {
        let params: Params = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Hyperparams::resolve(&Params::new(), &params).unwrap()
    }

    #[test]
    fn schedules_warm_up_then_decay() {
        use experiment::ParamValue::{Float, Int, Str};
        let lr = |hp: &Hyperparams, epoch, batch| learning_rate(hp, epoch, batch, 4);
        let constant = hyperparams(&[("lr", Float(0.1)), ("warmup_epochs", Int(2))]);
        let warm: Vec<f64> = (0..8usize)
            .map(|b| lr(&constant, u32::try_from(b / 4).unwrap(), b % 4))
            .collect();
        for (b, x) in warm.iter().enumerate() {
            assert!((x - 0.1 * (b + 1) as f64 / 8.0).abs() < 1e-12, "{b}: {x}");
        }
        assert_eq!(lr(&constant, 2, 0), 0.1);
        let step = hyperparams(&[
            ("lr", Float(1.0)),
            ("schedule", Str("step".into())),
            ("step_epochs", Int(3)),
            ("step_factor", Float(0.5)),
        ]);
        let by_epoch: Vec<f64> = (0..7).map(|e| lr(&step, e, 2)).collect();
        assert_eq!(by_epoch, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
        let cosine = hyperparams(&[
            ("lr", Float(1.0)),
            ("schedule", Str("cosine".into())),
            ("epochs", Int(10)),
            ("warmup_epochs", Int(2)),
        ]);
        assert_eq!(lr(&cosine, 2, 0), 1.0);
        assert!((lr(&cosine, 6, 0) - 0.5).abs() < 1e-12, "halfway");
        assert!(lr(&cosine, 9, 3) < 0.01 && lr(&cosine, 9, 3) > 0.0);
    }

    /// With clipping, a step moves the weights as if the gradient had the clip norm.
    #[test]
    fn clipping_scales_the_gradient_to_the_norm() {
        use experiment::ParamValue::{Float, Str};
        let dev = Cpu::default();
        let run = |clip: f64, lr: f64| {
            let hp = hyperparams(&[
                ("optimizer", Str("sgd".into())),
                ("momentum", Float(0.0)),
                ("lr", Float(lr)),
                ("clip_norm", Float(clip)),
            ]);
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let mut net = Net {
                convs: Vec::new(),
                layers: vec![Dense::init(&dev, 4, 2, &mut rng).unwrap()],
                norms: Vec::new(),
                activation: hp.activation,
                dropout: 0.0,
                image: None,
            };
            let before = net.layers[0].weight.as_vec();
            let x = dev.tensor_from_vec(vec![3.0f32, -1.0, 2.0, 0.5], (1usize, 4usize));
            let y = net.try_forward(x.leaky_trace(), Mode::Eval).unwrap();
            let mut g = y.square().sum().backward();
            let norm = {
                let w: f32 = g
                    .get(&net.layers[0].weight)
                    .as_vec()
                    .iter()
                    .map(|v| v * v)
                    .sum();
                let b: f32 = g
                    .get(&net.layers[0].bias)
                    .as_vec()
                    .iter()
                    .map(|v| v * v)
                    .sum();
                f64::from(w + b).sqrt()
            };
            Optimizer::new(&hp).step(&mut net, &mut g).unwrap();
            let after = net.layers[0].weight.as_vec();
            let moved: Vec<f32> = before.iter().zip(&after).map(|(b, a)| b - a).collect();
            (moved, norm)
        };
        let (unclipped, norm) = run(0.0, 0.1);
        assert!(norm > 1.0, "{norm}");
        let (clipped, _) = run(1.0, 0.1);
        let (scaled_lr, _) = run(0.0, 0.1 / norm);
        for (c, s) in clipped.iter().zip(&scaled_lr) {
            assert!((c - s).abs() < 1e-6, "{c} vs {s}");
        }
        assert_ne!(clipped, unclipped);
        let (loose, _) = run(norm * 2.0, 0.1);
        assert_eq!(loose, unclipped, "a norm under the threshold is left alone");
    }

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
            let mut mlp = Net {
                convs: Vec::new(),
                layers: vec![Dense::init(&dev, 4, 2, &mut rng).unwrap()],
                norms: Vec::new(),
                activation: hp.activation,
                dropout: 0.0,
                image: None,
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
