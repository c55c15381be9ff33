//! The HTML pages: thin handlers that read, build a view model, and render a template; the
//! compare pages are in `compare`, the CSV downloads in `csv`.
//!
//! A request with the header `X-Sweep-Fragment: 1` (sent by the live-update script) gets only
//! the page's `<main>` content, and `X-Sweep-Live: 0|1` says whether to keep polling.

use std::sync::{Arc, OnceLock};

use actix_web::http::header::{ContentType, CACHE_CONTROL, LOCATION};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use experiment::{ExperimentSpec, MetricSpec, Timestamp};

use crate::data::{self, Reader};
use crate::trial_number::TrialNumber;
use crate::view::experiment_page::{self, Analysis, ExperimentPage};
use crate::view::leaderboard::{self, LeaderboardQuery, Selection, PER_PAGE};
use crate::view::ticks::Ticks;
use crate::view::trial::{self, TrialPage};
use crate::view::{self, ExperimentsPage};
use crate::{AppState, Error, Result};

mod compare;
mod csv;

#[derive(Template)]
#[template(path = "experiments.html")]
struct ExperimentsHtml<'a> {
    page: &'a ExperimentsPage,
    live: bool,
}

#[derive(Template)]
#[template(path = "partials/experiments_main.html")]
struct ExperimentsFragment<'a> {
    page: &'a ExperimentsPage,
}

#[derive(Template)]
#[template(path = "experiment.html")]
struct ExperimentHtml<'a> {
    page: &'a ExperimentPage<'a>,
    live: bool,
}

#[derive(Template)]
#[template(path = "partials/experiment_main.html")]
struct ExperimentFragment<'a> {
    page: &'a ExperimentPage<'a>,
}

#[derive(Template)]
#[template(path = "trial.html")]
struct TrialHtml<'a> {
    page: &'a TrialPage,
    live: bool,
}

#[derive(Template)]
#[template(path = "partials/trial_main.html")]
struct TrialFragment<'a> {
    page: &'a TrialPage,
}

/// What a page handler produces: the HTML and whether the page is live.
struct Rendered {
    html: Bytes,
    live: bool,
}

/// What a paged page answers: itself, or, asked for a page past its last, a redirect to its
/// last page (the rows the address asked for are gone: a filter narrowed, trials or
/// experiments left; the nearest page is shown rather than an empty one or an error).
enum Paged {
    /// The page, rendered.
    Page(Rendered),
    /// The address of the last page, for a `303 See Other`.
    Moved(String),
}

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", crate::read().to(experiments))
        .route("/compare", crate::read().to(compare::experiments_compare))
        .route("/experiments/{name}", crate::read().to(experiment_page))
        .route(
            "/experiments/{name}/compare",
            crate::read().to(compare::compare_page),
        )
        .route(
            "/experiments/{name}/trials.csv",
            crate::read().to(csv::trials_csv),
        )
        .route(
            "/experiments/{name}/trials/{id}/metrics.csv",
            crate::read().to(csv::metrics_csv),
        )
        .route(
            "/experiments/{name}/trials/{id}",
            crate::read().to(trial_page),
        );
}

/// The 404 page for every path no route matches, and 405 for a method other than GET or HEAD
/// (every route only reads).
pub(crate) async fn not_found(req: HttpRequest) -> Result<HttpResponse> {
    let method = req.method();
    let error = if method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD
    {
        Error::NotFound(format!("no page at {}", req.path()))
    } else {
        Error::MethodNotAllowed(method.to_string())
    };
    // `/api` itself is the API's too: a client that drops the rest of a path gets JSON.
    let api = req.path() == "/api" || req.path().starts_with("/api/");
    Err(if api { error.into_api() } else { error })
}

async fn experiments(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let part = Part::asked(&req);
    let reader = state.reader.clone();
    // `?q=`: the text the names shown contain (the last one given counts); `?sort=&dir=`
    // (one that does not read is shown above the table); `?page=`.
    let (list, sort_error) = view::ListQuery::parse_for_page(req.query_string(), PER_PAGE)?;
    let now = state.now();
    respond_paged(
        blocking(move || render_experiments(&reader, now, &list, sort_error, part)).await?,
    )
}

/// Returns what an experiment page is kept under: the query as read, not as sent, so that
/// parameters the page does not take, or given in another order, make no other page to keep.
pub(crate) fn page_key(part: Part, query: &LeaderboardQuery) -> String {
    format!("{}?{query:?}", u8::from(part == Part::Fragment))
}

async fn experiment_page(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<LeaderboardQuery>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let part = Part::asked(&req);
    // `?t=`: the trials ticked for comparing, kept by the leaderboard's links; a page with
    // ticks is kept apart from one without (`render_experiment` keys it on those it holds).
    let picked = leaderboard::picked_trials(req.query_string())?;
    let request = page_key(part, &query);
    let reader = state.reader.clone();
    let name = name.into_inner();
    let query = (query.into_inner(), picked);
    let now = state.now();
    respond_paged(
        blocking(move || render_experiment(&reader, &name, &query, &request, now, part)).await?,
    )
}

