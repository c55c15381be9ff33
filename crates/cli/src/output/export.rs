//! Metric curves in long format as JSON, one object per (experiment, trial, metric, step)
//! (`experiment::curves_csv` writes them as CSV). JSON has no NaN or infinity, so there they
//! are `null`; a count (`param_count`) is an integer, as the CSV writes it
//! (`trials_json::metric_json`).

use std::io::{self, Write};

use serde::Serialize;

use super::trials_json::metric_json;

/// One point of a metric curve.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeriesRow<'a> {
    pub(crate) experiment: &'a str,
    pub(crate) trial: u32,
    pub(crate) metric: &'a str,
    pub(crate) step: u32,
    pub(crate) value: f64,
}

/// A point as written: its value as its metric's (`metric_json`).
#[derive(Debug, Serialize)]
struct WrittenRow<'a> {
    experiment: &'a str,
    trial: u32,
    metric: &'a str,
    step: u32,
    value: serde_json::Value,
}

/// Writes the curves as a JSON array of objects.
pub(crate) fn series_json(out: &mut impl Write, rows: &[SeriesRow<'_>]) -> io::Result<()> {
    let written: Vec<WrittenRow<'_>> = rows
        .iter()
        .map(|r| WrittenRow {
            experiment: r.experiment,
            trial: r.trial,
            metric: r.metric,
            step: r.step,
            value: metric_json(r.metric, Some(r.value)),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &written)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_are_null_where_json_has_no_number() {
        let rows = [
            SeriesRow {
                experiment: "e,1",
                trial: 0,
                metric: "val_loss",
                step: 1,
                value: 0.1 + 0.2,
            },
            SeriesRow {
                experiment: "e,1",
                trial: 0,
                metric: "val_loss",
                step: 2,
                value: f64::NAN,
            },
        ];
        let mut json = Vec::new();
        series_json(&mut json, &rows).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(back[0]["value"], 0.30000000000000004);
        assert!(back[1]["value"].is_null());
    }

    /// Issue: `param_count`, a count, was exported as a float (`85002.0`); it is an integer,
    /// and every other metric a float as before (a whole `val_loss` is `3.0`).
    #[test]
    fn issue_a_count_is_an_integer_and_other_metrics_floats() {
        let row = |metric, value| SeriesRow {
            experiment: "e",
            trial: 0,
            metric,
            step: 1,
            value,
        };
        let mut json = Vec::new();
        series_json(
            &mut json,
            &[row("param_count", 85002.0), row("val_loss", 3.0)],
        )
        .unwrap();
        let text = String::from_utf8(json).unwrap();
        assert!(
            text.contains("\"value\": 85002\n") && text.contains("\"value\": 3.0\n"),
            "{text}"
        );
    }
}

/// What standard error says once when `csv_to` escaped a CSV's values for a terminal.
pub(crate) const CSV_ESCAPED: &str = "note: standard output is a terminal, so control and \
     invisible characters in the CSV's values are written as escapes (`\\u{1b}`); written to a \
     file or a pipe (`> trials.csv`), the CSV holds them as they are";

/// Writes `csv` to standard output `out`: to a file or a pipe (`to_terminal` false) as it is,
/// since the CSV is data; to a terminal with every character that would act on it or not show
/// as itself written as an escape, line by line (`output::visible`), so that a value holding an
/// escape sequence cannot reach the terminal. Returns whether any was escaped, for the caller
/// to say so once (`CSV_ESCAPED`).
pub(crate) fn csv_to(out: &mut impl Write, csv: &str, to_terminal: bool) -> io::Result<bool> {
    if !to_terminal {
        out.write_all(csv.as_bytes())?;
        return Ok(false);
    }
    let mut escaped = false;
    for (i, line) in csv.split('\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        // A CRLF line end stays one.
        let (line, cr) = line.strip_suffix('\r').map_or((line, ""), |l| (l, "\r"));
        let shown = super::visible(line);
        escaped |= matches!(shown, std::borrow::Cow::Owned(_));
        out.write_all(shown.as_bytes())?;
        out.write_all(cr.as_bytes())?;
    }
    Ok(escaped)
}

#[cfg(test)]
mod csv_tests {
    use super::csv_to;

    /// Issue: a categorical value holding an escape sequence (an OSC 52 that sets the
    /// clipboard) reached the terminal raw through `sweep trials --format csv`.
    #[test]
    fn issue_a_csv_sent_to_a_terminal_shows_its_control_characters_as_escapes() {
        let csv = "trial,param.sel\r\n0,\u{1b}]52;c;cHduZWQ=\u{7}\r\n1,plain\r\n";
        let mut out = Vec::new();
        assert!(csv_to(&mut out, csv, true).unwrap());
        let written = String::from_utf8(out).unwrap();
        assert_eq!(
            written,
            "trial,param.sel\r\n0,\\u{1b}]52;c;cHduZWQ=\\u{7}\r\n1,plain\r\n"
        );
        // To a file or a pipe, the data as it is.
        let mut out = Vec::new();
        assert!(!csv_to(&mut out, csv, false).unwrap());
        assert_eq!(out, csv.as_bytes());
        // Nothing to escape: nothing said.
        let mut out = Vec::new();
        assert!(!csv_to(&mut out, "a,b\r\n1,2\r\n", true).unwrap());
    }
}
