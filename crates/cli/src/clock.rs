//! The system clock, and the formatting of instants for people.

use std::time::{SystemTime, UNIX_EPOCH};

use experiment::Timestamp;

/// Reads the real time; the only clock in Sweep.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SystemClock;

impl runner::Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp(ms)
    }
}

/// Formats an instant as `YYYY-MM-DD HH:MM:SS` in UTC.
pub(crate) fn format_utc(t: Timestamp) -> String {
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

/// Formats an instant as `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 in UTC, whole seconds).
pub(crate) fn format_iso_utc(t: Timestamp) -> String {
    format!("{}Z", format_utc(t).replacen(' ', "T", 1))
}

/// Parses what `format_iso_utc` writes; `None` for anything else.
pub(crate) fn parse_iso_utc(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape {
        return None;
    }
    let field = |from: usize, to: usize| -> Option<i64> {
        let s = text.get(from..to)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
    let (hh, mm, ss) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return None; // 31 February and the like.
    }
    Some(Timestamp((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000))
}

/// Formats a duration in milliseconds as `1h02m`, `3m05s` or `4.2s`.
pub(crate) fn format_duration(ms: i64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
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

/// Converts a (year, month, day) civil date to days since 1970-01-01 (Howard Hinnant's method).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(Timestamp(0)), "1970-01-01 00:00:00");
        assert_eq!(
            format_utc(Timestamp(1_795_865_400_000)),
            "2026-11-28 11:30:00"
        );
        assert_eq!(format_duration(4_200), "4.2s");
        assert_eq!(format_duration(185_000), "3m05s");
    }

    #[test]
    fn iso_times_round_trip_and_nonsense_is_refused() {
        for ms in [0, 951_782_400_000, 1_795_865_400_000, -86_400_000] {
            let t = Timestamp(ms);
            assert_eq!(parse_iso_utc(&format_iso_utc(t)), Some(t), "{ms}");
        }
        assert_eq!(format_iso_utc(Timestamp(0)), "1970-01-01T00:00:00Z");
        for bad in [
            "",
            "2025-02-30T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-01 00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:00:00",
            "+025-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_iso_utc(bad), None, "{bad}");
        }
    }
}
