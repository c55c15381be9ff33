//! The API's metric series of a trial: every metric's, or one's, downsampled to a budget of
//! points.

use actix_web::{web, HttpResponse};
use experiment::{Step, TrialId};
use serde::{Deserialize, Serialize};

use super::{finite, json, json_list};
use crate::data::Series;
use crate::downsample;
use crate::pages::blocking;
use crate::trial_number::TrialNumber;
use crate::{AppState, Error, Result};

/// The default and largest `max_points` of a metric series.
pub(super) const DEFAULT_MAX_POINTS: usize = 1000;
pub(super) const LIMIT_MAX_POINTS: usize = 100_000;

#[derive(Debug, Serialize)]
pub(super) struct SeriesDto {
    trial: u32,
    metric: String,
    total_points: usize,
    downsampled: bool,
    /// `[step, value]` pairs; `value` is `null` when not finite.
    points: Vec<(u32, Option<f64>)>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SeriesQuery {
    max_points: Option<usize>,
}

pub(super) async fn metrics(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber)>,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id)) = path.into_inner();
    json_list(
        async move {
            let max_points = max_points(&query)?;
            blocking(move || {
                reader.trial(&name, id)?;
                let all = reader.all_metrics(&name, TrialId(id))?;
                Ok(all
                    .iter()
                    .map(|(metric, s)| series_dto(id, metric, s, max_points))
                    .collect::<Vec<_>>())
            })
            .await
        }
        .await,
    )
}

pub(super) async fn metric(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber, String)>,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id), metric) = path.into_inner();
    json(
        async move {
            let max_points = max_points(&query)?;
            blocking(move || {
                reader.trial(&name, id)?;
                let series = reader.metric_of(&name, &[TrialId(id)], &metric)?;
                let series = series
                    .get(&TrialId(id))
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        Error::NotFound(format!("trial {id} of {name:?} has no metric {metric:?}"))
                    })?;
                Ok(series_dto(id, &metric, series, max_points))
            })
            .await
        }
        .await,
    )
}

pub(super) fn max_points(query: &SeriesQuery) -> Result<usize> {
    match query.max_points {
        None => Ok(DEFAULT_MAX_POINTS),
        Some(n) if (3..=LIMIT_MAX_POINTS).contains(&n) => Ok(n),
        Some(_) => Err(Error::BadRequest(format!(
            "max_points must be in 3..={LIMIT_MAX_POINTS}"
        ))),
    }
}

pub(super) fn series_dto(
    trial: u32,
    metric: &str,
    series: &Series,
    max_points: usize,
) -> SeriesDto {
    let xy: Vec<(f64, f64)> = series.iter().map(|(s, v)| (f64::from(s.0), *v)).collect();
    let total_points = series.len();
    let (points, downsampled) = if total_points > max_points {
        let picked = downsample::lttb(&xy, max_points);
        // Steps are exact small integers in f64, so this converts back without loss.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let points = picked
            .iter()
            .map(|(x, y)| (*x as u32, finite(Some(*y))))
            .collect();
        (points, true)
    } else {
        (
            series
                .iter()
                .map(|(Step(s), v)| (*s, finite(Some(*v))))
                .collect(),
            false,
        )
    };
    SeriesDto {
        trial,
        metric: metric.to_string(),
        total_points,
        downsampled,
        points,
    }
}
