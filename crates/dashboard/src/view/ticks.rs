//! The ticks of a compare form: the trials (`?t=`) or experiments (`?e=`) ticked for comparing,
//! as an address carries them.
//!
//! One parser reads them for the leaderboard, the compare page and the comparison of
//! experiments, so that all three take the same rules: an empty value is no tick, a tick given
//! twice counts once (where it was first given), and a value that names no trial or experiment
//! is a bad request naming its key (or, for the way back from a compare that could not be read,
//! left out). A comparison takes at most `Tick::MAX`; a page that cuts the ticks to that many
//! knows how many it dropped, and says so (`Ticks::note`). A page that reads only the first
//! values of a long query (`TickKeys::read_at_most`, a bound on its work) counts the others as
//! sent, without reading them, so that what it says counts every tick sent. A tick of what the
//! store no longer holds (an experiment since removed, a trial number past those of a run
//! again) leaves the others compared, with a note naming it (`gone_note`), rather than fail
//! the page that a bookmark keeps; one the store has a near match for may be a typo in an
//! address written by hand, and the note says it as either, with the near match
//! (`missing_note`; both in `gone`).

use std::collections::BTreeSet;
use std::fmt;

use super::compare::{MAX_TRIALS, MIN_TRIALS};
use super::experiments_compare::{MAX_EXPERIMENTS, MIN_EXPERIMENTS};
use super::format::url_part;
use crate::{Error, Result};

mod gone;

pub(crate) use gone::{gone_note, missing_note, Missing};

/// What one tick names, as a query's value writes it: a trial number (`u32`) or an
/// experiment's name (`String`).
pub(crate) trait Tick: Clone + Ord + fmt::Debug + fmt::Display {
    /// The fewest a comparison takes.
    const MIN: usize;
    /// The most a comparison takes (one palette colour each).
    const MAX: usize;
    /// What a value must be, for the error that it is not, with what that is: `a trial number
    /// (a whole number from 0 to 4294967295)`.
    const WHAT: &'static str;
    /// What the ticks are, in the plural: `trials`.
    const NOUN: &'static str;
    /// What the note of ticks gone says before their values, of one and of several: `trial`,
    /// `trials` (`no trial 7 (its trials are 0 to 2)`).
    const NAMED: (&'static str, &'static str);

    /// Reads one value (never empty); `None` when it names no such thing.
    fn read(value: &str) -> Option<Self>;
}

impl Tick for u32 {
    const MIN: usize = MIN_TRIALS;
    const MAX: usize = MAX_TRIALS;
    const WHAT: &'static str = "a trial number (a whole number from 0 to 4294967295)";
    const NOUN: &'static str = "trials";
    const NAMED: (&'static str, &'static str) = ("trial", "trials");

    fn read(value: &str) -> Option<u32> {
        value.parse().ok()
    }
}

impl Tick for String {
    const MIN: usize = MIN_EXPERIMENTS;
    const MAX: usize = MAX_EXPERIMENTS;
    const WHAT: &'static str = "an experiment name (1 to 64 ASCII letters, digits, '.', '_' or \
                                '-', starting with a letter or digit)";
    const NOUN: &'static str = "experiments";
    const NAMED: (&'static str, &'static str) = ("experiment named", "experiments named");

    fn read(value: &str) -> Option<String> {
        // As a spec names an experiment (`ExperimentSpec::name`, checked where it is read).
        let plain = (1..=64).contains(&value.chars().count())
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        plain.then(|| value.to_string())
    }
}

/// Where in a query string a page reads its ticks, and how many values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TickKeys {
    /// The key of one tick per value, the compare forms' checkbox name: `t` or `e`.
    pub(crate) key: &'static str,
    /// A key whose value lists ticks, comma-separated (`trials=3,7`), where the page takes one.
    pub(crate) list_key: Option<&'static str>,
    /// The most (non-empty) values read; the rest are only counted (`Ticks::note` counts them
    /// as ticked), not read, not even for a bad one.
    pub(crate) read_at_most: usize,
}

/// What reading does with a value that names no trial or experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadTick {
    /// It is a bad request naming its key and value: a page reads its own address.
    Refused,
    /// It is left out: the way back from a compare that could not be read keeps what it can.
    Skipped,
}

/// The ticks of an address: each once, in the order ticked, how many past the most a
/// comparison takes (`Tick::MAX`) were dropped, and how many values past those read were sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ticks<T> {
    /// The ticks kept.
    ids: Vec<T>,
    /// How many distinct ticks were dropped past `Tick::MAX` (`at_most_compared`).
    dropped: usize,
    /// How many non-empty values were sent past the first `TickKeys::read_at_most`, which were
    /// not read: each counts as a tick (a repeat or a value naming nothing among them too).
    unread: usize,
}

