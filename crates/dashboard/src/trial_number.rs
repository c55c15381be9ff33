//! A trial's number in a URL path, read in its one written form: `/trials/1`, never `+1` or
//! `01`, which a plain `u32` would take too, so that one trial has one address.

use serde::{Deserialize, Deserializer};

/// A trial number from a path segment of decimal digits without a sign or leading zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TrialNumber(pub(crate) u32);

impl<'de> Deserialize<'de> for TrialNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<u32>() {
            Ok(n) if n.to_string() == text => Ok(TrialNumber(n)),
            _ => Err(serde::de::Error::custom(format!(
                "not a trial number: `{text}`"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_written_form_of_a_number_is_a_trial_number() {
        let read = |text: &str| {
            serde_json::from_value::<TrialNumber>(serde_json::Value::String(text.into())).ok()
        };
        assert_eq!(read("1"), Some(TrialNumber(1)));
        assert_eq!(read("0"), Some(TrialNumber(0)));
        assert_eq!(read("4294967295"), Some(TrialNumber(u32::MAX)));
        for other in ["+1", "01", "00", " 1", "1 ", "-1", "4294967296", "", "x"] {
            assert_eq!(read(other), None, "{other:?}");
        }
    }
}
