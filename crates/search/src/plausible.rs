//! The part of a parameter's unit interval that model-based proposals keep to.
//!
//! A prior-shaped parameter (`normal`, `log_normal`, their `q_` forms, and `beta`) is coded by
//! its prior's CDF (`unit`): the unit interval's ends stand for the prior's 1e-12 quantiles
//! (mu ± 7.03 sigma) or, for `beta`, for exactly 0 and 1, values the prior gives with
//! probability zero. A search that maximizes over the closed interval proposes them often: the
//! Gaussian process's acquisition is highest on a face wherever the model is flat along a
//! coordinate, and NSGA's crossover clips children that overshoot to the ends. So for these
//! parameters the Gaussian process's candidate box and NSGA's children keep to
//! [`TAIL`, 1 - `TAIL`], the prior's central 99.8% (mu ± 3.09 sigma). Bounded parameters
//! (uniform, log-uniform, integer) keep the closed interval: their ends are values the spec
//! names, often where the best trial lies, and their proposals do not change.
//!
//! Only proposals are kept in: draws from the prior (random, Sobol, TPE's and the Gaussian
//! process's startup, NSGA's first generation and its mutations) follow it into its tails, as
//! they should, and a trial out there is still learned from and still bred from.
//!
//! Rejected: clamping in `Numeric::at_unit`, which random and Sobol draws pass through too
//! (it would move their draws in the tails, and every stored experiment's); a log-prior
//! penalty in the acquisition, which would move proposals for every prior-shaped parameter,
//! also far from the ends, where nothing was wrong.

use crate::unit::{Domain, Numeric};

/// The prior's probability below the box and, again, above it: 1e-3, the prior's 0.1% and
/// 99.9% quantiles (mu ± 3.09 sigma for a normal). Wide enough that the search reaches every
/// value a run of a few hundred random draws would (99.8% of the prior's mass), narrow enough
/// that a proposal on the box's face is one the prior itself gives once in a thousand draws.
pub(crate) const TAIL: f64 = 1e-3;

/// Returns the unit interval that proposals for `n` keep to: [`TAIL`, 1 - `TAIL`] for a
/// prior-shaped parameter, [0, 1] for a bounded one.
pub(crate) fn range(n: &Numeric) -> (f64, f64) {
    match n.domain {
        Domain::Bounded { .. } => (0.0, 1.0),
        Domain::Normal { .. } | Domain::Beta { .. } => (TAIL, 1.0 - TAIL),
    }
}

#[cfg(test)]
mod tests {
    use experiment::Distribution;

    use super::*;
    use crate::unit::Coding;

    fn range_of(d: &Distribution) -> (f64, f64) {
        match Coding::of(d) {
            Coding::Numeric(n) => range(&n),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn priors_keep_to_their_central_range_and_bounded_parameters_to_their_ends() {
        let inner = (TAIL, 1.0 - TAIL);
        let normal = Distribution::Normal {
            mu: 5.0,
            sigma: 1.0,
        };
        let beta = Distribution::Beta { a: 2.0, b: 5.0 };
        let q_log_normal = Distribution::QLogNormal {
            mu: 2.0,
            sigma: 0.5,
            q: 1.0,
        };
        for d in [&normal, &beta, &q_log_normal] {
            assert_eq!(range_of(d), inner, "{d:?}");
        }
        let uniform = Distribution::Uniform { min: 0.0, max: 1.0 };
        let int = Distribution::IntUniform { min: 1, max: 9 };
        for d in [&uniform, &int] {
            assert_eq!(range_of(d), (0.0, 1.0), "{d:?}");
        }
        // The box's faces are the prior's 0.1% and 99.9% quantiles: mu ± 3.09 sigma.
        let Coding::Numeric(n) = Coding::of(&normal) else {
            unreachable!()
        };
        let (low, high) = range(&n);
        assert!((n.at_unit(low) - (5.0 - 3.090_232)).abs() < 1e-6);
        assert!((n.at_unit(high) - (5.0 + 3.090_232)).abs() < 1e-6);
    }
}
