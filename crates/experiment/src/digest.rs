//! The one way Sweep names content by its hash: SHA-256, in lowercase hex. The spec's text and
//! resolved form, the data file, and the trials a warm start gave are all compared so.

use sha2::{Digest, Sha256};

/// How many leading hex digits of a hash (or a git commit) Sweep shows, as git's short ids do.
const SHORT_HASH_DIGITS: usize = 12;

/// Returns the first `SHORT_HASH_DIGITS` characters of `hash`, as every message and view shows
/// a hash; the whole text when it is shorter, or when it is not plain hex and would be cut
/// inside a character (a stored value is input: never a panic).
pub fn short_hash(hash: &str) -> &str {
    hash.get(..SHORT_HASH_DIGITS).unwrap_or(hash)
}

/// Returns the hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_hash_is_its_first_twelve_digits_and_never_cuts_a_character() {
        assert_eq!(short_hash(&sha256_hex(b"abc")), "ba7816bf8f01");
        assert_eq!(short_hash("abc"), "abc");
        // Byte 12 falls inside the last `é`: the text is shown whole rather than cut there.
        assert_eq!(short_hash("aéééééé"), "aéééééé");
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
