//! The leaderboard: ranking, sorting, filtering by state, and paging of an experiment's trials.
//!
//! The same selection serves the page and `/api/experiments/{name}/trials`, so both agree on
//! what "page 3 of completed trials by lr" means.

use std::collections::BTreeSet;

use experiment::{
    format_duration, Constraint, Direction, Effort, FilterError, MetricSpec, SortKey, Trial,
    TrialFilter, TrialId, TrialOrder, TrialState,
};
use serde::Deserialize;
use store::{ExperimentInfo, ExperimentStatus};

use super::format::{self, url_part};
use crate::data::ExperimentData;
use crate::{Error, Result};

/// Rows per page on the page, and the default of the API.
pub(crate) const PER_PAGE: u32 = 50;
/// The most rows the API returns at once.
pub(crate) const MAX_PER_PAGE: u32 = 1000;

/// The leaderboard's query string, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LeaderboardQuery {
    /// `rank` (default), `trial`, `state`, `epoch`, `duration`, `param.NAME` or `metric.NAME`.
    pub(crate) sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub(crate) dir: Option<String>,
    /// A trial state, or `all` (default).
    pub(crate) state: Option<String>,
    /// The page, from 1.
    pub(crate) page: Option<u32>,
    /// Rows per page.
    pub(crate) per_page: Option<u32>,
    /// Conditions on the trials, as `sweep trials --filter` takes them.
    pub(crate) filter: Option<String>,
    /// With several objectives, the one the charts below the front show (default: the first).
    pub(crate) objective: Option<String>,
    /// The parameters the pair plots take, comma-separated (default: the most important).
    pub(crate) pairs: Option<String>,
    /// With three or more objectives, the two the Pareto chart draws, comma-separated
    /// (default: the first two).
    pub(crate) front: Option<String>,
}

/// A validated leaderboard query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selection {
    /// The sort column and its direction.
    pub(crate) order: TrialOrder,
    /// Only trials in this state, or all.
    pub(crate) state: Option<TrialState>,
    /// The state as the query names it: `running` or `interrupted` for a trial stored running,
    /// which name it goes by depending on whether a sweep runs the experiment (`live`).
    pub(crate) state_word: Option<String>,
    /// The page, from 1.
    pub(crate) page: u32,
    /// Rows per page.
    pub(crate) per_page: u32,
    /// Rows per page as the query asked, which links keep; `None` for the default.
    pub(crate) per_page_asked: Option<u32>,
    /// Whether a sweep runs the experiment now: the filter's `state = running` then means
    /// it, and a trial left running otherwise reads `interrupted` (`for_experiment`).
    pub(crate) live: bool,
    /// The filter as written (empty: none).
    pub(crate) filter_text: String,
    /// The parsed filter; `Err` when it does not parse, and then no trial matches.
    pub(crate) filter: std::result::Result<TrialFilter, FilterError>,
    /// The objective the charts show, when the query names one (checked against the
    /// experiment's by `objective_index`).
    pub(crate) objective: Option<String>,
    /// The parameters the pair plots take, when the query names them (checked against the
    /// experiment's by `experiment_page::picked_pairs`).
    pub(crate) pairs: Option<String>,
    /// The objectives the Pareto chart draws, when the query names them (checked by
    /// `experiment_page::picked_front`).
    pub(crate) front: Option<String>,
    /// The trials ticked for comparing (`?t=`, as the compare page takes them), each once, in
    /// the order ticked (`picked_trials`, `with_picked`): every link of the leaderboard keeps
    /// them, so that trials ticked on one of its pages are still ticked on another.
    pub(crate) picked: Vec<u32>,
}

/// A trial with its objective rank (from 1; `None` when it has no value).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked<'a> {
    /// Its place by objective.
    pub(crate) rank: Option<usize>,
    /// The trial.
    pub(crate) trial: &'a Trial,
}

/// One page of a selection.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    /// The rows of this page.
    pub(crate) rows: Vec<Ranked<'a>>,
    /// Trials matching the state filter.
    pub(crate) matching: usize,
    /// The number of pages (at least 1).
    pub(crate) pages: u32,
}

impl Selection {
    /// Validates a query; unknown values are `Error::BadRequest` naming what is accepted.
    pub(crate) fn parse(q: &LeaderboardQuery, default_per_page: u32) -> Result<Selection> {
        let sort =
            SortKey::parse(q.sort.as_deref().unwrap_or("rank")).map_err(Error::BadRequest)?;
        let descending = match q.dir.as_deref().unwrap_or("asc") {
            "asc" => false,
            "desc" => true,
            other => {
                return Err(Error::BadRequest(format!(
                    "unknown dir `{other}`; use asc or desc"
                )))
            }
        };
        let state = match q.state.as_deref().unwrap_or("all") {
            "all" => None,
            s => Some(parse_state(s).ok_or_else(|| {
                Error::BadRequest(format!(
                    "unknown state `{s}`; use all, completed, pruned, failed, running \
                     (interrupted), or queued"
                ))
            })?),
        };
        let (page, per_page) = paging(q.page, q.per_page, default_per_page)?;
        let filter_text = q.filter.as_deref().unwrap_or("").trim().to_string();
        Ok(Selection {
            order: TrialOrder {
                key: sort,
                descending,
            },
            state,
            page,
            per_page,
            per_page_asked: q.per_page,
            live: false,
            state_word: q.state.clone().filter(|s| s != "all"),
            filter: TrialFilter::parse(&filter_text),
            filter_text,
            objective: q.objective.clone().filter(|o| !o.is_empty()),
            pairs: q.pairs.clone().filter(|p| !p.trim().is_empty()),
            front: q.front.clone().filter(|p| !p.trim().is_empty()),
            picked: Vec::new(),
        })
    }

