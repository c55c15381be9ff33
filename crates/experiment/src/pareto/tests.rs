//! Tests of Pareto fronts: domination, fronts, crowding and standings, and hypervolumes and
//! each member's share of one, checked against direct computations (the front less the rest,
//! the union of the points' boxes).

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
    assert_eq!(hypervolume(&points, &[4.0, 4.0]), 7.0);
    assert_eq!(hypervolume(&[], &[4.0, 4.0]), 0.0);
    // More points never dominate less.
    let grown: Vec<f64> = (0..=points.len())
        .map(|n| hypervolume(&points[..n], &[4.0, 4.0]))
        .collect();
    assert_eq!(grown, [0.0, 3.0, 3.0, 7.0, 7.0]);
    // The reference: worst values plus a tenth of the range.
    assert_eq!(reference(&points[..3]), Some(vec![3.2, 3.2]));
    assert_eq!(reference(&[p(&[1.0])]), None);
    assert_eq!(reference(&[p(&[1.0, 2.0]), p(&[1.0, 2.0, 3.0])]), None);
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
        contributions(&points, &[0, 1, 3, 4], &[11.0, 11.0]),
        [4.0, 1.0, 20.0, 5.0]
    );
    let s = standing(&points, usize::MAX);
    // Point 2 is dominated by point 3, alone in front 1. Front 0 greedily: point 3
    // dominates most alone (6 * 6 = 36); beside it point 0 adds (11 - 1) * (11 - 9) less
    // the (11 - 5) * (11 - 9) they share, 8, against 5 for 1 or 4; then 4 adds 5, and 1
    // only the 1 * 1 left of point 0's.
    assert_eq!(s, [0.25, 0.75, 1.0, 0.0, 0.5]);
    // With three objectives too, by the hypervolume each alone dominates.
    let three = [
        p(&[0.0, 2.0, 1.0]),
        p(&[1.0, 1.0, 1.0]),
        p(&[2.0, 0.0, 1.0]),
        p(&[1.0, 1.0, 0.0]),
    ];
    // Point 3 dominates point 1; the reference is (2.2, 2.2, 1.1).
    let shares = contributions(&three, &[0, 2, 3], &[2.2, 2.2, 1.1]);
    let whole = hypervolume(&three, &[2.2, 2.2, 1.1]);
    for (k, share) in shares.iter().enumerate() {
        let rest: Vec<Vec<f64>> = [0, 2, 3]
            .iter()
            .filter(|&&j| j != [0, 2, 3][k])
            .map(|&j| three[j].clone())
            .collect();
        assert!((whole - hypervolume(&rest, &[2.2, 2.2, 1.1]) - share).abs() < 1e-12);
    }
    let s = standing(&three, usize::MAX);
    // Unordered past the first front: the second front's only member keeps its place.
    assert_eq!(standing(&three, 1)[1], s[1]);
    assert!(s[1] >= 1.0 && s[3] < 1.0, "{s:?}");
}

#[test]
fn contributions_in_four_and_five_objectives_are_the_front_less_the_rest() {
    // Points spread over the unit sphere's positive orthant (a front), by fractional parts
    // of multiples of irrational numbers, and a few pushed out (dominated by their own).
    for d in [4usize, 5] {
        let roots = [
            2f64.sqrt(),
            3f64.sqrt(),
            5f64.sqrt(),
            7f64.sqrt(),
            11f64.sqrt(),
        ];
        let mut points: Vec<Vec<f64>> = (1..=24u32)
            .map(|i| {
                let raw: Vec<f64> = roots[..d]
                    .iter()
                    .map(|r| (f64::from(i) * r).fract() + 0.05)
                    .collect();
                let norm = raw.iter().map(|v| v * v).sum::<f64>().sqrt();
                raw.iter().map(|v| v / norm).collect()
            })
            .collect();
        for k in [3, 7] {
            let out: Vec<f64> = points[k].iter().map(|v| v * 1.2).collect();
            points.push(out);
        }
        points.push(points[5].clone());
        let members: Vec<usize> = (0..points.len()).collect();
        let reference = vec![1.1; d];
        let whole = hypervolume(&points, &reference);
        let shares = contributions(&points, &members, &reference);
        for (k, share) in shares.iter().enumerate() {
            let rest: Vec<Vec<f64>> = points
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, q)| q.clone())
                .collect();
            let want = (whole - hypervolume(&rest, &reference)).max(0.0);
            assert!(
                (want - share).abs() < 1e-12,
                "{d} objectives, point {k}: {share} against {want}"
            );
        }
        // A repeated point adds nothing alone, nor does its twin; a dominated one neither.
        assert_eq!(shares[5], 0.0);
        assert_eq!(shares[points.len() - 1], 0.0);
        assert_eq!(shares[24], 0.0);
        assert!(shares.iter().filter(|v| **v > 0.0).count() > 10);
    }
}

/// The volume of the union of the boxes from each point to `reference`, by
/// inclusion-exclusion over every subset: slow, and plainly right.
fn union_of_boxes(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let n = points.len();
    let mut total = 0.0;
    for mask in 1u32..(1 << n) {
        let chosen: Vec<&Vec<f64>> = (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| &points[i])
            .collect();
        let volume: f64 = (0..reference.len())
            .map(|k| {
                let worst = chosen
                    .iter()
                    .map(|p| p[k])
                    .fold(f64::NEG_INFINITY, f64::max);
                (reference[k] - worst).max(0.0)
            })
            .product();
        let sign = if chosen.len() % 2 == 1 { 1.0 } else { -1.0 };
        total += sign * volume;
    }
    total
}

#[test]
fn hypervolume_in_three_to_six_objectives_is_the_union_of_the_boxes() {
    // A fixed scatter of points, dominated ones and ties included.
    let mut x = 0.37_f64;
    let mut next = || {
        x = (x * 7.13 + 0.29).fract();
        (x * 8.0).round() / 8.0
    };
    for d in [3usize, 4, 5, 6] {
        for n in [1usize, 2, 5, 9, 12] {
            let points: Vec<Vec<f64>> = (0..n).map(|_| (0..d).map(|_| next()).collect()).collect();
            let reference = vec![1.1; d];
            let got = hypervolume(&points, &reference);
            let want = union_of_boxes(&points, &reference);
            assert!(
                (got - want).abs() < 1e-12,
                "d {d}, n {n}: {got} against {want}"
            );
        }
    }
    // The sweep in three objectives, on many scatters with ties and dominated points.
    for trial in 0..300 {
        let n = 1 + trial % 12;
        let points: Vec<Vec<f64>> = (0..n).map(|_| (0..3).map(|_| next()).collect()).collect();
        let reference = [1.05, 1.1, 1.2];
        let got = hypervolume(&points, &reference);
        let want = union_of_boxes(&points, &reference);
        assert!(
            (got - want).abs() < 1e-12,
            "{points:?}: {got} against {want}"
        );
    }
    // The frame's share: one point at the best corner fills the box.
    let points = [p(&[0.0, 0.0, 0.0]), p(&[1.0, 1.0, 1.0])];
    let frame = Frame::around(&points).unwrap();
    assert!((frame.share(&points[..1]) - 1.0).abs() < 1e-12);
    assert!((frame.share(&points[1..]) - 0.001 / 1.331).abs() < 1e-12);
}
