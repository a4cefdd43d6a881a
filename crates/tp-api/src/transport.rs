//! Sending one request: token, spacing, retries, and status → error.
//!
//! The policy, in one place:
//! - every request waits for its slot ([`crate::throttle::Throttle`]);
//! - 401 on a call: the token is dropped, the cookie exchanged again, and the
//!   call retried once; a second 401 is [`ApiError::Unauthorized`];
//! - 429: wait `Retry-After` (bounded by `max_retry_after`) or the backoff,
//!   up to `max_attempts`;
//! - 5xx, timeouts and broken connections: retried with exponential backoff
//!   when the request is idempotent (all reads are);
//! - 403/404/other 4xx and unreadable JSON: reported at once.

use crate::client::TpClient;
use crate::error::{ApiError, snippet};
use crate::secret::Secret;
use crate::token::IssuedToken;
use reqwest::{Method, StatusCode, header};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// One request to send.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub method: Method,
    /// Path below the base URL, starting with `/`.
    pub path: String,
    /// What it fetches, for error messages ("workout 42").
    pub what: String,
    pub body: Option<serde_json::Value>,
    pub query: Vec<(&'static str, String)>,
    /// Safe to repeat (reads). The performance-data POST is a read.
    pub idempotent: bool,
    /// Longest body accepted (bytes); a longer one is refused, never read
    /// whole (a runaway or hostile answer cannot fill the memory).
    pub max_body: usize,
}

impl ApiRequest {
    pub fn get(path: String, what: impl Into<String>) -> ApiRequest {
        ApiRequest {
            method: Method::GET,
            path,
            what: what.into(),
            body: None,
            query: Vec::new(),
            idempotent: true,
            max_body: MAX_BODY_BYTES,
        }
    }
}

/// The largest answer read from TrainingPeaks (64 MiB): a decade of
/// workouts is a few MiB, a 24-hour device file about 10 MiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// What a failed attempt means for the loop.
enum Outcome {
    Done(bytes::Bytes),
    RetryAuth,
    Retry { after: Duration, last: ApiError },
    Fail(ApiError),
}

