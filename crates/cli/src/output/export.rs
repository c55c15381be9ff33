//! Metric curves in long format, one row per (experiment, trial, metric, step), for pandas or a
//! spreadsheet. Trials themselves are exported by `trials_csv` and `trials_json`.
//!
//! Values are written with Rust's shortest round-trip notation in CSV (`NaN` and `inf` included),
//! so parsing them back gives the stored bits; JSON has no NaN or infinity, so there they are
//! `null`.

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

/// Writes the curves as CSV with the header `experiment,trial,metric,step,value`.
pub(crate) fn series_csv(out: &mut impl Write, rows: &[SeriesRow<'_>]) -> io::Result<()> {
    out.write_all(
        experiment::csv_row(&["experiment", "trial", "metric", "step", "value"].map(String::from))
            .as_bytes(),
    )?;
    for r in rows {
        let row = [
            r.experiment.to_string(),
            r.trial.to_string(),
            r.metric.to_string(),
            r.step.to_string(),
            format!("{:?}", r.value),
        ];
        out.write_all(experiment::csv_row(&row).as_bytes())?;
    }
    Ok(())
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
    fn series_are_long_and_exact() {
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
        let mut csv = Vec::new();
        series_csv(&mut csv, &rows).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "experiment,trial,metric,step,value\n\
             \"e,1\",0,val_loss,1,0.30000000000000004\n\
             \"e,1\",0,val_loss,2,NaN\n"
        );
        let mut json = Vec::new();
        series_json(&mut json, &rows).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(back[0]["value"], 0.30000000000000004);
        assert!(back[1]["value"].is_null());
    }
}
