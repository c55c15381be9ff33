//! The downloads: an experiment's leaderboard and a trial's metric curves as CSV files to save.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{web, HttpResponse};
use experiment::{Judged, Trial};

use super::{blocking, selected};
use crate::trial_number::TrialNumber;
use crate::view::leaderboard::{self, LeaderboardQuery, PER_PAGE};
use crate::{AppState, Result};

/// The leaderboard's trials as CSV, as a file to save: every trial its query keeps (state,
/// filter, sort), not one page; the columns of `sweep trials --format csv`, its categorical
/// values safe to open in a spreadsheet (`trials_csv_for_spreadsheets`).
pub(super) async fn trials_csv(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<LeaderboardQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let name = name.into_inner();
    let query = query.into_inner();
    let (file, csv) = blocking(move || {
        let (data, sel) = selected(&reader, &name, &query, PER_PAGE)?;
        // The file's duration is start to end alone (`trials_csv_for_spreadsheets`), and so is
        // its order by duration, as `sweep trials --format csv` sorts it.
        let sel = sel.with_last_heard(Default::default());
        // A running trial is kept, and ordered, by its latest values as on the page (so the
        // file holds the trials its link counts), though its row, as `sweep trials` writes it,
        // has no result to show them.
        let ranked = leaderboard::ranked(&data.trials, &data.objectives(), data.constraints());
        let kept: Vec<Trial> = leaderboard::matching(&ranked, &sel)
            .into_iter()
            .map(|r| r.trial.clone())
            .collect();
        // Judged over every trial, as `sweep trials` judges them before its filter.
        let judged = Judged::of(data.spec.as_ref(), &data.trials, reader.effort(&data)?);
        Ok((
            format!("{name}-trials.csv"),
            experiment::trials_csv_for_spreadsheets(&kept, &judged),
        ))
    })
    .await?;
    Ok(csv_file(&file, csv))
}

/// Every metric curve of one trial as CSV, as a file to save: the long format of `sweep export
/// --series`.
pub(super) async fn metrics_csv(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber)>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id)) = path.into_inner();
    let (file, csv) = blocking(move || {
        let t = reader.trial(&name, id)?;
        let curves = [(t.id, reader.all_metrics(&name, t.id)?)];
        Ok((
            format!("{name}-trial-{id}-metrics.csv"),
            experiment::curves_csv_for_spreadsheets(&name, &curves),
        ))
    })
    .await?;
    Ok(csv_file(&file, csv))
}

/// Answers `csv` as a file named `file` for the browser to save.
fn csv_file(file: &str, csv: String) -> HttpResponse {
    // An experiment's name is letters, digits, `.`, `_` and `-`: nothing to escape.
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(csv)
}
