//! Server-side downsampling, so that no chart carries more points than a browser draws usefully.
//!
//! Curves use Largest-Triangle-Three-Buckets (Steinarsson, 2013): it keeps the first and last
//! points and, from each bucket in between, the point that spans the largest triangle with its
//! neighbours, which preserves peaks and the shape of a line far better than taking every n-th
//! point. Scatter plots over trial numbers use a min/max per bucket instead: the extremes are
//! what the eye looks for in a cloud, and a line-oriented method would drop outliers.

/// Returns at most `threshold` points of `points` (sorted by x), chosen by LTTB.
///
/// Points with a non-finite coordinate are dropped first. A `threshold` below 3 keeps the whole
/// series when it is that short, and otherwise its first and last points.
pub(crate) fn lttb(points: &[(f64, f64)], threshold: usize) -> Vec<(f64, f64)> {
    let data: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if data.len() <= threshold {
        return data;
    }
    if threshold < 3 {
        return match (data.first(), data.last()) {
            (Some(&first), Some(&last)) => vec![first, last],
            _ => Vec::new(),
        };
    }
    let mut sampled = Vec::with_capacity(threshold);
    // The first and last points are always kept; the rest are split into `threshold - 2` buckets.
    let every = (data.len() - 2) as f64 / (threshold - 2) as f64;
    let mut a = 0;
    sampled.push(data[0]);
    for i in 0..threshold - 2 {
        // The average of the next bucket is the third corner of the triangle.
        let next_start = bucket_edge(i + 1, every) + 1;
        let next_end = (bucket_edge(i + 2, every) + 1).min(data.len());
        let (avg_x, avg_y) = mean(&data[next_start..next_end]);
        let start = bucket_edge(i, every) + 1;
        let end = bucket_edge(i + 1, every) + 1;
        let (ax, ay) = data[a];
        let mut best = start;
        let mut best_area = -1.0;
        for (j, &(x, y)) in data.iter().enumerate().take(end).skip(start) {
            let area = ((ax - avg_x) * (y - ay) - (ax - x) * (avg_y - ay)).abs();
            if area > best_area {
                best_area = area;
                best = j;
            }
        }
        sampled.push(data[best]);
        a = best;
    }
    if let Some(&last) = data.last() {
        sampled.push(last);
    }
    sampled
}

/// Returns at most `2 * buckets` points of `points` (sorted by x): the lowest and the highest
/// point of each of `buckets` equal runs, in x order.
pub(crate) fn min_max(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    let data: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if buckets == 0 || data.len() <= 2 * buckets {
        return data;
    }
    let size = data.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(2 * buckets);
    for chunk in data.chunks(size) {
        let lo = chunk
            .iter()
            .enumerate()
            .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        let hi = chunk
            .iter()
            .enumerate()
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        if let (Some((i, &l)), Some((j, &h))) = (lo, hi) {
            match i.cmp(&j) {
                std::cmp::Ordering::Less => out.extend([l, h]),
                std::cmp::Ordering::Greater => out.extend([h, l]),
                std::cmp::Ordering::Equal => out.push(l),
            }
        }
    }
    out
}

fn bucket_edge(i: usize, every: f64) -> usize {
    // Truncation is the bucket boundary rule of LTTB.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let edge = (i as f64 * every).floor() as usize;
    edge
}

fn mean(points: &[(f64, f64)]) -> (f64, f64) {
    if points.is_empty() {
        return (0.0, 0.0);
    }
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    (sx / n, sy / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| (i as f64, (i as f64 / 10.0).sin()))
            .collect()
    }

    #[test]
    fn lttb_keeps_short_series_and_the_ends() {
        let short = wave(50);
        assert_eq!(lttb(&short, 100), short);
        let long = wave(10_000);
        let out = lttb(&long, 500);
        assert_eq!(out.len(), 500);
        assert_eq!(out.first(), long.first());
        assert_eq!(out.last(), long.last());
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "x stays sorted");
    }

    #[test]
    fn lttb_keeps_a_spike_and_drops_nan() {
        let mut data: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, 0.0)).collect();
        data[437].1 = 50.0;
        data[10].1 = f64::NAN;
        let out = lttb(&data, 20);
        assert!(out.contains(&(437.0, 50.0)), "{out:?}");
        assert!(out.iter().all(|(_, y)| y.is_finite()));
        assert_eq!(lttb(&data, 2).len(), 2);
    }

    #[test]
    fn min_max_keeps_extremes_of_each_bucket() {
        let data: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, if i == 1234 { -9.0 } else { (i % 7) as f64 }))
            .collect();
        let out = min_max(&data, 1000);
        assert!(out.len() <= 2000, "{}", out.len());
        assert!(out.contains(&(1234.0, -9.0)));
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(min_max(&data[..10], 1000).len(), 10);
    }
}
