//! Parameter importance: which hyperparameters separate the best trials from the rest.
//!
//! The method is the global variant of PED-ANOVA (Watanabe, Bansal and Hutter, "PED-ANOVA:
//! Efficiently Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023). For
//! each parameter it compares the distribution of its values among the top `GAMMA` fraction of
//! trials, but at least `MIN_TOP` of them (by the objective; every trial at or better than the
//! last of them, so that trials tied there count alike whatever their numbers) with their
//! distribution among all trials,
//! with the Pearson
//! divergence `sum_b p_b * (q_b / p_b - 1)^2`, where `p_b` and `q_b` are the fractions of all and
//! of the top trials in bin `b`. A parameter whose good values are spread like all values (it
//! does not matter) scores 0; one whose good values crowd into a few bins scores high. Scores are
//! then normalized to sum to 1, once each is less the divergence a top set drawn at random
//! shows on average (`(bins - 1) / top * (all - top) / (all - 1)`, which grows with the bins),
//! so that a parameter of many values that does nothing scores about 0, not its noise.
//!
//! With few trials the top `GAMMA` fraction is one or two trials, whose values any parameter
//! may share by chance: at 10 trials of a study of two objectives, a learning rate that the
//! sampler happened to pair with small models took 62% of the importance for the models' size,
//! which depends on their width and depth alone. Optuna's `PedAnovaImportanceEvaluator` (same
//! `target_quantile` of 0.1) warns when its top set is that small; here the top set holds at
//! least `MIN_TOP` trials (half of the first 10, the top 10% from 50 on), and `TopSet` says how
//! many it held, so that a chart can say what the shares compare.
//!
//! Differences from the paper, chosen for speed and determinism at 10,000 trials: densities are
//! histograms rather than Gaussian kernel estimates (`BINS` equal-width bins on the parameter's
//! axis, √n of them under 100 trials, log-scaled for log parameters; one bin per category or
//! per distinct integer when there are few and they repeat), and every finished trial with a
//! finite objective counts.
//!
//! Rejected: fANOVA on a random forest (Hutter et al., 2014) is the reference method, but
//! training a forest per request costs seconds at this scale and needs a seeded RNG; a plain
//! correlation misses non-monotonic effects (a learning rate that is best in the middle).

/// The fraction of trials that counts as "top".
pub(crate) const GAMMA: f64 = 0.1;
/// The fewest trials with a value for which importance is computed.
pub(crate) const MIN_TRIALS: usize = 10;
/// The fewest trials the top set holds: the top `GAMMA` fraction of fewer than 50 trials is
/// too few to tell a parameter's effect from chance.
pub(crate) const MIN_TOP: usize = 5;

// `importance` clamps the top set to `MIN_TOP..=valid.len()`, which panics when `MIN_TOP` is
// above the number of values; it computes only from `MIN_TRIALS` values on, so this holds.
const _: () = assert!(MIN_TRIALS >= MIN_TOP);

/// Bins of a continuous parameter.
const BINS: usize = 10;

/// One parameter's values over the trials, in the order of the objective values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Column {
    /// Numbers on the parameter's axis (already log-transformed for log parameters); `None`
    /// where a trial lacks the parameter.
    Numeric(Vec<Option<f64>>),
    /// Category codes in `0..count`.
    Categorical {
        /// Each trial's code.
        codes: Vec<Option<usize>>,
        /// The number of categories.
        count: usize,
    },
}

/// The trials importance compared: the top set among all the trials with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TopSet {
    /// The trials in the top set (those tied with its last one included).
    pub(crate) top: usize,
    /// The trials with a finite value.
    pub(crate) of: usize,
}

