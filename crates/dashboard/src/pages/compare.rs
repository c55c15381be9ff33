//! The compare pages: the comparison of experiments (`/compare?e=...`) and of one
//! experiment's trials (`/experiments/NAME/compare?t=...`). A tick of what the store does not
//! hold (removed since, or mistyped) leaves the others compared, with a note naming it and
//! what its not found says is near (`held`).

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use experiment::Timestamp;
use store::ExperimentStatus;

use super::{blocking, either, respond, with_several_objectives, Part, Rendered};
use crate::data::{self, Reader};
use crate::error::Near;
use crate::view;
use crate::view::compare::{self, ComparePage};
use crate::view::experiments_compare::{self, ExperimentsComparePage};
use crate::view::ticks::Missing;
use crate::{AppState, Error, Result};

#[derive(Template)]
#[template(path = "compare.html")]
struct CompareHtml<'a> {
    page: &'a ComparePage,
    live: bool,
}

#[derive(Template)]
#[template(path = "partials/compare_main.html")]
struct CompareFragment<'a> {
    page: &'a ComparePage,
}

#[derive(Template)]
#[template(path = "compare_experiments.html")]
struct ExperimentsCompareHtml<'a> {
    page: &'a ExperimentsComparePage,
    live: bool,
}

#[derive(Template)]
#[template(path = "partials/compare_experiments_main.html")]
struct ExperimentsCompareFragment<'a> {
    page: &'a ExperimentsComparePage,
}

pub(super) async fn experiments_compare(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let names = experiments_compare::parse_names(req.query_string()).map_err(|e| {
        let (links, crumbs) = experiments_compare::way_back(req.query_string());
        e.with_way_back(links, crumbs)
    })?;
    let part = Part::asked(&req);
    let reader = state.reader.clone();
    let now = state.now();
    respond(blocking(move || render_experiments_compare(&reader, &names, now, part)).await?)
}

pub(super) async fn compare_page(
    state: web::Data<AppState>,
    name: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let name = name.into_inner();
    let ids = compare::parse_ids(req.query_string()).map_err(|e| {
        let (links, crumbs) = compare::way_back(&name, req.query_string());
        e.with_way_back(links, crumbs)
    })?;
    let part = Part::asked(&req);
    let reader = state.reader.clone();
    respond(blocking(move || render_compare(&reader, &name, &ids, part)).await?)
}

/// Renders the page comparing experiments (or its fragment): live while any of them runs.
fn render_experiments_compare(
    reader: &Reader,
    names: &[String],
    now: Timestamp,
    part: Part,
) -> Result<Rendered> {
    // Those the store does not hold (removed since the address was ticked, or mistyped in one
    // written by hand: the store's near match is kept) are left out, and named above the
    // others.
    let (mut experiments, mut missing) = (Vec::new(), Vec::new());
    for name in names {
        match held(reader.experiment(name))? {
            Ok(data) => experiments.push(data),
            Err(near) => missing.push(Missing {
                tick: name.clone(),
                near: match near {
                    Near::Experiment(near) => near,
                    Near::Trials(_) | Near::Nothing => None,
                },
            }),
        }
    }
    let kept: Vec<String> = experiments.iter().map(|d| d.info.name.clone()).collect();
    let gone = experiments_compare::remaining(&kept, &missing)?;
    let efforts = experiments
        .iter()
        .map(|d| reader.effort(d))
        .collect::<Result<Vec<_>>>()?;
    let mut page = experiments_compare::experiments_compare_page(&experiments, &efforts, now)?;
    page.gone = gone;
    let live = experiments
        .iter()
        .any(|d| d.info.status == ExperimentStatus::Running);
    let whole = ExperimentsCompareHtml { page: &page, live };
    either(
        part,
        &ExperimentsCompareFragment { page: &page },
        &whole,
        live,
    )
}

