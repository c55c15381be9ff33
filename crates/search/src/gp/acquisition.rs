//! The acquisition (log expected improvement, or the upper confidence bound), and its
//! maximization over the cube.
//!
//! Expected improvement underflows to zero wherever the model is confident it is worse than the
//! incumbent, which is almost everywhere once a few dozen trials are in; its logarithm stays
//! informative there (`special::log_h`), so candidates still compare and gradients still point
//! uphill. The upper confidence bound (the predicted improvement plus `kappa` predicted standard
//! deviations) has no such trouble, and with a small `kappa` it refines the best region sooner.
//! The search: quasi-random candidates plus perturbations of the best trials at several
//! scales (so a run can refine its best point to high precision), the most promising of them
//! climbed by L-BFGS over the numeric coordinates, alternating with a sweep over each
//! categorical coordinate's values. Candidates, perturbations and sweeps take only the
//! categories of probability above 0 (`Cube::choices`). The box searched is the closed unit
//! interval for a bounded parameter and the prior's central range for a prior-shaped one
//! (`Cube::range`, `plausible`), whose interval's ends stand for values the prior never gives:
//! where the model is flat along a coordinate, the acquisition is highest on a face.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, StandardNormal};

use experiment::Acquisition;

use super::feasibility::Bound;
use super::model::Posterior;
use super::Cube;
use crate::linalg::LANES;
use crate::optimize::{self, Limits};
use crate::special;
use crate::unit::count;

/// One maximization of the acquisition.
#[derive(Debug)]
pub(super) struct Search<'a, 's> {
    pub(super) cube: &'a Cube<'s>,
    pub(super) posterior: &'a Posterior,
    /// The best standardized score so far among the trials that meet the constraints; `None`
    /// when none does, and the search maximizes the probability of meeting them.
    pub(super) incumbent: Option<f64>,
    /// The constraints' bounds, whose log probabilities add to the acquisition.
    pub(super) bounds: &'a [Bound],
    /// Quasi-random candidates to score before climbing.
    pub(super) candidates: usize,
    /// Climbs from the best candidates.
    pub(super) local_searches: usize,
    /// What is maximized.
    pub(super) rule: Acquisition,
}

/// A candidate point with what scoring it needs: its covariances with the data, its mean, and
/// the upper bound of its acquisition.
struct Candidate {
    bound: f64,
    z: Vec<f64>,
    cross: Vec<f64>,
    mean: f64,
}

/// The `kappa` of the greedy trials of `log_ei`'s tail.
pub(super) const GREEDY_KAPPA: f64 = 0.5;

/// Returns whether trial `trial` is chosen greedily under a plan of `planned` trials with a
/// greedy tail of `greedy_tail` (`Acquisition::LogEi`): the last trial of the plan and every
/// second one before it, within its last `greedy_tail` (rounded down). The runner asks it too,
/// to say which trials a resume under another plan may choose otherwise.
pub fn greedy_trial(greedy_tail: f64, trial: u32, planned: u32) -> bool {
    // The tail's length in trials, rounded down; `greedy_tail` is in [0, 1].
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let tail = (f64::from(planned) * greedy_tail.clamp(0.0, 1.0)) as u32;
    trial < planned && trial >= planned - tail && (planned - 1 - trial).is_multiple_of(2)
}

/// Returns what trial `trial` maximizes when the experiment plans `planned` trials (`None` when
/// no plan is known): `configured`, or in `log_ei`'s greedy tail (the last trial and every second
/// one before it, within the last `greedy_tail` of the plan) the upper confidence bound with
/// `GREEDY_KAPPA`.
pub(super) fn rule_for(configured: Acquisition, trial: u32, planned: Option<u32>) -> Acquisition {
    let (Acquisition::LogEi { greedy_tail }, Some(planned)) = (configured, planned) else {
        return configured;
    };
    if greedy_trial(greedy_tail, trial, planned) {
        Acquisition::Ucb {
            kappa: GREEDY_KAPPA,
        }
    } else {
        configured
    }
}

/// Perturbation scales around the best trials, in unit coordinates.
const SCALES: [f64; 4] = [0.003, 0.02, 0.08, 0.25];

impl Search<'_, '_> {
    /// Returns the acquisition at `z`.
    pub(super) fn value(&self, z: &[f64]) -> f64 {
        let (mean, var) = self.posterior.predict(z);
        self.at(mean, var.sqrt()) + self.log_feasible(z)
    }

    /// Returns the log probability that `z` meets the constraints (0 without constraints).
    fn log_feasible(&self, z: &[f64]) -> f64 {
        self.bounds.iter().map(|b| b.log_p(z)).sum()
    }

    /// Returns the objective's part of the acquisition where the model predicts `mean` with
    /// standard deviation `sd`. The whole acquisition adds `log_feasible`, which is at most 0,
    /// so this part bounds it from above (as `best_candidates` needs).
    fn at(&self, mean: f64, sd: f64) -> f64 {
        match (self.rule, self.incumbent) {
            (Acquisition::LogEi { .. }, Some(best)) => {
                sd.ln() + special::log_h((best - mean) / sd).0
            }
            (Acquisition::LogEi { .. }, None) => 0.0,
            (Acquisition::Ucb { kappa }, _) => -mean + kappa * sd,
        }
    }