impl<T: Tick> Default for Ticks<T> {
    fn default() -> Ticks<T> {
        Ticks {
            ids: Vec::new(),
            dropped: 0,
            unread: 0,
        }
    }
}

impl<T: Tick> Ticks<T> {
    /// Reads the ticks under `keys` of `query` (percent-decoded), each once, in the order
    /// given, from the first `keys.read_at_most` values, the others counted as sent; an empty
    /// value is none, and a value that is not a `T` is `bad`: a malformed query or a refused
    /// value is a bad request that names the key and what a value must be (`t: "x" is not a
    /// trial number (a whole number from 0 to 4294967295)`), and, for a value with a space in
    /// it, that a `+` in an address is one (`?t=+3` sends `" 3"`).
    pub(crate) fn read(query: &str, keys: TickKeys, bad: BadTick) -> Result<Ticks<T>> {
        let pairs = super::query_pairs(query)?;
        let mut values = pairs
            .iter()
            .flat_map(|(key, value)| {
                let values: Vec<&str> = if *key == keys.key {
                    vec![value.as_str()]
                } else if Some(key.as_str()) == keys.list_key {
                    value.split(',').collect()
                } else {
                    Vec::new()
                };
                values.into_iter().map(move |v| (key.as_str(), v))
            })
            .filter(|(_, value)| !value.is_empty());
        let mut ids = Vec::new();
        for (key, value) in values.by_ref().take(keys.read_at_most) {
            match (T::read(value), bad) {
                (Some(id), _) => ids.push(id),
                (None, BadTick::Skipped) => {}
                (None, BadTick::Refused) => {
                    let plus = if value.contains(' ') {
                        "; a `+` in an address is a space"
                    } else {
                        ""
                    };
                    return Err(Error::BadRequest(format!(
                        "{key}: {value:?} is not {}{plus}",
                        T::WHAT
                    )));
                }
            }
        }
        Ok(Ticks {
            unread: values.count(),
            ..Ticks::of(ids)
        })
    }

    /// Returns the ticks `ids`, each once (where first given), in their order, none dropped.
    pub(crate) fn of(ids: impl IntoIterator<Item = T>) -> Ticks<T> {
        let mut seen = BTreeSet::new();
        Ticks {
            ids: ids
                .into_iter()
                .filter(|id| seen.insert(id.clone()))
                .collect(),
            dropped: 0,
            unread: 0,
        }
    }

    /// Returns the ticks that `keep` keeps: a page leaves out those that name nothing it holds
    /// (there is nothing to compare), which are not counted as dropped.
    pub(crate) fn only(mut self, keep: impl Fn(&T) -> bool) -> Ticks<T> {
        self.ids.retain(keep);
        self
    }

    /// Returns the first `Tick::MAX` ticks, the most a comparison takes, counting the others
    /// as dropped.
    pub(crate) fn at_most_compared(mut self) -> Ticks<T> {
        let over = self.ids.len().saturating_sub(T::MAX);
        self.ids.truncate(T::MAX);
        self.dropped += over;
        self
    }

    /// Returns the ticks for a comparison, or, unless there are `Tick::MIN` to `Tick::MAX` of
    /// them, a bad request that says how many were picked.
    pub(crate) fn compared(self) -> Result<Vec<T>> {
        if !(T::MIN..=T::MAX).contains(&self.ids.len()) {
            return Err(Error::BadRequest(format!(
                "pick {} to {} {} to compare ({} picked)",
                T::MIN,
                T::MAX,
                T::NOUN,
                self.ids.len()
            )));
        }
        Ok(self.ids)
    }

    /// Returns the ticks kept, in the order ticked.
    pub(crate) fn ids(&self) -> &[T] {
        &self.ids
    }

