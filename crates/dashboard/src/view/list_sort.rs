//! The experiments list's column sort (`?sort=completed&dir=desc`), as the leaderboard's
//! column heads sort its trials: a head is a link that sorts by it, and sorts the other way
//! when it already does. The default is newest first, which `started` names: the store's
//! order (by when each was created) reversed, so that the experiments a team made this week
//! are on the first page, as W&B and MLflow list runs; a click on its head lists them oldest
//! first.
//!
//! The rule itself is `experiment::list_order`'s, which `sweep ls --sort` follows too, so that
//! a terminal and a browser list a store alike: this module reads the query's key, with the
//! dashboard's own words for one it lacks, and hands each row's counts (`Counts`) to it.

use std::sync::Arc;

use experiment::{list_order, ListedExperiment};
use store::ExperimentStatus;

use super::Counts;
use crate::data::ExperimentData;

/// A column the experiments list sorts by: `experiment::ListColumn`, named in the query as
/// `sweep ls --sort` names it (`name`, `status`, `trials`, `completed`, `pruned`, `failed`,
/// `running`, `started`; the default, newest first).
pub(crate) use experiment::ListColumn as ListSort;

/// Reads a key from the query string, or says which there are (a bad request).
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

/// Sorts `rows` (the kept experiments, in the store's order) by `key`, reversed when
/// `descending`, as `experiment::list_order` orders them: by `started`, the store's order,
/// newest first when `descending`; by any other key, ties newest first either way, so the sort
/// is deterministic. Each row's counts are read once, from the stored data (`Counts`); its
/// `running` are those a sweep runs and those a stopped one left running (shown
/// `interrupted`), as `sweep ls` counts them.
pub(crate) fn sort_rows(rows: &mut [&Arc<ExperimentData>], key: ListSort, descending: bool) {
    // A name, a status or the store's order needs no count: none is read.
    let counted = !matches!(key, ListSort::Name | ListSort::Status | ListSort::Started);
    let listed: Vec<ListedExperiment<'_>> = rows
        .iter()
        .map(|d| {
            let mut row = ListedExperiment {
                name: &d.info.name,
                status_rank: match d.info.status {
                    ExperimentStatus::Running => 0,
                    ExperimentStatus::Interrupted => 1,
                    ExperimentStatus::Finished => 2,
                },
                stored: 0,
                completed: 0,
                pruned: 0,
                failed: 0,
                running: 0,
            };
            if counted {
                let c = Counts::of(d);
                row.stored = c.stored;
                row.completed = c.completed;
                row.pruned = c.pruned;
                row.failed = c.failed;
                row.running = c.running + c.interrupted;
            }
            row
        })
        .collect();
    let sorted: Vec<&Arc<ExperimentData>> = list_order(&listed, key, descending)
        .into_iter()
        .filter_map(|i| rows.get(i).copied())
        .collect();
    rows.copy_from_slice(&sorted);
}

#[cfg(test)]
mod tests;
