//! The regression gate: which metrics a spec guards, how a run is summarized, and the rule that
//! turns a baseline and a new run into verdicts.
//!
//! Everything here is arithmetic on values handed in: reading the baseline file, running the
//! experiment and printing the table belong to the binary. That keeps the rule, the part people
//! argue about, testable with plain numbers.
//!
//! The rule, for one metric, with `n_c` current values (one per repeat, from each repeat's best
//! trial) and the baseline's `n_b` values:
//!
//! - `worse` = how much the current mean is worse than the baseline mean, in the metric's
//!   direction (negative when it is better);
//! - `allowed` = the larger of `max_regression_abs` and `max_regression_rel * |baseline mean|`;
//! - `noise` = `noise_k * s_b * sqrt(1/n_b + 1/n_c)`, where `s_b` is the sample standard
//!   deviation of the baseline's values (0 for a single value): `noise_k` standard errors of the
//!   difference of the two means, if both sides scatter across seeds as the baseline did;
//! - the metric regresses when `worse - noise > allowed` (or the current run has no value), and
//!   counts as improved when `-worse - noise > allowed`. Without a current value (a repeat
//!   in which no trial completed) there is no comparison; the `noise` a row shows is then the
//!   one a comparison would have given back, `n_c` being the repeats run.
//!
//! So seed noise is given back to the change before it is blamed: a gate with repeats fails only
//! when the regression stands out from seed-to-seed variation by `noise_k` standard errors. The
//! spread is the baseline's, measured on the code everyone agreed was good; the current run's own
//! spread is deliberately not used, or a change that makes training erratic would buy itself
//! tolerance with the very scatter it causes. With one baseline value `noise` is 0 and the rule is
//! a plain threshold; on an unchanged tree on the same CPU `worse` is exactly 0, so the gate
//! passes whatever the thresholds.
//!
//! Rejected: pooling both sides' variances (a broken run with wild values then passes, as a
//! learning rate 1000 times too large showed); a t-test with a p-value (needs distribution
//! tables, and its "significant" is not a size anyone can set a budget in); comparing the worst
//! repeat (punishes taking more repeats).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::{Direction, Located, NoCommit, Seed, Timestamp};

/// The `gate:` block of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct GateSpec {
    /// The baseline file (JSON), resolved against the spec file's folder.
    pub baseline: Located<PathBuf>,
    /// How many times the experiment's configurations run; repeat `r` draws its trial seeds (and
    /// a drawing sampler's configurations) from `repeat_seed(seed, r)`, and keeps the data split
    /// of the spec's own seed.
    pub repeats: u32,
    /// Standard errors of noise given back before a regression counts.
    pub noise_k: f64,
    /// The guarded metrics, in the order written.
    pub metrics: Vec<GatedMetric>,
}

/// One guarded metric.
#[derive(Debug, Clone, PartialEq)]
pub struct GatedMetric {
    /// A name from `KNOWN_METRICS`, other than `epoch_seconds`.
    pub name: String,
    /// How the best trial's curve becomes one number.
    pub aggregate: Aggregate,
    /// The direction in which the metric improves: the objective's goal for the objective metric,
    /// else the metric's own.
    pub goal: Direction,
    /// The largest regression tolerated, in the metric's units.
    pub max_regression_abs: Option<f64>,
    /// The largest regression tolerated, as a fraction of the baseline's mean.
    pub max_regression_rel: Option<f64>,
}

/// How a metric's curve (one value per epoch) of the best trial becomes one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// The best value over the epochs, in the metric's direction.
    Best,
    /// The median over the epochs (the mean of the two middle values for an even count).
    Median,
    /// The value at the last epoch.
    Final,
}

/// A committed baseline: per metric, the values of a reference run, and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The experiment's name when the baseline was recorded.
    pub experiment: String,
    /// The spec's hash when the baseline was recorded.
    pub spec_hash: String,
    /// Per metric, its aggregate, direction and one value per repeat.
    pub metrics: BTreeMap<String, BaselineMetric>,
    /// Who recorded it, when and where.
    pub provenance: Provenance,
    /// How the runs it records ran, when it says (baselines written before it did do not).
    pub run: Option<RecordedRun>,
}

/// How the runs of a baseline ran: what the gate compares its own runs with, beyond the
/// metrics, to say why they may differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRun {
    /// The trials run side by side: with a sampler that learns, the configurations depend on it.
    pub parallel: u32,
    /// The SHA-256 of the data file(s), as the run record gives it.
    pub data_hash: String,
    /// The spec with its defaults filled in (`ExperimentSpec::resolved`), one setting a line.
    pub resolved_spec: String,
}

