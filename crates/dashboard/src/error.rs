//! The dashboard's errors, and the one place where they become HTTP responses.
//!
//! A 4xx shows its message (HTML for pages, JSON under `/api/`) and is not logged: it is the
//! client's mistake. A 5xx shows only "internal error" and is logged with `tracing::error!`,
//! because its message may name paths or internals.

use std::net::SocketAddr;

use actix_web::http::header::{ContentType, CACHE_CONTROL};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

/// Errors of the `dashboard` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The page, experiment or trial does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The experiment or trial does not exist, with where to go instead: the error page shows
    /// the links and keeps the breadcrumbs; the API says the message alone.
    #[error("{message}")]
    NotFoundNear {
        /// What is missing, and what is near (`did you mean cond-tpe?`, `its trials are 0 to 9`).
        message: String,
        /// What is near, as facts (the near name, the trials held) for a page that says it in
        /// its own words: the compare pages' note of the ticks the store lacks.
        near: Near,
        /// Where to go instead: (words, address) each.
        links: Vec<(String, String)>,
        /// The breadcrumbs after `Experiments`: (words, address) each; the last, the missing
        /// page itself, has an empty address.
        crumbs: Vec<(String, String)>,
    },
    /// The request's parameters are malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The request's parameters are malformed, with where to go back to mend them (a compare
    /// whose ticks could not be read: too few, too many, or a bad value; the page they were
    /// ticked on, the ticks it can read kept): the error page shows the links and keeps the
    /// breadcrumbs; the API says the message alone.
    #[error("{message}")]
    BadRequestNear {
        /// What is wrong: `pick MIN to MAX trials to compare (N picked)`, the bounds those of
        /// `compare` or `experiments_compare` (`Ticks::compared`), or a value that is not a
        /// tick (`t: "x" is not a trial number`).
        message: String,
        /// Where to go back to: (words, address) each.
        links: Vec<(String, String)>,
        /// The breadcrumbs after `Experiments`: (words, address) each; the last, the page
        /// asked for itself, has an empty address.
        crumbs: Vec<(String, String)>,
    },
    /// A method other than GET or HEAD: the dashboard only reads.
    #[error("{0} is not allowed: the dashboard only reads (GET, HEAD)")]
    MethodNotAllowed(String),
    /// A request to an open dashboard (no token) addressed to a host that is not this machine's
    /// loopback: a web page elsewhere may have rebound its own name to 127.0.0.1 to read it.
    #[error("this dashboard answers only requests addressed to localhost, 127.0.0.1 or [::1], and this one is addressed to `{0}`: a web page may rebind its own name to this machine to read the store; to reach the dashboard by another name (a reverse proxy, an alias), serve it with a token (--token or SWEEP_TOKEN)")]
    MisdirectedHost(String),
    /// The dashboard needs a token and the request did not carry the right one.
    #[error("this dashboard needs its access token: open it with ?token=TOKEN, or send `Authorization: Bearer TOKEN`")]
    Unauthorized,
    /// Serving on an address other than loopback was asked for without a token.
    #[error("refusing to serve on {addr} without a token: anyone who can reach it could read the store; pass --token or set SWEEP_TOKEN")]
    TokenRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// A copy of the store was asked for while this process writes it (`api::copy`), by a
    /// reader that would not show the sweep's experiment running, or while this process
    /// follows studies that agents elsewhere run.
    #[error("this dashboard's process writes the store; a copy of it is served only where nothing writes it (`sweep serve`), or from a sweep's own dashboard to a reader that shows its experiment running (`sweep ls` and `sweep show` of this version)")]
    Sweeping,
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// A template failed to render: askama's message (its error type stays inside the crate).
    #[error("template: {0}")]
    Template(String),
    /// A socket or thread could not be set up.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A blocking task was cancelled, or its thread panicked.
    #[error("a request worker stopped: {0}")]
    Blocking(String),
    /// The same error, for a JSON API client.
    #[error(transparent)]
    Api(Box<Error>),
}

