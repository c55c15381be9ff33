//! The leaderboard as the experiment page shows it: column heads that sort, a row per trial
//! of the page, the state pills, the pager and the search form's kept fields.

use std::collections::BTreeSet;

use experiment::{
    format_duration, Constraint, Direction, FilterError, MetricSpec, ParamValue, SortKey, Trial,
    TrialOrder, TrialState,
};
use store::ExperimentInfo;

use super::notes::idle_reason;
use super::paging::{page_links, showing, sort_arrow};
use super::selection::{select, Page, Ranked, Selection};
use crate::view::format;
use crate::view::ticks::Ticks;

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
    /// The objective value, as its metric is written (`format::metric_value`: a count such
    /// as `param_count` as a whole number).
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
    /// For each cell of `params`, whether its value is text (a categorical parameter's
    /// choice), shown left-aligned and cut to its cell's width with its whole in its tooltip.
    pub(crate) params_text: Vec<bool>,
    /// The run time; for a trial a kill left running, the time to its last report, marked
    /// `(last heard)` (`show_last_heard`).
    pub(crate) duration: String,
    /// What the run time is, where it is not plainly the trial's start to its end; or empty.
    pub(crate) duration_full: String,
    /// For a trial still running, which has no result yet (`data::shows_latest`), the latest
    /// epoch it reported, whose metrics its `value` and `metrics` show, said as the latest in
    /// their tooltips (`show_latest`); `None` for any other trial, or before any report.
    pub(crate) latest: Option<u32>,
}

impl Row {
    /// Returns whether the `i`th cell of `metrics` breaks a constraint.
    pub(crate) fn metric_breaks(&self, i: &usize) -> bool {
        self.metrics_break.get(*i).copied().unwrap_or(false)
    }

    /// Returns why a row shown at its latest epoch (`latest`) has no result yet, as its tooltip
    /// says it (`format::why_not_final`): a running trial has not ended, an interrupted one was
    /// cut off.
    pub(crate) fn why_not_final(&self) -> &'static str {
        format::why_not_final(self.state)
    }

    /// Returns whether the `i`th cell of `params` is text, not a number (`params_text`).
    pub(crate) fn param_is_text(&self, i: &usize) -> bool {
        self.params_text.get(*i).copied().unwrap_or(false)
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
    /// The metrics of the cells of each row's `metrics`, in order: the further objectives and
    /// constrained metrics (`experiment::extra_columns`), and a metric sorted by.
    pub(crate) metric_columns: Vec<String>,
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
    /// What the page says of ticks it dropped past the most a comparison takes
    /// (`compare::MAX_TRIALS`, `Ticks::note`); empty where it dropped none.
    pub(crate) picks_note: String,
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
    let sel = &Selection {
        picked: (sel.picked.clone()).only(|id| ranked.iter().any(|r| r.trial.id.0 == *id)),
        ..sel.clone()
    };
    let picked = sel.picked.ids().to_vec();
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
        metric_columns: columns.iter().map(ToString::to_string).collect(),
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
                    s.picked = Ticks::default();
                })
            );
            let label = match page.matching {
                1 => "download this trial as CSV".to_string(),
                n => format!("download these {n} trials as CSV"),
            };
            (href, label)
        }),
        keep: keep_fields(sel),
        picks_note: sel.picked.note(),
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
        value: format::Num::of(
            format::metric_value(objective, t.value(objective)),
            t.value(objective),
        ),
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
        params_text: params
            .iter()
            .map(|p| matches!(t.params.get(p), Some(ParamValue::Str(_))))
            .collect(),
        duration: t.duration_ms().map_or("-".into(), format_duration),
        duration_full: String::new(),
        latest: None,
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
    keep.extend(sel.picked.ids().iter().map(|id| ("t", id.to_string())));
    keep
}
