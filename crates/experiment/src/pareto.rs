//! Pareto fronts: how trials of a study with several objectives (`metric:` given as a list)
//! compare.
//!
//! A trial dominates another when it is at least as good on every objective and better on one.
//! The first front is the trials no other dominates; the second, those only the first dominates;
//! and so on. Leaderboards rank by front, the samplers learn from it (`search`), and a study's
//! result is its first front rather than one best trial.

mod hypervolume;

use std::collections::BTreeMap;

use crate::{Direction, MetricSpec, Trial};

pub(crate) use hypervolume::contributions;
pub use hypervolume::hypervolume;
use hypervolume::volume;

/// Returns each objective of `trial`, oriented so that smaller is better; `None` when one is
/// missing or not a number.
pub fn oriented(trial: &Trial, objectives: &[MetricSpec]) -> Option<Vec<f64>> {
    oriented_metrics(&trial.result.as_ref()?.metrics, objectives)
}

/// Returns each objective in `metrics` (a trial's result), oriented so that smaller is better;
/// `None` when one is missing or not a number.
pub fn oriented_metrics(
    metrics: &BTreeMap<String, f64>,
    objectives: &[MetricSpec],
) -> Option<Vec<f64>> {
    objectives
        .iter()
        .map(|o| {
            let v = metrics.get(&o.name).copied().filter(|v| !v.is_nan())?;
            Some(match o.goal {
                Direction::Minimize => v,
                Direction::Maximize => -v,
            })
        })
        .collect()
}

/// Returns true when `a` dominates `b` (both oriented, smaller better): no worse anywhere and
/// better somewhere.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        better |= x < y;
    }
    better
}

/// Returns the front of each point: 0 for the points no other dominates, 1 for those only
/// points of front 0 dominate, and so on (non-dominated sorting).
pub fn fronts(points: &[Vec<f64>]) -> Vec<usize> {
    let n = points.len();
    // For each point, how many dominate it and which it dominates.
    let mut dominated_by = vec![0usize; n];
    let mut dominating: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in (i + 1)..n {
            if dominates(&points[i], &points[j]) {
                dominating[i].push(j);
                dominated_by[j] += 1;
            } else if dominates(&points[j], &points[i]) {
                dominating[j].push(i);
                dominated_by[i] += 1;
            }
        }
    }
    let mut front = vec![0usize; n];
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    let mut index = 0;
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            front[i] = index;
            for &j in &dominating[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        next.sort_unstable();
        current = next;
        index += 1;
    }
    front
}

/// Returns the crowding distance of each of `members` (indices into `points`, one front):
/// the sum over objectives of the gap between its two neighbours, divided by the front's
/// range; infinite at either end of an objective. Larger means a lonelier point, one that
/// covers more of the front (NSGA-II's tie-break).
pub fn crowding(points: &[Vec<f64>], members: &[usize]) -> Vec<f64> {
    let mut distance = vec![0.0; members.len()];
    let Some(first) = members.first() else {
        return distance;
    };
    // Each objective's values over the members.
    let columns: Vec<Vec<f64>> = (0..points[*first].len())
        .map(|k| members.iter().map(|&m| points[m][k]).collect())
        .collect();
    for column in &columns {
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| {
            column[a]
                .total_cmp(&column[b])
                .then(members[a].cmp(&members[b]))
        });
        let value = |k: usize| column[order[k]];
        let last = order.len() - 1;
        let range = value(last) - value(0);
        distance[order[0]] = f64::INFINITY;
        distance[order[last]] = f64::INFINITY;
        if range > 0.0 && range.is_finite() {
            for k in 1..last {
                distance[order[k]] += (value(k + 1) - value(k - 1)) / range;
            }
        }
    }
    distance
}