/// What the store holds near what a not found asked for (`Error::NotFoundNear`'s `near`), as
/// set where the not found is built, so that a page says it without reading the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Near {
    /// An experiment the store does not hold: the name it holds nearest, if any
    /// (`experiment::suggest`, the CLI's `did you mean`).
    Experiment(Option<String>),
    /// A trial the experiment does not hold: the first and last trial numbers it holds, or
    /// `None` where it has no trials yet.
    Trials(Option<(u32, u32)>),
    /// Nothing near: a comparison left with too few of its ticks held.
    Nothing,
}

impl Near {
    /// Returns what an experiment whose trial numbers run from `range`'s first to its last
    /// holds, in the words of a trial's not found: `its trials are 0 to 9`, `its one trial is
    /// 0`, or, with `None`, `it has no trials yet`.
    pub(crate) fn trials_held(range: Option<(u32, u32)>) -> String {
        match range {
            Some((first, last)) if first == last => format!("its one trial is {first}"),
            Some((first, last)) => format!("its trials are {first} to {last}"),
            None => "it has no trials yet".to_string(),
        }
    }
}

/// An error page's links or breadcrumbs: (words, address) each.
pub(crate) type Links = Vec<(String, String)>;

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    status: u16,
    message: &'a str,
    /// Where to go instead, (words, address): `Error::NotFoundNear`'s and
    /// `Error::BadRequestNear`'s; none otherwise.
    links: &'a [(String, String)],
    /// The breadcrumbs after `Experiments`, (words, address).
    crumbs: &'a [(String, String)],
    live: bool,
}

impl Error {
    /// Returns the same error, to be answered as JSON.
    pub(crate) fn into_api(self) -> Error {
        match self {
            Error::Api(_) => self,
            other => Error::Api(Box::new(other)),
        }
    }

    /// Returns a `BadRequest` as a `BadRequestNear` that gives `links` (where to go back to,
    /// (words, address) each) and `crumbs` (the breadcrumbs after `Experiments`); any other
    /// error as it is.
    pub(crate) fn with_way_back(
        self,
        links: Vec<(String, String)>,
        crumbs: Vec<(String, String)>,
    ) -> Error {
        match self {
            Error::BadRequest(message) => Error::BadRequestNear {
                message,
                links,
                crumbs,
            },
            other => other,
        }
    }

    /// Returns what the client is told: the message for a 4xx, "internal error" otherwise.
    fn public_message(&self) -> String {
        if self.status_code().is_client_error() {
            match self {
                Error::Api(inner) => inner.public_message(),
                other => other.to_string(),
            }
        } else {
            "internal error".to_string()
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::NotFound(_) | Error::NotFoundNear { .. } => StatusCode::NOT_FOUND,
            Error::BadRequest(_) | Error::BadRequestNear { .. } => StatusCode::BAD_REQUEST,
            Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::MisdirectedHost(_) => StatusCode::MISDIRECTED_REQUEST,
            Error::Sweeping => StatusCode::CONFLICT,
            Error::Store(store::Error::UnknownExperiment { .. }) => StatusCode::NOT_FOUND,
            Error::Api(inner) => inner.status_code(),
            Error::TokenRequired { .. }
            | Error::Store(_)
            | Error::Template(_)
            | Error::Io(_)
            | Error::Blocking(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.public_message();
        let mut response = HttpResponse::build(status);
        response.insert_header((CACHE_CONTROL, "no-store"));
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response.insert_header(("Allow", "GET, HEAD"));
        }
        if let Error::Api(_) = self {
            let body = serde_json::json!({
                "api_version": crate::api::API_VERSION,
                "error": message,
                "status": status.as_u16(),
            });
            return response
                .content_type(ContentType::json())
                .body(body.to_string());
        }
        let title = status.canonical_reason().unwrap_or("error");
        let none: &[(String, String)] = &[];
        let (links, crumbs) = match self {
            Error::NotFoundNear { links, crumbs, .. }
            | Error::BadRequestNear { links, crumbs, .. } => (links.as_slice(), crumbs.as_slice()),
            _ => (none, none),
        };
        let page = ErrorPage {
            title,
            status: status.as_u16(),
            message: &message,
            links,
            crumbs,
            live: false,
        };
        match page.render() {
            Ok(html) => response.content_type(ContentType::html()).body(html),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                response
                    .content_type(ContentType::plaintext())
                    .body(message)
            }
        }
    }
}