impl TpClient {
    /// Sends `req` with a bearer token and returns the body of a 2xx answer.
    pub(crate) async fn send(&self, req: &ApiRequest) -> Result<bytes::Bytes, ApiError> {
        let policy = &self.inner.config.retry;
        let mut auth_retried = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let bearer = self
                .inner
                .tokens
                .get_or_refresh(|| self.exchange_cookie())
                .await?;
            self.inner.throttle.wait().await;
            let url = format!("{}{}", self.inner.config.base_url, req.path);
            let mut builder = self
                .inner
                .http
                .request(req.method.clone(), &url)
                .header(header::ACCEPT, "application/json")
                .bearer_auth(bearer.token.expose());
            if !req.query.is_empty() {
                builder = builder.query(&req.query);
            }
            if let Some(body) = &req.body {
                builder = builder.json(body);
            }
            tracing::debug!(method = %req.method, path = %req.path, attempt, "TrainingPeaks request");
            let outcome = self.classify(builder.send().await, req, attempt).await;
            match outcome {
                Outcome::Done(body) => return Ok(body),
                Outcome::RetryAuth if !auth_retried => {
                    tracing::info!(what = %req.what, "token refused (401); exchanging the cookie again");
                    auth_retried = true;
                    attempt -= 1;
                    self.inner.tokens.invalidate(bearer.generation).await;
                }
                Outcome::RetryAuth => {
                    return Err(ApiError::Unauthorized {
                        endpoint: req.what.clone(),
                    });
                }
                Outcome::Retry { after, last } => {
                    if attempt >= policy.max_attempts {
                        return Err(last);
                    }
                    tracing::warn!(what = %req.what, attempt, wait_ms = after.as_millis() as u64, error = %last, "retrying");
                    tokio::time::sleep(after).await;
                }
                Outcome::Fail(e) => return Err(e),
            }
        }
    }

    async fn classify(
        &self,
        sent: Result<reqwest::Response, reqwest::Error>,
        req: &ApiRequest,
        attempt: u32,
    ) -> Outcome {
        let policy = &self.inner.config.retry;
        let what = &req.what;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return self.transport_failure(e, req, attempt),
        };
        let status = response.status();
        if status.is_success() {
            return match read_bounded(response, req.max_body).await {
                Ok(body) => Outcome::Done(body),
                Err(BodyError::Transport(e)) => self.transport_failure(e, req, attempt),
                Err(BodyError::TooLarge) => Outcome::Fail(ApiError::TooLarge {
                    endpoint: what.clone(),
                    limit_mib: req.max_body / (1024 * 1024),
                }),
            };
        }
        let retry_after = parse_retry_after(response.headers());
        let body = response.bytes().await.unwrap_or_default();
        match status {
            StatusCode::UNAUTHORIZED => Outcome::RetryAuth,
            StatusCode::FORBIDDEN => Outcome::Fail(ApiError::Forbidden {
                endpoint: what.clone(),
            }),
            StatusCode::NOT_FOUND => Outcome::Fail(ApiError::NotFound {
                endpoint: what.clone(),
            }),
            StatusCode::TOO_MANY_REQUESTS => {
                let last = ApiError::RateLimited { retry_after };
                match retry_after {
                    Some(wait) if wait > policy.max_retry_after => Outcome::Fail(last),
                    Some(wait) => Outcome::Retry { after: wait, last },
                    None => Outcome::Retry {
                        after: policy.backoff(attempt),
                        last,
                    },
                }
            }
            s if s.is_server_error() => {
                let last = ApiError::Server {
                    status: s.as_u16(),
                    endpoint: what.clone(),
                    attempts: attempt,
                };
                if req.idempotent {
                    Outcome::Retry {
                        after: policy.backoff(attempt),
                        last,
                    }
                } else {
                    Outcome::Fail(last)
                }
            }
            s => Outcome::Fail(ApiError::Status {
                status: s.as_u16(),
                endpoint: what.clone(),
                snippet: snippet(&body),
            }),
        }
    }

    fn transport_failure(&self, e: reqwest::Error, req: &ApiRequest, attempt: u32) -> Outcome {
        let policy = &self.inner.config.retry;
        let last = if e.is_timeout() {
            ApiError::Timeout {
                endpoint: req.what.clone(),
                timeout_s: self.inner.config.request_timeout.as_secs(),
                attempts: attempt,
            }
        } else {
            ApiError::Network {
                endpoint: req.what.clone(),
                detail: describe_transport_error(&e),
                attempts: attempt,
            }
        };
        if req.idempotent {
            Outcome::Retry {
                after: policy.backoff(attempt),
                last,
            }
        } else {
            Outcome::Fail(last)
        }
    }

    /// Exchanges the cookie for a bearer token at `GET /users/v3/token`.
    ///
    /// 401/403 mean the cookie itself is refused: [`ApiError::CookieExpired`].
    /// Transient failures are retried like any read.
    pub(crate) async fn exchange_cookie(&self) -> Result<IssuedToken, ApiError> {
        let cookie = self.cookie().ok_or(ApiError::NoCookie)?;
        let policy = &self.inner.config.retry;
        let req = ApiRequest::get("/users/v3/token".into(), "the token exchange");
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.inner.throttle.wait().await;
            let url = format!("{}{}", self.inner.config.base_url, req.path);
            let sent = self
                .inner
                .http
                .get(&url)
                .header(header::ACCEPT, "application/json")
                .header(
                    header::COOKIE,
                    format!("Production_tpAuth={}", cookie.expose()),
                )
                .send()
                .await;
            tracing::debug!(attempt, "token exchange");
            let outcome = match sent {
                Ok(r) if matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                    return Err(ApiError::CookieExpired {
                        status: r.status().as_u16(),
                    });
                }
                other => self.classify(other, &req, attempt).await,
            };
            match outcome {
                Outcome::Done(body) => return parse_token(&body),
                Outcome::Retry { after, last } if attempt < policy.max_attempts => {
                    tracing::warn!(attempt, error = %last, "retrying the token exchange");
                    tokio::time::sleep(after).await;
                }
                Outcome::Retry { last, .. } => return Err(last),
                Outcome::RetryAuth => return Err(ApiError::CookieExpired { status: 401 }),
                Outcome::Fail(e) => return Err(e),
            }
        }
    }

    /// Sends `req` and parses the JSON body.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        req: &ApiRequest,
    ) -> Result<T, ApiError> {
        let body = self.send(req).await?;
        serde_json::from_slice(&body).map_err(|e| ApiError::Malformed {
            endpoint: req.what.clone(),
            detail: e.to_string(),
        })
    }
}

