//! Problems of the text itself: characters that read as something they are not (invisible
//! ones, a no-break space, a full-width colon), and the parser's syntax errors placed at the
//! mistake rather than where the parser stopped.
//!
//! Architecture invariant: no rule here refuses a file the YAML parser reads. Only control
//! characters, which YAML does not allow in its text (and a NUL ends the text for the parser,
//! the rest lost without a word), are refused before parsing. After parsing, the decoder refuses
//! names and values that hold control characters or bidirectional overrides as decoded (a
//! quoted `"\e"` is ESCAPE), with `refused_character`: a rule on what a name or value may be,
//! not on how the text reads. The characters that look like
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
//!
//! The rules that read the lines around an error are in modules of their own: `brackets` (a
//! bracket never closed) and `misread_key` (a key the parser could not read), both reading
//! lines with `scan`; a tab, the simplest, is here.

use super::brackets::unclosed_bracket;
use super::misread_key::misread_key;
use super::scan::{block_scalar_lines, comment_start, in_quotes, is_key_char};
use super::tree::{Pos, Problem};

/// The most invisible characters named one by one; more are counted in the last.
const INVISIBLE_NAMED: usize = 5;

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

/// Which characters beyond the visible ones a text decoded from the file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Allowed {
    /// A name or a value, which tables, CSV cells and messages show: no control character but
    /// a tab (files stored before this rule hold some, and every table shows it escaped) and no
    /// bidirectional override or isolate.
    Visible,
    /// Free text (a description): tab, line feed, carriage return and NEXT LINE too, as the
    /// file's own text may hold them, and bidirectional controls, which right-to-left prose uses.
    Layout,
    /// A file's path: whatever a file's name may hold, NUL aside (a folder may be named with a
    /// line break), since it names a file rather than being shown as a value; wherever Sweep
    /// prints a path it writes such characters as escapes.
    Path,
}

/// Returns the first character of `text`, a scalar or key as decoded (a quoted `"\e"` is
/// ESCAPE), that `allowed` leaves out: a C0 or C1 control character, and outside free text a
/// bidirectional override or isolate. The raw-byte check (`control_characters`) cannot see
/// these: a double-quoted scalar writes them as escapes.
pub(super) fn refused_character(text: &str, allowed: Allowed) -> Option<char> {
    text.chars().find(|&ch| match allowed {
        // A tab is let through: files stored before this rule hold some in values, and every
        // table and message shows it escaped.
        Allowed::Visible => ch != '\t' && (ch.is_control() || super::quote::is_bidi_control(ch)),
        Allowed::Layout => ch.is_control() && !matches!(ch, '\t' | '\n' | '\r' | '\u{85}'),
        Allowed::Path => ch == '\0',
    })
}

/// Returns the message that refuses `text`, decoded from the file, for holding `ch`, which it
/// names as the raw-byte refusal does (U+001B (ESCAPE)).
pub(super) fn refused_character_message(text: &str, ch: char) -> String {
    let name = match ch {
        '\0' => "NUL",
        '\t' => "TAB",
        '\n' => "LINE FEED",
        '\r' => "CARRIAGE RETURN",
        _ => invisible_name(ch).unwrap_or("a control character"),
    };
    format!(
        "`{}` holds an invisible character, U+{:04X} ({name}), which a terminal would act on or \
         hide where the text is shown; write it with visible characters only (in double quotes, \
         `\\e`, `\\a`, `\\0` and `\\u` escapes write such characters)",
        super::quote::shorten(text),
        u32::from(ch),
    )
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
pub(super) fn syntax_message(info: &str) -> &str {
    match info {
        "simple key expect ':'" => "expected `:` after a key",
        other => other,
    }
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

/// Returns the name of `ch` when it is an invisible character, or a no-break space.
pub(super) fn invisible_name(ch: char) -> Option<&'static str> {
    Some(match ch {
        '\t' | '\n' | '\r' => return None,
        '\0' => "NUL, which ends the text for the parser: what follows it would be lost",
        '\u{7}' => "BELL",
        '\u{8}' => "BACKSPACE",
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
