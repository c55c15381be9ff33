//! What a comparison says of its ticks that name nothing the store holds: an experiment since
//! removed, a trial number past those of a run again, or a name mistyped in an address written
//! by hand (one the store has a near match for). The others are compared with a note naming
//! them while at least `Tick::MIN` remain; with fewer, the words say why there is no comparison.

use super::Tick;

/// A tick a comparison found nothing for in the store, with the near match the store's not
/// found suggested for it (`did you mean t?`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing<T> {
    /// The tick, as given.
    pub(crate) tick: T,
    /// The name the store holds that is near it, as its not found says it: a mistyped tick in
    /// an address written or edited by hand, where it has one.
    pub(crate) near: Option<String>,
}

/// Returns what a comparison of the ticks (`Ticks::compared`) still held (`kept`, in order)
/// says of the others, `gone` (they name what the store no longer holds: an experiment since
/// removed, a trial number past those of a run again): `missing_note`'s words, none near.
pub(crate) fn gone_note<T: Tick>(kept: &[T], gone: &[T]) -> std::result::Result<String, String> {
    let gone: Vec<Missing<T>> = (gone.iter().cloned())
        .map(|tick| Missing { tick, near: None })
        .collect();
    missing_note(kept, &gone)
}

/// Returns what a comparison of the ticks (`Ticks::compared`) still held (`kept`, in order)
/// says of the others, `missing`: the note above it, `no experiment named qs-sobol any more:
/// comparing the other 2` (empty when none is missing), or, where fewer than `Tick::MIN` are
/// kept, as an `Err`, why there is no comparison, `no experiment named qs-sobol any more: 1
/// other left, and a comparison takes 2 to 8 experiments`. A tick with a near match may never
/// have named anything (a typo in an address written by hand), so it is not said to be gone
/// "any more" but either, with the near match: `no experiment named t4 (removed since, or
/// mistyped: did you mean t?)`. Values are written as given, for the page to escape.
pub(crate) fn missing_note<T: Tick>(
    kept: &[T],
    missing: &[Missing<T>],
) -> std::result::Result<String, String> {
    let words = missing_words(missing);
    if kept.len() < T::MIN {
        let others = if kept.len() == 1 { "other" } else { "others" };
        return Err(format!(
            "{words}: {} {others} left, and a comparison takes {} to {} {}",
            kept.len(),
            T::MIN,
            T::MAX,
            T::NOUN
        ));
    }
    if missing.is_empty() {
        return Ok(String::new());
    }
    Ok(format!("{words}: comparing the other {}", kept.len()))
}

/// Returns the words naming `missing`: `no trials 7, 9 any more` where none has a near match,
/// else each with what may have come of it, `no experiments named qs-sobol (removed since),
/// t4 (removed since, or mistyped: did you mean t?)`.
fn missing_words<T: Tick>(missing: &[Missing<T>]) -> String {
    let (one, several) = T::NAMED;
    let named = if missing.len() == 1 { one } else { several };
    let near = missing.iter().any(|m| m.near.is_some());
    let values = (missing.iter())
        .map(|m| match (&m.near, near) {
            (_, false) => m.tick.to_string(),
            (None, true) => format!("{} (removed since)", m.tick),
            (Some(near), true) => format!(
                "{} (removed since, or mistyped: did you mean {near}?)",
                m.tick
            ),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if near {
        format!("no {named} {values}")
    } else {
        format!("no {named} {values} any more")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::compare::{MAX_TRIALS, MIN_TRIALS};
    use crate::view::experiments_compare::{MAX_EXPERIMENTS, MIN_EXPERIMENTS};

    #[test]
    fn ticks_gone_are_named_and_the_others_compared_while_enough_remain() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        assert_eq!(
            gone_note(&names(&["a", "b"]), &names(&["qs-sobol"])),
            Ok("no experiment named qs-sobol any more: comparing the other 2".to_string())
        );
        assert_eq!(
            gone_note::<u32>(&[0, 1, 2], &[7, 9]),
            Ok("no trials 7, 9 any more: comparing the other 3".to_string())
        );
        assert_eq!(gone_note::<u32>(&[0, 1], &[]), Ok(String::new()));
        assert_eq!(
            gone_note(&names(&["a"]), &names(&["b"])),
            Err(format!(
                "no experiment named b any more: 1 other left, and a comparison takes \
                 {MIN_EXPERIMENTS} to {MAX_EXPERIMENTS} experiments"
            ))
        );
        assert_eq!(
            gone_note::<u32>(&[], &[3, 4]),
            Err(format!(
                "no trials 3, 4 any more: 0 others left, and a comparison takes {MIN_TRIALS} \
                 to {MAX_TRIALS} trials"
            ))
        );
    }

    #[test]
    fn a_tick_with_a_near_match_is_said_as_removed_or_mistyped() {
        let missing = |tick: &str, near: Option<&str>| Missing {
            tick: tick.to_string(),
            near: near.map(str::to_string),
        };
        let kept = ["a".to_string(), "b".to_string()];
        assert_eq!(
            missing_note(&kept, &[missing("t4", Some("t"))]),
            Ok(
                "no experiment named t4 (removed since, or mistyped: did you mean t?): \
                comparing the other 2"
                    .to_string()
            )
        );
        assert_eq!(
            missing_note(&kept[..1], &[missing("x", None), missing("T", Some("t"))]),
            Err(format!(
                "no experiments named x (removed since), T (removed since, or mistyped: did \
                 you mean t?): 1 other left, and a comparison takes {MIN_EXPERIMENTS} to \
                 {MAX_EXPERIMENTS} experiments"
            ))
        );
        // None near: gone, as before.
        assert_eq!(
            missing_note(&kept, &[missing("x", None)]),
            gone_note(&kept, &["x".to_string()])
        );
    }
}
