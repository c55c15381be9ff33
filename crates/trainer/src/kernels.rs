//! The networks' element-wise steps (bias add, dropout mask) and row gathers (im2col,
//! max-pooling) with a fast path on the CPU.
//!
//! dfdx's CPU binary kernels walk both operands through a general strided index, element by
//! element, forward and backward; for the bias add and the dropout mask of a small MLP that was
//! about a third of a training step. Its gather kernel does the same for every element of an
//! im2col, nine times the size of the map, which made the gathers the bulk of a CNN's step.
//! `Kernels` does the same arithmetic with plain loops over contiguous rows on `Cpu` (a gather
//! copies whole rows, planned per image rather than read from a batch-sized index), recorded on
//! the tape through dfdx's public `Tape` API, and falls back to dfdx's own operations on any
//! other device. The trait also says where a trial's epochs run: on the CPU, in the trial's
//! one-thread rayon pool (`TrialThread`), which a CUDA device, not `Send`, cannot enter. The results are bit-identical to dfdx's (the same additions, multiplications
//! and comparisons in the same order); the tests check this.

use dfdx::shapes::{Axis, HasShape};
use dfdx::tensor::{Cpu, Merge, NoneTape, PutTape, SplitTape, Tape, Tensor, TensorFromVec};
use dfdx::tensor_ops::{BroadcastTo, Device, TryAdd, TryMul};

use crate::conv::{gather_rows_dfdx, max_pool_dfdx, RowGather};
use crate::metrics::Scores;
use crate::model::Mat;
use crate::prep::Split;
use crate::train::{EpochEnd, Trainer, TrialThread};
use crate::Result as TrainResult;

/// Element-wise steps of the MLP; the defaults are dfdx's own operations.
pub(crate) trait Kernels: Device<f32> {
    /// Returns `y + b`, `b` added to every row.
    fn add_bias<T: Tape<f32, Self>>(
        y: Mat<Self, T>,
        bias: &Tensor<(usize,), f32, Self>,
    ) -> Result<Mat<Self, T>, Self::Err> {
        add_bias_dfdx(y, bias)
    }

    /// Returns `x * mask`, element by element; `mask` is row-major with `x`'s shape.
    fn apply_mask<T: Tape<f32, Self>>(
        x: Mat<Self, T>,
        mask: Vec<f32>,
    ) -> Result<Mat<Self, T>, Self::Err> {
        apply_mask_dfdx(x, mask)
    }

    /// Returns the rows of `x` (`batch` images of `plan.src_rows` rows) gathered by `plan`.
    fn gather_rows<T: Tape<f32, Self> + Merge<NoneTape>>(
        x: Mat<Self, T>,
        plan: &RowGather<Self>,
        batch: usize,
    ) -> Result<Mat<Self, T>, Self::Err> {
        gather_rows_dfdx(x, plan, batch)
    }

    /// Returns the maximum of each pooling window of `plan`, channel by channel.
    fn max_pool<T: Tape<f32, Self> + Merge<NoneTape>>(
        x: Mat<Self, T>,
        plan: &RowGather<Self>,
        batch: usize,
    ) -> Result<Mat<Self, T>, Self::Err> {
        max_pool_dfdx(x, plan, batch)
    }

    /// Runs one epoch of `trainer` on the trial's thread: on the CPU, inside the trial's
    /// one-thread pool, so that dfdx's matmul does not fan out; elsewhere, where it is.
    fn run_epoch(trainer: &mut Trainer<'_, Self>, _thread: &TrialThread) -> TrainResult<EpochEnd> {
        trainer.run_epoch()
    }

    /// Evaluates `trainer` on `split`, on the trial's thread as `run_epoch` does.
    fn evaluate(
        trainer: &Trainer<'_, Self>,
        split: &Split,
        _thread: &TrialThread,
    ) -> TrainResult<Scores> {
        trainer.evaluate(split)
    }
}

