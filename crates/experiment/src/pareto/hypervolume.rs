//! Hypervolumes: what a front of points (oriented so that smaller is better) dominates up to a
//! reference point, by the fastest of several algorithms for the number of objectives, and
//! what each member of a front alone adds to it.

use std::collections::BTreeMap;

use super::dominates;

/// Returns the hypervolume that each of `members` (indices into `points`, one front) alone
/// dominates up to `reference`: what the front loses without it. With two objectives, sorted by
/// the first, a point's share is the rectangle between its neighbours; with three, it is the
/// front's hypervolume less the rest's; with more, its own box less the hypervolume of the
/// others limited to that box (each one's values raised to the point's where below them: only
/// the few that are not then dominated count), which costs far less than a whole front's
/// hypervolume per member (five objectives, 100 trials: `tpe` 2.05 s a run before).
pub(crate) fn contributions(points: &[Vec<f64>], members: &[usize], reference: &[f64]) -> Vec<f64> {
    let at = |k: usize, objective: usize| points[members[k]][objective];
    if reference.len() > 3 {
        return (0..members.len())
            .map(|k| exclusive(points, members, k, reference))
            .collect();
    }
    if reference.len() != 2 {
        let front = || members.iter().map(|&m| points[m].as_slice());
        let whole = volume(front(), reference);
        return (0..members.len())
            .map(|k| {
                let rest = front().enumerate().filter(|(j, _)| *j != k).map(|(_, p)| p);
                (whole - volume(rest, reference)).max(0.0)
            })
            .collect();
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
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

/// Returns the hypervolume that member `k` of `members` alone dominates up to `reference`: its
/// box less what the others, limited to the box, dominate.
fn exclusive(points: &[Vec<f64>], members: &[usize], k: usize, reference: &[f64]) -> f64 {
    let p = &points[members[k]];
    if p.len() != reference.len() || p.iter().zip(reference).any(|(v, r)| v >= r) {
        return 0.0;
    }
    let boxed: f64 = p.iter().zip(reference).map(|(v, r)| r - v).product();
    let others = members
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != k)
        .map(|(_, &m)| points[m].as_slice());
    let shaping = limited(others, p);
    let covered = volume(shaping.iter().map(Vec::as_slice), reference);
    (boxed - covered).max(0.0)
}

/// Returns `points` limited to the box of `p` (each value raised to p's where below it; as
/// many objectives as the points have), without those then dominated or repeated.
fn limited<'p>(points: impl Iterator<Item = &'p [f64]>, p: &[f64]) -> Vec<Vec<f64>> {
    nondominated(
        points
            .map(|q| q.iter().zip(p).map(|(a, b)| a.max(*b)).collect())
            .collect(),
    )
}

/// Returns the `points` that no other dominates or repeats (the first of equal ones kept). In
/// order of their sums, a point can only be dominated by one before it, and then by one kept
/// before it (domination is transitive), so each is compared with the kept ones alone.
fn nondominated(points: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let sums: Vec<f64> = points.iter().map(|p| p.iter().sum()).collect();
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| sums[a].total_cmp(&sums[b]).then(a.cmp(&b)));
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        let beaten = kept
            .iter()
            .any(|&j| points[j] == points[i] || dominates(&points[j], &points[i]));
        if !beaten {
            kept.push(i);
        }
    }
    // In their original order, as given.
    let mut keep = vec![false; points.len()];
    for i in kept {
        keep[i] = true;
    }
    points
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

/// Returns the hypervolume that `points` (oriented so that smaller is better, as many
/// objectives as `reference` has) dominate up to `reference`: the area with two objectives;
/// points beyond it in any objective add nothing.
///
/// With three objectives it sweeps along the third (`swept`, `n log n`); with four it slices
/// the space along the last objective (the hypervolume-by-slicing-objectives algorithm):
/// between one point's value and the next, the points below dominate a slab whose section is
/// their hypervolume in one objective fewer, about `n^2 log n`. With five or more it adds up
/// what each point adds to those better in the last objective (`by_exclusion`, WFG's way),
/// where limiting the others to the point's box leaves few that count: three times faster than
/// slicing for `tpe` in five objectives (400 trials: 6.9 s a run against 19.9 s).
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    volume(points.iter().map(Vec::as_slice), reference)
}

/// `hypervolume` of borrowed points.
pub(super) fn volume<'p>(points: impl Iterator<Item = &'p [f64]>, reference: &[f64]) -> f64 {
    let inside: Vec<&[f64]> = points
        .filter(|p| p.len() == reference.len() && p.iter().zip(reference).all(|(v, r)| v < r))
        .collect();
    sliced(inside, reference)
}

