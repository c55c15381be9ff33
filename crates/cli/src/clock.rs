//! The system clock, and the formatting of instants for people.

use std::time::{SystemTime, UNIX_EPOCH};

use experiment::Timestamp;

/// Reads the real time; the only clock in Sweep, handed to the runner and the dashboard.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SystemClock;

impl SystemClock {
    /// Returns the time now, in milliseconds since the Unix epoch.
    fn read() -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp(ms)
    }
}

impl experiment::Clock for SystemClock {
    fn now(&self) -> Timestamp {
        SystemClock::read()
    }
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 in UTC, whole seconds).
pub(crate) fn format_iso_utc(t: Timestamp) -> String {
    format!("{}Z", t.utc().replacen(' ', "T", 1))
}

/// Parses what `format_iso_utc` writes; `None` for anything else, such as 30 February or
/// 24:00 (the instant read must be written back as the same text).
pub(crate) fn parse_iso_utc(text: &str) -> Option<Timestamp> {
    let field = |from: usize, to: usize| -> Option<i64> {
        let s = text.get(from..to)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
    let (hh, mm, ss) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    let days = days_from_civil(y, m, d);
    let t = Timestamp((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000);
    (format_iso_utc(t) == text).then_some(t)
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
            "2025-00-10T00:00:00Z",
            "2025-01-01T00:60:00Z",
            "2025-01-01T00:00:00Zjunk",
            "2025-01-01T00:00:00",
            "+025-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_iso_utc(bad), None, "{bad}");
        }
    }
}
