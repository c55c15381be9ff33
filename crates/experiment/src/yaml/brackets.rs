//! The syntax error of a `[` or `{` that is never closed: the parser stops where the text can
//! no longer belong to the flow collection, often lines below, and the rule here places the
//! error at the bracket instead (see `syntax`, whose `syntax_problem` asks it).

use super::scan::{comment_start, starts_token};
use super::syntax::syntax_message;
use super::tree::{Pos, Problem};

/// Returns the problem of a `[` or `{` that is never closed, when the parser stops on a later
/// line than the one it opens on: the bracket is the mistake, not where the parser gave up.
/// `None` when the bracket open at `pos` is closed further on, or opens on the same line.
pub(super) fn unclosed_bracket(lines: &[&str], pos: Pos, info: &str) -> Option<Problem> {
    let mut open: Vec<(char, Pos)> = Vec::new();
    // The brackets open where the parser stopped, and whether the innermost closes later.
    let mut at_error: Option<(usize, Option<(char, Pos)>)> = None;
    let mut closed_later = false;
    let mut quote: Option<char> = None;
    // The indentation of the line that starts a block scalar (`|`, `>`), whose lines are text.
    let mut block: Option<usize> = None;
    for (l, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(start) = block {
            if line.trim().is_empty() || indent > start {
                continue;
            }
            block = None;
        }
        let mut before = ' ';
        // Outside brackets, a flow collection or a quoted scalar starts only where a value
        // does: at the start of the line, after a `- ` or after the key's `: `. A `[` in the
        // middle of plain text (`see [1`) is text.
        let mut value_starts = true;
        let mut key_read = false;
        let mut chars = line.chars().enumerate().peekable();
        while let Some((c, ch)) = chars.next() {
            let here = Pos {
                line: l + 1,
                column: c + 1,
            };
            let spaced = chars.peek().is_none_or(|&(_, next)| next == ' ');
            let starts = if open.is_empty() {
                value_starts
            } else {
                starts_token(before)
            };
            if at_error.is_none() && here >= pos {
                if quote.is_some() {
                    return None;
                }
                at_error = Some((open.len(), open.last().copied()));
            }
            match quote {
                Some('\'') if ch == '\'' => {
                    // `''` is a quote inside single quotes.
                    if chars.peek().is_some_and(|&(_, next)| next == '\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                Some('"') if ch == '\\' => {
                    chars.next();
                }
                Some('"') if ch == '"' => quote = None,
                Some(_) => {}
                None => match ch {
                    '#' if before.is_whitespace() => break,
                    '\'' | '"' if starts => {
                        quote = Some(ch);
                        value_starts = false;
                    }
                    '[' | '{' if starts => {
                        open.push((ch, here));
                        value_starts = false;
                    }
                    ']' | '}' if !open.is_empty() => {
                        open.pop();
                        if at_error.is_some_and(|(depth, _)| open.len() < depth) {
                            closed_later = true;
                        }
                    }
                    _ if !open.is_empty() => {}
                    ' ' => {}
                    '-' if value_starts && spaced => {}
                    ':' if !key_read && spaced => {
                        key_read = true;
                        value_starts = true;
                    }
                    _ => value_starts = false,
                },
            }
            before = ch;
        }
        let body = line.trim_end();
        let body = comment_start(body).map_or(body, |at| line[..at].trim_end());
        let indicator = body.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
        if open.is_empty()
            && quote.is_none()
            && (indicator.ends_with(": |")
                || indicator.ends_with(": >")
                || indicator.ends_with("- |")
                || indicator.ends_with("- >"))
        {
            block = Some(indent);
        }
    }
    let (_, innermost) = at_error.unwrap_or((open.len(), open.last().copied()));
    let (bracket, at) = innermost?;
    if closed_later || at.line >= pos.line {
        return None;
    }
    let (what, closer) = if bracket == '{' {
        ("mapping", '}')
    } else {
        ("list", ']')
    };
    let message = format!(
        "yaml syntax error: this `{bracket}` is never closed: the {what} it opens runs on to line \
         {}, where the parser stops ({}); close it with `{closer}`",
        pos.line,
        syntax_message(info)
    );
    Some(Problem::new(at, "", message))
}
