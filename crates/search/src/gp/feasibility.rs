//! The probability that a point meets the constraints, for the acquisition.
//!
//! Each bound of each constraint gets a Gaussian process of its own, fitted to the trials'
//! margins (`value - max`, `min - value`: at most 0 where the bound holds), transformed like the
//! objective's scores. The acquisition adds the log probability that every margin is at most 0,
//! as Gardner et al. ("Bayesian optimization with inequality constraints", 2014) and Optuna's
//! GP sampler do; with no feasible trial yet, that probability is all it maximizes.

use experiment::Constraint;

use super::model::{self, Posterior};
use super::warp::Transform;
use super::Cube;
use crate::history::Observation;
use crate::special;

/// The model of one bound.
#[derive(Debug)]
pub(super) struct Bound {
    pub(super) posterior: Posterior,
    /// The transformed margin 0: the bound holds below it.
    pub(super) threshold: f64,
}

/// Returns a model for each bound of each constraint, fitted on the `chosen` observations that
/// recorded its metric; a bound with fewer than two such observations, or whose model cannot
/// be conditioned, is left out.
pub(super) fn bounds(
    constraints: &[Constraint],
    cube: &Cube<'_>,
    observations: &[Observation<'_>],
    chosen: &[usize],
) -> Vec<Bound> {
    let d = cube.axes.len();
    let categorical = cube.categorical();
    let mut out = Vec::new();
    for c in constraints {
        // Each measured observation with its margins, one per bound.
        let measured: Vec<(usize, Vec<f64>)> = chosen
            .iter()
            .filter_map(|&i| {
                let value = observations[i].trial.value(&c.metric)?;
                value.is_finite().then(|| (i, c.margins(value)))
            })
            .collect();
        if measured.len() < 2 {
            continue;
        }
        let x: Vec<f64> = measured
            .iter()
            .flat_map(|(i, _)| cube.encode(&observations[*i].trial.params))
            .collect();
        for b in 0..measured[0].1.len() {
            let margins: Vec<f64> = measured.iter().map(|(_, m)| m[b]).collect();
            let transform = Transform::fit(&margins);
            let y: Vec<f64> = margins.iter().map(|&m| transform.apply(m)).collect();
            let kernel = model::fit(&x, d, &y, &categorical);
            if let Some(posterior) = Posterior::new(kernel, x.clone(), d, &y) {
                out.push(Bound {
                    posterior,
                    threshold: transform.apply(0.0),
                });
            }
        }
    }
    out
}

impl Bound {
    /// Returns the log probability that the bound holds at `z`.
    pub(super) fn log_p(&self, z: &[f64]) -> f64 {
        let (mean, var) = self.posterior.predict(z);
        special::log_cdf((self.threshold - mean) / var.sqrt())
    }

    /// Returns the log probability that the bound holds at `z` and adds its gradient to `grad`.
    pub(super) fn log_p_with_gradient(&self, z: &[f64], grad: &mut [f64]) -> f64 {
        let d = z.len();
        let (mut gm, mut gv) = (vec![0.0; d], vec![0.0; d]);
        let (mean, var) = self.posterior.predict_with_gradient(z, &mut gm, &mut gv);
        let sd = var.sqrt();
        let u = (self.threshold - mean) / sd;
        let value = special::log_cdf(u);
        // d/du ln Phi(u) = pdf(u) / Phi(u), computed in logs for the far tail.
        let slope = (special::log_pdf(u) - value).exp();
        for i in 0..d {
            let du = -gm[i] / sd - u * gv[i] / (2.0 * var);
            grad[i] += slope * du;
        }
        value
    }
}