/// Returns, for each point, its place in the order the samplers learn from, as a number: the
/// front index, plus a fraction below 1 that orders the front's members by worth, the worthier
/// first (ties by index). Smaller is better; the numbers of one front stay below the next
/// front's. Hypervolumes are taken up to a reference point a tenth of the range beyond the
/// worst values. With two objectives a front is ordered by greedy hypervolume subset selection
/// (`greedy_subset`); with more, by the hypervolume each member alone dominates
/// (`contributions`): there the greedy order costs five times as much and measured no better
/// (`tpe` on DTLZ2, 100 trials, seeds 20-59: 0.526 against 0.536), where with two it gained
/// (ZDT1: 11.49 against 11.38). Rejected: crowding distance (NSGA-II's rule), which favours the
/// ends of a front: `tpe` learning from it was barely above random search on ZDT1, and below
/// it on DTLZ2.
///
/// Only the fronts that hold the first `ordered` places are ordered so; the members of later
/// fronts follow their index (no sampler learns from the order that far down, and ordering a
/// large front of three objectives costs the most).
pub fn standing(points: &[Vec<f64>], ordered: usize) -> Vec<f64> {
    let front = fronts(points);
    let mut place = vec![0.0; points.len()];
    let count = front.iter().max().map_or(0, |m| m + 1);
    let reference = reference(points);
    let mut before = 0;
    for f in 0..count {
        let members: Vec<usize> = (0..points.len()).filter(|&i| front[i] == f).collect();
        let order: Vec<usize> = match reference {
            _ if before >= ordered => (0..members.len()).collect(),
            Some(ref r) if r.len() == 2 => greedy_subset(points, &members, r),
            Some(ref r) => {
                let worth = contributions(points, &members, r);
                let mut order: Vec<usize> = (0..members.len()).collect();
                order.sort_by(|&a, &b| worth[b].total_cmp(&worth[a]).then(a.cmp(&b)));
                order
            }
            None => {
                let worth = crowding(points, &members);
                let mut order: Vec<usize> = (0..members.len()).collect();
                order.sort_by(|&a, &b| worth[b].total_cmp(&worth[a]).then(a.cmp(&b)));
                order
            }
        };
        #[allow(clippy::cast_precision_loss)]
        let size = members.len() as f64;
        for (k, &m) in order.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let fraction = k as f64 / size;
            #[allow(clippy::cast_precision_loss)]
            let base = f as f64;
            place[members[m]] = base + fraction;
        }
        before += members.len();
    }
    place
}

/// Orders `members` (indices into `points`, one front) by greedy hypervolume subset selection:
/// first the one that dominates most alone, then each time the one that adds most to those
/// before it (ties by index), so that every prefix of the order is a good subset of its size
/// (Optuna's multi-objective TPE chooses its good trials so). Returns positions in `members`.
fn greedy_subset(points: &[Vec<f64>], members: &[usize], reference: &[f64]) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    let mut left: Vec<usize> = (0..members.len()).collect();
    let at = |k: usize| points[members[k]].as_slice();
    while !left.is_empty() {
        let mut best = (f64::NEG_INFINITY, 0);
        for (slot, &k) in left.iter().enumerate() {
            let with = volume(chosen.iter().map(|&c| at(c)).chain([at(k)]), reference);
            if with > best.0 {
                best = (with, slot);
            }
        }
        chosen.push(left.remove(best.1));
    }
    chosen
}

/// The box in which hypervolumes are compared: from the best value of each objective to the
/// reference point (`reference`), so that a share of it reads alike whatever the objectives'
/// units.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    reference: Vec<f64>,
    volume: f64,
}

impl Frame {
    /// Returns the box around `points` (two objectives or more, oriented); `None` without
    /// points.
    pub fn around(points: &[Vec<f64>]) -> Option<Frame> {
        let reference = reference(points)?;
        let volume = reference
            .iter()
            .enumerate()
            .map(|(k, r)| r - points.iter().map(|p| p[k]).fold(f64::INFINITY, f64::min))
            .product();
        Some(Frame { reference, volume })
    }

    /// Returns the share of the box that `points` dominate, from 0 to 1.
    pub fn share(&self, points: &[Vec<f64>]) -> f64 {
        hypervolume(points, &self.reference) / self.volume
    }
}

/// Returns the reference point of hypervolumes: the worst value of each objective plus a tenth
/// of its range (plus 1 when all are equal); `None` for fewer than two objectives, points of
/// different lengths, or no points.
pub fn reference(points: &[Vec<f64>]) -> Option<Vec<f64>> {
    let d = points.first()?.len();
    if d < 2 || points.iter().any(|p| p.len() != d) {
        return None;
    }
    let r = (0..d)
        .map(|k| {
            let (lo, hi) = points
                .iter()
                .map(|p| p[k])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            if hi > lo {
                hi + 0.1 * (hi - lo)
            } else {
                hi + 1.0
            }
        })
        .collect();
    Some(r)
}

#[cfg(test)]
mod tests;
