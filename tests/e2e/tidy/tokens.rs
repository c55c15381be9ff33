//! A small tokenizer of Rust source: strings, chars, lifetimes and comments are not code, so a
//! brace or a `#[cfg(test)]` inside one is not read as one.

/// What a token of Rust source is, as far as tidy needs to know.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// A word: an identifier or a keyword.
    Ident,
    /// A string, raw string, byte string, char or number.
    Literal,
    /// A lifetime or label (`'a`).
    Lifetime,
    /// Punctuation: one character, or `::`, `->`, `=>`.
    Punct,
}

/// One token: its kind, its text and where it starts and ends in the file (bytes).
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    /// What it is.
    pub(super) kind: Kind,
    /// Its text, as written.
    pub(super) text: &'a str,
    /// Its first byte in the file.
    pub(super) start: usize,
    /// The byte after it.
    pub(super) end: usize,
}

/// Returns the byte after the block comment that starts at `at` (nested comments included).
fn block_comment_end(b: &[u8], at: usize) -> usize {
    let (mut depth, mut i) = (0usize, at);
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Returns the byte after the raw string (`r"..."`, `r#"..."#`, `br".."`) that starts at `at`,
/// if one does.
fn raw_string_end(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + usize::from(b[at] == b'b');
    if b.get(i) != Some(&b'r') {
        return None;
    }
    i += 1;
    let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
    i += hashes;
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.extend(std::iter::repeat_n(b'#', hashes));
    let found = b[i + 1..]
        .windows(closing.len())
        .position(|w| w == closing.as_slice());
    Some(found.map_or(b.len(), |p| i + 1 + p + closing.len()))
}

/// Returns the byte after the string whose contents start at `at` (after its opening quote).
fn string_end(b: &[u8], mut at: usize) -> usize {
    while at < b.len() {
        match b[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    b.len()
}

/// Returns whether byte `c` may continue an identifier (non-ASCII bytes taken as letters).
fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Splits `text` into tokens, leaving out whitespace and comments (doc comments too). A string,
/// raw string, byte string or char is one token, so a brace or a `#[cfg(test)]` inside one (or
/// inside a comment) is not code.
pub(super) fn tokens(text: &str) -> Vec<Token<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if b[i..].starts_with(b"//") {
            i = text[i..].find('\n').map_or(b.len(), |n| i + n);
            continue;
        } else if b[i..].starts_with(b"/*") {
            i = block_comment_end(b, i);
            continue;
        } else if let Some(end) = raw_string_end(b, i) {
            i = end;
            Kind::Literal
        } else if c == b'"' || b[i..].starts_with(b"b\"") {
            i = string_end(b, i + 1 + usize::from(c == b'b'));
            Kind::Literal
        } else if c == b'\'' || b[i..].starts_with(b"b'") {
            let quote = i + usize::from(c == b'b');
            if b.get(quote + 1) == Some(&b'\\') {
                // An escaped char: its end is the next quote after the escaped character.
                i = b[quote + 3..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| quote + 3 + p + 1);
                Kind::Literal
            } else {
                let width = text[quote + 1..].chars().next().map_or(1, char::len_utf8);
                if b.get(quote + 1 + width) == Some(&b'\'') {
                    i = quote + 2 + width;
                    Kind::Literal
                } else {
                    i = quote + 1;
                    while i < b.len() && word_byte(b[i]) {
                        i += 1;
                    }
                    Kind::Lifetime
                }
            }
        } else if c.is_ascii_digit() {
            while i < b.len()
                && (word_byte(b[i])
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            Kind::Literal
        } else if word_byte(c) {
            // A raw identifier (`r#match`) is one word.
            if b[i..].starts_with(b"r#") {
                i += 2;
            }
            while i < b.len() && word_byte(b[i]) {
                i += 1;
            }
            Kind::Ident
        } else {
            let two = ["::", "->", "=>"]
                .iter()
                .any(|p| b[i..].starts_with(p.as_bytes()));
            i += if two { 2 } else { 1 };
            Kind::Punct
        };
        out.push(Token {
            kind,
            text: &text[start..i],
            start,
            end: i,
        });
    }
    out
}

/// Returns the index of the token that closes the delimiter opened at `open` (the last token
/// when it is never closed).
pub(super) fn closing(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.text {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len() - 1
}

/// Splits `toks` at its commas outside parentheses.
pub(super) fn arguments<'t, 'a>(toks: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let (mut depth, mut from, mut out) = (0usize, 0, Vec::new());
    for (k, t) in toks.iter().enumerate() {
        match t.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                out.push(&toks[from..k]);
                from = k + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[from..]);
    out
}
