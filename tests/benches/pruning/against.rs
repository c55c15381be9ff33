//! How the pruning bench compares a sweep with the unpruned one: which sweep runs first, and
//! what a row says when there is no unpruned sweep to compare it with.
//!
//! Kept apart from the bench's `main` so that `tests`' own unit tests (`against_tests.rs`,
//! which the bench does not compile) can hold it, the bench itself running sweeps for minutes:
//! a row once read "1.00x, +0.00 pt" for every pruner listed before `none`, figures no sweep
//! measured.

/// The pruner whose sweep every other is compared with.
pub(crate) const UNPRUNED: &str = "none";

/// Returns the pruners in the order a seed runs them: the unpruned sweep first, so that every
/// other row of the seed has it to compare with, then the others as listed.
pub(crate) fn run_order<T>(pruners: Vec<(String, T)>) -> Vec<(String, T)> {
    let (mut first, rest): (Vec<_>, Vec<_>) =
        pruners.into_iter().partition(|(name, _)| name == UNPRUNED);
    first.extend(rest);
    first
}

/// Returns a sweep's epochs as a share of the unpruned sweep's and its best value less the
/// unpruned best, in points; none where there is no unpruned sweep (`unpruned`: its epochs and
/// best) to compare with, so that the row says `-` and the summary leaves it out.
pub(crate) fn against(
    epochs: usize,
    best: f64,
    unpruned: Option<(usize, f64)>,
) -> Option<(f64, f64)> {
    let (base_epochs, base_best) = unpruned?;
    Some((
        epochs as f64 / base_epochs as f64,
        (best - base_best) * 100.0,
    ))
}
