//! What a comparison says of its ticks that name nothing the store holds: an experiment since
//! removed, a trial number past those of a run again (or not reached yet by a run going on), or
//! a name mistyped in an address written by hand (one the store has a near match for). The
//! others are compared with a note naming them while at least `Tick::MIN` remain; with fewer,
//! the words say why there is no comparison. What the note says is near (the near name, the
//! trials held) is what the store's not found set (`Near`), never read from its message.

use super::Tick;
use crate::error::Near;

/// A tick a comparison found nothing for in the store, with the near match the store's not
/// found suggested for it (`Near::Experiment`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing<T> {
    /// The tick, as given.
    pub(crate) tick: T,
    /// The name the store holds that is near it, as its not found sets it: a mistyped tick in
    /// an address written or edited by hand, where it has one.
    pub(crate) near: Option<String>,
}

/// Returns what a comparison of an experiment's trials (`Ticks::compared`) still held (`kept`,
/// in order) says of the others, `gone`, the trial numbers it does not hold, with what its not
/// found said it holds (`held`, `Near::Trials`): the note above it, `no trials 7, 9 (its
/// trials are 0 to 2): comparing the other 2` (empty when none is gone), or, where fewer than
/// `Tick::MIN` are kept, as an `Err`, why there is no comparison, `no trial 7 (its trials are 0
/// to 2): 1 other left, and a comparison takes 2 to 8 trials`. A trial number may be past
/// those of a run again with fewer, or not reached yet by a run going on, so the note says
/// neither, only the trials held; where a number gone lies between them, they are said `with
/// gaps`. Any other `held` says no trials held.
pub(crate) fn gone_note(
    kept: &[u32],
    gone: &[u32],
    held: &Near,
) -> std::result::Result<String, String> {
    let (one, several) = <u32 as Tick>::NAMED;
    let named = if gone.len() == 1 { one } else { several };
    let values = (gone.iter().map(u32::to_string))
        .collect::<Vec<_>>()
        .join(", ");
    let words = match held {
        Near::Trials(range) => {
            let within = |id: &u32| range.is_some_and(|(first, last)| (first..=last).contains(id));
            let gaps = if gone.iter().any(within) {
                ", with gaps"
            } else {
                ""
            };
            let held = Near::trials_held(*range);
            format!("no {named} {values} ({held}{gaps})")
        }
        Near::Experiment(_) | Near::Nothing => format!("no {named} {values}"),
    };
    note(kept, !gone.is_empty(), &words)
}

/// Returns what a comparison of the ticks (`Ticks::compared`) still held (`kept`, in order)
/// says of the others, `missing`: the note above it, `no experiment named qs-sobol: comparing
/// the other 2` (empty when none is missing), or, where fewer than `Tick::MIN` are kept, as an
/// `Err`, why there is no comparison, `no experiment named qs-sobol: 1 other left, and a
/// comparison takes 2 to 8 experiments`. Nothing says a name is gone "any more": the store
/// keeps no word of the names it held, and one may never have been there. A tick with a near
/// match may be a typo in an address written by hand, so it is said to be either, with the
/// near match: `no experiment named t4 (removed since, or
/// mistyped: did you mean t?)`. A near match already compared (`kept`), or already suggested
/// for a tick before it, is no suggestion: that tick is said `removed since, or never there`.
/// Values are written as given, for the page to escape.
pub(crate) fn missing_note<T: Tick>(
    kept: &[T],
    missing: &[Missing<T>],
) -> std::result::Result<String, String> {
    note(kept, !missing.is_empty(), &missing_words(kept, missing))
}

/// Returns the note of a comparison whose ticks still held are `kept`, `words` naming those it
/// lacks (`any` says whether it lacks any): `WORDS: comparing the other N` (empty when it lacks
/// none), or, where fewer than `Tick::MIN` are kept, as an `Err`, `WORDS: N others left, and a
/// comparison takes MIN to MAX NOUN`.
fn note<T: Tick>(kept: &[T], any: bool, words: &str) -> std::result::Result<String, String> {
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
    if !any {
        return Ok(String::new());
    }
    Ok(format!("{words}: comparing the other {}", kept.len()))
}

