//! Data preparation shared by every trial: the seeded train/validation/test split, the filling
//! of missing feature cells (`data.missing: mean | median`), the one-hot encoding of categorical
//! columns (`data.categorical`, by `encode`) and the feature scaling, all fitted on the training
//! split.
//!
//! The split is drawn from the *experiment's* seed, not the trial's, so that all trials of an
//! experiment are compared on the same rows. Fill values, categories and scaling are fitted on
//! the training rows only, so nothing about the validation or test rows leaks into training. The
//! category indicators are not scaled: they stay 0 and 1.

use experiment::{DataSpec, ImageShape, MissingValues, Normalize, Seed, SplitSpec, Task};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::data::{self, Dataset, Matrix};
use crate::encode::{self, Categories};
use crate::{Error, Result};

/// The rows of one split: features, and class numbers or (scaled) target values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Split {
    pub(crate) features: Matrix,
    /// Class numbers; empty for regression.
    pub(crate) labels: Vec<usize>,
    /// Target values scaled by `TargetScale`; empty for classification.
    pub(crate) values: Vec<f32>,
}

/// The standardization of a regression target: `y' = (y - mean) / std`, fitted on training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TargetScale {
    pub(crate) mean: f64,
    pub(crate) std: f64,
}

/// Row numbers (into the loaded file) of each split, each in increasing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitRows {
    pub(crate) train: Vec<usize>,
    pub(crate) validation: Vec<usize>,
    pub(crate) test: Vec<usize>,
}

/// Per-feature scaling fitted on the training split: `x' = (x - shift) / scale`.
///
/// Kept as data so that a trained model can be applied to new rows the same way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Normalization {
    pub(crate) kind: Normalize,
    pub(crate) shift: Vec<f32>,
    pub(crate) scale: Vec<f32>,
}

/// The data every trial trains on: the three splits, normalized, and the names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    pub(crate) train: Split,
    pub(crate) validation: Split,
    pub(crate) test: Split,
    pub(crate) normalization: Normalization,
    pub(crate) feature_names: Vec<String>,
    /// Class names; empty for regression.
    pub(crate) class_names: Vec<String>,
    pub(crate) task: Task,
    /// The regression target's scaling; `None` for classification.
    pub(crate) target_scale: Option<TargetScale>,
    pub(crate) image: Option<ImageShape>,
    /// Rows of the file left out for a missing value.
    pub(crate) dropped_rows: usize,
    /// The value each feature's missing cells were filled with, fitted on the training split;
    /// `None` unless `data.missing` is `mean` or `median`.
    pub(crate) fill: Option<Vec<f32>>,
    /// Missing feature cells filled in, over all splits.
    pub(crate) filled_cells: usize,
    /// The categories of each `data.categorical` column, fitted on the training split; their
    /// 0/1 indicator features follow the numeric ones, in this order.
    pub(crate) categories: Vec<Categories>,
    /// Missing cells of categorical columns, over all splits (encoded as no category).
    pub(crate) missing_categories: usize,
    /// The separator the CSV file was read with when not a comma.
    pub(crate) separator: Option<char>,
    /// The columns left out of the features (`data.exclude`).
    pub(crate) excluded: Vec<String>,
}

/// Loads, splits and normalizes the data of an experiment seeded with `seed`.
pub(crate) fn prepare(spec: &DataSpec, seed: Seed) -> Result<Prepared> {
    let dataset = data::load(spec)?;
    prepare_dataset(dataset, spec, seed)
}