enum BodyError {
    Transport(reqwest::Error),
    TooLarge,
}

/// The whole body, or `TooLarge` as soon as it announces or reaches more
/// than `limit` bytes (the rest is never read).
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, BodyError> {
    let expected = response.content_length().unwrap_or(0);
    if expected > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    // Sized once from Content-Length when the server gives it (within the
    // limit, checked above), so a large body is not held at up to twice
    // its size.
    let mut body = bytes::BytesMut::with_capacity(expected as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Reads the token from `{"success": true, "token": {"access_token", "expires_in"}}`,
/// or a body whose `token` is the bare string, or a top-level `access_token`.
pub(crate) fn parse_token(body: &[u8]) -> Result<IssuedToken, ApiError> {
    let malformed = |detail: &str| ApiError::Malformed {
        endpoint: "the token exchange".into(),
        detail: detail.into(),
    };
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| malformed(&e.to_string()))?;
    if value.get("success").and_then(|s| s.as_bool()) == Some(false) {
        return Err(ApiError::CookieExpired { status: 200 });
    }
    let token_obj = value.get("token").unwrap_or(&value);
    let (token, expires_in) = match token_obj {
        serde_json::Value::String(s) => (Some(s.clone()), None),
        obj => (
            obj.get("access_token")
                .and_then(|t| t.as_str())
                .map(str::to_string),
            obj.get("expires_in").and_then(tp_model::lenient::number),
        ),
    };
    // Blank counts as missing: a token is trimmed when wrapped in a Secret,
    // and "Bearer " with nothing after it must never be sent (a fuzzer
    // found `" "` read as an empty token).
    let token = token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| malformed("no access_token in the answer"))?;
    let expires_in = expires_in.filter(|s| *s > 0.0).unwrap_or(3600.0);
    Ok(IssuedToken {
        access_token: Secret::new(token),
        expires_in: Duration::from_secs_f64(expires_in.min(86_400.0 * 30.0)),
    })
}

/// `Retry-After` in seconds (HTTP dates are rare here and treated as absent).
fn parse_retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// A transport error without the URL (which is harmless, but long).
fn describe_transport_error(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = if e.is_connect() {
        "connection failed".to_string()
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer".to_string()
    } else {
        "request failed".to_string()
    };
    if let Some(source) = e.source() {
        text.push_str(&format!(" ({source})"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_token_is_no_token() {
        // Found by the cargo-fuzz target api_json: `" "` was read as a token
        // that became empty once trimmed.
        for body in [&br#"" ""#[..], br#"{"token":{"access_token":"  \n"}}"#] {
            assert!(
                matches!(parse_token(body), Err(ApiError::Malformed { .. })),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn token_shapes() {
        let t = parse_token(br#"{"success":true,"token":{"access_token":"abc","expires_in":120}}"#)
            .unwrap();
        assert_eq!(t.access_token.expose(), "abc");
        assert_eq!(t.expires_in, Duration::from_secs(120));
        let t = parse_token(br#"{"success":true,"token":"bare"}"#).unwrap();
        assert_eq!(t.access_token.expose(), "bare");
        assert_eq!(t.expires_in, Duration::from_secs(3600));
        assert!(matches!(
            parse_token(br#"{"success":false}"#),
            Err(ApiError::CookieExpired { .. })
        ));
        assert!(matches!(
            parse_token(b"<html>"),
            Err(ApiError::Malformed { .. })
        ));
        assert!(matches!(
            parse_token(br#"{"token":{}}"#),
            Err(ApiError::Malformed { .. })
        ));
    }
}
