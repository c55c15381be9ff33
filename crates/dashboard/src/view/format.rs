//! Formatting for pages: numbers, instants, durations, and URL path segments.

use experiment::Timestamp;

/// Formats a metric value with 4 decimals, `-` when absent, and `NaN`/`inf` as such.
pub(crate) fn value(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.4}"),
        Some(v) => v.to_string(),
        None => "-".to_string(),
    }
}

/// Formats an instant as `YYYY-MM-DD HH:MM:SS` UTC.
pub(crate) fn utc(t: Timestamp) -> String {
    let secs = t.0.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Formats a duration in milliseconds as `1h02m`, `3m05s` or `4.2s`.
pub(crate) fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}.{}s", s, ms % 1000 / 100)
    }
}

/// Returns the duration from `start` to `end` (or to `now` while running), formatted.
pub(crate) fn span(start: Option<Timestamp>, end: Option<Timestamp>, now: Timestamp) -> String {
    match start {
        Some(start) => duration(end.unwrap_or(now).0 - start.0),
        None => "-".to_string(),
    }
}

/// Orders metric names for charts: the objective first, then the other validation metrics,
/// then the rest, and `epoch_seconds` (timing, not quality) last; by name within each group.
pub(crate) fn metric_order<'a>(
    objective: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_by_key(|n| {
        let group = if *n == objective {
            0
        } else if n.starts_with("val_") {
            1
        } else if *n == "epoch_seconds" {
            3
        } else {
            2
        };
        (group, *n)
    });
    names.dedup();
    names
}

/// Percent-encodes `s` for use as one URL path segment or query value: every byte other than
/// ASCII letters, digits and `-._~` becomes `%XX`.
pub(crate) fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Returns the page of an experiment.
pub(crate) fn experiment_href(name: &str) -> String {
    format!("/experiments/{}", url_part(name))
}

/// Returns the page of a trial.
pub(crate) fn trial_href(experiment: &str, trial: u32) -> String {
    format!("/experiments/{}/trials/{trial}", url_part(experiment))
}

/// Converts days since 1970-01-01 to a (year, month, day) civil date (Howard Hinnant's method).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_ordered_objective_first_and_timing_last() {
        let names = [
            "epoch_seconds",
            "train_loss",
            "val_loss",
            "val_accuracy",
            "val_f1",
        ];
        assert_eq!(
            metric_order("val_loss", names),
            [
                "val_loss",
                "val_accuracy",
                "val_f1",
                "train_loss",
                "epoch_seconds"
            ]
        );
    }

    #[test]
    fn formats() {
        assert_eq!(utc(Timestamp(1_795_865_400_000)), "2026-11-28 11:30:00");
        assert_eq!(duration(4_200), "4.2s");
        assert_eq!(duration(185_000), "3m05s");
        assert_eq!(duration(3_720_000), "1h02m");
        assert_eq!(value(Some(0.5)), "0.5000");
        assert_eq!(value(Some(f64::NAN)), "NaN");
        assert_eq!(value(None), "-");
        assert_eq!(
            url_part("<script>alert(1)</script>"),
            "%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
        );
        assert_eq!(
            experiment_href("digits-mlp_v1.2"),
            "/experiments/digits-mlp_v1.2"
        );
    }
}