    /// Returns the selection with the trials ticked for comparing, `picked` (`picked_trials`),
    /// that `trials` hold (there is nothing to compare in the others), the first
    /// `compare::MAX_TRIALS` of those: the most a comparison takes. Dropped before the cut, so
    /// that unknown ids never crowd out a trial held; the page, its cache key and every link
    /// take this one list.
    pub(crate) fn with_picked(mut self, picked: &[u32], trials: &[Trial]) -> Selection {
        let held: BTreeSet<u32> = trials.iter().map(|t| t.id.0).collect();
        self.picked = (picked.iter().copied())
            .filter(|id| held.contains(id))
            .take(super::compare::MAX_TRIALS)
            .collect();
        self
    }

    /// Returns the filter's problem for the experiment of `trials` with `spec`: a parse error,
    /// or a parameter or metric the experiment lacks; `None` when the filter is usable.
    pub(crate) fn filter_problem(
        &self,
        trials: &[Trial],
        spec: Option<&experiment::ExperimentSpec>,
    ) -> Option<FilterError> {
        match &self.filter {
            Err(e) => Some(e.clone()),
            Ok(f) => f.check_names(trials, spec.map(|s| &s.space)).err(),
        }
    }

    /// Returns whether the state asked for is named as the experiment shows it: `interrupted`
    /// where no sweep runs it, `running` where one does (the other name matches no trial).
    fn state_named_as_shown(&self) -> bool {
        match (self.state, self.state_word.as_deref()) {
            (Some(state), Some(word)) => state.shown(self.live) == word,
            _ => true,
        }
    }

    /// Returns the selection for an experiment whose status is `status`: live while a sweep
    /// runs it.
    pub(crate) fn for_experiment(mut self, status: store::ExperimentStatus) -> Selection {
        self.live = status == store::ExperimentStatus::Running;
        self
    }

    /// Returns what is wrong with the sort's column, a parameter or metric the experiment does
    /// not have (`sort=param.nope`), for a 400 as an unknown sort gets.
    pub(crate) fn sort_problem(
        &self,
        trials: &[Trial],
        spec: Option<&experiment::ExperimentSpec>,
    ) -> Option<String> {
        self.order
            .key
            .check_names(trials, spec.map(|s| &s.space))
            .err()
    }

    /// Returns the query string of this selection with `change` applied, for links.
    pub(crate) fn query(&self, change: impl FnOnce(&mut Selection)) -> String {
        let mut s = self.clone();
        change(&mut s);
        let mut q = format!(
            "?sort={}&dir={}",
            url_part(&s.order.key.name()),
            if s.order.descending { "desc" } else { "asc" }
        );
        if let Some(state) = s.state {
            q.push_str(&format!("&state={}", state.shown(s.live)));
        }
        if !s.filter_text.is_empty() {
            q.push_str(&format!("&filter={}", url_part(&s.filter_text)));
        }
        if s.page > 1 {
            q.push_str(&format!("&page={}", s.page));
        }
        if let Some(n) = s.per_page_asked {
            q.push_str(&format!("&per_page={n}"));
        }
        if let Some(objective) = &s.objective {
            q.push_str(&format!("&objective={}", url_part(objective)));
        }
        if let Some(pairs) = &s.pairs {
            q.push_str(&format!("&pairs={}", url_part(pairs)));
        }
        if let Some(front) = &s.front {
            q.push_str(&format!("&front={}", url_part(front)));
        }
        for id in &s.picked {
            q.push_str(&format!("&t={id}"));
        }
        q
    }
}

/// The most `?t=` values a leaderboard's address is read for: four times what a comparison
/// takes, room for ticks of trials the experiment does not hold; the rest are not read.
pub(crate) const MAX_PICKS_READ: usize = super::compare::MAX_TRIALS * 4;

/// Returns the trials a leaderboard's address ticks for comparing (`?t=`, as the compare page
/// takes them), each once, in the order given, from its first `MAX_PICKS_READ` values; a value
/// that is not a trial number is a bad request, as on the compare page.
pub(crate) fn picked_trials(query: &str) -> Result<Vec<u32>> {
    let mut picked: Vec<u32> = Vec::new();
    let mut seen: BTreeSet<u32> = BTreeSet::new();
    let values = super::query_pairs(query)?
        .into_iter()
        .filter(|(key, value)| key == "t" && !value.is_empty())
        .take(MAX_PICKS_READ);
    for (_, value) in values {
        let id: u32 = value
            .parse()
            .map_err(|_| Error::BadRequest(format!("t: {value:?} is not a trial number")))?;
        if seen.insert(id) {
            picked.push(id);
        }
    }
    Ok(picked)
}

/// Returns the page and the rows per page that `page` and `per_page` ask for (the first page,
/// and `default_per_page` rows, unless given), the same for every paged list: the leaderboard
/// and the experiments; a page of 0 or rows past `MAX_PER_PAGE` are a bad request.
pub(crate) fn paging(
    page: Option<u32>,
    per_page: Option<u32>,
    default_per_page: u32,
) -> Result<(u32, u32)> {
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(Error::BadRequest("page starts at 1".into()));
    }
    let per_page = per_page.unwrap_or(default_per_page);
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(Error::BadRequest(format!(
            "per_page must be in 1..={MAX_PER_PAGE}"
        )));
    }
    Ok((page, per_page))
}

/// Returns the number of pages of `per_page` rows that `matching` rows fill: at least 1, so
/// that a list with no rows has its (empty) first page.
pub(crate) fn pages_of(matching: usize, per_page: u32) -> u32 {
    let per_page = usize::try_from(per_page).unwrap_or(usize::MAX).max(1);
    u32::try_from(matching.div_ceil(per_page).max(1)).unwrap_or(u32::MAX)
}

