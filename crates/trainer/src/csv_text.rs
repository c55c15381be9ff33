//! CSV text with a header row, held in memory and read record by record, so that every problem
//! names the data row and the file line it is on.
//!
//! The `csv` crate dates each record at the place where it began looking for it. After a CRLF
//! terminator that place is the `\n` still on the line before (the `\r` ends the record), so its
//! line number is one short for every row of a file written on Windows. `line_of` walks from there
//! over the terminator bytes to the record's first byte.
//!
//! Nor does it say which cells were quoted. A file of results needs to know (`Cells`): `" sp"`
//! and `""` are values as written there, where `  7 ` is a number written with spaces.
//! `quoted_cells` scans the record's raw bytes again, as the reader's parser reads them.

use std::path::Path;

use crate::{Error, Result};

/// A CSV file's text being read: its header, and where the last record read is.
pub(crate) struct CsvText<'t> {
    text: &'t [u8],
    path: &'t Path,
    reader: csv::Reader<&'t [u8]>,
    header: Vec<String>,
    /// The separator the header showed, when not a comma (one of `SEPARATORS`).
    separator: Option<char>,
    /// Where the reader dated the last row read; its row and line are worked out from it only
    /// when a problem is reported.
    at: Option<csv::Position>,
    /// The columns never read (`data.exclude`), which may hold anything, text in another
    /// encoding included.
    unread: Vec<bool>,
    /// How the cells of a data row are read.
    cells: Cells,
}

/// How the cells of a data row are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cells {
    /// Trimmed of spaces at their ends, quoted or not: a data file's `" 7"` is the number 7.
    Trimmed,
    /// A quoted cell exactly as written between its quotes (`" sp"` keeps its space, `""` is
    /// the empty text), an unquoted one trimmed: a file of results, whose categorical values
    /// may have spaces at their ends.
    QuotedAsWritten,
}

