//! Access control: an optional token that every request must carry.
//!
//! A request carries the token as `Authorization: Bearer TOKEN`, as `?token=TOKEN` (how a person
//! opens the first page), or as the cookie that such a first page sets, so that the links,
//! stylesheets and live updates that follow carry it too. Comparison takes the same time
//! whatever the guess.
//!
//! The cookie is not the token. Browsers send a host's cookies to every port of it, so another
//! service on the same host would read it: it carries a value drawn when the token is set (this
//! process's run of the dashboard), which opens this dashboard until it stops and tells nothing
//! of the token. It is named after the port the server listens on (`sweep_token_8080`), so that
//! two dashboards on one host keep a cookie each. A page opened with `?token=` is sent on to the
//! same address without it (a 303), so that the token stays out of the address bar, the history
//! and bookmarks; the API keeps it, where a program sends it each time.
//!
//! Rejected: a SHA-256 or an HMAC of the token as the cookie. The dashboard has no hash or
//! random number crate; std's `RandomState`, whose keys come from the OS, draws the value.

use std::hash::{BuildHasher, Hasher};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};

use crate::{AppState, Error, Result};

/// The cookie's name before the port: `sweep_token_8080`.
const COOKIE_PREFIX: &str = "sweep_token_";

/// Who may read the dashboard.
#[derive(Clone)]
pub struct Access {
    token: Option<Secret>,
}

/// A token and the value its cookie carries instead of it.
#[derive(Clone)]
struct Secret {
    token: String,
    /// 32 hex digits drawn when the token was set; the cookie carries them.
    cookie: String,
}

impl Access {
    /// Returns open access: anyone who can reach the socket (loopback only).
    pub fn open() -> Access {
        Access { token: None }
    }

    /// Returns access for holders of `token`: 16 to 256 characters from `A-Z a-z 0-9 - . _ ~`.
    pub fn token(token: &str) -> Result<Access> {
        let valid = (16..=256).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !valid {
            return Err(Error::BadRequest(
                "a token must be 16 to 256 characters from A-Z a-z 0-9 - . _ ~".into(),
            ));
        }
        Ok(Access {
            token: Some(Secret {
                token: token.to_string(),
                cookie: drawn(),
            }),
        })
    }

    /// Returns whether a token is required.
    pub fn is_open(&self) -> bool {
        self.token.is_none()
    }

    fn accepts(&self, given: Option<&str>) -> bool {
        match (&self.token, given) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(want), Some(given)) => constant_time_eq(want.token.as_bytes(), given.as_bytes()),
        }
    }

    /// Returns whether `given` is the value this access's cookie carries.
    fn accepts_cookie(&self, given: &str) -> bool {
        match &self.token {
            None => true,
            Some(want) => constant_time_eq(want.cookie.as_bytes(), given.as_bytes()),
        }
    }
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never prints the token itself.
        f.debug_struct("Access")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// The middleware: lets a request through when it carries the token, and sets the cookie when
/// the token came in the query string.
pub(crate) async fn check<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> std::result::Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let access = match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.access.clone(),
        None => return Ok(refuse(req, Error::Blocking("the app has no state".into()))),
    };
    if access.is_open() {
        if let Some(host) = foreign_host(&req) {
            return Ok(refuse(req, Error::MisdirectedHost(host)));
        }
        return Ok(next.call(req).await?.map_into_left_body());
    }
    // Every token the request carries counts (a query or cookies may name one twice).
    let from_query = query_token(req.query_string());
    let query_ok = from_query.iter().any(|t| access.accepts(Some(t)));
    // The scheme's name is case-insensitive (RFC 9110).
    let from_header = req
        .headers()
        .get_all(AUTHORIZATION)
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
        .any(|t| access.accepts(Some(&t)));
    let name = cookie_name(&req);
    let from_cookie = req
        .headers()
        .get_all(COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(&name)?.strip_prefix('='))
        .any(|value| access.accepts_cookie(value));
    if !(query_ok || from_header || from_cookie) {
        return Ok(refuse(req, Error::Unauthorized));
    }
    let cookie = match (&access.token, query_ok) {
        (Some(secret), true) => HeaderValue::from_str(&format!(
            "{name}={}; Path=/; HttpOnly; SameSite=Strict",
            secret.cookie
        ))
        .ok(),
        _ => None,
    };
    // A page opened with the token is sent on without it; the API answers as asked.
    let page = matches!(*req.method(), Method::GET | Method::HEAD) && !is_api(req.path());
    if page && !from_query.is_empty() {
        let mut redirect = HttpResponse::SeeOther();
        redirect.insert_header((LOCATION, without_token(req.path(), req.query_string())));
        if let Some(cookie) = cookie {
            redirect.insert_header((SET_COOKIE, cookie));
        }
        return Ok(req.into_response(redirect.finish()).map_into_right_body());
    }
    let mut res = next.call(req).await?.map_into_left_body();
    if let Some(cookie) = cookie {
        res.headers_mut().insert(SET_COOKIE, cookie);
    }
    Ok(res)
}