/// Returns what page `page` (from 1) of a list, `per_page` to a page, says it shows of the
/// `matching` rows when it shows `shown` of them: `51–100 of 200`, or `0 of 200`.
pub(crate) fn showing(page: u32, per_page: u32, shown: usize, matching: usize) -> String {
    let first = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(usize::try_from(per_page).unwrap_or(usize::MAX))
        .saturating_add(1);
    match shown {
        0 => format!("0 of {matching}"),
        n => format!("{first}–{} of {matching}", first + n - 1),
    }
}

/// Returns the links from page `page` of `pages` to the first, previous, next and last pages,
/// each where there is one (`link` writes a page's address); past the last, the previous is
/// the last.
pub(crate) fn page_links(
    page: u32,
    pages: u32,
    link: impl Fn(u32) -> String,
) -> [Option<String>; 4] {
    [
        (page > 1).then(|| link(1)),
        (page > 1).then(|| link(page.min(pages + 1) - 1)),
        (page < pages).then(|| link(page + 1)),
        (page < pages).then(|| link(pages)),
    ]
}

/// Reads a page's query with `asked`; when that fails and the query names a sort or its
/// direction (`names_sort`), reads it again without them (`unsorted`): the page stays, in the
/// default order, and what was wrong comes back (without backticks) to be shown beside the
/// table, as on the experiments list and the leaderboard. When the query without its sort
/// does not read either, that error is the answer, as the API (which takes no fallback)
/// reports the first mistake it reads; one that names no sort is the answer as it is.
pub(crate) fn sort_or_default<T>(
    names_sort: bool,
    asked: impl FnOnce() -> Result<T>,
    unsorted: impl FnOnce() -> Result<T>,
) -> Result<(T, String)> {
    match asked() {
        Ok(read) => Ok((read, String::new())),
        Err(e) if names_sort => Ok((unsorted()?, e.to_string().replace('`', ""))),
        Err(e) => Err(e),
    }
}

/// Returns a sortable column head's arrow (`▲`, `▼` or none) and its `aria-sort`: none unless
/// it is the `current` sort, which runs `descending` or not.
pub(crate) fn sort_arrow(current: bool, descending: bool) -> (&'static str, &'static str) {
    match (current, descending) {
        (false, _) => ("", "none"),
        (true, false) => ("▲", "ascending"),
        (true, true) => ("▼", "descending"),
    }
}

/// Parses a state's lowercase name, also as shown where no sweep runs the experiment
/// (`interrupted` is a trial left `running`).
pub(crate) fn parse_state(s: &str) -> Option<TrialState> {
    [
        TrialState::Queued,
        TrialState::Running,
        TrialState::Completed,
        TrialState::Pruned,
        TrialState::Failed,
    ]
    .into_iter()
    .find(|t| t.as_str() == s || t.as_str_when_idle() == s)
}

/// Returns every trial with its objective rank, best first, in the order of
/// `experiment::rank_trials`: feasible trials before those that break a constraint, and with
/// several objectives, by Pareto front. A trial without a value of every objective has none.
pub(crate) fn ranked<'a>(
    trials: &'a [Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Vec<Ranked<'a>> {
    experiment::rank_trials(trials, objectives, constraints)
        .into_iter()
        .enumerate()
        .map(|(i, t)| Ranked {
            rank: experiment::pareto::oriented(t, objectives)
                .is_some()
                .then_some(i + 1),
            trial: t,
        })
        .collect()
}

/// Returns every trial of `ranked` (in rank order) that `sel` keeps, in its order: every page.
pub(crate) fn matching<'a>(ranked: &[Ranked<'a>], sel: &Selection) -> Vec<Ranked<'a>> {
    let rows: Vec<Ranked<'a>> = ranked
        .iter()
        .copied()
        .filter(|r| sel.state.is_none_or(|s| r.trial.state == s) && sel.state_named_as_shown())
        .filter(|r| {
            sel.filter
                .as_ref()
                .is_ok_and(|f| f.matches(r.trial, sel.live))
        })
        .collect();
    sel.order.sort(rows, |r| (r.trial, r.rank))
}

/// Returns the page `sel` asks for out of `ranked` (in rank order).
pub(crate) fn select<'a>(ranked: &[Ranked<'a>], sel: &Selection) -> Page<'a> {
    let rows = matching(ranked, sel);
    let matching = rows.len();
    Page {
        rows: super::page_of(rows, sel.page, sel.per_page),
        matching,
        pages: pages_of(matching, sel.per_page),
    }
}

/// A column header: its title and the link that sorts by it.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// The title.
    pub(crate) title: String,
    /// The link sorting by this column (toggling the direction when it is the current one);
    /// empty for the rank of a study with one objective, which sorts with the objective.
    pub(crate) href: String,
    /// `▲`, `▼` or nothing.
    pub(crate) arrow: &'static str,
    /// The `aria-sort` value.
    pub(crate) aria: &'static str,
}

