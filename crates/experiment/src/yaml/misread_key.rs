//! The syntax errors of a key the parser could not read, placed at the mistake rather than
//! where the parser stopped: a `:` with no space after it, a line without its `:`, a key
//! indented to line up with no key above it (see `syntax`, whose `syntax_problem` asks it).
//!
//! Each rule reads the lines around the error as `Line`s of a `Shape`, and applies only when
//! they show the mistake plainly, since a line of a multi-line value may look like a key.

use super::decoder::shorten;
use super::scan::{comment_start, is_key_char};
use super::tree::{Pos, Problem};

/// The parser's messages for a key it cannot read, which the rules of `misread_key` explain.
const KEY_ERRORS: &[&str] = &[
    "simple key expect ':'",
    "mapping values are not allowed in this context",
    "while parsing a block mapping, did not find expected key",
];

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
pub(super) fn misread_key(lines: &[&str], pos: Pos, info: &str) -> Option<Problem> {
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