/// Splits and normalizes an already loaded dataset.
pub(crate) fn prepare_dataset(dataset: Dataset, spec: &DataSpec, seed: Seed) -> Result<Prepared> {
    let n = dataset.features.rows;
    let rows = match dataset.task {
        Task::Classification => split_rows(
            &dataset.labels,
            dataset.class_names.len(),
            &spec.split,
            seed,
        ),
        // A regression target has no classes to keep in proportion.
        Task::Regression => split_rows(
            &vec![0; n],
            1,
            &SplitSpec {
                stratify: false,
                ..spec.split
            },
            seed,
        ),
    };
    // A stratified split takes each class's share of its rows: classes of a row or two give
    // none, however large the shares.
    let classes = dataset.class_names.len();
    let small = match dataset.task {
        Task::Classification if spec.split.stratify && classes * 2 >= n => format!(
            "; a stratified split takes each class's share, and its {classes} classes have \
             about {:.1} rows each (a numeric target read as classes? set data.task: regression)",
            n as f64 / classes.max(1) as f64
        ),
        _ => String::new(),
    };
    // Located in the spec at the data it names (`data.split` may be left to its default).
    let unusable = |what: &str| Error::UnsuitedSpec {
        location: spec.csv.location.clone(),
        message: format!(
            "data.split: the {n} rows of {} leave the {what} split empty (validation {}, test \
             {}){small}",
            spec.csv.value.display(),
            experiment::number_text(spec.split.validation),
            experiment::number_text(spec.split.test)
        ),
    };
    if rows.train.is_empty() {
        return Err(unusable("training"));
    }
    if rows.validation.is_empty() {
        return Err(unusable("validation"));
    }
    let target_scale = (dataset.task == Task::Regression)
        .then(|| TargetScale::fit(rows.train.iter().map(|&i| dataset.values[i])));
    let take = |indices: &[usize]| Split {
        features: dataset.features.select(indices),
        labels: indices
            .iter()
            .filter_map(|&i| dataset.labels.get(i).copied())
            .collect(),
        values: match target_scale {
            Some(scale) => indices
                .iter()
                .map(|&i| scale.apply(dataset.values[i]))
                .collect(),
            None => Vec::new(),
        },
    };
    let mut train = take(&rows.train);
    let mut validation = take(&rows.validation);
    let mut test = take(&rows.test);
    let fill = match spec.missing {
        MissingValues::Mean | MissingValues::Median => Some(
            fit_fill(spec.missing, &train.features).map_err(|column| Error::Unusable {
                path: spec.csv.value.clone(),
                message: format!(
                    "column `{}` has no value in the training split to fill its missing cells \
                     with (data.missing: {})",
                    dataset.feature_names[column],
                    spec.missing.as_str()
                ),
            })?,
        ),
        MissingValues::Error | MissingValues::Drop => None,
    };
    if let Some(fill) = &fill {
        for split in [&mut train, &mut validation, &mut test] {
            apply_fill(fill, &mut split.features);
        }
    }
    let numeric = train.features.cols;
    let categories = encode::fit(&dataset.categorical, &rows.train, &spec.csv.value)?;
    if !categories.is_empty() {
        for (split, indices) in [
            (&mut train, &rows.train),
            (&mut validation, &rows.validation),
            (&mut test, &rows.test),
        ] {
            split.features =
                encode::one_hot(&split.features, &dataset.categorical, &categories, indices);
        }
    }
    let mut feature_names = dataset.feature_names;
    feature_names.extend(categories.iter().flat_map(Categories::feature_names));
    // An indicator is never missing; its fill value only keeps `fill` one value per feature.
    let fill = fill.map(|mut fill| {
        fill.resize(feature_names.len(), 0.0);
        fill
    });
    let mut normalization =
        Normalization::fit(spec.normalize, &train.features).map_err(|wide| Error::Unusable {
            path: spec.csv.value.clone(),
            message: format!(
                "column `{}` spans {} to {} in the training split, a range past the largest \
                 number training computes with (about 3.4e38), so `normalize: minmax` cannot \
                 scale it; rescale the column, or use `normalize: standard`",
                feature_names[wide.column], wide.min, wide.max
            ),
        })?;
    normalization.leave_from(numeric);
    for split in [&mut train, &mut validation, &mut test] {
        normalization.apply(&mut split.features);
    }
    Ok(Prepared {
        train,
        validation,
        test,
        normalization,
        feature_names,
        class_names: dataset.class_names,
        task: dataset.task,
        target_scale,
        image: dataset.image,
        dropped_rows: dataset.dropped_rows,
        fill,
        filled_cells: dataset.missing_cells,
        categories,
        missing_categories: dataset.missing_categories,
        separator: dataset.separator,
        excluded: spec.exclude.iter().map(|c| c.value.clone()).collect(),
    })
}

