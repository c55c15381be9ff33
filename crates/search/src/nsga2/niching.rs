//! NSGA-III's cut of the front that does not fit whole (Deb and Jain 2014): the trials kept
//! are those that best fill evenly spread reference directions, judged on objectives
//! normalized by the front's own extent.
//!
//! 1. The ideal point (each objective's least value among the trials kept so far and the front
//!    cut) becomes the origin.
//! 2. Each objective's extreme trial (the one nearest its axis by the achievement scalarizing
//!    function) spans a hyperplane; where it meets the axes scales each objective to [0, 1].
//!    When the extremes span none (two of them the same trial, or an axis met at or below 0)
//!    each objective's largest value scales it instead.
//! 3. Each trial joins the reference direction whose line passes nearest it.
//! 4. Until the room is filled: a direction with the fewest trials kept so far is chosen (at
//!    random among ties); if the front has no trial on it, it is set aside; if none is kept on
//!    it yet, its nearest trial of the front is kept, otherwise one of them at random.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::linalg;

/// Returns Das and Dennis's reference directions for `objectives` objectives: every point of
/// the unit simplex whose coordinates are multiples of `1 / divisions`, in lexicographic order.
pub(super) fn reference_points(objectives: usize, divisions: u32) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    let mut point = vec![0u32; objectives];
    spread(&mut point, 0, divisions, &mut out);
    let scale = f64::from(divisions.max(1));
    out.into_iter()
        .map(|p| p.into_iter().map(|c| f64::from(c) / scale).collect())
        .collect()
}

/// Fills coordinates `from..` of `point` with every split of `left` steps, into `out`.
fn spread(point: &mut [u32], from: usize, left: u32, out: &mut Vec<Vec<u32>>) {
    match point.len().checked_sub(from) {
        None | Some(0) => {}
        Some(1) => {
            point[from] = left;
            out.push(point.to_vec());
        }
        Some(_) => {
            for c in (0..=left).rev() {
                point[from] = c;
                spread(point, from + 1, left - c, out);
            }
        }
    }
}

/// Chooses `room` of the `front`'s points (indices into `points`, objectives oriented so that
/// smaller is better) to join those `kept` already, by how they fill the `references`; returns
/// them in the order chosen. Every random choice comes from `rng`.
pub(super) fn cut(
    points: &[Vec<f64>],
    kept: &[usize],
    front: &[usize],
    room: usize,
    references: &[Vec<f64>],
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    if room >= front.len() {
        return front.to_vec();
    }
    let members: Vec<usize> = kept.iter().chain(front).copied().collect();
    let normalized = normalize(points, &members);
    // The nearest direction of each member, and how far its line passes.
    let joined: Vec<(usize, f64)> = normalized
        .iter()
        .map(|p| nearest_direction(p, references))
        .collect();
    let mut count = vec![0usize; references.len()];
    for &(direction, _) in &joined[..kept.len()] {
        count[direction] += 1;
    }
    // The front's members still to choose from: (index into `points`, direction, distance).
    let mut left: Vec<(usize, usize, f64)> = front
        .iter()
        .zip(&joined[kept.len()..])
        .map(|(&i, &(direction, distance))| (i, direction, distance))
        .collect();
    let mut open: Vec<bool> = vec![true; references.len()];
    let mut chosen = Vec::with_capacity(room);
    while chosen.len() < room && !left.is_empty() {
        let Some(fewest) = (0..references.len())
            .filter(|&j| open[j])
            .map(|j| count[j])
            .min()
        else {
            break;
        };
        let ties: Vec<usize> = (0..references.len())
            .filter(|&j| open[j] && count[j] == fewest)
            .collect();
        let direction = ties[rng.gen_range(0..ties.len())];
        let on: Vec<usize> = (0..left.len())
            .filter(|&k| left[k].1 == direction)
            .collect();
        if on.is_empty() {
            open[direction] = false;
            continue;
        }
        let pick = if count[direction] == 0 {
            on.iter()
                .copied()
                .min_by(|&a, &b| left[a].2.total_cmp(&left[b].2))
                .unwrap_or(on[0])
        } else {
            on[rng.gen_range(0..on.len())]
        };
        chosen.push(left.remove(pick).0);
        count[direction] += 1;
    }
    chosen
}

