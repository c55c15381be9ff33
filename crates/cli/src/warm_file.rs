//! Reads a `warm_start: {csv: FILE}` file into the table `experiment` imports trials from: the
//! runner reads no file but the store, so `run` and `validate` read this one first.
//!
//! The file is read whole, as UTF-8 with an optional byte-order mark; CRLF line ends read as LF,
//! and blank lines are skipped, every row dated by the line it starts on. Cells are separated by commas, or by
//! semicolons or tabs where the header holds no comma (a spreadsheet's export in some locales).

use std::path::Path;

use anyhow::{bail, Context};
use experiment::{ExperimentSpec, ResultsRow, ResultsTable, WarmSource, WarmStarted};

/// Returns the trials `spec`'s `warm_start: {csv: ..}` file gives its search, with the rows
/// left out and why; `None` without such a file. Errors name the file, where the spec names it,
/// and what is wrong.
pub(crate) fn read(spec: &ExperimentSpec) -> anyhow::Result<Option<WarmStarted>> {
    let Some(w) = &spec.warm_start else {
        return Ok(None);
    };
    let WarmSource::Csv(file) = &w.source else {
        return Ok(None);
    };
    let at = format!(
        "warm_start.csv at {}:{}:{}",
        file.location.file.display(),
        file.location.line,
        file.location.column
    );
    let table = table(&file.value).with_context(|| at.clone())?;
    match w.import_table(spec, &table) {
        Ok(taken) => Ok(Some(taken)),
        Err(why) => bail!("{}: {why} ({at})", file.value.display()),
    }
}

/// Reads `path` as a table of results.
fn table(path: &Path) -> anyhow::Result<ResultsTable> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", path.display()))?;
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(&text)
        .replace("\r\n", "\n");
    let first = text.lines().next().unwrap_or_default();
    let separator = if first.contains(',') {
        b','
    } else if first.contains(';') {
        b';'
    } else if first.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: the header", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    if columns.iter().all(String::is_empty) {
        bail!(
            "{}: empty, expected a header row and a row per trial",
            path.display()
        );
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}", path.display()))?;
        rows.push(ResultsRow {
            line: record.position().map_or(0, |p| line_of(text.as_bytes(), p)),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(ResultsTable { columns, rows })
}

/// Returns the line a record starts on: the reader dates it where it began looking, which is
/// before any blank lines it skipped.
fn line_of(text: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let blank = text
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|b| **b == b'\n').count());
    position.line() + u64::try_from(blank).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_dated_by_their_line_whatever_the_line_ends_and_separators() {
        let dir = std::env::temp_dir().join(format!("sweep-warm-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let crlf = write(
            "crlf.csv",
            "\u{feff}lr, val_loss\r\n0.1,0.5\r\n\r\n0.2,\"0.4\"\r\n\n\n0.3,0.1\n",
        );
        let t = table(&crlf).unwrap();
        assert_eq!(t.columns, ["lr", "val_loss"]);
        let lines: Vec<(u64, Vec<String>)> =
            t.rows.iter().map(|r| (r.line, r.cells.clone())).collect();
        assert_eq!(
            lines,
            [
                (2, vec!["0.1".to_string(), "0.5".to_string()]),
                (4, vec!["0.2".to_string(), "0.4".to_string()]),
                (7, vec!["0.3".to_string(), "0.1".to_string()])
            ]
        );
        let semicolons = write("semi.csv", "lr;val_loss\n0,1;0,5\n");
        assert_eq!(table(&semicolons).unwrap().columns, ["lr", "val_loss"]);
        let empty = write("empty.csv", "");
        let why = table(&empty).unwrap_err().to_string();
        assert!(
            why.ends_with("empty, expected a header row and a row per trial"),
            "{why}"
        );
        let missing = table(&dir.join("none.csv")).unwrap_err().to_string();
        assert!(missing.starts_with("cannot read "), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
