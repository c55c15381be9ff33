//! Sweep's browser dashboard: server-rendered pages and a JSON API over a store, read-only.
//!
//! Design choices, in the order a request meets them:
//! - `app` builds the whole `actix_web::App`, so tests drive it with `actix_web::test` and no
//!   port; `serve::spawn` runs it on a listener in a thread of its own, which is how `sweep run`
//!   serves the dashboard of the sweep it is running (the store has one owner process).
//! - `auth` checks the access token on every request when one is set; binding anywhere but
//!   loopback without a token is refused.
//! - Handlers (`pages`, `api`) are thin: they read the store through `data`, call a pure view
//!   model in `view`, and render an askama template from `web/templates` (escaped by default)
//!   or serialize a data-transfer type. Store reads run on actix's blocking pool.
//! - Charts (`charts`) are pure functions to SVG strings, drawn with plotters; curves are
//!   downsampled on the server (`downsample`), and parameter importance is PED-ANOVA
//!   (`importance`).
//! - Live pages poll their own URL for the `<main>` fragment (`X-Sweep-Fragment: 1`); no
//!   JavaScript build step, just `web/static`, embedded in the binary (`assets`).
//!
//! **Invariant:** the dashboard never writes to the store: `data` is the only module that calls
//! `Store`, and only its read methods. It reads no wall clock for the times it shows either: the
//! time now (the durations of what runs) comes from the `Clock` it is handed, as the runner's
//! does (it reads `Instant::now` only for how old a snapshot is and when a page last polled).

mod api;
mod assets;
mod auth;
mod charts;
mod data;
mod downsample;
mod error;
mod importance;
mod notices;
mod pages;
mod serve;
mod trial_number;
mod view;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{middleware, web, App};
use experiment::Timestamp;
use store::Store;

pub use auth::Access;
pub use data::Freshness;
pub use error::{Error, Near, Result};
pub use notices::Notices;
pub use serve::{spawn, ServeOptions, Server};

/// The fraction of trials parameter importance takes as the top ones (PED-ANOVA's gamma).
pub const IMPORTANCE_TOP_FRACTION: f64 = importance::GAMMA;
/// The fewest trials parameter importance takes as the top ones, whatever the fraction.
pub const IMPORTANCE_MIN_TOP: usize = importance::MIN_TOP;

/// Returns each parameter's share of importance for `objective` among the `trials` of an
/// experiment with `spec` (its stored spec, when that parses), as the dashboard computes it
/// (PED-ANOVA), in the parameters' order; `None` before 10 completed or pruned trials have a
/// value.
pub fn param_importance(
    spec: Option<&experiment::ExperimentSpec>,
    trials: &[experiment::Trial],
    objective: &experiment::MetricSpec,
) -> Option<Vec<(String, f64)>> {
    param_importance_top(spec, trials, objective).map(|(shares, _)| shares)
}

/// Returns what `param_importance` returns, with the top set it compared with all the trials
/// with a value (what the API says with the shares).
pub(crate) fn param_importance_top(
    spec: Option<&experiment::ExperimentSpec>,
    trials: &[experiment::Trial],
    objective: &experiment::MetricSpec,
) -> Option<(Vec<(String, f64)>, importance::TopSet)> {
    let axes = view::space::param_axes(spec, trials);
    view::experiment_page::importance_of(&axes, trials, &objective.name, objective.goal)
}

/// The time now, as the dashboard reads it for the durations of what runs: handed in by the
/// CLI, which holds Sweep's one system clock (the `experiment::Clock` it hands the runner too);
/// a test hands in a fixed one.
pub use experiment::Clock;

/// Shared by every handler: the store reader, the access rule and the clock.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    reader: data::Reader,
    access: Access,
    /// Where the time now comes from.
    clock: std::sync::Arc<dyn Clock>,
    /// When a live page last asked for its update (`X-Sweep-Fragment`), if one did.
    last_poll: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// A dashboard over one store: what `app` serves, with snapshots shared by every worker.
#[derive(Debug, Clone)]
pub struct Dashboard {
    state: web::Data<AppState>,
}

impl Dashboard {
    /// Returns a dashboard of `store`, guarded by `access`, as fresh as `freshness` asks, that
    /// reads the time now from `clock`.
    pub fn new(
        store: Store,
        access: Access,
        freshness: Freshness,
        clock: std::sync::Arc<dyn Clock>,
    ) -> Dashboard {
        let reader = data::Reader::new(store, freshness);
        Dashboard {
            state: web::Data::new(AppState {
                reader,
                access,
                clock,
                last_poll: std::sync::Arc::default(),
            }),
        }
    }

    /// Returns the dashboard naming the store's folder `dir` in the commands it shows (the
    /// command that resumes an interrupted sweep): the caller gives it absolute, so that they
    /// run from any folder (the dashboard reads no current directory).
    #[must_use]
    pub fn with_store_dir(self, dir: &std::path::Path) -> Dashboard {
        let mut state = AppState::clone(&self.state);
        state.reader = state.reader.with_store_dir(dir.display().to_string());
        Dashboard {
            state: web::Data::new(state),
        }
    }

