//! How the gate shows its numbers: a row's six cells, with the decimals its delta and threshold
//! need, and estimates as the JSON reports give them.

use experiment::{Estimate, GateRow};
use serde_json::json;

/// Returns the six cells of a row: metric, baseline, current, delta, threshold, verdict. The
/// numbers of a row share their decimals (`places`), so that a small delta shows.
pub(super) fn cells(r: &GateRow) -> [String; 6] {
    let places = places(r);
    let num = |x: f64| trimmed(x, places);
    // Noise that rounds to nothing is left out rather than shown as `+ 0 noise`.
    let threshold = if trimmed(r.noise, places) != "0" {
        format!("{} + {} noise", num(r.allowed), num(r.noise))
    } else {
        num(r.allowed)
    };
    let estimate = |e: Estimate| estimate_with(e, &num);
    [
        format!("{} ({}, {})", r.metric, r.aggregate, r.goal),
        estimate(r.baseline),
        r.current.map_or("-".to_string(), estimate),
        r.delta
            .map_or("-".to_string(), |d| delta_text(d, r, places)),
        threshold,
        r.verdict.to_string(),
    ]
}

/// Returns the decimals a row's numbers are shown with: 4, or more when its delta or threshold
/// needs them to show two significant digits (at most 12).
fn places(r: &GateRow) -> usize {
    places_for([r.delta.unwrap_or(0.0), r.allowed])
}

/// Returns the decimals that show two significant digits of each of `xs` (zeros and
/// non-finite ones aside): at least 4, at most 12.
pub(super) fn places_for(xs: impl IntoIterator<Item = f64>) -> usize {
    xs.into_iter()
        .filter(|x| x.is_finite() && *x != 0.0)
        .map(|x| {
            // Decimals to the first significant digit, and one more.
            let first = (-x.abs().log10()).ceil();
            if first.is_finite() && first > 0.0 {
                (first as usize).saturating_add(1)
            } else {
                0
            }
        })
        .fold(4, usize::max)
        .min(12)
}

/// Returns `x` with `places` decimals, a whole number without them (`3185`, `0`: a count such
/// as `param_count`, or no change, or a value that rounds to nothing), and from a million on as
/// a metric's value is shown elsewhere (`experiment::metric_text`).
pub(super) fn trimmed(x: f64, places: usize) -> String {
    if !x.is_finite() || x.abs() >= 1e6 {
        return num(x);
    }
    if x == 0.0 {
        // `-0` is no change either.
        return "0".to_string();
    }
    if x.fract() == 0.0 {
        return format!("{x}");
    }
    let shown = format!("{x:.places$}");
    // A value that rounds to nothing at these decimals (a spread of 1e-9) is shown as zero is,
    // so that `± 0` and a threshold without `+ 0 noise` read alike whether it is 0 or nearly.
    if shown.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
        return "0".to_string();
    }
    shown
}

/// Returns a delta as the table shows it: signed, then how much worse or better in words, and
/// by what share of the baseline (`share_text`): `+0.0007 (33% worse)`.
fn delta_text(d: f64, r: &GateRow, places: usize) -> String {
    let shown = trimmed(d, places);
    if shown == "0" || !d.is_finite() {
        return shown;
    }
    let signed = if d > 0.0 { format!("+{shown}") } else { shown };
    let worse = match r.goal {
        experiment::Direction::Maximize => d < 0.0,
        experiment::Direction::Minimize => d > 0.0,
    };
    let word = if worse { "worse" } else { "better" };
    let base = r.baseline.mean.abs();
    match share_text(d.abs() / base * 100.0).filter(|_| base > 0.0 && base.is_finite()) {
        Some(share) => format!("{signed} ({share}% {word})"),
        None => format!("{signed} ({word})"),
    }
}

/// Returns a share of the baseline, in percent, as the delta's words give it: two significant
/// digits or more from 0.01% to under a million percent (`0.010`, `0.33`, `4.5`, `33`,
/// `250000`), and beyond those bounds in exponent form with two decimals (`3.29e28`,
/// `5.00e-3`), as `experiment::metric_text` writes a value beyond its own; `None` for a share
/// that is not a finite number. The bounds and the decimals go by the share as rounded, so
/// that 999999.7 is `1.00e6`, as a million is, and 9.96 is `10`, not `10.0`.
///
/// Rejected: a ratio (`x3.3e24`) past some bound, which would read in another unit than the
/// share beside it in the next row.
fn share_text(share: f64) -> Option<String> {
    if !share.is_finite() {
        return None;
    }
    // Decimals for two significant digits (zero as before, `0.00`): rounding can only carry
    // into the next power of ten, which takes one decimal fewer.
    let decimals = |x: f64| match x.abs() {
        x if x >= 10.0 => 0,
        x if x >= 1.0 => 1,
        x if x >= 0.1 || x == 0.0 => 2,
        _ => 3,
    };
    let rounded = |x: f64, d: usize| format!("{x:.d$}");
    let mut d = decimals(share);
    let mut text = rounded(share, d);
    let value: f64 = text.parse().unwrap_or(share);
    if decimals(value) != d {
        d = decimals(value);
        text = rounded(share, d);
    }
    Some(if value >= 1e6 || (share != 0.0 && value < 0.01) {
        format!("{share:.2e}")
    } else {
        text
    })
}