impl<'t> CsvText<'t> {
    /// Reads the header (cells trimmed) of `text`; `path` names the source in errors. Text
    /// without a header (an empty file) is an error.
    ///
    /// Cells are separated by commas, unless the header read that way is one column holding a
    /// semicolon, a tab or a bar: then by that (spreadsheets in many locales save "CSV" with
    /// semicolons, and some data sets come tab-separated).
    pub(crate) fn new(text: &'t [u8], path: &'t Path) -> Result<CsvText<'t>> {
        CsvText::with_cells(text, path, Cells::Trimmed)
    }

    /// Reads the header of `text` as `new` does, its data rows' cells to be read as `cells`
    /// says.
    pub(crate) fn with_cells(text: &'t [u8], path: &'t Path, cells: Cells) -> Result<CsvText<'t>> {
        // Files that are not text at all, as a spreadsheet or a download leaves them: said so
        // rather than as a header cell that is not UTF-8.
        let not_text = match text {
            [0x1f, 0x8b, ..] => Some("is gzip-compressed; un-gzip it (`gunzip FILE`) first"),
            [0xff, 0xfe, ..] | [0xfe, 0xff, ..] => Some(
                "is UTF-16 text (a spreadsheet's \"Unicode text\"); save it as UTF-8 (\"CSV \
                 UTF-8\")",
            ),
            [b'P', b'K', 3, 4, ..] => Some(
                "is a zip archive (an .xlsx workbook, or a zipped file); export the sheet as \
                 CSV UTF-8, or unzip it",
            ),
            _ => None,
        };
        if let Some(what) = not_text {
            return Err(Error::Csv {
                path: path.to_path_buf(),
                message: format!("the file {what}"),
            });
        }
        let trim = match cells {
            Cells::Trimmed => csv::Trim::All,
            Cells::QuotedAsWritten => csv::Trim::Headers,
        };
        let (mut reader, mut header) = read_header(text, path, b',', trim)?;
        if header.iter().all(String::is_empty) {
            return Err(Error::Csv {
                path: path.to_path_buf(),
                message: "the file is empty; expected a header row naming the columns, then \
                          one row per example"
                    .to_string(),
            });
        }
        let separator = match header.as_slice() {
            [only] => SEPARATORS
                .into_iter()
                .find(|c| only.contains(char::from(*c))),
            _ => None,
        };
        if let Some(separator) = separator {
            (reader, header) = read_header(text, path, separator, trim)?;
        }
        Ok(CsvText {
            text,
            path,
            reader,
            header,
            separator: separator.map(char::from),
            at: None,
            unread: Vec::new(),
            cells,
        })
    }

    /// Marks the columns at `columns` as never read: their cells need not be text.
    pub(crate) fn leave_unread(&mut self, columns: impl IntoIterator<Item = usize>) {
        self.unread = vec![false; self.header.len()];
        for column in columns {
            if let Some(flag) = self.unread.get_mut(column) {
                *flag = true;
            }
        }
    }

    /// The header's column names.
    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// The separator other than a comma that the file is read with, if any.
    pub(crate) fn separator(&self) -> Option<char> {
        self.separator
    }

    /// Reads the next data row into `record`; false at the end of the text.
    pub(crate) fn read(&mut self, record: &mut csv::StringRecord) -> Result<bool> {
        // Read as bytes into the record's own buffer, and made text in place when every cell is
        // UTF-8, as nearly always; a row with a cell that is not is decoded cell by cell.
        let mut bytes = std::mem::take(record).into_byte_record();
        let more = self
            .reader
            .read_byte_record(&mut bytes)
            .map_err(|e| read_error(self.text, self.path, &e))?;
        self.at = bytes.position().cloned();
        if more && self.cells == Cells::QuotedAsWritten {
            let start = self.at.as_ref().map_or(0, csv::Position::byte);
            let start = usize::try_from(start).unwrap_or(usize::MAX);
            let separator = self
                .separator
                .map_or(b',', |c| u8::try_from(c).unwrap_or(b','));
            let mut quoted = quoted_cells(self.text, start, separator);
            quoted.resize(bytes.len(), false);
            // Trimmed as the reader trims (ASCII spaces), but for the quoted cells.
            let mut kept = csv::ByteRecord::with_capacity(bytes.as_slice().len(), bytes.len());
            for (cell, quoted) in bytes.iter().zip(quoted) {
                kept.push_field(if quoted { cell } else { cell.trim_ascii() });
            }
            kept.set_position(self.at.clone());
            bytes = kept;
        }
        match csv::StringRecord::from_byte_record(bytes) {
            Ok(text) => *record = text,
            Err(e) => self.decode_cells(&e.into_byte_record(), record)?,
        }
        Ok(more)
    }

    /// Decodes a row whose cells are not all UTF-8 into `record`: a cell of a column never read
    /// becomes empty, any other is an error naming its column.
    fn decode_cells(&self, bytes: &csv::ByteRecord, record: &mut csv::StringRecord) -> Result<()> {
        record.clear();
        for (column, cell) in bytes.iter().enumerate() {
            match std::str::from_utf8(cell) {
                Ok(text) => record.push_field(text),
                Err(_) if self.unread.get(column).copied().unwrap_or(false) => {
                    record.push_field("");
                }
                Err(_) => {
                    return Err(Error::Csv {
                        path: self.path.to_path_buf(),
                        message: format!(
                            "row {} (line {}), column `{}`: the cell is not UTF-8 text; {}",
                            self.row(),
                            self.line(),
                            self.header.get(column).map_or("", String::as_str),
                            NOT_UTF8
                        ),
                    })
                }
            }
        }
        Ok(())
    }

    /// Returns the error for the cell of the last row read in `column`.
    pub(crate) fn malformed(&self, column: usize, message: String) -> Error {
        Error::MalformedCell {
            path: self.path.to_path_buf(),
            row: self.row(),
            line: self.line(),
            column: self.header.get(column).cloned().unwrap_or_default(),
            message,
        }
    }

    /// The data row last read, counted from 1 after the header (the header is record 0).
    fn row(&self) -> u64 {
        self.at.as_ref().map_or(0, csv::Position::record)
    }

    /// The line the last row read starts on, counted from 1 (the header is line 1).
    pub(crate) fn line(&self) -> u64 {
        self.at.as_ref().map_or(1, |p| line_of(self.text, p))
    }
}