/// Renders the page comparing trials (or its fragment): live while the experiment runs and a
/// compared trial has not ended, or, with several objectives, while the front can change.
fn render_compare(reader: &Reader, name: &str, ids: &[u32], part: Part) -> Result<Rendered> {
    let info = reader.info(name)?;
    // Those it does not hold (removed and run again with fewer trials since the address was
    // ticked, not reached yet by a run going on, or mistyped) are left out, and named above
    // the others with the trials it holds, as its latest not found says them.
    let (mut trials, mut gone, mut near) = (Vec::new(), Vec::new(), Near::Nothing);
    for &id in ids {
        // A trial's not found says the trials held, no near match (`Reader::trial`).
        match held(reader.trial(name, id))? {
            Ok(t) => {
                let metrics: BTreeMap<String, data::Series> = reader.all_metrics(name, t.id)?;
                trials.push((t, metrics));
            }
            Err(said) => {
                gone.push(id);
                near = said;
            }
        }
    }
    let kept: Vec<u32> = trials.iter().map(|(t, _)| t.id.0).collect();
    let gone = compare::remaining(name, &kept, &gone, &near)?;
    let read = data::read_spec(&info);
    let spec = read.as_ref().ok();
    let all = with_several_objectives(reader, name, spec)?;
    let front = all
        .as_ref()
        .and_then(|all| Some(all.spec.as_ref()?.pareto_front(&all.trials)))
        .unwrap_or_default();
    let mut page = compare::compare_page((&info, spec), &front, &trials);
    page.spec_notice = read
        .as_ref()
        .err()
        .map(|problem| view::spec_notice(problem))
        .unwrap_or_default();
    page.gone = gone;
    let live = info.status == ExperimentStatus::Running
        && (all.is_some() || trials.iter().any(|(t, _)| !t.state.is_finished()));
    let whole = CompareHtml { page: &page, live };
    either(part, &CompareFragment { page: &page }, &whole, live)
}

/// Returns what `read` read, or, as an `Err`, where the store does not hold it (a not found:
/// an experiment or trial a compare ticked, gone since or mistyped), what is near as its not
/// found set it (`Near`: the near name, the trials held; `Near::Nothing` for a not found that
/// says none); any other error as it is.
fn held<T>(read: Result<T>) -> Result<std::result::Result<T, Near>> {
    match read {
        Ok(found) => Ok(Ok(found)),
        Err(Error::NotFound(_)) => Ok(Err(Near::Nothing)),
        Err(Error::NotFoundNear { near, .. }) => Ok(Err(near)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A not found whose message says what is near in words other than `data`'s.
    fn not_found(message: &str, near: Near) -> Error {
        Error::NotFoundNear {
            message: message.to_string(),
            near,
            links: Vec::new(),
            crumbs: Vec::new(),
        }
    }

    #[test]
    fn what_is_near_is_read_from_the_not_found_s_facts_whatever_its_words() {
        let near = Near::Experiment(Some("t".to_string()));
        let read = held::<()>(Err(not_found("t4 is not here (perhaps t)", near.clone())));
        assert_eq!(read.ok(), Some(Err(near)));
        // Words that look like a near match, where the facts hold none: none.
        let read = held::<()>(Err(not_found(
            "no experiment named \"t4\"; did you mean t?",
            Near::Experiment(None),
        )));
        assert_eq!(read.ok(), Some(Err(Near::Experiment(None))));
        let trials = Near::Trials(Some((0, 9)));
        let read = held::<()>(Err(not_found("no such trial", trials.clone())));
        assert_eq!(read.ok(), Some(Err(trials)));
        let read = held::<()>(Err(Error::NotFound("gone".to_string())));
        assert_eq!(read.ok(), Some(Err(Near::Nothing)));
        // Any other error is the error.
        assert!(held::<()>(Err(Error::BadRequest("x".to_string()))).is_err());
        assert_eq!(held(Ok(7)).ok(), Some(Ok(7)));
    }
}
