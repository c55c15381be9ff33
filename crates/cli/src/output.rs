//! Tables and JSON for people and machines. Only this module knows their formats; the CSV of
//! trials and curves is `experiment`'s (`trials_csv`, `curves_csv`), which the dashboard's
//! downloads write too.

mod diff;
mod experiments;
mod export;
mod gate;
mod leaderboard;
mod record;
mod running;
mod trial;
mod trials_json;

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

pub(crate) use diff::line_diff;
pub(crate) use experiments::{
    experiment_header, experiment_json, experiments_kept, experiments_with, importance,
};
pub(crate) use export::{csv_to, series_json, SeriesRow, CSV_ESCAPED};
pub(crate) use gate::{
    baseline_written, gate_report, recorded as baseline_recorded, GateHeader, GateNote,
    SPEC_CHANGED,
};
pub(crate) use leaderboard::{kept_in_order, leaderboard, trials_table};
pub(crate) use record::{run_record, run_record_details, run_record_unreadable};
pub(crate) use running::{runs_now, Running};
pub(crate) use trial::{trial_card, trials_side_by_side, Shown};
pub(crate) use trials_json::trials_json;

/// Formats metric `name`'s value as the dashboard does: a count (`param_count`,
/// `experiment::CONSTANT_METRICS`) without decimals, any other as `experiment::metric_text`
/// does (`experiment::named_metric_text`); every value the cli prints has its metric's name.
pub(crate) use experiment::named_metric_text as named_metric;

/// Returns `text` as a terminal may be sent it: every C0 and C1 control character (escape,
/// bell, newline, tab, delete and the rest) and every bidirectional override, embedding and
/// isolate written as a Rust escape such as `\u{1b}`, the rest as it is.
///
/// Text that came from a file or a journal (a description, a failure's reason, a categorical
/// value, a class label, a name) goes through here before it reaches the terminal: raw, an
/// escape sequence could recolour the screen, retitle the window or hide what follows, and a
/// right-to-left override could make a line read as something else.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if hidden(ch) {
            shown.extend(ch.escape_unicode());
        } else {
            shown.push(ch);
        }
    }
    Cow::Owned(shown)
}

/// Returns a path as `visible` writes text: one named on the command line (`--store DIR`, a
/// file) may hold any byte, and a line that says where results are shows it, not runs it.
pub(crate) fn visible_path(path: &Path) -> String {
    visible(&path.display().to_string()).into_owned()
}

/// Returns `text` as one word of a command the user may paste (a suggested `--store DIR`):
/// `experiment::shell_quote`'s word where `visible` would show `text` as it is, else the word
/// in ANSI-C quoting, `$'st\e[31mred'`, which bash and zsh read back as `text`: every character
/// `visible` would escape is written as an escape that quoting understands (`\e`, `\n`,
/// `\x01`, and a character past ASCII as its UTF-8 bytes, `\xe2\x80\xae`, which every locale
/// reads back), so the command shows no control character and still names the path.
/// Shell-quoted and then made visible, such a word named another folder.
pub(crate) fn shell_word(text: &str) -> String {
    use std::fmt::Write as _;
    if !text.chars().any(hidden) {
        return experiment::shell_quote(text);
    }
    // As `shell_quote` does: a word that starts with a dash is not taken for an option.
    let dashed = if text.starts_with('-') { "./" } else { "" };
    let mut word = format!("$'{dashed}");
    for ch in text.chars() {
        match ch {
            '\\' => word.push_str("\\\\"),
            '\'' => word.push_str("\\'"),
            '\u{1b}' => word.push_str("\\e"),
            '\n' => word.push_str("\\n"),
            '\t' => word.push_str("\\t"),
            '\r' => word.push_str("\\r"),
            c if hidden(c) && c.is_ascii() => {
                let _ = write!(word, "\\x{:02x}", u32::from(c));
            }
            // Its UTF-8 bytes, not `\u`: bash expands `\u` only in a UTF-8 locale, and
            // leaves the text `\u202e` under `LC_ALL=C`; `\xHH` reads back in every locale.
            c if hidden(c) => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).as_bytes() {
                    let _ = write!(word, "\\x{byte:02x}");
                }
            }
            c => word.push(c),
        }
    }
    word.push('\'');
    word
}

