//! Problems of the text itself: characters that read as something they are not (invisible
//! ones, a no-break space, a full-width colon), and the parser's syntax errors placed at the
//! mistake rather than where the parser stopped.
//!
//! Architecture invariant: no rule here refuses a file the YAML parser reads. Only control
//! characters, which YAML does not allow in its text (and a NUL ends the text for the parser,
//! the rest lost without a word), are refused before parsing. The characters that look like
//! YAML's own (`look_alikes`) only explain a failure: a syntax error on their line or the next,
//! or a value or key of theirs that is refused. A no-break space in French text, a full-width
//! colon in a block of Japanese, a right-to-left mark in Hebrew are text, and a file that holds
//! them and parses into known keys is read as written.
//!
//! The parser reports a syntax error where it can go no further: often the line after the
//! mistake (a key without its `:` is read on into the next line), the `:` of a key rather than
//! its start, or the line after a bracket that is never closed. Each rule here knows one such
//! mistake from the lines around that place, and applies only when the lines show it plainly;
//! otherwise the parser's place and message are kept.

use super::decoder::shorten;
use super::tree::{Pos, Problem};

/// The most invisible characters named one by one; more are counted in the last.
const INVISIBLE_NAMED: usize = 5;

/// The parser's messages for a key it cannot read, which the rules of `misread_key` explain.
const KEY_ERRORS: &[&str] = &[
    "simple key expect ':'",
    "mapping values are not allowed in this context",
    "while parsing a block mapping, did not find expected key",
];

/// A no-break space, U+00A0.
const NO_BREAK_SPACE: char = '\u{a0}';

/// A full-width colon, U+FF1A.
const FULL_WIDTH_COLON: char = '\u{ff1a}';

/// A character of the text that reads as something it is not, and the problem that says so.
#[derive(Debug)]
pub(super) struct LookAlike {
    pub(super) ch: char,
    pub(super) problem: Problem,
}

/// Returns the problems of the control characters in `text` (the first `INVISIBLE_NAMED`, then
/// how many more), which YAML does not allow anywhere, a comment included: all but tab, line
/// feed, carriage return and NEXT LINE (U+0085).
pub(super) fn control_characters(text: &str) -> Vec<Problem> {
    let mut found = Vec::new();
    for (l, line) in text.split('\n').enumerate() {
        for (c, ch) in line.chars().enumerate() {
            if ch.is_control() && !matches!(ch, '\t' | '\r' | '\u{85}') {
                found.push(Problem::new(at(l, c), "", invisible_message(ch)));
            }
        }
    }
    counted(found)
}

/// Returns the characters of `text` that read as something they are not, outside comments and
/// the text of block scalars: the format characters that change how text reads without showing
/// (zero-width space, word joiner, line and paragraph separators, bidirectional controls, a
/// byte order mark past the start, NEXT LINE); a no-break space where YAML wants a space, in
/// the indentation or right after a `:` (a run of them is one); and a full-width colon right
/// after a key at the start of a line. Not a reason to refuse a file: see the module's docs.
pub(super) fn look_alikes(text: &str) -> Vec<LookAlike> {
    let lines: Vec<&str> = text.split('\n').collect();
    let in_block = block_scalar_lines(&lines);
    let mut found = Vec::new();
    for (l, line) in lines.iter().enumerate() {
        if in_block[l] {
            continue;
        }
        let comment = comment_start(line).unwrap_or(line.len());
        let mut before: Option<char> = None;
        let mut indentation = true;
        for (c, (byte, ch)) in line.char_indices().enumerate() {
            let previous = before.replace(ch);
            if byte >= comment {
                break;
            }
            let leading = indentation;
            indentation &= ch == ' ' || ch == NO_BREAK_SPACE || (ch == '-' && leading);
            let message = match ch {
                NO_BREAK_SPACE
                    if previous != Some(NO_BREAK_SPACE)
                        && (leading || previous == Some(':'))
                        && !in_quotes(line, byte) =>
                {
                    "a no-break space, U+00A0, is in the text, and YAML does not read it as a \
                     space (indenting with it is no indentation, and after a `:` it joins the \
                     key and its value into one word); replace it with a plain space (a copy \
                     from a web page often leaves it there)"
                        .to_string()
                }
                NO_BREAK_SPACE => continue,
                _ if invisible_name(ch).is_some() && !ch.is_control() || ch == '\u{85}' => {
                    invisible_message(ch)
                }
                _ => continue,
            };
            found.push(LookAlike {
                ch,
                problem: Problem::new(at(l, c), "", message),
            });
        }
        if let Some(problem) = full_width_colon(l, line) {
            found.push(LookAlike {
                ch: FULL_WIDTH_COLON,
                problem,
            });
        }
    }
    found
}