/// Fits the value that fills each column's missing (NaN) cells: the mean or median of the
/// column's present values in `train`. Fails with the first column that has none.
fn fit_fill(rule: MissingValues, train: &Matrix) -> std::result::Result<Vec<f32>, usize> {
    (0..train.cols)
        .map(|c| {
            let mut present: Vec<f64> = (0..train.rows)
                .map(|r| f64::from(train.row(r)[c]))
                .filter(|x| !x.is_nan())
                .collect();
            if present.is_empty() {
                return Err(c);
            }
            let n = present.len();
            let value = if rule == MissingValues::Median {
                present.sort_by(f64::total_cmp);
                if n % 2 == 1 {
                    present[n / 2]
                } else {
                    (present[n / 2 - 1] + present[n / 2]) / 2.0
                }
            } else {
                #[allow(clippy::cast_precision_loss)]
                let mean = present.iter().sum::<f64>() / n as f64;
                mean
            };
            // The statistics of f32 features fit in f32.
            #[allow(clippy::cast_possible_truncation)]
            Ok(value as f32)
        })
        .collect()
}

/// Replaces the missing (NaN) cells of `m` with their column's `fill` value.
fn apply_fill(fill: &[f32], m: &mut Matrix) {
    for row in m.data.chunks_exact_mut(m.cols) {
        for (x, value) in row.iter_mut().zip(fill) {
            if x.is_nan() {
                *x = *value;
            }
        }
    }
}

impl Split {
    /// Returns the number of rows.
    pub(crate) fn len(&self) -> usize {
        self.features.rows
    }
}

impl TargetScale {
    /// Fits the mean and standard deviation of `values`; a constant target gets scale 1.
    pub(crate) fn fit(values: impl Iterator<Item = f32> + Clone) -> TargetScale {
        let (mut n, mut sum) = (0.0f64, 0.0f64);
        for v in values.clone() {
            n += 1.0;
            sum += f64::from(v);
        }
        let mean = sum / n.max(1.0);
        let var = values.map(|v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n.max(1.0);
        TargetScale {
            mean,
            std: nonzero(var.sqrt(), mean.abs()),
        }
    }

    /// Returns the scaled value of `y`.
    pub(crate) fn apply(&self, y: f32) -> f32 {
        // Targets are read as f32, so their scaled values fit in f32.
        #[allow(clippy::cast_possible_truncation)]
        let scaled = ((f64::from(y) - self.mean) / self.std) as f32;
        scaled
    }

    /// Returns a scaled value in the target's own units.
    pub(crate) fn invert(&self, scaled: f32) -> f64 {
        f64::from(scaled) * self.std + self.mean
    }
}

/// Draws the split: a seeded shuffle, then the test rows, the validation rows, and the rest.
///
/// With `stratify`, each class is split on its own with the fractions rounded per class, so
/// every split keeps the class proportions; otherwise all rows are split together.
pub(crate) fn split_rows(
    labels: &[usize],
    n_classes: usize,
    spec: &SplitSpec,
    seed: Seed,
) -> SplitRows {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.0);
    let groups: Vec<Vec<usize>> = if spec.stratify {
        let mut groups = vec![Vec::new(); n_classes];
        for (row, &label) in labels.iter().enumerate() {
            groups[label].push(row);
        }
        groups
    } else {
        vec![(0..labels.len()).collect()]
    };
    let mut rows = SplitRows {
        train: Vec::new(),
        validation: Vec::new(),
        test: Vec::new(),
    };
    for mut group in groups {
        group.shuffle(&mut rng);
        // A class of a few rows keeps one for training: the model could never predict a
        // class it never saw, and would be scored on it.
        let spare = if spec.stratify {
            group.len().saturating_sub(1)
        } else {
            group.len()
        };
        let n_test = share(group.len(), spec.test).min(spare);
        let n_validation = share(group.len(), spec.validation).min(spare - n_test);
        rows.test.extend_from_slice(&group[..n_test]);
        rows.validation
            .extend_from_slice(&group[n_test..n_test + n_validation]);
        rows.train
            .extend_from_slice(&group[n_test + n_validation..]);
    }
    rows.train.sort_unstable();
    rows.validation.sort_unstable();
    rows.test.sort_unstable();
    rows
}