/// What to do about a file that is not UTF-8, as spreadsheets and older tools save it.
const NOT_UTF8: &str = "save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\"), or list a \
                        column the model does not need in `data.exclude`";

/// The separators other than a comma that a file's header can show.
pub(crate) const SEPARATORS: [u8; 3] = [b';', b'\t', b'|'];

/// Returns a reader of `text` whose cells are separated by `separator` and trimmed as `trim`
/// says, and its header.
fn read_header<'t>(
    text: &'t [u8],
    path: &Path,
    separator: u8,
    trim: csv::Trim,
) -> Result<(csv::Reader<&'t [u8]>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .delimiter(separator)
        .trim(trim)
        .from_reader(text);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| read_error(text, path, &e))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((reader, header))
}

/// Returns the error for what the CSV reader could not read in `text`, placed at its row and line.
fn read_error(text: &[u8], path: &Path, e: &csv::Error) -> Error {
    let place = |position: &csv::Position| match position.record() {
        0 => "the header (line 1)".to_string(),
        row => format!("row {row} (line {})", line_of(text, position)),
    };
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos: Some(position),
            expected_len,
            len,
        } => {
            // The record's line (the reader dates it at the line break before it, after CRLF).
            let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
            let rest = text.get(start..).unwrap_or_default();
            let rest = &rest[rest
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count()..];
            let line = rest
                .split(|&b| b == b'\n' || b == b'\r')
                .next()
                .unwrap_or_default();
            // A quote left open swallows the line breaks after it into one cell.
            let open_quote = line.iter().filter(|&&b| b == b'"').count() % 2 == 1;
            let hint = if open_quote {
                "; a `\"` on that line opens a quoted cell that is never closed, which runs on \
                 over the next lines"
            } else if !line.is_empty() && line.iter().all(u8::is_ascii_whitespace) {
                "; the line holds only spaces: delete it"
            } else if len > expected_len
                && line
                    .last()
                    .is_some_and(|b| [b',', b';', b'\t', b'|'].contains(b))
            {
                "; the line ends with a separator, which makes an empty last cell: remove the \
                 trailing separators"
            } else {
                ""
            };
            format!(
                "{}: {}, but the header has {expected_len}{hint}",
                place(position),
                experiment::counted(*len, "cell", "cells"),
            )
        }
        csv::ErrorKind::Utf8 {
            pos: Some(position),
            err,
        } => format!(
            "{}: cell {} is not UTF-8 text; {}",
            place(position),
            err.field() + 1,
            if position.record() == 0 {
                "save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\")"
            } else {
                NOT_UTF8
            }
        ),
        _ => e.to_string(),
    };
    Error::Csv {
        path: path.to_path_buf(),
        message,
    }
}

/// Returns which cells of the record that the reader dated at byte `start` of `text` are quoted,
/// reading them as the reader's parser does (its defaults: `"` quotes, `""` inside a quoted cell
/// is one quote, no escape character, no comments): a cell is quoted when it opens with `"`, and
/// runs, after the quote that closes it, to the next separator or line break.
fn quoted_cells(text: &[u8], start: usize, separator: u8) -> Vec<bool> {
    let mut bytes = text.get(start..).unwrap_or_default().iter().peekable();
    // The reader dates a record at the line break before it (after CRLF, or blank lines).
    while bytes.next_if(|b| matches!(b, b'\r' | b'\n')).is_some() {}
    let mut quoted = Vec::new();
    loop {
        let opens = bytes.next_if_eq(&&b'"').is_some();
        quoted.push(opens);
        if opens {
            while let Some(&b) = bytes.next() {
                if b == b'"' && bytes.next_if_eq(&&b'"').is_none() {
                    break;
                }
            }
        }
        loop {
            match bytes.next() {
                None | Some(b'\r' | b'\n') => return quoted,
                Some(&b) if b == separator => break,
                Some(_) => {}
            }
        }
    }
}

