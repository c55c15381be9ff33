//! How a float is stored in a record (`FloatV1`): finite values are JSON numbers, parsed
//! exactly (serde_json's `float_roundtrip`); NaN and the infinities, which JSON lacks, are the
//! strings `nan`, `inf` and `-inf`. NaN payloads and signs are not kept. Metric points do not go
//! through here: they are stored as raw bits.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An f64 that survives JSON even when it is NaN or infinite.
#[derive(Debug, Clone, Copy)]
pub(super) struct FloatV1(pub(super) f64);

/// Returns metric values by name as written (a trial's result, a test result).
pub(super) fn metrics_v1(metrics: &BTreeMap<String, f64>) -> BTreeMap<String, FloatV1> {
    metrics
        .iter()
        .map(|(name, value)| (name.clone(), FloatV1(*value)))
        .collect()
}

/// Returns metric values by name as read back.
pub(super) fn metrics_of(metrics: BTreeMap<String, FloatV1>) -> BTreeMap<String, f64> {
    metrics
        .into_iter()
        .map(|(name, value)| (name, value.0))
        .collect()
}

impl Serialize for FloatV1 {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_finite() {
            s.serialize_f64(x)
        } else if x.is_nan() {
            s.serialize_str("nan")
        } else if x > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }
}

impl<'de> Deserialize<'de> for FloatV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

/// Accepts exactly what `FloatV1` writes: a JSON float, or `nan`, `inf`, `-inf`. An integer is
/// refused because serde_json always writes a float with a fraction or an exponent.
struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = FloatV1;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a float or one of \"nan\", \"inf\", \"-inf\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<FloatV1, E> {
        Ok(FloatV1(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<FloatV1, E> {
        match v {
            "nan" => Ok(FloatV1(f64::NAN)),
            "inf" => Ok(FloatV1(f64::INFINITY)),
            "-inf" => Ok(FloatV1(f64::NEG_INFINITY)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}
