//! Tests of the CSV export: cells quoted where a reader would read them otherwise, exact
//! floats, the columns a script looks up, and text a spreadsheet would run.

use super::*;
use crate::testing::trial_with;
use crate::{ParamValue, TrialState};

#[test]
fn curves_are_long_and_exact() {
    let series = BTreeMap::from([(
        "val_loss".to_string(),
        vec![(Step(1), 0.1 + 0.2), (Step(2), f64::NAN)],
    )]);
    assert_eq!(
        curves_csv("e,1", &[(TrialId(0), series)]),
        "experiment,trial,metric,step,value\n\
         \"e,1\",0,val_loss,1,0.30000000000000004\n\
         \"e,1\",0,val_loss,2,NaN\n"
    );
}

#[test]
fn no_fixed_column_passes_for_a_parameter() {
    for column in FIXED_COLUMNS.into_iter().chain(WALL_TIME_COLUMNS) {
        assert!(
            crate::knobs::KNOBS.iter().all(|k| k.name != column),
            "`{column}` is a knob's name"
        );
    }
}

#[test]
fn a_cell_is_quoted_where_a_reader_would_read_it_otherwise() {
    let cells = [
        "",
        "x",
        "a b",
        " lead",
        "trail\t",
        "a,b",
        "say \"hi\"",
        "two\nlines",
    ];
    assert_eq!(
        cells.map(csv_cell),
        [
            "",
            "x",
            "a b",
            "\" lead\"",
            "\"trail\t\"",
            "\"a,b\"",
            "\"say \"\"hi\"\"\"",
            "\"two\nlines\""
        ]
    );
}

#[test]
fn rows_quote_what_needs_it_and_keep_every_bit() {
    let mut a = trial_with(0, TrialState::Pruned, "val_loss", Some(0.1 + 0.2));
    a.reason = Some("asha: 0.3 not in the top 1 of 2, at rung 0".into());
    a.params.insert("lr".into(), ParamValue::Float(0.1));
    a.params
        .insert("name".into(), ParamValue::Str("say \"hi\"".into()));
    let mut b = trial_with(1, TrialState::Completed, "val_loss", Some(f64::NAN));
    b.params.insert("lr".into(), ParamValue::Float(1e-7));
    // Trial 0 trained 2 epochs; trial 1 reported none yet.
    let mut effort = Effort::default();
    effort.add(&a, None, Some(Step(2)));
    let all = [a, b];
    let judged = Judged::of(None, &all, &effort);
    let csv = trials_csv(&all, &judged);
    assert_eq!(
        csv,
        "trial,state,reason,seed,best_epoch,epochs_trained,source,param.lr,param.name,metric.val_loss,\
         started,finished,duration_seconds\n\
         0,pruned,\"asha: 0.3 not in the top 1 of 2, at rung 0\",0,1,2,,0.1,\"say \"\"hi\"\"\",\
         0.30000000000000004,,,\n\
         1,completed,,0,1,,,1e-7,,NaN,,,\n"
    );
    // The trials a filter keeps have the columns of all: files of one experiment line up.
    let kept = trials_csv(&all[1..], &judged);
    assert_eq!(kept.lines().next(), csv.lines().next());
}

#[test]
fn issue_rows_end_with_when_the_trial_started_and_finished_and_how_long_it_took() {
    let mut done = trial_with(0, TrialState::Completed, "val_loss", Some(0.5));
    done.started = Some(Timestamp(1_795_865_400_000));
    done.finished = Some(Timestamp(1_795_865_412_345));
    let mut stepped_back = trial_with(1, TrialState::Completed, "val_loss", Some(0.5));
    stepped_back.started = Some(Timestamp(1_795_865_400_500));
    stepped_back.finished = Some(Timestamp(1_795_865_400_000));
    let mut running = trial_with(2, TrialState::Running, "val_loss", None);
    running.started = Some(Timestamp(1_795_865_400_000));
    let queued = trial_with(3, TrialState::Queued, "val_loss", None);
    let all = [done, stepped_back, running, queued];
    let effort = Effort::default();
    let judged = Judged::of(None, &all, &effort);
    let csv = trials_csv(&all, &judged);
    let tails: Vec<String> = csv
        .lines()
        .map(|l| l.splitn(7, ',').nth(6).unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        tails,
        [
            "source,metric.val_loss,started,finished,duration_seconds",
            ",0.5,2026-11-28T11:30:00.000Z,2026-11-28T11:30:12.345Z,12.345",
            ",0.5,2026-11-28T11:30:00.500Z,2026-11-28T11:30:00.000Z,-0.500",
            ",,2026-11-28T11:30:00.000Z,,",
            ",,,,",
        ]
    );
    // The same for spreadsheets: nothing there reads as a formula.
    assert_eq!(trials_csv_for_spreadsheets(&all, &judged), csv);
}

