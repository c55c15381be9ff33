//! Whole-number bounds on a knob of real numbers: W&B reads `{min: 0, max: 1}` (both bounds
//! integers, no `distribution:`) as `int_uniform`, and so does Sweep, so that a file means
//! what it means in W&B and a stored spec keeps its meaning when a study resumes. On `l2` or
//! `dropout` that draws only 0 or 1, which is seldom meant; the file is valid, so `sweep
//! validate` and `sweep run` note it rather than refuse it.
//!
//! Rejected: reading such bounds as a range of reals. It changed what an unchanged file drew
//! (a resumed study's old trials drew 0 and 1, its new ones reals), made a grid over them (2
//! points) a continuous range that a grid refuses, and differed from W&B.

use crate::{Distribution, ExperimentSpec, Knob, KnobKind, Method};

use super::tree::{self, Kind, Scalar};

/// Returns a note for each knob of real numbers whose `min` and `max` are both written as
/// integers with no `distribution:`, which draws whole numbers only; none for a grid, whose
/// points are those whole numbers by design, nor for bounds that are one number.
pub(crate) fn whole_bound_notes(spec: &ExperimentSpec) -> Vec<String> {
    if matches!(spec.method, Method::Grid(_)) {
        return Vec::new();
    }
    let text = spec.source.strip_prefix('\u{feff}').unwrap_or(&spec.source);
    let (Some(root), _) = tree::read(text) else {
        return Vec::new();
    };
    let Some(Kind::Map(params)) = root.get("parameters").map(|n| &n.kind) else {
        return Vec::new();
    };
    params
        .iter()
        .filter_map(|entry| {
            let fields = &entry.value;
            let bound = |key: &str| match fields.get(key).map(|n| &n.kind) {
                Some(Kind::Scalar {
                    value: Scalar::Int(i),
                    ..
                }) => Some(*i),
                _ => None,
            };
            let (min, max) = (bound("min")?, bound("max")?);
            let explicit = fields.get("distribution").is_some();
            let real = matches!(Knob::find(&entry.key)?.kind, KnobKind::Float { .. });
            let drawn = spec.space.params().iter().any(|p| {
                p.name == entry.key && matches!(p.distribution, Distribution::IntUniform { .. })
            });
            if explicit || !real || !drawn || min >= max {
                return None;
            }
            let values = if max - min == 1 {
                format!("{min} or {max}")
            } else {
                format!("{min} to {max}")
            };
            Some(format!(
                "`{}: {{min: {min}, max: {max}}}` draws whole numbers only ({values}), \
                 as W&B reads whole-number bounds; write `min: {min}.0, max: {max}.0` \
                 (or `distribution: uniform`) for a range of reals",
                entry.key
            ))
        })
        .collect()
}
