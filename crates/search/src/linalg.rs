//! The little dense linear algebra the samplers need: Cholesky factors and solves for the
//! Gaussian process, a symmetric eigendecomposition for CMA-ES, a general solve for NSGA-III's
//! normalization.
//!
//! Hand-written rather than a linear-algebra crate: the matrices are at most a few hundred
//! rows, the operations are four, and a dependency would bring far more than it is used for.
//! Matrices are square, row-major `Vec<f64>`s of side `n`.

/// Returns the dot product of `a` and `b`, in four interleaved sums so that it vectorizes; the
/// order of additions is fixed, so results are deterministic.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let (chunks_a, chunks_b) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in chunks_a.zip(chunks_b) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Factors the symmetric positive definite `a` as L L^T in place (L in the lower triangle, the
/// upper triangle zeroed); returns false when `a` is not numerically positive definite.
pub(crate) fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let row_j = &a[j * n..j * n + j];
        let d = a[j * n + j] - dot(row_j, row_j);
        if d.is_nan() || d <= 0.0 || !d.is_finite() {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let s = a[i * n + j] - dot(&a[i * n..i * n + j], &a[j * n..j * n + j]);
            a[i * n + j] = s / d;
        }
        for k in j + 1..n {
            a[j * n + k] = 0.0;
        }
    }
    true
}

/// Solves A x = b for a general `a` (overwritten) by Gaussian elimination with partial
/// pivoting; `None` when `a` is singular or nearly (no pivot above 1e-12 in a column).
pub(crate) fn solve(a: &mut [f64], n: usize, mut b: Vec<f64>) -> Option<Vec<f64>> {
    for col in 0..n {
        let size = (col..n).map(|r| a[r * n + col].abs()).fold(0.0, f64::max);
        let pivot = (col..n).find(|&r| a[r * n + col].abs() == size)?;
        if size <= 1e-12 || !size.is_finite() {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(pivot * n + k, col * n + k);
            }
            b.swap(pivot, col);
        }
        for r in col + 1..n {
            let factor = a[r * n + col] / a[col * n + col];
            for k in col..n {
                a[r * n + k] -= factor * a[col * n + k];
            }
            b[r] -= factor * b[col];
        }
    }
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * b[k]).sum();
        b[row] = (b[row] - s) / a[row * n + row];
    }
    b.iter().all(|x| x.is_finite()).then_some(b)
}

/// Solves L x = b in place, for the lower-triangular `l`.
pub(crate) fn solve_lower(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let s = dot(&l[i * n..i * n + i], &b[..i]);
        b[i] = (b[i] - s) / l[i * n + i];
    }
}

/// How many right-hand sides `solve_lower_lanes` solves at once.
pub(crate) const LANES: usize = 8;

/// Solves L x = b in place for `LANES` right-hand sides at once, `b[i][c]` holding row `i` of
/// side `c`: each side gets exactly the arithmetic of `solve_lower`, in the same order, so the
/// results are bit for bit the same, while each row of `l` is read once for all of them.
pub(crate) fn solve_lower_lanes(l: &[f64], n: usize, b: &mut [[f64; LANES]]) {
    for i in 0..n {
        let row = &l[i * n..i * n + i];
        let (b_done, b_rest) = b.split_at_mut(i);
        // `dot`'s four interleaved sums, then its tail, lane by lane.
        let mut acc = [[0.0f64; LANES]; 4];
        let (chunks_l, chunks_b) = (row.chunks_exact(4), b_done.chunks_exact(4));
        let tail: [f64; LANES] = std::array::from_fn(|c| {
            chunks_l
                .remainder()
                .iter()
                .zip(chunks_b.remainder())
                .map(|(x, y)| x * y[c])
                .sum()
        });
        for (x, y) in chunks_l.zip(chunks_b) {
            for k in 0..4 {
                for c in 0..LANES {
                    acc[k][c] += x[k] * y[k][c];
                }
            }
        }
        let diagonal = l[i * n + i];
        for c in 0..LANES {
            let s = (acc[0][c] + acc[1][c]) + (acc[2][c] + acc[3][c]) + tail[c];
            b_rest[0][c] = (b_rest[0][c] - s) / diagonal;
        }
    }
}