    /// Returns the acquisition at `z` and writes its gradient.
    pub(super) fn value_with_gradient(&self, z: &[f64], grad: &mut [f64]) -> f64 {
        let d = z.len();
        let (mut gm, mut gv) = (vec![0.0; d], vec![0.0; d]);
        let (mean, var) = self.posterior.predict_with_gradient(z, &mut gm, &mut gv);
        let sd = var.sqrt();
        // The acquisition's derivatives by the mean and by the standard deviation.
        let (value, by_mean, by_sd) = match (self.rule, self.incumbent) {
            (Acquisition::LogEi { .. }, Some(best)) => {
                let u = (best - mean) / sd;
                let (value, slope) = special::log_h(u);
                (sd.ln() + value, -slope / sd, (1.0 - u * slope) / sd)
            }
            (Acquisition::LogEi { .. }, None) => (0.0, 0.0, 0.0),
            (Acquisition::Ucb { kappa }, _) => (-mean + kappa * sd, -1.0, kappa),
        };
        for i in 0..d {
            grad[i] = by_mean * gm[i] + by_sd * gv[i] / (2.0 * sd);
        }
        let feasible: f64 = self
            .bounds
            .iter()
            .map(|b| b.log_p_with_gradient(z, grad))
            .sum();
        value + feasible
    }

    /// Returns the point of the cube with the highest acquisition found.
    pub(super) fn maximize(&self, best_points: &[Vec<f64>], rng: &mut ChaCha8Rng) -> Vec<f64> {
        let d = self.cube.axes.len();
        // Global candidates cover the cube; local ones perturb the best trials at several scales.
        let mut global: Vec<Vec<f64>> = Vec::with_capacity(self.candidates);
        for _ in 0..self.candidates {
            let z: Vec<f64> = (0..d)
                .map(|i| match self.cube.choices(i) {
                    Some(allowed) => count(allowed[rng.gen_range(0..allowed.len())]),
                    None => {
                        let (low, high) = self.cube.range(i);
                        low + (high - low) * rng.gen::<f64>()
                    }
                })
                .collect();
            global.push(self.cube.canonical(&z));
        }
        let per_point = (self.candidates / 4).max(SCALES.len()) / best_points.len().max(1);
        let mut local: Vec<Vec<f64>> = Vec::with_capacity(per_point * best_points.len());
        for base in best_points {
            for j in 0..per_point {
                let scale = SCALES[j % SCALES.len()];
                let z: Vec<f64> = (0..d)
                    .map(|i| match self.cube.choices(i) {
                        Some(allowed) if rng.gen::<f64>() < 1.0 / count(d) => {
                            count(allowed[rng.gen_range(0..allowed.len())])
                        }
                        Some(_) => base[i],
                        None => {
                            let step: f64 = StandardNormal.sample(rng);
                            let (low, high) = self.cube.range(i);
                            (base[i] + scale * step).clamp(low, high)
                        }
                    })
                    .collect();
                local.push(self.cube.canonical(&z));
            }
        }
        // Climbs start from both pools, so that a distant peak is climbed even when the best
        // trial's neighbourhood scores higher before climbing.
        let from_local = self.local_searches / 2;
        let from_global = self.local_searches - from_local;
        let global = self.best_candidates(global, from_global);
        let local = self.best_candidates(local, from_local);
        let mut best: Option<(f64, Vec<f64>)> = None;
        for (value, z) in global.first().into_iter().chain(local.first()) {
            if best.as_ref().is_none_or(|(b, _)| value > b) {
                best = Some((*value, z.clone()));
            }
        }
        let Some(mut best) = best else {
            return self.cube.canonical(&vec![0.5; d]);
        };
        let mut starts: Vec<&Vec<f64>> = Vec::new();
        for (pool, quota) in [(&global, from_global), (&local, from_local)] {
            let mut climbed = 0;
            for (value, z) in pool {
                if climbed >= quota {
                    break;
                }
                if starts.contains(&z) {
                    continue;
                }
                starts.push(z);
                climbed += 1;
                let (v, z) = self.climb(z.clone(), *value);
                if v > best.0 {
                    best = (v, z);
                }
            }
        }
        best.1
    }