/// The hypervolume of `points`, all inside `reference`.
fn sliced(mut points: Vec<&[f64]>, reference: &[f64]) -> f64 {
    let d = reference.len();
    if points.is_empty() || d == 0 {
        return 0.0;
    }
    if d == 1 {
        let best = points.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
        return reference[0] - best;
    }
    if d == 2 {
        points.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        let mut area = 0.0;
        let mut ceiling = reference[1];
        for p in points {
            if p[1] < ceiling {
                area += (reference[0] - p[0]) * (ceiling - p[1]);
                ceiling = p[1];
            }
        }
        return area;
    }
    if d == 3 {
        return swept(points, reference);
    }
    if d >= WFG_FROM {
        return by_exclusion(points, reference);
    }
    let last = d - 1;
    points.sort_by(|a, b| a[last].total_cmp(&b[last]));
    let mut volume = 0.0;
    for k in 0..points.len() {
        let floor = points[k][last];
        let top = points.get(k + 1).map_or(reference[last], |p| p[last]);
        if top > floor {
            let section: Vec<&[f64]> = points[..=k].iter().map(|p| &p[..last]).collect();
            volume += (top - floor) * sliced(section, &reference[..last]);
        }
    }
    volume
}

/// The fewest objectives whose hypervolumes `by_exclusion` takes, rather than slicing.
const WFG_FROM: usize = 5;

/// The hypervolume of `points`, all inside `reference`, as the sum of what each point adds to
/// those after it (While, Bradstreet and Barone's WFG, 2012): its box less the hypervolume of
/// the later points limited to that box, of which only the few that are not then dominated
/// count. Sorted by the last objective, best last: limited to a point's box, the later points
/// all take its last value, so what it adds is a slab whose section has one objective fewer.
fn by_exclusion(mut points: Vec<&[f64]>, reference: &[f64]) -> f64 {
    let last = reference.len() - 1;
    points.sort_by(|a, b| b[last].total_cmp(&a[last]));
    let mut volume = 0.0;
    for (k, p) in points.iter().enumerate() {
        // The later points, limited to p's box, all take p's last value: what p adds is its
        // depth in the last objective times its section less theirs.
        let section: f64 = p[..last]
            .iter()
            .zip(reference)
            .map(|(v, r)| r - v)
            .product();
        let shaping = limited(points[k + 1..].iter().map(|q| &q[..last]), p);
        let covered = sliced(
            shaping.iter().map(Vec::as_slice).collect(),
            &reference[..last],
        );
        volume += (reference[last] - p[last]) * (section - covered);
    }
    volume
}

/// The hypervolume of `points` in three objectives, all inside `reference`, by one sweep along
/// the third (Beume et al.'s dimension sweep): between one point's value and the next, the
/// points below dominate a slab whose section is the area under their staircase in the first
/// two, which is kept up to date as each point joins it (an ordered map from the first
/// objective to the second; a point it dominates leaves). That costs `n log n`, against `n^2
/// log n` for slicing.
fn swept(mut points: Vec<&[f64]>, reference: &[f64]) -> f64 {
    points.sort_by(|a, b| a[2].total_cmp(&b[2]));
    let (rx, ry) = (reference[0], reference[1]);
    // The staircase: first objective -> second, the second falling as the first grows.
    let mut stairs: BTreeMap<Key, f64> = BTreeMap::new();
    let mut area = 0.0;
    let mut volume = 0.0;
    for (k, p) in points.iter().enumerate() {
        let (x, y) = (p[0], p[1]);
        // The step at or left of `x` has the lowest second value of those left of it.
        let left = stairs.range(..=Key(x)).next_back().map(|(_, &ly)| ly);
        if left.is_none_or(|ly| y < ly) {
            // The points it dominates: at or right of `x`, not below `y`; they lie together.
            let doomed: Vec<(Key, f64)> = stairs
                .range(Key(x)..)
                .take_while(|(_, &qy)| qy >= y)
                .map(|(&q, &qy)| (q, qy))
                .collect();
            for (q, qy) in doomed {
                stairs.remove(&q);
                let right = stairs.range(q..).next().map_or(rx, |(r, _)| r.0);
                let above = stairs.range(..q).next_back().map_or(ry, |(_, &ly)| ly);
                area -= (right - q.0) * (above - qy);
            }
            let right = stairs.range(Key(x)..).next().map_or(rx, |(r, _)| r.0);
            let above = stairs.range(..Key(x)).next_back().map_or(ry, |(_, &ly)| ly);
            area += (right - x) * (above - y);
            stairs.insert(Key(x), y);
        }
        let top = points.get(k + 1).map_or(reference[2], |q| q[2]);
        volume += area * (top - p[2]);
    }
    volume
}

/// An objective value ordered totally, as a map key.
#[derive(Debug, Clone, Copy)]
struct Key(f64);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
