//! The names and numbers at the top of an experiment file: its `name:` (also a folder and a
//! word on the command line, so a narrow set of characters) and its `seed:`.

use crate::Seed;

use super::decoder::{self, shorten, Decoder};
use super::quote::QUOTED_WHOLE;
use super::syntax;
use super::tree::{Kind, Node, Scalar};

/// Reads the experiment's `name:`.
pub(super) fn name(d: &mut Decoder, node: &Node) -> Option<String> {
    name_at(d, node, "name")
}

/// Reads an experiment's name at `path`.
pub(super) fn name_at(d: &mut Decoder, node: &Node, path: &str) -> Option<String> {
    let name = d.text(node, path)?;
    // The name is also a folder (the checkpoints') and a word on the command line, so `..`,
    // a hidden `.name` and an option-like `-name` are refused.
    let valid = (1..=64).contains(&name.chars().count())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        d.error(
            node.pos,
            path,
            format!(
                "must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter \
                 or digit, found `{}`{}{}",
                shorten(&name),
                // Past `QUOTED_WHOLE` characters `shorten` says the length itself.
                match name.chars().count() {
                    n if n > 64 && n <= QUOTED_WHOLE => format!(" ({n} characters)"),
                    _ => String::new(),
                },
                not_ascii(&name),
            ),
        );
        return None;
    }
    Some(name)
}

/// Returns what the first character of `name` that is not ASCII is, for the message that
/// refuses the name: an invisible one or a space other than ASCII's is named by its code and
/// name (`U+200B (ZERO WIDTH SPACE)`), since the name as quoted shows nothing wrong; a letter
/// such as `é` is one, but not an ASCII one, said or it reads as wrong.
fn not_ascii(name: &str) -> String {
    let Some(c) = name.chars().find(|c| !c.is_ascii()) else {
        return String::new();
    };
    let code = u32::from(c);
    match syntax::invisible_name(c) {
        Some(what) if c.is_whitespace() => {
            format!("; it holds U+{code:04X} ({what}), a space that is not an ASCII one")
        }
        Some(what) => format!("; it holds U+{code:04X} ({what}), an invisible character"),
        None if c.is_whitespace() => {
            format!("; it holds U+{code:04X}, a space that is not an ASCII one")
        }
        None if c.is_alphanumeric() => format!("; `{c}` is not ASCII"),
        None => format!("; `{c}` (U+{code:04X}) is not ASCII"),
    }
}

/// Reads the experiment's `seed:`, an integer from 0 to `u64::MAX`.
pub(super) fn seed(d: &mut Decoder, node: &Node) -> Option<Seed> {
    // Read the text so that seeds above `i64::MAX` are kept exactly.
    if let Kind::Scalar {
        value: Scalar::Int(_) | Scalar::Float(_),
        text,
    } = &node.kind
    {
        if let Ok(seed) = text.parse::<u64>() {
            return Some(Seed(seed));
        }
        // An integer out of range, which reads as a float when it is too long for an i64.
        if decoder::is_integer_text(text) {
            d.error(
                node.pos,
                "seed",
                format!("must be an integer from 0 to {}, found {text}", u64::MAX),
            );
            return None;
        }
    }
    // Written otherwise (`0x10`): an integer all the same.
    let i = d.int(node, "seed")?;
    match u64::try_from(i) {
        Ok(seed) => Some(Seed(seed)),
        Err(_) => {
            let range = format!("must be an integer from 0 to {}, found {i}", u64::MAX);
            d.error(node.pos, "seed", range);
            None
        }
    }
}
