//! A CSV file of earlier results (a `warm_start: {csv: ..}` file) read into the table
//! `experiment` imports trials from, by the reader of the data files (`csv_text`): the same
//! separators, line numbers and errors, placed at their row and line.
//!
//! Its cells are read otherwise than a data file's: a quoted cell is kept exactly as written
//! between its quotes (`" sp"`, `"x "`, and `""` the empty text, as `sweep export` quotes a
//! categorical value with spaces at its ends or none at all), an unquoted one trimmed.

use std::path::Path;

use experiment::{ResultsRow, ResultsTable};

use crate::csv_text::{Cells, CsvText};
use crate::Result;

/// Returns the header and rows of the CSV `text` of results, each row with the line it starts
/// on; a byte-order mark before the header is skipped. A quoted cell is kept as written between
/// its quotes, an unquoted one trimmed. `path` names the file in errors.
pub fn results_table(text: &[u8], path: &Path) -> Result<ResultsTable> {
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
    let mut csv = CsvText::with_cells(text, path, Cells::QuotedAsWritten)?;
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

    #[test]
    fn a_quoted_cell_is_read_as_written_and_an_unquoted_one_trimmed() {
        let cells = |text: &str| -> Vec<Vec<String>> {
            table(text)
                .map(|t| t.rows.into_iter().map(|r| r.cells).collect())
                .unwrap_or_else(|e| vec![vec![e]])
        };
        let owned = |row: &[&str]| row.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        // As `sweep export` writes values with spaces at their ends, and the empty one.
        assert_eq!(
            cells("param.kind,metric.loss\n\" sp\",  7 \n\"x \",0.5\n\"\",0.25\n,\"\"\n"),
            [
                owned(&[" sp", "7"]),
                owned(&["x ", "0.5"]),
                owned(&["", "0.25"]),
                owned(&["", ""])
            ]
        );
        // Quotes that hold a separator, a line break or a quote; text after the closing quote;
        // a quote inside an unquoted cell; CRLF lines.
        assert_eq!(
            cells("a,b\r\n\" a,b \",\"x\r\ny\"\r\n\r\n\"say \"\"hi\"\" \" ,  q\"r \r\n"),
            [
                owned(&[" a,b ", "x\r\ny"]),
                owned(&["say \"hi\"  ", "q\"r"])
            ]
        );
        // A quote after spaces does not open a quoted cell (the reader's parser reads it as
        // text); semicolons separate as commas do.
        assert_eq!(
            cells("a;b\n \" x \"; \"\" \n"),
            [owned(&["\" x \"", "\"\""])]
        );
        assert_eq!(cells("a;b\n\" x \";\"\"\n"), [owned(&[" x ", ""])]);
    }
}