/// A row as shown.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Objective rank or `-`.
    pub(crate) rank: String,
    /// Whether the trial is on the Pareto front (with several objectives).
    pub(crate) front: bool,
    /// The trial number.
    pub(crate) id: u32,
    /// The trial's page.
    pub(crate) href: String,
    /// The state's name (also its CSS class).
    pub(crate) state: &'static str,
    /// Why it is in its state.
    pub(crate) reason: String,
    /// The objective value.
    pub(crate) value: format::Num,
    /// The best epoch.
    pub(crate) epoch: String,
    /// The epochs the trial trained, where more than its best epoch (`show_trained`), or
    /// empty.
    pub(crate) trained: String,
    /// One cell per further objective and constrained metric (`experiment::extra_columns`): its
    /// value at the trial's result.
    pub(crate) metrics: Vec<format::Num>,
    /// The constraints the trial breaks, as `param_count ≤ 20000`; empty when it meets them.
    pub(crate) breaks: String,
    /// Whether the objective's value is one that breaks a constraint (the objective is itself
    /// constrained): its cell carries the mark, as the CLI's `!` marks the breaking value.
    pub(crate) value_breaks: bool,
    /// For each cell of `metrics`, whether its value breaks a constraint on its metric.
    pub(crate) metrics_break: Vec<bool>,
    /// One cell per parameter column.
    pub(crate) params: Vec<String>,
    /// The run time; for a trial a kill left running, the time to its last report, marked
    /// `(last heard)` (`show_last_heard`).
    pub(crate) duration: String,
    /// What the run time is, where it is not plainly the trial's start to its end; or empty.
    pub(crate) duration_full: String,
}

/// Says why a trial of an experiment no sweep runs now waits, where it has no reason of its
/// own: a queued trial (never started, or put back when a Ctrl-C stopped it) or an interrupted
/// one (running when the sweep was killed) runs again from scratch when the same command runs
/// again. Empty otherwise.
pub(crate) fn idle_reason(info: &ExperimentInfo, t: &Trial) -> String {
    let waits = matches!(t.state, TrialState::Queued | TrialState::Running);
    if info.status == ExperimentStatus::Running || !waits {
        return String::new();
    }
    match t.state {
        TrialState::Running => "running when the sweep was killed: it runs again from scratch \
                                when the same command runs again"
            .into(),
        _ => "not run, or put back unfinished when the sweep stopped: it runs from scratch when \
              the same command runs again"
            .into(),
    }
}

impl Row {
    /// Returns whether the `i`th cell of `metrics` breaks a constraint.
    pub(crate) fn metric_breaks(&self, i: &usize) -> bool {
        self.metrics_break.get(*i).copied().unwrap_or(false)
    }

    /// Returns whether the trial breaks a constraint that no cell of its row shows breaking
    /// (a constrained metric it never reported): then its rank carries the mark.
    pub(crate) fn breaks_unshown(&self) -> bool {
        !self.breaks.is_empty() && !self.value_breaks && !self.metrics_break.contains(&true)
    }
}

/// A state filter link.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    /// `all` or a state.
    pub(crate) label: &'static str,
    /// How many trials it shows.
    pub(crate) count: usize,
    /// The link.
    pub(crate) href: String,
    /// Whether it is the current filter.
    pub(crate) active: bool,
}