/// Returns the words naming `missing`, beside the ticks compared, `kept`: `no experiments named
/// qs-sobol, qs-grid` where none has a near match, else each with what may have come
/// of it, `no experiments named qs-sobol (removed since), t4 (removed since, or mistyped: did
/// you mean t?)`. A near match that is compared already, or suggested for a tick before, is
/// left out (it names no other experiment to look at), and its tick said `(removed since, or
/// never there)`.
fn missing_words<T: Tick>(kept: &[T], missing: &[Missing<T>]) -> String {
    let (one, several) = T::NAMED;
    let named = if missing.len() == 1 { one } else { several };
    let near = missing.iter().any(|m| m.near.is_some());
    let mut suggested: Vec<&str> = Vec::new();
    let mut values = Vec::with_capacity(missing.len());
    for m in missing {
        let value = match (m.near.as_deref(), near) {
            (_, false) => m.tick.to_string(),
            (None, true) => format!("{} (removed since)", m.tick),
            (Some(name), true)
                if suggested.contains(&name) || kept.iter().any(|k| k.to_string() == name) =>
            {
                format!("{} (removed since, or never there)", m.tick)
            }
            (Some(name), true) => {
                suggested.push(name);
                format!(
                    "{} (removed since, or mistyped: did you mean {name}?)",
                    m.tick
                )
            }
        };
        values.push(value);
    }
    // Not "any more": the store keeps no word of what it held, so a name with no near match
    // may have been removed, or never been there (a typo far from any name).
    format!("no {named} {}", values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::compare::{MAX_TRIALS, MIN_TRIALS};
    use crate::view::experiments_compare::{MAX_EXPERIMENTS, MIN_EXPERIMENTS};

    #[test]
    fn ticks_gone_are_named_and_the_others_compared_while_enough_remain() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let gone = |n: &[&str]| {
            (n.iter())
                .map(|s| Missing {
                    tick: s.to_string(),
                    near: None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            missing_note(&names(&["a", "b"]), &gone(&["qs-sobol"])),
            Ok("no experiment named qs-sobol: comparing the other 2".to_string())
        );
        let held = Near::Trials(Some((0, 2)));
        assert_eq!(
            gone_note(&[0, 1, 2], &[7, 9], &held),
            Ok("no trials 7, 9 (its trials are 0 to 2): comparing the other 3".to_string())
        );
        assert_eq!(gone_note(&[0, 1], &[], &held), Ok(String::new()));
        assert_eq!(
            missing_note(&names(&["a"]), &gone(&["b"])),
            Err(format!(
                "no experiment named b: 1 other left, and a comparison takes \
                 {MIN_EXPERIMENTS} to {MAX_EXPERIMENTS} experiments"
            ))
        );
        assert_eq!(
            gone_note(&[], &[3, 4], &Near::Trials(None)),
            Err(format!(
                "no trials 3, 4 (it has no trials yet): 0 others left, and a comparison takes \
                 {MIN_TRIALS} to {MAX_TRIALS} trials"
            ))
        );
    }

    #[test]
    fn trials_gone_are_said_with_the_trials_held_not_as_gone_any_more() {
        // Past the last: a run again with fewer, or a run going on that has not reached it.
        assert_eq!(
            gone_note(&[0, 1], &[50], &Near::Trials(Some((0, 9)))),
            Ok("no trial 50 (its trials are 0 to 9): comparing the other 2".to_string())
        );
        assert_eq!(
            gone_note(&[0], &[4], &Near::Trials(Some((0, 0)))),
            Err(format!(
                "no trial 4 (its one trial is 0): 1 other left, and a comparison takes \
                 {MIN_TRIALS} to {MAX_TRIALS} trials"
            ))
        );
        // Between the first and the last: the trials held are not every number between.
        assert_eq!(
            gone_note(&[0, 1], &[5, 50], &Near::Trials(Some((0, 9)))),
            Ok(
                "no trials 5, 50 (its trials are 0 to 9, with gaps): comparing the other 2"
                    .to_string()
            )
        );
        // Where the not found said nothing of the trials held, neither does the note.
        assert_eq!(
            gone_note(&[0, 1], &[7], &Near::Nothing),
            Ok("no trial 7: comparing the other 2".to_string())
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
        // None near: gone.
        assert_eq!(
            missing_note(&kept, &[missing("x", None)]),
            Ok("no experiment named x: comparing the other 2".to_string())
        );
        // A near match compared already, or suggested before, is no suggestion.
        assert_eq!(
            missing_note(&kept, &[missing("a2", Some("a")), missing("t4", Some("t"))]),
            Ok(
                "no experiments named a2 (removed since, or never there), t4 (removed since, or \
                 mistyped: did you mean t?): comparing the other 2"
                    .to_string()
            )
        );
        assert_eq!(
            missing_note(&kept, &[missing("t4", Some("t")), missing("t5", Some("t"))]),
            Ok(
                "no experiments named t4 (removed since, or mistyped: did you mean t?), t5 \
                 (removed since, or never there): comparing the other 2"
                    .to_string()
            )
        );
    }
}