/// The CPU fast path. Inputs are fresh outputs of a matmul or an activation, so contiguous,
/// which is what `copy_into` (a copy of the physical buffer) needs.
impl Kernels for Cpu {
    fn add_bias<T: Tape<f32, Self>>(
        y: Mat<Self, T>,
        bias: &Tensor<(usize,), f32, Self>,
    ) -> Result<Mat<Self, T>, Self::Err> {
        let (y, mut tape) = y.split_tape();
        let (rows, cols) = *y.shape();
        let mut out = vec![0.0f32; rows * cols];
        y.copy_into(&mut out);
        let b = bias.as_vec();
        for row in out.chunks_exact_mut(cols) {
            for (o, b) in row.iter_mut().zip(&b) {
                *o += b;
            }
        }
        let out = y.device().try_tensor_from_vec(out, (rows, cols))?;
        let (y_ghost, b_ghost, out_ghost) = (y.ghost(), bias.ghost(), out.ghost());
        drop(y);
        tape.add_backward_op(move |grads| {
            let grad_out = grads.get_or_alloc_mut(&out_ghost)?.to_vec();
            let grad_y = grads.get_or_alloc_mut(&y_ghost)?;
            for (g, o) in grad_y.iter_mut().zip(&grad_out) {
                *g += o;
            }
            let grad_b = grads.get_or_alloc_mut(&b_ghost)?;
            for row in grad_out.chunks_exact(cols) {
                for (g, o) in grad_b.iter_mut().zip(row) {
                    *g += o;
                }
            }
            Ok(())
        });
        Ok(out.put_tape(tape))
    }

    fn apply_mask<T: Tape<f32, Self>>(
        x: Mat<Self, T>,
        mask: Vec<f32>,
    ) -> Result<Mat<Self, T>, Self::Err> {
        let (x, mut tape) = x.split_tape();
        let shape = *x.shape();
        let mut out = vec![0.0f32; shape.0 * shape.1];
        x.copy_into(&mut out);
        for (o, m) in out.iter_mut().zip(&mask) {
            *o *= m;
        }
        let out = x.device().try_tensor_from_vec(out, shape)?;
        let (x_ghost, out_ghost) = (x.ghost(), out.ghost());
        drop(x);
        tape.add_backward_op(move |grads| {
            let grad_out = grads.get_or_alloc_mut(&out_ghost)?.to_vec();
            let grad_x = grads.get_or_alloc_mut(&x_ghost)?;
            for ((g, m), o) in grad_x.iter_mut().zip(&mask).zip(&grad_out) {
                *g += m * o;
            }
            Ok(())
        });
        Ok(out.put_tape(tape))
    }

    fn gather_rows<T: Tape<f32, Self> + Merge<NoneTape>>(
        x: Mat<Self, T>,
        plan: &RowGather<Self>,
        batch: usize,
    ) -> Result<Mat<Self, T>, Self::Err> {
        gather_rows_cpu(x, plan, batch)
    }

    fn max_pool<T: Tape<f32, Self> + Merge<NoneTape>>(
        x: Mat<Self, T>,
        plan: &RowGather<Self>,
        batch: usize,
    ) -> Result<Mat<Self, T>, Self::Err> {
        max_pool_cpu(x, plan, batch)
    }

    fn run_epoch(trainer: &mut Trainer<'_, Self>, thread: &TrialThread) -> TrainResult<EpochEnd> {
        thread.install(|| trainer.run_epoch())
    }

    fn evaluate(
        trainer: &Trainer<'_, Self>,
        split: &Split,
        thread: &TrialThread,
    ) -> TrainResult<Scores> {
        thread.install(|| trainer.evaluate(split))
    }
}

// The CPU fast paths of the gathers. Like the element-wise ones, they copy their input to the
// host once (a `Cpu` tensor's buffer is not public) and build the output in a fresh buffer.

fn gather_rows_cpu<T: Tape<f32, Cpu>>(
    x: Mat<Cpu, T>,
    plan: &RowGather<Cpu>,
    batch: usize,
) -> Result<Mat<Cpu, T>, <Cpu as dfdx::tensor::HasErr>::Err> {
    let (x, mut tape) = x.split_tape();
    let (rows, cols) = *x.shape();
    let mut src = vec![0.0f32; rows * cols];
    x.copy_into(&mut src);
    let plan = plan.plan.clone();
    let out_rows = batch * plan.out_rows();
    let mut out = vec![0.0f32; out_rows * cols];
    for (r, row) in out.chunks_exact_mut(cols).enumerate() {
        if let Some(s) = plan.source(r) {
            row.copy_from_slice(&src[s * cols..(s + 1) * cols]);
        }
    }
    drop(src);
    let out = x.device().try_tensor_from_vec(out, (out_rows, cols))?;
    let (x_ghost, out_ghost) = (x.ghost(), out.ghost());
    drop(x);
    tape.add_backward_op(move |grads| {
        let grad_out = grads.get_or_alloc_mut(&out_ghost)?.to_vec();
        let grad_x = grads.get_or_alloc_mut(&x_ghost)?;
        for (r, g) in grad_out.chunks_exact(cols).enumerate() {
            if let Some(s) = plan.source(r) {
                for (acc, g) in grad_x[s * cols..(s + 1) * cols].iter_mut().zip(g) {
                    *acc += g;
                }
            }
        }
        Ok(())
    });
    Ok(out.put_tape(tape))
}

