//! The dashboard's CSV download for a spreadsheet as a warm start: its text values that a
//! spreadsheet would run as a formula, or that start with a `'`, are written after a `'`
//! (`crate::trials_csv_for_spreadsheets`), and are read back as the values they guard.

use crate::{Distribution, ExperimentSpec, ParamValue};

use super::ResultsTable;

/// Returns whether `table` is the dashboard's CSV download, whose text values are guarded
/// from a spreadsheet (`crate::trials_csv_for_spreadsheets` writes `=x` as `'=x`, and `'=x` as
/// `''=x`): whether a cell of one of `params` (those of `spec`'s categoricals) that starts with
/// a `'` is no listed value while that cell without its first `'` is one. A CSV for programs
/// (`sweep trials --format csv`) guards nothing, and a value of its that starts with a `'` is a
/// listed value as written, read as it is.
pub(super) fn guards_text(
    spec: &ExperimentSpec,
    params: &[(&str, usize)],
    table: &ResultsTable,
) -> bool {
    params.iter().any(|(name, at)| {
        let Some(Distribution::Categorical { values, .. }) =
            spec.space.param(name).map(|p| &p.distribution)
        else {
            return false;
        };
        let listed = |text: &str| values.iter().any(|v| v.as_str() == Some(text));
        table.rows.iter().any(|row| {
            let raw = row.cells.get(*at).map_or("", String::as_str);
            let Some(unguarded) = crate::export::as_guarded_by_spreadsheets(raw.trim_start())
            else {
                return false;
            };
            !listed(raw) && !listed(raw.trim()) && (listed(unguarded) || listed(unguarded.trim()))
        })
    })
}

/// Returns the value of a `values:` list that `raw`, a cell of a file that `guards_text`,
/// guards: the cell without its first `'` (as written, or trimmed), when that is a listed
/// value; `None` for a cell that starts with no `'`, which that file writes as it is.
pub(super) fn guarded_value(raw: &str, distribution: &Distribution) -> Option<ParamValue> {
    let Distribution::Categorical { values, .. } = distribution else {
        return None;
    };
    let unguarded = crate::export::as_guarded_by_spreadsheets(raw.trim_start())?;
    let listed = |text: &str| values.iter().find(|v| v.as_str() == Some(text)).cloned();
    listed(unguarded).or_else(|| listed(unguarded.trim()))
}
