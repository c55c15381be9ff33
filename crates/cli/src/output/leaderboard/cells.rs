//! Text cells of the CLI's tables of trials, as a terminal is sent them: every character that
//! does not show (a control, a format character such as a zero-width space, a space other than
//! U+0020) written as an escape, and a cell past `WIDTH` characters cut with an ellipsis, so
//! that one long categorical value does not widen every row of the leaderboard; the table then
//! says once, below it, that it cut some and what shows them whole.
//!
//! A trial's own card (`sweep show EXPERIMENT/NUMBER`) escapes its values but never cuts
//! them: it is where a cut value is read whole, with `--format csv` and `--format json`.

use std::io::{self, Write};

use crate::output::hidden;

/// The most characters a text cell of a table of trials shows, its ellipsis included (as
/// MLflow's and W&B's tables cut a long value).
pub(crate) const WIDTH: usize = 40;

/// What marks a cell cut at `WIDTH` characters.
const ELLIPSIS: char = '…';

/// The cells of one table, and whether any of them was cut, for the note below it.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    /// Whether a cell was cut at `WIDTH` characters.
    cut: bool,
}

impl Cells {
    /// Returns `text` as a cell: every character that does not show escaped (`shown`), and,
    /// past `WIDTH` characters, its first ones and an ellipsis, never cutting an escape.
    pub(crate) fn cell(&mut self, text: &str) -> String {
        let shown = crate::output::visible(text);
        if shown.chars().count() <= WIDTH {
            return shown.into_owned();
        }
        self.cut = true;
        let mut cell = String::new();
        let mut width = 0;
        for ch in text.chars() {
            let piece: String = if hidden(ch) {
                ch.escape_unicode().collect()
            } else {
                ch.to_string()
            };
            let piece_width = piece.chars().count();
            if width + piece_width > WIDTH - 1 {
                break;
            }
            width += piece_width;
            cell.push_str(&piece);
        }
        cell.push(ELLIPSIS);
        cell
    }

    /// Returns each of `row` as `cell` writes it.
    pub(crate) fn row(&mut self, row: &[String]) -> Vec<String> {
        row.iter().map(|c| self.cell(c)).collect()
    }

    /// Writes, where a cell was cut, what the ellipsis means and `whole`: what shows the
    /// values whole (`` `--format csv` ``, `` `sweep show EXPERIMENT/N` ``); nothing else.
    pub(crate) fn note(&self, out: &mut impl Write, whole: &str) -> io::Result<()> {
        if !self.cut {
            return Ok(());
        }
        writeln!(
            out,
            "{ELLIPSIS} marks a value cut to its first {} characters; {whole}",
            WIDTH - 1
        )
    }
}

/// Returns whether `ch` is a format character (Unicode's general category Cf: zero-width
/// spaces and joiners, bidirectional overrides and isolates, the byte order mark, the soft
/// hyphen, tags), a space other than U+0020 (Zs: the no-break space, the ideographic space and
/// the rest), or a line or paragraph separator (Zl, Zp): each shows as nothing, or as a space,
/// and a cell of them would read as empty or as another value. As of Unicode 15.1.
pub(crate) fn invisible(ch: char) -> bool {
    matches!(
        ch,
        // Cf
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
            // Zs but U+0020
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
            // Zl, Zp
            | '\u{2028}'
            | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_invisible_characters_are_escaped_as_controls_are() {
        let mut cells = Cells::default();
        // 50 zero-width spaces are no empty cell; nor a no-break space a space.
        let zwsp = "\u{200b}".repeat(3);
        assert_eq!(cells.cell(&zwsp), "\\u{200b}\\u{200b}\\u{200b}");
        for (text, want) in [
            ("a\u{a0}b", "a\\u{a0}b"),
            ("re\u{202e}lu", "re\\u{202e}lu"),
            ("x\u{1b}[31m", "x\\u{1b}[31m"),
            (
                "\u{feff}bom\u{2060}\u{3000}\u{2028}",
                "\\u{feff}bom\\u{2060}\\u{3000}\\u{2028}",
            ),
            ("\u{e0041}tag\u{ad}", "\\u{e0041}tag\\u{ad}"),
            // What shows stays as it is: a plain space, accents, CJK, an emoji.
            ("a b é 中 🙂", "a b é 中 🙂"),
        ] {
            assert_eq!(cells.cell(text), want, "{text:?}");
        }
        assert!(!cells.cut, "nothing was cut");
        assert!(matches!(
            crate::output::visible("plain é"),
            std::borrow::Cow::Borrowed("plain é")
        ));
    }

    #[test]
    fn issue_a_long_value_is_cut_with_an_ellipsis_and_noted_once() {
        let mut cells = Cells::default();
        let exact = "x".repeat(WIDTH);
        assert_eq!(cells.cell(&exact), exact, "a cell of WIDTH is whole");
        let mut out = Vec::new();
        cells.note(&mut out, "whole elsewhere").unwrap();
        assert!(out.is_empty(), "no note without a cut");
        let long = "y".repeat(10_000);
        let cut = cells.cell(&long);
        assert_eq!(cut, format!("{}…", "y".repeat(WIDTH - 1)));
        assert_eq!(cut.chars().count(), WIDTH);
        // An escape is never cut in two: it goes whole or not at all.
        let escapes = format!("{}{}", "a".repeat(WIDTH - 5), "\u{200b}".repeat(5));
        assert_eq!(cells.cell(&escapes), format!("{}…", "a".repeat(WIDTH - 5)));
        cells.cell(&long);
        let mut out = Vec::new();
        cells
            .note(&mut out, "`--format csv` shows it whole")
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "… marks a value cut to its first 39 characters; `--format csv` shows it whole\n"
        );
    }
}