/// Returns a mean, and its standard error over several values, each written by `num`.
pub(super) fn estimate_with(e: Estimate, num: &dyn Fn(f64) -> String) -> String {
    if e.n > 1 {
        format!("{} ± {}", num(e.mean), num(e.std_error))
    } else {
        num(e.mean)
    }
}

/// Returns an estimate as the JSON reports give it: mean, standard error (`null` where not
/// finite) and count; `null` without one.
pub(super) fn estimate_json(e: Option<Estimate>) -> serde_json::Value {
    match e {
        Some(e) => json!({
            "mean": Some(e.mean).filter(|x| x.is_finite()),
            "std_error": Some(e.std_error).filter(|x| x.is_finite()),
            "n": e.n,
        }),
        None => serde_json::Value::Null,
    }
}

/// Formats a value as every table does: 4 decimals, from a million on in exponent form.
fn num(x: f64) -> String {
    experiment::metric_text(Some(x))
}

#[cfg(test)]
mod tests {
    use experiment::{Aggregate, Direction, Verdict};

    use super::*;

    #[test]
    fn a_tiny_recorded_value_keeps_two_significant_digits() {
        assert_eq!(places_for([0.8123, 0.8]), 4);
        assert_eq!(places_for([3e-5, 0.0]), 6);
        assert_eq!(trimmed(3e-5, places_for([3e-5])), "0.000030");
        assert_eq!(places_for([f64::NAN, 1e-30]), 12);
    }

    #[test]
    fn whole_numbers_go_without_decimals_and_keep_their_sign() {
        assert_eq!(trimmed(3185.0, 4), "3185");
        assert_eq!(trimmed(-3.0, 4), "-3");
        assert_eq!(trimmed(-0.0, 4), "0");
        assert_eq!(trimmed(0.003, 4), "0.0030");
        assert_eq!(trimmed(-0.00071, 6), "-0.000710");
        // Nothing at these decimals is zero, as zero is shown.
        assert_eq!(trimmed(1e-9, 4), "0");
        assert_eq!(trimmed(-4e-5, 4), "0");
        assert_eq!(trimmed(5e-5, 4), "0.0001");
    }

    /// Returns a row of `val_rmse` (minimized) with `baseline` and `current` means, one value
    /// each.
    fn compared(baseline: f64, current: f64) -> GateRow {
        let one = |mean: f64| Estimate {
            mean,
            std_dev: 0.0,
            std_error: 0.0,
            n: 1,
        };
        GateRow {
            metric: "val_rmse".to_string(),
            aggregate: Aggregate::Best,
            goal: Direction::Minimize,
            baseline: one(baseline),
            current: Some(one(current)),
            delta: Some(current - baseline),
            allowed: 0.01,
            noise: 0.0,
            verdict: Verdict::Pass,
        }
    }

    /// Issue: a diverged run's delta read `+3.3808e26 (32883132790843739192766234624% worse)`;
    /// a share past a million percent, or under a hundredth of one, is in exponent form, as the
    /// values beside it are.
    #[test]
    fn issue_a_huge_or_tiny_share_of_the_baseline_is_written_in_exponent_form() {
        let delta = |baseline: f64, current: f64| cells(&compared(baseline, current))[3].clone();
        assert_eq!(delta(1.0281, 3.3808e26), "+3.3808e26 (3.29e28% worse)");
        assert_eq!(delta(2.0e6, 2.0e6 - 0.01), "-0.0100 (5.00e-7% better)");
        // Between the bounds, as before.
        assert_eq!(delta(0.5, 0.6), "+0.1000 (20% worse)");
        assert_eq!(delta(0.5, 0.52), "+0.0200 (4.0% worse)");
        assert_eq!(delta(2.0, 2.01), "+0.0100 (0.50% worse)");
        assert_eq!(delta(1.0, 9000.0), "+8999 (899900% worse)");
        // No share of a zero baseline, nor one past the largest number.
        assert_eq!(delta(0.0, 0.5), "+0.5000 (worse)");
        assert_eq!(delta(1e-300, 1e300), "+1.0000e300 (worse)");
    }