/// Returns `round(n * fraction)`, at most `n`.
fn share(n: usize, fraction: f64) -> usize {
    // Row counts are far below 2^52, so the conversions are exact.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let k = (n as f64 * fraction.clamp(0.0, 1.0)).round() as usize;
    k.min(n)
}

impl Normalization {
    /// Leaves the features from `first` on as they are (the 0/1 category indicators).
    fn leave_from(&mut self, first: usize) {
        for (shift, scale) in self.shift.iter_mut().zip(&mut self.scale).skip(first) {
            *shift = 0.0;
            *scale = 1.0;
        }
    }

    /// Fits the scaling of `kind` on the rows of `train`.
    ///
    /// A constant feature gets scale 1, so it maps to 0 (standard) or stays finite (min-max).
    /// Fails with a column whose range (min-max) is past the largest `f32`.
    pub(crate) fn fit(
        kind: Normalize,
        train: &Matrix,
    ) -> std::result::Result<Normalization, TooWide> {
        let cols = train.cols;
        let (shift, scale) = match kind {
            Normalize::None => (vec![0.0; cols], vec![1.0; cols]),
            Normalize::Standard => {
                let mut sum = vec![0.0f64; cols];
                let mut sum_sq = vec![0.0f64; cols];
                for r in 0..train.rows {
                    for (c, &x) in train.row(r).iter().enumerate() {
                        sum[c] += f64::from(x);
                    }
                }
                #[allow(clippy::cast_precision_loss)]
                let n = train.rows.max(1) as f64;
                let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
                for r in 0..train.rows {
                    for (c, &x) in train.row(r).iter().enumerate() {
                        let d = f64::from(x) - mean[c];
                        sum_sq[c] += d * d;
                    }
                }
                let std = sum_sq
                    .iter()
                    .zip(&mean)
                    .map(|(s, m)| nonzero((s / n).sqrt(), m.abs()));
                (to_f32(mean.iter().copied()), to_f32(std))
            }
            Normalize::MinMax => {
                let mut min = vec![f32::INFINITY; cols];
                let mut max = vec![f32::NEG_INFINITY; cols];
                for r in 0..train.rows {
                    for (c, &x) in train.row(r).iter().enumerate() {
                        min[c] = min[c].min(x);
                        max[c] = max[c].max(x);
                    }
                }
                let range: Vec<f64> = min
                    .iter()
                    .zip(&max)
                    .map(|(&lo, &hi)| {
                        let (lo, hi) = (f64::from(lo), f64::from(hi));
                        nonzero(hi - lo, lo.abs().max(hi.abs()))
                    })
                    .collect();
                // A range past f32's largest number would scale every value to 0.
                if let Some(column) = range.iter().position(|r| *r > f64::from(f32::MAX)) {
                    return Err(TooWide {
                        column,
                        min: min[column],
                        max: max[column],
                    });
                }
                (min, to_f32(range.into_iter()))
            }
        };
        Ok(Normalization { kind, shift, scale })
    }

