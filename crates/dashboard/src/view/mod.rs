//! View models: pure functions from what the store holds to what a page shows.
//!
//! Handlers read the store (through `data`) and call one function here; the result is plain
//! strings and numbers for a template. Nothing here does IO or reads the clock: the time now is
//! passed in, so every function is tested with fixed inputs.

pub(crate) mod compare;
pub(crate) mod experiment_page;
pub(crate) mod experiments_compare;
pub(crate) mod format;
pub(crate) mod leaderboard;
pub(crate) mod list_sort;
pub(crate) mod space;
pub(crate) mod ticks;
pub(crate) mod trial;

use std::collections::BTreeMap;
use std::sync::Arc;

use experiment::{Constraint, Direction, MetricSpec, Timestamp, Trial, TrialState};
use store::ExperimentStatus;

use crate::data::ExperimentData;
use ticks::{BadTick, Ticks};

/// An experiment's numbers, as the list and the experiment page's header show them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    /// The name.
    pub(crate) name: String,
    /// The experiment page.
    pub(crate) href: String,
    /// `running`, `finished` or `interrupted`.
    pub(crate) status: &'static str,
    /// The objective metric (the first, with several).
    pub(crate) objective: String,
    /// Every objective's metric with its goal, joined by commas, as `sweep ls` writes them:
    /// `val_accuracy (maximize), param_count (minimize)`.
    pub(crate) objectives: String,
    /// Trials in each state.
    pub(crate) completed: usize,
    /// Pruned trials.
    pub(crate) pruned: usize,
    /// Failed trials.
    pub(crate) failed: usize,
    /// Running trials.
    pub(crate) running: usize,
    /// Trials a sweep left running when it stopped (no sweep runs the experiment now).
    pub(crate) interrupted: usize,
    /// Trials in the queue: suggested and not started, or put back by a stop (`sweep ls`
    /// counts them alike).
    pub(crate) queued: usize,
    /// Trials stored (any state) and planned.
    pub(crate) stored: usize,
    /// The run cap.
    pub(crate) run_cap: u32,
    /// The best completed value, as its metric is written (`format::metric_value`), or `-`.
    pub(crate) best: format::Num,
    /// The best trial's number, if there is one.
    pub(crate) best_trial: Option<u32>,
    /// The best trial's value of the objective, as stored (`best` writes it).
    pub(crate) best_value: Option<f64>,
    /// When it was created, UTC.
    pub(crate) started: String,
    /// How long it ran (so far).
    pub(crate) duration: String,
    /// Whether the page should refresh itself (the experiment is running).
    pub(crate) live: bool,
}

impl Summary {
    /// Returns the best trial's page, if there is one.
    pub(crate) fn best_href(&self) -> Option<String> {
        self.best_trial.map(|id| format::trial_href(&self.name, id))
    }

    /// Summarizes an experiment and its trials at time `now`.
    pub(crate) fn of(data: &ExperimentData, now: Timestamp) -> Summary {
        let (info, trials) = (&data.info, data.trials.as_slice());
        let objectives = data.objectives();
        let best = best_completed(trials, &objectives, data.constraints())
            .map(|t| (t.id.0, t.value(&info.objective)));
        let live = info.status == ExperimentStatus::Running;
        let counts = Counts::of(data);
        Summary {
            name: info.name.clone(),
            href: format::experiment_href(&info.name),
            status: info.status.as_str(),
            objective: info.objective.clone(),
            objectives: objectives_text(&objectives),
            completed: counts.completed,
            pruned: counts.pruned,
            failed: counts.failed,
            running: counts.running,
            interrupted: counts.interrupted,
            queued: counts.queued,
            stored: counts.stored,
            run_cap: info.run_cap,
            // As its metric is written: a count (`param_count`) as a whole number.
            best: best.map_or(format::Num::text("-"), |(_, v)| {
                format::Num::of(format::metric_value(&info.objective, v), v)
            }),
            best_trial: best.map(|(id, _)| id),
            best_value: best.and_then(|(_, v)| v),
            started: info.created.utc(),
            // The time trials ran, attempts cut off included; a running one counts to the clock
            // while a sweep runs it, and to its last report once a kill left it running.
            duration: experiment::busy_ms(trials, &data.kept_spans(), live.then_some(now))
                .map_or("-".into(), experiment::format_duration),
            live,
        }
    }
}

