//! The order of a list of experiments by one of its columns (`sweep ls --sort COLUMN
//! [--desc]`), by the rule of the dashboard's experiments list and `/api/experiments`
//! (`?sort=COLUMN&dir=desc`), and which names a search for part of a name keeps (`sweep ls
//! --name`, the API's `q`), so that a terminal and a browser list a store alike.
//!
//! The order is a pure function of the rows, never of a clock: `started` is the store's order
//! (by when each experiment was created), and ties of any other column list the newer first,
//! whichever way the column runs. The best value is not a column: experiments that optimize
//! different metrics, or one metric in different directions, have no order among their best
//! values.

use std::cmp::Reverse;

/// A column a list of experiments sorts by, named as the dashboard's list and API name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListColumn {
    /// By name, alphabetically (by bytes: upper case before lower case).
    Name,
    /// By status: running, interrupted, finished.
    Status,
    /// By trials stored (any state).
    Trials,
    /// By completed trials.
    Completed,
    /// By pruned trials.
    Pruned,
    /// By failed trials.
    Failed,
    /// By trials running, with those a stopped or killed sweep left running.
    Running,
    /// By when it was created: the store's order.
    #[default]
    Started,
}

impl ListColumn {
    /// Every column, in the order of the dashboard list's columns.
    pub const ALL: [ListColumn; 8] = [
        ListColumn::Name,
        ListColumn::Status,
        ListColumn::Trials,
        ListColumn::Completed,
        ListColumn::Pruned,
        ListColumn::Failed,
        ListColumn::Running,
        ListColumn::Started,
    ];

    /// Returns the column's name, as `--sort` and the API's `sort` take it.
    pub fn name(self) -> &'static str {
        match self {
            ListColumn::Name => "name",
            ListColumn::Status => "status",
            ListColumn::Trials => "trials",
            ListColumn::Completed => "completed",
            ListColumn::Pruned => "pruned",
            ListColumn::Failed => "failed",
            ListColumn::Running => "running",
            ListColumn::Started => "started",
        }
    }

    /// Reads a column by its name, or says which there are.
    pub fn parse(text: &str) -> Result<ListColumn, String> {
        ListColumn::ALL
            .into_iter()
            .find(|c| c.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = ListColumn::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "unknown column `{text}`; experiments sort by {}",
                    names.join(", ")
                )
            })
    }

    /// Returns whether the dashboard's first click on the column sorts it largest first: the
    /// counts, where the experiment with the most trials of a kind is what one looks for, and
    /// when it started, newest first.
    pub fn largest_first(self) -> bool {
        !matches!(self, ListColumn::Name | ListColumn::Status)
    }
}

/// What a list of experiments sorts one experiment by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedExperiment<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its status's place in the order by status: 0 running, 1 interrupted, 2 finished.
    pub status_rank: u8,
    /// Its trials stored, in any state.
    pub stored: usize,
    /// Its completed trials.
    pub completed: usize,
    /// Its pruned trials.
    pub pruned: usize,
    /// Its failed trials.
    pub failed: usize,
    /// Its trials running, with those a stopped or killed sweep left running.
    pub running: usize,
}