fn max_pool_cpu<T: Tape<f32, Cpu>>(
    x: Mat<Cpu, T>,
    plan: &RowGather<Cpu>,
    batch: usize,
) -> Result<Mat<Cpu, T>, <Cpu as dfdx::tensor::HasErr>::Err> {
    let (x, mut tape) = x.split_tape();
    let (rows, cols) = *x.shape();
    let mut src = vec![0.0f32; rows * cols];
    x.copy_into(&mut src);
    let plan = plan.plan.clone();
    let group = plan.group;
    let windows = batch * plan.out_rows() / group;
    let mut out = vec![f32::NEG_INFINITY; windows * cols];
    for (w, row) in out.chunks_exact_mut(cols).enumerate() {
        for k in 0..group {
            // Pooling plans have no padding.
            let s = plan.source(w * group + k).unwrap_or(0);
            for (o, &v) in row.iter_mut().zip(&src[s * cols..(s + 1) * cols]) {
                *o = o.max(v);
            }
        }
    }
    let out_host = out.clone();
    let out = x.device().try_tensor_from_vec(out, (windows, cols))?;
    let (x_ghost, out_ghost) = (x.ghost(), out.ghost());
    drop(x);
    tape.add_backward_op(move |grads| {
        let grad_out = grads.get_or_alloc_mut(&out_ghost)?.to_vec();
        let grad_x = grads.get_or_alloc_mut(&x_ghost)?;
        for w in 0..windows {
            let (maxima, g) = (
                &out_host[w * cols..(w + 1) * cols],
                &grad_out[w * cols..(w + 1) * cols],
            );
            for k in 0..group {
                let s = plan.source(w * group + k).unwrap_or(0);
                let inputs = &src[s * cols..(s + 1) * cols];
                let acc = &mut grad_x[s * cols..(s + 1) * cols];
                for c in 0..cols {
                    let d = if maxima[c] == inputs[c] { 1.0 } else { 0.0 };
                    acc[c] += g[c] * d;
                }
            }
        }
        Ok(())
    });
    Ok(out.put_tape(tape))
}

/// dfdx's bias add, as in its `Linear`: a broadcast and an addition.
pub(crate) fn add_bias_dfdx<D: Device<f32>, T: Tape<f32, D>>(
    y: Mat<D, T>,
    bias: &Tensor<(usize,), f32, D>,
) -> Result<Mat<D, T>, D::Err> {
    let shape = *y.shape();
    let b = bias
        .retaped::<T>()
        .try_broadcast_like::<(usize, usize), Axis<0>>(&shape)?;
    y.try_add(b)
}

/// dfdx's element-wise multiplication by a mask uploaded to the device.
pub(crate) fn apply_mask_dfdx<D: Device<f32>, T: Tape<f32, D>>(
    x: Mat<D, T>,
    mask: Vec<f32>,
) -> Result<Mat<D, T>, D::Err> {
    let mask: Mat<D, NoneTape> = x.device().try_tensor_from_vec(mask, *x.shape())?;
    x.try_mul(mask)
}

#[cfg(test)]
mod tests {
    use dfdx::tensor::{Gradients, Trace};
    use dfdx::tensor_ops::{Backward, SumTo};

    use super::*;

    /// Builds a (3, 4) input and a loss weighting that makes every gradient entry distinct.
    fn inputs(dev: &Cpu) -> (Mat<Cpu, NoneTape>, Mat<Cpu, NoneTape>) {
        let x: Vec<f32> = (0..12).map(|i| (i as f32 - 5.5) * 0.37).collect();
        let w: Vec<f32> = (0..12).map(|i| 1.0 + i as f32 * 0.11).collect();
        (
            dev.tensor_from_vec(x, (3, 4)),
            dev.tensor_from_vec(w, (3, 4)),
        )
    }