/// Solves L^T x = b in place, for the lower-triangular `l`.
pub(crate) fn solve_lower_transpose(l: &[f64], n: usize, b: &mut [f64]) {
    for i in (0..n).rev() {
        b[i] /= l[i * n + i];
        let bi = b[i];
        for (bk, lk) in b[..i].iter_mut().zip(&l[i * n..i * n + i]) {
            *bk -= lk * bi;
        }
    }
}

/// Returns (L L^T)^-1 from the Cholesky factor `l`.
pub(crate) fn inverse_from_cholesky(l: &[f64], n: usize) -> Vec<f64> {
    // Rows of L^-1, each found by forward substitution: row i is -(sum over k < i of
    // L_ik * row k) / L_ii, accumulated row by row (so it vectorizes) in increasing k, the
    // order of the textbook loop. Then W = L^-T L^-1.
    let mut inv = vec![0.0; n * n];
    let mut sums = vec![0.0; n];
    for i in 0..n {
        let sums = &mut sums[..i];
        sums.iter_mut().for_each(|s| *s = 0.0);
        for k in 0..i {
            let a = l[i * n + k];
            for (s, v) in sums[..=k].iter_mut().zip(&inv[k * n..=k * n + k]) {
                *s += a * v;
            }
        }
        let diagonal = l[i * n + i];
        for (j, s) in sums.iter().enumerate() {
            inv[i * n + j] = -s / diagonal;
        }
        inv[i * n + i] = 1.0 / diagonal;
    }
    let mut w = vec![0.0; n * n];
    for k in 0..n {
        let row = &inv[k * n..k * n + k + 1];
        for i in 0..=k {
            let a = row[i];
            if a == 0.0 {
                continue;
            }
            let wi = &mut w[i * n..i * n + i + 1];
            for (j, wij) in wi.iter_mut().enumerate() {
                *wij += a * row[j];
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            w[j * n + i] = w[i * n + j];
        }
    }
    w
}

/// Returns the log determinant of L L^T from its factor.
pub(crate) fn log_det(l: &[f64], n: usize) -> f64 {
    2.0 * (0..n).map(|i| l[i * n + i].ln()).sum::<f64>()
}

/// Returns the eigenvalues of the symmetric `a` and its eigenvectors (column `j` of the
/// row-major result belongs to value `j`), by cyclic Jacobi rotations: slow for large matrices,
/// exact to rounding and deterministic, and the matrices here have a side of a few dozen.
pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let diagonal: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum();
        if off <= 1e-30 * diagonal.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn a_general_solve_inverts_a_product_and_refuses_a_singular_matrix() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for n in [1, 3, 6] {
            let a: Vec<f64> = (0..n * n).map(|_| rng.gen_range(-1.0..1.0)).collect();
            let x: Vec<f64> = (0..n).map(|_| rng.gen_range(-2.0..2.0)).collect();
            let b: Vec<f64> = (0..n).map(|i| dot(&a[i * n..(i + 1) * n], &x)).collect();
            let got = solve(&mut a.clone(), n, b).expect("a random matrix is regular");
            for (g, w) in got.iter().zip(&x) {
                assert!((g - w).abs() < 1e-9, "{got:?} against {x:?}");
            }
        }
        // A zero first pivot is swapped away, and two equal rows are singular.
        let got = solve(&mut [0.0, 1.0, 1.0, 0.0], 2, vec![2.0, 3.0]);
        assert_eq!(got, Some(vec![3.0, 2.0]));
        assert_eq!(solve(&mut [1.0, 2.0, 1.0, 2.0], 2, vec![1.0, 1.0]), None);
    }

    #[test]
    fn eigenvectors_diagonalize_a_symmetric_matrix() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for n in [1, 2, 5, 12] {
            let b: Vec<f64> = (0..n * n).map(|_| rng.gen_range(-1.0..1.0)).collect();
            // A = B B^T: symmetric, positive semi-definite.
            let a: Vec<f64> = (0..n * n)
                .map(|ij| {
                    let (i, j) = (ij / n, ij % n);
                    dot(&b[i * n..i * n + n], &b[j * n..j * n + n])
                })
                .collect();
            let (values, v) = symmetric_eigen(&a, n);
            for j in 0..n {
                // A v_j = lambda_j v_j, and the columns are orthonormal.
                for i in 0..n {
                    let av: f64 = (0..n).map(|k| a[i * n + k] * v[k * n + j]).sum();
                    assert!((av - values[j] * v[i * n + j]).abs() < 1e-10, "n {n}");
                }
                for l in 0..n {
                    let vv: f64 = (0..n).map(|k| v[k * n + j] * v[k * n + l]).sum();
                    let want = if j == l { 1.0 } else { 0.0 };
                    assert!((vv - want).abs() < 1e-12, "n {n}");
                }
                assert!(values[j] > -1e-12);
            }
        }
    }

    #[test]
    fn factors_solves_and_inverts_a_small_matrix() {
        let a = vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let mut l = a.clone();
        assert!(cholesky(&mut l, 3));
        let mut x = vec![1.0, 2.0, 3.0];
        solve_lower(&l, 3, &mut x);
        solve_lower_transpose(&l, 3, &mut x);
        // A x must give back b.
        for i in 0..3 {
            let ax: f64 = (0..3).map(|j| a[i * 3 + j] * x[j]).sum();
            assert!((ax - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
        }
        let w = inverse_from_cholesky(&l, 3);
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| a[i * 3 + k] * w[k * 3 + j]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((p - want).abs() < 1e-12, "{i} {j}: {p}");
            }
        }
        let det = 4.0 * (5.0 * 3.0 - 1.0) - 2.0 * (2.0 * 3.0 - 0.6) + 0.6 * (2.0 - 5.0 * 0.6);
        assert!((log_det(&l, 3) - f64::ln(det)).abs() < 1e-12);
        let mut not_pd = vec![1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky(&mut not_pd, 2));
    }

    /// Returns the Cholesky factor of a random positive definite matrix of side `n`.
    fn random_factor(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let m: Vec<f64> = (0..n * n).map(|_| rng.gen::<f64>() - 0.5).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum::<f64>();
            }
            a[i * n + i] += 0.1;
        }
        assert!(cholesky(&mut a, n));
        a
    }

    #[test]
    fn solving_in_lanes_gives_each_side_the_single_solve_bit_for_bit() {
        // 13 rows (not a multiple of 4, so tails are exercised) and eight right-hand sides.
        let n = 13;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let a = random_factor(n, &mut rng);
        let sides: Vec<Vec<f64>> = (0..LANES)
            .map(|_| (0..n).map(|_| rng.gen::<f64>() - 0.5).collect())
            .collect();
        let mut lanes: Vec<[f64; LANES]> = (0..n)
            .map(|i| std::array::from_fn(|c| sides[c][i]))
            .collect();
        solve_lower_lanes(&a, n, &mut lanes);
        for (c, side) in sides.iter().enumerate() {
            let mut single = side.clone();
            solve_lower(&a, n, &mut single);
            for i in 0..n {
                assert_eq!(
                    lanes[i][c].to_bits(),
                    single[i].to_bits(),
                    "side {c}, row {i}"
                );
            }
        }
    }

    #[test]
    fn the_inverse_factor_is_the_textbook_substitution_bit_for_bit() {
        let n = 13;
        let l = random_factor(n, &mut ChaCha8Rng::seed_from_u64(4));
        // L^-1 by the textbook loop: each entry a sum over k in increasing order.
        let mut inv = vec![0.0; n * n];
        for i in 0..n {
            inv[i * n + i] = 1.0 / l[i * n + i];
            for j in 0..i {
                let mut s = 0.0;
                for k in j..i {
                    s += l[i * n + k] * inv[k * n + j];
                }
                inv[i * n + j] = -s / l[i * n + i];
            }
        }
        let mut w = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let mut s = 0.0;
                for k in i..n {
                    s += inv[k * n + i] * inv[k * n + j];
                }
                w[i * n + j] = s;
                w[j * n + i] = s;
            }
        }
        let got = inverse_from_cholesky(&l, n);
        for (e, (g, w)) in got.iter().zip(&w).enumerate() {
            assert_eq!(g.to_bits(), w.to_bits(), "entry {e}: {g} vs {w}");
        }
    }
}