/// An experiment's trials in each state, as the list shows and sorts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Completed trials.
    pub(crate) completed: usize,
    /// Pruned trials.
    pub(crate) pruned: usize,
    /// Failed trials.
    pub(crate) failed: usize,
    /// Running trials (none unless a sweep runs the experiment).
    pub(crate) running: usize,
    /// Trials a sweep left running when it stopped.
    pub(crate) interrupted: usize,
    /// Trials in the queue, not started (a stop puts the trials it cut back there).
    pub(crate) queued: usize,
    /// Trials stored (any state) and planned.
    pub(crate) stored: usize,
}

impl Counts {
    /// Counts an experiment's trials by state.
    pub(crate) fn of(data: &ExperimentData) -> Counts {
        let trials = data.trials.as_slice();
        let count = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
        // Trials of an experiment that no sweep runs are not running, whatever they say.
        let live = data.info.status == ExperimentStatus::Running;
        Counts {
            completed: count(TrialState::Completed),
            pruned: count(TrialState::Pruned),
            failed: count(TrialState::Failed),
            running: if live { count(TrialState::Running) } else { 0 },
            interrupted: if live { 0 } else { count(TrialState::Running) },
            queued: count(TrialState::Queued),
            stored: trials.len(),
        }
    }
}

/// Returns the direction `metric` improves in for an experiment of `objectives`: an
/// objective's goal, as its spec sets it; otherwise a known metric's
/// (`Direction::of_metric`), or `None` for a name it does not know. A curve chart's y axis
/// may be logarithmic only for a minimized metric.
pub(crate) fn metric_goal(objectives: &[MetricSpec], metric: &str) -> Option<Direction> {
    objectives
        .iter()
        .find(|o| o.name == metric)
        .map(|o| o.goal)
        .or_else(|| Direction::of_metric(metric))
}

