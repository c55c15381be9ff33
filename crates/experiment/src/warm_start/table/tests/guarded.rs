//! Tests of a warm start from the dashboard's CSV download for a spreadsheet, whose text
//! values that a spreadsheet would run are written after a `'`.

use super::*;

/// A search whose categorical `sel` has values a spreadsheet would run, or that start with
/// the `'` that guards them (a name that is no knob, tested by a `when:`).
fn guarded_spec() -> ExperimentSpec {
    let text = "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                parameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0}\n  \
                sel: {values: [\"=x\", \"'=x\", \"'abc\", \"-1\", \"@SUM(1) \", plain]}\n  \
                momentum: {min: 0.0, max: 0.99, when: {sel: [plain]}}\n";
    ExperimentSpec::from_yaml_str(text, Path::new("s.yaml")).unwrap()
}

/// Each taken trial's `sel`, as `taken` writes it.
fn read_sels(csv: &str) -> (Vec<String>, Vec<String>) {
    let w = from_file(None)
        .import_table(&guarded_spec(), &untrimmed(csv))
        .unwrap();
    let taken = w
        .trials
        .iter()
        .map(|t| t.params.get("sel").map_or("-".into(), ToString::to_string))
        .collect();
    (taken, w.left_out)
}

#[test]
fn issue_the_dashboards_download_reads_back_as_the_values_it_guards() {
    // As `trials_csv_for_spreadsheets` writes them: `=x` and `'=x` told apart, `'=x` and
    // `''=x`; before, `'=HYPERLINK(...)` was no value of the list and its row was left out.
    let csv = "trial,param.lr,param.momentum,param.sel,metric.val_loss\n\
               0,0.01,,'=x,0.5\n\
               1,0.01,,''=x,0.4\n\
               2,0.01,,''abc,0.3\n\
               3,0.01,,'-1,0.2\n\
               4,0.01,,'@SUM(1) ,0.1\n\
               5,0.01,0.9,plain,0.6\n";
    let (sels, left_out) = read_sels(csv);
    assert_eq!(sels, ["=x", "'=x", "'abc", "-1", "@SUM(1) ", "plain"]);
    assert!(left_out.is_empty(), "{left_out:?}");
}

#[test]
fn issue_a_csv_for_programs_reads_as_written_where_a_value_starts_with_the_guard() {
    // `sweep trials --format csv` guards nothing: `'=x` there is the value `'=x`.
    let csv = "trial,param.lr,param.sel,metric.val_loss\n\
               0,0.01,=x,0.5\n\
               1,0.01,'=x,0.4\n\
               2,0.01,'abc,0.3\n\
               3,0.01,-1,0.2\n";
    let (sels, left_out) = read_sels(csv);
    assert_eq!(sels, ["=x", "'=x", "'abc", "-1"]);
    assert!(left_out.is_empty(), "{left_out:?}");
    // A value no list has is said as written, guard and all.
    let csv = "trial,param.lr,param.sel,metric.val_loss\n0,0.01,'=y,0.5\n1,0.01,=x,0.4\n";
    let (sels, left_out) = read_sels(csv);
    assert_eq!(sels, ["=x"]);
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(
        left_out[0].starts_with("line 2: `sel` = \"'=y\": must be one of"),
        "{left_out:?}"
    );
}