/// Returns `text` as `visible` writes it, line by line: its newlines kept as line breaks (an
/// error's several lines), every other control character shown. For text that mixes the
/// command's own lines with what files or journals hold, such as an error's chain.
pub(crate) fn visible_lines(text: &str) -> String {
    text.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// Returns whether `ch` acts on a terminal or does not show as itself: a C0 or C1 control
/// character (`char::is_control`), or an invisible one (`leaderboard::cells::invisible`: a
/// format character such as a zero-width space or a bidirectional override, a space other than
/// U+0020, a line or paragraph separator).
fn hidden(ch: char) -> bool {
    ch.is_control() || leaderboard::cells::invisible(ch)
}

/// Writes aligned columns: text left-aligned, numbers right-aligned.
///
/// Every cell goes through `visible`: names, categorical values and labels come from files.
fn table(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    let header: Vec<String> = header.iter().map(|c| visible(c).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    let (header, rows) = (&header[..], &rows[..]);
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .chain(std::iter::once(&header[c]))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let w = widths[c];
            // A value marked `!` (it breaks a constraint) is still a number.
            let number = cell.strip_suffix('!').unwrap_or(cell);
            let numeric = number.parse::<f64>().is_ok() || cell == "-";
            if numeric {
                s.push_str(&format!("{cell:>w$}  "));
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header)?;
    for row in rows {
        line(out, row)?;
    }
    Ok(())
}

/// Returns `n` trials side by side in words: `2 trials side by side`, `one trial at a time`.
pub(crate) fn trials_at_once(n: u32) -> String {
    match n {
        1 => "one trial at a time".to_string(),
        n => format!("{n} trials side by side"),
    }
}

#[cfg(test)]
mod tests {
    use experiment::Effort;
    use store::ExperimentInfo;

    use super::*;

    #[test]
    fn issue_a_suggested_word_with_control_characters_is_written_in_ansi_c_quoting() {
        // Quoted as before where nothing is hidden.
        assert_eq!(shell_word("st"), "st");
        assert_eq!(shell_word("my store"), "'my store'");
        // Shown and still naming the path: `$'st\e[31mred'` is `st`, ESC, `[31mred` in bash.
        assert_eq!(shell_word("st\u{1b}[31mred"), r"$'st\e[31mred'");
        assert_eq!(
            shell_word("a'b\\c\nd\t\u{7}\u{7f}\u{9b}\u{202e}é"),
            r"$'a\'b\\c\nd\t\x07\x7f\xc2\x9b\xe2\x80\xaeé'"
        );
        assert_eq!(shell_word("-x\u{1b}"), r"$'./-x\e'");
        for word in [shell_word("st\u{1b}[31mred"), shell_word("a\u{202e}b\n")] {
            assert!(!word.chars().any(hidden), "{word}");
            assert_eq!(visible(&word), word);
        }
        // bash reads the word back as the text in any locale (`\u` only in a UTF-8 one).
        let text = "st\u{1b}\u{9b}\u{202e}é";
        let read = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s {}", shell_word(text))])
            .env("LC_ALL", "C")
            .output();
        if let Ok(read) = read {
            assert_eq!(read.stdout, text.as_bytes());
        }
    }

    #[test]
    fn metrics_have_four_decimals_and_huge_ones_an_exponent() {
        // A metric that is no count; `param_count`'s are whole numbers.
        assert_eq!(named_metric("param_count", Some(49.0)), "49");
        assert_eq!(named_metric("val_loss", Some(0.98051)), "0.9805");
        assert_eq!(named_metric("val_loss", Some(123_456.7)), "123456.7000");
        assert_eq!(named_metric("val_loss", Some(1.1677e26)), "1.1677e26");
        assert_eq!(named_metric("val_loss", Some(-2.5e7)), "-2.5000e7");
        assert_eq!(named_metric("val_loss", Some(f64::NAN)), "NaN");
        assert_eq!(named_metric("val_loss", None), "-");
    }

    #[test]
    fn numbers_align_right_also_when_marked() {
        let mut out = Vec::new();
        let rows = [
            vec!["1".to_string(), "39775!".to_string(), "adam".to_string()],
            vec!["12".to_string(), "610".to_string(), "sgd".to_string()],
        ];
        let header = ["trial", "param_count", "optimizer"].map(String::from);
        table(&mut out, &header, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "trial  param_count  optimizer\n\
             \x20   1       39775!  adam\n\
             \x20  12          610  sgd\n"
        );
    }

    #[test]
    fn text_from_files_reaches_the_terminal_without_its_controls() {
        // An escape sequence, a window title (OSC ... BEL), a C1 control, a right-to-left
        // override and an isolate, a newline that would forge a line, and text that stays.
        let raw = "d\u{1b}[31mRED\u{1b}]0;T\u{7}\u{9b}2J\u{202e}gpj.exe\u{2066}x\nfake é 中";
        assert_eq!(
            visible(raw),
            "d\\u{1b}[31mRED\\u{1b}]0;T\\u{7}\\u{9b}2J\\u{202e}gpj.exe\\u{2066}x\\u{a}fake é 中"
        );
        assert!(matches!(visible("plain é"), Cow::Borrowed("plain é")));
        // An error's several lines stay lines; the rest is shown as above.
        assert_eq!(
            visible_lines("cannot read a\u{1b}[2J.csv\n  caused by: \rgone"),
            "cannot read a\\u{1b}[2J.csv\n  caused by: \\u{d}gone"
        );
        // A table's cells (names, categorical values) and the header's description pass
        // through it.
        let mut out = Vec::new();
        let header = ["trial", "optimizer"].map(String::from);
        table(
            &mut out,
            &header,
            &[vec!["1".into(), "\u{202e}dam\u{7}".into()]],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "trial  optimizer\n    1  \\u{202e}dam\\u{7}\n");
        let info = ExperimentInfo {
            description: "d\u{1b}[31mRED\u{1b}]0;T\u{7}".into(),
            ..trial::tests::info()
        };
        let mut out = Vec::new();
        experiment_header(&mut out, &info, None, (&[], None, &[]), &Effort::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("            d\\u{1b}[31mRED\\u{1b}]0;T\\u{7}\n"),
            "{text}"
        );
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    }
}
