//! A flow mapping whose comma split a value's list in two (`{optimizer: sgd, adam}`): the
//! entries the comma made keys of, and the list they were meant to be.

use super::quote::shorten;
use super::tree::{Entry, Kind, Scalar};

/// Returns, for each run of entries of a flow mapping that a comma split off a value (`adam`
/// in `{optimizer: sgd, adam}`: keys with nothing after them, on the line of the scalar value
/// before them), the first of them and the message that says so, with the list they were meant
/// to be: `optimizer: [sgd, adam]`.
pub(super) fn split_values(entries: &[Entry]) -> Vec<(&Entry, String)> {
    let empty = |e: &&Entry| matches!(&e.value.kind, Kind::Scalar { value: Scalar::Null, text } if text.is_empty());
    let mut found = Vec::new();
    let mut i = 1;
    while i < entries.len() {
        let owner = &entries[i - 1];
        let line = owner.value.pos.line;
        let run: Vec<&Entry> = entries[i..]
            .iter()
            .take_while(|e| empty(e) && e.key_pos.line == line)
            .collect();
        let Kind::Scalar { text, .. } = &owner.value.kind else {
            i += 1;
            continue;
        };
        if run.is_empty() || text.is_empty() {
            i += 1;
            continue;
        }
        let keys: Vec<String> = run.iter().map(|e| shorten(&e.key)).collect();
        let read_as = match keys.as_slice() {
            [one] => format!("`{one}` was read as a key"),
            many => format!("`{}` were read as keys", many.join("`, `")),
        };
        let message = format!(
            "{read_as} with no value: inside `{{..}}` a comma ends the value of `{}`; write its \
             values as a list, `{}: [{}, {}]`",
            owner.key,
            owner.key,
            shorten(text),
            keys.join(", ")
        );
        found.push((run[0], message));
        i += run.len();
    }
    found
}
