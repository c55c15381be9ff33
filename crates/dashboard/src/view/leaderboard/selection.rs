//! What a leaderboard query selects: the query as sent, the validated `Selection` (sort,
//! state, filter, page, ticks), and the ranked trials it keeps, page by page.

use std::collections::{BTreeMap, BTreeSet};

use experiment::{
    Constraint, Field, FilterError, MetricSpec, SortKey, Trial, TrialFilter, TrialId, TrialOrder,
    TrialResult, TrialState,
};
use serde::Deserialize;

use super::paging::{pages_of, paging};
use super::TICK_KEYS;
use crate::data::Latest;
use crate::view::format::url_part;
use crate::view::ticks::{BadTick, Ticks};
use crate::{Error, Result};

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
    /// the order ticked, with how many were dropped past what a comparison takes
    /// (`picked_trials`, `with_picked`): every link of the leaderboard keeps them, so that
    /// trials ticked on one of its pages are still ticked on another.
    pub(crate) picked: Ticks<u32>,
    /// The run time, in milliseconds, of each trial a kill left running, to its last report
    /// (`notes::last_heard_ms`, `with_last_heard`): the duration its row shows, and sorts by,
    /// as a trial that ended sorts by its start to its end. Empty: none sorts by one.
    pub(crate) last_heard: BTreeMap<TrialId, i64>,
    /// The latest epoch of each trial still running without a result (`data::shows_latest`,
    /// `with_latest`): the values its row shows, in italics, in place of a result, and which
    /// it sorts and is filtered by (`metric.NAME`), as W&B sorts a run by its latest summary,
    /// running or not. Its rank, and its `epoch` (a best epoch it has not), stay none. Empty:
    /// none does.
    pub(crate) latest: BTreeMap<TrialId, Latest>,
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
                Error::BadRequest(format!("unknown state `{s}`; use {STATE_WORDS}"))
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
            picked: Ticks::default(),
            last_heard: BTreeMap::new(),
            latest: BTreeMap::new(),
        })
    }

    /// Returns the selection with `last_heard`, the run time of each trial a kill left running
    /// to its last report (`notes::last_heard_ms`), which its row shows as its duration: the
    /// sort by duration takes it too, so that the column and its order agree.
    pub(crate) fn with_last_heard(mut self, last_heard: BTreeMap<TrialId, i64>) -> Selection {
        self.last_heard = last_heard;
        self
    }

    /// Returns the selection with `latest`, the latest epoch of each trial still running without
    /// a result (`Reader::running_latest`), which its row shows in place of a result: sorts and
    /// filters by a metric take it too, so that the column and its order agree.
    pub(crate) fn with_latest(mut self, latest: BTreeMap<TrialId, Latest>) -> Selection {
        self.latest = latest;
        self
    }

    /// Returns the selection with the trials ticked for comparing, `picked` (`picked_trials`,
    /// with how many values past those read were sent), that `trials` hold (there is nothing to
    /// compare in the others), the first `compare::MAX_TRIALS` of those: the most a comparison
    /// takes, the others counted as dropped (`Ticks::at_most_compared`), which the page says
    /// with those sent and not read. Those not held are left out before the cut, so that
    /// unknown ids never crowd out a trial held; the page, its cache key (`Ticks::page_key`,
    /// with how many were ticked where the page says it) and every link take these ticks.
    pub(crate) fn with_picked(mut self, picked: Ticks<u32>, trials: &[Trial]) -> Selection {
        let held: BTreeSet<u32> = trials.iter().map(|t| t.id.0).collect();
        self.picked = picked.only(|id| held.contains(id)).at_most_compared();
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
        for id in s.picked.ids() {
            q.push_str(&format!("&t={id}"));
        }
        q
    }
}

