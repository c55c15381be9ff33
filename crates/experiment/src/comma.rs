//! Numbers written with a comma (`0,005`, `1,234`, as a spreadsheet in many locales saves
//! them): said with how to write them, for the data files' cells (`trainer`) and a table of
//! results' (`warm_start`) alike.

/// Returns " (write `7.4`: ...)" for a cell like `7,4`, a number with a decimal comma, and
/// " (... thousands ...)" for one like `1,234,567`, whose commas group thousands (`1,234` may
/// be either); else "".
#[must_use]
pub fn decimal_comma_hint(cell: &str) -> String {
    match (decimal_comma(cell), thousands(cell)) {
        (Some(dotted), Some(plain)) => format!(
            " (numbers are read with a decimal point and without thousands separators: write \
             `{plain}` if the comma separates thousands, `{dotted}` if it is a decimal comma)"
        ),
        (None, Some(plain)) => {
            format!(" (write `{plain}`: numbers are read without thousands separators)")
        }
        (Some(dotted), None) => {
            format!(" (write `{dotted}`: numbers are read with a decimal point, not a comma)")
        }
        (None, None) => String::new(),
    }
}

/// Returns `7.4` for a cell like `7,4`, a number written with a decimal comma.
#[must_use]
pub fn decimal_comma(cell: &str) -> Option<String> {
    let dotted = cell.replacen(',', ".", 1);
    let one_comma = cell.matches(',').count() == 1;
    (one_comma && dotted.parse::<f64>().is_ok_and(f64::is_finite)).then_some(dotted)
}

/// Returns `1234567` for a cell like `1,234,567` or `-1,234.5`: a number whose commas group
/// its whole part's digits in threes.
#[must_use]
pub fn thousands(cell: &str) -> Option<String> {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut groups = whole.split(',');
    let head = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let grouped = (1..=3).contains(&head.len())
        && digits(head)
        && whole.contains(',')
        && groups.all(|g| g.len() == 3 && digits(g))
        && digits(fraction);
    let plain = cell.replace(',', "");
    grouped
        .then_some(plain)
        .filter(|p| p.parse::<f64>().is_ok_and(f64::is_finite))
}