/// Reads experiment `name` and the leaderboard selection `query` asks for (`per_page` rows by
/// default), refusing a filter that cannot be read or names what the experiment lacks: for
/// the answers that list trials rather than show a page (the API's, the CSV download). By
/// duration, a trial a kill left running sorts by its time to its last report, and by a metric,
/// a running trial by its latest epoch's value, and is filtered by it, as on the page.
pub(crate) fn selected(
    reader: &Reader,
    name: &str,
    query: &LeaderboardQuery,
    per_page: u32,
) -> Result<(Arc<data::ExperimentData>, Selection)> {
    let data = reader.experiment(name)?;
    let sel = Selection::parse(query, per_page)?
        .for_experiment(data.info.status)
        .with_last_heard(leaderboard::last_heard_ms(&data));
    if let Some(e) = sel.filter_problem(&data.trials, data.spec.as_ref()) {
        return Err(Error::BadRequest(format!("filter: {e}")));
    }
    if let Some(problem) = sel.sort_problem(&data.trials, data.spec.as_ref()) {
        return Err(Error::BadRequest(problem));
    }
    let sel = sel.with_latest(reader.running_latest(&data)?);
    Ok((data, sel))
}

async fn trial_page(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber)>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let part = Part::asked(&req);
    let reader = state.reader.clone();
    let (name, TrialNumber(id)) = path.into_inner();
    let now = state.now();
    respond(blocking(move || render_trial(&reader, &name, id, now, part)).await?)
}

/// Renders the experiments page (or its fragment), with `sort_error` (what was wrong with the
/// sort asked for, if anything) above the table, or the last page's address when `list` asks
/// for one past it.
fn render_experiments(
    reader: &Reader,
    now: Timestamp,
    list: &view::ListQuery,
    sort_error: String,
    part: Part,
) -> Result<Paged> {
    let all = reader.experiments()?;
    let mut page = view::experiments_page(&all, now, list);
    page.sort_error = sort_error;
    if page.page > page.pages {
        return Ok(Paged::Moved(list.href(page.pages)));
    }
    let whole = ExperimentsHtml {
        page: &page,
        live: page.live,
    };
    either(
        part,
        &ExperimentsFragment { page: &page },
        &whole,
        page.live,
    )
    .map(Paged::Page)
}

/// Renders an experiment's page (or its fragment). A page depends only on the snapshot and the
/// request (`request`: the query as read and the part asked, `page_key`, with the ticks it
/// holds and the note it says of them added here, `Ticks::page_key`), and for a running experiment
/// the clock, which may stand still for the snapshot's life: the snapshot keeps it and serves
/// it again without rendering (`ExperimentData::keep_page`), unless the sweep has notices. A
/// leaderboard page past the last answers the last page's address instead. `query` is the
/// leaderboard's query with the trials it ticks for comparing (`leaderboard::picked_trials`,
/// with how many values past those read were sent, which the page's note counts).
fn render_experiment(
    reader: &Reader,
    name: &str,
    (query, picked): &(LeaderboardQuery, Ticks<u32>),
    request: &str,
    now: Timestamp,
    part: Part,
) -> Result<Paged> {
    let data = reader.experiment(name)?;
    let (sel, sort_error) = page_selection(query, &data)?;
    // The ticks of trials it holds, at most `compare::MAX_TRIALS`: the page, its links and the
    // key it is kept under take the same list, so unknown ids make no page of their own.
    let sel = sel.with_picked(picked.clone(), &data.trials);
    let request = format!("{request}{}", sel.picked.page_key());
    let request = request.as_str();
    let notices = reader.notices(name);
    // A kept page is live as its experiment is: it was kept without notices.
    if let Some(html) = data.page(request).filter(|_| notices.is_empty()) {
        let live = data.info.status == store::ExperimentStatus::Running;
        return Ok(Paged::Page(Rendered { html, live }));
    }
    // A running trial, without a result yet, shows its latest epoch's metrics, at the epochs
    // the snapshot says it trained, and sorts and is filtered by them, as in the API.
    let sel = sel.with_latest(reader.running_latest(&data)?);
    let objectives = data.objectives();
    let index = leaderboard::objective_index(sel.objective.as_deref(), &objectives)?;
    let (Some(slot), Some(objective)) = (data.analyses.get(index), objectives.get(index)) else {
        return Err(Error::BadRequest("the experiment has no objective".into()));
    };
    let analysis = match slot.get() {
        Some(analysis) => Arc::clone(analysis),
        None => analysed(reader, &data, slot, objective, now)?,
    };
    let picked = experiment_page::Picked {
        pairs: sel
            .pairs
            .as_ref()
            .map(|names| experiment_page::picked_pairs(&data, objective, names)),
        front: match &sel.front {
            Some(names) => Some(experiment_page::picked_front(&data, names)?),
            None => None,
        },
    };
    let ranked = experiment_page::ranked_from(&data.trials, &analysis.order);
    let mut page = experiment_page::experiment_page(&data, &ranked, (&analysis, picked), &sel, now);
    if page.board.page > page.board.pages {
        let pages = page.board.pages;
        let last = sel.query(|s| s.page = pages);
        let href = view::format::experiment_href(name);
        return Ok(Paged::Moved(format!("{href}{last}#leaderboard")));
    }
    // Said while the sweep runs, or waits (for the test split, after its trials): refreshed.
    page.live |= !notices.is_empty();
    page.notices = notices;
    let effort = reader.effort(&data)?;
    page.epochs = effort.trained_text().unwrap_or_default();
    page.pruned_at = effort.pruned_text().unwrap_or_default();
    leaderboard::show_trained(&mut page.board, effort);
    leaderboard::show_latest(&mut page.board, &sel.latest, &data.info.objective);
    page.board.sort_error = sort_error;
    page.resume = view::resume_command_of(&data, &reader.store_dir());
    let whole = ExperimentHtml {
        page: &page,
        live: page.live,
    };
    let rendered = either(part, &ExperimentFragment { page: &page }, &whole, page.live)?;
    // A page with the sweep's notices is not kept: they change apart from the snapshot.
    if page.notices.is_empty() {
        data.keep_page(request, rendered.html.clone());
    }
    Ok(Paged::Page(rendered))
}

