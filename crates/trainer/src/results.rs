//! A CSV file of earlier results (a `warm_start: {csv: ..}` file) read into the table
//! `experiment` imports trials from, by the reader of the data files (`csv_text`): the same
//! separators, line numbers and errors, placed at their row and line.

use std::path::Path;

use experiment::{ResultsRow, ResultsTable};

use crate::csv_text::CsvText;
use crate::Result;

/// Returns the header and rows of the CSV `text` of results, each row with the line it starts
/// on; a byte-order mark before the header is skipped. `path` names the file in errors.
pub fn results_table(text: &[u8], path: &Path) -> Result<ResultsTable> {
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
    let mut csv = CsvText::new(text, path)?;
    let columns = csv.header().to_vec();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while csv.read(&mut record)? {
        rows.push(ResultsRow {
            line: csv.line(),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(ResultsTable { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> std::result::Result<ResultsTable, String> {
        results_table(text.as_bytes(), Path::new("past.csv")).map_err(|e| e.to_string())
    }

    #[test]
    fn rows_are_dated_by_their_line_whatever_the_line_ends_and_separators() {
        let cells = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
        let text = "\u{feff}lr, val_loss\r\n0.1,0.5\r\n\r\n0.2,\"0.4\"\r\n\n\n0.3,0.1\n";
        let t = table(text).unwrap();
        assert_eq!(t.columns, ["lr", "val_loss"]);
        let rows: Vec<(u64, Vec<String>)> = t.rows.into_iter().map(|r| (r.line, r.cells)).collect();
        assert_eq!(
            rows,
            [
                (2, cells("0.1", "0.5")),
                (4, cells("0.2", "0.4")),
                (7, cells("0.3", "0.1"))
            ]
        );
        let semicolons = table("lr;val_loss\n0,1;0,5\n").unwrap();
        assert_eq!(semicolons.columns, ["lr", "val_loss"]);
        let why = table("").unwrap_err();
        assert!(
            why.starts_with("past.csv: the file is empty; expected a header row"),
            "{why}"
        );
    }
}