/// Returns the `members`' points translated to their ideal point and scaled by the
/// hyperplane through their extreme points (or by their largest values, when those span none).
fn normalize(points: &[Vec<f64>], members: &[usize]) -> Vec<Vec<f64>> {
    let Some(&first) = members.first() else {
        return Vec::new();
    };
    let m = points[first].len();
    let ideal: Vec<f64> = (0..m)
        .map(|k| {
            members
                .iter()
                .map(|&i| points[i][k])
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let shifted: Vec<Vec<f64>> = members
        .iter()
        .map(|&i| points[i].iter().zip(&ideal).map(|(v, z)| v - z).collect())
        .collect();
    let scale = intercepts(&shifted, m).unwrap_or_else(|| {
        (0..m)
            .map(|k| shifted.iter().map(|p| p[k]).fold(0.0, f64::max))
            .collect()
    });
    shifted
        .into_iter()
        .map(|p| {
            p.iter()
                .zip(&scale)
                .map(|(v, s)| if *s > f64::EPSILON { v / s } else { *v })
                .collect()
        })
        .collect()
}

/// Returns where the hyperplane through the extreme points of `shifted` (points of `m`
/// objectives, their ideal point at the origin) meets each axis; `None` when the extremes span
/// no hyperplane, or it meets an axis at or below 0.
fn intercepts(shifted: &[Vec<f64>], m: usize) -> Option<Vec<f64>> {
    // The extreme point of axis k: least largest ratio to a weight that is 1 on k and tiny off it.
    let mut extremes = Vec::with_capacity(m * m);
    for k in 0..m {
        let asf = |p: &Vec<f64>| {
            p.iter()
                .enumerate()
                .map(|(j, v)| if j == k { *v } else { v / 1e-6 })
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let extreme = shifted.iter().min_by(|a, b| asf(a).total_cmp(&asf(b)))?;
        extremes.extend_from_slice(extreme);
    }
    // The plane sum(x_k / a_k) = 1 through them: solve E b = 1, then a_k = 1 / b_k.
    let b = linalg::solve(&mut extremes, m, vec![1.0; m])?;
    let a: Vec<f64> = b.iter().map(|x| 1.0 / x).collect();
    a.iter().all(|x| x.is_finite() && *x > 1e-10).then_some(a)
}

/// Returns the reference direction whose line passes nearest `p`, and how near.
fn nearest_direction(p: &[f64], references: &[Vec<f64>]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, w) in references.iter().enumerate() {
        let ww = linalg::dot(w, w);
        let along = if ww > 0.0 {
            linalg::dot(p, w) / ww
        } else {
            0.0
        };
        let off: f64 = p
            .iter()
            .zip(w)
            .map(|(x, wk)| (x - along * wk).powi(2))
            .sum::<f64>()
            .sqrt();
        if off < best.1 {
            best = (j, off);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn reference_points_are_das_and_dennis_points_on_the_simplex() {
        let three = reference_points(3, 3);
        assert_eq!(three.len(), 10);
        for p in &three {
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{p:?}");
            assert!(p
                .iter()
                .all(|c| (c * 3.0 - (c * 3.0).round()).abs() < 1e-12));
        }
        assert_eq!(three[0], [1.0, 0.0, 0.0]);
        assert_eq!(three[9], [0.0, 0.0, 1.0]);
        let two = reference_points(2, 4);
        assert_eq!(
            two,
            [
                [1.0, 0.0],
                [0.75, 0.25],
                [0.5, 0.5],
                [0.25, 0.75],
                [0.0, 1.0]
            ]
        );
        assert_eq!(reference_points(1, 3), [[1.0]]);
        assert_eq!(reference_points(5, 3).len(), 35);
    }

    #[test]
    fn the_cut_keeps_one_trial_near_each_direction_before_a_second_on_any() {
        // Two objectives, a front along f1 + f2 = 1: a crowd near (0.5, 0.5) and one point at
        // each end and at each quarter; 5 directions (quarters). Room for 5: one on each.
        let mut points = vec![
            vec![0.0, 1.0],
            vec![0.25, 0.75],
            vec![0.75, 0.25],
            vec![1.0, 0.0],
        ];
        for k in 0..6 {
            let x = 0.47 + 0.011 * f64::from(k);
            points.push(vec![x, 1.0 - x]);
        }
        let front: Vec<usize> = (0..points.len()).collect();
        let references = reference_points(2, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut chosen = cut(&points, &[], &front, 5, &references, &mut rng);
        chosen.sort_unstable();
        // The ends and quarters, and the crowd's member nearest the middle (0.5, 0.5): 0.503.
        assert_eq!(chosen, [0, 1, 2, 3, 7]);
        // Directions already filled by trials kept count: with the middle and the ends kept,
        // room for 2 goes to the quarters.
        let mut chosen = cut(
            &points,
            &[0, 3, 7],
            &[1, 2, 4, 5, 6],
            2,
            &references,
            &mut rng,
        );
        chosen.sort_unstable();
        assert_eq!(chosen, [1, 2]);
    }

    #[test]
    fn objectives_of_different_scales_are_normalized_before_the_cut() {
        // The same front as above with f2 a thousand times larger and shifted: the choice is
        // the same.
        let scaled = |f1: f64, f2: f64| vec![f1 + 3.0, 1000.0 * f2 - 50.0];
        let mut points = vec![
            scaled(0.0, 1.0),
            scaled(0.25, 0.75),
            scaled(0.75, 0.25),
            scaled(1.0, 0.0),
        ];
        for k in 0..6 {
            let x = 0.47 + 0.011 * f64::from(k);
            points.push(scaled(x, 1.0 - x));
        }
        let front: Vec<usize> = (0..points.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut chosen = cut(&points, &[], &front, 5, &reference_points(2, 4), &mut rng);
        chosen.sort_unstable();
        assert_eq!(chosen, [0, 1, 2, 3, 7]);
    }

    #[test]
    fn degenerate_fronts_still_fill_the_room() {
        // Every point the same: no hyperplane; the cut still chooses exactly the room.
        let points = vec![vec![1.0, 1.0, 1.0]; 6];
        let front: Vec<usize> = (0..6).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let chosen = cut(&points, &[], &front, 4, &reference_points(3, 3), &mut rng);
        assert_eq!(chosen.len(), 4);
        let mut unique = chosen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 4);
        // One objective: one direction.
        let points: Vec<Vec<f64>> = (0..5).map(|k| vec![f64::from(k)]).collect();
        let chosen = cut(
            &points,
            &[],
            &[0, 1, 2, 3, 4],
            2,
            &reference_points(1, 3),
            &mut rng,
        );
        assert_eq!(chosen.len(), 2);
    }
}
