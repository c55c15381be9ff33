//! Instants and durations written for people, the same in the CLI and the dashboard.

use crate::Timestamp;

/// Tells the time now: the seam through which the runner (to stamp trials) and the dashboard
/// (for the durations of what runs) are handed Sweep's one system clock by the CLI, and a test a
/// fixed or ticking one. Declaring it reads no clock.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Returns the current instant.
    fn now(&self) -> Timestamp;
}

impl Timestamp {
    /// Returns the instant as `YYYY-MM-DD HH:MM:SS` in UTC.
    pub fn utc(self) -> String {
        let secs = self.0.div_euclid(1000);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }

    /// Returns the instant as RFC 3339 (ISO 8601) in UTC to the millisecond,
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, as exports write it for programs (pandas' `to_datetime`,
    /// a spreadsheet): the stored milliseconds, all of them.
    pub fn iso_utc(self) -> String {
        format!(
            "{}.{:03}Z",
            self.utc().replacen(' ', "T", 1),
            self.0.rem_euclid(1000)
        )
    }
}

/// Formats a duration in milliseconds as `1h02m`, `3m05s`, `4.2s` or, under a tenth of a
/// second, `37ms`; a negative one (clocks that stepped back) as `0ms`. Each form is rounded to
/// the nearest of its last unit (296 ms is `0.3s`, 119.6 s `2m00s`, 1 h 1 m 30 s `1h02m`), and a
/// duration that rounds up to the next form's first value is written in that form: 59.96 s is
/// `1m00s`, never `60.0s`, and 59 m 59.6 s is `1h00m`, never `60m00s`.
pub fn format_duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 100 {
        // Trials on small tabular data take milliseconds; "0.0s" would hide how many.
        return format!("{ms}ms");
    }
    let tenths = nearest(ms, 100);
    if tenths < 600 {
        return format!("{}.{}s", tenths / 10, tenths % 10);
    }
    let s = nearest(ms, 1000);
    if s < 3600 {
        return format!("{}m{:02}s", s / 60, s % 60);
    }
    let m = nearest(ms, 60_000);
    format!("{}h{:02}m", m / 60, m % 60)
}

/// Reads a duration as people write it, in milliseconds: a number of seconds (`90`), or numbers
/// each with a unit of `d`, `h`, `m` or `s` (`45s`, `30m`, `1.5h`, `1h30m`, and what
/// `format_duration` writes). `None` for anything else, zero included.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return milliseconds(seconds);
    }
    let mut total = 0.0;
    let mut rest = text;
    // Units go from the largest down, each once: `1h1h` and `30m1h` are typing slips.
    let mut last = u8::MAX;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&i| i > 0)?;
        let (number, tail) = rest.split_at(split);
        let number: f64 = number.parse().ok()?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let (rank, seconds) = match unit {
            "d" => (3, 86_400.0),
            "h" => (2, 3_600.0),
            "m" => (1, 60.0),
            "s" => (0, 1.0),
            _ => return None,
        };
        if rank >= last {
            return None;
        }
        last = rank;
        total += number * seconds;
        rest = tail;
    }
    milliseconds(total)
}

/// Returns the number of whole `unit`s nearest to `ms` (halves round up), for `ms` at least 0.
fn nearest(ms: i64, unit: i64) -> i64 {
    // Not `(ms + unit / 2) / unit`, which would overflow near `i64::MAX`.
    ms / unit + i64::from(ms % unit * 2 >= unit)
}

/// Returns `seconds` in whole milliseconds, when positive and finite.
fn milliseconds(seconds: f64) -> Option<i64> {
    let ms = (seconds * 1000.0).round();
    // At most about 292 million years: the cast cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    (1.0..9.2e18).contains(&ms).then_some(ms as i64)
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
    fn instants_and_durations_read_as_people_write_them() {
        assert_eq!(Timestamp(0).utc(), "1970-01-01 00:00:00");
        assert_eq!(Timestamp(1_795_865_400_000).utc(), "2026-11-28 11:30:00");
        assert_eq!(Timestamp(951_782_400_000).utc(), "2000-02-29 00:00:00");
        assert_eq!(Timestamp(-1).utc(), "1969-12-31 23:59:59");
        assert_eq!(
            Timestamp(1_795_865_400_042).iso_utc(),
            "2026-11-28T11:30:00.042Z"
        );
        assert_eq!(Timestamp(-1).iso_utc(), "1969-12-31T23:59:59.999Z");
        for (ms, text) in [
            (3_720_000, "1h02m"),
            (185_000, "3m05s"),
            (4_200, "4.2s"),
            (140, "0.1s"),
            (150, "0.2s"),
            (37, "37ms"),
            (-5, "0ms"),
        ] {
            assert_eq!(format_duration(ms), text, "{ms}");
        }
        for (text, ms) in [
            ("90", Some(90_000)),
            ("0.5", Some(500)),
            ("45s", Some(45_000)),
            ("30m", Some(1_800_000)),
            ("1.5h", Some(5_400_000)),
            ("1h30m", Some(5_400_000)),
            ("1h02m", Some(3_720_000)),
            ("2d", Some(172_800_000)),
            (" 10m ", Some(600_000)),
            ("0", None),
            ("0s", None),
            ("-5m", None),
            ("10 m", None),
            ("10min", None),
            ("h", None),
            ("1.2.3s", None),
            ("", None),
            ("inf", None),
            ("NaN", None),
            ("1d2h3m4s", Some(93_784_000)),
            ("1h1h", None),
            ("30m1h", None),
        ] {
            assert_eq!(parse_duration(text), ms, "{text:?}");
        }
    }

    #[test]
    fn issue_durations_round_to_the_nearest_tenth() {
        for (ms, text) in [
            (296, "0.3s"),
            (249, "0.2s"),
            (4_250, "4.3s"),
            (9_960, "10.0s"),
            (59_949, "59.9s"),
            (59_960, "1m00s"),
            (99, "99ms"),
            (100, "0.1s"),
            (61_900, "1m02s"),
        ] {
            assert_eq!(format_duration(ms), text, "{ms}");
        }
    }

    #[test]
    fn issue_every_form_rounds_to_the_nearest_of_its_last_unit() {
        // Minutes and hours truncated where seconds rounded: 119.96 s read `1m59s` beside
        // 59.96 s as `1m00s`.
        for (ms, text) in [
            (59_949, "59.9s"),
            (59_950, "1m00s"),
            (60_000, "1m00s"),
            (60_499, "1m00s"),
            (60_500, "1m01s"),
            (119_499, "1m59s"),
            (119_500, "2m00s"),
            (119_960, "2m00s"),
            (3_599_499, "59m59s"),
            (3_599_500, "1h00m"),
            (3_600_000, "1h00m"),
            (3_629_999, "1h00m"),
            (3_630_000, "1h01m"),
            (7_169_999, "1h59m"),
            (7_170_000, "2h00m"),
            (i64::MAX, "2562047788015h13m"),
        ] {
            assert_eq!(format_duration(ms), text, "{ms}");
        }
        // What it writes reads back within half its last unit.
        for ms in [150, 59_950, 119_960, 3_599_500, 7_170_000] {
            let back = parse_duration(&format_duration(ms)).unwrap();
            let unit = [(60_000, 100), (3_600_000, 1000)]
                .iter()
                .find(|(below, _)| ms < *below)
                .map_or(60_000, |(_, unit)| *unit);
            assert!((back - ms).abs() <= unit / 2, "{ms} read back as {back}");
        }
    }
}
