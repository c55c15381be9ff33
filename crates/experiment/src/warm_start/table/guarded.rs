//! The dashboard's CSV download for a spreadsheet as a warm start: its text values that a
//! spreadsheet would run as a formula, or that start with a `'`, are written after a `'`
//! (`crate::trials_csv_for_spreadsheets`), and are read back as the values they guard.
//!
//! The rule is per cell and local, so no other row changes how a cell reads: a cell that
//! starts with a `'` is read as written where that is a listed value; else as the value it
//! guards (one `'` taken away) where that is one; else as written, no listed value (its row
//! left out, saying so). A CSV for programs (`sweep trials --format csv`) guards nothing, and
//! reads exactly as written. One ambiguity is left: where a list has both `=x` and `'=x`, the
//! download writes `=x` as `'=x`, which reads as `'=x` (and `'=x` as `''=x`, which reads as
//! `'=x` too); write such a file with `sweep trials --format csv` instead.
//!
//! Rejected: deciding once per file whether it is the download (a cell that reads as a value
//! only without its `'` proving it), because one cell then changed how every other `'` cell
//! of the file read, both ways.

use crate::{Distribution, ParamValue};

/// Returns the value of `distribution`'s `values:` list that `raw`, a cell, guards: the cell
/// without its first `'` (as written, or trimmed), where that is a listed value and the cell
/// as written (or trimmed) is none; `None` for any other cell, which is read as written.
pub(super) fn guarded_value(raw: &str, distribution: &Distribution) -> Option<ParamValue> {
    let Distribution::Categorical { values, .. } = distribution else {
        return None;
    };
    // As written first, so that a value with spaces at its ends (`"x "`) is not taken for
    // another (`"x"`).
    let exactly = |text: &str| values.iter().find(|v| v.as_str() == Some(text));
    let listed = |text: &str| exactly(text).or_else(|| exactly(text.trim()));
    let unguarded = crate::export::as_guarded_by_spreadsheets(raw.trim_start())?;
    match listed(raw) {
        Some(_) => None,
        None => listed(unguarded).cloned(),
    }
}

/// Says where a cell was read as the value it guards: `line 2: "'=x" as "=x"`.
pub(super) fn guarded_read(line: u64, raw: &str, value: &ParamValue) -> String {
    match value {
        ParamValue::Str(text) => format!("line {line}: {raw:?} as {text:?}"),
        other => format!("line {line}: {raw:?} as {other}"),
    }
}

/// Returns a note for each parameter with cells read as the values they guard, in `reads`
/// (its name, and `guarded_read`), so that a file not from the dashboard says so.
pub(super) fn guarded_notes(reads: &[(&str, String)]) -> Vec<String> {
    let mut by_param: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (param, read) in reads {
        by_param.entry(param).or_default().push(read.clone());
    }
    by_param
        .into_iter()
        .map(|(param, reads)| {
            format!(
                "{}`{param}` is read without the `'` that the dashboard's download for a \
                 spreadsheet writes before a value, where only that is a listed value: {}",
                super::NOTE,
                super::first_reasons(&reads)
            )
        })
        .collect()
}
