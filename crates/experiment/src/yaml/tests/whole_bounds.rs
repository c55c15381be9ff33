//! Whole-number bounds on a knob of real numbers: W&B's `int_uniform`, as before, with a note
//! where that draws whole numbers a range of reals was likely meant.

use super::{check, parse_ok, BASE};
use crate::{Distribution, Param};

/// Returns the notes of `BASE` and `rest`, which must parse.
fn notes(rest: &str) -> Vec<String> {
    parse_ok(&format!("{BASE}{rest}")).notes(1000)
}

/// Returns the distribution `name` is drawn from in `BASE` and `rest`, which must parse.
fn drawn(rest: &str, name: &str) -> Option<Distribution> {
    let spec = parse_ok(&format!("{BASE}{rest}"));
    let param = spec.space.params().iter().find(|p| p.name == name);
    param.map(|p: &Param| p.distribution.clone())
}

#[test]
fn regression_c117ab5_whole_bounds_on_a_real_knob_keep_int_uniform_with_a_note() {
    let random = "parameters:\n  l2: {min: 0, max: 1}\n";
    assert_eq!(
        drawn(random, "l2"),
        Some(Distribution::IntUniform { min: 0, max: 1 })
    );
    let expected = "`l2: {min: 0, max: 1}` draws whole numbers only (0 or 1), as W&B reads \
                    whole-number bounds; write `min: 0.0, max: 1.0` (or `distribution: \
                    uniform`) for a range of reals";
    assert!(
        notes(random).iter().any(|n| n == expected),
        "{:?}",
        notes(random)
    );
    let wide = notes("parameters:\n  clip_norm: {min: 0, max: 3}\n");
    assert!(
        wide.iter()
            .any(|n| n.contains("draws whole numbers only (0 to 3)")),
        "{wide:?}"
    );
    // No note where whole numbers are plainly meant, or where they are a range of reals.
    for quiet in [
        "parameters:\n  l2: {distribution: int_uniform, min: 0, max: 1}\n",
        "method: grid\nparameters:\n  l2: {min: 0, max: 1}\n",
        "parameters:\n  l2: {min: 0.0, max: 1.0}\n",
        "parameters:\n  depth: {min: 1, max: 3}\n",
        "parameters:\n  dropout: {min: 0, max: 0}\n",
    ] {
        let said = notes(quiet);
        assert!(
            !said.iter().any(|n| n.contains("draws whole numbers only")),
            "{quiet}: {said:?}"
        );
    }
}

#[test]
fn regression_c117ab5_a_grid_over_whole_bounds_on_a_real_knob_has_their_points() {
    let grid = "method: grid\nparameters:\n  l2: {min: 0, max: 1}\n";
    assert_eq!(
        drawn(grid, "l2"),
        Some(Distribution::IntUniform { min: 0, max: 1 })
    );
    check(
        &[
            (grid, "ok"),
            ("parameters:\n  dropout: {min: 0, max: 0}\n", "ok"),
            (
                "parameters:\n  l2: {distribution: int_uniform, min: 0, max: 1}\n",
                "ok",
            ),
        ],
        BASE,
    );
}