/// Returns the lines of a resolved spec that a gate compares with its baseline's: all but the
/// ones that name files (a data file, `ExperimentSpec::data_path_line`'s list, which a
/// comparison of meanings leaves out too; `gate.baseline`, a warm start's file or experiment),
/// whose paths differ between checkouts (the data is compared by its hash instead), and the
/// ones that change no value (`description`, how many checkpoints are kept).
pub fn gate_compared(resolved: &str) -> String {
    resolved
        .lines()
        .filter(|l| {
            !(crate::ExperimentSpec::data_path_line(l).is_some()
                || l.starts_with("gate.baseline: ")
                || l.starts_with("warm_start: ")
                || l.starts_with("description: ")
                || l.starts_with("checkpoints: "))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The recorded values of one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineMetric {
    /// The aggregate the values were taken with.
    pub aggregate: Aggregate,
    /// The direction the metric improves in.
    pub goal: Direction,
    /// One value per repeat; never empty in a valid baseline.
    pub values: Vec<f64>,
}

/// Where a baseline came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The git commit of the working tree, when run inside a git repository.
    pub commit: Option<String>,
    /// Why there is no `commit`, as git answered when the baseline was recorded (its file
    /// keeps the reason's words, `NoCommit::from_words`). `None` with a commit, and in a
    /// baseline recorded before the reason was kept.
    pub no_commit: Option<NoCommit>,
    /// Whether tracked files differed from the commit.
    pub dirty: Option<bool>,
    /// When it was recorded.
    pub date: Timestamp,
    /// The machine: CPU model, cores, OS and architecture.
    pub machine: String,
    /// The version of Sweep that recorded it.
    pub sweep_version: String,
}

/// The mean, spread and standard error of a metric's values over repeats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (divided by `n - 1`); 0 for a single value.
    pub std_dev: f64,
    /// The standard error of the mean, `std_dev / sqrt(n)`.
    pub std_error: f64,
    /// The number of values.
    pub n: usize,
}

/// What the gate concluded about one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the threshold.
    Pass,
    /// Better than the baseline by more than the threshold plus noise; the baseline may be
    /// updated.
    Improved,
    /// Worse than the baseline by more than the threshold plus noise, or no value at all.
    Regression,
}

/// One row of the gate's table.
#[derive(Debug, Clone, PartialEq)]
pub struct GateRow {
    /// The metric's name.
    pub metric: String,
    /// The aggregate used.
    pub aggregate: Aggregate,
    /// The direction the metric improves in.
    pub goal: Direction,
    /// The baseline's values.
    pub baseline: Estimate,
    /// The current run's values; `None` when some repeat had no completed trial.
    pub current: Option<Estimate>,
    /// `current.mean - baseline.mean`, signed as the metric's values are.
    pub delta: Option<f64>,
    /// The regression tolerated, in the metric's units.
    pub allowed: f64,
    /// The noise given back: `noise_k` standard errors of the difference of the means; without
    /// a current value, what a comparison of the repeats run would have given back.
    pub noise: f64,
    /// The conclusion.
    pub verdict: Verdict,
}

/// The gate's conclusion over every guarded metric.
#[derive(Debug, Clone, PartialEq)]
pub struct GateReport {
    /// One row per guarded metric, in the spec's order.
    pub rows: Vec<GateRow>,
}

/// Lists metric names for a message: "`a`, `b`", or "none".
fn listed(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    let quoted: Vec<String> = names.iter().map(|m| format!("`{m}`")).collect();
    quoted.join(", ")
}

/// Why a baseline cannot be compared with a spec's gate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineMismatch {
    /// The baseline does not record a guarded metric.
    #[error(
        "the baseline has no values for metric `{metric}`; it records {}",
        listed(recorded)
    )]
    MissingMetric {
        /// The guarded metric.
        metric: String,
        /// The metrics the baseline records.
        recorded: Vec<String>,
    },
    /// The baseline recorded the metric with another aggregate or direction.
    #[error("the baseline recorded `{metric}` as {recorded}, but the gate asks for {wanted}")]
    Differs {
        /// The guarded metric.
        metric: String,
        /// How the baseline recorded it, e.g. `best (maximize)`.
        recorded: String,
        /// How the spec guards it.
        wanted: String,
    },
    /// The baseline lists no value for a metric, or a value that is not finite.
    #[error(
        "the baseline's values for `{metric}` must be one or more finite numbers, whose mean \
         and spread are finite too"
    )]
    BadValues {
        /// The guarded metric.
        metric: String,
    },
    /// The baseline records another number of values than the gate runs repeats.
    #[error(
        "the baseline records {} of `{metric}`, one a repeat, and the gate runs {}",
        crate::counted(u64::try_from(*values).unwrap_or(u64::MAX), "value", "values"),
        crate::counted(*repeats, "repeat", "repeats")
    )]
    Repeats {
        /// The guarded metric.
        metric: String,
        /// The values the baseline records.
        values: usize,
        /// The repeats the gate runs.
        repeats: u32,
    },
    /// The baseline lists a value the metric cannot take, such as an accuracy above 1.
    #[error("the baseline's values for `{metric}` cannot all be right: {why}")]
    OutOfRange {
        /// The guarded metric.
        metric: String,
        /// What the metric's values can be, and the first value that is not
        /// (`crate::out_of_range`).
        why: String,
    },
}

