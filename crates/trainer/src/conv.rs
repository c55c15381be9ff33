//! Convolution (3x3, stride 1, zero padding 1) and 2x2 max-pooling on stable dfdx, built from
//! differentiable operations, since dfdx 0.13 has `conv2d` and `pool2d` only on nightly.
//!
//! Activations are kept as matrices of one row per pixel and one column per channel (`NHWC`
//! flattened to `(batch * height * width, channels)`), so that both operations are a *gather of
//! rows*:
//! - a convolution gathers, for every pixel, the rows of its 9 neighbours (im2col), with
//!   out-of-image neighbours reading a row of zeros appended with `concat_along`; reshaping the
//!   gathered `(pixels * 9, channels)` to `(pixels, 9 * channels)` makes the convolution one
//!   `matmul` with a `(9 * channels, out_channels)` kernel, i.e. a `Dense` layer;
//! - a max-pool gathers the 4 rows of each 2x2 window, reshapes to `(windows, 4, channels)` and
//!   takes the `max` over the window.
//!
//! The row indices depend only on the image size, so they are planned once per layer for one
//! image (`RowGather`), and the index tensor for a whole batch is built once per batch size and
//! cached. This generic path runs on any device; `Kernels` has a CPU fast path for both gathers
//! that reads the per-image plan directly, with bit-identical results (tested in `kernels.rs`).
//! Odd sizes pool by flooring, as PyTorch does: a 7x7 map pools to 3x3, the last row and column
//! dropped.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use dfdx::shapes::{Axis, Dtype, HasShape};
use dfdx::tensor::{Merge, NoneTape, Tape, Tensor};
use dfdx::tensor_ops::{Device, GatherTo, MaxTo, ReshapeTo, TryConcatAlong};

/// A matrix of rows, of any element type (`f64` in the gradient tests).
pub(crate) type Rows<E, D, T> = Tensor<(usize, usize), E, D, T>;

/// A gather's index for a whole batch.
type Index<D> = Tensor<(usize,), usize, D>;

/// The index of a missing (out-of-image) source row: it reads zeros.
pub(crate) const PAD: usize = usize::MAX;

/// Which rows a gather reads, for one image.
#[derive(Debug, Clone)]
pub(crate) struct RowPlan {
    /// For each output row of one image, its source row in that image, or `PAD`.
    pub(crate) rows: Arc<[usize]>,
    /// Source rows per image.
    pub(crate) src_rows: usize,
    /// Output rows grouped together: 9 neighbours, or the 4 pixels of a window.
    pub(crate) group: usize,
    /// Whether any source row is `PAD`.
    pub(crate) padded: bool,
}

/// A gather of rows planned for one image and repeated for every image of a batch.
#[derive(Debug)]
pub(crate) struct RowGather<D: Device<f32>> {
    pub(crate) plan: RowPlan,
    /// Whole-batch index tensors of the generic path, by batch size.
    cache: Mutex<BTreeMap<usize, Index<D>>>,
}

impl RowPlan {
    /// Returns the output rows per image.
    pub(crate) fn out_rows(&self) -> usize {
        self.rows.len()
    }

    /// Returns the source row, in a batch, of output row `r` of the batch; `None` for a zero row.
    pub(crate) fn source(&self, r: usize) -> Option<usize> {
        let per_image = self.rows.len();
        let src = self.rows[r % per_image];
        (src != PAD).then(|| (r / per_image) * self.src_rows + src)
    }
}

/// The size of a feature map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MapSize {
    pub(crate) height: usize,
    pub(crate) width: usize,
}

impl<D: Device<f32>> Clone for RowGather<D> {
    /// Clones the plan; the clone builds its own index tensors.
    fn clone(&self) -> Self {
        RowGather {
            plan: self.plan.clone(),
            cache: Mutex::new(BTreeMap::new()),
        }
    }
}

impl<D: Device<f32>> RowGather<D> {
    fn new(rows: Vec<usize>, src_rows: usize, group: usize) -> Self {
        let padded = rows.contains(&PAD);
        RowGather {
            plan: RowPlan {
                rows: rows.into(),
                src_rows,
                group,
                padded,
            },
            cache: Mutex::new(BTreeMap::new()),
        }
    }