/// Returns `found` with the problems past the first `INVISIBLE_NAMED` counted in the last.
pub(super) fn counted(mut found: Vec<Problem>) -> Vec<Problem> {
    found.sort_by_key(|p| p.pos);
    if found.len() > INVISIBLE_NAMED {
        let more = found.len() - INVISIBLE_NAMED;
        found.truncate(INVISIBLE_NAMED);
        if let Some(last) = found.last_mut() {
            last.message
                .push_str(&format!(", and {more} more after it"));
        }
    }
    found
}

/// Returns what a key that holds an invisible character or a full-width colon has wrong, for
/// the message that refuses it: `None` for a key of visible characters only.
pub(super) fn key_look_alike(key: &str) -> Option<String> {
    let ch = key
        .chars()
        .find(|&c| invisible_name(c).is_some() || c == FULL_WIDTH_COLON)?;
    Some(match ch {
        NO_BREAK_SPACE => "which holds a no-break space, U+00A0, that YAML does not read as a \
                           space (indenting with it is no indentation); replace it with a plain \
                           space"
            .to_string(),
        FULL_WIDTH_COLON => "which holds a full-width colon `：` (U+FF1A), and YAML reads only \
                             the ASCII colon as the end of a key; write `:` and a space"
            .to_string(),
        _ => format!(
            "which holds an invisible character, U+{:04X} ({}); delete it",
            u32::from(ch),
            invisible_name(ch).unwrap_or("invisible")
        ),
    })
}

/// Returns the position of character `c` of line `l`, both counted from 0.
fn at(l: usize, c: usize) -> Pos {
    Pos {
        line: l + 1,
        column: c + 1,
    }
}

/// Returns the message for the invisible character `ch`.
fn invisible_message(ch: char) -> String {
    format!(
        "an invisible character, U+{:04X} ({}), is in the text; delete it (a copy and paste or \
         an editor left it there)",
        u32::from(ch),
        invisible_name(ch).unwrap_or("invisible")
    )
}

/// Returns the problem of a full-width colon `：` right after a key at the start of line `l`
/// (`hidden： {values: [16]}`), which YAML reads as part of the key; one in a value, as Chinese
/// or Japanese text writes it, is text.
fn full_width_colon(l: usize, line: &str) -> Option<Problem> {
    let body = line.trim_start_matches(' ');
    let body = body.strip_prefix("- ").unwrap_or(body);
    let key: String = body.chars().take_while(|&c| is_key_char(c)).collect();
    if key.is_empty() || !body[key.len()..].starts_with(FULL_WIDTH_COLON) {
        return None;
    }
    let column = line.chars().count() - body.chars().count() + key.chars().count();
    let message = format!(
        "a full-width colon `：` (U+FF1A) follows `{key}`, and YAML reads only the ASCII colon \
         as the end of a key; write `{key}:` and a space"
    );
    Some(Problem::new(at(l, column), "", message))
}

/// Returns, for each of `lines`, whether it is the text of a block scalar (`|` or `>` after a
/// key or a `-`): a line more indented than the one that opens it, or blank inside it.
fn block_scalar_lines(lines: &[&str]) -> Vec<bool> {
    let mut inside = Vec::with_capacity(lines.len());
    let mut block: Option<usize> = None;
    for line in lines {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(start) = block {
            if line.trim().is_empty() || indent > start {
                inside.push(true);
                continue;
            }
            block = None;
        }
        inside.push(false);
        if opens_block_scalar(line) {
            block = Some(indent);
        }
    }
    inside
}

/// Returns whether `line` ends with the indicator of a block scalar: `key: |`, `- >-`, `|2`.
fn opens_block_scalar(line: &str) -> bool {
    let body = comment_start(line)
        .map_or(line, |at| &line[..at])
        .trim_end();
    let indicator = body.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    [": |", ": >", "- |", "- >"]
        .iter()
        .any(|end| indicator.ends_with(end))
        || indicator.trim_start() == "|"
        || indicator.trim_start() == ">"
}

