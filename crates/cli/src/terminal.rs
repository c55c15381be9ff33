//! What standard error's terminal is sent: progress bars or plain lines, coloured log lines or
//! plain ones. Each decision is a function of whether standard error is a terminal and of the
//! values of `TERM` and `NO_COLOR` (read by `term` and `no_color`: only the binary reads the
//! environment), so that it is unit-tested without a terminal.

use std::ffi::{OsStr, OsString};

/// Returns whether `term`, the value of `TERM` (`None` when unset or not Unicode), names a
/// terminal that cannot move its cursor: unset or `dumb`, as in Emacs's `M-x shell`. This is
/// indicatif's own test (`console::is_dumb` on Unix): there it hides its bars and every line
/// printed above them.
pub(crate) fn dumb(term: Option<&str>) -> bool {
    term.is_none_or(|t| t == "dumb")
}

/// Returns whether a sweep's progress is drawn as bars with its lines printed above them:
/// where standard error is a terminal (`is_terminal`) that is not dumb (`dumb`, from `TERM`'s
/// value `term`); elsewhere every line is written as it comes, and no bar is drawn.
pub(crate) fn draws_bars(is_terminal: bool, term: Option<&str>) -> bool {
    is_terminal && !dumb(term)
}

/// Returns whether log lines are coloured: where standard error is a terminal (`is_terminal`)
/// that is not dumb (`dumb`, from `TERM`'s value `term`) and `NO_COLOR` (its value `no_color`)
/// is unset or empty, as no-color.org asks; a redirected log or a CI transcript holds no escape
/// codes either.
pub(crate) fn colours_logs(
    is_terminal: bool,
    term: Option<&str>,
    no_color: Option<&OsStr>,
) -> bool {
    is_terminal && !dumb(term) && no_color.is_none_or(OsStr::is_empty)
}

/// Returns the value of `NO_COLOR`, `None` when it is unset.
pub(crate) fn no_color() -> Option<OsString> {
    std::env::var_os("NO_COLOR")
}

/// Returns the value of `TERM`, `None` when it is unset or not Unicode.
pub(crate) fn term() -> Option<String> {
    std::env::var("TERM").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_a_dumb_terminal_gets_plain_lines_not_bars() {
        let cases = [
            (true, Some("xterm-256color"), true),
            (true, Some("screen"), true),
            (true, Some("dumb"), false),
            (true, None, false),
            (false, Some("xterm-256color"), false),
            (false, Some("dumb"), false),
            (false, None, false),
        ];
        for (is_terminal, term, bars) in cases {
            assert_eq!(
                draws_bars(is_terminal, term),
                bars,
                "{is_terminal} {term:?}"
            );
        }
    }

    #[test]
    fn issue_log_lines_honour_no_color_and_dumb_terminals() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        let cases = [
            (true, Some("xterm"), None, true),
            (true, Some("xterm"), empty, true),
            (true, Some("xterm"), set, false),
            (true, Some("dumb"), None, false),
            (true, None, None, false),
            (false, Some("xterm"), None, false),
        ];
        for (is_terminal, term, no_color, coloured) in cases {
            assert_eq!(
                colours_logs(is_terminal, term, no_color),
                coloured,
                "{is_terminal} {term:?} {no_color:?}"
            );
        }
    }
}
