//! The leaderboard: ranking, sorting, filtering by state, and paging of an experiment's trials.
//!
//! The same selection serves the page and `/api/experiments/{name}/trials`, so both agree on
//! what "page 3 of completed trials by lr" means.
//!
//! The board (`board`) is built from a `Selection` (`selection`); `paging` holds what every
//! paged list shares, and `notes` what a row says beyond its trial's own record.

mod board;
mod notes;
mod paging;
mod selection;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_handlers;

use crate::view::ticks::TickKeys;

pub(crate) use board::{leaderboard, Leaderboard};
pub(crate) use notes::{idle_reason, last_heard_ms, show_last_heard, show_latest, show_trained};
pub(crate) use paging::{
    page_links, pages_of, paging, showing, sort_arrow, sort_or_default, PER_PAGE,
};
pub(crate) use selection::{
    matching, objective_index, picked_trials, ranked, select, LeaderboardQuery, Ranked, Selection,
};

/// The most `?t=` values a leaderboard's address is read for: four times what a comparison
/// takes, room for ticks of trials the experiment does not hold; the rest are not read.
pub(crate) const MAX_PICKS_READ: usize = crate::view::compare::MAX_TRIALS * 4;

/// Where a leaderboard's address carries the trials ticked for comparing: `t=3&t=7`, the
/// compare form's checkboxes, from the first `MAX_PICKS_READ` values.
pub(crate) const TICK_KEYS: TickKeys = TickKeys {
    key: "t",
    list_key: None,
    read_at_most: MAX_PICKS_READ,
};