/// Returns the experiment seed of repeat `repeat` of a gate.
///
/// Repeat 0 is the spec's own seed, so a gate with one repeat runs exactly the experiment the
/// file describes. Repeat `r > 0` is `step(step(seed) ^ (r * 0xD1B5_4A32_D192_ED03))`, where
/// `step(x) = mix(x + 0x9E37_79B9_7F4A_7C15)` is one output of SplitMix64 (its increment, then
/// its finalizer `mix`), every operation on 64 bits, wrapping; the odd constant differs from
/// `trial_seed`'s so that the two derivations do not line up. Like `trial_seed`, it is stable
/// across versions: a baseline's meaning depends on it.
///
/// ```
/// use experiment::{repeat_seed, Seed};
/// // SplitMix64's finalizer, and one output: its increment, then the finalizer.
/// let mix = |z: u64| {
///     let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
///     let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
///     z ^ (z >> 31)
/// };
/// let step = |x: u64| mix(x.wrapping_add(0x9E37_79B9_7F4A_7C15));
/// assert_eq!(repeat_seed(Seed(7), 0), Seed(7));
/// for (seed, r) in [(7_u64, 1_u32), (2024, 99), (u64::MAX, u32::MAX)] {
///     let salt = u64::from(r).wrapping_mul(0xD1B5_4A32_D192_ED03);
///     assert_eq!(repeat_seed(Seed(seed), r).0, step(step(seed) ^ salt));
/// }
/// ```
pub fn repeat_seed(seed: Seed, repeat: u32) -> Seed {
    if repeat == 0 {
        return seed;
    }
    let salt = u64::from(repeat).wrapping_mul(0xD1B5_4A32_D192_ED03);
    Seed(crate::ids::splitmix64(
        crate::ids::splitmix64(seed.0) ^ salt,
    ))
}

impl Aggregate {
    /// Every aggregate, in the order documented.
    pub const ALL: [Aggregate; 3] = [Aggregate::Best, Aggregate::Median, Aggregate::Final];

    /// Returns the name used in specs and baselines: `best`, `median` or `final`.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Best => "best",
            Aggregate::Median => "median",
            Aggregate::Final => "final",
        }
    }

    /// Returns the aggregate called `name`.
    pub(crate) fn from_name(name: &str) -> Option<Aggregate> {
        Aggregate::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Returns the aggregate of a curve given in step order, or `None` for an empty curve.
    ///
    /// `Best` skips NaN values (and is `None` when every value is NaN); `Median` orders values
    /// with `f64::total_cmp`, so NaN sorts last; `Final` is the last value, whatever it is.
    pub fn of(self, curve: &[f64], goal: Direction) -> Option<f64> {
        match self {
            Aggregate::Best => curve.iter().copied().fold(None, |best, x| match best {
                _ if x.is_nan() => best,
                Some(b) if !goal.improves(x, b, 0.0) => Some(b),
                _ => Some(x),
            }),
            Aggregate::Median => {
                let mut sorted = curve.to_vec();
                sorted.sort_by(f64::total_cmp);
                let n = sorted.len();
                match n {
                    0 => None,
                    _ if n % 2 == 1 => Some(sorted[n / 2]),
                    _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
                }
            }
            Aggregate::Final => curve.last().copied(),
        }
    }
}

impl fmt::Display for Aggregate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Estimate {
    /// Returns the mean and standard error of `values`, or `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Estimate> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let count = n as f64;
        let mean = values.iter().sum::<f64>() / count;
        let std_dev = if n == 1 {
            0.0
        } else {
            let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1.0);
            var.sqrt()
        };
        Some(Estimate {
            mean,
            std_dev,
            std_error: std_dev / count.sqrt(),
            n,
        })
    }
}