/// Returns the trials a leaderboard's address ticks for comparing (`?t=`, as the compare page
/// takes them), each once, in the order given, from its first `MAX_PICKS_READ` values
/// (`TICK_KEYS`), the others counted as sent, for the page's note; a value that is not a trial
/// number is a bad request, as on the compare page (`Ticks::read`).
pub(crate) fn picked_trials(query: &str) -> Result<Ticks<u32>> {
    Ticks::read(query, TICK_KEYS, BadTick::Refused)
}

/// The words `state=` takes, with when each applies: the unknown state's answer. A trial
/// stored `running` is `running` only while a sweep runs it, and `interrupted` once a stopped
/// sweep left it (`Selection::state_named_as_shown`: the other word matches none).
const STATE_WORDS: &str = "all, completed, pruned, failed, queued, running (a trial \
     a sweep runs now), or interrupted (a trial a stopped sweep left running)";

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
/// A trial still running is sorted and filtered by a metric at its latest epoch
/// (`Selection::latest`), as its row shows it.
pub(crate) fn matching<'a>(ranked: &[Ranked<'a>], sel: &Selection) -> Vec<Ranked<'a>> {
    let shown = shown_latest(ranked, &sel.latest);
    // A filter naming `epoch` (a best epoch) reads each trial as it is: a running one has none.
    let names_epoch = |f: &TrialFilter| f.comparisons().iter().any(|c| c.field == Field::Epoch);
    let rows: Vec<Ranked<'a>> = ranked
        .iter()
        .copied()
        .filter(|r| sel.state.is_none_or(|s| r.trial.state == s) && sel.state_named_as_shown())
        .filter(|r| {
            sel.filter
                .as_ref()
                .is_ok_and(|f| match shown.get(&r.trial.id) {
                    Some(t) if !names_epoch(f) => f.matches(t, sel.live),
                    _ => f.matches(r.trial, sel.live),
                })
        })
        .collect();
    // By a metric, a running trial sorts by its latest value; by any other key (`epoch`, a best
    // epoch, among them) as it is.
    let by_metric = matches!(sel.order.key, SortKey::Metric(_));
    let rows: Vec<(Ranked<'a>, &Trial)> = (rows.into_iter())
        .map(|r| match shown.get(&r.trial.id) {
            Some(t) if by_metric => (r, t),
            _ => (r, r.trial),
        })
        .collect();
    // By duration, a trial a kill left running sorts by its time to its last report, as its
    // row shows it (`notes::show_last_heard`).
    let run_ms = |t: &Trial| (t.duration_ms()).or_else(|| sel.last_heard.get(&t.id).copied());
    let sorted = sel.order.sort_timed(rows, |(r, t)| (*t, r.rank), run_ms);
    sorted.into_iter().map(|(r, _)| r).collect()
}

/// Returns each trial of `ranked` that `latest` holds (one still running, without a result) as
/// its row shows it: with its latest epoch's metrics as its result's, for the sorts and filters
/// by a metric alone (its `best_step`, the latest epoch, is read by neither).
fn shown_latest(
    ranked: &[Ranked<'_>],
    latest: &BTreeMap<TrialId, Latest>,
) -> BTreeMap<TrialId, Trial> {
    (ranked.iter())
        .filter(|r| r.trial.result.is_none())
        .filter_map(|r| {
            let l = latest.get(&r.trial.id)?;
            let result = TrialResult {
                best_step: l.step,
                metrics: l.metrics.clone(),
            };
            let shown = Trial {
                result: Some(result),
                ..r.trial.clone()
            };
            Some((r.trial.id, shown))
        })
        .collect()
}

/// Returns the page `sel` asks for out of `ranked` (in rank order).
pub(crate) fn select<'a>(ranked: &[Ranked<'a>], sel: &Selection) -> Page<'a> {
    let rows = matching(ranked, sel);
    let matching = rows.len();
    Page {
        rows: crate::view::page_of(rows, sel.page, sel.per_page),
        matching,
        pages: pages_of(matching, sel.per_page),
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
