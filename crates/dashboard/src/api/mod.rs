//! The JSON API under `/api/`: everything the pages show, as data-transfer types.
//!
//! These types are the wire format and live only here; they are built from domain types by
//! hand, so a rename in `experiment` or `store` cannot silently change the API. Non-finite
//! numbers (a diverged loss) are written as `null`. Errors are
//! `{"api_version": ..., "error": ..., "status": ...}`.
//! One module per concept: the experiments, their trials, their analyses, a trial's series.
//!
//! Every answer that is a JSON object (`json`: a page of experiments or of trials, one
//! experiment, one trial, the importance, one series) carries `api_version`, `API_VERSION`,
//! as its first field, so that a client tells which order and shape it gets; an answer that is
//! an array (`json_list`: the history, every series of a trial) stays a bare array, and an
//! error carries it first too (`crate::error`), before its two fields. Version 1 (Sweep 0.1.0, which
//! had no field) listed the experiments as a bare array, oldest first; version 2 pages them,
//! newest first, and gives a trial still running its latest epoch's metrics, at
//! `latest_step`.

mod analysis;
mod copy;
mod experiments;
mod series;
mod trials;

use actix_web::{web, HttpResponse};
use experiment::ParamValue;
use serde::Serialize;

use crate::{Error, Result};
use analysis::{history, importance};
use experiments::{experiment, experiments};
use series::{metric, metrics};
use trials::{trial, trials};

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/experiments", crate::read().to(experiments))
        .route("/api/store-copy", crate::read().to(copy::store_copy))
        .route("/api/experiments/{name}", crate::read().to(experiment))
        .route("/api/experiments/{name}/trials", crate::read().to(trials))
        .route("/api/experiments/{name}/history", crate::read().to(history))
        .route(
            "/api/experiments/{name}/importance",
            crate::read().to(importance),
        )
        .route(
            "/api/experiments/{name}/trials/{id}",
            crate::read().to(trial),
        )
        .route(
            "/api/experiments/{name}/trials/{id}/metrics",
            crate::read().to(metrics),
        )
        .route(
            "/api/experiments/{name}/trials/{id}/metrics/{metric}",
            crate::read().to(metric),
        );
}

/// The version of the API's answers, which each that is an object carries as `api_version`:
/// raised when an answer changes its order or shape, or what a field means.
pub(crate) const API_VERSION: u32 = 2;

/// An object answer with the API's version before its own fields.
#[derive(Debug, Serialize)]
struct Versioned<T> {
    /// `API_VERSION`.
    api_version: u32,
    /// The answer's own fields.
    #[serde(flatten)]
    answer: T,
}

/// Answers `result`, an object (a struct of named fields), as JSON with `api_version`
/// (`Versioned`), or its error as the API's.
fn json<T: Serialize>(result: Result<T>) -> Result<HttpResponse> {
    let answer = result.map_err(Error::into_api)?;
    send(&Versioned {
        api_version: API_VERSION,
        answer,
    })
}

/// Answers `result`, a list, as a bare JSON array (no `api_version`: an array has no field for
/// it), or its error as the API's.
fn json_list<T: Serialize>(result: Result<Vec<T>>) -> Result<HttpResponse> {
    send(&result.map_err(Error::into_api)?)
}

/// Answers `value` as JSON, never kept by a cache (a running sweep changes it).
fn send<T: Serialize>(value: &T) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(value))
}

fn param_json(v: &ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Int(i) => serde_json::Value::from(*i),
        ParamValue::Float(x) => serde_json::Number::from_f64(*x)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        ParamValue::Str(s) => serde_json::Value::from(s.clone()),
        ParamValue::Bool(b) => serde_json::Value::from(*b),
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}