    /// Plans the im2col of a 3x3 convolution with zero padding 1 over a map of `size`: for each
    /// pixel in row-major order, its 9 neighbours in row-major order, `PAD` outside the map.
    pub(crate) fn im2col(size: MapSize) -> Self {
        let (h, w) = (size.height, size.width);
        let mut rows = Vec::with_capacity(h * w * 9);
        for y in 0..h {
            for x in 0..w {
                for dy in 0..3 {
                    for dx in 0..3 {
                        let (sy, sx) = ((y + dy).wrapping_sub(1), (x + dx).wrapping_sub(1));
                        rows.push(if sy < h && sx < w { sy * w + sx } else { PAD });
                    }
                }
            }
        }
        RowGather::new(rows, h * w, 9)
    }

    /// Plans the 2x2, stride-2 max-pool windows over a map of `size`, each window's pixels in
    /// row-major order.
    pub(crate) fn pool(size: MapSize) -> Self {
        let (h, w) = (size.height, size.width);
        let mut rows = Vec::with_capacity((h / 2) * (w / 2) * 4);
        for y in 0..h / 2 {
            for x in 0..w / 2 {
                for dy in 0..2 {
                    for dx in 0..2 {
                        rows.push((2 * y + dy) * w + 2 * x + dx);
                    }
                }
            }
        }
        RowGather::new(rows, h * w, 4)
    }

    /// Returns the index of the gather for `batch` images, where `PAD` becomes the zero row
    /// appended after the batch's rows; built once per batch size.
    fn batch_index(&self, dev: &D, batch: usize) -> Result<Index<D>, D::Err> {
        // A panic while the lock is held leaves a cache that is still valid.
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = cache.get(&batch) {
            return Ok(index.clone());
        }
        let plan = &self.plan;
        let zero_row = batch * plan.src_rows;
        let mut index = Vec::with_capacity(batch * plan.rows.len());
        for image in 0..batch {
            let base = image * plan.src_rows;
            index.extend(
                plan.rows
                    .iter()
                    .map(|&r| if r == PAD { zero_row } else { base + r }),
            );
        }
        let len = index.len();
        let index = dev.try_tensor_from_vec(index, (len,))?;
        cache.insert(batch, index.clone());
        Ok(index)
    }
}

/// Returns the map size after a pool; flooring, as PyTorch does.
pub(crate) fn pooled(size: MapSize) -> MapSize {
    MapSize {
        height: size.height / 2,
        width: size.width / 2,
    }
}

/// Gathers the rows of `x` (one image after the other, `plan.src_rows` rows each) as `plan`
/// says, with dfdx operations: `PAD` rows read a row of zeros appended by `concat_along`.
pub(crate) fn gather_rows_dfdx<E, D, T>(
    x: Rows<E, D, T>,
    plan: &RowGather<D>,
    batch: usize,
) -> Result<Rows<E, D, T>, D::Err>
where
    E: Dtype,
    D: Device<E> + Device<f32>,
    T: Tape<E, D> + Merge<NoneTape>,
{
    let index = plan.batch_index(x.device(), batch)?;
    if !plan.plan.padded {
        return x.try_gather(index);
    }
    let (_, cols) = *x.shape();
    let zeros: Rows<E, D, NoneTape> = x.device().try_zeros_like(&(1usize, cols))?;
    let padded = (x, zeros).try_concat_along(Axis::<0>)?;
    padded.try_gather(index)
}

/// Max-pools `x` with dfdx operations: gathers each window's rows, reshapes to
/// `(windows, 4, channels)` and takes the maximum over the window.
pub(crate) fn max_pool_dfdx<E, D, T>(
    x: Rows<E, D, T>,
    plan: &RowGather<D>,
    batch: usize,
) -> Result<Rows<E, D, T>, D::Err>
where
    E: Dtype,
    D: Device<E> + Device<f32>,
    T: Tape<E, D> + Merge<NoneTape>,
{
    let gathered = gather_rows_dfdx(x, plan, batch)?;
    let (rows, cols) = *gathered.shape();
    let group = plan.plan.group;
    let windows = gathered.try_reshape_like(&(rows / group, group, cols))?;
    windows.try_max::<(usize, usize), Axis<1>>()
}

