//! The static files of `web/static`, embedded in the binary so that the dashboard is one file.

use actix_web::http::header::{ContentType, CACHE_CONTROL};
use actix_web::{web, HttpResponse};

use crate::Error;

/// (path under `/static/`, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "css/dashboard.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/static/css/dashboard.css"),
    ),
    (
        "js/dashboard.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/static/js/dashboard.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../../web/static/favicon.svg"),
    ),
];

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{path:.*}", crate::read().to(file))
        .route("/favicon.ico", crate::read().to(favicon));
}

async fn file(path: web::Path<String>) -> Result<HttpResponse, Error> {
    serve(&path)
}

async fn favicon() -> Result<HttpResponse, Error> {
    serve("favicon.svg")
}

fn serve(path: &str) -> Result<HttpResponse, Error> {
    let (_, kind, bytes) = FILES
        .iter()
        .find(|(p, _, _)| *p == path)
        .ok_or_else(|| Error::NotFound(format!("no static file {path:?}")))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType(kind.parse().unwrap_or(mime_octet())))
        .insert_header((CACHE_CONTROL, "max-age=300"))
        .body(*bytes))
}

fn mime_octet() -> actix_web::mime::Mime {
    actix_web::mime::APPLICATION_OCTET_STREAM
}
