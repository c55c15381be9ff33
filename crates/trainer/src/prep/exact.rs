//! Numeric features prepared from their values as written, where their single-precision reading
//! is not exact enough: the per-column rule that `TargetScale::fit_target` applies to a
//! regression target.
//!
//! Features were read in single precision before double precision, and every stored experiment
//! trained on what that made; so each column keeps it, bit for bit, where each row's prepared
//! value is within `SINGLE_ENOUGH` standard deviations of the exact one (the values filled in,
//! centred and scaled in double precision), which holds unless the column lies about 2^10
//! standard deviations or more from 0. Elsewhere (a Unix timestamp, `x + 1e6`, values about
//! 1e-50, which single precision reads as 0) the column is filled, centred and scaled in double
//! precision and rounded to single precision after, as scikit-learn's `StandardScaler` would,
//! and its `Exact` transform is kept in the checkpoint, so that `sweep predict` applies it too.
//! `normalize: none` scales nothing that could save such a column: `lossy_columns` says so.

use experiment::{MissingValues, Normalize};
use serde::{Deserialize, Serialize};

use super::{fill_value, Normalization, SINGLE_ENOUGH};
use crate::data::Matrix;

/// The preparation of a numeric feature column from its values as written:
/// `x' = (x - shift) / scale` in double precision, rounded to single precision, with missing
/// cells `fill`ed first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Exact {
    pub(crate) shift: f64,
    pub(crate) scale: f64,
    /// The value missing cells are filled with (`data.missing: mean | median`); absent
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fill: Option<f64>,
}

/// The numeric feature cells of some rows, read in double precision: `cols` per row, row-major,
/// NaN where missing; empty where the data has none (images).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cells<'a> {
    pub(crate) data: &'a [f64],
    pub(crate) cols: usize,
}

impl Cells<'_> {
    /// Returns row `r`'s cell of column `c`.
    fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    /// Returns the number of rows.
    fn rows(&self) -> usize {
        self.data.len().checked_div(self.cols).unwrap_or(0)
    }
}

/// Returns the rows `indices` of the cells `exact` (`cols` per row); empty where `exact` is.
pub(super) fn select(exact: &[f64], cols: usize, indices: &[usize]) -> Vec<f64> {
    if exact.is_empty() {
        return Vec::new();
    }
    indices
        .iter()
        .flat_map(|&i| exact[i * cols..(i + 1) * cols].iter().copied())
        .collect()
}

impl Exact {
    /// Returns the prepared value of a cell as written (NaN where missing).
    pub(crate) fn apply(&self, x: f64) -> f32 {
        let x = match self.fill {
            Some(fill) if x.is_nan() => fill,
            _ => x,
        };
        // Scaled by at least the column's spread, a value read as a finite f32 fits in f32.
        #[allow(clippy::cast_possible_truncation)]
        let scaled = ((x - self.shift) / self.scale) as f32;
        scaled
    }
}

