//! `/api/store-copy`: the stored bytes of the experiments a command of another process reads
//! (`sweep ls`, `sweep show EXPERIMENT`), which cannot open the store this process holds. The
//! command reads them into a temporary store and runs its own code on it, so that what it
//! writes is what it writes of the store itself (`store::Store::copy`): the records are not
//! rendered here a second time.
//!
//! With `?experiment=NAME`, that experiment with its curves (and every experiment's record,
//! for an unknown name's `did you mean`), and with `&points=last` too, only the last point of
//! each of their metrics (what `sweep show EXPERIMENT` reads); without it, every experiment
//! with its trials and without curves. The answer carries this process's id (`X-Sweep-Pid`), so that the command
//! checks it reads the process that announced it holds the store, not whatever answers at the
//! address now. A dashboard whose store nothing writes serves it to anyone; a running sweep's
//! (`Reader::copy`) only to a reader that says it shows the experiment the sweep runs as
//! running (`X-Sweep-Shows-Running: 1`), and names that experiment in its answer
//! (`X-Sweep-Running`, percent-encoded), so that the reader does not take the lock it cannot
//! take for a killed sweep's: an older reader, which would, gets 409.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use store::CopyScope;

use crate::pages::blocking;
use crate::{AppState, Error, Result};

/// The header that names the serving process's id.
pub(crate) const PID_HEADER: &str = "X-Sweep-Pid";
/// The request header by which a reader says it shows the experiment `RUNNING_HEADER` names
/// as running (its value `1`).
pub(crate) const SHOWS_RUNNING_HEADER: &str = "X-Sweep-Shows-Running";
/// The header that names, percent-encoded, the experiment a sweep of the serving process runs
/// now; absent where none does.
pub(crate) const RUNNING_HEADER: &str = "X-Sweep-Running";

/// The query of `/api/store-copy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CopyQuery {
    /// The experiment asked for; every experiment, without curves, when absent.
    experiment: Option<String>,
    /// `last`: of the experiment asked for, only the last point of each metric of each trial
    /// (`CopyScope::Trials`); every point when absent.
    points: Option<Points>,
}

/// Which metric points of the experiment asked for a copy takes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Points {
    /// Only the last point of each metric of each trial.
    Last,
}

