//! Tests of a warm start from the dashboard's CSV download for a spreadsheet, whose text
//! values that a spreadsheet would run are written after a `'`: each cell read on its own.

use super::*;

/// A search whose categorical `sel` has `values` (a YAML list, `plain` among them), some of
/// which a spreadsheet would run or start with the `'` that guards them, and a `momentum` only
/// `plain` has (`sel` is no knob: a `when:` tests it).
fn guarded_spec(values: &str) -> ExperimentSpec {
    let text = format!(
        "name: t\nmethod: tpe\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
         parameters:\n  lr: {{distribution: log_uniform_values, min: 1.0e-4, max: 1.0}}\n  \
         sel: {{values: {values}}}\n  \
         momentum: {{min: 0.0, max: 0.99, when: {{sel: [plain]}}}}\n"
    );
    ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml")).unwrap()
}

/// Each taken trial's `sel` from `rows` (`sel` cells) under `values`, and what was left out.
fn read_sels(values: &str, rows: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut csv = "trial,param.lr,param.momentum,param.sel,metric.val_loss\n".to_string();
    for (n, sel) in rows.iter().enumerate() {
        let momentum = if *sel == "plain" { "0.9" } else { "" };
        csv.push_str(&format!("{n},0.01,{momentum},{sel},0.5\n"));
    }
    let w = from_file(None)
        .import_table(&guarded_spec(values), &untrimmed(&csv))
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
    // As `trials_csv_for_spreadsheets` writes them; before the guard was read back,
    // `'=HYPERLINK(...)` was no value of the list and its row was left out.
    let values = r#"["=x", "'abc", "-1", "@SUM(1) ", plain]"#;
    let (sels, left_out) = read_sels(values, &["'=x", "''abc", "'-1", "'@SUM(1) ", "plain"]);
    assert_eq!(sels, ["=x", "'abc", "-1", "@SUM(1) ", "plain"]);
    assert_eq!(
        left_out,
        [
            "note: `sel` is read without the `'` that the dashboard's download for a \
             spreadsheet writes before a value, where only that is a listed value: line 2: \
             \"'=x\" as \"=x\"; line 3: \"''abc\" as \"'abc\"; line 4: \"'-1\" as \"-1\"; \
             and 1 more"
        ]
    );
}

#[test]
fn issue_a_listed_value_written_with_its_guard_reads_as_written_whatever_the_other_rows() {
    // (a) The download of `=x` where `'=x` is listed too writes `'=x`, which reads as the
    // listed `'=x` (the ambiguity the rule leaves, said in `guarded`'s docs) ...
    let values = r#"["=x", "'=x", plain]"#;
    let (sels, left_out) = read_sels(values, &["'=x", "'=x"]);
    assert_eq!(sels, ["'=x", "'=x"]);
    assert!(left_out.is_empty(), "{left_out:?}");
    // ... and still does beside a cell only its guard explains (`''=x`, the download of
    // `'=x`), which before made every `'` cell of the file read as the value it guards.
    let (sels, left_out) = read_sels(values, &["'=x", "'=x", "''=x"]);
    assert_eq!(sels, ["'=x", "'=x", "'=x"]);
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(
        left_out[0].ends_with(": line 4: \"''=x\" as \"'=x\""),
        "{left_out:?}"
    );
}

#[test]
fn issue_one_row_changes_how_no_other_row_reads() {
    // (b) Two rows of `'=x` read as `'=x`; a row `'a` (perhaps from another file), read as
    // `a`, made them read as `=x` before.
    let values = r#"["=x", "'=x", a, plain]"#;
    let (sels, _) = read_sels(values, &["'=x", "'=x"]);
    assert_eq!(sels, ["'=x", "'=x"]);
    let (sels, left_out) = read_sels(values, &["'=x", "'=x", "'a"]);
    assert_eq!(sels, ["'=x", "'=x", "a"]);
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(
        left_out[0].ends_with(": line 4: \"'a\" as \"a\""),
        "{left_out:?}"
    );
}

#[test]
fn issue_a_csv_for_programs_reads_as_written_where_a_value_starts_with_the_guard() {
    // `sweep trials --format csv` guards nothing: `'=x` there is the value `'=x`.
    let values = r#"["=x", "'=x", "'abc", "-1", "@SUM(1) ", plain]"#;
    let (sels, left_out) = read_sels(values, &["=x", "'=x", "'abc", "-1"]);
    assert_eq!(sels, ["=x", "'=x", "'abc", "-1"]);
    assert!(left_out.is_empty(), "{left_out:?}");
    // A value no list has, nor without its `'`, is said as written, guard and all.
    let (sels, left_out) = read_sels(values, &["'=y", "=x"]);
    assert_eq!(sels, ["=x"]);
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(
        left_out[0].starts_with("line 2: `sel` = \"'=y\": must be one of"),
        "{left_out:?}"
    );
}