#[cfg(test)]
mod tests {
    use dfdx::shapes::Axes2;
    use dfdx::tensor::{AsArray, Cpu, Gradients, TensorFromVec, Trace};
    use dfdx::tensor_ops::{Backward, BroadcastTo, PermuteTo, SumTo, TryAdd, TryMatMul, TryMul};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    const SIZE: MapSize = MapSize {
        height: 5,
        width: 4,
    };

    /// A convolution of `x` ((batch * h * w, cin), f64) with kernel `w` ((cout, 9 * cin), the
    /// 9 taps row-major, channels within a tap) and bias `b`, through the generic path.
    fn conv_dfdx<T: Tape<f64, Cpu> + Merge<NoneTape>>(
        x: Tensor<(usize, usize), f64, Cpu, T>,
        w: &Tensor<(usize, usize), f64, Cpu>,
        b: &Tensor<(usize,), f64, Cpu>,
        plan: &RowGather<Cpu>,
        batch: usize,
    ) -> Tensor<(usize, usize), f64, Cpu, T> {
        let (_, cin) = *x.shape();
        let cols = gather_rows_dfdx(x, plan, batch).unwrap();
        let (rows, _) = *cols.shape();
        let cols = cols.try_reshape_like(&(rows / 9, 9 * cin)).unwrap();
        let wt = w
            .retaped::<T>()
            .try_permute::<(usize, usize), Axes2<1, 0>>()
            .unwrap();
        let y = cols.try_matmul(wt).unwrap();
        let shape = *y.shape();
        let b = b
            .retaped::<T>()
            .try_broadcast_like::<(usize, usize), Axis<0>>(&shape)
            .unwrap();
        y.try_add(b).unwrap()
    }

    /// The textbook convolution, loop by loop.
    fn conv_naive(x: &[f64], w: &[f64], b: &[f64], batch: usize, cin: usize) -> Vec<f64> {
        let (h, wd) = (SIZE.height, SIZE.width);
        let cout = b.len();
        let mut out = vec![0.0; batch * h * wd * cout];
        for n in 0..batch {
            for y in 0..h {
                for xx in 0..wd {
                    for o in 0..cout {
                        let mut sum = b[o];
                        for dy in 0..3 {
                            for dx in 0..3 {
                                let (sy, sx) = (y as isize + dy - 1, xx as isize + dx - 1);
                                if sy < 0 || sx < 0 || sy >= h as isize || sx >= wd as isize {
                                    continue;
                                }
                                let pixel = (n * h + sy as usize) * wd + sx as usize;
                                for c in 0..cin {
                                    let tap = (dy * 3 + dx) as usize;
                                    sum += x[pixel * cin + c] * w[o * 9 * cin + tap * cin + c];
                                }
                            }
                        }
                        out[((n * h + y) * wd + xx) * cout + o] = sum;
                    }
                }
            }
        }
        out
    }