    /// Scales the rows of `m` in place.
    pub(crate) fn apply(&self, m: &mut Matrix) {
        if self.kind == Normalize::None {
            return;
        }
        for row in m.data.chunks_exact_mut(m.cols) {
            for ((x, shift), scale) in row.iter_mut().zip(&self.shift).zip(&self.scale) {
                let scaled = (*x - shift) / scale;
                *x = if scaled.is_finite() || !x.is_finite() {
                    scaled
                } else {
                    // The difference of two large values of opposite sign passes f32's largest
                    // number; its scaled value does not. (Computed in f32 first, as always: a
                    // value that fits is the same to the bit as before.)
                    #[allow(clippy::cast_possible_truncation)]
                    let wide = ((f64::from(*x) - f64::from(*shift)) / f64::from(*scale)) as f32;
                    wide
                };
            }
        }
    }
}

/// A feature column whose range `normalize: minmax` cannot scale: wider than the largest `f32`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TooWide {
    /// The column, counted from 0.
    pub(crate) column: usize,
    /// Its smallest value in the training split.
    pub(crate) min: f32,
    /// Its largest.
    pub(crate) max: f32,
}

/// Returns `spread` (a standard deviation or a range of values whose largest size is
/// `magnitude`) to divide by, or 1 for a constant column: one whose spread is 0, or so small
/// against its values that it is the rounding of a sum (relative, so that a column of values
/// about 1e-13 is scaled as any other), or too small for an `f32`.
fn nonzero(spread: f64, magnitude: f64) -> f64 {
    if spread.is_finite() && spread > magnitude * 1e-12 && spread >= f64::from(f32::MIN_POSITIVE) {
        spread
    } else {
        1.0
    }
}

