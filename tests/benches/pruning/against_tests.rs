//! Tests of the pruning bench's comparison with the unpruned sweep (`against.rs`), run as
//! `tests`' unit tests: the bench's own target runs no tests.

use crate::pruning_against::{against, run_order};

#[test]
fn issue_a_pruner_listed_before_none_is_compared_with_the_unpruned_sweep() {
    let listed = |names: &[&str]| -> Vec<(String, ())> {
        names.iter().map(|n| (n.to_string(), ())).collect()
    };
    let names =
        |order: Vec<(String, ())>| -> Vec<String> { order.into_iter().map(|(n, _)| n).collect() };
    // `--pruners asha,none,median` runs `none` first, then the others as listed.
    assert_eq!(
        names(run_order(listed(&["asha", "none", "median"]))),
        ["none", "asha", "median"]
    );
    assert_eq!(names(run_order(listed(&["asha"]))), ["asha"]);
    // The README's seed 7: ASHA 464 epochs and best 0.9861 against 1200 and 0.9833.
    let (ratio, delta) = against(464, 0.9861, Some((1200, 0.9833))).unwrap();
    assert!((ratio - 464.0 / 1200.0).abs() < 1e-12, "{ratio}");
    assert!((delta - 0.28).abs() < 1e-9, "{delta}");
    // Without the unpruned sweep there is nothing to compare with, not "1.00x, +0.00".
    assert_eq!(against(464, 0.9861, None), None);
}
