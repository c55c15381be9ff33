//! Access control: an optional token that every request must carry.
//!
//! A request carries the token as `Authorization: Bearer TOKEN`, as `?token=TOKEN` (how a person
//! opens the first page), or as the `sweep_token` cookie that such a first page sets, so that the
//! links, stylesheets and live updates that follow carry it too. Comparison takes the same time
//! whatever the guess.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, AUTHORIZATION, COOKIE, SET_COOKIE};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use crate::{AppState, Error, Result};

const COOKIE_NAME: &str = "sweep_token";

/// Who may read the dashboard.
#[derive(Clone)]
pub struct Access {
    token: Option<String>,
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
            token: Some(token.to_string()),
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
            (Some(want), Some(given)) => constant_time_eq(want.as_bytes(), given.as_bytes()),
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
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let from_query = query_token(req.query_string());
    let from_header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let from_cookie = req
        .headers()
        .get_all(COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(&format!("{COOKIE_NAME}="))
                .map(str::to_string)
        })
        .next();
    let query_ok = access.accepts(from_query.as_deref());
    if !(query_ok
        || access.accepts(from_header.as_deref())
        || access.accepts(from_cookie.as_deref()))
    {
        let error = Error::Unauthorized;
        let error = if req.path().starts_with("/api/") {
            error.into_api()
        } else {
            error
        };
        return Ok(refuse(req, error));
    }
    let mut res = next.call(req).await?.map_into_left_body();
    if let (true, Some(token)) = (query_ok, from_query) {
        let cookie = format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(SET_COOKIE, value);
        }
    }
    Ok(res)
}

/// Answers `req` with `error`'s response without calling the app.
fn refuse<B>(req: ServiceRequest, error: Error) -> ServiceResponse<EitherBody<B>> {
    req.into_response(error.error_response())
        .map_into_right_body()
}

fn query_token(query: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::to_string)
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
    fn tokens_are_validated_and_compared() {
        assert!(Access::token("short").is_err());
        assert!(Access::token("has space in it 1234").is_err());
        let access = Access::token("0123456789abcdef").unwrap();
        assert!(access.accepts(Some("0123456789abcdef")));
        assert!(!access.accepts(Some("0123456789abcdeX")));
        assert!(!access.accepts(None));
        assert!(Access::open().accepts(None));
        assert!(!format!("{access:?}").contains("0123"));
        assert_eq!(query_token("a=1&token=xyz"), Some("xyz".into()));
    }
}