fn to_f32(values: impl Iterator<Item = f64>) -> Vec<f32> {
    // Features are read as f32, so their statistics fit in f32.
    #[allow(clippy::cast_possible_truncation)]
    values.map(|x| x as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(counts: &[usize]) -> Vec<usize> {
        let mut out = Vec::new();
        for (class, &n) in counts.iter().enumerate() {
            // Reversed, so that class 0 does not come first.
            out.extend(std::iter::repeat_n(class, n));
        }
        out.reverse();
        out
    }

    fn count(rows: &[usize], labels: &[usize], class: usize) -> usize {
        rows.iter().filter(|&&r| labels[r] == class).count()
    }

    #[test]
    fn split_is_stratified_disjoint_and_complete() {
        let y = labels(&[100, 50, 30]);
        let spec = SplitSpec {
            validation: 0.2,
            test: 0.1,
            stratify: true,
        };
        let rows = split_rows(&y, 3, &spec, Seed(1));
        for (class, n) in [(0, 100), (1, 50), (2, 30)] {
            assert_eq!(count(&rows.validation, &y, class), share(n, 0.2));
            assert_eq!(count(&rows.test, &y, class), share(n, 0.1));
        }
        let mut all: Vec<usize> = [&rows.train[..], &rows.validation, &rows.test].concat();
        all.sort_unstable();
        assert_eq!(all, (0..y.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_small_class_keeps_a_row_for_training() {
        // Two rows, a quarter each to validation and test: each share rounds to one row.
        let y = labels(&[40, 2, 1]);
        let spec = SplitSpec {
            validation: 0.25,
            test: 0.25,
            stratify: true,
        };
        let rows = split_rows(&y, 3, &spec, Seed(1));
        assert_eq!(count(&rows.train, &y, 1), 1);
        assert_eq!(count(&rows.test, &y, 1), 1);
        assert_eq!(count(&rows.validation, &y, 1), 0);
        assert_eq!(count(&rows.train, &y, 2), 1);
        // A class of many rows takes its shares as before.
        assert_eq!(count(&rows.test, &y, 0), 10);
        assert_eq!(count(&rows.validation, &y, 0), 10);
    }

    #[test]
    fn a_column_of_tiny_values_is_scaled_as_any_other() {
        let train = Matrix {
            rows: 4,
            cols: 3,
            data: vec![
                1e-13, 0.25, 1e-30, //
                2e-13, 0.25, 3e-30, //
                3e-13, 0.25, 5e-30, //
                4e-13, 0.25, 7e-30,
            ],
        };
        for kind in [Normalize::Standard, Normalize::MinMax] {
            let n = Normalization::fit(kind, &train).unwrap();
            let mut m = train.clone();
            n.apply(&mut m);
            for c in [0, 2] {
                let column: Vec<f32> = (0..4).map(|r| m.row(r)[c]).collect();
                let spread = column[3] - column[0];
                assert!(spread > 0.9 && spread < 4.0, "{kind:?} {c}: {column:?}");
            }
            // The constant column stays constant (its rounding is no spread).
            assert_eq!(n.scale[1], 1.0, "{kind:?}");
        }
        let scale = TargetScale::fit([1e-13f32, 2e-13, 3e-13].into_iter());
        assert!((scale.apply(3e-13) - scale.apply(1e-13) - 2.449).abs() < 1e-3);
        assert_eq!(TargetScale::fit([0.1f32; 5].into_iter()).std, 1.0);
    }

    #[test]
    fn a_range_past_f32_is_refused_and_large_values_stay_finite() {
        let wide = Matrix {
            rows: 2,
            cols: 2,
            data: vec![1.0, -2e38, 2.0, 2e38],
        };
        assert_eq!(
            Normalization::fit(Normalize::MinMax, &wide),
            Err(TooWide {
                column: 1,
                min: -2e38,
                max: 2e38
            })
        );
        // Standard scaling of the same values: the difference from the mean passes f32's
        // largest number on the way, the scaled value does not.
        let mut skewed = Matrix {
            rows: 3,
            cols: 1,
            data: vec![3e38, 3e38, -3e38],
        };
        let n = Normalization::fit(Normalize::Standard, &skewed).unwrap();
        n.apply(&mut skewed);
        assert!(
            skewed.data.iter().all(|x| x.is_finite()),
            "{:?}",
            skewed.data
        );
    }

    #[test]
    fn split_is_deterministic_for_a_seed() {
        let y = labels(&[40, 40]);
        let spec = SplitSpec {
            validation: 0.25,
            test: 0.25,
            stratify: true,
        };
        let a = split_rows(&y, 2, &spec, Seed(7));
        assert_eq!(a, split_rows(&y, 2, &spec, Seed(7)));
        assert_ne!(a, split_rows(&y, 2, &spec, Seed(8)));
        let plain = SplitSpec {
            stratify: false,
            ..spec
        };
        let b = split_rows(&y, 2, &plain, Seed(7));
        assert_eq!(b, split_rows(&y, 2, &plain, Seed(7)));
        assert_eq!(
            (b.train.len(), b.validation.len(), b.test.len()),
            (40, 20, 20)
        );
    }

    #[test]
    fn normalization_is_fitted_on_train_only() {
        let train = Matrix {
            rows: 3,
            cols: 2,
            data: vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0],
        };
        let standard = Normalization::fit(Normalize::Standard, &train).unwrap();
        assert_eq!(standard.shift, [2.0, 5.0]);
        assert_eq!(standard.scale[1], 1.0, "a constant feature keeps scale 1");
        let mut other = Matrix {
            rows: 1,
            cols: 2,
            data: vec![101.0, 6.0],
        };
        let minmax = Normalization::fit(Normalize::MinMax, &train).unwrap();
        minmax.apply(&mut other);
        assert_eq!(
            other.data,
            [50.0, 1.0],
            "other rows use the training statistics"
        );
    }

    #[test]
    fn prepared_splits_share_the_training_scaling() {
        let text = "a,y\n0,0\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n8,0\n9,1\n";
        let spec = crate::data::tests::spec("x.csv", "y");
        let dataset = crate::data::parse(text.as_bytes(), &spec).unwrap();
        let p = prepare_dataset(dataset, &spec, Seed(3)).unwrap();
        assert_eq!(p.train.len() + p.validation.len() + p.test.len(), 10);
        let train_mean: f32 = p.train.features.data.iter().sum::<f32>();
        assert!(train_mean.abs() < 1e-5, "train is centred: {train_mean}");
        let n = Normalization::fit(Normalize::Standard, &p.train.features).unwrap();
        assert!(n.shift[0].abs() < 1e-6 && (n.scale[0] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn classes_too_small_to_stratify_are_named_as_the_cause_of_an_empty_split() {
        // Twenty classes of one row each (a numeric target read as classes).
        let text: String = (0..20).map(|i| format!("{i},c{i}\n")).collect();
        let spec = crate::data::tests::spec("x.csv", "y");
        let dataset = crate::data::parse(format!("a,y\n{text}").as_bytes(), &spec).unwrap();
        let err = prepare_dataset(dataset, &spec, Seed(3))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("spec.yaml:4:8: data.split: the 20 rows of x.csv")
                && err.contains(
                    "leave the validation split empty (validation 0.2, test 0.2); a \
                 stratified split takes each class's share, and its 20 classes have about 1.0 \
                 rows each"
                ),
            "{err}"
        );
    }

    #[test]
    fn a_regression_target_is_standardized_on_training_rows() {
        let text: String = (0..20)
            .map(|i| format!("{i},{}.5\n", 100 + 2 * i))
            .collect();
        let spec = crate::data::tests::spec("x.csv", "y");
        let dataset = crate::data::parse(format!("a,y\n{text}").as_bytes(), &spec).unwrap();
        let p = prepare_dataset(dataset, &spec, Seed(3)).unwrap();
        assert_eq!(p.task, Task::Regression);
        assert_eq!(p.train.len() + p.validation.len() + p.test.len(), 20);
        assert!(p.train.labels.is_empty());
        let scale = p.target_scale.unwrap();
        let mean: f32 = p.train.values.iter().sum::<f32>() / p.train.len() as f32;
        assert!(mean.abs() < 1e-5, "{mean}");
        // The feature is a + 100 + 0.5 scaled; the target comes back in its own units.
        let back = scale.invert(p.validation.values[0]);
        assert!((back.fract() - 0.5).abs() < 1e-4, "{back}");
    }

    #[test]
    fn fill_values_are_the_training_columns_mean_or_median_of_present_cells() {
        let nan = f32::NAN;
        let train = Matrix {
            rows: 4,
            cols: 2,
            data: vec![1.0, nan, 2.0, 10.0, 9.0, 20.0, nan, 60.0],
        };
        assert_eq!(fit_fill(MissingValues::Mean, &train), Ok(vec![4.0, 30.0]));
        assert_eq!(fit_fill(MissingValues::Median, &train), Ok(vec![2.0, 20.0]));
        let mut other = Matrix {
            rows: 1,
            cols: 2,
            data: vec![nan, 7.0],
        };
        apply_fill(&[4.0, 30.0], &mut other);
        assert_eq!(other.data, [4.0, 7.0], "only missing cells change");
        let empty = Matrix {
            rows: 2,
            cols: 2,
            data: vec![1.0, nan, 2.0, nan],
        };
        assert_eq!(fit_fill(MissingValues::Median, &empty), Err(1));
    }

    #[test]
    fn missing_cells_are_filled_from_training_rows_before_scaling() {
        // Column `a` is missing in every odd row; column `b` is 100 in every even row, 0 in
        // every odd one, so the fill fitted on training rows can be told from one on all rows.
        let text: String = (0..20)
            .map(|i| {
                let a = if i % 2 == 1 {
                    "NA".to_string()
                } else {
                    i.to_string()
                };
                format!("{a},{},{}\n", if i % 2 == 0 { 100 } else { 0 }, i % 2)
            })
            .collect();
        let mut spec = crate::data::tests::spec("x.csv", "y");
        spec.normalize = Normalize::None;
        spec.missing = MissingValues::Mean;
        let dataset = crate::data::parse(format!("a,b,y\n{text}").as_bytes(), &spec).unwrap();
        assert_eq!(dataset.missing_cells, 10);
        let p = prepare_dataset(dataset, &spec, Seed(3)).unwrap();
        assert_eq!(p.filled_cells, 10);
        let fill = p.fill.clone().unwrap();
        let train_even: Vec<f32> = (0..p.train.len())
            .map(|r| p.train.features.row(r))
            .filter(|row| row[1] == 100.0)
            .map(|row| row[0])
            .collect();
        let mean = train_even.iter().sum::<f32>() / train_even.len() as f32;
        assert_eq!(
            fill[0], mean,
            "the mean of the training rows' present cells"
        );
        for split in [&p.train, &p.validation, &p.test] {
            for r in 0..split.len() {
                let row = split.features.row(r);
                assert!(!row[0].is_nan());
                if row[1] == 0.0 {
                    assert_eq!(row[0], fill[0], "an odd row gets the fill");
                }
            }
        }
    }

    #[test]
    fn categories_are_fitted_on_training_rows_and_encoded_as_unscaled_indicators() {
        // `colour` is `red` or `blue` in the first 40 rows and `green` in the last one alone,
        // which falls into the training split or not depending on the seed.
        let text: String = (0..41)
            .map(|i| {
                let colour = match i {
                    40 => "green",
                    _ if i % 2 == 0 => "red",
                    _ => "blue",
                };
                let missing = if i == 3 { "NA" } else { colour };
                format!("{},{missing},{}\n", i * 10, i % 2)
            })
            .collect();
        let mut spec = crate::data::tests::spec("x.csv", "y");
        spec.missing = MissingValues::Median;
        spec.split.stratify = false;
        spec.categorical = vec![experiment::Located {
            value: "colour".into(),
            location: spec.target.location.clone(),
        }];
        let text = format!("a,colour,y\n{text}");
        let mut seen = [false, false];
        for seed in 0..20 {
            let dataset = crate::data::parse(text.as_bytes(), &spec).unwrap();
            let p = prepare_dataset(dataset, &spec, Seed(seed)).unwrap();
            let rows = split_rows(&vec![0; 41], 1, &spec.split, Seed(seed));
            let green_in_training = rows.train.contains(&40);
            seen[usize::from(green_in_training)] = true;
            let want: Vec<&str> = if green_in_training {
                vec!["blue", "green", "red"]
            } else {
                vec!["blue", "red"]
            };
            assert_eq!(p.categories[0].values, want, "seed {seed}");
            let mut names = vec!["a".to_string()];
            names.extend(want.iter().map(|c| format!("colour={c}")));
            assert_eq!(p.feature_names, names);
            // Indicators are not scaled; the numeric column is.
            assert_eq!(&p.normalization.shift[1..], vec![0.0; want.len()]);
            assert_eq!(&p.normalization.scale[1..], vec![1.0; want.len()]);
            assert_ne!(p.normalization.shift[0], 0.0);
            assert_eq!(p.fill.as_ref().map(Vec::len), Some(names.len()));
            assert_eq!(p.missing_categories, 1);
            for (split, indices) in [
                (&p.train, &rows.train),
                (&p.validation, &rows.validation),
                (&p.test, &rows.test),
            ] {
                for (r, &row) in indices.iter().enumerate() {
                    let indicators = &split.features.row(r)[1..];
                    let set: Vec<&str> = indicators
                        .iter()
                        .zip(&want)
                        .filter(|(x, _)| **x == 1.0)
                        .map(|(_, c)| *c)
                        .collect();
                    let expected: Vec<&str> = match row {
                        3 => vec![],
                        40 if !green_in_training => vec![],
                        40 => vec!["green"],
                        _ if row % 2 == 0 => vec!["red"],
                        _ => vec!["blue"],
                    };
                    assert_eq!(set, expected, "seed {seed}, row {row}");
                    assert!(indicators.iter().all(|x| *x == 0.0 || *x == 1.0));
                }
            }
        }
        assert_eq!(seen, [true, true], "both cases were tried");
    }
}