#[test]
fn for_spreadsheets_a_value_that_reads_as_a_formula_is_text() {
    let rows = |value: &str, for_spreadsheets: bool| {
        let mut t = trial_with(0, TrialState::Completed, "val_loss", Some(0.5));
        t.params.insert("act".into(), ParamValue::Str(value.into()));
        t.params.insert("lr".into(), ParamValue::Float(-0.5));
        let all = [t];
        let effort = Effort::default();
        let judged = Judged::of(None, &all, &effort);
        let csv = if for_spreadsheets {
            trials_csv_for_spreadsheets(&all, &judged)
        } else {
            trials_csv(&all, &judged)
        };
        csv.lines().nth(1).unwrap_or_default().to_string()
    };
    for formula in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(1)"] {
        let plain = rows(formula, false);
        let safe = rows(formula, true);
        // The cell starts with `'`, quoted or not; the number is left as it is.
        assert!(safe.contains(",'") || safe.contains(",\"'"), "{safe}");
        assert!(safe.contains(",-0.5,"), "{safe}");
        // For programs, as it is.
        assert!(!plain.contains('\''), "{plain}");
    }
    assert_eq!(rows("relu", true), rows("relu", false));
}

#[test]
fn for_spreadsheets_a_reason_and_a_metric_name_that_read_as_formulas_are_text() {
    // An agent's journal carries any text as a reason or a metric's name.
    let mut t = trial_with(0, TrialState::Failed, "=1+1", Some(0.5));
    t.reason = Some("=HYPERLINK(\"http://x\")".into());
    let all = [t];
    let effort = Effort::default();
    let judged = Judged::of(None, &all, &effort);
    let safe = trials_csv_for_spreadsheets(&all, &judged);
    assert!(safe.contains(",\"'=HYPERLINK("), "{safe}");
    assert!(!trials_csv(&all, &judged).contains('\''));
    let curves = [(
        TrialId(0),
        BTreeMap::from([("=1+1".to_string(), vec![(Step(1), -0.5)])]),
    )];
    assert_eq!(
        curves_csv_for_spreadsheets("e", &curves),
        "experiment,trial,metric,step,value\ne,0,'=1+1,1,-0.5\n"
    );
    assert_eq!(
        curves_csv("e", &curves),
        "experiment,trial,metric,step,value\ne,0,=1+1,1,-0.5\n"
    );
}

/// Returns completed trials 0, 1, ... (val_loss 0.5), each with its `tag` parameter where
/// `tags` gives one.
fn tagged(tags: &[Option<&str>]) -> Vec<Trial> {
    (0u32..)
        .zip(tags)
        .map(|(id, tag)| {
            let mut t = trial_with(id, TrialState::Completed, "val_loss", Some(0.5));
            if let Some(tag) = tag {
                t.params
                    .insert("tag".into(), ParamValue::Str((*tag).into()));
            }
            t
        })
        .collect()
}

/// Returns the `tag` cell (the eighth) of each row of `csv` below its header.
fn tag_cells(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(7).unwrap_or_default().to_string())
        .collect()
}

#[test]
fn issue_an_empty_value_or_one_with_spaces_at_its_ends_is_quoted() {
    let trials = tagged(&[Some(""), Some(" sp"), Some("x "), Some("x"), None]);
    let effort = Effort::default();
    let judged = Judged::of(None, &trials, &effort);
    let tags = tag_cells(&trials_csv(&trials, &judged));
    assert_eq!(tags, ["\"\"", "\" sp\"", "\"x \"", "x", ""]);
}

