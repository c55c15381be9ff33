//! The JSON API under `/api/`: everything the pages show, as data-transfer types.
//!
//! These types are the wire format and live only here; they are built from domain types by
//! hand, so a rename in `experiment` or `store` cannot silently change the API. Non-finite
//! numbers (a diverged loss) are written as `null`. Errors are `{"error": ..., "status": ...}`.
//! One module per concept: the experiments, their trials, their analyses, a trial's series.

mod analysis;
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

fn json<T: Serialize>(result: Result<T>) -> Result<HttpResponse> {
    let value = result.map_err(Error::into_api)?;
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