    /// Returns the candidates of `pool` that matter, best first: at least the `keep` best
    /// distinct ones, exactly as scoring every candidate would rank them.
    ///
    /// Scoring needs the posterior variance, a triangular solve per candidate, while the mean
    /// is cheap; and both acquisitions grow with the variance, which is at most the prior's.
    /// So candidates are visited by an upper bound (their mean with the prior's variance) and
    /// scored until no unscored one can enter the top: branch and bound, with the same result.
    /// The solves run a few candidates at a time in bound order (`Posterior::variances`); a
    /// value solved past the point where the search stops is not used.
    fn best_candidates(&self, pool: Vec<Vec<f64>>, keep: usize) -> Vec<(f64, Vec<f64>)> {
        let sd_max = self.posterior.kernel.scale.sqrt();
        let mut order: Vec<Candidate> = pool
            .into_iter()
            .map(|z| {
                let cross = self.posterior.cross(&z);
                let mean = self.posterior.mean_given(&cross);
                Candidate {
                    bound: self.at(mean, sd_max),
                    z,
                    cross,
                    mean,
                }
            })
            .collect();
        order.sort_by(|a, b| b.bound.total_cmp(&a.bound));
        let keep = keep.max(1);
        let mut values: Vec<f64> = Vec::with_capacity(order.len());
        let mut scored: Vec<(f64, Vec<f64>)> = Vec::new();
        // The best `keep` distinct candidates scored so far, best first: the last one's value
        // is the bar an unscored candidate's bound must reach. (Kept apart from `scored`, so
        // that each candidate costs O(keep), not a scan of all scored: a million candidates
        // took minutes.)
        let mut top: Vec<(f64, &[f64])> = Vec::with_capacity(keep + 1);
        for (index, candidate) in order.iter().enumerate() {
            if top.len() >= keep && candidate.bound < top[keep - 1].0 {
                break;
            }
            if index == values.len() {
                let batch = &order[index..order.len().min(index + LANES)];
                let variances = self
                    .posterior
                    .variances(batch.iter().map(|c| c.cross.as_slice()));
                values.extend(
                    batch
                        .iter()
                        .zip(variances)
                        .map(|(c, var)| self.at(c.mean, var.sqrt()) + self.log_feasible(&c.z)),
                );
            }
            let value = values[index];
            if value.is_nan() {
                continue;
            }
            scored.push((value, candidate.z.clone()));
            enter_top(&mut top, value, &candidate.z, keep);
        }
        // Best first; equal values in the order they were scored (a stable sort).
        scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        scored
    }

    /// Climbs from `z` (worth `value`): L-BFGS on the numeric coordinates, then a sweep over each
    /// categorical one, repeated while the sweep changes something.
    fn climb(&self, z: Vec<f64>, value: f64) -> (f64, Vec<f64>) {
        let d = z.len();
        let numeric: Vec<usize> = (0..d)
            .filter(|&i| self.cube.choices(i).is_none() && self.cube.free(i))
            .collect();
        let limits = Limits {
            iterations: 60,
            gradient: 1e-7,
            improvement: 1e-10,
        };
        let mut current = (value, z);
        for _ in 0..3 {
            if !numeric.is_empty() {
                let base = current.1.clone();
                let x0: Vec<f64> = numeric.iter().map(|&i| base[i]).collect();
                let mut full = base.clone();
                let mut grad = vec![0.0; d];
                let objective = |x: &[f64], g: &mut [f64]| {
                    for (j, &i) in numeric.iter().enumerate() {
                        full[i] = x[j];
                    }
                    let v = self.value_with_gradient(&full, &mut grad);
                    for (j, &i) in numeric.iter().enumerate() {
                        g[j] = -grad[i];
                    }
                    -v
                };
                let (lows, highs): (Vec<f64>, Vec<f64>) =
                    numeric.iter().map(|&i| self.cube.range(i)).unzip();
                let (x, _) = optimize::minimize(objective, &x0, &lows, &highs, limits);
                let mut moved = base;
                for (j, &i) in numeric.iter().enumerate() {
                    moved[i] = x[j];
                }
                let moved = self.cube.canonical(&moved);
                let v = self.value(&moved);
                if v > current.0 {
                    current = (v, moved);
                }
            }
            let mut changed = false;
            for i in (0..d).filter(|&i| self.cube.free(i)) {
                let Some(allowed) = self.cube.choices(i) else {
                    continue;
                };
                for &c in allowed {
                    if category(current.1[i]) == c {
                        continue;
                    }
                    let mut t = current.1.clone();
                    t[i] = count(c);
                    let t = self.cube.canonical(&t);
                    let v = self.value(&t);
                    if v > current.0 + 1e-12 {
                        current = (v, t);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        current
    }
}

/// Returns the category index a coordinate stands for.
pub(super) fn category(x: f64) -> usize {
    // Category coordinates are small non-negative whole numbers.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = x.max(0.0).round() as usize;
    i
}

/// Enters a scored candidate `z` worth `value` into `top`, the best `keep` distinct candidates
/// best first, each at its best value: a better value of one in it moves it up, and one past
/// the `keep`-th is left out.
fn enter_top<'z>(top: &mut Vec<(f64, &'z [f64])>, value: f64, z: &'z [f64], keep: usize) {
    if let Some(i) = top.iter().position(|(_, t)| *t == z) {
        if value <= top[i].0 {
            return;
        }
        top.remove(i);
    }
    let at = top.partition_point(|(v, _)| *v >= value);
    if at < keep {
        top.insert(at, (value, z));
        top.truncate(keep);
    }
}
