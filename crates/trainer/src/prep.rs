//! Data preparation shared by every trial: the seeded train/validation/test split, the filling
//! of missing feature cells (`data.missing: mean | median`), the one-hot encoding of categorical
//! columns (`data.categorical`, by `encode`) and the feature scaling, all fitted on the training
//! split.
//!
//! The split is drawn from the *experiment's* seed, not the trial's, so that all trials of an
//! experiment are compared on the same rows. Fill values, categories and scaling are fitted on
//! the training rows only, so nothing about the validation or test rows leaks into training. The
//! category indicators are not scaled: they stay 0 and 1.

mod exact;

use experiment::{DataSpec, ImageShape, MissingValues, Normalize, Seed, SplitSpec, Task};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::data::{self, Dataset, Matrix};
use crate::encode::{self, Categories};
use crate::{Error, Result};
pub(crate) use exact::{lossy_columns, Cells, Exact};

/// The rows of one split: features, and class numbers or (scaled) target values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Split {
    pub(crate) features: Matrix,
    /// Class numbers; empty for regression.
    pub(crate) labels: Vec<usize>,
    /// Target values scaled by `TargetScale`; empty for classification.
    pub(crate) values: Vec<f32>,
    /// The target values in the target's units, which the regression metrics score outputs
    /// against (see `TargetScale::fit_target`); empty for classification.
    pub(crate) targets: Vec<f64>,
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
    /// The numeric columns prepared from their values as written, in place of `shift` and
    /// `scale` (and the fill value), one entry per feature; empty where none is (`exact.rs`).
    pub(crate) exact: Vec<Option<Exact>>,
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
    /// What single precision loses of numeric columns that `normalize: none` leaves as read,
    /// one note per column (`exact::lossy_columns`).
    pub(crate) lossy: Vec<String>,
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
    let lossy = lossy_columns(
        spec.normalize,
        &dataset.features,
        Cells {
            data: &dataset.features_exact,
            cols: dataset.features.cols,
        },
        &dataset.feature_names,
    );
    let fitted = (dataset.task == Task::Regression)
        .then(|| TargetScale::fit_target(&rows.train, &dataset.values_f32, &dataset.values));
    let target_scale = fitted.map(|(scale, _)| scale);
    let take = |indices: &[usize]| {
        let (values, targets) = match fitted {
            Some((scale, Precision::Single)) => indices
                .iter()
                .map(|&i| {
                    let scaled = scale.apply(dataset.values_f32[i]);
                    (scaled, scale.invert(scaled))
                })
                .unzip(),
            Some((scale, Precision::Double)) => indices
                .iter()
                .map(|&i| (scale.apply_exact(dataset.values[i]), dataset.values[i]))
                .unzip(),
            None => (Vec::new(), Vec::new()),
        };
        Split {
            features: dataset.features.select(indices),
            labels: indices
                .iter()
                .filter_map(|&i| dataset.labels.get(i).copied())
                .collect(),
            values,
            targets,
        }
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
    let cells = |indices: &[usize]| exact::select(&dataset.features_exact, numeric, indices);
    let (train_cells, validation_cells, test_cells) = (
        cells(&rows.train),
        cells(&rows.validation),
        cells(&rows.test),
    );
    let at = |data| Cells {
        data,
        cols: numeric,
    };
    normalization.choose_precision(
        spec.missing,
        [
            (&mut train.features, at(&train_cells)),
            (&mut validation.features, at(&validation_cells)),
            (&mut test.features, at(&test_cells)),
        ],
    );
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
        lossy,
    })
}

/// Fits the value that fills each column's missing (NaN) cells: the mean or median of the
/// column's present values in `train`. Fails with the first column that has none.
fn fit_fill(rule: MissingValues, train: &Matrix) -> std::result::Result<Vec<f32>, usize> {
    (0..train.cols)
        .map(|c| {
            let present: Vec<f64> = (0..train.rows)
                .map(|r| f64::from(train.row(r)[c]))
                .filter(|x| !x.is_nan())
                .collect();
            let value = fill_value(rule, present).ok_or(c)?;
            // The statistics of f32 features fit in f32.
            #[allow(clippy::cast_possible_truncation)]
            Ok(value as f32)
        })
        .collect()
}