impl Normalization {
    /// Chooses each numeric column's preparation: the single-precision one that `splits`'
    /// features hold (filled with `fill` and normalized so), kept where exact enough, else the
    /// column's `Exact` one, fitted on the first split (training) and written over them.
    ///
    /// `splits` pairs each split's prepared features with its numeric cells as written.
    pub(super) fn choose_precision(
        &mut self,
        rule: MissingValues,
        splits: [(&mut Matrix, Cells<'_>); 3],
    ) {
        let [train, ..] = &splits;
        let cells = train.1;
        if self.kind == Normalize::None || cells.data.is_empty() {
            return;
        }
        let mut exact = vec![None; self.shift.len()];
        for (c, slot) in exact.iter_mut().enumerate().take(cells.cols) {
            let Some(fitted) = fit_column(self.kind, rule, cells, c) else {
                continue;
            };
            let (column, std) = fitted;
            let single_enough = splits.iter().all(|(m, cells)| {
                (0..cells.rows()).all(|r| {
                    let x = cells.at(r, c);
                    let x = column.fill.filter(|_| x.is_nan()).unwrap_or(x);
                    let exact = (x - column.shift) / column.scale;
                    let error = (f64::from(m.row(r)[c]) - exact).abs() * column.scale / std;
                    error <= SINGLE_ENOUGH
                })
            });
            if !single_enough {
                *slot = Some(column);
            }
        }
        if exact.iter().all(Option::is_none) {
            return;
        }
        self.exact = exact;
        for (m, cells) in splits {
            self.apply_exact(m, cells);
        }
    }

    /// Writes the prepared value of each cell of an `Exact` column of `m` from `cells`, its
    /// numeric cells as written; the other columns are left as they are.
    pub(crate) fn apply_exact(&self, m: &mut Matrix, cells: Cells<'_>) {
        if self.exact.is_empty() || cells.data.is_empty() {
            return;
        }
        for r in 0..m.rows {
            for (c, column) in self.exact.iter().enumerate().take(cells.cols) {
                if let Some(column) = column {
                    m.data[r * m.cols + c] = column.apply(cells.at(r, c));
                }
            }
        }
    }
}

/// Fits column `c`'s exact preparation of `kind` on the training `cells`, with its standard
/// deviation; `None` for a constant column, which single precision prepares as well.
fn fit_column(
    kind: Normalize,
    rule: MissingValues,
    cells: Cells<'_>,
    c: usize,
) -> Option<(Exact, f64)> {
    let present: Vec<f64> = (0..cells.rows())
        .map(|r| cells.at(r, c))
        .filter(|x| !x.is_nan())
        .collect();
    let fill = match rule {
        MissingValues::Mean | MissingValues::Median => Some(fill_value(rule, present.clone())?),
        MissingValues::Error | MissingValues::Drop => None,
    };
    let values: Vec<f64> = (0..cells.rows())
        .map(|r| cells.at(r, c))
        .map(|x| fill.filter(|_| x.is_nan()).unwrap_or(x))
        .collect();
    let (mean, std) = mean_std(&values);
    if !(std.is_finite() && std > mean.abs() * 1e-12 && std >= f64::MIN_POSITIVE) {
        return None;
    }
    let (shift, scale) = match kind {
        Normalize::Standard => (mean, std),
        Normalize::MinMax => {
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (min, max - min)
        }
        Normalize::None => return None,
    };
    (scale.is_finite() && scale > 0.0).then_some((Exact { shift, scale, fill }, std))
}

/// Returns the mean and (population) standard deviation of `values`.
fn mean_std(values: &[f64]) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Says, for each numeric column that single precision reads with a loss and `normalize: none`
/// leaves so, what it loses: values that turn to 0 or lose their leading digits (those below a
/// 2^-24 of their size are gone; where they are the spread, an offset leaves few distinct
/// values). `features` and `cells` are every row's, single and double precision.
pub(crate) fn lossy_columns(
    kind: Normalize,
    features: &Matrix,
    cells: Cells<'_>,
    names: &[String],
) -> Vec<String> {
    if kind != Normalize::None || cells.data.is_empty() {
        return Vec::new();
    }
    let mut notes = Vec::new();
    for (c, name) in names.iter().enumerate().take(cells.cols) {
        let rows = 0..cells.rows();
        let present: Vec<(f32, f64)> = rows
            .map(|r| (features.row(r)[c], cells.at(r, c)))
            .filter(|(_, x)| !x.is_nan())
            .collect();
        let underflow = present
            .iter()
            .find(|(single, x)| *x != 0.0 && !single.is_normal());
        if let Some((single, x)) = underflow {
            notes.push(format!(
                "column `{name}`: single precision reads {x:e} as {single:e} (its smallest \
                 normal size is about 1.2e-38), and `normalize: none` leaves it so; use \
                 `normalize: standard` (or `minmax`), which scales it from its values as \
                 written, or rescale the column"
            ));
            continue;
        }
        let exact: Vec<f64> = present.iter().map(|(_, x)| *x).collect();
        let (mean, std) = mean_std(&exact);
        if !(std.is_finite() && std > mean.abs() * 1e-12 && std >= f64::MIN_POSITIVE) {
            continue;
        }
        let worst = present
            .iter()
            .map(|(single, x)| (f64::from(*single) - x).abs())
            .fold(0.0f64, f64::max);
        if worst > SINGLE_ENOUGH * std {
            notes.push(format!(
                "column `{name}`: single precision rounds its values by up to {worst:.3e}, \
                 {:.3} of their standard deviation {std:.3e} (they lie about {mean:.6e} from \
                 0), and `normalize: none` leaves them so; use `normalize: standard` (or \
                 `minmax`), which centres and scales it from its values as written, or \
                 subtract the offset from the column",
                worst / std
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use experiment::{MissingValues, Normalize, Seed};

    use crate::prep::{prepare_dataset, Prepared};

    /// Returns the shipped Friedman #1 data with its first feature `x0` rewritten by `x0`, and
    /// its first row's `x0` left empty where `blank`, as text.
    fn friedman_with_x0(x0: impl Fn(f64) -> String, blank: bool) -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../experiments/data/friedman1.csv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for (i, line) in lines.enumerate() {
            let (x, rest) = line.split_once(',').unwrap();
            let x = if blank && i == 0 {
                String::new()
            } else {
                x0(x.parse().unwrap())
            };
            out += &format!("{x},{rest}\n");
        }
        out
    }

    /// Prepares CSV text with `normalize` and `missing`, seed 7.
    fn prepare_text(text: &str, normalize: Normalize, missing: MissingValues) -> Prepared {
        let mut spec = crate::data::tests::spec("friedman.csv", "y");
        spec.normalize = normalize;
        spec.missing = missing;
        let dataset = crate::data::parse(text.as_bytes(), &spec).unwrap();
        prepare_dataset(dataset, &spec, Seed(7)).unwrap()
    }

    /// Returns the first feature of every split's rows, prepared.
    fn x0(p: &Prepared) -> Vec<f32> {
        [&p.train, &p.validation, &p.test]
            .iter()
            .flat_map(|s| (0..s.len()).map(|r| s.features.row(r)[0]))
            .collect()
    }

    #[test]
    fn issue_a_timestamp_column_prepares_as_the_column_without_its_offset() {
        // 1.7e9 + 1000 x0, a Unix timestamp over a quarter of an hour: single precision reads
        // it in steps of 128, three values for x0 in steps of a tenth (val_rmse 1.03 for 0.11).
        for normalize in [Normalize::Standard, Normalize::MinMax] {
            for (missing, blank) in [(MissingValues::Error, false), (MissingValues::Mean, true)] {
                let plain = prepare_text(
                    &friedman_with_x0(|x| format!("{:.4}", 1000.0 * x), blank),
                    normalize,
                    missing,
                );
                let stamped = prepare_text(
                    &friedman_with_x0(|x| format!("{:.4}", 1.7e9 + 1000.0 * x), blank),
                    normalize,
                    missing,
                );
                let (a, b) = (x0(&plain), x0(&stamped));
                assert_eq!(a.len(), b.len());
                for (x, y) in a.iter().zip(&b) {
                    // Up to single precision's rounding of values within a few units, and of
                    // the decimals written (1e-4 of a spread of 289).
                    assert!((x - y).abs() <= 2e-6, "{normalize:?} {missing:?}: {x} {y}");
                }
                assert!(plain.normalization.exact.is_empty(), "{normalize:?}");
                assert!(stamped.normalization.exact[0].is_some(), "{normalize:?}");
                // The other columns keep their single-precision preparation, bit for bit.
                assert_eq!(stamped.normalization.exact[1..], [None; 9]);
                assert!(stamped.lossy.is_empty(), "{:?}", stamped.lossy);
            }
        }
    }

    #[test]
    fn issue_a_column_of_values_about_1e_50_is_scaled_not_read_as_zero() {
        // Single precision reads 1e-50 as 0: the column was all zeros, and R² about 0.
        let plain = prepare_text(
            &friedman_with_x0(|x| format!("{x}"), false),
            Normalize::Standard,
            MissingValues::Error,
        );
        let tiny = prepare_text(
            &friedman_with_x0(|x| format!("{x}e-50"), false),
            Normalize::Standard,
            MissingValues::Error,
        );
        let (a, b) = (x0(&plain), x0(&tiny));
        assert!(b.iter().any(|x| *x != 0.0));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= 1e-5, "{x} {y}");
        }
    }

    #[test]
    fn issue_a_column_single_precision_loses_under_normalize_none_is_named() {
        let notes = |x0: fn(f64) -> String| {
            let text = friedman_with_x0(x0, false);
            prepare_text(&text, Normalize::None, MissingValues::Error).lossy
        };
        assert_eq!(notes(|x| format!("{x}")), Vec::<String>::new());
        let stamped = notes(|x| format!("{:.4}", 1.7e9 + 1000.0 * x));
        assert_eq!(stamped.len(), 1, "{stamped:?}");
        assert!(
            stamped[0].starts_with("column `x0`: single precision rounds its values by up to"),
            "{stamped:?}"
        );
        assert!(stamped[0].contains("`normalize: none`"), "{stamped:?}");
        let tiny = notes(|x| format!("{x}e-50"));
        assert_eq!(tiny.len(), 1, "{tiny:?}");
        assert!(
            tiny[0].contains("column `x0`: single precision reads") && tiny[0].contains("as 0e0"),
            "{tiny:?}"
        );
    }
}