/// The leaderboard as shown on the experiment page.
#[derive(Debug, Clone)]
pub(crate) struct Leaderboard {
    /// Column headers after the checkbox.
    pub(crate) headers: Vec<Header>,
    /// This page's rows.
    pub(crate) rows: Vec<Row>,
    /// The state filters.
    pub(crate) filters: Vec<Filter>,
    /// E.g. `51–100 of 10000`.
    pub(crate) showing: String,
    /// What the table says when this page has no rows: no trials yet, none that the filter
    /// keeps, or a page past the last.
    pub(crate) empty: String,
    /// The current page and the number of pages.
    pub(crate) page: u32,
    /// The number of pages.
    pub(crate) pages: u32,
    /// Link to the previous page.
    pub(crate) prev: Option<String>,
    /// Link to the next page.
    pub(crate) next: Option<String>,
    /// Link to the first page, unless this is it.
    pub(crate) first: Option<String>,
    /// Link to the last page, unless this is it.
    pub(crate) last: Option<String>,
    /// The filter as written, for the search box.
    pub(crate) filter: String,
    /// What is wrong with the filter, or empty.
    pub(crate) filter_error: String,
    /// What is wrong with the sort asked for, which the page replaced by the rank; empty when
    /// it reads (set by the page's handler).
    pub(crate) sort_error: String,
    /// The hidden fields that keep the sort and state when the search box is submitted.
    pub(crate) keep: Vec<(&'static str, String)>,
    /// Every trial the state, filter and sort keep, as a CSV file to save: the link and its
    /// words; none while the filter cannot be read, or when no trial is kept.
    pub(crate) download: Option<(String, String)>,
    /// The trials ticked for comparing that the experiment holds (`Selection::picked`), in
    /// the order ticked: the rows among them are ticked.
    pub(crate) picked: Vec<u32>,
    /// The ticked trials this page does not show (on another page, or hidden by the state or
    /// the filter), in the order ticked: the compare form shows them, ticked, above the table,
    /// so that trials on different pages are compared together.
    pub(crate) picked_elsewhere: Vec<u32>,
}

impl Leaderboard {
    /// Returns whether trial `id` is ticked for comparing.
    pub(crate) fn is_picked(&self, id: &u32) -> bool {
        self.picked.contains(id)
    }
}

/// Adds to each row of `board` with a best epoch the epochs its trial trained past it, as
/// `effort` counted them: where a pruner or early stopping stopped it, or the epochs it has
/// run so far.
pub(crate) fn show_trained(board: &mut Leaderboard, effort: &Effort) {
    for row in &mut board.rows {
        let best = row.epoch.parse::<u32>().ok();
        row.trained = match (best, effort.epochs_of(TrialId(row.id))) {
            (Some(best), Some(trained)) if trained > best => trained.to_string(),
            // No best epoch (a trial a kill stopped before its result): what it trained.
            (None, Some(trained)) if trained > 0 => trained.to_string(),
            _ => String::new(),
        };
    }
}

/// Shows, in each row of `board` whose trial has no end, the time a trial a kill left running
/// ran to its last report, as its record's trace keeps it (`TrialTrace::interrupted_at`: only
/// where no sweep runs the experiment; a sweep's own running trial has no duration yet),
/// marked `(last heard)`: it ran at least that long, and its end is not known.
pub(crate) fn show_last_heard(board: &mut Leaderboard, data: &ExperimentData) {
    let live = data.info.status == ExperimentStatus::Running;
    for row in &mut board.rows {
        let id = TrialId(row.id);
        let Some(trace) = data.traces.get(&id) else {
            continue;
        };
        let Some(trial) = data.trials.iter().find(|t| t.id == id) else {
            continue;
        };
        let (Some(at), Some(started), Some(heard)) = (
            trace.interrupted_at(trial, live),
            trial.started,
            trace.heard,
        ) else {
            continue;
        };
        row.duration = format!(
            "{} (last heard)",
            format_duration(at.0.saturating_sub(started.0))
        );
        row.duration_full = format!(
            "a killed sweep left it running: from its start to its last report, epoch {} at {} \
             UTC; its end is not known",
            heard.step,
            at.utc()
        );
    }
}

/// Builds the leaderboard of `ranked` for `sel`; links point at `base` (the experiment page).
/// `filter_problem` is what is wrong with `sel`'s filter (`Selection::filter_problem`).
pub(crate) fn leaderboard(
    ranked: &[Ranked<'_>],
    sel: &Selection,
    info: &ExperimentInfo,
    (objectives, constraints): (&[MetricSpec], &[Constraint]),
    filter_problem: Option<&FilterError>,
    base: &str,
) -> Leaderboard {
    let mut columns = experiment::extra_columns(objectives, constraints);
    // A sort by a metric the table does not show adds its column, to show the order.
    if let SortKey::Metric(name) = &sel.order.key {
        if info.objective != *name && !columns.contains(&name.as_str()) {
            columns.push(name);
        }
    }
    let params: Vec<String> = ranked
        .iter()
        .flat_map(|r| r.trial.params.keys().map(String::as_str))
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    let page = select(ranked, sel);
    // Ticks of trials the experiment does not hold are dropped: there is nothing to compare.
    let picked: Vec<u32> = (sel.picked.iter().copied())
        .filter(|id| ranked.iter().any(|r| r.trial.id.0 == *id))
        .collect();
    let sel = &Selection {
        picked: picked.clone(),
        ..sel.clone()
    };
    let picked_elsewhere = (picked.iter().copied())
        .filter(|id| !page.rows.iter().any(|r| r.trial.id.0 == *id))
        .collect();
    // With several objectives, the rows on the front say so: their ranks alone do not (a trial
    // on it may rank below one that beats it on the first objective only).
    let front: BTreeSet<u32> = if objectives.len() > 1 {
        experiment::pareto_front(ranked.iter().map(|r| r.trial), objectives, constraints)
            .iter()
            .map(|t| t.id.0)
            .collect()
    } else {
        BTreeSet::new()
    };
    let headers = headers(sel, (&info.objective, objectives), &columns, &params, base);
    let rows = page
        .rows
        .iter()
        .map(|r| board_row(r, info, constraints, (&columns, &params), &front))
        .collect();
    let filters = state_filters(ranked, sel, info, base);
    let showing = showing(sel.page, sel.per_page, page.rows.len(), page.matching);
    let empty = empty_text(sel, &page, ranked.len(), filter_problem);
    // To the leaderboard, not the top of the page, as the search form goes.
    let link = |p: u32| format!("{base}{}#leaderboard", sel.query(|s| s.page = p));
    let [first, prev, next, last] = page_links(sel.page, page.pages, link);
    Leaderboard {
        headers,
        rows,
        filters,
        showing,
        empty,
        page: sel.page,
        pages: page.pages,
        first,
        prev,
        next,
        last,
        filter: sel.filter_text.clone(),
        filter_error: filter_problem.map_or(String::new(), ToString::to_string),
        sort_error: String::new(),
        download: (filter_problem.is_none() && page.matching > 0).then(|| {
            let href = format!(
                "{base}/trials.csv{}",
                sel.query(|s| {
                    s.page = 1;
                    s.picked.clear();
                })
            );
            let label = match page.matching {
                1 => "download this trial as CSV".to_string(),
                n => format!("download these {n} trials as CSV"),
            };
            (href, label)
        }),
        keep: keep_fields(sel),
        picked,
        picked_elsewhere,
    }
}

/// Returns the leaderboard's column heads, each a link that sorts by it (the other way when
/// it already does): rank, trial, state, the `objective` (the first of the `objectives`),
/// epoch, the further `columns`, the `params` and duration.
fn headers(
    sel: &Selection,
    (objective, objectives): (&str, &[MetricSpec]),
    columns: &[&str],
    params: &[String],
    base: &str,
) -> Vec<Header> {
    let header = |title: String, key: SortKey| {
        let current = sel.order.key == key;
        // An objective's column sorts best first at the first click.
        let maximized = objectives
            .iter()
            .any(|o| key == SortKey::Metric(o.name.clone()) && o.goal == Direction::Maximize);
        let href = format!(
            "{base}{}#leaderboard",
            sel.query(|s| {
                s.order = TrialOrder {
                    descending: if current {
                        !s.order.descending
                    } else {
                        maximized
                    },
                    key: key.clone(),
                };
                s.page = 1;
            })
        );
        // The arrow tells how the column's values run.
        let (arrow, aria) = sort_arrow(current, sel.order.descending);
        Header {
            title,
            href,
            arrow,
            aria,
        }
    };
    // The rank (completed trials before pruned ones, and with several objectives by Pareto
    // front) has its own link, and each objective's column sorts by its values.
    let mut headers = vec![
        header("rank".into(), SortKey::Rank),
        header("trial".into(), SortKey::Trial),
        header("state".into(), SortKey::State),
        header(
            objective.to_string(),
            SortKey::Metric(objective.to_string()),
        ),
        header("epoch".into(), SortKey::Epoch),
    ];
    headers.extend(columns.iter().map(|metric| {
        header(
            (*metric).to_string(),
            SortKey::Metric((*metric).to_string()),
        )
    }));
    headers.extend(
        params
            .iter()
            .map(|p| header(p.clone(), SortKey::Param(p.clone()))),
    );
    headers.push(header("duration".into(), SortKey::Duration));
    headers
}

/// Returns the row of the ranked trial `r`: its values of the objective, the further
/// `columns` and the `params`, which constraints it breaks, and whether it is on the `front`.
fn board_row(
    r: &Ranked<'_>,
    info: &ExperimentInfo,
    constraints: &[Constraint],
    (columns, params): (&[&str], &[String]),
    front: &BTreeSet<u32>,
) -> Row {
    let (objective, experiment) = (info.objective.as_str(), info.name.as_str());
    let t = r.trial;
    Row {
        rank: r.rank.map_or("-".into(), |n| n.to_string()),
        front: front.contains(&t.id.0),
        id: t.id.0,
        href: format::trial_href(experiment, t.id.0),
        state: info.trial_state_shown(t.state),
        reason: t.reason.clone().unwrap_or_else(|| idle_reason(info, t)),
        value: format::value_num(t.value(objective)),
        epoch: t
            .result
            .as_ref()
            .map_or("-".into(), |x| x.best_step.to_string()),
        trained: String::new(),
        metrics: columns
            .iter()
            .map(|metric| format::count_or_value_num(t.value(metric)))
            .collect(),
        breaks: format::broken(constraints, t),
        value_breaks: experiment::breaks_bound(constraints, objective, t.value(objective)),
        metrics_break: columns
            .iter()
            .map(|metric| experiment::breaks_bound(constraints, metric, t.value(metric)))
            .collect(),
        params: params
            .iter()
            .map(|p| t.params.get(p).map_or("-".into(), ToString::to_string))
            .collect(),
        duration: t.duration_ms().map_or("-".into(), format_duration),
        duration_full: String::new(),
    }
}

/// Returns the state pills: all, then each state a trial has (or the one filtered by), each
/// with how many trials the text filter keeps in it.
fn state_filters(
    ranked: &[Ranked<'_>],
    sel: &Selection,
    info: &ExperimentInfo,
    base: &str,
) -> Vec<Filter> {
    // The state pills count the trials the text filter keeps.
    let searched: Vec<&Trial> = ranked
        .iter()
        .map(|r| r.trial)
        .filter(|t| sel.filter.as_ref().is_ok_and(|f| f.matches(t, sel.live)))
        .collect();
    let mut filters = vec![Filter {
        label: "all",
        count: searched.len(),
        href: format!(
            "{base}{}#leaderboard",
            sel.query(|s| {
                s.state = None;
                s.page = 1;
            })
        ),
        active: sel.state.is_none(),
    }];
    for state in [
        TrialState::Completed,
        TrialState::Pruned,
        TrialState::Failed,
        TrialState::Running,
        TrialState::Queued,
    ] {
        let count = searched.iter().filter(|t| t.state == state).count();
        let any = ranked.iter().any(|r| r.trial.state == state);
        if any || sel.state == Some(state) {
            filters.push(Filter {
                label: info.trial_state_shown(state),
                count,
                href: format!(
                    "{base}{}#leaderboard",
                    sel.query(|s| {
                        s.state = Some(state);
                        s.page = 1;
                    })
                ),
                active: sel.state == Some(state),
            });
        }
    }
    filters
}

/// Returns what the leaderboard says when `page` shows no row: past the last page, no trials
/// yet (of `trials`), a filter that does not read (`filter_problem`), or none matching.
fn empty_text(
    sel: &Selection,
    page: &Page<'_>,
    trials: usize,
    filter_problem: Option<&FilterError>,
) -> String {
    if page.matching > 0 {
        format!(
            "Page {} is past the last page, {}: see the previous one.",
            sel.page, page.pages
        )
    } else if trials == 0 {
        "No trials yet.".to_string()
    } else if filter_problem.is_some() {
        format!(
            "No trials shown: the filter above cannot be read. Mend it, or clear it to see all {}.",
            trials
        )
    } else {
        "No trials match this filter yet.".to_string()
    }
}

/// Returns the index among `objectives` of the one `name`d, or of the first when none is; a
/// name the experiment lacks is `Error::BadRequest` naming its objectives.
pub(crate) fn objective_index(
    name: Option<&str>,
    objectives: &[experiment::MetricSpec],
) -> Result<usize> {
    let Some(name) = name else {
        return Ok(0);
    };
    objectives
        .iter()
        .position(|o| o.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = objectives.iter().map(|o| o.name.as_str()).collect();
            Error::BadRequest(format!(
                "unknown objective {name:?}; this experiment's: {}",
                names.join(", ")
            ))
        })
}

/// Returns the query fields other than the filter and the page, for the search form: a new
/// search keeps the sort, its direction, the state and the trials ticked, and starts at page 1.
fn keep_fields(sel: &Selection) -> Vec<(&'static str, String)> {
    let mut keep = vec![
        ("sort", sel.order.key.name()),
        (
            "dir",
            if sel.order.descending { "desc" } else { "asc" }.to_string(),
        ),
    ];
    if let Some(state) = sel.state {
        keep.push(("state", state.to_string()));
    }
    if let Some(n) = sel.per_page_asked {
        keep.push(("per_page", n.to_string()));
    }
    if let Some(objective) = &sel.objective {
        keep.push(("objective", objective.clone()));
    }
    if let Some(pairs) = &sel.pairs {
        keep.push(("pairs", pairs.clone()));
    }
    if let Some(front) = &sel.front {
        keep.push(("front", front.clone()));
    }
    keep.extend(sel.picked.iter().map(|id| ("t", id.to_string())));
    keep
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;
    use std::collections::BTreeMap;

    use experiment::{ParamValue, Params, Seed, Step, Timestamp, TrialId, TrialResult};

    use super::*;

    #[test]
    fn a_list_page_says_what_it_shows_and_links_its_neighbours() {
        assert_eq!(showing(2, 50, 50, 120), "51–100 of 120");
        assert_eq!(showing(3, 50, 20, 120), "101–120 of 120");
        assert_eq!(showing(4, 50, 0, 120), "0 of 120");
        let link = |p: u32| format!("p{p}");
        let some = |p: &str| Some(p.to_string());
        assert_eq!(page_links(1, 3, link), [None, None, some("p2"), some("p3")]);
        assert_eq!(
            page_links(2, 3, link),
            [some("p1"), some("p1"), some("p3"), some("p3")]
        );
        // Past the last, the previous page is the last.
        assert_eq!(page_links(9, 3, link), [some("p1"), some("p3"), None, None]);
        assert_eq!(sort_arrow(false, true), ("", "none"));
        assert_eq!(sort_arrow(true, false), ("▲", "ascending"));
        assert_eq!(sort_arrow(true, true), ("▼", "descending"));
    }

    fn trial(id: u32, state: TrialState, value: Option<f64>, lr: f64) -> Trial {
        let params: Params = BTreeMap::from([("lr".to_string(), ParamValue::Float(lr))]);
        Trial {
            id: TrialId(id),
            seed: Seed(0),
            params,
            state,
            reason: None,
            started: Some(Timestamp(0)),
            finished: Some(Timestamp(i64::from(id) * 1000)),
            result: value.map(|v| TrialResult {
                best_step: Step(1),
                metrics: BTreeMap::from([("acc".into(), v)]),
            }),
        }
    }

    fn trials() -> Vec<Trial> {
        (0..120)
            .map(|i| {
                let state = if i % 10 == 3 {
                    TrialState::Failed
                } else if i % 10 == 5 {
                    TrialState::Pruned
                } else {
                    TrialState::Completed
                };
                let value = (state != TrialState::Failed).then_some(f64::from(i % 37) / 37.0);
                trial(i, state, value, 1e-4 * f64::from(120 - i))
            })
            .collect()
    }

    fn query(pairs: &[(&str, &str)]) -> LeaderboardQuery {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_string())
        };
        LeaderboardQuery {
            sort: get("sort"),
            dir: get("dir"),
            state: get("state"),
            page: get("page").and_then(|p| p.parse().ok()),
            per_page: get("per_page").and_then(|p| p.parse().ok()),
            filter: get("filter"),
            objective: get("objective"),
            pairs: get("pairs"),
            front: get("front"),
        }
    }