    /// Returns whether no tick is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Returns the ticks as the query's part under `key`, `t=3&t=7` (empty for none), each
    /// value written as a query's part.
    pub(crate) fn query(&self, key: &str) -> String {
        (self.ids.iter())
            .map(|id| format!("{key}={}", url_part(&id.to_string())))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Returns what tells apart the pages these ticks make, for the key a page is kept under
    /// (`pages::render_experiment`): the ticks kept, in order, and, where the page says how
    /// many were ticked (`note`), how many, `&t=[3, 7]` or `&t=[0, 1, 2, 3, 4, 5, 6, 7]/12`;
    /// empty for the page without ticks or a note. Ticks that make the same page (as many
    /// ticked in all, whether dropped or unread) make the same key.
    pub(crate) fn page_key(&self) -> String {
        match (self.ids.is_empty(), self.note().is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!("&t={:?}", self.ids),
            (_, false) => format!("&t={:?}/{}", self.ids, self.ticked()),
        }
    }

    /// Returns how many ticks were sent: those kept, dropped and unread.
    fn ticked(&self) -> usize {
        self.ids.len() + self.dropped + self.unread
    }

    /// Returns what a page says of the ticks it dropped past the most a comparison takes, or
    /// left unread past the values it reads, `10 trials were ticked; a comparison takes at most
    /// 8, so the first 8 ticked are kept`, counting those kept, dropped and unread; empty where
    /// it dropped and left unread none.
    pub(crate) fn note(&self) -> String {
        if self.dropped == 0 && self.unread == 0 {
            return String::new();
        }
        format!(
            "{} {} were ticked; a comparison takes at most {max}, so the first {max} ticked \
             are kept",
            self.ticked(),
            T::NOUN,
            max = T::MAX
        )
    }
}

/// Returns the words of the way back from a compare that could not be read: `to tick 2 to 8
/// trials`.
pub(crate) fn to_tick<T: Tick>() -> String {
    format!("to tick {} to {} {}", T::MIN, T::MAX, T::NOUN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: TickKeys = TickKeys {
        key: "t",
        list_key: Some("trials"),
        read_at_most: usize::MAX,
    };

    #[test]
    fn every_page_reads_empty_duplicate_and_bad_ticks_alike() {
        let read = |q: &str| Ticks::<u32>::read(q, T, BadTick::Refused).map(|t| t.ids);
        // Empty values are none; a repeat counts once, where first given; order is kept.
        assert_eq!(read("t=&t=3&trials=7,,3&t=1").ok(), Some(vec![3, 7, 1]));
        let err = read("t=1&trials=2,x").unwrap_err().to_string();
        let number = "a trial number (a whole number from 0 to 4294967295)";
        assert_eq!(err, format!("trials: \"x\" is not {number}"));
        let skipped = Ticks::<u32>::read("t=1&t=x&trials=2,-3&t=1", T, BadTick::Skipped);
        assert_eq!(
            skipped.map(|t| t.query("t")).ok().as_deref(),
            Some("t=1&t=2")
        );
        let e = TickKeys {
            key: "e",
            list_key: None,
            read_at_most: usize::MAX,
        };
        let names = |q: &str| Ticks::<String>::read(q, e, BadTick::Refused).map(|t| t.ids);
        assert_eq!(
            names("e=b&e=&e=a&e=b").ok(),
            Some(vec!["b".into(), "a".into()])
        );
        let err = names("e=a%2Fb").unwrap_err().to_string();
        assert_eq!(
            err,
            "e: \"a/b\" is not an experiment name (1 to 64 ASCII letters, digits, '.', '_' or \
             '-', starting with a letter or digit)"
        );
        // Past the values read, none is looked at.
        let capped = TickKeys {
            read_at_most: 2,
            ..T
        };
        let ticks = Ticks::<u32>::read("t=4&t=&t=4&t=x", capped, BadTick::Refused);
        assert_eq!(ticks.map(|t| t.ids).ok(), Some(vec![4]));
    }

    #[test]
    fn values_past_those_read_are_counted_as_ticked_without_being_read() {
        // 40 ticked, 32 read: the note counts all 40, empty values none, list values each.
        let keys = TickKeys {
            read_at_most: 32,
            ..T
        };
        let query: Vec<String> = (0..38).map(|t| format!("t={t}&t=")).collect();
        let query = format!("{}&trials=38,,39", query.join("&"));
        let ticks = Ticks::<u32>::read(&query, keys, BadTick::Refused)
            .unwrap()
            .at_most_compared();
        assert_eq!(ticks.ids(), (0..8).collect::<Vec<u32>>());
        assert_eq!(
            ticks.note(),
            format!(
                "40 trials were ticked; a comparison takes at most {MAX_TRIALS}, so the first \
                 {MAX_TRIALS} ticked are kept"
            )
        );
        // Unread, and so said, even where none read was dropped.
        let few = TickKeys {
            read_at_most: 1,
            ..T
        };
        let ticks = Ticks::<u32>::read("t=1&t=x", few, BadTick::Refused).unwrap();
        assert_eq!(
            (ticks.ids(), ticks.note().starts_with("2 trials")),
            (&[1][..], true)
        );
    }

    #[test]
    fn ticks_past_what_a_comparison_takes_are_dropped_and_counted() {
        let ticks = Ticks::of((0..12).chain(0..3)).at_most_compared();
        assert_eq!(ticks.ids(), (0..8).collect::<Vec<u32>>());
        assert_eq!(
            ticks.note(),
            format!(
                "12 trials were ticked; a comparison takes at most {MAX_TRIALS}, so the first \
                 {MAX_TRIALS} ticked are kept"
            )
        );
        // Those left out for naming nothing held are not counted.
        let held = Ticks::of([99, 1, 98, 2])
            .only(|id| *id < 10)
            .at_most_compared();
        assert_eq!((held.ids(), held.note()), (&[1, 2][..], String::new()));
        assert_eq!(
            Ticks::of([1]).compared().unwrap_err().to_string(),
            format!("pick {MIN_TRIALS} to {MAX_TRIALS} trials to compare (1 picked)")
        );
        assert_eq!(
            to_tick::<String>(),
            format!("to tick {MIN_EXPERIMENTS} to {MAX_EXPERIMENTS} experiments")
        );
    }

    #[test]
    fn a_bad_tick_says_what_a_tick_must_be() {
        let err = |q: &str| {
            Ticks::<u32>::read(q, T, BadTick::Refused)
                .unwrap_err()
                .to_string()
        };
        let number = "is not a trial number (a whole number from 0 to 4294967295)";
        assert_eq!(err("t=-1"), format!("t: \"-1\" {number}"));
        // A whole number, but past the largest trial number.
        assert_eq!(err("t=4294967296"), format!("t: \"4294967296\" {number}"));
        // `+3`: the query's `+` decodes to a space, which the message names.
        assert_eq!(
            err("t=+3"),
            format!("t: \" 3\" {number}; a `+` in an address is a space")
        );
        let e = TickKeys {
            key: "e",
            list_key: None,
            read_at_most: usize::MAX,
        };
        let name = |q: &str| Ticks::<String>::read(q, e, BadTick::Refused).map(|t| t.ids);
        let rule = "is not an experiment name (1 to 64 ASCII letters, digits, '.', '_' or '-', \
                    starting with a letter or digit)";
        // As a spec names an experiment: not `..`, a hidden `.name`, an option-like `-name` or
        // one past 64 characters.
        let long = "a".repeat(65);
        for bad in ["..", ".a", "-a", long.as_str()] {
            let got = name(&format!("e={bad}")).unwrap_err().to_string();
            assert_eq!(got, format!("e: {bad:?} {rule}"));
        }
        let most = "a".repeat(64);
        let good = format!("e=a.b_c-1&e=9x&e={most}");
        assert_eq!(
            name(&good).ok(),
            Some(vec!["a.b_c-1".into(), "9x".into(), most])
        );
    }

    #[test]
    fn the_page_key_tells_apart_the_pages_the_ticks_make() {
        let read = |q: &str| {
            let keys = TickKeys {
                read_at_most: 10,
                ..T
            };
            Ticks::<u32>::read(q, keys, BadTick::Refused)
                .unwrap()
                .only(|id| *id < 20)
                .at_most_compared()
        };
        let upto = |n: u32| {
            (0..n)
                .map(|t| format!("t={t}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        // No ticks, no note: the page without ticks.
        assert_eq!(read("").page_key(), "");
        assert_eq!(read("t=99").page_key(), "");
        // The ticks kept tell pages apart, and so does the note: 9 ticked from 12.
        assert_ne!(read("t=1&t=2").page_key(), read("t=2&t=1").page_key());
        assert_ne!(read(&upto(9)).page_key(), read(&upto(12)).page_key());
        assert_ne!(read(&upto(9)).note(), read(&upto(12)).note());
        // Unread values past those read, none kept: a note, so not the page without ticks.
        let unread = format!(
            "{}&t=5",
            (90..100)
                .map(|t| format!("t={t}"))
                .collect::<Vec<_>>()
                .join("&")
        );
        let none_kept = read(&unread);
        assert!(none_kept.ids().is_empty() && !none_kept.note().is_empty());
        assert_ne!(none_kept.page_key(), "");
        // As many ticked in all, whether dropped or unread: the same page, the same key.
        let more_dropped = read(&upto(11));
        let more_unread = read(&format!("{}&t=0&t=10&t=11", upto(9)));
        assert_eq!(more_dropped.ids(), more_unread.ids());
        assert_ne!(
            (more_dropped.dropped, more_dropped.unread),
            (more_unread.dropped, more_unread.unread)
        );
        assert_eq!(
            (more_dropped.note(), more_dropped.page_key()),
            (more_unread.note(), more_unread.page_key())
        );
    }
}