/// Returns the `objectives` with their goals, joined by commas: `val_rmse (minimize)`.
pub(crate) fn objectives_text(objectives: &[MetricSpec]) -> String {
    objectives
        .iter()
        .map(|o| format!("{} ({})", o.name, o.goal))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The experiments page: one page of the experiments whose name contains the query.
#[derive(Debug, Clone)]
pub(crate) struct ExperimentsPage {
    /// Each sortable column's head, by its key's name: the link that sorts by it (the other
    /// way when it already does), its arrow (`▲`, `▼` or none) and its `aria-sort`.
    pub(crate) heads: BTreeMap<&'static str, (String, &'static str, &'static str)>,
    /// One row per experiment of this page that the filter keeps, in the sort's order (newest
    /// first by default).
    pub(crate) rows: Vec<Summary>,
    /// Whether any experiment is running (the page refreshes itself), shown or not.
    pub(crate) live: bool,
    /// The text a shown experiment's name contains (`?q=`), as typed; empty for every one.
    pub(crate) query: String,
    /// How many experiments the store holds.
    pub(crate) total: usize,
    /// How many of them the filter keeps, on every page.
    pub(crate) matching: usize,
    /// The page shown, from 1 (past `pages` when the query asked for one past the last).
    pub(crate) page: u32,
    /// The number of pages (at least 1).
    pub(crate) pages: u32,
    /// E.g. `51–100 of 200`.
    pub(crate) showing: String,
    /// The query's other parts the filter form sends again as hidden inputs (`sort`, `dir`,
    /// `per_page`, where asked), so that filtering keeps them.
    pub(crate) kept_inputs: Vec<(&'static str, String)>,
    /// The list's address without the filter, keeping the rest of the query ("all").
    pub(crate) unfiltered: String,
    /// What is wrong with a sort that does not read (`?sort=`, `?dir=`), shown above the
    /// table, which is then in the default order; empty when it reads.
    pub(crate) sort_error: String,
    /// Links to the first, previous, next and last pages, where this is not that page.
    pub(crate) first: Option<String>,
    /// Link to the previous page.
    pub(crate) prev: Option<String>,
    /// Link to the next page.
    pub(crate) next: Option<String>,
    /// Link to the last page.
    pub(crate) last: Option<String>,
    /// The experiments ticked for comparing (`?e=`, in the order ticked) that the store
    /// holds, the first `MAX_EXPERIMENTS` of them: the rows among them are ticked, the compare
    /// form keeps the others, and every link and hidden input keeps these alone.
    pub(crate) picked: Vec<String>,
    /// What the page says of ticks it dropped past the most a comparison takes
    /// (`MAX_EXPERIMENTS`); empty where it dropped none.
    pub(crate) picks_note: String,
    /// The ticked experiments this page does not show (on another page, or hidden by the
    /// filter), in the order ticked: the compare form shows them, ticked, above the table, so
    /// that experiments on different pages are compared together.
    pub(crate) picked_elsewhere: Vec<String>,
}

impl ExperimentsPage {
    /// Returns whether the experiment `name` is ticked for comparing.
    pub(crate) fn is_picked(&self, name: &str) -> bool {
        self.picked.iter().any(|p| p == name)
    }

    /// Returns the head of the column sorted by `key` (a `ListSort` name): its link, arrow and
    /// `aria-sort`; an unknown key gets an empty link.
    pub(crate) fn head(&self, key: &str) -> (String, &'static str, &'static str) {
        self.heads
            .get(key)
            .cloned()
            .unwrap_or((String::new(), "", "none"))
    }
}

/// The experiments list's query, validated: `?q=` (the last one given counts), the column sort
/// (`sort`, `dir`: `list_sort`), and the page
/// and rows per page as the leaderboard takes them (`page`, `per_page`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListQuery {
    /// The text a shown experiment's name contains, trimmed; empty for every one.
    pub(crate) q: String,
    /// The page, from 1.
    pub(crate) page: u32,
    /// Rows per page.
    pub(crate) per_page: u32,
    /// Rows per page as the query asked, which links keep; `None` for the default.
    pub(crate) per_page_asked: Option<u32>,
    /// The column the list is sorted by (`?sort=`): by default when it was started, newest
    /// first.
    pub(crate) sort: list_sort::ListSort,
    /// Whether the sort runs largest first (`?dir=desc`): without `dir`, as a first click on
    /// its column sorts it (`ListSort::largest_first`), so the default lists newest first.
    pub(crate) descending: bool,
    /// Whether the query named the sort or its direction, which links then keep: a link
    /// without them lists newest first.
    pub(crate) sort_asked: bool,
    /// The experiments ticked for comparing (`?e=`, read as the compare page reads them,
    /// `experiments_compare::TICK_KEYS`), each once, in the order given: every link of the list
    /// keeps them, so that ticks made on one page (or before filtering) are still there on
    /// another.
    pub(crate) picked: Ticks<String>,
}

impl ListQuery {
    /// Reads a query string; a page or rows per page that is not a whole number, or given
    /// twice, is a bad request, as on the leaderboard, and so is a tick that is not an
    /// experiment's name, as on the compare page (`Ticks::read`).
    pub(crate) fn parse(query: &str, default_per_page: u32) -> crate::Result<ListQuery> {
        ListQuery::parse_ticks(query, default_per_page, BadTick::Refused)
    }

    /// Reads a query string as `parse` does, a tick that is not an experiment's name read as
    /// `bad_ticks` says: the API, which keeps no ticks, leaves it out (`BadTick::Skipped`).
    pub(crate) fn parse_ticks(
        query: &str,
        default_per_page: u32,
        bad_ticks: BadTick,
    ) -> crate::Result<ListQuery> {
        let mut q = String::new();
        let picked = Ticks::read(query, experiments_compare::TICK_KEYS, bad_ticks)?;
        let (mut page, mut per_page) = (None, None);
        let (mut sort, mut dir) = (None, None);
        for (key, value) in query_pairs(query)? {
            let slot = match key.as_str() {
                "q" => {
                    q = value.trim().to_string();
                    continue;
                }
                "sort" | "dir" => {
                    let slot = if key == "sort" { &mut sort } else { &mut dir };
                    if slot.is_some() {
                        return Err(crate::Error::BadRequest(format!(
                            "bad query: `{key}` is given twice"
                        )));
                    }
                    *slot = Some(value);
                    continue;
                }
                "page" => &mut page,
                "per_page" => &mut per_page,
                _ => continue,
            };
            if slot.is_some() {
                return Err(crate::Error::BadRequest(format!(
                    "bad query: `{key}` is given twice"
                )));
            }
            *slot = Some(value.parse::<u32>().map_err(|_| {
                crate::Error::BadRequest(format!(
                    "bad query: `{key}` takes a whole number such as 2, found `{value}`"
                ))
            })?);
        }
        let (page, per_page_shown) = leaderboard::paging(page, per_page, default_per_page)?;
        let key = sort
            .as_deref()
            .map_or(Ok(list_sort::ListSort::default()), list_sort::parse)?;
        let descending = match dir.as_deref() {
            None => key.largest_first(),
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(crate::Error::BadRequest(format!(
                    "unknown dir {other:?}; use asc or desc"
                )))
            }
        };
        Ok(ListQuery {
            q,
            page,
            per_page: per_page_shown,
            per_page_asked: per_page,
            sort: key,
            descending,
            sort_asked: sort.is_some() || dir.is_some(),
            picked,
        })
    }

    /// Reads a query string for the list page: as `parse`, but a sort or direction that does
    /// not read (or is given twice) falls back to the default order, and what is wrong with it
    /// comes back to be shown above the table, as the leaderboard's does; the page stays (the
    /// API answers 400 instead). Anything else that does not read is still an error.
    pub(crate) fn parse_for_page(
        query: &str,
        default_per_page: u32,
    ) -> crate::Result<(ListQuery, String)> {
        // A query that is not one is refused as `parse` refuses it, before anything else.
        let pairs = query_pairs(query)?;
        let is_sort = |key: &str| key == "sort" || key == "dir";
        let unsorted = || {
            let kept: Vec<String> = pairs
                .iter()
                .filter(|(key, _)| !is_sort(key))
                .map(|(key, value)| {
                    format!("{}={}", format::url_part(key), format::url_part(value))
                })
                .collect();
            ListQuery::parse(&kept.join("&"), default_per_page)
        };
        leaderboard::sort_or_default(
            pairs.iter().any(|(key, _)| is_sort(key)),
            || ListQuery::parse(query, default_per_page),
            unsorted,
        )
    }

    /// Returns the parts of the query besides the filter and the page that `href` keeps
    /// (`sort`, `dir`, `per_page`, where asked, and each ticked experiment's `e`), as name and
    /// value: the filter form's hidden inputs.
    pub(crate) fn kept_parts(&self) -> Vec<(&'static str, String)> {
        self.parts(None)
    }

    /// Returns the list's address at page `page`, keeping the filter, the sort, the rows per
    /// page asked for and the experiments ticked for comparing.
    pub(crate) fn href(&self, page: u32) -> String {
        let parts: Vec<String> = self
            .parts(Some(page))
            .iter()
            .map(|(key, value)| format!("{key}={}", format::url_part(value)))
            .collect();
        match parts.is_empty() {
            true => "/".to_string(),
            false => format!("/?{}", parts.join("&")),
        }
    }

    /// Returns the query's parts, as name and value, in the address's order: the filter (where
    /// not empty), `sort` and `dir` (where asked), the page (past the first), `per_page` (where
    /// asked) and each ticked experiment's `e`; with `page` `None`, those but the filter and
    /// the page, which the filter form sets itself.
    fn parts(&self, page: Option<u32>) -> Vec<(&'static str, String)> {
        let mut parts = Vec::new();
        if page.is_some() && !self.q.is_empty() {
            parts.push(("q", self.q.clone()));
        }
        if self.sort_asked {
            let dir = if self.descending { "desc" } else { "asc" };
            parts.push(("sort", self.sort.name().to_string()));
            parts.push(("dir", dir.to_string()));
        }
        if let Some(page) = page.filter(|&page| page > 1) {
            parts.push(("page", page.to_string()));
        }
        if let Some(n) = self.per_page_asked {
            parts.push(("per_page", n.to_string()));
        }
        parts.extend(self.picked.ids().iter().map(|name| ("e", name.clone())));
        parts
    }
}