    fn bits(values: Vec<f32>) -> Vec<u32> {
        values.into_iter().map(f32::to_bits).collect()
    }

    #[test]
    fn cpu_bias_add_matches_dfdx_bit_for_bit() {
        let dev = Cpu::default();
        let (x, w) = inputs(&dev);
        let bias = dev.tensor_from_vec(vec![0.5f32, -1.25, 3.0, 0.1], (4,));
        let fast = <Cpu as Kernels>::add_bias(x.leaky_trace(), &bias).unwrap();
        let slow = add_bias_dfdx(x.leaky_trace(), &bias).unwrap();
        assert_eq!(bits(fast.as_vec()), bits(slow.as_vec()));
        let g_fast: Gradients<f32, Cpu> = (fast * w.clone()).square().sum().backward();
        let g_slow: Gradients<f32, Cpu> = (slow * w).square().sum().backward();
        assert_eq!(bits(g_fast.get(&x).as_vec()), bits(g_slow.get(&x).as_vec()));
        assert_eq!(
            bits(g_fast.get(&bias).as_vec()),
            bits(g_slow.get(&bias).as_vec())
        );
    }

    /// A (batch * 4 * 3, 2) input of two 4x3 images whose values tie in places, as ReLU
    /// outputs do, and a loss weighting for it.
    fn image_rows(dev: &Cpu, rows: usize) -> (Mat<Cpu, NoneTape>, Vec<f32>) {
        let x: Vec<f32> = (0..rows * 2)
            .map(|i| ((i * 7919) % 13) as f32 * 0.25 - 1.0)
            .map(|v: f32| v.max(0.0))
            .collect();
        let w: Vec<f32> = (0..rows * 2 * 9)
            .map(|i| 1.0 + (i % 17) as f32 * 0.13)
            .collect();
        (dev.tensor_from_vec(x, (rows, 2)), w)
    }

    #[test]
    fn cpu_gathers_match_dfdx_bit_for_bit() {
        let dev = Cpu::default();
        let size = crate::conv::MapSize {
            height: 4,
            width: 3,
        };
        let (batch, rows) = (2, 2 * 4 * 3);
        let (x, w) = image_rows(&dev, rows);
        for plan in [RowGather::im2col(size), RowGather::pool(size)] {
            let pool = plan.plan.group == 4;
            let (fast, slow) = if pool {
                (
                    <Cpu as Kernels>::max_pool(x.leaky_trace(), &plan, batch).unwrap(),
                    max_pool_dfdx(x.leaky_trace(), &plan, batch).unwrap(),
                )
            } else {
                (
                    <Cpu as Kernels>::gather_rows(x.leaky_trace(), &plan, batch).unwrap(),
                    gather_rows_dfdx(x.leaky_trace(), &plan, batch).unwrap(),
                )
            };
            assert_eq!(fast.shape(), slow.shape());
            assert_eq!(bits(fast.as_vec()), bits(slow.as_vec()));
            let shape = *fast.shape();
            let w = dev.tensor_from_vec(w[..shape.0 * shape.1].to_vec(), shape);
            let g_fast: Gradients<f32, Cpu> = (fast * w.clone()).square().sum().backward();
            let g_slow: Gradients<f32, Cpu> = (slow * w).square().sum().backward();
            assert_eq!(
                bits(g_fast.get(&x).as_vec()),
                bits(g_slow.get(&x).as_vec()),
                "pool: {pool}"
            );
        }
    }

    #[test]
    fn cpu_mask_matches_dfdx_bit_for_bit() {
        let dev = Cpu::default();
        let (x, w) = inputs(&dev);
        let mask: Vec<f32> = (0..12)
            .map(|i| if i % 3 == 0 { 0.0 } else { 1.25 })
            .collect();
        let fast = <Cpu as Kernels>::apply_mask(x.leaky_trace(), mask.clone()).unwrap();
        let slow = apply_mask_dfdx(x.leaky_trace(), mask).unwrap();
        assert_eq!(bits(fast.as_vec()), bits(slow.as_vec()));
        let g_fast: Gradients<f32, Cpu> = (fast * w.clone()).square().sum().backward();
        let g_slow: Gradients<f32, Cpu> = (slow * w).square().sum().backward();
        assert_eq!(bits(g_fast.get(&x).as_vec()), bits(g_slow.get(&x).as_vec()));
    }
}