/// Returns the positions of `rows`, given in the store's order (by when each experiment was
/// created, oldest first), in the order of `column`, the largest (the newest, the last name,
/// finished before running) first when `descending`: by `started`, the store's order, or that
/// order reversed; by any other column, ties newest first either way, so that the order is
/// deterministic.
pub fn list_order(
    rows: &[ListedExperiment<'_>],
    column: ListColumn,
    descending: bool,
) -> Vec<usize> {
    // Newest first, the store's order reversed, breaks the ties: `sort_by_key` is stable, also
    // when reversed (each key is reversed, not the result).
    let mut order: Vec<usize> = (0..rows.len()).rev().collect();
    match column {
        ListColumn::Started if descending => {}
        ListColumn::Started => order.reverse(),
        _ if descending => order.sort_by_key(|&i| Reverse(key_of(&rows[i], column))),
        _ => order.sort_by_key(|&i| key_of(&rows[i], column)),
    }
    order
}

/// A row's value of a column: every row of one sort has the same kind.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Key<'a> {
    /// A name, by its bytes.
    Name(&'a str),
    /// A count, or the status's rank.
    Number(usize),
}

/// Returns `row`'s value of `column` (`started` is the store's order, not a value: none).
fn key_of<'r>(row: &'r ListedExperiment<'_>, column: ListColumn) -> Key<'r> {
    match column {
        ListColumn::Name => Key::Name(row.name),
        ListColumn::Status => Key::Number(usize::from(row.status_rank)),
        ListColumn::Trials => Key::Number(row.stored),
        ListColumn::Completed => Key::Number(row.completed),
        ListColumn::Pruned => Key::Number(row.pruned),
        ListColumn::Failed => Key::Number(row.failed),
        ListColumn::Running => Key::Number(row.running),
        ListColumn::Started => Key::Number(0),
    }
}

/// Returns whether an experiment's `name` holds `query`, ignoring case and the spaces around
/// the query, as the dashboard's search box (`q`) keeps names: an empty query keeps them all.
pub fn name_matches(name: &str, query: &str) -> bool {
    name.to_lowercase().contains(&query.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns an experiment named `name` with `completed` and `running` trials of `stored`,
    /// of status rank `status_rank`.
    fn row(name: &str, status_rank: u8, stored: usize, completed: usize) -> ListedExperiment<'_> {
        ListedExperiment {
            name,
            status_rank,
            stored,
            completed,
            pruned: 0,
            failed: 0,
            running: stored - completed,
        }
    }

    #[test]
    fn each_column_orders_either_way_with_ties_newest_first() {
        // In the store's order, oldest first.
        let rows = [
            row("beta", 2, 4, 4),
            row("Alpha", 1, 3, 1),
            row("gamma", 2, 4, 4),
            row("alpha", 0, 1, 0),
        ];
        let names = |column: ListColumn, descending: bool| -> Vec<&str> {
            let order = list_order(&rows, column, descending);
            order.into_iter().map(|i| rows[i].name).collect()
        };
        let check = |column: ListColumn, asc: [&str; 4], desc: [&str; 4]| {
            assert_eq!(names(column, false), asc, "{} ascending", column.name());
            assert_eq!(names(column, true), desc, "{} descending", column.name());
        };
        check(
            ListColumn::Started,
            ["beta", "Alpha", "gamma", "alpha"],
            ["alpha", "gamma", "Alpha", "beta"],
        );
        check(
            ListColumn::Name,
            ["Alpha", "alpha", "beta", "gamma"],
            ["gamma", "beta", "alpha", "Alpha"],
        );
        // Ties (beta and gamma) list the newer first, whichever way.
        check(
            ListColumn::Status,
            ["alpha", "Alpha", "gamma", "beta"],
            ["gamma", "beta", "Alpha", "alpha"],
        );
        check(
            ListColumn::Trials,
            ["alpha", "Alpha", "gamma", "beta"],
            ["gamma", "beta", "Alpha", "alpha"],
        );
        check(
            ListColumn::Running,
            ["gamma", "beta", "alpha", "Alpha"],
            ["Alpha", "alpha", "gamma", "beta"],
        );
        assert!(list_order(&[], ListColumn::Name, true).is_empty());
    }

    #[test]
    fn a_column_is_read_by_its_name_or_the_names_are_said() {
        for column in ListColumn::ALL {
            assert_eq!(ListColumn::parse(column.name()), Ok(column));
        }
        assert_eq!(
            ListColumn::parse("best"),
            Err(
                "unknown column `best`; experiments sort by name, status, trials, completed, \
                 pruned, failed, running, started"
                    .to_string()
            )
        );
        assert!(ListColumn::Started.largest_first() && !ListColumn::Name.largest_first());
    }

    #[test]
    fn a_name_matches_a_part_of_it_in_any_case() {
        assert!(name_matches("Digits-MLP", "mlp"));
        assert!(name_matches("digits-mlp", " MLP "));
        assert!(name_matches("digits", ""));
        assert!(!name_matches("digits", "mlp"));
    }
}