/// Returns the experiments whose name contains `query` (ignoring case; every one when it is
/// empty), in the store's order: a store of hundreds is found in by a part of a name.
pub(crate) fn matching_experiments<'a>(
    all: &'a [Arc<ExperimentData>],
    query: &str,
) -> Vec<&'a Arc<ExperimentData>> {
    all.iter()
        .filter(|d| experiment::name_matches(&d.info.name, query))
        .collect()
}

/// Returns the rows of page `page` (from 1) of `rows`, `per_page` to a page: none past the last.
pub(crate) fn page_of<T>(rows: Vec<T>, page: u32, per_page: u32) -> Vec<T> {
    let per_page = usize::try_from(per_page).unwrap_or(usize::MAX).max(1);
    let start = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(per_page);
    rows.into_iter().skip(start).take(per_page).collect()
}

/// Returns every experiment whose name contains the `q` of `list`, in the order of the list's
/// sort (`list_sort`): the one order the list page and `/api/experiments` cut their pages
/// from. The sort reads the stored data alone, so that only a page's rows are summarized.
pub(crate) fn listed_experiments<'a>(
    all: &'a [Arc<ExperimentData>],
    list: &ListQuery,
) -> Vec<&'a Arc<ExperimentData>> {
    let mut rows = matching_experiments(all, &list.q);
    list_sort::sort_rows(&mut rows, list.sort, list.descending);
    rows
}