/// Returns the mean or median (`rule`) of a column's `present` values; `None` where there are
/// none.
fn fill_value(rule: MissingValues, mut present: Vec<f64>) -> Option<f64> {
    if present.is_empty() {
        return None;
    }
    let n = present.len();
    Some(if rule == MissingValues::Median {
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
    })
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

/// Which reading of a regression target's numbers it is scaled from: see
/// `TargetScale::fit_target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    /// Each value read in single precision, as before double precision: exact enough.
    Single,
    /// Each value as written, read in double precision and rounded to single precision only
    /// once scaled.
    Double,
}

/// The largest error, in standard deviations, that scaling a regression target from its values
/// read in single precision may make for it to be scaled so: 2^-14, a sixteen-thousandth of a
/// standard deviation. Single precision rounds a value `x` by up to `|x| 2^-24`, so this holds
/// unless the values lie about 2^10 standard deviations or more from 0 (a constant offset, as
/// `1e8 + y`, whose single-precision error is a whole standard deviation); the shipped
/// Friedman #1 target lies within 6, its error 2^-22.
const SINGLE_ENOUGH: f64 = 1.0 / 16384.0;

impl TargetScale {
    /// Fits the mean and standard deviation of `values`; a constant target gets scale 1.
    pub(crate) fn fit(values: impl Iterator<Item = f64> + Clone) -> TargetScale {
        let (mut n, mut sum) = (0.0f64, 0.0f64);
        for v in values.clone() {
            n += 1.0;
            sum += v;
        }
        let mean = sum / n.max(1.0);
        let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / n.max(1.0);
        TargetScale {
            mean,
            std: nonzero(var.sqrt(), mean.abs()),
        }
    }

    /// Fits the scale of a regression target on its `train` rows, and says which reading of
    /// its values it scales: `exact`, as written, or `single`, each read in single precision.
    ///
    /// Standardization in double precision is what scikit-learn's does, and does not change
    /// with a constant offset of the target; before it the target was read in single
    /// precision, where `1e8 + y` rounds to steps of 8. Stored experiments are reproduced bit
    /// for bit, so the single-precision reading is kept where it was exact enough: where each
    /// row's scaled value, computed so, is within `SINGLE_ENOUGH` standard deviations of its
    /// exact one. Otherwise the target is scaled from its values as written, and the metrics
    /// score against them; in single precision they are scored against the scaled values
    /// scaled back, as before.
    pub(crate) fn fit_target(
        train: &[usize],
        single: &[f32],
        exact: &[f64],
    ) -> (TargetScale, Precision) {
        let as_read = TargetScale::fit(train.iter().map(|&i| f64::from(single[i])));
        let as_written = TargetScale::fit(train.iter().map(|&i| exact[i]));
        let enough = single.iter().zip(exact).all(|(&y, &x)| {
            let error = (f64::from(y) - as_read.mean) / as_read.std
                - (x - as_written.mean) / as_written.std;
            error.abs() <= SINGLE_ENOUGH
        });
        if enough {
            (as_read, Precision::Single)
        } else {
            (as_written, Precision::Double)
        }
    }

    /// Returns the scaled value of `y`.
    pub(crate) fn apply(&self, y: f32) -> f32 {
        self.apply_exact(f64::from(y))
    }

    /// Returns the scaled value of `y` read in double precision, rounded to single precision.
    pub(crate) fn apply_exact(&self, y: f64) -> f32 {
        // A target is at most f32's largest number (`data::Targets` refuses others) and the
        // scale at least its spread, so the scaled value fits in f32.
        #[allow(clippy::cast_possible_truncation)]
        let scaled = ((y - self.mean) / self.std) as f32;
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
        Ok(Normalization {
            kind,
            shift,
            scale,
            exact: Vec::new(),
        })
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
mod tests;