#[test]
fn a_value_quoted_for_its_ends_is_quoted_after_a_spreadsheets_mark_too() {
    // For a spreadsheet, `=x ` is written after a `'`: its trailing space still quotes it. A
    // leading tab is no end once the `'` is before it.
    let trials = tagged(&[Some("=x "), Some(" sp"), Some(""), Some("\tx")]);
    let effort = Effort::default();
    let judged = Judged::of(None, &trials, &effort);
    let tags = tag_cells(&trials_csv_for_spreadsheets(&trials, &judged));
    assert_eq!(tags, ["\"'=x \"", "\" sp\"", "\"\"", "'\tx"]);
}

#[test]
fn issue_for_spreadsheets_two_values_are_never_written_alike_and_each_reads_back() {
    // `=x` and `'=x` were both written `'=x`: a value that starts with a `'` gets one more.
    let values = ["=x", "'=x", "''=x", "'abc", "abc", "'", "-1"];
    let trials = tagged(&values.map(Some));
    let effort = Effort::default();
    let judged = Judged::of(None, &trials, &effort);
    let tags = tag_cells(&trials_csv_for_spreadsheets(&trials, &judged));
    assert_eq!(tags, ["'=x", "''=x", "'''=x", "''abc", "abc", "''", "'-1"]);
    // A cell that starts with a `'` is one so guarded: taking one away gives the value.
    for (value, cell) in values.iter().zip(&tags) {
        let read = as_guarded_by_spreadsheets(cell).unwrap_or(cell);
        assert_eq!(read, *value, "{cell}");
    }
}

#[test]
fn issue_the_columns_are_the_specs_before_any_trial_reports_or_when_all_failed() {
    let yaml = "name: t\nmetric: [{name: val_loss}, {name: val_accuracy}]\n\
                data: {csv: d.csv, target: y}\nconstraints:\n  param_count: {max: 100}\n\
                parameters:\n  lr: {min: 0.001, max: 0.1}\n";
    let spec = ExperimentSpec::from_yaml_str(yaml, std::path::Path::new("t.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let effort = Effort::default();
    let header = "trial,state,reason,seed,best_epoch,epochs_trained,source,feasible,pareto,\
                  param.lr,metric.param_count,metric.val_accuracy,metric.val_loss,started,\
                  finished,duration_seconds";
    let none: [Trial; 0] = [];
    let csv = trials_csv(&none, &Judged::of(Some(&spec), &none, &effort));
    assert_eq!(csv, format!("{header}\n"));
    let mut failed = trial_with(0, TrialState::Failed, "val_loss", None);
    failed.params.insert("lr".into(), ParamValue::Float(0.01));
    let failed = [failed];
    let csv = trials_csv(&failed, &Judged::of(Some(&spec), &failed, &effort));
    assert_eq!(csv.lines().next(), Some(header), "{csv}");
    // A trial's own metric joins them, in name order.
    let done = [trial_with(
        0,
        TrialState::Completed,
        "train_loss",
        Some(0.5),
    )];
    let judged = Judged::of(Some(&spec), &done, &effort);
    let names: Vec<&str> = judged.metric_columns().iter().map(String::as_str).collect();
    assert_eq!(
        names,
        ["param_count", "train_loss", "val_accuracy", "val_loss"]
    );
}

/// Issue: `param_count`, a count, was exported as a float (`85002.0`) in the trials' CSV and
/// the curves'; it is written as the integer it is, and every other metric as before (a whole
/// `val_loss` keeps its `.0`).
#[test]
fn issue_a_count_is_exported_as_an_integer_and_other_metrics_as_floats() {
    let mut t = trial_with(0, TrialState::Completed, "val_loss", Some(3.0));
    if let Some(result) = t.result.as_mut() {
        result.metrics.insert("param_count".to_string(), 85002.0);
    }
    let effort = Effort::default();
    let csv = trials_csv(
        std::slice::from_ref(&t),
        &Judged::of(None, &[t.clone()], &effort),
    );
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert!(
        row.contains(&"85002") && row.contains(&"3.0") && !row.contains(&"85002.0"),
        "{csv}"
    );
    let series = BTreeMap::from([
        ("param_count".to_string(), vec![(Step(1), 85002.0)]),
        ("val_loss".to_string(), vec![(Step(1), 3.0)]),
    ]);
    assert_eq!(
        curves_csv("e", &[(TrialId(0), series)]),
        "experiment,trial,metric,step,value\ne,0,param_count,1,85002\ne,0,val_loss,1,3.0\n"
    );
}
