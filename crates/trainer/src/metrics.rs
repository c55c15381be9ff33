//! The metrics of a model on a split, computed on the host from its outputs in `f64`.
//!
//! Classification: mean cross-entropy, accuracy, F1 and, for two classes, ROC AUC. With two
//! classes, F1 is the F1 of the second class in sorted order (class 1, the positive one: of
//! `benign` and `malignant`, `malignant`; name labels accordingly, or read the class list in
//! `sweep validate`); with more, it is the macro average over the classes that occur in the
//! labels or the predictions (as scikit-learn's `average='macro'`: a class in neither counts
//! nowhere). ROC AUC ranks the rows by the difference of the two logits (the
//! log-odds of class 1), with ties counted as half, as the Mann-Whitney statistic does.
//!
//! Regression: the mean squared error in standardized units (what training minimizes), and RMSE,
//! MAE and R² in the target's own units.

use crate::prep::TargetScale;

/// Named metric values, in the order of `experiment::KNOWN_METRICS`, without the `val_` prefix:
/// `loss`, `accuracy`, ...
pub(crate) type Scores = Vec<(&'static str, f64)>;

/// Returns the scores of classification logits (`classes` per row) against `labels`.
pub(crate) fn classification(logits: &[f32], labels: &[usize], classes: usize) -> Scores {
    let n = labels.len();
    let mut loss = 0.0f64;
    let mut confusion = vec![0usize; classes * classes];
    let mut odds = Vec::with_capacity(if classes == 2 { n } else { 0 });
    for (row, &label) in logits.chunks_exact(classes).zip(labels) {
        let (row_loss, predicted) = cross_entropy_row(row, label);
        loss += row_loss;
        confusion[label * classes + predicted] += 1;
        if classes == 2 {
            odds.push((f64::from(row[1]) - f64::from(row[0]), label == 1));
        }
    }
    let correct: usize = (0..classes).map(|c| confusion[c * classes + c]).sum();
    let mut scores = vec![
        ("loss", ratio(loss, n)),
        ("accuracy", ratio(as_f64(correct), n)),
    ];
    if classes == 2 {
        scores.push(("f1", f1(&confusion, classes, 1).unwrap_or(0.0)));
        scores.push(("roc_auc", roc_auc(&mut odds)));
    } else {
        let f1s: Vec<f64> = (0..classes)
            .filter_map(|c| f1(&confusion, classes, c))
            .collect();
        scores.push(("f1", ratio(f1s.iter().sum(), f1s.len())));
    }
    scores
}

/// Returns the scores of regression outputs, standardized by `scale`, against the targets:
/// `scaled` (standardized, for the loss) and `targets` (in the target's units, for the rest;
/// `prep::Split::targets`).
pub(crate) fn regression(
    outputs: &[f32],
    scaled: &[f32],
    targets: &[f64],
    scale: TargetScale,
) -> Scores {
    let n = targets.len();
    let (mut scaled_se, mut se, mut ae) = (0.0f64, 0.0f64, 0.0f64);
    let mut mean = 0.0f64;
    for ((&out, &s), &y) in outputs.iter().zip(scaled).zip(targets) {
        let d = f64::from(out) - f64::from(s);
        scaled_se += d * d;
        let d = scale.invert(out) - y;
        se += d * d;
        ae += d.abs();
        mean += y;
    }
    let mean = ratio(mean, n);
    let total: f64 = targets.iter().map(|&y| (y - mean).powi(2)).sum();
    // Targets all alike leave R² undefined; alike as read, which their mean in f64 does not
    // keep exactly (12 rows of 5.0 summed to a spread of 9e-30, and R² of -1.3e31).
    let constant = targets.windows(2).all(|w| w[0] == w[1]);
    let r2 = if total > 0.0 && !constant {
        1.0 - se / total
    } else {
        f64::NAN
    };
    vec![
        ("loss", ratio(scaled_se, n)),
        ("rmse", ratio(se, n).sqrt()),
        ("mae", ratio(ae, n)),
        ("r2", r2),
    ]
}

/// Returns the cross-entropy of one row of logits against `label`, and the predicted class.
pub(crate) fn cross_entropy_row(logits: &[f32], label: usize) -> (f64, usize) {
    let mut predicted = 0;
    let mut max = f64::NEG_INFINITY;
    for (c, &z) in logits.iter().enumerate() {
        if f64::from(z) > max {
            max = f64::from(z);
            predicted = c;
        }
    }
    let sum: f64 = logits.iter().map(|&z| (f64::from(z) - max).exp()).sum();
    let log_prob = f64::from(logits[label]) - max - sum.ln();
    (-log_prob, predicted)
}

/// Returns the softmax probabilities of one row of logits.
pub(crate) fn softmax_row(logits: &[f32]) -> Vec<f64> {
    let max = logits
        .iter()
        .map(|&z| f64::from(z))
        .fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = logits.iter().map(|&z| (f64::from(z) - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Returns the F1 of class `c` from a confusion matrix (rows: truth, columns: prediction), or
/// `None` when the class occurs neither in the labels nor in the predictions.
fn f1(confusion: &[usize], classes: usize, c: usize) -> Option<f64> {
    let tp = confusion[c * classes + c];
    let actual: usize = (0..classes).map(|p| confusion[c * classes + p]).sum();
    let predicted: usize = (0..classes).map(|t| confusion[t * classes + c]).sum();
    if actual + predicted == 0 {
        return None;
    }
    Some(2.0 * as_f64(tp) / as_f64(actual + predicted))
}

/// Returns the area under the ROC curve of scores labelled positive or not: the probability that
/// a random positive scores above a random negative, ties counting half. NaN when either class
/// is absent.
fn roc_auc(scored: &mut [(f64, bool)]) -> f64 {
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = scored.iter().filter(|s| s.1).count();
    let negatives = scored.len() - positives;
    if positives == 0 || negatives == 0 {
        return f64::NAN;
    }
    // Sum of the (average, 1-based) ranks of the positives.
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < scored.len() {
        let mut j = i;
        while j < scored.len() && scored[j].0 == scored[i].0 {
            j += 1;
        }
        let average_rank = as_f64(i + j + 1) / 2.0;
        let tied_positives = scored[i..j].iter().filter(|s| s.1).count();
        rank_sum += average_rank * as_f64(tied_positives);
        i = j;
    }
    let p = as_f64(positives);
    (rank_sum - p * (p + 1.0) / 2.0) / (p * as_f64(negatives))
}

fn ratio(sum: f64, n: usize) -> f64 {
    sum / as_f64(n.max(1))
}

fn as_f64(n: usize) -> f64 {
    // Row counts are far below 2^52, so the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(scores: &Scores, name: &str) -> f64 {
        scores.iter().find(|(n, _)| *n == name).unwrap().1
    }

    #[test]
    fn cross_entropy_of_a_row_is_stable_for_large_logits() {
        let (loss, predicted) = cross_entropy_row(&[1000.0, 0.0, -1000.0], 0);
        assert_eq!(predicted, 0);
        assert!(loss.abs() < 1e-12);
        let (loss, _) = cross_entropy_row(&[0.0, 0.0], 1);
        assert!((loss - std::f64::consts::LN_2).abs() < 1e-12);
    }

    #[test]
    fn binary_scores_match_hand_computed_values() {
        // Logit differences 2, -1, 0.5, -3, 0.5 for labels 1, 0, 0, 0, 1: predictions 1, 0, 1,
        // 0, 1, so TP 2, FP 1, FN 0: F1 = 4 / 5. AUC: of the 2 x 3 pairs, positive 2 beats all
        // three negatives, positive 0.5 beats two and ties one: (3 + 2.5) / 6.
        let logits = [0.0, 2.0, 0.0, -1.0, 0.0, 0.5, 0.0, -3.0, 0.0, 0.5];
        let scores = classification(&logits, &[1, 0, 0, 0, 1], 2);
        let names: Vec<&str> = scores.iter().map(|s| s.0).collect();
        assert_eq!(names, ["loss", "accuracy", "f1", "roc_auc"]);
        assert_eq!(get(&scores, "accuracy"), 0.8);
        assert!((get(&scores, "f1") - 0.8).abs() < 1e-12);
        assert!((get(&scores, "roc_auc") - 5.5 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn macro_f1_averages_the_classes_that_occur() {
        // Truth 0, 0, 1, 2; predicted 0, 1, 1, 2. F1: class 0 = 2/3, class 1 = 2/3, class 2 = 1;
        // class 3 occurs nowhere and is left out.
        let logits = [
            1.0, 0.0, 0.0, 0.0, //
            0.0, 1.0, 0.0, 0.0, //
            0.0, 1.0, 0.0, 0.0, //
            0.0, 0.0, 1.0, 0.0,
        ];
        let scores = classification(&logits, &[0, 0, 1, 2], 4);
        let names: Vec<&str> = scores.iter().map(|s| s.0).collect();
        assert_eq!(names, ["loss", "accuracy", "f1"]);
        assert!((get(&scores, "f1") - (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn roc_auc_is_nan_without_both_classes() {
        assert!(roc_auc(&mut [(0.1, true), (0.2, true)]).is_nan());
        assert_eq!(roc_auc(&mut [(0.1, false), (0.2, true)]), 1.0);
        assert_eq!(roc_auc(&mut [(0.3, false), (0.2, true)]), 0.0);
    }

    #[test]
    fn r2_of_targets_all_alike_is_undefined_however_they_scale_back() {
        // A scale whose round trip in f64 leaves 12 equal targets a spread above 0 (found
        // among a few, as a real data set's scale gave one).
        let spread = |scale: TargetScale, y: f32| {
            let back: Vec<f64> = (0..12).map(|_| scale.invert(y)).collect();
            let mean = back.iter().sum::<f64>() / 12.0;
            back.iter().map(|b| (b - mean).powi(2)).sum::<f64>()
        };
        let (scale, y) = (1..1000)
            .map(|k| {
                let scale = TargetScale {
                    mean: 4.0 + f64::from(k) * 0.001_3,
                    std: 0.1 + f64::from(k) * 0.007,
                };
                (scale, scale.apply(5.0))
            })
            .find(|(scale, y)| spread(*scale, *y) > 0.0)
            .expect("a scale that does not round-trip exactly");
        let scores = regression(&[0.1; 12], &[y; 12], &[scale.invert(y); 12], scale);
        assert!(get(&scores, "r2").is_nan(), "{scores:?}");
        assert!(get(&scores, "rmse").is_finite());
    }

    #[test]
    fn regression_scores_are_in_the_target_units() {
        let scale = TargetScale {
            mean: 10.0,
            std: 2.0,
        };
        // Targets 8, 10, 12 (scaled -1, 0, 1); outputs 9, 10, 14 (scaled -0.5, 0, 2).
        let scores = regression(
            &[-0.5, 0.0, 2.0],
            &[-1.0, 0.0, 1.0],
            &[8.0, 10.0, 12.0],
            scale,
        );
        assert!((get(&scores, "loss") - 1.25 / 3.0).abs() < 1e-9);
        assert!((get(&scores, "rmse") - (5.0f64 / 3.0).sqrt()).abs() < 1e-9);
        assert!((get(&scores, "mae") - 1.0).abs() < 1e-9);
        assert!((get(&scores, "r2") - (1.0 - 5.0 / 8.0)).abs() < 1e-9);
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let p = softmax_row(&[1000.0, 1000.0, -1000.0]);
        assert!((p[0] - 0.5).abs() < 1e-12 && p[2] < 1e-300);
    }
}