/// Returns each character of `line` with its byte offset and whether it lies inside a quoted
/// scalar that starts on the line: a quote opens one only where a token starts (`model's` is
/// text), `''` is a quote inside single quotes, and `\` escapes the next character inside
/// double quotes. The quote that opens a scalar counts as outside it, the one that closes it
/// inside.
fn quoted_chars(line: &str) -> Vec<(usize, char, bool)> {
    let mut states = Vec::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut before = ' ';
    let mut chars = line.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        states.push((at, ch, quote.is_some()));
        match quote {
            Some('\'') if ch == '\'' => match chars.next_if(|&(_, next)| next == '\'') {
                Some((at, next)) => states.push((at, next, true)),
                None => quote = None,
            },
            Some('"') if ch == '\\' => {
                if let Some((at, next)) = chars.next() {
                    states.push((at, next, true));
                }
            }
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if (ch == '\'' || ch == '"') && starts_token(before) => quote = Some(ch),
            None => {}
        }
        before = ch;
    }
    states
}

/// Returns the byte offset of the `#` that starts `line`'s comment, if it has one: a `#` at the
/// start or after a space, outside a quoted scalar (`quoted_chars`).
fn comment_start(line: &str) -> Option<usize> {
    let states = quoted_chars(line);
    states
        .iter()
        .enumerate()
        .find_map(|(k, &(at, ch, quoted))| {
            let before = k.checked_sub(1).map_or(' ', |k| states[k].1);
            (ch == '#' && !quoted && (before == ' ' || before == '\t')).then_some(at)
        })
}

/// Returns whether the byte offset `at` of `line` lies inside a quoted scalar that starts on
/// the line (`quoted_chars`).
fn in_quotes(line: &str, at: usize) -> bool {
    quoted_chars(line)
        .iter()
        .find(|&&(i, _, _)| i >= at)
        .is_some_and(|&(_, _, quoted)| quoted)
}

/// Returns the name of `ch` when it is an invisible character, or a no-break space.
fn invisible_name(ch: char) -> Option<&'static str> {
    Some(match ch {
        '\t' | '\n' | '\r' => return None,
        '\0' => "NUL, which ends the text for the parser: what follows it would be lost",
        '\u{1b}' => "ESCAPE",
        '\u{0b}' => "VERTICAL TAB",
        '\u{0c}' => "FORM FEED",
        '\u{7f}' => "DELETE",
        '\u{85}' => "NEXT LINE",
        NO_BREAK_SPACE => "NO-BREAK SPACE",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{2060}' => "WORD JOINER",
        '\u{feff}' => "BYTE ORDER MARK, past the start of the file",
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => "a bidirectional text control",
        c if c.is_control() => "a control character",
        _ => return None,
    })
}

/// Returns the problem to show for the parser's syntax error `info`, found at `pos`.
pub(super) fn syntax_problem(text: &str, pos: Pos, info: &str) -> Problem {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    tab_problem(&lines, pos, info)
        .or_else(|| unclosed_bracket(&lines, pos, info))
        .or_else(|| misread_key(&lines, pos, info))
        .unwrap_or_else(|| {
            Problem::new(
                pos,
                "",
                format!("yaml syntax error: {}", syntax_message(info)),
            )
        })
}

/// Rewords the scanner's few unclear messages; the others are kept as they are.
fn syntax_message(info: &str) -> &str {
    match info {
        "simple key expect ':'" => "expected `:` after a key",
        other => other,
    }
}

/// Returns the problem to show for a syntax error (`info`, found at `pos`) that a tab caused:
/// YAML indents, and separates a key's `:` from its value, with spaces only, and the parser
/// names the tab where its error shows, often the start of the scalar before it. The tab is
/// the first one in an indentation or right after a key's `:`, up to the line after `pos`.
fn tab_problem(lines: &[&str], pos: Pos, info: &str) -> Option<Problem> {
    if !(info.contains("tab") || info.contains("whitespace")) {
        return None;
    }
    let (line, column, after_key) =
        lines
            .iter()
            .take(pos.line + 1)
            .enumerate()
            .find_map(|(i, line)| {
                let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
                if let Some(column) = line[..indent].find('\t') {
                    return Some((i + 1, column + 1, false));
                }
                // Not in a quoted value or a comment.
                line.find(":\t")
                    .filter(|&c| !line[..c].contains(['"', '\'', '#']))
                    .map(|c| (i + 1, line[..c].chars().count() + 2, true))
            })?;
    let message = if after_key {
        "a tab after `:`; YAML separates a key from its value with a space"
    } else {
        "a tab in the indentation; YAML indents with spaces only"
    };
    Some(Problem::new(Pos { line, column }, "", message))
}

