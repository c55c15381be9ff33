//! The experiments list's column sort (`?sort=completed&dir=desc`), as the leaderboard's
//! column heads sort its trials: a head is a link that sorts by it, and sorts the other way
//! when it already does. The default is the store's order, oldest first, which `started`
//! names. The best value is not a sort key: experiments that optimize different metrics, or
//! the same one in different directions, have no order among their best values.

use super::Summary;

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
    /// By when it was created: the store's order (the default).
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

    /// Returns whether a first click on the column sorts it largest first: the counts, where
    /// the experiment with the most trials of a kind is what one looks for.
    pub(crate) fn largest_first(self) -> bool {
        matches!(
            self,
            ListSort::Trials
                | ListSort::Completed
                | ListSort::Pruned
                | ListSort::Failed
                | ListSort::Running
        )
    }
}

/// Sorts `rows` (the kept experiments, in the store's order, each with its `summary`) by `key`,
/// reversed when `descending`; ties keep the store's order, so the sort is deterministic.
pub(crate) fn sort_rows<T>(
    rows: &mut [T],
    summary: impl Fn(&T) -> &Summary,
    key: ListSort,
    descending: bool,
) {
    let status_rank = |s: &Summary| match s.status {
        "running" => 0,
        "interrupted" => 1,
        _ => 2,
    };
    // `sort_by` is stable: the store's order breaks ties, also when reversed (each
    // comparison is reversed, not the result).
    rows.sort_by(|a, b| {
        let (a, b) = (summary(a), summary(b));
        let order = match key {
            ListSort::Name => a.name.cmp(&b.name),
            ListSort::Status => status_rank(a).cmp(&status_rank(b)),
            ListSort::Trials => a.stored.cmp(&b.stored),
            ListSort::Completed => a.completed.cmp(&b.completed),
            ListSort::Pruned => a.pruned.cmp(&b.pruned),
            ListSort::Failed => a.failed.cmp(&b.failed),
            ListSort::Running => (a.running + a.interrupted).cmp(&(b.running + b.interrupted)),
            ListSort::Started => std::cmp::Ordering::Equal,
        };
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    if key == ListSort::Started && descending {
        rows.reverse();
    }
}