/// Returns each parameter's importance (summing to 1), in the order given, and the top set it
/// compared with all trials, or `None` when fewer than `MIN_TRIALS` objective values are finite.
///
/// `objective[i]` is trial `i`'s value, oriented so that smaller is better (negate a maximized
/// metric); every column has one entry per trial.
pub(crate) fn ped_anova_top(columns: &[Column], objective: &[f64]) -> Option<(Vec<f64>, TopSet)> {
    let valid: Vec<usize> = (0..objective.len())
        .filter(|&i| objective[i].is_finite())
        .collect();
    if valid.len() < MIN_TRIALS {
        return None;
    }
    let mut order = valid.clone();
    order.sort_by(|&a, &b| objective[a].total_cmp(&objective[b]).then(a.cmp(&b)));
    // Truncation is intended: the top set holds the best `ceil(GAMMA * n)` trials, at least
    // `MIN_TOP`, and those tied with the last of them.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let top_n = ((GAMMA * valid.len() as f64).ceil() as usize).clamp(MIN_TOP, valid.len());
    // Every trial tied with the last of them is top too, as the paper's top set is every
    // trial at or better than the `GAMMA` quantile: the result never depends on how tied
    // trials are numbered.
    let cut = objective[order[top_n - 1]];
    let mut is_top = vec![false; objective.len()];
    for &i in &valid {
        is_top[i] = objective[i].total_cmp(&cut).is_le();
    }
    let scores: Vec<f64> = columns
        .iter()
        .map(|column| {
            let bins = bin(column, objective.len());
            divergence(&bins, &valid, &is_top)
        })
        .collect();
    let top = TopSet {
        top: valid.iter().filter(|&&i| is_top[i]).count(),
        of: valid.len(),
    };
    let total: f64 = scores.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return Some((vec![0.0; columns.len()], top));
    }
    Some((scores.iter().map(|s| s / total).collect(), top))
}

/// Returns each trial's bin and the number of bins.
fn bin(column: &Column, n: usize) -> (Vec<Option<usize>>, usize) {
    match column {
        Column::Categorical { codes, count } => (codes.clone(), *count),
        Column::Numeric(values) => {
            let finite: Vec<f64> = values
                .iter()
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            let mut distinct = finite.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            // Few distinct values that repeat (an integer knob): one bin each. Values that
            // do not repeat (a real parameter over few trials) would each be a bin of one, and
            // every top set would then look alike.
            if distinct.len() <= BINS && distinct.len() * 2 <= finite.len() {
                let codes = values
                    .iter()
                    .map(|v| {
                        v.filter(|x| x.is_finite())
                            .and_then(|x| distinct.binary_search_by(|d| d.total_cmp(&x)).ok())
                    })
                    .collect();
                return (codes, distinct.len());
            }
            // Fewer bins with fewer trials (√n under 100 of them): ten bins over ten trials
            // hold one each, and every top set would look alike.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let bins = ((finite.len() as f64).sqrt().ceil() as usize).clamp(2, BINS);
            let lo = distinct[0];
            let hi = distinct[distinct.len() - 1];
            let width = (hi - lo) / bins as f64;
            let codes = values
                .iter()
                .map(|v| {
                    let x = v.filter(|x| x.is_finite())?;
                    // Truncation picks the bin; the maximum falls into the last one.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let b = ((x - lo) / width).floor() as usize;
                    Some(b.min(bins - 1))
                })
                .collect();
            debug_assert_eq!(values.len(), n);
            (codes, bins)
        }
    }
}