/// Reads the leaderboard selection of `data`'s page from `query`. A sort that does not read,
/// or names what the experiment lacks, falls back to the rank, and what is wrong with it comes
/// back to be shown above the table, as a filter's problem is: the page stays (the API answers
/// 400 instead, `selected`). By duration, a trial a kill left running sorts by its time to its
/// last report, which its row shows (`leaderboard::last_heard_ms`).
fn page_selection(
    query: &LeaderboardQuery,
    data: &data::ExperimentData,
) -> Result<(Selection, String)> {
    let parse = |q: &LeaderboardQuery| {
        Selection::parse(q, PER_PAGE).map(|sel| {
            sel.for_experiment(data.info.status)
                .with_last_heard(leaderboard::last_heard_ms(data))
        })
    };
    let unsorted = || LeaderboardQuery {
        sort: None,
        dir: None,
        ..query.clone()
    };
    // The sort (or its direction) is what did not read when the rest reads without it.
    let (sel, problem) = leaderboard::sort_or_default(
        query.sort.is_some() || query.dir.is_some(),
        || parse(query),
        || parse(&unsorted()),
    )?;
    if !problem.is_empty() {
        return Ok((sel, problem));
    }
    // It reads, but names what the experiment lacks.
    match sel.sort_problem(&data.trials, data.spec.as_ref()) {
        None => Ok((sel, String::new())),
        Some(problem) => Ok((parse(&unsorted())?, problem.replace('`', ""))),
    }
}

/// Computes the analysis of `data` for `objective` into `slot` (its slot in `data.analyses`)
/// and returns it. One request computes it: others for the same snapshot wait for it, rather
/// than each read the store and draw every chart again at once.
fn analysed(
    reader: &Reader,
    data: &data::ExperimentData,
    slot: &OnceLock<Arc<Analysis>>,
    objective: &MetricSpec,
    now: Timestamp,
) -> Result<Arc<Analysis>> {
    let _only_one = data.computing();
    if let Some(analysis) = slot.get() {
        return Ok(Arc::clone(analysis));
    }
    let started = std::time::Instant::now();
    let objectives = data.objectives();
    let ranked = leaderboard::ranked(&data.trials, &objectives, data.constraints());
    // With one objective the charts rank as the leaderboard does.
    let charted = if objectives.len() > 1 {
        experiment_page::charted(data, objective)
    } else {
        ranked.clone()
    };
    let ids = experiment_page::curve_ids(data, &charted);
    let curves = reader.metric_of(&data.info.name, &ids, &objective.name)?;
    let analysis = Arc::new(experiment_page::analysis_for(
        data,
        (&ranked, &charted),
        &curves,
        now,
        objective,
    ));
    data.spent(started.elapsed());
    let _ = slot.set(Arc::clone(&analysis));
    Ok(analysis)
}

/// Returns the experiment's snapshot when `spec` has several objectives, for where trials
/// stand against the Pareto front (which needs every trial); `None` with one.
fn with_several_objectives(
    reader: &Reader,
    name: &str,
    spec: Option<&ExperimentSpec>,
) -> Result<Option<Arc<data::ExperimentData>>> {
    match spec.filter(|s| s.is_multi_objective()) {
        Some(_) => Ok(Some(reader.experiment(name)?)),
        None => Ok(None),
    }
}

