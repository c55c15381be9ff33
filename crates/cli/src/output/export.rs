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