/// Builds the experiments page: the page `list` asks for of the experiments whose name
/// contains its `q`, in its sort's order (the page's rows are summarized at time `now`).
pub(crate) fn experiments_page(
    all: &[Arc<ExperimentData>],
    now: Timestamp,
    list: &ListQuery,
) -> ExperimentsPage {
    let listed = listed_experiments(all, list);
    let matching = listed.len();
    let pages = leaderboard::pages_of(matching, list.per_page);
    let rows = page_of(listed, list.page, list.per_page)
        .into_iter()
        .map(|d| Summary::of(d, now))
        .collect::<Vec<_>>();
    let live = all
        .iter()
        .any(|d| d.info.status == ExperimentStatus::Running);
    // Ticks of experiments the store does not hold are dropped: there is nothing to compare;
    // so are those past the most a comparison takes, and the page says so (`Ticks::note`).
    // Every link and hidden input below keeps the ticks left.
    let held: std::collections::BTreeSet<&str> = all.iter().map(|d| d.info.name.as_str()).collect();
    let ticks = (list.picked.clone())
        .only(|name| held.contains(name.as_str()))
        .at_most_compared();
    let picks_note = ticks.note();
    let picked = ticks.ids().to_vec();
    let list = &ListQuery {
        picked: ticks,
        ..list.clone()
    };
    let picked_elsewhere = picked
        .iter()
        .filter(|name| !rows.iter().any(|r| &&r.name == name))
        .cloned()
        .collect();
    let showing = leaderboard::showing(list.page, list.per_page, rows.len(), matching);
    let page = list.page;
    let [first, prev, next, last] = leaderboard::page_links(page, pages, |p| list.href(p));
    let heads = list_sort::ListSort::ALL
        .into_iter()
        .map(|key| {
            let current = key == list.sort;
            let mut sorted = list.clone();
            sorted.sort = key;
            sorted.sort_asked = true;
            sorted.descending = if current {
                !list.descending
            } else {
                key.largest_first()
            };
            let (arrow, aria) = leaderboard::sort_arrow(current, list.descending);
            (key.name(), (sorted.href(1), arrow, aria))
        })
        .collect();
    ExperimentsPage {
        heads,
        rows,
        live,
        query: list.q.clone(),
        total: all.len(),
        matching,
        page,
        pages,
        showing,
        kept_inputs: list.kept_parts(),
        unfiltered: ListQuery {
            q: String::new(),
            ..list.clone()
        }
        .href(1),
        sort_error: String::new(),
        first,
        prev,
        next,
        last,
        picked,
        picks_note,
        picked_elsewhere,
    }
}