    /// Returns whether a live page asked for its update within `within`: a tab watching the
    /// sweep, which one more update would show finished.
    #[must_use]
    pub fn polled_within(&self, within: std::time::Duration) -> bool {
        self.state
            .last_poll
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() <= within)
    }

    /// Reads and decodes every experiment now, so that the first page view is fast.
    pub fn warm(&self) -> Result<()> {
        self.state.reader.warm()
    }

    /// Returns who may read it.
    pub fn access(&self) -> &Access {
        &self.state.access
    }

    /// Returns the dashboard as an actix `App`.
    ///
    /// Every route is a GET; unknown paths, and paths whose id does not parse, get the 404 page.
    pub fn app(
        &self,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        build(self.state.clone())
    }
}

/// Returns the dashboard of `store` as an actix `App`, guarded by `access`, reading the store on
/// every request (see `Dashboard` to share snapshots) and the time now from `clock`.
pub fn app(
    store: Store,
    access: Access,
    clock: std::sync::Arc<dyn Clock>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    Dashboard::new(store, access, Freshness::EveryRequest, clock).app()
}

impl AppState {
    /// Returns the time now, from the clock the dashboard was handed.
    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

fn build(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::PathConfig::default().error_handler(|_, req| {
            // The only path parameters that parse are trial numbers.
            let error = Error::NotFound(format!(
                "no such page: {} (a trial is named by its number, such as /trials/3)",
                req.path()
            ));
            if req.path().starts_with("/api/") {
                error.into_api().into()
            } else {
                error.into()
            }
        }))
        .app_data(web::QueryConfig::default().error_handler(|e, req| {
            let said = numbers_in_query(req.query_string()).unwrap_or_else(|| query_problem(&e));
            let error = Error::BadRequest(format!("bad query: {said}"));
            if req.path().starts_with("/api/") {
                error.into_api().into()
            } else {
                error.into()
            }
        }))
        .wrap(middleware::from_fn(auth::check))
        // Pages, live fragments and JSON go gzipped to a client that takes it: a page of a
        // large experiment (its charts' points and marks) is a tenth of its size.
        .wrap(middleware::Compress::default())
        .wrap(security_headers())
        .configure(pages::routes)
        .configure(api::routes)
        .configure(assets::routes)
        .default_service(web::to(pages::not_found))
}

/// The content security policy of every answer: scripts and stylesheets from the dashboard
/// itself only (no inline script: the pages have none), inline styles (the swatches' colours,
/// the charts' SVG), no plugins, frames or other sites' forms.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' \
     'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// Returns the headers every answer carries: the content security policy; no sniffing of a
/// type other than the one sent; no framing by another page (clickjacking); and no referrer
/// sent to other sites, which would carry a `?token=` in the address.
fn security_headers() -> middleware::DefaultHeaders {
    middleware::DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
}

/// Returns a route for a page, a file or an API call: GET, and HEAD, which answers as GET does
/// without the body (actix leaves it out for a HEAD request).
pub(crate) fn read() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// The query parameters that take a whole number: the leaderboard's `page` and `per_page`, a
/// curve's `max_points`, and the history's `after` and `limit`.
const WHOLE_NUMBERS: [&str; 5] = ["page", "per_page", "max_points", "after", "limit"];

/// Returns what is wrong with a query whose whole-number parameter is not one, naming it (the
/// query parser's own error says only "invalid digit found in string").
fn numbers_in_query(query: &str) -> Option<String> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query).ok()?;
    pairs.into_inner().into_iter().find_map(|(key, value)| {
        (WHOLE_NUMBERS.contains(&key.as_str()) && value.parse::<u32>().is_err())
            .then(|| format!("`{key}` takes a whole number such as 2, found `{value}`"))
    })
}

/// Returns what the query parser found wrong, in the dashboard's words rather than its
/// deserializer's: "`page` is given twice", not "Query deserialize error: duplicate field".
fn query_problem(e: &actix_web::error::QueryPayloadError) -> String {
    let text = e.to_string();
    let text = text
        .strip_prefix("Query deserialize error: ")
        .unwrap_or(&text);
    match text
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        Some(field) => format!("`{field}` is given twice"),
        None => text.to_string(),
    }
}

#[allow(dead_code)]
mod compile_time_assertions {
    fn assert_send_sync<T: Send + Sync>() {}

    fn shared_types_are_send_sync() {
        assert_send_sync::<crate::Access>();
        assert_send_sync::<crate::Server>();
        assert_send_sync::<crate::Dashboard>();
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_a11y;
#[cfg(test)]
mod tests_counts;
#[cfg(test)]
mod tests_gone;
#[cfg(test)]
mod tests_picks;
#[cfg(test)]
mod tests_running_values;
#[cfg(test)]
mod tests_text;
#[cfg(test)]
mod tests_trace;
#[cfg(test)]
mod tests_watch;