fn divergence(
    (codes, count): &(Vec<Option<usize>>, usize),
    valid: &[usize],
    is_top: &[bool],
) -> f64 {
    let mut all = vec![0.0; *count];
    let mut top = vec![0.0; *count];
    let (mut n_all, mut n_top) = (0.0, 0.0);
    for &i in valid {
        if let Some(b) = codes.get(i).copied().flatten().filter(|b| *b < *count) {
            all[b] += 1.0;
            n_all += 1.0;
            if is_top[i] {
                top[b] += 1.0;
                n_top += 1.0;
            }
        }
    }
    if n_all == 0.0 || n_top == 0.0 {
        return 0.0;
    }
    let divergence: f64 = all
        .iter()
        .zip(&top)
        .filter(|(a, _)| **a > 0.0)
        .map(|(a, t)| {
            let p = a / n_all;
            let q = t / n_top;
            p * (q / p - 1.0_f64).powi(2)
        })
        .sum();
    // A top set drawn at random, `n_top` of `n_all` without replacement, shows a divergence of
    // (bins - 1) / n_top * (n_all - n_top) / (n_all - 1) on average: the more bins, the more.
    // Less that, a parameter that does nothing scores about 0 however many values it has (a
    // 40-value category outscored a real parameter on noise).
    let bins = all.iter().filter(|a| **a > 0.0).count() as f64;
    let chance = if n_all > 1.0 {
        (bins - 1.0) / n_top * (n_all - n_top) / (n_all - 1.0)
    } else {
        0.0
    };
    // Below a rounding error's size, nothing.
    let score = divergence - chance;
    if score > 1e-9 {
        score
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the shares `ped_anova_top` gives, without its top set.
    fn ped_anova(columns: &[Column], objective: &[f64]) -> Option<Vec<f64>> {
        ped_anova_top(columns, objective).map(|(shares, _)| shares)
    }

    /// A small deterministic generator, so that the test data never changes.
    fn uniform(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn the_parameter_that_drives_the_objective_dominates() {
        let mut state = 42;
        let n = 400;
        let mut lr = Vec::new();
        let mut dropout = Vec::new();
        let mut optimizer = Vec::new();
        let mut objective = Vec::new();
        for _ in 0..n {
            let log_lr = -4.0 + 3.0 * uniform(&mut state);
            let d = uniform(&mut state);
            let o = (uniform(&mut state) * 3.0) as usize;
            // Best near lr = 1e-2.5; dropout and optimizer only add noise.
            objective.push((log_lr + 2.5).powi(2) + 0.05 * d + 0.01 * o as f64);
            lr.push(Some(log_lr));
            dropout.push(Some(d));
            optimizer.push(Some(o));
        }
        let columns = [
            Column::Numeric(lr),
            Column::Numeric(dropout),
            Column::Categorical {
                codes: optimizer,
                count: 3,
            },
        ];
        let scores = ped_anova(&columns, &objective).unwrap();
        assert!(
            (scores.iter().sum::<f64>() - 1.0).abs() < 1e-9,
            "{scores:?}"
        );
        assert!(scores[0] > 0.8, "lr should dominate: {scores:?}");
        assert!(scores[1] < 0.15 && scores[2] < 0.15, "{scores:?}");
    }

    #[test]
    fn a_parameter_of_many_values_that_does_nothing_scores_about_nothing() {
        let mut state = 7;
        let n = 1000;
        let (mut lr, mut hidden, mut momentum, mut objective) = (vec![], vec![], vec![], vec![]);
        for _ in 0..n {
            let log_lr = -4.0 + 3.0 * uniform(&mut state);
            let h = (uniform(&mut state) * 4.0) as usize;
            let m = (uniform(&mut state) * 40.0) as usize;
            // lr matters most, hidden a little; the 40 values of momentum not at all.
            objective.push((log_lr + 2.5).powi(2) + 0.3 * h as f64 + 0.5 * uniform(&mut state));
            lr.push(Some(log_lr));
            hidden.push(Some(h));
            momentum.push(Some(m));
        }
        let columns = [
            Column::Numeric(lr),
            Column::Categorical {
                codes: hidden,
                count: 4,
            },
            Column::Categorical {
                codes: momentum,
                count: 40,
            },
        ];
        let scores = ped_anova(&columns, &objective).unwrap();
        assert!(
            scores[1] > scores[2] * 3.0,
            "hidden above the noise: {scores:?}"
        );
        assert!(scores[2] < 0.05, "momentum does nothing: {scores:?}");
    }

    #[test]
    fn with_few_trials_a_real_parameter_is_binned_by_width_not_one_bin_per_trial() {
        // 10 trials: lr drives the objective, the category does not (its values in the top
        // two differ). One bin per trial's lr would score it 0 whatever the data.
        let lr: Vec<Option<f64>> = (0..10).map(|i| Some(-4.0 + 0.3 * f64::from(i))).collect();
        let batch: Vec<Option<usize>> = (0..10).map(|i| Some(i % 4)).collect();
        let objective: Vec<f64> = (0..10).map(|i| -f64::from(i)).collect();
        let columns = [
            Column::Numeric(lr),
            Column::Categorical {
                codes: batch,
                count: 4,
            },
        ];
        let scores = ped_anova(&columns, &objective).unwrap();
        assert!(scores[0] > scores[1], "{scores:?}");
    }

    #[test]
    fn issue_trials_tied_at_the_cut_count_alike_whatever_their_order() {
        // 20 trials, so the top set is `MIN_TOP`, 5; but 6 tie for the best value. Four of
        // them share an lr bin and a depth, the other two do not: which five were top depended
        // on their order.
        let n = 20u32;
        let objective: Vec<f64> = (0..n)
            .map(|i| if i < 6 { 0.0 } else { f64::from(i) })
            .collect();
        let lr: Vec<Option<f64>> = (0..n)
            .map(|i| {
                Some(match i {
                    0..=3 => -2.0,
                    4 => -4.0,
                    5 => -1.0,
                    _ => -4.0 + 3.0 * f64::from(i % 7) / 6.0,
                })
            })
            .collect();
        let depth: Vec<Option<usize>> = (0..n)
            .map(|i| Some(usize::from(i >= 4 && i % 2 == 1)))
            .collect();
        let columns = |order: &[usize]| {
            [
                Column::Numeric(order.iter().map(|&i| lr[i]).collect()),
                Column::Categorical {
                    codes: order.iter().map(|&i| depth[i]).collect(),
                    count: 2,
                },
            ]
        };
        let forward: Vec<usize> = (0..20).collect();
        let backward: Vec<usize> = (0..20).rev().collect();
        let values =
            |order: &[usize]| -> Vec<f64> { order.iter().map(|&i| objective[i]).collect() };
        let a = ped_anova(&columns(&forward), &values(&forward)).unwrap();
        let b = ped_anova(&columns(&backward), &values(&backward)).unwrap();
        assert!(
            a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12),
            "{a:?} against {b:?}"
        );
    }

    #[test]
    fn issue_ux_2_ten_trials_compare_a_top_set_of_five_not_one_or_two() {
        // pareto-mo's 10 trials, by param_count (which depends on hidden and depth alone):
        // (batch_size, depth, hidden, lr, param_count). The sampler paired the two smallest
        // models with large learning rates; a top set of those two gave lr 62%.
        let trials: [(f64, f64, f64, f64, f64); 10] = [
            (128.0, 1.0, 22.0, 0.023_75, 1660.0),
            (32.0, 1.0, 17.0, 0.028_69, 1285.0),
            (128.0, 1.0, 16.0, 0.014_72, 1210.0),
            (32.0, 1.0, 6.0, 0.009_000, 460.0),
            (32.0, 2.0, 156.0, 0.000_769_1, 36202.0),
            (64.0, 1.0, 23.0, 0.015_83, 1735.0),
            (64.0, 1.0, 18.0, 0.001_515, 1360.0),
            (128.0, 2.0, 40.0, 0.016_18, 4650.0),
            (64.0, 3.0, 82.0, 0.001_877, 19772.0),
            (64.0, 1.0, 121.0, 0.001_525, 9085.0),
        ];
        let column = |f: fn(&(f64, f64, f64, f64, f64)) -> f64| {
            Column::Numeric(trials.iter().map(|t| Some(f(t))).collect())
        };
        let columns = [
            column(|t| t.0),
            column(|t| t.1),
            column(|t| t.2.log10()),
            column(|t| t.3.log10()),
        ];
        let objective: Vec<f64> = trials.iter().map(|t| t.4).collect();
        let (shares, top) = ped_anova_top(&columns, &objective).unwrap();
        assert_eq!(top, TopSet { top: 5, of: 10 });
        assert!(
            shares[1] + shares[2] > shares[3],
            "depth and hidden over lr: {shares:?}"
        );
        assert!(shares[2] > shares[3], "hidden over lr: {shares:?}");
        // From 50 trials on, the top set is the top 10%.
        let many: Vec<f64> = (0..60).map(f64::from).collect();
        let lr = [Column::Numeric(
            (0..60).map(|i| Some(f64::from(i % 7))).collect(),
        )];
        let (_, top) = ped_anova_top(&lr, &many).unwrap();
        assert_eq!(top, TopSet { top: 6, of: 60 });
    }

    #[test]
    fn too_few_trials_or_no_signal() {
        let few = [Column::Numeric(vec![Some(1.0); 5])];
        assert_eq!(ped_anova(&few, &[1.0; 5]), None);
        // A constant parameter carries no information.
        let constant = [Column::Numeric(vec![Some(3.0); 20])];
        let objective: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(ped_anova(&constant, &objective), Some(vec![0.0]));
        // NaN objectives and missing values are skipped, not counted.
        let mut objective = objective;
        objective[3] = f64::NAN;
        let gappy = [Column::Numeric(
            (0..20)
                .map(|i| (i % 2 == 0).then_some(f64::from(i)))
                .collect(),
        )];
        assert!(ped_anova(&gappy, &objective).is_some());
    }
}