    fn random(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
        (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect()
    }

    #[test]
    fn plans_pad_the_border_and_floor_odd_pools() {
        let plan = RowGather::<Cpu>::im2col(MapSize {
            height: 2,
            width: 2,
        });
        // Pixel (0, 0): neighbours above and to the left are outside.
        assert_eq!(plan.plan.rows[..9], [PAD, PAD, PAD, PAD, 0, 1, PAD, 2, 3]);
        assert!(plan.plan.padded);
        let pool = RowGather::<Cpu>::pool(MapSize {
            height: 3,
            width: 5,
        });
        assert_eq!(pool.plan.out_rows(), 2 * 4);
        assert_eq!(pool.plan.rows[4..8], [2, 3, 7, 8]);
        assert_eq!(pool.plan.source(8 + 5), Some(15 + 3));
        assert_eq!(
            pooled(SIZE),
            MapSize {
                height: 2,
                width: 2
            }
        );
    }

    #[test]
    fn convolution_matches_the_naive_loops() {
        let dev = Cpu::default();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (batch, cin, cout) = (2, 3, 4);
        let pixels = batch * SIZE.height * SIZE.width;
        let (x, w, b) = (
            random(&mut rng, pixels * cin),
            random(&mut rng, cout * 9 * cin),
            random(&mut rng, cout),
        );
        let plan = RowGather::im2col(SIZE);
        let got = conv_dfdx(
            dev.tensor_from_vec(x.clone(), (pixels, cin)),
            &dev.tensor_from_vec(w.clone(), (cout, 9 * cin)),
            &dev.tensor_from_vec(b.clone(), (cout,)),
            &plan,
            batch,
        )
        .as_vec();
        let want = conv_naive(&x, &w, &b, batch, cin);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        // The cached index serves a second batch of the same size.
        assert_eq!(plan.cache.lock().unwrap().len(), 1);
    }

    #[test]
    fn max_pool_takes_each_window_maximum() {
        let dev = Cpu::default();
        // One 2x4 image with 1 channel: windows [1, 5, 2, 0] and [3, 3, 7, 4].
        let x = dev.tensor_from_vec(vec![1.0f64, 5.0, 3.0, 3.0, 2.0, 0.0, 7.0, 4.0], (8, 1));
        let plan = RowGather::pool(MapSize {
            height: 2,
            width: 4,
        });
        let y = max_pool_dfdx(x, &plan, 1).unwrap();
        assert_eq!(y.as_vec(), [5.0, 7.0]);
    }

    /// Gradients of a loss through convolution and pooling, against central differences in f64.
    #[test]
    fn gradients_match_finite_differences() {
        let dev = Cpu::default();
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let (batch, cin, cout) = (2, 2, 3);
        let pixels = batch * SIZE.height * SIZE.width;
        let x = random(&mut rng, pixels * cin);
        let w = random(&mut rng, cout * 9 * cin);
        let b = random(&mut rng, cout);
        let pooled_rows = batch * pooled(SIZE).height * pooled(SIZE).width;
        let weights = random(&mut rng, pooled_rows * cout);
        let conv = RowGather::im2col(SIZE);
        let pool = RowGather::pool(SIZE);
        let loss = |x: &[f64], w: &[f64], b: &[f64]| -> f64 {
            let y = conv_dfdx(
                dev.tensor_from_vec(x.to_vec(), (pixels, cin)),
                &dev.tensor_from_vec(w.to_vec(), (cout, 9 * cin)),
                &dev.tensor_from_vec(b.to_vec(), (cout,)),
                &conv,
                batch,
            );
            let p = max_pool_dfdx(y, &pool, batch).unwrap();
            let k = dev.tensor_from_vec(weights.clone(), (pooled_rows, cout));
            p.try_mul(k).unwrap().sum::<(), _>().array()
        };
        let (xt, wt, bt) = (
            dev.tensor_from_vec(x.clone(), (pixels, cin)),
            dev.tensor_from_vec(w.clone(), (cout, 9 * cin)),
            dev.tensor_from_vec(b.clone(), (cout,)),
        );
        let y = conv_dfdx(xt.leaky_trace(), &wt, &bt, &conv, batch);
        let p = max_pool_dfdx(y, &pool, batch).unwrap();
        let k = dev.tensor_from_vec(weights.clone(), (pooled_rows, cout));
        let grads: Gradients<f64, Cpu> = p.try_mul(k).unwrap().sum().backward();
        let eps = 1e-6;
        let check = |name: &str, analytic: Vec<f64>, values: &[f64], f: &dyn Fn(&[f64]) -> f64| {
            for (i, a) in analytic.iter().enumerate() {
                let (mut up, mut down) = (values.to_vec(), values.to_vec());
                up[i] += eps;
                down[i] -= eps;
                let numeric = (f(&up) - f(&down)) / (2.0 * eps);
                assert!((a - numeric).abs() < 1e-6, "{name}[{i}]: {a} vs {numeric}");
            }
        };
        check("x", grads.get(&xt).as_vec(), &x, &|v| loss(v, &w, &b));
        check("w", grads.get(&wt).as_vec(), &w, &|v| loss(&x, v, &b));
        check("b", grads.get(&bt).as_vec(), &b, &|v| loss(&x, &w, v));
    }
}
