//! `/api/store-copy`: the stored bytes of the experiments a command of another process reads
//! (`sweep ls`, `sweep show EXPERIMENT`), which cannot open the store this process holds. The
//! command reads them into a temporary store and runs its own code on it, so that what it
//! writes is what it writes of the store itself (`store::Store::copy`): the records are not
//! rendered here a second time.
//!
//! With `?experiment=NAME`, that experiment with its curves (and every experiment's record,
//! for an unknown name's `did you mean`); without it, every experiment with its trials and
//! without curves. The answer carries this process's id (`X-Sweep-Pid`), so that the command
//! checks it reads the process that announced it holds the store, not whatever answers at the
//! address now. Served only by a dashboard whose store nothing writes (`Reader::copy`).

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use store::CopyScope;

use crate::pages::blocking;
use crate::{AppState, Error, Result};

/// The header that names the serving process's id.
pub(crate) const PID_HEADER: &str = "X-Sweep-Pid";

/// The query of `/api/store-copy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CopyQuery {
    /// The experiment asked for; every experiment, without curves, when absent.
    experiment: Option<String>,
}

/// Answers the copy the query asks for, as `application/octet-stream`.
pub(super) async fn store_copy(
    state: web::Data<AppState>,
    query: web::Query<CopyQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let experiment = query.into_inner().experiment;
    let bytes = blocking(move || {
        let scope = match &experiment {
            Some(name) => CopyScope::Experiment(name),
            None => CopyScope::Experiments,
        };
        reader.copy(scope)
    })
    .await
    .map_err(Error::into_api)?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PID_HEADER, std::process::id().to_string()))
        .content_type("application/octet-stream")
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::http::StatusCode;
    use actix_web::test::{call_service, init_service, read_body, TestRequest};
    use store::Store;

    use super::PID_HEADER;
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
        let dashboard = Dashboard::new(store.clone(), access, freshness, fixtures::clock());
        let service = init_service(dashboard.app()).await;
        let res = call_service(&service, TestRequest::get().uri(uri).to_request()).await;
        let status = res.status();
        let pid = res.headers().get(PID_HEADER).and_then(|v| v.to_str().ok());
        let pid = pid.map(str::to_string);
        (status, pid, read_body(res).await.to_vec())
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
    fn a_copy_is_refused_while_a_sweep_writes_or_without_the_token() {
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
                    .is_some_and(|e| e.contains("is running a sweep on the store")),
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