/// What the dashboard leaves out of an experiment whose stored spec does not read with this
/// version, since only the spec says it: the list the notice and the API's `spec_unreadable`
/// give.
pub(crate) const LEFT_OUT_WITHOUT_SPEC: [&str; 6] = [
    "constraints (trials are ranked as if there were none)",
    "objectives past the first (trials are ranked by the first alone)",
    "the sampler's and pruner's settings",
    "the target and the plateau",
    "the parameters' log scales and the order of their values (inferred from the trials)",
    "the most epochs the trials could train",
];

/// Returns the command that resumes the sweep of `data` when it stopped before its end
/// (`interrupted`), as `resume_command_for` writes it with the agent and the exchange folder
/// its run record names, and the spec file it was last run from, by an absolute path where
/// the store or the record keeps one (`experiment::Resume::spec_file`; the one the run was
/// given where a record has none): with `store_dir` absolute, it runs from any folder.
pub(crate) fn resume_command_of(data: &ExperimentData, store_dir: &str) -> String {
    let agent = data.agent.map(|a| (a, data.exchange.as_deref()));
    let spec = experiment::Resume::spec_file(&data.info.spec_path, data.spec_file.as_deref());
    resume_command_for(&data.info, spec, agent, store_dir)
}

/// Returns the command that resumes the sweep of `info` when it stopped before its end
/// (`interrupted`): its spec file `spec`, with the store in `store_dir`, as
/// the CLI says when it stops ("run the same command again to resume"); empty otherwise. The
/// store of an agent of a study (`agent`, from its run record) resumes only as that agent,
/// with the exchange folder the agents share, as it was given it where its record keeps it.
/// Where it does not (a record older than the field), the command says
/// `--exchange <EXCHANGE>` and, after a `#`, what to put there (as it stands, the shell
/// refuses to run it, rather than take a wrong folder). The text is `experiment::Resume`'s,
/// which `sweep show` writes too, its words quoted by `experiment::shell_quote`.
fn resume_command_for(
    info: &store::ExperimentInfo,
    spec: &str,
    agent: Option<(store::AgentOf, Option<&str>)>,
    store_dir: &str,
) -> String {
    if info.status != ExperimentStatus::Interrupted {
        return String::new();
    }
    let agent = agent.map(|(a, exchange)| experiment::ResumeAgent {
        agent: a.agent,
        agents: a.agents,
        exchange,
    });
    experiment::Resume {
        spec,
        store: store_dir,
        agent,
    }
    .command(experiment::shell_quote)
}

/// Returns the notice an experiment's pages show when its stored spec does not read with this
/// version (`problem`: the parser's error), as `sweep show` says it: what is left out, and why.
pub(crate) fn spec_notice(problem: &str) -> String {
    let left_out = format!(
        "what only the spec says is left out here: {}",
        LEFT_OUT_WITHOUT_SPEC.join("; ")
    );
    unreadable_notice("stored spec", &left_out, "spec's", problem)
}

