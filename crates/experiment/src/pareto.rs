//! Pareto fronts: how trials of a study with several objectives (`metric:` given as a list)
//! compare.
//!
//! A trial dominates another when it is at least as good on every objective and better on one.
//! The first front is the trials no other dominates; the second, those only the first dominates;
//! and so on. Leaderboards rank by front, the samplers learn from it (`search`), and a study's
//! result is its first front rather than one best trial.

use crate::{Direction, MetricSpec, Trial};

/// Returns each objective of `trial`, oriented so that smaller is better; `None` when one is
/// missing or not a number.
pub fn oriented(trial: &Trial, objectives: &[MetricSpec]) -> Option<Vec<f64>> {
    objectives
        .iter()
        .map(|o| {
            let v = trial.value(&o.name).filter(|v| !v.is_nan())?;
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

/// Returns the hypervolume that each of `members` (indices into `points`, one front of two
/// objectives) alone dominates up to `reference`: what the front loses without it. Sorted by
/// the first objective, a point's share is the rectangle between its neighbours.
pub fn contributions(points: &[Vec<f64>], members: &[usize], reference: [f64; 2]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    let at = |k: usize, objective: usize| points[members[k]][objective];
    order.sort_by(|&a, &b| {
        at(a, 0)
            .total_cmp(&at(b, 0))
            .then(at(a, 1).total_cmp(&at(b, 1)))
            .then(members[a].cmp(&members[b]))
    });
    let mut share = vec![0.0; members.len()];
    for (k, &m) in order.iter().enumerate() {
        let right = order.get(k + 1).map_or(reference[0], |&n| at(n, 0));
        let above = k.checked_sub(1).map_or(reference[1], |j| at(order[j], 1));
        share[m] = (right - at(m, 0)).max(0.0) * (above - at(m, 1)).max(0.0);
    }
    share
}

/// Returns, for each point, its place in the order the samplers learn from, as a number: the
/// front index, plus a fraction below 1 that orders the front's members by worth, the worthier
/// first (ties by index). Smaller is better; the numbers of one front stay below the next
/// front's. With two objectives a member's worth is the hypervolume it alone dominates, up to
/// a reference point a tenth of the range beyond the worst values (`contributions`; Optuna's
/// multi-objective TPE selects by hypervolume too); with more, its crowding distance (NSGA-II).
pub fn standing(points: &[Vec<f64>]) -> Vec<f64> {
    let front = fronts(points);
    let mut place = vec![0.0; points.len()];
    let count = front.iter().max().map_or(0, |m| m + 1);
    let reference = reference(points);
    for f in 0..count {
        let members: Vec<usize> = (0..points.len()).filter(|&i| front[i] == f).collect();
        let worth = match reference {
            Some(r) => contributions(points, &members, r),
            None => crowding(points, &members),
        };
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| worth[b].total_cmp(&worth[a]).then(a.cmp(&b)));
        #[allow(clippy::cast_precision_loss)]
        let size = members.len() as f64;
        for (k, &m) in order.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let fraction = k as f64 / size;
            #[allow(clippy::cast_precision_loss)]
            let base = f as f64;
            place[members[m]] = base + fraction;
        }
    }
    place
}

/// Returns the area that `points` (two objectives, oriented so that smaller is better)
/// dominate up to `reference`; points beyond it add nothing.
pub fn hypervolume(points: &[Vec<f64>], reference: [f64; 2]) -> f64 {
    let mut inside: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.len() == 2 && p[0] < reference[0] && p[1] < reference[1])
        .map(|p| (p[0], p[1]))
        .collect();
    inside.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut area = 0.0;
    let mut ceiling = reference[1];
    for (x, y) in inside {
        if y < ceiling {
            area += (reference[0] - x) * (ceiling - y);
            ceiling = y;
        }
    }
    area
}

/// The box in which hypervolumes of two objectives are compared: from the best value of each
/// objective to the reference point (`reference`), so that a share of it reads alike whatever
/// the objectives' units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    reference: [f64; 2],
    area: f64,
}

impl Frame {
    /// Returns the box around `points` (two objectives, oriented); `None` without points.
    pub fn around(points: &[Vec<f64>]) -> Option<Frame> {
        let reference = reference(points)?;
        let best = |k: usize| points.iter().map(|p| p[k]).fold(f64::INFINITY, f64::min);
        Some(Frame {
            reference,
            area: (reference[0] - best(0)) * (reference[1] - best(1)),
        })
    }

    /// Returns the share of the box that `points` dominate, from 0 to 1.
    pub fn share(&self, points: &[Vec<f64>]) -> f64 {
        hypervolume(points, self.reference) / self.area
    }
}