/// Returns the name of the cookie that carries the token to this server: `sweep_token_` and
/// the port it listens on.
fn cookie_name(req: &ServiceRequest) -> String {
    format!("{COOKIE_PREFIX}{}", req.app_config().local_addr().port())
}

/// Returns 32 hex digits no one can guess: two hashes under std's `RandomState`, whose keys
/// come from the OS.
fn drawn() -> String {
    let keys = std::collections::hash_map::RandomState::new();
    (0u8..2)
        .map(|i| {
            let mut hasher = keys.build_hasher();
            hasher.write_u8(i);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

/// Returns where a page opened as `path?query` is sent on to: the same path and query without
/// its `token` parameters (however their names are percent-encoded), the others as given. The
/// path starts with a single `/`, so that it never names another host (`//host`).
fn without_token(path: &str, query: &str) -> String {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|piece| !piece.is_empty() && query_token(piece).is_empty())
        .collect();
    let path = format!("/{}", path.trim_start_matches(['/', '\\']));
    match kept.is_empty() {
        true => path,
        false => format!("{path}?{}", kept.join("&")),
    }
}

/// Answers `req` with `error`'s response without calling the app: JSON for the API (`/api`
/// itself too, as `pages::not_found` answers it), a page otherwise.
fn refuse<B>(req: ServiceRequest, error: Error) -> ServiceResponse<EitherBody<B>> {
    let error = if is_api(req.path()) {
        error.into_api()
    } else {
        error
    };
    req.into_response(error.error_response())
        .map_into_right_body()
}

/// Returns whether `path` is the API's: `/api` or below it.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Returns the host a request is addressed to (its `Host` header, or the host of an absolute
/// request URI) when that is not a loopback name: `localhost`, an address in 127.0.0.0/8 or
/// `[::1]`, with any port. An open dashboard listens on loopback only, so any other name came
/// from a page whose domain now resolves to this machine (DNS rebinding).
fn foreign_host(req: &ServiceRequest) -> Option<String> {
    let from_header = req
        .headers()
        .get(actix_web::http::header::HOST)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let from_uri = req.uri().authority().map(|a| a.as_str().to_string());
    from_uri
        .into_iter()
        .chain(from_header)
        .find(|host| !is_loopback_host(host))
        .map(|host| host.chars().take(100).collect())
}

/// Returns whether `host` (a `Host` header's value: a name or an address, and a port) names
/// this machine's loopback.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        // `[::1]:8080`: the address is between the brackets.
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    // `localhost` and its subdomains resolve to loopback only (RFC 6761).
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Returns the values of the query's `token` parameters, percent-decoded.
fn query_token(query: &str) -> Vec<String> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .map(|pairs| {
            pairs
                .into_inner()
                .into_iter()
                .filter(|(key, _)| key == "token")
                .map(|(_, value)| value)
                .collect()
        })
        .unwrap_or_default()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_told_from_others() {
        for host in [
            "localhost",
            "localhost:8080",
            "LocalHost.:80",
            "app.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:8391",
            "127.9.9.9:1",
            "[::1]",
            "[::1]:8391",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8391",
            "localhost.evil.example",
            "128.0.0.1:8391",
            "10.0.0.1",
            "[::2]:8391",
            "[::ffff:127.0.0.1]:1",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn tokens_are_validated_and_compared() {
        assert!(Access::token("short").is_err());
        assert!(Access::token("has space in it 1234").is_err());
        let access = Access::token("0123456789abcdef").unwrap();
        assert!(access.accepts(Some("0123456789abcdef")));
        assert!(!access.accepts(Some("0123456789abcdeX")));
        assert!(!access.accepts(None));
        assert!(Access::open().accepts(None));
        assert!(!format!("{access:?}").contains("0123"));
        assert_eq!(query_token("a=1&token=xyz&token=%41b"), ["xyz", "Ab"]);
    }
}
