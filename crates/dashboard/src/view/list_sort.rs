//! The experiments list's column sort (`?sort=completed&dir=desc`), as the leaderboard's
//! column heads sort its trials: a head is a link that sorts by it, and sorts the other way
//! when it already does. The default is newest first, which `started` names: the store's
//! order (by when each was created) reversed, so that the experiments a team made this week
//! are on the first page, as W&B and MLflow list runs; a click on its head lists them oldest
//! first. The order is a pure function of the store, never of a clock: ties of any other key
//! list the newer first too, whichever way the column runs. The best value is not a sort key:
//! experiments that optimize different metrics, or the same one in different directions, have
//! no order among their best values.

use std::cmp::Reverse;
use std::sync::Arc;

use store::ExperimentStatus;

use super::Counts;
use crate::data::ExperimentData;

/// A column the experiments list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ListSort {
    /// By name, alphabetically.
    Name,
    /// By status: running, interrupted, finished.
    Status,
    /// By trials started or run.
    Trials,
    /// By completed trials.
    Completed,
    /// By pruned trials.
    Pruned,
    /// By failed trials.
    Failed,
    /// By running trials (with those a stopped sweep left running).
    Running,
    /// By when it was created: the store's order (the default, newest first).
    #[default]
    Started,
}

impl ListSort {
    /// Every key, in the order of the list's columns.
    pub(crate) const ALL: [ListSort; 8] = [
        ListSort::Name,
        ListSort::Status,
        ListSort::Trials,
        ListSort::Completed,
        ListSort::Pruned,
        ListSort::Failed,
        ListSort::Running,
        ListSort::Started,
    ];

    /// Returns the key's name in the query string, which is also its column's head.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ListSort::Name => "name",
            ListSort::Status => "status",
            ListSort::Trials => "trials",
            ListSort::Completed => "completed",
            ListSort::Pruned => "pruned",
            ListSort::Failed => "failed",
            ListSort::Running => "running",
            ListSort::Started => "started",
        }
    }

    /// Reads a key from the query string, or says which there are.
    pub(crate) fn parse(text: &str) -> crate::Result<ListSort> {
        ListSort::ALL
            .into_iter()
            .find(|k| k.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = ListSort::ALL.iter().map(|k| k.name()).collect();
                crate::Error::BadRequest(format!(
                    "unknown sort {text:?}; the list sorts by {}",
                    names.join(", ")
                ))
            })
    }

    /// Returns whether a first click on the column sorts it largest first, as the list does
    /// by default: the counts, where the experiment with the most trials of a kind is what one
    /// looks for, and when it started, newest first.
    pub(crate) fn largest_first(self) -> bool {
        matches!(
            self,
            ListSort::Started
                | ListSort::Trials
                | ListSort::Completed
                | ListSort::Pruned
                | ListSort::Failed
                | ListSort::Running
        )
    }
}

/// Sorts `rows` (the kept experiments, in the store's order) by `key`, reversed when
/// `descending`: by `started`, the store's order, newest first when `descending`; by any other
/// key, ties newest first either way, so the sort is deterministic. Each row's key is read
/// once, from the stored data (`Counts` for the trial counts).
pub(crate) fn sort_rows(rows: &mut [&Arc<ExperimentData>], key: ListSort, descending: bool) {
    let status_rank = |s: ExperimentStatus| match s {
        ExperimentStatus::Running => 0,
        ExperimentStatus::Interrupted => 1,
        ExperimentStatus::Finished => 2,
    };
    let key_of = |d: &ExperimentData| match key {
        ListSort::Name => RowKey::Name(d.info.name.clone()),
        ListSort::Status => RowKey::Number(status_rank(d.info.status)),
        ListSort::Trials => RowKey::Number(Counts::of(d).stored),
        ListSort::Completed => RowKey::Number(Counts::of(d).completed),
        ListSort::Pruned => RowKey::Number(Counts::of(d).pruned),
        ListSort::Failed => RowKey::Number(Counts::of(d).failed),
        ListSort::Running => {
            let counts = Counts::of(d);
            RowKey::Number(counts.running + counts.interrupted)
        }
        ListSort::Started => RowKey::Number(0),
    };
    // Newest first, the store's order reversed, breaks the ties: `sort_by_cached_key` is
    // stable, also when reversed (each key is reversed, not the result).
    rows.reverse();
    match key {
        ListSort::Started if descending => {}
        ListSort::Started => rows.reverse(),
        _ if descending => rows.sort_by_cached_key(|d| Reverse(key_of(d))),
        _ => rows.sort_by_cached_key(|d| key_of(d)),
    }
}

/// A row's value of the sort's key: every row of one sort has the same kind.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RowKey {
    /// A name, alphabetically.
    Name(String),
    /// A count, or the status's rank.
    Number(usize),
}