/// Returns whether a quote or a bracket after `before` starts a token.
fn starts_token(before: char) -> bool {
    before.is_whitespace() || "[{,:".contains(before)
}

/// Returns whether `c` may be part of a key this format knows (`batch_size`, `val_loss`).
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-.".contains(c)
}

/// Returns the problem of a `[` or `{` that is never closed, when the parser stops on a later
/// line than the one it opens on: the bracket is the mistake, not where the parser gave up.
/// `None` when the bracket open at `pos` is closed further on, or opens on the same line.
fn unclosed_bracket(lines: &[&str], pos: Pos, info: &str) -> Option<Problem> {
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

/// One line of the text as the key rules see it: its number, indentation and text without its
/// comment.
#[derive(Clone, Copy)]
struct Line<'t> {
    number: usize,
    indent: usize,
    body: &'t str,
}

/// How a line reads as a key.
#[derive(Clone, Copy)]
enum Shape<'t> {
    /// `key: value`, or `key:` opening a block (`inline: false`).
    Key { key: &'t str, inline: bool },
    /// `key:value`: a `:` with no space after it, at this column (from 1).
    NoSpace { key: &'t str, column: usize },
    /// Words with no `:`, no brackets and no quotes.
    NoColon,
    /// Anything else: a list item, a flow collection, a quoted key, a block scalar's text.
    Other,
}

impl<'t> Line<'t> {
    /// Returns line `number` (from 1) unless it is blank or only a comment.
    fn at(lines: &[&'t str], number: usize) -> Option<Line<'t>> {
        let line = lines.get(number.checked_sub(1)?)?;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = comment_start(line).map_or(*line, |at| &line[..at]);
        let body = body[indent.min(body.len())..].trim_end();
        (!body.is_empty()).then_some(Line {
            number,
            indent,
            body,
        })
    }

    /// Returns the last line before line `number` that is not blank or only a comment.
    fn before(lines: &[&'t str], number: usize) -> Option<Line<'t>> {
        (1..number).rev().find_map(|n| Line::at(lines, n))
    }

    fn shape(&self) -> Shape<'t> {
        let body = self.body;
        let key_len = body.find(|c: char| !is_key_char(c)).unwrap_or(body.len());
        let (key, rest) = body.split_at(key_len);
        if key.is_empty() || key.starts_with('-') {
            return Shape::Other;
        }
        if let Some(value) = rest.trim_start_matches(' ').strip_prefix(':') {
            return match value.chars().next() {
                None => Shape::Key { key, inline: false },
                Some(' ') => Shape::Key { key, inline: true },
                Some(c) if c == '/' || c == ':' || c.is_whitespace() => Shape::Other,
                Some(_) if rest.starts_with(':') => Shape::NoSpace {
                    key,
                    column: self.indent + key.chars().count() + 1,
                },
                Some(_) => Shape::Other,
            };
        }
        if body.contains([':', '[', ']', '{', '}', ',', '\'', '"', '#', '|', '>']) {
            return Shape::Other;
        }
        Shape::NoColon
    }

    fn start(&self) -> Pos {
        Pos {
            line: self.number,
            column: self.indent + 1,
        }
    }
}

/// Returns the problem of a key the parser could not read, placed at the mistake: a `:` with no
/// space after it, a line without its `:` (the parser reads on into the next line), or a key
/// indented to line up with no key above it (the parser points at its `:`). `None` when the
/// lines do not plainly show one of these.
fn misread_key(lines: &[&str], pos: Pos, info: &str) -> Option<Problem> {
    if !KEY_ERRORS.contains(&info) {
        return None;
    }
    let here = Line::at(lines, pos.line);
    let previous = Line::before(lines, pos.line);
    // `key:value`, on the line where the parser stopped or the one before; not on a line that
    // may be text of a value above it (`see:http` is text there).
    let key_lines = [here, previous]
        .into_iter()
        .flatten()
        .filter(|&line| !may_continue_scalar(lines, line));
    for line in key_lines {
        if let Shape::NoSpace { key, column } = line.shape() {
            let after: String = line.body[key.len() + 1..].chars().take(1).collect();
            let message = format!(
                "yaml syntax error: `{key}:{after}` has no space after the `:`, so YAML reads \
                 the key and what follows as one word; write `{key}: {after}`"
            );
            let pos = Pos {
                line: line.number,
                column,
            };
            return Some(Problem::new(pos, "", message));
        }
    }
    let previous = previous?;
    // A line without its `:`: read on into the key after it at the same indentation; not one
    // that may be text of a value above it (`random search over width` under `description:
    // MLP on digits,`), which `write random: search` would corrupt.
    if matches!(previous.shape(), Shape::NoColon) && !may_continue_scalar(lines, previous) {
        let same_indent = here
            .is_some_and(|h| h.indent == previous.indent && matches!(h.shape(), Shape::Key { .. }));
        if info == KEY_ERRORS[0] || same_indent {
            let message = format!(
                "yaml syntax error: `{}` has no `:`, so it is no `key: value` (the parser read \
                 on into line {}); {}",
                shorten(previous.body),
                pos.line,
                written_as_key(previous.body)
            );
            return Some(Problem::new(previous.start(), "", message));
        }
    }
    // A key indented to line up with none above it.
    let here = here?;
    let Shape::Key { key, .. } = here.shape() else {
        return None;
    };
    let Shape::Key { inline, .. } = previous.shape() else {
        return None;
    };
    if !inline && here.indent > previous.indent {
        // The first key of the block `previous` opens.
        return None;
    }
    let mut above = vec![previous];
    for number in (1..previous.number).rev() {
        let Some(line) = Line::at(lines, number) else {
            continue;
        };
        let deepest = above.last().map_or(0, |l| l.indent);
        if line.indent < deepest {
            if !matches!(line.shape(), Shape::Key { .. }) {
                return None;
            }
            above.push(line);
        }
    }
    if above.iter().any(|l| l.indent == here.indent) {
        return None;
    }
    let keys: Vec<String> = above
        .iter()
        .filter_map(|l| match l.shape() {
            Shape::Key { key, .. } => Some(format!(
                "`{key}` (line {}) by {}",
                l.number,
                crate::counted(
                    u32::try_from(l.indent).unwrap_or(u32::MAX),
                    "space",
                    "spaces"
                )
            )),
            _ => None,
        })
        .collect();
    let message =
        format!(
        "yaml syntax error: `{key}` is indented by {}, which lines up with no key above it: {}; \
         indent a key as far as the other keys of its mapping",
        crate::counted(u32::try_from(here.indent).unwrap_or(u32::MAX), "space", "spaces"),
        keys.join(", ")
    );
    Some(Problem::new(here.start(), "", message))
}

/// Returns whether `line` may be text of a value written above it: the nearest line less
/// indented than it is no key that opens a block (`key:` alone), which holds the lines under it
/// as keys of its own, and the lines between are words with no `:` (text of the same value). A
/// line with nothing less indented above it is no value's text.
fn may_continue_scalar(lines: &[&str], line: Line<'_>) -> bool {
    for number in (1..line.number).rev() {
        let Some(above) = Line::at(lines, number) else {
            continue;
        };
        if above.indent < line.indent {
            return !matches!(above.shape(), Shape::Key { inline: false, .. });
        }
        if !matches!(above.shape(), Shape::NoColon) {
            return false;
        }
    }
    false
}

/// Returns how a line without a `:` is written as a key and its value: `seed=1` and `seed 1`
/// as `seed: 1`.
fn written_as_key(body: &str) -> String {
    let key_len = body.find(|c: char| !is_key_char(c)).unwrap_or(body.len());
    let (key, rest) = body.split_at(key_len);
    let value = rest.trim_start().strip_prefix('=').unwrap_or(rest).trim();
    if key.is_empty() || value.is_empty() || !rest.starts_with([' ', '=']) {
        "a key is followed by `:` and a space, then its value".to_string()
    } else {
        format!("write `{key}: {value}`")
    }
}