fn render_trial(
    reader: &Reader,
    name: &str,
    id: u32,
    now: Timestamp,
    part: Part,
) -> Result<Rendered> {
    let info = reader.info(name)?;
    let (spec, spec_problem) = match data::read_spec(&info) {
        Ok(spec) => (Some(spec), None),
        Err(problem) => (None, Some(problem)),
    };
    let (t, trace) = reader.trial_traced(name, id)?;
    let metrics = reader.all_metrics(name, t.id)?;
    let all = with_several_objectives(reader, name, spec.as_ref())?;
    let front = all.as_ref().and_then(|all| {
        let spec = all.spec.as_ref()?;
        trial::Standing::of(spec, &spec.pareto_front(&all.trials), &t)
    });
    // Read once: where the trial's checkpoint is, and the page's test split, both follow it.
    let tested = reader.test_result(name)?;
    let mut page = trial::trial_page(
        (&info, spec.as_ref()),
        &t,
        front,
        &metrics,
        now,
        &reader.store_dir(),
        reader.checkpoint_at(name, id, tested.as_ref())?,
    );
    // Its run to its last report when a kill left it running, and the attempts cut off.
    trial::show_trace(&mut page, &info, &t, &trace);
    page.spec_notice = spec_problem
        .as_deref()
        .map(view::spec_notice)
        .unwrap_or_default();
    // The file the experiment was last run from (the record's, absolute, unless a resume read
    // it from another folder since), so that the command runs from anywhere, with the trials
    // side by side the run had where the file does not say them; the stored spec's copy is
    // saved beside it, where its relative data paths are read.
    if let Some(record) = reader.run_record(name)?.filter(|r| !r.spec_file.is_empty()) {
        let parallel = trial::rerun_parallel(spec.as_ref(), record.parallel);
        let file = experiment::Resume::spec_file(&info.spec_path, Some(&record.spec_file));
        page.command = trial::rerun_command(file, id, parallel);
        page.stored_command =
            trial::stored_rerun_commands(name, &reader.store_dir(), file, id, parallel);
    }
    // The next trial's link where it exists: an interrupted experiment stops short of its cap.
    if page.next.is_some() && !reader.has_trial(name, id.saturating_add(1))? {
        page.next = None;
    }
    if let Some(test) = tested.filter(|r| r.trial == t.id) {
        page.facts.push(trial::Field {
            name: "test split".into(),
            value: experiment_page::TestSplit::of(name, &test).metrics,
            full: String::new(),
            note: String::new(),
            idle: false,
            link: Default::default(),
        });
    }
    let whole = TrialHtml {
        page: &page,
        live: page.live,
    };
    either(part, &TrialFragment { page: &page }, &whole, page.live)
}

/// Renders the page's `<main>` fragment or the whole page, as the request asked (`part`).
fn either(
    part: Part,
    fragment: &impl Template,
    whole: &impl Template,
    live: bool,
) -> Result<Rendered> {
    let html = match part {
        Part::Fragment => fragment.render(),
        Part::Whole => whole.render(),
    }
    .map_err(|e| Error::Template(e.to_string()))?;
    Ok(Rendered {
        html: html.into(),
        live,
    })
}

fn respond(rendered: Rendered) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(("X-Sweep-Live", if rendered.live { "1" } else { "0" }))
        .body(rendered.html))
}

/// Answers a paged page, or sends a request past its last page to the last (`303 See Other`,
/// not kept: the last page moves as rows come and go). A live page's update follows it too.
fn respond_paged(paged: Paged) -> Result<HttpResponse> {
    match paged {
        Paged::Page(rendered) => respond(rendered),
        Paged::Moved(href) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, href))
            .insert_header((CACHE_CONTROL, "no-store"))
            .finish()),
    }
}

/// Which part of a page a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The whole page.
    Whole,
    /// Only its `<main>` content: a live page's update (`X-Sweep-Fragment: 1`).
    Fragment,
}

impl Part {
    /// Returns the part `req` asks for; a live page's update is noted, so that a sweep that
    /// ends lets it see the end.
    fn asked(req: &HttpRequest) -> Part {
        let fragment = req
            .headers()
            .get("X-Sweep-Fragment")
            .is_some_and(|v| v == "1");
        if let Some(state) = req.app_data::<web::Data<AppState>>().filter(|_| fragment) {
            *state
                .last_poll
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(std::time::Instant::now());
        }
        if fragment {
            Part::Fragment
        } else {
            Part::Whole
        }
    }
}

/// Runs store reads and rendering on the blocking pool, off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    web::block(f)
        .await
        .map_err(|e| Error::Blocking(e.to_string()))?
}