/// Returns the line of the record the reader dated at `position`: its line, plus the line breaks
/// between there and the record's first byte.
///
/// The reader counts `\n` alone, so in a file whose lines end in a lone `\r` (a spreadsheet's
/// "CSV (Macintosh)") every record would be on line 1: before the first `\n`, the lone `\r`s
/// before the record count as the breaks they are.
fn line_of(text: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let after = text.get(start..).unwrap_or_default();
    let is_break = |b: &&u8| matches!(b, b'\r' | b'\n');
    let breaks = after.iter().take_while(is_break).filter(|b| **b == b'\n');
    let mut line = position.line() + u64::try_from(breaks.count()).unwrap_or(0);
    if position.line() == 1 {
        let before = text.get(..start).unwrap_or(text);
        let lone_cr = |(i, b): (usize, &u8)| *b == b'\r' && text.get(i + 1) != Some(&b'\n');
        let at_start = after.iter().take_while(is_break).enumerate();
        let crs = before.iter().enumerate().filter(|&x| lone_cr(x)).count()
            + at_start.filter(|&(i, b)| lone_cr((start + i, b))).count();
        line += u64::try_from(crs).unwrap_or(0);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` to the end and returns the (row, line) of each record, or the error.
    fn places(text: &str) -> std::result::Result<Vec<(u64, u64)>, String> {
        let mut csv =
            CsvText::new(text.as_bytes(), Path::new("x.csv")).map_err(|e| e.to_string())?;
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while csv.read(&mut record).map_err(|e| e.to_string())? {
            out.push((csv.row(), csv.line()));
        }
        Ok(out)
    }

    #[test]
    fn a_file_that_is_not_text_says_what_it_is() {
        for (bytes, said) in [
            (&[0x1f, 0x8b, 8, 0][..], "is gzip-compressed"),
            (&[0xff, 0xfe, b'a', 0][..], "is UTF-16 text"),
            (&[b'P', b'K', 3, 4, 20][..], "is a zip archive"),
        ] {
            let err = CsvText::new(bytes, Path::new("x.csv"))
                .err()
                .map(|e| e.to_string());
            assert!(
                err.as_deref()
                    .is_some_and(|e| e.starts_with(&format!("x.csv: the file {said}"))),
                "{err:?}"
            );
        }
    }

    #[test]
    fn lines_ended_by_a_lone_carriage_return_are_counted() {
        assert_eq!(
            places("a,b\r1,2\r3,4\r\r5,6\r"),
            Ok(vec![(1, 2), (2, 3), (3, 5)])
        );
        let err = CsvText::new("a,b\r1,2\r3\r".as_bytes(), Path::new("x.csv"))
            .and_then(|mut csv| {
                let mut record = csv::StringRecord::new();
                while csv.read(&mut record)? {}
                Ok(())
            })
            .map_err(|e| e.to_string());
        assert!(
            err.as_ref().is_err_and(|e| e.contains("row 2 (line 3)")),
            "{err:?}"
        );
    }

    #[test]
    fn lines_are_counted_alike_with_any_line_ending() {
        let want = vec![(1, 2), (2, 3), (3, 5)];
        assert_eq!(places("a,b\n1,2\n3,4\n\n5,6\n"), Ok(want.clone()));
        assert_eq!(places("a,b\r\n1,2\r\n3,4\r\n\r\n5,6\r\n"), Ok(want.clone()));
        // A quoted cell may hold a line break: the next row starts a line later.
        assert_eq!(
            places("a,b\r\n\"x\r\ny\",2\r\n3,4\r\n"),
            Ok(vec![(1, 2), (2, 4)])
        );
    }

    #[test]
    fn a_short_row_is_placed_by_row_and_line() {
        assert_eq!(
            places("a,b,y\r\n1,2,0\r\n3,4,1\r\n5,6\r\n"),
            Err("x.csv: row 3 (line 4): 2 cells, but the header has 3".to_string())
        );
        assert_eq!(
            places("a,b,y\n1,2,0\n5,6,7,8\n"),
            Err("x.csv: row 2 (line 3): 4 cells, but the header has 3".to_string())
        );
        assert_eq!(
            places("a,b,y\n1,2,0\n3,\"4,1\n5,6,0\n"),
            Err("x.csv: row 2 (line 3): 2 cells, but the header has 3; a `\"` on that line opens a \
                 quoted cell that is never closed, which runs on over the next lines"
                .to_string())
        );
        // Also after a CRLF, where the reader dates the row at the line break before it.
        assert!(places("a,b,y\r\n1,2,0\r\n3,\"4,1\r\n5,6,0\r\n")
            .is_err_and(|e| e.contains("opens a quoted cell that is never closed")));
        // A line of spaces, and a trailing separator, are named.
        assert!(places("a,b,y\n1,2,0\n   \n5,6,0\n")
            .is_err_and(|e| e
                .ends_with("1 cell, but the header has 3; the line holds only spaces: delete it")));
        assert!(places("a,b,y\r\n1,2,0,\r\n")
            .is_err_and(|e| e.ends_with("4 cells, but the header has 3; the line ends with a separator, which makes an empty last cell: remove the trailing separators")));
    }

    #[test]
    fn invalid_utf8_is_placed_by_row_line_and_column_unless_the_column_is_never_read() {
        let mut text = b"a,b\r\n1,2\r\n3,caf".to_vec();
        text.extend([0xe9, b'\r', b'\n']);
        let read = |unread: &[usize]| {
            CsvText::new(&text, Path::new("x.csv"))
                .and_then(|mut csv| {
                    csv.leave_unread(unread.iter().copied());
                    let mut record = csv::StringRecord::new();
                    let mut rows = Vec::new();
                    while csv.read(&mut record)? {
                        rows.push(record.iter().collect::<Vec<_>>().join("|"));
                    }
                    Ok(rows.join(" "))
                })
                .unwrap_or_else(|e| e.to_string())
        };
        assert_eq!(
            read(&[]),
            "x.csv: row 2 (line 3), column `b`: the cell is not UTF-8 text; save the file as \
             UTF-8 (a spreadsheet's \"CSV UTF-8\"), or list a column the model does not need in \
             `data.exclude`"
        );
        // An excluded column may hold anything: its cells are not decoded.
        assert_eq!(read(&[1]), "1|2 3|");
        let err = CsvText::new(b"a,\xff\n1,2\n", Path::new("x.csv"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "x.csv: the header (line 1): cell 2 is not UTF-8 text; save the file as UTF-8 (a \
                 spreadsheet's \"CSV UTF-8\")"
            )
        );
    }

    #[test]
    fn a_file_separated_by_semicolons_tabs_or_bars_is_read_as_such() {
        for text in [
            "a;b;y\n1;2;0\n\n3;4;1\n",
            "a\tb\ty\r\n1\t2\t0\r\n\r\n3\t4\t1\r\n",
            "a|b|y\n1|2|0\n\n3|4|1\n",
        ] {
            let csv = CsvText::new(text.as_bytes(), Path::new("x.csv"));
            let header = csv.as_ref().map(|c| c.header().to_vec()).ok();
            assert_eq!(
                header,
                Some(vec!["a".into(), "b".into(), "y".into()]),
                "{text:?}"
            );
            let separator = csv.as_ref().ok().and_then(CsvText::separator);
            assert_eq!(separator, text.chars().nth(1), "{text:?}");
            assert_eq!(places(text), Ok(vec![(1, 2), (2, 4)]), "{text:?}");
        }
        // A comma in a semicolon file's cell is the cell's (a decimal comma, a list).
        let mut csv = CsvText::new(b"a;y\n7,4;0\n", Path::new("x.csv")).ok();
        let mut record = csv::StringRecord::new();
        let read = csv.as_mut().map(|c| c.read(&mut record).ok());
        assert_eq!(read, Some(Some(true)));
        assert_eq!(record.get(0), Some("7,4"));
        // A header that splits on commas keeps commas, even with semicolons in its names.
        assert_eq!(places("a;1,y\n1,0\n2;3,1\n").map(|p| p.len()), Ok(2));
        // A row that is short under the detected separator is placed like any other.
        assert_eq!(
            places("a;b;y\n1;2;0\n1,2,0\n"),
            Err("x.csv: row 2 (line 3): 1 cell, but the header has 3".to_string())
        );
        let comma = CsvText::new(b"a,y\n1,0\n", Path::new("x.csv")).ok();
        assert_eq!(comma.as_ref().map(CsvText::separator), Some(None));
        // One column without a separator in it is left to the caller to judge.
        assert_eq!(places("y\n1\n"), Ok(vec![(1, 2)]));
    }
}