/// Returns the notice an experiment's page shows when its record of kind `what` (the store's
/// name: `data::RUN_RECORD`, `data::TEST_RESULT`, `data::WARM_START`) does not read with this
/// version (`problem`: the store's error, which says which versions this one reads): what the
/// pages leave out without it, and why.
pub(crate) fn record_notice(what: &str, problem: &str) -> String {
    let left_out = match what {
        crate::data::RUN_RECORD => {
            "what only the record says is left out here: whether the sampler's and pruner's \
             settings changed since the run, and, in a trial's re-run command, the file's \
             absolute path and the trials side by side the run had"
        }
        crate::data::TEST_RESULT => {
            "it is left out here: the best trial's metrics on the test split are not shown"
        }
        crate::data::WARM_START => {
            "it is left out here: the trials its sampler took from another experiment or a \
             file of results are not shown"
        }
        _ => "it is left out here",
    };
    unreadable_notice(what, left_out, "record's", problem)
}

/// Returns the notice of an experiment's `what` (`stored spec`, a record's kind) that does not
/// read with this version: that it does not, that `left_out` (what the pages leave out without
/// it), and `whose` (`spec's`, `record's`) problem, `problem`.
fn unreadable_notice(what: &str, left_out: &str, whose: &str, problem: &str) -> String {
    format!(
        "This experiment's {what} does not read with this version of Sweep, so {left_out}. \
         The {whose} problem: {problem}"
    )
}

/// Returns the pairs of a query string, percent-decoded (`%32%30` is `20`, `+` a space), in
/// order; a malformed one is a bad request.
pub(crate) fn query_pairs(query: &str) -> crate::Result<Vec<(String, String)>> {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(query)
        .map(actix_web::web::Query::into_inner)
        .map_err(|e| crate::Error::BadRequest(format!("bad query: {e}")))
}

/// Returns the epoch a curve of `trial` marks: its best, whose weights its checkpoint keeps.
pub(crate) fn best_epoch(trial: &Trial) -> Option<f64> {
    trial.result.as_ref().map(|r| f64::from(r.best_step.0))
}

/// Returns what the tooltip of a curve of `trial` (its `points`) adds: for a pruned trial, that
/// it was pruned, at the curve's last epoch, and the pruner's reason (`pruned at epoch 2: asha:
/// 0.9053 not in the top 1 of 5 at rung 0 (epoch 2)`); nothing for any other.
pub(crate) fn curve_note(trial: &Trial, points: &[(f64, f64)]) -> String {
    if trial.state != TrialState::Pruned {
        return String::new();
    }
    let at = points
        .last()
        .map(|(epoch, _)| format!(" at epoch {}", crate::charts::tick(*epoch)))
        .unwrap_or_default();
    match trial.reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("pruned{at}: {reason}"),
        None => format!("pruned{at}"),
    }
}

/// Returns the best completed trial by the `objectives` that meets the `constraints` (ties to
/// the lower number): the same trial as `experiment::best_trial`, found in one pass for one
/// objective.
pub(crate) fn best_completed<'a>(
    trials: &'a [Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Option<&'a Trial> {
    let [MetricSpec { name: metric, goal }] = objectives else {
        return experiment::best_trial(trials, objectives, constraints);
    };
    let mut best: Option<(&Trial, f64)> = None;
    let eligible = trials
        .iter()
        .filter(|t| t.state == TrialState::Completed && experiment::feasible(constraints, t));
    for t in eligible {
        let Some(v) = t.value(metric).filter(|v| !v.is_nan()) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((b, bv)) => match *goal {
                Direction::Maximize => v.total_cmp(&bv).then(b.id.cmp(&t.id)).is_gt(),
                Direction::Minimize => v.total_cmp(&bv).then(t.id.cmp(&b.id)).is_lt(),
            },
        };
        if better {
            best = Some((t, v));
        }
    }
    best.map(|(t, _)| t)
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