    /// Issue: the bound was checked before rounding, so 999999.7% read `1000000` where a
    /// million reads `1.00e6`; and from 0.01% to 0.1% a share had one significant digit.
    #[test]
    fn issue_a_share_is_written_by_its_rounded_value_with_two_significant_digits() {
        for (share, want) in [
            (999_999.7, "1.00e6"),
            (1e6, "1.00e6"),
            (999_999.4, "999999"),
            (9.96, "10"),
            (9.94, "9.9"),
            (0.996, "1.0"),
            (0.0996, "0.10"),
            (0.05, "0.050"),
            (0.0123, "0.012"),
            (0.00999, "0.010"),
            (0.0094, "9.40e-3"),
            (0.0, "0.00"),
        ] {
            assert_eq!(share_text(share).as_deref(), Some(want), "{share}");
        }
    }

    /// Issue: with every current run failed, the threshold showed the noise of one current
    /// value against the baseline's (0.0446) where the comparison of the repeats gives back
    /// 0.0364; it is the threshold that would apply, in every format (they share the row).
    #[test]
    fn issue_a_metric_without_a_current_value_shows_the_threshold_that_would_apply() {
        let gate = experiment::GateSpec {
            baseline: experiment::Located {
                value: "b.json".into(),
                location: experiment::Location {
                    file: "g.yaml".into(),
                    line: 1,
                    column: 1,
                },
            },
            repeats: 2,
            noise_k: 2.0,
            metrics: vec![experiment::GatedMetric {
                name: "val_rmse".into(),
                aggregate: Aggregate::Best,
                goal: Direction::Minimize,
                max_regression_abs: Some(0.01),
                max_regression_rel: None,
            }],
        };
        let baseline = experiment::Baseline {
            experiment: "g".into(),
            spec_hash: "h".into(),
            metrics: [(
                "val_rmse".to_string(),
                experiment::BaselineMetric {
                    aggregate: Aggregate::Best,
                    goal: Direction::Minimize,
                    values: vec![5.390434983707452, 5.364688857587052],
                },
            )]
            .into(),
            provenance: experiment::Provenance {
                commit: None,
                no_commit: None,
                dirty: None,
                date: experiment::Timestamp(0),
                machine: "m".into(),
                sweep_version: "0.1.0".into(),
            },
            run: None,
        };
        let row_against = |baseline: &experiment::Baseline, current: Vec<Option<f64>>| {
            let current = [("val_rmse".to_string(), current)].into();
            let report = gate.evaluate(baseline, &current).unwrap();
            report.rows[0].clone()
        };
        let row = |current: Vec<Option<f64>>| row_against(&baseline, current);
        let measured = row(vec![Some(5.38), Some(5.37)]);
        for failed in [vec![None, None], vec![Some(5.38), None], vec![]] {
            let failed = row(failed);
            assert_eq!(failed.verdict, Verdict::Regression);
            assert_eq!(failed.noise, measured.noise);
            assert_eq!(cells(&failed)[4], cells(&measured)[4]);
        }
        assert_eq!(cells(&measured)[4], "0.0100 + 0.0364 noise");
        // No values at all: the gate's 2 repeats, not the baseline's count of 3 (a baseline
        // `sweep gate` refuses, but `evaluate` is handed).
        let mut three = baseline.clone();
        let values = &mut three.metrics.get_mut("val_rmse").unwrap().values;
        values.push(5.40);
        let measured = row_against(&three, vec![Some(5.38), Some(5.37)]);
        assert_eq!(row_against(&three, vec![]).noise, measured.noise);
    }

    #[test]
    fn a_spread_that_rounds_to_nothing_shows_as_none() {
        let spread = |std_error: f64| Estimate {
            mean: 0.7,
            std_dev: std_error * 3.0_f64.sqrt(),
            std_error,
            n: 3,
        };
        let row = |std_error: f64, noise: f64| GateRow {
            metric: "val_accuracy".to_string(),
            aggregate: Aggregate::Best,
            goal: Direction::Maximize,
            baseline: spread(std_error),
            current: Some(spread(std_error)),
            delta: Some(0.0),
            allowed: 0.01,
            noise,
            verdict: Verdict::Pass,
        };
        let exact = cells(&row(0.0, 0.0));
        let tiny = cells(&row(1e-12, 3e-12));
        assert_eq!(tiny, exact);
        assert_eq!(tiny[1], "0.7000 ± 0");
        assert_eq!(tiny[4], "0.0100");
        // A spread that shows is shown.
        let some = cells(&row(0.002, 0.005));
        assert_eq!(some[1], "0.7000 ± 0.0020");
        assert_eq!(some[4], "0.0100 + 0.0050 noise");
    }
}
