//! Metric curves in long format as JSON, one object per (experiment, trial, metric, step)
//! (`experiment::curves_csv` writes them as CSV). JSON has no NaN or infinity, so there they
//! are `null`.

use std::io::{self, Write};

use serde::Serialize;

/// One point of a metric curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SeriesRow<'a> {
    pub(crate) experiment: &'a str,
    pub(crate) trial: u32,
    pub(crate) metric: &'a str,
    pub(crate) step: u32,
    #[serde(serialize_with = "finite_or_null")]
    pub(crate) value: f64,
}

/// Writes the curves as a JSON array of objects.
pub(crate) fn series_json(out: &mut impl Write, rows: &[SeriesRow<'_>]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows)?;
    writeln!(out)
}

fn finite_or_null<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else {
        s.serialize_none()
    }
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
}
