//! Files written the W&B or Optuna way (issue 45, a team's migration): what `sweep validate`
//! says of a shape whose draws round outside the knob, what a grid takes, and the keys of
//! those tools that Sweep names otherwise or has no use for.

use super::{parse_ok, BASE};

/// Returns the notes `sweep validate` prints for `text` after `BASE`.
fn notes(text: &str) -> Vec<String> {
    let spec = parse_ok(&format!("{BASE}{text}"));
    spec.notes(spec.run_cap)
}

#[test]
fn issue_45_a_q_beta_whose_draws_round_outside_the_knob_is_noted() {
    // Valid (the share lost depends on `a` and `b`, as a normal's on `mu` and `sigma`), and said.
    let said = notes("parameters:\n  momentum: {distribution: q_beta, a: 5, b: 1, q: 0.25}\n");
    assert!(
        said.iter().any(|n| n.starts_with(
            "`momentum` is drawn from a beta distribution (a 5, b 1, rounded to a multiple of q \
             (0.25)) that puts about 49% of its draws outside the values it takes"
        )),
        "{said:#?}"
    );
}
