//! How a line of YAML text reads before it is parsed: where its quoted scalars and its
//! comment lie, which lines are the text of a block scalar, which characters make a key.
//!
//! The rules of `syntax`, `brackets` and `misread_key` look at text the parser could not read,
//! or read as something it is not, so they cannot ask the parser; they read the lines with
//! these, each a plain function of the line's characters.

/// Returns, for each of `lines`, whether it is the text of a block scalar (`|` or `>` after a
/// key or a `-`): a line more indented than the one that opens it, or blank inside it.
pub(super) fn block_scalar_lines(lines: &[&str]) -> Vec<bool> {
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
pub(super) fn opens_block_scalar(line: &str) -> bool {
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
pub(super) fn quoted_chars(line: &str) -> Vec<(usize, char, bool)> {
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
pub(super) fn comment_start(line: &str) -> Option<usize> {
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
pub(super) fn in_quotes(line: &str, at: usize) -> bool {
    quoted_chars(line)
        .iter()
        .find(|&&(i, _, _)| i >= at)
        .is_some_and(|&(_, _, quoted)| quoted)
}

/// Returns whether a quote or a bracket after `before` starts a token.
pub(super) fn starts_token(before: char) -> bool {
    before.is_whitespace() || "[{,:".contains(before)
}

/// Returns whether `c` may be part of a key this format knows (`batch_size`, `val_loss`).
pub(super) fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-.".contains(c)
}
