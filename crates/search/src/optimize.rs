//! Minimization in a box: L-BFGS with projected steps (a small cousin of L-BFGS-B).
//!
//! Variables at a bound whose gradient pushes outwards are held fixed for the step; the others
//! move along the L-BFGS direction, projected back into the box, with a backtracking (Armijo)
//! line search. That is all the Gaussian process needs, both to fit its hyperparameters and to
//! climb its acquisition function, and it stays deterministic.

/// When to stop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Iterations at most.
    pub(crate) iterations: usize,
    /// Stop when the projected gradient's largest component is below this.
    pub(crate) gradient: f64,
    /// Stop when an iteration improves the value by less than this, relatively.
    pub(crate) improvement: f64,
}

/// Returns a local minimum of `f` in [low, high] from `x0`, and its value; `f` writes its
/// gradient into the second argument and returns its value.
pub(crate) fn minimize(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    low: &[f64],
    high: &[f64],
    limits: Limits,
) -> (Vec<f64>, f64) {
    const MEMORY: usize = 8;
    let n = x0.len();
    let project = |x: &mut [f64]| {
        for i in 0..n {
            x[i] = x[i].clamp(low[i], high[i]);
        }
    };
    let mut x = x0.to_vec();
    project(&mut x);
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    if !fx.is_finite() {
        return (x, fx);
    }
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::new();
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for iteration in 0..limits.iterations {
        // Variables pinned at a bound by their gradient.
        let free: Vec<bool> = (0..n)
            .map(|i| !((x[i] <= low[i] && g[i] > 0.0) || (x[i] >= high[i] && g[i] < 0.0)))
            .collect();
        let projected_norm = (0..n)
            .filter(|&i| free[i])
            .map(|i| g[i].abs())
            .fold(0.0, f64::max);
        if projected_norm < limits.gradient {
            break;
        }
        let mut d: Vec<f64> = (0..n).map(|i| if free[i] { -g[i] } else { 0.0 }).collect();
        two_loop(&mut d, &history, &free);
        let mut slope: f64 = (0..n).map(|i| d[i] * g[i]).sum();
        if slope.is_nan() || slope >= 0.0 {
            history.clear();
            d = (0..n).map(|i| if free[i] { -g[i] } else { 0.0 }).collect();
            slope = (0..n).map(|i| d[i] * g[i]).sum();
        }
        let mut step = if iteration == 0 && history.is_empty() {
            (1.0 / projected_norm).min(1.0)
        } else {
            1.0
        };
        let mut accepted = false;
        for _ in 0..30 {
            for i in 0..n {
                x_new[i] = x[i] + step * d[i];
            }
            project(&mut x_new);
            let moved: f64 = (0..n).map(|i| (x_new[i] - x[i]) * g[i]).sum();
            let f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * moved.min(0.0) {
                accepted = true;
                let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
                if sy > 1e-12 {
                    if history.len() == MEMORY {
                        history.remove(0);
                    }
                    history.push((s, y, 1.0 / sy));
                }
                let improvement = fx - f_new;
                x.copy_from_slice(&x_new);
                g.copy_from_slice(&g_new);
                fx = f_new;
                if improvement <= limits.improvement * fx.abs().max(1.0) {
                    return (x, fx);
                }
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    (x, fx)
}

/// Turns `d` (minus the gradient on the free variables) into the L-BFGS direction.
fn two_loop(d: &mut [f64], history: &[(Vec<f64>, Vec<f64>, f64)], free: &[bool]) {
    if history.is_empty() {
        return;
    }
    let dot = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(free)
            .filter(|(_, f)| **f)
            .map(|((x, y), _)| x * y)
            .sum()
    };
    let mut alphas = vec![0.0; history.len()];
    for (k, (s, y, rho)) in history.iter().enumerate().rev() {
        let a = rho * dot(s, d);
        alphas[k] = a;
        for i in 0..d.len() {
            if free[i] {
                d[i] -= a * y[i];
            }
        }
    }
    if let Some((s, y, _)) = history.last() {
        let yy = dot(y, y);
        if yy > 0.0 {
            let gamma = dot(s, y) / yy;
            for x in d.iter_mut() {
                *x *= gamma;
            }
        }
    }
    for (k, (s, y, rho)) in history.iter().enumerate() {
        let b = rho * dot(y, d);
        for i in 0..d.len() {
            if free[i] {
                d[i] += s[i] * (alphas[k] - b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock_and_stops_at_active_bounds() {
        let rosenbrock = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let limits = Limits {
            iterations: 500,
            gradient: 1e-9,
            improvement: 0.0,
        };
        let (x, f) = minimize(rosenbrock, &[-1.2, 1.0], &[-5.0, -5.0], &[5.0, 5.0], limits);
        assert!(f < 1e-10 && (x[0] - 1.0).abs() < 1e-4, "{x:?} {f}");
        // With x <= 0.5, the constrained minimum sits on that bound.
        let (x, _) = minimize(rosenbrock, &[-1.2, 1.0], &[-5.0, -5.0], &[0.5, 5.0], limits);
        assert!(
            (x[0] - 0.5).abs() < 1e-9 && (x[1] - 0.25).abs() < 1e-3,
            "{x:?}"
        );
    }
}