impl Verdict {
    /// Returns the word shown in tables: `pass`, `improved` or `REGRESSION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Improved => "improved",
            Verdict::Regression => "REGRESSION",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl GateSpec {
    /// Compares the current run with the baseline, metric by metric.
    ///
    /// `current` holds, per guarded metric, one value per repeat; `None` stands for a repeat in
    /// which no trial completed, and makes the metric a regression. Fails when the baseline does
    /// not record a guarded metric the way the spec guards it.
    pub fn evaluate(
        &self,
        baseline: &Baseline,
        current: &BTreeMap<String, Vec<Option<f64>>>,
    ) -> Result<GateReport, BaselineMismatch> {
        let mut rows = Vec::with_capacity(self.metrics.len());
        for m in &self.metrics {
            let base = m.baseline_estimate(baseline)?;
            let values = current.get(&m.name).map(Vec::as_slice).unwrap_or_default();
            let now: Option<Vec<f64>> = values.iter().copied().collect();
            let now = now.and_then(|v| Estimate::of(&v));
            // Without a current value, the noise of the comparison a full run would have had:
            // one value a repeat run (the gate's repeats when none is handed in).
            let n_c = now.map_or(
                if values.is_empty() {
                    usize::try_from(self.repeats).map_or(usize::MAX, |n| n.max(1))
                } else {
                    values.len()
                },
                |e| e.n,
            );
            rows.push(m.compare(base, now, n_c, self.noise_k));
        }
        Ok(GateReport { rows })
    }

    /// Checks that the baseline records every guarded metric the way the spec guards it, so that
    /// a wrong file is reported before a minute of training rather than after.
    pub fn check_baseline(&self, baseline: &Baseline) -> Result<(), BaselineMismatch> {
        for m in &self.metrics {
            m.baseline_estimate(baseline)?;
            // One value a repeat: another count is another measure (and its spread, the noise
            // given back, another tolerance).
            let count = baseline.metrics.get(&m.name).map_or(0, |r| r.values.len());
            if u32::try_from(count).ok() != Some(self.repeats) {
                return Err(BaselineMismatch::Repeats {
                    metric: m.name.clone(),
                    values: count,
                    repeats: self.repeats,
                });
            }
        }
        Ok(())
    }
}

impl GatedMetric {
    /// Returns the regression tolerated against a baseline mean: the larger threshold.
    pub fn allowed(&self, baseline_mean: f64) -> f64 {
        let abs = self.max_regression_abs.unwrap_or(0.0);
        let rel = self.max_regression_rel.unwrap_or(0.0) * baseline_mean.abs();
        abs.max(rel)
    }

    /// Returns the baseline's estimate of this metric, checking how it was recorded.
    fn baseline_estimate(&self, baseline: &Baseline) -> Result<Estimate, BaselineMismatch> {
        let recorded =
            baseline
                .metrics
                .get(&self.name)
                .ok_or_else(|| BaselineMismatch::MissingMetric {
                    metric: self.name.clone(),
                    recorded: baseline.metrics.keys().cloned().collect(),
                })?;
        if recorded.aggregate != self.aggregate || recorded.goal != self.goal {
            return Err(BaselineMismatch::Differs {
                metric: self.name.clone(),
                recorded: format!("{} ({})", recorded.aggregate, recorded.goal),
                wanted: format!("{} ({})", self.aggregate, self.goal),
            });
        }
        // Values near the largest double overflow their sum: a verdict on infinities is none.
        let estimate = Estimate::of(&recorded.values)
            .filter(|e| e.mean.is_finite() && e.std_dev.is_finite())
            .filter(|_| recorded.values.iter().all(|x| x.is_finite()))
            .ok_or_else(|| BaselineMismatch::BadValues {
                metric: self.name.clone(),
            })?;
        match recorded
            .values
            .iter()
            .find_map(|&x| crate::out_of_range(&self.name, x))
        {
            Some(why) => Err(BaselineMismatch::OutOfRange {
                metric: self.name.clone(),
                why,
            }),
            None => Ok(estimate),
        }
    }

    /// Returns the row comparing `now`, of `n_c` current values (`noise`'s count), with `base`.
    fn compare(&self, base: Estimate, now: Option<Estimate>, n_c: usize, noise_k: f64) -> GateRow {
        let allowed = self.allowed(base.mean);
        let noise = noise_k * base.std_dev * (1.0 / base.n as f64 + 1.0 / n_c as f64).sqrt();
        let delta = now.map(|now| now.mean - base.mean);
        let worse = delta.map(|d| match self.goal {
            Direction::Maximize => -d,
            Direction::Minimize => d,
        });
        let verdict = match worse {
            Some(w) if w.is_nan() => Verdict::Regression,
            Some(w) if w - noise > allowed => Verdict::Regression,
            Some(w) if -w - noise > allowed => Verdict::Improved,
            Some(_) => Verdict::Pass,
            None => Verdict::Regression,
        };
        GateRow {
            metric: self.name.clone(),
            aggregate: self.aggregate,
            goal: self.goal,
            baseline: base,
            current: now,
            delta,
            allowed,
            noise,
            verdict,
        }
    }
}

impl GateReport {
    /// Returns true when no metric regressed.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.verdict != Verdict::Regression)
    }

    /// Returns the rows that regressed.
    pub fn regressions(&self) -> impl Iterator<Item = &GateRow> + '_ {
        self.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Regression)
    }
}

#[cfg(test)]
mod tests;