    /// Ranks `trials` by `acc`, maximized, without constraints.
    fn by_accuracy(trials: &[Trial]) -> Vec<Ranked<'_>> {
        let acc = MetricSpec {
            name: "acc".into(),
            goal: Direction::Maximize,
        };
        ranked(trials, &[acc], &[])
    }

    #[test]
    fn ranks_filters_sorts_and_pages() {
        let trials = trials();
        let ranked = by_accuracy(&trials);
        let sel = Selection::parse(&query(&[]), PER_PAGE).unwrap();
        let page = select(&ranked, &sel);
        assert_eq!((page.matching, page.pages, page.rows.len()), (120, 3, 50));
        assert_eq!(page.rows[0].rank, Some(1));
        let top = page.rows[0].trial.value("acc").unwrap();
        assert!(page
            .rows
            .iter()
            .all(|r| r.trial.value("acc").unwrap_or(-1.0) <= top));

        let sel = Selection::parse(&query(&[("state", "failed")]), PER_PAGE).unwrap();
        let page = select(&ranked, &sel);
        assert_eq!(page.matching, 12);
        assert!(page
            .rows
            .iter()
            .all(|r| r.trial.state == TrialState::Failed && r.rank.is_none()));

        let sel = Selection::parse(
            &query(&[("sort", "param.lr"), ("dir", "desc"), ("page", "3")]),
            PER_PAGE,
        )
        .unwrap();
        let page = select(&ranked, &sel);
        assert_eq!(page.rows.len(), 20);
        assert_eq!(
            page.rows.last().map(|r| r.trial.id.0),
            Some(119),
            "smallest lr last"
        );

        // By a metric's value, either way, the trials without one (the failed) last.
        let values = |dir: &str| {
            let q = query(&[("sort", "metric.acc"), ("dir", dir), ("per_page", "1000")]);
            let sel = Selection::parse(&q, PER_PAGE).unwrap();
            let rows = select(&ranked, &sel).rows;
            rows.iter()
                .map(|r| r.trial.value("acc"))
                .collect::<Vec<_>>()
        };
        for (dir, order) in [("asc", Ordering::Less), ("desc", Ordering::Greater)] {
            let v = values(dir);
            let present: Vec<f64> = v.iter().map_while(|x| *x).collect();
            assert_eq!(present.len(), 108, "{dir}");
            assert!(v[108..].iter().all(Option::is_none), "{dir}: missing last");
            assert!(present
                .windows(2)
                .all(|w| w[0].total_cmp(&w[1]) != order.reverse()));
        }
        let sel = Selection::parse(&query(&[("sort", "metric.")]), PER_PAGE);
        assert!(matches!(sel, Err(Error::BadRequest(_))));
    }

    #[test]
    fn the_best_trial_agrees_with_the_experiment_crate() {
        let trials = trials();
        let values: Vec<f64> = trials.iter().filter_map(|t| t.value("acc")).collect();
        let middle = values.iter().sum::<f64>() / values.len() as f64;
        let under = [Constraint {
            metric: "acc".into(),
            min: None,
            max: Some(middle),
        }];
        for goal in [Direction::Maximize, Direction::Minimize] {
            for constraints in [&[][..], &under[..]] {
                let acc = [MetricSpec {
                    name: "acc".into(),
                    goal,
                }];
                let best = crate::view::best_completed(&trials, &acc, constraints);
                let theirs = experiment::best_trial(&trials, &acc, constraints);
                assert_eq!(best.map(|t| t.id), theirs.map(|t| t.id));
                assert!(best.is_some());
            }
        }
    }

    #[test]
    fn a_state_is_named_as_stored_or_as_shown() {
        for (name, state) in [
            ("running", TrialState::Running),
            ("interrupted", TrialState::Running),
            ("queued", TrialState::Queued),
            ("pruned", TrialState::Pruned),
        ] {
            let sel = Selection::parse(&query(&[("state", name)]), PER_PAGE).unwrap();
            assert_eq!(sel.state, Some(state), "{name}");
        }
    }

    #[test]
    fn bad_queries_are_rejected_with_a_message() {
        for (k, v) in [
            ("sort", "nope"),
            ("dir", "up"),
            ("state", "done"),
            ("page", "0"),
            ("sort", "param."),
        ] {
            let err = Selection::parse(&query(&[(k, v)]), PER_PAGE)
                .map(|_| ())
                .unwrap_err();
            assert!(matches!(err, Error::BadRequest(_)), "{k}={v}: {err}");
        }
    }

    #[test]
    fn the_view_links_sorting_paging_and_filters() {
        let trials = trials();
        let ranked = by_accuracy(&trials);
        let sel = Selection::parse(&query(&[("sort", "trial")]), PER_PAGE).unwrap();
        let mut info = crate::view::fixtures::info("x", store::ExperimentStatus::Finished, 120);
        info.objective = "acc".into();
        let board = leaderboard(&ranked, &sel, &info, (&[], &[]), None, "/experiments/x");
        let trial_header = board.headers.iter().find(|h| h.title == "trial").unwrap();
        assert_eq!(trial_header.arrow, "▲");
        // Links go to the leaderboard, not the top of the page.
        assert_eq!(
            trial_header.href,
            "/experiments/x?sort=trial&dir=desc#leaderboard"
        );
        assert_eq!(board.showing, "1–50 of 120");
        assert_eq!(
            board.next.as_deref(),
            Some("/experiments/x?sort=trial&dir=asc&page=2#leaderboard")
        );
        assert_eq!(board.prev, None);
        assert_eq!(board.first, None, "on the first page");
        assert_eq!(
            board.last.as_deref(),
            Some("/experiments/x?sort=trial&dir=asc&page=3#leaderboard")
        );
        assert_eq!(board.rows[0].href, "/experiments/x/trials/0");
        let labels: Vec<(&str, usize)> = board.filters.iter().map(|f| (f.label, f.count)).collect();
        assert_eq!(
            labels,
            [
                ("all", 120),
                ("completed", 96),
                ("pruned", 12),
                ("failed", 12)
            ]
        );
        assert!(board
            .headers
            .iter()
            .any(|h| h.href.contains("sort=param.lr")));
        // By rank (best first) the rank column ascends, whatever the goal; the objective's
        // column sorts by its values, best first (a pruned trial's value is of a shortened
        // run, so rank order is not value order).
        let by_rank = Selection::parse(&query(&[]), PER_PAGE).unwrap();
        for goal in [Direction::Maximize, Direction::Minimize] {
            info.goal = goal;
            let board = leaderboard(&ranked, &by_rank, &info, (&[], &[]), None, "/experiments/x");
            let rank = board.headers.iter().find(|h| h.title == "rank").unwrap();
            assert_eq!((rank.arrow, rank.aria), ("▲", "ascending"), "{goal:?}");
            let objective = board.headers.iter().find(|h| h.title == "acc").unwrap();
            assert_eq!((objective.arrow, objective.aria), ("", "none"), "{goal:?}");
            assert!(
                objective.href.contains("sort=metric.acc"),
                "{}",
                objective.href
            );
        }
        // Rows per page asked for stay in every link and in the search form.
        let five = Selection::parse(&query(&[("per_page", "5"), ("page", "2")]), PER_PAGE).unwrap();
        let board = leaderboard(&ranked, &five, &info, (&[], &[]), None, "/experiments/x");
        assert_eq!(
            board.next.as_deref(),
            Some("/experiments/x?sort=rank&dir=asc&page=3&per_page=5#leaderboard")
        );
        let sorting: Vec<&str> = board
            .headers
            .iter()
            .map(|h| h.href.as_str())
            .filter(|h| !h.is_empty())
            .collect();
        assert!(!sorting.is_empty(), "{sorting:?}");
        assert!(
            sorting
                .iter()
                .all(|h| h.ends_with("&per_page=5#leaderboard")),
            "{sorting:?}"
        );
        assert!(board.keep.contains(&("per_page", "5".to_string())));
    }
}