/// Returns the reference point of two objectives' hypervolumes: the worst value of each plus a
/// tenth of its range (plus 1 when all are equal); `None` for another number of objectives, or
/// no points.
pub fn reference(points: &[Vec<f64>]) -> Option<[f64; 2]> {
    if points.first().is_none_or(|p| p.len() != 2) {
        return None;
    }
    let mut r = [0.0; 2];
    for (k, slot) in r.iter_mut().enumerate() {
        let (lo, hi) = points
            .iter()
            .map(|p| p[k])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        *slot = if hi > lo {
            hi + 0.1 * (hi - lo)
        } else {
            hi + 1.0
        };
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[f64]) -> Vec<f64> {
        v.to_vec()
    }

    #[test]
    fn domination_needs_one_strict_improvement() {
        assert!(dominates(&[1.0, 2.0], &[1.0, 3.0]));
        assert!(!dominates(&[1.0, 2.0], &[1.0, 2.0]));
        assert!(!dominates(&[1.0, 4.0], &[2.0, 3.0]));
        assert!(!dominates(&[2.0, 3.0], &[1.0, 4.0]));
    }

    #[test]
    fn fronts_peel_off_in_layers() {
        // Front 0: (1,4), (2,2), (4,1); front 1: (3,3), (2,5); front 2: (5,5).
        let points = [
            p(&[3.0, 3.0]),
            p(&[1.0, 4.0]),
            p(&[5.0, 5.0]),
            p(&[2.0, 2.0]),
            p(&[4.0, 1.0]),
            p(&[2.0, 5.0]),
        ];
        assert_eq!(fronts(&points), [1, 0, 2, 0, 0, 1]);
        // Equal points share a front.
        assert_eq!(fronts(&[p(&[1.0, 1.0]), p(&[1.0, 1.0])]), [0, 0]);
        assert!(fronts(&[]).is_empty());
    }

    #[test]
    fn crowding_favours_the_ends_and_the_lonely() {
        let points = [
            p(&[0.0, 10.0]),
            p(&[1.0, 9.0]),
            p(&[5.0, 5.0]),
            p(&[10.0, 0.0]),
        ];
        let d = crowding(&points, &[0, 1, 2, 3]);
        assert!(d[0].is_infinite() && d[3].is_infinite());
        // Point 2's neighbours are 1 and 3 (gap 9 of 10 on each objective); point 1's are 0
        // and 2 (gap 5 of 10).
        assert!((d[1] - 1.0).abs() < 1e-12, "{d:?}");
        assert!((d[2] - 1.8).abs() < 1e-12, "{d:?}");
    }

    #[test]
    fn hypervolume_adds_the_staircase_below_the_reference() {
        // (1, 3) and (2, 1) up to (4, 4): 3 * 1 + 2 * 2 = 7; (3, 3) is dominated, (5, 0)
        // is beyond the reference.
        let points = [
            p(&[1.0, 3.0]),
            p(&[3.0, 3.0]),
            p(&[2.0, 1.0]),
            p(&[5.0, 0.0]),
        ];
        assert_eq!(hypervolume(&points, [4.0, 4.0]), 7.0);
        assert_eq!(hypervolume(&[], [4.0, 4.0]), 0.0);
        // More points never dominate less.
        let grown: Vec<f64> = (0..=points.len())
            .map(|n| hypervolume(&points[..n], [4.0, 4.0]))
            .collect();
        assert_eq!(grown, [0.0, 3.0, 3.0, 7.0, 7.0]);
        // The reference: worst values plus a tenth of the range.
        assert_eq!(reference(&points[..3]), Some([3.2, 3.2]));
        assert_eq!(reference(&[p(&[1.0, 2.0, 3.0])]), None);
        // The box from (1, 1) to (3.2, 3.2): the first three dominate 2.2 * 0.2 + 1.2 * 2 = 2.84
        // of its 4.84.
        let frame = Frame::around(&points[..3]).unwrap();
        assert!((frame.share(&points[..3]) - 2.84 / 4.84).abs() < 1e-12);
    }

    #[test]
    fn standing_orders_by_front_then_by_hypervolume_share() {
        let points = [
            p(&[1.0, 9.0]),
            p(&[0.0, 10.0]),
            p(&[6.0, 6.0]),
            p(&[5.0, 5.0]),
            p(&[10.0, 0.0]),
        ];
        // The reference point is (11, 11). Sorted by the first objective, the front's shares
        // are (1 - 0) * (11 - 10) = 1 for point 1, (5 - 1) * (10 - 9) = 4 for point 0,
        // (10 - 5) * (9 - 5) = 20 for point 3 and (11 - 10) * (5 - 0) = 5 for point 4.
        assert_eq!(
            contributions(&points, &[0, 1, 3, 4], [11.0, 11.0]),
            [4.0, 1.0, 20.0, 5.0]
        );
        let s = standing(&points);
        // Point 2 is dominated by point 3, alone in front 1; front 0 by share: 3, 4, 0, 1.
        assert_eq!(s, [0.5, 0.75, 1.0, 0.0, 0.25]);
        // With three objectives, crowding orders a front: the ends first.
        let three = [
            p(&[0.0, 2.0, 1.0]),
            p(&[1.0, 1.0, 1.0]),
            p(&[2.0, 0.0, 1.0]),
        ];
        let s = standing(&three);
        assert!(s[0] < s[1] && s[2] < s[1] && s[1] < 1.0, "{s:?}");
    }
}