/// Answers the copy the query asks for, as `application/octet-stream`.
pub(super) async fn store_copy(
    state: web::Data<AppState>,
    query: web::Query<CopyQuery>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let CopyQuery { experiment, points } = query.into_inner();
    let shows_running = request
        .headers()
        .get(SHOWS_RUNNING_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1");
    let (bytes, running) = blocking(move || {
        let scope = match (&experiment, points) {
            (Some(name), None) => CopyScope::Experiment(name),
            (Some(name), Some(Points::Last)) => CopyScope::Trials(name),
            (None, _) => CopyScope::Experiments,
        };
        reader.copy(scope, shows_running)
    })
    .await
    .map_err(Error::into_api)?;
    let mut answer = HttpResponse::Ok();
    answer
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PID_HEADER, std::process::id().to_string()));
    if let Some(name) = running {
        answer.insert_header((RUNNING_HEADER, crate::view::format::url_part(&name)));
    }
    Ok(answer.content_type("application/octet-stream").body(bytes))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::http::StatusCode;
    use actix_web::test::{call_service, init_service, read_body, TestRequest};
    use store::Store;

    use super::{PID_HEADER, RUNNING_HEADER, SHOWS_RUNNING_HEADER};
    use crate::tests::run;
    use crate::view::fixtures::{self, store_with};
    use crate::{Access, Dashboard, Freshness, Notices};

    /// What a GET of `uri` answers from a dashboard of `store`, as fresh as `freshness`, for
    /// `access`: the status, the process id header, and the body.
    async fn answer(
        store: &Store,
        freshness: Freshness,
        access: Access,
        uri: &str,
    ) -> (StatusCode, Option<String>, Vec<u8>) {
        let (status, pid, _, body) = answer_to(store, freshness, access, (uri, false)).await;
        (status, pid, body)
    }

    /// What `answer` answers, to a reader that says it shows the running experiment as
    /// running where `shows_running`, with the running experiment's header.
    async fn answer_to(
        store: &Store,
        freshness: Freshness,
        access: Access,
        (uri, shows_running): (&str, bool),
    ) -> (StatusCode, Option<String>, Option<String>, Vec<u8>) {
        let dashboard = Dashboard::new(store.clone(), access, freshness, fixtures::clock());
        let service = init_service(dashboard.app()).await;
        let mut request = TestRequest::get().uri(uri);
        if shows_running {
            request = request.insert_header((SHOWS_RUNNING_HEADER, "1"));
        }
        let res = call_service(&service, request.to_request()).await;
        let status = res.status();
        let header = |name: &str| {
            let value = res.headers().get(name).and_then(|v| v.to_str().ok());
            value.map(str::to_string)
        };
        let (pid, running) = (header(PID_HEADER), header(RUNNING_HEADER));
        (status, pid, running, read_body(res).await.to_vec())
    }

    #[test]
    fn a_running_sweep_s_copy_names_its_experiment_to_a_reader_that_shows_it_running() {
        run(async {
            let store = store_with("demo run", 5);
            let mut info = store.experiment("demo run").unwrap().unwrap();
            info.status = store::ExperimentStatus::Running;
            store.update_experiment(&info).unwrap();
            let sweeping = |name: &str| Freshness::Sweeping {
                experiment: name.into(),
                max_age: Duration::ZERO,
                notices: Notices::default(),
            };
            let uri = "/api/store-copy?experiment=demo%20run";
            let (status, pid, running, body) =
                answer_to(&store, sweeping("demo run"), Access::open(), (uri, true)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(pid, Some(std::process::id().to_string()));
            assert_eq!(running.as_deref(), Some("demo%20run"));
            let copy = Store::temporary_from_copy(None, &body).unwrap();
            assert_eq!(copy.experiment("demo run").unwrap(), Some(info.clone()));
            // A sweep whose experiment is no longer stored running (one that ended, kept up by
            // `--serve-after`) names none: it is a holder as `sweep serve` is.
            info.status = store::ExperimentStatus::Finished;
            store.update_experiment(&info).unwrap();
            let (status, _, running, _) =
                answer_to(&store, sweeping("demo run"), Access::open(), (uri, true)).await;
            assert_eq!((status, running), (StatusCode::OK, None));
            // Nor does a dashboard whose store nothing writes.
            let (status, _, running, _) =
                answer_to(&store, Freshness::Frozen, Access::open(), (uri, true)).await;
            assert_eq!((status, running), (StatusCode::OK, None));
        });
    }

    #[test]
    fn a_store_nothing_writes_is_copied_with_the_process_id() {
        run(async {
            let store = store_with("demo", 5);
            let uri = "/api/store-copy?experiment=demo";
            let (status, pid, body) = answer(&store, Freshness::Frozen, Access::open(), uri).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(pid, Some(std::process::id().to_string()));
            let copy = Store::temporary_from_copy(None, &body).unwrap();
            let debug = |s: &Store| format!("{:?}", s.traced_trials("demo").unwrap());
            assert_eq!(debug(&copy), debug(&store));
            let all = answer(&store, Freshness::Frozen, Access::open(), "/api/store-copy");
            let (status, _, body) = all.await;
            assert_eq!(status, StatusCode::OK);
            let copy = Store::temporary_from_copy(None, &body).unwrap();
            assert_eq!(copy.experiments().unwrap(), store.experiments().unwrap());
        });
    }

    #[test]
    fn a_copy_is_refused_while_a_sweep_writes_to_a_reader_that_shows_no_running_sweep() {
        run(async {
            let store = store_with("demo", 5);
            let sweeping = Freshness::Sweeping {
                experiment: "demo".into(),
                max_age: Duration::ZERO,
                notices: Notices::default(),
            };
            let (status, pid, body) =
                answer(&store, sweeping, Access::open(), "/api/store-copy").await;
            assert_eq!((status, pid), (StatusCode::CONFLICT, None));
            let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert!(
                error["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("process writes the store")),
                "{error}"
            );
            let guarded = Access::token("a-token-of-16-chars").unwrap();
            let (status, _, _) =
                answer(&store, Freshness::Frozen, guarded, "/api/store-copy").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            let odd = "/api/store-copy?experiments=demo";
            let (status, _, _) = answer(&store, Freshness::Frozen, Access::open(), odd).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        });
    }
}
