//! User text as a message quotes it: the one helper every message of the reader that quotes
//! what a file holds (a value, a key, a name) goes through.
//!
//! Quoted text reaches a terminal, so a control character in it would act rather than show (an
//! escape sequence moves the cursor or sets the clipboard), and a bidirectional control would
//! reorder the message around it: both are written as escapes. Text past `QUOTED_WHOLE`
//! characters (a pasted paragraph, a megabyte of one name) is cut in the middle, its length
//! said, so one message never floods the terminal.

use std::fmt::Write as _;

use super::tree::{Kind, Node, Scalar};

/// The most characters of user text a message quotes whole.
pub(super) const QUOTED_WHOLE: usize = 200;

/// The characters kept from the start of longer text.
const HEAD: usize = 120;

/// The characters kept from the end of longer text.
const TAIL: usize = 60;

/// Returns `text` as a message quotes it: whole up to `QUOTED_WHOLE` characters, else its first
/// `HEAD` and last `TAIL` characters around `…`, followed by its length (`(1048576
/// characters)`); control characters and bidirectional controls are written as escapes
/// (`\u{1b}`). Also for the notes on a spec that quote a name from it
/// (`ExperimentSpec::grid_probability_notes`, `ExperimentSpec::contrary_goals`).
pub(crate) fn shorten(text: &str) -> String {
    let count = text.chars().count();
    if count <= QUOTED_WHOLE {
        return escaped(text.chars());
    }
    let head = escaped(text.chars().take(HEAD));
    let tail = escaped(text.chars().skip(count - TAIL));
    format!("{head}…{tail} ({count} characters)")
}

/// Returns a value of a knob or parameter as a message quotes it (`shorten`).
pub(super) fn shown(value: &crate::ParamValue) -> String {
    shorten(&value.to_string())
}

/// Returns `message`, a rule's refusal of the value `value` read from `node`, with the value as
/// the file writes it: a number written past what a 64-bit float holds exactly (`1e-400` read
/// as 0, `99999999999999999999` as 1e20) was found as written, with what it rounds to said
/// (`rounding`), and a value too long to quote whole is shortened (`shorten`).
pub(super) fn as_written(message: String, node: &Node, value: &crate::ParamValue) -> String {
    let Kind::Scalar {
        value: Scalar::Int(_) | Scalar::Float(_),
        text,
    } = &node.kind
    else {
        let whole = value.to_string();
        return match whole.chars().count() > QUOTED_WHOLE {
            true => message.replace(&whole, &shorten(&whole)),
            false => message,
        };
    };
    const FOUND: &str = ", found ";
    match message.rfind(FOUND) {
        // Said as another number than written (`1e20` for `99999999999999999999`, `0` for
        // `1e-400`); `1` for `1.0` is the same number, and is left as the rule says it.
        Some(at)
            if message[at + FOUND.len()..].parse::<f64>().is_ok()
                && decimal(&message[at + FOUND.len()..]) != decimal(text) =>
        {
            let x = text.parse::<f64>().unwrap_or(f64::NAN);
            let note = rounding(text, x).map_or_else(String::new, |n| format!(" ({n})"));
            format!("{}{FOUND}{}{note}", &message[..at], shorten(text))
        }
        _ => message,
    }
}

/// Returns the number `text` writes in decimal (`-1.50e2`, `0x10` aside) as its sign, its
/// significant digits and the power of ten of the last one, so that two texts of one number
/// (`1.0` and `1`, `150` and `1.5e2`) compare equal; `None` for other text.
fn decimal(text: &str) -> Option<(bool, String, i64)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
        || whole.len() + fraction.len() == 0
    {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    if trimmed.is_empty() {
        return Some((false, String::new(), 0));
    }
    let fraction_len = i64::try_from(fraction.len()).ok()?;
    let zeros = i64::try_from(significant.len() - trimmed.len()).ok()?;
    Some((
        negative,
        trimmed.to_string(),
        exponent - fraction_len + zeros,
    ))
}

/// Returns what a number written as `text` and read as `x` became when it does not hold as a
/// 64-bit float: "1e-400 rounds to 0 as a 64-bit float", "1e400 is past the largest 64-bit
/// float (about 1.8e308)"; `None` for one that holds.
pub(super) fn rounding(text: &str, x: f64) -> Option<String> {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let has_digits = text.bytes().any(|b| b.is_ascii_digit());
    let nonzero = mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let text = shorten(text);
    if x == 0.0 && nonzero {
        Some(format!("{text} rounds to 0 as a 64-bit float"))
    } else if x.is_infinite() && has_digits {
        Some(format!(
            "{text} is past the largest 64-bit float (about 1.8e308)"
        ))
    } else {
        None
    }
}

/// Returns `chars` with each control character and bidirectional control written as an escape.
fn escaped(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    for ch in chars {
        if ch.is_control() || is_bidi_control(ch) {
            // Writing to a `String` does not fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(ch));
        } else {
            out.push(ch);
        }
    }
    out
}

/// Returns whether `ch` is a bidirectional override or isolate (U+202A to U+202E, U+2066 to
/// U+2069), which reorders the text after it where it is shown.
pub(super) fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole_and_control_characters_as_escapes() {
        assert_eq!(shorten("adam"), "adam");
        assert_eq!(shorten(&"a".repeat(200)), "a".repeat(200));
        assert_eq!(
            shorten("\u{1b}]52;c;eA==\u{7}\u{202e}x"),
            "\\u{1b}]52;c;eA==\\u{7}\\u{202e}x"
        );
    }

    #[test]
    fn a_number_is_one_decimal_however_written() {
        assert_eq!(decimal("1.0"), decimal("1"));
        assert_eq!(decimal("150"), decimal("1.5e2"));
        assert_eq!(decimal("-0.0"), decimal("0"));
        assert_ne!(decimal("99999999999999999999"), decimal("1e20"));
        assert_ne!(decimal("1e-400"), decimal("0"));
        assert_eq!(decimal("0x10"), None);
    }

    #[test]
    fn long_text_is_cut_in_the_middle_with_its_length() {
        let text = format!(
            "{}{}{}",
            "a".repeat(500),
            "b".repeat(1_000_000),
            "c".repeat(60)
        );
        let shown = shorten(&text);
        assert_eq!(
            shown,
            format!(
                "{}…{} (1000560 characters)",
                "a".repeat(120),
                "c".repeat(60)
            )
        );
    }
}
